use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::test_support::{loaded, press, selected_title, state, type_text, visible_titles};
use super::*;
use crate::fixtures::{fixed_now, many_requests, sample_requests};

#[test]
fn loading_then_loaded() {
    let mut state = state();
    state.start();
    assert!(state.is_loading());
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(sample_requests(fixed_now())),
        },
    );
    assert_eq!(state.requests.load, Load::Loaded);
    assert_eq!(state.requests.visible.len(), 10);
    assert_eq!(state.requests.loaded_at, Some(fixed_now()));
}

#[test]
fn a_stale_reply_is_dropped() {
    let mut state = loaded(sample_requests(fixed_now()));
    let effects = press(&mut state, KeyCode::Char('r'));
    assert_eq!(
        effects,
        vec![
            Effect::LoadRequests { generation: 2 },
            Effect::CountRequests { generation: 2 }
        ]
    );
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(Vec::new()),
        },
    );
    assert_eq!(state.requests.rows.len(), 10, "old generation ignored");
    assert!(state.requests.load.is_loading());
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 2,
            result: Ok(Vec::new()),
        },
    );
    assert!(state.requests.rows.is_empty());
}

#[test]
fn a_failure_keeps_the_old_list_and_says_why() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('r'));
    let error = crate::fixtures::network_error();
    let sentence = error.sentence();
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 2,
            result: Err(error),
        },
    );
    assert_eq!(state.requests.rows.len(), 10);
    assert_eq!(state.requests.load, Load::Failed(sentence.clone()));
    let status = state.status.clone().expect("status");
    assert_eq!(status.level, Level::Error);
    assert!(status.text.contains(&sentence));
}

#[test]
fn default_sort_is_by_deadline_with_undated_last() {
    let state = loaded(sample_requests(fixed_now()));
    let titles = visible_titles(&state);
    assert_eq!(
        titles.first().map(String::as_str),
        Some("Old draft request")
    );
    assert_eq!(
        titles.last().map(String::as_str),
        Some("Midterm corrections")
    );
}

#[test]
fn navigation_stays_inside_the_list() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('k'));
    assert_eq!(state.requests.selected, 0);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Down);
    assert_eq!(state.requests.selected, 2);
    press(&mut state, KeyCode::End);
    assert_eq!(state.requests.selected, 9);
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.requests.selected, 9);
    press(&mut state, KeyCode::Home);
    assert_eq!(state.requests.selected, 0);
}

#[test]
fn paging_moves_by_a_screen_and_scrolls() {
    let mut state = loaded(many_requests(100, fixed_now()));
    let page = state.screen.list_rows;
    assert!(page > 5);
    press(&mut state, KeyCode::PageDown);
    assert_eq!(state.requests.selected, page);
    assert_eq!(state.requests.offset, 1, "the selection stays on screen");
    press(&mut state, KeyCode::PageDown);
    press(&mut state, KeyCode::PageUp);
    assert_eq!(state.requests.selected, page);
    press(&mut state, KeyCode::End);
    assert_eq!(state.requests.selected, 99);
    assert_eq!(state.requests.offset, 100 - page);
    // A taller terminal shows more rows; the offset follows.
    update(
        &mut state,
        Action::Resize(crate::ui::layout::screen(120, 40)),
    );
    assert_eq!(state.requests.offset, 100 - state.screen.list_rows);
}

#[test]
fn filter_is_live_case_insensitive_on_title_and_folder() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('/'));
    assert!(state.requests.filter_editing);
    type_text(&mut state, "LAB");
    assert_eq!(state.requests.visible.len(), 5);
    // "q" while typing is text, not quit.
    type_text(&mut state, " r");
    assert!(!state.quitting);
    assert_eq!(
        visible_titles(&state),
        vec!["Lab report 1".to_string(), "Lab report 2".to_string()]
    );
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);
    assert_eq!(state.requests.visible.len(), 5);
    // The folder matches too.
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "math210");
    assert_eq!(state.requests.visible.len(), 3);
    press(&mut state, KeyCode::Enter);
    assert!(!state.requests.filter_editing);
    assert_eq!(state.requests.filter_text(), "math210");
    // j/k navigate again once the filter is kept.
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.requests.selected, 1);
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.requests.visible.len(), 10);
}

#[test]
fn filter_without_match_leaves_nothing_selected() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "zzz");
    assert!(state.requests.visible.is_empty());
    assert!(state.requests.selected_row().is_none());
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('j'));
    assert!(state.requests.selected_row().is_none());
}

#[test]
fn sorting_cycles_and_keeps_the_selected_request() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    let chosen = selected_title(&state);
    press(&mut state, KeyCode::Char('s'));
    assert_eq!(state.requests.sort, SortColumn::Title);
    assert_eq!(selected_title(&state), chosen);
    assert_eq!(visible_titles(&state)[0], "Lab 1 - Hello, World");
    press(&mut state, KeyCode::Char('S'));
    assert!(state.requests.descending);
    assert_eq!(visible_titles(&state)[0], "Project proposal");
    assert_eq!(selected_title(&state), chosen);
    for _ in 0..6 {
        press(&mut state, KeyCode::Char('s'));
    }
    assert_eq!(state.requests.sort, SortColumn::Deadline);
}

#[test]
fn a_reload_keeps_the_selection_on_the_same_request() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    let chosen = selected_title(&state);
    press(&mut state, KeyCode::Char('r'));
    let mut list = sample_requests(fixed_now());
    list.remove(0);
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 2,
            result: Ok(list),
        },
    );
    assert_eq!(selected_title(&state), chosen);
}

#[test]
fn tabs_switch_by_number_and_cycle() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('3'));
    assert_eq!(state.tab, Tab::Settings);
    press(&mut state, KeyCode::Tab);
    assert_eq!(state.tab, Tab::Requests);
    update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(state.tab, Tab::Settings);
    // r in Settings reloads the account, not the requests.
    assert_eq!(
        press(&mut state, KeyCode::Char('r')),
        vec![Effect::LoadAccount { generation: 2 }]
    );
}

#[test]
fn enter_opens_the_request_in_submissions() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.tab, Tab::Submissions);
    let first = &state.requests.rows[state.requests.visible[0]].request.id;
    assert_eq!(state.opened_request.as_ref(), Some(first));
}

#[test]
fn help_opens_and_any_key_closes_it_without_acting() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('?'));
    assert!(state.help_open);
    assert!(press(&mut state, KeyCode::Char('q')).is_empty());
    assert!(!state.help_open);
    assert!(!state.quitting);
    press(&mut state, KeyCode::Char('q'));
    assert!(state.quitting);
}

#[test]
fn ctrl_c_quits_even_while_filtering() {
    let mut state = loaded(sample_requests(fixed_now()));
    press(&mut state, KeyCode::Char('/'));
    update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(state.quitting);
}

#[test]
fn ctrl_c_quits_in_every_tab_after_a_keymap_file_gave_quit_other_keys() {
    for tab in ['1', '2', '3'] {
        let mut state = loaded(sample_requests(fixed_now()));
        let warnings = state.keymap.patch("[global]\nquit = \"Q\"\n", "keys.toml");
        assert!(warnings.is_empty(), "{warnings:?}");
        press(&mut state, KeyCode::Char(tab));
        update(
            &mut state,
            Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(state.quitting, "tab {tab}");
    }
}

#[test]
fn paste_goes_into_the_filter_only_while_typing() {
    let mut state = loaded(sample_requests(fixed_now()));
    update(&mut state, Action::Paste("Lab".to_string()));
    assert_eq!(state.requests.filter_text(), "");
    press(&mut state, KeyCode::Char('/'));
    update(&mut state, Action::Paste("report\n".to_string()));
    assert_eq!(state.requests.filter_text(), "report");
    assert_eq!(state.requests.visible.len(), 2);
}

#[test]
fn the_clock_action_moves_now_and_nothing_else() {
    let mut state = loaded(sample_requests(fixed_now()));
    let later = fixed_now() + chrono::Duration::hours(1);
    let before = visible_titles(&state);
    assert!(update(&mut state, Action::Clock(later)).is_empty());
    assert_eq!(state.now, later);
    assert_eq!(visible_titles(&state), before);
    assert_eq!(state.requests.loaded_at, Some(fixed_now()));
}

#[test]
fn standing_follows_the_deadline_and_grace() {
    use crate::state::requests::{RequestRow, Standing};
    let now = fixed_now();
    let standing = |title: &str| {
        let request = sample_requests(now)
            .into_iter()
            .find(|r| r.title == title)
            .expect("fixture");
        RequestRow::new(request).standing(now)
    };
    assert_eq!(standing("Lab 3 - Sorting"), Standing::InGrace);
    assert_eq!(standing("Lab report 1"), Standing::PastDue);
    assert_eq!(
        standing("Problem set 1"),
        Standing::InGrace,
        "30 days of grace"
    );
    assert_eq!(standing("Project proposal"), Standing::Upcoming);
    assert_eq!(
        standing("Midterm corrections"),
        Standing::Upcoming,
        "no deadline"
    );
    assert_eq!(standing("Lab 2 - Loops"), Standing::Closed);
}

#[test]
fn saving_a_setting_names_the_one_key_that_changed() {
    use crate::config::{Config, ConfigKey};
    use crate::state::settings::SettingKey;
    // An --api-base of this run is in the effective configuration the tab edits.
    let mut state = state().with_config(Config {
        api_base: Some("http://127.0.0.1:9".to_string()),
        ..Config::default()
    });
    press(&mut state, KeyCode::Char('3'));
    state.settings.selected = SettingKey::ALL
        .iter()
        .position(|key| *key == SettingKey::SmtpHost)
        .expect("listed");
    press(&mut state, KeyCode::Enter);
    type_text(&mut state, "smtp.example.edu");
    let effects = press(&mut state, KeyCode::Enter);
    match effects.as_slice() {
        [Effect::SaveConfig { key, config, .. }] => {
            assert_eq!(key, &ConfigKey::dotted("mail.smtp_host"));
            assert_eq!(config.mail.smtp_host.as_deref(), Some("smtp.example.edu"));
        }
        other => panic!("one save of the key that changed, not {other:?}"),
    }
    assert_eq!(state.settings.saving, "mail.smtp_host");
}

#[test]
fn a_link_with_a_line_feed_or_an_escape_is_never_copied() {
    let list = sample_requests(fixed_now());
    let mut state = loaded(list.clone());
    let copy = |state: &mut State| {
        update(
            state,
            Action::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
        )
    };
    let selected = state
        .requests
        .selected_row()
        .expect("a row")
        .request
        .id
        .clone();
    let url_of = |list: &[crate::dropbox::FileRequest]| {
        list.iter()
            .find(|r| r.id == selected)
            .expect("selected")
            .url
            .clone()
    };
    assert_eq!(
        copy(&mut state),
        vec![Effect::Copy {
            text: url_of(&list)
        }]
    );
    for hostile in [
        "https://www.dropbox.com/request/x\nrm -rf ~\n",
        "https://www.dropbox.com/request/x\u{1b}]52;c;UFdO\u{7}",
        "https://www.dropbox.com/request/x \u{202e}",
    ] {
        let mut list = list.clone();
        for request in &mut list {
            request.url = hostile.to_owned();
        }
        let mut state = loaded(list);
        assert_eq!(copy(&mut state), Vec::new(), "{hostile:?}");
        let status = state.status.as_ref().expect("a status");
        assert_eq!(status.level, Level::Error);
        assert!(status.text.contains("not copied"), "{}", status.text);
        assert!(
            !status.text.contains(crate::untrusted::is_unsafe),
            "{}",
            status.text
        );
    }
}

/// The reducer's rule, checked on its source: it draws on no view's layout and reads no
/// home folder, environment, file or clock; those come in through actions and state.
#[test]
fn the_reducer_imports_no_view_and_does_no_io() {
    fn sources(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/state") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                into.push(path);
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/state"),
        &mut files,
    );
    assert!(files.len() > 5, "{files:?}");
    let forbidden = [
        "crate::ui",
        "directories::",
        "std::env",
        "std::fs",
        "Utc::now",
        "SystemTime",
    ];
    // Test-only files may build a screen and a clock; the reducer may not.
    let test_only = |file: &&std::path::PathBuf| {
        file.ends_with("tests.rs") || file.ends_with("test_support.rs")
    };
    for file in files.iter().filter(|file| !test_only(file)) {
        let text = std::fs::read_to_string(file).expect("readable");
        let reducer = text.split("#[cfg(test)]").next().unwrap_or_default();
        for word in forbidden {
            assert!(
                !reducer.contains(word),
                "{} uses {word} outside its tests",
                file.display()
            );
        }
    }
}

/// The sample term with "Lab report 1" (in `/Courses/PHYS150 Mechanics`) under the cursor.
fn on_lab_report(config: crate::config::Config) -> State {
    let mut state = state().with_config(config);
    state.start();
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(sample_requests(fixed_now())),
        },
    );
    while selected_title(&state) != "Lab report 1" {
        press(&mut state, KeyCode::Down);
    }
    state
}

#[test]
fn a_roster_key_in_another_case_written_with_a_tilde_is_loaded_when_a_request_opens() {
    let mut config = crate::config::Config::default();
    config.rosters.insert(
        "/courses/phys150 mechanics".to_string(),
        "~/rosters/phys150.csv".into(),
    );
    let mut state = on_lab_report(config);
    state.environment.home = Some("/home/ada".into());
    let effects = press(&mut state, KeyCode::Enter);
    let loaded: Vec<_> = effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::LoadRoster { path, .. } => Some(path.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        loaded,
        [std::path::PathBuf::from("/home/ada/rosters/phys150.csv")]
    );
}

#[test]
fn setting_the_roster_again_replaces_the_line_in_another_case() {
    use crate::config::ConfigKey;
    let mut config = crate::config::Config::default();
    config.rosters.insert(
        "/courses/phys150 mechanics".to_string(),
        "/old/phys150.csv".into(),
    );
    let mut state = on_lab_report(config);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('R'));
    let Some(super::submissions::Prompt::Roster { input }) = &state.submissions.prompt else {
        panic!("the roster prompt is open: {:?}", state.submissions.prompt);
    };
    assert_eq!(input.value(), "/old/phys150.csv");
    for _ in 0.."/old/phys150.csv".chars().count() {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "/new/phys150.csv");
    let effects = press(&mut state, KeyCode::Enter);
    let Some(Effect::SaveConfig { key, config, .. }) = effects.first() else {
        panic!("the roster is saved: {effects:?}");
    };
    assert_eq!(key, &ConfigKey::roster("/courses/phys150 mechanics"));
    assert_eq!(
        config.rosters.keys().collect::<Vec<_>>(),
        ["/courses/phys150 mechanics"],
        "one line for the course, not a second in another case"
    );
}

/// The Requests tab's "in grace" and the class view's "late (in grace)" are one rule,
/// a grace period handin does not know included: it covers nothing in either.
#[test]
fn standing_and_lateness_agree_on_every_grace_known_or_not() {
    use crate::dropbox::{FileRequestDeadline, GracePeriod};
    use crate::state::requests::{RequestRow, Standing};
    use crate::submissions::{Lateness, lateness};
    let deadline = fixed_now();
    let mut graces: Vec<Option<GracePeriod>> = crate::file_request::grace::CHOICES.to_vec();
    graces.push(Some(GracePeriod::Other));
    let mut request = sample_requests(fixed_now())
        .into_iter()
        .find(|r| r.is_open)
        .expect("an open request");
    for grace in graces {
        let mut wire = FileRequestDeadline::new(crate::time::to_dropbox(deadline));
        if let Some(grace) = grace.clone() {
            wire = wire.with_allow_late_uploads(grace);
        }
        request.deadline = Some(wire);
        let row = RequestRow::new(request.clone());
        for late_by in [
            1,
            86_400,
            86_401,
            2 * 86_400 + 1,
            40 * 86_400,
            3_650 * 86_400,
        ] {
            let now = deadline + chrono::Duration::seconds(late_by);
            let Lateness::Late { within_grace, .. } = lateness(now, Some(deadline), grace.as_ref())
            else {
                panic!("{late_by} s after the deadline is late");
            };
            let in_grace = row.standing(now) == Standing::InGrace;
            assert_eq!(
                in_grace, within_grace,
                "{grace:?}, {late_by} s late: the request says in grace {in_grace}, the file {within_grace}"
            );
        }
    }
}
