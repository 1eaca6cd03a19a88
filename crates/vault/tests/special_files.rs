//! Vault paths that are not plain files: named pipes and devices given by
//! mistake (or by a hostile script), and symbolic links, which are a common
//! way to keep the vault in a synced folder.

#![cfg(unix)]

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use tessera_vault::{
    inspect, Contents, CreateOptions, KdfParams, Password, UnlockedVault, VaultError,
};

fn password() -> Password {
    Password::from("special files")
}

fn create(path: &Path) -> UnlockedVault {
    let password = password();
    let options = CreateOptions {
        password: Some(&password),
        kdf: KdfParams::insecure_for_tests(),
        keyring: None,
    };
    UnlockedVault::create(path, options, Contents::default(), 1_700_000_000).unwrap()
}

/// Runs `open` on its own thread and fails the test if it does not return
/// within five seconds (a blocked open never would).
fn within_five_seconds(path: &Path) -> Result<UnlockedVault, VaultError> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(UnlockedVault::open_with_password(&path, &password()));
    });
    rx.recv_timeout(Duration::from_secs(5))
        .expect("opening did not return: it blocked")
}

/// Regression (issue 21, special files): a named pipe as `--vault` blocked
/// forever, and `/dev/zero` was read up to 256 MiB before it was refused.
/// Both are refused at once, before anything is read.
#[test]
fn regression_a_fifo_or_a_device_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let error = within_five_seconds(&fifo).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("not a regular file (a named pipe)"),
        "{error}"
    );
    let error = within_five_seconds(Path::new("/dev/zero")).unwrap_err();
    assert!(
        error.to_string().contains("not a regular file (a device)"),
        "{error}"
    );
    assert!(inspect("/dev/urandom").is_err());
}

/// Regression (issue 21, symbolic links): the first save through a link
/// replaced the link with a regular file, the target went stale, and each
/// got a lock file. Saves now go to the real file, beside which the one
/// lock lives; the link stays a link.
#[test]
fn regression_a_symlinked_vault_stays_a_link_and_its_target_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let synced = dir.path().join("synced");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&synced).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let target = synced.join("vault.tessera");
    let link = home.join("vault.tessera");
    drop(create(&target));
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let mut vault = UnlockedVault::open_with_password(&link, &password()).unwrap();
    vault
        .update(1_700_000_100, |contents| {
            contents.settings.extra.insert("seen".into(), true.into());
            Ok::<_, VaultError>(())
        })
        .unwrap();
    drop(vault);

    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    let through_target = UnlockedVault::open_with_password(&target, &password()).unwrap();
    assert_eq!(through_target.contents().settings.extra["seen"], true);
    assert!(synced.join("vault.tessera.lock").exists());
    assert!(!home.join("vault.tessera.lock").exists(), "no second lock");
    assert!(
        !home.join("vault.tessera.1").exists(),
        "backups beside the target"
    );
}
