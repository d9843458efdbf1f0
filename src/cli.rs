//! The command line: the TUI by default, `--demo`, `auth` for signing in and out,
//! `requests` and `submissions` for scripts (every capability of the TUI, on the same
//! service layer), `download` for fetching submissions, `completions`, and the emulator
//! server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};

pub use crate::credentials::Secret;

/// Where the options every command takes are listed, apart from each command's own.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "handin",
    version,
    about = "Run homework collection through Dropbox File Requests from the terminal",
    after_help = "Try it without an account: handin --demo"
)]
pub struct Cli {
    /// Configuration file (default: the platform's config folder, handin/config.toml).
    #[arg(long, env = "HANDIN_CONFIG", global = true, help_heading = GLOBAL, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Folder for the log, credentials and local state (default: the platform's data folder).
    #[arg(long, env = "HANDIN_DATA_DIR", global = true, help_heading = GLOBAL, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,

    /// Dropbox access token (from the App Console); used instead of the credentials file,
    /// and never written to it. On the command line it is visible to other users (ps):
    /// prefer HANDIN_TOKEN, or `handin auth login`, on shared machines.
    #[arg(
        long,
        env = "HANDIN_TOKEN",
        hide_env_values = true,
        global = true, help_heading = GLOBAL,
        value_name = "TOKEN"
    )]
    pub token: Option<Secret>,

    /// With a Dropbox Business team token: the team member to act as (dbmid:...);
    /// overrides select_user in the config file.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "ID")]
    pub as_member: Option<String>,

    /// Base URL replacing Dropbox's API hosts, e.g. a running `handin emulator`.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "URL")]
    pub api_base: Option<String>,

    /// Key of the Dropbox app to sign in with (App Console, Settings, App key); overrides
    /// app_key in the config file.
    #[arg(long, env = "HANDIN_APP_KEY", global = true, help_heading = GLOBAL, value_name = "KEY")]
    pub app_key: Option<String>,

    /// Open handin on a built-in Dropbox emulator with a believable term of courses.
    #[arg(long)]
    pub demo: bool,

    /// With --demo: no new submissions arrive while you look around.
    #[arg(long, requires = "demo")]
    pub no_arrivals: bool,

    /// More detail in the log file.
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub verbose: bool,

    /// Scripting commands: no messages on stderr but errors (results still go to stdout).
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The process's arguments, parsed (a usage error exits with clap's message and
    /// status 2, as `Parser::parse` does). `--token` on the command line of `handin
    /// emulator` keeps the meaning it had before `--token` became global: the token the
    /// emulator accepts. From HANDIN_TOKEN it never is, so a real Dropbox token in the
    /// environment is never printed as the emulator's.
    pub fn parse_args() -> Cli {
        Cli::from_matches(Cli::command().get_matches())
    }

    /// As [`Cli::parse_args`], from given arguments (for tests).
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Ok(Cli::from_matches(
            Cli::command().try_get_matches_from(args)?,
        ))
    }

    fn from_matches(matches: clap::ArgMatches) -> Cli {
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
        let emulator = matches.subcommand_matches("emulator");
        let token_typed = emulator.is_some_and(|emulator| {
            emulator.value_source("token") == Some(clap::parser::ValueSource::CommandLine)
                && emulator.value_source("emulator_token")
                    != Some(clap::parser::ValueSource::CommandLine)
        });
        if let (true, Some(Command::Emulator(args))) = (token_typed, &mut cli.command)
            && let Some(token) = cli.token.take()
        {
            args.emulator_token = token.expose().to_string();
        }
        cli
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to Dropbox, sign out, or see who handin acts as.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Download the files of file requests for grading, into course/request/student folders.
    #[command(after_help = DOWNLOAD_HELP)]
    Download(DownloadArgs),
    /// Run the local Dropbox API emulator (for trying handin and for tests).
    Emulator(EmulatorArgs),
    /// List, show, create, change, close, reopen and delete file requests (for scripts).
    #[command(subcommand, after_help = SCRIPTING_HELP)]
    Requests(RequestsCommand),
    /// Who sent what and when, where each student stands, CSV exports (for scripts).
    #[command(subcommand, after_help = SCRIPTING_HELP)]
    Submissions(SubmissionsCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "\
Examples:
  handin completions bash > ~/.local/share/bash-completion/completions/handin
  handin completions zsh > ~/.zfunc/_handin
  handin completions fish > ~/.config/fish/completions/handin.fish")]
    Completions(CompletionsArgs),
    /// Email a request's upload link to a class, or remind those who have not handed in.
    #[command(subcommand)]
    Mail(MailCommand),
}

const SCRIPTING_HELP: &str = "\
Output is for people by default; --json prints one JSON document and --csv RFC 4180 CSV
with a header (fields and columns in the README's Scripting section; times in RFC 3339,
UTC). Only the result goes to stdout; messages go to stderr (-q: errors only).

Signs in as `handin auth login` left it, or with the access token in HANDIN_TOKEN.

Exit status: 0 done; 1 Dropbox refused or could not be reached (an unknown id, not
signed in); 2 bad input (flags, a deadline, a syllabus or roster file, --yes missing
without a terminal); 3 some items of a batch failed (each is named, the others are
done); 130 interrupted (Ctrl-C).";

/// `--json` or `--csv`, or neither for output meant for people.
#[derive(Debug, Clone, Copy, Default, Args)]
#[group(id = "format", multiple = false)]
pub struct FormatArgs {
    /// Print one JSON document (fields in the README's Scripting section).
    #[arg(long)]
    pub json: bool,
    /// Print CSV (RFC 4180) with a header line.
    #[arg(long)]
    pub csv: bool,
}

/// `--json`, for commands whose result is one request or a few.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct JsonArgs {
    /// Print one JSON document (fields in the README's Scripting section).
    #[arg(long)]
    pub json: bool,
}

/// `--yes`, for what cannot be undone.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct YesArgs {
    /// Do not ask; needed when stdin is not a terminal (scripts, cron).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

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

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

const DOWNLOAD_HELP: &str = "\
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

Exit status: 0 every file downloaded or already there; 1 Dropbox refused or could not
be reached before downloading (an unknown request id or course, not signed in, a
listing that failed); 2 bad input (flags, config or assignments file); 3 some files
failed (the others are downloaded, and the failures are listed); 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM).";

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

/// The longest file request id handin accepts. Dropbox's are 20 characters today; the
/// spec bounds only the alphabet, so this leaves room to grow while refusing what is
/// plainly something else (a pasted paragraph, a file's contents).
pub const REQUEST_ID_MAX: usize = 64;

/// A file request id as typed, trimmed, or why it cannot be one. Dropbox's spec says
/// ids match `[-_0-9a-zA-Z]+` (file_requests.stone); anything else would only come
/// back from Dropbox as a 400 "bad request", so it is refused here with a sentence
/// before anything is sent.
pub fn request_id(typed: &str) -> Result<String, String> {
    let id = typed.trim();
    if id.is_empty() {
        return Err(
            "a file request id is empty; copy one from handin requests list (the ID \
                    column), or from the end of the request's link."
                .to_string(),
        );
    }
    let well_formed = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if well_formed && id.len() <= REQUEST_ID_MAX {
        return Ok(id.to_string());
    }
    let shown: String = id.chars().take(REQUEST_ID_MAX).collect();
    let cut = if shown.len() < id.len() { "…" } else { "" };
    Err(format!(
        "\"{}{cut}\" is not a file request id: ids are letters, digits, - and _ (at most \
         {REQUEST_ID_MAX}), like nZ3sxAbXpq8bD7hbCGkU; copy one from handin requests list, or \
         from the end of the request's link.",
        crate::untrusted::visible(&shown)
    ))
}

/// [`request_id`] for clap, with the error in handin's own words: clap's would print
/// the refused value raw, escape sequences and all.
#[derive(Debug, Clone, Copy)]
struct RequestIdParser;

impl clap::builder::TypedValueParser for RequestIdParser {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        _argument: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        request_id(&value.to_string_lossy()).map_err(|sentence| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("{sentence}\n"),
            )
            .with_cmd(command)
        })
    }
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

/// `handin auth ...`. Credentials live in `credentials.toml` under the data folder,
/// readable by you alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum AuthCommand {
    /// Sign in with OAuth 2: open the printed address, allow handin, paste the code back.
    #[command(after_help = "\
Needs the key of a Dropbox app (--app-key, HANDIN_APP_KEY or app_key in the config file):
create a scoped-access app in the App Console with the files and file_requests permissions.
handin keeps the refresh token and renews access by itself until you sign out.

Exit status: 0 signed in; 1 Dropbox refused (a wrong or expired code) or could not be
reached; 2 bad input (no app key, no code, an unusable config or credentials file).")]
    Login,
    /// Revoke handin's access at Dropbox and delete the credentials file.
    #[command(after_help = "\
The credentials file is deleted even when Dropbox cannot be reached to revoke the token;
you are then told to revoke handin's access at dropbox.com (Settings, Connected apps).

Exit status: 0 signed out (or was not signed in); 1 the token could not be revoked at
Dropbox (the file is deleted all the same); 2 the file could not be read or deleted.")]
    Logout,
    /// Say who handin acts as, and how it is signed in.
    #[command(after_help = "\
Exit status: 0 signed in and Dropbox accepts the credentials; 1 not signed in, or Dropbox
refuses the credentials or cannot be reached; 2 an unusable config or credentials file.")]
    Status,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Loopback address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,

    /// What the emulator starts with.
    #[arg(long, value_enum, default_value_t = SeedArg::Demo)]
    pub seed: SeedArg,

    /// Keep the emulator's state in this file across restarts.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The access token clients must send (besides tokens minted by its OAuth endpoints);
    /// the /_emulator/ control routes take only this one. The default is fixed and
    /// public, fine for tests and scripts: on a shared machine give your own through
    /// HANDIN_EMULATOR_TOKEN, since anyone there can reach the port and read a command
    /// line (ps). `--token TOKEN` given to `handin emulator` on the command line means
    /// the same as --accept-token.
    #[arg(
        long = "accept-token",
        value_name = "TOKEN",
        env = "HANDIN_EMULATOR_TOKEN",
        hide_env_values = true,
        default_value = crate::emulator::DEFAULT_TOKEN
    )]
    pub emulator_token: String,

    /// How long access tokens issued through the emulator's OAuth endpoints last.
    #[arg(long, value_name = "SECONDS", default_value_t = 14_400)]
    pub access_token_lifetime: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeedArg {
    /// Three courses, a dozen requests and a few hundred submissions.
    Demo,
    /// Nothing at all.
    Empty,
}

impl From<SeedArg> for crate::emulator::Seed {
    fn from(seed: SeedArg) -> Self {
        match seed {
            SeedArg::Demo => crate::emulator::Seed::Demo,
            SeedArg::Empty => crate::emulator::Seed::Empty,
        }
    }
}

const MAIL_HELP: &str = "\
Sends one plain-text message per student (no one sees the others' addresses), with the
subject and body of the invite or reminder template filled in ([mail.templates] in the
config file; placeholders {student} {title} {url} {deadline} {grace} {description}
{course} {professor}). The first message and the number of recipients are shown on
stderr first; on a terminal handin asks before sending, elsewhere it needs --yes.
Students whose address cannot take mail are reported and skipped. What was sent to whom
is kept in mail-log.json in the data folder.

How mail goes out is set under [mail] in the config file (smtp, sendmail or dry-run, and
`from`); the SMTP password comes from HANDIN_SMTP_PASSWORD or `handin mail password`.

Examples:
  handin mail invite nZ3sxAbXpq8bD7hbCGkU --roster cs101.csv --dry-run /tmp/letters
  handin mail remind nZ3sxAbXpq8bD7hbCGkU --yes

Exit status: 0 every message sent (or written); 1 the mail server or Dropbox could not
be reached or refused the sign-in (nothing was sent); 2 bad input (flags, config,
template, roster, no `from`, --yes missing without a terminal); 3 some messages failed
or some students were skipped (each is named, the others are sent); 130 interrupted.";

/// `handin mail ...`.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send a request's upload link to every student of the class list.
    #[command(after_help = MAIL_HELP)]
    Invite(MailArgs),
    /// Send the upload link again to the students who have not handed in.
    #[command(after_help = MAIL_HELP)]
    Remind(MailArgs),
    /// Store the SMTP password in the credentials file, read from stdin (not echoed on
    /// a terminal).
    #[command(after_help = "\
The password is kept in credentials.toml in the data folder, readable by you alone, beside
the Dropbox sign-in (signing out of Dropbox keeps it). HANDIN_SMTP_PASSWORD, when set, is
used instead. From a script: printf '%s\\n' \"$PASSWORD\" | handin mail password

Exit status: 0 stored (or forgotten); 2 no password given, or the credentials file could
not be read or written.")]
    Password(MailPasswordArgs),
}

#[derive(Debug, Args)]
pub struct MailArgs {
    /// The file request's id (Requests tab, or the end of the request's link).
    #[arg(value_name = "REQUEST_ID", value_parser = RequestIdParser)]
    pub request: String,
    /// The class list (CSV with name and email columns); default: the course's roster
    /// from [rosters] in the config file.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Write each message as an .eml file into DIR instead of sending it.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// Leave out the students the mail log says already got this kind of message for
    /// this request (to retry only the ones that failed).
    #[arg(long)]
    pub skip_already: bool,
    /// Send without asking; needed when stdin is not a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct MailPasswordArgs {
    /// Remove the stored password instead.
    #[arg(long)]
    pub forget: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let cli = Cli::try_parse_from(["handin", "--token", "sl.very-secret"]).expect("parses");
        assert_eq!(
            cli.token.as_ref().map(Secret::expose),
            Some("sl.very-secret")
        );
        assert!(!format!("{cli:?}").contains("very-secret"));
    }

    #[test]
    fn auth_commands_take_the_global_flags() {
        let cli = Cli::try_parse_from([
            "handin",
            "auth",
            "login",
            "--app-key",
            "abc",
            "--api-base",
            "http://127.0.0.1:1",
            "--data-dir",
            "/tmp/x",
        ])
        .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Auth(AuthCommand::Login))
        ));
        assert_eq!(cli.app_key.as_deref(), Some("abc"));
        assert_eq!(cli.api_base.as_deref(), Some("http://127.0.0.1:1"));
        for args in [
            ["handin", "--token", "sl.x", "auth", "status"],
            ["handin", "auth", "status", "--token", "sl.x"],
        ] {
            let cli = Cli::try_parse_from(args).expect("parses");
            assert_eq!(cli.token.as_ref().map(Secret::expose), Some("sl.x"));
        }
        assert!(Cli::try_parse_from(["handin", "auth"]).is_err());
    }

    #[test]
    fn the_emulator_takes_its_token_as_accept_token_or_as_token() {
        let emulator_token =
            |args: &[&str]| match Cli::try_parse_args(args).expect("parses").command {
                Some(Command::Emulator(args)) => args.emulator_token,
                _ => panic!("not the emulator"),
            };
        assert_eq!(
            emulator_token(&["handin", "emulator"]),
            crate::emulator::DEFAULT_TOKEN
        );
        assert_eq!(
            emulator_token(&["handin", "emulator", "--accept-token", "a"]),
            "a"
        );
        assert_eq!(emulator_token(&["handin", "emulator", "--token", "t"]), "t");
        assert_eq!(emulator_token(&["handin", "--token", "t", "emulator"]), "t");
        assert_eq!(
            emulator_token(&["handin", "emulator", "--token", "t", "--accept-token", "a"]),
            "a"
        );
    }

    #[test]
    fn scripting_commands_parse() {
        let cli = Cli::try_parse_from([
            "handin",
            "requests",
            "create",
            "--title",
            "Lab 1",
            "--dest",
            "/Courses/CS101/Lab 1",
            "--deadline",
            "fri 17:00",
            "--grace",
            "2 days",
            "--json",
            "--as-member",
            "dbmid:x",
            "-q",
        ])
        .expect("parses");
        assert_eq!(cli.as_member.as_deref(), Some("dbmid:x"));
        assert!(cli.quiet);
        let Some(Command::Requests(RequestsCommand::Create(args))) = cli.command else {
            panic!("not a create");
        };
        assert_eq!(args.destination.as_deref(), Some("/Courses/CS101/Lab 1"));
        assert!(args.format.json);
        let refused = [
            &["handin", "requests", "create", "--title", "x"][..],
            &[
                "handin", "requests", "create", "--from", "f.toml", "--title", "x",
            ],
            &["handin", "requests", "list", "--open", "--closed"],
            &["handin", "requests", "list", "--json", "--csv"],
            &["handin", "requests", "update", "abc"],
            &[
                "handin",
                "requests",
                "update",
                "abc",
                "--deadline",
                "fri",
                "--no-deadline",
            ],
            &["handin", "requests", "close"],
            &["handin", "submissions", "export", "--out", "x.csv"],
            &[
                "handin",
                "submissions",
                "export",
                "abc",
                "--course",
                "CS101",
                "--out",
                "x",
            ],
            &["handin", "completions", "tcsh"],
        ];
        for args in refused {
            let error = Cli::try_parse_from(args).expect_err("refused");
            assert_eq!(error.exit_code(), 2, "{args:?}");
        }
        assert!(
            Cli::try_parse_from(["handin", "requests", "create", "--from", "term.csv"]).is_ok()
        );
        assert!(Cli::try_parse_from(["handin", "completions", "zsh"]).is_ok());
    }

    #[test]
    fn download_needs_a_request_or_a_course_and_a_sane_concurrency() {
        let cli = Cli::try_parse_from([
            "handin",
            "download",
            "abc",
            "def",
            "--course",
            "CS101",
            "--to",
            "/tmp/g",
            "--concurrency",
            "12",
        ])
        .expect("parses");
        let Some(Command::Download(args)) = cli.command else {
            panic!("not a download");
        };
        assert_eq!(args.requests, ["abc", "def"]);
        assert_eq!(args.course, ["CS101"]);
        assert_eq!(args.concurrency, Some(12));
        assert!(Cli::try_parse_from(["handin", "download", "--course", "/Courses/X"]).is_ok());
        let error = Cli::try_parse_from(["handin", "download"]).expect_err("needs something");
        assert_eq!(error.exit_code(), 2);
        for bad in ["0", "33", "many"] {
            let error = Cli::try_parse_from(["handin", "download", "a", "--concurrency", bad])
                .expect_err("out of range");
            assert!(error.to_string().contains("from 1 to 32"), "{error}");
        }
    }

    #[test]
    fn no_arrivals_needs_demo() {
        let error = Cli::try_parse_from(["handin", "--no-arrivals"]).expect_err("needs --demo");
        assert!(error.to_string().contains("--demo"), "{error}");
    }

    #[test]
    fn request_ids_are_checked_before_anything_is_sent() {
        assert_eq!(
            request_id(" nZ3sxAbXpq8bD7hbCGkU\n").as_deref(),
            Ok("nZ3sxAbXpq8bD7hbCGkU")
        );
        assert_eq!(request_id("a-b_C9").as_deref(), Ok("a-b_C9"));
        assert_eq!(request_id(&"x".repeat(64)).map(|id| id.len()), Ok(64));
        for bad in [
            "",
            "  ",
            "abc def",
            "../etc",
            "id:abc",
            "https://www.dropbox.com/request/abc",
            "\u{1b}]0;x\u{7}",
            "é",
        ] {
            let sentence = request_id(bad).expect_err(bad);
            assert!(sentence.ends_with('.'), "{sentence}");
            assert!(
                !sentence.contains(crate::untrusted::is_unsafe),
                "{sentence:?}"
            );
        }
        let long = request_id(&"x".repeat(65)).expect_err("too long");
        assert!(long.contains("at most 64"), "{long}");
        assert!(long.contains('…'), "{long}");
    }

    #[test]
    fn every_command_that_takes_a_request_id_refuses_a_malformed_one() {
        for args in [
            &["handin", "requests", "get", "a;b"][..],
            &["handin", "requests", "update", "a;b", "--title", "t"],
            &["handin", "requests", "close", "ok", "a;b"],
            &["handin", "requests", "reopen", "a;b"],
            &["handin", "requests", "delete", "a;b", "--yes"],
            &["handin", "submissions", "list", "a;b"],
            &["handin", "submissions", "export", "a;b", "--out", "-"],
            &["handin", "download", "a;b"],
            &["handin", "mail", "invite", "a;b"],
            &["handin", "mail", "remind", "a;b"],
        ] {
            let error = Cli::try_parse_from(args).expect_err(&args.join(" "));
            assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
            assert_eq!(error.exit_code(), 2);
            assert!(
                error
                    .to_string()
                    .contains("\"a;b\" is not a file request id"),
                "{error}"
            );
        }
    }
}
