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
        AppSession::launch(application, &[], env, Stdio::null(), Stdio::inherit())
    }

    /// Like [`AppSession::start`], launching the app with `args`.
    pub fn start_with_args(application: &Path, args: &[&str], env: &[(&str, &str)]) -> AppSession {
        AppSession::launch(application, args, env, Stdio::null(), Stdio::inherit())
    }

    /// Like [`AppSession::start`], with everything the driver, WebKit and
    /// the app print (they inherit the driver's output) written to `log`.
    pub fn start_logged(application: &Path, env: &[(&str, &str)], log: &Path) -> AppSession {
        let file = std::fs::File::create(log).expect("the log file");
        let stdout = Stdio::from(file.try_clone().expect("the log file"));
        AppSession::launch(application, &[], env, stdout, Stdio::from(file))
    }

    fn launch(
        application: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        stdout: Stdio,
        stderr: Stdio,
    ) -> AppSession {
        require_desktop();
        let port = free_port();
        let native_port = free_port();
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
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
                    "tauri:options": {
                        "application": application.to_str().expect("UTF-8 path"),
                        "args": args,
                    }
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

    /// The process id of tauri-driver, whose descendants are the app.
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    /// The window's title.
    pub fn title(&self) -> String {
        self.command("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The handles of the session's open windows: one per window the app
    /// shows a page in.
    pub fn window_handles(&self) -> Vec<String> {
        self.command("GET", "/window/handles", None)
            .as_array()
            .map(|handles| {
                handles
                    .iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
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
                    panic!(
                        "no element {css:?} after {timeout:?}: {err}\nthe page showed: {}",
                        self.page_summary()
                    )
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// What the page shows (its visible text, shortened), for the message
    /// of a failed wait: a timeout alone does not say which screen was up.
    fn page_summary(&self) -> String {
        let path = format!("/session/{}/execute/sync", self.session);
        let script = "return document.body ? document.body.innerText.slice(0, 600) : '';";
        match self.request("POST", &path, Some(json!({"script": script, "args": []}))) {
            Ok(text) => text.as_str().unwrap_or_default().replace('\n', " | "),
            Err(err) => format!("(could not read the page: {err})"),
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

    /// Runs a script in the page and returns its result.
    pub fn execute(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Every element matching the CSS selector now (possibly none).
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let value = self.command(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item[ELEMENT_KEY].as_str())
                    .map(|id| Element {
                        session: self,
                        id: id.to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits up to `timeout` for `check` to hold, polling; panics with
    /// `what` and the last value seen otherwise.
    pub fn wait_until<T: std::fmt::Debug>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut() -> T,
        check: impl Fn(&T) -> bool,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let value = probe();
            if check(&value) {
                return value;
            }
            if Instant::now() >= deadline {
                panic!("{what}: still {value:?} after {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses keys on whatever has the focus (WebDriver key codes, e.g.
    /// `"\u{E007}"` for Enter), as a user typing.
    pub fn press_keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for ch in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": ch.to_string()}));
            actions.push(json!({"type": "keyUp", "value": ch.to_string()}));
        }
        self.command(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
        self.command("DELETE", "/actions", None);
    }

    /// Presses a key with Control held (e.g. `'l'` for Ctrl+L).
    pub fn press_ctrl(&self, key: char) {
        const CONTROL: &str = "\u{E009}";
        let actions = json!([
            {"type": "keyDown", "value": CONTROL},
            {"type": "keyDown", "value": key.to_string()},
            {"type": "keyUp", "value": key.to_string()},
            {"type": "keyUp", "value": CONTROL},
        ]);
        self.command(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
        self.command("DELETE", "/actions", None);
    }

    /// Presses `key` with `modifier` held (WebDriver key codes, e.g.
    /// `"\u{E00A}"` Alt and `"\u{E012}"` Left for Alt+Left).
    pub fn press_chord(&self, modifier: &str, key: &str) {
        let actions = json!([
            {"type": "keyDown", "value": modifier},
            {"type": "keyDown", "value": key},
            {"type": "keyUp", "value": key},
            {"type": "keyUp", "value": modifier},
        ]);
        self.command(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
        self.command("DELETE", "/actions", None);
    }

    /// A PNG of the window's contents, as WebDriver takes it.
    pub fn screenshot_png(&self) -> Vec<u8> {
        // WebKitGTK without compositing (as the app runs) takes a snapshot
        // at the next paint, and a page that is not changing (the unlock
        // screen) never paints: the request then hangs. So an invisible
        // pixel comes and goes a few times while the request is under way.
        self.execute(
            "let left = 30; const timer = setInterval(() => {\
               const dot = document.createElement('div');\
               dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none';\
               document.body.append(dot);\
               requestAnimationFrame(() => dot.remove());\
               if (--left === 0) clearInterval(timer);\
             }, 100);",
        );
        let value = self.command("GET", "/screenshot", None);
        decode_base64(value.as_str().expect("a base64 screenshot"))
    }

    /// Moves the window's top-left corner to (x, y) on the screen.
    pub fn set_window_position(&self, x: i32, y: i32) {
        self.command("POST", "/window/rect", Some(json!({"x": x, "y": y})));
    }

    /// Sends the following commands to the window `handle` (one of
    /// [`AppSession::window_handles`]).
    pub fn switch_to_window(&self, handle: &str) {
        self.command("POST", "/window", Some(json!({ "handle": handle })));
    }

    /// Resizes the window (outer size, in CSS pixels).
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }
}

/// Standard base64, as WebDriver returns screenshots.
pub fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

impl<'s> Element<'s> {
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

    /// Clicks the element, as a user would.
    pub fn click(&self) {
        self.interact("click", json!({}));
    }

    /// Types text into the element (it gets the focus first).
    pub fn send_keys(&self, text: &str) {
        self.interact("value", json!({"text": text}));
    }

    /// Posts a click or keys to the element. WebKitWebDriver answers
    /// "element not interactable" (or "not focusable") while a freshly
    /// rendered element is still being laid out or animated in (seen under
    /// the load of a full `make test`), so that one error is retried for a
    /// bounded time; any other error fails the test at once.
    fn interact(&self, action: &str, body: Value) {
        let path = format!(
            "/session/{}/element/{}/{action}",
            self.session.session, self.id
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.session.request("POST", &path, Some(body.clone())) {
                Ok(_) => return,
                Err(err) if err.contains("not interactable") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(err) => panic!("{err}"),
            }
        }
    }

    /// Empties an input or text area.
    pub fn clear(&self) {
        self.session.command(
            "POST",
            &format!("/element/{}/clear", self.id),
            Some(json!({})),
        );
    }

    /// A DOM property (e.g. `value`, `checked`) as JSON.
    pub fn property(&self, name: &str) -> Value {
        self.session.command(
            "GET",
            &format!("/element/{}/property/{name}", self.id),
            None,
        )
    }

    /// An attribute's value, if set.
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.session
            .command(
                "GET",
                &format!("/element/{}/attribute/{name}", self.id),
                None,
            )
            .as_str()
            .map(str::to_owned)
    }

    /// The first descendant matching the CSS selector, if any.
    pub fn find(&self, css: &str) -> Option<Element<'s>> {
        let path = format!(
            "/session/{}/element/{}/element",
            self.session.session, self.id
        );
        self.session
            .request(
                "POST",
                &path,
                Some(json!({"using": "css selector", "value": css})),
            )
            .ok()
            .and_then(|value| value[ELEMENT_KEY].as_str().map(str::to_owned))
            .map(|id| Element {
                session: self.session,
                id,
            })
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
