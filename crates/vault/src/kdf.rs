//! Password-based key derivation (Argon2id) and the limits that keep a
//! hostile vault file from demanding unbounded work.
//!
//! It exists because the KDF parameters are read from the header before
//! anything is authenticated: every value is checked against the caps in
//! `docs/vault-format.md` (section 3.1) before any memory is allocated, and a
//! value over a cap is a clear error, never a silent clamp. The defaults
//! were chosen by measurement (section 4 of that document).

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::crypto::Key32;
use crate::format::KdfSpec;

/// Most memory a password slot may ask for: 1 GiB, in KiB.
pub const MAX_M_COST_KIB: u64 = 1024 * 1024;
/// Most Argon2 passes a password slot may ask for.
pub const MAX_T_COST: u64 = 20;
/// Most Argon2 lanes a password slot may ask for.
pub const MAX_P_COST: u64 = 16;
/// Most total work (memory in KiB × passes): 4 GiB-passes, 4 to 11 s on
/// the reference machine (idle to busy).
pub const MAX_M_TIMES_T: u64 = 4 * 1024 * 1024;
/// The only Argon2 version accepted (0x13).
pub const ARGON2_VERSION: u64 = 19;

/// A password, wiped from memory when dropped and never shown by `Debug`.
///
/// It is used as its exact UTF-8 bytes: no trimming, no normalisation.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password. The `String` is moved in, so no copy is left.
    pub fn new(password: String) -> Self {
        Password(Zeroizing::new(password))
    }

    /// True if the password is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password::new(s)
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s.to_owned())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Argon2id cost parameters of a password slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl KdfParams {
    /// The defaults for new password slots: 128 MiB, 3 passes, 1 lane —
    /// about 0.5 s on the reference machine (measured; see the format
    /// document, section 4).
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 128 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Parameters within the caps, or the cap they break.
    pub fn new(m_cost_kib: u64, t_cost: u64, p_cost: u64) -> Result<Self, KdfLimitError> {
        if p_cost == 0 || p_cost > MAX_P_COST {
            return Err(KdfLimitError::Lanes {
                value: p_cost,
                max: MAX_P_COST,
            });
        }
        if t_cost == 0 || t_cost > MAX_T_COST {
            return Err(KdfLimitError::Passes {
                value: t_cost,
                max: MAX_T_COST,
            });
        }
        if m_cost_kib < 8 * p_cost || m_cost_kib > MAX_M_COST_KIB {
            return Err(KdfLimitError::Memory {
                value_kib: m_cost_kib,
                min_kib: 8 * p_cost,
                max_kib: MAX_M_COST_KIB,
            });
        }
        if m_cost_kib * t_cost > MAX_M_TIMES_T {
            return Err(KdfLimitError::TotalCost {
                value: m_cost_kib * t_cost,
                max: MAX_M_TIMES_T,
            });
        }
        // All three fit in u32 after the checks above.
        Ok(KdfParams {
            m_cost_kib: m_cost_kib as u32,
            t_cost: t_cost as u32,
            p_cost: p_cost as u32,
        })
    }

    /// Tiny parameters (64 KiB, 1 pass, 1 lane) that derive in about a
    /// millisecond. **Only for tests**: a vault made with them is easy to
    /// brute-force.
    pub fn insecure_for_tests() -> Self {
        KdfParams {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Memory in KiB.
    pub fn m_cost_kib(&self) -> u32 {
        self.m_cost_kib
    }

    /// Passes.
    pub fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Lanes.
    pub fn p_cost(&self) -> u32 {
        self.p_cost
    }

    /// Checks a slot's `kdf` object (algorithm, version, caps).
    pub(crate) fn from_spec(spec: &KdfSpec) -> Result<Self, KdfLimitError> {
        if spec.alg != "argon2id" {
            return Err(KdfLimitError::Algorithm(spec.alg.clone()));
        }
        if spec.version != ARGON2_VERSION {
            return Err(KdfLimitError::Version(spec.version));
        }
        KdfParams::new(spec.m_cost_kib, spec.t_cost, spec.p_cost)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::DEFAULT
    }
}

/// A password slot's KDF parameters are unknown or over a cap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KdfLimitError {
    /// Memory outside `min_kib..=max_kib`.
    #[error("Argon2 memory {value_kib} KiB is outside the allowed {min_kib}..={max_kib} KiB")]
    Memory {
        /// The value asked for.
        value_kib: u64,
        /// The least allowed (8 KiB per lane).
        min_kib: u64,
        /// The cap.
        max_kib: u64,
    },
    /// Passes outside `1..=max`.
    #[error("Argon2 passes {value} is outside the allowed 1..={max}")]
    Passes {
        /// The value asked for.
        value: u64,
        /// The cap.
        max: u64,
    },
    /// Lanes outside `1..=max`.
    #[error("Argon2 lanes {value} is outside the allowed 1..={max}")]
    Lanes {
        /// The value asked for.
        value: u64,
        /// The cap.
        max: u64,
    },
    /// Memory × passes over the cap.
    #[error("Argon2 cost {value} KiB-passes exceeds the allowed {max}")]
    TotalCost {
        /// The value asked for.
        value: u64,
        /// The cap.
        max: u64,
    },
    /// A KDF other than Argon2id.
    #[error("unknown key derivation {0:?} (only \"argon2id\" is supported)")]
    Algorithm(String),
    /// An Argon2 version other than 19.
    #[error("unknown Argon2 version {0} (only 19 is supported)")]
    Version(u64),
}

/// Derives a key-encryption key (section 4 of the format document).
pub(crate) fn derive(password: &Password, salt: &[u8], params: KdfParams) -> Key32 {
    let p = Params::new(
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        Some(crate::crypto::KEY_LEN),
    )
    // KdfParams only holds values Params accepts (checked in `new`).
    .expect("parameters within Argon2's range");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; crate::crypto::KEY_LEN]);
    argon
        .hash_password_into(password.bytes(), salt, &mut out[..])
        // Fails only for salts outside 8..=64 bytes, rejected when parsing.
        .expect("salt length within Argon2's range");
    Key32::from_slice(&out[..]).expect("32 bytes")
}

/// Runs one Argon2id derivation with `params` and a fixed salt, for the
/// benchmark that measures the defaults. Not for other uses.
#[doc(hidden)]
pub fn derive_key_for_bench(password: &Password, params: KdfParams) {
    std::hint::black_box(derive(password, &[0u8; 16], params));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Salt;

    #[test]
    fn caps() {
        assert!(KdfParams::new(131072, 3, 1).is_ok());
        assert!(KdfParams::new(1 << 20, 4, 1).is_ok());
        assert!(matches!(
            KdfParams::new((1 << 20) + 1, 1, 1),
            Err(KdfLimitError::Memory { .. })
        ));
        assert!(matches!(
            KdfParams::new(7, 1, 1),
            Err(KdfLimitError::Memory { .. })
        ));
        assert!(matches!(
            KdfParams::new(64, 1, 9),
            Err(KdfLimitError::Memory { .. })
        ));
        assert!(matches!(
            KdfParams::new(64, 0, 1),
            Err(KdfLimitError::Passes { .. })
        ));
        assert!(matches!(
            KdfParams::new(64, 21, 1),
            Err(KdfLimitError::Passes { .. })
        ));
        assert!(matches!(
            KdfParams::new(64, 1, 0),
            Err(KdfLimitError::Lanes { .. })
        ));
        assert!(matches!(
            KdfParams::new(1024, 1, 17),
            Err(KdfLimitError::Lanes { .. })
        ));
        assert!(matches!(
            KdfParams::new(1 << 20, 5, 1),
            Err(KdfLimitError::TotalCost { .. })
        ));
        assert!(matches!(
            KdfParams::new(u64::MAX, u64::MAX, u64::MAX),
            Err(KdfLimitError::Lanes { .. })
        ));
        assert!(matches!(
            KdfParams::new(u64::MAX, 1, 1),
            Err(KdfLimitError::Memory { .. })
        ));
        let e = KdfParams::new(1 << 30, 3, 1).unwrap_err().to_string();
        assert!(e.contains("1073741824 KiB") && e.contains("1048576"), "{e}");
    }

    #[test]
    fn spec_checks() {
        let mut spec = KdfSpec {
            alg: "argon2id".into(),
            version: 19,
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
            salt: Salt(vec![0; 16]),
            extra: Default::default(),
        };
        assert!(KdfParams::from_spec(&spec).is_ok());
        spec.version = 16;
        assert_eq!(KdfParams::from_spec(&spec), Err(KdfLimitError::Version(16)));
        spec.version = 19;
        spec.alg = "argon2i".into();
        assert!(matches!(
            KdfParams::from_spec(&spec),
            Err(KdfLimitError::Algorithm(_))
        ));
    }

    #[test]
    fn matches_reference_argon2_cli() {
        // Cross-checked with the reference `argon2` CLI:
        // echo -n password | argon2 somesalt -id -t 2 -k 64 -p 1 -l 32 -r
        let k = derive(
            &Password::from("password"),
            b"somesalt",
            KdfParams::new(64, 2, 1).unwrap(),
        );
        assert_eq!(
            crate::format::hex(k.expose()),
            "16a1a498734609dd01456da406de9f3d9da93e6c86c300a12fc1465214ce4922"
        );
        let again = derive(
            &Password::from("password"),
            b"somesalt",
            KdfParams::new(64, 2, 1).unwrap(),
        );
        assert_eq!(k.expose(), again.expose());
        let other = derive(
            &Password::from("password"),
            b"somesalt",
            KdfParams::new(64, 3, 1).unwrap(),
        );
        assert_ne!(k.expose(), other.expose());
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::from("hunter2");
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
    }
}
