//! FreeOTP+'s JSON export (Settings → Export → JSON).
//!
//! Format: no published specification; it is FreeOTP+'s `Token` class
//! serialised by Gson (<https://github.com/helloworld1/FreeOTPPlus>,
//! `token-data/.../Token.kt`): `{"tokenOrder": [...], "tokens": [{algo,
//! counter, digits, issuerExt, issuerInt, label, period, secret, type,
//! imagePath}]}`, where `secret` is the key as an array of *signed* bytes
//! and `type` is TOTP or HOTP. The counter is imported as stored (as Aegis
//! does); FreeOTP's HOTP counters are one below the count a freshly
//! enrolled token starts from. FreeOTP+'s other export, a list of
//! `otpauth://` URIs, is read by [`super::uri_list`]; its internal
//! `tokens.xml` shared preferences, the same as FreeOTP 1.x's, by
//! [`super::freeotp`], which also holds the token reader both share.
//!
//! What it cannot carry: notes, favourites, tags, Steam Guard; images are
//! paths on the phone and are dropped.

use serde_json::Value;

use super::freeotp::read_token;
use crate::entry::{EntryError, ImportReport};
use crate::error::ImportError;
use crate::json;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "FreeOTP+ export";

/// Reads FreeOTP+ JSON exports.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeOtpPlusImporter;

impl Importer for FreeOtpPlusImporter {
    fn id(&self) -> &'static str {
        "freeotp-plus"
    }

    fn name(&self) -> &'static str {
        "FreeOTP+ export (JSON)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if doc.get("tokens").is_some_and(Value::is_array) => {
                if doc.get("tokenOrder").is_some() {
                    Confidence::Certain
                } else {
                    Confidence::Likely
                }
            }
            _ => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let doc = json::parse(FORMAT, bytes)?;
        let tokens =
            doc.get("tokens")
                .and_then(Value::as_array)
                .ok_or(ImportError::NotThisFormat {
                    format: "a FreeOTP+ export",
                    reason: "it has no tokens list".into(),
                })?;
        let mut report = ImportReport::default();
        for (index, token) in tokens.iter().enumerate() {
            report.push(read_token(token).map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::OtpParams;

    #[test]
    fn reads_tokens_with_signed_byte_secrets() {
        let file = r#"{"tokenOrder": ["Issuu:James", "Deno:Mason"], "tokens": [
            {"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Issuu", "issuerInt": "Issuu",
             "label": "James", "period": 30, "type": "HOTP",
             "secret": [-61,-100,-60,94,-46,-23,-101,-24,-52,47,-95,75,101,78,-35,103]},
            {"algo": "SHA256", "digits": 7, "issuerExt": "", "issuerInt": "Deno", "label": "Mason",
             "period": 20, "type": "TOTP", "secret": [1, 2, 255]},
            {"algo": "SHA1", "digits": 6, "label": "broken", "type": "TOTP", "secret": [1, 900]},
            {"algo": "SHA1", "digits": 6, "label": "empty", "type": "TOTP", "secret": []}
        ]}"#;
        assert_eq!(
            FreeOtpPlusImporter.detect(file.as_bytes()),
            Confidence::Certain
        );
        let report = FreeOtpPlusImporter.import(file.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 2);
        let first = &report.entries[0].enrollment;
        assert_eq!(
            first.secret.to_base32().as_str(),
            "YOOMIXWS5GN6RTBPUFFWKTW5M4"
        );
        assert_eq!(first.params, OtpParams::hotp(0));
        let second = &report.entries[1].enrollment;
        assert_eq!(second.issuer, "Deno");
        assert_eq!(second.secret.as_bytes(), &[1, 2, 255]);
        assert_eq!((second.params.digits, second.params.period), (7, 20));
        let failed: Vec<_> = report.errors.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(failed, vec!["broken", "empty"]);
    }

    #[test]
    fn other_content() {
        assert_eq!(
            FreeOtpPlusImporter.detect(b"{\"items\": []}"),
            Confidence::No
        );
        assert!(matches!(
            FreeOtpPlusImporter.import(b"{\"items\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            FreeOtpPlusImporter.import(b"{\"tokens\": [", None),
            Err(ImportError::Truncated { .. })
        ));
    }
}
