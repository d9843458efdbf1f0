//! The configuration file (TOML through confy) and where handin keeps its files.
//!
//! A bad file is reported with the offending key and line and is never overwritten by
//! defaults: the professor's edits are worth more than a clean start.
//!
//! Three layers, kept apart: the file (loaded through confy), the [`Overrides`] of this
//! run (flags and environment, never written), and the effective [`Config`] the two make.
//! Saving a setting patches that one key in the file ([`Config::save_key`]): comments,
//! order, every other key and the file's mode stay as they are.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::dropbox::ClientSettings;

const APP_NAME: &str = "handin";

/// What `max_listing_entries` may be: below, ordinary folders would not list; above,
/// a hostile server could still take gigabytes (about a kilobyte an entry).
const MAX_LISTING_ENTRIES_RANGE: std::ops::RangeInclusive<usize> = 100..=2_000_000;

/// Every key of the configuration file. `config.example.toml` documents each one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Base URL that replaces Dropbox's API hosts (for the local emulator); unset means Dropbox.
    pub api_base: Option<String>,
    /// The Dropbox app's key, for signing in with OAuth (PKCE needs no secret).
    pub app_key: Option<String>,
    /// Team member id (`dbmid:...`) to act as with a Business team token.
    pub select_user: Option<String>,
    /// `Dropbox-API-Path-Root` value, e.g. `{".tag":"root","root":"1234"}` for the team space.
    pub path_root: Option<String>,
    /// Seconds to wait for a TCP and TLS connection to Dropbox.
    pub connect_timeout_secs: u64,
    /// Seconds to wait for one whole API call.
    pub request_timeout_secs: u64,
    /// How many times one call is tried when Dropbox is busy or the network drops.
    pub retry_attempts: u32,
    /// The most entries one listing (a folder, the file requests) may bring before
    /// handin stops it, so a server that promises more forever cannot exhaust memory.
    pub max_listing_entries: usize,
    /// Folder under which each course has its own folder.
    pub courses_root: String,
    /// Local folder for downloaded submissions; unset means ~/handin-downloads.
    pub download_dir: Option<PathBuf>,
    /// Grace period the request form starts with.
    pub default_grace: GraceSetting,
    /// How many files are downloaded at once.
    pub download_concurrency: u32,
    /// `default`, or `mono` for no colours at all (as NO_COLOR does).
    pub theme: ThemeSetting,
    /// A TOML file of key bindings that replace the defaults (see README).
    pub keymap_file: Option<PathBuf>,
    /// Ring the terminal's bell when new files arrive in the Submissions tab.
    pub bell: bool,
    /// How invitations and reminders are sent.
    pub mail: MailConfig,
    /// The class list (CSV) of each course, by the course's Dropbox folder.
    pub rosters: std::collections::BTreeMap<String, PathBuf>,
}

/// The grace choices as the configuration file spells them (Dropbox's tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraceSetting {
    #[default]
    None,
    OneDay,
    TwoDays,
    SevenDays,
    ThirtyDays,
    Always,
}

impl GraceSetting {
    pub const ALL: [GraceSetting; 6] = [
        GraceSetting::None,
        GraceSetting::OneDay,
        GraceSetting::TwoDays,
        GraceSetting::SevenDays,
        GraceSetting::ThirtyDays,
        GraceSetting::Always,
    ];

    /// Dropbox's tag, as the file spells it.
    pub fn name(self) -> &'static str {
        crate::file_request::grace::tag(self.to_grace().as_ref())
    }

    /// The setting for a grace period; `None` for one handin does not know.
    pub fn from_grace(grace: Option<&crate::dropbox::GracePeriod>) -> Option<GraceSetting> {
        GraceSetting::ALL
            .into_iter()
            .find(|setting| setting.to_grace().as_ref() == grace)
    }

    pub fn to_grace(self) -> Option<crate::dropbox::GracePeriod> {
        use crate::dropbox::GracePeriod;
        match self {
            GraceSetting::None => None,
            GraceSetting::OneDay => Some(GracePeriod::OneDay),
            GraceSetting::TwoDays => Some(GracePeriod::TwoDays),
            GraceSetting::SevenDays => Some(GracePeriod::SevenDays),
            GraceSetting::ThirtyDays => Some(GracePeriod::ThirtyDays),
            GraceSetting::Always => Some(GracePeriod::Always),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeSetting {
    #[default]
    Default,
    Mono,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailTransport {
    #[default]
    Smtp,
    Sendmail,
    DryRun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    #[default]
    Starttls,
    Tls,
    /// Plain text: accepted for a server on this machine only.
    None,
}

/// The `[mail]` table. The SMTP password is never here: it comes from the credentials
/// file or `HANDIN_SMTP_PASSWORD`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    pub smtp_user: Option<String>,
    /// The sender, e.g. `Prof. Ada Lovelace <ada@university.edu>`.
    pub from: Option<String>,
    pub reply_to: Option<String>,
    /// Milliseconds between two messages, to stay under the server's rate limits.
    pub pause_ms: u64,
    /// Where `dry-run` writes its .eml files.
    pub dry_run_dir: Option<PathBuf>,
    /// Replacements for the invite and reminder wording.
    pub templates: MailTemplates,
}

/// `[mail.templates]`: any of the four parts; what is left out keeps handin's wording.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailTemplates {
    pub invite_subject: Option<String>,
    pub invite_body: Option<String>,
    pub remind_subject: Option<String>,
    pub remind_body: Option<String>,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: MailTransport::Smtp,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_user: None,
            from: None,
            reply_to: None,
            pause_ms: 1_000,
            dry_run_dir: None,
            templates: MailTemplates::default(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            app_key: None,
            api_base: None,
            select_user: None,
            path_root: None,
            connect_timeout_secs: 10,
            request_timeout_secs: 60,
            retry_attempts: 5,
            max_listing_entries: crate::dropbox::DEFAULT_MAX_LISTING_ENTRIES,
            courses_root: "/Courses".to_string(),
            download_dir: None,
            default_grace: GraceSetting::None,
            download_concurrency: 6,
            theme: ThemeSetting::Default,
            keymap_file: None,
            bell: true,
            mail: MailConfig::default(),
            rosters: std::collections::BTreeMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "the configuration file {path} is not valid: {reason}Fix or remove that line; handin has not changed the file."
    )]
    Invalid { path: PathBuf, reason: String },
    #[error("the configuration file {path} could not be read: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the configuration in {path} is not usable: {reason}")]
    BadValue { path: PathBuf, reason: String },
    #[error(
        "handin could not find a home directory for its files; set HANDIN_CONFIG and HANDIN_DATA_DIR"
    )]
    NoHome,
}

impl Config {
    /// Reads the file at `path`; a missing file means the defaults, and nothing is written.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let config: Config = confy::load_path(path).map_err(|err| match err {
            confy::ConfyError::BadTomlData(toml_error) => ConfigError::Invalid {
                path: path.to_path_buf(),
                reason: toml_error.to_string(),
            },
            confy::ConfyError::GeneralLoadError(source) => ConfigError::Unreadable {
                path: path.to_path_buf(),
                source,
            },
            other => ConfigError::Unreadable {
                path: path.to_path_buf(),
                source: std::io::Error::other(other.to_string()),
            },
        })?;
        config.validate().map_err(|reason| ConfigError::BadValue {
            path: path.to_path_buf(),
            reason,
        })?;
        Ok(config)
    }

    /// Checks what serde cannot: values in range and URLs that parse.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(base) = &self.api_base {
            // One rule for the base URL, the client's: https, or http to this machine only.
            crate::dropbox::client::normalise_api_base(base).map_err(|e| e.sentence())?;
        }
        if self.connect_timeout_secs == 0 || self.connect_timeout_secs > 600 {
            return Err(format!(
                "connect_timeout_secs = {} must be between 1 and 600",
                self.connect_timeout_secs
            ));
        }
        if self.request_timeout_secs == 0 || self.request_timeout_secs > 3_600 {
            return Err(format!(
                "request_timeout_secs = {} must be between 1 and 3600",
                self.request_timeout_secs
            ));
        }
        if self.retry_attempts == 0 || self.retry_attempts > 20 {
            return Err(format!(
                "retry_attempts = {} must be between 1 and 20",
                self.retry_attempts
            ));
        }
        if !MAX_LISTING_ENTRIES_RANGE.contains(&self.max_listing_entries) {
            return Err(format!(
                "max_listing_entries = {} must be between {} and {}",
                self.max_listing_entries,
                MAX_LISTING_ENTRIES_RANGE.start(),
                MAX_LISTING_ENTRIES_RANGE.end()
            ));
        }
        if !self.courses_root.starts_with('/') {
            return Err(format!(
                "courses_root = {:?} must be a Dropbox path starting with /",
                self.courses_root
            ));
        }
        if self.download_concurrency == 0 || self.download_concurrency > 32 {
            return Err(format!(
                "download_concurrency = {} must be between 1 and 32",
                self.download_concurrency
            ));
        }
        self.mail.validate()?;
        if let Some(key) = &self.app_key
            && !key.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(format!(
                "app_key = {key:?} is not an app key (letters and digits); copy it from your app's page in the App Console"
            ));
        }
        if let Some(member) = &self.select_user
            && !member.starts_with("dbmid:")
        {
            return Err(format!(
                "select_user = {member:?} must be a team member id starting with dbmid:"
            ));
        }
        Ok(())
    }

    /// Writes this configuration's value of `key` into the file at `path`, and nothing
    /// else: the file is locked, read as it is now (another handin window may have saved
    /// another key meanwhile), patched at that one key, checked, and replaced atomically
    /// with its mode kept. A key this configuration leaves unset is removed from the file.
    /// The error is one sentence for the status bar.
    pub fn save_key(&self, path: &Path, key: &ConfigKey) -> Result<(), String> {
        let value = self.value_of(key)?;
        let _lock = crate::fs::lock_beside(path).map_err(|error| {
            format!(
                "handin could not lock {} to save {key} ({error}); check that its folder is yours and writable.",
                path.display()
            )
        })?;
        // A config file kept in the professor's dotfiles stays a link to it.
        let target = crate::fs::resolve_own_link(path).map_err(|error| {
            format!(
                "handin will not save {key} through {} ({error}).",
                path.display()
            )
        })?;
        let text = match std::fs::read_to_string(&target) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => {
                return Err(format!(
                    "handin could not read {} to save {key} ({error}); check that the file is yours and readable.",
                    path.display()
                ));
            }
        };
        let mut document: toml_edit::DocumentMut = text.parse().map_err(|error: toml_edit::TomlError| {
            format!(
                "{} is no longer valid TOML ({}), so {key} was not saved; fix the file and try again.",
                path.display(),
                first_line(&error.to_string())
            )
        })?;
        patch(&mut document, key, value);
        let patched = document.to_string();
        if patched == text {
            return Ok(());
        }
        let reread: Config = toml::from_str(&patched).map_err(|error| {
            format!(
                "saving {key} would leave {} unreadable ({}); fix the file by hand and try again.",
                path.display(),
                first_line(error.message())
            )
        })?;
        reread.validate().map_err(|reason| {
            format!(
                "{} holds a value handin cannot use ({reason}), so {key} was not saved; fix the file and try again.",
                path.display()
            )
        })?;
        crate::fs::replace_keeping_mode(&target, patched.as_bytes()).map_err(|error| {
            format!(
                "handin could not write {} ({error}); check that its folder is yours and writable.",
                path.display()
            )
        })
    }

    /// This configuration's value at `key` as the file spells it; `None` when unset.
    fn value_of(&self, key: &ConfigKey) -> Result<Option<toml_edit::Value>, String> {
        let whole = toml::Table::try_from(self)
            .map_err(|error| format!("handin could not write out {key} ({error})."))?;
        let (last, parents) = key.0.split_last().ok_or("an empty key cannot be saved.")?;
        let mut table = &whole;
        for segment in parents {
            match table.get(segment) {
                Some(toml::Value::Table(inner)) => table = inner,
                _ => return Ok(None),
            }
        }
        let Some(value) = table.get(last) else {
            return Ok(None);
        };
        value
            .to_string()
            .parse::<toml_edit::Value>()
            .map(Some)
            .map_err(|error| format!("handin could not write out {key} ({error})."))
    }

    /// The download folder, with the default under the home directory.
    pub fn download_dir(&self) -> Option<PathBuf> {
        let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
        self.download_dir_under(home.as_deref())
    }

    /// The download folder, its default placed in `home` (the TUI reads the home folder
    /// once at start-up, so its reducer does no I/O).
    pub fn download_dir_under(&self, home: Option<&Path>) -> Option<PathBuf> {
        self.download_dir
            .clone()
            .or_else(|| home.map(|home| home.join("handin-downloads")))
    }

    pub fn client_settings(&self) -> ClientSettings {
        let mut settings = ClientSettings {
            api_base: self.api_base.clone(),
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            select_user: self.select_user.clone(),
            path_root: self.path_root.clone(),
            max_listing_entries: self.max_listing_entries,
            ..ClientSettings::default()
        };
        settings.retry.max_attempts = self.retry_attempts;
        settings
    }
}

impl MailConfig {
    fn validate(&self) -> Result<(), String> {
        if self.smtp_port == 0 {
            return Err(
                "mail.smtp_port = 0 is not a port; SMTP uses 587 (STARTTLS) or 465 (TLS)"
                    .to_string(),
            );
        }
        if self.smtp_security == SmtpSecurity::None
            && let Some(host) = &self.smtp_host
            && !is_local_host(host)
        {
            return Err(format!(
                "mail.smtp_security = \"none\" would send your password unencrypted to {host}; use starttls or tls (none is for a server on this machine)"
            ));
        }
        for (key, value) in [("mail.from", &self.from), ("mail.reply_to", &self.reply_to)] {
            if let Some(address) = value
                && !looks_like_address(address)
            {
                return Err(format!(
                    "{key} = {address:?} is not an email address; write it like \"Ada Lovelace <ada@example.edu>\" or ada@example.edu"
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn is_local_host(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `ada@example.edu` or `Ada Lovelace <ada@example.edu>`: a local part, an @ and a
/// domain with a dot. Deliverability is the mail server's business.
pub fn looks_like_address(text: &str) -> bool {
    let text = text.trim();
    let address = match (text.rfind('<'), text.ends_with('>')) {
        (Some(open), true) => &text[open + 1..text.len() - 1],
        _ => text,
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains(char::is_whitespace)
}

/// Where the configuration file and the data directory (log, credentials, local state) are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// Flags win over the environment (`HANDIN_CONFIG`, `HANDIN_DATA_DIR`), which wins over
    /// the platform's usual places.
    pub fn resolve(
        config_flag: Option<PathBuf>,
        data_dir_flag: Option<PathBuf>,
    ) -> Result<Paths, ConfigError> {
        let project = directories::ProjectDirs::from("", "", APP_NAME);
        let config_file = match config_flag.or_else(|| env_path("HANDIN_CONFIG")) {
            Some(path) => path,
            None => project
                .as_ref()
                .ok_or(ConfigError::NoHome)?
                .config_dir()
                .join("config.toml"),
        };
        let data_dir = match data_dir_flag.or_else(|| env_path("HANDIN_DATA_DIR")) {
            Some(path) => path,
            None => project
                .as_ref()
                .ok_or(ConfigError::NoHome)?
                .data_dir()
                .to_path_buf(),
        };
        Ok(Paths {
            config_file,
            data_dir,
        })
    }

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("handin.log")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.data_dir.join("credentials.toml")
    }

    /// What was mailed to whom, per request (see `mail::MailLog`).
    pub fn mail_log_file(&self) -> PathBuf {
        self.data_dir.join("mail-log.json")
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// Values given for this run only, by flags and the environment (`--api-base`,
/// `--app-key`/`HANDIN_APP_KEY`, `--as-member`). They are laid over the file's values and
/// never written back: a one-off `--api-base` must not become where the next plain run
/// sends the professor's sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub api_base: Option<String>,
    pub app_key: Option<String>,
    pub select_user: Option<String>,
}

impl Overrides {
    /// The effective configuration: `file` with these values on top, checked as a whole.
    /// The error names the flag that brought the bad value.
    pub fn apply(&self, file: &Config) -> Result<Config, String> {
        let mut effective = file.clone();
        if let Some(base) = &self.api_base {
            effective.api_base = Some(base.clone());
            effective
                .validate()
                .map_err(|reason| format!("--api-base: {reason}"))?;
        }
        if let Some(key) = &self.app_key {
            effective.app_key = Some(key.clone());
            effective
                .validate()
                .map_err(|reason| format!("--app-key (or HANDIN_APP_KEY): {reason}"))?;
        }
        if let Some(member) = &self.select_user {
            effective.select_user = Some(member.clone());
            effective
                .validate()
                .map_err(|reason| format!("--as-member: {reason}"))?;
        }
        Ok(effective)
    }
}

/// One key of the configuration file, as the tables that lead to it: `mail.smtp_host` is
/// `["mail", "smtp_host"]`, a course's class list `["rosters", "/Courses/CS101"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigKey(Vec<String>);

impl ConfigKey {
    /// A key spelt with dots (`mail.smtp_host`), as the Settings tab names them. Only
    /// for names without dots of their own.
    pub fn dotted(name: &str) -> ConfigKey {
        ConfigKey(name.split('.').map(str::to_owned).collect())
    }

    /// The class list of the course in `course_folder` (`[rosters]`).
    pub fn roster(course_folder: &str) -> ConfigKey {
        ConfigKey(vec!["rosters".to_owned(), course_folder.to_owned()])
    }

    /// The tables leading to the key, then the key.
    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl std::fmt::Display for ConfigKey {
    /// As TOML writes the key: `mail.smtp_host`, `rosters."/Courses/CS101"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, segment) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            write!(
                f,
                "{}",
                toml_edit::Key::new(segment.as_str()).display_repr()
            )?;
        }
        Ok(())
    }
}

/// Sets (or, for `None`, removes) `key` in `document`, creating the tables that lead to
/// it when a value needs them. A replaced value keeps its spacing and trailing comment;
/// the comment lines above a removed key stay in the file.
fn patch(document: &mut toml_edit::DocumentMut, key: &ConfigKey, value: Option<toml_edit::Value>) {
    let Some((last, parents)) = key.0.split_last() else {
        return;
    };
    if value.is_some() {
        let mut table: &mut dyn toml_edit::TableLike = document.as_table_mut();
        for segment in parents {
            if table.get(segment).is_none() {
                table.insert(segment, toml_edit::Item::Table(toml_edit::Table::new()));
            }
            let Some(inner) = table
                .get_mut(segment)
                .and_then(toml_edit::Item::as_table_like_mut)
            else {
                // Not a table in the file: the check after the patch reports it.
                return;
            };
            table = inner;
        }
        if let Some(mut value) = value {
            // Replaced in place, so the key keeps the comment lines above it.
            match table.get_mut(last) {
                Some(toml_edit::Item::Value(old)) => {
                    *value.decor_mut() = old.decor().clone();
                    *old = value;
                }
                _ => {
                    table.insert(last, toml_edit::Item::Value(value));
                }
            }
        }
        return;
    }
    let Some(table) = table_at(document, parents) else {
        return;
    };
    let Some(index) = table.iter().position(|(name, _)| name == last) else {
        return;
    };
    let comments = table
        .key(last)
        .and_then(|key| key.leaf_decor().prefix())
        .and_then(toml_edit::RawString::as_str)
        .unwrap_or_default()
        .to_owned();
    table.remove(last);
    if !comments.contains('#') {
        return;
    }
    // What followed the removed line: the next plain value of its table (toml_edit keeps
    // them in file order), else the next table header, else the end of the file.
    let next_value = table
        .iter()
        .skip(index)
        .find(|(_, item)| item.is_value())
        .map(|(name, _)| name.to_owned());
    if let Some(next) = next_value {
        if let Some(mut key) = table.key_mut(&next) {
            prepend(key.leaf_decor_mut(), &comments);
        }
        return;
    }
    let after = table_position(document, parents);
    let mut headers = Vec::new();
    collect_headers(document.as_table(), &mut Vec::new(), &mut headers);
    let next_header = headers
        .into_iter()
        .filter(|(position, _)| after.is_none_or(|after| *position > after))
        .min_by_key(|(position, _)| *position);
    match next_header {
        Some((_, path)) => {
            let mut item = document.as_item_mut();
            for segment in &path {
                match item.get_mut(segment) {
                    Some(inner) => item = inner,
                    None => return,
                }
            }
            if let Some(table) = item.as_table_mut() {
                prepend(table.decor_mut(), &comments);
            }
        }
        None => {
            let trailing = document.trailing().as_str().unwrap_or_default().to_owned();
            document.set_trailing(format!("{comments}{trailing}"));
        }
    }
}

fn table_at<'a>(
    document: &'a mut toml_edit::DocumentMut,
    path: &[String],
) -> Option<&'a mut dyn toml_edit::TableLike> {
    let mut table: &mut dyn toml_edit::TableLike = document.as_table_mut();
    for segment in path {
        table = table
            .get_mut(segment)
            .and_then(toml_edit::Item::as_table_like_mut)?;
    }
    Some(table)
}

/// Where the header of the table at `path` stands among the file's headers; `None` for
/// the top level, which comes before them all.
fn table_position(document: &toml_edit::DocumentMut, path: &[String]) -> Option<isize> {
    if path.is_empty() {
        return None;
    }
    let mut item = document.as_item();
    for segment in path {
        item = item.get(segment)?;
    }
    item.as_table().and_then(toml_edit::Table::position)
}

/// Every `[header]` of the file with its position and path.
fn collect_headers(
    table: &toml_edit::Table,
    path: &mut Vec<String>,
    headers: &mut Vec<(isize, Vec<String>)>,
) {
    for (name, item) in table.iter() {
        if let toml_edit::Item::Table(inner) = item {
            path.push(name.to_owned());
            if let (false, Some(position)) = (inner.is_implicit(), inner.position()) {
                headers.push((position, path.clone()));
            }
            collect_headers(inner, path, headers);
            path.pop();
        }
    }
}

fn prepend(decor: &mut toml_edit::Decor, comments: &str) {
    let before = decor
        .prefix()
        .and_then(toml_edit::RawString::as_str)
        .unwrap_or_default()
        .to_owned();
    decor.set_prefix(format!("{comments}{before}"));
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
        .trim_end_matches('.')
}

/// `NO_COLOR` set to anything non-empty turns colour off (no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).expect("write config");
        path
    }

    #[test]
    fn a_missing_file_means_defaults_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        assert_eq!(Config::load(&path).expect("defaults"), Config::default());
        assert!(!path.exists());
    }

    #[test]
    fn an_older_file_missing_keys_takes_defaults_for_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir, "courses_root = \"/Teaching\"\n");
        let config = Config::load(&path).expect("valid");
        assert_eq!(config.courses_root, "/Teaching");
        assert_eq!(config.request_timeout_secs, 60);
    }

    #[test]
    fn a_bad_file_names_the_key_and_line_and_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "courses_root = \"/Courses\"\nrequest_timeout_secs = \"soon\"\n";
        let path = write(&dir, text);
        let message = Config::load(&path).expect_err("invalid").to_string();
        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains("request_timeout_secs"), "{message}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    }

    #[test]
    fn a_misspelt_key_is_reported_not_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir, "course_root = \"/Courses\"\n");
        let message = Config::load(&path).expect_err("unknown key").to_string();
        assert!(message.contains("course_root"), "{message}");
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn values_out_of_range_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir, "api_base = \"ftp://example.org\"\n");
        let message = Config::load(&path).expect_err("bad scheme").to_string();
        assert!(message.contains("http://"), "{message}");
        let path = write(&dir, "api_base = \"http://dropbox.example.org\"\n");
        let message = Config::load(&path).expect_err("clear text").to_string();
        assert!(message.contains("unencrypted"), "{message}");
        let path = write(&dir, "api_base = \"http://127.0.0.1:8080\"\n");
        assert!(Config::load(&path).is_ok());
        let path = write(&dir, "retry_attempts = 0\n");
        assert!(Config::load(&path).is_err());
        let path = write(&dir, "courses_root = \"Courses\"\n");
        assert!(Config::load(&path).is_err());
        for (text, allowed) in [
            ("max_listing_entries = 0\n", false),
            ("max_listing_entries = 99\n", false),
            ("max_listing_entries = 100\n", true),
            ("max_listing_entries = 2000000\n", true),
            ("max_listing_entries = 2000001\n", false),
        ] {
            let path = write(&dir, text);
            match Config::load(&path) {
                Ok(config) => {
                    assert!(allowed, "{text}");
                    assert_eq!(
                        config.client_settings().max_listing_entries,
                        config.max_listing_entries
                    );
                }
                Err(error) => {
                    assert!(!allowed, "{text}: {error}");
                    assert!(error.to_string().contains("max_listing_entries"), "{error}");
                }
            }
        }
    }

    #[test]
    fn the_example_file_is_valid_and_documents_every_key() {
        let text = include_str!("../config.example.toml");
        let parsed: Config = toml::from_str(text).expect("config.example.toml parses");
        parsed.validate().expect("config.example.toml is valid");
        let every_key = Config {
            app_key: Some(String::new()),
            api_base: Some(String::new()),
            select_user: Some(String::new()),
            path_root: Some(String::new()),
            download_dir: Some(PathBuf::new()),
            keymap_file: Some(PathBuf::new()),
            mail: MailConfig {
                smtp_host: Some(String::new()),
                smtp_user: Some(String::new()),
                from: Some(String::new()),
                reply_to: Some(String::new()),
                dry_run_dir: Some(PathBuf::new()),
                templates: MailTemplates {
                    invite_subject: Some(String::new()),
                    invite_body: Some(String::new()),
                    remind_subject: Some(String::new()),
                    remind_body: Some(String::new()),
                },
                ..MailConfig::default()
            },
            ..Config::default()
        };
        let defaults = toml::to_string(&every_key).expect("serialize");
        for line in defaults.lines() {
            if line.starts_with('[') {
                assert!(
                    text.contains(line),
                    "config.example.toml has no {line} table"
                );
                continue;
            }
            let Some((key, _)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            assert!(
                text.contains(&format!("{key} =")),
                "config.example.toml does not document {key}"
            );
        }
    }

    /// Whether `after` is `before` with one line changed, added or removed.
    fn one_line_apart(before: &str, after: &str) -> bool {
        let before: Vec<&str> = before.lines().collect();
        let after: Vec<&str> = after.lines().collect();
        let common_start = before
            .iter()
            .zip(&after)
            .take_while(|(a, b)| a == b)
            .count();
        let common_end = before[common_start..]
            .iter()
            .rev()
            .zip(after[common_start..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let removed = before.len() - common_start - common_end;
        let added = after.len() - common_start - common_end;
        removed <= 1 && added <= 1 && removed + added >= 1
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn saving_each_setting_changes_its_own_line_and_keeps_comments_and_mode() {
        use crate::state::settings::SettingKey;
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let example = include_str!("../config.example.toml");
        let path = write(&dir, example);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let values = [
            (SettingKey::CoursesRoot, "/Teaching"),
            (SettingKey::DownloadDir, "/home/ada/grading 2026"),
            (SettingKey::DefaultGrace, "two_days"),
            (SettingKey::DownloadConcurrency, "8"),
            (SettingKey::MailTransport, "sendmail"),
            (SettingKey::SmtpHost, "smtp.example.edu"),
            (SettingKey::SmtpPort, "465"),
            (SettingKey::SmtpSecurity, "tls"),
            (SettingKey::SmtpUser, "ada"),
            (SettingKey::MailFrom, "Prof. Ada <ada@example.edu>"),
            (SettingKey::ReplyTo, "ada@example.edu"),
            (SettingKey::MailPause, "250"),
            (SettingKey::Theme, "mono"),
            (SettingKey::Bell, "no"),
            (SettingKey::KeymapFile, "/home/ada/keys.toml"),
            (SettingKey::AppKey, "abc123"),
            (SettingKey::TeamMember, "dbmid:xyz"),
            (SettingKey::TeamSpace, "12345"),
            (SettingKey::ApiBase, "http://127.0.0.1:8080"),
            // Cleared again: the line goes, nothing else.
            (SettingKey::SmtpHost, ""),
            (SettingKey::DownloadDir, ""),
        ];
        let comments: Vec<&str> = example
            .lines()
            .filter(|line| line.trim_start().starts_with('#'))
            .collect();
        for (key, text) in values {
            let before = std::fs::read_to_string(&path).expect("read");
            let loaded = Config::load(&path).expect("valid");
            let next = key.set(&loaded, text).expect(text);
            next.save_key(&path, &ConfigKey::dotted(key.config_key()))
                .expect("saved");
            let after = std::fs::read_to_string(&path).expect("read");
            assert!(
                one_line_apart(&before, &after),
                "{key:?} = {text:?} changed more than its line:\n{after}"
            );
            assert_eq!(Config::load(&path).expect("valid"), next, "{key:?}");
            for comment in &comments {
                assert!(after.contains(comment), "{key:?} lost {comment:?}");
            }
            assert_eq!(mode(&path), 0o600, "{key:?}");
        }
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("courses_root = \"/Teaching\"\n"), "{text}");
        assert!(text.contains("smtp_port = 465\n"), "{text}");
        assert!(!text.contains("smtp_host = \"smtp.example.edu\""), "{text}");

        // A course's class list is one line under [rosters].
        let before = text;
        let mut next = Config::load(&path).expect("valid");
        let course = "/Courses/CS101 Intro.to \"Programming\"";
        next.rosters
            .insert(course.to_owned(), PathBuf::from("/home/ada/cs101.csv"));
        next.save_key(&path, &ConfigKey::roster(course))
            .expect("saved");
        let after = std::fs::read_to_string(&path).expect("read");
        assert!(one_line_apart(&before, &after), "{after}");
        assert_eq!(Config::load(&path).expect("valid"), next);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_the_professor_made_readable_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir, "bell = true\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let next = Config {
            bell: false,
            ..Config::default()
        };
        next.save_key(&path, &ConfigKey::dotted("bell"))
            .expect("saved");
        assert_eq!(mode(&path), 0o644);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "bell = false\n"
        );
        // A new file is private, and holds the key alone.
        let fresh = dir.path().join("new").join("config.toml");
        next.save_key(&fresh, &ConfigKey::dotted("bell"))
            .expect("saved");
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(
            std::fs::read_to_string(&fresh).expect("read"),
            "bell = false\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_config_file_linked_from_the_dotfiles_stays_a_link_and_anothers_link_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let dotfiles = dir.path().join("dotfiles");
        std::fs::create_dir(&dotfiles).expect("dotfiles");
        let target = dotfiles.join("handin.toml");
        std::fs::write(&target, "# mine\nbell = true\n").expect("target");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let path = dir.path().join("config.toml");
        std::os::unix::fs::symlink("dotfiles/handin.toml", &path).expect("link");
        let next = Config {
            bell: false,
            ..Config::default()
        };
        next.save_key(&path, &ConfigKey::dotted("bell"))
            .expect("saved");
        assert!(
            std::fs::symlink_metadata(&path)
                .expect("meta")
                .file_type()
                .is_symlink(),
            "the link was replaced by a file"
        );
        assert_eq!(
            std::fs::read_to_string(&target).expect("read"),
            "# mine\nbell = false\n"
        );
        assert_eq!(mode(&target), 0o640);
        assert_eq!(Config::load(&path).expect("valid"), next);

        if crate::fs::current_uid() == 0 {
            std::os::unix::fs::lchown(&path, Some(65534), None).expect("give the link away");
            let refused = Config::default()
                .save_key(&path, &ConfigKey::dotted("bell"))
                .expect_err("another user's link");
            assert!(refused.contains("another user's"), "{refused}");
            assert_eq!(
                std::fs::read_to_string(&target).expect("read"),
                "# mine\nbell = false\n"
            );
        }
    }

    #[test]
    fn a_value_keeps_its_trailing_comment_and_a_removed_key_its_comment_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            &dir,
            "# Where grading happens.\ndownload_dir = \"/x\"\n# Six at once.\ndownload_concurrency = 6   # the lab's limit\n\n[mail]\n# The host.\nsmtp_host = \"h.example.edu\"\n\n# Lists.\n[rosters]\n",
        );
        let mut next = Config::load(&path).expect("valid");
        next.download_concurrency = 8;
        next.save_key(&path, &ConfigKey::dotted("download_concurrency"))
            .expect("saved");
        next.download_dir = None;
        next.save_key(&path, &ConfigKey::dotted("download_dir"))
            .expect("saved");
        next.mail.smtp_host = None;
        next.save_key(&path, &ConfigKey::dotted("mail.smtp_host"))
            .expect("saved");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "# Where grading happens.\n# Six at once.\ndownload_concurrency = 8   # the lab's limit\n\n[mail]\n# The host.\n\n# Lists.\n[rosters]\n"
        );
        assert_eq!(Config::load(&path).expect("valid"), next);
    }

    #[test]
    fn flags_are_laid_over_the_file_and_never_saved() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir, "courses_root = \"/Courses\"\n");
        let file = Config::load(&path).expect("valid");
        let overrides = Overrides {
            api_base: Some("http://127.0.0.1:9".to_owned()),
            app_key: Some("flagkey".to_owned()),
            select_user: Some("dbmid:flag".to_owned()),
        };
        let mut effective = overrides.apply(&file).expect("valid");
        assert_eq!(effective.api_base.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(file.api_base, None, "the file's layer is untouched");
        effective.courses_root = "/Teaching".to_owned();
        effective
            .save_key(&path, &ConfigKey::dotted("courses_root"))
            .expect("saved");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "courses_root = \"/Teaching\"\n"
        );
        let refused = Overrides {
            api_base: Some("http://dropbox.example.org".to_owned()),
            ..Overrides::default()
        }
        .apply(&file)
        .expect_err("clear text elsewhere");
        assert!(refused.starts_with("--api-base: "), "{refused}");
    }

    #[test]
    fn a_file_broken_meanwhile_is_not_saved_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "bell = true\ncourses_root = \n";
        let path = write(&dir, text);
        let message = Config::default()
            .save_key(&path, &ConfigKey::dotted("bell"))
            .expect_err("not TOML");
        assert!(message.contains("fix the file"), "{message}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    }

    /// Two handin windows, each saving another key from the configuration it loaded at
    /// start: under the lock each re-reads the file, so neither change is lost.
    #[test]
    fn two_windows_saving_different_keys_both_keep_their_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(&dir, include_str!("../config.example.toml"));
        for round in 0..60u32 {
            let loaded = Config::load(&path).expect("valid");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
            let root = format!("/Term{round}");
            let concurrency = round % 32 + 1;
            let first = {
                let (path, barrier, mut mine) = (path.clone(), barrier.clone(), loaded.clone());
                mine.courses_root = root.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    mine.save_key(&path, &ConfigKey::dotted("courses_root"))
                })
            };
            let second = {
                let (path, barrier, mut mine) = (path.clone(), barrier.clone(), loaded.clone());
                mine.download_concurrency = concurrency;
                std::thread::spawn(move || {
                    barrier.wait();
                    mine.save_key(&path, &ConfigKey::dotted("download_concurrency"))
                })
            };
            first.join().expect("first").expect("saved");
            second.join().expect("second").expect("saved");
            let saved = Config::load(&path).expect("valid");
            assert_eq!(saved.courses_root, root, "round {round}");
            assert_eq!(saved.download_concurrency, concurrency, "round {round}");
        }
    }

    #[test]
    fn keys_are_named_as_toml_writes_them() {
        assert_eq!(
            ConfigKey::dotted("mail.smtp_host").to_string(),
            "mail.smtp_host"
        );
        assert_eq!(
            ConfigKey::roster("/Courses/CS101").to_string(),
            "rosters.\"/Courses/CS101\""
        );
    }
}
