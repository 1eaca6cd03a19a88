//! Bitwarden's JSON vault exports: the plain one, the "password
//! protected" encrypted one, and Bitwarden Authenticator's own export
//! (the same plain schema, every item a login with a TOTP field). Only
//! logins with a TOTP field become accounts; every other item is a
//! password, card or note, not an authenticator entry, and is passed over.
//! The CSV export is read by [`super::bitwarden_csv`], with the same rule
//! for the TOTP field (`totp_field_account`, which 1Password's formats
//! share too).
//!
//! Format: <https://bitwarden.com/help/encrypted-export/> and
//! <https://bitwarden.com/help/condition-bitwarden-import/>. Plain:
//! `{"encrypted": false, "folders": [{id, name}], "items": [{type, name,
//! notes, favorite, folderId, collectionIds, login: {username, totp}}]}`
//! (organisation exports have `collections` instead of `folders`; files
//! written by other tools may leave `encrypted` out, and are recognised
//! by their items' shape, less surely).
//! `login.totp` holds an `otpauth://` URI, `steam://SECRET` or a bare
//! base32 secret; without an issuer in it, the item's name is the issuer
//! and the login's username the account name. Password protected:
//! `{"encrypted": true, "passwordProtected": true, "salt", "kdfType" (0
//! PBKDF2-SHA256, 1 Argon2id), "kdfIterations", "kdfMemory" (MiB),
//! "kdfParallelism", "encKeyValidation_DO_NOT_EDIT", "data"}`. The
//! password and the salt string give a 256-bit key (Argon2id takes the
//! SHA-256 of the salt), which HKDF-Expand-SHA256 stretches into an
//! encryption key (info `enc`) and a MAC key (info `mac`); `data` and the
//! validation field are "type 2" strings `2.iv|ciphertext|mac` (base64;
//! AES-256-CBC with PKCS#7 padding, HMAC-SHA256 over iv ‖ ciphertext), and
//! `data` decrypts to a plain export. "Account restricted" encrypted
//! exports (`encrypted` without `passwordProtected`) are locked to the
//! Bitwarden account's own key: no password opens them outside Bitwarden,
//! so they are refused, saying to export again as "password protected".
//!
//! What it cannot carry: TOTP parameters beyond what its URI says (a bare
//! secret is TOTP, SHA-1, 6 digits, 30 s; `steam://` is Steam's fixed
//! parameters). Folder and collection names become tags, item notes the
//! note, `favorite` the favourite flag. Secrets: base32 as
//! `base32_secret` reads it (spaces, padding and lower
//! case allowed).

use std::collections::HashMap;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_otp::{Enrollment, OtpKind, Secret};
use zeroize::Zeroizing;

use crate::crypto::{
    argon2id_key, base64_decode, check_argon2, check_pbkdf2, pbkdf2_key, Key32, Pbkdf2Hash,
};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Bitwarden export";

/// Reads Bitwarden JSON exports, plain and password protected, and
/// Bitwarden Authenticator's export.
#[derive(Debug, Clone, Copy, Default)]
pub struct BitwardenImporter;

impl Importer for BitwardenImporter {
    fn id(&self) -> &'static str {
        "bitwarden"
    }

    fn name(&self) -> &'static str {
        "Bitwarden export (JSON, plain or password protected)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if doc.get("encrypted").is_some_and(Value::is_boolean) => {
                if doc.get("items").is_some_and(Value::is_array) || doc.get("data").is_some() {
                    Confidence::Certain
                } else {
                    Confidence::No
                }
            }
            Some(doc) if has_bitwarden_items(&doc) => Confidence::Likely,
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
        if doc.get("encrypted").and_then(Value::as_bool) != Some(true) {
            return read_export(&doc);
        }
        if doc.get("passwordProtected").and_then(Value::as_bool) != Some(true) {
            return Err(ImportError::Unsupported {
                format: FORMAT,
                what: "an \"account restricted\" encrypted export, which only Bitwarden, signed \
                       in to the account that made it, can open; export again from Bitwarden \
                       choosing the \"password protected\" file type"
                    .into(),
            });
        }
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        let keys = derive_keys(&doc, password)?;
        let validation =
            str_field(&doc, "encKeyValidation_DO_NOT_EDIT").ok_or(ImportError::Corrupt {
                format: FORMAT,
                reason: "the key validation field is missing".into(),
            })?;
        if decrypt_string(validation, &keys)?.is_none() {
            return Err(ImportError::WrongPassword { format: FORMAT });
        }
        let data = str_field(&doc, "data").ok_or(ImportError::Corrupt {
            format: FORMAT,
            reason: "the encrypted data is missing".into(),
        })?;
        let plaintext = decrypt_string(data, &keys)?.ok_or(ImportError::Corrupt {
            format: FORMAT,
            reason: "the encrypted data fails authentication".into(),
        })?;
        let inner = json::parse(FORMAT, &plaintext)?;
        read_export(&inner)
    }
}

/// Whether a document without the `encrypted` flag has Bitwarden's
/// items: objects with a numeric `type` and a `name`, at least one of them
/// a login (files written by other tools, KeePassXC's test data among
/// them, leave the flag out).
fn has_bitwarden_items(doc: &Value) -> bool {
    let Some(items) = doc.get("items").and_then(Value::as_array) else {
        return false;
    };
    !items.is_empty()
        && items.iter().all(|item| {
            item.get("type").is_some_and(Value::is_u64)
                && item.get("name").is_some_and(Value::is_string)
        })
        && items
            .iter()
            .any(|item| item.get("login").is_some_and(Value::is_object))
}

/// The stretched encryption and MAC keys.
struct Keys {
    encryption: Key32,
    mac: Key32,
}

/// Derives the keys from the password and the file's KDF settings, after
/// checking them against the limits.
fn derive_keys(doc: &Value, password: &Password) -> Result<Keys, ImportError> {
    let corrupt = |reason: &str| ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    };
    let salt = str_field(doc, "salt").ok_or_else(|| corrupt("the salt is missing"))?;
    let number = |key: &str| u64_field(doc, key).map_err(|message| corrupt(&message));
    let iterations = number("kdfIterations")?.ok_or_else(|| corrupt("kdfIterations is missing"))?;
    let master = match number("kdfType")? {
        Some(0) => {
            let iterations = check_pbkdf2(FORMAT, iterations)?;
            pbkdf2_key(
                Pbkdf2Hash::Sha256,
                password.as_bytes(),
                salt.as_bytes(),
                iterations,
            )
        }
        Some(1) => {
            let memory_mib = number("kdfMemory")?.unwrap_or(64);
            let lanes = number("kdfParallelism")?.unwrap_or(4);
            let cost = check_argon2(FORMAT, memory_mib.saturating_mul(1024), iterations, lanes)?;
            let salt_hash = Sha256::digest(salt.as_bytes());
            argon2id_key(password.as_bytes(), &salt_hash, cost)
                .map_err(|reason| corrupt(&reason))?
        }
        _ => {
            return Err(ImportError::Unsupported {
                format: FORMAT,
                what: "an unknown key derivation type".into(),
            })
        }
    };
    let hkdf = hkdf::Hkdf::<Sha256>::from_prk(&master[..]).expect("32 bytes is a valid PRK");
    let mut keys = Keys {
        encryption: Zeroizing::new([0; 32]),
        mac: Zeroizing::new([0; 32]),
    };
    hkdf.expand(b"enc", &mut keys.encryption[..])
        .expect("32 bytes is a valid length");
    hkdf.expand(b"mac", &mut keys.mac[..])
        .expect("32 bytes is a valid length");
    Ok(keys)
}

/// Decrypts a `2.iv|ciphertext|mac` string; `Ok(None)` when the MAC does
/// not match.
fn decrypt_string(field: &str, keys: &Keys) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    let corrupt = |reason: &str| ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    };
    let body = field
        .strip_prefix("2.")
        .ok_or_else(|| ImportError::Unsupported {
            format: FORMAT,
            what: "an encryption type other than AES-CBC-256 with HMAC-SHA256".into(),
        })?;
    let mut parts = body.split('|');
    let (Some(iv), Some(ciphertext), Some(mac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt("an encrypted field is not iv|data|mac"));
    };
    let iv = base64_decode(iv).ok_or_else(|| corrupt("an IV is not base64"))?;
    let ciphertext = base64_decode(ciphertext).ok_or_else(|| corrupt("data is not base64"))?;
    let mac = base64_decode(mac).ok_or_else(|| corrupt("a MAC is not base64"))?;
    if iv.len() != 16 {
        return Err(corrupt("an IV is not 16 bytes"));
    }
    let mut check = <Hmac<Sha256>>::new_from_slice(&keys.mac[..]).expect("any key length works");
    check.update(&iv);
    check.update(&ciphertext);
    if check.verify_slice(&mac).is_err() {
        return Ok(None);
    }
    let decryptor = cbc::Decryptor::<aes::Aes256>::new((&*keys.encryption).into(), iv[..].into());
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let len = decryptor
        .decrypt_padded_mut::<Pkcs7>(&mut buffer)
        .map_err(|_| corrupt("bad padding after a valid MAC"))?
        .len();
    buffer.truncate(len);
    Ok(Some(buffer))
}

/// Reads a plain export object.
fn read_export(doc: &Value) -> Result<ImportReport, ImportError> {
    let items = doc
        .get("items")
        .and_then(Value::as_array)
        .ok_or(ImportError::NotThisFormat {
            format: "a Bitwarden export",
            reason: "it has no items list".into(),
        })?;
    let names = |key: &str| -> HashMap<&str, &str> {
        doc.get(key)
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|f| Some((str_field(f, "id")?, str_field(f, "name")?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let folders = names("folders");
    let collections = names("collections");
    let mut report = ImportReport::default();
    for (index, item) in items.iter().enumerate() {
        let login = item.get("login").unwrap_or(&Value::Null);
        let Some(totp) = str_field(login, "totp")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let item_name = str_field(item, "name").unwrap_or_default().trim();
        let username = str_field(login, "username").unwrap_or_default().trim();
        let result = totp_field_account(totp, item_name, username).map(|enrollment| {
            let mut tags = Vec::new();
            if let Some(folder) = str_field(item, "folderId").and_then(|id| folders.get(id)) {
                tags.push((*folder).to_owned());
            }
            for id in item
                .get("collectionIds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if let Some(name) = collections.get(id) {
                    if !tags.iter().any(|t| t == name) {
                        tags.push((*name).to_owned());
                    }
                }
            }
            Entry {
                enrollment,
                notes: str_field(item, "notes").unwrap_or_default().to_owned(),
                favourite: item
                    .get("favorite")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                tags,
                recovery: None,
            }
        });
        report.push(result.map_err(|message| EntryError {
            index,
            label: crate::entry::account_label(item_name, username),
            message,
        }));
    }
    Ok(report)
}

/// The one rule for a password manager's TOTP field (Bitwarden's
/// `login.totp` and CSV `login_totp`, 1Password's `totp` fields): an
/// `otpauth://` URI, `steam://SECRET`, or a bare base32 secret. A URI's own
/// issuer and account name win; whichever it lacks comes from the item:
/// its title as the issuer, its user name as the account name. A bare or
/// Steam secret takes both from the item.
pub(crate) fn totp_field_account(
    totp: &str,
    title: &str,
    username: &str,
) -> Result<Enrollment, String> {
    let totp = totp.trim();
    // Bytes, not a `str` slice: the field is arbitrary text, and cutting it
    // inside a multi-byte character panicked.
    let has_scheme = |scheme: &str| {
        totp.len() > scheme.len()
            && totp.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
    };
    if has_scheme("otpauth:") {
        let mut enrollment = crate::entry::otpauth_uri(totp)?;
        if enrollment.issuer.is_empty() {
            enrollment.issuer = title.trim().to_owned();
            tessera_otp::check_label(&enrollment.issuer, "issuer")
                .map_err(|error| error.to_string())?;
        }
        if enrollment.name.is_empty() {
            enrollment.name = username.trim().to_owned();
            tessera_otp::check_label(&enrollment.name, "account name")
                .map_err(|error| error.to_string())?;
        }
        return Ok(enrollment);
    }
    let mut raw = RawAccount::new(title, username);
    let secret = if has_scheme("steam://") {
        raw.kind = OtpKind::Steam;
        &totp[8..]
    } else {
        totp
    };
    let secret: Secret = base32_secret(secret)?;
    raw.into_enrollment(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use aes::cipher::BlockEncryptMut;
    use serde_json::json;
    use tessera_otp::{Algorithm, OtpKind};

    fn plain() -> Value {
        json!({
            "encrypted": false,
            "folders": [{"id": "f1", "name": "2FA"}],
            "items": [
                {"type": 1, "name": "Test 1", "notes": "primary", "favorite": true, "folderId": "f1",
                 "login": {"username": "mason", "totp":
                    "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno"}},
                {"type": 1, "name": "Test Steam", "notes": null, "favorite": false,
                 "login": {"username": null, "totp": "steam://JRZCL47CMXVOQMNPZR2F7J4RGI"}},
                {"type": 1, "name": "example.com", "login": {"username": "bob", "totp": "JBSW Y3DP EHPK 3PXP"}},
                {"type": 1, "name": "no totp", "login": {"username": "x", "password": "y", "totp": null}},
                {"type": 2, "name": "a note", "secureNote": {"type": 0}},
                {"type": 1, "name": "broken", "login": {"username": "z",
                    "totp": "otpauth://totp/x?secret=AB!"}},
                {"type": 1, "name": "Org", "collectionIds": ["c1"],
                 "login": {"totp": "otpauth://totp/:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256"}}
            ],
            "collections": [{"id": "c1", "name": "Shared"}]
        })
    }

    fn check(report: &ImportReport) {
        assert_eq!(report.entries.len(), 4, "{:?}", report.errors);
        let first = &report.entries[0];
        assert_eq!(
            (
                first.enrollment.issuer.as_str(),
                first.enrollment.name.as_str()
            ),
            ("Deno", "Mason")
        );
        assert_eq!((first.notes.as_str(), first.favourite), ("primary", true));
        assert_eq!(first.tags, vec!["2FA"]);
        let steam = &report.entries[1].enrollment;
        assert_eq!(steam.params.kind, OtpKind::Steam);
        assert_eq!(
            (steam.issuer.as_str(), steam.name.as_str()),
            ("Test Steam", "")
        );
        let bare = &report.entries[2].enrollment;
        assert_eq!(
            (bare.issuer.as_str(), bare.name.as_str()),
            ("example.com", "bob")
        );
        assert_eq!(bare.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        let org = &report.entries[3];
        assert_eq!(org.enrollment.issuer, "Org");
        assert_eq!(org.enrollment.params.algorithm, Algorithm::Sha256);
        assert_eq!(org.tags, vec!["Shared"]);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(
            (report.errors[0].index, report.errors[0].label.as_str()),
            (5, "broken: z")
        );
    }

    #[test]
    fn plain_export() {
        let bytes = plain().to_string();
        assert_eq!(
            BitwardenImporter.detect(bytes.as_bytes()),
            Confidence::Certain
        );
        check(&BitwardenImporter.import(bytes.as_bytes(), None).unwrap());
    }

    /// Encrypts a `2.` string the way Bitwarden does.
    fn encrypt_string(plaintext: &[u8], keys: &Keys, iv: [u8; 16]) -> String {
        let ciphertext = cbc::Encryptor::<aes::Aes256>::new((&*keys.encryption).into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
        let mut mac = <Hmac<Sha256>>::new_from_slice(&keys.mac[..]).unwrap();
        mac.update(&iv);
        mac.update(&ciphertext);
        format!(
            "2.{}|{}|{}",
            base64_encode(&iv),
            base64_encode(&ciphertext),
            base64_encode(&mac.finalize().into_bytes())
        )
    }

    fn protected(kdf: Value, password: &str) -> Value {
        let mut file = json!({"encrypted": true, "passwordProtected": true,
                              "salt": "rNYWSe/wFO1k+Qxia0A96A=="});
        for (key, value) in kdf.as_object().unwrap() {
            file[key] = value.clone();
        }
        let keys = derive_keys(&file, &Password::from(password)).unwrap();
        file["encKeyValidation_DO_NOT_EDIT"] =
            encrypt_string(b"6a7ee4c5-0b8e-4e36-a4a2-7f1d8a2b1c3d", &keys, [7; 16]).into();
        file["data"] = encrypt_string(plain().to_string().as_bytes(), &keys, [8; 16]).into();
        file
    }

    #[test]
    fn password_protected_export_with_pbkdf2() {
        let file =
            protected(json!({"kdfType": 0, "kdfIterations": 5000}), "passphrase").to_string();
        assert_eq!(
            BitwardenImporter.detect(file.as_bytes()),
            Confidence::Certain
        );
        let password = Password::from("passphrase");
        check(
            &BitwardenImporter
                .import(file.as_bytes(), Some(&password))
                .unwrap(),
        );
        assert_eq!(
            BitwardenImporter.import(file.as_bytes(), None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        assert_eq!(
            BitwardenImporter.import(file.as_bytes(), Some(&Password::from("wrong"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
    }

    #[test]
    fn password_protected_export_with_argon2id() {
        let kdf = json!({"kdfType": 1, "kdfIterations": 2, "kdfMemory": 16, "kdfParallelism": 2});
        let file = protected(kdf, "passphrase").to_string();
        let password = Password::from("passphrase");
        check(
            &BitwardenImporter
                .import(file.as_bytes(), Some(&password))
                .unwrap(),
        );
    }

    /// The key schedule against an independent computation: PBKDF2 from
    /// RFC 7914's vector, then HKDF-Expand (RFC 5869) done by hand with
    /// HMAC, so a mistake in either step shows.
    #[test]
    fn key_stretching_is_hkdf_expand_of_the_master_key() {
        let file = json!({"salt": "salt", "kdfType": 0, "kdfIterations": 1});
        let keys = derive_keys(&file, &Password::from("passwd")).unwrap();
        let master = pbkdf2_key(Pbkdf2Hash::Sha256, b"passwd", b"salt", 1);
        for (info, key) in [(&b"enc"[..], &keys.encryption), (b"mac", &keys.mac)] {
            let mut hmac = <Hmac<Sha256>>::new_from_slice(&master[..]).unwrap();
            hmac.update(info);
            hmac.update(&[1]);
            assert_eq!(&hmac.finalize().into_bytes()[..], &key[..]);
        }
    }

    #[test]
    fn refusals() {
        let restricted = json!({"encrypted": true, "encKeyValidation_DO_NOT_EDIT": "2.a|b|c",
                                "data": "2.a|b|c"});
        let error = BitwardenImporter
            .import(restricted.to_string().as_bytes(), None)
            .unwrap_err();
        assert!(matches!(error, ImportError::Unsupported { .. }));
        assert!(error.to_string().contains("password protected"), "{error}");
        assert!(!error.to_string().contains('\n'), "{error}");
        // A password changes nothing: no password opens such an export.
        assert_eq!(
            BitwardenImporter.import(
                restricted.to_string().as_bytes(),
                Some(&Password::from("passphrase"))
            ),
            Err(error)
        );

        let password = Password::from("passphrase");
        let mut absurd = protected(json!({"kdfType": 0, "kdfIterations": 1}), "passphrase");
        absurd["kdfIterations"] = 2_000_000_000u64.into();
        assert!(matches!(
            BitwardenImporter.import(absurd.to_string().as_bytes(), Some(&password)),
            Err(ImportError::KdfParamsTooExpensive { kdf: "PBKDF2", .. })
        ));
        let mut absurd = protected(json!({"kdfType": 0, "kdfIterations": 1}), "passphrase");
        absurd["kdfType"] = 1.into();
        absurd["kdfMemory"] = 1_000_000.into();
        absurd["kdfIterations"] = 3.into();
        assert!(matches!(
            BitwardenImporter.import(absurd.to_string().as_bytes(), Some(&password)),
            Err(ImportError::KdfParamsTooExpensive {
                kdf: "Argon2id",
                ..
            })
        ));
        let mut tampered = protected(json!({"kdfType": 0, "kdfIterations": 1}), "passphrase");
        let data = tampered["data"].as_str().unwrap().replacen("2.", "2.A", 1);
        tampered["data"] = data.into();
        assert!(matches!(
            BitwardenImporter.import(tampered.to_string().as_bytes(), Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        assert_eq!(BitwardenImporter.detect(b"{\"items\": []}"), Confidence::No);
        assert!(matches!(
            BitwardenImporter.import(b"{\"encrypted\": false}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    #[test]
    fn exports_without_the_encrypted_flag_are_recognised_by_their_items() {
        let mut doc = plain();
        doc.as_object_mut().unwrap().remove("encrypted");
        let bytes = doc.to_string();
        assert_eq!(
            BitwardenImporter.detect(bytes.as_bytes()),
            Confidence::Likely
        );
        check(&BitwardenImporter.import(bytes.as_bytes(), None).unwrap());
        for other in [
            json!({"items": []}),
            json!({"items": [{"name": "x", "login": {}}]}),
            json!({"items": [{"type": 2, "name": "a note"}]}),
        ] {
            assert_eq!(
                BitwardenImporter.detect(other.to_string().as_bytes()),
                Confidence::No,
                "{other}"
            );
        }
    }

    /// The shared rule for a TOTP field, as 1Password's formats use it
    /// too: a URI's labels win, the item fills what the URI lacks, and a
    /// bare or Steam secret takes both labels from the item, trimmed.
    #[test]
    fn totp_field_rule() {
        let labels = |totp: &str| {
            let enrollment = totp_field_account(totp, " Title ", " user ").unwrap();
            (enrollment.issuer, enrollment.name, enrollment.params.kind)
        };
        let owned = |i: &str, n: &str, k| (i.to_owned(), n.to_owned(), k);
        assert_eq!(
            labels("otpauth://totp/Iss:alice?secret=JBSWY3DPEHPK3PXP"),
            owned("Iss", "alice", OtpKind::Totp)
        );
        assert_eq!(
            labels("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP"),
            owned("Title", "alice", OtpKind::Totp)
        );
        assert_eq!(
            labels("otpauth://totp/?secret=JBSWY3DPEHPK3PXP&issuer=Iss"),
            owned("Iss", "user", OtpKind::Totp)
        );
        assert_eq!(
            labels(" jbswy3dpehpk3pxp "),
            owned("Title", "user", OtpKind::Totp)
        );
        assert_eq!(
            labels("STEAM://JBSWY3DPEHPK3PXP"),
            owned("Title", "user", OtpKind::Steam)
        );
        assert!(totp_field_account("JBSWY3DPEHPK3PXP", "a\u{7}b", "").is_err());
    }

    /// Found while writing the `import_bitwarden` fuzz target: a `totp` field with a
    /// multi-byte character across a scheme's length (`otpauth` then `é`)
    /// panicked, cutting the text inside the character. Each is now an
    /// entry error.
    #[test]
    fn regression_fuzz_bitwarden_totp_cut_inside_a_character_is_an_entry_error() {
        let file = r#"{"encrypted": false, "items": [
            {"name": "a", "login": {"totp": "otpauthé"}},
            {"name": "b", "login": {"totp": "steam:/é"}}]}"#;
        let report = BitwardenImporter.import(file.as_bytes(), None).unwrap();
        assert!(report.entries.is_empty());
        assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    }
}
