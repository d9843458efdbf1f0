//! `handin requests ...`: what the Requests tab does, from a shell. The checks are the
//! form's (`crate::syllabus` holds them for flags and files alike) and the calls the
//! service layer's; this file only reads flags, asks before deleting, and reports.
//!
//! The result goes to stdout (see `output`), messages to stderr; exit statuses are in
//! `session`.

use std::collections::HashSet;
use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use futures::Future;

use super::{Cli, FormatArgs, JsonArgs, RequestIdParser, YesArgs};
use crate::dropbox::{FileRequest, UpdateFileRequestArgs};
use crate::file_request::grace;
use crate::syllabus::{self, Changes, DeadlineText, Draft, Field, FieldError, NewRequest, Row};
use crate::time::{self, Zone};
use crate::untrusted::{visible, visible_lines};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::sync::watch;

use super::ExitCode;
use super::download::{in_course, no_such_course};
use super::output::{self, Format, RequestJson, Table};
use super::session::{self, Failure, Session, stopped, was_stopped};

/// `handin requests ...`.
#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// List file requests: soonest deadline first, those without one last.
    List(RequestsListArgs),
    /// Show one file request.
    Get(RequestGetArgs),
    /// Create a file request, or many from a syllabus file (TOML or CSV).
    #[command(after_help = CREATE_HELP)]
    Create(RequestCreateArgs),
    /// Change a file request; what is not given stays as it is.
    Update(RequestUpdateArgs),
    /// Close file requests: their links stop taking uploads until reopened.
    Close(RequestIdsArgs),
    /// Reopen closed file requests.
    Reopen(RequestIdsArgs),
    /// Delete file requests for good (open ones are closed first); their files stay.
    Delete(RequestDeleteArgs),
    /// Delete every closed file request on the account; their files stay.
    DeleteClosed(RequestDeleteClosedArgs),
    /// How many file requests the account holds, open and closed.
    Count(JsonArgs),
}

const CREATE_HELP: &str = "\
--deadline takes what the TUI's form takes, in your time zone: 2026-12-04 23:59,
4 dec 17:00, fri 17:00, tomorrow 9am, +7d; also RFC 3339 (2026-12-04T22:59:00Z).
A day alone means 23:59 that day. --grace: none, 1 day, 2 days, 7 days, 30 days,
always (or Dropbox's one_day, two_days, seven_days, thirty_days); without it a
deadline gets default_grace from the config file.

--from FILE creates a term's requests at once: [[request]] tables in TOML, or CSV
with the header title,destination,deadline,grace,description,open (- reads stdin).
The whole file is checked first and every bad row is reported with its line; then
nothing is created. Should Dropbox fail half-way, the requests already created are
listed. Example: handin requests create --from syllabus.toml --dry-run

Examples:
  handin requests create --title \"Lab 1\" --dest \"/Courses/CS101/Lab 1\" --deadline \"fri 17:00\"
  handin requests create --from cs101-autumn.csv --json > created.json";

#[derive(Debug, Args)]
pub struct RequestsListArgs {
    /// Only open requests.
    #[arg(long, conflicts_with = "closed")]
    pub open: bool,
    /// Only closed requests.
    #[arg(long)]
    pub closed: bool,
    /// Only requests saving into this course: its folder's name ("CS101 Intro") or
    /// Dropbox path ("/Courses/CS101 Intro").
    #[arg(long, value_name = "FOLDER")]
    pub course: Option<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct RequestGetArgs {
    /// The request's id (Requests tab, `requests list`, or the end of its link).
    #[arg(value_name = "ID", value_parser = RequestIdParser)]
    pub id: String,
    #[command(flatten)]
    pub format: JsonArgs,
}

#[derive(Debug, Args)]
pub struct RequestCreateArgs {
    /// What students see on the upload page.
    #[arg(long, required_unless_present = "from")]
    pub title: Option<String>,
    /// The Dropbox folder uploads land in, e.g. "/Courses/CS101/Lab 1".
    #[arg(
        long = "dest",
        visible_alias = "destination",
        value_name = "PATH",
        required_unless_present = "from"
    )]
    pub destination: Option<String>,
    /// When uploads are due, in your time zone (see below).
    #[arg(long, value_name = "WHEN")]
    pub deadline: Option<String>,
    /// How long after the deadline uploads are still taken (needs --deadline).
    #[arg(long, value_name = "GRACE")]
    pub grace: Option<String>,
    /// Shown to students under the title.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Create it closed: its link takes uploads once reopened.
    #[arg(long)]
    pub closed: bool,
    /// Create every request of a syllabus file (TOML or CSV; - for stdin).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["title", "destination", "deadline", "grace", "description", "closed"]
    )]
    pub from: Option<PathBuf>,
    /// With --from: skip rows whose request exists already (same title and folder)
    /// instead of refusing the file; for running a syllabus again after a failure.
    #[arg(long, requires = "from")]
    pub skip_existing: bool,
    /// Check everything and print what would be created, creating nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub format: JsonArgs,
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("changes")
        .args(["title", "destination", "deadline", "no_deadline", "grace", "description"])
        .required(true)
        .multiple(true)
))]
pub struct RequestUpdateArgs {
    /// The request's id.
    #[arg(value_name = "ID", value_parser = RequestIdParser)]
    pub id: String,
    /// A new title.
    #[arg(long)]
    pub title: Option<String>,
    /// A new folder for uploads (files already uploaded stay where they are).
    #[arg(long = "dest", visible_alias = "destination", value_name = "PATH")]
    pub destination: Option<String>,
    /// A new deadline, in the forms `requests create` takes; the grace stays.
    #[arg(long, value_name = "WHEN", conflicts_with = "no_deadline")]
    pub deadline: Option<String>,
    /// Remove the deadline (and with it the grace).
    #[arg(long)]
    pub no_deadline: bool,
    /// A new grace period (none, 1 day, 2 days, 7 days, 30 days, always).
    #[arg(long, value_name = "GRACE")]
    pub grace: Option<String>,
    /// A new description.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    #[command(flatten)]
    pub format: JsonArgs,
}

#[derive(Debug, Args)]
pub struct RequestIdsArgs {
    /// Request ids.
    #[arg(value_name = "ID", required = true, value_parser = RequestIdParser)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub format: JsonArgs,
}

#[derive(Debug, Args)]
pub struct RequestDeleteArgs {
    /// Request ids.
    #[arg(value_name = "ID", required = true, value_parser = RequestIdParser)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub confirm: YesArgs,
    #[command(flatten)]
    pub format: JsonArgs,
}

#[derive(Debug, Args)]
pub struct RequestDeleteClosedArgs {
    #[command(flatten)]
    pub confirm: YesArgs,
    #[command(flatten)]
    pub format: JsonArgs,
}

/// Titles named one by one in a question or a summary; more are counted.
const TITLES_SHOWN: usize = 5;

pub fn command(
    runtime: &tokio::runtime::Runtime,
    cli: &Cli,
    command: &RequestsCommand,
) -> ExitCode {
    let session = match Session::start(cli) {
        Ok(session) => session,
        Err(failure) => return failure.report(),
    };
    tracing::info!(command = name(command), "handin requests");
    runtime.block_on(async {
        let mut stop = session::watch_signals();
        let done = match command {
            RequestsCommand::List(args) => {
                interruptible(&mut stop, list(&session, args), "nothing was changed").await
            }
            RequestsCommand::Get(args) => {
                interruptible(
                    &mut stop,
                    get(&session, &args.id, args.format.into()),
                    "nothing was changed",
                )
                .await
            }
            RequestsCommand::Count(args) => {
                interruptible(&mut stop, count(&session, args.json), "nothing was changed").await
            }
            RequestsCommand::Create(args) => create(&session, args, &mut stop).await,
            RequestsCommand::Update(args) => {
                interruptible(
                    &mut stop,
                    update(&session, args),
                    "Dropbox may or may not have made the change; check with handin requests get",
                )
                .await
            }
            RequestsCommand::Close(args) => open_or_close(&session, args, false, &mut stop).await,
            RequestsCommand::Reopen(args) => open_or_close(&session, args, true, &mut stop).await,
            RequestsCommand::Delete(args) => delete(&session, args, &mut stop).await,
            RequestsCommand::DeleteClosed(args) => {
                interruptible(
                    &mut stop,
                    delete_closed(&session, args),
                    "Dropbox may or may not have deleted them; check with handin requests list \
                     --closed",
                )
                .await
            }
        };
        done.unwrap_or_else(Failure::report)
    })
}

fn name(command: &RequestsCommand) -> &'static str {
    match command {
        RequestsCommand::List(_) => "list",
        RequestsCommand::Get(_) => "get",
        RequestsCommand::Create(_) => "create",
        RequestsCommand::Update(_) => "update",
        RequestsCommand::Close(_) => "close",
        RequestsCommand::Reopen(_) => "reopen",
        RequestsCommand::Delete(_) => "delete",
        RequestsCommand::DeleteClosed(_) => "delete-closed",
        RequestsCommand::Count(_) => "count",
    }
}

/// Runs `work` unless Ctrl-C (or SIGTERM) comes first; then says `meanwhile` (what may
/// or may not have happened) and exits 130 (143).
async fn interruptible<T>(
    stop: &mut watch::Receiver<Option<ExitCode>>,
    work: impl Future<Output = Result<T, Failure>>,
    meanwhile: &str,
) -> Result<T, Failure> {
    tokio::select! {
        done = work => done,
        code = stopped(stop) => Err(Failure {
            code,
            sentence: format!("interrupted; {meanwhile}."),
        }),
    }
}

async fn list(session: &Session, args: &RequestsListArgs) -> Result<ExitCode, Failure> {
    let mut requests = all_requests(session).await?;
    let courses_root = &session.setup.config.courses_root;
    if let Some(course) = &args.course {
        let everything = requests.clone();
        requests.retain(|request| {
            request
                .destination
                .as_deref()
                .is_some_and(|destination| in_course(destination, course, courses_root))
        });
        if requests.is_empty() {
            return Err(Failure::dropbox(no_such_course(
                course,
                &everything,
                courses_root,
            )));
        }
    }
    requests.retain(|request| !(args.open && !request.is_open || args.closed && request.is_open));
    sort(&mut requests);
    output::print_requests(&requests, args.format.into(), Utc::now());
    Ok(ExitCode::Done)
}

async fn all_requests(session: &Session) -> Result<Vec<FileRequest>, Failure> {
    session
        .dropbox
        .list_requests()
        .await
        .map_err(|error| Failure::from_dropbox("could not list the file requests", &error))
}

/// Soonest deadline first, those without one last, then by title: as the Requests tab
/// sorts by default, and stable from run to run.
fn sort(requests: &mut [FileRequest]) {
    requests.sort_by_cached_key(|request| {
        let deadline = request
            .deadline
            .as_ref()
            .and_then(|d| time::parse_dropbox(&d.deadline));
        (
            deadline.is_none(),
            deadline,
            request.title.to_lowercase(),
            request.id.clone(),
        )
    });
}

async fn get(session: &Session, id: &str, format: Format) -> Result<ExitCode, Failure> {
    let request = fetch(session, id).await?;
    output::print_request(&request, format, Utc::now());
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

async fn count(session: &Session, json: bool) -> Result<ExitCode, Failure> {
    let count = session
        .dropbox
        .count_requests()
        .await
        .map_err(|error| Failure::from_dropbox("could not count the file requests", &error))?;
    if json {
        output::emit_json(&serde_json::json!({ "count": count }));
    } else {
        output::emit(&format!("{count}\n"));
    }
    Ok(ExitCode::Done)
}

// ---------------------------------------------------------------------------------------
// Creating

/// The flag that sets each part of a request, for sentences about flags.
fn flag(field: Field) -> &'static str {
    match field {
        Field::Title => "--title",
        Field::Destination => "--dest",
        Field::Deadline => "--deadline",
        Field::Grace => "--grace",
        Field::Description => "--description",
        Field::Open => "--closed",
    }
}

/// Problems with flags: one line each, then exit 2.
fn flag_failure(errors: Vec<FieldError>) -> Failure {
    let lines: Vec<String> = errors
        .into_iter()
        .map(|error| format!("{}: {}", flag(error.field), error.reason))
        .collect();
    Failure::usage(lines.join("\nhandin: "))
}

async fn create(
    session: &Session,
    args: &RequestCreateArgs,
    stop: &mut watch::Receiver<Option<ExitCode>>,
) -> Result<ExitCode, Failure> {
    let now = Utc::now();
    let default_grace = session.setup.config.default_grace.to_grace();
    let format = Format::from(args.format);
    let (mut rows, source) = match &args.from {
        Some(path) => (
            read_syllabus(path, now, default_grace)?,
            Some(path.as_path()),
        ),
        None => {
            let draft = Draft {
                title: args.title.clone().unwrap_or_default(),
                destination: args.destination.clone().unwrap_or_default(),
                deadline: args.deadline.clone().map(DeadlineText::Text),
                grace: args.grace.clone(),
                description: args.description.clone(),
                open: !args.closed,
            };
            let request = draft
                .check(now, Zone::Local, default_grace)
                .map_err(flag_failure)?;
            (vec![Row { line: 0, request }], None)
        }
    };
    if let Some(path) = source {
        let existing = interruptible(stop, all_requests(session), "nothing was created").await;
        let existing = existing.map_err(|failure| Failure {
            sentence: format!("{} Nothing was created.", failure.sentence),
            ..failure
        })?;
        rows = refuse_duplicates(session, path, rows, &existing, args.skip_existing)?;
        if rows.is_empty() {
            session.say("Every request of the syllabus exists already; nothing was created.");
            output::print_requests(&[], format, now);
            return Ok(ExitCode::Done);
        }
    }
    if args.dry_run {
        print_planned(&rows, format, now);
        session.say(format!(
            "Checked: {} would be created; nothing was (--dry-run).",
            count_of(rows.len(), "file request")
        ));
        return Ok(ExitCode::Done);
    }
    if source.is_none() {
        let request = interruptible(
            stop,
            async {
                session
                    .dropbox
                    .create_request(rows[0].request.create_args())
                    .await
                    .map_err(|error| {
                        Failure::from_dropbox("Dropbox did not create the file request", &error)
                    })
            },
            "Dropbox may or may not have created the request; check with handin requests list",
        )
        .await?;
        output::print_request(&request, format, Utc::now());
        return Ok(ExitCode::Done);
    }
    create_all(session, &rows, format, stop).await
}

/// Reads and checks a whole syllabus; every problem is reported before anything exists.
fn read_syllabus(
    path: &Path,
    now: DateTime<Utc>,
    default_grace: Option<crate::dropbox::GracePeriod>,
) -> Result<Vec<Row>, Failure> {
    let shown = shown_path(path);
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
            .map_err(|error| {
                Failure::usage(format!("could not read the syllabus from stdin: {error}."))
            })?
    } else {
        std::fs::read(path).map_err(|error| {
            Failure::usage(format!("could not read the syllabus {shown}: {error}."))
        })?
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::usage(format!(
            "the syllabus {shown} is not UTF-8 text; save it as UTF-8 (\"CSV UTF-8\" in a \
             spreadsheet) and run the command again."
        ))
    })?;
    let format = syllabus::Format::detect((path != Path::new("-")).then_some(path), &text);
    syllabus::parse(&text, format, now, Zone::Local, default_grace).map_err(|errors| {
        let mut sentence = format!(
            "the syllabus {shown} has {}; nothing was created:",
            count_of(errors.len(), "problem")
        );
        for error in errors {
            sentence.push_str(&format!("\n  {error}"));
        }
        Failure::usage(sentence)
    })
}

fn shown_path(path: &Path) -> String {
    if path == Path::new("-") {
        "on stdin".to_string()
    } else {
        path.display().to_string()
    }
}

/// A row that would make a second request just like one that exists (same title and
/// folder) is refused: running the same syllabus twice, or again after a failure
/// half-way, must not double the term's requests.
fn refuse_duplicates(
    session: &Session,
    path: &Path,
    rows: Vec<Row>,
    existing: &[FileRequest],
    skip_existing: bool,
) -> Result<Vec<Row>, Failure> {
    let key =
        |title: &str, destination: &str| (title.trim().to_lowercase(), destination.to_lowercase());
    let held: std::collections::HashMap<_, &FileRequest> = existing
        .iter()
        .filter_map(|request| {
            Some((
                key(&request.title, request.destination.as_deref()?),
                request,
            ))
        })
        .collect();
    let mut seen = std::collections::HashMap::new();
    let mut problems = Vec::new();
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let wanted = key(&row.request.title, &row.request.destination);
        if let Some(request) = held.get(&wanted) {
            if skip_existing {
                session.say(format!(
                    "Skipped line {}: \"{}\" exists already (id {}).",
                    row.line,
                    visible(&request.title),
                    visible(&request.id)
                ));
                continue;
            }
            problems.push(format!(
                "line {}: \"{}\" saving into {} exists already (id {}); remove the row, add \
                 --skip-existing, or delete that request first.",
                row.line,
                visible(&request.title),
                visible(&row.request.destination),
                visible(&request.id)
            ));
        } else if let Some(first) = seen.insert(wanted.clone(), row.line) {
            problems.push(format!(
                "line {}: the same title and folder as line {first}; give each request its own \
                 folder, or remove one of the rows.",
                row.line
            ));
        }
        kept.push(row);
    }
    if problems.is_empty() {
        return Ok(kept);
    }
    Err(Failure::usage(format!(
        "the syllabus {} has {}; nothing was created:\n  {}",
        shown_path(path),
        count_of(problems.len(), "problem"),
        problems.join("\n  ")
    )))
}

/// What a dry run would create, as [`RequestJson`] would have it (no id or link yet).
#[derive(Serialize)]
struct PlannedJson {
    /// The syllabus line; absent for a request given with flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    title: String,
    destination: String,
    open: bool,
    deadline: Option<String>,
    grace: Option<&'static str>,
    description: Option<String>,
}

fn print_planned(rows: &[Row], format: Format, now: DateTime<Utc>) {
    let planned = |row: &Row| {
        let request: &NewRequest = &row.request;
        PlannedJson {
            line: (row.line > 0).then_some(row.line),
            title: request.title.clone(),
            destination: request.destination.clone(),
            open: request.open,
            deadline: request.deadline.map(output::rfc3339),
            grace: request.grace.as_ref().map(|g| grace::tag(Some(g))),
            description: request.description.clone(),
        }
    };
    match format {
        Format::Json => output::emit_json(&rows.iter().map(planned).collect::<Vec<_>>()),
        Format::Csv | Format::Human => {
            let mut table = Table::new(&[
                ("LINE", true),
                ("TITLE", false),
                ("STATE", false),
                ("DEADLINE", false),
                ("GRACE", false),
                ("FOLDER", false),
            ]);
            for row in rows {
                let request = &row.request;
                table.push(vec![
                    if row.line > 0 {
                        row.line.to_string()
                    } else {
                        String::new()
                    },
                    request.title.clone(),
                    if request.open { "open" } else { "closed" }.to_string(),
                    request
                        .deadline
                        .map_or_else(|| "—".to_string(), |at| time::short(at, now, Zone::Local)),
                    if request.deadline.is_some() {
                        grace::label(request.grace.as_ref()).to_string()
                    } else {
                        String::new()
                    },
                    request.destination.clone(),
                ]);
            }
            output::emit(&table.render());
        }
    }
}

/// Why creating a syllabus stopped before its end.
enum Halt {
    Refused(Failure),
    /// Ctrl-C or SIGTERM, and whether a request was being created at that moment (it
    /// may then exist or not).
    Interrupted {
        code: ExitCode,
        mid_call: bool,
    },
}

/// Creates the rows one by one, in the file's order. The first failure (or Ctrl-C)
/// stops it, and the summary says exactly which requests exist and which do not.
async fn create_all(
    session: &Session,
    rows: &[Row],
    format: Format,
    stop: &mut watch::Receiver<Option<ExitCode>>,
) -> Result<ExitCode, Failure> {
    let bar = progress_bar(session, rows.len() as u64, "Creating");
    let mut created: Vec<(usize, FileRequest)> = Vec::with_capacity(rows.len());
    let mut halt: Option<(usize, Halt)> = None;
    for (index, row) in rows.iter().enumerate() {
        if let Some(code) = was_stopped(stop) {
            halt = Some((
                index,
                Halt::Interrupted {
                    code,
                    mid_call: false,
                },
            ));
            break;
        }
        if let Some(bar) = &bar {
            bar.set_message(visible(&row.request.title).into_owned());
        }
        let made = tokio::select! {
            made = session.dropbox.create_request(row.request.create_args()) => made,
            code = stopped(stop) => {
                halt = Some((index, Halt::Interrupted { code, mid_call: true }));
                break;
            }
        };
        match made {
            Ok(request) => created.push((row.line, request)),
            Err(error) => {
                let refused = Failure::from_dropbox("Dropbox did not create it", &error);
                halt = Some((index, Halt::Refused(refused)));
                break;
            }
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let requests: Vec<FileRequest> = created.iter().map(|(_, request)| request.clone()).collect();
    // The result is what exists, even after a failure.
    output::print_requests(&requests, format, Utc::now());
    let Some((stopped_at, halt)) = halt else {
        session.say(format!(
            "Created {}.",
            count_of(created.len(), "file request")
        ));
        return Ok(ExitCode::Done);
    };
    let row = &rows[stopped_at];
    let (mut sentence, code) = match halt {
        Halt::Interrupted {
            code,
            mid_call: true,
        } => (
            format!(
                "interrupted while creating line {} (\"{}\"), which Dropbox may or may not \
                 have created.",
                row.line,
                visible(&row.request.title)
            ),
            code,
        ),
        Halt::Interrupted {
            code,
            mid_call: false,
        } => (
            format!(
                "interrupted before line {} (\"{}\").",
                row.line,
                visible(&row.request.title)
            ),
            code,
        ),
        Halt::Refused(failure) => (
            format!(
                "line {} (\"{}\"): {}",
                row.line,
                visible(&row.request.title),
                failure.sentence
            ),
            if created.is_empty() {
                failure.code
            } else {
                ExitCode::Partial
            },
        ),
    };
    if created.is_empty() {
        sentence.push_str(" No request was created.");
    } else {
        let listed: Vec<String> = created
            .iter()
            .map(|(line, request)| {
                format!(
                    "line {line} \"{}\" (id {})",
                    visible(&request.title),
                    visible(&request.id)
                )
            })
            .collect();
        sentence.push_str(&format!(" Created before it: {}.", listed.join(", ")));
    }
    sentence.push_str(&format!(
        " Not created: {} from line {} on. Once the problem is fixed, run the same command \
         with --skip-existing to create the rest.",
        count_of(rows.len() - created.len(), "request"),
        row.line
    ));
    Err(Failure { code, sentence })
}

fn progress_bar(session: &Session, length: u64, verb: &str) -> Option<ProgressBar> {
    if session.is_quiet() || !std::io::stderr().is_terminal() || length < 2 {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{verb} {{pos}}/{{len}} {{bar:30.cyan/blue}} {{wide_msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

fn count_of(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

// ---------------------------------------------------------------------------------------
// Changing

async fn update(session: &Session, args: &RequestUpdateArgs) -> Result<ExitCode, Failure> {
    let original = fetch(session, &args.id).await?;
    let changes = Changes {
        title: args.title.clone(),
        destination: args.destination.clone(),
        deadline: if args.no_deadline {
            Some(None)
        } else {
            args.deadline
                .clone()
                .map(|text| Some(DeadlineText::Text(text)))
        },
        grace: args.grace.clone(),
        description: args.description.clone(),
    };
    let format = Format::from(args.format);
    let Some(update) = changes
        .update_args(&original, Utc::now(), Zone::Local)
        .map_err(flag_failure)?
    else {
        session.say(format!(
            "Nothing to change: \"{}\" is already as asked.",
            visible(&original.title)
        ));
        output::print_request(&original, format, Utc::now());
        return Ok(ExitCode::Done);
    };
    let updated = session
        .dropbox
        .update_request(update)
        .await
        .map_err(|error| {
            Failure::from_dropbox(
                &format!("Dropbox did not change \"{}\"", visible(&original.title)),
                &error,
            )
        })?;
    output::print_request(&updated, format, Utc::now());
    Ok(ExitCode::Done)
}

/// Each id once, in the order given.
fn distinct(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(|id| id.trim().to_string())
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// What a batch over ids ends with: the requests done, and a failure per id that failed.
struct Batch {
    done: Vec<FileRequest>,
    failed: Vec<Failure>,
    interrupted: Option<ExitCode>,
}

impl Batch {
    /// Prints the result, reports the failures, and gives the exit status: 0 all done,
    /// 3 some failed, the failure's own when all failed, 130 when interrupted.
    fn finish(
        self,
        session: &Session,
        format: Format,
        verb: &str,
        untouched: &[String],
    ) -> ExitCode {
        let now = Utc::now();
        match format {
            Format::Json => output::emit_json(
                &self
                    .done
                    .iter()
                    .map(|request| RequestJson::new(request, now))
                    .collect::<Vec<_>>(),
            ),
            _ => {
                let mut table =
                    Table::new(&[("", false), ("ID", false), ("TITLE", false)]).without_header();
                for request in &self.done {
                    table.push(vec![
                        verb.to_string(),
                        request.id.clone(),
                        request.title.clone(),
                    ]);
                }
                if !self.done.is_empty() {
                    output::emit(&table.render());
                }
            }
        }
        let some_failed = !self.failed.is_empty();
        let all_failed = self.done.is_empty();
        let last_code = self.failed.last().map(|failure| failure.code);
        for failure in self.failed {
            eprintln!("handin: {}", visible_lines(&failure.sentence));
        }
        if let Some(code) = self.interrupted {
            eprintln!("handin: interrupted; not {verb}: {}.", untouched.join(", "));
            return code;
        }
        match (some_failed, all_failed) {
            (false, _) => {
                session.say(format!(
                    "{} {}.",
                    super::submissions::capitalise(verb),
                    count_of(self.done.len(), "file request")
                ));
                ExitCode::Done
            }
            (true, true) => last_code.unwrap_or(ExitCode::Refused),
            (true, false) => ExitCode::Partial,
        }
    }
}

async fn open_or_close(
    session: &Session,
    args: &RequestIdsArgs,
    open: bool,
    stop: &mut watch::Receiver<Option<ExitCode>>,
) -> Result<ExitCode, Failure> {
    let verb = if open { "reopened" } else { "closed" };
    let ids = distinct(&args.ids);
    let mut batch = Batch {
        done: Vec::new(),
        failed: Vec::new(),
        interrupted: None,
    };
    let mut untouched = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        let change = UpdateFileRequestArgs::new(id.clone()).with_open(open);
        let result = tokio::select! {
            result = session.dropbox.update_request(change) => result,
            code = stopped(stop) => {
                batch.interrupted = Some(code);
                untouched.push(format!("{id} (perhaps)"));
                untouched.extend(ids[index + 1..].iter().cloned());
                break;
            }
        };
        match result {
            Ok(request) => batch.done.push(request),
            Err(error) if error.tag() == Some("not_found") => {
                batch.failed.push(session::request_failure(id, &error));
            }
            Err(error) => batch.failed.push(Failure::from_dropbox(
                &format!(
                    "Dropbox did not {} \"{id}\"",
                    if open { "reopen" } else { "close" }
                ),
                &error,
            )),
        }
    }
    Ok(batch.finish(session, args.format.into(), verb, &untouched))
}

/// "Lab 1", "Lab 2" and 3 more.
fn titles(requests: &[&FileRequest]) -> String {
    let mut named: Vec<String> = requests
        .iter()
        .take(TITLES_SHOWN)
        .map(|request| format!("\"{}\"", visible(&request.title)))
        .collect();
    if requests.len() > TITLES_SHOWN {
        named.push(format!("{} more", requests.len() - TITLES_SHOWN));
    }
    named.join(", ")
}

async fn delete(
    session: &Session,
    args: &RequestDeleteArgs,
    stop: &mut watch::Receiver<Option<ExitCode>>,
) -> Result<ExitCode, Failure> {
    let ids = distinct(&args.ids);
    let mut batch = Batch {
        done: Vec::new(),
        failed: Vec::new(),
        interrupted: None,
    };
    let looked_up = interruptible(
        stop,
        async { Ok(futures::future::join_all(ids.iter().map(|id| fetch(session, id))).await) },
        "nothing was deleted",
    )
    .await?;
    let mut found = Vec::new();
    for result in looked_up {
        match result {
            Ok(request) => found.push(request),
            Err(failure) => batch.failed.push(failure),
        }
    }
    if found.is_empty() {
        return Ok(batch.finish(session, args.format.into(), "deleted", &[]));
    }
    let open = found.iter().filter(|request| request.is_open).count();
    let question = format!(
        "Delete {} for good ({}){}? Their links stop working; files already uploaded stay \
         in Dropbox.",
        count_of(found.len(), "file request"),
        titles(&found.iter().collect::<Vec<_>>()),
        match open {
            0 => String::new(),
            1 if found.len() == 1 => "; it is open, and is closed first".to_string(),
            n => format!("; {n} of them are open, and are closed first"),
        }
    );
    if !session::confirm(&question, args.confirm.yes)? {
        for failure in batch.failed {
            eprintln!("handin: {}", visible_lines(&failure.sentence));
        }
        session.say("Nothing was deleted.");
        return Ok(ExitCode::Done);
    }
    let mut untouched = Vec::new();
    for (index, request) in found.iter().enumerate() {
        let result = tokio::select! {
            result = close_and_delete(session, request) => result,
            code = stopped(stop) => {
                batch.interrupted = Some(code);
                untouched.push(format!("{} (perhaps)", visible(&request.id)));
                untouched.extend(found[index + 1..].iter().map(|r| visible(&r.id).into_owned()));
                break;
            }
        };
        match result {
            Ok(()) => batch.done.push(request.clone()),
            Err(failure) => batch.failed.push(failure),
        }
    }
    Ok(batch.finish(session, args.format.into(), "deleted", &untouched))
}

/// Dropbox deletes closed requests only: an open one is closed first, as the TUI does.
async fn close_and_delete(session: &Session, request: &FileRequest) -> Result<(), Failure> {
    let failed = |error: &crate::dropbox::DropboxError| {
        Failure::from_dropbox(
            &format!(
                "Dropbox did not delete \"{}\" ({})",
                visible(&request.title),
                visible(&request.id)
            ),
            error,
        )
    };
    if request.is_open {
        let close = UpdateFileRequestArgs::new(request.id.clone()).with_open(false);
        session
            .dropbox
            .update_request(close)
            .await
            .map_err(|e| failed(&e))?;
    }
    session
        .dropbox
        .delete_requests(vec![request.id.clone()])
        .await
        .map(|_| ())
        .map_err(|e| failed(&e))
}

async fn delete_closed(
    session: &Session,
    args: &RequestDeleteClosedArgs,
) -> Result<ExitCode, Failure> {
    let format = Format::from(args.format);
    let requests = all_requests(session).await?;
    let closed: Vec<&FileRequest> = requests.iter().filter(|request| !request.is_open).collect();
    if closed.is_empty() {
        session.say("There are no closed file requests to delete.");
        if format == Format::Json {
            output::emit_json(&Vec::<RequestJson>::new());
        }
        return Ok(ExitCode::Done);
    }
    let question = format!(
        "Delete all {} for good ({})? Their links stop working; files already uploaded stay \
         in Dropbox.",
        count_of(closed.len(), "closed file request"),
        titles(&closed)
    );
    if !session::confirm(&question, args.confirm.yes)? {
        session.say("Nothing was deleted.");
        return Ok(ExitCode::Done);
    }
    let deleted = session.dropbox.delete_all_closed().await.map_err(|error| {
        Failure::from_dropbox("Dropbox did not delete the closed requests", &error)
    })?;
    let batch = Batch {
        done: deleted,
        failed: Vec::new(),
        interrupted: None,
    };
    Ok(batch.finish(session, format, "deleted", &[]))
}
