//! The command line: the TUI by default, `--demo`, and the emulator server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

    /// Dropbox access token (from the App Console); overrides the credentials file.
    /// On the command line it is visible to other users (ps): prefer HANDIN_TOKEN or the
    /// credentials file on shared machines.
    #[arg(
        long,
        env = "HANDIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<Secret>,

    /// Base URL replacing Dropbox's API hosts, e.g. a running `handin emulator`.
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,

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
    /// Run the local Dropbox API emulator (for trying handin and for tests).
    Emulator(EmulatorArgs),
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

    /// The access token clients must send.
    #[arg(long = "token", value_name = "TOKEN", default_value = crate::emulator::DEFAULT_TOKEN)]
    pub emulator_token: String,
}

/// A token from the command line or environment; its `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Secret(text.to_string()))
    }
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
    fn no_arrivals_needs_demo() {
        let error = Cli::try_parse_from(["handin", "--no-arrivals"]).expect_err("needs --demo");
        assert!(error.to_string().contains("--demo"), "{error}");
    }
}
