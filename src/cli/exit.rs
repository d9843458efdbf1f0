//! handin's exit statuses: one meaning per number, for every subcommand and the TUI.
//! Scripts test them, so a number never changes its meaning; `--help` and the README
//! take their wording from [`ExitCode::meaning`] (a test holds the README to it).

use crate::app::Exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Done,
    /// Something outside handin said no or did not answer: Dropbox, the mail server, the
    /// terminal, the operating system.
    Refused,
    /// The user's input cannot be used: flags, the config, a file named, `--yes` missing.
    Usage,
    /// Some items of a batch failed; the others are done.
    Partial,
    /// SIGHUP: the terminal went away.
    HungUp,
    /// SIGINT (Ctrl-C).
    Interrupted,
    /// SIGTERM.
    Terminated,
}

impl ExitCode {
    pub const ALL: [ExitCode; 7] = [
        ExitCode::Done,
        ExitCode::Refused,
        ExitCode::Usage,
        ExitCode::Partial,
        ExitCode::HungUp,
        ExitCode::Interrupted,
        ExitCode::Terminated,
    ];

    /// The statuses the scripting commands end with (the TUI adds a hang-up).
    pub const SCRIPTING: [ExitCode; 6] = [
        ExitCode::Done,
        ExitCode::Refused,
        ExitCode::Usage,
        ExitCode::Partial,
        ExitCode::Interrupted,
        ExitCode::Terminated,
    ];

    pub const fn number(self) -> u8 {
        match self {
            ExitCode::Done => 0,
            ExitCode::Refused => 1,
            ExitCode::Usage => 2,
            ExitCode::Partial => 3,
            ExitCode::HungUp => 129,
            ExitCode::Interrupted => 130,
            ExitCode::Terminated => 143,
        }
    }

    /// What the number tells a script, in the words of `--help` and the README.
    pub const fn meaning(self) -> &'static str {
        match self {
            ExitCode::Done => "done",
            ExitCode::Refused => {
                "Dropbox or the mail server refused or could not be reached (not signed in, \
                 an unknown id or course)"
            }
            ExitCode::Usage => {
                "bad input: flags, the config, a deadline, a roster or syllabus, --yes missing"
            }
            ExitCode::Partial => {
                "some items of a batch failed: each is named on stderr, the others are done"
            }
            ExitCode::HungUp => "the terminal went away (SIGHUP)",
            ExitCode::Interrupted => "interrupted by Ctrl-C",
            ExitCode::Terminated => "terminated (SIGTERM)",
        }
    }

    /// "Exit status:" and one line per status, for a command's `--help`.
    pub fn help(codes: &[ExitCode]) -> String {
        let mut help = "Exit status:".to_owned();
        for code in codes {
            help.push_str(&format!("\n  {:<4} {}", code.number(), code.meaning()));
        }
        help
    }

    /// A command's own notes, then its exit statuses, for `after_help`.
    pub fn help_after(notes: &str, codes: &[ExitCode]) -> String {
        format!("{}\n\n{}", notes.trim_end(), ExitCode::help(codes))
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> std::process::ExitCode {
        std::process::ExitCode::from(code.number())
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Quit => ExitCode::Done,
            Exit::TerminalGone => ExitCode::HungUp,
            Exit::Interrupted => ExitCode::Interrupted,
            Exit::Terminated => ExitCode::Terminated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_has_one_meaning_and_the_loop_agrees_with_it() {
        let mut numbers: Vec<u8> = ExitCode::ALL.iter().map(|code| code.number()).collect();
        numbers.dedup();
        assert_eq!(numbers, [0, 1, 2, 3, 129, 130, 143]);
        for exit in [
            Exit::Quit,
            Exit::TerminalGone,
            Exit::Interrupted,
            Exit::Terminated,
        ] {
            assert_eq!(i32::from(ExitCode::from(exit).number()), exit.code());
        }
    }

    #[test]
    fn the_readme_documents_each_status_in_the_same_words() {
        let readme = include_str!("../../README.md");
        // The README wraps lines; compare with runs of whitespace made one space.
        let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        for code in ExitCode::ALL {
            let line = format!("{} {}", code.number(), code.meaning());
            assert!(readme.contains(&line), "the README lacks \"{line}\"");
        }
    }
}
