//! Keyring slots against a real Secret Service (gnome-keyring-daemon).
//!
//! These tests need a D-Bus session bus with an unlocked keyring, as
//! `tests/with-desktop.sh` provides. Without one they fail (never pass
//! silently). Each test uses its own vault, so its own entries, and removes
//! them at the end.

use std::path::{Path, PathBuf};
use std::process::Command;

use tessera_otp::{Enrollment, OtpParams, Secret};
use tessera_vault::{
    Account, Contents, CreateOptions, KdfParams, KeyStoreError, OsKeyring, Password, SlotKind,
    UnlockedVault, VaultError, KEYRING_SERVICE,
};

const NOW: u64 = 1_700_000_000;
const CHILD_ENV: &str = "TESSERA_KEYRING_TEST_CHILD";

fn require_session() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(a) if !a.is_empty() => {}
        _ => panic!(
            "the keyring tests need a D-Bus session bus with an unlocked gnome-keyring, and \
             DBUS_SESSION_BUS_ADDRESS is not set: run them under tests/with-desktop.sh (the desktop-session wrapper), e.g. \
             `tests/with-desktop.sh cargo test -p tessera-vault --test keyring`"
        ),
    }
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "tessera-keyring-{tag}-{}-{}",
        std::process::id(),
        NOW
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn options<'a>(
    password: Option<&'a Password>,
    keyring: Option<&'a OsKeyring>,
) -> CreateOptions<'a> {
    CreateOptions {
        password,
        kdf: KdfParams::insecure_for_tests(),
        keyring: keyring.map(|k| k as &dyn tessera_vault::KeyStore),
    }
}

fn account(name: &str) -> Account {
    Account::new(
        Enrollment {
            issuer: "Keyring".into(),
            name: name.into(),
            secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            params: OtpParams::totp(),
        },
        NOW,
    )
    .unwrap()
}

fn keyring_user(vault: &UnlockedVault) -> String {
    vault
        .info()
        .slots
        .iter()
        .find_map(|s| match &s.kind {
            SlotKind::Keyring { user } => Some(user.clone()),
            _ => None,
        })
        .expect("a keyring slot")
}

/// The secret `secret-tool` finds for `user`, or `None` if there is none.
fn secret_tool_lookup(user: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", KEYRING_SERVICE, "username", user])
        .output()
        .expect("secret-tool runs (apt-get install libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// True if `secret-tool search service tessera` lists an entry for `user`
/// (it prints attributes on stderr, label and secret on stdout).
fn secret_tool_search_has(user: &str) -> bool {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", KEYRING_SERVICE])
        .output()
        .expect("secret-tool runs");
    let text = [out.stdout, out.stderr].concat();
    String::from_utf8_lossy(&text).contains(&format!("attribute.username = {user}"))
}

fn secret_tool_clear(user: &str) {
    let status = Command::new("secret-tool")
        .args(["clear", "service", KEYRING_SERVICE, "username", user])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn keyring_slot_round_trip_with_a_real_keyring() {
    require_session();
    let d = tmpdir("round");
    let path = d.join("vault.tessera");
    let password = Password::from("pw");
    let keyring = OsKeyring::new();
    let mut vault = UnlockedVault::create(
        &path,
        options(Some(&password), Some(&keyring)),
        Contents::default(),
        NOW,
    )
    .unwrap();
    vault
        .update(NOW, |c| {
            c.accounts.push(account("round"));
            Ok::<_, VaultError>(())
        })
        .unwrap();
    let user = keyring_user(&vault);
    assert!(user.starts_with(&format!("vault-{}-slot-", vault.info().vault_id)));
    assert!(
        secret_tool_search_has(&user),
        "secret-tool search finds {user}"
    );
    let stored = secret_tool_lookup(&user).expect("entry exists");
    assert_eq!(stored.len(), 64, "a 256-bit key in hex");
    assert!(stored.bytes().all(|b| b.is_ascii_hexdigit()));

    let opened = UnlockedVault::open_with_keyring(&path, &keyring).unwrap();
    assert_eq!(opened.contents().accounts[0].enrollment.name, "round");

    // Re-enabling makes a fresh entry and removes the old one.
    vault.enable_keyring(&keyring).unwrap();
    let user2 = keyring_user(&vault);
    assert_ne!(user, user2);
    assert!(secret_tool_lookup(&user).is_none(), "old entry deleted");
    assert!(secret_tool_lookup(&user2).is_some());
    UnlockedVault::open_with_keyring(&path, &keyring).unwrap();

    // Disabling removes the slot, then the entry.
    vault.disable_keyring(&keyring).unwrap();
    assert!(secret_tool_lookup(&user2).is_none());
    assert!(matches!(
        UnlockedVault::open_with_keyring(&path, &keyring),
        Err(VaultError::NoKeyringSlot { .. })
    ));
    UnlockedVault::open_with_password(&path, &password).unwrap();
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn keyring_only_vault_and_last_slot() {
    require_session();
    let d = tmpdir("only");
    let path = d.join("vault.tessera");
    let keyring = OsKeyring::new();
    let mut vault = UnlockedVault::create(
        &path,
        options(None, Some(&keyring)),
        Contents::default(),
        NOW,
    )
    .unwrap();
    let user = keyring_user(&vault);
    assert!(secret_tool_search_has(&user));
    UnlockedVault::open_with_keyring(&path, &keyring).unwrap();
    assert!(matches!(
        UnlockedVault::open_with_password(&path, &Password::from("x")),
        Err(VaultError::NoPasswordSlot { .. })
    ));
    let e = vault.disable_keyring(&keyring).unwrap_err();
    assert!(matches!(e, VaultError::LastSlot { .. }), "{e}");
    assert!(
        secret_tool_lookup(&user).is_some(),
        "refused removal keeps the entry"
    );
    // Add a password, then the keyring slot can go.
    vault
        .set_password(
            &Password::from("later"),
            KdfParams::insecure_for_tests(),
            &keyring,
        )
        .unwrap();
    vault.disable_keyring(&keyring).unwrap();
    assert!(secret_tool_lookup(&user).is_none());
    UnlockedVault::open_with_password(&path, &Password::from("later")).unwrap();
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn entry_deleted_behind_the_vaults_back() {
    require_session();
    let d = tmpdir("deleted");
    let path = d.join("vault.tessera");
    let password = Password::from("pw");
    let keyring = OsKeyring::new();
    let vault = UnlockedVault::create(
        &path,
        options(Some(&password), Some(&keyring)),
        Contents::default(),
        NOW,
    )
    .unwrap();
    let user = keyring_user(&vault);
    let before = std::fs::read(&path).unwrap();
    secret_tool_clear(&user);

    let e = UnlockedVault::open_with_keyring(&path, &keyring).unwrap_err();
    assert!(
        matches!(
            &e,
            VaultError::Keyring {
                source: KeyStoreError::NoEntry { .. },
                ..
            }
        ),
        "{e}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("use the password instead") && msg.contains("vault.tessera"),
        "{msg}"
    );
    // The password opens it; nothing was written to the keyring or file.
    UnlockedVault::open_with_password(&path, &password).unwrap();
    assert!(
        secret_tool_lookup(&user).is_none(),
        "opening must not recreate the entry"
    );
    assert!(!secret_tool_search_has(&user));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    std::fs::remove_dir_all(&d).unwrap();
}

/// Child role of `keyring_unreachable_falls_back_to_password`: runs with
/// D-Bus pointed at a dead socket.
#[test]
fn child_open_with_dead_bus() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(path);
    let e = UnlockedVault::open_with_keyring(&path, &OsKeyring::new()).unwrap_err();
    println!("KEYRING-ERROR: {e}");
    assert!(
        matches!(
            &e,
            VaultError::Keyring {
                source: KeyStoreError::Unavailable { .. },
                ..
            }
        ),
        "{e:?}"
    );
    let v = UnlockedVault::open_with_password(&path, &Password::from("pw")).unwrap();
    assert_eq!(v.contents().accounts.len(), 1);
    // Enabling cannot work either, and must leave the file alone.
    let mut v = v;
    let e = v.enable_keyring(&OsKeyring::new()).unwrap_err();
    assert!(matches!(e, VaultError::KeyringWrite { .. }), "{e:?}");
    println!("CHILD-OK");
}

#[test]
fn keyring_unreachable_falls_back_to_password() {
    require_session();
    let d = tmpdir("dead");
    let path = d.join("vault.tessera");
    let password = Password::from("pw");
    let keyring = OsKeyring::new();
    let mut vault = UnlockedVault::create(
        &path,
        options(Some(&password), Some(&keyring)),
        Contents::default(),
        NOW,
    )
    .unwrap();
    vault
        .update(NOW, |c| {
            c.accounts.push(account("dead"));
            Ok::<_, VaultError>(())
        })
        .unwrap();
    let user = keyring_user(&vault);
    let secret_before = secret_tool_lookup(&user).unwrap();
    let file_before = std::fs::read(&path).unwrap();

    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_open_with_dead_bus",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .env("DBUS_SESSION_BUS_ADDRESS", dead_bus(&d))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("CHILD-OK"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("KEYRING-ERROR: cannot unlock"), "{stdout}");

    // Neither the entry nor the file was touched.
    assert_eq!(
        secret_tool_lookup(&user).as_deref(),
        Some(secret_before.as_str())
    );
    assert_eq!(std::fs::read(&path).unwrap(), file_before);
    UnlockedVault::open_with_keyring(&path, &keyring).unwrap();
    vault.disable_keyring(&keyring).unwrap();
    std::fs::remove_dir_all(&d).unwrap();
}

fn dead_bus(dir: &Path) -> String {
    format!("unix:path={}", dir.join("no-such-bus-socket").display())
}

#[test]
fn a_keyring_that_does_not_answer_is_a_clear_error() {
    require_session();
    let d = tmpdir("slow");
    let path = d.join("vault.tessera");
    let password = Password::from("pw");
    let keyring = OsKeyring::new();
    let vault = UnlockedVault::create(
        &path,
        options(Some(&password), Some(&keyring)),
        Contents::default(),
        NOW,
    )
    .unwrap();
    let user = keyring_user(&vault);
    let before = std::fs::read(&path).unwrap();
    let impatient = OsKeyring::with_timeout(std::time::Duration::ZERO);
    let e = UnlockedVault::open_with_keyring(&path, &impatient).unwrap_err();
    assert!(
        matches!(
            &e,
            VaultError::Keyring {
                source: KeyStoreError::Unavailable { .. },
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("no answer within 0 ms"), "{e}");
    UnlockedVault::open_with_password(&path, &password).unwrap();
    UnlockedVault::open_with_keyring(&path, &keyring).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let mut vault = vault;
    vault.disable_keyring(&keyring).unwrap();
    assert!(secret_tool_lookup(&user).is_none());
    std::fs::remove_dir_all(&d).unwrap();
}
