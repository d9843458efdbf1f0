//! Budgets (release build): rendering the Requests tab with 4,000 rows at 120x40 under
//! 2 ms a frame; one filter keystroke over 4,000 rows under 1 ms. Applying a 4,000-request
//! load is measured too (no budget: it happens once per reload).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use handin::action::Action;
use handin::fixtures::{fixed_now, many_requests};
use handin::state::{Environment, State, update};
use handin::time::Zone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const ROWS: usize = 4_000;

fn fresh_state() -> State {
    let mut state = State::new(fixed_now(), Zone::utc(), Environment::default());
    update(
        &mut state,
        Action::Resize(handin::ui::layout::screen(120, 40)),
    );
    state.start();
    state
}

fn loaded_state() -> State {
    let mut state = fresh_state();
    update(
        &mut state,
        Action::RequestsLoaded {
            generation: 1,
            result: Ok(many_requests(ROWS, fixed_now())),
        },
    );
    state
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn benches(c: &mut Criterion) {
    let list = many_requests(ROWS, fixed_now());
    c.bench_function("reducer: apply 4,000 requests", |b| {
        b.iter_batched(
            || (fresh_state(), list.clone()),
            |(mut state, list)| {
                update(
                    &mut state,
                    Action::RequestsLoaded {
                        generation: 1,
                        result: Ok(list),
                    },
                );
                black_box(state)
            },
            BatchSize::SmallInput,
        )
    });

    let state = loaded_state();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    c.bench_function("render: Requests tab, 4,000 rows, 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| handin::ui::render(black_box(&state), frame))
                .expect("draw");
        })
    });

    let mut filtering = loaded_state();
    update(&mut filtering, key(KeyCode::Char('/')));
    update(&mut filtering, key(KeyCode::Char('w')));
    c.bench_function("filter: one keystroke over 4,000 rows", |b| {
        b.iter_batched(
            || filtering.clone(),
            |mut state| {
                update(&mut state, key(KeyCode::Char('e')));
                state
            },
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(name = requests; config = Criterion::default().sample_size(50); targets = benches);
criterion_main!(requests);
