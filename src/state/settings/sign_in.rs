//! Signing in from the Settings tab: OAuth with a pasted code, a pasted App Console
//! token, signing out, and picking the team member a team token acts as.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler as _;

use super::{SettingKey, SignIn};
use crate::action::Effect;
use crate::config::ConfigKey;
use crate::credentials::Secret;
use crate::dropbox::{AuthStatus, TeamMember};
use crate::state::{Level, State, Status};

impl State {
    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(Status {
            level,
            text: text.into(),
        });
    }

    pub(in crate::state) fn begin_sign_in(&mut self) -> Vec<Effect> {
        let Some(app_key) = self
            .config()
            .app_key
            .clone()
            .filter(|k| !k.trim().is_empty())
        else {
            self.settings.selected = SettingKey::ALL
                .iter()
                .position(|k| *k == SettingKey::AppKey)
                .unwrap_or(0);
            self.say(
                Level::Error,
                "Signing in needs your app's key: set App key (Enter) from the app's page in \
                 the Dropbox App Console, then press l again.",
            );
            return Vec::new();
        };
        self.settings.sign_in = Some(SignIn::Starting);
        vec![Effect::StartLogin { app_key }]
    }

    pub(in crate::state) fn begin_paste_token(&mut self) -> Vec<Effect> {
        self.settings.sign_in = Some(SignIn::Token {
            token: Input::default(),
            error: None,
            checking: false,
        });
        Vec::new()
    }

    pub(in crate::state) fn begin_pick_member(&mut self) -> Vec<Effect> {
        self.settings.sign_in = Some(SignIn::LoadingMembers);
        vec![Effect::LoadTeamMembers]
    }

    pub(in crate::state) fn begin_sign_out(&mut self) -> Vec<Effect> {
        self.settings.sign_in = Some(SignIn::ConfirmSignOut);
        Vec::new()
    }

    /// The authorize URL is ready: show it, and copy it so it can be pasted in a browser.
    pub(in crate::state) fn login_ready(&mut self, result: Result<String, String>) -> Vec<Effect> {
        if !matches!(self.settings.sign_in, Some(SignIn::Starting)) {
            return Vec::new();
        }
        match result {
            Ok(url) => {
                self.settings.sign_in = Some(SignIn::Code {
                    url: url.clone(),
                    code: Input::default(),
                    error: None,
                    exchanging: false,
                });
                vec![Effect::Copy { text: url }]
            }
            Err(sentence) => {
                self.settings.sign_in = None;
                self.say(Level::Error, sentence);
                Vec::new()
            }
        }
    }

    pub(in crate::state) fn signed_in(
        &mut self,
        result: Result<AuthStatus, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(status) => {
                self.settings.sign_in = None;
                let how = match status.method {
                    crate::dropbox::AuthMethod::OAuth => {
                        "Signed in with OAuth; handin renews access by itself."
                    }
                    _ => {
                        "Token accepted. App Console tokens last a few hours and cannot be \
                         renewed: sign in with l to stay signed in."
                    }
                };
                self.say(Level::Info, how);
                self.settings.auth = Some(status);
                // Everything shown belonged to whoever was signed in before.
                vec![
                    self.begin_account_load(),
                    self.requests.begin_load(),
                    self.start_count(),
                ]
            }
            Err(sentence) => {
                match &mut self.settings.sign_in {
                    Some(SignIn::Code {
                        error, exchanging, ..
                    }) => {
                        *error = Some(sentence);
                        *exchanging = false;
                    }
                    Some(SignIn::Token {
                        error, checking, ..
                    }) => {
                        *error = Some(sentence);
                        *checking = false;
                    }
                    _ => self.say(Level::Error, sentence),
                }
                Vec::new()
            }
        }
    }

    pub(in crate::state) fn signed_out(&mut self, problem: Option<String>) -> Vec<Effect> {
        self.settings.sign_in = None;
        self.settings.auth = Some(AuthStatus {
            method: crate::dropbox::AuthMethod::None,
            expires_at: None,
            is_team_token: None,
        });
        self.account.account = None;
        match problem {
            None => self.say(
                Level::Info,
                "Signed out: the token is revoked and the stored credentials are deleted.",
            ),
            Some(sentence) => self.say(
                Level::Error,
                format!("The stored credentials are deleted, but Dropbox did not confirm the revocation: {sentence}"),
            ),
        }
        vec![self.begin_account_load()]
    }

    pub(in crate::state) fn members_loaded(&mut self, result: Result<Vec<TeamMember>, String>) {
        if !matches!(self.settings.sign_in, Some(SignIn::LoadingMembers)) {
            return;
        }
        match result {
            Ok(members) if !members.is_empty() => {
                let current = self.config().select_user.clone();
                let selected = members
                    .iter()
                    .position(|m| Some(&m.member_id) == current.as_ref())
                    .unwrap_or(0);
                self.settings.sign_in = Some(SignIn::Members { members, selected });
            }
            Ok(_) => {
                self.settings.sign_in = None;
                self.say(Level::Error, "Dropbox listed no members for this team.");
            }
            Err(sentence) => {
                self.settings.sign_in = None;
                self.say(Level::Error, sentence);
            }
        }
    }

    /// A key while a sign-in step is open.
    pub(in crate::state) fn sign_in_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(step) = self.settings.sign_in.take() else {
            return Vec::new();
        };
        if key.code == KeyCode::Esc {
            return Vec::new();
        }
        match step {
            SignIn::Starting | SignIn::LoadingMembers => {
                self.settings.sign_in = Some(step);
                Vec::new()
            }
            SignIn::ConfirmSignOut => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => vec![Effect::SignOut],
                _ => Vec::new(),
            },
            SignIn::Code {
                url,
                mut code,
                error,
                exchanging,
            } => {
                if exchanging {
                    self.settings.sign_in = Some(SignIn::Code {
                        url,
                        code,
                        error,
                        exchanging,
                    });
                    return Vec::new();
                }
                let mut effects = Vec::new();
                let mut error = error;
                let mut exchanging = false;
                match key.code {
                    KeyCode::Enter if code.value().trim().is_empty() => {
                        error = Some(
                            "Paste the code Dropbox shows after you approve handin.".to_string(),
                        );
                    }
                    KeyCode::Enter => {
                        exchanging = true;
                        error = None;
                        effects.push(Effect::FinishLogin {
                            code: code.value().trim().to_string(),
                        });
                    }
                    KeyCode::Char('y') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        effects.push(Effect::Copy { text: url.clone() });
                    }
                    _ => {
                        code.handle_event(&Event::Key(key));
                    }
                }
                self.settings.sign_in = Some(SignIn::Code {
                    url,
                    code,
                    error,
                    exchanging,
                });
                effects
            }
            SignIn::Token {
                mut token,
                error,
                checking,
            } => {
                if checking {
                    self.settings.sign_in = Some(SignIn::Token {
                        token,
                        error,
                        checking,
                    });
                    return Vec::new();
                }
                let mut effects = Vec::new();
                let mut error = error;
                let mut checking = false;
                match key.code {
                    KeyCode::Enter => {
                        let text = token.value().trim().to_string();
                        if text.is_empty() {
                            error = Some("Paste the token first (it starts with sl.).".to_string());
                        } else if text.contains(char::is_whitespace) {
                            error = Some(
                                "A token has no spaces; copy it again from the App Console."
                                    .to_string(),
                            );
                        } else {
                            checking = true;
                            error = None;
                            effects.push(Effect::UseToken {
                                token: Secret::new(text),
                            });
                        }
                    }
                    _ => {
                        token.handle_event(&Event::Key(key));
                    }
                }
                self.settings.sign_in = Some(SignIn::Token {
                    token,
                    error,
                    checking,
                });
                effects
            }
            SignIn::Members {
                members,
                mut selected,
            } => match key.code {
                KeyCode::Up | KeyCode::Char('k') => {
                    selected = selected.saturating_sub(1);
                    self.settings.sign_in = Some(SignIn::Members { members, selected });
                    Vec::new()
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    selected = (selected + 1).min(members.len().saturating_sub(1));
                    self.settings.sign_in = Some(SignIn::Members { members, selected });
                    Vec::new()
                }
                KeyCode::Enter => {
                    let Some(member) = members.get(selected) else {
                        return Vec::new();
                    };
                    let mut next = self.config().clone();
                    next.select_user = Some(member.member_id.clone());
                    self.say(
                        Level::Info,
                        format!("Acting as {} from now on.", member.name),
                    );
                    let mut effects = vec![Effect::SetTeamContext {
                        select_user: next.select_user.clone(),
                        path_root: next.path_root.clone(),
                    }];
                    effects.extend(self.save_config(next, ConfigKey::dotted("select_user")));
                    effects.push(self.begin_account_load());
                    effects.push(self.requests.begin_load());
                    effects.push(self.start_count());
                    effects
                }
                _ => {
                    self.settings.sign_in = Some(SignIn::Members { members, selected });
                    Vec::new()
                }
            },
        }
    }

    /// Pasted text goes into the code or token field.
    pub(in crate::state) fn sign_in_paste(&mut self, text: &str) {
        if let Some(SignIn::Code { code: input, .. } | SignIn::Token { token: input, .. }) =
            &mut self.settings.sign_in
        {
            crate::state::focus::paste_into(input, text.trim_start());
        }
    }

    /// Enter on the Path root line of a team account toggles between the member's home
    /// and the team space; elsewhere it edits the value as text.
    pub(in crate::state) fn edit_setting(&mut self) -> Vec<Effect> {
        if self.settings.selected_key() == SettingKey::TeamSpace
            && let Some(team_root) = self.team_root()
        {
            let mut next = self.config().clone();
            next.path_root = match next.path_root {
                Some(_) => None,
                None => Some(team_root),
            };
            let effects = vec![Effect::SetTeamContext {
                select_user: next.select_user.clone(),
                path_root: next.path_root.clone(),
            }];
            let mut all = effects;
            all.extend(self.save_config(next, ConfigKey::dotted("path_root")));
            all.push(self.requests.begin_load());
            all.push(self.start_count());
            return all;
        }
        self.settings.start_editing();
        Vec::new()
    }

    /// The team space's namespace id, when the account belongs to a team.
    pub fn team_root(&self) -> Option<String> {
        match &self.account.account.as_ref()?.root_info {
            dropbox_sdk::common::RootInfo::Team(team) => Some(team.root_namespace_id.clone()),
            _ => None,
        }
    }
}
