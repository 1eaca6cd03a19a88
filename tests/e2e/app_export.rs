//! The app's export dialog, format by format, each read back by Tessera's
//! own importer or scanner through the CLI: a Tessera backup (accounts and
//! recovery codes), a paper PDF, and a Google Authenticator series both
//! saved as images and shown on screen code by code.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::app::{answer_confirmation, text_of, wait_for_rows, DECLINE, EXPORT, SHORT, START};
use crate::app_ui::{answer_save_dialog, SaveAnswer};
use crate::transfer::{fresh_vault, summary};
use crate::util::{app_binary, stdout_ok, TestVault};
use crate::webdriver::{decode_base64, AppSession};

/// Twelve accounts Google Authenticator can hold (two QR codes at ten a
/// code), one it cannot (a 60 s period), and recovery codes for an account
/// and for a service with no account.
fn source_vault() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    let mut random = crate::util::SplitMix64(7);
    let mut list: String = (0..12)
        .map(|i| {
            let secret = crate::util::base32(&random.bytes(20));
            format!("otpauth://totp/Service{i:02}:user{i}?secret={secret}&issuer=Service{i:02}\n")
        })
        .collect();
    list.push_str("otpauth://totp/Slow:dave?secret=MFRGGZDFMZTWQ2LK&issuer=Slow&period=60\n");
    let file = vault.dir.path().join("accounts.txt");
    std::fs::write(&file, list).unwrap();
    stdout_ok(
        &vault.run_with_password(&["import", file.to_str().unwrap()]),
        "import",
    );
    stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "Service03",
            "r3-1111",
            "r3-2222",
            "--yes",
        ]),
        "recovery add",
    );
    stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "Old Bank",
            "bank-3333",
            "--new-service",
            "--yes",
        ]),
        "recovery add --new-service",
    );
    vault
}

/// Picks `format` in the export dialog.
fn choose(app: &AppSession, format: &str) {
    app.wait_for(
        &format!("[data-testid=export-format] option[value={format}]"),
        SHORT,
    )
    .click();
}

/// The written path the dialog reports, checked to be in `home` and
/// readable by its owner only.
fn written(app: &AppSession, home: &Path, previous: &str) -> PathBuf {
    let shown = app.wait_until(
        "the export's path",
        SHORT,
        || {
            app.find_all("[data-testid=export-path]")
                .first()
                .map(|e| e.text())
                .unwrap_or_default()
        },
        |t| !t.is_empty() && t != previous,
    );
    let path = PathBuf::from(&shown);
    assert!(
        path.starts_with(home),
        "{shown} is not under {}",
        home.display()
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    let expected = if path.is_dir() { 0o700 } else { 0o600 };
    assert_eq!(mode, expected, "{shown} is private");
    path
}

/// Scans QR images into a new vault, as `tessera scan --add` does.
fn scanned_into_new_vault(images: &[PathBuf]) -> TestVault {
    let target = fresh_vault();
    let mut args = vec!["scan", "--add"];
    args.extend(images.iter().map(|p| p.to_str().unwrap()));
    let out = stdout_ok(&target.run_with_password(&args), "scan --add");
    assert!(out.contains("added 12 account(s)"), "{out}");
    target
}

#[test]
fn every_export_of_the_app_reads_back() {
    let source = source_vault();
    let home = source.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let app = AppSession::start(
        &app_binary(),
        &[
            ("TESSERA_VAULT", source.path.to_str().unwrap()),
            ("HOME", home.to_str().unwrap()),
        ],
    );
    let field = app.wait_for("[data-testid=password]", START);
    field.send_keys("correct horse");
    app.wait_for("[data-testid=unlock]", SHORT).click();
    app.wait_for("[data-testid=account]", START);
    app.wait_for("[data-testid=settings]", SHORT).click();
    app.wait_for("[data-testid=open-export]", SHORT).click();

    // A Tessera backup carries accounts and recovery codes, encrypted.
    choose(&app, "tessera");
    assert!(text_of(&app, "[data-testid=export-description]").contains("recovery code"));
    app.wait_for("[data-testid=export-password]", SHORT)
        .send_keys("export secret");
    app.wait_for("[data-testid=export-password-again]", SHORT)
        .send_keys("export secret");
    app.wait_for("[data-testid=export]", SHORT).click();
    answer_save_dialog(&app, SaveAnswer::Keep);
    let backup = written(&app, &home, "");
    assert!(backup.to_str().unwrap().ends_with(".tessera"));
    let password = source.dir.path().join("export-password");
    crate::util::write_secret(&password, "export secret\n");
    let restored = fresh_vault();
    stdout_ok(
        &restored.run_with_password(&[
            "import",
            backup.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import the app's backup",
    );
    assert_eq!(summary(&restored), summary(&source));
    let codes = stdout_ok(
        &restored.run_with_password(&["recovery", "list", "--reveal"]),
        "recovery list",
    );
    for code in ["r3-1111", "r3-2222", "bank-3333"] {
        assert!(codes.contains(code), "{code} restored: {codes}");
    }
    let backup_for_app = backup.clone();

    // The paper backup: a PDF behind a warning, with the unused codes.
    choose(&app, "paper");
    let warning = text_of(&app, "[data-testid=export-warning]");
    assert!(warning.contains("in the clear"), "{warning}");
    assert!(
        !app.wait_for("[data-testid=export-password]", SHORT)
            .is_displayed(),
        "no password for paper"
    );
    // In the clear: only once the user says yes outside the page. A no
    // writes nothing.
    let exports = || {
        std::fs::read_dir(&home)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("tessera-export")
            })
            .count()
    };
    let exports_before = exports();
    app.wait_for("[data-testid=export]", SHORT).click();
    answer_confirmation(&app, DECLINE);
    assert_eq!(text_of(&app, "[data-testid=export-error]"), "Not exported.");
    assert_eq!(exports(), exports_before, "declined, yet written");
    app.wait_for("[data-testid=export]", SHORT).click();
    answer_confirmation(&app, EXPORT);
    answer_save_dialog(&app, SaveAnswer::Keep);
    let pdf_path = written(&app, &home, backup.to_str().unwrap());
    assert!(pdf_path.to_str().unwrap().ends_with(".pdf"));
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let pdf_text = String::from_utf8_lossy(&pdf);
    for expected in [
        "Service11",
        "r3-2222",
        "Old Bank",
        "bank-3333",
        "KEEP THIS PAGE SECRET",
    ] {
        assert!(pdf_text.contains(expected), "{expected} is on paper");
    }
    assert!(text_of(&app, "[data-testid=export-done]").contains("delete this file"));

    // Google Authenticator: saved as images, the account it cannot hold
    // named, and the images scan back.
    choose(&app, "google");
    let warning = text_of(&app, "[data-testid=export-warning]");
    assert!(warning.contains("photographs"), "{warning}");
    assert_eq!(
        app.wait_for("[data-testid=export]", SHORT).text(),
        "Show QR codes"
    );
    app.wait_for("[data-testid=export-save-images]", SHORT)
        .click();
    answer_confirmation(&app, EXPORT);
    // Where they go is the user's choice, in a folder chooser.
    let pictures = home.join("pictures");
    std::fs::create_dir(&pictures).unwrap();
    crate::app_sync::choose_folder(&app, &pictures);
    let folder = written(&app, &pictures, pdf_path.to_str().unwrap());
    let done = text_of(&app, "[data-testid=export-done]");
    assert!(done.contains("Slow"), "the 60 s account is named: {done}");
    assert!(done.contains("2 QR codes of 12 accounts"), "{done}");
    let mut images: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    images.sort();
    assert_eq!(
        images
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect::<Vec<_>>(),
        ["google-export-1-of-2.png", "google-export-2-of-2.png"]
    );
    let carried: Vec<serde_json::Value> = summary(&source)
        .into_iter()
        .filter(|a| a["issuer"] != "Slow")
        .collect();
    assert_eq!(summary(&scanned_into_new_vault(&images)), carried);

    // Shown on screen: code 1, then code 2, both scanning back; Hide drops
    // them from the page.
    app.wait_for("[data-testid=export]", SHORT).click();
    answer_confirmation(&app, EXPORT);
    let position = app.wait_for("[data-testid=google-position]", SHORT);
    assert_eq!(position.text(), "Code 1 of 2");
    let shown = app.find_all("[data-testid=google-series]")[0].text();
    assert!(shown.contains("Slow"), "{shown}");
    let mut from_screen = Vec::new();
    for number in 1..=2 {
        app.wait_until(
            "the code's position",
            SHORT,
            || position.text(),
            |t| t == &format!("Code {number} of 2"),
        );
        let src = app
            .wait_for("[data-testid=google-qr]", SHORT)
            .property("src");
        let data = src.as_str().unwrap();
        let png = decode_base64(data.strip_prefix("data:image/png;base64,").unwrap());
        let path = source.dir.path().join(format!("shown-{number}.png"));
        std::fs::write(&path, png).unwrap();
        from_screen.push(path);
        if number == 1 {
            app.wait_for("[data-testid=google-next]", SHORT).click();
        }
    }
    assert_eq!(
        app.wait_for("[data-testid=google-next]", SHORT)
            .property("disabled")
            .as_bool(),
        Some(true),
        "no code after the last"
    );
    assert_eq!(summary(&scanned_into_new_vault(&from_screen)), carried);
    app.wait_for("[data-testid=google-hide]", SHORT).click();
    app.wait_until(
        "the codes to go",
        SHORT,
        || app.find_all("[data-testid=google-qr]").len(),
        |n| *n == 0,
    );
    drop(app);

    // Another app imports the backup: the list says which recovery codes
    // come along, and they are in its vault afterwards.
    let second = fresh_vault();
    stdout_ok(
        &second.run_with_password(&[
            "add",
            "otpauth://totp/Mine:me?secret=JBSWY3DPEHPK3PXP&issuer=Mine",
        ]),
        "add",
    );
    let app = AppSession::start(
        &app_binary(),
        &[("TESSERA_VAULT", second.path.to_str().unwrap())],
    );
    let field = app.wait_for("[data-testid=password]", START);
    field.send_keys("correct horse");
    app.wait_for("[data-testid=unlock]", SHORT).click();
    app.wait_for("[data-testid=add-account]", START).click();
    app.wait_for("[data-testid=add-import]", SHORT).click();
    app.wait_for("[data-testid=import-file]", SHORT)
        .send_keys(backup_for_app.to_str().unwrap());
    app.wait_for("[data-testid=import-password]", SHORT)
        .send_keys("export secret");
    app.wait_for("[data-testid=import-unlock]", SHORT).click();
    let found = text_of(&app, "[data-testid=found]");
    assert!(
        found.contains("Service03 (user3) · 2 recovery codes"),
        "{found}"
    );
    let services = text_of(&app, "[data-testid=found-services]");
    assert!(services.contains("1 service"), "{services}");
    app.wait_for("[data-testid=add-found]", SHORT).click();
    wait_for_rows(&app, "the imported accounts", 14);
    drop(app);
    let codes = stdout_ok(
        &second.run_with_password(&["recovery", "list", "--reveal"]),
        "recovery list",
    );
    for code in ["r3-1111", "r3-2222", "bank-3333"] {
        assert!(codes.contains(code), "{code} imported by the app: {codes}");
    }
}

/// Recovery codes of a vault as `recovery list --json --reveal` gives
/// them, without ids, sorted: what must match between two vaults.
fn recovery_summary(vault: &TestVault) -> Vec<serde_json::Value> {
    let listed: serde_json::Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--json", "--reveal"]),
        "recovery list",
    ))
    .unwrap();
    let mut sets: Vec<serde_json::Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|set| {
            let mut set = set.clone();
            set.as_object_mut().unwrap().remove("id");
            for code in set["codes"].as_array_mut().unwrap() {
                code.as_object_mut().unwrap().remove("used_at");
            }
            set
        })
        .collect();
    sets.sort_by_key(|s| s.to_string());
    sets
}

/// A vault holding the account the import file repeats, with recovery
/// codes of its own (one of them also in the file).
fn target_vault() -> TestVault {
    let vault = crate::transfer::fresh_vault();
    stdout_ok(
        &vault.run_with_password(&[
            "add",
            "otpauth://totp/Shared:me?secret=JBSWY3DPEHPK3PXP&issuer=Shared",
        ]),
        "add",
    );
    stdout_ok(
        &vault.run_with_password(&["recovery", "add", "shared", "--yes", "s-2222", "s-3333"]),
        "recovery add",
    );
    vault
}

/// Issue 20's acceptance: the app took in an imported file by its own rule
/// (every picked account added, no duplicate plan), so one file gave
/// different vaults from the app and from `tessera import`. Both now take
/// it in through tessera-core: the same accounts, duplicates skipped the
/// same way, and the same recovery codes kept.
#[test]
fn regression_one_import_file_gives_the_same_vault_from_the_cli_and_the_app() {
    // The file: the targets' account again (with codes, one shared), a new
    // account listed twice (the second with other code settings, which the
    // app used to add as a second account), and a service known only by
    // its codes.
    let source = crate::transfer::fresh_vault();
    for args in [
        &[
            "add",
            "otpauth://totp/Shared:me?secret=JBSWY3DPEHPK3PXP&issuer=Shared",
        ][..],
        &[
            "add",
            "otpauth://totp/New:one?secret=KRSXG5CTMVRXEZLU&issuer=New",
        ],
        &[
            "add",
            "--force",
            "otpauth://totp/New:one?secret=KRSXG5CTMVRXEZLU&issuer=New&digits=8",
        ],
        &["recovery", "add", "shared", "--yes", "s-1111", "s-2222"],
        &[
            "recovery",
            "add",
            "Bank",
            "--new-service",
            "--yes",
            "b-4444",
        ],
    ] {
        stdout_ok(&source.run_with_password(args), "set up the file");
    }
    stdout_ok(
        &source.run_with_password(&["recovery", "use", "shared", "s-1111"]),
        "use a code",
    );
    let file = source.dir.path().join("file.tessera");
    let password = source.dir.path().join("file-password");
    crate::util::write_secret(&password, "file secret\n");
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
        "export",
    );

    let by_cli = target_vault();
    let out = stdout_ok(
        &by_cli.run_with_password(&[
            "import",
            file.to_str().unwrap(),
            "--import-password-file",
            password.to_str().unwrap(),
        ]),
        "import",
    );
    assert!(out.contains("added 1 account(s): New (one)"), "{out}");
    assert!(
        out.contains("duplicate New (one) (listed twice): skipped"),
        "{out}"
    );

    let by_app = target_vault();
    let app = AppSession::start(
        &app_binary(),
        &[("TESSERA_VAULT", by_app.path.to_str().unwrap())],
    );
    app.wait_for("[data-testid=password]", START)
        .send_keys("correct horse");
    app.wait_for("[data-testid=unlock]", SHORT).click();
    app.wait_for("[data-testid=add-account]", START).click();
    app.wait_for("[data-testid=add-import]", SHORT).click();
    app.wait_for("[data-testid=import-file]", SHORT)
        .send_keys(file.to_str().unwrap());
    app.wait_for("[data-testid=import-password]", SHORT)
        .send_keys("file secret");
    app.wait_for("[data-testid=import-unlock]", SHORT).click();
    let found = text_of(&app, "[data-testid=found]");
    assert!(
        found.contains("Shared (me) (already in Tessera)"),
        "{found}"
    );
    // What the user is offered is taken in as offered: new accounts ticked,
    // the one already here not.
    app.wait_for("[data-testid=add-found]", SHORT).click();
    let added = text_of(&app, "[data-testid=added-title]");
    assert!(added.contains("New"), "{added}");
    app.wait_for("[data-testid=added-done]", SHORT).click();
    wait_for_rows(&app, "the imported account", 2);
    drop(app);

    assert_eq!(summary(&by_app), summary(&by_cli));
    assert_eq!(recovery_summary(&by_app), recovery_summary(&by_cli));
    let codes = recovery_summary(&by_cli);
    let shared = codes.iter().find(|s| s["issuer"] == "Shared").unwrap();
    assert_eq!(shared["unused"], 2, "s-2222 and s-3333: {shared}");
    assert_eq!(shared["used"], 1, "s-1111 stays used: {shared}");
    assert!(codes.iter().any(|s| s["issuer"] == "Bank"), "{codes:?}");
}

/// Regression (issue 21): an import read its file, key derivation and all,
/// while holding the unlocked session, so for the seconds Argon2 or scrypt
/// took at their cap nothing else could use the vault: the codes stopped
/// ticking, and copy, lock and the auto-lock waited. A Tessera backup
/// (Argon2id at the defaults, 128 MiB) is imported from the page while
/// the page asks for the codes again and again: each answer comes well
/// within the time the import takes.
#[test]
fn regression_an_imports_key_derivation_does_not_hold_up_the_codes() {
    let source = fresh_vault();
    stdout_ok(
        &source.run_with_password(&[
            "add",
            "otpauth://totp/Mine:me?secret=JBSWY3DPEHPK3PXP&issuer=Mine",
        ]),
        "add",
    );
    let file = source.dir.path().join("backup.tessera");
    let password = source.dir.path().join("file-password");
    crate::util::write_secret(&password, "file secret\n");
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
        "export",
    );
    let app = AppSession::start(
        &app_binary(),
        &[("TESSERA_VAULT", source.path.to_str().unwrap())],
    );
    app.wait_for("[data-testid=password]", START)
        .send_keys("correct horse");
    app.wait_for("[data-testid=unlock]", SHORT).click();
    app.wait_for("[data-testid=account]", START);
    let bytes = crate::app::base64(&std::fs::read(&file).unwrap());
    let timings = app.execute_async(&format!(
        "const done = arguments[arguments.length - 1];\
         const invoke = window.__TAURI_INTERNALS__.invoke;\
         const bytes = Uint8Array.from(atob('{bytes}'), (c) => c.charCodeAt(0));\
         (async () => {{\
           const opened = await invoke('import_file', bytes);\
           const started = performance.now();\
           let finished = null, outcome = null;\
           invoke('import_password', {{ request: {{ password: 'file secret' }} }})\
             .then((read) => {{ outcome = read.format; }}, (e) => {{ outcome = 'error: ' + e.message; }})\
             .finally(() => {{ finished = performance.now(); }});\
           const waits = [];\
           while (finished === null) {{\
             const asked = performance.now();\
             await invoke('codes');\
             waits.push(performance.now() - asked);\
           }}\
           done({{ needsPassword: opened.needsPassword, outcome, importMs: finished - started, waits }});\
         }})().catch((e) => done({{ error: String(e && e.message || e) }}));"
    ));
    assert_eq!(timings["needsPassword"], true, "{timings}");
    assert_eq!(
        timings["outcome"], "Tessera backup (encrypted)",
        "{timings}"
    );
    let import_ms = timings["importMs"].as_f64().unwrap();
    let waits: Vec<f64> = timings["waits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    let longest = waits.iter().copied().fold(0.0, f64::max);
    // The derivation must be slow enough to see a wait behind it at all.
    assert!(
        import_ms >= 200.0,
        "the import took only {import_ms:.0} ms: nothing to wait behind"
    );
    assert!(
        waits.len() >= 3 && longest < import_ms / 3.0,
        "the codes waited {longest:.0} ms during an import of {import_ms:.0} ms ({} asks)",
        waits.len()
    );
}

/// A KeePass database locked with a password and a key file: the import
/// screen offers a key file beside the password, says so when it is
/// missing (and keeps the file for the next try), and opens with both.
#[test]
fn a_keepass_database_with_a_key_file_imports_in_the_app() {
    let source = fresh_vault();
    for uri in [
        "otpauth://totp/Keep:ann?secret=JBSWY3DPEHPK3PXP&issuer=Keep",
        "otpauth://totp/Pass:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Pass&digits=8",
    ] {
        stdout_ok(&source.run_with_password(&["add", uri]), "add");
    }
    let (file, _) = crate::transfer::export_kdbx(&source);
    let key = crate::transfer::add_key_file(&file);

    let target = fresh_vault();
    let app = AppSession::start(
        &app_binary(),
        &[("TESSERA_VAULT", target.path.to_str().unwrap())],
    );
    app.wait_for("[data-testid=password]", START)
        .send_keys("correct horse");
    app.wait_for("[data-testid=unlock]", SHORT).click();
    app.wait_for("[data-testid=add-account]", START).click();
    app.wait_for("[data-testid=add-import]", SHORT).click();
    app.wait_for("[data-testid=import-file]", SHORT)
        .send_keys(file.to_str().unwrap());
    let status = app.wait_for("[data-testid=import-status]", SHORT);
    app.wait_until(
        "the import status",
        SHORT,
        || status.text(),
        |t| t.contains("key file"),
    );
    let password_field = app.wait_for("[data-testid=import-password]", SHORT);
    password_field.send_keys("export secret");
    app.wait_for("[data-testid=import-unlock]", SHORT).click();
    let error = text_of(&app, "[data-testid=import-error]");
    assert!(error.contains("key file"), "{error}");

    app.wait_for("[data-testid=import-key-file]", SHORT)
        .send_keys(key.to_str().unwrap());
    let chosen = app.wait_for("[data-testid=import-key-name]", SHORT);
    app.wait_until(
        "the chosen key file",
        SHORT,
        || chosen.text(),
        |t| t == "tessera.keyx",
    );
    app.wait_for("[data-testid=import-unlock]", SHORT).click();
    let found = text_of(&app, "[data-testid=found]");
    assert!(
        found.contains("Keep (ann)") && found.contains("Pass (bob)"),
        "{found}"
    );
    app.wait_for("[data-testid=add-found]", SHORT).click();
    wait_for_rows(&app, "the imported accounts", 2);
}
