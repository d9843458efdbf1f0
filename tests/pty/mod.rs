//! A pseudo-terminal harness: runs the real `handin` binary in a PTY, feeds its output to
//! a terminal emulator (vt100) and lets tests type keys and poll for screen text.
//! Pure Rust, so nothing outside cargo is needed.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// What the clipboard code looks at to choose a way to copy (see src/clipboard.rs).
pub const CLIPBOARD_ENVIRONMENT: [&str; 6] = [
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "SSH_CONNECTION",
    "SSH_CLIENT",
    "SSH_TTY",
    "TMUX",
];

pub struct Session {
    pub child: Box<dyn Child + Send + Sync>,
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Box<dyn std::io::Write + Send>>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    stop_reading: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    // Last, so it is released after the child is gone (fields drop in order).
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

/// One binary in a terminal at a time: a dozen demos starting at once on a 2-core CI
/// machine would measure the scheduler, not handin (the hang-up test allows a second).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

impl Session {
    /// Starts `handin` with `args` in a `cols` x `rows` terminal, its config and data kept
    /// inside `home` so the user's own files are never touched.
    pub fn start(args: &[&str], cols: u16, rows: u16, home: &Path) -> Session {
        Session::start_with_env(args, &[], cols, rows, home)
    }

    pub fn start_with_env(
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
        home: &Path,
    ) -> Session {
        let one_at_a_time = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let command = command(args, env, home);
        let child = pair.slave.spawn_command(command).expect("spawn handin");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let fd = pair.master.as_raw_fd().expect("pty fd");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().expect("rows > 0"),
            cols.try_into().expect("cols > 0"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let stop_reading = Arc::new(AtomicBool::new(false));
        // Reads with poll() and a short timeout so the thread can be told to stop: only
        // when every copy of the master side is closed does the terminal hang up.
        let reader_thread = {
            let parser = Arc::clone(&parser);
            let raw = Arc::clone(&raw);
            let stop = Arc::clone(&stop_reading);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                while !stop.load(Ordering::SeqCst) {
                    let mut poll = libc::pollfd {
                        fd,
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
                    let ready = unsafe { libc::poll(&mut poll, 1, 20) };
                    if ready <= 0 {
                        continue;
                    }
                    match reader.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            parser.lock().expect("parser lock").process(&buffer[..n]);
                            raw.lock()
                                .expect("raw lock")
                                .extend_from_slice(&buffer[..n]);
                        }
                    }
                }
            })
        };
        Session {
            _one_at_a_time: one_at_a_time,
            child,
            master: Some(pair.master),
            writer: Some(writer),
            parser,
            raw,
            stop_reading,
            reader: Some(reader_thread),
        }
    }

    /// Waits until everything the program wrote has been read (its side of the terminal
    /// closed), so assertions see the final screen.
    pub fn drain_output(&mut self) {
        if let Some(reader) = self.reader.take() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            self.stop_reading.store(true, Ordering::SeqCst);
            let _ = reader.join();
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser lock").screen().contents()
    }

    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().expect("raw lock").clone()
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser
            .lock()
            .expect("parser lock")
            .screen()
            .alternate_screen()
    }

    /// Waits until the screen shows `text`; panics with the screen after `timeout`.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("{text:?} did not appear within {timeout:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until `done` holds for the screen.
    pub fn wait_for_change(&self, done: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("the screen did not change as expected within {timeout:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until the screen no longer shows `text`.
    pub fn wait_for_absence(&self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("{text:?} was still on screen after {timeout:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("the terminal is still open");
        writer.write_all(bytes).expect("write to pty");
        writer.flush().expect("flush pty");
    }

    pub fn type_text(&mut self, text: &str) {
        self.send(text.as_bytes());
    }

    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to end, then for everything it wrote to be read, and
    /// returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let code = self.wait_for_exit(timeout);
        // What it wrote last may still be on its way through the terminal.
        self.drain_output();
        code
    }

    /// Waits for the process to end, and no longer: for tests that time the exit.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "handin did not exit within {timeout:?}; the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Closes our side of the terminal, as a dropped SSH connection does.
    pub fn hang_up(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.writer.take();
        self.master.take();
    }
}

/// The command line `Session::start_with_env` runs: `handin` with `args`, its files
/// inside `home`, and nothing from the developer's session that it could act on.
pub fn command(args: &[&str], env: &[(&str, &str)], home: &Path) -> CommandBuilder {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_handin"));
    command.args(args);
    command.env("TERM", "xterm-256color");
    command.env("HOME", home);
    command.env("HANDIN_DATA_DIR", home.join("data"));
    command.env("HANDIN_CONFIG", home.join("config.toml"));
    command.env("XDG_CONFIG_HOME", home.join("xdg-config"));
    command.env("XDG_DATA_HOME", home.join("xdg-data"));
    command.env_remove("HANDIN_TOKEN");
    command.env_remove("NO_COLOR");
    // No display, no SSH, no tmux: a copy goes out as OSC 52 into this PTY, never to
    // the developer's own clipboard or terminal multiplexer.
    for variable in CLIPBOARD_ENVIRONMENT {
        command.env_remove(variable);
    }
    command.env("TZ", "UTC");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// CPU seconds (user + system) the process has used so far, from /proc.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc stat");
    // Fields after the command name, which is in parentheses and may contain spaces.
    let after = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields[11].parse().expect("utime");
    let stime: f64 = fields[12].parse().expect("stime");
    let ticks = 100.0; // USER_HZ on Linux
    (utime + stime) / ticks
}
