//! Two processes each add 100 accounts to one vault at the same time; the
//! lock and the re-read before each change mean none is lost.
//!
//! The writers are this test binary itself, re-run with an environment
//! variable that selects the child role.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use tessera_otp::{Enrollment, OtpParams, Secret};
use tessera_vault::{
    Account, Contents, CreateOptions, KdfParams, Password, UnlockedVault, VaultError,
};

const CHILD_ENV: &str = "TESSERA_CONCURRENCY_CHILD";
const PER_WRITER: usize = 100;

fn password() -> Password {
    Password::from("together")
}

/// Child role: add `PER_WRITER` accounts, one update each.
#[test]
fn child_adder() {
    let Some(spec) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let spec = spec.into_string().unwrap();
    let (tag, path) = spec.split_once(':').unwrap();
    let mut vault = UnlockedVault::open_with_password(PathBuf::from(path), &password()).unwrap();
    for i in 0..PER_WRITER {
        let account = Account::new(
            Enrollment {
                issuer: tag.to_owned(),
                name: format!("{tag}-{i}"),
                secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                params: OtpParams::totp(),
            },
            i as u64,
        )
        .unwrap();
        vault
            .update(i as u64, |c| {
                c.accounts.push(account);
                Ok::<_, VaultError>(())
            })
            .unwrap();
    }
}

#[test]
fn two_processes_adding_100_accounts_each_keep_all_200() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tessera-concurrency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("vault.tessera");
    UnlockedVault::create(
        &path,
        CreateOptions {
            password: Some(&password()),
            kdf: KdfParams::insecure_for_tests(),
            keyring: None,
        },
        Contents::default(),
        0,
    )
    .unwrap();

    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|tag| {
            Command::new(&exe)
                .args(["--exact", "child_adder", "--test-threads=1"])
                .env(CHILD_ENV, format!("{tag}:{}", path.display()))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a writer failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let vault = UnlockedVault::open_with_password(&path, &password()).unwrap();
    let accounts = &vault.contents().accounts;
    assert_eq!(accounts.len(), 2 * PER_WRITER);
    for tag in ["a", "b"] {
        let mine: Vec<_> = accounts
            .iter()
            .filter(|a| a.enrollment.issuer == tag)
            .collect();
        assert_eq!(mine.len(), PER_WRITER, "writer {tag}");
        // Each writer's accounts keep their order.
        for (i, a) in mine.iter().enumerate() {
            assert_eq!(a.enrollment.name, format!("{tag}-{i}"));
        }
    }
    let mut ids: Vec<_> = accounts.iter().map(|a| a.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2 * PER_WRITER, "ids are unique");
    std::fs::remove_dir_all(&dir).unwrap();
}
