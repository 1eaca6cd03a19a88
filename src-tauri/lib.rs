//! The Tauri shell of Tessera. It stays thin: each command checks what the
//! page sent, calls tessera-core (the operations the command line performs
//! too), and returns a view or a `{kind, message}` error. Nothing here
//! holds a rule of its own, and the webview never receives a secret unless
//! the user asks to reveal one and says yes to it in a native dialog
//! (`confirm`). The page stays on the app's own origin, opens no window
//! and has no network (`navigation`). See docs/architecture.md.
//!
//! Modules, top down: `ipc` lists the commands (`commands/*`), which use
//! `state` (the unlocked session), `views` (what the page receives) and
//! `error`; `camera`, `clipboard`, `auto_lock`, `webview`, `navigation`,
//! `confirm`, `folder_chooser`, `sync_watch` and `launch_probe` serve them
//! and import no command.

#![forbid(unsafe_code)]

mod auto_lock;
mod camera;
mod clipboard;
mod commands;
mod confirm;
mod error;
mod folder_chooser;
pub mod ipc;
mod launch_probe;
mod navigation;
mod state;
mod sync_watch;
mod views;
mod webview;

use tauri::{Manager, RunEvent, WebviewWindowBuilder};

use crate::state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    // First, while the process has one thread: WebKit and GDK read these
    // settings once, as they start.
    webview::prepare_environment();
    // Before any window or vault: no core file or ptrace of a process that
    // holds the master key. Best effort where the OS has no such control.
    let _ = tessera_vault::forbid_core_dumps();
    let mut context = tauri::generate_context!();
    // The windows of tauri.conf.json are made in `setup` below rather than
    // by Tauri, so that each gets what only a window's builder takes: the
    // handler refusing new windows and, on Linux, the proxy that leaves
    // the page no network.
    for window in &mut context.config_mut().app.windows {
        window.create = false;
    }
    let app = tauri::Builder::default()
        .manage(AppState::new())
        .plugin(navigation::lock())
        .setup(|app| {
            for config in app.config().app.windows.clone() {
                let builder = WebviewWindowBuilder::from_config(app.handle(), &config)?
                    .on_new_window(navigation::refuse_new_window);
                #[cfg(target_os = "linux")]
                let builder = builder.proxy_url(navigation::no_network());
                builder.build()?;
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn_blocking(move || {
                commands::vault::unlock_at_start(&handle);
            });
            auto_lock::start(app.handle());
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window);
            }
            Ok(())
        })
        .invoke_handler(ipc::handler())
        .build(context)
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
