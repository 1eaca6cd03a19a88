//! The app's automatic backups and sync (issue 22), as a user meets them:
//! backups turned on in Settings and restored from the list, the accounts
//! screen's reminder, sync turned on in Settings and carried out by itself
//! when another machine's file arrives, joining a synced vault from the
//! first-run screen, and a vault file put back older than the one this
//! computer last opened. The other machine is the `tessera` CLI with a data
//! folder of its own (`crate::sync::Machine`); so is the app, through
//! `TESSERA_VAULT` and `XDG_CONFIG_HOME`. The folders come from the native
//! chooser, answered at the keyboard as a user does.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::app::{
    add_by_uri, app_pid, app_windows, keyboard_turn, oathtool, shown_code, uri, visible_rows,
    wait_for_rows, xdotool, SHORT, START,
};
use crate::sync::Machine;
use crate::util::app_binary;
use crate::webdriver::AppSession;

/// The password of every [`Machine`]'s vault.
const PASSWORD: &str = "correct horse";
/// RFC 6238's SHA1 key and a second one, in base32.
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SECRET_B: &str = "JBSWY3DPEHPK3PXP";

/// Starts the app as `machine`: its vault and its configuration folder
/// (where this computer's backup and sync choices, and the generation it
/// last opened, are kept).
fn start_as(machine: &Machine) -> AppSession {
    let vault = machine.vault();
    let config = machine.dir.path().join("config");
    AppSession::start(
        &app_binary(),
        &[
            ("TESSERA_VAULT", vault.to_str().expect("UTF-8 temp path")),
            ("XDG_CONFIG_HOME", config.to_str().expect("UTF-8 temp path")),
        ],
    )
}

/// A machine whose vault, made with the CLI, holds an account for each
/// (issuer, secret).
fn machine_with(issuers: &[(&str, &str)]) -> Machine {
    let machine = Machine::new();
    machine.ok(&["init"]);
    for (issuer, secret) in issuers {
        machine.ok(&["add", &uri(issuer, "me", secret)]);
    }
    machine
}

/// Types the password on the unlock screen and submits it.
fn unlock(app: &AppSession) {
    app.wait_for("[data-testid=password]", START)
        .send_keys(PASSWORD);
    app.wait_for("[data-testid=unlock]", SHORT).click();
}

/// The issuers of the rows shown, in order.
fn issuers(app: &AppSession) -> Vec<String> {
    visible_rows(app).into_iter().map(|row| row.0).collect()
}

fn open_settings(app: &AppSession) {
    app.wait_for("[data-testid=settings]", SHORT).click();
    app.wait_for("[data-testid=settings-title]", SHORT);
}

fn back_to_accounts(app: &AppSession) {
    app.wait_for("[data-testid=back]", SHORT).click();
    app.wait_for("[data-testid=account-list]", SHORT);
}

/// The text of what `css` matches once `check` holds, read afresh each
/// time: the Settings sections draw themselves again after each change
/// and background sync, so an element held on to goes stale.
fn text_when(app: &AppSession, css: &str, check: impl Fn(&String) -> bool) -> String {
    let script =
        format!("const e = document.querySelector({css:?}); return e ? e.innerText.trim() : '';");
    app.wait_until(
        &format!("text of {css}"),
        SHORT,
        || app.execute(&script).as_str().unwrap_or_default().to_owned(),
        check,
    )
}

/// The text of what `css` matches, once there is some.
fn text(app: &AppSession, css: &str) -> String {
    text_when(app, css, |t| !t.is_empty())
}

/// A folder as the app names it once chosen (the core keeps it resolved).
fn resolved(folder: &Path) -> String {
    std::fs::canonicalize(folder).unwrap().display().to_string()
}

/// The X windows of the app's folder chooser now (none or one).
fn choosers(pid: u32) -> Vec<String> {
    app_windows(pid, "^Tessera: choose")
}

/// Whether `window` leaves the app's choosers within two seconds.
fn closes_soon(pid: u32, window: &str) -> bool {
    let pressed = Instant::now();
    while pressed.elapsed() < Duration::from_secs(2) {
        if !choosers(pid).iter().any(|w| w == window) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Answers the app's native folder chooser (src-tauri/folder_chooser.rs)
/// with `folder`, as a user at the keyboard does: Ctrl+L, the path typed,
/// Enter (again while the chooser stays up). GTK completes a typed folder
/// with its only subfolder and Enter takes that: the app reads a folder
/// inside a sync folder's own as the sync folder, and a backup folder here
/// is empty. The page cannot see or answer this chooser, so only this can.
/// As in `answer_confirmation`, the tests sharing the display take turns
/// at the keyboard.
pub(crate) fn choose_folder(app: &AppSession, folder: &Path) {
    let pid = app_pid(app);
    let chooser = app
        .wait_until(
            "the folder chooser",
            SHORT,
            || choosers(pid),
            |found| !found.is_empty(),
        )
        .remove(0);
    let path = folder.to_str().expect("UTF-8 temp path");
    let _turn = keyboard_turn();
    xdotool(&["windowfocus", "--sync", &chooser]);
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]);
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--clearmodifiers", path]);
    let deadline = Instant::now() + SHORT;
    loop {
        xdotool(&["windowfocus", "--sync", &chooser]);
        xdotool(&["key", "--clearmodifiers", "Return"]);
        if closes_soon(pid, &chooser) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the folder chooser did not take {path}"
        );
    }
}

/// The names of the files in `folder`, sorted.
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn backups_turned_on_in_settings_are_written_and_one_is_restored() {
    let machine = machine_with(&[("Kept", SECRET)]);
    let folder = machine.dir.path().join("Backups");
    std::fs::create_dir(&folder).unwrap();
    let app = start_as(&machine);
    unlock(&app);
    wait_for_rows(&app, "the vault's account", 1);

    open_settings(&app);
    let off = text(&app, "[data-testid=backup-state]");
    assert!(off.starts_with("Backups are off"), "{off}");
    app.wait_for("[data-testid=backup-enable]", SHORT).click();
    choose_folder(&app, &folder);
    text_when(&app, "[data-testid=backup-folder]", |t| {
        *t == resolved(&folder)
    });
    // One is written at once, and Settings says when.
    let last = text_when(&app, "[data-testid=backup-last]", |t| {
        t.starts_with("Last backup: ")
    });
    assert!(last.ends_with("(just now)"), "{last}");
    let first = files_in(&folder);
    assert_eq!(first.len(), 1, "one backup at once: {first:?}");

    // Every change writes another.
    back_to_accounts(&app);
    add_by_uri(&app, &uri("Later", "lee", SECRET_B));
    assert_eq!(issuers(&app), ["Kept", "Later"]);
    app.wait_until(
        "a backup after the change",
        SHORT,
        || files_in(&folder),
        |names| names.len() == 2 && names.contains(&first[0]),
    );

    // Restoring the first: the confirmation names it, by its time, what it
    // holds and its file.
    open_settings(&app);
    text_when(&app, "[data-testid=backup-last]", |t| {
        t.ends_with("(just now)")
    });
    app.wait_for("[data-testid=backup-show-list]", SHORT)
        .click();
    let lines = app.wait_until(
        "both backups listed",
        SHORT,
        || {
            app.find_all("[data-testid=backup-line]")
                .iter()
                .map(|line| line.text())
                .collect::<Vec<_>>()
        },
        |lines| lines.len() == 2,
    );
    let older = lines
        .iter()
        .position(|line| line.contains(" · 1 account and 0 recovery codes · "))
        .unwrap_or_else(|| panic!("no backup with the one account: {lines:?}"));
    app.find_all("[data-testid=backup-restore]")[older].click();
    let question = text(&app, "[data-testid=restore-question]");
    assert!(
        question.starts_with("Restore the backup written ")
            && question.ends_with(", with 1 account and 0 recovery codes?"),
        "{question}"
    );
    let dialog = text(&app, "[data-testid=restore-dialog]");
    assert!(dialog.contains(&first[0]), "{dialog} names {}", first[0]);
    app.wait_for(
        "[data-testid=restore-dialog] [data-testid=dialog-confirm]",
        SHORT,
    )
    .click();
    // The vault as it was is kept first, in the backup folder.
    let saved = PathBuf::from(text(&app, "[data-testid=backup-saved-before]"));
    assert!(
        saved.starts_with(resolved(&folder)) && saved.is_file(),
        "{}",
        saved.display()
    );

    // The vault holds the backup's accounts: the one added after is gone.
    back_to_accounts(&app);
    app.wait_until(
        "the restored list",
        SHORT,
        || issuers(&app),
        |i| i == &["Kept"],
    );
    let (code, now_ms) = shown_code(&app, "Kept");
    assert_eq!(code, oathtool(SECRET, now_ms / 1000));
    let listed = machine.ok(&["list"]);
    assert!(
        listed.contains("Kept") && !listed.contains("Later"),
        "{listed}"
    );
}

/// Whether the accounts screen shows the backup reminder once the page has
/// had its answer about the backups (the reminder waits for the same one).
fn reminder_shown(app: &AppSession) -> bool {
    let shown = app.execute_async(
        "const done = arguments[arguments.length - 1];\
         const look = () => setTimeout(() => done(document.querySelector('[data-testid=backup-reminder]') !== null), 0);\
         window.__TAURI_INTERNALS__.invoke('backup_status', {}).then(look, look);",
    );
    shown.as_bool().expect("true or false")
}

#[test]
fn the_backup_reminder_shows_once_a_run_and_not_now_is_remembered() {
    let machine = machine_with(&[("Alpha", SECRET)]);
    let app = start_as(&machine);
    unlock(&app);
    wait_for_rows(&app, "the vault's account", 1);
    let note = text(&app, "[data-testid=backup-reminder]");
    assert!(note.contains("Turn on automatic backups"), "{note}");
    assert!(reminder_shown(&app), "the check sees a reminder shown");
    // Once a run: not again after another screen.
    open_settings(&app);
    back_to_accounts(&app);
    assert!(
        !reminder_shown(&app),
        "the reminder came back in the same run"
    );
    drop(app);

    // A new run reminds again; "Not now" hides it, for good.
    let app = start_as(&machine);
    unlock(&app);
    wait_for_rows(&app, "the vault's account", 1);
    app.wait_for("[data-testid=backup-reminder-dismiss]", START)
        .click();
    app.wait_until(
        "the reminder to go",
        SHORT,
        || app.find_all("[data-testid=backup-reminder]").len(),
        |n| *n == 0,
    );
    open_settings(&app);
    back_to_accounts(&app);
    assert!(
        !reminder_shown(&app),
        "the reminder came back after Settings"
    );
    drop(app);

    let app = start_as(&machine);
    unlock(&app);
    wait_for_rows(&app, "the vault's account", 1);
    assert!(
        !reminder_shown(&app),
        "the reminder came back after a restart"
    );
}

/// What `sync status --json` says on `machine`.
fn sync_status(machine: &Machine) -> Value {
    serde_json::from_str(&machine.ok(&["sync", "status", "--json"])).unwrap()
}

/// The device names a machine's last sync saw.
fn device_names(status: &Value) -> Vec<String> {
    let mut names: Vec<String> = status["devices"]
        .as_object()
        .unwrap()
        .values()
        .map(|device| device["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn sync_turned_on_in_the_app_brings_in_another_machines_account_by_itself() {
    let desk = machine_with(&[("Alpha", SECRET)]);
    // A folder both machines reach (a network share): the laptop's writes
    // arrive in it as a sync tool's would.
    let shared = desk.synced();
    std::fs::create_dir(&shared).unwrap();
    let app = start_as(&desk);
    unlock(&app);
    wait_for_rows(&app, "the vault's account", 1);

    open_settings(&app);
    assert_eq!(text(&app, "[data-testid=sync-state]"), "Sync is off.");
    let name = app.wait_for("[data-testid=sync-name]", SHORT);
    name.clear();
    name.send_keys("desk");
    app.wait_for("[data-testid=sync-enable]", SHORT).click();
    choose_folder(&app, &shared);
    text_when(&app, "[data-testid=sync-state]", |t| {
        t == "Syncing as “desk” through:"
    });
    assert_eq!(text(&app, "[data-testid=sync-folder]"), resolved(&shared));
    back_to_accounts(&app);

    // The laptop joins with the CLI and adds an account: the app shows it
    // with no click, within a bound far below its periodic sync (every 5
    // minutes), so the file watch brought it.
    let laptop = Machine::new();
    let joined = laptop.ok(&["sync", "join", shared.to_str().unwrap(), "--name", "laptop"]);
    assert!(joined.contains("joined"), "{joined}");
    assert_eq!(laptop.accounts(), desk.accounts());
    laptop.ok(&["add", &uri("Beta", "me", SECRET_B)]);
    app.wait_until(
        "the laptop's account in the app",
        SHORT,
        || issuers(&app),
        |i| i == &["Alpha", "Beta"],
    );
    let (code, now_ms) = shown_code(&app, "Beta");
    assert_eq!(code, oathtool(SECRET_B, now_ms / 1000));

    // Settings: Sync now, and the devices it has seen.
    open_settings(&app);
    app.wait_for("[data-testid=sync-now]", SHORT).click();
    let devices = text_when(&app, "[data-testid=sync-devices]", |t| {
        t.contains("laptop, its file changed ")
    });
    assert!(devices.contains("desk (this computer)"), "{devices}");
    let last = text_when(&app, "[data-testid=sync-last]", |t| {
        t.starts_with("Last sync: ")
    });
    assert!(last.ends_with("(just now)"), "{last}");
    let merged = text(&app, "[data-testid=sync-merged]");
    assert!(
        merged == "Nothing new from the other devices." || merged.starts_with("Merged "),
        "{merged}"
    );

    // And the other way: what the app adds reaches the laptop.
    back_to_accounts(&app);
    add_by_uri(&app, &uri("Gamma", "me", SECRET));
    laptop.ok(&["sync", "now"]);
    let listed = laptop.ok(&["list"]);
    assert!(listed.contains("Gamma"), "{listed}");
    assert_eq!(device_names(&sync_status(&laptop)), ["desk", "laptop"]);
}

#[test]
fn the_first_run_screen_joins_a_vault_synced_from_another_computer() {
    let laptop = machine_with(&[("Alpha", SECRET), ("Beta", SECRET_B)]);
    laptop.ok(&[
        "sync",
        "enable",
        laptop.synced().to_str().unwrap(),
        "--name",
        "laptop",
    ]);
    let desk = Machine::new();
    let app = start_as(&desk);
    app.wait_for("[data-testid=join-form]", START);
    app.wait_for("[data-testid=join-password]", SHORT)
        .send_keys(PASSWORD);
    app.wait_for("[data-testid=join-name]", SHORT)
        .send_keys("desk");
    app.wait_for("[data-testid=join-sync]", SHORT).click();
    choose_folder(&app, &laptop.synced());
    // Waited for as an element, so a failed join's message is reported.
    app.wait_for("[data-testid=account]", START);
    wait_for_rows(&app, "the laptop's accounts", 2);
    assert_eq!(issuers(&app), ["Alpha", "Beta"]);
    let (code, now_ms) = shown_code(&app, "Alpha");
    assert_eq!(code, oathtool(SECRET, now_ms / 1000));
    assert!(desk.vault().is_file(), "this computer has its own vault");
    assert_eq!(desk.accounts(), laptop.accounts());

    // The app syncs from now on: the laptop sees it at its next sync.
    open_settings(&app);
    text_when(&app, "[data-testid=sync-state]", |t| {
        t == "Syncing as “desk” through:"
    });
    laptop.ok(&["sync", "now"]);
    assert_eq!(device_names(&sync_status(&laptop)), ["desk", "laptop"]);
}

#[test]
fn a_vault_put_back_older_is_refused_until_opened_anyway() {
    let machine = machine_with(&[("Old", SECRET)]);
    let older = machine.dir.path().join("older copy.tessera");
    std::fs::copy(machine.vault(), &older).unwrap();
    let app = start_as(&machine);
    unlock(&app);
    wait_for_rows(&app, "the vault's account", 1);
    add_by_uri(&app, &uri("Newer", "me", SECRET_B));
    assert_eq!(issuers(&app), ["Newer", "Old"]);
    app.wait_for("[data-testid=lock]", SHORT).click();

    // The older file comes back (a restored disk image, a copy by hand).
    std::fs::copy(&older, machine.vault()).unwrap();
    unlock(&app);
    let error = text(&app, "[data-testid=unlock-error]");
    assert!(
        error.contains("is older than the copy this computer last used"),
        "{error}"
    );
    assert!(
        app.find_all("[data-testid=account]").is_empty(),
        "nothing of it is shown"
    );
    assert_eq!(text(&app, "[data-testid=unlock-title]"), "Unlock Tessera");
    let accept = app.wait_for("[data-testid=unlock-accept-older]", SHORT);
    assert!(accept.is_displayed());
    assert_eq!(accept.text(), "Open this older copy anyway");
    accept.click();
    wait_for_rows(&app, "the older copy's account", 1);
    assert_eq!(issuers(&app), ["Old"]);

    // Accepted once: it opens as usual from then on.
    app.wait_for("[data-testid=lock]", SHORT).click();
    unlock(&app);
    wait_for_rows(&app, "the older copy's account", 1);
    assert_eq!(issuers(&app), ["Old"]);
}
