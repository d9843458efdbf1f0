//! `handin download`: the download engine from a shell, for grading on a lab machine or
//! from a script. Progress goes to stderr while it is a terminal; the summary always
//! goes to stderr; stdout stays empty. Exit statuses are documented in the command's
//! `--help` (see `crate::cli`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use futures::StreamExt as _;

use super::{Cli, RequestIdParser};
use crate::download::{self, Cancel, Item, Options, Progress, Snapshot, Summary, human_duration};
use crate::dropbox::{Dropbox, FileRequest};
use crate::size::human_bytes;
use crate::submissions::Assignments;
use crate::untrusted::{visible, visible_lines};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::ExitCode;
use super::Setup;
use super::session::{self, stopped};

pub(super) const DOWNLOAD_HELP: &str = "\
Files land in DIR/<course>/<request title>/<student>/<file name>. Each file is checked
against Dropbox's content hash before it takes its name; a file already there with the
same content is left alone, so running the command again fetches only what is new. A
different local file of the same name (an annotated copy, say) is kept beside the new
one as \"<name> (local copy)\". Ctrl-C stops at once: partly downloaded files stay in
DIR/.handin-partial and are resumed next time. Folders are made 0700 and files 0600.

Signs in as `handin auth login` left it, or with the access token in HANDIN_TOKEN.
Progress is drawn on stderr when it is a terminal; the summary always goes to stderr,
and nothing is written to stdout.

Examples:
  handin download nZ3sxAbXpq8bD7hbCGkU
  handin download --course \"CS101 Intro\" --to ~/grading
  HANDIN_TOKEN=... handin download --course /Courses/CS101 --concurrency 12

A request nobody has uploaded to yet has nothing to download: that is done (0).
Interrupted downloads resume where they stopped when the same command runs again.";

/// `handin download`: which requests, where to, how many files at once.
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("which")
        .args(["requests", "course"])
        .required(true)
        .multiple(true)
))]
pub struct DownloadArgs {
    /// File request ids (Requests tab, or the end of the request's link).
    #[arg(value_name = "REQUEST_ID", value_parser = RequestIdParser)]
    pub requests: Vec<String>,

    /// Also every request saving into this course: its folder's name ("CS101 Intro") or
    /// Dropbox path ("/Courses/CS101 Intro"). May be given more than once.
    #[arg(long, value_name = "FOLDER")]
    pub course: Vec<String>,

    /// Folder to download into (default: download_dir in the config, else
    /// ~/handin-downloads).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,

    /// Files downloaded at once, 1 to 32 (default: download_concurrency in the config, 6).
    #[arg(long, value_name = "N", value_parser = parse_concurrency)]
    pub concurrency: Option<u32>,
}

/// What `--concurrency` accepts: the same range as `download_concurrency`.
fn parse_concurrency(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n @ 1..=32) => Ok(n),
        _ => Err(format!(
            "{text:?} is not a number of files from 1 to 32 (6 suits most connections)"
        )),
    }
}

/// Requests listed at once while planning.
const LISTINGS_AT_ONCE: usize = 4;

/// How often the progress bar is brought up to date.
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// Request folders named one by one in the summary; more are summed up.
const FOLDERS_SHOWN: usize = 8;

/// What to download and how, once the flags and the config agree.
struct Plan {
    root: PathBuf,
    courses_root: String,
    assignments: Assignments,
    /// Says which class list is a course's.
    config: crate::config::Config,
    /// Where `~` in a class list's path starts.
    home: Option<PathBuf>,
    /// The class lists that could be read, by file, which spell the student folders as
    /// the TUI does.
    rosters: std::collections::HashMap<PathBuf, crate::submissions::Roster>,
    options: Options,
}

/// The class lists named in the config; one that cannot be read is said on stderr and
/// left out (its students' folders are then named from the file names).
fn load_rosters(
    config: &crate::config::Config,
    home: Option<&Path>,
) -> std::collections::HashMap<PathBuf, crate::submissions::Roster> {
    let mut rosters = std::collections::HashMap::new();
    for course in config.rosters.keys() {
        let Some(path) = crate::file_request::roster_for(config, course, home) else {
            continue;
        };
        if rosters.contains_key(&path) {
            continue;
        }
        match crate::submissions::load_roster(&path) {
            Ok(roster) => {
                rosters.insert(path, roster);
            }
            Err(message) => eprintln!(
                "handin: {message} Student folders of {course} are named from the file names."
            ),
        }
    }
    rosters
}

impl Plan {
    fn roster_of(
        &self,
        request: &crate::dropbox::FileRequest,
    ) -> Option<&crate::submissions::Roster> {
        let course =
            crate::file_request::course_of(request.destination.as_deref()?, &self.courses_root)?;
        self.rosters.get(&crate::file_request::roster_for(
            &self.config,
            &course,
            self.home.as_deref(),
        )?)
    }
}

pub fn command(runtime: &tokio::runtime::Runtime, cli: &Cli, args: &DownloadArgs) -> ExitCode {
    let setup = match Setup::from_cli(cli) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("handin: {message}");
            return ExitCode::Usage;
        }
    };
    let Some(root) = args.to.clone().or_else(|| setup.config.download_dir()) else {
        eprintln!("handin: there is no home folder to download into; name a folder with --to.");
        return ExitCode::Usage;
    };
    // Shown in messages and independent of where a script happens to run.
    let root = std::path::absolute(&root).unwrap_or(root);
    let assignments_file = setup.paths.data_dir.join("assignments.json");
    let assignments = match Assignments::load(&assignments_file) {
        Ok(assignments) => assignments,
        Err(sentence) => {
            // Without them files would land under other students' folders than the
            // TUI puts them in.
            eprintln!("handin: {sentence}");
            return ExitCode::Usage;
        }
    };
    let dropbox = match session::dropbox(cli, &setup) {
        Ok(dropbox) => dropbox,
        Err(failure) => return failure.report(),
    };
    let home = crate::file_request::home_folder();
    let plan = Plan {
        root,
        courses_root: setup.config.courses_root.clone(),
        assignments,
        rosters: load_rosters(&setup.config, home.as_deref()),
        config: setup.config.clone(),
        home,
        options: Options {
            concurrency: args
                .concurrency
                .unwrap_or(setup.config.download_concurrency) as usize,
            ..Options::default()
        },
    };
    tracing::info!(
        requests = args.requests.len(),
        courses = args.course.len(),
        concurrency = plan.options.concurrency,
        "handin download"
    );
    runtime.block_on(download(&dropbox, args, &plan, cli.quiet))
}

async fn download(dropbox: &Dropbox, args: &DownloadArgs, plan: &Plan, quiet: bool) -> ExitCode {
    let interactive = std::io::stderr().is_terminal();
    let mut stop = session::watch_signals();

    let spinner = interactive.then(|| {
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        spinner.set_style(
            ProgressStyle::with_template("{spinner:.cyan} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.set_message("Looking up the file requests…");
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    });
    let planned = tokio::select! {
        planned = requests_and_items(dropbox, args, plan, spinner.as_ref()) => planned,
        code = stopped(&mut stop) => {
            if let Some(spinner) = &spinner {
                spinner.finish_and_clear();
            }
            eprintln!("handin: interrupted before downloading anything.");
            return code;
        }
    };
    if let Some(spinner) = &spinner {
        spinner.finish_and_clear();
    }
    let (requests, items) = match planned {
        Ok(planned) => planned,
        Err(sentence) => {
            eprintln!("handin: {}", visible_lines(&sentence));
            return ExitCode::Refused;
        }
    };
    let mut folders: Vec<PathBuf> = requests
        .iter()
        .map(|(_, folder, _)| folder.clone())
        .collect();
    let mut seen = HashSet::new();
    folders.retain(|folder| seen.insert(folder.clone()));
    if items.is_empty() {
        let what = match requests.len() {
            1 => "the file request has".to_owned(),
            n => format!("the {n} file requests have"),
        };
        session::say(quiet, format!("Nothing to download: {what} no files yet."));
        return ExitCode::Done;
    }
    // Which request each item came from, for the failures of a run over several.
    let owners: Vec<&str> = requests
        .iter()
        .flat_map(|(title, _, count)| std::iter::repeat_n(title.as_str(), *count))
        .collect();

    let progress = Progress::new();
    let cancel = Cancel::new();
    let bar = interactive.then(progress_bar);
    let run = download::run(dropbox, items, &plan.options, &progress, &cancel);
    tokio::pin!(run);
    let mut redraw = tokio::time::interval(REDRAW_EVERY);
    let mut interrupted = None;
    let summary = loop {
        tokio::select! {
            summary = &mut run => break summary,
            code = stopped(&mut stop), if interrupted.is_none() => {
                interrupted = Some(code);
                cancel.cancel();
            }
            _ = redraw.tick(), if bar.is_some() => {
                if let Some(bar) = &bar {
                    draw(bar, &progress.snapshot());
                }
            }
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    report(&summary, &owners, &folders, requests.len() > 1);
    match interrupted {
        Some(code) if summary.cancelled => code,
        _ if summary.failed() > 0 => ExitCode::Partial,
        _ => ExitCode::Done,
    }
}

/// (title, local folder, number of items) per request, and the items of all of them.
type Planned = (Vec<(String, PathBuf, usize)>, Vec<Item>);

/// The requests named on the command line and those of the courses, in that order and
/// each once, and their files planned under the root.
async fn requests_and_items(
    dropbox: &Dropbox,
    args: &DownloadArgs,
    plan: &Plan,
    spinner: Option<&ProgressBar>,
) -> Result<Planned, String> {
    let mut requests: Vec<FileRequest> = Vec::new();
    let named = futures::future::join_all(args.requests.iter().map(|id| async move {
        dropbox
            .get_request(id.trim())
            .await
            .map_err(|error| session::request_failure(id, &error).sentence)
    }))
    .await;
    for request in named {
        requests.push(request?);
    }
    if !args.course.is_empty() {
        let all = dropbox.list_requests().await.map_err(|error| {
            format!(
                "could not list the file requests: {}",
                session::sentence(&error)
            )
        })?;
        for course in &args.course {
            let before = requests.len();
            requests.extend(
                all.iter()
                    .filter(|request| {
                        request
                            .destination
                            .as_deref()
                            .is_some_and(|d| in_course(d, course, &plan.courses_root))
                    })
                    .cloned(),
            );
            if requests.len() == before {
                return Err(no_such_course(course, &all, &plan.courses_root));
            }
        }
    }
    let mut seen = HashSet::new();
    requests.retain(|request| seen.insert(request.id.clone()));

    if let Some(spinner) = spinner {
        spinner.set_message(match requests.len() {
            1 => "Listing the request's files…".to_owned(),
            n => format!("Listing the files of {n} requests…"),
        });
    }
    let listed: Vec<Result<Vec<Item>, String>> = futures::stream::iter(requests.iter())
        .map(|request| async move {
            download::plan_request(
                dropbox,
                request,
                &plan.root,
                &plan.courses_root,
                &plan.assignments,
                plan.roster_of(request),
            )
            .await
            .map_err(|error| {
                format!(
                    "could not list the files of \"{}\": {}",
                    visible(&request.title),
                    session::sentence(&error)
                )
            })
        })
        .buffered(LISTINGS_AT_ONCE)
        .collect()
        .await;
    let mut summary = Vec::with_capacity(requests.len());
    let mut items = Vec::new();
    for (request, listed) in requests.iter().zip(listed) {
        let listed = listed?;
        let folder = request_folder(&plan.root, request, &plan.courses_root);
        summary.push((request.title.clone(), folder, listed.len()));
        items.extend(listed);
    }
    Ok((summary, items))
}

fn request_folder(root: &Path, request: &FileRequest, courses_root: &str) -> PathBuf {
    let destination = request.destination.as_deref().unwrap_or_default();
    download::request_folder(
        root,
        &download::course_folder_name(destination, courses_root),
        &request.title,
    )
}

/// Whether a request saving into `destination` belongs to the course named on the
/// command line: a Dropbox path (the course folder or any folder above the request's),
/// or the course folder's name as the download layout uses it. Case does not matter, as
/// it does not in Dropbox.
pub(super) fn in_course(destination: &str, course: &str, courses_root: &str) -> bool {
    let wanted = course.trim().trim_end_matches('/');
    if wanted.is_empty() {
        return false;
    }
    if wanted.contains('/') {
        let wanted = if wanted.starts_with('/') {
            wanted.to_lowercase()
        } else {
            format!("/{}", wanted.to_lowercase())
        };
        let destination = destination.trim_end_matches('/').to_lowercase();
        return destination == wanted || destination.starts_with(&format!("{wanted}/"));
    }
    let name = download::course_folder_name(destination, courses_root);
    name.to_lowercase() == download::safe_name(wanted).to_lowercase()
}

/// An unknown course, with the courses there are.
pub(super) fn no_such_course(course: &str, requests: &[FileRequest], courses_root: &str) -> String {
    let mut courses: Vec<String> = requests
        .iter()
        .filter_map(|request| request.destination.as_deref())
        .map(|destination| download::course_folder_name(destination, courses_root))
        .collect();
    courses.sort_by_key(|name| name.to_lowercase());
    courses.dedup();
    if courses.is_empty() {
        return format!(
            "no file request saves into a course \"{}\": there are no file requests.",
            visible(course)
        );
    }
    let courses: Vec<Cow<'_, str>> = courses.iter().map(|name| visible(name)).collect();
    format!(
        "no file request saves into a course \"{}\"; the courses with requests are: {}.",
        visible(course),
        courses.join(", ")
    )
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    // Two short lines, so that an 80-column terminal wraps neither.
    bar.set_style(
        ProgressStyle::with_template("{bar:30.cyan/blue} {percent:>3}% · {prefix}\n  {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("█▉▊▋▌▍▎▏  "),
    );
    bar
}

/// "12/40 files · 31 MB of 120 MB", then "3.1 MB/s · 12 s left · Ada Lovelace/essay.pdf".
fn draw(bar: &ProgressBar, snapshot: &Snapshot) {
    bar.set_length(snapshot.bytes_total.max(1));
    bar.set_position(snapshot.bytes_done.min(snapshot.bytes_total));
    let mut counts = format!(
        "{}/{} files · {} of {}",
        snapshot.files_done,
        snapshot.files_total,
        human_bytes(snapshot.bytes_done),
        human_bytes(snapshot.bytes_total)
    );
    if snapshot.failed > 0 {
        counts.push_str(&format!(" · {} failed", snapshot.failed));
    }
    bar.set_prefix(counts);
    let mut line = Vec::new();
    if let Some(rate) = snapshot.rate() {
        line.push(format!("{}/s", human_bytes(rate as u64)));
    }
    if let Some(left) = snapshot.time_left() {
        line.push(format!("{} left", human_duration(left)));
    }
    match snapshot.in_flight.as_slice() {
        [] => {}
        [only] => line.push(visible(&only.label).into_owned()),
        [first, rest @ ..] => line.push(format!(
            "{} (and {} more)",
            visible(&first.label),
            rest.len()
        )),
    }
    bar.set_message(line.join(" · "));
}

/// The summary, on stderr: the headline, each failure, where the files are.
fn report(summary: &Summary, owners: &[&str], folders: &[PathBuf], several: bool) {
    let mut headline = summary.headline();
    let resumed = summary.resumed();
    if resumed > 0 {
        headline = headline.replacen(" downloaded", &format!(" downloaded, {resumed} resumed"), 1);
    }
    if summary.bytes_received > 0 {
        headline.push_str(&format!(
            " ({} in {})",
            human_bytes(summary.bytes_received),
            human_duration(summary.elapsed)
        ));
    }
    eprintln!("{headline}.");
    let failures: Vec<_> = summary
        .outcomes
        .iter()
        .enumerate()
        .filter_map(|(index, (item, outcome))| match outcome {
            download::Outcome::Failed { reason } => Some((index, item, reason)),
            _ => None,
        })
        .collect();
    if !failures.is_empty() {
        eprintln!("Failed:");
        for (index, item, reason) in failures {
            let (label, reason) = (visible(&item.label), visible(reason));
            match owners.get(index).filter(|_| several) {
                Some(title) => eprintln!("  {} / {label}: {reason}", visible(title)),
                None => eprintln!("  {label}: {reason}"),
            }
        }
    }
    match folders {
        [] => {}
        [only] => eprintln!("Files are in {}", shown_path(only)),
        _ if folders.len() <= FOLDERS_SHOWN => {
            eprintln!("Files are in:");
            for folder in folders {
                eprintln!("  {}", shown_path(folder));
            }
        }
        _ => {
            let root = common_root(folders);
            eprintln!(
                "Files are in {} folders under {}",
                folders.len(),
                shown_path(&root)
            );
        }
    }
    if summary.cancelled {
        eprintln!("Run the same command again to resume where it stopped.");
    } else if summary.failed() > 0 {
        eprintln!("Run the same command again to retry the failed files; the others are kept.");
    }
}

/// A local folder named after titles and students, as a terminal may show it.
fn shown_path(path: &Path) -> String {
    visible(&path.display().to_string()).into_owned()
}

/// The longest path every folder lies in.
fn common_root(folders: &[PathBuf]) -> PathBuf {
    let mut root = folders.first().cloned().unwrap_or_default();
    for folder in folders {
        while !folder.starts_with(&root) {
            if !root.pop() {
                return PathBuf::new();
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_course_is_named_by_path_or_by_folder_name() {
        let root = "/Courses";
        let lab = "/Courses/CS101 Intro/Lab 1";
        assert!(in_course(lab, "/Courses/CS101 Intro", root));
        assert!(in_course(lab, "/courses/cs101 intro/", root));
        assert!(in_course(lab, "Courses/CS101 Intro", root));
        assert!(in_course(lab, "CS101 Intro", root));
        assert!(in_course(lab, "cs101 intro", root));
        assert!(in_course("/Courses/CS101 Intro", "CS101 Intro", root));
        assert!(!in_course(lab, "CS101", root));
        assert!(!in_course(lab, "/Courses/CS101", root));
        assert!(!in_course("/Courses/CS1010/Lab", "/Courses/CS101", root));
        assert!(in_course("/Teaching/Stats/HW 2", "Stats", root));
        assert!(!in_course(lab, "", root));
    }

    #[test]
    fn the_common_root_of_request_folders() {
        let folders = [
            PathBuf::from("/g/CS101/Lab 1"),
            PathBuf::from("/g/CS101/Lab 2"),
            PathBuf::from("/g/Stats/HW"),
        ];
        assert_eq!(common_root(&folders), PathBuf::from("/g"));
    }
}
