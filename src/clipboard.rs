//! Copying text (a file request's link) to the clipboard the professor pastes from.
//!
//! handin usually runs over SSH on a shared lab machine, where the only clipboard that
//! matters is the one on the professor's own computer. OSC 52 reaches it: the escape
//! sequence travels with the screen output to the terminal emulator, which fills its
//! host's clipboard. So OSC 52 is the default route.
//!
//! arboard talks to the X11 server instead. That is the user's own clipboard only when
//! the display is local and the session is not remote, so only then is it tried, and it
//! is connected on the first copy rather than at start-up, because connecting fails (or
//! stalls on an unreachable server) where there is no display. A failure there falls
//! back to OSC 52 and is reported, never a panic.
//!
//! The caller writes the OSC 52 sequence between two frames, to the same terminal the
//! screen is drawn on; the terminal does not answer, so a sent sequence cannot be
//! confirmed, and [`describe`] words its sentence accordingly.

use std::ffi::OsString;
use std::io::Write;

use crossterm::clipboard::CopyToClipboard;

/// How a copy reached the user, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyRoute {
    /// arboard put the text on the local display's clipboard.
    SystemClipboard,
    /// An OSC 52 sequence asked the terminal emulator to fill its clipboard.
    Terminal,
}

/// A copy that went out, with anything the user should know about how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub route: CopyRoute,
    /// One or two sentences to show after [`describe`]'s: why the system clipboard was
    /// passed over (on the copy where it failed), and the tmux setting OSC 52 depends on.
    pub note: Option<String>,
}

impl Copied {
    /// The whole status-bar message: [`describe`]'s sentence followed by the note.
    pub fn message(&self) -> String {
        match &self.note {
            Some(note) => format!("{} {note}", describe(self.route)),
            None => describe(self.route).to_string(),
        }
    }
}

/// One sentence for the status bar saying which way the link went.
pub fn describe(route: CopyRoute) -> &'static str {
    match route {
        CopyRoute::SystemClipboard => "Link copied to the clipboard.",
        // "Sent", not "copied": the terminal never confirms, and some (GNOME Terminal,
        // for one) ignore OSC 52 altogether.
        CopyRoute::Terminal => "Link sent to the clipboard through the terminal (OSC 52).",
    }
}

/// What tmux users need to know: tmux swallows OSC 52 unless told to pass it on.
pub const TMUX_HINT: &str = "Inside tmux this needs `set -g set-clipboard on`.";

pub trait Clipboard {
    /// Copies `text`. `Err` is one sentence for the status bar; nothing here panics.
    fn copy(&mut self, text: &str) -> Result<Copied, String>;
}

/// Where the app runs, as far as the choice of clipboard goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DisplayEnvironment {
    /// A graphical session: `DISPLAY` (X11, XWayland) or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// An SSH session: `SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY` is set. With X
    /// forwarding the display is the lab machine's proxy, not the user's clipboard.
    pub over_ssh: bool,
    /// Inside tmux (`TMUX` is set), which forwards OSC 52 only when configured to.
    pub in_tmux: bool,
}

impl DisplayEnvironment {
    /// Reads the process environment.
    pub fn detect() -> Self {
        Self::from_variables(|name| std::env::var_os(name))
    }

    /// Decides from any source of environment variables, so tests need not change the
    /// process environment (which other threads may be reading).
    pub fn from_variables(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        // An empty value is what `VAR= handin` leaves behind to switch a variable off.
        let any_set = |names: &[&str]| {
            names
                .iter()
                .any(|name| lookup(name).is_some_and(|value| !value.is_empty()))
        };
        DisplayEnvironment {
            display: any_set(&["DISPLAY", "WAYLAND_DISPLAY"]),
            over_ssh: any_set(&["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"]),
            in_tmux: any_set(&["TMUX"]),
        }
    }

    /// Whether the display's clipboard is the one the user pastes from.
    fn system_clipboard_is_users(&self) -> bool {
        self.display && !self.over_ssh
    }
}

/// The clipboard the app uses: OSC 52 written to `out` by default, arboard only when a
/// local display exists (see the module documentation).
pub struct TerminalClipboard<W: Write> {
    out: W,
    system: SystemState,
    in_tmux: bool,
}

/// The part of a desktop clipboard used here; tests stand in for arboard through it.
trait SystemClipboard: Send {
    fn set_text(&mut self, text: &str) -> Result<(), String>;
}

impl SystemClipboard for arboard::Clipboard {
    fn set_text(&mut self, text: &str) -> Result<(), String> {
        arboard::Clipboard::set_text(self, text).map_err(|error| error.to_string())
    }
}

type Connect = Box<dyn FnMut() -> Result<Box<dyn SystemClipboard>, String> + Send>;

enum SystemState {
    /// No local display, or a remote session: the system clipboard is not the user's.
    NotUsed,
    /// Not connected yet; connecting waits for the first copy.
    Pending(Connect),
    /// Kept for the life of the app: on X11 the owner of a selection serves its content,
    /// so dropping the connection would empty the clipboard the user is about to paste.
    Connected(Box<dyn SystemClipboard>),
    /// Failed once; trying again on every copy would repeat the same error.
    Failed,
}

/// The outcome of trying the system clipboard for one copy.
enum SystemAttempt {
    Copied,
    NotUsed,
    Failed(String),
}

impl<W: Write> TerminalClipboard<W> {
    /// Prepares the clipboard without touching the display: arboard connects on the
    /// first copy, and only if `environment` has a local, non-SSH display.
    pub fn new(out: W, environment: &DisplayEnvironment) -> Self {
        Self::with_connector(out, environment, || {
            arboard::Clipboard::new()
                .map(|clipboard| Box::new(clipboard) as Box<dyn SystemClipboard>)
                .map_err(|error| error.to_string())
        })
    }

    fn with_connector(
        out: W,
        environment: &DisplayEnvironment,
        connect: impl FnMut() -> Result<Box<dyn SystemClipboard>, String> + Send + 'static,
    ) -> Self {
        let system = if environment.system_clipboard_is_users() {
            SystemState::Pending(Box::new(connect))
        } else {
            SystemState::NotUsed
        };
        TerminalClipboard {
            out,
            system,
            in_tmux: environment.in_tmux,
        }
    }

    /// The terminal output, for tests that read what was written.
    pub fn output(&self) -> &W {
        &self.out
    }

    fn try_system(&mut self, text: &str) -> SystemAttempt {
        if let SystemState::Pending(connect) = &mut self.system {
            match connect() {
                Ok(clipboard) => self.system = SystemState::Connected(clipboard),
                Err(reason) => {
                    self.system = SystemState::Failed;
                    return SystemAttempt::Failed(reason);
                }
            }
        }
        match &mut self.system {
            SystemState::Connected(clipboard) => match clipboard.set_text(text) {
                Ok(()) => SystemAttempt::Copied,
                Err(reason) => {
                    self.system = SystemState::Failed;
                    SystemAttempt::Failed(reason)
                }
            },
            SystemState::NotUsed | SystemState::Failed | SystemState::Pending(_) => {
                SystemAttempt::NotUsed
            }
        }
    }

    fn write_osc52(&mut self, text: &str) -> std::io::Result<()> {
        crossterm::queue!(self.out, CopyToClipboard::to_clipboard_from(text))?;
        self.out.flush()
    }
}

impl<W: Write> Clipboard for TerminalClipboard<W> {
    fn copy(&mut self, text: &str) -> Result<Copied, String> {
        let system_failure = match self.try_system(text) {
            SystemAttempt::Copied => {
                return Ok(Copied {
                    route: CopyRoute::SystemClipboard,
                    note: None,
                });
            }
            SystemAttempt::NotUsed => None,
            SystemAttempt::Failed(reason) => Some(reason),
        };
        if let Err(error) = self.write_osc52(text) {
            return Err(match system_failure {
                Some(reason) => format!(
                    "Could not copy: the system clipboard failed ({}) and so did writing to the terminal ({error}).",
                    clause(&reason)
                ),
                None => format!("Could not copy: writing to the terminal failed ({error})."),
            });
        }
        let mut notes = Vec::new();
        if let Some(reason) = system_failure {
            notes.push(format!(
                "The system clipboard failed ({}), so the terminal is used from now on.",
                clause(&reason)
            ));
        }
        if self.in_tmux {
            notes.push(TMUX_HINT.to_string());
        }
        Ok(Copied {
            route: CopyRoute::Terminal,
            note: (!notes.is_empty()).then(|| notes.join(" ")),
        })
    }
}

/// An error message fit to sit in parentheses inside a sentence.
fn clause(message: &str) -> &str {
    message.trim().trim_end_matches('.')
}

/// For tests: records what was copied instead of copying it.
#[derive(Debug, Default)]
pub struct RecordingClipboard {
    pub copied: Vec<String>,
    /// When set, every copy fails with this sentence and records nothing.
    pub failure: Option<String>,
}

impl Clipboard for RecordingClipboard {
    fn copy(&mut self, text: &str) -> Result<Copied, String> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        self.copied.push(text.to_string());
        Ok(Copied {
            route: CopyRoute::Terminal,
            note: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    const URL: &str = "https://www.dropbox.com/request/AbCdEfGhIjKlMnOpQrSt";

    const LOCAL_DISPLAY: DisplayEnvironment = DisplayEnvironment {
        display: true,
        over_ssh: false,
        in_tmux: false,
    };

    /// The OSC 52 sequence for the clipboard selection, with either terminator.
    fn osc52_payloads(output: &[u8]) -> Vec<String> {
        let output = String::from_utf8(output.to_vec()).expect("OSC 52 output is ASCII");
        let mut payloads = Vec::new();
        let mut rest = output.as_str();
        while let Some(start) = rest.find("\x1b]52;c;") {
            let body = &rest[start + "\x1b]52;c;".len()..];
            let end = body
                .find(['\x07', '\x1b'])
                .expect("the sequence is terminated");
            let terminator = &body[end..];
            assert!(
                terminator.starts_with('\x07') || terminator.starts_with("\x1b\\"),
                "ends with BEL or ST: {terminator:?}"
            );
            payloads.push(body[..end].to_string());
            rest = &body[end..];
        }
        payloads
    }

    fn decoded(payload: &str) -> String {
        String::from_utf8(STANDARD.decode(payload).expect("base64")).expect("UTF-8")
    }

    /// A stand-in for arboard that counts connections and can be told to fail.
    #[derive(Clone, Default)]
    struct FakeDisplay {
        connections: Arc<AtomicUsize>,
        stored: Arc<std::sync::Mutex<Vec<String>>>,
        refuse_connection: bool,
        refuse_text: bool,
    }

    struct FakeSystemClipboard(FakeDisplay);

    impl SystemClipboard for FakeSystemClipboard {
        fn set_text(&mut self, text: &str) -> Result<(), String> {
            if self.0.refuse_text {
                return Err("the selection owner went away".to_string());
            }
            self.0.stored.lock().expect("lock").push(text.to_string());
            Ok(())
        }
    }

    impl FakeDisplay {
        fn clipboard(&self, environment: &DisplayEnvironment) -> TerminalClipboard<Vec<u8>> {
            let display = self.clone();
            TerminalClipboard::with_connector(Vec::new(), environment, move || {
                display.connections.fetch_add(1, Ordering::SeqCst);
                if display.refuse_connection {
                    Err("X11 server connection timed out because it was unreachable.".to_string())
                } else {
                    Ok(Box::new(FakeSystemClipboard(display.clone())) as Box<dyn SystemClipboard>)
                }
            })
        }

        fn connections(&self) -> usize {
            self.connections.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn without_a_display_the_link_goes_through_osc52_and_the_display_is_never_touched() {
        let display = FakeDisplay::default();
        let mut clipboard = display.clipboard(&DisplayEnvironment::default());

        let copied = clipboard.copy(URL).expect("copy");

        assert_eq!(copied.route, CopyRoute::Terminal);
        assert_eq!(copied.note, None);
        let output = clipboard.output();
        let expected = format!("\x1b]52;c;{}", STANDARD.encode(URL));
        assert!(
            String::from_utf8_lossy(output).contains(&expected),
            "{output:?}"
        );
        assert_eq!(osc52_payloads(output).len(), 1);
        assert_eq!(decoded(&osc52_payloads(output)[0]), URL);
        assert_eq!(display.connections(), 0);
    }

    #[test]
    fn over_ssh_a_forwarded_display_is_ignored() {
        let display = FakeDisplay::default();
        let environment = DisplayEnvironment {
            display: true,
            over_ssh: true,
            in_tmux: false,
        };
        let mut clipboard = display.clipboard(&environment);

        let copied = clipboard.copy(URL).expect("copy");

        assert_eq!(copied.route, CopyRoute::Terminal);
        assert_eq!(decoded(&osc52_payloads(clipboard.output())[0]), URL);
        assert_eq!(display.connections(), 0);
    }

    #[test]
    fn a_local_display_is_connected_on_the_first_copy_and_kept() {
        let display = FakeDisplay::default();
        let mut clipboard = display.clipboard(&LOCAL_DISPLAY);
        assert_eq!(display.connections(), 0, "nothing connects at start-up");

        let first = clipboard.copy(URL).expect("copy");
        let second = clipboard.copy("second").expect("copy");

        assert_eq!(first.route, CopyRoute::SystemClipboard);
        assert_eq!(second.route, CopyRoute::SystemClipboard);
        assert_eq!(display.connections(), 1);
        assert_eq!(*display.stored.lock().expect("lock"), [URL, "second"]);
        assert!(
            clipboard.output().is_empty(),
            "no OSC 52 when arboard copied"
        );
    }

    #[test]
    fn a_display_that_refuses_the_connection_falls_back_to_osc52_and_is_not_retried() {
        let display = FakeDisplay {
            refuse_connection: true,
            ..FakeDisplay::default()
        };
        let mut clipboard = display.clipboard(&LOCAL_DISPLAY);

        let first = clipboard.copy(URL).expect("the fallback copies");
        let second = clipboard.copy("second").expect("copy");

        assert_eq!(first.route, CopyRoute::Terminal);
        assert_eq!(
            first.note.as_deref(),
            Some(
                "The system clipboard failed (X11 server connection timed out because it was \
                 unreachable), so the terminal is used from now on."
            )
        );
        assert_eq!(second.route, CopyRoute::Terminal);
        assert_eq!(second.note, None, "the failure is reported once");
        assert_eq!(display.connections(), 1);
        let payloads = osc52_payloads(clipboard.output());
        assert_eq!(
            payloads.iter().map(|p| decoded(p)).collect::<Vec<_>>(),
            [URL, "second"]
        );
    }

    #[test]
    fn a_display_that_refuses_the_text_falls_back_to_osc52() {
        let display = FakeDisplay {
            refuse_text: true,
            ..FakeDisplay::default()
        };
        let mut clipboard = display.clipboard(&LOCAL_DISPLAY);

        let first = clipboard.copy(URL).expect("the fallback copies");
        let second = clipboard.copy(URL).expect("copy");

        assert_eq!(first.route, CopyRoute::Terminal);
        assert!(
            first
                .note
                .as_deref()
                .is_some_and(|note| note.contains("the selection owner went away")),
            "{first:?}"
        );
        assert_eq!(second.note, None);
        assert_eq!(osc52_payloads(clipboard.output()).len(), 2);
    }

    #[test]
    fn inside_tmux_the_note_names_the_setting_osc52_needs() {
        let environment = DisplayEnvironment {
            in_tmux: true,
            ..DisplayEnvironment::default()
        };
        let mut clipboard = TerminalClipboard::new(Vec::new(), &environment);

        let copied = clipboard.copy(URL).expect("copy");

        assert_eq!(copied.note.as_deref(), Some(TMUX_HINT));
        assert_eq!(
            copied.message(),
            "Link sent to the clipboard through the terminal (OSC 52). \
             Inside tmux this needs `set -g set-clipboard on`."
        );
    }

    #[test]
    fn a_terminal_that_cannot_be_written_gives_one_sentence() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut clipboard = TerminalClipboard::new(Closed, &DisplayEnvironment::default());

        let error = clipboard
            .copy(URL)
            .expect_err("nothing reached the terminal");

        assert!(error.starts_with("Could not copy: writing to the terminal failed ("));
        assert!(error.ends_with(")."), "{error}");
    }

    #[test]
    fn the_clipboard_can_move_into_a_spawned_task() {
        fn assert_send<T: Send>() {}
        assert_send::<TerminalClipboard<std::io::Stdout>>();
        assert_send::<RecordingClipboard>();
    }

    #[test]
    fn non_ascii_text_survives_the_round_trip() {
        let mut clipboard = TerminalClipboard::new(Vec::new(), &DisplayEnvironment::default());
        let text = "Übung 3 — Abgabe 📎";

        clipboard.copy(text).expect("copy");

        assert_eq!(decoded(&osc52_payloads(clipboard.output())[0]), text);
    }

    #[test]
    fn the_environment_is_read_from_its_variables() {
        let detect = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, OsString)> = pairs
                .iter()
                .map(|(name, value)| (name.to_string(), OsString::from(value)))
                .collect();
            DisplayEnvironment::from_variables(move |name| {
                pairs
                    .iter()
                    .find(|(candidate, _)| candidate == name)
                    .map(|(_, value)| value.clone())
            })
        };

        assert_eq!(detect(&[]), DisplayEnvironment::default());
        assert_eq!(detect(&[("DISPLAY", ":0")]), LOCAL_DISPLAY);
        assert!(detect(&[("WAYLAND_DISPLAY", "wayland-0")]).display);
        assert!(!detect(&[("DISPLAY", "")]).display, "empty means unset");
        for ssh in ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"] {
            let environment = detect(&[("DISPLAY", "localhost:10.0"), (ssh, "x")]);
            assert!(environment.display && environment.over_ssh, "{ssh}");
            assert!(!environment.system_clipboard_is_users(), "{ssh}");
        }
        assert!(detect(&[("TMUX", "/tmp/tmux-0/default,1,0")]).in_tmux);
    }

    #[test]
    fn the_recording_clipboard_records_and_can_fail() {
        let mut clipboard = RecordingClipboard::default();

        let copied = clipboard.copy(URL).expect("copy");

        assert_eq!(clipboard.copied, [URL]);
        assert_eq!(copied.message(), describe(CopyRoute::Terminal));

        clipboard.failure = Some("The clipboard is broken.".to_string());
        assert_eq!(
            clipboard.copy("lost"),
            Err("The clipboard is broken.".to_string())
        );
        assert_eq!(clipboard.copied, [URL]);
    }
}
