//! Entry point of the Tessera desktop app; everything lives in the library
//! so that tests and the binary share one code path.

// Keep a console window from opening alongside the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tessera_app::run();
}
