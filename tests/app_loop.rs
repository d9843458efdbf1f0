//! The real loop (`app::run`) on a TestBackend with scripted keys, against the emulator
//! over real HTTP: everything but the terminal itself is the production path.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use handin::app::{self, Exit, Services, Signal};
use handin::clipboard::{Clipboard, Copied, CopyRoute};
use handin::credentials::{CredentialStore, Credentials};
use handin::dropbox::{ClientSettings, CreateFileRequestArgs, Dropbox};
use handin::emulator::{AccountType, Emulator, EmulatorOptions, Fault, Seed};
use handin::state::{Environment, State, Tab};
use handin::time::Zone;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::mpsc;

#[path = "support/browser.rs"]
mod browser;
#[path = "support/smtp.rs"]
mod smtp;

/// A TestBackend the test can read while the loop owns the terminal.
#[derive(Clone)]
struct SharedBackend(Arc<Mutex<TestBackend>>);

impl SharedBackend {
    fn screen(&self) -> String {
        let backend = self.0.lock().expect("backend lock");
        let buffer = backend.buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    async fn wait_for_absence(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "{text:?} stayed on screen:\n{}",
                self.screen()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared; the screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Backend for SharedBackend {
    type Error = <TestBackend as Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.0.lock().expect("backend lock").draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.lock().expect("backend lock").hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.lock().expect("backend lock").show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.lock().expect("backend lock").get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0
            .lock()
            .expect("backend lock")
            .set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.lock().expect("backend lock").clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0
            .lock()
            .expect("backend lock")
            .clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.0.lock().expect("backend lock").size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.lock().expect("backend lock").window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.lock().expect("backend lock").flush()
    }
}

fn key(code: KeyCode) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Records copies where the test can read them while the loop owns the clipboard.
struct SharedClipboard(Arc<Mutex<Vec<String>>>);

impl Clipboard for SharedClipboard {
    fn copy(&mut self, text: &str) -> Result<Copied, String> {
        self.0
            .lock()
            .expect("clipboard lock")
            .push(text.to_string());
        Ok(Copied {
            route: CopyRoute::Terminal,
            note: None,
        })
    }
}

struct Harness {
    backend: SharedBackend,
    copied: Arc<Mutex<Vec<String>>>,
    keys: mpsc::UnboundedSender<std::io::Result<Event>>,
    signals: mpsc::UnboundedSender<Signal>,
    run: tokio::task::JoinHandle<(std::io::Result<Exit>, State)>,
    emulator: Emulator,
}

async fn start(seed: Seed) -> Harness {
    start_with(seed, None).await
}

async fn start_with(seed: Seed, config_path: Option<std::path::PathBuf>) -> Harness {
    start_full(seed, config_path, true, None).await
}

/// Starts with nobody signed in; credentials go to `store` when there is one.
async fn start_signed_out(store: Option<CredentialStore>) -> Harness {
    start_full(Seed::Demo, None, false, store).await
}

async fn start_full(
    seed: Seed,
    config_path: Option<std::path::PathBuf>,
    signed_in: bool,
    credentials: Option<CredentialStore>,
) -> Harness {
    start_configured(seed, config_path, signed_in, credentials, None).await
}

/// The demo term with every course's class list and dry-run mail, all under `dir`
/// (never the home folder). Returns the folder the letters are written to.
async fn start_mailing(dir: &std::path::Path) -> (Harness, std::path::PathBuf) {
    let mut config = handin::config::Config::default();
    for (index, (course, csv)) in handin::emulator::demo_rosters().into_iter().enumerate() {
        let path = dir.join(format!("roster-{index}.csv"));
        std::fs::write(&path, csv).expect("write roster");
        config.rosters.insert(course, path);
    }
    let letters = dir.join("mail");
    config.mail.transport = handin::config::MailTransport::DryRun;
    config.mail.dry_run_dir = Some(letters.clone());
    config.mail.from = Some("Prof. Test <prof@university.example>".to_string());
    config.mail.pause_ms = 0;
    let harness = start_configured(Seed::Demo, None, true, None, Some(config)).await;
    (harness, letters)
}

/// The letters the dry run wrote, as (file, text).
fn letters_in(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut letters: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "eml"))
        .map(|entry| std::fs::read_to_string(entry.path()).expect("a letter"))
        .collect();
    letters.sort();
    letters
}

/// The number in front of `after` on `screen` ("28 students" -> 28).
fn number_before(screen: &str, after: &str) -> usize {
    let at = screen
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} is not on screen:\n{screen}"));
    screen[..at]
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no number before {after:?}:\n{screen}"))
}

/// The demo term with downloads going to `dir` (never the home folder).
async fn start_downloading(dir: &std::path::Path) -> Harness {
    let config = handin::config::Config {
        download_dir: Some(dir.to_path_buf()),
        ..handin::config::Config::default()
    };
    start_configured(Seed::Demo, None, true, None, Some(config)).await
}

async fn start_configured(
    seed: Seed,
    config_path: Option<std::path::PathBuf>,
    signed_in: bool,
    credentials: Option<CredentialStore>,
    config: Option<handin::config::Config>,
) -> Harness {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emulator = Emulator::start(
        "127.0.0.1:0".parse().expect("address"),
        EmulatorOptions {
            seed,
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("emulator");
    let settings = ClientSettings {
        api_base: Some(emulator.base_url().to_string()),
        ..ClientSettings::default()
    };
    let settings_for_loop = settings.clone();
    let dropbox = if signed_in {
        Dropbox::new(settings, emulator.token().to_string()).expect("client")
    } else {
        Dropbox::signed_out(settings).expect("client")
    };
    let auth = dropbox.auth_status();
    let backend = SharedBackend(Arc::new(Mutex::new(TestBackend::new(80, 24))));
    let (keys, key_stream) = mpsc::unbounded_channel();
    let (signals, signal_stream) = mpsc::unbounded_channel();
    let mut terminal = Terminal::new(backend.clone()).expect("terminal");
    let copied = Arc::new(Mutex::new(Vec::new()));
    let clipboard = SharedClipboard(Arc::clone(&copied));
    let run = tokio::spawn(async move {
        let mut state = State::new(
            chrono::Utc::now(),
            Zone::utc(),
            Environment {
                source: "emulator".to_string(),
                color: true,
                ..Environment::default()
            },
        );
        if let Some(config) = config {
            state = state.with_config(config);
        }
        state.settings.auth = Some(auth);
        let result = app::run(
            &mut terminal,
            tokio_stream_from(key_stream),
            tokio_stream_from(signal_stream),
            &mut state,
            Services {
                dropbox,
                clipboard,
                config_path,
                credentials,
                client_settings: settings_for_loop,
                assignments_path: None,
                bell: None,
                mail_log_path: None,
                smtp_password: None,
            },
            chrono::Utc::now,
        )
        .await;
        (result, state)
    });
    Harness {
        backend,
        copied,
        keys,
        signals,
        run,
        emulator,
    }
}

fn tokio_stream_from<T: Send + 'static>(
    receiver: mpsc::UnboundedReceiver<T>,
) -> impl futures::Stream<Item = T> + Unpin {
    use futures::StreamExt as _;
    futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
    .boxed()
}

impl Harness {
    fn press(&self, code: KeyCode) {
        self.keys.send(key(code)).expect("loop is running");
    }

    fn ctrl(&self, c: char) {
        self.keys
            .send(Ok(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::CONTROL,
            ))))
            .expect("loop is running");
    }

    fn paste(&self, text: &str) {
        self.keys
            .send(Ok(Event::Paste(text.to_string())))
            .expect("loop is running");
    }

    /// Filters the table down to `title` and keeps the filter, selecting that request.
    async fn select(&self, title: &str) {
        self.press(KeyCode::Char('/'));
        self.type_text(title);
        self.press(KeyCode::Enter);
        self.backend.wait_for(&format!(" {title} ─")).await;
    }

    /// The emulator's file requests, as its state JSON has them.
    fn requests(&self) -> Vec<serde_json::Value> {
        self.emulator.snapshot_json()["file_requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn request_titled(&self, title: &str) -> Option<serde_json::Value> {
        self.requests().into_iter().find(|r| r["title"] == title)
    }

    fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    async fn finish(self) -> (Exit, State) {
        let (result, state) = tokio::time::timeout(Duration::from_secs(20), self.run)
            .await
            .expect("the loop ends")
            .expect("the loop task");
        (result.expect("no terminal error"), state)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loads_from_the_emulator_navigates_filters_and_quits() {
    let harness = start(Seed::Demo).await;
    let screen = harness.backend.wait_for("Project Proposal").await;
    assert!(screen.contains("File requests (13)"), "{screen}");
    harness.press(KeyCode::Char('j'));
    harness.press(KeyCode::Char('/'));
    harness.type_text("lab");
    harness.backend.wait_for("/ lab").await;
    harness.backend.wait_for(" of 13)").await;
    harness.press(KeyCode::Enter);
    harness.press(KeyCode::Char('3'));
    harness.backend.wait_for("Signed in as").await;
    harness.press(KeyCode::Char('q'));
    let (exit, state) = harness.finish().await;
    assert_eq!(exit, Exit::Quit);
    assert_eq!(state.tab, Tab::Settings);
    assert_eq!(state.requests.filter_text(), "lab");
    assert!(state.requests.visible.len() < state.requests.rows.len());
    assert!(state.requests.visible.iter().all(|&i| {
        let r = &state.requests.rows[i].request;
        format!("{} {}", r.title, r.destination.clone().unwrap_or_default())
            .to_lowercase()
            .contains("lab")
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_account_says_so() {
    let harness = start(Seed::Empty).await;
    harness.backend.wait_for("No file requests yet").await;
    harness.press(KeyCode::Char('q'));
    assert_eq!(harness.finish().await.0, Exit::Quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_ends_the_loop_with_its_exit() {
    let harness = start(Seed::Empty).await;
    harness.backend.wait_for("File requests (").await;
    harness
        .signals
        .send(Signal::Terminate)
        .expect("loop is running");
    let (exit, _) = harness.finish().await;
    assert_eq!(exit, Exit::Terminated);
    assert_eq!(exit.code(), 143);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_terminal_input_ends_the_loop() {
    let harness = start(Seed::Empty).await;
    harness.backend.wait_for("File requests (").await;
    harness
        .keys
        .send(Err(std::io::Error::other("terminal gone")))
        .expect("loop is running");
    assert_eq!(harness.finish().await.0, Exit::TerminalGone);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_counts_requests_against_the_limit() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("13 of 4,000 allowed").await;
    // Another client (the website, a colleague) adds a request the loaded list does not
    // have. The list and Dropbox's count now differ: the header's limit line must come
    // from `count`, which every change asks again.
    let other = Dropbox::new(
        ClientSettings {
            api_base: Some(harness.emulator.base_url().to_string()),
            ..ClientSettings::default()
        },
        harness.emulator.token().to_string(),
    )
    .expect("client");
    other
        .create_request(CreateFileRequestArgs::new(
            "Made elsewhere".to_string(),
            "/Courses/Elsewhere".to_string(),
        ))
        .await
        .expect("created");
    harness.select("Project Proposal").await;
    harness.press(KeyCode::Char('x'));
    harness.backend.wait_for("Close “Project Proposal”?").await;
    harness.press(KeyCode::Char('y'));
    let screen = harness.backend.wait_for("Closed “Project Proposal”").await;
    let screen = if screen.contains("14 of 4,000 allowed") {
        screen
    } else {
        harness.backend.wait_for("14 of 4,000 allowed").await
    };
    assert!(
        screen.contains("File requests (1 of 13)"),
        "the list is still the one loaded:\n{screen}"
    );
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    assert_eq!(state.requests.count, Some(14));
    assert_eq!(state.requests.rows.len(), 13);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_created_in_the_form_exists_on_dropbox() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.press(KeyCode::Char('n'));
    harness.backend.wait_for("New file request").await;
    harness.type_text("Lab 9 - Graphs");
    harness.press(KeyCode::Tab);
    harness.press(KeyCode::Tab);
    harness.type_text("+7d");
    harness.backend.wait_for("in 7 days").await;
    harness.press(KeyCode::Tab);
    harness.press(KeyCode::Right);
    harness.press(KeyCode::Tab);
    harness.type_text("One PDF, named after you.");
    harness.press(KeyCode::Tab);
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("Created").await;
    assert!(
        screen.contains(" Lab 9 - Graphs ─"),
        "the new request is selected:\n{screen}"
    );
    // Dropbox's count follows the change (its answer may come a moment later).
    harness.backend.wait_for("14 of 4,000").await;

    let created = harness
        .request_titled("Lab 9 - Graphs")
        .expect("created on the emulator");
    assert_eq!(created["destination"], "/Courses/Lab 9 - Graphs");
    assert_eq!(created["is_open"], true);
    assert_eq!(created["description"], "One PDF, named after you.");
    assert_eq!(created["deadline"]["allow_late_uploads"][".tag"], "one_day");
    let deadline =
        handin::time::parse_dropbox(created["deadline"]["deadline"].as_str().unwrap_or(""))
            .expect("a Dropbox timestamp");
    let in_a_week = chrono::Utc::now() + chrono::Duration::days(7);
    assert!(
        (deadline - in_a_week).num_minutes().abs() <= 1,
        "{deadline}"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_stay_in_the_form_and_nothing_is_created() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.emulator.inject_fault(
        "file_requests/create",
        Fault::RouteError("email_unverified".to_string()),
        1,
    );
    harness.press(KeyCode::Char('n'));
    harness.type_text("Essay 1");
    harness.ctrl('s');
    let screen = harness.backend.wait_for("verif").await;
    assert!(
        screen.contains("New file request"),
        "the form stays open:\n{screen}"
    );
    assert!(screen.contains("Essay 1"), "{screen}");
    assert!(harness.request_titled("Essay 1").is_none());

    // Deadlines on a Basic account: Dropbox's validation_error, inside the form.
    harness.emulator.set_account_type(AccountType::Basic);
    harness.press(KeyCode::Tab);
    harness.press(KeyCode::Tab);
    harness.type_text("+3d");
    harness.ctrl('s');
    let screen = harness
        .backend
        .wait_for("Dropbox rejected these settings")
        .await;
    assert!(screen.contains("New file request"), "{screen}");
    assert!(harness.request_titled("Essay 1").is_none());
    let screen = harness.backend.screen();
    assert!(
        screen.contains("Essay 1") && screen.contains("+3d"),
        "{screen}"
    );

    // Once the account allows it, the same form goes through.
    harness.emulator.set_account_type(AccountType::Pro);
    harness.ctrl('s');
    harness.backend.wait_for("Created").await;
    assert!(harness.request_titled("Essay 1").is_some());
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_sends_only_the_changed_title() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    let before = harness.request_titled("Project Proposal").expect("seeded");
    harness.select("Project Proposal").await;
    harness.press(KeyCode::Char('e'));
    harness.backend.wait_for("Edit file request").await;
    harness.press(KeyCode::End);
    harness.type_text(" (final)");
    harness.ctrl('s');
    harness.backend.wait_for("Saved").await;
    let after = harness
        .request_titled("Project Proposal (final)")
        .expect("renamed");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(
        after["deadline"], before["deadline"],
        "the deadline was not touched"
    );
    assert_eq!(after["destination"], before["destination"]);
    let screen = harness.backend.screen();
    assert!(
        screen.contains(" Project Proposal (final) ─"),
        "still selected:\n{screen}"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_reopen_and_delete_ask_first_and_reach_dropbox() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Project Proposal").await;

    harness.press(KeyCode::Char('x'));
    let screen = harness.backend.wait_for("Close “Project Proposal”?").await;
    assert!(screen.contains("uploaded files stay in"), "{screen}");
    harness.press(KeyCode::Char('n'));
    harness
        .backend
        .wait_for_absence("Close “Project Proposal”?")
        .await;
    assert_eq!(
        harness.request_titled("Project Proposal").expect("kept")["is_open"],
        true
    );

    harness.press(KeyCode::Char('x'));
    harness.backend.wait_for("Close “Project Proposal”?").await;
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for("Closed “Project Proposal”").await;
    assert_eq!(
        harness.request_titled("Project Proposal").expect("kept")["is_open"],
        false
    );

    harness.press(KeyCode::Char('x'));
    harness
        .backend
        .wait_for("Reopened “Project Proposal”")
        .await;
    assert_eq!(
        harness.request_titled("Project Proposal").expect("kept")["is_open"],
        true
    );

    // An open request: delete offers to close it first.
    harness.press(KeyCode::Char('d'));
    let screen = harness.backend.wait_for("is open").await;
    assert!(screen.contains("close and delete it"), "{screen}");
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for("Deleted “Project Proposal”").await;
    assert!(harness.request_titled("Project Proposal").is_none());
    assert!(
        harness.emulator.snapshot_json()["entries"]
            .as_array()
            .is_some_and(|entries| entries.iter().any(|e| e["path_display"]
                .as_str()
                .is_some_and(|p| p.contains("Project Proposal/")))),
        "the uploaded files stay"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_all_closed_names_what_goes() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    let closed = harness
        .requests()
        .iter()
        .filter(|r| r["is_open"] == false)
        .count();
    assert!(closed >= 2);
    harness.press(KeyCode::Char('D'));
    let screen = harness
        .backend
        .wait_for(&format!(
            "Delete every closed request ({closed} listed here)?"
        ))
        .await;
    assert!(screen.contains("stay in their folders"), "{screen}");
    assert!(
        screen.contains("every closed request on the account"),
        "{screen}"
    );
    harness.press(KeyCode::Char('y'));
    harness
        .backend
        .wait_for(&format!("Deleted {closed} closed requests"))
        .await;
    assert!(harness.requests().iter().all(|r| r["is_open"] == true));
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_is_copied_and_shown_as_a_qr_code() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Project Proposal").await;
    let url = harness.request_titled("Project Proposal").expect("seeded")["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for("OSC 52").await;
    assert_eq!(*harness.copied.lock().expect("lock"), vec![url.clone()]);
    harness.press(KeyCode::Char('Q'));
    let screen = harness.backend.wait_for("▀").await;
    let under_the_code = screen
        .lines()
        .skip_while(|line| !line.contains('▀'))
        .any(|line| line.contains(&url));
    assert!(
        under_the_code,
        "the URL is printed under the code:\n{screen}"
    );
    harness.press(KeyCode::Char(' '));
    harness.backend.wait_for_absence("▀").await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_of_create_is_one_sentence_in_the_form() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.press(KeyCode::Char('n'));
    harness.type_text("Essay 2");
    let refusals = [
        ("email_unverified", "verified email"),
        ("no_write_permission", "can't write to the destination"),
        ("validation_error", "rejected these settings"),
        ("rate_limit", "limit of 4,000"),
        ("not_a_folder", "is a file, not a folder"),
        ("invalid_location", "can't collect into that folder"),
        ("app_lacks_access", "its own app folder"),
        ("disabled_for_team", "turned off file requests"),
        ("no_permission", "You may not change"),
    ];
    for (tag, phrase) in refusals {
        harness.emulator.inject_fault(
            "file_requests/create",
            Fault::RouteError(tag.to_string()),
            1,
        );
        harness.ctrl('s');
        let screen = harness.backend.wait_for(phrase).await;
        assert!(
            screen.contains("New file request"),
            "{tag}: the form stays:\n{screen}"
        );
        assert!(
            screen.contains("Essay 2"),
            "{tag}: what was typed stays:\n{screen}"
        );
        assert!(
            harness.request_titled("Essay 2").is_none(),
            "{tag}: nothing created"
        );
    }
    // q is text while the form is open; Esc asks before dropping what was typed.
    harness.press(KeyCode::Esc);
    harness.backend.wait_for("Discard what you typed?").await;
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for_absence("New file request").await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_edited_in_place_is_saved_and_a_bad_one_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("handin").join("config.toml");
    let harness = start_with(Seed::Empty, Some(path.clone())).await;
    harness.press(KeyCode::Char('3'));
    harness.backend.wait_for("Courses root").await;
    // Downloads at once: a bad value first.
    for _ in 0..3 {
        harness.press(KeyCode::Char('j'));
    }
    harness.press(KeyCode::Enter);
    harness.ctrl('u');
    harness.type_text("99");
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("not a number from 1 to 32").await;
    assert!(!path.exists(), "nothing written for a refused value");
    harness.ctrl('u');
    harness.type_text("8");
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Saved download_concurrency").await;
    let saved = handin::config::Config::load(&path).expect("a valid file");
    assert_eq!(saved.download_concurrency, 8);

    // Courses root: the new value is used by the form at once.
    harness.press(KeyCode::Home);
    harness.press(KeyCode::Enter);
    harness.ctrl('u');
    harness.type_text("/Teaching/2026");
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Saved courses_root").await;
    assert_eq!(
        handin::config::Config::load(&path)
            .expect("valid")
            .courses_root,
        "/Teaching/2026"
    );
    assert_eq!(saved.download_concurrency, 8);
    harness.press(KeyCode::Char('1'));
    harness.press(KeyCode::Char('n'));
    harness.backend.wait_for("/Teaching/2026/").await;
    harness.press(KeyCode::Esc);
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

/// A bracketed paste (a real `Event::Paste`) lands in a setting's value as typed text does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_value_takes_a_paste() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("handin").join("config.toml");
    let harness = start_with(Seed::Empty, Some(path.clone())).await;
    harness.press(KeyCode::Char('3'));
    harness.backend.wait_for("Courses root").await;
    harness.press(KeyCode::Home);
    harness.press(KeyCode::Enter);
    harness.ctrl('u');
    harness.paste("/Teaching/Spring\n");
    harness.backend.wait_for("/Teaching/Spring").await;
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Saved courses_root").await;
    assert_eq!(
        handin::config::Config::load(&path)
            .expect("valid")
            .courses_root,
        "/Teaching/Spring"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

/// `--api-base` and `--app-key` are laid over the file for one run; a setting saved from
/// the screen writes its own key and nothing of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flag_given_for_one_run_never_reaches_the_config_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "# Mine.\ncourses_root = \"/Courses\"\n").expect("write");
    let file = handin::config::Config::load(&path).expect("valid");
    let effective = handin::config::Overrides {
        api_base: Some("http://127.0.0.1:9".to_string()),
        app_key: Some("flagkey".to_string()),
        select_user: None,
    }
    .apply(&file)
    .expect("valid");
    let harness =
        start_configured(Seed::Empty, Some(path.clone()), true, None, Some(effective)).await;
    harness.press(KeyCode::Char('3'));
    harness.backend.wait_for("Courses root").await;
    harness.press(KeyCode::Enter);
    harness.ctrl('u');
    harness.type_text("/Teaching");
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Saved courses_root").await;
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "# Mine.\ncourses_root = \"/Teaching\"\n"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_config_folder_keeps_the_old_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A file where the config folder should be: creating the folder fails.
    let blocker = dir.path().join("handin");
    std::fs::write(&blocker, "not a folder").expect("write");
    let harness = start_with(Seed::Empty, Some(blocker.join("config.toml"))).await;
    harness.press(KeyCode::Char('3'));
    harness.backend.wait_for("Courses root").await;
    harness.press(KeyCode::Enter);
    harness.ctrl('u');
    harness.type_text("/Elsewhere");
    harness.press(KeyCode::Enter);
    let screen = harness
        .backend
        .wait_for("Could not save the settings")
        .await;
    assert!(screen.contains("▸ Courses root       /Courses"), "{screen}");
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    assert_eq!(state.config().courses_root, "/Courses");
}

/// Opens a fresh form, filling the title, the folder and the deadline.
async fn fill_form(harness: &Harness, title: &str, folder: Option<&str>, deadline: &str) {
    harness.press(KeyCode::Char('n'));
    harness.backend.wait_for("New file request").await;
    if title.chars().count() > 100 {
        harness.paste(title);
    } else {
        harness.type_text(title);
    }
    harness.press(KeyCode::Tab);
    if let Some(folder) = folder {
        harness.ctrl('u');
        harness.type_text(folder);
    }
    harness.press(KeyCode::Tab);
    harness.type_text(deadline);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_in_the_form_and_nothing_reaches_dropbox() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    let before = harness.requests().len();
    let long_title = "x".repeat(5_000);
    let cases: [(&str, Option<&str>, &str, &str); 10] = [
        ("", None, "", "A title is required"),
        ("   ", None, "", "A title is required"),
        ("Lab", Some("Courses/x"), "", "The folder must start with /"),
        ("Lab", Some("/"), "", "Uploads cannot go to the top"),
        (
            "Lab",
            Some("/Courses/a\u{7}b"),
            "",
            "contains control characters",
        ),
        (&long_title, None, "", "The title is 5000 characters long"),
        ("Lab", None, "31/02", "has no 31st"),
        ("Lab", None, "2020-01-01", "That deadline is in the past"),
        ("Lab", None, "+0d", "after now"),
        ("Lab", None, "next blursday", "blursday"),
    ];
    for (title, folder, deadline, phrase) in cases {
        fill_form(&harness, title, folder, deadline).await;
        // Fields show their problems as they are typed: wait until every key has landed,
        // so the check below is about the submit, not about a half-typed field.
        if let Some(folder) = folder {
            let shown = folder.replace('\u{7}', "");
            harness.backend.wait_for(&shown[..shown.len().min(9)]).await;
        }
        if !deadline.is_empty() {
            harness.backend.wait_for(deadline).await;
        }
        harness.ctrl('s');
        let screen = harness.backend.wait_for(phrase).await;
        let case = format!("{:.20?} {folder:?} {deadline:?}", title);
        assert!(
            screen.contains("New file request"),
            "{case}: the form stays:\n{screen}"
        );
        if !title.trim().is_empty() {
            assert!(
                screen.contains(&title[..title.len().min(20)]),
                "{case}: the title stays:\n{screen}"
            );
        }
        if let Some(folder) = folder {
            let shown = folder.replace('\u{7}', "");
            assert!(
                screen.contains(&shown[..shown.len().min(6)]),
                "{case}: the folder stays:\n{screen}"
            );
        }
        assert!(
            screen.contains(deadline),
            "{case}: the deadline stays:\n{screen}"
        );
        assert_eq!(harness.requests().len(), before, "{case}: nothing created");
        // Discarding asks first, as something was typed.
        harness.press(KeyCode::Esc);
        if title.is_empty() && folder.is_none() && deadline.is_empty() {
            harness.backend.wait_for_absence("New file request").await;
        } else {
            harness.backend.wait_for("Discard what you typed?").await;
            harness.press(KeyCode::Char('y'));
            harness.backend.wait_for_absence("New file request").await;
        }
    }
    // A valid request goes through, and it is the only one created: whatever a refused
    // form might have sent would have landed before it.
    fill_form(&harness, "Photo contest 📷", None, "").await;
    harness.ctrl('s');
    harness.backend.wait_for("Created").await;
    assert_eq!(harness.requests().len(), before + 1);
    let created = harness
        .request_titled("Photo contest 📷")
        .expect("the emoji title reached Dropbox");
    assert_eq!(created["destination"], "/Courses/Photo contest 📷");
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_completion_suggests_the_seeded_courses_and_tab_takes_one() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.press(KeyCode::Char('n'));
    harness.type_text("Lab 9");
    harness.press(KeyCode::Tab);
    harness.ctrl('u');
    harness.type_text("/Courses/");
    let screen = harness
        .backend
        .wait_for("↳ /Courses/CS101 Intro to Programming")
        .await;
    assert!(screen.contains("Tab takes it"), "{screen}");
    harness.type_text("m");
    harness
        .backend
        .wait_for("↳ /Courses/MATH210 Linear Algebra")
        .await;
    harness.press(KeyCode::Tab);
    harness
        .backend
        .wait_for("/Courses/MATH210 Linear Algebra/ ")
        .await;
    harness.type_text("Lab 9");
    harness.ctrl('s');
    harness.backend.wait_for("Created").await;
    let created = harness.request_titled("Lab 9").expect("created");
    assert_eq!(
        created["destination"],
        "/Courses/MATH210 Linear Algebra/Lab 9"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_cleared_in_the_form_is_cleared_on_dropbox() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    let before = harness.request_titled("Project Proposal").expect("seeded");
    assert!(before["deadline"].is_object(), "seeded with a deadline");
    harness.select("Project Proposal").await;
    harness.press(KeyCode::Char('e'));
    harness.backend.wait_for("Edit file request").await;
    harness.press(KeyCode::Tab);
    harness.press(KeyCode::Tab);
    harness.ctrl('u');
    harness.backend.wait_for("needs a deadline").await;
    harness.ctrl('s');
    harness.backend.wait_for("Saved “Project Proposal”").await;
    let after = harness.request_titled("Project Proposal").expect("kept");
    assert!(after["deadline"].is_null(), "{after}");
    assert_eq!(after["description"], before["description"]);
    let screen = harness.backend.screen();
    assert!(screen.contains("Deadline  none"), "{screen}");
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_asked_for_before_a_change_does_not_bring_it_back() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Project Proposal").await;
    harness.emulator.inject_fault(
        "file_requests/list_v2",
        Fault::Delay(Duration::from_millis(1_500)),
        1,
    );
    harness.press(KeyCode::Char('r'));
    harness.backend.wait_for("loading").await;
    harness.press(KeyCode::Char('x'));
    harness.backend.wait_for("Close “Project Proposal”?").await;
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for("Closed “Project Proposal”").await;
    // The reload ends (no spinner left turning) with the close still shown.
    harness.backend.wait_for_absence("loading").await;
    let screen = harness.backend.screen();
    assert!(screen.contains("Status    closed"), "{screen}");
    assert_eq!(
        harness.request_titled("Project Proposal").expect("kept")["is_open"],
        false
    );
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    assert_eq!(state.requests.load, handin::state::Load::Loaded);
    let row = state.requests.selected_row().expect("selected");
    assert_eq!(row.request.title, "Project Proposal");
    assert!(!row.request.is_open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_while_a_submit_is_on_its_way_closes_the_form_and_the_answer_still_lands() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.emulator.inject_fault(
        "file_requests/create",
        Fault::Delay(Duration::from_millis(800)),
        1,
    );
    harness.press(KeyCode::Char('n'));
    harness.type_text("Essay 5");
    harness.ctrl('s');
    harness.backend.wait_for("sending").await;
    harness.press(KeyCode::Esc);
    harness.backend.wait_for_absence("New file request").await;
    let screen = harness.backend.wait_for("Created “Essay 5”").await;
    assert!(screen.contains(" Essay 5 ─"), "selected:\n{screen}");
    assert!(harness.request_titled("Essay 5").is_some());
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_in_the_form_asks_then_quits() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.press(KeyCode::Char('n'));
    harness.type_text("Essay");
    harness.ctrl('c');
    harness
        .backend
        .wait_for("Quit and discard what you typed?")
        .await;
    harness.press(KeyCode::Char('y'));
    let (exit, _) = harness.finish().await;
    assert_eq!(exit, Exit::Quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paste_goes_in_at_the_cursor() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.press(KeyCode::Char('n'));
    harness.type_text("Lab report");
    for _ in 0.."report".len() {
        harness.press(KeyCode::Left);
    }
    harness.paste("4 - final\n");
    harness.type_text(" ");
    harness.backend.wait_for("Lab 4 - final report").await;
    harness.ctrl('s');
    harness.backend.wait_for("Created").await;
    assert!(harness.request_titled("Lab 4 - final report").is_some());
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_change_waits_and_says_so() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Homework 2 – Control Flow").await;
    harness.emulator.inject_fault(
        "file_requests/update",
        Fault::Delay(Duration::from_millis(800)),
        1,
    );
    harness.press(KeyCode::Char('x'));
    harness.backend.wait_for("Reopening").await;
    harness.press(KeyCode::Char('n'));
    harness.backend.wait_for("One change at a time").await;
    let screen = harness
        .backend
        .wait_for("Reopened “Homework 2 – Control Flow”")
        .await;
    assert!(!screen.contains("New file request"), "{screen}");
    assert_eq!(
        harness
            .request_titled("Homework 2 – Control Flow")
            .expect("kept")["is_open"],
        true
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

impl Harness {
    fn ctrl_u_then(&self, text: &str) {
        self.ctrl('u');
        self.type_text(text);
    }

    /// Sets the app key in the Settings tab (in memory: no config file here).
    async fn set_app_key(&self, key: &str) {
        self.press(KeyCode::Char('3'));
        self.backend.wait_for("App key").await;
        let row = handin::state::SettingKey::ALL
            .iter()
            .position(|k| *k == handin::state::SettingKey::AppKey)
            .expect("listed");
        self.press(KeyCode::Home);
        for _ in 0..row {
            self.press(KeyCode::Char('j'));
        }
        self.press(KeyCode::Enter);
        self.ctrl_u_then(key);
        self.press(KeyCode::Enter);
        self.backend.wait_for("Saved app_key").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_from_the_settings_tab_with_oauth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = CredentialStore::new(dir.path().join("credentials.toml"));
    let harness = start_signed_out(Some(store.clone())).await;
    harness.backend.wait_for("not signed in").await;

    // Without an app key, l says what is missing.
    harness.press(KeyCode::Char('3'));
    harness.press(KeyCode::Char('l'));
    harness.backend.wait_for("needs your app's key").await;
    harness.set_app_key("handintestapp").await;

    harness.press(KeyCode::Char('l'));
    harness.backend.wait_for("Paste the code here").await;
    let url = harness
        .copied
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("the link was copied");
    assert!(url.contains("code_challenge_method=S256"), "{url}");

    // A wrong code: one sentence, the step stays open.
    harness.type_text("not-a-code");
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("did not accept that code").await;

    let code = browser::approve_in_browser(&url, "allow").await;
    harness.ctrl_u_then(&code);
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Signed in with OAuth").await;
    let screen = harness.backend.wait_for("Signed in as").await;
    assert!(screen.contains("OAuth, renewed by itself"), "{screen}");
    assert!(matches!(store.load(), Ok(Some(Credentials::OAuth { .. }))));

    // The requests load now that handin is signed in.
    harness.press(KeyCode::Char('1'));
    harness.backend.wait_for("Project Proposal").await;

    // Sign out: asks, revokes, forgets.
    harness.press(KeyCode::Char('3'));
    harness.press(KeyCode::Char('o'));
    harness.backend.wait_for("Sign out?").await;
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for("Signed out").await;
    assert!(matches!(store.load(), Ok(None)));
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_token_is_checked_before_it_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = CredentialStore::new(dir.path().join("credentials.toml"));
    let harness = start_signed_out(Some(store.clone())).await;
    harness.press(KeyCode::Char('3'));
    harness.press(KeyCode::Char('t'));
    harness.backend.wait_for("Paste a token").await;
    harness.type_text("sl.garbage");
    let screen = harness.backend.screen();
    assert!(
        !screen.contains("sl.garbage"),
        "the token is masked:\n{screen}"
    );
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("no longer accepts").await;
    assert!(
        matches!(store.load(), Ok(None)),
        "a refused token is not stored"
    );

    harness.ctrl('u');
    harness.type_text(harness.emulator.token());
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Token accepted").await;
    harness.backend.wait_for("a pasted access token").await;
    assert!(matches!(store.load(), Ok(Some(Credentials::Token { .. }))));
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_token_acts_as_the_member_picked_in_settings() {
    let harness = start_signed_out(None).await;
    harness.press(KeyCode::Char('3'));
    harness.press(KeyCode::Char('t'));
    harness.type_text(&harness.emulator.team_token());
    harness.press(KeyCode::Enter);
    // Without a member, Dropbox refuses user routes: the sentence says what to do.
    harness.backend.wait_for("choose the member").await;
    harness.press(KeyCode::Esc);
    harness.press(KeyCode::Char('m'));
    let screen = harness.backend.wait_for("Act as which team member?").await;
    assert!(screen.contains('@'), "{screen}");
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("Signed in as").await;
    assert!(screen.contains("Team "), "{screen}");
    harness.press(KeyCode::Char('1'));
    harness.backend.wait_for("Project Proposal").await;
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    assert!(
        state
            .config()
            .select_user
            .as_deref()
            .is_some_and(|id| id.starts_with("dbmid:"))
    );
}

/// Opens `title` in the Submissions tab and waits for its files.
async fn open_submissions(harness: &Harness, title: &str) -> String {
    harness.backend.wait_for("Project Proposal").await;
    harness.select(title).await;
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Received").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_lists_who_handed_in_and_when() {
    let harness = start(Seed::Demo).await;
    let screen = open_submissions(&harness, "Project Proposal").await;
    assert!(screen.contains("Student"), "{screen}");
    assert!(screen.contains("Received"), "{screen}");
    // The deadline is ahead: everything so far is on time.
    assert!(screen.contains("on time"), "{screen}");
    assert!(!screen.contains("late "), "{screen}");
    let files = harness.request_titled("Project Proposal").expect("seeded")["file_count"]
        .as_u64()
        .unwrap_or_default();
    assert!(screen.contains(&format!("{files} files")), "{screen}");
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_upload_appears_without_a_key_press() {
    let harness = start(Seed::Demo).await;
    open_submissions(&harness, "Project Proposal").await;
    let request = harness.request_titled("Project Proposal").expect("seeded");
    let before = request["file_count"].as_u64().unwrap_or_default();
    // Give the watch a moment to start its long poll, as a professor would.
    tokio::time::sleep(Duration::from_millis(200)).await;
    harness
        .emulator
        .submit(handin::emulator::Submission {
            request_id: request["id"].as_str().unwrap_or_default().to_string(),
            student_name: Some("Grace Hopper".to_string()),
            file_name: "proposal.pdf".to_string(),
            content: b"%PDF-1.7 proposal".to_vec(),
            at: None,
        })
        .expect("submitted");
    let screen = harness.backend.wait_for("Grace Hopper").await;
    assert!(screen.contains("1 new in Project Proposal"), "{screen}");
    assert!(
        screen.contains(&format!("{} files", before + 1)),
        "{screen}"
    );
    // The Requests tab's count follows.
    harness.press(KeyCode::Char('1'));
    harness.backend.wait_for(&format!("{}", before + 1)).await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_folder_was_removed_says_so() {
    let harness = start(Seed::Demo).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Lab 0 – Safety Quiz").await;
    harness.press(KeyCode::Enter);
    harness
        .backend
        .wait_for("folder of this request was removed")
        .await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_roster_the_class_view_counts_who_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let harness = start(Seed::Demo).await;
    let screen = open_submissions(&harness, "Project Proposal").await;
    // Someone who handed in, taken from the list, and someone who never will.
    let submitted = screen
        .lines()
        // The file list starts with the column of download marks.
        .skip_while(|line| !line.trim_start().starts_with("Student"))
        .skip(1)
        .filter_map(|line| line.trim_start().split("  ").next())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty() && name != "unattributed")
        .expect("a named student row");
    let roster = dir.path().join("cs101.csv");
    std::fs::write(
        &roster,
        format!("name,email\n{submitted},first@example.edu\nNobody Atall,nobody@example.edu\n"),
    )
    .expect("write roster");
    harness.press(KeyCode::Char('R'));
    harness.ctrl('u');
    harness.type_text(&roster.display().to_string());
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("1 submitted").await;
    assert!(screen.contains("1 missing"), "{screen}");
    assert!(screen.contains("Nobody Atall"), "{screen}");
    // v goes back to the files.
    harness.press(KeyCode::Char('v'));
    harness.backend.wait_for("Received").await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_roster_is_refused_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let harness = start(Seed::Demo).await;
    open_submissions(&harness, "Project Proposal").await;
    let roster = dir.path().join("bad.csv");
    std::fs::write(
        &roster,
        "name,email\nAda,ada@example.edu\nBob,ada@example.edu\n",
    )
    .expect("write roster");
    harness.press(KeyCode::Char('R'));
    harness.ctrl('u');
    harness.type_text(&roster.display().to_string());
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("line 3").await;
    assert!(screen.contains("Roster:"), "{screen}");
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_course_grid_shows_every_request_of_the_course() {
    let dir = tempfile::tempdir().expect("tempdir");
    let harness = start(Seed::Demo).await;
    open_submissions(&harness, "Project Proposal").await;
    harness.press(KeyCode::Char('c'));
    harness.backend.wait_for("needs the course's roster").await;
    let roster = dir.path().join("cs101.csv");
    let csv = handin::emulator::demo_rosters()
        .into_iter()
        .find(|(course, _)| course.contains("CS101"))
        .map(|(_, csv)| csv)
        .expect("a demo roster for CS101");
    std::fs::write(&roster, csv).expect("write roster");
    harness.press(KeyCode::Char('R'));
    harness.ctrl('u');
    harness.type_text(&roster.display().to_string());
    harness.press(KeyCode::Enter);
    harness.backend.wait_for(" submitted, ").await;
    harness.press(KeyCode::Char('c'));
    let screen = harness
        .backend
        .wait_for("every request of the course")
        .await;
    let screen = if screen.contains("#1") {
        screen
    } else {
        harness.backend.wait_for("#1").await
    };
    // Columns for each CS101 request, named in the legend.
    let cs101 = harness
        .requests()
        .iter()
        .filter(|r| {
            r["destination"]
                .as_str()
                .is_some_and(|d| d.contains("CS101"))
        })
        .count();
    assert!(screen.contains(&format!("#{cs101}")), "{screen}");
    assert!(screen.contains("Project Proposal"), "{screen}");
    assert!(screen.contains('✓'), "{screen}");
    harness.press(KeyCode::Char('v'));
    harness.backend.wait_for("Received").await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_too_old_for_dropbox_lists_the_folder_again() {
    let harness = start(Seed::Demo).await;
    open_submissions(&harness, "Project Proposal").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Every cursor handed out so far is now too old: the watch gets `reset`.
    harness.emulator.expire_cursors();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let request = harness.request_titled("Project Proposal").expect("seeded");
    harness
        .emulator
        .submit(handin::emulator::Submission {
            request_id: request["id"].as_str().unwrap_or_default().to_string(),
            student_name: Some("Katherine Johnson".to_string()),
            file_name: "orbits.pdf".to_string(),
            content: b"%PDF-1.7 orbits".to_vec(),
            at: None,
        })
        .expect("submitted");
    // Only a watch that survived the reset sees this file without a key press.
    harness.backend.wait_for("Katherine Johnson").await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_deleted_under_the_view_says_so() {
    let harness = start(Seed::Demo).await;
    open_submissions(&harness, "Project Proposal").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let request = harness.request_titled("Project Proposal").expect("seeded");
    harness
        .emulator
        .remove_folder(request["destination"].as_str().unwrap_or_default());
    let screen = harness
        .backend
        .wait_for("folder of this request was removed")
        .await;
    assert!(
        !screen.contains("on time"),
        "no file is left listed:\n{screen}"
    );
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

// Downloads: `w`/`W` in the Submissions tab, the overlay, and the files on disk.

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path.strip_prefix(dir).expect("under dir").to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// (size, content hash) of every file the emulator holds under `folder`, sorted.
fn remote_files(harness: &Harness, folder: &str) -> Vec<(u64, String)> {
    let below = format!("{}/", folder.to_lowercase());
    let mut files: Vec<(u64, String)> = harness.emulator.snapshot_json()["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| entry[".tag"] == "file")
        .filter(|entry| {
            entry["path_lower"]
                .as_str()
                .is_some_and(|path| path.starts_with(&below))
        })
        .map(|entry| {
            (
                entry["size"].as_u64().unwrap_or_default(),
                entry["content_hash"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shift_w_downloads_every_file_of_the_request_and_a_second_run_finds_them_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let harness = start_downloading(dir.path()).await;
    let request = harness.request_titled("Project Proposal").expect("seeded");
    let destination = request["destination"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let content = b"%PDF-1.7 Grace's proposal, byte for byte".to_vec();
    harness
        .emulator
        .submit(handin::emulator::Submission {
            request_id: request["id"].as_str().unwrap_or_default().to_string(),
            student_name: Some("Grace Hopper".to_string()),
            file_name: "proposal.pdf".to_string(),
            content: content.clone(),
            at: None,
        })
        .expect("submitted");
    open_submissions(&harness, "Project Proposal").await;
    harness.press(KeyCode::Char('W'));
    let screen = harness.backend.wait_for("Download finished").await;
    assert!(screen.contains("The files are in"), "{screen}");

    let remote = remote_files(&harness, &destination);
    let folder = dir
        .path()
        .join("CS101 Intro to Programming")
        .join("Project Proposal");
    let local = files_under(&folder);
    assert!(
        local.iter().all(|path| path.components().count() == 2),
        "every file sits in its student's folder: {local:?}"
    );
    assert!(
        !files_under(dir.path())
            .iter()
            .any(|path| path.to_string_lossy().ends_with(".part")),
        "no .part file is left"
    );
    let mut on_disk: Vec<(u64, String)> = local
        .iter()
        .map(|path| {
            let bytes = std::fs::read(folder.join(path)).expect("readable");
            (
                bytes.len() as u64,
                handin::dropbox::content_hash::content_hash(&bytes),
            )
        })
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, remote, "every file, with Dropbox's bytes");
    let grace = folder
        .join("Grace Hopper")
        .join("Grace Hopper - proposal.pdf");
    assert_eq!(std::fs::read(&grace).expect("Grace's file"), content);
    let screen = harness.backend.screen();
    assert!(
        screen.contains(&format!("{} downloaded", remote.len())),
        "{screen}"
    );

    // Again, hidden at once: the status bar has the headline and the key for details.
    harness.press(KeyCode::Enter);
    harness.backend.wait_for_absence("Download finished").await;
    harness.press(KeyCode::Char('W'));
    harness.press(KeyCode::Char('h'));
    let headline = format!("0 downloaded, {} already there", remote.len());
    let screen = harness.backend.wait_for(&headline).await;
    assert!(screen.contains("p for details"), "{screen}");
    harness.press(KeyCode::Char('p'));
    harness.backend.wait_for("Download finished").await;
    harness.press(KeyCode::Esc);
    harness.backend.wait_for_absence("Download finished").await;
    harness.press(KeyCode::Char('q'));
    let (exit, state) = harness.finish().await;
    assert_eq!(exit, Exit::Quit);
    assert!(!state.downloads.running);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn space_marks_files_and_w_downloads_exactly_those() {
    let dir = tempfile::tempdir().expect("tempdir");
    let harness = start_downloading(dir.path()).await;
    open_submissions(&harness, "Project Proposal").await;
    harness.press(KeyCode::Char(' '));
    harness.press(KeyCode::Char(' '));
    let screen = harness.backend.wait_for("2 marked").await;
    assert_eq!(screen.matches('●').count(), 2, "{screen}");
    harness.press(KeyCode::Char('w'));
    let screen = harness.backend.wait_for("Download finished").await;
    assert!(screen.contains("2 downloaded"), "{screen}");
    harness.press(KeyCode::Enter);
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    let subs = &state.submissions;
    // The two files at the top were marked (space moves down after marking).
    let marked: Vec<&str> = subs.visible[..2]
        .iter()
        .map(|&i| subs.submissions[i].file_id.as_str())
        .collect();
    let Some(Ok(summary)) = &state.downloads.outcome else {
        panic!("a summary: {:?}", state.downloads.outcome);
    };
    let mut fetched: Vec<&str> = summary
        .outcomes
        .iter()
        .map(|(item, _)| item.remote.as_str())
        .collect();
    let mut expected = marked.clone();
    fetched.sort_unstable();
    expected.sort_unstable();
    assert_eq!(fetched, expected);
    let local = files_under(dir.path());
    assert_eq!(local.len(), 2, "{local:?}");
    for (item, _) in &summary.outcomes {
        assert!(item.local.is_file(), "{}", item.local.display());
    }
    assert!(subs.marked.is_empty(), "the marks were used");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_a_slow_download_and_the_summary_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let harness = start_downloading(dir.path()).await;
    open_submissions(&harness, "Project Proposal").await;
    harness
        .emulator
        .inject_fault("files/download", Fault::Delay(Duration::from_secs(5)), 100);
    let started = Instant::now();
    harness.press(KeyCode::Char('W'));
    let screen = harness.backend.wait_for("Downloading to").await;
    assert!(screen.contains("Esc cancels"), "{screen}");
    harness.backend.wait_for("In flight").await;
    harness.press(KeyCode::Esc);
    let screen = harness.backend.wait_for("Download cancelled").await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancelled without waiting for the slow answers"
    );
    assert!(screen.contains("cancelled: 0 downloaded"), "{screen}");
    assert!(screen.contains("resume"), "{screen}");
    assert!(
        files_under(dir.path())
            .iter()
            .all(|path| path.to_string_lossy().ends_with(".part")),
        "nothing half-done is in place"
    );
    harness.press(KeyCode::Enter);
    harness.press(KeyCode::Char('q'));
    let (exit, state) = harness.finish().await;
    assert_eq!(exit, Exit::Quit);
    let Some(Ok(summary)) = &state.downloads.outcome else {
        panic!("a summary");
    };
    assert!(summary.cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn m_invites_the_class_one_letter_each_and_the_detail_pane_keeps_the_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (harness, letters) = start_mailing(dir.path()).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Project Proposal").await;
    harness.press(KeyCode::Char('m'));
    let screen = harness.backend.wait_for("Recipients (").await;
    let class = number_before(&screen, " students chosen");
    assert!(class > 10, "{screen}");
    assert!(screen.contains("Preview"), "{screen}");
    assert!(screen.contains("Via dry run"), "{screen}");
    // One student fewer: the cursor starts on the first, Space leaves them out.
    harness.press(KeyCode::Char(' '));
    harness
        .backend
        .wait_for(&format!("{} of {class} students chosen", class - 1))
        .await;
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("Send the invitation").await;
    assert!(
        screen.contains(&format!("{} messages", class - 1)),
        "{screen}"
    );
    assert!(letters_in(&letters).is_empty(), "nothing before the yes");
    harness.press(KeyCode::Char('y'));
    let screen = harness.backend.wait_for("Done.").await;
    assert!(screen.contains(&format!("{} sent", class - 1)), "{screen}");
    let written = letters_in(&letters);
    assert_eq!(written.len(), class - 1);
    let url = harness.request_titled("Project Proposal").expect("seeded")["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        written.iter().all(|letter| letter.contains(&url)),
        "every letter carries the link"
    );
    harness.press(KeyCode::Esc);
    harness.backend.wait_for_absence("Results (").await;
    harness
        .backend
        .wait_for(&format!("Mail      invited {} on", class - 1))
        .await;
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    assert!(state.mail.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shift_m_reminds_only_the_students_the_class_view_counts_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (harness, letters) = start_mailing(dir.path()).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Project Proposal").await;
    // From the Requests tab: handin lists the folder itself to find who is missing.
    harness.press(KeyCode::Char('M'));
    let screen = harness.backend.wait_for("not handed in").await;
    let missing = number_before(&screen, " students have not handed in");
    assert!(missing > 0, "{screen}");
    assert!(
        screen.contains(&format!(" · {missing} of ")),
        "only the missing are chosen: {screen}"
    );
    harness.press(KeyCode::Enter);
    harness.backend.wait_for("Send the reminder").await;
    harness.press(KeyCode::Char('y'));
    harness.backend.wait_for("Done.").await;
    assert_eq!(letters_in(&letters).len(), missing);
    harness.press(KeyCode::Esc);
    harness.backend.wait_for_absence("Results (").await;
    harness
        .backend
        .wait_for(&format!("Mail      reminded {missing} on"))
        .await;
    // The Submissions tab's class view counts the same students missing.
    harness.press(KeyCode::Enter);
    harness
        .backend
        .wait_for(&format!("{missing} missing"))
        .await;
    // A second reminder from there says they were reminded already.
    harness.press(KeyCode::Char('M'));
    let screen = harness.backend.wait_for("not handed in").await;
    assert!(
        screen.contains(&format!("{missing} of the chosen were already reminded")),
        "{screen}"
    );
    harness.press(KeyCode::Esc);
    harness.backend.wait_for_absence("not handed in").await;
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_without_a_sender_says_which_setting_to_fill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = handin::config::Config::default();
    for (index, (course, csv)) in handin::emulator::demo_rosters().into_iter().enumerate() {
        let path = dir.path().join(format!("roster-{index}.csv"));
        std::fs::write(&path, csv).expect("write roster");
        config.rosters.insert(course, path);
    }
    config.mail.smtp_host = Some("smtp.university.example".to_string());
    let harness = start_configured(Seed::Demo, None, true, None, Some(config)).await;
    harness.backend.wait_for("Project Proposal").await;
    harness.select("Project Proposal").await;
    harness.press(KeyCode::Char('m'));
    let screen = harness.backend.wait_for("Cannot send yet").await;
    assert!(screen.contains("mail.from"), "{screen}");
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("mail.from").await;
    assert!(!screen.contains("Send the invitation"), "{screen}");
    harness.press(KeyCode::Esc);
    harness.press(KeyCode::Char('q'));
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_address_is_reported_the_others_go_and_r_tries_it_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = handin::config::Config::default();
    let mut refused = String::new();
    for (index, (course, csv)) in handin::emulator::demo_rosters().into_iter().enumerate() {
        let path = dir.path().join(format!("roster-{index}.csv"));
        if refused.is_empty() {
            // The first student of the first course: their server says no.
            refused = csv
                .lines()
                .nth(1)
                .and_then(|line| line.rsplit(',').next())
                .unwrap_or_default()
                .to_string();
        }
        std::fs::write(&path, csv).expect("write roster");
        config.rosters.insert(course, path);
    }
    let server = smtp::SmtpServer::start(smtp::Options {
        refuse: vec![refused.clone()],
        login: None,
    });
    config.mail.smtp_host = Some("127.0.0.1".to_string());
    config.mail.smtp_port = server.port();
    config.mail.smtp_security = handin::config::SmtpSecurity::None;
    config.mail.from = Some("Prof. Test <prof@university.example>".to_string());
    config.mail.pause_ms = 0;
    let harness = start_configured(Seed::Demo, None, true, None, Some(config)).await;
    harness.backend.wait_for("Project Proposal").await;
    // A CS101 request: the first course's class list.
    harness.select("Project Proposal").await;
    harness.press(KeyCode::Char('m'));
    let screen = harness.backend.wait_for("Recipients (").await;
    let class = number_before(&screen, " students chosen");
    assert!(screen.contains("Via 127.0.0.1:"), "{screen}");
    // The refused student (first on the list) and the next two: a connection each.
    harness.press(KeyCode::Char('a'));
    harness.type_text("   ");
    harness
        .backend
        .wait_for(&format!("3 of {class} students chosen"))
        .await;
    harness.press(KeyCode::Enter);
    let screen = harness.backend.wait_for("Send the invitation").await;
    assert!(screen.contains("go through 127.0.0.1:"), "{screen}");
    harness.press(KeyCode::Char('y'));
    let screen = harness.backend.wait_for("Done, with failures.").await;
    assert!(screen.contains("2 sent · 1 failed"), "{screen}");
    assert_eq!(server.messages().len(), 2);
    assert!(
        server
            .messages()
            .iter()
            .all(|message| message.to.len() == 1 && message.to[0] != refused),
        "one student per message, never the refused one"
    );
    assert!(screen.contains("r sends the failed again"), "{screen}");
    harness.press(KeyCode::Char('r'));
    let screen = harness.backend.wait_for("Send again (1 message)?").await;
    assert!(screen.contains("1 message, one per student"), "{screen}");
    harness.press(KeyCode::Char('y'));
    // Still refused: the one letter was tried again, nobody else was written to twice.
    harness
        .backend
        .wait_for("Sent again: 0 of 1 message went; 2 have it now; 1 still failed")
        .await;
    assert_eq!(server.messages().len(), 2);
    harness.press(KeyCode::Esc);
    harness.backend.wait_for_absence("Results (").await;
    harness.backend.wait_for("Mail      invited 2 on").await;
    harness.press(KeyCode::Char('q'));
    let (_, state) = harness.finish().await;
    let sent: usize = state
        .mail_log
        .requests
        .values()
        .flatten()
        .map(|sent| sent.to.len())
        .sum();
    assert_eq!(sent, 2, "only what went is recorded");
}
