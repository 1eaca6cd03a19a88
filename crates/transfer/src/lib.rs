//! Tessera's import and export: the backups, exports and databases of
//! other authenticators and password managers in; Aegis vaults, KeePass
//! databases, Google Authenticator migration QR codes, `otpauth://` lists,
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
//! | KeePass KDBX 3.1 and 4.x, password and key file ([`formats::kdbx`]) | yes | KDBX 4 |
//! | `otpauth://` URI list, Ente Auth's and Aegis's included ([`formats::uri_list`]) | yes | yes |
//! | Google Authenticator migration ([`google_migration`]), its database ([`formats::google_authenticator_db`]) | yes | QR series |
//! | a picture of QR codes ([`formats::qr_image`]) | yes |  |
//! | 2FAS ([`formats::twofas`]), andOTP ([`formats::andotp`]), Authy ([`formats::authy`]), Battle.net ([`formats::battle_net`]) | yes |  |
//! | Bitwarden JSON and CSV ([`formats::bitwarden`], [`formats::bitwarden_csv`]) | yes |  |
//! | Duo ([`formats::duo`]), Ente Auth encrypted ([`formats::ente`]), LastPass ([`formats::lastpass`]) | yes |  |
//! | FreeOTP 1.x and FreeOTP+ ([`formats::freeotp`], [`formats::freeotp_plus`]), FreeOTP 2 ([`formats::freeotp2`]) | yes |  |
//! | 1Password 1PUX and OPVault ([`formats::onepassword`], [`formats::opvault`]) | yes |  |
//! | Microsoft Authenticator database ([`formats::microsoft_authenticator`]) | yes |  |
//! | Proton Authenticator and Proton Pass ([`formats::proton`], [`formats::proton_pass`]) | yes |  |
//! | Steam Desktop Authenticator maFiles ([`formats::steam`]) | yes |  |
//! | Stratum / Authenticator Pro backups, HTML and database ([`formats::stratum`], [`formats::stratum_html`], [`formats::stratum_db`]) | yes |  |
//! | TOTP Authenticator ([`formats::totp_authenticator`]), Authenticator Plus ([`formats::authenticator_plus`]), WinAuth ([`formats::winauth`]) | yes |  |
//! | one account as a QR code ([`qr`]) |  | PNG |
//! | paper backup ([`paper`]) |  | PDF |
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
    MAX_AES_KDF_ROUNDS, MAX_ARGON2_LANES, MAX_ARGON2_MEMORY_KIB, MAX_ARGON2_PASSES,
    MAX_ARGON2_WORK, MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_LOG_N, MAX_SCRYPT_MEMORY, MAX_SCRYPT_P,
    MAX_SCRYPT_R, MAX_SCRYPT_WORK,
};
pub use crate::entry::{Entry, EntryError, ImportReport, ImportedEntry, ServiceRecovery};
pub use crate::error::{ExportError, ImportError};
pub use crate::formats::google_migration;
pub use crate::password::Password;
pub use crate::registry::{
    detect, exporter, exporters, import, import_one, import_with, importer, importers, Confidence,
    ExportOutput, Exporter, Importer, PasswordUse, MAX_IMPORT_LEN,
};
pub use tessera_otp::Zeroizing;
