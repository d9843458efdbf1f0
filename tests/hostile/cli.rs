//! The command line and the screen start the same way (one `Setup`), and list a
//! request's folder the same way (one composed operation).

use std::time::{Duration, Instant};

use super::hostile_server::{Answer, Hostile, account, file_request, path_not_found, requests};
use super::*;

const REQUEST_ID: &str = "oaCAVmEyrqYnkZX9955Y";
const MEMBER: &str = "dbmid:AADa5-6HbCaxIaA0nO3jmiG2E8TFeyzS0zY";

/// A request no student has uploaded to has no folder in Dropbox yet: downloading it is
/// done, with nothing to download, not a failure telling the user to refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloading_a_request_nobody_uploaded_to_is_done_with_nothing_to_download() {
    let server = Hostile::start().await;
    server.answer(
        "file_requests/get",
        Answer::Json(file_request(REQUEST_ID, "Lab 1", "/Courses/CS101/Lab 1")),
    );
    server.answer("files/list_folder", path_not_found());
    let home = Home::new(&server.base_url());
    let to = home.path("grading");
    let output = home
        .run(&["download", REQUEST_ID, "--to", &to.display().to_string()])
        .await;
    assert_eq!(output.code, 0, "{output:?}");
    assert!(
        output.stderr.contains("Nothing to download"),
        "{}",
        output.stderr
    );
    assert!(!output.stderr.contains("refresh"), "{}", output.stderr);
    assert_eq!(server.received_on("files/list_folder").len(), 1);
}

/// `--as-member` names the team member the screen acts as, as it does for every
/// subcommand: each call the screen makes carries it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_acts_as_the_member_named_with_as_member() {
    let server = Hostile::start().await;
    server.answer("users/get_current_account", Answer::Json(account()));
    server.answer(
        "file_requests/list_v2",
        requests(vec![file_request(
            REQUEST_ID,
            "Lab 1",
            "/Courses/CS101/Lab 1",
        )]),
    );
    let home = tempfile::tempdir().expect("tempdir");
    let base = server.base_url();
    let session = tokio::task::spawn_blocking(move || {
        let mut session = pty::Session::start_with_env(
            &["--api-base", &base, "--as-member", MEMBER],
            &[("HANDIN_TOKEN", "hostile-test-token")],
            120,
            30,
            home.path(),
        );
        session.wait_for("Lab 1", Duration::from_secs(30));
        session.type_text("q");
        assert_eq!(session.wait_exit(Duration::from_secs(10)), 0);
    });
    session.await.expect("the session ran");
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.received_on("file_requests/list_v2").is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let calls = server.received();
    assert!(!calls.is_empty(), "the screen made no call");
    for call in &calls {
        assert_eq!(
            call.header("Dropbox-API-Select-User"),
            Some(MEMBER),
            "{} went out without the member",
            call.route
        );
    }
}
