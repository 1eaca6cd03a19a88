//! Creating, unlocking and locking the vault, and its key slots. A vault
//! file older than one this computer opened before (put back from a copy)
//! opens only when the user chooses to go back to it (`acceptOlder`).

use serde::Deserialize;
use tauri::{AppHandle, Manager};
use tessera_core::disclosure::Disclosure;
use tessera_core::limits::check_password;
use tessera_core::{ErrorKind, NewVault, Vault};
use tessera_vault::{OsKeyring, Password, Unlock};
use ts_rs::TS;

use crate::commands::sync::watch_sync_folder;
use crate::confirm;
use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, system_seconds, AppState, Session};
use crate::views::VaultStatus;

/// Where the vault is, how it opens, and whether it is open.
pub(crate) fn status(state: &AppState) -> VaultStatus {
    let path = match state.vault_path() {
        Ok(path) => path,
        Err(error) => {
            return VaultStatus {
                path: None,
                exists: false,
                has_password: false,
                has_keyring: false,
                unlocked: false,
                error: Some(error),
            }
        }
    };
    let unlocked = state.session().is_some();
    let mut status = VaultStatus {
        path: Some(path.display().to_string()),
        exists: std::fs::symlink_metadata(path).is_ok(),
        has_password: false,
        has_keyring: false,
        unlocked,
        error: None,
    };
    if status.exists {
        match tessera_vault::inspect(path) {
            Ok(info) => {
                status.has_password = info.has_password();
                status.has_keyring = info.has_keyring();
            }
            Err(e) => status.error = Some(e.to_string()),
        }
    }
    status
}

/// Where the vault is and how it opens.
#[tauri::command]
pub async fn vault_status(app: AppHandle) -> CommandResult<VaultStatus> {
    blocking(app, |state| Ok(status(state))).await
}

/// A password from the page, bounded and not empty.
fn password(text: String) -> CommandResult<Password> {
    check_password(&text)?;
    Ok(Password::new(text))
}

/// The vault to create.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateVault {
    /// Unlock with this password (none: keyring only).
    pub password: Option<String>,
    /// Unlock through the OS keyring too.
    pub keyring: bool,
}

/// Creates the vault (never over an existing file) and unlocks it.
#[tauri::command]
pub async fn create_vault(app: AppHandle, request: CreateVault) -> CommandResult<VaultStatus> {
    let password = request.password.map(password).transpose()?;
    let keyring = request.keyring;
    blocking(app, move |state| {
        let path = state
            .vault_path()
            .map_err(CommandError::invalid)?
            .to_owned();
        let store = OsKeyring::new();
        let slots = NewVault {
            password: password.as_ref(),
            keyring: keyring.then_some(&store as &dyn tessera_vault::KeyStore),
        };
        let vault = Vault::create(&path, slots, system_seconds())?;
        state.open(vault);
        Ok(status(state))
    })
    .await
}

/// A password typed on the unlock screen.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordEntry {
    /// The password.
    pub password: String,
    /// Open the file even if it is older than one this computer opened
    /// (the user chose to go back to it).
    #[serde(default)]
    #[ts(optional)]
    pub accept_older: Option<bool>,
}

/// Opens the vault at `path` with `unlock`; an older file only when
/// `accept_older`.
fn open(path: &std::path::Path, unlock: Unlock<'_>, accept_older: bool) -> CommandResult<Vault> {
    Ok(if accept_older {
        Vault::open_accepting_older(path, unlock)?
    } else {
        Vault::open(path, unlock)?
    })
}

/// Unlocks with the password.
#[tauri::command]
pub async fn unlock(app: AppHandle, request: PasswordEntry) -> CommandResult<VaultStatus> {
    let password = password(request.password)?;
    let accept_older = request.accept_older.unwrap_or(false);
    let handle = app.clone();
    blocking(app, move |state| {
        let path = state
            .vault_path()
            .map_err(CommandError::invalid)?
            .to_owned();
        // Derived outside the session lock: the codes tick must not wait
        // half a second for Argon2.
        let vault = open(&path, Unlock::Password(&password), accept_older)?;
        state.open(vault);
        watch_sync_folder(&handle, state);
        Ok(status(state))
    })
    .await
}

fn keyring_unlock(state: &AppState, accept_older: bool) -> CommandResult<()> {
    let _gate = state
        .keyring_gate
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if state.session().is_some() {
        return Ok(());
    }
    let path = state
        .vault_path()
        .map_err(CommandError::invalid)?
        .to_owned();
    let vault = open(&path, Unlock::Keyring(&OsKeyring::new()), accept_older)?;
    state.open(vault);
    Ok(())
}

/// How to unlock with the keyring.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyringEntry {
    /// Open the file even if it is older than one this computer opened.
    #[serde(default)]
    #[ts(optional)]
    pub accept_older: Option<bool>,
}

/// Unlocks with the OS keyring's key.
#[tauri::command]
pub async fn unlock_with_keyring(
    app: AppHandle,
    request: KeyringEntry,
) -> CommandResult<VaultStatus> {
    let handle = app.clone();
    blocking(app, move |state| {
        keyring_unlock(state, request.accept_older.unwrap_or(false))?;
        watch_sync_folder(&handle, state);
        Ok(status(state))
    })
    .await
}

/// At start-up, a vault with a keyring slot is unlocked through it, so the
/// codes show without a password (a keyring that fails, or a file older
/// than this computer saw, leaves it locked: the unlock screen says why).
pub fn unlock_at_start(app: &AppHandle) {
    let state = app.state::<AppState>();
    let has_keyring = state
        .vault_path()
        .ok()
        .and_then(|path| tessera_vault::inspect(path).ok())
        .is_some_and(|info| info.has_keyring());
    if has_keyring && keyring_unlock(&state, false).is_ok() {
        watch_sync_folder(app, &state);
    }
}

/// Locks: the keys are wiped, a copied code is cleared.
#[tauri::command]
pub async fn lock(app: AppHandle) -> CommandResult<VaultStatus> {
    blocking(app, |state| {
        state.lock();
        Ok(status(state))
    })
    .await
}

/// A password change: the current password (when the vault has one) and
/// the new one.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    pub current: Option<String>,
    /// The new password.
    pub new: String,
}

/// Sets or changes the password (the current one is needed when there is
/// one: the core's rule, which the command line follows too).
///
/// The key derivations (opening with the current password, the core's
/// check of it, the new password's slot: seconds at the defaults) run on
/// a second copy of the open vault, outside the session, so the codes,
/// copying and locking go on meanwhile; the copy, now under the new key,
/// then takes the session's place. A change saved meanwhile through the
/// session is in the file the re-key reads, so none is lost.
#[tauri::command]
pub async fn change_password(
    app: AppHandle,
    request: ChangePassword,
) -> CommandResult<VaultStatus> {
    let current = request.current.map(password).transpose()?;
    let new = password(request.new)?;
    blocking(app, move |state| {
        let (path, has_password) = state
            .with_session(|s| Ok((s.vault.path().to_owned(), s.vault.info().has_password())))?;
        let keyring = OsKeyring::new();
        let mut copy = match (&current, has_password) {
            (Some(current), true) => {
                Vault::open(&path, Unlock::Password(current)).map_err(|error| {
                    if error.kind() == ErrorKind::WrongPassword {
                        CommandError {
                            kind: ErrorKind::WrongPassword,
                            message: "the current password is wrong".to_owned(),
                        }
                    } else {
                        error.into()
                    }
                })?
            }
            // The core refuses at once, before any derivation, saying what
            // is missing.
            (None, true) => {
                state.with_session(|s| {
                    s.change(|vault| vault.change_password(None, &new, &keyring, system_seconds()))
                })?;
                return Ok(status(state));
            }
            // No password yet: the keyring opens the copy.
            (_, false) => Vault::open(&path, Unlock::Keyring(&keyring))?,
        };
        copy.change_password(current.as_ref(), &new, &keyring, system_seconds())?;
        // Locked meanwhile: the copy is dropped (its key wiped) and the
        // page finds the vault locked, under its new password.
        let replaced = state.with_session(move |s| {
            let before = std::mem::replace(&mut s.vault, copy);
            s.changed();
            Ok(before)
        });
        drop(replaced);
        Ok(status(state))
    })
    .await
}

/// The keyring slot wanted on or off.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetKeyring {
    /// On or off.
    pub enabled: bool,
}

/// Adds or removes the OS keyring slot. Adding it lets anything running as
/// the user open the vault from then on, so it waits for the user's yes
/// outside the page (a script in the page cannot give it).
#[tauri::command]
pub async fn set_keyring(app: AppHandle, request: SetKeyring) -> CommandResult<VaultStatus> {
    let handle = app.clone();
    blocking(app, move |state| {
        let set = |s: &mut Session| {
            s.change(|vault| vault.set_keyring(&OsKeyring::new(), request.enabled))
        };
        if request.enabled {
            confirm::after_yes(&handle, state, &Disclosure::KeyringUnlock, set)?;
        } else {
            state.with_session(set)?;
        }
        Ok(status(state))
    })
    .await
}

/// The user did something: postpones the idle auto-lock.
#[tauri::command]
pub async fn activity(app: AppHandle) -> CommandResult<()> {
    blocking(app, |state| {
        if let Some(s) = state.session().as_mut() {
            s.last_activity = std::time::Instant::now();
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_vault::VaultError;

    #[test]
    fn a_wrong_password_reaches_the_page_as_its_own_kind() {
        let error: CommandError = VaultError::WrongPassword {
            path: "v".into(),
            backups: Default::default(),
        }
        .into();
        assert_eq!(error.kind, tessera_core::ErrorKind::WrongPassword);
        assert_eq!(
            password(String::new()).unwrap_err().kind,
            tessera_core::ErrorKind::Invalid
        );
    }
}
