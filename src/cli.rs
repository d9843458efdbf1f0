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
    #[arg(
        long,
        env = "HANDIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

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
    fn no_arrivals_needs_demo() {
        let error = Cli::try_parse_from(["handin", "--no-arrivals"]).expect_err("needs --demo");
        assert!(error.to_string().contains("--demo"), "{error}");
    }
}
