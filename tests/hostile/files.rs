//! A neighbour on the lab machine against what handin writes: folders made open to all
//! before handin came, links planted where it writes, and the modes of what it leaves.

use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::process::Command;

use super::hostile_server::{Answer, Hostile, file, file_request, listing};
use super::*;

const REQUEST_ID: &str = "nZ3sxAbXpq8bD7hbCGkU";
const FOLDER: &str = "/Courses/CS101/Essay";
const NAME: &str = "Ada Lovelace - essay.pdf";
const ESSAY: &[u8] = b"%PDF-1.7 the genuine essay";
const BASHRC: &str = "alias ls='ls --color'\n";

/// A server with one request holding one essay, downloadable.
async fn essay_server() -> Hostile {
    let server = Hostile::start().await;
    server.answer(
        "file_requests/get",
        Answer::Json(file_request(REQUEST_ID, "Essay", FOLDER)),
    );
    server.answer(
        "files/list_folder",
        listing(vec![file(FOLDER, NAME, ESSAY)]),
    );
    server.answer(
        "files/download",
        Answer::Download {
            result: file(FOLDER, NAME, ESSAY),
            body: ESSAY.to_vec(),
        },
    );
    server
}

/// `command` under the usual umask (022), under which a file made with default
/// permissions would be readable by everyone.
fn under_usual_umask(mut command: Command) -> Command {
    // SAFETY: umask is async-signal-safe and touches nothing shared with the parent.
    unsafe {
        command.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    command
}

/// `handin download REQUEST_ID --to root`, under the usual umask.
async fn download_into(home: &Home, root: &Path) -> Output {
    let to = format!("--to={}", root.display());
    run(under_usual_umask(
        home.command(&["download", REQUEST_ID, &to]),
    ))
    .await
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn open_to_all(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).expect("chmod");
}

/// The attack of issue 13: the download folder made beforehand by someone else, open to
/// all, with a link to the professor's ~/.bashrc where handin used to put its `.part`:
/// refused while anyone else may write on the way, then downloaded past the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_link_planted_in_a_folder_open_to_all_is_never_written_through() {
    let server = essay_server().await;
    let home = Home::new(&server.base_url());
    let bashrc = home.path("bashrc");
    std::fs::write(&bashrc, BASHRC).expect("bashrc");
    let root = home.path("shared");
    let student = root.join("CS101/Essay/Ada Lovelace");
    std::fs::create_dir_all(&student).expect("folders");
    for folder in [
        root.clone(),
        root.join("CS101"),
        root.join("CS101/Essay"),
        student.clone(),
    ] {
        open_to_all(&folder);
    }
    std::os::unix::fs::symlink(&bashrc, student.join(format!("{NAME}.part"))).expect("plant");

    let output = download_into(&home, &root).await;
    assert_eq!(output.code, 3, "{output:?}");
    assert!(
        output.stderr.contains("can be written by other users")
            && output.stderr.contains("chmod 700"),
        "{}",
        output.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&bashrc).expect("bashrc"),
        BASHRC,
        "written through the planted link"
    );
    assert!(
        !student.join(NAME).exists(),
        "nothing is put where others write"
    );

    // Made private by the professor (the neighbour's folders inside it still open), the
    // download is refused at the first open folder on the way, and once every folder is
    // the professor's alone it lands, privately, past the planted link.
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let output = download_into(&home, &root).await;
    assert_eq!(output.code, 3, "{output:?}");
    assert!(output.stderr.contains("CS101"), "{}", output.stderr);
    for folder in [
        root.join("CS101"),
        root.join("CS101/Essay"),
        student.clone(),
    ] {
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let output = download_into(&home, &root).await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_eq!(std::fs::read_to_string(&bashrc).expect("bashrc"), BASHRC);
    let essay = student.join(NAME);
    assert!(
        !std::fs::symlink_metadata(&essay)
            .expect("essay")
            .is_symlink()
    );
    assert_eq!(std::fs::read(&essay).expect("essay"), ESSAY);
    assert_eq!(mode(&essay), 0o600, "student work is private");
    assert_eq!(mode(&root.join(".handin-partial")), 0o700);
}

/// The folder of partial files, made beforehand open to all or as a link to somewhere
/// the neighbour reads, is refused with a sentence and nothing is written into it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_folder_open_to_others_or_a_link_is_refused_with_a_sentence() {
    let server = essay_server().await;
    let home = Home::new(&server.base_url());

    let root = home.path("open");
    let partials = root.join(".handin-partial");
    std::fs::create_dir_all(&partials).expect("folders");
    open_to_all(&partials);
    let output = download_into(&home, &root).await;
    assert_eq!(output.code, 3, "{output:?}");
    assert!(
        output.stderr.contains("can be written by other users")
            && output.stderr.contains("chmod 700"),
        "{}",
        output.stderr
    );
    assert_eq!(std::fs::read_dir(&partials).expect("list").count(), 0);
    assert!(!root.join("CS101/Essay/Ada Lovelace").join(NAME).exists());

    let root = home.path("linked");
    let elsewhere = home.path("neighbours");
    std::fs::create_dir_all(&root).expect("root");
    std::fs::create_dir_all(&elsewhere).expect("elsewhere");
    open_to_all(&elsewhere);
    std::os::unix::fs::symlink(&elsewhere, root.join(".handin-partial")).expect("plant");
    let output = download_into(&home, &root).await;
    assert_eq!(output.code, 3, "{output:?}");
    assert!(
        output.stderr.contains("is a link or not a folder"),
        "{}",
        output.stderr
    );
    assert_eq!(std::fs::read_dir(&elsewhere).expect("list").count(), 0);
}

/// The data folder is made by the first thing that writes there, the log: private
/// from the start, and so is the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_the_log_are_private_from_the_first_run() {
    let server = Hostile::start().await;
    let home = Home::new(&server.base_url());
    let output = run(under_usual_umask(home.command(&["requests", "list"]))).await;
    assert_eq!(output.code, 0, "{output:?}");
    assert_eq!(mode(&home.data_dir()), 0o700);
    assert_eq!(mode(&home.data_dir().join("handin.log")), 0o600);
}
