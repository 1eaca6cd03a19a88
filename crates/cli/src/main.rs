//! `tessera`: Tessera's command-line tool.
//!
//! It exists for two kinds of user: testers who generate codes by hand
//! (`tessera gen`, a stateless stand-in for oathtool with exact control of
//! time, digits, algorithm and period) and scripts that manage the vault.
//! Raw arguments are parsed by clap in `args` (what the user typed),
//! validated into a typed [`Request`] before any work (secrets given as `-`
//! read, formats looked up, flags checked against each other), and only
//! then acted on through tessera-core, which the app calls too. Every
//! failure ends as one line on stderr and a non-zero exit code.

mod accounts;
mod args;
mod backup;
mod completions;
mod gen;
mod input;
mod output;
mod recovery;
mod scan;
mod sync;
mod transfer;
mod vault_access;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, FromArgMatches, Parser};

use crate::args::{
    BackupCommand, Cli, CodeArgs, Command, EditArgs, GenArgs, ImportArgs, KeyringAction, ListArgs,
    QrArgs, RecoveryCommand, RecoveryListArgs, RemoveArgs, ScanArgs, SyncCommand,
};
use crate::vault_access::VaultAccess;

fn main() -> ExitCode {
    // Before any secret is read (a pasted secret, a password, the vault).
    // Best effort: where the OS refuses, there is nothing better to do.
    let _ = tessera_vault::forbid_core_dumps();
    let outcome = match parse_gen_alone() {
        Some(gen_args) => run_gen(gen_args),
        None => run(Cli::parse()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`tessera code --json | head`) is not
        // a failure: exit quietly, as Unix tools do.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "tessera: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes as one line, each cause once: many errors
/// already quote their cause, which a plain join would print twice.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Whether writing failed because the reader closed the pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |kind: Option<std::io::ErrorKind>| kind == Some(std::io::ErrorKind::BrokenPipe);
    err.chain().any(|cause| {
        broken(cause.downcast_ref::<std::io::Error>().map(std::io::Error::kind))
            // JSON output fails through serde_json, which wraps the I/O error.
            || broken(
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind),
            )
    })
}

/// `tessera gen ...` runs in loops in testers' scripts, and building the
/// whole CLI's clap command tree costs more than generating the code, so a
/// command line that starts with `gen` is parsed by `gen`'s own command
/// (same arguments, same validation, same help). Anything else, global
/// options before `gen` included, takes the full parser.
fn parse_gen_alone() -> Option<GenArgs> {
    let mut args = std::env::args_os();
    let _program = args.next();
    if args.next().as_deref() != Some(std::ffi::OsStr::new("gen")) {
        return None;
    }
    let command = GenArgs::augment_args(clap::Command::new("gen").bin_name("tessera gen"));
    let matches = command.get_matches_from(std::env::args_os().skip(1));
    Some(GenArgs::from_arg_matches(&matches).unwrap_or_else(|err| err.exit()))
}

fn run_gen(raw: GenArgs) -> anyhow::Result<()> {
    let request = gen::GenRequest::from_args(raw)?;
    gen::run(&request, unix_now()?, &mut std::io::stdout().lock())
}

/// A command line, validated: what to do, with every argument checked and
/// every secret given as `-` already read.
enum Request {
    Init(accounts::InitRequest),
    Add(accounts::AddRequest),
    List(ListArgs),
    Code(CodeArgs),
    Edit(EditArgs),
    Remove(RemoveArgs),
    Passwd(accounts::PasswdRequest),
    Keyring(KeyringAction),
    RecoveryAdd(recovery::AddRequest),
    RecoveryList(RecoveryListArgs),
    RecoveryUse(recovery::UseRequest),
    RecoveryRemove(recovery::RemoveRequest),
    Scan(ScanArgs),
    Import(ImportArgs),
    Export(transfer::ExportRequest),
    Qr(QrArgs),
    Backup(BackupCommand),
    Sync(SyncCommand),
}

impl Request {
    /// Validates the raw command line (all but `gen`, `completions` and
    /// `man`, which need no vault).
    fn from_cli(command: Command, access: &VaultAccess) -> anyhow::Result<Request> {
        let stdin = &mut input::Stdin::new();
        Ok(match command {
            Command::Gen(_) | Command::Completions(_) | Command::Man(_) => {
                unreachable!("commands without a vault are run before a request is made")
            }
            Command::Init(args) => Request::Init(accounts::InitRequest::from_args(&args, access)?),
            Command::Add(args) => Request::Add(accounts::AddRequest::from_args(&args, stdin)?),
            Command::List(args) => Request::List(args),
            Command::Code(args) => Request::Code(args),
            Command::Edit(args) => Request::Edit(args),
            Command::Remove(args) => Request::Remove(args),
            Command::Passwd(args) => Request::Passwd(accounts::PasswdRequest::from_args(&args)),
            Command::Keyring(args) => Request::Keyring(args.action),
            Command::Recovery(RecoveryCommand::Add(args)) => {
                Request::RecoveryAdd(recovery::AddRequest::from_args(&args, stdin)?)
            }
            Command::Recovery(RecoveryCommand::List(args)) => Request::RecoveryList(args),
            Command::Recovery(RecoveryCommand::Use(args)) => {
                Request::RecoveryUse(recovery::UseRequest::from_args(&args, stdin)?)
            }
            Command::Recovery(RecoveryCommand::Remove(args)) => {
                Request::RecoveryRemove(recovery::RemoveRequest::from_args(&args, stdin)?)
            }
            Command::Scan(args) => Request::Scan(args),
            Command::Import(args) => Request::Import(args),
            Command::Export(args) => Request::Export(transfer::ExportRequest::from_args(&args)?),
            Command::Qr(args) => Request::Qr(args),
            Command::Backup(command) => Request::Backup(command),
            Command::Sync(command) => Request::Sync(command),
        })
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        Command::Gen(raw) => return run_gen(raw),
        // Packaging's commands describe the command line; no vault.
        Command::Completions(args) => {
            return completions::completions(args.shell, &mut std::io::stdout().lock())
        }
        Command::Man(args) => {
            let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
            let request = completions::ManRequest::from_args(args, epoch.as_deref(), unix_now()?)?;
            return completions::man(&request, &mut std::io::stdout().lock());
        }
        command => command,
    };
    let now = unix_now()?;
    let access = VaultAccess::from_args(&cli.vault, now)?;
    let request = Request::from_cli(command, &access)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match request {
        Request::Init(request) => accounts::init(&access, &request, now, &mut out),
        Request::Add(request) => accounts::add(&access, request, now, &mut out),
        Request::List(args) => accounts::list(&access, &args, &mut out),
        Request::Code(args) => accounts::code(&access, &args, now, &mut out),
        Request::Edit(args) => accounts::edit(&access, &args, now, &mut out),
        Request::Remove(args) => accounts::remove(&access, &args, now, &mut out),
        Request::Passwd(request) => accounts::passwd(&access, &request, now, &mut out),
        Request::Keyring(action) => accounts::keyring(&access, action, &mut out),
        Request::RecoveryAdd(request) => recovery::add(&access, request, now, &mut out),
        Request::RecoveryList(args) => recovery::list(&access, &args, &mut out),
        Request::RecoveryUse(request) => recovery::use_code(&access, request, now, &mut out),
        Request::RecoveryRemove(request) => recovery::remove(&access, request, now, &mut out),
        Request::Scan(args) => scan::scan(&access, &args, now, &mut out),
        Request::Import(args) => transfer::import(&access, &args, now, &mut out),
        Request::Export(request) => transfer::export_vault(&access, &request, now, &mut out),
        Request::Qr(args) => transfer::qr(&access, &args, &mut out),
        Request::Backup(BackupCommand::Enable(args)) => {
            backup::enable(&access, &args, now, &mut out)
        }
        Request::Backup(BackupCommand::Disable) => backup::disable(&access, &mut out),
        Request::Backup(BackupCommand::List(args)) => backup::list(&access, &args, &mut out),
        Request::Backup(BackupCommand::Restore(args)) => {
            backup::restore(&access, &args, now, &mut out)
        }
        Request::Sync(SyncCommand::Enable(args)) => sync::enable(&access, &args, now, &mut out),
        Request::Sync(SyncCommand::Join(args)) => sync::join(&access, &args, now, &mut out),
        Request::Sync(SyncCommand::Now) => sync::now(&access, now, &mut out),
        Request::Sync(SyncCommand::Status(args)) => sync::status(&access, &args, &mut out),
        Request::Sync(SyncCommand::Disable) => sync::disable(&access, &mut out),
    }
}

/// The only place the CLI reads the clock: everything below takes the time
/// as an argument.
fn unix_now() -> anyhow::Result<u64> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| anyhow::anyhow!("the system clock is set before 1970"))?;
    Ok(since_epoch.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 21, messages): causes were printed twice, as in
    /// `Is a directory (os error 21): Is a directory (os error 21)`.
    #[test]
    fn regression_each_cause_is_printed_once() {
        let io = std::io::Error::from_raw_os_error(21);
        let err = anyhow::Error::new(io).context("cannot read /tmp: Is a directory (os error 21)");
        assert_eq!(
            one_line(&err),
            "cannot read /tmp: Is a directory (os error 21)"
        );
        let err = anyhow::anyhow!("inner").context("outer");
        assert_eq!(one_line(&err), "outer: inner");
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_context() {
        let io = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::new(io).context("writing")));
        let json = serde_json::Error::io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&anyhow::Error::new(json)));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
