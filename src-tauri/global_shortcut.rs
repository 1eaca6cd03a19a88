//! The desktop-wide shortcut that opens the quick-pick window from any
//! application (the desktop setting `quick_pick_shortcut`). On X11 the key
//! is grabbed on the root window, so the X server hands it to Tessera
//! whichever window has the focus; the window that had the focus is noted
//! at that moment, for typing into it later (`autotype`). A grab the
//! server refuses (another program holds the key) is reported in Settings
//! through [`status`], never dropped silently.
//!
//! Wayland gives no client the keys of other windows: there the
//! xdg-desktop-portal's GlobalShortcuts interface is asked instead
//! (`portal`), and where the desktop has none, Settings says so.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde::Serialize;
use tauri::{AppHandle, Listener, Runtime};
use ts_rs::TS;
use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{ConnectionExt as _, GrabMode, Keycode, ModMask, Window};
use x11rb::protocol::{ErrorKind, Event};
use x11rb::rust_connection::RustConnection;

use crate::desktop_settings::{self, DesktopSettings};

#[cfg(target_os = "linux")]
mod portal;

/// Whether the shortcut works, as Settings shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ShortcutState {
    /// No shortcut is set.
    Off,
    /// The shortcut is held and opens the quick pick.
    Active,
    /// The shortcut is set but could not be taken.
    Failed,
    /// This desktop offers no way to take a global shortcut.
    Unsupported,
}

/// The shortcut's state and a line saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShortcutStatus {
    /// Off, active, failed or unsupported.
    pub state: ShortcutState,
    /// One line for Settings.
    pub message: String,
}

impl ShortcutStatus {
    fn new(state: ShortcutState, message: impl Into<String>) -> ShortcutStatus {
        ShortcutStatus {
            state,
            message: message.into(),
        }
    }
}

/// A shortcut as the X server takes it: modifier bits and the key's keysym.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accelerator {
    /// X modifier mask (Shift 1, Control 4, Mod1 = Alt 8, Mod4 = Super 64).
    pub modifiers: u16,
    /// The key's keysym (lower case for letters).
    pub keysym: u32,
}

/// Reads "Ctrl+Alt+K": modifiers (Ctrl, Alt, Shift, Super) joined by `+`
/// with one key last (a letter, a digit, F1–F12 or Space). At least one of
/// Ctrl, Alt or Super is needed, or the shortcut would take a key from
/// typing in every application.
pub fn parse(text: &str) -> Result<Accelerator, String> {
    let mut modifiers = 0u16;
    let mut parts: Vec<&str> = text.split('+').map(str::trim).collect();
    let key = parts.pop().filter(|k| !k.is_empty());
    for part in parts {
        modifiers |= match part.to_ascii_lowercase().as_str() {
            "ctrl" | "control" => 4,
            "alt" => 8,
            "shift" => 1,
            "super" | "meta" | "win" => 64,
            _ => {
                return Err(format!(
                    "{part:?} is not a modifier: use Ctrl, Alt, Shift or Super"
                ))
            }
        };
    }
    let key = key.ok_or("the shortcut needs a key after the modifiers, as in Ctrl+Alt+K")?;
    let keysym = keysym_of(key).ok_or_else(|| {
        format!("{key:?} is not a key the shortcut can use: a letter, a digit, F1–F12 or Space")
    })?;
    if modifiers & (4 | 8 | 64) == 0 {
        return Err(
            "the shortcut needs Ctrl, Alt or Super, or it would take a key from typing".into(),
        );
    }
    Ok(Accelerator { modifiers, keysym })
}

fn keysym_of(key: &str) -> Option<u32> {
    let lower = key.to_ascii_lowercase();
    let mut chars = lower.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            return Some(u32::from(c));
        }
    }
    if lower == "space" {
        return Some(0x20);
    }
    let number: u32 = lower.strip_prefix('f')?.parse().ok()?;
    // XK_F1 is 0xffbe.
    (1..=12).contains(&number).then(|| 0xffbe + number - 1)
}

/// What the app keeps about the shortcut.
struct Grabber {
    status: ShortcutStatus,
    /// The key codes and modifiers grabbed now.
    grabbed: Vec<(Keycode, u16)>,
    /// The X connection the grab lives on, once made.
    conn: Option<Arc<RustConnection>>,
    root: Window,
}

fn grabber() -> MutexGuard<'static, Grabber> {
    static GRABBER: OnceLock<Mutex<Grabber>> = OnceLock::new();
    GRABBER
        .get_or_init(|| {
            Mutex::new(Grabber {
                status: ShortcutStatus::new(ShortcutState::Off, "No shortcut is set."),
                grabbed: Vec::new(),
                conn: None,
                root: 0,
            })
        })
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether the shortcut works now, for Settings.
pub fn status() -> ShortcutStatus {
    grabber().status.clone()
}

/// Takes the saved shortcut and follows later changes of the setting.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    apply(app, &desktop_settings::load());
    let handle = app.clone();
    app.listen_any(desktop_settings::CHANGED_EVENT, move |event| {
        if let Ok(settings) = serde_json::from_str::<DesktopSettings>(event.payload()) {
            apply(&handle, &settings);
        }
    });
}

/// Lock bits a grab must not depend on: Caps Lock (Lock) and Num Lock
/// (Mod2 on nearly every layout).
const IGNORED: [u16; 4] = [0, 2, 16, 2 | 16];

fn apply<R: Runtime>(app: &AppHandle<R>, settings: &DesktopSettings) {
    PORTAL_GENERATION.fetch_add(1, Ordering::SeqCst);
    let mut g = grabber();
    release(&mut g);
    let Some(text) = settings.quick_pick_shortcut.as_deref() else {
        g.status = ShortcutStatus::new(ShortcutState::Off, "No shortcut is set.");
        return;
    };
    let accelerator = match parse(text) {
        Ok(accelerator) => accelerator,
        Err(problem) => {
            g.status = ShortcutStatus::new(ShortcutState::Failed, problem);
            return;
        }
    };
    if crate::autotype::is_wayland() {
        g.status = ShortcutStatus::new(
            ShortcutState::Failed,
            format!("{text}: waiting for the desktop to allow the shortcut."),
        );
        bind_through_portal(app, accelerator, text);
        return;
    }
    if g.conn.is_none() {
        match connect(app) {
            Ok((conn, root)) => {
                g.conn = Some(conn);
                g.root = root;
            }
            Err(problem) => {
                g.status = ShortcutStatus::new(ShortcutState::Unsupported, problem);
                return;
            }
        }
    }
    let conn = Arc::clone(g.conn.as_ref().expect("connected above"));
    let root = g.root;
    g.status = match grab(&conn, root, accelerator, &mut g.grabbed) {
        Ok(()) => ShortcutStatus::new(
            ShortcutState::Active,
            format!("{text} opens the quick pick from any application."),
        ),
        Err(problem) => {
            release(&mut g);
            ShortcutStatus::new(ShortcutState::Failed, format!("{text}: {problem}"))
        }
    };
}

/// Asks Wayland's GlobalShortcuts portal for the shortcut; a later change
/// of the setting supersedes this binding.
fn bind_through_portal<R: Runtime>(app: &AppHandle<R>, accelerator: Accelerator, text: &str) {
    #[cfg(target_os = "linux")]
    {
        let generation = PORTAL_GENERATION.load(Ordering::SeqCst);
        let current = move || PORTAL_GENERATION.load(Ordering::SeqCst) == generation;
        let report = move |status: ShortcutStatus| {
            if current() {
                grabber().status = status;
            }
        };
        tauri::async_runtime::spawn(portal::bind(
            app.clone(),
            accelerator,
            text.to_owned(),
            current,
            report,
        ));
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (app, accelerator, text);
    }
}

/// Bumped by every change of the setting, ending older portal bindings.
static PORTAL_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Grabs every keycode that gives the key, with each lock-bit variant.
fn grab(
    conn: &RustConnection,
    root: Window,
    accelerator: Accelerator,
    grabbed: &mut Vec<(Keycode, u16)>,
) -> Result<(), String> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let mapping = conn
        .get_keyboard_mapping(min, max - min + 1)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let per = usize::from(mapping.keysyms_per_keycode).max(1);
    let codes: Vec<Keycode> = mapping
        .keysyms
        .chunks(per)
        .enumerate()
        .filter(|(_, row)| row.first() == Some(&accelerator.keysym))
        .filter_map(|(index, _)| u8::try_from(usize::from(min) + index).ok())
        .collect();
    if codes.is_empty() {
        return Err("the keyboard layout has no such key".into());
    }
    for code in codes {
        for extra in IGNORED {
            let modifiers = accelerator.modifiers | extra;
            let checked = conn
                .grab_key(
                    false,
                    root,
                    ModMask::from(modifiers),
                    code,
                    GrabMode::ASYNC,
                    GrabMode::ASYNC,
                )
                .map_err(|e| e.to_string())?
                .check();
            match checked {
                Ok(()) => grabbed.push((code, modifiers)),
                Err(ReplyError::X11Error(e)) if e.error_kind == ErrorKind::Access => {
                    return Err("another program already uses this shortcut; choose another".into())
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    Ok(())
}

fn release(g: &mut Grabber) {
    if let Some(conn) = &g.conn {
        for (code, modifiers) in g.grabbed.drain(..) {
            let _ = conn.ungrab_key(code, g.root, ModMask::from(modifiers));
        }
        let _ = conn.flush();
    }
}

/// Connects to the X display and starts the thread that waits for the key.
fn connect<R: Runtime>(app: &AppHandle<R>) -> Result<(Arc<RustConnection>, Window), String> {
    if std::env::var_os("DISPLAY").is_none() {
        return Err("This desktop has no X11 display to take a global shortcut on.".into());
    }
    let (conn, screen) = RustConnection::connect(None)
        .map_err(|e| format!("Could not reach the X display for the shortcut: {e}"))?;
    let root = conn.setup().roots[screen].root;
    let conn = Arc::new(conn);
    let events = Arc::clone(&conn);
    let handle = app.clone();
    std::thread::Builder::new()
        .name("tessera-shortcut".into())
        .spawn(move || listen(&events, root, &handle))
        .map_err(|e| format!("could not start the shortcut's thread: {e}"))?;
    Ok((conn, root))
}

/// Waits for the grabbed key; each press opens the quick pick, noting
/// first which window had the focus.
fn listen<R: Runtime>(conn: &RustConnection, root: Window, app: &AppHandle<R>) {
    let own_pid = std::process::id();
    while let Ok(event) = conn.wait_for_event() {
        // Only the grabbed key comes to this connection (its release too,
        // which changes nothing).
        if let Event::KeyPress(_) = event {
            let target = crate::autotype::remember_focus(conn, root, own_pid);
            crate::quick_pick::open(app, target);
        }
    }
    grabber().status = ShortcutStatus::new(
        ShortcutState::Failed,
        "The connection to the X display was lost: restart Tessera to use the shortcut.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_read_as_modifiers_and_one_key() {
        assert_eq!(
            parse("Ctrl+Alt+K"),
            Ok(Accelerator {
                modifiers: 4 | 8,
                keysym: u32::from('k')
            })
        );
        assert_eq!(
            parse(" super + shift + 7 "),
            Ok(Accelerator {
                modifiers: 64 | 1,
                keysym: u32::from('7')
            })
        );
        assert_eq!(parse("Alt+F12").map(|a| a.keysym), Ok(0xffc9));
        assert_eq!(parse("Ctrl+Space").map(|a| a.keysym), Ok(0x20));
    }

    #[test]
    fn a_shortcut_without_ctrl_alt_or_super_or_with_an_unknown_part_is_refused() {
        assert!(parse("K").is_err(), "a bare key would take it from typing");
        assert!(parse("Shift+K").is_err());
        assert!(parse("Ctrl+Alt+").is_err());
        assert!(parse("Hyper+K").is_err());
        assert!(parse("Ctrl+Alt+F13").is_err());
        assert!(parse("Ctrl+Alt+Ä").is_err());
    }
}
