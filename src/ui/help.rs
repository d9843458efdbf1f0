//! The help overlay: every key of the current tab, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::layout;
use super::theme::Theme;
use crate::state::State;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = state.keymap.help(state.tab);
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("{keys:>key_width$}"), theme.key()),
                Span::raw("  "),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Copying a link over SSH in tmux needs `set -g set-clipboard on`.",
        theme.dim(),
    ));
    lines.push(Line::styled("Any key closes this help.", theme.dim()));
    let width = lines.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let popup = layout::centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::ALL).title(Span::styled(
            format!(" Keys: {} ", state.tab.title()),
            theme.title(),
        ))),
        popup,
    );
}
