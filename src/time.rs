//! Time as the professor reads it: Dropbox's UTC timestamps shown in the local zone,
//! with a relative phrase ("in 3 days", "2 h ago").
//!
//! The zone is a value rather than a global so that views render identically in tests
//! whatever the machine's `TZ` says.

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, Offset, TimeZone, Utc};

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

/// `Fri 4 Dec 2026 23:59 UTC+01:00`: the detail pane's full form.
pub fn full(at: DateTime<Utc>, zone: Zone) -> String {
    let local = zone.localize(at);
    let offset = local.offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "{} UTC{}{:02}:{:02}",
        local.format("%a %-d %b %Y %H:%M"),
        sign,
        offset / 3600,
        (offset % 3600) / 60
    )
}

/// "in 3 days", "2 h ago", "just now": the coarsest unit that still says something.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds();
    let magnitude = seconds.unsigned_abs();
    if magnitude < 60 {
        return "just now".to_string();
    }
    let amount = if magnitude < 3_600 {
        format!("{} min", magnitude / 60)
    } else if magnitude < 48 * 3_600 {
        format!("{} h", magnitude / 3_600)
    } else if magnitude < 60 * 86_400 {
        format!("{} days", magnitude / 86_400)
    } else if magnitude < 730 * 86_400 {
        format!("{} months", magnitude / (30 * 86_400))
    } else {
        format!("{} years", magnitude / (365 * 86_400))
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
    }
}
