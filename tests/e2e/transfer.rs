//! Moving accounts in and out through the CLI: every export format, read
//! back by Tessera's importer or scanner, loses nothing the format can
//! carry; exports in the clear need --plain; encrypted ones need their
//! password; duplicates are named; QR images import like text.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{stderr_failed, stdout_ok, TestVault};

const ACCOUNTS: &[&str] = &[
    "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
    "otpauth://totp/ACME%20Co:bob@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA256&digits=8",
    "otpauth://hotp/Example:carol?secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ&issuer=Example&counter=7",
    "otpauth://totp/Slow:dave?secret=MFRGGZDFMZTWQ2LK&issuer=Slow&period=60",
];

fn vault_with_accounts() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    for uri in ACCOUNTS {
        stdout_ok(&vault.run_with_password(&["add", uri]), "add");
    }
    vault
}

/// What must survive a round trip, per account, ignoring ids.
pub(crate) fn summary(vault: &TestVault) -> Vec<Value> {
    let listed: Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["list", "--json"]),
        "list",
    ))
    .unwrap();
    let mut accounts: Vec<Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.as_object_mut().unwrap().remove("id");
            a
        })
        .collect();
    accounts.sort_by_key(|a| a.to_string());
    accounts
}

/// Codes at a fixed moment, which only match if the secrets survived.
fn codes(vault: &TestVault) -> Vec<String> {
    let shown: Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["code", "--time", "1234567890", "--json"]),
        "code",
    ))
    .unwrap();
    let mut codes: Vec<String> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}:{}", c["name"], c["code"]))
        .collect();
    codes.sort();
    codes
}

pub(crate) fn fresh_vault() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    vault
}

#[test]
fn aegis_encrypted_round_trip_and_wrong_password() {
    let source = vault_with_accounts();
    let file = source.dir.path().join("aegis.json");
    let password = source.dir.path().join("export-password");
    crate::util::write_secret(&password, "export secret\n");
    let err = stderr_failed(
        &source.run_with_password(&["export", "--format", "aegis", "-o", file.to_str().unwrap()]),
        "no export password",
    );
    assert!(err.contains("--export-password-file"), "{err}");
    stdout_ok(
        &source.run_with_password(&[
            "export",
            "--format",
            "aegis",
            "-o",
            file.to_str().unwrap(),
            "--export-password-file",
            password.to_str().unwrap(),
        ]),
        "export aegis",
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains("JBSWY3DPEHPK3PXP"),
        "the Aegis export is encrypted"
    );

    let target = fresh_vault();
    let wrong = target.dir.path().join("wrong");
    crate::util::write_secret(&wrong, "not it\n");
    let err = stderr_failed(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            wrong.to_str().unwrap(),
        ]),
        "wrong import password",
    );
    assert!(err.to_lowercase().contains("password"), "{err}");
    assert_eq!(summary(&target).len(), 0, "nothing imported");
    let out = stdout_ok(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import aegis",
    );
    assert!(out.contains("added 4 account(s)"), "{out}");
    assert_eq!(summary(&target), summary(&source));
    assert_eq!(codes(&target), codes(&source));

    // The same file again: every account is a named duplicate.
    let out = stdout_ok(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import again",
    );
    assert!(out.contains("added no accounts"), "{out}");
    assert_eq!(out.matches("already in the vault").count(), 4, "{out}");
}

/// Recovery codes as `recovery list --json --reveal` shows them, without
/// ids and dates.
fn recovery_codes(vault: &TestVault) -> Vec<String> {
    let listed: Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--json", "--reveal"]),
        "recovery list",
    ))
    .unwrap();
    let mut codes: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|service| {
            service["codes"].as_array().unwrap().iter().map(move |c| {
                format!(
                    "{} {}: {} used={}",
                    service["issuer"], service["name"], c["code"], c["used"]
                )
            })
        })
        .collect();
    codes.sort();
    codes
}

/// Regression: a Tessera backup imported into a vault dropped every
/// recovery code it held (the importer returned accounts only), though
/// its format keeps them; found by the app's export test.
#[test]
fn tessera_backup_round_trip() {
    let source = vault_with_accounts();
    stdout_ok(
        &source.run_with_password(&["recovery", "add", "github", "1111-aaaa", "2222-bbbb"]),
        "recovery",
    );
    stdout_ok(
        &source.run_with_password(&["recovery", "use", "github", "1111-aaaa"]),
        "recovery use",
    );
    stdout_ok(
        &source.run_with_password(&[
            "recovery",
            "add",
            "Old Bank",
            "3333-cccc",
            "--new-service",
            "--yes",
        ]),
        "recovery for a service",
    );
    let file = source.dir.path().join("backup.tessera");
    let password = source.dir.path().join("export-password");
    crate::util::write_secret(&password, "backup secret\n");
    let err = stderr_failed(
        &source.run_with_password(&[
            "export",
            "--format",
            "tessera",
            "--plain",
            "-o",
            file.to_str().unwrap(),
        ]),
        "plain tessera",
    );
    assert!(err.contains("always encrypted"), "{err}");
    stdout_ok(
        &source.run_with_password(&[
            "export",
            "--format",
            "tessera",
            "-o",
            file.to_str().unwrap(),
            "--export-password-file",
            password.to_str().unwrap(),
        ]),
        "export tessera",
    );
    let target = fresh_vault();
    stdout_ok(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import tessera",
    );
    assert_eq!(summary(&target), summary(&source));
    assert_eq!(codes(&target), codes(&source));
    let kept = recovery_codes(&source);
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!(recovery_codes(&target), kept);

    // Once more: nothing new, nothing doubled.
    let out = stdout_ok(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import tessera again",
    );
    assert!(!out.contains("recovery code"), "{out}");
    assert_eq!(recovery_codes(&target), kept);
}

#[test]
fn uri_list_needs_plain_and_round_trips_with_a_dry_run_first() {
    let source = vault_with_accounts();
    let err = stderr_failed(
        &source.run_with_password(&["export", "--format", "uris"]),
        "uris without --plain",
    );
    assert!(
        err.contains("--plain") && err.contains("in the clear"),
        "{err}"
    );
    let output = source.run_with_password(&["export", "--format", "uris", "--plain"]);
    let text = stdout_ok(&output, "export uris");
    assert_eq!(text.lines().count(), 4);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("warning"),
        "warns that it is unencrypted"
    );
    let file = source.dir.path().join("uris.txt");
    std::fs::write(&file, format!("{text}\n")).unwrap();

    let target = fresh_vault();
    let out = stdout_ok(
        &target.run_with_password(&["import", file.to_str().unwrap(), "--dry-run"]),
        "dry run",
    );
    assert!(out.contains("would add 4 account(s)"), "{out}");
    assert_eq!(summary(&target).len(), 0, "a dry run changes nothing");
    stdout_ok(
        &target.run_with_password(&["import", file.to_str().unwrap()]),
        "import uris",
    );
    assert_eq!(summary(&target), summary(&source));
}

#[test]
fn google_migration_qr_images_scan_back_and_name_what_google_cannot_hold() {
    let source = vault_with_accounts();
    let dir = source.dir.path().join("google");
    let output = source.run_with_password(&[
        "export",
        "--format",
        "google",
        "--plain",
        "--qr",
        dir.to_str().unwrap(),
    ]);
    stdout_ok(&output, "export google");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Slow"),
        "the 60 s account is named as not carried: {stderr}"
    );
    let images: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .collect();
    assert!(!images.is_empty());

    let target = fresh_vault();
    let mut args = vec!["scan", "--add"];
    args.extend(images.iter().map(String::as_str));
    let out = stdout_ok(&target.run_with_password(&args), "scan --add");
    assert!(out.contains("added 3 account(s)"), "{out}");
    let carried: Vec<Value> = summary(&source)
        .into_iter()
        .filter(|a| a["issuer"] != "Slow")
        .collect();
    assert_eq!(summary(&target), carried);
}

#[test]
fn one_account_as_a_qr_image_imports_and_scans() {
    let source = vault_with_accounts();
    let png = source.dir.path().join("github.png");
    let output = source.run_with_password(&["qr", "github", "-o", png.to_str().unwrap()]);
    stdout_ok(&output, "qr -o");
    assert!(String::from_utf8_lossy(&output.stderr).contains("anyone who scans it"));
    let scanned = stdout_ok(&source.run(&["scan", png.to_str().unwrap()]), "scan file");
    assert!(
        scanned.starts_with("otpauth://totp/GitHub:alice?"),
        "{scanned}"
    );
    let json: Value = serde_json::from_str(&stdout_ok(
        &source.run(&["scan", "--json", png.to_str().unwrap()]),
        "scan --json",
    ))
    .unwrap();
    assert_eq!(json[0]["source"], png.to_str().unwrap());

    let target = fresh_vault();
    stdout_ok(
        &target.run_with_password(&["import", png.to_str().unwrap()]),
        "import a QR image",
    );
    assert_eq!(summary(&target)[0]["issuer"], "GitHub");

    // In the terminal, drawn with half blocks.
    let drawn = stdout_ok(
        &source.run_with_password(&["qr", "github"]),
        "qr in the terminal",
    );
    assert!(drawn.contains('█') || drawn.contains('▀'));
}

#[test]
fn paper_backup_is_a_pdf_and_needs_plain() {
    let source = vault_with_accounts();
    stdout_ok(
        &source.run_with_password(&["recovery", "add", "github", "1111-aaaa", "2222-bbbb"]),
        "recovery",
    );
    let pdf = source.dir.path().join("paper.pdf");
    stderr_failed(
        &source.run_with_password(&["export", "--format", "paper", "-o", pdf.to_str().unwrap()]),
        "no --plain",
    );
    let output = source.run_with_password(&[
        "export",
        "--format",
        "paper",
        "--plain",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    stdout_ok(&output, "paper");
    assert!(String::from_utf8_lossy(&output.stderr).contains("in the clear"));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let err = stderr_failed(
        &source.run_with_password(&[
            "export",
            "--format",
            "paper",
            "--plain",
            "-o",
            pdf.to_str().unwrap(),
        ]),
        "existing file",
    );
    assert!(err.contains("must not exist"), "never overwrites: {err}");
}

#[test]
fn bad_inputs_to_scan_and_import_are_one_clear_line() {
    let vault = fresh_vault();
    let dir = vault.dir.path();
    let not_image = dir.join("broken.png");
    std::fs::write(&not_image, b"\x89PNG\r\n\x1a\nthis is not really a png").unwrap();
    let blank = dir.join("blank.bmp");
    // A 2x2 white BMP: a valid image with no QR code.
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&(70u32).to_le_bytes());
    bmp.extend_from_slice(&[
        0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16,
        0, 0, 0,
    ]);
    bmp.extend_from_slice(&[0; 16]);
    bmp.extend_from_slice(&[
        255, 255, 255, 255, 255, 255, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0,
    ]);
    std::fs::write(&blank, &bmp).unwrap();
    let foreign = dir.join("notes.json");
    std::fs::write(&foreign, br#"{"shopping": ["milk"]}"#).unwrap();

    for (args, expected) in [
        (vec!["scan", not_image.to_str().unwrap()], "broken.png"),
        (vec!["scan", blank.to_str().unwrap()], "no QR code"),
        (vec!["scan"], "nothing to scan"),
        (
            vec!["import", foreign.to_str().unwrap()],
            "not a backup format",
        ),
        (vec!["import", not_image.to_str().unwrap()], "broken.png"),
        (
            vec!["import", "/nonexistent/backup.json"],
            "/nonexistent/backup.json",
        ),
        (vec!["scan", "--camera", "--timeout", "1"], "camera"),
    ] {
        let output = vault.run_with_password(&args);
        let err = stderr_failed(&output, &format!("{args:?}"));
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in {err}"
        );
    }
}

/// Runs Debian's `keepassxc-cli` with the database password on its stdin.
fn keepassxc_cli(args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new("keepassxc-cli")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("keepassxc-cli is installed (make test installs Debian's keepassxc)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Exports `vault` as a KeePass database with the password `export
/// secret`; returns the database and the password file.
pub(crate) fn export_kdbx(vault: &TestVault) -> (PathBuf, PathBuf) {
    let dir = vault.dir.path();
    let file = dir.join("accounts.kdbx");
    let password = dir.join("export-password");
    crate::util::write_secret(&password, "export secret\n");
    stdout_ok(
        &vault.run_with_password(&[
            "export",
            "--format",
            "kdbx",
            "-o",
            file.to_str().unwrap(),
            "--export-password-file",
            password.to_str().unwrap(),
        ]),
        "export kdbx",
    );
    (file, password)
}

/// KeePassXC locks `database` with a key file as well as its password
/// (and saves it its own way); returns the key file, `tessera.keyx`.
pub(crate) fn add_key_file(database: &Path) -> PathBuf {
    let key = database.with_file_name("tessera.keyx");
    std::fs::write(&key, [7u8; 96]).unwrap();
    let edited = keepassxc_cli(
        &[
            "db-edit",
            "--set-key-file",
            key.to_str().unwrap(),
            database.to_str().unwrap(),
        ],
        "export secret",
    );
    assert!(edited.status.success(), "keepassxc-cli db-edit: {edited:?}");
    key
}

/// The KDBX export opens in KeePassXC; a database KeePassXC then locks
/// with a key file as well comes back through `--import-key-file`, and
/// without the key file the one-line error says one may be needed.
#[test]
fn kdbx_export_opens_in_keepassxc_and_comes_back_with_a_key_file() {
    let source = vault_with_accounts();
    let (file, password) = export_kdbx(&source);
    let listed = keepassxc_cli(&["ls", "-R", file.to_str().unwrap()], "export secret");
    let names = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "keepassxc-cli ls: {listed:?}");
    for title in ["GitHub", "ACME Co", "Example", "Slow"] {
        assert!(names.contains(title), "{title} missing from {names}");
    }
    let key = add_key_file(&file);

    let target = fresh_vault();
    let err = stderr_failed(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import without the key file",
    );
    assert!(
        err.contains("key file") && err.lines().count() == 1,
        "{err}"
    );
    let err = stderr_failed(
        &target.run_with_password(&["import", file.to_str().unwrap()]),
        "import without a password",
    );
    assert!(
        err.contains("KeePass") && err.contains("--import-password-file"),
        "{err}"
    );
    assert_eq!(summary(&target).len(), 0, "nothing imported");
    let out = stdout_ok(
        &target.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
            "--import-key-file",
            key.to_str().unwrap(),
        ]),
        "import with the key file",
    );
    assert!(out.contains("added 4 account(s)"), "{out}");
    assert_eq!(codes(&target), codes(&source));
}
