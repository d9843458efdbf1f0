//! Emailing a request's upload link to a class (invite) and to the students still
//! missing (remind): templates with placeholders, one plain-text UTF-8 message per
//! student, sent over SMTP (lettre), the local `sendmail`, or written as `.eml` files
//! (dry run), and a record of what went to whom.
//!
//! The TUI (`m`/`M` on a request) and `handin mail invite|remind` share all of it.

pub mod compose;
pub mod record;
pub mod template;
pub mod transport;

pub use compose::{Recipients, check_address, professor_name, recipients, written_deadline};
pub use record::{MailLog, Sent};
pub use template::{PLACEHOLDERS, Template, TemplateError, Templates, Values, letter};
pub use transport::{Mailer, MailerError};

use serde::{Deserialize, Serialize};

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The upload link, to the class (or a chosen part of it).
    Invite,
    /// The upload link again, to the students who have not handed in.
    Remind,
}

impl Kind {
    /// "invited", "reminded": for the record line.
    pub fn past(self) -> &'static str {
        match self {
            Kind::Invite => "invited",
            Kind::Remind => "reminded",
        }
    }
}

/// One student to write to, as the roster has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// A message ready to send: one recipient, the subject and body already filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub recipient: Recipient,
    pub subject: String,
    pub body: String,
}

/// What became of one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The server took it (or the `.eml` file was written).
    Sent,
    /// Not sent, and why, in one sentence (the server's own reply when it gave one).
    Failed(String),
    /// Never tried: the address is not one (the roster row is reported, not sent).
    Skipped(String),
}

impl Delivery {
    pub fn is_sent(&self) -> bool {
        matches!(self, Delivery::Sent)
    }
}

/// Fills `kind`'s template for each recipient, in order; the first template error stops
/// it, before anything is sent.
pub fn letters(
    templates: &Templates,
    kind: Kind,
    values: &Values,
    recipients: &[Recipient],
) -> Result<Vec<Letter>, TemplateError> {
    recipients
        .iter()
        .map(|recipient| letter(templates, kind, values, recipient))
        .collect()
}
