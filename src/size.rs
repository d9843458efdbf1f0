//! File sizes as the professor reads them, the same in the TUI, the CLI and the
//! progress lines: powers of 1000 ("3.1 MB"), as file managers and Dropbox's own pages
//! show them, from bytes to terabytes (and on to exabytes, so that a size a broken
//! server makes up still fits its column).

/// The units above bytes, up to the largest a u64 reaches.
const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];

/// The widest [`human_bytes`] text ("999 kB", "1.5 TB"): a column this wide never cuts
/// one.
pub const WIDTH: usize = 6;

/// "96 B", "812 kB", "3.1 MB", "11 GB", "2.0 TB": one decimal below ten, whole numbers
/// above, and never "1000 kB" (that is "1.0 MB").
pub fn human_bytes(bytes: u64) -> String {
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    // Compared after rounding, so 999,999 bytes is "1.0 MB" rather than "1000 kB".
    while value.round() >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if (value * 10.0).round() < 100.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn sizes_read_from_bytes_to_terabytes() {
        let cases = [
            (0, "0 B"),
            (96, "96 B"),
            (999, "999 B"),
            (1_000, "1.0 kB"),
            (1_024, "1.0 kB"),
            (9_949, "9.9 kB"),
            (9_950, "10 kB"),
            (812_000, "812 kB"),
            (999_499, "999 kB"),
            (999_500, "1.0 MB"),
            (999_999, "1.0 MB"),
            (3_140_000, "3.1 MB"),
            // The 10 GiB file the TUI showed as "240.0 MB".
            (10 * 1024 * 1024 * 1024, "11 GB"),
            (350_000_000_000, "350 GB"),
            (2_000_000_000_000, "2.0 TB"),
            (999_000_000_000_000, "999 TB"),
            (999_500_000_000_000, "1.0 PB"),
            (u64::MAX, "18 EB"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(human_bytes(bytes), expected, "{bytes} bytes");
        }
    }

    proptest! {
        #[test]
        fn every_size_fits_the_column_and_grows_with_the_bytes(
            a in any::<u64>().prop_map(|n| n >> (n % 64)),
            b in any::<u64>().prop_map(|n| n >> (n % 64)),
        ) {
            let (small, large) = (a.min(b), a.max(b));
            let text = human_bytes(small);
            prop_assert!(text.chars().count() <= WIDTH, "{small}: {text}");
            prop_assert!(value_in_bytes(&text) <= value_in_bytes(&human_bytes(large)));
        }
    }

    /// Reads a formatted size back, to compare two of them.
    fn value_in_bytes(text: &str) -> f64 {
        let (number, unit) = text.split_once(' ').expect("number and unit");
        let scale = match unit {
            "B" => 1.0,
            _ => 1000f64.powi(UNITS.iter().position(|u| *u == unit).expect("a unit") as i32 + 1),
        };
        number.parse::<f64>().expect("a number") * scale
    }
}
