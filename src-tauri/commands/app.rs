//! Commands about the app itself rather than the vault.

use tauri::AppHandle;

use crate::error::CommandResult;
use crate::views::AppInfo;

/// The app's name and version.
#[tauri::command]
pub async fn app_info(_app: AppHandle) -> CommandResult<AppInfo> {
    Ok(AppInfo {
        name: "Tessera".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
