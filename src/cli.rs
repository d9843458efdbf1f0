//! The command line: the TUI by default, `--demo`, `auth` for signing in and out,
//! `download` for fetching submissions, and the emulator server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::credentials::Secret;

#[derive(Debug, Parser)]
#[command(
    name = "handin",
    version,
    about = "Run homework collection through Dropbox File Requests from the terminal",
    after_help = "Try it without an account: handin --demo"
)]
pub struct Cli {
    /// Configuration file (default: the platform's config folder, handin/config.toml).
    #[arg(long, env = "HANDIN_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Folder for the log, credentials and local state (default: the platform's data folder).
    #[arg(long, env = "HANDIN_DATA_DIR", global = true, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,

    /// Dropbox access token (from the App Console); used instead of the credentials file,
    /// and never written to it. On the command line it is visible to other users (ps):
    /// prefer HANDIN_TOKEN, or `handin auth login`, on shared machines.
    #[arg(
        long,
        env = "HANDIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<Secret>,

    /// Base URL replacing Dropbox's API hosts, e.g. a running `handin emulator`.
    #[arg(long, global = true, value_name = "URL")]
    pub api_base: Option<String>,

    /// Key of the Dropbox app to sign in with (App Console, Settings, App key); overrides
    /// app_key in the config file.
    #[arg(long, env = "HANDIN_APP_KEY", global = true, value_name = "KEY")]
    pub app_key: Option<String>,

    /// Open handin on a built-in Dropbox emulator with a believable term of courses.
    #[arg(long)]
    pub demo: bool,

    /// With --demo: no new submissions arrive while you look around.
    #[arg(long, requires = "demo")]
    pub no_arrivals: bool,

    /// More detail in the log file.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
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
}

const DOWNLOAD_HELP: &str = "\
Files land in DIR/<course>/<request title>/<student>/<file name>. Each file is checked
against Dropbox's content hash before it takes its name; a file already there with the
same content is left alone, so running the command again fetches only what is new. A
different local file of the same name (an annotated copy, say) is kept beside the new
one as \"<name> (local copy)\". Ctrl-C stops at once: partly downloaded files stay as
.part files and are resumed next time.

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
    #[arg(value_name = "REQUEST_ID")]
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

    /// The access token clients must send (besides tokens minted by its OAuth endpoints).
    #[arg(long = "token", value_name = "TOKEN", default_value = crate::emulator::DEFAULT_TOKEN)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

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
        // The emulator has a --token of its own, so this one goes before the subcommand.
        let cli =
            Cli::try_parse_from(["handin", "--token", "sl.x", "auth", "status"]).expect("parses");
        assert_eq!(cli.token.as_ref().map(Secret::expose), Some("sl.x"));
        assert!(Cli::try_parse_from(["handin", "auth"]).is_err());
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
}
