//! The key-derivation cost a KeePass database or a FreeOTP 2 backup asks
//! for, read by the importers' own readers (`kdbx::key_derivation`,
//! `freeotp2::pbkdf2_iterations`), so the targets hand them the fuzz
//! password only when the derivation is cheap. A file those readers refuse
//! is refused by the importer before any derivation, so it costs nothing.

use tessera_transfer::formats::{freeotp2, kdbx};

use crate::{MAX_ARGON2_KIB_PASSES, MAX_PBKDF2_ROUNDS};

/// Most AES-KDF rounds a KeePass database may ask for here (KeePassXC's
/// own default is millions).
const MAX_AES_KDF_ROUNDS: u64 = 10_000;

/// A KeePass database's KDF within the small bounds (AES-KDF rounds, or
/// Argon2 KiB × passes and at most 4 lanes).
pub(crate) fn kdbx_is_cheap(data: &[u8]) -> bool {
    match kdbx::key_derivation(data) {
        Err(_) => true,
        Ok(kdbx::Kdf::Aes { rounds }) => rounds <= MAX_AES_KDF_ROUNDS,
        Ok(kdbx::Kdf::Argon2 {
            memory_bytes,
            passes,
            lanes,
            ..
        }) => (memory_bytes / 1024).saturating_mul(passes) <= MAX_ARGON2_KIB_PASSES && lanes <= 4,
    }
}

/// A FreeOTP 2 backup's PBKDF2 rounds within the small bound.
pub(crate) fn freeotp2_is_cheap(data: &[u8]) -> bool {
    match freeotp2::pbkdf2_iterations(data) {
        Ok(rounds) => rounds <= MAX_PBKDF2_ROUNDS,
        Err(_) => true,
    }
}
