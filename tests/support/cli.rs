//! The one runner of the real binary that the command-line tests share: a private
//! config and data folder per test, `handin ARGS` run to the end off the async runtime,
//! and what it printed parsed back as JSON or CSV.

#![allow(dead_code)] // Each test binary uses its own part of it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use handin::emulator::Emulator;
use handin::submissions::roster::csv_records;
use serde_json::Value;

/// The bearer token a [`Home`] hands the binary unless told another.
pub const TOKEN: &str = "handin-test-token";

/// A private config and data folder for the runs of one test, against `api_base`.
pub struct Home {
    pub dir: tempfile::TempDir,
    pub api_base: String,
    pub token: String,
}

/// What one run printed, and its exit status (-1 when a signal ended it).
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}\n{}", self.stdout, self.stderr))
    }

    /// The CSV on stdout: (header, rows), every row as long as the header.
    pub fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        assert!(
            self.stdout.is_empty() || self.stdout.contains("\r\n"),
            "RFC 4180 ends lines with CRLF: {:?}",
            self.stdout
        );
        let mut records = csv_records(&self.stdout).expect("CSV").into_iter();
        let (_, header) = records.next().expect("a header");
        let rows: Vec<Vec<String>> = records.map(|(_, fields)| fields).collect();
        for row in &rows {
            assert_eq!(row.len(), header.len(), "{row:?}");
        }
        (header, rows)
    }
}

impl Home {
    pub fn new(api_base: &str) -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            api_base: api_base.to_owned(),
            token: TOKEN.to_owned(),
        }
    }

    /// A home signed in to `emulator` with its token.
    pub fn for_emulator(emulator: &Emulator) -> Home {
        Home {
            token: emulator.token().to_owned(),
            ..Home::new(emulator.base_url())
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config_file(&self) -> PathBuf {
        self.path("config.toml")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    /// Writes `text` to `name` in the home and gives its path as an argument.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).expect("written");
        path.display().to_string()
    }

    /// `handin ARGS` with this home, `--api-base` and the token from the environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.bare_command(args);
        command
            .arg("--api-base")
            .arg(&self.api_base)
            .env("HANDIN_TOKEN", &self.token);
        command
    }

    /// `handin ARGS` with this home only: no `--api-base`, no token, stdin not a
    /// terminal, and nothing of the user's environment that changes what it does.
    pub fn bare_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_handin"));
        command
            .args(args)
            .env("HANDIN_CONFIG", self.config_file())
            .env("HANDIN_DATA_DIR", self.data_dir())
            // Times in human output are the machine's; JSON and CSV are UTC anyway.
            .env("TZ", "UTC")
            .env("TMPDIR", self.dir.path())
            .env_remove("HANDIN_TOKEN")
            .env_remove("HANDIN_APP_KEY")
            .env_remove("HANDIN_LOG")
            .env_remove("HANDIN_SMTP_PASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        run(self.command(args)).await
    }
}

/// Runs `command` to the end with nothing on stdin.
pub async fn run(command: Command) -> Output {
    run_with_stdin(command, None).await
}

/// Runs `command` to the end, writing `stdin` (if any) to it first.
pub async fn run_with_stdin(mut command: Command, stdin: Option<&str>) -> Output {
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command.spawn().expect("handin runs");
        if let Some(text) = stdin {
            use std::io::Write as _;
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).expect("written");
        }
        let output = child.wait_with_output().expect("handin ends");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("joined")
}

/// Sends `child` Ctrl-C's signal (SIGINT) and waits for what it printed on the way out.
pub async fn interrupt(child: Child) -> Output {
    tokio::task::spawn_blocking(move || {
        let pid = i32::try_from(child.id()).expect("pid");
        // SAFETY: signalling our own child, which has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let output = child.wait_with_output().expect("reaped");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("joined")
}
