//! Creating, unlocking and locking the vault, and its key slots.

use std::path::Path;

use serde::Serialize;
use tauri::AppHandle;
use tessera_vault::{
    Contents, CreateOptions, KdfParams, OsKeyring, Password, UnlockedVault, VaultError,
};

use crate::limits::MAX_PASSWORD_BYTES;
use crate::state::{blocking, system_seconds, AppState};

/// What the UI needs to pick its first screen. Nothing secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    /// The vault file, as the user should see it (`None` if unknown).
    pub path: Option<String>,
    /// Whether a file exists there.
    pub exists: bool,
    /// Whether it has a password slot.
    pub has_password: bool,
    /// Whether it has a keyring slot.
    pub has_keyring: bool,
    /// Whether it is unlocked in this app.
    pub unlocked: bool,
    /// Why the file cannot be used (unknown path, damaged header), if so.
    pub error: Option<String>,
}

/// Reads the status without unlocking anything.
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

/// Where the vault is and how it can be unlocked.
#[tauri::command]
pub async fn vault_status(app: AppHandle) -> Result<VaultStatus, String> {
    blocking(app, |state| Ok(status(state))).await
}

fn password(text: String) -> Result<Password, String> {
    let password = Password::new(text);
    if password.is_empty() {
        return Err("the password must not be empty".to_owned());
    }
    Ok(password)
}

fn check_password_size(text: &str) -> Result<(), String> {
    if text.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    Ok(())
}

/// Makes the vault's folder, readable by its owner only (as the CLI does).
fn create_private_folder(folder: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(folder)
        .map_err(|e| format!("cannot create the folder {}: {e}", folder.display()))
}

/// Creates the vault with a password, a keyring slot, or both, and leaves
/// it unlocked. Refuses to overwrite anything.
#[tauri::command]
pub async fn create_vault(
    app: AppHandle,
    password: Option<String>,
    keyring: bool,
) -> Result<VaultStatus, String> {
    if let Some(text) = &password {
        check_password_size(text)?;
    }
    let password = password.map(self::password).transpose()?;
    if password.is_none() && !keyring {
        return Err(VaultError::NoSlot.to_string());
    }
    blocking(app, move |state| {
        let path = state.vault_path()?.to_owned();
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_folder(folder)?;
        }
        let store = OsKeyring::new();
        let options = CreateOptions {
            password: password.as_ref(),
            kdf: KdfParams::DEFAULT,
            keyring: keyring.then_some(&store as &dyn tessera_vault::KeyStore),
        };
        let vault = UnlockedVault::create(&path, options, Contents::default(), system_seconds())
            .map_err(|e| e.to_string())?;
        state.open(vault);
        Ok(status(state))
    })
    .await
}

/// Unlocks with the password. A wrong password is an error saying so; the
/// UI keeps what was typed.
#[tauri::command]
pub async fn unlock(app: AppHandle, password: String) -> Result<VaultStatus, String> {
    check_password_size(&password)?;
    let password = self::password(password)?;
    blocking(app, move |state| {
        let path = state.vault_path()?.to_owned();
        // Derived outside the session lock: the codes tick must not wait
        // half a second for Argon2.
        let vault =
            UnlockedVault::open_with_password(&path, &password).map_err(|e| e.to_string())?;
        state.open(vault);
        Ok(status(state))
    })
    .await
}

/// Unlocks with the keyring unless the vault is open already; waits for an
/// unlock in progress (the one started with the app) rather than asking the
/// keyring twice.
fn keyring_unlock(state: &AppState) -> Result<(), String> {
    let _gate = state
        .keyring_gate
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if state.session().is_some() {
        return Ok(());
    }
    let path = state.vault_path()?.to_owned();
    let vault =
        UnlockedVault::open_with_keyring(&path, &OsKeyring::new()).map_err(|e| e.to_string())?;
    state.open(vault);
    Ok(())
}

/// Unlocks with the OS keyring's key, without asking anything.
#[tauri::command]
pub async fn unlock_with_keyring(app: AppHandle) -> Result<VaultStatus, String> {
    blocking(app, |state| {
        keyring_unlock(state)?;
        Ok(status(state))
    })
    .await
}

/// At start-up, when the vault has a keyring slot, asks the keyring for its
/// key while the webview is still loading, so the codes show as soon as the
/// page is up. (The UI would ask the same at start; a failure is left for
/// it to ask again and report.) Never after a lock: only at launch.
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

/// Locks: drops the open vault (its keys are wiped) and clears a copied
/// code from the clipboard.
#[tauri::command]
pub async fn lock(app: AppHandle) -> Result<VaultStatus, String> {
    blocking(app, |state| {
        state.lock();
        Ok(status(state))
    })
    .await
}

/// Sets a new password (adding a password slot if there was none). When the
/// vault has a password, the current one must be given: an unlocked window
/// left alone must not be enough to take the vault over.
#[tauri::command]
pub async fn change_password(
    app: AppHandle,
    current: Option<String>,
    new: String,
) -> Result<VaultStatus, String> {
    if let Some(text) = &current {
        check_password_size(text)?;
    }
    check_password_size(&new)?;
    let current = current.map(password).transpose()?;
    let new = password(new)?;
    blocking(app, move |state| {
        let path = state.vault_path()?.to_owned();
        let has_password = state.with_session(|s| Ok(s.vault.info().has_password()))?;
        if has_password {
            let current = current.ok_or("give the current password")?;
            // Opening a second copy checks the password without touching the
            // open one; it is dropped (and wiped) at once.
            UnlockedVault::open_with_password(&path, &current).map_err(|e| match e {
                VaultError::WrongPassword { .. } => "the current password is wrong".to_owned(),
                other => other.to_string(),
            })?;
        }
        state.with_session(|s| {
            s.vault
                .set_password(&new, KdfParams::DEFAULT)
                .map_err(|e| e.to_string())?;
            s.changed();
            Ok(())
        })?;
        Ok(status(state))
    })
    .await
}

/// Adds or removes the keyring slot. Removing it is refused while it is the
/// only way in (the vault says so).
#[tauri::command]
pub async fn set_keyring(app: AppHandle, enabled: bool) -> Result<VaultStatus, String> {
    blocking(app, move |state| {
        state.with_session(|s| {
            let store = OsKeyring::new();
            let result = if enabled {
                s.vault.enable_keyring(&store)
            } else {
                s.vault.disable_keyring(&store)
            };
            s.changed();
            result.map_err(|e| e.to_string())
        })?;
        Ok(status(state))
    })
    .await
}

/// Records that the user did something in the window; the idle auto-lock
/// counts from the last report. The UI reports at most every few seconds.
#[tauri::command]
pub async fn activity(app: AppHandle) -> Result<(), String> {
    blocking(app, |state| {
        if let Some(s) = state.session().as_mut() {
            s.last_activity = std::time::Instant::now();
        }
        Ok(())
    })
    .await
}
