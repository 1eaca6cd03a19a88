//! The app as a desktop program: one app per vault (a second launch shows
//! the first window and exits 0), Ctrl+Q and Ctrl+W, the window's place
//! kept across launches, starting at login, and the first-run screen
//! fitting the default window. Each test that changes settings or the
//! window's place gives its app a configuration folder of its own, so the
//! tests running beside it keep the defaults.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::app::{
    app_pid, app_windows, command_name, create_vault, keyboard_turn, process_tree, xdotool, SHORT,
    START,
};
use crate::util::{app_binary, TestVault};
use crate::webdriver::AppSession;

/// The main window's title, as xdotool matches it.
const MAIN: &str = "^Tessera$";

/// Starts the app on `vault` with its configuration in `config`.
fn start_in(vault: &TestVault, config: &Path) -> AppSession {
    AppSession::start(
        &app_binary(),
        &[
            (
                "TESSERA_VAULT",
                vault.path.to_str().expect("UTF-8 temp path"),
            ),
            ("XDG_CONFIG_HOME", config.to_str().expect("UTF-8 temp path")),
        ],
    )
}

/// A configuration folder of the test's own, inside the vault's folder.
fn own_config(vault: &TestVault) -> PathBuf {
    let config = vault
        .path
        .parent()
        .expect("the vault's folder")
        .join("config");
    std::fs::create_dir_all(&config).unwrap();
    config
}

/// The app's main window, once it is shown.
fn main_window(pid: u32) -> String {
    let deadline = Instant::now() + START;
    loop {
        if let Some(window) = app_windows(pid, MAIN).into_iter().next() {
            return window;
        }
        assert!(Instant::now() < deadline, "the main window never showed");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the process has ended (gone, or a zombie its parent has
/// not collected yet).
fn wait_gone(pid: u32, what: &str) {
    let deadline = Instant::now() + SHORT;
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let after = &stat[stat.rfind(')')? + 2..];
                after.split(' ').next().map(str::to_owned)
            });
        if state.is_none_or(|s| s == "Z" || s == "X") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the app is still running"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Presses `key` on the window, with the keyboard to itself meanwhile
/// (Xvfb has no window manager: the window gets the focus by xdotool's
/// hand).
fn press_on(window: &str, key: &str) {
    let _turn = keyboard_turn();
    xdotool(&["windowfocus", "--sync", window]);
    xdotool(&["key", "--clearmodifiers", key]);
}

/// Launches the app again on `vault` with `config`, as a user would from
/// the menu, and returns how it exited. A launch still running after the
/// bound (a second window opened) is stopped and fails the test.
fn launch_again(vault: &TestVault, config: Option<&Path>) -> ExitStatus {
    let mut command = Command::new(app_binary());
    command
        .env("TESSERA_VAULT", &vault.path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(config) = config {
        command.env("XDG_CONFIG_HOME", config);
    }
    let mut child = command.spawn().expect("the app starts");
    let deadline = Instant::now() + SHORT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the second launch did not exit: it opened an app of its own");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Position and size of an X window, as xdotool reports them.
fn geometry(window: &str) -> (i32, i32, u32, u32) {
    let lines = xdotool(&["getwindowgeometry", window]);
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.trim().strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {lines:?}"))
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    let position = field("Position: ");
    let size = field("Geometry: ");
    let (x, y) = position.split_once(',').unwrap();
    let (w, h) = size.split_once('x').unwrap();
    (
        x.parse().unwrap(),
        y.parse().unwrap(),
        w.parse().unwrap(),
        h.parse().unwrap(),
    )
}

#[test]
fn a_second_launch_shows_the_hidden_first_window_and_exits_0() {
    let vault = TestVault::new();
    let app = crate::app::start(&vault);
    app.wait_for("[data-testid=setup-form]", START);
    let pid = app_pid(&app);
    let window = main_window(pid);
    // Out of sight, as in the tray: unmapped behind the app's back.
    xdotool(&["windowunmap", "--sync", &window]);
    assert!(app_windows(pid, MAIN).is_empty());

    let status = launch_again(&vault, None);
    assert!(status.success(), "the second launch exited {status}");
    app.wait_until(
        "the first window shown again",
        SHORT,
        || app_windows(pid, MAIN),
        |found| found.contains(&window),
    );
    // Still the first app, with its page as it was.
    app.wait_for("[data-testid=setup-form]", SHORT);
}

#[test]
fn control_w_hides_to_the_tray_when_chosen_and_a_launch_brings_it_back() {
    let vault = TestVault::new();
    let config = own_config(&vault);
    let app = start_in(&vault, &config);
    create_vault(&app, true, false);
    // Chosen in Settings, as a user does; kept in the desktop settings.
    app.wait_for("[data-testid=settings]", SHORT).click();
    let switch = app.wait_for("[data-testid=close-to-tray]", SHORT);
    app.wait_until(
        "the switch read from the settings",
        SHORT,
        || switch.property("disabled"),
        |disabled| disabled == &serde_json::Value::Bool(false),
    );
    assert_eq!(switch.property("checked"), serde_json::Value::Bool(false));
    switch.click();
    app.wait_until(
        "the saved confirmation",
        SHORT,
        || app.wait_for("[data-testid=toast]", SHORT).text(),
        |t| t == "Saved",
    );
    let saved = std::fs::read_to_string(config.join("tessera/desktop.json")).unwrap();
    assert!(saved.contains("\"closeToTray\": true"), "{saved}");
    let pid = app_pid(&app);
    let window = main_window(pid);

    press_on(&window, "ctrl+w");
    app.wait_until(
        "the window hidden by Ctrl+W",
        SHORT,
        || app_windows(pid, MAIN),
        |found| found.is_empty(),
    );
    // Hidden, not quit: the page still answers.
    app.wait_for("[data-testid=settings-title]", SHORT);

    let status = launch_again(&vault, Some(&config));
    assert!(status.success(), "the second launch exited {status}");
    main_window(pid);
}

#[test]
fn control_w_quits_when_closing_to_the_tray_is_off() {
    let vault = TestVault::new();
    let config = own_config(&vault);
    let app = start_in(&vault, &config);
    app.wait_for("[data-testid=setup-form]", START);
    let pid = app_pid(&app);
    let window = main_window(pid);
    press_on(&window, "ctrl+w");
    wait_gone(pid, "after Ctrl+W");
}

#[test]
fn control_q_quits_and_the_next_launch_opens_where_the_window_was_left() {
    let vault = TestVault::new();
    let config = own_config(&vault);
    let (x, y, width, height) = (230, 140, 620, 660);
    {
        let app = start_in(&vault, &config);
        create_vault(&app, true, false);
        let pid = app_pid(&app);
        let window = main_window(pid);
        xdotool(&[
            "windowsize",
            "--sync",
            &window,
            &width.to_string(),
            &height.to_string(),
        ]);
        xdotool(&[
            "windowmove",
            "--sync",
            &window,
            &x.to_string(),
            &y.to_string(),
        ]);
        app.wait_until(
            "the window moved and resized",
            SHORT,
            || geometry(&window),
            |g| *g == (x, y, width, height),
        );
        press_on(&window, "ctrl+q");
        wait_gone(pid, "after Ctrl+Q");
    }
    assert!(config.join("tessera/window.json").exists());

    let app = start_in(&vault, &config);
    app.wait_for("[data-testid=unlock-title]", START);
    let window = main_window(app_pid(&app));
    app.wait_until(
        "the window where it was left",
        SHORT,
        || geometry(&window),
        |g| *g == (x, y, width, height),
    );
}

#[test]
fn a_place_off_every_monitor_is_not_restored() {
    let vault = TestVault::new();
    let config = own_config(&vault);
    std::fs::create_dir_all(config.join("tessera")).unwrap();
    // Left on a second monitor, since unplugged (the test display is
    // 1920x1080).
    std::fs::write(
        config.join("tessera/window.json"),
        r#"{"x": 2200, "y": 100, "width": 600, "height": 700}"#,
    )
    .unwrap();
    let app = start_in(&vault, &config);
    app.wait_for("[data-testid=setup-form]", START);
    let window = main_window(app_pid(&app));
    let (x, y, width, height) = geometry(&window);
    assert!(x >= 0 && y >= 0 && x + width as i32 <= 1920 && y + height as i32 <= 1080);
    assert_eq!((width, height), (480, 720));
}

#[test]
fn create_vault_is_in_view_at_the_default_size() {
    let vault = TestVault::new();
    let config = own_config(&vault);
    let app = start_in(&vault, &config);
    app.wait_for("[data-testid=setup-form]", START);
    let window = main_window(app_pid(&app));
    let (_, _, width, height) = geometry(&window);
    assert_eq!((width, height), (480, 720), "not the default size");
    let seen = app.execute(
        "const r = document.querySelector('[data-testid=create-vault]').getBoundingClientRect();\
         return [r.top, r.bottom, window.innerHeight, document.scrollingElement.scrollTop];",
    );
    let (top, bottom, viewport) = (
        seen[0].as_f64().unwrap(),
        seen[1].as_f64().unwrap(),
        seen[2].as_f64().unwrap(),
    );
    assert!(
        top >= 0.0 && bottom <= viewport,
        "Create vault at {top}..{bottom} of a {viewport} px viewport ({seen})"
    );
}

/// Opens Settings and returns the start-at-login switch.
fn autostart_switch(app: &AppSession) -> crate::webdriver::Element<'_> {
    app.wait_for("[data-testid=settings]", SHORT).click();
    app.wait_for("[data-testid=settings-title]", SHORT);
    app.wait_for("[data-testid=start-at-login]", SHORT)
}

#[test]
fn start_at_login_writes_a_valid_autostart_entry_and_removes_it() {
    let vault = TestVault::new();
    let config = own_config(&vault);
    let entry = config.join("autostart/org.tessera.authenticator.desktop");
    let app = start_in(&vault, &config);
    create_vault(&app, true, false);
    let switch = autostart_switch(&app);
    assert_eq!(switch.property("checked").as_bool(), Some(false));
    assert!(!entry.exists());

    switch.click();
    app.wait_until("the autostart entry", SHORT, || entry.exists(), |e| *e);
    let text = std::fs::read_to_string(&entry).unwrap();
    let exec = format!("Exec={} --hidden", app_binary().display());
    assert!(text.lines().any(|l| l == exec), "{text}");
    assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
    assert!(text.lines().any(|l| l == "Type=Application"), "{text}");
    if let Ok(output) = Command::new("desktop-file-validate").arg(&entry).output() {
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "desktop-file-validate: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(switch.property("checked").as_bool(), Some(true));

    switch.click();
    app.wait_until(
        "the autostart entry gone",
        SHORT,
        || entry.exists(),
        |e| !*e,
    );

    // The switch shows the file, not a remembered choice.
    std::fs::write(&entry, text).unwrap();
    app.wait_for("[data-testid=back]", SHORT).click();
    let switch = autostart_switch(&app);
    assert_eq!(switch.property("checked").as_bool(), Some(true));
}

/// The autostart entry starts the app with `--hidden`: with closing to the
/// tray chosen, its window stays out of sight (the app waits in the tray)
/// until it is launched again from the menu; without, `--hidden` opens the
/// window as usual, since there would be no way back to it.
#[test]
fn a_hidden_start_waits_in_the_tray_until_launched_again() {
    for close_to_tray in [true, false] {
        let vault = TestVault::new();
        let config = own_config(&vault);
        let settings = config.join("tessera");
        std::fs::create_dir_all(&settings).unwrap();
        std::fs::write(
            settings.join("desktop.json"),
            format!("{{\"closeToTray\": {close_to_tray}}}"),
        )
        .unwrap();
        let mut app = Command::new(app_binary())
            .arg("--hidden")
            .env("TESSERA_VAULT", &vault.path)
            .env("XDG_CONFIG_HOME", &config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the app starts");
        let pid = app.id();
        if close_to_tray {
            // Up once its page's process runs (a window never mapped has
            // no X window to look for).
            let deadline = Instant::now() + START;
            while !process_tree(pid)
                .into_iter()
                .any(|child| command_name(child).starts_with("WebKitWebProces"))
            {
                assert!(Instant::now() < deadline, "the app never made its page");
                std::thread::sleep(Duration::from_millis(100));
            }
            let watched = Instant::now();
            while watched.elapsed() < Duration::from_secs(3) {
                assert!(
                    app_windows(pid, MAIN).is_empty(),
                    "the window showed at a hidden start"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            assert!(launch_again(&vault, Some(&config)).success());
        }
        main_window(pid);
        let _ = app.kill();
        let _ = app.wait();
    }
}

/// A key bound in the desktop's settings to `tessera-app --quick-pick`,
/// pressed while Tessera is not running, starts it with its quick pick
/// open over the main window; locked, the quick pick offers to unlock.
#[test]
fn a_first_launch_with_quick_pick_starts_the_app_with_its_quick_pick_open() {
    // The quick pick takes the X keyboard focus as it shows: the tests
    // that type wait their turn.
    let _turn = keyboard_turn();
    let vault = TestVault::new();
    let config = own_config(&vault);
    let app = AppSession::start_with_args(
        &app_binary(),
        &["--quick-pick"],
        &[
            ("TESSERA_VAULT", vault.path.to_str().unwrap()),
            ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ],
    );
    app.wait_for("[data-testid=setup-form]", START);
    let pid = app_pid(&app);
    main_window(pid);
    app.wait_until(
        "the quick pick on screen",
        START,
        || app_windows(pid, "^Tessera: quick pick$"),
        |found| found.len() == 1,
    );
    // Both windows were there before WebDriver was asked: the quick
    // pick's page is the one its page titles so.
    let handles = app.wait_until(
        "the quick pick's page",
        SHORT,
        || app.window_handles(),
        |h| h.len() == 2,
    );
    let quick_pick = handles
        .into_iter()
        .find(|h| {
            app.switch_to_window(h);
            app.title() == "Tessera: quick pick"
        })
        .expect("a page titled as the quick pick");
    app.switch_to_window(&quick_pick);
    let note = app.wait_for("[data-testid=quick-pick-note]", SHORT);
    let said = app.wait_until("the locked note", SHORT, || note.text(), |t| !t.is_empty());
    assert!(said.starts_with("Tessera is locked"), "{said}");
}
