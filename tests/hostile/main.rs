//! Attacks on handin, each played against the real binary: a student's names and files
//! (`names`, `files`), a neighbour on the lab machine (`files`, `config`), a hostile
//! server behind `api_base` (`names`, `config`, `limits`). SECURITY.md says what each
//! test stands for.

#[path = "../support/cli.rs"]
mod cli_runner;
#[path = "../support/hostile.rs"]
mod hostile_server;
#[path = "../pty/mod.rs"]
mod pty;

mod cli;
mod config;
mod files;
mod limits;
mod names;

use std::path::Path;

pub use cli_runner::{Home, Output, run};

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
        Some(format!("Bearer {}", cli_runner::TOKEN).as_str())
    );
}
