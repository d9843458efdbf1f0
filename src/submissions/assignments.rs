//! Files the professor attributed by hand, kept in a small JSON file under the data
//! directory so they survive restarts.
//!
//! Keyed by Dropbox file id (`id:...`), which stays the same when a file is renamed or
//! moved inside the account, so an attribution follows the file rather than its name.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// File id -> the student's email or name, as the professor gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignments {
    by_file: BTreeMap<String, String>,
}

/// The file's layout. `version` lets a later handin read (or refuse) an older file
/// knowingly.
#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    #[serde(default)]
    assignments: BTreeMap<String, String>,
}

const VERSION: u32 = 1;

impl Assignments {
    /// Reads the state file; a file that is not there yet means no assignments.
    pub fn load(path: &Path) -> Result<Assignments, String> {
        let shown = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Assignments::default());
            }
            Err(error) => {
                return Err(format!(
                    "Could not read the file assignments in {shown}: {error}."
                ));
            }
        };
        let file: StateFile = serde_json::from_str(&text).map_err(|error| {
            format!(
                "The file assignments in {shown} are damaged ({error}); move the file aside \
                 to start again without them."
            )
        })?;
        if file.version > VERSION {
            return Err(format!(
                "The file assignments in {shown} were written by a newer handin (format \
                 {}); update handin to use them.",
                file.version
            ));
        }
        Ok(Assignments {
            by_file: file.assignments,
        })
    }

    /// Replaces the state file atomically (a crash leaves the old file or the new one,
    /// never half of one), 0600, creating its folder (0700) if needed: who handed in
    /// what is the professor's business alone.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let failed = |error: &dyn std::fmt::Display| {
            format!(
                "Could not save the file assignments to {}: {error}.",
                path.display()
            )
        };
        let file = StateFile {
            version: VERSION,
            assignments: self.by_file.clone(),
        };
        let mut json = serde_json::to_string_pretty(&file).map_err(|e| failed(&e))?;
        json.push('\n');
        crate::fs::write_private_atomically(path, json.as_bytes()).map_err(|e| failed(&e))
    }

    /// Attributes the file to a student (an email or a name). Blank text removes the
    /// attribution instead, as clearing the prompt does.
    pub fn assign(&mut self, file_id: &str, student_email_or_name: &str) {
        let student = student_email_or_name.trim();
        if student.is_empty() {
            self.unassign(file_id);
        } else {
            self.by_file
                .insert(file_id.to_string(), student.to_string());
        }
    }

    pub fn unassign(&mut self, file_id: &str) {
        self.by_file.remove(file_id);
    }

    pub fn get(&self, file_id: &str) -> Option<&str> {
        self.by_file.get(file_id).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_file.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_file.is_empty()
    }

    /// (file id, student) in file-id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_file.iter().map(|(f, s)| (f.as_str(), s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_survive_a_save_and_load() {
        // SAFETY: umask only changes the mode of files created afterwards; 022 is the
        // usual one, under which a file made with default permissions is 0644.
        unsafe { libc::umask(0o022) };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state").join("assignments.json");
        assert_eq!(Assignments::load(&path), Ok(Assignments::default()));

        let mut assignments = Assignments::default();
        assignments.assign("id:b", "ada@example.edu");
        assignments.assign("id:a", "  Zoë Müller ");
        assignments.assign("id:c", "Alan Turing");
        assignments.unassign("id:c");
        assignments.save(&path).expect("saved");
        use std::os::unix::fs::PermissionsExt as _;
        let mode =
            |path: &Path| std::fs::metadata(path).expect("mode").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "who handed in what is private");
        assert_eq!(mode(path.parent().expect("folder")), 0o700);

        let loaded = Assignments::load(&path).expect("loaded");
        assert_eq!(loaded, assignments);
        assert_eq!(loaded.get("id:a"), Some("Zoë Müller"));
        assert_eq!(loaded.get("id:c"), None);
        assert_eq!(
            loaded.iter().collect::<Vec<_>>(),
            [("id:a", "Zoë Müller"), ("id:b", "ada@example.edu")]
        );
        // Nothing left behind but the file itself.
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("folder"))
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["assignments.json"]);
    }

    #[test]
    fn blank_text_unassigns() {
        let mut assignments = Assignments::default();
        assignments.assign("id:a", "Ada");
        assignments.assign("id:a", "   ");
        assert!(assignments.is_empty());
    }

    #[test]
    fn damaged_or_newer_files_are_refused_with_a_sentence() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("assignments.json");
        std::fs::write(&path, "{ not json").expect("write");
        let error = Assignments::load(&path).expect_err("damaged");
        assert!(
            error.contains("assignments.json") && error.contains("damaged"),
            "{error}"
        );

        std::fs::write(&path, r#"{"version": 9, "assignments": {}}"#).expect("write");
        let error = Assignments::load(&path).expect_err("newer");
        assert!(error.contains("newer handin"), "{error}");
    }
}
