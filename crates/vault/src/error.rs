//! The crate's two error types, with messages meant to be shown as they
//! are: [`VaultError`] for vault files (one line, naming the file, and, when
//! a file cannot be read, which of its backups can be opened instead), and
//! [`ImageError`] for vault images in memory, which have no file to name.
//!
//! It exists so that every failure a front end can meet is a documented,
//! matchable variant. No message ever contains a key, a password or an
//! account secret.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backups::BackupReport;
use crate::format::FormatError;
use crate::kdf::KdfLimitError;
use crate::keyring_slot::KeyStoreError;

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
    /// Nothing was written to the keyring; the password still works, if
    /// the vault has one.
    #[error("cannot unlock {} with the keyring: {source}; {}", .path.display(), keyring_fallback(*.password_slot))]
    Keyring {
        /// The file.
        path: PathBuf,
        /// The keyring's error.
        source: KeyStoreError,
        /// Whether the vault has a password slot to use instead.
        password_slot: bool,
    },
    /// The keyring entry exists but its key does not unwrap the slot.
    /// Nothing was written to the keyring; the password still works, if
    /// the vault has one.
    #[error(
        "the keyring entry for {} does not unlock it (entry or slot altered); {}",
        .path.display(),
        keyring_fallback(*.password_slot)
    )]
    KeyringKeyRejected {
        /// The file.
        path: PathBuf,
        /// Whether the vault has a password slot to use instead.
        password_slot: bool,
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
            | E::KeyringKeyRejected { path, .. }
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

/// Everything that can go wrong making or opening a vault image in memory
/// ([`seal_new`](crate::seal_new), [`open_bytes`](crate::open_bytes),
/// [`inspect_bytes`](crate::inspect_bytes)).
///
/// The variants mirror those of [`VaultError`], without a path or backups:
/// the bytes may come from anywhere. No message contains a key, a password
/// or an account secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The bytes are not a Tessera vault (wrong magic bytes).
    #[error("this is not a Tessera vault")]
    NotAVault,
    /// The image belongs to another vault, or was sealed under a key this
    /// vault no longer has (before a password change): it is not a copy of
    /// this vault as it is now.
    #[error("this is not a copy of this vault (another vault, or sealed under an older key)")]
    ForeignVault,
    /// The bytes are a vault of a format version this crate cannot read.
    #[error(
        "the vault uses format version {found}, this Tessera reads version 1{}",
        if *.found > 1 { " (update Tessera to open it)" } else { "" }
    )]
    UnsupportedVersion {
        /// The version in its magic line.
        found: u64,
    },
    /// The image is larger than any vault may be (256 MiB).
    #[error("the vault is {size} bytes, larger than a vault can be")]
    TooLarge {
        /// Its size.
        size: u64,
    },
    /// The image is truncated, malformed, or fails authentication (a byte
    /// was changed).
    #[error("the vault is damaged or was tampered with ({reason})")]
    Damaged {
        /// What is wrong, e.g. "body fails authentication".
        reason: String,
    },
    /// The decrypted contents are not valid (authentic, but not a body this
    /// version understands).
    #[error("the vault decrypts, but its contents are not valid ({reason})")]
    BadContents {
        /// The parse error (no secrets: positions and field names only).
        reason: String,
    },
    /// The password does not unwrap the password slot. Either the password
    /// is wrong or the slot was altered; the two cannot be told apart.
    #[error("wrong password")]
    WrongPassword,
    /// A password slot asks for KDF parameters over the caps (or unknown
    /// ones); no derivation was attempted.
    #[error("the vault asks for refused key-derivation parameters: {source}")]
    KdfLimit {
        /// Which limit.
        source: KdfLimitError,
    },
    /// The vault has no password slot.
    #[error("the vault has no password slot; unlock it with the keyring")]
    NoPasswordSlot,
    /// The vault has no keyring slot.
    #[error("the vault has no keyring slot; unlock it with the password")]
    NoKeyringSlot,
    /// The keyring failed, is locked or unreachable, or lacks the entry.
    /// Nothing was written to the keyring.
    #[error("cannot unlock the vault with the keyring: {source}; {}", keyring_fallback(*.password_slot))]
    Keyring {
        /// The keyring's error.
        source: KeyStoreError,
        /// Whether the vault has a password slot to use instead.
        password_slot: bool,
    },
    /// The keyring entry exists but its key does not unwrap the slot.
    /// Nothing was written to the keyring.
    #[error(
        "the keyring entry does not unlock the vault (entry or slot altered); {}",
        keyring_fallback(*.password_slot)
    )]
    KeyringKeyRejected {
        /// Whether the vault has a password slot to use instead.
        password_slot: bool,
    },
    /// The key of a new keyring slot could not be stored; no image was made.
    #[error("cannot store a key in the keyring: {source}")]
    KeyringWrite {
        /// The keyring's error.
        source: KeyStoreError,
    },
    /// A new vault with neither a password nor a keyring slot.
    #[error("a vault needs at least one key slot: a password, the keyring, or both")]
    NoSlot,
    /// An empty password was given for a new password slot.
    #[error("the password must not be empty")]
    EmptyPassword,
    /// The contents could not be encoded as JSON.
    #[error("cannot encode the vault's contents: {reason}")]
    Encode {
        /// The encoder's error.
        reason: String,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
}

/// What to do when the keyring does not open a vault: the password, or,
/// for a vault without one, the keyring itself or a backup.
fn keyring_fallback(password_slot: bool) -> &'static str {
    if password_slot {
        "use the password instead"
    } else {
        "the vault has no password, so only this keyring entry opens it: unlock the keyring \
         (log in to the desktop session), or restore a backup"
    }
}

impl ImageError {
    /// The same failure, met with the vault file at `path`: the
    /// [`VaultError`] that names it, with `backups` where the variant has
    /// them. Messages are exactly those of the file-based API.
    pub(crate) fn at(self, path: &Path, backups: BackupReport) -> VaultError {
        use ImageError as I;
        use VaultError as E;
        let path = path.to_owned();
        match self {
            I::NotAVault => E::NotAVault { path, backups },
            I::ForeignVault => E::ChangedOnDisk {
                path,
                reason: "it is not a copy of this vault (another vault, or an older key)".into(),
            },
            I::UnsupportedVersion { found } => E::UnsupportedVersion {
                path,
                found,
                backups,
            },
            I::TooLarge { size } => E::TooLarge { path, size },
            I::Damaged { reason } => E::Damaged {
                path,
                reason,
                backups,
            },
            I::BadContents { reason } => E::BadContents {
                path,
                reason,
                backups,
            },
            I::WrongPassword => E::WrongPassword { path, backups },
            I::KdfLimit { source } => E::KdfLimit { path, source },
            I::NoPasswordSlot => E::NoPasswordSlot { path },
            I::NoKeyringSlot => E::NoKeyringSlot { path },
            I::Keyring {
                source,
                password_slot,
            } => E::Keyring {
                path,
                source,
                password_slot,
            },
            I::KeyringKeyRejected { password_slot } => E::KeyringKeyRejected {
                path,
                password_slot,
            },
            I::KeyringWrite { source } => E::KeyringWrite { path, source },
            I::NoSlot => E::NoSlot,
            I::EmptyPassword => E::EmptyPassword,
            I::Encode { reason } => E::Io {
                action: "encode the contents of",
                path,
                source: io::Error::other(reason),
            },
            I::Random => E::Random,
        }
    }
}

impl From<FormatError> for ImageError {
    fn from(e: FormatError) -> Self {
        match e {
            FormatError::NotAVault => ImageError::NotAVault,
            FormatError::UnsupportedVersion(found) => ImageError::UnsupportedVersion { found },
            FormatError::TooLarge(size) => ImageError::TooLarge { size },
            FormatError::Damaged(reason) => ImageError::Damaged { reason },
        }
    }
}

impl From<crate::crypto::RngError> for ImageError {
    fn from(_: crate::crypto::RngError) -> Self {
        ImageError::Random
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
