//! The emulated account (files, folders, file requests) and the shared handle
//! the HTTP handlers and the `Emulator` use to reach it.
//!
//! Everything mutable sits in one [`Store`] behind one `std::sync::Mutex`,
//! which is never held across an `.await`. Every mutation bumps
//! `Store::version`; changes to files also go into a journal, which is what
//! `list_folder/continue` and `list_folder/longpoll` read.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use dropbox_sdk::auth::AuthError;
use dropbox_sdk::file_requests::FileRequestDeadline;
use dropbox_sdk::files::{FileMetadata, FolderMetadata, Metadata};
use dropbox_sdk::users_common::AccountType;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::faults::FaultQueue;
use super::oauth::{Principal, Tokens};
use super::persist::StateFile;
use super::wire;
use crate::dropbox::content_hash::content_hash;

/// Layout version of the state file; a file of another version is refused
/// rather than misread.
const STATE_FORMAT: u32 = 1;

/// How many file changes the journal keeps. A `list_folder` cursor older than
/// the oldest kept change gets `reset`, as Dropbox does with stale cursors.
const JOURNAL_CAPACITY: usize = 20_000;

/// Ids and revisions come from a seeded generator so that a seeded account is
/// the same on every run, apart from times.
const RNG_SEED: u64 = 0x6861_6e64_696e;

/// Cloning is cheap enough to do under the lock: contents are `Bytes`.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Store {
    format: u32,
    /// Identifies this account's history; cursors issued for another history
    /// (a fresh seed, a replaced state file) are refused.
    pub(crate) epoch: String,
    /// Bumped by every mutation of anything below.
    pub(crate) version: u64,
    pub(crate) account_type: AccountType,
    #[serde(with = "seeded_rng")]
    rng: fastrand::Rng,
    /// Files and folders keyed by `path_lower`; the root itself is implicit.
    pub(crate) entries: BTreeMap<String, Entry>,
    /// In creation order.
    pub(crate) requests: Vec<StoredRequest>,
    pub(crate) next_request_seq: u64,
    pub(crate) journal: VecDeque<Change>,
    /// Changes at or below this version are no longer in the journal.
    pub(crate) journal_floor: u64,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) path_display: String,
    #[serde(flatten)]
    pub(crate) kind: EntryKind,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum EntryKind {
    Folder,
    File(StoredFile),
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredFile {
    pub(crate) rev: String,
    #[serde(with = "wire::timestamp")]
    pub(crate) client_modified: DateTime<Utc>,
    #[serde(with = "wire::timestamp")]
    pub(crate) server_modified: DateTime<Utc>,
    pub(crate) content_hash: String,
    #[serde(with = "wire::base64_bytes")]
    pub(crate) content: Bytes,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredRequest {
    /// Position in creation order; list cursors point between two of these,
    /// so deleting a request does not shift a listing in progress.
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) title: String,
    /// Where the destination folder was when last set.
    pub(crate) destination_lower: String,
    /// Dropbox follows the folder itself, not its path: when that folder is
    /// gone the request's `destination` turns null, even if a new folder of
    /// the same name appears.
    pub(crate) folder_id: String,
    #[serde(with = "wire::timestamp")]
    pub(crate) created: DateTime<Utc>,
    pub(crate) deadline: Option<FileRequestDeadline>,
    pub(crate) is_open: bool,
    pub(crate) description: Option<String>,
    pub(crate) video_project_id: Option<String>,
}

/// One file or folder that appeared, changed or disappeared.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Change {
    pub(crate) version: u64,
    pub(crate) path_lower: String,
    /// Kept so that a deletion can still be reported with its display path.
    pub(crate) path_display: String,
}

/// A path component that is a file where a folder is needed.
#[derive(Debug)]
pub(crate) struct NotAFolder;

impl Store {
    pub(crate) fn new(account_type: AccountType) -> Self {
        Store {
            format: STATE_FORMAT,
            epoch: format!("{:016x}", fastrand::u64(..)),
            version: 0,
            account_type,
            rng: fastrand::Rng::with_seed(RNG_SEED),
            entries: BTreeMap::new(),
            requests: Vec::new(),
            next_request_seq: 1,
            journal: VecDeque::new(),
            journal_floor: 0,
        }
    }

    pub(crate) fn load(path: &Path) -> io::Result<Self> {
        let bytes = fs::read(path)?;
        let store: Store = serde_json::from_slice(&bytes).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not an emulator state file: {error}", path.display()),
            )
        })?;
        if store.format != STATE_FORMAT {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} has state format {}, this emulator reads format {STATE_FORMAT}",
                    path.display(),
                    store.format
                ),
            ));
        }
        Ok(store)
    }

    /// Starts a mutation: every change recorded under the returned version is
    /// seen by cursors issued before it.
    pub(crate) fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    /// Drops the journal, as if every change so far were older than any
    /// cursor. Used after seeding, whose hundreds of changes no client saw.
    pub(crate) fn forget_history(&mut self) {
        self.journal.clear();
        self.journal_floor = self.version;
    }

    fn record(&mut self, version: u64, path_display: &str) {
        self.journal.push_back(Change {
            version,
            path_lower: path_display.to_lowercase(),
            path_display: path_display.to_owned(),
        });
        while self.journal.len() > JOURNAL_CAPACITY {
            if let Some(dropped) = self.journal.pop_front() {
                self.journal_floor = self.journal_floor.max(dropped.version);
            }
        }
        // A version must leave the journal whole, or a cursor could see half
        // of one mutation.
        while self
            .journal
            .front()
            .is_some_and(|change| change.version <= self.journal_floor)
        {
            self.journal.pop_front();
        }
    }

    pub(crate) fn random_alphanumeric(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.alphanumeric()).collect()
    }

    /// 22 random alphanumerics carry about 130 bits: collisions need no check.
    fn new_entry_id(&mut self) -> String {
        format!("id:{}", self.random_alphanumeric(22))
    }

    fn new_rev(&mut self) -> String {
        // Dropbox revisions are at least nine lowercase hex digits.
        format!("{:015x}", self.rng.u64(..1 << 60))
    }

    pub(crate) fn entry(&self, path_lower: &str) -> Option<&Entry> {
        self.entries.get(path_lower)
    }

    pub(crate) fn entry_by_id(&self, id: &str) -> Option<&Entry> {
        self.entries.values().find(|entry| entry.id == id)
    }

    pub(crate) fn is_folder(&self, path_lower: &str) -> bool {
        path_lower.is_empty()
            || self
                .entry(path_lower)
                .is_some_and(|entry| matches!(entry.kind, EntryKind::Folder))
    }

    /// Everything below `folder_lower` ("" for the root), parents before children.
    pub(crate) fn descendants<'s>(
        &'s self,
        folder_lower: &str,
    ) -> impl Iterator<Item = (&'s String, &'s Entry)> + 's {
        let prefix = format!("{folder_lower}/");
        self.entries
            .range(prefix.clone()..)
            .take_while(move |(key, _)| key.starts_with(&prefix))
    }

    pub(crate) fn children<'s>(
        &'s self,
        folder_lower: &str,
    ) -> impl Iterator<Item = (&'s String, &'s Entry)> + 's {
        let depth = folder_lower.len() + 1;
        self.descendants(folder_lower)
            .filter(move |(key, _)| !key[depth..].contains('/'))
    }

    /// Fails if some existing component of `path_display` is a file, that is
    /// exactly when [`Store::ensure_folder`] would fail.
    pub(crate) fn check_folder_path(&self, path_display: &str) -> Result<(), NotAFolder> {
        let mut display = String::new();
        for component in path_display.split('/').filter(|c| !c.is_empty()) {
            display.push('/');
            display.push_str(component);
            if self
                .entry(&display.to_lowercase())
                .is_some_and(|entry| entry.file().is_some())
            {
                return Err(NotAFolder);
            }
        }
        Ok(())
    }

    /// Creates the folder at `path_display` and any missing parents, keeping
    /// the case of folders that already exist. Returns the folder's key and
    /// id. Creates nothing if it fails.
    pub(crate) fn ensure_folder(
        &mut self,
        path_display: &str,
        version: u64,
    ) -> Result<(String, String), NotAFolder> {
        self.check_folder_path(path_display)?;
        let mut display = String::new();
        let mut id = String::new();
        for component in path_display.split('/').filter(|c| !c.is_empty()) {
            display.push('/');
            display.push_str(component);
            let key = display.to_lowercase();
            if let Some(existing) = self.entries.get(&key) {
                display.clone_from(&existing.path_display);
                id.clone_from(&existing.id);
            } else {
                id = self.new_entry_id();
                self.entries.insert(
                    key,
                    Entry {
                        id: id.clone(),
                        path_display: display.clone(),
                        kind: EntryKind::Folder,
                    },
                );
                self.record(version, &display);
            }
        }
        Ok((display.to_lowercase(), id))
    }

    /// Stores a new file in an existing folder. Like a file request upload, it
    /// never overwrites: a taken name gets a ` (1)` style suffix.
    pub(crate) fn add_file(
        &mut self,
        folder_lower: &str,
        name: &str,
        content: Bytes,
        at: DateTime<Utc>,
        version: u64,
    ) -> FileMetadata {
        let folder_display = self
            .entry(folder_lower)
            .map(|folder| folder.path_display.clone())
            .unwrap_or_default();
        let name = self.free_name(folder_lower, name);
        let path_display = format!("{folder_display}/{name}");
        let at = wire::whole_seconds(at);
        let entry = Entry {
            id: self.new_entry_id(),
            path_display: path_display.clone(),
            kind: EntryKind::File(StoredFile {
                rev: self.new_rev(),
                client_modified: at,
                server_modified: at,
                content_hash: content_hash(&content),
                content,
            }),
        };
        let metadata = entry
            .file_metadata()
            .expect("the entry was just built as a file");
        self.entries.insert(path_display.to_lowercase(), entry);
        self.record(version, &path_display);
        metadata
    }

    fn free_name(&self, folder_lower: &str, name: &str) -> String {
        let taken = |candidate: &str| {
            self.entries
                .contains_key(&format!("{folder_lower}/{}", candidate.to_lowercase()))
        };
        if !taken(name) {
            return name.to_owned();
        }
        let (stem, extension) = split_extension(name);
        (1..)
            .map(|n| format!("{stem} ({n}){extension}"))
            .find(|candidate| !taken(candidate))
            .expect("some suffix is free")
    }

    /// Removes an entry and everything below it.
    pub(crate) fn remove_subtree(&mut self, path_lower: &str, version: u64) {
        let doomed: Vec<String> = self
            .descendants(path_lower)
            .map(|(key, _)| key.clone())
            .chain(std::iter::once(path_lower.to_owned()))
            .collect();
        for key in doomed {
            if let Some(entry) = self.entries.remove(&key) {
                self.record(version, &entry.path_display);
            }
        }
    }

    pub(crate) fn file_request(&self, id: &str) -> Option<&StoredRequest> {
        self.requests.iter().find(|request| request.id == id)
    }

    pub(crate) fn file_request_mut(&mut self, id: &str) -> Option<&mut StoredRequest> {
        self.requests.iter_mut().find(|request| request.id == id)
    }
}

/// Splits `essay.final.pdf` into `essay.final` and `.pdf`; a leading dot is
/// part of the name, not an extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

impl Entry {
    pub(crate) fn name(&self) -> &str {
        self.path_display
            .rsplit('/')
            .next()
            .unwrap_or(&self.path_display)
    }

    pub(crate) fn path_lower(&self) -> String {
        self.path_display.to_lowercase()
    }

    pub(crate) fn file(&self) -> Option<&StoredFile> {
        match &self.kind {
            EntryKind::File(file) => Some(file),
            EntryKind::Folder => None,
        }
    }

    pub(crate) fn file_metadata(&self) -> Option<FileMetadata> {
        let file = self.file()?;
        Some(
            FileMetadata::new(
                self.name().to_owned(),
                self.id.clone(),
                wire::format_timestamp(file.client_modified),
                wire::format_timestamp(file.server_modified),
                file.rev.clone(),
                file.content.len() as u64,
            )
            .with_path_lower(self.path_lower())
            .with_path_display(self.path_display.clone())
            .with_content_hash(file.content_hash.clone()),
        )
    }

    pub(crate) fn folder_metadata(&self) -> FolderMetadata {
        FolderMetadata::new(self.name().to_owned(), self.id.clone())
            .with_path_lower(self.path_lower())
            .with_path_display(self.path_display.clone())
    }

    pub(crate) fn metadata(&self) -> Metadata {
        match self.file_metadata() {
            Some(file) => Metadata::File(file),
            None => Metadata::Folder(self.folder_metadata()),
        }
    }
}

/// Persists the generator's position so ids stay unique and deterministic
/// across restarts.
mod seeded_rng {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        rng: &fastrand::Rng,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(rng.get_seed())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<fastrand::Rng, D::Error> {
        u64::deserialize(deserializer).map(fastrand::Rng::with_seed)
    }
}

/// What the HTTP handlers and the `Emulator` handle share.
pub(crate) struct Core {
    store: Mutex<Store>,
    /// Carries `Store::version`; long polls and the state file's writer wait
    /// on it.
    version: watch::Sender<u64>,
    state_file: Option<StateFile>,
    /// The fixed token (`--token`), which acts for the account's owner.
    pub(crate) token: String,
    token_revoked: AtomicBool,
    /// Codes and tokens of the OAuth endpoints, and team tokens.
    pub(crate) oauth: Tokens,
    pub(crate) faults: FaultQueue,
    /// Microseconds every API call waits before it is answered (see
    /// `EmulatorOptions::latency`).
    latency_micros: AtomicU64,
    shutdown: watch::Sender<bool>,
}

impl Core {
    pub(crate) fn new(
        store: Store,
        token: String,
        access_token_lifetime: std::time::Duration,
        state_file: Option<StateFile>,
    ) -> Self {
        let version = store.version;
        Core {
            store: Mutex::new(store),
            version: watch::Sender::new(version),
            state_file,
            token,
            token_revoked: AtomicBool::new(false),
            oauth: Tokens::new(access_token_lifetime),
            faults: FaultQueue::default(),
            latency_micros: AtomicU64::new(0),
            shutdown: watch::Sender::new(false),
        }
    }

    pub(crate) fn latency(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.latency_micros.load(Ordering::Relaxed))
    }

    pub(crate) fn set_latency(&self, latency: std::time::Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_micros.store(micros, Ordering::Relaxed);
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves the store as it was between
        // two statements; serving it is better than failing every later call.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&self.lock())
    }

    /// Runs a mutation; if it changed anything, wakes long polls and the
    /// state file's writer. Never touches the disk itself.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let (result, changed_to) = {
            let mut store = self.lock();
            let before = store.version;
            let result = f(&mut store);
            (result, (store.version != before).then_some(store.version))
        };
        if let Some(version) = changed_to {
            // Two writers may get here in either order; never go backwards.
            self.version
                .send_modify(|current| *current = (*current).max(version));
        }
        result
    }

    /// Waits until every change made so far is in the state file, if there
    /// is one.
    pub(crate) async fn flush(&self) -> io::Result<()> {
        match &self.state_file {
            Some(state_file) => state_file.flush().await,
            None => Ok(()),
        }
    }

    pub(crate) fn state_file(&self) -> Option<&StateFile> {
        self.state_file.as_ref()
    }

    pub(crate) fn watch_version(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    pub(crate) fn watch_shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Who `token` acts for: the fixed token and OAuth user tokens the owner,
    /// team tokens the team; or why it is refused.
    pub(crate) fn principal(&self, token: &str) -> Result<Principal, AuthError> {
        if token == self.token {
            return if self.token_revoked.load(Ordering::SeqCst) {
                Err(AuthError::InvalidAccessToken)
            } else {
                Ok(Principal::User)
            };
        }
        self.oauth.principal(token)
    }

    /// Revokes `token`, whichever kind it is.
    pub(crate) fn revoke(&self, token: &str) {
        if token == self.token {
            self.token_revoked.store(true, Ordering::SeqCst);
        } else {
            self.oauth.revoke(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(AccountType::Pro)
    }

    #[test]
    fn folders_are_created_with_parents_and_keep_existing_case() {
        let mut store = store();
        let version = store.next_version();
        let (key, _) = store.ensure_folder("/Courses/CS101", version).unwrap();
        assert_eq!(key, "/courses/cs101");
        let (key, _) = store
            .ensure_folder("/courses/cs101/Week 1", version)
            .unwrap();
        assert_eq!(key, "/courses/cs101/week 1");
        assert_eq!(
            store.entry(&key).unwrap().path_display,
            "/Courses/CS101/Week 1"
        );
        assert_eq!(store.journal.len(), 3);
    }

    #[test]
    fn a_file_in_the_way_is_not_a_folder() {
        let mut store = store();
        let version = store.next_version();
        store.ensure_folder("/a", version).unwrap();
        store.add_file("/a", "b", Bytes::from_static(b"x"), Utc::now(), version);
        assert!(store.ensure_folder("/a/b/c", version).is_err());
    }

    #[test]
    fn taken_names_get_numbered_suffixes() {
        let mut store = store();
        let version = store.next_version();
        store.ensure_folder("/hw", version).unwrap();
        let names: Vec<String> = (0..3)
            .map(|_| {
                store
                    .add_file(
                        "/hw",
                        "Zoë Müller - essay.pdf",
                        Bytes::new(),
                        Utc::now(),
                        version,
                    )
                    .name
            })
            .collect();
        assert_eq!(
            names,
            [
                "Zoë Müller - essay.pdf",
                "Zoë Müller - essay (1).pdf",
                "Zoë Müller - essay (2).pdf"
            ]
        );
        let upper = store.add_file(
            "/hw",
            "ZOË MÜLLER - ESSAY.PDF",
            Bytes::new(),
            Utc::now(),
            version,
        );
        assert_eq!(upper.name, "ZOË MÜLLER - ESSAY (3).PDF");
    }

    #[test]
    fn children_exclude_deeper_entries_and_similar_prefixes() {
        let mut store = store();
        let version = store.next_version();
        store.ensure_folder("/a/b", version).unwrap();
        store.ensure_folder("/a b", version).unwrap();
        store.add_file("/a", "f.txt", Bytes::new(), Utc::now(), version);
        let children: Vec<&String> = store.children("/a").map(|(key, _)| key).collect();
        assert_eq!(children, ["/a/b", "/a/f.txt"]);
        let root: Vec<&String> = store.children("").map(|(key, _)| key).collect();
        assert_eq!(root, ["/a", "/a b"]);
    }

    #[test]
    fn journal_trimming_never_splits_a_version() {
        let mut store = store();
        let version = store.next_version();
        store.ensure_folder("/keep", version).unwrap();
        for i in 0..JOURNAL_CAPACITY {
            let version = store.next_version();
            store.ensure_folder(&format!("/f{i}"), version).unwrap();
        }
        assert!(store.journal_floor >= 1);
        assert!(
            store
                .journal
                .iter()
                .all(|c| c.version > store.journal_floor)
        );
    }

    #[test]
    fn store_survives_a_round_trip_through_json() {
        let mut store = store();
        let version = store.next_version();
        store.ensure_folder("/x", version).unwrap();
        store.add_file(
            "/x",
            "ü.bin",
            Bytes::from_static(&[0, 255, 7]),
            Utc::now(),
            version,
        );
        let text = serde_json::to_vec(&store).unwrap();
        let back: Store = serde_json::from_slice(&text).unwrap();
        let file = back.entry("/x/ü.bin").and_then(Entry::file).unwrap();
        assert_eq!(&file.content[..], &[0, 255, 7]);
        assert_eq!(back.rng.get_seed(), store.rng.get_seed());
    }
}
