//! Screen capture and clipboard, for real, on an X display.
//!
//! Run under the project's desktop session (`tests/with-desktop.sh cargo
//! test -p tessera-scan`), which starts Xvfb and D-Bus. Without a display
//! these tests say they are skipped, unless `TESSERA_DESKTOP_SESSION` is set
//! (as `with-desktop.sh` sets it), where a missing display is a failure.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use image::{DynamicImage, GrayImage, Luma};
use tessera_scan::{classify, Payload, SourceError};

use common::synthetic_screen::render_code;
use common::x11_window::show_image;

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
