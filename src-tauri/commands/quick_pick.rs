//! The quick-pick window's own commands (`crate::quick_pick`): showing and
//! closing it, and typing a code into the window the user was in
//! (`crate::autotype`); plus the shortcut's state for Settings. Copying
//! uses `accounts::copy_code`, as the main window does.

use serde::Serialize;
use tauri::AppHandle;
use tessera_core::limits::parse_id;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::commands::accounts::{current_code, AccountRef};
use crate::error::{CommandError, CommandResult};
use crate::global_shortcut::{self, ShortcutStatus};
use crate::quick_pick;
use crate::state::blocking;

/// What the quick pick tells the user about typing.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuickPickInfo {
    /// Why Shift+Enter cannot type now; none: it types.
    pub typing_problem: Option<String>,
}

/// The page is ready: show and focus the window.
#[tauri::command]
pub async fn quick_pick_ready(app: AppHandle) -> CommandResult<QuickPickInfo> {
    let typing_problem = match crate::autotype::available().await {
        Err(problem) => Some(problem.to_string()),
        Ok(()) => match quick_pick::target() {
            None => Some(crate::autotype::TypeError::NoTarget.to_string()),
            Some(target) if target.own() => {
                Some(crate::autotype::TypeError::IntoTessera.to_string())
            }
            Some(_) => None,
        },
    };
    quick_pick::show(&app);
    Ok(QuickPickInfo { typing_problem })
}

/// Hides the quick pick (Escape, or after a copy).
#[tauri::command]
pub async fn quick_pick_close(app: AppHandle) -> CommandResult<()> {
    quick_pick::hide(&app);
    Ok(())
}

/// Hides the quick pick and brings the main window forward to unlock.
#[tauri::command]
pub async fn quick_pick_unlock(app: AppHandle) -> CommandResult<()> {
    quick_pick::show_main(&app);
    Ok(())
}

/// Types the account's current code into the window that had the focus
/// when the shortcut was pressed: the quick pick hides, the focus goes
/// back there and is checked (on Wayland: typing is made ready, which the
/// desktop may ask the user to allow), then the code is read and the keys
/// are sent. Locked: nothing is typed. On failure the quick pick comes
/// back with the reason.
#[tauri::command]
pub async fn quick_pick_type(app: AppHandle, request: AccountRef) -> CommandResult<()> {
    let id = parse_id(&request.id)?;
    crate::autotype::available()
        .await
        .map_err(|e| CommandError::invalid(e.to_string()))?;
    let handle = app.clone();
    blocking(app, move |state| {
        // Locked, or no such account: refused before anything else
        // happens (the code itself is read again below, after any wait).
        state.with_session(|s| current_code(s, &id).map(Zeroizing::new))?;
        let target = quick_pick::target();
        if target.is_some_and(|t| t.own()) {
            return Err(CommandError::invalid(
                crate::autotype::TypeError::IntoTessera.to_string(),
            ));
        }
        quick_pick::hide(&handle);
        let typed = crate::autotype::prepare(target)
            .map_err(|problem| CommandError::invalid(problem.to_string()))
            .and_then(|()| {
                // Read now, after any question the desktop asked: locked
                // meanwhile, nothing is typed.
                let code = state.with_session(|s| current_code(s, &id).map(Zeroizing::new))?;
                let probe = handle.clone();
                crate::autotype::type_into(target, &code, std::process::id(), move || {
                    quick_pick::own_window_focused(&probe)
                })
                .map_err(|problem| CommandError::invalid(problem.to_string()))
            });
        if typed.is_err() {
            quick_pick::show(&handle);
        }
        typed
    })
    .await
}

/// Whether the global shortcut works, for Settings.
#[tauri::command]
pub async fn shortcut_status(_app: AppHandle) -> CommandResult<ShortcutStatus> {
    Ok(global_shortcut::status())
}
