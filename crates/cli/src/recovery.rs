//! `tessera recovery`: keeping the one-time recovery codes services hand
//! out, knowing which are spent, and asking for the replacement where a
//! service issues one; a newly issued set replaces the kept one, which
//! stays as history, and a mistaken mark of use can be undone. Codes are
//! secrets: listings show them masked (the
//! core's one rule) unless `--reveal` is given, every code can come from
//! standard input instead of the command line, and nothing here logs them.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context};
use serde::Serialize;
use tessera_core::disclosure::Disclosure;
use tessera_core::recovery::{
    entry_label, mask, parse_codes, pasted_set, resolve, resolve_entry, summary, AddMode,
    CodesTarget,
};
use tessera_otp::{RecoveryWarning, Zeroizing};
use tessera_transfer::paper::utc_date;
use tessera_vault::RecoveryEntry;

use crate::args::{RecoveryAddArgs, RecoveryListArgs, RecoveryRemoveArgs, RecoveryUseArgs};
use crate::input::Stdin;
use crate::output::plural;
use crate::vault_access::{confirm, VaultAccess};

/// The largest file of codes read: a list of codes, not a document.
const MAX_CODES_FILE_LEN: u64 = 64 * 1024;

/// A validated `tessera recovery add`: the codes already read and split.
pub struct AddRequest {
    query: String,
    codes: Vec<Zeroizing<String>>,
    /// The codes came from a terminal's input, which they used up.
    pasted: bool,
    rotating: bool,
    note: Option<String>,
    new_service: Option<String>,
    /// `--replace` or `--more`, when given.
    mode: Option<AddMode>,
    yes: bool,
}

impl AddRequest {
    /// Reads the codes: the arguments, a file, or standard input (`-`, or
    /// no codes and no file).
    pub fn from_args(args: &RecoveryAddArgs, stdin: &mut Stdin) -> anyhow::Result<AddRequest> {
        let from_stdin =
            args.codes.is_empty() && args.file.is_none() || args.codes.iter().any(|c| c == "-");
        if from_stdin && args.codes.len() > 1 {
            bail!("give the codes as arguments or `-` for standard input, not both");
        }
        let codes = if from_stdin {
            codes_from_input(&stdin.block("the recovery codes")?)?
        } else if let Some(path) = &args.file {
            parse_codes(&read_codes_file(path)?)?
        } else {
            args.codes
                .iter()
                .map(|c| Zeroizing::new(c.trim().to_owned()))
                .collect()
        };
        Ok(AddRequest {
            query: args.query.clone(),
            codes,
            pasted: from_stdin && std::io::stdin().is_terminal(),
            rotating: args.rotating,
            note: args.note.clone(),
            new_service: args
                .new_service
                .then(|| args.name.clone().unwrap_or_default()),
            mode: match (args.replace, args.more) {
                (true, _) => Some(AddMode::Replace),
                (false, true) => Some(AddMode::Add),
                (false, false) => None,
            },
            yes: args.yes,
        })
    }
}

/// The codes in text given on standard input: a block as services write
/// it, or one code alone on its line, taken exactly as given (as a code
/// given as an argument is).
fn codes_from_input(text: &str) -> anyhow::Result<Vec<Zeroizing<String>>> {
    match parse_codes(text) {
        Ok(codes) => Ok(codes),
        Err(error) => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            match lines.as_slice() {
                [one] => Ok(vec![Zeroizing::new((*one).to_owned())]),
                _ => Err(error.into()),
            }
        }
    }
}

/// A file of codes, bounded, as text (a pipe or a device is refused before
/// it is read).
fn read_codes_file(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    use std::io::Read;
    let cannot = || format!("cannot read {}", path.display());
    let (file, metadata) = tessera_vault::open_regular_file(path).with_context(cannot)?;
    if metadata.len() > MAX_CODES_FILE_LEN {
        bail!(
            "{} is {} bytes, far more than a list of recovery codes",
            path.display(),
            metadata.len()
        );
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_CODES_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .with_context(cannot)?;
    if bytes.len() as u64 > MAX_CODES_FILE_LEN {
        bail!(
            "{} is far more than a list of recovery codes",
            path.display()
        );
    }
    Ok(Zeroizing::new(String::from_utf8(bytes.to_vec()).map_err(
        |_| anyhow::anyhow!("{} is not UTF-8 text", path.display()),
    )?))
}

/// `tessera recovery add`.
pub fn add(
    access: &VaultAccess,
    request: AddRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    // Show what was found before anything is saved.
    let shapes: Vec<String> = request.codes.iter().map(|c| mask(c)).collect();
    writeln!(
        out,
        "found {}: {}",
        plural(request.codes.len(), "code"),
        shapes.join(", ")
    )?;
    // Codes pasted on a terminal have used up its input, so only codes
    // given as arguments or in a file are confirmed there.
    if std::io::stdin().is_terminal()
        && !request.pasted
        && !request.yes
        && !confirm("Save them?", true)?
    {
        bail!("nothing was saved");
    }
    let target = match (resolve(vault.contents(), &request.query)?, request.new_service) {
        (Some(target), _) => target,
        (None, Some(name)) => CodesTarget::NewService {
            issuer: request.query.trim().to_owned(),
            name,
        },
        (None, None) => bail!(
            "no account or service matches {:?}; to keep codes for a service with no OTP account here, add --new-service",
            request.query
        ),
    };
    let pasted = pasted_set(vault.contents(), &target, &request.codes);
    let mode = match request.mode {
        Some(mode) => mode,
        None if !pasted.ask_replace() => AddMode::Add,
        None => {
            let kept = plural(pasted.current, "code");
            // Only a terminal whose input the codes did not use up can be asked.
            if !std::io::stdin().is_terminal() || request.pasted {
                bail!(
                    "these codes share none with the {kept} kept: add --replace if the service issued them \
                     as a new set (the old ones are kept as history, marked replaced), or --more to add them"
                );
            }
            if confirm(
                &format!("These codes share none with the {kept} kept. Are they a new set replacing them?"),
                true,
            )? {
                AddMode::Replace
            } else {
                AddMode::Add
            }
        }
    };
    let count = request.codes.len();
    let saved = vault.save_recovery_codes(
        target,
        request.codes,
        mode,
        request.rotating,
        request.note,
        now,
    )?;
    writeln!(
        out,
        "saved {} for {}; {} unused",
        plural(count, "recovery code"),
        saved.label,
        saved.unused
    )?;
    if saved.replaced > 0 {
        writeln!(
            out,
            "{} of the old set kept as history, marked replaced",
            plural(saved.replaced, "code")
        )?;
    }
    print_warnings(&saved.label, &saved.warnings);
    Ok(())
}

fn print_warnings(name: &str, warnings: &[RecoveryWarning]) {
    for warning in warnings {
        eprintln!("tessera: warning: {name}: {warning}");
    }
}

/// One code as `recovery list --json` prints it.
#[derive(Serialize)]
struct ListedCode {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    used: bool,
    used_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced_at: Option<u64>,
}

/// One set of codes as `recovery list --json` prints it.
#[derive(Serialize)]
struct ListedEntry {
    id: String,
    issuer: String,
    name: String,
    rotating: bool,
    note: String,
    unused: usize,
    used: usize,
    replaced: usize,
    warnings: Vec<String>,
    codes: Vec<ListedCode>,
}

/// `tessera recovery list`.
pub fn list(
    access: &VaultAccess,
    args: &RecoveryListArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (vault, opened_with) = access.open_noting_password()?;
    let contents = vault.contents();
    let mut entries: Vec<&RecoveryEntry> = contents.recovery.iter().collect();
    if let Some(query) = &args.query {
        let id = resolve_entry(contents, query)?;
        entries.retain(|e| e.id == id);
    }
    if args.reveal && !entries.is_empty() {
        let label = match entries.as_slice() {
            [one] => entry_label(contents, one),
            several => format!("{} services", several.len()),
        };
        access.confirm(
            &vault,
            &Disclosure::RecoveryCodes { label },
            opened_with.as_ref(),
        )?;
    }
    let listed: Vec<ListedEntry> = entries
        .iter()
        .map(|entry| {
            let summary = summary(contents, entry);
            ListedEntry {
                id: summary.public_id.to_string(),
                issuer: summary.issuer,
                name: summary.name,
                rotating: summary.rotating,
                note: summary.note,
                unused: summary.unused,
                used: summary.used,
                replaced: summary.replaced,
                warnings: summary.warnings,
                // Stored order, as scripts index it; the text lists unused first.
                codes: entry
                    .codes
                    .codes()
                    .iter()
                    .map(|c| ListedCode {
                        code: args.reveal.then(|| c.code().to_owned()),
                        used: c.is_used(),
                        used_at: c.used_at,
                        replaced_at: c.replaced_at,
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
        let replaced = if shown.replaced > 0 {
            format!(", {} replaced", shown.replaced)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} [{}]: {} unused, {} used{replaced}{rotating}",
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
        for code in in_order(entry) {
            let text = if args.reveal {
                code.code().to_owned()
            } else {
                mask(code.code())
            };
            match (code.replaced_at, code.used_at) {
                (Some(at), _) => writeln!(out, "  replaced {}  {text}", utc_date(at))?,
                (None, Some(at)) => writeln!(out, "  used {}  {text}", utc_date(at))?,
                (None, None) => writeln!(out, "  unused           {text}")?,
            }
        }
    }
    Ok(())
}

/// A set's codes in the order lists show them: unused first, then used,
/// then replaced (the core's one order, which the app shows too).
fn in_order(entry: &RecoveryEntry) -> impl Iterator<Item = &tessera_otp::RecoveryCode> {
    let codes = entry.codes.codes();
    entry
        .codes
        .display_order()
        .into_iter()
        .map(move |index| &codes[index])
}

/// A validated `tessera recovery use`: the code and its replacement read.
pub struct UseRequest {
    query: String,
    code: Zeroizing<String>,
    replacement: Option<Zeroizing<String>>,
    undo: bool,
}

impl UseRequest {
    /// Reads CODE and `--replacement` (`-`: a line of standard input each,
    /// in that order).
    pub fn from_args(args: &RecoveryUseArgs, stdin: &mut Stdin) -> anyhow::Result<UseRequest> {
        let code = stdin.or_line(&args.code, "the used code")?;
        let replacement = args
            .replacement
            .as_deref()
            .map(|r| stdin.or_line(r, "the replacement code"))
            .transpose()?
            .map(|r| Zeroizing::new(r.trim().to_owned()));
        Ok(UseRequest {
            query: args.query.clone(),
            code,
            replacement,
            undo: args.undo,
        })
    }
}

/// `tessera recovery use`.
pub fn use_code(
    access: &VaultAccess,
    request: UseRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let id = resolve_entry(vault.contents(), &request.query)?;
    if request.undo {
        let saved = vault.undo_recovery_use(&id, &request.code, now)?;
        writeln!(
            out,
            "the code is unused again for {}; {} unused",
            saved.label, saved.unused
        )?;
        return Ok(());
    }
    let used = vault.use_recovery_code(&id, &request.code, request.replacement, now)?;
    let name = &used.saved.label;
    writeln!(
        out,
        "marked the code used for {name}; {} unused left",
        used.saved.unused
    )?;
    if used.replacement_missing {
        eprintln!(
            "tessera: {name} replaces each used code: save the new one it showed with \
             `tessera recovery add {:?} -` (the code on standard input)",
            request.query
        );
    }
    print_warnings(name, &used.saved.warnings);
    Ok(())
}

/// A validated `tessera recovery remove`.
pub struct RemoveRequest {
    query: String,
    code: Option<Zeroizing<String>>,
    yes: bool,
}

impl RemoveRequest {
    /// Reads CODE (`-`: a line of standard input).
    pub fn from_args(
        args: &RecoveryRemoveArgs,
        stdin: &mut Stdin,
    ) -> anyhow::Result<RemoveRequest> {
        Ok(RemoveRequest {
            query: args.query.clone(),
            code: args
                .code
                .as_deref()
                .map(|c| stdin.or_line(c, "the code"))
                .transpose()?,
            yes: args.yes,
        })
    }
}

/// `tessera recovery remove`.
pub fn remove(
    access: &VaultAccess,
    request: RemoveRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut vault = access.open()?;
    let id = resolve_entry(vault.contents(), &request.query)?;
    let name = vault
        .contents()
        .recovery_entry(&id)
        .map(|entry| entry_label(vault.contents(), entry))
        .context("the entry vanished")?;
    if request.code.is_none() && !request.yes {
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
    vault.remove_recovery(&id, request.code.as_deref().map(|c| c.as_str()), now)?;
    match &request.code {
        Some(_) => writeln!(out, "removed the code from {name}")?,
        None => writeln!(out, "removed every recovery code kept for {name}")?,
    }
    Ok(())
}
