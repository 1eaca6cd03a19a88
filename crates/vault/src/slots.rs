//! Key slots: which slots a vault has (readable without unlocking it), how
//! new password and keyring slots wrap the master key, and the unlocker
//! that gets the master key back out of a header.
//!
//! It exists so that everything about the ways into a vault sits in one
//! place, shared by files ([`UnlockedVault`](crate::UnlockedVault)), vault
//! images in memory ([`open_bytes`](crate::open_bytes)) and the scan of
//! backups. The KDF parameters of a slot are checked against the caps
//! before any derivation. See `docs/vault-format.md`, sections 3 to 5.

use std::fmt;
use std::path::Path;

use serde_json::Map;

use crate::backups::BackupReport;
use crate::crypto::{self, Key32};
use crate::error::{ImageError, VaultError};
use crate::format::{
    self, hex, keyring_user, wrap_aad, Header, HexBytes, KdfSpec, KeyringSlot, PasswordSlot, Salt,
    SlotEntry,
};
use crate::kdf::{self, KdfLimitError, KdfParams, Password};
use crate::keyring_slot::{self, KeyStore, KeyStoreError};
use crate::store;

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
        /// The keyring entry's user name (service [`KEYRING_SERVICE`](crate::KEYRING_SERVICE)).
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
    pub(crate) fn from_header(h: &Header) -> Self {
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
    let bytes = store::read_vault(path)?;
    inspect_bytes(&bytes).map_err(|e| e.at(path, BackupReport::untried(path)))
}

/// Reads the header of a vault image in memory without unlocking it: the
/// bytes counterpart of [`inspect`].
pub fn inspect_bytes(bytes: &[u8]) -> Result<VaultInfo, ImageError> {
    let parsed = format::parse(bytes)?;
    Ok(VaultInfo::from_header(&parsed.header))
}

/// Makes a password slot: the master key wrapped under a key derived from
/// `password` with a fresh salt (one Argon2id run with `kdf`).
pub(crate) fn new_password_slot(
    vault_id: &format::Id,
    master: &Key32,
    password: &Password,
    kdf: KdfParams,
) -> Result<SlotEntry, crypto::RngError> {
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
/// slot and the entry's user name. Fails with [`ImageError::KeyringWrite`]
/// if the store refuses the entry, or [`ImageError::Random`].
pub(crate) fn new_keyring_slot(
    vault_id: &format::Id,
    master: &Key32,
    store: &dyn KeyStore,
) -> Result<(SlotEntry, String), ImageError> {
    let id = HexBytes(crypto::random_array()?);
    let kek = Key32::random()?;
    let user = keyring_user(vault_id, &id);
    let (nonce, wrapped) = crypto::wrap(&kek, &wrap_aad("keyring", vault_id, &id), master)?;
    keyring_slot::store_new_key(store, &user, &kek)
        .map_err(|source| ImageError::KeyringWrite { source })?;
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
#[derive(Debug)]
pub(crate) enum SlotFailure {
    /// The password did not unwrap the password slot.
    WrongPassword,
    /// Unlocking with a password, but there is no password slot.
    NoPasswordSlot,
    /// Unlocking with the keyring, but there is no keyring slot.
    NoKeyringSlot,
    /// The password slot's KDF parameters are refused; nothing was derived.
    Kdf(KdfLimitError),
    /// The keyring could not give the slot's key.
    Keyring {
        /// Why.
        source: KeyStoreError,
        /// Whether the vault has a password slot to use instead.
        password_slot: bool,
    },
    /// The keyring's key does not unwrap the keyring slot.
    KeyringRejected {
        /// Whether the vault has a password slot to use instead.
        password_slot: bool,
    },
}

impl From<SlotFailure> for ImageError {
    fn from(f: SlotFailure) -> Self {
        match f {
            SlotFailure::WrongPassword => ImageError::WrongPassword,
            SlotFailure::NoPasswordSlot => ImageError::NoPasswordSlot,
            SlotFailure::NoKeyringSlot => ImageError::NoKeyringSlot,
            SlotFailure::Kdf(source) => ImageError::KdfLimit { source },
            SlotFailure::Keyring {
                source,
                password_slot,
            } => ImageError::Keyring {
                source,
                password_slot,
            },
            SlotFailure::KeyringRejected { password_slot } => {
                ImageError::KeyringKeyRejected { password_slot }
            }
        }
    }
}

/// Unwraps master keys from headers with one password or keyring, caching
/// derived keys so that backups sharing a slot cost no extra Argon2 run.
pub(crate) struct Unlocker<'a> {
    unlock: Unlock<'a>,
    derived: Vec<(Vec<u8>, KdfParams, Key32)>,
}

impl<'a> Unlocker<'a> {
    pub(crate) fn new(unlock: Unlock<'a>) -> Self {
        Unlocker {
            unlock,
            derived: Vec::new(),
        }
    }

    /// The master key from the first slot of `header` that opens; the
    /// KDF parameters of a password slot are checked before deriving.
    pub(crate) fn unlock(&mut self, header: &Header) -> Result<Key32, SlotFailure> {
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
                let password_slot = header.password_slots().next().is_some();
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
                            failure = SlotFailure::KeyringRejected { password_slot };
                        }
                        Err(source) => {
                            if !matches!(failure, SlotFailure::KeyringRejected { .. }) {
                                failure = SlotFailure::Keyring {
                                    source,
                                    password_slot,
                                };
                            }
                        }
                    }
                }
                Err(failure)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::time::Duration;

    use crate::model::Contents;
    use crate::test_support::{opts, pw, tmpdir, NOW};
    use crate::unlocked::UnlockedVault;

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
}
