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
use tessera_transfer::{Entry, ImportError, Password, PasswordUse};

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

/// A format Tessera can write.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFormat {
    /// Its identifier.
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// `required`, `optional` or `never`.
    pub password: String,
}

/// The formats an export can be written in.
#[tauri::command]
pub fn export_formats() -> Vec<ExportFormat> {
    tessera_transfer::exporters()
        .iter()
        .map(|e| ExportFormat {
            id: e.id().to_owned(),
            name: e.name().to_owned(),
            password: match e.password_use() {
                PasswordUse::Required => "required",
                PasswordUse::Optional => "optional",
                PasswordUse::Never => "never",
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

/// A file name not taken yet in `folder`.
fn free_name(folder: &Path, extension: &str) -> PathBuf {
    let day = system_seconds() / 86_400;
    (1..)
        .map(|n| {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            folder.join(format!("tessera-export-{day}{suffix}.{extension}"))
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("an unbounded search finds a free name")
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
    let exporter = tessera_transfer::exporter(&format)
        .ok_or_else(|| format!("Tessera cannot write the format {format:?}"))?;
    let password = password.filter(|p| !p.is_empty()).map(Password::from);
    if exporter.password_use() == PasswordUse::Required && password.is_none() {
        return Err(format!("a {} export needs a password", exporter.name()));
    }
    blocking(app, move |state| {
        let entries: Vec<Entry> = state.with_session(|s| {
            Ok(s.vault
                .contents()
                .accounts
                .iter()
                .map(|a| Entry {
                    enrollment: a.enrollment.clone(),
                    notes: a.notes.clone(),
                    favourite: a.favourite,
                    tags: a.tags.clone(),
                })
                .collect())
        })?;
        if entries.is_empty() {
            return Err("there are no accounts to export".to_owned());
        }
        let output = exporter
            .export(&entries, password.as_ref())
            .map_err(|e| e.to_string())?;
        let folder = export_folder()?;
        let path = free_name(&folder, exporter.extension());
        write_private(&path, &output.bytes)?;
        let mut notes: Vec<String> = output.skipped.iter().map(ToString::to_string).collect();
        notes.extend(output.warnings.iter().cloned());
        Ok(Exported {
            path: path.display().to_string(),
            accounts: entries.len() - output.skipped.len(),
            encrypted: output.encrypted,
            notes,
        })
    })
    .await
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
