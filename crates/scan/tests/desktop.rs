//! Screen capture and clipboard, for real, on an X display.
//!
//! Run under the project's desktop session (`tests/with-desktop.sh cargo
//! test -p tessera-scan`), which starts Xvfb and D-Bus. Without a display
//! these tests say they are skipped, unless `TESSERA_DESKTOP_SESSION` is set
//! (as `with-desktop.sh` sets it), where a missing display is a failure.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use std::sync::Mutex;

use image::{DynamicImage, GrayImage, Luma, Rgb, RgbImage};
use tessera_scan::{classify, ImageLimits, Payload, SourceError};

use common::synthetic_screen::render_code;
use common::x11_window::{add_monitor, show_image, show_rgb_image};

/// Screen tests change what is on the one display (windows, monitors):
/// one at a time, so none sees another's.
static SCREEN: Mutex<()> = Mutex::new(());

const ENROLLMENT: &str =
    "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

/// Whether a display is there; panics if one was promised and is missing.
fn display_available(test: &str) -> bool {
    if std::env::var_os("DISPLAY").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("TESSERA_DESKTOP_SESSION").is_none(),
        "{test}: the desktop session has no DISPLAY"
    );
    eprintln!("{test}: skipped, no DISPLAY (run under tests/with-desktop.sh)");
    false
}

#[test]
fn a_code_in_a_window_is_found_by_a_screen_scan() {
    if !display_available("screen scan") {
        return;
    }
    let _screen = SCREEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // A browser-like window: a white page with the code at 3 px per module,
    // away from the screen's corner.
    let code = render_code(ENROLLMENT, 6, 3, false);
    let mut page = GrayImage::from_pixel(code.width() + 200, code.height() + 160, Luma([255]));
    image::imageops::replace(&mut page, &code, 100, 80);
    let _window = show_image(&page, 350, 220).expect("showing a window on the display");

    let screenshots = tessera_scan::capture_screens(&tessera_scan::ImageLimits::default())
        .expect("capturing the screen");
    assert!(!screenshots.is_empty());
    let found = tessera_scan::scan_screens(&tessera_scan::ImageLimits::default())
        .expect("scanning the screen");
    let texts: Vec<&str> = found.iter().map(|found| found.code.text.as_str()).collect();
    assert_eq!(texts, [ENROLLMENT], "codes found on screen");
    // The corners are where the window put the code.
    let (x, y) = found[0].code.corners[0];
    assert!(
        (350.0..350.0 + page.width() as f32).contains(&x),
        "corner x {x}"
    );
    assert!(
        (220.0..220.0 + page.height() as f32).contains(&y),
        "corner y {y}"
    );
    let Ok(Payload::Account(account)) = classify(texts[0]) else {
        panic!("the code is an enrollment");
    };
    assert_eq!(account.name, "alice@example.com");
}

#[test]
fn captured_pixels_land_where_the_window_put_them() {
    if !display_available("capture geometry") {
        return;
    }
    let _screen = SCREEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Colours whose grey values differ, so a swapped channel or a shifted
    // row shows: red, green, blue, white, black and a dark grey, in
    // 20-pixel blocks.
    let colours = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [255, 255, 255],
        [0, 0, 0],
        [40, 40, 40],
    ];
    let pattern = RgbImage::from_fn(120, 60, |x, y| {
        Rgb(colours[(x / 20 + y / 20 * 2) as usize % colours.len()])
    });
    let expected = DynamicImage::ImageRgb8(pattern.clone()).to_luma8();
    let (left, top) = (1500u32, 900u32);
    let _window = show_rgb_image(&pattern, left as i16, top as i16).expect("showing the pattern");
    // A second monitor over the right half of the screen, as RandR 1.5
    // declares it (a pattern on it must show at its own coordinates).
    let _monitor = add_monitor("TESSERA-RIGHT", 960, 0, 960, 1080).expect("adding a monitor");

    let screenshots = tessera_scan::capture_screens(&ImageLimits::default()).expect("capturing");
    let right = screenshots
        .iter()
        .find(|shot| shot.monitor == "TESSERA-RIGHT")
        .unwrap_or_else(|| panic!("the extra monitor is captured: {screenshots:?}"));
    assert_eq!(right.origin, (960, 0));
    assert_eq!((right.image.width(), right.image.height()), (960, 1080));
    let whole = screenshots
        .iter()
        .find(|shot| shot.origin == (0, 0))
        .expect("the whole screen's monitor");
    assert_eq!((whole.image.width(), whole.image.height()), (1920, 1080));

    for shot in [whole, right] {
        let grey = shot.image.to_luma8();
        let (x0, y0) = (left - shot.origin.0 as u32, top - shot.origin.1 as u32);
        for (x, y, pixel) in expected.enumerate_pixels() {
            assert_eq!(
                grey.get_pixel(x0 + x, y0 + y),
                pixel,
                "{}: pixel ({x}, {y}) of the pattern",
                shot.monitor
            );
        }
        // The desktop around it is not the pattern: its edge is exact.
        assert_ne!(grey.get_pixel(x0 - 1, y0)[0], expected.get_pixel(0, 0)[0]);
    }
}

#[test]
fn a_monitor_over_the_limits_is_refused_before_it_is_read() {
    if !display_available("capture limits") {
        return;
    }
    let limits = ImageLimits {
        max_side: 1000,
        ..ImageLimits::default()
    };
    let error = tessera_scan::capture_screens(&limits).expect_err("1920 pixels is over 1000");
    assert!(
        matches!(error, SourceError::ImageTooLarge { .. }),
        "{error}"
    );
}

/// Puts `bytes` on the clipboard as `mime` with xclip, serving it until
/// the returned child is killed.
fn put_on_clipboard(bytes: &[u8], mime: &str) -> std::process::Child {
    let mut child = Command::new("xclip")
        // -quiet keeps xclip in the foreground, so it can be stopped by id.
        .args(["-quiet", "-selection", "clipboard", "-t", mime, "-i"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xclip is installed (apt-get install xclip)");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    // xclip owns the selection once it has read its input.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child
}

#[test]
fn a_code_on_the_clipboard_is_found_and_text_is_refused() {
    if !display_available("clipboard") {
        return;
    }
    let code = DynamicImage::ImageLuma8(render_code(ENROLLMENT, 6, 4, false));
    let mut png = Vec::new();
    code.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();

    let mut xclip = put_on_clipboard(&png, "image/png");
    let result = tessera_scan::clipboard_image(&tessera_scan::ImageLimits::default());
    let _ = xclip.kill();
    let _ = xclip.wait();
    let image = result.expect("reading the clipboard image");
    let codes = tessera_scan::decode(&image);
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text, ENROLLMENT);

    let mut xclip = put_on_clipboard(b"just some text", "UTF8_STRING");
    let result = tessera_scan::clipboard_image(&tessera_scan::ImageLimits::default());
    let _ = xclip.kill();
    let _ = xclip.wait();
    let error = result.expect_err("text is not an image");
    assert!(matches!(error, SourceError::NoImageOnClipboard), "{error}");
    assert!(error.to_string().contains("holds no image"));
}
