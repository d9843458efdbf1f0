//! Sending letters: SMTP through lettre (STARTTLS, implicit TLS, or plain text to this
//! machine only), the local `sendmail`, or `.eml` files in a folder (dry run).
//!
//! Each letter is its own message to its own student: no address list is ever exposed,
//! and one address the server refuses fails that letter alone. Without lettre's pool
//! each message has its own connection, which costs a handshake per student but nothing
//! that matters next to the pause between messages, and means a server that drops one
//! connection cannot take the rest down with it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{
    AsyncSendmailTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
};

use super::compose::check_address;
use super::{Delivery, Letter};
use crate::config::{MailConfig, MailTransport, SmtpSecurity};
use crate::credentials::Secret;

/// How long one SMTP command may take before the server counts as not answering.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where `transport = "sendmail"` looks when `sendmail` is not on the PATH: where mail
/// transfer agents put it.
const SENDMAIL_PLACES: [&str; 2] = ["/usr/sbin/sendmail", "/usr/lib/sendmail"];

/// Why mail cannot be sent at all (as opposed to one letter failing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailerError {
    /// A setting is missing or wrong: the sentence names the key and the fix.
    #[error("{0}")]
    Settings(String),
    /// The server could not be reached or refused the connection or the sign-in.
    #[error("{0}")]
    Unreachable(String),
}

/// Sends letters one at a time with a pause between them.
pub struct Mailer {
    route: Route,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    pause: Duration,
    /// Set by the first send: every later one waits `pause` first.
    started: AtomicBool,
}

enum Route {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// "smtp.university.edu:587".
        server: String,
        security: SmtpSecurity,
        user: Option<String>,
    },
    Sendmail {
        transport: AsyncSendmailTransport<Tokio1Executor>,
        program: PathBuf,
    },
    DryRun {
        dir: PathBuf,
        /// The number of the last file written; `None` until the folder has been looked
        /// at, so that a second dry run into the same folder adds files and overwrites none.
        last: Mutex<Option<usize>>,
    },
}

impl fmt::Debug for Mailer {
    // The SMTP transport holds the password: only the description is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("route", &self.describe())
            .field("from", &self.from.to_string())
            .field("pause", &self.pause)
            .finish()
    }
}

impl Mailer {
    /// From `[mail]`: the transport, `from` (required), `reply_to`, `pause_ms`. The SMTP
    /// password is given separately: `HANDIN_SMTP_PASSWORD` or the credentials file.
    pub fn from_config(
        config: &MailConfig,
        password: Option<Secret>,
    ) -> Result<Mailer, MailerError> {
        let route = match config.transport {
            MailTransport::Smtp => smtp_route(config, password)?,
            MailTransport::Sendmail => {
                let program = find_sendmail().ok_or_else(|| {
                    MailerError::Settings(
                        "mail.transport = \"sendmail\", but this machine has no sendmail program \
                         (looked on the PATH, in /usr/sbin and in /usr/lib); use transport = \
                         \"smtp\" with your university's mail server instead"
                            .to_string(),
                    )
                })?;
                Route::Sendmail {
                    transport: AsyncSendmailTransport::new_with_command(program.as_os_str()),
                    program,
                }
            }
            MailTransport::DryRun => {
                let dir = config.dry_run_dir.clone().ok_or_else(|| {
                    MailerError::Settings(
                        "mail.transport = \"dry-run\" needs mail.dry_run_dir, the folder the \
                         .eml files are written to; add dry_run_dir = \"/tmp/handin-mail\" under \
                         [mail]"
                            .to_string(),
                    )
                })?;
                return Mailer::dry_run(config, dir);
            }
        };
        Mailer::with_route(config, route)
    }

    /// Writes `.eml` files into `dir` instead of sending (the config's other settings
    /// still give From and Reply-To).
    pub fn dry_run(config: &MailConfig, dir: PathBuf) -> Result<Mailer, MailerError> {
        let mut mailer = Mailer::with_route(
            config,
            Route::DryRun {
                dir,
                last: Mutex::new(None),
            },
        )?;
        // Nothing is sent, so nothing needs the server spared.
        mailer.pause = Duration::ZERO;
        Ok(mailer)
    }

    fn with_route(config: &MailConfig, route: Route) -> Result<Mailer, MailerError> {
        let from = match config.from.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(MailerError::Settings(
                    "mail.from is not set, and every message needs a sender; add from = \"Your \
                     Name <you@university.edu>\" under [mail] in the configuration file"
                        .to_string(),
                ));
            }
            Some(from) => mailbox_setting("mail.from", from)?,
        };
        let reply_to = match config.reply_to.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(reply_to) => Some(mailbox_setting("mail.reply_to", reply_to)?),
        };
        Ok(Mailer {
            route,
            from,
            reply_to,
            pause: Duration::from_millis(config.pause_ms),
            started: AtomicBool::new(false),
        })
    }

    /// "smtp.university.edu:587 (STARTTLS)", "sendmail", "dry run into /tmp/x": for the
    /// confirmation question.
    pub fn describe(&self) -> String {
        match &self.route {
            Route::Smtp {
                server,
                security,
                user,
                ..
            } => {
                let how = match security {
                    SmtpSecurity::Starttls => "STARTTLS",
                    SmtpSecurity::Tls => "TLS",
                    SmtpSecurity::None => "unencrypted, on this machine",
                };
                match user {
                    Some(user) => format!("{server} ({how}) as {user}"),
                    None => format!("{server} ({how})"),
                }
            }
            Route::Sendmail { program, .. } => format!("sendmail ({})", program.display()),
            Route::DryRun { dir, .. } => format!("dry run into {}", dir.display()),
        }
    }

    /// Whether letters only become `.eml` files.
    pub fn is_dry_run(&self) -> bool {
        matches!(self.route, Route::DryRun { .. })
    }

    /// The folder a dry run writes its `.eml` files into.
    pub fn dry_run_dir(&self) -> Option<&Path> {
        match &self.route {
            Route::DryRun { dir, .. } => Some(dir),
            _ => None,
        }
    }

    /// The From header: "Prof. Ada Lovelace <ada@university.edu>".
    pub fn from(&self) -> String {
        self.from.to_string()
    }

    /// The Reply-To header, when there is one.
    pub fn reply_to(&self) -> Option<String> {
        self.reply_to.as_ref().map(Mailbox::to_string)
    }

    /// Checks the server can be reached (and the sign-in works) before the first letter.
    pub async fn test_connection(&self) -> Result<(), MailerError> {
        match &self.route {
            Route::Smtp {
                transport,
                server,
                user,
                ..
            } => match transport.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(MailerError::Unreachable(format!(
                    "{server} accepted the connection but then stopped answering; try again \
                     later, or check mail.smtp_port"
                ))),
                Err(error) => {
                    tracing::warn!(%server, ?error, "the SMTP server could not be used");
                    Err(MailerError::Unreachable(connection_sentence(
                        server,
                        user.as_deref(),
                        &error,
                    )))
                }
            },
            Route::Sendmail { program, .. } => {
                if is_executable(program) {
                    Ok(())
                } else {
                    Err(MailerError::Settings(format!(
                        "{} can no longer be run; use transport = \"smtp\" under [mail] instead",
                        program.display()
                    )))
                }
            }
            Route::DryRun { dir, .. } => prepare_dry_run_dir(dir).map_err(MailerError::Settings),
        }
    }

    /// Sends one letter (one recipient in To, no one else), waiting `pause` first
    /// unless it is the first.
    pub async fn send(&self, letter: &Letter) -> Delivery {
        if self.started.swap(true, Ordering::SeqCst) && !self.pause.is_zero() {
            tokio::time::sleep(self.pause).await;
        }
        let message = match self.message(letter) {
            Ok(message) => message,
            Err(delivery) => return delivery,
        };
        match &self.route {
            Route::Smtp {
                transport,
                server,
                user,
                ..
            } => match transport.send(message).await {
                Ok(_) => Delivery::Sent,
                Err(error) => {
                    tracing::warn!(%server, ?error, "a message was not sent");
                    Delivery::Failed(letter_sentence(server, user.as_deref(), &error))
                }
            },
            Route::Sendmail { transport, program } => match transport.send(message).await {
                Ok(()) => Delivery::Sent,
                Err(error) => Delivery::Failed(format!(
                    "{} did not take the message ({error})",
                    program.display()
                )),
            },
            Route::DryRun { dir, last } => {
                match write_eml(dir, last, &letter.recipient.email, &message.formatted()) {
                    Ok(_) => Delivery::Sent,
                    Err(sentence) => Delivery::Failed(sentence),
                }
            }
        }
    }

    pub fn pause(&self) -> Duration {
        self.pause
    }

    /// The whole message for `letter`, as it goes out: From, Reply-To, To (the student
    /// alone, their name encoded), Subject, Date, Message-ID, plain UTF-8 text.
    fn message(&self, letter: &Letter) -> Result<Message, Delivery> {
        let address = check_address(&letter.recipient.email).map_err(Delivery::Skipped)?;
        let name = letter.recipient.name.trim();
        let to = Mailbox::new((!name.is_empty()).then(|| name.to_string()), address);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .date_now()
            .message_id(Some(message_id(&self.from)));
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        builder
            .singlepart(SinglePart::plain(letter.body.clone()))
            .map_err(|error| Delivery::Failed(format!("the message could not be built ({error})")))
    }
}

fn smtp_route(config: &MailConfig, password: Option<Secret>) -> Result<Route, MailerError> {
    let host = config
        .smtp_host
        .as_deref()
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .ok_or_else(|| {
            MailerError::Settings(
                "mail.smtp_host is not set; add your university's mail server under [mail] \
                 (smtp_host = \"smtp.university.edu\"), or set transport = \"sendmail\" or \
                 \"dry-run\""
                    .to_string(),
            )
        })?;
    let server = format!("{host}:{}", config.smtp_port);
    let tls_parameters = || {
        TlsParameters::new(host.to_string()).map_err(|error| {
            MailerError::Settings(format!(
                "handin could not prepare an encrypted connection to {host} ({error})"
            ))
        })
    };
    let tls = match config.smtp_security {
        SmtpSecurity::Starttls => Tls::Required(tls_parameters()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
        SmtpSecurity::None if crate::config::is_local_host(host) => Tls::None,
        SmtpSecurity::None => {
            return Err(MailerError::Settings(format!(
                "mail.smtp_security = \"none\" would send your password unencrypted to {host}; \
                 use starttls or tls (none is for a server on this machine)"
            )));
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(config.smtp_port)
        .tls(tls)
        .timeout(Some(SMTP_TIMEOUT));
    let user = config
        .smtp_user
        .as_deref()
        .map(str::trim)
        .filter(|user| !user.is_empty());
    if let Some(user) = user {
        let password = password
            .filter(|password| !password.is_blank())
            .ok_or_else(|| {
                MailerError::Settings(format!(
                    "mail.smtp_user is {user}, but handin has no SMTP password for it; store it \
                 with `handin mail password`, or set HANDIN_SMTP_PASSWORD"
                ))
            })?;
        // Any user of a lab machine may listen on a loopback port from 1024 up (a relay
        // that is not running leaves its port to them); only ports below are root's.
        if config.smtp_security == SmtpSecurity::None
            && config.smtp_port >= 1024
            && !listened_on_by_this_user(config.smtp_port)
        {
            return Err(MailerError::Settings(format!(
                "mail.smtp_security = \"none\" would send your password unencrypted to \
                 {server}, where no server of yours is listening now and any user of this \
                 machine may; start your mail relay first, or use starttls or tls"
            )));
        }
        builder = builder.credentials(Credentials::new(
            user.to_string(),
            password.expose().to_string(),
        ));
    }
    Ok(Route::Smtp {
        transport: builder.build(),
        server,
        security: config.smtp_security,
        user: user.map(str::to_string),
    })
}

fn mailbox_setting(key: &str, text: &str) -> Result<Mailbox, MailerError> {
    Mailbox::from_str(text).map_err(|error| {
        MailerError::Settings(format!(
            "{key} = {text:?} is not an address mail can be sent with ({}); write it like \
             \"Ada Lovelace <ada@university.edu>\" or ada@university.edu",
            error.to_string().to_lowercase()
        ))
    })
}

/// `<time.random.handin@university.edu>`: unique, and on the sender's own domain, which
/// spam filters like better than a lab machine's host name.
fn message_id(from: &Mailbox) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "<{:x}.{:016x}.handin@{}>",
        now.as_micros(),
        fastrand::u64(..),
        from.email.domain()
    )
}

/// `sendmail` on the PATH, else where mail transfer agents install it.
fn find_sendmail() -> Option<PathBuf> {
    find_program(std::env::var_os("PATH"), &SENDMAIL_PLACES)
}

fn find_program(path: Option<std::ffi::OsString>, places: &[&str]) -> Option<PathBuf> {
    let on_path = path
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("sendmail"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain(places.iter().map(PathBuf::from))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

/// Whether something listens on TCP `port` of this machine and every such listener is
/// this user's (or root's), as the kernel's socket tables say. Elsewhere than Linux
/// nobody can tell, so no.
fn listened_on_by_this_user(port: u16) -> bool {
    let me = crate::fs::current_uid();
    let mut owners = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(uid)) =
                (fields.get(1), fields.get(3), fields.get(7))
            else {
                continue;
            };
            const LISTEN: &str = "0A";
            let listening_port = local
                .rsplit_once(':')
                .and_then(|(_, hex)| u16::from_str_radix(hex, 16).ok());
            if *state == LISTEN && listening_port == Some(port) {
                owners.push(uid.parse::<u32>().unwrap_or(u32::MAX));
            }
        }
    }
    !owners.is_empty() && owners.iter().all(|&owner| owner == me || owner == 0)
}

/// Makes the dry-run folder (0700, its missing parents too) or checks the one there:
/// the letters name students and their addresses, so a folder that is a link, another
/// user's or writable by others (a `/tmp/letters` a neighbour made first) is refused.
fn prepare_dry_run_dir(dir: &Path) -> Result<(), String> {
    let cannot_create = |error: &std::io::Error| {
        format!(
            "the dry-run folder {} cannot be created ({error}); choose another one",
            dir.display()
        )
    };
    if let Some(parent) = dir.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        crate::fs::create_private_dir_all(parent).map_err(|error| cannot_create(&error))?;
    }
    crate::fs::ensure_private_dir(dir).map_err(|refused| match refused {
        crate::fs::UnsafeFolder::Io { source, .. } => cannot_create(&source),
        refused => refused.to_string(),
    })
}

/// `<dir>/<nn>-<address>.eml`, written atomically and 0600, numbered after any already
/// there.
fn write_eml(
    dir: &Path,
    last: &Mutex<Option<usize>>,
    email: &str,
    message: &[u8],
) -> Result<PathBuf, String> {
    prepare_dry_run_dir(dir)?;
    let number = {
        let mut last = last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = last.unwrap_or_else(|| highest_number(dir)) + 1;
        *last = Some(next);
        next
    };
    let safe: String = email
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{number:02}-{safe}.eml"));
    crate::fs::write_private_atomically(&path, message)
        .map_err(|error| format!("{} could not be written ({error})", path.display()))?;
    Ok(path)
}

/// The largest `nn` of the `nn-*.eml` files in `dir`; 0 when there are none.
fn highest_number(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let (number, _) = name.strip_suffix(".eml")?.split_once('-')?;
            number.parse::<usize>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Why a connection (or the sign-in on it) failed, in one sentence.
fn connection_sentence(
    server: &str,
    user: Option<&str>,
    error: &lettre::transport::smtp::Error,
) -> String {
    if let Some(code) = error.status() {
        let reply = server_reply(error);
        return match (user, code.to_string().as_str()) {
            (Some(user), _) => format!(
                "{server} refused the sign-in as {user}: {code} {reply}; check mail.smtp_user \
                 and the password (`handin mail password` stores a new one)"
            ),
            (None, "530") => format!(
                "{server} wants a sign-in: {code} {reply}; set mail.smtp_user and store the \
                 password with `handin mail password`"
            ),
            (None, _) => format!("{server} refused the connection: {code} {reply}"),
        };
    }
    if let Some(io) = io_error(error) {
        let kind = io.kind();
        let text = io.to_string();
        if kind == std::io::ErrorKind::ConnectionRefused {
            return format!(
                "nothing answers at {server} (connection refused); check mail.smtp_host and \
                 mail.smtp_port, and that the server is running"
            );
        }
        if kind == std::io::ErrorKind::TimedOut || error.is_timeout() {
            return format!(
                "{server} did not answer within {} seconds; check mail.smtp_host, \
                 mail.smtp_port and the network",
                SMTP_TIMEOUT.as_secs()
            );
        }
        if text.contains("lookup") || text.contains("resolve") {
            let host = server.rsplit_once(':').map_or(server, |(host, _)| host);
            return format!("the mail server {host} is not known ({text}); check mail.smtp_host");
        }
    }
    if error.is_tls() {
        return format!(
            "the encrypted connection to {server} failed ({}); check mail.smtp_security: \
             starttls for port 587, tls for port 465",
            source_text(error)
        );
    }
    if error.is_client() && user.is_some() {
        return format!(
            "{server} offers no sign-in handin can use ({}); ask the server's administrator, \
             or leave mail.smtp_user unset",
            source_text(error)
        );
    }
    format!("handin could not talk to {server} ({error})")
}

/// Why one letter did not go, in one sentence that quotes the server's own reply.
fn letter_sentence(
    server: &str,
    user: Option<&str>,
    error: &lettre::transport::smtp::Error,
) -> String {
    match error.status() {
        Some(code) if error.is_permanent() && user.is_none() && code.to_string() == "530" => {
            format!(
                "refused by the server: {code} {}; it wants a sign-in: set mail.smtp_user and \
                 store the password with `handin mail password`",
                server_reply(error)
            )
        }
        Some(code) if error.is_permanent() => {
            format!("refused by the server: {code} {}", server_reply(error))
        }
        Some(code) => format!(
            "the server asked to try again later: {code} {}",
            server_reply(error)
        ),
        None if error.is_client() => format!("not sent: {}", source_text(error)),
        None => connection_sentence(server, user, error),
    }
}

/// The text of the server's reply (every line of it, joined).
fn server_reply(error: &lettre::transport::smtp::Error) -> String {
    let reply = source_text(error);
    let reply = reply.trim();
    if reply.is_empty() {
        "(no reason given)".to_string()
    } else {
        reply.to_string()
    }
}

fn source_text(error: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    error
        .source()
        .map(|source| source.to_string())
        .unwrap_or_else(|| error.to_string())
}

fn io_error(error: &lettre::transport::smtp::Error) -> Option<&std::io::Error> {
    use std::error::Error as _;
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = current.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Recipient;

    fn config(transport: MailTransport) -> MailConfig {
        MailConfig {
            transport,
            smtp_host: Some("smtp.example.edu".to_string()),
            from: Some("Prof. Ada Lovelace <ada@example.edu>".to_string()),
            ..MailConfig::default()
        }
    }

    fn settings_error(result: Result<Mailer, MailerError>) -> String {
        match result {
            Err(MailerError::Settings(sentence)) => sentence,
            other => panic!("not a settings error: {other:?}"),
        }
    }

    #[test]
    fn missing_and_wrong_settings_name_the_key() {
        let no_from = MailConfig {
            from: None,
            ..config(MailTransport::Smtp)
        };
        assert!(
            settings_error(Mailer::from_config(&no_from, None)).starts_with("mail.from is not set")
        );
        let no_host = MailConfig {
            smtp_host: None,
            ..config(MailTransport::Smtp)
        };
        assert!(
            settings_error(Mailer::from_config(&no_host, None))
                .starts_with("mail.smtp_host is not set")
        );
        let bad_from = MailConfig {
            from: Some("Ada <ada@>".to_string()),
            ..config(MailTransport::Smtp)
        };
        assert!(
            settings_error(Mailer::from_config(&bad_from, None))
                .starts_with("mail.from = \"Ada <ada@>\" is not an address")
        );
        let no_password = MailConfig {
            smtp_user: Some("ada".to_string()),
            ..config(MailTransport::Smtp)
        };
        let sentence = settings_error(Mailer::from_config(&no_password, Some(Secret::new(" "))));
        assert!(sentence.contains("handin mail password"), "{sentence}");
        let plain_remote = MailConfig {
            smtp_security: SmtpSecurity::None,
            ..config(MailTransport::Smtp)
        };
        assert!(settings_error(Mailer::from_config(&plain_remote, None)).contains("unencrypted"));
        let no_dir = config(MailTransport::DryRun);
        assert!(settings_error(Mailer::from_config(&no_dir, None)).contains("mail.dry_run_dir"));
    }

    #[test]
    fn a_password_goes_unencrypted_only_to_a_port_no_other_user_can_take() {
        let plain_local = |port: u16, user: Option<&str>| MailConfig {
            smtp_host: Some("127.0.0.1".to_string()),
            smtp_port: port,
            smtp_security: SmtpSecurity::None,
            smtp_user: user.map(str::to_string),
            ..config(MailTransport::Smtp)
        };
        let password = || Some(Secret::new("hunter2"));
        // A port nobody listens on now is one a neighbour may take.
        let free = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let sentence = settings_error(Mailer::from_config(
            &plain_local(free, Some("ada")),
            password(),
        ));
        assert!(
            sentence.contains(&format!("127.0.0.1:{free}")) && sentence.contains("any user"),
            "{sentence}"
        );
        assert!(!sentence.contains("hunter2"), "{sentence}");
        // The professor's own relay, listening, may have it.
        let relay = std::net::TcpListener::bind("127.0.0.1:0").expect("a relay");
        let port = relay.local_addr().expect("address").port();
        assert!(Mailer::from_config(&plain_local(port, Some("ada")), password()).is_ok());
        drop(relay);
        assert!(Mailer::from_config(&plain_local(25, Some("ada")), password()).is_ok());
        // A local test server that takes no password is still fine on any port.
        assert!(Mailer::from_config(&plain_local(free, None), None).is_ok());
    }

    #[test]
    fn the_description_says_where_mail_goes_and_hides_the_password() {
        let with_user = MailConfig {
            smtp_user: Some("ada".to_string()),
            ..config(MailTransport::Smtp)
        };
        let mailer = Mailer::from_config(&with_user, Some(Secret::new("hunter2"))).expect("valid");
        assert_eq!(mailer.describe(), "smtp.example.edu:587 (STARTTLS) as ada");
        assert_eq!(mailer.pause(), Duration::from_secs(1));
        assert!(!format!("{mailer:?}").contains("hunter2"));
        let wrapped = MailConfig {
            smtp_security: SmtpSecurity::Tls,
            smtp_port: 465,
            ..config(MailTransport::Smtp)
        };
        let mailer = Mailer::from_config(&wrapped, None).expect("valid");
        assert_eq!(mailer.describe(), "smtp.example.edu:465 (TLS)");
        assert_eq!(mailer.from(), "\"Prof. Ada Lovelace\" <ada@example.edu>");
    }

    #[test]
    fn sendmail_is_found_on_the_path_or_in_its_usual_places() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let nowhere = dir.path().join("nowhere").display().to_string();
        assert_eq!(find_program(None, &[nowhere.as_str()]), None);
        let program = dir.path().join("sendmail");
        std::fs::write(&program, "#!/bin/sh\n").expect("write");
        assert_eq!(
            find_program(Some(dir.path().as_os_str().to_owned()), &[]),
            None,
            "not executable"
        );
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(
            find_program(Some(dir.path().as_os_str().to_owned()), &[]),
            Some(program.clone())
        );
        let shown = program.display().to_string();
        assert_eq!(
            find_program(None, &[nowhere.as_str(), shown.as_str()]),
            Some(program)
        );
    }

    #[test]
    fn a_mailer_can_be_shared_with_spawned_tasks() {
        fn shared<T: Send + Sync + 'static>() {}
        fn spawnable<F: std::future::Future + Send>(_: F) {}
        shared::<Mailer>();
        let mailer = Mailer::from_config(&config(MailTransport::Smtp), None).expect("valid");
        let letter = Letter {
            recipient: Recipient {
                name: "Ada".to_string(),
                email: "ada@example.edu".to_string(),
            },
            subject: "s".to_string(),
            body: "b".to_string(),
        };
        spawnable(mailer.send(&letter));
        spawnable(mailer.test_connection());
    }

    #[tokio::test]
    async fn dry_run_letters_are_private_and_a_folder_open_to_others_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode =
            |path: &Path| std::fs::metadata(path).expect("mode").permissions().mode() & 0o777;
        // SAFETY: umask only changes the mode of files created afterwards; 022 is the
        // usual one, under which a file made with default permissions is 0644.
        unsafe { libc::umask(0o022) };
        let home = tempfile::tempdir().expect("tempdir");
        let letters = home.path().join("mail/letters");
        let mailer = Mailer::dry_run(&config(MailTransport::Smtp), letters.clone()).expect("valid");
        let letter = Letter {
            recipient: Recipient {
                name: "Ada".to_string(),
                email: "ada@example.edu".to_string(),
            },
            subject: "Lab 1".to_string(),
            body: "Hello\n".to_string(),
        };
        assert_eq!(mailer.send(&letter).await, Delivery::Sent);
        assert_eq!(mode(&letters), 0o700);
        assert_eq!(mode(&home.path().join("mail")), 0o700);
        assert_eq!(mode(&letters.join("01-ada@example.edu.eml")), 0o600);

        let open = home.path().join("open");
        std::fs::create_dir(&open).expect("mkdir");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let mailer = Mailer::dry_run(&config(MailTransport::Smtp), open.clone()).expect("valid");
        let refused = match mailer.test_connection().await {
            Err(MailerError::Settings(sentence)) => sentence,
            other => panic!("expected the folder refused, got {other:?}"),
        };
        assert!(refused.contains("chmod 700"), "{refused}");
        assert!(matches!(mailer.send(&letter).await, Delivery::Failed(_)));
        assert_eq!(std::fs::read_dir(&open).expect("list").count(), 0);
    }

    #[tokio::test]
    async fn a_dry_run_numbers_its_files_after_those_already_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("07-old@example.edu.eml"), "x").expect("write");
        let mailer =
            Mailer::dry_run(&config(MailTransport::Smtp), dir.path().to_path_buf()).expect("valid");
        assert!(mailer.is_dry_run());
        assert_eq!(mailer.pause(), Duration::ZERO);
        mailer.test_connection().await.expect("folder is there");
        let letter = Letter {
            recipient: Recipient {
                name: "Zoë O'Brien".to_string(),
                email: "zoe+cs101@example.edu".to_string(),
            },
            subject: "Lab 1".to_string(),
            body: "Hello\n".to_string(),
        };
        assert_eq!(mailer.send(&letter).await, Delivery::Sent);
        assert!(dir.path().join("08-zoe+cs101@example.edu.eml").is_file());
        let bad = Letter {
            recipient: Recipient {
                name: "X".to_string(),
                email: "x@".to_string(),
            },
            ..letter
        };
        assert!(matches!(mailer.send(&bad).await, Delivery::Skipped(_)));
    }
}
