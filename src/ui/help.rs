//! The help overlay: every key of the current tab, generated from the keymap. When the
//! list is taller than the terminal it flows into two or three columns, so every key
//! shows even at 80x24.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr as _;

use super::layout;
use super::theme::Theme;
use crate::state::{State, Tab};

/// Blank cells between two columns of keys.
const GUTTER: u16 = 3;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut rows = state.keymap.help(state.tab);
    let mut notes: Vec<&str> = Vec::new();
    if state.tab == Tab::Requests {
        rows.push(("Esc".to_string(), "clear the filter, or dismiss a message"));
        notes.push("While filtering: type to narrow, ↑ ↓ move, Enter keeps, Esc clears.");
    }
    let key_width = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(3);
    let notes_height = if notes.is_empty() { 0 } else { notes.len() + 1 };
    // Rows a column may take inside the border, with the notes under the keys.
    let room = usize::from(area.height.saturating_sub(2))
        .saturating_sub(notes_height)
        .max(1);
    let columns = rows.len().div_ceil(room).clamp(1, 3);
    let per_column = rows.len().div_ceil(columns).max(1);
    let natural = rows
        .iter()
        .map(|(_, what)| key_width + 2 + what.width())
        .max()
        .unwrap_or(20);
    let inner_width = usize::from(area.width.saturating_sub(4));
    let column_width =
        natural.min((inner_width.saturating_sub(usize::from(GUTTER) * (columns - 1))) / columns);
    let notes_width = notes.iter().map(|n| n.width()).max().unwrap_or(0);
    let width = (column_width * columns + usize::from(GUTTER) * (columns - 1)).max(notes_width);
    let height = per_column + notes_height;
    let popup = layout::centered(area, width as u16 + 4, height as u16 + 2);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" Keys: {} ", state.tab.title()),
            theme.title(),
        ))
        // On the border, so it shows even when a short terminal cuts the list.
        .title_bottom(Span::styled(" any key closes ", theme.dim()));
    frame.render_widget(Clear, popup);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    for (index, chunk) in rows.chunks(per_column).enumerate() {
        let x = inner.x + (column_width as u16 + GUTTER) * index as u16;
        let column = Rect {
            x,
            width: (column_width as u16).min(inner.right().saturating_sub(x)),
            height: inner.height.min(per_column as u16),
            ..inner
        };
        let lines: Vec<Line> = chunk
            .iter()
            .map(|(keys, what)| {
                let room = column_width.saturating_sub(key_width + 2);
                Line::from(vec![
                    Span::styled(format!("{keys:>key_width$}"), theme.key()),
                    Span::raw("  "),
                    Span::raw(fit(what, room)),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), column);
    }
    if !notes.is_empty() {
        let y = inner.y + per_column as u16 + 1;
        if y < inner.bottom() {
            let area = Rect {
                y,
                height: inner.bottom() - y,
                ..inner
            };
            let lines: Vec<Line> = notes
                .iter()
                .map(|note| Line::styled(*note, theme.dim()))
                .collect();
            frame.render_widget(Paragraph::new(lines), area);
        }
    }
}

/// `text` cut to `width` cells with an ellipsis when it is longer.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}
