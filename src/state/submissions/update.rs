//! The Submissions tab's reducer: opening a request, keeping its files live, the roster,
//! hand assignments and the CSV export.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler as _;

use super::{Prompt, SubmissionsView};
use crate::action::Effect;
use crate::config::ConfigKey;
use crate::dropbox::{DropboxError, ErrorKind, Metadata};
use crate::file_request::course_of;
use crate::state::{Level, State, Status, Tab};
use crate::submissions::{Match, Roster};

/// How long one long-poll waits before asking again (Dropbox allows 30 to 480 s).
pub const LONGPOLL_SECONDS: u64 = 120;

impl State {
    pub(in crate::state) fn tell(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(Status {
            level,
            text: text.into(),
        });
    }

    /// Enter on a request: show its files (and its class, when the course has a roster).
    pub(in crate::state) fn open_submissions(&mut self) -> Vec<Effect> {
        let Some(row) = self.requests.selected_row() else {
            return Vec::new();
        };
        let request = row.request.clone();
        self.opened_request = Some(request.id.clone());
        self.tab = Tab::Submissions;
        let course = request
            .destination
            .as_deref()
            .and_then(|d| course_of(d, &self.config().courses_root));
        let roster_path = course.as_ref().and_then(|c| {
            crate::file_request::roster_for(self.config(), c, self.environment.home.as_deref())
        });
        let mut effects = Vec::new();
        let submissions = &mut self.submissions;
        if let Some((generation, path)) = submissions.open(request) {
            effects.push(Effect::ListFiles { generation, path });
        }
        submissions.roster = None;
        submissions.roster_problem = None;
        if let Some(path) = roster_path {
            effects.push(Effect::LoadRoster {
                generation: submissions.generation,
                path,
            });
        }
        effects
    }

    pub(in crate::state) fn files_listed(
        &mut self,
        generation: u64,
        result: Result<(Vec<Metadata>, String), DropboxError>,
    ) -> Vec<Effect> {
        if generation != self.submissions.generation {
            return Vec::new();
        }
        match result {
            Ok((entries, cursor)) => {
                self.submissions.listed(entries, cursor.clone());
                self.follow_file_count();
                vec![Effect::WatchFiles { generation, cursor }]
            }
            Err(error) if error.tag() == Some("path/not_found") => {
                self.submissions.folder_missing = true;
                self.submissions.load = crate::state::Load::Loaded;
                self.submissions.rebuild();
                Vec::new()
            }
            Err(error) => {
                self.submissions.load = crate::state::Load::Failed(error.sentence());
                Vec::new()
            }
        }
    }

    pub(in crate::state) fn files_changed(
        &mut self,
        generation: u64,
        result: Result<(Vec<Metadata>, String), DropboxError>,
    ) -> Vec<Effect> {
        if generation != self.submissions.generation {
            return Vec::new();
        }
        match result {
            Ok((entries, cursor)) => {
                let arrived = self.submissions.changed(entries, cursor.clone());
                self.follow_file_count();
                // Each round of changes is capped on its own; a server that announces
                // new files round after round must meet the same limit as one listing.
                let limit = self.config().max_listing_entries;
                if self.submissions.files.len() > limit {
                    let error = DropboxError::listing_too_long(
                        "files/list_folder/continue",
                        "request's folder",
                        limit,
                    );
                    self.tell(
                        Level::Error,
                        format!("Stopped following new files: {}", error.sentence()),
                    );
                    return Vec::new();
                }
                if self.submissions.folder_missing {
                    // Nothing more can arrive in a folder that is gone.
                    return Vec::new();
                }
                let mut effects = vec![Effect::WatchFiles { generation, cursor }];
                if arrived > 0 {
                    let title = self
                        .submissions
                        .request
                        .as_ref()
                        .map(|r| r.title.clone())
                        .unwrap_or_default();
                    self.tell(Level::Info, format!("{arrived} new in {title}"));
                    if self.config().bell {
                        effects.push(Effect::Bell);
                    }
                }
                effects
            }
            // The cursor is too old for Dropbox: list the folder again.
            Err(error) if error.tag() == Some("reset") => {
                let path = self
                    .submissions
                    .request
                    .as_ref()
                    .and_then(|r| r.destination.clone());
                match path {
                    Some(path) => vec![Effect::ListFiles { generation, path }],
                    None => Vec::new(),
                }
            }
            Err(error) if error.tag() == Some("path/not_found") => {
                self.submissions.folder_missing = true;
                self.submissions.files.clear();
                self.submissions.rebuild();
                Vec::new()
            }
            Err(error) => {
                self.tell(
                    Level::Error,
                    format!(
                        "Stopped following new files: {} Press r to start again.",
                        error.sentence()
                    ),
                );
                // Only a passing network or server trouble is worth waiting out again.
                match (error.kind(), self.submissions.cursor.clone()) {
                    (ErrorKind::Network | ErrorKind::Server, Some(cursor)) => {
                        vec![Effect::WatchFiles { generation, cursor }]
                    }
                    _ => Vec::new(),
                }
            }
        }
    }

    /// The Requests tab's file count of the opened request follows its folder.
    fn follow_file_count(&mut self) {
        let Some(id) = self.opened_request.clone() else {
            return;
        };
        let count = self.submissions.files.len() as i64;
        self.requests.set_file_count(&id, count);
    }

    pub(in crate::state) fn roster_loaded(
        &mut self,
        generation: u64,
        result: Result<Roster, String>,
    ) {
        if generation != self.submissions.generation {
            return;
        }
        match result {
            Ok(roster) => {
                self.submissions.roster = Some(roster);
                self.submissions.roster_problem = None;
                self.submissions.view = SubmissionsView::Class;
            }
            Err(sentence) => {
                self.submissions.roster = None;
                self.submissions.roster_problem = Some(sentence);
            }
        }
        self.submissions.rebuild();
    }

    pub(in crate::state) fn submissions_reload(&mut self) -> Vec<Effect> {
        let submissions = &mut self.submissions;
        let Some(request) = submissions.request.clone() else {
            return Vec::new();
        };
        let roster = submissions.roster.take();
        // Reloading the same request keeps what was marked.
        let marked = std::mem::take(&mut submissions.marked);
        let mut effects = match submissions.open(request) {
            Some((generation, path)) => vec![Effect::ListFiles { generation, path }],
            None => Vec::new(),
        };
        submissions.roster = roster;
        submissions.marked = marked;
        if submissions.roster.is_none()
            && let Some(path) = self.course_roster_path()
        {
            effects.push(Effect::LoadRoster {
                generation: self.submissions.generation,
                path,
            });
        }
        effects
    }

    fn course(&self) -> Option<String> {
        let destination = self.submissions.request.as_ref()?.destination.as_deref()?;
        course_of(destination, &self.config().courses_root)
    }

    fn course_roster_path(&self) -> Option<std::path::PathBuf> {
        crate::file_request::roster_for(
            self.config(),
            &self.course()?,
            self.environment.home.as_deref(),
        )
    }

    /// `c`: every request of this course at once, once each folder is listed.
    pub(in crate::state) fn show_course(&mut self) -> Vec<Effect> {
        if self.submissions.roster.is_none() {
            self.tell(
                Level::Info,
                "The course grid needs the course's roster: press R to set it.",
            );
            return Vec::new();
        }
        let Some(course) = self.course() else {
            return Vec::new();
        };
        let root = self.config().courses_root.clone();
        let mut requests: Vec<_> = self
            .requests
            .rows
            .iter()
            .filter(|row| {
                row.request
                    .destination
                    .as_deref()
                    .and_then(|d| course_of(d, &root))
                    .is_some_and(|c| c.eq_ignore_ascii_case(&course))
            })
            .map(|row| (row.deadline, row.request.clone()))
            .collect();
        // Columns in deadline order, undated last, as a gradebook reads.
        requests
            .sort_by(|(a, x), (b, y)| (a.is_none(), a, &x.title).cmp(&(b.is_none(), b, &y.title)));
        let subs = &mut self.submissions;
        subs.grid_requests = requests.into_iter().map(|(_, r)| r).collect();
        subs.grid = None;
        subs.grid_load = crate::state::Load::Loading;
        subs.view = SubmissionsView::Course;
        subs.selected = 0;
        subs.offset = 0;
        subs.rebuild();
        let folders = subs
            .grid_requests
            .iter()
            .filter_map(|r| r.destination.clone())
            .collect();
        vec![Effect::ListCourse {
            generation: subs.generation,
            folders,
        }]
    }

    pub(in crate::state) fn course_listed(
        &mut self,
        generation: u64,
        result: Result<Vec<Vec<Metadata>>, DropboxError>,
    ) {
        let subs = &mut self.submissions;
        if generation != subs.generation {
            return;
        }
        let listings = match result {
            Ok(listings) => listings,
            Err(error) => {
                subs.grid_load = crate::state::Load::Failed(error.sentence());
                return;
            }
        };
        let Some(roster) = subs.roster.as_ref() else {
            return;
        };
        // Requests whose folder is gone have no listing: they get an empty column.
        let mut listings = listings.into_iter();
        let columns: Vec<crate::submissions::GridColumn> = subs
            .grid_requests
            .iter()
            .map(|request| {
                let entries = if request.destination.is_some() {
                    listings.next().unwrap_or_default()
                } else {
                    Vec::new()
                };
                let files = crate::submissions::files_in(entries);
                (
                    request.title.clone(),
                    request
                        .deadline
                        .as_ref()
                        .and_then(|d| crate::time::parse_dropbox(&d.deadline)),
                    crate::submissions::of_request(&files, request, &subs.assignments),
                )
            })
            .collect();
        subs.grid = Some(crate::submissions::course_grid(roster, &columns, self.now));
        subs.grid_load = crate::state::Load::Loaded;
        subs.rebuild();
    }

    pub(in crate::state) fn start_assign(&mut self) {
        let Some(submission) = self.submissions.selected_submission() else {
            self.tell(
                Level::Info,
                "Pick a file in the file list (v switches views) to assign it.",
            );
            return;
        };
        let current = submission.student.clone().unwrap_or_default();
        self.submissions.prompt = Some(Prompt::Assign {
            file_id: submission.file_id.clone(),
            input: Input::new(current),
        });
    }

    pub(in crate::state) fn start_export(&mut self) {
        if self.submissions.class.is_none() {
            self.tell(
                Level::Info,
                "Export needs the course's roster: press R to set it.",
            );
            return;
        }
        let title = self
            .submissions
            .request
            .as_ref()
            .map(|r| r.title.clone())
            .unwrap_or_default();
        let safe: String = title
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = self.download_dir().unwrap_or_default();
        let path = dir.join(format!("{} class.csv", safe.trim()));
        self.submissions.prompt = Some(Prompt::Export {
            input: Input::new(path.display().to_string()),
        });
    }

    pub(in crate::state) fn start_roster(&mut self) {
        if self.course().is_none() {
            self.tell(
                Level::Info,
                format!(
                    "This request's folder is not under {}, so it belongs to no course.",
                    self.config().courses_root
                ),
            );
            return;
        }
        let current = self
            .course_roster_path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        self.submissions.prompt = Some(Prompt::Roster {
            input: Input::new(current),
        });
    }

    /// A key while a prompt is open at the bottom of the tab.
    pub(in crate::state) fn prompt_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(prompt) = self.submissions.prompt.take() else {
            return Vec::new();
        };
        if key.code == KeyCode::Esc {
            return Vec::new();
        }
        if key.code != KeyCode::Enter {
            let mut prompt = prompt;
            let input = match &mut prompt {
                Prompt::Assign { input, .. }
                | Prompt::Export { input }
                | Prompt::Roster { input } => input,
            };
            input.handle_event(&Event::Key(key));
            self.submissions.prompt = Some(prompt);
            return Vec::new();
        }
        match prompt {
            Prompt::Assign { file_id, input } => self.finish_assign(file_id, input),
            Prompt::Export { input } => {
                let text = input.value().trim().to_string();
                if text.is_empty() {
                    self.submissions.prompt = Some(Prompt::Export { input });
                    return Vec::new();
                }
                let (Some(roster), Some(view)) = (
                    self.submissions.roster.clone(),
                    self.submissions.class.clone(),
                ) else {
                    return Vec::new();
                };
                vec![Effect::ExportClass {
                    path: self.expand_home(&text),
                    roster,
                    view: Box::new(view),
                    submissions: self.submissions.submissions.clone(),
                }]
            }
            Prompt::Roster { input } => {
                let text = input.value().trim().to_string();
                let Some(course) = self.course() else {
                    return Vec::new();
                };
                // The line the file already has for this course, in whatever case.
                let course = crate::file_request::roster_entry(
                    self.config(),
                    &course,
                    self.environment.home.as_deref(),
                )
                .map_or(course, |(key, _)| key.to_string());
                let mut next = self.config().clone();
                let key = ConfigKey::roster(&course);
                if text.is_empty() {
                    next.rosters.remove(&course);
                    self.submissions.roster = None;
                    self.submissions.roster_problem = None;
                    self.submissions.rebuild();
                    return self.save_config(next, key);
                }
                let path = self.expand_home(&text);
                next.rosters.insert(course, path.clone());
                let mut effects = self.save_config(next, key);
                effects.push(Effect::LoadRoster {
                    generation: self.submissions.generation,
                    path,
                });
                effects
            }
        }
    }

    fn finish_assign(&mut self, file_id: String, input: Input) -> Vec<Effect> {
        let typed = input.value().trim().to_string();
        if typed.is_empty() {
            self.submissions.assignments.unassign(&file_id);
        } else {
            let name = match &self.submissions.roster {
                Some(roster) => match roster.find(&typed) {
                    Match::One(index) => roster.students[index].name.clone(),
                    Match::Ambiguous(candidates) => {
                        let names: Vec<String> = candidates
                            .iter()
                            .map(|&i| roster.students[i].name.clone())
                            .collect();
                        self.tell(
                            Level::Error,
                            format!(
                                "“{typed}” could be {}; type more of the name or the email.",
                                names.join(" or ")
                            ),
                        );
                        self.submissions.prompt = Some(Prompt::Assign { file_id, input });
                        return Vec::new();
                    }
                    Match::Unknown => {
                        self.tell(
                            Level::Error,
                            format!("No one called “{typed}” is on the roster; check the spelling or use the email."),
                        );
                        self.submissions.prompt = Some(Prompt::Assign { file_id, input });
                        return Vec::new();
                    }
                },
                None => typed,
            };
            self.submissions.assignments.assign(&file_id, &name);
        }
        self.submissions.rebuild();
        vec![Effect::SaveAssignments {
            assignments: self.submissions.assignments.clone(),
        }]
    }
}

impl State {
    /// `~/x` as the shell would read it.
    fn expand_home(&self, text: &str) -> std::path::PathBuf {
        match (text.strip_prefix("~/"), &self.environment.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => std::path::PathBuf::from(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::action::Action;
    use crate::config::Config;
    use crate::dropbox::FileMetadata;
    use crate::fixtures::{fixed_now, sample_files_request, sample_requests};
    use crate::state::{Environment, update};
    use crate::time::Zone;

    fn new_files(from: usize, count: usize) -> Vec<Metadata> {
        let folder = sample_files_request(fixed_now())
            .destination
            .expect("a folder");
        (from..from + count)
            .map(|n| {
                let name = format!("Student {n} - essay.pdf");
                Metadata::File(
                    FileMetadata::new(
                        name.clone(),
                        format!("id:{n}"),
                        "2026-09-10T12:00:00Z".into(),
                        "2026-09-10T12:00:00Z".into(),
                        format!("{n:016x}"),
                        1,
                    )
                    .with_path_lower(format!("{folder}/{name}").to_lowercase()),
                )
            })
            .collect()
    }

    #[test]
    fn new_files_announced_round_after_round_stop_the_watch_at_the_listing_limit() {
        let config = Config {
            max_listing_entries: 100,
            ..Config::default()
        };
        let mut state =
            State::new(fixed_now(), Zone::utc(), Environment::default()).with_config(config);
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
            update(
                &mut state,
                Action::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
            );
        }
        update(
            &mut state,
            Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        let generation = state.submissions.generation;
        let effects = update(
            &mut state,
            Action::FilesListed {
                generation,
                result: Ok((new_files(0, 60), "c0".into())),
            },
        );
        assert!(
            matches!(effects.as_slice(), [Effect::WatchFiles { .. }]),
            "{effects:?}"
        );
        let effects = update(
            &mut state,
            Action::FilesChanged {
                generation,
                result: Ok((new_files(60, 30), "c1".into())),
            },
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::WatchFiles { .. })),
            "under the limit the watch goes on: {effects:?}"
        );
        let effects = update(
            &mut state,
            Action::FilesChanged {
                generation,
                result: Ok((new_files(90, 30), "c2".into())),
            },
        );
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::WatchFiles { .. })),
            "past the limit the watch must stop: {effects:?}"
        );
        let status = state.status.as_ref().expect("a status");
        assert_eq!(status.level, Level::Error);
        assert!(
            status.text.contains("max_listing_entries"),
            "{}",
            status.text
        );
    }
}
