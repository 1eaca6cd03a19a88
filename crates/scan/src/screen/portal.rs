//! Wayland capture through the xdg-desktop-portal screenshot interface.
//!
//! Wayland gives ordinary programs no way to read the screen: the desktop
//! portal (`org.freedesktop.portal.Screenshot` on the D-Bus session bus)
//! asks the compositor, which writes a PNG and answers with its `file://`
//! URI. zbus speaks D-Bus in pure Rust, on the tokio runtime it already
//! uses for the OS keyring, so this path links no C library either.
//!
//! The portal saves the picture in the user's files (often the Pictures
//! folder); it shows whatever QR code is on screen, maybe an enrollment
//! secret, so it is deleted as soon as it is read.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use image::DynamicImage;
use zbus::proxy::SignalStream;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{CacheProperties, Connection, Proxy};

use super::Screenshot;
use crate::source::{load_image_file, ImageLimits, SourceError};

const PORTAL: &str = "org.freedesktop.portal.Desktop";
const PORTAL_PATH: &str = "/org/freedesktop/portal/desktop";

/// How long the portal has to take the request, as libdbus allows a method
/// call: zbus waits for ever, and a stuck service must not hang a scan.
const CALL_TIMEOUT: Duration = Duration::from_secs(25);

/// How long the portal then has to deliver the picture. Long enough for a
/// desktop that asks the user first ("Allow Tessera to take
/// screenshots?").
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Why the portal gave no screenshot.
#[derive(Debug, thiserror::Error)]
pub(super) enum PortalError {
    /// No D-Bus session bus to find the portal on.
    #[error("there is no D-Bus session bus to reach it through ({0})")]
    NoSessionBus(#[source] zbus::Error),
    /// Nothing owns the portal's bus name.
    #[error("xdg-desktop-portal is not installed or not running")]
    NoPortal,
    /// The portal runs, but no backend for this desktop implements
    /// screenshots.
    #[error(
        "the desktop portal cannot take screenshots here; install the portal backend \
         for this desktop (xdg-desktop-portal-gnome, -kde or -wlr)"
    )]
    NoScreenshotInterface,
    /// The user, or the desktop's permission settings, said no.
    #[error("the screenshot request was refused")]
    Denied,
    /// The portal answered with an error code.
    #[error("the desktop portal could not take the screenshot")]
    Failed,
    /// No answer in time.
    #[error("the desktop portal did not answer within {} seconds", .0.as_secs())]
    Timeout(Duration),
    /// The portal's answer is not what its specification says.
    #[error("the desktop portal gave an unexpected answer ({0})")]
    BadAnswer(String),
    /// Talking to the portal failed otherwise.
    #[error("talking to the desktop portal failed ({0})")]
    Bus(#[from] zbus::Error),
    /// The runtime D-Bus runs on could not start.
    #[error("cannot start the D-Bus client ({0})")]
    Runtime(#[source] std::io::Error),
}

impl From<PortalError> for SourceError {
    fn from(error: PortalError) -> Self {
        match error {
            PortalError::Denied => SourceError::ScreenCaptureDenied,
            other => SourceError::ScreenCaptureFailed {
                reason: format!(
                    "on Wayland, screen capture goes through the xdg-desktop-portal \
                     screenshot interface, and {other}"
                ),
            },
        }
    }
}

/// Captures the whole desktop (every monitor, as one picture) through the
/// portal.
pub(super) fn capture(limits: &ImageLimits) -> Result<Vec<Screenshot>, SourceError> {
    let path = screenshot_file()?;
    let loaded = load_image_file(&path, limits);
    // Whatever became of reading it, the picture must not stay behind.
    let _ = std::fs::remove_file(&path);
    let image = loaded?;
    Ok(vec![Screenshot {
        // The portal composes every monitor into one picture.
        monitor: "desktop".into(),
        origin: (0, 0),
        image: DynamicImage::ImageLuma8(image.to_luma8()),
    }])
}

/// Asks the portal for a screenshot and returns the file it wrote.
fn screenshot_file() -> Result<PathBuf, PortalError> {
    // A thread of its own, with the runtime made and dropped there: the
    // caller may itself be on a tokio runtime (the app's async commands),
    // where blocking on, or dropping, another one panics.
    let uri = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .enable_time()
                    .build()
                    .map_err(PortalError::Runtime)?
                    .block_on(request_screenshot())
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    file_uri_to_path(&uri)
}

/// The D-Bus conversation: subscribe to the answer, ask, wait.
async fn request_screenshot() -> Result<String, PortalError> {
    let asked = tokio::time::timeout(CALL_TIMEOUT, async {
        let connection = Connection::session()
            .await
            .map_err(PortalError::NoSessionBus)?;
        let (responses, handle) = ask(&connection).await?;
        Ok::<_, PortalError>((connection, responses, handle))
    });
    let (connection, mut responses, handle) = asked
        .await
        .map_err(|_| PortalError::Timeout(CALL_TIMEOUT))??;
    let Ok(answer) = tokio::time::timeout(ANSWER_TIMEOUT, responses.next()).await else {
        // Withdraw the request, so no screenshot is saved later with nobody
        // left to delete it.
        if let Ok(request) = request_proxy(&connection, handle.to_string()).await {
            let _ = tokio::time::timeout(Duration::from_secs(1), request.call_method("Close", &()))
                .await;
        }
        return Err(PortalError::Timeout(ANSWER_TIMEOUT));
    };
    let message = answer.ok_or_else(|| PortalError::BadAnswer("the bus closed".into()))?;
    let (code, mut results): (u32, HashMap<String, OwnedValue>) = message
        .body()
        .deserialize()
        .map_err(|error| PortalError::BadAnswer(error.to_string()))?;
    // 0: done, 1: cancelled by the user, 2: anything else.
    match code {
        0 => {}
        1 => return Err(PortalError::Denied),
        _ => return Err(PortalError::Failed),
    }
    let uri = results
        .remove("uri")
        .ok_or_else(|| PortalError::BadAnswer("no picture in the answer".into()))?;
    String::try_from(uri).map_err(|error| PortalError::BadAnswer(error.to_string()))
}

/// Subscribes to the answer, then asks for the screenshot; returns the
/// answer's stream and the request object's path.
async fn ask(
    connection: &Connection,
) -> Result<(SignalStream<'static>, OwnedObjectPath), PortalError> {
    // The portal announces its answer as a `Response` signal on a request
    // object whose path follows from our bus name and a token we choose.
    // Subscribing before asking means a quick answer cannot be missed.
    let token = handle_token();
    let sender = connection
        .unique_name()
        .ok_or_else(|| PortalError::BadAnswer("the bus gave this client no name".into()))?
        .trim_start_matches(':')
        .replace('.', "_");
    let request_path = format!("{PORTAL_PATH}/request/{sender}/{token}");
    let mut responses = request_proxy(connection, request_path.clone())
        .await?
        .receive_signal("Response")
        .await?;

    let screenshot: Proxy<'_> = zbus::ProxyBuilder::new(connection)
        .destination(PORTAL)?
        .path(PORTAL_PATH)?
        .interface("org.freedesktop.portal.Screenshot")?
        .cache_properties(CacheProperties::No)
        .build()
        .await?;
    let options: HashMap<&str, Value<'_>> = HashMap::from([
        ("handle_token", Value::from(token.as_str())),
        // No dialog to pick an area: the whole screen, as on X11.
        ("interactive", Value::from(false)),
    ]);
    let handle: OwnedObjectPath = screenshot
        .call("Screenshot", &("", options))
        .await
        .map_err(call_error)?;
    if handle.as_str() != request_path {
        // Portals before 0.9 ignore the token; listen where this one said.
        responses = request_proxy(connection, handle.to_string())
            .await?
            .receive_signal("Response")
            .await?;
    }
    Ok((responses, handle))
}

/// A proxy for one request object's `org.freedesktop.portal.Request`.
async fn request_proxy(
    connection: &Connection,
    path: String,
) -> Result<Proxy<'static>, PortalError> {
    Ok(zbus::ProxyBuilder::new(connection)
        .destination(PORTAL)?
        .path(path)?
        .interface("org.freedesktop.portal.Request")?
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// Tells a missing portal and a portal without screenshots apart from
/// other failures of the `Screenshot` call.
fn call_error(error: zbus::Error) -> PortalError {
    let name = match &error {
        zbus::Error::MethodError(name, _, _) => name.as_str().to_owned(),
        zbus::Error::FDO(error) => zbus::DBusError::name(&**error).as_str().to_owned(),
        _ => return PortalError::Bus(error),
    };
    match name.as_str() {
        "org.freedesktop.DBus.Error.ServiceUnknown"
        | "org.freedesktop.DBus.Error.NameHasNoOwner" => PortalError::NoPortal,
        "org.freedesktop.DBus.Error.UnknownMethod"
        | "org.freedesktop.DBus.Error.UnknownInterface"
        | "org.freedesktop.DBus.Error.UnknownObject" => PortalError::NoScreenshotInterface,
        // A sandbox or the desktop's settings forbid screenshots.
        "org.freedesktop.portal.Error.NotAllowed" => PortalError::Denied,
        _ => PortalError::Bus(error),
    }
}

/// A token unique within this process, as the portal wants it: letters,
/// digits and underscores.
fn handle_token() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "tessera_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The local path a `file://` URI names, with `%XX` escapes decoded.
fn file_uri_to_path(uri: &str) -> Result<PathBuf, PortalError> {
    use std::os::unix::ffi::OsStringExt;

    let not_a_file = || PortalError::BadAnswer(format!("the picture is not a local file: {uri}"));
    let rest = uri.strip_prefix("file://").ok_or_else(not_a_file)?;
    // `file:///path` or `file://localhost/path`; another host is not here.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(slash) if &rest[..slash] == "localhost" => &rest[slash..],
        _ => return Err(not_a_file()),
    };
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(not_a_file)?;
            decoded.push(hex);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    Ok(PathBuf::from(std::ffi::OsString::from_vec(decoded)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            file_uri_to_path("file:///home/a/Pictures/Screenshot%20from%202024.png").unwrap(),
            PathBuf::from("/home/a/Pictures/Screenshot from 2024.png")
        );
        assert_eq!(
            file_uri_to_path("file://localhost/tmp/%C3%A9t%C3%A9.png").unwrap(),
            PathBuf::from("/tmp/été.png")
        );
        for bad in [
            "https://example.com/a.png",
            "file://server/share/a.png",
            "file:///tmp/%zz.png",
            "file:///tmp/a%2",
        ] {
            assert!(
                matches!(file_uri_to_path(bad), Err(PortalError::BadAnswer(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_are_valid_object_path_elements_and_differ() {
        let (first, second) = (handle_token(), handle_token());
        assert_ne!(first, second);
        assert!(first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn a_refusal_has_its_own_error_and_others_name_wayland() {
        assert!(matches!(
            SourceError::from(PortalError::Denied),
            SourceError::ScreenCaptureDenied
        ));
        let error = SourceError::from(PortalError::NoPortal);
        assert_eq!(
            error.to_string(),
            "cannot capture the screen: on Wayland, screen capture goes through the \
             xdg-desktop-portal screenshot interface, and xdg-desktop-portal is not \
             installed or not running"
        );
    }
}
