//! `handin download` through the real binary against the emulator: files land in their
//! layout with the right bytes, a second run fetches nothing, a bad id or flag is refused
//! with its exit status, a target that refuses some files fails those alone (exit 3), and
//! a run killed half-way or interrupted with Ctrl-C is finished by the next one.

#[path = "support/cli.rs"]
mod cli_runner;
#[path = "support/emulator.rs"]
mod emulator_setup;

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_runner::{Home, Output, interrupt, run};
use emulator_setup::{create_request, empty as emulator};
use handin::dropbox::FileRequest;
use handin::dropbox::content_hash::content_hash;
use handin::emulator::{Emulator, Fault, Submission};

// ---------------------------------------------------------------------------------------
// Set-up

/// Deterministic bytes that differ per file.
fn bytes(seed: u8, len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(u64::from(seed));
    let mut content = vec![0u8; len];
    rng.fill(&mut content);
    content
}

fn submit(emulator: &Emulator, request: &FileRequest, student: &str, file: &str, content: &[u8]) {
    emulator
        .submit(Submission {
            request_id: request.id.clone(),
            student_name: Some(student.to_owned()),
            file_name: file.to_owned(),
            content: content.to_vec(),
            at: None,
        })
        .expect("uploaded");
}

/// A private home and download folder for one CLI session.
struct Session {
    home: Home,
}

impl Session {
    fn new(emulator: &Emulator) -> Session {
        Session {
            home: Home::for_emulator(emulator),
        }
    }

    fn target(&self) -> PathBuf {
        self.home.path("grading")
    }

    /// `handin download ARGS --to TARGET`, signed in through HANDIN_TOKEN.
    fn command(&self, args: &[&str]) -> Command {
        let target = self.target().display().to_string();
        let mut command = self
            .home
            .command(&[&["download"], args, &["--to", &target]].concat());
        // The usual umask, under which a file made with default permissions is 0644:
        // what handin writes must be private all the same.
        // SAFETY: umask is async-signal-safe and touches nothing shared with the parent.
        unsafe {
            command.pre_exec(|| {
                libc::umask(0o022);
                Ok(())
            });
        }
        command
    }

    async fn run(&self, args: &[&str]) -> Output {
        run(self.command(args)).await
    }
}

/// A file as the assertions compare it: its path under the root, its length and its
/// content hash (never the bytes themselves, which would flood a failure message).
type Found = (String, usize, String);

fn found(path: impl Into<String>, content: &[u8]) -> Found {
    (path.into(), content.len(), content_hash(content))
}

/// Every file under `root`.
fn files_under(root: &Path) -> Vec<Found> {
    fn walk(root: &Path, dir: &Path, found: &mut Vec<Found>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).expect("under root");
                let content = std::fs::read(&path).expect("readable");
                found.push(self::found(relative.to_string_lossy(), &content));
            }
        }
    }
    let mut found = Vec::new();
    walk(root, root, &mut found);
    found.sort();
    found
}

fn parts_under(root: &Path) -> Vec<String> {
    files_under(root)
        .into_iter()
        .map(|(path, _, _)| path)
        .filter(|path| path.ends_with(".part"))
        .collect()
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

// ---------------------------------------------------------------------------------------
// Tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_lands_in_its_layout_and_a_second_run_fetches_nothing() {
    let emulator = emulator().await;
    let lab = create_request(&emulator, "Lab 1: Intro", "/Courses/CS101 Intro/Lab 1").await;
    let other = create_request(&emulator, "Essay", "/Courses/HIST200/Essay").await;
    let ada = bytes(1, 300_000);
    let zoe = bytes(2, 5 * 1024 * 1024 + 3);
    let alan = bytes(3, 12);
    submit(&emulator, &lab, "Ada Lovelace", "main.rs", &ada);
    submit(&emulator, &lab, "Zoë Ångström", "report.pdf", &zoe);
    submit(&emulator, &lab, "Alan Turing", "notes.txt", &alan);
    submit(&emulator, &other, "Ada Lovelace", "essay.pdf", b"elsewhere");
    let session = Session::new(&emulator);

    let first = session.run(&[&lab.id]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.is_empty(), "stdout: {}", first.stdout);
    assert!(first.stderr.contains("3 downloaded"), "{}", first.stderr);
    let folder = "CS101 Intro/Lab 1_ Intro";
    assert!(
        first
            .stderr
            .contains(&session.target().join(folder).display().to_string()),
        "says where the files are: {}",
        first.stderr
    );
    let expected = vec![
        found(
            format!("{folder}/Ada Lovelace/Ada Lovelace - main.rs"),
            &ada,
        ),
        found(
            format!("{folder}/Alan Turing/Alan Turing - notes.txt"),
            &alan,
        ),
        found(
            format!("{folder}/Zoë Ångström/Zoë Ångström - report.pdf"),
            &zoe,
        ),
    ];
    assert_eq!(files_under(&session.target()), expected);

    // Again, this time by course (its folder's name): everything is already there.
    let second = session.run(&["--course", "cs101 intro"]).await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("0 downloaded, 3 already there"),
        "{}",
        second.stderr
    );
    assert!(second.stdout.is_empty());
    assert_eq!(files_under(&session.target()), expected);

    // A Dropbox path names a course too, and both courses can be asked for at once.
    let both = session
        .run(&["--course", "/Courses/CS101 Intro", "--course", "HIST200"])
        .await;
    assert_eq!(both.code, 0, "{}", both.stderr);
    assert!(
        both.stderr.contains("1 downloaded, 3 already there"),
        "{}",
        both.stderr
    );
    assert_eq!(
        std::fs::read(
            session
                .target()
                .join("HIST200/Essay/Ada Lovelace/Ada Lovelace - essay.pdf")
        )
        .expect("the essay landed"),
        b"elsewhere"
    );
}

/// Every folder and file under `root` that is not private (0700 folders, 0600 files),
/// with its mode.
fn not_private_under(root: &Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt as _;
    fn walk(root: &Path, dir: &Path, found: &mut Vec<(String, u32)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let metadata = std::fs::symlink_metadata(&path).expect("metadata");
            let mode = metadata.permissions().mode() & 0o777;
            let private = if metadata.is_dir() { 0o700 } else { 0o600 };
            if mode != private {
                let relative = path.strip_prefix(root).expect("under root");
                found.push((relative.to_string_lossy().into_owned(), mode));
            }
            if metadata.is_dir() {
                walk(root, &path, found);
            }
        }
    }
    let mut found = Vec::new();
    walk(root, root, &mut found);
    found
}

/// A browser's leftover, or a student's trick: an upload named like the partial file of
/// another. It must land as itself and leave the genuine file alone, run after run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_named_like_a_partial_file_never_replaces_the_genuine_one() {
    let emulator = emulator().await;
    let essay = create_request(&emulator, "Essay", "/Courses/CS101/Essay").await;
    let genuine = bytes(7, 700_000);
    let impostor = bytes(8, 300_000);
    submit(&emulator, &essay, "Ada Lovelace", "essay.pdf", &genuine);
    submit(
        &emulator,
        &essay,
        "Ada Lovelace",
        "essay.pdf.part",
        &impostor,
    );
    let session = Session::new(&emulator);
    let folder = "CS101/Essay/Ada Lovelace";
    let mut expected = vec![
        found(format!("{folder}/Ada Lovelace - essay.pdf"), &genuine),
        found(format!("{folder}/Ada Lovelace - essay.pdf.part"), &impostor),
    ];
    expected.sort();

    let first = session.run(&[&essay.id]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("2 downloaded ("), "{}", first.stderr);
    assert_eq!(files_under(&session.target()), expected);
    // Student work is private although the umask (022) would allow 0644.
    assert_eq!(not_private_under(&session.target()), []);

    for _ in 0..2 {
        let again = session.run(&[&essay.id]).await;
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert!(
            again.stderr.contains("0 downloaded, 2 already there"),
            "{}",
            again.stderr
        );
        // Nothing moved aside as "(local copy)", nothing flipped.
        assert_eq!(files_under(&session.target()), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ids_and_flags_are_refused_with_their_exit_status() {
    let emulator = emulator().await;
    let lab = create_request(&emulator, "Lab 1", "/Courses/CS101/Lab 1").await;
    submit(&emulator, &lab, "Ada Lovelace", "a.txt", b"a");
    let session = Session::new(&emulator);

    let unknown = session.run(&["nOsUcHrEqUeSt"]).await;
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains("no file request has the id \"nOsUcHrEqUeSt\""),
        "{}",
        unknown.stderr
    );
    assert_eq!(
        unknown.stderr.trim().lines().count(),
        1,
        "{}",
        unknown.stderr
    );
    assert!(!session.target().exists(), "nothing is created");

    let course = session.run(&["--course", "MATH999"]).await;
    assert_eq!(course.code, 1, "{}", course.stderr);
    assert!(
        course.stderr.contains("MATH999") && course.stderr.contains("CS101"),
        "names the courses there are: {}",
        course.stderr
    );

    let zero = session.run(&[&lab.id, "--concurrency", "0"]).await;
    assert_eq!(zero.code, 2, "{}", zero.stderr);
    assert!(zero.stderr.contains("from 1 to 32"), "{}", zero.stderr);

    let nothing = session.run(&[]).await;
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);

    // A config the command cannot use is bad input too.
    std::fs::write(session.home.config_file(), "download_concurrency = 99\n")
        .expect("config written");
    let config = session.run(&[&lab.id]).await;
    assert_eq!(config.code, 2, "{}", config.stderr);
    assert!(
        config.stderr.contains("between 1 and 32"),
        "{}",
        config.stderr
    );
    std::fs::remove_file(session.home.config_file()).expect("removed");

    // Not signed in: no token, no credentials file.
    let mut command = session.command(&[&lab.id]);
    command.env_remove("HANDIN_TOKEN");
    let output = tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .expect("joined");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not signed in"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Dropbox failing while listing is exit 1 as well, before anything is written.
    emulator.inject_fault("files/list_folder", Fault::ServerError(500), 10);
    let listing = session.run(&[&lab.id]).await;
    assert_eq!(listing.code, 1, "{}", listing.stderr);
    assert!(
        listing
            .stderr
            .contains("could not list the files of \"Lab 1\""),
        "{}",
        listing.stderr
    );
    assert!(!session.target().exists(), "nothing is created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_refuses_some_files_fails_those_alone() {
    let emulator = emulator().await;
    let lab = create_request(&emulator, "Lab 2", "/Courses/CS101/Lab 2").await;
    submit(&emulator, &lab, "Ada Lovelace", "a.txt", b"from ada");
    submit(&emulator, &lab, "Alan Turing", "b.txt", b"from alan");
    submit(&emulator, &lab, "Grace Hopper", "c.txt", b"from grace");
    let session = Session::new(&emulator);
    let folder = session.target().join("CS101/Lab 2");
    std::fs::create_dir_all(&folder).expect("folder");
    let refused = folder.join("Alan Turing");
    if running_as_root() {
        // Root ignores permissions: a file where Alan's folder goes refuses just as well.
        std::fs::write(&refused, b"in the way").expect("obstacle");
    } else {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::create_dir(&refused).expect("folder");
        std::fs::set_permissions(&refused, std::fs::Permissions::from_mode(0o500))
            .expect("read-only");
    }

    let output = session.run(&[&lab.id]).await;
    assert_eq!(output.code, 3, "{}", output.stderr);
    assert!(output.stdout.is_empty());
    assert!(
        output.stderr.contains("2 downloaded, 1 failed"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.lines().any(|line| line
            .trim_start()
            .starts_with("Alan Turing/Alan Turing - b.txt: ")),
        "each failure as `label: reason`: {}",
        output.stderr
    );
    assert_eq!(
        std::fs::read(folder.join("Ada Lovelace/Ada Lovelace - a.txt")).expect("Ada's"),
        b"from ada"
    );
    assert_eq!(
        std::fs::read(folder.join("Grace Hopper/Grace Hopper - c.txt")).expect("Grace's"),
        b"from grace"
    );
    if !running_as_root() {
        use std::os::unix::fs::PermissionsExt as _;
        // Let the temporary folder be removed.
        let _ = std::fs::set_permissions(&refused, std::fs::Permissions::from_mode(0o700));
    }
}

const LARGE_STUDENTS: [&str; 3] = ["Ada Lovelace", "Alan Turing", "Grace Hopper"];

/// Uploads a few large files, so that a run takes long enough to be stopped half-way.
async fn large_request(emulator: &Emulator) -> (FileRequest, Vec<Vec<u8>>) {
    let request = create_request(emulator, "Final", "/Courses/CS101/Final").await;
    let contents: Vec<Vec<u8>> = (0..3).map(|i| bytes(10 + i, 12 * 1024 * 1024)).collect();
    for (student, content) in LARGE_STUDENTS.iter().zip(&contents) {
        submit(emulator, &request, student, "project.zip", content);
    }
    (request, contents)
}

fn expected_large(contents: &[Vec<u8>]) -> Vec<Found> {
    LARGE_STUDENTS
        .iter()
        .zip(contents)
        .map(|(student, content)| {
            found(
                format!("CS101/Final/{student}/{student} - project.zip"),
                content,
            )
        })
        .collect()
}

/// Starts `command` and waits for a `.part` with some bytes in it under `root`;
/// returns the child (still running, unless it finished first).
fn start_until_a_part_appears(mut command: Command, root: &Path) -> std::process::Child {
    let mut child = command.spawn().expect("handin starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let partial = || {
        parts_under(root)
            .iter()
            .any(|part| std::fs::metadata(root.join(part)).is_ok_and(|m| m.len() > 0))
    };
    while !partial() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no .part file appeared within a minute");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_half_way_is_finished_by_the_next() {
    let emulator = emulator().await;
    let (request, contents) = large_request(&emulator).await;
    let session = Session::new(&emulator);
    // One file at a time, each answered after a pause, so the kill lands mid-run.
    emulator.inject_fault(
        "files/download",
        Fault::Delay(Duration::from_millis(200)),
        3,
    );
    let command = {
        let mut command = session.command(&[&request.id, "--concurrency", "1"]);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    };
    let target = session.target();
    let killed = tokio::task::spawn_blocking(move || {
        let mut child = start_until_a_part_appears(command, &target);
        let _ = child.kill(); // SIGKILL: no chance to clean up.
        child.wait().expect("reaped")
    })
    .await
    .expect("joined");
    assert!(!killed.success(), "killed before it finished");
    let left = files_under(&session.target());
    assert!(
        left.iter().any(|(path, _, _)| path.ends_with(".part")),
        "a .part stays for the next run: {left:?}"
    );

    let second = session.run(&[&request.id]).await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("3 downloaded, 1 resumed"),
        "{}",
        second.stderr
    );
    assert_eq!(files_under(&session.target()), expected_large(&contents));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_with_130_and_the_next_run_resumes() {
    let emulator = emulator().await;
    let (request, contents) = large_request(&emulator).await;
    let session = Session::new(&emulator);
    emulator.inject_fault(
        "files/download",
        Fault::Delay(Duration::from_millis(200)),
        3,
    );
    let command = session.command(&[&request.id, "--concurrency", "1"]);
    let target = session.target();
    let child = tokio::task::spawn_blocking(move || start_until_a_part_appears(command, &target))
        .await
        .expect("joined");
    let interrupted = interrupt(child).await;
    let stderr = &interrupted.stderr;
    assert_eq!(interrupted.code, 130, "{stderr}");
    assert!(stderr.contains("cancelled"), "{stderr}");
    assert!(stderr.contains("again to resume"), "{stderr}");
    assert!(interrupted.stdout.is_empty());

    let second = session.run(&[&request.id]).await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("3 downloaded, 1 resumed"),
        "{}",
        second.stderr
    );
    assert_eq!(files_under(&session.target()), expected_large(&contents));
}
