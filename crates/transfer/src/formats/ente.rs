//! Ente Auth's encrypted export (its plain export is a URI list, read by
//! [`super::uri_list`]).
//!
//! Format: Ente's own description,
//! <https://github.com/ente-io/ente/blob/main/docs/docs/auth/migration/export.md>,
//! and its code (`mobile/apps/auth/lib/ui/settings/data/export_widget.dart`):
//! `{"version": 1, "kdfParams": {"memLimit", "opsLimit", "salt"},
//! "encryptedData", "encryptionNonce"}`, all binary values in base64. Two
//! things the documentation does not say, as the real files show:
//! - `memLimit` is in **bytes** (libsodium's `crypto_pwhash`), so Argon2id
//!   (v1.3, one lane, 32-byte key, 16-byte salt) runs with `memLimit / 1024`
//!   KiB and `opsLimit` passes. Ente's settings reach 1 GiB × 4 passes and
//!   256 MiB × 16: both within the Argon2 limits of this crate's `crypto`
//!   module, which are checked before any work is done.
//! - the cipher is libsodium's `crypto_secretstream_xchacha20poly1305`:
//!   `encryptionNonce` is the 24-byte stream header and `encryptedData` one
//!   message (17 bytes longer than its plaintext). Ente's apps close the
//!   stream with the FINAL tag in some versions and MESSAGE in others;
//!   both are accepted.
//!
//! The plaintext is the plain export: `otpauth://` lines (TOTP, HOTP and
//! `otpauth://steam/`) with Ente's `codeDisplay` JSON parameter, read by
//! the URI list importer with everything that implies (notes, tags, pinned
//! as favourite, trashed entries reported rather than imported). A wrong
//! password and a damaged `encryptedData` look the same to the cipher;
//! the file is small and a damaged one rare, so a failed authentication is
//! reported as a wrong password.
//!
//! What it cannot carry: what the plain export cannot (icons, ordering).

use crypto_secretstream::{Header, Key, PullStream, Tag};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::crypto::{argon2id_key, base64_decode, check_argon2};
use crate::entry::ImportReport;
use crate::error::ImportError;
use crate::formats::uri_list::UriListImporter;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Ente Auth encrypted export";
/// libsodium's `crypto_pwhash_SALTBYTES`.
const SALT_LEN: usize = 16;
/// libsodium's secretstream overhead: one tag byte and a 16-byte MAC.
const STREAM_OVERHEAD: usize = 17;

/// Reads Ente Auth's password-encrypted export.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnteImporter;

/// Whether a document has the encrypted export's own fields.
fn is_ente(doc: &Value) -> bool {
    doc.get("kdfParams").is_some_and(Value::is_object)
        && doc.get("encryptedData").is_some()
        && doc.get("encryptionNonce").is_some()
}

/// A base64 field, or `Corrupt` naming it.
fn base64_field(object: &Value, key: &'static str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    str_field(object, key)
        .and_then(base64_decode)
        .ok_or_else(|| ImportError::Corrupt {
            format: FORMAT,
            reason: format!("{key} is missing or not base64"),
        })
}

impl Importer for EnteImporter {
    fn id(&self) -> &'static str {
        "ente-encrypted"
    }

    fn name(&self) -> &'static str {
        "Ente Auth encrypted export"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if is_ente(&doc) => Confidence::Certain,
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
        if !is_ente(&doc) {
            return Err(ImportError::NotThisFormat {
                format: "an Ente Auth encrypted export",
                reason: "it has no kdfParams, encryptedData and encryptionNonce".into(),
            });
        }
        let corrupt = |reason: String| ImportError::Corrupt {
            format: FORMAT,
            reason,
        };
        match u64_field(&doc, "version").map_err(corrupt)? {
            None | Some(1) => {}
            Some(version) => {
                return Err(ImportError::Unsupported {
                    format: FORMAT,
                    what: format!("version {version} (Tessera reads version 1)"),
                })
            }
        }
        let kdf = &doc["kdfParams"];
        let mem_limit = u64_field(kdf, "memLimit")
            .map_err(corrupt)?
            .ok_or_else(|| corrupt("kdfParams has no memLimit".into()))?;
        let ops_limit = u64_field(kdf, "opsLimit")
            .map_err(corrupt)?
            .ok_or_else(|| corrupt("kdfParams has no opsLimit".into()))?;
        let salt = base64_field(kdf, "salt")?;
        if salt.len() != SALT_LEN {
            return Err(corrupt(format!(
                "the salt is {} bytes, not {SALT_LEN}",
                salt.len()
            )));
        }
        let header = base64_field(&doc, "encryptionNonce")?;
        let header = Header::try_from(&header[..]).map_err(|_| {
            corrupt(format!(
                "encryptionNonce is {} bytes, not {}",
                header.len(),
                Header::BYTES
            ))
        })?;
        let mut data = base64_field(&doc, "encryptedData")?;
        if data.len() < STREAM_OVERHEAD {
            return Err(ImportError::Truncated {
                format: FORMAT,
                what: format!(
                    "encryptedData is {} bytes, shorter than the cipher's own {STREAM_OVERHEAD}",
                    data.len()
                ),
            });
        }
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        // Checked before deriving: the parameters are unauthenticated.
        let cost = check_argon2(FORMAT, mem_limit / 1024, ops_limit, 1)?;
        let key = argon2id_key(password.as_bytes(), &salt, cost).map_err(corrupt)?;
        // The crate's key type cannot be wiped; ours is, and the copy lives
        // only until the message is open.
        let mut stream = PullStream::init(header, &Key::from(*key));
        let tag = stream
            .pull(&mut *data, &[])
            .map_err(|_| ImportError::WrongPassword { format: FORMAT })?;
        if !matches!(tag, Tag::Message | Tag::Final) {
            return Err(corrupt(format!(
                "the stream's message has an unexpected tag ({tag:?})"
            )));
        }
        if data.iter().all(u8::is_ascii_whitespace) {
            return Ok(ImportReport::default());
        }
        UriListImporter
            .import(&data, None)
            .map_err(|error| match error {
                ImportError::NotThisFormat { .. } => {
                    corrupt("the decrypted export holds no otpauth:// lines".into())
                }
                other => other,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use aes_gcm::aead::OsRng;
    use crypto_secretstream::PushStream;
    use serde_json::json;
    use tessera_otp::OtpKind;

    const SALT: [u8; 16] = [3; 16];

    /// The plaintext of a small export: a TOTP with Ente's extras, a HOTP
    /// and a Steam line, as Ente writes them.
    const PLAINTEXT: &str = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno\
        &codeDisplay=%7B%22pinned%22%3Atrue%2C%22tags%22%3A%5B%22work%22%5D%2C%22note%22%3A%22n%22%7D\n\
        otpauth://hotp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=SPDX&counter=4&period=30\n\
        otpauth://steam/Steam:gaben?secret=7ELGJSGXNCCTV3O6LKJWYFV2RA&issuer=Steam\n";

    /// An export sealed the way Ente seals it: cheap Argon2id (8 KiB, one
    /// pass) so the tests stay fast.
    fn seal(password: &str, plaintext: &[u8], tag: Tag, mem_limit: u64, ops: u64) -> Vec<u8> {
        let cost = check_argon2("test", mem_limit / 1024, ops, 1).unwrap();
        let key = argon2id_key(password.as_bytes(), &SALT, cost).unwrap();
        let (header, mut stream) = PushStream::init(OsRng, &Key::from(*key));
        let mut message = plaintext.to_vec();
        stream.push(&mut message, &[], tag).unwrap();
        json!({
            "version": 1,
            "kdfParams": {"memLimit": mem_limit, "opsLimit": ops, "salt": base64_encode(&SALT)},
            "encryptedData": base64_encode(&message),
            "encryptionNonce": base64_encode(header.as_ref()),
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn reads_final_and_message_tags() {
        for tag in [Tag::Final, Tag::Message] {
            let file = seal("password", PLAINTEXT.as_bytes(), tag, 8192, 1);
            assert_eq!(EnteImporter.detect(&file), Confidence::Certain);
            assert_eq!(
                crate::registry::detect(&file).unwrap().id(),
                "ente-encrypted"
            );
            let password = Password::from("password");
            let report = EnteImporter.import(&file, Some(&password)).unwrap();
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            let kinds: Vec<_> = report
                .entries
                .iter()
                .map(|e| e.enrollment.params.kind)
                .collect();
            assert_eq!(kinds, [OtpKind::Totp, OtpKind::Hotp, OtpKind::Steam]);
            let first = &report.entries[0];
            assert_eq!(first.label(), "Deno: Mason");
            assert!(first.favourite);
            assert_eq!(first.tags, ["work"]);
            assert_eq!(first.notes, "n");
            assert_eq!(report.entries[1].enrollment.params.counter, 4);
        }
    }

    #[test]
    fn password_missing_wrong_or_data_damaged() {
        let file = seal("password", PLAINTEXT.as_bytes(), Tag::Final, 8192, 1);
        assert_eq!(
            EnteImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        let wrong = Password::from("Password");
        assert_eq!(
            EnteImporter.import(&file, Some(&wrong)),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        let mut doc: Value = serde_json::from_slice(&file).unwrap();
        let mut data = base64_decode(doc["encryptedData"].as_str().unwrap()).unwrap();
        data[5] ^= 1;
        doc["encryptedData"] = base64_encode(&data).into();
        let password = Password::from("password");
        let error = EnteImporter
            .import(doc.to_string().as_bytes(), Some(&password))
            .unwrap_err();
        assert_eq!(error, ImportError::WrongPassword { format: FORMAT });
        assert!(!error.to_string().contains("password\""));
    }

    #[test]
    fn truncated_and_malformed_files() {
        let file = seal("password", PLAINTEXT.as_bytes(), Tag::Final, 8192, 1);
        let password = Password::from("password");
        let mut doc: Value = serde_json::from_slice(&file).unwrap();
        doc["encryptedData"] = base64_encode(&[0; 16]).into();
        assert!(matches!(
            EnteImporter.import(doc.to_string().as_bytes(), Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        // Cut short inside the ciphertext: the MAC fails.
        let mut doc: Value = serde_json::from_slice(&file).unwrap();
        let data = base64_decode(doc["encryptedData"].as_str().unwrap()).unwrap();
        doc["encryptedData"] = base64_encode(&data[..data.len() - 10]).into();
        assert_eq!(
            EnteImporter.import(doc.to_string().as_bytes(), Some(&password)),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        // The JSON itself cut short.
        assert!(matches!(
            EnteImporter.import(&file[..file.len() / 2], Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        for (path, value) in [
            ("encryptionNonce", json!(base64_encode(&[0; 12]))),
            ("encryptionNonce", json!("not base64!")),
            (
                "kdfParams",
                json!({"memLimit": 8192, "opsLimit": 1, "salt": "AAAA"}),
            ),
            (
                "kdfParams",
                json!({"opsLimit": 1, "salt": base64_encode(&SALT)}),
            ),
        ] {
            let mut doc: Value = serde_json::from_slice(&file).unwrap();
            doc[path] = value;
            assert!(
                matches!(
                    EnteImporter.import(doc.to_string().as_bytes(), Some(&password)),
                    Err(ImportError::Corrupt { .. })
                ),
                "{path}"
            );
        }
        let mut doc: Value = serde_json::from_slice(&file).unwrap();
        doc["version"] = json!(2);
        assert!(matches!(
            EnteImporter.import(doc.to_string().as_bytes(), Some(&password)),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn hostile_argon2_cost_is_refused_before_deriving() {
        let password = Password::from("password");
        // 4 GiB, and 1 GiB × 64 passes: refused at once (deriving either
        // would take minutes), whatever the password.
        for (mem_limit, ops) in [(4u64 << 30, 1u64), (1 << 30, 64)] {
            let mut doc: Value =
                serde_json::from_slice(&seal("password", b"x", Tag::Final, 8192, 1)).unwrap();
            doc["kdfParams"]["memLimit"] = json!(mem_limit);
            doc["kdfParams"]["opsLimit"] = json!(ops);
            let started = std::time::Instant::now();
            let error = EnteImporter
                .import(doc.to_string().as_bytes(), Some(&password))
                .unwrap_err();
            assert!(
                matches!(error, ImportError::KdfParamsTooExpensive { .. }),
                "{error:?}"
            );
            assert!(started.elapsed().as_secs() < 2);
            assert!(!error.to_string().contains('\n'));
        }
        // Below libsodium's minimum: a damaged file, not a derivation.
        let mut doc: Value =
            serde_json::from_slice(&seal("password", b"x", Tag::Final, 8192, 1)).unwrap();
        doc["kdfParams"]["memLimit"] = json!(1024);
        assert!(matches!(
            EnteImporter.import(doc.to_string().as_bytes(), Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn empty_export_and_non_uri_plaintext() {
        let password = Password::from("password");
        let file = seal("password", b"\n", Tag::Final, 8192, 1);
        let report = EnteImporter.import(&file, Some(&password)).unwrap();
        assert!(report.entries.is_empty() && report.errors.is_empty());
        let file = seal("password", b"hello", Tag::Final, 8192, 1);
        assert!(matches!(
            EnteImporter.import(&file, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn other_json_is_not_claimed() {
        for other in [
            &br#"{"version": 1, "salt": "abc", "content": "xyz"}"#[..],
            br#"{"kdfParams": 5, "encryptedData": "", "encryptionNonce": ""}"#,
            b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
        ] {
            assert_eq!(EnteImporter.detect(other), Confidence::No);
        }
        assert!(matches!(
            EnteImporter.import(b"{\"entries\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }
}
