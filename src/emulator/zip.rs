//! A zip writer for `download_zip`, storing entries uncompressed.
//!
//! "Stored" entries need no deflate implementation and every unzip tool reads
//! them. Dropbox's archives are limited to 10,000 entries and the emulator's
//! files are small, so the 16- and 32-bit fields of plain zip (not zip64) fit.

use chrono::{DateTime, Datelike, Timelike, Utc};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
/// Version 2.0: the first to define directories.
const VERSION_NEEDED: u16 = 20;
/// Unix (3) in the high byte, so the external attributes carry mode bits.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
/// General purpose flag 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
const UNIX_FILE: u32 = 0o100_644 << 16;
/// Unix directory mode, plus the MS-DOS directory attribute.
const UNIX_DIRECTORY: u32 = (0o040_755 << 16) | 0x10;

#[derive(Default)]
pub(crate) struct StoredZip {
    /// Local headers followed by data, in order.
    body: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl StoredZip {
    pub(crate) fn add_file(&mut self, name: &str, content: &[u8], modified: Option<DateTime<Utc>>) {
        self.add(name, content, modified, UNIX_FILE);
    }

    pub(crate) fn add_directory(&mut self, name: &str, modified: Option<DateTime<Utc>>) {
        self.add(
            &format!("{}/", name.trim_end_matches('/')),
            &[],
            modified,
            UNIX_DIRECTORY,
        );
    }

    fn add(
        &mut self,
        name: &str,
        content: &[u8],
        modified: Option<DateTime<Utc>>,
        attributes: u32,
    ) {
        let (time, date) = modified.map_or((0, DOS_EPOCH_DATE), dos_time);
        let crc = crc32(content);
        // Within the emulator's limits these always fit; saturate rather than wrap.
        let size = u32::try_from(content.len()).unwrap_or(u32::MAX);
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        let name = &name.as_bytes()[..usize::from(name_len)];
        let offset = u32::try_from(self.body.len()).unwrap_or(u32::MAX);

        let local = &mut self.body;
        put32(local, LOCAL_HEADER);
        put16(local, VERSION_NEEDED);
        put16(local, UTF8_NAMES);
        put16(local, 0); // stored
        put16(local, time);
        put16(local, date);
        put32(local, crc);
        put32(local, size);
        put32(local, size);
        put16(local, name_len);
        put16(local, 0); // extra field length
        local.extend_from_slice(name);
        local.extend_from_slice(content);

        let central = &mut self.central;
        put32(central, CENTRAL_HEADER);
        put16(central, VERSION_MADE_BY);
        put16(central, VERSION_NEEDED);
        put16(central, UTF8_NAMES);
        put16(central, 0); // stored
        put16(central, time);
        put16(central, date);
        put32(central, crc);
        put32(central, size);
        put32(central, size);
        put16(central, name_len);
        put16(central, 0); // extra field length
        put16(central, 0); // comment length
        put16(central, 0); // disk number
        put16(central, 0); // internal attributes
        put32(central, attributes);
        put32(central, offset);
        central.extend_from_slice(name);

        self.entries = self.entries.saturating_add(1);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let StoredZip {
            mut body,
            central,
            entries,
        } = self;
        let central_offset = u32::try_from(body.len()).unwrap_or(u32::MAX);
        let central_size = u32::try_from(central.len()).unwrap_or(u32::MAX);
        body.extend_from_slice(&central);
        put32(&mut body, END_OF_CENTRAL_DIRECTORY);
        put16(&mut body, 0); // this disk
        put16(&mut body, 0); // disk with the central directory
        put16(&mut body, entries);
        put16(&mut body, entries);
        put32(&mut body, central_size);
        put32(&mut body, central_offset);
        put16(&mut body, 0); // comment length
        body
    }
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// 1980-01-01, the earliest date MS-DOS time can express.
const DOS_EPOCH_DATE: u16 = (1 << 5) | 1;

/// MS-DOS time and date: two-second resolution, years 1980 to 2107.
fn dos_time(at: DateTime<Utc>) -> (u16, u16) {
    if at.year() < 1980 {
        return (0, DOS_EPOCH_DATE);
    }
    let year = (at.year() - 1980).min(127) as u16;
    let time = ((at.hour() as u16) << 11) | ((at.minute() as u16) << 5) | (at.second() as u16 / 2);
    let date = (year << 9) | ((at.month() as u16) << 5) | at.day() as u16;
    (time, date)
}

/// CRC-32 as zip uses it (IEEE 802.3, reflected).
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &byte| {
        CRC_TABLE[usize::from((crc as u8) ^ byte)] ^ (crc >> 8)
    })
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut index = 0;
    while index < 256 {
        let mut value = index as u32;
        let mut bit = 0;
        while bit < 8 {
            value = if value & 1 == 1 {
                0xEDB8_8320 ^ (value >> 1)
            } else {
                value >> 1
            };
            bit += 1;
        }
        table[index] = value;
        index += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(bytes: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([bytes[at], bytes[at + 1]])
    }

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn dos_time_packs_fields() {
        let at = "2024-03-05T13:14:16Z".parse::<DateTime<Utc>>().unwrap();
        let (time, date) = dos_time(at);
        assert_eq!(time, (13 << 11) | (14 << 5) | 8);
        assert_eq!(date, (44 << 9) | (3 << 5) | 5);
    }

    /// Reads the archive back through its central directory, as unzip does.
    #[test]
    fn archive_reads_back_through_the_central_directory() {
        let mut zip = StoredZip::default();
        zip.add_directory("HW1", None);
        zip.add_file("HW1/Zoë Müller - essay.pdf", b"%PDF-1.4 hello", None);
        let bytes = zip.finish();

        let end = bytes.len() - 22;
        assert_eq!(u32_at(&bytes, end), END_OF_CENTRAL_DIRECTORY);
        assert_eq!(u16_at(&bytes, end + 10), 2);
        let mut at = u32_at(&bytes, end + 16) as usize;
        let mut found = Vec::new();
        for _ in 0..2 {
            assert_eq!(u32_at(&bytes, at), CENTRAL_HEADER);
            let crc = u32_at(&bytes, at + 16);
            let size = u32_at(&bytes, at + 24) as usize;
            let name_len = u16_at(&bytes, at + 28) as usize;
            let local = u32_at(&bytes, at + 42) as usize;
            let name = std::str::from_utf8(&bytes[at + 46..at + 46 + name_len]).unwrap();
            assert_eq!(u32_at(&bytes, local), LOCAL_HEADER);
            let data_at = local + 30 + u16_at(&bytes, local + 26) as usize;
            let data = &bytes[data_at..data_at + size];
            assert_eq!(crc32(data), crc);
            found.push((name.to_owned(), data.to_vec()));
            at += 46 + name_len;
        }
        assert_eq!(found[0], ("HW1/".to_owned(), Vec::new()));
        assert_eq!(
            found[1],
            (
                "HW1/Zoë Müller - essay.pdf".to_owned(),
                b"%PDF-1.4 hello".to_vec()
            )
        );
    }
}
