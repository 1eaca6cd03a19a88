//! `tessera`: Tessera's command-line tool.
//!
//! It exists for two kinds of user: testers who generate codes by hand
//! (`tessera gen`, a stateless stand-in for oathtool with exact control of
//! time, digits, algorithm and period) and scripts that manage the vault.
//! Raw arguments are parsed by clap in `args`, validated into typed requests,
//! and only then acted on; every failure ends as one line on stderr and a
//! non-zero exit code.

mod args;
mod gen;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;

use crate::args::{Cli, Command};

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
    match cli.command {
        Command::Gen(raw) => {
            let request = gen::GenRequest::from_args(raw)?;
            gen::run(&request, unix_now()?, &mut out)
        }
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
