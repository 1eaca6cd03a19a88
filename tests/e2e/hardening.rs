//! The second hardening round (issue 21), tested the way each problem was
//! found: against the real `tessera` binary, as a user or a script runs it.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{cli_binary, require_keyring, stderr_failed, stdout_ok, TestVault};

const GITHUB: &str = "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";

/// A vault with a password and one account.
fn vault() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    stdout_ok(&vault.run_with_password(&["add", GITHUB]), "add");
    vault
}

/// Runs the CLI and fails the test if it takes more than ten seconds (a
/// blocked read never ends).
fn within_ten_seconds(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("tessera did not return within 10 s: it blocked");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &std::path::Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

/// Regression (issue 21, password change): `passwd` kept the master key,
/// so an old copy and the old password decrypted every later version, and
/// the backups beside the vault kept the old slot. After the change the
/// old password opens none of the vault's files, and a copy taken before
/// opens only what it held.
#[test]
fn regression_after_passwd_the_old_password_opens_nothing_written_since() {
    let vault = vault();
    let copy = vault.dir.path().join("copy-before.tessera");
    std::fs::copy(&vault.path, &copy).unwrap();
    let (out, new_password) = vault.change_password("battery staple");
    assert!(out.contains("new master key"), "{out}");
    assert!(
        out.contains("sealed the"),
        "the backups were sealed again: {out}"
    );
    let with_new = |args: &[&str]| vault.run_with_password_file(&new_password, args);
    stdout_ok(
        &with_new(&[
            "add",
            "otpauth://totp/Later:bob?secret=KRSXG5CTMVRXEZLU&issuer=Later",
        ]),
        "add after the change",
    );
    let mut files = vec![vault.path.clone()];
    files.extend((1..=3).map(|n| vault.dir.path().join(format!("vault.tessera.{n}"))));
    for file in files.iter().filter(|f| f.exists()) {
        let output = vault.run_with_password(&["--vault", file.to_str().unwrap(), "list"]);
        stderr_failed(
            &output,
            &format!("{} with the old password", file.display()),
        );
    }
    let listed = stdout_ok(
        &vault.run_with_password(&[
            "--vault",
            copy.to_str().unwrap(),
            "--accept-older-vault",
            "list",
            "--json",
        ]),
        "the old copy",
    );
    assert!(!listed.contains("Later"), "{listed}");
}

/// Regression (issue 21, special files): a named pipe as `--vault` blocked
/// forever; `--password-file /dev/zero` read until memory ran out and a
/// named pipe there hung. Each is one clear line, at once.
#[test]
fn regression_pipes_and_devices_are_refused_at_once() {
    let vault = vault();
    let fifo = vault.dir.path().join("pipe");
    mkfifo(&fifo);
    let mut command = Command::new(cli_binary());
    command
        .args(["--vault", fifo.to_str().unwrap(), "list"])
        .env_remove("TESSERA_PASSWORD_FILE")
        .stdin(Stdio::null());
    let output = within_ten_seconds(command);
    let err = stderr_failed(&output, "a pipe as the vault");
    assert!(err.contains("not a regular file (a named pipe)"), "{err}");
    for password_file in ["/dev/zero", fifo.to_str().unwrap()] {
        let mut command = vault.command(&["--password-file", password_file, "list"]);
        command.arg("--no-keyring");
        let output = within_ten_seconds(command);
        let err = stderr_failed(&output, password_file);
        assert!(err.contains("not a regular file"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let err = stderr_failed(
        &vault.run_with_password(&["--vault", "/dev/urandom", "list"]),
        "a device as the vault",
    );
    assert!(err.contains("not a regular file (a device)"), "{err}");
}

/// A password file other users can read is used, with a warning.
#[test]
fn a_password_file_others_can_read_is_flagged() {
    use std::os::unix::fs::PermissionsExt;
    let vault = vault();
    std::fs::set_permissions(&vault.password_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = vault.run_with_password(&["list"]);
    stdout_ok(&output, "list");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("can be read by other users"), "{err}");
    std::fs::set_permissions(&vault.password_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = vault.run_with_password(&["list"]);
    assert!(output.stderr.is_empty(), "{output:?}");
}

/// Regression (issue 21, symbolic links): the first save through a linked
/// vault replaced the link with a file and left the target stale.
#[test]
fn regression_a_linked_vault_is_saved_through_the_link() {
    let vault = vault();
    let synced = vault.dir.path().join("Sync");
    std::fs::create_dir(&synced).unwrap();
    let target = synced.join("vault.tessera");
    std::fs::rename(&vault.path, &target).unwrap();
    std::fs::remove_file(vault.dir.path().join("vault.tessera.lock")).unwrap();
    std::os::unix::fs::symlink(&target, &vault.path).unwrap();
    stdout_ok(
        &vault.run_with_password(&[
            "add",
            "otpauth://totp/Linked:me?secret=KRSXG5CTMVRXEZLU&issuer=Linked",
        ]),
        "add through the link",
    );
    let kind = std::fs::symlink_metadata(&vault.path).unwrap().file_type();
    assert!(kind.is_symlink(), "the link stays a link");
    let listed = stdout_ok(
        &vault.run_with_password(&["--vault", target.to_str().unwrap(), "list"]),
        "the target",
    );
    assert!(listed.contains("Linked"), "{listed}");
    assert!(!vault.dir.path().join("vault.tessera.lock").exists());
}

/// Regression (issue 21, secrets on the command line): URIs, secrets and
/// codes could be given only as arguments, where `ps` and the shell's
/// history show them. Each takes `-` for a line of standard input, and
/// `--help` says so.
#[test]
fn regression_secrets_and_codes_come_from_standard_input() {
    let vault = vault();
    let added = vault.run_with_password_and_input(
        &["add", "-"],
        "otpauth://totp/Piped:me?secret=KRSXG5CTMVRXEZLU&issuer=Piped\n",
    );
    assert!(stdout_ok(&added, "add -").contains("added Piped (me)"));
    let generated =
        vault.run_with_password_and_input(&["gen", "-", "--time", "59"], &format!("{GITHUB}\n"));
    assert_eq!(stdout_ok(&generated, "gen -").trim(), "996554");
    let saved = vault.run_with_password_and_input(
        &["recovery", "add", "piped", "--rotating", "-"],
        "ABCDE-FGHIJ\n",
    );
    stdout_ok(&saved, "recovery add -");
    let used = vault.run_with_password_and_input(
        &["recovery", "use", "piped", "-", "--replacement", "-"],
        "abcde fghij\nKLMNO-PQRST\n",
    );
    let out = stdout_ok(&used, "recovery use - --replacement -");
    assert!(out.contains("1 unused left"), "{out}");
    let listed = stdout_ok(
        &vault.run_with_password(&["recovery", "list", "piped", "--reveal"]),
        "recovery list",
    );
    assert!(listed.contains("KLMNO-PQRST"), "{listed}");
    for args in [
        &["add", "--help"][..],
        &["gen", "--help"],
        &["recovery", "use", "--help"],
    ] {
        let help = stdout_ok(&vault.run(args), "help");
        assert!(help.contains("standard input"), "{args:?}: {help}");
    }
}

/// Regression (issue 21, plain output): `export --format uris --plain >
/// accounts.txt` wrote secrets to a file others can read, silently.
#[test]
fn regression_plain_output_to_a_file_others_read_is_flagged() {
    use std::os::unix::fs::PermissionsExt;
    let vault = vault();
    let file = vault.dir.path().join("accounts.txt");
    let shared = std::fs::File::create(&file).unwrap();
    shared
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .unwrap();
    let mut all = vec!["--password-file", vault.password_file.to_str().unwrap()];
    all.extend_from_slice(&["export", "--format", "uris", "--plain"]);
    let output = vault.command(&all).stdout(shared).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("other users can read"), "{err}");
    assert!(err.contains("-o FILE"), "{err}");
}

/// Regression (issue 21, rollback): a vault file replaced by an older
/// valid copy was used as if nothing happened.
#[test]
fn regression_an_older_copy_of_the_vault_is_refused_until_accepted() {
    let vault = vault();
    let older = std::fs::read(&vault.path).unwrap();
    stdout_ok(
        &vault.run_with_password(&["remove", "github", "--yes"]),
        "remove",
    );
    std::fs::write(&vault.path, older).unwrap();
    let err = stderr_failed(&vault.run_with_password(&["list"]), "the older copy");
    assert!(
        err.contains("older than the copy this computer last used"),
        "{err}"
    );
    assert!(err.contains("--accept-older-vault"), "{err}");
    let listed = stdout_ok(
        &vault.run_with_password(&["--accept-older-vault", "list"]),
        "accepted",
    );
    assert!(
        listed.contains("GitHub"),
        "the older file is used: {listed}"
    );
    stdout_ok(
        &vault.run_with_password(&["list"]),
        "accepted once, it opens",
    );
}

/// Regression (issue 21, messages): a vault whose only slots are of a type
/// this version does not know said `--no-keyring was given`.
#[test]
fn regression_unknown_slot_types_are_named() {
    let vault = vault();
    let bytes = std::fs::read(&vault.path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let retyped = text.replacen("\"type\":\"password\"", "\"type\":\"fido2\"", 1);
    assert_ne!(retyped, text);
    std::fs::write(&vault.path, retyped.as_bytes()).unwrap();
    let err = stderr_failed(&vault.run_with_password(&["list"]), "unknown slots");
    assert!(!err.contains("--no-keyring"), "{err}");
    assert!(
        err.contains("no key slot this version of Tessera can use"),
        "{err}"
    );
    assert!(err.contains("fido2"), "{err}");
}

/// Regression (issue 21, broken pipe): `tessera code --json | head`
/// printed `tessera: Broken pipe (os error 32)`.
#[test]
fn regression_a_closed_pipe_ends_quietly() {
    let vault = vault();
    for n in 0..200 {
        stdout_ok(
            &vault.run_with_password(&[
                "add",
                "--issuer",
                &format!("Issuer{n}"),
                "--secret",
                "JBSWY3DPEHPK3PXP",
            ]),
            "add",
        );
    }
    let mut all = vec!["--password-file", vault.password_file.to_str().unwrap()];
    all.extend_from_slice(&["code", "--json"]);
    let mut child = vault
        .command(&all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader takes one byte and goes away, as `head -c 1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut one).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{output:?}");
}

/// Regression (issue 21, HOTP counters): `tessera code a` advanced the
/// counter of every HOTP account whose name holds an "a".
#[test]
fn regression_a_loose_query_spends_no_hotp_counter() {
    let vault = vault();
    for uri in [
        "otpauth://hotp/Bank:alice?secret=KRSXG5CTMVRXEZLU&issuer=Bank&counter=5",
        "otpauth://hotp/Mail:anna?secret=JBSWY3DPEHPK3PXP&issuer=Mail&counter=9",
    ] {
        stdout_ok(&vault.run_with_password(&["add", uri]), "add");
    }
    let counters = || -> Vec<u64> {
        let listed: Value = serde_json::from_str(&stdout_ok(
            &vault.run_with_password(&["list", "--json"]),
            "list",
        ))
        .unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["counter"].as_u64())
            .collect()
    };
    let output = vault.run_with_password(&["code", "a"]);
    stdout_ok(&output, "code a");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("Bank (alice) is counter-based"), "{err}");
    assert_eq!(counters(), [5, 9], "no counter spent");
    stdout_ok(&vault.run_with_password(&["code", "anna"]), "code anna");
    assert_eq!(counters(), [5, 10], "the one account named");
}

/// The rule for letting secrets out (issue 21): with the vault opened by
/// the keyring and no terminal to ask on, showing recovery codes needs the
/// vault's password; the keyring alone lets nothing out to a script.
#[test]
fn revealing_secrets_off_a_terminal_needs_the_password() {
    require_keyring();
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init", "--keyring"]), "init");
    stdout_ok(&vault.run(&["add", GITHUB]), "add");
    stdout_ok(
        &vault.run(&["recovery", "add", "github", "--yes", "a1b2c-3d4e5"]),
        "recovery add",
    );
    let err = stderr_failed(
        &vault.run(&["recovery", "list", "--reveal"]),
        "reveal with the keyring alone",
    );
    assert!(err.contains("needs the vault's password"), "{err}");
    assert!(!err.contains("a1b2c"), "{err}");
    let wrong = vault.dir.path().join("wrong");
    crate::util::write_secret(&wrong, "nope\n");
    let err = stderr_failed(
        &vault.run(&[
            "--password-file",
            wrong.to_str().unwrap(),
            "recovery",
            "list",
            "--reveal",
        ]),
        "reveal with a wrong password",
    );
    assert!(err.contains("password is wrong"), "{err}");
    let shown = stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--reveal"]),
        "reveal with the password",
    );
    assert!(shown.contains("a1b2c-3d4e5"), "{shown}");
    let masked = stdout_ok(&vault.run(&["recovery", "list"]), "masked needs nothing");
    assert!(!masked.contains("a1b2c"), "{masked}");
}
