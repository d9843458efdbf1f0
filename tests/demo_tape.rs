//! `demo.tape` is the product's story for VHS (charmbracelet/vhs). VHS is not available
//! where handin builds, so this test reads the tape as VHS would and replays its
//! keystrokes against the real binary in a pseudo-terminal of the tape's size: every
//! `Wait` pattern must appear, and handin must exit cleanly at the end.

mod pty;

use std::path::Path;
use std::time::{Duration, Instant};

use pty::Session;

/// One VHS command, as far as replaying it matters.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Output(String),
    Set(String, String),
    Type {
        text: String,
    },
    Key {
        key: Key,
        repeat: u32,
    },
    Sleep(Duration),
    /// `Wait[+Screen|+Line][@timeout] /regex/`.
    Wait {
        screen: bool,
        timeout: Duration,
        pattern: String,
    },
    Hide,
    Show,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Enter,
    Escape,
    Tab,
    Space,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Ctrl(char),
}

impl Key {
    fn bytes(self) -> Vec<u8> {
        match self {
            Key::Enter => b"\r".to_vec(),
            Key::Escape => b"\x1b".to_vec(),
            Key::Tab => b"\t".to_vec(),
            Key::Space => b" ".to_vec(),
            Key::Backspace => b"\x7f".to_vec(),
            Key::Delete => b"\x1b[3~".to_vec(),
            Key::Up => b"\x1b[A".to_vec(),
            Key::Down => b"\x1b[B".to_vec(),
            Key::Right => b"\x1b[C".to_vec(),
            Key::Left => b"\x1b[D".to_vec(),
            Key::PageUp => b"\x1b[5~".to_vec(),
            Key::PageDown => b"\x1b[6~".to_vec(),
            Key::Ctrl(c) => vec![(c.to_ascii_lowercase() as u8) & 0x1f],
        }
    }
}

/// "1s", "500ms", "1.5s", "2m".
fn duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        other => return Err(format!("{other:?} is not a VHS time unit (ms, s, m)")),
    };
    Ok(Duration::from_secs_f64(seconds))
}

/// The command word with its `@time` and `+modifier` suffixes split off.
fn head(word: &str) -> (&str, Option<&str>, Vec<&str>) {
    let (word, at) = match word.split_once('@') {
        Some((word, at)) => (word, Some(at)),
        None => (word, None),
    };
    let mut parts = word.split('+');
    let name = parts.next().unwrap_or_default();
    (name, at, parts.collect())
}

/// A quoted VHS string: "...", '...' or `...`.
fn quoted(text: &str) -> Result<String, String> {
    let text = text.trim();
    let quote = text.chars().next().ok_or("a string is missing")?;
    if !matches!(quote, '"' | '\'' | '`') || !text.ends_with(quote) || text.len() < 2 {
        return Err(format!("{text:?} is not a quoted string"));
    }
    Ok(text[1..text.len() - 1].to_owned())
}

fn parse_tape(tape: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (number, line) in tape.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |why: String| format!("demo.tape line {}: {why}", number + 1);
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (name, at, modifiers) = head(word);
        let step = match name {
            "Output" => Step::Output(rest.trim().to_owned()),
            "Set" => {
                let (key, value) = rest
                    .trim()
                    .split_once(' ')
                    .ok_or_else(|| fail("Set needs a value".into()))?;
                Step::Set(key.to_owned(), value.trim().to_owned())
            }
            "Type" => Step::Type {
                text: quoted(rest).map_err(fail)?,
            },
            "Sleep" => Step::Sleep(duration(rest.trim()).map_err(fail)?),
            "Hide" => Step::Hide,
            "Show" => Step::Show,
            "Wait" => {
                let pattern = rest.trim();
                if !(pattern.len() >= 2 && pattern.starts_with('/') && pattern.ends_with('/')) {
                    return Err(fail(format!("Wait takes a /regex/, not {pattern:?}")));
                }
                let screen = match modifiers.as_slice() {
                    [] | ["Line"] => false,
                    ["Screen"] => true,
                    other => return Err(fail(format!("Wait+{} is not VHS", other.join("+")))),
                };
                Step::Wait {
                    screen,
                    timeout: at
                        .map(duration)
                        .transpose()
                        .map_err(fail)?
                        .unwrap_or(Duration::from_secs(15)),
                    pattern: pattern[1..pattern.len() - 1].to_owned(),
                }
            }
            "Ctrl" => {
                let key = modifiers
                    .first()
                    .and_then(|k| k.chars().next())
                    .ok_or_else(|| fail("Ctrl needs a key, as in Ctrl+C".into()))?;
                Step::Key {
                    key: Key::Ctrl(key),
                    repeat: 1,
                }
            }
            key => {
                let key = match key {
                    "Enter" => Key::Enter,
                    "Escape" => Key::Escape,
                    "Tab" => Key::Tab,
                    "Space" => Key::Space,
                    "Backspace" => Key::Backspace,
                    "Delete" => Key::Delete,
                    "Up" => Key::Up,
                    "Down" => Key::Down,
                    "Left" => Key::Left,
                    "Right" => Key::Right,
                    "PageUp" => Key::PageUp,
                    "PageDown" => Key::PageDown,
                    other => {
                        return Err(fail(format!(
                            "{other:?} is not a VHS command this tape may use"
                        )));
                    }
                };
                let repeat = match rest.trim() {
                    "" => 1,
                    count => count
                        .parse()
                        .map_err(|_| fail(format!("{count:?} is not a count")))?,
                };
                Step::Key { key, repeat }
            }
        };
        steps.push(step);
    }
    Ok(steps)
}

/// handin's arguments in a typed shell command line that starts it, if it is one.
fn handin_command(typed: &str) -> Option<Vec<String>> {
    let mut words = typed.split_whitespace();
    let program = words.next()?;
    (program == "handin" || program.ends_with("/handin"))
        .then(|| words.map(str::to_owned).collect())
}

fn matches(pattern: &regex::Regex, screen: &str, whole: bool) -> bool {
    if whole {
        return pattern.is_match(screen);
    }
    screen
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| pattern.is_match(line))
}

#[test]
fn the_tape_parses_as_vhs() {
    let steps = parse_tape(include_str!("../demo.tape")).expect("demo.tape parses");
    assert!(
        steps
            .iter()
            .any(|s| matches!(s, Step::Output(path) if path.ends_with(".gif")))
    );
    assert!(
        steps
            .iter()
            .filter(|s| matches!(s, Step::Wait { .. }))
            .count()
            >= 5,
        "the story is checked at each of its turns"
    );
    // About a minute of story, as VHS will play it.
    let shown: Duration = steps
        .iter()
        .skip_while(|s| !matches!(s, Step::Show))
        .filter_map(|s| match s {
            Step::Sleep(d) => Some(*d),
            _ => None,
        })
        .sum();
    assert!(
        shown >= Duration::from_secs(30) && shown <= Duration::from_secs(120),
        "{shown:?}"
    );
    assert!(parse_tape("Wiggle 3").is_err());
    assert!(parse_tape("Wait lab").is_err());
    assert_eq!(
        parse_tape("Down@300ms 4\nWait+Screen@5s /Lab 1/\nType \"x\"").unwrap(),
        [
            Step::Key {
                key: Key::Down,
                repeat: 4
            },
            Step::Wait {
                screen: true,
                timeout: Duration::from_secs(5),
                pattern: "Lab 1".into()
            },
            Step::Type { text: "x".into() },
        ]
    );
}

#[test]
fn the_tape_replays_against_the_real_binary() {
    let steps = parse_tape(include_str!("../demo.tape")).expect("demo.tape parses");
    let home = tempfile::tempdir().expect("tempdir");
    let (mut width, mut height) = (1200u32, 720u32);
    let mut font = 14u32;
    let mut typed_line = String::new();
    let mut session: Option<Session> = None;
    let mut waits = 0;
    for step in steps {
        match step {
            Step::Set(key, value) => match key.as_str() {
                "Width" => width = value.parse().expect("Width is a number"),
                "Height" => height = value.parse().expect("Height is a number"),
                "FontSize" => font = value.parse().expect("FontSize is a number"),
                _ => {}
            },
            Step::Output(_) | Step::Hide | Step::Show => {}
            Step::Type { text } => match session.as_mut() {
                Some(session) => {
                    for c in text.chars() {
                        session.type_text(&c.to_string());
                        std::thread::sleep(Duration::from_millis(15));
                    }
                }
                None => typed_line.push_str(&text),
            },
            Step::Key { key, repeat } => match session.as_mut() {
                Some(session) => {
                    for _ in 0..repeat {
                        session.send(&key.bytes());
                        std::thread::sleep(Duration::from_millis(40));
                    }
                }
                None if key == Key::Enter => {
                    if let Some(args) = handin_command(&typed_line) {
                        // VHS's terminal: about 0.6 em per column and 1.2 em per row.
                        let cols = (width as f64 / (font as f64 * 0.6)) as u16;
                        let rows = (height as f64 / (font as f64 * 1.2)) as u16;
                        let args: Vec<&str> = args.iter().map(String::as_str).collect();
                        session = Some(start(&args, cols.max(80), rows.max(24), home.path()));
                    }
                    typed_line.clear();
                }
                None => {}
            },
            // The replay trusts Wait for timing: long pauses for the viewer are cut short.
            Step::Sleep(pause) => std::thread::sleep(pause.min(Duration::from_millis(400))),
            Step::Wait {
                screen,
                timeout,
                pattern,
            } => {
                let session = session.as_ref().expect("a Wait after handin started");
                let regex = regex::Regex::new(&pattern).expect("a Wait pattern is a regex");
                let deadline = Instant::now() + timeout.max(Duration::from_secs(15));
                loop {
                    let shown = session.screen();
                    if matches(&regex, &shown, screen) {
                        break;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "Wait /{pattern}/ was not met within {timeout:?}; the screen:\n{shown}"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
                waits += 1;
            }
        }
    }
    let mut session = session.expect("the tape starts handin");
    assert_eq!(
        session.wait_exit(Duration::from_secs(15)),
        0,
        "the tape ends by quitting"
    );
    assert!(!session.alternate_screen(), "the terminal is restored");
    assert!(waits >= 5);
}

fn start(args: &[&str], cols: u16, rows: u16, home: &Path) -> Session {
    Session::start(args, cols, rows, home)
}
