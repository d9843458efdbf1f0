//! Terminal set-up and, above all, its restoration: on a normal exit, on a signal, and on a
//! panic in any thread (a spawned task included), so a professor is never left with a
//! raw-mode shell over SSH.

use std::io::{self, Stdout, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Set while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

pub fn init() -> io::Result<Tui> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    // Cleared here rather than with `Terminal::clear`, which asks the terminal for the
    // cursor position: a terminal that does not answer would stall start-up for seconds.
    if let Err(e) = crossterm::execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        Clear(ClearType::All),
        crossterm::cursor::Hide
    ) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Leaves the alternate screen and raw mode. Safe to call twice and from a panic hook;
/// errors are ignored because there is nothing better to do with a broken terminal.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut stdout = io::stdout();
    let _ = crossterm::execute!(
        stdout,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

/// Makes every panic, in any thread, restore the terminal, write the report to the log
/// file (directly: the logger may be what panicked) and end the process with status 1. Without the exit a panicking tokio task would
/// leave the loop drawing into a terminal that was just restored.
pub fn install_panic_hook(log_file: PathBuf) {
    std::panic::set_hook(Box::new(move |info| {
        restore();
        let thread = std::thread::current();
        let report = format!(
            "handin panicked in thread '{}': {info}\n{}",
            thread.name().unwrap_or("unnamed"),
            std::backtrace::Backtrace::force_capture()
        );
        if let Ok(mut file) = crate::fs::open_private_append(&log_file) {
            let _ = writeln!(file, "{report}");
        }
        eprintln!(
            "handin stopped because of an internal error: {info}\nThe full report is in {}.",
            log_file.display()
        );
        std::process::exit(1);
    }));
}
