//! What a run has done so far, shared between the engine and whoever draws it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::size::human_bytes;

/// A file being fetched right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    /// The item's place in the run.
    pub index: usize,
    pub label: String,
    /// Bytes of the file on disk so far (including a resumed `.part`).
    pub done: u64,
    pub size: u64,
}

/// A copy of the progress at one moment, cheap enough to take four times a second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub files_total: usize,
    /// Files finished one way or another (downloaded, skipped or failed).
    pub files_done: usize,
    pub skipped: usize,
    pub failed: usize,
    pub bytes_total: u64,
    /// Bytes of the run's files that are on disk: finished, skipped, resumed or streaming.
    pub bytes_done: u64,
    /// Bytes that came over the network in this run (what the rate is made of).
    pub bytes_received: u64,
    pub elapsed: Duration,
    /// In the order they started.
    pub in_flight: Vec<InFlight>,
    pub finished: bool,
}

impl Snapshot {
    /// Bytes per second received so far, once there is something to go by.
    pub fn rate(&self) -> Option<f64> {
        let seconds = self.elapsed.as_secs_f64();
        (seconds >= 0.2 && self.bytes_received > 0).then(|| self.bytes_received as f64 / seconds)
    }

    /// The bytes still to come at the rate so far.
    pub fn time_left(&self) -> Option<Duration> {
        let rate = self.rate()?;
        let left = self.bytes_total.saturating_sub(self.bytes_done) as f64;
        Some(Duration::from_secs_f64(left / rate))
    }

    /// "12/40 files · 3.1 MB/s · 12 s left": for the status bar.
    pub fn short_line(&self) -> String {
        let mut line = format!("{}/{} files", self.files_done, self.files_total);
        if let Some(rate) = self.rate() {
            line.push_str(&format!(" · {}/s", human_bytes(rate as u64)));
        }
        if let Some(left) = self.time_left().filter(|_| !self.finished) {
            line.push_str(&format!(" · {} left", human_duration(left)));
        }
        if self.failed > 0 {
            line.push_str(&format!(" · {} failed", self.failed));
        }
        line
    }
}

/// "4 s", "2 min 5 s", "1 h 3 min".
pub fn human_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// The live progress of a run. The engine writes it; the TUI and the command line read
/// [`Progress::snapshot`] on their own clock.
#[derive(Debug)]
pub struct Progress {
    started: Instant,
    state: Mutex<Snapshot>,
}

impl Progress {
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress {
            started: Instant::now(),
            state: Mutex::new(Snapshot::default()),
        })
    }

    pub fn snapshot(&self) -> Snapshot {
        let mut snapshot = self.lock().clone();
        snapshot.elapsed = self.started.elapsed();
        snapshot
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        // A panic while holding the lock cannot leave the counters unusable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn planned(&self, files: usize, bytes: u64) {
        let mut state = self.lock();
        state.files_total = files;
        state.bytes_total = bytes;
    }

    /// A file starts (nothing of it counted yet).
    pub(super) fn started(&self, index: usize, label: &str, size: u64) {
        self.lock().in_flight.push(InFlight {
            index,
            label: label.to_owned(),
            done: 0,
            size,
        });
    }

    pub(super) fn received(&self, index: usize, bytes: u64) {
        let mut state = self.lock();
        state.bytes_done += bytes;
        state.bytes_received += bytes;
        if let Some(file) = state.in_flight.iter_mut().find(|f| f.index == index) {
            file.done += bytes;
        }
    }

    /// The file's `.part` now holds `bytes` (a resumed part found, or one thrown away
    /// after a failed verification or a server that ignored `Range`).
    pub(super) fn on_disk(&self, index: usize, bytes: u64) {
        let mut state = self.lock();
        if let Some(position) = state.in_flight.iter().position(|f| f.index == index) {
            let before = state.in_flight[position].done;
            state.in_flight[position].done = bytes;
            state.bytes_done = state.bytes_done.saturating_sub(before) + bytes;
        }
    }

    pub(super) fn skipped(&self, size: u64) {
        let mut state = self.lock();
        state.files_done += 1;
        state.skipped += 1;
        state.bytes_done += size;
    }

    /// A file is done with; `size` is what it turned out to be. A failed file leaves the
    /// total.
    pub(super) fn ended(&self, index: usize, failed: bool, size: u64) {
        let mut state = self.lock();
        state.files_done += 1;
        if let Some(index) = state.in_flight.iter().position(|f| f.index == index) {
            let file = state.in_flight.remove(index);
            if failed {
                state.failed += 1;
                state.bytes_done = state.bytes_done.saturating_sub(file.done);
                state.bytes_total = state.bytes_total.saturating_sub(size);
            } else {
                // The download's metadata may say a different size than the listing.
                state.bytes_done = state.bytes_done - file.done.min(state.bytes_done) + size;
            }
        } else if failed {
            state.failed += 1;
            state.bytes_total = state.bytes_total.saturating_sub(size);
        }
    }

    pub(super) fn finish(&self) {
        self.lock().finished = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_secs(4)), "4 s");
        assert_eq!(human_duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(human_duration(Duration::from_secs(3780)), "1 h 3 min");
    }

    #[test]
    fn the_counters_follow_a_run() {
        let progress = Progress::new();
        progress.planned(3, 300);
        progress.skipped(100);
        progress.started(1, "a", 100);
        progress.on_disk(1, 20);
        progress.received(1, 80);
        progress.ended(1, false, 100);
        progress.started(2, "b", 100);
        progress.received(2, 30);
        progress.ended(2, true, 100);
        let snapshot = progress.snapshot();
        assert_eq!(snapshot.files_done, 3);
        assert_eq!((snapshot.skipped, snapshot.failed), (1, 1));
        assert_eq!(snapshot.bytes_done, 200);
        assert_eq!(snapshot.bytes_total, 200);
        assert_eq!(snapshot.bytes_received, 110);
        assert!(snapshot.in_flight.is_empty());
    }
}
