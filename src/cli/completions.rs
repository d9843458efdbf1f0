//! `handin completions SHELL`: a shell completion script on stdout.

use super::ExitCode;
use clap::{Args, CommandFactory as _};

use super::Cli;
use super::output::emit;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `handin completions SHELL`: the script on stdout.
pub fn completions(args: &CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "handin", &mut script);
    emit(&String::from_utf8_lossy(&script));
    ExitCode::Done
}
