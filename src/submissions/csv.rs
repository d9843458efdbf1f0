//! Writing CSV (RFC 4180) for the class export and the scripting commands; reading is
//! the roster parser's job ([`super::roster::csv_records`]).

/// Appends one record: fields joined by `delimiter`, each quoted when it holds the
/// delimiter, a quote, a line break or edge whitespace (which readers would trim), quotes
/// inside doubled; then `line_end` (RFC 4180 says CRLF).
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
}
