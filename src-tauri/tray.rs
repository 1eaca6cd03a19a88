//! The tray icon (a StatusNotifierItem on Linux, through
//! libayatana-appindicator), so a code is one click away without hunting
//! for the window: Show, Lock, the favourite accounts' current codes and
//! Quit. Codes and account names reach the menu only while the vault is
//! unlocked; a click copies through the Copy button's own path
//! ([`copy_now`]), so the clipboard is cleared after the same delay.
//!
//! The menu follows what it shows, looked at every second: a new period's
//! codes relabel its items in place, so a panel's open menu and the ids it
//! clicks stay valid; a lock or a change of favourites rebuilds it.

use std::time::Duration;

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use tessera_core::limits::parse_id;
use tessera_otp::Code;
use tessera_vault::{Account, AccountId};
use zeroize::Zeroizing;

use crate::commands::accounts::copy_now;
use crate::state::{code_seconds, AppState};

/// The tray icon's id, to find it again.
const TRAY_ID: &str = "tessera";
/// Menu item ids. Codes are `CODE_PREFIX` and the account's id.
const SHOW: &str = "tray-show";
const LOCK: &str = "tray-lock";
const QUIT: &str = "tray-quit";
const LOCKED: &str = "tray-locked";
const CODE_PREFIX: &str = "tray-code:";

/// How often the menu is compared with the vault: a code changes at most
/// this late in the menu, which is short next to a 30-second period.
const REFRESH: Duration = Duration::from_secs(1);

/// What the menu shows, compared each second so that it is rebuilt only
/// when something changed.
#[derive(Debug, PartialEq, Eq)]
enum Shown {
    /// No codes and no names.
    Locked,
    /// The favourites, in the vault's order.
    Unlocked(Vec<Favourite>),
}

/// One favourite account's line in the menu.
#[derive(PartialEq, Eq)]
struct Favourite {
    id: AccountId,
    /// `issuer — name: 123 456` (a code the user asked for by opening the
    /// tray, so not a secret, but wiped when dropped all the same).
    label: Zeroizing<String>,
    /// Whether there is a code to copy (an HOTP account has one only after
    /// it was generated in the window).
    copyable: bool,
}

impl std::fmt::Debug for Favourite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Favourite")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Whether the tray icon is there (the window may then hide instead of
/// quitting on close).
pub fn exists<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.tray_by_id(TRAY_ID).is_some()
}

/// Puts the icon in the tray and keeps its menu current while the app runs;
/// says why when there can be no tray.
pub fn start(app: &AppHandle) -> Result<(), String> {
    let shown = shown(&app.state::<AppState>());
    let menu_now = menu(app, &shown).map_err(|e| e.to_string())?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu_now)
        .tooltip("Tessera")
        .on_menu_event(on_menu_event);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    // The AppIndicator library is loaded at run time, and its loader
    // panics when the library is missing: the app then goes on without a
    // tray rather than not starting.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(app)))
        .map_err(|_| "the AppIndicator library could not be loaded".to_owned())?
        .map_err(|e| e.to_string())?;
    let handle = app.clone();
    // A plain thread: it sleeps almost all the time, and building a menu
    // waits for the main thread, which must not be an async worker's job.
    std::thread::Builder::new()
        .name("tessera-tray".into())
        .spawn(move || {
            let mut last = shown;
            let mut current = menu_now;
            loop {
                std::thread::sleep(REFRESH);
                let now = shown_now(&handle);
                if now == last {
                    continue;
                }
                let Some(tray) = handle.tray_by_id(TRAY_ID) else {
                    return;
                };
                if let (true, Shown::Unlocked(favourites)) = (same_items(&last, &now), &now) {
                    if relabel(&current, favourites) {
                        last = now;
                        continue;
                    }
                }
                if let Ok(menu) = menu(&handle, &now) {
                    if tray.set_menu(Some(menu.clone())).is_ok() {
                        current = menu;
                        last = now;
                    }
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn shown_now(app: &AppHandle) -> Shown {
    shown(&app.state::<AppState>())
}

/// What the menu should show now. The vault file is re-read if the CLI
/// changed it, as the window's codes tick does.
fn shown(state: &AppState) -> Shown {
    let mut guard = state.session();
    let Some(s) = guard.as_mut() else {
        return Shown::Locked;
    };
    s.refresh(false);
    let seconds = code_seconds(&s.vault);
    Shown::Unlocked(favourites(&s.contents().accounts, seconds, |id| {
        s.hotp_codes.get(id)
    }))
}

/// The favourite accounts among `accounts` with their codes at `seconds`;
/// `hotp` gives the code last generated for a counter-based account.
fn favourites<'a>(
    accounts: &[Account],
    seconds: u64,
    hotp: impl Fn(&AccountId) -> Option<&'a Code>,
) -> Vec<Favourite> {
    accounts
        .iter()
        .filter(|account| account.favourite)
        .map(|account| {
            let code = match account.enrollment.timed_code(seconds) {
                Ok(Some(timed)) => Some(timed.code.grouped()),
                Ok(None) => hotp(&account.id).map(Code::grouped),
                Err(_) => None,
            };
            let names = names(&account.enrollment.issuer, &account.enrollment.name);
            let label = match &code {
                Some(code) => format!("{names}: {code}"),
                None => format!("{names}: no code yet, open Tessera"),
            };
            Favourite {
                id: account.id.clone(),
                label: Zeroizing::new(escape_mnemonic(&label)),
                copyable: code.is_some(),
            }
        })
        .collect()
}

/// `issuer — name`, or the one that is set.
fn names(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} — {name}"),
        (false, true) => issuer.to_owned(),
        (true, false) => name.to_owned(),
        (true, true) => "unnamed account".to_owned(),
    }
}

/// A menu label shows `&` only doubled (a single one marks the key of a
/// keyboard shortcut), and account names may hold one.
fn escape_mnemonic(label: &str) -> String {
    label.replace('&', "&&")
}

/// Whether `now` lists the same items as `last`, in the same order and
/// equally clickable, so that only labels (codes, names) differ.
fn same_items(last: &Shown, now: &Shown) -> bool {
    match (last, now) {
        (Shown::Unlocked(last), Shown::Unlocked(now)) => {
            last.len() == now.len()
                && last
                    .iter()
                    .zip(now)
                    .all(|(a, b)| a.id == b.id && a.copyable == b.copyable)
        }
        _ => false,
    }
}

/// Relabels the favourites' items of `menu` in place; false when one is
/// missing or cannot be changed (the menu is then rebuilt).
fn relabel(menu: &Menu<tauri::Wry>, favourites: &[Favourite]) -> bool {
    favourites.iter().all(|favourite| {
        let id = format!("{CODE_PREFIX}{}", favourite.id);
        menu.get(id.as_str())
            .and_then(|item| item.as_menuitem().cloned())
            .is_some_and(|item| item.set_text(favourite.label.as_str()).is_ok())
    })
}

/// The menu for `shown`.
fn menu(app: &AppHandle, shown: &Shown) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(
        app,
        SHOW,
        "Show Tessera",
        true,
        None::<&str>,
    )?)?;
    let unlocked = matches!(shown, Shown::Unlocked(_));
    menu.append(&MenuItem::with_id(
        app,
        LOCK,
        "Lock",
        unlocked,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    match shown {
        Shown::Locked => {
            menu.append(&MenuItem::with_id(
                app,
                LOCKED,
                "Locked — open Tessera to unlock",
                false,
                None::<&str>,
            )?)?;
        }
        Shown::Unlocked(favourites) if favourites.is_empty() => {
            menu.append(&MenuItem::with_id(
                app,
                LOCKED,
                "No favourites: mark some in Tessera",
                false,
                None::<&str>,
            )?)?;
        }
        Shown::Unlocked(favourites) => {
            for favourite in favourites {
                menu.append(&MenuItem::with_id(
                    app,
                    format!("{CODE_PREFIX}{}", favourite.id),
                    favourite.label.as_str(),
                    favourite.copyable,
                    None::<&str>,
                )?)?;
            }
        }
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

/// Runs on the main thread: anything that may wait for the session goes
/// to the blocking pool.
fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    let id = event.id().as_ref();
    match id {
        SHOW => {
            // The same showing as a second launch's.
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || crate::single_instance::raise(&app));
        }
        LOCK => {
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || app.state::<AppState>().lock());
        }
        QUIT => app.exit(0),
        _ => {
            let Some(account) = id.strip_prefix(CODE_PREFIX) else {
                return;
            };
            let Ok(account) = parse_id(account) else {
                return;
            };
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || {
                // The error names the account or the clipboard, never the code.
                if let Err(error) = copy_now(&app.state::<AppState>(), &account) {
                    eprintln!("tessera: the tray could not copy a code: {}", error.message);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::uri;

    fn account(text: &str, favourite: bool) -> Account {
        let mut account = Account::new(uri::parse(text).unwrap(), 1).unwrap();
        account.favourite = favourite;
        account
    }

    #[test]
    fn only_favourites_with_their_grouped_codes_in_the_vaults_order() {
        let accounts = [
            account(
                "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
                true,
            ),
            account(
                "otpauth://totp/Other:bob?secret=JBSWY3DPEHPK3PXP&issuer=Other",
                false,
            ),
            account("otpauth://totp/carol?secret=JBSWY3DPEHPK3PXP", true),
        ];
        let shown = favourites(&accounts, 59, |_| None);
        let labels: Vec<&str> = shown.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["ACME — alice: 996 554", "carol: 996 554"]);
        assert!(shown.iter().all(|f| f.copyable));
        assert_eq!(shown[0].id, accounts[0].id);
    }

    #[test]
    fn an_hotp_favourite_shows_the_code_generated_in_the_window_or_none() {
        let hotp = account(
            "otpauth://hotp/Bank:dan?secret=JBSWY3DPEHPK3PXP&counter=0&issuer=Bank",
            true,
        );
        let none = favourites(std::slice::from_ref(&hotp), 59, |_| None);
        assert_eq!(
            none[0].label.as_str(),
            "Bank — dan: no code yet, open Tessera"
        );
        assert!(!none[0].copyable);
        let code = hotp.enrollment.code_at(0).unwrap();
        let made = favourites(std::slice::from_ref(&hotp), 59, |_| Some(&code));
        assert_eq!(
            made[0].label.as_str(),
            format!("Bank — dan: {}", code.grouped())
        );
        assert!(made[0].copyable);
    }

    #[test]
    fn an_ampersand_in_a_name_is_shown_not_taken_as_a_shortcut_key() {
        let accounts = [account(
            "otpauth://totp/A%26B:eve?secret=JBSWY3DPEHPK3PXP&issuer=A%26B",
            true,
        )];
        let shown = favourites(&accounts, 59, |_| None);
        assert_eq!(shown[0].label.as_str(), "A&&B — eve: 996 554");
    }

    #[test]
    fn the_debug_form_holds_no_code() {
        let accounts = [account(
            "otpauth://totp/carol?secret=JBSWY3DPEHPK3PXP",
            true,
        )];
        let text = format!("{:?}", Shown::Unlocked(favourites(&accounts, 59, |_| None)));
        assert!(!text.contains("996"), "{text}");
    }

    #[test]
    fn a_new_periods_codes_relabel_the_items_and_other_changes_rebuild_them() {
        let accounts = [
            account("otpauth://totp/carol?secret=JBSWY3DPEHPK3PXP", true),
            account("otpauth://totp/dan?secret=JBSWY3DPEHPK3PXP", true),
        ];
        let at = |seconds| Shown::Unlocked(favourites(&accounts, seconds, |_| None));
        assert_ne!(at(59), at(60), "a new period shows new codes");
        assert!(same_items(&at(59), &at(60)));
        let fewer = Shown::Unlocked(favourites(&accounts[..1], 60, |_| None));
        assert!(!same_items(&at(59), &fewer));
        assert!(!same_items(&at(59), &Shown::Locked));
        assert!(!same_items(&Shown::Locked, &at(59)));
        let hotp = [account(
            "otpauth://hotp/erin?secret=JBSWY3DPEHPK3PXP&counter=0",
            true,
        )];
        let code = hotp[0].enrollment.code_at(0).unwrap();
        let before = Shown::Unlocked(favourites(&hotp, 60, |_| None));
        let generated = Shown::Unlocked(favourites(&hotp, 60, |_| Some(&code)));
        assert!(!same_items(&before, &generated), "an item became clickable");
    }
}
