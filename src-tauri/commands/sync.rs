//! Sync through a folder the user already syncs, as Settings and the
//! first-run screen offer it: turning it on (the folder from the native
//! chooser, never from the page), joining a vault synced from another
//! machine, its status, "Sync now", and turning it off. The core does the
//! syncing; here it is also run in the background while the vault is
//! open: at unlock, when another machine's file arrives, and every few
//! minutes (`crate::sync_watch`, which calls back into [`sync_open_vault`]).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tauri::{AppHandle, Manager};
use tessera_core::limits::check_password;
use tessera_core::sync::{SyncReport, SYNC_FOLDER};
use tessera_vault::Password;
use ts_rs::TS;

use crate::commands::vault::status as vault_status;
use crate::error::{CommandError, CommandResult};
use crate::folder_chooser;
use crate::state::{blocking, system_seconds, AppState, Session};
use crate::sync_watch::vault_folder;
use crate::views::{DeviceView, MergeView, SyncView, VaultStatus};

/// The longest device name accepted (it is shown on every other machine).
const MAX_NAME_CHARS: usize = 64;

/// This computer's name, offered as the device name: the kernel's host
/// name, else a plain phrase.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|file| {
            let text = std::fs::read_to_string(file).ok()?;
            let name = text.trim();
            (!name.is_empty()).then(|| name.to_owned())
        })
        .unwrap_or_else(|| "this computer".to_owned())
}

/// The device name the page sent, or the host's when it sent none.
fn device_name(name: Option<String>) -> CommandResult<String> {
    let name = name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(host_name);
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(CommandError::invalid(format!(
            "a device name is one line of at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name)
}

/// The sync folder the user meant when the chooser gave `chosen`. GTK's
/// location bar completes a typed folder with its only subfolder, and Enter
/// takes the completion: typing a synced folder's path and pressing Enter
/// gives its `tessera-sync`, or the vault's folder in that. Tessera's own
/// folders are never the sync folder: the folder above them is.
fn sync_folder_of(chosen: PathBuf) -> PathBuf {
    let ours = |folder: &Path| folder.file_name() == Some(OsStr::new(SYNC_FOLDER));
    let folder = match chosen.parent() {
        Some(parent) if ours(parent) => parent,
        _ => chosen.as_path(),
    };
    match folder.parent() {
        Some(parent) if ours(folder) => parent.to_owned(),
        _ => folder.to_owned(),
    }
}

/// Sync as Settings shows it.
fn view(s: &Session) -> SyncView {
    let choice = s.vault.sync_choice();
    let status = s.vault.sync_status();
    SyncView {
        enabled: choice.is_some(),
        folder: choice.as_ref().map(|c| c.folder.display().to_string()),
        name: choice.as_ref().map(|c| c.name.clone()),
        suggested_name: host_name(),
        last_sync: (status.last_sync > 0).then_some(status.last_sync),
        devices: status
            .devices
            .iter()
            .map(|(id, device)| DeviceView {
                id: id.clone(),
                name: device.name.clone(),
                file_changed: device.file_changed,
                this_computer: device.this_computer,
            })
            .collect(),
        merged: MergeView::from(&status.merged),
        refused: status.refused,
        warnings: status.warnings,
        problem: s.sync_problem.clone(),
    }
}

/// Syncs the open vault with the other machines' files, if sync is on.
/// A merge that changed the vault bumps the session's revision, so the
/// page lists the accounts again. The session is held for the core's
/// sync only; the background calls come here when something changed.
pub fn sync_open_vault(state: &AppState) -> CommandResult<Option<SyncReport>> {
    state.with_session(|s| {
        if s.vault.sync_choice().is_none() {
            return Ok(None);
        }
        let before = s.contents().generation;
        let result = s.vault.sync_now(system_seconds());
        s.sync_problem = result.as_ref().err().map(ToString::to_string);
        if s.contents().generation != before {
            s.changed();
        }
        Ok(Some(result?))
    })
}

/// Starts syncing in the background when the open vault syncs (stopping
/// any earlier watch); stops it when it does not. Called after every
/// unlock and change of the sync choice, never while holding the session.
pub fn watch_sync_folder(app: &AppHandle, state: &AppState) {
    let watched = state
        .with_session(|s| {
            Ok(s.vault
                .sync_choice()
                .map(|c| (vault_folder(&c.folder, &s.vault.info().vault_id), c.device)))
        })
        .ok()
        .flatten();
    let Some((folder, device)) = watched else {
        state.sync_watch.stop();
        return;
    };
    let handle = app.clone();
    let problem = state.sync_watch.start(
        &folder,
        &device,
        Box::new(move || {
            // Locked meanwhile: nothing to sync, and the watch is stopping.
            let _ = sync_open_vault(&handle.state::<AppState>());
        }),
    );
    if let Some(problem) = problem {
        let _ = state.with_session(|s| {
            s.sync_problem = Some(problem);
            Ok(())
        });
    }
}

/// Whether sync is on, through which folder, and what it last did.
#[tauri::command]
pub async fn sync_status(app: AppHandle) -> CommandResult<SyncView> {
    blocking(app, |state| state.with_session(|s| Ok(view(s)))).await
}

/// The device name for the other machines (none: this computer's name).
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnableSync {
    /// A name for people ("laptop").
    pub name: Option<String>,
}

/// Asks for the sync folder in the native chooser, then syncs the vault
/// through it from now on. A cancelled chooser changes nothing.
#[tauri::command]
pub async fn enable_sync(app: AppHandle, request: EnableSync) -> CommandResult<SyncView> {
    let name = device_name(request.name)?;
    let handle = app.clone();
    blocking(app, move |state| {
        let start = state.with_session(|s| {
            Ok(s.vault
                .sync_choice()
                .map(|c| c.folder)
                .or_else(dirs::home_dir))
        })?;
        let Some(folder) = folder_chooser::choose(&handle, "choose the sync folder", start)? else {
            return state.with_session(|s| Ok(view(s)));
        };
        let folder = sync_folder_of(folder);
        state.with_session(|s| {
            let result = s.change(|vault| vault.enable_sync(&folder, &name, system_seconds()));
            s.sync_problem = result.as_ref().err().map(|e| e.message.clone());
            result.map(|_| ())
        })?;
        watch_sync_folder(&handle, state);
        state.with_session(|s| Ok(view(s)))
    })
    .await
}

/// Syncs now, and says how it went.
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> CommandResult<SyncView> {
    blocking(app, |state| {
        sync_open_vault(state)?
            .ok_or_else(|| CommandError::invalid("sync is off: turn it on first"))?;
        state.with_session(|s| Ok(view(s)))
    })
    .await
}

/// Stops syncing on this computer (its file leaves the folder); the vault
/// stays as it is.
#[tauri::command]
pub async fn disable_sync(app: AppHandle) -> CommandResult<SyncView> {
    blocking(app, |state| {
        state.sync_watch.stop();
        state.with_session(|s| {
            s.vault.disable_sync()?;
            s.sync_problem = None;
            Ok(view(s))
        })
    })
    .await
}

/// Joining a vault synced from another machine, on the first-run screen.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JoinSync {
    /// The vault's password (it opens the other machines' files).
    pub password: String,
    /// This computer's name for the others (none: the host's).
    pub name: Option<String>,
}

/// Asks for the sync folder in the native chooser, makes this computer's
/// vault from the vault synced there (which the password opens), and
/// unlocks it. Only where there is no vault yet. A cancelled chooser
/// changes nothing (the answer says the vault does not exist).
#[tauri::command]
pub async fn join_sync(app: AppHandle, request: JoinSync) -> CommandResult<VaultStatus> {
    check_password(&request.password)?;
    let password = Password::new(request.password);
    let name = device_name(request.name)?;
    let handle = app.clone();
    blocking(app, move |state| {
        let path = state
            .vault_path()
            .map_err(CommandError::invalid)?
            .to_owned();
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(CommandError::invalid(format!(
                "{} already exists: unlock it, then turn sync on in Settings",
                path.display()
            )));
        }
        let Some(folder) =
            folder_chooser::choose(&handle, "choose the sync folder", dirs::home_dir())?
        else {
            return Ok(vault_status(state));
        };
        let folder = sync_folder_of(folder);
        let (vault, _report) =
            tessera_core::sync::join(&folder, &path, &password, &name, system_seconds())?;
        state.open(vault);
        watch_sync_folder(&handle, state);
        Ok(vault_status(state))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_name_is_one_short_line_or_the_host_name() {
        assert_eq!(device_name(Some("  laptop ".into())).unwrap(), "laptop");
        assert_eq!(device_name(None).unwrap(), host_name());
        assert_eq!(device_name(Some("   ".into())).unwrap(), host_name());
        assert!(device_name(Some("a\nb".into())).is_err());
        assert!(device_name(Some("x".repeat(MAX_NAME_CHARS + 1))).is_err());
        assert!(!host_name().is_empty());
    }

    /// Regression: typing the sync folder's path in the chooser and
    /// pressing Enter joined its `tessera-sync/<vault id>` folder (GTK
    /// completed the path into the only subfolder), which holds no sync
    /// folder, so joining failed.
    #[test]
    fn regression_a_folder_inside_tesseras_own_means_the_sync_folder() {
        let sync = PathBuf::from("/home/nia/Sync");
        assert_eq!(sync_folder_of(sync.clone()), sync);
        assert_eq!(sync_folder_of(sync.join(SYNC_FOLDER)), sync);
        assert_eq!(sync_folder_of(sync.join(SYNC_FOLDER).join("0a1b2c")), sync);
        let other = PathBuf::from("/home/nia/Sync/Photos");
        assert_eq!(sync_folder_of(other.clone()), other);
    }
}
