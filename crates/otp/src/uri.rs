//! `otpauth://` URIs, the Key URI Format that QR codes and exports use
//! (<https://github.com/google/google-authenticator/wiki/Key-Uri-Format>),
//! read as leniently as real services write them and written in the form
//! most authenticators read back.
//!
//! Reading, `otpauth://TYPE/LABEL?PARAMETERS`:
//! - Surrounding whitespace is ignored; the scheme and `TYPE` (`totp`,
//!   `hotp`, `steam`) are case-insensitive; the `//` may be missing.
//! - `LABEL` is percent-decoded (a `+` stays a plus there) and split at its
//!   first colon, literal or `%3A`, into issuer and account name, each
//!   trimmed of whitespace (so `Issuer: Account` works). An `issuer`
//!   parameter wins over the label's prefix; when the label starts with that
//!   issuer and a colon, the rest is the account name even if the issuer
//!   itself contains a colon. An empty label is allowed: the secret is what
//!   matters and the user can name the account later.
//! - Parameters are form-decoded (`+` is a space), names case-insensitively;
//!   when a name repeats, the first one wins; unknown names are ignored, and
//!   so is a parameter whose name is not decodable. An empty value counts
//!   as absent.
//! - `secret` is base32 as people paste it (see
//!   [`Secret::from_base32`](crate::Secret::from_base32)); [`parse`]
//!   refuses an impossible length, [`parse_lenient`], for importing other
//!   apps' exports, drops its leftover bits as those apps do
//!   ([`Secret::from_base32_lenient`](crate::Secret::from_base32_lenient))
//!   and also lets an HOTP URI without `counter` start at 0. `counter` is
//!   required for HOTP and kept, if given, for the other kinds; `period` is
//!   read for HOTP too, so that nothing is lost on a round trip.
//! - Steam Guard is `otpauth://steam/…` (as Aegis writes it) or a TOTP URI
//!   with `encoder=steam` (KeePassXC and others). Steam fixes SHA1, five
//!   characters and 30 seconds, so its `algorithm`, `digits` and `period`
//!   parameters are ignored; writers disagree about what to put there.
//! - A fragment (`#…`) is not treated specially: no secret or name needs it.
//!
//! Writing: `otpauth://totp/Issuer:Name?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`,
//! every parameter explicit. HOTP writes `counter` (and `period` only when
//! it is not 30); TOTP and Steam write `counter` only when it is not 0.
//! Steam is written as a TOTP URI with `digits=5&period=30&encoder=steam`:
//! apps that know Steam (KeePassXC, andOTP-style apps, this crate) read it,
//! and the rest still import the account instead of rejecting an unknown
//! `steam` type. Issuer, name and values are percent-encoded except the
//! unreserved characters `A-Z a-z 0-9 - . _ ~`, so a colon inside either
//! part is `%3A` and the only literal colon separates them; an account
//! with no issuer whose name contains a colon gets a leading `:` so it is
//! not mistaken for one.
//!
//! For every [`Enrollment`] whose parameters are valid and whose issuer and
//! name have no surrounding whitespace, `parse(&format(e)) == e`.

use zeroize::{Zeroize, Zeroizing};

use crate::algorithm::{Algorithm, OtpKind};
use crate::enrollment::Enrollment;
use crate::params::{OtpParams, DEFAULT_PERIOD, MAX_DIGITS, MAX_PERIOD, MIN_DIGITS};
use crate::percent::{percent_decode, PlusSign};
use crate::secret::{Secret, SecretError};

/// Longest piece of the input an error message quotes back.
const MAX_QUOTED_CHARS: usize = 40;

/// Schemes worth naming when the input is not an `otpauth:` URI. Anything
/// else is not echoed, in case what was pasted is a secret with a colon.
const KNOWN_OTHER_SCHEMES: &[&str] = &[
    "otpauth-migration",
    "http",
    "https",
    "steam",
    "motp",
    "mailto",
    "file",
    "data",
];

/// Why a text is not a usable `otpauth://` URI. Messages never contain the
/// secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// The text does not start with `otpauth:`.
    #[error("not an otpauth:// URI{}", describe_scheme(*.scheme))]
    NotOtpauth {
        /// The scheme it has instead, when it is a well-known one.
        scheme: Option<&'static str>,
    },
    /// The type after `otpauth://` is not `totp`, `hotp` or `steam`.
    #[error("unknown OTP type {0:?} (expected totp, hotp or steam)")]
    UnknownType(String),
    /// There is no `secret` parameter, or it is empty.
    #[error("the URI has no secret")]
    MissingSecret,
    /// The `secret` parameter is not valid base32.
    #[error(transparent)]
    InvalidSecret(#[from] SecretError),
    /// The issuer or account name is too long or holds control characters.
    #[error(transparent)]
    InvalidLabel(#[from] crate::label::LabelError),
    /// The `digits` parameter is not a number from 6 to 10.
    #[error(
        "digits must be a whole number from {min} to {max}, not {0:?}",
        min = MIN_DIGITS,
        max = MAX_DIGITS
    )]
    DigitsOutOfRange(String),
    /// The `period` parameter is not a number of seconds from 1 to
    /// [`MAX_PERIOD`].
    #[error(
        "period must be a whole number of seconds from 1 to {max}, not {0:?}",
        max = MAX_PERIOD
    )]
    PeriodOutOfRange(String),
    /// The `algorithm` parameter is not SHA1, SHA256 or SHA512.
    #[error("unknown algorithm {0:?} (expected SHA1, SHA256 or SHA512)")]
    InvalidAlgorithm(String),
    /// The `counter` parameter is not a number from 0 to `u64::MAX`.
    #[error("counter must be a whole number from 0 to {max}, not {0:?}", max = u64::MAX)]
    InvalidCounter(String),
    /// An HOTP URI without the `counter` parameter it requires.
    #[error("hotp URIs must have a counter parameter")]
    HotpWithoutCounter,
    /// A `%` not followed by two hex digits, or escapes that decode to bytes
    /// that are not UTF-8 text.
    #[error("malformed percent-encoding in the {what}")]
    BadPercentEncoding {
        /// Which part: `label`, `secret parameter`, `issuer parameter`, ….
        what: &'static str,
    },
}

/// The tail of [`UriError::NotOtpauth`]'s message.
fn describe_scheme(scheme: Option<&'static str>) -> String {
    match scheme {
        Some(scheme) => format!(" (it starts with \"{scheme}:\")"),
        None => String::new(),
    }
}

/// Reads an `otpauth://` URI; see the module documentation for the rules.
///
/// The secret is read strictly ([`Secret::from_base32`]): this is the
/// reader for URIs a person gives Tessera (`tessera add`, the app's "add by
/// URI", a scanned QR code), where a secret of impossible length is a typo
/// worth reporting.
pub fn parse(uri: &str) -> Result<Enrollment, UriError> {
    parse_with(uri, Reading::Strict)
}

/// Reads an `otpauth://` URI like [`parse`], but the way other
/// authenticators read what they export, in two places:
/// - the secret with [`Secret::from_base32_lenient`]: the leftover bits of
///   an impossible length are dropped;
/// - an HOTP URI without `counter` starts at counter 0 (Ente Auth writes
///   its HOTP accounts so).
///
/// For importers of other apps' exports (URI lists, formats that embed
/// URIs): those apps accepted such accounts and show codes for them, so the
/// account must come across rather than be refused. Everything else
/// (labels, parameters, errors) is exactly as [`parse`].
pub fn parse_lenient(uri: &str) -> Result<Enrollment, UriError> {
    parse_with(uri, Reading::Lenient)
}

/// Whether [`parse`] or [`parse_lenient`] is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Strict,
    Lenient,
}

/// [`parse`] and [`parse_lenient`].
fn parse_with(uri: &str, reading: Reading) -> Result<Enrollment, UriError> {
    let rest = strip_scheme(uri.trim())?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (type_text, raw_label) = path.split_once('/').unwrap_or((path, ""));
    let mut kind: OtpKind = type_text
        .parse()
        .map_err(|_| UriError::UnknownType(quoted(type_text)))?;
    let query = Query::parse(query);

    if kind == OtpKind::Totp {
        if let Some(encoder) = query.text("encoder", "encoder parameter")? {
            if encoder.eq_ignore_ascii_case("steam") {
                kind = OtpKind::Steam;
            }
        }
    }

    let secret = match query.raw("secret") {
        None => return Err(UriError::MissingSecret),
        Some(raw) => {
            let text = decode_text(raw, PlusSign::Space, "secret parameter")?;
            let decoded = match reading {
                Reading::Strict => Secret::from_base32(&text),
                Reading::Lenient => Secret::from_base32_lenient(&text),
            };
            match decoded {
                Err(SecretError::Empty) => return Err(UriError::MissingSecret),
                other => other?,
            }
        }
    };

    let mut params = match kind {
        OtpKind::Totp => OtpParams::totp(),
        OtpKind::Hotp => OtpParams::hotp(0),
        OtpKind::Steam => OtpParams::steam(),
    };
    if kind != OtpKind::Steam {
        if let Some(text) = query.text("algorithm", "algorithm parameter")? {
            params.algorithm = text
                .parse::<Algorithm>()
                .map_err(|_| UriError::InvalidAlgorithm(quoted(&text)))?;
        }
        if let Some(text) = query.text("digits", "digits parameter")? {
            params.digits = text
                .parse::<u8>()
                .ok()
                .filter(|digits| (MIN_DIGITS..=MAX_DIGITS).contains(digits))
                .ok_or_else(|| UriError::DigitsOutOfRange(quoted(&text)))?;
        }
        if let Some(text) = query.text("period", "period parameter")? {
            params.period = text
                .parse::<u64>()
                .ok()
                .filter(|period| (1..=MAX_PERIOD).contains(period))
                .ok_or_else(|| UriError::PeriodOutOfRange(quoted(&text)))?;
        }
    }
    match query.text("counter", "counter parameter")? {
        Some(text) => {
            params.counter = text
                .parse::<u64>()
                .map_err(|_| UriError::InvalidCounter(quoted(&text)))?;
        }
        None if kind == OtpKind::Hotp && reading == Reading::Strict => {
            return Err(UriError::HotpWithoutCounter)
        }
        None => {}
    }
    debug_assert!(params.validate().is_ok(), "parse checks every bound");

    let label = decode_text(raw_label, PlusSign::Literal, "label")?;
    let issuer_param = query.text("issuer", "issuer parameter")?;
    let (issuer, name) = split_label(&label, issuer_param.as_deref());
    let (issuer, name) = (issuer.trim(), name.trim());
    crate::label::check_label(issuer, "issuer")?;
    crate::label::check_label(name, "account name")?;
    Ok(Enrollment {
        issuer: issuer.to_owned(),
        name: name.to_owned(),
        secret,
        params,
    })
}

/// Writes an `otpauth://` URI; see the module documentation for the form.
pub fn format(enrollment: &Enrollment) -> Zeroizing<String> {
    let Enrollment {
        issuer,
        name,
        secret,
        params,
    } = enrollment;
    let secret = secret.to_base32();
    // Room for everything up front, so that growing the string never leaves
    // a copy of the secret behind: each encoded byte takes at most 3 chars,
    // and the fixed parts and numbers fit in 200.
    let capacity = 200 + secret.len() + 3 * (2 * issuer.len() + name.len());
    let mut uri = Zeroizing::new(String::with_capacity(capacity));

    uri.push_str("otpauth://");
    uri.push_str(match params.kind {
        OtpKind::Hotp => "hotp",
        OtpKind::Totp | OtpKind::Steam => "totp",
    });
    uri.push('/');
    if !issuer.is_empty() {
        percent_encode_into(&mut uri, issuer);
        uri.push(':');
    } else if name.contains(':') {
        // An empty issuer before the colon, so the name's own (encoded)
        // colon is not read as the separator.
        uri.push(':');
    }
    percent_encode_into(&mut uri, name);

    uri.push_str("?secret=");
    uri.push_str(&secret);
    if !issuer.is_empty() {
        uri.push_str("&issuer=");
        percent_encode_into(&mut uri, issuer);
    }
    uri.push_str("&algorithm=");
    uri.push_str(params.algorithm.as_uri_str());
    push_number(&mut uri, "digits", u64::from(params.digits));
    match params.kind {
        OtpKind::Hotp => {
            push_number(&mut uri, "counter", params.counter);
            if params.period != DEFAULT_PERIOD {
                push_number(&mut uri, "period", params.period);
            }
        }
        OtpKind::Totp | OtpKind::Steam => {
            push_number(&mut uri, "period", params.period);
            if params.counter != 0 {
                push_number(&mut uri, "counter", params.counter);
            }
        }
    }
    if params.kind == OtpKind::Steam {
        uri.push_str("&encoder=steam");
    }
    uri
}

/// Appends `&key=value`.
fn push_number(uri: &mut String, key: &str, value: u64) {
    uri.push('&');
    uri.push_str(key);
    uri.push('=');
    uri.push_str(&value.to_string());
}

/// The part after `otpauth:` (and its `//`, when present).
fn strip_scheme(uri: &str) -> Result<&str, UriError> {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(UriError::NotOtpauth { scheme: None });
    };
    if scheme.eq_ignore_ascii_case("otpauth") {
        return Ok(rest.strip_prefix("//").unwrap_or(rest));
    }
    let scheme = KNOWN_OTHER_SCHEMES
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(scheme));
    Err(UriError::NotOtpauth { scheme })
}

/// Issuer and account name from the decoded label and the `issuer`
/// parameter, untrimmed.
fn split_label<'a>(label: &'a str, issuer_param: Option<&'a str>) -> (&'a str, &'a str) {
    match issuer_param {
        Some(issuer) => {
            let name = label
                .strip_prefix(issuer)
                .and_then(|rest| rest.strip_prefix(':'))
                .or_else(|| label.split_once(':').map(|(_, name)| name))
                .unwrap_or(label);
            (issuer, name)
        }
        None => label.split_once(':').unwrap_or(("", label)),
    }
}

/// The query's parameters in order, names decoded and lowercased, values
/// still encoded (only the ones used get decoded).
struct Query<'a> {
    pairs: Vec<(String, &'a str)>,
}

impl<'a> Query<'a> {
    fn parse(query: &'a str) -> Query<'a> {
        let pairs = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter_map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                // A name that does not decode cannot be one we know.
                let name = decode_text(name, PlusSign::Space, "parameter name").ok()?;
                Some((name.trim().to_ascii_lowercase(), value))
            })
            .collect();
        Query { pairs }
    }

    /// The first raw value for `name`.
    fn raw(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| *value)
    }

    /// The first value for `name`, decoded and trimmed; `None` when absent
    /// or empty. Only for values that are not secret.
    fn text(&self, name: &str, what: &'static str) -> Result<Option<String>, UriError> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        let decoded = decode_text(raw, PlusSign::Space, what)?;
        let trimmed = decoded.trim();
        Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
    }
}

/// Percent-decodes `raw` (see [`percent_decode`] for `plus`) into UTF-8
/// text in a zeroizing string, since it may be the secret.
fn decode_text(
    raw: &str,
    plus: PlusSign,
    what: &'static str,
) -> Result<Zeroizing<String>, UriError> {
    let bad = || UriError::BadPercentEncoding { what };
    let mut bytes = percent_decode(raw, plus).map_err(|_| bad())?;
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(err) => {
            err.into_bytes().zeroize();
            Err(bad())
        }
    }
}

/// Appends `text` percent-encoded, keeping only RFC 3986 unreserved
/// characters literal.
fn percent_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// A piece of the input for an error message, cut short if it is long.
fn quoted(text: &str) -> String {
    let mut chars = text.chars();
    let mut shown: String = chars.by_ref().take(MAX_QUOTED_CHARS).collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{hotp, steam, totp};

    const JBSW: &str = "JBSWY3DPEHPK3PXP";
    const RFC_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn secret(base32: &str) -> Secret {
        Secret::from_base32(base32).unwrap()
    }

    /// Parses, expecting failure, and checks the message is one clear line
    /// that does not contain the secret.
    fn parse_err(uri: &str, secret_text: &str) -> UriError {
        let err = parse(uri).expect_err(uri);
        let message = err.to_string();
        let debug = format!("{err:?}");
        assert!(!message.is_empty() && !message.contains('\n'), "{message}");
        assert!(
            message.starts_with(|c: char| !c.is_uppercase()),
            "starts lowercase: {message}"
        );
        if !secret_text.is_empty() {
            assert!(!message.contains(secret_text), "{message}");
            assert!(!debug.contains(secret_text), "{debug}");
        }
        err
    }

    #[test]
    fn github() {
        let e = parse("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub").unwrap();
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("GitHub", "alice"));
        assert_eq!(e.secret, secret(JBSW));
        assert_eq!(e.params, OtpParams::totp());
    }

    #[test]
    fn google_with_encoded_colon_and_at_sign() {
        let e = parse(
            "otpauth://totp/Google%3Aalice%40gmail.com?secret=4p6cw2hvmh7ugkwsaiflwzyrrlizhyvc&issuer=Google",
        )
        .unwrap();
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("Google", "alice@gmail.com")
        );
        assert_eq!(e.secret.len_bits(), 160);
    }

    #[test]
    fn aws_with_spaces_in_issuer() {
        let e = parse(
            "otpauth://totp/Amazon%20Web%20Services:alice@example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services",
        )
        .unwrap();
        assert_eq!(e.issuer, "Amazon Web Services");
        assert_eq!(e.name, "alice@example");
        assert_eq!(e.secret.len_bits(), 320);
    }

    #[test]
    fn microsoft_and_dropbox() {
        let e = parse(
            "otpauth://totp/Microsoft:alice%40outlook.com?secret=gezdgnbvgy3tqojq&issuer=Microsoft",
        )
        .unwrap();
        assert_eq!(
            (e.issuer.as_str(), e.name.as_str()),
            ("Microsoft", "alice@outlook.com")
        );
        // Dropbox: 26-symbol secrets (16 bytes plus 2 spare bits).
        let e = parse(
            "otpauth://totp/Dropbox:alice@example.com?secret=MFRGGZDFMZTWQ2LKNNWG23TPOA&issuer=Dropbox",
        )
        .unwrap();
        assert_eq!(e.issuer, "Dropbox");
        assert_eq!(e.secret.len(), 16);
    }

    #[test]
    fn eighty_bit_secret_and_no_issuer() {
        let e = parse("otpauth://totp/bob?secret=AAAQEAYEAUDAOCAJ").unwrap();
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("", "bob"));
        assert_eq!(e.secret.len_bits(), 80);
        // Independently computed with Python's hmac for this key at counter 1.
        assert_eq!(e.code_at(30).unwrap().as_str(), "672805");
    }

    #[test]
    fn lowercase_padded_and_spaced_secrets() {
        let e = parse("otpauth://totp/x?secret=mzxw6ytboi======").unwrap();
        assert_eq!(e.secret.as_bytes(), b"foobar");
        let e = parse("otpauth://totp/x?secret=mzxw+6ytb+oi%3D%3D%3D").unwrap();
        assert_eq!(e.secret.as_bytes(), b"foobar");
    }

    #[test]
    fn steam_via_encoder_and_via_type() {
        for uri in [
            "otpauth://totp/Steam:gamer?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam&encoder=steam",
            "otpauth://totp/Steam:gamer?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam&digits=5&encoder=Steam",
            "otpauth://steam/Steam:gamer?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30&digits=5&algorithm=SHA1&issuer=Steam",
            "otpauth://STEAM/Steam:gamer?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=6",
        ] {
            let e = parse(uri).expect(uri);
            assert_eq!(e.params, OtpParams::steam(), "{uri}");
            assert_eq!((e.issuer.as_str(), e.name.as_str()), ("Steam", "gamer"));
            assert_eq!(e.code_at(0).unwrap().as_str(), "GG5F5");
            assert_eq!(e.code_at(0).unwrap(), steam(&e.secret, 0));
        }
    }

    #[test]
    fn hotp_with_counter() {
        let e = parse(&format!(
            "otpauth://hotp/Example:alice?secret={RFC_BASE32}&issuer=Example&counter=3"
        ))
        .unwrap();
        assert_eq!(e.params, OtpParams::hotp(3));
        assert_eq!(e.code_at(0).unwrap().as_str(), "969429");
    }

    #[test]
    fn other_parameters() {
        let e = parse(&format!(
            "otpauth://totp/X?secret={RFC_BASE32}&algorithm=sha512&digits=8&period=60"
        ))
        .unwrap();
        assert_eq!(
            e.params,
            OtpParams {
                algorithm: Algorithm::Sha512,
                digits: 8,
                period: 60,
                ..OtpParams::totp()
            }
        );
        let expected = totp(&e.secret, Algorithm::Sha512, 8, 60, 1234).unwrap();
        assert_eq!(e.code_at(1234).unwrap(), expected);
        let e = parse(&format!("otpauth://totp/X?secret={RFC_BASE32}&digits=10")).unwrap();
        assert_eq!(e.code_at(0).unwrap().as_str(), "1284755224");
    }

    #[test]
    fn label_forms() {
        let parsed = |uri: &str| {
            let e = parse(uri).unwrap();
            (e.issuer, e.name)
        };
        let pair = |issuer: &str, name: &str| (issuer.to_owned(), name.to_owned());
        assert_eq!(
            parsed("otpauth://totp/ACME%20Co:%20john.doe?secret=JBSWY3DPEHPK3PXP"),
            pair("ACME Co", "john.doe")
        );
        assert_eq!(
            parsed("otpauth://totp/ACME: john?secret=JBSWY3DPEHPK3PXP"),
            pair("ACME", "john")
        );
        // The issuer parameter wins over the label's prefix.
        assert_eq!(
            parsed("otpauth://totp/Old:john?secret=JBSWY3DPEHPK3PXP&issuer=New"),
            pair("New", "john")
        );
        assert_eq!(
            parsed("otpauth://totp/john?secret=JBSWY3DPEHPK3PXP&issuer=New"),
            pair("New", "john")
        );
        // An issuer containing a colon, matched as a whole.
        assert_eq!(
            parsed("otpauth://totp/a%3Ab:c?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab"),
            pair("a:b", "c")
        );
        // `+` is literal in the label, a space in the query.
        assert_eq!(
            parsed("otpauth://totp/C+D:a+b?secret=JBSWY3DPEHPK3PXP&issuer=Amazon+Web+Services"),
            pair("Amazon Web Services", "a+b")
        );
        // Empty labels are allowed, with or without an issuer.
        assert_eq!(
            parsed("otpauth://totp/?secret=JBSWY3DPEHPK3PXP&issuer=Solo"),
            pair("Solo", "")
        );
        assert_eq!(
            parsed("otpauth://totp?secret=JBSWY3DPEHPK3PXP"),
            pair("", "")
        );
        // UTF-8 labels.
        assert_eq!(
            parsed("otpauth://totp/%E6%9D%B1%E4%BA%AC:caf%C3%A9?secret=JBSWY3DPEHPK3PXP"),
            pair("東京", "café")
        );
    }

    #[test]
    fn leniency() {
        let expected = parse("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP").unwrap();
        for uri in [
            "  otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP \n",
            "OTPAUTH://TOTP/GitHub:alice?secret=JBSWY3DPEHPK3PXP",
            "otpauth:totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/GitHub:alice?SECRET=JBSWY3DPEHPK3PXP",
            "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fx&color=&&",
            "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&secret=AAAAAAAA",
            "otpauth://totp/GitHub:alice?digits=&period=&algorithm=&secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/GitHub:alice?%zz=1&secret=JBSWY3DPEHPK3PXP",
        ] {
            assert_eq!(parse(uri).expect(uri), expected, "{uri}");
        }
        // Duplicates: the first wins for every parameter.
        let e = parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=8&digits=6").unwrap();
        assert_eq!(e.params.digits, 8);
    }

    #[test]
    fn error_not_otpauth() {
        let err = parse_err("https://example.com/?secret=JBSWY3DPEHPK3PXP", JBSW);
        assert_eq!(
            err,
            UriError::NotOtpauth {
                scheme: Some("https")
            }
        );
        assert_eq!(
            err.to_string(),
            "not an otpauth:// URI (it starts with \"https:\")"
        );
        // A bare secret, or a secret with a colon, is never echoed.
        let err = parse_err(JBSW, JBSW);
        assert_eq!(err, UriError::NotOtpauth { scheme: None });
        assert_eq!(err.to_string(), "not an otpauth:// URI");
        let err = parse_err("JBSWY3DPEHPK3PXP:alice", JBSW);
        assert_eq!(err, UriError::NotOtpauth { scheme: None });
        let err = parse_err("otpauth-migration://offline?data=abc", "");
        assert_eq!(
            err,
            UriError::NotOtpauth {
                scheme: Some("otpauth-migration")
            }
        );
    }

    #[test]
    fn error_unknown_type() {
        let err = parse_err("otpauth://motp/x?secret=JBSWY3DPEHPK3PXP", JBSW);
        assert_eq!(err, UriError::UnknownType("motp".into()));
        assert_eq!(
            err.to_string(),
            "unknown OTP type \"motp\" (expected totp, hotp or steam)"
        );
        let err = parse_err("otpauth:///x?secret=JBSWY3DPEHPK3PXP", JBSW);
        assert_eq!(err, UriError::UnknownType(String::new()));
    }

    #[test]
    fn error_missing_secret() {
        for uri in [
            "otpauth://totp/GitHub:alice?issuer=GitHub",
            "otpauth://totp/GitHub:alice",
            "otpauth://totp/GitHub:alice?secret=&issuer=GitHub",
            "otpauth://totp/GitHub:alice?secret=%20--%20",
        ] {
            assert_eq!(parse_err(uri, ""), UriError::MissingSecret, "{uri}");
        }
        assert_eq!(UriError::MissingSecret.to_string(), "the URI has no secret");
    }

    #[test]
    fn error_invalid_secret() {
        let err = parse_err(
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1",
            "JBSWY3DPEHPK3PX",
        );
        assert_eq!(
            err,
            UriError::InvalidSecret(SecretError::InvalidBase32Char {
                ch: '1',
                position: 16
            })
        );
        assert_eq!(
            err.to_string(),
            "secret is not valid base32: unexpected character '1' at position 16"
        );
        let err = parse_err("otpauth://totp/a?secret=JBSWY3DPEHPK3PXPA", JBSW);
        assert_eq!(
            err,
            UriError::InvalidSecret(SecretError::InvalidBase32Length { symbols: 17 })
        );
    }

    #[test]
    fn error_digits() {
        for value in ["5", "11", "abc", "-6", "300"] {
            let uri = format!("otpauth://totp/a?secret={JBSW}&digits={value}");
            assert_eq!(
                parse_err(&uri, JBSW),
                UriError::DigitsOutOfRange(value.into()),
                "{uri}"
            );
        }
        assert_eq!(
            UriError::DigitsOutOfRange("abc".into()).to_string(),
            "digits must be a whole number from 6 to 10, not \"abc\""
        );
    }

    #[test]
    fn error_period() {
        for value in ["0", "-30", "x", "315360001", "99999999999999999999999"] {
            let uri = format!("otpauth://totp/a?secret={JBSW}&period={value}");
            assert_eq!(
                parse_err(&uri, JBSW),
                UriError::PeriodOutOfRange(value.into()),
                "{uri}"
            );
        }
        assert_eq!(
            UriError::PeriodOutOfRange("0".into()).to_string(),
            "period must be a whole number of seconds from 1 to 315360000, not \"0\""
        );
    }

    #[test]
    fn error_algorithm() {
        let err = parse_err(
            &format!("otpauth://totp/a?secret={JBSW}&algorithm=MD5"),
            JBSW,
        );
        assert_eq!(err, UriError::InvalidAlgorithm("MD5".into()));
        assert_eq!(
            err.to_string(),
            "unknown algorithm \"MD5\" (expected SHA1, SHA256 or SHA512)"
        );
    }

    #[test]
    fn error_counter() {
        for value in ["-1", "x", "18446744073709551616"] {
            let uri = format!("otpauth://hotp/a?secret={JBSW}&counter={value}");
            assert_eq!(
                parse_err(&uri, JBSW),
                UriError::InvalidCounter(value.into()),
                "{uri}"
            );
        }
        let err = parse_err(&format!("otpauth://hotp/a?secret={JBSW}"), JBSW);
        assert_eq!(err, UriError::HotpWithoutCounter);
        assert_eq!(err.to_string(), "hotp URIs must have a counter parameter");
        let err = parse_err(&format!("otpauth://hotp/a?secret={JBSW}&counter="), JBSW);
        assert_eq!(err, UriError::HotpWithoutCounter);
        // The largest counter is fine.
        let e = parse(&format!(
            "otpauth://hotp/a?secret={JBSW}&counter=18446744073709551615"
        ))
        .unwrap();
        assert_eq!(e.params.counter, u64::MAX);
        assert_eq!(
            e.code_at(0).unwrap(),
            hotp(&e.secret, Algorithm::Sha1, 6, u64::MAX).unwrap()
        );
    }

    #[test]
    fn error_bad_percent_encoding_names_where() {
        for (uri, what) in [
            (format!("otpauth://totp/a%zz?secret={JBSW}"), "label"),
            (format!("otpauth://totp/a%4?secret={JBSW}"), "label"),
            (format!("otpauth://totp/caf%C3?secret={JBSW}"), "label"),
            (
                format!("otpauth://totp/a?secret={JBSW}&issuer=x%4"),
                "issuer parameter",
            ),
            (
                format!("otpauth://totp/a?secret={JBSW}%FF"),
                "secret parameter",
            ),
            (
                format!("otpauth://totp/a?secret={JBSW}%"),
                "secret parameter",
            ),
            (
                format!("otpauth://totp/a?secret={JBSW}&digits=%G6"),
                "digits parameter",
            ),
            (
                format!("otpauth://hotp/a?secret={JBSW}&counter=1%"),
                "counter parameter",
            ),
        ] {
            let err = parse_err(&uri, JBSW);
            assert_eq!(err, UriError::BadPercentEncoding { what }, "{uri}");
            assert_eq!(
                err.to_string(),
                format!("malformed percent-encoding in the {what}")
            );
        }
    }

    #[test]
    fn long_values_are_quoted_short() {
        let long = "9".repeat(100);
        let err = parse_err(
            &format!("otpauth://totp/a?secret={JBSW}&digits={long}"),
            JBSW,
        );
        let UriError::DigitsOutOfRange(shown) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(shown.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn format_writes_the_documented_form() {
        let mut e = Enrollment {
            issuer: "Amazon Web Services".into(),
            name: "alice@example".into(),
            secret: secret(JBSW),
            params: OtpParams::totp(),
        };
        assert_eq!(
            format(&e).as_str(),
            "otpauth://totp/Amazon%20Web%20Services:alice%40example?secret=JBSWY3DPEHPK3PXP\
             &issuer=Amazon%20Web%20Services&algorithm=SHA1&digits=6&period=30"
        );
        e.params = OtpParams::hotp(5);
        e.issuer = "a:b".into();
        assert_eq!(
            format(&e).as_str(),
            "otpauth://hotp/a%3Ab:alice%40example?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab\
             &algorithm=SHA1&digits=6&counter=5"
        );
        e.params = OtpParams::steam();
        e.issuer = "Steam".into();
        assert_eq!(
            format(&e).as_str(),
            "otpauth://totp/Steam:alice%40example?secret=JBSWY3DPEHPK3PXP&issuer=Steam\
             &algorithm=SHA1&digits=5&period=30&encoder=steam"
        );
        e.issuer = String::new();
        e.name = "x:y".into();
        assert!(format(&e).starts_with("otpauth://totp/:x%3Ay?secret="));
    }

    /// A small deterministic generator (SplitMix64) for the round-trip test.
    struct SplitMix64(u64);

    impl SplitMix64 {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len() as u64) as usize]
        }

        fn text(&mut self) -> String {
            const CHARS: &[char] = &[
                'a', 'Z', '0', '9', ' ', ':', '%', '+', '&', '=', '?', '#', '/', '@', '.', '-',
                '_', '~', '\'', '"', ',', ';', 'é', '東', '🔑',
            ];
            // (No control characters: names refuse them, see label.rs.)
            let length = self.below(12);
            let text: String = (0..length).map(|_| self.pick(CHARS)).collect();
            // Valid names have no surrounding whitespace (parse trims it).
            text.trim().to_owned()
        }

        fn enrollment(&mut self) -> Enrollment {
            let kind = self.pick(&[OtpKind::Totp, OtpKind::Hotp, OtpKind::Steam]);
            let mut params = match kind {
                OtpKind::Totp => OtpParams::totp(),
                OtpKind::Hotp => OtpParams::hotp(0),
                OtpKind::Steam => OtpParams::steam(),
            };
            if kind != OtpKind::Steam {
                params.algorithm = self.pick(&Algorithm::ALL);
                params.digits = self.pick(&[6, 7, 8, 9, 10]);
                params.period = match self.below(4) {
                    0 => 30,
                    1 => 1,
                    2 => MAX_PERIOD,
                    _ => 1 + self.below(MAX_PERIOD),
                };
            }
            params.counter = match self.below(4) {
                0 => 0,
                1 => u64::MAX,
                _ => self.next(),
            };
            let length = 1 + self.below(64) as usize;
            let bytes = (0..length).map(|_| self.next() as u8).collect();
            Enrollment {
                issuer: self.text(),
                name: self.text(),
                secret: Secret::from_bytes(bytes).unwrap(),
                params,
            }
        }
    }

    #[test]
    fn format_then_parse_gives_back_the_same_enrollment() {
        let mut rng = SplitMix64(0x7E55_E4A0);
        for _ in 0..3000 {
            let enrollment = rng.enrollment();
            enrollment.params.validate().unwrap();
            let uri = format(&enrollment);
            let parsed = parse(&uri).unwrap_or_else(|err| panic!("{uri:?}: {err}"));
            assert_eq!(parsed, enrollment, "{:?}", uri.as_str());
        }
    }

    #[test]
    fn parse_lenient_reads_impossible_secret_lengths_that_parse_refuses() {
        // Ente Auth's export of a hand-typed Steam secret (11 symbols).
        let uri = "otpauth://steam/Steam:STEAMACCOUNT?secret=STEAMSECRET&issuer=Steam";
        assert_eq!(
            parse_err(uri, "STEAMSECRET"),
            UriError::InvalidSecret(SecretError::InvalidBase32Length { symbols: 11 })
        );
        let e = parse_lenient(uri).unwrap();
        assert_eq!(e.secret.to_base32().as_str(), "STEAMSECRE");
        assert_eq!(e.params, OtpParams::steam());
        // Lower case and `%3D` padding after an impossible length.
        let e = parse_lenient("otpauth://totp/:account?secret=xbjzbxbxbcbcbb%3D&issuer").unwrap();
        assert_eq!(e.secret.to_base32().as_str(), "XBJZBXBXBCBCA");
        assert_eq!((e.issuer.as_str(), e.name.as_str()), ("", "account"));
    }

    #[test]
    fn parse_lenient_is_parse_for_everything_but_the_secret_length() {
        for uri in [
            "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
            "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=3&period=30",
        ] {
            assert_eq!(parse_lenient(uri).unwrap(), parse(uri).unwrap(), "{uri}");
        }
        // Ente Auth's HOTP lines have no counter: strict refuses, lenient
        // starts at 0.
        let uri =
            "otpauth://hotp/hotpitem:account1?issuer=hotpitem&period=30&secret=JBSWY3DPEHPK3PXP";
        assert_eq!(parse_err(uri, JBSW), UriError::HotpWithoutCounter);
        assert_eq!(parse_lenient(uri).unwrap().params, OtpParams::hotp(0));
        for uri in [
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1",
            "otpauth://totp/a?secret=A",
            "otpauth://yaotp/a?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=0",
        ] {
            assert_eq!(
                parse_lenient(uri).unwrap_err(),
                parse(uri).unwrap_err(),
                "{uri}"
            );
        }
    }
}
