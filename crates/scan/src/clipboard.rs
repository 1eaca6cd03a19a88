//! Clipboard images: "copy image" in a browser, or a screenshot tool that
//! puts its result on the clipboard, is the quickest way to hand Tessera a
//! QR code without saving a file.

use image::{DynamicImage, RgbaImage};

use crate::source::{ImageLimits, SourceError};

fn unavailable(error: arboard::Error) -> SourceError {
    SourceError::ClipboardUnavailable {
        reason: error.to_string(),
    }
}

/// The image on the clipboard.
pub fn clipboard_image(limits: &ImageLimits) -> Result<DynamicImage, SourceError> {
    let mut clipboard = arboard::Clipboard::new().map_err(unavailable)?;
    clipboard_image_from(&mut clipboard, limits)
}

/// The image on the clipboard, read through a clipboard the caller keeps
/// open (a program that watches the clipboard reads it every second, and
/// on X11 each new `arboard::Clipboard` is a new connection and thread).
pub fn clipboard_image_from(
    clipboard: &mut arboard::Clipboard,
    limits: &ImageLimits,
) -> Result<DynamicImage, SourceError> {
    let data = match clipboard.get_image() {
        Ok(data) => data,
        Err(arboard::Error::ContentNotAvailable) => return Err(SourceError::NoImageOnClipboard),
        // On X11 arboard reports text where an image was asked for as an
        // unknown error ("incorrect type received"): if there is text, the
        // answer is simply that there is no image.
        Err(error) if clipboard.get_text().is_ok() => {
            drop(error);
            return Err(SourceError::NoImageOnClipboard);
        }
        Err(error) => return Err(unavailable(error)),
    };
    let (width, height) = (
        u32::try_from(data.width).unwrap_or(u32::MAX),
        u32::try_from(data.height).unwrap_or(u32::MAX),
    );
    limits.check_dimensions(width, height)?;
    let image = RgbaImage::from_raw(width, height, data.bytes.into_owned()).ok_or_else(|| {
        SourceError::ClipboardUnavailable {
            reason: "the clipboard image has the wrong number of bytes for its size".into(),
        }
    })?;
    Ok(DynamicImage::ImageRgba8(image))
}
