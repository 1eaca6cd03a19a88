//! Tauri commands, one module per area of the app. Every command must also be
//! given an allow permission in src-tauri/permissions/ and granted in
//! src-tauri/capabilities/ only if the UI calls it.
//!
//! Commands stay thin: they check the size and shape of what the webview
//! sent, call a crate, and map errors to the crates' one-line messages.
//! Anything that touches the vault file, Argon2 or the keyring runs on the
//! blocking pool (`state::blocking`), never on the UI thread.

pub mod accounts;
pub mod app;
pub mod camera;
pub mod recovery;
pub mod scan;
pub mod settings;
pub mod transfer;
pub mod vault;
