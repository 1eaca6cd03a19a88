//! The vault on disk: reading with a size cap, the advisory lock that
//! serialises writers, and the atomic save with rotated backups.
//!
//! It exists so that every byte written to the vault's folder goes through
//! one crash-safe path (temporary file, fsync, backup rotation, rename,
//! folder fsync), and so that no two writers (the app and the CLI, or two
//! CLIs) can lose each other's changes. See `docs/vault-format.md`,
//! section 8.
//!
//! The lock wait is the one place this crate reads a clock, and only the
//! monotonic one (`Instant`, through `recv_timeout`) to bound the wait.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;

use crate::error::VaultError;
use crate::format::{hex, MAX_FILE_LEN};

/// How many previous versions are kept (`NAME.1` newest .. `NAME.3`).
pub const BACKUPS_KEPT: u32 = 3;

/// How long a writer waits for another writer's lock by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// `NAME.n` beside the vault `NAME` (`n` = 1 is the newest backup).
pub fn backup_path(vault: &Path, n: u32) -> PathBuf {
    with_suffix(vault, &format!(".{n}"))
}

/// `NAME.lock` beside the vault `NAME`.
pub fn lock_path(vault: &Path) -> PathBuf {
    with_suffix(vault, ".lock")
}

/// The backups of `vault` that exist now, newest first.
pub fn list_backups(vault: &Path) -> Vec<PathBuf> {
    (1..=BACKUPS_KEPT)
        .map(|n| backup_path(vault, n))
        .filter(|p| p.is_file())
        .collect()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> VaultError + 'a {
    move |source| VaultError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// What reading a file gave.
pub(crate) enum ReadOutcome {
    /// The whole file.
    Bytes(Vec<u8>),
    /// The file is larger than the cap; only its size was read.
    TooLarge(u64),
}

/// Opens `path` for reading without blocking on it and only if it is a
/// regular file (after following symbolic links): a FIFO given as a file
/// would block the open forever, and a device such as `/dev/zero` would
/// be read until a cap. Every file Tessera reads a secret from comes
/// through here: vaults, their backups, password files.
pub fn open_regular_file(path: &Path) -> io::Result<(File, fs::Metadata)> {
    #[cfg(unix)]
    let file = {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
        )?;
        File::from(fd)
    };
    #[cfg(not(unix))]
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", file_kind(&metadata)),
        ));
    }
    Ok((file, metadata))
}

/// What a file that is not a regular one is, for messages.
fn file_kind(metadata: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if metadata.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Reads a whole file, refusing to read more than the format's cap.
pub(crate) fn read_capped(path: &Path) -> Result<ReadOutcome, VaultError> {
    let (file, metadata) = match open_regular_file(path) {
        Ok(opened) => opened,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VaultError::NotFound {
                path: path.to_owned(),
            })
        }
        Err(e) => return Err(io_err("open", path)(e)),
    };
    let len = metadata.len();
    if len > MAX_FILE_LEN {
        return Ok(ReadOutcome::TooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err("read", path))?;
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Ok(ReadOutcome::TooLarge(bytes.len() as u64));
    }
    Ok(ReadOutcome::Bytes(bytes))
}

/// The vault file `path` names, with every symbolic link resolved, so that
/// the lock and the atomic save happen beside the real file: saving
/// through a link would replace the link with a regular file and leave its
/// target stale, with one lock file beside each. A path that does not
/// exist yet keeps its name, its folder resolved.
pub fn real_vault_path(path: &Path) -> io::Result<PathBuf> {
    match fs::canonicalize(path) {
        Ok(real) => Ok(real),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                // A link whose target is missing: resolve what the link
                // names, so creating the vault creates the target.
                let target = fs::read_link(path)?;
                let target = match path.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
                return real_vault_path(&target);
            }
            let name = path.file_name().ok_or(e)?;
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => fs::canonicalize(p)?,
                _ => std::env::current_dir()?,
            };
            Ok(parent.join(name))
        }
        Err(e) => Err(e),
    }
}

/// Reads the vault file, mapping an oversized file to its error.
pub(crate) fn read_vault(path: &Path) -> Result<Vec<u8>, VaultError> {
    match read_capped(path)? {
        ReadOutcome::Bytes(b) => Ok(b),
        ReadOutcome::TooLarge(size) => Err(VaultError::TooLarge {
            path: path.to_owned(),
            size,
        }),
    }
}

/// An exclusive advisory lock on `NAME.lock`, released when dropped.
#[derive(Debug)]
pub(crate) struct VaultLock {
    _file: File,
}

/// Takes the writer lock of `vault`, waiting up to `timeout` for another
/// holder to finish.
///
/// The wait is a blocking lock call on a helper thread, so the operating
/// system hands the lock over as soon as it is released (a polling loop
/// could starve behind a writer that saves in a tight loop). If the wait
/// times out, the helper thread lets go of the lock as soon as it gets it.
pub(crate) fn lock(vault: &Path, timeout: Duration) -> Result<VaultLock, VaultError> {
    let path = lock_path(vault);
    let file = open_private(&path, false).map_err(io_err("open the lock file", &path))?;
    if FileExt::try_lock_exclusive(&file).map_err(io_err("lock", &path))? {
        return Ok(VaultLock { _file: file });
    }
    let start = Instant::now();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("tessera-vault-lock".into())
        .spawn(move || {
            let got = FileExt::lock_exclusive(&file).map(|()| file);
            // If the waiter gave up, dropping the file releases the lock.
            let _ = tx.send(got);
        })
        .map_err(io_err("start a thread to wait for", &path))?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(file)) => Ok(VaultLock { _file: file }),
        Ok(Err(e)) => Err(io_err("lock", &path)(e)),
        Err(_) => Err(VaultError::Busy {
            path: vault.to_owned(),
            waited: start.elapsed(),
        }),
    }
}

/// Opens (creating if needed) a file readable only by its owner on Unix.
fn open_private(path: &Path, create_new: bool) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true);
    if create_new {
        o.create_new(true);
    } else {
        o.create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// How [`write_atomic`] treats an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// Fail with [`VaultError::AlreadyExists`] if the vault exists.
    CreateNew,
    /// Replace the vault, keeping the old one as `NAME.1`.
    Replace,
    /// Replace the file without keeping the old one (rewriting a backup).
    Overwrite,
}

/// Writes `bytes` as the vault at `path` so that a crash leaves either the
/// old or the new file. Must be called with the vault's lock held.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: WriteMode) -> Result<(), VaultError> {
    let dir = parent_dir(path);
    let name = file_name(path)?;
    remove_stale_temps(&dir, &name);
    let tmp = write_temp(&dir, &name, bytes)?;
    let result = match mode {
        WriteMode::CreateNew => create_no_clobber(&tmp, path),
        WriteMode::Replace => rotate_backups(path, &dir, &name)
            .and_then(|()| fs::rename(&tmp, path).map_err(io_err("replace", path))),
        WriteMode::Overwrite => fs::rename(&tmp, path).map_err(io_err("replace", path)),
    };
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> Result<String, VaultError> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| VaultError::Io {
            action: "use",
            path: path.to_owned(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not a file path"),
        })
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// Writes a fresh temporary file beside the vault and fsyncs it.
fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, VaultError> {
    let suffix: [u8; 8] = crate::crypto::random_array().map_err(|_| VaultError::Random)?;
    let tmp = dir.join(format!("{}{}", temp_prefix(name), hex(&suffix)));
    let write = || -> io::Result<()> {
        let mut f = open_private(&tmp, true)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(io_err("write", &tmp)(e));
    }
    Ok(tmp)
}

/// Temporary files left by a writer that crashed. Only called under the
/// lock, when no other cooperating writer can be mid-save.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = temp_prefix(name);
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Moves the temporary file to `path` unless something is already there.
fn create_no_clobber(tmp: &Path, path: &Path) -> Result<(), VaultError> {
    let exists = || VaultError::AlreadyExists {
        path: path.to_owned(),
    };
    match fs::hard_link(tmp, path) {
        Ok(()) => {
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
        Err(_) => {
            // No hard links here (some network or FAT file systems): the
            // lock still keeps cooperating writers out.
            if fs::symlink_metadata(path).is_ok() {
                return Err(exists());
            }
            fs::rename(tmp, path).map_err(io_err("create", path))
        }
    }
}

/// `NAME.2` → `NAME.3`, `NAME.1` → `NAME.2`, then `NAME` is linked (or
/// copied) as `NAME.1`. `NAME` itself stays in place throughout.
fn rotate_backups(path: &Path, dir: &Path, name: &str) -> Result<(), VaultError> {
    for n in (1..BACKUPS_KEPT).rev() {
        let from = backup_path(path, n);
        match fs::rename(&from, backup_path(path, n + 1)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("rotate the backup", &from)(e)),
        }
    }
    let newest = backup_path(path, 1);
    match fs::hard_link(path, &newest) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(_) => {
            let bytes = match read_capped(path)? {
                ReadOutcome::Bytes(b) => b,
                ReadOutcome::TooLarge(_) => return Ok(()),
            };
            let tmp = write_temp(dir, name, &bytes)?;
            fs::rename(&tmp, &newest).map_err(|e| {
                let _ = fs::remove_file(&tmp);
                io_err("write the backup", &newest)(e)
            })
        }
    }
}

/// Makes the folder's new entries durable (Unix; a no-op elsewhere).
fn sync_dir(dir: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err("sync the folder", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir() -> PathBuf {
        let suffix: [u8; 8] = crate::crypto::random_array().unwrap();
        let d = std::env::temp_dir().join(format!("tessera-store-{}", hex(&suffix)));
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn read(p: &Path) -> Vec<u8> {
        fs::read(p).unwrap()
    }

    #[test]
    fn paths() {
        let v = Path::new("/a/b/vault.tessera");
        assert_eq!(backup_path(v, 1), Path::new("/a/b/vault.tessera.1"));
        assert_eq!(lock_path(v), Path::new("/a/b/vault.tessera.lock"));
        assert_eq!(parent_dir(Path::new("vault")), Path::new("."));
    }

    #[test]
    fn create_then_rotate_three_backups() {
        let d = tmpdir();
        let v = d.join("v");
        write_atomic(&v, b"0", WriteMode::CreateNew).unwrap();
        assert!(matches!(
            write_atomic(&v, b"x", WriteMode::CreateNew),
            Err(VaultError::AlreadyExists { .. })
        ));
        assert_eq!(read(&v), b"0");
        for i in 1..=5u8 {
            write_atomic(&v, &[b'0' + i], WriteMode::Replace).unwrap();
        }
        assert_eq!(read(&v), b"5");
        assert_eq!(read(&backup_path(&v, 1)), b"4");
        assert_eq!(read(&backup_path(&v, 2)), b"3");
        assert_eq!(read(&backup_path(&v, 3)), b"2");
        assert!(!backup_path(&v, 4).exists());
        assert_eq!(list_backups(&v).len(), 3);
        // No temporary files are left.
        let names: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&v).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_temps_are_removed_on_save() {
        let d = tmpdir();
        let v = d.join("v");
        write_atomic(&v, b"0", WriteMode::CreateNew).unwrap();
        fs::write(d.join(".v.tmp-deadbeef"), b"junk").unwrap();
        fs::write(d.join(".other.tmp-deadbeef"), b"keep").unwrap();
        write_atomic(&v, b"1", WriteMode::Replace).unwrap();
        assert!(!d.join(".v.tmp-deadbeef").exists());
        assert!(d.join(".other.tmp-deadbeef").exists());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn size_cap() {
        let d = tmpdir();
        let v = d.join("big");
        let f = File::create(&v).unwrap();
        f.set_len(MAX_FILE_LEN + 1).unwrap();
        assert!(matches!(read_capped(&v), Ok(ReadOutcome::TooLarge(_))));
        assert!(matches!(
            read_capped(&d.join("missing")),
            Err(VaultError::NotFound { .. })
        ));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn lock_excludes_and_times_out() {
        let d = tmpdir();
        let v = d.join("v");
        let held = lock(&v, Duration::from_secs(1)).unwrap();
        let start = Instant::now();
        let err = lock(&v, Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, VaultError::Busy { .. }), "{err}");
        assert!(start.elapsed() >= Duration::from_millis(200));
        // Released on drop, and handed to a waiter.
        let waiter = {
            let v = v.clone();
            std::thread::spawn(move || lock(&v, Duration::from_secs(5)).map(drop))
        };
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
        waiter.join().unwrap().unwrap();
        // The timed-out helper thread must not keep the lock forever.
        lock(&v, Duration::from_secs(5)).unwrap();
        fs::remove_dir_all(&d).unwrap();
    }
}
