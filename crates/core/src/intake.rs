//! Taking in many accounts at once (an imported file, what scans found):
//! finding the ones the vault already has, skipping or merging them, and
//! keeping the recovery codes that come along, so that importing the same
//! backup twice adds nothing and the user is told exactly which accounts
//! were left out or combined. The command line and the app take in a file
//! through this one path, so one file gives the same vault from either.
//!
//! Two accounts are duplicates by the one rule,
//! [`Enrollment::is_same_account`](tessera_otp::Enrollment::is_same_account):
//! their secret bytes, issuer and account name are all equal (exactly: a
//! renamed account is a different one to the user, even with the same
//! secret). Imported accounts are checked against the vault's and against
//! each other.
//!
//! A duplicate's recovery codes are merged under either policy: codes are
//! only ever added or marked spent, so importing the same backup twice
//! still adds nothing, and skipping an account never loses its codes.

use std::collections::HashMap;

use tessera_transfer::{Entry, ServiceRecovery};
use tessera_vault::{Account, Contents, RecoveryOwner};

use crate::accounts::{check_room, names_label};
use crate::error::CoreError;
use crate::recovery::keep_codes;
use crate::vault::Vault;

/// What to do with an imported account that is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicatePolicy {
    /// Leave the existing account as it is; drop the imported copy.
    Skip,
    /// Keep the existing account's secret and parameters, and add what the
    /// imported copy brings: tags it lacks, a note it lacks (or the
    /// imported note after the existing one, when they differ), and the
    /// favourite flag if either has it.
    Merge,
}

/// Which account an imported one duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateOf {
    /// An account already in the vault, by its position in `existing`.
    Existing(usize),
    /// An earlier account of the same import, by its position in
    /// `incoming`.
    Incoming(usize),
}

/// What was done with a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateAction {
    /// The imported copy was dropped.
    Skipped,
    /// The imported copy's extras were merged into the other account.
    Merged,
}

/// One imported account that duplicated another, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The position of the imported account in `incoming`.
    pub incoming_index: usize,
    /// Its label (`issuer: name`).
    pub label: String,
    /// The account it duplicates.
    pub duplicate_of: DuplicateOf,
    /// What was done.
    pub action: DuplicateAction,
    /// True if the two differ in their OTP parameters (digits, period,
    /// counter, …): the kept account's parameters win, and the user
    /// should be told.
    pub params_differ: bool,
}

/// The outcome of checking an import against the vault.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergePlan {
    /// New accounts to add, in import order (with the extras of later
    /// duplicates merged in, under [`DuplicatePolicy::Merge`]).
    pub added: Vec<Entry>,
    /// Existing accounts to replace with merged versions: position in
    /// `existing` and the new value. Under [`DuplicatePolicy::Skip`] only
    /// their recovery codes change.
    pub updated: Vec<(usize, Entry)>,
    /// Every duplicate found, in import order.
    pub duplicates: Vec<Duplicate>,
}

/// Checks `incoming` against `existing` (and itself) and applies `policy`.
pub fn plan(existing: &[Entry], incoming: Vec<Entry>, policy: DuplicatePolicy) -> MergePlan {
    let mut plan = MergePlan::default();
    // Merged versions of existing accounts, by position.
    let mut updated: HashMap<usize, Entry> = HashMap::new();
    // Position in `plan.added` of each kept incoming account.
    let mut added_position: HashMap<usize, usize> = HashMap::new();
    let mut by_label: HashMap<(String, String), Vec<DuplicateOf>> = HashMap::new();
    for (index, entry) in existing.iter().enumerate() {
        by_label
            .entry(key(entry))
            .or_default()
            .push(DuplicateOf::Existing(index));
    }

    for (incoming_index, entry) in incoming.into_iter().enumerate() {
        let candidates = by_label.entry(key(&entry)).or_default();
        let found = candidates.iter().copied().find(|candidate| {
            let other = match *candidate {
                DuplicateOf::Existing(i) => &existing[i],
                DuplicateOf::Incoming(i) => &plan.added[added_position[&i]],
            };
            other.enrollment.is_same_account(&entry.enrollment)
        });
        let Some(duplicate_of) = found else {
            candidates.push(DuplicateOf::Incoming(incoming_index));
            added_position.insert(incoming_index, plan.added.len());
            plan.added.push(entry);
            continue;
        };
        let target: &mut Entry = match duplicate_of {
            DuplicateOf::Existing(i) => updated.entry(i).or_insert_with(|| existing[i].clone()),
            DuplicateOf::Incoming(i) => &mut plan.added[added_position[&i]],
        };
        let params_differ = target.enrollment.params != entry.enrollment.params;
        merge_recovery(target, &entry);
        let action = match policy {
            DuplicatePolicy::Skip => DuplicateAction::Skipped,
            DuplicatePolicy::Merge => {
                merge_into(target, &entry);
                DuplicateAction::Merged
            }
        };
        plan.duplicates.push(Duplicate {
            incoming_index,
            label: names_label(&entry.enrollment.issuer, &entry.enrollment.name),
            duplicate_of,
            action,
            params_differ,
        });
    }

    let mut changed: Vec<(usize, Entry)> = updated
        .into_iter()
        .filter(|(index, entry)| *entry != existing[*index])
        .collect();
    changed.sort_by_key(|(index, _)| *index);
    plan.updated = changed;
    plan
}

/// Adds `extra`'s recovery codes to `target`'s.
fn merge_recovery(target: &mut Entry, extra: &Entry) {
    if let Some(codes) = extra.recovery.as_ref().filter(|c| !c.codes().is_empty()) {
        target
            .recovery
            .get_or_insert_with(Default::default)
            .merge(codes);
    }
}

/// Issuer and name: the cheap part of the comparison.
fn key(entry: &Entry) -> (String, String) {
    (
        entry.enrollment.issuer.clone(),
        entry.enrollment.name.clone(),
    )
}

/// Adds `extra`'s tags, note and favourite flag to `target`.
fn merge_into(target: &mut Entry, extra: &Entry) {
    for tag in &extra.tags {
        if !target.tags.contains(tag) {
            target.tags.push(tag.clone());
        }
    }
    let note = extra.notes.trim();
    if !note.is_empty() && !target.notes.contains(note) {
        if target.notes.trim().is_empty() {
            target.notes = extra.notes.clone();
        } else {
            target.notes = format!("{}\n\n{}", target.notes.trim_end(), note);
        }
    }
    target.favourite |= extra.favourite;
}

/// Accounts, and the recovery codes that come with them, to take in.
#[derive(Debug, Clone, Default)]
pub struct Intake {
    /// Accounts to add, with their notes, tags, favourite mark and
    /// recovery codes.
    pub entries: Vec<Entry>,
    /// Accounts the user chose not to add: only their recovery codes join
    /// the vault's copy of the same account, if it has one (codes are
    /// never lost).
    pub codes_only: Vec<Entry>,
    /// Recovery codes of services with no account (a Tessera backup
    /// carries them).
    pub services: Vec<ServiceRecovery>,
}

/// What taking in did (or, for a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct IntakeReport {
    /// The accounts added, as saved.
    pub added: Vec<Account>,
    /// Every duplicate found, in import order.
    pub duplicates: Vec<Duplicate>,
    /// Recovery codes that were new to the vault.
    pub recovery_codes: usize,
}

impl Duplicate {
    /// One line about the duplicate: its label, what it duplicates, what
    /// was done.
    pub fn describe(&self) -> String {
        let of = match self.duplicate_of {
            DuplicateOf::Existing(_) => "already in the vault",
            DuplicateOf::Incoming(_) => "listed twice",
        };
        let action = match self.action {
            DuplicateAction::Skipped => "skipped",
            DuplicateAction::Merged => "merged",
        };
        let differ = if self.params_differ {
            "; its code settings differ, the vault's were kept"
        } else {
            ""
        };
        format!("{} ({of}): {action}{differ}", self.label)
    }
}

/// Takes `intake` into `contents`: new accounts are added, duplicates
/// skipped or merged by `policy`, and every recovery code kept.
pub fn take_in(
    contents: &mut Contents,
    intake: Intake,
    policy: DuplicatePolicy,
    now: u64,
) -> Result<IntakeReport, CoreError> {
    // Importers and QR codes apply the one label rule as they read, so the
    // names need no second check here.
    let entries = intake.entries;
    let existing: Vec<Entry> = contents
        .accounts
        .iter()
        .map(|account| crate::backup::entry_of(account, contents))
        .collect();
    let plan = plan(&existing, entries, policy);
    check_room(contents, plan.added.len())?;
    let mut report = IntakeReport {
        duplicates: plan.duplicates,
        ..IntakeReport::default()
    };
    for (index, merged) in &plan.updated {
        let account = &mut contents.accounts[*index];
        if account.notes != merged.notes
            || account.favourite != merged.favourite
            || account.tags != merged.tags
        {
            account.notes.clone_from(&merged.notes);
            account.favourite = merged.favourite;
            account.tags.clone_from(&merged.tags);
            account.updated_at = now;
        }
        let owner = RecoveryOwner::Account {
            account_id: account.id.clone(),
        };
        if let Some(codes) = &merged.recovery {
            report.recovery_codes += keep_codes(contents, owner, codes, now)?;
        }
    }
    for entry in plan.added {
        let mut account = Account::new(entry.enrollment, now)?;
        account.notes = entry.notes;
        account.favourite = entry.favourite;
        account.tags = entry.tags;
        let owner = RecoveryOwner::Account {
            account_id: account.id.clone(),
        };
        contents.accounts.push(account.clone());
        if let Some(codes) = &entry.recovery {
            report.recovery_codes += keep_codes(contents, owner, codes, now)?;
        }
        report.added.push(account);
    }
    for entry in &intake.codes_only {
        let (Some(codes), Some(account)) = (
            &entry.recovery,
            crate::accounts::same_account(contents, &entry.enrollment),
        ) else {
            continue;
        };
        let owner = RecoveryOwner::Account {
            account_id: account.id.clone(),
        };
        report.recovery_codes += keep_codes(contents, owner, codes, now)?;
    }
    for service in &intake.services {
        let owner = RecoveryOwner::Service {
            issuer: service.issuer.clone(),
            name: service.name.clone(),
        };
        report.recovery_codes += keep_codes(contents, owner, &service.codes, now)?;
    }
    Ok(report)
}

impl Vault {
    /// Takes in accounts from an import or a scan (see [`take_in`]); with
    /// `dry_run`, works out what that would do and saves nothing.
    pub fn take_in(
        &mut self,
        intake: Intake,
        policy: DuplicatePolicy,
        dry_run: bool,
        now: u64,
    ) -> Result<IntakeReport, CoreError> {
        if dry_run {
            let mut copy = self.contents().clone();
            return take_in(&mut copy, intake, policy, now);
        }
        self.update(now, |contents| take_in(contents, intake, policy, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Enrollment, OtpParams, Secret};

    fn entry(issuer: &str, name: &str, secret: &str) -> Entry {
        Entry::new(Enrollment {
            issuer: issuer.into(),
            name: name.into(),
            secret: Secret::from_base32(secret).unwrap(),
            params: OtpParams::totp(),
        })
    }

    #[test]
    fn same_secret_issuer_and_name_is_a_duplicate_and_nothing_else_is() {
        let existing = vec![entry("GitHub", "alice", "JBSWY3DPEHPK3PXP")];
        let incoming = vec![
            entry("GitHub", "alice", "JBSWY3DPEHPK3PXP"),
            entry("GitHub", "alice", "KRSXG5CTMVRXEZLU"),
            entry("GitHub", "bob", "JBSWY3DPEHPK3PXP"),
            entry("Gitlab", "alice", "JBSWY3DPEHPK3PXP"),
            entry("GitHub", "bob", "JBSWY3DPEHPK3PXP"),
        ];
        let plan = plan(&existing, incoming.clone(), DuplicatePolicy::Skip);
        assert_eq!(plan.added, incoming[1..4].to_vec());
        assert!(plan.updated.is_empty());
        assert_eq!(
            plan.duplicates,
            vec![
                Duplicate {
                    incoming_index: 0,
                    label: "GitHub (alice)".into(),
                    duplicate_of: DuplicateOf::Existing(0),
                    action: DuplicateAction::Skipped,
                    params_differ: false,
                },
                Duplicate {
                    incoming_index: 4,
                    label: "GitHub (bob)".into(),
                    duplicate_of: DuplicateOf::Incoming(2),
                    action: DuplicateAction::Skipped,
                    params_differ: false,
                },
            ]
        );
    }

    #[test]
    fn merge_adds_tags_notes_and_favourite_and_reports_parameter_differences() {
        let mut existing = entry("GitHub", "alice", "JBSWY3DPEHPK3PXP");
        existing.tags = vec!["work".into()];
        existing.notes = "main account".into();
        let mut imported = existing.clone();
        imported.tags = vec!["dev".into(), "work".into()];
        imported.notes = "backup codes in the safe".into();
        imported.favourite = true;
        imported.enrollment.params.digits = 8;
        let mut again = imported.clone();
        again.tags = vec!["later".into()];

        let plan = plan(
            std::slice::from_ref(&existing),
            vec![imported, again],
            DuplicatePolicy::Merge,
        );
        assert!(plan.added.is_empty());
        assert_eq!(plan.updated.len(), 1);
        let (index, merged) = &plan.updated[0];
        assert_eq!(*index, 0);
        assert_eq!(merged.tags, vec!["work", "dev", "later"]);
        assert_eq!(merged.notes, "main account\n\nbackup codes in the safe");
        assert!(merged.favourite);
        assert_eq!(
            merged.enrollment.params.digits, 6,
            "the existing parameters win"
        );
        assert_eq!(plan.duplicates.len(), 2);
        assert!(plan.duplicates.iter().all(|d| d.params_differ));
        assert!(plan
            .duplicates
            .iter()
            .all(|d| d.action == DuplicateAction::Merged));
    }

    #[test]
    fn merging_an_identical_copy_changes_nothing() {
        let existing = vec![entry("A", "a", "JBSWY3DPEHPK3PXP")];
        let plan = plan(&existing, existing.clone(), DuplicatePolicy::Merge);
        assert!(plan.added.is_empty());
        assert!(plan.updated.is_empty());
        assert_eq!(plan.duplicates.len(), 1);
    }

    #[test]
    fn duplicates_within_an_import_merge_into_the_first() {
        let first = entry("A", "a", "JBSWY3DPEHPK3PXP");
        let mut second = first.clone();
        second.tags = vec!["x".into()];
        let plan = plan(&[], vec![first, second], DuplicatePolicy::Merge);
        assert_eq!(plan.added.len(), 1);
        assert_eq!(plan.added[0].tags, vec!["x"]);
        assert_eq!(plan.duplicates[0].duplicate_of, DuplicateOf::Incoming(0));
    }
}
