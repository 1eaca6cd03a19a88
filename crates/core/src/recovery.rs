//! Recovery codes as both front ends handle them: how a set is named, how
//! a code is masked, which set a query means, and adding, replacing with a
//! newly issued set, using (and undoing a mistaken use), removing and
//! editing codes. The codes themselves and their rules (each good once,
//! rotating services, warnings) are `tessera_otp::RecoveryCodes`; here is
//! what ties them to the vault's accounts and services.
//!
//! Masking is one rule for the app and the command line: a masked code
//! keeps its shape (separators and length) and shows none of its
//! characters, so a masked list, a page script or a screen recording
//! learns nothing that narrows a guess.

use tessera_otp::{parse_recovery_block, RecoveryCodes, RecoveryWarning, Zeroizing, MAX_BLOCK_LEN};
use tessera_vault::{AccountId, Contents, RecoveryEntry, RecoveryOwner};

use crate::accounts::{find, label};
use crate::error::CoreError;
use crate::limits::{check_notes, MAX_CODES_PER_ENTRY};
use crate::vault::Vault;

/// A code as shown before the user asks to reveal it: every letter and
/// digit as `•`, separators kept (`a1b2c-3d4e5` shows as `•••••-•••••`).
pub fn mask(code: &str) -> String {
    code.chars()
        .map(|c| if c.is_alphanumeric() { '•' } else { c })
        .collect()
}

/// The issuer and name a set of codes belongs to (empty for the account of
/// a set whose account is gone).
pub fn entry_names(contents: &Contents, entry: &RecoveryEntry) -> (String, String) {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => contents
            .account(account_id)
            .map(|a| (a.enrollment.issuer.clone(), a.enrollment.name.clone()))
            .unwrap_or_default(),
        RecoveryOwner::Service { issuer, name } => (issuer.clone(), name.clone()),
    }
}

/// How a set of codes is named in messages: its account's label, or the
/// service `Issuer (name)`.
pub fn entry_label(contents: &Contents, entry: &RecoveryEntry) -> String {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => contents
            .account(account_id)
            .map(label)
            .unwrap_or_else(|| format!("a removed account [{account_id}]")),
        RecoveryOwner::Service { issuer, name } if name.is_empty() => issuer.clone(),
        RecoveryOwner::Service { issuer, name } => format!("{issuer} ({name})"),
    }
}

/// The id a set of codes is known by outside: its account's id, or its own
/// for a service.
pub fn entry_public_id(entry: &RecoveryEntry) -> &AccountId {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => account_id,
        RecoveryOwner::Service { .. } => &entry.id,
    }
}

/// A set of codes as lists show it, before its codes: names, counts and
/// warnings, nothing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The set's own id.
    pub entry_id: AccountId,
    /// The id the set is known by outside ([`entry_public_id`]).
    pub public_id: AccountId,
    /// Its account's id, when it belongs to one.
    pub account_id: Option<AccountId>,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// How the set is named ([`entry_label`]).
    pub label: String,
    /// The service issues a new code for each one used.
    pub rotating: bool,
    /// Where the codes came from.
    pub note: String,
    /// Codes still good.
    pub unused: usize,
    /// Codes of the current set used.
    pub used: usize,
    /// Codes of older sets a newer one replaced, kept as history.
    pub replaced: usize,
    /// Warnings (few left, a replacement missing), as text.
    pub warnings: Vec<String>,
}

/// The summary of `entry`, one of `contents`' sets.
pub fn summary(contents: &Contents, entry: &RecoveryEntry) -> Summary {
    let (issuer, name) = entry_names(contents, entry);
    let threshold = contents.settings.recovery_few_left_threshold();
    Summary {
        entry_id: entry.id.clone(),
        public_id: entry_public_id(entry).clone(),
        account_id: match &entry.owner {
            RecoveryOwner::Account { account_id } => Some(account_id.clone()),
            RecoveryOwner::Service { .. } => None,
        },
        issuer,
        name,
        label: entry_label(contents, entry),
        rotating: entry.codes.rotating,
        note: entry.codes.note.clone(),
        unused: entry.codes.unused_count(),
        used: entry.codes.used_count(),
        replaced: entry.codes.replaced_count(),
        warnings: entry
            .codes
            .warnings(threshold)
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

/// How a pasted set of codes compares with the set it would join: when it
/// shares no code with a current set that has some, it is likely a newly
/// issued set replacing the old one, and the user is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastedSet {
    /// Codes pasted.
    pub pasted: usize,
    /// Codes of the current set (not replaced) the target has.
    pub current: usize,
    /// Pasted codes already among the current ones.
    pub shared: usize,
    /// The target's service issues a new code for each one used (its new
    /// codes are replacements, added, never a new set).
    pub rotating: bool,
}

impl PastedSet {
    /// Whether to ask the user if the pasted codes replace the current set
    /// or are more codes to add to it.
    pub fn ask_replace(&self) -> bool {
        !self.rotating && self.current > 0 && self.shared == 0
    }
}

/// How `codes` compare with the set `target` names (an account without
/// codes, or a new service, has no current set).
pub fn pasted_set(
    contents: &Contents,
    target: &CodesTarget,
    codes: &[Zeroizing<String>],
) -> PastedSet {
    let entry = match target {
        CodesTarget::Entry(id) => contents.recovery_entry(id),
        CodesTarget::Account(account_id) => contents.recovery_for_account(account_id),
        CodesTarget::NewService { .. } => None,
    };
    PastedSet {
        pasted: codes.len(),
        current: entry.map_or(0, |e| e.codes.current_count()),
        shared: entry.map_or(0, |e| e.codes.shared_with_current(codes)),
        rotating: entry.is_some_and(|e| e.codes.rotating),
    }
}

/// What to do with a pasted set of codes and the set it joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddMode {
    /// More codes of the same set: added to the current ones.
    Add,
    /// A newly issued set: it becomes the current set, and the codes it
    /// does not hold become history (replaced, neither unused nor offered).
    Replace,
}

/// Where new codes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodesTarget {
    /// An existing set, by its entry id.
    Entry(AccountId),
    /// An account, which gets a set if it has none.
    Account(AccountId),
    /// A new set for a service with no OTP account here.
    NewService {
        /// The service.
        issuer: String,
        /// The account at the service, may be empty.
        name: String,
    },
}

/// What a query names: an existing set of codes, an account without codes
/// yet, or nothing. Several matches are an error naming them.
pub fn resolve(contents: &Contents, query: &str) -> Result<Option<CodesTarget>, CoreError> {
    let needle = query.to_lowercase();
    let entry_matches = |entry: &&RecoveryEntry| {
        if entry.id.as_str() == query || entry_public_id(entry).as_str() == query {
            return true;
        }
        let (issuer, name) = entry_names(contents, entry);
        issuer.to_lowercase().contains(&needle) || name.to_lowercase().contains(&needle)
    };
    let entries: Vec<&RecoveryEntry> = contents.recovery.iter().filter(entry_matches).collect();
    let accounts: Vec<_> = find(&contents.accounts, query)
        .into_iter()
        .filter(|a| contents.recovery_for_account(&a.id).is_none())
        .collect();
    if entries.len() + accounts.len() > 1 {
        let mut matches: Vec<String> = entries.iter().map(|e| entry_label(contents, e)).collect();
        matches.extend(accounts.iter().map(|a| label(a)));
        return Err(CoreError::Ambiguous {
            what: "service",
            query: query.to_owned(),
            matches,
        });
    }
    Ok(match (entries.first(), accounts.first()) {
        (Some(entry), _) => Some(CodesTarget::Entry(entry.id.clone())),
        (None, Some(account)) => Some(CodesTarget::Account(account.id.clone())),
        (None, None) => None,
    })
}

/// The set of codes a query names; an account without codes, or nothing,
/// is [`CoreError::NoMatch`].
pub fn resolve_entry(contents: &Contents, query: &str) -> Result<AccountId, CoreError> {
    match resolve(contents, query)? {
        Some(CodesTarget::Entry(id)) => Ok(id),
        _ => Err(CoreError::NoMatch {
            what: "set of recovery codes",
            query: query.to_owned(),
        }),
    }
}

/// Splits a pasted block of codes as services write them, refusing a text
/// far longer than any list of codes before reading it.
pub fn parse_codes(text: &str) -> Result<Vec<Zeroizing<String>>, CoreError> {
    if text.len() > MAX_BLOCK_LEN {
        return Err(CoreError::Invalid(format!(
            "the text is {} bytes, more than the {MAX_BLOCK_LEN} a list of recovery codes could need",
            text.len()
        )));
    }
    parse_recovery_block(text).map_err(CoreError::invalid)
}

/// Merges `codes` into the set `owner` has (creating it): codes already
/// kept are not added twice, and a code used in either copy stays used.
/// Returns how many codes were new.
pub fn keep_codes(
    contents: &mut Contents,
    owner: RecoveryOwner,
    codes: &RecoveryCodes,
    now: u64,
) -> Result<usize, CoreError> {
    if codes.codes().is_empty() {
        return Ok(0);
    }
    if let Some(entry) = contents.recovery.iter_mut().find(|e| e.owner == owner) {
        let added = entry.codes.merge(codes);
        if added > 0 || entry.codes != *codes {
            entry.updated_at = now;
        }
        return Ok(added);
    }
    let added = codes.codes().len();
    contents
        .recovery
        .push(RecoveryEntry::new(owner, codes.clone(), now)?);
    Ok(added)
}

/// What saving codes did.
#[derive(Debug, Clone)]
pub struct SavedCodes {
    /// The set's entry id.
    pub entry_id: AccountId,
    /// How the set is named.
    pub label: String,
    /// Codes in the set still good.
    pub unused: usize,
    /// Warnings about the set (few left, a replacement missing).
    pub warnings: Vec<RecoveryWarning>,
    /// Codes of the set's older codes that the new set replaced.
    pub replaced: usize,
}

/// What using a code did.
#[derive(Debug, Clone)]
pub struct UsedCode {
    /// The set, as saved.
    pub saved: SavedCodes,
    /// The service issues a new code for each one used, and none was given.
    pub replacement_missing: bool,
}

fn saved(contents: &Contents, id: &AccountId) -> Result<SavedCodes, CoreError> {
    let entry = contents
        .recovery_entry(id)
        .ok_or(CoreError::Gone("that set of recovery codes"))?;
    let threshold = contents.settings.recovery_few_left_threshold();
    Ok(SavedCodes {
        entry_id: id.clone(),
        label: entry_label(contents, entry),
        unused: entry.codes.unused_count(),
        warnings: entry.codes.warnings(threshold),
        replaced: 0,
    })
}

fn entry_mut<'c>(
    contents: &'c mut Contents,
    id: &AccountId,
) -> Result<&'c mut RecoveryEntry, CoreError> {
    contents
        .recovery_mut(id)
        .ok_or(CoreError::Gone("that set of recovery codes"))
}

impl Vault {
    /// Saves recovery codes: into an existing set, an account's (made if it
    /// has none), or a new service's. `rotating` marks a service that
    /// issues a new code for each one used; `note` replaces the set's note.
    pub fn add_recovery_codes(
        &mut self,
        target: CodesTarget,
        codes: Vec<Zeroizing<String>>,
        rotating: bool,
        note: Option<String>,
        now: u64,
    ) -> Result<SavedCodes, CoreError> {
        self.save_recovery_codes(target, codes, AddMode::Add, rotating, note, now)
    }

    /// Saves recovery codes as [`add_recovery_codes`](Self::add_recovery_codes)
    /// does, or (`mode` = [`AddMode::Replace`]) as a newly issued set that
    /// replaces the current one: the old codes stay as history, marked
    /// replaced.
    pub fn save_recovery_codes(
        &mut self,
        target: CodesTarget,
        codes: Vec<Zeroizing<String>>,
        mode: AddMode,
        rotating: bool,
        note: Option<String>,
        now: u64,
    ) -> Result<SavedCodes, CoreError> {
        if let Some(note) = &note {
            check_notes(note)?;
        }
        let target = match target {
            CodesTarget::NewService { issuer, name } => {
                let issuer = crate::limits::clean_label(&issuer, "service")?;
                if issuer.is_empty() {
                    return Err(CoreError::invalid("name the service the codes are for"));
                }
                let name = crate::limits::clean_label(&name, "account name")?;
                CodesTarget::NewService { issuer, name }
            }
            other => other,
        };
        self.update(now, |contents| {
            let fresh = |owner| RecoveryEntry::new(owner, RecoveryCodes::new(rotating, ""), now);
            let id = match target {
                CodesTarget::Entry(id) => {
                    entry_mut(contents, &id)?;
                    id
                }
                CodesTarget::Account(account_id) => {
                    contents
                        .account(&account_id)
                        .ok_or(CoreError::Gone("the account"))?;
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
                CodesTarget::NewService { issuer, name } => {
                    let entry = fresh(RecoveryOwner::Service { issuer, name })?;
                    let id = entry.id.clone();
                    contents.recovery.push(entry);
                    id
                }
            };
            let entry = entry_mut(contents, &id)?;
            if entry.codes.codes().len() + codes.len() > MAX_CODES_PER_ENTRY {
                return Err(CoreError::Invalid(format!(
                    "one service can keep at most {MAX_CODES_PER_ENTRY} recovery codes"
                )));
            }
            if rotating {
                entry.codes.rotating = true;
            }
            if let Some(note) = note {
                entry.codes.note = note;
            }
            let replaced = match mode {
                AddMode::Add => {
                    entry.codes.add(codes, now).map_err(CoreError::invalid)?;
                    0
                }
                AddMode::Replace => {
                    entry
                        .codes
                        .replace(codes, now)
                        .map_err(CoreError::invalid)?
                        .replaced
                }
            };
            entry.updated_at = now;
            Ok(SavedCodes {
                replaced,
                ..saved(contents, &id)?
            })
        })
    }

    /// Marks `code` used in the set `id` (case, spaces and dashes ignored),
    /// saving the `replacement` a rotating service issued with it.
    pub fn use_recovery_code(
        &mut self,
        id: &AccountId,
        code: &str,
        replacement: Option<Zeroizing<String>>,
        now: u64,
    ) -> Result<UsedCode, CoreError> {
        self.update(now, |contents| {
            let entry = entry_mut(contents, id)?;
            let outcome = entry
                .codes
                .use_code(code, now)
                .map_err(CoreError::invalid)?;
            let replaced = replacement.is_some();
            if let Some(new_code) = replacement {
                entry
                    .codes
                    .add_replacement(new_code, now)
                    .map_err(CoreError::invalid)?;
            }
            entry.updated_at = now;
            Ok(UsedCode {
                saved: saved(contents, id)?,
                replacement_missing: outcome.replacement_expected && !replaced,
            })
        })
    }

    /// Undoes a mistaken mark of use of `code` in the set `id`: the code is
    /// good again.
    pub fn undo_recovery_use(
        &mut self,
        id: &AccountId,
        code: &str,
        now: u64,
    ) -> Result<SavedCodes, CoreError> {
        self.update(now, |contents| {
            let entry = entry_mut(contents, id)?;
            entry.codes.undo_use(code).map_err(CoreError::invalid)?;
            entry.updated_at = now;
            saved(contents, id)
        })
    }

    /// Removes one code of the set `id`, or (`code` = `None`) the whole
    /// set. Returns how the set was named.
    pub fn remove_recovery(
        &mut self,
        id: &AccountId,
        code: Option<&str>,
        now: u64,
    ) -> Result<String, CoreError> {
        self.update(now, |contents| {
            let entry = contents
                .recovery_entry(id)
                .ok_or(CoreError::Gone("that set of recovery codes"))?;
            let name = entry_label(contents, entry);
            match code {
                Some(code) => {
                    let entry = entry_mut(contents, id)?;
                    entry.codes.remove_code(code).map_err(CoreError::invalid)?;
                    entry.updated_at = now;
                }
                None => contents.recovery.retain(|e| &e.id != id),
            }
            Ok(name)
        })
    }

    /// Changes whether the set's service rotates codes, or its note.
    pub fn edit_recovery(
        &mut self,
        id: &AccountId,
        rotating: Option<bool>,
        note: Option<String>,
        now: u64,
    ) -> Result<SavedCodes, CoreError> {
        if let Some(note) = &note {
            check_notes(note)?;
        }
        self.update(now, |contents| {
            let entry = entry_mut(contents, id)?;
            if let Some(rotating) = rotating {
                entry.codes.rotating = rotating;
            }
            if let Some(note) = note {
                entry.codes.note = note;
            }
            entry.updated_at = now;
            saved(contents, id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_vault::Account;

    #[test]
    fn masks_show_the_shape_and_no_character() {
        assert_eq!(mask("a1b2c-3d4e5"), "•••••-•••••");
        assert_eq!(mask("1234 5678"), "•••• ••••");
        assert_eq!(mask("ÄBC_9"), "•••_•");
    }

    #[test]
    fn oversized_blocks_are_refused_before_parsing() {
        let huge = "1234 5678\n".repeat(MAX_BLOCK_LEN / 10 + 1);
        assert!(parse_codes(&huge)
            .unwrap_err()
            .to_string()
            .contains("more than"));
        let page = "GitHub recovery codes\n\n1. a1b2c-3d4e5\n2. f6a7b-8c9d0\n\nKeep them safe.";
        assert_eq!(parse_codes(page).unwrap().len(), 2);
    }

    fn codes(list: &[&str]) -> RecoveryCodes {
        let mut codes = RecoveryCodes::default();
        codes
            .add(
                list.iter().map(|c| Zeroizing::new(c.to_string())).collect(),
                1,
            )
            .unwrap();
        codes
    }

    fn service(issuer: &str) -> RecoveryOwner {
        RecoveryOwner::Service {
            issuer: issuer.into(),
            name: String::new(),
        }
    }

    #[test]
    fn keeping_codes_twice_adds_nothing() {
        let mut contents = Contents::default();
        assert_eq!(
            keep_codes(&mut contents, service("Bank"), &codes(&["b-1", "b-2"]), 5).unwrap(),
            2
        );
        assert_eq!(
            keep_codes(&mut contents, service("Bank"), &codes(&["b-1", "b-2"]), 6).unwrap(),
            0
        );
        assert_eq!(
            keep_codes(&mut contents, service("Bank"), &codes(&["b-2", "b-3"]), 7).unwrap(),
            1
        );
        assert_eq!(contents.recovery.len(), 1);
        assert_eq!(contents.recovery[0].updated_at, 7);
        assert_eq!(
            keep_codes(&mut contents, service("Mail"), &RecoveryCodes::default(), 8).unwrap(),
            0
        );
        assert_eq!(contents.recovery.len(), 1, "an empty set adds no entry");
    }

    #[test]
    fn queries_name_sets_and_accounts_without_codes() {
        let mut contents = Contents::default();
        let account = Account::new(
            tessera_otp::uri::parse(
                "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            )
            .unwrap(),
            1,
        )
        .unwrap();
        let account_id = account.id.clone();
        contents.accounts.push(account);
        assert_eq!(
            resolve(&contents, "github").unwrap(),
            Some(CodesTarget::Account(account_id.clone()))
        );
        keep_codes(&mut contents, service("Bank"), &codes(&["b-1"]), 1).unwrap();
        let bank = contents.recovery[0].id.clone();
        assert_eq!(
            resolve(&contents, "bank").unwrap(),
            Some(CodesTarget::Entry(bank))
        );
        assert_eq!(resolve(&contents, "nothing").unwrap(), None);
        assert!(matches!(
            resolve(&contents, ""),
            Err(CoreError::Ambiguous { .. })
        ));
        assert!(
            resolve_entry(&contents, "github").is_err(),
            "no codes for it yet"
        );
        assert_eq!(entry_label(&contents, &contents.recovery[0]), "Bank");
    }

    /// A vault with GitHub's account, on disk in `dir`.
    fn vault_in(dir: &std::path::Path) -> (Vault, AccountId) {
        use tessera_vault::{CreateOptions, KdfParams, Password, Unlock, UnlockedVault};
        let path = dir.join("vault.tessera");
        let password = Password::from("recovery");
        let options = CreateOptions {
            password: Some(&password),
            kdf: KdfParams::insecure_for_tests(),
            keyring: None,
        };
        UnlockedVault::create(&path, options, Contents::default(), 1).unwrap();
        let mut vault =
            Vault::open_remembering(&path, Unlock::Password(&password), None, false).unwrap();
        let account = Account::new(
            tessera_otp::uri::parse(
                "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            )
            .unwrap(),
            1,
        )
        .unwrap();
        let id = account.id.clone();
        vault
            .update(2, |contents| {
                contents.accounts.push(account);
                Ok(())
            })
            .unwrap();
        (vault, id)
    }

    fn given(list: &[&str]) -> Vec<Zeroizing<String>> {
        list.iter().map(|c| Zeroizing::new(c.to_string())).collect()
    }

    /// Issue 23: a newly issued set pasted over the old one was added to
    /// it ("18 of 32 unused"). Saved as a replacement, only the new set
    /// counts, the old codes stay as history, and the paste that shares no
    /// code with the current set is the one to ask about.
    #[test]
    fn regression_pasting_a_new_set_replaces_the_old_one_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, account) = vault_in(dir.path());
        let target = CodesTarget::Account(account.clone());
        let old = given(&["old-1", "old-2", "old-3"]);
        assert!(
            !pasted_set(vault.contents(), &target, &old).ask_replace(),
            "nothing to replace yet"
        );
        let saved = vault
            .add_recovery_codes(target.clone(), old, false, None, 3)
            .unwrap();
        let id = saved.entry_id;
        let entry = CodesTarget::Entry(id.clone());
        vault.use_recovery_code(&id, "old-1", None, 4).unwrap();
        let new = given(&["new-1", "new-2"]);
        let pasted = pasted_set(vault.contents(), &entry, &new);
        assert_eq!((pasted.current, pasted.shared), (3, 0));
        assert!(pasted.ask_replace());
        assert!(!pasted_set(vault.contents(), &target, &given(&["old-2", "new-9"])).ask_replace());
        let saved = vault
            .save_recovery_codes(entry, new, AddMode::Replace, false, None, 5)
            .unwrap();
        assert_eq!((saved.unused, saved.replaced), (2, 3));
        let set = vault.contents().recovery_entry(&id).unwrap();
        let shown = summary(vault.contents(), set);
        assert_eq!((shown.unused, shown.used, shown.replaced), (2, 0, 3));
        assert!(
            shown.warnings.len() == 1,
            "two left is few: {:?}",
            shown.warnings
        );
    }

    /// Issue 23: a mistaken "Mark used" could not be undone.
    #[test]
    fn regression_a_mistaken_mark_used_is_undone_in_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, account) = vault_in(dir.path());
        let saved = vault
            .add_recovery_codes(
                CodesTarget::Account(account),
                given(&["u-1", "u-2"]),
                false,
                None,
                3,
            )
            .unwrap();
        vault
            .use_recovery_code(&saved.entry_id, "u-2", None, 4)
            .unwrap();
        let undone = vault.undo_recovery_use(&saved.entry_id, "U2", 5).unwrap();
        assert_eq!(undone.unused, 2);
        assert!(
            vault.undo_recovery_use(&saved.entry_id, "u-2", 6).is_err(),
            "not used"
        );
    }
}
