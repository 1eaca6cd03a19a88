//! The webcam scan as the app runs it. tessera-scan's `CameraScanner`
//! decodes frames on its own thread; here a second thread, the pump, sits
//! between it and the window: it streams small grey previews to the UI
//! through a Tauri channel, and when the scanner finds an enrollment it
//! hands the text to the callback it was started with (the command keeps
//! it with the other scans' finds, in the session, never in the webview)
//! and tells the UI what that gave. The camera is released before the UI hears
//! of a find, and whenever the user stops, leaves the add screen, or the
//! vault locks ([`CameraSlot::stop`] is part of locking).
//!
//! Tests have no camera: in debug builds `TESSERA_CAMERA_FRAMES` names a
//! folder of PNG frames that shows up as one more camera and is played
//! through the very same pipeline at a camera's pace.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tauri::ipc::{Channel, Response};
use tessera_scan::{CameraEvent, CameraScanner, ImageLimits, RecordedFrames, SourceError};

use crate::views::{CameraChoice, CameraUpdate};

/// What the pump does with the text of the enrollment code it found: keep
/// it and say what that gave. Called on the pump's thread, once.
pub type OnFound = Box<dyn FnOnce(String) -> CameraUpdate + Send>;

/// The widest preview sent to the UI, in pixels: the window is 480 CSS
/// pixels wide, and a grey frame this size is 130 kB.
pub const PREVIEW_MAX_WIDTH: u32 = 480;

/// The shortest time between previews, at most 15 a second: smooth enough
/// to aim a code at the camera, and half of what a webcam delivers.
pub const PREVIEW_INTERVAL: Duration = Duration::from_millis(66);

/// How often the pump looks for a new frame: a new frame goes out within
/// this delay rather than waiting for a fixed beat, which drops frames when
/// the camera's own beat drifts against it.
const POLL: Duration = Duration::from_millis(10);

/// A scan nobody finishes ends after this long, so a window left on the
/// add screen (with auto-lock off) does not keep the camera on for good.
pub const MAX_SCAN_TIME: Duration = Duration::from_secs(10 * 60);

/// The folder of recorded frames that stands in for a camera in tests
/// (read by debug builds only).
#[cfg_attr(not(debug_assertions), allow(dead_code))]
pub const RECORDED_FRAMES_ENV: &str = "TESSERA_CAMERA_FRAMES";

/// The camera number of the recorded frames, past any real device's.
pub const RECORDED_INDEX: u32 = u32::MAX;

/// How fast the recorded frames play: a webcam's pace under load.
const RECORDED_FRAME_RATE: u32 = 15;

/// The most recorded frames read (a test sequence is a few dozen).
const MAX_RECORDED_FRAMES: usize = 600;

/// The folder of recorded frames, in debug builds only: a release build
/// ignores the variable entirely, so nothing in the environment can feed
/// the app pictures that pretend to be a camera.
#[cfg(debug_assertions)]
fn recorded_frames_dir() -> Option<PathBuf> {
    std::env::var_os(RECORDED_FRAMES_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// Release builds: no recorded frames, whatever the environment says.
#[cfg(not(debug_assertions))]
fn recorded_frames_dir() -> Option<PathBuf> {
    None
}

/// The cameras to pick from; empty when there are none.
pub fn cameras() -> Result<Vec<CameraChoice>, String> {
    let mut choices: Vec<CameraChoice> = tessera_scan::list_cameras()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|camera| CameraChoice {
            index: camera.index,
            name: camera.name,
        })
        .collect();
    if recorded_frames_dir().is_some() {
        choices.push(CameraChoice {
            index: RECORDED_INDEX,
            name: "Recorded frames (test)".to_owned(),
        });
    }
    Ok(choices)
}

/// Reads the recorded frames: every PNG in the folder, by file name.
fn open_recorded(dir: &Path) -> Result<RecordedFrames, SourceError> {
    let failed = |reason: String| SourceError::CameraFailed { reason };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| failed(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(failed(format!("{} holds no PNG frames", dir.display())));
    }
    paths.truncate(MAX_RECORDED_FRAMES);
    let mut frames = Vec::with_capacity(paths.len());
    for path in &paths {
        let image = tessera_scan::load_image_file(path, &ImageLimits::default())?;
        frames.push(tessera_scan::to_grey(&image));
    }
    Ok(RecordedFrames::new(frames).at_frame_rate(RECORDED_FRAME_RATE))
}

/// A preview as it crosses to the UI: width and height (little-endian
/// u32), then one byte of grey per pixel, row by row.
pub fn preview_message(width: u32, height: u32, pixels: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(8 + pixels.len());
    message.extend_from_slice(&width.to_le_bytes());
    message.extend_from_slice(&height.to_le_bytes());
    message.extend_from_slice(pixels);
    message
}

/// What the app and its pump share about one running scan.
struct Control {
    /// Set to end the scan.
    stop: AtomicBool,
    /// The UI has drawn the last preview and can take the next. Previews
    /// wait for it, so a window that stops drawing (hidden, reloaded)
    /// never makes frames pile up in the IPC queue.
    drawn: AtomicBool,
}

/// A scan and its pump thread.
struct Running {
    control: Arc<Control>,
    pump: JoinHandle<()>,
}

/// The app's one camera scan, if any.
#[derive(Default)]
pub struct CameraSlot {
    running: Mutex<Option<Running>>,
}

impl CameraSlot {
    fn slot(&self) -> MutexGuard<'_, Option<Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts scanning with camera `index` (one of [`cameras`]), stopping a
    /// scan already running. Opening happens on the scanner's thread: a
    /// camera that cannot be used is reported through `updates`.
    pub fn start(
        &self,
        index: u32,
        preview: Channel<Response>,
        updates: Channel<CameraUpdate>,
        on_found: OnFound,
    ) -> Result<(), String> {
        // Held throughout, so two starts never leave two scans running.
        let mut slot = self.slot();
        if let Some(old) = slot.take() {
            end(old);
        }
        let scanner = match recorded_frames_dir() {
            Some(dir) if index == RECORDED_INDEX => {
                CameraScanner::start(move || open_recorded(&dir))
            }
            _ => CameraScanner::start_webcam(index),
        };
        let control = Arc::new(Control {
            stop: AtomicBool::new(false),
            drawn: AtomicBool::new(true),
        });
        let pump = {
            let control = Arc::clone(&control);
            std::thread::Builder::new()
                .name("tessera-camera-preview".into())
                .spawn(move || pump(scanner, &control, &preview, &updates, on_found))
        };
        // Without a thread the scanner was dropped with the closure, and
        // the camera released with it.
        let pump = pump.map_err(|e| format!("the camera could not be started: {e}"))?;
        *slot = Some(Running { control, pump });
        Ok(())
    }

    /// Stops the scan, if one runs, and waits until the camera is released.
    /// Never called with the session locked: the pump may be waiting for it.
    pub fn stop(&self) {
        let mut slot = self.slot();
        if let Some(running) = slot.take() {
            end(running);
        }
    }

    /// The UI drew the last preview. Never waits: this runs on the UI
    /// thread, and a start or stop holding the slot is replacing the scan
    /// the preview belonged to anyway.
    pub fn preview_drawn(&self) {
        let slot = match self.running.try_lock() {
            Ok(slot) => slot,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if let Some(running) = slot.as_ref() {
            running.control.drawn.store(true, Ordering::Relaxed);
        }
    }
}

/// Ends a scan: its pump drops the scanner, which releases the camera.
fn end(running: Running) {
    running.control.stop.store(true, Ordering::Relaxed);
    // A pump that panicked has dropped its scanner all the same.
    let _ = running.pump.join();
}

/// The pump: previews out, events in, until the scan ends.
fn pump(
    scanner: CameraScanner,
    control: &Control,
    preview: &Channel<Response>,
    updates: &Channel<CameraUpdate>,
    on_found: OnFound,
) {
    let started = Instant::now();
    let mut last_sent: Option<Instant> = None;
    let mut shown = None;
    let outcome = loop {
        if control.stop.load(Ordering::Relaxed) {
            break None;
        }
        if started.elapsed() >= MAX_SCAN_TIME {
            break Some(Ending::Update(CameraUpdate::Ended {
                message: format!(
                    "the camera stopped after {} minutes without finding a code; start it again to go on",
                    MAX_SCAN_TIME.as_secs() / 60
                ),
            }));
        }
        match scanner.events().recv_timeout(POLL) {
            Ok(CameraEvent::NotEnrollment(error)) => {
                let _ = updates.send(CameraUpdate::Note {
                    message: error.to_string(),
                });
            }
            Ok(CameraEvent::Found { code, .. }) => break Some(Ending::Found(code.text)),
            Ok(CameraEvent::Failed(error)) => {
                break Some(Ending::Update(CameraUpdate::Failed {
                    message: error.to_string(),
                }))
            }
            Ok(CameraEvent::Ended) => {
                break Some(Ending::Update(CameraUpdate::Ended {
                    message: "the recording ended before a QR code was found".to_owned(),
                }))
            }
            // Later events of a non-exhaustive enum: nothing to show.
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                break Some(Ending::Update(CameraUpdate::Failed {
                    message: "the camera stopped unexpectedly".to_owned(),
                }))
            }
        }
        if last_sent.is_none_or(|sent| sent.elapsed() >= PREVIEW_INTERVAL) {
            let latest = scanner.latest_frame();
            let fresh = match (&latest, &shown) {
                (Some(latest), Some(shown)) => !Arc::ptr_eq(latest, shown),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if fresh && control.drawn.load(Ordering::Relaxed) {
                if let Some(frame) = &latest {
                    let small = tessera_scan::preview_frame(frame, PREVIEW_MAX_WIDTH);
                    let message = preview_message(small.width(), small.height(), small.as_raw());
                    control.drawn.store(false, Ordering::Relaxed);
                    last_sent = Some(Instant::now());
                    if preview.send(Response::new(message)).is_err() {
                        control.drawn.store(true, Ordering::Relaxed);
                    }
                    shown = latest;
                }
            }
        }
    };
    // Released before the UI hears how the scan ended.
    drop(shown);
    drop(scanner);
    let update = match outcome {
        None => return,
        Some(Ending::Update(update)) => update,
        Some(Ending::Found(text)) => on_found(text),
    };
    let _ = updates.send(update);
}

/// How a scan ended, besides being stopped.
enum Ending {
    /// Something to tell the UI as it is.
    Update(CameraUpdate),
    /// An enrollment code's text, to hand to the callback.
    Found(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_message_is_its_size_then_its_pixels() {
        let message = preview_message(3, 2, &[1, 2, 3, 4, 5, 6]);
        assert_eq!(message, [3, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn recorded_frames_play_only_in_debug_builds() {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var(RECORDED_FRAMES_ENV, dir.path());
        let offered = recorded_frames_dir().is_some();
        std::env::remove_var(RECORDED_FRAMES_ENV);
        assert_eq!(offered, cfg!(debug_assertions));
    }

    #[test]
    fn a_folder_without_frames_is_a_clear_failure() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a frame").unwrap();
        let Err(error) = open_recorded(dir.path()) else {
            panic!("an empty recording opened");
        };
        assert!(error.to_string().contains("holds no PNG frames"), "{error}");
    }
}
