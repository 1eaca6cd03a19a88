//! A minimal W3C WebDriver client for driving the real Tessera window:
//! tauri-driver (on a free loopback port, one per test) proxies to Debian's
//! WebKitWebDriver, which starts the app binary. Only what the tests use.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running tauri-driver and one WebDriver session of the app. Dropping it
/// ends the session (closing the app) and stops the driver.
pub struct AppSession {
    driver: Child,
    base: String,
    session: String,
}

/// An element found on the page.
pub struct Element<'s> {
    session: &'s AppSession,
    id: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn require_desktop() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run the end-to-end tests through `make test` (tests/with-desktop.sh starts Xvfb, D-Bus and a keyring)"
    );
}

impl AppSession {
    /// Starts tauri-driver and opens the app at `application` with these
    /// extra environment variables (the app inherits them from the driver).
    pub fn start(application: &Path, env: &[(&str, &str)]) -> AppSession {
        require_desktop();
        let port = free_port();
        let native_port = free_port();
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("could not start tauri-driver ({err}): `make test` installs it with `cargo install tauri-driver`")
            });
        let base = format!("http://127.0.0.1:{port}");
        let mut session = AppSession {
            driver,
            base,
            session: String::new(),
        };
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application.to_str().expect("UTF-8 path") }
                }
            }
        });
        // The driver needs a moment to listen; retry the session request.
        let deadline = Instant::now() + Duration::from_secs(30);
        let created = loop {
            match session.request("POST", "/session", Some(capabilities.clone())) {
                Ok(value) => break value,
                Err(err) if Instant::now() < deadline => {
                    let _ = err;
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(err) => panic!("could not open a WebDriver session of the app: {err}"),
            }
        };
        session.session = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        session
    }

    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.base, path);
        let request = ureq::request(method, &url).timeout(Duration::from_secs(60));
        let response = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        let value: Value = match response {
            Ok(response) => response.into_json().map_err(|e| e.to_string())?,
            Err(ureq::Error::Status(code, response)) => {
                let text = response.into_string().unwrap_or_default();
                return Err(format!("{method} {path}: HTTP {code}: {text}"));
            }
            Err(err) => return Err(format!("{method} {path}: {err}")),
        };
        Ok(value["value"].clone())
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{}", self.session, path);
        self.request(method, &path, body)
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// The window's title.
    pub fn title(&self) -> String {
        self.command("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits up to `timeout` for an element matching the CSS selector.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Element<'_> {
        let deadline = Instant::now() + timeout;
        loop {
            let path = format!("/session/{}/element", self.session);
            match self.request(
                "POST",
                &path,
                Some(json!({"using": "css selector", "value": css})),
            ) {
                Ok(value) => {
                    let id = value[ELEMENT_KEY]
                        .as_str()
                        .expect("an element reference")
                        .to_owned();
                    return Element { session: self, id };
                }
                Err(err) if Instant::now() >= deadline => {
                    panic!("no element {css:?} after {timeout:?}: {err}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Runs an asynchronous script in the page: it receives a callback as its
    /// last argument and the result is what it passes to that callback.
    pub fn execute_async(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
    }
}

impl Element<'_> {
    /// The element's rendered text.
    pub fn text(&self) -> String {
        let value = self
            .session
            .command("GET", &format!("/element/{}/text", self.id), None);
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Whether the element is displayed.
    pub fn is_displayed(&self) -> bool {
        let value = self
            .session
            .command("GET", &format!("/element/{}/displayed", self.id), None);
        value.as_bool().unwrap_or(false)
    }
}

impl Drop for AppSession {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.request("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
