//! Proton Authenticator's JSON export, plain and password-encrypted.
//!
//! Format: no published specification; the shape is that of Proton's own
//! code (<https://github.com/protonpass/proton-pass-common>, the
//! `proton-authenticator` crate's `parser/proton` and `crypto` modules) and
//! of its readers (e.g.
//! <https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/ProtonAuthenticatorImporter.java>,
//! Ente Auth's `proton_import_parser.dart`).
//! - Plain: `{"version": 1, "entries": [{"id", "content": {"uri",
//!   "entry_type", "name"}, "note"}]}`, where `uri` is an `otpauth://` URI
//!   and `name` the name shown in the app (used when the URI has no account
//!   name). `note` becomes the note. Steam entries are `steam://SECRET`
//!   (base32, lower case as Proton writes it), which carry nothing but the
//!   secret: the shown name becomes the issuer (`Steam` when there is
//!   none), and the account name is left empty.
//! - Encrypted: `{"version": 1, "salt", "content"}` (base64). The key is
//!   Argon2id v1.3 with Proton's fixed cost (2 passes, 19 456 KiB, one
//!   lane) of the password and the salt (16 bytes); `content` is
//!   `nonce (12) ‖ ciphertext ‖ tag (16)`, AES-256-GCM with the associated
//!   data `proton.authenticator.export.v1`, and the plaintext is the plain
//!   export. The format has no check value, so a wrong password and a
//!   damaged `content` both fail authentication; the file is small JSON and
//!   damage rare, so that is reported as a wrong password.
//!
//! What it cannot carry: favourites and tags (Proton has neither). HOTP is
//! not something Proton writes, but an `otpauth://hotp` URI is read like
//! any other.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use serde_json::Value;
use tessera_otp::OtpKind;

use crate::crypto::{argon2id_key, base64_decode, check_argon2, GCM_NONCE_LEN, GCM_TAG_LEN};
use crate::entry::{account_label, base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Proton Authenticator export";
/// The associated data Proton binds to every encrypted export.
const AAD: &[u8] = b"proton.authenticator.export.v1";
/// Proton's fixed Argon2id cost: memory in KiB, passes, lanes.
const ARGON2_MEMORY_KIB: u64 = 19_456;
const ARGON2_PASSES: u64 = 2;
const ARGON2_LANES: u64 = 1;
/// Argon2's own minimum salt length; Proton's salts are 16 bytes.
const MIN_SALT_LEN: usize = 8;

/// Reads Proton Authenticator's JSON export, plain or encrypted.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProtonImporter;

/// Whether a document has the plain export's shape.
fn is_proton(doc: &Value) -> bool {
    doc.get("version").is_some()
        && doc
            .get("entries")
            .and_then(Value::as_array)
            .is_some_and(|entries| {
                entries
                    .first()
                    .is_none_or(|entry| entry.get("content").and_then(|c| c.get("uri")).is_some())
            })
}

/// Whether a document has the encrypted export's shape.
fn is_encrypted(doc: &Value) -> bool {
    doc.get("entries").is_none()
        && doc.get("salt").is_some_and(Value::is_string)
        && doc.get("content").is_some_and(Value::is_string)
}

impl Importer for ProtonImporter {
    fn id(&self) -> &'static str {
        "proton"
    }

    fn name(&self) -> &'static str {
        "Proton Authenticator export (JSON, plain or encrypted)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if is_proton(&doc) || is_encrypted(&doc) => Confidence::Likely,
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
        if is_encrypted(&doc) {
            let plaintext = decrypt(&doc, password)?;
            let inner = json::parse(FORMAT, &plaintext).map_err(|_| ImportError::Corrupt {
                format: FORMAT,
                reason: "the decrypted content is not JSON".into(),
            })?;
            if !is_proton(&inner) {
                return Err(ImportError::Corrupt {
                    format: FORMAT,
                    reason: "the decrypted content has no entries".into(),
                });
            }
            return Ok(read_entries(&inner));
        }
        if !is_proton(&doc) {
            return Err(ImportError::NotThisFormat {
                format: "a Proton Authenticator export",
                reason: "it has no entries with URIs".into(),
            });
        }
        Ok(read_entries(&doc))
    }
}

/// Opens an encrypted export: checks its structure, then derives the key
/// (Proton's fixed cost, checked against the limits like any other) and
/// decrypts.
fn decrypt(
    doc: &Value,
    password: Option<&Password>,
) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportError> {
    let corrupt = |reason: String| ImportError::Corrupt {
        format: FORMAT,
        reason,
    };
    match u64_field(doc, "version").map_err(corrupt)? {
        None | Some(1) => {}
        Some(version) => {
            return Err(ImportError::Unsupported {
                format: FORMAT,
                what: format!("encrypted export version {version} (Tessera reads version 1)"),
            })
        }
    }
    let salt = str_field(doc, "salt")
        .and_then(base64_decode)
        .filter(|salt| salt.len() >= MIN_SALT_LEN)
        .ok_or_else(|| corrupt("the salt is not base64 of at least 8 bytes".into()))?;
    let content = str_field(doc, "content")
        .and_then(base64_decode)
        .ok_or_else(|| corrupt("the content is not base64".into()))?;
    if content.len() < GCM_NONCE_LEN + GCM_TAG_LEN {
        return Err(ImportError::Truncated {
            format: FORMAT,
            what: format!(
                "the content is {} bytes, shorter than a nonce and a tag",
                content.len()
            ),
        });
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
    let cost = check_argon2(FORMAT, ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES)?;
    let key = argon2id_key(password.as_bytes(), &salt, cost).map_err(corrupt)?;
    let (nonce, sealed) = content.split_at(GCM_NONCE_LEN);
    let mut buffer = zeroize::Zeroizing::new(sealed.to_vec());
    Aes256Gcm::new((&*key).into())
        .decrypt_in_place(Nonce::from_slice(nonce), AAD, &mut *buffer)
        .map_err(|_| ImportError::WrongPassword { format: FORMAT })?;
    Ok(buffer)
}

/// The accounts of a plain export (or a decrypted one).
fn read_entries(doc: &Value) -> ImportReport {
    let mut report = ImportReport::default();
    for (index, item) in doc["entries"].as_array().into_iter().flatten().enumerate() {
        let content = item.get("content").unwrap_or(&Value::Null);
        let display_name = str_field(content, "name").unwrap_or_default().trim();
        let result = str_field(content, "uri")
            .ok_or_else(|| "the entry has no URI".to_owned())
            .and_then(|uri| read_uri(uri, display_name))
            .map(|entry| Entry {
                notes: str_field(item, "note").unwrap_or_default().to_owned(),
                ..entry
            });
        report.push(result.map_err(|message| EntryError {
            index,
            label: account_label("", display_name),
            message,
        }));
    }
    report
}

/// One entry's URI: `otpauth://` or Proton's `steam://SECRET`.
fn read_uri(uri: &str, display_name: &str) -> Result<Entry, String> {
    let uri = uri.trim();
    if let Some(secret) = strip_prefix_ignore_case(uri, "steam://") {
        let secret = base32_secret(secret.trim_end_matches('/'))?;
        let issuer = if display_name.is_empty() {
            "Steam"
        } else {
            display_name
        };
        let mut raw = RawAccount::new(issuer, "");
        raw.kind = OtpKind::Steam;
        return raw.into_enrollment(secret).map(Entry::new);
    }
    let mut enrollment = crate::entry::otpauth_uri(uri)?;
    if enrollment.name.is_empty() {
        enrollment.name = display_name.to_owned();
    }
    Ok(Entry::new(enrollment))
}

/// `text` without `prefix`, compared without regard to ASCII case.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use serde_json::json;
    use tessera_otp::OtpParams;

    fn plain() -> String {
        json!({"version": 1, "entries": [
            {"id": "1", "content": {"uri": "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno",
                                    "entry_type": "Totp", "name": "Mason"}, "note": "work laptop"},
            {"id": "2", "content": {"uri": "steam://7elgjsgxncctv3o6lkjwyfv2ra", "entry_type": "Steam",
                                    "name": "Steam"}, "note": null}
        ]})
        .to_string()
    }

    /// An encrypted export made the way Proton makes it.
    fn seal(password: &str, plaintext: &[u8]) -> Vec<u8> {
        let salt = [9u8; 16];
        let nonce = [4u8; 12];
        let cost = check_argon2("test", ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES).unwrap();
        let key = argon2id_key(password.as_bytes(), &salt, cost).unwrap();
        let mut sealed = plaintext.to_vec();
        Aes256Gcm::new((&*key).into())
            .encrypt_in_place(Nonce::from_slice(&nonce), AAD, &mut sealed)
            .unwrap();
        let content = [&nonce[..], &sealed].concat();
        json!({"version": 1, "salt": base64_encode(&salt), "content": base64_encode(&content)})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn reads_entries_and_notes() {
        let file = json!({"version": 1, "entries": [
            {"id": "1", "content": {"uri": "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno",
                                    "entry_type": "Totp", "name": "Mason"}, "note": "work laptop"},
            {"id": "2", "content": {"uri": "otpauth://totp/?secret=JBSWY3DPEHPK3PXP",
                                    "entry_type": "Totp", "name": "Shown name"}, "note": null},
            {"id": "3", "content": {"uri": "otpauth://totp/x?secret=!", "entry_type": "Totp",
                                    "name": "broken"}}
        ]})
        .to_string();
        assert_eq!(ProtonImporter.detect(file.as_bytes()), Confidence::Likely);
        let report = ProtonImporter.import(file.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 2);
        assert_eq!(report.entries[0].notes, "work laptop");
        assert_eq!(report.entries[1].enrollment.name, "Shown name");
        assert_eq!(report.errors[0].label, "broken");
    }

    #[test]
    fn steam_uris_are_steam_entries() {
        let report = ProtonImporter.import(plain().as_bytes(), None).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let steam = &report.entries[1].enrollment;
        assert_eq!(steam.params, OtpParams::steam());
        assert_eq!((steam.issuer.as_str(), steam.name.as_str()), ("Steam", ""));
        assert_eq!(
            steam.secret.to_base32().as_str(),
            "7ELGJSGXNCCTV3O6LKJWYFV2RA"
        );
        let mut named: Value = serde_json::from_str(&plain()).unwrap();
        named["entries"][1]["content"]["name"] = json!(" My games ");
        named["entries"][1]["content"]["uri"] = json!("STEAM://7elgjsgxncctv3o6lkjwyfv2ra");
        let report = ProtonImporter
            .import(named.to_string().as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries[1].enrollment.issuer, "My games");
        let bad = plain().replace("7elgj", "7elg!");
        let report = ProtonImporter.import(bad.as_bytes(), None).unwrap();
        assert_eq!(report.errors.len(), 1);
        assert!(
            !report.errors[0].to_string().contains("elg"),
            "{:?}",
            report.errors
        );
    }

    #[test]
    fn reads_the_encrypted_export() {
        let file = seal("1231246", plain().as_bytes());
        assert_eq!(ProtonImporter.detect(&file), Confidence::Likely);
        assert_eq!(crate::registry::detect(&file).unwrap().id(), "proton");
        let password = Password::from("1231246");
        let report = ProtonImporter.import(&file, Some(&password)).unwrap();
        assert_eq!(
            report,
            ProtonImporter.import(plain().as_bytes(), None).unwrap()
        );
        assert_eq!(
            ProtonImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        let wrong = Password::from("1231247");
        assert_eq!(
            ProtonImporter.import(&file, Some(&wrong)),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
    }

    #[test]
    fn the_associated_data_is_required() {
        // Sealed without Proton's associated data: must not open.
        let salt = [9u8; 16];
        let cost = check_argon2("test", ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES).unwrap();
        let key = argon2id_key(b"pw", &salt, cost).unwrap();
        let mut sealed = plain().into_bytes();
        Aes256Gcm::new((&*key).into())
            .encrypt_in_place(Nonce::from_slice(&[0; 12]), b"", &mut sealed)
            .unwrap();
        let content = [&[0u8; 12][..], &sealed].concat();
        let file =
            json!({"version": 1, "salt": base64_encode(&salt), "content": base64_encode(&content)});
        assert_eq!(
            ProtonImporter.import(file.to_string().as_bytes(), Some(&Password::from("pw"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
    }

    #[test]
    fn damaged_and_truncated_encrypted_exports() {
        let password = Password::from("pw");
        let file = seal("pw", plain().as_bytes());
        let doc: Value = serde_json::from_slice(&file).unwrap();
        let content = base64_decode(doc["content"].as_str().unwrap()).unwrap();
        let with = |key: &str, value: Value| {
            let mut doc = doc.clone();
            doc[key] = value;
            ProtonImporter.import(doc.to_string().as_bytes(), Some(&password))
        };
        assert!(matches!(
            with("content", json!(base64_encode(&content[..27]))),
            Err(ImportError::Truncated { .. })
        ));
        assert_eq!(
            with(
                "content",
                json!(base64_encode(&content[..content.len() - 1]))
            ),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        assert!(matches!(
            with("salt", json!("AAAA")),
            Err(ImportError::Corrupt { .. })
        ));
        assert!(matches!(
            with("content", json!("**")),
            Err(ImportError::Corrupt { .. })
        ));
        assert!(matches!(
            with("version", json!(2)),
            Err(ImportError::Unsupported { .. })
        ));
        assert!(matches!(
            ProtonImporter.import(&file[..file.len() - 5], Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        // Decrypts, but to something that is not an export.
        let not_json = seal("pw", b"hello");
        assert!(matches!(
            ProtonImporter.import(&not_json, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        let no_entries = seal("pw", b"{\"version\": 1}");
        assert!(matches!(
            ProtonImporter.import(&no_entries, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn proton_fixed_cost_is_within_the_limits() {
        // The cost is not read from the file, but it goes through the same
        // check as every other format's.
        assert!(check_argon2(FORMAT, ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES).is_ok());
    }

    #[test]
    fn encrypted_and_foreign_files() {
        // Formerly refused as unsupported; now a password is asked for,
        // after the structure is checked.
        let encrypted = br#"{"version": 1, "salt": "abc", "content": "xyz"}"#;
        assert!(matches!(
            ProtonImporter.import(encrypted, None),
            Err(ImportError::Corrupt { .. })
        ));
        assert_eq!(ProtonImporter.detect(b"{\"items\": []}"), Confidence::No);
        assert!(matches!(
            ProtonImporter.import(b"{\"items\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        // Ente's encrypted export has a salt too, but not at the top.
        let ente = br#"{"version": 1, "kdfParams": {"salt": "x"}, "encryptedData": "", "encryptionNonce": ""}"#;
        assert_eq!(ProtonImporter.detect(ente), Confidence::No);
    }
}
