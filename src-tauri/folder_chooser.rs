//! The native folder and file choosers, for where the app writes the vault
//! (automatic backups, the sync folder) and its exports (a file to save).
//! The place comes from the user's hand in a dialog drawn by this process,
//! never from the page: a script that got into the page cannot send copies
//! of the vault to a place of its choosing, since it cannot answer this
//! dialog.
//!
//! One chooser at a time: a request while one is up gets no folder.
//! Only Linux has it so far (GTK is already there under the webview);
//! elsewhere it says so, and the command line turns these on instead.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Runtime};

use crate::error::CommandResult;

/// The start of the chooser's title (the end-to-end tests find it by
/// this).
pub const TITLE_PREFIX: &str = "Tessera: ";

/// Whether a chooser is on screen now.
static CHOOSING: AtomicBool = AtomicBool::new(false);

/// The chooser on screen, given back when dropped (even by a panic).
struct Turn;

impl Turn {
    fn take() -> Option<Turn> {
        CHOOSING
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
            .then_some(Turn)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        CHOOSING.store(false, Ordering::SeqCst);
    }
}

/// Asks the user for a folder in a dialog over the main window titled
/// `Tessera: {what}`, starting in `start` when given, and waits: the
/// folder, or none if they cancelled. Call it from the blocking pool and
/// not while holding the session (the codes keep ticking meanwhile).
pub fn choose<R: Runtime>(
    app: &AppHandle<R>,
    what: &str,
    start: Option<PathBuf>,
) -> CommandResult<Option<PathBuf>> {
    let Some(_turn) = Turn::take() else {
        return Ok(None);
    };
    // A start that is not there would open GTK's "Recent" view, where
    // Select stays off and a folder typed in the location bar is ignored.
    let start = start
        .filter(|folder| folder.is_dir())
        .or_else(dirs::home_dir);
    native::choose(app, &format!("{TITLE_PREFIX}{what}"), start)
}

/// Asks the user where to save a file, in a dialog over the main window
/// titled `Tessera: {what}`, starting in `folder` with `name` suggested;
/// replacing a file there is confirmed in the dialog. Waits: the path, or
/// none if they cancelled. As [`choose`], from the blocking pool.
pub fn save_as<R: Runtime>(
    app: &AppHandle<R>,
    what: &str,
    folder: Option<PathBuf>,
    name: &str,
) -> CommandResult<Option<PathBuf>> {
    let Some(_turn) = Turn::take() else {
        return Ok(None);
    };
    let folder = folder.filter(|f| f.is_dir()).or_else(dirs::home_dir);
    native::save_as(app, &format!("{TITLE_PREFIX}{what}"), folder, name)
}

#[cfg(target_os = "linux")]
mod native {
    //! GTK's file chooser in its folder and save modes, modal over the main
    //! window.

    use std::path::PathBuf;
    use std::sync::mpsc;

    use gtk::prelude::*;
    use tauri::{AppHandle, Manager, Runtime};

    use crate::error::CommandResult;

    pub fn choose<R: Runtime>(
        app: &AppHandle<R>,
        title: &str,
        start: Option<PathBuf>,
    ) -> CommandResult<Option<PathBuf>> {
        let (answer, answered) = mpsc::channel();
        let handle = app.clone();
        let title = title.to_owned();
        let shown = app.run_on_main_thread(move || {
            let parent = handle
                .get_webview_window("main")
                .and_then(|window| window.gtk_window().ok());
            let _ = answer.send(chosen(parent.as_ref(), &title, start.as_deref()));
        });
        // A chooser that could not be shown, or an app closing under it,
        // chose nothing.
        Ok(if shown.is_ok() {
            answered.recv().ok().flatten()
        } else {
            None
        })
    }

    pub fn save_as<R: Runtime>(
        app: &AppHandle<R>,
        title: &str,
        folder: Option<PathBuf>,
        name: &str,
    ) -> CommandResult<Option<PathBuf>> {
        let (answer, answered) = mpsc::channel();
        let handle = app.clone();
        let title = title.to_owned();
        let name = name.to_owned();
        let shown = app.run_on_main_thread(move || {
            let parent = handle
                .get_webview_window("main")
                .and_then(|window| window.gtk_window().ok());
            let _ = answer.send(saved(parent.as_ref(), &title, folder.as_deref(), &name));
        });
        Ok(if shown.is_ok() {
            answered.recv().ok().flatten()
        } else {
            None
        })
    }

    /// The save chooser: a name typed (or a whole path) and Enter saves,
    /// asking first before replacing a file; Escape cancels.
    fn saved(
        parent: Option<&gtk::ApplicationWindow>,
        title: &str,
        folder: Option<&std::path::Path>,
        name: &str,
    ) -> Option<PathBuf> {
        let dialog = gtk::FileChooserDialog::with_buttons(
            Some(title),
            parent,
            gtk::FileChooserAction::Save,
            &[
                ("_Cancel", gtk::ResponseType::Cancel),
                ("_Save", gtk::ResponseType::Accept),
            ],
        );
        dialog.set_modal(true);
        dialog.set_destroy_with_parent(true);
        dialog.set_position(gtk::WindowPosition::CenterOnParent);
        dialog.set_create_folders(true);
        dialog.set_local_only(true);
        dialog.set_do_overwrite_confirmation(true);
        dialog.set_default_response(gtk::ResponseType::Accept);
        if let Some(folder) = folder.filter(|f| f.is_dir()) {
            dialog.set_current_folder(folder);
        }
        dialog.set_current_name(name);
        let response = dialog.run();
        let path = (response == gtk::ResponseType::Accept)
            .then(|| dialog.filename())
            .flatten();
        dialog.close();
        path
    }

    /// Shows the chooser and waits (running GTK's loop) for an answer.
    /// Enter on a folder typed or picked selects it; Escape cancels.
    fn chosen(
        parent: Option<&gtk::ApplicationWindow>,
        title: &str,
        start: Option<&std::path::Path>,
    ) -> Option<PathBuf> {
        let dialog = gtk::FileChooserDialog::with_buttons(
            Some(title),
            parent,
            gtk::FileChooserAction::SelectFolder,
            &[
                ("_Cancel", gtk::ResponseType::Cancel),
                ("_Select", gtk::ResponseType::Accept),
            ],
        );
        dialog.set_modal(true);
        dialog.set_destroy_with_parent(true);
        dialog.set_position(gtk::WindowPosition::CenterOnParent);
        dialog.set_create_folders(true);
        dialog.set_local_only(true);
        dialog.set_default_response(gtk::ResponseType::Accept);
        if let Some(start) = start.filter(|folder| folder.is_dir()) {
            dialog.set_current_folder(start);
        }
        let response = dialog.run();
        let folder = (response == gtk::ResponseType::Accept)
            .then(|| dialog.filename())
            .flatten();
        dialog.close();
        folder
    }
}

#[cfg(not(target_os = "linux"))]
mod native {
    //! No native chooser yet: refused, saying why.

    use std::path::PathBuf;

    use tauri::{AppHandle, Runtime};

    use crate::error::{CommandError, CommandResult};

    pub fn choose<R: Runtime>(
        _app: &AppHandle<R>,
        _title: &str,
        _start: Option<PathBuf>,
    ) -> CommandResult<Option<PathBuf>> {
        Err(CommandError::invalid(
            "on this system the app cannot show a folder chooser yet; the command line \
             (`tessera backup enable DIR`, `tessera sync enable DIR`) turns this on",
        ))
    }

    pub fn save_as<R: Runtime>(
        _app: &AppHandle<R>,
        _title: &str,
        _folder: Option<PathBuf>,
        _name: &str,
    ) -> CommandResult<Option<PathBuf>> {
        Err(CommandError::invalid(
            "on this system the app cannot show a file chooser yet; `tessera export` \
             writes an export where you say",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chooser_at_a_time() {
        let first = Turn::take().expect("nothing is shown yet");
        assert!(Turn::take().is_none(), "a second chooser while one is up");
        drop(first);
        assert!(Turn::take().is_some(), "the turn comes back once answered");
    }
}
