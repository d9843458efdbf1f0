//! Attacks on handin, each played against the real binary: a student's names and files
//! (`names`, `files`), a neighbour on the lab machine (`files`, `config`), a hostile
//! server behind `api_base` (`names`, `config`, `limits`). SECURITY.md says what each
//! test stands for.

#[path = "../support/hostile.rs"]
mod hostile_server;
#[path = "../pty/mod.rs"]
mod pty;

mod cli;
mod config;
mod files;
mod limits;
mod names;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A private config and data folder for one run of the binary against `api_base`.
pub struct Home {
    pub dir: tempfile::TempDir,
    pub api_base: String,
}

/// What one run printed, and its exit status.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Home {
    pub fn new(api_base: &str) -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            api_base: api_base.to_owned(),
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

    /// `handin ARGS` with this home, `--api-base`, a token from the environment, stdin
    /// not a terminal, and nothing of the user's environment that changes output.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.bare_command(args);
        command
            .arg("--api-base")
            .arg(&self.api_base)
            .env("HANDIN_TOKEN", "hostile-test-token");
        command
    }

    /// `handin ARGS` with this home only: no `--api-base`, no token.
    pub fn bare_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_handin"));
        command
            .args(args)
            .env("HANDIN_CONFIG", self.config_file())
            .env("HANDIN_DATA_DIR", self.data_dir())
            .env("TZ", "UTC")
            .env("TMPDIR", self.dir.path())
            .env_remove("HANDIN_TOKEN")
            .env_remove("HANDIN_APP_KEY")
            .env_remove("HANDIN_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        run(self.command(args)).await
    }
}

pub async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || {
        let output = command.output().expect("handin runs");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("joined")
}

/// The characters no untrusted name may bring to a terminal raw.
pub fn assert_no_raw_controls(what: &str, text: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t' && c != '\r')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        assert!(!bad, "{what} carries a raw {:?}: {text:?}", c);
    }
}

#[allow(dead_code)]
pub fn exists_no_follow(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// The harness itself: handin talks to the hostile server and the server sees it.
#[tokio::test]
async fn the_hostile_server_answers_the_real_binary() {
    let server = hostile_server::Hostile::start().await;
    let home = Home::new(&server.base_url());
    let output = home.run(&["requests", "list", "--json"]).await;
    assert_eq!(output.code, 0, "{output:?}");
    let listed = server.received_on("file_requests/list_v2");
    assert_eq!(listed.len(), 1, "{:?}", server.received());
    assert_eq!(
        listed[0].header("authorization"),
        Some("Bearer hostile-test-token")
    );
}
