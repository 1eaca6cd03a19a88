//! Tauri commands, one module per area of the app. They stay thin: each
//! checks the size and shape of what the page sent, calls tessera-core, and
//! returns a view (`crate::views`) or a `{kind, message}` error
//! (`crate::error`). Anything that touches the vault file, Argon2 or the
//! keyring runs on the blocking pool (`state::blocking`), never on the UI
//! thread.
//!
//! Every command is listed once, with its request and response types, in
//! `crate::ipc`, which registers it and declares it to the page; it must
//! also be given an allow permission in src-tauri/permissions/ and be
//! granted in src-tauri/capabilities/ only if the page calls it.

pub mod accounts;
pub mod app;
pub mod backup;
pub mod camera;
pub mod desktop;
pub mod quick_pick;
pub mod recovery;
pub mod scan;
pub mod settings;
pub mod sync;
pub mod theme;
pub mod transfer;
pub mod vault;
