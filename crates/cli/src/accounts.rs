//! The vault's account commands: `init`, `add`, `list`, `code`, `edit`,
//! `remove`, `passwd` and `keyring`. Each raw argument set becomes a typed
//! request before the vault is touched; the work itself is tessera-core's,
//! so the app does exactly the same.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::bail;
use serde::Serialize;
use tessera_core::accounts::{find, find_one, label, AccountEdit};
use tessera_core::codes::{code_of, code_time};
use tessera_core::disclosure::Disclosure;
use tessera_core::{NewVault, Vault};
use tessera_otp::{Enrollment, OtpKind};
use tessera_vault::{Account, AccountId, OsKeyring};

use crate::args::{
    AddArgs, CodeArgs, EditArgs, InitArgs, KeyringAction, ListArgs, PasswdArgs, RemoveArgs,
};
use crate::input::{enrollment_from_flags, enrollment_from_uri, Stdin};
use crate::output::write_table;
use crate::vault_access::{confirm, VaultAccess};

/// A validated `tessera init`.
pub struct InitRequest {
    keyring: bool,
    password: bool,
}

impl InitRequest {
    /// Checks the flags against each other.
    pub fn from_args(args: &InitArgs, access: &VaultAccess) -> anyhow::Result<InitRequest> {
        if args.keyring && !access.keyring_allowed() {
            bail!("--keyring and --no-keyring contradict each other");
        }
        Ok(InitRequest {
            keyring: args.keyring,
            password: !args.no_password,
        })
    }
}

/// `tessera init`: creates the vault, refusing to overwrite anything.
pub fn init(
    access: &VaultAccess,
    request: &InitRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(&access.path).is_ok() {
        bail!(
            "{} already exists; refusing to overwrite it",
            access.path.display()
        );
    }
    let password = if request.password {
        Some(access.new_password(access.password_file())?)
    } else {
        None
    };
    let keyring = OsKeyring::new();
    let slots = NewVault {
        password: password.as_ref(),
        keyring: request
            .keyring
            .then_some(&keyring as &dyn tessera_vault::KeyStore),
    };
    Vault::create(&access.path, slots, now)?;
    let unlocks_with = match (request.password, request.keyring) {
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

/// A validated `tessera add`: the account, its secret already read.
pub struct AddRequest {
    enrollment: Enrollment,
    allow_duplicate: bool,
}

impl AddRequest {
    /// Reads the URI or the flags (a `-` from standard input) into the
    /// account to add.
    pub fn from_args(args: &AddArgs, stdin: &mut Stdin) -> anyhow::Result<AddRequest> {
        let enrollment = match &args.uri {
            Some(text) => enrollment_from_uri(text, stdin)?,
            None => {
                let issuer = args.issuer.clone().unwrap_or_default();
                let name = args.name.clone().unwrap_or_default();
                if issuer.trim().is_empty() && name.trim().is_empty() {
                    bail!("give the account an --issuer, a --name, or both");
                }
                enrollment_from_flags(&args.otp, args.hotp, issuer, name, stdin)?
            }
        };
        Ok(AddRequest {
            enrollment,
            allow_duplicate: args.force,
        })
    }
}

/// `tessera add`.
pub fn add(
    access: &VaultAccess,
    request: AddRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let account = match vault.add_account(request.enrollment, request.allow_duplicate, now) {
        Err(tessera_core::CoreError::Duplicate { label, id }) => {
            bail!("{label} is already in the vault [{id}]; --force adds it again")
        }
        other => other?,
    };
    write!(out, "added {} [{}]", label(&account), account.id)?;
    // The enrolling site asks for a code next.
    let time = code_time(&vault.preferences(), now.saturating_mul(1000)) / 1000;
    if let Some(timed) = account.enrollment.timed_code(time)? {
        write!(
            out,
            "; current code {} ({} s left)",
            timed.code.grouped(),
            timed.seconds_left(time)
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

/// `tessera code`. Time-based codes are for `--time`, or for now with the
/// time offset set in the app's Settings. An HOTP code is made (and its
/// counter advanced and saved, as a service expects) only for an account
/// the query names exactly: see [`tessera_core::accounts::hotp_to_spend`].
pub fn code(
    access: &VaultAccess,
    args: &CodeArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let time = args
        .time
        .unwrap_or_else(|| code_time(&vault.preferences(), now.saturating_mul(1000)) / 1000);
    let picked: Vec<AccountId> = match &args.query {
        Some(query) => {
            let found = find(&vault.contents().accounts, query);
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
    let (spend, skipped) = match &args.query {
        Some(query) => tessera_core::accounts::hotp_to_spend(&vault.contents().accounts, query),
        None => (Vec::new(), Vec::new()),
    };
    for name in &skipped {
        eprintln!(
            "tessera: {name} is counter-based (HOTP): its counter was not advanced; name it alone \
             (by its id or full name) to make its next code"
        );
    }
    let mut hotp_codes = std::collections::HashMap::new();
    for id in &spend {
        hotp_codes.insert(id.clone(), vault.next_hotp(id, now)?);
    }
    let shown = shown_codes(&vault, &picked, time, &hotp_codes);
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

/// The codes of the `picked` accounts at `time`, HOTP ones from `hotp`.
fn shown_codes(
    vault: &Vault,
    picked: &[AccountId],
    time: u64,
    hotp: &std::collections::HashMap<AccountId, (tessera_otp::Code, u64)>,
) -> Vec<ShownCode> {
    picked
        .iter()
        .filter_map(|id| vault.contents().account(id))
        .map(|account| {
            let made = hotp.get(&account.id);
            let code = code_of(account, time, made.map(|(code, _)| code));
            let counter = (account.enrollment.params.kind == OtpKind::Hotp)
                .then(|| made.map_or(account.enrollment.params.counter, |(_, counter)| *counter));
            ShownCode {
                id: account.id.to_string(),
                issuer: account.enrollment.issuer.clone(),
                name: account.enrollment.name.clone(),
                seconds_left: code.seconds_left(time),
                code: code.code,
                counter,
            }
        })
        .collect()
}

/// `tessera edit`.
pub fn edit(
    access: &VaultAccess,
    args: &EditArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let edit = AccountEdit {
        issuer: args.issuer.clone(),
        name: args.name.clone(),
        notes: args.notes.clone(),
        ..AccountEdit::default()
    };
    if edit.is_empty() {
        bail!("nothing to change: give --issuer, --name or --notes");
    }
    let mut vault = access.open()?;
    let id = find_one(&vault.contents().accounts, &args.query)?
        .id
        .clone();
    let edited = vault.edit_account(&id, edit, now)?;
    writeln!(out, "edited {} [{}]", label(&edited), id)?;
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
    let account = find_one(&vault.contents().accounts, &args.query)?;
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
    vault.remove_account(&id, now)?;
    writeln!(out, "removed {name} [{id}]")?;
    Ok(())
}

/// A validated `tessera passwd`.
pub struct PasswdRequest {
    new_password_file: Option<PathBuf>,
}

impl PasswdRequest {
    /// Takes the raw arguments.
    pub fn from_args(args: &PasswdArgs) -> PasswdRequest {
        PasswdRequest {
            new_password_file: args.new_password_file.clone(),
        }
    }
}

/// `tessera passwd`: sets or changes the password. When the vault has one,
/// changing it needs it (the app asks the same): if the keyring opened the
/// vault, the current password is asked for too.
pub fn passwd(
    access: &VaultAccess,
    request: &PasswdRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (mut vault, opened_with) = access.open_noting_password()?;
    let had_password = vault.info().has_password();
    let current = match opened_with {
        Some(password) => Some(password),
        None if had_password => Some(access.current_password()?),
        None => None,
    };
    let password = access.new_password(request.new_password_file.as_deref())?;
    let report = vault.change_password(current.as_ref(), &password, &OsKeyring::new(), now)?;
    let verb = if had_password { "changed" } else { "set" };
    writeln!(
        out,
        "{verb} the password of {}, under a new master key: copies made before open nothing saved from now on",
        access.path.display()
    )?;
    if !report.rewritten.is_empty() {
        writeln!(
            out,
            "sealed the {} backup(s) beside it again under the new key",
            report.rewritten.len()
        )?;
    }
    for removed in &report.removed {
        writeln!(
            out,
            "removed {}: it did not open with the old key, so it may hold an older one",
            removed.display()
        )?;
    }
    Ok(())
}

/// `tessera keyring enable|disable`.
pub fn keyring(
    access: &VaultAccess,
    action: KeyringAction,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let enable = matches!(action, KeyringAction::Enable);
    if enable && !access.keyring_allowed() {
        bail!("`keyring enable` and --no-keyring contradict each other");
    }
    let (mut vault, opened_with) = access.open_noting_password()?;
    if enable && vault.info().has_keyring() {
        bail!(
            "{} already opens through the OS keyring",
            access.path.display()
        );
    }
    if enable {
        access.confirm(&vault, &Disclosure::KeyringUnlock, opened_with.as_ref())?;
    }
    vault.set_keyring(&OsKeyring::new(), enable)?;
    let state = if enable {
        "now opens"
    } else {
        "no longer opens"
    };
    writeln!(
        out,
        "{} {state} through the OS keyring",
        access.path.display()
    )?;
    Ok(())
}
