//! Turning a secret and a moving factor into the code a person types:
//! HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard, which differ only in
//! where the counter comes from and how the truncated HMAC is spelled.
//!
//! Nothing here reads the clock: the time is always an argument, so every
//! function is deterministic and testable against the RFC tables.

use std::fmt;

use totp_rs::TOTP;
use zeroize::{Zeroize, Zeroizing};

use crate::algorithm::Algorithm;
use crate::params::{check_digits, ParamsError, DEFAULT_PERIOD, STEAM_DIGITS};
use crate::secret::Secret;

/// Steam Guard's 26-symbol alphabet (digits and consonants that cannot be
/// misread for one another).
const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// A one-time code, ready to show. Not secret once shown, so a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code(String);

impl Code {
    /// The code as one string, e.g. `"287082"` or `"GG5F5"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code split into groups for reading aloud or copying by eye.
    ///
    /// By length: 6 → `123 456`, 7 → `123 4567`, 8 → `1234 5678`,
    /// 9 → `123 456 789`, 10 → `12345 67890`. Any other length, such as a
    /// five-character Steam code, is returned unchanged.
    pub fn grouped(&self) -> String {
        let groups: &[usize] = match self.0.len() {
            6 => &[3, 3],
            7 => &[3, 4],
            8 => &[4, 4],
            9 => &[3, 3, 3],
            10 => &[5, 5],
            _ => return self.0.clone(),
        };
        let mut grouped = String::with_capacity(self.0.len() + groups.len());
        let mut rest = self.0.as_str();
        for &size in groups {
            if !grouped.is_empty() {
                grouped.push(' ');
            }
            let (group, tail) = rest.split_at(size);
            grouped.push_str(group);
            rest = tail;
        }
        grouped
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A TOTP or Steam code together with the time window it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedCode {
    /// The code for this window.
    pub code: Code,
    /// First second (Unix time) of the window.
    pub valid_from: u64,
    /// First second of the next window, i.e. exclusive end. Saturates at
    /// `u64::MAX` for the very last window of time.
    pub valid_until: u64,
    /// The time-step index, `unix_time / period`: the RFC 6238 `T`.
    pub step: u64,
}

impl TimedCode {
    /// Whole seconds from `unix_time` until the code changes (0 once the
    /// window is over).
    pub fn seconds_left(&self, unix_time: u64) -> u64 {
        self.valid_until.saturating_sub(unix_time)
    }

    /// Builds the window for `step` of `period` seconds.
    fn new(code: Code, period: u64, step: u64) -> TimedCode {
        // step * period <= unix_time, so this cannot overflow.
        let valid_from = step * period;
        TimedCode {
            code,
            valid_from,
            valid_until: valid_from.saturating_add(period),
            step,
        }
    }
}

/// An HOTP code (RFC 4226) for `counter`, with `digits` in
/// `MIN_DIGITS..=MAX_DIGITS`. Any counter works, including `u64::MAX`.
pub fn hotp(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    counter: u64,
) -> Result<Code, ParamsError> {
    check_digits(digits)?;
    Ok(decimal_code(
        truncated_hmac(secret, algorithm, counter),
        digits,
    ))
}

/// A TOTP code (RFC 6238, T0 = 0) for `unix_time`: the HOTP code for time
/// step `unix_time / period`. Any period of at least one second works.
pub fn totp(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u64,
    unix_time: u64,
) -> Result<Code, ParamsError> {
    if period == 0 {
        return Err(ParamsError::PeriodZero);
    }
    hotp(secret, algorithm, digits, unix_time / period)
}

/// A TOTP code with its validity window; see [`totp`].
pub fn timed_totp(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u64,
    unix_time: u64,
) -> Result<TimedCode, ParamsError> {
    let code = totp(secret, algorithm, digits, period, unix_time)?;
    Ok(TimedCode::new(code, period, unix_time / period))
}

/// A Steam Guard code for `unix_time` (SHA1, 30-second steps, 5 characters).
pub fn steam(secret: &Secret, unix_time: u64) -> Code {
    steam_at_step(secret, unix_time / DEFAULT_PERIOD)
}

/// A Steam Guard code with its validity window; see [`steam`].
pub fn timed_steam(secret: &Secret, unix_time: u64) -> TimedCode {
    let step = unix_time / DEFAULT_PERIOD;
    TimedCode::new(steam_at_step(secret, step), DEFAULT_PERIOD, step)
}

/// A Steam Guard code for a given 30-second step index.
pub(crate) fn steam_at_step(secret: &Secret, step: u64) -> Code {
    let mut value = truncated_hmac(secret, Algorithm::Sha1, step);
    let mut code = String::with_capacity(usize::from(STEAM_DIGITS));
    for _ in 0..STEAM_DIGITS {
        code.push(char::from(STEAM_ALPHABET[(value % 26) as usize]));
        value /= 26;
    }
    Code(code)
}

/// The low `digits` decimal digits of the truncated value, zero-padded.
fn decimal_code(value: u32, digits: u8) -> Code {
    // In u64: 10^10 does not fit in u32, and for 10 digits the whole 31-bit
    // value is the code.
    let modulus = 10u64.pow(u32::from(digits));
    let width = usize::from(digits);
    Code(format!("{:0width$}", u64::from(value) % modulus))
}

/// RFC 4226 dynamic truncation of HMAC(secret, counter): 31 bits.
fn truncated_hmac(secret: &Secret, algorithm: Algorithm, counter: u64) -> u32 {
    let mac = hmac(secret, algorithm, counter);
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let word = [
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ];
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// totp-rs's `TOTP` keeps its own plain `Vec` copy of the key; this wipes
/// it when the computation is done.
struct TotpRsKey(TOTP);

impl Drop for TotpRsKey {
    fn drop(&mut self) {
        self.0.secret.zeroize();
    }
}

/// HMAC(secret, counter as 8-byte big-endian) through totp-rs.
fn hmac(secret: &Secret, algorithm: Algorithm, counter: u64) -> Zeroizing<Vec<u8>> {
    let algorithm = match algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    };
    // `new_unchecked` skips totp-rs's 128-bit minimum (80-bit keys are still
    // in use) and its digit limit (we truncate ourselves). With a step of 1,
    // `sign(counter)` signs `counter / 1`: the raw HOTP message for any u64.
    let key = TotpRsKey(TOTP::new_unchecked(
        algorithm,
        usize::from(STEAM_DIGITS),
        0,
        1,
        secret.as_bytes().to_vec(),
    ));
    Zeroizing::new(key.0.sign(counter))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
    }

    /// Steam's encoding written out independently of `steam_at_step`.
    fn steam_chars(mut value: u32) -> String {
        let alphabet: Vec<char> = "23456789BCDFGHJKMNPQRTVWXY".chars().collect();
        (0..5)
            .map(|_| {
                let ch = alphabet[(value % 26) as usize];
                value /= 26;
                ch
            })
            .collect()
    }

    #[test]
    fn truncation_matches_rfc4226_appendix_d() {
        // The "Decimal" column of RFC 4226 Appendix D.
        let expected = [
            1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922,
            82162583, 673399871, 645520489,
        ];
        for (counter, value) in expected.into_iter().enumerate() {
            assert_eq!(
                truncated_hmac(&rfc_secret(), Algorithm::Sha1, counter as u64),
                value
            );
        }
    }

    #[test]
    fn ten_digits_is_the_whole_truncated_value_zero_padded() {
        let secret = rfc_secret();
        let code = hotp(&secret, Algorithm::Sha1, 10, 0).unwrap();
        assert_eq!(code.as_str(), "1284755224");
        // Counter 2's value has 9 digits, so the 10-digit code has a leading 0.
        assert_eq!(
            hotp(&secret, Algorithm::Sha1, 10, 2).unwrap().as_str(),
            "0137359152"
        );
        assert_eq!(
            hotp(&secret, Algorithm::Sha1, 9, 0).unwrap().as_str(),
            "284755224"
        );
        assert_eq!(
            hotp(&secret, Algorithm::Sha1, 7, 0).unwrap().as_str(),
            "4755224"
        );
    }

    #[test]
    fn digits_outside_the_range_are_refused() {
        let secret = rfc_secret();
        for digits in [0, 5, 11, 255] {
            assert_eq!(
                hotp(&secret, Algorithm::Sha1, digits, 0),
                Err(ParamsError::DigitsOutOfRange { digits })
            );
        }
        assert_eq!(
            totp(&secret, Algorithm::Sha1, 6, 0, 59),
            Err(ParamsError::PeriodZero)
        );
    }

    #[test]
    fn extreme_counters_times_and_periods_do_not_panic() {
        let secret = rfc_secret();
        for algorithm in Algorithm::ALL {
            for digits in 6..=10 {
                let code = hotp(&secret, algorithm, digits, u64::MAX).unwrap();
                assert_eq!(code.as_str().len(), usize::from(digits));
            }
            for period in [1, 30, u64::MAX / 2, u64::MAX] {
                for time in [0, 1, u64::MAX - 1, u64::MAX] {
                    let timed = timed_totp(&secret, algorithm, 8, period, time).unwrap();
                    assert!(timed.valid_from <= time);
                    assert!(time < timed.valid_until || timed.valid_until == u64::MAX);
                    assert_eq!(timed.code.as_str().len(), 8);
                }
            }
        }
        // Independently computed (Python hmac) for counter 2^64 - 1.
        assert_eq!(
            hotp(&secret, Algorithm::Sha1, 10, u64::MAX)
                .unwrap()
                .as_str(),
            "1663094451"
        );
        let last = timed_steam(&secret, u64::MAX);
        assert_eq!(last.valid_until, u64::MAX);
        assert_eq!(last.seconds_left(u64::MAX), 0);
    }

    #[test]
    fn period_one_changes_every_second() {
        let secret = rfc_secret();
        for time in 0..10u64 {
            assert_eq!(
                totp(&secret, Algorithm::Sha1, 6, 1, time).unwrap(),
                hotp(&secret, Algorithm::Sha1, 6, time).unwrap()
            );
        }
    }

    #[test]
    fn huge_period_stays_on_step_zero() {
        let secret = rfc_secret();
        let timed = timed_totp(&secret, Algorithm::Sha1, 6, u64::MAX, 2_000_000_000).unwrap();
        assert_eq!(timed.step, 0);
        assert_eq!(timed.code.as_str(), "755224");
        assert_eq!(timed.valid_from, 0);
        assert_eq!(timed.valid_until, u64::MAX);
    }

    #[test]
    fn steam_matches_an_independent_encoding_of_the_rfc_values() {
        let secret = rfc_secret();
        // Step 0 and step 1 truncate to RFC 4226's counter-0 and counter-1 values.
        assert_eq!(steam_chars(1284755224), "GG5F5");
        assert_eq!(steam(&secret, 0).as_str(), "GG5F5");
        assert_eq!(steam(&secret, 29).as_str(), "GG5F5");
        assert_eq!(steam_chars(1094287082), "PV9M4");
        assert_eq!(steam(&secret, 30).as_str(), "PV9M4");
        assert_eq!(steam(&secret, 59).as_str(), "PV9M4");
        // RFC 6238's 1234567890 row: T = 0x273EF07, truncated 689005924.
        assert_eq!(steam(&secret, 1234567890).as_str(), steam_chars(689005924));
        assert_eq!(steam(&secret, 1234567890).as_str(), "VHHQY");
    }

    #[test]
    fn timed_codes_know_their_window() {
        let secret = rfc_secret();
        let timed = timed_totp(&secret, Algorithm::Sha1, 8, 30, 59).unwrap();
        assert_eq!(timed.code.as_str(), "94287082");
        assert_eq!(
            (timed.valid_from, timed.valid_until, timed.step),
            (30, 60, 1)
        );
        assert_eq!(timed.seconds_left(59), 1);
        assert_eq!(timed.seconds_left(30), 30);
        assert_eq!(timed.seconds_left(90), 0);
        let steam = timed_steam(&secret, 45);
        assert_eq!(
            (steam.valid_from, steam.valid_until, steam.step),
            (30, 60, 1)
        );
        assert_eq!(steam.code.as_str(), "PV9M4");
    }

    #[test]
    fn grouping_rule() {
        for (code, grouped) in [
            ("123456", "123 456"),
            ("1234567", "123 4567"),
            ("12345678", "1234 5678"),
            ("123456789", "123 456 789"),
            ("1234567890", "12345 67890"),
            ("GG5F5", "GG5F5"),
        ] {
            let code = Code(code.to_owned());
            assert_eq!(code.grouped(), grouped);
            assert_eq!(code.to_string(), code.as_str());
        }
    }
}
