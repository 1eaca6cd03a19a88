//! Synthetic webcam frames: a printout with an enrollment code held up to
//! a 1280×720 camera, in and out of focus. Shared by the camera test and
//! `benches/decode.rs` (through `#[path]`).

#![allow(dead_code)]

use image::{GrayImage, Luma};

use super::synthetic_screen::{render_code, Xorshift};

/// What the held-up code says.
pub const HELD_UP_ENROLLMENT: &str =
    "otpauth://totp/Shop:bob?secret=KRSXG5CTMVRXEZLU&issuer=Shop&digits=8";

/// Box blur of `radius` along rows then columns, twice (close to a
/// Gaussian): what an out-of-focus lens does to the code.
pub fn blur(image: &GrayImage, radius: u32) -> GrayImage {
    if radius == 0 {
        return image.clone();
    }
    let mut current = image.clone();
    for _ in 0..2 {
        for transpose in [false, true] {
            let (width, height) = current.dimensions();
            let mut next = current.clone();
            let (lines, length) = if transpose {
                (width, height)
            } else {
                (height, width)
            };
            for line in 0..lines {
                let at = |index: u32| {
                    if transpose {
                        (line, index)
                    } else {
                        (index, line)
                    }
                };
                let mut sum = 0u32;
                let window = 2 * radius + 1;
                for index in 0..window {
                    let clamped = index.saturating_sub(radius).min(length - 1);
                    sum += u32::from(current.get_pixel(at(clamped).0, at(clamped).1).0[0]);
                }
                for index in 0..length {
                    let (x, y) = at(index);
                    next.put_pixel(x, y, Luma([(sum / window) as u8]));
                    let leaving = index.saturating_sub(radius).min(length - 1);
                    let entering = (index + radius + 1).min(length - 1);
                    sum = sum + u32::from(current.get_pixel(at(entering).0, at(entering).1).0[0])
                        - u32::from(current.get_pixel(at(leaving).0, at(leaving).1).0[0]);
                }
            }
            current = next;
        }
    }
    current
}

/// A camera's view of a printout held up: dim, low contrast, noisy, the
/// code off-centre at about five pixels per module, blurred by `radius`.
pub fn camera_frame(radius: u32, seed: u64) -> GrayImage {
    let code = render_code(HELD_UP_ENROLLMENT, 6, 5, false);
    let mut frame = GrayImage::from_fn(1280, 720, |x, y| Luma([(70 + x / 40 + y / 30) as u8]));
    image::imageops::replace(&mut frame, &code, 610, 190);
    let mut frame = blur(&frame, radius);
    let mut random = Xorshift::new(seed);
    for value in frame.iter_mut() {
        // Squeeze into 50..=200 (a printout under room light), add noise.
        let squeezed = 50 + u32::from(*value) * 150 / 255;
        let noise = random.below(17) as i32 - 8;
        *value = (squeezed as i32 + noise).clamp(0, 255) as u8;
    }
    frame
}
