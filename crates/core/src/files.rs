//! Files and folders Tessera writes outside the vault: the vault's own
//! folder, exports, QR images. They are private to the user (folders 0700,
//! files 0600 on Unix), never overwrite anything, and reach the disk
//! (fsync) before the user is told they were written.
//!
//! It exists so that an export written by the app and one written by the
//! command line get the same protection.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::CoreError;

/// Creates `folder` and its missing parents, readable by the user only.
/// An existing folder is kept as it is.
pub fn create_private_dir_all(folder: &Path) -> Result<(), CoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|source| CoreError::Io {
        action: "create the folder",
        path: folder.to_owned(),
        source,
    })
}

/// Creates the new folder `folder` (which must not exist), readable by the
/// user only.
pub fn create_private_dir(folder: &Path) -> Result<(), CoreError> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|source| CoreError::Io {
        action: "create",
        path: folder.to_owned(),
        source,
    })
}

/// Writes `bytes` to the new file `path` (which must not exist), readable
/// by the user only, and syncs it to disk.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|source| CoreError::Io {
        action: "create",
        path: path.to_owned(),
        source,
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| CoreError::Io {
            action: "write",
            path: path.to_owned(),
            source,
        })
}

/// A name in `folder` that nothing uses yet: `STEM-DAY.EXT`, then
/// `STEM-DAY-2.EXT` and so on (`DAY` is the UTC date of `now`). Without an
/// extension it names a folder.
pub fn free_name(folder: &Path, stem: &str, extension: Option<&str>, now: u64) -> PathBuf {
    let day = tessera_transfer::paper::utc_date(now);
    let dot_extension = extension.map(|e| format!(".{e}")).unwrap_or_default();
    (1u64..)
        .map(|n| {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            folder.join(format!("{stem}-{day}{suffix}{dot_extension}"))
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("an unbounded search finds a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_reuse_a_file_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_795_392_000;
        let first = free_name(dir.path(), "tessera-export", Some("pdf"), now);
        assert_eq!(first.file_name().unwrap(), "tessera-export-2026-11-23.pdf");
        write_private_file(&first, b"x").unwrap();
        assert!(
            write_private_file(&first, b"y").is_err(),
            "never over a file"
        );
        let second = free_name(dir.path(), "tessera-export", Some("pdf"), now);
        assert_eq!(
            second.file_name().unwrap(),
            "tessera-export-2026-11-23-2.pdf"
        );
        let folder = free_name(dir.path(), "tessera-export", None, now);
        assert_eq!(folder.file_name().unwrap(), "tessera-export-2026-11-23");
        create_private_dir(&folder).unwrap();
        assert!(
            create_private_dir(&folder).is_err(),
            "never an existing folder"
        );
    }

    #[cfg(unix)]
    #[test]
    fn what_is_written_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b");
        create_private_dir_all(&folder).unwrap();
        let file = folder.join("f");
        write_private_file(&file, b"secret").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&file), 0o600);
    }
}
