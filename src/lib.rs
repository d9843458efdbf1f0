//! handin: run homework collection through Dropbox File Requests from the terminal.

pub mod action;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod credentials;
pub mod deadline;
pub mod download;
pub mod dropbox;
pub mod emulator;
pub mod file_request;
#[doc(hidden)]
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod fs;
pub mod keymap;
pub mod logging;
pub mod mail;
pub mod size;
pub mod state;
pub mod submissions;
pub mod syllabus;
pub mod terminal;
pub mod time;
pub mod ui;
pub mod untrusted;
