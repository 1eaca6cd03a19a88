//! The accounts: listing them (never their secrets), their codes, adding,
//! editing and removing them, and copying a code.
//!
//! Every change goes through `UnlockedVault::update`, which re-reads the file
//! under its lock, so changes the CLI made meanwhile are kept.

use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tessera_otp::{uri, Algorithm, Enrollment, OtpKind, OtpParams, RecoveryCodes, Secret};
use tessera_transfer::keep::{keep_recovery_codes, keep_service_codes};
use tessera_vault::{Account, AccountId, Contents, RecoveryOwner};

use crate::limits::{
    account_id, check_chars, clean_label, clean_tags, MAX_ACCOUNTS, MAX_LABEL_CHARS,
    MAX_NOTES_CHARS, MAX_SECRET_CHARS, MAX_URI_BYTES,
};
use crate::settings::AppSettings;
use crate::state::{blocking, system_millis, system_seconds, LockReason, Session, LOCKED};

/// In the last this many seconds of a period the next code is sent too, so
/// the UI can show it before the current one runs out.
pub const NEXT_CODE_SECONDS: u64 = 5;

/// One account as the UI lists it: names and parameters, never the secret.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// The account's id.
    pub id: String,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: OtpKind,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: String,
    /// Code length.
    pub digits: u8,
    /// Seconds per code (time-based kinds).
    pub period: u64,
    /// The HOTP counter of the next code, as text (it may exceed what a
    /// JavaScript number holds exactly).
    pub counter: String,
    /// Shown first.
    pub favourite: bool,
    /// Labels.
    pub tags: Vec<String>,
    /// Free text.
    pub notes: String,
    /// Unix seconds when added.
    pub created_at: u64,
    /// Its recovery codes still good, if it has any stored.
    pub recovery_unused: Option<usize>,
    /// The first warning about its recovery codes, if any.
    pub recovery_warning: Option<String>,
}

impl AccountView {
    fn of(account: &Account, contents: &Contents) -> AccountView {
        let e = &account.enrollment;
        let recovery = contents.recovery_for_account(&account.id);
        let threshold = contents.settings.recovery_few_left_threshold();
        AccountView {
            id: account.id.as_str().to_owned(),
            issuer: e.issuer.clone(),
            name: e.name.clone(),
            kind: e.params.kind,
            algorithm: e.params.algorithm.as_uri_str().to_owned(),
            digits: e.params.digits,
            period: e.params.period,
            counter: e.params.counter.to_string(),
            favourite: account.favourite,
            tags: account.tags.clone(),
            notes: account.notes.clone(),
            created_at: account.created_at,
            recovery_unused: recovery.map(|r| r.codes.unused_count()),
            recovery_warning: recovery
                .and_then(|r| r.codes.warnings(threshold).first().map(ToString::to_string)),
        }
    }
}

/// How an account is named in messages: "Issuer (name)", as the CLI does.
pub fn label(account: &Account) -> String {
    let (issuer, name) = (&account.enrollment.issuer, &account.enrollment.name);
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer.clone(),
        (true, false) => name.clone(),
        (true, true) => "unnamed account".to_owned(),
    }
}

/// The account list and the revision it belongs to.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountList {
    /// Changes whenever the contents may have changed.
    pub revision: u64,
    /// The accounts in the vault's order.
    pub accounts: Vec<AccountView>,
}

/// Lists the accounts (re-reading the vault if the CLI changed it).
#[tauri::command]
pub async fn list_accounts(app: AppHandle) -> Result<AccountList, String> {
    blocking(app, |state| {
        state.with_session(|s| {
            s.refresh(true);
            Ok(AccountList {
                revision: s.revision,
                accounts: s
                    .vault
                    .contents()
                    .accounts
                    .iter()
                    .map(|a| AccountView::of(a, s.vault.contents()))
                    .collect(),
            })
        })
    })
    .await
}

/// One account's code at the moment of a tick.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    /// The account's id.
    pub id: String,
    /// The code, ungrouped; for HOTP the last one generated in this session.
    pub code: Option<String>,
    /// The next code, in the last [`NEXT_CODE_SECONDS`] of a period.
    pub next: Option<String>,
    /// Unix seconds the code became valid (time-based kinds).
    pub valid_from: Option<u64>,
    /// Unix seconds the code stops being valid (time-based kinds).
    pub valid_until: Option<u64>,
    /// Why no code can be made (parameters a newer version wrote, say).
    pub error: Option<String>,
}

/// The codes of every account at one moment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Codes {
    /// False when the vault is locked (then nothing else is filled in).
    pub unlocked: bool,
    /// When locked: why, if Rust locked it by itself.
    pub lock_reason: Option<LockReason>,
    /// The moment the codes are for, unix milliseconds, with the user's time
    /// offset applied; the UI counts down from it.
    pub now_ms: u64,
    /// The contents' revision; when it changes the UI lists the accounts again.
    pub revision: u64,
    /// One entry per account, in the vault's order.
    pub codes: Vec<CodeView>,
}

fn code_view(session: &Session, account: &Account, now: u64) -> CodeView {
    let mut view = CodeView {
        id: account.id.as_str().to_owned(),
        code: None,
        next: None,
        valid_from: None,
        valid_until: None,
        error: None,
    };
    match account.enrollment.timed_code(now) {
        Ok(Some(timed)) => {
            if timed.seconds_left(now) <= NEXT_CODE_SECONDS {
                view.next = account
                    .enrollment
                    .code_at_offset(now, 1)
                    .ok()
                    .flatten()
                    .map(|c| c.as_str().to_owned());
            }
            view.code = Some(timed.code.as_str().to_owned());
            view.valid_from = Some(timed.valid_from);
            view.valid_until = Some(timed.valid_until);
        }
        Ok(None) => {
            view.code = session
                .hotp_codes
                .get(&account.id)
                .map(|c| c.as_str().to_owned());
        }
        Err(e) => view.error = Some(e.to_string()),
    }
    view
}

fn settings_of(contents: &Contents) -> AppSettings {
    AppSettings::from_map(&contents.settings.extra)
}

/// The code of every account now: the system clock read here, plus the
/// user's time offset. Locked is not an error: it tells the UI to show the
/// unlock screen (auto-lock or a system lock may have happened).
#[tauri::command]
pub async fn codes(app: AppHandle) -> Result<Codes, String> {
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
        let now_ms = settings_of(s.vault.contents()).code_time_millis(system_millis());
        let now = now_ms / 1000;
        let codes = s
            .vault
            .contents()
            .accounts
            .iter()
            .map(|a| code_view(s, a, now))
            .collect::<Vec<_>>();
        crate::startup::codes_sent(codes.len());
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

/// An account just added, with its code at once: the enrolling site asks
/// for it next.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Added {
    /// The account.
    pub account: AccountView,
    /// Its current code (time-based kinds).
    pub code: CodeView,
}

/// Whether two enrollments are the same account (the CLI's rule).
pub fn same_account(a: &Enrollment, b: &Enrollment) -> bool {
    a.secret == b.secret && a.issuer == b.issuer && a.name == b.name
}

/// Adds an enrollment, refusing a duplicate unless `force`.
fn add(s: &mut Session, enrollment: Enrollment, force: bool) -> Result<Added, String> {
    let now = system_seconds();
    let account = s.update(now, |contents| -> Result<Account, String> {
        if contents.accounts.len() >= MAX_ACCOUNTS {
            return Err(format!(
                "the vault already holds {MAX_ACCOUNTS} accounts, the most the app manages"
            ));
        }
        if !force {
            if let Some(existing) = contents
                .accounts
                .iter()
                .find(|a| same_account(&a.enrollment, &enrollment))
            {
                return Err(format!("{} is already in the vault", label(existing)));
            }
        }
        let account = Account::new(enrollment, now).map_err(|e| e.to_string())?;
        contents.accounts.push(account.clone());
        Ok(account)
    })?;
    let code_time = settings_of(s.vault.contents()).code_time_millis(system_millis()) / 1000;
    Ok(Added {
        account: AccountView::of(&account, s.vault.contents()),
        code: code_view(s, &account, code_time),
    })
}

/// Adds several accounts in one save (a scan's picks, an imported file's),
/// as the user chose them, with the notes, tags, favourite mark and
/// recovery codes they came with, and returns each with its code. The
/// recovery codes of `also_codes` (entries not picked) join the vault's
/// copy of the same account, and those of `services` their service.
pub fn add_entries(
    s: &mut Session,
    entries: Vec<tessera_transfer::Entry>,
    also_codes: &[tessera_transfer::Entry],
    services: &[tessera_transfer::ServiceRecovery],
) -> Result<Vec<Added>, String> {
    let now = system_seconds();
    let accounts = s.update(now, |contents| -> Result<Vec<Account>, String> {
        if contents.accounts.len() + entries.len() > MAX_ACCOUNTS {
            return Err(format!(
                "the vault would hold more than {MAX_ACCOUNTS} accounts, the most the app manages"
            ));
        }
        let keep = |contents: &mut Contents, id: &AccountId, codes: &Option<RecoveryCodes>| {
            let Some(codes) = codes else { return Ok(()) };
            let owner = RecoveryOwner::Account {
                account_id: id.clone(),
            };
            keep_recovery_codes(contents, owner, codes, now)
                .map(drop)
                .map_err(|e| e.to_string())
        };
        let mut added = Vec::with_capacity(entries.len());
        for entry in entries {
            let mut account = Account::new(entry.enrollment, now).map_err(|e| e.to_string())?;
            account.notes = entry.notes;
            account.favourite = entry.favourite;
            account.tags = entry.tags;
            contents.accounts.push(account.clone());
            keep(contents, &account.id, &entry.recovery)?;
            added.push(account);
        }
        for entry in also_codes {
            let same = contents
                .accounts
                .iter()
                .find(|a| same_account(&a.enrollment, &entry.enrollment))
                .map(|a| a.id.clone());
            if let Some(id) = same {
                keep(contents, &id, &entry.recovery)?;
            }
        }
        keep_service_codes(contents, services, now).map_err(|e| e.to_string())?;
        Ok(added)
    })?;
    let code_time = settings_of(s.vault.contents()).code_time_millis(system_millis()) / 1000;
    Ok(accounts
        .iter()
        .map(|account| Added {
            account: AccountView::of(account, s.vault.contents()),
            code: code_view(s, account, code_time),
        })
        .collect())
}

/// Adds the account an `otpauth://` URI describes (pasted, or scanned).
#[tauri::command]
pub async fn add_account_uri(app: AppHandle, uri: String, force: bool) -> Result<Added, String> {
    if uri.len() > MAX_URI_BYTES {
        return Err(format!("the URI is longer than {MAX_URI_BYTES} bytes"));
    }
    let mut enrollment = uri::parse(&uri).map_err(|e| e.to_string())?;
    enrollment.issuer = clean_label(&enrollment.issuer, MAX_LABEL_CHARS, "issuer")?;
    enrollment.name = clean_label(&enrollment.name, MAX_LABEL_CHARS, "account name")?;
    blocking(app, move |state| {
        state.with_session(|s| add(s, enrollment, force))
    })
    .await
}

/// An account typed in by hand.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManualAccount {
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// The secret in base32, as the site shows it.
    pub secret: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: OtpKind,
    /// `sha1`, `sha256` or `sha512` (any case).
    pub algorithm: Algorithm,
    /// Code length (ignored for Steam).
    pub digits: u8,
    /// Seconds per code (TOTP).
    pub period: u64,
    /// HOTP counter, as text.
    pub counter: String,
}

impl ManualAccount {
    /// Checks every field, naming the first wrong one.
    fn into_enrollment(self) -> Result<Enrollment, String> {
        let issuer = clean_label(&self.issuer, MAX_LABEL_CHARS, "issuer")?;
        let name = clean_label(&self.name, MAX_LABEL_CHARS, "account name")?;
        if issuer.is_empty() && name.is_empty() {
            return Err("give the account an issuer, a name, or both".to_owned());
        }
        check_chars(&self.secret, MAX_SECRET_CHARS, "secret")?;
        let secret = Secret::from_base32(&self.secret).map_err(|e| e.to_string())?;
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
                        format!("the counter must be a whole number from 0 to {}", u64::MAX)
                    })?
                };
                OtpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                    ..OtpParams::hotp(counter)
                }
            }
        };
        params.validate().map_err(|e| e.to_string())?;
        Ok(Enrollment {
            issuer,
            name,
            secret,
            params,
        })
    }
}

/// Adds an account typed in by hand, every field validated.
#[tauri::command]
pub async fn add_account_manual(
    app: AppHandle,
    account: ManualAccount,
    force: bool,
) -> Result<Added, String> {
    let enrollment = account.into_enrollment()?;
    blocking(app, move |state| {
        state.with_session(|s| add(s, enrollment, force))
    })
    .await
}

/// The fields an edit may change; absent ones stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountEdit {
    /// New issuer.
    pub issuer: Option<String>,
    /// New account name.
    pub name: Option<String>,
    /// New notes.
    pub notes: Option<String>,
    /// Favourite or not.
    pub favourite: Option<bool>,
    /// New tags.
    pub tags: Option<Vec<String>>,
}

/// Edits an account's names, notes, favourite mark or tags.
#[tauri::command]
pub async fn edit_account(
    app: AppHandle,
    id: String,
    edit: AccountEdit,
) -> Result<AccountView, String> {
    let id = account_id(&id)?;
    let issuer = edit
        .issuer
        .map(|t| clean_label(&t, MAX_LABEL_CHARS, "issuer"))
        .transpose()?;
    let name = edit
        .name
        .map(|t| clean_label(&t, MAX_LABEL_CHARS, "account name"))
        .transpose()?;
    if let Some(notes) = &edit.notes {
        check_chars(notes, MAX_NOTES_CHARS, "notes")?;
    }
    let tags = edit.tags.as_deref().map(clean_tags).transpose()?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let now = system_seconds();
            s.update(now, |contents| -> Result<(), String> {
                let account = contents
                    .account_mut(&id)
                    .ok_or("the account is no longer in the vault")?;
                if let Some(issuer) = issuer {
                    account.enrollment.issuer = issuer;
                }
                if let Some(name) = name {
                    account.enrollment.name = name;
                }
                if account.enrollment.issuer.is_empty() && account.enrollment.name.is_empty() {
                    return Err("an account needs an issuer or a name".to_owned());
                }
                if let Some(notes) = edit.notes {
                    account.notes = notes;
                }
                if let Some(favourite) = edit.favourite {
                    account.favourite = favourite;
                }
                if let Some(tags) = tags {
                    account.tags = tags;
                }
                account.updated_at = now;
                Ok(())
            })?;
            let contents = s.vault.contents();
            let account = contents
                .account(&id)
                .ok_or("the account is no longer in the vault")?;
            let view = AccountView::of(account, contents);
            Ok(view)
        })
    })
    .await
}

/// Removes an account; returns how it was named, for the confirmation.
#[tauri::command]
pub async fn remove_account(app: AppHandle, id: String) -> Result<String, String> {
    let id = account_id(&id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let removed = s.update(system_seconds(), |contents| -> Result<String, String> {
                let account = contents
                    .remove_account(&id)
                    .ok_or("the account is no longer in the vault")?;
                Ok(label(&account))
            })?;
            s.hotp_codes.remove(&id);
            Ok(removed)
        })
    })
    .await
}

/// Generates the next HOTP code: the stored counter's code, with the counter
/// advanced and saved in the same update, as the service expects.
#[tauri::command]
pub async fn hotp_next(app: AppHandle, id: String) -> Result<CodeView, String> {
    let id = account_id(&id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let now = system_seconds();
            let code = s.update(now, |contents| {
                let account = contents
                    .account_mut(&id)
                    .ok_or("the account is no longer in the vault")?;
                if account.enrollment.params.kind != OtpKind::Hotp {
                    return Err("only counter-based (HOTP) accounts have a next code".to_owned());
                }
                let code = account.enrollment.code_at(0).map_err(|e| e.to_string())?;
                let counter = &mut account.enrollment.params.counter;
                *counter = counter
                    .checked_add(1)
                    .ok_or("the HOTP counter is at its maximum")?;
                account.updated_at = now;
                Ok::<_, String>(code)
            })?;
            s.hotp_codes.insert(id.clone(), code);
            let account = s.vault.contents().account(&id).ok_or(LOCKED)?;
            Ok(code_view(s, account, now))
        })
    })
    .await
}

/// What was copied, for the brief confirmation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Copied {
    /// The code now on the clipboard.
    pub code: String,
    /// Seconds until it is cleared (`None`: never).
    pub clears_in_seconds: Option<u32>,
}

/// Copies an account's current code to the clipboard (computed here, at
/// this moment) and schedules its clearing.
#[tauri::command]
pub async fn copy_code(app: AppHandle, id: String) -> Result<Copied, String> {
    let id = account_id(&id)?;
    blocking(app, move |state| {
        let (code, settings) = state.with_session(|s| {
            let settings = settings_of(s.vault.contents());
            let account = s
                .vault
                .contents()
                .account(&id)
                .ok_or("the account is no longer in the vault")?;
            let now = settings.code_time_millis(system_millis()) / 1000;
            let code = match account.enrollment.timed_code(now) {
                Ok(Some(timed)) => timed.code,
                Ok(None) => s
                    .hotp_codes
                    .get(&id)
                    .cloned()
                    .ok_or("generate a code first")?,
                Err(e) => return Err(e.to_string()),
            };
            Ok((code, settings))
        })?;
        state
            .clipboard
            .copy(code.as_str(), settings.clipboard_clear_after())?;
        Ok(Copied {
            code: code.as_str().to_owned(),
            clears_in_seconds: (settings.clipboard_clear_seconds > 0)
                .then_some(settings.clipboard_clear_seconds),
        })
    })
    .await
}

/// The account as a QR code (its `otpauth://` URI, secret included) for
/// moving it to another device: a PNG in a `data:` URL. Only called after
/// the user read the warning and asked to reveal it.
#[tauri::command]
pub async fn account_qr(app: AppHandle, id: String) -> Result<String, String> {
    use base64::Engine;
    let id = account_id(&id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let account = s
                .vault
                .contents()
                .account(&id)
                .ok_or("the account is no longer in the vault")?;
            let png = tessera_transfer::qr::account_png(&account.enrollment)
                .map_err(|e| e.to_string())?;
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

    #[test]
    fn manual_entry_is_validated_field_by_field() {
        let e = manual("jbsw y3dp ehpk 3pxp").into_enrollment().unwrap();
        assert_eq!(e.issuer, "ACME");
        assert_eq!(e.code_at(59).unwrap().as_str(), "996554");
        assert!(manual("JBSW1")
            .into_enrollment()
            .unwrap_err()
            .contains("base32"));
        let no_names = ManualAccount {
            issuer: " ".into(),
            name: String::new(),
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert!(no_names.into_enrollment().unwrap_err().contains("issuer"));
        let digits = ManualAccount {
            digits: 11,
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert!(digits.into_enrollment().unwrap_err().contains("digits"));
        let period = ManualAccount {
            period: 0,
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert!(period.into_enrollment().unwrap_err().contains("period"));
        let huge = manual(&"A".repeat(MAX_SECRET_CHARS + 1));
        assert!(huge.into_enrollment().unwrap_err().contains("longer"));
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
        assert!(bad.into_enrollment().unwrap_err().contains("counter"));
        let steam = ManualAccount {
            kind: OtpKind::Steam,
            digits: 8,
            period: 60,
            ..manual("JBSWY3DPEHPK3PXP")
        };
        assert_eq!(steam.into_enrollment().unwrap().params, OtpParams::steam());
    }

    #[test]
    fn the_ui_shape_of_an_account_has_no_secret() {
        let e = manual("JBSWY3DPEHPK3PXP").into_enrollment().unwrap();
        let account = Account::new(e, 5).unwrap();
        let json = serde_json::to_string(&AccountView::of(&account, &Contents::default())).unwrap();
        assert!(!json.contains("JBSWY3DPEHPK3PXP"), "{json}");
        assert!(!json.to_lowercase().contains("secret"), "{json}");
        assert!(json.contains(r#""kind":"totp""#), "{json}");
        assert!(json.contains(r#""algorithm":"SHA1""#), "{json}");
    }
}
