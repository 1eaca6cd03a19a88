//! The quick-pick window: a small second window, opened by the global
//! shortcut over whatever the user is doing, that finds an account by
//! typing and copies or types its code. It shows the same page bundle as
//! the main window (`index.html?quick-pick`), under the same navigation
//! lock, with a capability of its own that grants only what it uses
//! (src-tauri/capabilities/quick-pick.json).
//!
//! The window is built hidden on the first shortcut and kept: the page
//! says when it is ready (`quick_pick_ready`), and only then is it shown
//! and focused, so keys typed at once reach its search field.

use std::sync::{Mutex, MutexGuard};

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::autotype::Target;
use crate::navigation;

/// The window's label, which its capability names.
pub const LABEL: &str = "quick-pick";
/// The window's title (tests and window managers find it by this).
pub const TITLE: &str = "Tessera: quick pick";

/// The window that had the focus when the shortcut was last pressed.
fn target_slot() -> MutexGuard<'static, Option<Target>> {
    static TARGET: Mutex<Option<Target>> = Mutex::new(None);
    TARGET
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The window typing goes to: the one in focus when the shortcut was pressed.
pub fn target() -> Option<Target> {
    *target_slot()
}

/// Opens the quick pick, remembering `target` for typing. The page resets
/// (empty search, fresh list) and asks to be shown when it is ready.
pub fn open<R: Runtime>(app: &AppHandle<R>, target: Option<Target>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        // Pressed again (or repeated by a held key) over the quick pick
        // itself: the window to type into stays the one from before.
        if window.is_visible().unwrap_or(false) && target.is_some_and(|t| t.own()) {
            show(app);
            return;
        }
        *target_slot() = target;
        // The page's own script listens for this; Rust runs it, not the page.
        let _ = window.eval("window.dispatchEvent(new Event('tessera-quick-pick-open'))");
        return;
    }
    *target_slot() = target;
    let builder =
        WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html?quick-pick".into()))
            .title(TITLE)
            .inner_size(420.0, 360.0)
            .resizable(false)
            .always_on_top(true)
            .skip_taskbar(true)
            .center()
            .visible(false)
            .on_new_window(navigation::refuse_new_window);
    #[cfg(target_os = "linux")]
    let builder = builder.proxy_url(navigation::no_network());
    match builder.build() {
        Ok(_window) => {
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window(LABEL) {
                crate::webview::tune(&window);
            }
            // The hidden quick pick must not keep the app running once the
            // main window is gone.
            if let Some(main) = app.get_webview_window("main") {
                let handle = app.clone();
                main.on_window_event(move |event| {
                    if let tauri::WindowEvent::Destroyed = event {
                        if let Some(window) = handle.get_webview_window(LABEL) {
                            let _ = window.destroy();
                        }
                    }
                });
            }
        }
        Err(e) => eprintln!("tessera: the quick-pick window could not open: {e}"),
    }
}

/// Shows and focuses the window (its page is ready).
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.show();
        let _ = window.set_focus();
        if crate::autotype::x11_available().is_ok() {
            std::thread::spawn(|| {
                let _ = crate::autotype::focus_own_window(std::process::id(), TITLE);
            });
        }
    }
}

/// Opens the quick pick for a launch with `--quick-pick` (a key the user
/// bound in the desktop's own settings runs it), typing into the window
/// that has the focus now.
pub fn open_for_launch<R: Runtime>(app: &AppHandle<R>) {
    let own = own_window_focused(app);
    let target = crate::autotype::focused_now(std::process::id(), own);
    open(app, target);
}

/// Whether one of Tessera's windows has the keyboard focus.
pub fn own_window_focused<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.webview_windows()
        .values()
        .any(|window| window.is_focused().unwrap_or(false))
}

/// Hides the window, keeping it for the next time.
pub fn hide<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.hide();
    }
}

/// Hides the quick pick and brings the main window forward (to unlock).
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    hide(app);
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
