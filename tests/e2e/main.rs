//! Tessera's end-to-end tests: one test binary (ripgrep style) with shared
//! helpers. CLI scenarios run the real `tessera` binary; app scenarios drive
//! the real desktop window through tauri-driver and WebKitWebDriver.
//!
//! Run them through `make test`, which provides what they need: an Xvfb
//! display, a D-Bus session with an unlocked gnome-keyring
//! (tests/with-desktop.sh), oathtool, and tauri-driver. Without those the
//! tests fail and say what is missing; they never pass vacuously.

mod adversarial;
mod app;
mod app_autotype;
mod app_desktop;
mod app_export;
mod app_recovery;
mod app_scan;
mod app_settings;
mod app_sync;
mod app_tray;
mod app_ui;
mod app_wayland;
mod backups;
mod camera;
mod cli_packaging;
mod gen;
mod hardening;
mod ipc;
mod leak;
mod recovery;
mod sync;
mod syncthing;
mod transfer;
mod util;
mod vault;
mod webdriver;
