//! Who takes a key or a paste: the one focus stack. Keys and pastes both ask
//! [`State::focus`], so a field that takes typed text takes pasted text too, and Ctrl-C
//! is decided once, here, before any keymap is looked at.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::submissions::Prompt;
use super::{Confirm, Modal, Pending, State, Tab};
use crate::action::Effect;
use crate::keymap::is_interrupt;

/// What has the keyboard, top of the stack first: the order the views draw them in,
/// reversed, so the layer on top of the screen is the one that listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The key list; any key closes it.
    Help,
    /// The download overlay, progress or summary.
    Downloads,
    /// The request form (a modal).
    Form,
    /// A yes-or-no question before something destructive (a modal).
    Confirm,
    /// The upload link as a QR code (a modal).
    Qr,
    /// The mail overlay.
    Mail,
    /// A sign-in step over the Settings tab (a prompt).
    SignIn,
    /// A setting's value being typed (a prompt).
    SettingValue,
    /// The Submissions tab's question: assign, export or roster (a prompt).
    SubmissionsPrompt,
    /// The Submissions tab's filter being typed (a prompt).
    SubmissionsFilter,
    /// The Requests tab's filter being typed (a prompt).
    RequestsFilter,
    /// Nothing on top: the tab's keymap.
    Tab(Tab),
}

impl Focus {
    /// Whether this focus has a text field that pasted text goes into.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Focus::Form
                | Focus::SignIn
                | Focus::SettingValue
                | Focus::SubmissionsPrompt
                | Focus::SubmissionsFilter
                | Focus::RequestsFilter
        )
    }
}

impl State {
    /// The layer that takes the next key or paste.
    pub fn focus(&self) -> Focus {
        if self.help_open {
            return Focus::Help;
        }
        if self.downloads.shown {
            return Focus::Downloads;
        }
        match &self.modal {
            Some(Modal::Form(_)) => return Focus::Form,
            Some(Modal::Confirm(_)) => return Focus::Confirm,
            Some(Modal::Qr { .. }) => return Focus::Qr,
            None => {}
        }
        if self.mail.is_some() {
            return Focus::Mail;
        }
        match self.tab {
            Tab::Settings if self.settings.sign_in.is_some() => Focus::SignIn,
            Tab::Settings if self.settings.editing.is_some() => Focus::SettingValue,
            Tab::Submissions if self.submissions.prompt.is_some() => Focus::SubmissionsPrompt,
            Tab::Submissions if self.submissions.filter_editing => Focus::SubmissionsFilter,
            Tab::Requests if self.requests.filter_editing => Focus::RequestsFilter,
            tab => Focus::Tab(tab),
        }
    }

    /// A key press, to the layer on top.
    pub(super) fn route_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let focus = self.focus();
        if is_interrupt(&key) {
            // Before any binding: no keymap file can take Ctrl-C's way out away.
            return self.interrupt(focus);
        }
        match focus {
            Focus::Help => {
                // Any key closes the help, so a stray q cannot surprise anyone.
                self.help_open = false;
                Vec::new()
            }
            Focus::Downloads => self.downloads_key(key),
            Focus::Form | Focus::Confirm | Focus::Qr => self.modal_key(key),
            Focus::Mail => self.mail_key(key),
            Focus::SignIn => self.sign_in_key(key),
            Focus::SettingValue => self.setting_key(key),
            Focus::SubmissionsPrompt => self.prompt_key(key),
            Focus::SubmissionsFilter => {
                self.submissions.filter_key(key);
                Vec::new()
            }
            Focus::RequestsFilter => {
                self.requests.filter_key(key);
                Vec::new()
            }
            Focus::Tab(tab) => self.tab_key(tab, key),
        }
    }

    /// Pasted text, to the text field of the layer on top; a layer without one drops it
    /// rather than let it reach a field underneath.
    pub(super) fn route_paste(&mut self, text: &str) -> Vec<Effect> {
        match self.focus() {
            Focus::Form => return self.modal_paste(text),
            Focus::SignIn => self.sign_in_paste(text),
            Focus::SettingValue => {
                if let Some(input) = &mut self.settings.editing {
                    paste_into(input, text);
                }
            }
            Focus::SubmissionsPrompt => {
                if let Some(
                    Prompt::Assign { input, .. }
                    | Prompt::Export { input }
                    | Prompt::Roster { input },
                ) = &mut self.submissions.prompt
                {
                    paste_into(input, text);
                }
            }
            Focus::SubmissionsFilter => self.submissions.paste_into_filter(text),
            Focus::RequestsFilter => self.requests.paste_into_filter(text),
            Focus::Help
            | Focus::Downloads
            | Focus::Confirm
            | Focus::Qr
            | Focus::Mail
            | Focus::Tab(_) => {}
        }
        Vec::new()
    }

    /// Ctrl-C, whatever has the focus: a question on screen is answered "quit", the form
    /// asks before dropping what was typed, and everywhere else handin quits at once
    /// unless a download or a sending is under way, which it asks about first.
    fn interrupt(&mut self, focus: Focus) -> Vec<Effect> {
        match focus {
            Focus::Confirm => {
                self.modal = None;
                self.quitting = true;
                Vec::new()
            }
            Focus::Form => self.form_interrupt(),
            _ => self.quit_or_ask(),
        }
    }

    /// Quits, after asking when a sending or a download is under way (nothing is lost,
    /// but the professor may not know what stops and what resumes).
    pub(super) fn quit_or_ask(&mut self) -> Vec<Effect> {
        if let Some(overlay) = &self.mail
            && matches!(overlay.phase, super::MailPhase::Sending { .. })
        {
            let tally = overlay.tally();
            self.modal = Some(Modal::Confirm(Confirm {
                title: "Quit while sending?".to_string(),
                lines: vec![
                    format!(
                        "{} of {} went out; they are recorded.",
                        tally.sent,
                        super::mail::messages(tally.sent + tally.failed + tally.waiting)
                    ),
                    "The rest are not sent.".to_string(),
                ],
                yes: "quit".to_string(),
                pending: Pending::Quit,
            }));
            return Vec::new();
        }
        if !self.downloads.running {
            self.quitting = true;
            return Vec::new();
        }
        let done = match &self.downloads.snapshot {
            Some(s) => format!(
                "{} of {} are done; they stay.",
                s.files_done,
                super::downloads::files(s.files_total)
            ),
            None => "No file is downloaded yet.".to_string(),
        };
        self.modal = Some(Modal::Confirm(Confirm {
            title: "Quit while downloading?".to_string(),
            lines: vec![
                done,
                "The rest stop where they are and resume when you download again.".to_string(),
            ],
            yes: "quit".to_string(),
            pending: Pending::Quit,
        }));
        Vec::new()
    }

    /// A key with nothing on top of the tab: Esc clears, anything else goes through the
    /// keymap.
    fn tab_key(&mut self, tab: Tab, key: KeyEvent) -> Vec<Effect> {
        if key.code == KeyCode::Esc {
            if tab == Tab::Requests && !self.requests.filter_text().is_empty() {
                self.requests.clear_filter();
            } else {
                self.status = None;
            }
            return Vec::new();
        }
        let Some(command) = self.keymap.command(tab, &key) else {
            return Vec::new();
        };
        super::on_command(self, command)
    }
}

/// Pasted text into a one-line field at its cursor: line feeds and tabs become spaces,
/// other control characters (a CR, an escape: a paste can bring them, no one types them)
/// are dropped, and the trailing newline a copied line ends with goes. False when nothing
/// was left to paste.
pub(crate) fn paste_into(input: &mut Input, text: &str) -> bool {
    let clean: String = text
        .chars()
        .map(|c| if matches!(c, '\n' | '\t') { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let clean = clean.trim_end();
    if clean.is_empty() {
        return false;
    }
    let cursor = input.cursor();
    let value = input.value();
    let at = value
        .char_indices()
        .nth(cursor)
        .map_or(value.len(), |(byte, _)| byte);
    let pasted = format!("{}{clean}{}", &value[..at], &value[at..]);
    *input = Input::new(pasted).with_cursor(cursor + clean.chars().count());
    true
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crossterm::event::KeyCode;
    use tui_input::Input;

    use super::*;
    use crate::action::Action;
    use crate::config::Config;
    use crate::dropbox::Metadata;
    use crate::fixtures::{fixed_now, sample_files, sample_files_request, sample_requests};
    use crate::state::form::RequestForm;
    use crate::state::settings::{SettingKey, SignIn};
    use crate::state::test_support::{ctrl, paste, press};
    use crate::state::{Environment, update};
    use crate::time::Zone;

    /// The sample term loaded, "Lab report 1" selected in the Requests tab; downloads
    /// and exports go to /grading, never the home folder.
    fn on_lab_report() -> State {
        let config = Config {
            download_dir: Some("/grading".into()),
            ..Config::default()
        };
        let mut state =
            State::new(fixed_now(), Zone::utc(), Environment::default()).with_config(config);
        update(
            &mut state,
            Action::Resize(crate::ui::layout::screen(80, 24)),
        );
        state.start();
        update(
            &mut state,
            Action::RequestsLoaded {
                generation: 1,
                result: Ok(sample_requests(fixed_now())),
            },
        );
        let title = sample_files_request(fixed_now()).title;
        while state
            .requests
            .selected_row()
            .is_some_and(|row| row.request.title != title)
        {
            press(&mut state, KeyCode::Down);
        }
        state
    }

    /// "Lab report 1" opened in the Submissions tab, its files listed and its roster read.
    fn opened() -> State {
        let mut state = on_lab_report();
        press(&mut state, KeyCode::Enter);
        let generation = state.submissions.generation;
        let entries = sample_files(fixed_now())
            .into_iter()
            .map(Metadata::File)
            .collect();
        update(
            &mut state,
            Action::FilesListed {
                generation,
                result: Ok((entries, "cursor".into())),
            },
        );
        update(
            &mut state,
            Action::RosterLoaded {
                generation,
                result: Ok(crate::fixtures::sample_roster()),
            },
        );
        assert_eq!(state.tab, Tab::Submissions);
        state
    }

    #[test]
    fn a_paste_reaches_a_setting_value() {
        let mut state = on_lab_report();
        press(&mut state, KeyCode::Char('3'));
        assert_eq!(state.settings.selected_key(), SettingKey::CoursesRoot);
        press(&mut state, KeyCode::Enter);
        ctrl(&mut state, 'u');
        paste(&mut state, "/Teaching/2026\n");
        assert_eq!(state.focus(), Focus::SettingValue);
        let effects = press(&mut state, KeyCode::Enter);
        let [Effect::SaveConfig { config, .. }] = effects.as_slice() else {
            panic!("expected the setting saved: {effects:?}");
        };
        assert_eq!(config.courses_root, "/Teaching/2026");
    }

    #[test]
    fn a_paste_reaches_the_submissions_filter() {
        let mut state = opened();
        press(&mut state, KeyCode::Char('v'));
        assert_eq!(state.submissions.view, crate::state::SubmissionsView::Files);
        let all = state.submissions.visible.len();
        press(&mut state, KeyCode::Char('/'));
        paste(&mut state, "ada lovelace\n");
        assert_eq!(state.submissions.filter.value(), "ada lovelace");
        let shown: Vec<_> = state
            .submissions
            .visible
            .iter()
            .map(|&i| state.submissions.submissions[i].student.clone())
            .collect();
        assert!(!shown.is_empty() && shown.len() < all, "{shown:?}");
        assert!(
            shown.iter().all(|s| s.as_deref() == Some("Ada Lovelace")),
            "{shown:?}"
        );
    }

    #[test]
    fn a_paste_reaches_the_roster_prompt() {
        let mut state = opened();
        press(&mut state, KeyCode::Char('R'));
        ctrl(&mut state, 'u');
        paste(&mut state, "/rosters/phys150.csv\n");
        let effects = press(&mut state, KeyCode::Enter);
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::LoadRoster { path, .. } if path == &PathBuf::from("/rosters/phys150.csv")
            )),
            "{effects:?}"
        );
    }

    #[test]
    fn a_paste_reaches_the_export_prompt() {
        let mut state = opened();
        press(&mut state, KeyCode::Char('E'));
        ctrl(&mut state, 'u');
        paste(&mut state, "/grading/phys150 lab 1.csv");
        let effects = press(&mut state, KeyCode::Enter);
        let [Effect::ExportClass { path, .. }] = effects.as_slice() else {
            panic!("expected the export: {effects:?}");
        };
        assert_eq!(path, &PathBuf::from("/grading/phys150 lab 1.csv"));
    }

    #[test]
    fn a_paste_reaches_the_assign_prompt() {
        let mut state = opened();
        press(&mut state, KeyCode::Char('v'));
        let file_id = state
            .submissions
            .selected_submission()
            .expect("a file")
            .file_id
            .clone();
        press(&mut state, KeyCode::Char('a'));
        ctrl(&mut state, 'u');
        paste(&mut state, "Alan Turing\n");
        let effects = press(&mut state, KeyCode::Enter);
        let [Effect::SaveAssignments { assignments }] = effects.as_slice() else {
            panic!("expected the assignment saved: {effects:?}");
        };
        assert_eq!(assignments.get(&file_id), Some("Alan Turing"));
    }

    #[test]
    fn a_paste_goes_in_at_the_cursor_and_on_one_line() {
        let mut input = Input::new("Lab  report".to_string()).with_cursor(4);
        assert!(paste_into(&mut input, "4\r\n-\tfinal\u{1b} \n"));
        assert_eq!(input.value(), "Lab 4 - final report");
        assert_eq!(input.cursor(), "Lab 4 - final".chars().count());
        assert!(!paste_into(&mut input, "\r\n"), "nothing left to paste");
    }

    /// Every text field handin has, by name, with its value.
    fn fields(state: &State) -> Vec<(&'static str, String)> {
        let prompt = match &state.submissions.prompt {
            Some(
                Prompt::Assign { input, .. } | Prompt::Export { input } | Prompt::Roster { input },
            ) => input.value().to_string(),
            None => String::new(),
        };
        let sign_in = match &state.settings.sign_in {
            Some(SignIn::Token { token: input, .. } | SignIn::Code { code: input, .. }) => {
                input.value().to_string()
            }
            _ => String::new(),
        };
        let form = match &state.modal {
            Some(Modal::Form(form)) => form.title.value().to_string(),
            _ => String::new(),
        };
        vec![
            ("requests filter", state.requests.filter.value().to_string()),
            (
                "submissions filter",
                state.submissions.filter.value().to_string(),
            ),
            ("submissions prompt", prompt),
            (
                "setting value",
                state
                    .settings
                    .editing
                    .as_ref()
                    .map(|i| i.value().to_string())
                    .unwrap_or_default(),
            ),
            ("sign-in", sign_in),
            ("form", form),
        ]
    }

    fn changed(before: &State, after: &State) -> Vec<&'static str> {
        fields(before)
            .into_iter()
            .zip(fields(after))
            .filter(|((_, a), (_, b))| a != b)
            .map(|((name, _), _)| name)
            .collect()
    }

    /// Every tab with each of its prompts, under every overlay and modal (pairs that the
    /// app may never show together included: routing must not depend on that), gets a
    /// typed letter and the same letter pasted: both land in the same field, the one of
    /// the layer on top, or in none when that layer takes no text.
    #[test]
    fn keys_and_pastes_go_to_the_same_layer_in_every_state() {
        type Setup = fn(&mut State);
        let unders: [(&str, Setup); 10] = [
            ("requests", |s| s.tab = Tab::Requests),
            ("requests filter", |s| {
                s.tab = Tab::Requests;
                s.requests.filter_editing = true;
            }),
            ("submissions", |s| s.tab = Tab::Submissions),
            ("submissions filter", |s| {
                s.tab = Tab::Submissions;
                s.submissions.filter_editing = true;
            }),
            ("assign", |s| {
                s.tab = Tab::Submissions;
                s.submissions.prompt = Some(Prompt::Assign {
                    file_id: "id:x".into(),
                    input: Input::default(),
                });
            }),
            ("export", |s| {
                s.tab = Tab::Submissions;
                s.submissions.prompt = Some(Prompt::Export {
                    input: Input::default(),
                });
            }),
            ("roster", |s| {
                s.tab = Tab::Submissions;
                s.submissions.prompt = Some(Prompt::Roster {
                    input: Input::default(),
                });
            }),
            ("settings", |s| s.tab = Tab::Settings),
            ("setting value", |s| {
                s.tab = Tab::Settings;
                s.settings.editing = Some(Input::default());
            }),
            ("sign-in", |s| {
                s.tab = Tab::Settings;
                s.settings.sign_in = Some(SignIn::Token {
                    token: Input::default(),
                    error: None,
                    checking: false,
                });
            }),
        ];
        let tops: [(&str, Setup); 7] = [
            ("nothing", |_| {}),
            ("help", |s| s.help_open = true),
            ("downloads", |s| s.downloads.shown = true),
            ("form", |s| {
                s.modal = Some(Modal::Form(Box::new(RequestForm::create("/Courses", None))))
            }),
            ("confirm", |s| {
                s.modal = Some(Modal::Confirm(Confirm {
                    title: "Delete?".into(),
                    lines: Vec::new(),
                    yes: "delete".into(),
                    pending: Pending::DeleteAllClosed,
                }))
            }),
            ("qr", |s| {
                s.modal = Some(Modal::Qr {
                    title: "Lab".into(),
                    url: "https://www.dropbox.com/request/x".into(),
                })
            }),
            ("mail", |s| {
                s.tab = Tab::Requests;
                press(s, KeyCode::Char('m'));
                assert!(s.mail.is_some(), "m opens the mail overlay");
            }),
        ];
        let base = opened();
        let mut seen = std::collections::HashSet::new();
        for (top_name, top) in tops {
            for (under_name, under) in unders {
                let mut state = base.clone();
                top(&mut state);
                under(&mut state);
                let focus = state.focus();
                seen.insert(format!("{focus:?}"));
                let mut typed = state.clone();
                press(&mut typed, KeyCode::Char('ж'));
                let mut pasted = state.clone();
                paste(&mut pasted, "ж");
                let by_key = changed(&state, &typed);
                let by_paste = changed(&state, &pasted);
                let case = format!("{under_name} under {top_name} ({focus:?})");
                assert_eq!(by_key, by_paste, "{case}: a key and a paste went apart");
                assert_eq!(
                    by_key.len(),
                    usize::from(focus.takes_text()),
                    "{case}: {by_key:?}"
                );
            }
        }
        assert_eq!(seen.len(), 14, "every focus was reached: {seen:?}");
    }
}
