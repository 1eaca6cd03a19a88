//! Automatic encrypted backups: after every change, a copy of the vault
//! (its own encrypted bytes: the same key slots, so `tessera import` and
//! `backup restore` read it) goes to a folder the user chose, named with
//! its time; the newest N are kept. Files the user put there by hand are
//! never deleted: only names this module writes are pruned.
//!
//! For a person without a phone, the vault may be the only copy of their
//! second factor; three rotated files beside it die with the disk.

use std::path::{Path, PathBuf};

use tessera_vault::{Contents, Password, RecoveryOwner, Unlock};

use crate::error::CoreError;
use crate::files::create_private_dir_all;
use crate::local::BackupChoice;
use crate::sync::state::{account_key, recovery_key, SyncState, SYNC_KEY};
use crate::vault::Vault;

/// How many automatic backups are kept unless the user says otherwise.
pub const DEFAULT_KEEP: usize = 10;
/// The most that can be asked for: a backup is a copy of the vault, and a
/// folder of thousands of them helps nobody.
pub const MAX_KEEP: usize = 1000;

/// The start of every automatic backup's name.
const PREFIX: &str = "tessera-backup-";
/// The end of every backup's name.
const EXTENSION: &str = ".tessera";

/// One backup in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    /// The file.
    pub path: PathBuf,
    /// Unix seconds it was written (from its name; its modification time
    /// for one made by hand).
    pub written_at: u64,
    /// Whether Tessera wrote it (and may prune it).
    pub automatic: bool,
    /// Its size in bytes.
    pub size: u64,
    /// What it holds, if it opens with this vault's key.
    pub holds: Result<Holds, String>,
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holds {
    /// Accounts.
    pub accounts: usize,
    /// Recovery codes not used yet.
    pub recovery_codes: usize,
}

impl Holds {
    fn of(contents: &Contents) -> Holds {
        Holds {
            accounts: contents.accounts.len(),
            recovery_codes: contents
                .recovery
                .iter()
                .map(|entry| entry.codes.unused_count())
                .sum(),
        }
    }
}

/// The name of an automatic backup written at `now` (UTC, to the second).
fn automatic_name(now: u64) -> String {
    let days = now / 86_400;
    let seconds = now % 86_400;
    let date = tessera_transfer::paper::utc_date(days * 86_400);
    format!(
        "{PREFIX}{date}T{:02}-{:02}-{:02}Z{EXTENSION}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The time an automatic backup's name says, if it is one.
fn time_of_automatic(name: &str) -> Option<u64> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(EXTENSION)?;
    // 2026-12-04T13-05-09Z, optionally followed by -N for a second one
    // written in the same second.
    let (stamp, _) = stamp.split_once('Z')?;
    let (date, time) = stamp.split_once('T')?;
    let numbers =
        |text: &str| -> Option<Vec<u64>> { text.split('-').map(|n| n.parse().ok()).collect() };
    let (date, time) = (numbers(date)?, numbers(time)?);
    let ([year, month, day], [hour, minute, second]) = (date.as_slice(), time.as_slice()) else {
        return None;
    };
    Some(days_from_civil(*year, *month, *day)? * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

impl Vault {
    /// Where this vault's automatic backups go on this computer, if on.
    pub fn backup_choice(&self) -> Option<BackupChoice> {
        self.local().backup
    }

    /// Turns automatic backups on (or changes the folder or the count) and
    /// writes one at once.
    pub fn enable_backups(
        &mut self,
        folder: &Path,
        keep: usize,
        now: u64,
    ) -> Result<PathBuf, CoreError> {
        if !(1..=MAX_KEEP).contains(&keep) {
            return Err(CoreError::Invalid(format!(
                "keep 1 to {MAX_KEEP} backups, not {keep}"
            )));
        }
        create_private_dir_all(folder)?;
        let folder = std::fs::canonicalize(folder).map_err(|source| CoreError::Io {
            action: "use",
            path: folder.to_owned(),
            source,
        })?;
        let mut local = self.local();
        local.backup = Some(BackupChoice { folder, keep });
        self.save_local(&local)?;
        self.write_backup(now)
    }

    /// Turns automatic backups off; the backups written stay.
    pub fn disable_backups(&mut self) -> Result<(), CoreError> {
        let mut local = self.local();
        local.backup = None;
        self.save_local(&local)
    }

    /// Writes a backup of the vault as it is now to the backup folder, and
    /// prunes the automatic ones past the count. Returns the file.
    pub fn write_backup(&self, now: u64) -> Result<PathBuf, CoreError> {
        let choice = self
            .backup_choice()
            .ok_or_else(|| CoreError::invalid("automatic backups are off"))?;
        let name = automatic_name(now);
        let mut path = choice.folder.join(&name);
        let mut n = 2;
        while std::fs::symlink_metadata(&path).is_ok() {
            let stem = name.trim_end_matches(EXTENSION);
            path = choice.folder.join(format!("{stem}-{n}{EXTENSION}"));
            n += 1;
        }
        crate::files::write_private_file(&path, self.sealed_bytes())?;
        self.prune_backups(&choice)?;
        Ok(path)
    }

    /// Deletes the oldest automatic backups past the count.
    fn prune_backups(&self, choice: &BackupChoice) -> Result<(), CoreError> {
        let mut automatic: Vec<(u64, PathBuf)> = std::fs::read_dir(&choice.folder)
            .map_err(|source| CoreError::Io {
                action: "read",
                path: choice.folder.clone(),
                source,
            })?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                time_of_automatic(&name).map(|time| (time, entry.path()))
            })
            .filter(|(_, path)| self.is_own_backup(path))
            .collect();
        automatic.sort();
        let excess = automatic.len().saturating_sub(choice.keep);
        for (_, path) in automatic.into_iter().take(excess) {
            let _ = std::fs::remove_file(path);
        }
        Ok(())
    }

    /// Whether `path` is a backup of this vault (same vault id), so a
    /// folder shared by two vaults never loses one's backups to the other's
    /// pruning.
    fn is_own_backup(&self, path: &Path) -> bool {
        tessera_vault::inspect(path).is_ok_and(|info| info.vault_id == self.info().vault_id)
    }

    /// The backups in the backup folder, newest first: every file that is
    /// a backup of this vault, automatic or put there by hand.
    pub fn list_backups(&self) -> Result<Vec<BackupFile>, CoreError> {
        let choice = self
            .backup_choice()
            .ok_or_else(|| CoreError::invalid("automatic backups are off"))?;
        let entries = std::fs::read_dir(&choice.folder).map_err(|source| CoreError::Io {
            action: "read",
            path: choice.folder.clone(),
            source,
        })?;
        let mut found = Vec::new();
        for entry in entries.filter_map(|entry| entry.ok()) {
            let path = entry.path();
            if !self.is_own_backup(&path) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let metadata = std::fs::metadata(&path).ok();
            let modified = metadata
                .as_ref()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            let automatic = time_of_automatic(&name);
            let holds = read_file(&path)
                .and_then(|bytes| self.open_own_image(&bytes).map_err(|e| e.to_string()))
                .map(|contents| Holds::of(&contents));
            found.push(BackupFile {
                written_at: automatic.unwrap_or(modified),
                automatic: automatic.is_some(),
                size: metadata.map_or(0, |m| m.len()),
                holds,
                path,
            });
        }
        found.sort_by(|a, b| b.written_at.cmp(&a.written_at).then(b.path.cmp(&a.path)));
        Ok(found)
    }

    /// When the newest backup was written, if backups are on and one is
    /// there.
    pub fn last_backup(&self) -> Option<u64> {
        self.list_backups()
            .ok()?
            .first()
            .map(|backup| backup.written_at)
    }

    /// Replaces the vault's accounts, recovery codes and preferences with
    /// those of the backup `path`. The vault as it is now is backed up
    /// first (to the backup folder when backups are on, else beside the
    /// backup being restored). A backup sealed under an older key (before a
    /// password change) needs that key's `password`. Returns where the
    /// vault as it was went.
    pub fn restore_backup(
        &mut self,
        path: &Path,
        password: Option<&Password>,
        now: u64,
    ) -> Result<PathBuf, CoreError> {
        let bytes = read_file(path).map_err(CoreError::Invalid)?;
        let restored = match self.open_own_image(&bytes) {
            Ok(contents) => contents,
            Err(tessera_vault::ImageError::ForeignVault) => {
                let info = tessera_vault::inspect_bytes(&bytes)
                    .map_err(|e| CoreError::Invalid(e.to_string()))?;
                if info.vault_id != self.info().vault_id {
                    return Err(CoreError::Invalid(format!(
                        "{} is a backup of another vault; import it instead",
                        path.display()
                    )));
                }
                let password = password.ok_or_else(|| {
                    CoreError::invalid(
                        "this backup was written before a password change: give the password it had",
                    )
                })?;
                tessera_vault::open_bytes(&bytes, Unlock::Password(password))
                    .map_err(|e| CoreError::Invalid(format!("{}: {e}", path.display())))?
                    .contents
            }
            Err(other) => return Err(CoreError::Invalid(format!("{}: {other}", path.display()))),
        };
        let saved_before = match self.backup_choice() {
            Some(_) => self.write_backup(now)?,
            None => {
                let folder = path.parent().unwrap_or(Path::new("."));
                let before =
                    crate::files::free_name(folder, "tessera-before-restore", Some("tessera"), now);
                crate::files::write_private_file(&before, self.sealed_bytes())?;
                before
            }
        };
        self.update(now, |contents| {
            let generation = contents.generation;
            let sync = contents.extra.get(SYNC_KEY).cloned();
            *contents = restored;
            // Restoring is a change like any other: newer than what it
            // replaces, so this computer does not take it for a rollback.
            contents.generation = generation;
            if let Some(sync) = sync {
                bring_back_under_new_ids(contents, sync)?;
            }
            Ok(())
        })?;
        Ok(saved_before)
    }
}

/// With sync on, a restore is a change made now, on this computer: it keeps
/// the vault's sync record (the backup's own is old), so what the backup
/// lacks is removed everywhere and what it holds wins. What was removed
/// since the backup comes back under new ids: a removal stays removed on
/// every machine (docs/sync.md), so only a new entry can bring it back.
fn bring_back_under_new_ids(
    contents: &mut Contents,
    sync: serde_json::Value,
) -> Result<(), CoreError> {
    contents.extra.insert(SYNC_KEY.to_owned(), sync);
    let removed = SyncState::of(contents).tombstones;
    let mut new_ids = std::collections::BTreeMap::new();
    for account in &mut contents.accounts {
        if removed.contains_key(&account_key(account)) {
            let id = tessera_vault::AccountId::random()?;
            new_ids.insert(account.id.clone(), id.clone());
            account.id = id;
        }
    }
    for entry in &mut contents.recovery {
        if let RecoveryOwner::Account { account_id } = &mut entry.owner {
            if let Some(id) = new_ids.get(account_id) {
                *account_id = id.clone();
            }
        }
        if removed.contains_key(&recovery_key(entry)) {
            entry.id = tessera_vault::AccountId::random()?;
        }
    }
    Ok(())
}

/// A whole backup file, bounded as a vault is.
fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let (file, metadata) =
        tessera_vault::open_regular_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if metadata.len() > tessera_transfer::MAX_IMPORT_LEN {
        return Err(format!("{} is too large to be a backup", path.display()));
    }
    let mut bytes = Vec::new();
    file.take(tessera_transfer::MAX_IMPORT_LEN)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_names_carry_their_time() {
        let now = 1_795_392_000 + 13 * 3600 + 5 * 60 + 9;
        let name = automatic_name(now);
        assert_eq!(name, "tessera-backup-2026-11-23T13-05-09Z.tessera");
        assert_eq!(time_of_automatic(&name), Some(now));
        assert_eq!(
            time_of_automatic("tessera-backup-2026-11-23T13-05-09Z-2.tessera"),
            Some(now)
        );
        assert_eq!(time_of_automatic("my-backup.tessera"), None);
        assert_eq!(
            time_of_automatic("tessera-backup-2026-13-01T00-00-00Z.tessera"),
            None
        );
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
    }
}
