//! Tessera's QR scanner: finds enrollment QR codes in pictures and says what
//! they hold.
//!
//! People without a phone enroll by scanning the QR code a web page shows:
//! from the screen, a saved screenshot, the clipboard, or a printout or
//! second screen held up to the webcam. This crate is that path, GUI-free:
//!
//! * [`decode`] — a pure function from an image to every QR code in it,
//!   built on two pure-Rust engines (rqrr and rxing) with clean-up passes
//!   around them, cheapest first; panics inside the engines are contained.
//! * Sources, each giving an image for [`decode`]: [`load_image_file`] and
//!   [`load_image_bytes`] (PNG, JPEG, WebP, GIF, BMP, with [`ImageLimits`]
//!   against decompression bombs), `clipboard_image` (feature `clipboard`),
//!   `capture_screens` / `scan_screens` (feature `screen`: X11, and Wayland
//!   through the screenshot portal), and the webcam: [`CameraScanner`]
//!   decodes frames from any [`FrameSource`] (a `Webcam`, feature `camera`,
//!   or [`RecordedFrames`]) on a background thread until the first
//!   enrollment. All report a [`SourceError`].
//! * [`classify`] — a code's text to a [`Payload`] (`otpauth://` gives one
//!   account, a Google Authenticator `otpauth-migration://` export gives
//!   several, read by [`tessera_otp::migration`], whose
//!   [`SeriesCollector`](tessera_otp::migration::SeriesCollector) tracks
//!   multi-code exports), or a [`PayloadError`] saying what the code holds
//!   instead.
//!
//! # Example
//!
//! ```
//! use tessera_scan::{classify, decode_luma, Payload};
//! # let image = {
//! #     let code = qrcode::QrCode::new(b"otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP").unwrap();
//! #     code.render::<image::Luma<u8>>().module_dimensions(3, 3).build()
//! # };
//! // `image` is a grey image with an enrollment code in it.
//! let codes = decode_luma(&image);
//! let Ok(Payload::Account(account)) = classify(&codes[0].text) else { panic!() };
//! assert_eq!(account.issuer, "Example");
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod camera;
#[cfg(feature = "clipboard")]
mod clipboard;
mod decode;
mod engines;
mod payload;
mod preprocess;
#[cfg(feature = "screen")]
mod screen;
mod source;
mod text;

pub use camera::{
    frame_to_grey, preview_frame, CameraDevice, CameraEvent, CameraScanner, FrameSource,
    PixelLayout, RawFrame, RecordedFrames, CAMERA_FRAME_RATE, CAMERA_RESOLUTION,
};
#[cfg(feature = "camera")]
pub use camera::{list_cameras, Webcam};
#[cfg(feature = "clipboard")]
pub use clipboard::{clipboard_image, clipboard_image_from};

pub use decode::{
    decode, decode_luma, decode_with, to_grey, DecodeOptions, DecodeReport, DecodedCode, Effort,
};
pub use payload::{classify, Payload, PayloadError, QrContent};
#[cfg(feature = "screen")]
pub use screen::{
    capture_screens, scan_screens, wait_until_hidden, Desktop, Region, ScreenCode, Screenshot,
    WindowId,
};
pub use source::{load_image_bytes, load_image_file, ImageLimits, SourceError};
