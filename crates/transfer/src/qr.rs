//! QR codes as PNG images (one account, or one Google migration batch), as
//! text for a terminal, and as module grids for the paper backup.
//!
//! Drawn from `qrcode`'s module grid and encoded with `png`, so no image
//! library is needed. Error correction level M (15 %) keeps codes small
//! enough to scan from a screen while surviving a smudge on paper. The
//! PNG bytes hold the secret and are returned in a zeroizing buffer; the
//! `qrcode` and `png` crates' own working buffers are not wiped.

use qrcode::{Color, EcLevel, QrCode};
use tessera_otp::Enrollment;
use zeroize::Zeroizing;

use crate::entry::account_label;
use crate::error::ExportError;

/// Pixels per QR module in the PNGs.
pub const PIXELS_PER_MODULE: usize = 8;
/// Light modules around the code, as the QR standard asks for.
pub const QUIET_ZONE_MODULES: usize = 4;

/// A QR code's modules, row by row, `true` for dark.
pub(crate) struct ModuleGrid {
    /// Modules per side.
    pub width: usize,
    /// `width * width` modules.
    pub dark: Zeroizing<Vec<bool>>,
}

/// Encodes `text` as a QR code grid; `what` names it in the error.
pub(crate) fn grid(text: &str, what: impl FnOnce() -> String) -> Result<ModuleGrid, ExportError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| ExportError::TooLongForQr { what: what() })?;
    let width = code.width();
    let dark = Zeroizing::new(
        code.to_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect(),
    );
    Ok(ModuleGrid { width, dark })
}

/// `text` as a QR code PNG (8-bit grey, black on white, with the quiet
/// zone).
pub fn png(text: &str) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    png_of(&grid(text, || "the text".into())?)
}

/// One account's `otpauth://` URI as a QR code PNG, for moving it to a
/// phone.
pub fn account_png(enrollment: &Enrollment) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let uri = tessera_otp::uri::format(enrollment);
    png_of(&grid(&uri, || {
        format!(
            "the account {}",
            account_label(&enrollment.issuer, &enrollment.name)
        )
    })?)
}

/// One account's `otpauth://` URI as a QR code drawn with Unicode half
/// blocks (two modules a character cell), dark on light whatever the
/// terminal's colours, for scanning straight off the terminal.
pub fn account_terminal(enrollment: &Enrollment) -> Result<Zeroizing<String>, ExportError> {
    let uri = tessera_otp::uri::format(enrollment);
    let grid = grid(&uri, || {
        format!(
            "the account {}",
            account_label(&enrollment.issuer, &enrollment.name)
        )
    })?;
    Ok(terminal_of(&grid))
}

/// Draws a grid with a 2-module quiet zone; each character is one column of
/// two module rows. Dark modules are drawn as full or half blocks in black
/// on an explicit white background, so dark terminals show the same code as
/// light ones.
fn terminal_of(grid: &ModuleGrid) -> Zeroizing<String> {
    const QUIET: usize = 2;
    let side = grid.width + 2 * QUIET;
    let dark = |x: usize, y: usize| {
        x >= QUIET
            && y >= QUIET
            && x < QUIET + grid.width
            && y < QUIET + grid.width
            && grid.dark[(y - QUIET) * grid.width + (x - QUIET)]
    };
    let mut out = Zeroizing::new(String::with_capacity(side * side * 2));
    for y in (0..side).step_by(2) {
        // Black foreground on a white background.
        out.push_str("\x1b[30;47m");
        for x in 0..side {
            let top = dark(x, y);
            let bottom = y + 1 < side && dark(x, y + 1);
            out.push(match (top, bottom) {
                (false, false) => ' ',
                (true, false) => '▀',
                (false, true) => '▄',
                (true, true) => '█',
            });
        }
        out.push_str("\x1b[0m\n");
    }
    out
}

/// Renders a grid to PNG bytes.
pub(crate) fn png_of(grid: &ModuleGrid) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let modules = grid.width + 2 * QUIET_ZONE_MODULES;
    let side = modules * PIXELS_PER_MODULE;
    let mut pixels = Zeroizing::new(vec![255u8; side * side]);
    for y in 0..grid.width {
        for x in 0..grid.width {
            if !grid.dark[y * grid.width + x] {
                continue;
            }
            let left = (x + QUIET_ZONE_MODULES) * PIXELS_PER_MODULE;
            let top = (y + QUIET_ZONE_MODULES) * PIXELS_PER_MODULE;
            for row in top..top + PIXELS_PER_MODULE {
                pixels[row * side + left..row * side + left + PIXELS_PER_MODULE].fill(0);
            }
        }
    }
    // Room for the whole uncompressed image up front, so growing the buffer
    // never leaves a copy behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(side * side + side + 1024));
    {
        let side = side as u32;
        let mut encoder = png::Encoder::new(&mut *bytes, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let image_error = |error: png::EncodingError| ExportError::Image(error.to_string());
        let mut writer = encoder.write_header().map_err(image_error)?;
        writer.write_image_data(&pixels).map_err(image_error)?;
        writer.finish().map_err(image_error)?;
    }
    Ok(bytes)
}

/// Test helper: decodes the single QR code in a PNG written here.
#[cfg(test)]
pub(crate) fn decode_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "expected one QR code");
    grids[0].decode().unwrap().1
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{OtpParams, Secret};

    #[test]
    fn terminal_rendering_draws_every_module() {
        let enrollment =
            tessera_otp::uri::parse("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP").unwrap();
        let text = account_terminal(&enrollment).unwrap();
        let grid = grid(&tessera_otp::uri::format(&enrollment), String::new).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), (grid.width + 4).div_ceil(2));
        // Count dark modules back out of the half blocks.
        let drawn: usize = text
            .chars()
            .map(|c| match c {
                '█' => 2,
                '▀' | '▄' => 1,
                _ => 0,
            })
            .sum();
        assert_eq!(drawn, grid.dark.iter().filter(|d| **d).count());
    }

    #[test]
    fn account_qr_decodes_to_its_uri() {
        let enrollment = Enrollment {
            issuer: "Example".into(),
            name: "alice@example.com".into(),
            secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            params: OtpParams::totp(),
        };
        let png = account_png(&enrollment).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let text = decode_png(&png);
        assert_eq!(text, *tessera_otp::uri::format(&enrollment));
        assert_eq!(tessera_otp::uri::parse(&text).unwrap(), enrollment);
    }

    #[test]
    fn text_too_long_for_any_qr_code_is_an_error() {
        let error = png(&"x".repeat(5000)).unwrap_err();
        assert_eq!(
            error,
            ExportError::TooLongForQr {
                what: "the text".into()
            }
        );
    }
}
