//! What the scripting commands print on stdout: tables for people, one JSON document
//! (`--json`) or RFC 4180 CSV with a header (`--csv`). The field names and columns are
//! a promise to scripts, documented in the README's Scripting section: add, never
//! rename.

use std::io::{self, IsTerminal as _, Write as _};

use super::{FormatArgs, JsonArgs};
use crate::dropbox::FileRequest;
use crate::file_request::grace;
use crate::state::requests::{RequestRow, Standing};
use crate::time::{self, Zone};
use crate::untrusted::{escape_in_json, visible};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use unicode_width::UnicodeWidthStr as _;

/// How the result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Human,
    Json,
    Csv,
}

impl From<FormatArgs> for Format {
    fn from(args: FormatArgs) -> Format {
        if args.json {
            Format::Json
        } else if args.csv {
            Format::Csv
        } else {
            Format::Human
        }
    }
}

impl From<JsonArgs> for Format {
    fn from(args: JsonArgs) -> Format {
        if args.json {
            Format::Json
        } else {
            Format::Human
        }
    }
}

/// Writes to stdout. A reader that went away (`| head`) wanted no more: not an error.
pub(super) fn emit(text: &str) {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = written
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("handin: could not write the result to stdout: {error}.");
    }
}

/// One JSON document, pretty-printed, with a final newline; the C1 and bidi controls
/// serde_json leaves raw are escaped too, so `cat`ting the output is safe.
pub(super) fn emit_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => emit(&(escape_in_json(&text) + "\n")),
        // Only maps with non-string keys fail, and there are none here.
        Err(error) => eprintln!("handin: could not write the result as JSON: {error}."),
    }
}

/// CSV text on stdout. A file or a pipe gets it byte for byte; a terminal gets each cell
/// made safe to show, since names in it come from students.
pub(super) fn emit_csv(text: &str) {
    if io::stdout().is_terminal() {
        emit(&crate::submissions::csv::for_terminal(text));
    } else {
        emit(text);
    }
}

/// CSV text: the header, then the rows; RFC 4180 (CRLF line ends, quotes as needed).
pub(super) fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    crate::submissions::csv::write_record(&mut out, header.iter().copied(), ',', "\r\n");
    for row in rows {
        crate::submissions::csv::write_record(
            &mut out,
            row.iter().map(String::as_str),
            ',',
            "\r\n",
        );
    }
    out
}

/// A table for people: columns padded to their widest cell (as terminals measure it),
/// two spaces apart; `right` columns (numbers) are right-aligned. Cells are shown through
/// [`visible`]: most hold names from outside.
pub(super) struct Table {
    header: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
    show_header: bool,
}

impl Table {
    pub(super) fn new(columns: &[(&'static str, bool)]) -> Table {
        Table {
            header: columns.iter().map(|(title, _)| *title).collect(),
            right: columns.iter().map(|(_, right)| *right).collect(),
            rows: Vec::new(),
            show_header: true,
        }
    }

    /// Lines that read as sentences ("closed  ID  Lab 1") need no column titles.
    pub(super) fn without_header(mut self) -> Table {
        self.show_header = false;
        self
    }

    pub(super) fn push(&mut self, row: Vec<String>) {
        self.rows.push(
            row.into_iter()
                .map(|cell| visible(&cell).into_owned())
                .collect(),
        );
    }

    pub(super) fn render(&self) -> String {
        let mut widths: Vec<usize> = self
            .header
            .iter()
            .map(|title| if self.show_header { title.width() } else { 0 })
            .collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.width());
            }
        }
        let mut out = String::new();
        let header: Vec<String> = self.header.iter().map(|title| title.to_string()).collect();
        let header = self.show_header.then_some(&header);
        for row in header.into_iter().chain(&self.rows) {
            let last = row.len().saturating_sub(1);
            let mut line = String::new();
            for (column, cell) in row.iter().enumerate() {
                let pad = widths[column].saturating_sub(cell.width());
                if self.right[column] {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if column != last {
                        line.push_str(&" ".repeat(pad));
                    }
                }
                if column != last {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// RFC 3339 in UTC, whole seconds: `2026-12-04T22:59:00Z`.
pub(super) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A Dropbox timestamp as RFC 3339 UTC (it already is, normally; an odd one is kept).
fn dropbox_time(text: &str) -> String {
    time::parse_dropbox(text).map_or_else(|| text.to_string(), rfc3339)
}

/// A file request as scripts get it.
#[derive(Debug, Serialize)]
pub(super) struct RequestJson {
    pub id: String,
    pub title: String,
    pub url: String,
    /// `None` when Dropbox says the folder is gone.
    pub destination: Option<String>,
    pub open: bool,
    /// `open` (taking uploads, deadline ahead or none), `in_grace`, `past_due`, `closed`.
    pub status: &'static str,
    pub created: String,
    pub deadline: Option<String>,
    pub grace: Option<&'static str>,
    pub description: Option<String>,
    pub file_count: i64,
}

impl RequestJson {
    pub(super) fn new(request: &FileRequest, now: DateTime<Utc>) -> RequestJson {
        let row = RequestRow::new(request.clone());
        let status = match row.standing(now) {
            Standing::Closed => "closed",
            Standing::Upcoming => "open",
            Standing::InGrace => "in_grace",
            Standing::PastDue => "past_due",
        };
        RequestJson {
            id: request.id.clone(),
            title: request.title.clone(),
            url: request.url.clone(),
            destination: request.destination.clone(),
            open: request.is_open,
            status,
            created: dropbox_time(&request.created),
            deadline: request
                .deadline
                .as_ref()
                .map(|deadline| dropbox_time(&deadline.deadline)),
            grace: row.grace().map(|g| grace::tag(Some(g))),
            description: request.description.clone(),
            file_count: request.file_count,
        }
    }
}

/// The CSV columns of requests, in the order of [`RequestJson`]'s fields.
const REQUEST_COLUMNS: [&str; 11] = [
    "id",
    "title",
    "url",
    "destination",
    "open",
    "status",
    "created",
    "deadline",
    "grace",
    "description",
    "file_count",
];

fn request_record(request: RequestJson) -> Vec<String> {
    vec![
        request.id,
        request.title,
        request.url,
        request.destination.unwrap_or_default(),
        request.open.to_string(),
        request.status.to_string(),
        request.created,
        request.deadline.unwrap_or_default(),
        request.grace.unwrap_or_default().to_string(),
        request.description.unwrap_or_default(),
        request.file_count.to_string(),
    ]
}

/// Requests as a table, a JSON array or CSV.
pub(super) fn print_requests(requests: &[FileRequest], format: Format, now: DateTime<Utc>) {
    match format {
        Format::Json => emit_json(
            &requests
                .iter()
                .map(|request| RequestJson::new(request, now))
                .collect::<Vec<_>>(),
        ),
        Format::Csv => emit_csv(&csv(
            &REQUEST_COLUMNS,
            requests
                .iter()
                .map(|request| request_record(RequestJson::new(request, now))),
        )),
        Format::Human if requests.is_empty() => {}
        Format::Human => emit(&requests_table(requests, now)),
    }
}

fn requests_table(requests: &[FileRequest], now: DateTime<Utc>) -> String {
    let mut table = Table::new(&[
        ("ID", false),
        ("TITLE", false),
        ("STATE", false),
        ("DEADLINE", false),
        ("GRACE", false),
        ("FILES", true),
        ("FOLDER", false),
    ]);
    for request in requests {
        let row = RequestRow::new(request.clone());
        let state = match row.standing(now) {
            Standing::Closed => "closed",
            Standing::Upcoming => "open",
            Standing::InGrace => "in grace",
            Standing::PastDue => "past due",
        };
        table.push(vec![
            request.id.clone(),
            request.title.clone(),
            state.to_string(),
            row.deadline
                .map_or_else(|| "—".to_string(), |at| time::short(at, now, Zone::Local)),
            if row.deadline.is_some() {
                grace::label(row.grace()).to_string()
            } else {
                String::new()
            },
            request.file_count.to_string(),
            request
                .destination
                .clone()
                .unwrap_or_else(|| "(folder removed)".to_string()),
        ]);
    }
    table.render()
}

/// One request: its detail for people, or a JSON object.
pub(super) fn print_request(request: &FileRequest, format: Format, now: DateTime<Utc>) {
    match format {
        Format::Json => emit_json(&RequestJson::new(request, now)),
        Format::Csv => emit_csv(&csv(
            &REQUEST_COLUMNS,
            [request_record(RequestJson::new(request, now))],
        )),
        Format::Human => emit(&request_detail(request, now)),
    }
}

fn request_detail(request: &FileRequest, now: DateTime<Utc>) -> String {
    let row = RequestRow::new(request.clone());
    let zone = Zone::Local;
    let mut lines: Vec<(&str, String)> = vec![
        ("Title", visible(&request.title).into_owned()),
        ("ID", visible(&request.id).into_owned()),
        ("Link", visible(&request.url).into_owned()),
        (
            "Folder",
            request.destination.as_deref().map_or_else(
                || "(removed: uploads have nowhere to go)".to_string(),
                |folder| visible(folder).into_owned(),
            ),
        ),
        (
            "State",
            match row.standing(now) {
                Standing::Closed => "closed: takes no uploads",
                Standing::Upcoming => "open",
                Standing::InGrace => "open, past the deadline and in the grace period",
                Standing::PastDue => "open, past the deadline and the grace period",
            }
            .to_string(),
        ),
    ];
    match row.deadline {
        Some(at) => {
            lines.push((
                "Deadline",
                format!("{} ({})", time::full(at, zone), time::relative(at, now)),
            ));
            lines.push(("Grace", grace::label(row.grace()).to_string()));
        }
        None => lines.push(("Deadline", "none".to_string())),
    }
    lines.push(("Files", request.file_count.to_string()));
    if let Some(created) = row.created {
        lines.push(("Created", time::full(created, zone)));
    }
    if let Some(description) = request.description.as_deref().filter(|d| !d.is_empty()) {
        // A description may span lines; each is shown safely, indented under the first.
        let shown: Vec<String> = description
            .lines()
            .map(|line| visible(line).into_owned())
            .collect();
        lines.push(("Description", shown.join("\n             ")));
    }
    lines
        .into_iter()
        .map(|(label, value)| format!("{:<13}{value}\n", format!("{label}:")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_by_display_width_and_align_numbers() {
        let mut table = Table::new(&[("NAME", false), ("FILES", true), ("NOTE", false)]);
        table.push(vec!["Zoë".into(), "3".into(), "".into()]);
        table.push(vec!["李小龍".into(), "12".into(), "late".into()]);
        assert_eq!(
            table.render(),
            "NAME    FILES  NOTE\nZoë         3\n李小龍     12  late\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(
            csv(&["a", "b"], [vec!["x, y".to_string(), "z".to_string()]]),
            "a,b\r\n\"x, y\",z\r\n"
        );
    }
}
