//! The Requests tab: the table of file requests and the detail pane of the selected one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::layout;
use super::theme::Theme;
use crate::file_request::grace;
use crate::state::requests::{RequestRow, Standing};
use crate::state::{Load, State};
use crate::time;
use crate::untrusted::visible;

/// Below this width the absolute deadline column gives its room to the title: the
/// relative "Due" column stays, and the detail pane has the date in full.
const WIDE: u16 = 100;

/// The table's columns, in order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Title,
    State,
    Deadline,
    Due,
    Grace,
    Files,
    Folder,
}

impl Column {
    fn header(self) -> &'static str {
        match self {
            Column::Title => "Title",
            Column::State => "State",
            Column::Deadline => "Deadline",
            Column::Due => "Due",
            Column::Grace => "Grace",
            Column::Files => "Files",
            Column::Folder => "Folder",
        }
    }

    fn width(self) -> Constraint {
        match self {
            Column::Title => Constraint::Fill(3),
            Column::State => Constraint::Length(6),
            Column::Deadline => Constraint::Length(16),
            Column::Due => Constraint::Length(12),
            Column::Grace => Constraint::Length(7),
            Column::Files => Constraint::Length(5),
            Column::Folder => Constraint::Fill(2),
        }
    }
}

fn columns(width: u16) -> &'static [Column] {
    use Column::*;
    if width >= WIDE {
        &[Title, State, Deadline, Due, Grace, Files, Folder]
    } else {
        &[Title, State, Due, Grace, Files, Folder]
    }
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (table_area, detail_area) = layout::requests(area);
    render_table(state, theme, frame, table_area);
    render_detail(state, theme, frame, detail_area);
}

fn table_title(state: &State) -> String {
    let requests = &state.requests;
    let order = if requests.descending { "↓" } else { "↑" };
    let count = if requests.filter_text().is_empty() {
        format!("{}", requests.rows.len())
    } else {
        format!("{} of {}", requests.visible.len(), requests.rows.len())
    };
    let open = requests.rows.iter().filter(|r| r.request.is_open).count();
    // Dropbox's own count when it has answered: the account limit is on that number.
    let total = requests.count.unwrap_or(requests.rows.len() as u64);
    format!(
        " File requests ({count}) · {open} open · {total} of {LIMIT} allowed · by {} {order} ",
        requests.sort.label()
    )
}

/// Dropbox's limit on file requests per account, open and closed together.
const LIMIT: &str = "4,000";

fn render_table(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let requests = &state.requests;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(table_title(state), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let message = match (&requests.load, requests.rows.is_empty()) {
        (Load::Loading | Load::Idle, true) => Some((
            format!(
                "{} Loading file requests from {}…",
                super::spinner(state.spinner_frame),
                state.environment.source
            ),
            Style::new(),
        )),
        (Load::Failed(sentence), true) => Some((
            match reload_key(state) {
                Some(key) => format!(
                    "Could not load file requests. {}\nPress {key} to try again.",
                    visible(sentence)
                ),
                None => format!("Could not load file requests. {}", visible(sentence)),
            },
            theme.error(),
        )),
        (Load::Loaded, true) => Some((
            match reload_key(state) {
                Some(key) => format!(
                    "No file requests yet. Create one at dropbox.com/requests, then press {key}."
                ),
                None => "No file requests yet. Create one at dropbox.com/requests.".to_string(),
            },
            theme.dim(),
        )),
        (_, false) if requests.visible.is_empty() => Some((
            format!(
                "No request matches \"{}\". Esc clears the filter.",
                visible(requests.filter_text())
            ),
            theme.dim(),
        )),
        _ => None,
    };
    if let Some((text, style)) = message {
        frame.render_widget(
            Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }

    let columns = columns(inner.width);
    let widths: Vec<Constraint> = columns.iter().map(|c| c.width()).collect();
    // The same split the table will make, so long texts can be cut with an ellipsis.
    let cells = Layout::horizontal(widths.clone()).spacing(1).split(inner);
    let width_of = |column: Column| {
        columns
            .iter()
            .position(|c| *c == column)
            .map(|i| usize::from(cells[i].width))
            .unwrap_or(0)
    };
    let fit = Fit {
        title: width_of(Column::Title),
        folder: width_of(Column::Folder),
    };
    let header = Row::new(columns.iter().map(|c| c.header())).style(theme.header());
    let rows_on_screen = usize::from(inner.height.saturating_sub(1));
    let window = requests
        .visible
        .iter()
        .enumerate()
        .skip(requests.offset)
        .take(rows_on_screen)
        .map(|(position, &index)| {
            let row = &requests.rows[index];
            let selected = position == requests.selected;
            table_row(row, columns, fit, state, theme, selected)
        });
    let table = Table::new(window, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}

/// Widths to cut the free-text columns to.
#[derive(Clone, Copy)]
struct Fit {
    title: usize,
    folder: usize,
}

fn table_row(
    row: &RequestRow,
    columns: &[Column],
    fit: Fit,
    state: &State,
    theme: &Theme,
    selected: bool,
) -> Row<'static> {
    let request = &row.request;
    let cell = |column: Column| -> Cell<'static> {
        match column {
            Column::Title => Cell::from(super::truncate(&request.title, fit.title)),
            Column::State => {
                if request.is_open {
                    Cell::from(Span::styled("open", theme.open()))
                } else {
                    Cell::from(Span::styled("closed", theme.closed()))
                }
            }
            Column::Deadline => match row.deadline {
                Some(at) => Cell::from(time::short(at, state.now, state.zone)),
                None => Cell::from(Span::styled("—", theme.dim())),
            },
            Column::Due => match row.deadline {
                Some(at) => {
                    let style = match row.standing(state.now) {
                        Standing::InGrace => theme.in_grace(),
                        Standing::PastDue => theme.overdue(),
                        Standing::Upcoming | Standing::Closed => Style::new(),
                    };
                    Cell::from(Span::styled(time::relative(at, state.now), style))
                }
                None => Cell::from(Span::styled("no deadline", theme.dim())),
            },
            Column::Grace => Cell::from(if row.deadline.is_some() {
                grace::label(row.grace())
            } else {
                ""
            }),
            Column::Files => Cell::from(Line::from(request.file_count.to_string()).right_aligned()),
            Column::Folder => match &request.destination {
                Some(path) => Cell::from(super::truncate(
                    relative_to_root(path, &state.config().courses_root),
                    fit.folder,
                )),
                None => Cell::from(Span::styled("folder removed", theme.error())),
            },
        }
    };
    let row_view = Row::new(columns.iter().map(|c| cell(*c)));
    if selected {
        row_view.style(theme.selected())
    } else {
        row_view
    }
}

/// The folder as the table shows it: below the courses root when it is there, since
/// every course lives under it and the prefix would crowd out what differs.
fn relative_to_root<'a>(path: &'a str, root: &str) -> &'a str {
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return path;
    }
    match path.get(..root.len()) {
        Some(head) if head.eq_ignore_ascii_case(root) && path[root.len()..].starts_with('/') => {
            &path[root.len() + 1..]
        }
        _ => path,
    }
}

fn render_detail(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(row) = state.requests.selected_row() else {
        frame.render_widget(Block::new().borders(Borders::TOP), area);
        return;
    };
    let request = &row.request;
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        format!(
            " {} ",
            super::truncate(&request.title, usize::from(area.width).saturating_sub(4))
        ),
        theme.title(),
    ));
    let label = |text: &'static str| Span::styled(text, theme.label());
    let deadline = match row.deadline {
        Some(at) => {
            let late = match row.grace() {
                None => "no late uploads".to_string(),
                Some(crate::dropbox::GracePeriod::Always) => "late uploads always".to_string(),
                Some(grace) => format!("grace {}", grace::label(Some(grace))),
            };
            format!(
                "{} ({}) · {late}",
                time::full(at, state.zone),
                time::relative(at, state.now)
            )
        }
        None => "none".to_string(),
    };
    let created = row
        .created
        .map(|at| {
            format!(
                "{} ({})",
                time::short(at, state.now, state.zone),
                time::relative(at, state.now)
            )
        })
        .unwrap_or_else(|| request.created.clone());
    let folder = match &request.destination {
        Some(path) => Span::raw(visible(path)),
        None => Span::styled(
            "the destination folder was removed; uploads have nowhere to go",
            theme.error(),
        ),
    };
    let state_text = if request.is_open { "open" } else { "closed" };
    let files = match request.file_count {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let mut lines = vec![
        Line::from(vec![label("Link      "), Span::raw(visible(&request.url))]),
        Line::from(vec![label("Deadline  "), Span::raw(deadline)]),
        Line::from(vec![label("Folder    "), folder]),
        Line::from(vec![
            label("Status    "),
            Span::raw(format!("{state_text} · {files} · created {created}")),
        ]),
        Line::from(vec![
            label("About     "),
            match request.description.as_deref() {
                Some(text) if !text.trim().is_empty() => Span::raw(visible(text)),
                _ => Span::styled("no description", theme.dim()),
            },
        ]),
    ];
    // What went out by email, so that a second reminder is a choice, not an accident.
    if let Some(summary) = state.mail_log.summary(&request.id, state.zone) {
        lines.push(Line::from(vec![label("Mail      "), Span::raw(summary)]));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The key that reloads the list, as the keymap has it now.
fn reload_key(state: &State) -> Option<String> {
    state
        .keymap
        .key_for(crate::state::Tab::Requests, crate::keymap::Command::Refresh)
}
