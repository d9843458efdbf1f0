//! The real loop (`app::run`) on a TestBackend with scripted keys, against the emulator
//! over real HTTP: everything but the terminal itself is the production path.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use handin::app::{self, Exit, Signal};
use handin::dropbox::{ClientSettings, Dropbox};
use handin::emulator::{Emulator, EmulatorOptions, Seed};
use handin::state::{Environment, State, Tab};
use handin::time::Zone;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::mpsc;

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

    async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
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

struct Harness {
    backend: SharedBackend,
    keys: mpsc::UnboundedSender<std::io::Result<Event>>,
    signals: mpsc::UnboundedSender<Signal>,
    run: tokio::task::JoinHandle<(std::io::Result<Exit>, State)>,
    _emulator: Emulator,
}

async fn start(seed: Seed) -> Harness {
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
    let dropbox = Dropbox::new(settings, emulator.token().to_string()).expect("client");
    let backend = SharedBackend(Arc::new(Mutex::new(TestBackend::new(80, 24))));
    let (keys, key_stream) = mpsc::unbounded_channel();
    let (signals, signal_stream) = mpsc::unbounded_channel();
    let mut terminal = Terminal::new(backend.clone()).expect("terminal");
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
        let result = app::run(
            &mut terminal,
            tokio_stream_from(key_stream),
            tokio_stream_from(signal_stream),
            &mut state,
            dropbox,
            chrono::Utc::now,
        )
        .await;
        (result, state)
    });
    Harness {
        backend,
        keys,
        signals,
        run,
        _emulator: emulator,
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

    fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    async fn finish(self) -> (Exit, State) {
        let (result, state) = tokio::time::timeout(Duration::from_secs(5), self.run)
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
    harness.backend.wait_for(" of ").await;
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
