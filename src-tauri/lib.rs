//! The Tauri shell of Tessera. It stays thin: each command checks what the
//! page sent, calls tessera-core (the operations the command line performs
//! too), and returns a view or a `{kind, message}` error. Nothing here
//! holds a rule of its own, and the webview never receives a secret unless
//! the user asks to reveal one. See docs/architecture.md.
//!
//! Modules, top down: `ipc` lists the commands (`commands/*`), which use
//! `state` (the unlocked session), `views` (what the page receives) and
//! `error`; `camera`, `clipboard`, `auto_lock`, `webview` and
//! `launch_probe` serve them and import no command.

#![forbid(unsafe_code)]

mod auto_lock;
mod camera;
mod clipboard;
mod commands;
mod error;
pub mod ipc;
mod launch_probe;
mod state;
mod views;
mod webview;

use tauri::{Manager, RunEvent};

use crate::state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    // First, while the process has one thread: WebKit and GDK read these
    // settings once, as they start.
    webview::prepare_environment();
    // Before any window or vault: no core file or ptrace of a process that
    // holds the master key. Best effort where the OS has no such control.
    let _ = tessera_vault::forbid_core_dumps();
    let app = tauri::Builder::default()
        .manage(AppState::new())
        .setup(|app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn_blocking(move || {
                commands::vault::unlock_at_start(&handle.state::<AppState>());
            });
            auto_lock::start(app.handle());
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window);
            }
            Ok(())
        })
        .invoke_handler(ipc::handler())
        .build(tauri::generate_context!())
        .expect("the Tessera window could not be started");
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            // Lock on the way out: the keys are wiped, and a code left on the
            // clipboard does not outlive the app (or get handed to a
            // clipboard manager as it exits).
            handle.state::<AppState>().lock();
        }
    });
}
