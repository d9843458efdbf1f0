//! The Settings tab: who handin is signed in as, and where its files are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::theme::Theme;
use crate::state::{Load, State};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Account and files ", theme.title()));
    let label = |text: &'static str| Span::styled(text, theme.label());
    let mut lines = Vec::new();
    match (&state.account.load, &state.account.account) {
        (_, Some(account)) => {
            lines.push(Line::from(vec![
                label("Signed in as  "),
                Span::raw(format!("{} <{}>", account.name.display_name, account.email)),
            ]));
            let kind = match account.account_type {
                dropbox_sdk::users_common::AccountType::Basic => {
                    "Basic (deadlines need Plus or Business)"
                }
                dropbox_sdk::users_common::AccountType::Pro => "Professional",
                dropbox_sdk::users_common::AccountType::Business => "Business",
            };
            lines.push(Line::from(vec![label("Account type  "), Span::raw(kind)]));
            if let Some(team) = &account.team {
                lines.push(Line::from(vec![
                    label("Team          "),
                    Span::raw(team.name.as_str()),
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
    let env = &state.environment;
    lines.push(Line::from(vec![
        label("Connected to  "),
        Span::raw(env.source.as_str()),
    ]));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        label("Config file   "),
        Span::raw(env.config_file.as_str()),
    ]));
    lines.push(Line::from(vec![
        label("Data folder   "),
        Span::raw(env.data_dir.as_str()),
    ]));
    lines.push(Line::from(vec![
        label("Log file      "),
        Span::raw(env.log_file.as_str()),
    ]));
    lines.push(Line::from(vec![
        label("Courses root  "),
        Span::raw(env.courses_root.as_str()),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
