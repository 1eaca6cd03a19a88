//! The shortcut on Wayland, where no client may grab keys: the
//! xdg-desktop-portal's GlobalShortcuts interface asks the desktop to bind
//! it (the desktop may ask the user, or offer another key) and signals
//! each press. Not every compositor's portal has the interface; where it
//! is missing, Settings says so. The key the desktop actually bound is
//! read from its answer, never assumed: KDE Plasma 5.27's portal binds
//! none and sends the user to its own shortcut settings.
//! No desktop on the test machine binds one (GNOME 43 has no such
//! interface; KDE's binds none for an app outside a sandbox), so the end-
//! to-end test (tests/e2e/app_wayland.rs) runs the app on a real Wayland
//! compositor against a stand-in portal that answers as the specification
//! says. The answers are also checked below: an empty one as KDE's portal
//! gave it on Debian 12, and a bound key as the specification describes.

use std::collections::HashMap;

use futures_util::StreamExt;
use tauri::{AppHandle, Runtime};
use zbus::zvariant::{ObjectPath, OwnedValue, Value};
use zbus::{Connection, Proxy};

use super::{Accelerator, ShortcutState, ShortcutStatus};
use crate::portal::{close_session, create_session, request, token, DESTINATION, PATH};

const INTERFACE: &str = "org.freedesktop.portal.GlobalShortcuts";
/// The one shortcut's id in the session.
const ID: &str = "quick-pick";

/// The shortcut as the portal's `preferred_trigger` writes it (the XDG
/// shortcuts format): "CTRL+ALT+k".
pub fn trigger(accelerator: Accelerator) -> String {
    let mut parts: Vec<String> = [(4, "CTRL"), (8, "ALT"), (1, "SHIFT"), (64, "LOGO")]
        .iter()
        .filter(|(bit, _)| accelerator.modifiers & bit != 0)
        .map(|(_, name)| (*name).to_owned())
        .collect();
    let key = match accelerator.keysym {
        0x20 => "space".to_owned(),
        k @ 0xffbe..=0xffc9 => format!("F{}", k - 0xffbe + 1),
        k => char::from_u32(k).map(String::from).unwrap_or_default(),
    };
    parts.push(key);
    parts.join("+")
}

/// Binds the shortcut through the portal and opens the quick pick on each
/// press, while `current()` still says this binding is wanted. Reports
/// what happened through `report`.
pub async fn bind<R: Runtime>(
    app: AppHandle<R>,
    accelerator: Accelerator,
    text: String,
    current: impl Fn() -> bool,
    report: impl Fn(ShortcutStatus),
) {
    let unsupported = |detail: String| {
        report(ShortcutStatus::new(
            ShortcutState::Unsupported,
            format!("This Wayland desktop did not give Tessera a global shortcut ({detail}): in your desktop's keyboard settings, bind a key to the command `tessera-app --quick-pick` instead."),
        ))
    };
    let conn = match Connection::session().await {
        Ok(conn) => conn,
        Err(e) => return unsupported(format!("no session bus: {e}")),
    };
    let session = match create_session(&conn, INTERFACE).await {
        Ok(session) => session,
        Err(e) => return unsupported(e.to_string()),
    };
    let shortcuts = vec![(
        ID,
        HashMap::from([
            ("description", Value::from("Open Tessera's quick pick")),
            ("preferred_trigger", Value::from(trigger(accelerator))),
        ]),
    )];
    let token = token();
    let options = HashMap::from([("handle_token", Value::from(token.as_str()))]);
    let Ok(path) = ObjectPath::try_from(session.as_str()) else {
        return unsupported("the portal's session is unreadable".into());
    };
    let body = (path, shortcuts, "", options);
    let bound = match request(&conn, INTERFACE, "BindShortcuts", &token, &body).await {
        Ok(results) => bound_trigger(&results),
        Err(e) => return unsupported(e.to_string()),
    };
    report(bound_status(&text, bound.as_deref()));
    let Ok(proxy) = Proxy::new(&conn, DESTINATION, PATH, INTERFACE).await else {
        return;
    };
    let Ok(mut activated) = proxy.receive_signal("Activated").await else {
        return;
    };
    while let Some(message) = activated.next().await {
        if !current() {
            break;
        }
        let body = message.body();
        let Ok((handle, id, _time, _options)) =
            body.deserialize::<(ObjectPath<'_>, String, u64, HashMap<String, OwnedValue>)>()
        else {
            continue;
        };
        if handle.as_str() == session && id == ID {
            crate::quick_pick::open_for_launch(&app);
        }
    }
    close_session(&conn, &session).await;
}

/// The key the desktop bound to the quick pick, as its BindShortcuts
/// answer describes it (`shortcuts`: `a(sa{sv})`, each with a
/// `trigger_description`); `None` when it bound none.
fn bound_trigger(results: &HashMap<String, OwnedValue>) -> Option<String> {
    let shortcuts = results.get("shortcuts")?.try_clone().ok()?;
    let shortcuts = <Vec<(String, HashMap<String, OwnedValue>)>>::try_from(shortcuts).ok()?;
    let (_, properties) = shortcuts.into_iter().find(|(id, _)| id == ID)?;
    let description = properties.get("trigger_description")?.try_clone().ok()?;
    String::try_from(description)
        .ok()
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
}

/// What Settings says once the portal has answered: the key the desktop
/// bound, or that it bound none yet and where the user binds one.
fn bound_status(asked: &str, bound: Option<&str>) -> ShortcutStatus {
    match bound {
        Some(key) => ShortcutStatus::new(
            ShortcutState::Active,
            format!("{key} opens the quick pick (bound by the desktop, which was asked for {asked})."),
        ),
        None => ShortcutStatus::new(
            ShortcutState::Failed,
            format!("The desktop took Tessera's quick pick but bound no key to it (it was asked for {asked}): choose one in the desktop's keyboard shortcut settings, or bind one there to the command `tessera-app --quick-pick`."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_is_asked_for_the_key_in_the_xdg_shortcuts_format() {
        let with = |text: &str| trigger(super::super::parse(text).unwrap());
        assert_eq!(with("Ctrl+Alt+K"), "CTRL+ALT+k");
        assert_eq!(with("Super+Shift+F5"), "SHIFT+LOGO+F5");
        assert_eq!(with("Alt+Space"), "ALT+space");
        assert_eq!(with("Ctrl+7"), "CTRL+7");
    }

    fn answer(shortcuts: Vec<(&str, Vec<(&str, &str)>)>) -> HashMap<String, OwnedValue> {
        let shortcuts: Vec<(String, HashMap<String, OwnedValue>)> = shortcuts
            .into_iter()
            .map(|(id, properties)| {
                let properties = properties
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), OwnedValue::try_from(Value::from(v)).unwrap()))
                    .collect();
                (id.to_owned(), properties)
            })
            .collect();
        HashMap::from([(
            "shortcuts".to_owned(),
            OwnedValue::try_from(Value::from(shortcuts)).unwrap(),
        )])
    }

    /// Regression: Settings said "Ctrl+Alt+K opens the quick pick" whatever
    /// the desktop did; KDE Plasma 5.27's portal (measured here, Debian 12)
    /// answers BindShortcuts with an empty list and binds nothing.
    #[test]
    fn a_desktop_that_binds_no_key_is_reported_as_such() {
        let kde = answer(vec![]);
        assert_eq!(bound_trigger(&kde), None);
        let status = bound_status("Ctrl+Alt+K", bound_trigger(&kde).as_deref());
        assert_eq!(status.state, ShortcutState::Failed);
        assert!(
            status.message.contains("bound no key"),
            "{}",
            status.message
        );
        let blank = answer(vec![(ID, vec![("trigger_description", " ")])]);
        assert_eq!(bound_trigger(&blank), None);
        assert_eq!(bound_trigger(&HashMap::new()), None);
    }

    #[test]
    fn the_key_the_desktop_bound_is_the_one_reported() {
        // The specification: each bound shortcut's "trigger_description"
        // is user-readable text saying how to trigger it.
        let bound_another_key = answer(vec![
            ("other", vec![("trigger_description", "Ctrl+Q")]),
            (
                ID,
                vec![
                    ("description", "Open Tessera's quick pick"),
                    ("trigger_description", "Super+K"),
                ],
            ),
        ]);
        let bound = bound_trigger(&bound_another_key);
        assert_eq!(bound.as_deref(), Some("Super+K"));
        let status = bound_status("Ctrl+Alt+K", bound.as_deref());
        assert_eq!(status.state, ShortcutState::Active);
        assert!(
            status.message.starts_with("Super+K opens"),
            "{}",
            status.message
        );
    }
}
