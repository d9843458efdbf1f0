//! Keys to commands. A `Command` is what a user can bind; the help overlay is generated
//! from the same table, so it can never disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::state::Tab;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    NextTab,
    PrevTab,
    GoToRequests,
    GoToSubmissions,
    GoToSettings,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Refresh,
    Filter,
    Sort,
    ReverseSort,
    Open,
    New,
    Edit,
    ToggleOpen,
    Delete,
    DeleteClosed,
    CopyLink,
    ShowQr,
    EditSetting,
    SignIn,
    PasteToken,
    PickMember,
    SignOut,
    ToggleView,
    Assign,
    Export,
    SetRoster,
    CourseGrid,
    Mark,
    Download,
    DownloadAll,
    ShowDownloads,
    Invite,
    Remind,
}

impl Command {
    pub const ALL: [Command; 41] = [
        Command::Quit,
        Command::Help,
        Command::NextTab,
        Command::PrevTab,
        Command::GoToRequests,
        Command::GoToSubmissions,
        Command::GoToSettings,
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::Home,
        Command::End,
        Command::Refresh,
        Command::Filter,
        Command::Sort,
        Command::ReverseSort,
        Command::Open,
        Command::New,
        Command::Edit,
        Command::ToggleOpen,
        Command::Delete,
        Command::DeleteClosed,
        Command::CopyLink,
        Command::ShowQr,
        Command::EditSetting,
        Command::SignIn,
        Command::PasteToken,
        Command::PickMember,
        Command::SignOut,
        Command::ToggleView,
        Command::Assign,
        Command::Export,
        Command::SetRoster,
        Command::CourseGrid,
        Command::Mark,
        Command::Download,
        Command::DownloadAll,
        Command::ShowDownloads,
        Command::Invite,
        Command::Remind,
    ];

    /// The command's name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Help => "help",
            Command::NextTab => "next_tab",
            Command::PrevTab => "prev_tab",
            Command::GoToRequests => "requests_tab",
            Command::GoToSubmissions => "submissions_tab",
            Command::GoToSettings => "settings_tab",
            Command::Up => "up",
            Command::Down => "down",
            Command::PageUp => "page_up",
            Command::PageDown => "page_down",
            Command::Home => "first",
            Command::End => "last",
            Command::Refresh => "reload",
            Command::Filter => "filter",
            Command::Sort => "sort",
            Command::ReverseSort => "reverse_sort",
            Command::Open => "open",
            Command::New => "new",
            Command::Edit => "edit",
            Command::ToggleOpen => "close_or_reopen",
            Command::Delete => "delete",
            Command::DeleteClosed => "delete_closed",
            Command::CopyLink => "copy_link",
            Command::ShowQr => "qr_code",
            Command::EditSetting => "edit_setting",
            Command::SignIn => "sign_in",
            Command::PasteToken => "paste_token",
            Command::PickMember => "pick_member",
            Command::SignOut => "sign_out",
            Command::ToggleView => "toggle_view",
            Command::Assign => "assign",
            Command::Export => "export",
            Command::SetRoster => "set_roster",
            Command::CourseGrid => "course_grid",
            Command::Mark => "mark",
            Command::Download => "download",
            Command::DownloadAll => "download_all",
            Command::ShowDownloads => "show_downloads",
            Command::Invite => "invite",
            Command::Remind => "remind",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Command::Quit => "quit handin",
            Command::Help => "show or hide this help",
            Command::NextTab => "next tab",
            Command::PrevTab => "previous tab",
            Command::GoToRequests => "Requests tab",
            Command::GoToSubmissions => "Submissions tab",
            Command::GoToSettings => "Settings tab",
            Command::Up => "move up",
            Command::Down => "move down",
            Command::PageUp => "one page up",
            Command::PageDown => "one page down",
            Command::Home => "first row",
            Command::End => "last row",
            Command::Refresh => "reload from Dropbox",
            Command::Filter => "filter by title or folder (Esc clears)",
            Command::Sort => "sort by the next column",
            Command::ReverseSort => "reverse the sort order",
            Command::Open => "open the request's submissions",
            Command::New => "new file request",
            Command::Edit => "edit the request",
            Command::ToggleOpen => "close or reopen the request",
            Command::Delete => "delete the request (asks first)",
            Command::DeleteClosed => "delete all closed requests (asks first)",
            Command::CopyLink => "copy the upload link",
            Command::ShowQr => "show the upload link as a QR code",
            Command::EditSetting => "change the setting (Enter saves, Esc cancels)",
            Command::SignIn => "sign in to Dropbox with OAuth (needs the app key)",
            Command::PasteToken => "paste an access token from the App Console",
            Command::PickMember => "pick the team member to act as (team tokens)",
            Command::SignOut => "sign out: revoke and forget the credentials",
            Command::ToggleView => "switch between the files and the class view",
            Command::Assign => "assign the file to a student by hand",
            Command::Export => "export the class view as CSV",
            Command::SetRoster => "set the course's roster (a CSV class list)",
            Command::CourseGrid => "every request of the course: students down, assignments across",
            Command::Mark => "mark or unmark the file for downloading",
            Command::Download => "download the marked files (or the selected one)",
            Command::DownloadAll => "download every file (in the course grid: the whole course)",
            Command::ShowDownloads => "show the download's progress or its summary",
            Command::Invite => "email the upload link to the class (pick, preview, send)",
            Command::Remind => "email a reminder to the students who have not handed in",
        }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Tab(Tab),
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub scope: Scope,
    pub key: KeyCode,
    pub modifiers: KeyModifiers,
    pub command: Command,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Command as C;
        use KeyCode as K;
        let none = KeyModifiers::NONE;
        let shift = KeyModifiers::SHIFT;
        let global = [
            (K::Char('q'), none, C::Quit),
            (K::Char('c'), KeyModifiers::CONTROL, C::Quit),
            (K::Char('?'), none, C::Help),
            (K::Tab, none, C::NextTab),
            (K::BackTab, shift, C::PrevTab),
            (K::Char('1'), none, C::GoToRequests),
            (K::Char('2'), none, C::GoToSubmissions),
            (K::Char('3'), none, C::GoToSettings),
            (K::Char('p'), none, C::ShowDownloads),
        ];
        let requests = [
            (K::Char('r'), none, C::Refresh),
            (K::Char('/'), none, C::Filter),
            (K::Char('s'), none, C::Sort),
            (K::Char('S'), shift, C::ReverseSort),
            (K::Enter, none, C::Open),
            (K::Char('n'), none, C::New),
            (K::Char('e'), none, C::Edit),
            (K::Char('x'), none, C::ToggleOpen),
            (K::Char('d'), none, C::Delete),
            (K::Char('D'), shift, C::DeleteClosed),
            (K::Char('y'), none, C::CopyLink),
            (K::Char('Q'), shift, C::ShowQr),
            (K::Char('m'), none, C::Invite),
            (K::Char('M'), shift, C::Remind),
        ];
        // Every list moves the same way.
        let navigation = [
            (K::Char('j'), none, C::Down),
            (K::Down, none, C::Down),
            (K::Char('k'), none, C::Up),
            (K::Up, none, C::Up),
            (K::PageDown, none, C::PageDown),
            (K::PageUp, none, C::PageUp),
            (K::Home, none, C::Home),
            (K::Char('g'), none, C::Home),
            (K::End, none, C::End),
            (K::Char('G'), shift, C::End),
        ];
        let submissions = [
            (K::Char('/'), none, C::Filter),
            (K::Char('r'), none, C::Refresh),
            (K::Char('s'), none, C::Sort),
            (K::Char('S'), shift, C::ReverseSort),
            (K::Char('v'), none, C::ToggleView),
            (K::Char('c'), none, C::CourseGrid),
            (K::Char('a'), none, C::Assign),
            (K::Char('E'), shift, C::Export),
            (K::Char('R'), shift, C::SetRoster),
            (K::Char(' '), none, C::Mark),
            (K::Char('w'), none, C::Download),
            (K::Char('W'), shift, C::DownloadAll),
            (K::Char('m'), none, C::Invite),
            (K::Char('M'), shift, C::Remind),
        ];
        let settings = [
            (K::Enter, none, C::EditSetting),
            (K::Char('e'), none, C::EditSetting),
            (K::Char('r'), none, C::Refresh),
            (K::Char('l'), none, C::SignIn),
            (K::Char('t'), none, C::PasteToken),
            (K::Char('m'), none, C::PickMember),
            (K::Char('o'), none, C::SignOut),
        ];
        let scoped = |scope: Scope| {
            move |(key, modifiers, command): (KeyCode, KeyModifiers, Command)| Binding {
                scope,
                key,
                modifiers,
                command,
            }
        };
        let bindings = global
            .into_iter()
            .map(scoped(Scope::Global))
            .chain(
                [Tab::Requests, Tab::Submissions, Tab::Settings]
                    .into_iter()
                    .flat_map(|tab| navigation.into_iter().map(scoped(Scope::Tab(tab)))),
            )
            .chain(requests.into_iter().map(scoped(Scope::Tab(Tab::Requests))))
            .chain(
                submissions
                    .into_iter()
                    .map(scoped(Scope::Tab(Tab::Submissions))),
            )
            .chain(settings.into_iter().map(scoped(Scope::Tab(Tab::Settings))))
            .collect();
        Keymap { bindings }
    }
}

/// Keymap file sections, by scope.
const SECTIONS: [(&str, Scope); 4] = [
    ("global", Scope::Global),
    ("requests", Scope::Tab(Tab::Requests)),
    ("submissions", Scope::Tab(Tab::Submissions)),
    ("settings", Scope::Tab(Tab::Settings)),
];

impl Keymap {
    /// The defaults patched with a keymap file's bindings. A binding the file gets wrong
    /// is reported and that command keeps its default keys; an unreadable file leaves
    /// all the defaults. Each returned sentence names the problem and the file.
    pub fn with_file(path: &std::path::Path) -> (Keymap, Vec<String>) {
        let mut keymap = Keymap::default();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                return (
                    keymap,
                    vec![format!(
                        "The keymap file {} could not be read ({error}); the default keys are in use.",
                        path.display()
                    )],
                );
            }
        };
        let warnings = keymap.patch(&text, &path.display().to_string());
        (keymap, warnings)
    }

    /// Applies a keymap file's text (`[section] command = "key"` or `= ["key", ...]`).
    pub fn patch(&mut self, text: &str, source: &str) -> Vec<String> {
        let table: toml::Table = match toml::from_str(text) {
            Ok(table) => table,
            Err(error) => {
                return vec![format!(
                    "The keymap file {source} is not valid TOML ({}); the default keys are in use.",
                    error.message()
                )];
            }
        };
        let mut warnings = Vec::new();
        for (section, entries) in &table {
            let Some((_, scope)) = SECTIONS.iter().find(|(name, _)| name == section) else {
                warnings.push(format!(
                    "{source}: there is no section [{section}]; use global, requests, submissions or settings."
                ));
                continue;
            };
            let Some(entries) = entries.as_table() else {
                warnings.push(format!(
                    "{source}: [{section}] must be a table of command = \"key\"."
                ));
                continue;
            };
            for (name, keys) in entries {
                let Some(command) = Command::ALL.iter().copied().find(|c| c.name() == name) else {
                    warnings.push(format!(
                        "{source}: [{section}] {name} is not a command handin knows; see the help (?) for the list."
                    ));
                    continue;
                };
                let texts: Vec<&str> = match keys {
                    toml::Value::String(key) => vec![key.as_str()],
                    toml::Value::Array(list) => list.iter().filter_map(|v| v.as_str()).collect(),
                    _ => Vec::new(),
                };
                let parsed: Result<Vec<(KeyCode, KeyModifiers)>, String> =
                    texts.iter().map(|t| parse_key(t)).collect();
                match parsed {
                    Ok(keys) if !keys.is_empty() => {
                        self.bindings
                            .retain(|b| !(b.scope == *scope && b.command == command));
                        for (key, modifiers) in keys {
                            self.bindings.push(Binding {
                                scope: *scope,
                                key,
                                modifiers,
                                command,
                            });
                        }
                    }
                    Ok(_) => warnings.push(format!(
                        "{source}: [{section}] {name} needs a key like \"n\" or [\"n\", \"ctrl-n\"]; its default keys stay."
                    )),
                    Err(reason) => warnings.push(format!(
                        "{source}: [{section}] {name}: {reason}; its default keys stay."
                    )),
                }
            }
        }
        warnings
    }

    /// The command for a key in a tab; tab bindings win over global ones.
    pub fn command(&self, tab: Tab, key: &KeyEvent) -> Option<Command> {
        // Terminals disagree on whether an upper-case letter carries SHIFT; ignore it for chars.
        let modifiers = match key.code {
            KeyCode::Char(_) => key.modifiers - KeyModifiers::SHIFT,
            _ => key.modifiers,
        };
        let matches = |binding: &&Binding| {
            let bound = match binding.key {
                KeyCode::Char(_) => binding.modifiers - KeyModifiers::SHIFT,
                _ => binding.modifiers,
            };
            binding.key == key.code && bound == modifiers
        };
        let in_tab = self
            .bindings
            .iter()
            .filter(|b| b.scope == Scope::Tab(tab))
            .find(matches);
        in_tab
            .or_else(|| {
                self.bindings
                    .iter()
                    .filter(|b| b.scope == Scope::Global)
                    .find(matches)
            })
            .map(|b| b.command)
    }

    /// Every binding that applies in `tab`, grouped by command in table order, for the help overlay.
    pub fn help(&self, tab: Tab) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(Command, Vec<String>)> = Vec::new();
        let scoped = self
            .bindings
            .iter()
            .filter(|b| b.scope == Scope::Tab(tab))
            .chain(self.bindings.iter().filter(|b| b.scope == Scope::Global));
        for binding in scoped {
            let label = key_label(binding.key, binding.modifiers);
            match rows.iter_mut().find(|(c, _)| *c == binding.command) {
                Some((_, keys)) => keys.push(label),
                None => rows.push((binding.command, vec![label])),
            }
        }
        rows.into_iter()
            .map(|(command, keys)| (keys.join(" "), command.describe()))
            .collect()
    }
}

/// Reads a key as keymap files write it: `n`, `N`, `ctrl-s`, `enter`, `shift-tab`, `f5`.
pub fn parse_key(text: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let lower = text.trim().to_lowercase();
    let (modifiers, name) = match lower
        .strip_prefix("ctrl-")
        .or_else(|| lower.strip_prefix("c-"))
    {
        Some(rest) => (KeyModifiers::CONTROL, rest.to_string()),
        None => (KeyModifiers::NONE, lower.clone()),
    };
    let code = match name.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => return Ok((KeyCode::BackTab, KeyModifiers::SHIFT)),
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        f if f.starts_with('f')
            && f.len() > 1
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            // A single character keeps its case from the original text: `N` is shift-n.
            let original = text.trim();
            let original = original
                .get(original.len() - name.len()..)
                .unwrap_or(original);
            let mut chars = original.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => {
                    return Err(format!(
                        "{text:?} is not a key; write a character, or enter, esc, tab, shift-tab, space, up, down, left, right, home, end, pgup, pgdn, backspace, delete, f1 to f12, with ctrl- in front if needed"
                    ));
                }
            }
        }
    };
    Ok((code, modifiers))
}

pub fn key_label(key: KeyCode, modifiers: KeyModifiers) -> String {
    let base = match key {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        other => format!("{other:?}"),
    };
    if modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn tab_bindings_and_global_bindings_resolve() {
        let keymap = Keymap::default();
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Requests, &j), Some(Command::Down));
        assert_eq!(keymap.command(Tab::Submissions, &j), Some(Command::Down));
        let v = key(KeyCode::Char('v'), KeyModifiers::NONE);
        assert_eq!(
            keymap.command(Tab::Submissions, &v),
            Some(Command::ToggleView)
        );
        assert_eq!(keymap.command(Tab::Requests, &v), None);
        let n = key(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Requests, &n), Some(Command::New));
        assert_eq!(keymap.command(Tab::Settings, &n), None);
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Settings, &q), Some(Command::Quit));
    }

    #[test]
    fn upper_case_letters_match_with_or_without_shift() {
        let keymap = Keymap::default();
        for modifiers in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
            let g = key(KeyCode::Char('G'), modifiers);
            assert_eq!(keymap.command(Tab::Requests, &g), Some(Command::End));
        }
    }

    #[test]
    fn a_keymap_file_replaces_keys_and_reports_its_mistakes() {
        let mut keymap = Keymap::default();
        let warnings = keymap.patch(
            "[requests]\nnew = [\"a\", \"ctrl-n\"]\ndelete = \"ctrl-what\"\nnwe = \"z\"\n[global]\nquit = \"Q\"\n[nowhere]\nx = \"y\"\n",
            "keys.toml",
        );
        let n = key(KeyCode::Char('n'), KeyModifiers::NONE);
        let a = key(KeyCode::Char('a'), KeyModifiers::NONE);
        let ctrl_n = key(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(keymap.command(Tab::Requests, &n), None, "replaced");
        assert_eq!(keymap.command(Tab::Requests, &a), Some(Command::New));
        assert_eq!(keymap.command(Tab::Requests, &ctrl_n), Some(Command::New));
        let d = key(KeyCode::Char('d'), KeyModifiers::NONE);
        assert_eq!(
            keymap.command(Tab::Requests, &d),
            Some(Command::Delete),
            "bad key: default kept"
        );
        let q = key(KeyCode::Char('Q'), KeyModifiers::SHIFT);
        assert_eq!(keymap.command(Tab::Settings, &q), Some(Command::Quit));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings.iter().all(|w| w.starts_with("keys.toml")));
        assert!(warnings.iter().any(|w| w.contains("nwe")));
        assert!(warnings.iter().any(|w| w.contains("[nowhere]")));
        assert!(warnings.iter().any(|w| w.contains("ctrl-what")));
    }

    #[test]
    fn a_broken_keymap_file_leaves_the_defaults() {
        let mut keymap = Keymap::default();
        let warnings = keymap.patch("[requests\nnew = ", "keys.toml");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("not valid TOML"), "{warnings:?}");
        let n = key(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Requests, &n), Some(Command::New));
        let (_, warnings) = Keymap::with_file(std::path::Path::new("/nonexistent/keys.toml"));
        assert!(warnings[0].contains("could not be read"), "{warnings:?}");
    }

    #[test]
    fn every_command_has_a_distinct_name() {
        let mut names: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Command::ALL.len());
    }

    #[test]
    fn no_key_does_two_things_in_one_tab() {
        let keymap = Keymap::default();
        for tab in Tab::ALL {
            let mut seen: Vec<(KeyCode, KeyModifiers, Command)> = Vec::new();
            let visible = keymap
                .bindings
                .iter()
                .filter(|b| b.scope == Scope::Tab(tab) || b.scope == Scope::Global);
            for binding in visible {
                let modifiers = match binding.key {
                    KeyCode::Char(_) => binding.modifiers - KeyModifiers::SHIFT,
                    _ => binding.modifiers,
                };
                if let Some((_, _, other)) = seen
                    .iter()
                    .find(|(key, m, _)| *key == binding.key && *m == modifiers)
                {
                    assert_eq!(
                        *other, binding.command,
                        "{:?} in {tab:?} is bound to two commands",
                        binding.key
                    );
                }
                seen.push((binding.key, modifiers, binding.command));
            }
        }
    }

    #[test]
    fn the_download_keys() {
        let keymap = Keymap::default();
        let press = |c: char| key(KeyCode::Char(c), KeyModifiers::NONE);
        let submissions = |c: char| keymap.command(Tab::Submissions, &press(c));
        assert_eq!(submissions(' '), Some(Command::Mark));
        assert_eq!(submissions('w'), Some(Command::Download));
        assert_eq!(submissions('W'), Some(Command::DownloadAll));
        for tab in Tab::ALL {
            assert_eq!(
                keymap.command(tab, &press('p')),
                Some(Command::ShowDownloads),
                "p shows the download from every tab"
            );
        }
        assert_eq!(keymap.command(Tab::Requests, &press('w')), None);
    }

    #[test]
    fn the_mail_keys() {
        let keymap = Keymap::default();
        let m = key(KeyCode::Char('m'), KeyModifiers::NONE);
        let shift_m = key(KeyCode::Char('M'), KeyModifiers::SHIFT);
        for tab in [Tab::Requests, Tab::Submissions] {
            assert_eq!(keymap.command(tab, &m), Some(Command::Invite));
            assert_eq!(keymap.command(tab, &shift_m), Some(Command::Remind));
        }
        assert_eq!(keymap.command(Tab::Settings, &m), Some(Command::PickMember));
    }

    #[test]
    fn help_lists_every_binding_of_the_tab() {
        let keymap = Keymap::default();
        let help = keymap.help(Tab::Requests);
        let down = help.iter().find(|(_, what)| *what == "move down");
        assert_eq!(down.map(|(keys, _)| keys.as_str()), Some("j ↓"));
        assert!(help.iter().any(|(keys, _)| keys == "q Ctrl-C"));
    }
}
