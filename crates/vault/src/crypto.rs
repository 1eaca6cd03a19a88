//! Cryptographic primitives of the vault: 256-bit keys that wipe themselves,
//! the AES-256-GCM body seal, and the AES-256-GCM key wrap of the slots.
//!
//! It exists to keep every use of the cipher in one small place, apart from
//! the byte layout (`format.rs`) and the key derivation (`kdf.rs`), so each
//! can be reviewed alone. See `docs/vault-format.md`, sections 5 and 6.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use zeroize::Zeroizing;

use crate::format::{NONCE_LEN, TAG_LEN, WRAPPED_LEN};

/// Length of every key in the vault (256 bits).
pub(crate) const KEY_LEN: usize = 32;

/// The operating system's random number generator failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RngError;

/// Fills `buf` from the operating system's random number generator.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), RngError> {
    getrandom::getrandom(buf).map_err(|_| RngError)
}

/// `N` random bytes.
pub(crate) fn random_array<const N: usize>() -> Result<[u8; N], RngError> {
    let mut out = [0u8; N];
    fill_random(&mut out)?;
    Ok(out)
}

/// A 256-bit key (master key or key-encryption key). Wiped on drop; its
/// `Debug` shows no key material.
#[derive(Clone)]
pub(crate) struct Key32(Zeroizing<[u8; KEY_LEN]>);

impl Key32 {
    /// A fresh random key.
    pub(crate) fn random() -> Result<Self, RngError> {
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(&mut k[..])?;
        Ok(Key32(k))
    }

    /// A key from exactly 32 bytes.
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        k.copy_from_slice(bytes);
        Some(Key32(k))
    }

    /// The key bytes.
    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0[..]))
    }
}

impl std::fmt::Debug for Key32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key32(<redacted>)")
    }
}

/// Encrypts `plaintext` under `key` with a fresh nonce and `aad`; returns
/// `nonce || ciphertext || tag` (the vault body).
pub(crate) fn seal(key: &Key32, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, RngError> {
    let nonce: [u8; NONCE_LEN] = random_array()?;
    Ok(seal_with_nonce(key, &nonce, aad, plaintext))
}

/// [`seal`] with a given nonce (for the fixed worked example only).
pub(crate) fn seal_with_nonce(
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(nonce);
    out.extend_from_slice(plaintext);
    // Encrypted where it lies, so no copy of the plaintext is left behind.
    let tag = key
        .cipher()
        .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, &mut out[NONCE_LEN..])
        // Only fails for messages longer than 64 GiB.
        .expect("plaintext within AES-GCM limits");
    out.extend_from_slice(&tag);
    out
}

/// Decrypts a `nonce || ciphertext || tag` body; `None` if it does not
/// authenticate under `key` and `aad`.
pub(crate) fn open(key: &Key32, aad: &[u8], body: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if body.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, rest) = body.split_at(NONCE_LEN);
    let (ct, tag) = rest.split_at(rest.len() - TAG_LEN);
    let mut buf = Zeroizing::new(ct.to_vec());
    key.cipher()
        .decrypt_in_place_detached(Nonce::from_slice(nonce), aad, &mut buf, tag.into())
        .ok()?;
    Some(buf)
}

/// Wraps `master` under `kek` with a fresh nonce; returns (nonce, wrapped).
pub(crate) fn wrap(
    kek: &Key32,
    aad: &[u8],
    master: &Key32,
) -> Result<([u8; NONCE_LEN], [u8; WRAPPED_LEN]), RngError> {
    let nonce: [u8; NONCE_LEN] = random_array()?;
    Ok((nonce, wrap_with_nonce(kek, &nonce, aad, master)))
}

/// [`wrap`] with a given nonce (for the fixed worked example only).
pub(crate) fn wrap_with_nonce(
    kek: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    master: &Key32,
) -> [u8; WRAPPED_LEN] {
    let sealed = seal_with_nonce(kek, nonce, aad, master.expose());
    let mut out = [0u8; WRAPPED_LEN];
    out.copy_from_slice(&sealed[NONCE_LEN..]);
    out
}

/// Unwraps a master key; `None` if the tag does not verify.
pub(crate) fn unwrap(
    kek: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    wrapped: &[u8; WRAPPED_LEN],
) -> Option<Key32> {
    let mut body = Vec::with_capacity(NONCE_LEN + WRAPPED_LEN);
    body.extend_from_slice(nonce);
    body.extend_from_slice(wrapped);
    let plain = open(kek, aad, &body)?;
    Key32::from_slice(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip() {
        let k = Key32::random().unwrap();
        let body = seal(&k, b"aad", b"hello").unwrap();
        assert_eq!(body.len(), 12 + 5 + 16);
        assert_eq!(&open(&k, b"aad", &body).unwrap()[..], b"hello");
        assert!(open(&k, b"aad!", &body).is_none());
        let other = Key32::random().unwrap();
        assert!(open(&other, b"aad", &body).is_none());
        for i in 0..body.len() {
            let mut b = body.clone();
            b[i] ^= 1;
            assert!(open(&k, b"aad", &b).is_none(), "flip at {i}");
        }
        assert!(open(&k, b"aad", &body[..27]).is_none());
    }

    #[test]
    fn fresh_nonce_each_time() {
        let k = Key32::random().unwrap();
        let a = seal(&k, b"", b"same").unwrap();
        let b = seal(&k, b"", b"same").unwrap();
        assert_ne!(a[..12], b[..12]);
        assert_ne!(a, b);
    }

    #[test]
    fn wrap_unwrap() {
        let kek = Key32::random().unwrap();
        let master = Key32::random().unwrap();
        let (nonce, wrapped) = wrap(&kek, b"slot", &master).unwrap();
        let back = unwrap(&kek, &nonce, b"slot", &wrapped).unwrap();
        assert_eq!(back.expose(), master.expose());
        assert!(unwrap(&kek, &nonce, b"other slot", &wrapped).is_none());
    }

    #[test]
    fn known_answer_aes_256_gcm() {
        // NIST GCM test case 14 (AES-256, zero key, zero IV, one zero block).
        let k = Key32::from_slice(&[0u8; 32]).unwrap();
        let body = seal_with_nonce(&k, &[0u8; 12], b"", &[0u8; 16]);
        assert_eq!(
            crate::format::hex(&body[12..]),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
        );
    }

    #[test]
    fn debug_hides_key() {
        let k = Key32::from_slice(&[0x41; 32]).unwrap();
        let s = format!("{k:?}");
        assert!(!s.contains("41") && !s.contains("65"), "{s}");
    }
}
