//! Tessera's OTP engine: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard
//! codes, secrets in base32 and hex, `otpauth://` URIs, Google
//! Authenticator's `otpauth-migration://` export codes ([`migration`]), and
//! the model of one-time recovery codes with the parser for blocks of them
//! as services hand them out.
//!
//! It is pure: nothing reads the clock or the disk, so the time (or counter)
//! is always an argument and every result is reproducible. The app, the
//! command line and the vault all build on it, which is why its error types
//! are specific and its messages never contain a secret.
//!
//! # Why totp-rs underneath, and only for the HMAC
//!
//! The HMAC itself comes from totp-rs 5.7 (`TOTP::new_unchecked` plus
//! `sign`), keeping the hashing in a maintained, widely used crate. Its
//! checked constructors refuse what real services need (secrets under 128
//! bits, which older services still issue at 80 bits), and its code
//! formatting does `mod 10^digits` in `u32`, which cannot express ten
//! digits, so this crate does the RFC 4226 dynamic truncation, the decimal
//! and Steam encodings, and all validation itself. No `hmac`, `sha1` or
//! `sha2` dependency is needed directly. totp-rs keeps its own plain copy of
//! the key, which is wiped after each use.
//!
//! # Example
//!
//! ```
//! use tessera_otp::{uri, Algorithm};
//!
//! let enrollment = uri::parse(
//!     "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8",
//! )?;
//! assert_eq!(enrollment.issuer, "Example");
//! assert_eq!(enrollment.params.algorithm, Algorithm::Sha1);
//! // RFC 6238 Appendix B, T = 59 s.
//! assert_eq!(enrollment.code_at(59)?.as_str(), "94287082");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod algorithm;
mod enrollment;
mod generate;
mod label;
pub mod migration;
mod params;
mod percent;
mod recovery;
mod recovery_block;
mod secret;
pub mod uri;

pub use algorithm::{Algorithm, OtpKind, UnknownAlgorithm, UnknownOtpKind};
pub use enrollment::Enrollment;
pub use generate::{hotp, steam, timed_steam, timed_totp, totp, Code, TimedCode};
pub use label::{check_label, split_issuer_prefix, LabelError, MAX_LABEL_CHARS};
pub use params::{
    OtpParams, ParamsError, DEFAULT_PERIOD, MAX_DIGITS, MAX_PERIOD, MIN_DIGITS, STEAM_DIGITS,
};
pub use percent::{percent_decode, PercentError, PlusSign};
pub use recovery::{
    RecoveryCode, RecoveryCodes, RecoveryError, RecoveryWarning, ReplaceOutcome, UseOutcome,
    DEFAULT_FEW_LEFT_THRESHOLD, MAX_CODE_LEN,
};
pub use recovery_block::{parse_recovery_block, RecoveryBlockError, MAX_BLOCK_LEN};
pub use secret::{Secret, SecretError};
pub use uri::UriError;
/// Re-exported because secrets and URIs are handed out in it.
pub use zeroize::Zeroizing;
