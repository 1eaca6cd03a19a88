//! The global shortcut, the quick-pick window and auto-type, as a user at
//! the keyboard meets them: a real text field in another program (zenity's
//! entry) has the focus, the shortcut is pressed with xdotool, the quick
//! pick is searched by typing, and Shift+Enter must put the exact code in
//! that field (zenity prints it when Return closes it).
//!
//! Each test's app has its own configuration folder (the shortcut is a
//! desktop setting) and its own key, so tests running side by side never
//! grab the same one; the keystrokes themselves take turns
//! (`keyboard_turn`), since the display has one keyboard focus.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::app::{
    add_by_uri, app_pid, app_windows, clipboard, clipboard_turn, create_vault, keyboard_turn,
    launch_quick_pick, oathtool, quick_pick_note, switch_to_quick_pick, unix_now, uri, xdotool,
    SECRET, SHORT, START,
};
use crate::util::{app_binary, TestVault};
use crate::webdriver::AppSession;

/// A second key, for a second account.
const SECRET_B: &str = "JBSWY3DPEHPK3PXP";
const QUICK_PICK_TITLE: &str = "^Tessera: quick pick$";

/// The app, its vault and its configuration folder (kept while it runs),
/// and the handle of its main window.
struct Desktop {
    app: AppSession,
    main: String,
    pid: u32,
    vault: TestVault,
    config: tempfile::TempDir,
}

/// Starts the app with its own configuration folder, the shortcut already
/// saved there if `shortcut`, on a new password vault with GitHub (SECRET)
/// and Gitea (SECRET_B).
fn start(shortcut: Option<&str>) -> Desktop {
    let vault = TestVault::new();
    let config = tempfile::tempdir().expect("a configuration folder");
    if let Some(shortcut) = shortcut {
        let folder = config.path().join("tessera");
        std::fs::create_dir_all(&folder).unwrap();
        // Dark, not the default: the quick pick is seen to take the choice.
        std::fs::write(
            folder.join("desktop.json"),
            serde_json::json!({ "quickPickShortcut": shortcut, "theme": "Dark" }).to_string(),
        )
        .unwrap();
    }
    let app = AppSession::start(
        &app_binary(),
        &[
            ("TESSERA_VAULT", vault.path.to_str().unwrap()),
            ("XDG_CONFIG_HOME", config.path().to_str().unwrap()),
        ],
    );
    create_vault(&app, true, false);
    add_by_uri(&app, &uri("GitHub", "dave", SECRET));
    add_by_uri(&app, &uri("Gitea", "dave", SECRET_B));
    let main = app.window_handles().remove(0);
    let pid = app_pid(&app);
    Desktop {
        app,
        main,
        pid,
        vault,
        config,
    }
}

/// A zenity entry dialog: a text field in another program's window.
struct Entry {
    child: Child,
    window: String,
}

impl Entry {
    fn open(title: &str) -> Entry {
        let child = Command::new("zenity")
            .args(["--entry", "--title", title, "--text", "Code:"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not run zenity ({e}): `make test` installs it"));
        let pattern = format!("^{title}$");
        let deadline = Instant::now() + START;
        let window = loop {
            let found = xdotool(&["search", "--onlyvisible", "--name", &pattern]);
            if let Some(window) = found.last() {
                break window.clone();
            }
            assert!(Instant::now() < deadline, "zenity's window never showed");
            std::thread::sleep(Duration::from_millis(100));
        };
        Entry { child, window }
    }

    /// Presses Return in the entry and returns what zenity printed.
    fn finish(mut self) -> String {
        xdotool(&["windowfocus", "--sync", &self.window]);
        xdotool(&["key", "--clearmodifiers", "Return"]);
        let deadline = Instant::now() + SHORT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "zenity did not close on Return");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        out.trim_end_matches('\n').to_owned()
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The window that has the keyboard focus, as xdotool names it.
fn focused() -> String {
    xdotool(&["getwindowfocus"]).pop().unwrap_or_default()
}

impl Desktop {
    /// Gives `window` the focus, presses `keys` (the shortcut) and waits
    /// until the quick pick shows with the focus, its page opened for the
    /// `nth` time; WebDriver then talks to it.
    fn open_quick_pick(&self, window: &str, keys: &str, nth: u32) {
        self.open_quick_pick_by(
            window,
            || {
                xdotool(&["key", "--clearmodifiers", keys]);
            },
            nth,
        );
    }

    /// Like [`Desktop::open_quick_pick`], opening it with `open`.
    fn open_quick_pick_by(&self, window: &str, open: impl FnOnce(), nth: u32) {
        xdotool(&["windowfocus", "--sync", window]);
        open();
        let quick_pick = self
            .app
            .wait_until(
                "the quick-pick window with the focus",
                START,
                || app_windows(self.pid, QUICK_PICK_TITLE),
                |found| found.len() == 1 && found[0] == focused(),
            )
            .remove(0);
        switch_to_quick_pick(&self.app, &self.main, nth);
        assert_eq!(focused(), quick_pick, "the quick pick kept the focus");
    }

    /// Whether the quick pick is on screen.
    fn quick_pick_shows(&self) -> bool {
        !app_windows(self.pid, QUICK_PICK_TITLE).is_empty()
    }

    fn wait_until_quick_pick_hides(&self) {
        self.app.wait_until(
            "the quick pick to close",
            SHORT,
            || self.quick_pick_shows(),
            |s| !s,
        );
    }

    /// Types into the quick pick's search (it has the keyboard focus) and
    /// waits until the page has all of it.
    fn search(&self, text: &str) {
        xdotool(&["type", "--delay", "40", text]);
        self.app.wait_until(
            "the typed search",
            SHORT,
            || {
                self.app.execute(
                    "return document.querySelector('[data-testid=quick-pick-search]').value",
                )
            },
            |v| v.as_str() == Some(text),
        );
    }

    /// Runs `tessera-app --quick-pick` on this app's vault, as a key bound
    /// in the desktop's own shortcut settings would.
    fn launch_quick_pick(&self) {
        launch_quick_pick(&self.vault.path, self.config.path(), |_| {});
    }

    fn dataset(&self, name: &str) -> Value {
        self.app
            .execute(&format!("return document.body.dataset.{name} || ''"))
    }
}

/// The code oathtool gives now or in the period before (the code may have
/// been typed just before a period boundary).
fn current_codes(secret: &str) -> [String; 2] {
    let now = unix_now();
    [oathtool(secret, now), oathtool(secret, now - 30)]
}

#[test]
fn shift_enter_in_the_quick_pick_types_the_code_into_the_window_that_had_the_focus() {
    let desktop = start(None);
    let app = &desktop.app;

    // Off by default; turned on in Settings with the suggested Ctrl+Alt+K.
    app.wait_for("[data-testid=settings]", SHORT).click();
    let status = app.wait_for("[data-testid=shortcut-status]", SHORT);
    app.wait_until(
        "the shortcut's state",
        SHORT,
        || status.text(),
        |t| t == "No shortcut is set.",
    );
    assert_eq!(
        app.wait_for("[data-testid=quick-pick-shortcut]", SHORT)
            .property("value")
            .as_str(),
        Some("Ctrl+Alt+K")
    );
    app.wait_for("[data-testid=quick-pick-enabled]", SHORT)
        .click();
    app.wait_until(
        "the shortcut to be taken",
        SHORT,
        || status.attribute("data-state"),
        |s| s.as_deref() == Some("active"),
    );
    assert!(status.text().starts_with("Ctrl+Alt+K opens the quick pick"));
    let saved = std::fs::read_to_string(desktop.config.path().join("tessera/desktop.json"))
        .expect("the desktop settings were saved in the app's own folder");
    assert!(saved.contains("Ctrl+Alt+K"), "{saved}");
    app.wait_for("[data-testid=back]", SHORT).click();

    let entry = Entry::open("Autotype target one");
    let _turn = keyboard_turn();
    desktop.open_quick_pick(&entry.window, "ctrl+alt+k", 1);
    assert!(
        app.execute("return document.querySelector('[data-testid=quick-pick-help]').textContent")
            .as_str()
            .is_some_and(|t| t.contains("Shift+Enter types")),
        "typing is offered"
    );
    desktop.search("git hub");
    let listed: Vec<String> = app
        .find_all("[data-testid=quick-pick-item]")
        .iter()
        .map(|item| item.text())
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].starts_with("GitHub"), "{listed:?}");
    xdotool(&["key", "--clearmodifiers", "shift+Return"]);
    app.wait_until(
        "the code to be typed",
        SHORT,
        || desktop.dataset("typed"),
        |t| t.as_str() == Some("1"),
    );
    assert!(!desktop.quick_pick_shows(), "the quick pick closed to type");
    assert_eq!(focused(), entry.window, "the focus went back to the entry");
    let typed = entry.finish();
    let expected = current_codes(SECRET);
    assert!(
        expected.contains(&typed),
        "zenity's field received {typed:?}; oathtool gives {expected:?}"
    );
}

/// Where Tessera cannot take a shortcut itself, the user binds a key in
/// the desktop's settings to `tessera-app --quick-pick`: the running app
/// opens its quick pick over the window in focus, and types there.
#[test]
fn a_launch_with_quick_pick_opens_it_over_the_window_in_focus_and_types_there() {
    let desktop = start(None);
    let entry = Entry::open("Autotype target launched");
    let _turn = keyboard_turn();
    desktop.open_quick_pick_by(&entry.window, || desktop.launch_quick_pick(), 1);
    desktop.search("git hub");
    xdotool(&["key", "--clearmodifiers", "shift+Return"]);
    desktop.app.wait_until(
        "the code to be typed",
        SHORT,
        || desktop.dataset("typed"),
        |t| t.as_str() == Some("1"),
    );
    let typed = entry.finish();
    let expected = current_codes(SECRET);
    assert!(
        expected.contains(&typed),
        "zenity's field received {typed:?}; oathtool gives {expected:?}"
    );
}

#[test]
fn enter_in_the_quick_pick_copies_and_escape_closes_it() {
    let desktop = start(Some("Ctrl+Alt+J"));
    let app = &desktop.app;
    let entry = Entry::open("Autotype target two");
    {
        let _turn = keyboard_turn();
        let _clipboard = clipboard_turn();
        desktop.open_quick_pick(&entry.window, "ctrl+alt+j", 1);
        // Regression: the quick pick was drawn light whatever the theme.
        app.wait_until(
            "the quick pick in the chosen dark theme",
            SHORT,
            || app.execute("return document.documentElement.dataset.theme || ''"),
            |theme| theme.as_str() == Some("dark"),
        );
        desktop.search("gitea");
        xdotool(&["key", "--clearmodifiers", "Return"]);
        desktop.wait_until_quick_pick_hides();
        let copied = app.wait_until("a copied code", SHORT, clipboard, |c| c.len() == 6);
        let expected = current_codes(SECRET_B);
        assert!(
            expected.contains(&copied),
            "copied {copied:?}, not {expected:?}"
        );

        // Opened again: a fresh search; Escape closes without a copy or a key.
        app.switch_to_window(&desktop.main);
        desktop.open_quick_pick(&entry.window, "ctrl+alt+j", 2);
        assert_eq!(
            app.execute("return document.querySelector('[data-testid=quick-pick-search]').value")
                .as_str(),
            Some("")
        );
        assert_eq!(
            app.find_all("[data-testid=quick-pick-item]").len(),
            2,
            "every account is listed before a search"
        );
        xdotool(&["key", "--clearmodifiers", "Escape"]);
        desktop.wait_until_quick_pick_hides();
        assert_eq!(
            desktop.dataset("typed").as_str(),
            Some(""),
            "nothing was typed"
        );
    }
    let _turn = keyboard_turn();
    assert_eq!(entry.finish(), "", "Escape typed nothing into the entry");
}

#[test]
fn a_locked_vault_types_nothing_and_tessera_itself_is_never_typed_into() {
    let desktop = start(Some("Ctrl+Alt+U"));
    let app = &desktop.app;
    let github = app
        .execute(
            "return [...document.querySelectorAll('[data-testid=account]')]\
               .find((li) => li.textContent.includes('GitHub')).dataset.id || null",
        )
        .as_str()
        .map(str::to_owned);

    // The shortcut pressed in Tessera's own window: Shift+Enter refuses.
    let main_window = app_windows(desktop.pid, "^Tessera$").remove(0);
    let entry = Entry::open("Autotype target three");
    {
        let _turn = keyboard_turn();
        desktop.open_quick_pick(&main_window, "ctrl+alt+u", 1);
        desktop.search("github");
        xdotool(&["key", "--clearmodifiers", "shift+Return"]);
        let note = quick_pick_note(app, "the refusal");
        assert!(note.contains("that was Tessera"), "{note}");
        assert!(
            desktop.quick_pick_shows(),
            "the quick pick stays to say why"
        );
        xdotool(&["key", "--clearmodifiers", "Escape"]);
        desktop.wait_until_quick_pick_hides();
    }

    // Locked: the quick pick asks to unlock, and Shift+Enter types nothing.
    app.switch_to_window(&desktop.main);
    app.press_ctrl('l');
    app.wait_for("[data-testid=unlock-title]", SHORT);
    {
        let _turn = keyboard_turn();
        desktop.open_quick_pick(&entry.window, "ctrl+alt+u", 2);
        assert_eq!(desktop.dataset("locked").as_str(), Some("true"));
        let note = app
            .execute("return document.querySelector('[data-testid=quick-pick-note]').textContent");
        assert!(
            note.as_str()
                .is_some_and(|t| t.contains("Tessera is locked")),
            "{note}"
        );
        assert!(app.find_all("[data-testid=quick-pick-item]").is_empty());
        xdotool(&["key", "--clearmodifiers", "shift+Return"]);
        // Rust refuses too, whatever the page asks.
        if let Some(id) = &github {
            let answer = app.execute_async(&format!(
                "const done = arguments[arguments.length - 1];\
                 window.__TAURI_INTERNALS__.invoke('quick_pick_type', {{ request: {{ id: {id:?} }} }})\
                   .then(() => done('typed'), (e) => done(e.kind));"
            ));
            assert_eq!(answer.as_str(), Some("locked"));
        }
        assert!(desktop.quick_pick_shows(), "still asking to unlock");
        // Enter brings the main window forward to unlock.
        xdotool(&["key", "--clearmodifiers", "Return"]);
        desktop.wait_until_quick_pick_hides();
        app.wait_until("the main window to have the focus", SHORT, focused, |f| {
            *f == main_window
        });
        assert_eq!(entry.finish(), "", "nothing was typed while locked");
    }
    assert!(github.is_some(), "the account row carries its id");
}

#[test]
fn a_shortcut_another_program_holds_is_reported_in_settings() {
    let holder = start(Some("Ctrl+Alt+H"));
    let second = start(Some("Ctrl+Alt+H"));
    for (desktop, state) in [(&holder, "active"), (&second, "failed")] {
        let app = &desktop.app;
        app.wait_for("[data-testid=settings]", SHORT).click();
        let status = app.wait_for("[data-testid=shortcut-status]", SHORT);
        app.wait_until(
            "the shortcut's state",
            SHORT,
            || status.attribute("data-state"),
            |s| s.as_deref() == Some(state),
        );
        if state == "failed" {
            assert!(
                status
                    .text()
                    .contains("another program already uses this shortcut"),
                "{}",
                status.text()
            );
        }
    }
}

#[test]
fn a_window_closed_meanwhile_is_named_and_nothing_is_typed() {
    let desktop = start(Some("Ctrl+Alt+G"));
    let app = &desktop.app;
    let entry = Entry::open("Autotype target four");
    let _turn = keyboard_turn();
    desktop.open_quick_pick(&entry.window, "ctrl+alt+g", 1);
    desktop.search("gitea");
    drop(entry);
    xdotool(&["key", "--clearmodifiers", "shift+Return"]);
    let note = quick_pick_note(app, "the reason nothing was typed");
    assert_eq!(
        Some(note.as_str()),
        Some("the window you were in is gone: nothing was typed")
    );
    app.wait_until(
        "the quick pick to come back",
        SHORT,
        || desktop.quick_pick_shows(),
        |s| *s,
    );
    assert_eq!(desktop.dataset("typed").as_str(), Some(""));
}
