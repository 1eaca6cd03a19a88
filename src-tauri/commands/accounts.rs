//! The accounts: listing them (never their secrets), their codes, adding,
//! editing and removing them, and copying a code. The rules are
//! tessera-core's; here the page's requests are checked and answered.

use serde::Deserialize;
use tauri::AppHandle;
use tessera_core::accounts::{label, AccountEdit};
use tessera_core::codes::{code_of, codes_at};
use tessera_core::disclosure::Disclosure;
use tessera_core::limits::{check_chars, parse_id, MAX_SECRET_CHARS, MAX_URI_BYTES};
use tessera_otp::{uri, Algorithm, Enrollment, OtpKind, OtpParams, Secret};
use tessera_vault::{Account, AccountId};
use ts_rs::TS;

use crate::confirm;
use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, code_seconds, system_millis, system_seconds, AppState, Session};
use crate::views::{AccountList, AccountView, Added, Codes, Copied};

/// Lists the accounts (re-reading the vault if the CLI changed it).
#[tauri::command]
pub async fn list_accounts(app: AppHandle) -> CommandResult<AccountList> {
    blocking(app, |state| {
        state.with_session(|s| {
            s.refresh(true);
            let contents = s.contents();
            Ok(AccountList {
                revision: s.revision,
                accounts: contents
                    .accounts
                    .iter()
                    .map(|a| AccountView::of(a, contents))
                    .collect(),
            })
        })
    })
    .await
}

/// The code of every account now: the system clock read here, plus the
/// user's time offset. Locked is not an error: it tells the page to show
/// the unlock screen (auto-lock or a system lock may have happened).
#[tauri::command]
pub async fn codes(app: AppHandle) -> CommandResult<Codes> {
    blocking(app, |state| {
        let mut guard = state.session();
        let Some(s) = guard.as_mut() else {
            return Ok(Codes {
                unlocked: false,
                lock_reason: state.lock_reason(),
                now_ms: 0,
                revision: 0,
                codes: Vec::new(),
            });
        };
        s.refresh(false);
        let now_ms = tessera_core::codes::code_time(&s.vault.preferences(), system_millis());
        let codes = codes_at(&s.contents().accounts, now_ms / 1000, |a| {
            s.hotp_codes.get(&a.id)
        });
        crate::launch_probe::codes_sent(codes.len());
        Ok(Codes {
            unlocked: true,
            lock_reason: None,
            now_ms,
            revision: s.revision,
            codes,
        })
    })
    .await
}

/// The page's view of an account just added, with its code now.
pub fn added(s: &Session, account: &Account) -> Added {
    Added {
        account: AccountView::of(account, s.contents()),
        code: code_of(
            account,
            code_seconds(&s.vault),
            s.hotp_codes.get(&account.id),
        ),
    }
}

/// An `otpauth://` URI to add (pasted, or scanned).
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddUri {
    /// The URI.
    pub uri: String,
    /// Add it even when the vault has the same account.
    pub force: bool,
}

/// Adds the account an `otpauth://` URI describes.
#[tauri::command]
pub async fn add_account_uri(app: AppHandle, request: AddUri) -> CommandResult<Added> {
    if request.uri.len() > MAX_URI_BYTES {
        return Err(CommandError::invalid(format!(
            "the URI is longer than {MAX_URI_BYTES} bytes"
        )));
    }
    let enrollment = uri::parse(&request.uri).map_err(|e| CommandError::invalid(e.to_string()))?;
    add(app, enrollment, request.force).await
}

async fn add(app: AppHandle, enrollment: Enrollment, force: bool) -> CommandResult<Added> {
    blocking(app, move |state| {
        state.with_session(|s| {
            let account =
                s.change(|vault| vault.add_account(enrollment, force, system_seconds()))?;
            Ok(added(s, &account))
        })
    })
    .await
}

/// An account typed in by hand.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManualAccount {
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// The secret in base32, as the site shows it.
    pub secret: String,
    /// `totp`, `hotp` or `steam`.
    #[ts(type = "OtpKind")]
    pub kind: OtpKind,
    /// `sha1`, `sha256` or `sha512` (any case).
    #[ts(type = "Algorithm")]
    pub algorithm: Algorithm,
    /// Code length (ignored for Steam).
    pub digits: u8,
    /// Seconds per code (TOTP).
    #[ts(type = "number")]
    pub period: u64,
    /// HOTP counter, as text.
    pub counter: String,
}

impl ManualAccount {
    /// Checks the secret and code settings, naming the first wrong one
    /// (the names are the core's to check, as for every new account).
    fn into_enrollment(self) -> CommandResult<Enrollment> {
        check_chars(&self.secret, MAX_SECRET_CHARS, "secret")?;
        let secret =
            Secret::from_base32(&self.secret).map_err(|e| CommandError::invalid(e.to_string()))?;
        let params = match self.kind {
            OtpKind::Steam => OtpParams::steam(),
            OtpKind::Totp => OtpParams {
                algorithm: self.algorithm,
                digits: self.digits,
                period: self.period,
                ..OtpParams::totp()
            },
            OtpKind::Hotp => {
                let text = self.counter.trim();
                let counter = if text.is_empty() {
                    0
                } else {
                    text.parse::<u64>().map_err(|_| {
                        CommandError::invalid(format!(
                            "the counter must be a whole number from 0 to {}",
                            u64::MAX
                        ))
                    })?
                };
                OtpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                    ..OtpParams::hotp(counter)
                }
            }
        };
        params
            .validate()
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        Ok(Enrollment {
            issuer: self.issuer,
            name: self.name,
            secret,
            params,
        })
    }
}

/// An account typed in by hand, to add.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddManual {
    /// The account.
    pub account: ManualAccount,
    /// Add it even when the vault has the same account.
    pub force: bool,
}

/// Adds an account typed in by hand, every field validated.
#[tauri::command]
pub async fn add_account_manual(app: AppHandle, request: AddManual) -> CommandResult<Added> {
    let enrollment = request.account.into_enrollment()?;
    add(app, enrollment, request.force).await
}

/// The fields an edit may change; absent ones stay as they are.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditFields {
    /// New issuer.
    #[ts(optional)]
    pub issuer: Option<String>,
    /// New account name.
    #[ts(optional)]
    pub name: Option<String>,
    /// New notes.
    #[ts(optional)]
    pub notes: Option<String>,
    /// Favourite or not.
    #[ts(optional)]
    pub favourite: Option<bool>,
    /// New tags.
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
}

/// An account and what to change in it.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditAccount {
    /// The account's id.
    pub id: String,
    /// What to change.
    pub edit: EditFields,
}

/// Edits an account's names, notes, favourite mark or tags.
#[tauri::command]
pub async fn edit_account(app: AppHandle, request: EditAccount) -> CommandResult<AccountView> {
    let id = parse_id(&request.id)?;
    let fields = request.edit;
    let edit = AccountEdit {
        issuer: fields.issuer,
        name: fields.name,
        notes: fields.notes,
        favourite: fields.favourite,
        tags: fields.tags,
    };
    blocking(app, move |state| {
        state.with_session(|s| {
            let account = s.change(|vault| vault.edit_account(&id, edit, system_seconds()))?;
            Ok(AccountView::of(&account, s.contents()))
        })
    })
    .await
}

/// One account, by id.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountRef {
    /// The account's id.
    pub id: String,
}

/// Removes an account; returns how it was named, for the confirmation.
#[tauri::command]
pub async fn remove_account(app: AppHandle, request: AccountRef) -> CommandResult<String> {
    let id = parse_id(&request.id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let removed = s.change(|vault| vault.remove_account(&id, system_seconds()))?;
            s.hotp_codes.remove(&id);
            Ok(label(&removed))
        })
    })
    .await
}

/// Makes the next HOTP code (the counter advanced and saved in the same
/// change, as the service expects).
#[tauri::command]
pub async fn hotp_next(
    app: AppHandle,
    request: AccountRef,
) -> CommandResult<tessera_core::codes::AccountCode> {
    let id = parse_id(&request.id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let (code, _) = s.change(|vault| vault.next_hotp(&id, system_seconds()))?;
            s.hotp_codes.insert(id.clone(), code);
            let account = s.contents().account(&id).ok_or_else(CommandError::locked)?;
            Ok(code_of(
                account,
                code_seconds(&s.vault),
                s.hotp_codes.get(&id),
            ))
        })
    })
    .await
}

/// Copies an account's current code to the clipboard (computed here, at
/// this moment) and schedules its clearing.
#[tauri::command]
pub async fn copy_code(app: AppHandle, request: AccountRef) -> CommandResult<Copied> {
    let id = parse_id(&request.id)?;
    blocking(app, move |state| copy_now(state, &id)).await
}

/// Account `id`'s code at this moment (with the time offset), or for an
/// HOTP account the one last generated: what Copy, the tray and auto-type
/// hand out.
pub(crate) fn current_code(s: &Session, id: &AccountId) -> CommandResult<String> {
    let account = s
        .contents()
        .account(id)
        .ok_or_else(|| CommandError::invalid("the account is no longer in the vault"))?;
    let shown = code_of(account, code_seconds(&s.vault), s.hotp_codes.get(id));
    if let Some(error) = shown.error {
        return Err(CommandError::invalid(error));
    }
    shown
        .code
        .ok_or_else(|| CommandError::invalid("generate a code first"))
}

/// Puts account `id`'s code at this moment on the clipboard and schedules
/// its clearing after the user's delay: the Copy button's way, which the
/// tray's codes take too.
pub(crate) fn copy_now(state: &AppState, id: &AccountId) -> CommandResult<Copied> {
    let (code, preferences) =
        state.with_session(|s| Ok((current_code(s, id)?, s.vault.preferences())))?;
    state
        .clipboard
        .copy(&code, preferences.clipboard_clear_after())
        .map_err(CommandError::invalid)?;
    Ok(Copied {
        code,
        clears_in_seconds: (preferences.clipboard_clear_seconds > 0)
            .then_some(preferences.clipboard_clear_seconds),
    })
}

/// The account `id`.
fn account<'s>(s: &'s Session, id: &AccountId) -> CommandResult<&'s Account> {
    s.contents()
        .account(id)
        .ok_or_else(|| CommandError::invalid("the account is no longer in the vault"))
}

/// The account as a QR code (its `otpauth://` URI, secret included) for
/// moving it to another device: a PNG in a `data:` URL. Only called after
/// the user read the warning and asked to reveal it, and only answered
/// once the user says yes outside the page (a script in it cannot).
#[tauri::command]
pub async fn account_qr(app: AppHandle, request: AccountRef) -> CommandResult<String> {
    use base64::Engine;
    let id = parse_id(&request.id)?;
    let handle = app.clone();
    blocking(app, move |state| {
        let disclosure = state.with_session(|s| {
            Ok(Disclosure::AccountQr {
                label: label(account(s, &id)?),
            })
        })?;
        confirm::after_yes(&handle, state, &disclosure, |s| {
            let png = tessera_transfer::qr::account_png(&account(s, &id)?.enrollment)
                .map_err(|e| CommandError::invalid(e.to_string()))?;
            Ok(format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&*png)
            ))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manual(secret: &str) -> ManualAccount {
        ManualAccount {
            issuer: " ACME ".into(),
            name: "alice".into(),
            secret: secret.into(),
            kind: OtpKind::Totp,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter: String::new(),
        }
    }

    fn message(result: CommandResult<Enrollment>) -> String {
        result.unwrap_err().message
    }

    #[test]
    fn manual_entry_is_validated_field_by_field() {
        let e = manual("jbsw y3dp ehpk 3pxp").into_enrollment().unwrap();
        assert_eq!(e.code_at(59).unwrap().as_str(), "996554");
        assert!(message(manual("JBSW1").into_enrollment()).contains("base32"));
        let digits = ManualAccount {
            digits: 11,
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert!(message(digits.into_enrollment()).contains("digits"));
        let period = ManualAccount {
            period: 0,
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert!(message(period.into_enrollment()).contains("period"));
        let huge = manual(&"A".repeat(MAX_SECRET_CHARS + 1));
        assert!(message(huge.into_enrollment()).contains("longer"));
    }

    #[test]
    fn hotp_counters_arrive_as_text_and_steam_fixes_its_parameters() {
        let hotp = ManualAccount {
            kind: OtpKind::Hotp,
            counter: "18446744073709551615".into(),
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert_eq!(hotp.into_enrollment().unwrap().params.counter, u64::MAX);
        let bad = ManualAccount {
            kind: OtpKind::Hotp,
            counter: "-1".into(),
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert!(message(bad.into_enrollment()).contains("counter"));
        let steam = ManualAccount {
            kind: OtpKind::Steam,
            digits: 8,
            period: 60,
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert_eq!(steam.into_enrollment().unwrap().params, OtpParams::steam());
    }
}
