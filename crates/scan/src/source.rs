//! Where images come from, and the one error type all sources share.
//!
//! Every source ends in the same place, a [`DynamicImage`] or a grey frame
//! for [`crate::decode`], so the app and the command line can offer "scan a
//! file", "scan the clipboard", "scan the screen" and "scan with the webcam"
//! with one error type to show. Image files are the source most exposed to
//! hostile input (a download, a drag-and-drop from anywhere), so loading
//! caps the file size and the decoded dimensions before allocating: a
//! 100-kilobyte PNG can claim to be 100 000 × 100 000 pixels.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageError, ImageFormat, ImageReader};

/// Why an image could not be had from a source. Each message says what to
/// do or what is wrong in words a user can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`ImageLimits::max_file_bytes`].
    #[error("{} is {}, more than the {} an image to scan may have", path.display(), human_size(*size), human_size(*limit))]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The data is not an image in a format this build reads.
    #[error("not a PNG, JPEG, WebP, GIF or BMP image")]
    UnsupportedFormat,
    /// The image is larger than [`ImageLimits`] allow once decoded.
    #[error("the image is too large to scan (at most {max_side} pixels a side and {max_megapixels} megapixels)")]
    ImageTooLarge {
        /// The longest side allowed.
        max_side: u32,
        /// The most pixels allowed, in millions.
        max_megapixels: u64,
    },
    /// The image data is damaged.
    #[error("the image is damaged: {reason}")]
    CorruptImage {
        /// What the image decoder said.
        reason: String,
    },
    /// The clipboard holds no image (maybe text, or nothing).
    #[error("the clipboard holds no image; copy a picture of the QR code first")]
    NoImageOnClipboard,
    /// The clipboard could not be opened or read.
    #[error("cannot read the clipboard: {reason}")]
    ClipboardUnavailable {
        /// What went wrong.
        reason: String,
    },
    /// No graphical session to capture: neither X11 nor Wayland.
    #[error("cannot capture the screen: no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)")]
    NoDisplay,
    /// Screen capture failed (a Wayland desktop without the screenshot
    /// portal, a denied request, an X server error, …).
    #[error("cannot capture the screen: {reason}")]
    ScreenCaptureFailed {
        /// What went wrong.
        reason: String,
    },
    /// The desktop (or its user) refused to let this program take a
    /// screenshot: a Wayland portal that asked and was told no, or whose
    /// settings forbid it.
    #[error("cannot capture the screen: the desktop refused the screenshot; allow Tessera to take screenshots (in the desktop's privacy settings), or scan a saved screenshot instead")]
    ScreenCaptureDenied,
    /// No camera is connected (or none is visible to this program).
    #[error("no camera found; connect a webcam, or scan a screenshot or image file instead")]
    NoCamera,
    /// The camera chosen is not in the list (it was unplugged).
    #[error("camera {index} is not available (it may have been unplugged)")]
    CameraNotFound {
        /// The index asked for.
        index: u32,
    },
    /// Another program is using the camera.
    #[error("the camera is busy: another program is using it; close that program and try again")]
    CameraBusy,
    /// The system refused access to the camera.
    #[error("access to the camera was denied; allow camera access for Tessera (on Linux: membership of the 'video' group)")]
    CameraPermissionDenied,
    /// The camera failed in some other way.
    #[error("the camera failed: {reason}")]
    CameraFailed {
        /// What went wrong.
        reason: String,
    },
}

/// A file size as people read it: "64 MiB", "3.0 GiB", "812 bytes".
fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else if bytes >= MIB {
        format!("{:.0} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

/// Caps on the images a source hands over, against decompression bombs and
/// accidental huge files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// The longest side accepted, in pixels.
    pub max_side: u32,
    /// The most pixels accepted (width × height).
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    /// 64 MiB files, 16 384 pixels a side, 64 megapixels: room for an 8K
    /// screenshot or a 48-megapixel phone photo, and at most a few hundred
    /// megabytes of memory while decoding.
    fn default() -> Self {
        ImageLimits {
            max_file_bytes: 64 * 1024 * 1024,
            max_side: 16_384,
            max_pixels: 64_000_000,
        }
    }
}

impl ImageLimits {
    fn too_large(&self) -> SourceError {
        SourceError::ImageTooLarge {
            max_side: self.max_side,
            max_megapixels: self.max_pixels / 1_000_000,
        }
    }

    /// Checks dimensions known before decoding (clipboard, screen).
    pub(crate) fn check_dimensions(&self, width: u32, height: u32) -> Result<(), SourceError> {
        if width > self.max_side
            || height > self.max_side
            || u64::from(width) * u64::from(height) > self.max_pixels
        {
            return Err(self.too_large());
        }
        Ok(())
    }
}

/// Reads an image file (PNG, JPEG, WebP, GIF or BMP, told apart by content,
/// not by name) within `limits`.
pub fn load_image_file(path: &Path, limits: &ImageLimits) -> Result<DynamicImage, SourceError> {
    let io_error = |source| SourceError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    let too_large = |size| SourceError::FileTooLarge {
        path: path.to_owned(),
        size,
        limit: limits.max_file_bytes,
    };
    if size > limits.max_file_bytes {
        return Err(too_large(size));
    }
    // The file may grow between the check and the read: read one byte past
    // the limit at most.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    load_image_bytes(&bytes, limits)
}

/// Decodes an image held in memory (a drag-and-drop payload, a download)
/// within `limits`.
pub fn load_image_bytes(bytes: &[u8], limits: &ImageLimits) -> Result<DynamicImage, SourceError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(SourceError::ImageTooLarge {
            max_side: limits.max_side,
            max_megapixels: limits.max_pixels / 1_000_000,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| SourceError::CorruptImage {
            reason: error.to_string(),
        })?;
    let format = match reader.format() {
        Some(
            format @ (ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::WebP
            | ImageFormat::Gif
            | ImageFormat::Bmp),
        ) => format,
        _ => return Err(SourceError::UnsupportedFormat),
    };
    // Check the header's dimensions before any pixel buffer exists.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|error| image_error(error, limits))?;
    limits.check_dimensions(width, height)?;
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    // Four bytes a pixel (RGBA) plus room for the decoder's own buffers.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(decoder_limits);
    reader.decode().map_err(|error| image_error(error, limits))
}

fn image_error(error: ImageError, limits: &ImageLimits) -> SourceError {
    match error {
        ImageError::Limits(_) => limits.too_large(),
        ImageError::Unsupported(_) => SourceError::UnsupportedFormat,
        other => SourceError::CorruptImage {
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    #[test]
    fn every_supported_format_loads() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(20, 10, |x, y| {
            image::Rgb([(x * 12) as u8, (y * 25) as u8, 128])
        }));
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::WebP,
            ImageFormat::Gif,
            ImageFormat::Bmp,
        ] {
            let loaded = load_image_bytes(&encode(&image, format), &ImageLimits::default())
                .unwrap_or_else(|error| panic!("{format:?}: {error}"));
            assert_eq!((loaded.width(), loaded.height()), (20, 10), "{format:?}");
        }
    }

    #[test]
    fn files_load_and_name_themselves_in_errors() {
        let folder =
            std::env::temp_dir().join(format!("tessera-scan-source-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let png = folder.join("code.png");
        let image = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(8, 8, image::Luma([9])));
        std::fs::write(&png, encode(&image, ImageFormat::Png)).unwrap();
        assert_eq!(
            load_image_file(&png, &ImageLimits::default())
                .unwrap()
                .width(),
            8
        );

        let missing = folder.join("missing.png");
        let error = load_image_file(&missing, &ImageLimits::default()).unwrap_err();
        assert!(matches!(error, SourceError::Io { .. }));
        assert!(error.to_string().contains("missing.png"), "{error}");

        let small_limit = ImageLimits {
            max_file_bytes: 10,
            ..ImageLimits::default()
        };
        let error = load_image_file(&png, &small_limit).unwrap_err();
        assert!(
            matches!(error, SourceError::FileTooLarge { limit: 10, .. }),
            "{error}"
        );

        let text = folder.join("notes.png");
        std::fs::write(&text, "otpauth://totp/x?secret=AAAA").unwrap();
        assert!(matches!(
            load_image_file(&text, &ImageLimits::default()),
            Err(SourceError::UnsupportedFormat)
        ));
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A valid PNG header claiming 100 000 × 100 000 pixels: 10 gigapixels
        // in a few hundred bytes. It must be refused from its header.
        let small = encode(
            &DynamicImage::ImageLuma8(image::GrayImage::new(1, 1)),
            ImageFormat::Png,
        );
        let mut bomb = small.clone();
        // IHDR data starts at byte 16: width and height, big-endian.
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // Fix the IHDR CRC so the header itself is valid.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let error = load_image_bytes(&bomb, &ImageLimits::default()).unwrap_err();
        assert!(
            matches!(
                error,
                SourceError::ImageTooLarge {
                    max_side: 16_384,
                    ..
                }
            ),
            "{error}"
        );
        // Within the side limit but over the pixel limit.
        let tight = ImageLimits {
            max_pixels: 10,
            ..ImageLimits::default()
        };
        let error = load_image_bytes(
            &encode(
                &DynamicImage::ImageLuma8(image::GrayImage::new(4, 4)),
                ImageFormat::Png,
            ),
            &tight,
        )
        .unwrap_err();
        assert!(
            matches!(error, SourceError::ImageTooLarge { .. }),
            "{error}"
        );
    }

    #[test]
    fn damaged_images_are_reported() {
        let mut png = encode(
            &DynamicImage::ImageLuma8(image::GrayImage::new(64, 64)),
            ImageFormat::Png,
        );
        png.truncate(png.len() / 2);
        let error = load_image_bytes(&png, &ImageLimits::default()).unwrap_err();
        assert!(matches!(error, SourceError::CorruptImage { .. }), "{error}");
    }

    /// CRC-32 as PNG chunks use it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn sizes_in_errors_read_as_people_say_them() {
        let error = SourceError::FileTooLarge {
            path: PathBuf::from("huge.png"),
            size: 3 << 30,
            limit: 64 << 20,
        };
        assert_eq!(
            error.to_string(),
            "huge.png is 3.0 GiB, more than the 64 MiB an image to scan may have"
        );
        assert_eq!(human_size(812), "812 bytes");
    }
}
