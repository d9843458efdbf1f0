//! The views drawn on a TestBackend at fixed sizes, compared with committed snapshots.
//! Snapshots carry no colour, so the styles that matter are asserted cell by cell.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use handin::action::{Action, Effect};
use handin::config::Config;
use handin::dropbox::{FileMetadata, Metadata};
use handin::fixtures::{
    fixed_now, sample_files, sample_files_request, sample_requests, sample_roster,
};
use handin::state::{Environment, State, update};
use handin::time::Zone;
use handin::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

fn environment(color: bool) -> Environment {
    Environment {
        source: "demo emulator at http://127.0.0.1:40000".to_string(),
        config_file: "/home/prof/.config/handin/config.toml".to_string(),
        data_dir: "/home/prof/.local/share/handin".to_string(),
        log_file: "/home/prof/.local/share/handin/handin.log".to_string(),
        color,
        home: Some("/home/prof".into()),
    }
}

fn state_at(width: u16, height: u16, color: bool) -> State {
    let config = Config {
        download_dir: Some("/home/prof/handin-downloads".into()),
        ..Config::default()
    };
    let mut state = State::new(fixed_now(), Zone::utc(), environment(color)).with_config(config);
    update(
        &mut state,
        Action::Resize(handin::ui::layout::screen(width, height)),
    );
    state.start();
    state
}

fn loaded(width: u16, height: u16) -> State {
    let mut state = state_at(width, height, true);
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(sample_requests(fixed_now())),
        },
    );
    state
}

fn key(state: &mut State, code: KeyCode) {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn draw(state: &State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(state.screen.width, state.screen.height))
        .expect("test terminal");
    terminal
        .draw(|frame| ui::render(state, frame))
        .expect("draw");
    terminal
}

fn screen(state: &State) -> String {
    let terminal = draw(state);
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn requests_loaded_80x24() {
    insta::assert_snapshot!(screen(&loaded(80, 24)));
}

#[test]
fn requests_loaded_120x40() {
    insta::assert_snapshot!(screen(&loaded(120, 40)));
}

#[test]
fn requests_loading_80x24() {
    insta::assert_snapshot!(screen(&state_at(80, 24, true)));
}

#[test]
fn requests_loading_120x40() {
    insta::assert_snapshot!(screen(&state_at(120, 40, true)));
}

fn failed(width: u16, height: u16) -> State {
    let mut state = state_at(width, height, true);
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Err(handin::fixtures::network_error()),
        },
    );
    state
}

#[test]
fn requests_failed_80x24() {
    insta::assert_snapshot!(screen(&failed(80, 24)));
}

#[test]
fn requests_failed_120x40() {
    insta::assert_snapshot!(screen(&failed(120, 40)));
}

fn filtered(width: u16, height: u16) -> State {
    let mut state = loaded(width, height);
    key(&mut state, KeyCode::Char('/'));
    for c in "lab".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    state
}

#[test]
fn requests_filtered_80x24() {
    insta::assert_snapshot!(screen(&filtered(80, 24)));
}

#[test]
fn requests_filtered_120x40() {
    insta::assert_snapshot!(screen(&filtered(120, 40)));
}

fn empty(width: u16, height: u16) -> State {
    let mut state = state_at(width, height, true);
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(Vec::new()),
        },
    );
    state
}

#[test]
fn requests_empty_80x24() {
    insta::assert_snapshot!(screen(&empty(80, 24)));
}

#[test]
fn requests_empty_120x40() {
    insta::assert_snapshot!(screen(&empty(120, 40)));
}

#[test]
fn help_overlay_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&state));
}

/// The footer and the help name the keys a keymap file bound, not the defaults.
#[test]
fn a_remapped_key_shows_in_the_footer_and_the_help() {
    let mut state = loaded(80, 24);
    let warnings = state.keymap.patch(
        "[requests]\nnew = \"a\"\ncopy_link = \"ctrl-y\"\n[global]\nhelp = \"h\"\n",
        "keys.toml",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let shown = screen(&state);
    let footer = shown.lines().last().unwrap_or_default().to_string();
    assert!(
        footer.starts_with("a new  e edit  x close  Ctrl-Y copy link"),
        "{footer}"
    );
    assert!(footer.contains("h help"), "{footer}");
    assert!(
        !footer.contains("n new") && !footer.contains("? help"),
        "{footer}"
    );
    key(&mut state, KeyCode::Char('h'));
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn settings_tab_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('3'));
    insta::assert_snapshot!(screen(&state));
}

/// Finds the first cell of `text` on screen.
fn find(terminal: &Terminal<TestBackend>, text: &str) -> (u16, u16) {
    let buffer = terminal.backend().buffer();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        if let Some(byte) = line.find(text) {
            let x = line[..byte].chars().count() as u16;
            return (x, y);
        }
    }
    panic!("{text:?} is not on screen");
}

/// The cell in `row_text`'s row under the column whose header is `column`.
fn cell_under(
    terminal: &Terminal<TestBackend>,
    row_text: &str,
    column: &str,
) -> ratatui::buffer::Cell {
    let (_, y) = find(terminal, row_text);
    let (x, _) = find(terminal, column);
    terminal.backend().buffer()[(x, y)].clone()
}

#[test]
fn the_selected_row_is_reversed_and_lateness_is_coloured() {
    let state = loaded(120, 40);
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    let (x, y) = find(&terminal, "Old draft request");
    assert!(
        buffer[(x, y)].modifier.contains(Modifier::REVERSED),
        "the first row is selected"
    );
    let (x, y) = find(&terminal, "Lab 1 - Hello, World");
    assert!(!buffer[(x, y)].modifier.contains(Modifier::REVERSED));

    // Open, past the deadline, inside the two-day grace: yellow.
    let in_grace = cell_under(&terminal, "Lab 3 - Sorting", "Due");
    assert_eq!(in_grace.fg, Color::Yellow);
    // Open, past the deadline and its one-day grace: red and bold.
    let past = cell_under(&terminal, "Lab report 1", "Due");
    assert_eq!(past.fg, Color::Red);
    assert!(past.modifier.contains(Modifier::BOLD));
    // Closed requests are never flagged, however old their deadline.
    assert_eq!(
        cell_under(&terminal, "Lab 2 - Loops", "Due").fg,
        Color::Reset
    );
    assert_eq!(
        cell_under(&terminal, "Lab 2 - Loops", "State").fg,
        Color::DarkGray
    );
    assert_eq!(
        cell_under(&terminal, "Lab report 2", "State").fg,
        Color::Green
    );
    // Upcoming deadlines are plain.
    assert_eq!(
        cell_under(&terminal, "Project proposal", "Due").fg,
        Color::Reset
    );
}

#[test]
fn narrow_terminals_drop_the_absolute_deadline_and_cut_titles_with_an_ellipsis() {
    let mut state = state_at(80, 24, true);
    let mut list = sample_requests(fixed_now());
    list[0].title = "Lab 1 - Hello, World, and a very long title indeed".to_string();
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(list),
        },
    );
    let text = screen(&state);
    let header = text.lines().nth(2).unwrap_or_default().to_string();
    assert!(!header.contains("Deadline"), "{text}");
    assert!(header.contains("Due"), "{text}");
    assert!(text.contains("Lab 1 - Hello, World, and…"), "{text}");
    let wide = screen(&loaded(120, 40));
    assert!(
        wide.lines().nth(2).unwrap_or_default().contains("Deadline"),
        "{wide}"
    );
}

#[test]
fn no_color_keeps_emphasis_and_drops_every_colour() {
    let mut state = state_at(120, 40, false);
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(sample_requests(fixed_now())),
        },
    );
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "no foreground colour with NO_COLOR");
        assert_eq!(cell.bg, Color::Reset, "no background colour with NO_COLOR");
    }
    let (x, y) = find(&terminal, "Old draft request");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn tiny_terminals_draw_without_panicking() {
    for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        let mut state = loaded(width, height);
        draw(&state);
        key(&mut state, KeyCode::Char('?'));
        draw(&state);
        key(&mut state, KeyCode::Char('?'));
        key(&mut state, KeyCode::Char('/'));
        key(&mut state, KeyCode::Char('x'));
        draw(&state);
        key(&mut state, KeyCode::Char('3'));
        draw(&state);
    }
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

#[test]
fn form_empty_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('n'));
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn form_filled_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4 - Recursion");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    typed(&mut state, "2026-12-04 23:59");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Right);
    key(&mut state, KeyCode::Right);
    key(&mut state, KeyCode::Tab);
    typed(&mut state, "One PDF, at most two pages.");
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn form_with_errors_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Home);
    key(&mut state, KeyCode::Delete);
    key(&mut state, KeyCode::Tab);
    typed(&mut state, "31/02");
    update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn edit_form_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::End);
    key(&mut state, KeyCode::Char('k'));
    key(&mut state, KeyCode::Char('e'));
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn delete_confirmation_80x24() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('j'));
    key(&mut state, KeyCode::Char('d'));
    insta::assert_snapshot!(screen(&state));
}

/// The cell at (`dx`, 0) from where `text` first shows.
fn cell_at(terminal: &Terminal<TestBackend>, text: &str, dx: u16) -> ratatui::buffer::Cell {
    let (x, y) = find(terminal, text);
    terminal.backend().buffer()[(x + dx, y)].clone()
}

fn ctrl(state: &mut State, c: char) {
    update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

#[test]
fn the_focused_field_stands_out_cell_by_cell() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4 - Recursion");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    typed(&mut state, "2026-12-04 23:59");
    let terminal = draw(&state);

    // The focused field: its marker and label in the key style, its value lighter.
    let label = cell_at(&terminal, "▸ Deadline", 2);
    assert_eq!(label.fg, Color::Cyan);
    assert!(label.modifier.contains(Modifier::BOLD));
    let value = cell_at(&terminal, "2026-12-04 23:59", 0);
    assert_eq!(value.bg, Color::Indexed(238));
    assert_eq!(value.fg, Color::White);
    // The rest of the field's width is the field too, so its extent shows.
    let (x, y) = find(&terminal, "2026-12-04 23:59");
    assert_eq!(
        terminal.backend().buffer()[(x + 30, y)].bg,
        Color::Indexed(238)
    );
    // Another field: the plain label and the darker field.
    let other = cell_at(&terminal, "Title       Lab 4", 0);
    assert_eq!(other.fg, Color::Gray);
    assert!(!other.modifier.contains(Modifier::BOLD));
    assert_eq!(
        cell_at(&terminal, "Lab 4 - Recursion", 0).bg,
        Color::Indexed(236)
    );
    // The cursor is at the end of what was typed.
    let mut terminal = terminal;
    let cursor = terminal.get_cursor_position().expect("cursor");
    assert_eq!((cursor.x, cursor.y), (x + 16, y));
    // The deadline read back, dimmed.
    assert_eq!(
        cell_at(&terminal, "Fri 4 Dec 23:59 UTC", 0).fg,
        Color::DarkGray
    );
}

#[test]
fn a_problem_shows_once_under_its_field_in_the_error_colour() {
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Home);
    key(&mut state, KeyCode::Delete);
    key(&mut state, KeyCode::Tab);
    typed(&mut state, "31/02");
    ctrl(&mut state, 's');
    let text = screen(&state);
    assert_eq!(
        text.matches("The folder must start with /").count(),
        1,
        "once, under the field:\n{text}"
    );
    let terminal = draw(&state);
    let (label_x, label_y) = find(&terminal, "▸ Folder");
    let (note_x, note_y) = find(&terminal, "The folder must start with /");
    assert_eq!(note_y, label_y + 1, "right under the field");
    assert!(note_x > label_x);
    for dx in [0, 4, 20] {
        let cell = cell_at(&terminal, "The folder must start with /", dx);
        assert_eq!(cell.fg, Color::Red);
        assert!(cell.modifier.contains(Modifier::BOLD));
    }
    let deadline = cell_at(&terminal, "February 2027 has no 31st", 0);
    assert_eq!(deadline.fg, Color::Red);

    // Dropbox's refusal is about the whole form: one sentence under the fields, in red.
    let mut state = loaded(80, 24);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Essay");
    ctrl(&mut state, 's');
    let generation = state.mutations.generation;
    update(
        &mut state,
        Action::RequestSaved {
            generation,
            change: handin::action::Change::Created,
            result: Err(handin::fixtures::network_error()),
        },
    );
    let sentence = handin::fixtures::network_error().sentence();
    let first_words: String = sentence.split(' ').take(3).collect::<Vec<_>>().join(" ");
    let text = screen(&state);
    assert_eq!(text.matches(&first_words).count(), 1, "{text}");
    let terminal = draw(&state);
    assert_eq!(cell_at(&terminal, &first_words, 0).fg, Color::Red);
}

#[test]
fn form_at_40x12_scrolls_to_every_field_and_keeps_the_error() {
    let mut state = loaded(40, 12);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4");
    for field in [
        "Title",
        "Folder",
        "Deadline",
        "Grace",
        "Description",
        "Open now",
    ] {
        let text = screen(&state);
        assert!(
            text.contains(&format!("▸ {field}")),
            "{field} has focus and shows:\n{text}"
        );
        key(&mut state, KeyCode::Tab);
    }
    // Back up to the deadline: what was typed and its reading show.
    for _ in 0..3 {
        key(&mut state, KeyCode::BackTab);
    }
    typed(&mut state, "+7d");
    let text = screen(&state);
    assert!(text.contains("▸ Deadline"), "{text}");
    assert!(
        text.contains("Fri 4 Dec"),
        "the focused field's note:\n{text}"
    );

    // A refusal stays visible with the focused field.
    ctrl(&mut state, 's');
    let generation = state.mutations.generation;
    update(
        &mut state,
        Action::RequestSaved {
            generation,
            change: handin::action::Change::Created,
            result: Err(handin::fixtures::network_error()),
        },
    );
    let text = screen(&state);
    let first_word = handin::fixtures::network_error()
        .sentence()
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains(&first_word), "the error:\n{text}");
    assert!(text.contains("▸ "), "a field keeps focus:\n{text}");
    assert!(text.contains("Ctrl-S"), "the keys still show:\n{text}");
}

#[test]
fn a_shorter_form_scrolls_its_fields_and_says_there_are_more() {
    let mut state = loaded(40, 9);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4");
    let text = screen(&state);
    assert!(text.contains("▸ Title"), "{text}");
    assert!(!text.contains("Open now"), "{text}");
    assert!(text.contains("↓ more"), "{text}");
    for _ in 0..5 {
        key(&mut state, KeyCode::Tab);
    }
    let text = screen(&state);
    assert!(text.contains("▸ Open now"), "{text}");
    assert!(!text.contains("Title"), "scrolled past the title:\n{text}");
    assert!(text.contains("↑ more"), "{text}");
}

#[test]
fn form_at_40x12_snapshot() {
    let mut state = loaded(40, 12);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn the_discard_question_fits_a_narrow_form() {
    let mut state = loaded(40, 12);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "Lab 4");
    key(&mut state, KeyCode::Esc);
    let text = screen(&state);
    assert!(text.contains("y discards"), "{text}");
    ctrl(&mut state, 'c');
    key(&mut state, KeyCode::Char('n'));
    ctrl(&mut state, 'c');
    let text = screen(&state);
    assert!(text.contains("y quits"), "{text}");
}

#[test]
fn a_change_asked_for_while_another_is_on_its_way_says_so_on_the_status_bar() {
    let mut state = loaded(80, 24);
    // The first row is closed: x reopens it at once.
    key(&mut state, KeyCode::Char('x'));
    key(&mut state, KeyCode::Char('n'));
    let text = screen(&state);
    let status = text.lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains("One change at a time, still reopening"),
        "{text}"
    );
    assert!(!text.contains("New file request"), "{text}");
}

#[test]
fn the_detail_pane_names_the_zone_as_the_form_does() {
    let state = loaded(80, 24);
    let text = screen(&state);
    assert!(
        text.contains("Mon 28 Sep 2026 12:00 UTC (2 months ago)"),
        "{text}"
    );
    assert!(!text.contains("UTC+00:00"), "{text}");
}

#[test]
fn tiny_terminals_draw_the_form_and_its_overlays_without_panicking() {
    for (width, height) in [(1, 1), (10, 3), (20, 5), (30, 8), (40, 10), (79, 23)] {
        let mut state = loaded(width, height);
        key(&mut state, KeyCode::Char('n'));
        typed(&mut state, "Lab 4 📷 日本語");
        draw(&state);
        key(&mut state, KeyCode::Tab);
        draw(&state);
        ctrl(&mut state, 's');
        draw(&state);
        key(&mut state, KeyCode::Esc);
        draw(&state);
        key(&mut state, KeyCode::Char('y'));
        key(&mut state, KeyCode::Char('D'));
        draw(&state);
        key(&mut state, KeyCode::Char('n'));
        key(&mut state, KeyCode::Char('Q'));
        draw(&state);
    }
}

// The Submissions tab: "Lab report 1" opened from the Requests tab with Enter, its
// twelve files listed, then the PHYS150 roster (see `handin::fixtures::sample_files`).

/// The Requests tab loaded (in colour or not) with "Lab report 1" selected and opened.
fn opened(width: u16, height: u16, color: bool) -> State {
    let mut state = state_at(width, height, color);
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(sample_requests(fixed_now())),
        },
    );
    let title = sample_files_request(fixed_now()).title;
    for _ in 0..sample_requests(fixed_now()).len() {
        if state
            .requests
            .selected_row()
            .is_some_and(|row| row.request.title == title)
        {
            break;
        }
        key(&mut state, KeyCode::Down);
    }
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let generation = state.submissions.generation;
    assert!(
        effects.iter().any(|effect| matches!(
            effect,
            Effect::ListFiles { generation: g, path } if *g == generation && path.ends_with(&title)
        )),
        "Enter on {title} lists its folder: {effects:?}"
    );
    state
}

/// The opened request with its files listed: the Files view (no roster yet).
fn files_view(width: u16, height: u16, color: bool) -> State {
    let mut state = opened(width, height, color);
    let entries = sample_files(fixed_now())
        .into_iter()
        .map(Metadata::File)
        .collect();
    let generation = state.submissions.generation;
    update(
        &mut state,
        Action::FilesListed {
            generation,
            result: Ok((entries, "cursor-1".to_string())),
        },
    );
    state
}

/// The files and the course's roster: the class view.
fn class_view(width: u16, height: u16, color: bool) -> State {
    let mut state = files_view(width, height, color);
    let generation = state.submissions.generation;
    update(
        &mut state,
        Action::RosterLoaded {
            generation,
            result: Ok(sample_roster()),
        },
    );
    state
}

#[test]
fn submissions_files_80x24() {
    insta::assert_snapshot!(screen(&files_view(80, 24, true)));
}

#[test]
fn submissions_files_120x40() {
    insta::assert_snapshot!(screen(&files_view(120, 40, true)));
}

/// A file name with a right-to-left override, an escape sequence and a line feed: no
/// cell of the screen carries one raw (the terminal would reorder or obey it, and the
/// columns after it would go astray); each is written out, and the row keeps its columns.
#[test]
fn hostile_file_names_are_drawn_written_out_and_the_columns_stay_aligned() {
    let mut state = opened(120, 40, false);
    let mut files = sample_files(fixed_now());
    let hostile = [
        "Bob Marley - \u{202e}fdp.exe",
        "Eve Adams - \u{1b}]52;c;ZWNobyBwd25lZA==\u{7}x.pdf",
        "Oscar Wilde - a.pdf\nAda Lovelace",
    ];
    for (file, name) in files.iter_mut().zip(hostile) {
        let folder = file
            .path_display
            .as_deref()
            .and_then(|path| path.rsplit_once('/'))
            .map(|(folder, _)| folder.to_string())
            .unwrap_or_default();
        file.name = name.to_string();
        file.path_display = Some(format!("{folder}/{name}"));
        file.path_lower = Some(format!("{folder}/{name}").to_lowercase());
    }
    let generation = state.submissions.generation;
    update(
        &mut state,
        Action::FilesListed {
            generation,
            result: Ok((
                files.into_iter().map(Metadata::File).collect(),
                "cursor-1".to_string(),
            )),
        },
    );
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            assert!(
                !symbol.contains(handin::untrusted::is_unsafe),
                "cell ({x}, {y}) carries {symbol:?}"
            );
        }
    }
    let shown = screen(&state);
    assert!(shown.contains("\\u{202e}fdp.exe"), "{shown}");
    assert!(shown.contains("\\u{1b}]52;c;"), "{shown}");
    assert!(
        !shown
            .lines()
            .any(|line| line.trim_start().starts_with("Ada Lovelace")),
        "{shown}"
    );
    // The size (right-aligned in its column) still ends under the Size column.
    let (size_x, _) = find(&terminal, "Size");
    let last = size_x + handin::size::WIDTH as u16 - 1;
    for name in ["fdp.exe", "ZWNobyBwd25lZA==", "a.pdf\\u{a}Ada"] {
        let (_, y) = find(&terminal, name);
        assert_eq!(buffer[(last, y)].symbol(), "B", "{name}:\n{shown}");
    }
}

/// Sizes read as the CLI writes them, and the column holds the whole of the largest:
/// a 10 GiB file once showed as "240.0 MB", its leading digits cut.
#[test]
fn the_size_column_shows_whole_sizes_in_the_clis_units_at_80x24() {
    let mut state = opened(80, 24, false);
    let mut files = sample_files(fixed_now());
    let sizes = [10 * 1024 * 1024 * 1024, 999_999, 2_000_000_000_000];
    for (file, size) in files.iter_mut().zip(sizes) {
        file.size = size;
    }
    let generation = state.submissions.generation;
    update(
        &mut state,
        Action::FilesListed {
            generation,
            result: Ok((
                files.into_iter().map(Metadata::File).collect(),
                "cursor-1".to_string(),
            )),
        },
    );
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    let shown = screen(&state);
    let (size_x, _) = find(&terminal, "Size");
    let width = handin::size::WIDTH as u16;
    for size in sizes {
        let expected = handin::size::human_bytes(size);
        let (x, y) = find(&terminal, &expected);
        // Whole, right-aligned inside the column, nothing spilling into the File column.
        assert!(
            x >= size_x,
            "{expected} starts in the Size column:\n{shown}"
        );
        assert_eq!(
            x + expected.chars().count() as u16,
            size_x + width,
            "{expected} ends with the column:\n{shown}"
        );
        assert_eq!(
            buffer[(size_x - 1, y)].symbol(),
            " ",
            "{expected}:\n{shown}"
        );
    }
    for expected in ["11 GB", "1.0 MB", "2.0 TB"] {
        assert!(shown.contains(expected), "{expected} in\n{shown}");
    }
    assert!(!shown.contains("KB") && !shown.contains("MiB"), "{shown}");
}

#[test]
fn submissions_class_80x24() {
    insta::assert_snapshot!(screen(&class_view(80, 24, true)));
}

#[test]
fn submissions_class_120x40() {
    insta::assert_snapshot!(screen(&class_view(120, 40, true)));
}

/// With the roster loaded, `v` goes back to the files, now with the hint to the class.
#[test]
fn submissions_files_with_roster_120x40() {
    let mut state = class_view(120, 40, true);
    key(&mut state, KeyCode::Char('v'));
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn a_stale_listing_or_roster_is_dropped() {
    let mut state = opened(80, 24, true);
    let stale = state.submissions.generation - 1;
    update(
        &mut state,
        Action::FilesListed {
            generation: stale,
            result: Ok((
                vec![Metadata::File(sample_files(fixed_now()).remove(0))],
                "old".to_string(),
            )),
        },
    );
    update(
        &mut state,
        Action::RosterLoaded {
            generation: stale,
            result: Ok(sample_roster()),
        },
    );
    let text = screen(&state);
    assert!(text.contains("Listing the files"), "{text}");
    assert!(!text.contains("Ada Lovelace"), "{text}");
}

#[test]
fn lateness_is_coloured_in_the_file_list() {
    let terminal = draw(&files_view(120, 40, true));
    // One day of grace: 3 days late is beyond it, red and bold.
    let beyond = cell_under(&terminal, "Alan Turing - report.pdf", "Status");
    assert_eq!(beyond.fg, Color::Red);
    assert!(beyond.modifier.contains(Modifier::BOLD));
    // 5 h late is inside it: yellow, not bold.
    let in_grace = cell_under(&terminal, "Jean-Luc O'Neil - report.pdf", "Status");
    assert_eq!(in_grace.fg, Color::Yellow);
    assert!(!in_grace.modifier.contains(Modifier::BOLD));
    let on_time = cell_under(&terminal, "Müller, Zoë - data.csv", "Status");
    assert_eq!(on_time.fg, Color::Green);
    // The photo with no name in it is dimmed.
    let photo = cell_under(&terminal, "IMG_2041.jpg", "Student");
    assert_eq!(photo.fg, Color::DarkGray);
}

#[test]
fn missing_and_late_students_are_marked_in_the_class_view() {
    let terminal = draw(&class_view(120, 40, true));
    let missing = cell_under(&terminal, "Katherine Johnson", "Status");
    assert_eq!(missing.fg, Color::Red, "the error style");
    assert!(missing.modifier.contains(Modifier::BOLD));
    let also_missing = cell_under(&terminal, "Siobhán Ní Bhriain", "Status");
    assert_eq!(also_missing.fg, Color::Red);
    let beyond = cell_under(&terminal, "Alan Turing", "Status");
    assert_eq!(beyond.fg, Color::Red);
    assert!(beyond.modifier.contains(Modifier::BOLD));
    let in_grace = cell_under(&terminal, "José García López", "Status");
    assert_eq!(in_grace.fg, Color::Yellow);
    // "O'Neil, Jean-Luc" on the roster is "Jean-Luc O'Neil" in the file name.
    let matched = cell_under(&terminal, "O'Neil, Jean-Luc", "Status");
    assert_eq!(matched.fg, Color::Yellow);
    let on_time = cell_under(&terminal, "Zoë Müller", "Status");
    assert_eq!(on_time.fg, Color::Green);
    let text = screen(&class_view(120, 40, true));
    assert!(text.contains("3 submitted, 3 late, 2 missing"), "{text}");
}

#[test]
fn a_file_that_arrives_while_the_tab_is_open_is_highlighted() {
    let mut state = files_view(120, 40, true);
    let selected_before = state
        .submissions
        .selected_submission()
        .map(|s| s.name.clone());
    let folder = sample_files_request(fixed_now())
        .destination
        .expect("a folder");
    let name = "Katherine Johnson - report.pdf";
    let received = handin::time::to_dropbox(fixed_now() - chrono::Duration::minutes(2));
    let arrived = FileMetadata::new(
        name.to_string(),
        "id:arrivedAAAAAAAAAAAAAA".to_string(),
        received.clone(),
        received,
        "0000000000000001".to_string(),
        250_000,
    )
    .with_path_lower(format!("{folder}/{name}").to_lowercase())
    .with_path_display(format!("{folder}/{name}"));
    let generation = state.submissions.generation;
    update(
        &mut state,
        Action::FilesChanged {
            generation,
            result: Ok((vec![Metadata::File(arrived)], "cursor-2".to_string())),
        },
    );
    assert_eq!(
        state
            .submissions
            .selected_submission()
            .map(|s| s.name.clone()),
        selected_before,
        "the selection stays on its file"
    );
    let terminal = draw(&state);
    let text = screen(&state);
    assert!(text.contains("1 new in Lab report 1"), "{text}");
    let new = cell_under(&terminal, name, "File");
    // Cyan and underlined: unlike any lateness colour, and visible without colour too.
    assert_eq!(new.fg, Color::Cyan, "the new row is highlighted");
    assert!(new.modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert!(
        !new.modifier.contains(Modifier::REVERSED),
        "and not selected"
    );
    let (x, y) = find(&terminal, name);
    assert_eq!(
        terminal.backend().buffer()[(x, y)].fg,
        Color::Cyan,
        "from the student column on"
    );
    let old = cell_under(&terminal, "Zoë Müller - pendulum.pdf", "File");
    assert_eq!(old.fg, Color::Reset, "older rows are plain");
    assert!(!old.modifier.contains(Modifier::BOLD));
}

#[test]
fn no_color_submissions_keep_emphasis_and_drop_every_colour() {
    for state in [files_view(120, 40, false), class_view(120, 40, false)] {
        let terminal = draw(&state);
        for cell in terminal.backend().buffer().content() {
            assert_eq!(cell.fg, Color::Reset, "no foreground colour with NO_COLOR");
            assert_eq!(cell.bg, Color::Reset, "no background colour with NO_COLOR");
        }
        let status = cell_under(&terminal, "Alan Turing", "Status");
        assert!(
            status.modifier.contains(Modifier::BOLD),
            "beyond the grace is bold without colour"
        );
    }
    let terminal = draw(&class_view(120, 40, false));
    assert!(
        cell_under(&terminal, "Katherine Johnson", "Status")
            .modifier
            .contains(Modifier::BOLD),
        "missing is bold without colour"
    );
}

#[test]
fn tiny_terminals_draw_the_submissions_tab_without_panicking() {
    for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        let mut state = class_view(width, height, true);
        draw(&state);
        key(&mut state, KeyCode::Char('v'));
        draw(&state);
        key(&mut state, KeyCode::Char('/'));
        key(&mut state, KeyCode::Char('z'));
        draw(&state);
        key(&mut state, KeyCode::Esc);
        key(&mut state, KeyCode::Char('a'));
        draw(&state);
    }
}

// Downloads: `W` on "Lab report 1", the overlay while it runs and its summary.

/// The files view after `W`, with the engine's progress part of the way.
fn downloading() -> State {
    use handin::download::{InFlight, Snapshot};
    let mut state = files_view(80, 24, true);
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('W'), KeyModifiers::SHIFT)),
    );
    assert!(
        matches!(effects.as_slice(), [Effect::Download { items, .. }] if items.len() == 12),
        "{effects:?}"
    );
    let snapshot = Snapshot {
        files_total: 12,
        files_done: 5,
        skipped: 2,
        failed: 1,
        bytes_total: 11_400_000,
        bytes_done: 4_700_000,
        bytes_received: 3_600_000,
        elapsed: std::time::Duration::from_secs(3),
        in_flight: vec![
            InFlight {
                index: 6,
                label: "José García López/José García López - informe del laboratorio.pdf"
                    .to_string(),
                done: 1_320_059,
                size: 2_640_118,
            },
            InFlight {
                index: 7,
                label: "_unattributed/IMG_2041.jpg".to_string(),
                done: 391_244,
                size: 3_912_447,
            },
            InFlight {
                index: 8,
                label: "Grace Hopper/Grace Hopper - measurements.xlsx".to_string(),
                done: 0,
                size: 88_406,
            },
        ],
        finished: false,
    };
    update(&mut state, Action::DownloadProgress(Box::new(snapshot)));
    state
}

#[test]
fn download_in_progress_80x24() {
    insta::assert_snapshot!(screen(&downloading()));
}

/// The end: most downloaded, two already there, two failed with their reasons.
fn downloaded() -> State {
    use handin::download::{Outcome, Summary};
    let mut state = downloading();
    let folder = state.downloads.destination.clone();
    let outcomes = sample_files(fixed_now())
        .into_iter()
        .enumerate()
        .map(|(n, file)| {
            let item = handin::download::Item {
                remote: file.id.clone(),
                size: file.size,
                content_hash: file.content_hash.clone(),
                local: folder.join(&file.name),
                partial: handin::download::partial_path(
                    &folder,
                    &file.id,
                    file.content_hash.as_deref(),
                    file.size,
                ),
                label: format!("somebody/{}", file.name),
            };
            let outcome = match n {
                0 | 1 => Outcome::Skipped,
                5 => Outcome::Failed {
                    reason: "the file was deleted or moved in Dropbox after it was listed"
                        .to_string(),
                },
                9 => Outcome::Failed {
                    reason: "the disk is full (writing /home/prof/handin-downloads/PHYS150 Mechanics/Lab report 1/grace hopper/grace hopper - report.pdf.part); free some space and download again: finished files are kept".to_string(),
                },
                _ => Outcome::Downloaded {
                    bytes: file.size,
                    resumed_from: 0,
                    kept: None,
                },
            };
            (item, outcome)
        })
        .collect();
    let summary = Summary {
        outcomes,
        cancelled: false,
        bytes_received: 8_200_000,
        elapsed: std::time::Duration::from_secs(7),
    };
    update(&mut state, Action::DownloadFinished(Ok(Box::new(summary))));
    state
}

#[test]
fn download_summary_80x24() {
    insta::assert_snapshot!(screen(&downloaded()));
}

#[test]
fn a_hidden_download_keeps_its_progress_on_the_status_bar() {
    let mut state = downloading();
    key(&mut state, KeyCode::Char('h'));
    let text = screen(&state);
    let status = text.lines().nth(23).unwrap_or_default();
    assert!(status.contains("↓ 5/12 files · 1.2 MB/s"), "{text}");
    assert!(!text.contains("Downloading to"), "{text}");
    key(&mut state, KeyCode::Char('p'));
    assert!(screen(&state).contains("Downloading to"));
}

#[test]
fn failures_are_red_and_the_summary_scrolls_through_them() {
    let mut state = downloaded();
    let terminal = draw(&state);
    let (x, y) = find(&terminal, "somebody/José");
    let cell = &terminal.backend().buffer()[(x, y)];
    assert_eq!(cell.fg, Color::Red);
    key(&mut state, KeyCode::Down);
    let text = screen(&state);
    assert!(text.contains("Failed (2, from #2)"), "{text}");
    assert!(!text.contains("somebody/José"), "{text}");
}

#[test]
fn tiny_terminals_draw_the_download_overlay_without_panicking() {
    for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        let mut state = downloading();
        update(
            &mut state,
            Action::Resize(handin::ui::layout::screen(width, height)),
        );
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal
            .draw(|frame| ui::render(&state, frame))
            .expect("draw");
        let mut state = downloaded();
        update(
            &mut state,
            Action::Resize(handin::ui::layout::screen(width, height)),
        );
        terminal
            .draw(|frame| ui::render(&state, frame))
            .expect("draw");
    }
}

// Mail: `M` on "Lab report 1" (two of its eight students missing), the picker with its
// preview, then the results.

/// "Lab report 1" selected, with PHYS150's class list and dry-run mail configured.
fn mailing(key_char: char) -> State {
    let mut config = Config {
        download_dir: Some("/home/prof/handin-downloads".into()),
        ..Config::default()
    };
    config.rosters.insert(
        "/Courses/PHYS150 Mechanics".to_string(),
        "/home/prof/rosters/phys150.csv".into(),
    );
    config.mail.transport = handin::config::MailTransport::DryRun;
    config.mail.dry_run_dir = Some("/tmp/handin-mail".into());
    config.mail.from = Some("Prof. Ada Byron <ada@university.example>".to_string());
    let mut state = State::new(fixed_now(), Zone::utc(), environment(true)).with_config(config);
    update(
        &mut state,
        Action::Resize(handin::ui::layout::screen(80, 24)),
    );
    state.start();
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(sample_requests(fixed_now())),
        },
    );
    let title = sample_files_request(fixed_now()).title;
    while state
        .requests
        .selected_row()
        .is_some_and(|row| row.request.title != title)
    {
        key(&mut state, KeyCode::Down);
    }
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char(key_char), KeyModifiers::NONE)),
    );
    let [
        Effect::PrepareMail {
            generation, folder, ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    let files = folder.as_ref().map(|_| {
        Ok(sample_files(fixed_now())
            .into_iter()
            .map(Metadata::File)
            .collect())
    });
    update(
        &mut state,
        Action::MailPrepared(Box::new(handin::action::MailPrepared {
            generation: *generation,
            transport: Ok("dry run into /tmp/handin-mail".to_string()),
            roster: Some(Ok(sample_roster())),
            files,
        })),
    );
    assert!(state.mail.is_some(), "{:?}", state.status);
    state
}

#[test]
fn mail_remind_picker_80x24() {
    insta::assert_snapshot!(screen(&mailing('M')));
}

#[test]
fn mail_invite_picker_80x24() {
    insta::assert_snapshot!(screen(&mailing('m')));
}

/// The reminder sent: one went, one was refused.
fn mailed() -> State {
    use handin::mail::Delivery;
    let mut state = mailing('M');
    key(&mut state, KeyCode::Enter);
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
    );
    let [Effect::SendMail { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let generation = *generation;
    update(
        &mut state,
        Action::MailDelivered {
            generation,
            row: 6,
            delivery: Delivery::Sent,
        },
    );
    update(
        &mut state,
        Action::MailDelivered {
            generation,
            row: 7,
            delivery: Delivery::Failed(
                "smtp.university.example refused it: 550 5.1.1 mailbox unavailable".to_string(),
            ),
        },
    );
    update(
        &mut state,
        Action::MailFinished {
            generation,
            result: Ok(()),
        },
    );
    state
}

#[test]
fn mail_results_80x24() {
    let mut state = mailed();
    key(&mut state, KeyCode::Down);
    insta::assert_snapshot!(screen(&state));
}

#[test]
fn mail_rows_are_coloured_by_what_became_of_them() {
    let state = mailing('M');
    let terminal = draw(&state);
    let (x, y) = find(&terminal, "[x] Siobhán");
    assert!(
        terminal.backend().buffer()[(x, y)]
            .modifier
            .contains(Modifier::REVERSED),
        "the cursor starts on the first missing student"
    );
    let (_, y) = find(&terminal, "[ ] Ada Lovelace");
    let (x, _) = find(&terminal, "handed in To");
    assert_eq!(
        terminal.backend().buffer()[(x, y)].fg,
        Color::DarkGray,
        "those who handed in are dimmed"
    );

    let terminal = draw(&mailed());
    let (x, y) = find(&terminal, "1 failed");
    assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
    let (x, y) = find(&terminal, "1 sent");
    assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Green);
    let (x, y) = find(&terminal, "✗ Katherine");
    assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
}

#[test]
fn tiny_terminals_draw_the_mail_overlay_without_panicking() {
    for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        for mut state in [mailing('m'), mailed()] {
            update(
                &mut state,
                Action::Resize(handin::ui::layout::screen(width, height)),
            );
            let mut terminal =
                Terminal::new(TestBackend::new(width, height)).expect("test terminal");
            terminal
                .draw(|frame| ui::render(&state, frame))
                .expect("draw");
        }
    }
}
