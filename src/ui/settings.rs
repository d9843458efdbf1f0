//! The Settings tab: who handin is signed in as and how, then every configuration key,
//! editable in place.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::layout;
use super::theme::Theme;
use crate::dropbox::AuthMethod;
use crate::state::settings::SignIn;
use crate::state::{Load, SettingKey, State};
use crate::time;
use crate::untrusted::visible;

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
    if let Some(step) = &state.settings.sign_in {
        render_sign_in(step, state, theme, frame, area);
    }
}

fn auth_line(state: &State) -> String {
    let Some(auth) = &state.settings.auth else {
        return "…".to_string();
    };
    match auth.method {
        AuthMethod::None => "not signed in · l signs in with OAuth, t takes a pasted token".to_string(),
        AuthMethod::PastedToken => {
            "a pasted access token: it lasts a few hours and cannot be renewed (l signs in for good)"
                .to_string()
        }
        AuthMethod::OAuth => match auth.expires_at {
            Some(at) => format!(
                "OAuth, renewed by itself · this access token until {} ({})",
                state.zone.localize(at).format("%H:%M"),
                time::relative(at, state.now)
            ),
            None => "OAuth, renewed by itself".to_string(),
        },
    }
}

fn render_sign_in(step: &SignIn, state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.min(76);
    let (title, mut lines): (&str, Vec<Line>) = match step {
        SignIn::Starting => ("Sign in", vec![Line::raw("Preparing the sign-in link…")]),
        SignIn::LoadingMembers => (
            "Team member",
            vec![Line::raw(format!(
                "{} Asking Dropbox for the team's members…",
                super::spinner(state.spinner_frame)
            ))],
        ),
        SignIn::ConfirmSignOut => (
            "Sign out?",
            vec![
                Line::raw(
                    "handin revokes its token at Dropbox and deletes the stored credentials.",
                ),
                Line::raw("Nothing in your Dropbox changes."),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("y", theme.key()),
                    Span::raw(" signs out   "),
                    Span::styled("Esc", theme.key()),
                    Span::raw(" stays signed in"),
                ]),
            ],
        ),
        SignIn::Code {
            url,
            code,
            error,
            exchanging,
        } => {
            let mut lines = vec![
                Line::raw("1. Open this link in any browser (it was copied to your clipboard):"),
                Line::styled(url.as_str(), theme.key()),
                Line::raw("2. Approve handin; Dropbox shows a code."),
                Line::raw("3. Paste the code here and press Enter:"),
                input_line(code.value(), false, theme),
            ];
            if *exchanging {
                lines.push(Line::styled(
                    format!(
                        "{} Checking the code with Dropbox…",
                        super::spinner(state.spinner_frame)
                    ),
                    theme.dim(),
                ));
            }
            if let Some(error) = error {
                lines.push(Line::styled(visible(error), theme.error()));
            }
            lines.push(Line::styled(
                "Ctrl-Y copies the link again · Esc cancels",
                theme.dim(),
            ));
            ("Sign in to Dropbox", lines)
        }
        SignIn::Token {
            token,
            error,
            checking,
        } => {
            let mut lines = vec![
                Line::raw("Paste an access token generated in the App Console and press Enter."),
                Line::styled(
                    "Such tokens last a few hours and cannot be renewed; l (OAuth) keeps you signed in.",
                    theme.dim(),
                ),
                input_line(token.value(), true, theme),
            ];
            if *checking {
                lines.push(Line::styled(
                    format!(
                        "{} Checking the token with Dropbox…",
                        super::spinner(state.spinner_frame)
                    ),
                    theme.dim(),
                ));
            }
            if let Some(error) = error {
                lines.push(Line::styled(visible(error), theme.error()));
            }
            lines.push(Line::styled("Esc cancels", theme.dim()));
            ("Paste a token", lines)
        }
        SignIn::Members { members, selected } => {
            let mut lines: Vec<Line> = members
                .iter()
                .enumerate()
                .map(|(i, member)| {
                    let text = format!("{} <{}>", visible(&member.name), visible(&member.email));
                    if i == *selected {
                        Line::styled(format!("▸ {text}"), theme.selected())
                    } else {
                        Line::raw(format!("  {text}"))
                    }
                })
                .collect();
            lines.push(Line::styled(
                "↑↓ choose · Enter acts as them · Esc cancels",
                theme.dim(),
            ));
            ("Act as which team member?", lines)
        }
    };
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let height = (rows as u16 + 2).min(area.height);
    let popup = layout::centered(area, width, height);
    frame.render_widget(Clear, popup);
    // Keep the most important last lines (error, keys) when the terminal is short.
    let room = usize::from(height.saturating_sub(2));
    if lines.len() > room {
        lines.drain(..lines.len() - room);
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(Span::styled(format!(" {title} "), theme.title())),
            )
            .wrap(Wrap { trim: false }),
        popup,
    );
}

/// A one-line text field; secrets show as bullets.
fn input_line<'a>(value: &str, masked: bool, theme: &Theme) -> Line<'a> {
    let shown = if masked {
        "•".repeat(value.chars().count())
    } else {
        value.to_string()
    };
    Line::from(vec![
        Span::raw("> "),
        Span::styled(format!("{shown}▏"), theme.input_focused()),
    ])
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
                    visible(&account.name.display_name),
                    visible(&account.email)
                )),
            ]));
            if let Some(team) = &account.team {
                let member = account
                    .team_member_id
                    .as_deref()
                    .map(|id| format!(" · member {}", visible(id)))
                    .unwrap_or_default();
                lines.push(Line::from(vec![
                    label("Team          "),
                    Span::raw(format!("{}{member}", visible(&team.name))),
                ]));
            }
        }
        (Load::Failed(sentence), None) => lines.push(Line::from(vec![
            label("Account       "),
            Span::styled(visible(sentence), theme.error()),
        ])),
        (_, None) => lines.push(Line::from(vec![
            label("Account       "),
            Span::raw(format!("{} loading…", super::spinner(state.spinner_frame))),
        ])),
    }
    lines.push(Line::from(vec![
        label("Sign-in       "),
        Span::raw(auth_line(state)),
    ]));
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
                super::form::render_input(input, true, theme.input_focused(), frame, value_area);
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
            .download_dir()
            .map(|dir| format!("(default: {})", dir.display()))
            .unwrap_or_else(|| "(not set)".to_string()),
        SettingKey::ApiBase => "(Dropbox)".to_string(),
        SettingKey::TeamSpace => "(your home folder)".to_string(),
        SettingKey::KeymapFile => "(the default keys)".to_string(),
        _ => "(not set)".to_string(),
    }
}
