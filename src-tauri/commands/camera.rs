//! Adding an account with the webcam: list the cameras, start one with a
//! channel for its previews and one for what it finds, and stop it. The
//! scan itself runs in crate::camera (and tessera-scan); what it finds
//! joins the other scans' finds in the session's inbox and is added with
//! `add_scanned`.

use serde::Deserialize;
use tauri::ipc::{Channel, Response};
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::commands::scan::take_texts;
use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, AppState};
use crate::views::{CameraChoice, CameraUpdate};

/// The cameras to pick from (empty when there are none).
#[tauri::command]
pub async fn list_cameras(app: AppHandle) -> CommandResult<Vec<CameraChoice>> {
    blocking(app, |_| {
        crate::camera::cameras().map_err(CommandError::invalid)
    })
    .await
}

/// Which camera to start.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartCamera {
    /// Its number, from `list_cameras`.
    pub index: u32,
}

/// Starts scanning with a camera, sending grey previews on `preview` and
/// the outcome on `updates`. Needs the vault unlocked: a find goes into it.
#[tauri::command]
pub async fn start_camera(
    app: AppHandle,
    request: StartCamera,
    preview: Channel<Response>,
    updates: Channel<CameraUpdate>,
) -> CommandResult<()> {
    let handle = app.clone();
    blocking(app, move |state| {
        state.with_session(|_| Ok(()))?;
        let on_found = Box::new(move |text: String| {
            let state = handle.state::<AppState>();
            match state.with_session(|s| take_texts(s, vec![text], "in the camera's view")) {
                Ok(result) => CameraUpdate::Found { result },
                Err(error) => CameraUpdate::Failed {
                    message: error.message,
                },
            }
        });
        state
            .camera
            .start(request.index, preview, updates, on_found)
            .map_err(CommandError::invalid)
    })
    .await
}

/// Stops the scan and waits until the camera is released.
#[tauri::command]
pub async fn stop_camera(app: AppHandle) -> CommandResult<()> {
    blocking(app, |state| {
        state.camera.stop();
        Ok(())
    })
    .await
}

/// The page drew the last preview and can take the next. Never waits: it
/// runs on the UI thread.
#[tauri::command]
pub async fn camera_preview_drawn(app: AppHandle) -> CommandResult<()> {
    app.state::<AppState>().camera.preview_drawn();
    Ok(())
}
