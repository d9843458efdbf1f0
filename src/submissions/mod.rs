//! The Submissions tab's domain: who sent each file of a request, whether it was late,
//! and where every student of the roster stands. Pure data in, data out (no UI, no
//! Dropbox calls); the only I/O is reading a roster, the assignments state file, and the
//! CSV export, each a small blocking function meant for the effect runner.
//!
//! - [`names`]: the student in front of a file name (`Ada Lovelace - hw1.pdf`), and
//!   [`fold`] for comparing names.
//! - [`roster`]: the class list CSV and tolerant name matching.
//! - [`mod@lateness`]: a file's upload time against the deadline and grace period.
//! - [`assignments`]: files the professor attributed by hand, persisted.
//! - [`view`]: submissions, the class view, the course grid and the CSV export.

pub mod assignments;
pub mod csv;
pub mod lateness;
pub mod names;
pub mod roster;
pub mod view;

pub use assignments::Assignments;
// `describe` alone would be vague next to the rest of this module.
pub use lateness::{
    Lateness, describe as describe_lateness, describe_duration,
    describe_under as describe_lateness_under, lateness,
};
pub use names::{ParsedName, fold, student_from_file_name};
pub use roster::{Match, Roster, RosterError, RosterIndex, Student, load_roster, parse_roster};
pub use view::{
    ClassRow, ClassView, Counts, CourseGrid, GridColumn, Mark, Standing, Submission, class_csv,
    class_view, clock_duration, course_grid, export_csv, export_grid_csv, files_in, grid_csv,
    of_request, submissions,
};

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Replaces `path` with `bytes` so that a reader, or a restart after a crash, sees the
/// old contents or the new ones and never half: write a temporary file beside it (same
/// file system, so the rename is atomic), sync it, rename it over, sync the folder.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // Two saves may race (an assignment saved while an export runs): each gets its own
    // temporary name.
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let temporary = folder.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    // The rename itself is durable once the folder's entry is on disk; failing to sync a
    // folder (some file systems refuse) does not undo a completed write.
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}
