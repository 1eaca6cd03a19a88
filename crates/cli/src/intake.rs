//! Adding many accounts at once, from scans and imports: duplicates (same
//! secret, issuer and name, in the vault or earlier in the same batch) are
//! skipped or merged, and the report names each one.

use std::io::Write;

use tessera_transfer::duplicates::{plan, DuplicateAction, DuplicateOf, DuplicatePolicy};
use tessera_transfer::Entry;
use tessera_vault::{Account, Contents, UnlockedVault};

/// What an intake did (or, for a dry run, would do).
pub struct IntakeReport {
    /// Labels of the accounts added.
    pub added: Vec<String>,
    /// One line per duplicate: its label and what happened to it.
    pub duplicates: Vec<String>,
}

/// The vault's accounts as transfer entries (what importers and exporters
/// and the duplicate check work with).
pub fn entries_of(contents: &Contents) -> Vec<Entry> {
    contents
        .accounts
        .iter()
        .map(|a| Entry {
            enrollment: a.enrollment.clone(),
            notes: a.notes.clone(),
            favourite: a.favourite,
            tags: a.tags.clone(),
        })
        .collect()
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
    }
}

/// Adds `entries` to the vault (or only plans it, for a dry run).
pub fn add_entries(
    vault: &mut UnlockedVault,
    entries: Vec<Entry>,
    policy: DuplicatePolicy,
    dry_run: bool,
    now: u64,
) -> anyhow::Result<IntakeReport> {
    if dry_run {
        return Ok(describe(&plan(
            &entries_of(vault.contents()),
            entries,
            policy,
        )));
    }
    vault.update(now, |contents| -> anyhow::Result<IntakeReport> {
        let plan = plan(&entries_of(contents), entries, policy);
        for (index, merged) in &plan.updated {
            let account = &mut contents.accounts[*index];
            account.notes = merged.notes.clone();
            account.favourite = merged.favourite;
            account.tags = merged.tags.clone();
            account.updated_at = now;
        }
        for entry in &plan.added {
            let mut account = Account::new(entry.enrollment.clone(), now)?;
            account.notes = entry.notes.clone();
            account.favourite = entry.favourite;
            account.tags = entry.tags.clone();
            contents.accounts.push(account);
        }
        Ok(describe(&plan))
    })
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
    Ok(())
}
