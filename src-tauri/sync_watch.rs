//! Syncing while the vault is open, without the user pressing anything:
//! a thread that calls back when another machine's file in the sync
//! folder changes (inotify through `notify`, debounced, so a sync tool
//! writing a file in pieces gives one sync), every few minutes (for
//! folders where no change is ever announced, such as some network
//! shares), and once at the start. The callback, which the command gives
//! it, does the syncing: this module knows nothing of the vault.
//!
//! This machine's own writes (its device file, and the temporary file it
//! is written through) and reads (sync opens every file) are not changes:
//! reacting to them would sync forever.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// Quiet time after a change before syncing: a sync tool writes a file
/// through a temporary one and a rename, and several machines' files may
/// arrive together.
pub const DEBOUNCE: Duration = Duration::from_secs(1);

/// The longest a stream of changes can put a sync off.
const MAX_DELAY: Duration = Duration::from_secs(5);

/// How often the folder is synced when nothing is announced.
pub const PERIOD: Duration = Duration::from_secs(5 * 60);

/// What the thread does when the folder changed or the period passed.
/// Called on the watcher's thread, never while [`SyncWatch::stop`] waits
/// with the slot held by the same thread.
pub type OnSync = Box<dyn FnMut() + Send>;

/// What reaches the thread.
enum Signal {
    /// Another machine's file changed.
    Changed,
    /// Stop.
    Stop,
}

/// A running watch.
struct Running {
    stop: Sender<Signal>,
    thread: JoinHandle<()>,
    /// Dropping it ends the inotify watch (none where it could not start:
    /// the period still syncs).
    watcher: Option<RecommendedWatcher>,
}

/// The app's one watch of the sync folder, while sync is on and the vault
/// unlocked.
#[derive(Default)]
pub struct SyncWatch {
    running: Mutex<Option<Running>>,
}

impl SyncWatch {
    fn slot(&self) -> MutexGuard<'_, Option<Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Watches `folder` (this vault's folder inside the sync folder), in
    /// which `own_device` names this machine's file, calling `on_sync` at
    /// once, after changes and every [`PERIOD`]. A watch already running
    /// is stopped first. Returns why changes cannot be watched, if they
    /// cannot (the period syncs all the same). Never called while holding
    /// the session: the callback may be waiting for it.
    pub fn start(&self, folder: &Path, own_device: &str, on_sync: OnSync) -> Option<String> {
        let mut slot = self.slot();
        if let Some(old) = slot.take() {
            end(old);
        }
        let (signals, received) = mpsc::channel();
        let own = own_device.to_owned();
        let changes = signals.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            if event.is_ok_and(|event| is_change(&event, &own)) {
                let _ = changes.send(Signal::Changed);
            }
        })
        .and_then(|mut watcher| {
            watcher.watch(folder, RecursiveMode::NonRecursive)?;
            Ok(watcher)
        });
        let (watcher, problem) = match watcher {
            Ok(watcher) => (Some(watcher), None),
            Err(error) => (
                None,
                Some(format!(
                    "changes in {} cannot be watched ({error}); syncing every {} minutes",
                    folder.display(),
                    PERIOD.as_secs() / 60
                )),
            ),
        };
        let thread = std::thread::Builder::new()
            .name("tessera-sync".into())
            .spawn(move || run(&received, on_sync));
        match thread {
            Ok(thread) => {
                *slot = Some(Running {
                    stop: signals,
                    thread,
                    watcher,
                });
                problem
            }
            Err(error) => Some(format!(
                "syncing in the background could not start: {error}"
            )),
        }
    }

    /// Stops the watch, if one runs, and waits for a sync under way to
    /// end. Never called while holding the session (that sync may be
    /// waiting for it).
    pub fn stop(&self) {
        let mut slot = self.slot();
        if let Some(running) = slot.take() {
            end(running);
        }
    }

    /// Whether a watch runs.
    #[cfg(test)]
    pub fn is_running(&self) -> bool {
        self.slot().is_some()
    }
}

/// Ends a watch: no more events, and the thread is gone when this returns.
fn end(running: Running) {
    drop(running.watcher);
    let _ = running.stop.send(Signal::Stop);
    // A thread that panicked has ended all the same.
    let _ = running.thread.join();
}

/// The thread: a sync once the start has settled ([`DEBOUNCE`]), then
/// after each quiet spell following changes, and every [`PERIOD`].
fn run(signals: &mpsc::Receiver<Signal>, mut on_sync: OnSync) {
    let started = Instant::now();
    let mut periodic = started + PERIOD;
    // The first change not synced yet, and the latest one.
    let mut pending: Option<(Instant, Instant)> = Some((started, started));
    loop {
        let due = match pending {
            Some((first, latest)) => (latest + DEBOUNCE).min(first + MAX_DELAY).min(periodic),
            None => periodic,
        };
        match signals.recv_timeout(due.saturating_duration_since(Instant::now())) {
            Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Signal::Changed) => {
                let now = Instant::now();
                pending = Some(pending.map_or((now, now), |(first, _)| (first, now)));
            }
            Err(RecvTimeoutError::Timeout) => {
                on_sync();
                pending = None;
                periodic = Instant::now() + PERIOD;
            }
        }
    }
}

/// Whether `event` is another machine's file changing: created, written,
/// renamed or removed, and not this machine's own file or the temporary
/// file it is written through. Reads (sync opens every file) are not.
fn is_change(event: &Event, own_device: &str) -> bool {
    let written = matches!(
        event.kind,
        EventKind::Create(_)
            | EventKind::Modify(_)
            | EventKind::Remove(_)
            | EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Any
    );
    written && event.paths.iter().any(|path| !is_own(path, own_device))
}

/// This machine's device file, or the temporary file it is written through
/// (`<device>.tmp-<pid>`).
fn is_own(path: &Path, own_device: &str) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    // `<device>.tessera`: the layout of docs/sync.md.
    name.strip_prefix(own_device)
        .is_some_and(|rest| rest == ".tessera" || rest.starts_with(".tmp-"))
}

/// This vault's folder inside the sync folder `dir`, where every device
/// writes its file.
pub fn vault_folder(dir: &Path, vault_id: &str) -> PathBuf {
    dir.join(tessera_core::sync::SYNC_FOLDER).join(vault_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind, RenameMode};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn event(kind: EventKind, name: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from("/sync/tessera-sync/v").join(name))
    }

    #[test]
    fn only_other_machines_writes_are_changes() {
        let own = "00aa11bb22cc33dd";
        let create = EventKind::Create(CreateKind::File);
        assert!(is_change(&event(create, "ffee.tessera"), own));
        assert!(is_change(
            &event(
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                "ffee.tessera"
            ),
            own
        ));
        assert!(
            is_change(
                &event(create, "00aa11bb22cc33dd.sync-conflict-20261204-1.tessera"),
                own
            ),
            "a conflict copy of this machine's file is another's"
        );
        assert!(!is_change(&event(create, "00aa11bb22cc33dd.tessera"), own));
        assert!(!is_change(&event(create, "00aa11bb22cc33dd.tmp-4242"), own));
        assert!(
            !is_change(
                &event(
                    EventKind::Access(AccessKind::Open(AccessMode::Read)),
                    "ffee.tessera"
                ),
                own
            ),
            "reading is not changing"
        );
    }

    /// Waits up to five seconds for `count` to reach `at_least`.
    fn reaches(count: &AtomicUsize, at_least: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if count.load(Ordering::SeqCst) >= at_least {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn a_burst_of_changes_gives_one_sync_and_own_writes_none() {
        let dir = tempfile::tempdir().unwrap();
        let own = "00aa11bb22cc33dd";
        let syncs = Arc::new(AtomicUsize::new(0));
        let watch = SyncWatch::default();
        let counter = Arc::clone(&syncs);
        let problem = watch.start(
            dir.path(),
            own,
            Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
            }),
        );
        assert_eq!(problem, None);
        assert!(reaches(&syncs, 1), "a sync at the start");
        std::fs::write(dir.path().join(format!("{own}.tessera")), "mine").unwrap();
        std::fs::write(dir.path().join(format!("{own}.tmp-1")), "mine").unwrap();
        std::thread::sleep(DEBOUNCE * 2);
        assert_eq!(syncs.load(Ordering::SeqCst), 1, "own writes are no change");
        for n in 0..5 {
            std::fs::write(dir.path().join("ffee.tessera"), format!("theirs {n}")).unwrap();
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(reaches(&syncs, 2), "the other machine's file syncs");
        std::thread::sleep(DEBOUNCE * 2);
        assert_eq!(syncs.load(Ordering::SeqCst), 2, "one sync for the burst");
        watch.stop();
        assert!(!watch.is_running());
        std::fs::write(dir.path().join("ffee.tessera"), "after").unwrap();
        std::thread::sleep(DEBOUNCE * 2);
        assert_eq!(syncs.load(Ordering::SeqCst), 2, "stopped");
    }

    #[test]
    fn a_folder_that_cannot_be_watched_still_syncs_on_the_period() {
        let dir = tempfile::tempdir().unwrap();
        let watch = SyncWatch::default();
        let problem = watch.start(&dir.path().join("missing"), "aa", Box::new(|| {}));
        assert!(problem.is_some_and(|p| p.contains("every 5 minutes")));
        assert!(watch.is_running());
        watch.stop();
    }
}
