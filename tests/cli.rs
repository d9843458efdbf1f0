//! The scripting commands through the real binary against the emulator: `requests` and
//! `submissions` in every output format, parsed back; the emulator's state checked after
//! each change; an exit status for each class of failure; `--yes` required without a
//! terminal; a syllabus with a bad row creating nothing, and one that fails half-way
//! naming what exists.

#[path = "support/cli.rs"]
mod cli_runner;
#[path = "support/emulator.rs"]
mod emulator_setup;

use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_runner::{Home, interrupt, run};
use emulator_setup::{client as dropbox, empty as emulator};
use handin::dropbox::{CreateFileRequestArgs, FileRequest};
use handin::emulator::{AccountType, Emulator, Fault, Submission};
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Set-up

/// The emulator's file requests, as it holds them.
fn held(emulator: &Emulator) -> Vec<Value> {
    emulator.snapshot_json()["file_requests"]
        .as_array()
        .expect("file_requests")
        .clone()
}

fn held_one(emulator: &Emulator, id: &str) -> Value {
    held(emulator)
        .into_iter()
        .find(|request| request["id"] == id)
        .unwrap_or_else(|| panic!("the emulator has no request {id}"))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|request| request["id"].as_str().expect("id").to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Requests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_goes_from_create_to_delete_with_the_emulator_checked_at_each_step() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);

    // Create.
    let created = session
        .run(&[
            "requests",
            "create",
            "--title",
            "Lab 1: Recursion",
            "--dest",
            "/Courses/CS101/Lab 1/",
            "--deadline",
            "2099-12-04 23:59",
            "--grace",
            "2 days",
            "--description",
            "One PDF, named after you.",
            "--json",
        ])
        .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let request = created.json();
    let id = request["id"].as_str().expect("id").to_owned();
    assert_eq!(request["title"], "Lab 1: Recursion");
    assert_eq!(request["destination"], "/Courses/CS101/Lab 1");
    assert_eq!(request["deadline"], "2099-12-04T23:59:00Z");
    assert_eq!(request["grace"], "two_days");
    assert_eq!(request["open"], true);
    assert_eq!(request["status"], "open");
    assert_eq!(request["file_count"], 0);
    assert!(request["url"].as_str().expect("url").ends_with(&id));
    let on_server = held_one(&emulator, &id);
    assert_eq!(on_server["title"], "Lab 1: Recursion");
    assert_eq!(on_server["destination"], "/Courses/CS101/Lab 1");
    assert_eq!(on_server["deadline"]["deadline"], "2099-12-04T23:59:00Z");
    assert_eq!(
        on_server["deadline"]["allow_late_uploads"][".tag"],
        "two_days"
    );
    assert_eq!(on_server["description"], "One PDF, named after you.");

    // List, in each format.
    let listed = session.run(&["requests", "list", "--json"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(ids(&listed.json()), [id.as_str()]);
    let csv = session.run(&["requests", "list", "--csv"]).await;
    let (header, rows) = csv.csv();
    assert_eq!(
        header,
        [
            "id",
            "title",
            "url",
            "destination",
            "open",
            "status",
            "created",
            "deadline",
            "grace",
            "description",
            "file_count"
        ]
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], id);
    assert_eq!(rows[0][1], "Lab 1: Recursion");
    assert_eq!(rows[0][4], "true");
    assert_eq!(rows[0][7], "2099-12-04T23:59:00Z");
    let table = session.run(&["requests", "list"]).await;
    assert!(table.stdout.starts_with("ID "), "{}", table.stdout);
    assert!(
        table.stdout.contains("Lab 1: Recursion"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("2 days"), "{}", table.stdout);

    // Get.
    let got = session.run(&["requests", "get", &id, "--json"]).await;
    assert_eq!(got.json(), request);
    let detail = session.run(&["requests", "get", &id]).await;
    assert!(
        detail.stdout.contains("Grace:       2 days"),
        "{}",
        detail.stdout
    );

    // Update: a new title and deadline keep the grace; a grace alone keeps the deadline.
    let updated = session
        .run(&[
            "requests",
            "update",
            &id,
            "--title",
            "Lab 1",
            "--deadline",
            "2099-12-11T17:00:00Z",
            "--json",
        ])
        .await;
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert_eq!(updated.json()["title"], "Lab 1");
    let on_server = held_one(&emulator, &id);
    assert_eq!(on_server["title"], "Lab 1");
    assert_eq!(on_server["deadline"]["deadline"], "2099-12-11T17:00:00Z");
    assert_eq!(
        on_server["deadline"]["allow_late_uploads"][".tag"],
        "two_days"
    );
    let grace = session
        .run(&["requests", "update", &id, "--grace", "always", "-q"])
        .await;
    assert_eq!(grace.code, 0, "{}", grace.stderr);
    let on_server = held_one(&emulator, &id);
    assert_eq!(on_server["deadline"]["deadline"], "2099-12-11T17:00:00Z");
    assert_eq!(
        on_server["deadline"]["allow_late_uploads"][".tag"],
        "always"
    );
    let unchanged = session
        .run(&["requests", "update", &id, "--title", "Lab 1"])
        .await;
    assert_eq!(unchanged.code, 0, "{}", unchanged.stderr);
    assert!(
        unchanged.stderr.contains("Nothing to change"),
        "{}",
        unchanged.stderr
    );

    // Close, and the filters see it.
    let closed = session.run(&["requests", "close", &id, "--json"]).await;
    assert_eq!(closed.code, 0, "{}", closed.stderr);
    assert_eq!(closed.json()[0]["open"], false);
    assert_eq!(held_one(&emulator, &id)["is_open"], false);
    let open = session.run(&["requests", "list", "--open", "--json"]).await;
    assert!(ids(&open.json()).is_empty());
    let closed_list = session
        .run(&["requests", "list", "--closed", "--json"])
        .await;
    assert_eq!(ids(&closed_list.json()), [id.as_str()]);

    // Reopen.
    let reopened = session.run(&["requests", "reopen", &id]).await;
    assert_eq!(reopened.code, 0, "{}", reopened.stderr);
    assert!(reopened.stdout.contains("reopened"), "{}", reopened.stdout);
    assert_eq!(held_one(&emulator, &id)["is_open"], true);

    // Delete (an open one is closed first, as in the TUI).
    let deleted = session
        .run(&["requests", "delete", &id, "--yes", "--json"])
        .await;
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert_eq!(ids(&deleted.json()), [id.as_str()]);
    assert!(held(&emulator).is_empty());
    let count = session.run(&["requests", "count"]).await;
    assert_eq!(count.stdout, "0\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_and_get_answer_in_json_and_an_unknown_id_is_exit_1() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    for title in ["A", "B", "C"] {
        dropbox(&emulator)
            .create_request(CreateFileRequestArgs::new(
                title.into(),
                format!("/Courses/X/{title}"),
            ))
            .await
            .expect("created");
    }
    let count = session.run(&["requests", "count", "--json"]).await;
    assert_eq!(count.code, 0, "{}", count.stderr);
    assert_eq!(count.json(), serde_json::json!({ "count": 3 }));
    assert_eq!(session.run(&["requests", "count"]).await.stdout, "3\n");

    let unknown = session.run(&["requests", "get", "nOsUcHrEqUeSt"]).await;
    assert_eq!(unknown.code, 1);
    assert!(unknown.stdout.is_empty());
    assert!(
        unknown
            .stderr
            .contains("no file request has the id \"nOsUcHrEqUeSt\""),
        "{}",
        unknown.stderr
    );
    // Sorted by title when no deadline differs: stable from run to run.
    let listed = session
        .run(&["requests", "list", "--course", "X", "--json"])
        .await
        .json();
    let titles: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .map(|request| request["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["A", "B", "C"]);
    let wrong_course = session.run(&["requests", "list", "--course", "Y"]).await;
    assert_eq!(wrong_course.code, 1);
    assert!(wrong_course.stderr.contains("X"), "{}", wrong_course.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_class_of_failure_has_its_exit_status() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let kept = dropbox(&emulator)
        .create_request(CreateFileRequestArgs::new(
            "Kept".into(),
            "/Courses/X/Kept".into(),
        ))
        .await
        .expect("created");

    // 2: clap's own usage errors, and input handin refuses.
    let clap = session.run(&["requests", "list", "--json", "--csv"]).await;
    assert_eq!(clap.code, 2, "{}", clap.stderr);
    let bad = session
        .run(&[
            "requests",
            "create",
            "--title",
            "T",
            "--dest",
            "Courses/T",
            "--deadline",
            "someday",
            "--grace",
            "3 days",
        ])
        .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    for flag in ["--dest:", "--deadline:", "--grace:"] {
        assert!(bad.stderr.contains(flag), "{flag} in {}", bad.stderr);
    }
    let past = session
        .run(&[
            "requests",
            "create",
            "--title",
            "T",
            "--dest",
            "/T",
            "--deadline",
            "2001-01-01 10:00",
        ])
        .await;
    assert_eq!(past.code, 2, "{}", past.stderr);
    assert!(past.stderr.contains("in the past"), "{}", past.stderr);
    let member = session
        .run(&["requests", "list", "--as-member", "someone"])
        .await;
    assert_eq!(member.code, 2, "{}", member.stderr);
    assert!(member.stderr.contains("dbmid:"), "{}", member.stderr);
    assert_eq!(held(&emulator).len(), 1, "nothing was created");

    // 1: not signed in, and Dropbox failing.
    let mut command = session.command(&["requests", "list"]);
    command.env_remove("HANDIN_TOKEN");
    let signed_out = run(command).await;
    assert_eq!(signed_out.code, 1, "{}", signed_out.stderr);
    assert!(
        signed_out.stderr.contains("not signed in"),
        "{}",
        signed_out.stderr
    );
    emulator.inject_fault("file_requests/list_v2", Fault::ServerError(500), 10);
    let failing = session.run(&["requests", "list"]).await;
    assert_eq!(failing.code, 1, "{}", failing.stderr);
    assert!(failing.stdout.is_empty());
    assert!(
        failing.stderr.contains("could not list the file requests"),
        "{}",
        failing.stderr
    );

    // 3: some items of a batch failed; the others are done and named on stdout.
    let partial = session
        .run(&["requests", "close", &kept.id, "nOsUcHrEqUeSt", "--json"])
        .await;
    assert_eq!(partial.code, 3, "{}", partial.stderr);
    assert_eq!(ids(&partial.json()), [kept.id.as_str()]);
    assert!(
        partial.stderr.contains("nOsUcHrEqUeSt"),
        "{}",
        partial.stderr
    );
    assert_eq!(held_one(&emulator, &kept.id)["is_open"], false);
    // All of a batch failing is the failure's own status.
    let none = session.run(&["requests", "reopen", "nOsUcHrEqUeSt"]).await;
    assert_eq!(none.code, 1, "{}", none.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_needs_yes_when_stdin_is_not_a_terminal() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let api = dropbox(&emulator);
    let open = api
        .create_request(CreateFileRequestArgs::new(
            "Open".into(),
            "/Courses/X/Open".into(),
        ))
        .await
        .expect("created");
    let closed = api
        .create_request(
            CreateFileRequestArgs::new("Closed".into(), "/Courses/X/Closed".into())
                .with_open(false),
        )
        .await
        .expect("created");

    let refused = session.run(&["requests", "delete", &open.id]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    let refused = session.run(&["requests", "delete-closed"]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(held(&emulator).len(), 2, "nothing was deleted");

    let deleted = session
        .run(&["requests", "delete-closed", "--yes", "--json"])
        .await;
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert_eq!(ids(&deleted.json()), [closed.id.as_str()]);
    assert_eq!(ids(&Value::Array(held(&emulator))), [open.id.as_str()]);
    let nothing = session.run(&["requests", "delete-closed", "--json"]).await;
    assert_eq!(
        nothing.code, 0,
        "no question when there is nothing to delete"
    );
    assert_eq!(nothing.json(), serde_json::json!([]));
}

const SYLLABUS: &str = r#"# CS101, autumn term
[[request]]
title = "Lab 1"
destination = "/Courses/CS101/Lab 1"
deadline = "2099-10-02 23:59"
grace = "1 day"

[[request]]
title = "Lab 2"
destination = "/Courses/CS101/Lab 2"
deadline = 2099-10-09T23:59:00
description = "Bring your lab notebook."

[[request]]
title = "Project"
destination = "/Courses/CS101/Project"
open = false
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syllabus_is_checked_whole_and_a_bad_row_creates_nothing() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);

    let bad = session.write(
        "term.csv",
        "title,destination,deadline,grace,description,open\r\n\
         Lab 1,/Courses/CS101/Lab 1,2099-10-02 23:59,1 day,,\r\n\
         Lab 2,Courses/CS101/Lab 2,2099-10-09 23:59,,,\r\n\
         Lab 3,/Courses/CS101/Lab 3,soon,,,\r\n\
         Lab 4,/Courses/CS101/Lab 4,,2 days,,maybe\r\n",
    );
    let refused = session.run(&["requests", "create", "--from", &bad]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    for line in [
        "line 3, destination:",
        "line 4, deadline:",
        "line 5, grace:",
        "line 5, open:",
    ] {
        assert!(
            refused.stderr.contains(line),
            "{line} in {}",
            refused.stderr
        );
    }
    assert!(
        refused.stderr.contains("nothing was created"),
        "{}",
        refused.stderr
    );
    assert!(held(&emulator).is_empty(), "nothing was created");

    // A dry run checks, prints, and creates nothing.
    let good = session.write("term.toml", SYLLABUS);
    let dry = session
        .run(&["requests", "create", "--from", &good, "--dry-run", "--json"])
        .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let planned = dry.json();
    assert_eq!(planned.as_array().expect("array").len(), 3);
    assert_eq!(planned[0]["line"], 2);
    assert_eq!(planned[1]["deadline"], "2099-10-09T23:59:00Z");
    assert!(held(&emulator).is_empty());

    // The good one creates every request, in order.
    let created = session
        .run(&["requests", "create", "--from", &good, "--json"])
        .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let created = created.json();
    let titles: Vec<&str> = created
        .as_array()
        .expect("array")
        .iter()
        .map(|request| request["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Lab 1", "Lab 2", "Project"]);
    assert_eq!(created[0]["grace"], "one_day");
    assert_eq!(created[2]["open"], false);
    assert_eq!(held(&emulator).len(), 3);

    // Again: refused whole, unless told to skip what exists.
    let again = session.run(&["requests", "create", "--from", &good]).await;
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("line 2: \"Lab 1\""),
        "{}",
        again.stderr
    );
    let skipped = session
        .run(&[
            "requests",
            "create",
            "--from",
            &good,
            "--skip-existing",
            "--json",
        ])
        .await;
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);
    assert_eq!(skipped.json(), serde_json::json!([]));
    assert_eq!(held(&emulator).len(), 3);

    // From stdin, as CSV.
    let mut command = session.command(&["requests", "create", "--from", "-", "-q"]);
    command.stdin(Stdio::piped());
    let mut child = command.spawn().expect("spawned");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"title;destination\nLab 5;/Courses/CS101/Lab 5\n")
            .expect("written");
    }
    let piped = tokio::task::spawn_blocking(move || child.wait_with_output().expect("ran"))
        .await
        .expect("joined");
    assert_eq!(
        piped.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    assert!(piped.stderr.is_empty(), "-q keeps stderr quiet");
    assert_eq!(held(&emulator).len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syllabus_failing_half_way_names_the_requests_that_exist() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    // Dropbox Basic refuses deadlines: the rows before the first deadline go through.
    emulator.set_account_type(AccountType::Basic);
    let syllabus = session.write(
        "term.csv",
        "title,destination,deadline\n\
         Essay,/Courses/ENG/Essay,\n\
         Draft,/Courses/ENG/Draft,\n\
         Final,/Courses/ENG/Final,2099-12-01 12:00\n\
         Extra,/Courses/ENG/Extra,\n",
    );
    let output = session
        .run(&["requests", "create", "--from", &syllabus, "--json"])
        .await;
    assert_eq!(output.code, 3, "{}", output.stderr);
    let created = output.json();
    let made = ids(&created);
    assert_eq!(made.len(), 2);
    for (line, id) in [(2, &made[0]), (3, &made[1])] {
        assert!(
            output.stderr.contains(&format!("line {line} ")) && output.stderr.contains(id.as_str()),
            "line {line}, {id} in {}",
            output.stderr
        );
    }
    assert!(
        output.stderr.contains("line 4 (\"Final\")"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("Not created: 2 requests from line 4 on"),
        "{}",
        output.stderr
    );
    let on_server: Vec<String> = held(&emulator)
        .iter()
        .map(|request| request["title"].as_str().expect("title").to_owned())
        .collect();
    assert_eq!(on_server, ["Essay", "Draft"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_syllabus_with_130_and_says_what_exists() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let rows: String = (1..=20)
        .map(|n| format!("Lab {n},/Courses/CS101/Lab {n}\n"))
        .collect();
    let syllabus = session.write("term.csv", &format!("title,destination\n{rows}"));
    emulator.inject_fault(
        "file_requests/create",
        Fault::Delay(Duration::from_millis(150)),
        20,
    );
    let mut command = session.command(&["requests", "create", "--from", &syllabus]);
    let child = command.spawn().expect("spawned");
    // Interrupted once a couple of requests exist.
    let patience = Instant::now() + Duration::from_secs(30);
    while held(&emulator).len() < 2 && Instant::now() < patience {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let interrupted = interrupt(child).await;
    let stderr = &interrupted.stderr;
    assert_eq!(interrupted.code, 130, "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(stderr.contains("Not created:"), "{stderr}");
    // Every request the summary says exists does; the one under way may or may not.
    let held_titles: Vec<String> = held(&emulator)
        .iter()
        .map(|request| request["title"].as_str().expect("title").to_owned())
        .collect();
    assert!(
        held_titles.len() >= 2 && held_titles.len() < 20,
        "{held_titles:?}"
    );
    let stdout = &interrupted.stdout;
    for title in &held_titles[..held_titles.len() - 1] {
        assert!(stdout.contains(title.as_str()), "{title} in {stdout}");
    }
}

// ---------------------------------------------------------------------------------------
// Submissions

/// A request due in two days (grace: always), with an on-time file, a late one, one with
/// no name in front, and one from someone not on the roster.
async fn request_with_files(emulator: &Emulator, title: &str) -> FileRequest {
    let deadline = chrono::Utc::now() + chrono::Duration::days(2);
    let request = dropbox(emulator)
        .create_request(
            CreateFileRequestArgs::new(title.to_owned(), format!("/Courses/CS101/{title}"))
                .with_deadline(
                    handin::dropbox::FileRequestDeadline::new(handin::time::to_dropbox(deadline))
                        .with_allow_late_uploads(handin::dropbox::GracePeriod::Always),
                ),
        )
        .await
        .expect("created");
    for (student, file, at) in [
        (Some("Ada Lovelace"), "essay.pdf", None),
        (
            Some("Alan Turing"),
            "essay.pdf",
            Some(deadline + chrono::Duration::hours(3)),
        ),
        (None, "Untitled.pdf", None),
        (Some("Grace Hopper"), "essay.pdf", None),
    ] {
        emulator
            .submit(Submission {
                request_id: request.id.clone(),
                student_name: student.map(str::to_owned),
                file_name: file.to_owned(),
                content: b"%PDF-1.7".to_vec(),
                at,
            })
            .expect("uploaded");
    }
    request
}

const ROSTER: &str = "name,email\n\
                      Ada Lovelace,ada@uni.example\n\
                      Alan Turing,alan@uni.example\n\
                      Katherine Johnson,kj@uni.example\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_list_in_every_format_and_through_the_roster() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let request = request_with_files(&emulator, "Essay").await;
    let roster = session.write("roster.csv", ROSTER);

    let files = session
        .run(&["submissions", "list", &request.id, "--json"])
        .await;
    assert_eq!(files.code, 0, "{}", files.stderr);
    let files = files.json();
    assert_eq!(files["request"]["id"], request.id.as_str());
    let list = files["submissions"].as_array().expect("submissions");
    assert_eq!(list.len(), 4);
    let turing = list
        .iter()
        .find(|s| s["student"] == "Alan Turing")
        .expect("Turing's file");
    assert_eq!(turing["lateness"], "late");
    assert_eq!(turing["late_by_seconds"], 3 * 3600);
    assert!(turing["file_id"].as_str().expect("id").starts_with("id:"));
    let ada = list
        .iter()
        .find(|s| s["student"] == "Ada Lovelace")
        .expect("Ada's");
    assert_eq!(ada["lateness"], "on_time");
    assert!(list.iter().any(|s| s["student"].is_null()));

    let csv = session
        .run(&["submissions", "list", &request.id, "--csv"])
        .await;
    let (header, rows) = csv.csv();
    assert_eq!(
        header,
        [
            "file_id", "name", "path", "size", "received", "student", "assigned", "lateness",
            "late_by"
        ]
    );
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .any(|row| row[5] == "Alan Turing" && row[7] == "late" && row[8] == "3:00:00")
    );

    let class = session
        .run(&[
            "submissions",
            "list",
            &request.id,
            "--roster",
            &roster,
            "--json",
        ])
        .await;
    assert_eq!(class.code, 0, "{}", class.stderr);
    let class = class.json();
    assert_eq!(
        class["counts"],
        serde_json::json!({ "submitted": 1, "late": 1, "missing": 1 })
    );
    let statuses: Vec<(&str, &str)> = class["students"]
        .as_array()
        .expect("students")
        .iter()
        .map(|s| {
            (
                s["email"].as_str().expect("email"),
                s["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("ada@uni.example", "submitted"),
            ("alan@uni.example", "late"),
            ("kj@uni.example", "missing")
        ]
    );
    let reasons: Vec<&str> = class["unmatched"]
        .as_array()
        .expect("unmatched")
        .iter()
        .map(|u| u["reason"].as_str().expect("reason"))
        .collect();
    assert_eq!(reasons, ["no_name", "not_on_roster"]);

    let class_csv = session
        .run(&[
            "submissions",
            "list",
            &request.id,
            "--roster",
            &roster,
            "--csv",
        ])
        .await;
    let (header, rows) = class_csv.csv();
    assert_eq!(
        header,
        [
            "student",
            "email",
            "status",
            "files",
            "submitted_at",
            "late_by"
        ]
    );
    assert_eq!(rows[1][2], "late");
    assert_eq!(rows[2][2], "missing");

    let human = session
        .run(&["submissions", "list", &request.id, "--roster", &roster])
        .await;
    assert!(
        human.stdout.contains("Katherine Johnson"),
        "{}",
        human.stdout
    );
    assert!(
        human.stderr.contains("1 submitted, 1 late, 1 missing"),
        "{}",
        human.stderr
    );

    let bad_roster = session.write("bad.csv", "name\nAda\n");
    let refused = session
        .run(&["submissions", "list", &request.id, "--roster", &bad_roster])
        .await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_match_the_tuis_and_assignments_are_kept() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let essay = request_with_files(&emulator, "Essay").await;
    let _quiz = request_with_files(&emulator, "Quiz").await;
    let roster_path = session.write("roster.csv", ROSTER);

    // A request's class list: the TUI's export, byte for byte.
    let out = session.path("essay.csv");
    let exported = session
        .run(&[
            "submissions",
            "export",
            &essay.id,
            "--roster",
            &roster_path,
            "--out",
            &out.display().to_string(),
        ])
        .await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert!(exported.stdout.is_empty());
    let written = std::fs::read_to_string(&out).expect("written");
    let roster =
        handin::submissions::load_roster(std::path::Path::new(&roster_path)).expect("roster");
    let (entries, _) = dropbox(&emulator)
        .list_folder_all(essay.destination.as_deref().expect("folder"), true)
        .await
        .expect("listed");
    let files: Vec<_> = entries
        .into_iter()
        .filter_map(|entry| match entry {
            handin::dropbox::Metadata::File(file) => Some(file),
            _ => None,
        })
        .collect();
    let deadline = essay
        .deadline
        .as_ref()
        .and_then(|d| handin::time::parse_dropbox(&d.deadline));
    let list = handin::submissions::submissions(
        &files,
        deadline,
        Some(&handin::dropbox::GracePeriod::Always),
        &handin::submissions::Assignments::default(),
    );
    let view = handin::submissions::class_view(&roster, &list);
    let expected = handin::submissions::class_csv(&roster, &view, &list).expect("csv");
    assert_eq!(written, expected);

    // No roster anywhere: said, with how to give one.
    let no_roster = session
        .run(&["submissions", "export", &essay.id, "--out", "-"])
        .await;
    assert_eq!(no_roster.code, 2, "{}", no_roster.stderr);
    assert!(
        no_roster.stderr.contains("--roster"),
        "{}",
        no_roster.stderr
    );

    // The course grid, on stdout.
    let grid = session
        .run(&[
            "submissions",
            "export",
            "--course",
            "CS101",
            "--roster",
            &roster_path,
            "--out",
            "-",
        ])
        .await;
    assert_eq!(grid.code, 0, "{}", grid.stderr);
    let (header, rows) = grid.csv();
    assert_eq!(header[..2], ["student", "email"]);
    assert_eq!(header.len(), 4, "{header:?}");
    assert_eq!(rows[0][2..], ["submitted", "submitted"]);
    assert_eq!(rows[2][2..], ["not due", "not due"]);

    // Assign the file with no name to Katherine Johnson: the class view follows.
    let listed = session
        .run(&["submissions", "list", &essay.id, "--json"])
        .await
        .json();
    let untitled = listed["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .find(|s| s["student"].is_null())
        .expect("the unnamed file")["file_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let misspelt = session
        .run(&[
            "submissions",
            "assign",
            &untitled,
            "Katherine Jonson",
            "--roster",
            &roster_path,
        ])
        .await;
    assert_eq!(misspelt.code, 2, "{}", misspelt.stderr);
    assert!(misspelt.stderr.contains("roster"), "{}", misspelt.stderr);
    let assigned = session
        .run(&[
            "submissions",
            "assign",
            &untitled,
            "kj@uni.example",
            "--roster",
            &roster_path,
        ])
        .await;
    assert_eq!(assigned.code, 0, "{}", assigned.stderr);
    let class = session
        .run(&[
            "submissions",
            "list",
            &essay.id,
            "--roster",
            &roster_path,
            "--json",
        ])
        .await
        .json();
    assert_eq!(class["counts"]["missing"], 0);
    assert_eq!(class["students"][2]["files"][0], untitled.as_str());
    let unassigned = session.run(&["submissions", "unassign", &untitled]).await;
    assert_eq!(unassigned.code, 0, "{}", unassigned.stderr);
    let class = session
        .run(&[
            "submissions",
            "list",
            &essay.id,
            "--roster",
            &roster_path,
            "--json",
        ])
        .await
        .json();
    assert_eq!(class["counts"]["missing"], 1);
    let unknown = session
        .run(&["submissions", "assign", "id:nOsUcH", "Ada Lovelace"])
        .await;
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
}

/// What a student types on the upload page reaches people written out, and a
/// spreadsheet as text: a right-to-left override in a typed name, a formula as a typed
/// name and as a roster cell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_names_are_written_out_for_people_and_neutralised_in_csv() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let request = dropbox(&emulator)
        .create_request(CreateFileRequestArgs::new(
            "Essay".to_owned(),
            "/Courses/CS101/Essay".to_owned(),
        ))
        .await
        .expect("created");
    let formula = "=HYPERLINK(\"evil.example\",\"Click for grade\")";
    for typed in ["Bob \u{202e}fdp.exe", formula] {
        emulator
            .submit(Submission {
                request_id: request.id.clone(),
                student_name: Some(typed.to_owned()),
                file_name: "essay.pdf".to_owned(),
                content: b"%PDF-1.7".to_vec(),
                at: None,
            })
            .expect("uploaded");
    }

    let table = session.run(&["submissions", "list", &request.id]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(!table.stdout.contains('\u{202e}'), "{}", table.stdout);
    assert!(
        table.stdout.contains("Bob \\u{202e}fdp.exe"),
        "{}",
        table.stdout
    );

    let csv = session
        .run(&["submissions", "list", &request.id, "--csv"])
        .await;
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let (_, rows) = csv.csv();
    // The typed name leads the file's name, as Dropbox names uploads.
    let names: Vec<&str> = rows.iter().map(|row| row[1].as_str()).collect();
    let uploaded = format!("{formula} - essay.pdf");
    assert!(
        names.contains(&format!("'{uploaded}").as_str()),
        "{names:?}"
    );
    assert!(!names.contains(&uploaded.as_str()), "{names:?}");

    let roster = session.write(
        "roster.csv",
        "name,email\n\"=1+2\",sum@uni.example\n\"@SUM(A1)\",at@uni.example\n",
    );
    let out = session.path("class.csv");
    let export = session
        .run(&[
            "submissions",
            "export",
            &request.id,
            "--roster",
            &roster,
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    let written = std::fs::read_to_string(&out).expect("exported");
    assert!(
        written.contains("\r\n'=1+2,sum@uni.example,"),
        "{written:?}"
    );
    assert!(
        written.contains("\r\n'@SUM(A1),at@uni.example,"),
        "{written:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_are_printed_for_each_shell() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    for (shell, marker) in [
        ("bash", "_handin"),
        ("zsh", "#compdef handin"),
        ("fish", "complete -c handin"),
    ] {
        let output = session.run(&["completions", shell]).await;
        assert_eq!(output.code, 0, "{}", output.stderr);
        assert!(output.stdout.contains(marker), "{shell}");
        assert!(output.stdout.contains("delete-closed"), "{shell}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_key_in_another_case_written_with_a_tilde_is_the_courses_class_list() {
    let emulator = emulator().await;
    let session = Home::for_emulator(&emulator);
    let essay = request_with_files(&emulator, "Essay").await;
    // The home folder is the session's: `~/rosters/cs101.csv` is read there.
    std::fs::create_dir(session.path("rosters")).expect("folder");
    session.write("rosters/cs101.csv", ROSTER);
    session.write(
        "config.toml",
        "[rosters]\n\"/courses/cs101\" = \"~/rosters/cs101.csv\"\n",
    );
    let mut command = session.command(&["submissions", "export", &essay.id, "--out", "-"]);
    command.env("HOME", session.dir.path());
    let exported = run(command).await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    for student in ["Ada Lovelace", "Alan Turing", "Katherine Johnson"] {
        assert!(
            exported.stdout.contains(student),
            "{student} in {}",
            exported.stdout
        );
    }
}
