//! Import from other authenticators' backups and export to them, through
//! tessera-core's one registry of formats (the command line reads the
//! same). An imported file's accounts join what scans found (the session's
//! inbox), so the user picks them from the same list and they are taken in
//! by the same rule as `tessera import`; an export is written by Rust where
//! the user says in a native save dialog (`crate::folder_chooser`, starting
//! in their documents; Google Authenticator pictures in a folder the user
//! picks), private to the user, never handed to the page.
//! An export in the clear (and the Google Authenticator QR codes, saved or
//! shown) needs the user's yes in a native dialog first (`crate::confirm`).

use std::path::PathBuf;

use serde::Deserialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::AppHandle;
use tessera_core::disclosure::Disclosure;
use tessera_core::files::{create_private_dir, free_name, write_private_file};
use tessera_core::formats::{
    detect, export, export_format, google_series, read_import, ExportFormat, ExportKind,
};
use tessera_core::limits::check_password;
use tessera_core::ErrorKind;
use tessera_otp::Zeroizing;
use tessera_transfer::{Password, PasswordUse};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, system_seconds, AppState, Session};
use crate::views::{ExportFormatView, Exported, GoogleExport, ImportOutcome, ScanResult};
use crate::{confirm, folder_chooser};

/// The largest file read for import (tessera-transfer's cap).
pub const MAX_IMPORT_BYTES: usize = tessera_transfer::MAX_IMPORT_LEN as usize;

/// Reads an import file with `password`; its accounts join the inbox. The
/// file is read (its key derived, for an encrypted one: up to seconds of
/// Argon2 or scrypt) without holding the session, so codes, copying,
/// locking and the auto-lock go on meanwhile. A file that needs a password
/// (or got a wrong one) waits in the session for the next try.
fn read(
    state: &AppState,
    bytes: Zeroizing<Vec<u8>>,
    password: Option<&Password>,
    key_file: Option<&[u8]>,
) -> CommandResult<ImportOutcome> {
    let result = read_import(&bytes, None, password, key_file);
    state.with_session(|session| match result {
        Ok(file) => {
            let errors: Vec<String> = file.report.errors.iter().map(ToString::to_string).collect();
            session.inbox.take_import(file.report);
            if session.inbox.is_empty() {
                return Err(CommandError::invalid(format!(
                    "the {} file holds no account Tessera can use{}",
                    file.format,
                    errors
                        .first()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                )));
            }
            Ok(ImportOutcome {
                needs_password: false,
                takes_key_file: false,
                format: Some(file.format.to_owned()),
                result: Some(ScanResult::of(
                    &session.inbox,
                    session.contents(),
                    Vec::new(),
                )),
            })
        }
        Err(error)
            if error.kind() == ErrorKind::PasswordRequired
                && password.is_none()
                && key_file.is_none() =>
        {
            let importer = detect(&bytes);
            let format = importer.map(|i| i.name().to_owned());
            let takes_key_file = importer.is_some_and(|i| i.takes_key_file());
            wait_for_password(session, bytes);
            Ok(ImportOutcome {
                needs_password: true,
                takes_key_file,
                format,
                result: None,
            })
        }
        Err(error) => {
            // A wrong password keeps the file, so the user can try again.
            if error.kind() == ErrorKind::WrongPassword {
                wait_for_password(session, bytes);
            }
            Err(error.into())
        }
    })
}

/// Keeps `bytes` as the file waiting for its password, unless another file
/// was opened while they were read (the newer one waits then).
fn wait_for_password(session: &mut Session, bytes: Zeroizing<Vec<u8>>) {
    if session.import_file.is_none() {
        session.import_file = Some(bytes);
    }
}

/// Reads a backup file's bytes, sent as the raw request body.
#[tauri::command]
pub async fn import_file(app: AppHandle, request: Request<'_>) -> CommandResult<ImportOutcome> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::invalid("send the file's bytes"));
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(CommandError::invalid(format!(
            "the file is {} MB, more than the {} MB an authenticator export can be",
            bytes.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    let bytes = Zeroizing::new(bytes.clone());
    blocking(app, move |state| {
        // A file opened replaces one still waiting for its password.
        state.with_session(|s| {
            s.import_file = None;
            Ok(())
        })?;
        read(state, bytes, None, None)
    })
    .await
}

/// The password of the file waiting to be imported.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPassword {
    /// The password; empty when a key file alone opens the file.
    pub password: String,
    /// The bytes of the key file the user chose (KeePass), if any.
    #[serde(default)]
    #[ts(optional)]
    pub key_file: Option<Vec<u8>>,
}

/// The largest key file read: KeePass key files are a few hundred bytes,
/// but any file may serve as one (its hash is the key).
const MAX_KEY_FILE_BYTES: usize = 1024 * 1024;

/// Reads the waiting file with its password.
#[tauri::command]
pub async fn import_password(
    app: AppHandle,
    request: ImportPassword,
) -> CommandResult<ImportOutcome> {
    let ImportPassword { password, key_file } = request;
    let key_file = key_file.map(Zeroizing::new);
    if key_file
        .as_ref()
        .is_some_and(|k| k.is_empty() || k.len() > MAX_KEY_FILE_BYTES)
    {
        return Err(CommandError::invalid(format!(
            "a key file must hold 1 byte to {} KB",
            MAX_KEY_FILE_BYTES / 1024
        )));
    }
    // A KeePass database may be opened by its key file alone.
    let password = if password.is_empty() && key_file.is_some() {
        None
    } else {
        check_password(&password)?;
        Some(Password::from(password))
    };
    // Key derivation of some formats takes a while: off the UI thread, and
    // outside the session (`read`).
    blocking(app, move |state| {
        let bytes = state.with_session(|s| {
            s.import_file
                .take()
                .ok_or_else(|| CommandError::invalid("open the file again"))
        })?;
        read(
            state,
            bytes,
            password.as_ref(),
            key_file.as_deref().map(|k| &k[..]),
        )
    })
    .await
}

/// The export formats, as the core's registry lists them.
#[tauri::command]
pub async fn export_formats(_app: AppHandle) -> CommandResult<Vec<ExportFormatView>> {
    Ok(tessera_core::formats::export_formats()
        .into_iter()
        .map(|format| ExportFormatView {
            id: format.id().to_owned(),
            name: format.name().to_owned(),
            description: format.description().to_owned(),
            password: match format.password_use() {
                PasswordUse::Required => "required",
                PasswordUse::Optional => "optional",
                PasswordUse::Never => "never",
            }
            .to_owned(),
            kind: match format.kind() {
                ExportKind::GoogleQrSeries => "qr-series",
                _ => "file",
            }
            .to_owned(),
        })
        .collect())
}

/// The user's documents folder (or home), where exports go.
fn export_folder() -> CommandResult<PathBuf> {
    dirs::document_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
        .ok_or_else(|| {
            CommandError::invalid("there is no documents or home folder to write the export to")
        })
}

/// A vault's contents to export (a copy, so the session is not held while
/// a key is derived). An export in the clear (`plain`, named by its
/// format) is made only once the user says yes outside the page.
fn contents_to_export(
    app: &AppHandle,
    state: &AppState,
    plain: Option<ExportFormat>,
) -> CommandResult<tessera_vault::Contents> {
    let copy = |s: &mut Session| Ok(s.contents().clone());
    match plain {
        Some(format) => {
            let disclosure = Disclosure::PlainExport {
                format: format.name().to_owned(),
            };
            confirm::after_yes(app, state, &disclosure, copy)
        }
        None => state.with_session(copy),
    }
}

/// A file export: its format and, for encrypted ones, the password.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportFile {
    /// The format's id.
    pub format: String,
    /// The export password (encrypted formats).
    pub password: Option<String>,
}

/// Writes an export as `path`, readable by the user only: a new file, or
/// in place of the one there (the save dialog asked before replacing it).
fn write_export(path: &std::path::Path, bytes: &[u8]) -> CommandResult<()> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(write_private_file(path, bytes)?);
    }
    tessera_core::local::replace_private(path, bytes)
        .map_err(|e| CommandError::invalid(format!("cannot write {}: {e}", path.display())))
}

/// Writes every account in a file format to a file the user picks in a
/// native save dialog (starting in their documents, with a fresh name
/// suggested), readable by the user only. Cancelling writes nothing.
#[tauri::command]
pub async fn export_file(app: AppHandle, request: ExportFile) -> CommandResult<Exported> {
    let format = export_format(&request.format).ok_or_else(|| {
        CommandError::invalid(format!(
            "Tessera cannot write the format {:?}",
            request.format
        ))
    })?;
    if let Some(password) = &request.password {
        if !password.is_empty() {
            check_password(password)?;
        }
    }
    let password = match format.password_use() {
        PasswordUse::Never => None,
        _ => request
            .password
            .filter(|p| !p.is_empty())
            .map(Password::from),
    };
    if format.password_use() == PasswordUse::Required && password.is_none() {
        return Err(CommandError::invalid(format!(
            "a {} export needs a password",
            format.name()
        )));
    }
    // Written in the clear: no password, whether the format takes none or
    // the user gave none.
    let plain = password.is_none().then_some(format);
    let handle = app.clone();
    blocking(app, move |state| {
        let contents = contents_to_export(&handle, state, plain)?;
        let now = system_seconds();
        let folder = export_folder()?;
        let suggested = free_name(&folder, "tessera-export", format.extension(), now);
        let name = suggested
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(path) = folder_chooser::save_as(&handle, "Export", Some(folder), &name)? else {
            return Err(CommandError {
                kind: ErrorKind::Declined,
                message: "no file was chosen: nothing was exported".to_owned(),
            });
        };
        let exported = export(format, &contents, password.as_ref(), now)?;
        write_export(&path, &exported.bytes)?;
        Ok(Exported {
            path: path.display().to_string(),
            accounts: exported.accounts,
            encrypted: exported.encrypted,
            notes: exported.notes,
        })
    })
    .await
}

/// Whether to save the QR codes as files or show them.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportGoogle {
    /// Save PNG files to a new private folder instead of showing them.
    pub save: bool,
}

/// A Google Authenticator migration series of every account it can hold:
/// returned as images to show (they hold the secrets) or, with `save`,
/// written as PNG files to a new private folder inside the one the user
/// picks in a folder chooser.
#[tauri::command]
pub async fn export_google(app: AppHandle, request: ExportGoogle) -> CommandResult<GoogleExport> {
    use base64::Engine;
    let google = export_format("google").ok_or_else(|| {
        CommandError::invalid("Tessera cannot write Google Authenticator's format")
    })?;
    let handle = app.clone();
    blocking(app, move |state| {
        let contents = contents_to_export(&handle, state, Some(google))?;
        let (series, notes) = google_series(&contents)?;
        let accounts = series.batches.iter().map(|b| b.entry_indices.len()).sum();
        let mut images = Vec::new();
        let mut folder = None;
        let png = |batch: &tessera_transfer::google_migration::MigrationQrCode| {
            batch
                .qr_png()
                .map_err(|e| CommandError::invalid(e.to_string()))
        };
        if request.save {
            // The pictures go in a new private folder inside the one the
            // user picks (the documents folder offered first).
            let Some(parent) = folder_chooser::choose(
                &handle,
                "choose where the QR pictures go",
                Some(export_folder()?),
            )?
            else {
                return Err(CommandError {
                    kind: ErrorKind::Declined,
                    message: "no folder was chosen: nothing was exported".to_owned(),
                });
            };
            let dir = free_name(&parent, "tessera-export", None, system_seconds());
            create_private_dir(&dir)?;
            for batch in &series.batches {
                let path = dir.join(format!(
                    "google-export-{}-of-{}.png",
                    batch.batch_index + 1,
                    batch.batch_size
                ));
                write_private_file(&path, &png(batch)?)?;
            }
            folder = Some(dir.display().to_string());
        } else {
            for batch in &series.batches {
                images.push(format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&*png(batch)?)
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
