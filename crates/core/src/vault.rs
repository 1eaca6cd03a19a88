//! The open vault as both front ends hold it: every change goes through
//! [`Vault::update`], so whatever must follow a change (re-reading what
//! another process saved first, and the bookkeeping later features add)
//! happens once, here, for the command line and the app alike.

use std::path::Path;

use tessera_vault::{
    Contents, CreateOptions, KdfParams, KeyStore, Password, Unlock, UnlockedVault, VaultError,
    VaultInfo,
};

use crate::error::CoreError;
use crate::files::create_private_dir_all;
use crate::preferences::Preferences;

/// An unlocked vault. The master key is wiped when it is dropped.
#[derive(Debug)]
pub struct Vault {
    inner: UnlockedVault,
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
        Ok(Vault { inner })
    }

    /// Opens the vault at `path` with one of its slots.
    pub fn open(path: &Path, unlock: Unlock<'_>) -> Result<Vault, CoreError> {
        Ok(Vault {
            inner: UnlockedVault::open(path, unlock)?,
        })
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
        Ok(self.inner.reload()?)
    }

    /// Applies a change to freshly read contents under the file lock and
    /// saves it (nothing is saved when `change` fails). See
    /// [`UnlockedVault::update`].
    pub fn update<T>(
        &mut self,
        now: u64,
        change: impl FnOnce(&mut Contents) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        self.inner.update(now, change)
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
    /// password without knowing it.
    pub fn change_password(
        &mut self,
        current: Option<&Password>,
        new: &Password,
    ) -> Result<(), CoreError> {
        if self.info().has_password() {
            let current = current.ok_or_else(|| CoreError::invalid("give the current password"))?;
            // A second copy opened with it proves it; it is wiped at once.
            UnlockedVault::open_with_password(self.path(), current).map_err(|e| match e {
                VaultError::WrongPassword { .. } => {
                    CoreError::invalid("the current password is wrong")
                }
                other => other.into(),
            })?;
        }
        Ok(self.inner.set_password(new, KdfParams::DEFAULT)?)
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
        Vault { inner }
    }
}
