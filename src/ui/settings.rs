//! The Settings tab: who handin is signed in as and how, then every configuration key,
//! editable in place.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::theme::Theme;
use crate::state::{Load, SettingKey, State};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let account = account_lines(state, theme);
    let [top, bottom] = Layout::vertical([
        Constraint::Length(account.len() as u16 + 1),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(account)
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .title(Span::styled(" Account ", theme.title())),
            )
            .wrap(Wrap { trim: false }),
        top,
    );
    render_settings(state, theme, frame, bottom);
}

fn account_lines<'a>(state: &'a State, theme: &Theme) -> Vec<Line<'a>> {
    let label = |text: &'static str| Span::styled(text, theme.label());
    let mut lines = Vec::new();
    match (&state.account.load, &state.account.account) {
        (_, Some(account)) => {
            let kind = match account.account_type {
                dropbox_sdk::users_common::AccountType::Basic => "Basic: no deadlines",
                dropbox_sdk::users_common::AccountType::Pro => "Professional",
                dropbox_sdk::users_common::AccountType::Business => "Business",
            };
            lines.push(Line::from(vec![
                label("Signed in as  "),
                Span::raw(format!(
                    "{} <{}> · {kind}",
                    account.name.display_name, account.email
                )),
            ]));
            if let Some(team) = &account.team {
                let member = account
                    .team_member_id
                    .as_deref()
                    .map(|id| format!(" · member {id}"))
                    .unwrap_or_default();
                lines.push(Line::from(vec![
                    label("Team          "),
                    Span::raw(format!("{}{member}", team.name)),
                ]));
            }
        }
        (Load::Failed(sentence), None) => lines.push(Line::from(vec![
            label("Account       "),
            Span::styled(sentence.as_str(), theme.error()),
        ])),
        (_, None) => lines.push(Line::from(vec![
            label("Account       "),
            Span::raw(format!("{} loading…", super::spinner(state.spinner_frame))),
        ])),
    }
    lines.push(Line::from(vec![
        label("Connected to  "),
        Span::raw(state.environment.source.as_str()),
    ]));
    lines.push(Line::from(vec![
        label("Log file      "),
        Span::raw(state.environment.log_file.as_str()),
    ]));
    lines
}

fn render_settings(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let settings = &state.settings;
    let title = format!(" Settings · {} ", state.environment.config_file);
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        super::truncate(&title, usize::from(area.width).saturating_sub(2)),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The last line explains the selected key, or says what went wrong.
    let rows = usize::from(inner.height.saturating_sub(1));
    if rows == 0 {
        return;
    }
    let offset = settings.selected.saturating_sub(rows.saturating_sub(1));
    let label_width = 21;
    for (line, key) in SettingKey::ALL.iter().enumerate().skip(offset).take(rows) {
        let y = inner.y + (line - offset) as u16;
        let selected = line == settings.selected;
        let marker = if selected { "▸ " } else { "  " };
        let label_style = if selected { theme.key() } else { theme.label() };
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("{marker}{}", key.label()),
                label_style,
            )),
            Rect::new(inner.x, y, label_width, 1),
        );
        let value_area = Rect::new(
            inner.x + label_width,
            y,
            inner.width.saturating_sub(label_width),
            1,
        );
        match (&settings.editing, selected) {
            (Some(input), true) => {
                let width = usize::from(value_area.width.max(1));
                let scroll = input.visual_scroll(width.saturating_sub(1));
                let shown: String = input.value().chars().skip(scroll).take(width).collect();
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("{shown:<width$}"),
                        theme.input_focused(),
                    )),
                    value_area,
                );
                let cursor = input.visual_cursor().saturating_sub(scroll) as u16;
                frame.set_cursor_position(Position::new(
                    value_area.x + cursor.min(value_area.width.saturating_sub(1)),
                    y,
                ));
            }
            _ => {
                let value = key.get(&settings.config);
                let span = if value.is_empty() {
                    Span::styled(empty_value(*key, state), theme.dim())
                } else if selected {
                    Span::styled(value, theme.selected())
                } else {
                    Span::raw(value)
                };
                frame.render_widget(Paragraph::new(span), value_area);
            }
        }
    }
    let key = settings.selected_key();
    let footer = match &settings.error {
        Some(error) => Span::styled(error.as_str(), theme.error()),
        None if settings.editing.is_some() => Span::styled(
            format!("{} · Enter saves, Esc cancels", key.hint()),
            theme.dim(),
        ),
        None => {
            let restart = if key.needs_restart() {
                " · applies at the next start"
            } else {
                ""
            };
            Span::styled(
                format!(
                    "{} = {}{restart} · Enter edits",
                    key.config_key(),
                    key.hint()
                ),
                theme.dim(),
            )
        }
    };
    frame.render_widget(
        Paragraph::new(Line::from(footer)),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
}

/// What an unset key means, in place of its value.
fn empty_value(key: SettingKey, state: &State) -> String {
    match key {
        SettingKey::DownloadDir => state
            .settings
            .config
            .download_dir()
            .map(|dir| format!("(default: {})", dir.display()))
            .unwrap_or_else(|| "(not set)".to_string()),
        SettingKey::ApiBase => "(Dropbox)".to_string(),
        SettingKey::TeamSpace => "(your home folder)".to_string(),
        SettingKey::KeymapFile => "(the default keys)".to_string(),
        _ => "(not set)".to_string(),
    }
}
