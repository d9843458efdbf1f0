//! The Requests tab: the table of file requests and the detail pane of the selected one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::layout;
use super::theme::Theme;
use crate::state::requests::{RequestRow, grace_label};
use crate::state::{Load, State};
use crate::time;

const WIDTHS: [Constraint; 7] = [
    Constraint::Fill(3),
    Constraint::Length(6),
    Constraint::Length(16),
    Constraint::Length(12),
    Constraint::Length(7),
    Constraint::Length(5),
    Constraint::Fill(2),
];

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
    format!(
        " File requests ({count}) · by {} {order} ",
        requests.sort.label()
    )
}

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
            format!("Could not load file requests. {sentence}\nPress r to try again."),
            theme.error(),
        )),
        (Load::Loaded, true) => Some((
            "No file requests yet. Create one at dropbox.com/requests, then press r.".to_string(),
            theme.dim(),
        )),
        (_, false) if requests.visible.is_empty() => Some((
            format!(
                "No request matches \"{}\". Esc clears the filter.",
                requests.filter_text()
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

    let header = Row::new([
        "Title", "State", "Deadline", "Due", "Grace", "Files", "Folder",
    ])
    .style(theme.header());
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
            table_row(row, state, theme, selected)
        });
    let table = Table::new(window, WIDTHS).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}

fn table_row<'a>(row: &'a RequestRow, state: &State, theme: &Theme, selected: bool) -> Row<'a> {
    let request = &row.request;
    let (state_label, state_style) = if request.is_open {
        ("open", theme.open())
    } else {
        ("closed", theme.closed())
    };
    let (deadline, due, due_style) = match row.deadline {
        Some(at) => {
            let style = if at < state.now && request.is_open {
                theme.overdue()
            } else {
                Style::new()
            };
            (
                time::short(at, state.now, state.zone),
                time::relative(at, state.now),
                style,
            )
        }
        None => ("—".to_string(), String::new(), theme.dim()),
    };
    let destination = match &request.destination {
        Some(path) => Cell::from(relative_to_root(path, &state.environment.courses_root)),
        None => Cell::from(Span::styled("folder removed", theme.error())),
    };
    let grace = if row.deadline.is_some() {
        grace_label(row.grace())
    } else {
        ""
    };
    let cells = vec![
        Cell::from(request.title.as_str()),
        Cell::from(Span::styled(state_label, state_style)),
        Cell::from(deadline),
        Cell::from(Span::styled(due, due_style)),
        Cell::from(grace),
        Cell::from(Line::from(request.file_count.to_string()).right_aligned()),
        destination,
    ];
    let row_view = Row::new(cells);
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
                Some(crate::dropbox::GracePeriod::Always) => {
                    "late uploads always accepted".to_string()
                }
                Some(grace) => format!("late uploads for {}", grace_label(Some(grace))),
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
        Some(path) => Span::raw(path.as_str()),
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
    let lines = vec![
        Line::from(vec![label("Link      "), Span::raw(request.url.as_str())]),
        Line::from(vec![label("Deadline  "), Span::raw(deadline)]),
        Line::from(vec![label("Folder    "), folder]),
        Line::from(vec![
            label("Status    "),
            Span::raw(format!("{state_text} · {files} · created {created}")),
        ]),
        Line::from(vec![
            label("About     "),
            match request.description.as_deref() {
                Some(text) if !text.trim().is_empty() => Span::raw(text),
                _ => Span::styled("no description", theme.dim()),
            },
        ]),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
