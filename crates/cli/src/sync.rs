//! `tessera sync`: one vault on several machines through a folder the user
//! already syncs. tessera-core does the work (each machine writes only its
//! own encrypted file there and merges the others' field by field); here
//! are the commands, and what they print.

use std::io::Write;

use anyhow::bail;
use tessera_core::sync::SyncReport;
use tessera_transfer::paper::utc_date;

use crate::args::{SyncEnableArgs, SyncStatusArgs};
use crate::vault_access::VaultAccess;

/// This machine's name for the others: `--name`, or the host name.
fn machine_name(args: &SyncEnableArgs) -> String {
    args.name.clone().unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "this computer".to_owned())
    })
}

/// Prints what a sync did, and its warnings on standard error.
fn print_report(report: &SyncReport, out: &mut impl Write) -> anyhow::Result<()> {
    let m = &report.merged;
    if m.files == 0 && m.conflict_copies == 0 {
        writeln!(out, "nothing new from the other machines")?;
    } else {
        writeln!(
            out,
            "merged {} file(s) and {} conflict cop(ies): {} account(s) added, {} removed, {} changed, {} recovery code(s) used elsewhere",
            m.files, m.conflict_copies, m.accounts_added, m.accounts_removed, m.accounts_changed, m.codes_used
        )?;
    }
    for refused in &report.refused {
        eprintln!("tessera: refused {refused}");
    }
    for warning in &report.warnings {
        eprintln!("tessera: warning: {warning}");
    }
    Ok(())
}

/// `tessera sync enable DIR`.
pub fn enable(
    access: &VaultAccess,
    args: &SyncEnableArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let report = vault.enable_sync(&args.folder, &machine_name(args), now)?;
    writeln!(
        out,
        "sync on through {}: this machine writes its own encrypted file there; run `tessera sync join {}` on the next one",
        args.folder.display(),
        args.folder.display()
    )?;
    print_report(&report, out)
}

/// `tessera sync join DIR`: makes this machine's vault from the folder.
pub fn join(
    access: &VaultAccess,
    args: &SyncEnableArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(&access.path).is_ok() {
        bail!(
            "{} already exists: join makes a new vault; use `tessera sync enable {}` to sync this one",
            access.path.display(),
            args.folder.display()
        );
    }
    let password = access.current_password()?;
    let (_vault, report) = tessera_core::sync::join(
        &args.folder,
        &access.path,
        &password,
        &machine_name(args),
        now,
    )?;
    writeln!(
        out,
        "joined: {} is this machine's copy of the vault in {}",
        access.path.display(),
        args.folder.display()
    )?;
    print_report(&report, out)
}

/// `tessera sync now`.
pub fn now(access: &VaultAccess, now: u64, out: &mut impl Write) -> anyhow::Result<()> {
    let mut vault = access.open_without_syncing()?;
    let report = vault.sync_now(now)?;
    print_report(&report, out)
}

/// `tessera sync status [--json]`.
pub fn status(
    access: &VaultAccess,
    args: &SyncStatusArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let vault = access.open_without_syncing()?;
    let Some(choice) = vault.sync_choice() else {
        if args.json {
            writeln!(out, "{{\"enabled\":false}}")?;
            return Ok(());
        }
        writeln!(
            out,
            "sync is off: turn it on with `tessera sync enable DIR`"
        )?;
        return Ok(());
    };
    let status = vault.sync_status();
    if args.json {
        let json = serde_json::json!({
            "enabled": true,
            "folder": choice.folder,
            "device": choice.device,
            "name": choice.name,
            "last_sync": status.last_sync,
            "devices": status.devices,
            "merged": status.merged,
            "refused": status.refused,
            "warnings": status.warnings,
        });
        serde_json::to_writer_pretty(&mut *out, &json)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "sync on through {} as {:?}",
        choice.folder.display(),
        choice.name
    )?;
    if status.last_sync == 0 {
        writeln!(out, "not synced yet")?;
    } else {
        writeln!(
            out,
            "last sync {} {:02}:{:02} UTC",
            utc_date(status.last_sync),
            status.last_sync % 86_400 / 3600,
            status.last_sync % 3600 / 60
        )?;
    }
    for (id, device) in &status.devices {
        let me = if device.this_computer {
            " (this machine)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {} [{id}]{me}",
            if device.name.is_empty() {
                "?"
            } else {
                &device.name
            }
        )?;
    }
    let m = &status.merged;
    writeln!(
        out,
        "last merge: {} file(s), {} conflict cop(ies), {} added, {} removed, {} changed, {} code(s) used",
        m.files, m.conflict_copies, m.accounts_added, m.accounts_removed, m.accounts_changed, m.codes_used
    )?;
    for refused in &status.refused {
        writeln!(out, "  refused: {refused}")?;
    }
    for warning in &status.warnings {
        writeln!(out, "  warning: {warning}")?;
    }
    Ok(())
}

/// `tessera sync disable`.
pub fn disable(access: &VaultAccess, out: &mut impl Write) -> anyhow::Result<()> {
    let mut vault = access.open_without_syncing()?;
    vault.disable_sync()?;
    writeln!(out, "sync off on this machine; the vault stays as it is")?;
    Ok(())
}
