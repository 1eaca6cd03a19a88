//! Recovery codes, per account or for services without OTP: adding them by
//! pasting what the service showed, marking one used (and saving the
//! replacement a rotating service issues), copying, revealing, removing.
//!
//! Codes are secrets. Listings give the webview counts, warnings and each
//! code's shape (`•••••-•••••`), never the code: a code reaches the
//! webview only through `recovery_reveal`, when the user asks to see them,
//! and `recovery_copy` puts one on the clipboard from Rust.

use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tessera_otp::{parse_recovery_block, RecoveryCodes, Zeroizing, MAX_BLOCK_LEN};
use tessera_vault::{AccountId, Contents, RecoveryEntry, RecoveryOwner};

use crate::commands::accounts::label;
use crate::limits::{account_id, check_chars, clean_label, MAX_LABEL_CHARS, MAX_NOTES_CHARS};
use crate::settings::AppSettings;
use crate::state::{blocking, system_seconds};

/// Most codes one entry may hold through the app (services give 5 to 16).
const MAX_CODES_PER_ENTRY: usize = 200;

/// A code's shape with every letter and digit hidden, so the list shows how
/// codes look without showing any of them.
pub fn shape(code: &str) -> String {
    code.chars()
        .map(|c| if c.is_alphanumeric() { '•' } else { c })
        .collect()
}

/// One stored code, as listed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeSlot {
    /// Its position in the entry (oldest first).
    pub index: usize,
    /// Its shape, never its characters.
    pub shape: String,
    /// Unix seconds it was stored.
    pub added_at: u64,
    /// Unix seconds it was used, if it was.
    pub used_at: Option<u64>,
}

/// One account's or service's recovery codes, as listed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryView {
    /// The entry's id.
    pub id: String,
    /// The OTP account the codes belong to, if any.
    pub account_id: Option<String>,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// "Issuer (name)", as messages name it.
    pub label: String,
    /// Whether the service replaces each used code.
    pub rotating: bool,
    /// Where the codes came from, in the user's words.
    pub note: String,
    /// Codes still good.
    pub unused: usize,
    /// Codes stored.
    pub total: usize,
    /// What the user should act on (one line each).
    pub warnings: Vec<String>,
    /// The codes, masked.
    pub codes: Vec<CodeSlot>,
}

fn names(contents: &Contents, entry: &RecoveryEntry) -> (String, String) {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => contents
            .account(account_id)
            .map(|a| (a.enrollment.issuer.clone(), a.enrollment.name.clone()))
            .unwrap_or_default(),
        RecoveryOwner::Service { issuer, name } => (issuer.clone(), name.clone()),
    }
}

fn entry_label(contents: &Contents, entry: &RecoveryEntry) -> String {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => contents
            .account(account_id)
            .map(label)
            .unwrap_or_else(|| "a removed account".to_owned()),
        RecoveryOwner::Service { issuer, name } if name.is_empty() => issuer.clone(),
        RecoveryOwner::Service { issuer, name } => format!("{issuer} ({name})"),
    }
}

fn view(contents: &Contents, entry: &RecoveryEntry) -> RecoveryView {
    let (issuer, name) = names(contents, entry);
    let threshold = contents.settings.recovery_few_left_threshold();
    RecoveryView {
        id: entry.id.as_str().to_owned(),
        account_id: match &entry.owner {
            RecoveryOwner::Account { account_id } => Some(account_id.as_str().to_owned()),
            RecoveryOwner::Service { .. } => None,
        },
        label: entry_label(contents, entry),
        issuer,
        name,
        rotating: entry.codes.rotating,
        note: entry.codes.note.clone(),
        unused: entry.codes.unused_count(),
        total: entry.codes.codes().len(),
        warnings: entry
            .codes
            .warnings(threshold)
            .iter()
            .map(ToString::to_string)
            .collect(),
        codes: entry
            .codes
            .codes()
            .iter()
            .enumerate()
            .map(|(index, c)| CodeSlot {
                index,
                shape: shape(c.code()),
                added_at: c.added_at,
                used_at: c.used_at,
            })
            .collect(),
    }
}

/// Every recovery entry, services and accounts alike.
#[tauri::command]
pub async fn recovery_list(app: AppHandle) -> Result<Vec<RecoveryView>, String> {
    blocking(app, |state| {
        state.with_session(|s| {
            s.refresh(true);
            let contents = s.vault.contents();
            Ok(contents
                .recovery
                .iter()
                .map(|e| view(contents, e))
                .collect())
        })
    })
    .await
}

/// The codes found in a pasted block, before saving: how many, and their
/// shapes, so the user can check the paste was read right.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedCodes {
    /// The shapes of the codes found, in order.
    pub shapes: Vec<String>,
}

fn parse_block(text: &str) -> Result<Vec<Zeroizing<String>>, String> {
    if text.len() > MAX_BLOCK_LEN {
        return Err(format!(
            "the text is {} bytes, more than the {MAX_BLOCK_LEN} a list of recovery codes could need",
            text.len()
        ));
    }
    parse_recovery_block(text).map_err(|e| e.to_string())
}

/// Splits a pasted block into codes without storing anything.
#[tauri::command]
pub async fn recovery_parse(text: String) -> Result<ParsedCodes, String> {
    let text = Zeroizing::new(text);
    let codes = parse_block(&text)?;
    Ok(ParsedCodes {
        shapes: codes.iter().map(|c| shape(c)).collect(),
    })
}

/// Where pasted codes go.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, tag = "kind")]
pub enum RecoveryTarget {
    /// An existing entry.
    Entry {
        /// The entry's id.
        id: String,
    },
    /// An OTP account (its entry is made if it has none).
    Account {
        /// The account's id.
        id: String,
    },
    /// A new service without an OTP account here.
    Service {
        /// The service.
        issuer: String,
        /// The account at the service (may be empty).
        name: String,
    },
}

/// Saves the codes of a pasted block (all or none), making the entry if
/// needed; `rotating` marks a service that replaces each used code.
#[tauri::command]
pub async fn recovery_add(
    app: AppHandle,
    target: RecoveryTarget,
    text: String,
    rotating: bool,
    note: Option<String>,
) -> Result<RecoveryView, String> {
    let text = Zeroizing::new(text);
    let codes = parse_block(&text)?;
    if let Some(note) = &note {
        check_chars(note, MAX_NOTES_CHARS, "note")?;
    }
    let target = match target {
        RecoveryTarget::Entry { id } => RecoveryTarget::Entry {
            id: account_id(&id)?.as_str().to_owned(),
        },
        RecoveryTarget::Account { id } => RecoveryTarget::Account {
            id: account_id(&id)?.as_str().to_owned(),
        },
        RecoveryTarget::Service { issuer, name } => {
            let issuer = clean_label(&issuer, MAX_LABEL_CHARS, "service")?;
            if issuer.is_empty() {
                return Err("name the service the codes are for".to_owned());
            }
            RecoveryTarget::Service {
                issuer,
                name: clean_label(&name, MAX_LABEL_CHARS, "account name")?,
            }
        }
    };
    blocking(app, move |state| {
        state.with_session(|s| {
            let now = system_seconds();
            let id = s.update(now, |contents| -> Result<AccountId, String> {
                let fresh = |owner| {
                    RecoveryEntry::new(owner, RecoveryCodes::new(rotating, String::new()), now)
                        .map_err(|e| e.to_string())
                };
                let id = match &target {
                    RecoveryTarget::Entry { id } => {
                        let id = account_id(id)?;
                        contents
                            .recovery_entry(&id)
                            .ok_or("those recovery codes are no longer in the vault")?;
                        id
                    }
                    RecoveryTarget::Account { id } => {
                        let account_id = account_id(id)?;
                        contents
                            .account(&account_id)
                            .ok_or("the account is no longer in the vault")?;
                        match contents.recovery_for_account(&account_id) {
                            Some(entry) => entry.id.clone(),
                            None => {
                                let entry = fresh(RecoveryOwner::Account { account_id })?;
                                let id = entry.id.clone();
                                contents.recovery.push(entry);
                                id
                            }
                        }
                    }
                    RecoveryTarget::Service { issuer, name } => {
                        let entry = fresh(RecoveryOwner::Service {
                            issuer: issuer.clone(),
                            name: name.clone(),
                        })?;
                        let id = entry.id.clone();
                        contents.recovery.push(entry);
                        id
                    }
                };
                let entry = contents.recovery_mut(&id).ok_or("the entry vanished")?;
                if entry.codes.codes().len() + codes.len() > MAX_CODES_PER_ENTRY {
                    return Err(format!(
                        "one service can keep at most {MAX_CODES_PER_ENTRY} recovery codes"
                    ));
                }
                if rotating {
                    entry.codes.rotating = true;
                }
                if let Some(note) = &note {
                    entry.codes.note = note.clone();
                }
                entry
                    .codes
                    .add(codes.clone(), now)
                    .map_err(|e| e.to_string())?;
                entry.updated_at = now;
                Ok(id)
            })?;
            let contents = s.vault.contents();
            let entry = contents.recovery_entry(&id).ok_or("the entry vanished")?;
            Ok(view(contents, entry))
        })
    })
    .await
}

/// Finds the code at `index` of entry `id`, checking it still has the shape
/// the user saw (the CLI may have changed the list meanwhile).
fn code_at<'c>(
    contents: &'c Contents,
    id: &AccountId,
    index: usize,
    expected_shape: &str,
) -> Result<&'c str, String> {
    let entry = contents
        .recovery_entry(id)
        .ok_or("those recovery codes are no longer in the vault")?;
    let code = entry
        .codes
        .codes()
        .get(index)
        .map(|c| c.code())
        .filter(|c| shape(c) == expected_shape)
        .ok_or("the list of codes changed meanwhile; look again")?;
    Ok(code)
}

/// What marking a code used found out.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Used {
    /// The entry after the change.
    pub entry: RecoveryView,
    /// The service replaces used codes: ask for the new one now.
    pub replacement_expected: bool,
}

/// Marks the code at `index` used (it stays, with its date).
#[tauri::command]
pub async fn recovery_use(
    app: AppHandle,
    id: String,
    index: usize,
    shape: String,
) -> Result<Used, String> {
    let id = account_id(&id)?;
    check_chars(&shape, 256, "code")?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let now = system_seconds();
            let outcome = s.update(now, |contents| {
                let code = Zeroizing::new(code_at(contents, &id, index, &shape)?.to_owned());
                let entry = contents.recovery_mut(&id).ok_or("the entry vanished")?;
                let outcome = entry
                    .codes
                    .use_code(&code, now)
                    .map_err(|e| e.to_string())?;
                entry.updated_at = now;
                Ok(outcome)
            })?;
            let contents = s.vault.contents();
            let entry = contents.recovery_entry(&id).ok_or("the entry vanished")?;
            Ok(Used {
                entry: view(contents, entry),
                replacement_expected: outcome.replacement_expected,
            })
        })
    })
    .await
}

/// Removes one code (`index` given) or the whole entry.
#[tauri::command]
pub async fn recovery_remove(
    app: AppHandle,
    id: String,
    index: Option<usize>,
    shape: Option<String>,
) -> Result<(), String> {
    let id = account_id(&id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            s.update(system_seconds(), |contents| match index {
                Some(index) => {
                    let code = Zeroizing::new(
                        code_at(contents, &id, index, shape.as_deref().unwrap_or_default())?
                            .to_owned(),
                    );
                    let entry = contents.recovery_mut(&id).ok_or("the entry vanished")?;
                    entry.codes.remove_code(&code).map_err(|e| e.to_string())
                }
                None => {
                    let before = contents.recovery.len();
                    contents.recovery.retain(|e| e.id != id);
                    if contents.recovery.len() == before {
                        return Err("those recovery codes are no longer in the vault".to_owned());
                    }
                    Ok(())
                }
            })
        })
    })
    .await
}

/// Reveals every code of an entry, because the user asked to see them.
#[tauri::command]
pub async fn recovery_reveal(app: AppHandle, id: String) -> Result<Vec<String>, String> {
    let id = account_id(&id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let entry = s
                .vault
                .contents()
                .recovery_entry(&id)
                .ok_or("those recovery codes are no longer in the vault")?;
            Ok(entry
                .codes
                .codes()
                .iter()
                .map(|c| c.code().to_owned())
                .collect())
        })
    })
    .await
}

/// Copies the code at `index` to the clipboard (cleared after the delay),
/// without it passing through the webview.
#[tauri::command]
pub async fn recovery_copy(
    app: AppHandle,
    id: String,
    index: usize,
    shape: String,
) -> Result<Option<u32>, String> {
    let id = account_id(&id)?;
    check_chars(&shape, 256, "code")?;
    blocking(app, move |state| {
        let (code, settings) = state.with_session(|s| {
            let contents = s.vault.contents();
            let code = Zeroizing::new(code_at(contents, &id, index, &shape)?.to_owned());
            Ok((code, AppSettings::from_map(&contents.settings.extra)))
        })?;
        state
            .clipboard
            .copy(&code, settings.clipboard_clear_after())?;
        Ok((settings.clipboard_clear_seconds > 0).then_some(settings.clipboard_clear_seconds))
    })
    .await
}

/// Changes an entry's note or its rotating mark.
#[tauri::command]
pub async fn recovery_edit(
    app: AppHandle,
    id: String,
    rotating: Option<bool>,
    note: Option<String>,
) -> Result<RecoveryView, String> {
    let id = account_id(&id)?;
    if let Some(note) = &note {
        check_chars(note, MAX_NOTES_CHARS, "note")?;
    }
    blocking(app, move |state| {
        state.with_session(|s| {
            let now = system_seconds();
            s.update(now, |contents| {
                let entry = contents
                    .recovery_mut(&id)
                    .ok_or("those recovery codes are no longer in the vault")?;
                if let Some(rotating) = rotating {
                    entry.codes.rotating = rotating;
                }
                if let Some(note) = note {
                    entry.codes.note = note;
                }
                entry.updated_at = now;
                Ok(())
            })?;
            let contents = s.vault.contents();
            let entry = contents.recovery_entry(&id).ok_or("the entry vanished")?;
            Ok(view(contents, entry))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_hide_every_letter_and_digit() {
        assert_eq!(shape("a1b2c-3d4e5"), "•••••-•••••");
        assert_eq!(shape("1234 5678"), "•••• ••••");
        assert_eq!(shape("ÄBC_9"), "•••_•");
    }

    #[test]
    fn oversized_blocks_are_refused_before_parsing() {
        let huge = "1234 5678\n".repeat(MAX_BLOCK_LEN / 10 + 1);
        assert!(parse_block(&huge).unwrap_err().contains("more than"));
        assert_eq!(parse_block("a1b2c-3d4e5\nf6a7b-8c9d0").unwrap().len(), 2);
        let page = "GitHub recovery codes\n\n1. a1b2c-3d4e5\n2. f6a7b-8c9d0\n3. 11111-22222\n\nKeep them safe.";
        assert_eq!(parse_block(page).unwrap().len(), 3);
        let typed = page.replace('\n', "\r\n");
        assert_eq!(parse_block(&typed).unwrap().len(), 3);
    }
}
