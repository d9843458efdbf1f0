//! The credentials file: what lets handin act in the professor's Dropbox.
//!
//! It lives at `<data dir>/credentials.toml`, apart from the configuration (which people
//! share, paste into emails and keep in dotfile repositories). It is written with mode
//! 0600 from the moment it exists, atomically (`crate::fs`), and a file that other users
//! can read is refused rather than used: a token others could have copied is no longer a
//! secret. Every change (sign in, sign out, the SMTP password) locks the file, reads it
//! again and changes only its own keys, so two handin processes never undo each other.
//!
//! Two shapes, one per way of signing in:
//!
//! ```toml
//! # A token pasted from the App Console (the format handin has always read).
//! access_token = "sl.B..."
//! ```
//!
//! ```toml
//! # OAuth 2 with PKCE: the app key and the saved authorization (a refresh token).
//! app_key = "abcdefghijklmno"
//! authorization = "2&..."
//! ```
//!
//! Either shape may carry `api_base = "http://127.0.0.1:8080"`: the origin (scheme, host,
//! port) of the server the sign-in was issued by, when that was not Dropbox itself. A
//! file without it is a sign-in with Dropbox. The service layer sends a token only to the
//! origin it was issued by (see `dropbox::client`), so a one-off `--api-base` can never
//! carry the professor's refresh token elsewhere.
//!
//! Short-lived access tokens minted from the refresh token are never written: they last
//! four hours and handin mints a new one when it starts.
//!
//! The SMTP password for invitations and reminders (`smtp_password = "..."`, stored by
//! `handin mail password`) lives here too, beside either shape. Signing in or out of
//! Dropbox keeps it: the two are independent, and losing the password to a sign-out
//! would only surprise.
//!
//! No token ever reaches `Debug`, `Display`, an error or the log: [`Secret`] hides it.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A token or refresh token: `Debug` prints `***`, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty or only white space.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Secret(text.to_owned()))
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// Who handin acts as in Dropbox, and where: `api_base` is the server the credentials
/// were issued by (`None`: Dropbox itself), the only one they are ever sent to.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Pasted from the App Console (or given with `--token`): short-lived, cannot be
    /// refreshed.
    Token {
        access_token: Secret,
        api_base: Option<String>,
    },
    /// OAuth 2 with PKCE: the refresh token (SDK `Authorization::save()` string, `2&...`)
    /// and the app key it was issued to.
    OAuth {
        app_key: String,
        saved: Secret,
        api_base: Option<String>,
    },
}

impl Credentials {
    /// The server these credentials belong to; `None` for Dropbox itself.
    pub fn api_base(&self) -> Option<&str> {
        match self {
            Credentials::Token { api_base, .. } | Credentials::OAuth { api_base, .. } => {
                api_base.as_deref()
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token {
                access_token,
                api_base,
            } => f
                .debug_struct("Token")
                .field("access_token", access_token)
                .field("api_base", api_base)
                .finish(),
            Credentials::OAuth {
                app_key,
                saved,
                api_base,
            } => f
                .debug_struct("OAuth")
                .field("app_key", app_key)
                .field("saved", saved)
                .field("api_base", api_base)
                .finish(),
        }
    }
}

/// Why the credentials file could not be used. Each `Display` is one sentence naming the
/// file and the way out; none quotes the file's contents.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "{path} can be read by other users (mode {mode:03o}); run `chmod 600 {path}` and try again, and sign out and in again if others may have copied it."
    )]
    TooOpen { path: String, mode: u32 },
    #[error("handin could not read {path} ({source}); check that the file is yours and readable.")]
    Unreadable {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path} is not a valid credentials file ({reason}); delete it and sign in again (handin auth login, or Settings in the TUI)."
    )]
    Invalid { path: String, reason: String },
    #[error(
        "handin could not save {path} ({source}); make sure its folder is writable, or choose another with --data-dir."
    )]
    Unwritable {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("handin could not delete {path} ({source}); delete it yourself to sign out.")]
    Undeletable {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// The file's keys. Unknown keys are refused: a misspelt key would otherwise read as
/// "not signed in".
#[derive(Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CredentialsFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_password: Option<String>,
    /// Where the sign-in was issued; absent for Dropbox itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_base: Option<String>,
}

impl CredentialsFile {
    fn smtp_password(&self) -> Option<Secret> {
        self.smtp_password
            .as_deref()
            .filter(|password| !password.trim().is_empty())
            .map(Secret::new)
    }

    fn holds_anything(&self) -> bool {
        [
            &self.access_token,
            &self.app_key,
            &self.authorization,
            &self.smtp_password,
        ]
        .iter()
        .any(|value| value.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }
}

const HEADER: &str = "# handin's Dropbox sign-in and SMTP password. Keep this file private (mode \
                      600): whoever can read it can act in your Dropbox and send mail as you.\n\
                      # `handin auth logout` (or o in Settings) revokes the sign-in at Dropbox \
                      and removes it; `handin mail password --forget` removes the password.\n";

/// The environment variable whose SMTP password wins over the credentials file's.
pub const SMTP_PASSWORD_ENV: &str = "HANDIN_SMTP_PASSWORD";

/// The SMTP password: `HANDIN_SMTP_PASSWORD` when set (and not blank), else the
/// credentials file's; `None` when neither has one.
pub fn smtp_password(store: &CredentialStore) -> Result<Option<Secret>, CredentialsError> {
    if let Some(password) = std::env::var(SMTP_PASSWORD_ENV)
        .ok()
        .filter(|password| !password.trim().is_empty())
    {
        return Ok(Some(Secret(password)));
    }
    store.load_smtp_password()
}

/// Loads, saves and deletes the credentials file at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialStore {
    path: PathBuf,
}

impl CredentialStore {
    pub fn new(path: PathBuf) -> Self {
        CredentialStore { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// The stored credentials; `None` when the file does not exist (or holds none).
    /// A file other users can read is refused.
    pub fn load(&self) -> Result<Option<Credentials>, CredentialsError> {
        self.read(true)
    }

    /// Like [`CredentialStore::load`], but also reads a file other users can read. Only
    /// for signing out: a token that may have leaked is exactly the one to revoke.
    pub fn load_to_revoke(&self) -> Result<Option<Credentials>, CredentialsError> {
        self.read(false)
    }

    fn read(&self, check_mode: bool) -> Result<Option<Credentials>, CredentialsError> {
        match self.read_file(check_mode)? {
            None => Ok(None),
            Some(file) => dropbox_credentials(file).map_err(|reason| CredentialsError::Invalid {
                path: self.shown(),
                reason,
            }),
        }
    }

    /// The SMTP password stored with `handin mail password`; `None` when there is none.
    /// A file other users can read is refused, as for the sign-in.
    pub fn load_smtp_password(&self) -> Result<Option<Secret>, CredentialsError> {
        Ok(self.read_file(true)?.and_then(|file| file.smtp_password()))
    }

    /// Stores the SMTP password (`None` removes it), keeping the Dropbox sign-in as it
    /// is. A file that cannot be read is refused rather than replaced: it may hold a
    /// sign-in.
    pub fn save_smtp_password(&self, password: Option<&Secret>) -> Result<(), CredentialsError> {
        let _lock = self.lock()?;
        let mut file = self.read_file(false)?.unwrap_or_default();
        file.smtp_password = password.map(|password| password.expose().to_owned());
        self.write_or_remove(&file)
    }

    /// The password a rewrite must keep, read under the lock. An unreadable file keeps
    /// nothing: the sign-in being saved replaces it, as it always has.
    fn kept_smtp_password(&self) -> Option<String> {
        let file = self.read_file(false).ok().flatten()?;
        file.smtp_password().map(|password| password.0)
    }

    /// Held across every read-change-write, so that a sign-out and `handin mail password`
    /// running at once both keep their change (without it the password's write could
    /// bring a revoked token back).
    fn lock(&self) -> Result<crate::fs::FileLock, CredentialsError> {
        crate::fs::lock_beside(&self.path).map_err(|source| CredentialsError::Unwritable {
            path: self.shown(),
            source,
        })
    }

    fn read_file(&self, check_mode: bool) -> Result<Option<CredentialsFile>, CredentialsError> {
        let mut file = match crate::fs::open_read_no_follow(&self.path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CredentialsError::Unreadable {
                    path: self.shown(),
                    source,
                });
            }
        };
        let unreadable = |source| CredentialsError::Unreadable {
            path: self.shown(),
            source,
        };
        let metadata = file.metadata().map_err(unreadable)?;
        if !metadata.is_file() {
            return Err(CredentialsError::Invalid {
                path: self.shown(),
                reason: "it is not a regular file".to_owned(),
            });
        }
        if check_mode {
            check_private(&metadata, &self.shown())?;
        }
        let mut text = String::new();
        io::Read::read_to_string(&mut file, &mut text).map_err(unreadable)?;
        parse_file(&text)
            .map(Some)
            .map_err(|reason| CredentialsError::Invalid {
                path: self.shown(),
                reason,
            })
    }

    /// Replaces the sign-in with `credentials`, atomically and readable by the owner
    /// only, keeping a stored SMTP password. The folder is created (mode 0700) if needed.
    pub fn save(&self, credentials: &Credentials) -> Result<(), CredentialsError> {
        let _lock = self.lock()?;
        let mut file = dropbox_file(credentials);
        file.smtp_password = self.kept_smtp_password();
        self.write_or_remove(&file)
    }

    fn write_or_remove(&self, file: &CredentialsFile) -> Result<(), CredentialsError> {
        if !file.holds_anything() {
            return self.remove();
        }
        crate::fs::write_private_atomically(&self.path, render_file(file).as_bytes()).map_err(
            |source| CredentialsError::Unwritable {
                path: self.shown(),
                source,
            },
        )
    }

    /// Forgets the Dropbox sign-in: deletes the file, or, when it also holds the SMTP
    /// password, rewrites it with the password alone. A file that is not there is fine.
    pub fn delete(&self) -> Result<(), CredentialsError> {
        let _lock = self.lock()?;
        self.write_or_remove(&CredentialsFile {
            smtp_password: self.kept_smtp_password(),
            ..CredentialsFile::default()
        })
    }

    fn remove(&self) -> Result<(), CredentialsError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(CredentialsError::Undeletable {
                path: self.shown(),
                source,
            }),
        }
    }
}

#[cfg(unix)]
fn check_private(metadata: &fs::Metadata, path: &str) -> Result<(), CredentialsError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CredentialsError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_metadata: &fs::Metadata, _path: &str) -> Result<(), CredentialsError> {
    Ok(())
}

#[cfg(test)]
fn parse(text: &str) -> Result<Option<Credentials>, String> {
    dropbox_credentials(parse_file(text)?)
}

fn parse_file(text: &str) -> Result<CredentialsFile, String> {
    // toml's own message quotes the offending line, which may hold a token: only its
    // short message and the line number are kept.
    toml::from_str(text).map_err(|error| {
        let line = error
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = error.message().trim().trim_end_matches('.').to_owned();
        match line {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        }
    })
}

/// The sign-in the file's keys make up; `None` when it holds none (perhaps only the SMTP
/// password).
fn dropbox_credentials(file: CredentialsFile) -> Result<Option<Credentials>, String> {
    let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
    match (
        blank(&file.access_token),
        blank(&file.app_key),
        blank(&file.authorization),
    ) {
        (true, true, true) => Ok(None),
        (false, true, true) => Ok(Some(Credentials::Token {
            access_token: Secret(file.access_token.unwrap_or_default().trim().to_owned()),
            api_base: file.api_base.filter(|base| !base.trim().is_empty()),
        })),
        (true, false, false) => {
            let saved = file.authorization.unwrap_or_default().trim().to_owned();
            if !saved.starts_with("2&") || saved.len() <= 2 {
                return Err("authorization is not a saved OAuth sign-in".to_owned());
            }
            Ok(Some(Credentials::OAuth {
                app_key: file.app_key.unwrap_or_default().trim().to_owned(),
                saved: Secret(saved),
                api_base: file.api_base.filter(|base| !base.trim().is_empty()),
            }))
        }
        (true, true, false) => Err("authorization needs the app_key it was issued to".to_owned()),
        (true, false, true) => Err("app_key alone is not a sign-in".to_owned()),
        (false, _, _) => {
            Err("it holds both an access_token and an OAuth sign-in; keep one".to_owned())
        }
    }
}

fn dropbox_file(credentials: &Credentials) -> CredentialsFile {
    match credentials {
        Credentials::Token {
            access_token,
            api_base,
        } => CredentialsFile {
            access_token: Some(access_token.expose().to_owned()),
            api_base: api_base.clone(),
            ..CredentialsFile::default()
        },
        Credentials::OAuth {
            app_key,
            saved,
            api_base,
        } => CredentialsFile {
            app_key: Some(app_key.clone()),
            authorization: Some(saved.expose().to_owned()),
            api_base: api_base.clone(),
            ..CredentialsFile::default()
        },
    }
}

fn render_file(file: &CredentialsFile) -> String {
    // Optional strings always serialise.
    let body = toml::to_string(file).unwrap_or_default();
    format!("{HEADER}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> CredentialStore {
        CredentialStore::new(dir.path().join("credentials.toml"))
    }

    fn oauth() -> Credentials {
        Credentials::OAuth {
            app_key: "appkey123".to_owned(),
            saved: Secret::new("2&refresh-secret"),
            api_base: None,
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let token = Credentials::Token {
            access_token: Secret::new("sl.secret"),
            api_base: None,
        };
        let shown = format!("{token:?} {:?} {:#?}", oauth(), oauth());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("appkey123"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn an_absent_file_is_not_signed_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(store(&dir).load().expect("absent is fine"), None);
        store(&dir).delete().expect("deleting nothing is fine");
    }

    #[cfg(unix)]
    #[test]
    fn saving_writes_0600_atomically_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = CredentialStore::new(dir.path().join("data").join("credentials.toml"));
        for credentials in [
            oauth(),
            Credentials::Token {
                access_token: Secret::new("sl.pasted"),
                api_base: Some("http://127.0.0.1:8080".to_owned()),
            },
        ] {
            nested.save(&credentials).expect("saved");
            assert_eq!(mode(nested.path()), 0o600);
            assert_eq!(nested.load().expect("loads"), Some(credentials));
        }
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        let mut names: Vec<String> = fs::read_dir(dir.path().join("data"))
            .expect("list")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [".credentials.toml.lock", "credentials.toml"],
            "no temporary file left behind"
        );
        let text = fs::read_to_string(nested.path()).expect("read");
        assert!(text.starts_with("# handin's Dropbox sign-in"), "{text}");
        assert!(text.contains("access_token = \"sl.pasted\""), "{text}");
        assert!(!text.contains("authorization"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn saving_over_a_too_open_file_leaves_it_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        fs::write(store.path(), "access_token = \"old\"\n").expect("write");
        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).expect("chmod");
        store.save(&oauth()).expect("saved");
        assert_eq!(mode(store.path()), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        store.save(&oauth()).expect("saved");
        for loose in [0o644, 0o640, 0o604, 0o660] {
            fs::set_permissions(store.path(), fs::Permissions::from_mode(loose)).expect("chmod");
            let error = store.load().expect_err("too open");
            let message = error.to_string();
            assert!(
                message.contains(&format!("chmod 600 {}", store.path().display())),
                "{message}"
            );
            assert!(!message.contains("refresh-secret"), "{message}");
            assert!(matches!(error, CredentialsError::TooOpen { .. }));
            // Signing out may still read it, to revoke it.
            assert_eq!(store.load_to_revoke().expect("readable"), Some(oauth()));
        }
        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o400)).expect("chmod");
        assert_eq!(store.load().expect("owner-only is fine"), Some(oauth()));
    }

    #[test]
    fn the_old_token_only_format_still_reads() {
        assert_eq!(
            parse("access_token = \" sl.old \"\n").expect("valid"),
            Some(Credentials::Token {
                access_token: Secret::new("sl.old"),
                api_base: None,
            })
        );
        assert_eq!(parse("access_token = \"  \"\n").expect("blank"), None);
        assert_eq!(parse("").expect("empty"), None);
    }

    #[test]
    fn invalid_files_are_explained_without_quoting_them() {
        for (text, expected) in [
            ("access_token = sl.unquoted-secret\n", "line 1"),
            ("acess_token = \"sl.secret\"\n", "unknown field"),
            ("authorization = \"2&secret\"\n", "needs the app_key"),
            ("app_key = \"k\"\n", "app_key alone"),
            (
                "app_key = \"k\"\nauthorization = \"secret\"\n",
                "not a saved",
            ),
            (
                "access_token = \"sl.secret\"\napp_key = \"k\"\nauthorization = \"2&secret\"\n",
                "both",
            ),
        ] {
            let reason = parse(text).expect_err(text);
            assert!(reason.contains(expected), "{text}: {reason}");
            assert!(!reason.contains("secret"), "{text}: {reason}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        crate::fs::write_private_atomically(store.path(), b"access_token = 5\n").expect("write");
        let message = store.load().expect_err("invalid").to_string();
        assert!(message.contains("handin auth login"), "{message}");
        assert!(message.contains(&store.shown()), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn the_smtp_password_survives_signing_in_and_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        assert_eq!(store.load_smtp_password().expect("absent"), None);
        store
            .save_smtp_password(Some(&Secret::new("mail-secret")))
            .expect("stored");
        assert_eq!(mode(store.path()), 0o600);
        assert_eq!(store.load().expect("no sign-in"), None);
        store.save(&oauth()).expect("signed in");
        assert_eq!(store.load().expect("loads"), Some(oauth()));
        assert_eq!(
            store.load_smtp_password().expect("kept"),
            Some(Secret::new("mail-secret"))
        );
        store.delete().expect("signed out");
        assert_eq!(store.load().expect("signed out"), None);
        assert_eq!(
            store.load_smtp_password().expect("kept"),
            Some(Secret::new("mail-secret"))
        );
        let text = fs::read_to_string(store.path()).expect("read");
        assert!(!text.contains("refresh-secret"), "{text}");
        // Storing a new password keeps the sign-in; forgetting it too.
        store.save(&oauth()).expect("signed in");
        store
            .save_smtp_password(Some(&Secret::new("new-secret")))
            .expect("stored");
        assert_eq!(store.load().expect("loads"), Some(oauth()));
        store.save_smtp_password(None).expect("forgotten");
        assert_eq!(store.load_smtp_password().expect("gone"), None);
        assert_eq!(store.load().expect("loads"), Some(oauth()));
        // Nothing left: no file left.
        store.delete().expect("signed out");
        assert!(!store.path().exists());
        store
            .save_smtp_password(Some(&Secret::new("x")))
            .expect("stored");
        store.save_smtp_password(None).expect("forgotten");
        assert!(!store.path().exists());
    }

    #[test]
    fn a_password_is_not_stored_over_a_file_that_cannot_be_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        crate::fs::write_private_atomically(store.path(), b"acess_token = \"sl.secret\"\n")
            .expect("write");
        let error = store
            .save_smtp_password(Some(&Secret::new("x")))
            .expect_err("invalid");
        assert!(matches!(error, CredentialsError::Invalid { .. }));
        assert_eq!(
            fs::read_to_string(store.path()).expect("read"),
            "acess_token = \"sl.secret\"\n"
        );
    }

    #[test]
    fn the_server_a_sign_in_was_issued_by_is_kept_and_absent_means_dropbox() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        let emulator = Credentials::OAuth {
            app_key: "appkey123".to_owned(),
            saved: Secret::new("2&refresh-secret"),
            api_base: Some("http://127.0.0.1:8080".to_owned()),
        };
        store.save(&emulator).expect("saved");
        let text = fs::read_to_string(store.path()).expect("read");
        assert!(
            text.contains("api_base = \"http://127.0.0.1:8080\""),
            "{text}"
        );
        assert_eq!(store.load().expect("loads"), Some(emulator.clone()));
        assert_eq!(
            emulator.api_base(),
            Some("http://127.0.0.1:8080"),
            "{emulator:?}"
        );
        // A file written before the field existed is a sign-in with Dropbox.
        let old = parse("app_key = \"k\"\nauthorization = \"2&r\"\n")
            .expect("valid")
            .expect("a sign-in");
        assert_eq!(old.api_base(), None);
        // The password alone keeps no server.
        store
            .save_smtp_password(Some(&Secret::new("mail-secret")))
            .expect("stored");
        store.delete().expect("signed out");
        let text = fs::read_to_string(store.path()).expect("read");
        assert!(!text.contains("api_base"), "{text}");
    }

    /// `handin mail password` racing `handin auth logout`: each change is made under the
    /// lock on the file as it is then, so the password never brings the sign-in back and
    /// the sign-out never loses the password.
    #[test]
    fn a_password_saved_during_a_sign_out_never_brings_the_sign_in_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        for round in 0..150 {
            store.save(&oauth()).expect("signed in");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
            let password = Secret::new(format!("mail-secret-{round}"));
            let saver = {
                let (store, barrier, password) = (store.clone(), barrier.clone(), password.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    store.save_smtp_password(Some(&password)).expect("stored");
                })
            };
            let signer_out = {
                let (store, barrier) = (store.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    store.delete().expect("signed out");
                })
            };
            saver.join().expect("saver");
            signer_out.join().expect("signer-out");
            assert_eq!(
                store.load().expect("readable"),
                None,
                "round {round}: the sign-in came back after the sign-out"
            );
            assert_eq!(
                store.load_smtp_password().expect("readable"),
                Some(password),
                "round {round}: the sign-out lost the password"
            );
        }
    }

    #[test]
    fn deleting_removes_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        store.save(&oauth()).expect("saved");
        store.delete().expect("deleted");
        assert!(!store.path().exists());
        assert_eq!(store.load().expect("absent"), None);
    }

    #[cfg(unix)]
    #[test]
    fn an_unwritable_folder_is_one_sentence_and_leaves_nothing() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let locked = dir.path().join("locked");
        fs::create_dir(&locked).expect("mkdir");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o500)).expect("chmod");
        let store = CredentialStore::new(locked.join("credentials.toml"));
        let result = store.save(&oauth());
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).expect("chmod back");
        if nix_is_root() {
            // root writes anyway; nothing to check.
            return;
        }
        let message = result.expect_err("unwritable").to_string();
        assert!(message.contains("--data-dir"), "{message}");
        assert_eq!(fs::read_dir(&locked).expect("list").count(), 0);
    }

    #[cfg(unix)]
    fn nix_is_root() -> bool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }
}
