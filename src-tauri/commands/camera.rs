//! Adding an account with the webcam: list the cameras, start one with a
//! channel for its previews and one for what it finds, and stop it. The
//! scan itself runs in crate::camera (and tessera-scan); what it finds
//! joins the other scans' finds in Rust and is added with `add_scanned`.

use tauri::ipc::{Channel, Response};
use tauri::{AppHandle, State};

use crate::camera::{CameraChoice, CameraUpdate};
use crate::state::{blocking, AppState};

/// The cameras to pick from (empty when there are none).
#[tauri::command]
pub async fn list_cameras(app: AppHandle) -> Result<Vec<CameraChoice>, String> {
    blocking(app, |_| crate::camera::cameras()).await
}

/// Starts scanning with camera `index`, sending grey previews on `preview`
/// and the outcome on `updates`. Needs the vault unlocked: a find goes
/// into it.
#[tauri::command]
pub async fn start_camera(
    app: AppHandle,
    index: u32,
    preview: Channel<Response>,
    updates: Channel<CameraUpdate>,
) -> Result<(), String> {
    let handle = app.clone();
    blocking(app, move |state| {
        state.with_session(|_| Ok(()))?;
        state.camera.start(handle, index, preview, updates)
    })
    .await
}

/// Stops the scan and waits until the camera is released.
#[tauri::command]
pub async fn stop_camera(app: AppHandle) -> Result<(), String> {
    blocking(app, |state| {
        state.camera.stop();
        Ok(())
    })
    .await
}

/// The UI drew the last preview and can take the next.
#[tauri::command]
pub fn camera_preview_drawn(state: State<'_, AppState>) {
    state.camera.preview_drawn();
}
