//! Tauri commands, one module per area of the app. Every command must also be
//! given an allow permission in src-tauri/permissions/ and granted in
//! src-tauri/capabilities/ only if the UI calls it.

pub mod app;
