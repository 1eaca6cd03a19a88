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
//! and import no command. `tray`, a way in beside the page, copies
//! through the Copy button's own `commands::accounts::copy_now`.
//! `global_shortcut` opens the `quick_pick` window, which types through
//! `autotype`; none of the three knows the vault. `portal` is the
//! xdg-desktop-portal plumbing the shortcut and typing share on Wayland.
//! Around the window: `single_instance` (one app per vault), a launch with
//! `--quick-pick` opening the quick pick; `window_place` (its size and
//! place remembered), `window_close` (Ctrl+Q, Ctrl+W, closing to the
//! tray), `autostart` (start at login), `theme`, and `desktop_settings`,
//! the choices of this computer they read.

#![forbid(unsafe_code)]

mod auto_lock;
mod autostart;
mod autotype;
mod camera;
mod clipboard;
mod commands;
mod confirm;
mod desktop_settings;
mod error;
mod folder_chooser;
mod global_shortcut;
pub mod ipc;
mod launch_probe;
mod navigation;
#[cfg(target_os = "linux")]
mod portal;
mod quick_pick;
mod single_instance;
mod state;
mod sync_watch;
mod theme;
mod tray;
mod views;
mod webview;
mod window_close;
mod window_place;

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
    // One app per vault: a second launch shows the first one's window and
    // exits before making any of its own.
    let instance = single_instance::start_or_exit();
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
                let builder = if config.label == "main" {
                    window_place::restore(app.handle(), builder)
                        .visible(config.visible && !autostart::starts_hidden())
                } else {
                    builder
                };
                let window = builder.build()?;
                if config.label == "main" {
                    window_close::attach(&window);
                }
            }
            if let Some(instance) = instance {
                let handle = app.handle().clone();
                app.manage(instance.serve(move |request| match request {
                    single_instance::Request::Show => single_instance::raise(&handle),
                    single_instance::Request::QuickPick => quick_pick::open_for_launch(&handle),
                }));
            }
            // Started by `--quick-pick` (no app ran): the quick pick too.
            if single_instance::Request::of_this_launch() == single_instance::Request::QuickPick {
                quick_pick::open_for_launch(app.handle());
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn_blocking(move || {
                commands::vault::unlock_at_start(&handle);
            });
            auto_lock::start(app.handle());
            // Light or dark as chosen or as the desktop prefers, followed.
            theme::start(app.handle());
            // The quick-pick shortcut, if set (off by default).
            global_shortcut::start(app.handle());
            // Without a tray (no AppIndicator library, say) the window
            // works as before; closing it then quits (`tray::exists`).
            if let Err(error) = tray::start(app.handle()) {
                eprintln!("tessera: no tray icon: {error}");
            }
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
        if let RunEvent::ExitRequested { .. } = event {
            window_place::save_main(handle);
        }
        if let RunEvent::Exit = event {
            if let Some(owner) = handle.try_state::<single_instance::Owner>() {
                owner.release();
            }
            // Lock on the way out: the keys are wiped, and a code left on the
            // clipboard does not outlive the app (or get handed to a
            // clipboard manager as it exits).
            handle.state::<AppState>().lock();
        }
    });
}
