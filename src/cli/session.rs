//! What the scripting commands (`requests`, `submissions`, `download`) share: exit
//! statuses, signing in, turning a Dropbox failure into a sentence, asking before
//! anything that cannot be undone, and Ctrl-C.
//!
//! Exit statuses are `ExitCode`'s, where `--help` and the README take their words from.

use super::ExitCode;
use std::io::{self, BufRead as _, IsTerminal as _, Write as _};

use super::Cli;
use crate::dropbox::{Dropbox, DropboxError, ErrorKind};
use crate::untrusted::{visible, visible_lines};
use tokio::sync::watch;

use super::Setup;

/// A command that cannot go on: its exit status and one sentence for stderr.
#[derive(Debug)]
pub(super) struct Failure {
    pub(super) code: ExitCode,
    pub(super) sentence: String,
}

impl Failure {
    pub(super) fn usage(sentence: impl Into<String>) -> Failure {
        Failure {
            code: ExitCode::Usage,
            sentence: sentence.into(),
        }
    }

    pub(super) fn dropbox(sentence: impl Into<String>) -> Failure {
        Failure {
            code: ExitCode::Refused,
            sentence: sentence.into(),
        }
    }

    /// A failed Dropbox call, after `doing` ("could not list the file requests"). A
    /// settings problem (a bad --api-base, say) is the user's input: exit 2.
    pub(super) fn from_dropbox(doing: &str, error: &DropboxError) -> Failure {
        Failure {
            code: if error.kind() == &ErrorKind::Settings {
                ExitCode::Usage
            } else {
                ExitCode::Refused
            },
            sentence: format!("{doing}: {}", sentence(error)),
        }
    }

    /// Says it on stderr (safely: sentences quote names and servers) and gives the exit
    /// status.
    pub(super) fn report(self) -> ExitCode {
        complain(&self.sentence);
        self.code
    }
}

/// A message for people on stderr, unless `-q` asked for errors only; shown safely, as
/// messages quote titles and names.
pub(super) fn say(quiet: bool, message: impl AsRef<str>) {
    if !quiet {
        eprintln!("{}", visible_lines(message.as_ref()));
    }
}

/// "handin: <sentence>." on stderr, even with `-q`, the full stop added when the
/// sentence has none; shown safely, as sentences quote titles, names and what servers
/// said.
pub(super) fn complain(sentence: &str) {
    let sentence = visible_lines(sentence.trim_end());
    if sentence.ends_with(['.', '?', '!']) {
        eprintln!("handin: {sentence}");
    } else {
        eprintln!("handin: {sentence}.");
    }
}

/// One sentence for a failed Dropbox call (the full detail goes to the log).
pub(super) fn sentence(error: &DropboxError) -> String {
    tracing::warn!(detail = error.detail(), "a Dropbox call failed");
    error.sentence()
}

/// A file request id Dropbox did not know, or another failure to look one up.
pub(super) fn request_failure(id: &str, error: &DropboxError) -> Failure {
    if error.tag() == Some("not_found") {
        Failure::dropbox(format!(
            "no file request has the id \"{}\"; copy the id from handin requests list, the \
             Requests tab, or the end of the request's link.",
            visible(id)
        ))
    } else {
        Failure::from_dropbox(
            &format!("could not look up file request \"{}\"", visible(id)),
            error,
        )
    }
}

/// Signed in and ready: the config and paths, and the Dropbox handle.
pub(super) struct Session {
    pub(super) setup: Setup,
    pub(super) dropbox: Dropbox,
    quiet: bool,
}

impl Session {
    /// Reads the config and credentials and makes the Dropbox handle.
    pub(super) fn start(cli: &Cli) -> Result<Session, Failure> {
        let setup = Setup::from_cli(cli).map_err(Failure::usage)?;
        let dropbox = dropbox(cli, &setup)?;
        Ok(Session {
            setup,
            dropbox,
            quiet: cli.quiet,
        })
    }

    /// Whether `-q` asked for errors only.
    pub(super) fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A message for people, on stderr, unless `-q`; shown safely, as it may quote names.
    pub(super) fn say(&self, message: impl AsRef<str>) {
        say(self.quiet, message);
    }
}

/// The Dropbox handle for the credentials in use: `--token`/HANDIN_TOKEN, else the
/// credentials file.
pub(super) fn dropbox(cli: &Cli, setup: &Setup) -> Result<Dropbox, Failure> {
    let credentials = match setup.credentials(cli) {
        Ok(Some(credentials)) => credentials,
        Ok(None) => {
            return Err(Failure::dropbox(
                "not signed in; sign in with handin auth login, or set HANDIN_TOKEN to an \
                 access token from the App Console.",
            ));
        }
        Err(error) => return Err(Failure::usage(error.to_string())),
    };
    Dropbox::from_credentials(setup.settings(), &credentials)
        .map_err(|error| Failure::usage(error.sentence()))
}

/// Whether to go ahead with something that cannot be undone: yes with `--yes`; else the
/// question is asked on a terminal; without one (a script, cron) the answer is a usage
/// failure that names `--yes`.
pub(super) fn confirm(question: &str, yes: bool) -> Result<bool, Failure> {
    if yes {
        return Ok(true);
    }
    if !io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "nothing was done: \"{question}\" needs an answer, and stdin is not a terminal \
             to ask on; add --yes to go ahead."
        )));
    }
    let mut stderr = io::stderr();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    let mut answer = String::new();
    if io::stdin().lock().read_line(&mut answer).is_err() {
        return Ok(false);
    }
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// Ctrl-C (exit 130) and SIGTERM (exit 143), as the exit status they lead to. Once
/// watched, neither ends the process by itself: the command stops at a safe point.
pub(super) fn watch_signals() -> watch::Receiver<Option<ExitCode>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (sender, receiver) = watch::channel(None);
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut interrupt), Ok(mut terminate)) => {
            tokio::spawn(async move {
                let code = tokio::select! {
                    _ = interrupt.recv() => ExitCode::Interrupted,
                    _ = terminate.recv() => ExitCode::Terminated,
                };
                sender.send_replace(Some(code));
            });
        }
        _ => tracing::warn!("could not watch for Ctrl-C; it ends handin without a summary"),
    }
    receiver
}

/// Resolves with the exit status once a signal came.
pub(super) async fn stopped(receiver: &mut watch::Receiver<Option<ExitCode>>) -> ExitCode {
    match receiver.wait_for(Option::is_some).await {
        Ok(code) => code.unwrap_or(ExitCode::Interrupted),
        // The watcher is gone (no signals could be watched): never resolve.
        Err(_) => std::future::pending().await,
    }
}

/// Whether a signal came already (for loops that stop between items).
pub(super) fn was_stopped(receiver: &watch::Receiver<Option<ExitCode>>) -> Option<ExitCode> {
    *receiver.borrow()
}
