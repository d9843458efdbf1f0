//! Changing file requests: the form, confirmations before anything destructive, and
//! Dropbox's answers. The table always shows what Dropbox answered, never a local guess.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::form::{FormOutcome, RequestForm, Submission};
use super::{Level, State, Status};
use crate::action::{Change, Effect};
use crate::dropbox::{DropboxError, FileRequest, UpdateFileRequestArgs};

/// An overlay that takes the keys until it closes.
#[derive(Debug, Clone)]
pub enum Modal {
    Form(Box<RequestForm>),
    Confirm(Confirm),
    /// The upload link as a QR code, for the projector.
    Qr {
        title: String,
        url: String,
    },
}

/// A question before a destructive change: it names what goes and what stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    /// What `y` does, e.g. "delete it".
    pub yes: String,
    pub pending: Pending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Close { id: String },
    Delete { id: String },
    CloseAndDelete { id: String },
    DeleteAllClosed,
}

/// The change waiting for Dropbox, if any: one at a time keeps the answers unambiguous.
#[derive(Debug, Clone, Default)]
pub struct Mutations {
    pub generation: u64,
    /// What is being done, for the status bar ("Creating “Lab 4”…").
    pub busy: Option<String>,
    /// The request to select once the change lands.
    pub target: Option<String>,
}

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

impl State {
    fn selected_request(&self) -> Option<&FileRequest> {
        self.requests.selected_row().map(|row| &row.request)
    }

    fn begin_change(&mut self, busy: String, target: Option<String>) -> Option<u64> {
        if let Some(current) = &self.mutations.busy {
            self.status = Some(Status {
                level: Level::Info,
                text: format!("{current} Wait for it to finish."),
            });
            return None;
        }
        self.mutations.generation += 1;
        self.mutations.busy = Some(busy);
        self.mutations.target = target;
        Some(self.mutations.generation)
    }

    fn begin_count(&mut self) -> Effect {
        self.requests.count_generation += 1;
        Effect::CountRequests {
            generation: self.requests.count_generation,
        }
    }

    pub(super) fn start_count(&mut self) -> Effect {
        self.begin_count()
    }

    pub(super) fn new_request(&mut self) -> Vec<Effect> {
        let config = self.config();
        let form = RequestForm::create(&config.courses_root, config.default_grace.to_grace());
        self.modal = Some(Modal::Form(Box::new(form)));
        Vec::new()
    }

    pub(super) fn edit_request(&mut self) -> Vec<Effect> {
        if let Some(request) = self.selected_request() {
            let form = RequestForm::edit(request, self.zone);
            self.modal = Some(Modal::Form(Box::new(form)));
        }
        Vec::new()
    }

    pub(super) fn toggle_open(&mut self) -> Vec<Effect> {
        let Some(request) = self.selected_request().cloned() else {
            return Vec::new();
        };
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
        let Some(generation) = self.begin_change(
            format!("Reopening {}…", quoted(&request.title)),
            Some(request.id.clone()),
        ) else {
            return Vec::new();
        };
        vec![Effect::UpdateRequest {
            generation,
            change: Change::Reopened,
            args: UpdateFileRequestArgs::new(request.id).with_open(true),
        }]
    }

    pub(super) fn delete_request(&mut self) -> Vec<Effect> {
        let Some(request) = self.selected_request().cloned() else {
            return Vec::new();
        };
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

    pub(super) fn delete_all_closed(&mut self) -> Vec<Effect> {
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
        let files: i64 = closed.iter().map(|r| r.file_count).sum();
        let mut names: Vec<String> = closed.iter().take(3).map(|r| quoted(&r.title)).collect();
        if closed.len() > 3 {
            names.push(format!("and {} more", closed.len() - 3));
        }
        self.modal = Some(Modal::Confirm(Confirm {
            title: format!(
                "Delete all {} closed request{}?",
                closed.len(),
                if closed.len() == 1 { "" } else { "s" }
            ),
            lines: vec![
                names.join(", "),
                "Their links go for good.".to_string(),
                format!("The {files} uploaded files stay in their folders."),
            ],
            yes: "delete them".to_string(),
            pending: Pending::DeleteAllClosed,
        }));
        Vec::new()
    }

    pub(super) fn copy_link(&mut self) -> Vec<Effect> {
        match self.selected_request() {
            Some(request) => vec![Effect::Copy {
                text: request.url.clone(),
            }],
            None => Vec::new(),
        }
    }

    pub(super) fn show_qr(&mut self) -> Vec<Effect> {
        if let Some(request) = self.selected_request() {
            self.modal = Some(Modal::Qr {
                title: request.title.clone(),
                url: request.url.clone(),
            });
        }
        Vec::new()
    }

    /// A key while a modal is open.
    pub(super) fn modal_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(modal) = self.modal.take() else {
            return Vec::new();
        };
        match modal {
            Modal::Qr { .. } => Vec::new(),
            Modal::Confirm(confirm) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.confirmed(confirm.pending)
                }
                _ => Vec::new(),
            },
            Modal::Form(mut form) => {
                if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    self.modal = Some(Modal::Form(form));
                    return Vec::new();
                }
                let outcome = form.key(key, self.now, self.zone);
                self.form_outcome(form, outcome)
            }
        }
    }

    pub(super) fn modal_paste(&mut self, text: &str) -> Vec<Effect> {
        if let Some(Modal::Form(form)) = &mut self.modal {
            let outcome = form.paste(text);
            if let Some(Modal::Form(form)) = self.modal.take() {
                return self.form_outcome(form, outcome);
            }
        }
        Vec::new()
    }

    fn form_outcome(&mut self, mut form: Box<RequestForm>, outcome: FormOutcome) -> Vec<Effect> {
        match outcome {
            FormOutcome::Editing => {
                self.modal = Some(Modal::Form(form));
                Vec::new()
            }
            FormOutcome::Cancelled => Vec::new(),
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
                let (busy, target) = match &submission {
                    Submission::Create(args) => {
                        (format!("Creating {}…", quoted(&args.title)), None)
                    }
                    Submission::Update(args) => (
                        format!("Saving {}…", quoted(form.title.value())),
                        Some(args.id.clone()),
                    ),
                };
                let Some(generation) = self.begin_change(busy, target) else {
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

    fn confirmed(&mut self, pending: Pending) -> Vec<Effect> {
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
                let Some(generation) = self.begin_change(busy, Some(id.clone())) else {
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
                let Some(generation) = self.begin_change(busy, None) else {
                    return Vec::new();
                };
                vec![Effect::DeleteRequests {
                    generation,
                    ids: vec![id],
                }]
            }
            Pending::CloseAndDelete { id } => {
                let busy = format!("Closing and deleting {}…", title_of(self, &id));
                let Some(generation) = self.begin_change(busy, None) else {
                    return Vec::new();
                };
                vec![Effect::CloseAndDelete { generation, id }]
            }
            Pending::DeleteAllClosed => {
                let Some(generation) =
                    self.begin_change("Deleting the closed requests…".to_string(), None)
                else {
                    return Vec::new();
                };
                vec![Effect::DeleteAllClosed { generation }]
            }
        }
    }

    /// Dropbox answered a create or update.
    pub(super) fn request_saved(
        &mut self,
        generation: u64,
        change: Change,
        result: Result<FileRequest, DropboxError>,
    ) -> Vec<Effect> {
        if generation != self.mutations.generation || self.mutations.busy.is_none() {
            return Vec::new();
        }
        self.mutations.busy = None;
        self.mutations.target = None;
        let form_open = matches!(self.modal, Some(Modal::Form(_)));
        match result {
            Ok(request) => {
                if form_open {
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
                self.requests.upsert(request, self.now);
                self.status = Some(Status {
                    level: Level::Info,
                    text,
                });
                vec![self.begin_count()]
            }
            Err(error) => {
                let sentence = error.sentence();
                if let Some(Modal::Form(form)) = &mut self.modal {
                    form.refused(sentence);
                    Vec::new()
                } else {
                    self.status = Some(Status {
                        level: Level::Error,
                        text: sentence,
                    });
                    // Whatever happened on Dropbox's side, show what is there now.
                    vec![self.requests.begin_load(), self.begin_count()]
                }
            }
        }
    }

    pub(super) fn requests_deleted(
        &mut self,
        generation: u64,
        result: Result<Vec<FileRequest>, DropboxError>,
    ) -> Vec<Effect> {
        if generation != self.mutations.generation || self.mutations.busy.is_none() {
            return Vec::new();
        }
        self.mutations.busy = None;
        self.mutations.target = None;
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
                self.requests.remove(&ids);
                self.status = Some(Status {
                    level: Level::Info,
                    text,
                });
                vec![self.begin_count()]
            }
            Err(error) => {
                self.status = Some(Status {
                    level: Level::Error,
                    text: error.sentence(),
                });
                vec![self.requests.begin_load(), self.begin_count()]
            }
        }
    }

    pub(super) fn folders_listed(
        &mut self,
        parent: &str,
        result: Result<Vec<String>, DropboxError>,
    ) {
        if let Some(Modal::Form(form)) = &mut self.modal {
            // A folder that does not exist yet simply has no subfolders: Dropbox creates it.
            form.folders_listed(parent, result.unwrap_or_default());
        }
    }
}
