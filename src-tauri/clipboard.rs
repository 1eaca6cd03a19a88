//! The clipboard, written from Rust: a copied code is marked for clipboard
//! managers to leave out of their history, and cleared after the user's
//! delay if the clipboard still holds it (something the user copied since is
//! left alone).
//!
//! One `arboard::Clipboard` lives as long as the app: on X11 the copying
//! program must keep serving the selection, so dropping it would lose the
//! code at once. The add screen's clipboard watch reads through it too
//! ([`ClipboardGuard::peek`]), rather than opening a connection a second.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use zeroize::Zeroizing;

/// The app's clipboard and what it last copied.
pub struct ClipboardGuard {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    board: Option<arboard::Clipboard>,
    /// Bumped on every copy, so only the timer of the latest copy clears.
    generation: u64,
    /// The text last copied, while it may still be on the clipboard.
    copied: Option<Zeroizing<String>>,
}

impl Inner {
    fn board(&mut self) -> Result<&mut arboard::Clipboard, String> {
        if self.board.is_none() {
            let board = arboard::Clipboard::new()
                .map_err(|e| format!("the clipboard is not available: {e}"))?;
            self.board = Some(board);
        }
        Ok(self.board.as_mut().expect("set just above"))
    }

    /// Clears the clipboard if it still holds what was copied.
    fn clear_if_unchanged(&mut self) {
        let Some(copied) = self.copied.take() else {
            return;
        };
        let Some(board) = self.board.as_mut() else {
            return;
        };
        let holds_it = board
            .get_text()
            .map(Zeroizing::new)
            .is_ok_and(|now| *now == *copied);
        if holds_it {
            let _ = board.clear();
        }
    }
}

impl ClipboardGuard {
    /// Nothing is contacted until the first copy.
    pub fn new() -> ClipboardGuard {
        ClipboardGuard {
            inner: Arc::new(Mutex::new(Inner {
                board: None,
                generation: 0,
                copied: None,
            })),
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// Puts `text` on the clipboard, and clears it after `clear_after`
    /// (never if `None`) unless something else was copied meanwhile.
    pub fn copy(&self, text: &str, clear_after: Option<Duration>) -> Result<(), String> {
        let mut inner = self.inner();
        let board = inner.board()?;
        set_text(board, text).map_err(|e| format!("could not copy to the clipboard: {e}"))?;
        inner.generation += 1;
        inner.copied = Some(Zeroizing::new(text.to_owned()));
        if let Some(delay) = clear_after {
            let generation = inner.generation;
            let shared = Arc::clone(&self.inner);
            std::thread::Builder::new()
                .name("tessera-clipboard-clear".into())
                .spawn(move || {
                    std::thread::sleep(delay);
                    let mut inner = lock(&shared);
                    if inner.generation == generation {
                        inner.clear_if_unchanged();
                    }
                })
                .map_err(|e| format!("could not start the clipboard timer: {e}"))?;
        }
        Ok(())
    }

    /// What the clipboard holds now: an `otpauth://` or
    /// `otpauth-migration://` link, or an image (within `limits`), for the
    /// add screen to offer. Other text, and a clipboard that cannot be
    /// read, hold nothing of interest.
    pub fn peek(&self, limits: &tessera_scan::ImageLimits) -> Peek {
        let mut inner = self.inner();
        let Ok(board) = inner.board() else {
            return Peek::Nothing;
        };
        match board.get_text().map(Zeroizing::new) {
            Ok(text) => {
                let trimmed = text.trim();
                let lower = trimmed.get(..8).map(str::to_ascii_lowercase);
                if lower.as_deref() == Some("otpauth:") || lower.as_deref() == Some("otpauth-") {
                    Peek::Link(Zeroizing::new(trimmed.to_owned()))
                } else {
                    Peek::Nothing
                }
            }
            // Text or an image, not both: only without text is an image
            // asked for (the larger transfer).
            Err(_) => match tessera_scan::clipboard_image_from(board, limits) {
                Ok(image) => Peek::Image(image),
                Err(_) => Peek::Nothing,
            },
        }
    }

    /// Clears the clipboard now if it still holds the last copied code (on
    /// lock and on exit).
    pub fn clear_if_ours(&self) {
        self.inner().clear_if_unchanged();
    }
}

/// What [`ClipboardGuard::peek`] found.
pub enum Peek {
    /// An `otpauth://` or `otpauth-migration://` link (holds a secret).
    Link(Zeroizing<String>),
    /// An image, maybe of a QR code.
    Image(image::DynamicImage),
    /// Nothing to offer.
    Nothing,
}

impl Default for ClipboardGuard {
    fn default() -> Self {
        ClipboardGuard::new()
    }
}

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Sets the text with the platform's "do not keep in history" hint, which
/// clipboard managers (Klipper, Windows clipboard history, macOS managers)
/// honour for passwords.
fn set_text(board: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    #[cfg(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    ))]
    {
        use arboard::SetExtLinux;
        board.set().exclude_from_history().text(text)
    }
    #[cfg(target_os = "windows")]
    {
        use arboard::SetExtWindows;
        board.set().exclude_from_history().text(text)
    }
    #[cfg(target_os = "macos")]
    {
        use arboard::SetExtApple;
        board.set().exclude_from_history().text(text)
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly",
        target_os = "windows",
        target_os = "macos"
    )))]
    {
        board.set_text(text)
    }
}
