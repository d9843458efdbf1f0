//! The set-up the emulator-backed tests share: an empty emulator on a free loopback port,
//! and a client for arranging and checking its state (fast retries, so a test's own
//! set-up never waits on the production back-off).

#![allow(dead_code)] // Each test binary uses its own part of it.

use std::time::Duration;

use handin::dropbox::retry::RetryPolicy;
use handin::dropbox::{ClientSettings, CreateFileRequestArgs, Dropbox, FileRequest};
use handin::emulator::{Emulator, EmulatorOptions, Seed};

/// An emulator with nothing in it.
pub async fn empty() -> Emulator {
    // main() installs the provider at start; a second install (another test) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Emulator::start(
        ([127, 0, 0, 1], 0).into(),
        EmulatorOptions {
            seed: Seed::Empty,
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("emulator starts")
}

/// Retries fast enough to keep a suite quick.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        total_budget: Duration::from_secs(5),
    }
}

/// A client of `emulator` with its token and fast retries.
pub fn client(emulator: &Emulator) -> Dropbox {
    let settings = ClientSettings {
        api_base: Some(emulator.base_url().to_owned()),
        retry: fast_retries(),
        ..ClientSettings::default()
    };
    Dropbox::new(settings, emulator.token().to_owned()).expect("client")
}

/// A file request saving into `destination`, with no deadline.
pub async fn create_request(emulator: &Emulator, title: &str, destination: &str) -> FileRequest {
    client(emulator)
        .create_request(CreateFileRequestArgs::new(
            title.to_owned(),
            destination.to_owned(),
        ))
        .await
        .expect("request created")
}
