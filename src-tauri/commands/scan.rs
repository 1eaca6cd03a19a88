//! Adding accounts from QR codes: the screen, an image (opened, dropped or
//! pasted), or the clipboard. Decoding is tessera-scan's; what a scan finds
//! goes into the session's inbox (tessera-core), never to the page, which
//! gets names to choose from. A Google Authenticator export of several QR
//! codes is collected across scans, and the page is told which codes of
//! the series are still missing.

use serde::Deserialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::AppHandle;
use tessera_core::intake::DuplicatePolicy;
use tessera_otp::Zeroizing;
use tessera_scan::ImageLimits;
use ts_rs::TS;

use crate::commands::accounts::added;
use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, system_seconds, Session};
use crate::views::{Added, ScanResult};

/// The largest image accepted from the webview: a photo or screenshot of a
/// QR code is a few megabytes; anything larger is refused before decoding.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// Puts what a source decoded into the inbox and says what was found, or
/// fails in one line when it held nothing usable.
pub fn take_texts(
    session: &mut Session,
    texts: Vec<String>,
    where_: &str,
) -> CommandResult<ScanResult> {
    if texts.is_empty() {
        return Err(CommandError::invalid(format!("no QR code found {where_}")));
    }
    // The decoded texts hold secrets: wiped once classified.
    let texts = texts.into_iter().map(Zeroizing::new).collect();
    let (notes, any) = session.inbox.take_texts(texts);
    if !any {
        return Err(CommandError::invalid(
            notes
                .first()
                .cloned()
                .unwrap_or_else(|| format!("no enrollment QR code found {where_}")),
        ));
    }
    Ok(ScanResult::of(&session.inbox, session.contents(), notes))
}

/// Captures every screen and reads the QR codes on it.
#[tauri::command]
pub async fn scan_screen(app: AppHandle) -> CommandResult<ScanResult> {
    blocking(app, |state| {
        // Captured and decoded outside the session lock: the codes tick
        // goes on meanwhile.
        state.with_session(|_| Ok(()))?;
        let codes = tessera_scan::scan_screens(&ImageLimits::default())
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        let texts = codes.into_iter().map(|c| c.code.text).collect();
        state.with_session(|s| take_texts(s, texts, "on the screen"))
    })
    .await
}

/// Reads the QR codes in the image on the clipboard.
#[tauri::command]
pub async fn scan_clipboard(app: AppHandle) -> CommandResult<ScanResult> {
    blocking(app, |state| {
        state.with_session(|_| Ok(()))?;
        let image = tessera_scan::clipboard_image(&ImageLimits::default())
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        let texts = tessera_scan::decode(&image)
            .into_iter()
            .map(|c| c.text)
            .collect();
        state.with_session(|s| take_texts(s, texts, "in the clipboard's image"))
    })
    .await
}

/// Reads the QR codes in an image file's bytes (opened, dropped or pasted
/// in the webview), sent as the raw request body.
#[tauri::command]
pub async fn scan_image(app: AppHandle, request: Request<'_>) -> CommandResult<ScanResult> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::invalid("send the image's bytes"));
    };
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(CommandError::invalid(format!(
            "the image is {} MB; a picture of a QR code is at most {} MB",
            bytes.len() / (1024 * 1024),
            MAX_IMAGE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = bytes.clone();
    blocking(app, move |state| {
        state.with_session(|_| Ok(()))?;
        let limits = ImageLimits {
            max_file_bytes: MAX_IMAGE_BYTES as u64,
            ..ImageLimits::default()
        };
        let image = tessera_scan::load_image_bytes(&bytes, &limits)
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        let texts = tessera_scan::decode(&image)
            .into_iter()
            .map(|c| c.text)
            .collect();
        state.with_session(|s| take_texts(s, texts, "in the image"))
    })
    .await
}

/// The found accounts the user ticked.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddScanned {
    /// Their indexes in the found list.
    pub indexes: Vec<usize>,
}

/// Adds the found accounts picked by index through the core's intake (the
/// same duplicate rule as `tessera import`: an account already in the
/// vault is skipped, its recovery codes kept), then forgets the finds.
#[tauri::command]
pub async fn add_scanned(app: AppHandle, request: AddScanned) -> CommandResult<Vec<Added>> {
    if request.indexes.len() > tessera_core::limits::MAX_ACCOUNTS {
        return Err(CommandError::invalid("too many accounts picked"));
    }
    blocking(app, move |state| {
        state.with_session(|s| {
            let intake = s.inbox.pick(&request.indexes)?;
            let report = s.change(|vault| {
                vault.take_in(intake, DuplicatePolicy::Skip, false, system_seconds())
            })?;
            Ok(report
                .added
                .iter()
                .map(|account| added(s, account))
                .collect())
        })
    })
    .await
}

/// Forgets what scans found (leaving the add screen).
#[tauri::command]
pub async fn scan_reset(app: AppHandle) -> CommandResult<()> {
    blocking(app, |state| {
        if let Some(s) = state.session().as_mut() {
            s.inbox = Default::default();
            s.import_file = None;
        }
        Ok(())
    })
    .await
}
