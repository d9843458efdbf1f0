//! The state file: kept, reloaded, written off the request path, failures reported.

use super::*;

#[tokio::test]
async fn state_file_persists_and_reloads() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let options = kept_in(&path);

    let first = Emulator::start(any_port(), options.clone()).await.unwrap();
    assert!(path.exists(), "a fresh state is written at start");
    let api = Api::new(&first);
    let request = api.create_request("Homework 1", "/CS101/HW1").await;
    let stored = first
        .submit(submission(
            &request,
            "Siobhán O'Connor",
            "hw1.pdf",
            b"%PDF-1.4 answers",
        ))
        .unwrap();
    // Written after each change, not only at shutdown.
    first.flush().await.unwrap();
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains(request["id"].as_str().unwrap()));
    // A change right before shutdown is written by it.
    let late = api.create_request("Homework 1b", "/CS101/HW1b").await;
    let before = first.snapshot_json();
    first.shutdown().await;
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains(late["id"].as_str().unwrap()));

    let second = Emulator::start(any_port(), options).await.unwrap();
    assert_eq!(second.snapshot_json(), before);
    let api = Api::new(&second);
    let response = api
        .download(&json!({"path": stored.id}).to_string(), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"%PDF-1.4 answers"
    );
    let (_, listed) = api
        .rpc("file_requests/get", json!({"id": request["id"]}))
        .await;
    assert_eq!(listed["file_count"], 1);
    // New ids keep coming from where the first run left off.
    let other = api.create_request("Homework 2", "/CS101/HW2").await;
    assert_ne!(other["id"], request["id"]);
}

#[tokio::test]
async fn state_writes_coalesce_off_the_request_path() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let emulator = Emulator::start(any_port(), kept_in(&path)).await.unwrap();
    let writes = || emulator.state_file_writes().unwrap();
    let api = Api::new(&emulator);
    let request = api.create_request("Burst", "/Burst").await;
    emulator.flush().await.unwrap();
    let before = writes();

    // A burst of changes with no chance for the writer to run in between.
    for n in 0..50 {
        emulator
            .submit(submission(&request, "Ana", &format!("{n}.txt"), b"x"))
            .unwrap();
    }
    emulator.flush().await.unwrap();
    assert_eq!(writes(), before + 1, "one write for the whole burst");
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains("Ana - 49.txt"));

    // Nothing changed: a flush writes nothing.
    emulator.flush().await.unwrap();
    assert_eq!(writes(), before + 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_failing_state_write_is_reported_by_flush() {
    let directory = tempfile::tempdir().unwrap();
    let folder = directory.path().join("state");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("state.json");
    let emulator = Emulator::start(any_port(), kept_in(&path)).await.unwrap();
    let api = Api::new(&emulator);
    // The folder goes away: the next write cannot create its temporary file.
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_dir(&folder).unwrap();
    let request = api.create_request("Lost", "/Lost").await;
    assert!(emulator.flush().await.is_err());
    // Calls go on regardless, and the writer tries again once it can.
    std::fs::create_dir(&folder).unwrap();
    emulator.flush().await.unwrap();
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains(request["id"].as_str().unwrap()));
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_start_with_an_unwritable_state_file_fails_at_once() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("missing folder").join("state.json");
    let started = Emulator::start(any_port(), kept_in(&path)).await;
    assert!(started.is_err());
}
