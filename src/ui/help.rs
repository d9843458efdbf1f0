//! The help overlay: every key of the current tab, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::layout;
use super::theme::Theme;
use crate::state::{State, Tab};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = state.keymap.help(state.tab);
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(3);
    let key_line = |keys: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!("{keys:>key_width$}"), theme.key()),
            Span::raw("  "),
            Span::raw(what.to_string()),
        ])
    };
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(keys, what)| key_line(keys, what))
        .collect();
    if state.tab == Tab::Requests {
        lines.push(key_line("Esc", "clear the filter, or dismiss a message"));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "While filtering: type to narrow, ↑ ↓ move, Enter keeps, Esc clears.",
            theme.dim(),
        ));
    }
    let width = lines.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let popup = layout::centered(area, width, height);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" Keys: {} ", state.tab.title()),
            theme.title(),
        ))
        // On the border, so it shows even when a short terminal cuts the list.
        .title_bottom(Span::styled(" any key closes ", theme.dim()));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
