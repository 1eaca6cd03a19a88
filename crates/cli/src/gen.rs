//! `tessera gen`: the stateless code generator testers use in place of
//! oathtool. Raw arguments become a [`GenRequest`] (every parameter checked)
//! before a single code is computed.

use std::io::Write;

use anyhow::bail;
use serde::Serialize;
use tessera_otp::{Enrollment, OtpKind};

use crate::args::GenArgs;
use crate::input::{enrollment_from_flags, enrollment_from_uri, Stdin};

/// The widest `--window`: far more than any clock drift, small enough that a
/// typo cannot ask for billions of codes.
const MAX_WINDOW: u32 = 1000;

/// A validated `tessera gen` request.
pub struct GenRequest {
    /// Secret and parameters, from the URI or from the flags.
    enrollment: Enrollment,
    /// The moment for TOTP and Steam codes; `None` means now.
    time: Option<u64>,
    /// How many steps before and after to show as well.
    window: u32,
    /// Print JSON rather than bare codes.
    json: bool,
}

impl GenRequest {
    /// Validates raw arguments into a request, reading the secret or URI
    /// from stdin when it is given as `-`.
    pub fn from_args(raw: GenArgs) -> anyhow::Result<GenRequest> {
        let stdin = &mut Stdin::new();
        let mut enrollment = match raw.uri {
            Some(text) => enrollment_from_uri(&text, stdin)?,
            None if raw.otp.secret.is_none() => {
                bail!("give a --secret or an otpauth:// URI (see `tessera gen --help`)")
            }
            None => enrollment_from_flags(&raw.otp, false, String::new(), String::new(), stdin)?,
        };
        match enrollment.params.kind {
            OtpKind::Hotp => {
                if raw.time.is_some() {
                    bail!(
                        "--time applies to time-based codes, and this URI is HOTP: use --counter"
                    );
                }
                if let Some(counter) = raw.otp.counter {
                    enrollment.params.counter = counter;
                }
            }
            OtpKind::Totp | OtpKind::Steam => {
                if raw.otp.counter.is_some() {
                    bail!(
                        "--counter applies to HOTP codes, and this URI is time-based: use --time"
                    );
                }
            }
        }
        let window = raw.window.unwrap_or(0);
        if window > MAX_WINDOW {
            bail!("--window is at most {MAX_WINDOW} steps each way, not {window}");
        }
        Ok(GenRequest {
            enrollment,
            time: raw.time,
            window,
            json: raw.json,
        })
    }
}

/// One line of output: a code and where it sits relative to the request.
#[derive(Serialize)]
struct GeneratedCode {
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<i64>,
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_from: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

/// Computes the requested codes for `now` (used when no `--time` was given)
/// and prints them.
pub fn run(request: &GenRequest, now: u64, out: &mut impl Write) -> anyhow::Result<()> {
    let time = request.time.unwrap_or(now);
    let window = i64::from(request.window);
    let codes = (-window..=window)
        .filter_map(|offset| code_at_offset(&request.enrollment, time, offset).transpose())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let windowed = request.window > 0;
    if request.json {
        let codes: Vec<GeneratedCode> = codes
            .into_iter()
            .map(|code| GeneratedCode {
                offset: code.offset.filter(|_| windowed),
                ..code
            })
            .collect();
        if windowed {
            serde_json::to_writer(&mut *out, &codes)?;
        } else {
            serde_json::to_writer(&mut *out, &codes[0])?;
        }
        writeln!(out)?;
    } else if windowed {
        for code in &codes {
            let offset = code.offset.unwrap_or(0);
            let mark = if offset == 0 { " *" } else { "" };
            writeln!(out, "{offset:+} {}{mark}", code.code)?;
        }
    } else {
        writeln!(out, "{}", codes[0].code)?;
    }
    Ok(())
}

/// The code `offset` steps from the requested one, or `None` where that step
/// falls outside the representable range (before 1970, past counter 2^64-1).
fn code_at_offset(
    enrollment: &Enrollment,
    time: u64,
    offset: i64,
) -> anyhow::Result<Option<GeneratedCode>> {
    let params = &enrollment.params;
    if params.kind == OtpKind::Hotp {
        let Some(counter) = params.counter.checked_add_signed(offset) else {
            return Ok(None);
        };
        let code = tessera_otp::hotp(&enrollment.secret, params.algorithm, params.digits, counter)?;
        return Ok(Some(GeneratedCode {
            offset: Some(offset),
            code: code.as_str().to_owned(),
            valid_from: None,
            valid_until: None,
            counter: Some(counter),
        }));
    }
    let shifted = i128::from(time) + i128::from(offset) * i128::from(params.period);
    let Ok(shifted) = u64::try_from(shifted) else {
        return Ok(None);
    };
    let Some(timed) = enrollment.timed_code(shifted)? else {
        bail!("internal error: a time-based account gave no timed code");
    };
    Ok(Some(GeneratedCode {
        offset: Some(offset),
        code: timed.code.as_str().to_owned(),
        valid_from: Some(timed.valid_from),
        valid_until: Some(timed.valid_until),
        counter: None,
    }))
}
