//! The raw command line as clap parses it. Nothing here is trusted yet: each
//! command validates its raw arguments into a typed request before any work.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Tessera: one-time codes and recovery codes, on the desktop.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a code from a secret or an otpauth:// URI, without a vault.
    #[command(
        long_about = "Generate a one-time code from a secret or an otpauth:// URI, without a vault.\n\n\
                      With --secret it makes a TOTP code (HOTP when --counter is given, Steam with --steam); \
                      with a URI it takes every parameter from the URI, and --time or --counter still apply.",
        after_help = "Examples:\n  \
                      tessera gen --secret JBSWY3DPEHPK3PXP\n  \
                      tessera gen --secret JBSWY3DPEHPK3PXP --time 1111111109 --digits 8 --algorithm sha256\n  \
                      tessera gen --secret 3132333435363738393031323334353637383930 --hex --counter 7\n  \
                      tessera gen 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP' --window 1"
    )]
    Gen(GenArgs),
}

/// Hash algorithms as typed on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    /// HMAC-SHA1, what almost every service uses.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// `tessera gen`'s raw arguments.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// An otpauth:// URI to take every parameter from.
    #[arg(value_name = "URI", conflicts_with_all = ["secret", "hex", "digits", "period", "algorithm", "steam"])]
    pub uri: Option<String>,

    /// The shared secret, base32 as services show it (case, spaces, dashes and padding are
    /// ignored); `-` reads it from the first line of standard input, out of sight of `ps`.
    #[arg(long, value_name = "SECRET")]
    pub secret: Option<String>,

    /// Read --secret as hexadecimal instead of base32.
    #[arg(long, requires = "secret")]
    pub hex: bool,

    /// The moment to generate a TOTP code for, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "counter")]
    pub time: Option<u64>,

    /// Generate an HOTP code for this counter value.
    #[arg(long, value_name = "N")]
    pub counter: Option<u64>,

    /// Number of digits, 6 to 10 (default 6).
    #[arg(long, value_name = "N")]
    pub digits: Option<u8>,

    /// TOTP time step in seconds (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub period: Option<u64>,

    /// HMAC algorithm (default sha1).
    #[arg(long, value_enum, value_name = "ALGORITHM")]
    pub algorithm: Option<AlgorithmArg>,

    /// Generate a 5-character Steam Guard code.
    #[arg(long, conflicts_with_all = ["digits", "algorithm", "counter"])]
    pub steam: bool,

    /// Also print the codes for N steps before and after, one a line, the current one marked.
    #[arg(long, value_name = "N")]
    pub window: Option<u32>,

    /// Print JSON: {"code", "valid_from", "valid_until"} for TOTP, {"code", "counter"} for HOTP.
    #[arg(long)]
    pub json: bool,
}
