//! Recovery codes through the CLI: storing blocks as services hand them out,
//! marking codes used, the replacement flow of rotating services, warnings,
//! and that codes stay hidden unless revealed. Every command is a new
//! process, so each step also proves the state persisted in the vault.

use serde_json::Value;

use crate::util::{stderr_failed, stdout_ok, TestVault};

const GITHUB_CODES: &str = "a1b2c-3d4e5\nf6a7b-8c9d0\n0e1f2-a3b4c\n5d6e7-f8091\n2a3b4-c5d6e\n7f809-1a2b3\n\
                            c4d5e-6f7a8\nb9c0d-1e2f3\n4a5b6-c7d8e\n9f0a1-b2c3d\ne4f5a-6b7c8\nd9e0f-1a2b3\n\
                            c4d5e-6f7a9\n8b9c0-d1e2f\n3a4b5-c6d7e\n8f9a0-b1c2d\n";

const GOOGLE_CODES: &str = "BACKUP VERIFICATION CODES\nalice@gmail.com\n\n\
                            1. 4821 0937      2. 1749 3306\n3. 5520 8461      4. 9034 2217\n\
                            5. 6618 7745      6. 3092 5580\n7. 7431 0062      8. 2209 6634\n\
                            9. 8850 1193     10. 4476 9028\n\n\
                            * You can only use each backup code once.\n* Generated: Nov 23, 2026\n";

fn vault_with_github() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    stdout_ok(
        &vault.run_with_password(&[
            "add",
            "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
        ]),
        "add",
    );
    vault
}

fn listed(vault: &TestVault, extra: &[&str]) -> Value {
    let mut args = vec!["recovery", "list", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&stdout_ok(&vault.run_with_password(&args), "recovery list")).unwrap()
}

#[test]
fn github_file_is_stored_used_and_kept_hidden() {
    let vault = vault_with_github();
    let file = vault.dir.path().join("github-recovery-codes.txt");
    std::fs::write(&file, GITHUB_CODES).unwrap();
    let out = stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "github",
            "--file",
            file.to_str().unwrap(),
            "--note",
            "printed",
        ]),
        "recovery add",
    );
    assert!(out.contains("found 16 codes"), "{out}");
    assert!(
        out.contains("found 16 codes: •••••-•••••, •••••-•••••"),
        "shows what it found, masked as the app masks it: {out}"
    );
    assert!(!out.contains("a1b2c-3d4e5"), "{out}");

    let list = listed(&vault, &[]);
    let entry = &list[0];
    assert_eq!(entry["issuer"], "GitHub");
    assert_eq!(entry["name"], "alice");
    assert_eq!(entry["unused"], 16);
    assert_eq!(entry["used"], 0);
    assert_eq!(entry["note"], "printed");
    assert!(
        entry["codes"][0].get("code").is_none(),
        "no code without --reveal"
    );
    let revealed = listed(&vault, &["--reveal"]);
    assert_eq!(revealed[0]["codes"][0]["code"], "a1b2c-3d4e5");
    assert_eq!(revealed[0]["codes"][15]["code"], "8f9a0-b1c2d");

    // Typed back without the dash and in capitals, as people do.
    let out = stdout_ok(
        &vault.run_with_password(&["recovery", "use", "github", "A1B2C3D4E5"]),
        "use",
    );
    assert!(out.contains("15 unused left"), "{out}");
    let list = listed(&vault, &["github"]);
    assert_eq!(list[0]["unused"], 15);
    assert_eq!(list[0]["codes"][0]["used"], true);
    assert!(list[0]["codes"][0]["used_at"].as_u64().unwrap() > 1_700_000_000);
    let err = stderr_failed(
        &vault.run_with_password(&["recovery", "use", "github", "a1b2c-3d4e5"]),
        "reuse",
    );
    assert!(err.contains("already used"), "{err}");
    assert!(!err.contains("a1b2c"), "errors never show codes: {err}");

    let text = stdout_ok(
        &vault.run_with_password(&["recovery", "list"]),
        "plain list",
    );
    assert!(text.contains("15 unused, 1 used"), "{text}");
    assert!(!text.contains("f6a7b-8c9d0"), "masked: {text}");

    // The same block again is refused whole.
    let err = stderr_failed(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "github",
            "--file",
            file.to_str().unwrap(),
        ]),
        "duplicate block",
    );
    assert!(err.contains("already stored"), "{err}");
    assert_eq!(
        listed(&vault, &[])[0]["codes"].as_array().unwrap().len(),
        16
    );
}

#[test]
fn google_block_on_stdin_for_a_service_without_an_otp_account() {
    let vault = vault_with_github();
    let err = stderr_failed(
        &vault.run_with_password_and_input(&["recovery", "add", "Google"], GOOGLE_CODES),
        "no such account",
    );
    assert!(err.contains("--new-service"), "{err}");
    let out = stdout_ok(
        &vault.run_with_password_and_input(
            &[
                "recovery",
                "add",
                "Google",
                "--new-service",
                "--name",
                "alice@gmail.com",
            ],
            GOOGLE_CODES,
        ),
        "add google",
    );
    assert!(out.contains("found 10 codes"), "{out}");
    let list = listed(&vault, &["google", "--reveal"]);
    assert_eq!(list[0]["issuer"], "Google");
    assert_eq!(list[0]["name"], "alice@gmail.com");
    let codes: Vec<&str> = list[0]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(codes[0], "4821 0937", "kept exactly as issued");
    assert_eq!(codes[9], "4476 9028");
}

#[test]
fn few_left_warning_appears_at_the_threshold() {
    let vault = vault_with_github();
    stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "github",
            "1111-aaaa",
            "2222-bbbb",
            "3333-cccc",
            "4444-dddd",
        ]),
        "add four",
    );
    stdout_ok(
        &vault.run_with_password(&["recovery", "use", "github", "1111-aaaa"]),
        "use 1",
    );
    assert_eq!(
        listed(&vault, &[])[0]["warnings"].as_array().unwrap().len(),
        0
    );
    let output = vault.run_with_password(&["recovery", "use", "github", "2222-bbbb"]);
    stdout_ok(&output, "use 2");
    let warning = String::from_utf8_lossy(&output.stderr);
    assert!(
        warning.contains("only 2 unused recovery codes left"),
        "{warning}"
    );
    let warnings = listed(&vault, &[])[0]["warnings"].clone();
    assert_eq!(warnings.as_array().unwrap().len(), 1, "{warnings}");
}

#[test]
fn rotating_code_asks_for_its_replacement_and_keeps_history() {
    let vault = vault_with_github();
    stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "github",
            "--rotating",
            "AB3DE-FG5IJ-K7MNO-P9RST-UV1XY",
        ]),
        "add rotating",
    );
    let output =
        vault.run_with_password(&["recovery", "use", "github", "AB3DE-FG5IJ-K7MNO-P9RST-UV1XY"]);
    stdout_ok(&output, "use rotating");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("save the new one"),
        "asks for the replacement: {stderr}"
    );
    let list = listed(&vault, &[]);
    assert_eq!(list[0]["rotating"], true);
    assert!(list[0]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("replacement was not saved"));

    // The replacement, given as the service shows it.
    stdout_ok(
        &vault.run_with_password(&["recovery", "add", "github", "ZY9WV-UT8RQ-PO7ML-KJ6HG-FE5DC"]),
        "replacement",
    );
    let list = listed(&vault, &["--reveal"]);
    assert_eq!(list[0]["warnings"].as_array().unwrap().len(), 0);
    assert_eq!(list[0]["unused"], 1);
    assert_eq!(list[0]["used"], 1, "the used code stays as history");

    // Or in one step with --replacement.
    stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "use",
            "github",
            "ZY9WV-UT8RQ-PO7ML-KJ6HG-FE5DC",
            "--replacement",
            "QQ2WW-EE3RR-TT4YY-UU5II-OO6PP",
        ]),
        "use with replacement",
    );
    let list = listed(&vault, &["--reveal"]);
    assert_eq!(
        (list[0]["unused"].as_u64(), list[0]["used"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(list[0]["codes"][2]["code"], "QQ2WW-EE3RR-TT4YY-UU5II-OO6PP");
}

#[test]
fn removing_the_account_keeps_its_recovery_codes() {
    let vault = vault_with_github();
    stdout_ok(
        &vault.run_with_password(&["recovery", "add", "github", "9999-zzzz", "8888-yyyy"]),
        "add",
    );
    stdout_ok(
        &vault.run_with_password(&["remove", "github", "--yes"]),
        "remove account",
    );
    let list = listed(&vault, &[]);
    assert_eq!(list[0]["issuer"], "GitHub");
    assert_eq!(list[0]["unused"], 2);
    let err = stderr_failed(
        &vault.run_with_password(&["recovery", "remove", "github"]),
        "remove all without --yes",
    );
    assert!(err.contains("--yes"), "{err}");
    stdout_ok(
        &vault.run_with_password(&["recovery", "remove", "github", "9999zzzz"]),
        "remove one code",
    );
    assert_eq!(listed(&vault, &[])[0]["unused"], 1);
    stdout_ok(
        &vault.run_with_password(&["recovery", "remove", "github", "--yes"]),
        "remove all",
    );
    assert_eq!(listed(&vault, &[]).as_array().unwrap().len(), 0);
}

/// Issue 23: pasting a newly issued set added it to the old one ("18 of
/// 32 unused", the dead codes still counted). A set sharing no code with
/// the kept one is asked about (here, off a terminal, refused naming the
/// two choices); `--replace` keeps the old codes as history, marked
/// replaced, and counts only the new set; `--more` adds.
#[test]
fn regression_a_new_set_replaces_the_old_one_instead_of_adding_to_it() {
    let vault = vault_with_github();
    stdout_ok(
        &vault.run_with_password(&[
            "recovery",
            "add",
            "github",
            "old1-aaaa",
            "old2-bbbb",
            "old3-cccc",
        ]),
        "the first set",
    );
    stdout_ok(
        &vault.run_with_password(&["recovery", "use", "github", "old1-aaaa"]),
        "use one",
    );
    let new_set = ["recovery", "add", "github", "new1-dddd", "new2-eeee"];
    let err = stderr_failed(&vault.run_with_password(&new_set), "a set sharing no code");
    assert!(err.contains("--replace") && err.contains("--more"), "{err}");
    assert_eq!(listed(&vault, &[])[0]["unused"], 2, "nothing saved");

    let mut replace = new_set.to_vec();
    replace.push("--replace");
    let out = stdout_ok(&vault.run_with_password(&replace), "replace");
    assert!(out.contains("2 unused"), "{out}");
    assert!(
        out.contains("3 codes of the old set kept as history"),
        "{out}"
    );
    let list = listed(&vault, &["--reveal"]);
    assert_eq!(
        (&list[0]["unused"], &list[0]["used"], &list[0]["replaced"]),
        (&Value::from(2), &Value::from(0), &Value::from(3))
    );
    let codes = list[0]["codes"].as_array().unwrap();
    assert!(codes[1]["replaced_at"].as_u64().is_some(), "{codes:?}");
    assert!(codes[3]["replaced_at"].is_null(), "{codes:?}");
    let text = stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--reveal"]),
        "revealed list",
    );
    let new_at = text.find("new1-dddd").unwrap();
    assert!(
        new_at < text.find("old1-aaaa").unwrap(),
        "the current set first: {text}"
    );
    assert!(text.contains("replaced "), "{text}");
    let err = stderr_failed(
        &vault.run_with_password(&["recovery", "use", "github", "old2-bbbb"]),
        "a replaced code",
    );
    assert!(err.contains("replaced"), "{err}");
    let text = stdout_ok(
        &vault.run_with_password(&["recovery", "list"]),
        "plain list",
    );
    assert!(text.contains("2 unused, 0 used, 3 replaced"), "{text}");

    stdout_ok(
        &vault.run_with_password(&["recovery", "add", "github", "--more", "new3-ffff"]),
        "more codes of the same set",
    );
    assert_eq!(listed(&vault, &[])[0]["unused"], 3);
}

/// Issue 23: a mistaken "Mark used" could not be undone; and the unused
/// codes come first in a listing.
#[test]
fn regression_a_mistaken_mark_used_is_undone_and_unused_codes_come_first() {
    let vault = vault_with_github();
    stdout_ok(
        &vault.run_with_password(&["recovery", "add", "github", "aaaa-1111", "bbbb-2222"]),
        "add",
    );
    stdout_ok(
        &vault.run_with_password(&["recovery", "use", "github", "aaaa-1111"]),
        "use",
    );
    let text = stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--reveal"]),
        "revealed list",
    );
    let unused_at = text.find("bbbb-2222").unwrap();
    assert!(
        unused_at < text.find("aaaa-1111").unwrap(),
        "unused first: {text}"
    );
    let out = stdout_ok(
        &vault.run_with_password(&["recovery", "use", "github", "AAAA1111", "--undo"]),
        "undo",
    );
    assert!(
        out.contains("unused again") && out.contains("2 unused"),
        "{out}"
    );
    let list = listed(&vault, &[]);
    assert_eq!(list[0]["unused"], 2);
    assert_eq!(list[0]["codes"][0]["used"], false);
    let err = stderr_failed(
        &vault.run_with_password(&["recovery", "use", "github", "aaaa-1111", "--undo"]),
        "undo an unused code",
    );
    assert!(err.contains("not marked used"), "{err}");
}
