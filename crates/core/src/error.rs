//! The one error type of the operations, and the stable kind each error has.
//!
//! It exists so that both front ends report the same failure in the same
//! words: the command line prints the message as one line, the app sends
//! `{kind, message}` to its page, which matches on the kind, never on the
//! text. No message contains a secret, a password or a recovery code.

use std::path::PathBuf;

use serde::Serialize;
use tessera_transfer::{ExportError, ImportError};
use tessera_vault::VaultError;

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// No account (or recovery-code entry) is named by the query.
    #[error("no {what} matches {query:?}")]
    NoMatch {
        /// What was looked for ("account", "account or service").
        what: &'static str,
        /// The query as typed.
        query: String,
    },
    /// The query names several accounts where one is needed.
    #[error(
        "{query:?} matches {} {what}s: {}; nothing was changed (give more of the name, or an id)",
        .matches.len(),
        .matches.join(", ")
    )]
    Ambiguous {
        /// What was looked for ("account", "service").
        what: &'static str,
        /// The query as typed.
        query: String,
        /// How each match is named, with its id.
        matches: Vec<String>,
    },
    /// The account is already in the vault (same secret, issuer and name).
    #[error("{label} is already in the vault [{id}]")]
    Duplicate {
        /// How the account in the vault is named.
        label: String,
        /// Its id.
        id: String,
    },
    /// The account or entry an operation was asked about is gone (another
    /// window or the command line removed it meanwhile).
    #[error("{0} is no longer in the vault")]
    Gone(&'static str),
    /// Something given is not acceptable: a label too long, a bad secret,
    /// impossible code settings, too many accounts. The text says which.
    #[error("{0}")]
    Invalid(String),
    /// The vault could not be read, unlocked or written.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A file to import could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// An export could not be made.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The vault file is older than one this computer already opened: a
    /// restored backup, a sync or a copy put it back. It is not used until
    /// the user accepts it.
    #[error(
        "{} is older than the copy this computer last used (saved {found} times, against {seen}): \
         a restored backup, a sync or a copy may have put it back, which would bring back \
         removed accounts, spent recovery codes and HOTP codes already used",
        .path.display()
    )]
    RolledBack {
        /// The vault file.
        path: PathBuf,
        /// Its generation.
        found: u64,
        /// The highest generation seen here.
        seen: u64,
    },
    /// The user declined (or could not be asked) to let secrets out; the
    /// text is the question that was asked.
    #[error("not confirmed: {0}")]
    Declined(String),
    /// A file or folder outside the vault could not be read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done ("create", "write").
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl CoreError {
    /// An [`CoreError::Invalid`] from anything that displays as one line.
    pub fn invalid(message: impl std::fmt::Display) -> CoreError {
        CoreError::Invalid(message.to_string())
    }

    /// The stable kind of the error, for front ends that react to it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NoMatch { .. } | CoreError::Gone(_) => ErrorKind::NotFound,
            CoreError::Ambiguous { .. } => ErrorKind::Ambiguous,
            CoreError::Duplicate { .. } => ErrorKind::Duplicate,
            CoreError::Invalid(_) => ErrorKind::Invalid,
            CoreError::Vault(error) => vault_kind(error),
            CoreError::Import(error) => match error {
                ImportError::PasswordRequired { .. }
                | ImportError::PasswordRequiredAmong { .. } => ErrorKind::PasswordRequired,
                ImportError::WrongPassword { .. }
                | ImportError::WrongPasswordOrDamaged { .. }
                | ImportError::WrongPasswordOrKeyFile { .. } => ErrorKind::WrongPassword,
                _ => ErrorKind::BadFile,
            },
            CoreError::Export(_) => ErrorKind::Invalid,
            CoreError::Declined(_) => ErrorKind::Declined,
            CoreError::RolledBack { .. } => ErrorKind::RolledBack,
            CoreError::Io { .. } => ErrorKind::Io,
        }
    }
}

fn vault_kind(error: &VaultError) -> ErrorKind {
    match error {
        VaultError::WrongPassword { .. } => ErrorKind::WrongPassword,
        VaultError::Busy { .. } => ErrorKind::Busy,
        VaultError::Keyring { .. }
        | VaultError::KeyringKeyRejected { .. }
        | VaultError::KeyringWrite { .. }
        | VaultError::KeyringEntryNotDeleted { .. } => ErrorKind::Keyring,
        VaultError::NotAVault { .. }
        | VaultError::UnsupportedVersion { .. }
        | VaultError::TooLarge { .. }
        | VaultError::Damaged { .. }
        | VaultError::BadContents { .. }
        | VaultError::ChangedOnDisk { .. } => ErrorKind::BadFile,
        VaultError::NotFound { .. } => ErrorKind::NotFound,
        VaultError::Io { .. } => ErrorKind::Io,
        _ => ErrorKind::Invalid,
    }
}

/// What kind of failure an error is: stable names a page or a script can
/// match on while the messages stay free to improve.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing is named by the query, or it was removed meanwhile.
    NotFound,
    /// The query names several things where one is needed.
    Ambiguous,
    /// The account is already in the vault.
    Duplicate,
    /// Something given is not acceptable; the message says what.
    Invalid,
    /// The password does not open the vault or the file.
    WrongPassword,
    /// An encrypted file needs its password.
    PasswordRequired,
    /// Another program holds the vault's lock.
    Busy,
    /// The OS keyring did not answer or refused.
    Keyring,
    /// A file is damaged, foreign or of an unknown version.
    BadFile,
    /// The file system refused.
    Io,
    /// The vault is locked (only the app has this state).
    Locked,
    /// The user did not confirm letting a secret out.
    Declined,
    /// The vault is older than one this computer already opened.
    RolledBack,
}
