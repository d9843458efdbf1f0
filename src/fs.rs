//! The one way handin writes a file of its own: private (0700 folders, 0600 files, whatever
//! the umask), created without following symbolic links, and, for files that are replaced
//! whole, atomically (a temporary file beside the target, synced, renamed over it, the
//! folder synced). Another user of a lab machine may plant files and links where handin
//! writes; every open here refuses to follow them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Mode of every folder handin creates.
pub const PRIVATE_DIR: u32 = 0o700;
/// Mode of every file handin creates.
pub const PRIVATE_FILE: u32 = 0o600;

fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
}

/// Creates `path` and any missing parents with mode 0700. Folders that already exist are
/// left as they are (the professor's home, a download folder they chose).
pub fn create_private_dir_all(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR)
        .create(path)
}

/// Creates a new file at `path` (it must not exist, and a link there is refused), mode
/// 0600, for writing.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    let file = no_follow(
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_FILE),
    )
    .open(path)?;
    Ok(file)
}

/// Opens `path` for writing without truncating it (a partial download to resume),
/// creating it 0600 when missing; a link at `path` is refused, and so is a file that is
/// not a regular file or not this user's.
pub fn open_private_write(path: &Path) -> io::Result<File> {
    let file = no_follow(
        OpenOptions::new()
            .write(true)
            .create(true)
            .mode(PRIVATE_FILE),
    )
    .open(path)?;
    check_own_regular(&file, path)?;
    Ok(file)
}

/// Opens `path` for appending (a log), creating it 0600; a link is refused, and a file
/// another user made is refused. An existing file of ours that is readable by others is
/// made private.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let file = no_follow(
        OpenOptions::new()
            .append(true)
            .create(true)
            .mode(PRIVATE_FILE),
    )
    .open(path)?;
    check_own_regular(&file, path)?;
    make_private(&file)?;
    Ok(file)
}

/// Opens an existing file for reading without following a link at `path`.
pub fn open_read_no_follow(path: &Path) -> io::Result<File> {
    no_follow(OpenOptions::new().read(true)).open(path)
}

fn check_own_regular(file: &File, path: &Path) -> io::Result<()> {
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    if metadata.uid() != current_uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} belongs to another user (uid {}); handin writes only its own files",
                path.display(),
                metadata.uid()
            ),
        ));
    }
    Ok(())
}

fn make_private(file: &File) -> io::Result<()> {
    let mode = file.metadata()?.mode() & 0o777;
    if mode & 0o077 != 0 {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE))?;
    }
    Ok(())
}

/// Makes a folder of this user's that others can enter or read private (0700): handin's
/// data folder, which versions before 0.1.0 created with the umask's mode. A folder of
/// another user's, or a link, is left alone.
pub fn make_own_dir_private(path: &Path) -> io::Result<()> {
    let metadata = fs::symlink_metadata(path)?;
    if metadata.file_type().is_dir()
        && metadata.uid() == current_uid()
        && metadata.mode() & 0o077 != 0
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(path, fs::Permissions::from_mode(PRIVATE_DIR))?;
    }
    Ok(())
}

/// This process's user id.
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// A temporary name beside `path` that no other writer picks: hidden, the process, a
/// sequence number and random letters.
fn temporary_beside(path: &Path) -> io::Result<PathBuf> {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let random: String = (0..8).map(|_| fastrand::alphanumeric()).collect();
    Ok(folder_of(path).join(format!(
        ".{}.{}-{}-{random}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    )))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Replaces `path` with `bytes` so that a reader, or a restart after a crash, sees the old
/// contents or the new ones and never half. The file is 0600 and a link at `path` is
/// replaced, never followed. The folder is created (0700) when missing.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with_mode(path, bytes, PRIVATE_FILE)
}

/// Like [`write_private_atomically`], but a regular file already at `path` keeps its
/// permission bits: the professor chose them for a file they edit themselves (the
/// configuration). A new file, or a link that is replaced, gets 0600.
pub fn replace_keeping_mode(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mode = match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_file() => metadata.mode() & 0o7777,
        Ok(_) => PRIVATE_FILE,
        Err(error) if error.kind() == io::ErrorKind::NotFound => PRIVATE_FILE,
        Err(error) => return Err(error),
    };
    write_atomically_with_mode(path, bytes, mode)
}

/// How many links in a row [`resolve_own_link`] follows before it calls it a loop, as the
/// kernel's own limit for a path does.
const MAX_LINK_HOPS: usize = 40;

/// The file a save at `path` should replace. A file the professor keeps in their dotfiles
/// is often a symbolic link at the usual place; replacing the link with a regular file
/// would quietly detach it from their dotfiles, so a link of this user's is followed (link
/// by link) to its target. Every link on the way, the target's folder and the target, when
/// it exists, must be this user's: a link or folder another user owns could send the
/// professor's settings, or the rename, somewhere that user chose. `path` itself when it is
/// no link, or missing.
pub fn resolve_own_link(path: &Path) -> io::Result<PathBuf> {
    resolve_link_owned_by(path, current_uid())
}

fn resolve_link_owned_by(path: &Path, uid: u32) -> io::Result<PathBuf> {
    let refuse = |what: &Path, kind: &str, owner: u32| {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is {kind} of another user's (uid {owner}), so handin will not write through it; remove it or point handin at a file of your own",
                what.display()
            ),
        )
    };
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                if metadata.uid() != uid {
                    return Err(refuse(&current, "a link", metadata.uid()));
                }
                let target = fs::read_link(&current)?;
                current = folder_of(&current).join(target);
                continue;
            }
            // No link at all: the atomic write's own rules are enough.
            Ok(_) | Err(_) if current == path => return Ok(current),
            Ok(metadata) => {
                if metadata.uid() != uid {
                    return Err(refuse(&current, "a file", metadata.uid()));
                }
                if !metadata.is_file() {
                    return Err(io::Error::other(format!(
                        "{} is not a regular file; point handin at a file",
                        current.display()
                    )));
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        let folder = folder_of(&current);
        let folder_metadata = fs::metadata(folder)?;
        if folder_metadata.uid() != uid {
            return Err(refuse(folder, "a folder", folder_metadata.uid()));
        }
        return Ok(current);
    }
    Err(io::Error::other(format!(
        "{} leads through more than {MAX_LINK_HOPS} links; point handin at the file itself",
        path.display()
    )))
}

fn write_atomically_with_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let folder = folder_of(path);
    create_private_dir_all(folder)?;
    let temporary = temporary_beside(path)?;
    let written = create_new_private(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            if mode != PRIVATE_FILE {
                use std::os::unix::fs::PermissionsExt as _;
                file.set_permissions(fs::Permissions::from_mode(mode))?;
            }
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = written {
        // Never leave a copy (perhaps of a secret) behind under another name.
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    // The rename is durable once the folder's entry is on disk; a file system that
    // refuses to sync a folder does not undo a completed write.
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// As [`write_private_atomically`], into a folder that must already be there (an export
/// to a folder the user named, where a typo should make nothing; a state file whose
/// folder was removed): a missing folder is an error, never made.
pub fn write_private_atomically_into_existing_folder(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if !folder_of(path).is_dir() {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }
    write_private_atomically(path, bytes)
}

/// An exclusive lock on a file, held until dropped: read-modify-write of a shared file
/// (the configuration, the credentials) happens under it, so two handin processes never
/// lose each other's change.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// Locks `<path>.lock` (created 0600 beside `path`), waiting for another holder.
pub fn lock_beside(path: &Path) -> io::Result<FileLock> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let folder = folder_of(path);
    create_private_dir_all(folder)?;
    let lock_path = folder.join(format!(".{}.lock", name.to_string_lossy()));
    let file = no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .mode(PRIVATE_FILE),
    )
    .open(&lock_path)?;
    check_own_regular(&file, &lock_path)?;
    use std::os::fd::AsRawFd as _;
    loop {
        // SAFETY: flock on a file descriptor this function owns.
        let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if result == 0 {
            return Ok(FileLock { _file: file });
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Why a folder handin was about to use is not safe for it.
#[derive(Debug, thiserror::Error)]
pub enum UnsafeFolder {
    #[error(
        "{path} belongs to another user (uid {owner}); handin will not write there. Remove it or choose another folder."
    )]
    NotOurs { path: PathBuf, owner: u32 },
    #[error(
        "{path} can be written by other users (mode {mode:o}); handin will not put private files there. Run chmod 700 on it or choose another folder."
    )]
    WritableByOthers { path: PathBuf, mode: u32 },
    #[error(
        "{path} is a link or not a folder; handin will not follow it. Remove it or choose another folder."
    )]
    NotAFolder { path: PathBuf },
    #[error("{path} could not be created: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Makes sure `path` is a private folder of this user's: created 0700 when missing,
/// refused (never followed, never chmodded) when it is a link, another user's, or
/// writable by the group or others. For scratch folders in shared places such as /tmp.
pub fn ensure_private_dir(path: &Path) -> Result<(), UnsafeFolder> {
    match fs::DirBuilder::new().mode(PRIVATE_DIR).create(path) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        Err(source) => {
            return Err(UnsafeFolder::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let metadata = fs::symlink_metadata(path).map_err(|source| UnsafeFolder::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if !metadata.file_type().is_dir() {
        return Err(UnsafeFolder::NotAFolder {
            path: path.to_path_buf(),
        });
    }
    if metadata.uid() != current_uid() {
        return Err(UnsafeFolder::NotOurs {
            path: path.to_path_buf(),
            owner: metadata.uid(),
        });
    }
    let mode = metadata.mode() & 0o7777;
    if writable_by_others(mode, metadata.gid()) {
        return Err(UnsafeFolder::WritableByOthers {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Whether users other than this one may write in a folder of `mode` and group `gid`.
/// A folder writable by its group is fine when that group is this user's own primary
/// group: where each user has a private group (Debian and Ubuntu with umask 002), that is
/// what `mkdir` makes, and nobody else is in it.
fn writable_by_others(mode: u32, gid: u32) -> bool {
    // SAFETY: getgid has no preconditions and cannot fail.
    let own_group = unsafe { libc::getgid() };
    mode & 0o002 != 0 || (mode & 0o020 != 0 && gid != own_group)
}

/// Makes `folder`, which lies under `root`, and every folder between them, each a private
/// folder of this user's: a missing one is created 0700, and one that is a link, another
/// user's or writable by others is refused, since whoever may write in a folder may swap
/// the files handin puts there or plant a link that sends them elsewhere. `root` itself
/// may be a link of this user's own (a download folder on a bigger disk).
pub fn private_dirs_under(root: &Path, folder: &Path) -> Result<(), UnsafeFolder> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UnsafeFolder::Io { path, source }
    };
    let below = folder.strip_prefix(root).map_err(|_| UnsafeFolder::Io {
        path: folder.to_path_buf(),
        source: io::Error::other(format!("it is not under {}", root.display())),
    })?;
    let mut resolved = root.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        match fs::symlink_metadata(&resolved) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                if metadata.uid() != current_uid() {
                    return Err(UnsafeFolder::NotOurs {
                        path: resolved,
                        owner: metadata.uid(),
                    });
                }
                let target = fs::read_link(&resolved).map_err(io_error(&resolved))?;
                resolved = folder_of(&resolved).join(target);
            }
            _ => break,
        }
    }
    if let Some(parent) = resolved.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir_all(parent).map_err(io_error(parent))?;
    }
    ensure_private_dir(&resolved)?;
    let mut current = resolved;
    for component in below.components() {
        current.push(component);
        ensure_private_dir(&current)?;
    }
    Ok(())
}

/// A fresh private folder under `parent` named `<prefix>-<random>` (as mkdtemp makes),
/// created 0700; never an existing one.
pub fn fresh_private_dir(parent: &Path, prefix: &str) -> io::Result<PathBuf> {
    for _ in 0..16 {
        let random: String = (0..10).map(|_| fastrand::alphanumeric()).collect();
        let path = parent.join(format!("{prefix}-{random}"));
        match fs::DirBuilder::new().mode(PRIVATE_DIR).create(&path) {
            Ok(()) => return Ok(path),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::other(format!(
        "could not make a fresh folder under {}",
        parent.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn an_atomic_write_is_private_whatever_the_umask() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested/grades.json");
        write_private_atomically(&path, b"first").expect("written");
        write_private_atomically(&path, b"second").expect("rewritten");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("nested")), 0o700);
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("nested"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn a_write_into_an_existing_folder_makes_no_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("typo/grades.csv");
        let refused =
            write_private_atomically_into_existing_folder(&missing, b"x").expect_err("no folder");
        assert_eq!(refused.kind(), io::ErrorKind::NotFound);
        assert!(!dir.path().join("typo").exists());
        let path = dir.path().join("grades.csv");
        write_private_atomically_into_existing_folder(&path, b"x").expect("written");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn an_atomic_write_replaces_a_planted_link_and_never_writes_through_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("bashrc");
        fs::write(&victim, "original").expect("victim");
        let path = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&victim, &path).expect("plant");
        write_private_atomically(&path, b"mine").expect("written");
        assert_eq!(fs::read_to_string(&victim).expect("victim"), "original");
        assert!(!fs::symlink_metadata(&path).expect("meta").is_symlink());
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_new_one_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        replace_keeping_mode(&path, b"new").expect("created");
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        replace_keeping_mode(&path, b"again").expect("replaced");
        assert_eq!(fs::read(&path).expect("read"), b"again");
        assert_eq!(mode(&path), 0o640);
        let victim = dir.path().join("bashrc");
        fs::write(&victim, "original").expect("victim");
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).expect("chmod");
        let link = dir.path().join("linked.toml");
        std::os::unix::fs::symlink(&victim, &link).expect("plant");
        replace_keeping_mode(&link, b"mine").expect("replaced");
        assert_eq!(fs::read_to_string(&victim).expect("victim"), "original");
        assert_eq!(mode(&link), 0o600);
    }

    #[test]
    fn a_link_of_ours_is_followed_to_its_target_and_anothers_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dotfiles = dir.path().join("dotfiles");
        fs::create_dir(&dotfiles).expect("dotfiles");
        let target = dotfiles.join("handin.toml");
        fs::write(&target, "bell = true\n").expect("target");
        let config_dir = dir.path().join("config");
        fs::create_dir(&config_dir).expect("config dir");
        let link = config_dir.join("config.toml");
        std::os::unix::fs::symlink("../dotfiles/handin.toml", &link).expect("link");
        let chained = config_dir.join("chained.toml");
        std::os::unix::fs::symlink(&link, &chained).expect("chain");
        assert_eq!(
            resolve_own_link(&link)
                .expect("ours")
                .canonicalize()
                .expect("exists"),
            target.canonicalize().expect("exists")
        );
        assert_eq!(
            resolve_own_link(&chained)
                .expect("ours")
                .canonicalize()
                .expect("exists"),
            target.canonicalize().expect("exists")
        );
        let plain = config_dir.join("plain.toml");
        assert_eq!(resolve_own_link(&plain).expect("missing is fine"), plain);
        fs::write(&plain, "").expect("plain");
        assert_eq!(resolve_own_link(&plain).expect("a file"), plain);
        let dangling = config_dir.join("dangling.toml");
        std::os::unix::fs::symlink(dotfiles.join("new.toml"), &dangling).expect("dangling");
        assert_eq!(
            resolve_own_link(&dangling).expect("folder ours"),
            dotfiles.join("new.toml")
        );

        let someone_else = current_uid().wrapping_add(1);
        let refused = resolve_link_owned_by(&link, someone_else).expect_err("not theirs");
        assert_eq!(refused.kind(), io::ErrorKind::PermissionDenied);
        assert!(
            refused.to_string().contains("a link of another user's"),
            "{refused}"
        );
        let looping = config_dir.join("loop.toml");
        std::os::unix::fs::symlink("loop.toml", &looping).expect("loop");
        assert!(resolve_own_link(&looping).is_err());
    }

    #[test]
    fn a_link_to_a_file_or_folder_of_another_user_is_refused() {
        // Only root can give a file away; elsewhere the rule is checked by asking as
        // another user about files of this one.
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("theirs.toml");
        fs::write(&target, "").expect("target");
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        if current_uid() == 0 {
            std::os::unix::fs::chown(&target, Some(65534), None).expect("give away");
            let refused = resolve_own_link(&link).expect_err("their file");
            assert!(
                refused.to_string().contains("a file of another user's"),
                "{refused}"
            );
            fs::remove_file(&target).expect("remove");
            std::os::unix::fs::chown(dir.path(), Some(65534), None).expect("give away");
            let refused = resolve_own_link(&link).expect_err("their folder");
            assert!(
                refused.to_string().contains("a folder of another user's"),
                "{refused}"
            );
            std::os::unix::fs::lchown(&link, Some(65534), None).expect("give away");
            let refused = resolve_own_link(&link).expect_err("their link");
            assert!(
                refused.to_string().contains("a link of another user's"),
                "{refused}"
            );
        } else {
            let refused =
                resolve_link_owned_by(&link, current_uid().wrapping_add(1)).expect_err("theirs");
            assert_eq!(refused.kind(), io::ErrorKind::PermissionDenied);
        }
    }

    #[test]
    fn opening_for_resume_or_append_refuses_a_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("bashrc");
        fs::write(&victim, "original").expect("victim");
        let part = dir.path().join("essay.pdf.part");
        std::os::unix::fs::symlink(&victim, &part).expect("plant");
        assert!(open_private_write(&part).is_err());
        assert!(open_private_append(&part).is_err());
        assert!(create_new_private(&part).is_err());
        assert_eq!(fs::read_to_string(&victim).expect("victim"), "original");
    }

    #[test]
    fn an_existing_log_readable_by_others_is_made_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("handin.log");
        fs::write(&log, "old\n").expect("log");
        fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).expect("chmod");
        drop(open_private_append(&log).expect("opened"));
        assert_eq!(mode(&log), 0o600);
    }

    #[test]
    fn a_scratch_folder_writable_by_others_or_a_link_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let open = dir.path().join("open");
        fs::create_dir(&open).expect("mkdir");
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).expect("chmod");
        let refused = ensure_private_dir(&open).expect_err("writable by others");
        assert!(refused.to_string().contains("chmod 700"), "{refused}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).expect("link");
        assert!(matches!(
            ensure_private_dir(&link),
            Err(UnsafeFolder::NotAFolder { .. })
        ));
        let fresh = dir.path().join("fresh");
        ensure_private_dir(&fresh).expect("created");
        assert_eq!(mode(&fresh), 0o700);
        ensure_private_dir(&fresh).expect("ours already");
    }

    #[test]
    fn folders_under_a_root_are_made_private_and_an_open_one_on_the_way_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("downloads");
        let folder = root.join("CS101/Essay/Ada Lovelace");
        private_dirs_under(&root, &folder).expect("made");
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&root.join("CS101")), 0o700);
        private_dirs_under(&root, &folder).expect("ours already");

        fs::set_permissions(root.join("CS101"), fs::Permissions::from_mode(0o777)).expect("chmod");
        let refused = private_dirs_under(&root, &folder).expect_err("open on the way");
        assert!(refused.to_string().contains("CS101"), "{refused}");
        fs::set_permissions(root.join("CS101"), fs::Permissions::from_mode(0o700)).expect("chmod");

        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).expect("mkdir");
        fs::remove_dir(root.join("CS101/Essay/Ada Lovelace")).expect("rmdir");
        std::os::unix::fs::symlink(&elsewhere, root.join("CS101/Essay/Ada Lovelace"))
            .expect("plant");
        assert!(matches!(
            private_dirs_under(&root, &folder),
            Err(UnsafeFolder::NotAFolder { .. })
        ));

        // The professor's own link as the root (a bigger disk) is followed.
        let disk = dir.path().join("disk");
        fs::create_dir(&disk).expect("mkdir");
        let linked_root = dir.path().join("linked");
        std::os::unix::fs::symlink(&disk, &linked_root).expect("link");
        private_dirs_under(&linked_root, &linked_root.join("CS101")).expect("followed");
        assert!(disk.join("CS101").is_dir());
    }

    #[test]
    fn a_folder_writable_by_the_users_own_group_is_not_open_to_others() {
        // SAFETY: getgid has no preconditions and cannot fail.
        let own = unsafe { libc::getgid() };
        assert!(!writable_by_others(0o775, own));
        assert!(writable_by_others(0o775, own.wrapping_add(1)));
        assert!(writable_by_others(0o757, own));
        assert!(!writable_by_others(0o755, own.wrapping_add(1)));
    }

    #[test]
    fn fresh_folders_are_new_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = fresh_private_dir(dir.path(), "handin-demo").expect("a");
        let b = fresh_private_dir(dir.path(), "handin-demo").expect("b");
        assert_ne!(a, b);
        assert_eq!(mode(&a), 0o700);
    }

    #[test]
    fn two_locks_on_one_file_take_turns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        let counter = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let path = path.clone();
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let _lock = lock_beside(&path).expect("lock");
                    counter.lock().expect("counter").push((i, "in"));
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    counter.lock().expect("counter").push((i, "out"));
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("join");
        }
        let events = counter.lock().expect("counter").clone();
        for pair in events.chunks(2) {
            assert_eq!(pair[0].0, pair[1].0, "interleaved: {events:?}");
        }
    }
}
