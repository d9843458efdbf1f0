//! Budgets (release build), with 100,000 files across 50 request folders of a course and
//! a 400-student roster held by the Submissions tab: drawing a frame of the Files view at
//! 120x40 under 2 ms; one filter keystroke over the 100,000 files under 5 ms. Building
//! the class view itself is `benches/class_view.rs` (under 50 ms); applying the listing
//! (submissions and class view rebuilt in the reducer), one new file arriving while the
//! tab is open, and a frame of the class view are measured here too (no budget of their
//! own).
//!
//! `cargo bench --bench submissions -- --memory` builds the same state and prints the
//! process's resident memory instead (budget under 200 MB), in a process of its own so
//! that nothing criterion allocated counts.

use criterion::{BatchSize, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use handin::action::Action;
use handin::dropbox::Metadata;
use handin::fixtures::{
    fixed_now, many_files, many_students, sample_files_request, sample_requests,
};
use handin::state::{Environment, State, SubmissionsView, update};
use handin::time::Zone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const FILES: usize = 100_000;
const STUDENTS: usize = 400;
/// Students with at least one file: the last twenty of the roster sent nothing.
const SENDERS: usize = 380;
const MEMORY_BUDGET_MB: u64 = 200;

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The Requests tab loaded at 120x40, with the fixture request opened by Enter: the
/// Submissions tab waits for its listing.
fn opened() -> State {
    let mut state = State::new(fixed_now(), Zone::utc(), Environment::default());
    update(
        &mut state,
        Action::Resize(handin::ui::layout::screen(120, 40)),
    );
    state.start();
    let requests = sample_requests(fixed_now());
    let rows = requests.len();
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(requests),
        },
    );
    let title = sample_files_request(fixed_now()).title;
    for _ in 0..rows {
        if state
            .requests
            .selected_row()
            .is_some_and(|row| row.request.title == title)
        {
            break;
        }
        update(&mut state, key(KeyCode::Down));
    }
    update(&mut state, key(KeyCode::Enter));
    state
}

fn listing() -> Vec<Metadata> {
    many_files(FILES, SENDERS, fixed_now())
        .into_iter()
        .map(Metadata::File)
        .collect()
}

fn listed(state: &mut State, entries: Vec<Metadata>) {
    let generation = state.submissions.generation;
    update(
        state,
        Action::FilesListed {
            generation,
            result: Ok((entries, "cursor".to_string())),
        },
    );
}

/// The tab holding every file and the class view of the roster, showing the files.
fn loaded() -> State {
    let mut state = opened();
    let generation = state.submissions.generation;
    update(
        &mut state,
        Action::RosterLoaded {
            generation,
            result: Ok(many_students(STUDENTS)),
        },
    );
    listed(&mut state, listing());
    if state.submissions.view != SubmissionsView::Files {
        update(&mut state, key(KeyCode::Char('v')));
    }
    assert_eq!(state.submissions.view, SubmissionsView::Files);
    assert_eq!(state.submissions.submissions.len(), FILES);
    state
}

fn benches(c: &mut Criterion) {
    let state = loaded();
    let class = state.submissions.class.as_ref().expect("the class view");
    eprintln!(
        "{} files: {} ({} unattributed, {} not on the roster, {} ambiguous)",
        state.submissions.files.len(),
        class.counts.sentence(),
        class.unattributed.len(),
        class.unknown.len(),
        class.ambiguous.len()
    );

    // The state the listing arrives in already has the roster, as after a reload.
    let mut waiting = opened();
    let generation = waiting.submissions.generation;
    update(
        &mut waiting,
        Action::RosterLoaded {
            generation,
            result: Ok(many_students(STUDENTS)),
        },
    );
    let entries = listing();
    {
        let mut group = c.benchmark_group("reducer");
        group.sample_size(10);
        group.bench_function("apply a listing of 100,000 files with a roster", |b| {
            b.iter_batched(
                || (waiting.clone(), entries.clone()),
                |(mut state, entries)| {
                    listed(&mut state, entries);
                    state
                },
                BatchSize::LargeInput,
            )
        });
        // What every upload during a deadline week costs while the tab is open.
        let arrived: Vec<Metadata> = many_files(FILES + 1, SENDERS, fixed_now())
            .pop()
            .map(Metadata::File)
            .into_iter()
            .collect();
        group.bench_function("one new file arrives at 100,000 files", |b| {
            b.iter_batched(
                || (state.clone(), arrived.clone()),
                |(mut state, entries)| {
                    let generation = state.submissions.generation;
                    update(
                        &mut state,
                        Action::FilesChanged {
                            generation,
                            result: Ok((entries, "cursor-2".to_string())),
                        },
                    );
                    state
                },
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
    drop(entries);

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    c.bench_function("render: Submissions files, 100,000 files, 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| handin::ui::render(black_box(&state), frame))
                .expect("draw");
        })
    });

    let mut class_state = state.clone();
    update(&mut class_state, key(KeyCode::Char('v')));
    assert_eq!(class_state.submissions.view, SubmissionsView::Class);
    c.bench_function("render: Submissions class, 400 students, 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| handin::ui::render(black_box(&class_state), frame))
                .expect("draw");
        })
    });
    drop(class_state);

    // Typing the second letter of a name ("tu" for Turing): only the keystroke is timed,
    // on a fresh copy.
    let mut filtering = state.clone();
    update(&mut filtering, key(KeyCode::Char('/')));
    update(&mut filtering, key(KeyCode::Char('t')));
    assert!(filtering.submissions.filter_editing);
    {
        let mut group = c.benchmark_group("filter");
        group.sample_size(10);
        group.bench_function("one keystroke over 100,000 files", |b| {
            b.iter_batched(
                || filtering.clone(),
                |mut state| {
                    update(&mut state, key(KeyCode::Char('u')));
                    state
                },
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
    let mut typed = filtering.clone();
    update(&mut typed, key(KeyCode::Char('u')));
    eprintln!(
        "filter \"tu\": {} of {} files",
        typed.submissions.visible.len(),
        FILES
    );
}

/// A line of /proc/self/status in kB (`VmRSS`, `VmHWM`), as MB.
fn status_mb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1_024)
}

/// Builds the state as the TUI would hold it, draws a frame of each view, and reports
/// the resident memory; fails when it is over budget.
fn memory() {
    let before = status_mb("VmRSS:").unwrap_or(0);
    let mut state = loaded();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|frame| handin::ui::render(&state, frame))
        .expect("draw");
    update(&mut state, key(KeyCode::Char('v')));
    terminal
        .draw(|frame| handin::ui::render(&state, frame))
        .expect("draw");
    let (Some(resident), Some(peak)) = (status_mb("VmRSS:"), status_mb("VmHWM:")) else {
        eprintln!("no /proc/self/status here: resident memory not measured");
        return;
    };
    println!(
        "resident memory holding {} files and the class view of {} students: {resident} MB \
         (peak {peak} MB, {before} MB before building; budget {MEMORY_BUDGET_MB} MB)",
        state.submissions.files.len(),
        state
            .submissions
            .roster
            .as_ref()
            .map_or(0, |r| r.students.len()),
    );
    eprintln!(
        "inline sizes: FileMetadata {} B, Submission {} B (their strings are on top)",
        std::mem::size_of::<handin::dropbox::FileMetadata>(),
        std::mem::size_of::<handin::submissions::Submission>()
    );
    black_box(&state);
    assert!(
        resident < MEMORY_BUDGET_MB,
        "{resident} MB resident is over the {MEMORY_BUDGET_MB} MB budget"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|arg| arg == "--memory") {
        memory();
        return;
    }
    let mut criterion = Criterion::default()
        .sample_size(50)
        .warm_up_time(std::time::Duration::from_secs(1))
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
