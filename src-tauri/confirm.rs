//! The user's yes, asked outside the page, before a command hands a secret
//! to the page or writes one in the clear: revealing recovery codes,
//! showing an account's QR code, a plain export, letting the keyring open
//! the vault. A script that gets into the page can call every command the
//! page calls, but it cannot answer a native dialog: the question and its
//! buttons belong to GTK, drawn by this process, not the webview. What
//! needs asking, and what the answer allows, is tessera-core's rule
//! ([`Disclosure`], `Vault::confirm`), the same the command line follows.
//!
//! One question at a time: a request that comes while one is asked is
//! declined at once, so a script cannot stack up dialogs hoping one is
//! said yes to by habit.
//!
//! Only Linux has the dialog so far (GTK is already there under the
//! webview); elsewhere every such request is refused with a message that
//! says so, and the command line (which asks for the password) shows
//! these secrets instead.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Runtime};
use tessera_core::disclosure::{Confirmation, Disclosure};

use crate::error::{CommandError, CommandResult};
use crate::state::{AppState, Session};

/// The title of the dialog (the end-to-end tests find it by this).
pub const TITLE: &str = "Tessera: confirm";

/// Whether a question is on screen now.
static ASKING: AtomicBool = AtomicBool::new(false);

/// Asks the user about `disclosure` in a dialog over the main window and
/// waits for the answer. Call it from the blocking pool, never from the
/// main thread (which shows the dialog), and not while holding the session
/// (the codes must keep ticking meanwhile). Fails only where no dialog can
/// be shown at all.
pub fn ask<R: Runtime>(
    app: &AppHandle<R>,
    disclosure: &Disclosure,
) -> CommandResult<Confirmation<'static>> {
    let Some(_turn) = Turn::take() else {
        return Ok(Confirmation::None);
    };
    native::ask(app, disclosure)
}

/// The one question on screen, given back when dropped (even by a panic).
struct Turn;

impl Turn {
    fn take() -> Option<Turn> {
        ASKING
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
            .then_some(Turn)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        ASKING.store(false, Ordering::SeqCst);
    }
}

#[cfg(target_os = "linux")]
mod native {
    //! A GTK message dialog, modal over the main window.

    use std::sync::mpsc;

    use gtk::prelude::*;
    use tauri::{AppHandle, Manager, Runtime};
    use tessera_core::disclosure::{Confirmation, Disclosure};

    use crate::error::CommandResult;

    pub fn ask<R: Runtime>(
        app: &AppHandle<R>,
        disclosure: &Disclosure,
    ) -> CommandResult<Confirmation<'static>> {
        let question = disclosure.question();
        let yes = disclosure.yes_button();
        let (answer, answered) = mpsc::channel();
        let handle = app.clone();
        let shown = app.run_on_main_thread(move || {
            let parent = handle
                .get_webview_window("main")
                .and_then(|window| window.gtk_window().ok());
            let _ = answer.send(said_yes(parent.as_ref(), &question, yes));
        });
        // A dialog that could not be shown, or an app closing under it, is
        // no yes.
        let said_yes = shown.is_ok() && answered.recv().unwrap_or(false);
        Ok(if said_yes {
            Confirmation::UserSaidYes
        } else {
            Confirmation::None
        })
    }

    /// Shows the question and waits (running GTK's loop) for a button:
    /// Cancel is the default, so Enter or Escape says no.
    fn said_yes(parent: Option<&gtk::ApplicationWindow>, question: &str, yes: &str) -> bool {
        let dialog = gtk::MessageDialog::new(
            parent,
            gtk::DialogFlags::MODAL | gtk::DialogFlags::DESTROY_WITH_PARENT,
            gtk::MessageType::Warning,
            gtk::ButtonsType::None,
            question,
        );
        dialog.set_title(super::TITLE);
        dialog.set_position(gtk::WindowPosition::CenterOnParent);
        dialog.add_button("_Cancel", gtk::ResponseType::Cancel);
        dialog.add_button(yes, gtk::ResponseType::Accept);
        dialog.set_default_response(gtk::ResponseType::Cancel);
        let response = dialog.run();
        dialog.close();
        response == gtk::ResponseType::Accept
    }
}

#[cfg(not(target_os = "linux"))]
mod native {
    //! No native dialog yet: refused, saying why.

    use tauri::{AppHandle, Runtime};
    use tessera_core::disclosure::{Confirmation, Disclosure};
    use tessera_core::ErrorKind;

    use crate::error::{CommandError, CommandResult};

    pub fn ask<R: Runtime>(
        _app: &AppHandle<R>,
        _disclosure: &Disclosure,
    ) -> CommandResult<Confirmation<'static>> {
        Err(CommandError {
            kind: ErrorKind::Declined,
            message: "on this system the app cannot ask outside its page before showing a \
                      secret; the command line (`tessera`) shows it after asking for the password"
                .to_owned(),
        })
    }
}

/// Asks about `disclosure` (see [`ask`]); if the vault takes the answer
/// as a yes, runs `disclose` on the session and returns what it made. A
/// no is the core's `declined` error, and `disclose` never runs.
pub fn after_yes<R: Runtime, T>(
    app: &AppHandle<R>,
    state: &AppState,
    disclosure: &Disclosure,
    disclose: impl FnOnce(&mut Session) -> CommandResult<T>,
) -> CommandResult<T> {
    let confirmation = ask(app, disclosure)?;
    state.with_session(|session| {
        session
            .vault
            .confirm(disclosure, confirmation)
            .map_err(CommandError::from)?;
        disclose(session)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_question_at_a_time() {
        let first = Turn::take().expect("nothing is asked yet");
        assert!(Turn::take().is_none(), "a second question while one is up");
        drop(first);
        assert!(Turn::take().is_some(), "the turn comes back once answered");
    }
}
