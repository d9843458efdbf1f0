//! The configuration file (TOML through confy) and where handin keeps its files.
//!
//! A bad file is reported with the offending key and line and is never overwritten by
//! defaults: the professor's edits are worth more than a clean start.

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

    pub fn name(self) -> &'static str {
        match self {
            GraceSetting::None => "none",
            GraceSetting::OneDay => "one_day",
            GraceSetting::TwoDays => "two_days",
            GraceSetting::SevenDays => "seven_days",
            GraceSetting::ThirtyDays => "thirty_days",
            GraceSetting::Always => "always",
        }
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

    /// Writes the configuration through confy, atomically: to a temporary file beside it,
    /// then renamed over it, so a full disk or a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        self.validate()?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create the folder {}: {e}", dir.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "config.toml".to_string());
        let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = confy::store_path(&temporary, self)
            .map_err(|e| format!("could not write {}: {e}", temporary.display()))
            .and_then(|()| {
                std::fs::rename(&temporary, path)
                    .map_err(|e| format!("could not replace {}: {e}", path.display()))
            });
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    /// The download folder, with the default under the home directory.
    pub fn download_dir(&self) -> Option<PathBuf> {
        self.download_dir.clone().or_else(|| {
            directories::BaseDirs::new().map(|dirs| dirs.home_dir().join("handin-downloads"))
        })
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
}
