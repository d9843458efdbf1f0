//! The Submissions tab: the opened request's files (who, what, when, late or not), or the
//! class view with one row per student of the roster, and a detail pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::layout;
use super::theme::Theme;
use crate::size::human_bytes;
use crate::state::{Load, State, SubmissionsState, SubmissionsView};
use crate::submissions::{Lateness, Mark, Standing, Submission};
use crate::time;
use crate::untrusted::visible;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let subs = &state.submissions;
    let Some(request) = &subs.request else {
        let block = Block::new()
            .borders(Borders::TOP)
            .title(Span::styled(" Submissions ", theme.title()));
        frame.render_widget(
            Paragraph::new(Line::styled(
                "Pick a request in the Requests tab (1) and press Enter to see who handed in.",
                theme.dim(),
            ))
            .block(block),
            area,
        );
        return;
    };
    let (table_area, detail_area) = layout::requests(area);
    let title = match (&subs.class, subs.view) {
        (_, SubmissionsView::Course) => format!(
            " {} · every request of the course ({}) · v shows the files ",
            request
                .destination
                .as_deref()
                .and_then(|d| crate::file_request::course_of(d, &state.config().courses_root))
                .map(|c| c.rsplit('/').next().unwrap_or_default().to_string())
                .unwrap_or_default(),
            subs.grid_requests.len()
        ),
        (Some(class), SubmissionsView::Class) => format!(
            " {} · {} · v shows the files ",
            request.title,
            class.counts.sentence()
        ),
        _ => {
            let due = match subs.deadline() {
                Some(at) => {
                    let grace = request
                        .deadline
                        .as_ref()
                        .and_then(|d| d.allow_late_uploads.as_ref());
                    format!(
                        " · due {}, grace {}",
                        time::short(at, state.now, state.zone),
                        crate::file_request::grace::label(grace)
                    )
                }
                None => " · no deadline".to_string(),
            };
            let filtered = if subs.filter.value().is_empty() {
                String::new()
            } else {
                format!("{} of ", subs.visible.len())
            };
            let class_hint = if subs.class.is_some() {
                " · v shows the class"
            } else {
                ""
            };
            let marked = match subs.marked.len() {
                0 => String::new(),
                n => format!(" ({n} marked)"),
            };
            format!(
                " {}{due} · {filtered}{} files{marked} by {}{class_hint} ",
                request.title,
                subs.submissions.len(),
                subs.sort.label()
            )
        }
    };
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        super::truncate(&title, usize::from(area.width).saturating_sub(2)),
        theme.title(),
    ));
    let inner = block.inner(table_area);
    frame.render_widget(block, table_area);

    let message = if subs.folder_missing {
        Some((
            "The destination folder of this request was removed: no uploads can arrive. Edit the request (e in Requests) to give it a folder."
                .to_string(),
            theme.error(),
        ))
    } else {
        match (&subs.load, subs.submissions.is_empty()) {
            (Load::Loading, _) => Some((
                format!("{} Listing the files…", super::spinner(state.spinner_frame)),
                Style::new(),
            )),
            (Load::Failed(sentence), _) => Some((
                format!("Could not list the files. {}", visible(sentence)),
                theme.error(),
            )),
            (_, true) if subs.view == SubmissionsView::Files => Some((
                "Nothing uploaded yet. New files appear here as they arrive.".to_string(),
                theme.dim(),
            )),
            _ => None,
        }
    };
    if let Some((text, style)) = message {
        frame.render_widget(
            Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
            inner,
        );
    } else {
        match subs.view {
            SubmissionsView::Files => render_files(state, theme, frame, inner),
            SubmissionsView::Class => render_class(state, theme, frame, inner),
            SubmissionsView::Course => render_course(state, theme, frame, inner),
        }
    }
    render_detail(state, theme, frame, detail_area);
}

/// The visible rows that fit under the header of `area`: (is it selected, its index).
fn on_screen(subs: &SubmissionsState, area: Rect) -> impl Iterator<Item = (bool, usize)> + '_ {
    let rows = usize::from(area.height.saturating_sub(1));
    subs.visible
        .iter()
        .enumerate()
        .skip(subs.offset)
        .take(rows)
        .map(|(position, &index)| (position == subs.selected, index))
}

fn standing_span(lateness: &Lateness, theme: &Theme) -> Span<'static> {
    let text = crate::submissions::describe_lateness(lateness);
    let style = match lateness {
        Lateness::Late {
            within_grace: true, ..
        } => theme.in_grace(),
        Lateness::Late { .. } => theme.overdue(),
        _ => theme.open(),
    };
    Span::styled(text, style)
}

fn render_files(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let subs = &state.submissions;
    let header =
        Row::new(["", "Student", "File", "Size", "Received", "Status"]).style(theme.header());
    let rows = on_screen(subs, area).map(|(selected, index)| {
        let s: &Submission = &subs.submissions[index];
        let mark = if subs.marked.contains(&s.file_id) {
            Span::styled("●", theme.key())
        } else {
            Span::raw("")
        };
        let student = match &s.student {
            Some(name) if s.assigned => Span::raw(format!("{} ✎", visible(name))),
            Some(name) => Span::raw(visible(name)),
            None => Span::styled("unattributed", theme.dim()),
        };
        let row = Row::new(vec![
            Cell::from(mark),
            Cell::from(student),
            Cell::from(visible(&s.name)),
            Cell::from(Line::from(human_bytes(s.size)).right_aligned()),
            Cell::from(time::relative(s.received, state.now)),
            Cell::from(standing_span(&s.lateness, theme)),
        ]);
        let row = if subs.new_ids.contains(&s.file_id) {
            row.style(theme.fresh())
        } else {
            row
        };
        if selected {
            row.style(theme.selected())
        } else {
            row
        }
    });
    let widths = [
        Constraint::Length(1),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(crate::size::WIDTH as u16),
        Constraint::Length(12),
        Constraint::Length(if area.width >= 100 { 27 } else { 20 }),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

fn render_class(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let subs = &state.submissions;
    let (Some(class), Some(roster)) = (&subs.class, &subs.roster) else {
        return;
    };
    let header = Row::new(["Student", "Status", "Files", "Latest"]).style(theme.header());
    let rows = on_screen(subs, area).map(|(selected, index)| {
        let row = &class.rows[index];
        let student = &roster.students[row.student];
        let status = match &row.standing {
            Standing::Submitted => Span::styled("submitted", theme.open()),
            Standing::Late { by, within_grace } => Span::styled(
                format!(
                    "late {} ({})",
                    crate::submissions::describe_duration(*by),
                    if *within_grace {
                        "in grace"
                    } else {
                        "beyond grace"
                    }
                ),
                if *within_grace {
                    theme.in_grace()
                } else {
                    theme.overdue()
                },
            ),
            Standing::Missing => Span::styled("missing", theme.error()),
        };
        let latest = row
            .latest
            .map(|at| time::relative(at, state.now))
            .unwrap_or_default();
        let view = Row::new(vec![
            Cell::from(visible(&student.name)),
            Cell::from(status),
            Cell::from(Line::from(row.files.len().to_string()).right_aligned()),
            Cell::from(latest),
        ]);
        if selected {
            view.style(theme.selected())
        } else {
            view
        }
    });
    let widths = [
        Constraint::Fill(3),
        Constraint::Length(27),
        Constraint::Length(5),
        Constraint::Fill(1),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

/// The width of one assignment's column in the course grid.
const MARK_WIDTH: u16 = 6;

fn render_course(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let subs = &state.submissions;
    let (Some(grid), Some(roster)) = (&subs.grid, &subs.roster) else {
        let text = match &subs.grid_load {
            Load::Failed(sentence) => Span::styled(
                format!("Could not list the course. {}", visible(sentence)),
                theme.error(),
            ),
            _ => Span::raw(format!(
                "{} Listing every request of the course…",
                super::spinner(state.spinner_frame)
            )),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    // As many assignment columns as fit beside a readable name.
    let fit = usize::from(area.width.saturating_sub(18) / (MARK_WIDTH + 1)).max(1);
    let shown = grid.assignments.len().min(fit);
    let mut header = vec![Cell::from("Student")];
    header.extend((1..=shown).map(|n| Cell::from(Line::from(format!("#{n}")).centered())));
    let rows = on_screen(subs, area).map(|(selected, index)| {
        let (student, marks) = &grid.rows[index];
        let mut cells = vec![Cell::from(visible(&roster.students[*student].name))];
        cells.extend(marks.iter().take(shown).map(|mark| {
            let (text, style) = match mark {
                Mark::Submitted => ("✓", theme.open()),
                Mark::Late => ("late", theme.in_grace()),
                Mark::LateBeyondGrace => ("LATE", theme.overdue()),
                Mark::Missing => ("—", theme.error()),
                Mark::NotDue => ("·", theme.dim()),
            };
            Cell::from(Line::from(Span::styled(text, style)).centered())
        }));
        let row = Row::new(cells);
        if selected {
            row.style(theme.selected())
        } else {
            row
        }
    });
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(std::iter::repeat_n(Constraint::Length(MARK_WIDTH), shown));
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.header()))
            .column_spacing(1),
        area,
    );
}

fn render_detail(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let subs = &state.submissions;
    let label = |text: &'static str| Span::styled(text, theme.label());
    let mut lines: Vec<Line> = Vec::new();
    let title;
    match subs.view {
        SubmissionsView::Course => {
            title = "Assignments".to_string();
            let mut legend = Vec::new();
            for (n, request) in subs.grid_requests.iter().enumerate() {
                legend.push(format!("#{} {}", n + 1, visible(&request.title)));
            }
            lines.push(Line::raw(legend.join("  ")));
            lines.push(Line::styled(
                "✓ on time · late in grace · LATE beyond grace · — missing · · not due yet",
                theme.dim(),
            ));
        }
        SubmissionsView::Files => {
            let Some(s) = subs.selected_submission() else {
                frame.render_widget(Block::new().borders(Borders::TOP), area);
                return;
            };
            title = s.name.clone();
            lines.push(Line::from(vec![
                label("Path      "),
                Span::raw(visible(&s.path_display)),
            ]));
            lines.push(Line::from(vec![
                label("Received  "),
                Span::raw(format!(
                    "{} ({})",
                    time::full(s.received, state.zone),
                    time::relative(s.received, state.now)
                )),
            ]));
            if let Some(modified) = s.client_modified {
                lines.push(Line::from(vec![
                    label("Modified  "),
                    Span::raw(format!(
                        "{} on the student's computer",
                        time::full(modified, state.zone)
                    )),
                ]));
            }
            lines.push(Line::from(vec![
                label("Size      "),
                Span::raw(format!("{} ({} bytes)", human_bytes(s.size), s.size)),
                Span::styled(
                    s.content_hash
                        .as_deref()
                        .map(|h| format!("  hash {h}"))
                        .unwrap_or_default(),
                    theme.dim(),
                ),
            ]));
            let who = match (&s.student, s.assigned) {
                (Some(name), true) => {
                    format!("{} (assigned by hand; a changes it)", visible(name))
                }
                (Some(name), false) => {
                    format!("{} (from the file name; a changes it)", visible(name))
                }
                (None, _) => "nobody: the name is not in the file name; a assigns it".to_string(),
            };
            lines.push(Line::from(vec![label("Student   "), Span::raw(who)]));
        }
        SubmissionsView::Class => {
            let (Some(class), Some(roster)) = (&subs.class, &subs.roster) else {
                return;
            };
            let Some(&index) = subs.visible.get(subs.selected) else {
                frame.render_widget(Block::new().borders(Borders::TOP), area);
                return;
            };
            let row = &class.rows[index];
            let student = &roster.students[row.student];
            title = student.name.clone();
            lines.push(Line::from(vec![
                label("Email     "),
                Span::raw(visible(&student.email)),
            ]));
            if row.files.is_empty() {
                lines.push(Line::styled("No file from this student yet.", theme.dim()));
            }
            for &file in &row.files {
                let s = &subs.submissions[file];
                lines.push(Line::from(vec![
                    Span::raw(format!(
                        "{}  {}  ",
                        time::short(s.received, state.now, state.zone),
                        visible(&s.name)
                    )),
                    standing_span(&s.lateness, theme),
                ]));
            }
            let loose = class.unattributed.len() + class.unknown.len() + class.ambiguous.len();
            if loose > 0 {
                lines.push(Line::styled(
                    format!(
                        "{loose} files match no one on the roster: v lists them, a assigns them."
                    ),
                    theme.dim(),
                ));
            }
        }
    }
    if let Some(problem) = &subs.roster_problem {
        lines.insert(
            0,
            Line::styled(format!("Roster: {}", visible(problem)), theme.error()),
        );
    }
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        format!(
            " {} ",
            super::truncate(&title, usize::from(area.width).saturating_sub(4))
        ),
        theme.title(),
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
