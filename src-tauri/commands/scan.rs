//! Adding accounts from QR codes: the screen (whole, after a delay, or a
//! region the user picks), an image (opened, dropped or pasted), or the
//! clipboard (read on request, or watched while the add screen shows).
//! Decoding is tessera-scan's; what a scan finds goes into the session's
//! inbox (tessera-core), never to the page, which gets names to choose
//! from. A Google Authenticator export of several QR codes is collected
//! across scans, and the page is told which codes of the series are still
//! missing.
//!
//! Tessera's own window would cover a code shown behind it (it opens in
//! the middle of the screen): it is hidden for each capture, and shown and
//! focused again after.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Manager, WebviewWindow};
use tessera_core::intake::DuplicatePolicy;
use tessera_otp::Zeroizing;
use tessera_scan::{Desktop, ImageLimits, Region, WindowId};
use ts_rs::TS;

use crate::clipboard::Peek;
use crate::commands::accounts::added;
use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, system_seconds, Session};
use crate::views::{Added, ScanResult};

/// The largest image accepted from the webview: a photo or screenshot of a
/// QR code is a few megabytes; anything larger is refused before decoding.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// The longest delay before a capture the page may ask for, in seconds.
pub const MAX_DELAY_SECONDS: u32 = 10;

/// The preview of a capture, for picking a region, fits this box: enough
/// to see where the code is, a fraction of a 4K screen's pixels.
const PREVIEW_SIZE: (u32, u32) = (1280, 800);

/// What the screen scans keep between commands, with the session (a
/// capture may show secrets): the capture a region is picked from, and
/// what the clipboard watch last saw.
#[derive(Default)]
pub struct ScanSession {
    /// The last capture for picking a region, at full resolution.
    capture: Option<Desktop>,
    /// What the clipboard held when last looked at.
    clipboard: Option<ClipboardSeen>,
    /// The number of the next offer.
    next_offer: u32,
    /// Keys the clipboard's fingerprints, so equal contents are told apart
    /// from new ones without keeping them.
    hasher: RandomState,
}

/// The clipboard's contents as last seen, and what they hold.
struct ClipboardSeen {
    fingerprint: u64,
    /// The offer made for them, if they hold accounts.
    offer: Option<ClipboardOffer>,
    /// The texts of their codes (secrets: wiped when dropped).
    texts: Vec<Zeroizing<String>>,
}

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

/// A capture of the screen, now or after a delay.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScanScreen {
    /// Seconds to wait, with the window hidden, before capturing (to open
    /// a menu or scroll to the code); at most [`MAX_DELAY_SECONDS`].
    pub delay_seconds: u32,
}

/// The window's X11 id, asked of the main thread by Tauri.
fn window_id(window: &WebviewWindow) -> WindowId {
    use raw_window_handle::{HasWindowHandle, RawWindowHandle};
    match window.window_handle().map(|handle| handle.as_raw()) {
        Ok(RawWindowHandle::Xlib(handle)) => {
            u32::try_from(handle.window).map_or(WindowId::Other, WindowId::X11)
        }
        Ok(RawWindowHandle::Xcb(handle)) => WindowId::X11(handle.window.get()),
        _ => WindowId::Other,
    }
}

/// Every monitor captured with the app's window out of the way: hidden,
/// gone from the screen (as the X server reports), `delay` waited, then
/// shown and focused again whatever the capture gave. Also says whether
/// the window was known to be off the screen.
fn capture_hidden(
    app: &AppHandle,
    delay: Duration,
) -> (Result<Vec<tessera_scan::Screenshot>, CommandError>, bool) {
    let window = app.get_webview_window("main");
    let mut hidden = false;
    if let Some(window) = &window {
        let id = window_id(window);
        if window.hide().is_ok() {
            hidden = tessera_scan::wait_until_hidden(id, Duration::from_secs(3)).unwrap_or(false);
        }
    }
    std::thread::sleep(delay);
    let screens = tessera_scan::capture_screens(&ImageLimits::default())
        .map_err(|e| CommandError::invalid(e.to_string()));
    if let Some(window) = &window {
        let _ = window.show();
        let _ = window.set_focus();
    }
    (screens, hidden)
}

fn delay(request: &ScanScreen) -> CommandResult<Duration> {
    if request.delay_seconds > MAX_DELAY_SECONDS {
        return Err(CommandError::invalid(format!(
            "the delay is at most {MAX_DELAY_SECONDS} seconds"
        )));
    }
    Ok(Duration::from_secs(request.delay_seconds.into()))
}

/// What a screen scan that found no code says: what was looked at, and
/// what to try next.
fn nothing_on_screen(monitors: usize, hidden: bool) -> String {
    let screens = if monitors == 1 {
        "1 screen".to_owned()
    } else {
        format!("{monitors} screens")
    };
    let window = if hidden {
        "with Tessera's window hidden"
    } else {
        "(Tessera's window may have covered part of it)"
    };
    format!(
        "no QR code found on the screen: looked at {screens} {window}. \
         Make the QR code bigger and fully visible, then scan again; \
         or pick the region it is in, scan after a delay, or open a screenshot of it."
    )
}

/// Captures every screen (with the window hidden, after the delay asked
/// for) and reads the QR codes on it.
#[tauri::command]
pub async fn scan_screen(app: AppHandle, request: ScanScreen) -> CommandResult<ScanResult> {
    let delay = delay(&request)?;
    let handle = app.clone();
    blocking(app, move |state| {
        // Captured and decoded outside the session lock: the codes tick
        // goes on meanwhile.
        state.with_session(|_| Ok(()))?;
        let (screens, hidden) = capture_hidden(&handle, delay);
        let screens = screens?;
        let monitors = screens.len();
        let texts: Vec<String> = screens
            .iter()
            .flat_map(|screen| tessera_scan::decode(&screen.image))
            .map(|code| code.text)
            .collect();
        if texts.is_empty() {
            return Err(CommandError::invalid(nothing_on_screen(monitors, hidden)));
        }
        state.with_session(|s| take_texts(s, texts, "on the screen"))
    })
    .await
}

/// Captures every screen (with the window hidden, after the delay asked
/// for) for the user to pick the region of a code: keeps the capture in
/// the session and answers a scaled-down preview as a PNG `data:` URL.
#[tauri::command]
pub async fn capture_screen(app: AppHandle, request: ScanScreen) -> CommandResult<String> {
    use base64::Engine;
    let delay = delay(&request)?;
    let handle = app.clone();
    blocking(app, move |state| {
        state.with_session(|_| Ok(()))?;
        let screens = capture_hidden(&handle, delay).0?;
        let desktop = Desktop::compose(&screens, &ImageLimits::default())
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        drop(screens);
        let preview = desktop.preview(PREVIEW_SIZE.0, PREVIEW_SIZE.1);
        let mut png = Vec::new();
        preview
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| CommandError::invalid(format!("cannot show the capture: {e}")))?;
        state.with_session(|s| {
            s.scan.capture = Some(desktop);
            Ok(())
        })?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&png)
        ))
    })
    .await
}

/// A region of the last capture, as fractions (0 to 1) of its preview.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScanRegion {
    /// The left edge.
    pub x: f64,
    /// The top edge.
    pub y: f64,
    /// The width.
    pub width: f64,
    /// The height.
    pub height: f64,
}

/// Reads the QR codes in a region of the last capture, at full resolution.
#[tauri::command]
pub async fn scan_region(app: AppHandle, request: ScanRegion) -> CommandResult<ScanResult> {
    let region = Region {
        x: request.x,
        y: request.y,
        width: request.width,
        height: request.height,
    };
    blocking(app, move |state| {
        let desktop = state.with_session(|s| {
            s.scan
                .capture
                .clone()
                .ok_or_else(|| CommandError::invalid("capture the screen first"))
        })?;
        if desktop.crop(region).is_none() {
            return Err(CommandError::invalid(
                "drag over the capture to pick the region of the QR code",
            ));
        }
        let texts = desktop
            .decode_region(region)
            .into_iter()
            .map(|c| c.text)
            .collect::<Vec<_>>();
        if texts.is_empty() {
            return Err(CommandError::invalid(
                "no QR code found in the region: pick the whole code, with some space around it",
            ));
        }
        state.with_session(|s| take_texts(s, texts, "in the region"))
    })
    .await
}

/// Accounts on the clipboard the page may offer to add: their names only.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClipboardOffer {
    /// Names this offer, for taking it (the same while the clipboard holds
    /// the same thing).
    pub id: u32,
    /// What the clipboard holds: `link` or `image`.
    pub source: String,
    /// The accounts, as "Issuer (name)".
    pub accounts: Vec<String>,
}

/// The accounts in decoded texts, named for an offer.
fn account_names(texts: &[Zeroizing<String>]) -> Vec<String> {
    let mut names = Vec::new();
    for text in texts {
        if let Ok(payload) = tessera_scan::classify(text) {
            for account in payload.accounts() {
                names.push(match (account.issuer.is_empty(), account.name.is_empty()) {
                    (true, _) => account.name.clone(),
                    (false, true) => account.issuer.clone(),
                    (false, false) => format!("{} ({})", account.issuer, account.name),
                });
            }
        }
    }
    names
}

/// Looks at the clipboard (the add screen asks every second or so) and
/// offers the accounts an `otpauth://` link or a QR image there holds. The
/// same contents are read once: while they stay, the first answer is given
/// again without decoding. Nothing is added here.
#[tauri::command]
pub async fn clipboard_offer(app: AppHandle) -> CommandResult<Option<ClipboardOffer>> {
    blocking(app, |state| {
        let hasher = state.with_session(|s| Ok(s.scan.hasher.clone()))?;
        let limits = ImageLimits::default();
        let (fingerprint, source) = match state.clipboard.peek(&limits) {
            Peek::Nothing => {
                state.with_session(|s| {
                    s.scan.clipboard = None;
                    Ok(())
                })?;
                return Ok(None);
            }
            Peek::Link(link) => (hasher.hash_one(link.as_bytes()), Peek::Link(link)),
            Peek::Image(image) => (
                hasher.hash_one((image.width(), image.height(), image.as_bytes())),
                Peek::Image(image),
            ),
        };
        let known = state.with_session(|s| {
            Ok(s.scan
                .clipboard
                .as_ref()
                .filter(|seen| seen.fingerprint == fingerprint)
                .map(|seen| seen.offer.clone()))
        })?;
        if let Some(offer) = known {
            return Ok(offer);
        }
        let (texts, kind) = match source {
            Peek::Link(link) => (vec![link], "link"),
            Peek::Image(image) => (
                tessera_scan::decode(&image)
                    .into_iter()
                    .map(|code| Zeroizing::new(code.text))
                    .collect(),
                "image",
            ),
            Peek::Nothing => (Vec::new(), "nothing"),
        };
        let accounts = account_names(&texts);
        state.with_session(|s| {
            let offer = (!accounts.is_empty()).then(|| {
                s.scan.next_offer += 1;
                ClipboardOffer {
                    id: s.scan.next_offer,
                    source: kind.to_owned(),
                    accounts,
                }
            });
            s.scan.clipboard = Some(ClipboardSeen {
                fingerprint,
                offer: offer.clone(),
                texts,
            });
            Ok(offer)
        })
    })
    .await
}

/// The clipboard offer the user accepted.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TakeClipboard {
    /// The offer's id.
    pub id: u32,
}

/// Puts the accounts of an offer the user accepted among the found ones,
/// to add as any scan's (nothing is added yet).
#[tauri::command]
pub async fn take_clipboard(app: AppHandle, request: TakeClipboard) -> CommandResult<ScanResult> {
    blocking(app, move |state| {
        state.with_session(|s| {
            let seen = s
                .scan
                .clipboard
                .take_if(|seen| seen.offer.as_ref().is_some_and(|o| o.id == request.id))
                .ok_or_else(|| CommandError::invalid("the clipboard has changed since"))?;
            let texts = seen.texts.iter().map(|t| t.to_string()).collect();
            // Taken: the same contents are not offered again.
            s.scan.clipboard = Some(ClipboardSeen {
                offer: None,
                texts: Vec::new(),
                ..seen
            });
            take_texts(s, texts, "on the clipboard")
        })
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
            s.scan.capture = None;
        }
        Ok(())
    })
    .await
}
