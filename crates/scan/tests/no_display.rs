//! Screen capture with no graphical session says so. A test binary of its
//! own, because it changes the process environment.

use tessera_scan::{capture_screens, ImageLimits, SourceError};

#[test]
fn screen_capture_without_any_display_gives_a_clear_message() {
    std::env::remove_var("DISPLAY");
    std::env::remove_var("WAYLAND_DISPLAY");
    let error = capture_screens(&ImageLimits::default()).expect_err("no display to capture");
    assert!(matches!(error, SourceError::NoDisplay), "{error}");
    assert_eq!(
        error.to_string(),
        "cannot capture the screen: no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    );

    // A Wayland session with no usable screenshot portal (none, no session
    // bus, or one without a screenshot backend, as under
    // tests/with-desktop.sh): the message names what is needed.
    std::env::set_var("WAYLAND_DISPLAY", "wayland-tessera-test-missing");
    std::env::set_var("XDG_SESSION_TYPE", "wayland");
    let error = capture_screens(&ImageLimits::default()).expect_err("nothing to capture");
    assert!(
        matches!(error, SourceError::ScreenCaptureFailed { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("Wayland"), "{error}");
    assert!(error.to_string().contains("xdg-desktop-portal"), "{error}");
}
