//! Where keyring slots keep their key-encryption keys: the operating
//! system's keyring (Secret Service, macOS Keychain, Windows Credential
//! Manager) through the `keyring` crate, behind a small trait.
//!
//! It exists to pin down the three rules of keyring slots in one place:
//! entries are named `vault-<vault_id>-slot-<slot_id>` under service
//! `tessera`; an entry is only ever *created* under a fresh random name,
//! never written over; and reading a vault never writes to the keyring. The
//! trait also lets tests and other front ends use an in-memory store.

use std::collections::HashMap;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::crypto::Key32;
use crate::format::{hex, unhex};

/// The keyring service name of every Tessera entry.
pub const KEYRING_SERVICE: &str = "tessera";

/// Why a keyring operation failed. Messages never contain secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyStoreError {
    /// The keyring has no entry of that name.
    #[error("the keyring has no entry {user:?}")]
    NoEntry {
        /// The entry's user name.
        user: String,
    },
    /// An entry of that name already exists; it was left untouched.
    #[error("the keyring already has an entry {user:?}; refusing to overwrite it")]
    AlreadyExists {
        /// The entry's user name.
        user: String,
    },
    /// The keyring could not be reached, is locked, or failed.
    #[error("the keyring is unavailable: {reason}")]
    Unavailable {
        /// What the platform said.
        reason: String,
    },
    /// The entry exists but does not hold a 256-bit key in hex.
    #[error("the keyring entry {user:?} does not hold a Tessera key")]
    Malformed {
        /// The entry's user name.
        user: String,
    },
}

/// A place that keeps keyring-slot keys, one secret per user name.
pub trait KeyStore {
    /// Reads the secret of `user`.
    fn get(&self, user: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError>;
    /// Creates the entry `user`; fails with
    /// [`KeyStoreError::AlreadyExists`] rather than replace an entry.
    fn create(&self, user: &str, secret: &[u8]) -> Result<(), KeyStoreError>;
    /// Deletes the entry `user`.
    fn delete(&self, user: &str) -> Result<(), KeyStoreError>;
}

/// The operating system's keyring, service [`KEYRING_SERVICE`].
///
/// Each call runs on a helper thread and gives up after a timeout (60 s by
/// default): a locked keyring may show an unlock prompt, and a prompt nobody
/// answers must end in a clear error, not a hang. (Where no prompt can be
/// shown, e.g. without a display, the Secret Service refuses at once with
/// "prompt dismissed".) A create that times out may still complete later;
/// it only ever makes an entry under a fresh name that the file does not
/// refer to.
#[derive(Debug, Clone)]
pub struct OsKeyring {
    timeout: Duration,
}

impl Default for OsKeyring {
    fn default() -> Self {
        OsKeyring::new()
    }
}

impl OsKeyring {
    /// The platform keyring, with the default 60 s timeout. Nothing is
    /// contacted until it is used.
    pub fn new() -> Self {
        OsKeyring {
            timeout: Duration::from_secs(60),
        }
    }

    /// The platform keyring, giving up on each call after `timeout`.
    pub fn with_timeout(timeout: Duration) -> Self {
        OsKeyring { timeout }
    }

    /// Runs `op` on the entry `user` on a helper thread, bounded by the
    /// timeout.
    fn call<T: Send + 'static>(
        &self,
        user: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, KeyStoreError> {
        let (tx, rx) = mpsc::channel();
        let name = user.to_owned();
        std::thread::Builder::new()
            .name("tessera-keyring".into())
            .spawn(move || {
                let result = keyring::Entry::new(KEYRING_SERVICE, &name).and_then(|e| op(&e));
                let _ = tx.send(result);
            })
            .map_err(|e| KeyStoreError::Unavailable {
                reason: format!("cannot start a keyring thread: {e}"),
            })?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result.map_err(|e| map_err(e, user)),
            Err(_) => Err(KeyStoreError::Unavailable {
                reason: format!(
                    "no answer within {} ms (is an unlock prompt waiting?)",
                    self.timeout.as_millis()
                ),
            }),
        }
    }
}

fn map_err(e: keyring::Error, user: &str) -> KeyStoreError {
    use keyring::Error as E;
    match e {
        E::NoEntry => KeyStoreError::NoEntry {
            user: user.to_owned(),
        },
        // Carries the secret's bytes: never format it.
        E::BadEncoding(_) => KeyStoreError::Malformed {
            user: user.to_owned(),
        },
        E::NoStorageAccess(inner) => KeyStoreError::Unavailable {
            reason: format!("no access to the keyring (is it locked?): {inner}"),
        },
        E::PlatformFailure(inner) => KeyStoreError::Unavailable {
            reason: inner.to_string(),
        },
        E::Ambiguous(v) => KeyStoreError::Unavailable {
            reason: format!("{} keyring entries match {user:?}", v.len()),
        },
        other => KeyStoreError::Unavailable {
            reason: other.to_string(),
        },
    }
}

impl KeyStore for OsKeyring {
    fn get(&self, user: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        self.call(user, |e| e.get_secret().map(Zeroizing::new))
    }

    fn create(&self, user: &str, secret: &[u8]) -> Result<(), KeyStoreError> {
        let secret = Zeroizing::new(secret.to_vec());
        let existed = self.call(user, move |e| match e.get_secret() {
            Ok(existing) => {
                drop(Zeroizing::new(existing));
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => e.set_secret(&secret).map(|()| false),
            Err(other) => Err(other),
        })?;
        if existed {
            return Err(KeyStoreError::AlreadyExists {
                user: user.to_owned(),
            });
        }
        Ok(())
    }

    fn delete(&self, user: &str) -> Result<(), KeyStoreError> {
        self.call(user, |e| e.delete_credential())
    }
}

/// An in-memory [`KeyStore`] for tests and for front ends without a
/// keyring. It can be switched to fail like an unavailable keyring.
#[derive(Default)]
pub struct MemoryKeyStore {
    entries: Mutex<HashMap<String, Zeroizing<Vec<u8>>>>,
    unavailable: std::sync::atomic::AtomicBool,
}

impl MemoryKeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on every call fails with [`KeyStoreError::Unavailable`]
    /// (`true`), or works again (`false`).
    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable
            .store(unavailable, std::sync::atomic::Ordering::SeqCst);
    }

    /// The user names of the entries held.
    pub fn users(&self) -> Vec<String> {
        let mut v: Vec<String> = self.lock().keys().cloned().collect();
        v.sort();
        v
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Zeroizing<Vec<u8>>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<(), KeyStoreError> {
        if self.unavailable.load(std::sync::atomic::Ordering::SeqCst) {
            Err(KeyStoreError::Unavailable {
                reason: "memory store switched off".into(),
            })
        } else {
            Ok(())
        }
    }
}

impl std::fmt::Debug for MemoryKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryKeyStore")
            .field("users", &self.users())
            .finish()
    }
}

impl KeyStore for MemoryKeyStore {
    fn get(&self, user: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        self.check()?;
        self.lock()
            .get(user)
            .cloned()
            .ok_or_else(|| KeyStoreError::NoEntry {
                user: user.to_owned(),
            })
    }

    fn create(&self, user: &str, secret: &[u8]) -> Result<(), KeyStoreError> {
        self.check()?;
        let mut map = self.lock();
        if map.contains_key(user) {
            return Err(KeyStoreError::AlreadyExists {
                user: user.to_owned(),
            });
        }
        map.insert(user.to_owned(), Zeroizing::new(secret.to_vec()));
        Ok(())
    }

    fn delete(&self, user: &str) -> Result<(), KeyStoreError> {
        self.check()?;
        self.lock()
            .remove(user)
            .map(drop)
            .ok_or_else(|| KeyStoreError::NoEntry {
                user: user.to_owned(),
            })
    }
}

/// Stores a new key-encryption key under `user` (as 64 hex digits).
pub(crate) fn store_new_key(
    store: &dyn KeyStore,
    user: &str,
    key: &Key32,
) -> Result<(), KeyStoreError> {
    let text = Zeroizing::new(hex(key.expose()));
    store.create(user, text.as_bytes())
}

/// Reads the key-encryption key of `user`.
pub(crate) fn load_key(store: &dyn KeyStore, user: &str) -> Result<Key32, KeyStoreError> {
    let secret = store.get(user)?;
    let malformed = || KeyStoreError::Malformed {
        user: user.to_owned(),
    };
    let text = std::str::from_utf8(&secret).map_err(|_| malformed())?;
    let bytes = Zeroizing::new(unhex(text.trim_end()).ok_or_else(malformed)?);
    Key32::from_slice(&bytes).ok_or_else(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_never_overwrites() {
        let s = MemoryKeyStore::new();
        let k = Key32::random().unwrap();
        store_new_key(&s, "a", &k).unwrap();
        let k2 = Key32::random().unwrap();
        assert_eq!(
            store_new_key(&s, "a", &k2),
            Err(KeyStoreError::AlreadyExists { user: "a".into() })
        );
        assert_eq!(load_key(&s, "a").unwrap().expose(), k.expose());
        s.set_unavailable(true);
        assert!(matches!(
            load_key(&s, "a"),
            Err(KeyStoreError::Unavailable { .. })
        ));
        s.set_unavailable(false);
        s.delete("a").unwrap();
        assert_eq!(
            load_key(&s, "a").unwrap_err(),
            KeyStoreError::NoEntry { user: "a".into() }
        );
    }

    #[test]
    fn malformed_entries() {
        let s = MemoryKeyStore::new();
        s.create("short", b"abcd").unwrap();
        s.create("bin", &[0xff; 32]).unwrap();
        assert!(matches!(
            load_key(&s, "short"),
            Err(KeyStoreError::Malformed { .. })
        ));
        assert!(matches!(
            load_key(&s, "bin"),
            Err(KeyStoreError::Malformed { .. })
        ));
    }

    #[test]
    fn debug_shows_names_only() {
        let s = MemoryKeyStore::new();
        s.create("user", b"sekrit").unwrap();
        let d = format!("{s:?}");
        assert!(d.contains("user") && !d.contains("sekrit"), "{d}");
    }
}
