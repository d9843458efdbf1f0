//! Whether a file came in before the request's deadline, and if not, by how much and
//! whether the grace period covered it.
//!
//! Everything here is an instant in UTC: a deadline typed in the professor's zone was
//! turned into one when the request was made, and Dropbox stamps uploads in UTC, so
//! daylight-saving changes cannot shift a result.

use chrono::{DateTime, Duration, Utc};

use crate::dropbox::GracePeriod;
use crate::file_request::grace::{self, GraceLength};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lateness {
    /// The request has no deadline, so nothing is late.
    NoDeadline,
    /// At or before the deadline.
    OnTime,
    /// After the deadline by `by`. `within_grace` says whether the request's grace period
    /// covers it; a file can be beyond it when the deadline was moved after the upload,
    /// and with no grace period every late file is beyond it.
    Late { by: Duration, within_grace: bool },
}

/// `received` (the file's `server_modified`) against the deadline and grace period
/// (`None`: no grace, the request closes at the deadline). Exactly at the deadline is on
/// time and one second after is late; likewise a file exactly at the end of the grace
/// period is within it.
pub fn lateness(
    received: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
    grace: Option<&GracePeriod>,
) -> Lateness {
    let Some(deadline) = deadline else {
        return Lateness::NoDeadline;
    };
    if received <= deadline {
        return Lateness::OnTime;
    }
    let by = received - deadline;
    Lateness::Late {
        by,
        within_grace: grace::covers(grace, by),
    }
}

/// The status column: "on time", "late 40 min (in grace)", "late 2 days (beyond grace)",
/// and nothing for a request without a deadline.
pub fn describe(lateness: &Lateness) -> String {
    match *lateness {
        Lateness::NoDeadline => String::new(),
        Lateness::OnTime => "on time".to_string(),
        Lateness::Late { by, within_grace } => {
            let side = if within_grace { "in" } else { "beyond" };
            format!("late {} ({side} grace)", describe_duration(by))
        }
    }
}

/// As [`describe`], without the grace remark when the request's grace period makes it
/// say nothing: with none every late file is beyond it, with `always` every late file is
/// in it, so "late 3 h" says it all. Under a grace period handin does not know, the
/// remark says so rather than "beyond grace".
pub fn describe_under(lateness: &Lateness, grace: Option<&GracePeriod>) -> String {
    let Lateness::Late { by, .. } = lateness else {
        return describe(lateness);
    };
    match grace::length(grace) {
        GraceLength::Unlimited => format!("late {}", describe_duration(*by)),
        GraceLength::Limited(length) if length.is_zero() => {
            format!("late {}", describe_duration(*by))
        }
        GraceLength::Unknown => format!("late {} (grace unknown)", describe_duration(*by)),
        GraceLength::Limited(_) => describe(lateness),
    }
}

/// One unit, rounded down, never zero: "1 s", "40 min", "3 h", "2 days". Hours run to 48
/// so that "1 day" never hides most of a second one.
pub fn describe_duration(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(1);
    match seconds {
        ..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        3_600..172_800 => format!("{} h", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};

    use super::*;
    use crate::time::parse_dropbox;

    fn at(text: &str) -> DateTime<Utc> {
        parse_dropbox(text).expect("valid timestamp")
    }

    fn deadline() -> Option<DateTime<Utc>> {
        Some(at("2026-12-04T22:59:00Z"))
    }

    fn late(by: Duration, within_grace: bool) -> Lateness {
        Lateness::Late { by, within_grace }
    }

    #[test]
    fn no_deadline_means_no_lateness() {
        let received = at("2030-01-01T00:00:00Z");
        assert_eq!(lateness(received, None, None), Lateness::NoDeadline);
        assert_eq!(
            lateness(received, None, Some(&GracePeriod::OneDay)),
            Lateness::NoDeadline
        );
        assert_eq!(describe(&Lateness::NoDeadline), "");
    }

    #[test]
    fn exactly_at_the_deadline_is_on_time_and_one_second_after_is_late() {
        let d = deadline().expect("deadline");
        let second = Duration::seconds(1);
        assert_eq!(lateness(d - second, deadline(), None), Lateness::OnTime);
        assert_eq!(lateness(d, deadline(), None), Lateness::OnTime);
        assert_eq!(lateness(d + second, deadline(), None), late(second, false));
        assert_eq!(
            lateness(d + second, deadline(), Some(&GracePeriod::OneDay)),
            late(second, true)
        );
        // Sub-second precision does not reach Dropbox's wire format, but an instant a
        // nanosecond after is still after.
        let nano = Duration::nanoseconds(1);
        assert!(matches!(
            lateness(d + nano, deadline(), None),
            Lateness::Late { .. }
        ));
    }

    #[test]
    fn each_grace_period_ends_inclusively() {
        let d = deadline().expect("deadline");
        let second = Duration::seconds(1);
        for (grace, length) in [
            (GracePeriod::OneDay, Duration::days(1)),
            (GracePeriod::TwoDays, Duration::days(2)),
            (GracePeriod::SevenDays, Duration::days(7)),
            (GracePeriod::ThirtyDays, Duration::days(30)),
        ] {
            assert_eq!(
                lateness(d + length, deadline(), Some(&grace)),
                late(length, true),
                "{grace:?} at its end"
            );
            assert_eq!(
                lateness(d + length + second, deadline(), Some(&grace)),
                late(length + second, false),
                "{grace:?} one second after its end"
            );
        }
        let years = Duration::days(3_650);
        assert_eq!(
            lateness(d + years, deadline(), Some(&GracePeriod::Always)),
            late(years, true)
        );
        assert_eq!(
            lateness(d + second, deadline(), Some(&GracePeriod::Other)),
            late(second, false),
            "an unknown grace period is not assumed to cover anything"
        );
    }

    #[test]
    fn only_what_the_function_sees_counts_when_a_deadline_moves() {
        // Uploaded within the old grace period (deadline 1 Dec, one day of grace), then the
        // professor moved the deadline to 4 Dec: the file is on time against the new one...
        let received = at("2026-12-02T10:00:00Z");
        assert_eq!(
            lateness(received, deadline(), Some(&GracePeriod::OneDay)),
            Lateness::OnTime
        );
        // ...and a file received after the old grace ended, judged against a deadline moved
        // earlier to 30 Nov, is beyond the grace it would have had.
        let moved_earlier = Some(at("2026-11-30T22:59:00Z"));
        assert_eq!(
            lateness(received, moved_earlier, Some(&GracePeriod::OneDay)),
            late(Duration::hours(35) + Duration::minutes(1), false)
        );
    }

    #[test]
    fn lateness_is_measured_between_instants_across_a_dst_change() {
        // Europe/Berlin springs forward on Sunday 29 March 2026 at 02:00 (+01:00 -> +02:00).
        // A deadline of 01:30 before the change and an upload at 03:30 after it are two
        // wall-clock hours apart but one real hour.
        let cet = FixedOffset::east_opt(3_600).expect("offset");
        let cest = FixedOffset::east_opt(7_200).expect("offset");
        let deadline = cet
            .with_ymd_and_hms(2026, 3, 29, 1, 30, 0)
            .single()
            .expect("valid time")
            .with_timezone(&Utc);
        let received = cest
            .with_ymd_and_hms(2026, 3, 29, 3, 30, 0)
            .single()
            .expect("valid time")
            .with_timezone(&Utc);
        assert_eq!(
            lateness(received, Some(deadline), None),
            late(Duration::hours(1), false)
        );
        // And in autumn (25 October, +02:00 -> +01:00) 02:30 happens twice: 02:30 CET is an
        // hour after 02:30 CEST.
        let deadline = cest
            .with_ymd_and_hms(2026, 10, 25, 2, 30, 0)
            .single()
            .expect("valid time")
            .with_timezone(&Utc);
        let received = cet
            .with_ymd_and_hms(2026, 10, 25, 2, 30, 0)
            .single()
            .expect("valid time")
            .with_timezone(&Utc);
        assert_eq!(
            lateness(received, Some(deadline), Some(&GracePeriod::OneDay)),
            late(Duration::hours(1), true)
        );
    }

    #[test]
    fn descriptions() {
        let cases = [
            (Lateness::OnTime, "on time"),
            (late(Duration::seconds(1), false), "late 1 s (beyond grace)"),
            (late(Duration::seconds(59), true), "late 59 s (in grace)"),
            (late(Duration::minutes(40), true), "late 40 min (in grace)"),
            (late(Duration::minutes(90), true), "late 1 h (in grace)"),
            (late(Duration::hours(3), true), "late 3 h (in grace)"),
            (late(Duration::hours(47), false), "late 47 h (beyond grace)"),
            (late(Duration::days(2), false), "late 2 days (beyond grace)"),
            (late(Duration::days(30), true), "late 30 days (in grace)"),
            (
                late(Duration::nanoseconds(5), false),
                "late 1 s (beyond grace)",
            ),
        ];
        for (lateness, expected) in cases {
            assert_eq!(describe(&lateness), expected, "{lateness:?}");
        }
    }

    #[test]
    fn the_grace_remark_is_left_out_when_the_request_makes_it_say_nothing() {
        let three_hours = late(Duration::hours(3), false);
        assert_eq!(describe_under(&three_hours, None), "late 3 h");
        let in_grace = late(Duration::hours(3), true);
        assert_eq!(
            describe_under(&in_grace, Some(&GracePeriod::Always)),
            "late 3 h"
        );
        assert_eq!(
            describe_under(&in_grace, Some(&GracePeriod::OneDay)),
            "late 3 h (in grace)"
        );
        assert_eq!(
            describe_under(&three_hours, Some(&GracePeriod::OneDay)),
            "late 3 h (beyond grace)"
        );
        assert_eq!(describe_under(&Lateness::OnTime, None), "on time");
        // Not "beyond grace": handin cannot tell, and says so.
        assert_eq!(
            describe_under(&three_hours, Some(&GracePeriod::Other)),
            "late 3 h (grace unknown)"
        );
    }
}
