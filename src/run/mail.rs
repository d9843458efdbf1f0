//! `handin mail invite | remind | password`: the upload link by email from a shell.
//! Everything for people goes to stderr (the preview, one line per student, the
//! summary); stdout stays empty. Exit statuses are in the commands' `--help` (see
//! `handin::cli`).

use std::collections::HashSet;
use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

use handin::cli::{Cli, MailArgs, MailCommand, MailPasswordArgs};
use handin::config::{MailTransport, Paths};
use handin::credentials::{self, Secret};
use handin::dropbox::{Dropbox, DropboxError, FileRequest};
use handin::mail::{
    self, Delivery, Kind, Letter, MailLog, Mailer, MailerError, Recipient, Sent, Templates, Values,
};
use handin::submissions::{Assignments, ClassView, Roster};
use handin::time::Zone;
use handin::untrusted::{visible, visible_lines};
use tokio::sync::watch;

use super::auth::{self, Setup};
use super::session;

/// Every message sent (or written, in a dry run).
const OK: u8 = 0;
/// The mail server or Dropbox could not be reached, or refused the sign-in.
const REFUSED: u8 = 1;
/// Bad input: flags, config, template, roster, no `from`, no `--yes` without a terminal.
const USAGE: u8 = 2;
/// Some messages failed or some students were skipped; the others are sent.
const SOME_FAILED: u8 = 3;

/// Body lines of the first letter shown in the preview; the rest is the same for all.
const PREVIEW_LINES: usize = 40;

pub fn command(runtime: &tokio::runtime::Runtime, cli: &Cli, command: &MailCommand) -> u8 {
    let setup = match auth::setup(cli) {
        Ok(setup) => setup,
        Err(message) => {
            say(&message);
            return USAGE;
        }
    };
    match command {
        MailCommand::Invite(args) => {
            tracing::info!(request = %args.request, "handin mail invite");
            runtime.block_on(mailing(cli, &setup, Kind::Invite, args))
        }
        MailCommand::Remind(args) => {
            tracing::info!(request = %args.request, "handin mail remind");
            runtime.block_on(mailing(cli, &setup, Kind::Remind, args))
        }
        MailCommand::Password(args) => password(&setup, args),
    }
}

/// "handin: <sentence>." on stderr, the full stop added when the sentence has none;
/// shown safely, as sentences quote titles, names and what mail servers said.
fn say(sentence: &str) {
    let sentence = visible_lines(sentence.trim_end());
    if sentence.ends_with(['.', '?', '!']) {
        eprintln!("handin: {sentence}");
    } else {
        eprintln!("handin: {sentence}.");
    }
}

/// Everything checked before anything is sent, in the order that costs least: the
/// templates and settings, the mail log, then Dropbox and the roster.
async fn mailing(cli: &Cli, setup: &Setup, kind: Kind, args: &MailArgs) -> u8 {
    let config = &setup.config;
    let templates = Templates::from_config(&config.mail.templates);
    if let Err(error) = templates.check() {
        say(&format!(
            "{error} (in [mail.templates] of the configuration file)"
        ));
        return USAGE;
    }
    let mailer = match mailer(setup, args) {
        Ok(mailer) => mailer,
        Err(sentence) => {
            say(&sentence);
            return USAGE;
        }
    };
    let log_file = setup.paths.mail_log_file();
    let mut log = match MailLog::load(&log_file) {
        Ok(log) => log,
        Err(sentence) => {
            say(&sentence);
            return USAGE;
        }
    };
    let dropbox = match session::dropbox(cli, setup) {
        Ok(dropbox) => dropbox,
        Err(failure) => return failure.report(),
    };
    let id = args.request.trim();
    let request = match dropbox.get_request(id).await {
        Ok(request) => request,
        Err(error) => {
            say(&request_sentence(id, &error));
            return REFUSED;
        }
    };
    let roster = match roster(setup, args, &request) {
        Ok(roster) => roster,
        Err(sentence) => {
            say(&sentence);
            return USAGE;
        }
    };
    let view = match kind {
        Kind::Invite => None,
        Kind::Remind => match class_view(&dropbox, &setup.paths, &request, &roster).await {
            Ok(view) => Some(view),
            Err((code, sentence)) => {
                say(&sentence);
                return code;
            }
        },
    };
    let mut chosen = mail::recipients(&roster, view.as_ref());
    let already: HashSet<String> = log
        .already(&request.id, kind)
        .into_iter()
        .map(str::to_lowercase)
        .collect();
    if args.skip_already {
        chosen
            .to
            .retain(|recipient| !already.contains(&recipient.email.to_lowercase()));
    }
    let professor = professor(config.mail.from.as_deref(), &dropbox).await;
    let values = Values::for_request(&request, Zone::Local, &config.courses_root, &professor);
    let letters = match mail::letters(&templates, kind, &values, &chosen.to) {
        Ok(letters) => letters,
        Err(error) => {
            say(&format!(
                "{error} (in [mail.templates] of the configuration file)"
            ));
            return USAGE;
        }
    };

    report_skipped(&chosen.skipped);
    let skipped_code = if chosen.skipped.is_empty() {
        OK
    } else {
        SOME_FAILED
    };
    let Some(first) = letters.first() else {
        let why = match (kind, args.skip_already) {
            (_, true) => "everyone left on the class list already got it",
            (Kind::Invite, false) => "the class list has no one to write to",
            (Kind::Remind, false) => "every student on the class list has handed in",
        };
        eprintln!(
            "Nothing to send for \"{}\": {why}.",
            visible(&request.title)
        );
        return skipped_code;
    };
    preview(kind, &request, &values, &mailer, first, letters.len());
    let repeated = letters
        .iter()
        .filter(|letter| already.contains(&letter.recipient.email.to_lowercase()))
        .count();
    if repeated > 0 {
        eprintln!(
            "{repeated} of them {} for this request before; --skip-already leaves them out.",
            match kind {
                Kind::Invite => "were invited",
                Kind::Remind => "were reminded",
            }
        );
    }
    eprintln!();

    if !mailer.is_dry_run() && !args.yes {
        let question = match letters.len() {
            1 => "Send 1 message?".to_string(),
            count => format!("Send {count} messages?"),
        };
        match session::confirm(&question, false) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("Nothing was sent.");
                return OK;
            }
            Err(failure) => return failure.report(),
        }
    }
    if let Err(error) = mailer.test_connection().await {
        say(&format!("{error}; nothing was sent"));
        return match error {
            MailerError::Settings(_) => USAGE,
            MailerError::Unreachable(_) => REFUSED,
        };
    }

    let outcome = send_all(&mailer, &letters).await;
    let sent: Vec<String> = outcome
        .results
        .iter()
        .filter(|(_, delivery)| delivery.is_sent())
        .map(|(recipient, _)| recipient.email.clone())
        .collect();
    let failed = outcome.results.len() - sent.len();
    if !mailer.is_dry_run() && !sent.is_empty() {
        log.record(
            &request.id,
            Sent {
                kind,
                at: chrono::Utc::now(),
                to: sent.clone(),
            },
        );
        if let Err(sentence) = log.save(&log_file) {
            say(&sentence);
        }
    }
    summary(kind, args, &mailer, sent.len(), failed, letters.len());
    match outcome.interrupted {
        Some(code) => code,
        None if failed > 0 => SOME_FAILED,
        None => skipped_code,
    }
}

/// The mailer the settings (or `--dry-run`) ask for; the sentence is a usage error.
fn mailer(setup: &Setup, args: &MailArgs) -> Result<Mailer, String> {
    let mail = &setup.config.mail;
    if let Some(dir) = &args.dry_run {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        return Mailer::dry_run(mail, dir).map_err(|error| error.to_string());
    }
    // The credentials file is only read when a password is needed: a file with a problem
    // must not stop mail that needs none.
    let needs_password = mail.transport == MailTransport::Smtp
        && mail
            .smtp_user
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty());
    let password = if needs_password {
        credentials::smtp_password(&setup.store).map_err(|error| error.to_string())?
    } else {
        None
    };
    Mailer::from_config(mail, password).map_err(|error| error.to_string())
}

fn request_sentence(id: &str, error: &DropboxError) -> String {
    tracing::warn!(detail = error.detail(), "looking up the request failed");
    if error.tag() == Some("not_found") {
        format!(
            "no file request has the id \"{}\"; copy the id from the Requests tab, or from the \
             end of the request's link",
            visible(id)
        )
    } else {
        format!(
            "could not look up file request \"{}\": {}",
            visible(id),
            error.sentence()
        )
    }
}

/// `--roster`, else the course's class list from `[rosters]`.
fn roster(setup: &Setup, args: &MailArgs, request: &FileRequest) -> Result<Roster, String> {
    let path: PathBuf = match &args.roster {
        Some(path) => path.clone(),
        None => {
            let course = request.destination.as_deref().and_then(|destination| {
                handin::file_request::course_of(destination, &setup.config.courses_root)
            });
            let configured = course
                .as_deref()
                .and_then(|course| handin::file_request::roster_for(&setup.config, course));
            match (configured, course) {
                (Some(path), _) => path,
                (None, Some(course)) => {
                    return Err(format!(
                        "there is no class list for {course}; name one with --roster FILE, or add \
                         \"{course}\" = \"/path/to/class.csv\" under [rosters] in the configuration \
                         file"
                    ));
                }
                (None, None) => {
                    return Err(format!(
                        "\"{}\" is not in a course folder under {}, so handin cannot tell its \
                         class list; name one with --roster FILE",
                        visible(&request.title),
                        setup.config.courses_root
                    ));
                }
            }
        }
    };
    let roster = handin::submissions::load_roster(&path)?;
    if roster.students.is_empty() {
        return Err(format!(
            "the class list {} has no students; add a line per student under its header",
            path.display()
        ));
    }
    Ok(roster)
}

/// Who has handed in, as the Submissions tab sees it (manual assignments included).
async fn class_view(
    dropbox: &Dropbox,
    paths: &Paths,
    request: &FileRequest,
    roster: &Roster,
) -> Result<ClassView, (u8, String)> {
    let assignments = Assignments::load(&paths.data_dir.join("assignments.json"))
        .map_err(|sentence| (USAGE, sentence))?;
    let Some(destination) = request.destination.as_deref() else {
        return Err((
            REFUSED,
            format!(
                "the folder of \"{}\" no longer exists, so who has handed in cannot be told",
                visible(&request.title)
            ),
        ));
    };
    let entries = match dropbox.list_folder_all(destination, true).await {
        Ok((entries, _cursor)) => entries,
        // No upload yet: Dropbox creates the folder with the first one.
        Err(error) if error.tag() == Some("path/not_found") => Vec::new(),
        Err(error) => {
            tracing::warn!(
                detail = error.detail(),
                "listing the request's files failed"
            );
            return Err((
                REFUSED,
                format!(
                    "could not list the files of \"{}\": {}",
                    visible(&request.title),
                    error.sentence()
                ),
            ));
        }
    };
    let submissions = handin::submissions::of_request(
        &handin::submissions::files_in(entries),
        request,
        &assignments,
    );
    Ok(handin::submissions::class_view(roster, &submissions))
}

/// The name in `mail.from`, else the Dropbox account's.
async fn professor(from: Option<&str>, dropbox: &Dropbox) -> String {
    if let Some(name) = mail::professor_name(from) {
        return name;
    }
    match dropbox.current_account().await {
        Ok(account) => account.name.display_name,
        Err(error) => {
            tracing::warn!(detail = error.detail(), "no account name for {{professor}}");
            String::new()
        }
    }
}

/// `Name <email>` from a roster row, as a terminal may show it.
fn shown(recipient: &Recipient) -> String {
    format!(
        "{} <{}>",
        visible(&recipient.name),
        visible(&recipient.email)
    )
}

fn report_skipped(skipped: &[(Recipient, Delivery)]) {
    if skipped.is_empty() {
        return;
    }
    eprintln!("Skipped, the address cannot take mail:");
    for (recipient, delivery) in skipped {
        let reason = match delivery {
            Delivery::Skipped(reason) | Delivery::Failed(reason) => reason.as_str(),
            Delivery::Sent => "",
        };
        eprintln!("  {}: {}", visible(&recipient.name), visible(reason));
    }
    eprintln!();
}

/// What is about to happen, and the first message as its student will read it.
fn preview(
    kind: Kind,
    request: &FileRequest,
    values: &Values,
    mailer: &Mailer,
    first: &Letter,
    count: usize,
) {
    let what = match kind {
        Kind::Invite => "Invitation",
        Kind::Remind => "Reminder",
    };
    let students = if count == 1 {
        "1 student".to_string()
    } else {
        format!("{count} students")
    };
    let course = if values.course.is_empty() {
        String::new()
    } else {
        format!(" ({})", visible(&values.course))
    };
    eprintln!(
        "{what} for \"{}\"{course} to {students}, from {}, {}.",
        visible(&request.title),
        mailer.from(),
        if mailer.is_dry_run() {
            mailer.describe()
        } else {
            format!("through {}", mailer.describe())
        }
    );
    eprintln!();
    eprintln!("  To: {}", shown(&first.recipient));
    if let Some(reply_to) = mailer.reply_to() {
        eprintln!("  Reply-To: {reply_to}");
    }
    eprintln!("  Subject: {}", visible(&first.subject));
    eprintln!();
    let lines: Vec<&str> = first.body.lines().collect();
    for line in lines.iter().take(PREVIEW_LINES) {
        if line.is_empty() {
            eprintln!();
        } else {
            eprintln!("  {}", visible(line));
        }
    }
    if lines.len() > PREVIEW_LINES {
        eprintln!("  … ({} more lines)", lines.len() - PREVIEW_LINES);
    }
    eprintln!();
}

struct Outcome {
    /// Each letter tried, in order (an interruption leaves the rest out).
    results: Vec<(Recipient, Delivery)>,
    /// The exit status of the signal that stopped the sending.
    interrupted: Option<u8>,
}

/// Sends each letter in turn, one line per student; Ctrl-C stops before the next one.
async fn send_all(mailer: &Mailer, letters: &[Letter]) -> Outcome {
    let mut stop = watch_signals();
    let width = letters.len().to_string().len();
    let mut results = Vec::with_capacity(letters.len());
    let mut interrupted = None;
    for (index, letter) in letters.iter().enumerate() {
        let delivery = tokio::select! {
            delivery = mailer.send(letter) => delivery,
            code = stopped(&mut stop) => {
                interrupted = Some(code);
                break;
            }
        };
        let done = if mailer.is_dry_run() {
            "written"
        } else {
            "sent"
        };
        let position = format!("[{:>width$}/{}]", index + 1, letters.len());
        match &delivery {
            Delivery::Sent => eprintln!("{position} {done:<7} {}", shown(&letter.recipient)),
            Delivery::Failed(reason) => eprintln!(
                "{position} FAILED  {}: {}",
                shown(&letter.recipient),
                visible(reason)
            ),
            Delivery::Skipped(reason) => eprintln!(
                "{position} skipped {}: {}",
                shown(&letter.recipient),
                visible(reason)
            ),
        }
        results.push((letter.recipient.clone(), delivery));
    }
    if interrupted.is_some() {
        eprintln!(
            "Interrupted: {} of {} messages were not tried.",
            letters.len() - results.len(),
            letters.len()
        );
    }
    Outcome {
        results,
        interrupted,
    }
}

fn summary(kind: Kind, args: &MailArgs, mailer: &Mailer, sent: usize, failed: usize, total: usize) {
    eprintln!();
    if let Some(dir) = mailer.dry_run_dir() {
        let count = if sent == total {
            format!("{sent}")
        } else {
            format!("{sent} of {total}")
        };
        eprintln!(
            "Wrote {count} messages as .eml files into {}; nothing was sent.",
            dir.display()
        );
    } else if sent == total {
        eprintln!("Sent {sent} messages; the mail log records them.");
    } else {
        eprintln!("Sent {sent} of {total} messages; the mail log records those.");
    }
    if failed > 0 && !mailer.is_dry_run() {
        let command = match kind {
            Kind::Invite => "invite",
            Kind::Remind => "remind",
        };
        let roster = args
            .roster
            .as_ref()
            .map(|path| format!(" --roster {}", shell_word(&path.display().to_string())))
            .unwrap_or_default();
        eprintln!(
            "{failed} failed (listed above). To try them again, and no one else: handin mail \
             {command} {}{roster} --skip-already",
            shell_word(args.request.trim())
        );
    }
}

/// `word` as a shell reads it back.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `handin mail password`: reads it (unechoed on a terminal) and stores it.
fn password(setup: &Setup, args: &MailPasswordArgs) -> u8 {
    let path = setup.store.path().display().to_string();
    if args.forget {
        return match setup.store.save_smtp_password(None) {
            Ok(()) => {
                eprintln!("The SMTP password is no longer stored in {path}.");
                OK
            }
            Err(error) => {
                say(&error.to_string());
                USAGE
            }
        };
    }
    let mail = &setup.config.mail;
    let account = match (mail.smtp_user.as_deref(), mail.smtp_host.as_deref()) {
        (Some(user), Some(host)) => format!(" for {user} at {host}"),
        (Some(user), None) => format!(" for {user}"),
        _ => String::new(),
    };
    let typed = if io::stdin().is_terminal() {
        read_unechoed(&format!("SMTP password{account}: "))
    } else {
        read_piped()
    };
    let password = match typed {
        Ok(Some(password)) if !password.is_blank() => password,
        Ok(_) => {
            say(
                "no password was given, so none is stored; type it after the prompt, or pipe it \
                 in: printf '%s\\n' \"$PASSWORD\" | handin mail password",
            );
            return USAGE;
        }
        Err(sentence) => {
            say(&sentence);
            return USAGE;
        }
    };
    if let Err(error) = setup.store.save_smtp_password(Some(&password)) {
        say(&error.to_string());
        return USAGE;
    }
    eprintln!("Stored the SMTP password in {path} (readable by you alone).");
    if mail
        .smtp_user
        .as_deref()
        .is_none_or(|user| user.trim().is_empty())
    {
        eprintln!(
            "handin signs in to the mail server only with smtp_user set under [mail] in the \
             configuration file."
        );
    }
    if std::env::var_os(credentials::SMTP_PASSWORD_ENV).is_some_and(|value| !value.is_empty()) {
        eprintln!(
            "{} is set, and handin uses it instead while it is.",
            credentials::SMTP_PASSWORD_ENV
        );
    }
    OK
}

/// The first line of stdin, without its line end; `None` at once at the end of input.
fn read_piped() -> Result<Option<Secret>, String> {
    let mut line = String::new();
    match io::stdin().lock().read_line(&mut line) {
        Ok(0) => Ok(None),
        Ok(_) => {
            let line = line.strip_suffix('\n').unwrap_or(&line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            Ok(Some(Secret::new(line)))
        }
        Err(error) => Err(format!("could not read the password from stdin ({error})")),
    }
}

/// Reads a line on the terminal with nothing echoed. Raw mode rather than turning echo
/// off alone: Ctrl-C arrives as a key, so the terminal is always given back as found.
fn read_unechoed(prompt: &str) -> Result<Option<Secret>, String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    eprint!("{prompt}");
    let _ = io::stderr().flush();
    crossterm::terminal::enable_raw_mode()
        .map_err(|error| format!("could not switch off the terminal's echo ({error})"))?;
    let mut typed = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(Some(Secret::new(std::mem::take(&mut typed)))),
                KeyCode::Char('c' | 'd') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Ok(None);
                }
                KeyCode::Esc => break Ok(None),
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) => typed.push(c),
                _ => {}
            },
            Ok(Event::Paste(text)) => typed.push_str(text.trim_end_matches(['\r', '\n'])),
            Ok(_) => {}
            Err(error) => break Err(format!("could not read the password ({error})")),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result
}

/// Ctrl-C (exit 130) and SIGTERM (exit 143), as the exit status they lead to.
fn watch_signals() -> watch::Receiver<Option<u8>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (sender, receiver) = watch::channel(None);
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut interrupt), Ok(mut terminate)) => {
            tokio::spawn(async move {
                let code = tokio::select! {
                    _ = interrupt.recv() => 130,
                    _ = terminate.recv() => 143,
                };
                sender.send_replace(Some(code));
            });
        }
        _ => tracing::warn!("could not watch for Ctrl-C; it ends handin without a summary"),
    }
    receiver
}

/// Resolves with the exit status once a signal came.
async fn stopped(receiver: &mut watch::Receiver<Option<u8>>) -> u8 {
    match receiver.wait_for(Option::is_some).await {
        Ok(code) => code.unwrap_or(130),
        Err(_) => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("nZ3sxAbX"), "nZ3sxAbX");
        assert_eq!(shell_word("/tmp/cs101.csv"), "/tmp/cs101.csv");
        assert_eq!(shell_word("my class.csv"), "'my class.csv'");
        assert_eq!(shell_word("it's.csv"), r"'it'\''s.csv'");
    }
}
