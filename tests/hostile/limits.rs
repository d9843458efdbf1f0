//! A server that answers `has_more: true` forever: handin stops each listing with a
//! sentence naming the limit (`max_listing_entries`) or the cursor it saw again, having
//! held no more than the limit (counted in pages served, not in RSS).

use std::time::Duration;

use super::hostile_server::{Answer, Endless, Hostile, file_request};
use super::*;

/// A well-formed file request id, as Dropbox spells them.
const REQUEST_ID: &str = "oaCAVmEyrqYnkZX9955Y";
const PER_PAGE: usize = 100;
const LIMIT: usize = 1_000;

/// A home whose config file sets `max_listing_entries = LIMIT`.
fn home_with_limit(server: &Hostile) -> Home {
    let home = Home::new(&server.base_url());
    std::fs::write(
        home.config_file(),
        format!("max_listing_entries = {LIMIT}\n"),
    )
    .expect("config");
    home
}

fn endless(kind: Endless, repeat_cursor: bool) -> Answer {
    Answer::Endless {
        per_page: PER_PAGE,
        repeat_cursor,
        kind,
    }
}

/// A request whose folder the server lists forever.
fn serve_endless_folder(server: &Hostile, repeat_cursor: bool) {
    server.answer(
        "file_requests/get",
        Answer::Json(file_request(REQUEST_ID, "Essay", "/Courses/CS101/Essay")),
    );
    server.answer("files/list_folder", endless(Endless::Files, repeat_cursor));
}

/// At most the pages that bring the limit, and the one that goes past it.
fn assert_stopped_at_the_limit(server: &Hostile) {
    let pages = server.endless_pages();
    let most = (LIMIT / PER_PAGE + 1) as u64;
    assert!(
        pages <= most,
        "{pages} pages of {PER_PAGE} were fetched; the limit of {LIMIT} allows {most}"
    );
}

fn assert_names_the_limit(stderr: &str) {
    assert!(stderr.contains("1,000 entries"), "{stderr}");
    assert!(stderr.contains("max_listing_entries"), "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one sentence: {stderr}"
    );
}

#[tokio::test]
async fn a_folder_listed_forever_with_new_cursors_stops_at_the_limit() {
    let server = Hostile::start().await;
    serve_endless_folder(&server, false);
    let home = home_with_limit(&server);
    let output = home.run(&["submissions", "list", REQUEST_ID]).await;
    assert_eq!(output.code, 1, "{output:?}");
    assert_names_the_limit(&output.stderr);
    assert!(output.stderr.contains("folder listing"), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    assert_stopped_at_the_limit(&server);
    // It did not stop early either: the limit, not something else, ended it.
    assert_eq!(server.endless_pages(), (LIMIT / PER_PAGE + 1) as u64);
}

#[tokio::test]
async fn a_folder_listing_that_sends_its_cursor_again_stops_at_once() {
    let server = Hostile::start().await;
    serve_endless_folder(&server, true);
    // The default limit: the repeated cursor alone must stop it.
    let home = Home::new(&server.base_url());
    let output = home.run(&["submissions", "list", REQUEST_ID]).await;
    assert_eq!(output.code, 1, "{output:?}");
    assert!(
        output
            .stderr
            .contains("kept promising more of the folder listing"),
        "{output:?}"
    );
    assert_eq!(
        server.endless_pages(),
        2,
        "the first page, and the one that sent its cursor again"
    );
    let continued = server.received_on("files/list_folder/continue");
    assert_eq!(continued.len(), 1, "{:?}", server.received());
}

#[tokio::test]
async fn file_requests_listed_forever_stop_at_the_limit() {
    let server = Hostile::start().await;
    server.answer(
        "file_requests/list_v2",
        endless(Endless::FileRequests, false),
    );
    let home = home_with_limit(&server);
    let output = home.run(&["requests", "list", "--json"]).await;
    assert_eq!(output.code, 1, "{output:?}");
    assert_names_the_limit(&output.stderr);
    assert!(
        output.stderr.contains("list of file requests"),
        "{output:?}"
    );
    assert_stopped_at_the_limit(&server);
}

#[tokio::test]
async fn file_requests_that_send_their_cursor_again_stop_at_once() {
    let server = Hostile::start().await;
    server.answer(
        "file_requests/list_v2",
        endless(Endless::FileRequests, true),
    );
    let home = Home::new(&server.base_url());
    let output = home.run(&["requests", "list"]).await;
    assert_eq!(output.code, 1, "{output:?}");
    assert!(
        output
            .stderr
            .contains("kept promising more of the list of file requests"),
        "{output:?}"
    );
    assert_eq!(server.endless_pages(), 2);
}

/// The changes after a cursor (what the Submissions tab follows) may not lead back to
/// the cursor they started from.
#[tokio::test]
async fn changes_that_come_back_to_their_first_cursor_stop_at_once() {
    let server = Hostile::start().await;
    server.answer("files/list_folder", endless(Endless::Files, true));
    let dropbox = handin::dropbox::Dropbox::new(
        handin::dropbox::ClientSettings {
            api_base: Some(server.base_url()),
            ..handin::dropbox::ClientSettings::default()
        },
        "hostile-test-token".to_owned(),
    )
    .expect("a client");
    let error = dropbox
        .list_folder_continue("endless")
        .await
        .expect_err("stopped");
    assert_eq!(
        error.kind(),
        &handin::dropbox::ErrorKind::EndlessListing,
        "{error}"
    );
    assert_eq!(server.endless_pages(), 1);
}

/// The Requests tab shows the same sentence, and handin still quits on q.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_shows_the_limit_sentence() {
    let server = Hostile::start().await;
    server.answer(
        "file_requests/list_v2",
        endless(Endless::FileRequests, false),
    );
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        home.path().join("config.toml"),
        format!("max_listing_entries = {LIMIT}\n"),
    )
    .expect("config");
    let base = server.base_url();
    let pages = tokio::task::spawn_blocking(move || {
        let mut session = pty::Session::start_with_env(
            &["--api-base", &base],
            &[("HANDIN_TOKEN", "hostile-test-token")],
            120,
            30,
            home.path(),
        );
        let screen = session.wait_for("max_listing_entries", Duration::from_secs(30));
        assert!(screen.contains("1,000 entries"), "{screen}");
        assert!(screen.contains("list of file requests"), "{screen}");
        assert_no_raw_controls("the screen", &screen);
        session.type_text("q");
        assert_eq!(session.wait_exit(Duration::from_secs(10)), 0);
    })
    .await;
    pages.expect("the session ran");
    assert_stopped_at_the_limit(&server);
}

/// The demo's emulator listens where everyone on the machine can connect: neither the
/// public default token nor no token at all gets anything out of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_emulator_refuses_the_public_token_and_no_token() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().expect("tempdir");
        let mut session = pty::Session::start(&["--demo", "--no-arrivals"], 200, 30, home.path());
        let screen = session.wait_for("demo emulator at http://", Duration::from_secs(30));
        let base: String = screen
            .split("demo emulator at ")
            .nth(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{2026}')
                    .collect()
            })
            .expect("the emulator's address");
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        runtime.block_on(async {
            let client = reqwest::Client::new();
            for token in [None, Some(handin::emulator::DEFAULT_TOKEN)] {
                let with_token = |call: reqwest::RequestBuilder| match token {
                    Some(token) => call.bearer_auth(token),
                    None => call,
                };
                let submit = with_token(client.post(format!("{base}/_emulator/submit")))
                    .header("content-type", "application/json")
                    .body(r#"{"request_id": "x", "file_name": "planted.sh", "content": "evil"}"#)
                    .send()
                    .await
                    .expect("an answer");
                assert_eq!(submit.status().as_u16(), 401, "submit with {token:?}");
                let state = with_token(client.get(format!("{base}/_emulator/state")))
                    .send()
                    .await
                    .expect("an answer");
                assert_eq!(state.status().as_u16(), 401, "state with {token:?}");
            }
            let api = client
                .post(format!("{base}/2/file_requests/count"))
                .bearer_auth(handin::emulator::DEFAULT_TOKEN)
                .header("content-type", "application/json")
                .body("null")
                .send()
                .await
                .expect("an answer");
            assert_eq!(api.status().as_u16(), 401, "the API refuses it too");
        });
        session.type_text("q");
        assert_eq!(session.wait_exit(Duration::from_secs(10)), 0);
    })
    .await
    .expect("the session ran");
}

/// Another user sees every command line (ps): the emulator's own token can be given
/// through the environment, and then only that token opens it.
#[tokio::test]
async fn the_emulators_token_can_come_from_the_environment_and_stays_out_of_ps() {
    use std::io::BufRead as _;
    let secret = "operator-secret-from-the-environment";
    let home = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handin"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed", "empty"])
        .env("HANDIN_EMULATOR_TOKEN", secret)
        .env("HANDIN_CONFIG", home.path().join("config.toml"))
        .env("HANDIN_DATA_DIR", home.path().join("data"))
        .env_remove("HANDIN_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the emulator starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("its first line");
    let base: String = line
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the address")
        .to_owned();
    let command_line =
        std::fs::read(format!("/proc/{}/cmdline", child.id())).expect("its command line");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let count = |token: &'static str| {
        client
            .post(format!("{base}/2/file_requests/count"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("null")
            .send()
    };
    let with_secret = count(secret).await.expect("an answer").status().as_u16();
    let with_default = count(handin::emulator::DEFAULT_TOKEN)
        .await
        .expect("an answer")
        .status()
        .as_u16();
    child.kill().expect("stopped");
    let _ = child.wait();
    assert_eq!(with_secret, 200, "{line}");
    assert_eq!(with_default, 401, "the public token is refused");
    assert!(
        !String::from_utf8_lossy(&command_line).contains(secret),
        "the token is on the command line"
    );
}

/// Dropbox holds a long poll open until something changes. A server that answers it at
/// once, with nothing new or with an empty change, must not have handin poll it in a
/// tight loop (the TUI's Submissions tab waits like this for as long as it is open).
#[tokio::test]
async fn a_long_poll_answered_at_once_is_not_asked_again_in_a_tight_loop() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    for changes in [false, true] {
        let server = Hostile::start().await;
        server.answer(
            "files/list_folder/longpoll",
            Answer::Json(serde_json::json!({ "changes": changes })),
        );
        server.answer(
            "files/list_folder/continue",
            Answer::Json(serde_json::json!({"entries": [], "cursor": "c1", "has_more": false})),
        );
        let settings = handin::dropbox::ClientSettings {
            api_base: Some(server.base_url()),
            ..handin::dropbox::ClientSettings::default()
        };
        let dropbox =
            handin::dropbox::Dropbox::new(settings, "hostile-test-token".into()).expect("a handle");
        // As the Submissions tab does: wait, take the changes, wait again.
        let watching = async {
            let mut cursor = "c0".to_owned();
            loop {
                match dropbox.wait_for_changes(&cursor, 30).await {
                    Ok((_, next)) => cursor = next,
                    Err(error) => return error,
                }
            }
        };
        let stopped = tokio::time::timeout(Duration::from_secs(3), watching).await;
        assert!(stopped.is_err(), "the watch failed: {stopped:?}");
        let polls = server.received_on("files/list_folder/longpoll").len();
        assert!(polls <= 1, "{polls} long polls in 3 s (changes: {changes})");
    }
}

/// A course's class view lists every request's folder at once: a server that fills each
/// folder up to the listing limit must not multiply the limit by the number of requests.
#[tokio::test]
async fn a_course_whose_folders_together_pass_the_limit_is_stopped() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = Hostile::start().await;
    let entries: Vec<serde_json::Value> = (0..LIMIT * 3 / 5)
        .map(|n| {
            super::hostile_server::file(
                "/Courses/CS101/Essay",
                &format!("Student {n} - essay.pdf"),
                b"x",
            )
        })
        .collect();
    server.answer("files/list_folder", super::hostile_server::listing(entries));
    let settings = handin::dropbox::ClientSettings {
        api_base: Some(server.base_url()),
        max_listing_entries: LIMIT,
        ..handin::dropbox::ClientSettings::default()
    };
    let dropbox =
        handin::dropbox::Dropbox::new(settings, "hostile-test-token".into()).expect("a handle");
    let one = dropbox
        .list_folders_all(&["/Courses/CS101/Essay".to_owned()])
        .await
        .expect("one folder is under the limit");
    assert_eq!(one[0].len(), LIMIT * 3 / 5);
    let folders: Vec<String> = (0..5).map(|n| format!("/Courses/CS101/HW{n}")).collect();
    let error = dropbox
        .list_folders_all(&folders)
        .await
        .expect_err("five folders of three fifths of the limit pass it");
    assert_eq!(error.kind(), &handin::dropbox::ErrorKind::EndlessListing);
    assert_names_the_limit(&error.sentence());
    assert_eq!(
        server.received_on("files/list_folder").len(),
        3,
        "listing stops at the folder that passes the limit"
    );
}
