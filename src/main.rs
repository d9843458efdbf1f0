use std::process::ExitCode;

use handin::cli::{Cli, Command};

mod run;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
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
            return ExitCode::FAILURE;
        }
    };
    let code = match cli.command {
        Some(Command::Auth(command)) => run::auth::command(&runtime, &cli, command),
        Some(Command::Download(ref args)) => run::download::command(&runtime, &cli, args),
        Some(Command::Emulator(ref args)) => runtime.block_on(run::emulator(args)),
        Some(Command::Requests(ref command)) => run::requests::command(&runtime, &cli, command),
        Some(Command::Submissions(ref command)) => {
            run::submissions::command(&runtime, &cli, command)
        }
        Some(Command::Completions(ref args)) => run::output::completions(args),
        Some(Command::Mail(ref command)) => run::mail::command(&runtime, &cli, command),
        None => run::tui(&runtime, &cli),
    };
    ExitCode::from(code)
}
