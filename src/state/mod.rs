//! The app state and the reducer. `update` is pure: no I/O, no await, no clock reads.
//! Time arrives as `Action::Clock`, service results as actions tagged with the generation
//! of the request that asked for them, so a late reply to an old question is dropped.

pub mod downloads;
pub mod focus;
pub mod form;
pub mod mail;
pub mod modal;
pub mod requests;
pub mod settings;
pub mod submissions;

use chrono::{DateTime, Utc};

use crate::action::{Action, Effect};
use crate::dropbox::{DropboxError, FullAccount};
use crate::keymap::{Command, Keymap};
use crate::time::Zone;

pub use downloads::DownloadsState;
pub use focus::Focus;
pub use mail::{MailOverlay, MailPhase, MailRow};
pub use modal::{Confirm, Modal, Pending};
pub use requests::Mutations;
pub use requests::{RequestsState, SortColumn};
pub use settings::{SettingKey, SettingsState};
pub use submissions::{SubmissionsState, SubmissionsView};

use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Requests,
    Submissions,
    Settings,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Requests, Tab::Submissions, Tab::Settings];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Requests => "Requests",
            Tab::Submissions => "Submissions",
            Tab::Settings => "Settings",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    fn offset(self, by: isize) -> Tab {
        let len = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(len) as usize]
    }
}

/// Where a piece of remote data stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Load {
    #[default]
    Idle,
    Loading,
    Loaded,
    /// The human sentence for what went wrong.
    Failed(String),
}

impl Load {
    pub fn is_loading(&self) -> bool {
        matches!(self, Load::Loading)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub level: Level,
    pub text: String,
}

/// Facts about this run that the views show but the reducer never changes.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// "Dropbox" or "demo emulator at http://127.0.0.1:PORT".
    pub source: String,
    pub config_file: String,
    pub data_dir: String,
    pub log_file: String,
    /// False when `NO_COLOR` is set: styles keep their emphasis and drop colour.
    pub color: bool,
    /// The user's home folder, read once at start-up: `~/` in typed paths and the default
    /// download folder start there. `None` when there is none.
    pub home: Option<std::path::PathBuf>,
}

/// The terminal's size and what the views fit into it, as the views measure it
/// (`ui::layout::screen`): the reducer pages and scrolls by these and knows no layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Screen {
    pub width: u16,
    pub height: u16,
    /// Rows a tab's list shows at once (the Requests table, the Submissions list).
    pub list_rows: usize,
    /// Recipients the mail overlay lists at once.
    pub mail_rows: usize,
    /// Columns of the mail overlay's preview, which its scrolling wraps at.
    pub mail_preview_columns: u16,
}

#[derive(Debug, Clone)]
pub struct AccountState {
    pub generation: u64,
    pub load: Load,
    pub account: Option<FullAccount>,
}

#[derive(Debug, Clone)]
pub struct State {
    pub tab: Tab,
    pub now: DateTime<Utc>,
    pub zone: Zone,
    pub keymap: Keymap,
    pub screen: Screen,
    pub help_open: bool,
    pub spinner_frame: usize,
    pub status: Option<Status>,
    pub requests: RequestsState,
    pub account: AccountState,
    /// The request whose submissions the Submissions tab shows (its id).
    pub opened_request: Option<String>,
    pub environment: Environment,
    /// The form, confirmation or QR code on top, which takes the keys.
    pub modal: Option<Modal>,
    pub mutations: Mutations,
    pub settings: SettingsState,
    pub submissions: SubmissionsState,
    /// The download under way or the last one, and its overlay.
    pub downloads: DownloadsState,
    /// The mail overlay (invite or remind), which takes the keys while it is up.
    pub mail: Option<MailOverlay>,
    /// What was sent to whom, per request (`mail-log.json`; in memory for the demo).
    pub mail_log: crate::mail::MailLog,
    /// Tags the mail overlay's questions to the effect runner, so a late answer to a
    /// closed overlay or an older sending is dropped.
    pub mail_generation: u64,
    pub quitting: bool,
}

impl State {
    pub fn new(now: DateTime<Utc>, zone: Zone, environment: Environment) -> State {
        State {
            tab: Tab::Requests,
            now,
            zone,
            keymap: Keymap::default(),
            screen: Screen {
                width: 80,
                height: 24,
                ..Screen::default()
            },
            help_open: false,
            spinner_frame: 0,
            status: None,
            requests: RequestsState::default(),
            account: AccountState {
                generation: 0,
                load: Load::Idle,
                account: None,
            },
            opened_request: None,
            environment,
            modal: None,
            mutations: Mutations::default(),
            settings: SettingsState::new(Config::default()),
            submissions: SubmissionsState::default(),
            downloads: DownloadsState::default(),
            mail: None,
            mail_log: crate::mail::MailLog::default(),
            mail_generation: 0,
            quitting: false,
        }
    }

    /// Start-up problems (a keymap file's mistakes) for the status bar: the first in full.
    pub fn announce_warnings(&mut self, warnings: &[String]) {
        if let Some(first) = warnings.first() {
            let more = match warnings.len() - 1 {
                0 => String::new(),
                n => format!(" ({n} more in the log file)"),
            };
            self.set_error(format!("{first}{more}"));
        }
    }

    /// The configuration the Settings tab starts from and edits.
    pub fn with_config(mut self, config: Config) -> State {
        self.settings = SettingsState::new(config);
        self
    }

    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// Where downloads and exports go: the configured folder, else one in the home folder.
    pub fn download_dir(&self) -> Option<std::path::PathBuf> {
        self.config()
            .download_dir_under(self.environment.home.as_deref())
    }

    /// The effects to run when the app starts: load what the first screens show.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![
            self.requests.begin_load(),
            self.start_count(),
            self.begin_account_load(),
        ]
    }

    pub fn is_loading(&self) -> bool {
        self.requests.load.is_loading()
            || self.account.load.is_loading()
            || self.mutations.busy.is_some()
            || self.submissions.load.is_loading()
            || self.submissions.grid_load.is_loading()
            || self.mail.as_ref().is_some_and(MailOverlay::is_busy)
    }

    /// Whether what the current tab shows is loading (for the status bar's spinner).
    pub fn tab_is_loading(&self) -> bool {
        match self.tab {
            Tab::Requests => self.requests.load.is_loading() || self.mutations.busy.is_some(),
            Tab::Submissions => {
                self.submissions.load.is_loading() || self.submissions.grid_load.is_loading()
            }
            Tab::Settings => self.account.load.is_loading(),
        }
    }

    fn begin_account_load(&mut self) -> Effect {
        self.account.generation += 1;
        self.account.load = Load::Loading;
        Effect::LoadAccount {
            generation: self.account.generation,
        }
    }

    fn set_error(&mut self, text: String) {
        self.status = Some(Status {
            level: Level::Error,
            text,
        });
    }
}

/// The reducer: applies one action to the state and says what to do next.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Clock(now) => {
            state.now = now;
            Vec::new()
        }
        Action::Resize(screen) => {
            state.screen = screen;
            state.requests.set_viewport(screen.list_rows);
            state.submissions.set_viewport(screen.list_rows);
            if let Some(overlay) = &mut state.mail {
                overlay.clamp(screen.mail_rows);
            }
            Vec::new()
        }
        Action::SpinnerTick => {
            state.spinner_frame = state.spinner_frame.wrapping_add(1);
            Vec::new()
        }
        Action::Key(key) => state.route_key(key),
        Action::Paste(text) => state.route_paste(&text),
        Action::RequestsLoaded { generation, result } => {
            if generation != state.requests.generation {
                return Vec::new();
            }
            match result {
                Ok(list) => {
                    state.requests.loaded(list, state.now);
                    if matches!(&state.status, Some(s) if s.level == Level::Error) {
                        state.status = None;
                    }
                }
                Err(error) => {
                    let sentence = error.sentence();
                    state.requests.load = Load::Failed(sentence.clone());
                    // With nothing loaded the table itself says why; with an older list
                    // still on screen the status bar says the reload failed.
                    if !state.requests.rows.is_empty() {
                        state.set_error(format!(
                            "Reload failed, showing the older list: {sentence}"
                        ));
                    }
                }
            }
            Vec::new()
        }
        Action::CountLoaded { generation, result } => {
            if generation == state.requests.count_generation {
                // The header falls back to the loaded list when Dropbox cannot count.
                state.requests.count = result.ok();
            }
            Vec::new()
        }
        Action::RequestSaved {
            generation,
            change,
            result,
        } => state.request_saved(generation, change, result),
        Action::RequestsDeleted { generation, result } => {
            state.requests_deleted(generation, result)
        }
        Action::FoldersListed { parent, result } => {
            state.folders_listed(&parent, result);
            Vec::new()
        }
        Action::Copied(result) => {
            state.status = Some(match result {
                Ok(text) => Status {
                    level: Level::Info,
                    text,
                },
                Err(text) => Status {
                    level: Level::Error,
                    text,
                },
            });
            Vec::new()
        }
        Action::LoginReady(result) => state.login_ready(result),
        Action::SignedIn(result) => state.signed_in(result),
        Action::SignedOut(problem) => state.signed_out(problem),
        Action::TeamMembersLoaded(result) => {
            state.members_loaded(result);
            Vec::new()
        }
        Action::FilesListed { generation, result } => state.files_listed(generation, result),
        Action::FilesChanged { generation, result } => state.files_changed(generation, result),
        Action::CourseListed { generation, result } => {
            state.course_listed(generation, result);
            Vec::new()
        }
        Action::RosterLoaded { generation, result } => {
            state.roster_loaded(generation, result);
            Vec::new()
        }
        Action::AssignmentsSaved(result) => {
            if let Err(sentence) = result {
                state.set_error(format!(
                    "The assignment is shown but could not be saved: {sentence}"
                ));
            }
            Vec::new()
        }
        Action::Exported(result) => {
            state.status = Some(match result {
                Ok(path) => Status {
                    level: Level::Info,
                    text: format!("The class view is in {path}."),
                },
                Err(sentence) => Status {
                    level: Level::Error,
                    text: sentence,
                },
            });
            Vec::new()
        }
        Action::ConfigSaved { generation, result } => {
            state.config_saved(generation, result);
            Vec::new()
        }
        Action::DownloadProgress(snapshot) => {
            state.download_progress(*snapshot);
            Vec::new()
        }
        Action::DownloadFinished(result) => {
            state.download_finished(result);
            Vec::new()
        }
        Action::MailPrepared(prepared) => {
            state.mail_prepared(*prepared);
            Vec::new()
        }
        Action::MailDelivered {
            generation,
            row,
            delivery,
        } => state.mail_delivered(generation, row, delivery),
        Action::MailFinished { generation, result } => {
            state.mail_finished(generation, result);
            Vec::new()
        }
        Action::MailLogSaved(result) => {
            state.mail_log_saved(result);
            Vec::new()
        }
        Action::AccountLoaded {
            generation,
            result,
            auth,
        } => {
            state.settings.auth = Some(auth);
            if generation != state.account.generation {
                return Vec::new();
            }
            match result {
                Ok(account) => {
                    state.account.account = Some(*account);
                    state.account.load = Load::Loaded;
                }
                Err(error) => account_failed(state, &error),
            }
            Vec::new()
        }
    }
}

fn account_failed(state: &mut State, error: &DropboxError) {
    state.account.load = Load::Failed(error.sentence());
}

/// A list's selection kept inside its `len` rows and its scroll `offset` moved just enough
/// for the selection to show in a `viewport` of rows. Returns (selected, offset).
pub(crate) fn keep_in_view(
    selected: usize,
    offset: usize,
    viewport: usize,
    len: usize,
) -> (usize, usize) {
    if len == 0 {
        return (0, 0);
    }
    let selected = selected.min(len - 1);
    let viewport = viewport.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + viewport {
        selected + 1 - viewport
    } else {
        offset
    };
    (selected, offset.min(len.saturating_sub(viewport)))
}

fn on_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => return state.quit_or_ask(),
        Command::Help => state.help_open = true,
        Command::NextTab => state.tab = state.tab.offset(1),
        Command::PrevTab => state.tab = state.tab.offset(-1),
        Command::GoToRequests => state.tab = Tab::Requests,
        Command::GoToSubmissions => state.tab = Tab::Submissions,
        Command::GoToSettings => state.tab = Tab::Settings,
        Command::Up | Command::Down | Command::PageUp | Command::PageDown
            if state.tab == Tab::Settings =>
        {
            let step = match command {
                Command::Up => -1,
                Command::Down => 1,
                Command::PageUp => -5,
                _ => 5,
            };
            state.settings.move_by(step);
        }
        Command::Up | Command::Down | Command::PageUp | Command::PageDown
            if state.tab == Tab::Submissions =>
        {
            let page = state.submissions.viewport.max(1) as isize;
            let step = match command {
                Command::Up => -1,
                Command::Down => 1,
                Command::PageUp => -page,
                _ => page,
            };
            state.submissions.move_by(step);
        }
        Command::Home if state.tab == Tab::Submissions => state.submissions.move_by(isize::MIN / 2),
        Command::End if state.tab == Tab::Submissions => state.submissions.move_by(isize::MAX / 2),
        Command::Filter if state.tab == Tab::Submissions => state.submissions.filter_editing = true,
        Command::Sort if state.tab == Tab::Submissions => state.submissions.cycle_sort(),
        Command::ReverseSort if state.tab == Tab::Submissions => state.submissions.reverse_sort(),
        Command::Refresh if state.tab == Tab::Submissions => return state.submissions_reload(),
        Command::ToggleView => {
            if !state.submissions.toggle_view() {
                let text = match &state.submissions.roster_problem {
                    Some(problem) => format!("The roster cannot be used: {problem}"),
                    None => {
                        "The class view needs the course's roster: press R to set it.".to_string()
                    }
                };
                state.status = Some(Status {
                    level: Level::Info,
                    text,
                });
            }
        }
        Command::Assign => state.start_assign(),
        Command::CourseGrid => return state.show_course(),
        Command::Mark => state.toggle_mark(),
        Command::Download => return state.download_selected(),
        Command::DownloadAll => return state.download_all(),
        Command::ShowDownloads => state.show_downloads(),
        Command::Export => state.start_export(),
        Command::SetRoster => state.start_roster(),
        Command::Home if state.tab == Tab::Settings => state.settings.selected = 0,
        Command::End if state.tab == Tab::Settings => state.settings.move_by(isize::MAX / 2),
        Command::EditSetting => return state.edit_setting(),
        Command::SignIn => return state.begin_sign_in(),
        Command::PasteToken => return state.begin_paste_token(),
        Command::PickMember => return state.begin_pick_member(),
        Command::SignOut => return state.begin_sign_out(),
        Command::Up => state.requests.move_by(-1),
        Command::Down => state.requests.move_by(1),
        Command::PageUp => state.requests.page(-1),
        Command::PageDown => state.requests.page(1),
        Command::Home => state.requests.select_first(),
        Command::End => state.requests.select_last(),
        Command::Refresh => {
            return match state.tab {
                Tab::Settings => vec![state.begin_account_load()],
                _ => vec![state.requests.begin_load(), state.start_count()],
            };
        }
        Command::Filter => state.requests.start_filter(),
        Command::Sort => state.requests.cycle_sort(),
        Command::ReverseSort => state.requests.reverse_sort(),
        Command::New => return state.new_request(),
        Command::Edit => return state.edit_request(),
        Command::ToggleOpen => return state.toggle_open(),
        Command::Delete => return state.delete_request(),
        Command::DeleteClosed => return state.delete_all_closed(),
        Command::CopyLink => return state.copy_link(),
        Command::ShowQr => return state.show_qr(),
        Command::Open => return state.open_submissions(),
        Command::Invite => return state.start_mail(crate::mail::Kind::Invite),
        Command::Remind => return state.start_mail(crate::mail::Kind::Remind),
    }
    Vec::new()
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
