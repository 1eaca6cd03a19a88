//! The rotated backups `NAME.1` to `NAME.3` as an unreadable vault's error
//! reports them: which exist, and which open instead.
//!
//! It exists so that the error for a vault that does not open can point at
//! the backups worth trying, tried with the same password or key. Writing
//! and rotating the backups is `store.rs`'s job; this module only reads
//! them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::crypto::Key32;
use crate::error::{ImageError, VaultError};
use crate::format;
use crate::seal::{decrypt, OpenFailure};
use crate::slots::{SlotFailure, Unlocker};
use crate::store::{self, list_backups};

/// Which backups of a vault exist and which of them open with the key or
/// password that was tried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupReport {
    /// Backups that exist, newest first.
    pub existing: Vec<PathBuf>,
    /// Of those, the ones that open (authenticate and decrypt) with the
    /// key or password that was tried, newest first.
    pub openable: Vec<PathBuf>,
    /// False if no key was at hand to try them with (for instance when
    /// only reading the header); then `openable` is empty.
    pub tried: bool,
}

impl BackupReport {
    /// The backups of `path` that exist, for an error where no key was at
    /// hand to try them with (reading only the header).
    pub(crate) fn untried(path: &Path) -> Self {
        BackupReport {
            existing: list_backups(path),
            openable: Vec::new(),
            tried: false,
        }
    }

    /// Text for errors where the vault itself could not be read.
    pub(crate) fn for_damage(&self) -> String {
        if !self.openable.is_empty() {
            format!("backups that open: {}", join(&self.openable))
        } else if self.existing.is_empty() {
            "there are no backups".to_owned()
        } else if !self.tried {
            format!("backups: {}", join(&self.existing))
        } else {
            format!(
                "no backup opens with this key either ({} tried)",
                join(&self.existing)
            )
        }
    }

    /// Text added to a wrong-password error.
    pub(crate) fn for_wrong_password(&self) -> String {
        if self.openable.is_empty() {
            String::new()
        } else {
            format!(
                "; note: {} open with this password (an older password, or the vault's password slot is damaged)",
                join(&self.openable)
            )
        }
    }
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.for_damage())
    }
}

fn join(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error for the vault at `path` that did not open, reporting the
/// backups that open instead: tried with `unlocker` if no slot opened or the
/// file could not be parsed, with the unwrapped master key if the body did
/// not decrypt, not at all if the slot could not be tried (no such slot,
/// refused KDF parameters, keyring failures).
pub(crate) fn open_error(
    path: &Path,
    failure: OpenFailure,
    unlocker: &mut Unlocker<'_>,
) -> VaultError {
    let backups = match &failure {
        OpenFailure::Format(_) | OpenFailure::Slot(SlotFailure::WrongPassword) => {
            scan_backups(path, None, Some(unlocker))
        }
        OpenFailure::Slot(_) => BackupReport::default(),
        OpenFailure::Body { master, .. } => scan_backups(path, Some(master), None),
    };
    ImageError::from(failure).at(path, backups)
}

/// Tries every existing backup of `path`: first with `master` if known,
/// then with `unlocker`. Backups are only read.
fn scan_backups(
    path: &Path,
    master: Option<&Key32>,
    mut unlocker: Option<&mut Unlocker<'_>>,
) -> BackupReport {
    let mut known = master.cloned();
    let mut report = BackupReport {
        tried: true,
        ..BackupReport::default()
    };
    for backup in list_backups(path) {
        let opens = (|| {
            let bytes = match store::read_capped(&backup).ok()? {
                store::ReadOutcome::Bytes(b) => b,
                store::ReadOutcome::TooLarge(_) => return None,
            };
            let parsed = format::parse(&bytes).ok()?;
            if let Some(k) = &known {
                if decrypt(k, &parsed).is_ok() {
                    return Some(());
                }
            }
            let k = unlocker.as_mut()?.unlock(&parsed.header).ok()?;
            decrypt(&k, &parsed).ok()?;
            known = Some(k);
            Some(())
        })()
        .is_some();
        if opens {
            report.openable.push(backup.clone());
        }
        report.existing.push(backup);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use crate::model::Contents;
    use crate::slots::inspect;
    use crate::store::backup_path;
    use crate::test_support::{add, names, opts, pw, tmpdir, NOW};
    use crate::unlocked::UnlockedVault;

    #[test]
    fn damaged_file_names_the_backups_that_open() {
        let d = tmpdir();
        let path = d.join("vault.tessera");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        for n in ["1", "2", "3", "4"] {
            add(&mut v, n);
        }
        assert_eq!(list_backups(&path).len(), 3);
        let flip = |p: &Path, at_end: bool| {
            let mut b = fs::read(p).unwrap();
            let i = if at_end { b.len() - 1 } else { 3 };
            b[i] ^= 1;
            fs::write(p, b).unwrap();
        };
        flip(&path, true);
        flip(&backup_path(&path, 2), true);
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        let VaultError::Damaged {
            backups, reason, ..
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(reason, "body fails authentication");
        assert_eq!(
            backups.openable,
            [backup_path(&path, 1), backup_path(&path, 3)]
        );
        let msg = e.to_string();
        assert!(!msg.contains('\n'));
        assert!(
            msg.starts_with(&format!("{} is damaged", path.display())),
            "{msg}"
        );
        assert!(msg.contains("vault.tessera.1, "), "{msg}");
        // The damaged file was not touched, and an update refuses to save.
        let damaged = fs::read(&path).unwrap();
        assert!(v.update(NOW, |_| Ok::<_, VaultError>(())).is_err());
        assert_eq!(fs::read(&path).unwrap(), damaged);
        // A backup opens with the usual call.
        let b = UnlockedVault::open_with_password(backup_path(&path, 1), &p).unwrap();
        assert_eq!(names(&b), ["1", "2", "3"]);
        // Magic damaged: "not a vault", still listing backups.
        flip(&path, false);
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        assert!(
            matches!(&e, VaultError::NotAVault { backups, .. } if backups.openable.len() == 2),
            "{e}"
        );
        // Reading only the header tries no key, and says so.
        let e = inspect(&path).unwrap_err();
        let all = [1, 2, 3].map(|n| backup_path(&path, n).display().to_string());
        assert!(
            e.to_string()
                .ends_with(&format!("backups: {}", all.join(", "))),
            "{e}"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn newer_version_is_refused_with_backups() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        add(&mut v, "a");
        let mut b = fs::read(&path).unwrap();
        b[15] = b'2';
        fs::write(&path, &b).unwrap();
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        assert!(
            matches!(&e, VaultError::UnsupportedVersion { found: 2, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("update Tessera"), "{e}");
        assert_eq!(e.backups().unwrap().openable, [backup_path(&path, 1)]);
        assert_eq!(fs::read(&path).unwrap(), b);
        fs::remove_dir_all(&d).unwrap();
    }
}
