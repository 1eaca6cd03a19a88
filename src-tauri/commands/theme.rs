//! The page asks which colours to draw with as it starts, before any vault
//! is unlocked (`crate::theme` decides, and tells it of changes after).

use tauri::AppHandle;

use crate::error::CommandResult;
use crate::theme::{self, Shade};

/// Light or dark, from the choice in Settings and the desktop's preference.
#[tauri::command]
pub async fn current_theme(app: AppHandle) -> CommandResult<Shade> {
    Ok(theme::current(&app).await)
}
