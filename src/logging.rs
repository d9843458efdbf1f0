//! The log goes to a file under the data directory, never to the screen the TUI owns.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Starts logging to `path` (appending). `HANDIN_LOG` sets the filter (default `info`),
/// and `verbose` raises it to `debug` for handin's own modules.
pub fn init(path: &Path, verbose: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let default = if verbose { "info,handin=debug" } else { "info" };
    let filter = EnvFilter::try_from_env("HANDIN_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(())
}
