//! What the app holds between commands: where the vault is, the vault while
//! it is unlocked (with what scans and imports found, waiting to be
//! picked), the clipboard it writes codes to, the webcam scan, and the
//! watch of the sync folder.
//!
//! Locking is dropping the [`Session`]: `UnlockedVault` wipes its master key
//! when dropped, and the HOTP codes generated in the session go with it. A
//! running webcam scan is stopped (and the camera released) first, and so
//! is syncing in the background.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tauri::{AppHandle, Manager, Runtime};
use tessera_core::inbox::Inbox;
use tessera_core::{CoreError, Vault};
use tessera_otp::{Code, Zeroizing};
use tessera_vault::{AccountId, Contents};

use crate::camera::CameraSlot;
use crate::clipboard::ClipboardGuard;
use crate::error::{CommandError, CommandResult};
use crate::sync_watch::SyncWatch;
use crate::views::LockReason;

/// How often the codes tick looks at the vault file for changes made by the
/// CLI (or another app instance): often enough that an account added in a
/// terminal shows up while the user looks, rarely enough to cost nothing.
const RELOAD_CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// The app's state, managed by Tauri and shared by every command.
pub struct AppState {
    /// The vault file, or why it cannot be known.
    vault_path: Result<PathBuf, String>,
    /// The unlocked vault, if any.
    session: Mutex<Option<Session>>,
    /// The clipboard, owned by Rust so codes are cleared after the delay.
    pub clipboard: ClipboardGuard,
    /// Why Rust locked the vault by itself, until it is unlocked again, so
    /// the UI can say why it asks for the password.
    lock_reason: Mutex<Option<LockReason>>,
    /// Held while the keyring is asked for the vault's key, so the unlock
    /// started with the app and one the UI asks for never run twice.
    pub keyring_gate: Mutex<()>,
    /// The webcam scan, if one runs; locking stops it.
    pub camera: CameraSlot,
    /// The watch of the sync folder while sync is on and the vault open;
    /// locking stops it.
    pub sync_watch: SyncWatch,
}

/// An unlocked vault and what belongs to it until it is locked.
pub struct Session {
    /// The open vault (holds the master key).
    pub vault: Vault,
    /// The last HOTP code generated for each account in this session, so
    /// copying puts exactly the code shown on the clipboard without spending
    /// another counter value.
    pub hotp_codes: HashMap<AccountId, Code>,
    /// Bumped whenever the contents may have changed, so the UI knows when
    /// to fetch the account list again.
    pub revision: u64,
    /// When the user last did something in the window (the UI reports it).
    pub last_activity: Instant,
    /// What scans and imports found and the user has not added yet (holds
    /// secrets, so it lives and dies with the session).
    pub inbox: Inbox,
    /// A file to import, waiting for its password.
    pub import_file: Option<Zeroizing<Vec<u8>>>,
    /// Why the last sync failed (in the background too), until one works.
    pub sync_problem: Option<String>,
    /// The screen capture a region is picked from and what the clipboard
    /// watch saw (either may show secrets).
    pub scan: crate::commands::scan::ScanSession,
    /// Size and modification time of the file when last read or written.
    file_stamp: Option<FileStamp>,
    /// When the file was last looked at.
    last_check: Instant,
}

/// Enough of a file's metadata to tell that it was replaced: saves are an
/// atomic rename, which changes the modification time (and usually size).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(FileStamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

impl Session {
    /// A session for a vault that was just opened or created.
    pub fn new(vault: Vault) -> Session {
        let file_stamp = stamp(vault.path());
        Session {
            vault,
            hotp_codes: HashMap::new(),
            revision: 1,
            last_activity: Instant::now(),
            inbox: Inbox::new(),
            import_file: None,
            sync_problem: None,
            scan: Default::default(),
            file_stamp,
            last_check: Instant::now(),
        }
    }

    /// Runs a change of the core's on the vault and records it (even a
    /// failed change may have re-read newer contents).
    pub fn change<T>(
        &mut self,
        change: impl FnOnce(&mut Vault) -> Result<T, CoreError>,
    ) -> CommandResult<T> {
        let result = change(&mut self.vault);
        self.changed();
        Ok(result?)
    }

    /// The vault's contents.
    pub fn contents(&self) -> &Contents {
        self.vault.contents()
    }

    /// Records a change this app just saved.
    pub fn changed(&mut self) {
        self.revision += 1;
        self.file_stamp = stamp(self.vault.path());
    }

    /// Re-reads the vault if another process changed the file since it was
    /// last read, looking at most every [`RELOAD_CHECK_INTERVAL`] unless
    /// `force`. A file that no longer opens keeps the contents as they were
    /// (the next save reports the problem); the codes keep ticking.
    pub fn refresh(&mut self, force: bool) {
        if !force && self.last_check.elapsed() < RELOAD_CHECK_INTERVAL {
            return;
        }
        self.last_check = Instant::now();
        let now = stamp(self.vault.path());
        if now == self.file_stamp {
            return;
        }
        if self.vault.reload().is_ok() {
            self.file_stamp = now;
            self.revision += 1;
        }
    }
}

impl AppState {
    /// The state at start-up: the vault path resolved, nothing unlocked.
    pub fn new() -> AppState {
        AppState {
            vault_path: default_vault_path(),
            session: Mutex::new(None),
            clipboard: ClipboardGuard::new(),
            lock_reason: Mutex::new(None),
            keyring_gate: Mutex::new(()),
            camera: CameraSlot::default(),
            sync_watch: SyncWatch::default(),
        }
    }

    /// The vault file, or a one-line reason it is unknown.
    pub fn vault_path(&self) -> Result<&Path, String> {
        self.vault_path.as_deref().map_err(Clone::clone)
    }

    /// The session slot. A command that panicked while holding it leaves
    /// the data as it was (every change is saved atomically or not at all),
    /// so a poisoned lock is taken over rather than making the app unusable.
    pub fn session(&self) -> MutexGuard<'_, Option<Session>> {
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the unlocked session, or fails as locked.
    pub fn with_session<T>(
        &self,
        f: impl FnOnce(&mut Session) -> CommandResult<T>,
    ) -> CommandResult<T> {
        match self.session().as_mut() {
            Some(session) => f(session),
            None => Err(CommandError::locked()),
        }
    }

    /// Drops the session (wiping the master key) and clears the clipboard
    /// if it still holds a code copied from it. A camera scan stops first
    /// (its find would go into the session, which it may be waiting for),
    /// and so does syncing (a sync may be waiting for the session too).
    /// Typing's portal session ends too: the next code typed asks the
    /// desktop again.
    pub fn lock(&self) {
        self.lock_with(None);
    }

    /// Locks on Rust's own initiative, remembering why (if it was unlocked).
    pub fn lock_because(&self, reason: LockReason) {
        self.lock_with(Some(reason));
    }

    fn lock_with(&self, reason: Option<LockReason>) {
        self.camera.stop();
        self.sync_watch.stop();
        let session = self.session().take();
        if session.is_some() && reason.is_some() {
            *self.reason_slot() = reason;
        }
        drop(session);
        self.clipboard.clear_if_ours();
        crate::autotype::end_session();
    }

    /// Installs a freshly opened vault as the session.
    pub fn open(&self, vault: Vault) {
        *self.reason_slot() = None;
        *self.session() = Some(Session::new(vault));
    }

    /// Why Rust last locked the vault by itself, if it is still locked.
    pub fn lock_reason(&self) -> Option<LockReason> {
        *self.reason_slot()
    }

    fn reason_slot(&self) -> MutexGuard<'_, Option<LockReason>> {
        self.lock_reason
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Locks if the vault has been open without input for longer than its
    /// auto-lock setting. Called periodically from a background task, so the
    /// lock happens even if the webview's timers are asleep.
    pub fn lock_if_idle(&self) {
        let idle_too_long = self.session().as_ref().is_some_and(|s| {
            s.vault
                .preferences()
                .auto_lock_after()
                .is_some_and(|limit| s.last_activity.elapsed() >= limit)
        });
        if idle_too_long {
            self.lock_because(LockReason::Idle);
        }
    }

    /// Locks if the user wants that when the session locks or the machine
    /// sleeps.
    pub fn lock_for_system(&self) {
        let wanted = self
            .session()
            .as_ref()
            .is_some_and(|s| s.vault.preferences().lock_on_system_lock);
        if wanted {
            self.lock_because(LockReason::System);
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// The vault the CLI opens too: `TESSERA_VAULT` if set, else
/// `tessera/vault.tessera` in the OS's data folder (one rule, in
/// tessera-vault, for the app and the CLI).
pub fn default_vault_path() -> Result<PathBuf, String> {
    tessera_vault::default_vault_path().ok_or_else(|| {
        format!(
            "cannot tell where the vault lives (no home or data folder): set {}",
            tessera_vault::VAULT_ENV
        )
    })
}

/// The moment codes are made for, unix seconds: the system clock plus the
/// user's time offset.
pub fn code_seconds(vault: &Vault) -> u64 {
    tessera_core::codes::code_time(&vault.preferences(), system_millis()) / 1000
}

/// The system clock in unix milliseconds (0 if it is before 1970).
pub fn system_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The system clock in unix seconds, for `modified_at` and similar
/// bookkeeping (codes use [`code_seconds`]).
pub fn system_seconds() -> u64 {
    system_millis() / 1000
}

/// Runs blocking work (file I/O, Argon2, the keyring) on Tauri's blocking
/// pool with the app state, so neither the UI thread nor the async workers
/// stall while a vault opens.
pub async fn blocking<R, T, F>(app: AppHandle<R>, f: F) -> CommandResult<T>
where
    R: Runtime,
    T: Send + 'static,
    F: FnOnce(&AppState) -> CommandResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()))
        .await
        .map_err(|e| CommandError::invalid(format!("internal error: {e}")))?
}
