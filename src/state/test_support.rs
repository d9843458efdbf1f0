//! The reducer tests' shared moves (keys, pastes, a state at a known point), kept
//! in one place so every test module drives the reducer the same way.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::fixtures::fixed_now;

/// A state at the fixtures' instant on an 80x24 screen, before it has asked for anything.
pub(crate) fn state() -> State {
    let mut state = State::new(fixed_now(), Zone::utc(), Environment::default());
    update(
        &mut state,
        Action::Resize(crate::ui::layout::screen(80, 24)),
    );
    state
}

/// A state that has started and received `list` as its file requests.
pub(crate) fn loaded(list: Vec<crate::dropbox::FileRequest>) -> State {
    let mut state = state();
    let effects = state.start();
    assert_eq!(
        effects,
        vec![
            Effect::LoadRequests { generation: 1 },
            Effect::CountRequests { generation: 1 },
            Effect::LoadAccount { generation: 1 }
        ]
    );
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(list),
        },
    );
    state
}

pub(crate) fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(crate) fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub(crate) fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    update(state, Action::Paste(text.to_string()))
}

pub(crate) fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

pub(crate) fn selected_title(state: &State) -> String {
    state
        .requests
        .selected_row()
        .map(|row| row.request.title.clone())
        .unwrap_or_default()
}

pub(crate) fn visible_titles(state: &State) -> Vec<String> {
    state
        .requests
        .visible
        .iter()
        .map(|&i| state.requests.rows[i].request.title.clone())
        .collect()
}
