//! Reading and changing the app's settings (kept in the vault; see
//! `crate::settings` for the keys).

use tauri::AppHandle;

use crate::settings::AppSettings;
use crate::state::{blocking, system_seconds};

/// The settings of the unlocked vault.
#[tauri::command]
pub async fn get_settings(app: AppHandle) -> Result<AppSettings, String> {
    blocking(app, |state| {
        state.with_session(|s| Ok(AppSettings::from_map(&s.vault.contents().settings.extra)))
    })
    .await
}

/// Validates and saves every setting; returns them as saved.
#[tauri::command]
pub async fn set_settings(app: AppHandle, settings: AppSettings) -> Result<AppSettings, String> {
    settings.validate()?;
    blocking(app, move |state| {
        state.with_session(|s| {
            s.update(system_seconds(), |contents| -> Result<(), String> {
                settings.write_to(&mut contents.settings.extra);
                Ok(())
            })?;
            Ok(AppSettings::from_map(&s.vault.contents().settings.extra))
        })
    })
    .await
}
