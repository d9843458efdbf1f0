//! Subject and body templates with `{placeholder}`s. `{{` and `}}` are literal braces.
//! An unknown placeholder is an error when the preview is made, never a literal in a
//! student's inbox.

use super::{Kind, Letter, Recipient};

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 8] = [
    "student",
    "title",
    "url",
    "deadline",
    "grace",
    "description",
    "course",
    "professor",
];

/// One message's subject and body, with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

/// The invite and the reminder: handin's defaults, each part replaceable from
/// `[mail.templates]` in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    pub invite: Template,
    pub remind: Template,
}

/// What the placeholders stand for, for one request (the student comes per letter).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Values {
    pub title: String,
    pub url: String,
    /// Written out in local time: "Friday 4 December 2026 at 23:59 CET"; "none" for a
    /// request without one (so that "Deadline: {deadline}." reads well either way).
    pub deadline: String,
    /// A sentence: "Late uploads are accepted for 1 day after the deadline."; "Late
    /// uploads are not accepted."; empty for a request without a deadline.
    pub grace: String,
    pub description: String,
    /// The course folder's name ("CS101 Intro").
    pub course: String,
    /// The sender's name (from `mail.from`, else the Dropbox account's name).
    pub professor: String,
}

/// A template that cannot be filled: which part, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "the {part} of the {kind} template uses {{{name}}}, which handin does not know; use one of {{student}}, {{title}}, {{url}}, {{deadline}}, {{grace}}, {{description}}, {{course}}, {{professor}} (write {{{{ and }}}} for a literal brace)"
    )]
    Unknown {
        kind: &'static str,
        part: &'static str,
        name: String,
    },
    #[error(
        "the {part} of the {kind} template has an unclosed {{ at character {at}; close it, or write {{{{ for a literal brace"
    )]
    Unclosed {
        kind: &'static str,
        part: &'static str,
        at: usize,
    },
    #[error("the subject of the {kind} template is empty once filled; write a subject")]
    EmptySubject { kind: &'static str },
    #[error(
        "the server gave this request a link with control characters or spaces ({link}), so no letter was written; open the request on dropbox.com for its link"
    )]
    UnusableLink { link: String },
}

const INVITE_SUBJECT: &str = "{course}: hand in {title}";

const INVITE_BODY: &str = "\
Dear {student},

Please hand in {title} through this link:

  {url}

Deadline: {deadline}. {grace}

{description}

You do not need a Dropbox account. When Dropbox asks for your name, write it as the \
class list has it ({student}), so that your work is matched to you.

Best regards,
{professor}
";

const REMIND_SUBJECT: &str = "Reminder: {title} ({course}) is not handed in yet";

const REMIND_BODY: &str = "\
Dear {student},

I have not received your {title} yet. Please hand it in through this link:

  {url}

Deadline: {deadline}. {grace}

If you have handed it in already, it may be under another name: reply to this message \
and I will look for it.

Best regards,
{professor}
";

impl Templates {
    /// handin's own wording, which reads well without any configuration.
    pub fn defaults() -> Templates {
        Templates {
            invite: Template {
                subject: INVITE_SUBJECT.to_string(),
                body: INVITE_BODY.to_string(),
            },
            remind: Template {
                subject: REMIND_SUBJECT.to_string(),
                body: REMIND_BODY.to_string(),
            },
        }
    }

    /// The defaults with the config's `[mail.templates]` overrides applied.
    pub fn from_config(config: &crate::config::MailTemplates) -> Templates {
        let mut templates = Templates::defaults();
        let overrides = [
            (&config.invite_subject, &mut templates.invite.subject),
            (&config.invite_body, &mut templates.invite.body),
            (&config.remind_subject, &mut templates.remind.subject),
            (&config.remind_body, &mut templates.remind.body),
        ];
        for (replacement, part) in overrides {
            if let Some(text) = replacement {
                *part = text.clone();
            }
        }
        templates
    }

    pub fn get(&self, kind: Kind) -> &Template {
        match kind {
            Kind::Invite => &self.invite,
            Kind::Remind => &self.remind,
        }
    }

    /// Every placeholder of both templates is known and every brace closed.
    pub fn check(&self) -> Result<(), TemplateError> {
        for kind in [Kind::Invite, Kind::Remind] {
            let template = self.get(kind);
            parse(&template.subject, kind, "subject")?;
            parse(&template.body, kind, "body")?;
        }
        Ok(())
    }
}

/// Fills `kind`'s template for `recipient`.
pub fn letter(
    templates: &Templates,
    kind: Kind,
    values: &Values,
    recipient: &Recipient,
) -> Result<Letter, TemplateError> {
    // The link is the server's text and the letter is read, and the link pasted, by
    // students: it goes in only as a plain web address.
    if !crate::untrusted::is_pastable_link(&values.url) {
        return Err(TemplateError::UnusableLink {
            link: crate::untrusted::visible(&values.url).into_owned(),
        });
    }
    let template = templates.get(kind);
    let subject = fill(
        &parse(&template.subject, kind, "subject")?,
        values,
        recipient,
    );
    // A header is one line: a title typed with a line break must not end the subject,
    // and a name carrying an escape sequence must not reach the mail reader's terminal.
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let subject = crate::untrusted::visible(&subject).into_owned();
    if subject.is_empty() {
        return Err(TemplateError::EmptySubject {
            kind: kind_name(kind),
        });
    }
    let body = tidy(&fill(
        &parse(&template.body, kind, "body")?,
        values,
        recipient,
    ));
    Ok(Letter {
        recipient: recipient.clone(),
        subject,
        body,
    })
}

/// "invite", "reminder": how errors name a template.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Invite => "invite",
        Kind::Remind => "reminder",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Placeholder(&'static str),
}

/// Splits a template into text and placeholders. `{{` and `}}` are literal braces, and
/// so is a lone `}` (harmless); a `{` must open a known placeholder on the same line.
fn parse(template: &str, kind: Kind, part: &'static str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    let mut consumed_chars = 0;
    while let Some(position) = rest.find(['{', '}']) {
        text.push_str(&rest[..position]);
        consumed_chars += rest[..position].chars().count();
        let after = &rest[position + 1..];
        let brace = &rest[position..position + 1];
        if after.starts_with(brace) {
            text.push_str(brace);
            rest = &after[1..];
            consumed_chars += 2;
            continue;
        }
        if brace == "}" {
            text.push('}');
            rest = after;
            consumed_chars += 1;
            continue;
        }
        let unclosed = TemplateError::Unclosed {
            kind: kind_name(kind),
            part,
            at: consumed_chars + 1,
        };
        let Some(end) = after.find(['}', '{', '\n']) else {
            return Err(unclosed);
        };
        if &after[end..end + 1] != "}" {
            return Err(unclosed);
        }
        let name = after[..end].trim();
        let Some(known) = PLACEHOLDERS.iter().find(|known| **known == name) else {
            return Err(TemplateError::Unknown {
                kind: kind_name(kind),
                part,
                name: name.to_string(),
            });
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Placeholder(known));
        consumed_chars += after[..=end].chars().count() + 1;
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn fill(pieces: &[Piece], values: &Values, recipient: &Recipient) -> String {
    let mut filled = String::new();
    for piece in pieces {
        filled.push_str(match piece {
            Piece::Text(text) => text,
            Piece::Placeholder(name) => match *name {
                "student" => &recipient.name,
                "title" => &values.title,
                "url" => &values.url,
                "deadline" => &values.deadline,
                "grace" => &values.grace,
                "description" => &values.description,
                "course" => &values.course,
                "professor" => &values.professor,
                _ => "",
            },
        });
    }
    filled
}

/// Plain text as mail readers like it: no trailing spaces, one blank line at most between
/// paragraphs (an empty `{description}` leaves no gap), one line break at the end.
fn tidy(body: &str) -> String {
    let mut tidied = String::with_capacity(body.len());
    let mut blank_lines = 0;
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !tidied.is_empty() {
            tidied.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
        }
        blank_lines = 0;
        tidied.push_str(line);
    }
    tidied.push('\n');
    tidied
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            title: "Lab 1".to_string(),
            url: "https://www.dropbox.com/request/abc".to_string(),
            deadline: "Friday 4 December 2026 at 23:59 CET".to_string(),
            grace: "Late uploads are accepted for 1 day after the deadline.".to_string(),
            description: "Hand in one PDF.".to_string(),
            course: "CS101 Intro".to_string(),
            professor: "Ada Lovelace".to_string(),
        }
    }

    fn student() -> Recipient {
        Recipient {
            name: "José Müller".to_string(),
            email: "jose@example.edu".to_string(),
        }
    }

    fn with(subject: &str, body: &str) -> Templates {
        Templates {
            invite: Template {
                subject: subject.to_string(),
                body: body.to_string(),
            },
            remind: Templates::defaults().remind,
        }
    }

    #[test]
    fn the_defaults_fill_every_placeholder_and_read_well() {
        let templates = Templates::defaults();
        templates.check().expect("the defaults are valid");
        let invite = letter(&templates, Kind::Invite, &values(), &student()).expect("filled");
        assert_eq!(invite.subject, "CS101 Intro: hand in Lab 1");
        assert!(
            invite
                .body
                .starts_with("Dear José Müller,\n\nPlease hand in Lab 1")
        );
        assert!(
            invite
                .body
                .contains("\n  https://www.dropbox.com/request/abc\n")
        );
        assert!(invite.body.contains(
            "Deadline: Friday 4 December 2026 at 23:59 CET. Late uploads are accepted for 1 day after the deadline.\n\nHand in one PDF.\n\n"
        ));
        assert!(invite.body.ends_with("Best regards,\nAda Lovelace\n"));
        assert!(!invite.body.contains('{'), "{}", invite.body);
        let remind = letter(&templates, Kind::Remind, &values(), &student()).expect("filled");
        assert_eq!(
            remind.subject,
            "Reminder: Lab 1 (CS101 Intro) is not handed in yet"
        );
        assert!(remind.body.contains("not received your Lab 1 yet"));
    }

    #[test]
    fn empty_values_leave_no_gaps() {
        let values = Values {
            description: String::new(),
            deadline: "none".to_string(),
            grace: String::new(),
            ..values()
        };
        let invite =
            letter(&Templates::defaults(), Kind::Invite, &values, &student()).expect("filled");
        assert!(
            invite.body.contains("Deadline: none.\n\nYou do not need"),
            "{}",
            invite.body
        );
        assert!(!invite.body.contains("\n\n\n"));
        assert!(!invite.body.contains(" \n"));
    }

    #[test]
    fn doubled_braces_are_literal() {
        let templates = with("{{{title}}}", "a }} b {{c}} d } e {student}");
        templates.check().expect("valid");
        let filled = letter(&templates, Kind::Invite, &values(), &student()).expect("filled");
        assert_eq!(filled.subject, "{Lab 1}");
        assert_eq!(filled.body, "a } b {c} d } e José Müller\n");
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_the_known_ones() {
        let error = with("{title}", "Hi {studnet}")
            .check()
            .expect_err("unknown");
        assert_eq!(
            error,
            TemplateError::Unknown {
                kind: "invite",
                part: "body",
                name: "studnet".to_string()
            }
        );
        let sentence = error.to_string();
        assert!(sentence.starts_with("the body of the invite template uses {studnet}, which handin does not know; use one of {student}, {title}"), "{sentence}");
        assert!(
            sentence.contains("write {{ and }} for a literal brace"),
            "{sentence}"
        );
        // letter() refuses it too: nothing with a brace left in reaches a student.
        assert!(
            letter(
                &with("{title}", "Hi {studnet}"),
                Kind::Invite,
                &values(),
                &student()
            )
            .is_err()
        );
    }

    #[test]
    fn an_unclosed_brace_says_where() {
        for (body, at) in [("Hi {student", 4), ("ab\n{x\n}", 4), ("é{ {title}", 2)] {
            let error = with("s", body).check().expect_err(body);
            assert_eq!(
                error,
                TemplateError::Unclosed {
                    kind: "invite",
                    part: "body",
                    at
                },
                "{body}"
            );
        }
        let sentence = with("s", "{").check().expect_err("unclosed").to_string();
        assert_eq!(
            sentence,
            "the body of the invite template has an unclosed { at character 1; close it, or write {{ for a literal brace"
        );
    }

    #[test]
    fn spaces_inside_a_placeholder_are_fine() {
        let filled =
            letter(&with("{ title }", "x"), Kind::Invite, &values(), &student()).expect("filled");
        assert_eq!(filled.subject, "Lab 1");
    }

    #[test]
    fn a_subject_never_carries_a_raw_control() {
        let values = Values {
            title: "Lab\r\n1\u{1b}]0;x\u{7} \u{202e}fdp\u{85}".to_string(),
            ..values()
        };
        let recipient = Recipient {
            name: "Ada\u{1b}[2J".to_string(),
            ..student()
        };
        let filled = letter(
            &with("{title} for {student}", "x"),
            Kind::Invite,
            &values,
            &recipient,
        )
        .expect("filled");
        assert_eq!(
            filled.subject,
            "Lab 1\\u{1b}]0;x\\u{7} \\u{202e}fdp for Ada\\u{1b}[2J"
        );
    }

    #[test]
    fn a_link_that_could_act_where_it_is_pasted_writes_no_letter() {
        let values = Values {
            url: "https://www.dropbox.com/request/x\n\u{1b}]52;c;UFdO\u{7}".to_string(),
            ..values()
        };
        let refused = letter(&Templates::defaults(), Kind::Invite, &values, &student())
            .expect_err("unusable link");
        let sentence = refused.to_string();
        assert!(
            sentence.contains("\\u{1b}") && !sentence.contains('\u{1b}'),
            "{sentence}"
        );
    }

    #[test]
    fn a_subject_is_one_line_and_never_empty() {
        let values = Values {
            title: "Lab\n1".to_string(),
            ..values()
        };
        let filled =
            letter(&with("  {title}  ", "x"), Kind::Invite, &values, &student()).expect("filled");
        assert_eq!(filled.subject, "Lab 1");
        let error = letter(
            &with("{description}", "x"),
            Kind::Invite,
            &Values {
                url: values.url.clone(),
                ..Values::default()
            },
            &student(),
        )
        .expect_err("empty");
        assert_eq!(
            error.to_string(),
            "the subject of the invite template is empty once filled; write a subject"
        );
    }

    #[test]
    fn config_overrides_replace_only_their_part() {
        let config = crate::config::MailTemplates {
            remind_subject: Some("Still missing: {title}".to_string()),
            ..Default::default()
        };
        let templates = Templates::from_config(&config);
        assert_eq!(templates.remind.subject, "Still missing: {title}");
        assert_eq!(templates.remind.body, REMIND_BODY);
        assert_eq!(templates.invite, Templates::defaults().invite);
        let broken = crate::config::MailTemplates {
            remind_body: Some("{when}".to_string()),
            ..Default::default()
        };
        let error = Templates::from_config(&broken)
            .check()
            .expect_err("unknown");
        assert!(
            error
                .to_string()
                .starts_with("the body of the reminder template uses {when}")
        );
    }
}
