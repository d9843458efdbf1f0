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
    origin: Origin,
}

/// Where a binding came from. The order is precedence when two commands claim one key in
/// one scope: the keymap file beats the defaults, and an earlier line beats a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// The n-th key the keymap file binds.
    File(usize),
    Default,
}

impl Binding {
    /// Terminals disagree on whether an upper-case letter carries SHIFT: it is ignored
    /// for characters.
    fn modifiers_that_count(&self) -> KeyModifiers {
        match self.key {
            KeyCode::Char(_) => self.modifiers - KeyModifiers::SHIFT,
            _ => self.modifiers,
        }
    }

    fn same_key(&self, other: &Binding) -> bool {
        self.key == other.key && self.modifiers_that_count() == other.modifiers_that_count()
    }

    fn label(&self) -> String {
        key_label(self.key, self.modifiers)
    }
}

/// Ctrl-C, which quits handin whatever the keymap file says: a way out that no
/// binding can take away.
pub fn is_interrupt(key: &KeyEvent) -> bool {
    is_interrupt_key(key.code, key.modifiers)
}

fn is_interrupt_key(code: KeyCode, modifiers: KeyModifiers) -> bool {
    matches!(code, KeyCode::Char('c' | 'C')) && modifiers.contains(KeyModifiers::CONTROL)
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
                origin: Origin::Default,
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
        let mut bound_so_far = 0;
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
                let mut refused_interrupt = false;
                let parsed = parsed.map(|keys| {
                    keys.into_iter()
                        .filter(|(key, modifiers)| {
                            let refused =
                                command != Command::Quit && is_interrupt_key(*key, *modifiers);
                            refused_interrupt |= refused;
                            !refused
                        })
                        .collect::<Vec<_>>()
                });
                if refused_interrupt {
                    warnings.push(format!(
                        "{source}: [{section}] {name} cannot have ctrl-c, which always quits handin; give it another key."
                    ));
                }
                match parsed {
                    // Said above; the command keeps its default keys.
                    Ok(keys) if keys.is_empty() && refused_interrupt => {}
                    Ok(keys) if !keys.is_empty() => {
                        // Ctrl-C stays Quit's even when the file gives quit other keys.
                        self.bindings.retain(|b| {
                            !(b.scope == *scope
                                && b.command == command
                                && !is_interrupt_key(b.key, b.modifiers))
                        });
                        for (key, modifiers) in keys {
                            self.bindings.push(Binding {
                                scope: *scope,
                                key,
                                modifiers,
                                command,
                                origin: Origin::File(bound_so_far),
                            });
                            bound_so_far += 1;
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
        warnings.extend(self.settle_conflicts(source));
        warnings
    }

    /// Where the file gave one key to two commands in one scope (two of its own lines, or
    /// one of its lines and a default), keeps the key for the one that wins (see
    /// [`Origin`]) and takes it from the other, so the help shows what the key does.
    fn settle_conflicts(&mut self, source: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut taken = vec![false; self.bindings.len()];
        for (winner_index, winner) in self.bindings.iter().enumerate() {
            if taken[winner_index] {
                continue;
            }
            for (loser_index, loser) in self.bindings.iter().enumerate() {
                let conflict = !taken[loser_index]
                    && loser.scope == winner.scope
                    && loser.command != winner.command
                    && loser.same_key(winner)
                    && winner.origin < loser.origin;
                if !conflict {
                    continue;
                }
                taken[loser_index] = true;
                let section = SECTIONS
                    .iter()
                    .find(|(_, scope)| *scope == winner.scope)
                    .map_or("global", |(name, _)| name);
                warnings.push(format!(
                    "{source}: [{section}] {} is bound to both {} and {}; {} wins, so give {} another key.",
                    winner.label(),
                    winner.command.name(),
                    loser.command.name(),
                    winner.command.name(),
                    loser.command.name(),
                ));
            }
        }
        let mut index = 0;
        self.bindings.retain(|_| {
            index += 1;
            !taken[index - 1]
        });
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
            binding.key == key.code && binding.modifiers_that_count() == modifiers
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

    /// The bindings that work in `tab`: its own, then the global ones it does not shadow.
    fn in_effect(&self, tab: Tab) -> impl Iterator<Item = &Binding> {
        let own = self
            .bindings
            .iter()
            .filter(move |b| b.scope == Scope::Tab(tab));
        let global = self.bindings.iter().filter(move |global| {
            global.scope == Scope::Global
                && !self
                    .bindings
                    .iter()
                    .any(|own| own.scope == Scope::Tab(tab) && own.same_key(global))
        });
        own.chain(global)
    }

    /// The key to name for `command` in `tab` (the keymap file's first, else the first
    /// default), or `None` when nothing there runs it.
    pub fn key_for(&self, tab: Tab, command: Command) -> Option<String> {
        self.in_effect(tab)
            .filter(|b| b.command == command)
            .min_by_key(|b| b.origin)
            .map(Binding::label)
    }

    /// Every binding that applies in `tab`, grouped by command in table order, for the help overlay.
    pub fn help(&self, tab: Tab) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(Command, Vec<String>)> = Vec::new();
        for binding in self.in_effect(tab) {
            let label = binding.label();
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

    fn ctrl_c() -> KeyEvent {
        key(KeyCode::Char('c'), KeyModifiers::CONTROL)
    }

    #[test]
    fn ctrl_c_stays_quit_whatever_the_file_says() {
        let mut keymap = Keymap::default();
        let warnings = keymap.patch(
            "[global]\nquit = \"Q\"\nhelp = [\"ctrl-c\", \"h\"]\n[requests]\nnew = \"ctrl-c\"\n[submissions]\nmark = \"C-C\"\n",
            "keys.toml",
        );
        for tab in Tab::ALL {
            assert_eq!(
                keymap.command(tab, &ctrl_c()),
                Some(Command::Quit),
                "{tab:?}"
            );
        }
        let refused: Vec<&String> = warnings
            .iter()
            .filter(|w| w.contains("cannot have ctrl-c, which always quits handin"))
            .collect();
        assert_eq!(refused.len(), 3, "{warnings:?}");
        assert!(
            refused[0].starts_with("keys.toml: [global] help"),
            "{warnings:?}"
        );
        assert!(
            refused[1].starts_with("keys.toml: [requests] new"),
            "{warnings:?}"
        );
        assert!(
            refused[2].starts_with("keys.toml: [submissions] mark"),
            "{warnings:?}"
        );
        // What else those lines asked for still happens; a command left with nothing
        // keeps its default keys.
        let h = key(KeyCode::Char('h'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Settings, &h), Some(Command::Help));
        let n = key(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Requests, &n), Some(Command::New));
        let space = key(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(
            keymap.command(Tab::Submissions, &space),
            Some(Command::Mark)
        );
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            keymap.command(Tab::Settings, &q),
            None,
            "quit's q was replaced"
        );
        // And the help still names Ctrl-C for quitting.
        let help = keymap.help(Tab::Settings);
        let quit = help.iter().find(|(_, what)| *what == "quit handin");
        assert_eq!(quit.map(|(keys, _)| keys.as_str()), Some("Ctrl-C Q"));
        // Binding quit itself to ctrl-c is no conflict at all.
        let mut keymap = Keymap::default();
        assert!(
            keymap
                .patch("[global]\nquit = [\"ctrl-c\", \"x\"]\n", "k")
                .is_empty()
        );
    }

    #[test]
    fn a_key_given_to_two_commands_in_one_scope_is_reported_and_the_first_wins() {
        let mut keymap = Keymap::default();
        let warnings = keymap.patch(
            "[requests]\nnew = \"a\"\nedit = [\"a\", \"E\"]\n",
            "keys.toml",
        );
        assert_eq!(
            warnings,
            [
                "keys.toml: [requests] a is bound to both new and edit; new wins, so give edit another key."
            ]
        );
        let a = key(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Requests, &a), Some(Command::New));
        let help = keymap.help(Tab::Requests);
        let row = |what: &str| {
            help.iter()
                .find(|(_, described)| *described == what)
                .map(|(keys, _)| keys.clone())
        };
        assert_eq!(row("new file request").as_deref(), Some("a"));
        assert_eq!(
            row("edit the request").as_deref(),
            Some("E"),
            "a is new's only"
        );
        // The order of the file decides, not the order of the commands.
        let mut keymap = Keymap::default();
        let warnings = keymap.patch("[requests]\nedit = \"a\"\nnew = \"a\"\n", "keys.toml");
        assert_eq!(
            warnings,
            [
                "keys.toml: [requests] a is bound to both edit and new; edit wins, so give new another key."
            ]
        );
        assert_eq!(keymap.command(Tab::Requests, &a), Some(Command::Edit));
    }

    #[test]
    fn a_file_key_that_a_default_holds_is_reported_and_the_file_wins() {
        let mut keymap = Keymap::default();
        let warnings = keymap.patch("[requests]\nnew = \"d\"\n", "keys.toml");
        assert_eq!(
            warnings,
            [
                "keys.toml: [requests] d is bound to both new and delete; new wins, so give delete another key."
            ]
        );
        let d = key(KeyCode::Char('d'), KeyModifiers::NONE);
        assert_eq!(keymap.command(Tab::Requests, &d), Some(Command::New));
        assert_eq!(keymap.key_for(Tab::Requests, Command::Delete), None);
        // Other scopes keep their own meaning of the key.
        let mut keymap = Keymap::default();
        assert!(
            keymap
                .patch("[settings]\nsign_in = \"d\"\n", "k")
                .is_empty()
        );
        assert_eq!(keymap.command(Tab::Requests, &d), Some(Command::Delete));
    }

    #[test]
    fn key_for_names_the_key_that_works_in_the_tab() {
        let keymap = Keymap::default();
        assert_eq!(
            keymap.key_for(Tab::Requests, Command::New).as_deref(),
            Some("n")
        );
        assert_eq!(keymap.key_for(Tab::Settings, Command::New), None);
        assert_eq!(
            keymap.key_for(Tab::Settings, Command::Quit).as_deref(),
            Some("q")
        );
        let mut keymap = Keymap::default();
        assert!(
            keymap
                .patch("[requests]\nnew = [\"ctrl-n\", \"b\"]\n", "k")
                .is_empty()
        );
        assert_eq!(
            keymap.key_for(Tab::Requests, Command::New).as_deref(),
            Some("Ctrl-N")
        );
        // A global key that the tab uses for something else is no key for it there.
        let mut keymap = Keymap::default();
        assert!(keymap.patch("[global]\nhelp = \"n\"\n", "k").is_empty());
        assert_eq!(keymap.key_for(Tab::Requests, Command::Help), None);
        assert_eq!(
            keymap.key_for(Tab::Settings, Command::Help).as_deref(),
            Some("n")
        );
        assert!(
            !keymap
                .help(Tab::Requests)
                .iter()
                .any(|(_, what)| *what == "show or hide this help"),
            "the help does not offer a key that does something else in the tab"
        );
    }
}
