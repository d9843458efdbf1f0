//! The create/edit form overlay: one line per field, a note line under it (the parsed
//! deadline, a folder suggestion, or what is wrong), and the keys at the bottom.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_input::Input;

use super::layout;
use super::theme::Theme;
use crate::deadline;
use crate::state::State;
use crate::state::form::{DeadlineReading, Field, RequestForm, grace_choice_label};

const LABEL_WIDTH: u16 = 13;

pub fn render(form: &RequestForm, state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.min(78);
    // Two lines a field, two for an error sentence, two for the border.
    let height = area.height.min(Field::ALL.len() as u16 * 2 + 4);
    let popup = layout::centered(area, width, height);
    let title = if form.is_edit() {
        " Edit file request "
    } else {
        " New file request "
    };
    let action = if form.is_edit() { "save" } else { "create" };
    let hints = if form.confirm_discard {
        Line::from(vec![
            Span::styled(" Discard what you typed? ", theme.error()),
            Span::styled("y", theme.key()),
            Span::raw(" discards, any other key keeps editing "),
        ])
    } else if form.submitting {
        Line::from(Span::styled(
            format!(
                " {} sending to Dropbox… ",
                super::spinner(state.spinner_frame)
            ),
            theme.dim(),
        ))
    } else {
        Line::from(vec![
            Span::styled(" Tab", theme.key()),
            Span::raw(" next  "),
            Span::styled("Shift-Tab", theme.key()),
            Span::raw(" back  "),
            Span::styled("Ctrl-S", theme.key()),
            Span::raw(format!(" {action}  ")),
            Span::styled("Esc", theme.key()),
            Span::raw(" cancel "),
        ])
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()))
        .title_bottom(hints);
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);

    let value_width = inner.width.saturating_sub(LABEL_WIDTH + 1);
    let mut y = inner.y;
    let bottom = inner.y + inner.height;
    for field in Field::ALL {
        if y + 1 >= bottom {
            break;
        }
        let focused = form.focus == field && !form.confirm_discard;
        let label_style = if focused { theme.key() } else { theme.label() };
        let marker = if focused { "▸ " } else { "  " };
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("{marker}{}", field.label()),
                label_style,
            )),
            Rect::new(inner.x, y, LABEL_WIDTH, 1),
        );
        let value_area = Rect::new(inner.x + LABEL_WIDTH + 1, y, value_width, 1);
        match field {
            Field::Title | Field::Destination | Field::Deadline | Field::Description => {
                let input = input_of(form, field);
                render_input(input, focused, theme, frame, value_area);
            }
            Field::Grace => {
                let enabled = !matches!(
                    form.deadline_reading(state.now, state.zone),
                    DeadlineReading::None
                );
                let text = if enabled {
                    format!("◂ {} ▸", grace_choice_label(form.grace_choice()))
                } else {
                    "needs a deadline".to_string()
                };
                let style = if !enabled {
                    theme.dim()
                } else if focused {
                    theme.selected()
                } else {
                    Style::new()
                };
                frame.render_widget(Paragraph::new(Span::styled(text, style)), value_area);
            }
            Field::Open => {
                let text = if form.open {
                    "[x] yes, students can upload at once"
                } else {
                    "[ ] no, create it closed"
                };
                let style = if focused {
                    theme.selected()
                } else {
                    Style::new()
                };
                frame.render_widget(Paragraph::new(Span::styled(text, style)), value_area);
            }
        }
        y += 1;
        if let Some((note, style)) = note(form, field, state, theme)
            && y < bottom
        {
            let note_area = Rect::new(inner.x + LABEL_WIDTH + 1, y, value_width, 1);
            frame.render_widget(
                Paragraph::new(Span::styled(
                    super::truncate(&note, value_width.into()),
                    style,
                )),
                note_area,
            );
        }
        y += 1;
    }

    if let Some(error) = &form.error {
        let area = Rect::new(
            inner.x,
            y.min(bottom),
            inner.width,
            bottom.saturating_sub(y),
        );
        frame.render_widget(
            Paragraph::new(Span::styled(error.as_str(), theme.error())).wrap(Wrap { trim: true }),
            area,
        );
    }
}

fn input_of(form: &RequestForm, field: Field) -> &Input {
    match field {
        Field::Title => &form.title,
        Field::Destination => &form.destination,
        Field::Deadline => &form.deadline,
        _ => &form.description,
    }
}

/// A text field scrolled so the cursor stays visible, with the terminal cursor on it.
fn render_input(input: &Input, focused: bool, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width.max(1));
    // Only the field being typed in scrolls to its cursor; the others show their start.
    let scroll = if focused {
        input.visual_scroll(width.saturating_sub(1))
    } else {
        0
    };
    let shown: String = input.value().chars().skip(scroll).take(width).collect();
    let style = if focused {
        theme.input_focused()
    } else {
        theme.input()
    };
    let padded = format!("{shown:<width$}");
    frame.render_widget(Paragraph::new(Span::styled(padded, style)), area);
    if focused {
        let cursor = input.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position(Position::new(
            area.x + cursor.min(area.width.saturating_sub(1)),
            area.y,
        ));
    }
}

/// The line under a field: what it means, what to pick, or what is wrong.
fn note(form: &RequestForm, field: Field, state: &State, theme: &Theme) -> Option<(String, Style)> {
    let error = form.field_error(field, state.now, state.zone);
    let typed = match field {
        Field::Title => !form.title.value().is_empty(),
        Field::Destination | Field::Deadline | Field::Description => true,
        _ => false,
    };
    if let Some(error) = error
        && typed
    {
        return Some((error, theme.error()));
    }
    match field {
        Field::Destination => {
            let choice = form.suggestions.get(form.suggestion)?;
            let more = form.suggestions.len() - 1;
            let extra = if more > 0 {
                format!("  (Tab takes it, ↑↓ {more} more)")
            } else {
                "  (Tab takes it)".to_string()
            };
            Some((format!("↳ {choice}{extra}"), theme.dim()))
        }
        Field::Deadline => match form.deadline_reading(state.now, state.zone) {
            DeadlineReading::At(at) => {
                let style = if at <= state.now {
                    theme.in_grace()
                } else {
                    theme.dim()
                };
                Some((deadline::describe(at, state.now, state.zone), style))
            }
            DeadlineReading::None => Some((
                "none: e.g. 2026-12-04 23:59, +7d, fri 17:00, tomorrow 9:00".to_string(),
                theme.dim(),
            )),
            DeadlineReading::Invalid(_) => None,
        },
        _ => None,
    }
}
