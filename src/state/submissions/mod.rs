//! The Submissions tab: the files of the opened request, who sent them and when, the
//! class view when the course has a roster, kept live by long-polling the folder.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler as _;

use super::Load;

mod update;
use crate::dropbox::{FileMetadata, FileRequest, Metadata};
use crate::submissions::{
    Assignments, ClassView, CourseGrid, Roster, Submission, class_view, submissions,
};
use crate::time;
pub use update::LONGPOLL_SECONDS;

/// Which view of the opened request the tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubmissionsView {
    /// Every file, newest first.
    #[default]
    Files,
    /// One row per student of the roster.
    Class,
    /// Every request of the course: students down, assignments across.
    Course,
}

/// What the Files and Class views are ordered by (`s` cycles, `S` reverses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubmissionsSort {
    /// Newest first: what just arrived is what the professor looks for.
    #[default]
    Received,
    Student,
    Status,
    Files,
}

impl SubmissionsSort {
    pub fn label(self) -> &'static str {
        match self {
            SubmissionsSort::Received => "received",
            SubmissionsSort::Student => "student",
            SubmissionsSort::Status => "status",
            SubmissionsSort::Files => "size",
        }
    }

    fn next(self) -> SubmissionsSort {
        match self {
            SubmissionsSort::Received => SubmissionsSort::Student,
            SubmissionsSort::Student => SubmissionsSort::Status,
            SubmissionsSort::Status => SubmissionsSort::Files,
            SubmissionsSort::Files => SubmissionsSort::Received,
        }
    }
}

/// How late, as a number that sorts: on time first, then in grace, then beyond, by how much.
fn lateness_rank(lateness: &crate::submissions::Lateness) -> (u8, i64) {
    use crate::submissions::Lateness;
    match lateness {
        Lateness::NoDeadline | Lateness::OnTime => (0, 0),
        Lateness::Late {
            by,
            within_grace: true,
        } => (1, by.num_seconds()),
        Lateness::Late { by, .. } => (2, by.num_seconds()),
    }
}

/// A question typed at the bottom of the tab.
#[derive(Debug, Clone)]
pub enum Prompt {
    /// Assign the selected file to a student (by name or email).
    Assign { file_id: String, input: Input },
    /// Where to write the class view as CSV.
    Export { input: Input },
    /// The roster file of this course.
    Roster { input: Input },
}

#[derive(Debug, Clone, Default)]
pub struct SubmissionsState {
    /// The request shown (a copy of the Requests tab's row when it was opened).
    pub request: Option<FileRequest>,
    pub generation: u64,
    pub load: Load,
    /// Every file in the destination, as Dropbox listed it (with later changes applied).
    pub files: Vec<FileMetadata>,
    pub cursor: Option<String>,
    /// What the views show, derived from `files`, the deadline and the assignments.
    pub submissions: Vec<Submission>,
    pub view: SubmissionsView,
    pub roster: Option<Roster>,
    /// Why the course's roster could not be used.
    pub roster_problem: Option<String>,
    pub class: Option<ClassView>,
    pub assignments: Assignments,
    /// Files that arrived while the tab was open, highlighted until it is left.
    pub new_ids: HashSet<String>,
    pub selected: usize,
    pub offset: usize,
    pub viewport: usize,
    pub filter: Input,
    pub filter_editing: bool,
    /// Indices into `submissions` (Files view) or `class.rows` (Class view) in display order.
    pub visible: Vec<usize>,
    /// Each submission's student and file name, folded once per rebuild, so a filter
    /// keystroke only searches.
    haystacks: Vec<String>,
    pub prompt: Option<Prompt>,
    /// Set when the destination folder no longer exists.
    pub folder_missing: bool,
    pub sort: SubmissionsSort,
    pub descending: bool,
    /// The course grid, once every request of the course was listed.
    pub grid: Option<CourseGrid>,
    /// The course's requests asked for the grid (title, deadline, grace), in column order.
    pub grid_requests: Vec<FileRequest>,
    pub grid_load: Load,
    /// The files marked for downloading (their ids), in the Files view.
    pub marked: HashSet<String>,
}

impl SubmissionsState {
    /// Opens `request`: clears what belonged to the previous one and asks for its files.
    pub fn open(&mut self, request: FileRequest) -> Option<(u64, String)> {
        self.generation += 1;
        self.files.clear();
        self.submissions.clear();
        self.class = None;
        self.cursor = None;
        self.new_ids.clear();
        self.marked.clear();
        self.selected = 0;
        self.offset = 0;
        self.filter.reset();
        self.filter_editing = false;
        self.prompt = None;
        self.folder_missing = request.destination.is_none();
        let destination = request.destination.clone();
        self.request = Some(request);
        match destination {
            Some(path) => {
                self.load = Load::Loading;
                Some((self.generation, path))
            }
            None => {
                self.load = Load::Loaded;
                self.rebuild();
                None
            }
        }
    }

    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.request
            .as_ref()?
            .deadline
            .as_ref()
            .and_then(|d| time::parse_dropbox(&d.deadline))
    }

    /// The whole listing arrived.
    pub fn listed(&mut self, entries: Vec<Metadata>, cursor: String) {
        self.files = entries
            .into_iter()
            .filter_map(|entry| match entry {
                Metadata::File(file) => Some(file),
                _ => None,
            })
            .collect();
        self.cursor = Some(cursor);
        self.load = Load::Loaded;
        self.folder_missing = false;
        self.rebuild();
    }

    /// Changes after the cursor arrived: new and changed files replace their old
    /// entries, deleted ones go. Returns how many files are new.
    pub fn changed(&mut self, entries: Vec<Metadata>, cursor: String) -> usize {
        let mut arrived = 0;
        for entry in entries {
            match entry {
                Metadata::File(file) => {
                    let known = self
                        .files
                        .iter()
                        .position(|f| f.path_lower == file.path_lower);
                    match known {
                        Some(at) => self.files[at] = file,
                        None => {
                            arrived += 1;
                            self.new_ids.insert(file.id.clone());
                            self.files.push(file);
                        }
                    }
                }
                Metadata::Deleted(deleted) => {
                    let gone = deleted.path_lower.unwrap_or_default();
                    let destination = self
                        .request
                        .as_ref()
                        .and_then(|r| r.destination.as_deref())
                        .map(str::to_lowercase);
                    if destination.as_deref() == Some(gone.as_str()) {
                        self.folder_missing = true;
                    }
                    // A deleted folder takes everything under it.
                    let below = format!("{gone}/");
                    self.files.retain(|f| {
                        let path = f.path_lower.as_deref().unwrap_or_default();
                        path != gone && !path.starts_with(&below)
                    });
                }
                Metadata::Folder(_) => {}
            }
        }
        self.cursor = Some(cursor);
        self.rebuild();
        arrived
    }

    /// Recomputes the submissions and the class view, keeping the selection on its row.
    pub fn rebuild(&mut self) {
        let keep = self.selected_key();
        let request = self.request.as_ref();
        let grace = request
            .and_then(|r| r.deadline.as_ref())
            .and_then(|d| d.allow_late_uploads.as_ref());
        self.submissions = submissions(&self.files, self.deadline(), grace, &self.assignments);
        self.haystacks = self.submissions.iter().map(haystack_of).collect();
        if !self.marked.is_empty() {
            // A file deleted in Dropbox cannot stay marked.
            let present: HashSet<&str> = self
                .submissions
                .iter()
                .map(|s| s.file_id.as_str())
                .collect();
            self.marked.retain(|id| present.contains(id.as_str()));
        }
        self.class = self
            .roster
            .as_ref()
            .map(|roster| class_view(roster, &self.submissions));
        if self.class.is_none() && self.view == SubmissionsView::Class {
            self.view = SubmissionsView::Files;
        }
        self.apply_filter();
        if let Some(key) = keep
            && let Some(at) = self.position_of(&key)
        {
            self.selected = at;
        }
        self.clamp();
    }

    /// A stable name for the selected row (file id, or student index), to find it again.
    fn selected_key(&self) -> Option<String> {
        let &index = self.visible.get(self.selected)?;
        match self.view {
            SubmissionsView::Files => self.submissions.get(index).map(|s| s.file_id.clone()),
            SubmissionsView::Class | SubmissionsView::Course => Some(format!("student:{index}")),
        }
    }

    fn position_of(&self, key: &str) -> Option<usize> {
        self.visible.iter().position(|&index| match self.view {
            SubmissionsView::Files => self
                .submissions
                .get(index)
                .is_some_and(|s| s.file_id == key),
            SubmissionsView::Class | SubmissionsView::Course => key == format!("student:{index}"),
        })
    }

    fn apply_filter(&mut self) {
        let needle = crate::submissions::fold(self.filter.value());
        self.visible.clear();
        match self.view {
            SubmissionsView::Files => {
                for (i, haystack) in self.haystacks.iter().enumerate() {
                    if needle.is_empty() || haystack.contains(&needle) {
                        self.visible.push(i);
                    }
                }
            }
            SubmissionsView::Course => {
                if let (Some(grid), Some(roster)) = (&self.grid, &self.roster) {
                    for (i, (student, _)) in grid.rows.iter().enumerate() {
                        let student = &roster.students[*student];
                        let text = crate::submissions::fold(&format!(
                            "{} {}",
                            student.name, student.email
                        ));
                        if needle.is_empty() || text.contains(&needle) {
                            self.visible.push(i);
                        }
                    }
                }
            }
            SubmissionsView::Class => {
                if let (Some(class), Some(roster)) = (&self.class, &self.roster) {
                    for (i, row) in class.rows.iter().enumerate() {
                        let student = &roster.students[row.student];
                        let text = crate::submissions::fold(&format!(
                            "{} {}",
                            student.name, student.email
                        ));
                        if needle.is_empty() || text.contains(&needle) {
                            self.visible.push(i);
                        }
                    }
                }
            }
        }
        self.sort_visible();
    }

    /// Orders the visible rows by the sort key; ties keep the domain's order (newest
    /// first for files, roster order for students), since the sort is stable.
    fn sort_visible(&mut self) {
        use std::cmp::Ordering;
        let (sort, descending) = (self.sort, self.descending);
        let order = |ordering: Ordering| {
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        };
        match self.view {
            SubmissionsView::Files => {
                let subs = &self.submissions;
                let haystacks = &self.haystacks;
                self.visible.sort_by(|&a, &b| {
                    let (x, y) = (&subs[a], &subs[b]);
                    order(match sort {
                        SubmissionsSort::Received => y.received.cmp(&x.received),
                        SubmissionsSort::Student => haystacks[a].cmp(&haystacks[b]),
                        SubmissionsSort::Status => {
                            lateness_rank(&y.lateness).cmp(&lateness_rank(&x.lateness))
                        }
                        SubmissionsSort::Files => y.size.cmp(&x.size),
                    })
                });
            }
            SubmissionsView::Class => {
                let (Some(class), Some(roster)) = (&self.class, &self.roster) else {
                    return;
                };
                let rank = |standing: &crate::submissions::Standing| match standing {
                    crate::submissions::Standing::Missing => (3, 0),
                    crate::submissions::Standing::Late { by, within_grace } => {
                        (if *within_grace { 1 } else { 2 }, by.num_seconds())
                    }
                    crate::submissions::Standing::Submitted => (0, 0),
                };
                self.visible.sort_by(|&a, &b| {
                    let (x, y) = (&class.rows[a], &class.rows[b]);
                    order(match sort {
                        SubmissionsSort::Received => y.latest.cmp(&x.latest),
                        SubmissionsSort::Student => {
                            crate::submissions::fold(&roster.students[x.student].name)
                                .cmp(&crate::submissions::fold(&roster.students[y.student].name))
                        }
                        SubmissionsSort::Status => rank(&y.standing).cmp(&rank(&x.standing)),
                        SubmissionsSort::Files => y.files.len().cmp(&x.files.len()),
                    })
                });
            }
            SubmissionsView::Course => {}
        }
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.descending = false;
        self.resort();
    }

    pub fn reverse_sort(&mut self) {
        self.descending = !self.descending;
        self.resort();
    }

    fn resort(&mut self) {
        let keep = self.selected_key();
        self.apply_filter();
        if let Some(key) = keep
            && let Some(at) = self.position_of(&key)
        {
            self.selected = at;
        }
        self.clamp();
    }

    pub fn selected_submission(&self) -> Option<&Submission> {
        if self.view != SubmissionsView::Files {
            return None;
        }
        self.visible
            .get(self.selected)
            .and_then(|&i| self.submissions.get(i))
    }

    /// Marks the selected file, or unmarks it, and moves to the next one, so a run of
    /// files is marked by holding the key. False outside the Files view.
    pub fn toggle_mark(&mut self) -> bool {
        let Some(id) = self.selected_submission().map(|s| s.file_id.clone()) else {
            return false;
        };
        if !self.marked.remove(&id) {
            self.marked.insert(id);
        }
        self.move_by(1);
        true
    }

    pub fn toggle_view(&mut self) -> bool {
        if self.class.is_none() {
            return false;
        }
        self.view = match self.view {
            SubmissionsView::Files => SubmissionsView::Class,
            SubmissionsView::Class | SubmissionsView::Course => SubmissionsView::Files,
        };
        self.selected = 0;
        self.offset = 0;
        self.apply_filter();
        self.clamp();
        true
    }

    pub fn set_viewport(&mut self, rows: usize) {
        self.viewport = rows;
        self.clamp();
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
        self.clamp();
    }

    pub fn filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.filter_editing = false,
            KeyCode::Esc => {
                self.filter.reset();
                self.filter_editing = false;
                self.apply_filter();
                self.clamp();
            }
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            _ => {
                self.filter.handle_event(&Event::Key(key));
                self.selected = 0;
                self.apply_filter();
                self.clamp();
            }
        }
    }

    pub fn paste_into_filter(&mut self, text: &str) {
        if super::focus::paste_into(&mut self.filter, text) {
            self.selected = 0;
            self.apply_filter();
            self.clamp();
        }
    }

    fn clamp(&mut self) {
        (self.selected, self.offset) = super::keep_in_view(
            self.selected,
            self.offset,
            self.viewport,
            self.visible.len(),
        );
    }
}

fn haystack_of(submission: &Submission) -> String {
    crate::submissions::fold(&format!(
        "{} {}",
        submission.student.as_deref().unwrap_or(""),
        submission.name
    ))
}

// Kept at its old path for the branches that import it from here.
pub use crate::file_request::course_of;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_files_are_counted_and_deletions_applied() {
        let mut state = SubmissionsState::default();
        let file = |name: &str| {
            let mut f = FileMetadata::new(
                name.to_string(),
                format!("id:{name}"),
                "2026-11-27T10:00:00Z".to_string(),
                "2026-11-27T10:00:00Z".to_string(),
                "0123456789abcdef".to_string(),
                10,
            );
            f.path_lower = Some(format!("/c/{}", name.to_lowercase()));
            f.path_display = Some(format!("/c/{name}"));
            f
        };
        state.listed(
            vec![Metadata::File(file("Ada Lovelace - a.pdf"))],
            "c1".into(),
        );
        assert_eq!(state.submissions.len(), 1);
        let arrived = state.changed(
            vec![
                Metadata::File(file("Alan Turing - b.pdf")),
                Metadata::File(file("Ada Lovelace - a.pdf")),
            ],
            "c2".into(),
        );
        assert_eq!(arrived, 1);
        assert_eq!(state.files.len(), 2);
        assert!(state.new_ids.contains("id:Alan Turing - b.pdf"));
        let gone = dropbox_sdk::files::DeletedMetadata::new("Ada Lovelace - a.pdf".into())
            .with_path_lower("/c/ada lovelace - a.pdf".into());
        state.changed(vec![Metadata::Deleted(gone)], "c3".into());
        assert_eq!(state.files.len(), 1);
        assert_eq!(state.cursor.as_deref(), Some("c3"));
    }

    #[test]
    fn sorting_orders_the_files_and_keeps_the_selection() {
        let mut state = SubmissionsState::default();
        let file = |name: &str, at: &str, size: u64| {
            let mut f = FileMetadata::new(
                name.to_string(),
                format!("id:{name}"),
                at.to_string(),
                at.to_string(),
                "0123456789abcdef".to_string(),
                size,
            );
            f.path_lower = Some(format!("/c/{}", name.to_lowercase()));
            f
        };
        state.listed(
            vec![
                Metadata::File(file("Zoë Müller - a.pdf", "2026-11-27T10:00:00Z", 5)),
                Metadata::File(file("Ada Lovelace - b.pdf", "2026-11-27T11:00:00Z", 50)),
                Metadata::File(file("Alan Turing - c.pdf", "2026-11-27T09:00:00Z", 500)),
            ],
            "c1".into(),
        );
        let names = |state: &SubmissionsState| -> Vec<String> {
            state
                .visible
                .iter()
                .map(|&i| state.submissions[i].student.clone().unwrap_or_default())
                .collect()
        };
        assert_eq!(
            names(&state),
            ["Ada Lovelace", "Zoë Müller", "Alan Turing"],
            "newest first"
        );
        state.move_by(1);
        state.cycle_sort();
        assert_eq!(state.sort, SubmissionsSort::Student);
        assert_eq!(names(&state), ["Ada Lovelace", "Alan Turing", "Zoë Müller"]);
        assert_eq!(
            state
                .selected_submission()
                .and_then(|s| s.student.clone())
                .as_deref(),
            Some("Zoë Müller"),
            "the selection follows its file"
        );
        state.reverse_sort();
        assert_eq!(names(&state), ["Zoë Müller", "Alan Turing", "Ada Lovelace"]);
        state.cycle_sort();
        state.cycle_sort();
        assert_eq!(state.sort, SubmissionsSort::Files);
        assert_eq!(
            names(&state),
            ["Alan Turing", "Ada Lovelace", "Zoë Müller"],
            "largest first"
        );
    }
}
