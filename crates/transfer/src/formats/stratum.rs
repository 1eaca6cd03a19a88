//! Stratum's backups (the app was called Authenticator Pro before): the
//! plain JSON backup and the two password-encrypted forms of it.
//!
//! Format: no separate specification; Stratum's own sources define it,
//! <https://github.com/stratumauth/app> (`Stratum.Core/src/Backup/Encryption/`:
//! `StrongBackupEncryption.cs`, `LegacyBackupEncryption.cs`), and Aegis reads
//! it the same way
//! (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/StratumImporter.java>).
//! Plain: `{"Authenticators": [{Type, Issuer, Username, Secret (base32),
//! Algorithm, Digits, Period, Counter, Icon, Pin, Ranking}], "Categories":
//! [{Id, Name}], "AuthenticatorCategories": [{CategoryId,
//! AuthenticatorSecret}], "CustomIcons": […]}`. `Type` is 1 HOTP, 2 TOTP,
//! 3 mOTP, 4 Steam, 5 Yandex; `Algorithm` is 0 SHA1, 1 SHA256, 2 SHA512.
//! Encrypted, current: `"AUTHENTICATORPRO"`, a 16-byte salt, a 12-byte
//! nonce, then AES-256-GCM ciphertext and tag; the key is Argon2id of the
//! password (3 passes, 64 MiB, 4 lanes, fixed by the format, not read from
//! the file). Encrypted, legacy: `"AuthenticatorPro"`, a 20-byte salt, a
//! 16-byte IV, then AES-256-CBC with PKCS#7 padding; the key is
//! PBKDF2-HMAC-SHA1 of the password, 64 000 iterations. GCM cannot tell a
//! wrong password from a damaged file; for the legacy form the first
//! decrypted block is checked (a backup starts with a JSON object), so a
//! right password with damage further on is reported as damage.
//!
//! What it cannot carry across: icons (built-in names and custom images are
//! dropped), the order (`Ranking`); categories become tags (an account is
//! bound to a category by its secret text). mOTP and Yandex accounts need a
//! PIN Tessera has no place for and are per-entry errors. Secrets are
//! base32 as Stratum stores them. Stratum's HTML export is
//! [`super::stratum_html`].

use serde_json::Value;
use tessera_otp::{Algorithm, OtpKind};
use zeroize::Zeroizing;

use crate::crypto::{
    argon2id_key, check_argon2, check_pbkdf2, gcm_open, pbkdf2_key, Pbkdf2Hash, GCM_NONCE_LEN,
    GCM_TAG_LEN,
};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Stratum backup";
const ARTICLE: &str = "a Stratum (Authenticator Pro) backup";

/// The current encrypted form's header.
const HEADER: &[u8; 16] = b"AUTHENTICATORPRO";
/// The legacy encrypted form's header (same letters, other case).
const HEADER_LEGACY: &[u8; 16] = b"AuthenticatorPro";

const SALT_LEN: usize = 16;
/// Argon2id parameters of the current form: fixed by Stratum.
const ARGON2_MEMORY_KIB: u64 = 64 * 1024;
const ARGON2_PASSES: u64 = 3;
const ARGON2_LANES: u64 = 4;

const LEGACY_SALT_LEN: usize = 20;
const LEGACY_IV_LEN: usize = 16;
const LEGACY_ITERATIONS: u64 = 64_000;
const AES_BLOCK: usize = 16;

/// Reads Stratum / Authenticator Pro backups, plain and encrypted.
#[derive(Debug, Clone, Copy, Default)]
pub struct StratumImporter;

/// Whether a parsed document has the backup's shape.
fn is_backup(doc: &Value) -> bool {
    doc.get("Authenticators").is_some_and(Value::is_array)
}

impl Importer for StratumImporter {
    fn id(&self) -> &'static str {
        "stratum"
    }

    fn name(&self) -> &'static str {
        "Stratum / Authenticator Pro backup (.authpro, JSON or encrypted)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if bytes.starts_with(HEADER) || bytes.starts_with(HEADER_LEGACY) {
            return Confidence::Certain;
        }
        match json::sniff(bytes) {
            Some(doc) if is_backup(&doc) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let plaintext = if bytes.starts_with(HEADER) {
            let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
            decrypt_current(&bytes[HEADER.len()..], password)?
        } else if bytes.starts_with(HEADER_LEGACY) {
            let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
            decrypt_legacy(&bytes[HEADER_LEGACY.len()..], password)?
        } else {
            let doc = json::parse(FORMAT, bytes)?;
            return read_backup(&doc);
        };
        let doc = json::parse(FORMAT, &plaintext).map_err(|error| match error {
            // The key opened the file, so the JSON inside is damaged.
            ImportError::NotThisFormat { reason, .. } => ImportError::Corrupt {
                format: FORMAT,
                reason: format!("the decrypted backup is not JSON: {reason}"),
            },
            other => other,
        })?;
        read_backup(&doc)
    }
}

/// Salt, nonce, AES-256-GCM under an Argon2id key.
fn decrypt_current(body: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if body.len() < SALT_LEN + GCM_NONCE_LEN + GCM_TAG_LEN {
        return Err(ImportError::Truncated {
            format: FORMAT,
            what: "the file ends inside the encryption header".into(),
        });
    }
    let (salt, rest) = body.split_at(SALT_LEN);
    let (nonce, sealed) = rest.split_at(GCM_NONCE_LEN);
    let cost = check_argon2(FORMAT, ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES)?;
    let key =
        argon2id_key(password.as_bytes(), salt, cost).map_err(|reason| ImportError::Corrupt {
            format: FORMAT,
            reason,
        })?;
    gcm_open(&key, nonce, sealed)
        .map_err(|_| ImportError::WrongPasswordOrDamaged { format: FORMAT })
}

/// Salt, IV, AES-256-CBC with PKCS#7 under a PBKDF2-HMAC-SHA1 key.
fn decrypt_legacy(body: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    use aes::cipher::block_padding::NoPadding;
    use aes::cipher::{BlockDecryptMut, KeyIvInit};

    let header = LEGACY_SALT_LEN + LEGACY_IV_LEN;
    if body.len() < header + AES_BLOCK {
        return Err(ImportError::Truncated {
            format: FORMAT,
            what: "the file ends before its first encrypted block".into(),
        });
    }
    let (salt, rest) = body.split_at(LEGACY_SALT_LEN);
    let (iv, ciphertext) = rest.split_at(LEGACY_IV_LEN);
    if ciphertext.len() % AES_BLOCK != 0 {
        return Err(ImportError::Truncated {
            format: FORMAT,
            what: format!(
                "the ciphertext is {} bytes, not a whole number of 16-byte blocks",
                ciphertext.len()
            ),
        });
    }
    let iterations = check_pbkdf2(FORMAT, LEGACY_ITERATIONS)?;
    let key = pbkdf2_key(Pbkdf2Hash::Sha1, password.as_bytes(), salt, iterations);
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cbc::Decryptor::<aes::Aes256>::new((&*key).into(), iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut buffer)
        .expect("whole blocks always decrypt without padding");
    // CBC has no authentication. The first block of a backup is the start
    // of a JSON object; garbage there means a wrong key (or a damaged
    // start), while a good start proves the key and blames the rest.
    let opened = looks_like_json_start(&buffer[..AES_BLOCK]);
    match unpad_pkcs7(&buffer) {
        Some(len) => {
            if !opened {
                return Err(ImportError::WrongPasswordOrDamaged { format: FORMAT });
            }
            buffer.truncate(len);
            Ok(buffer)
        }
        None if opened => Err(ImportError::Corrupt {
            format: FORMAT,
            reason: "the password is right but the encrypted data's end is damaged \
                     (bad padding)"
                .into(),
        }),
        None => Err(ImportError::WrongPasswordOrDamaged { format: FORMAT }),
    }
}

/// Whether a decrypted first block reads as the start of a JSON object:
/// `{` then printable ASCII (random bytes pass with odds below 10⁻¹⁰).
fn looks_like_json_start(block: &[u8]) -> bool {
    let text = block.trim_ascii_start();
    text.first() == Some(&b'{')
        && block
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
}

/// The length without PKCS#7 padding, or `None` when the padding is bad.
fn unpad_pkcs7(buffer: &[u8]) -> Option<usize> {
    let &last = buffer.last()?;
    let pad = usize::from(last);
    if pad == 0 || pad > AES_BLOCK || pad > buffer.len() {
        return None;
    }
    buffer[buffer.len() - pad..]
        .iter()
        .all(|&b| b == last)
        .then_some(buffer.len() - pad)
}

/// Reads the decrypted or plain backup document.
fn read_backup(doc: &Value) -> Result<ImportReport, ImportError> {
    let items = doc
        .get("Authenticators")
        .and_then(Value::as_array)
        .ok_or_else(|| ImportError::NotThisFormat {
            format: ARTICLE,
            reason: "it has no Authenticators list".into(),
        })?;
    let categories = category_names(doc);
    let mut report = ImportReport::default();
    for (index, item) in items.iter().enumerate() {
        report.push(
            read_entry(item, &categories).map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }),
        );
    }
    Ok(report)
}

/// Each binding's (secret text, category name), in the file's order.
fn category_names(doc: &Value) -> Vec<(&str, &str)> {
    let names: Vec<(&str, &str)> = doc
        .get("Categories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| Some((str_field(c, "Id")?, str_field(c, "Name")?)))
        .collect();
    doc.get("AuthenticatorCategories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|binding| {
            let id = str_field(binding, "CategoryId")?;
            let secret = str_field(binding, "AuthenticatorSecret")?;
            let name = names.iter().find(|(i, _)| *i == id)?.1;
            Some((secret, name))
        })
        .collect()
}

/// Reads one authenticator; errors carry its label.
fn read_entry(item: &Value, categories: &[(&str, &str)]) -> Result<Entry, (String, String)> {
    let mut raw = RawAccount::new(
        str_field(item, "Issuer").unwrap_or_default(),
        str_field(item, "Username").unwrap_or_default(),
    );
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    raw.kind = match u64_field(item, "Type").map_err(&fail)? {
        Some(1) => OtpKind::Hotp,
        Some(2) | None => OtpKind::Totp,
        Some(3) => return Err(fail("mOTP entries are not supported".into())),
        Some(4) => OtpKind::Steam,
        Some(5) => return Err(fail("Yandex entries are not supported".into())),
        Some(other) => return Err(fail(format!("unknown authenticator type {other}"))),
    };
    raw.algorithm = match u64_field(item, "Algorithm").map_err(&fail)? {
        Some(0) | None => Algorithm::Sha1,
        Some(1) => Algorithm::Sha256,
        Some(2) => Algorithm::Sha512,
        Some(other) => return Err(fail(format!("unknown algorithm number {other}"))),
    };
    if let Some(digits) = u8_field(item, "Digits").map_err(&fail)? {
        raw.digits = digits;
    }
    if let Some(period) = u64_field(item, "Period").map_err(&fail)? {
        raw.period = period;
    }
    if raw.kind == OtpKind::Hotp {
        raw.counter = u64_field(item, "Counter").map_err(&fail)?.unwrap_or(0);
    }
    let secret_text = str_field(item, "Secret").unwrap_or_default();
    let secret = base32_secret(secret_text).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    let mut tags: Vec<String> = Vec::new();
    for (_, name) in categories.iter().filter(|(s, _)| *s == secret_text) {
        if !tags.iter().any(|t| t == name) {
            tags.push((*name).to_owned());
        }
    }
    Ok(Entry {
        tags,
        ..Entry::new(enrollment)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockEncryptMut, KeyIvInit};
    use serde_json::json;
    use tessera_otp::OtpParams;

    fn backup() -> String {
        json!({
            "Authenticators": [
                {"Type": 2, "Icon": "github", "Issuer": "GitHub", "Username": "alice",
                 "Secret": "JBSWY3DPEHPK3PXP", "Pin": null, "Algorithm": 1, "Digits": 8,
                 "Period": 60, "Counter": 0, "Ranking": 0},
                {"Type": 1, "Icon": null, "Issuer": "Bank", "Username": null,
                 "Secret": "KUVJJOM753IHTNDSZVCNKL7GII", "Algorithm": 2, "Digits": 7,
                 "Period": 30, "Counter": 50, "Ranking": 1},
                {"Type": 4, "Issuer": "Steam", "Username": "gamer",
                 "Secret": "JRZCL47CMXVOQMNPZR2F7J4RGI", "Algorithm": 0, "Digits": 5,
                 "Period": 30, "Counter": 0},
                {"Type": 3, "Issuer": "VPN", "Username": "bob", "Secret": "0123abcd",
                 "Pin": "1234", "Algorithm": 0, "Digits": 6, "Period": 10, "Counter": 0},
                {"Type": 5, "Issuer": "Yandex", "Username": "carol",
                 "Secret": "JBSWY3DPEHPK3PXP", "Pin": "5678", "Algorithm": 1, "Digits": 8,
                 "Period": 30, "Counter": 0},
                {"Type": 2, "Issuer": "Broken", "Username": "x", "Secret": "JBSW!!",
                 "Algorithm": 0, "Digits": 6, "Period": 30, "Counter": 0}
            ],
            "Categories": [{"Id": "c1", "Name": "Work", "Ranking": 0},
                           {"Id": "c2", "Name": "Money", "Ranking": 1}],
            "AuthenticatorCategories": [
                {"CategoryId": "c1", "AuthenticatorSecret": "JBSWY3DPEHPK3PXP", "Ranking": 0},
                {"CategoryId": "c2", "AuthenticatorSecret": "KUVJJOM753IHTNDSZVCNKL7GII"},
                {"CategoryId": "c1", "AuthenticatorSecret": "KUVJJOM753IHTNDSZVCNKL7GII"}
            ],
            "CustomIcons": []
        })
        .to_string()
    }

    fn check_sample(report: &ImportReport) {
        assert_eq!(report.entries.len(), 3, "{:?}", report.errors);
        let github = &report.entries[0];
        assert_eq!(github.label(), "GitHub: alice");
        assert_eq!(github.enrollment.params.algorithm, Algorithm::Sha256);
        assert_eq!(github.enrollment.params.digits, 8);
        assert_eq!(github.enrollment.params.period, 60);
        assert_eq!(github.tags, vec!["Work"]);
        let bank = &report.entries[1];
        assert_eq!(bank.label(), "Bank");
        assert_eq!(bank.enrollment.params.kind, OtpKind::Hotp);
        assert_eq!(bank.enrollment.params.counter, 50);
        assert_eq!(bank.enrollment.params.algorithm, Algorithm::Sha512);
        assert_eq!(bank.tags, vec!["Money", "Work"]);
        assert_eq!(report.entries[2].enrollment.params, OtpParams::steam());
        let errors: Vec<(usize, &str)> = report
            .errors
            .iter()
            .map(|e| (e.index, e.message.as_str()))
            .collect();
        assert_eq!(errors[0], (3, "mOTP entries are not supported"));
        assert_eq!(errors[1], (4, "Yandex entries are not supported"));
        assert_eq!(errors[2].0, 5);
        for error in &report.errors {
            assert!(!error.to_string().contains("JBSW"), "{error}");
        }
    }

    fn seal_current(plaintext: &[u8], password: &str) -> Vec<u8> {
        let salt = [3u8; SALT_LEN];
        let nonce = [9u8; GCM_NONCE_LEN];
        let cost = check_argon2("t", ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES).unwrap();
        let key = argon2id_key(password.as_bytes(), &salt, cost).unwrap();
        let mut file = HEADER.to_vec();
        file.extend_from_slice(&salt);
        file.extend_from_slice(&nonce);
        file.extend_from_slice(&crate::crypto::gcm_seal(&key, &nonce, plaintext));
        file
    }

    fn seal_legacy(plaintext: &[u8], password: &str) -> Vec<u8> {
        let salt = [5u8; LEGACY_SALT_LEN];
        let iv = [7u8; LEGACY_IV_LEN];
        let key = pbkdf2_key(
            Pbkdf2Hash::Sha1,
            password.as_bytes(),
            &salt,
            LEGACY_ITERATIONS as u32,
        );
        let mut file = HEADER_LEGACY.to_vec();
        file.extend_from_slice(&salt);
        file.extend_from_slice(&iv);
        file.extend_from_slice(
            &cbc::Encryptor::<aes::Aes256>::new((&*key).into(), &iv.into())
                .encrypt_padded_vec_mut::<Pkcs7>(plaintext),
        );
        file
    }

    #[test]
    fn reads_the_plain_backup_with_categories_as_tags() {
        let file = backup();
        assert_eq!(StratumImporter.detect(file.as_bytes()), Confidence::Certain);
        assert_eq!(
            crate::registry::detect(file.as_bytes()).unwrap().id(),
            "stratum"
        );
        check_sample(&StratumImporter.import(file.as_bytes(), None).unwrap());
    }

    #[test]
    fn reads_the_current_encrypted_backup() {
        let file = seal_current(backup().as_bytes(), "hunter2");
        assert_eq!(StratumImporter.detect(&file), Confidence::Certain);
        assert_eq!(crate::registry::detect(&file).unwrap().id(), "stratum");
        assert_eq!(
            StratumImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        let report = StratumImporter
            .import(&file, Some(&Password::from("hunter2")))
            .unwrap();
        check_sample(&report);
        assert_eq!(
            StratumImporter.import(&file, Some(&Password::from("hunter3"))),
            Err(ImportError::WrongPasswordOrDamaged { format: FORMAT })
        );
        let cut = &file[..HEADER.len() + SALT_LEN + GCM_NONCE_LEN + 3];
        assert!(matches!(
            StratumImporter.import(cut, Some(&Password::from("hunter2"))),
            Err(ImportError::Truncated { .. })
        ));
    }

    #[test]
    fn reads_the_legacy_encrypted_backup() {
        let file = seal_legacy(backup().as_bytes(), "hunter2");
        assert_eq!(crate::registry::detect(&file).unwrap().id(), "stratum");
        let password = Password::from("hunter2");
        check_sample(&StratumImporter.import(&file, Some(&password)).unwrap());
        assert_eq!(
            StratumImporter.import(&file, Some(&Password::from("hunter3"))),
            Err(ImportError::WrongPasswordOrDamaged { format: FORMAT })
        );
        // Not whole blocks: cut mid-block.
        assert!(matches!(
            StratumImporter.import(&file[..file.len() - 5], Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        // Whole blocks but the end gone: the first block proves the
        // password, so the file is reported damaged.
        let error = StratumImporter
            .import(&file[..file.len() - 16], Some(&password))
            .unwrap_err();
        assert!(matches!(error, ImportError::Corrupt { .. }), "{error:?}");
        assert!(matches!(
            StratumImporter.import(&file[..40], Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
    }

    #[test]
    fn a_damaged_decrypted_plaintext_is_corrupt_not_another_format() {
        let file = seal_legacy(b"{\"Authenticators\": [1, 2", "pw");
        assert!(matches!(
            StratumImporter.import(&file, Some(&Password::from("pw"))),
            Err(ImportError::Truncated { .. })
        ));
        let file = seal_legacy(b"{\"Authenticators\"= nope nope nope}", "pw");
        assert!(matches!(
            StratumImporter.import(&file, Some(&Password::from("pw"))),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn the_format_fixed_kdf_costs_pass_the_limits() {
        // Stratum's KDF parameters are constants of the format, never read
        // from the file, so a hostile file cannot raise them; they must
        // still be within Tessera's limits.
        check_argon2(FORMAT, ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES).unwrap();
        check_pbkdf2(FORMAT, LEGACY_ITERATIONS).unwrap();
    }

    #[test]
    fn other_files_are_not_claimed() {
        for bytes in [
            &b"{\"accounts\": []}"[..],
            b"[{\"secret\": \"x\", \"type\": \"TOTP\", \"label\": \"y\"}]",
            b"AUTHENTICATOR",
            b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
        ] {
            assert_eq!(StratumImporter.detect(bytes), Confidence::No, "{bytes:?}");
        }
        assert!(matches!(
            StratumImporter.import(b"{\"accounts\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    #[test]
    fn padding_check() {
        assert_eq!(unpad_pkcs7(&[1, 2, 3, 1]), Some(3));
        assert_eq!(unpad_pkcs7(&[1, 2, 2, 2]), Some(2));
        assert_eq!(unpad_pkcs7(&[1, 2, 3, 0]), None);
        assert_eq!(unpad_pkcs7(&[1, 2, 3, 2]), None);
        assert_eq!(unpad_pkcs7(&[17; 16]), None);
        assert!(looks_like_json_start(b"{\"Authenticators"));
        assert!(!looks_like_json_start(b"\x00\"Authenticators"));
        assert!(!looks_like_json_start(b"[\"Authenticators"));
    }
}
