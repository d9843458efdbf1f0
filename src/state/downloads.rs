//! Downloading submissions from the Submissions tab: the marks, what `w` and `W` plan,
//! and the download overlay (progress while it runs, a summary at the end). One
//! download at a time; it goes on while the overlay is hidden and the tabs change.

use std::collections::HashSet;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::submissions::SubmissionsView;
use super::{Level, State};
use crate::action::Effect;
use crate::download::{self, Snapshot, Summary};

/// The download under way, or the last one.
#[derive(Debug, Clone, Default)]
pub struct DownloadsState {
    /// Whether the overlay is on screen; it takes the keys while it is.
    pub shown: bool,
    /// Whether a download is under way.
    pub running: bool,
    /// Esc was pressed: the engine is stopping the files in flight.
    pub cancelling: bool,
    /// Where the files go: the request's folder, or the course's.
    pub destination: PathBuf,
    /// What is being downloaded, for the overlay: "Lab report 1 (12 files)".
    pub what: String,
    /// How far it got. `None` while a course's folders are still being listed.
    pub snapshot: Option<Snapshot>,
    /// How the last download ended: its summary, or why it could not start.
    pub outcome: Option<Result<Summary, String>>,
    /// The first line of the summary's failures on screen.
    pub scroll: usize,
}

impl DownloadsState {
    /// The number of failures, the most the summary scrolls by.
    fn failures(&self) -> usize {
        match &self.outcome {
            Some(Ok(summary)) => summary.failed(),
            _ => 0,
        }
    }
}

/// "3 files", "1 file".
pub fn files(count: usize) -> String {
    match count {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    }
}

impl State {
    /// Space in the Files view: marks the selected file (or unmarks it).
    pub(super) fn toggle_mark(&mut self) {
        if !self.submissions.toggle_mark() {
            let text = match self.submissions.view {
                SubmissionsView::Files => "No file to mark here yet.",
                _ => "Marks are for the file list: v shows it.",
            };
            self.tell(Level::Info, text);
            return;
        }
        let marked = self.submissions.marked.len();
        let text = match marked {
            0 => "No file marked.".to_string(),
            n => format!("{n} marked: w downloads them, space unmarks."),
        };
        self.tell(Level::Info, text);
    }

    /// `w`: the marked files, or else the selected one (in the class view: the selected
    /// student's files).
    pub(super) fn download_selected(&mut self) -> Vec<Effect> {
        let subs = &self.submissions;
        let chosen: HashSet<String> = match subs.view {
            SubmissionsView::Files if !subs.marked.is_empty() => subs.marked.clone(),
            SubmissionsView::Files => subs
                .selected_submission()
                .map(|s| s.file_id.clone())
                .into_iter()
                .collect(),
            SubmissionsView::Class => {
                let row = subs
                    .visible
                    .get(subs.selected)
                    .and_then(|&i| subs.class.as_ref()?.rows.get(i));
                row.map(|row| {
                    row.files
                        .iter()
                        .filter_map(|&f| subs.submissions.get(f))
                        .map(|s| s.file_id.clone())
                        .collect()
                })
                .unwrap_or_default()
            }
            SubmissionsView::Course => {
                self.tell(
                    Level::Info,
                    "w downloads from the file list (v shows it); W downloads the whole course.",
                );
                return Vec::new();
            }
        };
        if chosen.is_empty() {
            let text = match subs.view {
                SubmissionsView::Class => "This student has not handed anything in yet.",
                _ => "No file to download here yet.",
            };
            self.tell(Level::Info, text);
            return Vec::new();
        }
        self.download_request(Some(&chosen))
    }

    /// `W`: every file of the open request, or in the course grid every request of the course.
    pub(super) fn download_all(&mut self) -> Vec<Effect> {
        if self.submissions.view == SubmissionsView::Course {
            return self.download_course();
        }
        self.download_request(None)
    }

    /// Where downloads go, or `None` after saying how to set it.
    fn download_root(&mut self) -> Option<PathBuf> {
        let root = self.download_dir();
        if root.is_none() {
            self.tell(
                Level::Error,
                "There is no home folder to download into: set download_dir in Settings (3).",
            );
        }
        root
    }

    /// Refuses a second download while one runs; says so.
    fn refused_while_downloading(&mut self) -> bool {
        if self.downloads.running {
            self.tell(
                Level::Info,
                "One download at a time: the one under way goes on (p shows it).",
            );
        }
        self.downloads.running
    }

    /// The open request's files (only those in `only`, when given), planned from what the
    /// tab already lists: no call to Dropbox before the first byte.
    fn download_request(&mut self, only: Option<&HashSet<String>>) -> Vec<Effect> {
        if self.refused_while_downloading() {
            return Vec::new();
        }
        let Some(request) = self.submissions.request.clone() else {
            self.tell(
                Level::Info,
                "Open a request first (Enter in the Requests tab).",
            );
            return Vec::new();
        };
        let Some(destination) = request.destination.clone() else {
            self.tell(
                Level::Info,
                "This request has no folder in Dropbox, so there is nothing to download.",
            );
            return Vec::new();
        };
        let Some(root) = self.download_root() else {
            return Vec::new();
        };
        let course = download::course_folder_name(&destination, &self.config().courses_root);
        // Planned from every file, then narrowed: a file's local name ("essay (2).pdf")
        // must not depend on which files were picked this time.
        let mut items = download::plan(
            &root,
            &course,
            &request.title,
            &self.submissions.submissions,
            self.submissions.roster.as_ref(),
        );
        if let Some(only) = only {
            // An item names its file by id (by path when Dropbox gave no id).
            let remotes: HashSet<&str> = self
                .submissions
                .submissions
                .iter()
                .filter(|s| only.contains(&s.file_id))
                .map(|s| {
                    if s.file_id.is_empty() {
                        s.path_display.as_str()
                    } else {
                        s.file_id.as_str()
                    }
                })
                .collect();
            items.retain(|item| remotes.contains(item.remote.as_str()));
        }
        if items.is_empty() {
            self.tell(Level::Info, "Nothing to download: no file has arrived yet.");
            return Vec::new();
        }
        let total = self.submissions.submissions.len();
        let what = if items.len() == total {
            format!("{} ({})", request.title, files(total))
        } else {
            format!("{} of {}", files(items.len()), request.title)
        };
        if only.is_some() {
            self.submissions.marked.clear();
        }
        let folder = download::request_folder(&root, &course, &request.title);
        self.begin_download(what, folder, Some(&items));
        vec![Effect::Download {
            items,
            concurrency: self.download_concurrency(),
        }]
    }

    /// `W` in the course grid: each request's folder is listed, then everything downloads.
    fn download_course(&mut self) -> Vec<Effect> {
        if self.refused_while_downloading() {
            return Vec::new();
        }
        let requests: Vec<_> = self
            .submissions
            .grid_requests
            .iter()
            .filter(|r| r.destination.is_some())
            .cloned()
            .collect();
        let course = self
            .submissions
            .request
            .as_ref()
            .and_then(|r| r.destination.as_deref())
            .map(|d| download::course_folder_name(d, &self.config().courses_root));
        let (Some(course), false) = (course, requests.is_empty()) else {
            self.tell(
                Level::Info,
                "This course has no request with a folder to download.",
            );
            return Vec::new();
        };
        let Some(root) = self.download_root() else {
            return Vec::new();
        };
        let what = format!(
            "every request of {course} ({})",
            match requests.len() {
                1 => "1 request".to_string(),
                n => format!("{n} requests"),
            }
        );
        self.begin_download(what, root.join(download::safe_name(&course)), None);
        vec![Effect::DownloadCourse {
            requests,
            root,
            courses_root: self.config().courses_root.clone(),
            assignments: self.submissions.assignments.clone(),
            roster: self.submissions.roster.clone(),
            concurrency: self.download_concurrency(),
        }]
    }

    fn download_concurrency(&self) -> usize {
        usize::try_from(self.config().download_concurrency)
            .unwrap_or(1)
            .clamp(1, 32)
    }

    /// The overlay opens on the new download; totals show at once when the plan is known.
    fn begin_download(
        &mut self,
        what: String,
        destination: PathBuf,
        items: Option<&[download::Item]>,
    ) {
        self.downloads = DownloadsState {
            shown: true,
            running: true,
            cancelling: false,
            destination,
            what,
            snapshot: items.map(|items| Snapshot {
                files_total: items.len(),
                bytes_total: items.iter().map(|i| i.size).sum(),
                ..Snapshot::default()
            }),
            outcome: None,
            scroll: 0,
        };
    }

    pub(super) fn download_progress(&mut self, snapshot: Snapshot) {
        if self.downloads.running {
            self.downloads.snapshot = Some(snapshot);
        }
    }

    pub(super) fn download_finished(&mut self, result: Result<Box<Summary>, String>) {
        let downloads = &mut self.downloads;
        downloads.running = false;
        downloads.cancelling = false;
        downloads.scroll = 0;
        let (level, text) = match &result {
            Ok(summary) if summary.outcomes.is_empty() && summary.cancelled => (
                Level::Info,
                "Download cancelled before any file started.".to_string(),
            ),
            Ok(summary) => (
                if summary.failed() > 0 {
                    Level::Error
                } else {
                    Level::Info
                },
                // The headline of a cancelled run starts "cancelled: …".
                format!(
                    "Download{} {} · p for details",
                    if summary.cancelled { "" } else { ":" },
                    summary.headline()
                ),
            ),
            Err(sentence) => (
                Level::Error,
                format!("The download could not start: {sentence}"),
            ),
        };
        downloads.outcome = Some(result.map(|summary| *summary));
        self.tell(level, text);
    }

    /// `p`: the overlay again, with the progress or the last summary.
    pub(super) fn show_downloads(&mut self) {
        if self.downloads.running || self.downloads.outcome.is_some() {
            self.downloads.shown = true;
        } else {
            self.tell(
                Level::Info,
                "Nothing downloaded yet: w or W in the Submissions tab downloads files.",
            );
        }
    }

    /// A key while the overlay is up.
    pub(super) fn downloads_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let downloads = &mut self.downloads;
        if downloads.running {
            match key.code {
                KeyCode::Char('h') | KeyCode::Enter => {
                    downloads.shown = false;
                    self.tell(
                        Level::Info,
                        "The download goes on in the background: p shows it again.",
                    );
                }
                KeyCode::Esc if !downloads.cancelling => {
                    downloads.cancelling = true;
                    return vec![Effect::CancelDownload];
                }
                _ => {}
            }
            return Vec::new();
        }
        let most = downloads.failures().saturating_sub(1);
        match key.code {
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char('h') | KeyCode::Char('q') => {
                downloads.shown = false;
            }
            KeyCode::Down | KeyCode::Char('j') => {
                downloads.scroll = (downloads.scroll + 1).min(most)
            }
            KeyCode::Up | KeyCode::Char('k') => {
                downloads.scroll = downloads.scroll.saturating_sub(1)
            }
            KeyCode::PageDown => downloads.scroll = (downloads.scroll + 5).min(most),
            KeyCode::PageUp => downloads.scroll = downloads.scroll.saturating_sub(5),
            KeyCode::Home | KeyCode::Char('g') => downloads.scroll = 0,
            KeyCode::End | KeyCode::Char('G') => downloads.scroll = most,
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::action::Action;
    use crate::config::Config;
    use crate::download::{Item, Outcome};
    use crate::dropbox::Metadata;
    use crate::fixtures::{fixed_now, sample_files, sample_files_request, sample_requests};
    use crate::state::test_support::press;
    use crate::state::{Confirm, Environment, Modal, Pending, Tab, update};
    use crate::time::Zone;

    /// "Lab report 1" opened and listed, downloads going to /grading (never the home).
    fn listed() -> State {
        let config = Config {
            download_dir: Some("/grading".into()),
            download_concurrency: 4,
            ..Config::default()
        };
        listed_with(config, Environment::default())
    }

    fn listed_with(config: Config, environment: Environment) -> State {
        let mut state = State::new(fixed_now(), Zone::utc(), environment).with_config(config);
        update(
            &mut state,
            Action::Resize(crate::ui::layout::screen(80, 24)),
        );
        state.start();
        update(
            &mut state,
            Action::RequestsLoaded {
                generation: 1,
                result: Ok(sample_requests(fixed_now())),
            },
        );
        let title = sample_files_request(fixed_now()).title;
        while state
            .requests
            .selected_row()
            .is_some_and(|row| row.request.title != title)
        {
            press(&mut state, KeyCode::Down);
        }
        press(&mut state, KeyCode::Enter);
        let generation = state.submissions.generation;
        let entries = sample_files(fixed_now())
            .into_iter()
            .map(Metadata::File)
            .collect();
        update(
            &mut state,
            Action::FilesListed {
                generation,
                result: Ok((entries, "cursor".into())),
            },
        );
        assert_eq!(state.tab, Tab::Submissions);
        state
    }

    fn planned(effects: &[Effect]) -> Vec<Item> {
        match effects {
            [Effect::Download { items, concurrency }] => {
                assert_eq!(*concurrency, 4, "the configured concurrency");
                items.clone()
            }
            other => panic!("expected one download, got {other:?}"),
        }
    }

    fn status(state: &State) -> String {
        state
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    #[test]
    fn space_marks_and_w_downloads_exactly_the_marked_files() {
        let mut state = listed();
        let first = state
            .submissions
            .selected_submission()
            .unwrap()
            .file_id
            .clone();
        press(&mut state, KeyCode::Char(' '));
        let second = state
            .submissions
            .selected_submission()
            .unwrap()
            .file_id
            .clone();
        press(&mut state, KeyCode::Char(' '));
        press(&mut state, KeyCode::Char(' '));
        // The third press marked a third file; up and space again unmarks it.
        press(&mut state, KeyCode::Up);
        press(&mut state, KeyCode::Char(' '));
        assert_eq!(state.submissions.marked.len(), 2);
        assert!(status(&state).starts_with("2 marked"), "{}", status(&state));
        let items = planned(&press(&mut state, KeyCode::Char('w')));
        let mut remotes: Vec<&str> = items.iter().map(|i| i.remote.as_str()).collect();
        remotes.sort_unstable();
        let mut expected = vec![first.as_str(), second.as_str()];
        expected.sort_unstable();
        assert_eq!(remotes, expected);
        let folder = Path::new("/grading/PHYS150 Mechanics/Lab report 1");
        assert!(
            items.iter().all(|i| i.local.starts_with(folder)),
            "{items:?}"
        );
        assert!(state.submissions.marked.is_empty(), "marks are spent");
        let downloads = &state.downloads;
        assert!(downloads.shown && downloads.running);
        assert_eq!(downloads.destination, folder);
        assert_eq!(downloads.snapshot.as_ref().map(|s| s.files_total), Some(2));
    }

    #[test]
    fn a_subset_lands_where_the_whole_request_would_put_it() {
        let mut state = listed();
        let everything = planned(&press(&mut state, KeyCode::Char('W')));
        assert_eq!(everything.len(), 12);
        update(&mut state, Action::DownloadFinished(Ok(Box::default())));
        press(&mut state, KeyCode::Enter);
        // One file alone is planned exactly as it is among all twelve.
        let target = everything
            .iter()
            .find(|i| i.label.contains("(1)"))
            .expect("Dropbox's own duplicate")
            .clone();
        while state.submissions.selected_submission().map(|s| &s.file_id) != Some(&target.remote) {
            press(&mut state, KeyCode::Down);
        }
        let one = planned(&press(&mut state, KeyCode::Char('w')));
        assert_eq!(one, vec![target]);
    }

    /// The home folder comes from start-up, never from the reducer looking it up.
    #[test]
    fn paths_start_in_the_home_folder_the_run_was_given() {
        let config = Config {
            download_concurrency: 4,
            ..Config::default()
        };
        let environment = Environment {
            home: Some("/home/prof".into()),
            ..Environment::default()
        };
        let mut state = listed_with(config.clone(), environment);
        planned(&press(&mut state, KeyCode::Char('W')));
        assert_eq!(
            state.downloads.destination,
            Path::new("/home/prof/handin-downloads/PHYS150 Mechanics/Lab report 1")
        );
        update(&mut state, Action::DownloadFinished(Ok(Box::default())));
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Char('R'));
        update(
            &mut state,
            Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        );
        update(&mut state, Action::Paste("~/rosters/phys150.csv".into()));
        let effects = press(&mut state, KeyCode::Enter);
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::LoadRoster { path, .. } if path == Path::new("/home/prof/rosters/phys150.csv")
            )),
            "{effects:?}"
        );

        let mut homeless = listed_with(config, Environment::default());
        assert!(press(&mut homeless, KeyCode::Char('W')).is_empty());
        assert!(
            status(&homeless).contains("set download_dir in Settings"),
            "{}",
            status(&homeless)
        );
    }

    #[test]
    fn one_download_at_a_time() {
        let mut state = listed();
        planned(&press(&mut state, KeyCode::Char('W')));
        press(&mut state, KeyCode::Char('h'));
        assert!(!state.downloads.shown && state.downloads.running);
        assert!(status(&state).contains("p shows it again"));
        assert!(press(&mut state, KeyCode::Char('W')).is_empty());
        assert!(status(&state).starts_with("One download at a time"));
        assert!(press(&mut state, KeyCode::Char('w')).is_empty());
    }

    #[test]
    fn the_overlay_hides_shows_cancels_and_ends_with_a_summary() {
        let mut state = listed();
        let items = planned(&press(&mut state, KeyCode::Char('W')));
        press(&mut state, KeyCode::Enter);
        assert!(!state.downloads.shown, "Enter hides it");
        let snapshot = Snapshot {
            files_total: 12,
            files_done: 3,
            ..Snapshot::default()
        };
        update(
            &mut state,
            Action::DownloadProgress(Box::new(snapshot.clone())),
        );
        assert_eq!(state.downloads.snapshot.as_ref(), Some(&snapshot));
        // Keys go to the tab while it is hidden; p brings it back from any tab.
        press(&mut state, KeyCode::Char('1'));
        press(&mut state, KeyCode::Char('p'));
        assert!(state.downloads.shown);
        assert_eq!(
            press(&mut state, KeyCode::Esc),
            vec![Effect::CancelDownload]
        );
        assert!(state.downloads.cancelling);
        assert!(press(&mut state, KeyCode::Esc).is_empty(), "asked once");
        let mut outcomes: Vec<(Item, Outcome)> = items
            .into_iter()
            .map(|item| (item, Outcome::Cancelled))
            .collect();
        outcomes[0].1 = Outcome::Downloaded {
            bytes: 1,
            resumed_from: 0,
            kept: None,
        };
        outcomes[1].1 = Outcome::Failed {
            reason: "the file is gone".into(),
        };
        let summary = Summary {
            outcomes,
            cancelled: true,
            ..Summary::default()
        };
        update(&mut state, Action::DownloadFinished(Ok(Box::new(summary))));
        assert!(!state.downloads.running && state.downloads.shown);
        assert!(
            status(&state).starts_with("Download cancelled: 1 downloaded, 1 failed, 10 left"),
            "{}",
            status(&state)
        );
        assert_eq!(state.status.as_ref().map(|s| s.level), Some(Level::Error));
        press(&mut state, KeyCode::Down);
        assert_eq!(state.downloads.scroll, 0, "one failure: nothing to scroll");
        press(&mut state, KeyCode::Esc);
        assert!(!state.downloads.shown);
        press(&mut state, KeyCode::Char('p'));
        assert!(state.downloads.shown, "the last summary shows again");
    }

    #[test]
    fn marks_stay_on_reload_and_go_with_another_request() {
        let mut state = listed();
        press(&mut state, KeyCode::Char(' '));
        let effects = press(&mut state, KeyCode::Char('r'));
        assert!(matches!(effects.as_slice(), [Effect::ListFiles { .. }]));
        assert_eq!(state.submissions.marked.len(), 1);
        press(&mut state, KeyCode::Char('1'));
        press(&mut state, KeyCode::Down);
        press(&mut state, KeyCode::Enter);
        assert!(state.submissions.marked.is_empty());
    }

    #[test]
    fn quitting_during_a_download_asks_first() {
        let mut state = listed();
        planned(&press(&mut state, KeyCode::Char('W')));
        press(&mut state, KeyCode::Char('h'));
        press(&mut state, KeyCode::Char('q'));
        assert!(!state.quitting);
        assert!(matches!(
            &state.modal,
            Some(Modal::Confirm(Confirm {
                pending: Pending::Quit,
                ..
            }))
        ));
        press(&mut state, KeyCode::Char('y'));
        assert!(state.quitting);
    }

    #[test]
    fn the_course_grid_downloads_every_request_of_the_course() {
        let mut state = listed();
        let generation = state.submissions.generation;
        update(
            &mut state,
            Action::RosterLoaded {
                generation,
                result: Ok(crate::fixtures::sample_roster()),
            },
        );
        press(&mut state, KeyCode::Char('c'));
        let effects = press(&mut state, KeyCode::Char('W'));
        let [
            Effect::DownloadCourse {
                requests,
                root,
                courses_root,
                concurrency,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("expected a course download: {effects:?}");
        };
        assert_eq!(root, Path::new("/grading"));
        assert_eq!(courses_root, "/Courses");
        assert_eq!(*concurrency, 4);
        assert!(!requests.is_empty());
        assert!(requests.iter().all(|r| {
            r.destination
                .as_deref()
                .is_some_and(|d| d.starts_with("/Courses/PHYS150 Mechanics/"))
        }));
        assert_eq!(
            state.downloads.destination,
            Path::new("/grading/PHYS150 Mechanics")
        );
        assert!(state.downloads.snapshot.is_none(), "listing first");
        update(
            &mut state,
            Action::DownloadFinished(Err("listing “Lab 2” failed: no network".into())),
        );
        assert!(status(&state).contains("could not start"));
    }
}
