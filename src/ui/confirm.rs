//! The question before a destructive change.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::layout;
use super::theme::Theme;
use crate::state::Confirm;
use crate::untrusted::visible;

pub fn render(confirm: &Confirm, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.min(64);
    let text_width = usize::from(width.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for line in &confirm.lines {
        lines.push(Line::raw(visible(line)));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key()),
        Span::raw(format!(" {}   ", confirm.yes)),
        Span::styled("n", theme.key()),
        Span::raw(" or "),
        Span::styled("Esc", theme.key()),
        Span::raw(" keeps everything"),
    ]));
    // Wrapped lines take more rows than there are lines.
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(text_width).max(1))
        .sum();
    let popup = layout::centered(area, width, rows as u16 + 2);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(Span::styled(
            format!(" {} ", visible(&confirm.title)),
            theme.title(),
        ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        popup,
    );
}
