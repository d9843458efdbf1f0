//! File requests described in text: a term's syllabus file (TOML or CSV), or the flags of
//! `handin requests create` and `update`. Everything is checked the way the TUI's form
//! checks it (the same title, folder and deadline rules, the same grace choices) and
//! turned into the arguments Dropbox takes. Pure: no I/O, and the clock comes in as `now`.
//!
//! A syllabus is checked whole before anything is created: [`parse`] reports every bad
//! row with its line number, or returns every request.
//!
//! TOML, one `[[request]]` table per request:
//!
//! ```toml
//! [[request]]
//! title = "Lab 1: Recursion"
//! destination = "/Courses/CS101/Lab 1"
//! deadline = "2026-10-02 23:59"     # or a TOML date-time: 2026-10-02T23:59:00
//! grace = "2 days"                   # none, 1 day, 2 days, 7 days, 30 days, always
//! description = "One PDF, named after you."
//! open = true                        # false: created closed
//! ```
//!
//! CSV (RFC 4180, comma or semicolon), a header naming the columns in any order:
//! `title,destination,deadline,grace,description,open`; title and destination are
//! required, the others may be left out or empty.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use toml::Spanned;

use crate::deadline;
use crate::dropbox::{
    CreateFileRequestArgs, FileRequest, FileRequestDeadline, GracePeriod, UpdateFileRequestArgs,
    UpdateFileRequestDeadline,
};
use crate::file_request::grace;
use crate::state::form::{control_error, destination_error, normalise_destination, title_error};
use crate::submissions::roster::csv_records;
use crate::time::{self, Zone};

/// A part of a request, as a syllabus column (and a TOML key) names it.
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

    /// The column (and key) name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Destination => "destination",
            Field::Deadline => "deadline",
            Field::Grace => "grace",
            Field::Description => "description",
            Field::Open => "open",
        }
    }

    fn named(name: &str) -> Option<Field> {
        let name = name.trim().to_lowercase();
        Field::ALL.into_iter().find(|field| field.name() == name)
    }
}

/// What is wrong with one field, as a sentence that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub reason: String,
}

/// A deadline as written: text in any form the TUI's form takes (or RFC 3339), or a
/// TOML date-time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineText {
    Text(String),
    Toml(toml::value::Datetime),
}

/// One request as written, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub destination: String,
    pub deadline: Option<DeadlineText>,
    /// As written; `None` when not given, which means the configured default grace once
    /// there is a deadline (as the TUI's form starts with it).
    pub grace: Option<String>,
    pub description: Option<String>,
    pub open: bool,
}

/// A request that passed every check, ready to be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub title: String,
    pub destination: String,
    pub deadline: Option<DateTime<Utc>>,
    /// Only ever set along with a deadline.
    pub grace: Option<GracePeriod>,
    pub description: Option<String>,
    pub open: bool,
}

impl NewRequest {
    /// What `file_requests/create` takes.
    pub fn create_args(&self) -> CreateFileRequestArgs {
        let mut args = CreateFileRequestArgs::new(self.title.clone(), self.destination.clone())
            .with_open(self.open);
        if let Some(at) = self.deadline {
            args = args.with_deadline(wire_deadline(at, self.grace.clone()));
        }
        if let Some(description) = &self.description {
            args = args.with_description(description.clone());
        }
        args
    }
}

fn wire_deadline(at: DateTime<Utc>, grace: Option<GracePeriod>) -> FileRequestDeadline {
    let wire = FileRequestDeadline::new(time::to_dropbox(at));
    match grace {
        Some(grace) => wire.with_allow_late_uploads(grace),
        None => wire,
    }
}

impl Draft {
    /// Every problem with the draft, or the request it describes. `default_grace` applies
    /// when a deadline is given without a grace.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        zone: Zone,
        default_grace: Option<GracePeriod>,
    ) -> Result<NewRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: Field, reason: String| errors.push(FieldError { field, reason });
        if let Some(reason) = title_error(&self.title) {
            fail(Field::Title, reason);
        }
        if let Some(reason) = destination_error(&self.destination) {
            fail(Field::Destination, reason);
        }
        let deadline = match &self.deadline {
            None => None,
            Some(written) => match parse_deadline(written, now, zone) {
                Ok(Some(at)) if at <= now => {
                    fail(Field::Deadline, past_deadline(at, now, zone));
                    None
                }
                Ok(at) => at,
                Err(reason) => {
                    fail(Field::Deadline, reason);
                    None
                }
            },
        };
        let grace = match self.grace.as_deref().map(grace::parse) {
            None => deadline.and(default_grace),
            Some(Ok(grace)) => {
                let deadline_given = self.deadline.as_ref().is_some_and(|d| !d.is_blank());
                if grace.is_some() && !deadline_given {
                    fail(Field::Grace, GRACE_WITHOUT_DEADLINE.to_string());
                }
                grace
            }
            Some(Err(reason)) => {
                fail(Field::Grace, reason);
                None
            }
        };
        let description = self.description.as_deref().map(str::trim).unwrap_or("");
        if let Some(reason) = control_error("The description", description) {
            fail(Field::Description, reason);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewRequest {
            title: self.title.trim().to_string(),
            destination: normalise_destination(&self.destination),
            deadline,
            grace: deadline.and(grace),
            description: (!description.is_empty()).then(|| description.to_string()),
            open: self.open,
        })
    }
}

impl DeadlineText {
    fn is_blank(&self) -> bool {
        match self {
            DeadlineText::Text(text) => text.trim().is_empty(),
            DeadlineText::Toml(_) => false,
        }
    }
}

const GRACE_WITHOUT_DEADLINE: &str = "grace is for uploads after a deadline, and there is none; add a deadline or leave the \
     grace out.";

fn past_deadline(at: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> String {
    format!(
        "{} is in the past ({}); give a later deadline.",
        time::full(at, zone),
        time::relative(at, now)
    )
}

/// A deadline as written, understood: `Ok(None)` for an empty text. Text takes the TUI
/// form's forms in `zone` ([`deadline::parse`]) and RFC 3339 with an offset (what
/// `--json` prints); a TOML local date-time or date is wall-clock time in `zone`.
pub fn parse_deadline(
    written: &DeadlineText,
    now: DateTime<Utc>,
    zone: Zone,
) -> Result<Option<DateTime<Utc>>, String> {
    let text = match written {
        DeadlineText::Text(text) => text.trim().to_string(),
        DeadlineText::Toml(datetime) => match (datetime.date, datetime.time, datetime.offset) {
            (Some(_), Some(_), Some(_)) => datetime.to_string(),
            (Some(date), Some(clock), None) => format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                date.year, date.month, date.day, clock.hour, clock.minute
            ),
            (Some(date), None, _) => {
                format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
            }
            _ => {
                return Err(format!(
                    "{datetime} is a time without a day; write the day too, like \
                     2026-12-04T23:59:00."
                ));
            }
        },
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    deadline::parse(&text, now, zone).map_err(|error| {
        let mut sentence = error.to_string();
        if !sentence.ends_with('.') {
            sentence.push('.');
        }
        sentence
    })
}

/// What `handin requests update` was asked to change; `None` leaves a part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub title: Option<String>,
    pub destination: Option<String>,
    /// `Some(None)` removes the deadline.
    pub deadline: Option<Option<DeadlineText>>,
    pub grace: Option<String>,
    pub description: Option<String>,
}

impl Changes {
    /// The update for `original`, sending only what differs from what Dropbox holds (an
    /// unchanged title is not sent). `Ok(None)`: nothing would change. A new deadline
    /// keeps the grace Dropbox holds unless a grace is given; a new grace alone keeps
    /// the deadline Dropbox holds, exactly, and needs one.
    pub fn update_args(
        &self,
        original: &FileRequest,
        now: DateTime<Utc>,
        zone: Zone,
    ) -> Result<Option<UpdateFileRequestArgs>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: Field, reason: String| errors.push(FieldError { field, reason });
        let mut args = UpdateFileRequestArgs::new(original.id.clone());
        let mut changed = false;
        if let Some(title) = &self.title {
            match title_error(title) {
                Some(reason) => fail(Field::Title, reason),
                None if title.trim() != original.title => {
                    args = args.with_title(title.trim().to_string());
                    changed = true;
                }
                None => {}
            }
        }
        if let Some(destination) = &self.destination {
            match destination_error(destination) {
                Some(reason) => fail(Field::Destination, reason),
                None => {
                    let destination = normalise_destination(destination);
                    if Some(&destination) != original.destination.as_ref() {
                        args = args.with_destination(destination);
                        changed = true;
                    }
                }
            }
        }
        let held_grace = original
            .deadline
            .as_ref()
            .and_then(|held| held.allow_late_uploads.clone());
        let grace = match self.grace.as_deref().map(grace::parse) {
            None => None,
            Some(Ok(grace)) => Some(grace),
            Some(Err(reason)) => {
                fail(Field::Grace, reason);
                None
            }
        };
        match &self.deadline {
            Some(Some(written)) => match parse_deadline(written, now, zone) {
                Ok(Some(at)) if at <= now => fail(Field::Deadline, past_deadline(at, now, zone)),
                Ok(Some(at)) => {
                    let grace = grace.clone().unwrap_or(held_grace);
                    let deadline = wire_deadline(at, grace);
                    args = args.with_deadline(UpdateFileRequestDeadline::Update(Some(deadline)));
                    changed = true;
                }
                // An empty deadline removes it, as clearing the form's field does.
                Ok(None) => {
                    args = args.with_deadline(UpdateFileRequestDeadline::Update(None));
                    changed = original.deadline.is_some() || changed;
                    if matches!(grace, Some(Some(_))) {
                        fail(Field::Grace, GRACE_WITHOUT_DEADLINE.to_string());
                    }
                }
                Err(reason) => fail(Field::Deadline, reason),
            },
            Some(None) => {
                if original.deadline.is_some() {
                    args = args.with_deadline(UpdateFileRequestDeadline::Update(None));
                    changed = true;
                }
                if matches!(grace, Some(Some(_))) {
                    fail(Field::Grace, GRACE_WITHOUT_DEADLINE.to_string());
                }
            }
            None => {
                if let Some(grace) = grace {
                    match &original.deadline {
                        Some(held) if grace != held_grace => {
                            let mut deadline = FileRequestDeadline::new(held.deadline.clone());
                            if let Some(grace) = grace {
                                deadline = deadline.with_allow_late_uploads(grace);
                            }
                            args = args
                                .with_deadline(UpdateFileRequestDeadline::Update(Some(deadline)));
                            changed = true;
                        }
                        Some(_) => {}
                        None if grace.is_some() => fail(
                            Field::Grace,
                            "grace is for uploads after a deadline, and this request has none; \
                             give a deadline too (--deadline)."
                                .to_string(),
                        ),
                        None => {}
                    }
                }
            }
        }
        if let Some(description) = &self.description {
            let description = description.trim();
            match control_error("The description", description) {
                Some(reason) => fail(Field::Description, reason),
                None if description != original.description.as_deref().unwrap_or("").trim() => {
                    // Dropbox documents no way to remove a description; the empty string
                    // is what the TUI sends too (see `RequestForm::update_args`).
                    args = args.with_description(description.to_string());
                    changed = true;
                }
                None => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(changed.then_some(args))
    }
}

// ---------------------------------------------------------------------------------------
// Syllabus files

/// How a syllabus file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Csv,
}

impl Format {
    /// By the file's extension (`.toml`, `.csv`); otherwise (standard input, a `.txt`) by
    /// its first line that is not blank or a comment: a `[` starts TOML.
    pub fn detect(path: Option<&Path>, text: &str) -> Format {
        let extension = path
            .and_then(Path::extension)
            .map(|e| e.to_string_lossy().to_lowercase());
        match extension.as_deref() {
            Some("toml") => Format::Toml,
            Some("csv") => Format::Csv,
            _ => {
                let first = text
                    .trim_start_matches('\u{FEFF}')
                    .lines()
                    .map(str::trim)
                    .find(|line| !line.is_empty() && !line.starts_with('#'));
                match first {
                    Some(line) if line.starts_with('[') || line.contains(" = ") => Format::Toml,
                    _ => Format::Csv,
                }
            }
        }
    }
}

/// One request of a syllabus and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub request: NewRequest,
}

/// A bad row (or a bad file, then the line where reading stopped): the line, 1-based as
/// an editor numbers it, and what is wrong, with how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub field: Option<Field>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "line {}, {}: {}", self.line, field.name(), self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Reads a whole syllabus: every request in it, or every problem (each with its line).
/// A file with no request is a problem too.
pub fn parse(
    text: &str,
    format: Format,
    now: DateTime<Utc>,
    zone: Zone,
    default_grace: Option<GracePeriod>,
) -> Result<Vec<Row>, Vec<RowError>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let Read { drafts, mut errors } = match format {
        Format::Toml => toml_drafts(text)?,
        Format::Csv => csv_drafts(text)?,
    };
    if drafts.is_empty() && errors.is_empty() {
        let what = match format {
            Format::Toml => "no [[request]] table",
            Format::Csv => "a header but no rows",
        };
        return Err(vec![RowError {
            line: 1,
            field: None,
            reason: format!(
                "the file has {what}, so there is nothing to create; see the README's \
                 Scripting section for an example."
            ),
        }]);
    }
    let mut rows = Vec::with_capacity(drafts.len());
    for (line, draft) in drafts {
        match draft.check(now, zone, default_grace.clone()) {
            Ok(request) => rows.push(Row { line, request }),
            Err(problems) => {
                for problem in problems {
                    // A value of the wrong type was said already; "a title is required"
                    // on top of it would be noise.
                    let said = errors
                        .iter()
                        .any(|e| e.line_of_row == line && e.error.field == Some(problem.field));
                    if !said {
                        errors.push(Located {
                            line_of_row: line,
                            error: RowError {
                                line,
                                field: Some(problem.field),
                                reason: problem.reason,
                            },
                        });
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        return Ok(rows);
    }
    let mut errors: Vec<RowError> = errors.into_iter().map(|located| located.error).collect();
    errors.sort_by_key(|error| error.line);
    Err(errors)
}

/// The requests of a file as written, and the problems found while reading them.
struct Read {
    drafts: Vec<(usize, Draft)>,
    errors: Vec<Located>,
}

/// A problem and the line of the row it belongs to (a TOML key's own line may differ).
struct Located {
    line_of_row: usize,
    error: RowError,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

type TomlTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(serde::Deserialize)]
struct TomlFile {
    #[serde(default)]
    request: Vec<Spanned<TomlTable>>,
}

fn empty_draft() -> Draft {
    Draft {
        title: String::new(),
        destination: String::new(),
        deadline: None,
        grace: None,
        description: None,
        open: true,
    }
}

/// A problem that stops reading: the file is not TOML or CSV, or its header is wrong.
fn whole_file(line: usize, reason: String) -> Vec<RowError> {
    vec![RowError {
        line,
        field: None,
        reason,
    }]
}

fn toml_drafts(text: &str) -> Result<Read, Vec<RowError>> {
    let syntax = |error: toml::de::Error| {
        whole_file(
            line_of(text, error.span().map_or(0, |span| span.start)),
            format!(
                "{}; each request is a [[request]] table of key = \"value\" lines.",
                error.message().trim_end_matches('.')
            ),
        )
    };
    let keys: BTreeMap<Spanned<String>, serde::de::IgnoredAny> =
        toml::from_str(text).map_err(syntax)?;
    let mut errors: Vec<Located> = keys
        .keys()
        .filter(|key| key.get_ref() != "request")
        .map(|key| {
            let line = line_of(text, key.span().start);
            Located {
                line_of_row: line,
                error: RowError {
                    line,
                    field: None,
                    reason: format!(
                        "\"{}\" is not part of a request; put it inside a [[request]] table \
                         (the keys are {}).",
                        key.get_ref(),
                        field_names()
                    ),
                },
            }
        })
        .collect();
    let file: TomlFile = toml::from_str(text).map_err(syntax)?;
    let mut drafts = Vec::with_capacity(file.request.len());
    for table in &file.request {
        let row = line_of(text, table.span().start);
        let mut draft = empty_draft();
        for (key, value) in table.get_ref() {
            let Some(field) = Field::named(key.get_ref()) else {
                let line = line_of(text, key.span().start);
                errors.push(Located {
                    line_of_row: row,
                    error: RowError {
                        line,
                        field: None,
                        reason: format!(
                            "\"{}\" is not a part of a request; the keys are {}.",
                            key.get_ref(),
                            field_names()
                        ),
                    },
                });
                continue;
            };
            let wrong_type = |expected: &str| Located {
                line_of_row: row,
                error: RowError {
                    line: line_of(text, value.span().start),
                    field: Some(field),
                    reason: format!("expected {expected}, found {}.", value.get_ref().type_str()),
                },
            };
            match (field, value.get_ref()) {
                (Field::Open, toml::Value::Boolean(open)) => draft.open = *open,
                (Field::Open, _) => errors.push(wrong_type("true or false")),
                (Field::Deadline, toml::Value::Datetime(datetime)) => {
                    draft.deadline = Some(DeadlineText::Toml(*datetime));
                }
                (_, toml::Value::String(text)) => match field {
                    Field::Title => draft.title = text.clone(),
                    Field::Destination => draft.destination = text.clone(),
                    Field::Deadline => draft.deadline = Some(DeadlineText::Text(text.clone())),
                    Field::Grace => draft.grace = Some(text.clone()),
                    Field::Description => draft.description = Some(text.clone()),
                    Field::Open => {}
                },
                (Field::Deadline, _) => {
                    errors.push(wrong_type("a date in quotes or a TOML date-time"));
                }
                _ => errors.push(wrong_type("text in quotes")),
            }
        }
        // Checked even with a bad key, so that its other problems show in the same run.
        drafts.push((row, draft));
    }
    Ok(Read { drafts, errors })
}

fn field_names() -> String {
    Field::ALL
        .iter()
        .map(|field| field.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn csv_drafts(text: &str) -> Result<Read, Vec<RowError>> {
    let records =
        csv_records(text).map_err(|error| whole_file(error.line, format!("{}.", error.reason)))?;
    let mut records = records.into_iter();
    let example = field_names().replace(", ", ",");
    let Some((header_line, header)) = records.next() else {
        return Err(whole_file(
            1,
            format!("the file is empty; its first line must name the columns, as in {example}."),
        ));
    };
    let mut columns: Vec<Option<Field>> = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    for title in &header {
        match Field::named(title) {
            Some(field) if columns.contains(&Some(field)) => problems.push(format!(
                "the header names the column {} twice; keep one of them.",
                field.name()
            )),
            Some(field) => columns.push(Some(field)),
            None => {
                problems.push(format!(
                    "the header names a column \"{}\" that is not part of a request; the \
                     columns are {}.",
                    title.trim(),
                    field_names()
                ));
                columns.push(None);
            }
        }
    }
    for required in [Field::Title, Field::Destination] {
        if !columns.contains(&Some(required)) {
            problems.push(format!(
                "the header has no {} column; the first line must name the columns, as in \
                 {example}.",
                required.name(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|reason| RowError {
                line: header_line,
                field: None,
                reason,
            })
            .collect());
    }
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    for (line, fields) in records {
        if fields.len() != columns.len() {
            errors.push(Located {
                line_of_row: line,
                error: RowError {
                    line,
                    field: None,
                    reason: format!(
                        "the row has {} fields and the header {}; quote a field that holds a \
                         comma (\"Lab 1, part 2\").",
                        fields.len(),
                        columns.len()
                    ),
                },
            });
            continue;
        }
        let mut draft = empty_draft();
        for (field, value) in columns.iter().zip(fields) {
            let Some(field) = field else { continue };
            let empty = value.trim().is_empty();
            match field {
                Field::Title => draft.title = value,
                Field::Destination => draft.destination = value,
                Field::Deadline if !empty => draft.deadline = Some(DeadlineText::Text(value)),
                Field::Grace if !empty => draft.grace = Some(value),
                Field::Description if !empty => draft.description = Some(value),
                Field::Open => match parse_open(&value) {
                    Ok(open) => draft.open = open,
                    Err(reason) => errors.push(Located {
                        line_of_row: line,
                        error: RowError {
                            line,
                            field: Some(Field::Open),
                            reason,
                        },
                    }),
                },
                _ => {}
            }
        }
        drafts.push((line, draft));
    }
    Ok(Read { drafts, errors })
}

/// The `open` column: empty means open, as a new request in the TUI is.
fn parse_open(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "" | "true" | "yes" | "y" | "1" | "open" => Ok(true),
        "false" | "no" | "n" | "0" | "closed" => Ok(false),
        other => Err(format!(
            "\"{other}\" is neither true nor false; write true (or leave it empty) for a \
             request that takes uploads at once, false for one created closed."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 1, 12, 0, 0).unwrap()
    }

    fn read(text: &str, format: Format) -> Result<Vec<Row>, Vec<RowError>> {
        parse(text, format, now(), Zone::utc(), None)
    }

    fn lines(errors: &[RowError]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    const TOML: &str = r#"# CS101, autumn 2026
[[request]]
title = "Lab 1: Recursion"
destination = "/Courses/CS101/Lab 1/"
deadline = "2026-10-02 23:59"
grace = "2 days"
description = "One PDF, named after you."

[[request]]
title = "Lab 2"
destination = "/Courses/CS101/Lab 2"
deadline = 2026-10-09T17:00:00
grace = "seven_days"

[[request]]
title = "Project"
destination = "/Courses/CS101/Project"
open = false
"#;

    #[test]
    fn a_toml_syllabus_becomes_requests_with_their_lines() {
        let rows = read(TOML, Format::Toml).expect("valid");
        assert_eq!(
            rows.iter().map(|row| row.line).collect::<Vec<_>>(),
            [2, 9, 15]
        );
        let lab1 = &rows[0].request;
        assert_eq!(lab1.title, "Lab 1: Recursion");
        assert_eq!(lab1.destination, "/Courses/CS101/Lab 1");
        assert_eq!(
            lab1.deadline,
            Some(Utc.with_ymd_and_hms(2026, 10, 2, 23, 59, 0).unwrap())
        );
        assert_eq!(lab1.grace, Some(GracePeriod::TwoDays));
        assert_eq!(
            lab1.description.as_deref(),
            Some("One PDF, named after you.")
        );
        assert!(lab1.open);
        let lab2 = &rows[1].request;
        assert_eq!(
            lab2.deadline,
            Some(Utc.with_ymd_and_hms(2026, 10, 9, 17, 0, 0).unwrap())
        );
        assert_eq!(lab2.grace, Some(GracePeriod::SevenDays));
        let project = &rows[2].request;
        assert_eq!(project.deadline, None);
        assert_eq!(project.grace, None);
        assert!(!project.open);
        let args = lab1.create_args();
        assert_eq!(args.title, "Lab 1: Recursion");
        let deadline = args.deadline.expect("deadline");
        assert_eq!(deadline.deadline, "2026-10-02T23:59:00Z");
        assert_eq!(deadline.allow_late_uploads, Some(GracePeriod::TwoDays));
    }

    #[test]
    fn the_same_syllabus_in_csv() {
        let csv = "Title;Destination;Deadline;Grace;Description;Open\r\n\
                   Lab 1: Recursion;/Courses/CS101/Lab 1;2026-10-02 23:59;2 days;\"One PDF; named after you.\";\r\n\
                   \r\n\
                   Project;/Courses/CS101/Project;;;;false\r\n";
        let rows = read(csv, Format::Csv).expect("valid");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(
            rows[0].request.description.as_deref(),
            Some("One PDF; named after you.")
        );
        assert_eq!(rows[0].request.grace, Some(GracePeriod::TwoDays));
        assert!(!rows[1].request.open);
        // Only the required columns, in another order.
        let rows = read("destination,title\n/Courses/X/A,A\n", Format::Csv).expect("valid");
        assert_eq!(rows[0].request.title, "A");
        assert!(rows[0].request.open);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "title,destination,deadline,grace,open\n\
                   Lab 1,/Courses/CS101/Lab 1,2026-10-02 23:59,2 days,\n\
                   ,Courses/Lab 2,someday,3 days,maybe\n\
                   Lab 3,/Courses/CS101/Lab 3,2026-08-01 10:00,,\n\
                   Lab 4,/Courses/CS101/Lab 4,,1 day,\n\
                   too,few\n";
        let errors = read(csv, Format::Csv).expect_err("bad rows");
        let shown = lines(&errors);
        assert!(
            shown.iter().any(|e| e.starts_with("line 3, open:")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 3, title: A title is required"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 3, destination: The folder must start with /"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 3, deadline:") && e.contains("someday"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 3, grace:") && e.contains("2 days"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 4, deadline:") && e.contains("in the past"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 5, grace: grace is for uploads after a deadline"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 6: the row has 2 fields"))
        );
        assert!(!shown.iter().any(|e| e.starts_with("line 2")), "{shown:#?}");
    }

    #[test]
    fn toml_problems_point_at_their_lines() {
        let text = "term = \"autumn\"\n\
                    [[request]]\n\
                    title = \"Lab 1\"\n\
                    destination = \"/Courses/CS101/Lab 1\"\n\
                    dealine = \"fri\"\n\
                    \n\
                    [[request]]\n\
                    title = 3\n\
                    destination = \"/Courses/CS101/Lab 2\"\n\
                    open = \"yes\"\n\
                    \n\
                    [[request]]\n\
                    title = \"Lab 3\"\n\
                    destination = \"/\"\n";
        let shown = lines(&read(text, Format::Toml).expect_err("bad"));
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 1: \"term\" is not part of a request")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 5: \"dealine\" is not a part"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 8, title: expected text in quotes, found integer"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 10, open: expected true or false"))
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("line 12, destination: Uploads cannot go to the top"))
        );
        let syntax = lines(&read("[[request]]\ntitle = \n", Format::Toml).expect_err("syntax"));
        assert_eq!(syntax.len(), 1);
        assert!(syntax[0].starts_with("line 2: "), "{syntax:?}");
    }

    #[test]
    fn the_example_syllabus_reads() {
        let text = include_str!("../examples/syllabus.toml");
        let rows = read(text, Format::detect(Some(Path::new("syllabus.toml")), text))
            .expect("the README's example is valid");
        assert_eq!(rows.len(), 4);
        assert!(!rows[3].request.open);
    }

    #[test]
    fn an_empty_syllabus_creates_nothing() {
        for (text, format) in [
            ("# nothing yet\n", Format::Toml),
            ("title,destination\n", Format::Csv),
            ("", Format::Csv),
        ] {
            let errors = read(text, format).expect_err("empty");
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].line, 1);
        }
    }

    #[test]
    fn the_format_follows_the_extension_or_the_first_line() {
        assert_eq!(
            Format::detect(Some(Path::new("term.TOML")), "title,destination"),
            Format::Toml
        );
        assert_eq!(
            Format::detect(Some(Path::new("term.csv")), "[[request]]"),
            Format::Csv
        );
        assert_eq!(
            Format::detect(None, "# CS101\n\n[[request]]\n"),
            Format::Toml
        );
        assert_eq!(Format::detect(None, "title,destination\n"), Format::Csv);
    }

    #[test]
    fn deadlines_take_the_forms_words_and_rfc_3339() {
        let zone = Zone::utc();
        let at = |text: &str| parse_deadline(&DeadlineText::Text(text.into()), now(), zone);
        assert_eq!(
            at("2026-12-04T22:59:00Z"),
            Ok(Some(Utc.with_ymd_and_hms(2026, 12, 4, 22, 59, 0).unwrap()))
        );
        assert_eq!(
            at("+7d"),
            Ok(Some(Utc.with_ymd_and_hms(2026, 9, 8, 12, 0, 0).unwrap()))
        );
        assert_eq!(at(""), Ok(None));
        assert!(at("someday").expect_err("bad").ends_with('.'));
        let date: toml::value::Datetime = "2026-12-04".parse().expect("toml date");
        assert_eq!(
            parse_deadline(&DeadlineText::Toml(date), now(), zone),
            Ok(Some(Utc.with_ymd_and_hms(2026, 12, 4, 23, 59, 0).unwrap()))
        );
    }

    fn held() -> FileRequest {
        FileRequest::new(
            "req1".into(),
            "https://www.dropbox.com/request/req1".into(),
            "Lab 1".into(),
            "2026-08-01T10:00:00Z".into(),
            true,
            0,
        )
        .with_destination("/Courses/CS101/Lab 1".into())
        .with_deadline(
            FileRequestDeadline::new("2026-10-02T23:59:00Z".into())
                .with_allow_late_uploads(GracePeriod::OneDay),
        )
    }

    #[test]
    fn an_update_sends_only_what_changes() {
        let zone = Zone::utc();
        let same = Changes {
            title: Some("Lab 1".into()),
            destination: Some("/Courses/CS101/Lab 1/".into()),
            ..Changes::default()
        };
        assert_eq!(same.update_args(&held(), now(), zone), Ok(None));

        let new_deadline = Changes {
            deadline: Some(Some(DeadlineText::Text("2026-10-09 23:59".into()))),
            ..Changes::default()
        };
        let args = new_deadline
            .update_args(&held(), now(), zone)
            .expect("valid")
            .expect("changes");
        let UpdateFileRequestDeadline::Update(Some(deadline)) = args.deadline else {
            panic!("no deadline sent");
        };
        assert_eq!(deadline.deadline, "2026-10-09T23:59:00Z");
        // The held grace stays.
        assert_eq!(deadline.allow_late_uploads, Some(GracePeriod::OneDay));

        let grace_only = Changes {
            grace: Some("always".into()),
            ..Changes::default()
        };
        let args = grace_only
            .update_args(&held(), now(), zone)
            .expect("valid")
            .expect("changes");
        let UpdateFileRequestDeadline::Update(Some(deadline)) = args.deadline else {
            panic!("no deadline sent");
        };
        assert_eq!(deadline.deadline, "2026-10-02T23:59:00Z");
        assert_eq!(deadline.allow_late_uploads, Some(GracePeriod::Always));

        let removed = Changes {
            deadline: Some(None),
            ..Changes::default()
        };
        let args = removed
            .update_args(&held(), now(), zone)
            .expect("valid")
            .expect("changes");
        assert_eq!(args.deadline, UpdateFileRequestDeadline::Update(None));

        let mut without = held();
        without.deadline = None;
        let errors = grace_only
            .update_args(&without, now(), zone)
            .expect_err("grace needs a deadline");
        assert_eq!(errors[0].field, Field::Grace);
        let errors = Changes {
            title: Some(" ".into()),
            destination: Some("Lab".into()),
            ..Changes::default()
        }
        .update_args(&held(), now(), zone)
        .expect_err("bad");
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            [Field::Title, Field::Destination]
        );
    }
}
