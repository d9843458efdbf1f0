//! Writing CSV (RFC 4180) for the class export, the course grid and the scripting
//! commands; reading is the roster parser's job ([`super::roster::csv_records`]).
//!
//! Every cell handin writes passes through [`neutralise_formula`]: a student who types
//! `=HYPERLINK(...)` as their name on Dropbox's upload page must not get a live formula
//! into the professor's spreadsheet.

use std::borrow::Cow;

/// A cell a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return) with a `'` in front, as OWASP advises, so it reads as text; any
/// other cell as it is. This applies to every cell, negative numbers included: none of
/// the dates, counts and durations handin writes begins with one of those characters, so
/// only text from outside (names, titles, emails) is ever changed.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Appends one record: fields joined by `delimiter`, each neutralised
/// ([`neutralise_formula`]) and quoted when it holds the delimiter, a quote, a line break
/// or edge whitespace (which readers would trim), quotes inside doubled; then `line_end`
/// (RFC 4180 says CRLF).
pub fn write_record<'a>(
    out: &mut String,
    fields: impl IntoIterator<Item = &'a str>,
    delimiter: char,
    line_end: &str,
) {
    for (position, field) in fields.into_iter().enumerate() {
        if position > 0 {
            out.push(delimiter);
        }
        let field = neutralise_formula(field);
        let field = field.as_ref();
        let needs_quotes = field.contains([delimiter, '"', '\r', '\n'])
            || field.starts_with(char::is_whitespace)
            || field.ends_with(char::is_whitespace);
        if needs_quotes {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str(line_end);
}

/// CSV text written by [`write_record`] as a terminal may show it: inside each cell every
/// control, line break and bidi control is written out ([`crate::untrusted::visible`]);
/// only the line ends between records stay, so no cell can fake a row or send the
/// terminal an escape sequence.
pub fn for_terminal(csv: &str) -> String {
    let mut shown = String::with_capacity(csv.len());
    let mut in_quotes = false;
    let mut cell = String::new();
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A doubled quote inside a quoted cell toggles twice: still inside.
            '"' => {
                in_quotes = !in_quotes;
                cell.push(c);
            }
            '\r' if !in_quotes && chars.peek() == Some(&'\n') => {
                chars.next();
                shown.push_str(&crate::untrusted::visible(&std::mem::take(&mut cell)));
                shown.push_str("\r\n");
            }
            '\n' if !in_quotes => {
                shown.push_str(&crate::untrusted::visible(&std::mem::take(&mut cell)));
                shown.push('\n');
            }
            _ => cell.push(c),
        }
    }
    shown.push_str(&crate::untrusted::visible(&cell));
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut out = String::new();
        write_record(
            &mut out,
            [
                "Ada",
                "Lovelace, Ada",
                "say \"hi\"",
                " padded",
                "two\nlines",
                "",
            ],
            ',',
            "\r\n",
        );
        assert_eq!(
            out,
            "Ada,\"Lovelace, Ada\",\"say \"\"hi\"\"\",\" padded\",\"two\nlines\",\r\n"
        );
        let mut out = String::new();
        write_record(&mut out, ["Lovelace, Ada", "a;b"], ';', "\n");
        assert_eq!(out, "Lovelace, Ada;\"a;b\"\n");
    }

    #[test]
    fn formulas_are_neutralised_and_other_cells_kept() {
        let mut out = String::new();
        write_record(
            &mut out,
            [
                "=HYPERLINK(\"http://x\",\"Click for grade\")",
                "+1",
                "-2",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "Ada = 1",
                "2026-09-10T12:00:00Z",
                "0:05:00",
            ],
            ',',
            "\r\n",
        );
        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"Click for grade\"\")\",'+1,'-2,'@SUM(A1),\
             '\tx,\"'\rx\",Ada = 1,2026-09-10T12:00:00Z,0:05:00\r\n"
        );
    }

    #[test]
    fn on_a_terminal_no_cell_fakes_a_row_or_sends_an_escape() {
        let mut out = String::new();
        write_record(&mut out, ["name", "status"], ',', "\r\n");
        write_record(
            &mut out,
            ["x\nAda Lovelace,on time", "\u{1b}]0;pwned\u{7}\u{202e}"],
            ',',
            "\r\n",
        );
        write_record(&mut out, ["Grace \"G\" Hopper", "late"], ',', "\r\n");
        assert_eq!(
            for_terminal(&out),
            "name,status\r\n\
             \"x\\u{a}Ada Lovelace,on time\",\\u{1b}]0;pwned\\u{7}\\u{202e}\r\n\
             \"Grace \"\"G\"\" Hopper\",late\r\n"
        );
        // Plain CSV passes unchanged, with either line end.
        assert_eq!(for_terminal("a,b\nc,d\n"), "a,b\nc,d\n");
    }
}
