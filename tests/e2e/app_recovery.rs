//! The recovery-code page through the real window: a newly issued set
//! replacing the kept one (and the question when it shares no code with
//! it), the preview in clear and the saved codes masked, unused codes
//! first, undoing a mistaken "Mark used", and the page following the vault
//! when the `tessera` CLI changes it while the page is open.

use serde_json::Value;

use crate::app::{
    confirm_dialog, page_text, paste_into, start, text_of, uri, SECRET, SHORT, START,
};
use crate::util::{stdout_ok, TestVault};
use crate::webdriver::AppSession;

const OLD: [&str; 3] = ["a1b2c-3d4e5", "f6a7b-8c9d0", "11111-22222"];
const NEW: [&str; 2] = ["9f8e7-6d5c4", "3b2a1-0f9e8"];

/// A vault with GitHub's account and its three codes, the first used, and
/// the app unlocked on it.
fn app_unlocked(vault: &TestVault) -> AppSession {
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    stdout_ok(
        &vault.run_with_password(&["add", &uri("GitHub", "kim", SECRET)]),
        "add",
    );
    let mut add = vec!["recovery", "add", "GitHub", "--yes"];
    add.extend_from_slice(&OLD);
    stdout_ok(&vault.run_with_password(&add), "recovery add");
    stdout_ok(
        &vault.run_with_password(&["recovery", "use", "GitHub", OLD[0]]),
        "use the first",
    );
    let app = start(vault);
    app.wait_for("[data-testid=password]", START)
        .send_keys("correct horse");
    app.wait_for("[data-testid=unlock]", SHORT).click();
    app.wait_for("[data-testid=account]", START);
    app
}

/// [`app_unlocked`], open on the set's page.
fn app_on_the_codes(vault: &TestVault) -> AppSession {
    let app = app_unlocked(vault);
    app.wait_for("[data-testid=recovery]", SHORT).click();
    app.wait_for("[data-testid=recovery-entry]", SHORT).click();
    app.wait_for("[data-testid=recovery-codes]", SHORT);
    app
}

/// The count line once it reads `want`.
fn wait_for_count(app: &AppSession, want: &str, what: &str) {
    let count = app.wait_for("[data-testid=recovery-count]", SHORT);
    app.wait_until(what, SHORT, || count.text(), |t| t == want);
}

/// The state of each listed code, top to bottom.
fn states(app: &AppSession) -> Vec<String> {
    app.find_all("[data-testid=recovery-code]")
        .iter()
        .map(|row| row.attribute("data-state").unwrap_or_default())
        .collect()
}

/// Issue 23: a mistaken "Mark used" could not be undone, and the used
/// codes were listed where they were stored, first among them.
#[test]
fn regression_unused_codes_come_first_and_a_mistaken_mark_used_is_undone() {
    let vault = TestVault::new();
    let app = app_on_the_codes(&vault);
    wait_for_count(&app, "2 of 3 unused", "the count");
    assert_eq!(states(&app), ["unused", "unused", "used"], "unused first");
    app.wait_for("[data-testid=recovery-undo]", SHORT).click();
    wait_for_count(&app, "3 of 3 unused", "the undone mark");
    assert_eq!(states(&app), ["unused", "unused", "unused"]);
    assert!(app.find_all("[data-testid=recovery-undo]").is_empty());
    let list: Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--json"]),
        "list",
    ))
    .unwrap();
    assert_eq!(list[0]["unused"], 3, "saved in the vault: {list}");
}

/// Issue 23: the recovery page went stale when the vault changed
/// elsewhere, and then showed a raw error. It follows the CLI's change
/// while open.
#[test]
fn regression_the_recovery_page_follows_changes_the_cli_makes() {
    let vault = TestVault::new();
    let app = app_on_the_codes(&vault);
    wait_for_count(&app, "2 of 3 unused", "the count");
    stdout_ok(
        &vault.run_with_password(&["recovery", "use", "GitHub", OLD[1]]),
        "use one from the CLI",
    );
    wait_for_count(&app, "1 of 3 unused", "the page following the CLI");
    assert_eq!(states(&app), ["unused", "used", "used"]);
    // Marking the code it shows as unused works on the list as it is now.
    app.wait_for("[data-testid=recovery-use]", SHORT).click();
    confirm_dialog(&app);
    wait_for_count(&app, "0 of 3 unused", "the last code used");
    assert!(
        !text_of(&app, "[data-testid=toast]").contains("changed meanwhile"),
        "no raw error"
    );
}

/// Issue 23: pasting a newly issued set added it to the old one ("18 of
/// 32 unused", the dead codes still counted). The page asks, as the codes
/// share none with the kept ones; replaced, the old codes are history,
/// neither counted nor offered. The preview shows the codes pasted, the
/// saved page masks them.
#[test]
fn regression_a_pasted_new_set_replaces_the_old_one_when_the_user_says_so() {
    let vault = TestVault::new();
    let app = app_on_the_codes(&vault);
    wait_for_count(&app, "2 of 3 unused", "the count");
    app.wait_for("[data-testid=recovery-more]", SHORT).click();
    paste_into(
        &app,
        "[data-testid=recovery-text]",
        &format!("GitHub recovery codes\n\n{}\n{}\n", NEW[0], NEW[1]),
    );
    let found = app.wait_until(
        "the preview",
        SHORT,
        || {
            app.execute(
                "return document.querySelector('[data-testid=recovery-found]').textContent;",
            )
            .as_str()
            .unwrap_or_default()
            .to_owned()
        },
        |t| t.starts_with("Found"),
    );
    assert_eq!(found, format!("Found 2 codes: {}  {}", NEW[0], NEW[1]));
    let question = text_of(&app, "[data-testid=recovery-mode] legend");
    assert!(
        question.contains("share none with the 3 codes kept"),
        "{question}"
    );
    // Not saved until the user answers.
    app.wait_for("[data-testid=recovery-save]", SHORT).click();
    assert!(text_of(&app, "[data-testid=recovery-mode-error]").contains("replace"));
    app.wait_for("[data-testid=recovery-mode-replace]", SHORT)
        .click();
    app.wait_for("[data-testid=recovery-save]", SHORT).click();
    app.wait_for("[data-testid=recovery-history]", SHORT);
    wait_for_count(&app, "2 of 2 unused", "only the new set counts");
    assert_eq!(
        text_of(&app, "[data-testid=recovery-history]"),
        "3 codes of older sets kept as history"
    );
    assert_eq!(
        states(&app),
        ["unused", "unused", "replaced", "replaced", "replaced"]
    );
    assert_eq!(
        app.find_all("[data-testid=recovery-copy]").len(),
        2,
        "replaced codes are not offered"
    );
    let text = page_text(&app);
    assert!(
        !text.contains(NEW[0]) && !text.contains(OLD[1]),
        "masked once saved"
    );

    let list: Value = serde_json::from_str(&stdout_ok(
        &vault.run_with_password(&["recovery", "list", "--json"]),
        "list",
    ))
    .unwrap();
    assert_eq!(
        (&list[0]["unused"], &list[0]["replaced"]),
        (&Value::from(2), &Value::from(3)),
        "{list}"
    );
}

/// Issue 23: every screen follows the vault, not only the lists: an
/// account's details show what the CLI just changed, and an account the
/// CLI removed leads back to the list.
#[test]
fn regression_the_details_screen_follows_changes_the_cli_makes() {
    let vault = TestVault::new();
    let app = app_unlocked(&vault);
    app.wait_for("[data-testid=details]", SHORT).click();
    let count = app.wait_for("[data-testid=details-recovery-count]", SHORT);
    assert!(count.text().starts_with("2 unused"), "{}", count.text());
    stdout_ok(
        &vault.run_with_password(&["recovery", "use", "GitHub", OLD[1]]),
        "use one from the CLI",
    );
    app.wait_until(
        "the details following the CLI",
        SHORT,
        || {
            app.execute(
                "const c = document.querySelector('[data-testid=details-recovery-count]'); \
                 return c ? c.textContent : '';",
            )
            .as_str()
            .unwrap_or_default()
            .to_owned()
        },
        |t| t.starts_with("1 unused"),
    );
    stdout_ok(
        &vault.run_with_password(&["remove", "GitHub", "--yes"]),
        "remove from the CLI",
    );
    app.wait_until(
        "the removal noticed",
        SHORT,
        || text_of(&app, "[data-testid=toast]"),
        |t| t.contains("removed elsewhere"),
    );
    assert!(app
        .find_all("[data-testid=details-recovery-count]")
        .is_empty());
}
