//! Turning a secret and code parameters typed as flags into a checked
//! [`Enrollment`]; `gen` and `add` share it so both read secrets the same way.

use std::io::BufRead;

use anyhow::Context;
use tessera_otp::{Algorithm, Enrollment, OtpParams, Secret, Zeroizing};

use crate::args::{AlgorithmArg, OtpFlags};

impl From<AlgorithmArg> for Algorithm {
    fn from(arg: AlgorithmArg) -> Algorithm {
        match arg {
            AlgorithmArg::Sha1 => Algorithm::Sha1,
            AlgorithmArg::Sha256 => Algorithm::Sha256,
            AlgorithmArg::Sha512 => Algorithm::Sha512,
        }
    }
}

/// An enrollment from flags: Steam with `--steam`, HOTP when `hotp` or a
/// counter is given, TOTP otherwise. Fails when there is no secret.
pub fn enrollment_from_flags(
    flags: &OtpFlags,
    hotp: bool,
    issuer: String,
    name: String,
) -> anyhow::Result<Enrollment> {
    let Some(secret_text) = &flags.secret else {
        anyhow::bail!("give a --secret or an otpauth:// URI");
    };
    let secret = read_secret(secret_text, flags.hex)?;
    let mut params = match (flags.steam, hotp || flags.counter.is_some()) {
        (true, _) => OtpParams::steam(),
        (false, true) => OtpParams::hotp(flags.counter.unwrap_or(0)),
        (false, false) => OtpParams::totp(),
    };
    if let Some(algorithm) = flags.algorithm {
        params.algorithm = algorithm.into();
    }
    if let Some(digits) = flags.digits {
        params.digits = digits;
    }
    if let Some(period) = flags.period {
        params.period = period;
    }
    params.validate()?;
    Ok(Enrollment {
        issuer,
        name,
        secret,
        params,
    })
}

/// Reads a secret as base32 (or hex), from the argument or, for `-`, from
/// the first line of standard input.
fn read_secret(text: &str, hex: bool) -> anyhow::Result<Secret> {
    let from_stdin;
    let text = if text == "-" {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the secret from standard input")?;
        from_stdin = line;
        from_stdin.trim()
    } else {
        text
    };
    let secret = if hex {
        Secret::from_hex(text)?
    } else {
        Secret::from_base32(text)?
    };
    Ok(secret)
}
