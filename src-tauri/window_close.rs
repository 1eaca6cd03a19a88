//! Closing and quitting as on any desktop: Ctrl+Q quits (locking, as every
//! exit does), Ctrl+W closes the window, and closing the window hides it
//! to the tray when the user chose that in Settings and a tray icon is
//! there to bring it back; otherwise it quits. The keys are caught on the
//! GTK window before the page sees them, so they work on every screen and
//! even while the page is busy.

use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WindowEvent};

use crate::{desktop_settings, tray, window_place};

/// What a key press on the window asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shortcut {
    Quit,
    Close,
}

/// Makes Ctrl+Q and Ctrl+W and the window's close button behave as this
/// module says. Called once for the main window as the app starts.
pub fn attach<R: Runtime>(window: &WebviewWindow<R>) {
    let handle = window.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { api, .. } = event {
            window_place::save(&handle);
            api.prevent_close();
            if hides_to_tray(handle.app_handle()) {
                let _ = handle.hide();
            } else {
                quit(handle.app_handle());
            }
        }
    });
    #[cfg(target_os = "linux")]
    watch_keys(window);
}

fn hides_to_tray<R: Runtime>(app: &AppHandle<R>) -> bool {
    tray::exists(app) && desktop_settings::load().close_to_tray
}

/// Quits the app: the main window's place is saved and the vault locked
/// on the way out (`RunEvent::Exit` in `lib.rs`).
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    window_place::save_main(app);
    app.exit(0);
}

#[cfg(target_os = "linux")]
fn watch_keys<R: Runtime>(window: &WebviewWindow<R>) {
    use gtk::prelude::*;

    let Ok(gtk_window) = window.gtk_window() else {
        return;
    };
    let handle = window.clone();
    // Connected handlers run before GTK's own, which passes the key on to
    // the page: a shortcut handled here never reaches it.
    gtk_window.connect_key_press_event(move |_, event| {
        let control = event.state().contains(gtk::gdk::ModifierType::CONTROL_MASK);
        let other = event.state().intersects(
            gtk::gdk::ModifierType::SHIFT_MASK
                | gtk::gdk::ModifierType::MOD1_MASK
                | gtk::gdk::ModifierType::SUPER_MASK,
        );
        let name = event.keyval().to_lower().name();
        match shortcut(control && !other, name.as_deref()) {
            Some(Shortcut::Quit) => {
                quit(handle.app_handle());
                gtk::glib::Propagation::Stop
            }
            Some(Shortcut::Close) => {
                let _ = handle.close();
                gtk::glib::Propagation::Stop
            }
            None => gtk::glib::Propagation::Proceed,
        }
    });
}

/// The shortcut a key (by its lower-case X key name) with Control alone
/// held down means, if any.
fn shortcut(control_only: bool, key: Option<&str>) -> Option<Shortcut> {
    match (control_only, key) {
        (true, Some("q")) => Some(Shortcut::Quit),
        (true, Some("w")) => Some(Shortcut::Close),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_q_quits_and_control_w_closes_and_nothing_else_does() {
        assert_eq!(shortcut(true, Some("q")), Some(Shortcut::Quit));
        assert_eq!(shortcut(true, Some("w")), Some(Shortcut::Close));
        assert_eq!(shortcut(false, Some("q")), None);
        assert_eq!(shortcut(true, Some("e")), None);
        assert_eq!(shortcut(true, None), None);
    }
}
