//! The request-and-answer plumbing of xdg-desktop-portal, shared by the
//! interfaces the app asks through it (GlobalShortcuts in
//! `global_shortcut::portal`, RemoteDesktop in `autotype::remote_desktop`):
//! a method that answers later through a Request object's `Response`
//! signal, and the sessions some interfaces open first. See
//! <https://flatpak.github.io/xdg-desktop-portal/docs/requests.html>.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::StreamExt;
use zbus::zvariant::{ObjectPath, OwnedValue, Value};
use zbus::{Connection, Proxy};

/// The portal's bus name.
pub const DESTINATION: &str = "org.freedesktop.portal.Desktop";
/// The portal's object.
pub const PATH: &str = "/org/freedesktop/portal/desktop";

/// Why a request got no results.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The user said no (the Response's code 1).
    #[error("the request was declined")]
    Declined,
    /// The desktop ended the request otherwise (code 2).
    #[error("the portal refused it")]
    Refused,
    /// The bus, the call or its answer failed.
    #[error("{0}")]
    Failed(String),
}

fn failed(e: impl std::fmt::Display) -> RequestError {
    RequestError::Failed(e.to_string())
}

/// A new token for a request's or session's object path.
pub fn token() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("tessera{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Calls `interface`'s `method`, which answers through a Request object's
/// `Response` signal, listening before the call so the answer cannot be
/// missed; the response's results. `token` must be the `handle_token` in
/// the call's options.
pub async fn request<B>(
    conn: &Connection,
    interface: &str,
    method: &str,
    token: &str,
    body: &B,
) -> Result<HashMap<String, OwnedValue>, RequestError>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    let sender = conn
        .unique_name()
        .ok_or_else(|| failed("no name on the session bus"))?
        .as_str()
        .trim_start_matches(':')
        .replace('.', "_");
    let path = format!("{PATH}/request/{sender}/{token}");
    let request = Proxy::new(
        conn,
        DESTINATION,
        path.as_str(),
        "org.freedesktop.portal.Request",
    )
    .await
    .map_err(failed)?;
    let mut responses = request.receive_signal("Response").await.map_err(failed)?;
    conn.call_method(Some(DESTINATION), PATH, Some(interface), method, body)
        .await
        .map_err(failed)?;
    let message = responses
        .next()
        .await
        .ok_or_else(|| failed("the portal did not answer"))?;
    let (code, results): (u32, HashMap<String, OwnedValue>) =
        message.body().deserialize().map_err(failed)?;
    match code {
        0 => Ok(results),
        1 => Err(RequestError::Declined),
        _ => Err(RequestError::Refused),
    }
}

/// Creates a session of `interface`; its handle (an object path).
pub async fn create_session(conn: &Connection, interface: &str) -> Result<String, RequestError> {
    let token = token();
    let options = HashMap::from([
        ("handle_token", Value::from(token.as_str())),
        ("session_handle_token", Value::from(token.as_str())),
    ]);
    let results = request(conn, interface, "CreateSession", &token, &(options,)).await?;
    let handle = results
        .get("session_handle")
        .ok_or_else(|| failed("the portal gave no session"))?;
    // Specified as an object path; some portals send it as a string.
    String::try_from(handle.try_clone().map_err(failed)?)
        .or_else(|_| {
            ObjectPath::try_from(handle.try_clone().map_err(failed)?)
                .map(|p| p.to_string())
                .map_err(failed)
        })
        .map_err(|e| failed(format!("the portal's session is unreadable: {e}")))
}

/// Closes a session (best effort: it may be gone already).
pub async fn close_session(conn: &Connection, session: &str) {
    let _ = conn
        .call_method(
            Some(DESTINATION),
            session,
            Some("org.freedesktop.portal.Session"),
            "Close",
            &(),
        )
        .await;
}

/// A property of `interface` on the portal's object.
pub async fn property(
    conn: &Connection,
    interface: &str,
    name: &str,
) -> Result<OwnedValue, RequestError> {
    let proxy = Proxy::new(conn, DESTINATION, PATH, interface)
        .await
        .map_err(failed)?;
    proxy.get_property(name).await.map_err(failed)
}
