//! CPU seconds used by `handin --demo --no-arrivals` sitting idle for 10 s in a PTY.
//! Target: 0.00 s. The loop has no tick, so an idle handin should not wake up at all.
//! Run with `cargo bench --bench idle_cpu`.

#[path = "../tests/pty/mod.rs"]
mod pty;

use std::time::Duration;

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: only measure
    // when benchmarking so the test suite stays fast.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let mut session = pty::Session::start(&["--demo", "--no-arrivals"], 80, 24, home.path());
    session.wait_for("File requests (", Duration::from_secs(30));
    // Let the first load settle: the spinner stops once nothing is loading.
    std::thread::sleep(Duration::from_secs(2));
    let pid = session.pid();
    let before = pty::cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(10));
    let after = pty::cpu_seconds(pid);
    println!(
        "idle CPU over 10 s (handin --demo --no-arrivals, 80x24): {:.2} s (before {:.2} s, after {:.2} s)",
        after - before,
        before,
        after
    );
    session.type_text("q");
    let _ = session.wait_exit(Duration::from_secs(5));
}
