//! What flows through the loop: `Action`s into the reducer, `Effect`s out of it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::dropbox::{DropboxError, FileRequest, FullAccount};

/// Everything that can change the state: user input, the clock, and service results.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key press (releases are filtered out by the loop).
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal's new size, in cells.
    Resize { width: u16, height: u16 },
    /// The time now; the loop sends it before each batch so the reducer never reads a clock.
    Clock(DateTime<Utc>),
    /// One step of the loading spinner; only sent while something loads.
    SpinnerTick,
    RequestsLoaded {
        generation: u64,
        result: Result<Vec<FileRequest>, DropboxError>,
    },
    AccountLoaded {
        generation: u64,
        // Boxed: an account is large and arrives once, while keys arrive all the time.
        result: Result<Box<FullAccount>, DropboxError>,
    },
}

/// Work the reducer asks for; the loop runs it outside the reducer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadRequests { generation: u64 },
    LoadAccount { generation: u64 },
}
