//! `handin submissions ...`: the Submissions tab from a shell. Files are listed, matched
//! to students and judged for lateness by `crate::submissions`, exactly as the TUI
//! does, and the CSV exports are the TUI's own (`export_csv`), so a cron job's file and
//! one saved with E are the same.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use super::{Cli, FormatArgs, RequestIdParser};
use crate::dropbox::{FileMetadata, FileRequest, Metadata};
use crate::file_request::{course_of, roster_for as configured_roster};
use crate::size::human_bytes;
use crate::submissions::{
    self, Assignments, ClassView, GridColumn, Lateness, Match, Roster, Standing, Submission,
};
use crate::time::{self, Zone};
use crate::untrusted::visible;
use serde::Serialize;

use super::ExitCode;
use super::Setup;
use super::download::{in_course, no_such_course};
use super::output::{self, Format, RequestJson, Table};
use super::session::{self, Failure, Session};

/// `handin submissions ...`.
#[derive(Debug, Subcommand)]
pub enum SubmissionsCommand {
    /// The files of a request, newest first; with --roster, where each student stands.
    List(SubmissionsListArgs),
    /// Save the class list of a request, or the grid of a whole course, as CSV (what E
    /// saves in the TUI).
    Export(SubmissionsExportArgs),
    /// Attribute a file to a student by hand, as a does in the TUI.
    Assign(AssignArgs),
    /// Take back a file's attribution: its name says who sent it again.
    Unassign(UnassignArgs),
}

#[derive(Debug, Args)]
pub struct SubmissionsListArgs {
    /// The request's id.
    #[arg(value_name = "ID", value_parser = RequestIdParser)]
    pub id: String,
    /// The class list (CSV with name and email columns): one line per student instead
    /// of one per file.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("what")
        .args(["id", "course"])
        .required(true)
))]
pub struct SubmissionsExportArgs {
    /// The request whose class list to save.
    #[arg(value_name = "ID", value_parser = RequestIdParser)]
    pub id: Option<String>,
    /// Instead, the grid of every request of this course (folder name or Dropbox path).
    #[arg(long, value_name = "FOLDER")]
    pub course: Option<String>,
    /// The class list (default: the course's roster in the config file, as set with R).
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Where to save the CSV (- for stdout).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The file's id (id:..., from `submissions list --json`).
    #[arg(value_name = "FILE_ID")]
    pub file_id: String,
    /// The student: a name or an email, checked against the roster when there is one.
    #[arg(value_name = "STUDENT")]
    pub student: String,
    /// The class list to check the student against (default: the course's roster in the
    /// config file).
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UnassignArgs {
    /// The file's id (id:...).
    #[arg(value_name = "FILE_ID")]
    pub file_id: String,
}

pub fn command(
    runtime: &tokio::runtime::Runtime,
    cli: &Cli,
    command: &SubmissionsCommand,
) -> ExitCode {
    let done = match command {
        // Nothing to ask Dropbox: the attribution is taken back here.
        SubmissionsCommand::Unassign(args) => Setup::from_cli(cli)
            .map_err(Failure::usage)
            .and_then(|setup| unassign(&setup, args, cli.quiet)),
        _ => Session::start(cli).and_then(|session| {
            runtime.block_on(async {
                let mut stop = session::watch_signals();
                let work = async {
                    match command {
                        SubmissionsCommand::List(args) => list(&session, args).await,
                        SubmissionsCommand::Export(args) => export(&session, args).await,
                        SubmissionsCommand::Assign(args) => assign(&session, args).await,
                        SubmissionsCommand::Unassign(_) => Ok(ExitCode::Done),
                    }
                };
                tokio::select! {
                    done = work => done,
                    code = session::stopped(&mut stop) => Err(Failure {
                        code,
                        sentence: "interrupted; nothing was written.".to_string(),
                    }),
                }
            })
        }),
    };
    done.unwrap_or_else(Failure::report)
}

fn assignments_file(setup: &Setup) -> PathBuf {
    setup.paths.data_dir.join("assignments.json")
}

fn load_assignments(setup: &Setup) -> Result<Assignments, Failure> {
    Assignments::load(&assignments_file(setup)).map_err(Failure::usage)
}

/// A request's files as submissions, judged against its deadline and grace.
async fn request_submissions(
    session: &Session,
    request: &FileRequest,
    assignments: &Assignments,
) -> Result<Vec<Submission>, Failure> {
    let Some(destination) = request.destination.as_deref() else {
        return Err(Failure::dropbox(format!(
            "the folder of \"{}\" is gone from Dropbox, so it has no files to list; give the \
             request a folder with handin requests update {} --dest PATH.",
            visible(&request.title),
            visible(&request.id)
        )));
    };
    let files = folder_files(session, destination, &request.title).await?;
    Ok(submissions::of_request(&files, request, assignments))
}

/// Every file under a request's folder; a folder not created yet (no upload so far)
/// has none.
async fn folder_files(
    session: &Session,
    destination: &str,
    title: &str,
) -> Result<Vec<FileMetadata>, Failure> {
    let entries = session
        .dropbox
        .list_request_folder(destination)
        .await
        .map_err(|error| {
            Failure::from_dropbox(
                &format!("could not list the files of \"{}\"", visible(title)),
                &error,
            )
        })?;
    Ok(submissions::files_in(entries))
}

fn deadline_of(request: &FileRequest) -> Option<DateTime<Utc>> {
    request
        .deadline
        .as_ref()
        .and_then(|d| time::parse_dropbox(&d.deadline))
}

fn load_roster(path: &Path) -> Result<Roster, Failure> {
    submissions::load_roster(path).map_err(Failure::usage)
}

/// The roster given with `--roster`, else the one the config names for the course of
/// `destination` (set with R in the TUI).
fn roster_for(
    session: &Session,
    given: Option<&Path>,
    destination: Option<&str>,
) -> Result<Option<Roster>, Failure> {
    if let Some(path) = given {
        return load_roster(path).map(Some);
    }
    let config = &session.setup.config;
    let Some(course) = destination.and_then(|d| course_of(d, &config.courses_root)) else {
        return Ok(None);
    };
    match configured_roster(
        config,
        &course,
        crate::file_request::home_folder().as_deref(),
    ) {
        Some(path) => load_roster(&path).map(Some),
        None => Ok(None),
    }
}

fn no_roster(what: &str) -> Failure {
    Failure::usage(format!(
        "{what} has no roster: give the class list with --roster FILE (a CSV with name and \
         email columns), or name the course's class list under [rosters] in the \
         configuration file."
    ))
}

// ---------------------------------------------------------------------------------------
// list

async fn list(session: &Session, args: &SubmissionsListArgs) -> Result<ExitCode, Failure> {
    // A bad roster is the user's to fix before anything is fetched.
    let roster = args.roster.as_deref().map(load_roster).transpose()?;
    let assignments = load_assignments(&session.setup)?;
    let request = fetch(session, &args.id).await?;
    let list = request_submissions(session, &request, &assignments).await?;
    let format = Format::from(args.format);
    let now = Utc::now();
    match roster {
        None => {
            print_files(&request, &list, format, now);
            session.say(files_summary(&list));
        }
        Some(roster) => {
            let view = submissions::class_view(&roster, &list);
            print_class(&request, &roster, &view, &list, format, now)?;
            session.say(class_summary(&view));
        }
    }
    Ok(ExitCode::Done)
}

async fn fetch(session: &Session, id: &str) -> Result<FileRequest, Failure> {
    let id = id.trim();
    session
        .dropbox
        .get_request(id)
        .await
        .map_err(|error| session::request_failure(id, &error))
}

fn files_summary(list: &[Submission]) -> String {
    let late = list
        .iter()
        .filter(|s| matches!(s.lateness, Lateness::Late { .. }))
        .count();
    let unnamed = list.iter().filter(|s| s.student.is_none()).count();
    let mut summary = match list.len() {
        0 => "No files yet".to_string(),
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    if late > 0 {
        summary.push_str(&format!(", {late} late"));
    }
    if unnamed > 0 {
        summary.push_str(&format!(
            ", {unnamed} with no student's name (attribute with handin submissions assign)"
        ));
    }
    summary.push('.');
    summary
}

fn class_summary(view: &ClassView) -> String {
    let mut summary = format!("{}.", capitalise(&view.counts.sentence()));
    let unmatched = view.unattributed.len() + view.ambiguous.len() + view.unknown.len();
    if unmatched > 0 {
        summary.push_str(&format!(
            " {unmatched} file{} matched no student of the roster (--json lists them under \
             unmatched; attribute them with handin submissions assign).",
            if unmatched == 1 { "" } else { "s" }
        ));
    }
    summary
}

pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A file as scripts get it.
#[derive(Serialize)]
struct SubmissionJson {
    file_id: String,
    name: String,
    path: String,
    size: u64,
    received: String,
    client_modified: Option<String>,
    content_hash: Option<String>,
    student: Option<String>,
    assigned: bool,
    /// `no_deadline`, `on_time`, `late`, `late_beyond_grace`.
    lateness: &'static str,
    late_by_seconds: Option<i64>,
}

impl SubmissionJson {
    fn new(submission: &Submission) -> SubmissionJson {
        let (lateness, late_by) = match submission.lateness {
            Lateness::NoDeadline => ("no_deadline", None),
            Lateness::OnTime => ("on_time", None),
            Lateness::Late {
                by,
                within_grace: true,
            } => ("late", Some(by.num_seconds())),
            Lateness::Late {
                by,
                within_grace: false,
            } => ("late_beyond_grace", Some(by.num_seconds())),
        };
        SubmissionJson {
            file_id: submission.file_id.clone(),
            name: submission.name.clone(),
            path: submission.path_display.clone(),
            size: submission.size,
            received: output::rfc3339(submission.received),
            client_modified: submission.client_modified.map(output::rfc3339),
            content_hash: submission.content_hash.clone(),
            student: submission.student.clone(),
            assigned: submission.assigned,
            lateness,
            late_by_seconds: late_by,
        }
    }
}

#[derive(Serialize)]
struct FilesJson {
    request: RequestJson,
    submissions: Vec<SubmissionJson>,
}

const FILE_COLUMNS: [&str; 9] = [
    "file_id", "name", "path", "size", "received", "student", "assigned", "lateness", "late_by",
];

fn print_files(request: &FileRequest, list: &[Submission], format: Format, now: DateTime<Utc>) {
    match format {
        Format::Json => output::emit_json(&FilesJson {
            request: RequestJson::new(request, now),
            submissions: list.iter().map(SubmissionJson::new).collect(),
        }),
        Format::Csv => output::emit_csv(&output::csv(
            &FILE_COLUMNS,
            list.iter().map(|submission| {
                let (lateness, late_by) = lateness_words(submission.lateness);
                vec![
                    submission.file_id.clone(),
                    submission.name.clone(),
                    submission.path_display.clone(),
                    submission.size.to_string(),
                    output::rfc3339(submission.received),
                    submission.student.clone().unwrap_or_default(),
                    submission.assigned.to_string(),
                    lateness.to_string(),
                    late_by,
                ]
            }),
        )),
        Format::Human => {
            if list.is_empty() {
                return;
            }
            let mut table = Table::new(&[
                ("STUDENT", false),
                ("FILE", false),
                ("RECEIVED", false),
                ("SIZE", true),
                ("STATUS", false),
            ]);
            let grace = request
                .deadline
                .as_ref()
                .and_then(|d| d.allow_late_uploads.as_ref());
            for submission in list {
                let mut student = submission.student.clone().unwrap_or_else(|| "?".into());
                if submission.assigned {
                    student.push_str(" (assigned)");
                }
                table.push(vec![
                    student,
                    submission.name.clone(),
                    time::short(submission.received, now, Zone::Local),
                    human_bytes(submission.size),
                    submissions::describe_lateness_under(&submission.lateness, grace),
                ]);
            }
            output::emit(&table.render());
        }
    }
}

/// The lateness in the words of the TUI's CSV export, and `late_by` as `H:MM:SS`.
fn lateness_words(lateness: Lateness) -> (&'static str, String) {
    match lateness {
        Lateness::NoDeadline => ("", String::new()),
        Lateness::OnTime => ("on time", String::new()),
        Lateness::Late {
            by,
            within_grace: true,
        } => ("late", submissions::clock_duration(by)),
        Lateness::Late {
            by,
            within_grace: false,
        } => ("late beyond grace", submissions::clock_duration(by)),
    }
}

#[derive(Serialize)]
struct StudentJson {
    name: String,
    email: String,
    /// The roster's `id` column, if it has one.
    student_id: Option<String>,
    /// `submitted`, `late`, `late_beyond_grace`, `missing`.
    status: &'static str,
    /// Their files, newest first.
    files: Vec<String>,
    submitted_at: Option<String>,
    late_by_seconds: Option<i64>,
}

#[derive(Serialize)]
struct UnmatchedJson {
    file_id: String,
    name: String,
    student: Option<String>,
    /// `no_name` (none in the file name, not assigned), `ambiguous`, `not_on_roster`.
    reason: &'static str,
    /// For `ambiguous`: the emails of the students it could be.
    candidates: Vec<String>,
}

#[derive(Serialize)]
struct CountsJson {
    submitted: usize,
    late: usize,
    missing: usize,
}

#[derive(Serialize)]
struct ClassJson {
    request: RequestJson,
    counts: CountsJson,
    students: Vec<StudentJson>,
    unmatched: Vec<UnmatchedJson>,
}

fn print_class(
    request: &FileRequest,
    roster: &Roster,
    view: &ClassView,
    list: &[Submission],
    format: Format,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    match format {
        Format::Json => output::emit_json(&class_json(request, roster, view, list, now)),
        Format::Csv => {
            let text = submissions::class_csv(roster, view, list).map_err(Failure::usage)?;
            // The byte-order mark is for spreadsheets opening a file; a pipe gets none.
            output::emit_csv(text.trim_start_matches('\u{FEFF}'));
        }
        Format::Human => {
            let mut table = Table::new(&[
                ("STUDENT", false),
                ("EMAIL", false),
                ("STATUS", false),
                ("FILES", true),
                ("LATEST", false),
            ]);
            for row in &view.rows {
                let Some(student) = roster.students.get(row.student) else {
                    continue;
                };
                let status = match row.standing {
                    Standing::Submitted => "submitted".to_string(),
                    Standing::Missing => "missing".to_string(),
                    Standing::Late { by, within_grace } => format!(
                        "late {}{}",
                        submissions::describe_duration(by),
                        if within_grace { "" } else { " (beyond grace)" }
                    ),
                };
                table.push(vec![
                    student.name.clone(),
                    student.email.clone(),
                    status,
                    row.files.len().to_string(),
                    row.latest
                        .map(|at| time::short(at, now, Zone::Local))
                        .unwrap_or_default(),
                ]);
            }
            output::emit(&table.render());
        }
    }
    Ok(())
}

fn class_json(
    request: &FileRequest,
    roster: &Roster,
    view: &ClassView,
    list: &[Submission],
    now: DateTime<Utc>,
) -> ClassJson {
    let students = view
        .rows
        .iter()
        .filter_map(|row| {
            let student = roster.students.get(row.student)?;
            let latest = row.files.first().and_then(|&at| list.get(at));
            let (status, late_by) = match row.standing {
                Standing::Submitted => ("submitted", None),
                Standing::Missing => ("missing", None),
                Standing::Late {
                    by,
                    within_grace: true,
                } => ("late", Some(by.num_seconds())),
                Standing::Late {
                    by,
                    within_grace: false,
                } => ("late_beyond_grace", Some(by.num_seconds())),
            };
            Some(StudentJson {
                name: student.name.clone(),
                email: student.email.clone(),
                student_id: student.id.clone(),
                status,
                files: row
                    .files
                    .iter()
                    .filter_map(|&at| list.get(at))
                    .map(|s| s.file_id.clone())
                    .collect(),
                submitted_at: row
                    .latest
                    .or(latest.map(|s| s.received))
                    .map(output::rfc3339),
                late_by_seconds: late_by,
            })
        })
        .collect();
    let unmatched_file = |at: usize, reason: &'static str, candidates: Vec<String>| {
        list.get(at).map(|s| UnmatchedJson {
            file_id: s.file_id.clone(),
            name: s.name.clone(),
            student: s.student.clone(),
            reason,
            candidates,
        })
    };
    let mut unmatched: Vec<UnmatchedJson> = Vec::new();
    unmatched.extend(
        view.unattributed
            .iter()
            .filter_map(|&at| unmatched_file(at, "no_name", Vec::new())),
    );
    unmatched.extend(view.ambiguous.iter().filter_map(|(at, candidates)| {
        let emails = candidates
            .iter()
            .filter_map(|&c| roster.students.get(c))
            .map(|student| student.email.clone())
            .collect();
        unmatched_file(*at, "ambiguous", emails)
    }));
    unmatched.extend(
        view.unknown
            .iter()
            .filter_map(|&at| unmatched_file(at, "not_on_roster", Vec::new())),
    );
    ClassJson {
        request: RequestJson::new(request, now),
        counts: CountsJson {
            submitted: view.counts.submitted,
            late: view.counts.late,
            missing: view.counts.missing,
        },
        students,
        unmatched,
    }
}

// ---------------------------------------------------------------------------------------
// export

async fn export(session: &Session, args: &SubmissionsExportArgs) -> Result<ExitCode, Failure> {
    let assignments = load_assignments(&session.setup)?;
    let to_stdout = args.out == Path::new("-");
    match (&args.id, &args.course) {
        (Some(id), _) => {
            let request = fetch(session, id).await?;
            let roster = roster_for(
                session,
                args.roster.as_deref(),
                request.destination.as_deref(),
            )?
            .ok_or_else(|| no_roster(&format!("\"{}\"", visible(&request.title))))?;
            let list = request_submissions(session, &request, &assignments).await?;
            let view = submissions::class_view(&roster, &list);
            if to_stdout {
                let text = submissions::class_csv(&roster, &view, &list).map_err(Failure::usage)?;
                output::emit_csv(text.trim_start_matches('\u{FEFF}'));
            } else {
                submissions::export_csv(&roster, &view, &list, &args.out)
                    .map_err(Failure::usage)?;
                session.say(format!(
                    "Saved the class list of \"{}\" ({}) to {}.",
                    visible(&request.title),
                    view.counts.sentence(),
                    args.out.display()
                ));
            }
        }
        (None, Some(course)) => {
            let requests = session.dropbox.list_requests().await.map_err(|error| {
                Failure::from_dropbox("could not list the file requests", &error)
            })?;
            let root = &session.setup.config.courses_root;
            let mut chosen: Vec<&FileRequest> = requests
                .iter()
                .filter(|request| {
                    request
                        .destination
                        .as_deref()
                        .is_some_and(|d| in_course(d, course, root))
                })
                .collect();
            if chosen.is_empty() {
                return Err(Failure::dropbox(no_such_course(course, &requests, root)));
            }
            // Columns in deadline order, undated last, as the TUI's grid and a gradebook.
            chosen.sort_by_cached_key(|request| {
                let deadline = deadline_of(request);
                (deadline.is_none(), deadline, request.title.clone())
            });
            let roster = roster_for(
                session,
                args.roster.as_deref(),
                chosen[0].destination.as_deref(),
            )?
            .ok_or_else(|| no_roster(&format!("the course \"{}\"", visible(course))))?;
            let mut columns: Vec<GridColumn> = Vec::with_capacity(chosen.len());
            for request in &chosen {
                let list = request_submissions(session, request, &assignments).await?;
                columns.push((request.title.clone(), deadline_of(request), list));
            }
            let grid = submissions::course_grid(&roster, &columns, Utc::now());
            if to_stdout {
                let text = submissions::grid_csv(&roster, &grid).map_err(Failure::usage)?;
                output::emit_csv(text.trim_start_matches('\u{FEFF}'));
            } else {
                submissions::export_grid_csv(&roster, &grid, &args.out).map_err(Failure::usage)?;
                session.say(format!(
                    "Saved the grid of {} ({} students, {} requests) to {}.",
                    visible(course),
                    roster.students.len(),
                    columns.len(),
                    args.out.display()
                ));
            }
        }
        // clap requires one of the two.
        (None, None) => return Err(Failure::usage("name a request ID or a --course to export.")),
    }
    Ok(ExitCode::Done)
}

// ---------------------------------------------------------------------------------------
// assign, unassign

async fn assign(session: &Session, args: &AssignArgs) -> Result<ExitCode, Failure> {
    let file_id = file_id(&args.file_id)?;
    let typed = args.student.trim();
    if typed.is_empty() {
        return Err(Failure::usage(
            "name the student (a name or an email); to take an attribution back, use handin \
             submissions unassign FILE_ID.",
        ));
    }
    let mut assignments = load_assignments(&session.setup)?;
    let file = match session.dropbox.get_metadata(&file_id).await {
        Ok(Metadata::File(file)) => file,
        Ok(_) => {
            return Err(Failure::usage(format!(
                "{} is a folder, not a file; copy a file's id from handin submissions list ID \
                 --json.",
                visible(&file_id)
            )));
        }
        Err(error) if error.tag().is_some_and(|tag| tag.ends_with("not_found")) => {
            return Err(Failure::dropbox(format!(
                "no file has the id {}; copy it from handin submissions list ID --json.",
                visible(&file_id)
            )));
        }
        Err(error) => {
            return Err(Failure::from_dropbox(
                &format!("could not look up the file {}", visible(&file_id)),
                &error,
            ));
        }
    };
    let roster = roster_for(
        session,
        args.roster.as_deref(),
        file.path_display.as_deref(),
    )?;
    let student = match &roster {
        None => typed.to_string(),
        Some(roster) => match roster.find(typed) {
            Match::One(index) => roster.students[index].name.clone(),
            Match::Ambiguous(candidates) => {
                let names: Vec<String> = candidates
                    .iter()
                    .filter_map(|&i| roster.students.get(i))
                    .map(|student| {
                        format!("{} <{}>", visible(&student.name), visible(&student.email))
                    })
                    .collect();
                return Err(Failure::usage(format!(
                    "\"{}\" could be {}; give more of the name, or the email.",
                    visible(typed),
                    names.join(" or ")
                )));
            }
            Match::Unknown => {
                return Err(Failure::usage(format!(
                    "no one called \"{}\" is on the roster; check the spelling, or give \
                     the email.",
                    visible(typed)
                )));
            }
        },
    };
    assignments.assign(&file.id, &student);
    assignments
        .save(&assignments_file(&session.setup))
        .map_err(Failure::usage)?;
    session.say(format!(
        "Assigned {} to {}.",
        visible(&file.name),
        visible(&student)
    ));
    Ok(ExitCode::Done)
}

fn unassign(setup: &Setup, args: &UnassignArgs, quiet: bool) -> Result<ExitCode, Failure> {
    let file_id = file_id(&args.file_id)?;
    let mut assignments = load_assignments(setup)?;
    let Some(student) = assignments.get(&file_id).map(str::to_string) else {
        session::say(
            quiet,
            format!(
                "{} was not assigned to anyone; nothing changed.",
                visible(&file_id)
            ),
        );
        return Ok(ExitCode::Done);
    };
    assignments.unassign(&file_id);
    assignments
        .save(&assignments_file(setup))
        .map_err(Failure::usage)?;
    session::say(
        quiet,
        format!(
            "{} is no longer assigned to {}.",
            visible(&file_id),
            visible(&student)
        ),
    );
    Ok(ExitCode::Done)
}

/// Dropbox file ids start with `id:`; one pasted without it gets it.
fn file_id(typed: &str) -> Result<String, Failure> {
    let typed = typed.trim();
    if typed.is_empty() || typed.starts_with('/') {
        return Err(Failure::usage(format!(
            "\"{}\" is not a file id; ids look like id:a4ayc_80_OEAAAAAAAAAXw (handin \
             submissions list ID --json shows them).",
            visible(typed)
        )));
    }
    Ok(if typed.starts_with("id:") {
        typed.to_string()
    } else {
        format!("id:{typed}")
    })
}
