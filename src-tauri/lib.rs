//! The Tauri shell of Tessera. It stays thin: each command extracts state,
//! calls a GUI-free crate under crates/, and maps the error to a message.
//! Nothing here holds business logic, and the webview never receives a
//! secret unless the user asks to reveal one.

#![forbid(unsafe_code)]

mod commands;

/// Builds and runs the app until its last window closes.
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::app::app_info])
        .run(tauri::generate_context!())
        .expect("the Tessera window could not be started");
}
