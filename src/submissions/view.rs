//! What the Submissions tab shows: the files of a request as submissions, the class view
//! (one row per student of the roster), the course grid (students down, assignments
//! across) and the class view as CSV.
//!
//! Sized for a deadline week: 100,000 files across a course's requests and a roster of
//! hundreds. The roster is indexed once and each distinct typed name is matched once, so
//! building a view is linear in the number of files (see `benches/class_view.rs`).

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::assignments::Assignments;
use super::csv;
use super::lateness::{Lateness, lateness};
use super::names::{collapse_whitespace, split_file_name};
use super::roster::{Match, Roster, RosterIndex};
use crate::dropbox::{FileMetadata, FileRequest, GracePeriod, Metadata};

/// One file of a request, as the tab lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Dropbox's `id:...`: unchanged by renames and moves, so the key of assignments.
    pub file_id: String,
    pub name: String,
    /// The full path (the name alone if Dropbox sent none).
    pub path_display: String,
    pub size: u64,
    /// `server_modified`: when Dropbox received the file, which is what lateness is
    /// judged by.
    pub received: DateTime<Utc>,
    /// What the uploader's computer claimed: for the detail pane, never for lateness.
    pub client_modified: Option<DateTime<Utc>>,
    pub content_hash: Option<String>,
    /// Who sent it: the student it was assigned to by hand (an email or a name, as
    /// typed), or else the name in front of the file name.
    pub student: Option<String>,
    /// `student` comes from a manual assignment.
    pub assigned: bool,
    pub lateness: Lateness,
}

/// The files of a `files/list_folder` listing, its folders left out.
pub fn files_in(entries: Vec<Metadata>) -> Vec<FileMetadata> {
    entries
        .into_iter()
        .filter_map(|entry| match entry {
            Metadata::File(file) => Some(file),
            _ => None,
        })
        .collect()
}

/// [`submissions`] of `request`'s files, judged by its own deadline and grace period.
pub fn of_request(
    files: &[FileMetadata],
    request: &FileRequest,
    assignments: &Assignments,
) -> Vec<Submission> {
    let deadline = request.deadline.as_ref();
    submissions(
        files,
        deadline.and_then(|d| crate::time::parse_dropbox(&d.deadline)),
        deadline.and_then(|d| d.allow_late_uploads.as_ref()),
        assignments,
    )
}

/// The files of a request (from `files/list_folder`, recursive) as submissions, newest
/// first (ties by name, then id, so the order never flickers between rebuilds).
/// A manual assignment overrides the name in front of the file name.
pub fn submissions(
    files: &[FileMetadata],
    deadline: Option<DateTime<Utc>>,
    grace: Option<&GracePeriod>,
    assignments: &Assignments,
) -> Vec<Submission> {
    // Built in the files' order, then sorted: reading the files in date order instead
    // (sorting light keys first) measured a third slower at 100,000 files, the reads
    // jumping all over memory.
    let mut list: Vec<Submission> = files
        .iter()
        .map(|file| submission(file, received_at(file), deadline, grace, assignments))
        .collect();
    list.sort_unstable_by(|a, b| {
        b.received
            .cmp(&a.received)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.file_id.cmp(&b.file_id))
    });
    list
}

/// Dropbox always sends a valid `server_modified`; should one ever be unreadable, the
/// client's time is the best remaining guess, and the file stays listed either way.
fn received_at(file: &FileMetadata) -> DateTime<Utc> {
    instant(&file.server_modified)
        .or_else(|| instant(&file.client_modified))
        .unwrap_or(DateTime::UNIX_EPOCH)
}

fn submission(
    file: &FileMetadata,
    received: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
    grace: Option<&GracePeriod>,
    assignments: &Assignments,
) -> Submission {
    let assigned_to = assignments.get(&file.id);
    let student = match assigned_to {
        Some(student) => Some(student.to_string()),
        None => split_file_name(&file.name).map(|parts| collapse_whitespace(parts.student)),
    };
    Submission {
        file_id: file.id.clone(),
        name: file.name.clone(),
        path_display: file
            .path_display
            .clone()
            .unwrap_or_else(|| file.name.clone()),
        size: file.size,
        received,
        client_modified: instant(&file.client_modified),
        content_hash: file.content_hash.clone(),
        student,
        assigned: assigned_to.is_some(),
        lateness: lateness(received, deadline, grace),
    }
}

/// Dropbox's `%Y-%m-%dT%H:%M:%SZ` is RFC 3339, whose parser is several times faster than
/// a format string; anything else goes through the general parser.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| crate::time::parse_dropbox(text))
}

/// Where a student stands on one request. It follows their latest file, the one that
/// will be graded: an on-time draft followed by a late final version is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The latest file is on time, or the request has no deadline.
    Submitted,
    Late {
        by: Duration,
        within_grace: bool,
    },
    Missing,
}

impl Standing {
    fn of(lateness: Lateness) -> Standing {
        match lateness {
            Lateness::NoDeadline | Lateness::OnTime => Standing::Submitted,
            Lateness::Late { by, within_grace } => Standing::Late { by, within_grace },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRow {
    /// Index into the roster's students.
    pub student: usize,
    pub standing: Standing,
    /// Indices into the submissions, in their order (newest first).
    pub files: Vec<usize>,
    /// When the latest file was received.
    pub latest: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// On time (or no deadline); late students are counted under `late` only.
    pub submitted: usize,
    pub late: usize,
    pub missing: usize,
}

impl Counts {
    /// "31 submitted, 4 late, 5 missing".
    pub fn sentence(&self) -> String {
        format!(
            "{} submitted, {} late, {} missing",
            self.submitted, self.late, self.missing
        )
    }
}

/// A request seen through the roster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassView {
    /// One per student, in roster order.
    pub rows: Vec<ClassRow>,
    /// Submissions with no student: no name in the file name and no assignment.
    pub unattributed: Vec<usize>,
    /// Submissions whose name fits several students equally (submission, candidates in
    /// roster order): the professor decides, by assigning the file.
    pub ambiguous: Vec<(usize, Vec<usize>)>,
    /// Submissions naming someone (or assigned to someone) not on the roster.
    pub unknown: Vec<usize>,
    pub counts: Counts,
}

impl ClassView {
    /// The students a reminder is for: missing, and named by no file at all. A file whose
    /// name fits several students (the same name twice on the roster) may be any of
    /// theirs, so none of them is reminded unless the professor chooses them by hand.
    pub fn to_remind(&self) -> Vec<usize> {
        let perhaps_handed_in: std::collections::HashSet<usize> = self
            .ambiguous
            .iter()
            .flat_map(|(_, candidates)| candidates.iter().copied())
            .collect();
        self.rows
            .iter()
            .filter(|row| row.standing == Standing::Missing)
            .map(|row| row.student)
            .filter(|student| !perhaps_handed_in.contains(student))
            .collect()
    }
}

/// The class view of one request's submissions. A manually assigned file is matched by
/// the email or name it was assigned to, like a typed name.
pub fn class_view(roster: &Roster, submissions: &[Submission]) -> ClassView {
    class_view_indexed(roster, &roster.index(), submissions)
}

fn class_view_indexed(
    roster: &Roster,
    index: &RosterIndex,
    submissions: &[Submission],
) -> ClassView {
    let mut view = ClassView {
        rows: (0..roster.students.len())
            .map(|student| ClassRow {
                student,
                standing: Standing::Missing,
                files: Vec::new(),
                latest: None,
            })
            .collect(),
        ..ClassView::default()
    };
    // A student sends many files under the same typed name: match each name once.
    let mut matched: HashMap<&str, Match> = HashMap::new();
    for (position, submission) in submissions.iter().enumerate() {
        let Some(typed) = submission.student.as_deref() else {
            view.unattributed.push(position);
            continue;
        };
        let found = matched.entry(typed).or_insert_with(|| index.find(typed));
        match found {
            Match::One(student) => {
                let Some(row) = view.rows.get_mut(*student) else {
                    // Only if the index came from another roster; treat it as not found.
                    view.unknown.push(position);
                    continue;
                };
                row.files.push(position);
                if row.latest.is_none_or(|latest| submission.received > latest) {
                    row.latest = Some(submission.received);
                    row.standing = Standing::of(submission.lateness);
                }
            }
            Match::Ambiguous(candidates) => view.ambiguous.push((position, candidates.clone())),
            Match::Unknown => view.unknown.push(position),
        }
    }
    for row in &view.rows {
        match row.standing {
            Standing::Submitted => view.counts.submitted += 1,
            Standing::Late { .. } => view.counts.late += 1,
            Standing::Missing => view.counts.missing += 1,
        }
    }
    view
}

/// One cell of the course grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Submitted,
    /// Late, within the grace period.
    Late,
    /// Late beyond the grace period (or late with no grace period at all).
    LateBeyondGrace,
    /// Nothing, and the deadline (if any) has passed.
    Missing,
    /// Nothing yet, and the deadline is still ahead.
    NotDue,
}

/// The course grid professors know from Canvas and Moodle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CourseGrid {
    /// Column titles, in the order given.
    pub assignments: Vec<String>,
    /// (roster index, one mark per assignment), in roster order.
    pub rows: Vec<(usize, Vec<Mark>)>,
}

/// One request of a course as a column of the grid: (title, deadline, submissions).
pub type GridColumn = (String, Option<DateTime<Utc>>, Vec<Submission>);

/// Every request of a course at once: (title, deadline, submissions) per request, judged
/// at `now` (a student with nothing is "not due" until the deadline, inclusive, since a
/// file at the deadline is on time).
pub fn course_grid(roster: &Roster, assignments: &[GridColumn], now: DateTime<Utc>) -> CourseGrid {
    let index = roster.index();
    let mut rows: Vec<(usize, Vec<Mark>)> = (0..roster.students.len())
        .map(|student| (student, Vec::with_capacity(assignments.len())))
        .collect();
    for (_, deadline, submissions) in assignments {
        let view = class_view_indexed(roster, &index, submissions);
        let not_due = deadline.is_some_and(|deadline| now <= deadline);
        for (row, (_, marks)) in view.rows.iter().zip(&mut rows) {
            marks.push(match row.standing {
                Standing::Submitted => Mark::Submitted,
                Standing::Late {
                    within_grace: true, ..
                } => Mark::Late,
                Standing::Late {
                    within_grace: false,
                    ..
                } => Mark::LateBeyondGrace,
                Standing::Missing if not_due => Mark::NotDue,
                Standing::Missing => Mark::Missing,
            });
        }
    }
    CourseGrid {
        assignments: assignments
            .iter()
            .map(|(title, _, _)| title.clone())
            .collect(),
        rows,
    }
}

/// The class view as CSV, one line per student, written atomically to `path` (0600:
/// grades are private).
///
/// Columns: student, email, status (`submitted`, `late`, `late beyond grace`,
/// `missing`), files (how many), submitted_at (the latest file, RFC 3339 UTC) and late_by
/// (`H:MM:SS`, which spreadsheets read as a duration). RFC 4180 with CRLF line ends, and
/// a UTF-8 byte-order mark so that Excel shows accented names correctly.
pub fn export_csv(
    roster: &Roster,
    view: &ClassView,
    submissions: &[Submission],
    path: &Path,
) -> Result<(), String> {
    let text = class_csv(roster, view, submissions)?;
    crate::fs::write_private_atomically_into_existing_folder(path, text.as_bytes()).map_err(
        |error| {
            format!(
                "Could not write the class list to {}: {error}.",
                path.display()
            )
        },
    )
}

const CSV_HEADER: [&str; 6] = [
    "student",
    "email",
    "status",
    "files",
    "submitted_at",
    "late_by",
];

/// The class view as CSV text, exactly as [`export_csv`] writes it (byte-order mark
/// included): for printing it rather than saving it.
pub fn class_csv(
    roster: &Roster,
    view: &ClassView,
    submissions: &[Submission],
) -> Result<String, String> {
    let mut out = String::from("\u{FEFF}");
    csv::write_record(&mut out, CSV_HEADER, ',', "\r\n");
    for row in &view.rows {
        let student = roster.students.get(row.student).ok_or_else(|| {
            "The class view does not belong to this roster; open the class view again and \
             export it then."
                .to_string()
        })?;
        let latest = row
            .files
            .iter()
            .filter_map(|&position| submissions.get(position))
            .max_by_key(|submission| submission.received);
        let status = match row.standing {
            Standing::Submitted => "submitted",
            Standing::Late {
                within_grace: true, ..
            } => "late",
            Standing::Late {
                within_grace: false,
                ..
            } => "late beyond grace",
            Standing::Missing => "missing",
        };
        let submitted_at = latest
            .map(|s| s.received.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_default();
        let late_by = match latest.map(|s| s.lateness) {
            Some(Lateness::Late { by, .. }) => clock_duration(by),
            _ => String::new(),
        };
        let files = row.files.len().to_string();
        csv::write_record(
            &mut out,
            [
                student.name.as_str(),
                &student.email,
                status,
                &files,
                &submitted_at,
                &late_by,
            ],
            ',',
            "\r\n",
        );
    }
    Ok(out)
}

/// The course grid as CSV, one line per student, written atomically to `path` (0600).
///
/// Columns: student, email, then one per request (its title), each cell `submitted`,
/// `late`, `late beyond grace`, `missing` or `not due`. RFC 4180 with CRLF line ends and
/// a UTF-8 byte-order mark, as [`export_csv`].
pub fn export_grid_csv(roster: &Roster, grid: &CourseGrid, path: &Path) -> Result<(), String> {
    let text = grid_csv(roster, grid)?;
    crate::fs::write_private_atomically_into_existing_folder(path, text.as_bytes()).map_err(
        |error| {
            format!(
                "Could not write the course grid to {}: {error}.",
                path.display()
            )
        },
    )
}

/// The course grid as CSV text, exactly as [`export_grid_csv`] writes it.
pub fn grid_csv(roster: &Roster, grid: &CourseGrid) -> Result<String, String> {
    let mut out = String::from("\u{FEFF}");
    let header = ["student", "email"]
        .into_iter()
        .chain(grid.assignments.iter().map(String::as_str));
    csv::write_record(&mut out, header, ',', "\r\n");
    for (student, marks) in &grid.rows {
        let student = roster.students.get(*student).ok_or_else(|| {
            "The course grid does not belong to this roster; open the grid again and export \
             it then."
                .to_string()
        })?;
        let fields = [student.name.as_str(), student.email.as_str()]
            .into_iter()
            .chain(marks.iter().map(|mark| mark.word()));
        csv::write_record(&mut out, fields, ',', "\r\n");
    }
    Ok(out)
}

impl Mark {
    /// The mark in words, as the CSV exports write it.
    pub fn word(self) -> &'static str {
        match self {
            Mark::Submitted => "submitted",
            Mark::Late => "late",
            Mark::LateBeyondGrace => "late beyond grace",
            Mark::Missing => "missing",
            Mark::NotDue => "not due",
        }
    }
}

/// `49:05:30` for 49 hours, 5 minutes and 30 seconds.
pub fn clock_duration(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(0);
    format!(
        "{}:{:02}:{:02}",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submissions::roster::{Student, read_csv};
    use crate::time::{parse_dropbox, to_dropbox};

    fn at(text: &str) -> DateTime<Utc> {
        parse_dropbox(text).expect("valid timestamp")
    }

    /// Deadline Friday 4 December 2026, 23:59 CET.
    fn deadline() -> DateTime<Utc> {
        at("2026-12-04T22:59:00Z")
    }

    fn file(name: &str, id: &str, received: DateTime<Utc>) -> FileMetadata {
        FileMetadata::new(
            name.to_string(),
            id.to_string(),
            to_dropbox(received - Duration::hours(1)),
            to_dropbox(received),
            "015f9c1b3e8a0a2000000001".to_string(),
            1_024,
        )
        .with_path_display(format!("/Courses/CS101/HW1/{name}"))
    }

    fn roster() -> Roster {
        let students = [
            ("Ada Lovelace", "ada@example.edu"),
            ("Alan Turing", "alan@example.edu"),
            ("Grace Hopper", "grace@example.edu"),
            ("Wei Zhang", "wei.zhang@example.edu"),
            ("Wei Zhang", "wzhang2@example.edu"),
            ("Zoë Müller", "zoe@example.edu"),
        ];
        Roster {
            students: students
                .iter()
                .map(|(name, email)| Student {
                    name: name.to_string(),
                    email: email.to_string(),
                    id: None,
                })
                .collect(),
        }
    }

    fn files() -> Vec<FileMetadata> {
        let d = deadline();
        vec![
            // Ada: an early draft and a final version 3 hours late.
            file("Ada Lovelace - draft.pdf", "id:ada1", d - Duration::days(2)),
            file(
                "Ada Lovelace - final.pdf",
                "id:ada2",
                d + Duration::hours(3),
            ),
            // Alan: two files under two spellings of his name.
            file(
                "alan turing - hw1.pdf",
                "id:alan1",
                d - Duration::minutes(5),
            ),
            file(
                "Turing, Alan - hw1 (1).pdf",
                "id:alan2",
                d - Duration::minutes(1),
            ),
            // Two Wei Zhangs: never guessed.
            file("Wei Zhang - hw1.pdf", "id:wei", d - Duration::hours(1)),
            // Not on the roster.
            file("Marie Curie - hw1.pdf", "id:marie", d - Duration::hours(2)),
            // No name at all.
            file("IMG_2041.jpg", "id:img", d - Duration::hours(4)),
            // Exactly at the deadline.
            file("Zoe Muller - hw1.pdf", "id:zoe", d),
        ]
    }

    #[test]
    fn submissions_are_newest_first_with_student_and_lateness() {
        let list = submissions(
            &files(),
            Some(deadline()),
            Some(&GracePeriod::OneDay),
            &Assignments::default(),
        );
        let ids: Vec<&str> = list.iter().map(|s| s.file_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "id:ada2", "id:zoe", "id:alan2", "id:alan1", "id:wei", "id:marie", "id:img",
                "id:ada1"
            ]
        );
        let ada = &list[0];
        assert_eq!(ada.student.as_deref(), Some("Ada Lovelace"));
        assert!(!ada.assigned);
        assert_eq!(
            ada.lateness,
            Lateness::Late {
                by: Duration::hours(3),
                within_grace: true
            }
        );
        assert_eq!(
            ada.path_display,
            "/Courses/CS101/HW1/Ada Lovelace - final.pdf"
        );
        assert_eq!(ada.received, deadline() + Duration::hours(3));
        assert_eq!(ada.client_modified, Some(deadline() + Duration::hours(2)));
        assert_eq!(list[1].lateness, Lateness::OnTime);
        assert_eq!(list[6].student, None);

        let undated = submissions(&files(), None, None, &Assignments::default());
        assert!(undated.iter().all(|s| s.lateness == Lateness::NoDeadline));
    }

    #[test]
    fn the_latest_file_decides_and_ambiguity_is_reported_not_guessed() {
        let list = submissions(
            &files(),
            Some(deadline()),
            Some(&GracePeriod::OneDay),
            &Assignments::default(),
        );
        let roster = roster();
        let view = class_view(&roster, &list);
        let position = |id: &str| list.iter().position(|s| s.file_id == id).expect("listed");

        let ada = &view.rows[0];
        assert_eq!(
            ada.standing,
            Standing::Late {
                by: Duration::hours(3),
                within_grace: true
            }
        );
        assert_eq!(ada.files, [position("id:ada2"), position("id:ada1")]);
        assert_eq!(ada.latest, Some(deadline() + Duration::hours(3)));

        let alan = &view.rows[1];
        assert_eq!(alan.standing, Standing::Submitted);
        assert_eq!(alan.files.len(), 2, "both spellings of the name are Alan's");

        assert_eq!(view.rows[2].standing, Standing::Missing);
        assert_eq!(view.rows[2].latest, None);
        assert_eq!(view.rows[3].standing, Standing::Missing);
        assert_eq!(view.rows[4].standing, Standing::Missing);
        assert_eq!(
            view.rows[5].standing,
            Standing::Submitted,
            "exactly at the deadline"
        );

        assert_eq!(view.ambiguous, [(position("id:wei"), vec![3, 4])]);
        assert_eq!(view.unknown, [position("id:marie")]);
        assert_eq!(view.unattributed, [position("id:img")]);
        assert_eq!(
            view.counts,
            Counts {
                submitted: 2,
                late: 1,
                missing: 3
            }
        );
        assert_eq!(view.counts.sentence(), "2 submitted, 1 late, 3 missing");
    }

    #[test]
    fn assigned_files_override_the_name_in_the_file_name() {
        let mut assignments = Assignments::default();
        assignments.assign("id:wei", "wzhang2@example.edu");
        assignments.assign("id:img", "Grace Hopper");
        // Named Ada in the file, but the professor knows better.
        assignments.assign("id:ada2", "alan@example.edu");
        assignments.assign("id:marie", "Marie Curie");
        let list = submissions(
            &files(),
            Some(deadline()),
            Some(&GracePeriod::OneDay),
            &assignments,
        );
        let img = list.iter().find(|s| s.file_id == "id:img").expect("listed");
        assert_eq!(img.student.as_deref(), Some("Grace Hopper"));
        assert!(img.assigned);

        let view = class_view(&roster(), &list);
        assert_eq!(
            view.rows[0].standing,
            Standing::Submitted,
            "only the draft is Ada's now"
        );
        assert_eq!(view.rows[0].files.len(), 1);
        assert!(matches!(view.rows[1].standing, Standing::Late { .. }));
        assert_eq!(view.rows[1].files.len(), 3);
        assert_eq!(view.rows[2].standing, Standing::Submitted);
        assert_eq!(view.rows[3].standing, Standing::Missing);
        assert_eq!(view.rows[4].standing, Standing::Submitted);
        assert!(view.ambiguous.is_empty() && view.unattributed.is_empty());
        assert_eq!(
            view.unknown.len(),
            1,
            "assigned to someone not on the roster"
        );
        assert_eq!(view.counts.sentence(), "4 submitted, 1 late, 1 missing");
    }

    #[test]
    fn a_roster_without_files_is_all_missing() {
        let view = class_view(&roster(), &[]);
        assert_eq!(view.counts.sentence(), "0 submitted, 0 late, 6 missing");
        let view = class_view(&Roster::default(), &[]);
        assert_eq!(view.counts.sentence(), "0 submitted, 0 late, 0 missing");
    }

    #[test]
    fn the_course_grid_marks_every_cell() {
        let roster = roster();
        let now = deadline() + Duration::days(3);
        let request = |deadline: Option<DateTime<Utc>>, grace: Option<GracePeriod>| {
            submissions(&files(), deadline, grace.as_ref(), &Assignments::default())
        };
        let past = Some(deadline());
        let ahead = Some(now + Duration::days(7));
        let grid = course_grid(
            &roster,
            &[
                (
                    "HW1".to_string(),
                    past,
                    request(past, Some(GracePeriod::OneDay)),
                ),
                ("HW2".to_string(), past, request(past, None)),
                ("HW3".to_string(), ahead, request(ahead, None)),
                ("HW4".to_string(), ahead, Vec::new()),
                ("Reading".to_string(), None, Vec::new()),
            ],
            now,
        );
        assert_eq!(grid.assignments, ["HW1", "HW2", "HW3", "HW4", "Reading"]);
        use Mark::*;
        assert_eq!(
            grid.rows,
            vec![
                (0, vec![Late, LateBeyondGrace, Submitted, NotDue, Missing]),
                (1, vec![Submitted, Submitted, Submitted, NotDue, Missing]),
                (2, vec![Missing, Missing, NotDue, NotDue, Missing]),
                (3, vec![Missing, Missing, NotDue, NotDue, Missing]),
                (4, vec![Missing, Missing, NotDue, NotDue, Missing]),
                (5, vec![Submitted, Submitted, Submitted, NotDue, Missing]),
            ]
        );
        // At the deadline itself nothing is missing yet.
        let grid = course_grid(&roster, &[("HW".to_string(), past, Vec::new())], deadline());
        assert!(grid.rows.iter().all(|(_, marks)| marks == &[NotDue]));
    }

    #[test]
    fn the_export_reads_back_with_its_header() {
        // SAFETY: umask only changes the mode of files created afterwards; 022 is the
        // usual one, under which a file made with default permissions is 0644.
        unsafe { libc::umask(0o022) };
        let roster = Roster {
            students: vec![
                Student {
                    name: "Lovelace, Ada".to_string(),
                    email: "ada@example.edu".to_string(),
                    id: None,
                },
                Student {
                    name: "Alan \"Prof\" Turing".to_string(),
                    email: "alan@example.edu".to_string(),
                    id: None,
                },
                Student {
                    name: "Grace Hopper".to_string(),
                    email: "grace@example.edu".to_string(),
                    id: None,
                },
            ],
        };
        let d = deadline();
        let list = submissions(
            &[
                file("Ada Lovelace - a.pdf", "id:1", d - Duration::hours(1)),
                file(
                    "Ada Lovelace - b.pdf",
                    "id:2",
                    d + Duration::hours(49) + Duration::seconds(30),
                ),
                file("Alan Turing - c.pdf", "id:3", d),
            ],
            Some(d),
            Some(&GracePeriod::TwoDays),
            &Assignments::default(),
        );
        let view = class_view(&roster, &list);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("HW1.csv");
        export_csv(&roster, &view, &list, &path).expect("exported");

        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("\u{FEFF}student,email,status,files,submitted_at,late_by\r\n"));
        assert!(
            text.contains("\r\n\"Lovelace, Ada\",ada@example.edu,"),
            "{text}"
        );
        assert!(
            text.contains("\r\n\"Alan \"\"Prof\"\" Turing\",alan@example.edu,"),
            "{text}"
        );

        // Read back with the roster's RFC 4180 reader.
        let records = read_csv(&text).expect("reads back");
        assert_eq!(records[0], CSV_HEADER);
        assert_eq!(records.len(), 4);
        assert_eq!(records[1][0], "Lovelace, Ada");
        assert_eq!(records[2][0], "Alan \"Prof\" Turing");
        assert!(
            records
                .iter()
                .all(|record| record.len() == CSV_HEADER.len())
        );
        let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
        assert_eq!(
            lines[1..],
            [
                "\"Lovelace, Ada\",ada@example.edu,late beyond grace,2,\
                 2026-12-06T23:59:30Z,49:00:30",
                "\"Alan \"\"Prof\"\" Turing\",alan@example.edu,submitted,1,2026-12-04T22:59:00Z,",
                "Grace Hopper,grace@example.edu,missing,0,,",
            ]
        );
        // Nothing left behind but the export.
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
        // Grades are private although the umask (022) would allow 0644.
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).expect("mode").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        let error = export_csv(&roster, &view, &list, &dir.path().join("no/such/dir.csv"))
            .expect_err("no such folder");
        assert!(
            error.starts_with("Could not write the class list to"),
            "{error}"
        );
        let error = export_csv(&Roster::default(), &view, &list, &path).expect_err("mismatch");
        assert!(error.contains("does not belong to this roster"), "{error}");
    }
}
