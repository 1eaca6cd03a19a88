//! The main window opens where and as large as the user left it, rather
//! than at the default size in the middle of the screen every time. The
//! place is kept in `tessera/window.json` in the configuration folder (a
//! file of its own, so saving it never races a change of the desktop
//! settings), and is used only while it still fits on a monitor that is
//! there: a window left on a screen since unplugged opens at the default
//! place instead of out of sight.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::webview::WebviewWindowBuilder;
use tauri::{AppHandle, Manager, Runtime, WebviewWindow};

/// The window's outer position and inner size in physical pixels, and
/// whether it was maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Place {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
    #[serde(default)]
    maximized: bool,
}

/// A monitor's rectangle in physical pixels.
#[derive(Debug, Clone, Copy)]
struct Screen {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
    scale: f64,
}

fn file() -> Option<PathBuf> {
    tessera_core::machine_folder().map(|folder| folder.join("window.json"))
}

fn load() -> Option<Place> {
    let bytes = std::fs::read(file()?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Gives the builder of the main window its remembered place, when there
/// is one that fits on a present monitor.
pub fn restore<'a, R: Runtime, M: Manager<R>>(
    app: &AppHandle<R>,
    builder: WebviewWindowBuilder<'a, R, M>,
) -> WebviewWindowBuilder<'a, R, M> {
    let Some(place) = load() else {
        return builder;
    };
    let screens: Vec<Screen> = app
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| Screen {
            x: m.position().x,
            y: m.position().y,
            width: m.size().width,
            height: m.size().height,
            scale: m.scale_factor(),
        })
        .collect();
    let Some(screen) = fitting_screen(&place, &screens) else {
        return builder;
    };
    let scale = if screen.scale > 0.0 {
        screen.scale
    } else {
        1.0
    };
    builder
        .position(f64::from(place.x) / scale, f64::from(place.y) / scale)
        .inner_size(
            f64::from(place.width) / scale,
            f64::from(place.height) / scale,
        )
        .maximized(place.maximized)
}

/// The monitor that holds all of the window, if one does.
fn fitting_screen(place: &Place, screens: &[Screen]) -> Option<Screen> {
    let right = i64::from(place.x) + i64::from(place.width);
    let bottom = i64::from(place.y) + i64::from(place.height);
    screens.iter().copied().find(|s| {
        place.width > 0
            && place.height > 0
            && place.x >= s.x
            && place.y >= s.y
            && right <= i64::from(s.x) + i64::from(s.width)
            && bottom <= i64::from(s.y) + i64::from(s.height)
    })
}

/// Remembers the window's place now. A hidden or minimised window keeps
/// the place saved when it was last shown, and a maximised one keeps the
/// size it returns to (with the flag set).
pub fn save<R: Runtime>(window: &WebviewWindow<R>) {
    if !window.is_visible().unwrap_or(false) || window.is_minimized().unwrap_or(true) {
        return;
    }
    let maximized = window.is_maximized().unwrap_or(false);
    let place = if maximized {
        load().map(|p| Place {
            maximized: true,
            ..p
        })
    } else {
        match (window.outer_position(), window.inner_size()) {
            (Ok(position), Ok(size)) => Some(Place {
                x: position.x,
                y: position.y,
                width: size.width,
                height: size.height,
                maximized: false,
            }),
            _ => None,
        }
    };
    let (Some(place), Some(path)) = (place, file()) else {
        return;
    };
    if load() == Some(place) {
        return;
    }
    if let Some(folder) = path.parent() {
        if tessera_core::files::create_private_dir_all(folder).is_err() {
            return;
        }
    }
    let bytes = serde_json::to_vec_pretty(&place).expect("plain data serialises");
    // Losing a window's place is no reason to hold up closing it.
    let _ = tessera_core::local::replace_private(&path, &bytes);
}

/// Saves the main window's place, if it is open (for exits that do not
/// pass through closing it, such as a menu's Quit).
pub fn save_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        save(&window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL_HD: Screen = Screen {
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
        scale: 1.0,
    };

    fn place(x: i32, y: i32, width: u32, height: u32) -> Place {
        Place {
            x,
            y,
            width,
            height,
            maximized: false,
        }
    }

    #[test]
    fn a_place_on_a_present_monitor_is_used() {
        assert!(fitting_screen(&place(100, 50, 600, 800), &[FULL_HD]).is_some());
        assert!(fitting_screen(&place(1320, 280, 600, 800), &[FULL_HD]).is_some());
    }

    #[test]
    fn a_place_off_every_monitor_or_too_large_is_not() {
        // A second monitor, to the right, since unplugged.
        assert!(fitting_screen(&place(2000, 100, 600, 800), &[FULL_HD]).is_none());
        assert!(fitting_screen(&place(1500, 100, 600, 800), &[FULL_HD]).is_none());
        assert!(fitting_screen(&place(-50, 100, 600, 800), &[FULL_HD]).is_none());
        assert!(fitting_screen(&place(0, 0, 1920, 1200), &[FULL_HD]).is_none());
        assert!(fitting_screen(&place(0, 0, 0, 0), &[FULL_HD]).is_none());
        assert!(fitting_screen(&place(100, 100, 600, 800), &[]).is_none());
    }

    #[test]
    fn a_place_on_the_second_of_two_monitors_is_used() {
        let right = Screen { x: 1920, ..FULL_HD };
        let found = fitting_screen(&place(2000, 100, 600, 800), &[FULL_HD, right]);
        assert_eq!(found.map(|s| s.x), Some(1920));
    }

    #[test]
    fn the_file_reads_back_what_was_saved() {
        let saved = place(10, 20, 480, 720);
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<Place>(&text).unwrap(), saved);
    }
}
