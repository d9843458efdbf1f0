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
