//! Typing on Wayland through xdg-desktop-portal's RemoteDesktop interface
//! (<https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.RemoteDesktop.html>):
//! a session with a keyboard, which the desktop asks the user to allow
//! when it starts, then one keysym press and release per character, sent
//! to whichever window has the focus.
//!
//! The session is kept until the vault locks, so the user allows typing
//! once per unlock, not once per code, and the desktop's "remote desktop"
//! indicator goes away with the lock ([`end`]). When the desktop (or the
//! user, from its status menu) has ended it, the quick pick says so and
//! the next Shift+Enter asks again: not at once, since the code in hand
//! would be one of a past period by the time the user has answered. That
//! holds when the portal refuses the key; measured here, xdg-desktop-portal
//! 1.16 forwards a key to GNOME's backend without waiting for its answer,
//! so a session the backend alone has dropped takes keys that go nowhere,
//! and nothing can tell the app.
//!
//! Portals of version 2 can remember the answer across runs
//! (`persist_mode`); the version this is built and tested against
//! (xdg-desktop-portal 1.16 with GNOME's 43, Debian 12) is 1, so it is not
//! asked for.
//!
//! What the portal cannot say is which window the keys reach. The caller
//! hides the quick pick first; typing waits until no Tessera window has
//! the focus and refuses if one keeps it, and checks again after the
//! desktop's question has closed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use zbus::zvariant::{ObjectPath, OwnedValue, Value};
use zbus::Connection;

use super::{keysym_of, TypeError, SETTLE, SHIFT_L};
use crate::portal::{self, RequestError};

const INTERFACE: &str = "org.freedesktop.portal.RemoteDesktop";
/// The keyboard, in the portal's device types.
const KEYBOARD: u32 = 1;
/// mutter 43 drops the first key events of a new session's virtual
/// keyboard while it sets the device up (measured: the first one or two
/// digits of a code went missing, whatever the wait after `Start`). A new
/// session first presses and lets go of Shift, which types nothing, and
/// waits this long; with 100 ms no key was lost in the runs measured.
const WARM_UP: Duration = Duration::from_millis(300);
/// How long the desktop's question may stay unanswered before typing gives
/// up (closing the session takes the question away).
const ANSWER_WAIT: Duration = Duration::from_secs(120);

/// The started session, kept between codes.
struct Session {
    conn: Connection,
    handle: String,
    /// Started and not yet typed with: its keyboard needs waking.
    fresh: bool,
    /// The [`ENDED`] count when it started: one started before the last
    /// [`end`] is not kept.
    epoch: u64,
}

fn kept() -> std::sync::MutexGuard<'static, Option<Session>> {
    static KEPT: Mutex<Option<Session>> = Mutex::new(None);
    KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many times [`end`] has run.
static ENDED: AtomicU64 = AtomicU64::new(0);

/// Keeps `session` for the next code, unless [`end`] ran since it
/// started (the vault locked meanwhile): then it is closed.
async fn keep(session: Session) {
    if session.epoch == ENDED.load(Ordering::SeqCst) {
        *kept() = Some(session);
    } else {
        portal::close_session(&session.conn, &session.handle).await;
    }
}

/// Ends the kept session (the vault locked): the next code asks the user
/// again. Returns at once; the portal is told on the async runtime.
pub fn end() {
    ENDED.fetch_add(1, Ordering::SeqCst);
    if let Some(session) = kept().take() {
        tauri::async_runtime::spawn(async move {
            portal::close_session(&session.conn, &session.handle).await;
        });
    }
}

fn portal_error(e: impl std::fmt::Display) -> TypeError {
    TypeError::Portal(e.to_string())
}

/// Whether this desktop's portal can type: it has the RemoteDesktop
/// interface and offers a keyboard.
pub async fn available() -> Result<(), TypeError> {
    let none = |why: String| {
        TypeError::Unavailable(format!(
            "this Wayland desktop offers no way for an app to type ({why}): press Enter to copy instead"
        ))
    };
    let conn = Connection::session()
        .await
        .map_err(|e| none(format!("no session bus: {e}")))?;
    let types = portal::property(&conn, INTERFACE, "AvailableDeviceTypes")
        .await
        .map_err(|_| none("no RemoteDesktop portal".into()))?;
    let types = u32::try_from(types).map_err(|_| none("an unreadable answer".into()))?;
    if types & KEYBOARD == 0 {
        return Err(none("its RemoteDesktop portal has no keyboard".into()));
    }
    Ok(())
}

/// Starts a session if none is kept, which has the desktop ask the user;
/// done before the code is read, so the user's time to answer does not
/// leave a code of a past period to type.
pub async fn prepare() -> Result<(), TypeError> {
    if kept().is_some() {
        return Ok(());
    }
    let session = start().await?;
    keep(session).await;
    Ok(())
}

/// Types `text` through the kept session (started, and so allowed by the
/// user, first if there is none), once no Tessera window has the focus.
pub async fn type_text(text: &str, own_focused: impl Fn() -> bool + Send) -> Result<(), TypeError> {
    let keysyms = text
        .chars()
        .map(keysym_of)
        .collect::<Option<Vec<_>>>()
        .ok_or(TypeError::NoKey)?;
    away_from_tessera(&own_focused).await?;
    let taken = kept().take();
    let session = match taken {
        Some(session) => session,
        None => start().await?,
    };
    let typed = send(&session, &keysyms, &own_focused).await;
    finish(session, typed).await
}

/// Keeps a session that typed; closes one that failed.
async fn finish(mut session: Session, result: Result<(), Sent>) -> Result<(), TypeError> {
    match result {
        Ok(()) => {
            session.fresh = false;
            keep(session).await;
            Ok(())
        }
        Err(sent) => {
            portal::close_session(&session.conn, &session.handle).await;
            Err(sent.into())
        }
    }
}

/// How a send failed.
enum Sent {
    /// Before the first key: nothing reached any window.
    Nothing,
    /// A Tessera window took the focus.
    IntoTessera,
    /// Partway: some keys were typed.
    Partly(String),
}

impl From<Sent> for TypeError {
    fn from(sent: Sent) -> TypeError {
        match sent {
            Sent::Nothing => TypeError::Ended,
            Sent::IntoTessera => TypeError::IntoTessera,
            Sent::Partly(why) => {
                TypeError::Portal(format!("{why}; part of the code may have been typed"))
            }
        }
    }
}

async fn send(
    session: &Session,
    keysyms: &[u32],
    own_focused: &(impl Fn() -> bool + Send),
) -> Result<(), Sent> {
    if session.fresh {
        // The desktop's question has just closed: wait for the focus to
        // settle back, then wake the new keyboard.
        if away_from_tessera(own_focused).await.is_err() {
            return Err(Sent::IntoTessera);
        }
        key(session, SHIFT_L, true)
            .await
            .map_err(|_| Sent::Nothing)?;
        key(session, SHIFT_L, false)
            .await
            .map_err(|_| Sent::Nothing)?;
        tokio::time::sleep(WARM_UP).await;
    }
    // Checked right before the first key: the user may have clicked into
    // Tessera meanwhile.
    if own_focused() {
        return Err(Sent::IntoTessera);
    }
    for (index, &keysym) in keysyms.iter().enumerate() {
        for pressed in [true, false] {
            if let Err(e) = key(session, keysym, pressed).await {
                return Err(if index == 0 && pressed {
                    Sent::Nothing
                } else {
                    Sent::Partly(e.to_string())
                });
            }
        }
    }
    Ok(())
}

/// One key event: `keysym` pressed or let go.
async fn key(session: &Session, keysym: u32, pressed: bool) -> zbus::Result<()> {
    let handle = ObjectPath::try_from(session.handle.as_str())?;
    let options: HashMap<&str, Value<'_>> = HashMap::new();
    let state: u32 = pressed.into();
    session
        .conn
        .call_method(
            Some(portal::DESTINATION),
            portal::PATH,
            Some(INTERFACE),
            "NotifyKeyboardKeysym",
            &(handle, options, keysym as i32, state),
        )
        .await
        .map(|_| ())
}

/// Waits until no Tessera window has the focus; refuses when one keeps it.
async fn away_from_tessera(own_focused: &(impl Fn() -> bool + Send)) -> Result<(), TypeError> {
    let deadline = Instant::now() + SETTLE;
    while own_focused() {
        if Instant::now() >= deadline {
            return Err(TypeError::IntoTessera);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Creates and starts a session with a keyboard: the desktop asks the user.
async fn start() -> Result<Session, TypeError> {
    let epoch = ENDED.load(Ordering::SeqCst);
    let conn = Connection::session().await.map_err(portal_error)?;
    let handle = portal::create_session(&conn, INTERFACE)
        .await
        .map_err(portal_error)?;
    let started = select_and_start(&conn, &handle).await;
    match started {
        Ok(()) => Ok(Session {
            conn,
            handle,
            fresh: true,
            epoch,
        }),
        Err(e) => {
            portal::close_session(&conn, &handle).await;
            Err(match e {
                RequestError::Declined => TypeError::Declined,
                other => portal_error(other),
            })
        }
    }
}

async fn select_and_start(conn: &Connection, handle: &str) -> Result<(), RequestError> {
    let path = ObjectPath::try_from(handle).map_err(|e| RequestError::Failed(e.to_string()))?;
    let token = portal::token();
    let options = HashMap::from([
        ("handle_token", Value::from(token.as_str())),
        ("types", Value::from(KEYBOARD)),
    ]);
    portal::request(conn, INTERFACE, "SelectDevices", &token, &(&path, options)).await?;
    let token = portal::token();
    let options = HashMap::from([("handle_token", Value::from(token.as_str()))]);
    // No parent window: the quick pick has hidden by now.
    let body = (&path, "", options);
    let start = portal::request(conn, INTERFACE, "Start", &token, &body);
    let results = tokio::time::timeout(ANSWER_WAIT, start)
        .await
        .map_err(|_| RequestError::Failed("the desktop's question went unanswered".into()))??;
    if devices(&results) & KEYBOARD == 0 {
        return Err(RequestError::Failed(
            "the desktop allowed no keyboard".into(),
        ));
    }
    Ok(())
}

/// The devices a `Start` answer granted.
fn devices(results: &HashMap<String, OwnedValue>) -> u32 {
    results
        .get("devices")
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(devices: Option<u32>) -> HashMap<String, OwnedValue> {
        devices
            .map(|d| {
                HashMap::from([(
                    "devices".to_owned(),
                    OwnedValue::try_from(Value::from(d)).unwrap(),
                )])
            })
            .into_iter()
            .flatten()
            .collect()
    }

    #[test]
    fn a_start_answer_grants_the_keyboard_only_when_it_says_so() {
        // GNOME 43's answer when the user allows a keyboard-only session.
        assert_eq!(devices(&answer(Some(1))) & KEYBOARD, KEYBOARD);
        assert_eq!(devices(&answer(Some(2))) & KEYBOARD, 0, "a pointer only");
        assert_eq!(devices(&answer(None)), 0);
    }
}
