//! Tessera's own encrypted backup: a complete vault file, as
//! `tessera-vault` writes it, protected by a password slot.
//!
//! Format: `docs/vault-format.md` in this repository (magic line
//! `tessera-vault v1`, a JSON header with Argon2id password slots, an
//! AES-256-GCM body holding the accounts). A backup is a vault created for
//! the purpose with only a password slot, so it opens on any computer, and
//! it opens as a vault too. Reading checks the Argon2id parameters against
//! the vault crate's own caps before any work.
//!
//! What it cannot carry: nothing; every account field (id, notes,
//! favourite, tags, times) and the settings and recovery data are kept.
//! Imported as entries, an account keeps its recovery codes
//! ([`Entry::recovery`]) and services' codes come as
//! [`ImportReport::services`]; ids, times and settings are the importing
//! vault's own.
//!
//! `tessera-vault` reads and writes files by path, not bytes, so both
//! directions go through a private temporary directory (mode 0700 on
//! Unix) that is removed afterwards; only encrypted bytes are ever written
//! there. A bytes API in the vault crate would make this unnecessary.

use std::path::{Path, PathBuf};

use tessera_vault::{
    Account, CreateOptions, RecoveryEntry, RecoveryOwner, UnlockedVault, VaultError,
};
/// The vault's contents and KDF parameters, which the functions here take
/// and return.
pub use tessera_vault::{Contents, KdfParams};

use crate::crypto::{hex_encode, random_array};
use crate::entry::{Entry, ImportReport, ServiceRecovery};
use crate::error::{ExportError, ImportError};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Tessera backup";
const MAGIC: &[u8] = b"tessera-vault v";
/// The file name inside the temporary directory.
const FILE_NAME: &str = "backup.tessera";

/// Reads Tessera backups (and vault files) with their password.
#[derive(Debug, Clone, Copy, Default)]
pub struct TesseraBackupImporter;

impl Importer for TesseraBackupImporter {
    fn id(&self) -> &'static str {
        "tessera"
    }

    fn name(&self) -> &'static str {
        "Tessera backup (encrypted)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if bytes.starts_with(MAGIC) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        let contents = import_contents(bytes, password)?;
        let entries = Entry::all_of(&contents);
        Ok(ImportReport {
            entries,
            errors: Vec::new(),
            services: ServiceRecovery::all_of(&contents),
        })
    }
}

/// Opens a backup to the vault's full contents (ids, times, settings and
/// recovery data included), for restoring a whole vault.
pub fn import_contents(bytes: &[u8], password: Option<&Password>) -> Result<Contents, ImportError> {
    check_len(bytes)?;
    if !bytes.starts_with(MAGIC) {
        return Err(ImportError::NotThisFormat {
            format: "a Tessera backup",
            reason: "it does not start with the tessera-vault line".into(),
        });
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
    let dir = TempDir::new().map_err(|reason| ImportError::Unsupported {
        format: FORMAT,
        what: format!("a temporary folder could not be made ({reason})"),
    })?;
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, bytes).map_err(|error| ImportError::Unsupported {
        format: FORMAT,
        what: format!("a temporary copy could not be written ({error})"),
    })?;
    let vault_password = tessera_vault::Password::new(password.expose().to_owned());
    let vault = UnlockedVault::open_with_password(&path, &vault_password).map_err(import_error)?;
    Ok(vault.contents().clone())
}

/// The vault's error as an import error, without the temporary path.
fn import_error(error: VaultError) -> ImportError {
    match error {
        VaultError::WrongPassword { .. } => ImportError::WrongPassword { format: FORMAT },
        VaultError::NotAVault { .. } => ImportError::NotThisFormat {
            format: "a Tessera backup",
            reason: "it is not a Tessera vault file".into(),
        },
        VaultError::UnsupportedVersion { found, .. } => ImportError::Unsupported {
            format: FORMAT,
            what: format!("vault format version {found} (this Tessera reads version 1)"),
        },
        VaultError::Damaged { reason, .. } if reason.contains("truncated") => {
            ImportError::Truncated {
                format: FORMAT,
                what: reason,
            }
        }
        VaultError::Damaged { reason, .. } | VaultError::BadContents { reason, .. } => {
            ImportError::Corrupt {
                format: FORMAT,
                reason,
            }
        }
        VaultError::KdfLimit { source, .. } => ImportError::KdfParamsTooExpensive {
            format: FORMAT,
            kdf: "Argon2id",
            detail: format!("({source})"),
            limit: format!(
                "{} KiB, {} passes, {} lanes, memory × passes {} KiB",
                tessera_vault::MAX_M_COST_KIB,
                tessera_vault::MAX_T_COST,
                tessera_vault::MAX_P_COST,
                tessera_vault::MAX_M_TIMES_T
            ),
        },
        VaultError::NoPasswordSlot { .. } => ImportError::Unsupported {
            format: FORMAT,
            what: "no password slot: it opens only with the keyring of the computer that made it"
                .into(),
        },
        VaultError::TooLarge { size, .. } => ImportError::TooLarge {
            len: size,
            max: crate::registry::MAX_IMPORT_LEN,
        },
        other => ImportError::Corrupt {
            format: FORMAT,
            reason: format!("it could not be opened: {}", strip_path(&other)),
        },
    }
}

/// A vault error's message, without any path in it.
fn strip_path(error: &VaultError) -> String {
    let message = error.to_string();
    match error.path() {
        Some(path) => message.replace(&path.display().to_string(), "the backup"),
        None => message,
    }
}

/// Writes `entries` as a Tessera backup: new accounts made at `now`
/// (unix seconds), one password slot with `kdf`.
pub fn export(
    entries: &[Entry],
    password: &Password,
    kdf: KdfParams,
    now: u64,
) -> Result<Vec<u8>, ExportError> {
    let mut contents = Contents::default();
    for entry in entries {
        let mut account =
            Account::new(entry.enrollment.clone(), now).map_err(|_| ExportError::Randomness)?;
        account.notes = entry.notes.clone();
        account.favourite = entry.favourite;
        account.tags = entry.tags.clone();
        if let Some(codes) = &entry.recovery {
            let owner = RecoveryOwner::Account {
                account_id: account.id.clone(),
            };
            contents.recovery.push(
                RecoveryEntry::new(owner, codes.clone(), now)
                    .map_err(|_| ExportError::Randomness)?,
            );
        }
        contents.accounts.push(account);
    }
    export_contents(contents, password, kdf, now)
}

/// Writes a vault's whole contents (ids, times, settings and recovery data
/// included) as a Tessera backup with one password slot.
pub fn export_contents(
    contents: Contents,
    password: &Password,
    kdf: KdfParams,
    now: u64,
) -> Result<Vec<u8>, ExportError> {
    if password.is_empty() {
        return Err(ExportError::EmptyPassword);
    }
    let dir = TempDir::new().map_err(ExportError::Backup)?;
    let path = dir.path().join(FILE_NAME);
    let vault_password = tessera_vault::Password::new(password.expose().to_owned());
    let options = CreateOptions {
        password: Some(&vault_password),
        kdf,
        keyring: None,
    };
    UnlockedVault::create(&path, options, contents, now)
        .map_err(|error| ExportError::Backup(strip_path(&error)))?;
    std::fs::read(&path).map_err(|error| ExportError::Backup(error.to_string()))
}

/// A private temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, String> {
        let suffix: [u8; 16] = random_array().map_err(|error| error.to_string())?;
        let path = std::env::temp_dir().join(format!("tessera-transfer-{}", hex_encode(&suffix)));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).map_err(|error| error.to_string())?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Enrollment, OtpParams, Secret};

    fn entries() -> Vec<Entry> {
        let mut first = Entry::new(Enrollment {
            issuer: "Deno".into(),
            name: "Mason".into(),
            secret: Secret::from_base32("4SJHB4GSD43FZBAI7C2HLRJGPQ").unwrap(),
            params: OtpParams::totp(),
        });
        first.notes = "note".into();
        first.favourite = true;
        first.tags = vec!["work".into()];
        let second = Entry::new(Enrollment {
            issuer: "Boeing".into(),
            name: "Sophia".into(),
            secret: Secret::from_base32("JRZCL47CMXVOQMNPZR2F7J4RGI").unwrap(),
            params: OtpParams::steam(),
        });
        vec![first, second]
    }

    #[test]
    fn backup_round_trip_keeps_everything() {
        let password = Password::from("backup password");
        let bytes = export(
            &entries(),
            &password,
            KdfParams::insecure_for_tests(),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(TesseraBackupImporter.detect(&bytes), Confidence::Certain);
        let (importer, report) = crate::import(&bytes, Some(&password)).unwrap();
        assert_eq!(importer.id(), "tessera");
        assert_eq!(report.entries, entries());
        let contents = import_contents(&bytes, Some(&password)).unwrap();
        assert_eq!(contents.modified_at, 1_700_000_000);
        assert_eq!(contents.accounts[0].created_at, 1_700_000_000);
        // The whole contents survive a second trip unchanged.
        let again = export_contents(
            contents.clone(),
            &password,
            KdfParams::insecure_for_tests(),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(import_contents(&again, Some(&password)).unwrap(), contents);
    }

    #[test]
    fn temporary_folders_are_private_and_removed() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().to_owned();
        std::fs::write(path.join(FILE_NAME), b"x").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn errors_are_clear() {
        let password = Password::from("right");
        let bytes = export(&entries(), &password, KdfParams::insecure_for_tests(), 1).unwrap();
        assert_eq!(
            TesseraBackupImporter.import(&bytes, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        assert_eq!(
            TesseraBackupImporter.import(&bytes, Some(&Password::from("wrong"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        let error = TesseraBackupImporter
            .import(&bytes[..bytes.len() / 3], Some(&password))
            .unwrap_err();
        assert!(
            matches!(
                error,
                ImportError::Truncated { .. } | ImportError::Corrupt { .. }
            ),
            "{error:?}"
        );
        assert!(!error.to_string().contains("tessera-transfer-"), "{error}");
        let mut tampered = bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(
            TesseraBackupImporter.import(&tampered, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        assert!(matches!(
            TesseraBackupImporter.import(b"{}", Some(&password)),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert_eq!(
            export(
                &entries(),
                &Password::from(""),
                KdfParams::insecure_for_tests(),
                1
            ),
            Err(ExportError::EmptyPassword)
        );
    }

    #[test]
    fn absurd_kdf_parameters_are_refused() {
        let password = Password::from("right");
        let bytes = export(&entries(), &password, KdfParams::insecure_for_tests(), 1).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let header_end = text.find("\n{").map(|i| i + 1).unwrap();
        let line_end = header_end + text[header_end..].find('\n').unwrap();
        let header = &text[header_end..line_end];
        let absurd = header.replace("\"m_cost_kib\":64", "\"m_cost_kib\":4194304");
        assert_ne!(absurd, header, "the header names its memory cost: {header}");
        let mut changed = bytes[..header_end].to_vec();
        changed.extend_from_slice(absurd.as_bytes());
        changed.extend_from_slice(&bytes[line_end..]);
        let error = TesseraBackupImporter
            .import(&changed, Some(&password))
            .unwrap_err();
        assert!(
            matches!(error, ImportError::KdfParamsTooExpensive { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("4194304"), "{error}");
    }
}
