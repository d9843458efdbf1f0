//! From a request and a class list to what the templates and the mailer need: the
//! placeholder values of one request, and the students to write to (everyone, or only
//! those who have not handed in), with the rows whose address no message can go to set
//! aside and explained. Pure: the TUI and `handin mail` share it.

use std::str::FromStr as _;

use chrono::{DateTime, Utc};
use lettre::Address;
use lettre::message::Mailbox;

use super::{Delivery, Recipient, Values};
use crate::dropbox::FileRequest;
use crate::submissions::{ClassView, Roster};
use crate::time::Zone;

impl Values {
    /// The values of `request`: its deadline written out in `zone`, its course (the
    /// first folder under `courses_root`, else the folder its own folder is in), and
    /// `professor` as the sign-off.
    pub fn for_request(
        request: &FileRequest,
        zone: Zone,
        courses_root: &str,
        professor: &str,
    ) -> Values {
        let (deadline, grace) = match &request.deadline {
            None => ("none".to_string(), String::new()),
            Some(deadline) => (
                match crate::time::parse_dropbox(&deadline.deadline) {
                    Some(at) => written_deadline(at, zone),
                    // Never seen from Dropbox; the raw text still says when.
                    None => deadline.deadline.clone(),
                },
                crate::file_request::grace::sentence(deadline.allow_late_uploads.as_ref()),
            ),
        };
        Values {
            title: request.title.trim().to_string(),
            url: request.url.clone(),
            deadline,
            grace,
            description: request
                .description
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_string(),
            course: request
                .destination
                .as_deref()
                .map(|destination| course_name(destination, courses_root))
                .unwrap_or_default(),
            professor: professor.trim().to_string(),
        }
    }
}

/// "Friday 4 December 2026 at 23:59 CET": nothing for a student to misread, in the
/// professor's zone, named as the rest of handin names it.
pub fn written_deadline(at: DateTime<Utc>, zone: Zone) -> String {
    format!(
        "{} {}",
        zone.localize(at).format("%A %-d %B %Y at %H:%M"),
        zone.abbreviation(at)
    )
}

/// "CS101 Intro" for `/Courses/CS101 Intro/Lab 1`; outside the courses folder, the name
/// of the folder the request's folder is in.
fn course_name(destination: &str, courses_root: &str) -> String {
    if let Some(course) = crate::file_request::course_of(destination, courses_root) {
        return course.rsplit('/').next().unwrap_or_default().to_string();
    }
    let trimmed = destination.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((parent, _)) => parent.rsplit('/').next().unwrap_or_default().to_string(),
        None => String::new(),
    }
}

/// The name in `mail.from` (`Prof. Ada Lovelace <ada@...>` gives `Prof. Ada Lovelace`);
/// `None` for a bare address, when the Dropbox account's name is the next best.
pub fn professor_name(from: Option<&str>) -> Option<String> {
    let mailbox = Mailbox::from_str(from?.trim()).ok()?;
    mailbox
        .name
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
}

/// Whether a message can be addressed to `email`; the error says why not.
pub fn check_address(email: &str) -> Result<Address, String> {
    Address::from_str(email.trim()).map_err(|error| {
        format!(
            "\"{}\" is not an address a message can be sent to ({}); correct it in the class \
             list",
            email.trim(),
            error.to_string().to_lowercase()
        )
    })
}

/// Who a mailing goes to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recipients {
    /// In roster order.
    pub to: Vec<Recipient>,
    /// Roster rows no message can go to, each with [`Delivery::Skipped`] and the reason:
    /// reported with the results, never sent.
    pub skipped: Vec<(Recipient, Delivery)>,
}

/// Every student of `roster`, or with `missing_in` (the request's class view) only those
/// it has reminders for ([`ClassView::to_remind`]): a late file is handed in, and is not
/// reminded.
pub fn recipients(roster: &Roster, missing_in: Option<&ClassView>) -> Recipients {
    let chosen: Vec<usize> = match missing_in {
        None => (0..roster.students.len()).collect(),
        Some(view) => view.to_remind(),
    };
    let mut recipients = Recipients::default();
    for index in chosen {
        let Some(student) = roster.students.get(index) else {
            continue;
        };
        let recipient = Recipient {
            name: student.name.clone(),
            email: student.email.trim().to_string(),
        };
        match check_address(&recipient.email) {
            Ok(_) => recipients.to.push(recipient),
            Err(reason) => recipients
                .skipped
                .push((recipient, Delivery::Skipped(reason))),
        }
    }
    recipients
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dropbox::FileRequestDeadline;
    use crate::dropbox::GracePeriod;
    use crate::submissions::{ClassRow, Standing, Student};
    use chrono::FixedOffset;

    fn request(deadline: Option<FileRequestDeadline>) -> FileRequest {
        let mut request = FileRequest::new(
            "abc".to_string(),
            "https://www.dropbox.com/request/abc".to_string(),
            " Lab 1 ".to_string(),
            "2026-11-01T10:00:00Z".to_string(),
            true,
            0,
        );
        request.destination = Some("/Courses/CS101 Intro/Lab 1".to_string());
        request.deadline = deadline;
        request.description = Some("One PDF, please.\n".to_string());
        request
    }

    #[test]
    fn a_request_gives_its_values_in_the_local_zone() {
        let cet = Zone::Fixed(FixedOffset::east_opt(3_600).expect("offset"));
        let deadline = FileRequestDeadline::new("2026-12-04T22:59:00Z".to_string())
            .with_allow_late_uploads(GracePeriod::OneDay);
        let values = Values::for_request(&request(Some(deadline)), cet, "/Courses", " Ada ");
        assert_eq!(
            values,
            Values {
                title: "Lab 1".to_string(),
                url: "https://www.dropbox.com/request/abc".to_string(),
                deadline: "Friday 4 December 2026 at 23:59 UTC+01:00".to_string(),
                grace: "Late uploads are accepted for 1 day after the deadline.".to_string(),
                description: "One PDF, please.".to_string(),
                course: "CS101 Intro".to_string(),
                professor: "Ada".to_string(),
            }
        );
        let strict = FileRequestDeadline::new("2026-12-04T22:59:00Z".to_string());
        let values = Values::for_request(&request(Some(strict)), Zone::utc(), "/Courses", "Ada");
        assert_eq!(values.deadline, "Friday 4 December 2026 at 22:59 UTC");
        assert_eq!(values.grace, "Late uploads are not accepted.");
        let open = Values::for_request(&request(None), Zone::utc(), "/Courses", "Ada");
        assert_eq!((open.deadline.as_str(), open.grace.as_str()), ("none", ""));
        let elsewhere = Values::for_request(&request(None), Zone::utc(), "/Teaching", "Ada");
        assert_eq!(
            elsewhere.course, "CS101 Intro",
            "the folder above the request's"
        );
    }

    #[test]
    fn the_professor_is_the_name_in_from() {
        assert_eq!(
            professor_name(Some("Prof. Ada Lovelace <ada@example.edu>")).as_deref(),
            Some("Prof. Ada Lovelace")
        );
        assert_eq!(
            professor_name(Some("\"Lovelace, Ada\" <ada@example.edu>")).as_deref(),
            Some("Lovelace, Ada")
        );
        assert_eq!(professor_name(Some("ada@example.edu")), None);
        assert_eq!(professor_name(None), None);
    }

    fn roster() -> Roster {
        let student = |name: &str, email: &str| Student {
            name: name.to_string(),
            email: email.to_string(),
            id: None,
        };
        Roster {
            students: vec![
                student("Ada Lovelace", "ada@example.edu"),
                student("José Müller", "jose..muller@example.edu"),
                student("Grace Hopper", "grace@example.edu"),
                student("Alan Turing", "alan@example.edu"),
            ],
        }
    }

    #[test]
    fn everyone_or_only_the_missing_and_bad_addresses_are_set_aside() {
        let all = recipients(&roster(), None);
        let emails: Vec<&str> = all.to.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(
            emails,
            ["ada@example.edu", "grace@example.edu", "alan@example.edu"]
        );
        assert_eq!(all.skipped.len(), 1);
        let (skipped, delivery) = &all.skipped[0];
        assert_eq!(skipped.name, "José Müller");
        let Delivery::Skipped(reason) = delivery else {
            panic!("not skipped: {delivery:?}");
        };
        assert!(
            reason.starts_with("\"jose..muller@example.edu\" is not an address"),
            "{reason}"
        );
        assert!(reason.ends_with("correct it in the class list"), "{reason}");

        let row = |student, standing| ClassRow {
            student,
            standing,
            files: Vec::new(),
            latest: None,
        };
        let view = ClassView {
            rows: vec![
                row(0, Standing::Submitted),
                row(1, Standing::Missing),
                row(
                    2,
                    Standing::Late {
                        by: chrono::Duration::hours(1),
                        within_grace: true,
                    },
                ),
                row(3, Standing::Missing),
            ],
            ..ClassView::default()
        };
        let missing = recipients(&roster(), Some(&view));
        let emails: Vec<&str> = missing.to.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["alan@example.edu"]);
        assert_eq!(
            missing.skipped.len(),
            1,
            "the missing student with a bad address"
        );
    }
}
