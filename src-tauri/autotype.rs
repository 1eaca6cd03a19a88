//! Typing a code into the window the user was in, as if at the keyboard,
//! so a login form gets its code without the clipboard. On X11 the window
//! with the keyboard focus is remembered when the quick-pick shortcut
//! fires ([`remember_focus`]); later the focus goes back to it, is checked
//! to be there (and not in a Tessera window), and the text is typed with
//! the XTEST extension ([`type_into`]). Nothing here knows the vault: the
//! caller passes the code.
//!
//! Wayland shows no client the others' windows and lets none grab the
//! focus or fake keys: there the text goes through the desktop's
//! RemoteDesktop portal (`remote_desktop`), to the window the compositor
//! gives the focus back to once the quick pick hides, after checking it is
//! not a Tessera one. Where the desktop has no such portal, [`available`]
//! says so and copying is the way. (libei, the other way in, is not in
//! Debian 12, where this is built and tested.)

#[cfg(target_os = "linux")]
mod remote_desktop;

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, InputFocus, KeyButMask,
    Window,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::CURRENT_TIME;

/// How long the focus may take to reach the remembered window, and the
/// user to let go of Shift after pressing Shift+Enter.
const SETTLE: Duration = Duration::from_secs(3);

/// Where typing goes: the window that had the keyboard focus when the
/// quick pick was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An X11 window, remembered by its id and checked again before typing.
    X11(X11Target),
    /// Wayland, which tells no client which window another one is: the
    /// window the compositor focuses once the quick pick hides. `own`: a
    /// Tessera window had the focus.
    Wayland {
        /// Whether a Tessera window had the focus.
        own: bool,
    },
}

impl Target {
    /// Whether the window was one of Tessera's own.
    pub fn own(self) -> bool {
        match self {
            Target::X11(x11) => x11.own,
            Target::Wayland { own } => own,
        }
    }
}

/// An X11 window that had the keyboard focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct X11Target {
    /// The window holding the focus (what focus is given back to).
    focus: Window,
    /// Its top-level window (a child of the root), which identifies it.
    top: Window,
    /// Whether it was one of Tessera's own windows.
    own: bool,
}

/// Why typing did not happen, in a line for the quick-pick window.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypeError {
    /// No X display (a Wayland session, or none at all).
    #[error("{0}")]
    Unavailable(String),
    /// The X server refused or dropped the connection.
    #[error("the X display failed: {0}")]
    Display(String),
    /// No window had the keyboard focus when the shortcut was pressed.
    #[error("no window had the keyboard focus: click into the field, then press the shortcut")]
    NoTarget,
    /// The shortcut was pressed in a Tessera window.
    #[error(
        "typing goes to the window you were in, and that was Tessera: press Enter to copy instead"
    )]
    IntoTessera,
    /// The remembered window was closed.
    #[error("the window you were in is gone: nothing was typed")]
    Gone,
    /// The focus could not be moved back to it.
    #[error("the window you were in did not take the keyboard focus: nothing was typed")]
    NotFocused,
    /// A modifier key stayed held, which would change what is typed.
    #[error("let go of Shift, Ctrl, Alt and Super: nothing was typed")]
    ModifiersHeld,
    /// A character has no key in the keyboard layout.
    #[error("the keyboard layout has no key for a character of the code: copy it instead")]
    NoKey,
    /// The desktop asked the user whether Tessera may type, and the answer
    /// was no (Wayland).
    #[error("typing was not allowed (the desktop asked): nothing was typed")]
    Declined,
    /// The desktop ended the session the user had allowed typing in
    /// (Wayland): the next try asks again.
    #[error("the desktop ended Tessera's permission to type: nothing was typed; press Shift+Enter to be asked again")]
    Ended,
    /// The desktop's RemoteDesktop portal failed (Wayland).
    #[error("the desktop's typing portal failed ({0}): nothing was typed")]
    Portal(String),
}

/// Whether typing can work in this session; the reason if not. On
/// Wayland, asks the desktop's portal whether it can type.
pub async fn available() -> Result<(), TypeError> {
    if is_wayland() {
        #[cfg(target_os = "linux")]
        return remote_desktop::available().await;
        #[cfg(not(target_os = "linux"))]
        return Err(TypeError::Unavailable(
            "typing is not available here: press Enter to copy instead".into(),
        ));
    }
    x11_available()
}

/// Whether an X11 display is there to type into; the reason if not.
pub fn x11_available() -> Result<(), TypeError> {
    if is_wayland() {
        return Err(TypeError::Unavailable(
            "this is a Wayland session, not X11".into(),
        ));
    }
    if std::env::var_os("DISPLAY").is_none() {
        return Err(TypeError::Unavailable(
            "typing needs an X11 desktop: press Enter to copy instead".into(),
        ));
    }
    Ok(())
}

/// Whether the desktop session is a Wayland one (where X11 clients cannot
/// see or type into the user's other windows).
pub fn is_wayland() -> bool {
    std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
        || std::env::var("XDG_SESSION_TYPE").is_ok_and(|t| t == "wayland")
}

fn display<T>(result: Result<T, impl std::fmt::Display>) -> Result<T, TypeError> {
    result.map_err(|e| TypeError::Display(e.to_string()))
}

fn connect() -> Result<(RustConnection, Window), TypeError> {
    x11_available()?;
    let (conn, screen) = display(RustConnection::connect(None))?;
    let root = conn.setup().roots[screen].root;
    Ok((conn, root))
}

/// The window with the keyboard focus now, as a [`Target`]; `own_pid` is
/// Tessera's process, whose windows are marked `own`. `None` when nothing
/// has the focus.
pub fn remember_focus(conn: &impl Connection, root: Window, own_pid: u32) -> Option<Target> {
    let focus = active_window(conn, root).or_else(|| {
        let focus = conn.get_input_focus().ok()?.reply().ok()?.focus;
        // 0 is None and 1 PointerRoot: no window of its own.
        (focus > 1 && focus != root).then_some(focus)
    })?;
    let top = top_level(conn, root, focus)?;
    Some(Target::X11(X11Target {
        focus,
        top,
        own: window_pid(conn, top) == Some(own_pid),
    }))
}

/// The window with the keyboard focus now. On Wayland, whose compositor
/// does not say, only whether it is a Tessera window (`own_focused`).
pub fn focused_now(own_pid: u32, own_focused: bool) -> Option<Target> {
    if is_wayland() {
        return Some(Target::Wayland { own: own_focused });
    }
    let (conn, root) = connect().ok()?;
    remember_focus(&conn, root, own_pid)
}

/// The window manager's idea of the active window, if one runs and says.
fn active_window(conn: &impl Connection, root: Window) -> Option<Window> {
    let atom = intern(conn, b"_NET_ACTIVE_WINDOW")?;
    let reply = conn
        .get_property(false, root, atom, AtomEnum::WINDOW, 0, 1)
        .ok()?
        .reply()
        .ok()?;
    let active = reply.value32()?.next().filter(|w| *w != 0);
    active
}

fn intern(conn: &impl Connection, name: &[u8]) -> Option<Atom> {
    Some(conn.intern_atom(false, name).ok()?.reply().ok()?.atom)
}

/// The child of the root that holds `window` (the window itself for a
/// top-level one); `None` if the window is gone.
fn top_level(conn: &impl Connection, root: Window, mut window: Window) -> Option<Window> {
    loop {
        let tree = conn.query_tree(window).ok()?.reply().ok()?;
        if tree.parent == root || tree.parent == 0 {
            return Some(window);
        }
        window = tree.parent;
    }
}

/// The process that made the top-level `top`: its `_NET_WM_PID`, or that of
/// the client window a window manager's frame holds.
fn window_pid(conn: &impl Connection, top: Window) -> Option<u32> {
    let pid_atom = intern(conn, b"_NET_WM_PID")?;
    let pid_of = |window: Window| -> Option<u32> {
        let reply = conn
            .get_property(false, window, pid_atom, AtomEnum::CARDINAL, 0, 1)
            .ok()?
            .reply()
            .ok()?;
        let pid = reply.value32()?.next();
        pid
    };
    if let Some(pid) = pid_of(top) {
        return Some(pid);
    }
    // A frame: look one and two levels down for the client.
    let mut level = vec![top];
    for _ in 0..2 {
        let mut next = Vec::new();
        for window in level {
            let Some(tree) = conn.query_tree(window).ok().and_then(|c| c.reply().ok()) else {
                continue;
            };
            for child in tree.children {
                if let Some(pid) = pid_of(child) {
                    return Some(pid);
                }
                next.push(child);
            }
        }
        level = next;
    }
    None
}

/// Gives the keyboard focus to the shown top-level window of process
/// `pid` titled `title` (the quick pick), once it is on screen. GTK's own
/// request is skipped when it believes the window still has the focus it
/// had before it was hidden; without a window manager nothing else would
/// give it.
pub fn focus_own_window(pid: u32, title: &str) -> Result<(), TypeError> {
    let (conn, root) = connect()?;
    let deadline = Instant::now() + SETTLE;
    let name_atom = intern(&conn, b"_NET_WM_NAME").ok_or(TypeError::NotFocused)?;
    loop {
        let tree = display(display(conn.query_tree(root))?.reply())?;
        let found = tree.children.into_iter().find(|&window| {
            let viewable = attributes(&conn, window)
                .is_some_and(|a| a.map_state == x11rb::protocol::xproto::MapState::VIEWABLE);
            viewable
                && window_pid(&conn, window) == Some(pid)
                && conn
                    .get_property(false, window, name_atom, AtomEnum::ANY, 0, 256)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .is_some_and(|p| p.value == title.as_bytes())
        });
        if let Some(window) = found {
            let target = X11Target {
                focus: window,
                top: window,
                own: true,
            };
            return focus(&conn, root, target);
        }
        if Instant::now() >= deadline {
            return Err(TypeError::NotFocused);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A window's attributes; `None` once it is gone (closed meanwhile).
fn attributes(
    conn: &RustConnection,
    window: Window,
) -> Option<x11rb::protocol::xproto::GetWindowAttributesReply> {
    conn.get_window_attributes(window)
        .ok()
        .and_then(|c| c.reply().ok())
}

/// Types `text` into `target`, which must not be a Tessera window. On
/// X11 the focus goes back to it, is checked to be there, and the keys go
/// through XTEST. On Wayland, once no Tessera window has the focus
/// (`own_focused` says whether one has), through the RemoteDesktop portal.
pub fn type_into(
    target: Option<Target>,
    text: &str,
    own_pid: u32,
    own_focused: impl Fn() -> bool + Send,
) -> Result<(), TypeError> {
    let target = target.ok_or(TypeError::NoTarget)?;
    if target.own() {
        return Err(TypeError::IntoTessera);
    }
    match target {
        Target::X11(target) => type_on_x11(target, text, own_pid),
        #[cfg(target_os = "linux")]
        Target::Wayland { .. } => {
            tauri::async_runtime::block_on(remote_desktop::type_text(text, own_focused))
        }
        #[cfg(not(target_os = "linux"))]
        Target::Wayland { .. } => {
            let _ = own_focused;
            Err(TypeError::Unavailable(
                "typing is not available here".into(),
            ))
        }
    }
}

/// Ends what typing keeps between codes (on Wayland, the portal's session
/// the user allowed): called as the vault locks.
pub fn end_session() {
    #[cfg(target_os = "linux")]
    remote_desktop::end();
}

/// Gets typing ready before the code is read: on Wayland, the portal's
/// session, which the desktop may first ask the user to allow (so a code
/// read before a long answer is not one of a past period). Nothing to do
/// on X11.
pub fn prepare(target: Option<Target>) -> Result<(), TypeError> {
    match target {
        #[cfg(target_os = "linux")]
        Some(Target::Wayland { own: false }) => {
            tauri::async_runtime::block_on(remote_desktop::prepare())
        }
        _ => Ok(()),
    }
}

/// Gives the keyboard focus back to `target`, checks it is there and not in
/// a Tessera window, then types `text` there with XTEST.
fn type_on_x11(target: X11Target, text: &str, own_pid: u32) -> Result<(), TypeError> {
    let (conn, root) = connect()?;
    if attributes(&conn, target.top).is_none() {
        return Err(TypeError::Gone);
    }
    focus(&conn, root, target)?;
    let keys = keys_for(&conn, text)?;
    wait_for_no_modifiers(&conn, root)?;
    // Checked once more right before the first key: the user may have
    // clicked elsewhere meanwhile.
    let Some(Target::X11(now)) = remember_focus(&conn, root, own_pid) else {
        return Err(TypeError::NotFocused);
    };
    if now.own {
        return Err(TypeError::IntoTessera);
    }
    if now.top != target.top {
        return Err(TypeError::NotFocused);
    }
    for key in keys {
        if let Some(shift) = key.shift {
            fake(&conn, root, x11rb::protocol::xproto::KEY_PRESS_EVENT, shift)?;
        }
        fake(
            &conn,
            root,
            x11rb::protocol::xproto::KEY_PRESS_EVENT,
            key.code,
        )?;
        fake(
            &conn,
            root,
            x11rb::protocol::xproto::KEY_RELEASE_EVENT,
            key.code,
        )?;
        if let Some(shift) = key.shift {
            fake(
                &conn,
                root,
                x11rb::protocol::xproto::KEY_RELEASE_EVENT,
                shift,
            )?;
        }
    }
    // A reply means the server has handled every key before it.
    display(display(conn.get_input_focus())?.reply())?;
    Ok(())
}

fn fake(conn: &RustConnection, root: Window, kind: u8, code: u8) -> Result<(), TypeError> {
    display(conn.xtest_fake_input(kind, code, CURRENT_TIME, root, 0, 0, 0))?;
    Ok(())
}

/// Moves the focus to the target: through the window manager when one
/// manages the active window, directly otherwise; then waits until it is
/// there.
fn focus(conn: &RustConnection, root: Window, target: X11Target) -> Result<(), TypeError> {
    let deadline = Instant::now() + SETTLE;
    let managed = wm_supports_active_window(conn, root);
    loop {
        if managed {
            let atom = intern(conn, b"_NET_ACTIVE_WINDOW").ok_or(TypeError::NotFocused)?;
            // Source 2: a pager, which window managers obey without the
            // focus-stealing checks applied to applications.
            let event = ClientMessageEvent::new(32, target.focus, atom, [2, CURRENT_TIME, 0, 0, 0]);
            display(conn.send_event(
                false,
                root,
                EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
                event,
            ))?;
        } else {
            // Errors are expected while the window maps or unmaps: checked below.
            if let Ok(cookie) = conn.set_input_focus(InputFocus::PARENT, target.focus, CURRENT_TIME)
            {
                let _ = cookie.check();
            }
        }
        let focused = conn
            .get_input_focus()
            .ok()
            .and_then(|c| c.reply().ok())
            .and_then(|r| top_level(conn, root, r.focus).filter(|_| r.focus > 1));
        if focused == Some(target.top) {
            return Ok(());
        }
        if attributes(conn, target.top).is_none() {
            return Err(TypeError::Gone);
        }
        if Instant::now() >= deadline {
            return Err(TypeError::NotFocused);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wm_supports_active_window(conn: &impl Connection, root: Window) -> bool {
    let (Some(supported), Some(active)) = (
        intern(conn, b"_NET_SUPPORTED"),
        intern(conn, b"_NET_ACTIVE_WINDOW"),
    ) else {
        return false;
    };
    conn.get_property(false, root, supported, AtomEnum::ATOM, 0, 1024)
        .ok()
        .and_then(|c| c.reply().ok())
        .and_then(|r| r.value32().map(|mut atoms| atoms.any(|a| a == active)))
        .unwrap_or(false)
}

/// Waits until no modifier key is held: Shift still down from Shift+Enter
/// would turn "1" into "!".
fn wait_for_no_modifiers(conn: &RustConnection, root: Window) -> Result<(), TypeError> {
    let held = KeyButMask::SHIFT | KeyButMask::CONTROL | KeyButMask::MOD1 | KeyButMask::MOD4;
    let deadline = Instant::now() + SETTLE;
    loop {
        let mask = display(display(conn.query_pointer(root))?.reply())?.mask;
        if u16::from(mask) & u16::from(held) == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(TypeError::ModifiersHeld);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One character's key: its keycode, and Shift's if it needs Shift.
struct Key {
    code: u8,
    shift: Option<u8>,
}

/// The keys that type `text` in the current layout.
fn keys_for(conn: &RustConnection, text: &str) -> Result<Vec<Key>, TypeError> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let mapping = display(display(conn.get_keyboard_mapping(min, max - min + 1))?.reply())?;
    let table = KeyTable {
        min,
        per: usize::from(mapping.keysyms_per_keycode),
        keysyms: mapping.keysyms,
    };
    let shift = table.find(SHIFT_L).map(|(code, _)| code);
    text.chars()
        .map(|c| {
            let (code, column) = table.find(keysym_of(c)?)?;
            match column {
                0 => Some(Key { code, shift: None }),
                _ => Some(Key {
                    code,
                    shift: Some(shift?),
                }),
            }
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(TypeError::NoKey)
}

const SHIFT_L: u32 = 0xffe1;

/// The keysym of a printable Latin-1 character (the same number); codes are
/// digits and, for Steam, capital letters.
fn keysym_of(c: char) -> Option<u32> {
    let n = u32::from(c);
    ((0x20..0x7f).contains(&n) || (0xa0..0x100).contains(&n)).then_some(n)
}

/// The keyboard mapping: `per` keysyms for each keycode from `min`.
struct KeyTable {
    min: u8,
    per: usize,
    keysyms: Vec<u32>,
}

impl KeyTable {
    /// The keycode that gives `keysym` and its column: 0 plain, 1 with Shift.
    /// A plain key is preferred.
    fn find(&self, keysym: u32) -> Option<(u8, usize)> {
        if self.per == 0 {
            return None;
        }
        let rows = self.keysyms.chunks(self.per);
        for column in 0..self.per.min(2) {
            for (index, row) in rows.clone().enumerate() {
                if row.get(column) == Some(&keysym) {
                    let code = usize::from(self.min) + index;
                    return u8::try_from(code).ok().map(|code| (code, column));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_key_is_preferred_and_shifted_ones_are_marked() {
        // keycode 10: "1" / "!"; 11: "q" / "Q"; 12: "!" alone.
        let table = KeyTable {
            min: 10,
            per: 2,
            keysyms: vec![0x31, 0x21, 0x71, 0x51, 0x21, 0],
        };
        assert_eq!(table.find(0x31), Some((10, 0)));
        assert_eq!(table.find(0x51), Some((11, 1)));
        assert_eq!(table.find(0x21), Some((12, 0)), "unshifted beats shifted");
        assert_eq!(table.find(0x7a), None);
    }

    #[test]
    fn only_printable_latin1_has_a_keysym_here() {
        assert_eq!(keysym_of('7'), Some(0x37));
        assert_eq!(keysym_of('B'), Some(0x42));
        assert_eq!(keysym_of('\n'), None);
        assert_eq!(keysym_of('€'), None);
    }
}
