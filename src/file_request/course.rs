//! The course of a request and the class list the configuration names for it.
//!
//! A course is a Dropbox folder, and Dropbox folders are case-insensitive: the
//! `[rosters]` key `"/courses/cs101"` names the class list of `/Courses/CS101`. Every
//! caller (the Submissions tab, the mail overlay, `handin submissions`, `download` and
//! `mail`) finds the class list here, so they cannot disagree about it.

use std::path::{Path, PathBuf};

use crate::config::Config;

/// The course a destination belongs to: the first folder under the courses root
/// (`/Courses/CS101 Intro/Lab 1` -> `/Courses/CS101 Intro`).
pub fn course_of(destination: &str, courses_root: &str) -> Option<String> {
    let root = courses_root.trim_end_matches('/');
    let rest = destination.get(root.len()..)?;
    if !destination[..root.len()].eq_ignore_ascii_case(root) || !rest.starts_with('/') {
        return None;
    }
    let course = rest[1..].split('/').next().filter(|c| !c.is_empty())?;
    Some(format!("{}/{course}", &destination[..root.len()]))
}

/// The class list of `course` (a course folder), from `[rosters]`, with a leading `~`
/// read as `home` (the caller's: the screen reads it once at start-up, and its reducer
/// reads nothing).
pub fn roster_for(config: &Config, course: &str, home: Option<&Path>) -> Option<PathBuf> {
    roster_entry(config, course, home).map(|(_, path)| path)
}

/// As [`roster_for`], with the key as the configuration spells it, so that setting the
/// class list again replaces that line rather than adding a second one in another case.
/// A key spelled exactly as the folder wins over one that differs only in case.
pub fn roster_entry<'a>(
    config: &'a Config,
    course: &str,
    home: Option<&Path>,
) -> Option<(&'a str, PathBuf)> {
    let wanted = folder_key(course);
    let (key, path) = config.rosters.get_key_value(course).or_else(|| {
        config
            .rosters
            .iter()
            .find(|(key, _)| folder_key(key) == wanted)
    })?;
    Some((key.as_str(), expand_home(path, home)))
}

/// A Dropbox folder as Dropbox compares them: in any case, a trailing `/` or not.
fn folder_key(folder: &str) -> String {
    folder.trim_end_matches('/').to_lowercase()
}

/// This user's home folder, for the command line's callers of [`roster_for`].
pub fn home_folder() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf())
}

/// `~` and `~/x` as the shell reads them; without a home folder, or for anything else,
/// the path as written.
pub fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    let Some(home) = home else {
        return path.to_path_buf();
    };
    match path.strip_prefix("~") {
        Ok(rest) if rest.as_os_str().is_empty() => home.to_path_buf(),
        Ok(rest) => home.join(rest),
        Err(_) => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_is_the_first_folder_under_the_root() {
        assert_eq!(
            course_of("/Courses/CS101 Intro/Lab 1", "/Courses").as_deref(),
            Some("/Courses/CS101 Intro")
        );
        assert_eq!(
            course_of("/courses/CS101/Lab 1", "/Courses").as_deref(),
            Some("/courses/CS101")
        );
        assert_eq!(course_of("/Other/Lab 1", "/Courses"), None);
        assert_eq!(course_of("/Courses", "/Courses"), None);
        assert_eq!(course_of("/CoursesX/a", "/Courses"), None);
    }

    fn config(rosters: &[(&str, &str)]) -> Config {
        let mut config = Config::default();
        for (course, path) in rosters {
            config.rosters.insert((*course).to_string(), (*path).into());
        }
        config
    }

    #[test]
    fn a_key_in_another_case_names_the_same_course() {
        let config = config(&[("/courses/cs101 intro/", "/r/cs101.csv")]);
        for course in [
            "/Courses/CS101 Intro",
            "/courses/cs101 intro",
            "/COURSES/CS101 INTRO",
        ] {
            assert_eq!(
                roster_for(&config, course, None),
                Some(PathBuf::from("/r/cs101.csv")),
                "{course}"
            );
        }
        assert_eq!(roster_for(&config, "/Courses/CS102", None), None);
        // Dropbox folds case beyond ASCII too.
        let config = self::config(&[("/Courses/ÉCOLE", "/r/ecole.csv")]);
        assert!(roster_for(&config, "/courses/école", None).is_some());
    }

    #[test]
    fn the_key_spelled_exactly_wins_and_is_the_one_named() {
        let config = config(&[
            ("/COURSES/CS101", "/r/upper.csv"),
            ("/Courses/CS101", "/r/exact.csv"),
        ]);
        assert_eq!(
            roster_entry(&config, "/Courses/CS101", None),
            Some(("/Courses/CS101", PathBuf::from("/r/exact.csv")))
        );
        assert_eq!(
            roster_entry(&config, "/courses/cs101", None).map(|(key, _)| key),
            Some("/COURSES/CS101")
        );
    }

    #[test]
    fn a_tilde_is_the_home_folder() {
        let home = Path::new("/home/ada");
        let cases = [
            ("~/rosters/x.csv", "/home/ada/rosters/x.csv"),
            ("~", "/home/ada"),
            ("/srv/x.csv", "/srv/x.csv"),
            ("rosters/x.csv", "rosters/x.csv"),
            ("~bob/x.csv", "~bob/x.csv"),
            ("a/~/x.csv", "a/~/x.csv"),
        ];
        for (written, expected) in cases {
            assert_eq!(
                expand_home(Path::new(written), Some(home)),
                PathBuf::from(expected),
                "{written}"
            );
        }
        assert_eq!(
            expand_home(Path::new("~/x.csv"), None),
            PathBuf::from("~/x.csv")
        );
    }

    #[test]
    fn a_roster_written_with_a_tilde_is_found_under_the_home_folder() {
        let config = config(&[("/Courses/CS101", "~/rosters/cs101.csv")]);
        let home = Path::new("/home/ada");
        let path = roster_for(&config, "/Courses/CS101", Some(home)).expect("configured");
        assert_eq!(path, home.join("rosters/cs101.csv"));
    }
}
