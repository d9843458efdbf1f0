//! A fault soak: every operation of the service layer (list, create, update, close,
//! delete, list files, long poll, download, send mail) run a few hundred times against
//! the emulator while it injects faults chosen from a fixed seed: 429s with and without
//! `Retry-After`, 500s and 503s, answers slower than the request timeout, dropped
//! connections, truncated and corrupted bodies, and route errors; the SMTP server
//! refuses some recipients, and is sometimes not there at all.
//!
//! Nothing may panic or hang; every operation ends in success or in clear sentences;
//! every call ends within the retry budget plus one request timeout; a read that the
//! retry policy can carry through must succeed, and a change that got an unclear answer
//! must not be repeated. At the end, against the emulator's own state: every request
//! reported created exists exactly once (one reported failed at most once), nothing is
//! duplicated, deleted requests are gone, every file a student handed in is still there
//! with its hash, every file under its final name in the download folder verifies (only
//! `.part` files may hold partial bytes), and every letter reported sent arrived exactly
//! once. `cargo test --test soak -- --nocapture` prints the counts.
//!
//! The seed fixes the operations, their arguments and the faults queued before each;
//! `HANDIN_SOAK_SEED=<number>` tries another. Which attempt a queued fault meets can
//! still vary with timing (a fault left over from a change hits a later call).

#[path = "support/smtp.rs"]
mod smtp;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use handin::config::{MailConfig, MailTransport, SmtpSecurity};
use handin::download::{self, Cancel, Item, Options, Progress, Summary};
use handin::dropbox::content_hash::content_hash;
use handin::dropbox::retry::RetryPolicy;
use handin::dropbox::{
    ClientSettings, CreateFileRequestArgs, Dropbox, DropboxError, FileMetadata, FileRequest,
    Metadata, UpdateFileRequestArgs,
};
use handin::emulator::{Emulator, EmulatorOptions, Fault, Seed, Submission};
use handin::mail::{self, Delivery, Kind, Mailer, Recipient, Templates, Values};
use handin::submissions::Assignments;
use smtp::SmtpServer;

// ---------------------------------------------------------------------------------------
// Settings

const SEED: u64 = 0x5EED_2026_0001;
const ROUNDS: usize = 320;
/// Chance that a round injects faults before its operation.
const FAULT_CHANCE: f64 = 0.6;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
const SLOW_ANSWER: Duration = Duration::from_millis(1500);
/// What a loaded two-core machine may add to any bound.
const SLACK: Duration = Duration::from_secs(2);
/// A run of the whole operation beyond this is a hang.
const HANG: Duration = Duration::from_secs(30);
const DOWNLOAD_ATTEMPTS: u32 = 3;
const DOWNLOAD_CONCURRENCY: usize = 3;

/// Where every request collects its files; the long poll watches it.
const ROOT: &str = "/Soak";
/// Addresses the SMTP server refuses with a 550.
const REFUSED: [&str; 3] = [
    "gone1@example.edu",
    "gone2@example.edu",
    "gone3@example.edu",
];

/// The fixed seed, or `HANDIN_SOAK_SEED` to explore others.
fn seed() -> u64 {
    std::env::var("HANDIN_SOAK_SEED")
        .ok()
        .and_then(|seed| seed.trim().parse().ok())
        .unwrap_or(SEED)
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        total_budget: Duration::from_secs(4),
    }
}

/// The longest one service call may take: the whole retry budget, then one more
/// attempt that started just inside it and ran to its timeout.
fn call_bound() -> Duration {
    policy().total_budget + REQUEST_TIMEOUT + SLACK
}

// ---------------------------------------------------------------------------------------
// Operations and faults

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Op {
    List,
    Create,
    Update,
    Close,
    Delete,
    ListFiles,
    Longpoll,
    Download,
    Mail,
}

impl Op {
    const WEIGHTED: [(Op, u32); 9] = [
        (Op::List, 10),
        (Op::Create, 16),
        (Op::Update, 10),
        (Op::Close, 10),
        (Op::Delete, 9),
        (Op::ListFiles, 10),
        (Op::Longpoll, 7),
        (Op::Download, 12),
        (Op::Mail, 10),
    ];

    fn name(self) -> &'static str {
        match self {
            Op::List => "list requests",
            Op::Create => "create",
            Op::Update => "update",
            Op::Close => "close",
            Op::Delete => "delete",
            Op::ListFiles => "list files",
            Op::Longpoll => "long poll",
            Op::Download => "download",
            Op::Mail => "send mail",
        }
    }

    /// The routes the operation calls, the first being the one it is about.
    fn routes(self) -> &'static [&'static str] {
        match self {
            Op::List => &["file_requests/list_v2"],
            Op::Create => &["file_requests/create"],
            Op::Update | Op::Close => &["file_requests/update"],
            Op::Delete => &["file_requests/delete"],
            Op::ListFiles => &["files/list_folder"],
            Op::Longpoll => &[
                "files/list_folder/longpoll",
                "files/list_folder/get_latest_cursor",
                "files/list_folder/continue",
            ],
            Op::Download => &["files/download", "files/list_folder"],
            Op::Mail => &["file_requests/get"],
        }
    }

    /// Whether the operation is one call of one route, so that what the retry policy
    /// makes of the faults queued for it can be worked out beforehand.
    fn single_call(self) -> bool {
        !matches!(self, Op::Longpoll | Op::Download)
    }

    fn pick(rng: &mut fastrand::Rng) -> Op {
        let total: u32 = Op::WEIGHTED.iter().map(|(_, w)| w).sum();
        let mut draw = rng.u32(0..total);
        for (op, weight) in Op::WEIGHTED {
            if draw < weight {
                return op;
            }
            draw -= weight;
        }
        unreachable!("the draw is below the total weight")
    }
}

/// Whether a call of `route` only reads, so that repeating it is harmless. The soak's
/// own list, not the library's: the soak checks that the library keeps to it.
fn read_only(route: &str) -> bool {
    !matches!(
        route,
        "file_requests/create" | "file_requests/update" | "file_requests/delete"
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum FaultKind {
    RateLimited,
    RateLimitedText,
    RateLimitedWait,
    Server500,
    Server503,
    Slow,
    Dropped,
    Truncated,
    Corrupted,
    RouteError,
    SmtpRefused,
    SmtpDown,
}

impl FaultKind {
    const WEIGHTED: [(FaultKind, u32); 10] = [
        (FaultKind::RateLimited, 12),
        (FaultKind::RateLimitedText, 8),
        (FaultKind::RateLimitedWait, 1),
        (FaultKind::Server500, 12),
        (FaultKind::Server503, 12),
        (FaultKind::Slow, 2),
        (FaultKind::Dropped, 14),
        (FaultKind::Truncated, 12),
        (FaultKind::Corrupted, 12),
        (FaultKind::RouteError, 5),
    ];

    fn name(self) -> &'static str {
        match self {
            FaultKind::RateLimited => "429, JSON",
            FaultKind::RateLimitedText => "429, plain text",
            FaultKind::RateLimitedWait => "429, Retry-After: 1",
            FaultKind::Server500 => "500",
            FaultKind::Server503 => "503",
            FaultKind::Slow => "answer after 1.5 s",
            FaultKind::Dropped => "dropped connection",
            FaultKind::Truncated => "truncated body",
            FaultKind::Corrupted => "corrupted body",
            FaultKind::RouteError => "route error (409)",
            FaultKind::SmtpRefused => "SMTP recipient refused",
            FaultKind::SmtpDown => "SMTP server down",
        }
    }

    fn pick(rng: &mut fastrand::Rng) -> FaultKind {
        let total: u32 = FaultKind::WEIGHTED.iter().map(|(_, w)| w).sum();
        let mut draw = rng.u32(0..total);
        for (kind, weight) in FaultKind::WEIGHTED {
            if draw < weight {
                return kind;
            }
            draw -= weight;
        }
        unreachable!("the draw is below the total weight")
    }

    fn fault(self, route: &str, rng: &mut fastrand::Rng) -> Fault {
        match self {
            FaultKind::RateLimited => Fault::TooManyRequests {
                retry_after: 0,
                plain_text: false,
            },
            FaultKind::RateLimitedText => Fault::TooManyRequests {
                retry_after: 0,
                plain_text: true,
            },
            FaultKind::RateLimitedWait => Fault::TooManyRequests {
                retry_after: 1,
                plain_text: rng.bool(),
            },
            FaultKind::Server500 => Fault::ServerError(500),
            FaultKind::Server503 => Fault::ServerError(503),
            FaultKind::Slow => Fault::Delay(SLOW_ANSWER),
            FaultKind::Dropped => Fault::DropConnection,
            FaultKind::Truncated => Fault::TruncateBody,
            FaultKind::Corrupted => Fault::CorruptBody,
            FaultKind::RouteError => Fault::RouteError(route_error_tag(route).to_owned()),
            FaultKind::SmtpRefused | FaultKind::SmtpDown => {
                unreachable!("SMTP faults are not emulator faults")
            }
        }
    }

    /// How many calls of `route` in a row it hits. A change is tried once unless Dropbox
    /// provably did nothing (429), so more would only fail the next few changes; the
    /// slow faults hit once, to keep the soak short.
    fn count(self, route: &str, rng: &mut fastrand::Rng) -> u32 {
        match self {
            FaultKind::Slow | FaultKind::RateLimitedWait => 1,
            FaultKind::RateLimited | FaultKind::RateLimitedText => rng.u32(1..=3),
            _ if route == "*" || !read_only(route) => 1,
            _ => rng.u32(1..=3),
        }
    }
}

/// A tag of the route's own error union that its state here cannot produce.
fn route_error_tag(route: &str) -> &'static str {
    match route {
        "files/list_folder/longpoll" | "files/list_folder/continue" => "reset",
        "files/download" => "unsupported_file",
        "files/list_folder" | "files/list_folder/get_latest_cursor" => "other",
        "file_requests/get" => "not_found",
        _ => "disabled_for_team",
    }
}

/// What the retry policy makes of `faults` queued for a call of a route that had none
/// left over: `Some((true, _))` when an attempt gets through (the call then succeeds if
/// the account allows it), `Some((false, _))` when the call must fail, with how many
/// faults are left queued after it; `None` when it depends on timing (a wait that only
/// just fits the budget).
fn foreseen(faults: &[(Fault, u32)], read_only: bool) -> Option<(bool, u32)> {
    let policy = policy();
    let total: u32 = faults.iter().map(|(_, count)| count).sum();
    let budget = policy.total_budget.as_secs_f64();
    let mut queued = faults
        .iter()
        .flat_map(|(fault, count)| std::iter::repeat_n(fault, *count as usize));
    let mut elapsed = 0.0;
    for attempt in 1..=policy.max_attempts {
        let Some(fault) = queued.next() else {
            return Some((true, 0));
        };
        let failed = Some((false, total - attempt));
        let (retryable, hint) = match fault {
            Fault::TooManyRequests { retry_after, .. } => (true, f64::from(*retry_after)),
            Fault::ServerError(_) | Fault::DropConnection => (read_only, 0.0),
            Fault::Delay(_) => {
                elapsed += REQUEST_TIMEOUT.as_secs_f64();
                (read_only, 0.0)
            }
            Fault::TruncateBody | Fault::CorruptBody | Fault::RouteError(_) => (false, 0.0),
        };
        if !retryable || attempt == policy.max_attempts {
            return failed;
        }
        let remaining = budget - elapsed;
        if hint > remaining + 0.5 {
            return failed;
        }
        if hint + 0.5 > remaining {
            return None;
        }
        elapsed += hint + 0.1;
    }
    unreachable!("the last attempt returns")
}

// ---------------------------------------------------------------------------------------
// What the soak knows

/// One request the soak asked for, known by its unique title.
#[derive(Debug, Default)]
struct Tracked {
    title: String,
    /// As the last successful call returned it.
    request: Option<FileRequest>,
    create_ok: bool,
    close_ok: bool,
    close_tried: bool,
    delete_ok: bool,
    delete_tried: bool,
    /// Every description an update asked for.
    descriptions: Vec<String>,
    /// The last update asked for, and whether it was reported done.
    last_update: Option<(String, bool)>,
    update_failed: bool,
    /// Never closed or deleted: the long poll's uploads go there.
    anchor: bool,
    files: usize,
}

impl Tracked {
    fn id(&self) -> Option<&str> {
        self.request.as_ref().map(|r| r.id.as_str())
    }
}

/// A file a student handed in.
struct Handed {
    metadata: FileMetadata,
    hash: String,
}

#[derive(Default)]
struct Tally {
    runs: BTreeMap<Op, (usize, usize)>,
    faults: BTreeMap<FaultKind, u32>,
    failures: usize,
    sentences: BTreeMap<String, usize>,
    foreseen_checked: usize,
    /// Of those, the ones with faults queued.
    foreseen_faulted: usize,
    letters_sent: usize,
    letters_refused: usize,
    downloads_verified: usize,
    slowest_call: Duration,
    /// Problems found, each a sentence; the soak fails on any.
    panics: Vec<String>,
    unclear: Vec<String>,
    too_slow: Vec<String>,
    retries: Vec<String>,
    lost: Vec<String>,
    duplicates: Vec<String>,
}

impl Tally {
    fn fault(&mut self, kind: FaultKind, count: u32) {
        *self.faults.entry(kind).or_default() += count;
    }

    /// A failure, which must be told in one clear sentence.
    fn failure(&mut self, op: Op, sentence: &str) {
        self.failures += 1;
        let clear = !sentence.trim().is_empty()
            && !sentence.contains('\n')
            && sentence.len() < 500
            && !sentence.contains("panicked");
        if !clear {
            self.unclear.push(format!("{}: {sentence:?}", op.name()));
        }
        *self.sentences.entry(sentence.to_owned()).or_default() += 1;
    }

    fn dropbox_failure(&mut self, op: Op, error: &DropboxError) {
        self.failure(op, &error.sentence());
        // "(3 attempts)" in the detail of a transport failure.
        if let Some(at) = error.detail().rfind(" attempt") {
            let before = &error.detail()[..at];
            let digits: String = before
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if let Ok(attempts) = digits.parse::<u32>()
                && attempts > policy().max_attempts
            {
                self.retries.push(format!(
                    "{}: {attempts} attempts, more than {}: {}",
                    op.name(),
                    policy().max_attempts,
                    error.detail()
                ));
            }
        }
    }

    fn call_took(&mut self, op: Op, what: &str, took: Duration, bound: Duration) {
        if bound == call_bound() {
            self.slowest_call = self.slowest_call.max(took);
        }
        if took > bound {
            self.too_slow.push(format!(
                "{} ({what}) took {took:?}, over {bound:?}",
                op.name()
            ));
        }
    }

    fn problems(&self) -> usize {
        self.panics.len()
            + self.unclear.len()
            + self.too_slow.len()
            + self.retries.len()
            + self.lost.len()
            + self.duplicates.len()
    }
}

struct Soak {
    emu: Arc<Emulator>,
    dropbox: Dropbox,
    mailer: Arc<Mailer>,
    mailer_down: Arc<Mailer>,
    smtp: SmtpServer,
    downloads: PathBuf,
    rng: fastrand::Rng,
    tracked: Vec<Tracked>,
    handed: Vec<Handed>,
    /// Every item a download planned: its final path and the listed hash.
    planned: HashMap<PathBuf, Option<String>>,
    /// Every letter: its address and whether it was reported sent.
    letters: Vec<(String, bool)>,
    /// Routes that may still hold faults queued in an earlier round.
    dirty: HashSet<&'static str>,
    star_dirty: bool,
    next_title: usize,
    next_file: usize,
    next_student: usize,
    tally: Tally,
}

// ---------------------------------------------------------------------------------------
// Set-up

async fn emulator() -> Emulator {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Emulator::start(
        "127.0.0.1:0".parse().expect("address"),
        EmulatorOptions {
            seed: Seed::Empty,
            ..Default::default()
        },
    )
    .await
    .expect("emulator starts")
}

fn dropbox(emu: &Emulator) -> Dropbox {
    let settings = ClientSettings {
        api_base: Some(emu.base_url().to_owned()),
        connect_timeout: REQUEST_TIMEOUT,
        request_timeout: REQUEST_TIMEOUT,
        retry: policy(),
        ..ClientSettings::default()
    };
    Dropbox::new(settings, emu.token().to_owned()).expect("client")
}

fn smtp_mailer(port: u16) -> Mailer {
    let config = MailConfig {
        transport: MailTransport::Smtp,
        smtp_host: Some("127.0.0.1".to_owned()),
        smtp_port: port,
        smtp_security: SmtpSecurity::None,
        from: Some("Prof. Grace Hopper <grace@example.edu>".to_owned()),
        pause_ms: 0,
        ..MailConfig::default()
    };
    Mailer::from_config(&config, None).expect("valid mail settings")
}

/// Bytes no other file has: a numbered line, then seeded noise.
fn content(number: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let len = match rng.u32(0..100) {
        0..=1 => 4 * 1024 * 1024 + rng.usize(1..100_000),
        2..=14 => rng.usize(100_000..400_000),
        15..=19 => 0,
        _ => rng.usize(1..60_000),
    };
    let mut bytes = format!("soak file {number}\n").into_bytes();
    let start = bytes.len();
    bytes.resize(start + len, 0);
    rng.fill(&mut bytes[start..]);
    bytes
}

const STUDENTS: [&str; 6] = [
    "Ada Lovelace",
    "Alan Turing",
    "Zoë Ångström",
    "Grace Hopper",
    "José Müller",
    "Edsger Dijkstra",
];

impl Soak {
    async fn new(emu: Emulator, downloads: PathBuf) -> Soak {
        let smtp = SmtpServer::start(smtp::Options {
            refuse: REFUSED.iter().map(|s| (*s).to_owned()).collect(),
            ..smtp::Options::default()
        });
        let mailer = Arc::new(smtp_mailer(smtp.port()));
        let mailer_down = Arc::new(smtp_mailer(smtp::closed_port()));
        let dropbox = dropbox(&emu);
        let mut soak = Soak {
            emu: Arc::new(emu),
            dropbox,
            mailer,
            mailer_down,
            smtp,
            downloads,
            rng: fastrand::Rng::with_seed(seed()),
            tracked: Vec::new(),
            handed: Vec::new(),
            planned: HashMap::new(),
            letters: Vec::new(),
            dirty: HashSet::new(),
            star_dirty: false,
            next_title: 0,
            next_file: 0,
            next_student: 0,
            tally: Tally::default(),
        };
        // A few requests with files before any fault, one of them the long poll's.
        for n in 0..6 {
            let title = soak.new_title();
            let request = soak
                .dropbox
                .create_request(CreateFileRequestArgs::new(
                    title.clone(),
                    format!("{ROOT}/{title}"),
                ))
                .await
                .expect("created before any fault");
            soak.tracked.push(Tracked {
                title,
                request: Some(request),
                create_ok: true,
                anchor: n == 0,
                ..Tracked::default()
            });
            for _ in 0..3 {
                soak.hand_in(soak.tracked.len() - 1);
            }
        }
        soak
    }

    fn new_title(&mut self) -> String {
        self.next_title += 1;
        format!("Soak {:04}", self.next_title)
    }

    /// A student uploads a fresh file to request `index`, if it takes uploads.
    fn hand_in(&mut self, index: usize) -> Option<FileMetadata> {
        let (submission, hash) = self.upload(index)?;
        // A request closed by a change whose answer was lost refuses: that is fine.
        let metadata = self.emu.submit(submission).ok()?;
        self.handed_in(index, &metadata, hash);
        Some(metadata)
    }

    /// A fresh file for request `index`, and its content hash.
    fn upload(&mut self, index: usize) -> Option<(Submission, String)> {
        let id = self.tracked[index].id()?.to_owned();
        self.next_file += 1;
        let bytes = content(self.next_file, &mut self.rng);
        let student = STUDENTS[self.rng.usize(..STUDENTS.len())];
        let hash = content_hash(&bytes);
        let submission = Submission {
            request_id: id,
            student_name: (self.rng.u8(..10) != 0).then(|| student.to_owned()),
            file_name: format!("work {}.pdf", self.next_file),
            content: bytes,
            at: None,
        };
        Some((submission, hash))
    }

    fn handed_in(&mut self, index: usize, metadata: &FileMetadata, hash: String) {
        self.tracked[index].files += 1;
        self.handed.push(Handed {
            metadata: metadata.clone(),
            hash,
        });
    }

    fn pick(&mut self, fits: impl Fn(&Tracked) -> bool) -> Option<usize> {
        let fitting: Vec<usize> = (0..self.tracked.len())
            .filter(|&i| self.tracked[i].request.is_some() && fits(&self.tracked[i]))
            .collect();
        (!fitting.is_empty()).then(|| fitting[self.rng.usize(..fitting.len())])
    }

    fn by_title(&self, title: &str) -> Option<usize> {
        self.tracked.iter().position(|t| t.title == title)
    }

    /// Learns ids from a listing: a create reported failed may have happened after all.
    fn learn(&mut self, requests: &[FileRequest]) {
        for request in requests {
            if let Some(index) = self.by_title(&request.title) {
                let tracked = &mut self.tracked[index];
                if tracked.request.is_none() {
                    tracked.request = Some(request.clone());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// One round

/// One call an operation made: what it was, how long it took, how long it may take.
type Timed = (&'static str, Duration, Duration);

/// What an operation came to, handed back from its task.
enum Done {
    List(Result<Vec<FileRequest>, DropboxError>),
    Create(Result<FileRequest, DropboxError>),
    Update(Result<FileRequest, DropboxError>),
    Delete(Result<Vec<FileRequest>, DropboxError>),
    ListFiles(Result<(Vec<Metadata>, String), DropboxError>),
    Longpoll {
        uploaded: Option<Box<FileMetadata>>,
        result: Result<(Vec<Metadata>, String), DropboxError>,
    },
    Download {
        plan: Result<Vec<Item>, DropboxError>,
        summary: Option<Summary>,
    },
    Mail {
        get: Result<FileRequest, DropboxError>,
        deliveries: Vec<(String, Delivery)>,
    },
}

/// The operation a round runs, with what it needs.
enum Planned {
    List,
    Create {
        index: usize,
    },
    Update {
        index: usize,
        description: String,
    },
    Close {
        index: usize,
    },
    Delete {
        index: usize,
    },
    ListFiles,
    Longpoll {
        /// Handed in to the anchor after the cursor is taken, before the poll.
        upload: Submission,
        hash: String,
        anchor: usize,
    },
    Download {
        index: usize,
    },
    Mail {
        index: usize,
        to: Vec<String>,
        /// Sent to a port nothing listens on.
        down: bool,
    },
}

impl Soak {
    fn plan(&mut self, op: Op) -> Option<Planned> {
        Some(match op {
            Op::List => Planned::List,
            Op::Create => {
                let title = self.new_title();
                self.tracked.push(Tracked {
                    title,
                    ..Tracked::default()
                });
                Planned::Create {
                    index: self.tracked.len() - 1,
                }
            }
            Op::Update => {
                let index = self.pick(|t| !t.delete_ok)?;
                let description = format!("Revision {}", self.rng.u32(..1_000_000));
                Planned::Update { index, description }
            }
            Op::Close => Planned::Close {
                index: self.pick(|t| !t.anchor && !t.close_ok && !t.delete_tried)?,
            },
            Op::Delete => {
                let index = if self.rng.u8(..5) > 0 {
                    self.pick(|t| t.close_ok && !t.delete_tried)
                } else {
                    None
                };
                let index = match index {
                    Some(index) => index,
                    None => self.pick(|t| !t.anchor && !t.delete_ok)?,
                };
                Planned::Delete { index }
            }
            Op::ListFiles => Planned::ListFiles,
            Op::Longpoll => {
                let anchor = self.tracked.iter().position(|t| t.anchor)?;
                let (upload, hash) = self.upload(anchor)?;
                Planned::Longpoll {
                    upload,
                    hash,
                    anchor,
                }
            }
            Op::Download => Planned::Download {
                index: self.pick(|t| t.files > 0)?,
            },
            Op::Mail => {
                let index = self.pick(|_| true)?;
                let to = (0..self.rng.usize(1..=3))
                    .map(|_| {
                        if self.rng.u8(..8) == 0 {
                            REFUSED[self.rng.usize(..REFUSED.len())].to_owned()
                        } else {
                            self.next_student += 1;
                            format!("student{}@example.edu", self.next_student)
                        }
                    })
                    .collect();
                let down = self.rng.u8(..10) == 0;
                if down {
                    self.tally.fault(FaultKind::SmtpDown, 1);
                }
                Planned::Mail { index, to, down }
            }
        })
    }

    /// Queues faults for the operation's routes; returns them per route.
    fn inject(&mut self, op: Op) -> HashMap<&'static str, Vec<(Fault, u32)>> {
        let mut injected: HashMap<&'static str, Vec<(Fault, u32)>> = HashMap::new();
        if self.rng.f64() >= FAULT_CHANCE {
            return injected;
        }
        let times = if self.rng.u8(..6) == 0 { 2 } else { 1 };
        for _ in 0..times {
            let routes = op.routes();
            let route = if self.rng.u8(..3) == 0 {
                routes[self.rng.usize(..routes.len())]
            } else {
                routes[0]
            };
            let route = if self.rng.u8(..25) == 0 { "*" } else { route };
            let kind = FaultKind::pick(&mut self.rng);
            let fault = kind.fault(route, &mut self.rng);
            let count = kind.count(route, &mut self.rng);
            self.emu.inject_fault(route, fault.clone(), count);
            self.tally.fault(kind, count);
            injected.entry(route).or_default().push((fault, count));
        }
        injected
    }

    async fn round(&mut self, op: Op) {
        let Some(planned) = self.plan(op) else {
            return;
        };
        let primary = op.routes()[0];
        let clean = !self.dirty.contains(primary) && !self.star_dirty;
        let injected = self.inject(op);
        let expected = if clean && op.single_call() && !injected.contains_key("*") {
            foreseen(
                injected.get(primary).map_or(&[][..], Vec::as_slice),
                read_only(primary),
            )
        } else {
            None
        };
        for route in injected.keys() {
            if *route == "*" {
                self.star_dirty = true;
            } else {
                self.dirty.insert(route);
            }
        }

        let allowed = self.state_allows(&planned);
        let task = self.spawn(&planned);
        let started = Instant::now();
        let joined = tokio::time::timeout(HANG, task).await;
        let took = started.elapsed();
        let (done, calls) = match joined {
            Err(_) => {
                self.tally
                    .panics
                    .push(format!("{} did not end within {HANG:?}", op.name()));
                return;
            }
            Ok(Err(error)) => {
                let how = if error.is_panic() {
                    "panicked"
                } else {
                    "was cancelled"
                };
                self.tally
                    .panics
                    .push(format!("{} {how}: {error}", op.name()));
                return;
            }
            Ok(Ok(done)) => done,
        };
        for (what, call, bound) in calls {
            self.tally.call_took(op, what, call, bound);
        }
        self.tally.call_took(op, "whole operation", took, HANG);
        let ok = self.record(op, &planned, done);
        let entry = self.tally.runs.entry(op).or_default();
        if ok.overall {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }

        if let (Some((expected, left)), Some(primary_ok)) = (expected, ok.primary) {
            self.tally.foreseen_checked += 1;
            if injected.contains_key(primary) {
                self.tally.foreseen_faulted += 1;
            }
            if expected == primary_ok && left == 0 {
                // Every fault queued for the route was used, as foreseen.
                self.dirty.remove(primary);
            }
            let slow = injected
                .get(primary)
                .is_some_and(|faults| faults.iter().any(|(f, _)| matches!(f, Fault::Delay(_))));
            // A timeout without a slow fault is the machine's load, not the retries'.
            let load = ok.timed_out && !slow;
            if expected != primary_ok && (primary_ok || allowed) && !load {
                self.tally.retries.push(format!(
                    "{}: faults {:?} should have made it {}, it {}",
                    op.name(),
                    injected.get(primary),
                    if expected { "succeed" } else { "fail" },
                    if primary_ok { "succeeded" } else { "failed" },
                ));
            }
        }
        // A call that got through found its route's queue (and the `*` queue) empty.
        for route in ok.clean {
            self.dirty.remove(route);
            self.star_dirty = false;
        }
    }

    /// Whether the account, without any fault, lets the operation succeed.
    fn state_allows(&self, planned: &Planned) -> bool {
        match planned {
            Planned::Update { index, .. }
            | Planned::Close { index }
            | Planned::Mail { index, .. } => !self.tracked[*index].delete_tried,
            Planned::Delete { index } => {
                let t = &self.tracked[*index];
                t.close_ok && !t.delete_tried
            }
            _ => true,
        }
    }

    /// Runs the operation in a task of its own, so that a panic shows as one.
    fn spawn(&self, planned: &Planned) -> tokio::task::JoinHandle<(Done, Vec<Timed>)> {
        let dropbox = self.dropbox.clone();
        let bound = call_bound();
        let id = |index: &usize| self.tracked[*index].id().unwrap_or_default().to_owned();
        macro_rules! one_call {
            ($what:expr, $variant:ident, $call:expr) => {
                tokio::spawn(async move {
                    let started = Instant::now();
                    let result = $call.await;
                    (
                        Done::$variant(result),
                        vec![($what, started.elapsed(), bound)],
                    )
                })
            };
        }
        match planned {
            Planned::List => one_call!("list_requests", List, dropbox.list_requests()),
            Planned::Create { index } => {
                let title = self.tracked[*index].title.clone();
                let args = CreateFileRequestArgs::new(title.clone(), format!("{ROOT}/{title}"));
                one_call!("create_request", Create, dropbox.create_request(args))
            }
            Planned::Update { index, description } => {
                let args =
                    UpdateFileRequestArgs::new(id(index)).with_description(description.clone());
                one_call!("update_request", Update, dropbox.update_request(args))
            }
            Planned::Close { index } => {
                let args = UpdateFileRequestArgs::new(id(index)).with_open(false);
                one_call!("update_request", Update, dropbox.update_request(args))
            }
            Planned::Delete { index } => {
                let ids = vec![id(index)];
                one_call!("delete_requests", Delete, dropbox.delete_requests(ids))
            }
            Planned::ListFiles => {
                one_call!(
                    "list_folder_all",
                    ListFiles,
                    dropbox.list_folder_all(ROOT, true)
                )
            }
            Planned::Longpoll { upload, .. } => {
                let emu = Arc::clone(&self.emu);
                let upload = upload.clone();
                tokio::spawn(async move {
                    let started = Instant::now();
                    let cursor = dropbox.latest_cursor(ROOT, true).await;
                    let mut calls = vec![("latest_cursor", started.elapsed(), bound)];
                    // A student hands in after the cursor, before the poll: it answers at
                    // once.
                    let uploaded = emu.submit(upload).ok().map(Box::new);
                    let result = match cursor {
                        Ok(cursor) if uploaded.is_some() => {
                            let started = Instant::now();
                            let result = dropbox.wait_for_changes(&cursor, 30).await;
                            calls.push(("wait_for_changes", started.elapsed(), bound * 2));
                            result
                        }
                        Ok(_) => panic!("the anchor request refused an upload"),
                        Err(error) => Err(error),
                    };
                    (Done::Longpoll { uploaded, result }, calls)
                })
            }
            Planned::Download { index } => {
                let request = self.tracked[*index]
                    .request
                    .clone()
                    .expect("picked with one");
                let root = self.downloads.clone();
                tokio::spawn(async move {
                    let started = Instant::now();
                    let plan = download::plan_request(
                        &dropbox,
                        &request,
                        &root,
                        ROOT,
                        &Assignments::default(),
                        None,
                    )
                    .await;
                    let mut calls = vec![("plan_request", started.elapsed(), bound)];
                    let summary = match &plan {
                        Ok(items) => {
                            // Per file: every try one call, and the pauses between them.
                            let per_file =
                                (bound + Duration::from_millis(300)) * DOWNLOAD_ATTEMPTS + SLACK;
                            let files = u32::try_from(items.len()).unwrap_or(u32::MAX);
                            let run_bound =
                                per_file * files.div_ceil(DOWNLOAD_CONCURRENCY as u32) + per_file;
                            let started = Instant::now();
                            let summary = download::run(
                                &dropbox,
                                items.clone(),
                                &Options {
                                    concurrency: DOWNLOAD_CONCURRENCY,
                                    attempts: DOWNLOAD_ATTEMPTS,
                                },
                                &Progress::new(),
                                &Cancel::new(),
                            )
                            .await;
                            calls.push(("download::run", started.elapsed(), run_bound));
                            Some(summary)
                        }
                        Err(_) => None,
                    };
                    (Done::Download { plan, summary }, calls)
                })
            }
            Planned::Mail { index, to, down } => {
                let id = id(index);
                let to = to.clone();
                let mailer = if *down {
                    Arc::clone(&self.mailer_down)
                } else {
                    Arc::clone(&self.mailer)
                };
                tokio::spawn(async move {
                    let started = Instant::now();
                    let get = dropbox.get_request(&id).await;
                    let mut calls = vec![("get_request", started.elapsed(), bound)];
                    let mut deliveries = Vec::new();
                    if let Ok(request) = &get {
                        let values = Values {
                            title: request.title.clone(),
                            url: request.url.clone(),
                            deadline: "none".to_owned(),
                            grace: String::new(),
                            description: String::new(),
                            course: "Soak".to_owned(),
                            professor: "Prof. Grace Hopper".to_owned(),
                        };
                        let recipients: Vec<Recipient> = to
                            .iter()
                            .map(|email| Recipient {
                                name: "A Student".to_owned(),
                                email: email.clone(),
                            })
                            .collect();
                        let letters = mail::letters(
                            &Templates::defaults(),
                            Kind::Invite,
                            &values,
                            &recipients,
                        )
                        .expect("the default templates fill");
                        let started = Instant::now();
                        for letter in &letters {
                            deliveries
                                .push((letter.recipient.email.clone(), mailer.send(letter).await));
                        }
                        calls.push(("Mailer::send", started.elapsed(), SLACK * 2));
                    }
                    (Done::Mail { get, deliveries }, calls)
                })
            }
        }
    }
}

/// How an operation went: as a whole, its primary call, and the routes shown clean.
struct Ended {
    overall: bool,
    primary: Option<bool>,
    /// The primary call ran out of time: on a machine this loaded, that can happen
    /// without a slow fault, so it proves nothing about retries.
    timed_out: bool,
    clean: Vec<&'static str>,
}

impl Ended {
    fn of<T>(result: &Result<T, DropboxError>, op: Op) -> Ended {
        let ok = result.is_ok();
        Ended {
            overall: ok,
            primary: Some(ok),
            timed_out: result
                .as_ref()
                .is_err_and(|error| error.detail().contains("did not answer within")),
            clean: if ok { op.routes().to_vec() } else { Vec::new() },
        }
    }
}

impl Soak {
    /// Updates what the soak knows from what an operation reported, and checks it.
    fn record(&mut self, op: Op, planned: &Planned, done: Done) -> Ended {
        match (planned, done) {
            (Planned::List, Done::List(result)) => {
                let ended = Ended::of(&result, op);
                match result {
                    Ok(requests) => {
                        self.learn(&requests);
                        let mut ids = HashSet::new();
                        for request in &requests {
                            if !ids.insert(request.id.clone()) {
                                self.tally
                                    .duplicates
                                    .push(format!("list_requests shows {} twice", request.id));
                            }
                        }
                        for t in &self.tracked {
                            if t.create_ok
                                && !t.delete_tried
                                && !requests.iter().any(|r| r.title == t.title)
                            {
                                self.tally.lost.push(format!(
                                    "{} (created) is missing from list_requests",
                                    t.title
                                ));
                            }
                        }
                    }
                    Err(error) => self.tally.dropbox_failure(op, &error),
                }
                ended
            }
            (Planned::Create { index }, Done::Create(result)) => {
                let ended = Ended::of(&result, op);
                match result {
                    Ok(request) => {
                        let tracked = &mut self.tracked[*index];
                        if request.title != tracked.title {
                            self.tally.lost.push(format!(
                                "create {} answered with {}",
                                tracked.title, request.title
                            ));
                        }
                        tracked.create_ok = true;
                        tracked.request = Some(request);
                        // Students start handing in.
                        for _ in 0..self.rng.usize(0..=2) {
                            self.hand_in(*index);
                        }
                    }
                    Err(error) => self.tally.dropbox_failure(op, &error),
                }
                ended
            }
            (Planned::Update { index, description }, Done::Update(result)) => {
                let ended = Ended::of(&result, op);
                let tracked = &mut self.tracked[*index];
                tracked.descriptions.push(description.clone());
                tracked.last_update = Some((description.clone(), result.is_ok()));
                match result {
                    Ok(request) => {
                        if request.description.as_deref() != Some(description.as_str()) {
                            self.tally.lost.push(format!(
                                "update of {} answered with description {:?}",
                                tracked.title, request.description
                            ));
                        }
                        tracked.request = Some(request);
                    }
                    Err(error) => {
                        tracked.update_failed = true;
                        self.tally.dropbox_failure(op, &error);
                    }
                }
                ended
            }
            (Planned::Close { index }, Done::Update(result)) => {
                let ended = Ended::of(&result, op);
                let tracked = &mut self.tracked[*index];
                tracked.close_tried = true;
                match result {
                    Ok(request) => {
                        if request.is_open {
                            self.tally
                                .lost
                                .push(format!("closing {} left it open", tracked.title));
                        }
                        tracked.close_ok = true;
                        tracked.request = Some(request);
                    }
                    Err(error) => self.tally.dropbox_failure(op, &error),
                }
                ended
            }
            (Planned::Delete { index }, Done::Delete(result)) => {
                let ended = Ended::of(&result, op);
                let tracked = &mut self.tracked[*index];
                tracked.delete_tried = true;
                match result {
                    Ok(deleted) => {
                        if deleted.len() != 1 || Some(deleted[0].id.as_str()) != tracked.id() {
                            self.tally.lost.push(format!(
                                "deleting {} answered with {} requests",
                                tracked.title,
                                deleted.len()
                            ));
                        }
                        tracked.delete_ok = true;
                    }
                    Err(error) => self.tally.dropbox_failure(op, &error),
                }
                ended
            }
            (Planned::ListFiles, Done::ListFiles(result)) => {
                let ended = Ended::of(&result, op);
                match result {
                    Ok((entries, _)) => self.check_listing(&entries, "list_folder_all"),
                    Err(error) => self.tally.dropbox_failure(op, &error),
                }
                ended
            }
            (Planned::Longpoll { hash, anchor, .. }, Done::Longpoll { uploaded, result }) => {
                let uploaded = uploaded.expect("the anchor takes uploads");
                self.handed_in(*anchor, &uploaded, hash.clone());
                let ended = Ended {
                    overall: result.is_ok(),
                    primary: None,
                    timed_out: false,
                    clean: if result.is_ok() {
                        op.routes().to_vec()
                    } else {
                        Vec::new()
                    },
                };
                match result {
                    Ok((changes, _)) => {
                        let seen = changes.iter().any(
                            |entry| matches!(entry, Metadata::File(file) if file.id == uploaded.id),
                        );
                        if !seen {
                            self.tally.lost.push(format!(
                                "the long poll's changes miss {:?}",
                                uploaded.path_display
                            ));
                        }
                    }
                    Err(error) => self.tally.dropbox_failure(op, &error),
                }
                ended
            }
            (Planned::Download { .. }, Done::Download { plan, summary }) => {
                self.record_download(op, plan, summary)
            }
            (Planned::Mail { down, .. }, Done::Mail { get, deliveries }) => {
                let mut ended = Ended::of(&get, op);
                if let Err(error) = &get {
                    self.tally.dropbox_failure(op, error);
                }
                for (email, delivery) in deliveries {
                    let refused = REFUSED.contains(&email.as_str()) && !down;
                    let received = self.received(&email);
                    match &delivery {
                        Delivery::Sent => {
                            self.tally.letters_sent += 1;
                            if refused {
                                self.tally
                                    .lost
                                    .push(format!("a letter to {email} (refused) was called sent"));
                            }
                            if received != 1 {
                                self.tally.lost.push(format!(
                                    "the letter to {email} was reported sent and arrived {received} times"
                                ));
                            }
                        }
                        Delivery::Failed(reason) | Delivery::Skipped(reason) => {
                            ended.overall = false;
                            if refused {
                                self.tally.letters_refused += 1;
                                if !reason.contains("550") {
                                    self.tally.unclear.push(format!(
                                        "the refusal of {email} does not give the server's reply: {reason}"
                                    ));
                                }
                                self.tally.fault(FaultKind::SmtpRefused, 1);
                            }
                            if received > 1 {
                                self.tally.duplicates.push(format!(
                                    "the letter to {email} was reported failed and arrived {received} times"
                                ));
                            }
                            self.tally.failure(op, reason);
                        }
                    }
                    self.letters.push((email, delivery.is_sent()));
                }
                ended
            }
            _ => unreachable!("each plan has its own outcome"),
        }
    }

    fn received(&self, email: &str) -> usize {
        self.smtp
            .messages()
            .iter()
            .filter(|message| message.to.iter().any(|to| to.eq_ignore_ascii_case(email)))
            .count()
    }

    fn record_download(
        &mut self,
        op: Op,
        plan: Result<Vec<Item>, DropboxError>,
        summary: Option<Summary>,
    ) -> Ended {
        let mut ended = Ended {
            overall: false,
            primary: None,
            timed_out: false,
            clean: Vec::new(),
        };
        let items = match plan {
            Ok(items) => items,
            Err(error) => {
                self.tally.dropbox_failure(op, &error);
                return ended;
            }
        };
        ended.clean.push("files/list_folder");
        for item in &items {
            self.planned
                .insert(item.local.clone(), item.content_hash.clone());
        }
        let summary = summary.expect("a plan is run");
        ended.overall = summary.failed() == 0 && !summary.cancelled;
        for (item, outcome) in &summary.outcomes {
            match outcome {
                download::Outcome::Downloaded { .. } | download::Outcome::Skipped => {
                    if matches!(outcome, download::Outcome::Downloaded { .. }) {
                        ended.clean.push("files/download");
                    }
                    match verify(item) {
                        Ok(()) => self.tally.downloads_verified += 1,
                        Err(why) => self
                            .tally
                            .lost
                            .push(format!("{} was reported downloaded but {why}", item.label)),
                    }
                }
                download::Outcome::Failed { reason } => self.tally.failure(op, reason),
                download::Outcome::Cancelled => self.tally.lost.push(format!(
                    "{} was cancelled though nobody cancelled",
                    item.label
                )),
            }
        }
        ended
    }

    /// Every file handed in before is in a listing of the root, once.
    fn check_listing(&mut self, entries: &[Metadata], what: &str) {
        let mut paths = HashSet::new();
        let mut hashes = HashMap::new();
        for entry in entries {
            if let Metadata::File(file) = entry {
                if !paths.insert(file.path_lower.clone()) {
                    self.tally
                        .duplicates
                        .push(format!("{what} lists {:?} twice", file.path_lower));
                }
                hashes.insert(file.id.clone(), file.content_hash.clone());
            }
        }
        for handed in &self.handed {
            match hashes.get(&handed.metadata.id) {
                Some(Some(hash)) if *hash == handed.hash => {}
                found => self.tally.lost.push(format!(
                    "{what}: {:?} is {found:?}",
                    handed.metadata.path_display
                )),
            }
        }
    }
}

/// The final file is there and has the listed content hash.
fn verify(item: &Item) -> Result<(), String> {
    let bytes = std::fs::read(&item.local).map_err(|e| format!("cannot be read ({e})"))?;
    match &item.content_hash {
        Some(hash) if *hash == content_hash(&bytes) => Ok(()),
        Some(_) => Err("does not match its content hash".to_owned()),
        None => Err("was listed without a content hash".to_owned()),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The end: the emulator's own state

impl Soak {
    fn final_checks(&mut self) -> (usize, usize) {
        let snapshot = self.emu.snapshot_json();
        let requests = snapshot["file_requests"].as_array().expect("requests");
        let mut by_title: HashMap<&str, Vec<&serde_json::Value>> = HashMap::new();
        let mut ids = HashSet::new();
        for request in requests {
            let title = request["title"].as_str().unwrap_or_default();
            by_title.entry(title).or_default().push(request);
            let id = request["id"].as_str().unwrap_or_default();
            if !ids.insert(id) {
                self.tally.duplicates.push(format!("request id {id} twice"));
            }
        }
        for (title, found) in &by_title {
            if found.len() > 1 {
                self.tally
                    .duplicates
                    .push(format!("{} requests titled {title:?}", found.len()));
            }
            if self.tracked.iter().all(|t| t.title != *title) {
                self.tally
                    .duplicates
                    .push(format!("a request titled {title:?} nobody asked for"));
            }
        }
        for t in &self.tracked {
            let found = by_title.get(t.title.as_str()).map_or(0, Vec::len);
            let expected = if t.delete_ok {
                0..=0
            } else if t.create_ok && !t.delete_tried {
                1..=1
            } else {
                0..=1
            };
            if !expected.contains(&found) {
                self.tally.lost.push(format!(
                    "{} exists {found} times (created: {}, deleted: {}, tried: {})",
                    t.title, t.create_ok, t.delete_ok, t.delete_tried
                ));
            }
            let Some(request) = by_title.get(t.title.as_str()).and_then(|f| f.first()) else {
                continue;
            };
            if t.close_ok && request["is_open"].as_bool() != Some(false) {
                self.tally
                    .lost
                    .push(format!("{} was closed and is open again", t.title));
            }
            let description = request["description"].as_str();
            if let Some(description) = description
                && !t.descriptions.iter().any(|d| d == description)
            {
                self.tally.lost.push(format!(
                    "{} has a description nobody set: {description:?}",
                    t.title
                ));
            }
            if let Some((last, true)) = &t.last_update
                && !t.update_failed
                && description != Some(last.as_str())
            {
                self.tally.lost.push(format!(
                    "{} lost its description {last:?} for {description:?}",
                    t.title
                ));
            }
        }

        // Every file a student handed in is still there, with its bytes' hash.
        let entries = snapshot["entries"].as_array().expect("entries");
        let files: HashMap<&str, &serde_json::Value> = entries
            .iter()
            .filter(|e| e[".tag"] == "file")
            .map(|e| (e["id"].as_str().unwrap_or_default(), e))
            .collect();
        for handed in &self.handed {
            let hash = files
                .get(handed.metadata.id.as_str())
                .and_then(|e| e["content_hash"].as_str());
            if hash != Some(handed.hash.as_str()) {
                self.tally.lost.push(format!(
                    "{:?} is {hash:?} in the emulator",
                    handed.metadata.path_display
                ));
            }
        }
        let handed_hashes: HashSet<&str> = self.handed.iter().map(|h| h.hash.as_str()).collect();

        // The download folder: verified files under final names, partial bytes in .part.
        let mut on_disk = Vec::new();
        walk(&self.downloads, &mut on_disk);
        let mut parts = 0;
        let mut finals = 0;
        for path in on_disk {
            if path.extension().is_some_and(|e| e == "part") {
                parts += 1;
                continue;
            }
            finals += 1;
            let actual = std::fs::read(&path).map(|b| content_hash(&b));
            match (self.planned.get(&path), actual) {
                (Some(Some(listed)), Ok(actual))
                    if *listed == actual && handed_hashes.contains(actual.as_str()) => {}
                (planned, actual) => self.tally.lost.push(format!(
                    "{} is on disk as {actual:?}, planned as {planned:?}",
                    path.display()
                )),
            }
        }

        // Mail: what was reported sent arrived once; nothing else arrived.
        let messages = self.smtp.messages();
        for (email, sent) in &self.letters {
            let arrived = messages
                .iter()
                .filter(|m| m.to.iter().any(|to| to.eq_ignore_ascii_case(email)))
                .count();
            if *sent && arrived != 1 {
                self.tally
                    .lost
                    .push(format!("{email}: reported sent, arrived {arrived} times"));
            }
            if !*sent && REFUSED.contains(&email.as_str()) && arrived > 0 {
                self.tally
                    .duplicates
                    .push(format!("{email} was refused and still got mail"));
            }
        }
        let sent = self.letters.iter().filter(|(_, sent)| *sent).count();
        if messages.len() != sent {
            self.tally.duplicates.push(format!(
                "{} messages arrived for {sent} letters reported sent",
                messages.len()
            ));
        }
        (finals, parts)
    }
}

// ---------------------------------------------------------------------------------------
// The soak

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_survives_random_faults_and_nothing_is_lost() {
    let started = Instant::now();
    let emu = emulator().await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let mut soak = Soak::new(emu, folder.path().to_owned()).await;
    let mut rng = fastrand::Rng::with_seed(seed() ^ 0xA5A5);
    for _ in 0..ROUNDS {
        let op = Op::pick(&mut rng);
        soak.round(op).await;
        // Now and then a student hands in between two operations.
        if rng.u8(..4) == 0
            && let Some(index) = soak.pick(|t| !t.close_tried && !t.delete_tried)
        {
            soak.hand_in(index);
        }
    }
    let (finals, parts) = soak.final_checks();
    let tally = &soak.tally;
    let runs: usize = tally.runs.values().map(|(ok, failed)| ok + failed).sum();
    let faults: u32 = tally.faults.values().sum();
    let mut report = String::new();
    report.push_str(&format!(
        "\nfault soak: seed {}, {ROUNDS} rounds, {:.1} s\n",
        seed(),
        started.elapsed().as_secs_f64()
    ));
    report.push_str(&format!(
        "{:<22}{:>6}{:>6}{:>8}\n",
        "operation", "runs", "ok", "failed"
    ));
    for (op, (ok, failed)) in &tally.runs {
        report.push_str(&format!(
            "{:<22}{:>6}{:>6}{:>8}\n",
            op.name(),
            ok + failed,
            ok,
            failed
        ));
    }
    report.push_str(&format!("{:<22}{runs:>6}\n", "operations run"));
    report.push_str(&format!("{:<22}{:>6}\n", "fault", "count"));
    for (kind, count) in &tally.faults {
        report.push_str(&format!("{:<22}{count:>6}\n", kind.name()));
    }
    report.push_str(&format!("{:<22}{faults:>6}\n", "faults injected"));
    report.push_str(&format!(
        "failures reported      {} ({} distinct sentences)\n",
        tally.failures,
        tally.sentences.len()
    ));
    for (sentence, count) in &tally.sentences {
        let shown: String = sentence.chars().take(100).collect();
        report.push_str(&format!("  {count:>4} x {shown}\n"));
    }
    report.push_str(&format!(
        "retry outcomes foreseen {} ({} under faults); slowest call {:.2} s (bound {:.1} s)\n",
        tally.foreseen_checked,
        tally.foreseen_faulted,
        tally.slowest_call.as_secs_f64(),
        call_bound().as_secs_f64()
    ));
    report.push_str(&format!(
        "requests tracked {}, files handed in {}, downloads verified {}, on disk {finals} final + {parts} .part\n",
        soak.tracked.len(),
        soak.handed.len(),
        tally.downloads_verified
    ));
    report.push_str(&format!(
        "letters sent {}, refusals reported {}\n",
        tally.letters_sent, tally.letters_refused
    ));
    report.push_str(&format!(
        "panics/hangs {}, unclear errors {}, over time {}, retry rules broken {}, duplicates {}\n",
        tally.panics.len(),
        tally.unclear.len(),
        tally.too_slow.len(),
        tally.retries.len(),
        tally.duplicates.len()
    ));
    report.push_str(&format!("data lost              {}\n", tally.lost.len()));
    println!("{report}");
    for problem in tally
        .panics
        .iter()
        .chain(&tally.unclear)
        .chain(&tally.too_slow)
        .chain(&tally.retries)
        .chain(&tally.duplicates)
        .chain(&tally.lost)
    {
        println!("PROBLEM: {problem}");
    }
    assert!(runs >= 250, "only {runs} operations ran");
    assert!(faults >= 150, "only {faults} faults were injected");
    assert_eq!(tally.lost.len(), 0, "data lost");
    assert_eq!(tally.problems(), 0, "problems found; see above");
}
