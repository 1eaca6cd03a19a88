//! `tessera recovery`: keeping the one-time recovery codes services hand
//! out, knowing which are spent, and asking for the replacement where a
//! service issues one. Codes are secrets: listings show counts and masked
//! codes unless `--reveal` is given, and nothing here logs them.

use std::io::{IsTerminal, Read, Write};

use anyhow::{bail, Context};
use serde::Serialize;
use tessera_otp::{parse_recovery_block, RecoveryCodes, RecoveryWarning, Zeroizing};
use tessera_transfer::paper::utc_date;
use tessera_vault::{AccountId, Contents, RecoveryEntry, RecoveryOwner};

use crate::args::{RecoveryAddArgs, RecoveryListArgs, RecoveryRemoveArgs, RecoveryUseArgs};
use crate::query::{label, matching};
use crate::vault_access::{confirm, VaultAccess};

/// The largest file of codes read: a page of codes is a few hundred bytes.
const MAX_CODES_FILE_LEN: u64 = 64 * 1024;

/// How an entry is named in messages: its account's label, or the service's.
fn entry_label(contents: &Contents, entry: &RecoveryEntry) -> String {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => contents
            .account(account_id)
            .map(label)
            .unwrap_or_else(|| format!("account {account_id}")),
        RecoveryOwner::Service { issuer, name } if name.is_empty() => issuer.clone(),
        RecoveryOwner::Service { issuer, name } => format!("{issuer} ({name})"),
    }
}

/// The issuer and name an entry shows: its account's, or its own.
fn entry_names(contents: &Contents, entry: &RecoveryEntry) -> (String, String) {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => contents
            .account(account_id)
            .map(|a| (a.enrollment.issuer.clone(), a.enrollment.name.clone()))
            .unwrap_or_default(),
        RecoveryOwner::Service { issuer, name } => (issuer.clone(), name.clone()),
    }
}

/// The id shown for an entry: its account's id when it has one.
fn entry_public_id(entry: &RecoveryEntry) -> &AccountId {
    match &entry.owner {
        RecoveryOwner::Account { account_id } => account_id,
        RecoveryOwner::Service { .. } => &entry.id,
    }
}

/// Where codes for QUERY go or come from.
enum Target {
    /// An existing recovery entry.
    Entry(AccountId),
    /// An OTP account that has no recovery entry yet.
    Account(AccountId),
}

/// Resolves QUERY to one recovery entry or one account: an id, or part of an
/// issuer or name, among entries (service entries included) and accounts.
fn resolve(contents: &Contents, query: &str) -> anyhow::Result<Option<Target>> {
    let needle = query.to_lowercase();
    let entry_matches = |entry: &&RecoveryEntry| {
        if entry.id.as_str() == query || entry_public_id(entry).as_str() == query {
            return true;
        }
        let (issuer, name) = entry_names(contents, entry);
        issuer.to_lowercase().contains(&needle) || name.to_lowercase().contains(&needle)
    };
    let entries: Vec<&RecoveryEntry> = contents.recovery.iter().filter(entry_matches).collect();
    let accounts: Vec<_> = matching(&contents.accounts, query)
        .into_iter()
        .filter(|a| contents.recovery_for_account(&a.id).is_none())
        .collect();
    let total = entries.len() + accounts.len();
    if total > 1 {
        let mut names: Vec<String> = entries.iter().map(|e| entry_label(contents, e)).collect();
        names.extend(accounts.iter().map(|a| label(a)));
        bail!(
            "{query:?} matches {total} services: {}; nothing was changed (give more of the name, or an id)",
            names.join(", ")
        );
    }
    Ok(match (entries.first(), accounts.first()) {
        (Some(entry), _) => Some(Target::Entry(entry.id.clone())),
        (None, Some(account)) => Some(Target::Account(account.id.clone())),
        (None, None) => None,
    })
}

/// A code as listings show it unless revealed: its length and ends only.
fn masked(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() <= 6 {
        return "•".repeat(chars.len());
    }
    let middle: String = chars[2..chars.len() - 2]
        .iter()
        .map(|c| {
            if c.is_whitespace() || *c == '-' {
                *c
            } else {
                '•'
            }
        })
        .collect();
    format!(
        "{}{}{}{}",
        chars[0],
        chars[1],
        middle,
        &chars[chars.len() - 2..].iter().collect::<String>()
    )
}

/// The codes given to `recovery add`: arguments (each one code, as issued),
/// a file, or standard input, the latter two split as services write them.
fn codes_given(args: &RecoveryAddArgs) -> anyhow::Result<Vec<Zeroizing<String>>> {
    if !args.codes.is_empty() {
        return Ok(args
            .codes
            .iter()
            .map(|c| Zeroizing::new(c.trim().to_owned()))
            .collect());
    }
    let text = match &args.file {
        Some(path) => {
            let len = std::fs::metadata(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .len();
            if len > MAX_CODES_FILE_LEN {
                bail!(
                    "{} is {len} bytes, far more than a list of recovery codes",
                    path.display()
                );
            }
            let bytes = Zeroizing::new(
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
            );
            Zeroizing::new(
                String::from_utf8(bytes.to_vec())
                    .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?,
            )
        }
        None => {
            if std::io::stdin().is_terminal() {
                eprintln!("Paste the recovery codes, then press Ctrl-D:");
            }
            let mut text = Zeroizing::new(String::new());
            std::io::stdin()
                .take(MAX_CODES_FILE_LEN + 1)
                .read_to_string(&mut text)
                .context("could not read the codes from standard input")?;
            text
        }
    };
    Ok(parse_recovery_block(&text)?)
}

/// `tessera recovery add`.
pub fn add(
    access: &VaultAccess,
    args: &RecoveryAddArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let codes = codes_given(args)?;
    let mut vault = access.open()?;
    // Show what was found before anything is saved.
    writeln!(
        out,
        "found {} code{}: {}",
        codes.len(),
        if codes.len() == 1 { "" } else { "s" },
        codes
            .iter()
            .map(|c| masked(c))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    // Codes pasted on a terminal have used up its input, so only codes
    // given as arguments or in a file are confirmed there.
    let pasted = args.codes.is_empty() && args.file.is_none();
    if std::io::stdin().is_terminal() && !pasted && !args.yes && !confirm("Save them?", true)? {
        bail!("nothing was saved");
    }
    let query = args.query.clone();
    let (name, unused, warnings) = vault.update(now, |contents| -> anyhow::Result<_> {
        let entry_id = match resolve(contents, &query)? {
            Some(Target::Entry(id)) => id,
            Some(Target::Account(account_id)) => {
                let entry = RecoveryEntry::new(
                    RecoveryOwner::Account { account_id },
                    RecoveryCodes::new(args.rotating, args.note.clone().unwrap_or_default()),
                    now,
                )?;
                let id = entry.id.clone();
                contents.recovery.push(entry);
                id
            }
            None if args.new_service => {
                let entry = RecoveryEntry::new(
                    RecoveryOwner::Service {
                        issuer: query.trim().to_owned(),
                        name: args.name.clone().unwrap_or_default(),
                    },
                    RecoveryCodes::new(args.rotating, args.note.clone().unwrap_or_default()),
                    now,
                )?;
                let id = entry.id.clone();
                contents.recovery.push(entry);
                id
            }
            None => bail!(
                "no account or service matches {query:?}; to keep codes for a service with no OTP account here, add --new-service"
            ),
        };
        let threshold = contents.settings.recovery_few_left_threshold();
        let entry = contents.recovery_mut(&entry_id).context("the entry vanished")?;
        if args.rotating {
            entry.codes.rotating = true;
        }
        if let Some(note) = &args.note {
            entry.codes.note = note.clone();
        }
        entry.codes.add(codes.clone(), now)?;
        entry.updated_at = now;
        let (unused, warnings) = (entry.codes.unused_count(), entry.codes.warnings(threshold));
        let entry = contents.recovery_entry(&entry_id).context("the entry vanished")?;
        Ok((entry_label(contents, entry), unused, warnings))
    })?;
    writeln!(
        out,
        "saved {} for {name}; {unused} unused",
        plural(codes.len(), "recovery code")
    )?;
    print_warnings(&name, &warnings)?;
    Ok(())
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn print_warnings(name: &str, warnings: &[RecoveryWarning]) -> anyhow::Result<()> {
    for warning in warnings {
        eprintln!("tessera: warning: {name}: {warning}");
    }
    Ok(())
}

/// One code as `recovery list --json` prints it.
#[derive(Serialize)]
struct ListedCode {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    used: bool,
    used_at: Option<u64>,
}

/// One service as `recovery list --json` prints it.
#[derive(Serialize)]
struct ListedEntry {
    id: String,
    issuer: String,
    name: String,
    rotating: bool,
    note: String,
    unused: usize,
    used: usize,
    warnings: Vec<String>,
    codes: Vec<ListedCode>,
}

/// `tessera recovery list`.
pub fn list(
    access: &VaultAccess,
    args: &RecoveryListArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let vault = access.open()?;
    let contents = vault.contents();
    let threshold = contents.settings.recovery_few_left_threshold();
    let mut entries: Vec<&RecoveryEntry> = contents.recovery.iter().collect();
    if let Some(query) = &args.query {
        match resolve(contents, query)? {
            Some(Target::Entry(id)) => entries.retain(|e| e.id == id),
            _ => bail!("no recovery codes are stored for {query:?} (see `tessera recovery list`)"),
        }
    }
    let listed: Vec<ListedEntry> = entries
        .iter()
        .map(|entry| {
            let (issuer, name) = entry_names(contents, entry);
            ListedEntry {
                id: entry_public_id(entry).as_str().to_owned(),
                issuer,
                name,
                rotating: entry.codes.rotating,
                note: entry.codes.note.clone(),
                unused: entry.codes.unused_count(),
                used: entry.codes.used_count(),
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
                    .map(|c| ListedCode {
                        code: args.reveal.then(|| c.code().to_owned()),
                        used: !c.is_unused(),
                        used_at: c.used_at,
                    })
                    .collect(),
            }
        })
        .collect();
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &listed)?;
        writeln!(out)?;
        return Ok(());
    }
    if listed.is_empty() {
        writeln!(
            out,
            "no recovery codes stored: add them with `tessera recovery add`"
        )?;
        return Ok(());
    }
    for (entry, shown) in entries.iter().zip(&listed) {
        let rotating = if shown.rotating { ", rotating" } else { "" };
        writeln!(
            out,
            "{} [{}]: {} unused, {} used{rotating}",
            entry_label(contents, entry),
            shown.id,
            shown.unused,
            shown.used
        )?;
        if !shown.note.is_empty() {
            writeln!(out, "  note: {}", shown.note)?;
        }
        for warning in &shown.warnings {
            writeln!(out, "  warning: {warning}")?;
        }
        for code in entry.codes.codes() {
            let text = if args.reveal {
                code.code().to_owned()
            } else {
                masked(code.code())
            };
            match code.used_at {
                Some(at) => writeln!(out, "  used {}  {text}", utc_date(at))?,
                None => writeln!(out, "  unused           {text}")?,
            }
        }
    }
    Ok(())
}

/// `tessera recovery use`.
pub fn use_code(
    access: &VaultAccess,
    args: &RecoveryUseArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let replacement = args
        .replacement
        .as_ref()
        .map(|r| Zeroizing::new(r.trim().to_owned()));
    let query = args.query.clone();
    let (name, outcome, warnings) = vault.update(now, |contents| -> anyhow::Result<_> {
        let Some(Target::Entry(id)) = resolve(contents, &query)? else {
            bail!("no recovery codes are stored for {query:?} (see `tessera recovery list`)");
        };
        let threshold = contents.settings.recovery_few_left_threshold();
        let entry = contents.recovery_mut(&id).context("the entry vanished")?;
        let outcome = entry.codes.use_code(&args.code, now)?;
        if let Some(new_code) = &replacement {
            entry.codes.add_replacement(new_code.clone(), now)?;
        }
        entry.updated_at = now;
        let warnings = entry.codes.warnings(threshold);
        let entry = contents.recovery_entry(&id).context("the entry vanished")?;
        Ok((entry_label(contents, entry), outcome, warnings))
    })?;
    let left = outcome.unused_left + usize::from(replacement.is_some());
    writeln!(out, "marked the code used for {name}; {left} unused left")?;
    if outcome.replacement_expected && replacement.is_none() {
        eprintln!(
            "tessera: {name} replaces each used code: save the new one it showed with `tessera recovery add {:?} NEW-CODE`",
            args.query
        );
    }
    print_warnings(&name, &warnings)?;
    Ok(())
}

/// `tessera recovery remove`: one code, or (without CODE) every code kept
/// for the service.
pub fn remove(
    access: &VaultAccess,
    args: &RecoveryRemoveArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let Some(Target::Entry(id)) = resolve(vault.contents(), &args.query)? else {
        bail!(
            "no recovery codes are stored for {:?} (see `tessera recovery list`)",
            args.query
        );
    };
    let name = entry_label(
        vault.contents(),
        vault
            .contents()
            .recovery_entry(&id)
            .context("the entry vanished")?,
    );
    if args.code.is_none() && !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("not removing every recovery code of {name} without --yes (not on a terminal to ask)");
        }
        if !confirm(
            &format!("Remove every recovery code kept for {name}?"),
            false,
        )? {
            bail!("nothing was removed");
        }
    }
    vault.update(now, |contents| -> anyhow::Result<()> {
        match &args.code {
            Some(code) => {
                let entry = contents.recovery_mut(&id).context("the entry vanished")?;
                entry.codes.remove_code(code)?;
                entry.updated_at = now;
            }
            None => {
                contents.recovery.retain(|e| e.id != id);
            }
        }
        Ok(())
    })?;
    match &args.code {
        Some(_) => writeln!(out, "removed the code from {name}")?,
        None => writeln!(out, "removed every recovery code kept for {name}")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_shape_and_ends_only() {
        assert_eq!(masked("a1b2c-3d4e5"), "a1•••-•••e5");
        assert_eq!(masked("1234 5678"), "12•• ••78");
        assert_eq!(masked("abc"), "•••");
    }
}
