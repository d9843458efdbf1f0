//! `handin emulator`: the local Dropbox API server, for trying handin and for tests.

use super::ExitCode;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::emulator::{self, EmulatorOptions, Seed};

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

pub async fn emulator(args: &EmulatorArgs) -> ExitCode {
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "handin emulator listens on loopback only; use --listen 127.0.0.1:{}",
            args.listen.port()
        );
        return ExitCode::Usage;
    }
    let options = EmulatorOptions {
        seed: Seed::from(args.seed),
        state_file: args.state.clone(),
        token: args.emulator_token.clone(),
        access_token_lifetime: Duration::from_secs(args.access_token_lifetime.max(1)),
        ..EmulatorOptions::default()
    };
    match emulator::run_cli(args.listen, options).await {
        Ok(()) => ExitCode::Done,
        Err(error) => {
            eprintln!("handin emulator: {error:#}");
            ExitCode::Refused
        }
    }
}
