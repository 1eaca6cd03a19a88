//! Synthetic screenshots decode: a code of each size class at two pixels
//! per module, anywhere on a busy 1920×1080 desktop, light and dark theme.
//! (`benches/decode.rs` times the same pictures in a release build, also at
//! 3840×2160.)

mod common;

use common::synthetic_screen::screenshot_case;
use tessera_scan::decode_luma;

#[test]
fn codes_at_two_pixels_per_module_are_found_anywhere_on_a_busy_screen() {
    for (version, position, dark_theme) in [
        (1, 0, false),
        (4, 3, false),
        (10, 4, false),
        (25, 5, false),
        (40, 1, false),
        (7, 2, true),
        (40, 6, true),
    ] {
        let (screen, text) = screenshot_case(1920, 1080, version, position, dark_theme);
        let texts: Vec<String> = decode_luma(&screen)
            .into_iter()
            .map(|code| code.text)
            .collect();
        assert_eq!(
            texts,
            [text],
            "version {version}, position {position}, dark {dark_theme}"
        );
    }
}
