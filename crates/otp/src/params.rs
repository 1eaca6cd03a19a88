//! The non-secret settings of an account (kind, hash, digits, period,
//! counter) and the one place that decides which combinations make sense, so
//! URI import, the vault and the command line all refuse the same things.

use serde::{Deserialize, Serialize};

use crate::algorithm::{Algorithm, OtpKind};

/// Fewest digits an HOTP/TOTP code may have (RFC 4226 section 5.3).
pub const MIN_DIGITS: u8 = 6;
/// Most digits an HOTP/TOTP code may have: the 31-bit truncated value has at
/// most 10 decimal digits, so more would only add leading zeros.
pub const MAX_DIGITS: u8 = 10;
/// Longest period an account may have: ten years of 365 days. Nothing real
/// comes close; the bound only catches garbage in imported URIs. The code
/// generators themselves accept any period of at least one second.
pub const MAX_PERIOD: u64 = 10 * 365 * 24 * 60 * 60;
/// The usual period, in seconds, and the only one Steam Guard uses.
pub const DEFAULT_PERIOD: u64 = 30;
/// Characters in a Steam Guard code.
pub const STEAM_DIGITS: u8 = 5;

/// Why a set of parameters cannot produce codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// An HOTP/TOTP digit count outside `MIN_DIGITS..=MAX_DIGITS`.
    #[error(
        "codes must have {} to {} digits, not {digits}",
        MIN_DIGITS,
        MAX_DIGITS
    )]
    DigitsOutOfRange {
        /// The digit count asked for.
        digits: u8,
    },
    /// A period of zero seconds, which would divide by zero.
    #[error("the period must be at least 1 second")]
    PeriodZero,
    /// A period longer than [`MAX_PERIOD`].
    #[error(
        "a period of {period} seconds is longer than the maximum of {} seconds (10 years)",
        MAX_PERIOD
    )]
    PeriodTooLong {
        /// The period asked for, in seconds.
        period: u64,
    },
    /// Steam Guard with a character count other than 5.
    #[error("steam guard codes have exactly 5 characters, not {digits}")]
    SteamDigits {
        /// The character count asked for.
        digits: u8,
    },
    /// Steam Guard with a hash other than SHA1.
    #[error("steam guard codes use SHA1, not {algorithm}")]
    SteamAlgorithm {
        /// The algorithm asked for.
        algorithm: Algorithm,
    },
    /// Steam Guard with a period other than 30 seconds.
    #[error("steam guard codes change every 30 seconds, not every {period} seconds")]
    SteamPeriod {
        /// The period asked for, in seconds.
        period: u64,
    },
}

/// How an account's codes are made, apart from the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OtpParams {
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// The HMAC hash (always SHA1 for Steam).
    pub algorithm: Algorithm,
    /// Code length: `MIN_DIGITS..=MAX_DIGITS` for TOTP/HOTP, 5 for Steam.
    pub digits: u8,
    /// Seconds per time step for TOTP (30 for Steam). HOTP ignores it; it is
    /// 30 unless an imported URI said otherwise.
    pub period: u64,
    /// The HOTP moving factor: the counter of the next code. TOTP and Steam
    /// ignore it; it is 0 unless an imported URI said otherwise.
    pub counter: u64,
}

impl OtpParams {
    /// TOTP with the near-universal settings: SHA1, 6 digits, 30 seconds.
    pub fn totp() -> OtpParams {
        OtpParams {
            kind: OtpKind::Totp,
            algorithm: Algorithm::Sha1,
            digits: MIN_DIGITS,
            period: DEFAULT_PERIOD,
            counter: 0,
        }
    }

    /// HOTP with SHA1 and 6 digits, starting at `counter`.
    pub fn hotp(counter: u64) -> OtpParams {
        OtpParams {
            kind: OtpKind::Hotp,
            counter,
            ..OtpParams::totp()
        }
    }

    /// Steam Guard: SHA1, 5 characters, 30 seconds.
    pub fn steam() -> OtpParams {
        OtpParams {
            kind: OtpKind::Steam,
            digits: STEAM_DIGITS,
            ..OtpParams::totp()
        }
    }

    /// Checks that these parameters can produce codes.
    ///
    /// TOTP/HOTP: digits in `MIN_DIGITS..=MAX_DIGITS`. TOTP: period in
    /// `1..=MAX_PERIOD`. HOTP: the period is unused, so only checked to be
    /// non-zero and at most `MAX_PERIOD` so that it survives a URI round
    /// trip. Steam: exactly 5 characters, SHA1 and 30 seconds, because the
    /// scheme fixes them. The counter is never restricted.
    pub fn validate(&self) -> Result<(), ParamsError> {
        match self.kind {
            OtpKind::Totp | OtpKind::Hotp => {
                check_digits(self.digits)?;
                check_period(self.period)?;
            }
            OtpKind::Steam => {
                if self.digits != STEAM_DIGITS {
                    return Err(ParamsError::SteamDigits {
                        digits: self.digits,
                    });
                }
                if self.algorithm != Algorithm::Sha1 {
                    return Err(ParamsError::SteamAlgorithm {
                        algorithm: self.algorithm,
                    });
                }
                if self.period != DEFAULT_PERIOD {
                    return Err(ParamsError::SteamPeriod {
                        period: self.period,
                    });
                }
            }
        }
        Ok(())
    }
}

impl Default for OtpParams {
    /// The same as [`OtpParams::totp`].
    fn default() -> Self {
        OtpParams::totp()
    }
}

/// Refuses digit counts outside `MIN_DIGITS..=MAX_DIGITS`.
pub(crate) fn check_digits(digits: u8) -> Result<(), ParamsError> {
    if (MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        Ok(())
    } else {
        Err(ParamsError::DigitsOutOfRange { digits })
    }
}

/// Refuses periods outside `1..=MAX_PERIOD`.
fn check_period(period: u64) -> Result<(), ParamsError> {
    match period {
        0 => Err(ParamsError::PeriodZero),
        p if p > MAX_PERIOD => Err(ParamsError::PeriodTooLong { period }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_are_valid_and_have_the_documented_values() {
        let totp = OtpParams::totp();
        assert_eq!(
            (
                totp.kind,
                totp.algorithm,
                totp.digits,
                totp.period,
                totp.counter
            ),
            (OtpKind::Totp, Algorithm::Sha1, 6, 30, 0)
        );
        let hotp = OtpParams::hotp(42);
        assert_eq!(
            (hotp.kind, hotp.digits, hotp.counter),
            (OtpKind::Hotp, 6, 42)
        );
        let steam = OtpParams::steam();
        assert_eq!(
            (steam.kind, steam.digits, steam.period),
            (OtpKind::Steam, 5, 30)
        );
        for params in [totp, hotp, steam, OtpParams::default()] {
            params.validate().unwrap();
        }
    }

    #[test]
    fn digits_bounds() {
        for digits in MIN_DIGITS..=MAX_DIGITS {
            OtpParams {
                digits,
                ..OtpParams::totp()
            }
            .validate()
            .unwrap();
        }
        for digits in [0, 5, 11, u8::MAX] {
            let err = OtpParams {
                digits,
                ..OtpParams::hotp(0)
            }
            .validate()
            .unwrap_err();
            assert_eq!(err, ParamsError::DigitsOutOfRange { digits });
        }
        assert_eq!(
            ParamsError::DigitsOutOfRange { digits: 11 }.to_string(),
            "codes must have 6 to 10 digits, not 11"
        );
    }

    #[test]
    fn period_bounds() {
        for period in [1, 30, 60, MAX_PERIOD] {
            OtpParams {
                period,
                ..OtpParams::totp()
            }
            .validate()
            .unwrap();
        }
        assert_eq!(
            OtpParams {
                period: 0,
                ..OtpParams::totp()
            }
            .validate(),
            Err(ParamsError::PeriodZero)
        );
        assert_eq!(
            OtpParams {
                period: MAX_PERIOD + 1,
                ..OtpParams::totp()
            }
            .validate(),
            Err(ParamsError::PeriodTooLong {
                period: MAX_PERIOD + 1
            })
        );
        assert_eq!(
            ParamsError::PeriodZero.to_string(),
            "the period must be at least 1 second"
        );
    }

    #[test]
    fn steam_is_fixed() {
        let steam = OtpParams::steam();
        assert_eq!(
            OtpParams {
                digits: 6,
                ..steam.clone()
            }
            .validate(),
            Err(ParamsError::SteamDigits { digits: 6 })
        );
        assert_eq!(
            OtpParams {
                algorithm: Algorithm::Sha256,
                ..steam.clone()
            }
            .validate(),
            Err(ParamsError::SteamAlgorithm {
                algorithm: Algorithm::Sha256
            })
        );
        assert_eq!(
            OtpParams {
                period: 60,
                ..steam.clone()
            }
            .validate(),
            Err(ParamsError::SteamPeriod { period: 60 })
        );
        assert_eq!(
            ParamsError::SteamAlgorithm {
                algorithm: Algorithm::Sha256
            }
            .to_string(),
            "steam guard codes use SHA1, not SHA256"
        );
        // The counter is never restricted.
        OtpParams {
            counter: u64::MAX,
            ..steam
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn serde_round_trip() {
        let params = OtpParams::hotp(7);
        let json = serde_json::to_string(&params).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"hotp","algorithm":"sha1","digits":6,"period":30,"counter":7}"#
        );
        assert_eq!(serde_json::from_str::<OtpParams>(&json).unwrap(), params);
    }
}
