//! Reading and changing the app's desktop settings (`crate::desktop_settings`):
//! these work while the vault is locked, since the theme and the tray come
//! before any unlock.

use tauri::AppHandle;

use crate::desktop_settings::{self, DesktopSettings};
use crate::error::{CommandError, CommandResult};
use crate::state::blocking;

/// The saved desktop settings (the defaults when none were saved).
#[tauri::command]
pub async fn get_desktop_settings(app: AppHandle) -> CommandResult<DesktopSettings> {
    blocking(app, |_| Ok(desktop_settings::load())).await
}

/// Checks and saves the desktop settings; returns them as saved.
#[tauri::command]
pub async fn set_desktop_settings(
    app: AppHandle,
    request: DesktopSettings,
) -> CommandResult<DesktopSettings> {
    let handle = app.clone();
    blocking(app, move |_| {
        desktop_settings::save(&handle, &request).map_err(CommandError::invalid)?;
        Ok(desktop_settings::load())
    })
    .await
}

/// Starting at login: on or off (`crate::autostart`).
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetAutostart {
    /// Write the autostart entry (true) or remove it (false).
    pub enabled: bool,
}

/// Whether Tessera starts at login: whether its autostart entry is there.
#[tauri::command]
pub async fn get_autostart(app: AppHandle) -> CommandResult<bool> {
    blocking(app, |_| Ok(crate::autostart::is_enabled())).await
}

/// Writes or removes the autostart entry; returns whether it is there now.
#[tauri::command]
pub async fn set_autostart(app: AppHandle, request: SetAutostart) -> CommandResult<bool> {
    blocking(app, move |_| {
        crate::autostart::set_enabled(request.enabled).map_err(CommandError::invalid)
    })
    .await
}
