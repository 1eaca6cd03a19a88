//! Typing on Wayland, as a GNOME user meets it: a real compositor (mutter,
//! headless, with a virtual monitor), GNOME's desktop portal
//! (xdg-desktop-portal with xdg-desktop-portal-gnome) on a D-Bus bus of
//! the test's own, a GTK text field in another program, the quick pick
//! opened by `tessera-app --quick-pick` (what a key bound in GNOME's
//! keyboard settings runs: GNOME 43 has no GlobalShortcuts portal), and
//! Shift+Enter. The desktop then asks "Allow remote interaction?"; the
//! test answers it through the accessibility bus, ticking the box and
//! pressing Share as a user would. The field must receive the exact code,
//! a second code must need no second question, a lock must end the
//! session (the next code asks again), a "no" must type nothing and say
//! why, and over Tessera's own window nothing is typed. The desktop has a
//! keyboard (`KEYBOARD`), as a user's does, so the focus moves as it would
//! there: the quick pick must have it when it opens.
//!
//! The app itself runs as a Wayland client (`GDK_BACKEND=wayland`), driven
//! through WebDriver as in the X11 tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use crate::app::{
    add_by_uri, create_vault, launch_quick_pick, oathtool, quick_pick_note, switch_to_quick_pick,
    unix_now, uri, PrivateBus, PASSWORD, SECRET, SHORT, START,
};
use crate::util::{app_binary, TestVault};
use crate::webdriver::AppSession;

const SHIFT: &str = "\u{E008}";
const ENTER: &str = "\u{E007}";
/// How long the desktop's question may take to show and be answered.
const QUESTION: Duration = Duration::from_secs(60);

/// A GTK 3 entry in a window of its own (a Wayland client), printing its
/// text on each change and `READY` once shown.
const FIELD: &str = r#"
import sys, gi
gi.require_version('Gtk', '3.0')
from gi.repository import Gtk
window = Gtk.Window(title='Code field')
entry = Gtk.Entry()
entry.connect('changed', lambda e: (print('TEXT ' + e.get_text()), sys.stdout.flush()))
window.add(entry)
window.connect('destroy', Gtk.main_quit)
window.show_all()
print('READY'); sys.stdout.flush()
Gtk.main()
"#;

/// A user answering GNOME's remote-desktop question: finds the portal's
/// window on the accessibility bus, then ticks "Allow remote interaction"
/// and presses Share (greyed out until the box is ticked), or presses
/// Cancel (the second argument: `share` or `cancel`).
const ANSWER: &str = r#"
import sys, time, gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi

def find(node, role, name):
    try:
        if node.get_role_name() == role and name in node.get_name():
            return node
        count = node.get_child_count()
    except Exception:
        return None
    for i in range(count):
        child = node.get_child_at_index(i)
        found = child and find(child, role, name)
        if found:
            return found
    return None

deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if not app or app.get_name() != 'xdg-desktop-portal-gnome':
            continue
        allow = find(app, 'check box', 'Allow remote interaction')
        share = find(app, 'push button', 'Share')
        cancel = find(app, 'push button', 'Cancel')
        if allow and share and cancel:
            print('asked: ' + app.get_child_at_index(0).get_name()); sys.stdout.flush()
            if sys.argv[2] == 'cancel':
                cancel.do_action(0)
                print('cancelled'); sys.stdout.flush()
                sys.exit(0)
            allow.do_action(0)
            for _ in range(40):
                states = share.get_state_set()
                if states.contains(Atspi.StateType.SENSITIVE):
                    break
                time.sleep(0.1)
            share.do_action(0)
            print('shared'); sys.stdout.flush()
            sys.exit(0)
    time.sleep(0.2)
print('no question'); sys.exit(1)
"#;

/// The user's keyboard: headless mutter has no input device, and without
/// one no window ever has the keyboard focus. A remote-desktop session of
/// mutter's own (org.gnome.Mutter.RemoteDesktop, which no portal asks
/// about) gives the seat a keyboard, woken with one Shift press, for the
/// whole test.
const KEYBOARD: &str = r#"
import sys, time, dbus
from gi.repository import GLib
from dbus.mainloop.glib import DBusGMainLoop
DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
name = 'org.gnome.Mutter.RemoteDesktop'
desktop = dbus.Interface(bus.get_object(name, '/org/gnome/Mutter/RemoteDesktop'), name)
session = dbus.Interface(bus.get_object(name, desktop.CreateSession()), name + '.Session')
session.Start()
session.NotifyKeyboardKeysym(dbus.UInt32(0xffe1), True)
session.NotifyKeyboardKeysym(dbus.UInt32(0xffe1), False)
time.sleep(0.5)
print('READY'); sys.stdout.flush()
GLib.MainLoop().run()
"#;

/// A desktop portal with only the GlobalShortcuts interface, as its
/// specification describes it (GNOME 43 has none, and KDE Plasma 5.27's
/// binds no key for an app outside a sandbox, so no real one can bind
/// here). It prints what it was asked to bind (`ASKED id trigger`), binds
/// it as Ctrl+Alt+K, and on `press` read from its input signals the
/// shortcut's activation. Taking the portal's name on the test's bus, it
/// leaves no RemoteDesktop interface there.
const SHORTCUTS_PORTAL: &str = r#"
import sys, dbus, dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
name = dbus.service.BusName('org.freedesktop.portal.Desktop', bus)
IFACE = 'org.freedesktop.portal.GlobalShortcuts'
ROOT = '/org/freedesktop/portal/desktop'

class Request(dbus.service.Object):
    @dbus.service.signal('org.freedesktop.portal.Request', signature='ua{sv}')
    def Response(self, code, results):
        pass

def answer(sender, token, results):
    path = '%s/request/%s/%s' % (ROOT, sender[1:].replace('.', '_'), token)
    request = Request(bus, path)
    def respond():
        request.Response(dbus.UInt32(0), results)
        request.remove_from_connection()
        return False
    GLib.timeout_add(50, respond)
    return dbus.ObjectPath(path)

sessions = []

class Portal(dbus.service.Object):
    @dbus.service.method(IFACE, in_signature='a{sv}', out_signature='o', sender_keyword='sender')
    def CreateSession(self, options, sender=None):
        session = '%s/session/%s/%s' % (ROOT, sender[1:].replace('.', '_'), options['session_handle_token'])
        sessions.append(session)
        return answer(sender, options['handle_token'], {'session_handle': dbus.ObjectPath(session)})

    @dbus.service.method(IFACE, in_signature='oa(sa{sv})sa{sv}', out_signature='o', sender_keyword='sender')
    def BindShortcuts(self, session, shortcuts, parent, options, sender=None):
        bound = []
        for shortcut, properties in shortcuts:
            print('ASKED %s %s' % (shortcut, properties.get('preferred_trigger'))); sys.stdout.flush()
            bound.append((shortcut, {'description': properties['description'], 'trigger_description': 'Ctrl+Alt+K'}))
        return answer(sender, options['handle_token'], {'shortcuts': dbus.Array(bound, signature='(sa{sv})')})

    @dbus.service.signal(IFACE, signature='osta{sv}')
    def Activated(self, session, shortcut, timestamp, options):
        pass

portal = Portal(bus, ROOT)
loop = GLib.MainLoop()

def command(source, condition):
    line = sys.stdin.readline()
    if not line:
        loop.quit()
        return False
    if line.strip() == 'press':
        portal.Activated(dbus.ObjectPath(sessions[-1]), 'quick-pick', dbus.UInt64(0), dbus.Dictionary({}, signature='sv'))
    return True

GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, command)
print('READY'); sys.stdout.flush()
loop.run()
"#;

/// mutter as a headless Wayland compositor with a keyboard, and GNOME's
/// portal, on a bus and runtime folder of their own; stopped when dropped.
struct Wayland {
    keyboard: Option<Child>,
    mutter: Child,
    bus: PrivateBus,
    runtime: tempfile::TempDir,
    display: String,
}

impl Wayland {
    fn start() -> Wayland {
        let bus = PrivateBus::start_for_wayland();
        let runtime = tempfile::tempdir().expect("a runtime folder");
        std::fs::set_permissions(
            runtime.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let display = "wayland-tessera-test".to_owned();
        let mutter = Command::new("mutter")
            .args(["--headless", "--wayland", "--no-x11"])
            .args(["--virtual-monitor", "1280x800"])
            .args(["--wayland-display", &display])
            .env_remove("DISPLAY")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not run mutter ({e}): `make test` installs it"));
        let mut wayland = Wayland {
            keyboard: None,
            mutter,
            bus,
            runtime,
            display,
        };
        let socket = wayland.runtime.path().join(&wayland.display);
        let deadline = Instant::now() + START;
        while !socket.exists() {
            assert!(Instant::now() < deadline, "mutter never opened {socket:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
        // What D-Bus starts on demand (the portal and its GNOME backend,
        // the accessibility bus) runs on this compositor, as GNOME.
        let updated = Command::new("dbus-update-activation-environment")
            .args(wayland.env().iter().map(|(name, _)| *name))
            .envs(wayland.env())
            .status()
            .expect("dbus-update-activation-environment (Debian's dbus package)");
        assert!(updated.success());
        let mut keyboard = wayland.python(KEYBOARD, &[]);
        let said = lines(&mut keyboard);
        assert_eq!(
            said.recv_timeout(START).expect("the user's keyboard"),
            "READY"
        );
        wayland.keyboard = Some(keyboard);
        wayland
    }

    /// The environment of a client of this desktop.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("WAYLAND_DISPLAY", self.display.clone()),
            ("XDG_RUNTIME_DIR", self.runtime.path().display().to_string()),
            ("DBUS_SESSION_BUS_ADDRESS", self.bus.address.clone()),
            ("XDG_CURRENT_DESKTOP", "GNOME".into()),
            ("XDG_SESSION_TYPE", "wayland".into()),
            ("GDK_BACKEND", "wayland".into()),
        ]
    }

    /// A Python helper run as a client of this desktop (no X display).
    fn python(&self, script: &str, args: &[&str]) -> Child {
        Command::new("/usr/bin/python3")
            .arg("-c")
            .arg(script)
            .args(args)
            .env_remove("DISPLAY")
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("/usr/bin/python3 with python3-gi (Debian packages)")
    }
}

impl Drop for Wayland {
    fn drop(&mut self) {
        if let Some(keyboard) = self.keyboard.as_mut() {
            let _ = keyboard.kill();
            let _ = keyboard.wait();
        }
        let _ = self.mutter.kill();
        let _ = self.mutter.wait();
    }
}

/// Lines a child prints, read on a thread of their own.
fn lines(child: &mut Child) -> Receiver<String> {
    let (sent, received) = channel();
    let out = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if sent.send(line).is_err() {
                break;
            }
        }
    });
    received
}

/// The field's text once it has `length` characters.
fn field_text(said: &Receiver<String>, length: usize) -> String {
    let deadline = Instant::now() + QUESTION;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = said
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("the field never held {length} characters"));
        if let Some(text) = line.strip_prefix("TEXT ") {
            if text.chars().count() >= length {
                return text.to_owned();
            }
        }
    }
}

/// Whether `code` is the key's code for the period now or one a step away
/// (the period may turn while keys travel).
fn is_current_code(code: &str) -> bool {
    let now = unix_now();
    [now.saturating_sub(30), now, now + 30]
        .iter()
        .any(|&t| oathtool(SECRET, t) == code)
}

/// The app on the Wayland desktop with one account (GitHub, SECRET), and
/// the user's text field, opened last so that it has the focus.
struct Desktop {
    app: AppSession,
    main: String,
    field: Child,
    /// What the field prints.
    said: Receiver<String>,
    vault: TestVault,
    config: tempfile::TempDir,
    // Last: stopped after the app and the field.
    wayland: Wayland,
}

impl Desktop {
    fn start() -> Desktop {
        Desktop::start_on(Wayland::start(), false, None)
    }

    /// With `field_first`, the field opens before the app, whose window
    /// then has the focus; with `shortcut`, the app starts with that
    /// quick-pick shortcut set.
    fn start_on(wayland: Wayland, field_first: bool, shortcut: Option<&str>) -> Desktop {
        let open_field = || {
            let mut field = wayland.python(FIELD, &[]);
            let said = lines(&mut field);
            assert_eq!(
                said.recv_timeout(START).expect("the field's window"),
                "READY"
            );
            (field, said)
        };
        let early = field_first.then(open_field);
        let vault = TestVault::new();
        let config = tempfile::tempdir().expect("a configuration folder");
        if let Some(shortcut) = shortcut {
            let folder = config.path().join("tessera");
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join("desktop.json"),
                serde_json::json!({ "quickPickShortcut": shortcut }).to_string(),
            )
            .unwrap();
        }
        let mut env = wayland.env();
        env.push(("TESSERA_VAULT", vault.path.display().to_string()));
        env.push(("XDG_CONFIG_HOME", config.path().display().to_string()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let app = AppSession::start(&app_binary(), &env);
        create_vault(&app, true, false);
        add_by_uri(&app, &uri("GitHub", "dave", SECRET));
        let main = app.window_handles().remove(0);
        let (field, said) = early.unwrap_or_else(open_field);
        Desktop {
            app,
            main,
            field,
            said,
            vault,
            config,
            wayland,
        }
    }

    /// Runs `tessera-app --quick-pick` on the desktop, as a bound key
    /// would, and waits until the quick pick's page is open for the `nth`
    /// time, offering to type.
    fn open_quick_pick(&self, nth: u32) {
        let help = self.launch_quick_pick(nth);
        assert!(
            help.contains("Shift+Enter types"),
            "typing is not offered: {help}"
        );
    }

    /// Runs `tessera-app --quick-pick` and waits until the quick pick's
    /// page is open for the `nth` time, with the focus; its help line.
    fn launch_quick_pick(&self, nth: u32) -> String {
        launch_quick_pick(&self.vault.path, self.config.path(), |command| {
            command.env_remove("DISPLAY").envs(self.wayland.env());
        });
        self.quick_pick_opened(nth)
    }

    /// Waits until the quick pick's page is open for the `nth` time, with
    /// the focus; its help line.
    fn quick_pick_opened(&self, nth: u32) -> String {
        switch_to_quick_pick(&self.app, &self.main, nth);
        let help = self
            .app
            .wait_for("[data-testid=quick-pick-help]", SHORT)
            .text();
        // With the keyboard focus, so the user can type the search at once.
        self.app.wait_until(
            "the quick pick to have the focus",
            SHORT,
            || self.app.execute("return document.hasFocus()"),
            |focused| focused.as_bool() == Some(true),
        );
        help
    }

    /// Searches the quick pick for GitHub and presses Shift+Enter there.
    fn type_github(&self) {
        let field = self.app.wait_for("[data-testid=quick-pick-search]", SHORT);
        // Empty, as a new opening leaves it; back after a failure, the
        // search is kept.
        self.app.execute(
            "const f = document.querySelector('[data-testid=quick-pick-search]'); \
             f.value = ''; f.dispatchEvent(new Event('input'));",
        );
        field.send_keys("GitHub");
        self.app.wait_until(
            "one match",
            SHORT,
            || self.app.find_all("[data-testid=quick-pick-item]").len(),
            |n| *n == 1,
        );
        self.app.press_chord(SHIFT, ENTER);
    }

    /// Locks the vault in the main window and unlocks it again.
    fn lock_and_unlock(&self) {
        self.app.switch_to_window(&self.main);
        self.app.wait_for("[data-testid=lock]", SHORT).click();
        let field = self.app.wait_for("[data-testid=password]", SHORT);
        field.send_keys(PASSWORD);
        self.app.wait_for("[data-testid=unlock]", SHORT).click();
        self.app.wait_for("[data-testid=account]", START);
    }

    /// Presses Shift+Enter on GitHub in the quick pick while a user
    /// stands by to answer the desktop's question with `answer` (`share`
    /// or `cancel`), and checks the question came and was answered.
    fn type_github_answering(&self, answer: &str) {
        let mut user = self
            .wayland
            .python(ANSWER, &[&QUESTION.as_secs().to_string(), answer]);
        let answered = lines(&mut user);
        self.type_github();
        let asked = answered
            .recv_timeout(QUESTION)
            .expect("the desktop's question");
        assert!(asked.starts_with("asked: "), "{asked}");
        let done = if answer == "share" {
            "shared"
        } else {
            "cancelled"
        };
        assert_eq!(answered.recv_timeout(SHORT).unwrap(), done);
        let _ = user.wait();
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let _ = self.field.kill();
        let _ = self.field.wait();
    }
}

#[test]
fn shift_enter_types_the_code_through_gnomes_portal_once_the_user_allows_it() {
    let desktop = Desktop::start();
    desktop.open_quick_pick(1);
    desktop.type_github_answering("share");
    let first = field_text(&desktop.said, 6);
    assert!(is_current_code(&first), "the field got {first:?}");

    // The session is kept: the second code is typed without a question.
    desktop.open_quick_pick(2);
    desktop.type_github();
    let both = field_text(&desktop.said, 12);
    assert_eq!(&both[..6], first, "the first code stayed");
    assert!(is_current_code(&both[6..]), "the field got {both:?}");

    // A lock ends the session (and the desktop's remote-desktop
    // indicator): after the unlock, the next code asks again.
    desktop.lock_and_unlock();
    desktop.open_quick_pick(3);
    desktop.type_github_answering("share");
    let all = field_text(&desktop.said, 18);
    assert_eq!(&all[..12], both, "the first codes stayed");
    assert!(is_current_code(&all[12..]), "the field got {all:?}");
}

#[test]
fn a_user_who_says_no_gets_nothing_typed_and_is_told_why() {
    let desktop = Desktop::start();
    desktop.open_quick_pick(1);
    desktop.type_github_answering("cancel");
    // The quick pick comes back and says why.
    let note = quick_pick_note(&desktop.app, "the reason");
    assert_eq!(
        note,
        "typing was not allowed (the desktop asked): nothing was typed"
    );
    assert!(
        desktop
            .app
            .execute("return document.visibilityState")
            .as_str()
            == Some("visible"),
        "the quick pick is back"
    );
    // Nothing reached the field.
    assert!(
        desktop.said.recv_timeout(Duration::from_secs(1)).is_err(),
        "the field changed"
    );
}

/// Wayland names no window to a client, but Tessera knows its own: opened
/// over Tessera's main window, the quick pick does not offer to type, and
/// Shift+Enter types nothing (the keys would land in Tessera).
#[test]
fn over_tessera_itself_nothing_is_typed() {
    let desktop = Desktop::start_on(Wayland::start(), true, None);
    let help = desktop.launch_quick_pick(1);
    assert!(help.contains("that was Tessera"), "{help}");
    desktop.type_github();
    let note = quick_pick_note(&desktop.app, "the reason");
    assert!(note.contains("that was Tessera"), "{note}");
    assert!(
        desktop.said.recv_timeout(Duration::from_secs(1)).is_err(),
        "the field changed"
    );
}

/// The shortcut through the GlobalShortcuts portal: asked in the portal's
/// format, the key the desktop bound shown in Settings, and each press
/// opening the quick pick with the focus. That desktop has no RemoteDesktop
/// portal, and the quick pick says typing is not available there.
#[test]
fn the_global_shortcuts_portal_binds_the_shortcut_and_a_press_opens_the_quick_pick() {
    let wayland = Wayland::start();
    let mut portal = wayland.python(SHORTCUTS_PORTAL, &[]);
    let portal_said = lines(&mut portal);
    assert_eq!(
        portal_said.recv_timeout(START).expect("the portal"),
        "READY"
    );
    let desktop = Desktop::start_on(wayland, false, Some("Ctrl+Alt+K"));
    assert_eq!(
        portal_said
            .recv_timeout(SHORT)
            .expect("a BindShortcuts call"),
        "ASKED quick-pick CTRL+ALT+k"
    );
    let app = &desktop.app;
    app.switch_to_window(&desktop.main);
    app.wait_for("[data-testid=settings]", SHORT).click();
    let status = app.wait_for("[data-testid=shortcut-status]", SHORT);
    let said = app.wait_until(
        "the bound shortcut",
        SHORT,
        || status.text(),
        |t| t.contains("bound by the desktop"),
    );
    assert_eq!(
        said,
        "Ctrl+Alt+K opens the quick pick (bound by the desktop, which was asked for Ctrl+Alt+K)."
    );
    assert_eq!(status.attribute("data-state").as_deref(), Some("active"));

    use std::io::Write;
    let input = portal.stdin.as_mut().expect("the portal's input");
    input.write_all(b"press\n").unwrap();
    input.flush().unwrap();
    let help = desktop.quick_pick_opened(1);
    assert!(help.contains("offers no way for an app to type"), "{help}");
    let _ = portal.kill();
    let _ = portal.wait();
}
