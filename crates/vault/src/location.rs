//! Where the vault lives when nobody says: one rule for the app and the CLI,
//! so that both open the same file and can be used side by side.

use std::path::PathBuf;

/// The environment variable that names the vault file for the app and CLI.
pub const VAULT_ENV: &str = "TESSERA_VAULT";

/// The vault the app and the CLI open when no path is given: the file named
/// by `TESSERA_VAULT` when it is set and not empty, else
/// `tessera/vault.tessera` in the OS's data folder (`~/.local/share` or
/// `$XDG_DATA_HOME` on Linux, `~/Library/Application Support` on macOS,
/// `%APPDATA%` on Windows). `None` when there is no such folder.
pub fn default_vault_path() -> Option<PathBuf> {
    match std::env::var_os(VAULT_ENV) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::data_dir().map(|dir| dir.join("tessera").join("vault.tessera")),
    }
}
