//! Adding many accounts at once, from scans and imports: duplicates (same
//! secret, issuer and name, in the vault or earlier in the same batch) are
//! skipped or merged, and the report names each one. Recovery codes that
//! come along (from a Tessera backup) are merged into what the vault keeps.

use std::io::Write;

use tessera_transfer::duplicates::{plan, DuplicateAction, DuplicateOf, DuplicatePolicy};
use tessera_transfer::keep::{keep_recovery_codes, keep_service_codes};
use tessera_transfer::{Entry, ServiceRecovery};
use tessera_vault::{Account, Contents, RecoveryOwner, UnlockedVault};

/// What an intake did (or, for a dry run, would do).
pub struct IntakeReport {
    /// Labels of the accounts added.
    pub added: Vec<String>,
    /// One line per duplicate: its label and what happened to it.
    pub duplicates: Vec<String>,
    /// Recovery codes added (only Tessera backups carry them).
    pub recovery_codes: usize,
}

fn describe(plan: &tessera_transfer::duplicates::MergePlan) -> IntakeReport {
    IntakeReport {
        added: plan.added.iter().map(Entry::label).collect(),
        duplicates: plan
            .duplicates
            .iter()
            .map(|d| {
                let of = match d.duplicate_of {
                    DuplicateOf::Existing(_) => "already in the vault",
                    DuplicateOf::Incoming(_) => "listed twice",
                };
                let action = match d.action {
                    DuplicateAction::Skipped => "skipped",
                    DuplicateAction::Merged => "merged",
                };
                let differ = if d.params_differ {
                    "; its code settings differ, the vault's were kept"
                } else {
                    ""
                };
                format!("{} ({of}): {action}{differ}", d.label)
            })
            .collect(),
        recovery_codes: 0,
    }
}

/// Adds `entries` and the recovery codes of `services` to the vault (or,
/// for a dry run, works out what that would do and saves nothing).
pub fn add_entries(
    vault: &mut UnlockedVault,
    entries: Vec<Entry>,
    services: &[ServiceRecovery],
    policy: DuplicatePolicy,
    dry_run: bool,
    now: u64,
) -> anyhow::Result<IntakeReport> {
    if dry_run {
        let mut copy = vault.contents().clone();
        return apply(&mut copy, entries, services, policy, now);
    }
    vault.update(now, |contents| {
        apply(contents, entries, services, policy, now)
    })
}

fn apply(
    contents: &mut Contents,
    entries: Vec<Entry>,
    services: &[ServiceRecovery],
    policy: DuplicatePolicy,
    now: u64,
) -> anyhow::Result<IntakeReport> {
    let plan = plan(&Entry::all_of(contents), entries, policy);
    let mut codes_kept = 0;
    for (index, merged) in &plan.updated {
        let account = &mut contents.accounts[*index];
        if account.notes != merged.notes
            || account.favourite != merged.favourite
            || account.tags != merged.tags
        {
            account.notes = merged.notes.clone();
            account.favourite = merged.favourite;
            account.tags = merged.tags.clone();
            account.updated_at = now;
        }
        let owner = RecoveryOwner::Account {
            account_id: account.id.clone(),
        };
        if let Some(codes) = &merged.recovery {
            codes_kept += keep_recovery_codes(contents, owner, codes, now)?;
        }
    }
    for entry in &plan.added {
        let mut account = Account::new(entry.enrollment.clone(), now)?;
        account.notes = entry.notes.clone();
        account.favourite = entry.favourite;
        account.tags = entry.tags.clone();
        let owner = RecoveryOwner::Account {
            account_id: account.id.clone(),
        };
        contents.accounts.push(account);
        if let Some(codes) = &entry.recovery {
            codes_kept += keep_recovery_codes(contents, owner, codes, now)?;
        }
    }
    codes_kept += keep_service_codes(contents, services, now)?;
    let mut report = describe(&plan);
    report.recovery_codes = codes_kept;
    Ok(report)
}

/// Prints what an intake did: added accounts on stdout, duplicates too.
pub fn print_report(
    report: &IntakeReport,
    dry_run: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let verb = if dry_run { "would add" } else { "added" };
    if report.added.is_empty() {
        writeln!(out, "{verb} no accounts")?;
    } else {
        writeln!(
            out,
            "{verb} {} account(s): {}",
            report.added.len(),
            report.added.join(", ")
        )?;
    }
    for duplicate in &report.duplicates {
        writeln!(out, "duplicate {duplicate}")?;
    }
    if report.recovery_codes > 0 {
        let verb = if dry_run { "would keep" } else { "kept" };
        writeln!(out, "{verb} {} new recovery code(s)", report.recovery_codes)?;
    }
    Ok(())
}
