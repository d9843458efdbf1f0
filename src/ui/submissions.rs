//! The Submissions tab. For now it names the request opened from the Requests tab; the
//! file list, lateness and the class view come with the Submissions issue.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::theme::Theme;
use crate::state::State;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Submissions ", theme.title()));
    let opened = state
        .opened_request
        .as_ref()
        .and_then(|id| state.requests.rows.iter().find(|row| &row.request.id == id));
    let lines = match opened {
        None => vec![Line::styled(
            "Pick a request in the Requests tab (1) and press Enter to open it here.",
            theme.dim(),
        )],
        Some(row) => vec![
            Line::from(vec![Span::styled(
                row.request.title.as_str(),
                theme.title(),
            )]),
            Line::raw(format!(
                "{} files in {}",
                row.request.file_count,
                row.request
                    .destination
                    .as_deref()
                    .unwrap_or("(folder removed)")
            )),
            Line::raw(""),
            Line::styled(
                "Who submitted, who is late and who is missing will be listed here.",
                theme.dim(),
            ),
        ],
    };
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
