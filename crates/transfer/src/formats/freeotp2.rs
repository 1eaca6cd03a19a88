//! FreeOTP 2.x's encrypted backup (`externalBackup.xml` or the Android
//! backup of the app's `tokens.xml`): despite the name, a Java-serialised
//! `HashMap<String, String>`.
//!
//! Format: no published specification; FreeOTP's `TokenPersistence`,
//! `MasterKey` and `EncryptedKey` classes
//! (<https://github.com/freeotp/freeotp-android>, 2.x) and the Java
//! Object Serialization Stream Protocol
//! (<https://docs.oracle.com/javase/8/docs/platform/serialization/spec/protocol.html>).
//! The map holds:
//! - `masterKey`: JSON `{mAlgorithm, mIterations, mSalt, mEncryptedKey}`.
//!   PBKDF2 (`PBKDF2withHmacSHA1` or `PBKDF2withHmacSHA512`) of the
//!   password over `mSalt` gives a 256-bit key; `mEncryptedKey` is
//!   `{mCipher "AES/GCM/NoPadding", mCipherText, mParameters, mToken}`,
//!   AES-GCM ciphertext and tag, the nonce inside the DER `mParameters`
//!   (a bare OCTET STRING, or SEQUENCE { OCTET STRING, INTEGER tag
//!   length }), the associated data the text of `mToken`. It decrypts to
//!   the master key.
//! - `<uuid>`: JSON `{"key": "<an EncryptedKey as JSON text>"}`, which the
//!   master key decrypts (associated data its own `mToken`, the HMAC name)
//!   to the token's secret bytes.
//! - `<uuid>-token`: the token's metadata, FreeOTP's token JSON without a
//!   secret (read by `freeotp::token_account`); a missing `algo`,
//!   `digits` or `period` means SHA1, 6, 30 s. Counters are kept as
//!   stored.
//!
//! The Java stream is read only as far as such a map needs: one object of
//! class `java.util.HashMap` with primitive fields, its block of capacity
//! and size, then string keys and values (back-references to earlier
//! strings allowed). Anything else is refused. Entry count and string
//! lengths are bounded and checked against the bytes left before anything
//! is allocated. The PBKDF2 cost is checked before deriving; a master key
//! whose tag fails means a wrong password.
//!
//! What it cannot carry: notes, favourites, tags, Steam Guard; images are
//! dropped. Tokens are listed in the map's order, which is a hash order,
//! not the app's.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use serde_json::Value;
use tessera_otp::Secret;
use zeroize::Zeroizing;

use super::freeotp::{signed_bytes, token_account};
use crate::crypto::{check_pbkdf2, GCM_NONCE_LEN, GCM_TAG_LEN};
use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "FreeOTP 2 backup";

/// The stream header and the start of a `java.util.HashMap` object.
const HEADER: &[u8] = b"\xac\xed\x00\x05\x73\x72\x00\x11java.util.HashMap";

/// Most entries the map may have (two per token and the master key).
const MAX_ENTRIES: u32 = 20_000;
/// Longest string: a token's JSON is a few hundred bytes.
const MAX_STRING_LEN: u64 = 1024 * 1024;
/// Most fields the class description may list (HashMap has two).
const MAX_FIELDS: u16 = 16;

/// Reads FreeOTP 2.x backups.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeOtp2Importer;

impl Importer for FreeOtp2Importer {
    fn id(&self) -> &'static str {
        "freeotp2"
    }

    fn name(&self) -> &'static str {
        "FreeOTP 2 backup (Java-serialised)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if bytes.starts_with(HEADER) && bytes.windows(9).any(|w| w == b"masterKey") {
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
        if !bytes.starts_with(&HEADER[..4]) {
            return Err(ImportError::NotThisFormat {
                format: "a FreeOTP 2 backup",
                reason: "it is not a Java-serialised object".into(),
            });
        }
        let map = read_string_map(bytes)?;
        let master = map
            .iter()
            .find(|(key, _)| key == "masterKey")
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| ImportError::Corrupt {
                format: FORMAT,
                reason: "it has no master key".into(),
            })?;
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        let master = unlock_master_key(master, password)?;
        let mut report = ImportReport::default();
        let secrets = map
            .iter()
            .filter(|(key, _)| key != "masterKey" && !key.ends_with("-token"));
        for (index, (uuid, value)) in secrets.enumerate() {
            let metadata = map
                .iter()
                .find(|(key, _)| key.strip_suffix("-token") == Some(uuid.as_str()))
                .map(|(_, value)| value.as_str());
            report.push(
                read_token(&master, value, metadata).map_err(|(label, message)| EntryError {
                    index,
                    label,
                    message,
                }),
            );
        }
        Ok(report)
    }
}

fn corrupt(reason: &str) -> ImportError {
    ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    }
}

/// One token: its decrypted secret and its metadata. Errors carry the
/// label (when the metadata is readable) and the message.
fn read_token(
    master: &[u8],
    value: &str,
    metadata: Option<&str>,
) -> Result<Entry, (String, String)> {
    let metadata =
        metadata.ok_or_else(|| (String::new(), "the token has no details".to_owned()))?;
    let metadata = json::parse(FORMAT, metadata.as_bytes()).map_err(|_| {
        (
            String::new(),
            "the token's details are not readable JSON".to_owned(),
        )
    })?;
    let raw = token_account(&metadata)?;
    let label = raw.label();
    let fail = |message: &str| (label.clone(), message.to_owned());
    let outer = json::parse(FORMAT, value.as_bytes())
        .map_err(|_| fail("the token's key is not readable JSON"))?;
    let inner = str_field(&outer, "key").ok_or_else(|| fail("the token has no key"))?;
    let inner = json::parse(FORMAT, inner.as_bytes())
        .map_err(|_| fail("the token's key is not readable JSON"))?;
    let secret = decrypt_key(master, &inner).map_err(|error| match error {
        KeyError::Bad(message) => fail(message),
        KeyError::Unauthentic => fail("the secret does not decrypt with the master key"),
    })?;
    let secret =
        Secret::from_bytes(secret.to_vec()).map_err(|error| (label.clone(), error.to_string()))?;
    raw.into_enrollment(secret)
        .map(Entry::new)
        .map_err(|message| (label.clone(), message))
}

/// The PBKDF2 iterations a FreeOTP 2 backup's master key asks for, read
/// as the importer reads it, without deriving anything: for callers that
/// must bound the work before handing over a password (the fuzz targets).
pub fn pbkdf2_iterations(bytes: &[u8]) -> Result<u64, ImportError> {
    let map = read_string_map(bytes)?;
    let master = map
        .iter()
        .find(|(key, _)| key == "masterKey")
        .map(|(_, value)| value.as_str())
        .ok_or_else(|| corrupt("it has no master key"))?;
    let doc = json::parse(FORMAT, master.as_bytes())?;
    u64_field(&doc, "mIterations")
        .map_err(|_| corrupt("the master key's iteration count is not a number"))?
        .ok_or_else(|| corrupt("the master key has no iteration count"))
}

/// Derives the password key and decrypts the master key.
fn unlock_master_key(master: &str, password: &Password) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let doc = json::parse(FORMAT, master.as_bytes())?;
    let iterations = u64_field(&doc, "mIterations")
        .map_err(|_| corrupt("the master key's iteration count is not a number"))?
        .ok_or_else(|| corrupt("the master key has no iteration count"))?;
    let salt = doc
        .get("mSalt")
        .and_then(signed_bytes)
        .ok_or_else(|| corrupt("the master key has no salt"))?;
    let encrypted = doc
        .get("mEncryptedKey")
        .filter(|k| k.is_object())
        .ok_or_else(|| corrupt("the master key has no encrypted key"))?;
    let algorithm = str_field(&doc, "mAlgorithm").unwrap_or_default();
    let sha512 = match algorithm.to_ascii_lowercase().as_str() {
        "pbkdf2withhmacsha1" => false,
        "pbkdf2withhmacsha512" => true,
        _ => {
            return Err(ImportError::Unsupported {
                format: FORMAT,
                what: "a master key derived with something other than PBKDF2-HMAC-SHA1 or -SHA512"
                    .into(),
            })
        }
    };
    let iterations = check_pbkdf2(FORMAT, iterations)?;
    let mut key = Zeroizing::new([0u8; 32]);
    if sha512 {
        pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &salt, iterations, &mut *key);
    } else {
        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), &salt, iterations, &mut *key);
    }
    decrypt_key(&key[..], encrypted).map_err(|error| match error {
        KeyError::Unauthentic => ImportError::WrongPassword { format: FORMAT },
        KeyError::Bad(message) => corrupt(message),
    })
}

/// Why an `EncryptedKey` did not decrypt.
enum KeyError {
    /// Malformed: the message says what.
    Bad(&'static str),
    /// The GCM tag did not match.
    Unauthentic,
}

/// Decrypts one of FreeOTP's `EncryptedKey`s with a 128- or 256-bit key.
fn decrypt_key(key: &[u8], encrypted: &Value) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let cipher = str_field(encrypted, "mCipher").unwrap_or_default();
    if !cipher.eq_ignore_ascii_case("AES/GCM/NoPadding") {
        return Err(KeyError::Bad(
            "a key encrypted with something other than AES-GCM",
        ));
    }
    let ciphertext = encrypted
        .get("mCipherText")
        .and_then(signed_bytes)
        .ok_or(KeyError::Bad("an encrypted key without its ciphertext"))?;
    let parameters = encrypted
        .get("mParameters")
        .and_then(signed_bytes)
        .ok_or(KeyError::Bad("an encrypted key without its parameters"))?;
    let nonce = gcm_nonce(&parameters).ok_or(KeyError::Bad(
        "an encrypted key whose parameters are not a 12-byte nonce and a 16-byte tag",
    ))?;
    let aad = str_field(encrypted, "mToken").unwrap_or_default();
    if ciphertext.len() < GCM_TAG_LEN {
        return Err(KeyError::Bad("an encrypted key shorter than its tag"));
    }
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let nonce = Nonce::from_slice(nonce);
    let opened = match key.len() {
        32 => Aes256Gcm::new_from_slice(key)
            .map_err(|_| KeyError::Unauthentic)?
            .decrypt_in_place(nonce, aad.as_bytes(), &mut *buffer),
        16 => Aes128Gcm::new_from_slice(key)
            .map_err(|_| KeyError::Unauthentic)?
            .decrypt_in_place(nonce, aad.as_bytes(), &mut *buffer),
        _ => {
            return Err(KeyError::Bad(
                "a master key that is not a 128- or 256-bit AES key",
            ))
        }
    };
    opened.map_err(|_| KeyError::Unauthentic)?;
    Ok(buffer)
}

/// The nonce in Java's DER `GCMParameters`: a bare OCTET STRING, or a
/// SEQUENCE of the OCTET STRING and the tag length (which must be 16
/// bytes, the only one Tessera's AES-GCM checks).
fn gcm_nonce(der: &[u8]) -> Option<&[u8]> {
    /// One short-form TLV: tag, contents, rest.
    fn tlv(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = bytes.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = usize::from(len);
        if len >= 0x80 || rest.len() < len {
            return None;
        }
        Some((tag, &rest[..len], &rest[len..]))
    }
    let nonce = match tlv(der)? {
        (0x04, nonce, []) => nonce,
        (0x30, body, []) => {
            let (tag, nonce, rest) = tlv(body)?;
            if tag != 0x04 {
                return None;
            }
            match rest {
                [] => nonce,
                _ => match tlv(rest)? {
                    (0x02, [16], []) => nonce,
                    _ => return None,
                },
            }
        }
        _ => return None,
    };
    (nonce.len() == GCM_NONCE_LEN).then_some(nonce)
}

/// Reads a serialised `HashMap<String, String>`: its pairs in stream
/// order.
fn read_string_map(bytes: &[u8]) -> Result<Vec<(String, String)>, ImportError> {
    let mut stream = Stream {
        bytes,
        pos: 0,
        strings: Vec::new(),
    };
    if stream.take(4)? != &HEADER[..4] {
        return Err(corrupt("a wrong stream header"));
    }
    if stream.byte()? != 0x73 || stream.byte()? != 0x72 {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "a serialised object that is not a map of strings".into(),
        });
    }
    if stream.utf()? != "java.util.HashMap" {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "a serialised object that is not a HashMap".into(),
        });
    }
    stream.take(8)?; // serialVersionUID
    let flags = stream.byte()?;
    if flags & 0x03 != 0x03 {
        return Err(corrupt("a HashMap description without its write method"));
    }
    let count = stream.u16()?;
    if count > MAX_FIELDS {
        return Err(corrupt("a HashMap description with too many fields"));
    }
    let mut field_bytes = 0usize;
    for _ in 0..count {
        field_bytes += match stream.byte()? {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'I' | b'F' => 4,
            b'J' | b'D' => 8,
            _ => return Err(corrupt("a HashMap description with an object field")),
        };
        stream.utf()?;
    }
    // Handles 0 and 1 are the class description and the map itself.
    stream.strings.push(None);
    if stream.byte()? != 0x78 || stream.byte()? != 0x70 {
        return Err(corrupt(
            "a HashMap description with annotations or a superclass",
        ));
    }
    stream.strings.push(None);
    stream.take(field_bytes)?;
    // HashMap.writeObject: a block with the capacity and the size.
    if stream.byte()? != 0x77 {
        return Err(corrupt("a HashMap without its size block"));
    }
    let block = usize::from(stream.byte()?);
    if block < 8 {
        return Err(corrupt("a HashMap size block that is too short"));
    }
    stream.take(4)?; // capacity
    let size = stream.u32()?;
    stream.take(block - 8)?;
    if size > MAX_ENTRIES {
        return Err(corrupt("more map entries than a backup holds"));
    }
    // Each pair takes at least six bytes (two empty strings).
    if (size as usize) * 6 > stream.remaining() {
        return Err(ImportError::Truncated {
            format: FORMAT,
            what: "the map holds fewer entries than it says".into(),
        });
    }
    let mut pairs = Vec::with_capacity(size as usize);
    for _ in 0..size {
        let key = stream.string()?;
        let value = stream.string()?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// A cursor over the Java stream that never reads past its end.
struct Stream<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Every handle assigned so far: the string it names, if it is one.
    strings: Vec<Option<String>>,
}

impl<'a> Stream<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], ImportError> {
        if len > self.remaining() {
            return Err(ImportError::Truncated {
                format: FORMAT,
                what: format!("the Java stream ends at byte {}", self.bytes.len()),
            });
        }
        let slice = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, ImportError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, ImportError> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&mut self) -> Result<u32, ImportError> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// A string with a 2-byte length (class and field names).
    fn utf(&mut self) -> Result<String, ImportError> {
        let len = usize::from(self.u16()?);
        let bytes = self.take(len)?;
        modified_utf8(bytes).ok_or_else(|| corrupt("a string that is not modified UTF-8"))
    }

    /// A string object: new (short or long) or a back-reference.
    fn string(&mut self) -> Result<String, ImportError> {
        let text = match self.byte()? {
            0x74 => self.utf()?,
            0x7c => {
                let bytes = self.take(8)?;
                let len = u64::from_be_bytes(bytes.try_into().expect("8 bytes"));
                if len > MAX_STRING_LEN {
                    return Err(corrupt("a string longer than a backup holds"));
                }
                let bytes = self.take(len as usize)?;
                modified_utf8(bytes)
                    .ok_or_else(|| corrupt("a string that is not modified UTF-8"))?
            }
            0x71 => {
                let handle = self.u32()?.wrapping_sub(0x7e_0000) as usize;
                return self
                    .strings
                    .get(handle)
                    .cloned()
                    .flatten()
                    .ok_or_else(|| corrupt("a reference to something that is not a string"));
            }
            _ => return Err(corrupt("a map entry that is not a string")),
        };
        self.strings.push(Some(text.clone()));
        Ok(text)
    }
}

/// Java's modified UTF-8: UTF-8 with NUL as two bytes and characters
/// beyond the BMP as two encoded surrogates.
fn modified_utf8(bytes: &[u8]) -> Option<String> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let cont = |k: usize| {
            bytes
                .get(i + k)
                .filter(|c| *c & 0xc0 == 0x80)
                .map(|c| u16::from(c & 0x3f))
        };
        let (unit, len) = match b {
            0x00..=0x7f => (u16::from(b), 1),
            0xc0..=0xdf => ((u16::from(b & 0x1f) << 6) | cont(1)?, 2),
            0xe0..=0xef => ((u16::from(b & 0x0f) << 12) | (cont(1)? << 6) | cont(2)?, 3),
            _ => return None,
        };
        units.push(unit);
        i += len;
    }
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Algorithm, OtpKind};

    const NONCE: [u8; 12] = [7; 12];

    /// A Java `byte[]` as Gson writes it.
    fn signed(bytes: &[u8]) -> Vec<i8> {
        bytes.iter().map(|&b| b as i8).collect()
    }

    /// An `EncryptedKey` of `plaintext`, nonce in a DER SEQUENCE (or a
    /// bare OCTET STRING).
    fn encrypted_key(key: &[u8; 32], plaintext: &[u8], token: &str, bare: bool) -> Value {
        let mut buffer = plaintext.to_vec();
        Aes256Gcm::new(key.into())
            .encrypt_in_place(Nonce::from_slice(&NONCE), token.as_bytes(), &mut buffer)
            .unwrap();
        let mut parameters = vec![4u8, 12];
        parameters.extend_from_slice(&NONCE);
        if !bare {
            parameters.extend_from_slice(&[2, 1, 16]);
            parameters.splice(0..0, [0x30, parameters.len() as u8]);
        }
        serde_json::json!({
            "mCipher": "AES/GCM/NoPadding", "mCipherText": signed(&buffer),
            "mParameters": signed(&parameters), "mToken": token,
        })
    }

    const MASTER: [u8; 32] = [42; 32];
    const SALT: [u8; 32] = [9; 32];

    fn master_key_json(password: &str, iterations: u32, sha512: bool) -> String {
        let mut key = [0u8; 32];
        if sha512 {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &SALT, iterations, &mut key);
        } else {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), &SALT, iterations, &mut key);
        }
        serde_json::json!({
            "mAlgorithm": if sha512 { "PBKDF2withHmacSHA512" } else { "PBKDF2withHmacSHA1" },
            "mEncryptedKey": encrypted_key(&key, &MASTER, "AES", true),
            "mIterations": iterations, "mSalt": signed(&SALT),
        })
        .to_string()
    }

    fn token_key(secret: &[u8], hmac: &str) -> String {
        serde_json::json!({ "key": encrypted_key(&MASTER, secret, hmac, false).to_string() })
            .to_string()
    }

    fn java_string(out: &mut Vec<u8>, text: &str) {
        if text.len() <= 0xffff {
            out.push(0x74);
            out.extend_from_slice(&(text.len() as u16).to_be_bytes());
        } else {
            out.push(0x7c);
            out.extend_from_slice(&(text.len() as u64).to_be_bytes());
        }
        out.extend_from_slice(text.as_bytes());
    }

    /// `ObjectOutputStream.writeObject(HashMap)` for string pairs, with
    /// the two-field class description of newer Java versions.
    fn java_map(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut out = HEADER.to_vec();
        out.extend_from_slice(&[0x05, 0x07, 0xda, 0xc1, 0xc3, 0x16, 0x60, 0xd1, 0x03, 0, 2]);
        for (code, name) in [(b'F', "loadFactor"), (b'I', "threshold")] {
            out.push(code);
            out.extend_from_slice(&(name.len() as u16).to_be_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(&[0x78, 0x70, 0x3f, 0x40, 0, 0, 0, 0, 0, 12]);
        out.extend_from_slice(&[0x77, 8, 0, 0, 0, 16]);
        out.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
        for (key, value) in pairs {
            java_string(&mut out, key);
            java_string(&mut out, value);
        }
        out.push(0x78);
        out
    }

    fn backup(iterations: u32) -> Vec<u8> {
        let master = master_key_json("test", iterations, true);
        let hotp = token_key(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "HmacSHA1");
        let totp = token_key(&[0xff; 20], "HmacSHA256");
        let tampered = token_key(&[5; 10], "HmacSHA1").replace("\"HmacSHA1", "\"HmacSHA512");
        java_map(&[
            (
                "a-token",
                r#"{"algo":"SHA1","counter":10300,"digits":8,"issuerExt":"WWE","label":"Mason","type":"HOTP"}"#,
            ),
            ("masterKey", &master),
            ("a", &hotp),
            ("b", &totp),
            (
                "b-token",
                r#"{"label":"NoIssuer","type":"TOTP","algo":"SHA256"}"#,
            ),
            ("c", &tampered),
            ("c-token", r#"{"issuerInt":"Bad","label":"Tag"}"#),
            ("d", &token_key(&[1; 10], "HmacSHA1")),
        ])
    }

    #[test]
    fn decrypts_tokens_with_the_master_key() {
        let file = backup(1000);
        assert_eq!(FreeOtp2Importer.detect(&file), Confidence::Certain);
        assert!(matches!(
            FreeOtp2Importer.import(&file, None),
            Err(ImportError::PasswordRequired { .. })
        ));
        let password = Password::from("test");
        let report = FreeOtp2Importer.import(&file, Some(&password)).unwrap();
        assert_eq!(report.entries.len(), 2);
        let hotp = &report.entries[0].enrollment;
        assert_eq!((hotp.issuer.as_str(), hotp.name.as_str()), ("WWE", "Mason"));
        assert_eq!(hotp.params.kind, OtpKind::Hotp);
        assert_eq!((hotp.params.digits, hotp.params.counter), (8, 10300));
        assert_eq!(hotp.secret.as_bytes(), &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        let totp = &report.entries[1].enrollment;
        assert_eq!((totp.issuer.as_str(), totp.name.as_str()), ("", "NoIssuer"));
        assert_eq!(totp.params.algorithm, Algorithm::Sha256);
        assert_eq!((totp.params.digits, totp.params.period), (6, 30));
        let failed: Vec<(&str, &str)> = report
            .errors
            .iter()
            .map(|e| (e.label.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            failed,
            [
                (
                    "Bad: Tag",
                    "the secret does not decrypt with the master key"
                ),
                ("", "the token has no details"),
            ]
        );
    }

    #[test]
    fn sha1_master_keys_and_wrong_passwords() {
        let master = master_key_json("test", 1000, false);
        let file = java_map(&[
            ("masterKey", &master),
            ("x", &token_key(&[3; 16], "HmacSHA1")),
            ("x-token", r#"{"label":"L"}"#),
        ]);
        let report = FreeOtp2Importer
            .import(&file, Some(&Password::from("test")))
            .unwrap();
        assert_eq!(report.entries[0].enrollment.secret.as_bytes(), &[3; 16]);
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&Password::from("tesT"))),
            Err(ImportError::WrongPassword { .. })
        ));
    }

    #[test]
    fn hostile_kdf_cost_is_refused_before_deriving() {
        let master = master_key_json("test", 1, true)
            .replace("\"mIterations\":1,", "\"mIterations\":4000000000000,");
        let file = java_map(&[("masterKey", &master)]);
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&Password::from("test"))),
            Err(ImportError::KdfParamsTooExpensive { .. })
        ));
        let master = master_key_json("test", 1, true).replace("HmacSHA512\"", "HmacMD5\"");
        let file = java_map(&[("masterKey", &master)]);
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&Password::from("test"))),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn truncation_anywhere_is_an_error() {
        let file = backup(1);
        let password = Password::from("test");
        for cut in 0..file.len() - 1 {
            let result = FreeOtp2Importer.import(&file[..cut], Some(&password));
            assert!(
                matches!(
                    result,
                    Err(ImportError::Truncated { .. } | ImportError::NotThisFormat { .. })
                ),
                "cut at {cut}: {result:?}"
            );
        }
    }

    #[test]
    fn hostile_lengths_in_the_java_stream() {
        let password = Password::from("test");
        // A size far beyond the bytes that follow.
        let mut file = java_map(&[("masterKey", "{}")]);
        let size_at = file.len() - (4 + 3 + 9 + 3 + 2 + 1);
        assert_eq!(&file[size_at..size_at + 4], &[0, 0, 0, 1]);
        file[size_at..size_at + 4].copy_from_slice(&[0, 0, 0x4e, 0x1f]);
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        file[size_at..size_at + 4].copy_from_slice(&[0xff; 4]);
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        // A long string claiming 2^63 bytes.
        let mut file = java_map(&[]);
        file.truncate(file.len() - 1);
        let count_at = file.len() - 4;
        file[count_at..].copy_from_slice(&[0, 0, 0, 1]);
        file.push(0x7c);
        file.extend_from_slice(&(1u64 << 63).to_be_bytes());
        file.extend_from_slice(b"masterKey");
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        // A short string longer than the file.
        let mut file = java_map(&[("masterKey", "{}")]);
        let at = file.len() - 5;
        file[at..at + 2].copy_from_slice(&[0xff, 0xff]);
        assert!(matches!(
            FreeOtp2Importer.import(&file, Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        // A nested object where a string belongs; a dangling reference.
        for bad in [0x73u8, 0x71] {
            let mut file = java_map(&[("masterKey", "{}")]);
            let at = file.len() - 6;
            file[at] = bad;
            assert!(
                FreeOtp2Importer.import(&file, Some(&password)).is_err(),
                "{bad:#x}"
            );
        }
    }

    #[test]
    fn back_references_and_modified_utf8() {
        let mut file = java_map(&[("k", "v")]);
        file.truncate(file.len() - 1);
        let count_at = file.len() - 2 * 4 - 4;
        file[count_at..count_at + 4].copy_from_slice(&[0, 0, 0, 2]);
        // A second pair whose key refers back to the first value ("v").
        file.extend_from_slice(&[0x71, 0, 0x7e, 0, 3]);
        file.extend_from_slice(&[0x74, 0, 2, 0xc0, 0x80]);
        let pairs = read_string_map(&file).unwrap();
        assert_eq!(pairs[1], ("v".to_owned(), "\0".to_owned()));
        assert_eq!(
            modified_utf8(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]).unwrap(),
            "\u{1f600}"
        );
        assert!(modified_utf8(&[0xf0, 0x9f]).is_none());
    }

    #[test]
    fn nonces_from_der_parameters() {
        let mut bare = vec![4, 12];
        bare.extend_from_slice(&NONCE);
        assert_eq!(gcm_nonce(&bare), Some(&NONCE[..]));
        let mut sequence = vec![0x30, 17, 4, 12];
        sequence.extend_from_slice(&NONCE);
        sequence.extend_from_slice(&[2, 1, 16]);
        assert_eq!(gcm_nonce(&sequence), Some(&NONCE[..]));
        let last = sequence.len() - 1;
        sequence[last] = 12;
        assert_eq!(gcm_nonce(&sequence), None);
        assert_eq!(gcm_nonce(&[4, 3, 1, 2, 3]), None);
        assert_eq!(gcm_nonce(&[4, 0x81, 12]), None);
    }

    #[test]
    fn other_serialised_objects_are_not_claimed() {
        assert_eq!(
            FreeOtp2Importer.detect(&java_map(&[("a", "b")])),
            Confidence::No
        );
        let mut list = b"\xac\xed\x00\x05\x73\x72\x00\x13java.util.ArrayList".to_vec();
        list.extend_from_slice(b"masterKey");
        assert_eq!(FreeOtp2Importer.detect(&list), Confidence::No);
        assert!(matches!(
            FreeOtp2Importer.import(&list, None),
            Err(ImportError::Unsupported { .. })
        ));
    }
}
