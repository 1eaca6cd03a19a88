//! TOTP Authenticator (BinaryBoxApps, `com.authenticator.authservice2`):
//! its encrypted backup file and its internal shared preferences.
//!
//! Format: no published specification; the layout is the one Aegis reads
//! (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/TotpAuthenticatorImporter.java>).
//! The backup is base64 text of AES-256-CBC ciphertext, key SHA-256 of
//! the password, IV all zeros, PKCS#7 padding. The plaintext is a JSON
//! object whose key (not value) is itself JSON text: the entry list; its
//! value is a timestamp. The shared preferences keep the same list as the
//! `<string>` `STATIC_TOTP_CODES_LIST`. Each entry has `issuer`, `name`,
//! `key` (the secret) in `base` 16, 32 or 64, and `digits` and `period` as
//! strings, empty for the defaults; `accountHeaderLabel` is the app's
//! group and becomes a tag.
//!
//! CBC has no authentication and there is no check value: a wrong
//! password shows as bad padding or a plaintext that is not JSON, which
//! cannot be told from damage, so both are "wrong password or damaged".
//! With no marker at all, the backup is only guessed at (base64 text of
//! whole AES blocks), after every format that has one.
//!
//! What it cannot carry: every entry is TOTP with SHA1 (the app has no
//! other algorithm or HOTP); missing digits and period are 6 and 30 s.
//! The file's digits and period are kept when present (Aegis ignores
//! them). Notes and favourites are not exported.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_otp::Secret;
use zeroize::Zeroizing;

use super::android_prefs;
use crate::crypto::base64_decode;
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "TOTP Authenticator";

/// The shared preference holding the entry list.
const LIST_KEY: &str = "STATIC_TOTP_CODES_LIST";

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// Reads TOTP Authenticator's backups and internal preferences.
#[derive(Debug, Clone, Copy, Default)]
pub struct TotpAuthenticatorImporter;

/// Whether `bytes` are base64 text of whole AES blocks: the backup's only
/// shape.
fn is_backup_shape(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let text = text.trim();
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && base64_decode(text).is_some_and(|raw| !raw.is_empty() && raw.len() % 16 == 0)
}

impl Importer for TotpAuthenticatorImporter {
    fn id(&self) -> &'static str {
        "totp-authenticator"
    }

    fn name(&self) -> &'static str {
        "TOTP Authenticator backup or shared preferences"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if android_prefs::has_string(bytes, LIST_KEY) {
            Confidence::Certain
        } else if is_backup_shape(bytes) {
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
        if android_prefs::looks_like_prefs(bytes) {
            let prefs = android_prefs::parse(FORMAT, bytes)?;
            let list = prefs.string(LIST_KEY).ok_or(ImportError::NotThisFormat {
                format: "a TOTP Authenticator file",
                reason: "its preferences hold no entry list".into(),
            })?;
            return read_list(list);
        }
        if !is_backup_shape(bytes) {
            return Err(ImportError::NotThisFormat {
                format: "a TOTP Authenticator file",
                reason: "it is neither base64 backup text nor shared preferences".into(),
            });
        }
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        let plaintext = decrypt(bytes, password)?;
        let list = entry_list(&plaintext)?;
        read_list(&list)
    }
}

/// Decrypts the backup; any failure is a wrong password or damage.
fn decrypt(bytes: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let wrong = ImportError::WrongPasswordOrDamaged { format: FORMAT };
    let text = std::str::from_utf8(bytes).map_err(|_| wrong.clone())?;
    let mut buffer = base64_decode(text).ok_or_else(|| wrong.clone())?;
    let key = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(password.as_bytes())));
    let len = Aes256CbcDec::new((&*key).into(), &[0u8; 16].into())
        .decrypt_padded_mut::<Pkcs7>(&mut buffer)
        .map_err(|_| wrong.clone())?
        .len();
    buffer.truncate(len);
    Ok(buffer)
}

/// The entry list, the key of the plaintext's object that is JSON text of
/// a list. Every key is wiped once read.
fn entry_list(plaintext: &[u8]) -> Result<Zeroizing<String>, ImportError> {
    let wrong = ImportError::WrongPasswordOrDamaged { format: FORMAT };
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(plaintext) else {
        return Err(wrong);
    };
    let mut found = None;
    for (key, _) in map {
        let key = Zeroizing::new(key);
        if found.is_none() && key.trim_start().starts_with('[') {
            found = Some(key);
        }
    }
    found.ok_or(ImportError::Corrupt {
        format: FORMAT,
        reason: "the backup holds no entry list".into(),
    })
}

/// Reads the JSON entry list both files hold.
fn read_list(list: &str) -> Result<ImportReport, ImportError> {
    let doc = json::parse(FORMAT, list.as_bytes())?;
    let entries = doc.as_array().ok_or_else(|| ImportError::Corrupt {
        format: FORMAT,
        reason: "the entry list is not a list".into(),
    })?;
    let mut report = ImportReport::default();
    for (index, item) in entries.iter().enumerate() {
        report.push(read_entry(item).map_err(|(label, message)| EntryError {
            index,
            label,
            message,
        }));
    }
    Ok(report)
}

/// A number written as a string, where `""` means the default.
fn optional_number(item: &Value, key: &str) -> Result<Option<u64>, String> {
    match item.get(key) {
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        _ => u64_field(item, key),
    }
}

fn read_entry(item: &Value) -> Result<Entry, (String, String)> {
    let mut raw = RawAccount::new(
        str_field(item, "issuer").unwrap_or_default(),
        str_field(item, "name").unwrap_or_default(),
    );
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    if let Some(digits) = optional_number(item, "digits").map_err(&fail)? {
        raw.digits =
            u8::try_from(digits).map_err(|_| fail(format!("digits {digits} is out of range")))?;
    }
    if let Some(period) = optional_number(item, "period").map_err(&fail)? {
        raw.period = period;
    }
    let key = str_field(item, "key").ok_or_else(|| fail("the entry has no secret".into()))?;
    let secret = match u64_field(item, "base").map_err(&fail)? {
        Some(16) => Secret::from_hex(key.trim()).map_err(|error| error.to_string()),
        None | Some(32) => base32_secret(key),
        Some(64) => base64_decode(key)
            .ok_or_else(|| "the secret is not base64".to_owned())
            .and_then(|bytes| Secret::from_bytes(bytes.to_vec()).map_err(|e| e.to_string())),
        Some(base) => Err(format!(
            "secrets in base {base} are not a TOTP Authenticator encoding"
        )),
    }
    .map_err(&fail)?;
    let mut entry = Entry::new(raw.into_enrollment(secret).map_err(&fail)?);
    if let Some(group) = str_field(item, "accountHeaderLabel").map(str::trim) {
        if !group.is_empty() {
            entry.tags.push(group.to_owned());
        }
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use crate::formats::android_prefs::write_prefs;
    use aes::cipher::BlockEncryptMut;

    type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

    fn list() -> String {
        serde_json::json!([
            {"base": 16, "digits": "7", "period": "20", "issuer": "SPDX", "name": "james",
             "key": "EB99CB39C67AE042FA866EC4F239CBB5", "accountHeaderLabel": "work"},
            {"base": 32, "digits": "", "period": "", "issuer": "Deno", "name": "mason",
             "key": "4SJHB4GSD43FZBAI7C2HLRJGPQ"},
            {"base": 64, "digits": "8", "period": "", "issuer": "B64", "name": "x",
             "key": "AQID"},
            {"base": 10, "issuer": "Odd", "name": "base", "key": "123"},
        ])
        .to_string()
    }

    fn backup(plaintext: &str, password: &str) -> String {
        let key: [u8; 32] = Sha256::digest(password.as_bytes()).into();
        let ciphertext = Aes256CbcEnc::new((&key).into(), &[0u8; 16].into())
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
        base64_encode(&ciphertext)
    }

    fn check(report: &ImportReport) {
        assert_eq!(report.entries.len(), 3);
        let first = &report.entries[0];
        assert_eq!(
            first.enrollment.secret.to_base32().as_str(),
            "5OM4WOOGPLQEF6UGN3CPEOOLWU"
        );
        assert_eq!(
            (
                first.enrollment.params.digits,
                first.enrollment.params.period
            ),
            (7, 20)
        );
        assert_eq!(first.tags, ["work"]);
        let second = &report.entries[1].enrollment.params;
        assert_eq!((second.digits, second.period), (6, 30));
        assert_eq!(report.entries[2].enrollment.secret.as_bytes(), &[1, 2, 3]);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].label, "Odd: base");
    }

    #[test]
    fn reads_the_shared_preferences() {
        let xml = write_prefs(&[("RATE_US_COUNTER", "1"), (LIST_KEY, &list())]);
        assert_eq!(
            TotpAuthenticatorImporter.detect(xml.as_bytes()),
            Confidence::Certain
        );
        check(
            &TotpAuthenticatorImporter
                .import(xml.as_bytes(), None)
                .unwrap(),
        );
    }

    #[test]
    fn decrypts_the_backup_and_refuses_a_wrong_password() {
        let plaintext = serde_json::json!({ list(): "1608293023" }).to_string();
        let file = backup(&plaintext, "Testtest1");
        assert_eq!(
            TotpAuthenticatorImporter.detect(file.as_bytes()),
            Confidence::Low
        );
        assert!(matches!(
            TotpAuthenticatorImporter.import(file.as_bytes(), None),
            Err(ImportError::PasswordRequired { .. })
        ));
        let password = Password::from("Testtest1");
        check(
            &TotpAuthenticatorImporter
                .import(file.as_bytes(), Some(&password))
                .unwrap(),
        );
        let wrong = Password::from("Testtest2");
        assert!(matches!(
            TotpAuthenticatorImporter.import(file.as_bytes(), Some(&wrong)),
            Err(ImportError::WrongPasswordOrDamaged { .. })
        ));
        // Cut to whole blocks: the padding (or the JSON) no longer holds.
        let raw = base64_decode(&file).unwrap();
        let cut = base64_encode(&raw[..raw.len() - 16]);
        assert!(matches!(
            TotpAuthenticatorImporter.import(cut.as_bytes(), Some(&password)),
            Err(ImportError::WrongPasswordOrDamaged { .. })
        ));
        let no_list = backup("{\"a\": 1}", "Testtest1");
        assert!(matches!(
            TotpAuthenticatorImporter.import(no_list.as_bytes(), Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn damaged_preferences_say_so() {
        let xml = write_prefs(&[(LIST_KEY, &list())]);
        let cut = &xml.as_bytes()[..xml.len() / 2];
        assert!(matches!(
            TotpAuthenticatorImporter.import(cut, None),
            Err(ImportError::Truncated { .. })
        ));
        let other = write_prefs(&[("tokenOrder", "[]")]);
        assert!(matches!(
            TotpAuthenticatorImporter.import(other.as_bytes(), None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    #[test]
    fn other_text_is_not_claimed() {
        for other in [
            &b"otpauth://totp/x?secret=JBSWY3DP"[..],
            b"{}",
            b"QUJD",
            b"",
        ] {
            assert_eq!(TotpAuthenticatorImporter.detect(other), Confidence::No);
        }
        let other = write_prefs(&[("tokenOrder", "[]")]);
        assert_eq!(
            TotpAuthenticatorImporter.detect(other.as_bytes()),
            Confidence::No
        );
    }
}
