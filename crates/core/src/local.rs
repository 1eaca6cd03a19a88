//! What this computer keeps about a vault outside it: where its automatic
//! backups go, and how it syncs. These are choices of one machine (another
//! computer sharing the vault has its own folders), so they are not in the
//! vault, which syncs; they live in `tessera/vaults/<vault id>.json` in the
//! user's configuration folder, readable by the user only.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::files::create_private_dir_all;

/// The automatic backups of a vault on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupChoice {
    /// The folder they are written to.
    pub folder: PathBuf,
    /// How many automatic backups are kept (the newest).
    pub keep: usize,
}

/// How a vault syncs on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncChoice {
    /// The folder the user's sync tool carries between machines.
    pub folder: PathBuf,
    /// This computer's id among the vault's devices.
    pub device: String,
    /// A name for people ("laptop"), shown to the other devices.
    pub name: String,
}

/// Everything this computer keeps about one vault.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalChoices {
    /// Automatic backups, when on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupChoice>,
    /// Sync, when on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncChoice>,
}

/// Where the choices of every vault are kept.
#[derive(Debug, Clone)]
pub struct LocalStore {
    folder: PathBuf,
}

impl LocalStore {
    /// The choices kept in `folder`.
    pub fn at(folder: impl Into<PathBuf>) -> LocalStore {
        LocalStore {
            folder: folder.into(),
        }
    }

    fn file(&self, vault_id: &str) -> Option<PathBuf> {
        let plain = !vault_id.is_empty() && vault_id.chars().all(|c| c.is_ascii_hexdigit());
        plain.then(|| self.folder.join(format!("{vault_id}.json")))
    }

    /// The choices for `vault_id` (none made: the defaults). A file that
    /// cannot be read as choices reads as none, with nothing lost: it is
    /// only replaced when the user makes a choice again.
    pub fn load(&self, vault_id: &str) -> LocalChoices {
        self.file(vault_id)
            .and_then(|file| std::fs::read(file).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Saves the choices for `vault_id`.
    pub fn save(&self, vault_id: &str, choices: &LocalChoices) -> Result<(), CoreError> {
        let Some(file) = self.file(vault_id) else {
            return Ok(());
        };
        create_private_dir_all(&self.folder)?;
        let bytes = serde_json::to_vec_pretty(choices).expect("plain data serialises");
        replace_private(&file, &bytes).map_err(|source| CoreError::Io {
            action: "write",
            path: file.clone(),
            source,
        })
    }
}

/// Writes `bytes` as `path` (0600) through a temporary file and a rename,
/// on disk before it replaces the old file. (The app keeps its own
/// desktop settings this way too.)
pub fn replace_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temp(path, bytes, true)
}

/// As [`replace_private`] without waiting for the disk: for a record that
/// is only a summary, rebuilt by the next run if a crash loses it (the
/// sync status, written on every sync, where an fsync would be most of the
/// cost of a sync with nothing new).
pub(crate) fn replace_private_summary(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temp(path, bytes, false)
}

fn write_through_temp(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    use std::io::Write;
    let temp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp)?;
    file.write_all(bytes)?;
    if durable {
        file.sync_all()?;
    }
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip_per_vault() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::at(dir.path());
        let id = "00112233445566778899aabbccddeeff";
        assert_eq!(store.load(id), LocalChoices::default());
        let choices = LocalChoices {
            backup: Some(BackupChoice {
                folder: "/backups".into(),
                keep: 10,
            }),
            sync: None,
        };
        store.save(id, &choices).unwrap();
        assert_eq!(store.load(id), choices);
        assert_eq!(store.load("ffee"), LocalChoices::default());
        std::fs::write(dir.path().join(format!("{id}.json")), "not json").unwrap();
        assert_eq!(store.load(id), LocalChoices::default());
    }
}
