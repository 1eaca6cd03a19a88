//! macOS and Windows capture through xcap, which uses the system's own
//! frameworks there (CoreGraphics, DXGI/GDI): libraries every program on
//! those systems loads anyway, so they cost nothing at start-up.

use image::DynamicImage;

use super::Screenshot;
use crate::source::{ImageLimits, SourceError};

/// Captures every monitor.
pub(super) fn capture(limits: &ImageLimits) -> Result<Vec<Screenshot>, SourceError> {
    let failed = |error: xcap::XCapError| SourceError::ScreenCaptureFailed {
        reason: error.to_string(),
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
        limits.check_dimensions(monitor.width().unwrap_or(0), monitor.height().unwrap_or(0))?;
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
