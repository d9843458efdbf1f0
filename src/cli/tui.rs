//! The TUI's start: paths, config, logging, credentials, the terminal and signals.

use super::ExitCode;
use std::time::Duration;

use super::Cli;
use super::setup::{self, Setup};
use crate::app::{self, Exit, Services, Signal, SystemClock};
use crate::clipboard::{DisplayEnvironment, TerminalClipboard};
use crate::config::{self, Config, Paths};
use crate::credentials::CredentialStore;
use crate::dropbox::Dropbox;
use crate::emulator::{self, Emulator, EmulatorOptions, Seed};
use crate::state::{Environment, State};
use crate::terminal;
use crate::time::Zone;
use futures::{Stream, StreamExt as _};

/// How often a new submission lands in the demo.
const DEMO_ARRIVAL_EVERY: Duration = Duration::from_secs(4);

pub fn tui(runtime: &tokio::runtime::Runtime, cli: &Cli) -> ExitCode {
    if !config::stdout_is_terminal() {
        eprintln!(
            "handin's screen needs a terminal, and its output is not one; run it in a terminal (or try `handin --help`)."
        );
        return ExitCode::Usage;
    }
    // The flags apply to this run; a setting saved from the screen writes only its own
    // key, so none of them reaches the file. The demo never reads the professor's
    // configuration or credentials.
    let Setup {
        paths,
        mut config,
        store,
    } = match Setup::from_cli(cli) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("handin: {message}");
            return ExitCode::Usage;
        }
    };
    terminal::install_panic_hook(paths.log_file());
    if cli.demo {
        // The report ends the process; the demo's scratch folder goes first.
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            remove_demo_scratch();
            report(info);
        }));
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = cli.demo,
        "handin starting"
    );

    runtime.block_on(async {
        let mut demo = None;
        // Removes the demo's scratch folder on every return from here.
        let mut scratch_guard: Option<DemoScratch> = None;
        let (dropbox, source) = if cli.demo {
            // Everyone on the machine can see the demo's port: a token of its own keeps
            // them from calling its API or its control routes.
            let token = match emulator::random_token() {
                Ok(token) => token,
                Err(error) => {
                    eprintln!(
                        "handin could not make a token for the demo emulator ({error}); /dev/urandom must be readable."
                    );
                    return ExitCode::Refused;
                }
            };
            let started = Emulator::start(
                ([127, 0, 0, 1], 0).into(),
                EmulatorOptions {
                    seed: Seed::Demo,
                    token,
                    ..EmulatorOptions::default()
                },
            )
            .await;
            let emulator = match started {
                Ok(emulator) => emulator,
                Err(error) => {
                    eprintln!("handin could not start the demo emulator: {error}");
                    return ExitCode::Refused;
                }
            };
            config.api_base = Some(emulator.base_url().to_string());
            // The demo's account is a personal one: no team member to act as.
            config.select_user = None;
            // Nothing the demo writes is the professor's: its class lists, downloads and
            // letters live in one fresh private folder, removed when the demo ends.
            let folders = DemoScratch::create().and_then(|scratch| {
                let folders = (
                    scratch.folder("rosters")?,
                    scratch.folder("downloads")?,
                    scratch.folder("mail")?,
                );
                Ok((scratch, folders))
            });
            let (rosters, downloads, mail) = match folders {
                Ok((scratch, folders)) => {
                    scratch_guard = Some(scratch);
                    folders
                }
                Err(sentence) => {
                    eprintln!("handin: {sentence}");
                    return ExitCode::Refused;
                }
            };
            // The demo's class lists, so its class view has people missing.
            match write_demo_rosters(&rosters) {
                Ok(rosters) => config.rosters = rosters,
                Err(error) => tracing::warn!(%error, "the demo rosters could not be written"),
            }
            config.download_dir = Some(downloads);
            // The demo's mail is never sent: each letter is an .eml file, from a made-up
            // professor.
            config.mail.transport = config::MailTransport::DryRun;
            config.mail.dry_run_dir = Some(mail);
            config.mail.from = Some("Prof. Demo <prof@university.example>".to_string());
            let dropbox = Dropbox::new(config.client_settings(), emulator.token().to_string());
            let source = format!("demo emulator at {}", emulator.base_url());
            if !cli.no_arrivals {
                emulator::spawn_arrivals(&emulator, DEMO_ARRIVAL_EVERY);
            }
            demo = Some(emulator);
            (dropbox, source)
        } else {
            // No credentials is fine: the Settings tab says so and signs in.
            let credentials = match setup::credentials(cli, &store, &config.client_settings())
                .map_err(|error| error.to_string())
            {
                Ok(credentials) => credentials,
                Err(message) => {
                    eprintln!("handin: {message}");
                    return ExitCode::Usage;
                }
            };
            let source = match &config.api_base {
                Some(base) => base.clone(),
                None => "Dropbox".to_string(),
            };
            let dropbox = match &credentials {
                Some(credentials) => {
                    Dropbox::from_credentials(config.client_settings(), credentials)
                }
                None => Dropbox::signed_out(config.client_settings()),
            };
            (dropbox, source)
        };
        let dropbox = match dropbox {
            Ok(dropbox) => dropbox,
            Err(error) => {
                eprintln!("handin: {}", error.sentence());
                return ExitCode::Usage;
            }
        };
        let environment = Environment {
            source,
            config_file: if cli.demo {
                "(not used by the demo)".to_string()
            } else {
                paths.config_file.display().to_string()
            },
            data_dir: paths.data_dir.display().to_string(),
            log_file: paths.log_file().display().to_string(),
            color: !config::no_color() && config.theme != config::ThemeSetting::Mono,
            home: directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf()),
        };
        // The demo never writes the professor's configuration.
        let config_path = (!cli.demo).then(|| paths.config_file.clone());
        let credentials = (!cli.demo)
            .then(|| crate::credentials::CredentialStore::new(paths.credentials_file()));
        let code = run_screen(
            dropbox,
            environment,
            config,
            config_path,
            credentials,
            // The demo's files are not the professor's: nothing of it is kept.
            Kept {
                assignments: (!cli.demo).then(|| paths.data_dir.join("assignments.json")),
                mail_log: (!cli.demo).then(|| paths.data_dir.join(crate::mail::record::FILE_NAME)),
                smtp_password: (!cli.demo).then(|| smtp_password_lookup(&paths)),
            },
        )
        .await;
        if let Some(emulator) = demo {
            emulator.shutdown().await;
        }
        drop(scratch_guard);
        code
    })
}

/// What the screen keeps in the data folder, and the SMTP password; `None` each in the
/// demo, which keeps nothing of the professor's.
struct Kept {
    assignments: Option<std::path::PathBuf>,
    mail_log: Option<std::path::PathBuf>,
    smtp_password: Option<app::SecretLookup>,
}

async fn run_screen(
    dropbox: Dropbox,
    environment: Environment,
    config: Config,
    config_path: Option<std::path::PathBuf>,
    credentials: Option<crate::credentials::CredentialStore>,
    kept: Kept,
) -> ExitCode {
    let Kept {
        assignments: assignments_path,
        mail_log: mail_log_path,
        smtp_password,
    } = kept;
    let signals = match signal_stream() {
        Ok(signals) => signals,
        Err(error) => {
            eprintln!("handin could not watch for signals: {error}");
            return ExitCode::Refused;
        }
    };
    let mut tui = match terminal::init() {
        Ok(tui) => tui,
        Err(error) => {
            terminal::restore();
            eprintln!("handin could not set up the terminal: {error}");
            return ExitCode::Refused;
        }
    };
    #[cfg(debug_assertions)]
    if std::env::var_os("HANDIN_TEST_PANIC_IN_TASK").is_some() {
        // For the test that proves a panic in a spawned task restores the terminal.
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            panic!("deliberate panic in a spawned task (HANDIN_TEST_PANIC_IN_TASK)");
        });
    }
    let auth = dropbox.auth_status();

    let keymap_file = config.keymap_file.clone();
    let client_settings = config.client_settings();
    let mut state = State::new(chrono::Utc::now(), Zone::Local, environment).with_config(config);
    if let Some(path) = &assignments_path {
        match crate::submissions::Assignments::load(path) {
            Ok(assignments) => state.submissions.assignments = assignments,
            Err(sentence) => state.announce_warnings(&[sentence]),
        }
    }
    if let Some(path) = &mail_log_path {
        match crate::mail::MailLog::load(path) {
            Ok(log) => state.mail_log = log,
            Err(sentence) => state.announce_warnings(&[sentence]),
        }
    }
    state.settings.auth = Some(auth);
    if let Some(path) = keymap_file {
        let (keymap, warnings) = crate::keymap::Keymap::with_file(&path);
        state.keymap = keymap;
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        state.announce_warnings(&warnings);
    }
    let events = crossterm::event::EventStream::new();
    let clipboard = TerminalClipboard::new(std::io::stdout(), &DisplayEnvironment::detect());
    let result = app::run(
        &mut tui,
        events,
        signals,
        &mut state,
        Services {
            dropbox,
            clipboard,
            config_path,
            credentials,
            client_settings,
            assignments_path,
            bell: Some(Box::new(ring_bell)),
            mail_log_path,
            smtp_password,
        },
        SystemClock,
    )
    .await;
    match result {
        Ok(Exit::TerminalGone) => {
            // Restoring would only write into a dead line; leave at once, leaving nothing
            // of the demo behind.
            remove_demo_scratch();
            tracing::info!("the terminal is gone; exiting");
            std::process::exit(Exit::TerminalGone.code());
        }
        Ok(exit) => {
            terminal::restore();
            tracing::info!(?exit, "handin exiting");
            ExitCode::from(exit)
        }
        Err(error) => {
            terminal::restore();
            tracing::error!(%error, "the screen failed");
            eprintln!("handin stopped: the terminal failed ({error}).");
            ExitCode::Refused
        }
    }
}

/// SIGHUP, SIGTERM and SIGINT as one stream.
fn signal_stream() -> std::io::Result<impl Stream<Item = Signal> + Unpin> {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind: SignalKind, as_signal: Signal| -> std::io::Result<_> {
        let receiver = signal(kind)?;
        Ok(
            futures::stream::unfold(receiver, move |mut receiver| async move {
                receiver.recv().await.map(|()| (as_signal, receiver))
            })
            .boxed(),
        )
    };
    Ok(futures::stream::select_all([
        watch(SignalKind::hangup(), Signal::Hangup)?,
        watch(SignalKind::terminate(), Signal::Terminate)?,
        watch(SignalKind::interrupt(), Signal::Interrupt)?,
    ]))
}

/// BEL on the terminal: one ring per batch of new files.
fn ring_bell() {
    use std::io::Write as _;
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(b"\x07");
    let _ = stdout.flush();
}

/// Writes the demo courses' rosters into `dir` and returns the `[rosters]` table
/// pointing at them.
fn write_demo_rosters(
    dir: &std::path::Path,
) -> std::io::Result<std::collections::BTreeMap<String, std::path::PathBuf>> {
    let mut rosters = std::collections::BTreeMap::new();
    for (index, (course, csv)) in emulator::demo_rosters().into_iter().enumerate() {
        let path = dir.join(format!("course-{index}.csv"));
        crate::fs::write_private_atomically(&path, csv.as_bytes())?;
        rosters.insert(course, path);
    }
    Ok(rosters)
}

/// The demo's scratch folder while it runs, for the ways out that skip destructors: a
/// hang-up (process::exit) and a panic (its hook exits).
static DEMO_SCRATCH: std::sync::Mutex<Option<std::path::PathBuf>> = std::sync::Mutex::new(None);

/// Removes the demo's scratch folder, if there is one; safe to call from any way out.
fn remove_demo_scratch() {
    // try_lock: a panic while the lock is held must not hang the way out.
    let taken = match DEMO_SCRATCH.try_lock() {
        Ok(mut scratch) => scratch.take(),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner().take(),
        Err(std::sync::TryLockError::WouldBlock) => None,
    };
    if let Some(root) = taken {
        let _ = std::fs::remove_dir_all(root);
    }
}

/// One fresh private folder (mkdtemp style, 0700) for all the demo writes, so another
/// user of the machine can neither guess it beforehand nor look inside; removed when
/// dropped and on every other way out.
struct DemoScratch {
    root: std::path::PathBuf,
}

impl DemoScratch {
    fn create() -> Result<DemoScratch, String> {
        let parent = demo_scratch_parent();
        let root = crate::fs::fresh_private_dir(&parent, "handin-demo").map_err(|error| {
            format!(
                "the demo could not make its private scratch folder in {} ({error}); set TMPDIR to a folder you can write to.",
                parent.display()
            )
        })?;
        *DEMO_SCRATCH
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(root.clone());
        Ok(DemoScratch { root })
    }

    /// The subfolder `name`, made private; refused with a sentence if it is a link,
    /// another user's or writable by others.
    fn folder(&self, name: &str) -> Result<std::path::PathBuf, String> {
        let folder = self.root.join(name);
        crate::fs::ensure_private_dir(&folder).map_err(|refused| refused.to_string())?;
        Ok(folder)
    }
}

impl Drop for DemoScratch {
    fn drop(&mut self) {
        remove_demo_scratch();
    }
}

/// `$XDG_RUNTIME_DIR` when it is a private folder of this user's (as the login manager
/// makes it: gone at log-out, never seen by others), else the temporary directory.
fn demo_scratch_parent() -> std::path::PathBuf {
    use std::os::unix::fs::MetadataExt as _;
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from)
        && runtime.is_absolute()
        && let Ok(metadata) = std::fs::symlink_metadata(&runtime)
        && metadata.is_dir()
        && metadata.uid() == crate::fs::current_uid()
        && metadata.mode() & 0o077 == 0
    {
        return runtime;
    }
    std::env::temp_dir()
}

/// The SMTP password when mail is about to go: `HANDIN_SMTP_PASSWORD`, else the
/// credentials file.
fn smtp_password_lookup(paths: &Paths) -> app::SecretLookup {
    let store = CredentialStore::new(paths.credentials_file());
    std::sync::Arc::new(move || {
        crate::credentials::smtp_password(&store).map_err(|e| e.to_string())
    })
}
