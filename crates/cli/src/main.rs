//! `tessera`: Tessera's command-line tool.
//!
//! It exists for two kinds of user: testers who generate codes by hand
//! (`tessera gen`, a stateless stand-in for oathtool with exact control of
//! time, digits, algorithm and period) and scripts that manage the vault.
//! Raw arguments are parsed by clap in `args`, validated into typed requests,
//! and only then acted on; every failure ends as one line on stderr and a
//! non-zero exit code.

mod accounts;
mod args;
mod gen;
mod intake;
mod otp_input;
mod query;
mod recovery;
mod scan;
mod transfer;
mod vault_access;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, FromArgMatches, Parser};

use crate::args::{Cli, Command, GenArgs, RecoveryCommand};
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
        Err(err) => {
            // One line: the chain of causes joined, as users read it.
            let _ = writeln!(std::io::stderr(), "tessera: {err:#}");
            ExitCode::FAILURE
        }
    }
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

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Gen(raw) = cli.command {
        return run_gen(raw);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let now = unix_now()?;
    let access = VaultAccess::from_args(&cli.vault)?;
    match &cli.command {
        Command::Gen(_) => unreachable!("handled above: gen needs no vault"),
        Command::Init(args) => accounts::init(&access, args, now, &mut out),
        Command::Add(args) => accounts::add(&access, args, now, &mut out),
        Command::List(args) => accounts::list(&access, args, &mut out),
        Command::Code(args) => accounts::code(&access, args, now, &mut out),
        Command::Edit(args) => accounts::edit(&access, args, now, &mut out),
        Command::Remove(args) => accounts::remove(&access, args, now, &mut out),
        Command::Passwd(args) => accounts::passwd(&access, args, &mut out),
        Command::Keyring(args) => accounts::keyring(&access, args.action, &mut out),
        Command::Recovery(RecoveryCommand::Add(args)) => {
            recovery::add(&access, args, now, &mut out)
        }
        Command::Recovery(RecoveryCommand::List(args)) => recovery::list(&access, args, &mut out),
        Command::Recovery(RecoveryCommand::Use(args)) => {
            recovery::use_code(&access, args, now, &mut out)
        }
        Command::Recovery(RecoveryCommand::Remove(args)) => {
            recovery::remove(&access, args, now, &mut out)
        }
        Command::Scan(args) => scan::scan(&access, args, now, &mut out),
        Command::Import(args) => transfer::import(&access, args, now, &mut out),
        Command::Export(args) => transfer::export(&access, args, now, &mut out),
        Command::Qr(args) => transfer::qr(&access, args, &mut out),
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
