//! Keeps the page where it is. The CSP stops a script in the page from
//! fetching or loading images from elsewhere, but not from leaving:
//! `location.href = 'https://…?data=…'`, a link, a refresh `<meta>` or a
//! new window each carry whatever the script read (a revealed recovery
//! code, an account's QR code) to the server in the address. So:
//!
//! - the main frame navigates only within the app's own origin ([`lock`],
//!   a plugin, so every webview has it);
//! - no window opens from the page ([`refuse_new_window`]);
//! - on Linux, the page has no network at all ([`no_network`]): WebKit
//!   connects to a link's server by itself, as the link is clicked,
//!   before the navigation is decided.
//!
//! Tested in the running app by
//! `ipc::regression_a_page_script_cannot_send_data_out_by_navigating`,
//! which fails without the lock (the window leaves the app) and without
//! the proxy (a connection reaches the server).

use tauri::plugin::TauriPlugin;
use tauri::webview::{NewWindowFeatures, NewWindowResponse};
use tauri::{Runtime, Url};

/// The plugin that refuses every navigation away from the app's origin, in
/// every webview of the app.
pub fn lock<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-lock")
        .on_navigation(|_webview, url| is_own_page(url))
        .build()
}

/// Whether `url` is one of the app's own pages: `tauri://localhost` (where
/// Linux and macOS serve it) or `http(s)://tauri.localhost` (Windows and
/// Android), on no other port and with no user name. Nothing else, not
/// `about:`, `data:`, `blob:` or `javascript:`: the page needs none of them
/// as a document, and each could carry a page of an attacker's own.
pub fn is_own_page(url: &Url) -> bool {
    let host = url.host_str();
    let own = match url.scheme() {
        "tauri" => host == Some("localhost"),
        "http" | "https" => host == Some("tauri.localhost"),
        _ => false,
    };
    own && url.port().is_none() && url.username().is_empty() && url.password().is_none()
}

/// The answer to every request of the page for a new window (`window.open`,
/// a link with `target=_blank`): no.
pub fn refuse_new_window<R: Runtime>(
    _url: Url,
    _features: NewWindowFeatures,
) -> NewWindowResponse<R> {
    NewWindowResponse::Deny
}

/// The proxy every web request of the page goes through: one no
/// connection can be made to. Linux refuses a TCP connection to a
/// broadcast address, so WebKit fails each request before a packet leaves,
/// and never looks up the name in the address either (the proxy would).
/// The page needs no network: it is served from `tauri://` and talks to
/// Rust over `ipc://`, which no proxy carries. What this stops is WebKit
/// reaching out on its own: it opens a connection to a link's server as
/// soon as the link is clicked (to save time if the navigation goes
/// ahead), and a `<link rel=preconnect>` does the same, neither asking the
/// CSP; either would carry what a script put in the host name or port.
#[cfg(target_os = "linux")]
pub fn no_network() -> Url {
    Url::parse("http://255.255.255.255:9").expect("a proxy address")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(url: &str) -> bool {
        is_own_page(&Url::parse(url).unwrap())
    }

    #[test]
    fn only_the_apps_own_origin_is_a_page_of_the_app() {
        for url in [
            "tauri://localhost",
            "tauri://localhost/",
            "tauri://localhost/index.html#settings",
            "http://tauri.localhost/",
            "https://tauri.localhost/index.html",
        ] {
            assert!(own(url), "{url}");
        }
        for url in [
            "http://127.0.0.1:8000/?data=secret",
            "https://example.com/",
            "http://localhost/",
            "tauri://localhost.example.com/",
            "tauri://evil/",
            "http://tauri.localhost:8080/",
            "https://user@tauri.localhost/",
            "http://tauri.localhost.example.com/",
            "about:blank",
            "data:text/html,<p>hi",
            "blob:tauri://localhost/0b0f0c4e",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ipc://localhost/codes",
        ] {
            assert!(!own(url), "{url}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_proxy_is_an_address_no_connection_reaches_and_no_name_to_look_up() {
        let proxy = no_network();
        let host: std::net::Ipv4Addr = proxy.host_str().unwrap().parse().unwrap();
        assert!(host.is_broadcast(), "{proxy}");
        assert!(proxy.port().is_some(), "tauri needs the port spelled out");
    }
}
