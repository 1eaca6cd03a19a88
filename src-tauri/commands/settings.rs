//! Reading and changing the user's preferences (kept in the vault; see
//! `tessera_core::preferences` for the keys, which the command line reads
//! too).

use tauri::AppHandle;
use tessera_core::preferences::Preferences;

use crate::error::CommandResult;
use crate::state::{blocking, system_seconds};

/// The preferences of the unlocked vault.
#[tauri::command]
pub async fn get_settings(app: AppHandle) -> CommandResult<Preferences> {
    blocking(app, |state| {
        state.with_session(|s| Ok(s.vault.preferences()))
    })
    .await
}

/// Validates and saves every preference; returns them as saved.
#[tauri::command]
pub async fn set_settings(app: AppHandle, request: Preferences) -> CommandResult<Preferences> {
    blocking(app, move |state| {
        state.with_session(|s| {
            s.change(|vault| vault.set_preferences(&request, system_seconds()))?;
            Ok(s.vault.preferences())
        })
    })
    .await
}
