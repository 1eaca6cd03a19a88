//! Acceptance against every export file of the shared corpus
//! (`../shared/corpora/importers`, both `aegis-tests/` and `more/`): each
//! file must import, through detection by content, to exactly the entries
//! an independent reader found in it (`verified_entries.json` there), and
//! each negative case must be refused with one clear line.
//!
//! The comparison rules, which each format's module documents on its side:
//! - type, secret bytes, algorithm, digits, and period (TOTP) or counter
//!   (HOTP) must be equal; Steam is checked by its secret alone, since its
//!   parameters are fixed;
//! - issuer and name must be equal, without surrounding spaces (Tessera
//!   trims labels); where the reader found neither (a password manager's
//!   item holding a bare secret), or the secret came as a Bitwarden
//!   `steam://` value with no label of its own, the item's title becomes
//!   the issuer and its user name the name (1Password's user name is not
//!   in the reader's record, so there only the issuer is checked);
//! - entries Tessera cannot hold (mOTP, Yandex, SHA-384, zero digits or
//!   period) must be per-entry errors, never dropped silently or imported
//!   changed;
//! - entries in a KeePass recycle bin are deleted ones and are left out.
//!
//! The corpus is other projects' GPL test data kept outside this
//! repository; when it is absent the test says it was skipped and passes.
//! `TESSERA_CORPUS_FILTER=substring` limits the run to matching files.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tessera_otp::{Algorithm, OtpKind};
use tessera_transfer::{import_with, Entry, Password};

fn corpus_root() -> Option<PathBuf> {
    let dir = match std::env::var_os("TESSERA_CORPORA") {
        Some(dir) => PathBuf::from(dir).join("importers"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/importers"),
    };
    dir.join("more/verified_entries.json")
        .is_file()
        .then_some(dir)
}

/// The bytes to import: the file, or for a 1Password OPVault folder its
/// profile, folders and bands in that order (what `tessera import`
/// reads from such a folder).
fn read_source(path: &Path) -> Vec<u8> {
    if !path.is_dir() {
        return std::fs::read(path).unwrap();
    }
    tessera_transfer::formats::opvault::read_vault_folder(path)
        .unwrap()
        .to_vec()
}

/// The password and key file a fixture's record names: `null`, `"test"`,
/// or `"password + keyfile test3.key"`.
fn credentials(record: &Value, path: &Path) -> (Option<Password>, Option<Vec<u8>>) {
    let Some(text) = record["password"].as_str() else {
        return (None, None);
    };
    match text.split_once(" + keyfile ") {
        Some((password, key_file)) => {
            let key = std::fs::read(path.parent().unwrap().join(key_file)).unwrap();
            (Some(Password::from(password.to_owned())), Some(key))
        }
        None => (Some(Password::from(text.to_owned())), None),
    }
}

/// Whether Tessera holds this expected entry, or must report it as an
/// entry error.
fn holdable(expected: &Value) -> bool {
    // A record without a type is an item the reader could not make an
    // account of (Proton Pass's malformed TOTP field).
    let Some(kind) = expected["type"].as_str() else {
        return false;
    };
    let algorithm = expected["algo"].as_str().unwrap_or("SHA1");
    matches!(kind, "totp" | "hotp" | "steam")
        && matches!(algorithm, "SHA1" | "SHA256" | "SHA512")
        && expected["digits"].as_u64() != Some(0)
        && expected["period"].as_u64() != Some(0)
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or("")
}

/// The issuer and name an expected entry must have in Tessera.
fn expected_labels(expected: &Value) -> (String, String) {
    let (issuer, name) = (text(expected, "issuer"), text(expected, "name"));
    let bitwarden_steam =
        text(expected, "uri_scheme") == "steam://" && expected.get("bw_item_name").is_some();
    if (!issuer.is_empty() || !name.is_empty()) && !bitwarden_steam {
        return (issuer.trim().to_owned(), name.trim().to_owned());
    }
    let title = ["kp_title", "bw_item_name", "op_item", "pass_item"]
        .iter()
        .map(|k| text(expected, k))
        .find(|t| !t.is_empty())
        .unwrap_or("");
    let user = ["kp_username", "bw_username"]
        .iter()
        .map(|k| text(expected, k))
        .find(|t| !t.is_empty())
        .unwrap_or("");
    (title.trim().to_owned(), user.trim().to_owned())
}

/// Why `entry` is not `expected`, or `None` when it is.
fn mismatch(entry: &Entry, expected: &Value) -> Option<String> {
    let enrollment = &entry.enrollment;
    let params = &enrollment.params;
    let kind = match params.kind {
        OtpKind::Totp => "totp",
        OtpKind::Hotp => "hotp",
        OtpKind::Steam => "steam",
    };
    let mut wrong = Vec::new();
    if kind != text(expected, "type") {
        wrong.push(format!("type {kind}"));
    }
    let (issuer, name) = expected_labels(expected);
    let name_known = expected.get("op_item").is_none();
    if enrollment.issuer != issuer || (name_known && enrollment.name != name) {
        wrong.push(format!(
            "label {:?}/{:?}, expected {issuer:?}/{name:?}",
            enrollment.issuer, enrollment.name
        ));
    }
    if params.kind != OtpKind::Steam {
        let algorithm = match params.algorithm {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        };
        if algorithm != text(expected, "algo") {
            wrong.push(format!("algorithm {algorithm}"));
        }
        if Some(u64::from(params.digits)) != expected["digits"].as_u64() {
            wrong.push(format!("digits {}", params.digits));
        }
        if params.kind == OtpKind::Hotp {
            if Some(params.counter) != expected["counter"].as_u64() {
                wrong.push(format!("counter {}", params.counter));
            }
        } else if Some(params.period) != expected["period"].as_u64() {
            wrong.push(format!("period {}", params.period));
        }
    }
    (!wrong.is_empty()).then(|| wrong.join(", "))
}

/// Checks one fixture; returns what is wrong with it, or `None`.
fn check(root: &Path, file: &str, record: &Value) -> Option<String> {
    let path = root.join(file);
    let bytes = read_source(&path);
    let (password, key_file) = credentials(record, &path);
    let result = import_with(&bytes, password.as_ref(), key_file.as_deref());
    if record["ok"] == Value::Bool(false) {
        return match result {
            Err(error) if !error.to_string().contains('\n') => {
                println!("{file}: refused as expected: {error}");
                None
            }
            Err(error) => Some(format!("refused in more than one line: {error}")),
            Ok((importer, _)) => Some(format!("read as {}", importer.id())),
        };
    }
    let expected: Vec<&Value> = record["entries"].as_array().unwrap().iter().collect();
    let (importer, report) = match result {
        Ok(done) => done,
        Err(error) if expected.is_empty() => {
            println!("{file}: holds no account, refused: {error}");
            return None;
        }
        Err(error) => return Some(format!("not imported: {error}")),
    };
    let kept: Vec<&Value> = expected
        .iter()
        .copied()
        .filter(|e| e["in_recycle_bin"] != Value::Bool(true))
        .collect();
    let (holdable, refused): (Vec<&Value>, Vec<&Value>) =
        kept.iter().copied().partition(|e| holdable(e));
    // Links the reader kept aside as no account of its own (an `motp://`
    // line in Stratum's HTML export): Tessera reports each as an error.
    let other_uris = record["extra"]["other_uris"].as_array().map_or(0, Vec::len);
    let refused_count = refused.len() + other_uris;
    let mut problems = Vec::new();
    let mut unmatched: Vec<&Entry> = report.entries.iter().collect();
    for want in &holdable {
        let secret = text(want, "secret");
        let candidates: Vec<usize> = unmatched
            .iter()
            .enumerate()
            .filter(|(_, e)| e.enrollment.secret.to_base32().as_str() == secret)
            .map(|(i, _)| i)
            .collect();
        match candidates
            .iter()
            .find(|&&i| mismatch(unmatched[i], want).is_none())
        {
            Some(&i) => {
                unmatched.remove(i);
            }
            None => match candidates.first() {
                Some(&i) => problems.push(format!(
                    "{}/{}: {}",
                    text(want, "issuer"),
                    text(want, "name"),
                    mismatch(unmatched[i], want).unwrap()
                )),
                None => problems.push(format!(
                    "{}/{}: missing",
                    text(want, "issuer"),
                    text(want, "name")
                )),
            },
        }
    }
    if !unmatched.is_empty() && problems.is_empty() {
        problems.push(format!("{} unexpected entries", unmatched.len()));
    }
    if report.errors.len() != refused_count {
        problems.push(format!(
            "{} entry errors, expected {} ({:?})",
            report.errors.len(),
            refused_count,
            report
                .errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        ));
    }
    if problems.is_empty() {
        println!(
            "{file}: {} entries as expected ({}), {} refused",
            holdable.len(),
            importer.id(),
            refused_count
        );
        None
    } else {
        Some(format!("({}) {}", importer.id(), problems.join("; ")))
    }
}

#[test]
fn every_corpus_export_imports_to_the_verified_entries() {
    let Some(root) = corpus_root() else {
        println!("skipped: the shared importer corpus is not present");
        return;
    };
    let filter = std::env::var("TESSERA_CORPUS_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for folder in ["aegis-tests", "more"] {
        let list: Value = serde_json::from_slice(
            &std::fs::read(root.join(folder).join("verified_entries.json")).unwrap(),
        )
        .unwrap();
        for (file, record) in list["files"].as_object().unwrap() {
            let file = format!("{folder}/{file}");
            if !file.contains(&filter) {
                continue;
            }
            checked += 1;
            if let Some(problem) = check(&root, &file, record) {
                println!("{file}: FAILED {problem}");
                failures.push(format!("{file}: {problem}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
