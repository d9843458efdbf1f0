//! `handin auth login | logout | status`: signing in and out from a shell, for lab
//! machines reached over SSH where the TUI is not at hand (or for scripts).
//!
//! Output for people goes to stdout, failures to stderr as one sentence each. Exit
//! statuses are documented in each subcommand's `--help` (see `crate::cli`).

use super::ExitCode;
use std::io::{self, BufRead as _, IsTerminal as _, Write as _};

use clap::Subcommand;
use dropbox_sdk::users_common::AccountType;

use super::{Cli, Setup};
use crate::clipboard::{Clipboard as _, CopyRoute, DisplayEnvironment, TerminalClipboard};
use crate::credentials::{Credentials, CredentialsError};
use crate::dropbox::{
    AuthMethod, ClientSettings, Dropbox, DropboxError, ErrorKind, FullAccount, Origin, start_login,
};
use crate::untrusted::visible;

/// `handin auth ...`. Credentials live in `credentials.toml` under the data folder,
/// readable by you alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum AuthCommand {
    /// Sign in with OAuth 2: open the printed address, allow handin, paste the code back.
    #[command(after_help = ExitCode::help_after("\
Needs the key of a Dropbox app (--app-key, HANDIN_APP_KEY or app_key in the config file):
create a scoped-access app in the App Console with the files and file_requests permissions.
handin keeps the refresh token and renews access by itself until you sign out. A wrong or
expired code is Dropbox refusing (1); no app key or no code is bad input (2).",
        &[ExitCode::Done, ExitCode::Refused, ExitCode::Usage],
    ))]
    Login,
    /// Revoke handin's access at Dropbox and delete the credentials file.
    #[command(after_help = ExitCode::help_after("\
The credentials file is deleted even when Dropbox cannot be reached to revoke the token;
you are then told to revoke handin's access at dropbox.com (Settings, Connected apps), and
the status is 1. Not being signed in is done (0); a file that cannot be read or deleted is 2.",
        &[ExitCode::Done, ExitCode::Refused, ExitCode::Usage],
    ))]
    Logout,
    /// Say who handin acts as, and how it is signed in.
    #[command(after_help = ExitCode::help_after(
        "Done (0) means signed in, with credentials Dropbox accepts.",
        &[ExitCode::Done, ExitCode::Refused, ExitCode::Usage],
    ))]
    Status,
}

pub fn command(runtime: &tokio::runtime::Runtime, cli: &Cli, command: AuthCommand) -> ExitCode {
    let setup = match Setup::from_cli(cli) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("handin: {message}");
            return ExitCode::Usage;
        }
    };
    tracing::info!(?command, "handin auth");
    match command {
        AuthCommand::Login => login(runtime, cli, &setup),
        AuthCommand::Logout => logout(runtime, cli, &setup),
        AuthCommand::Status => status(runtime, cli, &setup),
    }
}

fn login(runtime: &tokio::runtime::Runtime, cli: &Cli, setup: &Setup) -> ExitCode {
    let settings = setup.settings();
    let app_key = setup.config.app_key.clone().unwrap_or_default();
    let start = match start_login(&app_key, &settings) {
        Ok(start) => start,
        Err(error) => {
            eprintln!("handin: {}", error.sentence());
            return ExitCode::Usage;
        }
    };
    let mut out = io::stdout();
    let _ = writeln!(
        out,
        "Open this address in a browser, sign in to Dropbox and allow handin:\n\n  {}\n",
        start.url
    );
    if out.is_terminal() {
        // Over SSH the browser is on another computer: OSC 52 puts the address on that
        // computer's clipboard.
        let mut clipboard = TerminalClipboard::new(io::stdout(), &DisplayEnvironment::detect());
        match clipboard.copy(&start.url) {
            Ok(copied) => {
                let how = match copied.route {
                    CopyRoute::SystemClipboard => "The address is on the clipboard too.",
                    CopyRoute::Terminal => {
                        "The address was also sent to your clipboard through the terminal \
                         (OSC 52)."
                    }
                };
                let note = copied
                    .note
                    .map(|note| format!(" {note}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "{how}{note}\n");
            }
            Err(reason) => tracing::info!(%reason, "could not copy the sign-in address"),
        }
    }
    let _ = write!(out, "Paste the code Dropbox shows: ");
    let _ = out.flush();
    let mut line = String::new();
    let read = io::stdin().lock().read_line(&mut line);
    if !io::stdin().is_terminal() || matches!(read, Ok(0)) {
        // Piped input is not echoed, and Ctrl-D ends nothing: end the prompt's line.
        let _ = writeln!(out);
    }
    let code = line.trim();
    if read.is_err() || code.is_empty() {
        eprintln!(
            "handin: no code was entered; run handin auth login again and paste the code Dropbox \
             shows after you allow handin."
        );
        return ExitCode::Usage;
    }
    // The handle that signs in keeps the first access token: one exchange, no refresh.
    let dropbox = match Dropbox::signed_out(settings) {
        Ok(dropbox) => dropbox,
        Err(error) => {
            eprintln!("handin: {}", error.sentence());
            return ExitCode::Usage;
        }
    };
    let credentials = match runtime.block_on(dropbox.sign_in(&start, code)) {
        Ok(credentials) => credentials,
        Err(error) => {
            tracing::warn!(detail = error.detail(), "signing in failed");
            let sentence = if error.tag() == Some("invalid_grant") {
                "Dropbox did not accept that code; codes work once and expire after a few \
                 minutes: run handin auth login again for a new one."
                    .to_owned()
            } else {
                error.sentence()
            };
            eprintln!("handin: {sentence}");
            return exit_for(&error);
        }
    };
    if let Err(error) = setup.store.save(&credentials) {
        eprintln!("handin: {error}");
        // The sign-in cannot be kept: do not leave it alive at Dropbox either.
        let _ = runtime.block_on(dropbox.sign_out());
        return ExitCode::Usage;
    }
    match runtime.block_on(dropbox.current_account()) {
        Ok(account) => {
            let _ = writeln!(
                out,
                "Signed in as {} with OAuth; handin refreshes access by itself.",
                who(&account)
            );
            if let Some(line) = team_line(&account) {
                let _ = writeln!(out, "{line}");
            }
        }
        Err(_) if dropbox.auth_status().is_team_token == Some(true) => {
            let _ = writeln!(
                out,
                "Signed in with OAuth for a whole Dropbox Business team; handin refreshes access \
                 by itself. Name the member to act as with --as-member dbmid:..., or pick one \
                 in the TUI's Settings."
            );
        }
        Err(error) => {
            let _ = writeln!(
                out,
                "Signed in with OAuth; handin refreshes access by itself."
            );
            eprintln!(
                "handin could not look up the account yet: {}",
                error.sentence()
            );
        }
    }
    let _ = writeln!(
        out,
        "The sign-in is kept in {} (readable by you alone).",
        setup.store.path().display()
    );
    if cli.token.is_some() {
        let _ = writeln!(
            out,
            "HANDIN_TOKEN (or --token) is set, and handin uses that token instead until you unset it."
        );
    }
    ExitCode::Done
}

fn logout(runtime: &tokio::runtime::Runtime, cli: &Cli, setup: &Setup) -> ExitCode {
    let path = setup.store.path().display().to_string();
    let env_note = || {
        if cli.token.is_some() {
            println!("HANDIN_TOKEN (or --token) is still set; unset it to stop using that token.");
        }
    };
    let credentials = match setup.store.load_to_revoke() {
        Ok(Some(credentials)) => credentials,
        Ok(None) => {
            println!("Not signed in: there is no {path} to sign out of.");
            env_note();
            return ExitCode::Done;
        }
        Err(error @ CredentialsError::Invalid { .. }) => {
            // Nothing in it can be revoked; deleting it is all that signing out can do.
            tracing::warn!(%error, "deleting an unreadable credentials file");
            return match setup.store.delete() {
                Ok(()) => {
                    eprintln!(
                        "handin: {path} was not a valid credentials file, so nothing could be \
                         revoked at Dropbox; it is deleted."
                    );
                    ExitCode::Refused
                }
                Err(error) => {
                    eprintln!("handin: {error}");
                    ExitCode::Usage
                }
            };
        }
        Err(error) => {
            eprintln!("handin: {error}");
            return ExitCode::Usage;
        }
    };
    if let Some(sentence) = elsewhere(&credentials, &setup.settings()) {
        // Revoking sends the token; it goes to the server that issued it or nowhere, and
        // the file stays so that a sign-out there can still revoke it.
        eprintln!("handin: {sentence}");
        return ExitCode::Usage;
    }
    let revoked = match Dropbox::from_credentials(setup.settings(), &credentials) {
        Ok(dropbox) => runtime.block_on(dropbox.sign_out()),
        Err(error) => Err(error),
    };
    if let Err(error) = setup.store.delete() {
        eprintln!("handin: {error}");
        return ExitCode::Usage;
    }
    env_note();
    match revoked {
        Ok(()) => {
            println!(
                "Signed out: Dropbox revoked handin's access, and {}.",
                removed(setup)
            );
            ExitCode::Done
        }
        Err(error) => {
            tracing::warn!(detail = error.detail(), "revoking the token failed");
            println!("Removed: {}.", removed(setup));
            eprintln!(
                "handin could not revoke its access at Dropbox: {} The sign-in is deleted here \
                 all the same; to be sure it no longer works, remove handin under Connected apps \
                 at https://www.dropbox.com/account/connected_apps.",
                error.sentence()
            );
            ExitCode::Refused
        }
    }
}

/// Why `credentials` cannot be revoked through the server `settings` point at (another
/// one issued them), with the command that can; `None` when they are that server's.
fn elsewhere(credentials: &Credentials, settings: &ClientSettings) -> Option<String> {
    let issued_by = Origin::of_issuer(credentials.api_base());
    let here = settings.origin().ok()?;
    if issued_by == here {
        return None;
    }
    let (issuer, command) = match &issued_by {
        Origin::Dropbox => (
            "Dropbox".to_owned(),
            "handin auth logout without --api-base (and with no api_base in the config file)"
                .to_owned(),
        ),
        Origin::Server(origin) => (
            origin.clone(),
            format!("handin --api-base {origin} auth logout"),
        ),
    };
    let server = match &here {
        Origin::Dropbox => "Dropbox".to_owned(),
        Origin::Server(origin) => origin.clone(),
    };
    Some(format!(
        "the saved sign-in was issued by {issuer}, and handin sends it to no other server, so \
         it was neither revoked through {server} nor deleted; sign out of it with {command}."
    ))
}

/// What signing out did to the file: a stored SMTP password keeps it alive.
fn removed(setup: &Setup) -> String {
    let path = setup.store.path().display();
    if setup.store.path().exists() {
        format!("the sign-in is removed from {path} (the SMTP password stays)")
    } else {
        format!("{path} is deleted")
    }
}

/// Where the credentials in use come from.
enum CredentialsFrom {
    Flag,
    File,
}

fn status(runtime: &tokio::runtime::Runtime, cli: &Cli, setup: &Setup) -> ExitCode {
    let from_flag = cli.token.as_ref().is_some_and(|token| !token.is_blank());
    let origin = if from_flag {
        CredentialsFrom::Flag
    } else {
        CredentialsFrom::File
    };
    let credentials = match setup.credentials(cli) {
        Ok(Some(credentials)) => credentials,
        Ok(None) => {
            println!(
                "Not signed in. Sign in with handin auth login, or set HANDIN_TOKEN to an \
                 access token from the App Console."
            );
            return ExitCode::Refused;
        }
        Err(error) => {
            eprintln!("handin: {error}");
            return ExitCode::Usage;
        }
    };
    let dropbox = match Dropbox::from_credentials(setup.settings(), &credentials) {
        Ok(dropbox) => dropbox,
        Err(error) => {
            eprintln!("handin: {}", error.sentence());
            return ExitCode::Usage;
        }
    };
    let account = runtime.block_on(dropbox.current_account());
    let mut code = ExitCode::Done;
    match &account {
        Ok(account) => {
            println!("Signed in as {}.", who(account));
            if let Some(line) = team_line(account) {
                println!("{line}");
            }
        }
        Err(_) if dropbox.auth_status().is_team_token == Some(true) => {
            println!(
                "Signed in for a whole Dropbox Business team, with no member chosen to act as: \
                 name one with --as-member dbmid:..., or pick one in the TUI's Settings."
            );
        }
        Err(error) => {
            tracing::warn!(detail = error.detail(), "checking the sign-in failed");
            eprintln!("handin: {}", error.sentence());
            code = ExitCode::Refused;
        }
    }
    let status = dropbox.auth_status();
    match (status.method, &origin) {
        (AuthMethod::OAuth, _) => {
            let app_key = match &credentials {
                Credentials::OAuth { app_key, .. } => app_key.as_str(),
                Credentials::Token { .. } => "",
            };
            let expiry = status
                .expires_at
                .map(|at| {
                    format!(
                        "; the current access token lasts until {}",
                        at.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M (UTC%:z)")
                    )
                })
                .unwrap_or_default();
            println!(
                "Method: OAuth 2 with app key {app_key}; handin renews access by itself{expiry}."
            );
        }
        (_, CredentialsFrom::Flag) => println!(
            "Method: access token from HANDIN_TOKEN or --token; it is never saved and cannot be \
             renewed (App Console tokens last a few hours)."
        ),
        (_, CredentialsFrom::File) => println!(
            "Method: access token pasted from the App Console; it cannot be renewed (App Console \
             tokens last a few hours)."
        ),
    }
    if matches!(origin, CredentialsFrom::File) {
        println!("Credentials: {}", setup.store.path().display());
    }
    code
}

/// `Name <email> (Pro)`.
fn who(account: &FullAccount) -> String {
    let kind = match account.account_type {
        AccountType::Basic => "Basic",
        AccountType::Pro => "Pro",
        AccountType::Business => "Business",
    };
    format!(
        "{} <{}> ({kind})",
        visible(&account.name.display_name),
        visible(&account.email)
    )
}

/// `Team: Name, as member dbmid:...` for a team member.
fn team_line(account: &FullAccount) -> Option<String> {
    let team = account.team.as_ref()?;
    Some(match &account.team_member_id {
        Some(member) => format!(
            "Team: {}, as member {}.",
            visible(&team.name),
            visible(member)
        ),
        None => format!("Team: {}.", visible(&team.name)),
    })
}

fn exit_for(error: &DropboxError) -> ExitCode {
    if error.kind() == &ErrorKind::Settings {
        ExitCode::Usage
    } else {
        ExitCode::Refused
    }
}
