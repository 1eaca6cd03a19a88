//! Tessera's import and export: other authenticators' backups in, Aegis
//! vaults, Google Authenticator migration QR codes, `otpauth://` lists,
//! single-account QR codes and a printable paper backup out.
//!
//! Every format lives in its own module under [`formats`], whose header
//! links the format's description and lists what it cannot carry. All
//! importers implement [`Importer`] and all file exporters [`Exporter`];
//! [`importers`] and [`exporters`] are the one registry, and [`detect`]
//! picks the format from a file's content.
//!
//! | format | import | export |
//! |---|---|---|
//! | Aegis vault, plain and encrypted ([`formats::aegis`]) | yes | yes |
//! | 2FAS, plain and encrypted ([`formats::twofas`]) | yes | |
//! | Bitwarden JSON, plain and password protected ([`formats::bitwarden`]) | yes | |
//! | FreeOTP+ JSON ([`formats::freeotp_plus`]) | yes | |
//! | Steam Desktop Authenticator maFiles ([`formats::steam`]) | yes | |
//! | Proton Authenticator JSON ([`formats::proton`]) | yes | |
//! | Google Authenticator migration ([`google_migration`]) | text | QR series |
//! | `otpauth://` URI list, Ente Auth's included ([`formats::uri_list`]) | yes | yes |
//! | andOTP, plain and encrypted ([`formats::andotp`]) | yes | |
//! | a picture of QR codes ([`formats::qr_image`]) | yes | |
//! | one account as a QR code ([`qr`]) | | PNG |
//! | paper backup ([`paper`]) | | PDF |
//!
//! This crate knows nothing of Tessera's vault (it does not depend on
//! `tessera-vault`): importers return an [`ImportReport`] of entries and
//! per-entry errors, so one bad entry never sinks the whole file, and
//! exporters take entries. Deciding what to do with accounts the vault
//! already has, and Tessera's own backup (a vault image), belong to
//! `tessera-core`. Whole-file problems are [`ImportError`]s: a missing or
//! wrong password, a truncated or damaged file, a file of another format,
//! key-derivation parameters beyond the limits in `crypto` (checked before
//! any work is done).
//!
//! Secrets stay in zeroizing buffers, `Debug` never prints one, and no
//! error message contains a secret or a password. Nothing here reads the
//! clock: the paper backup takes its date as an argument.
//!
//! ```
//! use tessera_transfer::{import, Password};
//!
//! let file = b"otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example\n";
//! let (importer, report) = import(file, None)?;
//! assert_eq!(importer.id(), "otpauth-uris");
//! assert_eq!(report.entries[0].enrollment.issuer, "Example");
//! assert!(report.errors.is_empty());
//! # let _ = Password::from("unused");
//! # Ok::<(), tessera_transfer::ImportError>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod crypto;
mod entry;
mod error;
pub mod formats;
mod json;
pub mod paper;
mod password;
pub mod qr;
mod registry;

pub use crate::crypto::{
    MAX_ARGON2_LANES, MAX_ARGON2_MEMORY_KIB, MAX_ARGON2_PASSES, MAX_ARGON2_WORK,
    MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_LOG_N, MAX_SCRYPT_MEMORY, MAX_SCRYPT_P, MAX_SCRYPT_R,
    MAX_SCRYPT_WORK,
};
pub use crate::entry::{Entry, EntryError, ImportReport, ImportedEntry, ServiceRecovery};
pub use crate::error::{ExportError, ImportError};
pub use crate::formats::google_migration;
pub use crate::password::Password;
pub use crate::registry::{
    detect, exporter, exporters, import, importer, importers, Confidence, ExportOutput, Exporter,
    Importer, PasswordUse, MAX_IMPORT_LEN,
};
pub use tessera_otp::Zeroizing;
