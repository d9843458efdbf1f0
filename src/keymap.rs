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
}

impl Command {
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
        ];
        let requests = [
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
        ];
        let settings = [
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
            (K::Enter, none, C::EditSetting),
            (K::Char('e'), none, C::EditSetting),
            (K::Char('r'), none, C::Refresh),
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
            .chain(requests.into_iter().map(scoped(Scope::Tab(Tab::Requests))))
            .chain(settings.into_iter().map(scoped(Scope::Tab(Tab::Settings))))
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
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
        assert_eq!(keymap.command(Tab::Submissions, &j), None);
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
    fn help_lists_every_binding_of_the_tab() {
        let keymap = Keymap::default();
        let help = keymap.help(Tab::Requests);
        let down = help.iter().find(|(_, what)| *what == "move down");
        assert_eq!(down.map(|(keys, _)| keys.as_str()), Some("j ↓"));
        assert!(help.iter().any(|(keys, _)| keys == "q Ctrl-C"));
    }
}
