//! Tessera's own encrypted backup: a complete vault image, as
//! `tessera-vault` seals it, protected by one password slot, and how a
//! vault's contents become the entries other formats are written from.
//!
//! Format: `docs/vault-format.md` in this repository (magic line
//! `tessera-vault v1`, a JSON header with Argon2id password slots, an
//! AES-256-GCM body holding the accounts). A backup is a vault sealed for
//! the purpose with only a password slot, so it opens on any computer, and
//! it opens as a vault too. Reading checks the Argon2id parameters against
//! the vault crate's caps before any work. Both directions happen in
//! memory: nothing is written to disk but what the caller writes.
//!
//! What it cannot carry: nothing; every account field (id, notes,
//! favourite, tags, times) and the settings and recovery data are kept.
//! Imported as entries, an account keeps its recovery codes
//! ([`Entry::recovery`]) and services' codes come as
//! [`ImportReport::services`]; ids, times and settings are the importing
//! vault's own.

use tessera_transfer::{
    Confidence, Entry, ExportError, ImportError, ImportReport, Importer, Password, ServiceRecovery,
    MAX_IMPORT_LEN,
};
use tessera_vault::{
    Account, Contents, CreateOptions, ImageError, KdfParams, RecoveryEntry, RecoveryOwner, Unlock,
};

const FORMAT: &str = "Tessera backup";
const MAGIC: &[u8] = b"tessera-vault v";

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
        let contents = read_backup(bytes, password)?;
        Ok(ImportReport {
            entries: entries_of(&contents),
            services: services_of(&contents),
            ..ImportReport::default()
        })
    }
}

/// Opens a backup to the vault's full contents (ids, times, settings and
/// recovery data included), for restoring a whole vault.
pub fn read_backup(bytes: &[u8], password: Option<&Password>) -> Result<Contents, ImportError> {
    let len = bytes.len() as u64;
    if len > MAX_IMPORT_LEN {
        return Err(ImportError::TooLarge {
            len,
            max: MAX_IMPORT_LEN,
        });
    }
    if !bytes.starts_with(MAGIC) {
        return Err(ImportError::NotThisFormat {
            format: "a Tessera backup",
            reason: "it does not start with the tessera-vault line".into(),
        });
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
    let vault_password = tessera_vault::Password::new(password.expose().to_owned());
    let opened = tessera_vault::open_bytes(bytes, Unlock::Password(&vault_password))
        .map_err(import_error)?;
    Ok(opened.contents)
}

/// The vault's error as an import error.
fn import_error(error: ImageError) -> ImportError {
    match error {
        ImageError::WrongPassword => ImportError::WrongPassword { format: FORMAT },
        ImageError::NotAVault => ImportError::NotThisFormat {
            format: "a Tessera backup",
            reason: "it is not a Tessera vault file".into(),
        },
        ImageError::UnsupportedVersion { found } => ImportError::Unsupported {
            format: FORMAT,
            what: format!("vault format version {found} (this Tessera reads version 1)"),
        },
        ImageError::Damaged { reason } if reason.contains("truncated") => ImportError::Truncated {
            format: FORMAT,
            what: reason,
        },
        ImageError::Damaged { reason } | ImageError::BadContents { reason } => {
            ImportError::Corrupt {
                format: FORMAT,
                reason,
            }
        }
        ImageError::KdfLimit { source } => ImportError::KdfParamsTooExpensive {
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
        ImageError::NoPasswordSlot => ImportError::Unsupported {
            format: FORMAT,
            what: "no password slot: it opens only with the keyring of the computer that made it"
                .into(),
        },
        ImageError::TooLarge { size } => ImportError::TooLarge {
            len: size,
            max: MAX_IMPORT_LEN,
        },
        other => ImportError::Corrupt {
            format: FORMAT,
            reason: format!("it could not be opened: {other}"),
        },
    }
}

/// A vault's accounts as entries: what exporters write, each account with
/// its recovery codes.
pub fn entries_of(contents: &Contents) -> Vec<Entry> {
    contents
        .accounts
        .iter()
        .map(|account| entry_of(account, contents))
        .collect()
}

/// One account of `contents` as an entry, with its recovery codes.
pub fn entry_of(account: &Account, contents: &Contents) -> Entry {
    let mut entry = Entry::new(account.enrollment.clone());
    entry.notes.clone_from(&account.notes);
    entry.favourite = account.favourite;
    entry.tags.clone_from(&account.tags);
    entry.recovery = contents
        .recovery_for_account(&account.id)
        .map(|kept| kept.codes.clone());
    entry
}

/// The recovery codes kept apart from any account: services with no OTP
/// account, and removed accounts whose codes were kept (named
/// "(removed account)" when the account is gone but the set still points
/// to it).
pub fn services_of(contents: &Contents) -> Vec<ServiceRecovery> {
    contents
        .recovery
        .iter()
        .filter_map(|entry| {
            let (issuer, name) = match &entry.owner {
                RecoveryOwner::Service { issuer, name } => (issuer.clone(), name.clone()),
                RecoveryOwner::Account { account_id } => {
                    if contents.account(account_id).is_some() {
                        return None;
                    }
                    ("(removed account)".to_owned(), String::new())
                }
            };
            Some(ServiceRecovery {
                issuer,
                name,
                codes: entry.codes.clone(),
            })
        })
        .collect()
}

/// Writes `entries` as a Tessera backup: new accounts made at `now`
/// (unix seconds), one password slot with `kdf`.
pub fn backup_of_entries(
    entries: &[Entry],
    password: &Password,
    kdf: KdfParams,
    now: u64,
) -> Result<Vec<u8>, ExportError> {
    let mut contents = Contents::default();
    for entry in entries {
        let mut account =
            Account::new(entry.enrollment.clone(), now).map_err(|_| ExportError::Randomness)?;
        account.notes.clone_from(&entry.notes);
        account.favourite = entry.favourite;
        account.tags.clone_from(&entry.tags);
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
    make_backup(&contents, password, kdf, now)
}

/// Writes a vault's whole contents (ids, times, settings and recovery data
/// included) as a Tessera backup with one password slot.
pub fn make_backup(
    contents: &Contents,
    password: &Password,
    kdf: KdfParams,
    now: u64,
) -> Result<Vec<u8>, ExportError> {
    if password.is_empty() {
        return Err(ExportError::EmptyPassword);
    }
    let vault_password = tessera_vault::Password::new(password.expose().to_owned());
    let options = CreateOptions {
        password: Some(&vault_password),
        kdf,
        keyring: None,
    };
    tessera_vault::seal_new(contents, options, now)
        .map_err(|error| ExportError::Backup(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Enrollment, OtpParams, Secret};
    use tessera_transfer::Importer;

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
        let bytes = backup_of_entries(
            &entries(),
            &password,
            KdfParams::insecure_for_tests(),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(TesseraBackupImporter.detect(&bytes), Confidence::Certain);
        let report = TesseraBackupImporter
            .import(&bytes, Some(&password))
            .unwrap();
        assert_eq!(report.entries, entries());
        let contents = read_backup(&bytes, Some(&password)).unwrap();
        assert_eq!(contents.modified_at, 1_700_000_000);
        assert_eq!(contents.accounts[0].created_at, 1_700_000_000);
        // The whole contents survive a second trip unchanged.
        let again = make_backup(
            &contents,
            &password,
            KdfParams::insecure_for_tests(),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(read_backup(&again, Some(&password)).unwrap(), contents);
    }

    #[test]
    fn errors_are_clear() {
        let password = Password::from("right");
        let bytes =
            backup_of_entries(&entries(), &password, KdfParams::insecure_for_tests(), 1).unwrap();
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
            backup_of_entries(
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
        let bytes =
            backup_of_entries(&entries(), &password, KdfParams::insecure_for_tests(), 1).unwrap();
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
