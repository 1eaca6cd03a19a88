//! The highest generation of each vault this computer has seen, kept
//! outside the vault, so a vault file replaced by an older copy (a restored
//! backup, a sync service rolling it back, a copy put back by hand) is
//! noticed instead of adopted silently: an older vault issues HOTP codes a
//! second time and brings back removed accounts and spent recovery codes.
//!
//! One small file per vault id under `tessera/generations/` in the user's
//! configuration folder, written atomically and only ever raised (except
//! when the user accepts an older file).

use std::path::PathBuf;

use crate::error::CoreError;
use crate::files::create_private_dir_all;
use crate::local::replace_private;

/// Where the generations seen on this computer are kept.
#[derive(Debug, Clone)]
pub struct SeenGenerations {
    folder: PathBuf,
}

impl SeenGenerations {
    /// The generations kept in `folder`.
    pub fn at(folder: impl Into<PathBuf>) -> SeenGenerations {
        SeenGenerations {
            folder: folder.into(),
        }
    }

    fn file(&self, vault_id: &str) -> Option<PathBuf> {
        // Vault ids are 32 hex digits; anything else never names a file.
        let plain = !vault_id.is_empty() && vault_id.chars().all(|c| c.is_ascii_hexdigit());
        plain.then(|| self.folder.join(vault_id))
    }

    /// The highest generation of the vault `vault_id` seen here (0: none).
    pub fn highest(&self, vault_id: &str) -> u64 {
        self.file(vault_id)
            .and_then(|file| std::fs::read_to_string(file).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Records that `generation` of the vault was seen: raises the mark,
    /// never lowers it.
    pub fn saw(&self, vault_id: &str, generation: u64) -> Result<(), CoreError> {
        if generation <= self.highest(vault_id) {
            return Ok(());
        }
        self.set(vault_id, generation)
    }

    /// Sets the mark to `generation`, lower or not: the user accepted an
    /// older file.
    pub fn accept(&self, vault_id: &str, generation: u64) -> Result<(), CoreError> {
        self.set(vault_id, generation)
    }

    fn set(&self, vault_id: &str, generation: u64) -> Result<(), CoreError> {
        let Some(file) = self.file(vault_id) else {
            return Ok(());
        };
        create_private_dir_all(&self.folder)?;
        replace_private(&file, format!("{generation}\n").as_bytes()).map_err(|source| {
            CoreError::Io {
                action: "write",
                path: file.clone(),
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_go_up_unless_an_older_file_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let seen = SeenGenerations::at(dir.path().join("generations"));
        let id = "00112233445566778899aabbccddeeff";
        assert_eq!(seen.highest(id), 0);
        seen.saw(id, 7).unwrap();
        seen.saw(id, 5).unwrap();
        assert_eq!(seen.highest(id), 7);
        seen.accept(id, 5).unwrap();
        assert_eq!(seen.highest(id), 5);
        assert_eq!(seen.highest("ffff"), 0, "each vault has its own mark");
        seen.saw("../escape", 9).unwrap();
        assert!(!dir.path().join("escape").exists());
    }
}
