//! FreeOTP 1.x's token store, `tokens.xml`, and FreeOTP+'s copy of it
//! (`freeotp_plus_internal.xml` in test corpora): the phone's shared
//! preferences, read from a rooted phone or an `adb backup`. Also the
//! reader of FreeOTP's token JSON that FreeOTP+'s export and FreeOTP 2's
//! backup share.
//!
//! Format: no published specification; FreeOTP's `TokenPersistence` and
//! `Token` classes (<https://github.com/freeotp/freeotp-android>, tag
//! v1.5) keep one `<string>` per token, named `issuer:label`, whose text is
//! the token serialised by Gson: `{algo, counter, digits, issuerExt,
//! issuerInt, label, period, secret, type, imagePath}` with `secret` an
//! array of *signed* bytes; and a `tokenOrder` string, a JSON array of
//! those names. FreeOTP+ (<https://github.com/helloworld1/FreeOTPPlus>)
//! forked the app and kept both the class and the file unchanged, so
//! nothing in the file tells the two apart and this one importer reads
//! both.
//!
//! The counter is imported as the file has it: FreeOTP stores the counter
//! of the last code it showed, one below the next, and Tessera keeps the
//! file's value (as Aegis does) rather than guessing whether a code was
//! used. Tokens are read in `tokenOrder` order, then any the order leaves
//! out.
//!
//! What it cannot carry: notes, favourites, tags, Steam Guard; images are
//! paths on the phone and are dropped. Secrets are raw bytes, so there is
//! no encoding to be lenient about; an empty secret is an entry error.

use serde_json::Value;
use tessera_otp::{Algorithm, OtpKind, Secret};
use zeroize::Zeroizing;

use super::android_prefs::{self, PrefValue};
use crate::entry::{Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "FreeOTP tokens.xml";

/// The preference listing the tokens' names in the app's order.
const ORDER_KEY: &str = "tokenOrder";

/// Reads FreeOTP 1.x's and FreeOTP+'s `tokens.xml`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeOtpImporter;

impl Importer for FreeOtpImporter {
    fn id(&self) -> &'static str {
        "freeotp"
    }

    fn name(&self) -> &'static str {
        "FreeOTP / FreeOTP+ tokens.xml (Android shared preferences)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        let Some(prefs) = android_prefs::sniff(bytes) else {
            return Confidence::No;
        };
        let ordered = prefs
            .string(ORDER_KEY)
            .is_some_and(|order| order.trim_start().starts_with('['));
        if ordered {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let prefs = android_prefs::parse(FORMAT, bytes)?;
        let order = prefs.string(ORDER_KEY).ok_or(ImportError::NotThisFormat {
            format: "a FreeOTP tokens.xml",
            reason: "it has no tokenOrder".into(),
        })?;
        let order = json::parse(FORMAT, order.as_bytes())?;
        let order: Vec<&str> = order
            .as_array()
            .ok_or_else(|| ImportError::Corrupt {
                format: FORMAT,
                reason: "tokenOrder is not a list".into(),
            })?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let tokens: Vec<(&str, &str)> = prefs
            .entries()
            .iter()
            .filter(|(name, _)| name != ORDER_KEY)
            .filter_map(|(name, value)| match value {
                PrefValue::Text(text) => Some((name.as_str(), text.as_str())),
                _ => None,
            })
            .collect();
        let mut sorted: Vec<&(&str, &str)> = order
            .iter()
            .filter_map(|name| tokens.iter().find(|(key, _)| key == name))
            .collect();
        for token in &tokens {
            if !order.contains(&token.0) {
                sorted.push(token);
            }
        }
        let mut report = ImportReport::default();
        for (index, (name, text)) in sorted.into_iter().enumerate() {
            let result = match json::parse(FORMAT, text.as_bytes()) {
                Ok(token) => read_token(&token),
                Err(_) => Err((
                    (*name).to_owned(),
                    "the token is not readable JSON".to_owned(),
                )),
            };
            report.push(result.map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }));
        }
        Ok(report)
    }
}

/// A token's account without its secret: the fields FreeOTP 1.x, FreeOTP+
/// and FreeOTP 2's `-token` metadata share. Missing fields take the
/// defaults (TOTP, SHA1, 6 digits, 30 s, counter 0), as in FreeOTP's
/// `Token` class. Errors carry the label and the message.
pub(crate) fn token_account(token: &Value) -> Result<RawAccount, (String, String)> {
    let issuer = str_field(token, "issuerExt")
        .filter(|i| !i.is_empty())
        .or_else(|| str_field(token, "issuerInt"))
        .unwrap_or_default();
    let mut raw = RawAccount::new(issuer, str_field(token, "label").unwrap_or_default());
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    raw.kind = match str_field(token, "type")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("TOTP") => OtpKind::Totp,
        Some("HOTP") => OtpKind::Hotp,
        Some(_) => return Err(fail("unknown token type".into())),
    };
    if let Some(algorithm) = str_field(token, "algo") {
        raw.algorithm = algorithm
            .parse::<Algorithm>()
            .map_err(|error| fail(error.to_string()))?;
    }
    if let Some(digits) = u8_field(token, "digits").map_err(&fail)? {
        raw.digits = digits;
    }
    if let Some(period) = u64_field(token, "period").map_err(&fail)? {
        raw.period = period;
    }
    if let Some(counter) = u64_field(token, "counter").map_err(&fail)? {
        raw.counter = counter;
    }
    Ok(raw)
}

/// A secret written as a JSON array of signed (or unsigned) bytes, as
/// Java's `byte[]` comes out of Gson.
pub(crate) fn signed_bytes(value: &Value) -> Option<Zeroizing<Vec<u8>>> {
    let items = value.as_array()?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(items.len()));
    for item in items {
        let byte = item.as_i64().filter(|b| (-128..=255).contains(b))?;
        bytes.push(byte as u8);
    }
    Some(bytes)
}

/// Reads one FreeOTP token with its secret; errors carry its label.
pub(crate) fn read_token(token: &Value) -> Result<Entry, (String, String)> {
    let raw = token_account(token)?;
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    let bytes = token
        .get("secret")
        .ok_or_else(|| fail("the token has no secret".into()))?;
    let bytes =
        signed_bytes(bytes).ok_or_else(|| fail("the secret is not a list of bytes".into()))?;
    let secret = Secret::from_bytes(bytes.to_vec()).map_err(|error| fail(error.to_string()))?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    Ok(Entry::new(enrollment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::android_prefs::write_prefs;
    use tessera_otp::OtpParams;

    /// A token as FreeOTP's Gson writes it, secret as signed bytes.
    fn token(issuer: &str, label: &str, kind: &str, secret: &[u8], counter: u64) -> String {
        let signed: Vec<i8> = secret.iter().map(|&b| b as i8).collect();
        serde_json::json!({
            "algo": "SHA1", "counter": counter, "digits": 6, "issuerExt": issuer,
            "issuerInt": issuer, "label": label, "period": 30, "secret": signed, "type": kind,
        })
        .to_string()
    }

    #[test]
    fn reads_tokens_in_the_apps_order_with_the_files_counter() {
        let first = token(
            "Issuu",
            "James",
            "HOTP",
            &[0xc3, 0x9c, 0xc4, 0x5e, 0xd2],
            10299,
        );
        let second = token("Deno", "Mason", "TOTP", &[1, 2, 255], 0);
        let broken = r#"{"type":"TOTP","label":"broken","secret":[1,900]}"#;
        let xml = write_prefs(&[
            ("Deno:Mason", &second),
            ("broken", broken),
            ("Issuu:James", &first),
            ("garbage", "{not json"),
            (ORDER_KEY, r#"["Issuu:James","Deno:Mason","gone"]"#),
        ]);
        assert_eq!(FreeOtpImporter.detect(xml.as_bytes()), Confidence::Certain);
        let report = FreeOtpImporter.import(xml.as_bytes(), None).unwrap();
        let labels: Vec<String> = report.entries.iter().map(Entry::label).collect();
        assert_eq!(labels, ["Issuu: James", "Deno: Mason"]);
        let hotp = &report.entries[0].enrollment;
        assert_eq!(hotp.params, OtpParams::hotp(10299));
        assert_eq!(hotp.secret.as_bytes(), &[0xc3, 0x9c, 0xc4, 0x5e, 0xd2]);
        assert_eq!(report.entries[1].enrollment.secret.as_bytes(), &[1, 2, 255]);
        let failed: Vec<&str> = report.errors.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(failed, ["broken", "garbage"]);
        assert!(report
            .errors
            .iter()
            .all(|e| !e.message.contains("not json")));
    }

    #[test]
    fn missing_fields_take_freeotps_defaults() {
        let token: Value =
            serde_json::from_str(r#"{"label":"NoIssuer","secret":[5,6,7]}"#).unwrap();
        let entry = read_token(&token).unwrap();
        assert_eq!(entry.enrollment.issuer, "");
        assert_eq!(entry.enrollment.params, OtpParams::totp());
        let token: Value =
            serde_json::from_str(r#"{"label":"x","type":"STEAM","secret":[5]}"#).unwrap();
        assert_eq!(read_token(&token).unwrap_err().1, "unknown token type");
    }

    #[test]
    fn other_preferences_are_not_claimed() {
        let other = write_prefs(&[("com.authy.storage.tokens.authenticator.key", "[]")]);
        assert_eq!(FreeOtpImporter.detect(other.as_bytes()), Confidence::No);
        assert!(matches!(
            FreeOtpImporter.import(other.as_bytes(), None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert_eq!(
            FreeOtpImporter.detect(b"{\"tokenOrder\": []}"),
            Confidence::No
        );
        let xml = write_prefs(&[(ORDER_KEY, "[\"a\"")]);
        assert!(matches!(
            FreeOtpImporter.import(xml.as_bytes(), None),
            Err(ImportError::Truncated { .. })
        ));
    }
}
