//! What flows through the loop: `Action`s into the reducer, `Effect`s out of it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use std::path::PathBuf;

use crate::config::{Config, ConfigKey, MailConfig};
use crate::credentials::Secret;
use crate::download::{Item, Snapshot, Summary};
use crate::dropbox::{
    AuthStatus, CreateFileRequestArgs, DropboxError, FileRequest, FullAccount, Metadata,
    TeamMember, UpdateFileRequestArgs,
};
use crate::mail::{Delivery, Letter, MailLog};
use crate::submissions::{Assignments, ClassView, Roster, Submission};

/// Everything that can change the state: user input, the clock, and service results.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key press (releases are filtered out by the loop).
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal's new size, and what the views fit into it.
    Resize(crate::state::Screen),
    /// The time now; the loop sends it before each batch so the reducer never reads a clock.
    Clock(DateTime<Utc>),
    /// One step of the loading spinner; only sent while something loads.
    SpinnerTick,
    RequestsLoaded {
        generation: u64,
        result: Result<Vec<FileRequest>, DropboxError>,
    },
    AccountLoaded {
        generation: u64,
        // Boxed: an account is large and arrives once, while keys arrive all the time.
        result: Result<Box<FullAccount>, DropboxError>,
        /// How handin is signed in as of this answer (a refresh may have renewed it).
        auth: AuthStatus,
    },
    /// Dropbox's count of requests (open and closed), for the header.
    CountLoaded {
        generation: u64,
        result: Result<u64, DropboxError>,
    },
    /// Dropbox's answer to a create or an update: the request as it now stands.
    RequestSaved {
        generation: u64,
        change: Change,
        result: Result<FileRequest, DropboxError>,
    },
    /// Dropbox's answer to a delete: the requests that went.
    RequestsDeleted {
        generation: u64,
        result: Result<Vec<FileRequest>, DropboxError>,
    },
    /// The subfolders of `parent` (display paths), for completing the folder field.
    FoldersListed {
        parent: String,
        result: Result<Vec<String>, DropboxError>,
    },
    /// Where a copied link went, or why it did not: one sentence for the status bar.
    Copied(Result<String, String>),
    /// The authorize URL is ready (the PKCE verifier stays with the effect runner).
    LoginReady(Result<String, String>),
    /// Signed in (OAuth code exchanged, or a pasted token checked), or why not.
    SignedIn(Result<AuthStatus, String>),
    /// Signed out; the sentence says if revoking at Dropbox failed (the local
    /// credentials are gone either way).
    SignedOut(Option<String>),
    TeamMembersLoaded(Result<Vec<TeamMember>, String>),
    /// The destination folder of the opened request, listed (recursively), or why not.
    FilesListed {
        generation: u64,
        result: Result<(Vec<Metadata>, String), DropboxError>,
    },
    /// Changes under the watched folder since the last cursor.
    FilesChanged {
        generation: u64,
        result: Result<(Vec<Metadata>, String), DropboxError>,
    },
    /// Every request folder of the course, listed, in the order asked: for the grid.
    CourseListed {
        generation: u64,
        result: Result<Vec<Vec<Metadata>>, DropboxError>,
    },
    /// The course's roster file read and checked, or why not.
    RosterLoaded {
        generation: u64,
        result: Result<Roster, String>,
    },
    /// The manual file-to-student assignments were written, or why not.
    AssignmentsSaved(Result<(), String>),
    /// The class view was exported (the path), or why not.
    Exported(Result<String, String>),
    /// The configuration file was written, or why not.
    ConfigSaved {
        generation: u64,
        result: Result<(), String>,
    },
    /// How the download under way stands; sent four times a second while it runs.
    DownloadProgress(Box<Snapshot>),
    /// The download ended (done or cancelled), or why it could not start (a course's
    /// folders could not be listed).
    DownloadFinished(Result<Box<Summary>, String>),
    /// What the mail overlay waited for: how mail would go, and the roster and files it
    /// asked for.
    MailPrepared(Box<MailPrepared>),
    /// One letter's fate, as soon as it is known; `row` is the overlay's recipient row.
    MailDelivered {
        generation: u64,
        row: usize,
        delivery: Delivery,
    },
    /// The sending ended: every letter tried, or stopped (`Ok`), or it never began
    /// because the server could not be reached (`Err`, one sentence).
    MailFinished {
        generation: u64,
        result: Result<(), String>,
    },
    /// The mail log was written, or why not.
    MailLogSaved(Result<(), String>),
}

/// The answer to [`Effect::PrepareMail`].
#[derive(Debug, Clone)]
pub struct MailPrepared {
    pub generation: u64,
    /// How mail goes ("smtp.university.edu:587 (STARTTLS)"), or the settings sentence
    /// saying what to set.
    pub transport: Result<String, String>,
    /// The course's roster, when it was asked for.
    pub roster: Option<Result<Roster, String>>,
    /// The request's folder, listed, when it was asked for (to find who is missing).
    pub files: Option<Result<Vec<Metadata>, DropboxError>>,
}

/// What a saved change was, for the status bar's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Edited,
    Closed,
    Reopened,
}

/// Work the reducer asks for; the loop runs it outside the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadRequests {
        generation: u64,
    },
    LoadAccount {
        generation: u64,
    },
    CountRequests {
        generation: u64,
    },
    CreateRequest {
        generation: u64,
        args: CreateFileRequestArgs,
    },
    UpdateRequest {
        generation: u64,
        change: Change,
        args: UpdateFileRequestArgs,
    },
    /// Close the request, then delete it (Dropbox deletes closed requests only).
    CloseAndDelete {
        generation: u64,
        id: String,
    },
    DeleteRequests {
        generation: u64,
        ids: Vec<String>,
    },
    DeleteAllClosed {
        generation: u64,
    },
    ListFolders {
        parent: String,
    },
    /// Put text on the clipboard (OSC 52, or the system clipboard on a local display).
    Copy {
        text: String,
    },
    /// Build the authorize URL (PKCE) for this app key.
    StartLogin {
        app_key: String,
    },
    /// Exchange the pasted code; the verifier is the effect runner's.
    FinishLogin {
        code: String,
    },
    /// Check a pasted access token and keep it.
    UseToken {
        token: Secret,
    },
    SignOut,
    LoadTeamMembers,
    /// Act as this member, in this namespace, from now on.
    SetTeamContext {
        select_user: Option<String>,
        path_root: Option<String>,
    },
    /// List the folder of the opened request (recursively).
    ListFiles {
        generation: u64,
        path: String,
    },
    /// Long-poll the folder under `cursor` and fetch what changed.
    WatchFiles {
        generation: u64,
        cursor: String,
    },
    /// List each folder (recursively), one after the other.
    ListCourse {
        generation: u64,
        folders: Vec<String>,
    },
    LoadRoster {
        generation: u64,
        path: PathBuf,
    },
    SaveAssignments {
        assignments: Assignments,
    },
    ExportClass {
        path: PathBuf,
        roster: Roster,
        view: Box<ClassView>,
        submissions: Vec<Submission>,
    },
    /// Ring the terminal's bell (new files arrived).
    Bell,
    /// Write `key` of the configuration file, with its value in `config`, and nothing
    /// else: values that came from flags or the environment stay out of the file.
    SaveConfig {
        generation: u64,
        key: ConfigKey,
        config: Box<Config>,
    },
    /// Download these files, `concurrency` at a time.
    Download {
        items: Vec<Item>,
        concurrency: usize,
    },
    /// List each request's folder, plan its files under `root`, then download them all.
    DownloadCourse {
        requests: Vec<FileRequest>,
        root: PathBuf,
        courses_root: String,
        assignments: Assignments,
        /// The course's class list, which spells the student folders.
        roster: Option<Roster>,
        concurrency: usize,
    },
    /// Stop the download under way: finished files stay, `.part` files resume next time.
    CancelDownload,
    /// Check the mail settings, and read the roster and list the folder when asked.
    PrepareMail {
        generation: u64,
        mail: Box<MailConfig>,
        roster: Option<PathBuf>,
        folder: Option<String>,
    },
    /// Send these letters one by one (with the configured pause), reporting each.
    SendMail {
        generation: u64,
        mail: Box<MailConfig>,
        /// The overlay's row of each letter, for the reports.
        letters: Vec<(usize, Letter)>,
    },
    /// Stop sending after the letter in flight.
    StopMail,
    /// Write the mail log (what was sent to whom).
    SaveMailLog {
        log: Box<MailLog>,
    },
}
