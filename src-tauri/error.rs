//! The error every command returns, as it crosses to the page:
//! `{ kind, message }`. The page reacts to the kind (show the unlock screen
//! for `locked`, ask for a password for `passwordRequired`) and shows the
//! message, one line, which never contains a secret.

use serde::Serialize;
use tessera_core::{CoreError, ErrorKind};

/// A command's failure.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// What kind of failure, stable for the page to match on.
    #[ts(type = "ErrorKind")]
    pub kind: ErrorKind,
    /// One line for people.
    pub message: String,
}

impl CommandError {
    /// The vault is locked: the page shows the unlock screen.
    pub fn locked() -> CommandError {
        CommandError {
            kind: ErrorKind::Locked,
            message: "the vault is locked".to_owned(),
        }
    }

    /// Something the page sent is not acceptable.
    pub fn invalid(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: ErrorKind::Invalid,
            message: message.into(),
        }
    }
}

impl From<CoreError> for CommandError {
    fn from(error: CoreError) -> CommandError {
        CommandError {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

impl From<tessera_vault::VaultError> for CommandError {
    fn from(error: tessera_vault::VaultError) -> CommandError {
        CoreError::from(error).into()
    }
}

/// What a command returns.
pub type CommandResult<T> = Result<T, CommandError>;
