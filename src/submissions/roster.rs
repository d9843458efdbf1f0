//! A course's class list, read from the CSV a spreadsheet or the university's system
//! exports, and the tolerant name matching that ties typed names to its students.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use super::names::fold;
use crate::config::looks_like_address;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    /// As written in the roster, whitespace tidied.
    pub name: String,
    pub email: String,
    /// The university's student number, when the roster has an `id` column.
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roster {
    /// In the file's order; class views list students in this order.
    pub students: Vec<Student>,
}

/// Why a roster was refused: the line (1-based, of the file as a text editor numbers it)
/// and a reason that says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RosterError {
    pub line: usize,
    pub reason: String,
}

impl RosterError {
    fn new(line: usize, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

/// Reads a roster: a header with `name` and `email` columns (and optionally `id`; other
/// columns are ignored), in any order and any case. UTF-8 with or without a BOM; comma or
/// semicolon separated, whichever the header uses (spreadsheets in many European locales
/// write semicolons); RFC 4180 quoting, so `"Lovelace, Ada"` is one field and `""` inside
/// quotes is a quote. Blank lines are skipped; CRLF line ends are fine.
///
/// Refused, with the line: a header without a name or email column, a line with more or
/// fewer fields than the header, an empty name, an email that is not an address, an email
/// already on an earlier line (case-insensitively), a quote that is never closed.
pub fn parse_roster(text: &str) -> Result<Roster, RosterError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let mut records = Records::new(text, delimiter);

    let Some(header) = records.next_nonblank()? else {
        return Err(RosterError::new(
            1,
            "the file is empty; its first line must be a header such as name,email",
        ));
    };
    let columns = Columns::from_header(&header, delimiter)?;

    let mut students = Vec::new();
    // Lower-cased address -> the line it was first seen on.
    let mut seen: HashMap<String, usize> = HashMap::new();
    while let Some(record) = records.next_nonblank()? {
        let student = columns.student(&record, delimiter)?;
        match seen.entry(student.email.to_lowercase()) {
            Entry::Occupied(earlier) => {
                return Err(RosterError::new(
                    record.line,
                    format!(
                        "{} is already the email on line {}; give each student their own \
                         address and delete the line that is a duplicate",
                        student.email,
                        earlier.get()
                    ),
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(record.line);
            }
        }
        students.push(student);
    }
    Ok(Roster { students })
}

/// Reads and checks the roster file at `path`; the error is one sentence naming the file.
pub fn load_roster(path: &Path) -> Result<Roster, String> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|error| format!("Could not read the roster {shown}: {error}."))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "The roster {shown} is not UTF-8 text; save it from the spreadsheet as \
             \"CSV UTF-8\" and load it again."
        )
    })?;
    parse_roster(&text).map_err(|error| format!("The roster {shown}, {error}."))
}

/// What a typed name matched on the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The index of the one student it names.
    One(usize),
    /// Students it fits equally well, in roster order; handin never picks one.
    Ambiguous(Vec<usize>),
    Unknown,
}

impl Roster {
    /// The student `typed` names: see [`RosterIndex::find`]. Builds the index on each call,
    /// which is fine for one lookup; to match many names, [`Roster::index`] once.
    pub fn find(&self, typed_name: &str) -> Match {
        self.index().find(typed_name)
    }

    /// The roster's names and addresses arranged for matching many typed names quickly.
    pub fn index(&self) -> RosterIndex {
        RosterIndex::new(self)
    }
}

/// Lookup tables over a roster's folded names and addresses. Built in one pass; each
/// lookup is a few hash probes whatever the roster's size.
#[derive(Debug, Clone, Default)]
pub struct RosterIndex {
    /// Lower-cased email -> student.
    by_email: HashMap<String, usize>,
    /// The folded name, words in the roster's order.
    by_name: HashMap<String, Vec<usize>>,
    /// The folded name's words sorted: the same key for "Ada Lovelace", "Lovelace Ada" and
    /// "Lovelace, Ada".
    by_words: HashMap<String, Vec<usize>>,
    /// Every proper subset of two or more words of a longer name, sorted: "Ada Lovelace"
    /// finds "Ada King Lovelace"; "María García" finds "María José García López".
    by_part: HashMap<String, Vec<usize>>,
}

/// Names with more words than this are matched whole only: the subsets of a name grow
/// as 2^words, and no one's name has more parts than this.
const MAX_PARTIAL_WORDS: usize = 6;

impl RosterIndex {
    fn new(roster: &Roster) -> Self {
        let mut index = RosterIndex::default();
        for (student, entry) in roster.students.iter().enumerate() {
            index
                .by_email
                .entry(entry.email.trim().to_lowercase())
                .or_insert(student);
            let folded = fold(&entry.name);
            if folded.is_empty() {
                continue;
            }
            let words: Vec<&str> = folded.split(' ').collect();
            let key = sorted_key(&words);
            if words.len() >= 3 && words.len() <= MAX_PARTIAL_WORDS {
                for part in proper_subsets(&words) {
                    add(&mut index.by_part, part, student);
                }
            }
            add(&mut index.by_words, key, student);
            add(&mut index.by_name, folded, student);
        }
        index
    }

    /// The student `typed` names, tolerant of case, accents, spacing, punctuation and word
    /// order; an email address (any case) finds its student. Tried in turn, the first that
    /// fits anyone deciding: the exact name; the same words in another order ("Lovelace,
    /// Ada"); a name with parts left out or added (a middle name, a second surname), which
    /// needs two words in common. Several students fitting the same way is
    /// [`Match::Ambiguous`]: a guess would put a grade on the wrong student.
    pub fn find(&self, typed: &str) -> Match {
        let typed = typed.trim();
        if typed.contains('@') {
            return match self.by_email.get(&typed.to_lowercase()) {
                Some(&student) => Match::One(student),
                None => Match::Unknown,
            };
        }
        let folded = fold(typed);
        if folded.is_empty() {
            return Match::Unknown;
        }
        if let Some(found) = self.by_name.get(&folded) {
            return decided(found.clone());
        }
        let words: Vec<&str> = folded.split(' ').collect();
        if let Some(found) = self.by_words.get(&sorted_key(&words)) {
            return decided(found.clone());
        }
        if words.len() < 2 {
            return Match::Unknown;
        }
        // Typed fewer words than the roster has...
        let mut found: Vec<usize> = self
            .by_part
            .get(&sorted_key(&words))
            .cloned()
            .unwrap_or_default();
        // ...or more.
        if words.len() <= MAX_PARTIAL_WORDS {
            for part in proper_subsets(&words) {
                if let Some(students) = self.by_words.get(&part) {
                    found.extend(students);
                }
            }
        }
        decided(found)
    }
}

fn add(map: &mut HashMap<String, Vec<usize>>, key: String, student: usize) {
    let students = map.entry(key).or_default();
    if students.last() != Some(&student) {
        students.push(student);
    }
}

fn decided(mut students: Vec<usize>) -> Match {
    students.sort_unstable();
    students.dedup();
    match students.as_slice() {
        [] => Match::Unknown,
        [one] => Match::One(*one),
        _ => Match::Ambiguous(students),
    }
}

fn sorted_key(words: &[&str]) -> String {
    let mut sorted = words.to_vec();
    sorted.sort_unstable();
    sorted.join(" ")
}

/// The sorted keys of every subset of `words` with at least two words and fewer than all.
fn proper_subsets(words: &[&str]) -> impl Iterator<Item = String> {
    let full = (1u32 << words.len()) - 1;
    (1..full)
        .filter(|mask| mask.count_ones() >= 2)
        .map(move |mask| {
            let chosen: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, word)| *word)
                .collect();
            sorted_key(&chosen)
        })
}

/// Semicolon when the header line has more semicolons than commas outside quotes.
fn detect_delimiter(text: &str) -> u8 {
    let header = text
        .split(['\n', '\r'])
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for byte in header.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Every record of a CSV text with the line it starts on, blank lines skipped, read as
/// rosters are (BOM, comma or semicolon, RFC 4180 quoting): for other files people write
/// in a spreadsheet, such as a syllabus.
pub fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, RosterError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut records = Records::new(text, detect_delimiter(text));
    let mut all = Vec::new();
    while let Some(record) = records.next_nonblank()? {
        all.push((record.line, record.fields));
    }
    Ok(all)
}

/// Every record of a CSV text, blank lines skipped: how tests read the export back.
#[cfg(test)]
pub(crate) fn read_csv(text: &str) -> Result<Vec<Vec<String>>, RosterError> {
    Ok(csv_records(text)?
        .into_iter()
        .map(|(_, fields)| fields)
        .collect())
}

/// Where the columns handin reads are in each record.
struct Columns {
    name: usize,
    email: usize,
    id: Option<usize>,
    count: usize,
}

impl Columns {
    fn from_header(header: &Record, delimiter: u8) -> Result<Self, RosterError> {
        let (mut name, mut email, mut id) = (None, None, None);
        for (position, title) in header.fields.iter().enumerate() {
            let title = title.trim().to_lowercase();
            let slot = match title.as_str() {
                "name" => &mut name,
                "email" => &mut email,
                "id" => &mut id,
                _ => continue,
            };
            if slot.is_some() {
                return Err(RosterError::new(
                    header.line,
                    format!("the header names the column {title} twice; keep one of them"),
                ));
            }
            *slot = Some(position);
        }
        let missing = |column: &str| {
            let found: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
            RosterError::new(
                header.line,
                format!(
                    "the header has no {column} column (it has: {}); the first line must name \
                     the columns, as in name{d}email or name{d}email{d}id",
                    found.join(", "),
                    d = delimiter as char,
                ),
            )
        };
        Ok(Columns {
            name: name.ok_or_else(|| missing("name"))?,
            email: email.ok_or_else(|| missing("email"))?,
            id,
            count: header.fields.len(),
        })
    }

    fn student(&self, record: &Record, delimiter: u8) -> Result<Student, RosterError> {
        let line = record.line;
        if record.fields.len() != self.count {
            return Err(RosterError::new(
                line,
                format!(
                    "{} fields where the header has {}; put a name that contains a {d} in \
                     quotes (\"Lovelace{d} Ada\") and check for a missing or extra {d}",
                    record.fields.len(),
                    self.count,
                    d = delimiter as char,
                ),
            ));
        }
        let name = record.fields[self.name]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return Err(RosterError::new(
                line,
                "the name is empty; fill it in or delete the line",
            ));
        }
        let email = record.fields[self.email].trim();
        if email.is_empty() {
            return Err(RosterError::new(
                line,
                format!("{name} has no email; fill it in or delete the line"),
            ));
        }
        // A bare address: "Ada <ada@example.edu>" would never equal the address someone
        // types when assigning a file.
        if !looks_like_address(email) || email.contains(['<', '>', ' ', ',', ';']) {
            return Err(RosterError::new(
                line,
                format!("\"{email}\" is not an email address; write it as name@example.edu"),
            ));
        }
        let id = self
            .id
            .map(|column| record.fields[column].trim())
            .filter(|id| !id.is_empty())
            .map(str::to_string);
        Ok(Student {
            name,
            email: email.to_string(),
            id,
        })
    }
}

/// One CSV record and the line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|field| field.trim().is_empty())
    }
}

/// An RFC 4180 reader that counts lines as an editor does (CRLF, LF or a lone CR each end
/// one; a quoted field may span several). Works on bytes: every byte it stops at is ASCII,
/// so every slice it takes falls on a character boundary.
struct Records<'a> {
    text: &'a str,
    position: usize,
    line: usize,
    delimiter: u8,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delimiter: u8) -> Self {
        Self {
            text,
            position: 0,
            line: 1,
            delimiter,
        }
    }

    /// The next record with something in it; lines of only whitespace and delimiters
    /// (which spreadsheets write for empty rows) are skipped.
    fn next_nonblank(&mut self) -> Result<Option<Record>, RosterError> {
        while let Some(record) = self.next_record()? {
            if !record.is_blank() {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    fn next_record(&mut self) -> Result<Option<Record>, RosterError> {
        if self.position >= self.text.len() {
            return Ok(None);
        }
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            fields.push(self.field()?);
            match self.peek() {
                Some(byte) if byte == self.delimiter => self.position += 1,
                _ => {
                    self.end_line();
                    return Ok(Some(Record { line, fields }));
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    /// Reads one field and stops at the delimiter, the line end or the end of the text.
    fn field(&mut self) -> Result<String, RosterError> {
        let bytes = self.text.as_bytes();
        // Spaces before an opening quote are common in hand-written files (`a, "b, c"`).
        let after_spaces = bytes[self.position..]
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .map_or(bytes.len(), |skip| self.position + skip);
        if bytes.get(after_spaces) == Some(&b'"') {
            self.position = after_spaces;
            return self.quoted_field();
        }
        let start = self.position;
        while let Some(byte) = self.peek() {
            if byte == self.delimiter || byte == b'\n' || byte == b'\r' {
                break;
            }
            self.position += 1;
        }
        // A quote inside an unquoted field is taken literally, as spreadsheets do.
        Ok(self.text[start..self.position].to_string())
    }

    fn quoted_field(&mut self) -> Result<String, RosterError> {
        let bytes = self.text.as_bytes();
        let opened_on = self.line;
        self.position += 1;
        let mut value = String::new();
        let mut start = self.position;
        loop {
            let Some(&byte) = bytes.get(self.position) else {
                return Err(RosterError::new(
                    opened_on,
                    "a quote opens a field that is never closed; add the closing quote \
                     (a quote inside a quoted field is written twice: \"\")",
                ));
            };
            match byte {
                b'"' if bytes.get(self.position + 1) == Some(&b'"') => {
                    value.push_str(&self.text[start..=self.position]);
                    self.position += 2;
                    start = self.position;
                }
                b'"' => {
                    value.push_str(&self.text[start..self.position]);
                    self.position += 1;
                    break;
                }
                b'\n' => {
                    self.line += 1;
                    self.position += 1;
                }
                b'\r' => {
                    if bytes.get(self.position + 1) != Some(&b'\n') {
                        self.line += 1;
                    }
                    self.position += 1;
                }
                _ => self.position += 1,
            }
        }
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.position += 1;
        }
        match self.peek() {
            None | Some(b'\n' | b'\r') => Ok(value),
            Some(byte) if byte == self.delimiter => Ok(value),
            Some(_) => Err(RosterError::new(
                self.line,
                "text follows the closing quote of a field; put the whole field inside the \
                 quotes and write any quote within it twice (\"\")",
            )),
        }
    }

    fn end_line(&mut self) {
        match self.peek() {
            Some(b'\r') => {
                self.position += 1;
                if self.peek() == Some(b'\n') {
                    self.position += 1;
                }
                self.line += 1;
            }
            Some(b'\n') => {
                self.position += 1;
                self.line += 1;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::submissions::csv;

    fn student(name: &str, email: &str, id: Option<&str>) -> Student {
        Student {
            name: name.to_string(),
            email: email.to_string(),
            id: id.map(str::to_string),
        }
    }

    fn names(roster: &Roster) -> Vec<&str> {
        roster.students.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_as_editors_count_them() {
        // Found by the roster fuzz target: old Mac line endings, blank lines first.
        let error = refused(", \r, \r<\0,x\n");
        assert_eq!(error.line, 3, "{error}");
    }

    fn refused(text: &str) -> RosterError {
        match parse_roster(text) {
            Err(error) => error,
            Ok(roster) => panic!("{text:?} should be refused, got {roster:?}"),
        }
    }

    #[test]
    fn a_plain_roster_is_read_in_order() {
        let roster = parse_roster(
            "name,email\nAda Lovelace,ada@example.edu\nAlan Turing,alan@example.edu\n",
        )
        .expect("valid roster");
        assert_eq!(
            roster.students,
            vec![
                student("Ada Lovelace", "ada@example.edu", None),
                student("Alan Turing", "alan@example.edu", None),
            ]
        );
    }

    #[test]
    fn columns_in_any_order_and_case_with_ids_and_extra_columns() {
        let roster = parse_roster(
            "Section,EMAIL,Id,Name\n\
             A,ada@example.edu,s001,Ada Lovelace\n\
             B,alan@example.edu,,Alan Turing\n",
        )
        .expect("valid roster");
        assert_eq!(
            roster.students,
            vec![
                student("Ada Lovelace", "ada@example.edu", Some("s001")),
                student("Alan Turing", "alan@example.edu", None),
            ]
        );
    }

    #[test]
    fn bom_semicolons_crlf_blank_lines_and_quoted_commas() {
        let text = "\u{FEFF}name;email;id\r\n\
                    \r\n\
                    \"Lovelace; Ada\";ada@example.edu;1\r\n\
                    ;;\r\n\
                    Zoë Müller;zoe@example.edu;2\r\n";
        let roster = parse_roster(text).expect("valid roster");
        assert_eq!(names(&roster), ["Lovelace; Ada", "Zoë Müller"]);

        let roster = parse_roster(
            "name,email\n\
             \"Lovelace, Ada\",ada@example.edu\n\
             \"O\"\"Neil, Jean-Luc \"\"JL\"\"\",jl@example.edu",
        )
        .expect("valid roster");
        assert_eq!(
            names(&roster),
            ["Lovelace, Ada", "O\"Neil, Jean-Luc \"JL\""]
        );
    }

    #[test]
    fn a_quoted_field_may_span_lines_and_later_lines_keep_their_numbers() {
        let text = "name,email\n\"Ada\nLovelace\",ada@example.edu\nAlan Turing,not-an-address\n";
        assert_eq!(
            names(
                &parse_roster(&text.replace("not-an-address", "alan@example.edu")).expect("valid")
            ),
            ["Ada Lovelace", "Alan Turing"]
        );
        assert_eq!(refused(text).line, 4);
    }

    #[test]
    fn a_header_alone_is_an_empty_roster() {
        assert_eq!(parse_roster("name,email\n"), Ok(Roster::default()));
    }

    #[test]
    fn malformed_rosters_are_refused_with_the_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "the file is empty"),
            ("\n\n  \n", 1, "the file is empty"),
            ("name,id\nAda,1\n", 1, "no email column (it has: name, id)"),
            ("\n\nemail;id\nada@example.edu;1\n", 3, "no name column"),
            ("name,email,Email\n", 1, "names the column email twice"),
            (
                "name,email\nAda Lovelace,ada@example.edu\nLovelace, Ada,ada2@example.edu\n",
                3,
                "3 fields where the header has 2",
            ),
            (
                "name,email,id\nAda,ada@example.edu\n",
                2,
                "2 fields where the header has 3",
            ),
            (
                "name;email\nAda;ada@example.edu;x\n",
                2,
                "put a name that contains a ; in quotes",
            ),
            (
                "name,email\n\nAda,ada@example.edu\n  ,b@example.edu\n",
                4,
                "the name is empty",
            ),
            (
                "name,email\nAda Lovelace,\n",
                2,
                "Ada Lovelace has no email",
            ),
            (
                "name,email\nAda,ada@\n",
                2,
                "\"ada@\" is not an email address",
            ),
            (
                "name,email\nAda,ada.example.edu\n",
                2,
                "is not an email address",
            ),
            (
                "name,email\nAda,Ada <ada@example.edu>\n",
                2,
                "\"Ada <ada@example.edu>\" is not an email address",
            ),
            (
                "name,email\r\nAda,ada@example.edu\r\nBob,bob@example.edu\r\n\
                 \r\nAda L,ADA@Example.edu\r\n",
                5,
                "ADA@Example.edu is already the email on line 2",
            ),
            (
                "name,email\nAda,ada@example.edu\n\
                 \"Lovelace, Ada,ada2@example.edu\nBob,bob@example.edu\n",
                3,
                "a quote opens a field that is never closed",
            ),
            (
                "name,email\n\"Lovelace\" Ada,ada@example.edu\n",
                2,
                "text follows the closing quote",
            ),
        ];
        for (text, line, reason) in cases {
            let error = refused(text);
            assert_eq!(error.line, *line, "{text:?}: {error}");
            assert!(error.reason.contains(reason), "{text:?}: {error}");
            assert!(error.reason.contains("; "), "says how to fix it: {error}");
        }
    }

    #[test]
    fn the_error_reads_line_reason_and_fix() {
        assert_eq!(
            refused("name,email\nAda,ada@example.edu\n,b@example.edu\n").to_string(),
            "line 3: the name is empty; fill it in or delete the line"
        );
    }

    #[test]
    fn loading_names_the_file_and_refuses_other_encodings() {
        let dir = tempfile::tempdir().expect("temp dir");
        let good = dir.path().join("cs101.csv");
        std::fs::write(&good, "name,email\nAda,ada@example.edu\n").expect("write");
        assert_eq!(load_roster(&good).map(|r| r.students.len()), Ok(1));

        let latin1 = dir.path().join("latin1.csv");
        std::fs::write(&latin1, b"name,email\nZo\xEB,zoe@example.edu\n").expect("write");
        let error = load_roster(&latin1).expect_err("not UTF-8");
        assert!(
            error.contains("latin1.csv") && error.contains("not UTF-8"),
            "{error}"
        );

        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "name,email\nAda,nope\n").expect("write");
        let error = load_roster(&bad).expect_err("bad email");
        assert!(error.contains("bad.csv, line 2: \"nope\""), "{error}");

        let error = load_roster(&dir.path().join("absent.csv")).expect_err("absent");
        assert!(
            error.starts_with("Could not read the roster") && error.contains("absent.csv"),
            "{error}"
        );
    }

    fn roster_of(names: &[&str]) -> Roster {
        Roster {
            students: names
                .iter()
                .enumerate()
                .map(|(i, name)| student(name, &format!("s{i}@example.edu"), None))
                .collect(),
        }
    }

    #[test]
    fn finding_tolerates_case_accents_spacing_and_order() {
        let roster = roster_of(&[
            "Zoë Müller",
            "Jean-Luc O'Neil",
            "Ada King Lovelace",
            "Alan Turing",
        ]);
        let cases = [
            ("Zoë Müller", Match::One(0)),
            ("zoe muller", Match::One(0)),
            ("  ZOE   MÜLLER ", Match::One(0)),
            ("Müller, Zoë", Match::One(0)),
            ("Muller Zoe", Match::One(0)),
            ("jean luc oneil", Match::One(1)),
            ("O'Neil, Jean-Luc", Match::One(1)),
            ("Ada Lovelace", Match::One(2)),
            ("Lovelace, Ada", Match::One(2)),
            ("Alan Mathison Turing", Match::One(3)),
            ("S3@EXAMPLE.EDU", Match::One(3)),
            ("Zoë", Match::Unknown),
            ("Grace Hopper", Match::Unknown),
            ("nobody@example.edu", Match::Unknown),
            ("", Match::Unknown),
            ("--", Match::Unknown),
        ];
        for (typed, expected) in cases {
            assert_eq!(roster.find(typed), expected, "{typed:?}");
        }
    }

    #[test]
    fn equal_fits_are_ambiguous_never_guessed() {
        let roster = roster_of(&[
            "Wei Zhang",
            "Wei Zhang",
            "María José García López",
            "María Luisa García Pérez",
            "Kim Lee",
            "Lee Kim",
        ]);
        assert_eq!(roster.find("wei zhang"), Match::Ambiguous(vec![0, 1]));
        assert_eq!(roster.find("María García"), Match::Ambiguous(vec![2, 3]));
        assert_eq!(roster.find("María José García"), Match::One(2));
        // The exact order is a better fit than the same words reordered.
        assert_eq!(roster.find("Kim Lee"), Match::One(4));
        assert_eq!(roster.find("Lee, Kim"), Match::One(5));
        // Contains both two-word names: neither fits better.
        assert_eq!(
            roster.find("Kim Lee Wei Zhang"),
            Match::Ambiguous(vec![0, 1, 4, 5])
        );
    }

    /// Names as a roster holds them: words of letters (some accented), joined by single
    /// spaces, sometimes with a comma, hyphen, apostrophe or quote.
    fn roster_name() -> impl Strategy<Value = String> {
        prop::collection::vec("[A-Za-zÀ-ÿ][a-zà-ÿ'\"-]{0,8},?", 1..4)
            .prop_map(|words| words.join(" "))
    }

    fn generated_roster() -> impl Strategy<Value = Vec<Student>> {
        prop::collection::vec(
            (
                roster_name(),
                prop::option::of("[A-Za-z0-9]([A-Za-z0-9;,\" ]{0,5}[A-Za-z0-9])?"),
            ),
            0..12,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (name, id))| {
                    student(&name, &format!("student{i}@example.edu"), id.as_deref())
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn parsing_any_text_never_panics(text in "\\PC*") {
            let _ = parse_roster(&text);
            let _ = parse_roster(&format!("name,email\n{text}"));
        }

        #[test]
        fn parsing_csv_like_text_never_panics(text in "[a-z@.,;\"\r\n ]{0,60}") {
            let _ = parse_roster(&format!("name;email;id\n{text}"));
            let _ = parse_roster(&format!("\"name\",email\r\n{text}"));
        }

        #[test]
        fn finding_any_name_never_panics(
            typed in "\\PC*",
            names in prop::collection::vec("\\PC{0,20}", 0..6),
        ) {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let _ = roster_of(&names).find(&typed);
        }

        #[test]
        fn a_written_roster_reads_back(
            students in generated_roster(),
            semicolons in any::<bool>(),
            crlf in any::<bool>(),
            bom in any::<bool>(),
            with_id in any::<bool>(),
        ) {
            let delimiter = if semicolons { ';' } else { ',' };
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::from(if bom { "\u{FEFF}" } else { "" });
            let header: &[&str] = if with_id {
                &["email", "id", "name"]
            } else {
                &["name", "email"]
            };
            csv::write_record(&mut text, header.iter().copied(), delimiter, end);
            for s in &students {
                let id = s.id.as_deref().unwrap_or("");
                if with_id {
                    csv::write_record(&mut text, [s.email.as_str(), id, &s.name], delimiter, end);
                } else {
                    csv::write_record(&mut text, [s.name.as_str(), &s.email], delimiter, end);
                }
            }
            let expected: Vec<Student> = students
                .iter()
                .map(|s| Student {
                    id: s.id.clone().filter(|_| with_id),
                    ..s.clone()
                })
                .collect();
            prop_assert_eq!(parse_roster(&text), Ok(Roster { students: expected }));
        }

        #[test]
        fn every_student_of_a_roster_finds_themselves(students in generated_roster()) {
            let roster = Roster { students };
            let index = roster.index();
            for (i, s) in roster.students.iter().enumerate() {
                match index.find(&s.name) {
                    Match::One(found) => prop_assert_eq!(found, i),
                    Match::Ambiguous(candidates) => prop_assert!(candidates.contains(&i)),
                    Match::Unknown => prop_assert!(fold(&s.name).is_empty()),
                }
                prop_assert_eq!(index.find(&s.email), Match::One(i));
            }
        }
    }
}
