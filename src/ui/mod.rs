//! Views: `render` reads the state and draws; it never changes state or calls services.

pub mod confirm;
pub mod downloads;
pub mod form;
pub mod help;
pub mod layout;
pub mod mail;
pub mod qr;
pub mod requests;
pub mod settings;
pub mod status;
pub mod submissions;
pub mod theme;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::state::{Modal, State, Tab};
use crate::untrusted::visible;
use theme::Theme;

pub fn render(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.environment.color);
    let areas = layout::frame(frame.area());
    render_tabs(state, &theme, frame, areas.tabs);
    match state.tab {
        Tab::Requests => requests::render(state, &theme, frame, areas.body),
        Tab::Submissions => submissions::render(state, &theme, frame, areas.body),
        Tab::Settings => settings::render(state, &theme, frame, areas.body),
    }
    status::render(state, &theme, frame, areas.status);
    // Under the modal: the question before sending is asked on top of it.
    if let Some(overlay) = &state.mail {
        mail::render(overlay, state, &theme, frame, areas.body);
    }
    match &state.modal {
        Some(Modal::Form(form)) => form::render(form, state, &theme, frame, areas.body),
        Some(Modal::Confirm(confirm)) => confirm::render(confirm, &theme, frame, areas.body),
        Some(Modal::Qr { title, url }) => qr::render(url, title, frame, frame.area()),
        None => {}
    }
    if state.downloads.shown {
        downloads::render(&state.downloads, &theme, frame, areas.body);
    }
    if state.help_open {
        help::render(state, &theme, frame, frame.area());
    }
}

fn render_tabs(state: &State, theme: &Theme, frame: &mut Frame, area: ratatui::layout::Rect) {
    let mut spans = vec![Span::styled(" handin ", theme.title())];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, tab.title());
        let style = if *tab == state.tab {
            theme.tab_active()
        } else {
            theme.tab_inactive()
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(label, style));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let source = &state.environment.source;
    let room = usize::from(area.width).saturating_sub(used + 1);
    if room >= 8 {
        let shown: String = if source.chars().count() > room {
            let cut: String = source.chars().take(room.saturating_sub(1)).collect();
            format!("{cut}…")
        } else {
            source.clone()
        };
        let pad = room - shown.chars().count();
        spans.push(Span::raw(" ".repeat(pad + 1)));
        spans.push(Span::styled(shown, theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Shortens `text` to `width` columns, marking the cut with an ellipsis. The text is
/// first made safe to draw ([`visible`]): what is fitted into a column is mostly a name
/// from outside, and a bidi override in one would push the columns after it astray.
pub fn truncate(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let text = visible(text);
    let text = text.as_ref();
    let mut used = 0;
    let mut out = String::new();
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    // "and …" reads worse than "and…".
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Shortens `text` to `width` columns by cutting its start, marked with an ellipsis: the
/// end of a path or a file name says the most. Made safe to draw first, as [`truncate`].
pub fn truncate_left(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let text = visible(text);
    let text = text.as_ref();
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut used = 0;
    let mut tail = Vec::new();
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        tail.push(c);
    }
    let mut out = String::from('…');
    out.extend(tail.into_iter().rev());
    out
}

/// The spinner frame for the current tick.
pub fn spinner(frame: usize) -> &'static str {
    const FRAMES: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
    FRAMES[frame % FRAMES.len()]
}
