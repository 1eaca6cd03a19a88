//! The open vault as both front ends hold it: every change goes through
//! [`Vault::update`], so whatever must follow a change (re-reading what
//! another process saved first, and the bookkeeping later features add)
//! happens once, here, for the command line and the app alike.

use std::path::{Path, PathBuf};

use tessera_vault::{
    Contents, CreateOptions, KdfParams, KeyStore, Password, RekeyReport, Unlock, UnlockedVault,
    VaultError, VaultInfo,
};

use crate::error::CoreError;
use crate::files::create_private_dir_all;
use crate::generations::SeenGenerations;
use crate::local::{LocalChoices, LocalStore};
use crate::preferences::Preferences;

/// What a front end does with the news that an automatic backup failed.
pub type BackupWarning = Box<dyn Fn(&str) + Send + Sync>;

/// An unlocked vault. The master key is wiped when it is dropped.
pub struct Vault {
    inner: UnlockedVault,
    /// Where this computer keeps what it knows of its vaults: the highest
    /// generation seen, backup and sync choices (`tessera` in the user's
    /// configuration folder; none when the system has none).
    machine: Option<PathBuf>,
    /// Why the last automatic backup could not be written, if it could not
    /// (the change it followed was saved all the same).
    backup_problem: Option<String>,
    /// Told when an automatic backup fails.
    backup_warning: Option<BackupWarning>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("inner", &self.inner)
            .field("machine", &self.machine)
            .finish_non_exhaustive()
    }
}

/// `tessera` in the user's configuration folder, where the machine's own
/// records of its vaults are kept.
pub fn machine_folder() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("tessera"))
}

/// The key slots of a new vault: a password, the OS keyring, or both.
#[derive(Clone, Copy, Default)]
pub struct NewVault<'a> {
    /// Unlock with this password.
    pub password: Option<&'a Password>,
    /// Unlock through this keyring (normally [`tessera_vault::OsKeyring`]).
    pub keyring: Option<&'a dyn KeyStore>,
}

impl Vault {
    /// Creates a vault at `path`, refusing to overwrite anything, and makes
    /// its folder (readable by the user only) if it is missing.
    pub fn create(path: &Path, slots: NewVault<'_>, now: u64) -> Result<Vault, CoreError> {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(VaultError::AlreadyExists {
                path: path.to_owned(),
            }
            .into());
        }
        if slots.password.is_none() && slots.keyring.is_none() {
            return Err(VaultError::NoSlot.into());
        }
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir_all(folder)?;
        }
        let options = CreateOptions {
            password: slots.password,
            kdf: KdfParams::DEFAULT,
            keyring: slots.keyring,
        };
        let inner = UnlockedVault::create(path, options, Contents::default(), now)?;
        let vault = Vault::from(inner);
        vault.record_generation(false)?;
        Ok(vault)
    }

    /// Opens the vault at `path` with one of its slots. A file older than
    /// one this computer already opened (by its generation) is refused as
    /// [`CoreError::RolledBack`]: see [`open_accepting_older`](Self::open_accepting_older).
    pub fn open(path: &Path, unlock: Unlock<'_>) -> Result<Vault, CoreError> {
        Vault::open_remembering(path, unlock, machine_folder(), false)
    }

    /// Opens the vault at `path` even when it is older than one this
    /// computer opened before: the user chose to go back to it, and its
    /// generation becomes the one remembered.
    pub fn open_accepting_older(path: &Path, unlock: Unlock<'_>) -> Result<Vault, CoreError> {
        Vault::open_remembering(path, unlock, machine_folder(), true)
    }

    /// Opens as [`open`](Self::open) (or, with `accept_older`,
    /// [`open_accepting_older`](Self::open_accepting_older)) does, keeping
    /// this computer's records in `machine` instead of the user's
    /// configuration folder (none: not kept).
    pub fn open_remembering(
        path: &Path,
        unlock: Unlock<'_>,
        machine: Option<PathBuf>,
        accept_older: bool,
    ) -> Result<Vault, CoreError> {
        let mut vault = Vault {
            inner: UnlockedVault::open(path, unlock)?,
            machine,
            backup_problem: None,
            backup_warning: None,
        };
        let highest = vault
            .seen()
            .map_or(0, |seen| seen.highest(&vault.info().vault_id));
        if vault.contents().generation < highest {
            // Another program may have saved (and raised the mark) between
            // our read and now; it writes the file before the mark, so a
            // fresh read tells a race from a rollback.
            vault.inner.reload()?;
        }
        let found = vault.contents().generation;
        if found < highest && !accept_older {
            return Err(CoreError::RolledBack {
                path: vault.path().to_owned(),
                found,
                seen: highest,
            });
        }
        vault.record_generation(accept_older)?;
        Ok(vault)
    }

    fn seen(&self) -> Option<SeenGenerations> {
        self.machine
            .as_ref()
            .map(|folder| SeenGenerations::at(folder.join("generations")))
    }

    /// What this computer keeps about this vault: backup and sync choices.
    pub fn local(&self) -> LocalChoices {
        self.local_store()
            .map(|store| store.load(&self.info().vault_id))
            .unwrap_or_default()
    }

    /// Saves this computer's choices about this vault.
    pub fn save_local(&self, choices: &LocalChoices) -> Result<(), CoreError> {
        match self.local_store() {
            Some(store) => store.save(&self.info().vault_id, choices),
            None => Err(CoreError::invalid(
                "this system has no configuration folder to keep the choice in",
            )),
        }
    }

    fn local_store(&self) -> Option<LocalStore> {
        self.machine
            .as_ref()
            .map(|folder| LocalStore::at(folder.join("vaults")))
    }

    /// The vault's encrypted bytes as last read or saved: a copy that opens
    /// as the vault does (its slots) and with its key.
    pub fn sealed_bytes(&self) -> &[u8] {
        self.inner.sealed_bytes()
    }

    /// Opens a copy of this vault (a backup, another device's file) with
    /// the vault's own key.
    pub fn open_own_image(&self, bytes: &[u8]) -> Result<Contents, tessera_vault::ImageError> {
        self.inner.open_own_image(bytes)
    }

    /// Why the last automatic backup failed, if it did.
    pub fn backup_problem(&self) -> Option<&str> {
        self.backup_problem.as_deref()
    }

    /// Tells `warning` whenever an automatic backup fails.
    pub fn on_backup_problem(&mut self, warning: BackupWarning) {
        self.backup_warning = Some(warning);
    }

    /// After a save: the backup it owes, when backups are on. A failure is
    /// kept for the front end to show; the change itself stays saved.
    fn after_save(&mut self, now: u64) -> Result<(), CoreError> {
        self.record_generation(false)?;
        self.write_device_file()?;
        if self.backup_choice().is_some() {
            self.backup_problem = self.write_backup(now).err().map(|e| e.to_string());
            if let (Some(problem), Some(warn)) = (&self.backup_problem, &self.backup_warning) {
                warn(&format!("the automatic backup was not written: {problem}"));
            }
        }
        Ok(())
    }

    /// Remembers the generation of the contents as read or saved.
    fn record_generation(&self, accepting_older: bool) -> Result<(), CoreError> {
        let Some(seen) = self.seen() else {
            return Ok(());
        };
        let (id, generation) = (self.info().vault_id, self.contents().generation);
        if accepting_older {
            seen.accept(&id, generation)
        } else {
            seen.saw(&id, generation)
        }
    }

    /// The contents as of the last open, reload or change.
    pub fn contents(&self) -> &Contents {
        self.inner.contents()
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        self.inner.path()
    }

    /// Its id and key slots.
    pub fn info(&self) -> VaultInfo {
        self.inner.info()
    }

    /// The user's preferences stored in the vault.
    pub fn preferences(&self) -> Preferences {
        Preferences::from_map(&self.contents().settings.extra)
    }

    /// Re-reads the file to see what another process saved.
    pub fn reload(&mut self) -> Result<(), CoreError> {
        self.inner.reload()?;
        self.record_generation(false)
    }

    /// Applies a change to freshly read contents under the file lock and
    /// saves it (nothing is saved when `change` fails). See
    /// [`UnlockedVault::update`].
    pub fn update<T>(
        &mut self,
        now: u64,
        change: impl FnOnce(&mut Contents) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let device = self.sync_choice().map(|choice| choice.device);
        let out = self.inner.update(now, |contents| {
            let Some(device) = &device else {
                return change(contents);
            };
            // With sync on, what the change did gets versions, so other
            // machines' copies merge field by field.
            let before = contents.clone();
            let out = change(contents)?;
            crate::sync::state::stamp_changes(&before, contents, device, now.saturating_mul(1000));
            Ok(out)
        })?;
        self.after_save(now)?;
        Ok(out)
    }

    /// Applies a merge: as [`update`](Self::update), but the merged fields
    /// keep the versions they came with.
    pub(crate) fn update_merging<T>(
        &mut self,
        now: u64,
        change: impl FnOnce(&mut Contents) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let out = self.inner.update(now, change)?;
        self.after_save(now)?;
        Ok(out)
    }

    /// A file of this computer's records about this vault, `name` naming
    /// what it keeps.
    pub(crate) fn machine_file(&self, name: &str) -> Option<PathBuf> {
        self.machine.as_ref().map(|folder| {
            folder
                .join("vaults")
                .join(format!("{}.{name}.json", self.info().vault_id))
        })
    }

    /// Validates and saves the preferences; other keys stored beside them
    /// are kept.
    pub fn set_preferences(
        &mut self,
        preferences: &Preferences,
        now: u64,
    ) -> Result<(), CoreError> {
        preferences.validate()?;
        self.update(now, |contents| {
            preferences.write_to(&mut contents.settings.extra);
            Ok(())
        })
    }

    /// Sets the password, or changes it. When the vault already has a
    /// password, `current` must be it: whoever sits at an unlocked vault
    /// (opened through the keyring, or left open) cannot change the
    /// password without knowing it. The master key is replaced with it (a
    /// copy taken before opens nothing written after), a keyring slot
    /// renewed in `keyring`, and the rotated backups sealed again or
    /// removed, as the report says.
    pub fn change_password(
        &mut self,
        current: Option<&Password>,
        new: &Password,
        keyring: &dyn KeyStore,
        now: u64,
    ) -> Result<RekeyReport, CoreError> {
        if self.info().has_password() {
            let current = current.ok_or_else(|| CoreError::invalid("give the current password"))?;
            if !self.password_is(current)? {
                return Err(CoreError::invalid("the current password is wrong"));
            }
        }
        let report = self.inner.set_password(new, KdfParams::DEFAULT, keyring)?;
        // The backups written before are under the old key: one under the
        // new key follows at once.
        self.after_save(now)?;
        Ok(report)
    }

    /// Whether `password` is the vault's (a vault without a password has
    /// none).
    pub fn password_is(&self, password: &Password) -> Result<bool, CoreError> {
        Ok(self.inner.password_matches(password)?)
    }

    /// Adds or removes the OS keyring slot.
    pub fn set_keyring(&mut self, store: &dyn KeyStore, enabled: bool) -> Result<(), CoreError> {
        if enabled {
            Ok(self.inner.enable_keyring(store)?)
        } else {
            Ok(self.inner.disable_keyring(store)?)
        }
    }
}

impl From<UnlockedVault> for Vault {
    fn from(inner: UnlockedVault) -> Vault {
        Vault {
            inner,
            machine: machine_folder(),
            backup_problem: None,
            backup_warning: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 21, rollback): replacing the vault with an older
    /// valid copy was adopted silently (HOTP codes issued again, removed
    /// accounts and spent recovery codes back). It is refused, saying so,
    /// until the user accepts the older file.
    #[test]
    fn regression_an_older_copy_of_the_vault_is_refused_until_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.tessera");
        let seen = || Some(dir.path().join("machine"));
        let password = Password::from("rollback");
        let options = CreateOptions {
            password: Some(&password),
            kdf: KdfParams::insecure_for_tests(),
            keyring: None,
        };
        UnlockedVault::create(&path, options, Contents::default(), 1).unwrap();
        let unlock = || Unlock::Password(&password);
        let mut vault = Vault::open_remembering(&path, unlock(), seen(), false).unwrap();
        vault.update(2, |_| Ok(())).unwrap();
        let older = std::fs::read(&path).unwrap();
        vault
            .update(3, |contents| {
                contents.settings.extra.insert("later".into(), true.into());
                Ok(())
            })
            .unwrap();
        drop(vault);
        std::fs::write(&path, &older).unwrap();

        let error = Vault::open_remembering(&path, unlock(), seen(), false).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::RolledBack);
        assert!(error.to_string().contains("older than the copy"), "{error}");
        let accepted = Vault::open_remembering(&path, unlock(), seen(), true).unwrap();
        assert!(!accepted.contents().settings.extra.contains_key("later"));
        drop(accepted);
        // Accepted once, it opens as usual from then on.
        Vault::open_remembering(&path, unlock(), seen(), false).unwrap();
    }
}
