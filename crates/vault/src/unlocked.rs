//! The unlocked vault: a vault file opened with one of its key slots, and
//! every change to it (contents and slots) as a locked read-modify-write.
//!
//! It exists to tie the file on disk (`store.rs`) to the image in memory
//! (`seal.rs`) and the key slots (`slots.rs`): it holds the master key and
//! the state last read or written, and adds the path, and the backups that
//! open instead, to any failure. See `docs/vault-format.md`, section 8.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backups::{self, BackupReport};
use crate::crypto::Key32;
use crate::error::{ImageError, VaultError};
use crate::format::{
    self, hex, keyring_user, FormatError, Header, SlotEntry, MAX_HEADER_LINE, MAX_SLOTS,
};
use crate::kdf::{KdfParams, Password};
use crate::keyring_slot::{KeyStore, KeyStoreError};
use crate::model::Contents;
use crate::seal::{self, Undecryptable};
use crate::slots::{
    new_keyring_slot, new_password_slot, CreateOptions, SlotFailure, Unlock, Unlocker, VaultInfo,
};
use crate::store::{self, DEFAULT_LOCK_TIMEOUT};

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

/// What a re-key did to the rotated backups beside the vault.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RekeyReport {
    /// Backups sealed again under the new key, their contents unchanged.
    pub rewritten: Vec<PathBuf>,
    /// Backups removed: they did not open with the old key, so they could
    /// not be rewritten, and may hold an older key still.
    pub removed: Vec<PathBuf>,
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
        // Resolved, so a vault created through a link is made where it points.
        let path = store::real_vault_path(&path).unwrap_or(path);
        contents.generation = contents.generation.max(1);
        seal::check_options(&options).map_err(|e| e.at(&path, BackupReport::default()))?;
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(VaultError::AlreadyExists { path });
        }
        let new = seal::build_new(options, contents, now)
            .map_err(|e| e.at(&path, BackupReport::default()))?;
        let written = store::lock(&path, DEFAULT_LOCK_TIMEOUT).and_then(|_lock| {
            store::write_atomic(&path, &new.file_bytes, store::WriteMode::CreateNew)
        });
        if let Err(e) = written {
            if let Some((store, user)) = new.keyring_entry {
                let _ = store.delete(&user);
            }
            return Err(e);
        }
        let opened = new.opened;
        Ok(UnlockedVault {
            path,
            master: opened.master,
            header: opened.header,
            header_bytes: opened.header_bytes,
            contents: opened.contents,
            body_len_hint: opened.body_len,
            file_bytes: new.file_bytes,
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
    /// `store` (normally [`OsKeyring`](crate::OsKeyring)).
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
        // The real file: locks and saves happen beside it, and a link (into
        // a sync folder, say) stays a link.
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let mut unlocker = Unlocker::new(unlock);
        let bytes = store::read_vault(&path)?;
        match seal::open_image(&bytes, &mut unlocker) {
            Ok(opened) => Ok(UnlockedVault {
                master: opened.master,
                header: opened.header,
                header_bytes: opened.header_bytes,
                contents: opened.contents,
                body_len_hint: opened.body_len,
                file_bytes: bytes,
                path,
                lock_timeout: DEFAULT_LOCK_TIMEOUT,
            }),
            Err(failure) => Err(backups::open_error(&path, failure, &mut unlocker)),
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

    /// The encrypted vault file as last read or written (by an open,
    /// reload or save): a complete vault image, to copy the vault elsewhere
    /// without its password. It opens with [`open_bytes`](crate::open_bytes)
    /// and the same slots.
    pub fn sealed_bytes(&self) -> &[u8] {
        &self.file_bytes
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
        contents.generation = contents.generation.saturating_add(1);
        self.save_locked(self.header.clone(), self.header_bytes.clone(), contents)?;
        Ok(out)
    }

    /// Opens `bytes`, an image sealed with this vault's own master key (a
    /// copy of it: a backup, another device's file of the same vault),
    /// without any password or keyring. An image of another vault, or one
    /// sealed under another key (from before a password change, say), is
    /// [`ImageError::ForeignVault`]; a damaged one says so.
    pub fn open_own_image(&self, bytes: &[u8]) -> Result<Contents, ImageError> {
        let parsed = format::parse(bytes).map_err(ImageError::from)?;
        if parsed.header.vault_id != self.header.vault_id {
            return Err(ImageError::ForeignVault);
        }
        match seal::decrypt(&self.master, &parsed) {
            Ok((contents, _)) => Ok(contents),
            Err(Undecryptable::Authentication) => Err(ImageError::ForeignVault),
            Err(other) => Err(other.into()),
        }
    }

    /// Whether `password` opens this vault's password slot, as read at the
    /// last open, reload or save (one Argon2id derivation, about 0.5 s with
    /// the defaults). A vault without a password slot matches no password.
    pub fn password_matches(&self, password: &Password) -> Result<bool, VaultError> {
        match Unlocker::new(Unlock::Password(password)).unlock(&self.header) {
            // The slot's wrap is authenticated: what it unwraps is the
            // master key this header was written with.
            Ok(_) => Ok(true),
            Err(SlotFailure::WrongPassword | SlotFailure::NoPasswordSlot) => Ok(false),
            Err(failure) => Err(ImageError::from(failure).at(&self.path, BackupReport::default())),
        }
    }

    /// Adds the password slot, or replaces it: changes the password, and
    /// with it the master key ([`rekey`](Self::rekey)), so a copy taken
    /// before, opened with the old password, opens nothing written after.
    /// A keyring slot is renewed in `keyring` (normally
    /// [`OsKeyring`](crate::OsKeyring)). The derivation (about 0.5 s with
    /// [`KdfParams::DEFAULT`]) runs before the lock is taken.
    pub fn set_password(
        &mut self,
        password: &Password,
        kdf: KdfParams,
        keyring: &dyn KeyStore,
    ) -> Result<RekeyReport, VaultError> {
        if password.is_empty() {
            return Err(VaultError::EmptyPassword);
        }
        self.rekey(Some((password, kdf)), keyring)
    }

    /// Removes the password slot, under a new master key as for a password
    /// change. Refused ([`VaultError::LastSlot`]) unless a keyring slot
    /// remains.
    pub fn remove_password(&mut self, keyring: &dyn KeyStore) -> Result<RekeyReport, VaultError> {
        if !self.info().has_password() {
            return Err(VaultError::NoPasswordSlot {
                path: self.path.clone(),
            });
        }
        self.rekey(None, keyring)
    }

    /// Replaces the master key: a fresh random key encrypts the contents;
    /// the password slot is made anew with `password` (or dropped with
    /// `None`); a keyring slot gets a fresh key under a fresh entry in
    /// `keyring`; slots of types this version does not know are dropped
    /// (they wrap the old key). The old keyring entry is deleted only once
    /// the new file is written, and the rotated backups beside the vault
    /// are then rewritten under the new key, or removed when they do not
    /// open with the old one ([`RekeyReport`]). A crash between the two
    /// leaves backups under the old key, which the old password opens, as
    /// it did before the change.
    fn rekey(
        &mut self,
        password: Option<(&Password, KdfParams)>,
        keyring: &dyn KeyStore,
    ) -> Result<RekeyReport, VaultError> {
        let image_error = |e: ImageError, path: &Path| e.at(path, BackupReport::default());
        let new_master = Key32::random().map_err(|_| VaultError::Random)?;
        let vault_id = self.header.vault_id;
        // Derived before the lock: another writer need not wait for Argon2.
        let password_slot = password
            .map(|(p, kdf)| new_password_slot(&vault_id, &new_master, p, kdf))
            .transpose()
            .map_err(|e| image_error(e.into(), &self.path))?;
        let _lock = store::lock(&self.path, self.lock_timeout)?;
        if let Some(fresh) = self.load_fresh()? {
            self.adopt(fresh);
        }
        let old_users: Vec<String> = self
            .header
            .keyring_slots()
            .map(|k| keyring_user(&vault_id, &k.id))
            .collect();
        let mut slots: Vec<SlotEntry> = password_slot.into_iter().collect();
        let mut new_user = None;
        if !old_users.is_empty() {
            let (slot, user) = new_keyring_slot(&vault_id, &new_master, keyring)
                .map_err(|e| image_error(e, &self.path))?;
            slots.push(slot);
            new_user = Some(user);
        }
        let take_back = |new_user: &Option<String>| {
            if let Some(user) = new_user {
                let _ = keyring.delete(user);
            }
        };
        if slots.is_empty() {
            return Err(VaultError::LastSlot {
                path: self.path.clone(),
            });
        }
        let mut header = self.header.clone();
        header.slots = slots;
        let header_bytes = header.to_bytes();
        let mut contents = self.contents.clone();
        contents.generation = contents.generation.saturating_add(1);
        let sealed = seal::seal(&new_master, &header_bytes, &contents, self.body_len_hint)
            .map_err(|e| image_error(e, &self.path));
        let written = sealed.and_then(|(file, body_len)| {
            store::write_atomic(&self.path, &file, store::WriteMode::Replace)?;
            Ok((file, body_len))
        });
        let (file, body_len) = match written {
            Ok(w) => w,
            Err(e) => {
                take_back(&new_user);
                return Err(e);
            }
        };
        let old_master = std::mem::replace(&mut self.master, new_master);
        self.adopt(Fresh {
            header,
            header_bytes,
            contents,
            body_len,
            file_bytes: file,
        });
        let report = self.rewrite_backups(&old_master);
        self.delete_entries(keyring, old_users)?;
        Ok(report)
    }

    /// After a re-key: every rotated backup that opens with `old_master` is
    /// sealed again, contents unchanged, under the current key and header;
    /// one that does not is removed, since it may hold an older key still.
    fn rewrite_backups(&self, old_master: &Key32) -> RekeyReport {
        let mut report = RekeyReport::default();
        for backup in store::list_backups(&self.path) {
            let rewritten = (|| {
                let bytes = match store::read_capped(&backup).ok()? {
                    store::ReadOutcome::Bytes(b) => b,
                    store::ReadOutcome::TooLarge(_) => return None,
                };
                let parsed = format::parse(&bytes).ok()?;
                let (contents, body_len) = seal::decrypt(old_master, &parsed).ok()?;
                let (file, _) =
                    seal::seal(&self.master, &self.header_bytes, &contents, body_len).ok()?;
                store::write_atomic(&backup, &file, store::WriteMode::Overwrite).ok()
            })();
            if rewritten.is_some() {
                report.rewritten.push(backup);
            } else if std::fs::remove_file(&backup).is_ok() {
                report.removed.push(backup);
            }
        }
        report
    }

    /// Adds a keyring slot, so the vault opens without a password where
    /// `store` (normally [`OsKeyring`](crate::OsKeyring)) is available.
    ///
    /// A fresh random key is stored under a fresh slot id, so no existing
    /// keyring entry is ever overwritten. A vault has at most one keyring
    /// slot: an older one is replaced, and its entry deleted once the file
    /// no longer refers to it (a failure to delete it is reported as
    /// [`VaultError::KeyringEntryNotDeleted`], the new slot being saved).
    pub fn enable_keyring(&mut self, store: &dyn KeyStore) -> Result<(), VaultError> {
        let vault_id = self.header.vault_id;
        let (slot, user) = new_keyring_slot(&vault_id, &self.master, store)
            .map_err(|e| e.at(&self.path, BackupReport::default()))?;
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
        let mut contents = self.contents.clone();
        contents.generation = contents.generation.saturating_add(1);
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
        let bytes = store::read_vault(&self.path)?;
        if bytes == self.file_bytes {
            return Ok(None);
        }
        let parsed = format::parse(&bytes).map_err(|e| match e {
            FormatError::NotAVault => changed("it is no longer a Tessera vault".into()),
            FormatError::UnsupportedVersion(v) => changed(format!("it is now format version {v}")),
            FormatError::TooLarge(n) => changed(format!("it is now {n} bytes")),
            FormatError::Damaged(why) => changed(format!("it is damaged: {why}")),
        })?;
        let (contents, body_len) = seal::decrypt(&self.master, &parsed).map_err(|e| match e {
            Undecryptable::Authentication => changed("it fails authentication".into()),
            Undecryptable::Contents(why) => changed(format!("its contents are not valid: {why}")),
        })?;
        if contents.generation < self.contents.generation {
            // Replaced by an older copy since it was read: adopting it
            // would bring back what was removed or spent meanwhile.
            return Err(changed(format!(
                "it was replaced by an older copy (saved {} times; this vault had been saved {} times)",
                contents.generation, self.contents.generation
            )));
        }
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
        let (file, body_len) =
            seal::seal(&self.master, &header_bytes, &contents, self.body_len_hint)
                .map_err(|e| e.at(&self.path, BackupReport::default()))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use crate::keyring_slot::{self, MemoryKeyStore, OsKeyring};
    use crate::seal::open_bytes;
    use crate::slots::{inspect, SlotKind};
    use crate::store::{backup_path, list_backups};
    use crate::test_support::{account, add, names, opts, pw, tmpdir, NOW};

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
        let e = v.remove_password(&store).unwrap_err();
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
        v.remove_password(&store).unwrap();
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
            v.remove_password(&store),
            Err(VaultError::NoPasswordSlot { .. })
        ));
        fs::remove_dir_all(&d).unwrap();
    }

    /// Regression (issue 21, a password change kept the master key): an
    /// old copy of the vault and the old password gave the master key,
    /// which decrypted every later version, and the backups beside the
    /// vault kept the old slot for three more saves. The change now
    /// re-keys: a copy taken before it, with the old password, opens
    /// nothing written after it.
    #[test]
    fn regression_a_password_change_replaces_the_master_key() {
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
        add(&mut v, "before");
        add(&mut v, "before too");
        let stolen = fs::read(&path).unwrap();
        let old_users = store.users();
        let report = v
            .set_password(&new, KdfParams::insecure_for_tests(), &store)
            .unwrap();
        add(&mut v, "after");

        // The copy opens with the old password, to what it held then.
        let copy = open_bytes(&stolen, Unlock::Password(&old)).unwrap();
        assert_eq!(copy.contents.accounts.len(), 2);
        // Its master key opens nothing written since: not the vault, not
        // one of its backups.
        let mut unlocker = Unlocker::new(Unlock::Password(&old));
        let old_master = unlocker
            .unlock(&format::parse(&stolen).unwrap().header)
            .unwrap();
        for file in std::iter::once(path.clone()).chain(list_backups(&path)) {
            let bytes = fs::read(&file).unwrap();
            let parsed = format::parse(&bytes).unwrap();
            assert!(
                seal::decrypt(&old_master, &parsed).is_err(),
                "{} opens with the old key",
                file.display()
            );
            assert!(
                open_bytes(&bytes, Unlock::Password(&old)).is_err(),
                "{} opens with the old password",
                file.display()
            );
        }
        // The backups that were there were sealed again, not lost: each
        // opens with the new password, to its own contents.
        assert_eq!(report.removed, Vec::<PathBuf>::new());
        assert!(!report.rewritten.is_empty());
        for backup in &report.rewritten {
            open_bytes(&fs::read(backup).unwrap(), Unlock::Password(&new)).unwrap();
        }
        // The new password and the renewed keyring entry open the vault;
        // the old entry is gone.
        let opened = UnlockedVault::open_with_password(&path, &new).unwrap();
        assert_eq!(names(&opened), ["before", "before too", "after"]);
        UnlockedVault::open_with_keyring(&path, &store).unwrap();
        assert!(store.users().iter().all(|u| !old_users.contains(u)));
        assert_eq!(store.users().len(), 1);
        // Exactly one password slot remains, placed first.
        let info = inspect(&path).unwrap();
        assert_eq!(info.slots.len(), 2);
        assert!(matches!(info.slots[0].kind, SlotKind::Password { .. }));
        assert!(matches!(
            v.set_password(&pw(""), KdfParams::insecure_for_tests(), &store),
            Err(VaultError::EmptyPassword)
        ));
        fs::remove_dir_all(&d).unwrap();
    }

    /// Regression (issue 21, messages): a keyring-only vault whose entry
    /// was gone told the user to "use the password instead", a password it
    /// does not have.
    #[test]
    fn regression_a_keyring_only_vault_does_not_suggest_a_password() {
        let d = tmpdir();
        let path = d.join("v");
        let store = MemoryKeyStore::new();
        UnlockedVault::create(&path, opts(None, Some(&store)), Contents::default(), NOW).unwrap();
        for user in store.users() {
            store.delete(&user).unwrap();
        }
        let e = UnlockedVault::open_with_keyring(&path, &store).unwrap_err();
        let message = e.to_string();
        assert!(!message.contains("password instead"), "{message}");
        assert!(message.contains("has no password"), "{message}");
        fs::remove_dir_all(&d).unwrap();
    }

    /// A backup that does not open with the key being replaced (damaged,
    /// or left from an older key) is removed rather than left behind.
    #[test]
    fn a_backup_the_old_key_cannot_open_is_removed_on_rekey() {
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let store = MemoryKeyStore::new();
        let mut v =
            UnlockedVault::create(&path, opts(Some(&p), None), Contents::default(), NOW).unwrap();
        add(&mut v, "a");
        add(&mut v, "b");
        let damaged = backup_path(&path, 1);
        let mut bytes = fs::read(&damaged).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&damaged, bytes).unwrap();
        let report = v
            .set_password(&pw("new"), KdfParams::insecure_for_tests(), &store)
            .unwrap();
        // The re-key's own save rotated the damaged one to `.2`.
        assert_eq!(report.removed, vec![backup_path(&path, 2)]);
        assert!(!backup_path(&path, 2).exists());
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
            .set_password(
                &pw("x"),
                KdfParams::insecure_for_tests(),
                &MemoryKeyStore::new(),
            )
            .unwrap_err();
        assert!(matches!(e, VaultError::ChangedOnDisk { .. }), "{e}");
        assert_eq!(fs::read(&path).unwrap(), other);
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
        let (file, _) = seal::seal(&v.master, &header_bytes, v.contents(), 0).unwrap();
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
        v.set_password(
            &pw("pw2"),
            KdfParams::insecure_for_tests(),
            &MemoryKeyStore::new(),
        )
        .unwrap();
        let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
        assert!(text.contains(r#""future":{"x":1}"#), "{text}");
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

    #[test]
    fn sealed_bytes_are_the_file_and_open_as_bytes() {
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
        assert_eq!(v.sealed_bytes(), fs::read(&path).unwrap());
        add(&mut v, "a");
        assert_eq!(v.sealed_bytes(), fs::read(&path).unwrap());
        let opened = open_bytes(v.sealed_bytes(), Unlock::Password(&p)).unwrap();
        assert_eq!(&opened.contents, v.contents());
        assert_eq!(opened.info, v.info());
        open_bytes(v.sealed_bytes(), Unlock::Keyring(&store)).unwrap();
        // Another process saves: a reload brings the new bytes.
        let mut other = UnlockedVault::open_with_password(&path, &p).unwrap();
        assert_eq!(other.sealed_bytes(), v.sealed_bytes());
        add(&mut other, "b");
        assert_ne!(v.sealed_bytes(), fs::read(&path).unwrap());
        v.reload().unwrap();
        assert_eq!(v.sealed_bytes(), fs::read(&path).unwrap());
        let opened = open_bytes(v.sealed_bytes(), Unlock::Password(&p)).unwrap();
        assert_eq!(opened.contents.accounts.len(), 2);
        fs::remove_dir_all(&d).unwrap();
    }
}
