//! The vault's account commands: `init`, `add`, `list`, `code`, `edit`,
//! `remove`, `passwd` and `keyring`. Each validates its arguments, opens the
//! vault through [`VaultAccess`], and changes it only inside
//! `UnlockedVault::update`, which applies the change to freshly read
//! contents under the file lock, so the app and other CLIs lose nothing.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context};
use serde::Serialize;
use tessera_otp::{uri, Enrollment, OtpKind};
use tessera_vault::{
    Account, AccountId, Contents, CreateOptions, KdfParams, OsKeyring, UnlockedVault,
};

use crate::args::{
    AddArgs, CodeArgs, EditArgs, InitArgs, KeyringAction, ListArgs, PasswdArgs, RemoveArgs,
};
use crate::otp_input::enrollment_from_flags;
use crate::query::{exactly_one, label, matching};
use crate::vault_access::{confirm, VaultAccess};

/// `tessera init`: creates the vault, refusing to overwrite anything.
pub fn init(
    access: &VaultAccess,
    args: &InitArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if args.keyring && !access.keyring_allowed() {
        bail!("--keyring and --no-keyring contradict each other");
    }
    if std::fs::symlink_metadata(&access.path).is_ok() {
        bail!(
            "{} already exists; refusing to overwrite it",
            access.path.display()
        );
    }
    let password = if args.no_password {
        None
    } else {
        Some(access.new_password(access.password_file())?)
    };
    if let Some(folder) = access.path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_folder(folder)?;
    }
    let keyring = OsKeyring::new();
    let options = CreateOptions {
        password: password.as_ref(),
        kdf: KdfParams::DEFAULT,
        keyring: if args.keyring { Some(&keyring) } else { None },
    };
    UnlockedVault::create(&access.path, options, Contents::default(), now)?;
    let unlocks_with = match (password.is_some(), args.keyring) {
        (true, true) => "the OS keyring, or the password",
        (true, false) => "the password",
        (false, _) => "the OS keyring only",
    };
    writeln!(
        out,
        "created {}; it unlocks with {unlocks_with}",
        access.path.display()
    )?;
    Ok(())
}

/// Makes the vault's folder readable by its owner only.
fn create_private_folder(folder: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))
}

/// Whether two enrollments are the same account: same secret, issuer and name.
fn same_account(a: &Enrollment, b: &Enrollment) -> bool {
    a.secret == b.secret && a.issuer == b.issuer && a.name == b.name
}

/// `tessera add`.
pub fn add(
    access: &VaultAccess,
    args: &AddArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let enrollment = match &args.uri {
        Some(text) => uri::parse(text)?,
        None => {
            let issuer = args.issuer.clone().unwrap_or_default().trim().to_owned();
            let name = args.name.clone().unwrap_or_default().trim().to_owned();
            if issuer.is_empty() && name.is_empty() {
                bail!("give the account an --issuer, a --name, or both");
            }
            tessera_otp::check_label(&issuer, "issuer")?;
            tessera_otp::check_label(&name, "account name")?;
            enrollment_from_flags(&args.otp, args.hotp, issuer, name)?
        }
    };
    let mut vault = access.open()?;
    let force = args.force;
    let account = vault.update(now, |contents| -> anyhow::Result<Account> {
        if !force {
            if let Some(existing) = contents
                .accounts
                .iter()
                .find(|a| same_account(&a.enrollment, &enrollment))
            {
                bail!(
                    "{} is already in the vault [{}]; --force adds it again",
                    label(existing),
                    existing.id.as_str()
                );
            }
        }
        let account = Account::new(enrollment.clone(), now)?;
        contents.accounts.push(account.clone());
        Ok(account)
    })?;
    write!(out, "added {} [{}]", label(&account), account.id.as_str())?;
    // The enrolling site asks for a code next.
    if let Some(timed) = account.enrollment.timed_code(now)? {
        write!(
            out,
            "; current code {} ({} s left)",
            timed.code.grouped(),
            timed.seconds_left(now)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

/// One account as `list --json` prints it: no secret.
#[derive(Serialize)]
struct ListedAccount<'a> {
    id: &'a str,
    issuer: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: OtpKind,
    algorithm: tessera_otp::Algorithm,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

impl<'a> ListedAccount<'a> {
    fn of(account: &'a Account) -> Self {
        let params = &account.enrollment.params;
        let hotp = params.kind == OtpKind::Hotp;
        ListedAccount {
            id: account.id.as_str(),
            issuer: &account.enrollment.issuer,
            name: &account.enrollment.name,
            kind: params.kind,
            algorithm: params.algorithm,
            digits: params.digits,
            period: (!hotp).then_some(params.period),
            counter: hotp.then_some(params.counter),
        }
    }
}

/// `tessera list`.
pub fn list(access: &VaultAccess, args: &ListArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let vault = access.open()?;
    let accounts = &vault.contents().accounts;
    if args.json {
        let listed: Vec<ListedAccount> = accounts.iter().map(ListedAccount::of).collect();
        serde_json::to_writer_pretty(&mut *out, &listed)?;
        writeln!(out)?;
        return Ok(());
    }
    if accounts.is_empty() {
        writeln!(out, "no accounts yet: add one with `tessera add`")?;
        return Ok(());
    }
    let rows: Vec<[String; 5]> = accounts
        .iter()
        .map(|a| {
            let p = &a.enrollment.params;
            let timing = match p.kind {
                OtpKind::Hotp => format!("counter {}", p.counter),
                _ => format!("{} s", p.period),
            };
            [
                a.id.as_str().to_owned(),
                a.enrollment.issuer.clone(),
                a.enrollment.name.clone(),
                format!("{} {} {}", p.kind, p.algorithm, p.digits),
                timing,
            ]
        })
        .collect();
    write_table(out, &["ID", "ISSUER", "NAME", "TYPE", "STEP"], &rows)
}

/// Prints rows under a header, each column as wide as its widest cell.
fn write_table<const N: usize>(
    out: &mut impl Write,
    header: &[&str; N],
    rows: &[[String; N]],
) -> anyhow::Result<()> {
    let mut widths: [usize; N] = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// One code as `code --json` prints it.
#[derive(Serialize)]
struct ShownCode {
    id: String,
    issuer: String,
    name: String,
    code: Option<String>,
    seconds_left: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

/// `tessera code`. Time-based codes are computed for `--time` or now. An
/// HOTP code is generated only when QUERY picks the account, and its
/// counter is then advanced and saved, as a service expects; listing every
/// account never spends HOTP counters.
pub fn code(
    access: &VaultAccess,
    args: &CodeArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let time = args.time.unwrap_or(now);
    let mut vault = access.open()?;
    let picked: Vec<AccountId> = match &args.query {
        Some(query) => {
            let found = matching(&vault.contents().accounts, query);
            if found.is_empty() {
                bail!("no account matches {query:?} (see `tessera list`)");
            }
            found.iter().map(|a| a.id.clone()).collect()
        }
        None => vault
            .contents()
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect(),
    };
    let hotp_picked: Vec<AccountId> = if args.query.is_some() {
        picked
            .iter()
            .filter(|id| {
                vault
                    .contents()
                    .account(id)
                    .is_some_and(|a| a.enrollment.params.kind == OtpKind::Hotp)
            })
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    // HOTP codes come from the counter as saved, advanced in the same update.
    let mut hotp_codes = std::collections::HashMap::new();
    if !hotp_picked.is_empty() {
        hotp_codes = vault.update(now, |contents| -> anyhow::Result<_> {
            let mut codes = std::collections::HashMap::new();
            for id in &hotp_picked {
                let Some(account) = contents.account_mut(id) else {
                    continue;
                };
                let code = account.enrollment.code_at(time)?;
                let counter = account.enrollment.params.counter;
                account.enrollment.params.counter = counter
                    .checked_add(1)
                    .context("the HOTP counter is at its maximum")?;
                account.updated_at = now;
                codes.insert(id.clone(), (code, counter));
            }
            Ok(codes)
        })?;
    }
    let mut shown = Vec::new();
    for id in &picked {
        let Some(account) = vault.contents().account(id) else {
            continue;
        };
        let (code, seconds_left, counter) = match account.enrollment.timed_code(time)? {
            Some(timed) => {
                let left = timed.seconds_left(time);
                (Some(timed.code), Some(left), None)
            }
            None => match hotp_codes.remove(id) {
                Some((code, counter)) => (Some(code), None, Some(counter)),
                None => (None, None, Some(account.enrollment.params.counter)),
            },
        };
        shown.push(ShownCode {
            id: id.as_str().to_owned(),
            issuer: account.enrollment.issuer.clone(),
            name: account.enrollment.name.clone(),
            code: code.map(|c| c.as_str().to_owned()),
            seconds_left,
            counter,
        });
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &shown)?;
        writeln!(out)?;
        return Ok(());
    }
    if let ([one], Some(_)) = (shown.as_slice(), &args.query) {
        // One account asked for: the code alone, for scripts and the clipboard.
        writeln!(out, "{}", one.code.as_deref().unwrap_or_default())?;
        return Ok(());
    }
    if shown.is_empty() {
        writeln!(out, "no accounts yet: add one with `tessera add`")?;
        return Ok(());
    }
    let rows: Vec<[String; 4]> = shown
        .iter()
        .map(|s| {
            [
                s.issuer.clone(),
                s.name.clone(),
                s.code
                    .clone()
                    .unwrap_or_else(|| "(HOTP: name it to generate)".to_owned()),
                s.seconds_left
                    .map(|left| format!("{left} s"))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    write_table(out, &["ISSUER", "NAME", "CODE", "LEFT"], &rows)
}

/// `tessera edit`.
pub fn edit(
    access: &VaultAccess,
    args: &EditArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if args.issuer.is_none() && args.name.is_none() && args.notes.is_none() {
        bail!("nothing to change: give --issuer, --name or --notes");
    }
    let mut vault = access.open()?;
    let id = exactly_one(&vault.contents().accounts, &args.query)?
        .id
        .clone();
    let edited = vault.update(now, |contents| -> anyhow::Result<String> {
        let account = contents
            .account_mut(&id)
            .context("the account was removed meanwhile; nothing was changed")?;
        if let Some(issuer) = &args.issuer {
            tessera_otp::check_label(issuer.trim(), "issuer")?;
            account.enrollment.issuer = issuer.trim().to_owned();
        }
        if let Some(name) = &args.name {
            tessera_otp::check_label(name.trim(), "account name")?;
            account.enrollment.name = name.trim().to_owned();
        }
        if let Some(notes) = &args.notes {
            account.notes = notes.clone();
        }
        if account.enrollment.issuer.is_empty() && account.enrollment.name.is_empty() {
            bail!("an account needs an issuer or a name; nothing was changed");
        }
        account.updated_at = now;
        Ok(label(account))
    })?;
    writeln!(out, "edited {edited} [{}]", id.as_str())?;
    Ok(())
}

/// `tessera remove`: asks on a terminal, refuses without `--yes` elsewhere.
pub fn remove(
    access: &VaultAccess,
    args: &RemoveArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let account = exactly_one(&vault.contents().accounts, &args.query)?;
    let (id, name) = (account.id.clone(), label(account));
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("not removing {name} without --yes (not on a terminal to ask)");
        }
        let question =
            format!("Remove {name}? Its secret is deleted and codes for it can no longer be made.");
        if !confirm(&question, false)? {
            bail!("{name} was not removed");
        }
    }
    vault.update(now, |contents| -> anyhow::Result<()> {
        contents
            .remove_account(&id)
            .context("the account was removed meanwhile")?;
        Ok(())
    })?;
    writeln!(out, "removed {name} [{}]", id.as_str())?;
    Ok(())
}

/// `tessera passwd`: sets or changes the password slot, keeping the master key.
pub fn passwd(access: &VaultAccess, args: &PasswdArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let had_password = vault.info().has_password();
    let password = access.new_password(args.new_password_file.as_deref())?;
    vault.set_password(&password, KdfParams::DEFAULT)?;
    let verb = if had_password { "changed" } else { "set" };
    writeln!(out, "{verb} the password of {}", access.path.display())?;
    Ok(())
}

/// `tessera keyring enable|disable`.
pub fn keyring(
    access: &VaultAccess,
    action: KeyringAction,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if matches!(action, KeyringAction::Enable) && !access.keyring_allowed() {
        bail!("`keyring enable` and --no-keyring contradict each other");
    }
    let mut vault = access.open()?;
    let keyring = OsKeyring::new();
    match action {
        KeyringAction::Enable => {
            if vault.info().has_keyring() {
                bail!(
                    "{} already opens through the OS keyring",
                    access.path.display()
                );
            }
            vault.enable_keyring(&keyring)?;
            writeln!(
                out,
                "{} now opens through the OS keyring",
                access.path.display()
            )?;
        }
        KeyringAction::Disable => {
            vault.disable_keyring(&keyring)?;
            writeln!(
                out,
                "{} no longer opens through the OS keyring",
                access.path.display()
            )?;
        }
    }
    Ok(())
}
