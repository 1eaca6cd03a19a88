//! Crash safety: a child process saves in a loop and is SIGKILLed at random
//! moments, hundreds of times; after every kill the vault opens and holds a
//! complete version (the one before or after the interrupted save).
//!
//! The child is this test binary itself, re-run with an environment
//! variable that selects the child role.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tessera_otp::{Enrollment, OtpParams, Secret};
use tessera_vault::{
    list_backups, Account, Contents, CreateOptions, KdfParams, Password, UnlockedVault, VaultError,
};

const CHILD_ENV: &str = "TESSERA_CRASH_CHILD_VAULT";
const KILLS: usize = 300;
const READY: &str = "child: saving from now on";

fn password() -> Password {
    Password::from("crash")
}

/// The state written for generation `n`: the counter in the settings and
/// `n % 7` accounts all named after `n`, so a mix of two versions shows.
fn write_generation(contents: &mut Contents, n: u64) {
    contents.settings.extra.insert("counter".into(), n.into());
    contents.accounts.clear();
    for i in 0..n % 7 {
        contents.accounts.push(
            Account::new(
                Enrollment {
                    issuer: format!("gen-{n}"),
                    name: format!("gen-{n}-{i}"),
                    secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                    params: OtpParams::totp(),
                },
                n,
            )
            .unwrap(),
        );
    }
}

/// Checks that `contents` is one whole generation; returns its number.
fn check_generation(contents: &Contents) -> u64 {
    let n = contents.settings.extra["counter"].as_u64().unwrap();
    assert_eq!(
        contents.accounts.len() as u64,
        n % 7,
        "generation {n} incomplete"
    );
    for (i, a) in contents.accounts.iter().enumerate() {
        assert_eq!(
            a.enrollment.name,
            format!("gen-{n}-{i}"),
            "generation {n} mixed"
        );
    }
    n
}

/// Child role: save forever, one generation after the other.
#[test]
fn child_writer() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut vault = UnlockedVault::open_with_password(PathBuf::from(path), &password()).unwrap();
    // Tells the parent that the saves begin now.
    println!("{READY}");
    std::io::stdout().flush().unwrap();
    loop {
        vault
            .update(0, |c| {
                let n = c.settings.extra["counter"].as_u64().unwrap() + 1;
                write_generation(c, n);
                Ok::<_, VaultError>(())
            })
            .unwrap();
    }
}

/// A small xorshift generator; the seed is printed so a failure can be
/// replayed by hand.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp-")
        })
        .count()
}

#[test]
fn sigkill_during_saves_never_loses_the_vault() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tessera-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("vault.tessera");
    let mut contents = Contents::default();
    write_generation(&mut contents, 0);
    UnlockedVault::create(
        &path,
        CreateOptions {
            password: Some(&password()),
            kdf: KdfParams::insecure_for_tests(),
            keyring: None,
        },
        contents,
        0,
    )
    .unwrap();

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let exe = std::env::current_exe().unwrap();
    let mut last = 0;
    let mut advanced = 0;
    let start = Instant::now();
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_writer", "--test-threads=1", "--nocapture"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child has opened the vault, so that the kill lands
        // somewhere in its save loop (a save takes a few ms). Bounded, so a
        // child that never gets going fails the test instead of hanging it.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let ready = BufReader::new(stdout)
                .lines()
                .any(|l| l.is_ok_and(|l| l.contains(READY)));
            let _ = tx.send(ready);
        });
        if rx.recv_timeout(Duration::from_secs(60)) != Ok(true) {
            let _ = child.kill();
            panic!("kill {kill}: the child did not start saving");
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 20_000));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "kill {kill}: the child ended by itself: {status}"
        );

        let vault = UnlockedVault::open_with_password(&path, &password())
            .unwrap_or_else(|e| panic!("kill {kill} (seed {seed}): {e}"));
        let n = check_generation(vault.contents());
        assert!(n >= last, "kill {kill}: went back from {last} to {n}");
        if n > last {
            advanced += 1;
        }
        last = n;
        // Every backup is a whole vault too.
        for b in list_backups(&path) {
            let old = UnlockedVault::open_with_password(&b, &password())
                .unwrap_or_else(|e| panic!("kill {kill}: backup: {e}"));
            assert!(check_generation(old.contents()) <= n);
        }
        // At most the one temporary file of the interrupted save is left
        // (the next save removes it).
        assert!(
            temp_files(&dir) <= 1,
            "kill {kill}: temporary files pile up"
        );
    }
    println!(
        "{KILLS} kills in {:?}; {last} generations saved, progress after {advanced} kills",
        start.elapsed()
    );
    assert!(advanced > KILLS / 10, "too few kills landed after a save");
    std::fs::remove_dir_all(&dir).unwrap();
}
