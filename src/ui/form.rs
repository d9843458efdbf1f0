//! The create/edit form overlay: one line per field, a note line under it (the parsed
//! deadline, a folder suggestion, or what is wrong), and the keys at the bottom. When the
//! window is short, the notes go first, then the fields scroll to keep the focused one.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_input::Input;
use unicode_width::UnicodeWidthChar as _;

use super::layout;
use super::theme::Theme;
use crate::deadline;
use crate::file_request::grace;
use crate::state::State;
use crate::state::form::{DeadlineReading, Discard, Field, RequestForm};

const LABEL_WIDTH: u16 = 13;

/// Rows for the fields when nothing is short: each field and its note line.
const FIELD_ROWS: usize = Field::ALL.len() * 2;

/// Rows kept under the fields for a sentence about the whole form, even when empty, so
/// the form does not jump when one appears.
const ERROR_ROWS: usize = 2;

/// What one row inside the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRow {
    /// The field's label and value.
    Value(Field),
    /// The line under the field: what it means or what is wrong.
    Note(Field),
    /// A note line with nothing to say, kept while there is room so the form stays still.
    Blank,
}

/// The rows to draw, top to bottom, in `rows` lines: everything when it fits; else the
/// empty note lines go, then the notes of other fields, and then the fields scroll so the
/// focused one and its note stay.
pub fn plan_rows(has_note: [bool; 6], focus: Field, rows: usize) -> Vec<FormRow> {
    let focus = focus.index();
    let full: Vec<FormRow> = Field::ALL
        .iter()
        .enumerate()
        .flat_map(|(i, &field)| {
            let under = if has_note[i] {
                FormRow::Note(field)
            } else {
                FormRow::Blank
            };
            [FormRow::Value(field), under]
        })
        .collect();
    if full.len() <= rows {
        return full;
    }
    let without_blanks: Vec<FormRow> = full
        .iter()
        .copied()
        .filter(|row| *row != FormRow::Blank)
        .collect();
    if without_blanks.len() <= rows {
        return without_blanks;
    }
    let focus_note = has_note[focus] && rows >= 2;
    let window = rows.saturating_sub(usize::from(focus_note));
    let window = window.min(Field::ALL.len());
    let start = (focus + 1)
        .saturating_sub(window)
        .min(Field::ALL.len() - window);
    let mut plan = Vec::with_capacity(rows);
    for (i, &field) in Field::ALL.iter().enumerate().skip(start).take(window) {
        plan.push(FormRow::Value(field));
        if i == focus && focus_note {
            plan.push(FormRow::Note(field));
        }
    }
    plan
}

/// `text` in lines of at most `width` columns, broken at spaces where it can be.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        if used > 0 && used + 1 + word_width > width {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn render(form: &RequestForm, state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.min(78);
    let inner_width = usize::from(width.saturating_sub(2));
    // A sentence about the whole form: Dropbox's refusal, a past deadline to confirm.
    // A field's problem shows under that field instead.
    let error_lines = match (&form.error, form.error_field) {
        (Some(error), None) => wrap_words(error, inner_width),
        _ => Vec::new(),
    };
    let wanted = FIELD_ROWS + error_lines.len().max(ERROR_ROWS) + 2;
    let height = area.height.min(u16::try_from(wanted).unwrap_or(u16::MAX));
    let popup = layout::centered(area, width, height);
    let block_inner = Block::new().borders(Borders::ALL).inner(popup);
    let rows = usize::from(block_inner.height);
    // The sentence stays whatever the height, leaving at least the focused field's line.
    let error_rows = error_lines.len().min(rows.saturating_sub(1));
    let notes: Vec<Option<(String, Style)>> = Field::ALL
        .iter()
        .map(|&field| note(form, field, state, theme))
        .collect();
    let has_note = std::array::from_fn(|i| notes[i].is_some());
    let plan = plan_rows(has_note, form.focus, rows - error_rows);

    let title = if form.is_edit() {
        " Edit file request "
    } else {
        " New file request "
    };
    let shown_fields = plan
        .iter()
        .filter(|row| matches!(row, FormRow::Value(_)))
        .count();
    let mut block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()))
        .title_bottom(hints(
            form,
            state,
            theme,
            usize::from(width.saturating_sub(2)),
        ));
    if shown_fields < Field::ALL.len() {
        let above = plan.first() != Some(&FormRow::Value(Field::ALL[0]));
        let below = !plan.contains(&FormRow::Value(Field::Open));
        let more = match (above, below) {
            (true, true) => " ↑↓ more ",
            (true, false) => " ↑ more ",
            _ => " ↓ more ",
        };
        block = block.title(Line::from(Span::styled(more, theme.dim())).right_aligned());
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);

    let inner = block_inner;
    let value_width = inner.width.saturating_sub(LABEL_WIDTH + 1);
    for (row, y) in plan.iter().zip(inner.y..) {
        match *row {
            FormRow::Value(field) => {
                render_field(
                    form,
                    field,
                    state,
                    theme,
                    frame,
                    Rect::new(inner.x, y, inner.width, 1),
                );
            }
            FormRow::Note(field) => {
                if let Some((text, style)) = &notes[field.index()] {
                    frame.render_widget(
                        Paragraph::new(Span::styled(
                            super::truncate(text, value_width.into()),
                            *style,
                        )),
                        Rect::new(inner.x + LABEL_WIDTH + 1, y, value_width, 1),
                    );
                }
            }
            FormRow::Blank => {}
        }
    }

    // Right under the last field drawn, where the eye already is.
    let error_top = inner.y + u16::try_from(plan.len()).unwrap_or(0);
    for (line, y) in error_lines.iter().take(error_rows).zip(error_top..) {
        frame.render_widget(
            Paragraph::new(Span::styled(line.as_str(), theme.error())),
            Rect::new(inner.x, y, inner.width, 1),
        );
    }
}

/// The keys at the bottom of the border, or the question being asked; a shorter form
/// when the border is narrow, so the key to press is never cut off.
fn hints<'a>(form: &RequestForm, state: &State, theme: &Theme, room: usize) -> Line<'a> {
    let action = if form.is_edit() { "save" } else { "create" };
    let candidates: Vec<Line> = match form.confirm_discard {
        Some(discard) => {
            let (question, yes) = match discard {
                Discard::Close => (" Discard what you typed? ", " discards"),
                Discard::Quit => (" Quit and discard what you typed? ", " quits"),
            };
            vec![
                Line::from(vec![
                    Span::styled(question, theme.error()),
                    Span::styled("y", theme.key()),
                    Span::raw(format!("{yes}, any other key keeps editing ")),
                ]),
                Line::from(vec![
                    Span::styled(question, theme.error()),
                    Span::styled("y", theme.key()),
                    Span::raw(format!("{yes} ")),
                ]),
                Line::from(vec![
                    Span::styled(" Discard? ", theme.error()),
                    Span::styled("y", theme.key()),
                    Span::raw(format!("{yes} ")),
                ]),
            ]
        }
        None if form.submitting => vec![
            Line::from(Span::styled(
                format!(
                    " {} sending to Dropbox… Esc closes the form ",
                    super::spinner(state.spinner_frame)
                ),
                theme.dim(),
            )),
            Line::from(Span::styled(
                format!(" {} sending… ", super::spinner(state.spinner_frame)),
                theme.dim(),
            )),
        ],
        None => vec![
            Line::from(vec![
                Span::styled(" Tab", theme.key()),
                Span::raw(" next  "),
                Span::styled("Shift-Tab", theme.key()),
                Span::raw(" back  "),
                Span::styled("Ctrl-S", theme.key()),
                Span::raw(format!(" {action}  ")),
                Span::styled("Esc", theme.key()),
                Span::raw(" cancel "),
            ]),
            Line::from(vec![
                Span::styled(" Ctrl-S", theme.key()),
                Span::raw(format!(" {action}  ")),
                Span::styled("Esc", theme.key()),
                Span::raw(" cancel "),
            ]),
        ],
    };
    let last = candidates.len() - 1;
    candidates
        .into_iter()
        .enumerate()
        .find(|(i, line)| line.width() <= room || *i == last)
        .map(|(_, line)| line)
        .unwrap_or_default()
}

fn render_field(
    form: &RequestForm,
    field: Field,
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let focused = form.focus == field && form.confirm_discard.is_none();
    let label_style = if focused { theme.key() } else { theme.label() };
    let marker = if focused { "▸ " } else { "  " };
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!("{marker}{}", field.label()),
            label_style,
        )),
        Rect::new(area.x, area.y, LABEL_WIDTH.min(area.width), 1),
    );
    let value_area = Rect::new(
        area.x + LABEL_WIDTH + 1,
        area.y,
        area.width.saturating_sub(LABEL_WIDTH + 1),
        1,
    );
    if value_area.width == 0 {
        return;
    }
    match field {
        Field::Title | Field::Destination | Field::Deadline | Field::Description => {
            let style = if focused {
                theme.input_focused()
            } else {
                theme.input()
            };
            render_input(input_of(form, field), focused, style, frame, value_area);
        }
        Field::Grace => {
            let enabled = form.grace_enabled(state.now, state.zone);
            let text = if enabled {
                format!("◂ {} ▸", grace::label(form.grace_choice().as_ref()))
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
}

fn input_of(form: &RequestForm, field: Field) -> &Input {
    match field {
        Field::Title => &form.title,
        Field::Destination => &form.destination,
        Field::Deadline => &form.deadline,
        _ => &form.description,
    }
}

/// The part of `value` shown from column `scroll` on, at most `width` columns wide, and
/// the columns skipped before it. tui-input counts its scroll in columns, so a wide
/// character (an emoji, CJK) skips two of them, not one.
pub fn visible_part(value: &str, scroll: usize, width: usize) -> (String, usize) {
    let mut chars = value.chars().peekable();
    let mut skipped = 0;
    while skipped < scroll {
        match chars.next() {
            Some(c) => skipped += c.width().unwrap_or(0),
            None => break,
        }
    }
    // Combining marks belong to the character skipped before them.
    while chars.peek().is_some_and(|c| c.width() == Some(0)) && skipped > 0 {
        chars.next();
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        shown.push(c);
    }
    shown.push_str(&" ".repeat(width - used));
    (shown, skipped)
}

/// A one-line text field in `style`, scrolled so the cursor stays visible, with the
/// terminal cursor on it when `focused` (the others show their start). For any tui-input
/// field: the Settings tab's editor can draw with it too.
pub fn render_input(input: &Input, focused: bool, style: Style, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width.max(1));
    let scroll = if focused {
        input.visual_scroll(width.saturating_sub(1))
    } else {
        0
    };
    let (shown, skipped) = visible_part(input.value(), scroll, width);
    frame.render_widget(Paragraph::new(Span::styled(shown, style)), area);
    if focused {
        let cursor =
            u16::try_from(input.visual_cursor().saturating_sub(skipped)).unwrap_or(u16::MAX);
        frame.set_cursor_position(Position::new(
            area.x + cursor.min(area.width.saturating_sub(1)),
            area.y,
        ));
    }
}

/// The line under a field: what is wrong, what it means, or what to pick.
fn note(form: &RequestForm, field: Field, state: &State, theme: &Theme) -> Option<(String, Style)> {
    // While a folder is being typed, what Tab would take matters more than what is
    // wrong with the unfinished path ("/" is no place for uploads, "/Courses" is).
    if field == Field::Destination
        && form.shows_suggestions()
        && let Some(choice) = form.suggestions.get(form.suggestion)
    {
        let more = form.suggestions.len() - 1;
        let extra = if more > 0 {
            format!("  (Tab takes it, ↑↓ {more} more)")
        } else {
            "  (Tab takes it)".to_string()
        };
        return Some((format!("↳ {choice}{extra}"), theme.dim()));
    }
    if let Some(error) = form.shown_error(field, state.now, state.zone) {
        return Some((error, theme.error()));
    }
    match field {
        Field::Destination => {
            let removed = form
                .original()
                .is_some_and(|request| request.destination.is_none());
            (removed && !form.changed(Field::Destination)).then(|| {
                (
                    "the folder was removed; type one to take uploads again".to_string(),
                    theme.dim(),
                )
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOTES: [bool; 6] = [false, false, true, false, false, false];

    #[test]
    fn everything_shows_when_it_fits() {
        let plan = plan_rows(NOTES, Field::Title, 14);
        assert_eq!(plan.len(), 12);
        assert_eq!(plan[5], FormRow::Note(Field::Deadline));
        assert_eq!(plan[1], FormRow::Blank);
    }

    #[test]
    fn blank_lines_go_first_then_other_notes_then_fields_scroll() {
        let plan = plan_rows(NOTES, Field::Title, 8);
        assert_eq!(plan.len(), 7, "blanks gone: {plan:?}");
        assert!(plan.contains(&FormRow::Note(Field::Deadline)));

        let plan = plan_rows([true; 6], Field::Grace, 7);
        assert_eq!(plan.len(), 7);
        assert!(
            Field::ALL
                .iter()
                .all(|f| plan.contains(&FormRow::Value(*f)))
        );
        assert_eq!(
            plan[4],
            FormRow::Note(Field::Grace),
            "only the focused note"
        );

        let plan = plan_rows([true; 6], Field::Open, 4);
        assert_eq!(
            plan,
            vec![
                FormRow::Value(Field::Grace),
                FormRow::Value(Field::Description),
                FormRow::Value(Field::Open),
                FormRow::Note(Field::Open),
            ]
        );
        let plan = plan_rows([true; 6], Field::Title, 4);
        assert_eq!(plan[0], FormRow::Value(Field::Title));
        assert_eq!(plan[1], FormRow::Note(Field::Title));
        assert_eq!(plan.len(), 4);

        assert_eq!(
            plan_rows([true; 6], Field::Deadline, 1),
            vec![FormRow::Value(Field::Deadline)]
        );
        assert!(plan_rows([true; 6], Field::Deadline, 0).is_empty());
    }

    #[test]
    fn a_wide_character_scrolls_by_its_columns() {
        // Each of these takes two columns: a scroll of 4 columns skips two of them.
        let (shown, skipped) = visible_part("日本語です", 4, 4);
        assert_eq!((shown.as_str(), skipped), ("語で", 4));
        // A scroll inside a wide character skips all of it.
        let (shown, skipped) = visible_part("日本語", 3, 6);
        assert_eq!((shown.as_str(), skipped), ("語    ", 4));
        let (shown, skipped) = visible_part("ab📷cd", 0, 4);
        assert_eq!((shown.as_str(), skipped), ("ab📷", 0));
        let (shown, _) = visible_part("ab📷cd", 0, 3);
        assert_eq!(
            shown, "ab ",
            "a wide character that does not fit is left out"
        );
    }

    #[test]
    fn the_cursor_sits_after_the_last_wide_character_typed() {
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        let input = Input::new("📷📷📷📷📷📷📷📷".to_string());
        let mut terminal = Terminal::new(TestBackend::new(10, 1)).expect("terminal");
        terminal
            .draw(|frame| {
                render_input(&input, true, Style::new(), frame, Rect::new(0, 0, 10, 1));
            })
            .expect("draw");
        let buffer = terminal.backend().buffer().clone();
        let text: String = (0..10)
            .map(|x| buffer[(x, 0)].symbol().to_string())
            .collect();
        // 16 columns of emoji in 10: the last four emoji (8 columns), then the cursor.
        assert_eq!(text.matches('📷').count(), 4, "{text:?}");
        let cursor = terminal.get_cursor_position().expect("cursor");
        assert_eq!(cursor, Position::new(8, 0));
        assert_eq!(
            buffer[(8, 0)].symbol(),
            " ",
            "the cursor is past the last emoji"
        );
    }

    #[test]
    fn long_sentences_wrap_at_spaces() {
        assert_eq!(
            wrap_words("Dropbox requires a verified email", 12),
            vec!["Dropbox", "requires a", "verified", "email"]
        );
        assert_eq!(wrap_words("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert!(wrap_words("", 10).is_empty());
    }
}
