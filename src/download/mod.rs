//! Downloading submissions for grading: planned onto a local layout, several files at
//! once, streamed to partial files in the root's `.handin-partial` folder, verified
//! against Dropbox's `content_hash`, resumed with `Range`, renamed into place only once
//! verified.
//!
//! One engine serves the TUI (`w`/`W` in the Submissions tab) and `handin download`.
//! Both watch the same [`Progress`] and get the same [`Summary`].

mod engine;
mod layout;
mod progress;

pub use engine::{Cancel, Options, run};
pub use layout::{
    PARTIAL_FOLDER, UNATTRIBUTED, course_folder_name, partial_path, plan, plan_request,
    request_folder, safe_name,
};
pub use progress::{InFlight, Progress, Snapshot, human_duration};

use std::path::PathBuf;

/// One file to fetch: where it is in Dropbox, what it should hash to, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What `files/download` is asked for: the file's `id:...`, so a rename in Dropbox
    /// between listing and downloading does not matter.
    pub remote: String,
    /// The size Dropbox listed (the download's own metadata wins when it differs).
    pub size: u64,
    /// The listed `content_hash`, used to skip a file already on disk.
    pub content_hash: Option<String>,
    /// The final local path.
    pub local: PathBuf,
    /// Where the bytes go until they are verified: `<root>/.handin-partial/<key>.part`,
    /// the key made from the Dropbox file and its content, never from a name a student
    /// chose, so no upload can be named like another's partial file and a later run
    /// finds the same one to resume ([`partial_path`]).
    pub partial: PathBuf,
    /// "Ada Lovelace / essay.pdf": what the progress and the summary call it.
    pub label: String,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fetched and verified. `resumed_from` is the byte the first request started at
    /// (non-zero when a `.part` file from an earlier run was continued). `kept` names
    /// where a different local file of the same name was moved to, if there was one.
    Downloaded {
        bytes: u64,
        resumed_from: u64,
        kept: Option<PathBuf>,
    },
    /// The local copy already has Dropbox's content hash.
    Skipped,
    /// Not downloaded, and why, as one sentence.
    Failed { reason: String },
    /// The run was cancelled before this file was done; its partial file, if any,
    /// is resumed next time.
    Cancelled,
}

/// The end of a run: one outcome per item, in the items' order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub outcomes: Vec<(Item, Outcome)>,
    pub cancelled: bool,
    /// Bytes received over the network in this run.
    pub bytes_received: u64,
    pub elapsed: std::time::Duration,
}

impl Summary {
    pub fn downloaded(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Downloaded { .. }))
    }
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped))
    }
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed { .. }))
    }
    /// Files continued from a partial file an earlier run left.
    pub fn resumed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Downloaded { resumed_from, .. } if *resumed_from > 0))
    }
    pub fn not_started(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Cancelled))
    }
    /// The failures, as (label, reason).
    pub fn failures(&self) -> impl Iterator<Item = (&Item, &str)> {
        self.outcomes
            .iter()
            .filter_map(|(item, outcome)| match outcome {
                Outcome::Failed { reason } => Some((item, reason.as_str())),
                _ => None,
            })
    }
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }

    /// "38 downloaded, 2 already there, 1 failed" (and "cancelled: 5 left" when so).
    pub fn headline(&self) -> String {
        let mut parts = vec![format!("{} downloaded", self.downloaded())];
        if self.skipped() > 0 {
            parts.push(format!("{} already there", self.skipped()));
        }
        if self.failed() > 0 {
            parts.push(format!("{} failed", self.failed()));
        }
        let mut line = parts.join(", ");
        if self.cancelled {
            line = format!(
                "cancelled: {line}, {} left (resumed next time)",
                self.not_started()
            );
        }
        line
    }
}
