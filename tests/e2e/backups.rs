//! Automatic encrypted backups (issue 22), as a user runs them: turned on
//! with a folder, written after every change, pruned to the newest N (never
//! a file put there by hand), listed, and restored.

use serde_json::Value;

use crate::util::{stderr_failed, stdout_ok, TestVault};

fn vault() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    vault
}

fn add(vault: &TestVault, issuer: &str) {
    stdout_ok(
        &vault.run_with_password(&["add", "--issuer", issuer, "--secret", "JBSWY3DPEHPK3PXP"]),
        "add",
    );
}

fn listed(vault: &TestVault) -> Vec<Value> {
    let json: Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["backup", "list", "--json"]),
        "backup list",
    ))
    .unwrap();
    json.as_array().unwrap().clone()
}

#[test]
fn every_change_writes_a_backup_and_the_newest_are_kept() {
    let vault = vault();
    let folder = vault.dir.path().join("Backups");
    let err = stderr_failed(
        &vault.run_with_password(&["backup", "list"]),
        "list while off",
    );
    assert!(err.contains("backup enable"), "{err}");
    let out = stdout_ok(
        &vault.run_with_password(&["backup", "enable", folder.to_str().unwrap(), "--keep", "3"]),
        "enable",
    );
    assert!(out.contains("backups on"), "{out}");
    // A backup the user keeps by hand, which pruning must never touch.
    let mine = folder.join("before-the-trip.tessera");
    std::fs::copy(&vault.path, &mine).unwrap();
    for n in 0..5 {
        add(&vault, &format!("Service{n}"));
        // Backups are named to the second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let backups = listed(&vault);
    let automatic: Vec<&Value> = backups.iter().filter(|b| b["automatic"] == true).collect();
    assert_eq!(automatic.len(), 3, "{backups:?}");
    assert_eq!(
        automatic[0]["accounts"], 5,
        "the newest holds every account"
    );
    assert!(mine.exists(), "a backup made by hand is never deleted");
    assert!(backups.iter().any(|b| b["automatic"] == false));
    for backup in &automatic {
        let path = std::path::Path::new(backup["path"].as_str().unwrap());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    // The table says the same in words.
    let table = stdout_ok(&vault.run_with_password(&["backup", "list"]), "list");
    assert!(
        table.contains("ACCOUNTS") && table.contains("(yours)"),
        "{table}"
    );

    // A backup reads back with `tessera import`, like any Tessera backup.
    let newest = automatic[0]["path"].as_str().unwrap().to_owned();
    let other = vault_elsewhere();
    let out = stdout_ok(
        &other.run_with_password(&[
            "import",
            &newest,
            "--import-password-file",
            vault.password_file.to_str().unwrap(),
        ]),
        "import a backup",
    );
    assert!(out.contains("added 5 account(s)"), "{out}");

    stdout_ok(&vault.run_with_password(&["backup", "disable"]), "disable");
    add(&vault, "AfterOff");
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        4,
        "no backup while off"
    );
}

fn vault_elsewhere() -> TestVault {
    vault()
}

#[test]
fn restoring_a_backup_keeps_the_vault_as_it_was_first() {
    let vault = vault();
    let folder = vault.dir.path().join("Backups");
    add(&vault, "Kept");
    stdout_ok(
        &vault.run_with_password(&["backup", "enable", folder.to_str().unwrap()]),
        "enable",
    );
    let first = listed(&vault)[0]["path"].as_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    stdout_ok(
        &vault.run_with_password(&["remove", "kept", "--yes"]),
        "remove",
    );
    add(&vault, "Later");
    let err = stderr_failed(
        &vault.run_with_password(&["backup", "restore", &first]),
        "restore without --yes",
    );
    assert!(err.contains("--yes"), "{err}");
    let out = stdout_ok(
        &vault.run_with_password(&["backup", "restore", &first, "--yes"]),
        "restore",
    );
    assert!(out.contains("the vault as it was is in"), "{out}");
    let names = stdout_ok(&vault.run_with_password(&["list"]), "list");
    assert!(
        names.contains("Kept") && !names.contains("Later"),
        "{names}"
    );
    // The vault as it was before the restore is a backup too.
    let newest_before_restore = listed(&vault)
        .iter()
        .filter(|b| b["automatic"] == true)
        .map(|b| b["accounts"].as_u64().unwrap())
        .collect::<Vec<_>>();
    assert!(
        newest_before_restore.contains(&1),
        "{newest_before_restore:?}"
    );
    // Restoring is not a rollback: the vault opens as usual after it.
    stdout_ok(&vault.run_with_password(&["list"]), "list after restore");
}

#[test]
fn a_backup_from_before_a_password_change_needs_the_old_password() {
    let vault = vault();
    let folder = vault.dir.path().join("Backups");
    add(&vault, "Old");
    stdout_ok(
        &vault.run_with_password(&["backup", "enable", folder.to_str().unwrap()]),
        "enable",
    );
    let before = listed(&vault)[0]["path"].as_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, new_password) = vault.change_password("battery staple");
    let run_new = |args: &[&str]| vault.run_with_password_file(&new_password, args);
    // A backup under the new key was written at once.
    let after: Value =
        serde_json::from_str(&stdout_ok(&run_new(&["backup", "list", "--json"]), "list")).unwrap();
    assert!(after[0]["accounts"] == 1, "{after}");
    let err = stderr_failed(
        &run_new(&["backup", "restore", &before, "--yes"]),
        "old key",
    );
    assert!(err.contains("before a password change"), "{err}");
    stdout_ok(
        &run_new(&[
            "backup",
            "restore",
            &before,
            "--yes",
            "--backup-password-file",
            vault.password_file.to_str().unwrap(),
        ]),
        "restore with the old password",
    );
    stdout_ok(&run_new(&["list"]), "the new password still opens it");
}
