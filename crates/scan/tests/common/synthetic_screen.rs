//! Synthetic screenshots: a busy desktop with one QR code drawn on it.
//!
//! Shared by the screenshot tests and `benches/decode.rs` (through
//! `#[path]`), so both measure the same pictures. Everything is drawn from a
//! seeded generator: the same arguments always give the same pixels.

#![allow(dead_code)]

use image::{GrayImage, Luma};
use qrcode::{EcLevel, QrCode, Version};

/// A small deterministic generator (xorshift64*), so the pictures need no
/// `rand` and never change between runs.
pub struct Xorshift(u64);

impl Xorshift {
    /// A generator from a seed (any value; zero is replaced).
    pub fn new(seed: u64) -> Self {
        Xorshift(seed.max(1))
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: u32) -> u32 {
        (self.next_u64() % u64::from(bound)) as u32
    }
}

/// A desktop-like picture: a gradient wallpaper, windows with title bars and
/// borders, lines of small glyphs like text, and a noisy photo. Lots of
/// dark-light edges and small squares, which is what makes finder-pattern
/// searches work hard on real screenshots.
pub fn busy_desktop(width: u32, height: u32, dark_theme: bool, seed: u64) -> GrayImage {
    let mut random = Xorshift::new(seed);
    let mut screen = GrayImage::from_fn(width, height, |x, y| {
        Luma([(40 + (x * 90 / width.max(1)) + (y * 60 / height.max(1))) as u8])
    });
    let (paper, ink) = if dark_theme {
        (30u8, 220u8)
    } else {
        (245u8, 20u8)
    };
    let windows = 6 + random.below(5);
    for _ in 0..windows {
        let window_width = width / 5 + random.below(width / 3);
        let window_height = height / 5 + random.below(height / 3);
        let left = random.below(width.saturating_sub(window_width).max(1));
        let top = random.below(height.saturating_sub(window_height).max(1));
        fill(&mut screen, left, top, window_width, window_height, paper);
        fill(
            &mut screen,
            left,
            top,
            window_width,
            24,
            120 + random.below(60) as u8,
        );
        outline(&mut screen, left, top, window_width, window_height, 90);
        // Text: rows of glyph-sized dark blocks with gaps between words.
        let mut y = top + 34;
        while y + 12 < top + window_height {
            let mut x = left + 8;
            while x + 10 < left + window_width {
                if random.below(6) == 0 {
                    x += 6;
                    continue;
                }
                let glyph_width = 3 + random.below(5);
                let pattern = random.next_u64();
                for dy in 0..10 {
                    for dx in 0..glyph_width {
                        if (pattern >> ((dy * 5 + dx) % 64)) & 1 == 1 {
                            put(&mut screen, x + dx, y + dy, ink);
                        }
                    }
                }
                x += glyph_width + 2;
            }
            y += 16;
        }
    }
    // A photo: smooth blobs plus pixel noise.
    let photo_width = width / 4;
    let photo_height = height / 4;
    let photo_left = random.below(width - photo_width);
    let photo_top = random.below(height - photo_height);
    for y in 0..photo_height {
        for x in 0..photo_width {
            let smooth = ((x as f32 / 17.0).sin() * (y as f32 / 23.0).cos() * 80.0 + 128.0) as i32;
            let noise = random.below(40) as i32 - 20;
            put(
                &mut screen,
                photo_left + x,
                photo_top + y,
                (smooth + noise).clamp(0, 255) as u8,
            );
        }
    }
    screen
}

/// Renders a code of `version` holding `text`, `module` pixels per module,
/// with the standard four-module quiet zone, dark on light (or light on dark
/// for a dark theme).
pub fn render_code(text: &str, version: i16, module: u32, dark_theme: bool) -> GrayImage {
    let code = QrCode::with_version(text.as_bytes(), Version::Normal(version), EcLevel::M)
        .expect("the text fits the version");
    let (dark, light) = if dark_theme {
        (Luma([230u8]), Luma([25u8]))
    } else {
        (Luma([0u8]), Luma([255u8]))
    };
    code.render::<Luma<u8>>()
        .module_dimensions(module, module)
        .dark_color(dark)
        .light_color(light)
        .quiet_zone(true)
        .build()
}

/// Draws `code` onto `screen` with its top-left corner at (`left`, `top`),
/// clipped to the screen.
pub fn place(screen: &mut GrayImage, code: &GrayImage, left: u32, top: u32) {
    image::imageops::replace(screen, code, i64::from(left), i64::from(top));
}

/// One screenshot case: a code of `version` on a busy `width`×`height`
/// desktop at two pixels per module, at the place numbered `position`
/// (0–4: the four corners flush with the screen edges, then the centre;
/// higher numbers pick seeded random places). Returns the screenshot and
/// the text the code holds.
pub fn screenshot_case(
    width: u32,
    height: u32,
    version: i16,
    position: u32,
    dark_theme: bool,
) -> (GrayImage, String) {
    // A real enrollment URI where the version can hold it, a short tag in
    // the smallest versions.
    let uri = format!(
        "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&v={version}&p={position}"
    );
    let text = if QrCode::with_version(uri.as_bytes(), Version::Normal(version), EcLevel::M).is_ok()
    {
        uri
    } else {
        format!("tessera v{version} p{position}")
    };
    let seed = u64::from(width) * 1_000_003
        + u64::from(position) * 7919
        + version as u64 * 31
        + u64::from(dark_theme);
    let mut screen = busy_desktop(width, height, dark_theme, seed);
    let code = render_code(&text, version, 2, dark_theme);
    let (free_x, free_y) = (width - code.width(), height - code.height());
    let (left, top) = match position {
        0 => (0, 0),
        1 => (free_x, 0),
        2 => (0, free_y),
        3 => (free_x, free_y),
        4 => (free_x / 2, free_y / 2),
        _ => {
            let mut random = Xorshift::new(seed ^ 0x9e37_79b9);
            (random.below(free_x + 1), random.below(free_y + 1))
        }
    };
    place(&mut screen, &code, left, top);
    (screen, text)
}

fn put(screen: &mut GrayImage, x: u32, y: u32, value: u8) {
    if x < screen.width() && y < screen.height() {
        screen.put_pixel(x, y, Luma([value]));
    }
}

fn fill(screen: &mut GrayImage, left: u32, top: u32, width: u32, height: u32, value: u8) {
    for y in top..(top + height).min(screen.height()) {
        for x in left..(left + width).min(screen.width()) {
            screen.put_pixel(x, y, Luma([value]));
        }
    }
}

fn outline(screen: &mut GrayImage, left: u32, top: u32, width: u32, height: u32, value: u8) {
    for x in left..left + width {
        put(screen, x, top, value);
        put(screen, x, top + height - 1, value);
    }
    for y in top..top + height {
        put(screen, left, y, value);
        put(screen, left + width - 1, y, value);
    }
}
