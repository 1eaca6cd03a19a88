//! andOTP's backups: the plain JSON array and the two password-encrypted
//! binary forms (andOTP itself is discontinued, but its backups live on).
//!
//! Format: no separate specification; andOTP's own sources define it,
//! <https://github.com/andOTP/andOTP/blob/master/app/src/main/java/org/shadowice/flocke/andotp/Utilities/BackupHelper.java>
//! and `EncryptionHelper.java` beside it. Plain: a JSON array of
//! `{secret (base32), issuer, label, digits, type (TOTP, HOTP, STEAM,
//! MOTP), algorithm, period, counter, tags, thumbnail, last_used, …}`.
//! Encrypted (andOTP 0.6.3 and later): `[4-byte big-endian PBKDF2
//! iteration count][12-byte salt][12-byte nonce][AES-256-GCM ciphertext and
//! tag]`, the key being PBKDF2-HMAC-SHA1 of the password. Older encrypted
//! backups: `[12-byte nonce][ciphertext and tag]` under SHA-256 of the
//! password. Neither has a marker, so detection is a guess of last resort,
//! and neither can tell a wrong password from a damaged file. Old
//! backups have no `issuer`; their label reads `Issuer - Label`, and, as
//! Aegis does, the part after the first ` - ` is kept whole as the name.
//!
//! What it cannot carry: notes, favourites and groups (tags are kept),
//! icons are names of andOTP's built-in thumbnails and are dropped, MOTP
//! entries cannot be imported (an entry error each). The PGP-encrypted
//! backups need the user's OpenPGP key and are not read. Secrets are read
//! leniently ([`tessera_otp::Secret::from_base32_lenient`]): any case,
//! `=` padding of any amount (andOTP writes `======`), and impossible
//! lengths lose their leftover bits.

use serde_json::Value;
use tessera_otp::OtpKind;
use zeroize::Zeroizing;

use crate::crypto::{check_pbkdf2, gcm_open, pbkdf2_key, Pbkdf2Hash, GCM_NONCE_LEN, GCM_TAG_LEN};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "andOTP backup";
const SALT_LEN: usize = 12;
/// Iteration count, salt and nonce before the ciphertext.
const NEW_HEADER_LEN: usize = 4 + SALT_LEN + GCM_NONCE_LEN;

/// Starts of other binary files that must not be mistaken for an
/// encrypted andOTP backup (which has no marker of its own): SQLite, zip,
/// PNG, JPEG, GIF, WebP, PDF, Java serialisation (FreeOTP 2 backups),
/// Stratum backups, gzip, 7-Zip, RAR, ELF and Tessera's own vault. Shared
/// with the other marker-less encrypted format (Authenticator Plus).
pub(crate) const FOREIGN_MAGICS: &[&[u8]] = &[
    b"SQLite format 3\0",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"RIFF",
    b"%PDF",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"\xac\xed\x00\x05",
    b"AUTHENTICATORPRO",
    b"AuthenticatorPro",
    b"\x1f\x8b",
    b"tessera-vault",
];

/// Whether `bytes` start like some other known binary format.
pub(crate) fn is_foreign(bytes: &[u8]) -> bool {
    FOREIGN_MAGICS.iter().any(|magic| bytes.starts_with(magic))
}

/// Reads andOTP backups, plain and encrypted.
#[derive(Debug, Clone, Copy, Default)]
pub struct AndOtpImporter;

impl Importer for AndOtpImporter {
    fn id(&self) -> &'static str {
        "andotp"
    }

    fn name(&self) -> &'static str {
        "andOTP backup (JSON, or encrypted .bin)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if let Some(doc) = json::sniff(bytes) {
            let looks_right = doc.as_array().is_some_and(|items| {
                items.first().is_some_and(|item| {
                    item.get("secret").is_some()
                        && item.get("type").is_some()
                        && item.get("label").is_some()
                })
            });
            return if looks_right {
                Confidence::Certain
            } else {
                Confidence::No
            };
        }
        // Encrypted backups are random-looking bytes, never text.
        if bytes.len() >= GCM_NONCE_LEN + GCM_TAG_LEN + 2
            && std::str::from_utf8(bytes).is_err()
            && !is_foreign(bytes)
        {
            Confidence::Low
        } else {
            Confidence::No
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') || first == Some(&b'{') {
            let doc = json::parse(FORMAT, bytes)?;
            return read_entries(&doc);
        }
        if std::str::from_utf8(bytes).is_ok() {
            return Err(ImportError::NotThisFormat {
                format: "an andOTP backup",
                reason: "it is text but not a JSON array".into(),
            });
        }
        if is_foreign(bytes) {
            return Err(ImportError::NotThisFormat {
                format: "an andOTP backup",
                reason: "it starts like another kind of file (a database, archive or image)".into(),
            });
        }
        if bytes.len() < GCM_NONCE_LEN + GCM_TAG_LEN {
            return Err(ImportError::Truncated {
                format: FORMAT,
                what: format!("{} bytes is shorter than any encrypted backup", bytes.len()),
            });
        }
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        let plaintext = decrypt(bytes, password)?;
        let doc = json::parse(FORMAT, &plaintext)?;
        read_entries(&doc)
    }
}

/// Tries the current encrypted form, then the old one.
fn decrypt(bytes: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let mut too_expensive = None;
    if bytes.len() >= NEW_HEADER_LEN + GCM_TAG_LEN {
        let iterations = u64::from(u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes")));
        match check_pbkdf2(FORMAT, iterations) {
            Ok(iterations) => {
                let salt = &bytes[4..4 + SALT_LEN];
                let nonce = &bytes[4 + SALT_LEN..NEW_HEADER_LEN];
                let key = pbkdf2_key(Pbkdf2Hash::Sha1, password.as_bytes(), salt, iterations);
                if let Ok(plaintext) = gcm_open(&key, nonce, &bytes[NEW_HEADER_LEN..]) {
                    return Ok(plaintext);
                }
            }
            Err(error @ ImportError::KdfParamsTooExpensive { .. }) => too_expensive = Some(error),
            // A zero count cannot be the current form; try the old one.
            Err(_) => {}
        }
    }
    let key: Zeroizing<[u8; 32]> = {
        use sha2::Digest;
        Zeroizing::new(sha2::Sha256::digest(password.as_bytes()).into())
    };
    if let Ok(plaintext) = gcm_open(&key, &bytes[..GCM_NONCE_LEN], &bytes[GCM_NONCE_LEN..]) {
        return Ok(plaintext);
    }
    Err(match too_expensive {
        // The first four bytes are either an absurd iteration count or an
        // old backup's nonce; only the user can know which.
        Some(ImportError::KdfParamsTooExpensive {
            format,
            kdf,
            detail,
            limit,
        }) => ImportError::KdfParamsTooExpensive {
            format,
            kdf,
            detail: format!(
                "{detail} (or, if it is an andOTP backup from before version 0.6.3, \
                 the password is wrong)"
            ),
            limit,
        },
        _ => ImportError::WrongPasswordOrDamaged { format: FORMAT },
    })
}

/// Reads the JSON array of entries.
fn read_entries(doc: &Value) -> Result<ImportReport, ImportError> {
    let items = doc.as_array().ok_or(ImportError::NotThisFormat {
        format: "an andOTP backup",
        reason: "it is not a JSON array of accounts".into(),
    })?;
    let mut report = ImportReport::default();
    for (index, item) in items.iter().enumerate() {
        report.push(read_entry(item).map_err(|(label, message)| EntryError {
            index,
            label,
            message,
        }));
    }
    Ok(report)
}

/// Reads one entry; errors carry its label.
fn read_entry(item: &Value) -> Result<Entry, (String, String)> {
    let label_text = str_field(item, "label").unwrap_or_default();
    let mut raw = match str_field(item, "issuer") {
        Some(issuer) => RawAccount::new(issuer, label_text),
        None => match label_text.split_once(" - ") {
            Some((issuer, name)) => RawAccount::new(issuer, name),
            None => RawAccount::new("", label_text),
        },
    };
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    let kind = str_field(item, "type").unwrap_or("TOTP");
    raw.kind = match kind.to_ascii_uppercase().as_str() {
        "TOTP" => OtpKind::Totp,
        "HOTP" => OtpKind::Hotp,
        "STEAM" => OtpKind::Steam,
        "MOTP" => return Err(fail(crate::entry::pin_type_unsupported("mOTP"))),
        _ => return Err(fail("unknown entry type".into())),
    };
    if let Some(algorithm) = str_field(item, "algorithm") {
        raw.algorithm = crate::entry::algorithm(algorithm).map_err(&fail)?;
    }
    if let Some(digits) = u8_field(item, "digits").map_err(&fail)? {
        raw.digits = digits;
    }
    if let Some(period) = u64_field(item, "period").map_err(&fail)? {
        raw.period = period;
    }
    if let Some(counter) = u64_field(item, "counter").map_err(&fail)? {
        raw.counter = counter;
    }
    let secret = base32_secret(str_field(item, "secret").unwrap_or_default()).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    let tags = item
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Entry {
        tags,
        ..Entry::new(enrollment)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::gcm_seal;
    use tessera_otp::OtpParams;

    const PLAIN: &str = r#"[
        {"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ======","issuer":"Deno","label":"Mason","digits":6,
         "type":"TOTP","algorithm":"SHA1","thumbnail":"Default","last_used":1,"period":30,
         "tags":["work"]},
        {"secret":"YOOMIXWS5GN6RTBPUFFWKTW5M4======","issuer":"Issuu","label":"James","digits":6,
         "type":"HOTP","algorithm":"SHA1","counter":1,"tags":[]},
        {"secret":"JRZCL47CMXVOQMNPZR2F7J4RGI======","issuer":"Boeing","label":"Sophia","digits":5,
         "type":"STEAM","algorithm":"SHA1","tags":[]},
        {"secret":"JRZCL47CMXVOQMNPZR2F7J4RGI","issuer":"M","label":"m","digits":6,
         "type":"MOTP","algorithm":"MD5","tags":[]}
    ]"#;

    /// Encrypts like andOTP 0.6.3 and later.
    fn encrypt_current(plaintext: &[u8], password: &str, iterations: u32) -> Vec<u8> {
        let salt = [3u8; SALT_LEN];
        let nonce = [4u8; GCM_NONCE_LEN];
        let key = pbkdf2_key(Pbkdf2Hash::Sha1, password.as_bytes(), &salt, iterations);
        let mut file = iterations.to_be_bytes().to_vec();
        file.extend_from_slice(&salt);
        file.extend_from_slice(&nonce);
        file.extend_from_slice(&gcm_seal(&key, &nonce, plaintext));
        file
    }

    /// Encrypts like andOTP before 0.6.3.
    fn encrypt_old(plaintext: &[u8], password: &str) -> Vec<u8> {
        use sha2::Digest;
        let key: [u8; 32] = sha2::Sha256::digest(password.as_bytes()).into();
        let nonce = [0xf5u8; GCM_NONCE_LEN];
        let mut file = nonce.to_vec();
        file.extend_from_slice(&gcm_seal(&key, &nonce, plaintext));
        file
    }

    fn check_plain_entries(report: &ImportReport) {
        assert_eq!(report.entries.len(), 3);
        assert_eq!(report.entries[0].enrollment.issuer, "Deno");
        assert_eq!(report.entries[0].tags, vec!["work"]);
        assert_eq!(report.entries[1].enrollment.params, OtpParams::hotp(1));
        assert_eq!(report.entries[2].enrollment.params, OtpParams::steam());
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].index, 3);
        assert!(report.errors[0].message.contains("mOTP"));
    }

    /// Stratum's andOTP file: an mOTP entry is an entry error that says
    /// why; a hand-typed secret of impossible length comes across.
    #[test]
    fn motp_is_refused_in_words_and_short_secrets_are_read() {
        let text = r#"[
            {"secret":"IFAUCQKBIFAUCQKBIFAUCQKBIE======","issuer":"Motp","label":"motp",
             "digits":6,"type":"MOTP","algorithm":"MD5","period":10,"tags":[]},
            {"secret":"STEAMSECRET","issuer":"Steam","label":"Steam","digits":5,
             "type":"STEAM","algorithm":"SHA1","tags":["Tag"]}
        ]"#;
        let report = AndOtpImporter.import(text.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 1);
        assert_eq!(
            report.entries[0].enrollment.secret.to_base32().as_str(),
            "STEAMSECRE"
        );
        assert_eq!(
            report.errors[0].to_string(),
            "entry 1 (Motp: motp): mOTP entries are not supported: they need a PIN, \
             and Tessera makes TOTP, HOTP and Steam codes only"
        );
    }

    #[test]
    fn plain_backup() {
        assert_eq!(AndOtpImporter.detect(PLAIN.as_bytes()), Confidence::Certain);
        check_plain_entries(&AndOtpImporter.import(PLAIN.as_bytes(), None).unwrap());
    }

    #[test]
    fn current_encrypted_backup() {
        let file = encrypt_current(PLAIN.as_bytes(), "test", 1000);
        assert_eq!(AndOtpImporter.detect(&file), Confidence::Low);
        let password = Password::from("test");
        check_plain_entries(&AndOtpImporter.import(&file, Some(&password)).unwrap());
        assert_eq!(
            AndOtpImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        assert_eq!(
            AndOtpImporter.import(&file, Some(&Password::from("nope"))),
            Err(ImportError::WrongPasswordOrDamaged { format: FORMAT })
        );
        assert_eq!(
            AndOtpImporter.import(&file[..file.len() - 5], Some(&password)),
            Err(ImportError::WrongPasswordOrDamaged { format: FORMAT })
        );
    }

    #[test]
    fn old_encrypted_backup_and_its_labels() {
        let old = r#"[{"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","label":"Deno - Deno:Mason",
            "digits":6,"type":"TOTP","algorithm":"SHA1","period":30}]"#;
        let file = encrypt_old(old.as_bytes(), "test");
        let report = AndOtpImporter
            .import(&file, Some(&Password::from("test")))
            .unwrap();
        let enrollment = &report.entries[0].enrollment;
        assert_eq!(
            (enrollment.issuer.as_str(), enrollment.name.as_str()),
            ("Deno", "Deno:Mason")
        );
        // Its nonce starts 0xf5f5f5f5: read as an iteration count that is
        // absurd, so a wrong password is reported with both readings.
        let error = AndOtpImporter
            .import(&file, Some(&Password::from("wrong")))
            .unwrap_err();
        assert!(
            matches!(error, ImportError::KdfParamsTooExpensive { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("password is wrong"), "{error}");
    }

    #[test]
    fn absurd_iteration_counts_are_refused_before_any_work() {
        let file = encrypt_current(PLAIN.as_bytes(), "test", 1000);
        let mut absurd = file.clone();
        absurd[..4].copy_from_slice(&u32::MAX.to_be_bytes());
        let started = std::time::Instant::now();
        let error = AndOtpImporter
            .import(&absurd, Some(&Password::from("test")))
            .unwrap_err();
        assert!(matches!(
            error,
            ImportError::KdfParamsTooExpensive { kdf: "PBKDF2", .. }
        ));
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn other_content() {
        assert_eq!(AndOtpImporter.detect(b"{\"tokens\": []}"), Confidence::No);
        assert_eq!(
            AndOtpImporter.detect(b"plain text, long enough to be a file"),
            Confidence::No
        );
        assert!(matches!(
            AndOtpImporter.import(b"plain text", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        let mut sqlite = b"SQLite format 3\0".to_vec();
        sqlite.extend_from_slice(&[0xff; 100]);
        assert_eq!(AndOtpImporter.detect(&sqlite), Confidence::No);
        assert!(matches!(
            AndOtpImporter.import(&sqlite, Some(&Password::from("x"))),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            AndOtpImporter.import(&[0xff; 10], None),
            Err(ImportError::Truncated { .. })
        ));
        assert!(matches!(
            AndOtpImporter.import(b"{\"a\": 1}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            AndOtpImporter.import(b"[{\"secret\": 1", None),
            Err(ImportError::Truncated { .. })
        ));
    }
}
