//! Sync through a folder the user already syncs (Syncthing, Nextcloud,
//! Dropbox, a network share, a USB stick): each machine writes only its
//! own encrypted copy of the vault there, reads the others', and merges
//! them per field ([`merge`]). One writer per file, so no sync tool ever
//! sees two writers of one file; the conflict copies tools leave anyway
//! are read, merged and removed. Files of another vault are refused and
//! never touched. docs/sync.md specifies the files and the merge.
//!
//! Layout: `DIR/tessera-sync/<vault id>/<device id>.tessera`, each a whole
//! vault image under the vault's key (the same slots, so the vault's
//! password opens it: that is how `join` starts a new machine).

pub mod merge;
pub mod state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tessera_vault::{Contents, ImageError, OsKeyring, Password, Unlock, UnlockedVault};

use crate::error::CoreError;
use crate::files::create_private_dir_all;
use crate::local::SyncChoice;
use crate::vault::Vault;

use self::state::{DeviceRecord, Stamp, SyncState};

/// The folder inside the user's sync folder that holds Tessera's files.
pub const SYNC_FOLDER: &str = "tessera-sync";
/// The end of every device file's name.
const EXTENSION: &str = ".tessera";

/// What the last sync did, kept on this computer for `sync status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Unix seconds of the last sync.
    pub last_sync: u64,
    /// The devices seen, by id.
    pub devices: BTreeMap<String, SeenDevice>,
    /// What the last sync brought in.
    pub merged: MergeSummary,
    /// Files refused, one line each.
    pub refused: Vec<String>,
    /// Warnings (a device's clock went back, a conflict copy removed).
    pub warnings: Vec<String>,
    /// A digest of each device file as last merged, to skip unchanged ones.
    #[serde(default)]
    pub merged_files: BTreeMap<String, String>,
    /// Each device's clock as last seen, to notice one going back.
    #[serde(default)]
    pub clocks: BTreeMap<String, Stamp>,
}

/// One device as `sync status` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenDevice {
    /// Its name for people.
    pub name: String,
    /// Unix seconds its file last changed (none: this computer).
    pub file_changed: Option<u64>,
    /// Whether it is this computer.
    pub this_computer: bool,
}

/// What a sync brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeSummary {
    /// Device files read and merged.
    pub files: usize,
    /// Conflict copies merged and removed.
    pub conflict_copies: usize,
    /// Accounts that came in.
    pub accounts_added: usize,
    /// Accounts removed elsewhere.
    pub accounts_removed: usize,
    /// Accounts changed.
    pub accounts_changed: usize,
    /// Recovery codes marked used elsewhere.
    pub codes_used: usize,
}

/// Whether a file name is a conflict copy a sync tool left (Syncthing's
/// `.sync-conflict-`, Nextcloud's and Dropbox's "conflicted copy").
pub fn is_conflict_copy(name: &str) -> bool {
    name.contains(".sync-conflict-") || name.contains("conflicted copy")
}

/// A random device id.
fn new_device_id() -> Result<String, CoreError> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes)
        .map_err(|_| CoreError::invalid("the system's random number generator failed"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The folder of this vault's device files in `dir`.
fn vault_folder(dir: &Path, vault_id: &str) -> PathBuf {
    dir.join(SYNC_FOLDER).join(vault_id)
}

/// What tells a device file changed since it was merged: its length and
/// its last 32 bytes, which end with the body's GCM tag. Every save seals
/// under a new random nonce, so a file saved again (even with the same
/// contents) ends differently; reading only the end keeps a sync with
/// nothing new from hashing megabytes. A file damaged elsewhere is then
/// taken as the copy already merged, which brings nothing new and loses
/// nothing.
fn digest(bytes: &[u8]) -> String {
    let tail = &bytes[bytes.len().saturating_sub(32)..];
    let hex: String = tail.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", bytes.len())
}

impl Vault {
    /// How this vault syncs on this computer, if it does.
    pub fn sync_choice(&self) -> Option<SyncChoice> {
        self.local().sync
    }

    /// Starts syncing through `dir` on this computer (the first machine,
    /// or one that already has the vault): this computer gets a device id,
    /// every field gets a version, and the vault's copy is written.
    pub fn enable_sync(
        &mut self,
        dir: &Path,
        name: &str,
        now: u64,
    ) -> Result<SyncReport, CoreError> {
        create_private_dir_all(&vault_folder(dir, &self.info().vault_id))?;
        let folder = std::fs::canonicalize(dir).map_err(|source| CoreError::Io {
            action: "use",
            path: dir.to_owned(),
            source,
        })?;
        let device = match self.sync_choice() {
            Some(choice) => choice.device,
            None => new_device_id()?,
        };
        let mut local = self.local();
        local.sync = Some(SyncChoice {
            folder,
            device: device.clone(),
            name: name.to_owned(),
        });
        self.save_local(&local)?;
        let name = name.to_owned();
        self.update(now, move |contents| {
            let mut state = SyncState::of(contents);
            state.devices.insert(
                device.clone(),
                DeviceRecord {
                    name,
                    seen: state.clock.clone(),
                },
            );
            state.store(contents);
            Ok(())
        })?;
        self.sync_now(now)
    }

    /// Stops syncing on this computer; its file in the folder is removed,
    /// so the others stop reading it. The vault stays as it is.
    pub fn disable_sync(&mut self) -> Result<(), CoreError> {
        let Some(choice) = self.sync_choice() else {
            return Ok(());
        };
        let own = vault_folder(&choice.folder, &self.info().vault_id)
            .join(format!("{}{EXTENSION}", choice.device));
        let _ = std::fs::remove_file(own);
        let mut local = self.local();
        local.sync = None;
        self.save_local(&local)
    }

    /// After a save, with sync on: this computer's file is written again.
    pub(crate) fn write_device_file(&self) -> Result<(), CoreError> {
        let Some(choice) = self.sync_choice() else {
            return Ok(());
        };
        let folder = vault_folder(&choice.folder, &self.info().vault_id);
        create_private_dir_all(&folder)?;
        let file = folder.join(format!("{}{EXTENSION}", choice.device));
        // Rewriting an unchanged file would make every other machine's sync
        // tool carry it and their file watchers sync again, for nothing.
        if read_device_file(&file).is_ok_and(|on_disk| on_disk == self.sealed_bytes()) {
            return Ok(());
        }
        crate::local::replace_private(&file, self.sealed_bytes()).map_err(|source| CoreError::Io {
            action: "write",
            path: file,
            source,
        })
    }

    /// Reads every other device's file (and conflict copies), merges what
    /// changed into the vault, writes this computer's file, and removes the
    /// conflict copies merged. Files of another vault are refused.
    pub fn sync_now(&mut self, now: u64) -> Result<SyncReport, CoreError> {
        let choice = self
            .sync_choice()
            .ok_or_else(|| CoreError::invalid("sync is off: turn it on with `sync enable DIR`"))?;
        let vault_id = self.info().vault_id;
        let folder = vault_folder(&choice.folder, &vault_id);
        let mut status = self.sync_status();
        let mut report = SyncReport::default();
        let mut incoming: Vec<(String, Contents)> = Vec::new();
        let mut conflict_copies = Vec::new();
        let entries = std::fs::read_dir(&folder).map_err(|source| CoreError::Io {
            action: "read",
            path: folder.clone(),
            source,
        })?;
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(EXTENSION) || name.starts_with('.') {
                continue;
            }
            let conflict = is_conflict_copy(&name);
            let device = name.trim_end_matches(EXTENSION).to_owned();
            if device == choice.device && !conflict {
                continue;
            }
            let path = entry.path();
            let Ok(bytes) = read_device_file(&path) else {
                report.refused.push(format!("{name}: it cannot be read"));
                continue;
            };
            let seen_digest = digest(&bytes);
            if !conflict && status.merged_files.get(&device) == Some(&seen_digest) {
                continue;
            }
            match self.open_own_image(&bytes) {
                Ok(contents) => {
                    let clock = SyncState::clock_of(&contents);
                    if !conflict {
                        if let Some(before) = status.clocks.get(&device) {
                            if clock < *before {
                                report.warnings.push(format!(
                                    "{name} went back in time (its clock is older than when last seen): the sync service may have put back an older copy"
                                ));
                            }
                        }
                        status.clocks.insert(device.clone(), clock);
                        status.merged_files.insert(device.clone(), seen_digest);
                    } else {
                        conflict_copies.push(path.clone());
                    }
                    incoming.push((name, contents));
                }
                Err(ImageError::ForeignVault) => report.refused.push(format!(
                    "{name} is not a copy of this vault (another vault, or sealed under a key changed on that machine: join again with the new password); it was left alone"
                )),
                Err(error) => report.refused.push(format!("{name}: {error}; it was left alone")),
            }
        }
        report.merged.files = incoming
            .iter()
            .filter(|(n, _)| !is_conflict_copy(n))
            .count();
        report.merged.conflict_copies = conflict_copies.len();
        if !incoming.is_empty() {
            let summary = self.merge_in(incoming, now)?;
            report.merged = MergeSummary {
                files: report.merged.files,
                conflict_copies: report.merged.conflict_copies,
                ..summary
            };
        }
        self.write_device_file()?;
        for copy in &conflict_copies {
            if std::fs::remove_file(copy).is_ok() {
                report.warnings.push(format!(
                    "merged and removed the conflict copy {}",
                    copy.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
        status.last_sync = now;
        status.devices = self.devices_seen(&folder, &choice.device);
        status.merged = report.merged.clone();
        status.refused.clone_from(&report.refused);
        status.warnings.clone_from(&report.warnings);
        self.save_sync_status(&status)?;
        Ok(report)
    }

    /// Merges the `incoming` copies into the vault, in one save (no new
    /// stamps: merged fields keep the versions they came with).
    fn merge_in(
        &mut self,
        incoming: Vec<(String, Contents)>,
        now: u64,
    ) -> Result<MergeSummary, CoreError> {
        let merge_all = |before: &Contents| {
            let mut merged = merge::merge_all(before, incoming.iter().map(|(_, theirs)| theirs));
            // The generation counts this computer's saves (the merge is
            // one), and the save stamps its own time.
            merged.generation = before.generation;
            merged.modified_at = before.modified_at;
            merged
        };
        // Copies that bring nothing new are not saved: a save rewrites this
        // computer's file (a new nonce), which the other machines would
        // then merge and save in turn, forever.
        let read_at = self.contents().generation;
        let merged = merge_all(self.contents());
        if merged == *self.contents() {
            return Ok(MergeSummary::default());
        }
        self.update_merging(now, move |contents| {
            // The file is read again under its lock: if another process
            // saved meanwhile (a later generation), merge into that.
            let merged = if contents.generation == read_at {
                merged
            } else {
                merge_all(contents)
            };
            let summary = summarise(contents, &merged);
            *contents = merged;
            Ok(summary)
        })
    }

    /// The devices whose files are in the folder, with this computer.
    fn devices_seen(&self, folder: &Path, own: &str) -> BTreeMap<String, SeenDevice> {
        let records = SyncState::devices_of(self.contents());
        let mut seen = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(folder) {
            for entry in entries.filter_map(|e| e.ok()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(EXTENSION) || is_conflict_copy(&name) || name.starts_with('.') {
                    continue;
                }
                let id = name.trim_end_matches(EXTENSION).to_owned();
                let changed = entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs());
                seen.insert(
                    id.clone(),
                    SeenDevice {
                        name: records.get(&id).map(|r| r.name.clone()).unwrap_or_default(),
                        file_changed: changed,
                        this_computer: id == own,
                    },
                );
            }
        }
        seen
    }

    /// What the last sync on this computer did.
    pub fn sync_status(&self) -> SyncStatus {
        self.machine_file("sync-status")
            .and_then(|file| std::fs::read(file).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save_sync_status(&self, status: &SyncStatus) -> Result<(), CoreError> {
        let Some(file) = self.machine_file("sync-status") else {
            return Ok(());
        };
        if let Some(parent) = file.parent() {
            create_private_dir_all(parent)?;
        }
        let bytes = serde_json::to_vec_pretty(status).expect("plain data serialises");
        crate::local::replace_private_summary(&file, &bytes).map_err(|source| CoreError::Io {
            action: "write",
            path: file,
            source,
        })
    }
}

/// What a sync did, to tell the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// What came in.
    pub merged: MergeSummary,
    /// Files refused, one line each.
    pub refused: Vec<String>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// Counts what a merge changed.
fn summarise(before: &Contents, after: &Contents) -> MergeSummary {
    let old: BTreeMap<_, _> = before.accounts.iter().map(|a| (&a.id, a)).collect();
    let new: BTreeMap<_, _> = after.accounts.iter().map(|a| (&a.id, a)).collect();
    let used = |contents: &Contents| -> usize {
        contents.recovery.iter().map(|e| e.codes.used_count()).sum()
    };
    MergeSummary {
        accounts_added: new.keys().filter(|id| !old.contains_key(*id)).count(),
        accounts_removed: old.keys().filter(|id| !new.contains_key(*id)).count(),
        accounts_changed: new
            .iter()
            .filter(|(id, a)| old.get(*id).is_some_and(|o| o != *a))
            .count(),
        codes_used: used(after).saturating_sub(used(before)),
        ..MergeSummary::default()
    }
}

/// A device file, bounded as a vault is, refusing anything but a regular
/// file.
fn read_device_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let (file, _) = tessera_vault::open_regular_file(path)?;
    let mut bytes = Vec::new();
    file.take(256 * 1024 * 1024).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A new machine joins: the vault's password opens a device file in
/// `dir`, and the local vault is created at `path` with the same master
/// key (a copy of that file, keyring slots of the other machine dropped),
/// then synced with every device file there.
pub fn join(
    dir: &Path,
    path: &Path,
    password: &Password,
    name: &str,
    now: u64,
) -> Result<(Vault, SyncReport), CoreError> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(tessera_vault::VaultError::AlreadyExists {
            path: path.to_owned(),
        }
        .into());
    }
    let root = dir.join(SYNC_FOLDER);
    let mut candidates = Vec::new();
    if let Ok(vaults) = std::fs::read_dir(&root) {
        for vault in vaults.filter_map(|e| e.ok()) {
            if let Ok(files) = std::fs::read_dir(vault.path()) {
                for file in files.filter_map(|e| e.ok()) {
                    let name = file.file_name().to_string_lossy().into_owned();
                    if name.ends_with(EXTENSION)
                        && !is_conflict_copy(&name)
                        && !name.starts_with('.')
                    {
                        candidates.push(file.path());
                    }
                }
            }
        }
    }
    if candidates.is_empty() {
        return Err(CoreError::Invalid(format!(
            "{} holds no Tessera sync files: run `sync enable` on the first machine, and wait for the folder to sync",
            dir.display()
        )));
    }
    candidates.sort();
    let mut last_error = None;
    for candidate in candidates {
        let Ok(bytes) = read_device_file(&candidate) else {
            continue;
        };
        match tessera_vault::open_bytes(&bytes, Unlock::Password(password)) {
            Ok(_) => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    create_private_dir_all(folder)?;
                }
                crate::files::write_private_file(path, &bytes)?;
                let mut inner = UnlockedVault::open_with_password(path, password)?;
                // The other machine's keyring entry is not here.
                if inner.info().has_keyring() {
                    let _ = inner.disable_keyring(&OsKeyring::new());
                }
                let mut vault = Vault::from(inner);
                let report = vault.enable_sync(dir, name, now)?;
                return Ok((vault, report));
            }
            Err(error) => last_error = Some(error),
        }
    }
    Err(match last_error {
        Some(ImageError::WrongPassword) | None => {
            CoreError::invalid("the password opens none of the vaults in the sync folder")
        }
        Some(other) => CoreError::Invalid(other.to_string()),
    })
}
