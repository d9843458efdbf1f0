//! The status bar: the filter prompt while typing, otherwise the last message or key hints,
//! and on the right how much is shown and how fresh it is.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::keymap::Command;
use crate::state::submissions::Prompt;
use crate::state::{Level, State, Tab};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let right = right_text(state);
    let right_width = right.chars().count() as u16;
    let left_width = area.width.saturating_sub(right_width + 1);
    let left_area = Rect {
        width: left_width,
        ..area
    };
    let right_area = Rect {
        x: area.x + area.width.saturating_sub(right_width),
        width: right_width.min(area.width),
        ..area
    };

    let requests = &state.requests;
    if let Some((label, input, hint)) = submissions_prompt(state) {
        let line = Line::from(vec![
            Span::styled(label, theme.key()),
            Span::raw(input.value()),
            Span::styled(format!("   {hint}"), theme.dim()),
        ]);
        frame.render_widget(Paragraph::new(line), left_area);
        let cursor = input.visual_cursor() as u16;
        frame.set_cursor_position(Position::new(
            (area.x + label.chars().count() as u16 + cursor)
                .min(area.x + left_width.saturating_sub(1)),
            area.y,
        ));
    } else if state.tab == Tab::Requests && requests.filter_editing {
        let prompt = "/ ";
        let value = requests.filter_text();
        let line = Line::from(vec![
            Span::styled(prompt, theme.key()),
            Span::raw(value),
            Span::styled("   Enter keeps · Esc clears", theme.dim()),
        ]);
        frame.render_widget(Paragraph::new(line), left_area);
        let cursor = requests.filter.visual_cursor() as u16;
        frame.set_cursor_position(Position::new(
            (area.x + prompt.len() as u16 + cursor).min(area.x + left_width.saturating_sub(1)),
            area.y,
        ));
    } else if let Some(busy) = &state.mutations.busy {
        let text = format!("{} {busy}", super::spinner(state.spinner_frame));
        frame.render_widget(
            Paragraph::new(super::truncate(&text, usize::from(left_width))),
            left_area,
        );
    } else if let Some(status) = &state.status {
        let style = match status.level {
            Level::Error => theme.error(),
            Level::Info => ratatui::style::Style::new(),
        };
        let text = super::truncate(&status.text, usize::from(left_width));
        frame.render_widget(Paragraph::new(Span::styled(text, style)), left_area);
    } else {
        let mut spans = Vec::new();
        if state.tab == Tab::Requests && !requests.filter_text().is_empty() {
            spans.push(Span::styled(
                format!("filter: {} ", requests.filter_text()),
                theme.key(),
            ));
        }
        // The keys named are the ones bound now, a keymap file's included; a command
        // with no key in this tab has no hint.
        for (command, what) in hints(state.tab) {
            if let Some(key) = state.keymap.key_for(state.tab, *command) {
                spans.push(Span::styled(key, theme.key()));
                spans.push(Span::raw(format!(" {what}  ")));
            }
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), left_area);
    }
    frame.render_widget(Paragraph::new(Span::styled(right, theme.dim())), right_area);
}

/// The question the Submissions tab is asking, if any: its label, what was typed, keys.
fn submissions_prompt(state: &State) -> Option<(&'static str, &tui_input::Input, &'static str)> {
    if state.tab != Tab::Submissions {
        return None;
    }
    let subs = &state.submissions;
    match &subs.prompt {
        Some(Prompt::Assign { input, .. }) => Some((
            "Student: ",
            input,
            "name or email · empty clears · Enter · Esc",
        )),
        Some(Prompt::Export { input }) => Some(("Export to: ", input, "Enter writes · Esc")),
        Some(Prompt::Roster { input }) => Some((
            "Roster CSV: ",
            input,
            "name,email[,id] · empty removes · Enter · Esc",
        )),
        None if subs.filter_editing => Some(("/ ", &subs.filter, "Enter keeps · Esc clears")),
        None => None,
    }
}

fn hints(tab: Tab) -> &'static [(Command, &'static str)] {
    match tab {
        Tab::Requests => &[
            (Command::New, "new"),
            (Command::Edit, "edit"),
            (Command::ToggleOpen, "close"),
            (Command::CopyLink, "copy link"),
            (Command::Filter, "filter"),
            (Command::Help, "help"),
            (Command::Quit, "quit"),
        ],
        Tab::Submissions => &[
            (Command::ToggleView, "view"),
            (Command::CourseGrid, "course"),
            (Command::Assign, "assign"),
            (Command::Filter, "filter"),
            (Command::Download, "download"),
            (Command::Help, "help"),
        ],
        Tab::Settings => &[
            (Command::EditSetting, "edit"),
            (Command::SignIn, "sign in"),
            (Command::PasteToken, "token"),
            (Command::PickMember, "member"),
            (Command::SignOut, "sign out"),
            (Command::Help, "help"),
        ],
    }
}

fn right_text(state: &State) -> String {
    let mut parts = Vec::new();
    if state.tab_is_loading() {
        parts.push(format!("{} loading", super::spinner(state.spinner_frame)));
    }
    let downloads = &state.downloads;
    if downloads.running && !downloads.shown {
        // The download goes on behind the tabs; the clock gives way to it.
        let progress = match &downloads.snapshot {
            Some(snapshot) => snapshot.short_line(),
            None => "listing".to_string(),
        };
        match state.keymap.key_for(state.tab, Command::ShowDownloads) {
            Some(key) => parts.push(format!("↓ {progress} ({key})")),
            None => parts.push(format!("↓ {progress}")),
        }
        return format!("{} ", parts.join(" · "));
    }
    if let Some(at) = state.requests.loaded_at {
        let local = state.zone.localize(at);
        parts.push(format!("updated {}", local.format("%H:%M")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{} ", parts.join(" · "))
    }
}
