//! The log goes to a file under the data directory, never to the screen the TUI owns.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Starts logging to `path` (appending). `HANDIN_LOG` sets the filter (default `info`),
/// and `verbose` raises it to `debug` for handin's own modules.
pub fn init(path: &Path, verbose: bool) -> std::io::Result<()> {
    let file = open_log(path)?;
    let default = if verbose { "info,handin=debug" } else { "info" };
    let filter = EnvFilter::try_from_env("HANDIN_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing::subscriber::set_global_default(subscriber(Mutex::new(file), filter));
    Ok(())
}

/// Opens the log for appending: the data folder it is in is made first, 0700, since the
/// log is the first thing handin writes there; the log itself is 0600, and a link in
/// its place is refused.
fn open_log(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        crate::fs::create_private_dir_all(dir)?;
        crate::fs::make_own_dir_private(dir)?;
    }
    crate::fs::open_private_append(path)
}

/// The subscriber writing to `writer`. A write that fails (a full disk) is dropped
/// silently: tracing would otherwise print its own complaint on stderr, which is the
/// screen the TUI is drawing.
fn subscriber<W>(writer: W, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .log_internal_errors(false)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn the_data_folder_and_the_log_are_private_whatever_the_umask() {
        // SAFETY: umask only changes the mode of files created afterwards; 022 is the
        // usual one, under which a file made with default permissions is 0644.
        unsafe { libc::umask(0o022) };
        let home = tempfile::tempdir().expect("tempdir");
        let log = home.path().join("share/handin/handin.log");
        drop(open_log(&log).expect("opened"));
        assert_eq!(mode(&home.path().join("share/handin")), 0o700);
        assert_eq!(mode(&home.path().join("share")), 0o700);
        assert_eq!(mode(&log), 0o600);
    }

    #[test]
    fn a_data_folder_an_older_handin_left_open_is_made_private() {
        let home = tempfile::tempdir().expect("tempdir");
        let data = home.path().join("handin");
        std::fs::create_dir(&data).expect("mkdir");
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        drop(open_log(&data.join("handin.log")).expect("opened"));
        assert_eq!(mode(&data), 0o700);
    }

    /// A log on a full disk.
    struct FullDisk;

    static ATTEMPTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    impl std::io::Write for FullDisk {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    const AS_CHILD: &str = "HANDIN_TEST_LOG_ON_A_FULL_DISK";

    /// tracing writes its complaint to the process's stderr directly, which the test
    /// harness does not capture: the logging runs in a child process of this test
    /// binary, whose stderr is looked at.
    #[test]
    fn a_log_that_cannot_be_written_says_nothing_on_the_screen() {
        if std::env::var_os(AS_CHILD).is_some() {
            let subscriber = subscriber(|| FullDisk, EnvFilter::new("info"));
            tracing::subscriber::with_default(subscriber, || {
                tracing::error!("the disk is full");
            });
            println!(
                "write attempts: {}",
                ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst)
            );
            return;
        }
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "logging::tests::a_log_that_cannot_be_written_says_nothing_on_the_screen",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(AS_CHILD, "1")
            .output()
            .expect("the child runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("write attempts: 1"), "{stdout}");
        assert!(stderr.trim().is_empty(), "on the screen: {stderr}");
    }
}
