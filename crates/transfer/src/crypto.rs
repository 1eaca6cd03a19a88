//! The ciphers, key-derivation functions and encodings the formats share,
//! with the work limits applied in one place.
//!
//! It exists so that every importer checks a file's KDF parameters against
//! the same caps *before* deriving anything (the parameters come from the
//! file, unauthenticated), and so that keys and plaintexts always live in
//! zeroizing buffers. Nothing here knows about any one format.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::error::{ExportError, ImportError};

/// A 256-bit key, wiped on drop.
pub(crate) type Key32 = Zeroizing<[u8; 32]>;

/// Length of an AES-GCM nonce as every format here uses it.
pub(crate) const GCM_NONCE_LEN: usize = 12;
/// Length of an AES-GCM tag.
pub(crate) const GCM_TAG_LEN: usize = 16;

/// Most PBKDF2 iterations a file may ask for. Real files use 10 000
/// (2FAS), about 150 000 (andOTP) and 600 000 (Bitwarden's default); ten
/// million is some seconds of work and far above any of them.
pub const MAX_PBKDF2_ITERATIONS: u64 = 10_000_000;
/// Largest scrypt `N` a file may ask for, as a power of two (2^20; Aegis
/// uses 2^15).
pub const MAX_SCRYPT_LOG_N: u8 = 20;
/// Largest scrypt `r`.
pub const MAX_SCRYPT_R: u64 = 32;
/// Largest scrypt `p`.
pub const MAX_SCRYPT_P: u64 = 16;
/// Most memory scrypt may use, 128·N·r bytes: 256 MiB (Aegis needs 32).
pub const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
/// Most scrypt work, N·r·p: 2^24, 64 times what Aegis asks for.
pub const MAX_SCRYPT_WORK: u64 = 1 << 24;
/// Most Argon2 memory, in KiB: 1 GiB, Bitwarden's own maximum.
pub const MAX_ARGON2_MEMORY_KIB: u64 = 1024 * 1024;
/// Most Argon2 passes. Bitwarden allows up to 10, Ente's "sensitive"
/// setting uses 16 at 256 MiB, and KeePass databases tuned to one second
/// on a small memory setting reach over 100 (Stratum's fixture: 117 at
/// 16 MiB); the work limit below is what bounds the time.
pub const MAX_ARGON2_PASSES: u64 = 256;
/// Most Argon2 lanes: Bitwarden allows up to 16.
pub const MAX_ARGON2_LANES: u64 = 16;
/// Most Argon2 work, memory in KiB times passes: 4 GiB-passes (Ente's
/// "sensitive" 1 GiB × 4 and 256 MiB × 16 are exactly this).
pub const MAX_ARGON2_WORK: u64 = 4 * 1024 * 1024;
/// Most AES-KDF rounds a KeePass database may ask for: 100 million, a few
/// seconds here. KeePassXC's "one second" setting gives tens of millions
/// (Stratum's KDBX 3.1 fixture: 43 478 260).
pub const MAX_AES_KDF_ROUNDS: u64 = 100_000_000;

/// The authentication tag did not match: wrong key or damaged data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unauthentic;

/// Decrypts AES-256-GCM `ciphertext ‖ tag` without associated data.
pub(crate) fn gcm_open(
    key: &[u8; 32],
    nonce: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Unauthentic> {
    if nonce.len() != GCM_NONCE_LEN || ciphertext_and_tag.len() < GCM_TAG_LEN {
        return Err(Unauthentic);
    }
    let cipher = Aes256Gcm::new(key.into());
    let mut buffer = Zeroizing::new(ciphertext_and_tag.to_vec());
    cipher
        .decrypt_in_place(Nonce::from_slice(nonce), b"", &mut *buffer)
        .map_err(|_| Unauthentic)?;
    Ok(buffer)
}

/// Encrypts with AES-256-GCM without associated data: `ciphertext ‖ tag`.
pub(crate) fn gcm_seal(key: &[u8; 32], nonce: &[u8; GCM_NONCE_LEN], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    let mut buffer = Vec::with_capacity(plaintext.len() + GCM_TAG_LEN);
    buffer.extend_from_slice(plaintext);
    cipher
        .encrypt_in_place(Nonce::from_slice(nonce), b"", &mut buffer)
        .expect("AES-GCM encrypts any buffer shorter than 64 GiB");
    buffer
}

/// Random bytes from the operating system.
pub(crate) fn random_array<const N: usize>() -> Result<[u8; N], ExportError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|_| ExportError::Randomness)?;
    Ok(bytes)
}

/// A fresh random key.
pub(crate) fn random_key() -> Result<Key32, ExportError> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(&mut key[..]).map_err(|_| ExportError::Randomness)?;
    Ok(key)
}

/// A random (version 4) UUID in its usual text form.
pub(crate) fn random_uuid() -> Result<String, ExportError> {
    let mut bytes: [u8; 16] = random_array()?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex_encode(&bytes);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// The hash under PBKDF2's HMAC.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pbkdf2Hash {
    Sha1,
    Sha256,
}

/// Checks a PBKDF2 iteration count read from a file.
pub(crate) fn check_pbkdf2(format: &'static str, iterations: u64) -> Result<u32, ImportError> {
    if iterations == 0 {
        return Err(ImportError::Corrupt {
            format,
            reason: "the PBKDF2 iteration count is 0".into(),
        });
    }
    if iterations > MAX_PBKDF2_ITERATIONS {
        return Err(ImportError::KdfParamsTooExpensive {
            format,
            kdf: "PBKDF2",
            detail: format!("({iterations} iterations)"),
            limit: format!("{MAX_PBKDF2_ITERATIONS} iterations"),
        });
    }
    Ok(iterations as u32)
}

/// PBKDF2 to a 256-bit key. The count must have passed [`check_pbkdf2`].
pub(crate) fn pbkdf2_key(hash: Pbkdf2Hash, password: &[u8], salt: &[u8], iterations: u32) -> Key32 {
    let mut key = Zeroizing::new([0u8; 32]);
    match hash {
        Pbkdf2Hash::Sha1 => {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, &mut *key)
        }
        Pbkdf2Hash::Sha256 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut *key)
        }
    }
    key
}

/// scrypt parameters that passed the limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScryptCost {
    log_n: u8,
    r: u32,
    p: u32,
}

/// Checks scrypt parameters read from a file against the limits.
pub(crate) fn check_scrypt(
    format: &'static str,
    n: u64,
    r: u64,
    p: u64,
) -> Result<ScryptCost, ImportError> {
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return Err(ImportError::Corrupt {
            format,
            reason: format!("invalid scrypt parameters N={n}, r={r}, p={p}"),
        });
    }
    let log_n = n.trailing_zeros() as u8;
    let memory = 128u128 * u128::from(n) * u128::from(r);
    let work = u128::from(n) * u128::from(r) * u128::from(p);
    if log_n > MAX_SCRYPT_LOG_N
        || r > MAX_SCRYPT_R
        || p > MAX_SCRYPT_P
        || memory > u128::from(MAX_SCRYPT_MEMORY)
        || work > u128::from(MAX_SCRYPT_WORK)
    {
        return Err(ImportError::KdfParamsTooExpensive {
            format,
            kdf: "scrypt",
            detail: format!("(N={n}, r={r}, p={p})"),
            limit: format!(
                "N=2^{MAX_SCRYPT_LOG_N}, r={MAX_SCRYPT_R}, p={MAX_SCRYPT_P}, {} MiB, N·r·p=2^24",
                MAX_SCRYPT_MEMORY >> 20
            ),
        });
    }
    Ok(ScryptCost {
        log_n,
        r: r as u32,
        p: p as u32,
    })
}

/// scrypt to a 256-bit key.
pub(crate) fn scrypt_key(password: &[u8], salt: &[u8], cost: ScryptCost) -> Key32 {
    let params = scrypt::Params::new(cost.log_n, cost.r, cost.p, 32)
        .expect("check_scrypt keeps the parameters in scrypt's range");
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, &mut *key).expect("32 is a valid output length");
    key
}

/// Checks the AES-KDF rounds a KeePass database asks for against the limit.
pub(crate) fn check_aes_kdf(format: &'static str, rounds: u64) -> Result<u64, ImportError> {
    if rounds > MAX_AES_KDF_ROUNDS {
        return Err(ImportError::KdfParamsTooExpensive {
            format,
            kdf: "AES-KDF",
            detail: format!("({rounds} rounds)"),
            limit: format!("{MAX_AES_KDF_ROUNDS} rounds"),
        });
    }
    Ok(rounds)
}

/// Argon2id parameters that passed the limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Argon2Cost {
    memory_kib: u32,
    passes: u32,
    lanes: u32,
}

/// Checks Argon2id parameters read from a file against the limits.
pub(crate) fn check_argon2(
    format: &'static str,
    memory_kib: u64,
    passes: u64,
    lanes: u64,
) -> Result<Argon2Cost, ImportError> {
    if passes == 0 || lanes == 0 || memory_kib < 8 * lanes {
        return Err(ImportError::Corrupt {
            format,
            reason: format!(
                "invalid Argon2id parameters: {memory_kib} KiB, {passes} passes, {lanes} lanes"
            ),
        });
    }
    if memory_kib > MAX_ARGON2_MEMORY_KIB
        || passes > MAX_ARGON2_PASSES
        || lanes > MAX_ARGON2_LANES
        || memory_kib.saturating_mul(passes) > MAX_ARGON2_WORK
    {
        return Err(ImportError::KdfParamsTooExpensive {
            format,
            kdf: "Argon2id",
            detail: format!("({memory_kib} KiB, {passes} passes, {lanes} lanes)"),
            limit: format!(
                "{MAX_ARGON2_MEMORY_KIB} KiB, {MAX_ARGON2_PASSES} passes, {MAX_ARGON2_LANES} lanes, \
                 memory × passes {MAX_ARGON2_WORK} KiB"
            ),
        });
    }
    Ok(Argon2Cost {
        memory_kib: memory_kib as u32,
        passes: passes as u32,
        lanes: lanes as u32,
    })
}

/// Argon2id (version 0x13) to a 256-bit key.
pub(crate) fn argon2id_key(
    password: &[u8],
    salt: &[u8],
    cost: Argon2Cost,
) -> Result<Key32, String> {
    let params = argon2::Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(32))
        .map_err(|error| format!("invalid Argon2id parameters: {error}"))?;
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon2
        .hash_password_into(password, salt, &mut *key)
        .map_err(|error| format!("Argon2id failed: {error}"))?;
    Ok(key)
}

/// Lower-case hexadecimal.
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 15)] as char);
    }
    text
}

/// Decodes hexadecimal in either case; `None` if it is not hex.
pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let high = (pair[0] as char).to_digit(16)?;
            let low = (pair[1] as char).to_digit(16)?;
            Some((high * 16 + low) as u8)
        })
        .collect()
}

/// Standard base64, padding optional, surrounding whitespace ignored.
pub(crate) fn base64_decode(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let text = text.trim();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(text).ok().map(Zeroizing::new)
}

/// Standard base64 with padding.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trip_and_tamper() {
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let sealed = gcm_seal(&key, &nonce, b"hello");
        assert_eq!(sealed.len(), 5 + GCM_TAG_LEN);
        assert_eq!(&*gcm_open(&key, &nonce, &sealed).unwrap(), b"hello");
        let mut tampered = sealed.clone();
        tampered[0] ^= 1;
        assert_eq!(gcm_open(&key, &nonce, &tampered), Err(Unauthentic));
        assert_eq!(gcm_open(&[8u8; 32], &nonce, &sealed), Err(Unauthentic));
        assert_eq!(gcm_open(&key, &nonce[..8], &sealed), Err(Unauthentic));
        assert_eq!(gcm_open(&key, &nonce, &sealed[..10]), Err(Unauthentic));
    }

    #[test]
    fn pbkdf2_matches_rfc_6070_and_rfc_7914() {
        // RFC 6070, test 2 (first 20 bytes; PBKDF2 output is a prefix-stable stream).
        let key = pbkdf2_key(Pbkdf2Hash::Sha1, b"password", b"salt", 2);
        assert_eq!(
            hex_encode(&key[..20]),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        );
        // RFC 7914 section 11, first 32 bytes.
        let key = pbkdf2_key(Pbkdf2Hash::Sha256, b"passwd", b"salt", 1);
        assert_eq!(
            hex_encode(&key[..]),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn scrypt_matches_rfc_7914_and_limits_hold() {
        let cost = check_scrypt("test", 16, 1, 1).unwrap();
        let key = scrypt_key(b"", b"", cost);
        assert_eq!(
            hex_encode(&key[..]),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        );
        for (n, r, p) in [
            (1 << 21, 8, 1),
            (1 << 15, 64, 1),
            (1 << 15, 8, 100),
            (1 << 20, 8, 1),
        ] {
            assert!(
                matches!(
                    check_scrypt("Aegis", n, r, p),
                    Err(ImportError::KdfParamsTooExpensive { kdf: "scrypt", .. })
                ),
                "{n} {r} {p}"
            );
        }
        for (n, r, p) in [(0, 8, 1), (1000, 8, 1), (1 << 15, 0, 1), (1 << 15, 8, 0)] {
            assert!(matches!(
                check_scrypt("Aegis", n, r, p),
                Err(ImportError::Corrupt { .. })
            ));
        }
        check_scrypt("Aegis", 1 << 15, 8, 1).unwrap();
    }

    #[test]
    fn pbkdf2_and_argon2_limits() {
        assert!(matches!(
            check_pbkdf2("x", MAX_PBKDF2_ITERATIONS + 1),
            Err(ImportError::KdfParamsTooExpensive { .. })
        ));
        assert!(matches!(
            check_pbkdf2("x", 0),
            Err(ImportError::Corrupt { .. })
        ));
        assert_eq!(check_pbkdf2("x", 10_000).unwrap(), 10_000);
        assert!(check_argon2("x", 64 * 1024, 3, 4).is_ok());
        assert!(matches!(
            check_argon2("x", 4 * 1024 * 1024, 3, 4),
            Err(ImportError::KdfParamsTooExpensive { .. })
        ));
        assert!(matches!(
            check_argon2("x", 1024 * 1024, 10, 4),
            Err(ImportError::KdfParamsTooExpensive { .. })
        ));
        assert!(matches!(
            check_argon2("x", 64, 0, 4),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn argon2id_matches_the_reference_implementation() {
        // phc-winner-argon2's test vector: Argon2id v0x13, t=2, m=2^16 KiB,
        // p=1, "password", "somesalt".
        let cost = check_argon2("x", 1 << 16, 2, 1).unwrap();
        let key = argon2id_key(b"password", b"somesalt", cost).unwrap();
        assert_eq!(
            hex_encode(&key[..]),
            "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
        );
    }

    #[test]
    fn encodings() {
        assert_eq!(hex_encode(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(hex_decode("00ABff").unwrap(), vec![0, 0xab, 0xff]);
        assert_eq!(hex_decode("0"), None);
        assert_eq!(hex_decode("zz"), None);
        assert_eq!(&*base64_decode(" aGk= ").unwrap(), b"hi");
        assert_eq!(&*base64_decode("aGk").unwrap(), b"hi");
        assert!(base64_decode("a*b").is_none());
        assert_eq!(base64_encode(b"hi"), "aGk=");
        let uuid = random_uuid().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
    }
}
