//! The loop: waits on actions, signals and terminal events in one `select!`, runs the
//! reducer, spawns effects, and draws once the action queue is empty and something changed.
//! No tick and no frame rate: an idle handin makes no wake-ups at all. The spinner's timer
//! exists only while something loads.
//!
//! Generic over the ratatui backend and the event stream, so tests run this very loop on a
//! `TestBackend` with scripted keys.

use std::io;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt as _};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use crate::action::{Action, Effect};
use crate::dropbox::Dropbox;
use crate::state::{self, State};
use crate::ui;

/// A signal the loop reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The terminal hung up (SSH connection dropped): there is no screen left to restore.
    Hangup,
    Terminate,
    Interrupt,
}

/// Why the loop ended; each has its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// The terminal's input ended or failed.
    InputClosed,
    Signal(Signal),
}

impl Exit {
    pub fn code(self) -> i32 {
        match self {
            Exit::Quit | Exit::InputClosed => 0,
            Exit::Signal(Signal::Hangup) => 129,
            Exit::Signal(Signal::Interrupt) => 130,
            Exit::Signal(Signal::Terminate) => 143,
        }
    }
}

/// Where the loop gets the time; tests pin it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

impl<F: Fn() -> DateTime<Utc>> Clock for F {
    fn now(&self) -> DateTime<Utc> {
        self()
    }
}

const SPINNER_STEP: Duration = Duration::from_millis(120);

/// Runs effects outside the reducer: each service call is a task that owns a clone of the
/// service handle and sends its result back as an action.
struct Effects {
    dropbox: Dropbox,
    sender: mpsc::UnboundedSender<Action>,
}

impl Effects {
    fn run(&self, effect: Effect) {
        let dropbox = self.dropbox.clone();
        let sender = self.sender.clone();
        match effect {
            Effect::LoadRequests { generation } => {
                tokio::spawn(async move {
                    let result = dropbox.list_requests().await;
                    if let Err(error) = &result {
                        tracing::warn!(error = ?error, "listing file requests failed");
                    }
                    let _ = sender.send(Action::RequestsLoaded { generation, result });
                });
            }
            Effect::LoadAccount { generation } => {
                tokio::spawn(async move {
                    let result = dropbox.current_account().await.map(Box::new);
                    if let Err(error) = &result {
                        tracing::warn!(error = ?error, "reading the account failed");
                    }
                    let _ = sender.send(Action::AccountLoaded { generation, result });
                });
            }
            Effect::Quit => {}
        }
    }
}

pub async fn run<B, E, S>(
    terminal: &mut Terminal<B>,
    mut events: E,
    mut signals: S,
    state: &mut State,
    dropbox: Dropbox,
    clock: impl Clock,
) -> io::Result<Exit>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
    S: Stream<Item = Signal> + Unpin,
{
    let (sender, mut actions) = mpsc::unbounded_channel();
    let effects = Effects { dropbox, sender };
    let mut spinner = tokio::time::interval(SPINNER_STEP);
    spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let size = terminal.size().map_err(io::Error::other)?;
    let mut pending = vec![
        Action::Clock(clock.now()),
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    ];
    for action in pending.drain(..) {
        apply(state, action, &effects);
    }
    for effect in state.start() {
        effects.run(effect);
    }
    let mut dirty = true;
    let mut signals_open = true;

    loop {
        if state.quitting {
            return Ok(Exit::Quit);
        }
        if dirty && actions.is_empty() {
            terminal
                .draw(|frame| ui::render(state, frame))
                .map_err(io::Error::other)?;
            dirty = false;
        }
        let action = tokio::select! {
            biased;
            Some(action) = actions.recv() => action,
            signal = signals.next(), if signals_open => match signal {
                Some(signal) => return Ok(Exit::Signal(signal)),
                // No more signals can come; stop polling that arm so it cannot spin.
                None => { signals_open = false; continue }
            },
            event = events.next() => match event {
                None => return Ok(Exit::InputClosed),
                Some(Err(error)) => {
                    tracing::warn!(%error, "the terminal's input failed; stopping");
                    return Ok(Exit::InputClosed);
                }
                Some(Ok(event)) => match translate(event) {
                    Some(action) => action,
                    None => continue,
                },
            },
            _ = spinner.tick(), if state.is_loading() => Action::SpinnerTick,
        };
        apply(state, Action::Clock(clock.now()), &effects);
        apply(state, action, &effects);
        dirty = true;
    }
}

fn apply(state: &mut State, action: Action, effects: &Effects) {
    for effect in state::update(state, action) {
        effects.run(effect);
    }
}

/// Terminal events the app cares about, as actions: key presses (not releases or repeats
/// of modifier keys), pastes and resizes.
pub fn translate(event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press || key.kind == KeyEventKind::Repeat => {
            Some(Action::Key(key))
        }
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}
