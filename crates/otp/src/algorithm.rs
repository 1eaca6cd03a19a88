//! The two small vocabularies every other module speaks: which HMAC hash an
//! account uses and which kind of one-time password it produces. They live
//! apart so that parsing and printing them is defined once, for URIs, the
//! vault's JSON and the command line alike.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The hash function under the HMAC (RFC 4226 uses SHA1; RFC 6238 adds the
/// SHA-2 ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// HMAC-SHA1: what nearly every service uses, and the default.
    #[default]
    #[serde(alias = "SHA1")]
    Sha1,
    /// HMAC-SHA256.
    #[serde(alias = "SHA256")]
    Sha256,
    /// HMAC-SHA512.
    #[serde(alias = "SHA512")]
    Sha512,
}

impl Algorithm {
    /// Every algorithm, in the order people expect to see them listed.
    pub const ALL: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

    /// The name as `otpauth://` URIs write it: `SHA1`, `SHA256` or `SHA512`.
    pub fn as_uri_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_uri_str())
    }
}

/// A hash algorithm name that is not SHA1, SHA256 or SHA512.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown algorithm {name:?} (expected SHA1, SHA256 or SHA512)")]
#[non_exhaustive]
pub struct UnknownAlgorithm {
    /// The name as it was given.
    pub name: String,
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Accepts the spellings found in the wild, in any case: `sha1`, `SHA-1`,
    /// `sha_256`, `SHA512`, with surrounding whitespace ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normalised: String = text
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match normalised.as_str() {
            "sha1" => Ok(Algorithm::Sha1),
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            _ => Err(UnknownAlgorithm {
                name: text.to_owned(),
            }),
        }
    }
}

/// Which family of one-time password an account produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OtpKind {
    /// Time-based (RFC 6238): the moving factor is the current time step.
    Totp,
    /// Counter-based (RFC 4226): the moving factor is a stored counter.
    Hotp,
    /// Steam Guard: TOTP-style timing, five characters from Steam's alphabet.
    Steam,
}

impl OtpKind {
    /// The lowercase name used in URIs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            OtpKind::Totp => "totp",
            OtpKind::Hotp => "hotp",
            OtpKind::Steam => "steam",
        }
    }

    /// Whether codes of this kind follow the clock (TOTP and Steam) rather
    /// than a counter (HOTP).
    pub fn is_timed(self) -> bool {
        !matches!(self, OtpKind::Hotp)
    }
}

impl fmt::Display for OtpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind name that is not `totp`, `hotp` or `steam`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OTP type {name:?} (expected totp, hotp or steam)")]
#[non_exhaustive]
pub struct UnknownOtpKind {
    /// The name as it was given.
    pub name: String,
}

impl FromStr for OtpKind {
    type Err = UnknownOtpKind;

    /// Accepts `totp`, `hotp` and `steam` in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        [OtpKind::Totp, OtpKind::Hotp, OtpKind::Steam]
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| UnknownOtpKind {
                name: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_parses_common_spellings() {
        for (text, expected) in [
            ("sha1", Algorithm::Sha1),
            ("SHA1", Algorithm::Sha1),
            ("SHA-1", Algorithm::Sha1),
            (" Sha256 ", Algorithm::Sha256),
            ("SHA-256", Algorithm::Sha256),
            ("sha_512", Algorithm::Sha512),
            ("SHA512", Algorithm::Sha512),
        ] {
            assert_eq!(text.parse::<Algorithm>(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn algorithm_rejects_unknown_names_with_a_clear_message() {
        let err = "MD5".parse::<Algorithm>().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"unknown algorithm "MD5" (expected SHA1, SHA256 or SHA512)"#
        );
        assert!("sha3".parse::<Algorithm>().is_err());
        assert!("".parse::<Algorithm>().is_err());
    }

    #[test]
    fn algorithm_display_matches_uri_spelling_and_default_is_sha1() {
        assert_eq!(Algorithm::Sha1.to_string(), "SHA1");
        assert_eq!(Algorithm::Sha256.to_string(), "SHA256");
        assert_eq!(Algorithm::Sha512.to_string(), "SHA512");
        assert_eq!(Algorithm::default(), Algorithm::Sha1);
    }

    #[test]
    fn algorithm_serde_is_lowercase_and_round_trips() {
        for algorithm in Algorithm::ALL {
            let json = serde_json::to_string(&algorithm).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", algorithm.as_uri_str().to_lowercase())
            );
            assert_eq!(serde_json::from_str::<Algorithm>(&json).unwrap(), algorithm);
        }
        // Hand-edited files may use the URI spelling.
        assert_eq!(
            serde_json::from_str::<Algorithm>("\"SHA256\"").unwrap(),
            Algorithm::Sha256
        );
    }

    #[test]
    fn otp_kind_display_parse_and_serde() {
        for kind in [OtpKind::Totp, OtpKind::Hotp, OtpKind::Steam] {
            assert_eq!(kind.to_string().parse::<OtpKind>(), Ok(kind));
            assert_eq!(kind.to_string().to_uppercase().parse::<OtpKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(serde_json::from_str::<OtpKind>(&json).unwrap(), kind);
        }
        assert!(OtpKind::Totp.is_timed() && OtpKind::Steam.is_timed());
        assert!(!OtpKind::Hotp.is_timed());
        assert_eq!(
            "motp".parse::<OtpKind>().unwrap_err().to_string(),
            r#"unknown OTP type "motp" (expected totp, hotp or steam)"#
        );
    }
}
