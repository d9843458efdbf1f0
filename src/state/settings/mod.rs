//! The Settings tab: every configuration key, edited in place and validated before it
//! is saved; a bad value is refused with a sentence and the old one kept.

use std::path::PathBuf;

use tui_input::Input;

mod sign_in;

use crossterm::event::{KeyCode, KeyEvent};

use super::{Level, State, Status};
use crate::action::Effect;
use crate::config::{Config, ConfigKey, GraceSetting, MailTransport, SmtpSecurity, ThemeSetting};
use crate::dropbox::{AuthStatus, TeamMember};

/// One editable line of the Settings tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKey {
    CoursesRoot,
    DownloadDir,
    DefaultGrace,
    DownloadConcurrency,
    MailTransport,
    SmtpHost,
    SmtpPort,
    SmtpSecurity,
    SmtpUser,
    MailFrom,
    ReplyTo,
    MailPause,
    Theme,
    Bell,
    KeymapFile,
    AppKey,
    TeamMember,
    TeamSpace,
    ApiBase,
}

impl SettingKey {
    pub const ALL: [SettingKey; 19] = [
        SettingKey::CoursesRoot,
        SettingKey::DownloadDir,
        SettingKey::DefaultGrace,
        SettingKey::DownloadConcurrency,
        SettingKey::MailTransport,
        SettingKey::SmtpHost,
        SettingKey::SmtpPort,
        SettingKey::SmtpSecurity,
        SettingKey::SmtpUser,
        SettingKey::MailFrom,
        SettingKey::ReplyTo,
        SettingKey::MailPause,
        SettingKey::Theme,
        SettingKey::Bell,
        SettingKey::KeymapFile,
        SettingKey::AppKey,
        SettingKey::TeamMember,
        SettingKey::TeamSpace,
        SettingKey::ApiBase,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SettingKey::CoursesRoot => "Courses root",
            SettingKey::DownloadDir => "Download folder",
            SettingKey::DefaultGrace => "Default grace",
            SettingKey::DownloadConcurrency => "Downloads at once",
            SettingKey::MailTransport => "Mail via",
            SettingKey::SmtpHost => "SMTP host",
            SettingKey::SmtpPort => "SMTP port",
            SettingKey::SmtpSecurity => "SMTP security",
            SettingKey::SmtpUser => "SMTP user",
            SettingKey::MailFrom => "Mail from",
            SettingKey::ReplyTo => "Reply-to",
            SettingKey::MailPause => "Pause (ms)",
            SettingKey::Theme => "Theme",
            SettingKey::Bell => "Bell on new files",
            SettingKey::KeymapFile => "Keymap file",
            SettingKey::AppKey => "App key",
            SettingKey::TeamMember => "Team member",
            SettingKey::TeamSpace => "Path root",
            SettingKey::ApiBase => "API base",
        }
    }

    /// The key's name in the configuration file.
    pub fn config_key(self) -> &'static str {
        match self {
            SettingKey::CoursesRoot => "courses_root",
            SettingKey::DownloadDir => "download_dir",
            SettingKey::DefaultGrace => "default_grace",
            SettingKey::DownloadConcurrency => "download_concurrency",
            SettingKey::MailTransport => "mail.transport",
            SettingKey::SmtpHost => "mail.smtp_host",
            SettingKey::SmtpPort => "mail.smtp_port",
            SettingKey::SmtpSecurity => "mail.smtp_security",
            SettingKey::SmtpUser => "mail.smtp_user",
            SettingKey::MailFrom => "mail.from",
            SettingKey::ReplyTo => "mail.reply_to",
            SettingKey::MailPause => "mail.pause_ms",
            SettingKey::Theme => "theme",
            SettingKey::Bell => "bell",
            SettingKey::KeymapFile => "keymap_file",
            SettingKey::AppKey => "app_key",
            SettingKey::TeamMember => "select_user",
            SettingKey::TeamSpace => "path_root",
            SettingKey::ApiBase => "api_base",
        }
    }

    /// What to type, shown while editing.
    pub fn hint(self) -> &'static str {
        match self {
            SettingKey::CoursesRoot => "a Dropbox folder, like /Courses",
            SettingKey::DownloadDir => "a local folder; empty means ~/handin-downloads",
            SettingKey::DefaultGrace => "none, one_day, two_days, seven_days, thirty_days, always",
            SettingKey::DownloadConcurrency => "1 to 32",
            SettingKey::MailTransport => "smtp, sendmail or dry-run",
            SettingKey::SmtpHost => "the mail server, like smtp.university.edu",
            SettingKey::SmtpPort => "587 for starttls, 465 for tls",
            SettingKey::SmtpSecurity => "starttls, tls, or none (this machine only)",
            SettingKey::SmtpUser => "the SMTP login name; empty for none",
            SettingKey::MailFrom => "Prof. Ada Lovelace <ada@university.edu>",
            SettingKey::ReplyTo => "an address, or empty",
            SettingKey::MailPause => "milliseconds between two messages",
            SettingKey::Theme => "default or mono",
            SettingKey::Bell => "yes or no: ring once when new files arrive",
            SettingKey::KeymapFile => "a TOML file of key bindings; empty for the defaults",
            SettingKey::AppKey => "from your app's page in the Dropbox App Console",
            SettingKey::TeamMember => "dbmid:…; m picks from the team",
            SettingKey::TeamSpace => "empty for your home, or the team space's namespace id",
            SettingKey::ApiBase => "empty for Dropbox; http://127.0.0.1:PORT for the emulator",
        }
    }

    /// Whether a change only applies when handin starts again.
    pub fn needs_restart(self) -> bool {
        matches!(
            self,
            SettingKey::ApiBase | SettingKey::KeymapFile | SettingKey::Theme
        )
    }

    pub fn get(self, config: &Config) -> String {
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        };
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        match self {
            SettingKey::CoursesRoot => config.courses_root.clone(),
            SettingKey::DownloadDir => path(&config.download_dir),
            SettingKey::DefaultGrace => config.default_grace.name().to_string(),
            SettingKey::DownloadConcurrency => config.download_concurrency.to_string(),
            SettingKey::MailTransport => match config.mail.transport {
                MailTransport::Smtp => "smtp",
                MailTransport::Sendmail => "sendmail",
                MailTransport::DryRun => "dry-run",
            }
            .to_string(),
            SettingKey::SmtpHost => text(&config.mail.smtp_host),
            SettingKey::SmtpPort => config.mail.smtp_port.to_string(),
            SettingKey::SmtpSecurity => match config.mail.smtp_security {
                SmtpSecurity::Starttls => "starttls",
                SmtpSecurity::Tls => "tls",
                SmtpSecurity::None => "none",
            }
            .to_string(),
            SettingKey::SmtpUser => text(&config.mail.smtp_user),
            SettingKey::MailFrom => text(&config.mail.from),
            SettingKey::ReplyTo => text(&config.mail.reply_to),
            SettingKey::MailPause => config.mail.pause_ms.to_string(),
            SettingKey::Theme => match config.theme {
                ThemeSetting::Default => "default",
                ThemeSetting::Mono => "mono",
            }
            .to_string(),
            SettingKey::Bell => if config.bell { "yes" } else { "no" }.to_string(),
            SettingKey::KeymapFile => path(&config.keymap_file),
            SettingKey::AppKey => text(&config.app_key),
            SettingKey::TeamMember => text(&config.select_user),
            SettingKey::TeamSpace => text(&config.path_root),
            SettingKey::ApiBase => text(&config.api_base),
        }
    }

    /// A copy of `config` with this key set from `text`, checked as a whole; the
    /// sentence says what is wrong and what would be right.
    pub fn set(self, config: &Config, text: &str) -> Result<Config, String> {
        let text = text.trim();
        let optional = |t: &str| (!t.is_empty()).then(|| t.to_string());
        let optional_path = |t: &str| (!t.is_empty()).then(|| PathBuf::from(t));
        let choice = |allowed: &[&str]| -> Result<usize, String> {
            allowed
                .iter()
                .position(|a| a.eq_ignore_ascii_case(text))
                .ok_or_else(|| format!("{text:?} is not one of: {}.", allowed.join(", ")))
        };
        let number = |low: u64, high: u64| -> Result<u64, String> {
            text.parse::<u64>()
                .ok()
                .filter(|n| (low..=high).contains(n))
                .ok_or_else(|| format!("{text:?} is not a number from {low} to {high}."))
        };
        let mut next = config.clone();
        match self {
            SettingKey::CoursesRoot => {
                next.courses_root = if text.len() > 1 {
                    text.trim_end_matches('/').to_string()
                } else {
                    text.to_string()
                }
            }
            SettingKey::DownloadDir => next.download_dir = optional_path(text),
            SettingKey::DefaultGrace => {
                let grace = crate::file_request::grace::parse(text)?;
                next.default_grace = GraceSetting::from_grace(grace.as_ref()).ok_or_else(|| {
                    format!("{text:?} is not a grace period the configuration can hold.")
                })?;
            }
            SettingKey::DownloadConcurrency => {
                next.download_concurrency = number(1, 32)? as u32;
            }
            SettingKey::MailTransport => {
                next.mail.transport = [
                    MailTransport::Smtp,
                    MailTransport::Sendmail,
                    MailTransport::DryRun,
                ][choice(&["smtp", "sendmail", "dry-run"])?];
            }
            SettingKey::SmtpHost => next.mail.smtp_host = optional(text),
            SettingKey::SmtpPort => next.mail.smtp_port = number(1, 65_535)? as u16,
            SettingKey::SmtpSecurity => {
                next.mail.smtp_security = [
                    SmtpSecurity::Starttls,
                    SmtpSecurity::Tls,
                    SmtpSecurity::None,
                ][choice(&["starttls", "tls", "none"])?];
            }
            SettingKey::SmtpUser => next.mail.smtp_user = optional(text),
            SettingKey::MailFrom => next.mail.from = optional(text),
            SettingKey::ReplyTo => next.mail.reply_to = optional(text),
            SettingKey::MailPause => next.mail.pause_ms = number(0, 60_000)?,
            SettingKey::Theme => {
                next.theme =
                    [ThemeSetting::Default, ThemeSetting::Mono][choice(&["default", "mono"])?];
            }
            SettingKey::Bell => next.bell = choice(&["yes", "no"])? == 0,
            SettingKey::KeymapFile => next.keymap_file = optional_path(text),
            SettingKey::AppKey => {
                if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(
                        "An app key is letters and digits only; copy it from your app's page in the App Console."
                            .into(),
                    );
                }
                next.app_key = optional(text);
            }
            SettingKey::TeamMember => next.select_user = optional(text),
            SettingKey::TeamSpace => next.path_root = optional(text),
            SettingKey::ApiBase => next.api_base = optional(text),
        }
        next.validate().map_err(|reason| {
            let mut sentence = reason;
            if let Some(first) = sentence.get(..1) {
                sentence = first.to_uppercase() + &sentence[1..];
            }
            if !sentence.ends_with('.') {
                sentence.push('.');
            }
            sentence
        })?;
        Ok(next)
    }
}

/// A sign-in step shown over the Settings tab.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Waiting for the authorize URL to be built.
    Starting,
    /// The professor approves in a browser and pastes the code Dropbox shows.
    Code {
        url: String,
        code: Input,
        error: Option<String>,
        exchanging: bool,
    },
    /// A token pasted from the App Console (shown masked).
    Token {
        token: Input,
        error: Option<String>,
        checking: bool,
    },
    /// The team members a team token can act as.
    Members {
        members: Vec<TeamMember>,
        selected: usize,
    },
    LoadingMembers,
    /// "Sign out?" — y revokes and forgets the credentials.
    ConfirmSignOut,
}

/// The Settings tab's own state.
#[derive(Debug, Clone, Default)]
pub struct SettingsState {
    /// The configuration as saved (or as loaded).
    pub config: Config,
    pub selected: usize,
    /// The value being typed for the selected key.
    pub editing: Option<Input>,
    /// Why the last edit was refused, or why saving failed.
    pub error: Option<String>,
    pub save_generation: u64,
    /// The configuration to go back to if the write fails.
    pub before_save: Option<Box<Config>>,
    pub sign_in: Option<SignIn>,
    /// What the write under way saves, for the status bar ("courses_root").
    pub saving: String,
    /// How handin is signed in, as the service layer last said.
    pub auth: Option<AuthStatus>,
}

impl SettingsState {
    pub fn new(config: Config) -> SettingsState {
        SettingsState {
            config,
            ..SettingsState::default()
        }
    }

    pub fn selected_key(&self) -> SettingKey {
        SettingKey::ALL[self.selected.min(SettingKey::ALL.len() - 1)]
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = SettingKey::ALL.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    pub fn start_editing(&mut self) {
        self.error = None;
        self.editing = Some(Input::new(self.selected_key().get(&self.config)));
    }

    /// Checks the typed value; Ok gives the configuration to save.
    pub fn finish_editing(&mut self) -> Option<Config> {
        let input = self.editing.as_ref()?;
        let key = self.selected_key();
        match key.set(&self.config, input.value()) {
            Ok(next) => {
                self.editing = None;
                self.error = None;
                (next != self.config).then_some(next)
            }
            Err(sentence) => {
                // The typed text stays in the editor so it can be corrected.
                self.error = Some(format!("{}: {sentence}", key.label()));
                None
            }
        }
    }
}

impl State {
    /// A key while a setting is being typed.
    pub(in crate::state) fn setting_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        use tui_input::backend::crossterm::EventHandler as _;
        match key.code {
            KeyCode::Esc => {
                self.settings.editing = None;
                self.settings.error = None;
                Vec::new()
            }
            KeyCode::Enter => match self.settings.finish_editing() {
                Some(next) => {
                    let key = ConfigKey::dotted(self.settings.selected_key().config_key());
                    self.save_config(next, key)
                }
                None => Vec::new(),
            },
            _ => {
                if let Some(input) = &mut self.settings.editing {
                    input.handle_event(&crossterm::event::Event::Key(key));
                }
                Vec::new()
            }
        }
    }

    /// Takes the new configuration at once and writes its `key`, the one that changed, to
    /// the file; a failed write puts the old configuration back.
    pub(crate) fn save_config(&mut self, next: Config, key: ConfigKey) -> Vec<Effect> {
        self.settings.saving = key.to_string();
        let previous = std::mem::replace(&mut self.settings.config, next.clone());
        self.settings.before_save = Some(Box::new(previous));
        self.settings.save_generation += 1;
        vec![Effect::SaveConfig {
            generation: self.settings.save_generation,
            key,
            config: Box::new(next),
        }]
    }

    pub(in crate::state) fn config_saved(&mut self, generation: u64, result: Result<(), String>) {
        if generation != self.settings.save_generation {
            return;
        }
        let key = self.settings.selected_key();
        match result {
            Ok(()) => {
                self.settings.before_save = None;
                let restart = if self.settings.saving == key.config_key() && key.needs_restart() {
                    " It applies when handin starts again."
                } else {
                    ""
                };
                self.status = Some(Status {
                    level: Level::Info,
                    text: format!("Saved {}.{restart}", self.settings.saving),
                });
            }
            Err(sentence) => {
                if let Some(previous) = self.settings.before_save.take() {
                    self.settings.config = *previous;
                }
                let text = format!("Could not save the settings, so nothing changed: {sentence}");
                self.settings.error = Some(text.clone());
                self.set_error(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips_its_own_value() {
        let config = Config::default();
        for key in SettingKey::ALL {
            let value = key.get(&config);
            let again = key
                .set(&config, &value)
                .expect("the current value is valid");
            assert_eq!(again, config, "{key:?}");
        }
    }

    #[test]
    fn the_default_grace_is_read_as_the_form_and_the_syllabus_read_it() {
        let config = Config::default();
        for (text, expected) in [
            ("two_days", GraceSetting::TwoDays),
            ("2 days", GraceSetting::TwoDays),
            ("7d", GraceSetting::SevenDays),
            ("Always", GraceSetting::Always),
            ("none", GraceSetting::None),
        ] {
            let next = SettingKey::DefaultGrace.set(&config, text).expect(text);
            assert_eq!(next.default_grace, expected, "{text}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_a_sentence_and_change_nothing() {
        let config = Config::default();
        let cases = [
            (SettingKey::CoursesRoot, "Courses", "starting with /"),
            (SettingKey::DefaultGrace, "a week", "one_day"),
            (SettingKey::DownloadConcurrency, "0", "1 to 32"),
            (SettingKey::DownloadConcurrency, "many", "1 to 32"),
            (SettingKey::SmtpPort, "70000", "1 to 65535"),
            (SettingKey::MailFrom, "ada at university", "email address"),
            (SettingKey::Theme, "neon", "default, mono"),
            (SettingKey::ApiBase, "ftp://x", "http"),
            (SettingKey::TeamMember, "ada", "dbmid:"),
            (SettingKey::AppKey, "two words", "letters and digits"),
            (SettingKey::AppKey, "key-with-dash", "letters and digits"),
        ];
        for (key, text, expected) in cases {
            let error = key.set(&config, text).expect_err(text);
            assert!(error.contains(expected), "{key:?} {text:?}: {error}");
            assert!(error.ends_with('.'), "{error}");
        }
        let mut with_host = config.clone();
        with_host.mail.smtp_host = Some("smtp.example.edu".to_string());
        let error = SettingKey::SmtpSecurity
            .set(&with_host, "none")
            .expect_err("plain text to a remote host");
        assert!(error.contains("unencrypted"), "{error}");
    }

    #[test]
    fn editing_keeps_the_typed_text_until_it_is_valid() {
        let mut settings = SettingsState::new(Config::default());
        settings.selected = SettingKey::ALL
            .iter()
            .position(|k| *k == SettingKey::DownloadConcurrency)
            .expect("listed");
        settings.start_editing();
        settings.editing = Some(Input::new("99".to_string()));
        assert_eq!(settings.finish_editing(), None);
        assert!(settings.error.is_some());
        assert_eq!(settings.editing.as_ref().map(|i| i.value()), Some("99"));
        assert_eq!(settings.config.download_concurrency, 6, "old value kept");
        settings.editing = Some(Input::new("8".to_string()));
        let next = settings.finish_editing().expect("valid");
        assert_eq!(next.download_concurrency, 8);
        assert!(settings.editing.is_none());
    }
}
