//! The app's settings of this computer that are not about a vault and are
//! needed before one is unlocked: the theme, closing to the tray, the
//! quick-pick shortcut. They belong to the desktop, not to the vault (which
//! syncs to other machines with other desktops), so they live in
//! `tessera/desktop.json` in the user's configuration folder, beside the
//! vaults' own local choices (`tessera_core::local`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime};
use ts_rs::TS;

/// The event emitted, to the page and to Rust listeners, after the
/// settings are saved. Its payload is the saved [`DesktopSettings`].
pub const CHANGED_EVENT: &str = "desktop-settings-changed";

/// The longest shortcut text accepted ("Ctrl+Alt+Shift+Super+PageDown" fits).
const MAX_SHORTCUT_LEN: usize = 64;

/// Light or dark colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Theme {
    /// Follow the desktop's preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Everything in `desktop.json`. A missing field reads as its default, so
/// older files keep working.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct DesktopSettings {
    /// Light, dark, or the desktop's choice.
    pub theme: Theme,
    /// Closing the window leaves Tessera in the tray instead of quitting.
    pub close_to_tray: bool,
    /// The global shortcut that opens the quick-pick window ("Ctrl+Alt+K");
    /// none: no shortcut.
    pub quick_pick_shortcut: Option<String>,
}

impl DesktopSettings {
    /// Refuses what no valid choice looks like, in one line.
    pub fn check(&self) -> Result<(), String> {
        if let Some(shortcut) = &self.quick_pick_shortcut {
            if shortcut.trim().is_empty()
                || shortcut.len() > MAX_SHORTCUT_LEN
                || shortcut.chars().any(char::is_control)
            {
                return Err(format!(
                    "a shortcut is keys joined by +, such as Ctrl+Alt+K (at most {MAX_SHORTCUT_LEN} characters)"
                ));
            }
        }
        Ok(())
    }
}

/// `desktop.json` in the configuration folder, when the system has one.
pub fn file() -> Option<PathBuf> {
    tessera_core::machine_folder().map(|folder| folder.join("desktop.json"))
}

/// The saved settings; the defaults when there are none or the file cannot
/// be read as settings (it is replaced only when the user saves again).
pub fn load() -> DesktopSettings {
    file()
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|bytes| serde_json::from_slice::<DesktopSettings>(&bytes).ok())
        .filter(|settings| settings.check().is_ok())
        .unwrap_or_default()
}

/// Checks and saves `settings`, then tells the page and the app's own
/// listeners (the tray, the shortcut) what they now are.
pub fn save<R: Runtime>(app: &AppHandle<R>, settings: &DesktopSettings) -> Result<(), String> {
    settings.check()?;
    let path = file().ok_or("this system has no configuration folder to keep settings in")?;
    if let Some(folder) = path.parent() {
        tessera_core::files::create_private_dir_all(folder).map_err(|e| e.to_string())?;
    }
    let bytes = serde_json::to_vec_pretty(settings).expect("plain data serialises");
    tessera_core::local::replace_private(&path, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // A listener that is gone changes nothing about the saved file.
    let _ = app.emit(CHANGED_EVENT, settings);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_or_partial_file_reads_with_defaults() {
        let read: DesktopSettings = serde_json::from_str(r#"{"theme":"Dark"}"#).unwrap();
        assert_eq!(read.theme, Theme::Dark);
        assert!(!read.close_to_tray);
        assert_eq!(read.quick_pick_shortcut, None);
    }

    #[test]
    fn a_shortcut_must_be_short_printable_text() {
        let with = |s: &str| DesktopSettings {
            quick_pick_shortcut: Some(s.to_owned()),
            ..DesktopSettings::default()
        };
        assert!(with("Ctrl+Alt+K").check().is_ok());
        assert!(with("  ").check().is_err());
        assert!(with("Ctrl+\nK").check().is_err());
        assert!(with(&"K".repeat(65)).check().is_err());
    }
}
