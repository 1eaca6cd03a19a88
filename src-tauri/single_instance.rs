//! One app per vault: launching Tessera again on a vault it already has
//! open raises that window and exits, rather than opening a second window
//! on the same file. The key is the vault, not the app's identifier (as a
//! D-Bus name would be), so apps on different vaults (the end-to-end tests'
//! parallel apps among them) each keep their own window.
//!
//! The first app holds a lock on a file named from a hash of the vault's
//! canonical path, in a folder only the user can enter
//! (`$XDG_RUNTIME_DIR/tessera`, else the configuration folder), and listens
//! on a Unix socket beside it. A later launch finds the lock taken,
//! connects, sends one line (`show`, or `quick-pick` for a launch with
//! `--quick-pick`) and exits 0 once the first app answers `shown`. The
//! lock, not the socket, says whether an app runs: the kernel drops it
//! with the process however it ends, so a killed app's socket is replaced
//! by exactly one later launch, where two launches that both found a dead
//! socket could once each remove the other's and both stay.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustix::fs::{flock, FlockOperation};
use rustix::io::Errno;
use tauri::{AppHandle, Manager, Runtime};

/// The launch argument that asks for the quick pick rather than the main
/// window: what a key bound in the desktop's own shortcut settings runs,
/// where Tessera cannot bind one itself (GNOME on Wayland, for one).
pub const QUICK_PICK_ARG: &str = "--quick-pick";

/// What a later launch asks of the first app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Show the main window.
    Show,
    /// Open the quick pick.
    QuickPick,
}

impl Request {
    /// What this process's own launch asks for.
    pub fn of_this_launch() -> Request {
        if std::env::args_os().skip(1).any(|a| a == QUICK_PICK_ARG) {
            Request::QuickPick
        } else {
            Request::Show
        }
    }

    /// The line sent for it.
    fn line(self) -> &'static str {
        match self {
            Request::Show => "show",
            Request::QuickPick => "quick-pick",
        }
    }

    /// The request a line names, if any.
    fn read(line: &str) -> Option<Request> {
        [Request::Show, Request::QuickPick]
            .into_iter()
            .find(|r| r.line() == line)
    }
}

/// The first app's answer once it has asked for its window to be shown.
const SHOWN: &str = "shown";
/// How long a launch waits for the first app's answer: showing a window
/// takes a turn of its event loop, which a busy 2-core machine can delay.
const ANSWER_WAIT: Duration = Duration::from_secs(10);
/// How often a launch tries again when the app holding the lock has not
/// bound its socket yet, or is on its way out (it accepted but closed
/// without answering, or removed its socket and is about to let go).
const ATTEMPTS: u32 = 50;
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// The outcome of [`claim`].
pub enum Claim {
    /// This process is the vault's app: requests wait on the listener.
    First(Instance),
    /// Another process is the vault's app and has shown its window.
    Raised,
}

/// The socket this process answers on, taken by [`claim`].
pub struct Instance {
    listener: UnixListener,
    owner: Owner,
}

/// What [`Instance::serve`] hands back: removes the socket and lets go of
/// the lock as the app exits, so a launch from then on starts a new app
/// instead of waiting on one that is going away.
#[derive(Clone)]
pub struct Owner {
    path: PathBuf,
    /// The socket file's inode, so that a socket another app has since
    /// put at the same path is never removed.
    inode: u64,
    closing: Arc<AtomicBool>,
    /// The vault's lock, held from [`claim`] until [`Owner::release`] (or
    /// the process's end, whichever comes first).
    lock: Arc<File>,
}

/// Becomes the app of the vault this launch opens, or shows the app that
/// already has it and exits 0. Where there is no telling (no vault path,
/// no folder for the socket, an app that does not answer) it says so and
/// goes on as an app of its own.
pub fn start_or_exit() -> Option<Instance> {
    let vault = tessera_vault::default_vault_path()?;
    match claim(&vault, Request::of_this_launch()) {
        Ok(Claim::First(instance)) => Some(instance),
        Ok(Claim::Raised) => std::process::exit(0),
        Err(error) => {
            eprintln!("tessera: cannot tell whether Tessera already runs on this vault: {error}");
            None
        }
    }
}

/// Becomes the app of `vault`, or asks the app that already is for
/// `request`. Errors when the socket's folder cannot be made or the app
/// holding the socket does not answer.
pub fn claim(vault: &Path, request: Request) -> std::io::Result<Claim> {
    let folder = socket_folder()
        .ok_or_else(|| std::io::Error::other("no runtime or configuration folder"))?;
    tessera_core::files::create_private_dir_all(&folder).map_err(std::io::Error::other)?;
    claim_at(&folder.join(socket_name(vault)), request)
}

fn claim_at(path: &Path, request: Request) -> std::io::Result<Claim> {
    let lock = open_lock(&lock_path(path))?;
    for _ in 0..ATTEMPTS {
        match try_lock(&lock) {
            Ok(true) => return bind(path, lock).map(Claim::First),
            Ok(false) => match UnixStream::connect(path) {
                Ok(stream) => {
                    if ask(stream, request)? {
                        return Ok(Claim::Raised);
                    }
                    // Accepted and closed without answering: that app is
                    // exiting and lets go of the lock as it does.
                }
                // The app holding the lock is binding its socket, or has
                // removed it on its way out.
                Err(err)
                    if matches!(
                        err.kind(),
                        ErrorKind::NotFound | ErrorKind::ConnectionRefused
                    ) => {}
                Err(err) => return Err(err),
            },
            Err(err) => return Err(err),
        }
        std::thread::sleep(RETRY_PAUSE);
    }
    Err(std::io::Error::other(format!(
        "another Tessera holds {} but does not answer",
        path.display()
    )))
}

/// The lock file beside the socket `path`.
fn lock_path(socket: &Path) -> PathBuf {
    socket.with_extension("lock")
}

/// Takes the lock if no other open of the file holds it: true when taken.
fn try_lock(lock: &File) -> std::io::Result<bool> {
    match flock(lock, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(Errno::WOULDBLOCK) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Opens (making it if need be) the lock file, readable only by the user.
/// It is never removed: removing a lock file lets two processes each lock
/// a file of their own at the same path.
fn open_lock(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

/// Sends `request` and waits for the answer: true once it is `shown`,
/// false when the app closed the connection without one.
fn ask(mut stream: UnixStream, request: Request) -> std::io::Result<bool> {
    stream.set_read_timeout(Some(ANSWER_WAIT))?;
    stream.set_write_timeout(Some(ANSWER_WAIT))?;
    if let Err(err) = stream.write_all(format!("{}\n", request.line()).as_bytes()) {
        return match err.kind() {
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset => Ok(false),
            _ => Err(err),
        };
    }
    match read_line(&stream) {
        Ok(answer) => Ok(answer == SHOWN),
        Err(err) if err.kind() == ErrorKind::ConnectionReset => Ok(false),
        Err(err) => Err(err),
    }
}

/// One short line (at most 64 bytes), without its newline.
fn read_line(stream: &UnixStream) -> std::io::Result<String> {
    let mut line = String::new();
    BufReader::new(stream.take(64)).read_line(&mut line)?;
    Ok(line.trim_end().to_owned())
}

/// Binds the socket, with the vault's lock held: whatever socket is there
/// was left by an app that has gone (its lock went with it).
fn bind(path: &Path, lock: File) -> std::io::Result<Instance> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let listener = UnixListener::bind(path)?;
    let inode = std::fs::symlink_metadata(path)?.ino();
    Ok(Instance {
        listener,
        owner: Owner {
            path: path.to_owned(),
            inode,
            closing: Arc::new(AtomicBool::new(false)),
            lock: Arc::new(lock),
        },
    })
}

impl Instance {
    /// Answers later launches on a thread of its own: each request runs
    /// `answer` and is answered `shown`.
    pub fn serve(self, answer: impl Fn(Request) + Send + 'static) -> Owner {
        let owner = self.owner.clone();
        let closing = Arc::clone(&self.owner.closing);
        std::thread::spawn(move || {
            for stream in self.listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                // A silent client must not hold up the next launch.
                if stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .is_err()
                {
                    continue;
                }
                let request = read_line(&stream).ok().and_then(|l| Request::read(&l));
                if let Some(request) = request.filter(|_| !closing.load(Ordering::SeqCst)) {
                    answer(request);
                    let _ = stream.write_all(format!("{SHOWN}\n").as_bytes());
                }
            }
        });
        owner
    }
}

impl Owner {
    /// Stops answering, removes the socket if it is still this app's, and
    /// lets go of the lock, so the next launch starts an app of its own.
    pub fn release(&self) {
        self.closing.store(true, Ordering::SeqCst);
        let ours = std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.ino() == self.inode);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
        // Unlocking what another open of the file locked is not possible:
        // a second release after another app took over leaves it be.
        let _ = flock(&*self.lock, FlockOperation::Unlock);
    }
}

/// Shows, un-minimises and focuses the main window, from any thread;
/// returns once the window has been asked to (the event loop does it).
pub fn raise<R: Runtime>(app: &AppHandle<R>) {
    let (done, wait) = std::sync::mpsc::channel();
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        if let Some(window) = handle.get_webview_window("main") {
            let _ = window.show();
            let _ = window.unminimize();
            let _ = window.set_focus();
        }
        let _ = done.send(());
    });
    if queued.is_ok() {
        let _ = wait.recv_timeout(ANSWER_WAIT);
    }
}

/// `$XDG_RUNTIME_DIR/tessera` (private to the user and emptied at logout),
/// else `run` in Tessera's configuration folder.
fn socket_folder() -> Option<PathBuf> {
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(runtime) if runtime.is_absolute() => Some(runtime.join("tessera")),
        _ => tessera_core::machine_folder().map(|folder| folder.join("run")),
    }
}

/// The socket's file name for `vault`: a hash of its canonical path, so
/// every spelling of one vault (relative, through a link) meets at one
/// socket, and the name stays short whatever the path's length.
fn socket_name(vault: &Path) -> String {
    let canonical = canonical(vault);
    format!(
        "instance-{:016x}.sock",
        fnv1a64(canonical.as_os_str().as_encoded_bytes())
    )
}

/// The vault's canonical path; for a vault not created yet, its folder's
/// canonical path joined with its name (or the absolute path as given).
fn canonical(vault: &Path) -> PathBuf {
    if let Ok(path) = vault.canonicalize() {
        return path;
    }
    let absolute = std::path::absolute(vault).unwrap_or_else(|_| vault.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(folder), Some(name)) => folder
            .canonicalize()
            .map_or_else(|_| absolute.clone(), |folder| folder.join(name)),
        _ => absolute,
    }
}

/// 64-bit FNV-1a: stable across Rust releases (unlike `DefaultHasher`),
/// which a name another build of the app must find again needs.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(claim: std::io::Result<Claim>) -> Instance {
        match claim.expect("a claim") {
            Claim::First(instance) => instance,
            Claim::Raised => panic!("expected to be the first app"),
        }
    }

    #[test]
    fn a_second_claim_asks_the_first_to_show_and_gets_its_answer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        let (shown, seen) = std::sync::mpsc::channel();
        let _owner = first(claim_at(&path, Request::Show)).serve(move |_| shown.send(()).unwrap());
        assert!(matches!(
            claim_at(&path, Request::Show).unwrap(),
            Claim::Raised
        ));
        seen.recv_timeout(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn a_quick_pick_launch_asks_the_first_app_for_the_quick_pick() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        let (asked, seen) = std::sync::mpsc::channel();
        let _owner = first(claim_at(&path, Request::Show)).serve(move |r| asked.send(r).unwrap());
        assert!(matches!(
            claim_at(&path, Request::QuickPick).unwrap(),
            Claim::Raised
        ));
        assert_eq!(
            seen.recv_timeout(Duration::from_secs(5)).unwrap(),
            Request::QuickPick
        );
        assert!(matches!(
            claim_at(&path, Request::Show).unwrap(),
            Claim::Raised
        ));
        assert_eq!(
            seen.recv_timeout(Duration::from_secs(5)).unwrap(),
            Request::Show
        );
        assert_eq!(Request::read("open the door"), None);
    }

    #[test]
    fn a_socket_nobody_listens_on_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        // A killed app leaves its socket file behind (its lock goes).
        drop(UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        let _instance = first(claim_at(&path, Request::Show));
    }

    /// Regression: two launches that both found a killed app's socket
    /// each removed it and bound their own, one after the other, and both
    /// became the vault's app (two windows on one vault). The window is
    /// narrow: the old code made two apps within a few rounds of this.
    #[test]
    fn launches_racing_for_a_killed_apps_socket_make_one_app() {
        const LAUNCHES: usize = 16;
        const ROUNDS: usize = 50;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        for round in 0..ROUNDS {
            drop(UnixListener::bind(&path).unwrap());
            let start = Arc::new(std::sync::Barrier::new(LAUNCHES));
            let launches: Vec<_> = (0..LAUNCHES)
                .map(|_| {
                    let (path, start) = (path.clone(), Arc::clone(&start));
                    std::thread::spawn(move || {
                        start.wait();
                        match claim_at(&path, Request::Show).expect("a claim") {
                            Claim::First(instance) => Some(instance.serve(|_| {})),
                            Claim::Raised => None,
                        }
                    })
                })
                .collect();
            let apps: Vec<Owner> = launches
                .into_iter()
                .filter_map(|launch| launch.join().unwrap())
                .collect();
            assert_eq!(apps.len(), 1, "round {round}: {} apps", apps.len());
            // The app is killed: its lock goes, and a socket that refuses
            // every connection is left in place of its own.
            let killed = &apps[0];
            let _ = flock(&*killed.lock, FlockOperation::Unlock);
            std::fs::remove_file(&path).unwrap();
        }
    }

    #[test]
    fn a_launch_waits_for_the_lock_holder_to_bind_its_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        // The first app has its lock but no socket yet.
        let lock = open_lock(&lock_path(&path)).unwrap();
        assert!(try_lock(&lock).unwrap());
        let (shown, seen) = std::sync::mpsc::channel();
        let binding = std::thread::spawn({
            let path = path.clone();
            move || {
                std::thread::sleep(RETRY_PAUSE * 3);
                bind(&path, lock)
                    .unwrap()
                    .serve(move |_| shown.send(()).unwrap())
            }
        });
        assert!(matches!(
            claim_at(&path, Request::Show).unwrap(),
            Claim::Raised
        ));
        seen.recv_timeout(Duration::from_secs(5)).unwrap();
        drop(binding.join().unwrap());
    }

    #[test]
    fn a_released_app_no_longer_answers_and_its_socket_goes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        let owner = first(claim_at(&path, Request::Show)).serve(|_| panic!("shown after release"));
        owner.release();
        assert!(!path.exists());
        let _instance = first(claim_at(&path, Request::Show));
    }

    #[test]
    fn release_leaves_the_socket_and_lock_another_app_took_since() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        let owner = first(claim_at(&path, Request::Show)).serve(|_| {});
        owner.release();
        let other = first(claim_at(&path, Request::Show)).serve(|_| {});
        // The exit path may release more than once.
        owner.release();
        assert!(path.exists());
        assert!(matches!(
            claim_at(&path, Request::Show).unwrap(),
            Claim::Raised
        ));
        other.release();
    }

    #[test]
    fn one_vault_spelled_two_ways_has_one_socket_and_two_vaults_two() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("v.tessera");
        let spelled = dir.path().join(".").join("v.tessera");
        assert_eq!(socket_name(&vault), socket_name(&spelled));
        assert_ne!(
            socket_name(&vault),
            socket_name(&dir.path().join("w.tessera"))
        );
        std::fs::write(&vault, b"x").unwrap();
        assert_eq!(socket_name(&vault), socket_name(&spelled));
    }

    #[test]
    fn fnv1a64_matches_its_published_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
