//! Authy's token store on Android: the shared preferences file
//! `com.authy.storage.tokens.authenticator.xml`, from a rooted phone or an
//! `adb backup` (Authy has no export).
//!
//! Format: no published specification; the layout is the one Aegis reads
//! (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/AuthyImporter.java>).
//! The `<string>` named `com.authy.storage.tokens.authenticator.key` is a
//! JSON array of tokens: `originalName` ("Issuer:Name"), `originalIssuer`,
//! `name` (the name shown), `digits`, and either `decryptedSecret` (base32)
//! or `encryptedSecret` (base64) with its `salt`. An encrypted secret is
//! decrypted with the Authy backup password: per token,
//! PBKDF2-HMAC-SHA1(password, the salt string as UTF-8, 1000 iterations,
//! 256 bits) is an AES-256-CBC key with an all-zero IV and PKCS#7 padding,
//! and the plaintext is the secret in base32. The iteration count is
//! Authy's, fixed, not read from the file.
//!
//! CBC has no authentication, so a wrong password shows only as bad
//! padding or a plaintext that is not base32: when no encrypted token
//! decrypts, the file is refused with "wrong password or damaged"; when
//! some do, the others are entry errors.
//!
//! What it cannot carry: Authy stores no algorithm and no period. Its
//! ordinary tokens are SHA1 and 30 s, which Tessera applies (Authy's own
//! accounts, 7 digits and 10 s, live elsewhere and are not in this file).
//! Notes, favourites, tags: none. Base32 secrets are read with Tessera's
//! usual leniency (spaces, padding and case ignored).

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use serde_json::Value;
use zeroize::Zeroizing;

use super::android_prefs;
use crate::crypto::{base64_decode, pbkdf2_key, Pbkdf2Hash};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Authy";

/// The preference holding the tokens.
const TOKENS_KEY: &str = "com.authy.storage.tokens.authenticator.key";

/// Authy's fixed PBKDF2 iteration count.
const ITERATIONS: u32 = 1000;

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// Reads Authy's Android token store.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthyImporter;

impl Importer for AuthyImporter {
    fn id(&self) -> &'static str {
        "authy"
    }

    fn name(&self) -> &'static str {
        "Authy (Android shared preferences)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if android_prefs::has_string(bytes, TOKENS_KEY) {
            Confidence::Certain
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
        let prefs = android_prefs::parse(FORMAT, bytes)?;
        let tokens = prefs.string(TOKENS_KEY).ok_or(ImportError::NotThisFormat {
            format: "an Authy token store",
            reason: "it has no Authy tokens".into(),
        })?;
        let tokens = json::parse(FORMAT, tokens.as_bytes())?;
        let tokens = tokens.as_array().ok_or_else(|| ImportError::Corrupt {
            format: FORMAT,
            reason: "the tokens are not a list".into(),
        })?;
        let encrypted = tokens
            .iter()
            .filter(|t| t.get("decryptedSecret").is_none() && t.get("encryptedSecret").is_some())
            .count();
        if encrypted > 0 && password.is_none() {
            return Err(ImportError::PasswordRequired { format: FORMAT });
        }
        let mut report = ImportReport::default();
        let mut undecryptable = 0;
        for (index, token) in tokens.iter().enumerate() {
            let result = read_token(token, password);
            if let Err(Failure::Decrypt(_)) = &result {
                undecryptable += 1;
            }
            report.push(result.map_err(|failure| {
                let (label, message) = failure.into_parts();
                EntryError {
                    index,
                    label,
                    message,
                }
            }));
        }
        if encrypted > 0 && undecryptable == encrypted {
            return Err(ImportError::WrongPasswordOrDamaged { format: FORMAT });
        }
        Ok(report)
    }
}

/// Why a token was not read: its secret did not decrypt (a wrong
/// password, if none does), or something else; both carry the label and
/// the message.
enum Failure {
    Decrypt((String, String)),
    Other((String, String)),
}

impl Failure {
    fn into_parts(self) -> (String, String) {
        match self {
            Failure::Decrypt(parts) | Failure::Other(parts) => parts,
        }
    }
}

/// Issuer and name: `originalIssuer`, and the name from `originalName`
/// (or `name`) with an "Issuer:" prefix split off.
fn labels(token: &Value) -> (String, String) {
    let mut issuer = str_field(token, "originalIssuer")
        .unwrap_or_default()
        .trim();
    let mut name = str_field(token, "originalName")
        .filter(|n| !n.trim().is_empty())
        .or_else(|| str_field(token, "name"))
        .unwrap_or_default()
        .trim();
    if let Some((prefix, rest)) = name.split_once(':') {
        if issuer.is_empty() || prefix.trim() == issuer {
            issuer = prefix.trim();
            name = rest.trim();
        }
    }
    (issuer.to_owned(), name.to_owned())
}

fn read_token(token: &Value, password: Option<&Password>) -> Result<Entry, Failure> {
    let (issuer, name) = labels(token);
    let mut raw = RawAccount::new(issuer, name);
    let label = raw.label();
    let other = |message: String| Failure::Other((label.clone(), message));
    if let Some(digits) = u8_field(token, "digits").map_err(other)? {
        raw.digits = digits;
    }
    let secret = if let Some(text) = str_field(token, "decryptedSecret") {
        base32_secret(text).map_err(other)?
    } else {
        let (Some(ciphertext), Some(salt), Some(password)) = (
            str_field(token, "encryptedSecret"),
            str_field(token, "salt"),
            password,
        ) else {
            return Err(other("the token has no secret".into()));
        };
        let plaintext = decrypt(ciphertext, salt, password).ok_or_else(|| {
            Failure::Decrypt((label.clone(), "the secret does not decrypt".into()))
        })?;
        let text = std::str::from_utf8(&plaintext)
            .map_err(|_| Failure::Decrypt((label.clone(), "the secret does not decrypt".into())))?;
        base32_secret(text).map_err(|_| {
            Failure::Decrypt((label.clone(), "the decrypted secret is not base32".into()))
        })?
    };
    raw.into_enrollment(secret)
        .map(Entry::new)
        .map_err(|message| Failure::Other((label.clone(), message)))
}

/// Decrypts one `encryptedSecret`; `None` when it is not base64 or its
/// padding is wrong.
fn decrypt(ciphertext: &str, salt: &str, password: &Password) -> Option<Zeroizing<Vec<u8>>> {
    let ciphertext = base64_decode(ciphertext)?;
    if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
        return None;
    }
    let key = pbkdf2_key(
        Pbkdf2Hash::Sha1,
        password.as_bytes(),
        salt.as_bytes(),
        ITERATIONS,
    );
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let len = Aes256CbcDec::new(key.as_ref().into(), &[0u8; 16].into())
        .decrypt_padded_mut::<Pkcs7>(&mut buffer)
        .ok()?
        .len();
    buffer.truncate(len);
    Some(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use crate::formats::android_prefs::write_prefs;
    use aes::cipher::BlockEncryptMut;

    type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

    fn encrypt(secret: &str, salt: &str, password: &str) -> String {
        let key = pbkdf2_key(
            Pbkdf2Hash::Sha1,
            password.as_bytes(),
            salt.as_bytes(),
            ITERATIONS,
        );
        let ciphertext = Aes256CbcEnc::new(key.as_ref().into(), &[0u8; 16].into())
            .encrypt_padded_vec_mut::<Pkcs7>(secret.as_bytes());
        base64_encode(&ciphertext)
    }

    fn file(tokens: Value) -> String {
        write_prefs(&[(TOKENS_KEY, &tokens.to_string())])
    }

    #[test]
    fn reads_plain_tokens_with_sha1_and_30_seconds() {
        let xml = file(serde_json::json!([
            {"decryptedSecret": "4SJHB4GSD43FZBAI7C2HLRJGPQ", "digits": 7,
             "originalIssuer": "Deno", "originalName": "Deno:Mason", "name": "Deno: Mason"},
            {"decryptedSecret": "JBSWY3DPEHPK3PXP", "digits": 6, "name": "Plain:Name"},
            {"decryptedSecret": "!!", "digits": 6, "name": "Bad"},
        ]));
        assert_eq!(AuthyImporter.detect(xml.as_bytes()), Confidence::Certain);
        let report = AuthyImporter.import(xml.as_bytes(), None).unwrap();
        let labels: Vec<String> = report.entries.iter().map(Entry::label).collect();
        assert_eq!(labels, ["Deno: Mason", "Plain: Name"]);
        let params = &report.entries[0].enrollment.params;
        assert_eq!((params.digits, params.period), (7, 30));
        assert_eq!(params.algorithm, tessera_otp::Algorithm::Sha1);
        assert_eq!(report.errors.len(), 1);
    }

    #[test]
    fn decrypts_with_the_password_and_refuses_a_wrong_one() {
        let xml = file(serde_json::json!([
            {"encryptedSecret": encrypt("4SJHB4GSD43FZBAI7C2HLRJGPQ", "salt-one", "testtest"),
             "salt": "salt-one", "digits": 6, "originalIssuer": "Deno", "originalName": "Deno:Mason"},
            {"encryptedSecret": encrypt("JBSWY3DPEHPK3PXP", "salt-two", "other"),
             "salt": "salt-two", "digits": 8, "originalName": "Lone"},
        ]));
        assert!(matches!(
            AuthyImporter.import(xml.as_bytes(), None),
            Err(ImportError::PasswordRequired { .. })
        ));
        let password = Password::from("testtest".to_owned());
        let report = AuthyImporter
            .import(xml.as_bytes(), Some(&password))
            .unwrap();
        assert_eq!(
            report.entries[0].enrollment.secret.to_base32().as_str(),
            "4SJHB4GSD43FZBAI7C2HLRJGPQ"
        );
        // The second was encrypted with another password: an entry error.
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].label, "Lone");
        let wrong = Password::from("wrong".to_owned());
        let only_first = file(serde_json::json!([
            {"encryptedSecret": encrypt("4SJHB4GSD43FZBAI7C2HLRJGPQ", "s", "testtest"),
             "salt": "s", "digits": 6, "originalName": "A"},
        ]));
        assert!(matches!(
            AuthyImporter.import(only_first.as_bytes(), Some(&wrong)),
            Err(ImportError::WrongPasswordOrDamaged { .. })
        ));
    }

    #[test]
    fn damaged_lists_are_refused() {
        let xml = write_prefs(&[(TOKENS_KEY, "[{\"digits\": 6")]);
        assert!(matches!(
            AuthyImporter.import(xml.as_bytes(), None),
            Err(ImportError::Truncated { .. })
        ));
        let xml = write_prefs(&[(TOKENS_KEY, "{}")]);
        assert!(matches!(
            AuthyImporter.import(xml.as_bytes(), None),
            Err(ImportError::Corrupt { .. })
        ));
        let other = write_prefs(&[("tokenOrder", "[]")]);
        assert_eq!(AuthyImporter.detect(other.as_bytes()), Confidence::No);
    }
}
