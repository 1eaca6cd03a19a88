//! What the user gives besides flags: secrets, URIs and codes read from
//! standard input where `-` stands for them (so they stay out of `ps` and
//! the shell's history), and secrets typed as flags turned into a checked
//! [`Enrollment`]. Every read is bounded, so a stream that never ends
//! cannot exhaust memory.

use std::io::{BufRead, IsTerminal, Read};

use anyhow::{bail, Context};
use tessera_otp::{uri, Algorithm, Enrollment, OtpParams, Secret, Zeroizing};

use crate::args::{AlgorithmArg, OtpFlags};

/// The longest line read for one secret, URI or code.
const MAX_LINE_BYTES: u64 = 64 * 1024;
/// The most read for a block of recovery codes.
const MAX_BLOCK_BYTES: u64 = 64 * 1024;

/// Standard input, handed out a line at a time to the arguments given as
/// `-`, in the order they are read.
pub struct Stdin {
    lines_read: usize,
}

impl Stdin {
    /// Standard input, nothing read yet.
    pub fn new() -> Stdin {
        Stdin { lines_read: 0 }
    }

    /// The next line, trimmed, for `what` ("the secret", "the URI").
    pub fn line(&mut self, what: &str) -> anyhow::Result<Zeroizing<String>> {
        let mut line = Zeroizing::new(String::new());
        let read = std::io::stdin()
            .lock()
            .take(MAX_LINE_BYTES + 1)
            .read_line(&mut line)
            .with_context(|| format!("could not read {what} from standard input"))?;
        if read as u64 > MAX_LINE_BYTES {
            bail!("{what} on standard input is longer than {MAX_LINE_BYTES} bytes");
        }
        self.lines_read += 1;
        let trimmed = Zeroizing::new(line.trim().to_owned());
        if trimmed.is_empty() {
            bail!("standard input gave no {what} (line {})", self.lines_read);
        }
        Ok(trimmed)
    }

    /// Everything left, for a block of recovery codes; asks for it on a
    /// terminal.
    pub fn block(&mut self, what: &str) -> anyhow::Result<Zeroizing<String>> {
        if std::io::stdin().is_terminal() {
            eprintln!("Paste {what}, then press Ctrl-D:");
        }
        let mut text = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .take(MAX_BLOCK_BYTES + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("could not read {what} from standard input"))?;
        if text.len() as u64 > MAX_BLOCK_BYTES {
            bail!("{what} on standard input are longer than {MAX_BLOCK_BYTES} bytes");
        }
        Ok(text)
    }

    /// `text` itself, or the next line when it is `-`.
    pub fn or_line(&mut self, text: &str, what: &str) -> anyhow::Result<Zeroizing<String>> {
        if text == "-" {
            self.line(what)
        } else {
            Ok(Zeroizing::new(text.to_owned()))
        }
    }
}

impl From<AlgorithmArg> for Algorithm {
    fn from(arg: AlgorithmArg) -> Algorithm {
        match arg {
            AlgorithmArg::Sha1 => Algorithm::Sha1,
            AlgorithmArg::Sha256 => Algorithm::Sha256,
            AlgorithmArg::Sha512 => Algorithm::Sha512,
        }
    }
}

/// The account an `otpauth://` URI argument describes (`-`: read from
/// standard input).
pub fn enrollment_from_uri(text: &str, stdin: &mut Stdin) -> anyhow::Result<Enrollment> {
    let text = stdin.or_line(text, "the otpauth:// URI")?;
    Ok(uri::parse(&text)?)
}

/// An enrollment from flags: Steam with `--steam`, HOTP when `hotp` or a
/// counter is given, TOTP otherwise. Fails when there is no secret.
pub fn enrollment_from_flags(
    flags: &OtpFlags,
    hotp: bool,
    issuer: String,
    name: String,
    stdin: &mut Stdin,
) -> anyhow::Result<Enrollment> {
    let Some(secret_text) = &flags.secret else {
        bail!("give a --secret or an otpauth:// URI");
    };
    let text = stdin.or_line(secret_text, "the secret")?;
    let secret = if flags.hex {
        Secret::from_hex(&text)?
    } else {
        Secret::from_base32(&text)?
    };
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
