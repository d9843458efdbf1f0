//! The create/edit form of a file request: what was typed, what it means, and what is
//! wrong with it. Nothing here talks to Dropbox; submitting yields the SDK arguments.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler as _;

use crate::deadline;
use crate::dropbox::{
    CreateFileRequestArgs, FileRequest, FileRequestDeadline, GracePeriod, UpdateFileRequestArgs,
    UpdateFileRequestDeadline,
};
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

    fn step(self, by: isize) -> Field {
        let at = Field::ALL.iter().position(|f| *f == self).unwrap_or(0) as isize;
        let len = Field::ALL.len() as isize;
        Field::ALL[(at + by).clamp(0, len - 1) as usize]
    }
}

/// The grace choices, in the order the selector cycles through them.
pub const GRACE_CHOICES: [Option<GracePeriod>; 6] = [
    None,
    Some(GracePeriod::OneDay),
    Some(GracePeriod::TwoDays),
    Some(GracePeriod::SevenDays),
    Some(GracePeriod::ThirtyDays),
    Some(GracePeriod::Always),
];

pub fn grace_choice_label(choice: &Option<GracePeriod>) -> &'static str {
    match choice {
        None => "none",
        Some(GracePeriod::OneDay) => "one day",
        Some(GracePeriod::TwoDays) => "two days",
        Some(GracePeriod::SevenDays) => "seven days",
        Some(GracePeriod::ThirtyDays) => "thirty days",
        Some(GracePeriod::Always) => "always",
        Some(_) => "other",
    }
}

fn grace_index(grace: Option<&GracePeriod>) -> usize {
    GRACE_CHOICES
        .iter()
        .position(|choice| choice.as_ref() == grace)
        .unwrap_or(0)
}

#[derive(Debug, Clone)]
pub enum FormMode {
    Create,
    Edit { original: Box<FileRequest> },
}

/// What the form asks the loop to do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum FormOutcome {
    /// Keep editing.
    Editing,
    /// Close the form, nothing sent.
    Cancelled,
    /// Send this to Dropbox.
    Submit(Submission),
    /// Submitting would change nothing: close the form and say so.
    Unchanged,
    /// List the subfolders of this folder for completion.
    ListFolders(String),
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
    /// The grace the form opened with (the configured default, or the request's).
    initial_grace: usize,
    /// Once the professor edits the folder, it no longer follows the title.
    destination_edited: bool,
    courses_root: String,
    /// The deadline text as the form opened, to tell an untouched deadline from a new one.
    original_deadline_text: String,
    /// One sentence about why the last submit did not go through (validation or Dropbox).
    pub error: Option<String>,
    /// Waiting for Dropbox's answer to a submit; keys other than Esc are ignored meanwhile.
    pub submitting: bool,
    /// The past deadline the professor confirmed by submitting twice.
    confirmed_past: Option<DateTime<Utc>>,
    /// Esc was pressed with changes: the next key decides whether to discard them.
    pub confirm_discard: bool,
    /// Folder paths (display form) known per parent folder (lower case), for completion.
    folders: HashMap<String, Vec<String>>,
    pub suggestions: Vec<String>,
    pub suggestion: usize,
}

impl RequestForm {
    pub fn create(courses_root: &str, grace: Option<GracePeriod>) -> RequestForm {
        let root = courses_root.trim_end_matches('/').to_string();
        RequestForm {
            mode: FormMode::Create,
            focus: Field::Title,
            title: Input::default(),
            destination: Input::new(format!("{root}/")),
            deadline: Input::default(),
            grace: grace_index(grace.as_ref()),
            initial_grace: grace_index(grace.as_ref()),
            description: Input::default(),
            open: true,
            destination_edited: false,
            courses_root: root,
            original_deadline_text: String::new(),
            error: None,
            submitting: false,
            confirmed_past: None,
            confirm_discard: false,
            folders: HashMap::new(),
            suggestions: Vec::new(),
            suggestion: 0,
        }
    }

    pub fn edit(request: &FileRequest, zone: Zone) -> RequestForm {
        let deadline = request
            .deadline
            .as_ref()
            .and_then(|d| time::parse_dropbox(&d.deadline));
        let deadline_text = deadline
            .map(|at| deadline::field_text(at, zone))
            .unwrap_or_default();
        let grace = request
            .deadline
            .as_ref()
            .and_then(|d| d.allow_late_uploads.as_ref());
        RequestForm {
            mode: FormMode::Edit {
                original: Box::new(request.clone()),
            },
            focus: Field::Title,
            title: Input::new(request.title.clone()),
            destination: Input::new(request.destination.clone().unwrap_or_default()),
            deadline: Input::new(deadline_text.clone()),
            grace: grace_index(grace),
            initial_grace: grace_index(grace),
            description: Input::new(request.description.clone().unwrap_or_default()),
            open: request.is_open,
            destination_edited: true,
            courses_root: String::new(),
            original_deadline_text: deadline_text,
            error: None,
            submitting: false,
            confirmed_past: None,
            confirm_discard: false,
            folders: HashMap::new(),
            suggestions: Vec::new(),
            suggestion: 0,
        }
    }

    pub fn is_edit(&self) -> bool {
        matches!(self.mode, FormMode::Edit { .. })
    }

    pub fn grace_choice(&self) -> &Option<GracePeriod> {
        &GRACE_CHOICES[self.grace.min(GRACE_CHOICES.len() - 1)]
    }

    pub fn deadline_reading(&self, now: DateTime<Utc>, zone: Zone) -> DeadlineReading {
        match deadline::parse(self.deadline.value(), now, zone) {
            Ok(None) => DeadlineReading::None,
            Ok(Some(at)) => DeadlineReading::At(at),
            Err(error) => DeadlineReading::Invalid(error.to_string()),
        }
    }

    /// Whether anything differs from how the form opened, so Esc must ask first.
    pub fn has_changes(&self) -> bool {
        match &self.mode {
            FormMode::Create => {
                !self.title.value().is_empty()
                    || self.destination_edited
                    || !self.deadline.value().is_empty()
                    || self.grace != self.initial_grace
                    || !self.description.value().is_empty()
                    || !self.open
            }
            FormMode::Edit { original } => {
                let fresh = RequestForm::edit(original, Zone::utc());
                self.title.value() != fresh.title.value()
                    || self.destination.value() != fresh.destination.value()
                    || self.deadline.value() != self.original_deadline_text
                    || self.grace != fresh.grace
                    || self.description.value() != fresh.description.value()
                    || self.open != fresh.open
            }
        }
    }

    /// What is wrong with a field as typed, if anything, as one sentence.
    pub fn field_error(&self, field: Field, now: DateTime<Utc>, zone: Zone) -> Option<String> {
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

    /// A key for the form.
    pub fn key(&mut self, key: KeyEvent, now: DateTime<Utc>, zone: Zone) -> FormOutcome {
        if self.confirm_discard {
            self.confirm_discard = false;
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => FormOutcome::Cancelled,
                _ => FormOutcome::Editing,
            };
        }
        if self.submitting {
            return FormOutcome::Editing;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                if !self.suggestions.is_empty() && self.focus == Field::Destination {
                    self.suggestions.clear();
                    return FormOutcome::Editing;
                }
                if self.has_changes() {
                    self.confirm_discard = true;
                    return FormOutcome::Editing;
                }
                return FormOutcome::Cancelled;
            }
            KeyCode::Char('s') if ctrl => return self.submit(now, zone),
            KeyCode::Enter if self.focus == Field::Open => return self.submit(now, zone),
            KeyCode::Enter => self.focus = self.focus.step(1),
            KeyCode::Tab => {
                if self.focus == Field::Destination && self.accept_suggestion() {
                    return self.completion_request();
                }
                self.focus = self.focus.step(1);
            }
            KeyCode::BackTab => self.focus = self.focus.step(-1),
            KeyCode::Up if self.focus == Field::Destination && !self.suggestions.is_empty() => {
                self.suggestion = self.suggestion.saturating_sub(1);
            }
            KeyCode::Down if self.focus == Field::Destination && !self.suggestions.is_empty() => {
                self.suggestion = (self.suggestion + 1).min(self.suggestions.len() - 1);
            }
            KeyCode::Up => self.focus = self.focus.step(-1),
            KeyCode::Down => self.focus = self.focus.step(1),
            _ => return self.edit_field(key),
        }
        FormOutcome::Editing
    }

    /// Pasted text goes into the focused text field, line breaks dropped.
    pub fn paste(&mut self, text: &str) -> FormOutcome {
        let clean: String = text
            .chars()
            .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        let Some(input) = self.focused_input() else {
            return FormOutcome::Editing;
        };
        let value = format!("{}{}", input.value(), clean.trim_end());
        *input = Input::new(value);
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

    fn edit_field(&mut self, key: KeyEvent) -> FormOutcome {
        match self.focus {
            Field::Grace => {
                let len = GRACE_CHOICES.len();
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

    /// Refreshes the suggestions from what is known, or asks for the parent folder's list.
    fn completion_request(&mut self) -> FormOutcome {
        let (parent, _) = self.completion_parts();
        if !self.destination.value().starts_with('/') {
            self.suggestions.clear();
            return FormOutcome::Editing;
        }
        if self.folders.contains_key(&parent.to_lowercase()) {
            self.refresh_suggestions();
            FormOutcome::Editing
        } else {
            self.suggestions.clear();
            FormOutcome::ListFolders(parent)
        }
    }

    /// Subfolders of `parent` arrived (display paths); `None` means it has none or does not exist.
    pub fn folders_listed(&mut self, parent: &str, folders: Vec<String>) {
        self.folders.insert(parent.to_lowercase(), folders);
        if self.completion_parts().0.eq_ignore_ascii_case(parent) {
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

    /// Tab in the folder field takes the highlighted suggestion, and goes one level down.
    fn accept_suggestion(&mut self) -> bool {
        let Some(choice) = self.suggestions.get(self.suggestion).cloned() else {
            return false;
        };
        self.destination = Input::new(format!("{choice}/"));
        self.destination_edited = true;
        self.suggestions.clear();
        true
    }

    /// Checks everything, then builds what to send. A past deadline needs a second submit.
    pub fn submit(&mut self, now: DateTime<Utc>, zone: Zone) -> FormOutcome {
        self.suggestions.clear();
        for field in Field::ALL {
            if let Some(sentence) = self.field_error(field, now, zone) {
                self.focus = field;
                self.error = Some(sentence);
                return FormOutcome::Editing;
            }
        }
        let deadline = match self.deadline_reading(now, zone) {
            DeadlineReading::At(at) => Some(at),
            DeadlineReading::None => None,
            DeadlineReading::Invalid(_) => return FormOutcome::Editing,
        };
        let deadline_changed = self.deadline.value() != self.original_deadline_text;
        if let Some(at) = deadline
            && at <= now
            && deadline_changed
            && self.confirmed_past != Some(at)
        {
            self.confirmed_past = Some(at);
            self.focus = Field::Deadline;
            self.error = Some(format!(
                "That deadline is in the past ({}); press Ctrl-S again to use it anyway.",
                time::relative(at, now)
            ));
            return FormOutcome::Editing;
        }
        let wire_deadline = deadline.map(|at| {
            let mut d = FileRequestDeadline::new(time::to_dropbox(at));
            if let Some(grace) = self.grace_choice().clone() {
                d = d.with_allow_late_uploads(grace);
            }
            d
        });
        let title = self.title.value().trim().to_string();
        let destination = normalise_destination(self.destination.value());
        let description = self.description.value().trim().to_string();
        let submission = match &self.mode {
            FormMode::Create => {
                let mut args = CreateFileRequestArgs::new(title, destination).with_open(self.open);
                if let Some(d) = wire_deadline {
                    args = args.with_deadline(d);
                }
                if !description.is_empty() {
                    args = args.with_description(description);
                }
                Submission::Create(args)
            }
            FormMode::Edit { original } => {
                let mut args = UpdateFileRequestArgs::new(original.id.clone());
                let mut changed = false;
                if title != original.title {
                    args = args.with_title(title);
                    changed = true;
                }
                if Some(&destination) != original.destination.as_ref() {
                    args = args.with_destination(destination);
                    changed = true;
                }
                let original_grace = original
                    .deadline
                    .as_ref()
                    .and_then(|d| d.allow_late_uploads.as_ref());
                let grace_changed = grace_index(original_grace) != self.grace;
                if deadline_changed || (grace_changed && wire_deadline.is_some()) {
                    // A cleared field is sent as an explicit clear; an untouched one not at all.
                    args = args.with_deadline(UpdateFileRequestDeadline::Update(wire_deadline));
                    changed = true;
                }
                if self.open != original.is_open {
                    args = args.with_open(self.open);
                    changed = true;
                }
                if description != original.description.clone().unwrap_or_default() {
                    args = args.with_description(description);
                    changed = true;
                }
                if !changed {
                    return FormOutcome::Unchanged;
                }
                Submission::Update(args)
            }
        };
        self.error = None;
        self.submitting = true;
        FormOutcome::Submit(submission)
    }

    /// Dropbox refused the submit: say why inside the form and keep everything typed.
    pub fn refused(&mut self, sentence: String) {
        self.submitting = false;
        self.error = Some(sentence);
    }
}

/// Trailing slashes are dropped: Dropbox names a folder without one.
fn normalise_destination(text: &str) -> String {
    let trimmed = text.trim();
    let without = trimmed.trim_end_matches('/');
    if without.is_empty() {
        trimmed.to_string()
    } else {
        without.to_string()
    }
}

fn control_error(what: &str, text: &str) -> Option<String> {
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

    fn ctrl_s(form: &mut RequestForm) -> FormOutcome {
        form.key(
            KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
            fixed_now(),
            Zone::utc(),
        )
    }

    fn type_text(form: &mut RequestForm, text: &str) {
        for c in text.chars() {
            key(form, KeyCode::Char(c));
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
        let cases: [(&str, &str, &str, &str); 9] = [
            ("", "/Courses/x", "", "title is required"),
            ("   ", "/Courses/x", "", "title is required"),
            ("Lab", "Courses/x", "", "must start with /"),
            ("Lab", "/", "", "top of your dropbox"),
            ("Lab", "/Courses/a\u{7}b", "", "control characters"),
            ("Lab", "/Courses//x", "", "empty part"),
            ("Lab", "/Courses/x", "31/02", ""),
            ("Lab", "/Courses/x", "next blursday", "blursday"),
            ("Lab", "/Courses/x", "+0d", ""),
        ];
        for (title, destination, deadline, expected) in cases {
            let mut form = RequestForm::create("/Courses", None);
            form.title = Input::new(title.to_string());
            form.destination = Input::new(destination.to_string());
            form.deadline = Input::new(deadline.to_string());
            let outcome = ctrl_s(&mut form);
            assert_eq!(
                outcome,
                FormOutcome::Editing,
                "{title:?} {destination:?} {deadline:?}"
            );
            let error = form.error.clone().expect("an error sentence");
            assert!(
                error.to_lowercase().contains(expected),
                "{error:?} should mention {expected:?}"
            );
            assert_eq!(form.title.value(), title, "the form keeps what was typed");
            assert_eq!(form.destination.value(), destination);
            assert_eq!(form.deadline.value(), deadline);
            assert!(!form.submitting);
        }
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
        assert!(
            matches!(ctrl_s(&mut form), FormOutcome::Submit(_)),
            "{:?}",
            form.error
        );
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
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
    }

    #[test]
    fn esc_asks_before_discarding_typed_text() {
        let mut form = RequestForm::create("/Courses", None);
        assert_eq!(key(&mut form, KeyCode::Esc), FormOutcome::Cancelled);
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert_eq!(key(&mut form, KeyCode::Esc), FormOutcome::Editing);
        assert!(form.confirm_discard);
        assert_eq!(key(&mut form, KeyCode::Char('n')), FormOutcome::Editing);
        assert_eq!(form.title.value(), "Lab");
        key(&mut form, KeyCode::Esc);
        assert_eq!(key(&mut form, KeyCode::Char('y')), FormOutcome::Cancelled);
    }

    #[test]
    fn edit_sends_only_what_changed() {
        let request = sample_requests(fixed_now())
            .into_iter()
            .find(|r| r.title == "Project proposal")
            .expect("fixture");
        let mut form = RequestForm::edit(&request, Zone::utc());
        assert!(!form.has_changes());
        assert_eq!(ctrl_s(&mut form), FormOutcome::Unchanged);

        let mut form = RequestForm::edit(&request, Zone::utc());
        key(&mut form, KeyCode::End);
        type_text(&mut form, " v2");
        let FormOutcome::Submit(Submission::Update(args)) = ctrl_s(&mut form) else {
            panic!("submits");
        };
        assert_eq!(args.title.as_deref(), Some("Project proposal v2"));
        assert_eq!(args.destination, None);
        assert_eq!(args.deadline, UpdateFileRequestDeadline::NoUpdate);
        assert_eq!(args.open, None);
        assert_eq!(args.description, None);

        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Deadline;
        form.deadline = Input::default();
        form.after_text_change();
        let FormOutcome::Submit(Submission::Update(args)) = ctrl_s(&mut form) else {
            panic!("submits");
        };
        assert_eq!(
            args.deadline,
            UpdateFileRequestDeadline::Update(None),
            "cleared"
        );
        assert_eq!(args.title, None);

        let mut form = RequestForm::edit(&request, Zone::utc());
        form.focus = Field::Grace;
        key(&mut form, KeyCode::Right);
        let FormOutcome::Submit(Submission::Update(args)) = ctrl_s(&mut form) else {
            panic!("submits");
        };
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
    fn folder_completion_asks_once_per_folder_and_tab_accepts() {
        let mut form = RequestForm::create("/Courses", None);
        form.focus = Field::Destination;
        form.destination = Input::new("/Courses".to_string());
        let outcome = key(&mut form, KeyCode::Char('/'));
        assert_eq!(outcome, FormOutcome::ListFolders("/Courses".to_string()));
        form.folders_listed(
            "/Courses",
            vec![
                "/Courses/CS101 Intro".to_string(),
                "/Courses/MATH210".to_string(),
            ],
        );
        assert_eq!(form.suggestions.len(), 2);
        assert_eq!(key(&mut form, KeyCode::Char('m')), FormOutcome::Editing);
        assert_eq!(form.suggestions, vec!["/Courses/MATH210".to_string()]);
        let outcome = key(&mut form, KeyCode::Tab);
        assert_eq!(form.destination.value(), "/Courses/MATH210/");
        assert_eq!(
            outcome,
            FormOutcome::ListFolders("/Courses/MATH210".to_string())
        );
        assert_eq!(
            form.focus,
            Field::Destination,
            "Tab accepted, it did not move on"
        );
        form.folders_listed("/Courses/MATH210", Vec::new());
        key(&mut form, KeyCode::Tab);
        assert_eq!(
            form.focus,
            Field::Deadline,
            "nothing to accept: Tab moves on"
        );
    }

    #[test]
    fn dropbox_refusals_land_in_the_form() {
        let mut form = RequestForm::create("/Courses", None);
        type_text(&mut form, "Lab");
        assert!(matches!(ctrl_s(&mut form), FormOutcome::Submit(_)));
        form.refused("Dropbox requires a verified email address.".to_string());
        assert!(!form.submitting);
        assert_eq!(form.title.value(), "Lab");
        assert!(form.error.is_some());
    }
}
