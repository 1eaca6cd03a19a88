//! Tessera's vault: the encrypted file that holds the accounts.
//!
//! A random 256-bit master key encrypts the body with AES-256-GCM, the
//! readable header being the associated data. The master key is wrapped in
//! key slots: a password slot (Argon2id) and/or an OS keyring slot. Saves are
//! atomic, keep three backups, and run under a lock that makes concurrent
//! writers (the app and the CLI) apply their changes one after another to
//! freshly read contents. The file format is specified in
//! `docs/vault-format.md`.
//!
//! ```no_run
//! use tessera_vault::{CreateOptions, Contents, KdfParams, Password, UnlockedVault};
//!
//! let password = Password::from("correct horse battery staple");
//! let options = CreateOptions { password: Some(&password), ..CreateOptions::default() };
//! let mut vault = UnlockedVault::create("vault.tessera", options, Contents::default(), 1_700_000_000)?;
//! vault.update(1_700_000_100, |contents| {
//!     contents.settings.extra.insert("theme".into(), "dark".into());
//!     Ok::<_, tessera_vault::VaultError>(())
//! })?;
//! let again = UnlockedVault::open_with_password("vault.tessera", &password)?;
//! assert_eq!(again.contents(), vault.contents());
//! # Ok::<(), tessera_vault::VaultError>(())
//! ```
//!
//! # Vault images in memory
//!
//! A vault file's bytes (an *image*) can also be made and opened without a
//! file, for instance for an encrypted backup, which is a complete vault
//! with a password slot: [`seal_new`] makes a new image, [`open_bytes`]
//! opens one, [`inspect_bytes`] reads its header, and
//! [`UnlockedVault::sealed_bytes`] gives an open vault's image, to copy it
//! elsewhere without asking for the password. They run the same checks as
//! the file API (KDF parameters against the caps before any derivation
//! included), and fail with an [`ImageError`], which names no file.
//!
//! ```
//! use tessera_vault::{open_bytes, seal_new, Contents, CreateOptions, KdfParams, Password, Unlock};
//!
//! let password = Password::from("correct horse battery staple");
//! let options = CreateOptions {
//!     password: Some(&password),
//!     // Tiny parameters keep the example fast; real backups use the defaults.
//!     kdf: KdfParams::insecure_for_tests(),
//!     keyring: None,
//! };
//! let image: Vec<u8> = seal_new(&Contents::default(), options, 1_700_000_000)?;
//! let opened = open_bytes(&image, Unlock::Password(&password))?;
//! assert_eq!(opened.contents.modified_at, 1_700_000_000);
//! assert!(opened.info.has_password());
//! # Ok::<(), tessera_vault::ImageError>(())
//! ```
//!
//! # Modules
//!
//! * `unlocked`: [`UnlockedVault`], an open vault file: create, open,
//!   update, reload and the slot operations, each change a locked
//!   read-modify-write.
//! * `slots`: key slots: [`Unlock`], [`CreateOptions`], [`VaultInfo`] and
//!   [`inspect`], making password and keyring slots, and unwrapping the
//!   master key.
//! * `seal`: vault images in memory: sealing contents under a header,
//!   opening an image, and the bytes API ([`seal_new`], [`open_bytes`]).
//! * `backups`: which of the rotated backups `NAME.1..3` open, for the
//!   error of a vault that does not ([`BackupReport`]).
//! * `store`: the file on disk: capped reads, the writers' lock, atomic
//!   saves and backup rotation.
//! * `format`, `crypto`, `kdf`: the byte layout, the AES-256-GCM seal and
//!   key wrap, and Argon2id with its caps.
//! * `keyring_slot`: the OS keyring behind [`KeyStore`].
//! * `model`: the decrypted [`Contents`].
//! * `error`: [`VaultError`] and [`ImageError`].
//! * `location`, `process`: the default vault path, and keeping secrets out
//!   of core dumps.
//!
//! Nothing here reads the wall clock: times are arguments (`now`, unix
//! seconds). The only clock read is the monotonic one that bounds the wait
//! for another writer's lock.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backups;
mod crypto;
mod error;
mod format;
mod kdf;
mod keyring_slot;
mod location;
mod model;
mod process;
mod seal;
mod slots;
mod store;
#[cfg(test)]
mod test_support;
mod unlocked;

pub use crate::backups::BackupReport;
pub use crate::error::{ImageError, VaultError};
#[doc(hidden)]
pub use crate::kdf::derive_key_for_bench;
pub use crate::kdf::{
    KdfLimitError, KdfParams, Password, MAX_M_COST_KIB, MAX_M_TIMES_T, MAX_P_COST, MAX_T_COST,
};
pub use crate::keyring_slot::{
    KeyStore, KeyStoreError, MemoryKeyStore, OsKeyring, KEYRING_SERVICE,
};
pub use crate::location::{default_vault_path, VAULT_ENV};
pub use crate::model::{
    Account, AccountId, Contents, RecoveryEntry, RecoveryOwner, Settings, SETTING_RECOVERY_FEW_LEFT,
};
pub use crate::process::{forbid_core_dumps, CoreDumpGuard};
pub use crate::seal::{open_bytes, seal_new, OpenedImage};
pub use crate::slots::{
    inspect, inspect_bytes, CreateOptions, SlotInfo, SlotKind, Unlock, VaultInfo,
};
pub use crate::store::{
    backup_path, list_backups, lock_path, open_regular_file, real_vault_path, BACKUPS_KEPT,
    DEFAULT_LOCK_TIMEOUT,
};
pub use crate::unlocked::{RekeyReport, UnlockedVault};
