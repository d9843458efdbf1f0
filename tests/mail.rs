//! Invitations and reminders against a real SMTP server on loopback (tests/support/smtp.rs):
//! one message per student with the right headers and the link, a refused recipient
//! failing alone, a server that is down, the sign-in, `.eml` files of a dry run, bad
//! roster rows and bad templates; then `handin mail` through the real binary against the
//! Dropbox emulator, reminders going only to the students who have not handed in, and
//! every exit status.

#[path = "support/smtp.rs"]
mod smtp;

#[path = "support/cli.rs"]
mod cli_runner;
#[path = "support/emulator.rs"]
mod emulator_setup;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cli_runner::{Home, Output, run, run_with_stdin};
use emulator_setup::{client as dropbox, empty as emulator};
use handin::config::{MailConfig, MailTemplates, MailTransport, SmtpSecurity};
use handin::credentials::Secret;
use handin::dropbox::{CreateFileRequestArgs, FileRequest, FileRequestDeadline, GracePeriod};
use handin::emulator::{Emulator, Submission};
use handin::mail::{
    self, Delivery, Kind, Letter, MailLog, Mailer, MailerError, Recipient, Templates, Values,
};
use handin::submissions::parse_roster;
use handin::time::Zone;
use mail_parser::{MessageParser, MimeHeaders as _};
use smtp::{Options, SmtpServer};

// ---------------------------------------------------------------------------------------
// The mail layer on its own

const ROSTER: &str = "\
name,email
Ada Lovelace,ada@example.edu
José Müller,jose@example.edu
Zoë Ångström-O'Brien,zoe@example.edu
";

fn config(port: u16) -> MailConfig {
    MailConfig {
        transport: MailTransport::Smtp,
        smtp_host: Some("127.0.0.1".to_string()),
        smtp_port: port,
        smtp_security: SmtpSecurity::None,
        from: Some("Prof. Grace Hopper <grace@example.edu>".to_string()),
        reply_to: Some("ta@example.edu".to_string()),
        pause_ms: 0,
        ..MailConfig::default()
    }
}

fn values() -> Values {
    Values {
        title: "Lab 1".to_string(),
        url: "https://www.dropbox.com/request/Lab1xyz".to_string(),
        deadline: "Friday 4 December 2026 at 23:59 CET".to_string(),
        grace: "Late uploads are accepted for 1 day after the deadline.".to_string(),
        description: "One PDF, please.".to_string(),
        course: "CS101 Intro".to_string(),
        professor: "Prof. Grace Hopper".to_string(),
    }
}

fn letters(kind: Kind, roster: &str) -> (Vec<Letter>, Vec<(Recipient, Delivery)>) {
    let roster = parse_roster(roster).expect("roster parses");
    let chosen = mail::recipients(&roster, None);
    let letters =
        mail::letters(&Templates::defaults(), kind, &values(), &chosen.to).expect("filled");
    (letters, chosen.skipped)
}

async fn send_all(mailer: &Mailer, letters: &[Letter]) -> Vec<Delivery> {
    let mut deliveries = Vec::new();
    for letter in letters {
        deliveries.push(mailer.send(letter).await);
    }
    deliveries
}

fn parse(data: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(data)
        .expect("the message parses")
}

/// The header section, which must be plain ASCII with every name encoded.
fn header_section(data: &[u8]) -> &str {
    let text = std::str::from_utf8(data).expect("the message is ASCII");
    text.split("\r\n\r\n").next().expect("headers")
}

#[tokio::test]
async fn every_student_gets_one_message_of_their_own_with_the_link() {
    let server = SmtpServer::start(Options::default());
    let mailer = Mailer::from_config(&config(server.port()), None).expect("valid settings");
    mailer.test_connection().await.expect("the server answers");
    let (letters, skipped) = letters(Kind::Invite, ROSTER);
    assert!(skipped.is_empty());
    let deliveries = send_all(&mailer, &letters).await;
    assert!(deliveries.iter().all(Delivery::is_sent), "{deliveries:?}");

    let messages = server.messages();
    assert_eq!(messages.len(), 3, "one message per student");
    let mut ids = Vec::new();
    for (received, student) in messages.iter().zip([
        ("Ada Lovelace", "ada@example.edu"),
        ("José Müller", "jose@example.edu"),
        ("Zoë Ångström-O'Brien", "zoe@example.edu"),
    ]) {
        assert_eq!(
            received.to,
            [student.1],
            "the envelope names the student alone"
        );
        assert_eq!(received.from, "grace@example.edu");
        let headers = header_section(&received.data);
        assert!(headers.is_ascii(), "{headers}");
        assert!(
            !headers.contains("\r\nCc:") && !headers.contains("\r\nBcc:"),
            "{headers}"
        );
        let message = parse(&received.data);
        let to: Vec<_> = message.to().expect("To").iter().collect();
        assert_eq!(to.len(), 1, "{headers}");
        assert_eq!(to[0].name(), Some(student.0), "{headers}");
        assert_eq!(to[0].address(), Some(student.1));
        let from = message.from().expect("From").first().expect("one sender");
        assert_eq!(from.name(), Some("Prof. Grace Hopper"));
        assert_eq!(
            message
                .reply_to()
                .and_then(|r| r.first())
                .and_then(|a| a.address()),
            Some("ta@example.edu")
        );
        assert_eq!(message.subject(), Some("CS101 Intro: hand in Lab 1"));
        let date = message.date().expect("a Date header");
        assert!(date.is_valid());
        let age = chrono::Utc::now().timestamp() - date.to_timestamp();
        assert!((0..600).contains(&age), "dated now: {}", date.to_rfc3339());
        let id = message.message_id().expect("a Message-ID").to_string();
        assert!(id.ends_with("@example.edu"), "{id}");
        ids.push(id);
        let content_type = message.content_type().expect("Content-Type");
        assert_eq!(
            (content_type.ctype(), content_type.subtype()),
            ("text", Some("plain"))
        );
        assert_eq!(
            content_type
                .attribute("charset")
                .map(str::to_lowercase)
                .as_deref(),
            Some("utf-8")
        );
        let body = message.body_text(0).expect("a text body");
        assert!(body.starts_with(&format!("Dear {},", student.0)), "{body}");
        assert!(
            body.contains("https://www.dropbox.com/request/Lab1xyz"),
            "{body}"
        );
        assert!(
            body.contains("Deadline: Friday 4 December 2026 at 23:59 CET."),
            "{body}"
        );
        assert!(!body.contains('{'), "every placeholder filled: {body}");
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "every Message-ID is its own");
}

#[tokio::test]
async fn messages_are_sent_a_pause_apart() {
    let server = SmtpServer::start(Options::default());
    let mailer = Mailer::from_config(
        &MailConfig {
            pause_ms: 150,
            ..config(server.port())
        },
        None,
    )
    .expect("valid settings");
    let (letters, _) = letters(Kind::Invite, ROSTER);
    let started = Instant::now();
    let deliveries = send_all(&mailer, &letters).await;
    assert!(deliveries.iter().all(Delivery::is_sent), "{deliveries:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "two pauses between three messages: {:?}",
        started.elapsed()
    );
    assert_eq!(mailer.pause(), Duration::from_millis(150));
}

#[tokio::test]
async fn a_refused_student_fails_alone_with_the_servers_reason() {
    let server = SmtpServer::start(Options {
        refuse: vec!["jose@example.edu".to_string()],
        ..Options::default()
    });
    let mailer = Mailer::from_config(&config(server.port()), None).expect("valid settings");
    let (letters, _) = letters(Kind::Remind, ROSTER);
    let deliveries = send_all(&mailer, &letters).await;
    assert_eq!(deliveries[0], Delivery::Sent);
    assert_eq!(deliveries[2], Delivery::Sent);
    let Delivery::Failed(reason) = &deliveries[1] else {
        panic!("not refused: {deliveries:?}");
    };
    assert!(reason.starts_with("refused by the server: 550"), "{reason}");
    assert!(
        reason.contains("User unknown"),
        "the server's own words: {reason}"
    );
    let delivered: Vec<Vec<String>> = server.messages().into_iter().map(|m| m.to).collect();
    assert_eq!(
        delivered,
        [
            vec!["ada@example.edu".to_string()],
            vec!["zoe@example.edu".to_string()]
        ]
    );
    let reminder = parse(&server.messages()[0].data)
        .subject()
        .map(str::to_string);
    assert_eq!(
        reminder.as_deref(),
        Some("Reminder: Lab 1 (CS101 Intro) is not handed in yet")
    );
}

#[tokio::test]
async fn a_server_that_is_down_is_one_clear_sentence() {
    let port = smtp::closed_port();
    let mailer = Mailer::from_config(&config(port), None).expect("valid settings");
    let error = mailer.test_connection().await.expect_err("down");
    let MailerError::Unreachable(sentence) = &error else {
        panic!("not unreachable: {error:?}");
    };
    assert_eq!(
        sentence,
        &format!(
            "nothing answers at 127.0.0.1:{port} (connection refused); check mail.smtp_host and \
             mail.smtp_port, and that the server is running"
        )
    );
    // A letter tried all the same fails with the same sentence, and is not sent.
    let (letters, _) = letters(Kind::Invite, ROSTER);
    match mailer.send(&letters[0]).await {
        Delivery::Failed(reason) => assert_eq!(&reason, sentence),
        other => panic!("sent to nobody: {other:?}"),
    }
}

#[tokio::test]
async fn the_sign_in_is_used_when_configured() {
    let server = SmtpServer::start(Options {
        login: Some(("grace".to_string(), "correct horse".to_string())),
        ..Options::default()
    });
    let signed = MailConfig {
        smtp_user: Some("grace".to_string()),
        ..config(server.port())
    };
    let mailer = Mailer::from_config(&signed, Some(Secret::new("correct horse"))).expect("valid");
    mailer.test_connection().await.expect("signed in");
    let (letters, _) = letters(Kind::Invite, ROSTER);
    let deliveries = send_all(&mailer, &letters[..1]).await;
    assert_eq!(deliveries, [Delivery::Sent]);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].user.as_deref(), Some("grace"), "sent signed in");

    let wrong = Mailer::from_config(&signed, Some(Secret::new("battery staple"))).expect("valid");
    let error = wrong.test_connection().await.expect_err("refused");
    let sentence = error.to_string();
    assert!(matches!(error, MailerError::Unreachable(_)));
    assert!(
        sentence.contains("refused the sign-in as grace: 535 Invalid credentials"),
        "{sentence}"
    );
    assert!(!sentence.contains("battery"), "{sentence}");

    // Without a user the server's refusal is passed on (mailin says 503 where most
    // servers say 530 and get a hint about smtp_user).
    let anonymous = Mailer::from_config(&config(server.port()), None).expect("valid");
    match anonymous.send(&letters[0]).await {
        Delivery::Failed(reason) => {
            assert_eq!(
                reason,
                "refused by the server: 503 Bad sequence of commands"
            );
        }
        other => panic!("sent without a sign-in: {other:?}"),
    }
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn a_dry_run_writes_eml_files_that_parse() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("letters");
    let mailer = Mailer::dry_run(&config(smtp::closed_port()), folder.clone()).expect("valid");
    assert_eq!(
        mailer.describe(),
        format!("dry run into {}", folder.display())
    );
    mailer
        .test_connection()
        .await
        .expect("the folder can be made");
    let (letters, _) = letters(Kind::Invite, ROSTER);
    let deliveries = send_all(&mailer, &letters).await;
    assert!(deliveries.iter().all(Delivery::is_sent), "{deliveries:?}");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("folder")
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
        [
            "01-ada@example.edu.eml",
            "02-jose@example.edu.eml",
            "03-zoe@example.edu.eml"
        ]
    );
    let data = std::fs::read(folder.join("02-jose@example.edu.eml")).expect("read");
    let message = parse(&data);
    assert_eq!(
        message
            .to()
            .and_then(|to| to.first())
            .and_then(|a| a.name()),
        Some("José Müller")
    );
    assert!(message.date().is_some() && message.message_id().is_some());
    let body = message.body_text(0).expect("body");
    assert!(body.contains("Dear José Müller,"), "{body}");
    assert!(
        body.contains("https://www.dropbox.com/request/Lab1xyz"),
        "{body}"
    );
}

#[tokio::test]
async fn a_roster_row_with_a_bad_address_is_reported_and_skipped() {
    let roster = format!("{ROSTER}Bad Dots,bad..dots@example.edu\n");
    let (letters, skipped) = letters(Kind::Invite, &roster);
    assert_eq!(letters.len(), 3);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0.name, "Bad Dots");
    let Delivery::Skipped(reason) = &skipped[0].1 else {
        panic!("not skipped: {skipped:?}");
    };
    assert!(
        reason.contains("\"bad..dots@example.edu\" is not an address"),
        "{reason}"
    );
    let server = SmtpServer::start(Options::default());
    let mailer = Mailer::from_config(&config(server.port()), None).expect("valid");
    let deliveries = send_all(&mailer, &letters).await;
    assert!(deliveries.iter().all(Delivery::is_sent));
    assert_eq!(server.messages().len(), 3, "the others still go");
}

#[test]
fn an_unknown_placeholder_is_refused_before_anything_is_sent() {
    let templates = Templates::from_config(&MailTemplates {
        invite_body: Some("Dear {student}, hand in by {due}.".to_string()),
        ..MailTemplates::default()
    });
    let error = templates.check().expect_err("unknown placeholder");
    assert!(
        error
            .to_string()
            .starts_with("the body of the invite template uses {due}, which handin does not know"),
        "{error}"
    );
    let roster = parse_roster(ROSTER).expect("roster");
    let chosen = mail::recipients(&roster, None);
    assert!(mail::letters(&templates, Kind::Invite, &values(), &chosen.to).is_err());
}

// ---------------------------------------------------------------------------------------
// `handin mail` through the real binary

const CLASS: &str = "\
name,email
Ada Lovelace,ada@example.edu
Alan Turing,alan@example.edu
Grace Hopper,grace@example.edu
José Müller,jose@example.edu
";

async fn lab(emulator: &Emulator) -> FileRequest {
    let deadline = FileRequestDeadline::new("2099-12-04T22:59:00Z".to_string())
        .with_allow_late_uploads(GracePeriod::TwoDays);
    dropbox(emulator)
        .create_request(
            CreateFileRequestArgs::new("Lab 1".to_owned(), "/Courses/CS101 Intro/Lab 1".to_owned())
                .with_deadline(deadline),
        )
        .await
        .expect("request created")
}

fn hand_in(emulator: &Emulator, request: &FileRequest, student: &str) {
    emulator
        .submit(Submission {
            request_id: request.id.clone(),
            student_name: Some(student.to_owned()),
            file_name: "lab1.pdf".to_owned(),
            content: b"%PDF-1.7".to_vec(),
            at: None,
        })
        .expect("uploaded");
}

/// A private home with a mail config and a class list for one CLI session.
struct Session {
    home: Home,
}

impl Session {
    fn new(emulator: &Emulator, mail: &str) -> Session {
        let home = Home::for_emulator(emulator);
        home.write("config.toml", mail);
        home.write("class.csv", CLASS);
        Session { home }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path(name)
    }

    fn log(&self) -> Option<MailLog> {
        let path = self.home.data_dir().join("mail-log.json");
        path.exists()
            .then(|| MailLog::load(&path).expect("the mail log reads"))
    }

    fn command(&self, args: &[&str]) -> Command {
        self.home.command(&[&["mail"], args].concat())
    }

    async fn run(&self, args: &[&str]) -> Output {
        run(self.command(args)).await
    }

    async fn run_with(&self, command: Command, stdin: Option<&str>) -> Output {
        run_with_stdin(command, stdin).await
    }
}

fn mail_config(port: u16, extra: &str) -> String {
    format!(
        "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\n\
         smtp_security = \"none\"\nfrom = \"Prof. Grace Hopper <grace@example.edu>\"\n\
         pause_ms = 0\n{extra}"
    )
}

fn recipients(server: &SmtpServer) -> Vec<String> {
    server
        .messages()
        .into_iter()
        .flat_map(|message| message.to)
        .collect()
}

#[tokio::test]
async fn invite_writes_to_the_whole_class_and_records_it() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    let server = SmtpServer::start(Options::default());
    let session = Session::new(&emulator, &mail_config(server.port(), ""));
    let roster = session.path("class.csv");
    let roster = roster.to_str().expect("utf-8 path");
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_eq!(output.stdout, "", "stdout stays empty");
    assert_eq!(
        recipients(&server),
        [
            "ada@example.edu",
            "alan@example.edu",
            "grace@example.edu",
            "jose@example.edu"
        ]
    );
    let message = &server.messages()[3];
    let parsed = parse(&message.data);
    assert_eq!(parsed.subject(), Some("CS101 Intro: hand in Lab 1"));
    let body = parsed.body_text(0).expect("body");
    assert!(body.contains(&request.url), "{body}");
    assert!(body.contains("Dear José Müller,"), "{body}");
    assert!(body.contains("Deadline: "), "{body}");
    assert!(
        body.contains("accepted for 2 days after the deadline"),
        "{body}"
    );
    assert!(
        body.replace("\r\n", "\n")
            .trim_end()
            .ends_with("Best regards,\nProf. Grace Hopper"),
        "{body:?}"
    );
    // The preview, the lines per student, the summary.
    assert!(
        output
            .stderr
            .contains("Invitation for \"Lab 1\" (CS101 Intro) to 4 students"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("  Subject: CS101 Intro: hand in Lab 1"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("[4/4] sent    José Müller <jose@example.edu>"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("Sent 4 messages"),
        "{}",
        output.stderr
    );
    let log = session.log().expect("the mail log is written");
    assert_eq!(log.requests[&request.id].len(), 1);
    assert_eq!(log.requests[&request.id][0].kind, Kind::Invite);
    assert_eq!(log.requests[&request.id][0].to.len(), 4);
    assert!(
        log.summary(&request.id, Zone::Local)
            .is_some_and(|summary| summary.starts_with("invited 4 on ")),
    );
    // A second invitation says who already has one.
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(
        output
            .stderr
            .contains("4 of them were invited for this request before"),
        "{}",
        output.stderr
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn remind_writes_only_to_the_students_who_have_not_handed_in() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    hand_in(&emulator, &request, "Ada Lovelace");
    hand_in(&emulator, &request, "grace hopper");
    let server = SmtpServer::start(Options::default());
    let session = Session::new(&emulator, &mail_config(server.port(), ""));
    // The course's roster from [rosters], without --roster.
    let config = format!(
        "{}\n[rosters]\n\"/Courses/CS101 Intro\" = {:?}\n",
        mail_config(server.port(), ""),
        session.path("class.csv")
    );
    std::fs::write(session.path("config.toml"), config).expect("config");
    let output = session.run(&["remind", &request.id, "--yes"]).await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_eq!(
        recipients(&server),
        ["alan@example.edu", "jose@example.edu"]
    );
    let parsed = parse(&server.messages()[0].data)
        .subject()
        .map(str::to_string);
    assert_eq!(
        parsed.as_deref(),
        Some("Reminder: Lab 1 (CS101 Intro) is not handed in yet")
    );
    assert!(
        output
            .stderr
            .contains("Reminder for \"Lab 1\" (CS101 Intro) to 2 students"),
        "{}",
        output.stderr
    );
    let log = session.log().expect("recorded");
    assert_eq!(log.requests[&request.id][0].kind, Kind::Remind);
    assert_eq!(
        log.requests[&request.id][0].to,
        ["alan@example.edu", "jose@example.edu"]
    );

    // Once everyone has handed in there is nobody to remind.
    hand_in(&emulator, &request, "Alan Turing");
    hand_in(&emulator, &request, "Jose Muller");
    let output = session.run(&["remind", &request.id, "--yes"]).await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(
        output
            .stderr
            .contains("every student on the class list has handed in"),
        "{}",
        output.stderr
    );
    assert_eq!(server.messages().len(), 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_refused_student_exits_3_and_can_be_retried_alone() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    let server = SmtpServer::start(Options {
        refuse: vec!["grace@example.edu".to_string()],
        ..Options::default()
    });
    let session = Session::new(&emulator, &mail_config(server.port(), ""));
    let roster = session.path("class.csv");
    let roster = roster.to_str().expect("utf-8 path");
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 3, "{output:?}");
    assert!(
        output.stderr.contains(
            "[3/4] FAILED  Grace Hopper <grace@example.edu>: refused by the server: 550 5.1.1"
        ),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("--skip-already"),
        "{}",
        output.stderr
    );
    assert_eq!(
        recipients(&server),
        ["ada@example.edu", "alan@example.edu", "jose@example.edu"]
    );
    let log = session.log().expect("recorded");
    assert_eq!(
        log.requests[&request.id][0].to.len(),
        3,
        "the refused one is not recorded"
    );

    // The server takes her now: --skip-already writes to her alone.
    let server = SmtpServer::start(Options::default());
    std::fs::write(session.path("config.toml"), mail_config(server.port(), "")).expect("config");
    let output = session
        .run(&[
            "invite",
            &request.id,
            "--roster",
            roster,
            "--yes",
            "--skip-already",
        ])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_eq!(recipients(&server), ["grace@example.edu"]);
    let log = session.log().expect("recorded");
    assert!(
        log.summary(&request.id, Zone::Local)
            .is_some_and(|summary| summary.starts_with("invited 4 on ")),
        "{log:?}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_server_that_is_down_exits_1_and_nothing_is_recorded() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    let port = smtp::closed_port();
    let session = Session::new(&emulator, &mail_config(port, ""));
    let roster = session.path("class.csv");
    let output = session
        .run(&[
            "invite",
            &request.id,
            "--roster",
            roster.to_str().expect("utf-8"),
            "--yes",
        ])
        .await;
    assert_eq!(output.code, 1, "{output:?}");
    assert!(
        output.stderr.contains(&format!(
            "handin: nothing answers at 127.0.0.1:{port} (connection refused)"
        )),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("nothing was sent."),
        "{}",
        output.stderr
    );
    assert!(session.log().is_none(), "nothing recorded");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_dry_run_writes_eml_files_without_asking() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    // No server at all: a dry run never connects.
    let session = Session::new(&emulator, &mail_config(smtp::closed_port(), ""));
    let roster = session.path("class.csv");
    let letters = session.path("letters");
    let output = session
        .run(&[
            "invite",
            &request.id,
            "--roster",
            roster.to_str().expect("utf-8"),
            "--dry-run",
            letters.to_str().expect("utf-8"),
        ])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(
        output.stderr.contains("[1/4] written Ada Lovelace"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("nothing was sent"),
        "{}",
        output.stderr
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&letters)
        .expect("folder")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 4);
    for file in &files {
        let data = std::fs::read(file).expect("read");
        let message = parse(&data);
        assert_eq!(message.to().map(|to| to.iter().count()), Some(1));
        assert!(message.body_text(0).expect("body").contains(&request.url));
    }
    assert!(
        file_name(&files[3]).starts_with("04-jose@example.edu"),
        "{files:?}"
    );
    assert!(session.log().is_none(), "a dry run records nothing");
    emulator.shutdown().await;
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn bad_input_exits_2_and_sends_nothing() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    let server = SmtpServer::start(Options::default());
    let session = Session::new(&emulator, &mail_config(server.port(), ""));
    let roster = session.path("class.csv");
    let roster = roster.to_str().expect("utf-8");

    // No terminal to ask on, and no --yes.
    let output = session
        .run(&["invite", &request.id, "--roster", roster])
        .await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.contains("add --yes to go ahead"),
        "{}",
        output.stderr
    );

    // An unknown placeholder.
    let config = mail_config(
        server.port(),
        "[mail.templates]\ninvite_body = \"Dear {student}, by {due}\"\n",
    );
    std::fs::write(session.path("config.toml"), config).expect("config");
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output
            .stderr
            .contains("handin: the body of the invite template uses {due}"),
        "{}",
        output.stderr
    );

    // No `from`.
    std::fs::write(
        session.path("config.toml"),
        mail_config(server.port(), "").replace("from = ", "# from = "),
    )
    .expect("config");
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.contains("mail.from is not set"),
        "{}",
        output.stderr
    );

    // A roster that is not one; a course without a roster.
    std::fs::write(session.path("config.toml"), mail_config(server.port(), "")).expect("config");
    std::fs::write(session.path("bad.csv"), "name;mail\nAda;ada@example.edu\n").expect("write");
    let bad = session.path("bad.csv");
    let output = session
        .run(&[
            "invite",
            &request.id,
            "--roster",
            bad.to_str().expect("utf-8"),
            "--yes",
        ])
        .await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.contains("has no email column"),
        "{}",
        output.stderr
    );
    let output = session.run(&["invite", &request.id, "--yes"]).await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output
            .stderr
            .contains("there is no class list for /Courses/CS101 Intro"),
        "{}",
        output.stderr
    );

    // An unknown request is Dropbox's refusal.
    let output = session
        .run(&["invite", "nosuchrequest", "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 1, "{output:?}");
    assert!(
        output
            .stderr
            .contains("no file request has the id \"nosuchrequest\""),
        "{}",
        output.stderr
    );

    assert!(server.messages().is_empty(), "nothing was sent");
    assert!(session.log().is_none());
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_bad_address_on_the_roster_is_skipped_and_exits_3() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    let server = SmtpServer::start(Options::default());
    let session = Session::new(&emulator, &mail_config(server.port(), ""));
    std::fs::write(
        session.path("class.csv"),
        format!("{CLASS}Bad Dots,bad..dots@example.edu\n"),
    )
    .expect("roster");
    let roster = session.path("class.csv");
    let output = session
        .run(&[
            "invite",
            &request.id,
            "--roster",
            roster.to_str().expect("utf-8"),
            "--yes",
        ])
        .await;
    assert_eq!(output.code, 3, "{output:?}");
    assert!(
        output
            .stderr
            .contains("  Bad Dots: \"bad..dots@example.edu\" is not an address"),
        "{}",
        output.stderr
    );
    assert_eq!(server.messages().len(), 4, "the others still go");
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_stored_password_signs_in_and_the_environment_wins() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    let server = SmtpServer::start(Options {
        login: Some(("grace".to_string(), "correct horse".to_string())),
        ..Options::default()
    });
    let session = Session::new(
        &emulator,
        &mail_config(server.port(), "smtp_user = \"grace\"\n"),
    );
    let roster = session.path("class.csv");
    let roster = roster.to_str().expect("utf-8");

    // No password anywhere: a usage error naming the way out.
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.contains("handin mail password"),
        "{}",
        output.stderr
    );

    let output = session
        .run_with(session.command(&["password"]), Some("correct horse\n"))
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(!output.stderr.contains("correct horse"));
    let credentials = session.path("data").join("credentials.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&credentials)
            .expect("stored")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let output = session
        .run(&["invite", &request.id, "--roster", roster, "--yes"])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(
        server
            .messages()
            .iter()
            .all(|m| m.user.as_deref() == Some("grace"))
    );
    assert_eq!(server.messages().len(), 4);

    // A wrong password in the environment wins over the file's, and is refused clearly.
    let mut command = session.command(&["invite", &request.id, "--roster", roster, "--yes"]);
    command.env("HANDIN_SMTP_PASSWORD", "battery staple");
    let output = session.run_with(command, None).await;
    assert_eq!(output.code, 1, "{output:?}");
    assert!(
        output.stderr.contains("refused the sign-in as grace: 535"),
        "{}",
        output.stderr
    );
    assert_eq!(server.messages().len(), 4);

    // Forgotten: gone from the file.
    let output = session.run(&["password", "--forget"]).await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(!credentials.exists(), "nothing else was in it");
    let output = session
        .run_with(session.command(&["password"]), Some(""))
        .await;
    assert_eq!(output.code, 2, "{output:?}");
    emulator.shutdown().await;
}

/// A student who handed in under a spelling that folds to the roster's is not reminded,
/// whatever the script ("Lan Nguyễn" is "Lan Nguyen"), and neither is anyone a file may
/// belong to (one name, two rows): the professor decides about those.
#[tokio::test]
async fn remind_skips_every_spelling_of_a_student_who_handed_in() {
    let emulator = emulator().await;
    let request = lab(&emulator).await;
    hand_in(&emulator, &request, "Lan Nguyễn");
    hand_in(&emulator, &request, "Oluwaseun Adébáyọ̀");
    hand_in(&emulator, &request, "Ana Silva");
    let server = SmtpServer::start(Options::default());
    let session = Session::new(&emulator, &mail_config(server.port(), ""));
    std::fs::write(
        session.path("class.csv"),
        "name,email\nLan Nguyen,lan@example.edu\noluwaseun adebayo,seun@example.edu\n\
         Ana Silva,ana.silva@example.edu\nAna Silva,ana.s@example.edu\n\
         Katherine Johnson,kj@example.edu\n",
    )
    .expect("roster");
    let roster = session.path("class.csv").display().to_string();
    let output = session
        .run(&["remind", &request.id, "--roster", &roster, "--yes"])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_eq!(recipients(&server), ["kj@example.edu"]);
    emulator.shutdown().await;
}
