//! The app's page as a first-time user meets it: rows that stay put when
//! the next code shows, the theme (chosen, or the desktop's), the keyboard
//! (focus, going back, the shortcuts page), the app's own right-click menu
//! in place of WebKit's, and export through the native save dialog.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::app::{
    add_by_uri, app_pid, app_windows, create_vault, keyboard_turn, start, text_of, uri,
    wait_for_rows, xdotool, SHORT, START,
};
use crate::util::{app_binary, stdout_ok, write_secret, TestVault};
use crate::webdriver::AppSession;

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SECRET_B: &str = "JBSWY3DPEHPK3PXP";
const ESCAPE: &str = "\u{E00C}";
const ALT: &str = "\u{E00A}";
const LEFT: &str = "\u{E012}";
const DOWN: &str = "\u{E015}";
const F1: &str = "\u{E031}";

/// The page's background colour, as drawn.
const DARK_BG: &str = "rgb(20, 27, 43)";
const LIGHT_BG: &str = "rgb(246, 247, 249)";

/// The root's computed background colour.
fn background(app: &AppSession) -> String {
    app.execute("return getComputedStyle(document.documentElement).backgroundColor;")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the page is drawn on `colour`.
fn wait_for_background(app: &AppSession, colour: &str) {
    app.wait_until(
        &format!("the background {colour}"),
        SHORT,
        || background(app),
        |b| b == colour,
    );
}

/// An app on `vault` with its own configuration folder, so the desktop
/// settings it saves reach no other test; `env` adds to its environment.
fn start_with_config(vault: &TestVault, config: &Path, env: &[(&str, &str)]) -> AppSession {
    let mut all = vec![
        (
            "TESSERA_VAULT",
            vault.path.to_str().expect("UTF-8 temp path"),
        ),
        ("XDG_CONFIG_HOME", config.to_str().expect("UTF-8 temp path")),
    ];
    all.extend_from_slice(env);
    AppSession::start(&app_binary(), &all)
}

/// The app on `vault`, created with a password and one account listed.
fn start_with_one_row(vault: &TestVault) -> AppSession {
    let app = start(vault);
    create_vault(&app, true, false);
    add_by_uri(&app, &uri("Example", "bob", SECRET));
    wait_for_rows(&app, "one row", 1);
    app
}

#[test]
fn regression_the_next_code_line_moves_no_row_or_button() {
    let vault = TestVault::new();
    let app = start(&vault);
    create_vault(&app, true, false);
    add_by_uri(&app, &uri("Example", "bob", SECRET));
    add_by_uri(&app, &uri("Second", "eve", SECRET_B));
    wait_for_rows(&app, "two rows", 2);
    // The next code's text, then the places of the first row, its buttons
    // and the second row.
    let script = "const rows = [...document.querySelectorAll('[data-testid=account]')];\
        const at = (e) => { const b = e.getBoundingClientRect(); return [b.top, b.left, b.height]; };\
        return [rows[0].querySelector('[data-testid=next-code]').textContent,\
                at(rows[0]), at(rows[0].querySelector('[data-testid=details]')),\
                at(rows[0].querySelector('[data-testid=copy]')), at(rows[1])];";
    let period = Duration::from_secs(35);
    let empty = |v: &Value| v[0].as_str() == Some("") && v[1][2].as_f64().unwrap_or(0.0) > 0.0;
    let before = app.wait_until("no next code", period, || app.execute(script), empty);
    let during = app.wait_until(
        "the next code",
        period,
        || app.execute(script),
        |v| v[0].as_str().is_some_and(|t| t.starts_with("next ")),
    );
    for (index, what) in [
        (1, "first row"),
        (2, "details button"),
        (3, "copy button"),
        (4, "second row"),
    ] {
        assert_eq!(
            before[index], during[index],
            "the {what} moved when the next code showed"
        );
    }
}

#[test]
fn dark_and_light_chosen_in_settings_change_the_colours_and_hold_when_locked() {
    let vault = TestVault::new();
    let config = vault.dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let app = start_with_config(&vault, &config, &[]);
    create_vault(&app, true, false);
    app.wait_for("[data-testid=settings]", SHORT).click();
    app.wait_for("[data-testid=theme] option[value=Dark]", SHORT)
        .click();
    wait_for_background(&app, DARK_BG);
    app.wait_for("[data-testid=theme] option[value=Light]", SHORT)
        .click();
    wait_for_background(&app, LIGHT_BG);
    app.wait_for("[data-testid=theme] option[value=Dark]", SHORT)
        .click();
    wait_for_background(&app, DARK_BG);
    let saved = std::fs::read_to_string(config.join("tessera/desktop.json")).unwrap();
    assert!(saved.contains("\"Dark\""), "{saved}");
    drop(app);
    // The next start is dark from its unlock screen, before any vault opens.
    let app = start_with_config(&vault, &config, &[]);
    app.wait_for("[data-testid=password]", START);
    wait_for_background(&app, DARK_BG);
}

#[test]
fn system_theme_follows_a_dark_gtk_theme() {
    let vault = TestVault::new();
    let config = vault.dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let app = start_with_config(&vault, &config, &[("GTK_THEME", "Adwaita:dark")]);
    app.wait_for("[data-testid=setup-form]", START);
    wait_for_background(&app, DARK_BG);
    drop(app);
    // And light under a light one: the same app, the same (System) choice.
    let app = start_with_config(&vault, &config, &[("GTK_THEME", "Adwaita")]);
    app.wait_for("[data-testid=setup-form]", START);
    // Named once Rust has asked the desktop (the portal may take a moment).
    app.wait_until(
        "the light theme named",
        SHORT,
        || app.execute("return document.documentElement.dataset.theme || ''"),
        |theme| theme.as_str() == Some("light"),
    );
    wait_for_background(&app, LIGHT_BG);
}

/// A stand-in for xdg-desktop-portal's Settings on a D-Bus session bus of
/// its own (python3-dbus): `color-scheme` as the test sets it, announced
/// with `SettingChanged` as the real portal does.
const FAKE_PORTAL: &str = r#"
import sys, dbus, dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
name = dbus.service.BusName("org.freedesktop.portal.Desktop", bus)
IFACE = "org.freedesktop.portal.Settings"
class Settings(dbus.service.Object):
    scheme = int(sys.argv[1])
    @dbus.service.method(IFACE, in_signature="ss", out_signature="v")
    def ReadOne(self, namespace, key):
        if (namespace, key) != ("org.freedesktop.appearance", "color-scheme"):
            raise dbus.exceptions.DBusException("no such setting", name="org.freedesktop.portal.Error.NotFound")
        return dbus.UInt32(self.scheme)
    @dbus.service.signal(IFACE, signature="ssv")
    def SettingChanged(self, namespace, key, value):
        pass
settings = Settings(bus, "/org/freedesktop/portal/desktop")
def line(source, condition):
    text = sys.stdin.readline()
    if not text:
        loop.quit()
        return False
    settings.scheme = int(text)
    settings.SettingChanged("org.freedesktop.appearance", "color-scheme", dbus.UInt32(settings.scheme, variant_level=1))
    print("sent", flush=True)
    return True
GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, line)
loop = GLib.MainLoop()
print("ready", flush=True)
loop.run()
"#;

/// A private session bus and the fake portal on it, stopped when dropped.
struct FakePortal {
    bus: std::process::Child,
    portal: std::process::Child,
    address: String,
    said: std::io::BufReader<std::process::ChildStdout>,
}

impl FakePortal {
    fn start(color_scheme: u32) -> FakePortal {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (tests/with-desktop.sh runs one too)");
        let mut address = String::new();
        std::io::BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        let mut portal = Command::new("/usr/bin/python3")
            .args(["-c", FAKE_PORTAL, &color_scheme.to_string()])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 with python3-dbus and python3-gi (Debian packages)");
        let mut said = std::io::BufReader::new(portal.stdout.take().unwrap());
        let mut ready = String::new();
        said.read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "the fake portal did not start");
        FakePortal {
            bus,
            portal,
            address,
            said,
        }
    }

    /// Changes `color-scheme` and announces it.
    fn set(&mut self, color_scheme: u32) {
        use std::io::{BufRead, Write};
        let stdin = self.portal.stdin.as_mut().unwrap();
        writeln!(stdin, "{color_scheme}").unwrap();
        stdin.flush().unwrap();
        let mut sent = String::new();
        self.said.read_line(&mut sent).unwrap();
        assert_eq!(sent.trim(), "sent");
    }
}

impl Drop for FakePortal {
    fn drop(&mut self) {
        let _ = self.portal.kill();
        let _ = self.portal.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

#[test]
fn system_theme_follows_the_portals_color_scheme_and_its_changes() {
    let vault = TestVault::new();
    let config = vault.dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    // The portal prefers dark while GTK's theme is light: the portal wins.
    let mut portal = FakePortal::start(1);
    let app = start_with_config(
        &vault,
        &config,
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &portal.address.clone()),
            ("GTK_THEME", "Adwaita"),
        ],
    );
    app.wait_for("[data-testid=setup-form]", START);
    wait_for_background(&app, DARK_BG);
    // The desktop switches to light, then back to dark, while the app runs.
    portal.set(2);
    wait_for_background(&app, LIGHT_BG);
    portal.set(1);
    wait_for_background(&app, DARK_BG);
    drop(app);
}

/// Whether the screen whose title has `testid` shows.
fn showing(app: &AppSession, testid: &str) -> bool {
    app.find_all(&format!("[data-testid={testid}]"))
        .first()
        .is_some_and(|e| e.is_displayed())
}

fn wait_showing(app: &AppSession, testid: &str) {
    app.wait_until(testid, SHORT, || showing(app, testid), |s| *s);
}

#[test]
fn keyboard_focus_shows_on_rows_and_escape_alt_left_and_f1_work() {
    let vault = TestVault::new();
    let app = start_with_one_row(&vault);
    // Arrow Down from the search focuses the first row: the row shows a
    // ring of its own (its containment would clip the button's). WebKit
    // draws focus only in a focused window, which Xvfb without a window
    // manager gives by xdotool's hand.
    let _turn = keyboard_turn();
    xdotool(&["windowfocus", "--sync", &main_window(&app)]);
    app.wait_for("[data-testid=search]", SHORT).click();
    app.press_keys(DOWN);
    let ring = app.wait_until(
        "a focus ring on the row",
        SHORT,
        || {
            app.execute(
                "const li = document.activeElement && document.activeElement.closest('[data-testid=account]');\
                 if (!li) return null;\
                 const s = getComputedStyle(li);\
                 return [s.outlineStyle, parseFloat(s.outlineWidth)];",
            )
        },
        |v| !v.is_null(),
    );
    assert_eq!(ring[0].as_str(), Some("solid"), "{ring}");
    assert!(ring[1].as_f64().unwrap() >= 2.0, "{ring}");

    // Escape and Alt+Left go back from sub-screens.
    app.wait_for("[data-testid=details]", SHORT).click();
    wait_showing(&app, "details-title");
    app.press_keys(ESCAPE);
    wait_showing(&app, "search");
    app.wait_for("[data-testid=settings]", SHORT).click();
    wait_showing(&app, "settings-title");
    app.press_chord(ALT, LEFT);
    wait_showing(&app, "search");
    app.wait_for("[data-testid=add-account]", SHORT).click();
    wait_showing(&app, "add-title");
    app.press_keys(ESCAPE);
    wait_showing(&app, "search");

    // F1 opens the shortcuts page, which lists the keys; Escape returns.
    app.press_keys(F1);
    let list = text_of(&app, "[data-testid=shortcut-list]");
    for key in ["F1", "Escape", "Alt+←", "Ctrl+L", "Shift+F10"] {
        assert!(list.contains(key), "{key} listed: {list}");
    }
    app.press_keys(ESCAPE);
    wait_showing(&app, "search");
    // ? typed into the search is text; outside a field it opens the page.
    app.wait_for("[data-testid=search]", SHORT).click();
    app.press_keys("?");
    assert!(!showing(&app, "shortcuts"));
    assert_eq!(
        app.wait_for("[data-testid=search]", SHORT)
            .property("value")
            .as_str(),
        Some("?")
    );
    app.press_keys(ESCAPE);
    app.press_keys(DOWN);
    app.press_keys("?");
    wait_showing(&app, "shortcuts");
}

/// Moves the real pointer (xdotool) to the middle of the element `css`,
/// then, with `click`, presses that button there.
fn pointer_at(app: &AppSession, css: &str, click: Option<&str>) {
    let at = app.execute(&format!(
        "const b = document.querySelector({css:?}).getBoundingClientRect();\
         return [Math.round(b.left + b.width / 2), Math.round(b.top + b.height / 2)];"
    ));
    let (x, y) = (at[0].as_i64().unwrap(), at[1].as_i64().unwrap());
    let window = main_window(app);
    // The tests share one screen with no window manager: another test's
    // window may lie over this one, and the pointer goes to the top one.
    xdotool(&["windowraise", &window]);
    let (x, y) = (x.to_string(), y.to_string());
    let mut args = vec!["mousemove", "--window", &window, &x, &y];
    if let Some(button) = click {
        args.extend(["click", button]);
    }
    xdotool(&args);
}

#[test]
fn regression_a_tooltip_does_not_linger_onto_the_next_screen() {
    let vault = TestVault::new();
    let app = start_with_one_row(&vault);
    let _turn = keyboard_turn();
    let windows = visible_windows(&app);
    // Resting on Settings shows its tip; clicking it changes the screen
    // under the pointer.
    // Rest on it until the tip shows (a window raised by a test running
    // beside this one can take the pointer away once).
    let tip = app.wait_until(
        "the Settings tip under the resting pointer",
        SHORT,
        || {
            pointer_at(&app, "[data-testid=settings]", None);
            std::thread::sleep(Duration::from_millis(700));
            app.find_all("[data-testid=tooltip]")
                .first()
                .map(|tip| tip.text())
                .unwrap_or_default()
        },
        |text| !text.is_empty(),
    );
    assert_eq!(tip, "Settings");
    pointer_at(&app, "[data-testid=settings]", Some("1"));
    wait_showing(&app, "settings-title");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        app.find_all("[data-testid=tooltip]").is_empty(),
        "the page's tip stayed"
    );
    assert_eq!(visible_windows(&app), windows, "a native tooltip stayed");
}

/// Right-clicks at the middle of the element `css` with the real pointer
/// (xdotool), as a user does: WebDriver would not go through WebKit's menu.
fn right_click(app: &AppSession, css: &str) {
    pointer_at(app, css, Some("3"));
}

/// The app's main X window.
fn main_window(app: &AppSession) -> String {
    app.wait_until(
        "the app's window",
        SHORT,
        || app_windows(app_pid(app), "^Tessera$"),
        |found| !found.is_empty(),
    )
    .remove(0)
}

/// Visible X windows of the app (a popup menu is one).
fn visible_windows(app: &AppSession) -> usize {
    app_windows(app_pid(app), ".*").len()
}

#[test]
fn right_click_shows_the_apps_row_menu_and_never_webkits_reload() {
    let vault = TestVault::new();
    let app = start_with_one_row(&vault);
    // A reload would lose this.
    app.execute("window.__stillHere = 'yes'; return null;");
    let _turn = keyboard_turn();
    let windows = visible_windows(&app);

    // The backup reminder may still push the row down as it shows: a
    // click that found the row moved is made again where it now is.
    let opened = (0..3).any(|_| {
        right_click(&app, "[data-testid=account] [data-testid=issuer]");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if !app.find_all("[data-testid=popup-menu]").is_empty() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    });
    assert!(opened, "no menu on a right-click of the row");
    let menu = text_of(&app, "[data-testid=popup-menu]");
    assert!(menu.contains("Copy") && menu.contains("Details"), "{menu}");
    assert_eq!(
        visible_windows(&app),
        windows,
        "WebKit's own menu opened too"
    );
    app.wait_for("[data-testid=menu-details]", SHORT).click();
    wait_showing(&app, "details-title");
    app.press_keys(ESCAPE);
    wait_showing(&app, "search");

    // Elsewhere: no menu at all, the page's or WebKit's.
    right_click(&app, "[data-testid=footer]");
    std::thread::sleep(Duration::from_millis(500));
    assert!(app.find_all("[data-testid=popup-menu]").is_empty());
    assert_eq!(visible_windows(&app), windows, "WebKit's menu opened");
    assert_eq!(
        app.execute("return window.__stillHere || 'reloaded'")
            .as_str(),
        Some("yes")
    );
}

/// The app's save dialog now (none or one).
fn save_dialogs(pid: u32) -> Vec<String> {
    app_windows(pid, "^Tessera: Export$")
}

/// Answers the app's native save dialog (src-tauri/folder_chooser.rs) as
/// the user at the keyboard does: with the suggested name (`Keep`), a path
/// typed in its name field (`Type`), or Escape (`Cancel`); returns once it
/// is gone. The page cannot see or answer it.
pub(crate) fn answer_save_dialog(app: &AppSession, answer: SaveAnswer<'_>) {
    let pid = app_pid(app);
    let dialog = app
        .wait_until(
            "the save dialog",
            SHORT,
            || save_dialogs(pid),
            |found| !found.is_empty(),
        )
        .remove(0);
    let _turn = keyboard_turn();
    xdotool(&["windowfocus", "--sync", &dialog]);
    match answer {
        SaveAnswer::Keep => {
            xdotool(&["key", "--clearmodifiers", "Return"]);
        }
        SaveAnswer::Type(path) => {
            xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
            xdotool(&[
                "type",
                "--clearmodifiers",
                "--delay",
                "20",
                path.to_str().expect("UTF-8 path"),
            ]);
            xdotool(&["key", "--clearmodifiers", "Return"]);
        }
        SaveAnswer::Cancel => {
            xdotool(&["key", "--clearmodifiers", "Escape"]);
        }
    }
    let deadline = Instant::now() + SHORT;
    while save_dialogs(pid).contains(&dialog) {
        assert!(Instant::now() < deadline, "the save dialog stayed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How [`answer_save_dialog`] answers.
pub(crate) enum SaveAnswer<'a> {
    /// Save under the suggested name, in the folder it opened in.
    Keep,
    /// Save as this path, typed.
    Type(&'a Path),
    /// Cancel: nothing is written.
    Cancel,
}

#[test]
fn export_goes_where_the_save_dialog_says_privately_and_imports_back() {
    let vault = TestVault::new();
    let home = vault.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let app = AppSession::start(
        &app_binary(),
        &[
            ("TESSERA_VAULT", vault.path.to_str().unwrap()),
            ("HOME", home.to_str().unwrap()),
        ],
    );
    create_vault(&app, true, false);
    add_by_uri(&app, &uri("Alpha", "nia", SECRET));
    crate::app::fill_aegis_export(&app, "export secret");

    // Cancelled: nothing written anywhere.
    app.wait_for("[data-testid=export]", SHORT).click();
    answer_save_dialog(&app, SaveAnswer::Cancel);
    assert_eq!(text_of(&app, "[data-testid=export-error]"), "Not exported.");
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        0,
        "cancelled, yet written"
    );

    // A folder of the user's choice, outside the documents.
    let elsewhere = vault.dir.path().join("chosen");
    std::fs::create_dir(&elsewhere).unwrap();
    let target: PathBuf = elsewhere.join("my-aegis.json");
    app.wait_for("[data-testid=export]", SHORT).click();
    answer_save_dialog(&app, SaveAnswer::Type(&target));
    assert_eq!(
        text_of(&app, "[data-testid=export-path]"),
        target.display().to_string()
    );
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the export is private");

    // It imports back.
    let password = vault.dir.path().join("export-password");
    write_secret(&password, "export secret\n");
    let other = TestVault::new();
    stdout_ok(&other.run_with_password(&["init"]), "init");
    stdout_ok(
        &other.run_with_password(&[
            "import",
            target.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import the export",
    );
    let list = stdout_ok(&other.run_with_password(&["list"]), "list");
    assert!(list.contains("Alpha"), "{list}");
}
