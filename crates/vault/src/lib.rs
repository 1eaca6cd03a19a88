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
//! Nothing here reads the wall clock: times are arguments (`now`, unix
//! seconds). The only clock read is the monotonic one that bounds the wait
//! for another writer's lock.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod crypto;
mod error;
mod format;
mod kdf;
mod keyring_slot;
mod location;
mod model;
mod process;
mod store;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Map;
use zeroize::Zeroizing;

use crate::crypto::Key32;
use crate::format::{
    hex, keyring_user, wrap_aad, FormatError, Header, HexBytes, KdfSpec, KeyringSlot, ParsedFile,
    PasswordSlot, Salt, SlotEntry, MAX_HEADER_LINE, MAX_SLOTS,
};

pub use crate::error::{BackupReport, VaultError};
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
pub use crate::store::{backup_path, list_backups, lock_path, BACKUPS_KEPT, DEFAULT_LOCK_TIMEOUT};

/// How to unlock a vault.
#[derive(Clone, Copy)]
pub enum Unlock<'a> {
    /// With the password slot.
    Password(&'a Password),
    /// With the keyring slot, reading its key from this store.
    Keyring(&'a dyn KeyStore),
}

impl fmt::Debug for Unlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unlock::Password(_) => f.write_str("Unlock::Password(<redacted>)"),
            Unlock::Keyring(_) => f.write_str("Unlock::Keyring"),
        }
    }
}

/// The key slots a new vault gets; at least one is required.
#[derive(Clone, Copy)]
pub struct CreateOptions<'a> {
    /// Make a password slot with this password.
    pub password: Option<&'a Password>,
    /// Argon2id parameters of the password slot.
    pub kdf: KdfParams,
    /// Make a keyring slot, storing its key in this store.
    pub keyring: Option<&'a dyn KeyStore>,
}

impl Default for CreateOptions<'_> {
    fn default() -> Self {
        CreateOptions {
            password: None,
            kdf: KdfParams::DEFAULT,
            keyring: None,
        }
    }
}

impl fmt::Debug for CreateOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateOptions")
            .field("password", &self.password.map(|_| "<redacted>"))
            .field("kdf", &self.kdf)
            .field("keyring", &self.keyring.is_some())
            .finish()
    }
}

/// The kind of a key slot.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlotKind {
    /// Unlocked with a password (Argon2id).
    Password {
        /// Memory in KiB, as stored (not checked against the caps).
        m_cost_kib: u64,
        /// Passes, as stored.
        t_cost: u64,
        /// Lanes, as stored.
        p_cost: u64,
    },
    /// Unlocked with a key from the OS keyring.
    Keyring {
        /// The keyring entry's user name (service [`KEYRING_SERVICE`]).
        user: String,
    },
    /// A slot type this version does not know (kept, never used).
    Unknown {
        /// Its `type` field.
        type_name: String,
    },
}

/// One key slot, as the header describes it (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    /// The slot's id (32 hex digits), if it has one this version knows.
    pub id: Option<String>,
    /// What unlocks it.
    pub kind: SlotKind,
}

/// What a vault's header says, readable without unlocking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultInfo {
    /// The vault's random id (32 hex digits).
    pub vault_id: String,
    /// Its key slots, in file order.
    pub slots: Vec<SlotInfo>,
}

impl VaultInfo {
    fn from_header(h: &Header) -> Self {
        let slots = h
            .slots
            .iter()
            .map(|s| match s {
                SlotEntry::Password(p) => SlotInfo {
                    id: Some(hex(&p.id.0)),
                    kind: SlotKind::Password {
                        m_cost_kib: p.kdf.m_cost_kib,
                        t_cost: p.kdf.t_cost,
                        p_cost: p.kdf.p_cost,
                    },
                },
                SlotEntry::Keyring(k) => SlotInfo {
                    id: Some(hex(&k.id.0)),
                    kind: SlotKind::Keyring {
                        user: keyring_user(&h.vault_id, &k.id),
                    },
                },
                SlotEntry::Unknown(v) => SlotInfo {
                    id: v.get("id").and_then(|i| i.as_str()).map(str::to_owned),
                    kind: SlotKind::Unknown {
                        type_name: v
                            .get("type")
                            .and_then(|t| t.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                    },
                },
            })
            .collect();
        VaultInfo {
            vault_id: hex(&h.vault_id.0),
            slots,
        }
    }

    /// True if the vault has a password slot.
    pub fn has_password(&self) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s.kind, SlotKind::Password { .. }))
    }

    /// True if the vault has a keyring slot.
    pub fn has_keyring(&self) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s.kind, SlotKind::Keyring { .. }))
    }
}

/// Reads a vault's header without unlocking it, to learn which slots it
/// has (for instance, to try the keyring before asking for a password).
pub fn inspect(path: impl AsRef<Path>) -> Result<VaultInfo, VaultError> {
    let path = path.as_ref();
    let bytes = read_vault(path)?;
    let parsed = format::parse(&bytes).map_err(|e| {
        let report = BackupReport {
            existing: list_backups(path),
            openable: Vec::new(),
            tried: false,
        };
        format_error(path, e, report)
    })?;
    Ok(VaultInfo::from_header(&parsed.header))
}

/// An open vault: its decrypted contents and the master key to save them.
///
/// Reading [`contents`](Self::contents) shows the state as of the last
/// open, reload or save. Every change goes through
/// [`update`](Self::update) (or a slot operation), which re-reads the file
/// under the lock first, so changes made meanwhile by another process are
/// kept. The master key is wiped when the value is dropped.
pub struct UnlockedVault {
    path: PathBuf,
    master: Key32,
    header: Header,
    header_bytes: Vec<u8>,
    contents: Contents,
    body_len_hint: usize,
    /// The file's bytes as last read or written: if the file still holds
    /// exactly these, the contents above are its contents, and a save can
    /// skip decrypting it again.
    file_bytes: Vec<u8>,
    lock_timeout: Duration,
}

impl fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedVault")
            .field("path", &self.path)
            .field("vault_id", &hex(&self.header.vault_id.0))
            .field("slots", &self.header.slots.len())
            .field("accounts", &self.contents.accounts.len())
            .finish_non_exhaustive()
    }
}

/// A fresh read of the file, decrypted with a known master key.
struct Fresh {
    header: Header,
    header_bytes: Vec<u8>,
    contents: Contents,
    body_len: usize,
    file_bytes: Vec<u8>,
}

impl UnlockedVault {
    /// Creates a new vault file at `path` holding `contents` (its
    /// `modified_at` set to `now`), with the slots asked for in `options`.
    ///
    /// Fails with [`VaultError::AlreadyExists`] if anything is at `path`
    /// (nothing is overwritten), [`VaultError::NoSlot`] if neither a
    /// password nor a keyring is given. The folder must exist. A keyring
    /// entry made for the new vault is deleted again if the file cannot be
    /// written.
    pub fn create(
        path: impl AsRef<Path>,
        options: CreateOptions<'_>,
        mut contents: Contents,
        now: u64,
    ) -> Result<Self, VaultError> {
        let path = path.as_ref().to_owned();
        if options.password.is_none() && options.keyring.is_none() {
            return Err(VaultError::NoSlot);
        }
        if options.password.is_some_and(Password::is_empty) {
            return Err(VaultError::EmptyPassword);
        }
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(VaultError::AlreadyExists { path });
        }
        let vault_id = HexBytes(crypto::random_array()?);
        let master = Key32::random()?;
        let mut slots = Vec::new();
        if let Some(password) = options.password {
            slots.push(new_password_slot(
                &vault_id,
                &master,
                password,
                options.kdf,
            )?);
        }
        let mut new_entry = None;
        if let Some(store) = options.keyring {
            let (slot, user) = new_keyring_slot(&path, &vault_id, &master, store)?;
            slots.push(slot);
            new_entry = Some((store, user));
        }
        let header = Header::new(vault_id, slots);
        let header_bytes = header.to_bytes();
        contents.modified_at = now;
        let result = (|| {
            let (file, body_len) = seal_file(&path, &master, &header_bytes, &contents, 0)?;
            let _lock = store::lock(&path, DEFAULT_LOCK_TIMEOUT)?;
            store::write_atomic(&path, &file, store::WriteMode::CreateNew)?;
            Ok((file, body_len))
        })();
        let (file_bytes, body_len) = match result {
            Ok(n) => n,
            Err(e) => {
                if let Some((store, user)) = new_entry {
                    let _ = store.delete(&user);
                }
                return Err(e);
            }
        };
        Ok(UnlockedVault {
            path,
            master,
            header,
            header_bytes,
            contents,
            body_len_hint: body_len,
            file_bytes,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        })
    }

    /// Opens the vault at `path` with its password slot (about 0.5 s with
    /// the default parameters).
    ///
    /// A wrong password is [`VaultError::WrongPassword`]; the file is only
    /// read. A damaged, truncated, tampered, foreign or newer-version file is
    /// an error naming the file and the backups that open instead.
    pub fn open_with_password(
        path: impl AsRef<Path>,
        password: &Password,
    ) -> Result<Self, VaultError> {
        Self::open(path, Unlock::Password(password))
    }

    /// Opens the vault at `path` with its keyring slot, reading the key from
    /// `store` (normally [`OsKeyring`]).
    ///
    /// If the keyring is locked, unreachable or lacks the entry, the error
    /// ([`VaultError::Keyring`], [`VaultError::KeyringKeyRejected`],
    /// [`VaultError::NoKeyringSlot`]) says so; the caller can then ask for
    /// the password. Opening never writes to the keyring.
    pub fn open_with_keyring(
        path: impl AsRef<Path>,
        store: &dyn KeyStore,
    ) -> Result<Self, VaultError> {
        Self::open(path, Unlock::Keyring(store))
    }

    /// Opens the vault at `path` with the given slot kind.
    pub fn open(path: impl AsRef<Path>, unlock: Unlock<'_>) -> Result<Self, VaultError> {
        let path = path.as_ref().to_owned();
        let mut unlocker = Unlocker::new(unlock);
        let bytes = read_vault(&path)?;
        let parsed = match format::parse(&bytes) {
            Ok(p) => p,
            Err(e) => {
                let report = scan_backups(&path, None, Some(&mut unlocker));
                return Err(format_error(&path, e, report));
            }
        };
        let master = match unlocker.unlock(&parsed.header) {
            Ok(k) => k,
            Err(SlotFailure::WrongPassword) => {
                let backups = scan_backups(&path, None, Some(&mut unlocker));
                return Err(VaultError::WrongPassword { path, backups });
            }
            Err(f) => return Err(f.into_error(path)),
        };
        match decrypt(&master, &parsed) {
            Ok((contents, body_len)) => {
                let header_bytes = parsed.header_bytes.to_vec();
                let header = parsed.header;
                Ok(UnlockedVault {
                    header,
                    header_bytes,
                    contents,
                    body_len_hint: body_len,
                    file_bytes: bytes,
                    master,
                    path,
                    lock_timeout: DEFAULT_LOCK_TIMEOUT,
                })
            }
            Err(Undecryptable::Authentication) => {
                let backups = scan_backups(&path, Some(&master), None);
                Err(VaultError::Damaged {
                    path,
                    reason: "body fails authentication".into(),
                    backups,
                })
            }
            Err(Undecryptable::Contents(reason)) => {
                let backups = scan_backups(&path, Some(&master), None);
                Err(VaultError::BadContents {
                    path,
                    reason,
                    backups,
                })
            }
        }
    }

    /// The contents as of the last open, reload or save.
    pub fn contents(&self) -> &Contents {
        &self.contents
    }

    /// The vault's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header as of the last open, reload or save: id and slots.
    pub fn info(&self) -> VaultInfo {
        VaultInfo::from_header(&self.header)
    }

    /// How long saves wait for another writer's lock (default 5 s).
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.lock_timeout = timeout;
    }

    /// Re-reads the file (without taking the lock) to see changes made by
    /// another process.
    pub fn reload(&mut self) -> Result<(), VaultError> {
        if let Some(fresh) = self.load_fresh()? {
            self.adopt(fresh);
        }
        Ok(())
    }

    /// Applies a change: takes the lock (waiting up to the lock timeout),
    /// re-reads and decrypts the file with the held master key (another
    /// process may have changed it, slots included), runs `change` on those
    /// fresh contents, sets `modified_at` to `now`, saves atomically and
    /// releases the lock.
    ///
    /// If `change` returns an error nothing is written, and that error is
    /// returned. If the file no longer opens with this vault's key, nothing
    /// is written ([`VaultError::ChangedOnDisk`]). Either way
    /// [`contents`](Self::contents) shows the freshest state read.
    pub fn update<T, E, F>(&mut self, now: u64, change: F) -> Result<T, E>
    where
        F: FnOnce(&mut Contents) -> Result<T, E>,
        E: From<VaultError>,
    {
        let _lock = store::lock(&self.path, self.lock_timeout)?;
        if let Some(fresh) = self.load_fresh()? {
            self.adopt(fresh);
        }
        let mut contents = self.contents.clone();
        let out = change(&mut contents)?;
        contents.modified_at = now;
        self.save_locked(self.header.clone(), self.header_bytes.clone(), contents)?;
        Ok(out)
    }

    /// Adds the password slot, or replaces it: changes the password. The
    /// same master key is wrapped again, so backups, keyring slots and
    /// other copies of the key stay valid. The derivation (about 0.5 s with
    /// [`KdfParams::DEFAULT`]) runs before the lock is taken.
    pub fn set_password(&mut self, password: &Password, kdf: KdfParams) -> Result<(), VaultError> {
        if password.is_empty() {
            return Err(VaultError::EmptyPassword);
        }
        let slot = new_password_slot(&self.header.vault_id, &self.master, password, kdf)?;
        self.rewrite_slots(|_, h| {
            h.slots.retain(|s| !matches!(s, SlotEntry::Password(_)));
            h.slots.insert(0, slot);
            Ok(())
        })
    }

    /// Removes the password slot. Refused ([`VaultError::LastSlot`]) unless
    /// a keyring slot remains.
    pub fn remove_password(&mut self) -> Result<(), VaultError> {
        self.rewrite_slots(|path, h| {
            if h.password_slots().next().is_none() {
                return Err(VaultError::NoPasswordSlot {
                    path: path.to_owned(),
                });
            }
            h.slots.retain(|s| !matches!(s, SlotEntry::Password(_)));
            Ok(())
        })
    }

    /// Adds a keyring slot, so the vault opens without a password where
    /// `store` (normally [`OsKeyring`]) is available.
    ///
    /// A fresh random key is stored under a fresh slot id, so no existing
    /// keyring entry is ever overwritten. A vault has at most one keyring
    /// slot: an older one is replaced, and its entry deleted once the file
    /// no longer refers to it (a failure to delete it is reported as
    /// [`VaultError::KeyringEntryNotDeleted`], the new slot being saved).
    pub fn enable_keyring(&mut self, store: &dyn KeyStore) -> Result<(), VaultError> {
        let vault_id = self.header.vault_id;
        let (slot, user) = new_keyring_slot(&self.path, &vault_id, &self.master, store)?;
        let mut old_users = Vec::new();
        let result = self.rewrite_slots(|_, h| {
            old_users = h
                .keyring_slots()
                .map(|k| keyring_user(&h.vault_id, &k.id))
                .collect();
            h.slots.retain(|s| !matches!(s, SlotEntry::Keyring(_)));
            h.slots.push(slot);
            Ok(())
        });
        if let Err(e) = result {
            // The file does not refer to the new entry: take it back out.
            let _ = store.delete(&user);
            return Err(e);
        }
        self.delete_entries(store, old_users)
    }

    /// Removes the keyring slot, then deletes its keyring entry. Refused
    /// ([`VaultError::LastSlot`]) unless a password slot remains.
    pub fn disable_keyring(&mut self, store: &dyn KeyStore) -> Result<(), VaultError> {
        let mut old_users = Vec::new();
        self.rewrite_slots(|path, h| {
            old_users = h
                .keyring_slots()
                .map(|k| keyring_user(&h.vault_id, &k.id))
                .collect();
            if old_users.is_empty() {
                return Err(VaultError::NoKeyringSlot {
                    path: path.to_owned(),
                });
            }
            h.slots.retain(|s| !matches!(s, SlotEntry::Keyring(_)));
            Ok(())
        })?;
        self.delete_entries(store, old_users)
    }

    fn delete_entries(&self, store: &dyn KeyStore, users: Vec<String>) -> Result<(), VaultError> {
        let mut first_error = None;
        for user in users {
            match store.delete(&user) {
                Ok(()) | Err(KeyStoreError::NoEntry { .. }) => {}
                Err(source) => {
                    first_error.get_or_insert(VaultError::KeyringEntryNotDeleted {
                        path: self.path.clone(),
                        user,
                        source,
                    });
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Under the lock: re-reads the file, lets `change` edit its header,
    /// checks that an unlockable slot remains, and saves.
    fn rewrite_slots(
        &mut self,
        change: impl FnOnce(&Path, &mut Header) -> Result<(), VaultError>,
    ) -> Result<(), VaultError> {
        let _lock = store::lock(&self.path, self.lock_timeout)?;
        if let Some(fresh) = self.load_fresh()? {
            self.adopt(fresh);
        }
        let mut header = self.header.clone();
        let contents = self.contents.clone();
        change(&self.path, &mut header)?;
        if header.password_slots().next().is_none() && header.keyring_slots().next().is_none() {
            return Err(VaultError::LastSlot {
                path: self.path.clone(),
            });
        }
        if header.slots.len() > MAX_SLOTS {
            return Err(VaultError::ChangedOnDisk {
                path: self.path.clone(),
                reason: format!("it already has {MAX_SLOTS} key slots"),
            });
        }
        let header_bytes = header.to_bytes();
        if header_bytes.len() - format::MAGIC_LINE.len() > MAX_HEADER_LINE {
            return Err(VaultError::ChangedOnDisk {
                path: self.path.clone(),
                reason: "its header would grow past 64 KiB".into(),
            });
        }
        self.save_locked(header, header_bytes, contents)
    }

    /// Reads the file and, unless it still holds exactly the bytes last
    /// read or written (`None`), decrypts it with the held master key.
    fn load_fresh(&self) -> Result<Option<Fresh>, VaultError> {
        let changed = |reason: String| VaultError::ChangedOnDisk {
            path: self.path.clone(),
            reason,
        };
        let bytes = read_vault(&self.path)?;
        if bytes == self.file_bytes {
            return Ok(None);
        }
        let parsed = format::parse(&bytes).map_err(|e| match e {
            FormatError::NotAVault => changed("it is no longer a Tessera vault".into()),
            FormatError::UnsupportedVersion(v) => changed(format!("it is now format version {v}")),
            FormatError::TooLarge(n) => changed(format!("it is now {n} bytes")),
            FormatError::Damaged(why) => changed(format!("it is damaged: {why}")),
        })?;
        let (contents, body_len) = decrypt(&self.master, &parsed).map_err(|e| match e {
            Undecryptable::Authentication => changed("it fails authentication".into()),
            Undecryptable::Contents(why) => changed(format!("its contents are not valid: {why}")),
        })?;
        let header_bytes = parsed.header_bytes.to_vec();
        let header = parsed.header;
        Ok(Some(Fresh {
            header,
            header_bytes,
            contents,
            body_len,
            file_bytes: bytes,
        }))
    }

    fn adopt(&mut self, fresh: Fresh) {
        self.header = fresh.header;
        self.header_bytes = fresh.header_bytes;
        self.contents = fresh.contents;
        self.body_len_hint = fresh.body_len;
        self.file_bytes = fresh.file_bytes;
    }

    /// Encrypts and writes; the lock must be held.
    fn save_locked(
        &mut self,
        header: Header,
        header_bytes: Vec<u8>,
        contents: Contents,
    ) -> Result<(), VaultError> {
        let (file, body_len) = seal_file(
            &self.path,
            &self.master,
            &header_bytes,
            &contents,
            self.body_len_hint,
        )?;
        store::write_atomic(&self.path, &file, store::WriteMode::Replace)?;
        self.adopt(Fresh {
            header,
            header_bytes,
            contents,
            body_len,
            file_bytes: file,
        });
        Ok(())
    }
}

/// Runs one Argon2id derivation with `params` and a fixed salt, for the
/// benchmark that measures the defaults. Not for other uses.
#[doc(hidden)]
pub fn derive_key_for_bench(password: &Password, params: KdfParams) {
    std::hint::black_box(kdf::derive(password, &[0u8; 16], params));
}

/// Reads the vault file, mapping an oversized file to its error.
fn read_vault(path: &Path) -> Result<Vec<u8>, VaultError> {
    match store::read_capped(path)? {
        store::ReadOutcome::Bytes(b) => Ok(b),
        store::ReadOutcome::TooLarge(size) => Err(VaultError::TooLarge {
            path: path.to_owned(),
            size,
        }),
    }
}

fn format_error(path: &Path, e: FormatError, backups: BackupReport) -> VaultError {
    let path = path.to_owned();
    match e {
        FormatError::NotAVault => VaultError::NotAVault { path, backups },
        FormatError::UnsupportedVersion(found) => VaultError::UnsupportedVersion {
            path,
            found,
            backups,
        },
        FormatError::TooLarge(size) => VaultError::TooLarge { path, size },
        FormatError::Damaged(reason) => VaultError::Damaged {
            path,
            reason,
            backups,
        },
    }
}

/// Why an unwrapped key did not give contents.
enum Undecryptable {
    /// The body's tag does not verify.
    Authentication,
    /// The plaintext is not valid contents JSON.
    Contents(String),
}

fn decrypt(master: &Key32, parsed: &ParsedFile<'_>) -> Result<(Contents, usize), Undecryptable> {
    let plain = crypto::open(master, parsed.header_bytes, parsed.body)
        .ok_or(Undecryptable::Authentication)?;
    let contents = serde_json::from_slice::<Contents>(&plain).map_err(|e| {
        // Position and category only: serde_json messages may quote values.
        Undecryptable::Contents(format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    Ok((contents, plain.len()))
}

/// Serialises `contents` into a buffer that is wiped when dropped (growing
/// it by copying into a fresh wiped buffer, so no stray copy of the
/// plaintext is left in freed memory), then seals it.
fn seal_file(
    path: &Path,
    master: &Key32,
    header_bytes: &[u8],
    contents: &Contents,
    size_hint: usize,
) -> Result<(Vec<u8>, usize), VaultError> {
    let mut buf = WipingBuf(Zeroizing::new(Vec::with_capacity(
        size_hint + size_hint / 8 + 4096,
    )));
    serde_json::to_writer(&mut buf, contents).map_err(|e| VaultError::Io {
        action: "encode the contents of",
        path: path.to_owned(),
        source: io::Error::other(e.to_string()),
    })?;
    let body = crypto::seal(master, header_bytes, &buf.0)?;
    let mut file = Vec::with_capacity(header_bytes.len() + body.len());
    file.extend_from_slice(header_bytes);
    file.extend_from_slice(&body);
    Ok((file, buf.0.len()))
}

struct WipingBuf(Zeroizing<Vec<u8>>);

impl io::Write for WipingBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let needed = self.0.len() + data.len();
        if needed > self.0.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(self.0.capacity() * 2)));
            bigger.extend_from_slice(&self.0);
            // The old buffer is wiped as it drops.
            self.0 = bigger;
        }
        self.0.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn new_password_slot(
    vault_id: &format::Id,
    master: &Key32,
    password: &Password,
    kdf: KdfParams,
) -> Result<SlotEntry, VaultError> {
    let id = HexBytes(crypto::random_array()?);
    let salt: [u8; 16] = crypto::random_array()?;
    let kek = kdf::derive(password, &salt, kdf);
    let (nonce, wrapped) = crypto::wrap(&kek, &wrap_aad("password", vault_id, &id), master)?;
    Ok(SlotEntry::Password(PasswordSlot {
        id,
        kdf: KdfSpec {
            alg: "argon2id".into(),
            version: kdf::ARGON2_VERSION,
            m_cost_kib: kdf.m_cost_kib().into(),
            t_cost: kdf.t_cost().into(),
            p_cost: kdf.p_cost().into(),
            salt: Salt(salt.to_vec()),
            extra: Map::new(),
        },
        nonce: HexBytes(nonce),
        wrapped_key: HexBytes(wrapped),
        extra: Map::new(),
    }))
}

/// Makes a keyring slot: a fresh key stored under a fresh name. Returns the
/// slot and the entry's user name.
fn new_keyring_slot(
    path: &Path,
    vault_id: &format::Id,
    master: &Key32,
    store: &dyn KeyStore,
) -> Result<(SlotEntry, String), VaultError> {
    let id = HexBytes(crypto::random_array()?);
    let kek = Key32::random()?;
    let user = keyring_user(vault_id, &id);
    let (nonce, wrapped) = crypto::wrap(&kek, &wrap_aad("keyring", vault_id, &id), master)?;
    keyring_slot::store_new_key(store, &user, &kek).map_err(|source| VaultError::KeyringWrite {
        path: path.to_owned(),
        source,
    })?;
    Ok((
        SlotEntry::Keyring(KeyringSlot {
            id,
            nonce: HexBytes(nonce),
            wrapped_key: HexBytes(wrapped),
            extra: Map::new(),
        }),
        user,
    ))
}

/// Why no slot gave the master key.
enum SlotFailure {
    WrongPassword,
    NoPasswordSlot,
    NoKeyringSlot,
    Kdf(KdfLimitError),
    Keyring(KeyStoreError),
    KeyringRejected,
}

impl SlotFailure {
    fn into_error(self, path: PathBuf) -> VaultError {
        match self {
            SlotFailure::WrongPassword => VaultError::WrongPassword {
                path,
                backups: BackupReport::default(),
            },
            SlotFailure::NoPasswordSlot => VaultError::NoPasswordSlot { path },
            SlotFailure::NoKeyringSlot => VaultError::NoKeyringSlot { path },
            SlotFailure::Kdf(source) => VaultError::KdfLimit { path, source },
            SlotFailure::Keyring(source) => VaultError::Keyring { path, source },
            SlotFailure::KeyringRejected => VaultError::KeyringKeyRejected { path },
        }
    }
}

/// Unwraps master keys from headers with one password or keyring, caching
/// derived keys so that backups sharing a slot cost no extra Argon2 run.
struct Unlocker<'a> {
    unlock: Unlock<'a>,
    derived: Vec<(Vec<u8>, KdfParams, Key32)>,
}

impl<'a> Unlocker<'a> {
    fn new(unlock: Unlock<'a>) -> Self {
        Unlocker {
            unlock,
            derived: Vec::new(),
        }
    }

    fn unlock(&mut self, header: &Header) -> Result<Key32, SlotFailure> {
        match self.unlock {
            Unlock::Password(password) => {
                let mut failure = SlotFailure::NoPasswordSlot;
                for slot in header.password_slots() {
                    let params = match KdfParams::from_spec(&slot.kdf) {
                        Ok(p) => p,
                        Err(e) => {
                            if !matches!(failure, SlotFailure::WrongPassword) {
                                failure = SlotFailure::Kdf(e);
                            }
                            continue;
                        }
                    };
                    let salt = &slot.kdf.salt.0;
                    let kek = match self
                        .derived
                        .iter()
                        .find(|(s, p, _)| s == salt && *p == params)
                    {
                        Some((_, _, k)) => k.clone(),
                        None => {
                            let k = kdf::derive(password, salt, params);
                            self.derived.push((salt.clone(), params, k.clone()));
                            k
                        }
                    };
                    let aad = wrap_aad("password", &header.vault_id, &slot.id);
                    if let Some(master) =
                        crypto::unwrap(&kek, &slot.nonce.0, &aad, &slot.wrapped_key.0)
                    {
                        return Ok(master);
                    }
                    failure = SlotFailure::WrongPassword;
                }
                Err(failure)
            }
            Unlock::Keyring(store) => {
                let mut failure = SlotFailure::NoKeyringSlot;
                for slot in header.keyring_slots() {
                    let user = keyring_user(&header.vault_id, &slot.id);
                    match keyring_slot::load_key(store, &user) {
                        Ok(kek) => {
                            let aad = wrap_aad("keyring", &header.vault_id, &slot.id);
                            if let Some(master) =
                                crypto::unwrap(&kek, &slot.nonce.0, &aad, &slot.wrapped_key.0)
                            {
                                return Ok(master);
                            }
                            failure = SlotFailure::KeyringRejected;
                        }
                        Err(e) => {
                            if !matches!(failure, SlotFailure::KeyringRejected) {
                                failure = SlotFailure::Keyring(e);
                            }
                        }
                    }
                }
                Err(failure)
            }
        }
    }
}

/// Tries every existing backup of `path`: first with `master` if known,
/// then with `unlocker`. Backups are only read.
fn scan_backups(
    path: &Path,
    master: Option<&Key32>,
    mut unlocker: Option<&mut Unlocker<'_>>,
) -> BackupReport {
    let mut known = master.cloned();
    let mut report = BackupReport {
        tried: true,
        ..BackupReport::default()
    };
    for backup in list_backups(path) {
        let opens = (|| {
            let bytes = match store::read_capped(&backup).ok()? {
                store::ReadOutcome::Bytes(b) => b,
                store::ReadOutcome::TooLarge(_) => return None,
            };
            let parsed = format::parse(&bytes).ok()?;
            if let Some(k) = &known {
                if decrypt(k, &parsed).is_ok() {
                    return Some(());
                }
            }
            let k = unlocker.as_mut()?.unlock(&parsed.header).ok()?;
            decrypt(&k, &parsed).ok()?;
            known = Some(k);
            Some(())
        })()
        .is_some();
        if opens {
            report.openable.push(backup.clone());
        }
        report.existing.push(backup);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use tessera_otp::{Enrollment, OtpParams, Secret};

    const NOW: u64 = 1_700_000_000;

    fn tmpdir() -> PathBuf {
        let r: [u8; 8] = crypto::random_array().unwrap();
        let d = std::env::temp_dir().join(format!("tessera-lib-{}", hex(&r)));
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn pw(s: &str) -> Password {
        Password::from(s)
    }

    fn account(name: &str) -> Account {
        Account::new(
            Enrollment {
                issuer: "Example".into(),
                name: name.into(),
                secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                params: OtpParams::totp(),
            },
            NOW,
        )
        .unwrap()
    }

    fn opts<'a>(
        password: Option<&'a Password>,
        keyring: Option<&'a dyn KeyStore>,
    ) -> CreateOptions<'a> {
        CreateOptions {
            password,
            kdf: KdfParams::insecure_for_tests(),
            keyring,
        }
    }

    fn add(v: &mut UnlockedVault, name: &str) {
        v.update(NOW + 1, |c| {
            c.accounts.push(account(name));
            Ok::<_, VaultError>(())
        })
        .unwrap();
    }

    fn names(v: &UnlockedVault) -> Vec<String> {
        v.contents()
            .accounts
            .iter()
            .map(|a| a.enrollment.name.clone())
            .collect()
    }

    #[test]
    fn vault_types_can_move_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<UnlockedVault>();
        check::<VaultError>();
        check::<OsKeyring>();
        check::<MemoryKeyStore>();
        check::<Password>();
    }

    #[test]
    fn create_update_reopen() {
        let d = tmpdir();
        let path = d.join("vault.tessera");
        let p = pw("correct horse");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        assert_eq!(v.contents().modified_at, NOW);
        add(&mut v, "a");
        add(&mut v, "b");
        let again = UnlockedVault::open_with_password(&path, &p).unwrap();
        assert_eq!(again.contents(), v.contents());
        assert_eq!(names(&again), ["a", "b"]);
        assert_eq!(again.contents().modified_at, NOW + 1);
        let head = fs::read(&path).unwrap();
        assert!(head.starts_with(b"tessera-vault v1\n{\"vault_id\":\""));
        assert!(!String::from_utf8_lossy(&head).contains("JBSWY3DPEHPK3PXP"));
        let info = inspect(&path).unwrap();
        assert!(info.has_password() && !info.has_keyring());
        assert_eq!(info, v.info());
        // Creating again over it is refused, and the file is untouched.
        let before = fs::read(&path).unwrap();
        let err = UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW)
            .unwrap_err();
        assert!(matches!(err, VaultError::AlreadyExists { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), before);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn wrong_password_is_clear_and_touches_nothing() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("right");
        UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let before = fs::read(&path).unwrap();
        let mtime = fs::metadata(&path).unwrap().modified().unwrap();
        let err = UnlockedVault::open_with_password(&path, &pw("wrong")).unwrap_err();
        assert!(matches!(err, VaultError::WrongPassword { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("wrong password for {}", path.display())
        );
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
        assert!(list_backups(&path).is_empty());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn empty_password_and_no_slot_are_refused() {
        let d = tmpdir();
        let path = d.join("v");
        let e =
            UnlockedVault::create(&path, opts(None, None), Contents::default(), NOW).unwrap_err();
        assert!(matches!(e, VaultError::NoSlot));
        let empty = pw("");
        let e = UnlockedVault::create(&path, opts(Some(&empty), None), Contents::default(), NOW)
            .unwrap_err();
        assert!(matches!(e, VaultError::EmptyPassword));
        assert!(!path.exists());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn password_only() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let store = MemoryKeyStore::new();
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let e = UnlockedVault::open_with_keyring(&path, &store).unwrap_err();
        assert!(matches!(e, VaultError::NoKeyringSlot { .. }), "{e}");
        let e = v.remove_password().unwrap_err();
        assert!(matches!(e, VaultError::LastSlot { .. }), "{e}");
        let e = v.disable_keyring(&store).unwrap_err();
        assert!(matches!(e, VaultError::NoKeyringSlot { .. }), "{e}");
        UnlockedVault::open_with_password(&path, &p).unwrap();
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn keyring_only() {
        let d = tmpdir();
        let path = d.join("v");
        let store = MemoryKeyStore::new();
        let mut v =
            UnlockedVault::create(&path, opts(None, Some(&store)), Contents::default(), NOW)
                .unwrap();
        add(&mut v, "k");
        assert_eq!(store.users().len(), 1);
        let info = v.info();
        let SlotKind::Keyring { user } = &info.slots[0].kind else {
            panic!("{info:?}")
        };
        assert_eq!(user, &store.users()[0]);
        assert_eq!(
            user,
            &format!(
                "vault-{}-slot-{}",
                info.vault_id,
                info.slots[0].id.as_ref().unwrap()
            )
        );
        let again = UnlockedVault::open_with_keyring(&path, &store).unwrap();
        assert_eq!(names(&again), ["k"]);
        let e = UnlockedVault::open_with_password(&path, &pw("x")).unwrap_err();
        assert!(matches!(e, VaultError::NoPasswordSlot { .. }), "{e}");
        let e = v.disable_keyring(&store).unwrap_err();
        assert!(matches!(e, VaultError::LastSlot { .. }), "{e}");
        assert_eq!(store.users().len(), 1, "entry kept when removal is refused");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn both_slots_and_removing_each() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let store = MemoryKeyStore::new();
        let mut v = UnlockedVault::create(
            &path,
            opts(Some(&p), Some(&store)),
            Contents::default(),
            NOW,
        )
        .unwrap();
        add(&mut v, "both");
        UnlockedVault::open_with_password(&path, &p).unwrap();
        UnlockedVault::open_with_keyring(&path, &store).unwrap();
        // Drop the keyring slot: its entry goes, the password still opens.
        v.disable_keyring(&store).unwrap();
        assert!(store.users().is_empty());
        assert!(!inspect(&path).unwrap().has_keyring());
        assert!(matches!(
            UnlockedVault::open_with_keyring(&path, &store),
            Err(VaultError::NoKeyringSlot { .. })
        ));
        // Add it back, then drop the password instead.
        v.enable_keyring(&store).unwrap();
        v.remove_password().unwrap();
        let info = inspect(&path).unwrap();
        assert!(!info.has_password() && info.has_keyring());
        let again = UnlockedVault::open_with_keyring(&path, &store).unwrap();
        assert_eq!(names(&again), ["both"]);
        // Now the keyring slot is the last one.
        assert!(matches!(
            v.disable_keyring(&store),
            Err(VaultError::LastSlot { .. })
        ));
        assert!(matches!(
            v.remove_password(),
            Err(VaultError::NoPasswordSlot { .. })
        ));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn change_password_rewraps_the_same_key() {
        let d = tmpdir();
        let path = d.join("v");
        let old = pw("old");
        let new = pw("new");
        let store = MemoryKeyStore::new();
        let mut v = UnlockedVault::create(
            &path,
            opts(Some(&old), Some(&store)),
            Contents::default(),
            NOW,
        )
        .unwrap();
        add(&mut v, "x");
        let master_before = *v.master.expose();
        v.set_password(&new, KdfParams::insecure_for_tests())
            .unwrap();
        assert_eq!(*v.master.expose(), master_before);
        let opened = UnlockedVault::open_with_password(&path, &new).unwrap();
        assert_eq!(*opened.master.expose(), master_before);
        assert_eq!(names(&opened), ["x"]);
        UnlockedVault::open_with_keyring(&path, &store).unwrap();
        // The old password fails on the vault; the error points at the
        // backups that still hold the old slot.
        let e = UnlockedVault::open_with_password(&path, &old).unwrap_err();
        let VaultError::WrongPassword { backups, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(backups.openable.first(), Some(&backup_path(&path, 1)));
        assert!(e.to_string().contains("an older password"), "{e}");
        // Exactly one password slot remains, placed first.
        let info = inspect(&path).unwrap();
        assert_eq!(info.slots.len(), 2);
        assert!(matches!(info.slots[0].kind, SlotKind::Password { .. }));
        assert!(matches!(
            v.set_password(&pw(""), KdfParams::insecure_for_tests()),
            Err(VaultError::EmptyPassword)
        ));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn keyring_failures_fall_back_to_the_password_and_never_write() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let store = MemoryKeyStore::new();
        let mut v = UnlockedVault::create(
            &path,
            opts(Some(&p), Some(&store)),
            Contents::default(),
            NOW,
        )
        .unwrap();
        let users = store.users();
        let before = fs::read(&path).unwrap();
        // Locked / unreachable keyring.
        store.set_unavailable(true);
        let e = UnlockedVault::open_with_keyring(&path, &store).unwrap_err();
        assert!(
            matches!(
                e,
                VaultError::Keyring {
                    source: KeyStoreError::Unavailable { .. },
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("use the password instead"), "{e}");
        UnlockedVault::open_with_password(&path, &p).unwrap();
        // Enabling while it is unavailable fails before the file changes.
        let e = v.enable_keyring(&store).unwrap_err();
        assert!(matches!(e, VaultError::KeyringWrite { .. }), "{e}");
        store.set_unavailable(false);
        assert_eq!(store.users(), users);
        assert_eq!(fs::read(&path).unwrap(), before);
        // Entry deleted behind the vault's back.
        store.delete(&users[0]).unwrap();
        let e = UnlockedVault::open_with_keyring(&path, &store).unwrap_err();
        assert!(
            matches!(
                e,
                VaultError::Keyring {
                    source: KeyStoreError::NoEntry { .. },
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            store.users().is_empty(),
            "opening never writes to the keyring"
        );
        UnlockedVault::open_with_password(&path, &p).unwrap();
        // A wrong key under the right name is refused, not replaced.
        store.create(&users[0], hex(&[7u8; 32]).as_bytes()).unwrap();
        let e = UnlockedVault::open_with_keyring(&path, &store).unwrap_err();
        assert!(matches!(e, VaultError::KeyringKeyRejected { .. }), "{e}");
        assert_eq!(
            keyring_slot::load_key(&store, &users[0]).unwrap().expose(),
            &[7u8; 32]
        );
        assert_eq!(fs::read(&path).unwrap(), before);
        // Re-enabling repairs it with a fresh entry and drops the stale one.
        v.enable_keyring(&store).unwrap();
        let now_users = store.users();
        assert_eq!(now_users.len(), 1);
        assert_ne!(now_users, users);
        UnlockedVault::open_with_keyring(&path, &store).unwrap();
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn disable_keyring_reports_an_entry_it_cannot_delete() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let store = MemoryKeyStore::new();
        let mut v = UnlockedVault::create(
            &path,
            opts(Some(&p), Some(&store)),
            Contents::default(),
            NOW,
        )
        .unwrap();
        store.set_unavailable(true);
        let e = v.disable_keyring(&store).unwrap_err();
        assert!(
            matches!(e, VaultError::KeyringEntryNotDeleted { .. }),
            "{e}"
        );
        assert!(
            !inspect(&path).unwrap().has_keyring(),
            "the slot removal is saved"
        );
        store.set_unavailable(false);
        assert_eq!(store.users().len(), 1);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn update_applies_to_fresh_contents() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let mut a =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let mut b = UnlockedVault::open_with_password(&path, &p).unwrap();
        add(&mut a, "from a");
        add(&mut b, "from b");
        assert_eq!(names(&b), ["from a", "from b"]);
        // A sees B's slot change too (the header is re-read each time).
        let store = MemoryKeyStore::new();
        b.enable_keyring(&store).unwrap();
        add(&mut a, "again a");
        assert!(a.info().has_keyring());
        let opened = UnlockedVault::open_with_keyring(&path, &store).unwrap();
        assert_eq!(names(&opened), ["from a", "from b", "again a"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn failed_change_saves_nothing() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let before = fs::read(&path).unwrap();
        #[derive(Debug)]
        enum MyError {
            Nope,
            Vault(#[allow(dead_code)] VaultError),
        }
        impl From<VaultError> for MyError {
            fn from(e: VaultError) -> Self {
                MyError::Vault(e)
            }
        }
        let r: Result<(), MyError> = v.update(NOW, |c| {
            c.accounts.push(account("never"));
            Err(MyError::Nope)
        });
        assert!(matches!(r, Err(MyError::Nope)));
        assert_eq!(fs::read(&path).unwrap(), before);
        assert!(v.contents().accounts.is_empty());
        assert!(list_backups(&path).is_empty());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn save_refuses_a_file_that_no_longer_authenticates() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        // Damaged behind our back.
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x80;
        fs::write(&path, &bytes).unwrap();
        let e = v
            .update(NOW, |c| {
                c.accounts.push(account("lost"));
                Ok::<_, VaultError>(())
            })
            .unwrap_err();
        assert!(matches!(e, VaultError::ChangedOnDisk { .. }), "{e}");
        assert!(e.to_string().contains("refusing to overwrite"), "{e}");
        assert_eq!(fs::read(&path).unwrap(), bytes);
        // Replaced by another vault with another key.
        fs::remove_file(&path).unwrap();
        UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let other = fs::read(&path).unwrap();
        let e = v
            .set_password(&pw("x"), KdfParams::insecure_for_tests())
            .unwrap_err();
        assert!(matches!(e, VaultError::ChangedOnDisk { .. }), "{e}");
        assert_eq!(fs::read(&path).unwrap(), other);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn damaged_file_names_the_backups_that_open() {
        let d = tmpdir();
        let path = d.join("vault.tessera");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        for n in ["1", "2", "3", "4"] {
            add(&mut v, n);
        }
        assert_eq!(list_backups(&path).len(), 3);
        let flip = |p: &Path, at_end: bool| {
            let mut b = fs::read(p).unwrap();
            let i = if at_end { b.len() - 1 } else { 3 };
            b[i] ^= 1;
            fs::write(p, b).unwrap();
        };
        flip(&path, true);
        flip(&backup_path(&path, 2), true);
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        let VaultError::Damaged {
            backups, reason, ..
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(reason, "body fails authentication");
        assert_eq!(
            backups.openable,
            [backup_path(&path, 1), backup_path(&path, 3)]
        );
        let msg = e.to_string();
        assert!(!msg.contains('\n'));
        assert!(
            msg.starts_with(&format!("{} is damaged", path.display())),
            "{msg}"
        );
        assert!(msg.contains("vault.tessera.1, "), "{msg}");
        // The damaged file was not touched, and an update refuses to save.
        let damaged = fs::read(&path).unwrap();
        assert!(v.update(NOW, |_| Ok::<_, VaultError>(())).is_err());
        assert_eq!(fs::read(&path).unwrap(), damaged);
        // A backup opens with the usual call.
        let b = UnlockedVault::open_with_password(backup_path(&path, 1), &p).unwrap();
        assert_eq!(names(&b), ["1", "2", "3"]);
        // Magic damaged: "not a vault", still listing backups.
        flip(&path, false);
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        assert!(
            matches!(&e, VaultError::NotAVault { backups, .. } if backups.openable.len() == 2),
            "{e}"
        );
        // Reading only the header tries no key, and says so.
        let e = inspect(&path).unwrap_err();
        let all = [1, 2, 3].map(|n| backup_path(&path, n).display().to_string());
        assert!(
            e.to_string()
                .ends_with(&format!("backups: {}", all.join(", "))),
            "{e}"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn newer_version_is_refused_with_backups() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        add(&mut v, "a");
        let mut b = fs::read(&path).unwrap();
        b[15] = b'2';
        fs::write(&path, &b).unwrap();
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        assert!(
            matches!(&e, VaultError::UnsupportedVersion { found: 2, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("update Tessera"), "{e}");
        assert_eq!(e.backups().unwrap().openable, [backup_path(&path, 1)]);
        assert_eq!(fs::read(&path).unwrap(), b);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn content_saves_keep_the_header_bytes_and_renew_the_nonce() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        // A newer writer added a header field; we authenticate and keep it.
        let original = fs::read(&path).unwrap();
        let parsed = format::parse(&original).unwrap();
        let json = &parsed.header_bytes[format::MAGIC_LINE.len()..parsed.header_bytes.len() - 1];
        let mut json = String::from_utf8(json.to_vec()).unwrap();
        json.insert_str(json.len() - 1, r#", "future" : {"x": 1}"#);
        let header_bytes = [format::MAGIC_LINE, json.as_bytes(), b"\n"].concat();
        let (file, _) = seal_file(&path, &v.master, &header_bytes, v.contents(), 0).unwrap();
        fs::write(&path, &file).unwrap();
        v.update(NOW, |_| Ok::<_, VaultError>(())).unwrap();
        let first = fs::read(&path).unwrap();
        assert!(
            first.starts_with(&header_bytes),
            "header bytes kept exactly"
        );
        v.update(NOW, |_| Ok::<_, VaultError>(())).unwrap();
        let second = fs::read(&path).unwrap();
        let h = header_bytes.len();
        assert_ne!(first[h..h + 12], second[h..h + 12], "fresh body nonce");
        // Rewriting the slots re-serialises the header, keeping the field.
        v.set_password(&pw("pw2"), KdfParams::insecure_for_tests())
            .unwrap();
        let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
        assert!(text.contains(r#""future":{"x":1}"#), "{text}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn absurd_kdf_parameters_are_refused_quickly() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let text = fs::read(&path).unwrap();
        let s = String::from_utf8_lossy(&text).into_owned();
        let hacked = s.replace("\"m_cost_kib\":64", "\"m_cost_kib\":4294967296");
        assert_ne!(hacked, s);
        // Keep the binary body as it was.
        let cut =
            s.find('\n').unwrap() + 1 + s[s.find('\n').unwrap() + 1..].find('\n').unwrap() + 1;
        let mut bytes = hacked.as_bytes()[..hacked.len() - (s.len() - cut)].to_vec();
        bytes.extend_from_slice(&text[cut..]);
        fs::write(&path, &bytes).unwrap();
        let start = std::time::Instant::now();
        let e = UnlockedVault::open_with_password(&path, &p).unwrap_err();
        assert!(start.elapsed() < Duration::from_millis(500));
        assert!(
            matches!(
                e,
                VaultError::KdfLimit {
                    source: KdfLimitError::Memory { .. },
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("4294967296 KiB"), "{e}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn nothing_secret_in_debug_or_errors() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("hunter2-password");
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        add(&mut v, "a");
        let master_hex = hex(v.master.expose());
        let shown = format!(
            "{v:?} {:?} {:?} {:?}",
            v.contents(),
            opts(Some(&p), None),
            Unlock::Password(&p)
        );
        for secret in ["JBSWY3DPEHPK3PXP", "hunter2", &master_hex] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        let e = UnlockedVault::open_with_password(&path, &pw("hunter3-password")).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("hunter3"));
        fs::remove_dir_all(&d).unwrap();
    }

    // ----- The worked example of docs/vault-format.md, section 11 -----

    const DOC: &str = include_str!("../../../docs/vault-format.md");
    const EXAMPLE_BEGIN: &str = "<!-- worked-example:begin -->";
    const EXAMPLE_END: &str = "<!-- worked-example:end -->";

    struct Example {
        section: String,
        file: Vec<u8>,
    }

    fn worked_example() -> Example {
        let password = pw("correct horse battery staple");
        let params = KdfParams::new(1024, 1, 1).unwrap();
        let salt: Vec<u8> = (0x10..0x20).collect();
        let vault_id = HexBytes(std::array::from_fn(|i| (i as u8) * 0x11));
        let slot_id = HexBytes(std::array::from_fn(|i| 0xf0 | i as u8));
        let master = Key32::from_slice(&(0x40..0x60).collect::<Vec<u8>>()).unwrap();
        let wrap_nonce: [u8; 12] = std::array::from_fn(|i| 0xa0 + i as u8);
        let body_nonce: [u8; 12] = std::array::from_fn(|i| 0xb0 + i as u8);
        let kek = kdf::derive(&password, &salt, params);
        let aad = wrap_aad("password", &vault_id, &slot_id);
        let wrapped = crypto::wrap_with_nonce(&kek, &wrap_nonce, &aad, &master);
        let header = Header::new(
            vault_id,
            vec![SlotEntry::Password(PasswordSlot {
                id: slot_id,
                kdf: KdfSpec {
                    alg: "argon2id".into(),
                    version: 19,
                    m_cost_kib: 1024,
                    t_cost: 1,
                    p_cost: 1,
                    salt: Salt(salt.clone()),
                    extra: Map::new(),
                },
                nonce: HexBytes(wrap_nonce),
                wrapped_key: HexBytes(wrapped),
                extra: Map::new(),
            })],
        );
        let header_bytes = header.to_bytes();
        let mut contents = Contents {
            modified_at: 1_700_000_000,
            ..Contents::default()
        };
        contents.accounts.push(Account {
            id: AccountId::parse("000102030405060708090a0b0c0d0e0f").unwrap(),
            enrollment: Enrollment {
                issuer: "Example".into(),
                name: "alice@example.com".into(),
                // RFC 6238 Appendix B's SHA1 secret, "12345678901234567890".
                secret: Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap(),
                params: OtpParams::totp(),
            },
            notes: String::new(),
            favourite: false,
            tags: vec!["work".into()],
            created_at: 1_700_000_000,
            updated_at: 1_700_000_000,
            extra: Map::new(),
        });
        let plain = serde_json::to_string(&contents).unwrap();
        let body = crypto::seal_with_nonce(&master, &body_nonce, &header_bytes, plain.as_bytes());
        let file = [header_bytes.as_slice(), &body].concat();
        let tag = &body[body.len() - 16..];
        let dump = hex(&file)
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let header_text = String::from_utf8(header_bytes.clone()).unwrap();
        let section = format!(
            "{EXAMPLE_BEGIN}
Generated and checked by the test `worked_example_matches_the_doc` in
`crates/vault/src/lib.rs`, and checked independently with Python's
`cryptography` (AESGCM) and the reference Argon2 command-line tool
(`argon2 SALT -id -t 1 -k 1024 -p 1 -l 32 -r`). The KDF parameters are tiny so the example is quick
to check; real vaults use the defaults of section 4.

| input | value |
|---|---|
| password | `correct horse battery staple` (28 bytes of UTF-8) |
| KDF | Argon2id v19, m_cost_kib = 1024, t_cost = 1, p_cost = 1 |
| salt | `{salt}` |
| vault_id | `{vault_id}` |
| password slot id | `{slot_id}` |
| master key | `{master}` |
| wrap nonce | `{wrap_nonce}` |
| body nonce | `{body_nonce}` |

1. KEK = Argon2id(password, salt, m = 1024, t = 1, p = 1, 32 bytes) =
   `{kek}`
2. wrap AAD = `{aad}`;
   wrapped_key = AES-256-GCM(KEK, wrap nonce, master key, wrap AAD) =
   `{wrapped}`
3. Header bytes ({header_len} bytes; both lines end with LF):

   ```text
{header_indented}   ```

4. Contents JSON ({plain_len} bytes, the body plaintext):

   ```json
   {plain}
   ```

5. Body = body nonce || ciphertext || tag ({body_len} bytes), with the header
   bytes as AAD; the tag is `{tag}`.

6. The whole file ({file_len} bytes), hex, 32 bytes per line:

   ```text
{dump_indented}
   ```

Check: unlocking with the password and decrypting gives the contents above,
and the account's TOTP code at unix time 59 is `287082` (RFC 6238, Appendix B,
truncated to 6 digits).
{EXAMPLE_END}",
            salt = hex(&salt),
            vault_id = hex(&vault_id.0),
            slot_id = hex(&slot_id.0),
            master = hex(master.expose()),
            wrap_nonce = hex(&wrap_nonce),
            body_nonce = hex(&body_nonce),
            kek = hex(kek.expose()),
            aad = String::from_utf8(aad.clone()).unwrap(),
            wrapped = hex(&wrapped),
            header_len = header_bytes.len(),
            header_indented = header_text
                .lines()
                .map(|l| format!("   {l}\n"))
                .collect::<String>(),
            plain_len = plain.len(),
            body_len = body.len(),
            tag = hex(tag),
            file_len = file.len(),
            dump_indented = dump
                .lines()
                .map(|l| format!("   {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        Example { section, file }
    }

    /// Set `TESSERA_BLESS_DOC=1` to rewrite the section after a deliberate
    /// change of the example.
    #[test]
    fn worked_example_matches_the_doc() {
        let ex = worked_example();
        let (begin, end) = (DOC.find(EXAMPLE_BEGIN), DOC.find(EXAMPLE_END));
        let current = match (begin, end) {
            (Some(b), Some(e)) => &DOC[b..e + EXAMPLE_END.len()],
            _ => "",
        };
        if current != ex.section {
            if std::env::var_os("TESSERA_BLESS_DOC").is_some() {
                let doc_path =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/vault-format.md");
                let text = fs::read_to_string(&doc_path).unwrap();
                let text = match (text.find(EXAMPLE_BEGIN), text.find(EXAMPLE_END)) {
                    (Some(b), Some(e)) => format!(
                        "{}{}{}",
                        &text[..b],
                        ex.section,
                        &text[e + EXAMPLE_END.len()..]
                    ),
                    _ => text.replace("WORKED-EXAMPLE", &ex.section),
                };
                fs::write(doc_path, text).unwrap();
            } else {
                panic!("docs/vault-format.md section 11 is out of date; rerun with TESSERA_BLESS_DOC=1");
            }
        }
        // A reader opens the example file through the public API.
        let d = tmpdir();
        let path = d.join("example.tessera");
        fs::write(&path, &ex.file).unwrap();
        let v =
            UnlockedVault::open_with_password(&path, &pw("correct horse battery staple")).unwrap();
        let a = &v.contents().accounts[0];
        assert_eq!(a.enrollment.code_at(59).unwrap().as_str(), "287082");
        assert_eq!(a.tags, ["work"]);
        fs::remove_dir_all(&d).unwrap();
    }
}
