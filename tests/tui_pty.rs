//! The real binary in a pseudo-terminal: what a professor sees and what the terminal is
//! left like afterwards.

mod pty;

use std::time::{Duration, Instant};

use pty::Session;

const START: Duration = Duration::from_secs(30);
const STEP: Duration = Duration::from_secs(10);

/// A title the demo term always has (see src/emulator/seed.rs).
const SEEDED_TITLE: &str = "Project Proposal";
const FILTER_WORD: &str = "lab";

/// The title line of the detail pane: the second line drawn with a top rule.
fn detail_title(screen: &str) -> String {
    screen
        .lines()
        .filter(|line| line.starts_with(' ') && line.contains("───"))
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn start_demo(home: &std::path::Path) -> Session {
    let session = Session::start(&["--demo", "--no-arrivals"], 80, 24, home);
    session.wait_for(SEEDED_TITLE, START);
    session
}

fn assert_restored(session: &mut Session) {
    session.drain_output();
    assert!(!session.alternate_screen(), "the alternate screen was left");
    let raw = session.raw_output();
    let text = String::from_utf8_lossy(&raw);
    let left = text
        .rfind("\u{1b}[?1049l")
        .expect("leaves the alternate screen");
    let entered = text
        .rfind("\u{1b}[?1049h")
        .expect("entered the alternate screen");
    assert!(left > entered, "the last switch is back to the main screen");
    assert!(
        text[left..].contains("\u{1b}[?25h")
            || text[..left].rfind("\u{1b}[?25h") > text[..left].rfind("\u{1b}[?25l"),
        "the cursor is shown again"
    );
}

#[test]
fn demo_lists_navigates_filters_and_quits_cleanly() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = start_demo(home.path());
    let screen = session.screen();
    assert!(screen.contains("Requests"), "{screen}");
    assert!(screen.contains("File requests ("), "{screen}");

    // The detail pane's title follows the selection.
    let first = detail_title(&session.screen());
    session.type_text("j");
    session.wait_for_change(|screen| detail_title(screen) != first, STEP);
    session.type_text("k");
    session.wait_for_change(|screen| detail_title(screen) == first, STEP);
    session.type_text("/");
    session.type_text(FILTER_WORD);
    // Each keystroke filters; wait for the whole word before looking at the count.
    session.wait_for(&format!("/ {FILTER_WORD} "), STEP);
    session.wait_for(" of 13)", STEP);
    session.send(b"\r");
    session.wait_for(&format!("filter: {FILTER_WORD}"), STEP);
    session.send(b"\x1b");
    session.wait_for_absence("filter:", STEP);

    session.type_text("?");
    session.wait_for("Keys: Requests", STEP);
    session.type_text("x");
    session.wait_for_absence("Keys: Requests", STEP);

    session.type_text("3");
    session.wait_for("Courses root", STEP);
    session.type_text("1");
    session.wait_for(SEEDED_TITLE, STEP);

    session.type_text("q");
    assert_eq!(session.wait_exit(STEP), 0);
    assert_restored(&mut session);
}

#[test]
fn the_binary_never_sees_the_developers_display_ssh_or_tmux() {
    let home = tempfile::tempdir().expect("tempdir");
    let command = pty::command(&["--demo"], &[], home.path());
    for variable in pty::CLIPBOARD_ENVIRONMENT {
        assert_eq!(command.get_env(variable), None, "{variable} reaches handin");
    }
    assert_eq!(
        command.get_env("HOME"),
        Some(home.path().as_os_str()),
        "and its files stay in the test's home"
    );
}

#[test]
fn sighup_ends_it_at_once_with_129() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = start_demo(home.path());
    let sent = Instant::now();
    session.signal("HUP");
    assert_eq!(session.wait_for_exit(Duration::from_secs(1)), 129);
    assert!(sent.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_dropped_terminal_ends_it_within_a_second() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = start_demo(home.path());
    let pid = session.pid();
    let sent = Instant::now();
    session.hang_up();
    assert_eq!(session.wait_for_exit(Duration::from_secs(1)), 129);
    assert!(sent.elapsed() < Duration::from_secs(1));
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/stat")).exists() || pty::cpu_seconds(pid) < 5.0
    );
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = start_demo(home.path());
    session.signal("TERM");
    assert_eq!(session.wait_exit(STEP), 143);
    assert_restored(&mut session);
}

#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = start_demo(home.path());
    session.signal("INT");
    assert_eq!(session.wait_exit(STEP), 130);
    assert_restored(&mut session);
}

#[test]
fn ctrl_c_quits_with_0() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = start_demo(home.path());
    session.send(b"\x03");
    assert_eq!(session.wait_exit(STEP), 0);
    assert_restored(&mut session);
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_in_a_spawned_task_restores_the_terminal_logs_and_exits_1() {
    let home = tempfile::tempdir().expect("tempdir");
    let tmp = private_folder(home.path(), "tmp");
    let tmp_env = tmp.to_str().expect("utf-8");
    let mut session = Session::start_with_env(
        &["--demo", "--no-arrivals"],
        &[
            ("HANDIN_TEST_PANIC_IN_TASK", "1"),
            ("TMPDIR", tmp_env),
            ("XDG_RUNTIME_DIR", ""),
        ],
        80,
        24,
        home.path(),
    );
    assert_eq!(session.wait_exit(START), 1);
    assert_restored(&mut session);
    let screen = session.screen();
    assert!(screen.contains("internal error"), "{screen}");
    let log = std::fs::read_to_string(home.path().join("data/handin.log")).expect("log file");
    assert!(log.contains("deliberate panic in a spawned task"), "{log}");
    assert_eq!(demo_folders(&tmp), Vec::<std::path::PathBuf>::new());
}

/// A folder `name` in `home`, 0700, as a login manager makes `$XDG_RUNTIME_DIR`.
fn private_folder(home: &std::path::Path, name: &str) -> std::path::PathBuf {
    use std::os::unix::fs::DirBuilderExt as _;
    let folder = home.join(name);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&folder)
        .expect("folder");
    folder
}

/// What the demo left in `parent`: anything named `handin-demo*`.
fn demo_folders(parent: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(parent)
        .expect("list")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("handin-demo"))
        })
        .collect();
    found.sort();
    found
}

/// The demo's downloads, letters and class lists live in one fresh private folder, in
/// `$XDG_RUNTIME_DIR` when that is private, else in the temporary directory; neither a
/// hang-up nor SIGTERM leaves it behind.
#[test]
fn the_demos_scratch_folder_is_private_and_gone_after_a_hang_up_or_sigterm() {
    use std::os::unix::fs::PermissionsExt as _;
    for (signal, code, runtime_is_private) in [("HUP", 129, false), ("TERM", 143, true)] {
        let home = tempfile::tempdir().expect("tempdir");
        let tmp = private_folder(home.path(), "tmp");
        let runtime = private_folder(home.path(), "run");
        if !runtime_is_private {
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        let mut session = Session::start_with_env(
            &["--demo", "--no-arrivals"],
            &[
                ("TMPDIR", tmp.to_str().expect("utf-8")),
                ("XDG_RUNTIME_DIR", runtime.to_str().expect("utf-8")),
            ],
            80,
            24,
            home.path(),
        );
        session.wait_for(SEEDED_TITLE, START);
        let (used, unused) = if runtime_is_private {
            (&runtime, &tmp)
        } else {
            (&tmp, &runtime)
        };
        let scratch = demo_folders(used);
        assert_eq!(scratch.len(), 1, "one scratch folder: {scratch:?}");
        assert_eq!(demo_folders(unused), Vec::<std::path::PathBuf>::new());
        let mode = std::fs::symlink_metadata(&scratch[0])
            .expect("scratch")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{}", scratch[0].display());
        for folder in ["downloads", "mail", "rosters"] {
            assert!(scratch[0].join(folder).is_dir(), "{folder}");
        }

        session.signal(signal);
        assert_eq!(session.wait_for_exit(STEP), code, "after SIG{signal}");
        assert_eq!(
            demo_folders(used),
            Vec::<std::path::PathBuf>::new(),
            "left behind after SIG{signal}"
        );
    }
}

#[test]
fn without_a_terminal_it_refuses_with_one_sentence() {
    let home = tempfile::tempdir().expect("tempdir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_handin"))
        .arg("--demo")
        .env("HANDIN_DATA_DIR", home.path().join("data"))
        .env("HANDIN_CONFIG", home.path().join("config.toml"))
        .output()
        .expect("run handin");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_bad_config_file_is_reported_with_its_line_and_kept() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "courses_root = \"/Courses\"\nretry_attempts = \"many\"\n",
    )
    .expect("write");
    let mut session = Session::start(&["--token", "t"], 80, 24, home.path());
    let code = session.wait_exit(STEP);
    assert_eq!(code, 2);
    let screen = session.screen();
    assert!(screen.contains("line 2"), "{screen}");
    assert!(screen.contains("retry_attempts"), "{screen}");
    assert_eq!(
        std::fs::read_to_string(&config).expect("read"),
        "courses_root = \"/Courses\"\nretry_attempts = \"many\"\n"
    );
}

#[test]
fn without_credentials_it_starts_and_says_how_to_sign_in() {
    let home = tempfile::tempdir().expect("tempdir");
    // A closed port: nothing may reach the real Dropbox from a test.
    let mut session = Session::start(&["--api-base", "http://127.0.0.1:9"], 100, 24, home.path());
    let screen = session.wait_for("not signed in", START);
    assert!(screen.contains("handin auth login"), "{screen}");
    session.type_text("3");
    let screen = session.wait_for("Sign-in", STEP);
    assert!(screen.contains("l signs in with OAuth"), "{screen}");
    session.type_text("q");
    assert_eq!(session.wait_exit(STEP), 0);
    assert_restored(&mut session);
}

/// The upload link in the detail pane.
fn link_on(screen: &str) -> String {
    screen
        .lines()
        .find_map(|line| line.strip_prefix("Link      "))
        .map(|link| link.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn a_request_typed_into_the_form_is_listed_copied_closed_and_deleted() {
    use base64::Engine as _;
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = Session::start(&["--demo", "--no-arrivals"], 80, 24, home.path());
    session.wait_for(SEEDED_TITLE, START);

    session.type_text("n");
    session.wait_for("New file request", STEP);
    session.type_text("Quiz 7 - Recursion");
    session.send(b"\t\t");
    session.type_text("+3d");
    session.wait_for("in 3 days", STEP);
    session.send(b"\x13"); // Ctrl-S
    let screen = session.wait_for("Created", STEP);
    assert!(screen.contains(" Quiz 7 - Recursion ─"), "{screen}");
    session.wait_for("14 of 4,000", STEP);
    let link = link_on(&screen);
    assert!(
        link.starts_with("https://www.dropbox.com/request/"),
        "{screen}"
    );

    session.type_text("y");
    session.wait_for("OSC 52", STEP);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&link);
    let raw = String::from_utf8_lossy(&session.raw_output()).to_string();
    assert!(
        raw.contains(&format!("\u{1b}]52;c;{encoded}")),
        "the OSC 52 sequence carries the link"
    );

    session.type_text("x");
    session.wait_for("Close “Quiz 7 - Recursion”?", STEP);
    session.type_text("y");
    session.wait_for("Closed “Quiz 7 - Recursion”", STEP);

    session.type_text("d");
    session.wait_for("Delete “Quiz 7 - Recursion”?", STEP);
    session.type_text("y");
    let screen = session.wait_for("Deleted “Quiz 7 - Recursion”", STEP);
    assert!(!screen.contains(" Quiz 7 - Recursion ─"), "{screen}");
    session.wait_for("13 of 4,000", STEP);

    session.type_text("q");
    assert_eq!(session.wait_exit(STEP), 0);
    assert_restored(&mut session);
}
