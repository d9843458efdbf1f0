//! Time as the professor reads it: Dropbox's UTC timestamps shown in the local zone,
//! with a relative phrase ("in 3 days", "2 h ago").
//!
//! The zone is a value rather than a global so that views render identically in tests
//! whatever the machine's `TZ` says.

use chrono::{DateTime, FixedOffset, Local, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};

/// Dropbox's wire format for timestamps: UTC, no fraction, literal `Z`.
pub const DROPBOX_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Parses a Dropbox timestamp (`2026-12-04T22:59:00Z`). Also accepts any RFC 3339 text,
/// since the emulator and hand-written fixtures sometimes carry offsets.
pub fn parse_dropbox(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, DROPBOX_FORMAT)
        .map(|naive| naive.and_utc())
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

/// Formats an instant the way Dropbox expects it on the wire.
pub fn to_dropbox(at: DateTime<Utc>) -> String {
    at.format(DROPBOX_FORMAT).to_string()
}

/// The zone times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The machine's zone (`TZ`, `/etc/localtime`), daylight saving included.
    Local,
    /// A fixed offset; tests use UTC so snapshots do not depend on the machine.
    Fixed(FixedOffset),
}

impl Zone {
    pub fn utc() -> Zone {
        Zone::Fixed(Utc.fix())
    }

    /// The offset in force at `at` in this zone.
    pub fn offset_at(self, at: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Local => Local.offset_from_utc_datetime(&at.naive_utc()).fix(),
            Zone::Fixed(offset) => offset,
        }
    }

    pub fn localize(self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// The instant at which the wall clock in this zone shows `naive`.
    ///
    /// When the clocks go back the time occurs twice and the earlier instant wins, so a
    /// deadline never ends later than the professor could have meant. When they go
    /// forward the time never occurs, and the error is a sentence for the form.
    pub fn from_local(self, naive: NaiveDateTime) -> Result<DateTime<Utc>, String> {
        match self {
            Zone::Local => pick_local_result(Local.from_local_datetime(&naive), naive),
            Zone::Fixed(offset) => pick_local_result(offset.from_local_datetime(&naive), naive),
        }
    }

    /// The zone's name at `at` as people read it ("CET", "CEST", "EST"), or its offset
    /// ("UTC+01:00") where the system has no name for it.
    pub fn abbreviation(self, at: DateTime<Utc>) -> String {
        let offset = self.offset_at(at);
        match self {
            Zone::Local => system_zone_name(at)
                // A name libc computed from different zone data than chrono (say, a `TZ`
                // that only one of them understood) would contradict the time shown next
                // to it; the offset is never wrong.
                .filter(|(name, seconds_east)| {
                    is_zone_name(name) && *seconds_east == i64::from(offset.local_minus_utc())
                })
                .map(|(name, _)| name)
                .unwrap_or_else(|| offset_label(offset)),
            Zone::Fixed(_) => offset_label(offset),
        }
    }
}

/// Resolves a local wall-clock time to one instant; see [`Zone::from_local`].
fn pick_local_result<Tz: TimeZone>(
    result: LocalResult<DateTime<Tz>>,
    naive: NaiveDateTime,
) -> Result<DateTime<Utc>, String> {
    match result {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, second) => {
            Ok(first.with_timezone(&Utc).min(second.with_timezone(&Utc)))
        }
        LocalResult::None => Err(format!(
            "{} does not exist in this time zone (the clocks go forward); pick another time.",
            naive.format("%H:%M on %-d %b")
        )),
    }
}

/// "UTC" or "UTC+01:00" / "UTC-05:30".
fn offset_label(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    if seconds == 0 {
        return "UTC".to_string();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    format!(
        "UTC{sign}{:02}:{:02}",
        seconds / 3_600,
        (seconds % 3_600) / 60
    )
}

/// Zones without a customary abbreviation carry a numeric one ("+03", "-0530") in the
/// tz database; those read better as [`offset_label`].
fn is_zone_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())
}

/// The system's abbreviation for its local zone at `at`, with the offset (seconds east
/// of UTC) it belongs to. chrono has no zone names, so this asks libc.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
fn system_zone_name(at: DateTime<Utc>) -> Option<(String, i64)> {
    let seconds = libc::time_t::try_from(at.timestamp()).ok()?;
    // SAFETY: `tm` is plain integers and one pointer, for which all-zero bytes are a valid
    // value; `localtime_r` is the re-entrant variant and writes only into the `tm` we
    // own, returning null on failure. A non-null `tm_zone` points at a NUL-terminated
    // name in libc's zone data, which lives at least until the next `tzset` with a
    // different `TZ`; we copy it out at once, and nothing in handin changes `TZ`.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&seconds, &mut tm).is_null() || tm.tm_zone.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(tm.tm_zone).to_str().ok()?;
        #[allow(
            clippy::useless_conversion,
            reason = "tm_gmtoff is a C long: 32 bits on some targets"
        )]
        let seconds_east = i64::from(tm.tm_gmtoff);
        Some((name.to_owned(), seconds_east))
    }
}

/// Platforms whose `struct tm` has no zone name fall back to the offset.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
)))]
fn system_zone_name(_at: DateTime<Utc>) -> Option<(String, i64)> {
    None
}

/// `Fri 4 Dec 23:59`, with the year added when it is not the current one.
pub fn short(at: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> String {
    let local = zone.localize(at);
    if local.format("%Y").to_string() == zone.localize(now).format("%Y").to_string() {
        local.format("%a %-d %b %H:%M").to_string()
    } else {
        local.format("%a %-d %b %Y %H:%M").to_string()
    }
}

/// `Fri 4 Dec 2026 23:59 CET`: the detail pane's full form, with the zone named as the
/// form's deadline preview names it ([`Zone::abbreviation`]).
pub fn full(at: DateTime<Utc>, zone: Zone) -> String {
    format!(
        "{} {}",
        zone.localize(at).format("%a %-d %b %Y %H:%M"),
        zone.abbreviation(at)
    )
}

/// "in 3 days", "2 h ago", "just now": the coarsest unit that still says something.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds();
    let magnitude = seconds.unsigned_abs();
    if magnitude < 60 {
        return "just now".to_string();
    }
    // Rounded, not floored: a deadline set "+7d" a few seconds ago is "in 7 days".
    let rounded = |unit: u64| (magnitude + unit / 2) / unit;
    let amount = if magnitude < 3_600 {
        format!("{} min", rounded(60))
    } else if magnitude < 48 * 3_600 {
        format!("{} h", rounded(3_600))
    } else if magnitude < 60 * 86_400 {
        format!("{} days", rounded(86_400))
    } else if magnitude < 730 * 86_400 {
        format!("{} months", rounded(30 * 86_400))
    } else {
        format!("{} years", rounded(365 * 86_400))
    };
    if seconds > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_dropbox(text).expect("valid timestamp")
    }

    #[test]
    fn parses_and_formats_the_wire_format() {
        let t = at("2026-12-04T22:59:00Z");
        assert_eq!(to_dropbox(t), "2026-12-04T22:59:00Z");
        assert_eq!(parse_dropbox("2026-12-04T23:59:00+01:00"), Some(t));
        assert_eq!(parse_dropbox("yesterday"), None);
        assert_eq!(parse_dropbox(""), None);
    }

    #[test]
    fn relative_phrases_pick_a_readable_unit() {
        let now = at("2026-11-27T12:00:00Z");
        assert_eq!(relative(at("2026-11-27T12:00:30Z"), now), "just now");
        assert_eq!(relative(at("2026-11-27T12:10:00Z"), now), "in 10 min");
        assert_eq!(relative(at("2026-11-27T10:00:00Z"), now), "2 h ago");
        assert_eq!(relative(at("2026-11-30T12:00:00Z"), now), "in 3 days");
        assert_eq!(relative(at("2026-09-27T12:00:00Z"), now), "2 months ago");
        assert_eq!(relative(at("2029-11-27T12:00:00Z"), now), "in 3 years");
        assert_eq!(
            relative(at("2026-12-04T11:59:00Z"), now),
            "in 7 days",
            "rounded, not floored"
        );
    }

    #[test]
    fn short_and_full_forms_follow_the_zone() {
        let now = at("2026-11-27T12:00:00Z");
        let cet = Zone::Fixed(FixedOffset::east_opt(3_600).expect("valid offset"));
        let t = at("2026-12-04T22:59:00Z");
        assert_eq!(short(t, now, cet), "Fri 4 Dec 23:59");
        assert_eq!(short(t, now, Zone::utc()), "Fri 4 Dec 22:59");
        assert_eq!(
            short(at("2027-01-05T09:00:00Z"), now, Zone::utc()),
            "Tue 5 Jan 2027 09:00"
        );
        assert_eq!(full(t, cet), "Fri 4 Dec 2026 23:59 UTC+01:00");
        assert_eq!(full(t, Zone::utc()), "Fri 4 Dec 2026 22:59 UTC");
    }

    #[test]
    fn the_full_form_names_the_zone_as_the_deadline_preview_does() {
        let now = at("2026-11-27T12:00:00Z");
        let t = at("2026-12-04T22:59:00Z");
        for zone in [Zone::utc(), Zone::Local, Zone::Fixed(offset(-18_000))] {
            let name = zone.abbreviation(t);
            assert!(full(t, zone).ends_with(&format!(" {name}")), "{zone:?}");
            assert!(
                crate::deadline::describe(t, now, zone).contains(&format!(" {name},")),
                "{zone:?}"
            );
        }
    }

    fn naive(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("valid local time")
    }

    fn offset(seconds_east: i32) -> FixedOffset {
        FixedOffset::east_opt(seconds_east).expect("valid offset")
    }

    #[test]
    fn from_local_applies_a_fixed_offset() {
        let wall = naive("2026-12-04 23:59");
        assert_eq!(
            Zone::Fixed(offset(3_600)).from_local(wall),
            Ok(at("2026-12-04T22:59:00Z"))
        );
        assert_eq!(
            Zone::Fixed(offset(-(5 * 3_600 + 1_800))).from_local(wall),
            Ok(at("2026-12-05T05:29:00Z"))
        );
        assert_eq!(Zone::utc().from_local(wall), Ok(at("2026-12-04T23:59:00Z")));
    }

    #[test]
    fn a_repeated_wall_clock_time_takes_the_earlier_instant() {
        // 02:30 on the night central Europe leaves summer time: first CEST, then CET.
        let wall = naive("2026-10-25 02:30");
        let summer = offset(7_200).from_local_datetime(&wall).single();
        let winter = offset(3_600).from_local_datetime(&wall).single();
        let (Some(summer), Some(winter)) = (summer, winter) else {
            panic!("fixed offsets map every wall-clock time");
        };
        let earlier = Ok(at("2026-10-25T00:30:00Z"));
        assert_eq!(
            pick_local_result(LocalResult::Ambiguous(summer, winter), wall),
            earlier
        );
        assert_eq!(
            pick_local_result(LocalResult::Ambiguous(winter, summer), wall),
            earlier
        );
    }

    #[test]
    fn a_skipped_wall_clock_time_is_refused_with_a_sentence() {
        let wall = naive("2026-03-29 02:30");
        let refused = pick_local_result::<FixedOffset>(LocalResult::None, wall);
        assert_eq!(
            refused,
            Err(
                "02:30 on 29 Mar does not exist in this time zone (the clocks go forward); \
                 pick another time."
                    .to_string()
            )
        );
    }

    #[test]
    fn local_zone_resolves_ordinary_times_wherever_the_tests_run() {
        // Noon on a day no zone changes its clocks: it exists everywhere, once.
        let wall = naive("2026-07-15 12:00");
        let resolved = Zone::Local.from_local(wall).expect("noon exists");
        assert_eq!(Zone::Local.localize(resolved).naive_local(), wall);
    }

    #[test]
    fn fixed_zones_are_named_by_their_offset() {
        let t = at("2026-12-04T22:59:00Z");
        assert_eq!(Zone::utc().abbreviation(t), "UTC");
        assert_eq!(Zone::Fixed(offset(3_600)).abbreviation(t), "UTC+01:00");
        assert_eq!(
            Zone::Fixed(offset(-(5 * 3_600 + 1_800))).abbreviation(t),
            "UTC-05:30"
        );
        assert_eq!(Zone::Fixed(offset(20_700)).abbreviation(t), "UTC+05:45");
    }

    #[test]
    fn local_zone_has_a_readable_name_wherever_the_tests_run() {
        let name = Zone::Local.abbreviation(at("2026-12-04T22:59:00Z"));
        assert!(
            is_zone_name(&name) || name.starts_with("UTC"),
            "unexpected zone name {name:?}"
        );
    }

    #[test]
    fn numeric_abbreviations_are_not_names() {
        assert!(is_zone_name("CET"));
        assert!(is_zone_name("ChST"));
        assert!(!is_zone_name("+03"));
        assert!(!is_zone_name("-0530"));
        assert!(!is_zone_name(""));
    }
}
