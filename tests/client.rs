//! The Dropbox service layer against the local emulator, over real HTTP: every route,
//! every error tag the emulator can produce, and the retry machinery under injected
//! faults. Header sending, token refresh, exact attempt counts and misbehaving paging are
//! checked against a tiny recording server; answers no Dropbox would send (wrong shapes,
//! unknown tags, lying lengths, huge bodies) against one that writes anything back.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::AsyncReadExt;
use futures::future::{BoxFuture, FutureExt, TryFutureExt};
use futures::stream::{self, StreamExt, TryStreamExt};
use handin::dropbox::content_hash::content_hash;
use handin::dropbox::retry::RetryPolicy;
use handin::dropbox::{
    Authorization, ClientSettings, CreateFileRequestArgs, Dropbox, DropboxError, ErrorKind,
    FileRequestDeadline, GracePeriod, Metadata, UpdateFileRequestArgs, UpdateFileRequestDeadline,
};
use handin::emulator::{AccountType, Emulator, EmulatorOptions, Fault, Seed, Submission};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------------------
// Set-up

fn install_crypto() {
    // main() does this at start; a second install (another test) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn emulator() -> Emulator {
    install_crypto();
    Emulator::start(
        "127.0.0.1:0".parse().expect("address"),
        EmulatorOptions {
            seed: Seed::Empty,
            ..Default::default()
        },
    )
    .await
    .expect("emulator starts")
}

/// Retries fast enough to keep the suite quick; `Retry-After` still wins when given.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        total_budget: Duration::from_secs(10),
    }
}

fn settings_for(base_url: String) -> ClientSettings {
    ClientSettings {
        api_base: Some(base_url),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: fast_retries(),
        ..ClientSettings::default()
    }
}

fn dropbox(emu: &Emulator) -> Dropbox {
    Dropbox::new(
        settings_for(emu.base_url().to_owned()),
        emu.token().to_owned(),
    )
    .expect("client")
}

fn dropbox_with(emu: &Emulator, change: impl FnOnce(&mut ClientSettings)) -> Dropbox {
    let mut settings = settings_for(emu.base_url().to_owned());
    change(&mut settings);
    Dropbox::new(settings, emu.token().to_owned()).expect("client")
}

fn request_args(title: &str, destination: &str) -> CreateFileRequestArgs {
    CreateFileRequestArgs::new(title.to_owned(), destination.to_owned())
}

fn deadline(at: &str) -> FileRequestDeadline {
    FileRequestDeadline::new(at.to_owned()).with_allow_late_uploads(GracePeriod::OneDay)
}

/// Creates `count` requests, a few at a time, and returns their ids.
async fn create_many(dropbox: &Dropbox, count: usize) -> Vec<String> {
    stream::iter(0..count)
        .map(|i| {
            let dropbox = dropbox.clone();
            async move {
                dropbox
                    .create_request(request_args(&format!("Homework {i}"), "/Many"))
                    .await
                    .map(|request| request.id)
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await
        .expect("requests created")
}

fn expect_error<T: std::fmt::Debug>(result: Result<T, DropboxError>) -> DropboxError {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

fn assert_tag(error: &DropboxError, kind: ErrorKind, tag: &str) {
    assert_eq!(error.kind(), &kind, "{error:?}");
    assert_eq!(error.tag(), Some(tag), "{error:?}");
}

fn file_names(entries: &[Metadata]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|entry| match entry {
            Metadata::File(file) => Some(file.name.clone()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Account and token

#[tokio::test]
async fn current_account_and_check_user() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let account = dropbox.current_account().await.expect("account");
    assert!(!account.account_id.is_empty());
    assert_eq!(dropbox.check_user("ping").await.expect("echo"), "ping");
}

#[tokio::test]
async fn a_wrong_token_is_refused_with_a_sign_in_sentence() {
    let emu = emulator().await;
    let dropbox = Dropbox::new(
        settings_for(emu.base_url().to_owned()),
        "not-the-token".into(),
    )
    .expect("client");
    let error = expect_error(dropbox.count_requests().await);
    assert_tag(&error, ErrorKind::Auth, "invalid_access_token");
    assert!(error.needs_sign_in());
    assert_eq!(
        error.sentence(),
        "Dropbox no longer accepts this access token; sign in again (handin auth login, or \
         Settings in the TUI), or give a new token."
    );
    assert!(
        !error.detail().contains("not-the-token"),
        "{}",
        error.detail()
    );
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    dropbox.current_account().await.expect("works before");
    dropbox.revoke_token().await.expect("revoked");
    let error = expect_error(dropbox.current_account().await);
    assert_tag(&error, ErrorKind::Auth, "invalid_access_token");
}

// ---------------------------------------------------------------------------------------
// File requests

#[tokio::test]
async fn file_request_lifecycle() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);

    let created = dropbox
        .create_request(
            request_args("Homework 1", "/Courses/CS101/HW1")
                .with_description("PDF only".to_owned()),
        )
        .await
        .expect("created");
    assert_eq!(created.title, "Homework 1");
    assert!(created.is_open);
    assert_eq!(created.file_count, 0);
    assert_eq!(created.description.as_deref(), Some("PDF only"));
    assert!(!created.url.is_empty());

    let fetched = dropbox.get_request(&created.id).await.expect("fetched");
    assert_eq!(fetched, created);

    let renamed = dropbox
        .update_request(UpdateFileRequestArgs::new(created.id.clone()).with_title("HW 1".into()))
        .await
        .expect("renamed");
    assert_eq!(renamed.title, "HW 1");
    assert!(renamed.is_open);

    let closed = dropbox
        .update_request(UpdateFileRequestArgs::new(created.id.clone()).with_open(false))
        .await
        .expect("closed");
    assert!(!closed.is_open);
    assert_eq!(closed.title, "HW 1");

    let listed = dropbox.list_requests().await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    assert_eq!(dropbox.count_requests().await.expect("count"), 1);

    let deleted = dropbox
        .delete_requests(vec![created.id.clone()])
        .await
        .expect("deleted");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, created.id);
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);
}

#[tokio::test]
async fn deadlines_are_set_and_cleared_on_a_professional_account() {
    let emu = emulator().await;
    emu.set_account_type(AccountType::Pro);
    let dropbox = dropbox(&emu);
    let created = dropbox
        .create_request(
            request_args("Essay", "/Essay").with_deadline(deadline("2031-05-01T12:00:00Z")),
        )
        .await
        .expect("created with deadline");
    let set = created.deadline.expect("deadline kept");
    assert_eq!(set.deadline, "2031-05-01T12:00:00Z");
    assert_eq!(set.allow_late_uploads, Some(GracePeriod::OneDay));

    let cleared = dropbox
        .update_request(
            UpdateFileRequestArgs::new(created.id.clone())
                .with_deadline(UpdateFileRequestDeadline::Update(None)),
        )
        .await
        .expect("deadline cleared");
    assert_eq!(cleared.deadline, None);
}

#[tokio::test]
async fn a_missing_request_is_not_found() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let error = expect_error(dropbox.get_request("oaCAVmEyrqYnkZX9955Y").await);
    assert_tag(&error, ErrorKind::Api, "not_found");
    assert_eq!(
        error.sentence(),
        "That file request no longer exists; load the file requests again."
    );
    let error = expect_error(
        dropbox
            .update_request(
                UpdateFileRequestArgs::new("oaCAVmEyrqYnkZX9955Y".into()).with_open(false),
            )
            .await,
    );
    assert_tag(&error, ErrorKind::Api, "not_found");
}

#[tokio::test]
async fn an_open_request_cannot_be_deleted() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let open = dropbox
        .create_request(request_args("Lab 1", "/Lab1"))
        .await
        .expect("created");
    let error = expect_error(dropbox.delete_requests(vec![open.id.clone()]).await);
    assert_tag(&error, ErrorKind::Api, "file_request_open");
    assert_eq!(
        error.sentence(),
        "Only closed requests can be deleted; close it first."
    );
    // Nothing was deleted.
    assert_eq!(dropbox.count_requests().await.expect("count"), 1);
}

#[tokio::test]
async fn delete_all_closed_leaves_open_requests() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let mut closed_ids = HashSet::new();
    for i in 0..3 {
        let request = dropbox
            .create_request(request_args(&format!("Old {i}"), "/Old"))
            .await
            .expect("created");
        dropbox
            .update_request(UpdateFileRequestArgs::new(request.id.clone()).with_open(false))
            .await
            .expect("closed");
        closed_ids.insert(request.id);
    }
    let open = dropbox
        .create_request(request_args("Current", "/Current"))
        .await
        .expect("created");

    let deleted = dropbox.delete_all_closed().await.expect("deleted");
    let deleted_ids: HashSet<String> = deleted.into_iter().map(|r| r.id).collect();
    assert_eq!(deleted_ids, closed_ids);
    let left = dropbox.list_requests().await.expect("listed");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, open.id);
}

#[tokio::test]
async fn a_deadline_on_a_basic_account_is_a_validation_error() {
    let emu = emulator().await;
    emu.set_account_type(AccountType::Basic);
    let dropbox = dropbox(&emu);
    let error = expect_error(
        dropbox
            .create_request(
                request_args("Essay", "/Essay").with_deadline(deadline("2031-05-01T12:00:00Z")),
            )
            .await,
    );
    assert_tag(&error, ErrorKind::Api, "validation_error");
    assert!(
        error.sentence().contains("Professional or Business"),
        "{}",
        error.sentence()
    );
}

#[tokio::test]
async fn a_file_as_destination_is_not_a_folder() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let file = submitted_file(&emu, &dropbox, "/Essays", b"essay").await;
    let error = expect_error(
        dropbox
            .create_request(request_args("Into a file", &file))
            .await,
    );
    assert_tag(&error, ErrorKind::Api, "not_a_folder");
    assert_eq!(
        error.sentence(),
        "The destination is a file, not a folder; choose a folder."
    );
    // Below a file is no better.
    let error = expect_error(
        dropbox
            .create_request(request_args("Below a file", &format!("{file}/sub")))
            .await,
    );
    assert_tag(&error, ErrorKind::Api, "not_a_folder");
    assert_eq!(dropbox.count_requests().await.expect("count"), 1);
}

#[tokio::test]
async fn the_root_as_destination_is_an_invalid_location() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let error = expect_error(
        dropbox
            .create_request(request_args("Everything", "/"))
            .await,
    );
    assert_tag(&error, ErrorKind::Api, "invalid_location");
    assert_eq!(
        error.sentence(),
        "File requests can't collect into that folder; choose another destination."
    );
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);
}

#[tokio::test]
async fn listing_2500_requests_takes_three_pages_and_loses_nothing() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let created: HashSet<String> = create_many(&dropbox, 2500).await.into_iter().collect();
    assert_eq!(created.len(), 2500);

    // The pages themselves, through the SDK: 1000 + 1000 + 500.
    let api = dropbox.client();
    let api = api.as_ref();
    let first = dropbox_sdk::file_requests::list_v2(
        api,
        &dropbox_sdk::file_requests::ListFileRequestsArg::default().with_limit(1000),
    )
    .await
    .expect("first page");
    let mut sizes = vec![first.file_requests.len()];
    let (mut cursor, mut has_more) = (first.cursor, first.has_more);
    while has_more {
        let page = dropbox_sdk::file_requests::list_continue(
            api,
            &dropbox_sdk::file_requests::ListFileRequestsContinueArg::new(cursor),
        )
        .await
        .expect("next page");
        sizes.push(page.file_requests.len());
        cursor = page.cursor;
        has_more = page.has_more;
    }
    assert_eq!(sizes, [1000, 1000, 500]);

    let listed = dropbox.list_requests().await.expect("listed");
    assert_eq!(listed.len(), 2500, "nothing repeated");
    let listed_ids: HashSet<String> = listed.into_iter().map(|r| r.id).collect();
    assert_eq!(listed_ids, created, "nothing lost");
    assert_eq!(dropbox.count_requests().await.expect("count"), 2500);
}

#[tokio::test]
async fn a_garbled_list_cursor_is_invalid_cursor() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let error = dropbox_sdk::file_requests::list_continue(
        dropbox.client().as_ref(),
        &dropbox_sdk::file_requests::ListFileRequestsContinueArg::new("garbage".into()),
    )
    .await
    .map_err(|e| DropboxError::from_sdk("file_requests/list/continue", e));
    let error = expect_error(error);
    assert_tag(&error, ErrorKind::Api, "invalid_cursor");
    assert!(error.sentence().contains("load it again"));
}

#[tokio::test]
async fn the_4001st_request_hits_the_rate_limit() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let started = Instant::now();
    create_many(&dropbox, 4000).await;
    let error = expect_error(
        dropbox
            .create_request(request_args("One too many", "/Many"))
            .await,
    );
    assert_tag(&error, ErrorKind::Api, "rate_limit");
    assert_eq!(
        error.sentence(),
        "This account has reached Dropbox's limit of 4,000 file requests; delete closed ones to \
         make room."
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------
// Files, cursors, long poll, download

/// Creates a request collecting into `folder` and has one student submit `content`.
async fn submitted_file(emu: &Emulator, dropbox: &Dropbox, folder: &str, content: &[u8]) -> String {
    let request = dropbox
        .create_request(request_args("Homework 1", folder))
        .await
        .expect("created");
    emu.submit(Submission {
        request_id: request.id,
        student_name: Some("Ada Lovelace".into()),
        file_name: "hw1.pdf".into(),
        content: content.to_vec(),
        at: None,
    })
    .expect("submitted");
    let (entries, _) = dropbox
        .list_folder_all(folder, false)
        .await
        .expect("listed");
    let file = entries
        .iter()
        .find_map(|entry| match entry {
            Metadata::File(file) => Some(file.clone()),
            _ => None,
        })
        .expect("the submission is in the folder");
    file.path_lower.expect("file has a path")
}

#[tokio::test]
async fn folders_are_listed_recursively_and_followed_by_cursor() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let request = dropbox
        .create_request(request_args("HW", "/Course/HW1"))
        .await
        .expect("created");
    for (student, file) in [("Ada Lovelace", "a.pdf"), ("Alan Turing", "b.pdf")] {
        emu.submit(Submission {
            request_id: request.id.clone(),
            student_name: Some(student.into()),
            file_name: file.into(),
            content: b"content".to_vec(),
            at: None,
        })
        .expect("submitted");
    }

    let (shallow, _) = dropbox.list_folder_all("/", false).await.expect("root");
    assert!(file_names(&shallow).is_empty(), "no files at the root");
    let (deep, cursor) = dropbox.list_folder_all("", true).await.expect("recursive");
    assert_eq!(file_names(&deep).len(), 2, "{deep:?}");

    let (nothing_new, cursor) = dropbox
        .list_folder_continue(&cursor)
        .await
        .expect("continue");
    assert!(nothing_new.is_empty());

    emu.submit(Submission {
        request_id: request.id,
        student_name: None,
        file_name: "late.pdf".into(),
        content: b"late".to_vec(),
        at: None,
    })
    .expect("submitted");
    let (changes, _) = dropbox
        .list_folder_continue(&cursor)
        .await
        .expect("continue");
    assert_eq!(file_names(&changes).len(), 1, "{changes:?}");

    let latest = dropbox.latest_cursor("", true).await.expect("latest");
    let (after_latest, _) = dropbox
        .list_folder_continue(&latest)
        .await
        .expect("continue");
    assert!(after_latest.is_empty());
}

#[tokio::test]
async fn a_missing_path_is_path_not_found() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let error = expect_error(dropbox.list_folder_all("/No such folder", false).await);
    assert_tag(&error, ErrorKind::Api, "path/not_found");
    assert!(
        error.sentence().contains("list it again"),
        "{}",
        error.sentence()
    );

    let error = expect_error(dropbox.get_metadata("/nope.pdf").await);
    assert_tag(&error, ErrorKind::Api, "path/not_found");

    let error = expect_error(
        dropbox
            .download("/nope.pdf", None)
            .await
            .map(|d| d.metadata),
    );
    assert_tag(&error, ErrorKind::Api, "path/not_found");

    let error = expect_error(dropbox.latest_cursor("/nope", false).await);
    assert_tag(&error, ErrorKind::Api, "path/not_found");
}

#[tokio::test]
async fn metadata_describes_files_and_folders() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let path = submitted_file(&emu, &dropbox, "/Meta", b"twelve bytes").await;
    match dropbox.get_metadata(&path).await.expect("file") {
        Metadata::File(file) => {
            assert_eq!(file.size, 12);
            assert_eq!(
                file.content_hash.as_deref(),
                Some(content_hash(b"twelve bytes").as_str())
            );
        }
        other => panic!("expected a file, got {other:?}"),
    }
    assert!(matches!(
        dropbox.get_metadata("/Meta").await.expect("folder"),
        Metadata::Folder(_)
    ));
}

#[tokio::test]
async fn download_whole_and_from_an_offset() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let path = submitted_file(&emu, &dropbox, "/Downloads", &content).await;

    let mut whole = dropbox.download(&path, None).await.expect("download");
    assert_eq!(whole.metadata.size, content.len() as u64);
    assert_eq!(whole.content_length, Some(content.len() as u64));
    let mut bytes = Vec::new();
    whole.body.read_to_end(&mut bytes).await.expect("body");
    assert_eq!(bytes, content);
    assert_eq!(whole.metadata.content_hash, Some(content_hash(&bytes)));

    let mut tail = dropbox.download(&path, Some(60_000)).await.expect("ranged");
    assert_eq!(
        tail.metadata.size,
        content.len() as u64,
        "metadata is of the whole file"
    );
    assert_eq!(tail.content_length, Some(40_000));
    let mut bytes = Vec::new();
    tail.body.read_to_end(&mut bytes).await.expect("body");
    assert_eq!(bytes, content[60_000..]);
}

#[tokio::test]
async fn a_truncated_download_fails_when_read_to_the_end() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let content: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
    let path = submitted_file(&emu, &dropbox, "/Truncated", &content).await;
    emu.inject_fault("files/download", Fault::TruncateBody, 1);

    let mut download = dropbox
        .download(&path, None)
        .await
        .expect("the head arrives whole");
    assert_eq!(download.content_length, Some(content.len() as u64));
    let mut bytes = Vec::new();
    let read = download.body.read_to_end(&mut bytes).await;
    assert!(
        read.is_err(),
        "short data must not pass for the whole file: read {} of {} bytes",
        bytes.len(),
        content.len()
    );
    assert!(bytes.len() < content.len());

    // Nothing was retried behind the caller's back, and the next download is whole.
    let mut again = dropbox.download(&path, None).await.expect("download");
    let mut bytes = Vec::new();
    again.body.read_to_end(&mut bytes).await.expect("body");
    assert_eq!(bytes, content);
}

#[tokio::test]
async fn a_corrupted_download_does_not_match_its_content_hash() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let content = b"The answer to question 1 is 42.".repeat(100);
    let path = submitted_file(&emu, &dropbox, "/Corrupted", &content).await;
    emu.inject_fault("files/download", Fault::CorruptBody, 1);

    let mut download = dropbox.download(&path, None).await.expect("download");
    let mut bytes = Vec::new();
    download
        .body
        .read_to_end(&mut bytes)
        .await
        .expect("a corrupted body still reads to the end");
    assert_eq!(bytes.len(), content.len());
    assert_ne!(bytes, content);
    let expected = download
        .metadata
        .content_hash
        .clone()
        .expect("metadata has a content hash");
    assert_eq!(
        expected,
        content_hash(&content),
        "metadata describes the stored file"
    );
    assert_ne!(
        content_hash(&bytes),
        expected,
        "the hash check is what catches the corruption"
    );
}

#[tokio::test]
async fn a_folder_downloads_as_a_zip() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let request = dropbox
        .create_request(request_args("Project", "/Courses/CS101/Project"))
        .await
        .expect("created");
    for (student, file, content) in [
        ("Ada Lovelace", "report.pdf", b"ada's report".as_slice()),
        ("Alan Turing", "code.zip", b"alan's code".as_slice()),
    ] {
        emu.submit(Submission {
            request_id: request.id.clone(),
            student_name: Some(student.into()),
            file_name: file.into(),
            content: content.to_vec(),
            at: None,
        })
        .expect("submitted");
    }

    let mut zip = dropbox
        .download_zip("/Courses/CS101/Project")
        .await
        .expect("zip");
    assert_eq!(zip.metadata.name, "Project");
    let mut bytes = Vec::new();
    zip.body.read_to_end(&mut bytes).await.expect("zip body");
    if let Some(length) = zip.content_length {
        assert_eq!(length, bytes.len() as u64);
    }
    assert!(
        bytes.starts_with(b"PK\x03\x04"),
        "{:?}",
        &bytes[..bytes.len().min(8)]
    );
    for name in [
        "Project/Ada Lovelace - report.pdf",
        "Project/Alan Turing - code.zip",
    ] {
        assert!(
            bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} is in the archive"
        );
    }
    assert!(
        bytes.windows(12).any(|w| w == b"ada's report"),
        "stored content is in the archive"
    );

    let error = expect_error(
        dropbox
            .download_zip("/No such folder")
            .await
            .map(|z| z.metadata),
    );
    assert_tag(&error, ErrorKind::Api, "path/not_found");
    let file = submitted_file(&emu, &dropbox, "/Single", b"one").await;
    let error = expect_error(dropbox.download_zip(&file).await.map(|z| z.metadata));
    assert_tag(&error, ErrorKind::Api, "path/not_folder");
}

#[tokio::test]
async fn longpoll_wakes_on_a_submission() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let request = dropbox
        .create_request(request_args("Quiz", "/Quiz"))
        .await
        .expect("created");
    let cursor = dropbox.latest_cursor("/Quiz", true).await.expect("cursor");

    let poller = {
        let dropbox = dropbox.clone();
        let cursor = cursor.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let result = dropbox.longpoll(&cursor, 30).await;
            (result, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !poller.is_finished(),
        "the poll waits while nothing changes"
    );
    emu.submit(Submission {
        request_id: request.id,
        student_name: Some("Grace Hopper".into()),
        file_name: "quiz.pdf".into(),
        content: b"answers".to_vec(),
        at: None,
    })
    .expect("submitted");

    let (result, waited) = tokio::time::timeout(Duration::from_secs(10), poller)
        .await
        .expect("the poll returns soon after the change")
        .expect("task");
    let (changes, _backoff) = result.expect("longpoll");
    assert!(changes);
    assert!(waited < Duration::from_secs(10));

    let (new, _) = dropbox
        .list_folder_continue(&cursor)
        .await
        .expect("changes");
    assert_eq!(file_names(&new).len(), 1, "{new:?}");
}

#[tokio::test]
async fn a_cursor_from_another_history_is_reset() {
    let old = emulator().await;
    let cursor = dropbox(&old).latest_cursor("", true).await.expect("cursor");
    let emu = emulator().await;
    let dropbox = dropbox(&emu);

    let error = expect_error(dropbox.list_folder_continue(&cursor).await);
    assert_tag(&error, ErrorKind::Api, "reset");
    assert!(
        error.sentence().contains("list the folder again"),
        "{}",
        error.sentence()
    );

    let error = expect_error(dropbox.longpoll(&cursor, 30).await);
    assert_tag(&error, ErrorKind::Api, "reset");
}

// ---------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn retry_after_is_honoured() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    emu.inject_fault(
        "file_requests/list_v2",
        Fault::TooManyRequests {
            retry_after: 1,
            plain_text: false,
        },
        1,
    );
    let started = Instant::now();
    dropbox
        .list_requests()
        .await
        .expect("listed after the wait");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_plain_text_429_is_retried() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    emu.inject_fault(
        "file_requests/count",
        Fault::TooManyRequests {
            retry_after: 1,
            plain_text: true,
        },
        1,
    );
    let started = Instant::now();
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_lasting_plain_text_429_is_reported_as_rate_limiting() {
    let emu = emulator().await;
    let dropbox = dropbox_with(&emu, |s| s.retry.max_attempts = 2);
    emu.inject_fault(
        "file_requests/count",
        Fault::TooManyRequests {
            retry_after: 1,
            plain_text: true,
        },
        5,
    );
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(
        error.kind(),
        &ErrorKind::RateLimited {
            retry_after: Duration::from_secs(1)
        },
        "{error:?}"
    );
    assert_eq!(
        error.sentence(),
        "Dropbox is rate-limiting handin; try again in 1 s."
    );
}

#[tokio::test]
async fn a_lasting_json_429_is_reported_with_its_wait() {
    let emu = emulator().await;
    // A hint longer than the remaining budget ends the retries at once.
    let dropbox = dropbox_with(&emu, |s| s.retry.total_budget = Duration::from_secs(2));
    emu.inject_fault(
        "users/get_current_account",
        Fault::TooManyRequests {
            retry_after: 30,
            plain_text: false,
        },
        5,
    );
    let started = Instant::now();
    let error = expect_error(dropbox.current_account().await);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        error.kind(),
        &ErrorKind::RateLimited {
            retry_after: Duration::from_secs(30)
        }
    );
    assert_eq!(
        error.sentence(),
        "Dropbox is rate-limiting handin; try again in 30 s."
    );
}

#[tokio::test]
async fn server_errors_on_a_read_are_retried() {
    let emu = emulator().await;
    // Two 503s and then success, with at most three attempts: exactly three were made.
    let dropbox = dropbox_with(&emu, |s| s.retry.max_attempts = 3);
    emu.inject_fault("file_requests/list_v2", Fault::ServerError(503), 2);
    assert!(dropbox.list_requests().await.expect("listed").is_empty());
    // Both faults were used up.
    let once = dropbox_with(&emu, |s| s.retry = RetryPolicy::no_retries());
    assert!(once.list_requests().await.expect("listed").is_empty());
}

#[tokio::test]
async fn a_server_error_on_create_is_not_retried() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    // One 503: a retry would have succeeded, so an error means exactly one attempt.
    emu.inject_fault("file_requests/create", Fault::ServerError(503), 1);
    let error = expect_error(dropbox.create_request(request_args("HW", "/HW")).await);
    assert_eq!(error.kind(), &ErrorKind::Server, "{error:?}");
    assert_eq!(
        error.sentence(),
        "Dropbox is having trouble right now (a server error); try again in a few minutes."
    );
    // The emulator fails before the route runs, so nothing was created here; against
    // Dropbox the 503 might have come after the create, which is why it is not repeated.
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);
    let created = dropbox
        .create_request(request_args("HW", "/HW"))
        .await
        .expect("the fault was used once");
    let listed = dropbox.list_requests().await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
}

#[tokio::test]
async fn a_429_on_create_is_retried() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    emu.inject_fault(
        "file_requests/create",
        Fault::TooManyRequests {
            retry_after: 0,
            plain_text: false,
        },
        2,
    );
    let created = dropbox
        .create_request(request_args("HW", "/HW"))
        .await
        .expect("Dropbox refused before acting, so trying again is safe");
    let listed = dropbox.list_requests().await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let emu = emulator().await;
    // Two drops and then success, with at most three attempts: exactly three were made.
    let dropbox = dropbox_with(&emu, |s| s.retry.max_attempts = 3);
    emu.inject_fault("file_requests/count", Fault::DropConnection, 2);
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);
    // Both drops were used up: a client without retries succeeds at once.
    let once = dropbox_with(&emu, |s| s.retry = RetryPolicy::no_retries());
    assert_eq!(once.count_requests().await.expect("count"), 0);
}

#[tokio::test]
async fn a_dropped_connection_on_delete_is_not_retried() {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let request = dropbox
        .create_request(request_args("Old", "/Old"))
        .await
        .expect("created");
    dropbox
        .update_request(UpdateFileRequestArgs::new(request.id.clone()).with_open(false))
        .await
        .expect("closed");
    // One drop: a retry would have succeeded, so an error means exactly one attempt.
    emu.inject_fault("file_requests/delete", Fault::DropConnection, 1);
    let error = expect_error(dropbox.delete_requests(vec![request.id.clone()]).await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    assert!(error.detail().contains("(1 attempt)"), "{}", error.detail());
    assert!(
        error.sentence().contains("broke off"),
        "{}",
        error.sentence()
    );
    // The emulator dropped it before the route ran; the next delete goes through.
    assert_eq!(dropbox.count_requests().await.expect("count"), 1);
    let deleted = dropbox
        .delete_requests(vec![request.id.clone()])
        .await
        .expect("deleted");
    assert_eq!(deleted.len(), 1);
}

#[tokio::test]
async fn a_slow_create_is_not_retried() {
    let emu = emulator().await;
    let dropbox = dropbox_with(&emu, |s| s.request_timeout = Duration::from_millis(300));
    emu.inject_fault(
        "file_requests/create",
        Fault::Delay(Duration::from_secs(1)),
        1,
    );
    let error = expect_error(dropbox.create_request(request_args("Slow", "/Slow")).await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    assert!(error.detail().contains("(1 attempt)"), "{}", error.detail());
}

#[tokio::test]
async fn exhausted_retries_report_the_server_error() {
    let emu = emulator().await;
    let dropbox = dropbox_with(&emu, |s| s.retry.max_attempts = 3);
    emu.inject_fault("file_requests/count", Fault::ServerError(503), 3);
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Server, "{error:?}");
    assert_eq!(error.tag(), None);
    assert_eq!(
        error.sentence(),
        "Dropbox is having trouble right now (a server error); try again in a few minutes."
    );
    // The fourth call finds the faults used up: the client made exactly three attempts.
    assert_eq!(dropbox.count_requests().await.expect("count"), 0);
}

#[tokio::test]
async fn exhausted_retries_report_the_broken_connection() {
    let emu = emulator().await;
    let dropbox = dropbox_with(&emu, |s| s.retry.max_attempts = 2);
    emu.inject_fault("file_requests/count", Fault::DropConnection, 2);
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    let host = emu.base_url().trim_start_matches("http://").to_owned();
    assert!(error.sentence().contains(&host), "{}", error.sentence());
    assert!(error.detail().contains("2 attempts"), "{}", error.detail());
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let emu = emulator().await;
    let dropbox = dropbox_with(&emu, |s| {
        s.request_timeout = Duration::from_millis(300);
        s.retry.max_attempts = 1;
    });
    emu.inject_fault(
        "file_requests/count",
        Fault::Delay(Duration::from_secs(3)),
        1,
    );
    let started = Instant::now();
    let error = expect_error(dropbox.count_requests().await);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    assert!(
        error.sentence().contains("did not answer"),
        "{}",
        error.sentence()
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_change() {
    install_crypto();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let mut settings = settings_for(format!("http://{address}"));
    settings.retry.max_attempts = 3;
    let dropbox = Dropbox::new(settings, "token".into()).expect("client");
    // The request never left: trying again cannot make anything happen twice.
    let error = expect_error(dropbox.create_request(request_args("HW", "/HW")).await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    assert!(error.detail().contains("3 attempts"), "{}", error.detail());
}

#[tokio::test]
async fn a_refused_connection_names_the_host() {
    install_crypto();
    // Bind and release a port so that nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let mut settings = settings_for(format!("http://{address}"));
    settings.retry.max_attempts = 2;
    let dropbox = Dropbox::new(settings, "token".into()).expect("client");
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    assert_eq!(
        error.sentence(),
        format!(
            "Can't connect to {address}: the connection was refused; check your network, and \
             api_base in the config file if you set one."
        )
    );
}

// ---------------------------------------------------------------------------------------
// Headers and token refresh, seen from a recording server

#[derive(Clone, Debug)]
struct Recorded {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// A one-request-per-connection HTTP/1.1 server that records every request and answers
/// with `respond(request) -> (status, JSON body)`; status 0 closes the connection without
/// an answer, after reading the whole request.
async fn recording_server(
    respond: impl Fn(&Recorded) -> (u16, String) + Send + Sync + 'static,
) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let log: Log = Arc::default();
    let respond = Arc::new(respond);
    let server_log = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let respond = Arc::clone(&respond);
            let log = Arc::clone(&server_log);
            tokio::spawn(async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                let (status, body) = respond(&request);
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(request);
                if status == 0 {
                    let _ = stream.shutdown().await;
                    return;
                }
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (base, log)
}

async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let header_end = loop {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[header_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Recorded {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn recorded(log: &Log) -> Vec<Recorded> {
    log.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

#[tokio::test]
async fn team_headers_are_sent_and_the_long_poll_carries_no_token() {
    install_crypto();
    let (base, log) = recording_server(|request| match request.path.as_str() {
        "/2/file_requests/count" => (200, r#"{"file_request_count": 3}"#.into()),
        "/2/files/list_folder/longpoll" => (200, r#"{"changes": false, "backoff": 5}"#.into()),
        _ => (404, "{}".into()),
    })
    .await;
    let mut settings = settings_for(base);
    settings.select_user = Some("dbmid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc".into());
    settings.path_root = Some("1234567".into());
    let dropbox = Dropbox::new(settings, "sl.token".into()).expect("client");

    assert_eq!(dropbox.count_requests().await.expect("count"), 3);
    assert_eq!(
        dropbox.longpoll("cursor-1", 30).await.expect("longpoll"),
        (false, Some(5))
    );

    let requests = recorded(&log);
    assert_eq!(requests.len(), 2);
    let count = &requests[0];
    assert_eq!(count.header("Authorization"), Some("Bearer sl.token"));
    assert_eq!(
        count.header("Dropbox-API-Select-User"),
        Some("dbmid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc")
    );
    assert_eq!(
        count.header("Dropbox-API-Path-Root"),
        Some(r#"{".tag":"root","root":"1234567"}"#)
    );
    assert_eq!(count.header("Content-Type"), Some("application/json"));

    let poll = &requests[1];
    assert_eq!(
        poll.header("Authorization"),
        None,
        "Dropbox rejects a token here"
    );
    // 30 s is the route's default, which the SDK leaves out.
    let body: serde_json::Value = serde_json::from_str(&poll.body).expect("JSON body");
    assert_eq!(body, serde_json::json!({"cursor": "cursor-1"}));
}

#[tokio::test]
async fn longpoll_timeouts_are_clamped_to_what_dropbox_accepts() {
    install_crypto();
    let (base, log) = recording_server(|_| (200, r#"{"changes": true}"#.into())).await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    assert_eq!(dropbox.longpoll("c", 1).await.expect("poll"), (true, None));
    assert_eq!(
        dropbox.longpoll("c", 10_000).await.expect("poll"),
        (true, None)
    );
    let timeouts: Vec<u64> = recorded(&log)
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body).expect("JSON")["timeout"]
                .as_u64()
                .unwrap_or(30)
        })
        .collect();
    assert_eq!(timeouts, [30, 480]);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_through_the_base_url() {
    install_crypto();
    let exchanges = AtomicUsize::new(0);
    let counts = AtomicUsize::new(0);
    let (base, log) = recording_server(move |request| match request.path.as_str() {
        "/oauth2/token" => {
            let token = match exchanges.fetch_add(1, Ordering::SeqCst) {
                0 => "first",
                _ => "second",
            };
            let body = format!(
                r#"{{"access_token": "{token}", "token_type": "bearer", "expires_in": 14400}}"#
            );
            (200, body)
        }
        "/2/file_requests/count" => {
            // The first token works once, then expires.
            let call = counts.fetch_add(1, Ordering::SeqCst);
            match request.header("Authorization") {
                Some("Bearer first") if call == 0 => (200, r#"{"file_request_count": 1}"#.into()),
                Some("Bearer second") => (200, r#"{"file_request_count": 2}"#.into()),
                _ => (
                    401,
                    r#"{"error_summary": "expired_access_token/", "error": {".tag": "expired_access_token"}}"#
                        .into(),
                ),
            }
        }
        _ => (404, "{}".into()),
    })
    .await;
    let auth = Authorization::from_refresh_token("app-key".into(), "refresh-me".into());
    let dropbox = Dropbox::with_authorization(settings_for(base), auth).expect("client");

    // No token yet: the first call exchanges the refresh token before calling the route.
    assert_eq!(dropbox.count_requests().await.expect("count"), 1);
    // The token has expired: refreshed once, and the call repeated with the new one.
    assert_eq!(dropbox.count_requests().await.expect("count"), 2);

    let requests = recorded(&log);
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/oauth2/token",
            "/2/file_requests/count",
            "/2/file_requests/count",
            "/oauth2/token",
            "/2/file_requests/count"
        ]
    );
    let exchange = &requests[3];
    assert!(
        exchange.body.contains("grant_type=refresh_token"),
        "{}",
        exchange.body
    );
    assert!(
        exchange.body.contains("refresh_token=refresh-me"),
        "{}",
        exchange.body
    );
    assert!(
        exchange.body.contains("client_id=app-key"),
        "{}",
        exchange.body
    );
    assert_eq!(exchange.header("Authorization"), None);
    assert_eq!(requests[2].header("Authorization"), Some("Bearer first"));
    assert_eq!(requests[4].header("Authorization"), Some("Bearer second"));
    assert_eq!(
        dropbox.saved_authorization().await.as_deref(),
        Some("2&refresh-me")
    );
}

#[tokio::test]
async fn a_pasted_token_is_not_refreshed() {
    install_crypto();
    let (base, log) = recording_server(|_| {
        (
            401,
            r#"{"error_summary": "expired_access_token/", "error": {".tag": "expired_access_token"}}"#
                .into(),
        )
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "sl.old".into()).expect("client");
    let error = expect_error(dropbox.count_requests().await);
    assert_tag(&error, ErrorKind::Auth, "expired_access_token");
    assert_eq!(recorded(&log).len(), 1, "no refresh attempt, no retry");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    install_crypto();
    let (base, log) = recording_server(|request| match request.path.as_str() {
        "/2/file_requests/get" => (
            409,
            r#"{"error_summary": "not_found/..", "error": {".tag": "not_found"}}"#.into(),
        ),
        "/2/file_requests/count" => (
            403,
            r#"{"error_summary": "team_access_denied/", "error": {".tag": "team_access_denied"}}"#
                .into(),
        ),
        _ => (400, r#"Error in call to API function: bad input"#.into()),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    assert_tag(
        &expect_error(dropbox.get_request("x").await),
        ErrorKind::Api,
        "not_found",
    );
    assert_tag(
        &expect_error(dropbox.count_requests().await),
        ErrorKind::AccessDenied,
        "team_access_denied",
    );
    let error = expect_error(dropbox.current_account().await);
    assert_eq!(error.kind(), &ErrorKind::BadRequest);
    assert!(
        error.sentence().contains("bad input"),
        "{}",
        error.sentence()
    );
    assert_eq!(recorded(&log).len(), 3, "one attempt each");
}

#[tokio::test]
async fn a_bad_path_root_is_explained() {
    install_crypto();
    let (base, _log) = recording_server(|_| {
        (
            422,
            r#"{"error_summary": "invalid_root/", "error": {".tag": "invalid_root", "invalid_root": {".tag": "user", "root_namespace_id": "3235641", "home_namespace_id": "3235641"}}}"#
                .into(),
        )
    })
    .await;
    let mut settings = settings_for(base);
    settings.path_root = Some("999".into());
    let dropbox = Dropbox::new(settings, "t".into()).expect("client");
    let error = expect_error(dropbox.count_requests().await);
    assert_tag(&error, ErrorKind::PathRoot, "invalid_root");
    assert!(error.sentence().contains("3235641"), "{}", error.sentence());
}

fn file_request_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "url": format!("https://www.dropbox.com/request/{id}"),
        "title": format!("Request {id}"),
        "created": "2025-01-01T00:00:00Z",
        "is_open": true,
        "file_count": 0,
    })
}

fn page(ids: &[&str], cursor: &str, has_more: bool) -> String {
    let requests: Vec<serde_json::Value> = ids.iter().map(|id| file_request_json(id)).collect();
    serde_json::json!({"file_requests": requests, "cursor": cursor, "has_more": has_more})
        .to_string()
}

const INVALID_CURSOR: &str =
    r#"{"error_summary": "invalid_cursor/", "error": {".tag": "invalid_cursor"}}"#;

#[tokio::test]
async fn an_invalidated_request_cursor_starts_the_listing_over_once() {
    install_crypto();
    let continues = AtomicUsize::new(0);
    let (base, log) = recording_server(move |request| match request.path.as_str() {
        "/2/file_requests/list_v2" => (200, page(&["a", "b"], "c1", true)),
        "/2/file_requests/list/continue" => match continues.fetch_add(1, Ordering::SeqCst) {
            0 => (409, INVALID_CURSOR.into()),
            _ => (200, page(&["c"], "c2", false)),
        },
        _ => (404, "{}".into()),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let ids: Vec<String> = dropbox
        .list_requests()
        .await
        .expect("listed")
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        ids,
        ["a", "b", "c"],
        "the first pass's page is not kept twice"
    );
    let paths: Vec<String> = recorded(&log).into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/2/file_requests/list_v2",
            "/2/file_requests/list/continue",
            "/2/file_requests/list_v2",
            "/2/file_requests/list/continue"
        ]
    );
}

#[tokio::test]
async fn a_request_cursor_invalidated_twice_is_reported() {
    install_crypto();
    let (base, log) = recording_server(|request| match request.path.as_str() {
        "/2/file_requests/list_v2" => (200, page(&["a"], "c1", true)),
        _ => (409, INVALID_CURSOR.into()),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let error = expect_error(dropbox.list_requests().await);
    assert_tag(&error, ErrorKind::Api, "invalid_cursor");
    assert_eq!(recorded(&log).len(), 4, "one fresh start, no more");
}

#[tokio::test]
async fn a_folder_listing_reset_midway_starts_over_once() {
    install_crypto();
    let continues = AtomicUsize::new(0);
    let folder = |name: &str| {
        serde_json::json!({
            ".tag": "folder",
            "name": name,
            "id": format!("id:{name}"),
            "path_lower": format!("/{name}"),
            "path_display": format!("/{name}"),
        })
    };
    let (base, log) = recording_server(move |request| match request.path.as_str() {
        "/2/files/list_folder" => (
            200,
            serde_json::json!({"entries": [folder("a")], "cursor": "f1", "has_more": true})
                .to_string(),
        ),
        "/2/files/list_folder/continue" => match continues.fetch_add(1, Ordering::SeqCst) {
            0 => (
                409,
                r#"{"error_summary": "reset/", "error": {".tag": "reset"}}"#.into(),
            ),
            _ => (
                200,
                serde_json::json!({"entries": [folder("b")], "cursor": "f2", "has_more": false})
                    .to_string(),
            ),
        },
        _ => (404, "{}".into()),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let (entries, cursor) = dropbox.list_folder_all("/", true).await.expect("listed");
    let names: Vec<&str> = entries
        .iter()
        .map(|entry| match entry {
            Metadata::Folder(folder) => folder.name.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(cursor, "f2");
    let requests = recorded(&log);
    assert_eq!(requests.len(), 4);
    let first: serde_json::Value = serde_json::from_str(&requests[0].body).expect("JSON");
    assert_eq!(
        first,
        serde_json::json!({"path": "", "recursive": true}),
        "/ is sent as \"\""
    );
}

// ---------------------------------------------------------------------------------------
// Exact attempt counts per route, seen from the recording server

fn paths(log: &Log) -> Vec<String> {
    recorded(log).into_iter().map(|r| r.path).collect()
}

#[tokio::test]
async fn reads_repeat_unclear_failures_and_changes_do_not() {
    install_crypto();
    let counts = AtomicUsize::new(0);
    let (base, log) = recording_server(move |request| match request.path.as_str() {
        // Dropped twice, then answered.
        "/2/file_requests/count" => match counts.fetch_add(1, Ordering::SeqCst) {
            0 | 1 => (0, String::new()),
            _ => (200, r#"{"file_request_count": 4}"#.into()),
        },
        "/2/file_requests/delete" => (0, String::new()),
        "/2/file_requests/delete_all_closed" => (500, "oops".into()),
        "/2/file_requests/update" => (503, "busy".into()),
        "/2/auth/token/revoke" => (0, String::new()),
        "/2/files/get_metadata" => (503, "busy".into()),
        _ => (404, "{}".into()),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");

    assert_eq!(dropbox.count_requests().await.expect("count"), 4);
    assert_eq!(paths(&log).len(), 3, "two drops, then the answer");

    let error = expect_error(dropbox.delete_requests(vec!["a".into()]).await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    let error = expect_error(dropbox.delete_all_closed().await);
    assert_eq!(error.kind(), &ErrorKind::Server, "{error:?}");
    let error = expect_error(
        dropbox
            .update_request(UpdateFileRequestArgs::new("a".into()).with_open(false))
            .await,
    );
    assert_eq!(error.kind(), &ErrorKind::Server, "{error:?}");
    let error = expect_error(dropbox.revoke_token().await);
    assert_eq!(error.kind(), &ErrorKind::Network, "{error:?}");
    let changes: Vec<String> = paths(&log).split_off(3);
    assert_eq!(
        changes,
        [
            "/2/file_requests/delete",
            "/2/file_requests/delete_all_closed",
            "/2/file_requests/update",
            "/2/auth/token/revoke"
        ],
        "one attempt each"
    );

    // A read gets every attempt the policy allows.
    let error = expect_error(dropbox.get_metadata("/x").await);
    assert_eq!(error.kind(), &ErrorKind::Server, "{error:?}");
    let metadata_calls = paths(&log)
        .iter()
        .filter(|p| *p == "/2/files/get_metadata")
        .count();
    assert_eq!(metadata_calls, 5);
}

#[tokio::test]
async fn a_failed_token_exchange_is_not_repeated() {
    install_crypto();
    let (base, log) = recording_server(|request| match request.path.as_str() {
        "/oauth2/token" => (503, "busy".into()),
        _ => (200, r#"{"file_request_count": 1}"#.into()),
    })
    .await;
    let auth = Authorization::from_refresh_token("app-key".into(), "refresh-me".into());
    let dropbox = Dropbox::with_authorization(settings_for(base), auth).expect("client");
    expect_error(dropbox.count_requests().await);
    assert_eq!(
        paths(&log),
        ["/oauth2/token"],
        "codes are single use: the token endpoint is never called twice for one failure"
    );
}

// ---------------------------------------------------------------------------------------
// Paging that never ends

#[tokio::test]
async fn a_request_listing_that_never_ends_is_stopped() {
    install_crypto();
    let served = AtomicUsize::new(0);
    let (base, log) = recording_server(move |request| match request.path.as_str() {
        "/2/file_requests/list_v2" => (200, page(&["r0"], "c0", true)),
        "/2/file_requests/list/continue" => {
            let n = served.fetch_add(1, Ordering::SeqCst) + 1;
            // New ids and a new cursor every time: each page looks like progress.
            (200, page(&[&format!("r{n}")], &format!("c{n}"), true))
        }
        _ => (404, "{}".into()),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let error = expect_error(dropbox.list_requests().await);
    assert_eq!(error.kind(), &ErrorKind::EndlessListing, "{error:?}");
    assert!(
        error.detail().contains("still more after"),
        "{}",
        error.detail()
    );
    assert_eq!(recorded(&log).len(), 100, "pages fetched before giving up");
}

/// A folder listing whose every page is empty, with a new cursor, and says there is more.
async fn endless_empty_folder() -> (String, Log) {
    let served = AtomicUsize::new(0);
    recording_server(move |request| {
        let n = served.fetch_add(1, Ordering::SeqCst);
        match request.path.as_str() {
            "/2/files/list_folder" | "/2/files/list_folder/continue" => (
                200,
                serde_json::json!({"entries": [], "cursor": format!("f{n}"), "has_more": true})
                    .to_string(),
            ),
            _ => (404, "{}".into()),
        }
    })
    .await
}

#[tokio::test]
async fn a_folder_listing_of_endless_empty_pages_is_stopped() {
    install_crypto();
    let (base, log) = endless_empty_folder().await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let error = expect_error(dropbox.list_folder_all("/Courses", true).await);
    assert_eq!(error.kind(), &ErrorKind::EndlessListing, "{error:?}");
    assert!(error.detail().contains("empty pages"), "{}", error.detail());
    assert_eq!(recorded(&log).len(), 100);

    let (base, log) = endless_empty_folder().await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let error = expect_error(dropbox.list_folder_continue("f").await);
    assert_eq!(error.kind(), &ErrorKind::EndlessListing, "{error:?}");
    assert_eq!(recorded(&log).len(), 100);
}

#[tokio::test]
async fn a_few_empty_folder_pages_are_fine() {
    install_crypto();
    let served = AtomicUsize::new(0);
    let (base, _log) = recording_server(move |_| {
        let n = served.fetch_add(1, Ordering::SeqCst);
        let body = if n < 5 {
            serde_json::json!({"entries": [], "cursor": format!("f{n}"), "has_more": true})
        } else {
            serde_json::json!({"entries": [{
                ".tag": "folder", "name": "a", "id": "id:a",
                "path_lower": "/a", "path_display": "/a",
            }], "cursor": "last", "has_more": false})
        };
        (200, body.to_string())
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let (entries, cursor) = dropbox.list_folder_all("", false).await.expect("listed");
    assert_eq!(entries.len(), 1);
    assert_eq!(cursor, "last");
}

// ---------------------------------------------------------------------------------------
// Settings

#[tokio::test]
async fn plain_http_to_another_machine_is_refused() {
    install_crypto();
    for base in ["http://dropbox.example.org", "http://192.168.0.5:8080"] {
        let error = expect_error(Dropbox::new(
            settings_for(base.to_owned()),
            "sl.secret".into(),
        ));
        assert_eq!(error.kind(), &ErrorKind::Settings, "{base}");
        assert_eq!(
            error.sentence(),
            format!(
                "The api_base \u{201c}{base}\u{201d} (config file or --api-base) would send your \
                 token unencrypted; use https://, or http:// only for this computer (localhost \
                 or 127.0.0.1)."
            )
        );
    }
    for base in [
        "http://127.0.0.1:1",
        "http://localhost:1",
        "http://[::1]:1",
        "https://dropbox.example.org",
    ] {
        assert!(
            Dropbox::new(settings_for(base.to_owned()), "t".into()).is_ok(),
            "{base}"
        );
    }
}

#[tokio::test]
async fn no_debug_output_carries_the_token() {
    install_crypto();
    let (base, _log) = recording_server(|request| match request.path.as_str() {
        "/oauth2/token" => (
            200,
            r#"{"access_token": "sl.minted-secret", "token_type": "bearer", "expires_in": 14400}"#
                .into(),
        ),
        _ => (200, r#"{"file_request_count": 1}"#.into()),
    })
    .await;
    let mut settings = settings_for(base);
    settings.select_user = Some("dbmid:member".into());
    let pasted = Dropbox::new(settings.clone(), "sl.pasted-secret".into()).expect("client");
    let auth = Authorization::from_refresh_token("app-key".into(), "refresh-secret".into());
    let oauth = Dropbox::with_authorization(settings.clone(), auth).expect("client");
    // After a call the OAuth client holds a minted access token too.
    assert_eq!(oauth.count_requests().await.expect("count"), 1);

    let shown = [
        format!("{settings:?}"),
        format!("{pasted:?}"),
        format!("{:?}", pasted.client()),
        format!("{:?}", pasted.client().tokenless()),
        format!("{:?}", pasted.client().longpoll(Duration::from_secs(60))),
        format!("{oauth:?}"),
        format!("{:?}", oauth.client()),
        format!("{:#?}", oauth.client()),
    ]
    .join("\n");
    for secret in ["sl.pasted-secret", "refresh-secret", "sl.minted-secret"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("dbmid:member"), "{shown}");
}

// ---------------------------------------------------------------------------------------
// Hostile answers: what no Dropbox would send, from a server that answers anything

/// What the hostile server writes back.
struct Reply {
    status: u16,
    /// Header lines as raw bytes: a header may carry bytes that are not UTF-8.
    headers: Vec<u8>,
    body: Vec<u8>,
    /// `Content-Length` to announce; `None` announces none and ends the body by closing.
    length: Option<u64>,
    /// Spaces streamed after `body`, 64 KiB at a time, for huge answers.
    spaces: u64,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        Reply {
            status,
            headers: Vec::new(),
            length: Some(body.len() as u64),
            body,
            spaces: 0,
        }
        .header("Content-Type", content_type.as_bytes())
    }

    fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/json", body)
    }

    /// A download's answer: `result` in `Dropbox-API-Result`, `body` as the file.
    fn download(result: &[u8], body: impl Into<Vec<u8>>) -> Self {
        Self::new(200, "application/octet-stream", body).header("Dropbox-API-Result", result)
    }

    /// `spaces` spaces of JSON whitespace as the whole body, announced or not.
    fn huge(status: u16, spaces: u64, announced: bool) -> Self {
        Reply {
            spaces,
            length: announced.then_some(spaces),
            ..Self::json(status, "")
        }
    }

    fn header(mut self, name: &str, value: &[u8]) -> Self {
        self.headers.extend_from_slice(name.as_bytes());
        self.headers.extend_from_slice(b": ");
        self.headers.extend_from_slice(value);
        self.headers.extend_from_slice(b"\r\n");
        self
    }

    fn length(self, length: Option<u64>) -> Self {
        Reply { length, ..self }
    }
}

/// Like [`recording_server`], but each answer is a [`Reply`] written as is. Also counts
/// the body bytes the server managed to send, all connections together.
async fn hostile_server(
    respond: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
) -> (String, Log, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let log: Log = Arc::default();
    let sent = Arc::new(AtomicU64::new(0));
    let respond = Arc::new(respond);
    let (server_log, server_sent) = (Arc::clone(&log), Arc::clone(&sent));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let respond = Arc::clone(&respond);
            let log = Arc::clone(&server_log);
            let sent = Arc::clone(&server_sent);
            tokio::spawn(async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                let reply = respond(&request);
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(request);
                let mut head = format!("HTTP/1.1 {} X\r\n", reply.status).into_bytes();
                head.extend_from_slice(&reply.headers);
                if let Some(length) = reply.length {
                    head.extend_from_slice(format!("Content-Length: {length}\r\n").as_bytes());
                }
                head.extend_from_slice(b"Connection: close\r\n\r\n");
                head.extend_from_slice(&reply.body);
                if stream.write_all(&head).await.is_err() {
                    return;
                }
                sent.fetch_add(reply.body.len() as u64, Ordering::SeqCst);
                let chunk = vec![b' '; 64 * 1024];
                let mut left = reply.spaces;
                while left > 0 {
                    let n = left.min(chunk.len() as u64);
                    if stream.write_all(&chunk[..n as usize]).await.is_err() {
                        return;
                    }
                    sent.fetch_add(n, Ordering::SeqCst);
                    left -= n;
                }
                let _ = stream.shutdown().await;
            });
        }
    });
    (base, log, sent)
}

type Outcome = Result<(), DropboxError>;

/// A call of one route that fails or not, whatever it returns.
type RouteCall = fn(Dropbox) -> BoxFuture<'static, Outcome>;

/// Every route handin calls, as a call that fails or not. `/2/...` is what the server sees.
fn every_route() -> Vec<(&'static str, RouteCall)> {
    vec![
        ("file_requests/list_v2", |d| {
            async move { d.list_requests().await.map(drop) }.boxed()
        }),
        ("file_requests/get", |d| {
            async move { d.get_request("oaCAVmEyrqYnkZX9955Y").await.map(drop) }.boxed()
        }),
        ("file_requests/create", |d| {
            async move { d.create_request(request_args("HW", "/HW")).await.map(drop) }.boxed()
        }),
        ("file_requests/update", |d| {
            async move {
                d.update_request(UpdateFileRequestArgs::new("a".into()).with_open(false))
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("file_requests/count", |d| {
            async move { d.count_requests().await.map(drop) }.boxed()
        }),
        ("files/list_folder", |d| {
            async move { d.list_folder_all("/", true).await.map(drop) }.boxed()
        }),
        ("files/list_folder/continue", |d| {
            async move { d.list_folder_continue("f1").await.map(drop) }.boxed()
        }),
        ("files/list_folder/longpoll", |d| {
            async move { d.longpoll("f1", 30).await.map(drop) }.boxed()
        }),
        ("files/download", |d| {
            async move { d.download("/HW/a.pdf", None).await.map(drop) }.boxed()
        }),
        ("users/get_current_account", |d| {
            async move { d.current_account().await.map(drop) }.boxed()
        }),
    ]
}

/// Runs `call`, which must fail within a few seconds (never hang, never panic).
async fn must_fail(route: &str, call: BoxFuture<'_, Outcome>) -> DropboxError {
    match tokio::time::timeout(Duration::from_secs(30), call).await {
        Ok(Ok(())) => panic!("{route}: a hostile answer was accepted"),
        Ok(Err(error)) => error,
        Err(_) => panic!("{route}: no result within 30 s"),
    }
}

/// One sentence for the screen: no debug dump, no raw body, no line break.
fn assert_one_sentence(sentence: &str) {
    assert!(sentence.ends_with('.'), "{sentence:?}");
    assert!(sentence.chars().count() < 250, "{sentence:?}");
    for dump in ["\n", "{", "`", "Error(", "Some(", "\\\"", "<html", "JSON"] {
        assert!(!sentence.contains(dump), "{dump:?} in {sentence:?}");
    }
}

const UNREADABLE: &str =
    "Dropbox sent a reply handin could not understand; try again, and see the log if it persists.";

#[tokio::test]
async fn every_route_reports_an_unreadable_answer_in_one_sentence() {
    install_crypto();
    // (what, content type, body): a 200 no route can use. Downloads get the same text
    // in their Dropbox-API-Result header, and a file as the body.
    let cases: [(&str, &str, &[u8]); 12] = [
        ("an array", "application/json", b"[]"),
        ("a string", "application/json", b"\"x\""),
        ("null", "application/json", b"null"),
        ("a field of the wrong type", "application/json", br#"{"file_requests": 3}"#),
        (
            "fields of the wrong types",
            "application/json",
            br#"{"file_requests": {}, "file_request_count": "many", "entries": 7, "cursor": 1, "has_more": "no", "changes": "yes", "account_id": false}"#,
        ),
        ("no fields", "application/json", b"{}"),
        (
            "an entry missing its fields",
            "application/json",
            br#"{"file_requests": [{"id": "a"}], "entries": [{".tag": "file", "name": "a"}], "cursor": "c", "has_more": false, "id": "x", "account_id": "dbid:1"}"#,
        ),
        ("cut-off JSON", "application/json", br#"{"file_requests": ["#),
        ("not JSON", "application/json", b"not json at all"),
        ("an empty body", "application/json", b""),
        (
            "an HTML page",
            "text/html; charset=utf-8",
            b"<html><body>Sign in to the Wi-Fi first</body></html>",
        ),
        ("bytes that are not UTF-8", "application/json", b"\xff\xfe{}"),
    ];
    for (what, content_type, body) in cases {
        let (base, log, _) = hostile_server(move |request| {
            if request.path == "/2/files/download" {
                Reply::download(body, "file contents")
            } else {
                Reply::new(200, content_type, body)
            }
        })
        .await;
        let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
        let routes = every_route();
        for (route, call) in &routes {
            let error = must_fail(&format!("{what}, {route}"), call(dropbox.clone())).await;
            let context = format!("{what}, {route}: {error:?}");
            assert_eq!(error.kind(), &ErrorKind::Unexpected, "{context}");
            assert_eq!(error.tag(), None, "{context}");
            assert_eq!(error.sentence(), UNREADABLE, "{context}");
            assert_one_sentence(&error.sentence());
            assert!(
                error.detail().starts_with(&format!("{route}: ")),
                "{context}"
            );
        }
        assert_eq!(
            recorded(&log).len(),
            routes.len(),
            "{what}: one request per route, none repeated"
        );
    }
}

#[tokio::test]
async fn the_log_says_how_an_answer_was_unreadable() {
    install_crypto();
    let (base, _log, _) = hostile_server(|request| match request.path.as_str() {
        "/2/file_requests/count" => Reply::json(200, ""),
        "/2/file_requests/get" => Reply::json(200, r#"{"id": "a"}"#),
        "/2/files/download" => Reply::download(b"not json", "file contents"),
        _ => Reply::json(200, r#"{"file_requests": 3}"#),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let detail = |error: DropboxError| error.detail().to_owned();
    let empty = detail(expect_error(dropbox.count_requests().await));
    assert!(empty.contains("is empty or cut short"), "{empty}");
    let missing = detail(expect_error(dropbox.get_request("a").await));
    assert!(missing.contains("missing field `url`"), "{missing}");
    let wrong = detail(expect_error(dropbox.list_requests().await));
    assert!(wrong.contains("of another shape"), "{wrong}");
    assert!(wrong.contains("invalid type: integer `3`"), "{wrong}");
    let header = detail(expect_error(dropbox.download("/a", None).await));
    assert!(header.contains("is not JSON"), "{header}");
}

#[tokio::test]
async fn an_unreadable_later_page_fails_the_whole_listing() {
    install_crypto();
    let folder = serde_json::json!({
        ".tag": "folder", "name": "a", "id": "id:a", "path_lower": "/a", "path_display": "/a",
    });
    let (base, _log, _) = hostile_server(move |request| match request.path.as_str() {
        "/2/file_requests/list_v2" => Reply::json(200, page(&["a", "b"], "c1", true)),
        "/2/files/list_folder" => Reply::json(
            200,
            serde_json::json!({"entries": [folder], "cursor": "f1", "has_more": true}).to_string(),
        ),
        _ => Reply::json(200, r#"{"entries": "#),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    // Not the first page passed off as the whole list.
    let error = expect_error(dropbox.list_requests().await);
    assert_eq!(error.sentence(), UNREADABLE);
    assert!(
        error.detail().starts_with("file_requests/list/continue: "),
        "{}",
        error.detail()
    );
    let error = expect_error(dropbox.list_folder_all("/", false).await);
    assert_eq!(error.sentence(), UNREADABLE);
    assert!(
        error.detail().starts_with("files/list_folder/continue: "),
        "{}",
        error.detail()
    );
}

const BRAND_NEW_ERROR: &str =
    r#"{"error": {".tag": "brand_new_error"}, "error_summary": "brand_new_error/.."}"#;

fn unknown_tag_sentence(route: &str, tag: &str) -> String {
    format!(
        "Dropbox refused {route} for a reason this version of handin does not know \
         (\u{201c}{tag}\u{201d}); update handin, or report it if it is up to date."
    )
}

#[tokio::test]
async fn an_unknown_error_tag_names_the_route_and_the_tag() {
    install_crypto();
    let (base, log, _) = hostile_server(|_| Reply::json(409, BRAND_NEW_ERROR)).await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let routes = every_route();
    for (route, call) in &routes {
        let error = must_fail(route, call(dropbox.clone())).await;
        assert_tag(&error, ErrorKind::Api, "brand_new_error");
        assert_eq!(
            error.sentence(),
            unknown_tag_sentence(route, "brand_new_error")
        );
        assert_one_sentence(&error.sentence());
        assert!(
            error.detail().contains("brand_new_error/.."),
            "the summary is kept for the log: {}",
            error.detail()
        );
    }
    assert_eq!(recorded(&log).len(), routes.len(), "none repeated");
}

#[tokio::test]
async fn unknown_tags_are_found_on_later_pages_and_inside_known_ones() {
    install_crypto();
    let (base, _log, _) = hostile_server(|request| match request.path.as_str() {
        "/2/file_requests/list_v2" => Reply::json(200, page(&["a"], "c1", true)),
        "/2/files/list_folder" => Reply::json(
            409,
            r#"{"error_summary": "path/brand_new_lookup/", "error": {".tag": "path", "path": {".tag": "brand_new_lookup"}}}"#,
        ),
        // A union without `other`: the SDK refuses the tag outright.
        "/2/files/get_metadata" => Reply::json(409, BRAND_NEW_ERROR),
        // `other` itself is a tag Dropbox sends: known, if not explained.
        "/2/file_requests/get" => Reply::json(
            409,
            r#"{"error_summary": "other/", "error": {".tag": "other"}}"#,
        ),
        _ => Reply::json(409, BRAND_NEW_ERROR),
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");

    let error = expect_error(dropbox.list_requests().await);
    assert_tag(&error, ErrorKind::Api, "brand_new_error");
    assert_eq!(
        error.sentence(),
        unknown_tag_sentence("file_requests/list/continue", "brand_new_error")
    );

    let error = expect_error(dropbox.list_folder_all("/", false).await);
    assert_tag(&error, ErrorKind::Api, "path/brand_new_lookup");
    assert_eq!(
        error.sentence(),
        unknown_tag_sentence("files/list_folder", "path/brand_new_lookup")
    );

    let error = expect_error(dropbox.get_metadata("/a").await);
    assert_tag(&error, ErrorKind::Api, "brand_new_error");
    assert_eq!(
        error.sentence(),
        unknown_tag_sentence("files/get_metadata", "brand_new_error")
    );

    let error = expect_error(dropbox.get_request("a").await);
    assert_tag(&error, ErrorKind::Api, "other");
    assert_one_sentence(&error.sentence());
}

#[tokio::test]
async fn an_unknown_kind_of_folder_entry_asks_for_a_newer_handin() {
    install_crypto();
    let entries = serde_json::json!([
        {".tag": "folder", "name": "a", "id": "id:a", "path_lower": "/a", "path_display": "/a"},
        {".tag": "symlink", "name": "s", "id": "id:s", "path_lower": "/s", "target": "/a"},
    ]);
    let (base, _log, _) = hostile_server(move |_| {
        Reply::json(
            200,
            serde_json::json!({"entries": entries, "cursor": "f2", "has_more": false}).to_string(),
        )
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    for (route, result) in [
        (
            "files/list_folder",
            dropbox.list_folder_all("/", true).await,
        ),
        (
            "files/list_folder/continue",
            dropbox.list_folder_continue("f1").await,
        ),
    ] {
        // The SDK cannot read the page at all: the listing fails rather than leave the
        // entry out unseen.
        let error = expect_error(result);
        assert_eq!(error.kind(), &ErrorKind::Unexpected, "{error:?}");
        assert_eq!(
            error.sentence(),
            format!(
                "Dropbox's answer to {route} holds something this version of handin does not \
                 know (\u{201c}symlink\u{201d}); update handin, or report it if it is up to date."
            )
        );
        assert_one_sentence(&error.sentence());
        assert!(
            error.detail().contains("unknown variant `symlink`"),
            "{}",
            error.detail()
        );
    }
}

#[tokio::test]
async fn an_unknown_value_of_an_open_union_keeps_the_request() {
    install_crypto();
    let mut request = file_request_json("a");
    request["deadline"] = serde_json::json!({
        "deadline": "2031-05-01T12:00:00Z",
        "allow_late_uploads": {".tag": "one_year"},
    });
    let (base, _log, _) = hostile_server(move |_| Reply::json(200, request.to_string())).await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let fetched = dropbox
        .get_request("a")
        .await
        .expect("read despite the new value");
    let deadline = fetched.deadline.expect("deadline kept");
    assert_eq!(deadline.deadline, "2031-05-01T12:00:00Z");
    assert_eq!(deadline.allow_late_uploads, Some(GracePeriod::Other));
}

/// The `Dropbox-API-Result` of a download of `size` bytes.
fn file_result(size: u64) -> Vec<u8> {
    serde_json::json!({
        "name": "a.pdf", "id": "id:a", "path_lower": "/hw/a.pdf", "path_display": "/HW/a.pdf",
        "client_modified": "2025-01-01T00:00:00Z", "server_modified": "2025-01-01T00:00:00Z",
        "rev": "015f", "size": size,
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_download_whose_result_header_is_unusable_is_refused() {
    install_crypto();
    for (what, reply) in [
        (
            "no header",
            Reply::new(200, "application/octet-stream", "data"),
        ),
        ("not JSON", Reply::download(b"size=4", "data")),
        (
            "not UTF-8",
            Reply::download(b"{\"name\": \"\xff\"}", "data"),
        ),
        ("an array", Reply::download(b"[]", "data")),
        ("empty", Reply::download(b"", "data")),
    ] {
        let reply = Arc::new(Mutex::new(Some(reply)));
        let (base, _log, _) = hostile_server(move |_| {
            reply
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("one request")
        })
        .await;
        let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
        let error = must_fail(
            what,
            dropbox.download("/HW/a.pdf", None).map_ok(drop).boxed(),
        )
        .await;
        assert_eq!(error.kind(), &ErrorKind::Unexpected, "{what}: {error:?}");
        assert_eq!(error.sentence(), UNREADABLE, "{what}");
        assert!(
            error.detail().starts_with("files/download: "),
            "{what}: {}",
            error.detail()
        );
    }
}

#[tokio::test]
async fn a_download_whose_length_disagrees_never_passes_for_the_file() {
    install_crypto();
    let content = vec![b'x'; 50_000];
    let served = AtomicUsize::new(0);
    let (base, _log, _) = hostile_server(move |_| {
        let reply = Reply::download(&file_result(50_000), content.clone());
        match served.fetch_add(1, Ordering::SeqCst) {
            // Announces less than the file: refused before any byte is read.
            0 => reply.length(Some(10_000)),
            // Announces more than it sends: the whole file, then a fifth and hangs up.
            _ => Reply {
                body: content[..10_000].to_vec(),
                ..reply
            },
        }
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");

    let error = must_fail(
        "short",
        dropbox.download("/HW/a.pdf", None).map_ok(drop).boxed(),
    )
    .await;
    assert_eq!(error.kind(), &ErrorKind::Unexpected, "{error:?}");
    assert_eq!(error.sentence(), UNREADABLE);
    assert!(
        error.detail().contains("Content-Length 10000"),
        "{}",
        error.detail()
    );

    let mut download = dropbox
        .download("/HW/a.pdf", None)
        .await
        .expect("the head is consistent");
    assert_eq!(download.content_length, Some(50_000));
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(30),
        download.body.read_to_end(&mut bytes),
    )
    .await
    .expect("no hang");
    assert!(
        read.is_err(),
        "a fifth of the file must not read as all of it ({} bytes)",
        bytes.len()
    );
    assert!(bytes.len() <= 10_000);
}

#[tokio::test]
async fn a_download_is_not_capped() {
    install_crypto();
    let size = 40 * 1024 * 1024;
    let (base, _log, _) = hostile_server(move |_| Reply {
        spaces: size,
        length: Some(size),
        ..Reply::download(&file_result(size), "")
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    let mut download = dropbox.download("/HW/a.pdf", None).await.expect("download");
    let mut read = 0u64;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = download.body.read(&mut buffer).await.expect("body");
        if n == 0 {
            break;
        }
        read += n as u64;
    }
    assert_eq!(read, size, "40 MiB, past the 32 MiB cap of JSON answers");
}

const TOO_LARGE: &str = "Dropbox's answer was larger than 32 MiB, which handin does not expect; \
                         try again, and report it if it persists.";

#[tokio::test]
async fn a_huge_answer_is_cut_off_and_not_retried() {
    install_crypto();
    let hundred_mb = 100_000_000;
    for (what, reply) in [
        ("announced", Reply::huge(200, hundred_mb, true)),
        ("streamed", Reply::huge(200, hundred_mb, false)),
        ("announced server error", Reply::huge(503, hundred_mb, true)),
        ("streamed server error", Reply::huge(503, hundred_mb, false)),
        ("streamed route error", Reply::huge(409, hundred_mb, false)),
    ] {
        let reply = Arc::new(Mutex::new(Some(reply)));
        let (base, log, sent) = hostile_server(move |_| {
            reply
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .unwrap_or_else(|| Reply::json(200, r#"{"file_request_count": 1}"#))
        })
        .await;
        let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
        // A read: any failure worth repeating would be repeated.
        let error = must_fail(what, dropbox.count_requests().map_ok(drop).boxed()).await;
        assert_eq!(error.kind(), &ErrorKind::Unexpected, "{what}: {error:?}");
        assert_eq!(error.sentence(), TOO_LARGE, "{what}");
        assert!(
            error.detail().starts_with("file_requests/count: ")
                && error.detail().contains("33554432"),
            "{what}: {}",
            error.detail()
        );
        assert!(error.detail().len() < 1_000, "{what}: {}", error.detail());
        assert_eq!(recorded(&log).len(), 1, "{what}: not retried");
        // Reading stopped at the cap: the server got out the cap and what socket buffers
        // took (or less, when Content-Length gave it away), not the 100 MB.
        let sent = sent.load(Ordering::SeqCst);
        assert!(
            sent < 80 * 1024 * 1024,
            "{what}: the server sent {sent} bytes"
        );
    }
}

#[tokio::test]
async fn a_large_answer_under_the_cap_is_read() {
    install_crypto();
    // 20 MiB of whitespace around a real answer: odd, but valid JSON under the cap.
    let (base, _log, _) = hostile_server(|_| {
        let mut body = vec![b' '; 20 * 1024 * 1024];
        body.extend_from_slice(br#"{"file_request_count": 7}"#);
        Reply::json(200, body)
    })
    .await;
    let dropbox = Dropbox::new(settings_for(base), "t".into()).expect("client");
    assert_eq!(dropbox.count_requests().await.expect("count"), 7);
}
