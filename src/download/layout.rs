//! Where downloaded files go: `<root>/<course>/<request title>/<student>/<file name>`,
//! every part made safe for the local file system, collisions resolved the same way
//! on every run; bytes not yet verified wait in `<root>/.handin-partial/`, named by the
//! file they belong to.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dropbox_sdk::file_requests::FileRequest;

use super::Item;
use crate::dropbox::{Dropbox, DropboxError};
use crate::submissions::{Assignments, Match, Roster, Submission};

/// The folder of files nobody could be named for.
pub const UNATTRIBUTED: &str = "_unattributed";

/// The folder in the download root that holds partial files. No planned name can be
/// this one ([`safe_name`] renames it), so nothing a student uploads can land in it.
pub const PARTIAL_FOLDER: &str = ".handin-partial";

/// File systems refuse names longer than this many bytes.
const NAME_LIMIT: usize = 200;

/// Where the bytes of the Dropbox file `remote` (listed with `content_hash` and `size`)
/// wait under `root` until they are verified. The name is a digest of those three, so a
/// later run resumes the same file, a new version of it starts afresh, and no file name
/// a student picks (`essay.pdf.part`, say) can reach it.
pub fn partial_path(root: &Path, remote: &str, content_hash: Option<&str>, size: u64) -> PathBuf {
    use sha2::Digest as _;
    let mut digest = sha2::Sha256::new();
    for part in [remote, content_hash.unwrap_or(""), &size.to_string()] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    let key: String = digest
        .finalize()
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    root.join(PARTIAL_FOLDER).join(format!("{key}.part"))
}

/// A name that is one safe path component on Linux, macOS and Windows: no separators,
/// no characters Windows refuses, no control or bidi characters, no `.`/`..`, no trailing dots
/// or spaces, not a reserved device name, not longer than 200 bytes (the extension
/// kept).
pub fn safe_name(name: &str) -> String {
    let mut safe: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            // A bidi override in a saved name would make a file manager show
            // `essay\u{202e}fdp.exe` as `essayexe.pdf`: the same characters a terminal
            // never gets raw are never written into the professor's file system either.
            c if crate::untrusted::is_unsafe(c) => '_',
            c => c,
        })
        .collect();
    let trimmed = safe.trim_end_matches(['.', ' ']).trim_start_matches(' ');
    safe = trimmed.to_owned();
    if safe.is_empty() {
        return "_".to_owned();
    }
    // Case-insensitively, as macOS and Windows would open the folder under any case.
    if safe.eq_ignore_ascii_case(PARTIAL_FOLDER) {
        safe.insert(0, '_');
    }
    let stem = safe.split('.').next().unwrap_or("").to_ascii_uppercase();
    const RESERVED: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if RESERVED.contains(&stem.as_str()) {
        safe.insert(0, '_');
    }
    if safe.len() > NAME_LIMIT {
        let (stem, extension) = split_extension(&safe);
        let extension = if extension.len() < 20 { extension } else { "" };
        let mut cut = NAME_LIMIT - extension.len();
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        safe = format!("{}{extension}", &stem[..cut]);
    }
    safe
}

/// `("essay", ".pdf")`; a name without a dot, or starting with its only dot, has no
/// extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

/// The local folder name of the course a destination belongs to: the first folder under
/// `courses_root` (`/Courses/CS101 Intro/Lab 1` -> `CS101 Intro`), or else the folder the
/// destination is in, or `_no course` for a destination at the top of the Dropbox.
pub fn course_folder_name(destination: &str, courses_root: &str) -> String {
    if let Some(course) = crate::file_request::course_of(destination, courses_root) {
        return safe_name(course.rsplit('/').next().unwrap_or(&course));
    }
    let trimmed = destination.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => {
            safe_name(parent.rsplit('/').next().unwrap_or(parent))
        }
        _ => "_no course".to_owned(),
    }
}

/// The items for `submissions` of the request titled `title` in `course` (both raw
/// names), under `root`. With the course's `roster`, a student it names without doubt
/// gets the roster's spelling, so "ada lovelace" and "Lovelace Ada" share one folder.
/// Two files that would land on the same path are told apart by
/// " (2)", " (3)" before the extension: the earliest received keeps the plain name, so
/// a file arriving later never renames one already downloaded.
pub fn plan(
    root: &Path,
    course: &str,
    title: &str,
    submissions: &[Submission],
    roster: Option<&Roster>,
) -> Vec<Item> {
    let index = roster.map(|roster| (roster, roster.index()));
    let folder = root.join(safe_name(course)).join(safe_name(title));
    let mut order: Vec<&Submission> = submissions.iter().collect();
    order.sort_by(|a, b| {
        a.received
            .cmp(&b.received)
            .then_with(|| a.file_id.cmp(&b.file_id))
    });
    // Compared case-insensitively: macOS and Windows file systems would merge them.
    let mut taken: HashSet<String> = HashSet::new();
    let mut items = Vec::with_capacity(order.len());
    for submission in order {
        let student = match &submission.student {
            Some(name) => match index
                .as_ref()
                .map(|(roster, index)| (roster, index.find(name)))
            {
                Some((roster, Match::One(found))) => safe_name(&roster.students[found].name),
                _ => safe_name(name),
            },
            None => UNATTRIBUTED.to_owned(),
        };
        let name = safe_name(&submission.name);
        let (stem, extension) = split_extension(&name);
        let mut candidate = name.clone();
        let mut n = 1;
        while !taken.insert(format!(
            "{}/{}",
            student.to_lowercase(),
            candidate.to_lowercase()
        )) {
            n += 1;
            candidate = format!("{stem} ({n}){extension}");
        }
        let remote = if submission.file_id.is_empty() {
            submission.path_display.clone()
        } else {
            submission.file_id.clone()
        };
        items.push(Item {
            partial: partial_path(
                root,
                &remote,
                submission.content_hash.as_deref(),
                submission.size,
            ),
            remote,
            size: submission.size,
            content_hash: submission.content_hash.clone(),
            local: folder.join(&student).join(&candidate),
            label: format!("{student}/{candidate}"),
        });
    }
    items
}

/// Two items bound for one path (two requests of a course with the same title, say)
/// would overwrite each other: later ones get " (2)", " (3)" before the extension. Two
/// items of one Dropbox file (two requests saving into one folder) would write one
/// partial file at once: later ones get their own.
pub(super) fn keep_apart(items: &mut [Item]) {
    let mut taken: HashSet<String> = HashSet::new();
    let mut partials: HashSet<PathBuf> = HashSet::new();
    for item in items {
        if !partials.insert(item.partial.clone()) {
            let stem = item
                .partial
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut n = 2;
            while !partials.insert(item.partial.with_file_name(format!("{stem}-{n}.part"))) {
                n += 1;
            }
            item.partial = item.partial.with_file_name(format!("{stem}-{n}.part"));
        }
        let key = |path: &Path| path.to_string_lossy().to_lowercase();
        if taken.insert(key(&item.local)) {
            continue;
        }
        let name = item
            .local
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (stem, extension) = split_extension(&name);
        let mut n = 2;
        loop {
            let candidate = item
                .local
                .with_file_name(format!("{stem} ({n}){extension}"));
            if taken.insert(key(&candidate)) {
                item.label = format!("{} ({n})", item.label);
                item.local = candidate;
                break;
            }
            n += 1;
        }
    }
}

/// Lists `request`'s destination (recursively) and plans its files under `root`, with
/// the professor's manual `assignments` naming students and the course's `roster`
/// spelling them. A request nobody has uploaded to yet has nothing to plan.
pub async fn plan_request(
    dropbox: &Dropbox,
    request: &FileRequest,
    root: &Path,
    courses_root: &str,
    assignments: &Assignments,
    roster: Option<&Roster>,
) -> Result<Vec<Item>, DropboxError> {
    let Some(destination) = request.destination.as_deref() else {
        return Ok(Vec::new());
    };
    let entries = dropbox.list_request_folder(destination).await?;
    let submissions = crate::submissions::of_request(
        &crate::submissions::files_in(entries),
        request,
        assignments,
    );
    Ok(plan(
        root,
        &course_folder_name(destination, courses_root),
        &request.title,
        &submissions,
        roster,
    ))
}

/// Where a plan's files go, for messages: the request's folder under `root`.
pub fn request_folder(root: &Path, course: &str, title: &str) -> PathBuf {
    root.join(safe_name(course)).join(safe_name(title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submissions::Lateness;
    use chrono::{TimeZone as _, Utc};

    #[test]
    fn names_are_safe_everywhere() {
        assert_eq!(safe_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(safe_name("a/b\\c:d*e?f\"g<h>i|j"), "a_b_c_d_e_f_g_h_i_j");
        assert_eq!(safe_name(".."), "_");
        assert_eq!(safe_name("."), "_");
        assert_eq!(safe_name("report. "), "report");
        assert_eq!(safe_name(""), "_");
        assert_eq!(safe_name("con.txt"), "_con.txt");
        assert_eq!(safe_name("tab\there"), "tab_here");
        assert_eq!(safe_name("Ada \u{202e}fdp.exe"), "Ada _fdp.exe");
        assert_eq!(safe_name("a\u{2067}b\u{200f}c\u{9b}d"), "a_b_c_d");
        assert_eq!(safe_name("Zoë Ångström.pdf"), "Zoë Ångström.pdf");
        assert_eq!(safe_name(".handin-partial"), "_.handin-partial");
        assert_eq!(safe_name(".HANDIN-partial. "), "_.HANDIN-partial");
        let long = format!("{}.pdf", "é".repeat(300));
        let safe = safe_name(&long);
        assert!(safe.len() <= NAME_LIMIT && safe.ends_with(".pdf"), "{safe}");
    }

    #[test]
    fn the_course_is_the_folder_under_the_root() {
        assert_eq!(
            course_folder_name("/Courses/CS101 Intro/Lab 1", "/Courses"),
            "CS101 Intro"
        );
        assert_eq!(
            course_folder_name("/Teaching/Stats/HW 2", "/Courses"),
            "Stats"
        );
        assert_eq!(course_folder_name("/HW 2", "/Courses"), "_no course");
    }

    fn submission(id: &str, name: &str, student: Option<&str>, minute: u32) -> Submission {
        Submission {
            file_id: id.to_owned(),
            name: name.to_owned(),
            path_display: format!("/c/{name}"),
            size: 10,
            received: Utc.with_ymd_and_hms(2026, 11, 27, 10, minute, 0).unwrap(),
            client_modified: None,
            content_hash: Some("h".into()),
            student: student.map(str::to_owned),
            assigned: false,
            lateness: Lateness::OnTime,
        }
    }

    #[test]
    fn the_roster_spells_the_student_folders() {
        let roster =
            crate::submissions::parse_roster("name,email\nAda Lovelace,ada@example.edu\n").unwrap();
        let files = vec![
            submission("id:1", "a.pdf", Some("lovelace ada"), 1),
            submission("id:2", "b.pdf", Some("ADA LOVELACE"), 2),
            submission("id:3", "c.pdf", Some("Alan Turing"), 3),
        ];
        let items = plan(Path::new("/dl"), "C", "T", &files, Some(&roster));
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Ada Lovelace/a.pdf",
                "Ada Lovelace/b.pdf",
                "Alan Turing/c.pdf"
            ]
        );
    }

    #[test]
    fn items_bound_for_one_path_are_kept_apart() {
        let item = |remote: &str| Item {
            remote: remote.to_owned(),
            size: 1,
            content_hash: None,
            local: PathBuf::from("/dl/C/Lab/Ada/essay.pdf"),
            partial: partial_path(Path::new("/dl"), remote, None, 1),
            label: "Ada/essay.pdf".to_owned(),
        };
        let mut items = vec![item("id:1"), item("id:2"), item("id:3"), item("id:3")];
        keep_apart(&mut items);
        let partials: HashSet<&PathBuf> = items.iter().map(|i| &i.partial).collect();
        assert_eq!(
            partials.len(),
            4,
            "one file planned twice writes two partials"
        );
        items.pop();
        let locals: Vec<_> = items
            .iter()
            .map(|i| i.local.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            locals,
            [
                "/dl/C/Lab/Ada/essay.pdf",
                "/dl/C/Lab/Ada/essay (2).pdf",
                "/dl/C/Lab/Ada/essay (3).pdf"
            ]
        );
    }

    #[test]
    fn partial_files_wait_in_one_hidden_folder_named_by_the_dropbox_file() {
        let root = Path::new("/dl");
        let files = vec![
            submission("id:1", "Ada Lovelace - essay.pdf", Some("Ada Lovelace"), 1),
            submission(
                "id:2",
                "Ada Lovelace - essay.pdf.part",
                Some("Ada Lovelace"),
                2,
            ),
            submission("id:3", ".handin-partial", Some("Alan Turing"), 3),
        ];
        let items = plan(root, ".handin-partial", "T", &files, None);
        let partials: HashSet<&Path> = items.iter().map(|i| i.partial.as_path()).collect();
        assert_eq!(partials.len(), 3);
        for item in &items {
            assert_eq!(
                item.partial.parent(),
                Some(root.join(PARTIAL_FOLDER).as_path())
            );
            assert!(
                !item.local.starts_with(root.join(PARTIAL_FOLDER)),
                "{}",
                item.local.display()
            );
            assert!(items.iter().all(|other| other.local != item.partial));
        }
        // The same file under another student's name (a roster, an assignment) resumes
        // the same partial; a new version of it does not.
        let mut renamed = files[0].clone();
        renamed.student = Some("A. Lovelace".into());
        let again = plan(root, "C", "T", &[renamed.clone()], None);
        assert_eq!(again[0].partial, items[0].partial);
        renamed.content_hash = Some("another version".into());
        let changed = plan(root, "C", "T", &[renamed], None);
        assert_ne!(changed[0].partial, items[0].partial);
    }

    #[test]
    fn files_land_per_student_and_collisions_are_numbered_by_arrival() {
        let root = Path::new("/dl");
        let files = vec![
            submission("id:3", "essay.pdf", Some("Ada Lovelace"), 30),
            submission("id:1", "essay.pdf", Some("Ada Lovelace"), 10),
            submission("id:2", "Essay.PDF", Some("Ada Lovelace"), 20),
            submission("id:4", "notes.txt", None, 5),
        ];
        let items = plan(root, "CS101", "Lab 1: Intro/Setup", &files, None);
        let local = |id: &str| {
            items
                .iter()
                .find(|i| i.remote == id)
                .unwrap()
                .local
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(
            local("id:1"),
            "/dl/CS101/Lab 1_ Intro_Setup/Ada Lovelace/essay.pdf"
        );
        assert_eq!(
            local("id:2"),
            "/dl/CS101/Lab 1_ Intro_Setup/Ada Lovelace/Essay (2).PDF"
        );
        assert_eq!(
            local("id:3"),
            "/dl/CS101/Lab 1_ Intro_Setup/Ada Lovelace/essay (3).pdf"
        );
        assert_eq!(
            local("id:4"),
            "/dl/CS101/Lab 1_ Intro_Setup/_unattributed/notes.txt"
        );
        // The same files in another order plan the same paths.
        let mut reversed = files.clone();
        reversed.reverse();
        let mut again = plan(root, "CS101", "Lab 1: Intro/Setup", &reversed, None);
        let mut first = items.clone();
        first.sort_by(|a, b| a.remote.cmp(&b.remote));
        again.sort_by(|a, b| a.remote.cmp(&b.remote));
        assert_eq!(first, again);
    }
}
