//! Nothing secret in output. A known secret and a known recovery code are
//! planted, then every CLI command runs, and the app's main flows, with every
//! logging and backtrace switch on; neither may appear in what they print,
//! in an error, in a file that is meant to be encrypted, or (for the app) in
//! the page before the user asks to reveal it.
//!
//! Output the user asks for in the clear (`export --plain`, `qr`, `scan`
//! printing a payload, `recovery list --reveal`) is the point of those
//! commands and is not checked here; each of those needs its own flag.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::util::{app_binary, stdout_ok, TestVault};
use crate::webdriver::AppSession;

/// "LeakCanaryLeakCanary" (20 bytes), as base32: distinctive in every
/// encoding the search below tries.
const PLANTED_SECRET: &str = "JRSWC22DMFXGC4TZJRSWC22DMFXGC4TZ";
const PLANTED_SECRET_BYTES: &[u8] = b"LeakCanaryLeakCanary";
/// A recovery code as GitHub formats them.
const PLANTED_RECOVERY: &str = "c4n4r-y7l3k";

/// Every switch that makes Rust, GLib or WebKit say more.
const LOUD: &[(&str, &str)] = &[
    ("RUST_LOG", "trace"),
    ("RUST_BACKTRACE", "full"),
    ("G_MESSAGES_DEBUG", "all"),
];

/// The planted values in the forms they could leak in: base32 in either
/// case, hex, the raw bytes, and the recovery code with or without its dash.
fn leaks_in(text: &str) -> Vec<&'static str> {
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase();
    let hex: String = PLANTED_SECRET_BYTES
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut found = Vec::new();
    if squeezed.contains(&PLANTED_SECRET.to_lowercase()) {
        found.push("the secret (base32)");
    }
    if squeezed.contains(&hex) {
        found.push("the secret (hex)");
    }
    if squeezed.contains("leakcanary") {
        found.push("the secret (raw bytes)");
    }
    if squeezed.contains(&PLANTED_RECOVERY.replace('-', "")) {
        found.push("the recovery code");
    }
    found
}

fn assert_clean(what: &str, output: &Output) {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let found = leaks_in(&text);
    assert!(found.is_empty(), "`{what}` printed {found:?}:\n{text}");
}

fn assert_file_clean(what: &str, path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let found = leaks_in(&String::from_utf8_lossy(&bytes));
    assert!(found.is_empty(), "{what} holds {found:?} in the clear");
}

/// Runs the CLI loudly with the vault's password file and checks its output.
fn run(vault: &TestVault, args: &[&str]) -> Output {
    let mut all = vec!["--password-file", vault.password_file.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = vault
        .command(&all)
        .envs(LOUD.iter().copied())
        .output()
        .expect("could not run tessera");
    assert_clean(&args.join(" "), &output);
    output
}

fn run_ok(vault: &TestVault, args: &[&str]) {
    let output = run(vault, args);
    stdout_ok(&output, &args.join(" "));
}

fn run_failing(vault: &TestVault, args: &[&str]) {
    let output = run(vault, args);
    assert!(
        !output.status.success(),
        "`{}` should have failed",
        args.join(" ")
    );
}

#[test]
fn no_cli_command_prints_a_planted_secret_or_recovery_code() {
    let vault = TestVault::new();
    let dir = vault.dir.path();
    let uri = format!("otpauth://totp/Canary:finch?secret={PLANTED_SECRET}&issuer=Canary");
    run_ok(&vault, &["init"]);
    run_ok(&vault, &["add", &uri]);
    // Errors about a URI or a secret must name the problem, not echo them.
    run_failing(&vault, &["add", &uri]);
    run_failing(&vault, &["add", &format!("{uri}&digits=99")]);
    run_failing(&vault, &["add", &format!("{uri}&algorithm=MD5")]);
    run_failing(
        &vault,
        &["add", &format!("otpauth://totp/X?secret={PLANTED_SECRET}!")],
    );
    run_failing(
        &vault,
        &["add", &format!("otpauth://hotp/X?secret={PLANTED_SECRET}")],
    );
    run_failing(
        &vault,
        &[
            "add",
            &format!("otpauth://totp/%ZZ?secret={PLANTED_SECRET}"),
        ],
    );
    run_failing(
        &vault,
        &["gen", "--secret", PLANTED_SECRET, "--digits", "99"],
    );
    run_failing(&vault, &["gen", "--secret", &format!("{PLANTED_SECRET}1")]);
    run_failing(&vault, &["gen", &format!("{uri}&period=0")]);
    run_ok(&vault, &["gen", "--secret", PLANTED_SECRET, "--json"]);
    run_ok(&vault, &["list"]);
    run_ok(&vault, &["list", "--json"]);
    run_ok(&vault, &["code"]);
    run_ok(&vault, &["code", "canary", "--json"]);
    run_ok(
        &vault,
        &["edit", "canary", "--notes", "planted for the leak test"],
    );
    run_ok(
        &vault,
        &[
            "recovery",
            "add",
            "canary",
            PLANTED_RECOVERY,
            "x9y8z-7w6v5",
            "--yes",
        ],
    );
    run_ok(&vault, &["recovery", "list"]);
    run_ok(&vault, &["recovery", "list", "--json"]);
    run_failing(&vault, &["recovery", "use", "canary", "nope0-nope1"]);
    run_ok(&vault, &["recovery", "use", "canary", PLANTED_RECOVERY]);
    run_failing(&vault, &["recovery", "use", "canary", PLANTED_RECOVERY]);
    run_ok(&vault, &["recovery", "list", "canary"]);

    // Encrypted exports hold neither value in the clear; importing them
    // says what it adds, by name.
    let export_password = dir.join("export-password");
    crate::util::write_secret(&export_password, "battery staple\n");
    for (format, file) in [("tessera", "backup.tessera"), ("aegis", "aegis.json")] {
        let path = dir.join(file);
        run_ok(
            &vault,
            &[
                "export",
                "--format",
                format,
                "-o",
                path.to_str().unwrap(),
                "--export-password-file",
                export_password.to_str().unwrap(),
            ],
        );
        assert_file_clean(&format!("the {format} export"), &path);
        let other = TestVault::new();
        run_ok(&other, &["init"]);
        run_ok(
            &other,
            &[
                "import",
                path.to_str().unwrap(),
                "--import-password-file",
                export_password.to_str().unwrap(),
            ],
        );
        run_ok(&other, &["list"]);
    }
    // A plain export must be asked for.
    run_failing(&vault, &["export", "--format", "uris"]);
    // A QR image is asked for; saying where it went is not a leak.
    let png = dir.join("canary.png");
    run_ok(&vault, &["qr", "canary", "-o", png.to_str().unwrap()]);
    // The check itself sees a leak where there is one: a plain scan prints
    // the payload, secret included, because that is what it is for.
    let scanned = vault
        .command(&["scan", png.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        leaks_in(&String::from_utf8_lossy(&scanned.stdout)),
        ["the secret (base32)"],
        "the leak check missed a printed secret"
    );
    // Scanning it into another vault with --add reports names only.
    let other = TestVault::new();
    run_ok(&other, &["init"]);
    run_ok(&other, &["scan", png.to_str().unwrap(), "--add"]);
    run_ok(&other, &["scan", png.to_str().unwrap(), "--add"]);
    // Wrong passwords, a damaged vault.
    let wrong = dir.join("wrong-password");
    crate::util::write_secret(&wrong, "not it\n");
    let output = vault
        .command(&["--password-file", wrong.to_str().unwrap(), "list"])
        .envs(LOUD.iter().copied())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_clean("list with a wrong password", &output);
    run_ok(&vault, &["remove", "canary", "--yes"]);
    run_ok(&vault, &["recovery", "list"]);

    // At rest, the vault and its backups are ciphertext.
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(vault.path.file_name().unwrap().to_str().unwrap()) {
            assert_file_clean(&name, &path);
        }
    }
}

#[test]
fn the_app_keeps_a_planted_secret_out_of_its_output_and_the_page() {
    let vault = TestVault::new();
    let log = vault.dir.path().join("app.log");
    let mut env: Vec<(&str, &str)> = LOUD.to_vec();
    let vault_path = vault.path.to_str().unwrap().to_owned();
    env.push(("TESSERA_VAULT", &vault_path));
    let app = AppSession::start_logged(&app_binary(), &env, &log);
    let short = Duration::from_secs(20);
    app.wait_for("[data-testid=setup-form]", Duration::from_secs(60));
    app.wait_for("[data-testid=new-password]", short)
        .send_keys("correct horse battery");
    app.wait_for("[data-testid=new-password-again]", short)
        .send_keys("correct horse battery");
    let keyring = app.wait_for("[data-testid=use-keyring]", short);
    if keyring.property("checked").as_bool() == Some(true) {
        keyring.click();
    }
    app.wait_for("[data-testid=create-vault]", short).click();
    app.wait_for("[data-testid=empty-add]", Duration::from_secs(60))
        .click();
    let uri = format!("otpauth://totp/Canary:finch?secret={PLANTED_SECRET}&issuer=Canary");
    // A malformed link first: the error names the problem only.
    app.wait_for("[data-testid=uri]", short)
        .send_keys(&format!("{uri}&digits=99"));
    app.wait_for("[data-testid=add-uri]", short).click();
    app.wait_until(
        "an error about the link",
        short,
        || page(&app),
        |text| text.contains("digits"),
    );
    let field = app.wait_for("[data-testid=uri]", short);
    field.clear();
    field.send_keys(&uri);
    app.wait_for("[data-testid=add-uri]", short).click();
    app.wait_for("[data-testid=added-done]", short).click();
    app.wait_for("[data-testid=account]", short);
    // The page (and so everything the webview was sent to show) has names
    // and codes; the URI typed into the add form is gone with the form.
    let html = app
        .execute("return document.documentElement.outerHTML;")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        leaks_in(&html).is_empty(),
        "the page holds {:?}",
        leaks_in(&html)
    );
    app.wait_for("[data-testid=copy]", short).click();
    app.wait_for("[data-testid=lock]", short).click();
    let password = app.wait_for("[data-testid=password]", short);
    password.send_keys("wrong horse");
    app.wait_for("[data-testid=unlock]", short).click();
    app.wait_for("[data-testid=unlock-error]", short);
    drop(app);
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let found = leaks_in(&output);
    assert!(
        found.is_empty(),
        "the app's output holds {found:?}:\n{output}"
    );
    for entry in std::fs::read_dir(vault.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tessera") {
            assert_file_clean(&path.display().to_string(), &path);
        }
    }
}

fn page(app: &AppSession) -> String {
    app.execute("return document.body.innerText;")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
