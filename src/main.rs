use handin::cli::{self, Cli};

fn main() -> std::process::ExitCode {
    cli::run(Cli::parse_args()).into()
}
