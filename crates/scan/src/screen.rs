//! Screen capture: a picture of every monitor, to find the QR code a web
//! page is showing.
//!
//! The webview cannot capture the screen on Linux, so capture happens here,
//! through xcap: X11 directly (XCB, every monitor XRandR knows), and on
//! Wayland through the xdg-desktop-portal screenshot interface (xcap asks
//! the portal, then GNOME Shell, then wlroots' screencopy). Where neither
//! works — no graphical session, a Wayland desktop without a portal, a
//! denied request — the error says so in words.

use image::DynamicImage;

use crate::decode::{decode, DecodedCode};
use crate::source::{ImageLimits, SourceError};

/// One monitor's picture.
#[derive(Debug, Clone)]
pub struct Screenshot {
    /// The monitor's name as the system reports it (e.g. `DP-1`).
    pub monitor: String,
    /// Where the monitor's top-left corner is on the desktop, in pixels.
    pub origin: (i32, i32),
    /// What it showed.
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

/// Captures every monitor.
pub fn capture_screens(limits: &ImageLimits) -> Result<Vec<Screenshot>, SourceError> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(SourceError::NoDisplay);
    }
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some();
    let failed = |error: xcap::XCapError| SourceError::ScreenCaptureFailed {
        reason: if wayland {
            format!(
                "on Wayland, Tessera needs XWayland to list the monitors and the \
                 xdg-desktop-portal screenshot interface (or GNOME Shell or a wlroots \
                 compositor) to capture them ({error})"
            )
        } else {
            error.to_string()
        },
    };
    let monitors = xcap::Monitor::all().map_err(failed)?;
    if monitors.is_empty() {
        return Err(SourceError::ScreenCaptureFailed {
            reason: "the display reports no monitors".into(),
        });
    }
    let mut screenshots = Vec::with_capacity(monitors.len());
    for (number, monitor) in monitors.iter().enumerate() {
        let name = monitor
            .name()
            .unwrap_or_else(|_| format!("monitor {}", number + 1));
        let origin = (monitor.x().unwrap_or(0), monitor.y().unwrap_or(0));
        let image = monitor.capture_image().map_err(failed)?;
        limits.check_dimensions(image.width(), image.height())?;
        screenshots.push(Screenshot {
            monitor: name,
            origin,
            image: DynamicImage::ImageRgba8(image),
        });
    }
    Ok(screenshots)
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
