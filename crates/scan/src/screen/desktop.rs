//! The whole desktop as one picture, for picking a region: the user sees a
//! small preview of it and drags a rectangle, and the rectangle is read
//! back from the full-resolution picture, so a QR code too small or too
//! crowded for a whole-screen scan is decoded from its own pixels alone.

use image::imageops::{self, FilterType};
use image::GrayImage;

use super::Screenshot;
use crate::decode::{decode_luma, DecodedCode};
use crate::source::{ImageLimits, SourceError};

/// A rectangle of the desktop picture, each side a fraction (0 to 1) of
/// the picture's width or height, as the user drew it on a preview of any
/// size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    /// The left edge.
    pub x: f64,
    /// The top edge.
    pub y: f64,
    /// The width.
    pub width: f64,
    /// The height.
    pub height: f64,
}

/// Every monitor's picture placed where the monitor is on the desktop, in
/// grey (what the decoder reads); parts no monitor shows are black.
#[derive(Clone)]
pub struct Desktop {
    image: GrayImage,
    monitors: usize,
}

impl std::fmt::Debug for Desktop {
    // The picture may show secrets (a QR code): its size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desktop")
            .field("width", &self.image.width())
            .field("height", &self.image.height())
            .field("monitors", &self.monitors)
            .finish()
    }
}

impl Desktop {
    /// Places `screenshots` at their origins, within `limits` for the
    /// whole picture.
    pub fn compose(
        screenshots: &[Screenshot],
        limits: &ImageLimits,
    ) -> Result<Desktop, SourceError> {
        let bounds = |s: &Screenshot| {
            let (x, y) = s.origin;
            (
                i64::from(x),
                i64::from(y),
                i64::from(x) + i64::from(s.image.width()),
                i64::from(y) + i64::from(s.image.height()),
            )
        };
        let (mut left, mut top, mut right, mut bottom) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        for screenshot in screenshots {
            let (l, t, r, b) = bounds(screenshot);
            (left, top, right, bottom) = (left.min(l), top.min(t), right.max(r), bottom.max(b));
        }
        if screenshots.is_empty() {
            (left, top, right, bottom) = (0, 0, 0, 0);
        }
        let width = u32::try_from(right - left).unwrap_or(u32::MAX);
        let height = u32::try_from(bottom - top).unwrap_or(u32::MAX);
        limits.check_dimensions(width, height)?;
        let mut image = GrayImage::new(width, height);
        for screenshot in screenshots {
            let (l, t, _, _) = bounds(screenshot);
            imageops::replace(&mut image, &screenshot.image.to_luma8(), l - left, t - top);
        }
        Ok(Desktop {
            image,
            monitors: screenshots.len(),
        })
    }

    /// How many monitors it shows.
    pub fn monitors(&self) -> usize {
        self.monitors
    }

    /// The full picture.
    pub fn image(&self) -> &GrayImage {
        &self.image
    }

    /// The picture scaled down to fit `max_width` × `max_height` (never
    /// up), for the page to draw a rectangle on.
    pub fn preview(&self, max_width: u32, max_height: u32) -> GrayImage {
        let (width, height) = self.image.dimensions();
        if width <= max_width && height <= max_height {
            return self.image.clone();
        }
        let scale = f64::min(
            f64::from(max_width) / f64::from(width),
            f64::from(max_height) / f64::from(height),
        );
        let side = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
        imageops::resize(&self.image, side(width), side(height), FilterType::Triangle)
    }

    /// The pixels of `region`, at full resolution; `None` when the region
    /// is empty once clipped to the picture (or not a number).
    pub fn crop(&self, region: Region) -> Option<GrayImage> {
        let (width, height) = self.image.dimensions();
        let clamp = |v: f64| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        let left = clamp(region.x);
        let top = clamp(region.y);
        let right = clamp(region.x + region.width);
        let bottom = clamp(region.y + region.height);
        let px = |v: f64, side: u32| (v * f64::from(side)).round() as u32;
        let (x0, y0) = (px(left, width), px(top, height));
        let (x1, y1) = (px(right, width), px(bottom, height));
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        Some(imageops::crop_imm(&self.image, x0, y0, x1 - x0, y1 - y0).to_image())
    }

    /// The QR codes in `region`. A small region is enlarged first: a code
    /// of a few pixels a module reads better with more of them.
    pub fn decode_region(&self, region: Region) -> Vec<DecodedCode> {
        let Some(mut part) = self.crop(region) else {
            return Vec::new();
        };
        let longest = part.width().max(part.height());
        if longest < 400 {
            let factor = (400 / longest.max(1)).clamp(1, 4);
            part = imageops::resize(
                &part,
                part.width() * factor,
                part.height() * factor,
                FilterType::Nearest,
            );
        }
        decode_luma(&part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Luma};

    fn shot(name: &str, origin: (i32, i32), width: u32, height: u32, grey: u8) -> Screenshot {
        Screenshot {
            monitor: name.into(),
            origin,
            image: DynamicImage::ImageLuma8(GrayImage::from_pixel(width, height, Luma([grey]))),
        }
    }

    #[test]
    fn monitors_are_placed_at_their_origins() {
        let desktop = Desktop::compose(
            &[
                shot("left", (0, 0), 4, 3, 10),
                shot("right", (4, 1), 2, 2, 200),
            ],
            &ImageLimits::default(),
        )
        .unwrap();
        assert_eq!(desktop.image().dimensions(), (6, 3));
        assert_eq!(desktop.monitors(), 2);
        assert_eq!(desktop.image().get_pixel(3, 2).0, [10]);
        assert_eq!(desktop.image().get_pixel(5, 2).0, [200]);
        // What no monitor covers is black.
        assert_eq!(desktop.image().get_pixel(5, 0).0, [0]);
    }

    #[test]
    fn a_desktop_over_the_limits_is_refused() {
        let limits = ImageLimits {
            max_side: 10,
            ..ImageLimits::default()
        };
        let result = Desktop::compose(
            &[shot("a", (0, 0), 5, 5, 0), shot("b", (20, 0), 5, 5, 0)],
            &limits,
        );
        assert!(matches!(result, Err(SourceError::ImageTooLarge { .. })));
    }

    #[test]
    fn the_preview_fits_and_the_crop_is_at_full_resolution() {
        let desktop =
            Desktop::compose(&[shot("m", (0, 0), 1000, 500, 7)], &ImageLimits::default()).unwrap();
        assert_eq!(desktop.preview(200, 200).dimensions(), (200, 100));
        assert_eq!(desktop.preview(2000, 2000).dimensions(), (1000, 500));
        let part = desktop
            .crop(Region {
                x: 0.5,
                y: 0.5,
                width: 0.25,
                height: 0.5,
            })
            .unwrap();
        assert_eq!(part.dimensions(), (250, 250));
        // Clipped to the picture; empty or nonsense regions are none.
        let edge = desktop
            .crop(Region {
                x: 0.9,
                y: -1.0,
                width: 1.0,
                height: 1.5,
            })
            .unwrap();
        assert_eq!(edge.dimensions(), (100, 250));
        assert!(desktop
            .crop(Region {
                x: 0.2,
                y: 0.2,
                width: 0.0,
                height: 0.5
            })
            .is_none());
        assert!(desktop
            .crop(Region {
                x: f64::NAN,
                y: 0.0,
                width: f64::NAN,
                height: 1.0
            })
            .is_none());
    }

    #[test]
    fn a_code_in_the_region_is_read_and_one_outside_is_not() {
        let code =
            qrcode::QrCode::new(b"otpauth://totp/Region:lena?secret=JBSWY3DPEHPK3PXP").unwrap();
        let qr = code.render::<Luma<u8>>().module_dimensions(2, 2).build();
        let mut screen = GrayImage::from_pixel(1600, 900, Luma([255]));
        imageops::replace(&mut screen, &qr, 1200, 600);
        let desktop = Desktop::compose(
            &[Screenshot {
                monitor: "m".into(),
                origin: (0, 0),
                image: DynamicImage::ImageLuma8(screen),
            }],
            &ImageLimits::default(),
        )
        .unwrap();
        let around = Region {
            x: 0.7,
            y: 0.6,
            width: 0.3,
            height: 0.4,
        };
        let codes = desktop.decode_region(around);
        assert_eq!(codes.len(), 1);
        assert!(codes[0].text.starts_with("otpauth://totp/Region:lena"));
        let elsewhere = Region {
            x: 0.0,
            y: 0.0,
            width: 0.5,
            height: 0.5,
        };
        assert!(desktop.decode_region(elsewhere).is_empty());
    }
}
