//! Download throughput and memory, against the emulator on loopback in this process.
//!
//! Measured in one run, on the same files and the same `Dropbox` client:
//! - the engine (`download::run`, 6 files at once) against a one-file-at-a-time loop that
//!   does the same work per file (download, stream to a `.part`, hash with
//!   `ContentHasher`, fsync, compare with Dropbox's hash, rename);
//! - on 1,000 files of 256 KiB and on 20 files of 40 MiB;
//! - with no latency (loopback) and with 30 ms per call, about what a call to Dropbox
//!   costs from a European or American campus.
//!
//! Then the real `handin download` binary, as a child process, downloads the large files
//! from this process's emulator, and its peak resident memory is read with `wait4` (the
//! emulator holds 800 MB of files here, so this process's own peak says nothing).
//!
//! Targets: the engine at least 4x the loop on small files (at a realistic latency);
//! `handin download` under 64 MB resident while downloading the large files.
//!
//! Run with `cargo bench --bench download` (add `-- --quick` for 100 small files and 4
//! large ones).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::AsyncReadExt as _;
use handin::download::{self, Cancel, Item, Options, Progress};
use handin::dropbox::content_hash::ContentHasher;
use handin::dropbox::{ClientSettings, CreateFileRequestArgs, Dropbox, FileRequest};
use handin::emulator::{Emulator, EmulatorOptions, Seed, Submission};
use handin::size::human_bytes;
use handin::submissions::Assignments;
use tokio::io::AsyncWriteExt as _;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// What Dropbox costs per call, besides the bytes.
const REALISTIC_LATENCY: Duration = Duration::from_millis(30);

const ENGINE_CONCURRENCY: usize = 6;
const SMALL_SPEED_UP_TARGET: f64 = 4.0;
const PEAK_RSS_TARGET: u64 = 64 * 1000 * 1000;

struct Set {
    name: String,
    request: FileRequest,
    files: usize,
}

/// One timed run.
struct Timing {
    elapsed: Duration,
    bytes: u64,
}

impl Timing {
    fn rate(&self) -> f64 {
        self.bytes as f64 / self.elapsed.as_secs_f64()
    }

    fn cell(&self) -> String {
        format!(
            "{:>7.2} s {:>9}/s",
            self.elapsed.as_secs_f64(),
            human_bytes(self.rate() as u64)
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == LAUNCHER) {
        launcher();
        return;
    }
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: measure only
    // when benchmarking so the test suite stays fast.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(bench(quick));
}

async fn bench(quick: bool) {
    let (small_count, large_count) = if quick { (100, 4) } else { (1000, 20) };
    let emulator = Emulator::start(
        ([127, 0, 0, 1], 0).into(),
        EmulatorOptions {
            seed: Seed::Empty,
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("emulator starts");
    let dropbox = Dropbox::new(
        ClientSettings {
            api_base: Some(emulator.base_url().to_owned()),
            ..ClientSettings::default()
        },
        emulator.token().to_owned(),
    )
    .expect("client");
    // Started while this process is still small: see `Launcher`.
    let work = tempfile::tempdir().expect("tempdir");
    let mut launcher = Launcher::start(&emulator, work.path());
    let setting_up = Instant::now();
    let small = upload(&emulator, &dropbox, "Small", small_count, 256 * KIB).await;
    let large = upload(&emulator, &dropbox, "Large", large_count, 40 * MIB).await;
    eprintln!(
        "set up {} + {} files in {:.1} s",
        small.files,
        large.files,
        setting_up.elapsed().as_secs_f64()
    );

    println!();
    println!(
        "handin download: the engine ({ENGINE_CONCURRENCY} at once) against one file at a time, emulator on loopback, {} CPUs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<16} {:>8}   {:<20} {:<20} {:>8}",
        "files", "latency", "one at a time", "engine", "speed-up"
    );
    let mut small_speed_up = Vec::new();
    for set in [&small, &large] {
        for latency in [Duration::ZERO, REALISTIC_LATENCY] {
            emulator.set_latency(latency);
            let root = work.path().join("run");
            let items = plan(&dropbox, &set.request, &root).await;
            let one_by_one = one_at_a_time(&dropbox, &items).await;
            clear(&root);
            let engine = engine(&dropbox, items).await;
            clear(&root);
            let speed_up = one_by_one.elapsed.as_secs_f64() / engine.elapsed.as_secs_f64();
            if std::ptr::eq(set, &small) {
                small_speed_up.push((latency, speed_up));
            }
            println!(
                "{:<16} {:>5} ms   {:<20} {:<20} {:>7.1}x",
                set.name,
                latency.as_millis(),
                one_by_one.cell(),
                engine.cell(),
                speed_up
            );
        }
    }
    emulator.set_latency(Duration::ZERO);

    println!();
    println!("the handin download binary as a child process (concurrency 6, no latency):");
    for set in [&small, &large] {
        let (timing, peak) = launcher.download(&set.request, work.path()).await;
        println!(
            "{:<16} {}   peak resident {}",
            set.name,
            timing.cell(),
            human_bytes(peak)
        );
        if std::ptr::eq(set, &large) {
            let verdict = if peak < PEAK_RSS_TARGET {
                "met"
            } else {
                "MISSED"
            };
            println!(
                "target: peak resident < {} while downloading the large files: {verdict}",
                human_bytes(PEAK_RSS_TARGET)
            );
        }
    }
    for (latency, speed_up) in small_speed_up {
        let verdict = if speed_up >= SMALL_SPEED_UP_TARGET {
            "met"
        } else {
            "missed"
        };
        println!(
            "target: engine >= {SMALL_SPEED_UP_TARGET}x one at a time on small files, {} ms latency: {speed_up:.1}x, {verdict}",
            latency.as_millis()
        );
    }
    emulator.shutdown().await;
}

/// A request with `count` files of `size` random bytes.
async fn upload(
    emulator: &Emulator,
    dropbox: &Dropbox,
    title: &str,
    count: usize,
    size: usize,
) -> Set {
    let request = dropbox
        .create_request(CreateFileRequestArgs::new(
            title.to_owned(),
            format!("/Courses/Bench/{title}"),
        ))
        .await
        .expect("request created");
    let mut rng = fastrand::Rng::with_seed(7);
    let mut content = vec![0u8; size];
    for index in 0..count {
        rng.fill(&mut content);
        emulator
            .submit(Submission {
                request_id: request.id.clone(),
                student_name: Some(format!("Student {}", name_of(index))),
                file_name: format!("work-{index:04}.bin"),
                content: content.clone(),
                at: None,
            })
            .expect("uploaded");
    }
    Set {
        name: format!("{count} x {}", human_size(size)),
        request,
        files: count,
    }
}

/// "Aab", "Aac", ...: letters only, so every file gets a student folder of its own.
fn name_of(index: usize) -> String {
    let letters = |n: usize| (b'a' + (n % 26) as u8) as char;
    format!(
        "A{}{}{}",
        letters(index / 676),
        letters(index / 26),
        letters(index)
    )
}

fn human_size(bytes: usize) -> String {
    if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes / KIB)
    }
}

async fn plan(dropbox: &Dropbox, request: &FileRequest, root: &Path) -> Vec<Item> {
    download::plan_request(
        dropbox,
        request,
        root,
        "/Courses",
        &Assignments::default(),
        None,
    )
    .await
    .expect("planned")
}

fn clear(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
}

async fn engine(dropbox: &Dropbox, items: Vec<Item>) -> Timing {
    let count = items.len();
    let started = Instant::now();
    let summary = download::run(
        dropbox,
        items,
        &Options {
            concurrency: ENGINE_CONCURRENCY,
            attempts: 3,
        },
        &Progress::new(),
        &Cancel::new(),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(summary.downloaded(), count, "{}", summary.headline());
    Timing {
        elapsed,
        bytes: summary.bytes_received,
    }
}

/// The plain way: one file after another, each streamed to its partial file, hashed, synced,
/// checked and renamed.
async fn one_at_a_time(dropbox: &Dropbox, items: &[Item]) -> Timing {
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut buffer = vec![0u8; 64 * KIB];
    for item in items {
        let mut download = dropbox
            .download(&item.remote, None)
            .await
            .expect("download");
        let part = &item.partial;
        for folder in [part.parent(), item.local.parent()].into_iter().flatten() {
            tokio::fs::create_dir_all(folder).await.expect("folder");
        }
        let mut file = tokio::fs::File::create(part).await.expect("part");
        let mut hasher = ContentHasher::new();
        loop {
            let read = download.body.read(&mut buffer).await.expect("body");
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            file.write_all(&buffer[..read]).await.expect("write");
            bytes += read as u64;
        }
        file.flush().await.expect("flush");
        file.sync_all().await.expect("sync");
        drop(file);
        assert_eq!(
            Some(hasher.finish()),
            download.metadata.content_hash,
            "{}",
            item.label
        );
        tokio::fs::rename(part, &item.local).await.expect("rename");
    }
    Timing {
        elapsed: started.elapsed(),
        bytes,
    }
}

/// The argument that turns this binary into the launcher.
const LAUNCHER: &str = "--launch-handin";

/// A small child process that starts `handin download` for us and reports its peak
/// resident memory.
///
/// Not done from here because Linux carries the high-water mark of the process that
/// forks (vfork shares its memory until exec) into the child's `ru_maxrss`: spawned from
/// a bench holding 800 MB of emulated files, handin would seem to use 800 MB. The
/// launcher is started before any file is uploaded, so what it carries over is a few MB.
struct Launcher {
    child: std::process::Child,
    /// `None` once closed, which ends the launcher.
    requests: Option<std::process::ChildStdin>,
    answers: std::io::BufReader<std::process::ChildStdout>,
}

impl Launcher {
    fn start(emulator: &Emulator, work: &Path) -> Launcher {
        let home = work.join("cli");
        std::fs::create_dir_all(&home).expect("home");
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .arg(LAUNCHER)
            .env("HANDIN_API_BASE_FOR_BENCH", emulator.base_url())
            .env("HANDIN_CONFIG", home.join("config.toml"))
            .env("HANDIN_DATA_DIR", home.join("data"))
            .env("HANDIN_TOKEN", emulator.token())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("launcher starts");
        Launcher {
            requests: child.stdin.take(),
            answers: std::io::BufReader::new(child.stdout.take().expect("stdout")),
            child,
        }
    }

    /// `handin download REQUEST --to DIR`: its time and peak resident memory.
    async fn download(&mut self, request: &FileRequest, work: &Path) -> (Timing, u64) {
        use std::io::{BufRead as _, Write as _};
        let target = work.join("cli").join("downloads");
        let line = serde_json::json!([request.id, target]).to_string();
        let requests = self.requests.as_mut().expect("launcher running");
        writeln!(requests, "{line}").expect("launcher listens");
        requests.flush().expect("launcher listens");
        let mut answer = String::new();
        // The launcher's child downloads from the emulator this runtime serves: wait
        // on another thread.
        let answers = &mut self.answers;
        tokio::task::block_in_place(|| answers.read_line(&mut answer)).expect("launcher answers");
        let answer: serde_json::Value = serde_json::from_str(&answer).expect("launcher's JSON");
        assert_eq!(
            answer["code"], 0,
            "handin download failed: {}",
            answer["stderr"]
        );
        let timing = Timing {
            elapsed: Duration::from_secs_f64(answer["seconds"].as_f64().unwrap_or(0.0)),
            bytes: files_size(&target),
        };
        clear(&target);
        (timing, answer["peak_kb"].as_u64().unwrap_or(0) * 1024)
    }
}

impl Drop for Launcher {
    fn drop(&mut self) {
        // It ends at the end of its input.
        drop(self.requests.take());
        let _ = self.child.wait();
    }
}

/// The launcher's side: one JSON line `[request id, target]` in, one JSON line out.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its resource usage"
)]
fn launcher() {
    use std::io::{BufRead as _, Read as _, Write as _};
    let api_base = std::env::var("HANDIN_API_BASE_FOR_BENCH").expect("api base");
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let [request, target]: [String; 2] = serde_json::from_str(&line).expect("a request");
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_handin"))
            .args([
                "download",
                &request,
                "--api-base",
                &api_base,
                "--to",
                &target,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("handin download starts");
        let mut stderr = child.stderr.take().expect("stderr");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let pid = i32::try_from(child.id()).expect("pid");
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child, which nothing else reaps.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(waited, pid, "wait4 failed");
        let seconds = started.elapsed().as_secs_f64();
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        let answer = serde_json::json!({
            "code": code,
            "seconds": seconds,
            // Kilobytes on Linux.
            "peak_kb": usage.ru_maxrss,
            "stderr": reader.join().unwrap_or_default(),
        });
        let mut out = stdout.lock();
        writeln!(out, "{answer}").expect("bench listens");
        out.flush().expect("bench listens");
    }
}

fn files_size(root: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_size(&path)
            } else {
                entry.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}
