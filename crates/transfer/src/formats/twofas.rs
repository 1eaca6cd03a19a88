//! 2FAS Authenticator's `.2fas` backups (and its older `.json` ones),
//! plain and password-encrypted, schema versions 1 to 4.
//!
//! Format: no published specification; the structure is that of 2FAS's
//! own backup code (<https://github.com/twofas/2fas-android>, `backup`
//! module) and of its readers, e.g.
//! <https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/TwoFASImporter.java>.
//! `{"services": [...], "groups": [{id, name}], "schemaVersion", …}`; each
//! service has `name`, `secret` (base32), `groupId` and `otp` with
//! `account`, `issuer`, `label`, `digits`, `period`, `algorithm`,
//! `counter` and (from schema 3) `tokenType` (TOTP, HOTP, STEAM). Missing
//! fields mean TOTP, SHA1, 6 digits, 30 s (schema 1 has only the secret).
//! Encrypted backups leave `services` empty and put them in
//! `servicesEncrypted` = `base64(ciphertext ‖ tag):base64(salt):base64(iv)`
//! (AES-256-GCM; key = PBKDF2-HMAC-SHA256 of the password, 10 000
//! iterations, fixed by the app); `reference` is a known text encrypted the
//! same way, which tells a wrong password from a damaged file.
//!
//! Newer files (schema 4, Android 5.5.0) and 2FAS's own leniency, read as
//! the app shows them: the issuer is the service's `name` (what 2FAS
//! displays, which the user may have changed), `otp.issuer` only when the
//! name is empty; the account name is `otp.account` when present (even
//! empty), else the part of `otp.label` after its colon. A service added from a link
//! keeps the original URI in `otp.link`, whose label may hold an account
//! name that 2FAS itself does not show; it is not read, so the account comes
//! across as 2FAS displays it. Missing `algorithm`, `digits` or `period`
//! (or `"algorithm": null`, schema 3) mean SHA1, 6, 30 s; HOTP services
//! carry a `period` too, which is kept. 2FAS accepts SHA384, which neither
//! Tessera nor RFC 6238 has: such a service is an entry error. Secrets are
//! read leniently ([`tessera_otp::Secret::from_base32_lenient`]): 2FAS
//! accepts lower-case secrets of impossible length.
//!
//! What it cannot carry: notes and favourites (2FAS has neither); icons,
//! badges and ordering are dropped. Group names become tags.

use std::collections::HashMap;

use serde_json::Value;
use tessera_otp::OtpKind;
use zeroize::Zeroizing;

use crate::crypto::{base64_decode, gcm_open, pbkdf2_key, Key32, Pbkdf2Hash};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "2FAS backup";
/// 2FAS's fixed PBKDF2 iteration count.
const ITERATIONS: u32 = 10_000;

/// Reads 2FAS backups, plain and encrypted.
#[derive(Debug, Clone, Copy, Default)]
pub struct TwoFasImporter;

impl Importer for TwoFasImporter {
    fn id(&self) -> &'static str {
        "2fas"
    }

    fn name(&self) -> &'static str {
        "2FAS backup (.2fas, plain or encrypted)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc)
                if doc.get("services").is_some_and(Value::is_array)
                    && (doc.get("schemaVersion").is_some()
                        || doc.get("servicesEncrypted").is_some()) =>
            {
                Confidence::Certain
            }
            _ => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let doc = json::parse(FORMAT, bytes)?;
        if doc.get("services").is_none_or(|s| !s.is_array()) {
            return Err(ImportError::NotThisFormat {
                format: "a 2FAS backup",
                reason: "it has no services list".into(),
            });
        }
        let groups: HashMap<&str, &str> = doc
            .get("groups")
            .and_then(Value::as_array)
            .map(|groups| {
                groups
                    .iter()
                    .filter_map(|g| Some((str_field(g, "id")?, str_field(g, "name")?)))
                    .collect()
            })
            .unwrap_or_default();
        match str_field(&doc, "servicesEncrypted").filter(|s| !s.is_empty()) {
            None => Ok(read_services(&doc["services"], &groups)),
            Some(encrypted) => {
                let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
                let mut keys = KeyCache::default();
                if let Some(reference) = str_field(&doc, "reference") {
                    if open(reference, password, &mut keys)?.is_none() {
                        return Err(ImportError::WrongPassword { format: FORMAT });
                    }
                }
                let plaintext = open(encrypted, password, &mut keys)?.ok_or(
                    if doc.get("reference").is_some() {
                        ImportError::Corrupt {
                            format: FORMAT,
                            reason: "the encrypted services fail authentication".into(),
                        }
                    } else {
                        ImportError::WrongPasswordOrDamaged { format: FORMAT }
                    },
                )?;
                let services = json::parse(FORMAT, &plaintext)?;
                Ok(read_services(&services, &groups))
            }
        }
    }
}

/// Keys already derived, by salt: the reference and the services usually
/// share one, and each derivation is 10 000 iterations.
#[derive(Default)]
struct KeyCache(Vec<(Vec<u8>, Key32)>);

/// Decrypts one `ciphertext:salt:iv` field; `Ok(None)` when the tag does
/// not match.
fn open(
    field: &str,
    password: &Password,
    keys: &mut KeyCache,
) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    let corrupt = |reason: &str| ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    };
    let mut parts = field.split(':');
    let (Some(sealed), Some(salt), Some(iv), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt("an encrypted field is not ciphertext:salt:iv"));
    };
    let sealed =
        base64_decode(sealed).ok_or_else(|| corrupt("an encrypted field is not base64"))?;
    let salt = base64_decode(salt).ok_or_else(|| corrupt("a salt is not base64"))?;
    let iv = base64_decode(iv).ok_or_else(|| corrupt("an IV is not base64"))?;
    let position = match keys.0.iter().position(|(s, _)| s[..] == salt[..]) {
        Some(position) => position,
        None => {
            let key = pbkdf2_key(Pbkdf2Hash::Sha256, password.as_bytes(), &salt, ITERATIONS);
            keys.0.push((salt.to_vec(), key));
            keys.0.len() - 1
        }
    };
    Ok(gcm_open(&keys.0[position].1, &iv, &sealed).ok())
}

/// Reads the services array.
fn read_services(services: &Value, groups: &HashMap<&str, &str>) -> ImportReport {
    let mut report = ImportReport::default();
    let Some(services) = services.as_array() else {
        return report;
    };
    for (index, service) in services.iter().enumerate() {
        report.push(
            read_service(service, groups).map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }),
        );
    }
    report
}

/// Reads one service; errors carry its label.
fn read_service(service: &Value, groups: &HashMap<&str, &str>) -> Result<Entry, (String, String)> {
    let otp = service.get("otp").cloned().unwrap_or(Value::Null);
    // The service's name is what 2FAS shows (and what the user may have
    // renamed it to); `otp.issuer` is what the QR code said, used only when
    // the service has no name.
    let issuer = str_field(service, "name")
        .filter(|name| !name.trim().is_empty())
        .or_else(|| str_field(&otp, "issuer"))
        .unwrap_or_default();
    // An `account` that is there but empty is an account without a name
    // (2FAS shows none), not a reason to fall back to the label.
    let name = match str_field(&otp, "account") {
        Some(account) => account.to_owned(),
        None => {
            let label = str_field(&otp, "label").unwrap_or_default();
            match label.split_once(':') {
                Some((_, name)) => name.to_owned(),
                None => label.to_owned(),
            }
        }
    };
    let mut raw = RawAccount::new(issuer, name);
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    raw.kind = match str_field(&otp, "tokenType")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("TOTP") => OtpKind::Totp,
        Some("HOTP") => OtpKind::Hotp,
        Some("STEAM") => OtpKind::Steam,
        Some(_) => return Err(fail("unknown token type".into())),
    };
    // Missing, `null` (schema 3) or empty: SHA1.
    if let Some(algorithm) = str_field(&otp, "algorithm").filter(|a| !a.trim().is_empty()) {
        raw.algorithm = crate::entry::algorithm(algorithm).map_err(&fail)?;
    }
    if let Some(digits) = u8_field(&otp, "digits").map_err(&fail)? {
        raw.digits = digits;
    }
    if let Some(period) = u64_field(&otp, "period").map_err(&fail)? {
        raw.period = period;
    }
    if let Some(counter) = u64_field(&otp, "counter").map_err(&fail)? {
        raw.counter = counter;
    }
    let secret = base32_secret(str_field(service, "secret").unwrap_or_default()).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    let tags = str_field(service, "groupId")
        .and_then(|id| groups.get(id))
        .map(|name| vec![(*name).to_owned()])
        .unwrap_or_default();
    Ok(Entry {
        tags,
        ..Entry::new(enrollment)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{base64_encode, gcm_seal};
    use serde_json::json;
    use tessera_otp::OtpParams;

    fn services() -> Value {
        json!([
            {"name": "Deno", "secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ", "groupId": "g1",
             "otp": {"label": "Deno:Mason", "account": "Mason", "issuer": "Deno", "digits": 6,
                     "period": 30, "algorithm": "SHA1", "tokenType": "TOTP"}},
            {"name": "Issuu", "secret": "YOOMIXWS5GN6RTBPUFFWKTW5M4",
             "otp": {"label": "Issuu:James", "account": "James", "issuer": "Issuu", "digits": 6,
                     "algorithm": "SHA1", "counter": 1, "tokenType": "HOTP"}},
            {"name": "Boeing", "secret": "JRZCL47CMXVOQMNPZR2F7J4RGI",
             "otp": {"account": "Sophia", "digits": 5, "tokenType": "STEAM"}},
            {"name": "Old", "secret": "JBSWY3DPEHPK3PXP", "otp": {"label": "Old:one"}},
            {"name": "Bad", "secret": "!!", "otp": {"account": "x"}}
        ])
    }

    fn backup(services: Value) -> Value {
        json!({"services": services, "groups": [{"id": "g1", "name": "Work"}],
               "schemaVersion": 4, "appOrigin": "android"})
    }

    fn seal(plaintext: &[u8], password: &str, salt: &[u8], iv: [u8; 12]) -> String {
        let key = pbkdf2_key(Pbkdf2Hash::Sha256, password.as_bytes(), salt, ITERATIONS);
        format!(
            "{}:{}:{}",
            base64_encode(&gcm_seal(&key, &iv, plaintext)),
            base64_encode(salt),
            base64_encode(&iv)
        )
    }

    fn check(report: &ImportReport) {
        assert_eq!(report.entries.len(), 4);
        let first = &report.entries[0];
        assert_eq!(
            (
                first.enrollment.issuer.as_str(),
                first.enrollment.name.as_str()
            ),
            ("Deno", "Mason")
        );
        assert_eq!(first.tags, vec!["Work"]);
        assert_eq!(report.entries[1].enrollment.params, OtpParams::hotp(1));
        assert_eq!(report.entries[2].enrollment.params, OtpParams::steam());
        assert_eq!(report.entries[2].enrollment.issuer, "Boeing");
        let old = &report.entries[3].enrollment;
        assert_eq!((old.issuer.as_str(), old.name.as_str()), ("Old", "one"));
        assert_eq!(old.params, OtpParams::totp());
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].index, 4);
    }

    #[test]
    fn plain_backup() {
        let bytes = backup(services()).to_string();
        assert_eq!(TwoFasImporter.detect(bytes.as_bytes()), Confidence::Certain);
        check(&TwoFasImporter.import(bytes.as_bytes(), None).unwrap());
    }

    #[test]
    fn encrypted_backup() {
        let salt = [5u8; 256];
        let mut file = backup(json!([]));
        file["servicesEncrypted"] =
            seal(services().to_string().as_bytes(), "test", &salt, [1; 12]).into();
        file["reference"] = seal(b"reference text", "test", &salt, [2; 12]).into();
        let bytes = file.to_string();
        assert_eq!(TwoFasImporter.detect(bytes.as_bytes()), Confidence::Certain);
        let password = Password::from("test");
        check(
            &TwoFasImporter
                .import(bytes.as_bytes(), Some(&password))
                .unwrap(),
        );
        assert_eq!(
            TwoFasImporter.import(bytes.as_bytes(), None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        assert_eq!(
            TwoFasImporter.import(bytes.as_bytes(), Some(&Password::from("nope"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        // Right password, damaged services.
        let mut damaged = file.clone();
        damaged["servicesEncrypted"] = seal(b"[]", "other", &salt, [1; 12]).into();
        assert!(matches!(
            TwoFasImporter.import(damaged.to_string().as_bytes(), Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        // Without a reference a failure could be either.
        let mut no_reference = file.clone();
        no_reference.as_object_mut().unwrap().remove("reference");
        assert_eq!(
            TwoFasImporter.import(
                no_reference.to_string().as_bytes(),
                Some(&Password::from("x"))
            ),
            Err(ImportError::WrongPasswordOrDamaged { format: FORMAT })
        );
        let mut malformed = file;
        malformed["servicesEncrypted"] = "not:three".into();
        assert!(matches!(
            TwoFasImporter.import(malformed.to_string().as_bytes(), Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
    }

    /// Schema 4 as 2FAS 5.5.0 and 5.4.9 write it: no algorithm, digits or
    /// period; an empty `otp.account` with the name only in `otp.link`; an
    /// `otp.issuer` that differs from the service's name; HOTP with a
    /// period; lower-case secrets of impossible length; SHA384.
    #[test]
    fn regression_schema_4_services_from_newer_2fas_versions() {
        let services = json!([
            {"name": "Binance", "secret": "NFRVOZJ6FFZQXX6G",
             "otp": {"link": "otpauth://totp/Binance.com:a@b.c?issuer=Binance.com",
                     "label": "a@b.c", "account": "a@b.c", "issuer": "Binance.com",
                     "tokenType": "TOTP", "source": "Link"}},
            {"name": "GitHub", "secret": "KOCK222AHLNV4TW6",
             "otp": {"link": "otpauth://totp/GitHub:Test-acc?issuer=GitHub",
                     "label": "", "account": "", "issuer": "GitHub", "tokenType": "TOTP"}},
            {"name": "Service name hotp", "secret": "hdjdbdkxbshdj",
             "otp": {"label": "", "account": "", "digits": 6, "period": 30,
                     "algorithm": "SHA1", "counter": 1, "tokenType": "HOTP"}},
            {"name": "Manual", "secret": "hssjdhhxhxh",
             "otp": {"digits": 6, "period": 30, "algorithm": null, "tokenType": "TOTP"}},
            {"name": "Itemname", "secret": "ndjxhdhdhshdhhdh",
             "otp": {"account": "Optional info", "digits": 8, "period": 30,
                     "algorithm": "SHA384", "tokenType": "TOTP"}}
        ]);
        let bytes = backup(services).to_string();
        let report = TwoFasImporter.import(bytes.as_bytes(), None).unwrap();
        let got: Vec<(String, String, OtpParams)> = report
            .entries
            .iter()
            .map(|e| {
                let en = &e.enrollment;
                (
                    e.label(),
                    en.secret.to_base32().to_string(),
                    en.params.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Binance: a@b.c".into(),
                    "NFRVOZJ6FFZQXX6G".into(),
                    OtpParams::totp()
                ),
                (
                    "GitHub".into(),
                    "KOCK222AHLNV4TW6".into(),
                    OtpParams::totp()
                ),
                (
                    "Service name hotp".into(),
                    "HDJDBDKXBSHDI".into(),
                    OtpParams::hotp(1)
                ),
                ("Manual".into(), "HSSJDHHXHU".into(), OtpParams::totp()),
            ]
        );
        assert_eq!(report.errors.len(), 1);
        let error = report.errors[0].to_string();
        assert!(
            error.starts_with("entry 5 (Itemname: Optional info): SHA-384 codes are not supported"),
            "{error}"
        );
        assert!(!error.to_lowercase().contains("ndjxhdhd"), "{error}");
    }

    /// Stratum's schema 3 file: an empty `account` beside a `label` that
    /// is only the service's name; 2FAS shows no account name there.
    #[test]
    fn an_empty_account_is_not_replaced_by_the_label() {
        let services = json!([
            {"name": "NoIssuer", "secret": "KY2QJPMNQLSGSZE2C5F7AYBLBVEEDHFX",
             "otp": {"label": "NoIssuer", "account": "", "algorithm": "SHA1"}}
        ]);
        let bytes = backup(services).to_string();
        let report = TwoFasImporter.import(bytes.as_bytes(), None).unwrap();
        assert_eq!(report.entries[0].label(), "NoIssuer");
        assert_eq!(report.entries[0].enrollment.name, "");
    }

    #[test]
    fn other_content() {
        assert_eq!(TwoFasImporter.detect(b"[]"), Confidence::No);
        assert_eq!(TwoFasImporter.detect(b"{\"services\": {}}"), Confidence::No);
        assert!(matches!(
            TwoFasImporter.import(b"{\"items\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        let text = backup(services()).to_string();
        assert!(matches!(
            TwoFasImporter.import(&text.as_bytes()[..40], None),
            Err(ImportError::Truncated { .. })
        ));
    }
}
