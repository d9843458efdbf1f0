//! What was sent to whom and when, per request, in `mail-log.json` in the data folder.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Kind;

/// The file's name in the data folder.
pub const FILE_NAME: &str = "mail-log.json";

/// Sendings shown in a request's summary; earlier ones are summed up as "…".
const SUMMARY_SENDINGS: usize = 4;

/// One sending: the kind, when, and the addresses that took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub kind: Kind,
    pub at: DateTime<Utc>,
    pub to: Vec<String>,
}

/// Every sending of every request, by request id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MailLog {
    pub requests: BTreeMap<String, Vec<Sent>>,
}

impl MailLog {
    /// Reads the file; one that is not there yet is an empty log. A damaged file is an
    /// error naming it (never silently replaced).
    pub fn load(path: &Path) -> Result<MailLog, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(MailLog::default());
            }
            Err(error) => {
                return Err(format!(
                    "The mail log {} could not be read ({error}); check that it is yours and \
                     readable.",
                    path.display()
                ));
            }
        };
        if text.trim().is_empty() {
            return Ok(MailLog::default());
        }
        serde_json::from_str(&text).map_err(|error| {
            format!(
                "The mail log {} is damaged ({error}); move it aside and handin starts a new \
                 one (what it recorded is then no longer shown).",
                path.display()
            )
        })
    }

    /// Writes atomically (temporary file, then rename), 0600 in a 0700 folder: it names
    /// the students and their addresses.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let unwritable = |error: std::io::Error| {
            format!(
                "The mail log {} could not be written ({error}); make sure its folder is \
                 writable, or choose another with --data-dir.",
                path.display()
            )
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|error| error.to_string())?;
        text.push('\n');
        crate::fs::write_private_atomically(path, text.as_bytes()).map_err(unwritable)
    }

    /// Records a sending (only the addresses that took it; none, nothing recorded).
    pub fn record(&mut self, request_id: &str, sent: Sent) {
        if sent.to.is_empty() {
            return;
        }
        self.requests
            .entry(request_id.to_string())
            .or_default()
            .push(sent);
    }

    /// "invited 38 on 2 Dec, reminded 5 on 6 Dec" for the request's detail, local time;
    /// `None` when nothing was sent. Sendings of one kind on one day count as one (a
    /// retry of the failed ones adds to its sending), each student once.
    pub fn summary(&self, request_id: &str, zone: crate::time::Zone) -> Option<String> {
        let sendings = self.requests.get(request_id)?;
        let mut sorted: Vec<&Sent> = sendings.iter().collect();
        sorted.sort_by_key(|sent| sent.at);
        // (kind, local day, addresses) in time order.
        let mut days: Vec<(Kind, chrono::NaiveDate, HashSet<String>)> = Vec::new();
        for sent in sorted {
            let day = zone.localize(sent.at).date_naive();
            let addresses = sent.to.iter().map(|address| address.to_lowercase());
            match days.last_mut() {
                Some((kind, last_day, seen)) if *kind == sent.kind && *last_day == day => {
                    seen.extend(addresses);
                }
                _ => days.push((sent.kind, day, addresses.collect())),
            }
        }
        if days.is_empty() {
            return None;
        }
        let left_out = days.len().saturating_sub(SUMMARY_SENDINGS);
        let parts: Vec<String> = days[left_out..]
            .iter()
            .map(|(kind, day, addresses)| {
                format!(
                    "{} {} on {}",
                    kind.past(),
                    addresses.len(),
                    day.format("%-d %b")
                )
            })
            .collect();
        let summary = parts.join(", ");
        Some(if left_out > 0 {
            format!("…, {summary}")
        } else {
            summary
        })
    }

    /// The addresses already sent `kind` for this request (to warn before a second one).
    pub fn already(&self, request_id: &str, kind: Kind) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.requests
            .get(request_id)
            .into_iter()
            .flatten()
            .filter(|sent| sent.kind == kind)
            .flat_map(|sent| sent.to.iter())
            .filter(|address| seen.insert(address.to_lowercase()))
            .map(String::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Zone;

    fn at(text: &str) -> DateTime<Utc> {
        crate::time::parse_dropbox(text).expect("timestamp")
    }

    fn sent(kind: Kind, when: &str, to: &[&str]) -> Sent {
        Sent {
            kind,
            at: at(when),
            to: to.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_summary_counts_students_per_kind_and_day() {
        let mut log = MailLog::default();
        assert_eq!(log.summary("r1", Zone::utc()), None);
        log.record(
            "r1",
            sent(
                Kind::Invite,
                "2026-12-02T09:00:00Z",
                &["a@x.edu", "b@x.edu"],
            ),
        );
        // A retry of the one that failed, the same day: the same sending.
        log.record(
            "r1",
            sent(Kind::Invite, "2026-12-02T09:30:00Z", &["c@x.edu"]),
        );
        log.record(
            "r1",
            sent(Kind::Remind, "2026-12-06T18:00:00Z", &["c@x.edu"]),
        );
        log.record("r1", sent(Kind::Remind, "2026-12-06T19:00:00Z", &[]));
        log.record(
            "r2",
            sent(Kind::Invite, "2026-12-03T09:00:00Z", &["a@x.edu"]),
        );
        assert_eq!(
            log.summary("r1", Zone::utc()).as_deref(),
            Some("invited 3 on 2 Dec, reminded 1 on 6 Dec")
        );
        assert_eq!(
            log.requests["r1"].len(),
            3,
            "an empty sending is not recorded"
        );
        assert_eq!(
            log.already("r1", Kind::Invite),
            ["a@x.edu", "b@x.edu", "c@x.edu"]
        );
        assert_eq!(log.already("r1", Kind::Remind), ["c@x.edu"]);
        assert!(log.already("r3", Kind::Invite).is_empty());
        // Local days: 23:30 UTC on the 6th is the 7th an hour east.
        let cet = Zone::Fixed(chrono::FixedOffset::east_opt(3_600).expect("offset"));
        log.record(
            "r2",
            sent(Kind::Remind, "2026-12-06T23:30:00Z", &["a@x.edu"]),
        );
        assert_eq!(
            log.summary("r2", cet).as_deref(),
            Some("invited 1 on 3 Dec, reminded 1 on 7 Dec")
        );
    }

    #[test]
    fn a_long_history_shows_its_latest_sendings() {
        let mut log = MailLog::default();
        for day in 1..=6 {
            let kind = if day == 1 { Kind::Invite } else { Kind::Remind };
            log.record(
                "r",
                sent(kind, &format!("2026-12-0{day}T09:00:00Z"), &["a@x.edu"]),
            );
        }
        assert_eq!(
            log.summary("r", Zone::utc()).as_deref(),
            Some(
                "…, reminded 1 on 3 Dec, reminded 1 on 4 Dec, reminded 1 on 5 Dec, reminded 1 on 6 Dec"
            )
        );
    }

    #[test]
    fn the_file_round_trips_and_a_damaged_one_is_refused() {
        // SAFETY: umask only changes the mode of files created afterwards; 022 is the
        // usual one, under which a file made with default permissions is 0644.
        unsafe { libc::umask(0o022) };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data").join(FILE_NAME);
        assert_eq!(MailLog::load(&path).expect("absent"), MailLog::default());
        let mut log = MailLog::default();
        log.record(
            "r1",
            sent(Kind::Invite, "2026-12-02T09:00:00Z", &["a@x.edu"]),
        );
        log.save(&path).expect("saved");
        use std::os::unix::fs::PermissionsExt as _;
        let mode =
            |path: &Path| std::fs::metadata(path).expect("mode").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "the students' addresses are private");
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        assert_eq!(MailLog::load(&path).expect("loads"), log);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"kind\": \"invite\""), "{text}");
        std::fs::write(&path, "{ not json").expect("write");
        let message = MailLog::load(&path).expect_err("damaged");
        assert!(message.contains("is damaged"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
}
