//! Start-up to the first full screen: from spawning `handin --demo --no-arrivals` in an
//! 80x24 PTY to the screen showing the demo's requests (the emulator started, the
//! first `list_v2` answered and drawn). Ten runs; median and worst. Budget: < 500 ms.
//! Run with `cargo bench --bench startup`.

#[path = "../tests/pty/mod.rs"]
mod pty;

use std::time::{Duration, Instant};

/// A title the seeded demo always lists.
const SEEDED_TITLE: &str = "Project Proposal";

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut times = Vec::new();
    for _ in 0..10 {
        let home = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let mut session = pty::Session::start(&["--demo", "--no-arrivals"], 80, 24, home.path());
        // Polled every millisecond: the harness's own wait looks every 25 ms.
        while !session.screen().contains(SEEDED_TITLE) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the demo did not start"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        times.push(started.elapsed());
        session.type_text("q");
        let _ = session.wait_exit(Duration::from_secs(5));
    }
    times.sort();
    println!(
        "start-up to the first full screen (--demo --no-arrivals, 80x24, 10 runs): median {:.0} ms, worst {:.0} ms (screen polled every 1 ms)",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
    );
}
