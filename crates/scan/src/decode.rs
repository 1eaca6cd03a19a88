//! The pure decoder: an image in, every QR code found in it out.
//!
//! Decoding is a ladder of passes, cheapest first, stopping at the first
//! pass that finds anything. Most images (screenshots, clean photos) are
//! read by the first pass in well under a millisecond; blurred, inverted,
//! oversized or low-contrast codes fall through to heavier passes. The
//! order and the choice of passes were measured on the qr-blackbox corpus
//! (316 real photos, see `docs/scanning.md` and `benches/decode.rs`):
//!
//! 1. rxing on the full-resolution grey image (zxing-cpp's detector);
//! 2. rxing on the inverted image (light codes on dark pages);
//! 3. rxing on the image halved by block averaging (large, blurred or moiré
//!    codes), when the half is still big enough to hold a code;
//! 4. rqrr on a local-mean binarisation made here (rqrr's detector finds
//!    codes rxing's misses), and on its inverse;
//! 5. rxing on the image doubled (codes at one or two pixels per module);
//! 6. rxing on a contrast-stretched image and on a quarter-size image.
//!
//! Every pass declares its cost in pixels handled; a per-image work budget
//! ([`DecodeOptions::max_work_pixels`]) stops the ladder, so a huge or
//! pathological image cannot take seconds. Nothing here reads the clock,
//! the disk or global state: the same image always gives the same answer.

use image::{DynamicImage, GrayImage};

use crate::engines::{rqrr_read, rxing_read, EngineHit, EngineOutcome};
use crate::preprocess::{
    adaptive_threshold, downscale, mean_brightness, stretch_contrast, upscale,
};

/// One QR code found in an image.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedCode {
    /// What the code holds, as text (byte-mode content is decoded as UTF-8,
    /// Shift-JIS or ISO-8859-1, whichever fits, unless the code names its
    /// character set).
    pub text: String,
    /// Where the code is, in pixels of the image passed in: its corners or
    /// its finder-pattern centres, depending on the engine that read it.
    pub corners: Vec<(f32, f32)>,
}

/// How hard [`decode_with`] tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Effort {
    /// Only the fast passes (1–3): for webcam frames, where the next frame
    /// is another chance a few tens of milliseconds later.
    Quick,
    /// Every pass, until one finds a code or the work budget runs out: for
    /// a single file, screenshot or clipboard image.
    Thorough,
}

/// Settings for [`decode_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Which passes may run.
    pub effort: Effort,
    /// The most pixels all passes together may handle, counting each pass
    /// by the size of the image it works on (rqrr passes count sixteen
    /// times, as rqrr is about that much slower). A pass that would go over
    /// it is skipped, except the first, which always runs. The default
    /// bounds a screenshot with no code in it to about 0.1 s at 1920×1080
    /// and 0.2 s at 3840×2160 (measured by `benches/decode.rs`).
    pub max_work_pixels: u64,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            effort: Effort::Thorough,
            // Every pass on a 1920×1080 screenshot; on 3840×2160 all but
            // the second rqrr pass and the rxing passes after it.
            max_work_pixels: 80_000_000,
        }
    }
}

impl DecodeOptions {
    /// The fast passes only, as for webcam frames.
    pub fn quick() -> Self {
        DecodeOptions {
            effort: Effort::Quick,
            ..DecodeOptions::default()
        }
    }
}

/// What [`decode_with`] found and what it took.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodeReport {
    /// The codes found, each text once, in the order found.
    pub codes: Vec<DecodedCode>,
    /// Names of the passes that ran, in order (for diagnostics and tuning).
    pub passes_run: Vec<&'static str>,
    /// How many engine panics were contained (rqrr 0.11 panics on some
    /// photos); each cost one pass, never the caller.
    pub panics_contained: u32,
    /// Pixels handled, as counted against the work budget.
    pub work_pixels: u64,
}

/// Finds every QR code in `image` and returns what they hold: the thorough
/// ladder with the default work budget. Colour and transparency are
/// flattened first (transparent pixels count as white, as a viewer shows
/// them), so a black code on a transparent PNG reads.
pub fn decode(image: &DynamicImage) -> Vec<DecodedCode> {
    decode_with(&to_grey(image), &DecodeOptions::default()).codes
}

/// [`decode`] for an image that is already grey.
pub fn decode_luma(image: &GrayImage) -> Vec<DecodedCode> {
    decode_with(image, &DecodeOptions::default()).codes
}

/// Converts any image to 8-bit grey, compositing transparency over white.
pub fn to_grey(image: &DynamicImage) -> GrayImage {
    if !image.color().has_alpha() {
        return image.to_luma8();
    }
    let grey_alpha = image.to_luma_alpha8();
    let (width, height) = grey_alpha.dimensions();
    let flattened = grey_alpha
        .pixels()
        .map(|pixel| {
            let [value, alpha] = pixel.0;
            let (value, alpha) = (u32::from(value), u32::from(alpha));
            ((value * alpha + 255 * (255 - alpha) + 127) / 255) as u8
        })
        .collect();
    GrayImage::from_raw(width, height, flattened).expect("one byte per pixel")
}

/// The smallest side, in pixels, an image handed to an engine may have:
/// below it no code with a usable number of pixels per module fits, and
/// tiny images are where misreads come from (ZXing read a 64-pixel
/// quarter-size copy of a corpus photo as different, wrong text).
const MIN_ENGINE_SIDE: u32 = 120;

/// rqrr's detector cost grows faster than the pixel count, so its passes
/// work on at most this many pixels (a 1920×1080 screen), downscaling by
/// whole factors to fit.
const MAX_RQRR_PIXELS: u64 = 1920 * 1080;

/// rqrr takes about 17 times as long as rxing on the same image (corpus
/// medians 5.7 ms and 0.34 ms), which the work budget accounts for.
const RQRR_COST_FACTOR: u64 = 16;

/// Runs the decoding ladder on a grey image; see the module documentation.
pub fn decode_with(image: &GrayImage, options: &DecodeOptions) -> DecodeReport {
    let mut ladder = Ladder {
        options,
        report: DecodeReport::default(),
    };
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return ladder.report;
    }
    let pixels = u64::from(width) * u64::from(height);
    let min_side = width.min(height);

    // 1–3: rxing, the fast engine: as is and inverted (the inverted pass
    // first on mostly dark images, where a dark-mode page is likely), then
    // halved.
    let dark_first = mean_brightness(image) < 100;
    for inverted in [dark_first, !dark_first] {
        let name = if inverted { "rxing-inverted" } else { "rxing" };
        if ladder.run(name, pixels, 1.0, || rxing_read(image, true, inverted)) {
            return ladder.report;
        }
    }
    if min_side / 2 >= MIN_ENGINE_SIDE
        && ladder.run("rxing-half", pixels / 4, 2.0, || {
            rxing_read(&downscale(image, 2), true, dark_first)
        })
    {
        return ladder.report;
    }
    if options.effort == Effort::Quick {
        return ladder.report;
    }

    // 4: rqrr on a local-mean binarisation, then on its inverse.
    let rqrr_factor = whole_factor_to_fit(pixels, MAX_RQRR_PIXELS);
    if min_side / rqrr_factor >= MIN_ENGINE_SIDE.min(min_side) {
        let rqrr_image = downscale(image, rqrr_factor);
        let (rqrr_width, rqrr_height) = rqrr_image.dimensions();
        let rqrr_pixels = u64::from(rqrr_width) * u64::from(rqrr_height);
        let mut dark = adaptive_threshold(&rqrr_image, 24, 6);
        let bitmap = |dark: &[u8]| rqrr_read(rqrr_width as usize, rqrr_height as usize, dark);
        if ladder.run(
            "rqrr-adaptive",
            rqrr_pixels * RQRR_COST_FACTOR,
            rqrr_factor as f32,
            || bitmap(&dark),
        ) {
            return ladder.report;
        }
        for value in dark.iter_mut() {
            *value ^= 1;
        }
        if ladder.run(
            "rqrr-adaptive-inverted",
            rqrr_pixels * RQRR_COST_FACTOR,
            rqrr_factor as f32,
            || bitmap(&dark),
        ) {
            return ladder.report;
        }
    }

    // 5: tiny codes get more pixels per module.
    if pixels <= 1_000_000
        && ladder.run("rxing-double", pixels * 4, 0.5, || {
            rxing_read(&upscale(image, 2), true, dark_first)
        })
    {
        return ladder.report;
    }

    // 6: faded images, and codes too large for the finder search.
    if ladder.run("rxing-stretched", pixels * 2, 1.0, || {
        rxing_read(&stretch_contrast(image), true, dark_first)
    }) {
        return ladder.report;
    }
    if min_side / 4 >= MIN_ENGINE_SIDE * 2 {
        ladder.run("rxing-quarter", pixels / 16, 4.0, || {
            rxing_read(&downscale(image, 4), true, dark_first)
        });
    }
    ladder.report
}

/// The smallest whole factor that brings `pixels` down to at most `limit`
/// when both sides are divided by it.
fn whole_factor_to_fit(pixels: u64, limit: u64) -> u32 {
    let mut factor = 1u32;
    while pixels / (u64::from(factor) * u64::from(factor)) > limit {
        factor += 1;
    }
    factor
}

/// The state of one run down the ladder.
struct Ladder<'a> {
    options: &'a DecodeOptions,
    report: DecodeReport,
}

impl Ladder<'_> {
    /// Runs one pass unless it would break the work budget (the first pass
    /// always runs). `scale` maps the pass's coordinates back to the input
    /// image. Returns whether the pass found a code.
    fn run(
        &mut self,
        name: &'static str,
        cost: u64,
        scale: f32,
        pass: impl FnOnce() -> EngineOutcome,
    ) -> bool {
        let first = self.report.passes_run.is_empty();
        if !first && self.report.work_pixels + cost > self.options.max_work_pixels {
            return false;
        }
        self.report.work_pixels += cost;
        self.report.passes_run.push(name);
        let hits = match pass() {
            EngineOutcome::Finished(hits) => hits,
            EngineOutcome::Panicked => {
                self.report.panics_contained += 1;
                Vec::new()
            }
        };
        for EngineHit { text, corners } in hits {
            if self.report.codes.iter().any(|code| code.text == text) {
                continue;
            }
            let corners = corners
                .into_iter()
                .map(|(x, y)| (x * scale, y * scale))
                .collect();
            self.report.codes.push(DecodedCode { text, corners });
        }
        !self.report.codes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;
    use qrcode::QrCode;

    /// Renders `text` as a black-on-white code, `module` pixels per module,
    /// with a four-module quiet zone.
    fn render(text: &str, module: u32) -> GrayImage {
        let code = QrCode::new(text.as_bytes()).unwrap();
        code.render::<Luma<u8>>()
            .module_dimensions(module, module)
            .quiet_zone(true)
            .build()
    }

    #[test]
    fn a_clean_code_is_read_by_the_first_pass() {
        let report = decode_with(
            &render("otpauth://totp/A?secret=JBSWY3DP", 4),
            &DecodeOptions::default(),
        );
        assert_eq!(report.passes_run, ["rxing"]);
        assert_eq!(report.codes.len(), 1);
        assert_eq!(report.codes[0].text, "otpauth://totp/A?secret=JBSWY3DP");
        assert!(!report.codes[0].corners.is_empty());
    }

    #[test]
    fn a_light_on_dark_code_is_read() {
        let codes = decode_luma(&crate::preprocess::invert(&render("dark mode", 3)));
        assert_eq!(
            codes.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["dark mode"]
        );
    }

    #[test]
    fn two_codes_are_both_reported() {
        let left = render("first code", 4);
        let right = render("second code", 4);
        let mut canvas = GrayImage::from_pixel(
            left.width() + right.width() + 40,
            left.height().max(right.height()) + 40,
            Luma([255]),
        );
        image::imageops::replace(&mut canvas, &left, 10, 10);
        image::imageops::replace(&mut canvas, &right, i64::from(left.width()) + 30, 10);
        let mut texts: Vec<String> = decode_luma(&canvas).into_iter().map(|c| c.text).collect();
        texts.sort();
        assert_eq!(texts, ["first code", "second code"]);
    }

    #[test]
    fn a_transparent_background_counts_as_white() {
        let grey = render("transparent", 4);
        let rgba = image::RgbaImage::from_fn(grey.width(), grey.height(), |x, y| {
            if grey.get_pixel(x, y).0[0] < 128 {
                image::Rgba([0, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        });
        let codes = decode(&DynamicImage::ImageRgba8(rgba));
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].text, "transparent");
    }

    #[test]
    fn nothing_is_found_in_noise_within_the_budget() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise = GrayImage::from_fn(640, 480, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Luma([(state >> 56) as u8])
        });
        let options = DecodeOptions::default();
        let report = decode_with(&noise, &options);
        assert!(report.codes.is_empty());
        assert!(report.work_pixels <= options.max_work_pixels);
        assert!(report.passes_run.len() > 3, "{:?}", report.passes_run);
        // The quick effort stops after the fast passes.
        let quick = decode_with(&noise, &DecodeOptions::quick());
        assert_eq!(quick.passes_run, ["rxing", "rxing-inverted", "rxing-half"]);
        // A mostly dark image tries the inverted pass first.
        let dark = GrayImage::from_pixel(300, 300, Luma([20]));
        let dark_report = decode_with(&dark, &DecodeOptions::quick());
        assert_eq!(
            dark_report.passes_run,
            ["rxing-inverted", "rxing", "rxing-half"]
        );
    }

    #[test]
    fn the_budget_stops_the_ladder_after_the_first_pass() {
        let blank = GrayImage::from_pixel(300, 300, Luma([255]));
        let options = DecodeOptions {
            max_work_pixels: 1,
            ..DecodeOptions::default()
        };
        let report = decode_with(&blank, &options);
        assert_eq!(report.passes_run, ["rxing"]);
    }

    #[test]
    fn empty_images_give_nothing() {
        assert!(decode_luma(&GrayImage::new(0, 0)).is_empty());
        assert!(decode_luma(&GrayImage::new(1, 1)).is_empty());
    }

    #[test]
    fn whole_factor_to_fit_divides_both_sides() {
        assert_eq!(whole_factor_to_fit(1920 * 1080, MAX_RQRR_PIXELS), 1);
        assert_eq!(whole_factor_to_fit(3840 * 2160, MAX_RQRR_PIXELS), 2);
        assert_eq!(whole_factor_to_fit(3841 * 2160, MAX_RQRR_PIXELS), 3);
    }
}
