//! Tamper matrix: every flipped byte and every truncation of a small vault
//! is a clean error (no panic, no silent reset, no write), edited header
//! parameters are errors, and absurd KDF parameters are refused at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tessera_otp::{Enrollment, OtpParams, Secret};
use tessera_vault::{
    Account, Contents, CreateOptions, KdfLimitError, KdfParams, KeyStore, MemoryKeyStore, Password,
    UnlockedVault, VaultError,
};

const NOW: u64 = 1_700_000_000;

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tessera-tamper-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small vault with a password slot and a keyring slot (in memory), one
/// account, and no backups.
fn small_vault(dir: &Path, store: &MemoryKeyStore) -> (PathBuf, Password, Vec<u8>) {
    let path = dir.join("vault.tessera");
    let password = Password::from("tamper");
    let mut contents = Contents::default();
    contents.accounts.push(
        Account::new(
            Enrollment {
                issuer: "T".into(),
                name: "t".into(),
                secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                params: OtpParams::totp(),
            },
            NOW,
        )
        .unwrap(),
    );
    UnlockedVault::create(
        &path,
        CreateOptions {
            password: Some(&password),
            kdf: KdfParams::insecure_for_tests(),
            keyring: Some(store as &dyn KeyStore),
        },
        contents,
        NOW,
    )
    .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, password, bytes)
}

/// Opens `bytes` written at `path` both ways; both must fail, cleanly, with
/// a one-line message, and leave the file as it was.
fn assert_refused(
    path: &Path,
    password: &Password,
    store: &MemoryKeyStore,
    bytes: &[u8],
    what: &str,
) {
    std::fs::write(path, bytes).unwrap();
    let by_password = UnlockedVault::open_with_password(path, password);
    let by_keyring = UnlockedVault::open_with_keyring(path, store);
    for (how, r) in [("password", by_password), ("keyring", by_keyring)] {
        match r {
            Ok(_) => panic!("{what}: opened with the {how} anyway"),
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "{what}: multi-line message {msg:?}");
                // Errors that are about the file name it (slot errors too).
                if let Some(p) = e.path() {
                    assert_eq!(p, path, "{what}");
                    assert!(msg.contains(&path.display().to_string()), "{what}: {msg}");
                }
            }
        }
    }
    assert_eq!(std::fs::read(path).unwrap(), bytes, "{what}: file changed");
}

#[test]
fn every_flipped_byte_is_an_error() {
    let d = tmpdir("flip");
    let store = MemoryKeyStore::new();
    let (path, password, good) = small_vault(&d, &store);
    for i in 0..good.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = good.clone();
            bad[i] ^= mask;
            assert_refused(
                &path,
                &password,
                &store,
                &bad,
                &format!("byte {i} ^ {mask:#x}"),
            );
        }
    }
    // The original still opens: nothing was reset or overwritten.
    std::fs::write(&path, &good).unwrap();
    UnlockedVault::open_with_password(&path, &password).unwrap();
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn every_truncation_is_an_error() {
    let d = tmpdir("trunc");
    let store = MemoryKeyStore::new();
    let (path, password, good) = small_vault(&d, &store);
    for len in 0..good.len() {
        assert_refused(
            &path,
            &password,
            &store,
            &good[..len],
            &format!("truncated to {len}"),
        );
    }
    // Appended bytes are ciphertext too: also refused.
    let mut longer = good.clone();
    longer.push(0);
    assert_refused(&path, &password, &store, &longer, "one byte appended");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Replaces `from` with `to` in the header line only, keeping the body.
fn edit_header(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let first = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let end = first + bytes[first..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let header = String::from_utf8(bytes[..end].to_vec()).unwrap();
    assert!(header.contains(from), "{from} not in {header}");
    let mut out = header.replacen(from, to, 1).into_bytes();
    out.extend_from_slice(&bytes[end..]);
    out
}

fn header_field(bytes: &[u8], key: &str) -> String {
    let first = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let end = first + bytes[first..].iter().position(|&b| b == b'\n').unwrap();
    let text = std::str::from_utf8(&bytes[first..end]).unwrap();
    let start = text.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let rest = &text[start..];
    rest[..rest.find([',', '}']).unwrap()]
        .trim_matches('"')
        .to_owned()
}

#[test]
fn edited_header_parameters_are_errors() {
    let d = tmpdir("edit");
    let store = MemoryKeyStore::new();
    let (path, password, good) = small_vault(&d, &store);
    let salt = header_field(&good, "salt");
    let mut other_salt = salt.clone().into_bytes();
    other_salt[0] = if other_salt[0] == b'0' { b'1' } else { b'0' };
    let other_salt = String::from_utf8(other_salt).unwrap();
    let vault_id = header_field(&good, "vault_id");
    let cases: Vec<(String, Vec<u8>)> = vec![
        (
            "t raised".into(),
            edit_header(&good, "\"t_cost\":1", "\"t_cost\":2"),
        ),
        (
            "m raised".into(),
            edit_header(&good, "\"m_cost_kib\":64", "\"m_cost_kib\":128"),
        ),
        (
            "p raised".into(),
            edit_header(&good, "\"p_cost\":1", "\"p_cost\":2"),
        ),
        (
            "salt changed".into(),
            edit_header(&good, &salt, &other_salt),
        ),
        (
            "argon2 version".into(),
            edit_header(&good, "\"version\":19", "\"version\":16"),
        ),
        ("kdf name".into(), edit_header(&good, "argon2id", "argon2d")),
        (
            "cipher".into(),
            edit_header(&good, "aes-256-gcm", "aes-128-gcm"),
        ),
        (
            "vault id".into(),
            edit_header(&good, &vault_id, &"0".repeat(32)),
        ),
        (
            "format version".into(),
            edit_header(&good, "tessera-vault v1", "tessera-vault v2"),
        ),
        (
            "format version 0".into(),
            edit_header(&good, "tessera-vault v1", "tessera-vault v0"),
        ),
        (
            "slot type".into(),
            edit_header(&good, "\"type\":\"keyring\"", "\"type\":\"fido2\""),
        ),
        (
            "extra field".into(),
            edit_header(&good, "{\"vault_id\"", "{\"x\":1,\"vault_id\""),
        ),
        (
            "whitespace".into(),
            edit_header(&good, "{\"vault_id\"", "{ \"vault_id\""),
        ),
        (
            "slots dropped".into(),
            edit_header(&good, "\"slots\":[", "\"slots\":[],\"was\":["),
        ),
    ];
    for (what, bytes) in cases {
        assert_refused(&path, &password, &store, &bytes, &what);
    }
    // Specific errors for the cases a user may meet.
    std::fs::write(
        &path,
        edit_header(&good, "tessera-vault v1", "tessera-vault v2"),
    )
    .unwrap();
    let e = UnlockedVault::open_with_password(&path, &password).unwrap_err();
    assert!(
        matches!(e, VaultError::UnsupportedVersion { found: 2, .. }),
        "{e}"
    );
    std::fs::write(&path, edit_header(&good, "\"t_cost\":1", "\"t_cost\":2")).unwrap();
    let e = UnlockedVault::open_with_password(&path, &password).unwrap_err();
    assert!(matches!(e, VaultError::WrongPassword { .. }), "{e}");
    // Through the keyring slot the password slot's edit surfaces as damage.
    let e = UnlockedVault::open_with_keyring(&path, &store).unwrap_err();
    assert!(matches!(e, VaultError::Damaged { .. }), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn absurd_kdf_parameters_are_refused_at_once() {
    let d = tmpdir("absurd");
    let store = MemoryKeyStore::new();
    let (path, password, good) = small_vault(&d, &store);
    let cases = [
        ("\"m_cost_kib\":64", "\"m_cost_kib\":18446744073709551615"),
        ("\"m_cost_kib\":64", "\"m_cost_kib\":2097152"),
        ("\"t_cost\":1", "\"t_cost\":4294967295"),
        ("\"t_cost\":1", "\"t_cost\":21"),
        ("\"p_cost\":1", "\"p_cost\":255"),
        ("\"t_cost\":1", "\"t_cost\":0"),
        (
            "\"m_cost_kib\":64,\"t_cost\":1",
            "\"m_cost_kib\":1048576,\"t_cost\":20",
        ),
    ];
    for (from, to) in cases {
        let bytes = edit_header(&good, from, to);
        std::fs::write(&path, &bytes).unwrap();
        let start = Instant::now();
        let e = UnlockedVault::open_with_password(&path, &password).unwrap_err();
        let took = start.elapsed();
        assert!(took < Duration::from_millis(250), "{to}: took {took:?}");
        assert!(matches!(e, VaultError::KdfLimit { .. }), "{to}: {e}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }
    // The message names the limit.
    std::fs::write(&path, edit_header(&good, "\"t_cost\":1", "\"t_cost\":21")).unwrap();
    let e = UnlockedVault::open_with_password(&path, &password).unwrap_err();
    assert!(
        matches!(
            &e,
            VaultError::KdfLimit {
                source: KdfLimitError::Passes { value: 21, max: 20 },
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("passes 21 is outside the allowed 1..=20"),
        "{e}"
    );
    // The keyring slot still opens a vault whose password slot is hostile
    // only if the header is authentic; here it is not, so that is damage.
    assert!(matches!(
        UnlockedVault::open_with_keyring(&path, &store),
        Err(VaultError::Damaged { .. })
    ));
    std::fs::remove_dir_all(&d).unwrap();
}
