//! Creating, unlocking and locking the vault, and its key slots.

use serde::Deserialize;
use tauri::AppHandle;
use tessera_core::limits::check_password;
use tessera_core::{NewVault, Vault};
use tessera_vault::{OsKeyring, Password, Unlock};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, system_seconds, AppState};
use crate::views::VaultStatus;

fn status(state: &AppState) -> VaultStatus {
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
}

/// Unlocks with the password.
#[tauri::command]
pub async fn unlock(app: AppHandle, request: PasswordEntry) -> CommandResult<VaultStatus> {
    let password = password(request.password)?;
    blocking(app, move |state| {
        let path = state
            .vault_path()
            .map_err(CommandError::invalid)?
            .to_owned();
        // Derived outside the session lock: the codes tick must not wait
        // half a second for Argon2.
        let vault = Vault::open(&path, Unlock::Password(&password))?;
        state.open(vault);
        Ok(status(state))
    })
    .await
}

fn keyring_unlock(state: &AppState) -> CommandResult<()> {
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
    let vault = Vault::open(&path, Unlock::Keyring(&OsKeyring::new()))?;
    state.open(vault);
    Ok(())
}

/// Unlocks with the OS keyring's key.
#[tauri::command]
pub async fn unlock_with_keyring(app: AppHandle) -> CommandResult<VaultStatus> {
    blocking(app, |state| {
        keyring_unlock(state)?;
        Ok(status(state))
    })
    .await
}

/// At start-up, a vault with a keyring slot is unlocked through it, so the
/// codes show without a password (a keyring that fails leaves it locked).
pub fn unlock_at_start(state: &AppState) {
    let has_keyring = state
        .vault_path()
        .ok()
        .and_then(|path| tessera_vault::inspect(path).ok())
        .is_some_and(|info| info.has_keyring());
    if has_keyring {
        let _ = keyring_unlock(state);
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
#[tauri::command]
pub async fn change_password(
    app: AppHandle,
    request: ChangePassword,
) -> CommandResult<VaultStatus> {
    let current = request.current.map(password).transpose()?;
    let new = password(request.new)?;
    blocking(app, move |state| {
        state.with_session(|s| s.change(|vault| vault.change_password(current.as_ref(), &new)))?;
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

/// Adds or removes the OS keyring slot.
#[tauri::command]
pub async fn set_keyring(app: AppHandle, request: SetKeyring) -> CommandResult<VaultStatus> {
    blocking(app, move |state| {
        state.with_session(|s| {
            s.change(|vault| vault.set_keyring(&OsKeyring::new(), request.enabled))
        })?;
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
