//! The demo account: one university term of three courses, their file
//! requests and a few hundred student uploads, placed relative to "now" so
//! that deadlines are always a mix of past, near and future.
//!
//! Everything random comes from a fixed seed: two demo accounts built at the
//! same instant are identical.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use dropbox_sdk::file_requests::{
    CreateFileRequestArgs, FileRequestDeadline, GracePeriod, UpdateFileRequestArgs,
};
use dropbox_sdk::users_common::AccountType;

use super::Submission;
use super::file_requests::uploads_close_at;
use super::state::Store;
use super::wire;

const DEMO_SEED: u64 = 0x2024_0902;

/// Given name, family name.
pub(crate) const STUDENTS: &[(&str, &str)] = &[
    ("Zoë", "Müller"),
    ("Jean-Luc", "Moreau"),
    ("Siobhán", "O'Connor"),
    ("Łukasz", "Wiśniewski"),
    ("Ana María", "Gutiérrez"),
    ("Lan", "Nguyễn"),
    ("Björn", "Åkesson"),
    ("Chloé", "Dubois"),
    ("Mateus", "Conceição"),
    ("Aoife", "Ní Bhriain"),
    ("Oluwaseun", "Adébáyọ̀"),
    ("Priya", "Raghunathan"),
    ("Mehmet", "Yılmaz"),
    ("Søren", "Lindgaard"),
    ("François", "Lefèvre"),
    ("Dmitri", "Volkov"),
    ("Aigerim", "Sadykova"),
    ("Kwame", "Mensah"),
    ("Hannah", "Schröder"),
    ("D'Arcy", "McAllister"),
    ("Marie-Claire", "Fontaine"),
    ("José Ángel", "Ruiz"),
    ("Eleni", "Papadopoulou"),
    ("Yuki", "Tanaka"),
    ("Mei-Ling", "Chen"),
    ("Tomás", "Herrera"),
    ("Fatima Zahra", "El Amrani"),
    ("Ingrid", "Halvorsen"),
    ("Raphaël", "Bénard"),
    ("Noor", "Al-Hassan"),
    ("Wiktoria", "Kowalczyk"),
    ("Chidi", "Okonkwo"),
    ("Isabella", "Rossi"),
    ("Liam", "O'Sullivan"),
    ("Amélie", "Girard"),
    ("Jakub", "Dvořák"),
    ("Haruto", "Satō"),
    ("Ximena", "Castillo"),
    ("Pieter", "van der Berg"),
    ("Gráinne", "Kavanagh"),
    ("Rahul", "Deshpande"),
    ("Camille", "Laurent"),
];

const COURSES: &[&str] = &[
    "/Courses/CS101 Intro to Programming",
    "/Courses/MATH210 Linear Algebra",
    "/Courses/PHYS150 Mechanics",
];

/// Names phones and scanners give files, uploaded by people who skipped the
/// name field.
const UNNAMED_UPLOADS: &[&str] = &[
    "IMG_2041.jpg",
    "IMG_2187.JPG",
    "scan0001.pdf",
    "Document.pdf",
    "Untitled.pdf",
    "CamScanner 11-03-2024 21.14.pdf",
];

/// What arrivals are called when the demo keeps receiving files.
const ARRIVAL_NAMES: &[&str] = &[
    "submission.pdf",
    "homework.pdf",
    "final.pdf",
    "answers.pdf",
    "report.pdf",
    "solutions v2.pdf",
];

struct Assignment {
    course: usize,
    title: &'static str,
    description: Option<&'static str>,
    created_days_ago: i64,
    /// Days from today (negative: past) and the grace period.
    deadline: Option<(i64, Option<GracePeriod>)>,
    open: bool,
    /// The destination folder was deleted after the request closed.
    folder_removed: bool,
    /// Names students give their files.
    files: &'static [&'static str],
}

/// In creation order, so that `list` pages come out oldest first.
const ASSIGNMENTS: &[Assignment] = &[
    Assignment {
        course: 2,
        title: "Lab 0 – Safety Quiz",
        description: None,
        created_days_ago: 50,
        deadline: Some((-44, None)),
        open: false,
        folder_removed: true,
        files: &["safety_quiz.pdf", "quiz.pdf", "Lab0.pdf"],
    },
    Assignment {
        course: 0,
        title: "Homework 1 – Variables and Types",
        description: Some("One PDF with your answers; code goes in an appendix."),
        created_days_ago: 42,
        deadline: Some((-35, None)),
        open: false,
        folder_removed: false,
        files: &[
            "hw1.pdf",
            "HW1.pdf",
            "homework1.pdf",
            "hw1_final.pdf",
            "main.py",
        ],
    },
    Assignment {
        course: 1,
        title: "Problem Set 1",
        description: None,
        created_days_ago: 40,
        deadline: Some((-26, Some(GracePeriod::ThirtyDays))),
        open: true,
        folder_removed: false,
        files: &["ps1.pdf", "PS1.pdf", "problem_set_1.pdf", "ps1_scan.pdf"],
    },
    Assignment {
        course: 0,
        title: "Homework 2 – Control Flow",
        description: None,
        created_days_ago: 35,
        deadline: Some((-21, Some(GracePeriod::OneDay))),
        open: false,
        folder_removed: false,
        files: &["hw2.pdf", "HW2 solutions.pdf", "homework2.pdf", "loops.py"],
    },
    Assignment {
        course: 2,
        title: "Lab Report 1 – Pendulum",
        description: Some("Include raw data tables and an error analysis."),
        created_days_ago: 30,
        deadline: Some((-16, None)),
        open: false,
        folder_removed: false,
        files: &["lab1.pdf", "Lab Report 1.pdf", "pendulum_report.pdf"],
    },
    Assignment {
        course: 1,
        title: "Problem Set 2",
        description: None,
        created_days_ago: 26,
        deadline: Some((-5, Some(GracePeriod::SevenDays))),
        open: true,
        folder_removed: false,
        files: &["ps2.pdf", "PS2 answers.pdf", "ps2.tex"],
    },
    Assignment {
        course: 0,
        title: "Homework 3 – Functions",
        description: Some("Late uploads are accepted for two days at 10% off per day."),
        created_days_ago: 21,
        deadline: Some((-1, Some(GracePeriod::TwoDays))),
        open: true,
        folder_removed: false,
        files: &["hw3.pdf", "Homework 3.pdf", "functions.py", "hw3-v2.pdf"],
    },
    Assignment {
        course: 1,
        title: "Midterm Corrections",
        description: Some("Optional: corrected midterm for up to half the lost points."),
        created_days_ago: 16,
        deadline: None,
        open: true,
        folder_removed: false,
        files: &["corrections.pdf", "midterm_corrections.pdf"],
    },
    Assignment {
        course: 2,
        title: "Lab Report 2 – Projectile Motion",
        description: None,
        created_days_ago: 16,
        deadline: Some((-2, Some(GracePeriod::OneDay))),
        open: true,
        folder_removed: false,
        files: &["lab2.pdf", "Lab2_report.pdf", "projectile.pdf"],
    },
    Assignment {
        course: 0,
        title: "Project Proposal",
        description: Some("One page: the problem, the plan, and who is in your group."),
        created_days_ago: 14,
        deadline: Some((6, Some(GracePeriod::SevenDays))),
        open: true,
        folder_removed: false,
        files: &["proposal.pdf", "Project Proposal.docx", "proposal_v2.pdf"],
    },
    Assignment {
        course: 0,
        title: "Final Project",
        description: None,
        created_days_ago: 7,
        deadline: Some((28, Some(GracePeriod::Always))),
        open: true,
        folder_removed: false,
        files: &["final_project.zip", "report.pdf", "Final Report.pdf"],
    },
    Assignment {
        course: 1,
        title: "Problem Set 3",
        description: None,
        created_days_ago: 5,
        deadline: Some((2, None)),
        open: true,
        folder_removed: false,
        files: &["ps3.pdf", "PS3.pdf"],
    },
    Assignment {
        course: 2,
        title: "Lab Report 3 – Friction",
        description: Some("Groups of two: both names in the file, one upload per group."),
        created_days_ago: 2,
        deadline: Some((12, Some(GracePeriod::TwoDays))),
        open: true,
        folder_removed: false,
        files: &["lab3.pdf", "friction.pdf"],
    },
];

/// Fills an empty store with the demo term.
pub(crate) fn demo(store: &mut Store, now: DateTime<Utc>) {
    let mut rng = fastrand::Rng::with_seed(DEMO_SEED);
    let now = wire::whole_seconds(now);
    let today = now.date_naive();
    let day_at = |offset: i64, hour: u32, minute: u32| {
        let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time of day");
        (today + Duration::days(offset)).and_time(time).and_utc()
    };

    // Deadlines need a paid account; a demo started as Basic keeps the ones
    // set "before the downgrade".
    let account_type = std::mem::replace(&mut store.account_type, AccountType::Pro);
    for (index, assignment) in ASSIGNMENTS.iter().enumerate() {
        let created = day_at(
            -assignment.created_days_ago,
            8 + (index % 5) as u32,
            7 * index as u32 % 60,
        );
        let mut args = CreateFileRequestArgs::new(
            assignment.title.to_owned(),
            format!("{}/{}", COURSES[assignment.course], assignment.title),
        );
        let deadline = assignment.deadline.as_ref().map(|(offset, grace)| {
            let deadline =
                FileRequestDeadline::new(wire::format_timestamp(day_at(*offset, 23, 59)));
            match grace {
                Some(grace) => deadline.with_allow_late_uploads(grace.clone()),
                None => deadline,
            }
        });
        if let Some(deadline) = &deadline {
            args = args.with_deadline(deadline.clone());
        }
        if let Some(description) = assignment.description {
            args = args.with_description(description.to_owned());
        }
        let request = store
            .create_file_request(&args, created)
            .expect("demo file requests are valid");

        let due = deadline
            .as_ref()
            .and_then(|deadline| wire::parse_timestamp(&deadline.deadline));
        let closes = deadline.as_ref().and_then(uploads_close_at);
        for (student, (given, family)) in STUDENTS.iter().enumerate() {
            // Each course has about two thirds of the students.
            if (student + assignment.course) % 3 == 0 {
                continue;
            }
            let Some(at) = upload_time(&mut rng, created, due, closes, now) else {
                continue;
            };
            let original = assignment.files[rng.usize(..assignment.files.len())];
            let (student_name, file_name) = match rng.u32(..100) {
                0..=3 => (None, UNNAMED_UPLOADS[rng.usize(..UNNAMED_UPLOADS.len())]),
                4..=9 => (Some(format!("{given} {family}").to_lowercase()), original),
                10..=15 => (Some(format!("{family} {given}")), original),
                _ => (Some(format!("{given} {family}")), original),
            };
            let mut submission = Submission {
                request_id: request.id.clone(),
                student_name,
                file_name: file_name.to_owned(),
                content: document_bytes(file_name, rng.usize(300..4000), &mut rng),
                at: Some(at),
            };
            store
                .receive_submission(&submission, now)
                .expect("demo uploads fall inside their request's window");
            // Some upload again a little later: Dropbox keeps both copies.
            if rng.u32(..100) < 8 {
                let again = at + Duration::minutes(rng.i64(3..90));
                if again <= now && closes.is_none_or(|closes| again <= closes) {
                    submission.at = Some(again);
                    submission.content = document_bytes(file_name, rng.usize(300..4000), &mut rng);
                    store
                        .receive_submission(&submission, now)
                        .expect("demo uploads fall inside their request's window");
                }
            }
        }

        if !assignment.open {
            store
                .update_file_request(
                    &UpdateFileRequestArgs::new(request.id.clone()).with_open(false),
                )
                .expect("the request was just created");
        }
        if assignment.folder_removed {
            let version = store.next_version();
            let folder =
                format!("{}/{}", COURSES[assignment.course], assignment.title).to_lowercase();
            store.remove_subtree(&folder, version);
        }
    }
    store.account_type = account_type;
    store.forget_history();
}

/// When one student uploads, or `None` if they have not (yet). Most work
/// arrives in the last days before the deadline; where a grace period
/// allows, some arrives late.
fn upload_time(
    rng: &mut fastrand::Rng,
    created: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let start = created + Duration::hours(2);
    let latest = now - Duration::minutes(5);
    let Some(due) = due else {
        // No deadline: a steady trickle, about half the class so far.
        if rng.u32(..100) >= 50 || latest <= start {
            return None;
        }
        return Some(start + (latest - start) * (rng.u32(..1000) as i32) / 1000);
    };
    // Still open: the share who already uploaded grows towards the deadline.
    let elapsed = ((latest - start).num_seconds() as f64 / (due - start).num_seconds() as f64)
        .clamp(0.0, 1.0);
    let submitting = 0.2 + 0.65 * elapsed;
    if rng.f64() >= submitting {
        return None;
    }
    let grace_end = closes.map_or(latest, |closes| closes.min(latest));
    if due < grace_end && rng.u32(..100) < 15 {
        let window = (grace_end - due).num_seconds().max(1);
        return Some(due + Duration::seconds(rng.i64(1..=window)));
    }
    let end = due.min(latest);
    if end <= start {
        return None;
    }
    // Squaring pulls the times towards the end of the window.
    let early = rng.f64().powi(2);
    let before_end = Duration::seconds(((end - start).num_seconds() as f64 * early) as i64);
    Some(end - before_end)
}

/// Bytes that look like a file of this name's type, `size` long.
pub(crate) fn document_bytes(file_name: &str, size: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    let (header, text): (&[u8], bool) = match extension.as_str() {
        "pdf" => (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
            true,
        ),
        "jpg" | "jpeg" => (
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00",
            false,
        ),
        "png" => (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", false),
        "docx" | "zip" => (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", false),
        "py" => (
            b"#!/usr/bin/env python3\n\"\"\"Homework solution.\"\"\"\n\n",
            true,
        ),
        "tex" => (b"\\documentclass{article}\n\\begin{document}\n", true),
        _ => (b"", false),
    };
    const WORDS: &[&str] = &[
        "vector", "matrix", "velocity", "loop", "function", "proof", "hence", "we", "show", "that",
        "the", "result", "follows", "energy", "error", "value", "let", "assume",
    ];
    let mut bytes = header[..header.len().min(size)].to_vec();
    while bytes.len() < size {
        if text {
            bytes.extend_from_slice(WORDS[rng.usize(..WORDS.len())].as_bytes());
            bytes.push(if rng.u32(..10) == 0 { b'\n' } else { b' ' });
        } else {
            bytes.push(rng.u8(..));
        }
    }
    bytes.truncate(size);
    bytes
}

/// A plausible new upload for the demo's arrivals: a random student to a
/// random request that still accepts files now.
pub(crate) fn arrival(
    store: &Store,
    rng: &mut fastrand::Rng,
    now: DateTime<Utc>,
) -> Option<Submission> {
    let accepting: Vec<&str> = store
        .requests
        .iter()
        .filter(|request| request.is_open)
        .filter(|request| {
            store
                .entry(&request.destination_lower)
                .is_some_and(|folder| folder.id == request.folder_id)
        })
        .filter(|request| {
            request
                .deadline
                .as_ref()
                .and_then(uploads_close_at)
                .is_none_or(|closes| now <= closes)
        })
        .map(|request| request.id.as_str())
        .collect();
    if accepting.is_empty() {
        return None;
    }
    // Half the arrivals go to the request created last (the one the professor just
    // made, in a demo), so a new request visibly starts receiving files.
    let newest = store
        .requests
        .iter()
        .filter(|request| accepting.contains(&request.id.as_str()))
        .max_by_key(|request| request.created)
        .map(|request| request.id.as_str());
    let request_id = match newest {
        Some(newest) if rng.bool() => newest,
        _ => accepting[rng.usize(..accepting.len())],
    };
    let (given, family) = STUDENTS[rng.usize(..STUDENTS.len())];
    let file_name = ARRIVAL_NAMES[rng.usize(..ARRIVAL_NAMES.len())];
    Some(Submission {
        request_id: request_id.to_owned(),
        student_name: Some(format!("{given} {family}")),
        file_name: file_name.to_owned(),
        content: document_bytes(file_name, rng.usize(200..900), rng),
        at: Some(now),
    })
}

/// The demo courses' class lists as roster CSV (`name,email`), by course folder: every
/// student enrolled in the course, whether or not they uploaded, so the class view has
/// people missing as a real one would.
pub fn demo_rosters() -> Vec<(String, String)> {
    COURSES
        .iter()
        .enumerate()
        .map(|(course, folder)| {
            let mut csv = String::from("name,email\n");
            for (student, (given, family)) in STUDENTS.iter().enumerate() {
                // The same enrolment rule as the uploads above.
                if (student + course) % 3 == 0 {
                    continue;
                }
                let mailbox: String = format!("{given}.{family}")
                    .chars()
                    .filter_map(|c| match c {
                        ' ' | '\'' => None,
                        c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => {
                            Some(c.to_ascii_lowercase())
                        }
                        _ => Some('x'),
                    })
                    .collect();
                csv.push_str(&format!(
                    "\"{given} {family}\",{mailbox}@northbridge.example.edu\n"
                ));
            }
            (folder.to_string(), csv)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::control::snapshot;
    use std::collections::HashSet;

    fn demo_store(now: DateTime<Utc>) -> Store {
        let mut store = Store::new(AccountType::Pro);
        demo(&mut store, now);
        store
    }

    #[test]
    fn the_demo_term_has_the_promised_shape() {
        let store = demo_store(Utc::now());
        let views: Vec<_> = store
            .requests
            .iter()
            .map(|request| store.file_request_view(request))
            .collect();
        assert_eq!(views.len(), ASSIGNMENTS.len());
        assert!(views.iter().any(|r| r.is_open) && views.iter().any(|r| !r.is_open));
        assert!(views.iter().any(|r| r.deadline.is_none()));
        assert_eq!(views.iter().filter(|r| r.destination.is_none()).count(), 1);
        let graces: HashSet<String> = views
            .iter()
            .filter_map(|r| r.deadline.as_ref())
            .map(|d| format!("{:?}", d.allow_late_uploads))
            .collect();
        assert_eq!(graces.len(), 6, "every grace period and none: {graces:?}");

        let files: Vec<_> = store
            .entries
            .values()
            .filter(|entry| entry.file().is_some())
            .collect();
        assert!((200..600).contains(&files.len()), "{} files", files.len());
        assert!(files.iter().any(|f| f.name().contains(" (1).")));
        assert!(
            files.iter().any(|f| !f.name().contains(" - ")),
            "some skip the name"
        );
        let counted: i64 = views.iter().map(|r| r.file_count).sum();
        assert_eq!(counted as usize, files.len());
        assert!(
            files
                .iter()
                .all(|f| (300..4000).contains(&f.file().unwrap().content.len()))
        );
    }

    #[test]
    fn some_uploads_are_late_but_inside_the_grace_window() {
        let now = Utc::now();
        let store = demo_store(now);
        let mut late = 0;
        for request in &store.requests {
            let Some(deadline) = &request.deadline else {
                continue;
            };
            let due = wire::parse_timestamp(&deadline.deadline).unwrap();
            let closes = uploads_close_at(deadline);
            for (_, entry) in store.children(&request.destination_lower) {
                let at = entry.file().unwrap().server_modified;
                assert!(at <= now);
                assert!(closes.is_none_or(|closes| at <= closes));
                late += usize::from(at > due);
            }
        }
        assert!(late >= 5, "only {late} late uploads");
    }

    #[test]
    fn the_demo_is_deterministic_for_a_given_now() {
        let now = Utc::now();
        assert_eq!(snapshot(&demo_store(now)), snapshot(&demo_store(now)));
    }
}
