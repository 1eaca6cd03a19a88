//! The one error type of the crate, with messages meant to be shown as they
//! are: one line, naming the file, and, when a file cannot be read, which of
//! its backups can be opened instead.
//!
//! It exists so that every failure a front end can meet is a documented,
//! matchable variant. No message ever contains a key, a password or an
//! account secret.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::kdf::KdfLimitError;
use crate::keyring_slot::KeyStoreError;

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
    /// Text for errors where the vault itself could not be read.
    fn for_damage(&self) -> String {
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
    fn for_wrong_password(&self) -> String {
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

/// Everything that can go wrong with a vault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// There is no file at the path.
    #[error("no vault at {}", .path.display())]
    NotFound {
        /// The vault path.
        path: PathBuf,
    },
    /// Creating a vault where a file already exists; nothing was written.
    #[error("{} already exists; refusing to overwrite it", .path.display())]
    AlreadyExists {
        /// The vault path.
        path: PathBuf,
    },
    /// A file-system operation failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done ("read", "replace", ...).
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is not a Tessera vault (wrong magic bytes).
    #[error("{} is not a Tessera vault; {backups}", .path.display())]
    NotAVault {
        /// The file.
        path: PathBuf,
        /// Backups that open instead.
        backups: BackupReport,
    },
    /// The file is a vault of a format version this crate cannot read.
    #[error(
        "{} uses vault format version {found}, this Tessera reads version 1{}; {backups}",
        .path.display(),
        if *.found > 1 { " (update Tessera to open it)" } else { "" }
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in its magic line.
        found: u64,
        /// Backups that open instead.
        backups: BackupReport,
    },
    /// The file is larger than any vault may be (256 MiB).
    #[error("{} is {size} bytes, larger than a vault can be; not reading it", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The file is truncated, malformed, or fails authentication (a byte
    /// was changed). It was not modified.
    #[error("{} is damaged or was tampered with ({reason}); {backups}", .path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong, e.g. "body fails authentication".
        reason: String,
        /// Backups that open instead.
        backups: BackupReport,
    },
    /// The password does not unwrap the password slot. Either the password
    /// is wrong or the slot was altered; the two cannot be told apart.
    #[error(
        "wrong password for {}{}",
        .path.display(),
        .backups.for_wrong_password()
    )]
    WrongPassword {
        /// The file.
        path: PathBuf,
        /// Backups that open with this password (after a password change,
        /// older backups open with the old password).
        backups: BackupReport,
    },
    /// A password slot asks for KDF parameters over the caps (or unknown
    /// ones); no derivation was attempted.
    #[error("{} asks for refused key-derivation parameters: {source}", .path.display())]
    KdfLimit {
        /// The file.
        path: PathBuf,
        /// Which limit.
        source: KdfLimitError,
    },
    /// The vault has no password slot.
    #[error("{} has no password slot; unlock it with the keyring", .path.display())]
    NoPasswordSlot {
        /// The file.
        path: PathBuf,
    },
    /// The vault has no keyring slot.
    #[error("{} has no keyring slot; unlock it with the password", .path.display())]
    NoKeyringSlot {
        /// The file.
        path: PathBuf,
    },
    /// The keyring failed, is locked or unreachable, or lacks the entry.
    /// Nothing was written to the keyring; the password still works.
    #[error("cannot unlock {} with the keyring: {source}; use the password instead", .path.display())]
    Keyring {
        /// The file.
        path: PathBuf,
        /// The keyring's error.
        source: KeyStoreError,
    },
    /// The keyring entry exists but its key does not unwrap the slot.
    /// Nothing was written to the keyring; the password still works.
    #[error(
        "the keyring entry for {} does not unlock it (entry or slot altered); use the password instead",
        .path.display()
    )]
    KeyringKeyRejected {
        /// The file.
        path: PathBuf,
    },
    /// A keyring entry could not be created while adding a keyring slot;
    /// the vault file was not changed.
    #[error("cannot store a key in the keyring for {}: {source}", .path.display())]
    KeyringWrite {
        /// The file.
        path: PathBuf,
        /// The keyring's error.
        source: KeyStoreError,
    },
    /// The keyring slot was removed from the file (the change is saved),
    /// but its now unused keyring entry could not be deleted.
    #[error(
        "removed the keyring slot from {}, but could not delete its keyring entry (service \"tessera\", user {user:?}): {source}",
        .path.display()
    )]
    KeyringEntryNotDeleted {
        /// The file.
        path: PathBuf,
        /// The entry's user name.
        user: String,
        /// The keyring's error.
        source: KeyStoreError,
    },
    /// Removing this slot would leave the vault with no way to unlock it.
    #[error(
        "refusing to remove the last key slot of {}; add a password or keyring slot first",
        .path.display()
    )]
    LastSlot {
        /// The file.
        path: PathBuf,
    },
    /// Creating a vault with neither a password nor a keyring slot.
    #[error("a vault needs at least one key slot: a password, the keyring, or both")]
    NoSlot,
    /// An empty password was given for a new password slot.
    #[error("the password must not be empty")]
    EmptyPassword,
    /// New KDF parameters (for a new password slot) are over the caps.
    #[error("refused key-derivation parameters: {0}")]
    BadKdfParams(KdfLimitError),
    /// Another process held the vault's lock for the whole wait.
    #[error(
        "{} is busy: another Tessera process held its lock for {} ms; nothing was changed, try again",
        .path.display(),
        .waited.as_millis()
    )]
    Busy {
        /// The vault.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },
    /// While saving, the file on disk no longer opens with the key held
    /// (replaced, damaged or tampered with since it was opened). Nothing was
    /// written.
    #[error("{} changed on disk and no longer opens with this vault's key ({reason}); refusing to overwrite it", .path.display())]
    ChangedOnDisk {
        /// The vault.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// The decrypted contents are not valid (authentic, but not a body this
    /// version understands).
    #[error("{} decrypts, but its contents are not valid ({reason}); {backups}", .path.display())]
    BadContents {
        /// The file.
        path: PathBuf,
        /// The parse error (no secrets: positions and field names only).
        reason: String,
        /// Backups that open instead.
        backups: BackupReport,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
}

impl VaultError {
    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        use VaultError as E;
        match self {
            E::NotFound { path }
            | E::AlreadyExists { path }
            | E::Io { path, .. }
            | E::NotAVault { path, .. }
            | E::UnsupportedVersion { path, .. }
            | E::TooLarge { path, .. }
            | E::Damaged { path, .. }
            | E::WrongPassword { path, .. }
            | E::KdfLimit { path, .. }
            | E::NoPasswordSlot { path }
            | E::NoKeyringSlot { path }
            | E::Keyring { path, .. }
            | E::KeyringKeyRejected { path }
            | E::KeyringWrite { path, .. }
            | E::KeyringEntryNotDeleted { path, .. }
            | E::LastSlot { path }
            | E::Busy { path, .. }
            | E::ChangedOnDisk { path, .. }
            | E::BadContents { path, .. } => Some(path),
            E::NoSlot | E::EmptyPassword | E::BadKdfParams(_) | E::Random => None,
        }
    }

    /// The backup report, for errors about a file that could not be read.
    pub fn backups(&self) -> Option<&BackupReport> {
        use VaultError as E;
        match self {
            E::NotAVault { backups, .. }
            | E::UnsupportedVersion { backups, .. }
            | E::Damaged { backups, .. }
            | E::WrongPassword { backups, .. }
            | E::BadContents { backups, .. } => Some(backups),
            _ => None,
        }
    }
}

impl From<crate::crypto::RngError> for VaultError {
    fn from(_: crate::crypto::RngError) -> Self {
        VaultError::Random
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_and_name_the_file() {
        let p = PathBuf::from("/v/vault.tessera");
        let report = BackupReport {
            existing: vec![p.with_extension("tessera.1"), p.with_extension("tessera.2")],
            openable: vec![p.with_extension("tessera.2")],
            tried: true,
        };
        let e = VaultError::Damaged {
            path: p.clone(),
            reason: "body fails authentication".into(),
            backups: report.clone(),
        };
        let s = e.to_string();
        assert_eq!(
            s,
            "/v/vault.tessera is damaged or was tampered with (body fails authentication); backups that open: /v/vault.tessera.2"
        );
        let e = VaultError::UnsupportedVersion {
            path: p.clone(),
            found: 2,
            backups: BackupReport::default(),
        };
        assert_eq!(
            e.to_string(),
            "/v/vault.tessera uses vault format version 2, this Tessera reads version 1 (update Tessera to open it); there are no backups"
        );
        let e = VaultError::WrongPassword {
            path: p.clone(),
            backups: BackupReport::default(),
        };
        assert_eq!(e.to_string(), "wrong password for /v/vault.tessera");
        let none = BackupReport {
            existing: report.existing.clone(),
            openable: vec![],
            tried: true,
        };
        assert!(none.to_string().starts_with("no backup opens"));
        let untried = BackupReport {
            tried: false,
            ..none
        };
        assert_eq!(
            untried.to_string(),
            "backups: /v/vault.tessera.1, /v/vault.tessera.2"
        );
        for e in [
            VaultError::NoSlot,
            VaultError::Busy {
                path: p.clone(),
                waited: Duration::from_secs(5),
            },
        ] {
            assert!(!e.to_string().contains('\n'));
        }
    }
}
