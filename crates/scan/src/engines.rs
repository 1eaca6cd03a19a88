//! The two QR engines behind [`crate::decode`], each wrapped so that a panic
//! inside it costs one attempt, never the caller.
//!
//! * rqrr (a port of quirc) finds finder patterns with flood fills and reads
//!   the grid through a perspective fitted to them. It is robust on clean
//!   images and accepts a binarisation made here.
//! * rxing (a port of ZXing, whose QR reader follows zxing-cpp's) scans rows
//!   for the 1:1:3:1:1 finder ratio on its own local-average binarisation and
//!   samples the grid through the alignment patterns. It reads blurred and
//!   perspective-distorted photos that rqrr misses.
//!
//! Both are pure Rust. Codes that rqrr finds are read with rxing's bit-stream
//! decoder, so character sets, ECI and structured append are handled one
//! way whichever engine found the code.
//!
//! rqrr 0.11 panics on some real photos (an assertion in its perspective
//! code, upstream issue 54), and a webcam feeds the decoder thousands of
//! frames, so every engine call runs inside [`std::panic::catch_unwind`],
//! with a process-wide panic hook that stays silent for panics caught here.

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use image::GrayImage;
use rxing::common::{BitMatrix, HybridBinarizer};
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, LuminanceSource};

use crate::text::bytes_to_text;

/// A QR code one engine read, in the coordinates of the image it was given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EngineHit {
    /// The decoded content as text.
    pub text: String,
    /// The code's corners (or finder-pattern centres), in image pixels.
    pub corners: Vec<(f32, f32)>,
}

/// What an engine call gave: the codes it read, or that it panicked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EngineOutcome {
    /// The engine ran to the end; the list may be empty.
    Finished(Vec<EngineHit>),
    /// The engine panicked; the panic was contained.
    Panicked,
}

thread_local! {
    /// Set while this thread runs an engine under `contain`, so the panic
    /// hook knows the panic will be caught and handled.
    static INSIDE_ENGINE: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

/// Installs, once per process, a panic hook that says nothing about panics
/// raised inside an engine call (they are caught and counted as a failed
/// attempt) and hands every other panic to the hook that was there before.
fn install_quiet_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !INSIDE_ENGINE.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `work`, turning a panic into [`EngineOutcome::Panicked`].
fn contain(work: impl FnOnce() -> Vec<EngineHit>) -> EngineOutcome {
    install_quiet_hook();
    let was_inside = INSIDE_ENGINE.with(|flag| flag.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    INSIDE_ENGINE.with(|flag| flag.set(was_inside));
    match result {
        Ok(hits) => EngineOutcome::Finished(hits),
        Err(_) => EngineOutcome::Panicked,
    }
}

/// Finds and reads QR codes with rqrr in a binarised image made here:
/// `width`×`height` bytes, row-major, 1 for dark. (rqrr's own binarisation,
/// a moving average along each row, read fewer corpus photos than the
/// local-mean one in `preprocess`.)
pub(crate) fn rqrr_read(width: usize, height: usize, dark: &[u8]) -> EngineOutcome {
    contain(|| {
        let mut prepared = rqrr::PreparedImage::prepare_from_bitmap(width, height, |x, y| {
            dark[y * width + x] != 0
        });
        let mut hits = Vec::new();
        for grid in prepared.detect_grids() {
            let corners = grid
                .bounds
                .iter()
                .map(|point| (point.x as f32, point.y as f32))
                .collect();
            if let Some(text) = read_rqrr_grid(&grid) {
                hits.push(EngineHit { text, corners });
            }
        }
        hits
    })
}

/// Reads the modules rqrr sampled: with rxing's decoder first (it knows
/// ECI, character sets and mirrored codes), then with rqrr's own.
fn read_rqrr_grid<G: rqrr::BitGrid>(grid: &rqrr::Grid<G>) -> Option<String> {
    let size = grid.grid.size();
    let mut modules = BitMatrix::with_single_dimension(size as u32).ok()?;
    for y in 0..size {
        for x in 0..size {
            if grid.grid.bit(y, x) {
                modules.set(x as u32, y as u32);
            }
        }
    }
    if let Ok(result) = rxing::qrcode::cpp_port::decoder::Decode(&modules) {
        if result.isValid() {
            return Some(result.text());
        }
    }
    let mut bytes = Vec::new();
    grid.decode_to(&mut bytes).ok()?;
    Some(bytes_to_text(&bytes))
}

/// Finds and reads QR codes with rxing's zxing-cpp port, binarising with
/// ZXing's hybrid (local 8×8-block average) binariser. `try_harder` scans
/// every row for finder patterns instead of every few (codes at two pixels
/// per module need it); `inverted` reads light codes on dark grounds, without
/// copying the image.
pub(crate) fn rxing_read(image: &GrayImage, try_harder: bool, inverted: bool) -> EngineOutcome {
    contain(|| {
        let Ok(mut source) =
            Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height())
        else {
            return Vec::new();
        };
        if inverted {
            source.invert();
        }
        let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        let hints = DecodeHints {
            TryHarder: Some(try_harder),
            PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
            ..DecodeHints::default()
        };
        let Ok(results) = QrReader.decode_multiple_with_hints(&mut bitmap, &hints) else {
            return Vec::new();
        };
        results
            .into_iter()
            .map(|result| EngineHit {
                text: result.getText().to_owned(),
                corners: result
                    .getPoints()
                    .iter()
                    .map(|point| (point.x, point.y))
                    .collect(),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_an_engine_is_contained() {
        let outcome = contain(|| panic!("engine bug"));
        assert_eq!(outcome, EngineOutcome::Panicked);
        // The flag is cleared again, so later panics elsewhere are reported.
        assert!(!INSIDE_ENGINE.with(Cell::get));
    }

    /// The corpus photos that make rqrr 0.11 panic (upstream issue 54), when
    /// the shared corpus is beside the workspace (CI has it; the test says
    /// it is skipped otherwise).
    #[test]
    fn rqrr_panics_on_real_photos_are_contained() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpora/qr-blackbox");
        if !corpus.is_dir() {
            eprintln!("skipped: {} not found", corpus.display());
            return;
        }
        for file in ["qrcode-6/7.png", "cpp-qrcode-6/7.png"] {
            let grey = image::open(corpus.join(file)).unwrap().to_luma8();
            let dark = crate::preprocess::adaptive_threshold(&grey, 24, 6);
            let outcome = rqrr_read(grey.width() as usize, grey.height() as usize, &dark);
            assert_eq!(
                outcome,
                EngineOutcome::Panicked,
                "{file}: rqrr 0.11 panics here; if it no longer does, rqrr was fixed upstream"
            );
            // The whole decoder reads it (rxing's pass comes first) and
            // never panics either way.
            assert_eq!(crate::decode::decode_luma(&grey).len(), 1, "{file}");
        }
        assert!(!INSIDE_ENGINE.with(Cell::get));
    }

    #[test]
    fn engines_find_nothing_in_a_blank_image() {
        let blank = GrayImage::from_pixel(64, 48, image::Luma([255]));
        assert_eq!(
            rqrr_read(64, 48, &[0; 64 * 48]),
            EngineOutcome::Finished(vec![])
        );
        assert_eq!(
            rxing_read(&blank, true, false),
            EngineOutcome::Finished(vec![])
        );
    }
}
