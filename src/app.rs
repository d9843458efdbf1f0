//! The loop: waits on actions, signals and terminal events in one `select!`, runs the
//! reducer, spawns effects, and draws once the action queue is empty and something changed.
//! No tick and no frame rate: an idle handin makes no wake-ups at all. The spinner's timer
//! exists only while something loads.
//!
//! Generic over the ratatui backend and the event stream, so tests run this very loop on a
//! `TestBackend` with scripted keys.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt as _};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::action::{Action, Change, Effect, MailPrepared};
use crate::clipboard::Clipboard;
use crate::credentials::{CredentialStore, Credentials, Secret};
use crate::download::{self, Cancel, Item, Progress};
use crate::dropbox::{ClientSettings, Dropbox, LoginStart, UpdateFileRequestArgs, start_login};
use crate::mail::{MailLog, Mailer};
use crate::state::{self, State};
use crate::ui;

/// A signal the loop reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The terminal hung up (SSH connection dropped).
    Hangup,
    Terminate,
    Interrupt,
}

/// Why the loop ended; each has its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// SIGHUP, or the terminal's input ended or failed: either way there is no screen
    /// left, so nothing is restored and the status is the hang-up's.
    TerminalGone,
    Terminated,
    Interrupted,
}

impl Exit {
    pub fn code(self) -> i32 {
        match self {
            Exit::Quit => 0,
            Exit::TerminalGone => 129,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
        }
    }

    fn from_signal(signal: Signal) -> Exit {
        match signal {
            Signal::Hangup => Exit::TerminalGone,
            Signal::Terminate => Exit::Terminated,
            Signal::Interrupt => Exit::Interrupted,
        }
    }
}

/// Where the loop gets the time; tests pin it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

impl<F: Fn() -> DateTime<Utc>> Clock for F {
    fn now(&self) -> DateTime<Utc> {
        self()
    }
}

const SPINNER_STEP: Duration = Duration::from_millis(120);

/// How often a running download's progress is drawn.
const DOWNLOAD_PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// The download under way: what stops it.
struct DownloadRun {
    cancel: Cancel,
    /// Wakes a course download that is still listing its folders.
    stop_listing: Arc<tokio::sync::Notify>,
    task: AbortHandle,
}

/// Runs effects outside the reducer: each service call is a task that owns a clone of the
/// service handle and sends its result back as an action. Only the newest load of each
/// kind runs: starting one aborts the one before, whose reply would be dropped anyway.
/// Changes are never aborted: once sent, Dropbox's answer must be heard.
/// What effects run on: the Dropbox handle, the clipboard and where settings and
/// credentials are saved.
pub struct Services<C> {
    pub dropbox: Dropbox,
    pub clipboard: C,
    /// The configuration file; `None` (the demo) keeps changed settings in memory only.
    pub config_path: Option<PathBuf>,
    /// The credentials file; `None` (the demo) keeps a sign-in for this run only.
    pub credentials: Option<CredentialStore>,
    /// For building the sign-in URL and exchanging the code (base URL, timeouts).
    pub client_settings: ClientSettings,
    /// Where hand assignments of files to students are kept; `None` keeps them in memory.
    pub assignments_path: Option<PathBuf>,
    /// Rings the terminal's bell; `None` stays silent (tests).
    pub bell: Option<Box<dyn FnMut() + Send>>,
    /// Where the mail log is kept; `None` (the demo) keeps it for this run only.
    pub mail_log_path: Option<PathBuf>,
    /// Looks up the SMTP password (`HANDIN_SMTP_PASSWORD`, the credentials file) when
    /// mail is about to go, so one set while handin runs is found; `None` has none.
    pub smtp_password: Option<SecretLookup>,
}

/// Finds a secret when it is needed, or says why it cannot be read.
pub type SecretLookup = Arc<dyn Fn() -> Result<Option<Secret>, String> + Send + Sync>;

/// The sending under way: what stops it after the letter in flight.
struct MailRun {
    stop: Arc<std::sync::atomic::AtomicBool>,
    task: AbortHandle,
}

struct Effects<C> {
    dropbox: Dropbox,
    sender: mpsc::UnboundedSender<Action>,
    clipboard: C,
    config_path: Option<PathBuf>,
    credentials: Option<CredentialStore>,
    client_settings: ClientSettings,
    /// The sign-in under way: its PKCE verifier never leaves the effect runner.
    login: Option<LoginStart>,
    assignments_path: Option<PathBuf>,
    bell: Option<Box<dyn FnMut() + Send>>,
    files_load: Option<AbortHandle>,
    course_load: Option<AbortHandle>,
    /// The long poll on the opened request's folder: one at a time.
    watch: Option<AbortHandle>,
    requests_load: Option<AbortHandle>,
    account_load: Option<AbortHandle>,
    count_load: Option<AbortHandle>,
    download: Option<DownloadRun>,
    mail_log_path: Option<PathBuf>,
    smtp_password: Option<SecretLookup>,
    mail: Option<MailRun>,
    /// Saves of the mail log are numbered; a save overtaken by a newer one is skipped,
    /// so the file never goes back to an older log.
    mail_log_saves: u64,
    mail_log_written: Arc<std::sync::Mutex<u64>>,
}

impl<C: Clipboard> Effects<C> {
    /// Makes the mailer the settings describe, off the loop's thread (the password may
    /// be read from the credentials file, `sendmail` looked for on the disk); the error is
    /// the sentence saying what to set or fix.
    fn mailer(
        &self,
        mail: crate::config::MailConfig,
    ) -> impl std::future::Future<Output = Result<Mailer, String>> + Send + 'static {
        let lookup = self.smtp_password.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let password = match lookup {
                    Some(lookup) => lookup()?,
                    None => None,
                };
                Mailer::from_config(&mail, password).map_err(|error| error.to_string())
            })
            .await
            .unwrap_or_else(|error| Err(error.to_string()))
        }
    }

    /// Sends the letters one by one, reporting each; the reducer allows one sending at
    /// a time. The server is tried before the first letter, so a wrong password or host
    /// is one sentence, not one failure per student.
    fn start_mail(
        &mut self,
        generation: u64,
        mail: crate::config::MailConfig,
        letters: Vec<(usize, crate::mail::Letter)>,
    ) {
        if self
            .mail
            .as_ref()
            .is_some_and(|run| !run.task.is_finished())
        {
            tracing::warn!("a sending was asked for while another runs; ignored");
            return;
        }
        let mailer = self.mailer(mail);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let sender = self.sender.clone();
        let task = tokio::spawn(async move {
            let finished = |result| Action::MailFinished { generation, result };
            let mailer = match mailer.await {
                Ok(mailer) => mailer,
                Err(sentence) => {
                    let _ = sender.send(finished(Err(sentence)));
                    return;
                }
            };
            if let Err(error) = mailer.test_connection().await {
                tracing::warn!(%error, "the mail server could not be used");
                let _ = sender.send(finished(Err(error.to_string())));
                return;
            }
            let total = letters.len();
            for (done, (row, letter)) in letters.into_iter().enumerate() {
                // Between letters only: one on its way is never cut off half-sent.
                if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    tracing::info!(done, total, "sending stopped");
                    break;
                }
                let delivery = mailer.send(&letter).await;
                if let crate::mail::Delivery::Failed(reason) = &delivery {
                    tracing::warn!(%reason, row, "a letter was refused");
                }
                let _ = sender.send(Action::MailDelivered {
                    generation,
                    row,
                    delivery,
                });
            }
            let _ = sender.send(finished(Ok(())));
        })
        .abort_handle();
        self.mail = Some(MailRun { stop, task });
    }

    fn save_mail_log(&mut self, log: Box<MailLog>) {
        let Some(path) = self.mail_log_path.clone() else {
            return;
        };
        self.mail_log_saves += 1;
        let number = self.mail_log_saves;
        let written = Arc::clone(&self.mail_log_written);
        let sender = self.sender.clone();
        tokio::task::spawn_blocking(move || {
            let mut last = written
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if *last > number {
                return;
            }
            let result = log.save(&path);
            if let Err(error) = &result {
                tracing::warn!(%error, "saving the mail log failed");
            }
            *last = number;
            let _ = sender.send(Action::MailLogSaved(result));
        });
    }

    fn spawn<F>(&self, work: impl FnOnce(Dropbox) -> F) -> AbortHandle
    where
        F: std::future::Future<Output = Action> + Send + 'static,
    {
        let sender = self.sender.clone();
        let future = work(self.dropbox.clone());
        tokio::spawn(async move {
            let _ = sender.send(future.await);
        })
        .abort_handle()
    }

    /// Plans, then runs the engine; while it runs, its progress is sampled into actions
    /// (and only then: an idle handin has no timer). The reducer allows one download at
    /// a time.
    fn start_download<F>(&mut self, concurrency: usize, plan: impl FnOnce(Dropbox) -> F)
    where
        F: std::future::Future<Output = Result<Vec<Item>, String>> + Send + 'static,
    {
        if self
            .download
            .as_ref()
            .is_some_and(|run| !run.task.is_finished())
        {
            tracing::warn!("a download was asked for while another runs; ignored");
            return;
        }
        let cancel = Cancel::new();
        let stop_listing = Arc::new(tokio::sync::Notify::new());
        let sender = self.sender.clone();
        let dropbox = self.dropbox.clone();
        let planning = plan(dropbox.clone());
        let (task_cancel, task_stop) = (cancel.clone(), Arc::clone(&stop_listing));
        let task = tokio::spawn(async move {
            let items = tokio::select! {
                items = planning => items,
                () = task_stop.notified() => Ok(Vec::new()),
            };
            let items = match items {
                Ok(items) => items,
                Err(sentence) => {
                    let _ = sender.send(Action::DownloadFinished(Err(sentence)));
                    return;
                }
            };
            let options = download::Options {
                concurrency,
                ..download::Options::default()
            };
            let progress = Progress::new();
            let run = download::run(&dropbox, items, &options, &progress, &task_cancel);
            tokio::pin!(run);
            let mut every = tokio::time::interval(DOWNLOAD_PROGRESS_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut summary = loop {
                tokio::select! {
                    biased;
                    summary = &mut run => break summary,
                    _ = every.tick() => {
                        let snapshot = Box::new(progress.snapshot());
                        let _ = sender.send(Action::DownloadProgress(snapshot));
                    }
                }
            };
            // Cancelled while still listing: nothing was planned, nothing ran.
            if summary.outcomes.is_empty() && task_cancel.is_cancelled() {
                summary.cancelled = true;
            }
            tracing::info!(headline = %summary.headline(), "download finished");
            let _ = sender.send(Action::DownloadFinished(Ok(Box::new(summary))));
        })
        .abort_handle();
        self.download = Some(DownloadRun {
            cancel,
            stop_listing,
            task,
        });
    }

    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::LoadRequests { generation } => {
                let task = self.spawn(|dropbox| async move {
                    let result = dropbox.list_requests().await;
                    log_failure("listing file requests", &result);
                    Action::RequestsLoaded { generation, result }
                });
                replace(&mut self.requests_load, task);
            }
            Effect::LoadAccount { generation } => {
                let task = self.spawn(|dropbox| async move {
                    let result = dropbox.current_account().await.map(Box::new);
                    log_failure("reading the account", &result);
                    Action::AccountLoaded {
                        generation,
                        result,
                        auth: dropbox.auth_status(),
                    }
                });
                replace(&mut self.account_load, task);
            }
            Effect::CountRequests { generation } => {
                let task = self.spawn(|dropbox| async move {
                    let result = dropbox.count_requests().await;
                    log_failure("counting file requests", &result);
                    Action::CountLoaded { generation, result }
                });
                replace(&mut self.count_load, task);
            }
            Effect::CreateRequest { generation, args } => {
                self.spawn(|dropbox| async move {
                    let result = dropbox.create_request(args).await;
                    log_failure("creating a file request", &result);
                    Action::RequestSaved {
                        generation,
                        change: Change::Created,
                        result,
                    }
                });
            }
            Effect::UpdateRequest {
                generation,
                change,
                args,
            } => {
                self.spawn(|dropbox| async move {
                    let result = dropbox.update_request(args).await;
                    log_failure("updating a file request", &result);
                    Action::RequestSaved {
                        generation,
                        change,
                        result,
                    }
                });
            }
            Effect::CloseAndDelete { generation, id } => {
                self.spawn(|dropbox| async move {
                    let closed = UpdateFileRequestArgs::new(id.clone()).with_open(false);
                    let result = match dropbox.update_request(closed).await {
                        Ok(_) => dropbox.delete_requests(vec![id]).await,
                        Err(error) => Err(error),
                    };
                    log_failure("closing and deleting a file request", &result);
                    Action::RequestsDeleted { generation, result }
                });
            }
            Effect::DeleteRequests { generation, ids } => {
                self.spawn(|dropbox| async move {
                    let result = dropbox.delete_requests(ids).await;
                    log_failure("deleting file requests", &result);
                    Action::RequestsDeleted { generation, result }
                });
            }
            Effect::DeleteAllClosed { generation } => {
                self.spawn(|dropbox| async move {
                    let result = dropbox.delete_all_closed().await;
                    log_failure("deleting closed file requests", &result);
                    Action::RequestsDeleted { generation, result }
                });
            }
            Effect::ListFolders { parent } => {
                self.spawn(|dropbox| async move {
                    let result = dropbox.list_subfolders(&parent).await;
                    log_failure("listing folders for completion", &result);
                    Action::FoldersListed { parent, result }
                });
            }
            Effect::StartLogin { app_key } => {
                let result = start_login(&app_key, &self.client_settings);
                let sent = match result {
                    Ok(start) => {
                        let url = start.url.clone();
                        self.login = Some(start);
                        Ok(url)
                    }
                    Err(error) => Err(error.sentence()),
                };
                let _ = self.sender.send(Action::LoginReady(sent));
            }
            Effect::FinishLogin { code } => {
                let Some(start) = self.login.clone() else {
                    let _ = self.sender.send(Action::SignedIn(Err(
                        "That sign-in has expired; press l to start again.".to_string(),
                    )));
                    return;
                };
                let store = self.credentials.clone();
                self.spawn(|dropbox| async move {
                    let result = async {
                        // Exchanges the code and switches the handle in one step, keeping
                        // the first access token (so its expiry is known at once).
                        let credentials = dropbox
                            .sign_in(&start, &code)
                            .await
                            .map_err(|e| e.sentence())?;
                        if let Some(store) = &store {
                            store.save(&credentials).map_err(|e| e.to_string())?;
                        }
                        Ok(dropbox.auth_status())
                    }
                    .await;
                    if let Err(error) = &result {
                        tracing::warn!(%error, "signing in failed");
                    }
                    Action::SignedIn(result)
                });
            }
            Effect::UseToken { token } => {
                let store = self.credentials.clone();
                let settings = self.client_settings.clone();
                self.spawn(|dropbox| async move {
                    let result = async {
                        // The token is for the server handin talks to now, and only it.
                        let credentials = Credentials::Token {
                            access_token: token,
                            api_base: settings.origin().map_err(|e| e.sentence())?.api_base(),
                        };
                        // Checked on a separate handle, so a bad token never replaces a good one.
                        let trial = Dropbox::from_credentials(settings, &credentials)
                            .map_err(|e| e.sentence())?;
                        // A team token cannot read an account until a member is picked,
                        // which the Settings tab offers next; anything else is a bad token.
                        if let Err(error) = trial.current_account().await
                            && trial.auth_status().is_team_token != Some(true)
                        {
                            return Err(error.sentence());
                        }
                        keep_credentials(&dropbox, store.as_ref(), &credentials)?;
                        Ok(dropbox.auth_status())
                    }
                    .await;
                    if let Err(error) = &result {
                        tracing::warn!(%error, "the pasted token was refused");
                    }
                    Action::SignedIn(result)
                });
            }
            Effect::SignOut => {
                let store = self.credentials.clone();
                self.spawn(|dropbox| async move {
                    let revoked = dropbox.sign_out().await.err().map(|e| e.sentence());
                    let deleted = store.as_ref().map(|s| s.delete());
                    let _ = dropbox.set_credentials(None);
                    let problem = match (revoked, deleted) {
                        (_, Some(Err(error))) => Some(error.to_string()),
                        (revoked, _) => revoked,
                    };
                    Action::SignedOut(problem)
                });
            }
            Effect::LoadTeamMembers => {
                self.spawn(|dropbox| async move {
                    let result = dropbox.team_members().await.map_err(|e| e.sentence());
                    Action::TeamMembersLoaded(result)
                });
            }
            Effect::SetTeamContext {
                select_user,
                path_root,
            } => {
                if let Err(error) = self.dropbox.set_team_context(select_user, path_root) {
                    let _ = self.sender.send(Action::Copied(Err(error.sentence())));
                }
            }
            Effect::ListFiles { generation, path } => {
                // A new listing makes the old watch pointless.
                if let Some(watch) = self.watch.take() {
                    watch.abort();
                }
                let task = self.spawn(|dropbox| async move {
                    let result = dropbox.list_folder_all(&path, true).await;
                    log_failure("listing a request's files", &result);
                    Action::FilesListed { generation, result }
                });
                replace(&mut self.files_load, task);
            }
            Effect::WatchFiles { generation, cursor } => {
                let task = self.spawn(|dropbox| async move {
                    let result = dropbox
                        .wait_for_changes(&cursor, crate::state::submissions::LONGPOLL_SECONDS)
                        .await;
                    log_failure("waiting for new files", &result);
                    Action::FilesChanged { generation, result }
                });
                replace(&mut self.watch, task);
            }
            Effect::ListCourse {
                generation,
                folders,
            } => {
                let task = self.spawn(|dropbox| async move {
                    let result = dropbox.list_folders_all(&folders).await;
                    log_failure("listing a course's requests", &result);
                    Action::CourseListed { generation, result }
                });
                replace(&mut self.course_load, task);
            }
            Effect::LoadRoster { generation, path } => {
                let sender = self.sender.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::submissions::load_roster(&path);
                    let _ = sender.send(Action::RosterLoaded { generation, result });
                });
            }
            Effect::SaveAssignments { assignments } => {
                let Some(path) = self.assignments_path.clone() else {
                    return;
                };
                let sender = self.sender.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = sender.send(Action::AssignmentsSaved(assignments.save(&path)));
                });
            }
            Effect::ExportClass {
                path,
                roster,
                view,
                submissions,
            } => {
                let sender = self.sender.clone();
                tokio::task::spawn_blocking(move || {
                    let result =
                        crate::submissions::export_csv(&roster, &view, &submissions, &path)
                            .map(|()| path.display().to_string());
                    let _ = sender.send(Action::Exported(result));
                });
            }
            Effect::Bell => {
                if let Some(ring) = &mut self.bell {
                    ring();
                }
            }
            Effect::SaveConfig {
                generation,
                key,
                config,
            } => {
                let path = self.config_path.clone();
                let sender = self.sender.clone();
                tokio::task::spawn_blocking(move || {
                    let result = match path {
                        Some(path) => config.save_key(&path, &key),
                        None => Ok(()),
                    };
                    if let Err(error) = &result {
                        tracing::warn!(%error, "saving the configuration failed");
                    }
                    let _ = sender.send(Action::ConfigSaved { generation, result });
                });
            }
            Effect::Download { items, concurrency } => {
                self.start_download(concurrency, |_| async move { Ok(items) });
            }
            Effect::DownloadCourse {
                requests,
                root,
                courses_root,
                assignments,
                roster,
                concurrency,
            } => {
                self.start_download(concurrency, |dropbox| async move {
                    let roster = roster.as_ref();
                    plan_course(
                        &dropbox,
                        &requests,
                        &root,
                        &courses_root,
                        &assignments,
                        roster,
                    )
                    .await
                });
            }
            Effect::CancelDownload => {
                if let Some(run) = &self.download {
                    run.cancel.cancel();
                    run.stop_listing.notify_one();
                }
            }
            Effect::PrepareMail {
                generation,
                mail,
                roster,
                folder,
            } => {
                let mailer = self.mailer(*mail);
                self.spawn(|dropbox| async move {
                    let transport = mailer.await.map(|mailer| mailer.describe());
                    let roster = match roster {
                        Some(path) => Some(
                            tokio::task::spawn_blocking(move || {
                                crate::submissions::load_roster(&path)
                            })
                            .await
                            .unwrap_or_else(|error| Err(error.to_string())),
                        ),
                        None => None,
                    };
                    let files = match folder {
                        Some(path) => {
                            let listed = dropbox.list_folder_all(&path, true).await;
                            log_failure("listing a request to find who is missing", &listed);
                            Some(listed.map(|(entries, _)| entries))
                        }
                        None => None,
                    };
                    Action::MailPrepared(Box::new(MailPrepared {
                        generation,
                        transport,
                        roster,
                        files,
                    }))
                });
            }
            Effect::SendMail {
                generation,
                mail,
                letters,
            } => self.start_mail(generation, *mail, letters),
            Effect::StopMail => {
                if let Some(run) = &self.mail {
                    run.stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Effect::SaveMailLog { log } => self.save_mail_log(log),
            Effect::Copy { text } => {
                // On the loop's own thread: OSC 52 goes to the terminal, between frames.
                let outcome = self.clipboard.copy(&text);
                let _ = self
                    .sender
                    .send(Action::Copied(outcome.map(|copied| copied.message())));
            }
        }
    }
}

/// Lists each request's folder and plans its files under `root`, one request after the
/// other. A folder removed since contributes nothing; any other failure stops the plan.
async fn plan_course(
    dropbox: &Dropbox,
    requests: &[crate::dropbox::FileRequest],
    root: &std::path::Path,
    courses_root: &str,
    assignments: &crate::submissions::Assignments,
    roster: Option<&crate::submissions::Roster>,
) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    for request in requests {
        match download::plan_request(dropbox, request, root, courses_root, assignments, roster)
            .await
        {
            Ok(planned) => items.extend(planned),
            Err(error) => {
                tracing::warn!(%error, title = %request.title, "listing a request to download failed");
                return Err(format!(
                    "listing “{}” failed: {}",
                    request.title,
                    error.sentence()
                ));
            }
        }
    }
    Ok(items)
}

/// Makes `credentials` the ones in use and stores them (when there is a store).
fn keep_credentials(
    dropbox: &Dropbox,
    store: Option<&CredentialStore>,
    credentials: &Credentials,
) -> Result<(), String> {
    dropbox
        .set_credentials(Some(credentials))
        .map_err(|e| e.sentence())?;
    if let Some(store) = store {
        store.save(credentials).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn log_failure<T>(what: &str, result: &Result<T, crate::dropbox::DropboxError>) {
    if let Err(error) = result {
        tracing::warn!(%error, "{what} failed");
    }
}

fn replace(slot: &mut Option<AbortHandle>, newest: AbortHandle) {
    if let Some(older) = slot.replace(newest) {
        older.abort();
    }
}

/// How long until the wall clock reaches the next whole minute, when relative times
/// ("in 3 min", "updated 14:02") change; the only wake-up of an idle handin.
fn until_next_minute(now: DateTime<Utc>) -> Duration {
    let into_minute = now.timestamp_millis().rem_euclid(60_000) as u64;
    Duration::from_millis(60_000 - into_minute)
}

pub async fn run<B, E, S>(
    terminal: &mut Terminal<B>,
    mut events: E,
    mut signals: S,
    state: &mut State,
    services: Services<impl Clipboard>,
    clock: impl Clock,
) -> io::Result<Exit>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Signal> + Unpin,
{
    let (sender, mut actions) = mpsc::unbounded_channel();
    let mut effects = Effects {
        dropbox: services.dropbox,
        sender,
        clipboard: services.clipboard,
        config_path: services.config_path,
        credentials: services.credentials,
        client_settings: services.client_settings,
        login: None,
        assignments_path: services.assignments_path,
        bell: services.bell,
        files_load: None,
        course_load: None,
        watch: None,
        requests_load: None,
        account_load: None,
        count_load: None,
        download: None,
        mail_log_path: services.mail_log_path,
        smtp_password: services.smtp_password,
        mail: None,
        mail_log_saves: 0,
        mail_log_written: Arc::new(std::sync::Mutex::new(0)),
    };
    let mut spinner = tokio::time::interval(SPINNER_STEP);
    spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let size = terminal.size().map_err(io::Error::other)?;
    let mut pending = vec![
        Action::Clock(clock.now()),
        Action::Resize(crate::ui::layout::screen(size.width, size.height)),
    ];
    for action in pending.drain(..) {
        apply(state, action, &mut effects);
    }
    for effect in state.start() {
        effects.run(effect);
    }
    let mut dirty = true;
    let mut signals_open = true;
    let minute = tokio::time::sleep(until_next_minute(clock.now()));
    tokio::pin!(minute);

    loop {
        if state.quitting {
            return Ok(Exit::Quit);
        }
        if dirty && actions.is_empty() {
            if let Err(error) = terminal.draw(|frame| ui::render(state, frame)) {
                let error = io::Error::other(error);
                if terminal_is_gone(&error) {
                    // A hang-up can reach the screen's writes before the input's end.
                    tracing::info!(%error, "the terminal is gone (writing failed); stopping");
                    return Ok(Exit::TerminalGone);
                }
                return Err(error);
            }
            dirty = false;
        }
        let action = tokio::select! {
            biased;
            Some(action) = actions.recv() => action,
            signal = signals.next(), if signals_open => match signal {
                Some(signal) => return Ok(Exit::from_signal(signal)),
                // No more signals can come; stop polling that arm so it cannot spin.
                None => { signals_open = false; continue }
            },
            event = events.next() => match event {
                None => {
                    tracing::info!("the terminal's input ended; stopping");
                    return Ok(Exit::TerminalGone);
                }
                Some(Err(error)) => {
                    tracing::warn!(%error, "the terminal's input failed; stopping");
                    return Ok(Exit::TerminalGone);
                }
                Some(Ok(event)) => match translate(event) {
                    Some(action) => action,
                    None => continue,
                },
            },
            _ = spinner.tick(), if state.is_loading() => Action::SpinnerTick,
            () = &mut minute => {
                let now = clock.now();
                minute.as_mut().reset(tokio::time::Instant::now() + until_next_minute(now));
                Action::Clock(now)
            }
        };
        if !matches!(action, Action::Clock(_)) {
            apply(state, Action::Clock(clock.now()), &mut effects);
        }
        apply(state, action, &mut effects);
        dirty = true;
    }
}

/// Whether a failed write means the terminal went away (hang-up, closed pseudo-terminal)
/// rather than a fault worth reporting.
fn terminal_is_gone(error: &io::Error) -> bool {
    let inner = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<io::Error>())
        .unwrap_or(error);
    matches!(
        inner.raw_os_error(),
        Some(libc::EIO | libc::ENXIO | libc::EPIPE | libc::EBADF)
    ) || inner.kind() == io::ErrorKind::BrokenPipe
}

fn apply<C: Clipboard>(state: &mut State, action: Action, effects: &mut Effects<C>) {
    for effect in state::update(state, action) {
        effects.run(effect);
    }
}

/// Terminal events the app cares about, as actions: key presses (never releases, which
/// terminals with the kitty protocol also report), pastes and resizes.
pub fn translate(event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Action::Key(key)),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(width, height) => {
            Some(Action::Resize(crate::ui::layout::screen(width, height)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minute_timer_aims_at_the_next_whole_minute() {
        let at = |text: &str| crate::time::parse_dropbox(text).expect("valid");
        assert_eq!(
            until_next_minute(at("2026-11-27T12:00:00Z")),
            Duration::from_secs(60)
        );
        assert_eq!(
            until_next_minute(at("2026-11-27T12:00:45Z")),
            Duration::from_secs(15)
        );
    }

    #[test]
    fn only_key_presses_become_actions() {
        use crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};
        let key = |kind| {
            Event::Key(KeyEvent {
                code: KeyCode::Char('j'),
                modifiers: KeyModifiers::NONE,
                kind,
                state: KeyEventState::NONE,
            })
        };
        assert!(matches!(
            translate(key(KeyEventKind::Press)),
            Some(Action::Key(_))
        ));
        assert!(translate(key(KeyEventKind::Release)).is_none());
        assert!(translate(Event::FocusGained).is_none());
        assert!(matches!(
            translate(Event::Resize(100, 30)),
            Some(Action::Resize(screen)) if screen == crate::ui::layout::screen(100, 30)
        ));
    }
}
