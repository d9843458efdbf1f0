//! Text that came from outside (file names, the names students type on Dropbox's upload
//! page, request titles and folders, roster cells, what a server or a mail server said)
//! as a terminal may show it.
//!
//! A student controls file names and typed names completely: an escape sequence in one
//! could rewrite the clipboard (OSC 52), retitle the window or wipe the screen, a line
//! feed could print a fake row, and a bidi override could make `gpj.exe` read as
//! `exe.jpg` and push every column after it out of line. [`visible`] is the one place
//! such text is made harmless, in the CLI and in the TUI alike: each of those characters
//! is written out as a Rust-style escape (`\u{1b}`), so the professor sees that it was
//! there without the terminal acting on it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must never reach a terminal raw: the C0 controls (line feed and tab
/// included: a name is one line, and a tab would break a column), DEL, the C1 controls,
/// the Unicode line and paragraph separators, and every character with the Bidi_Control
/// property (the embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069,
/// and the marks U+061C, U+200E, U+200F).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_unsafe`] character written out as `\u{…}` (lowercase hex, as
/// Rust writes it); borrowed, untouched, when there is none. Backslashes are left alone:
/// a name that spells an escape itself cannot make the terminal do anything either.
pub fn visible(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_unsafe) else {
        return Cow::Borrowed(text);
    };
    let mut shown = String::with_capacity(text.len() + 8);
    shown.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_unsafe(c) {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// A message of several lines, each shown through [`visible`], the line feeds between
/// them kept. Only for messages whose line breaks handin wrote itself: a name inside one
/// goes through [`visible`] first, or its own line feed would start a line.
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    if !text.contains(|c| is_unsafe(c) && c != '\n') {
        return Cow::Borrowed(text);
    }
    let shown: Vec<Cow<'_, str>> = text.split('\n').map(visible).collect();
    Cow::Owned(shown.join("\n"))
}

/// JSON text with the characters serde_json leaves raw but a terminal would act on (the
/// C1 controls, the bidi controls, the line and paragraph separators) escaped as
/// `\uXXXX`, as JSON allows for any character. serde_json already escapes C0 and DEL is
/// harmless in JSON's eyes but not a terminal's, so it is escaped too. Only string
/// contents can hold such characters (everything else in JSON is ASCII), so the document
/// means exactly what it meant.
pub fn escape_in_json(json: &str) -> Cow<'_, str> {
    // Outside strings serde_json writes only ASCII line feeds and spaces as layout.
    let needs_escape = |c: char| is_unsafe(c) && c != '\n';
    let Some(first) = json.find(needs_escape) else {
        return Cow::Borrowed(json);
    };
    let mut escaped = String::with_capacity(json.len() + 12);
    escaped.push_str(&json[..first]);
    for c in json[first..].chars() {
        if needs_escape(c) {
            let _ = write!(escaped, "\\u{:04x}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Whether a link from the server may be handed on as it is, to the clipboard or into a
/// letter: a web address with no controls, bidi characters or spaces, which would act in
/// the terminal or shell it is pasted into, or hide where it leads.
pub fn is_pastable_link(link: &str) -> bool {
    (link.starts_with("https://") || link.starts_with("http://"))
        && !link.contains(|c: char| is_unsafe(c) || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn printable_text_is_borrowed_unchanged() {
        for text in [
            "",
            "Ada Lovelace - essay.pdf",
            "Zoë 李小龍 🎓",
            "a\\u{1b}b",
            "C:\\x",
        ] {
            assert!(
                matches!(visible(text), Cow::Borrowed(t) if t == text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn c0_controls_line_ends_and_tabs_are_written_out() {
        assert_eq!(
            visible("\u{1b}]52;c;ZXZpbA==\u{7}essay.pdf"),
            "\\u{1b}]52;c;ZXZpbA==\\u{7}essay.pdf"
        );
        assert_eq!(visible("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(
            visible("x\nAda Lovelace\r\tok\0"),
            "x\\u{a}Ada Lovelace\\u{d}\\u{9}ok\\u{0}"
        );
    }

    #[test]
    fn del_and_c1_controls_are_written_out() {
        assert_eq!(visible("a\u{7f}b"), "a\\u{7f}b");
        // U+009B is the single-character CSI some terminals still obey.
        assert_eq!(visible("\u{9b}2J\u{85}\u{80}"), "\\u{9b}2J\\u{85}\\u{80}");
    }

    #[test]
    fn bidi_controls_and_line_separators_are_written_out() {
        assert_eq!(visible("Ada \u{202e}fdp.exe"), "Ada \\u{202e}fdp.exe");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            assert_eq!(
                visible(&c.to_string()),
                format!("\\u{{{:x}}}", u32::from(c))
            );
        }
        assert_eq!(
            visible("\u{61c}\u{200e}\u{200f}\u{2028}\u{2029}"),
            "\\u{61c}\\u{200e}\\u{200f}\\u{2028}\\u{2029}"
        );
    }

    #[test]
    fn a_message_keeps_its_own_lines() {
        assert_eq!(
            visible_lines("two problems:\n  \u{1b}[2J\n  ok"),
            "two problems:\n  \\u{1b}[2J\n  ok"
        );
        assert!(matches!(visible_lines("a\nb"), Cow::Borrowed("a\nb")));
    }

    #[test]
    fn json_gets_c1_and_bidi_escaped_and_still_parses() {
        let name = "\u{9b}31m \u{202e}fdp.exe \u{7f}";
        let json =
            serde_json::to_string_pretty(&serde_json::json!({ "name": name })).expect("serialises");
        let escaped = escape_in_json(&json);
        assert!(!escaped.contains(is_unsafe_except_layout), "{escaped}");
        assert!(
            escaped.contains("\\u009b") && escaped.contains("\\u202e"),
            "{escaped}"
        );
        let back: serde_json::Value = serde_json::from_str(&escaped).expect("valid JSON");
        assert_eq!(back["name"], name);
        assert!(matches!(
            escape_in_json("{\n  \"a\": 1\n}"),
            Cow::Borrowed(_)
        ));
    }

    fn is_unsafe_except_layout(c: char) -> bool {
        is_unsafe(c) && c != '\n'
    }

    proptest! {
        #[test]
        fn nothing_unsafe_is_ever_left(text in any::<String>()) {
            let shown = visible(&text);
            prop_assert!(!shown.contains(is_unsafe), "{:?} shown as {:?}", text, shown);
        }

        #[test]
        fn printable_text_is_never_changed(text in "\\PC*") {
            let printable: String = text.chars().filter(|&c| !is_unsafe(c)).collect();
            prop_assert_eq!(visible(&printable), printable.as_str());
        }

        #[test]
        fn json_keeps_its_meaning(text in any::<String>()) {
            let json = serde_json::to_string(&text).expect("serialises");
            let escaped = escape_in_json(&json);
            prop_assert!(!escaped.contains(is_unsafe));
            let back: String = serde_json::from_str(&escaped).expect("valid JSON");
            prop_assert_eq!(back, text);
        }
    }

    #[test]
    fn only_a_plain_web_address_is_a_pastable_link() {
        assert!(is_pastable_link(
            "https://www.dropbox.com/request/oaCAVmEyrqYnkZX9955Y"
        ));
        for hostile in [
            "https://www.dropbox.com/request/x\nrm -rf ~\n",
            "https://www.dropbox.com/request/x\u{1b}]52;c;UFdO\u{7}",
            "https://www.dropbox.com/request/x \u{202e}",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!is_pastable_link(hostile), "{hostile:?}");
        }
    }
}
