use std::process::ExitCode;

use handin::cli::{self, Cli};

fn main() -> ExitCode {
    ExitCode::from(cli::run(Cli::parse_args()))
}
