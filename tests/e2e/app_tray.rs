//! The tray icon as a desktop panel sees it. A real AppIndicator registers
//! with the `org.kde.StatusNotifierWatcher` of its session bus and exports
//! its menu over `com.canonical.dbusmenu`; Xvfb has no panel, so the test
//! plays the panel's part (a small python3-dbus program) on a D-Bus of the
//! test's own, where only its app registers. It reads the menu, clicks a
//! code and the Lock item as a panel would.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::app::{
    add_by_uri, app_pid, app_windows, clipboard, clipboard_turn, create_vault, oathtool,
    set_clipboard_delay, unix_now, uri, xdotool, PrivateBus, SECRET, SHORT, START,
};
use crate::util::{app_binary, TestVault};
use crate::webdriver::AppSession;

const SECRET_B: &str = "JBSWY3DPEHPK3PXP";
/// The main window's title, as xdotool matches it.
const MAIN: &str = "^Tessera$";

/// The panel: a StatusNotifierWatcher that records the items registering
/// with it, and a client of their menus, answering one JSON line for each
/// command line (`item`, `layout`, `click ID`).
const PANEL: &str = r#"
import json, sys
import dbus, dbus.service, dbus.mainloop.glib
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
WATCHER = "org.kde.StatusNotifierWatcher"
items = []

class Watcher(dbus.service.Object):
    def __init__(self):
        super().__init__(bus, "/StatusNotifierWatcher")

    @dbus.service.method(WATCHER, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        entry = (sender, service) if service.startswith("/") else (service, "/StatusNotifierItem")
        if entry not in items:
            items.append(entry)
        self.StatusNotifierItemRegistered(entry[0] + entry[1])

    @dbus.service.method(WATCHER, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, name):
        pass

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.GetAll(interface)[name]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return {
            "RegisteredStatusNotifierItems": dbus.Array([s + p for s, p in items], signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

def menu():
    service, path = items[0]
    item = bus.get_object(service, path)
    menu_path = item.Get("org.kde.StatusNotifierItem", "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
    return dbus.Interface(bus.get_object(service, menu_path), "com.canonical.dbusmenu")

def flatten(node, out):
    for child in node[2]:
        child_id, props, _ = child
        out.append({
            "id": int(child_id),
            "label": str(props.get("label", "")),
            "enabled": bool(props.get("enabled", True)),
            "visible": bool(props.get("visible", True)),
            "type": str(props.get("type", "standard")),
        })
        flatten(child, out)
    return out

def answer(line):
    words = line.split()
    if words == ["item"]:
        return {"item": list(items[0]) if items else None}
    if words == ["layout"]:
        _, root = menu().GetLayout(0, -1, dbus.Array([], signature="s"))
        return {"entries": flatten(root, [])}
    if len(words) == 2 and words[0] == "click":
        menu().Event(dbus.Int32(int(words[1])), "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(0))
        return {"ok": True}
    return {"error": "unknown command " + line}

def on_input(source, condition):
    line = sys.stdin.readline()
    if not line:
        loop.quit()
        return False
    try:
        reply = answer(line.strip())
    except Exception as error:
        reply = {"error": str(error)}
    print(json.dumps(reply), flush=True)
    return True

name = dbus.service.BusName(WATCHER, bus, do_not_queue=True)
watcher = Watcher()
loop = GLib.MainLoop()
GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_input)
print(json.dumps({"ready": True}), flush=True)
loop.run()
"#;

/// One line of the tray's menu, as dbusmenu exports it.
#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    label: String,
    enabled: bool,
}

/// The panel program, on the bus at `address`; stopped when dropped (it
/// also ends when its input closes).
struct Panel {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Panel {
    fn start(address: &str) -> Panel {
        // Debian's own Python, where python3-dbus and python3-gi are (not
        // one a version manager put first on PATH).
        let mut child = Command::new("/usr/bin/python3")
            .args(["-c", PANEL])
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("could not run python3 ({err}): `make test` installs python3-dbus")
            });
        let input = child.stdin.take().expect("stdin");
        let output = BufReader::new(child.stdout.take().expect("stdout"));
        let mut panel = Panel {
            child,
            input,
            output,
        };
        let ready = panel.read();
        assert_eq!(ready["ready"], true, "the panel did not start: {ready}");
        panel
    }

    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.output
            .read_line(&mut line)
            .expect("the panel's answer");
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("panel said {line:?}: {err}"))
    }

    fn ask(&mut self, command: &str) -> Value {
        writeln!(self.input, "{command}").expect("the panel reads");
        self.input.flush().expect("the panel reads");
        let reply = self.read();
        assert!(reply.get("error").is_none(), "{command}: {reply}");
        reply
    }

    /// Whether an item registered.
    fn has_item(&mut self) -> bool {
        !self.ask("item")["item"].is_null()
    }

    /// The visible lines of the item's menu, separators left out.
    fn menu(&mut self) -> Vec<Entry> {
        let reply = self.ask("layout");
        reply["entries"]
            .as_array()
            .expect("menu entries")
            .iter()
            .filter(|e| e["visible"] == true && e["type"] != "separator")
            .map(|e| Entry {
                id: e["id"].as_i64().expect("an id"),
                label: e["label"].as_str().unwrap_or_default().to_owned(),
                enabled: e["enabled"] == true,
            })
            .collect()
    }

    fn click(&mut self, entry: &Entry) {
        self.ask(&format!("click {}", entry.id));
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find<'m>(menu: &'m [Entry], label: &str) -> &'m Entry {
    menu.iter()
        .find(|e| e.label == label)
        .unwrap_or_else(|| panic!("no {label:?} in the menu {menu:?}"))
}

/// The code a menu line shows for `names` (`issuer — name`), digits only.
fn code_in(menu: &[Entry], names: &str) -> Option<String> {
    let prefix = format!("{names}: ");
    menu.iter()
        .find_map(|e| e.label.strip_prefix(&prefix))
        .map(|code| code.replace(' ', ""))
}

/// oathtool's codes over a span of seconds (a menu line may be a second
/// old; a period may turn between reading and checking).
fn oathtool_between(secret: &str, from: u64, to: u64) -> Vec<String> {
    (from..=to).map(|t| oathtool(secret, t)).collect()
}

#[test]
fn the_tray_menu_copies_favourite_codes_and_locks() {
    let vault = TestVault::new();
    let bus = PrivateBus::start();
    let mut panel = Panel::start(&bus.address);
    let app = AppSession::start(
        &app_binary(),
        &[
            ("TESSERA_VAULT", vault.path.to_str().unwrap()),
            ("DBUS_SESSION_BUS_ADDRESS", &bus.address),
        ],
    );
    app.wait_until("the tray item", START, || panel.has_item(), |r| *r);

    // No vault yet: no codes, no names, nothing to lock.
    let menu = panel.menu();
    let labels: Vec<&str> = menu.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Show Tessera",
            "Lock",
            "Locked — open Tessera to unlock",
            "Quit"
        ]
    );
    assert!(!find(&menu, "Lock").enabled);

    // Show brings back a window that is out of sight (as in the tray).
    let pid = app_pid(&app);
    let window = app.wait_until(
        "the main window",
        START,
        || app_windows(pid, MAIN),
        |found| !found.is_empty(),
    );
    xdotool(&["windowunmap", "--sync", &window[0]]);
    assert!(app_windows(pid, MAIN).is_empty());
    panel.click(find(&menu, "Show Tessera"));
    app.wait_until(
        "the window shown from the tray",
        SHORT,
        || app_windows(pid, MAIN),
        |found| found.contains(&window[0]),
    );

    create_vault(&app, true, false);
    add_by_uri(&app, &uri("ACME", "alice", SECRET));
    add_by_uri(&app, &uri("Other", "bob", SECRET_B));
    // Only ACME is a favourite.
    let first = app
        .find_all("[data-testid=details]")
        .into_iter()
        .next()
        .expect("a row");
    first.click();
    app.wait_for("[data-testid=edit-favourite]", SHORT).click();
    app.wait_for("[data-testid=save]", SHORT).click();
    app.wait_for("[data-testid=account-list]", SHORT);
    set_clipboard_delay(&app, 5);

    let before = unix_now().saturating_sub(2);
    let menu = app.wait_until(
        "ACME's code in the tray",
        SHORT,
        || panel.menu(),
        |m| code_in(m, "ACME — alice").is_some(),
    );
    let after = unix_now();
    let shown = code_in(&menu, "ACME — alice").unwrap();
    assert!(
        oathtool_between(SECRET, before, after).contains(&shown),
        "the tray shows {shown}"
    );
    assert!(
        menu.iter().all(|e| !e.label.contains("bob")),
        "a non-favourite is listed: {menu:?}"
    );
    assert!(find(&menu, "Lock").enabled);

    // A click copies the code now, and the clipboard is cleared after the
    // user's delay, as with the Copy button.
    {
        let _turn = clipboard_turn();
        let line = menu
            .iter()
            .find(|e| e.label.starts_with("ACME — alice: "))
            .unwrap()
            .clone();
        let before = unix_now();
        panel.click(&line);
        let copied = app.wait_until("a code on the clipboard", SHORT, clipboard, |c| {
            c.len() == 6
        });
        let after = unix_now();
        assert!(
            oathtool_between(SECRET, before.saturating_sub(1), after).contains(&copied),
            "the clipboard holds {copied:?}"
        );
        let cleared = app.wait_until("the clipboard to be cleared", SHORT, clipboard, |c| {
            c.is_empty()
        });
        assert_eq!(cleared, "");
    }

    // Regression: every new period rebuilt the menu under new item ids, so
    // a panel's open menu went stale, and a click on an item read before
    // the turn (this test's Lock, below) was refused. A new period's codes
    // now relabel the same items.
    let acme_line = |m: &[Entry]| {
        m.iter()
            .find(|e| e.label.starts_with("ACME — alice: "))
            .cloned()
            .expect("ACME's line")
    };
    let turned = app.wait_until(
        "the next period's code in the tray",
        Duration::from_secs(45),
        || panel.menu(),
        |m| code_in(m, "ACME — alice").is_some_and(|code| code != shown),
    );
    assert_eq!(
        (acme_line(&turned).id, find(&turned, "Lock").id),
        (acme_line(&menu).id, find(&menu, "Lock").id),
        "the items' ids changed with the period"
    );

    // Lock, from the tray: the window asks for the password, and the menu
    // shows neither codes nor names.
    let lock = find(&menu, "Lock").clone();
    panel.click(&lock);
    app.wait_for("[data-testid=unlock-title]", SHORT);
    let menu = app.wait_until(
        "the tray to show the vault locked",
        SHORT,
        || panel.menu(),
        |m| {
            m.iter()
                .any(|e| e.label == "Locked — open Tessera to unlock")
        },
    );
    assert!(
        menu.iter()
            .all(|e| !e.label.contains("ACME") && !e.label.chars().any(|c| c.is_ascii_digit())),
        "the locked menu shows {menu:?}"
    );
    assert!(!find(&menu, "Lock").enabled);

    // Quit ends the app (the tray does not keep it running).
    panel.click(find(&menu, "Quit"));
    app.wait_until(
        "the app to quit",
        SHORT,
        || {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // The state follows the command name's closing parenthesis.
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next())
        },
        |state| matches!(state, None | Some('Z' | 'X')),
    );
}
