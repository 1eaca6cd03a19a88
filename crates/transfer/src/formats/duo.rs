//! Duo Mobile's account list (`files/duokit/accounts.json` in the app's
//! data, which rooted phones and backups give access to).
//!
//! Format: no published specification; the shape Duo Mobile keeps, as
//! Aegis reads it
//! (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/DuoImporter.java>):
//! a JSON array of `{"version", "accountType", "name", "otpGenerator":
//! {"otpSecret" (base32), "counter"?}, "logoUri", "pkey", …}`. An account
//! with a `counter` is HOTP, one without is TOTP.
//!
//! What it cannot carry: Duo stores no issuer (the issuer stays empty and
//! `name` is the account name, as Aegis does), no algorithm, digits or
//! period (SHA1, 6 digits and 30 s are what Duo uses), no groups or notes.
//! Duo's own push accounts have no `otpGenerator` and work only in Duo
//! Mobile: each is a per-entry error.

use serde_json::Value;
use tessera_otp::OtpKind;

use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Duo Mobile account list";

/// Reads Duo Mobile's `accounts.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DuoImporter;

/// Whether a document is a list of Duo accounts: an array in which some
/// item has Duo's `otpGenerator` object.
fn is_duo(doc: &Value) -> bool {
    doc.as_array().is_some_and(|items| {
        items
            .iter()
            .any(|item| item.get("otpGenerator").is_some_and(Value::is_object))
    })
}

impl Importer for DuoImporter {
    fn id(&self) -> &'static str {
        "duo"
    }

    fn name(&self) -> &'static str {
        "Duo Mobile accounts (JSON)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if is_duo(&doc) => Confidence::Certain,
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
        if !is_duo(&doc) {
            return Err(ImportError::NotThisFormat {
                format: "a Duo Mobile account list",
                reason: "it is not a JSON array of accounts with an otpGenerator".into(),
            });
        }
        let mut report = ImportReport::default();
        for (index, item) in doc.as_array().into_iter().flatten().enumerate() {
            report.push(read_entry(item).map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }));
        }
        Ok(report)
    }
}

/// Reads one account; errors carry its name.
fn read_entry(item: &Value) -> Result<Entry, (String, String)> {
    let mut raw = RawAccount::new("", str_field(item, "name").unwrap_or_default());
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    let generator = item
        .get("otpGenerator")
        .filter(|g| g.is_object())
        .ok_or_else(|| {
            fail("a Duo push account without a code generator, usable only in Duo Mobile".into())
        })?;
    if let Some(counter) = u64_field(generator, "counter").map_err(&fail)? {
        raw.kind = OtpKind::Hotp;
        raw.counter = counter;
    }
    let secret =
        base32_secret(str_field(generator, "otpSecret").unwrap_or_default()).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    Ok(Entry::new(enrollment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tessera_otp::OtpParams;

    #[test]
    fn reads_totp_and_hotp_accounts() {
        let file = json!([
            {"version": 1.0, "accountType": "OtpAccount", "name": "Mason",
             "otpGenerator": {"otpSecret": "JBSWY3DPEHPK3PXP"}, "pkey": "p1"},
            {"version": 1.0, "accountType": "OtpAccount", "name": "James",
             "otpGenerator": {"otpSecret": "KUVJJOM753IHTNDSZVCNKL7GII", "counter": 3}},
            {"version": 1.0, "accountType": "DuoAccount", "name": "Work push", "pkey": "p3"},
            {"accountType": "OtpAccount", "name": "Bad", "otpGenerator": {"otpSecret": "JBSW!!"}}
        ])
        .to_string();
        assert_eq!(DuoImporter.detect(file.as_bytes()), Confidence::Certain);
        assert_eq!(
            crate::registry::detect(file.as_bytes()).unwrap().id(),
            "duo"
        );
        let report = DuoImporter.import(file.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 2);
        let mason = &report.entries[0].enrollment;
        assert_eq!((mason.issuer.as_str(), mason.name.as_str()), ("", "Mason"));
        assert_eq!(mason.params, OtpParams::totp());
        let james = &report.entries[1].enrollment;
        assert_eq!(james.params, OtpParams::hotp(3));
        let errors: Vec<(usize, &str)> = report
            .errors
            .iter()
            .map(|e| (e.index, e.label.as_str()))
            .collect();
        assert_eq!(errors, vec![(2, "Work push"), (3, "Bad")]);
        assert!(report.errors[0].message.contains("push"));
        assert!(!report.errors[1].to_string().contains("JBSW"));
    }

    #[test]
    fn other_json_is_not_claimed() {
        for text in [
            r#"[{"secret": "x", "type": "TOTP", "label": "y"}]"#,
            r#"[]"#,
            r#"{"otpGenerator": {}}"#,
            r#"[{"otpGenerator": "JBSWY3DPEHPK3PXP"}]"#,
        ] {
            assert_eq!(
                DuoImporter.detect(text.as_bytes()),
                Confidence::No,
                "{text}"
            );
        }
        assert!(matches!(
            DuoImporter.import(b"[]", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            DuoImporter.import(br#"[{"otpGenerator": {"otpSecret": "JB"#, None),
            Err(ImportError::Truncated { .. })
        ));
    }
}
