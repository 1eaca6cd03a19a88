//! The one registry of what Tessera reads and writes, with each format's
//! description, read by the command line (`--format`, `--help`) and the
//! app (its import and export screens) alike; and reading an import file
//! and writing an export through it.
//!
//! Other apps' formats are `tessera-transfer`'s; Tessera's own backup
//! ([`crate::backup`]) is a vault image, so it is listed here beside them.

use tessera_otp::Zeroizing;
use tessera_transfer::{
    google_migration, paper, EntryError, Exporter, ImportError, ImportReport, Importer, Password,
    PasswordUse,
};
use tessera_vault::{Contents, KdfParams};

use crate::backup::{entries_of, make_backup, services_of, TesseraBackupImporter};
use crate::error::CoreError;

/// Every format an import reads, most specific first (the order breaks
/// ties in detection).
pub fn importers() -> Vec<&'static dyn Importer> {
    let mut all: Vec<&'static dyn Importer> = vec![&TesseraBackupImporter];
    all.extend(tessera_transfer::importers().iter().copied());
    all
}

/// The importer with this id (`--format`).
pub fn importer(id: &str) -> Option<&'static dyn Importer> {
    importers().into_iter().find(|i| i.id() == id)
}

/// The format of a file, from its content (never its name).
pub fn detect(bytes: &[u8]) -> Option<&'static dyn Importer> {
    if TesseraBackupImporter.detect(bytes) > tessera_transfer::Confidence::No {
        return Some(&TesseraBackupImporter);
    }
    tessera_transfer::detect(bytes)
}

/// A file read for import.
#[derive(Debug)]
pub struct ImportedFile {
    /// The format's name for people.
    pub format: &'static str,
    /// The accounts, services' recovery codes and per-entry problems.
    pub report: ImportReport,
}

/// Reads a file to import: in the format `format` names, or the one its
/// content shows. An encrypted file without `password` is
/// [`ImportError::PasswordRequired`] (kind `PasswordRequired`), so the
/// caller can ask and try again. `key_file` is a KeePass key file's bytes.
pub fn read_import(
    bytes: &[u8],
    format: Option<&str>,
    password: Option<&Password>,
    key_file: Option<&[u8]>,
) -> Result<ImportedFile, CoreError> {
    let len = bytes.len() as u64;
    if len > tessera_transfer::MAX_IMPORT_LEN {
        return Err(ImportError::TooLarge {
            len,
            max: tessera_transfer::MAX_IMPORT_LEN,
        }
        .into());
    }
    let (importer, report) = match format {
        Some(id) => {
            let importer = importer(id).ok_or_else(|| {
                CoreError::Invalid(format!(
                    "unknown format {id:?}; known formats: {}",
                    import_ids().join(", ")
                ))
            })?;
            let report = tessera_transfer::import_one(importer, bytes, password, key_file)?;
            (importer, report)
        }
        None if TesseraBackupImporter.detect(bytes) > tessera_transfer::Confidence::No => {
            let importer: &'static dyn Importer = &TesseraBackupImporter;
            let report = tessera_transfer::import_one(importer, bytes, password, key_file)?;
            (importer, report)
        }
        None => match tessera_transfer::import_with(bytes, password, key_file) {
            Err(ImportError::UnknownFormat { .. }) => {
                return Err(ImportError::UnknownFormat {
                    supported: importers()
                        .iter()
                        .map(|i| i.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
                .into())
            }
            other => other?,
        },
    };
    Ok(ImportedFile {
        format: importer.name(),
        report,
    })
}

/// The ids of every import format, for messages and help.
pub fn import_ids() -> Vec<&'static str> {
    importers().iter().map(|i| i.id()).collect()
}

/// What an export writes.
#[derive(Clone, Copy)]
pub enum ExportKind {
    /// Tessera's own encrypted backup.
    TesseraBackup,
    /// One file another app imports.
    File(&'static dyn Exporter),
    /// Google Authenticator's series of QR codes.
    GoogleQrSeries,
    /// A PDF to print.
    Paper,
}

/// One format an export writes.
#[derive(Clone, Copy)]
pub struct ExportFormat {
    kind: ExportKind,
}

impl std::fmt::Debug for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Every export format, in the order they are offered.
pub fn export_formats() -> Vec<ExportFormat> {
    let mut all = vec![ExportFormat {
        kind: ExportKind::TesseraBackup,
    }];
    all.extend(tessera_transfer::exporters().iter().map(|e| ExportFormat {
        kind: ExportKind::File(*e),
    }));
    all.push(ExportFormat {
        kind: ExportKind::GoogleQrSeries,
    });
    all.push(ExportFormat {
        kind: ExportKind::Paper,
    });
    all
}

/// The export format with this id or alias.
pub fn export_format(id: &str) -> Option<ExportFormat> {
    export_formats()
        .into_iter()
        .find(|f| f.id() == id || f.aliases().contains(&id))
}

impl ExportFormat {
    /// What it writes.
    pub fn kind(self) -> ExportKind {
        self.kind
    }

    /// Its stable id (`--format`).
    pub fn id(self) -> &'static str {
        match self.kind {
            ExportKind::TesseraBackup => "tessera",
            ExportKind::File(e) => e.id(),
            ExportKind::GoogleQrSeries => "google",
            ExportKind::Paper => "paper",
        }
    }

    /// Other names accepted for it.
    pub fn aliases(self) -> &'static [&'static str] {
        match self.id() {
            "otpauth-uris" => &["uris"],
            _ => &[],
        }
    }

    /// Its name for people.
    pub fn name(self) -> &'static str {
        match self.kind {
            ExportKind::TesseraBackup => "Tessera backup",
            ExportKind::File(e) => e.name(),
            ExportKind::GoogleQrSeries => "Google Authenticator (QR codes)",
            ExportKind::Paper => "Paper backup (PDF to print)",
        }
    }

    /// What it holds and what reads it, one or two sentences.
    pub fn description(self) -> &'static str {
        match self.kind {
            ExportKind::TesseraBackup => {
                "Every account and recovery code, encrypted with the password you choose. \
                 Tessera opens it with Import."
            }
            ExportKind::File(e) => e.description(),
            ExportKind::GoogleQrSeries => {
                "QR codes to scan with Google Authenticator (Transfer accounts, Import \
                 accounts). Shown here one by one, or saved as images."
            }
            ExportKind::Paper => {
                "A PDF to print and keep locked away: each account's QR code and secret, \
                 and every unused recovery code."
            }
        }
    }

    /// Whether it takes a password.
    pub fn password_use(self) -> PasswordUse {
        match self.kind {
            ExportKind::TesseraBackup => PasswordUse::Required,
            ExportKind::File(e) => e.password_use(),
            ExportKind::GoogleQrSeries | ExportKind::Paper => PasswordUse::Never,
        }
    }

    /// The file name extension of what it writes (none for QR series).
    pub fn extension(self) -> Option<&'static str> {
        match self.kind {
            ExportKind::TesseraBackup => Some("tessera"),
            ExportKind::File(e) => Some(e.extension()),
            ExportKind::GoogleQrSeries => None,
            ExportKind::Paper => Some("pdf"),
        }
    }

    /// Whether what it writes is binary (not for a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self.kind, ExportKind::TesseraBackup | ExportKind::Paper)
    }
}

/// An export made, ready to be written.
pub struct Exported {
    /// The file's bytes (wiped when dropped: they may hold secrets).
    pub bytes: Zeroizing<Vec<u8>>,
    /// Whether they are encrypted.
    pub encrypted: bool,
    /// How many accounts are in it.
    pub accounts: usize,
    /// What the user must be told: accounts left out and why, warnings.
    pub notes: Vec<String>,
}

impl std::fmt::Debug for Exported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exported")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("encrypted", &self.encrypted)
            .field("accounts", &self.accounts)
            .field("notes", &self.notes)
            .finish()
    }
}

/// Writes the vault's `contents` in a file format (not the QR series: see
/// [`google_series`]). A format that can encrypt does so when `password`
/// is given; the Tessera backup needs one. `now` dates the paper and the
/// backup.
pub fn export(
    format: ExportFormat,
    contents: &Contents,
    password: Option<&Password>,
    now: u64,
) -> Result<Exported, CoreError> {
    if contents.accounts.is_empty() && contents.recovery.is_empty() {
        return Err(CoreError::invalid("there are no accounts to export"));
    }
    let accounts = contents.accounts.len();
    match format.kind {
        ExportKind::TesseraBackup => {
            let password = password.ok_or_else(|| {
                CoreError::invalid("a Tessera backup is always encrypted: a password is needed")
            })?;
            let bytes = make_backup(contents, password, KdfParams::DEFAULT, now)?;
            Ok(Exported {
                bytes: Zeroizing::new(bytes),
                encrypted: true,
                accounts,
                notes: Vec::new(),
            })
        }
        ExportKind::File(exporter) => {
            let password = match exporter.password_use() {
                PasswordUse::Never => None,
                _ => password,
            };
            let output = exporter.export(&entries_of(contents), password)?;
            let mut notes: Vec<String> = output
                .skipped
                .iter()
                .map(|skipped| format!("not exported: {skipped}"))
                .collect();
            notes.extend(output.warnings.iter().map(|w| format!("warning: {w}")));
            Ok(Exported {
                accounts: accounts - output.skipped.len(),
                bytes: output.bytes,
                encrypted: output.encrypted,
                notes,
            })
        }
        ExportKind::Paper => Ok(Exported {
            bytes: paper_backup(contents, &paper::utc_date(now))?,
            encrypted: false,
            accounts,
            notes: vec![
                "Print it, keep the paper locked away, then delete this file: it holds your \
                 secrets and recovery codes in the clear."
                    .to_owned(),
            ],
        }),
        ExportKind::GoogleQrSeries => Err(CoreError::invalid(
            "Google Authenticator's export is a series of QR codes",
        )),
    }
}

/// Google Authenticator's series of QR codes for the vault's accounts,
/// with the accounts it cannot hold and the caveats as notes.
pub fn google_series(
    contents: &Contents,
) -> Result<(google_migration::MigrationExport, Vec<String>), CoreError> {
    let series = google_migration::export(&entries_of(contents))?;
    let mut notes: Vec<String> = series
        .skipped
        .iter()
        .map(|e: &EntryError| format!("not exported: {e}"))
        .collect();
    notes.extend(series.caveats.iter().map(|e| format!("warning: {e}")));
    if series.batches.is_empty() {
        return Err(CoreError::Invalid(format!(
            "Google Authenticator can hold none of these accounts ({})",
            notes.join("; ")
        )));
    }
    Ok((series, notes))
}

/// The paper backup of a whole vault: every account with its unused
/// recovery codes, then every service that has unused recovery codes but no
/// account. `printed_on` is printed as given.
pub fn paper_backup(
    contents: &Contents,
    printed_on: &str,
) -> Result<Zeroizing<Vec<u8>>, CoreError> {
    // Copies of codes are wiped on drop.
    let unused = |codes: &tessera_otp::RecoveryCodes| -> Zeroizing<Vec<String>> {
        Zeroizing::new(
            codes
                .codes()
                .iter()
                .filter(|c| c.is_unused())
                .map(|c| c.code().to_owned())
                .collect(),
        )
    };
    let account_codes: Vec<Zeroizing<Vec<String>>> = contents
        .accounts
        .iter()
        .map(|a| {
            contents
                .recovery_for_account(&a.id)
                .map(|entry| unused(&entry.codes))
                .unwrap_or_default()
        })
        .collect();
    let accounts: Vec<paper::PaperAccount> = contents
        .accounts
        .iter()
        .zip(&account_codes)
        .map(|(a, codes)| paper::PaperAccount {
            enrollment: &a.enrollment,
            recovery_codes: codes,
        })
        .collect();
    // Services, and accounts removed while their codes were kept.
    let kept_apart = services_of(contents);
    let service_codes: Vec<(&tessera_transfer::ServiceRecovery, Zeroizing<Vec<String>>)> =
        kept_apart
            .iter()
            .map(|service| (service, unused(&service.codes)))
            .filter(|(_, codes)| !codes.is_empty())
            .collect();
    let services: Vec<paper::PaperService> = service_codes
        .iter()
        .map(|(service, codes)| paper::PaperService {
            issuer: &service.issuer,
            name: &service.name,
            recovery_codes: codes,
        })
        .collect();
    Ok(paper::paper_backup_pdf(&accounts, &services, printed_on)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{uri, RecoveryCodes};
    use tessera_vault::{Account, RecoveryEntry, RecoveryOwner};

    #[test]
    fn every_format_is_listed_once_with_a_description() {
        let ids: Vec<&str> = export_formats().into_iter().map(|f| f.id()).collect();
        assert_eq!(
            ids,
            [
                "tessera",
                "aegis",
                "otpauth-uris",
                "kdbx",
                "google",
                "paper"
            ]
        );
        for format in export_formats() {
            assert_eq!(export_format(format.id()).unwrap().id(), format.id());
            assert!(format.description().ends_with('.'), "{}", format.id());
        }
        assert_eq!(export_format("uris").unwrap().id(), "otpauth-uris");
        assert!(export_format("bitwarden").is_none());
        let mut import = import_ids();
        assert_eq!(import[0], "tessera");
        let count = import.len();
        import.sort_unstable();
        import.dedup();
        assert_eq!(import.len(), count, "import ids are unique");
    }

    #[test]
    fn unknown_files_and_formats_are_one_clear_line() {
        let error = read_import(b"hello world", None, None, None).unwrap_err();
        assert!(error.to_string().contains("Aegis"), "{error}");
        let error = read_import(b"x", Some("nope"), None, None).unwrap_err();
        assert!(
            error.to_string().contains("known formats: tessera"),
            "{error}"
        );
    }

    fn codes(list: &[&str], used: &[&str]) -> RecoveryCodes {
        let mut codes = RecoveryCodes::new(false, "");
        codes
            .add(
                list.iter().map(|c| Zeroizing::new(c.to_string())).collect(),
                1,
            )
            .unwrap();
        for code in used {
            codes.use_code(code, 2).unwrap();
        }
        codes
    }

    /// Every unused recovery code of the vault is on paper: an account's
    /// beside its QR code, a service's without one, and those of a removed
    /// account too; used codes are not.
    #[test]
    fn a_vault_backup_holds_every_unused_recovery_code() {
        let mut contents = Contents::default();
        let github = uri::parse("otpauth://totp/GitHub:nia?secret=JBSWY3DPEHPK3PXP&issuer=GitHub");
        let account = Account::new(github.unwrap(), 1).unwrap();
        let owner = RecoveryOwner::Account {
            account_id: account.id.clone(),
        };
        contents.recovery.push(
            RecoveryEntry::new(owner, codes(&["gh-1111", "gh-2222"], &["gh-1111"]), 1).unwrap(),
        );
        contents.accounts.push(account);
        let service = RecoveryOwner::Service {
            issuer: "Bank".into(),
            name: "nia@bank".into(),
        };
        contents
            .recovery
            .push(RecoveryEntry::new(service, codes(&["bank-3333"], &[]), 1).unwrap());
        let gone = RecoveryOwner::Account {
            account_id: tessera_vault::AccountId::parse("0000").unwrap(),
        };
        contents
            .recovery
            .push(RecoveryEntry::new(gone, codes(&["old-4444"], &[]), 1).unwrap());
        let spent = RecoveryOwner::Service {
            issuer: "Spent".into(),
            name: String::new(),
        };
        contents
            .recovery
            .push(RecoveryEntry::new(spent, codes(&["sp-5555"], &["sp-5555"]), 1).unwrap());

        let pdf = paper_backup(&contents, "2026-11-23").unwrap();
        let text = String::from_utf8_lossy(&pdf);
        for present in [
            "GitHub",
            "gh-2222",
            "Bank",
            "nia@bank",
            "bank-3333",
            "old-4444",
        ] {
            assert!(text.contains(present), "{present} is on the page");
        }
        for absent in ["gh-1111", "Spent", "sp-5555"] {
            assert!(!text.contains(absent), "{absent} is not");
        }
        assert!(text.contains("recovery codes only"));
        // One secret: the account's; services have none.
        assert_eq!(text.matches("Secret (base32):").count(), 1);
    }
}
