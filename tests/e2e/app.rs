//! The desktop app as a user sees it: a real window under Xvfb, driven
//! through WebDriver.

use std::time::Duration;

use crate::util::app_binary;
use crate::webdriver::AppSession;

#[test]
fn window_is_titled_tessera_and_shows_the_empty_state() {
    let app = AppSession::start(&app_binary(), &[]);
    let empty = app.wait_for("[data-testid=empty-state]", Duration::from_secs(20));
    assert!(empty.is_displayed());
    assert!(
        empty.text().contains("No accounts yet"),
        "empty state reads: {}",
        empty.text()
    );
    assert_eq!(app.title(), "Tessera");
    // The footer's version comes over IPC: proof that the capability grants
    // the one command the UI calls.
    let footer = app.wait_for("[data-testid=footer]", Duration::from_secs(5));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !footer.text().starts_with("Tessera 0.") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        footer.text(),
        format!("Tessera {}", env!("CARGO_PKG_VERSION"))
    );
}

/// Invokes a command through Tauri's IPC from inside the page and reports
/// whether it was allowed.
fn invoke_from_page(app: &AppSession, command: &str, args: &str) -> String {
    let script = format!(
        "const done = arguments[arguments.length - 1];\
         window.__TAURI_INTERNALS__.invoke('{command}', {args})\
           .then(() => done('allowed'), (e) => done('denied: ' + e));"
    );
    app.execute_async(&script)
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn webview_reaches_only_the_commands_its_capability_grants() {
    let app = AppSession::start(&app_binary(), &[]);
    app.wait_for("[data-testid=empty-state]", Duration::from_secs(20));
    assert_eq!(invoke_from_page(&app, "app_info", "{}"), "allowed");
    // Tauri's own window API exists in the binary but is not granted.
    let verdict = invoke_from_page(
        &app,
        "plugin:window|set_title",
        "{label: 'main', value: 'pwned'}",
    );
    assert!(verdict.starts_with("denied"), "set_title was {verdict}");
    assert_eq!(app.title(), "Tessera");
    let verdict = invoke_from_page(&app, "no_such_command", "{}");
    assert!(
        verdict.starts_with("denied"),
        "an unknown command was {verdict}"
    );
}
