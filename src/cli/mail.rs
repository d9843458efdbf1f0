//! `handin mail invite | remind | password`: the upload link by email from a shell.
//! Everything for people goes to stderr (the preview, one line per student, the
//! summary); stdout stays empty. Exit statuses are in the commands' `--help` (see
//! `crate::cli`).

use std::collections::HashSet;
use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Cli, ExitCode, RequestIdParser};
use crate::config::{MailTransport, Paths};
use crate::credentials::{self, Secret};
use crate::dropbox::{Dropbox, DropboxError, FileRequest};
use crate::mail::{
    self, Delivery, Kind, Letter, MailLog, Mailer, MailerError, Recipient, Sent, Templates, Values,
};
use crate::submissions::{Assignments, ClassView, Roster};
use crate::time::Zone;
use crate::untrusted::visible;

use super::Setup;
use super::session::{self, complain};

const MAIL_HELP: &str = "\
Sends one plain-text message per student (no one sees the others' addresses), with the
subject and body of the invite or reminder template filled in ([mail.templates] in the
config file; placeholders {student} {title} {url} {deadline} {grace} {description}
{course} {professor}). The first message and the number of recipients are shown on
stderr first; on a terminal handin asks before sending, elsewhere it needs --yes.
Students whose address cannot take mail are reported and skipped. What was sent to whom
is kept in mail-log.json in the data folder.

How mail goes out is set under [mail] in the config file (smtp, sendmail or dry-run, and
`from`); the SMTP password comes from HANDIN_SMTP_PASSWORD or `handin mail password`.

Examples:
  handin mail invite nZ3sxAbXpq8bD7hbCGkU --roster cs101.csv --dry-run /tmp/letters
  handin mail remind nZ3sxAbXpq8bD7hbCGkU --yes

When the mail server or Dropbox refuses (1), nothing was sent; a student skipped counts
as a failed item (3). A template, roster or missing `from` is bad input (2).";

/// `handin mail ...`.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send a request's upload link to every student of the class list.
    #[command(after_help = ExitCode::help_after(MAIL_HELP, &ExitCode::SCRIPTING))]
    Invite(MailArgs),
    /// Send the upload link again to the students who have not handed in.
    #[command(after_help = ExitCode::help_after(MAIL_HELP, &ExitCode::SCRIPTING))]
    Remind(MailArgs),
    /// Store the SMTP password in the credentials file, read from stdin (not echoed on
    /// a terminal).
    #[command(after_help = ExitCode::help_after("\
The password is kept in credentials.toml in the data folder, readable by you alone, beside
the Dropbox sign-in (signing out of Dropbox keeps it). HANDIN_SMTP_PASSWORD, when set, is
used instead. From a script: printf '%s\\n' \"$PASSWORD\" | handin mail password",
        &[ExitCode::Done, ExitCode::Usage],
    ))]
    Password(MailPasswordArgs),
}

#[derive(Debug, Args)]
pub struct MailArgs {
    /// The file request's id (Requests tab, or the end of the request's link).
    #[arg(value_name = "REQUEST_ID", value_parser = RequestIdParser)]
    pub request: String,
    /// The class list (CSV with name and email columns); default: the course's roster
    /// from [rosters] in the config file.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Write each message as an .eml file into DIR instead of sending it.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// Leave out the students the mail log says already got this kind of message for
    /// this request (to retry only the ones that failed).
    #[arg(long)]
    pub skip_already: bool,
    /// Send without asking; needed when stdin is not a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct MailPasswordArgs {
    /// Remove the stored password instead.
    #[arg(long)]
    pub forget: bool,
}

/// Body lines of the first letter shown in the preview; the rest is the same for all.
const PREVIEW_LINES: usize = 40;

pub fn command(runtime: &tokio::runtime::Runtime, cli: &Cli, command: &MailCommand) -> ExitCode {
    let setup = match Setup::from_cli(cli) {
        Ok(setup) => setup,
        Err(message) => {
            complain(&message);
            return ExitCode::Usage;
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

/// Everything checked before anything is sent, in the order that costs least: the
/// templates and settings, the mail log, then Dropbox and the roster.
async fn mailing(cli: &Cli, setup: &Setup, kind: Kind, args: &MailArgs) -> ExitCode {
    let config = &setup.config;
    let templates = Templates::from_config(&config.mail.templates);
    if let Err(error) = templates.check() {
        complain(&format!(
            "{error} (in [mail.templates] of the configuration file)"
        ));
        return ExitCode::Usage;
    }
    let mailer = match mailer(setup, args) {
        Ok(mailer) => mailer,
        Err(sentence) => {
            complain(&sentence);
            return ExitCode::Usage;
        }
    };
    let log_file = setup.paths.mail_log_file();
    let mut log = match MailLog::load(&log_file) {
        Ok(log) => log,
        Err(sentence) => {
            complain(&sentence);
            return ExitCode::Usage;
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
            complain(&request_sentence(id, &error));
            return ExitCode::Refused;
        }
    };
    let roster = match roster(setup, args, &request) {
        Ok(roster) => roster,
        Err(sentence) => {
            complain(&sentence);
            return ExitCode::Usage;
        }
    };
    let view = match kind {
        Kind::Invite => None,
        Kind::Remind => match class_view(&dropbox, &setup.paths, &request, &roster).await {
            Ok(view) => Some(view),
            Err((code, sentence)) => {
                complain(&sentence);
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
            complain(&format!(
                "{error} (in [mail.templates] of the configuration file)"
            ));
            return ExitCode::Usage;
        }
    };

    report_skipped(&chosen.skipped);
    let skipped_code = if chosen.skipped.is_empty() {
        ExitCode::Done
    } else {
        ExitCode::Partial
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
                return ExitCode::Done;
            }
            Err(failure) => return failure.report(),
        }
    }
    if let Err(error) = mailer.test_connection().await {
        complain(&format!("{error}; nothing was sent"));
        return match error {
            MailerError::Settings(_) => ExitCode::Usage,
            MailerError::Unreachable(_) => ExitCode::Refused,
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
            complain(&sentence);
        }
    }
    summary(kind, args, &mailer, sent.len(), failed, letters.len());
    match outcome.interrupted {
        Some(code) => code,
        None if failed > 0 => ExitCode::Partial,
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
                crate::file_request::course_of(destination, &setup.config.courses_root)
            });
            let configured = course.as_deref().and_then(|course| {
                crate::file_request::roster_for(
                    &setup.config,
                    course,
                    crate::file_request::home_folder().as_deref(),
                )
            });
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
    let roster = crate::submissions::load_roster(&path)?;
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
) -> Result<ClassView, (ExitCode, String)> {
    let assignments = Assignments::load(&paths.data_dir.join("assignments.json"))
        .map_err(|sentence| (ExitCode::Usage, sentence))?;
    let Some(destination) = request.destination.as_deref() else {
        return Err((
            ExitCode::Refused,
            format!(
                "the folder of \"{}\" no longer exists, so who has handed in cannot be told",
                visible(&request.title)
            ),
        ));
    };
    let entries = match dropbox.list_request_folder(destination).await {
        Ok(entries) => entries,
        Err(error) => {
            tracing::warn!(
                detail = error.detail(),
                "listing the request's files failed"
            );
            return Err((
                ExitCode::Refused,
                format!(
                    "could not list the files of \"{}\": {}",
                    visible(&request.title),
                    error.sentence()
                ),
            ));
        }
    };
    let submissions = crate::submissions::of_request(
        &crate::submissions::files_in(entries),
        request,
        &assignments,
    );
    Ok(crate::submissions::class_view(roster, &submissions))
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
    interrupted: Option<ExitCode>,
}

/// Sends each letter in turn, one line per student; Ctrl-C stops before the next one.
async fn send_all(mailer: &Mailer, letters: &[Letter]) -> Outcome {
    let mut stop = session::watch_signals();
    let width = letters.len().to_string().len();
    let mut results = Vec::with_capacity(letters.len());
    let mut interrupted = None;
    for (index, letter) in letters.iter().enumerate() {
        let delivery = tokio::select! {
            delivery = mailer.send(letter) => delivery,
            code = session::stopped(&mut stop) => {
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
fn password(setup: &Setup, args: &MailPasswordArgs) -> ExitCode {
    let path = setup.store.path().display().to_string();
    if args.forget {
        return match setup.store.save_smtp_password(None) {
            Ok(()) => {
                eprintln!("The SMTP password is no longer stored in {path}.");
                ExitCode::Done
            }
            Err(error) => {
                complain(&error.to_string());
                ExitCode::Usage
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
            complain(
                "no password was given, so none is stored; type it after the prompt, or pipe it \
                 in: printf '%s\\n' \"$PASSWORD\" | handin mail password",
            );
            return ExitCode::Usage;
        }
        Err(sentence) => {
            complain(&sentence);
            return ExitCode::Usage;
        }
    };
    if let Err(error) = setup.store.save_smtp_password(Some(&password)) {
        complain(&error.to_string());
        return ExitCode::Usage;
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
    ExitCode::Done
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
