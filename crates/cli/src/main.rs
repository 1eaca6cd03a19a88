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

use clap::Parser;

use crate::args::{Cli, Command, RecoveryCommand};
use crate::vault_access::VaultAccess;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: the chain of causes joined, as users read it.
            let _ = writeln!(std::io::stderr(), "tessera: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let now = unix_now()?;
    if let Command::Gen(raw) = cli.command {
        let request = gen::GenRequest::from_args(raw)?;
        return gen::run(&request, now, &mut out);
    }
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
