//! Image clean-up applied before the QR engines look at a picture.
//!
//! The engines find codes reliably in clean, evenly lit, black-on-white
//! images at a few pixels per module. Real inputs are not that: photos are
//! blurred, unevenly lit and low in contrast, screens photographed with a
//! camera show moiré, dark-mode pages draw light codes on dark grounds and a
//! 4K screenshot can hold a code at two pixels per module. Each function
//! here turns one of those into something closer to the clean case, cheaply
//! (one or two passes over the pixels, no allocation per pixel), so the
//! decoder can afford to try several of them in turn.

use image::GrayImage;

/// The same image with dark and light swapped (the decoder inverts inside
/// the engine instead; tests use this to draw dark-mode codes).
#[cfg(test)]
pub(crate) fn invert(image: &GrayImage) -> GrayImage {
    let mut inverted = image.clone();
    for value in inverted.iter_mut() {
        *value = 255 - *value;
    }
    inverted
}

/// The average grey level, 0 (black) to 255 (white); 255 for an empty
/// image. Tells dark-mode screens (light codes on dark grounds) from the
/// usual.
pub(crate) fn mean_brightness(image: &GrayImage) -> u8 {
    let pixels = image.as_raw();
    if pixels.is_empty() {
        return 255;
    }
    let sum: u64 = pixels.iter().map(|&value| u64::from(value)).sum();
    (sum / pixels.len() as u64) as u8
}

/// Shrinks by an integer `factor` by averaging each `factor`×`factor`
/// block. Averaging (not sampling) is what turns camera noise, JPEG ringing
/// and moiré into clean module edges, and makes oversized codes fit the
/// engines' finder-pattern search windows.
pub(crate) fn downscale(image: &GrayImage, factor: u32) -> GrayImage {
    let factor = factor.max(1);
    let (width, height) = (image.width() / factor, image.height() / factor);
    if factor == 1 || width == 0 || height == 0 {
        return image.clone();
    }
    let source = image.as_raw();
    let source_width = image.width() as usize;
    let factor_usize = factor as usize;
    let area = factor * factor;
    let mut sums = vec![0u32; width as usize];
    let mut output = Vec::with_capacity(width as usize * height as usize);
    for block_row in 0..height as usize {
        sums.fill(0);
        for row in block_row * factor_usize..(block_row + 1) * factor_usize {
            let line =
                &source[row * source_width..row * source_width + width as usize * factor_usize];
            for (sum, block) in sums.iter_mut().zip(line.chunks_exact(factor_usize)) {
                *sum += block.iter().map(|&value| u32::from(value)).sum::<u32>();
            }
        }
        output.extend(sums.iter().map(|&sum| ((sum + area / 2) / area) as u8));
    }
    GrayImage::from_raw(width, height, output).expect("buffer sized from the dimensions")
}

/// Grows by an integer `factor`, interpolating bilinearly. Tiny codes (one
/// or two pixels per module) give the engines' edge detectors too few
/// pixels; interpolation restores the module edges between them.
pub(crate) fn upscale(image: &GrayImage, factor: u32) -> GrayImage {
    let factor = factor.max(1);
    if factor == 1 || image.width() == 0 || image.height() == 0 {
        return image.clone();
    }
    let (source_width, source_height) = (image.width() as usize, image.height() as usize);
    let (width, height) = (
        source_width * factor as usize,
        source_height * factor as usize,
    );
    let source = image.as_raw();
    let mut output = Vec::with_capacity(width * height);
    let scale = 1.0 / factor as f32;
    // Sample at pixel centres, so the image neither shifts nor loses its
    // last row and column.
    let source_coordinate = |destination: usize, limit: usize| {
        let position = ((destination as f32 + 0.5) * scale - 0.5).max(0.0);
        let low = (position as usize).min(limit - 1);
        let high = (low + 1).min(limit - 1);
        (low, high, position - low as f32)
    };
    let columns: Vec<(usize, usize, f32)> = (0..width)
        .map(|x| source_coordinate(x, source_width))
        .collect();
    for y in 0..height {
        let (top, bottom, vertical) = source_coordinate(y, source_height);
        let top_row = &source[top * source_width..(top + 1) * source_width];
        let bottom_row = &source[bottom * source_width..(bottom + 1) * source_width];
        for &(left, right, horizontal) in &columns {
            let upper = f32::from(top_row[left]) * (1.0 - horizontal)
                + f32::from(top_row[right]) * horizontal;
            let lower = f32::from(bottom_row[left]) * (1.0 - horizontal)
                + f32::from(bottom_row[right]) * horizontal;
            output.push((upper * (1.0 - vertical) + lower * vertical + 0.5) as u8);
        }
    }
    GrayImage::from_raw(width as u32, height as u32, output)
        .expect("buffer sized from the dimensions")
}

/// Stretches the grey levels so that the darkest 1% become black and the
/// brightest 1% white: faded printouts and photos of screens use only part
/// of the range, which leaves fixed thresholds too little to work with.
pub(crate) fn stretch_contrast(image: &GrayImage) -> GrayImage {
    let mut histogram = [0usize; 256];
    for &value in image.iter() {
        histogram[usize::from(value)] += 1;
    }
    let total = image.as_raw().len();
    let clip = total / 100;
    let mut low = 0usize;
    let mut seen = 0usize;
    while low < 255 && seen + histogram[low] <= clip {
        seen += histogram[low];
        low += 1;
    }
    let mut high = 255usize;
    seen = 0;
    while high > low && seen + histogram[high] <= clip {
        seen += histogram[high];
        high -= 1;
    }
    let mut stretched = image.clone();
    if high <= low {
        return stretched;
    }
    let mut lookup = [0u8; 256];
    for (value, entry) in lookup.iter_mut().enumerate() {
        let scaled = (value as isize - low as isize) * 255 / (high - low) as isize;
        *entry = scaled.clamp(0, 255) as u8;
    }
    for value in stretched.iter_mut() {
        *value = lookup[usize::from(*value)];
    }
    stretched
}

/// Local-mean binarisation: a pixel is dark when it is darker than the mean
/// of the square window of `radius` pixels around it by more than
/// `offset` grey levels. Uneven lighting and glare move the mean along with
/// the image, where one global threshold would blacken or wash out whole
/// regions. Flat areas (no pixel pair in the window differing by more than
/// the offset) come out light. Returns one byte per pixel, 1 for dark.
pub(crate) fn adaptive_threshold(image: &GrayImage, radius: u32, offset: u8) -> Vec<u8> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let source = image.as_raw();
    // Summed-area table with a zero row and column in front, so that every
    // window sum is four lookups whatever the radius.
    let stride = width + 1;
    let mut integral = vec![0u64; stride * (height + 1)];
    for y in 0..height {
        let mut row_sum = 0u64;
        for x in 0..width {
            row_sum += u64::from(source[y * width + x]);
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row_sum;
        }
    }
    let radius = radius.max(1) as usize;
    let offset = i64::from(offset);
    let mut output = vec![0u8; width * height];
    for y in 0..height {
        let top = y.saturating_sub(radius);
        let bottom = (y + radius + 1).min(height);
        for x in 0..width {
            let left = x.saturating_sub(radius);
            let right = (x + radius + 1).min(width);
            let area = ((bottom - top) * (right - left)) as i64;
            let sum = integral[bottom * stride + right] + integral[top * stride + left]
                - integral[top * stride + right]
                - integral[bottom * stride + left];
            let value = i64::from(source[y * width + x]);
            output[y * width + x] = u8::from(value * area < sum as i64 - offset * area);
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(width: u32, height: u32) -> GrayImage {
        GrayImage::from_fn(width, height, |x, y| {
            image::Luma([((x * 7 + y * 3) % 256) as u8])
        })
    }

    #[test]
    fn invert_swaps_dark_and_light() {
        let image = gradient(10, 4);
        let inverted = invert(&image);
        for (a, b) in image.iter().zip(inverted.iter()) {
            assert_eq!(u16::from(*a) + u16::from(*b), 255);
        }
    }

    #[test]
    fn mean_brightness_averages() {
        assert_eq!(
            mean_brightness(&GrayImage::from_raw(2, 1, vec![10, 30]).unwrap()),
            20
        );
        assert_eq!(mean_brightness(&GrayImage::new(0, 0)), 255);
    }

    #[test]
    fn downscale_averages_blocks() {
        let image = GrayImage::from_raw(4, 2, vec![0, 255, 10, 20, 255, 0, 30, 40]).unwrap();
        let small = downscale(&image, 2);
        assert_eq!(small.dimensions(), (2, 1));
        assert_eq!(small.as_raw(), &vec![128, 25]);
        // Leftover columns and rows that do not fill a block are dropped.
        assert_eq!(downscale(&gradient(9, 5), 2).dimensions(), (4, 2));
    }

    #[test]
    fn upscale_keeps_flat_areas_and_interpolates_edges() {
        let image = GrayImage::from_raw(2, 1, vec![0, 200]).unwrap();
        let big = upscale(&image, 2);
        assert_eq!(big.dimensions(), (4, 2));
        assert_eq!(big.as_raw()[..4], [0, 50, 150, 200]);
        assert_eq!(big.as_raw()[..4], big.as_raw()[4..]);
    }

    #[test]
    fn stretch_contrast_uses_the_full_range() {
        let image = GrayImage::from_fn(100, 10, |x, _| image::Luma([100 + (x / 2) as u8]));
        let stretched = stretch_contrast(&image);
        assert_eq!(stretched.iter().min(), Some(&0));
        assert_eq!(stretched.iter().max(), Some(&255));
        // A flat image stays as it is.
        let flat = GrayImage::from_pixel(5, 5, image::Luma([77]));
        assert_eq!(stretch_contrast(&flat), flat);
    }

    #[test]
    fn adaptive_threshold_follows_uneven_lighting() {
        // A dark bar on a background that brightens from left to right: the
        // right half of the background is brighter than the bar's left end
        // would be under any single threshold picked between them.
        let image = GrayImage::from_fn(64, 16, |x, y| {
            let background = 60 + x as u8 * 3;
            image::Luma([if (6..10).contains(&y) {
                background - 50
            } else {
                background
            }])
        });
        let binary = adaptive_threshold(&image, 4, 10);
        for y in 0..16usize {
            for x in 0..64usize {
                let expected = u8::from((6..10).contains(&y));
                assert_eq!(binary[y * 64 + x], expected, "pixel ({x}, {y})");
            }
        }
    }
}
