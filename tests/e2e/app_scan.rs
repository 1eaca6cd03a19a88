//! Scanning on a real screen: Tessera's own window steps aside for the
//! capture (a code right under it is found), a scan that finds nothing
//! says what it tried, a delay leaves time to bring the code up, a region
//! picked on a capture is read alone, and the clipboard's link or QR image
//! is offered on the add screen, added only on the user's click.
//!
//! The codes are shown on the Xvfb screen by ImageMagick's `display`, a
//! window of another program, as a web browser would show them.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::app::{
    add_found_and_check_its_code, app_pid, app_windows, clipboard_turn, create_vault,
    enrollment_qr_png, page_text, scan_outcome, start, text_of, uri, xdotool, SHORT,
};
use crate::util::TestVault;
use crate::webdriver::AppSession;

const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// The tests here show codes on the one shared display and capture it:
/// they take turns, so no test sees another's code.
fn screen_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An image shown on the screen by another program, at a place of the
/// test's choosing (Xvfb has no window manager to move it).
struct Shown {
    child: Child,
}

impl Shown {
    /// Shows `png` with its top-left corner at (x, y), under the name
    /// `name` (unique to the test, to find its window), and waits until
    /// its window is on the screen.
    fn show(png: &Path, name: &str, x: i32, y: i32) -> Shown {
        let path = png.with_file_name(format!("{name}.png"));
        std::fs::copy(png, &path).unwrap();
        let child = Command::new("display")
            .args(["-geometry", &format!("+{x}+{y}")])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("could not run ImageMagick's display ({err}): `make test` installs it")
            });
        let title = format!("^ImageMagick: {name}\\.png$");
        let deadline = Instant::now() + SHORT;
        while xdotool(&["search", "--onlyvisible", "--name", &title]).is_empty() {
            assert!(Instant::now() < deadline, "{name}.png never showed");
            std::thread::sleep(Duration::from_millis(50));
        }
        Shown { child }
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PNG's width and height, from its header.
fn png_size(png: &Path) -> (u32, u32) {
    let bytes = std::fs::read(png).unwrap();
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// The X screen's size, as the app's page sees it.
fn screen_size(app: &AppSession) -> (f64, f64) {
    let size = app.execute("return [window.screen.width, window.screen.height];");
    (size[0].as_f64().unwrap(), size[1].as_f64().unwrap())
}

/// What `tessera scan --screen` says of the screen now: the accounts it
/// found, or its complaint.
fn cli_screen_scan(source: &TestVault) -> String {
    let output = source.run(&["scan", "--screen"]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The app's main window, as xdotool finds it while it is shown.
fn main_windows(app: &AppSession) -> Vec<String> {
    app_windows(app_pid(app), "^Tessera$")
}

/// Waits for the main window to be shown again after a capture.
fn window_back(app: &AppSession) {
    app.wait_until(
        "the window to come back",
        SHORT,
        || main_windows(app),
        |windows| !windows.is_empty(),
    );
}

/// Moves the window to (x, y) and waits until the page knows it.
fn move_window(app: &AppSession, x: i32, y: i32) {
    app.set_window_position(x, y);
    app.wait_until(
        "the window to move",
        SHORT,
        || app.execute("return [window.screenX, window.screenY];"),
        |v| v[0].as_i64() == Some(x.into()) && v[1].as_i64() == Some(y.into()),
    );
}

/// Opens the add screen of a new vault.
fn add_screen(vault: &TestVault) -> AppSession {
    let app = start(vault);
    create_vault(&app, true, false);
    app.wait_for("[data-testid=empty-add]", SHORT).click();
    app.wait_for("[data-testid=scan-screen]", SHORT);
    app
}

/// Regression test: "Scan the screen" failed when the code was where
/// Tessera's own window opens, in the middle of the screen, because the
/// window was captured over it.
#[test]
fn a_code_right_under_tessera_s_window_is_found_and_a_bare_screen_says_what_was_tried() {
    let (source, png) = enrollment_qr_png(&uri("ScanMe", "lena", SECRET));
    let vault = TestVault::new();
    let app = add_screen(&vault);
    let _turn = screen_turn();
    move_window(&app, 1300, 200);
    // Nothing on screen yet: the scan says what it tried and what to do.
    app.wait_for("[data-testid=scan-screen]", SHORT).click();
    // An upper bound: a busy 2-core machine decodes a bare screen slowly.
    let error = app.wait_until(
        "the scan's error",
        Duration::from_secs(60),
        || app.wait_for("[data-testid=scan-error]", SHORT).text(),
        |t| !t.is_empty(),
    );
    assert!(error.contains("no QR code found on the screen"), "{error}");
    assert!(error.contains("with Tessera's window hidden"), "{error}");
    for advice in [
        "bigger and fully visible",
        "pick the region",
        "delay",
        "screenshot",
    ] {
        assert!(error.contains(advice), "{advice:?} missing from {error}");
    }
    // The window came back.
    window_back(&app);

    // The code shows inside the window's rectangle; then the window is
    // raised over it, as it is when the user comes back to Tessera.
    let _code = Shown::show(&png, "under-window", 1340, 300);
    app.wait_until(
        "the CLI to see the code",
        SHORT,
        || cli_screen_scan(&source),
        |said| said.contains("ScanMe"),
    );
    xdotool(&["windowraise", &main_windows(&app)[0]]);
    app.wait_until(
        "the window to cover the code",
        SHORT,
        || cli_screen_scan(&source),
        |said| said.contains("no QR code found on the screen"),
    );

    app.wait_for("[data-testid=scan-screen]", SHORT).click();
    scan_outcome(&app);
    let found = app.wait_for("[data-testid=found]", SHORT);
    assert_eq!(found.text(), "ScanMe (lena)");
    assert_eq!(app.wait_for("[data-testid=scan-error]", SHORT).text(), "");
    window_back(&app);
    // The webview got names, never the secret.
    assert!(!page_text(&app).contains(SECRET));
    add_found_and_check_its_code(&app, "ScanMe (lena)", SECRET);
}

#[test]
fn a_delayed_scan_hides_the_window_first_and_reads_a_code_shown_meanwhile() {
    let (_source, png) = enrollment_qr_png(&uri("Later", "lena", SECRET));
    let vault = TestVault::new();
    let app = add_screen(&vault);
    let _turn = screen_turn();
    move_window(&app, 1300, 200);
    app.wait_for("[data-testid=scan-delay] option[value='10']", SHORT)
        .click();
    app.wait_for("[data-testid=scan-screen]", SHORT).click();
    // The window steps aside for the whole delay, leaving the screen to
    // the user (to open a menu, scroll to the code)…
    app.wait_until(
        "the window to step aside",
        SHORT,
        || main_windows(&app),
        |windows| windows.is_empty(),
    );
    // …who brings the code up before the capture.
    let _code = Shown::show(&png, "delayed", 1340, 300);
    scan_outcome(&app);
    assert_eq!(
        app.wait_for("[data-testid=found]", SHORT).text(),
        "Later (lena)"
    );
    window_back(&app);
}

#[test]
fn a_region_picked_on_the_capture_is_read_alone_at_full_resolution() {
    let (_a, png_a) = enrollment_qr_png(&uri("RegionA", "lena", SECRET));
    let (_b, png_b) = enrollment_qr_png(&uri("RegionB", "lena", SECRET));
    let vault = TestVault::new();
    let app = add_screen(&vault);
    let _turn = screen_turn();
    move_window(&app, 100, 100);
    let _first = Shown::show(&png_a, "region-a", 1000, 80);
    let _second = Shown::show(&png_b, "region-b", 1000, 560);
    app.wait_for("[data-testid=scan-region]", SHORT).click();
    let image = app.wait_for("[data-testid=region-image]", Duration::from_secs(60));
    app.wait_until(
        "the capture to load",
        SHORT,
        || image.property("naturalWidth"),
        |w| w.as_u64().is_some_and(|w| w > 0),
    );
    // The page got a picture no larger than its preview size.
    let natural = app.execute(
        "const i = document.querySelector('[data-testid=region-image]');\
         return [i.naturalWidth, i.naturalHeight];",
    );
    assert!(natural[0].as_u64().unwrap() <= 1280, "{natural}");
    // Drag over the first code (with a margin), as the user would.
    let (width, height) = screen_size(&app);
    let (w, h) = png_size(&png_a);
    let fraction = |v: f64, side: f64| v / side;
    let from = (
        fraction(1000.0 - 20.0, width),
        fraction(80.0 - 20.0, height),
    );
    let to = (
        fraction(1000.0 + f64::from(w) + 20.0, width),
        fraction(80.0 + f64::from(h) + 20.0, height),
    );
    app.execute(&format!(
        "const frame = document.querySelector('.region-frame');\
         const r = document.querySelector('[data-testid=region-image]').getBoundingClientRect();\
         const at = (type, fx, fy) => frame.dispatchEvent(new PointerEvent(type, {{\
           bubbles: true, pointerId: 1, clientX: r.left + fx * r.width, clientY: r.top + fy * r.height }}));\
         at('pointerdown', {}, {}); at('pointermove', {}, {}); at('pointerup', {}, {}); return null;",
        from.0, from.1, to.0, to.1, to.0, to.1
    ));
    app.wait_for("[data-testid=region-scan]:not([disabled])", SHORT)
        .click();
    scan_outcome(&app);
    // The region held one code: the other, on the same screen, is not read.
    let found = app.find_all("[data-testid=found] li");
    let names: Vec<String> = found.iter().map(|li| li.text()).collect();
    assert_eq!(names, ["RegionA (lena)"]);
    assert!(
        app.find_all("[data-testid=region]").is_empty(),
        "the picker stayed open"
    );
}

/// The clipboard set by an xclip the test stops at the end: text, or an
/// image of type `mime`.
struct Clipboard(Child);

impl Clipboard {
    fn set(data: &[u8], mime: Option<&str>) -> Clipboard {
        use std::io::Write;
        let mut command = Command::new("xclip");
        command.args(["-quiet", "-i", "-selection", "clipboard"]);
        if let Some(mime) = mime {
            command.args(["-t", mime]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("could not run xclip ({err}): `make test` installs it"));
        child.stdin.take().expect("stdin").write_all(data).unwrap();
        Clipboard(child)
    }
}

impl Drop for Clipboard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_add_screen_offers_a_copied_link_or_qr_image_and_adds_only_on_a_click() {
    let (_source, png) = enrollment_qr_png(&uri("Pictured", "lena", SECRET));
    let vault = TestVault::new();
    let app = add_screen(&vault);
    let _turn = clipboard_turn();

    let link = uri("Copied", "lena", SECRET);
    let copied = Clipboard::set(link.as_bytes(), None);
    let offer = app.wait_until(
        "the clipboard offer",
        SHORT,
        || text_of_all(&app, "[data-testid=clipboard-offer-text]"),
        |t| !t.is_empty(),
    );
    assert_eq!(offer, "Add the account on the clipboard? Copied (lena)");
    // Named, never handed over: the secret stays in Rust, and nothing is
    // added or listed before the click.
    assert!(!page_text(&app).contains(SECRET));
    assert!(app.find_all("[data-testid=found]").is_empty());
    app.wait_for("[data-testid=clipboard-add]", SHORT).click();
    scan_outcome(&app);
    assert_eq!(
        app.wait_for("[data-testid=found]", SHORT).text(),
        "Copied (lena)"
    );
    assert!(app
        .find_all("[data-testid=clipboard-offer]:not([hidden])")
        .is_empty());
    app.wait_for("[data-testid=add-found]", SHORT).click();
    assert_eq!(
        text_of(&app, "[data-testid=added-title]"),
        "Added Copied (lena)"
    );
    drop(copied);

    // A picture of a QR code, copied as a browser's "Copy image" does.
    app.wait_for("[data-testid=added-done]", SHORT).click();
    app.wait_for("[data-testid=add-account]", SHORT).click();
    let _picture = Clipboard::set(&std::fs::read(&png).unwrap(), Some("image/png"));
    let offer = app.wait_until(
        "the clipboard image's offer",
        SHORT,
        || text_of_all(&app, "[data-testid=clipboard-offer-text]"),
        |t| !t.is_empty(),
    );
    assert_eq!(
        offer,
        "Add the account in the QR code on the clipboard? Pictured (lena)"
    );
    // Not now: the offer goes, and nothing was added.
    app.wait_for("[data-testid=clipboard-dismiss]", SHORT)
        .click();
    app.wait_until(
        "the offer to go",
        SHORT,
        || {
            app.find_all("[data-testid=clipboard-offer]:not([hidden])")
                .len()
        },
        |n| *n == 0,
    );
    assert!(app.find_all("[data-testid=found]").is_empty());
}

/// The text of the elements matching `css`, joined (empty if none).
fn text_of_all(app: &AppSession, css: &str) -> String {
    app.find_all(css)
        .iter()
        .map(|e| e.text())
        .collect::<Vec<_>>()
        .join("\n")
}
