//! The modal on top of every tab (the request form, a question before something
//! destructive, the QR code): it takes the keys until it closes.

use crossterm::event::{KeyCode, KeyEvent};

use super::State;
use super::form::RequestForm;
use crate::action::Effect;

/// An overlay that takes the keys until it closes.
#[derive(Debug, Clone)]
pub enum Modal {
    Form(Box<RequestForm>),
    Confirm(Confirm),
    /// The upload link as a QR code, for the projector.
    Qr {
        title: String,
        url: String,
    },
}

/// A question before a destructive change: it names what goes and what stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    /// What `y` does, e.g. "delete it".
    pub yes: String,
    pub pending: Pending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Close {
        id: String,
    },
    Delete {
        id: String,
    },
    CloseAndDelete {
        id: String,
    },
    DeleteAllClosed,
    /// Quit although a download (or a sending) is under way.
    Quit,
    /// Send the mail overlay's letters (`retry`: the ones that did not go).
    SendMail {
        retry: bool,
    },
    /// Stop the sending under way.
    StopMail,
}

impl State {
    /// A key while a modal is open (Ctrl-C never comes here: see `focus`).
    pub(super) fn modal_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(modal) = self.modal.take() else {
            return Vec::new();
        };
        match modal {
            Modal::Qr { .. } => Vec::new(),
            Modal::Confirm(confirm) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.confirmed(confirm.pending)
                }
                _ => Vec::new(),
            },
            Modal::Form(mut form) => {
                let outcome = form.key(key, self.now, self.zone);
                self.form_outcome(form, outcome)
            }
        }
    }

    /// Ctrl-C on the form: it asks first when something was typed.
    pub(super) fn form_interrupt(&mut self) -> Vec<Effect> {
        match self.modal.take() {
            Some(Modal::Form(mut form)) => {
                let outcome = form.interrupt();
                self.form_outcome(form, outcome)
            }
            other => {
                self.modal = other;
                Vec::new()
            }
        }
    }

    pub(super) fn modal_paste(&mut self, text: &str) -> Vec<Effect> {
        match self.modal.take() {
            Some(Modal::Form(mut form)) => {
                let outcome = form.paste(text);
                self.form_outcome(form, outcome)
            }
            other => {
                self.modal = other;
                Vec::new()
            }
        }
    }

    /// y (or Enter) on a question: do what it asked about.
    fn confirmed(&mut self, pending: Pending) -> Vec<Effect> {
        match pending {
            Pending::Quit => {
                self.quitting = true;
                Vec::new()
            }
            Pending::SendMail { retry } => self.send_mail(retry),
            Pending::StopMail => self.stop_mail(),
            Pending::Close { .. }
            | Pending::Delete { .. }
            | Pending::CloseAndDelete { .. }
            | Pending::DeleteAllClosed => self.confirmed_change(pending),
        }
    }
}
