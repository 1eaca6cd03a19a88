//! Automatic encrypted backups, as Settings offers them: on (to a folder
//! the user picks in the native chooser, never one the page names), off,
//! how many are kept, and restoring one of those in the folder. The core
//! writes a backup after every change, whichever front end made it.

use std::path::PathBuf;

use serde::Deserialize;
use tauri::AppHandle;
use tessera_core::backups::{DEFAULT_KEEP, MAX_KEEP};
use tessera_core::limits::check_password;
use tessera_vault::Password;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::folder_chooser;
use crate::state::{blocking, system_seconds, AppState, Session};
use crate::views::{BackupStatus, BackupView, Restored};

/// The backups as Settings shows them.
fn status(s: &Session) -> BackupStatus {
    let choice = s.vault.backup_choice();
    BackupStatus {
        enabled: choice.is_some(),
        folder: choice.as_ref().map(|c| c.folder.display().to_string()),
        keep: choice.as_ref().map_or(DEFAULT_KEEP, |c| c.keep),
        max_keep: MAX_KEEP,
        last_backup: s.vault.last_backup(),
        problem: s.vault.backup_problem().map(str::to_owned),
    }
}

/// Whether backups are on, where, and when the last was written.
#[tauri::command]
pub async fn backup_status(app: AppHandle) -> CommandResult<BackupStatus> {
    blocking(app, |state| state.with_session(|s| Ok(status(s)))).await
}

/// How many backups to keep.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackupKeep {
    /// 1 to the core's `MAX_KEEP`.
    pub keep: usize,
}

/// Asks for the backup folder in the native chooser (starting at the one
/// in use), then turns backups on there, keeping `keep`, and writes one at
/// once. A cancelled chooser changes nothing.
#[tauri::command]
pub async fn enable_backups(app: AppHandle, request: BackupKeep) -> CommandResult<BackupStatus> {
    let handle = app.clone();
    blocking(app, move |state| {
        let start = state.with_session(|s| {
            Ok(s.vault
                .backup_choice()
                .map(|c| c.folder)
                .or_else(dirs::document_dir))
        })?;
        let Some(folder) = folder_chooser::choose(&handle, "choose the backup folder", start)?
        else {
            return state.with_session(|s| Ok(status(s)));
        };
        turn_on(state, &folder, request.keep)
    })
    .await
}

fn turn_on(state: &AppState, folder: &std::path::Path, keep: usize) -> CommandResult<BackupStatus> {
    state.with_session(|s| {
        s.vault.enable_backups(folder, keep, system_seconds())?;
        Ok(status(s))
    })
}

/// Changes how many backups are kept, in the folder in use.
#[tauri::command]
pub async fn set_backup_keep(app: AppHandle, request: BackupKeep) -> CommandResult<BackupStatus> {
    blocking(app, move |state| {
        let folder = state.with_session(|s| {
            s.vault
                .backup_choice()
                .map(|c| c.folder)
                .ok_or_else(|| CommandError::invalid("backups are off: turn them on first"))
        })?;
        turn_on(state, &folder, request.keep)
    })
    .await
}

/// Turns backups off; those written stay.
#[tauri::command]
pub async fn disable_backups(app: AppHandle) -> CommandResult<BackupStatus> {
    blocking(app, |state| {
        state.with_session(|s| {
            s.vault.disable_backups()?;
            Ok(status(s))
        })
    })
    .await
}

/// The backups in the folder, newest first.
#[tauri::command]
pub async fn list_backups(app: AppHandle) -> CommandResult<Vec<BackupView>> {
    blocking(app, |state| {
        state.with_session(|s| Ok(s.vault.list_backups()?.iter().map(BackupView::of).collect()))
    })
    .await
}

/// The backup to restore, picked from the list.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreBackup {
    /// Its path, as listed.
    pub path: String,
    /// The password the vault had when it was written, for one written
    /// before a password change.
    pub password: Option<String>,
}

/// Replaces the accounts, recovery codes and preferences with those of a
/// backup in the backup folder (only one listed there: the page cannot
/// name any other file). The vault as it was is backed up first; the
/// answer says where.
#[tauri::command]
pub async fn restore_backup(app: AppHandle, request: RestoreBackup) -> CommandResult<Restored> {
    let password = request
        .password
        .map(|text| {
            check_password(&text)?;
            Ok::<_, CommandError>(Password::new(text))
        })
        .transpose()?;
    let path = PathBuf::from(request.path);
    blocking(app, move |state| {
        state.with_session(|s| {
            let listed = s.vault.list_backups()?.iter().any(|b| b.path == path);
            if !listed {
                return Err(CommandError::invalid(format!(
                    "{} is not one of the backups in the backup folder",
                    path.display()
                )));
            }
            let before =
                s.change(|vault| vault.restore_backup(&path, password.as_ref(), system_seconds()))?;
            Ok(Restored {
                saved_before: before.display().to_string(),
            })
        })
    })
    .await
}
