//! One account as a service hands it out (what an `otpauth://` URI or QR
//! code carries): who issued it, which account it is, the secret and the
//! parameters. It is the unit the vault stores and the UI lists, and it knows
//! how to produce its own codes.

use serde::{Deserialize, Serialize};

use crate::algorithm::OtpKind;
use crate::generate::{hotp, steam_at_step, timed_steam, timed_totp, Code, TimedCode};
use crate::params::{OtpParams, ParamsError};
use crate::secret::Secret;

/// An account: issuer, account name, secret and parameters.
///
/// `Debug` is safe to log: the secret shows only as `Secret(N bytes)`.
/// Serde writes the secret as an unpadded base32 string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The service, e.g. `GitHub`. May be empty.
    pub issuer: String,
    /// The account at that service, e.g. `alice@example.com`. May be empty.
    pub name: String,
    /// The shared key.
    pub secret: Secret,
    /// How codes are made.
    pub params: OtpParams,
}

impl Enrollment {
    /// Whether `other` is the same account: the same secret bytes, issuer
    /// and name. The parameters do not count, so an account re-enrolled
    /// with other digits or period is still the one already there; what
    /// adding it again should do is the caller's decision.
    pub fn is_same_account(&self, other: &Enrollment) -> bool {
        self.secret == other.secret && self.issuer == other.issuer && self.name == other.name
    }

    /// The code at this moment: for TOTP/Steam `unix_time` is used; for HOTP
    /// the stored counter is used and `unix_time` ignored.
    pub fn code_at(&self, unix_time: u64) -> Result<Code, ParamsError> {
        self.code_at_offset(unix_time, 0)
            .map(|code| code.expect("offset 0 never leaves the range"))
    }

    /// For TOTP/Steam: the code with its validity window (`None` for HOTP).
    pub fn timed_code(&self, unix_time: u64) -> Result<Option<TimedCode>, ParamsError> {
        let params = &self.params;
        params.validate()?;
        Ok(match params.kind {
            OtpKind::Totp => Some(timed_totp(
                &self.secret,
                params.algorithm,
                params.digits,
                params.period,
                unix_time,
            )?),
            OtpKind::Steam => Some(timed_steam(&self.secret, unix_time)),
            OtpKind::Hotp => None,
        })
    }

    /// The code `offset` steps away, for showing a window of codes: for
    /// TOTP/Steam the step is `unix_time / period + offset`, for HOTP the
    /// counter is `counter + offset`. `None` when that would go below 0 or
    /// past `u64::MAX`.
    pub fn code_at_offset(&self, unix_time: u64, offset: i64) -> Result<Option<Code>, ParamsError> {
        let params = &self.params;
        params.validate()?;
        let base = match params.kind {
            OtpKind::Totp | OtpKind::Steam => unix_time / params.period,
            OtpKind::Hotp => params.counter,
        };
        let Some(moving_factor) = base.checked_add_signed(offset) else {
            return Ok(None);
        };
        let code = match params.kind {
            OtpKind::Steam => steam_at_step(&self.secret, moving_factor),
            OtpKind::Totp | OtpKind::Hotp => {
                hotp(&self.secret, params.algorithm, params.digits, moving_factor)?
            }
        };
        Ok(Some(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::Algorithm;

    fn rfc_enrollment(params: OtpParams) -> Enrollment {
        Enrollment {
            issuer: "Example".into(),
            name: "alice@example.com".into(),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap(),
            params,
        }
    }

    #[test]
    fn the_same_account_is_secret_issuer_and_name() {
        let account = rfc_enrollment(OtpParams::totp());
        let mut other = rfc_enrollment(OtpParams {
            digits: 8,
            period: 60,
            ..OtpParams::hotp(7)
        });
        assert!(account.is_same_account(&other));
        assert!(other.is_same_account(&account));
        other.name = "Alice@example.com".into();
        assert!(!account.is_same_account(&other), "names compare exactly");
        let mut other = rfc_enrollment(OtpParams::totp());
        other.issuer = "Example ".into();
        assert!(!account.is_same_account(&other), "issuers compare exactly");
        let mut other = rfc_enrollment(OtpParams::totp());
        other.secret = Secret::from_bytes(b"12345678901234567891".to_vec()).unwrap();
        assert!(!account.is_same_account(&other), "secrets compare by bytes");
    }

    #[test]
    fn totp_code_and_window() {
        let enrollment = rfc_enrollment(OtpParams {
            digits: 8,
            ..OtpParams::totp()
        });
        assert_eq!(enrollment.code_at(59).unwrap().as_str(), "94287082");
        let timed = enrollment.timed_code(1111111109).unwrap().unwrap();
        assert_eq!(timed.code.as_str(), "07081804");
        assert_eq!(timed.step, 0x23523EC);
        assert_eq!(timed.seconds_left(1111111109), 1);
    }

    #[test]
    fn hotp_uses_the_counter_and_ignores_time() {
        let enrollment = rfc_enrollment(OtpParams::hotp(3));
        assert_eq!(enrollment.code_at(0).unwrap().as_str(), "969429");
        assert_eq!(enrollment.code_at(u64::MAX).unwrap().as_str(), "969429");
        assert_eq!(enrollment.timed_code(0).unwrap(), None);
        assert_eq!(
            enrollment.code_at_offset(0, 1).unwrap().unwrap().as_str(),
            "338314"
        );
        assert_eq!(
            enrollment.code_at_offset(0, -3).unwrap().unwrap().as_str(),
            "755224"
        );
        assert_eq!(enrollment.code_at_offset(0, -4).unwrap(), None);
    }

    #[test]
    fn offsets_step_through_time_and_stop_at_the_ends() {
        let enrollment = rfc_enrollment(OtpParams::totp());
        // Step 1 is time 30..59; offset -1 from there is step 0.
        assert_eq!(
            enrollment.code_at_offset(45, -1).unwrap(),
            enrollment.code_at(0).ok()
        );
        assert_eq!(
            enrollment.code_at_offset(45, 1).unwrap(),
            enrollment.code_at(60).ok()
        );
        assert_eq!(enrollment.code_at_offset(10, -1).unwrap(), None);
        assert_eq!(enrollment.code_at_offset(10, i64::MIN).unwrap(), None);
        let max_step = rfc_enrollment(OtpParams {
            period: 1,
            ..OtpParams::totp()
        });
        assert_eq!(max_step.code_at_offset(u64::MAX, 1).unwrap(), None);
        assert!(max_step.code_at_offset(u64::MAX, 0).unwrap().is_some());
        let hotp = rfc_enrollment(OtpParams::hotp(u64::MAX));
        assert_eq!(hotp.code_at_offset(0, i64::MAX).unwrap(), None);
        assert!(hotp.code_at(0).is_ok());
    }

    #[test]
    fn steam_codes_and_offsets() {
        let enrollment = rfc_enrollment(OtpParams::steam());
        assert_eq!(enrollment.code_at(0).unwrap().as_str(), "GG5F5");
        assert_eq!(
            enrollment.code_at_offset(0, 1).unwrap().unwrap().as_str(),
            "PV9M4"
        );
        let timed = enrollment.timed_code(31).unwrap().unwrap();
        assert_eq!((timed.code.as_str(), timed.valid_from), ("PV9M4", 30));
    }

    #[test]
    fn invalid_params_are_reported_not_panicked_on() {
        let enrollment = rfc_enrollment(OtpParams {
            digits: 12,
            ..OtpParams::totp()
        });
        assert_eq!(
            enrollment.code_at(0),
            Err(ParamsError::DigitsOutOfRange { digits: 12 })
        );
        let enrollment = rfc_enrollment(OtpParams {
            period: 0,
            ..OtpParams::totp()
        });
        assert_eq!(enrollment.timed_code(0), Err(ParamsError::PeriodZero));
        assert_eq!(
            enrollment.code_at_offset(0, 1),
            Err(ParamsError::PeriodZero)
        );
    }

    #[test]
    fn debug_and_serde_keep_the_secret_in_its_place() {
        let enrollment = rfc_enrollment(OtpParams {
            algorithm: Algorithm::Sha256,
            ..OtpParams::totp()
        });
        let debug = format!("{enrollment:?}");
        assert!(debug.contains("Secret(20 bytes)"), "{debug}");
        assert!(!debug.contains("GEZDGNBV"), "{debug}");
        assert!(!debug.contains("49, 50"), "{debug}");
        assert!(!debug.contains("1234567890"), "{debug}");

        let json = serde_json::to_string(&enrollment).unwrap();
        assert!(
            json.contains(r#""secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ""#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<Enrollment>(&json).unwrap(),
            enrollment
        );
    }
}
