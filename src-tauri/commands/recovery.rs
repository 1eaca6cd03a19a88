//! Recovery codes, per account or for services without OTP: adding them by
//! pasting what the service showed (or replacing the set with a newly
//! issued one), marking one used (and saving the replacement a rotating
//! service issues, or undoing a mistaken mark), copying, revealing,
//! removing.
//! The rules are tessera-core's, shared with `tessera recovery`.
//!
//! Codes are secrets. Listings give the page counts, warnings and each
//! code masked (its shape, `•••••-•••••`), never the code: a stored code
//! reaches the page only through `recovery_reveal`, when the user asks to see
//! them and confirms it in a native dialog (`crate::confirm`), and
//! `recovery_copy` puts one on the clipboard from Rust. The page
//! names a code by its place and its masked shape, so a list that changed
//! meanwhile is noticed rather than the wrong code used.

use serde::Deserialize;
use tauri::AppHandle;
use tessera_core::disclosure::Disclosure;
use tessera_core::limits::{check_chars, clean_label, parse_id};
use tessera_core::recovery::{entry_label, mask, parse_codes, pasted_set, AddMode, CodesTarget};
use tessera_otp::Zeroizing;
use tessera_vault::{AccountId, Contents, RecoveryEntry};
use ts_rs::TS;

use crate::confirm;
use crate::error::{CommandError, CommandResult};
use crate::state::{blocking, system_seconds};
use crate::views::{ParsedCodes, RecoveryView, Used};

/// Every set of recovery codes (re-reading the vault if the CLI changed
/// it).
#[tauri::command]
pub async fn recovery_list(app: AppHandle) -> CommandResult<Vec<RecoveryView>> {
    blocking(app, |state| {
        state.with_session(|s| {
            s.refresh(true);
            let contents = s.contents();
            Ok(contents
                .recovery
                .iter()
                .map(|e| RecoveryView::of(contents, e))
                .collect())
        })
    })
    .await
}

/// A pasted block of codes.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CodesText {
    /// The text, as the service showed it.
    pub text: String,
    /// Where they would go, to compare them with the set kept there.
    #[serde(default)]
    #[ts(optional)]
    pub target: Option<RecoveryTarget>,
}

/// Splits a pasted block into codes for the preview (the page has the
/// text already), and compares them with the set they would join.
#[tauri::command]
pub async fn recovery_parse(app: AppHandle, request: CodesText) -> CommandResult<ParsedCodes> {
    let text = Zeroizing::new(request.text);
    let codes = parse_codes(&text)?;
    let target = request.target.map(codes_target).transpose()?;
    blocking(app, move |state| {
        let pasted = match &target {
            Some(target) => Some(state.with_session(|s| {
                s.refresh(true);
                Ok(pasted_set(s.contents(), target, &codes))
            })?),
            None => None,
        };
        Ok(ParsedCodes {
            shapes: codes.iter().map(|c| mask(c)).collect(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            current: pasted.map_or(0, |p| p.current),
            shared: pasted.map_or(0, |p| p.shared),
            ask_replace: pasted.is_some_and(|p| p.ask_replace()),
            rotating: pasted.is_some_and(|p| p.rotating),
        })
    })
    .await
}

/// The core's name for where codes go.
fn codes_target(target: RecoveryTarget) -> CommandResult<CodesTarget> {
    Ok(match target {
        RecoveryTarget::Entry { id } => CodesTarget::Entry(parse_id(&id)?),
        RecoveryTarget::Account { id } => CodesTarget::Account(parse_id(&id)?),
        RecoveryTarget::Service { issuer, name } => CodesTarget::NewService {
            issuer: clean_label(&issuer, "service")?,
            name,
        },
    })
}

/// Where new codes go, as the page names it.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[serde(deny_unknown_fields)]
pub enum RecoveryTarget {
    /// An existing set, by its id.
    Entry {
        /// The set's id.
        id: String,
    },
    /// An account, by its id.
    Account {
        /// The account's id.
        id: String,
    },
    /// A service with no OTP account here.
    Service {
        /// The service.
        issuer: String,
        /// The account at the service.
        name: String,
    },
}

/// Codes to save.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveryAdd {
    /// Where they go.
    pub target: RecoveryTarget,
    /// The pasted block.
    pub text: String,
    /// The service issues a new code for each one used.
    pub rotating: bool,
    /// A note replacing the set's.
    pub note: Option<String>,
    /// The codes are a newly issued set replacing the kept one (which
    /// stays as history, marked replaced), not more codes for it.
    #[serde(default)]
    #[ts(optional)]
    pub replace: Option<bool>,
}

/// Saves pasted recovery codes.
#[tauri::command]
pub async fn recovery_add(app: AppHandle, request: RecoveryAdd) -> CommandResult<RecoveryView> {
    let text = Zeroizing::new(request.text);
    let codes = parse_codes(&text)?;
    let target = codes_target(request.target)?;
    let (rotating, note) = (request.rotating, request.note);
    let mode = match request.replace {
        Some(true) => AddMode::Replace,
        _ => AddMode::Add,
    };
    blocking(app, move |state| {
        state.with_session(|s| {
            let saved = s.change(|vault| {
                vault.save_recovery_codes(target, codes, mode, rotating, note, system_seconds())
            })?;
            view_of(s.contents(), &saved.entry_id)
        })
    })
    .await
}

/// The set `id`.
fn entry<'c>(contents: &'c Contents, id: &AccountId) -> CommandResult<&'c RecoveryEntry> {
    contents
        .recovery_entry(id)
        .ok_or_else(|| CommandError::invalid("those recovery codes are no longer in the vault"))
}

fn view_of(contents: &Contents, id: &AccountId) -> CommandResult<RecoveryView> {
    Ok(RecoveryView::of(contents, entry(contents, id)?))
}

/// The code at `index` of the set `id`, if its masked shape is still
/// `expected_shape` (else the list changed meanwhile).
fn code_at(
    contents: &Contents,
    id: &AccountId,
    index: usize,
    expected_shape: &str,
) -> CommandResult<Zeroizing<String>> {
    entry(contents, id)?
        .codes
        .codes()
        .get(index)
        .map(|c| c.code())
        .filter(|c| mask(c) == expected_shape)
        .map(|c| Zeroizing::new(c.to_owned()))
        .ok_or_else(|| CommandError::invalid("the list of codes changed meanwhile; look again"))
}

/// One code of a set, by its place and masked shape.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CodeRef {
    /// The set's id.
    pub id: String,
    /// The code's place in the set.
    pub index: usize,
    /// Its masked shape, as listed.
    pub shape: String,
}

impl CodeRef {
    fn checked(&self) -> CommandResult<AccountId> {
        check_chars(&self.shape, 256, "code")?;
        Ok(parse_id(&self.id)?)
    }
}

/// Marks a code used.
#[tauri::command]
pub async fn recovery_use(app: AppHandle, request: CodeRef) -> CommandResult<Used> {
    let id = request.checked()?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let code = code_at(s.contents(), &id, request.index, &request.shape)?;
            let used =
                s.change(|vault| vault.use_recovery_code(&id, &code, None, system_seconds()))?;
            Ok(Used {
                entry: view_of(s.contents(), &id)?,
                replacement_expected: used.replacement_missing,
            })
        })
    })
    .await
}

/// Undoes a mistaken mark of use: the code is unused again.
#[tauri::command]
pub async fn recovery_unuse(app: AppHandle, request: CodeRef) -> CommandResult<RecoveryView> {
    let id = request.checked()?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let code = code_at(s.contents(), &id, request.index, &request.shape)?;
            s.change(|vault| vault.undo_recovery_use(&id, &code, system_seconds()))?;
            view_of(s.contents(), &id)
        })
    })
    .await
}

/// One code, or (no index) the whole set, to remove.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveryRemove {
    /// The set's id.
    pub id: String,
    /// The code's place, or none for the whole set.
    pub index: Option<usize>,
    /// Its masked shape, as listed.
    pub shape: Option<String>,
}

/// Removes one code, or every code of the set.
#[tauri::command]
pub async fn recovery_remove(app: AppHandle, request: RecoveryRemove) -> CommandResult<()> {
    let id = parse_id(&request.id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            let code = match request.index {
                Some(index) => Some(code_at(
                    s.contents(),
                    &id,
                    index,
                    request.shape.as_deref().unwrap_or_default(),
                )?),
                None => None,
            };
            s.change(|vault| {
                vault.remove_recovery(&id, code.as_deref().map(|c| c.as_str()), system_seconds())
            })?;
            Ok(())
        })
    })
    .await
}

/// One set of codes, by id.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntryRef {
    /// The set's id.
    pub id: String,
}

/// The codes themselves: only when the user asks to reveal them, and says
/// yes to it outside the page (a script in the page cannot).
#[tauri::command]
pub async fn recovery_reveal(app: AppHandle, request: EntryRef) -> CommandResult<Vec<String>> {
    let id = parse_id(&request.id)?;
    let handle = app.clone();
    blocking(app, move |state| {
        let disclosure = state.with_session(|s| {
            Ok(Disclosure::RecoveryCodes {
                label: entry_label(s.contents(), entry(s.contents(), &id)?),
            })
        })?;
        confirm::after_yes(&handle, state, &disclosure, |s| {
            Ok(entry(s.contents(), &id)?
                .codes
                .codes()
                .iter()
                .map(|c| c.code().to_owned())
                .collect())
        })
    })
    .await
}

/// Copies one code to the clipboard from Rust; returns the seconds until
/// it is cleared.
#[tauri::command]
pub async fn recovery_copy(app: AppHandle, request: CodeRef) -> CommandResult<Option<u32>> {
    let id = request.checked()?;
    blocking(app, move |state| {
        let (code, preferences) = state.with_session(|s| {
            let code = code_at(s.contents(), &id, request.index, &request.shape)?;
            Ok((code, s.vault.preferences()))
        })?;
        state
            .clipboard
            .copy(&code, preferences.clipboard_clear_after())
            .map_err(CommandError::invalid)?;
        Ok(
            (preferences.clipboard_clear_seconds > 0)
                .then_some(preferences.clipboard_clear_seconds),
        )
    })
    .await
}

/// What to change in a set.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveryEdit {
    /// The set's id.
    pub id: String,
    /// Whether its service rotates codes.
    pub rotating: Option<bool>,
    /// Its note.
    pub note: Option<String>,
}

/// Changes whether a set rotates, or its note.
#[tauri::command]
pub async fn recovery_edit(app: AppHandle, request: RecoveryEdit) -> CommandResult<RecoveryView> {
    let id = parse_id(&request.id)?;
    blocking(app, move |state| {
        state.with_session(|s| {
            s.change(|vault| {
                vault.edit_recovery(&id, request.rotating, request.note, system_seconds())
            })?;
            view_of(s.contents(), &id)
        })
    })
    .await
}
