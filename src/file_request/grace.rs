//! The grace period of a request: how long after the deadline Dropbox still takes
//! uploads. Its choices, their words and tags, how long each is, how a typed one is read,
//! and the sentence a student reads all live here, for the TUI, the CLI, the syllabus,
//! the letters and lateness alike.
//!
//! A grace period this handin does not know (Dropbox may add one: the SDK reads it as
//! `Other`) covers nothing. Late work is then reported late beyond grace and the request
//! past due after its deadline, with the grace named "unknown" wherever it shows, so that
//! the professor looks instead of late work passing silently as excused.

use chrono::Duration;

use crate::dropbox::GracePeriod;

/// The choices, shortest first: the order the form cycles through and the table sorts.
pub const CHOICES: [Option<GracePeriod>; 6] = [
    None,
    Some(GracePeriod::OneDay),
    Some(GracePeriod::TwoDays),
    Some(GracePeriod::SevenDays),
    Some(GracePeriod::ThirtyDays),
    Some(GracePeriod::Always),
];

/// How long after the deadline uploads are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraceLength {
    /// Up to and including this long after the deadline; zero for no grace at all.
    Limited(Duration),
    Unlimited,
    /// A grace period this handin does not know.
    Unknown,
}

pub fn length(grace: Option<&GracePeriod>) -> GraceLength {
    let days = match grace {
        None => 0,
        Some(GracePeriod::OneDay) => 1,
        Some(GracePeriod::TwoDays) => 2,
        Some(GracePeriod::SevenDays) => 7,
        Some(GracePeriod::ThirtyDays) => 30,
        Some(GracePeriod::Always) => return GraceLength::Unlimited,
        Some(_) => return GraceLength::Unknown,
    };
    GraceLength::Limited(Duration::days(days))
}

/// Whether work `late_by` after the deadline is still within the grace period; exactly
/// at its end is. An unknown grace period covers nothing (see the module's note).
pub fn covers(grace: Option<&GracePeriod>, late_by: Duration) -> bool {
    match length(grace) {
        GraceLength::Limited(length) => late_by <= length,
        GraceLength::Unlimited => true,
        GraceLength::Unknown => false,
    }
}

/// In words, wherever it shows: the table, the detail pane, the form, the CLI.
pub fn label(grace: Option<&GracePeriod>) -> &'static str {
    match grace {
        None => "none",
        Some(GracePeriod::OneDay) => "1 day",
        Some(GracePeriod::TwoDays) => "2 days",
        Some(GracePeriod::SevenDays) => "7 days",
        Some(GracePeriod::ThirtyDays) => "30 days",
        Some(GracePeriod::Always) => "always",
        Some(_) => "unknown",
    }
}

/// Dropbox's tag (`one_day` ...), as the configuration file and `--json` write it;
/// `none` for no grace and `other` for one this handin does not know.
pub fn tag(grace: Option<&GracePeriod>) -> &'static str {
    match grace {
        None => "none",
        Some(GracePeriod::OneDay) => "one_day",
        Some(GracePeriod::TwoDays) => "two_days",
        Some(GracePeriod::SevenDays) => "seven_days",
        Some(GracePeriod::ThirtyDays) => "thirty_days",
        Some(GracePeriod::Always) => "always",
        Some(_) => "other",
    }
}

/// The place in [`CHOICES`]; an unknown grace period goes last.
pub fn rank(grace: Option<&GracePeriod>) -> usize {
    CHOICES
        .iter()
        .position(|choice| choice.as_ref() == grace)
        .unwrap_or(CHOICES.len())
}

/// What the grace period means for a student, as a sentence.
pub fn sentence(grace: Option<&GracePeriod>) -> String {
    let after = match grace {
        None => return "Late uploads are not accepted.".to_string(),
        Some(GracePeriod::Always) => "at any time after the deadline".to_string(),
        Some(known) if rank(Some(known)) < CHOICES.len() => {
            format!("for {} after the deadline", label(grace))
        }
        Some(_) => {
            return "Late uploads may be accepted for a while after the deadline.".to_string();
        }
    };
    format!("Late uploads are accepted {after}.")
}

/// The choices in the words the TUI shows, shortest first.
pub fn words() -> Vec<&'static str> {
    CHOICES
        .iter()
        .map(|choice| label(choice.as_ref()))
        .collect()
}

/// A grace period as written: the TUI's words (`none`, `1 day`, `2 days`, `7 days`,
/// `30 days`, `always`) or Dropbox's tags (`one_day`, `two_days`, `seven_days`,
/// `thirty_days`, `always`), or short forms (`2d`, `48h`), in any case, with `-` or `_`
/// for spaces. Empty means none.
pub fn parse(text: &str) -> Result<Option<GracePeriod>, String> {
    let wanted = squeeze(text);
    if wanted.is_empty() {
        return Ok(None);
    }
    // Short forms, as the deadline field writes offsets: "2d", "7 days", "48h".
    let digits: String = wanted.chars().take_while(char::is_ascii_digit).collect();
    if let Ok(count) = digits.parse::<i64>() {
        let days = match wanted[digits.len()..].trim() {
            "d" | "day" | "days" => Some(count),
            "h" | "hour" | "hours" if count % 24 == 0 => Some(count / 24),
            _ => None,
        };
        let limited = CHOICES.iter().find(|choice| {
            choice.is_some()
                && days.map(Duration::days).map(GraceLength::Limited)
                    == Some(length(choice.as_ref()))
        });
        if let Some(grace) = limited {
            return Ok(grace.clone());
        }
    }
    let named = CHOICES.iter().find(|choice| {
        wanted == squeeze(tag(choice.as_ref())) || wanted == squeeze(label(choice.as_ref()))
    });
    match named {
        Some(grace) => Ok(grace.clone()),
        None => Err(format!(
            "\"{}\" is not a grace period; use one of {} (or Dropbox's {}).",
            text.trim(),
            words().join(", "),
            CHOICES[1..]
                .iter()
                .map(|choice| tag(choice.as_ref()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Lowercase, `-` and `_` as spaces, runs of spaces as one.
fn squeeze(text: &str) -> String {
    text.to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_takes_the_tuis_words_and_dropboxs_tags() {
        for (text, grace) in [
            ("", None),
            ("none", None),
            ("1 day", Some(GracePeriod::OneDay)),
            ("2d", Some(GracePeriod::TwoDays)),
            ("48h", Some(GracePeriod::TwoDays)),
            ("7 D", Some(GracePeriod::SevenDays)),
            ("30days", Some(GracePeriod::ThirtyDays)),
            ("ONE_DAY", Some(GracePeriod::OneDay)),
            ("2-days", Some(GracePeriod::TwoDays)),
            ("seven_days", Some(GracePeriod::SevenDays)),
            ("30 days", Some(GracePeriod::ThirtyDays)),
            ("always", Some(GracePeriod::Always)),
        ] {
            assert_eq!(parse(text), Ok(grace), "{text}");
        }
        let error = parse("3 days").expect_err("not a choice");
        assert!(
            error.contains("none, 1 day, 2 days, 7 days, 30 days, always"),
            "{error}"
        );
        assert!(error.contains("one_day"), "{error}");
    }

    #[test]
    fn every_choice_reads_back_from_its_words_and_its_tag() {
        for choice in CHOICES {
            assert_eq!(parse(label(choice.as_ref())), Ok(choice.clone()));
            assert_eq!(parse(tag(choice.as_ref())), Ok(choice.clone()));
        }
        assert_eq!(parse("48h"), Ok(Some(GracePeriod::TwoDays)));
        assert_eq!(parse("2 DAYS"), Ok(Some(GracePeriod::TwoDays)));
        let error = parse("3 days").expect_err("not a choice");
        assert!(
            error.contains("none, 1 day, 2 days, 7 days, 30 days, always")
                && error.contains("one_day"),
            "{error}"
        );
        assert!(parse("unknown").is_err() && parse("other").is_err());
    }

    #[test]
    fn an_unknown_grace_covers_nothing_and_says_so() {
        let unknown = Some(&GracePeriod::Other);
        assert_eq!(length(unknown), GraceLength::Unknown);
        assert!(!covers(unknown, Duration::seconds(1)));
        assert_eq!(label(unknown), "unknown");
        assert_eq!(tag(unknown), "other");
        assert_eq!(rank(unknown), CHOICES.len());
    }

    #[test]
    fn each_grace_ends_inclusively() {
        for choice in &CHOICES[..5] {
            let GraceLength::Limited(end) = length(choice.as_ref()) else {
                panic!("{choice:?} is limited");
            };
            assert!(covers(choice.as_ref(), end) || end.is_zero());
            assert!(!covers(choice.as_ref(), end + Duration::seconds(1)));
        }
        assert!(covers(Some(&GracePeriod::Always), Duration::days(3650)));
    }

    #[test]
    fn the_sentence_for_students() {
        assert_eq!(sentence(None), "Late uploads are not accepted.");
        assert_eq!(
            sentence(Some(&GracePeriod::OneDay)),
            "Late uploads are accepted for 1 day after the deadline."
        );
        assert_eq!(
            sentence(Some(&GracePeriod::Always)),
            "Late uploads are accepted at any time after the deadline."
        );
        assert_eq!(
            sentence(Some(&GracePeriod::Other)),
            "Late uploads may be accepted for a while after the deadline."
        );
    }
}
