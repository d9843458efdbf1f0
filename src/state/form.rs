//! The create/edit form of a file request: what was typed, what it means, and what is
//! wrong with it. Nothing here talks to Dropbox; submitting yields the SDK arguments.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler as _;

use crate::deadline;
use crate::dropbox::{
    CreateFileRequestArgs, FileRequest, FileRequestDeadline, GracePeriod, UpdateFileRequestArgs,
    UpdateFileRequestDeadline,
};
use crate::file_request::grace;
use crate::time::{self, Zone};

/// The longest title accepted: the title also names the destination folder by default,
/// and a Dropbox path component is at most 255 characters.
pub const MAX_TITLE: usize = 255;

/// How many folder completions are offered at once.
const SUGGESTIONS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Destination,
    Deadline,
    Grace,
    Description,
    Open,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Title,
        Field::Destination,
        Field::Deadline,
        Field::Grace,
        Field::Description,
        Field::Open,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "Title",
            Field::Destination => "Folder",
            Field::Deadline => "Deadline",
            Field::Grace => "Grace",
            Field::Description => "Description",
            Field::Open => "Open now",
        }
    }

    /// Where the field is in [`Field::ALL`], top to bottom.
    pub fn index(self) -> usize {
        Field::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    fn step(self, by: isize) -> Field {
        let len = Field::ALL.len() as isize;
        Field::ALL[(self.index() as isize + by).clamp(0, len - 1) as usize]
    }
}

fn grace_index(grace: Option<&GracePeriod>) -> usize {
    grace::CHOICES
        .iter()
        .position(|choice| choice.as_ref() == grace)
        .unwrap_or(0)
}

/// A description on one line, as the single-line field shows it: Dropbox keeps the line
/// breaks typed on its website, and a control character could not be typed here anyway.
fn one_line(text: &str) -> String {
    text.replace("\r\n", " ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What the fields held when the form opened. Esc asks before discarding anything that
/// differs, and an edit checks and sends only the fields that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Values {
    title: String,
    destination: String,
    deadline: String,
    grace: usize,
    description: String,
    open: bool,
}

#[derive(Debug, Clone)]
pub enum FormMode {
    Create,
    Edit { original: Box<FileRequest> },
}

/// What the form asks before closing, once something was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discard {
    /// Esc: close the form.
    Close,
    /// Ctrl-C: quit handin.
    Quit,
}

/// What the form asks the loop to do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum FormOutcome {
    /// Keep editing.
    Editing,
    /// Close the form, nothing sent.
    Cancelled,
    /// Quit handin (Ctrl-C, confirmed when something was typed).
    Quit,
    /// Send this to Dropbox.
    Submit(Submission),
    /// Submitting would change nothing: close the form and say so.
    Unchanged,
    /// List the subfolders of this folder for completion.
    ListFolders(String),
}

/// Why a submit stopped short of sending anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// A problem the form now shows: keep editing.
    KeepEditing,
    /// An edit that changes nothing.
    NothingChanged,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Submission {
    Create(CreateFileRequestArgs),
    Update(UpdateFileRequestArgs),
}

/// The deadline field, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineReading {
    None,
    At(DateTime<Utc>),
    Invalid(String),
}

#[derive(Debug, Clone)]
pub struct RequestForm {
    pub mode: FormMode,
    pub focus: Field,
    pub title: Input,
    pub destination: Input,
    pub deadline: Input,
    pub grace: usize,
    pub description: Input,
    pub open: bool,
    initial: Values,
    /// Once the professor edits the folder, it no longer follows the title.
    destination_edited: bool,
    courses_root: String,
    /// One sentence about why the last submit did not go through (validation or Dropbox).
    pub error: Option<String>,
    /// The field the last submit stopped at: its note shows the problem, so the sentence
    /// is not repeated under the fields. `None` for Dropbox's refusals and other sentences
    /// about the form as a whole.
    pub error_field: Option<Field>,
    /// Waiting for Dropbox's answer to a submit: Esc closes the form (the answer then goes
    /// to the status bar), other keys are ignored meanwhile.
    pub submitting: bool,
    /// The past deadline the professor confirmed by submitting twice.
    confirmed_past: Option<DateTime<Utc>>,
    /// Esc or Ctrl-C was pressed with changes: the next key decides whether to discard them.
    pub confirm_discard: Option<Discard>,
    /// Folder paths (display form) known per parent folder (lower case), for completion.
    folders: HashMap<String, Vec<String>>,
    /// Parents (lower case) whose listing is on its way: asked once, not per keystroke.
    listing: HashSet<String>,
    /// The parent (lower case) asked for last, so typing inside one folder asks once.
    last_asked: Option<String>,
    pub suggestions: Vec<String>,
    pub suggestion: usize,
}

impl RequestForm {
    pub fn create(courses_root: &str, grace: Option<GracePeriod>) -> RequestForm {
        let root = courses_root.trim_end_matches('/').to_string();
        let initial = Values {
            title: String::new(),
            destination: format!("{root}/"),
            deadline: String::new(),
            grace: grace_index(grace.as_ref()),
            description: String::new(),
            open: true,
        };
        RequestForm::opened(FormMode::Create, initial, root)
    }

    pub fn edit(request: &FileRequest, zone: Zone) -> RequestForm {
        let deadline = request
            .deadline
            .as_ref()
            .and_then(|d| time::parse_dropbox(&d.deadline))
            .map(|at| deadline::field_text(at, zone))
            .unwrap_or_default();
        let grace = request
            .deadline
            .as_ref()
            .and_then(|d| d.allow_late_uploads.as_ref());
        let initial = Values {
            title: request.title.clone(),
            destination: request.destination.clone().unwrap_or_default(),
            deadline,
            grace: grace_index(grace),
            description: one_line(request.description.as_deref().unwrap_or_default()),
            open: request.is_open,
        };
        let mode = FormMode::Edit {
            original: Box::new(request.clone()),
        };
        RequestForm::opened(mode, initial, String::new())
    }

    fn opened(mode: FormMode, initial: Values, courses_root: String) -> RequestForm {
        RequestForm {
            destination_edited: matches!(mode, FormMode::Edit { .. }),
            mode,
            focus: Field::Title,
            title: Input::new(initial.title.clone()),
            destination: Input::new(initial.destination.clone()),
            deadline: Input::new(initial.deadline.clone()),
            grace: initial.grace,
            description: Input::new(initial.description.clone()),
            open: initial.open,
            initial,
            courses_root,
            error: None,
            error_field: None,
            submitting: false,
            confirmed_past: None,
            confirm_discard: None,
            folders: HashMap::new(),
            listing: HashSet::new(),
            last_asked: None,
            suggestions: Vec::new(),
            suggestion: 0,
        }
    }

    pub fn is_edit(&self) -> bool {
        matches!(self.mode, FormMode::Edit { .. })
    }

    /// The request being edited, if this is an edit.
    pub fn original(&self) -> Option<&FileRequest> {
        match &self.mode {
            FormMode::Edit { original } => Some(original),
            FormMode::Create => None,
        }
    }

    pub fn grace_choice(&self) -> &Option<GracePeriod> {
        &grace::CHOICES[self.grace.min(grace::CHOICES.len() - 1)]
    }

    pub fn deadline_reading(&self, now: DateTime<Utc>, zone: Zone) -> DeadlineReading {
        match deadline::parse(self.deadline.value(), now, zone) {
            Ok(None) => DeadlineReading::None,
            Ok(Some(at)) => DeadlineReading::At(at),
            Err(error) => DeadlineReading::Invalid(error.to_string()),
        }
    }

    /// Grace is about uploads after the deadline: without one the selector is off ("needs
    /// a deadline") and keeps its value hidden and unchanged.
    pub fn grace_enabled(&self, now: DateTime<Utc>, zone: Zone) -> bool {
        !matches!(self.deadline_reading(now, zone), DeadlineReading::None)
    }

    fn values(&self) -> Values {
        Values {
            title: self.title.value().to_string(),
            destination: self.destination.value().to_string(),
            deadline: self.deadline.value().to_string(),
            grace: self.grace,
            description: self.description.value().to_string(),
            open: self.open,
        }
    }

    /// Whether anything differs from how the form opened, so Esc must ask first.
    pub fn has_changes(&self) -> bool {
        self.values() != self.initial
    }

    /// Whether `field` differs from how the form opened.
    pub fn changed(&self, field: Field) -> bool {
        let initial = &self.initial;
        match field {
            Field::Title => self.title.value() != initial.title,
            Field::Destination => self.destination.value() != initial.destination,
            Field::Deadline => self.deadline.value() != initial.deadline,
            Field::Grace => self.grace != initial.grace,
            Field::Description => self.description.value() != initial.description,
            Field::Open => self.open != initial.open,
        }
    }

    /// What is wrong with a field as typed, if anything, as one sentence. An edit checks
    /// only what was changed: what Dropbox already holds (a removed folder, a description
    /// written on its website) is not the professor's to fix before saving something else.
    pub fn field_error(&self, field: Field, now: DateTime<Utc>, zone: Zone) -> Option<String> {
        if self.is_edit() && !self.changed(field) {
            return None;
        }
        match field {
            Field::Title => title_error(self.title.value()),
            Field::Destination => destination_error(self.destination.value()),
            Field::Deadline => match self.deadline_reading(now, zone) {
                DeadlineReading::Invalid(sentence) => Some(sentence),
                _ => None,
            },
            Field::Description => control_error("The description", self.description.value()),
            Field::Grace | Field::Open => None,
        }
    }

    /// The problem the note under `field` shows: any, once the field was typed in or a
    /// submit stopped at it. A new form's empty title is not a problem yet.
    pub fn shown_error(&self, field: Field, now: DateTime<Utc>, zone: Zone) -> Option<String> {
        let quiet = field == Field::Title
            && !self.changed(Field::Title)
            && self.error_field != Some(Field::Title);
        if quiet {
            return None;
        }
        self.field_error(field, now, zone)
    }

    /// Whether the folder suggestions are on screen (under the focused folder field), so
    /// that Tab, Esc and the arrows act on them. After a submit stopped at the folder, its
    /// problem shows there instead, and those keys do what they do elsewhere.
    pub fn shows_suggestions(&self) -> bool {
        self.focus == Field::Destination
            && !self.suggestions.is_empty()
            && self.error_field != Some(Field::Destination)
    }

    /// Ctrl-C on the form: quits, after asking when something was typed. The reducer's
    /// focus routing sends it here and never to [`Self::key`].
    pub fn interrupt(&mut self) -> FormOutcome {
        match self.confirm_discard {
            // Ctrl-C twice quits, as it does everywhere else.
            Some(Discard::Quit) => FormOutcome::Quit,
            // Ctrl-C on the Esc question turns it into the quit one.
            Some(Discard::Close) => {
                self.confirm_discard = Some(Discard::Quit);
                FormOutcome::Editing
            }
            None if self.has_changes() => {
                self.confirm_discard = Some(Discard::Quit);
                FormOutcome::Editing
            }
            None => FormOutcome::Quit,
        }
    }

    /// A key for the form (Ctrl-C goes to [`Self::interrupt`]).
    pub fn key(&mut self, key: KeyEvent, now: DateTime<Utc>, zone: Zone) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(discard) = self.confirm_discard.take() {
            return match (key.code, discard) {
                (KeyCode::Char('y') | KeyCode::Char('Y'), Discard::Close) if !ctrl => {
                    FormOutcome::Cancelled
                }
                (KeyCode::Char('y') | KeyCode::Char('Y'), Discard::Quit) if !ctrl => {
                    FormOutcome::Quit
                }
                _ => FormOutcome::Editing,
            };
        }
        if self.submitting {
            // What was typed is on its way; Dropbox's answer will reach the status bar.
            return match key.code {
                KeyCode::Esc => FormOutcome::Cancelled,
                _ => FormOutcome::Editing,
            };
        }
        match key.code {
            KeyCode::Esc => {
                if self.shows_suggestions() {
                    self.suggestions.clear();
                    return FormOutcome::Editing;
                }
                if self.has_changes() {
                    self.confirm_discard = Some(Discard::Close);
                    return FormOutcome::Editing;
                }
                return FormOutcome::Cancelled;
            }
            KeyCode::Char('s') if ctrl => return self.submit(now, zone),
            KeyCode::Enter if self.focus == Field::Open => return self.submit(now, zone),
            KeyCode::Enter => self.focus = self.focus.step(1),
            KeyCode::Tab => {
                if self.shows_suggestions() && self.accept_suggestion() {
                    return FormOutcome::Editing;
                }
                self.focus = self.focus.step(1);
            }
            KeyCode::BackTab => self.focus = self.focus.step(-1),
            KeyCode::Up if self.shows_suggestions() => {
                self.suggestion = self.suggestion.saturating_sub(1);
            }
            KeyCode::Down if self.shows_suggestions() => {
                self.suggestion = (self.suggestion + 1).min(self.suggestions.len() - 1);
            }
            KeyCode::Up => self.focus = self.focus.step(-1),
            KeyCode::Down => self.focus = self.focus.step(1),
            _ => return self.edit_field(key, now, zone),
        }
        FormOutcome::Editing
    }

    /// Pasted text goes into the focused text field at the cursor, line breaks as spaces.
    /// Nothing changes while a submit is on its way or the discard question is open.
    pub fn paste(&mut self, text: &str) -> FormOutcome {
        if self.submitting || self.confirm_discard.is_some() {
            return FormOutcome::Editing;
        }
        let Some(input) = self.focused_input() else {
            return FormOutcome::Editing;
        };
        if !super::focus::paste_into(input, text) {
            return FormOutcome::Editing;
        }
        self.after_text_change()
    }

    fn focused_input(&mut self) -> Option<&mut Input> {
        match self.focus {
            Field::Title => Some(&mut self.title),
            Field::Destination => Some(&mut self.destination),
            Field::Deadline => Some(&mut self.deadline),
            Field::Description => Some(&mut self.description),
            Field::Grace | Field::Open => None,
        }
    }

    fn edit_field(&mut self, key: KeyEvent, now: DateTime<Utc>, zone: Zone) -> FormOutcome {
        match self.focus {
            Field::Grace => {
                if !self.grace_enabled(now, zone) {
                    return FormOutcome::Editing;
                }
                let len = grace::CHOICES.len();
                match key.code {
                    KeyCode::Left | KeyCode::Char('h') => self.grace = (self.grace + len - 1) % len,
                    KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => {
                        self.grace = (self.grace + 1) % len;
                    }
                    _ => {}
                }
                FormOutcome::Editing
            }
            Field::Open => {
                if matches!(
                    key.code,
                    KeyCode::Char(' ')
                        | KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Char('y')
                        | KeyCode::Char('n')
                ) {
                    self.open = match key.code {
                        KeyCode::Char('y') => true,
                        KeyCode::Char('n') => false,
                        _ => !self.open,
                    };
                }
                FormOutcome::Editing
            }
            _ => {
                let Some(input) = self.focused_input() else {
                    return FormOutcome::Editing;
                };
                let before = input.value().to_string();
                input.handle_event(&Event::Key(key));
                if input.value() == before {
                    return FormOutcome::Editing;
                }
                self.after_text_change()
            }
        }
    }

    fn after_text_change(&mut self) -> FormOutcome {
        self.error = None;
        self.error_field = None;
        match self.focus {
            Field::Title if !self.destination_edited && !self.is_edit() => {
                let folder_name = self.title.value().trim().replace('/', "-");
                self.destination = Input::new(format!("{}/{folder_name}", self.courses_root));
                FormOutcome::Editing
            }
            Field::Destination => {
                self.destination_edited = true;
                self.completion_request()
            }
            Field::Deadline => {
                self.confirmed_past = None;
                FormOutcome::Editing
            }
            _ => FormOutcome::Editing,
        }
    }

    /// The folder whose subfolders complete what is typed, and the typed rest.
    fn completion_parts(&self) -> (String, String) {
        let value = self.destination.value();
        match value.rfind('/') {
            Some(at) => (value[..at].to_string(), value[at + 1..].to_string()),
            None => (String::new(), value.to_string()),
        }
    }

    /// Refreshes the suggestions from what is known, or asks for the parent folder's list:
    /// only when a `/` was just typed or the parent is not the one asked for last, and
    /// never while that parent's list is on its way. A folder may hold thousands of
    /// files, so listing one on every keystroke would be slow and costly.
    fn completion_request(&mut self) -> FormOutcome {
        if !self.destination.value().starts_with('/') {
            self.suggestions.clear();
            return FormOutcome::Editing;
        }
        let (parent, _) = self.completion_parts();
        let key = parent.to_lowercase();
        if self.folders.contains_key(&key) {
            self.refresh_suggestions();
            return FormOutcome::Editing;
        }
        self.suggestions.clear();
        let new_parent = self.last_asked.as_deref() != Some(key.as_str());
        let slash_typed = self.destination.value().ends_with('/');
        if self.listing.contains(&key) || !(new_parent || slash_typed) {
            return FormOutcome::Editing;
        }
        self.listing.insert(key.clone());
        self.last_asked = Some(key);
        FormOutcome::ListFolders(parent)
    }

    /// The subfolders of `parent` arrived (display paths), or `None` when asking failed:
    /// a failure is not remembered as "no subfolders", so a later `/` asks again.
    pub fn folders_listed(&mut self, parent: &str, folders: Option<Vec<String>>) {
        let key = parent.to_lowercase();
        self.listing.remove(&key);
        let Some(folders) = folders else {
            return;
        };
        self.folders.insert(key, folders);
        if self.focus == Field::Destination
            && self.completion_parts().0.eq_ignore_ascii_case(parent)
        {
            self.refresh_suggestions();
        }
    }

    fn refresh_suggestions(&mut self) {
        let (parent, typed) = self.completion_parts();
        let typed = typed.to_lowercase();
        let current = self.destination.value().to_lowercase();
        self.suggestions = self
            .folders
            .get(&parent.to_lowercase())
            .map(|folders| {
                folders
                    .iter()
                    .filter(|path| {
                        let name = path.rsplit('/').next().unwrap_or_default().to_lowercase();
                        name.starts_with(&typed) && path.to_lowercase() != current
                    })
                    .take(SUGGESTIONS)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        self.suggestion = 0;
    }

    /// Tab in the folder field takes the highlighted suggestion and stays there. The
    /// folder taken is not listed yet: it may be a course's folder of submissions, and
    /// its subfolders are asked for only once the professor types on below it.
    fn accept_suggestion(&mut self) -> bool {
        let Some(choice) = self.suggestions.get(self.suggestion).cloned() else {
            return false;
        };
        self.destination = Input::new(format!("{choice}/"));
        self.destination_edited = true;
        self.error = None;
        self.error_field = None;
        self.suggestions.clear();
        if self.folders.contains_key(&choice.to_lowercase()) {
            self.refresh_suggestions();
        }
        true
    }

    /// Stops a submit at a field's problem; its note says what is wrong.
    fn stop_at(&mut self, field: Field, sentence: String) -> Stop {
        self.focus = field;
        self.error = Some(sentence);
        self.error_field = Some(field);
        Stop::KeepEditing
    }

    /// Stops a submit with a sentence about the form as a whole.
    fn stop_with(&mut self, focus: Field, sentence: String) -> Stop {
        self.focus = focus;
        self.error = Some(sentence);
        self.error_field = None;
        Stop::KeepEditing
    }

    /// A new deadline in the past needs a second submit: the first one stops here.
    fn confirm_past(&mut self, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Stop> {
        if at > now || self.confirmed_past == Some(at) {
            return Ok(());
        }
        self.confirmed_past = Some(at);
        Err(self.stop_with(
            Field::Deadline,
            format!(
                "That deadline is in the past ({}); press Ctrl-S again to use it anyway.",
                time::relative(at, now)
            ),
        ))
    }

    /// The deadline as Dropbox takes it, with the grace chosen.
    fn wire_deadline(&self, deadline: String) -> FileRequestDeadline {
        let wire = FileRequestDeadline::new(deadline);
        match self.grace_choice().clone() {
            Some(grace) => wire.with_allow_late_uploads(grace),
            None => wire,
        }
    }

    /// Checks everything (an edit: everything changed), then builds what to send. A new
    /// deadline in the past needs a second submit.
    pub fn submit(&mut self, now: DateTime<Utc>, zone: Zone) -> FormOutcome {
        self.suggestions.clear();
        let problem = Field::ALL
            .iter()
            .find_map(|&field| Some((field, self.field_error(field, now, zone)?)));
        let built = match (problem, self.original().cloned()) {
            (Some((field, sentence)), _) => Err(self.stop_at(field, sentence)),
            (None, None) => self.create_args(now, zone).map(Submission::Create),
            (None, Some(original)) => self
                .update_args(&original, now, zone)
                .map(Submission::Update),
        };
        let submission = match built {
            Ok(submission) => submission,
            Err(Stop::KeepEditing) => return FormOutcome::Editing,
            Err(Stop::NothingChanged) => return FormOutcome::Unchanged,
        };
        self.error = None;
        self.error_field = None;
        self.submitting = true;
        FormOutcome::Submit(submission)
    }

    fn create_args(
        &mut self,
        now: DateTime<Utc>,
        zone: Zone,
    ) -> Result<CreateFileRequestArgs, Stop> {
        let deadline = match self.deadline_reading(now, zone) {
            DeadlineReading::At(at) => Some(at),
            DeadlineReading::None => None,
            DeadlineReading::Invalid(_) => return Err(Stop::KeepEditing),
        };
        if let Some(at) = deadline {
            self.confirm_past(at, now)?;
        }
        let title = self.title.value().trim().to_string();
        let destination = normalise_destination(self.destination.value());
        let mut args = CreateFileRequestArgs::new(title, destination).with_open(self.open);
        if let Some(at) = deadline {
            args = args.with_deadline(self.wire_deadline(time::to_dropbox(at)));
        }
        let description = self.description.value().trim();
        if !description.is_empty() {
            args = args.with_description(description.to_string());
        }
        Ok(args)
    }

    /// Only what changed is sent: an untouched field is left as Dropbox holds it, even
    /// when the form shows it differently (a description's line breaks, say).
    fn update_args(
        &mut self,
        original: &FileRequest,
        now: DateTime<Utc>,
        zone: Zone,
    ) -> Result<UpdateFileRequestArgs, Stop> {
        let mut args = UpdateFileRequestArgs::new(original.id.clone());
        let mut changed = false;
        let mut grace_without_deadline = false;
        if self.changed(Field::Title) {
            let title = self.title.value().trim();
            if title != original.title {
                args = args.with_title(title.to_string());
                changed = true;
            }
        }
        if self.changed(Field::Destination) {
            let destination = normalise_destination(self.destination.value());
            if Some(&destination) != original.destination.as_ref() {
                args = args.with_destination(destination);
                changed = true;
            }
        }
        if self.changed(Field::Deadline) {
            // A cleared field is sent as an explicit clear; an untouched one not at all.
            let deadline = match self.deadline_reading(now, zone) {
                DeadlineReading::At(at) => {
                    self.confirm_past(at, now)?;
                    Some(self.wire_deadline(time::to_dropbox(at)))
                }
                DeadlineReading::None => None,
                DeadlineReading::Invalid(_) => return Err(Stop::KeepEditing),
            };
            args = args.with_deadline(UpdateFileRequestDeadline::Update(deadline));
            changed = true;
        } else if self.changed(Field::Grace) {
            match &original.deadline {
                // The deadline Dropbox holds, exactly, with the new grace.
                Some(held) => {
                    let deadline = self.wire_deadline(held.deadline.clone());
                    args = args.with_deadline(UpdateFileRequestDeadline::Update(Some(deadline)));
                    changed = true;
                }
                None => grace_without_deadline = true,
            }
        }
        if self.open != original.is_open {
            args = args.with_open(self.open);
            changed = true;
        }
        if self.changed(Field::Description) {
            let description = self.description.value().trim();
            let held = one_line(original.description.as_deref().unwrap_or_default());
            if description != held.trim() {
                // The spec (UpdateFileRequestArgs.description, an optional String) documents
                // no way to remove a description: leaving it out means "no change". So a
                // cleared field is sent as the empty string, and what Dropbox makes of it is
                // undocumented; the emulator takes it as "no description".
                args = args.with_description(description.to_string());
                changed = true;
            }
        }
        if !changed && grace_without_deadline {
            // Not "nothing changed": the grace was changed, and cannot be saved alone.
            return Err(self.stop_with(
                Field::Deadline,
                "Grace is for uploads after a deadline, and this request has none: \
                 type a deadline to save the grace."
                    .to_string(),
            ));
        }
        if !changed {
            return Err(Stop::NothingChanged);
        }
        Ok(args)
    }

    /// Dropbox refused the submit: say why inside the form and keep everything typed.
    pub fn refused(&mut self, sentence: String) {
        self.submitting = false;
        self.error = Some(sentence);
        self.error_field = None;
    }
}

/// Trailing slashes are dropped: Dropbox names a folder without one.
pub fn normalise_destination(text: &str) -> String {
    let trimmed = text.trim();
    let without = trimmed.trim_end_matches('/');
    if without.is_empty() {
        trimmed.to_string()
    } else {
        without.to_string()
    }
}

/// A field with control characters (which no one types, but a paste can bring).
pub fn control_error(what: &str, text: &str) -> Option<String> {
    text.chars()
        .any(char::is_control)
        .then(|| format!("{what} contains control characters; retype it without them."))
}

pub fn title_error(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("A title is required; students see it on the upload page.".to_string());
    }
    let length = text.trim().chars().count();
    if length > MAX_TITLE {
        return Some(format!(
            "The title is {length} characters long; keep it to {MAX_TITLE} so it can also name the folder."
        ));
    }
    control_error("The title", text)
}

pub fn destination_error(text: &str) -> Option<String> {
    let path = normalise_destination(text);
    if path.is_empty() {
        return Some("A destination folder is required, like /Courses/CS101/Lab 1.".to_string());
    }
    if !path.starts_with('/') {
        return Some(format!(
            "The folder must start with / (a path in your Dropbox), like /{path}."
        ));
    }
    if path == "/" {
        return Some(
            "Uploads cannot go to the top of your Dropbox; name a folder, like /Courses/CS101/Lab 1."
                .to_string(),
        );
    }
    if let Some(sentence) = control_error("The folder", &path) {
        return Some(sentence);
    }
    if path.contains('\\') {
        return Some("The folder contains a backslash; use / between folders.".to_string());
    }
    for part in path[1..].split('/') {
        match part {
            "" => {
                return Some(
                    "The folder has an empty part (//); remove the extra slash.".to_string(),
                );
            }
            "." | ".." => {
                return Some(
                    "The folder cannot contain . or .. parts; write the full path.".to_string(),
                );
            }
            _ if part.chars().count() > 255 => {
                return Some(
                    "A folder name is longer than 255 characters; shorten it.".to_string(),
                );
            }
            _ if part.ends_with(' ') || part.starts_with(' ') => {
                return Some(format!(
                    "The folder name \u{201c}{part}\u{201d} starts or ends with a space; remove it."
                ));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{fixed_now, sample_requests};

    fn key(form: &mut RequestForm, code: KeyCode) -> FormOutcome {
        form.key(
            KeyEvent::new(code, KeyModifiers::NONE),
            fixed_now(),
            Zone::utc(),
        )
    }

    fn ctrl(form: &mut RequestForm, c: char) -> FormOutcome {
        form.key(
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
            fixed_now(),
            Zone::utc(),
        )
    }

    fn ctrl_s(form: &mut RequestForm) -> FormOutcome {
        ctrl(form, 's')
    }

    fn type_text(form: &mut RequestForm, text: &str) {
        for c in text.chars() {
            key(form, KeyCode::Char(c));
        }
    }

    fn sample(title: &str) -> FileRequest {
        sample_requests(fixed_now())
            .into_iter()
            .find(|r| r.title == title)
            .expect("fixture")
    }

    fn update_args(outcome: FormOutcome) -> UpdateFileRequestArgs {
        match outcome {
            FormOutcome::Submit(Submission::Update(args)) => args,
            other => panic!("an update, not {other:?}"),
        }
    }

    #[test]
    fn the_folder_follows_the_title_until_edited() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab 4/5");
        assert_eq!(form.destination.value(), "/Courses/Lab 4-5");
        key(&mut form, KeyCode::Tab);
        assert_eq!(form.focus, Field::Destination);
        key(&mut form, KeyCode::Backspace);
        key(&mut form, KeyCode::BackTab);
        type_text(&mut form, "!");
        assert_eq!(form.destination.value(), "/Courses/Lab 4-");
    }

    #[test]
    fn a_complete_create_builds_the_arguments() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab 4");
        key(&mut form, KeyCode::Tab);
        key(&mut form, KeyCode::Tab);
        type_text(&mut form, "2026-12-04 23:59");
        key(&mut form, KeyCode::Tab);
        key(&mut form, KeyCode::Right);
        key(&mut form, KeyCode::Right);
        key(&mut form, KeyCode::Tab);
        type_text(&mut form, "One PDF.");
        key(&mut form, KeyCode::Tab);
        let FormOutcome::Submit(Submission::Create(args)) = key(&mut form, KeyCode::Enter) else {
            panic!("submits: {:?}", form.error);
        };
        assert_eq!(args.title, "Lab 4");
        assert_eq!(args.destination, "/Courses/Lab 4");
        let deadline = args.deadline.expect("deadline");
        assert_eq!(deadline.deadline, "2026-12-04T23:59:00Z");
        assert_eq!(deadline.allow_late_uploads, Some(GracePeriod::TwoDays));
        assert_eq!(args.description.as_deref(), Some("One PDF."));
        assert!(args.open);
        assert!(form.submitting);
    }

    #[test]
    fn bad_fields_keep_the_form_and_say_why() {
        let cases: [(&str, &str, &str, Field, &str); 9] = [
            ("", "/Courses/x", "", Field::Title, "title is required"),
            ("   ", "/Courses/x", "", Field::Title, "title is required"),
            (
                "Lab",
                "Courses/x",
                "",
                Field::Destination,
                "must start with /",
            ),
            ("Lab", "/", "", Field::Destination, "top of your dropbox"),
            (
                "Lab",
                "/Courses/a\u{7}b",
                "",
                Field::Destination,
                "control characters",
            ),
            ("Lab", "/Courses//x", "", Field::Destination, "empty part"),
            (
                "Lab",
                "/Courses/x",
                "31/02",
                Field::Deadline,
                "february 2027 has no 31st",
            ),
            (
                "Lab",
                "/Courses/x",
                "next blursday",
                Field::Deadline,
                "blursday",
            ),
            ("Lab", "/Courses/x", "+0d", Field::Deadline, "after now"),
        ];
        for (title, destination, deadline, field, expected) in cases {
            let mut form = RequestForm::create("/Courses", None);
            form.title = Input::new(title.to_string());
            form.destination = Input::new(destination.to_string());
            form.deadline = Input::new(deadline.to_string());
            let outcome = ctrl_s(&mut form);
            let case = format!("{title:?} {destination:?} {deadline:?}");
            assert_eq!(outcome, FormOutcome::Editing, "{case}");
            let error = form.error.clone().expect("an error sentence");
            assert!(
                error.to_lowercase().contains(expected),
                "{case}: {error:?} should mention {expected:?}"
            );
            assert_eq!(form.focus, field, "{case}: the field at fault has focus");
            assert_eq!(form.error_field, Some(field), "{case}");
            assert_eq!(
                form.shown_error(field, fixed_now(), Zone::utc()),
                Some(error),
                "{case}: the note under the field says it"
            );
            assert_eq!(form.title.value(), title, "the form keeps what was typed");
            assert_eq!(form.destination.value(), destination);
            assert_eq!(form.deadline.value(), deadline);
            assert!(!form.submitting);
        }
    }

    #[test]
    fn a_new_forms_empty_title_is_quiet_until_a_submit() {
        let mut form = RequestForm::create("/Courses", None);
        assert_eq!(
            form.shown_error(Field::Title, fixed_now(), Zone::utc()),
            None
        );
        assert!(
            form.field_error(Field::Title, fixed_now(), Zone::utc())
                .is_some()
        );
        ctrl_s(&mut form);
        assert!(
            form.shown_error(Field::Title, fixed_now(), Zone::utc())
                .is_some_and(|e| e.contains("title is required"))
        );
    }

    #[test]
    fn a_long_title_is_refused_and_an_emoji_title_is_fine() {
        let mut form = RequestForm::create("/Courses", None);
        form.title = Input::new("x".repeat(5_000));
        form.destination = Input::new("/Courses/x".to_string());
        assert_eq!(ctrl_s(&mut form), FormOutcome::Editing);
        assert!(form.error.clone().unwrap_or_default().contains("5000"));

        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Photo contest 📷");
        let FormOutcome::Submit(Submission::Create(args)) = ctrl_s(&mut form) else {
            panic!("submits: {:?}", form.error);
        };
        assert_eq!(args.title, "Photo contest 📷");
        assert_eq!(args.destination, "/Courses/Photo contest 📷");
    }

    #[test]
    fn a_past_deadline_needs_a_second_submit() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Late lab");
        form.deadline = Input::new("2020-01-01".to_string());
        assert_eq!(ctrl_s(&mut form), FormOutcome::Editing);
        assert!(
            form.error
                .clone()
                .unwrap_or_default()
                .contains("in the past")
        );
        assert_eq!(form.error_field, None, "a sentence about the whole form");
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
    }

    #[test]
    fn esc_asks_before_discarding_typed_text() {
        let mut form = RequestForm::create("/Courses", None);
        assert_eq!(key(&mut form, KeyCode::Esc), FormOutcome::Cancelled);
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert_eq!(key(&mut form, KeyCode::Esc), FormOutcome::Editing);
        assert_eq!(form.confirm_discard, Some(Discard::Close));
        assert_eq!(key(&mut form, KeyCode::Char('n')), FormOutcome::Editing);
        assert_eq!(form.title.value(), "Lab");
        key(&mut form, KeyCode::Esc);
        assert_eq!(key(&mut form, KeyCode::Char('y')), FormOutcome::Cancelled);
    }

    #[test]
    fn ctrl_c_quits_and_asks_first_when_something_was_typed() {
        let mut form = RequestForm::create("/Courses", None);
        assert_eq!(form.interrupt(), FormOutcome::Quit);

        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert_eq!(form.interrupt(), FormOutcome::Editing);
        assert_eq!(form.confirm_discard, Some(Discard::Quit));
        assert_eq!(key(&mut form, KeyCode::Char('n')), FormOutcome::Editing);
        assert_eq!(form.title.value(), "Lab", "kept");
        form.interrupt();
        assert_eq!(key(&mut form, KeyCode::Char('y')), FormOutcome::Quit);

        // Twice in a row quits, and Ctrl-C on the Esc question turns it into the quit one.
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        key(&mut form, KeyCode::Esc);
        assert_eq!(form.interrupt(), FormOutcome::Editing);
        assert_eq!(form.confirm_discard, Some(Discard::Quit));
        assert_eq!(form.interrupt(), FormOutcome::Quit);

        // Even while a submit is on its way.
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
        form.interrupt();
        assert_eq!(key(&mut form, KeyCode::Char('y')), FormOutcome::Quit);
    }

    #[test]
    fn esc_while_submitting_closes_the_form_and_other_keys_wait() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
        assert_eq!(key(&mut form, KeyCode::Char('x')), FormOutcome::Editing);
        assert_eq!(form.title.value(), "Lab", "keys wait while submitting");
        assert_eq!(key(&mut form, KeyCode::Esc), FormOutcome::Cancelled);
    }

    #[test]
    fn paste_goes_in_at_the_cursor_on_one_line() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab report");
        for _ in 0.."report".len() {
            key(&mut form, KeyCode::Left);
        }
        form.paste("4\r\n- final\t");
        assert_eq!(form.title.value(), "Lab 4 - finalreport");
        assert_eq!(form.title.cursor(), "Lab 4 - final".chars().count());
        type_text(&mut form, " ");
        assert_eq!(form.title.value(), "Lab 4 - final report");
        assert_eq!(form.destination.value(), "/Courses/Lab 4 - final report");
    }

    #[test]
    fn paste_waits_for_a_submit_and_for_the_discard_question() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        key(&mut form, KeyCode::Esc);
        assert_eq!(form.paste(" 2"), FormOutcome::Editing);
        assert_eq!(form.title.value(), "Lab");
        assert_eq!(form.confirm_discard, Some(Discard::Close), "still asking");

        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
        form.paste(" 2");
        assert_eq!(form.title.value(), "Lab", "what was sent stays as sent");
    }

    #[test]
    fn edit_sends_only_what_changed() {
        let request = sample("Project proposal");
        let mut form = RequestForm::edit(&request, Zone::utc());
        assert!(!form.has_changes());
        assert_eq!(ctrl_s(&mut form), FormOutcome::Unchanged);

        let mut form = RequestForm::edit(&request, Zone::utc());
        key(&mut form, KeyCode::End);
        type_text(&mut form, " v2");
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(args.title.as_deref(), Some("Project proposal v2"));
        assert_eq!(args.destination, None);
        assert_eq!(args.deadline, UpdateFileRequestDeadline::NoUpdate);
        assert_eq!(args.open, None);
        assert_eq!(args.description, None);

        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Deadline;
        form.deadline = Input::default();
        form.after_text_change();
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(
            args.deadline,
            UpdateFileRequestDeadline::Update(None),
            "cleared"
        );
        assert_eq!(args.title, None);

        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Grace;
        key(&mut form, KeyCode::Right);
        let args = update_args(ctrl_s(&mut form));
        let UpdateFileRequestDeadline::Update(Some(deadline)) = args.deadline else {
            panic!("grace changes resend the same deadline");
        };
        assert_eq!(
            Some(deadline.deadline),
            request.deadline.map(|d| d.deadline)
        );
        assert_eq!(deadline.allow_late_uploads, Some(GracePeriod::ThirtyDays));
    }

    #[test]
    fn an_untouched_edit_is_unchanged_in_any_zone() {
        let cet = Zone::Fixed(chrono::FixedOffset::east_opt(3_600).expect("offset"));
        let request = sample("Project proposal");
        let mut form = RequestForm::edit(&request, cet);
        assert!(!form.has_changes());
        let outcome = form.key(
            KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
            fixed_now(),
            cet,
        );
        assert_eq!(outcome, FormOutcome::Unchanged);
    }

    #[test]
    fn an_edit_ignores_what_it_did_not_touch() {
        // The folder was removed on Dropbox: the field is empty, and renaming still works.
        let removed = sample("Old draft request");
        assert_eq!(removed.destination, None);
        let mut form = RequestForm::edit(&removed, Zone::utc());
        assert_eq!(form.destination.value(), "");
        assert_eq!(
            form.shown_error(Field::Destination, fixed_now(), Zone::utc()),
            None
        );
        key(&mut form, KeyCode::End);
        type_text(&mut form, " (old)");
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(args.title.as_deref(), Some("Old draft request (old)"));
        assert_eq!(args.destination, None);

        // Typing into the empty folder checks it.
        let mut form = RequestForm::edit(&removed, Zone::utc());
        form.focus = Field::Destination;
        type_text(&mut form, "Courses/x");
        assert_eq!(ctrl_s(&mut form), FormOutcome::Editing);
        assert!(
            form.error
                .clone()
                .unwrap_or_default()
                .contains("start with /")
        );

        // A description written on dropbox.com with line breaks shows on one line and is
        // not sent back when untouched.
        let mut request = sample("Project proposal");
        request.description = Some("Line one.\r\nLine two.\nLine\tthree.".to_string());
        let mut form = RequestForm::edit(&request, Zone::utc());
        assert_eq!(form.description.value(), "Line one. Line two. Line three.");
        assert_eq!(
            form.shown_error(Field::Description, fixed_now(), Zone::utc()),
            None
        );
        key(&mut form, KeyCode::End);
        type_text(&mut form, "!");
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(args.title.as_deref(), Some("Project proposal!"));
        assert_eq!(args.description, None, "untouched: not sent");

        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Description;
        key(&mut form, KeyCode::End);
        type_text(&mut form, " Four.");
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(
            args.description.as_deref(),
            Some("Line one. Line two. Line three. Four.")
        );
        assert_eq!(args.title, None);
    }

    #[test]
    fn a_cleared_description_is_sent_as_empty() {
        let request = sample("Project proposal");
        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Description;
        ctrl(&mut form, 'u');
        assert_eq!(form.description.value(), "");
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(args.description.as_deref(), Some(""));
    }

    #[test]
    fn grace_without_a_deadline_stays_put_and_explains_itself() {
        let mut form = RequestForm::create("/Courses", Some(GracePeriod::OneDay));
        form.focus = Field::Grace;
        assert!(!form.grace_enabled(fixed_now(), Zone::utc()));
        key(&mut form, KeyCode::Right);
        key(&mut form, KeyCode::Left);
        key(&mut form, KeyCode::Left);
        assert_eq!(form.grace_choice(), &Some(GracePeriod::OneDay), "unchanged");
        assert!(!form.has_changes());

        // An edit of a request without a deadline: a grace set, then the deadline cleared.
        let request = sample("Midterm corrections");
        assert!(request.deadline.is_none());
        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Deadline;
        type_text(&mut form, "+7d");
        key(&mut form, KeyCode::Tab);
        key(&mut form, KeyCode::Right);
        assert_eq!(form.grace_choice(), &Some(GracePeriod::OneDay));
        key(&mut form, KeyCode::BackTab);
        ctrl(&mut form, 'u');
        assert_eq!(
            ctrl_s(&mut form),
            FormOutcome::Editing,
            "not 'nothing changed'"
        );
        let error = form.error.clone().unwrap_or_default();
        assert!(
            error.contains("type a deadline to save the grace"),
            "{error}"
        );
        assert_eq!(form.focus, Field::Deadline);

        // With another change the rest is saved, the grace has nothing to attach to.
        key(&mut form, KeyCode::Down);
        key(&mut form, KeyCode::Down);
        key(&mut form, KeyCode::Down);
        key(&mut form, KeyCode::Char('n'));
        let args = update_args(ctrl_s(&mut form));
        assert_eq!(args.open, Some(false));
        assert_eq!(args.deadline, UpdateFileRequestDeadline::NoUpdate);
    }

    #[test]
    fn folder_completion_asks_once_per_folder_and_tab_accepts() {
        let mut form = RequestForm::create("/Courses", None);
        form.focus = Field::Destination;
        form.destination = Input::new("/Courses".to_string());
        let outcome = key(&mut form, KeyCode::Char('/'));
        assert_eq!(outcome, FormOutcome::ListFolders("/Courses".to_string()));
        // While the list is on its way, typing does not ask again.
        assert_eq!(key(&mut form, KeyCode::Char('m')), FormOutcome::Editing);
        assert_eq!(key(&mut form, KeyCode::Backspace), FormOutcome::Editing);
        form.folders_listed(
            "/Courses",
            Some(vec![
                "/Courses/CS101 Intro".to_string(),
                "/Courses/MATH210".to_string(),
            ]),
        );
        assert_eq!(form.suggestions.len(), 2);
        assert_eq!(key(&mut form, KeyCode::Char('m')), FormOutcome::Editing);
        assert_eq!(form.suggestions, vec!["/Courses/MATH210".to_string()]);
        assert_eq!(key(&mut form, KeyCode::Tab), FormOutcome::Editing);
        assert_eq!(form.destination.value(), "/Courses/MATH210/");
        assert_eq!(
            form.focus,
            Field::Destination,
            "Tab accepted, it did not move on"
        );
        // The folder taken is listed only once the professor types on below it.
        assert_eq!(
            key(&mut form, KeyCode::Char('L')),
            FormOutcome::ListFolders("/Courses/MATH210".to_string())
        );
        form.folders_listed("/Courses/MATH210", Some(Vec::new()));
        assert_eq!(key(&mut form, KeyCode::Char('a')), FormOutcome::Editing);
        key(&mut form, KeyCode::Tab);
        assert_eq!(
            form.focus,
            Field::Deadline,
            "nothing to accept: Tab moves on"
        );
    }

    #[test]
    fn a_failed_listing_is_not_taken_for_no_subfolders() {
        let mut form = RequestForm::create("/Courses", None);
        form.focus = Field::Destination;
        form.destination = Input::new("/Courses".to_string());
        assert_eq!(
            key(&mut form, KeyCode::Char('/')),
            FormOutcome::ListFolders("/Courses".to_string())
        );
        form.folders_listed("/Courses", None);
        assert!(form.suggestions.is_empty());
        // More letters in the same folder do not hammer Dropbox...
        assert_eq!(key(&mut form, KeyCode::Char('c')), FormOutcome::Editing);
        // ...but back at the `/` it asks again, as nothing was remembered.
        assert_eq!(
            key(&mut form, KeyCode::Backspace),
            FormOutcome::ListFolders("/Courses".to_string())
        );
        form.folders_listed("/Courses", Some(vec!["/Courses/CS101".to_string()]));
        assert_eq!(form.suggestions, vec!["/Courses/CS101".to_string()]);
    }

    #[test]
    fn suggestions_hidden_by_a_submit_problem_leave_esc_and_tab_alone() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        key(&mut form, KeyCode::Tab);
        ctrl(&mut form, 'u');
        assert_eq!(
            key(&mut form, KeyCode::Char('/')),
            FormOutcome::ListFolders(String::new())
        );
        assert_eq!(ctrl_s(&mut form), FormOutcome::Editing);
        assert_eq!(form.error_field, Some(Field::Destination));
        // The root's listing lands after the submit stopped at the folder.
        form.folders_listed("", Some(vec!["/Courses".to_string()]));
        assert!(!form.shows_suggestions(), "the problem shows, not them");
        assert_eq!(key(&mut form, KeyCode::Esc), FormOutcome::Editing);
        assert_eq!(
            form.confirm_discard,
            Some(Discard::Close),
            "Esc asks at once"
        );
        key(&mut form, KeyCode::Char('n'));
        key(&mut form, KeyCode::Tab);
        assert_eq!(form.focus, Field::Deadline, "Tab moves on");
        assert_eq!(form.destination.value(), "/");

        // Typed afresh, they show again and Tab takes one.
        key(&mut form, KeyCode::BackTab);
        key(&mut form, KeyCode::Backspace);
        key(&mut form, KeyCode::Char('/'));
        assert!(form.shows_suggestions());
        key(&mut form, KeyCode::Tab);
        assert_eq!(form.destination.value(), "/Courses/");
    }

    #[test]
    fn dropbox_refusals_land_in_the_form() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
        form.refused("Dropbox requires a verified email address.".to_string());
        assert!(!form.submitting);
        assert_eq!(form.title.value(), "Lab");
        assert_eq!(
            form.error.as_deref(),
            Some("Dropbox requires a verified email address.")
        );
        assert_eq!(form.error_field, None);
    }
}
