//! The download engine: a few workers take the items in order; each file is streamed to
//! its partial file (continuing an earlier one with `Range`), hashed as it arrives,
//! compared with Dropbox's `content_hash`, and only then renamed into place.
//!
//! Submissions are student work: every folder made here is 0700, every file 0600, and
//! nothing is opened through a symbolic link.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::AsyncReadExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{Item, Outcome, Progress, Summary};
use crate::dropbox::content_hash::ContentHasher;
use crate::dropbox::{Dropbox, DropboxError};

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files in flight at once (1 to 32).
    pub concurrency: usize,
    /// Tries per file for what a new try can fix: a body cut short, bytes that do not
    /// match the content hash. Failed calls are retried inside the client already.
    pub attempts: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: 6,
            attempts: 3,
        }
    }
}

/// Stops a run: files in flight stop where they are (their partial file is resumed next
/// time) and no new ones start.
#[derive(Debug, Clone)]
pub struct Cancel(Arc<watch::Sender<bool>>);

impl Default for Cancel {
    fn default() -> Self {
        Cancel(Arc::new(watch::Sender::new(false)))
    }
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    async fn cancelled(&self) {
        let mut receiver = self.0.subscribe();
        // The sender lives in `self`, so this only ends by being cancelled.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}

/// Downloads `items`, at most `options.concurrency` at a time, reporting to `progress`.
/// Every item ends with an outcome; the run never stops for one file's failure.
pub async fn run(
    dropbox: &Dropbox,
    items: Vec<Item>,
    options: &Options,
    progress: &Arc<Progress>,
    cancel: &Cancel,
) -> Summary {
    let mut items = items;
    super::layout::keep_apart(&mut items);
    let count = items.len();
    progress.planned(count, items.iter().map(|item| item.size).sum());
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let outcomes: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new(vec![None; count]));
    let mut workers = JoinSet::new();
    for _ in 0..options.concurrency.clamp(1, 32).min(count.max(1)) {
        let (dropbox, items, next, outcomes, progress, cancel) = (
            dropbox.clone(),
            Arc::clone(&items),
            Arc::clone(&next),
            Arc::clone(&outcomes),
            Arc::clone(progress),
            cancel.clone(),
        );
        let attempts = options.attempts.max(1);
        workers.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= items.len() || cancel.is_cancelled() {
                    break;
                }
                let outcome = fetch(&dropbox, &items[index], index, attempts, &progress).await;
                lock(&outcomes)[index] = Some(outcome);
            }
        });
    }
    let cancelled = tokio::select! {
        () = async { while workers.join_next().await.is_some() {} } => false,
        () = cancel.cancelled() => true,
    };
    if cancelled {
        workers.abort_all();
        while workers.join_next().await.is_some() {}
    }
    progress.finish();
    let snapshot = progress.snapshot();
    let outcomes = std::mem::take(&mut *lock(&outcomes));
    let items = Arc::try_unwrap(items).unwrap_or_else(|shared| (*shared).clone());
    Summary {
        outcomes: items
            .into_iter()
            .zip(outcomes)
            .map(|(item, outcome)| {
                let outcome = outcome.unwrap_or(if cancelled {
                    Outcome::Cancelled
                } else {
                    // Only a panic in a worker leaves a hole without a cancel.
                    Outcome::Failed {
                        reason: "handin failed on this file (a bug; see the log file)".into(),
                    }
                });
                (item, outcome)
            })
            .collect(),
        cancelled,
        bytes_received: snapshot.bytes_received,
        elapsed: snapshot.elapsed,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Why one try at a file did not end with verified bytes.
enum Failure {
    /// The call failed (after the client's own retries).
    Dropbox(DropboxError),
    /// The body stopped early or the connection dropped mid-stream: the bytes so far
    /// stay in the partial file and the next try continues from them.
    Interrupted(String),
    /// The bytes do not hash to Dropbox's content hash: the partial file is thrown away.
    Mismatch,
    /// The local file system refused: another try would not help.
    Local(String),
}

/// A verified partial file: its size and content hash, and where this run started it.
struct Verified {
    size: u64,
    hash: String,
    resumed_from: u64,
}

async fn fetch(
    dropbox: &Dropbox,
    item: &Item,
    index: usize,
    attempts: u32,
    progress: &Progress,
) -> Outcome {
    // A local copy with the same content: nothing to do.
    let existing = match existing_copy(item).await {
        Ok(existing) => existing,
        Err(error) => return failed(progress, index, item, local_sentence(&error, &item.local)),
    };
    if existing == Existing::Same {
        progress.skipped(item.size);
        return Outcome::Skipped;
    }
    progress.started(index, &item.label, item.size);
    let mut attempt = 0;
    let verified = loop {
        attempt += 1;
        match stream_once(dropbox, item, index, progress).await {
            Ok(verified) => break verified,
            Err(failure) => {
                let reason = match failure {
                    Failure::Dropbox(error) => {
                        if error.tag().is_some_and(|tag| tag.starts_with("path/")) {
                            // The file went away (or was replaced by a folder) after the listing.
                            remove_quietly(&item.partial).await;
                        }
                        return failed(progress, index, item, error.sentence());
                    }
                    Failure::Local(reason) => return failed(progress, index, item, reason),
                    Failure::Interrupted(why) => why,
                    Failure::Mismatch => {
                        remove_quietly(&item.partial).await;
                        progress.on_disk(index, 0);
                        format!(
                            "the bytes received did not match Dropbox's content hash {attempt} times; the file may be changing, download it again later"
                        )
                    }
                };
                if attempt >= attempts {
                    return failed(progress, index, item, reason);
                }
                tracing::info!(file = %item.label, attempt, %reason, "download retried");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
        }
    };
    match install(item, &verified, existing).await {
        Ok(Installed::New(kept)) => {
            progress.ended(index, false, verified.size);
            Outcome::Downloaded {
                bytes: verified.size,
                resumed_from: verified.resumed_from,
                kept,
            }
        }
        Ok(Installed::AlreadyThere) => {
            progress.ended(index, false, verified.size);
            Outcome::Skipped
        }
        Err(reason) => failed(progress, index, item, reason),
    }
}

fn failed(progress: &Progress, index: usize, item: &Item, reason: String) -> Outcome {
    tracing::warn!(file = %item.label, %reason, "download failed");
    progress.ended(index, true, item.size);
    Outcome::Failed { reason }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    None,
    Same,
    Different,
}

/// Whether the final path already holds the listed content. A link there is never
/// followed: it counts as a different file (and is kept aside, never written through).
async fn existing_copy(item: &Item) -> io::Result<Existing> {
    let metadata = match tokio::fs::symlink_metadata(&item.local).await {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Existing::None),
        Err(error) => return Err(error),
    };
    if metadata.is_symlink() {
        return Ok(Existing::Different);
    }
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a folder of that name is in the way",
        ));
    }
    let Some(listed) = &item.content_hash else {
        return Ok(Existing::Different);
    };
    if metadata.len() != item.size {
        return Ok(Existing::Different);
    }
    let (hash, _) = hash_file(&item.local, u64::MAX).await?;
    Ok(if &hash.finish() == listed {
        Existing::Same
    } else {
        Existing::Different
    })
}

/// Feeds up to `limit` bytes of `path` to a content hasher; returns it and the bytes read.
async fn hash_file(path: &Path, limit: u64) -> io::Result<(ContentHasher, u64)> {
    let owned = path.to_path_buf();
    let file = tokio::task::spawn_blocking(move || crate::fs::open_read_no_follow(&owned))
        .await
        .map_err(io::Error::other)??;
    let mut file = tokio::fs::File::from_std(file);
    let mut hasher = ContentHasher::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    while total < limit {
        let want = buffer
            .len()
            .min(usize::try_from(limit - total).unwrap_or(usize::MAX));
        let read = file.read(&mut buffer[..want]).await?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
    Ok((hasher, total))
}

/// Makes the folders an item is written into, the final one and the root's partial folder,
/// and checks every folder from the root down: each must be a folder of this user's that
/// no one else may write to (a neighbour who can write there can swap a verified file or
/// plant a link), created 0700 where handin makes it; anything else is refused with a
/// sentence, never followed or used.
async fn prepare_folders(item: &Item) -> Result<(), Failure> {
    let item = item.clone();
    tokio::task::spawn_blocking(move || {
        let partials = item.partial.parent().unwrap_or(Path::new("."));
        let root = partials.parent().unwrap_or(Path::new("."));
        let unsafe_folder = |unsafe_folder: crate::fs::UnsafeFolder| match unsafe_folder {
            crate::fs::UnsafeFolder::Io { path, source } => {
                Failure::Local(local_sentence(&source, &path))
            }
            other => Failure::Local(other.to_string()),
        };
        if let Some(folder) = item.local.parent() {
            crate::fs::private_dirs_under(root, folder).map_err(unsafe_folder)?;
        }
        crate::fs::private_dirs_under(root, partials).map_err(unsafe_folder)?;
        Ok(())
    })
    .await
    .unwrap_or_else(|error| {
        Err(Failure::Local(format!(
            "handin failed on this file ({error})"
        )))
    })
}

/// Opens the partial file to hold exactly its first `keep` bytes, positioned after them:
/// continued when `keep` > 0, else made anew. Either way it is 0600, this user's, and
/// never reached through a link.
async fn open_partial(part: &Path, keep: u64) -> io::Result<tokio::fs::File> {
    let part = part.to_path_buf();
    let file = tokio::task::spawn_blocking(move || -> io::Result<std::fs::File> {
        use std::io::{Seek as _, SeekFrom};
        let mut file = if keep > 0 {
            crate::fs::open_private_write(&part)?
        } else {
            // Whatever is there (an older try's bytes, a link) is removed, not opened.
            match std::fs::remove_file(&part) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
            crate::fs::create_new_private(&part)?
        };
        // Anything past what was hashed (a write cut short last time) is dropped.
        file.set_len(keep)?;
        file.seek(SeekFrom::Start(keep))?;
        Ok(file)
    })
    .await
    .map_err(io::Error::other)??;
    Ok(tokio::fs::File::from_std(file))
}

/// One try: continue (or start) the partial file, stream the rest into it while
/// hashing, and check the result.
async fn stream_once(
    dropbox: &Dropbox,
    item: &Item,
    index: usize,
    progress: &Progress,
) -> Result<Verified, Failure> {
    let part = item.partial.clone();
    prepare_folders(item).await?;
    // What an earlier try or run left: continued when it is shorter than the file. A
    // link is not a partial file: it is removed below, never read or written through.
    let on_disk = match tokio::fs::symlink_metadata(&part).await {
        Ok(metadata) if metadata.is_file() => metadata.len(),
        _ => 0,
    };
    if on_disk > 0
        && on_disk == item.size
        && let Some(listed) = &item.content_hash
        && let Ok((hasher, _)) = hash_file(&part, on_disk).await
    {
        // Killed between the last byte and the rename: the part is already whole.
        let hash = hasher.finish();
        if &hash == listed {
            progress.on_disk(index, on_disk);
            return Ok(Verified {
                size: on_disk,
                hash,
                resumed_from: on_disk,
            });
        }
    }
    let (mut hasher, mut written) = if on_disk > 0 && on_disk < item.size {
        match hash_file(&part, on_disk).await {
            Ok(found) => found,
            Err(_) => (ContentHasher::new(), 0),
        }
    } else {
        (ContentHasher::new(), 0)
    };
    progress.on_disk(index, written);
    let from = (written > 0).then_some(written);
    let download = dropbox
        .download(&item.remote, from)
        .await
        .map_err(Failure::Dropbox)?;
    let size = download.metadata.size;
    let expected = download.metadata.content_hash.clone();
    if from.is_some() && download.content_length == Some(size) && size != written {
        // The server sent the whole file rather than the range: start over.
        hasher = ContentHasher::new();
        written = 0;
        progress.on_disk(index, 0);
    }
    let mut file = open_partial(&part, written)
        .await
        .map_err(|error| Failure::Local(local_sentence(&error, &part)))?;
    let resumed_from = written;
    let mut body = download.body;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match body.read(&mut buffer).await {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) => {
                flush_quietly(&mut file).await;
                return Err(Failure::Interrupted(format!(
                    "the connection dropped after {written} of {size} bytes ({error})"
                )));
            }
        };
        hasher.update(&buffer[..read]);
        file.write_all(&buffer[..read])
            .await
            .map_err(|error| Failure::Local(local_sentence(&error, &part)))?;
        written += read as u64;
        progress.received(index, read as u64);
    }
    file.flush()
        .await
        .and(file.sync_all().await)
        .map_err(|error| Failure::Local(local_sentence(&error, &part)))?;
    drop(file);
    if written < size {
        return Err(Failure::Interrupted(format!(
            "the download stopped after {written} of {size} bytes"
        )));
    }
    let hash = hasher.finish();
    if written > size || expected.as_deref().is_some_and(|expected| expected != hash) {
        return Err(Failure::Mismatch);
    }
    Ok(Verified {
        size,
        hash,
        resumed_from,
    })
}

async fn flush_quietly(file: &mut tokio::fs::File) {
    let _ = file.flush().await;
}

async fn remove_quietly(path: &Path) {
    let _ = tokio::fs::remove_file(path).await;
}

enum Installed {
    /// Renamed into place; a different local file that was there moved to the path given.
    New(Option<PathBuf>),
    /// The local file already had these bytes (it had no listed hash to compare with).
    AlreadyThere,
}

/// Renames the verified partial file into place. A different file already under the final
/// name (the professor's annotated copy, say) is never overwritten: it is kept beside,
/// as "essay (local copy).pdf".
async fn install(
    item: &Item,
    verified: &Verified,
    existing: Existing,
) -> Result<Installed, String> {
    let part = &item.partial;
    let mut kept = None;
    if existing == Existing::Different {
        if let Ok((hash, len)) = hash_file(&item.local, u64::MAX).await
            && len == verified.size
            && hash.finish() == verified.hash
        {
            remove_quietly(part).await;
            return Ok(Installed::AlreadyThere);
        }
        let aside = free_name(&item.local, "local copy").await;
        tokio::fs::rename(&item.local, &aside)
            .await
            .map_err(|error| local_sentence(&error, &item.local))?;
        kept = Some(aside);
    }
    tokio::fs::rename(part, &item.local)
        .await
        .map_err(|error| local_sentence(&error, &item.local))?;
    Ok(Installed::New(kept))
}

/// "essay (local copy).pdf", or "essay (local copy 2).pdf" when that is taken.
async fn free_name(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name.as_str(), ""),
    };
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            path.with_file_name(format!("{stem} ({tag}){extension}"))
        } else {
            path.with_file_name(format!("{stem} ({tag} {n}){extension}"))
        };
        if tokio::fs::symlink_metadata(&candidate).await.is_err() {
            return candidate;
        }
        n += 1;
    }
}

/// One sentence for a local failure: what happened and what to do.
pub(super) fn local_sentence(error: &io::Error, path: &Path) -> String {
    let shown = path.display();
    match error.raw_os_error() {
        Some(libc::ENOSPC) => {
            return format!(
                "the disk is full (writing {shown}); free some space and download again: finished files are kept"
            );
        }
        Some(libc::EDQUOT) => {
            return format!(
                "your disk quota is used up (writing {shown}); free some space and download again"
            );
        }
        Some(libc::EROFS) => {
            return format!(
                "{shown} is on a read-only file system; set download_dir (Settings) to a folder you can write to"
            );
        }
        Some(libc::EACCES | libc::EPERM) => {
            return format!(
                "permission denied writing {shown}; set download_dir (Settings) to a folder you can write to"
            );
        }
        Some(libc::ELOOP) => {
            return format!(
                "{shown} is a symbolic link, and handin never writes through one; remove it and download again"
            );
        }
        Some(libc::ENAMETOOLONG) => {
            return format!(
                "the path {shown} is too long for this file system; choose a shorter download_dir"
            );
        }
        _ => {}
    }
    format!("could not write {shown}: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_failures_say_what_to_do() {
        let path = Path::new("/grading/a.pdf");
        let full = local_sentence(&io::Error::from_raw_os_error(libc::ENOSPC), path);
        assert!(full.starts_with("the disk is full"), "{full}");
        let denied = local_sentence(&io::Error::from_raw_os_error(libc::EACCES), path);
        assert!(denied.contains("permission denied") && denied.contains("download_dir"));
        let read_only = local_sentence(&io::Error::from_raw_os_error(libc::EROFS), path);
        assert!(read_only.contains("read-only"), "{read_only}");
    }
}
