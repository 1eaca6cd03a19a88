//! The Tauri shell of Tessera. It stays thin: each command extracts state,
//! calls a GUI-free crate under crates/, and maps the error to a message.
//! Nothing here holds business logic, and the webview never receives a
//! secret unless the user asks to reveal one.

#![forbid(unsafe_code)]

mod camera;
mod clipboard;
mod commands;
mod limits;
mod settings;
mod startup;
mod state;
mod watch;
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
            watch::start(app.handle());
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::vault::vault_status,
            commands::vault::create_vault,
            commands::vault::unlock,
            commands::vault::unlock_with_keyring,
            commands::vault::lock,
            commands::vault::change_password,
            commands::vault::set_keyring,
            commands::vault::activity,
            commands::accounts::list_accounts,
            commands::accounts::codes,
            commands::accounts::add_account_uri,
            commands::accounts::add_account_manual,
            commands::accounts::edit_account,
            commands::accounts::remove_account,
            commands::accounts::hotp_next,
            commands::accounts::copy_code,
            commands::accounts::account_qr,
            commands::scan::scan_screen,
            commands::scan::scan_clipboard,
            commands::scan::scan_image,
            commands::scan::add_scanned,
            commands::scan::scan_reset,
            commands::camera::list_cameras,
            commands::camera::start_camera,
            commands::camera::stop_camera,
            commands::camera::camera_preview_drawn,
            commands::transfer::import_file,
            commands::transfer::import_password,
            commands::transfer::export_formats,
            commands::transfer::export_file,
            commands::transfer::export_google,
            commands::recovery::recovery_list,
            commands::recovery::recovery_parse,
            commands::recovery::recovery_add,
            commands::recovery::recovery_use,
            commands::recovery::recovery_remove,
            commands::recovery::recovery_reveal,
            commands::recovery::recovery_copy,
            commands::recovery::recovery_edit,
            commands::settings::get_settings,
            commands::settings::set_settings,
        ])
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
