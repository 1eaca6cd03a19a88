//! Screen capture: a picture of every monitor, to find the QR code a web
//! page is showing.
//!
//! The webview cannot capture the screen on Linux, so capture happens here.
//! On Linux and the BSDs it links no C library, on purpose: every `tessera`
//! process (`tessera gen` included, which must start as fast as oathtool)
//! loads whatever the binary links, and the previous implementation (xcap)
//! brought libxcb, libgbm, libwayland, libdrm and more, 17 shared libraries
//! that tripled start-up time. Instead:
//!
//! * X11 (`DISPLAY`): the X protocol spoken in pure Rust (x11rb), every
//!   monitor RandR knows read with `GetImage` (`screen/x11.rs`);
//! * Wayland (`WAYLAND_DISPLAY`): the xdg-desktop-portal screenshot
//!   interface over D-Bus (zbus) (`screen/portal.rs`). Wayland goes first even when
//!   XWayland also sets `DISPLAY`, as XWayland's root window shows only the
//!   X11 programs' windows and black elsewhere;
//! * macOS and Windows: xcap, on the system's own frameworks.
//!
//! Where nothing works (no graphical session, a Wayland desktop without a
//! portal, a refused request) the error says so in words.
//!
//! The app hides its own window before capturing (it would cover the code
//! otherwise): [`wait_until_hidden`] asks the X server when it is gone. A
//! [`Desktop`] puts the monitors together for picking a region.

use std::time::Duration;

use image::DynamicImage;

use crate::decode::{decode, DecodedCode};
use crate::source::{ImageLimits, SourceError};

mod desktop;
#[cfg(all(unix, not(target_os = "macos")))]
mod portal;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;
#[cfg(any(target_os = "macos", target_os = "windows"))]
mod xcap;

pub use desktop::{Desktop, Region};

/// One monitor's picture.
#[derive(Debug, Clone)]
pub struct Screenshot {
    /// The monitor's name as the system reports it (e.g. `DP-1`; `desktop`
    /// for the single picture of every monitor a Wayland portal gives).
    pub monitor: String,
    /// Where the monitor's top-left corner is on the desktop, in pixels.
    pub origin: (i32, i32),
    /// What it showed (grey on Linux, as the decoder reads grey anyway).
    pub image: DynamicImage,
}

/// A QR code found on a monitor.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenCode {
    /// The monitor it is on.
    pub monitor: String,
    /// The code, with corners in that monitor's pixels.
    pub code: DecodedCode,
}

/// Whether an environment variable is set to something.
#[cfg(all(unix, not(target_os = "macos")))]
fn set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty())
}

/// Captures every monitor.
pub fn capture_screens(limits: &ImageLimits) -> Result<Vec<Screenshot>, SourceError> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        if set("WAYLAND_DISPLAY") {
            portal::capture(limits)
        } else if set("DISPLAY") {
            x11::capture(limits)
        } else {
            Err(SourceError::NoDisplay)
        }
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        xcap::capture(limits)
    }
    #[cfg(not(any(unix, target_os = "windows")))]
    {
        let _ = limits;
        Err(SourceError::ScreenCaptureFailed {
            reason: "this system has no screen capture Tessera knows".into(),
        })
    }
}

/// A window to wait for, as the windowing system names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WindowId {
    /// An X11 window id (XID).
    X11(u32),
    /// A window the system gives no id for that this crate can ask about
    /// (Wayland, macOS, Windows).
    Other,
}

/// Waits until `window` is no longer on the screen, at most `timeout`, and
/// for the windows it uncovered to redraw. On X11 (without Wayland) the X
/// server says when the window is unmapped; elsewhere nothing can tell, so
/// this waits a fixed half second and assumes it gone. False if it was
/// still shown at the deadline.
pub fn wait_until_hidden(window: WindowId, timeout: Duration) -> Result<bool, SourceError> {
    // Uncovered windows redraw when the X server asks them to: a local
    // client takes a few milliseconds, a busy one longer.
    let settle = Duration::from_millis(120);
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        if let (WindowId::X11(id), false, true) = (window, set("WAYLAND_DISPLAY"), set("DISPLAY")) {
            return x11::wait_until_unmapped(id, timeout, settle);
        }
    }
    let _ = (window, timeout, settle);
    std::thread::sleep(Duration::from_millis(500));
    Ok(true)
}

/// Captures every monitor and decodes the QR codes on them.
pub fn scan_screens(limits: &ImageLimits) -> Result<Vec<ScreenCode>, SourceError> {
    let mut found = Vec::new();
    for screenshot in capture_screens(limits)? {
        for code in decode(&screenshot.image) {
            found.push(ScreenCode {
                monitor: screenshot.monitor.clone(),
                code,
            });
        }
    }
    Ok(found)
}
