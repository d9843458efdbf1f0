//! The rules of a file request, with no UI in them: the course a request belongs to and
//! where that course's class list is, and the grace period.

pub mod course;
pub mod grace;

pub use course::{course_of, expand_home, home_folder, roster_entry, roster_for};
