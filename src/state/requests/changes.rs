//! Changing file requests: the form, confirmations before anything destructive, and
//! Dropbox's answers. The table always shows what Dropbox answered, never a local guess.

use crate::action::{Change, Effect};
use crate::dropbox::{DropboxError, FileRequest, UpdateFileRequestArgs};
use crate::state::form::{FormOutcome, RequestForm, Submission};
use crate::state::{Confirm, Level, Modal, Pending, State, Status};

/// The change waiting for Dropbox, if any: one at a time keeps the answers unambiguous.
#[derive(Debug, Clone, Default)]
pub struct Mutations {
    pub generation: u64,
    /// What is being done, for the status bar ("Creating “Lab 4”…"). When something else
    /// is asked for meanwhile, it says so here: the status bar shows this line, not the
    /// status, while a change is on its way.
    pub busy: Option<String>,
    /// Whether the change on its way was submitted by the form still open: only that form
    /// hears the answer. Any other answer goes to the status bar and leaves the form alone.
    pub from_form: bool,
}

/// Starts the busy line once another change was asked for before the last one landed;
/// first, so that a narrow status bar cuts the title rather than the reason.
const ONE_AT_A_TIME: &str = "One change at a time, still ";

fn quoted(title: &str) -> String {
    format!("\u{201c}{title}\u{201d}")
}

fn files_stay(request: &FileRequest) -> String {
    let files = match request.file_count {
        0 => "No files were uploaded".to_string(),
        1 => "The 1 uploaded file stays".to_string(),
        n => format!("The {n} uploaded files stay"),
    };
    match (&request.destination, request.file_count) {
        (_, 0) => format!("{files} to it."),
        (Some(folder), _) => format!("{files} in {folder}."),
        (None, _) => format!("{files} in your Dropbox."),
    }
}

/// The requests by title: every one up to four, else three and how many more.
fn names(requests: &[&FileRequest]) -> String {
    let quoted: Vec<String> = requests.iter().map(|r| quoted(&r.title)).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first @ .., last] if quoted.len() <= 4 => format!("{} and {last}", first.join(", ")),
        _ => format!("{} and {} more", quoted[..3].join(", "), quoted.len() - 3),
    }
}

/// What becomes of the files uploaded to the closed requests about to go.
fn closed_files_stay(closed: &[&FileRequest]) -> String {
    let files: i64 = closed.iter().map(|r| r.file_count).sum();
    let (them, their) = if closed.len() == 1 {
        ("it", "its folder")
    } else {
        ("them", "their folders")
    };
    match files {
        0 => format!("No files were uploaded to {them}."),
        1 => "The 1 uploaded file stays in its folder.".to_string(),
        n => format!("The {n} uploaded files stay in {their}."),
    }
}

impl State {
    fn selected_request(&self) -> Option<&FileRequest> {
        self.requests.selected_row().map(|row| &row.request)
    }

    /// Whether a change is still on its way, in which case the busy line now says that
    /// another one has to wait.
    fn refused_while_busy(&mut self) -> bool {
        let Some(busy) = &mut self.mutations.busy else {
            return false;
        };
        if !busy.starts_with(ONE_AT_A_TIME) {
            // "Closing “Lab 1”…" becomes "One change at a time, still closing “Lab 1”…".
            let mut doing = busy.chars();
            let first = doing.next().map(|c| c.to_lowercase().to_string());
            *busy = format!(
                "{ONE_AT_A_TIME}{}{}",
                first.unwrap_or_default(),
                doing.as_str()
            );
        }
        true
    }

    fn begin_change(&mut self, busy: String, from_form: bool) -> Option<u64> {
        if self.refused_while_busy() {
            return None;
        }
        self.mutations.generation += 1;
        self.mutations.busy = Some(busy);
        self.mutations.from_form = from_form;
        Some(self.mutations.generation)
    }

    pub(in crate::state) fn start_count(&mut self) -> Effect {
        self.requests.count_generation += 1;
        Effect::CountRequests {
            generation: self.requests.count_generation,
        }
    }

    pub(in crate::state) fn new_request(&mut self) -> Vec<Effect> {
        if self.refused_while_busy() {
            return Vec::new();
        }
        let config = self.config();
        // A new request goes in the course of the request under the cursor, if any: the
        // professor is usually working through one course.
        let course = self
            .requests
            .selected_row()
            .and_then(|row| row.request.destination.as_deref())
            .and_then(|destination| {
                crate::file_request::course_of(destination, &config.courses_root)
            });
        let root = course.as_deref().unwrap_or(&config.courses_root);
        let form = RequestForm::create(root, config.default_grace.to_grace());
        self.modal = Some(Modal::Form(Box::new(form)));
        Vec::new()
    }

    pub(in crate::state) fn edit_request(&mut self) -> Vec<Effect> {
        if self.refused_while_busy() {
            return Vec::new();
        }
        if let Some(request) = self.selected_request() {
            let form = RequestForm::edit(request, self.zone);
            self.modal = Some(Modal::Form(Box::new(form)));
        }
        Vec::new()
    }

    pub(in crate::state) fn toggle_open(&mut self) -> Vec<Effect> {
        let Some(request) = self.selected_request().cloned() else {
            return Vec::new();
        };
        if self.refused_while_busy() {
            return Vec::new();
        }
        if request.is_open {
            self.modal = Some(Modal::Confirm(Confirm {
                title: format!("Close {}?", quoted(&request.title)),
                lines: vec![
                    "Students can no longer upload to its link until you reopen it (x)."
                        .to_string(),
                    files_stay(&request),
                ],
                yes: "close it".to_string(),
                pending: Pending::Close { id: request.id },
            }));
            return Vec::new();
        }
        let Some(generation) =
            self.begin_change(format!("Reopening {}…", quoted(&request.title)), false)
        else {
            return Vec::new();
        };
        vec![Effect::UpdateRequest {
            generation,
            change: Change::Reopened,
            args: UpdateFileRequestArgs::new(request.id).with_open(true),
        }]
    }

    pub(in crate::state) fn delete_request(&mut self) -> Vec<Effect> {
        let Some(request) = self.selected_request().cloned() else {
            return Vec::new();
        };
        if self.refused_while_busy() {
            return Vec::new();
        }
        let confirm = if request.is_open {
            Confirm {
                title: format!("{} is open", quoted(&request.title)),
                lines: vec![
                    "Dropbox deletes closed requests only. Close it and delete it?".to_string(),
                    "Its link stops working for good.".to_string(),
                    files_stay(&request),
                ],
                yes: "close and delete it".to_string(),
                pending: Pending::CloseAndDelete { id: request.id },
            }
        } else {
            Confirm {
                title: format!("Delete {}?", quoted(&request.title)),
                lines: vec![
                    "The request and its link go for good.".to_string(),
                    files_stay(&request),
                ],
                yes: "delete it".to_string(),
                pending: Pending::Delete { id: request.id },
            }
        };
        self.modal = Some(Modal::Confirm(confirm));
        Vec::new()
    }

    pub(in crate::state) fn delete_all_closed(&mut self) -> Vec<Effect> {
        if self.refused_while_busy() {
            return Vec::new();
        }
        let closed: Vec<&FileRequest> = self
            .requests
            .rows
            .iter()
            .map(|row| &row.request)
            .filter(|r| !r.is_open)
            .collect();
        if closed.is_empty() {
            self.status = Some(Status {
                level: Level::Info,
                text: "There are no closed requests to delete.".to_string(),
            });
            return Vec::new();
        }
        // Dropbox deletes every closed request the account holds, whatever this table
        // shows (a list loaded a while ago, say): the question says so.
        let lines = vec![
            format!("{}.", names(&closed)),
            "Dropbox deletes every closed request on the account, listed here or not; \
             their links stop working for good."
                .to_string(),
            closed_files_stay(&closed),
        ];
        self.modal = Some(Modal::Confirm(Confirm {
            title: format!(
                "Delete every closed request ({} listed here)?",
                closed.len()
            ),
            lines,
            yes: "delete them".to_string(),
            pending: Pending::DeleteAllClosed,
        }));
        Vec::new()
    }

    pub(in crate::state) fn copy_link(&mut self) -> Vec<Effect> {
        let Some(url) = self.selected_request().map(|request| request.url.clone()) else {
            return Vec::new();
        };
        // The link is the server's text, and a clipboard is pasted into terminals and
        // shells: a line feed or an escape sequence in it would act there.
        if !crate::untrusted::is_pastable_link(&url) {
            self.tell(
                Level::Error,
                format!(
                    "The server gave this request a link with control characters or spaces ({}), so it was not copied; open the request on dropbox.com for its link.",
                    crate::untrusted::visible(&url)
                ),
            );
            return Vec::new();
        }
        vec![Effect::Copy { text: url }]
    }

    pub(in crate::state) fn show_qr(&mut self) -> Vec<Effect> {
        if let Some(request) = self.selected_request() {
            self.modal = Some(Modal::Qr {
                title: request.title.clone(),
                url: request.url.clone(),
            });
        }
        Vec::new()
    }

    pub(in crate::state) fn form_outcome(
        &mut self,
        mut form: Box<RequestForm>,
        outcome: FormOutcome,
    ) -> Vec<Effect> {
        match outcome {
            FormOutcome::Editing => {
                self.modal = Some(Modal::Form(form));
                Vec::new()
            }
            FormOutcome::Cancelled => {
                // Closed while its submit was on its way: the answer goes to the status bar.
                self.mutations.from_form = false;
                Vec::new()
            }
            FormOutcome::Quit => {
                self.quitting = true;
                Vec::new()
            }
            FormOutcome::Unchanged => {
                self.status = Some(Status {
                    level: Level::Info,
                    text: "Nothing changed, so nothing was sent.".to_string(),
                });
                Vec::new()
            }
            FormOutcome::ListFolders(parent) => {
                self.modal = Some(Modal::Form(form));
                vec![Effect::ListFolders { parent }]
            }
            FormOutcome::Submit(submission) => {
                let busy = match &submission {
                    Submission::Create(args) => format!("Creating {}…", quoted(&args.title)),
                    Submission::Update(_) => {
                        format!("Saving {}…", quoted(form.title.value().trim()))
                    }
                };
                let Some(generation) = self.begin_change(busy, true) else {
                    form.refused(
                        "Another change is still on its way to Dropbox; try again in a moment."
                            .to_string(),
                    );
                    self.modal = Some(Modal::Form(form));
                    return Vec::new();
                };
                self.modal = Some(Modal::Form(form));
                vec![match submission {
                    Submission::Create(args) => Effect::CreateRequest { generation, args },
                    Submission::Update(args) => Effect::UpdateRequest {
                        generation,
                        change: Change::Edited,
                        args,
                    },
                }]
            }
        }
    }

    /// y on a question about a request: the change goes to Dropbox.
    pub(in crate::state) fn confirmed_change(&mut self, pending: Pending) -> Vec<Effect> {
        let title_of = |state: &State, id: &str| {
            state
                .requests
                .rows
                .iter()
                .find(|row| row.request.id == id)
                .map(|row| quoted(&row.request.title))
                .unwrap_or_else(|| "the request".to_string())
        };
        match pending {
            Pending::Close { id } => {
                let busy = format!("Closing {}…", title_of(self, &id));
                let Some(generation) = self.begin_change(busy, false) else {
                    return Vec::new();
                };
                vec![Effect::UpdateRequest {
                    generation,
                    change: Change::Closed,
                    args: UpdateFileRequestArgs::new(id).with_open(false),
                }]
            }
            Pending::Delete { id } => {
                let busy = format!("Deleting {}…", title_of(self, &id));
                let Some(generation) = self.begin_change(busy, false) else {
                    return Vec::new();
                };
                vec![Effect::DeleteRequests {
                    generation,
                    ids: vec![id],
                }]
            }
            Pending::CloseAndDelete { id } => {
                let busy = format!("Closing and deleting {}…", title_of(self, &id));
                let Some(generation) = self.begin_change(busy, false) else {
                    return Vec::new();
                };
                vec![Effect::CloseAndDelete { generation, id }]
            }
            Pending::DeleteAllClosed => {
                let Some(generation) =
                    self.begin_change("Deleting the closed requests…".to_string(), false)
                else {
                    return Vec::new();
                };
                vec![Effect::DeleteAllClosed { generation }]
            }
            Pending::Quit | Pending::SendMail { .. } | Pending::StopMail => Vec::new(),
        }
    }

    /// Dropbox answered a create or update. The form hears it only if it sent it and is
    /// still waiting; anything else goes to the status bar, and the table shows it.
    pub(in crate::state) fn request_saved(
        &mut self,
        generation: u64,
        change: Change,
        result: Result<FileRequest, DropboxError>,
    ) -> Vec<Effect> {
        if generation != self.mutations.generation || self.mutations.busy.is_none() {
            return Vec::new();
        }
        self.mutations.busy = None;
        let from_form = std::mem::take(&mut self.mutations.from_form);
        let waiting_form = match &mut self.modal {
            Some(Modal::Form(form)) if from_form && form.submitting => Some(form),
            _ => None,
        };
        match result {
            Ok(request) => {
                if waiting_form.is_some() {
                    self.modal = None;
                }
                let verb = match change {
                    Change::Created => "Created",
                    Change::Edited => "Saved",
                    Change::Closed => "Closed",
                    Change::Reopened => "Reopened",
                };
                let mut text = format!("{verb} {}.", quoted(&request.title));
                if change == Change::Created {
                    text.push_str(" y copies its link, Q shows it as a QR code.");
                }
                let reload = self.requests.upsert(request, self.now);
                self.status = Some(Status {
                    level: Level::Info,
                    text,
                });
                reload.into_iter().chain([self.start_count()]).collect()
            }
            Err(error) => {
                let sentence = error.sentence();
                if let Some(form) = waiting_form {
                    form.refused(sentence);
                    Vec::new()
                } else {
                    self.status = Some(Status {
                        level: Level::Error,
                        text: sentence,
                    });
                    // Whatever happened on Dropbox's side, show what is there now.
                    vec![self.requests.begin_load(), self.start_count()]
                }
            }
        }
    }

    pub(in crate::state) fn requests_deleted(
        &mut self,
        generation: u64,
        result: Result<Vec<FileRequest>, DropboxError>,
    ) -> Vec<Effect> {
        if generation != self.mutations.generation || self.mutations.busy.is_none() {
            return Vec::new();
        }
        self.mutations.busy = None;
        self.mutations.from_form = false;
        match result {
            Ok(deleted) => {
                let text = match deleted.as_slice() {
                    [] => "Nothing was deleted.".to_string(),
                    [one] => format!("Deleted {}. {}", quoted(&one.title), files_stay(one)),
                    many => format!(
                        "Deleted {} closed requests. Their files stay in their folders.",
                        many.len()
                    ),
                };
                let ids: Vec<&str> = deleted.iter().map(|r| r.id.as_str()).collect();
                let reload = self.requests.remove(&ids);
                self.status = Some(Status {
                    level: Level::Info,
                    text,
                });
                reload.into_iter().chain([self.start_count()]).collect()
            }
            Err(error) => {
                self.status = Some(Status {
                    level: Level::Error,
                    text: error.sentence(),
                });
                vec![self.requests.begin_load(), self.start_count()]
            }
        }
    }

    pub(in crate::state) fn folders_listed(
        &mut self,
        parent: &str,
        result: Result<Vec<String>, DropboxError>,
    ) {
        if let Some(Modal::Form(form)) = &mut self.modal {
            // The service already answers a folder that does not exist yet with no
            // subfolders (Dropbox creates it); any other error says nothing about the
            // folder, so the form does not remember it.
            form.folders_listed(parent, result.ok());
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::action::Action;
    use crate::fixtures::{fixed_now, network_error, sample_requests};
    use crate::state::test_support::{ctrl, loaded, press, selected_title, type_text};
    use crate::state::{Load, update};

    fn select(state: &mut State, title: &str) {
        let at = state
            .requests
            .visible
            .iter()
            .position(|&i| state.requests.rows[i].request.title == title)
            .expect("listed");
        state.requests.selected = at;
    }

    fn request(title: &str) -> FileRequest {
        sample_requests(fixed_now())
            .into_iter()
            .find(|r| r.title == title)
            .expect("fixture")
    }

    fn form(state: &State) -> &RequestForm {
        match &state.modal {
            Some(Modal::Form(form)) => form,
            other => panic!("the form, not {other:?}"),
        }
    }

    /// The generation of the change the effects start.
    fn change_generation(effects: &[Effect]) -> u64 {
        effects
            .iter()
            .find_map(|effect| match effect {
                Effect::CreateRequest { generation, .. }
                | Effect::UpdateRequest { generation, .. }
                | Effect::DeleteRequests { generation, .. }
                | Effect::CloseAndDelete { generation, .. }
                | Effect::DeleteAllClosed { generation } => Some(*generation),
                _ => None,
            })
            .expect("a change")
    }

    fn created(title: &str) -> FileRequest {
        FileRequest::new(
            "frNEW".to_string(),
            "https://www.dropbox.com/request/frNEW".to_string(),
            title.to_string(),
            "2026-11-27T12:00:00Z".to_string(),
            true,
            0,
        )
        .with_destination(format!("/Courses/{title}"))
    }

    #[test]
    fn a_new_request_goes_in_the_course_under_the_cursor() {
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Lab 2 - Loops");
        let course = state
            .requests
            .selected_row()
            .unwrap()
            .request
            .destination
            .clone()
            .unwrap();
        let course = crate::file_request::course_of(&course, "/Courses").unwrap();
        press(&mut state, KeyCode::Char('n'));
        let Some(Modal::Form(form)) = &state.modal else {
            panic!("the form opens");
        };
        assert_eq!(form.destination.value(), format!("{course}/"));
        type_text(&mut state, "Essay 9");
        let Some(Modal::Form(form)) = &state.modal else {
            panic!("the form stays");
        };
        assert_eq!(form.destination.value(), format!("{course}/Essay 9"));
    }

    #[test]
    fn an_answer_to_another_change_leaves_the_open_form_alone() {
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Lab 2 - Loops");
        let effects = press(&mut state, KeyCode::Char('x'));
        let generation = change_generation(&effects);
        // A form open meanwhile (one opened before the reopen was asked for, say).
        state.modal = Some(Modal::Form(Box::new(RequestForm::create("/Courses", None))));
        type_text(&mut state, "Essay");
        let effects = update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Reopened,
                result: Err(network_error()),
            },
        );
        assert_eq!(form(&state).title.value(), "Essay", "kept, still open");
        assert_eq!(form(&state).error, None, "not the form's refusal");
        let status = state.status.clone().expect("status");
        assert_eq!(status.level, Level::Error);
        assert!(effects.contains(&Effect::LoadRequests { generation: 2 }));

        let effects = press(&mut state, KeyCode::Esc);
        assert!(effects.is_empty());
        press(&mut state, KeyCode::Char('y'));
        select(&mut state, "Lab 2 - Loops");
        let generation = change_generation(&press(&mut state, KeyCode::Char('x')));
        state.modal = Some(Modal::Form(Box::new(RequestForm::create("/Courses", None))));
        type_text(&mut state, "Essay");
        let mut reopened = request("Lab 2 - Loops");
        reopened.is_open = true;
        update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Reopened,
                result: Ok(reopened),
            },
        );
        assert_eq!(
            form(&state).title.value(),
            "Essay",
            "a success does not close it"
        );
        assert!(
            state
                .status
                .as_ref()
                .is_some_and(|s| s.text.starts_with("Reopened"))
        );
    }

    #[test]
    fn the_form_hears_the_answer_to_its_own_submit() {
        let mut state = loaded(sample_requests(fixed_now()));
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "Essay");
        let generation = change_generation(&ctrl(&mut state, 's'));
        assert!(state.mutations.from_form);
        update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Created,
                result: Err(network_error()),
            },
        );
        assert!(form(&state).error.is_some(), "the refusal is in the form");
        assert!(!form(&state).submitting);

        let generation = change_generation(&ctrl(&mut state, 's'));
        let effects = update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Created,
                result: Ok(created("Essay")),
            },
        );
        assert!(state.modal.is_none(), "closed on success");
        assert_eq!(selected_title(&state), "Essay");
        assert_eq!(effects, vec![Effect::CountRequests { generation: 2 }]);
        update(
            &mut state,
            Action::CountLoaded {
                generation: 2,
                result: Ok(11),
            },
        );
        assert_eq!(state.requests.count, Some(11));
    }

    #[test]
    fn esc_during_a_submit_closes_the_form_and_the_answer_reaches_the_status_bar() {
        let mut state = loaded(sample_requests(fixed_now()));
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "Essay");
        let generation = change_generation(&ctrl(&mut state, 's'));
        press(&mut state, KeyCode::Esc);
        assert!(state.modal.is_none());
        update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Created,
                result: Ok(created("Essay")),
            },
        );
        assert_eq!(selected_title(&state), "Essay", "the table has it");
        assert!(
            state
                .status
                .as_ref()
                .is_some_and(|s| s.text.starts_with("Created “Essay”."))
        );

        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "Essay 2");
        let generation = change_generation(&ctrl(&mut state, 's'));
        press(&mut state, KeyCode::Esc);
        let effects = update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Created,
                result: Err(network_error()),
            },
        );
        assert_eq!(
            state.status.as_ref().map(|s| s.level),
            Some(Level::Error),
            "the refusal is on the status bar"
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::LoadRequests { .. }))
        );
    }

    #[test]
    fn ctrl_c_quits_from_the_form_asking_first_when_something_was_typed() {
        let mut state = loaded(sample_requests(fixed_now()));
        press(&mut state, KeyCode::Char('n'));
        ctrl(&mut state, 'c');
        assert!(state.quitting);

        let mut state = loaded(sample_requests(fixed_now()));
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "Essay");
        ctrl(&mut state, 'c');
        assert!(!state.quitting);
        assert_eq!(form(&state).title.value(), "Essay");
        press(&mut state, KeyCode::Char('y'));
        assert!(state.quitting);

        for key in ['d', 'Q'] {
            let mut state = loaded(sample_requests(fixed_now()));
            press(&mut state, KeyCode::Char(key));
            assert!(state.modal.is_some());
            ctrl(&mut state, 'c');
            assert!(state.quitting, "from the {key} overlay");
        }
    }

    #[test]
    fn while_a_change_is_on_its_way_others_wait_and_the_busy_line_says_so() {
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Lab 2 - Loops");
        press(&mut state, KeyCode::Char('x'));
        assert_eq!(
            state.mutations.busy.as_deref(),
            Some("Reopening “Lab 2 - Loops”…")
        );
        for key in ['n', 'e', 'x', 'd', 'D'] {
            assert!(press(&mut state, KeyCode::Char(key)).is_empty(), "{key}");
            assert!(state.modal.is_none(), "{key}: nothing opens");
        }
        assert_eq!(
            state.mutations.busy.as_deref(),
            Some("One change at a time, still reopening “Lab 2 - Loops”…")
        );
        // Copying the link and the QR code change nothing, so they still work.
        assert_eq!(press(&mut state, KeyCode::Char('y')).len(), 1);
        press(&mut state, KeyCode::Char('Q'));
        assert!(matches!(state.modal, Some(Modal::Qr { .. })));
    }

    #[test]
    fn a_list_asked_for_before_a_change_cannot_undo_it() {
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Project proposal");
        assert_eq!(
            press(&mut state, KeyCode::Char('r')),
            vec![
                Effect::LoadRequests { generation: 2 },
                Effect::CountRequests { generation: 2 }
            ]
        );
        press(&mut state, KeyCode::Char('x'));
        let generation = change_generation(&press(&mut state, KeyCode::Char('y')));
        let mut closed = request("Project proposal");
        closed.is_open = false;
        let effects = update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Closed,
                result: Ok(closed),
            },
        );
        assert_eq!(
            effects,
            vec![
                Effect::LoadRequests { generation: 3 },
                Effect::CountRequests { generation: 3 }
            ],
            "a fresh list, asked after the change"
        );
        // The list asked for before the close arrives with the request still open.
        update(
            &mut state,
            Action::RequestsLoaded {
                generation: 2,
                result: Ok(sample_requests(fixed_now())),
            },
        );
        let row = state.requests.selected_row().expect("selected");
        assert_eq!(row.request.title, "Project proposal");
        assert!(!row.request.is_open, "the close stands");
        assert!(
            state.requests.load.is_loading(),
            "the fresh list is awaited"
        );

        // With no list on its way, a change asks for none.
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Project proposal");
        press(&mut state, KeyCode::Char('x'));
        let generation = change_generation(&press(&mut state, KeyCode::Char('y')));
        let effects = update(
            &mut state,
            Action::RequestSaved {
                generation,
                change: Change::Closed,
                result: Ok(request("Project proposal")),
            },
        );
        assert_eq!(effects, vec![Effect::CountRequests { generation: 2 }]);
        assert_eq!(state.requests.load, Load::Loaded);
    }

    #[test]
    fn deleting_keeps_the_selection_on_the_request_it_was_on() {
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Lab report 2");
        let generation = {
            press(&mut state, KeyCode::Char('D'));
            change_generation(&press(&mut state, KeyCode::Char('y')))
        };
        let closed: Vec<FileRequest> = sample_requests(fixed_now())
            .into_iter()
            .filter(|r| !r.is_open)
            .collect();
        update(
            &mut state,
            Action::RequestsDeleted {
                generation,
                result: Ok(closed),
            },
        );
        assert_eq!(state.requests.rows.len(), 7);
        assert_eq!(selected_title(&state), "Lab report 2");

        // The selected one gone: the row now at its place.
        let mut state = loaded(sample_requests(fixed_now()));
        select(&mut state, "Lab 2 - Loops");
        let position = state.requests.selected;
        press(&mut state, KeyCode::Char('d'));
        let generation = change_generation(&press(&mut state, KeyCode::Char('y')));
        update(
            &mut state,
            Action::RequestsDeleted {
                generation,
                result: Ok(vec![request("Lab 2 - Loops")]),
            },
        );
        assert_eq!(state.requests.selected, position);
        let next = state.requests.rows[state.requests.visible[position]]
            .request
            .title
            .clone();
        assert_eq!(selected_title(&state), next);
        assert_ne!(next, "Lab 2 - Loops");
    }

    #[test]
    fn delete_all_closed_is_honest_about_what_goes() {
        let mut state = loaded(sample_requests(fixed_now()));
        press(&mut state, KeyCode::Char('D'));
        let Some(Modal::Confirm(confirm)) = &state.modal else {
            panic!("a confirmation");
        };
        assert_eq!(
            confirm.title,
            "Delete every closed request (3 listed here)?"
        );
        assert_eq!(
            confirm.lines[0],
            "“Lab 1 - Hello, World”, “Lab 2 - Loops” and “Old draft request”."
        );
        assert!(confirm.lines[1].contains("every closed request on the account"));
        assert_eq!(
            confirm.lines[2],
            "The 80 uploaded files stay in their folders."
        );
    }

    #[test]
    fn names_and_files_read_as_sentences() {
        let list: Vec<FileRequest> = (1..=5)
            .map(|i| {
                let mut r = request("Lab 1 - Hello, World");
                r.title = format!("Lab {i}");
                r.file_count = 0;
                r
            })
            .collect();
        let refs: Vec<&FileRequest> = list.iter().collect();
        assert_eq!(names(&refs[..1]), "“Lab 1”");
        assert_eq!(names(&refs[..2]), "“Lab 1” and “Lab 2”");
        assert_eq!(
            names(&refs[..4]),
            "“Lab 1”, “Lab 2”, “Lab 3” and “Lab 4”",
            "the last one named, not \"and 1 more\""
        );
        assert_eq!(names(&refs), "“Lab 1”, “Lab 2”, “Lab 3” and 2 more");

        assert_eq!(
            closed_files_stay(&refs[..1]),
            "No files were uploaded to it."
        );
        assert_eq!(closed_files_stay(&refs), "No files were uploaded to them.");
        let mut one = list.clone();
        one[0].file_count = 1;
        let refs: Vec<&FileRequest> = one.iter().collect();
        assert_eq!(
            closed_files_stay(&refs),
            "The 1 uploaded file stays in its folder."
        );
        assert_eq!(
            closed_files_stay(&refs[..1]),
            "The 1 uploaded file stays in its folder."
        );
    }

    #[test]
    fn a_failed_folder_listing_is_asked_again_later() {
        let mut state = loaded(sample_requests(fixed_now()));
        press(&mut state, KeyCode::Char('n'));
        press(&mut state, KeyCode::Tab);
        ctrl(&mut state, 'u');
        type_text(&mut state, "/Courses");
        let effects = press(&mut state, KeyCode::Char('/'));
        assert_eq!(
            effects,
            vec![Effect::ListFolders {
                parent: "/Courses".to_string()
            }]
        );
        update(
            &mut state,
            Action::FoldersListed {
                parent: "/Courses".to_string(),
                result: Err(network_error()),
            },
        );
        assert!(press(&mut state, KeyCode::Char('c')).is_empty());
        assert_eq!(
            press(&mut state, KeyCode::Backspace),
            vec![Effect::ListFolders {
                parent: "/Courses".to_string()
            }],
            "the failure was not remembered as no subfolders"
        );
    }
}
