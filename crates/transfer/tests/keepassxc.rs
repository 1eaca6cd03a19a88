//! Tessera's KeePass export and import against the real KeePassXC
//! (`keepassxc-cli`, 2.7): what Tessera writes must open there and show the
//! same codes, and what KeePassXC writes must import into Tessera.
//!
//! `keepassxc-cli` 2.7 has no option to set an entry's TOTP (`add` and
//! `edit` cannot), so databases with one-time passwords are made with its
//! `import` of a KeePass XML file, as the fixtures in `tests/data/kdbx/`
//! were. Without `keepassxc-cli` the CLI tests print "skipped" and pass,
//! unless the `CI` environment variable is set, where they fail. The
//! fixture test needs no CLI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use tessera_otp::{Algorithm, Enrollment, OtpKind, OtpParams, Secret};
use tessera_transfer::{exporter, import_with, Entry, ImportError, Password};

const PASSWORD: &str = "tessera";

/// Whether `keepassxc-cli` runs; panics under CI when it does not.
fn have_cli() -> bool {
    let found = Command::new("keepassxc-cli")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "keepassxc-cli is required under CI"
        );
        println!("skipped: keepassxc-cli is not installed");
    }
    found
}

/// Runs `keepassxc-cli` with the password (and any further lines) on
/// standard input; returns standard output.
fn cli(args: &[&str], stdin: &str) -> String {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "keepassxc-cli {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "tessera-keepassxc-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// KeePassXC's current code for an entry, checked against Tessera's code
/// for the time step KeePassXC used (the clock is read before and after,
/// so a step boundary in between is no failure).
fn assert_same_code(
    database: &Path,
    key_file: Option<&Path>,
    title: &str,
    enrollment: &Enrollment,
) {
    let db = database.to_str().unwrap();
    let mut args = vec!["show", "-q", "-t"];
    if let Some(key_file) = key_file {
        args.extend(["-k", key_file.to_str().unwrap()]);
    }
    args.extend([db, title]);
    let before = now();
    let output = cli(&args, &format!("{PASSWORD}\n"));
    let after = now();
    let shown = output.trim();
    let candidates: Vec<String> = [before, after]
        .iter()
        .map(|&t| enrollment.code_at(t).unwrap().as_str().to_owned())
        .collect();
    assert!(
        candidates.iter().any(|code| code == shown),
        "{title}: KeePassXC shows {shown:?}, Tessera {candidates:?}"
    );
}

fn enrollment(issuer: &str, name: &str, secret: &str, params: OtpParams) -> Enrollment {
    Enrollment {
        issuer: issuer.into(),
        name: name.into(),
        secret: Secret::from_base32(secret).unwrap(),
        params,
    }
}

#[test]
fn tessera_exports_open_in_keepassxc_with_the_same_codes() {
    if !have_cli() {
        return;
    }
    let mut github = Entry::new(enrollment(
        "GitHub",
        "alice@example.com",
        "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        OtpParams::totp(),
    ));
    github.notes = "work laptop".into();
    github.tags = vec!["work".into()];
    let accounts = vec![
        github,
        Entry::new(enrollment(
            "Bank",
            "carol",
            "7ELGJSGXNCCTV3O6LKJWYFV2RA",
            OtpParams {
                algorithm: Algorithm::Sha256,
                digits: 8,
                ..OtpParams::totp()
            },
        )),
        Entry::new(enrollment(
            "Long",
            "period",
            "JGRMXBLPPYQIFMRBFQDHNP3MPPYQYNUN",
            OtpParams {
                algorithm: Algorithm::Sha512,
                period: 60,
                ..OtpParams::totp()
            },
        )),
        Entry::new(enrollment(
            "Legacy",
            "eight",
            "JBSWY3DPEHPK3PXP",
            OtpParams {
                digits: 8,
                ..OtpParams::totp()
            },
        )),
        Entry::new(enrollment(
            "Steam",
            "sophia",
            "JRZCL47CMXVOQMNPZR2F7J4RGI",
            OtpParams::steam(),
        )),
    ];
    let kdbx = exporter("kdbx").unwrap();
    let output = kdbx
        .export(&accounts, Some(&Password::from(PASSWORD)))
        .unwrap();
    assert!(output.skipped.is_empty(), "{:?}", output.skipped);
    let dir = scratch("export");
    let database = dir.join("tessera.kdbx");
    std::fs::write(&database, &*output.bytes).unwrap();
    let db = database.to_str().unwrap();

    let listed = cli(&["ls", "-q", db], &format!("{PASSWORD}\n"));
    let titles: Vec<&str> = listed.lines().collect();
    assert_eq!(titles, ["GitHub", "Bank", "Long", "Legacy", "Steam"]);
    let shown = cli(&["show", "-q", db, "GitHub"], &format!("{PASSWORD}\n"));
    assert!(shown.contains("UserName: alice@example.com"), "{shown}");
    assert!(shown.contains("Notes: work laptop"), "{shown}");
    assert!(shown.contains("Tags: work"), "{shown}");
    for account in &accounts {
        assert_same_code(
            &database,
            None,
            &account.enrollment.issuer,
            &account.enrollment,
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The accounts `tests/data/kdbx/keepassxc-source.xml` holds, as Tessera
/// must read them: not the password-only entry, not the recycle bin's.
fn expected_from_fixture() -> Vec<(Enrollment, Vec<String>, &'static str)> {
    vec![
        (
            enrollment(
                "GitHub",
                "alice@example.com",
                "4SJHB4GSD43FZBAI7C2HLRJGPQ",
                OtpParams::totp(),
            ),
            vec![],
            "recovery codes in the safe",
        ),
        (
            enrollment(
                "Bank",
                "carol",
                "7ELGJSGXNCCTV3O6LKJWYFV2RA",
                OtpParams {
                    algorithm: Algorithm::Sha256,
                    digits: 8,
                    period: 60,
                    ..OtpParams::totp()
                },
            ),
            vec![],
            "",
        ),
        (
            enrollment(
                "Legacy",
                "bob",
                "JBSWY3DPEHPK3PXP",
                OtpParams {
                    digits: 8,
                    ..OtpParams::totp()
                },
            ),
            vec!["Work".into()],
            "",
        ),
        (
            enrollment(
                "Steam",
                "gaben",
                "JRZCL47CMXVOQMNPZR2F7J4RGI",
                OtpParams::steam(),
            ),
            vec!["Work".into()],
            "",
        ),
    ]
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/kdbx")
        .join(name)
}

fn check_fixture_import(database: &Path, key_file: Option<&Path>) -> Vec<Entry> {
    let bytes = std::fs::read(database).unwrap();
    let key = key_file.map(|path| std::fs::read(path).unwrap());
    let (importer, report) =
        import_with(&bytes, Some(&Password::from(PASSWORD)), key.as_deref()).unwrap();
    assert_eq!(importer.id(), "kdbx");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let got: Vec<(Enrollment, Vec<String>, &str)> = report
        .entries
        .iter()
        .map(|e| (e.enrollment.clone(), e.tags.clone(), e.notes.as_str()))
        .collect();
    assert_eq!(got, expected_from_fixture());
    report.entries
}

#[test]
fn keepassxc_made_fixtures_import() {
    check_fixture_import(&fixture("keepassxc.kdbx"), None);
    let key = fixture("keepassxc.key");
    check_fixture_import(&fixture("keepassxc-keyfile.kdbx"), Some(&key));
    // Without the key file: the wrong-password message says a key file
    // may be needed.
    let bytes = std::fs::read(fixture("keepassxc-keyfile.kdbx")).unwrap();
    let Err(error) = import_with(&bytes, Some(&Password::from(PASSWORD)), None) else {
        panic!("opened without its key file");
    };
    assert!(
        matches!(error, ImportError::WrongPasswordOrKeyFile { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("key file"), "{error}");
}

#[test]
fn databases_keepassxc_makes_now_import_with_the_codes_it_shows() {
    if !have_cli() {
        return;
    }
    let dir = scratch("import");
    let stdin = format!("{PASSWORD}\n{PASSWORD}\n");

    // A database from `db-create` and `add`: a password entry, no account.
    let plain = dir.join("plain.kdbx");
    let plain_path = plain.to_str().unwrap();
    cli(&["db-create", "-q", "-p", "-t", "100", plain_path], &stdin);
    cli(
        &["add", "-q", "-u", "dave", plain_path, "Password only"],
        &format!("{PASSWORD}\n"),
    );
    let (importer, report) = import_with(
        &std::fs::read(&plain).unwrap(),
        Some(&Password::from(PASSWORD)),
        None,
    )
    .unwrap();
    assert_eq!(importer.id(), "kdbx");
    assert!(report.entries.is_empty() && report.errors.is_empty());

    // One-time passwords through KeePassXC's XML import, with and without
    // a key file; Tessera must read them and agree with KeePassXC's codes.
    let source = fixture("keepassxc-source.xml");
    let source = source.to_str().unwrap();
    let with_otp = dir.join("otp.kdbx");
    cli(
        &[
            "import",
            "-q",
            "-p",
            "-t",
            "100",
            source,
            with_otp.to_str().unwrap(),
        ],
        &stdin,
    );
    let key = dir.join("made.key");
    let keyed = dir.join("keyed.kdbx");
    let scratch_db = dir.join("for-key.kdbx");
    cli(
        &[
            "db-create",
            "-q",
            "-p",
            "-t",
            "100",
            "--set-key-file",
            key.to_str().unwrap(),
            scratch_db.to_str().unwrap(),
        ],
        &stdin,
    );
    cli(
        &[
            "import",
            "-q",
            "-p",
            "-t",
            "100",
            "--set-key-file",
            key.to_str().unwrap(),
            source,
            keyed.to_str().unwrap(),
        ],
        &stdin,
    );
    for (database, key_file) in [(&with_otp, None), (&keyed, Some(key.as_path()))] {
        let entries = check_fixture_import(database, key_file);
        for (entry, path) in entries
            .iter()
            .zip(["GitHub", "Bank", "Work/Legacy", "Work/Steam"])
        {
            assert_same_code(database, key_file, path, &entry.enrollment);
        }
    }
    assert_eq!(
        expected_from_fixture()
            .iter()
            .filter(|(e, _, _)| e.params.kind == OtpKind::Steam)
            .count(),
        1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
