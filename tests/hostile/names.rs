//! A student's names against the professor's terminal: file names and typed names that
//! carry escape sequences (OSC 52 clipboard writes, window titles, screen wipes), a line
//! feed that fakes a row, C1 controls and a right-to-left override. Whatever handin
//! prints about them, in every format, shows them written out and never raw.

use std::time::Duration;

use serde_json::{Value, json};

use crate::hostile_server::{Answer, Hostile, file, file_request, listing, requests};
use crate::{Home, assert_no_raw_controls, pty};

const FOLDER: &str = "/Courses/CS101/Essay";
const REQUEST_ID: &str = "hostileRequest01";
const TITLE: &str = "Essay \u{1b}]0;all graded\u{7}\u{202e}";

/// What students typed, as Dropbox would list it.
const NAMES: [&str; 7] = [
    // OSC 52: "echo pwned" onto the professor's clipboard.
    "Mallory - \u{1b}]52;c;ZWNobyBwd25lZA==\u{7}essay.pdf",
    "Trudy - \u{1b}]0;grades are in\u{7}essay.pdf",
    "Eve - \u{1b}[2Jessay.pdf",
    "Oscar - late.pdf\nAda Lovelace  essay.pdf  on time",
    "Bob - \u{202e}fdp.exe",
    "Carol - \u{9b}31mred.pdf",
    "=HYPERLINK(\"http://evil.example\",\"Click for grade\") - essay.pdf",
];

async fn hostile_course() -> Hostile {
    let server = Hostile::start().await;
    let request = file_request(REQUEST_ID, TITLE, FOLDER);
    server.answer("file_requests/get", Answer::Json(request.clone()));
    server.answer("file_requests/list_v2", requests(vec![request]));
    server.answer(
        "files/list_folder",
        listing(NAMES.iter().map(|name| file(FOLDER, name, b"x")).collect()),
    );
    server
}

fn assert_quiet(what: &str, output: &crate::Output) {
    assert_no_raw_controls(&format!("{what}: stdout"), &output.stdout);
    assert_no_raw_controls(&format!("{what}: stderr"), &output.stderr);
}

#[tokio::test]
async fn the_submissions_table_shows_every_name_written_out() {
    let server = hostile_course().await;
    let home = Home::new(&server.base_url());
    let output = home.run(&["submissions", "list", REQUEST_ID]).await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_quiet("submissions list", &output);
    // One header and one line per file: the line feed made no row of its own.
    assert_eq!(output.stdout.lines().count(), 1 + NAMES.len(), "{output:?}");
    assert!(
        !output
            .stdout
            .lines()
            .any(|line| line.starts_with("Ada Lovelace")),
        "{}",
        output.stdout
    );
    for shown in [
        "\\u{1b}]52;c;ZWNobyBwd25lZA==\\u{7}essay.pdf",
        "\\u{1b}[2Jessay.pdf",
        "late.pdf\\u{a}Ada Lovelace",
        "\\u{202e}fdp.exe",
        "\\u{9b}31mred.pdf",
    ] {
        assert!(
            output.stdout.contains(shown),
            "{shown} in {}",
            output.stdout
        );
    }
}

#[tokio::test]
async fn json_is_valid_keeps_every_name_and_escapes_c1_and_bidi() {
    let server = hostile_course().await;
    let home = Home::new(&server.base_url());
    let output = home
        .run(&["submissions", "list", REQUEST_ID, "--json"])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_quiet("submissions list --json", &output);
    assert!(
        output.stdout.contains("\\u009b31mred.pdf"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("\\u202efdp.exe"),
        "{}",
        output.stdout
    );
    let parsed: Value = serde_json::from_str(&output.stdout).expect("valid JSON");
    assert_eq!(parsed["request"]["title"], json!(TITLE));
    let mut names: Vec<&str> = parsed["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .map(|s| s["name"].as_str().expect("a name"))
        .collect();
    names.sort_unstable();
    let mut expected = NAMES.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected, "scripts get the names exactly");
}

#[tokio::test]
async fn requests_list_and_get_show_a_hostile_title_written_out() {
    let server = hostile_course().await;
    let home = Home::new(&server.base_url());
    for args in [
        &["requests", "list"][..],
        &["requests", "list", "--json"],
        &["requests", "get", REQUEST_ID],
        &["requests", "get", REQUEST_ID, "--json"],
    ] {
        let output = home.run(args).await;
        assert_eq!(output.code, 0, "{args:?}: {output:?}");
        assert_quiet(&args.join(" "), &output);
        assert!(
            output
                .stdout
                .contains("\\u{1b}]0;all graded\\u{7}\\u{202e}")
                || output.stdout.contains("\\u001b]0;all graded\\u0007\\u202e"),
            "{args:?}: {}",
            output.stdout
        );
    }
}

/// A pipe gets the CSV as data (the names exactly, the formula neutralised); a terminal
/// gets every cell written out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_is_data_for_a_pipe_and_safe_on_a_terminal() {
    let server = hostile_course().await;
    let home = Home::new(&server.base_url());
    let piped = home
        .run(&["submissions", "list", REQUEST_ID, "--csv"])
        .await;
    assert_eq!(piped.code, 0, "{piped:?}");
    assert_no_raw_controls("--csv: stderr", &piped.stderr);
    assert!(
        piped.stdout.contains(
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click for grade\"\") - essay.pdf\""
        ),
        "{}",
        piped.stdout
    );
    assert!(piped.stdout.contains(NAMES[0]), "{}", piped.stdout);

    let base = server.base_url();
    let home_dir = home.dir.path().to_path_buf();
    let raw = tokio::task::spawn_blocking(move || {
        let mut session = pty::Session::start_with_env(
            &[
                "--api-base",
                &base,
                "submissions",
                "list",
                REQUEST_ID,
                "--csv",
            ],
            &[("HANDIN_TOKEN", "hostile-test-token")],
            200,
            50,
            &home_dir,
        );
        assert_eq!(session.wait_exit(Duration::from_secs(30)), 0);
        session.drain_output();
        String::from_utf8_lossy(&session.raw_output()).into_owned()
    })
    .await
    .expect("joined");
    // The terminal's own line ends come back as CR LF: nothing else may be a control.
    assert_no_raw_controls("--csv on a terminal", &raw);
    assert!(raw.contains("\\u{1b}]52;c;"), "{raw}");
    assert!(raw.contains("late.pdf\\u{a}Ada Lovelace"), "{raw}");
}

#[tokio::test]
async fn what_a_server_says_is_quoted_written_out() {
    let server = Hostile::start().await;
    server.answer(
        "file_requests/get",
        Answer::Status(400, "\u{1b}]0;pwned\u{7}\u{1b}[2J bad \u{9b}id".to_string()),
    );
    let home = Home::new(&server.base_url());
    let output = home.run(&["requests", "get", REQUEST_ID]).await;
    assert_ne!(output.code, 0, "{output:?}");
    assert_quiet("a 400 quoted", &output);
    assert!(
        output.stderr.contains("\\u{1b}]0;pwned\\u{7}"),
        "{}",
        output.stderr
    );
}

#[tokio::test]
async fn failed_downloads_are_listed_written_out() {
    let server = hostile_course().await;
    // No answer on files/download: every file fails, and each is named.
    let home = Home::new(&server.base_url());
    let to = home.path("downloads");
    let output = home
        .run(&["download", REQUEST_ID, "--to", to.to_str().expect("utf-8")])
        .await;
    assert_eq!(output.code, 3, "{output:?}");
    assert_quiet("download", &output);
    assert!(output.stderr.contains("Failed:"), "{}", output.stderr);
}

#[tokio::test]
async fn mail_lines_and_subject_show_names_written_out() {
    let server = hostile_course().await;
    let home = Home::new(&server.base_url());
    std::fs::write(
        home.config_file(),
        "[mail]\nfrom = \"Prof. Ada <ada@university.example>\"\n",
    )
    .expect("config");
    let roster = home.path("roster.csv");
    std::fs::write(
        &roster,
        "name,email\n\"Mallory \u{1b}]52;c;ZWNobyBwd25lZA==\u{7}\",mallory@example.edu\n\
         \"Eve \u{202e}\u{1b}[2J\",eve@example.edu\n",
    )
    .expect("roster");
    let letters = home.path("letters");
    let output = home
        .run(&[
            "mail",
            "invite",
            REQUEST_ID,
            "--roster",
            roster.to_str().expect("utf-8"),
            "--dry-run",
            letters.to_str().expect("utf-8"),
            "--yes",
        ])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_quiet("mail invite", &output);
    assert!(output.stderr.contains("Subject: "), "{}", output.stderr);
    assert!(
        output.stderr.contains("Mallory \\u{1b}]52;c;"),
        "{}",
        output.stderr
    );
    // The letters themselves: a Subject header with no raw control in it.
    for entry in std::fs::read_dir(&letters).expect("letters written") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let subject = text
            .lines()
            .find(|line| line.starts_with("Subject:"))
            .expect("a Subject header");
        assert_no_raw_controls("Subject header", subject);
    }
}

#[tokio::test]
async fn a_malformed_request_id_is_refused_before_anything_is_sent() {
    let server = hostile_course().await;
    let home = Home::new(&server.base_url());
    for args in [
        &["requests", "get", "a;b"][..],
        &["submissions", "list", "../x"],
        &["download", "\u{1b}[2J"],
        &["mail", "remind", "id with spaces"],
    ] {
        let output = home.run(args).await;
        assert_eq!(output.code, 2, "{args:?}: {output:?}");
        assert_quiet(&format!("{args:?}"), &output);
        assert!(
            output.stderr.contains("is not a file request id"),
            "{args:?}: {}",
            output.stderr
        );
    }
    assert!(server.received().is_empty(), "{:?}", server.received());
}
