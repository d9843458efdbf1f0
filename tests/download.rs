//! The download engine against the emulator over real HTTP: a whole request lands in its
//! layout and verifies, a second run fetches nothing, truncated and corrupted bodies are
//! caught, an interrupted file resumes with `Range`, a file the target refuses fails
//! alone.

#[path = "support/emulator.rs"]
mod emulator_setup;

use std::path::{Path, PathBuf};
use std::time::Duration;

use emulator_setup::empty as emulator;
use handin::download::{self, Cancel, Item, Options, Outcome, Progress, Summary};
use handin::dropbox::content_hash::content_hash;
use handin::dropbox::retry::RetryPolicy;
use handin::dropbox::{ClientSettings, CreateFileRequestArgs, Dropbox};
use handin::emulator::{Emulator, Fault, Submission};
use handin::submissions::Assignments;

fn dropbox(emu: &Emulator) -> Dropbox {
    let settings = ClientSettings {
        api_base: Some(emu.base_url().to_owned()),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            total_budget: Duration::from_secs(10),
        },
        ..ClientSettings::default()
    };
    Dropbox::new(settings, emu.token().to_owned()).expect("client")
}

/// Deterministic bytes that differ per file and span several content-hash blocks when
/// `len` is large.
fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[seed as usize % 4] ^ seed)
        .collect()
}

struct Fixture {
    emu: Emulator,
    dropbox: Dropbox,
    request: handin::dropbox::FileRequest,
    /// (student, file name, content) as uploaded.
    uploads: Vec<(Option<&'static str>, &'static str, Vec<u8>)>,
}

async fn fixture() -> Fixture {
    let emu = emulator().await;
    let dropbox = dropbox(&emu);
    let request = dropbox
        .create_request(CreateFileRequestArgs::new(
            "Lab 1: Intro".to_owned(),
            "/Courses/CS101 Intro/Lab 1".to_owned(),
        ))
        .await
        .expect("request created");
    let uploads = vec![
        (Some("Ada Lovelace"), "essay.pdf", bytes(1, 70_000)),
        (Some("Ada Lovelace"), "essay.pdf", bytes(2, 1_000)),
        (
            Some("Zoë Ångström"),
            "lab report.pdf",
            bytes(3, 9 * 1024 * 1024 + 17),
        ),
        (Some("Alan Turing"), "main.rs", bytes(4, 12)),
        (Some("Grace Hopper"), "empty.txt", Vec::new()),
        (None, "anonymous.zip", bytes(5, 5_000)),
    ];
    for (student, file, content) in &uploads {
        emu.submit(Submission {
            request_id: request.id.clone(),
            student_name: student.map(str::to_owned),
            file_name: (*file).to_owned(),
            content: content.clone(),
            at: None,
        })
        .expect("uploaded");
        // Arrival order decides which of two same-named files keeps the plain name.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Fixture {
        emu,
        dropbox,
        request,
        uploads,
    }
}

impl Fixture {
    async fn plan(&self, root: &Path) -> Vec<Item> {
        download::plan_request(
            &self.dropbox,
            &self.request,
            root,
            "/Courses",
            &Assignments::default(),
            None,
        )
        .await
        .expect("planned")
    }

    async fn run(&self, items: Vec<Item>, attempts: u32) -> Summary {
        download::run(
            &self.dropbox,
            items,
            &Options {
                concurrency: 3,
                attempts,
            },
            &Progress::new(),
            &Cancel::new(),
        )
        .await
    }
}

fn request_dir(root: &Path) -> PathBuf {
    root.join("CS101 Intro").join("Lab 1_ Intro")
}

/// Every file under `root` (relative, sorted), with its content hash.
fn tree(root: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, content_hash(&std::fs::read(&path).unwrap())));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn expected_tree(f: &Fixture) -> Vec<(String, String)> {
    let dir = "CS101 Intro/Lab 1_ Intro";
    let mut expected: Vec<(String, String)> = [
        ("Ada Lovelace/Ada Lovelace - essay.pdf", &f.uploads[0].2),
        ("Ada Lovelace/Ada Lovelace - essay (1).pdf", &f.uploads[1].2),
        (
            "Zoë Ångström/Zoë Ångström - lab report.pdf",
            &f.uploads[2].2,
        ),
        ("Alan Turing/Alan Turing - main.rs", &f.uploads[3].2),
        ("Grace Hopper/Grace Hopper - empty.txt", &f.uploads[4].2),
        ("_unattributed/anonymous.zip", &f.uploads[5].2),
    ]
    .into_iter()
    .map(|(path, content)| (format!("{dir}/{path}"), content_hash(content)))
    .collect();
    expected.sort();
    expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_request_lands_verified_and_a_second_run_fetches_nothing() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items = f.plan(root.path()).await;
    assert_eq!(items.len(), 6);
    let summary = f.run(items, 3).await;
    assert_eq!(summary.downloaded(), 6, "{summary:#?}");
    assert_eq!(summary.failed(), 0);
    assert!(!summary.cancelled);
    assert_eq!(tree(root.path()), expected_tree(&f));
    let total: u64 = f.uploads.iter().map(|u| u.2.len() as u64).sum();
    assert_eq!(summary.bytes_received, total);

    let again = f.run(f.plan(root.path()).await, 3).await;
    assert_eq!(again.skipped(), 6, "{again:#?}");
    assert_eq!(again.bytes_received, 0);
    assert_eq!(again.headline(), "0 downloaded, 6 already there");
    assert_eq!(tree(root.path()), expected_tree(&f));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_body_is_resumed_with_range_and_verifies() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items: Vec<Item> = f
        .plan(root.path())
        .await
        .into_iter()
        .filter(|i| i.label.ends_with("lab report.pdf"))
        .collect();
    f.emu.inject_fault("files/download", Fault::TruncateBody, 1);
    let summary = f.run(items, 3).await;
    let (item, outcome) = &summary.outcomes[0];
    match outcome {
        Outcome::Downloaded { resumed_from, .. } => {
            // The second try continued the half already on disk.
            assert!(*resumed_from > 0, "{outcome:?}");
        }
        other => panic!("expected a download, got {other:?}"),
    }
    assert!(std::fs::read(&item.local).unwrap() == f.uploads[2].2);
    assert!(!item.partial.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_body_is_caught_retried_then_reported() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let only_essay = |items: Vec<Item>| -> Vec<Item> {
        items
            .into_iter()
            .filter(|i| i.label == "Ada Lovelace/Ada Lovelace - essay.pdf")
            .collect()
    };
    // Once: the second try is clean.
    f.emu.inject_fault("files/download", Fault::CorruptBody, 1);
    let summary = f.run(only_essay(f.plan(root.path()).await), 3).await;
    assert_eq!(summary.downloaded(), 1, "{summary:#?}");
    let item = &summary.outcomes[0].0;
    assert!(std::fs::read(&item.local).unwrap() == f.uploads[0].2);
    std::fs::remove_file(&item.local).unwrap();

    // Every time: reported, and nothing left under the final name or as a part.
    f.emu.inject_fault("files/download", Fault::CorruptBody, 3);
    let summary = f.run(only_essay(f.plan(root.path()).await), 3).await;
    let (item, outcome) = &summary.outcomes[0];
    match outcome {
        Outcome::Failed { reason } => assert!(reason.contains("content hash"), "{reason}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(!item.local.exists());
    assert!(!item.partial.exists());
    assert_eq!(summary.headline(), "0 downloaded, 1 failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_resumes_from_the_part_file_next_time() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let big = |items: Vec<Item>| -> Vec<Item> {
        items
            .into_iter()
            .filter(|i| i.label.ends_with("lab report.pdf"))
            .collect()
    };
    // A run that gives up after one cut-short try leaves the half it got as a .part.
    f.emu.inject_fault("files/download", Fault::TruncateBody, 1);
    let first = f.run(big(f.plan(root.path()).await), 1).await;
    let (item, outcome) = &first.outcomes[0];
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
    assert!(!item.local.exists(), "nothing under the final name");
    let half = std::fs::metadata(&item.partial).unwrap().len();
    assert!(half > 0);

    let second = f.run(big(f.plan(root.path()).await), 1).await;
    match &second.outcomes[0].1 {
        Outcome::Downloaded {
            resumed_from,
            bytes,
            ..
        } => {
            assert_eq!(*resumed_from, half);
            assert_eq!(*bytes, f.uploads[2].2.len() as u64);
        }
        other => panic!("expected a resumed download, got {other:?}"),
    }
    assert_eq!(second.bytes_received, f.uploads[2].2.len() as u64 - half);
    assert!(std::fs::read(&item.local).unwrap() == f.uploads[2].2);
    assert!(!item.partial.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_from_another_version_is_thrown_away_and_the_file_still_verifies() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items: Vec<Item> = f
        .plan(root.path())
        .await
        .into_iter()
        .filter(|i| i.label == "Ada Lovelace/Ada Lovelace - essay.pdf")
        .collect();
    let part = items[0].partial.clone();
    std::fs::create_dir_all(part.parent().unwrap()).unwrap();
    std::fs::write(&part, b"not the start of this file").unwrap();
    let summary = f.run(items, 3).await;
    assert_eq!(summary.downloaded(), 1, "{summary:#?}");
    assert!(std::fs::read(&summary.outcomes[0].0.local).unwrap() == f.uploads[0].2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_the_target_refuses_fails_its_files_only() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    // A plain file where Alan Turing's folder should be: refused even for root.
    let request = request_dir(root.path());
    std::fs::create_dir_all(&request).unwrap();
    std::fs::write(request.join("Alan Turing"), b"in the way").unwrap();
    // And a folder nobody may write to (root ignores permissions, so only checked
    // for other users).
    let ada = request.join("Ada Lovelace");
    std::fs::create_dir_all(&ada).unwrap();
    let as_root = unsafe { libc::geteuid() } == 0;
    if !as_root {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&ada, std::fs::Permissions::from_mode(0o500)).unwrap();
    }
    let summary = f.run(f.plan(root.path()).await, 3).await;
    let failed: Vec<&str> = summary
        .failures()
        .map(|(item, _)| item.label.as_str())
        .collect();
    let mut expected_failed = vec!["Alan Turing/Alan Turing - main.rs"];
    if !as_root {
        expected_failed.extend([
            "Ada Lovelace/Ada Lovelace - essay.pdf",
            "Ada Lovelace/Ada Lovelace - essay (1).pdf",
        ]);
    }
    let mut sorted = failed.clone();
    sorted.sort_unstable();
    expected_failed.sort_unstable();
    assert_eq!(sorted, expected_failed, "{summary:#?}");
    for (_, reason) in summary.failures() {
        assert!(
            reason.contains("Alan Turing") || reason.contains("permission denied"),
            "{reason}"
        );
    }
    assert_eq!(summary.downloaded(), 6 - expected_failed.len());
    assert!(
        request
            .join("Zoë Ångström/Zoë Ångström - lab report.pdf")
            .exists()
    );
    if !as_root {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&ada, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_local_copy_is_kept_beside_never_overwritten() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items: Vec<Item> = f
        .plan(root.path())
        .await
        .into_iter()
        .filter(|i| i.label == "Alan Turing/Alan Turing - main.rs")
        .collect();
    let local = items[0].local.clone();
    std::fs::create_dir_all(local.parent().unwrap()).unwrap();
    std::fs::write(&local, b"// graded: 9/10\n").unwrap();
    let summary = f.run(items, 3).await;
    match &summary.outcomes[0].1 {
        Outcome::Downloaded {
            kept: Some(kept), ..
        } => {
            assert_eq!(
                kept.file_name().unwrap(),
                "Alan Turing - main (local copy).rs"
            );
            assert!(std::fs::read(kept).unwrap() == b"// graded: 9/10\n");
        }
        other => panic!("expected the local copy kept, got {other:?}"),
    }
    assert!(std::fs::read(&local).unwrap() == f.uploads[3].2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_keeps_what_is_done_and_says_what_is_left() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items = f.plan(root.path()).await;
    // Every download answers slowly; cancel while they wait.
    f.emu
        .inject_fault("files/download", Fault::Delay(Duration::from_secs(5)), 6);
    let cancel = Cancel::new();
    let progress = Progress::new();
    let started = std::time::Instant::now();
    let run = download::run(
        &f.dropbox,
        items,
        &Options {
            concurrency: 2,
            attempts: 3,
        },
        &progress,
        &cancel,
    );
    let canceller = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(progress.snapshot().in_flight.len(), 2);
        cancel.cancel();
    };
    let (summary, ()) = tokio::join!(run, canceller);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "cancel is prompt"
    );
    assert!(summary.cancelled);
    assert_eq!(summary.not_started(), 6);
    assert!(
        summary.headline().starts_with("cancelled: 0 downloaded"),
        "{}",
        summary.headline()
    );
    assert!(
        tree(root.path())
            .iter()
            .all(|(path, _)| path.ends_with(".part"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_hash_of_the_multi_block_file_matches_dropbox() {
    // The listing's hash (computed by the emulator as Dropbox does) equals ours over
    // the bytes: the big upload spans three 4 MiB blocks.
    let f = fixture().await;
    let items = f.plan(Path::new("/unused")).await;
    let big = items
        .iter()
        .find(|i| i.label.ends_with("lab report.pdf"))
        .unwrap();
    assert_eq!(
        big.content_hash.as_deref(),
        Some(content_hash(&f.uploads[2].2).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_part_left_by_a_kill_before_the_rename_is_installed_without_fetching() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items: Vec<Item> = f
        .plan(root.path())
        .await
        .into_iter()
        .filter(|i| i.label == "Ada Lovelace/Ada Lovelace - essay.pdf")
        .collect();
    let part = items[0].partial.clone();
    std::fs::create_dir_all(part.parent().unwrap()).unwrap();
    std::fs::write(&part, &f.uploads[0].2).unwrap();
    let summary = f.run(items, 3).await;
    assert_eq!(summary.downloaded(), 1, "{summary:#?}");
    assert_eq!(summary.bytes_received, 0);
    assert!(std::fs::read(&summary.outcomes[0].0.local).unwrap() == f.uploads[0].2);
    assert!(!part.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_where_the_partial_file_goes_is_removed_never_written_through() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let items: Vec<Item> = f
        .plan(root.path())
        .await
        .into_iter()
        .filter(|i| i.label == "Ada Lovelace/Ada Lovelace - essay.pdf")
        .collect();
    let victim = root.path().join("bashrc");
    std::fs::write(&victim, b"original").unwrap();
    let partials = items[0].partial.parent().unwrap();
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(partials)
            .unwrap();
    }
    std::os::unix::fs::symlink(&victim, &items[0].partial).unwrap();
    let summary = f.run(items, 3).await;
    assert_eq!(summary.downloaded(), 1, "{summary:#?}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"original");
    assert!(std::fs::read(&summary.outcomes[0].0.local).unwrap() == f.uploads[0].2);
}
