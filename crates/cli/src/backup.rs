//! `tessera backup`: automatic encrypted backups to a folder the user
//! chooses (tessera-core writes one after every change, whichever front end
//! made it), listing them, and restoring one.

use std::io::{IsTerminal, Write};

use anyhow::bail;
use serde::Serialize;
use tessera_core::backups::BackupFile;
use tessera_transfer::paper::utc_date;

use crate::args::{BackupEnableArgs, BackupListArgs, BackupRestoreArgs};
use crate::output::write_table;
use crate::vault_access::{confirm, read_password_line, VaultAccess};

/// `tessera backup enable DIR [--keep N]`.
pub fn enable(
    access: &VaultAccess,
    args: &BackupEnableArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let first = vault.enable_backups(&args.folder, args.keep, now)?;
    writeln!(
        out,
        "backups on: after every change an encrypted copy goes to {}, the newest {} kept; wrote {}",
        first.parent().unwrap_or(&args.folder).display(),
        args.keep,
        first.display()
    )?;
    Ok(())
}

/// `tessera backup disable`.
pub fn disable(access: &VaultAccess, out: &mut impl Write) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    if vault.backup_choice().is_none() {
        writeln!(out, "backups were already off")?;
        return Ok(());
    }
    vault.disable_backups()?;
    writeln!(out, "backups off; the backups written stay where they are")?;
    Ok(())
}

/// One backup as `backup list --json` prints it.
#[derive(Serialize)]
struct ListedBackup {
    path: String,
    written_at: u64,
    automatic: bool,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recovery_codes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl ListedBackup {
    fn of(backup: &BackupFile) -> ListedBackup {
        let holds = backup.holds.as_ref().ok();
        ListedBackup {
            path: backup.path.display().to_string(),
            written_at: backup.written_at,
            automatic: backup.automatic,
            size: backup.size,
            accounts: holds.map(|h| h.accounts),
            recovery_codes: holds.map(|h| h.recovery_codes),
            error: backup.holds.as_ref().err().cloned(),
        }
    }
}

/// `tessera backup list`.
pub fn list(
    access: &VaultAccess,
    args: &BackupListArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let vault = access.open()?;
    if vault.backup_choice().is_none() {
        bail!("backups are off: turn them on with `tessera backup enable DIR`");
    }
    let backups = vault.list_backups()?;
    if args.json {
        let listed: Vec<ListedBackup> = backups.iter().map(ListedBackup::of).collect();
        serde_json::to_writer_pretty(&mut *out, &listed)?;
        writeln!(out)?;
        return Ok(());
    }
    if backups.is_empty() {
        writeln!(out, "no backups yet")?;
        return Ok(());
    }
    let rows: Vec<[String; 5]> = backups
        .iter()
        .map(|b| {
            let time = format!(
                "{} {:02}:{:02}",
                utc_date(b.written_at),
                b.written_at % 86_400 / 3600,
                b.written_at % 3600 / 60
            );
            let (accounts, codes) = match &b.holds {
                Ok(holds) => (holds.accounts.to_string(), holds.recovery_codes.to_string()),
                Err(_) => ("?".into(), "(older key)".into()),
            };
            let kind = if b.automatic { "" } else { " (yours)" };
            [
                format!("{time} UTC"),
                accounts,
                codes,
                format!("{} KiB", b.size.div_ceil(1024)),
                format!("{}{kind}", b.path.display()),
            ]
        })
        .collect();
    write_table(
        out,
        &["WRITTEN", "ACCOUNTS", "RECOVERY CODES", "SIZE", "FILE"],
        &rows,
    )
}

/// `tessera backup restore FILE [--yes]`.
pub fn restore(
    access: &VaultAccess,
    args: &BackupRestoreArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("not replacing the vault without --yes (not on a terminal to ask)");
        }
        let question = format!(
            "Replace every account and recovery code with those of {}? The vault as it is now is backed up first.",
            args.file.display()
        );
        if !confirm(&question, false)? {
            bail!("nothing was restored");
        }
    }
    let password = args
        .backup_password_file
        .as_deref()
        .map(read_password_line)
        .transpose()?
        .map(|line| tessera_vault::Password::from(line.as_str()));
    let before = vault.restore_backup(&args.file, password.as_ref(), now)?;
    writeln!(
        out,
        "restored {}; the vault as it was is in {}",
        args.file.display(),
        before.display()
    )?;
    Ok(())
}
