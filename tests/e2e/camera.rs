//! Adding accounts with the webcam, and a Google Authenticator export of
//! several QR codes, in the real app window. These machines have no camera:
//! a debug build of the app offers a folder of recorded frames
//! (`TESSERA_CAMERA_FRAMES`) as one more camera and plays it through the
//! same pipeline a webcam goes through, at a camera's pace. The frames are
//! drawn here: a QR code coming into focus.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tessera_scan::ImageLimits;

use crate::app::{
    add_found_and_check_its_code, app_pid, command_name, create_vault, enrollment_qr_png, oathtool,
    page_text, process_tree, scan_outcome, shown_code, text_of, uri, visible_rows, SHORT, START,
};
use crate::util::{app_binary, stdout_ok, TestVault};
use crate::webdriver::AppSession;

/// A base32 key no other test uses, so a code can only come from the scan.
const SECRET: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";

/// What the camera panel says when the system has no camera (views/camera.ts).
const NO_CAMERA: &str =
    "No camera found. Connect a webcam and choose Look again, or scan the screen or an image instead.";

/// Starts the app on `vault`, with recorded camera frames from `frames`.
fn start_with_frames(vault: &TestVault, frames: Option<&Path>) -> AppSession {
    let path = vault.path.to_str().expect("UTF-8 temp path");
    let mut env = vec![("TESSERA_VAULT", path)];
    if let Some(frames) = frames {
        env.push((
            "TESSERA_CAMERA_FRAMES",
            frames.to_str().expect("UTF-8 path"),
        ));
    }
    AppSession::start(&app_binary(), &env)
}

/// Whether this machine has a video device (then "no camera" cannot be shown).
fn has_video_device() -> bool {
    std::fs::read_dir("/dev").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("video"))
    })
}

/// The app's camera threads: the scanner's (which owns the camera while it
/// runs) and the preview pump's, both named `tessera-camera-…`.
fn camera_threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |tasks| {
        tasks
            .flatten()
            .filter(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.starts_with("tessera-camera"))
            })
            .count()
    })
}

/// CPU time used so far by the app and by its web content process, in
/// clock ticks (utime + stime from /proc, every thread counted).
fn cpu_ticks(app: &AppSession) -> (u64, u64) {
    let ticks = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The fields after the command's ')': state is the 1st, utime the 12th.
        let after = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
        after
            .split(' ')
            .skip(11)
            .take(2)
            .filter_map(|field| field.parse::<u64>().ok())
            .sum()
    };
    let mut app_ticks = 0;
    let mut web_ticks = 0;
    for pid in process_tree(app.driver_pid()) {
        match command_name(pid).as_str() {
            "tessera-app" => app_ticks += ticks(pid),
            // /proc truncates command names to 15 characters.
            "WebKitWebProces" => web_ticks += ticks(pid),
            _ => {}
        }
    }
    (app_ticks, web_ticks)
}

/// Percent of one core used between two `cpu_ticks` readings.
fn cpu_percent(before: u64, after: u64, elapsed: Duration) -> f64 {
    // Linux reports these in USER_HZ, 100 a second on every common build.
    (after - before) as f64 / elapsed.as_secs_f64()
}

/// Draws the recording: `blurred` frames of the code far out of focus,
/// then, if `focus`, the focus sharpening and ten frames in focus. Returns
/// the folder of PNG frames.
fn recording(qr_png: &Path, dir: &Path, blurred: usize, focus: bool) -> PathBuf {
    let code = tessera_scan::load_image_file(qr_png, &ImageLimits::default()).expect("the QR PNG");
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    let frame_path = |number: usize| frames.join(format!("frame-{number:03}.png"));
    let out_of_focus = code.fast_blur(16.0);
    // The recording must start out of reach of the decoder, or it would
    // not show a code coming into focus.
    assert!(
        tessera_scan::decode(&out_of_focus).is_empty(),
        "the blurred frame is readable"
    );
    out_of_focus.save(frame_path(0)).unwrap();
    for number in 1..blurred {
        std::fs::copy(frame_path(0), frame_path(number)).unwrap();
    }
    if focus {
        assert!(
            !tessera_scan::decode(&code).is_empty(),
            "the sharp frame is unreadable"
        );
        let sigmas = [12.0f32, 10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
        for (offset, sigma) in sigmas.iter().enumerate() {
            code.fast_blur(*sigma)
                .save(frame_path(blurred + offset))
                .unwrap();
        }
        for number in 0..10 {
            code.save(frame_path(blurred + sigmas.len() + number))
                .unwrap();
        }
    }
    frames
}

/// Waits for the camera scan to end: found, failed or run out. Panics with
/// what the panel says if nothing was found.
fn camera_outcome(app: &AppSession) {
    let outcome = app.wait_until(
        "the camera's outcome",
        Duration::from_secs(90),
        || {
            app.execute(
                "return [document.querySelectorAll('[data-testid=found]').length,\
                   document.querySelector('[data-testid=camera]').dataset.camera,\
                   document.querySelector('[data-testid=camera-status]').textContent,\
                   document.querySelector('[data-testid=camera-error]').textContent];",
            )
        },
        |v| v[0].as_u64() == Some(1) || (v[1] == "off" && v[2] != "Starting the camera…"),
    );
    assert_eq!(outcome[0].as_u64(), Some(1), "nothing found: {outcome}");
}

/// Opens the add screen from the empty account list.
fn open_add_screen(app: &AppSession) {
    app.wait_for("[data-testid=empty-add]", SHORT).click();
    app.wait_for("[data-testid=camera]", SHORT);
}

#[test]
fn without_a_camera_the_panel_says_none_was_found() {
    if has_video_device() {
        eprintln!("skipped: this machine has a /dev/video* device");
        return;
    }
    let vault = TestVault::new();
    let app = start_with_frames(&vault, None);
    create_vault(&app, true, false);
    open_add_screen(&app);
    assert_eq!(text_of(&app, "[data-testid=camera-status]"), NO_CAMERA);
    // Nothing to pick or start; looking again is offered.
    assert!(!app
        .wait_for("[data-testid=camera-select]", SHORT)
        .is_displayed());
    assert!(!app
        .wait_for("[data-testid=camera-start]", SHORT)
        .is_displayed());
    let again = app.wait_for("[data-testid=camera-look-again]", SHORT);
    assert!(again.is_displayed());
    again.click();
    assert_eq!(text_of(&app, "[data-testid=camera-status]"), NO_CAMERA);
    // Starting camera 0 anyway gets the scanner's own message back.
    let update = app.execute_async(
        "const done = arguments[arguments.length - 1];\
         const tauri = window.__TAURI_INTERNALS__;\
         const channel = (f) => '__CHANNEL__:' + tauri.transformCallback(f);\
         tauri.invoke('start_camera', {request: {index: 0}, preview: channel(() => {}),\
             updates: channel((raw) => { if (raw.message) done(raw.message); })})\
           .catch((e) => done({kind: 'refused', message: JSON.stringify(e)}));",
    );
    assert_eq!(update["kind"], "failed", "{update}");
    let message = update["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("no camera found"), "{message}");
}

#[test]
fn a_code_coming_into_focus_on_the_webcam_is_found_and_added() {
    let (source, png) = enrollment_qr_png(&uri("Webcam", "lena", SECRET));
    // Two seconds out of focus (at 15 frames a second), then sharpening.
    let frames = recording(&png, source.dir.path(), 30, true);
    let vault = TestVault::new();
    let app = start_with_frames(&vault, Some(&frames));
    create_vault(&app, true, false);
    open_add_screen(&app);
    let pid = app_pid(&app);
    let select = app.wait_for("[data-testid=camera-select]", SHORT);
    app.wait_until(
        "the camera list",
        SHORT,
        || select.text(),
        |t| !t.is_empty(),
    );
    assert_eq!(select.text(), "Recorded frames (test)");
    // The picker is labelled for keyboard and screen-reader users.
    let label = app.execute(
        "const s = document.querySelector('[data-testid=camera-select]');\
         return s.labels.length ? s.labels[0].textContent : null;",
    );
    assert_eq!(label.as_str(), Some("Camera"));
    assert_eq!(camera_threads(pid), 0, "no camera before it is started");
    let started = Instant::now();
    app.wait_for("[data-testid=camera-start]", SHORT).click();
    // While the code is out of focus the camera runs: both threads are up.
    app.wait_until(
        "the camera threads",
        SHORT,
        || camera_threads(pid),
        |n| *n == 2,
    );
    camera_outcome(&app);
    let scanning = started.elapsed();
    let found = app.wait_for("[data-testid=found]", SHORT);
    assert_eq!(found.text(), "Webcam (lena)");
    // The camera was released at the find: its threads are gone and the
    // panel is off.
    app.wait_until(
        "the camera to be released",
        SHORT,
        || camera_threads(pid),
        |n| *n == 0,
    );
    let panel = app.wait_for("[data-testid=camera]", SHORT);
    assert_eq!(panel.attribute("data-camera").as_deref(), Some("off"));
    // The preview showed what the camera saw: grey frames with a picture
    // in them, not a blank canvas.
    let preview = app.execute(
        "const c = document.querySelector('[data-testid=camera-preview]');\
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
         let min = 255, max = 0;\
         for (let i = 0; i < d.length; i += 4) { min = Math.min(min, d[i]); max = Math.max(max, d[i]); }\
         return [c.width, c.height, Number(c.dataset.frames), min, max, c.hidden];",
    );
    let drawn = preview[2].as_u64().unwrap_or(0);
    eprintln!(
        "camera preview: {drawn} frames drawn before the find, {:.1} s after Start, {}x{} pixels",
        scanning.as_secs_f64(),
        preview[0],
        preview[1]
    );
    assert!(preview[0].as_u64().unwrap_or(0) > 0, "{preview}");
    assert!(drawn >= 2, "only {drawn} previews: {preview}");
    assert!(
        preview[4].as_u64().unwrap_or(0) - preview[3].as_u64().unwrap_or(0) > 50,
        "a flat preview: {preview}"
    );
    assert_eq!(preview[5].as_bool(), Some(false));
    // The webview got names and previews, never the secret.
    assert!(!page_text(&app).contains(SECRET));

    add_found_and_check_its_code(&app, "Webcam (lena)", SECRET);
}

#[test]
fn stopping_or_locking_releases_the_camera() {
    let (source, png) = enrollment_qr_png(&uri("Never", "lena", SECRET));
    // Out of focus for twenty seconds, longer than each step below takes.
    let frames = recording(&png, source.dir.path(), 300, false);
    let vault = TestVault::new();
    let app = start_with_frames(&vault, Some(&frames));
    create_vault(&app, true, false);
    open_add_screen(&app);
    let pid = app_pid(&app);
    let start = app.wait_for("[data-testid=camera-start]", SHORT);
    app.wait_until("the start button", SHORT, || start.is_displayed(), |d| *d);

    // What the add screen costs with the camera off, then with it on and
    // nothing to find (the steady state of a scan), over the same time.
    let window = Duration::from_secs(3);
    let idle_from = cpu_ticks(&app);
    std::thread::sleep(window);
    let idle_to = cpu_ticks(&app);
    let frames_drawn = || {
        app.execute(
            "return Number(document.querySelector('[data-testid=camera-preview]').dataset.frames);",
        )
        .as_u64()
        .unwrap_or(0)
    };

    // Stop.
    start.click();
    app.wait_until(
        "the camera to run",
        SHORT,
        || camera_threads(pid),
        |n| *n == 2,
    );
    app.wait_until("a first preview", SHORT, frames_drawn, |n| *n > 0);
    let (scan_from, drawn_from, from) = (cpu_ticks(&app), frames_drawn(), Instant::now());
    std::thread::sleep(window);
    let (scan_to, drawn_to, elapsed) = (cpu_ticks(&app), frames_drawn(), from.elapsed());
    eprintln!(
        "camera preview, steady state (debug build): {:.1} previews drawn per second; \
         CPU in % of one core: app {:.0}%, web content {:.0}% (camera off: app {:.0}%, web content {:.0}%)",
        (drawn_to - drawn_from) as f64 / elapsed.as_secs_f64(),
        cpu_percent(scan_from.0, scan_to.0, elapsed),
        cpu_percent(scan_from.1, scan_to.1, elapsed),
        cpu_percent(idle_from.0, idle_to.0, window),
        cpu_percent(idle_from.1, idle_to.1, window),
    );
    assert!(drawn_to > drawn_from, "the preview stood still");
    app.wait_for("[data-testid=camera-stop]", SHORT).click();
    app.wait_until(
        "the camera to stop",
        SHORT,
        || camera_threads(pid),
        |n| *n == 0,
    );
    let status = app.wait_for("[data-testid=camera-status]", SHORT);
    app.wait_until(
        "the stopped status",
        SHORT,
        || status.text(),
        |t| t == "The camera is off.",
    );

    // Leaving the add screen.
    app.wait_for("[data-testid=camera-start]", SHORT).click();
    app.wait_until(
        "the camera to run",
        SHORT,
        || camera_threads(pid),
        |n| *n == 2,
    );
    app.wait_for("[data-testid=back]", SHORT).click();
    app.wait_until(
        "the camera to stop",
        SHORT,
        || camera_threads(pid),
        |n| *n == 0,
    );

    // Locking (Ctrl+L), which Rust does also when idle or the session locks.
    open_add_screen(&app);
    let start = app.wait_for("[data-testid=camera-start]", SHORT);
    app.wait_until("the start button", SHORT, || start.is_displayed(), |d| *d);
    start.click();
    app.wait_until(
        "the camera to run",
        SHORT,
        || camera_threads(pid),
        |n| *n == 2,
    );
    app.press_ctrl('l');
    app.wait_for("[data-testid=unlock-title]", SHORT);
    app.wait_until(
        "the camera to stop",
        SHORT,
        || camera_threads(pid),
        |n| *n == 0,
    );
}

#[test]
fn a_two_code_google_export_asks_for_the_missing_code_then_adds_all() {
    // Twelve accounts: more than one export code holds (ten at most).
    let source = TestVault::new();
    stdout_ok(&source.run_with_password(&["init"]), "init");
    let secrets: Vec<String> = (0..12)
        .map(|i| crate::util::base32(format!("series-key-{i:02}-x").as_bytes()))
        .collect();
    let list: String = secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| format!("{}\n", uri(&format!("Site{i:02}"), "lena", secret)))
        .collect();
    let list_file = source.dir.path().join("uris.txt");
    std::fs::write(&list_file, list).unwrap();
    stdout_ok(
        &source.run_with_password(&["import", list_file.to_str().unwrap()]),
        "import",
    );
    let dir = source.dir.path().join("google");
    stdout_ok(
        &source.run_with_password(&[
            "export",
            "--format",
            "google",
            "--plain",
            "--qr",
            dir.to_str().unwrap(),
        ]),
        "export google",
    );
    let first = dir.join("google-export-1-of-2.png");
    let second = dir.join("google-export-2-of-2.png");
    assert!(first.is_file() && second.is_file(), "not a series of two");

    let vault = TestVault::new();
    let app = start_with_frames(&vault, None);
    create_vault(&app, true, false);
    app.wait_for("[data-testid=empty-add]", SHORT).click();
    app.wait_for("[data-testid=scan-file]", SHORT)
        .send_keys(first.to_str().unwrap());
    scan_outcome(&app);
    assert_eq!(
        text_of(&app, "[data-testid=series]"),
        "Google Authenticator export: 1 of 2 codes scanned. Show code 2 and scan again."
    );
    let first_found = app.find_all("[data-testid=found-pick]").len();
    assert!(
        (1..12).contains(&first_found),
        "code 1 listed {first_found}"
    );

    app.wait_for("[data-testid=scan-file]", SHORT)
        .send_keys(second.to_str().unwrap());
    app.wait_until(
        "the whole series",
        START,
        || text_of(&app, "[data-testid=series]"),
        |t| t == "Google Authenticator export: all 2 codes scanned.",
    );
    assert_eq!(app.find_all("[data-testid=found-pick]").len(), 12);
    let add = app.wait_for("[data-testid=add-found]", SHORT);
    assert_eq!(add.text(), "Add 12 accounts");
    add.click();
    app.wait_for("[data-testid=account-list]", SHORT);
    let rows = app.wait_until(
        "the twelve accounts",
        SHORT,
        || visible_rows(&app),
        |rows| rows.len() == 12,
    );
    let mut issuers: Vec<&str> = rows.iter().map(|(issuer, _)| issuer.as_str()).collect();
    issuers.sort_unstable();
    let expected: Vec<String> = (0..12).map(|i| format!("Site{i:02}")).collect();
    assert_eq!(issuers, expected);
    // Both codes' accounts work: one from each, against oathtool.
    for (issuer, secret) in [("Site00", &secrets[0]), ("Site11", &secrets[11])] {
        let (code, now_ms) = shown_code(&app, issuer);
        assert_eq!(code, oathtool(secret, now_ms / 1000), "{issuer}");
    }
}
