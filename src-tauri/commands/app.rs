//! Commands about the app itself rather than the vault.

use serde::Serialize;

/// What the UI shows in its footer and about box.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// The app's name, "Tessera".
    pub name: &'static str,
    /// The version from Cargo.toml.
    pub version: &'static str,
}

/// Returns the app's name and version.
#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo {
        name: "Tessera",
        version: env!("CARGO_PKG_VERSION"),
    }
}
