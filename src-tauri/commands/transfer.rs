//! Import from other authenticators' backups and export to them, through
//! tessera-transfer. An imported file's accounts join what scans found
//! (`scan::Pending`), so the user picks them from the same list; an export
//! is written by Rust into the user's documents, never handed to the
//! webview.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::AppHandle;
use tessera_otp::Zeroizing;
use tessera_transfer::formats::tessera_backup;
use tessera_transfer::paper::{utc_date, vault_paper_backup};
use tessera_transfer::{google_migration, Entry, Exporter, ImportError, Password, PasswordUse};
use tessera_vault::Contents;

use crate::commands::scan::{result, Pending, ScanResult};
use crate::limits::MAX_PASSWORD_BYTES;
use crate::state::{blocking, system_seconds, Session};

/// The largest backup file accepted (tessera-transfer's own cap).
pub const MAX_IMPORT_BYTES: usize = tessera_transfer::MAX_IMPORT_LEN as usize;

/// What reading a file gave.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// The file is encrypted: ask for its password and call
    /// `import_password`.
    pub needs_password: bool,
    /// The format, once known.
    pub format: Option<String>,
    /// The accounts to pick from (when no password is needed).
    pub result: Option<ScanResult>,
}

fn read(session: &mut Session, password: Option<&Password>) -> Result<ImportOutcome, String> {
    let pending = session.pending.get_or_insert_with(Pending::default);
    let bytes = pending.file.clone().ok_or("open the file again")?;
    match tessera_transfer::import(&bytes, password) {
        Ok((importer, report)) => {
            pending.file = None;
            pending.errors = report.errors.iter().map(ToString::to_string).collect();
            pending.services = report.services;
            for entry in report.entries {
                let known = pending
                    .singles
                    .iter()
                    .any(|e| e.enrollment == entry.enrollment);
                if !known {
                    pending.singles.push(entry);
                }
            }
            if pending.singles.is_empty() {
                return Err(format!(
                    "the {} file holds no account Tessera can use{}",
                    importer.name(),
                    pending
                        .errors
                        .first()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ));
            }
            Ok(ImportOutcome {
                needs_password: false,
                format: Some(importer.name().to_owned()),
                result: Some(result(session, Vec::new())),
            })
        }
        Err(ImportError::PasswordRequired { .. }) if password.is_none() => Ok(ImportOutcome {
            needs_password: true,
            format: tessera_transfer::detect(&bytes).map(|i| i.name().to_owned()),
            result: None,
        }),
        Err(e) => {
            // A wrong password keeps the file, so the user can try again.
            if !matches!(
                e,
                ImportError::WrongPassword { .. } | ImportError::WrongPasswordOrDamaged { .. }
            ) {
                pending.file = None;
            }
            Err(e.to_string())
        }
    }
}

/// Reads a backup file sent as the raw request body (another app's export,
/// a URI list, a Tessera backup). Encrypted files answer `needsPassword`.
#[tauri::command]
pub async fn import_file(app: AppHandle, request: Request<'_>) -> Result<ImportOutcome, String> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err("send the file's bytes".to_owned());
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "the file is {} MB, more than the {} MB an authenticator export can be",
            bytes.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let bytes = Zeroizing::new(bytes.clone());
    blocking(app, move |state| {
        state.with_session(|s| {
            s.pending.get_or_insert_with(Pending::default).file = Some(bytes);
            read(s, None)
        })
    })
    .await
}

/// Tries the waiting file again with its password.
#[tauri::command]
pub async fn import_password(app: AppHandle, password: String) -> Result<ImportOutcome, String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    let password = Password::from(password);
    // Key derivation of some formats takes a while: off the UI thread.
    blocking(app, move |state| {
        state.with_session(|s| read(s, Some(&password)))
    })
    .await
}

/// What the app can export to, in the order the dialog lists them.
#[derive(Clone, Copy)]
enum Target {
    /// Tessera's own encrypted backup: accounts and recovery codes.
    TesseraBackup,
    /// A file format of tessera-transfer's registry (Aegis, URI list).
    File(&'static dyn Exporter),
    /// A Google Authenticator migration series of QR codes.
    GoogleSeries,
    /// The printable PDF.
    Paper,
}

impl Target {
    fn all() -> Vec<Target> {
        let mut all = vec![Target::TesseraBackup];
        all.extend(
            tessera_transfer::exporters()
                .iter()
                .map(|e| Target::File(*e)),
        );
        all.extend([Target::GoogleSeries, Target::Paper]);
        all
    }

    fn find(id: &str) -> Option<Target> {
        Target::all().into_iter().find(|t| t.id() == id)
    }

    fn id(self) -> &'static str {
        match self {
            Target::TesseraBackup => "tessera",
            Target::File(e) => e.id(),
            Target::GoogleSeries => "google",
            Target::Paper => "paper",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Target::TesseraBackup => "Tessera backup",
            Target::File(e) => e.name(),
            Target::GoogleSeries => "Google Authenticator (QR codes)",
            Target::Paper => "Paper backup (PDF to print)",
        }
    }

    fn password_use(self) -> PasswordUse {
        match self {
            Target::TesseraBackup => PasswordUse::Required,
            Target::File(e) => e.password_use(),
            Target::GoogleSeries | Target::Paper => PasswordUse::Never,
        }
    }

    /// What the export holds and who reads it, for the dialog.
    fn description(self) -> &'static str {
        match self {
            Target::TesseraBackup => {
                "Every account and recovery code, encrypted with the password you choose. \
                 Tessera opens it with Import."
            }
            Target::File(e) if e.id() == "aegis" => {
                "An Aegis vault that Aegis (Android) imports. Recovery codes are not included."
            }
            Target::File(_) => {
                "One otpauth:// link a line, which Ente Auth and most authenticators import. \
                 Recovery codes are not included."
            }
            Target::GoogleSeries => {
                "QR codes to scan with Google Authenticator (Transfer accounts, Import \
                 accounts). Shown here one by one, or saved as images."
            }
            Target::Paper => {
                "A PDF to print and keep locked away: each account's QR code and secret, \
                 and every unused recovery code."
            }
        }
    }
}

/// A format Tessera can write.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFormat {
    /// Its identifier.
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// What it holds and what reads it.
    pub description: String,
    /// `required`, `optional` or `never`.
    pub password: String,
    /// `file` (written by `export_file`) or `qr-series` (made by
    /// `export_google`).
    pub kind: String,
}

/// The formats an export can be written in.
#[tauri::command]
pub fn export_formats() -> Vec<ExportFormat> {
    Target::all()
        .into_iter()
        .map(|t| ExportFormat {
            id: t.id().to_owned(),
            name: t.name().to_owned(),
            description: t.description().to_owned(),
            password: match t.password_use() {
                PasswordUse::Required => "required",
                PasswordUse::Optional => "optional",
                PasswordUse::Never => "never",
            }
            .to_owned(),
            kind: match t {
                Target::GoogleSeries => "qr-series",
                _ => "file",
            }
            .to_owned(),
        })
        .collect()
}

/// What an export wrote.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// The file written.
    pub path: String,
    /// Accounts written.
    pub accounts: usize,
    /// Whether the file is encrypted.
    pub encrypted: bool,
    /// Accounts the format could not hold, and what else to know.
    pub notes: Vec<String>,
}

/// Where exports go: the documents folder, else the home folder.
fn export_folder() -> Result<PathBuf, String> {
    dirs::document_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
        .ok_or_else(|| "there is no documents or home folder to write the export to".to_owned())
}

/// A name not taken yet in `folder`: `tessera-export-DAY[-N]` plus
/// `.extension` (none for a folder).
fn free_name(folder: &Path, extension: Option<&str>, now: u64) -> PathBuf {
    let day = utc_date(now);
    (1..)
        .map(|n| {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            let dot_extension = extension.map(|e| format!(".{e}")).unwrap_or_default();
            folder.join(format!("tessera-export-{day}{suffix}{dot_extension}"))
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("an unbounded search finds a free name")
}

/// A copy of the vault's contents, taken under the session lock so that
/// slow work (key derivation, PDF layout) runs without holding it.
fn vault_contents(state: &crate::state::AppState) -> Result<Contents, String> {
    let contents = state.with_session(|s| Ok(s.vault.contents().clone()))?;
    if contents.accounts.is_empty() {
        return Err("there are no accounts to export".to_owned());
    }
    Ok(contents)
}

/// Writes every account in `format` to a new file in the user's documents
/// (never over an existing file) and says where.
#[tauri::command]
pub async fn export_file(
    app: AppHandle,
    format: String,
    password: Option<String>,
) -> Result<Exported, String> {
    if password
        .as_ref()
        .is_some_and(|p| p.len() > MAX_PASSWORD_BYTES)
    {
        return Err(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    let target = Target::find(&format)
        .ok_or_else(|| format!("Tessera cannot write the format {format:?}"))?;
    let password = match target.password_use() {
        PasswordUse::Never => None,
        _ => password.filter(|p| !p.is_empty()).map(Password::from),
    };
    if target.password_use() == PasswordUse::Required && password.is_none() {
        return Err(format!("a {} export needs a password", target.name()));
    }
    blocking(app, move |state| {
        let contents = vault_contents(state)?;
        let now = system_seconds();
        let accounts = contents.accounts.len();
        let (bytes, extension, written, encrypted, notes) = match target {
            Target::TesseraBackup => {
                let password = password.as_ref().expect("checked above");
                let bytes = tessera_backup::export_contents(
                    contents,
                    password,
                    tessera_vault::KdfParams::DEFAULT,
                    now,
                )
                .map_err(|e| e.to_string())?;
                (Zeroizing::new(bytes), "tessera", accounts, true, Vec::new())
            }
            Target::File(exporter) => {
                let output = exporter
                    .export(&Entry::all_of(&contents), password.as_ref())
                    .map_err(|e| e.to_string())?;
                let mut notes: Vec<String> =
                    output.skipped.iter().map(ToString::to_string).collect();
                notes.extend(output.warnings.iter().cloned());
                (
                    output.bytes,
                    exporter.extension(),
                    accounts - output.skipped.len(),
                    output.encrypted,
                    notes,
                )
            }
            Target::Paper => {
                let pdf =
                    vault_paper_backup(&contents, &utc_date(now)).map_err(|e| e.to_string())?;
                let note = "Print it, keep the paper locked away, then delete this file: \
                            it holds your secrets and recovery codes in the clear."
                    .to_owned();
                (pdf, "pdf", accounts, false, vec![note])
            }
            Target::GoogleSeries => {
                return Err("Google Authenticator's export is a series of QR codes".to_owned())
            }
        };
        let path = free_name(&export_folder()?, Some(extension), now);
        write_private(&path, &bytes)?;
        Ok(Exported {
            path: path.display().to_string(),
            accounts: written,
            encrypted,
            notes,
        })
    })
    .await
}

/// A Google Authenticator migration series.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GoogleExport {
    /// The QR codes as PNG `data:` URLs, in order, when shown; empty when
    /// saved.
    pub images: Vec<String>,
    /// The folder the images were saved in, when saved.
    pub folder: Option<String>,
    /// Accounts in the series.
    pub accounts: usize,
    /// How many QR codes the series has.
    pub codes: usize,
    /// Accounts Google Authenticator cannot hold (left out) or may not
    /// honour, with why.
    pub notes: Vec<String>,
}

/// Writes every account Google Authenticator can hold as a migration
/// series of QR codes, and either hands them to the page to show (the user
/// chose this export and was warned they hold the secrets) or, with
/// `save`, writes them as PNG images to a new folder in the documents.
#[tauri::command]
pub async fn export_google(app: AppHandle, save: bool) -> Result<GoogleExport, String> {
    use base64::Engine;
    blocking(app, move |state| {
        let contents = vault_contents(state)?;
        let series =
            google_migration::export(&Entry::all_of(&contents)).map_err(|e| e.to_string())?;
        let mut notes: Vec<String> = series
            .skipped
            .iter()
            .map(|e| format!("not exported: {e}"))
            .collect();
        notes.extend(series.caveats.iter().map(ToString::to_string));
        let accounts = contents.accounts.len() - series.skipped.len();
        if series.batches.is_empty() {
            return Err(format!(
                "Google Authenticator can hold none of these accounts ({})",
                notes.join("; ")
            ));
        }
        let mut images = Vec::new();
        let mut folder = None;
        if save {
            let dir = free_name(&export_folder()?, None, system_seconds());
            create_private_dir(&dir)?;
            for batch in &series.batches {
                let path = dir.join(format!(
                    "google-export-{}-of-{}.png",
                    batch.batch_index + 1,
                    batch.batch_size
                ));
                write_private(&path, &batch.qr_png().map_err(|e| e.to_string())?)?;
            }
            folder = Some(dir.display().to_string());
        } else {
            for batch in &series.batches {
                let png = batch.qr_png().map_err(|e| e.to_string())?;
                images.push(format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&*png)
                ));
            }
        }
        Ok(GoogleExport {
            images,
            folder,
            accounts,
            codes: series.batches.len(),
            notes,
        })
    })
    .await
}

/// Creates the folder `path` (never an existing one) for its owner only.
fn create_private_dir(path: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Creates `path` (never replacing a file) readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_target_is_listed_once_with_a_description() {
        let ids: Vec<&str> = Target::all().into_iter().map(Target::id).collect();
        assert_eq!(ids, ["tessera", "aegis", "otpauth-uris", "google", "paper"]);
        for target in Target::all() {
            assert!(Target::find(target.id()).is_some());
            assert!(target.description().ends_with('.'), "{}", target.id());
        }
        assert!(Target::find("bitwarden").is_none());
    }

    #[test]
    fn export_names_never_reuse_a_file_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_795_392_000;
        let first = free_name(dir.path(), Some("pdf"), now);
        assert_eq!(first.file_name().unwrap(), "tessera-export-2026-11-23.pdf");
        std::fs::write(&first, b"x").unwrap();
        let second = free_name(dir.path(), Some("pdf"), now);
        assert_eq!(
            second.file_name().unwrap(),
            "tessera-export-2026-11-23-2.pdf"
        );
        let folder = free_name(dir.path(), None, now);
        assert_eq!(folder.file_name().unwrap(), "tessera-export-2026-11-23");
        create_private_dir(&folder).unwrap();
        assert!(
            create_private_dir(&folder).is_err(),
            "never an existing folder"
        );
        assert_eq!(
            free_name(dir.path(), None, now).file_name().unwrap(),
            "tessera-export-2026-11-23-2"
        );
    }
}
