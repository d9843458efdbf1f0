//! The command line: the TUI by default, `--demo`, `auth` for signing in and out,
//! `requests` and `submissions` for scripts (every capability of the TUI, on the same
//! service layer), `download` for fetching submissions, `completions`, and the emulator
//! server. Each subcommand's file holds its arguments and its handler; `run` sends the
//! parsed command line to one of them.

pub mod auth;
pub mod completions;
pub mod download;
pub mod emulator;
mod exit;
pub mod mail;
mod output;
pub mod requests;
mod session;
pub mod setup;
pub mod submissions;
pub mod tui;

use std::path::PathBuf;

use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

pub use self::auth::AuthCommand;
pub use self::completions::CompletionsArgs;
pub use self::download::DownloadArgs;
pub use self::emulator::{EmulatorArgs, SeedArg};
pub use self::exit::ExitCode;
pub use self::mail::{MailArgs, MailCommand, MailPasswordArgs};
pub use self::requests::{
    RequestCreateArgs, RequestDeleteArgs, RequestDeleteClosedArgs, RequestGetArgs, RequestIdsArgs,
    RequestUpdateArgs, RequestsCommand, RequestsListArgs,
};
pub use self::setup::Setup;
pub use self::submissions::{
    AssignArgs, SubmissionsCommand, SubmissionsExportArgs, SubmissionsListArgs, UnassignArgs,
};
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

/// Runs what the command line asks for and gives the process's exit status.
pub fn run(cli: Cli) -> ExitCode {
    // reqwest is built without a default TLS provider so that no aws-lc is compiled.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("handin could not start its runtime: {error}");
            return ExitCode::Refused;
        }
    };
    match cli.command {
        Some(Command::Auth(command)) => auth::command(&runtime, &cli, command),
        Some(Command::Download(ref args)) => download::command(&runtime, &cli, args),
        Some(Command::Emulator(ref args)) => runtime.block_on(emulator::emulator(args)),
        Some(Command::Requests(ref command)) => requests::command(&runtime, &cli, command),
        Some(Command::Submissions(ref command)) => submissions::command(&runtime, &cli, command),
        Some(Command::Completions(ref args)) => completions::completions(args),
        Some(Command::Mail(ref command)) => mail::command(&runtime, &cli, command),
        None => tui::tui(&runtime, &cli),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to Dropbox, sign out, or see who handin acts as.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Download the files of file requests for grading, into course/request/student folders.
    #[command(after_help = ExitCode::help_after(download::DOWNLOAD_HELP, &ExitCode::SCRIPTING))]
    Download(DownloadArgs),
    /// Run the local Dropbox API emulator (for trying handin and for tests).
    Emulator(EmulatorArgs),
    /// List, show, create, change, close, reopen and delete file requests (for scripts).
    #[command(subcommand, after_help = ExitCode::help_after(SCRIPTING_HELP, &ExitCode::SCRIPTING))]
    Requests(RequestsCommand),
    /// Who sent what and when, where each student stands, CSV exports (for scripts).
    #[command(subcommand, after_help = ExitCode::help_after(SCRIPTING_HELP, &ExitCode::SCRIPTING))]
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

Signs in as `handin auth login` left it, or with the access token in HANDIN_TOKEN.";

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
