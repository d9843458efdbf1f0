//! The `files` routes handin uses: listing with cursors and long polls,
//! metadata, and downloads of files and of folders as zip archives.

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::Bytes;
use dropbox_sdk::files::{
    DeletedMetadata, DownloadArg, DownloadError, DownloadZipArg, DownloadZipError,
    DownloadZipResult, GetMetadataArg, GetMetadataError, ListFolderArg, ListFolderContinueArg,
    ListFolderContinueError, ListFolderError, ListFolderGetLatestCursorResult,
    ListFolderLongpollArg, ListFolderLongpollError, ListFolderLongpollResult, ListFolderResult,
    LookupError, Metadata,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::http::{Call, CallError, Reply};
use super::state::{Core, Entry, Store};
use super::{account, paths, wire, zip};

/// Stone patterns, quoted in 400 messages as Dropbox quotes them.
const PATH_R_OR_ID_PATTERN: &str = "(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/(.|[\\r\\n])*)?)";
const READ_PATH_PATTERN: &str =
    "(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/(.|[\\r\\n])*)?)";

/// `list_folder`'s `limit` is optional; without it a page holds this many.
const DEFAULT_PAGE: u32 = 2000;
/// `ListFolderArg.limit` is a `UInt32(min_value=1, max_value=2000)`.
const PAGE_LIMITS: std::ops::RangeInclusive<u32> = 1..=2000;
const LONGPOLL_TIMEOUTS: std::ops::RangeInclusive<u64> = 30..=480;
/// `download_zip` refuses folders whose archive would hold more entries.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// What a path argument names, once its syntax is accepted.
enum Target {
    Root,
    Path(String),
    Id(String),
    Rev(String),
    /// `ns:<id>` for a namespace this account cannot see.
    ForeignNamespace,
    /// A slash path Dropbox answers `malformed_path` (see [`paths`]).
    Malformed,
}

/// Which Stone path type the argument has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PathKind {
    /// `PathROrId`: "" names the root.
    Listable,
    /// `ReadPath`: also `rev:`; no root.
    Readable,
}

fn parse_target(call: &Call, raw: &str, kind: PathKind) -> Result<Target, CallError> {
    let pattern = match kind {
        PathKind::Listable => PATH_R_OR_ID_PATTERN,
        PathKind::Readable => READ_PATH_PATTERN,
    };
    let mismatch = || call.invalid(wire::pattern_mismatch("path", raw, pattern));
    if raw.is_empty() {
        return match kind {
            PathKind::Listable => Ok(Target::Root),
            PathKind::Readable => Err(mismatch()),
        };
    }
    if raw.starts_with('/') {
        return match paths::normalize(raw) {
            // Slashes alone still name the root the way Dropbox refuses.
            Ok(path) if path == "/" => Err(call
                .invalid("path: Specify the root folder as an empty string rather than as \"/\".")),
            Ok(path) => Ok(Target::Path(path)),
            Err(paths::MalformedPath) => Ok(Target::Malformed),
        };
    }
    if raw.starts_with("id:") {
        return Ok(Target::Id(raw.to_owned()));
    }
    if let Some(rev) = raw.strip_prefix("rev:") {
        let valid = kind == PathKind::Readable
            && rev.len() >= 9
            && rev.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
        return if valid {
            Ok(Target::Rev(rev.to_owned()))
        } else {
            Err(mismatch())
        };
    }
    if let Some(namespaced) = raw.strip_prefix("ns:") {
        let (namespace, rest) = namespaced
            .split_once('/')
            .map_or((namespaced, ""), |(namespace, rest)| (namespace, rest));
        if namespace.is_empty() || !namespace.chars().all(|c| c.is_ascii_digit()) {
            return Err(mismatch());
        }
        // Only the home namespace has contents here: a business account's
        // team space is not modelled, so its files are as foreign as any.
        if namespace != account::HOME_NAMESPACE_ID {
            return Ok(Target::ForeignNamespace);
        }
        if rest.is_empty() {
            return Ok(Target::Root);
        }
        return Ok(match paths::normalize(&format!("/{rest}")) {
            Ok(path) if path == "/" => Target::Root,
            Ok(path) => Target::Path(path),
            Err(paths::MalformedPath) => Target::Malformed,
        });
    }
    Err(mismatch())
}

enum Located<'s> {
    Root,
    Entry(&'s Entry),
}

fn locate<'s>(store: &'s Store, target: &Target) -> Result<Located<'s>, LookupError> {
    let entry = match target {
        Target::Root => return Ok(Located::Root),
        Target::ForeignNamespace => None,
        Target::Malformed => return Err(LookupError::MalformedPath(None)),
        Target::Path(path) => store.entry(&path.to_lowercase()),
        Target::Id(id) => store.entry_by_id(id),
        Target::Rev(rev) => store
            .entries
            .values()
            .find(|entry| entry.file().is_some_and(|file| &file.rev == rev)),
    };
    entry.map(Located::Entry).ok_or(LookupError::NotFound)
}

/// The key ("" for the root) of the folder a listing starts from.
fn folder_key(store: &Store, target: &Target) -> Result<String, LookupError> {
    match locate(store, target)? {
        Located::Root => Ok(String::new()),
        Located::Entry(entry) if entry.file().is_none() => Ok(entry.path_lower()),
        Located::Entry(_) => Err(LookupError::NotFolder),
    }
}

/// Dropbox always sends `is_downloadable`; the SDK leaves out a `true`
/// because it is the Stone default.
fn mark_downloadable(file: &mut Value) {
    if let Some(object) = file.as_object_mut() {
        object.entry("is_downloadable").or_insert(Value::Bool(true));
    }
}

pub(crate) fn metadata_json(metadata: &Metadata) -> Value {
    let mut value = wire::to_json(metadata);
    if matches!(metadata, Metadata::File(_)) {
        mark_downloadable(&mut value);
    }
    value
}

pub(crate) fn file_metadata_json(metadata: &dropbox_sdk::files::FileMetadata) -> Value {
    let mut value = wire::to_json(metadata);
    mark_downloadable(&mut value);
    value
}

/// A `list_folder` cursor. In `Full` mode it walks what exists; once that is
/// done it turns into `Changes`, which reports what the journal recorded
/// after a version. `after` is the last key sent, so pages stay consistent
/// while the folder changes between calls.
#[derive(Clone, Serialize, Deserialize)]
struct FolderCursor {
    #[serde(rename = "e")]
    epoch: String,
    #[serde(rename = "p")]
    folder: String,
    #[serde(rename = "r")]
    recursive: bool,
    #[serde(rename = "l")]
    limit: u32,
    #[serde(rename = "m")]
    mode: Mode,
}

#[derive(Clone, Serialize, Deserialize)]
enum Mode {
    /// Everything in the folder; `as_of` is the version when listing began.
    #[serde(rename = "f")]
    Full { as_of: u64, after: Option<String> },
    /// Changes in `(since, until]`; without `until` the cursor is caught up
    /// and the window ends at the version current at the next call.
    #[serde(rename = "c")]
    Changes {
        since: u64,
        until: Option<u64>,
        after: Option<String>,
    },
}

impl Mode {
    fn resumed_after(self, last: Option<String>) -> Mode {
        match self {
            Mode::Full { as_of, .. } => Mode::Full { as_of, after: last },
            Mode::Changes { since, until, .. } => Mode::Changes {
                since,
                until,
                after: last,
            },
        }
    }
}

impl FolderCursor {
    fn in_scope(&self, key: &str) -> bool {
        if key == self.folder {
            // A recursive listing of a folder starts with the folder itself.
            return self.recursive && !self.folder.is_empty();
        }
        match key
            .strip_prefix(self.folder.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
        {
            Some(rest) => self.recursive || !rest.contains('/'),
            None => false,
        }
    }

    /// Whether anything under the cursor changed, or whether it is in the
    /// middle of a listing (then there is more to fetch right away).
    fn sees_changes(&self, store: &Store) -> Result<bool, Stale> {
        self.check_fresh(store)?;
        match &self.mode {
            Mode::Full { .. } | Mode::Changes { until: Some(_), .. } => Ok(true),
            Mode::Changes { since, .. } => Ok(store.journal.iter().any(|change| {
                change.version > *since
                    && (change.path_lower == self.folder || self.in_scope(&change.path_lower))
            })),
        }
    }

    fn check_fresh(&self, store: &Store) -> Result<(), Stale> {
        if self.epoch != store.epoch {
            return Err(Stale);
        }
        match self.mode {
            Mode::Changes { since, .. } if since < store.journal_floor || since > store.version => {
                Err(Stale)
            }
            Mode::Full { as_of, .. } if as_of > store.version => Err(Stale),
            _ => Ok(()),
        }
    }
}

/// A cursor from another history, or older than the journal: `reset`.
struct Stale;

impl Store {
    fn fresh_cursor(&self, folder: String, recursive: bool, limit: u32) -> FolderCursor {
        FolderCursor {
            epoch: self.epoch.clone(),
            folder,
            recursive,
            limit,
            mode: Mode::Full {
                as_of: self.version,
                after: None,
            },
        }
    }

    fn folder_page(&self, cursor: &FolderCursor) -> Value {
        let fetch = cursor.limit as usize + 1;
        let (items, window, done) = match &cursor.mode {
            Mode::Full { as_of, after } => {
                let own = self
                    .entries
                    .get_key_value(&cursor.folder)
                    .filter(|_| cursor.in_scope(&cursor.folder));
                let below = self
                    .descendants(&cursor.folder)
                    .filter(|(key, _)| cursor.in_scope(key));
                let items = own
                    .into_iter()
                    .chain(below)
                    .filter(|(key, _)| after.as_ref().is_none_or(|after| *key > after))
                    .take(fetch)
                    .map(|(key, entry)| (key.clone(), entry.metadata()))
                    .collect();
                let done = Mode::Changes {
                    since: *as_of,
                    until: None,
                    after: None,
                };
                (items, cursor.mode.clone(), done)
            }
            Mode::Changes {
                since,
                until,
                after,
            } => {
                // Pin the window's end so later pages read the same changes.
                let until = until.unwrap_or(self.version);
                let changed: BTreeSet<&str> = self
                    .journal
                    .iter()
                    .filter(|change| change.version > *since && change.version <= until)
                    .filter(|change| cursor.in_scope(&change.path_lower))
                    .filter(|change| {
                        after
                            .as_deref()
                            .is_none_or(|after| change.path_lower.as_str() > after)
                    })
                    .map(|change| change.path_lower.as_str())
                    .collect();
                let items = changed
                    .into_iter()
                    .take(fetch)
                    .map(|key| (key.to_owned(), self.current_or_deleted(key)))
                    .collect();
                let window = Mode::Changes {
                    since: *since,
                    until: Some(until),
                    after: None,
                };
                let done = Mode::Changes {
                    since: until,
                    until: None,
                    after: None,
                };
                (items, window, done)
            }
        };
        self.finish_page(items, cursor, window, done)
    }

    /// Cuts the page at the cursor's limit and builds the cursor that goes
    /// on: the same window after the last key if more is left, `done` if not.
    fn finish_page(
        &self,
        mut items: Vec<(String, Metadata)>,
        cursor: &FolderCursor,
        window: Mode,
        done: Mode,
    ) -> Value {
        let has_more = items.len() > cursor.limit as usize;
        items.truncate(cursor.limit as usize);
        let next = FolderCursor {
            mode: if has_more {
                window.resumed_after(items.last().map(|(key, _)| key.clone()))
            } else {
                done
            },
            ..cursor.clone()
        };
        let is_file: Vec<bool> = items
            .iter()
            .map(|(_, metadata)| matches!(metadata, Metadata::File(_)))
            .collect();
        let result = ListFolderResult::new(
            items.into_iter().map(|(_, metadata)| metadata).collect(),
            wire::encode_cursor(&next),
            has_more,
        );
        let mut value = wire::to_json(&result);
        // The SDK cannot add `is_downloadable` for us; patch each file entry.
        if let Some(entries) = value.get_mut("entries").and_then(Value::as_array_mut) {
            for (entry, is_file) in entries.iter_mut().zip(is_file) {
                if is_file {
                    mark_downloadable(entry);
                }
            }
        }
        value
    }

    fn current_or_deleted(&self, key: &str) -> Metadata {
        match self.entry(key) {
            Some(entry) => entry.metadata(),
            None => Metadata::Deleted(self.deleted_metadata(key)),
        }
    }

    fn deleted_metadata(&self, key: &str) -> DeletedMetadata {
        let display = self
            .journal
            .iter()
            .rev()
            .find(|change| change.path_lower == key)
            .map_or_else(|| key.to_owned(), |change| change.path_display.clone());
        let name = display.rsplit('/').next().unwrap_or_default().to_owned();
        DeletedMetadata::new(name)
            .with_path_lower(key.to_owned())
            .with_path_display(display)
    }
}

fn page_limit(call: &Call, limit: Option<u32>) -> Result<u32, CallError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(limit) if PAGE_LIMITS.contains(&limit) => Ok(limit),
        Some(other) => Err(call.invalid(format!("limit: {other} is not within range [1, 2000]"))),
    }
}

fn decode_folder_cursor(call: &Call, text: &str) -> Result<FolderCursor, CallError> {
    wire::decode_cursor(text)
        .filter(|cursor: &FolderCursor| PAGE_LIMITS.contains(&cursor.limit))
        .ok_or_else(|| call.invalid("cursor: invalid cursor"))
}

/// What `list_folder` and `list_folder/get_latest_cursor` share: the same
/// argument, checked the same way, and a cursor at the start of a listing
/// of the folder as it is now.
fn start_listing<R>(
    core: &Core,
    call: &Call,
    then: impl FnOnce(&Store, FolderCursor) -> R,
) -> Result<R, CallError> {
    let args: ListFolderArg = call.arg()?;
    let limit = page_limit(call, args.limit)?;
    let target = parse_target(call, &args.path, PathKind::Listable)?;
    core.read(|store| {
        let folder = folder_key(store, &target)
            .map_err(|error| CallError::route(ListFolderError::Path(error)))?;
        let cursor = store.fresh_cursor(folder, args.recursive, limit);
        Ok(then(store, cursor))
    })
}

pub(crate) fn list_folder(core: &Core, call: &Call) -> Result<Reply, CallError> {
    start_listing(core, call, |store, cursor| {
        Reply::Json(store.folder_page(&cursor))
    })
}

pub(crate) fn list_folder_continue(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: ListFolderContinueArg = call.arg()?;
    let cursor = decode_folder_cursor(call, &args.cursor)?;
    core.read(|store| {
        cursor
            .check_fresh(store)
            .map_err(|Stale| CallError::route(ListFolderContinueError::Reset))?;
        if !store.is_folder(&cursor.folder) {
            return Err(CallError::route(ListFolderContinueError::Path(
                LookupError::NotFound,
            )));
        }
        Ok(Reply::Json(store.folder_page(&cursor)))
    })
}

pub(crate) fn get_latest_cursor(core: &Core, call: &Call) -> Result<Reply, CallError> {
    start_listing(core, call, |store, mut cursor| {
        cursor.mode = Mode::Changes {
            since: store.version,
            until: None,
            after: None,
        };
        Reply::json(&ListFolderGetLatestCursorResult::new(wire::encode_cursor(
            &cursor,
        )))
    })
}

/// Waits until something under the cursor changes, the timeout passes, or
/// the emulator shuts down. Dropbox adds up to 90 s of jitter; this does not.
pub(crate) async fn longpoll(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: ListFolderLongpollArg = call.arg()?;
    if !LONGPOLL_TIMEOUTS.contains(&args.timeout) {
        return Err(call.invalid(format!(
            "timeout: {} is not within range [30, 480]",
            args.timeout
        )));
    }
    let cursor = decode_folder_cursor(call, &args.cursor)?;
    // Subscribe before looking, so a change in between is not missed.
    let mut versions = core.watch_version();
    let mut shutdown = core.watch_shutdown();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout);
    loop {
        let changes = core
            .read(|store| cursor.sees_changes(store))
            .map_err(|Stale| CallError::route(ListFolderLongpollError::Reset))?;
        if changes {
            return Ok(Reply::json(&ListFolderLongpollResult::new(true)));
        }
        tokio::select! {
            changed = versions.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            () = tokio::time::sleep_until(deadline) => break,
            _ = shutdown.wait_for(|stopping| *stopping) => break,
        }
    }
    Ok(Reply::json(&ListFolderLongpollResult::new(false)))
}

pub(crate) fn get_metadata(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: GetMetadataArg = call.arg()?;
    let target = parse_target(call, &args.path, PathKind::Readable)?;
    core.read(|store| match locate(store, &target) {
        Ok(Located::Entry(entry)) => Ok(Reply::Json(metadata_json(&entry.metadata()))),
        Ok(Located::Root) => {
            Err(call.invalid("path: Metadata for the root folder is unsupported."))
        }
        Err(LookupError::NotFound) if args.include_deleted => {
            // Something that existed at this path is reported as deleted.
            match &target {
                Target::Path(path)
                    if store
                        .journal
                        .iter()
                        .any(|change| change.path_lower == path.to_lowercase()) =>
                {
                    let deleted = store.deleted_metadata(&path.to_lowercase());
                    Ok(Reply::Json(metadata_json(&Metadata::Deleted(deleted))))
                }
                _ => Err(CallError::route(GetMetadataError::Path(
                    LookupError::NotFound,
                ))),
            }
        }
        Err(error) => Err(CallError::route(GetMetadataError::Path(error))),
    })
}

pub(crate) fn download(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: DownloadArg = call.arg()?;
    let target = parse_target(call, &args.path, PathKind::Readable)?;
    #[allow(deprecated)] // `rev` is deprecated in the spec but still honoured.
    let wanted_rev = args.rev.clone();
    core.read(|store| {
        let entry = match locate(store, &target) {
            Ok(Located::Entry(entry)) => entry,
            Ok(Located::Root) => {
                return Err(CallError::route(DownloadError::Path(LookupError::NotFile)));
            }
            Err(error) => return Err(CallError::route(DownloadError::Path(error))),
        };
        let (Some(file), Some(metadata)) = (entry.file(), entry.file_metadata()) else {
            return Err(CallError::route(DownloadError::Path(LookupError::NotFile)));
        };
        if wanted_rev.as_ref().is_some_and(|rev| rev != &file.rev) {
            return Err(CallError::route(DownloadError::Path(LookupError::NotFound)));
        }
        Ok(Reply::Download {
            result: file_metadata_json(&metadata),
            content: file.content.clone(),
            content_type: "application/octet-stream",
            ranges: true,
        })
    })
}

pub(crate) fn download_zip(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: DownloadZipArg = call.arg()?;
    let target = parse_target(call, &args.path, PathKind::Readable)?;
    core.read(|store| {
        let folder = match locate(store, &target) {
            Ok(Located::Entry(entry)) if entry.file().is_none() => entry,
            Ok(Located::Entry(_)) => {
                return Err(CallError::route(DownloadZipError::Path(
                    LookupError::NotFolder,
                )));
            }
            Ok(Located::Root) => {
                return Err(call.invalid("path: The root folder cannot be downloaded as a zip."));
            }
            Err(error) => return Err(CallError::route(DownloadZipError::Path(error))),
        };
        let folder_key = folder.path_lower();
        let below: Vec<&Entry> = store
            .descendants(&folder_key)
            .map(|(_, entry)| entry)
            .collect();
        if below.len() + 1 > MAX_ZIP_ENTRIES {
            return Err(CallError::route(DownloadZipError::TooManyFiles));
        }
        // Names inside the archive start at the folder itself, as Dropbox's do.
        let parent_len = folder.path_display.len() - folder.name().len();
        let relative = |entry: &Entry| {
            entry
                .path_display
                .get(parent_len..)
                .unwrap_or(entry.name())
                .to_owned()
        };
        let newest = below
            .iter()
            .filter_map(|entry| entry.file().map(|file| file.server_modified))
            .max();
        let mut archive = zip::StoredZip::default();
        archive.add_directory(&relative(folder), newest);
        for entry in &below {
            match entry.file() {
                Some(file) => {
                    archive.add_file(&relative(entry), &file.content, Some(file.server_modified));
                }
                None => archive.add_directory(&relative(entry), newest),
            }
        }
        let result = DownloadZipResult::new(folder.folder_metadata());
        Ok(Reply::Download {
            result: wire::to_json(&result),
            content: Bytes::from(archive.finish()),
            content_type: "application/zip",
            ranges: false,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use dropbox_sdk::users_common::AccountType;

    /// A store with /A/one.txt, /A/B/two.txt and /C.
    fn store() -> Store {
        let mut store = Store::new(AccountType::Pro);
        let version = store.next_version();
        store.ensure_folder("/A/B", version).unwrap();
        store.ensure_folder("/C", version).unwrap();
        store.add_file(
            "/a",
            "one.txt",
            Bytes::from_static(b"1"),
            Utc::now(),
            version,
        );
        store.add_file(
            "/a/b",
            "two.txt",
            Bytes::from_static(b"2"),
            Utc::now(),
            version,
        );
        store
    }

    fn paths(page: &Value) -> Vec<String> {
        page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                format!(
                    "{} {}",
                    entry[".tag"].as_str().unwrap(),
                    entry["path_display"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn cursor_of(page: &Value) -> FolderCursor {
        wire::decode_cursor(page["cursor"].as_str().unwrap()).unwrap()
    }

    #[test]
    fn recursive_listing_includes_the_folder_and_pages() {
        let store = store();
        let first = store.folder_page(&store.fresh_cursor("/a".into(), true, 2));
        assert_eq!(paths(&first), ["folder /A", "folder /A/B"]);
        assert_eq!(first["has_more"], true);
        let second = store.folder_page(&cursor_of(&first));
        assert_eq!(paths(&second), ["file /A/B/two.txt", "file /A/one.txt"]);
        assert_eq!(second["has_more"], false);
        assert_eq!(second["entries"][0]["is_downloadable"], true);
    }

    #[test]
    fn flat_listing_of_the_root_shows_only_children() {
        let store = store();
        let page = store.folder_page(&store.fresh_cursor(String::new(), false, 100));
        assert_eq!(paths(&page), ["folder /A", "folder /C"]);
    }

    #[test]
    fn a_caught_up_cursor_reports_additions_and_deletions() {
        let mut store = store();
        let listing = store.folder_page(&store.fresh_cursor("/a".into(), true, 100));
        let caught_up = cursor_of(&listing);
        assert!(!caught_up.sees_changes(&store).ok().unwrap());

        let version = store.next_version();
        store.add_file("/a", "three.txt", Bytes::new(), Utc::now(), version);
        store.remove_subtree("/a/b", version);
        // Outside the listed folder: not reported.
        store.add_file("/c", "x.txt", Bytes::new(), Utc::now(), version);
        assert!(caught_up.sees_changes(&store).ok().unwrap());

        let changes = store.folder_page(&caught_up);
        assert_eq!(
            paths(&changes),
            ["deleted /A/B", "deleted /A/B/two.txt", "file /A/three.txt"]
        );
        let after = cursor_of(&changes);
        assert!(!after.sees_changes(&store).ok().unwrap());
        assert!(paths(&store.folder_page(&after)).is_empty());
    }

    #[test]
    fn cursors_from_another_history_or_before_the_journal_are_stale() {
        let mut store = store();
        let listing = store.folder_page(&store.fresh_cursor(String::new(), true, 100));
        let mut cursor = cursor_of(&listing);
        store.forget_history();
        let version = store.next_version();
        store.ensure_folder("/D", version).unwrap();
        store.forget_history();
        assert!(cursor.check_fresh(&store).is_err());
        cursor.epoch = "other".into();
        assert!(cursor.check_fresh(&store).is_err());
    }
}
