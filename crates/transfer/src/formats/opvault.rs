//! 1Password's OPVault, the local vault format of 1Password 4 to 7 (a
//! folder `Name.opvault`, synced by Dropbox or iCloud). Only items with a
//! one-time-password field become accounts; each such field is one.
//!
//! Format: <https://support.1password.com/opvault-design/>. The vault is
//! a folder whose `default/` profile holds `profile.js`
//! (`var profile={"salt", "iterations", "masterKey", "overviewKey", ...};`),
//! `folders.js` (`loadFolders({...});`) and up to sixteen `band_0.js` …
//! `band_F.js` (`ld({"UUID": {"k", "d", "o", "folder", "trashed", "fave",
//! ...}});`), plus attachments, not read. An import takes one byte
//! string: [`read_vault_folder`] concatenates the profile, the folders and
//! the bands, in that order, from the folder; [`OpVaultImporter`] reads
//! those bytes.
//!
//! Crypto: PBKDF2-HMAC-SHA512(password, salt, iterations) gives 64 bytes,
//! an AES-256 key and an HMAC-SHA256 key. `masterKey` and `overviewKey`
//! are "opdata01" blobs (`opdata01` ‖ plaintext length, u64 little endian
//! ‖ IV (16) ‖ AES-256-CBC ciphertext of random padding then the
//! plaintext ‖ HMAC-SHA256 over everything before it); each decrypts to
//! key material whose SHA-512 is the key pair. An item's `k` is
//! IV ‖ ciphertext ‖ HMAC (no opdata header) under the master key pair and
//! gives the item's own key pair; `d`, opdata01 under it, is the details
//! JSON; `o`, opdata01 under the overview key pair, the overview (title,
//! URL, tags). A master key that fails its HMAC means a wrong password.
//!
//! One-time passwords are the fields (top-level or in `sections`) whose
//! kind `k` is `totp` or whose name `n` starts with `TOTP_`; the value is
//! an `otpauth://` URI or a bare base32 secret, read by the same rule as
//! Bitwarden's TOTP field (`bitwarden::totp_field_account`): a
//! URI's own labels win, and what it lacks comes from the item, its title
//! as the issuer and the field designated `username` as the account name.
//!
//! What it cannot carry: parameters beyond what a URI says (a bare secret
//! is TOTP, SHA-1, 6 digits, 30 s). Trashed items are left out. The item's
//! folder name and tags become tags, `notesPlain` the note, `fave` the
//! favourite flag. Secrets: base32 as `base32_secret`
//! reads it. Decrypted keys and details stay in zeroizing buffers.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use super::bitwarden::totp_field_account;
use crate::crypto::{base64_decode, check_pbkdf2, Key32};
use crate::entry::{account_label, Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer, MAX_IMPORT_LEN};

const FORMAT: &str = "1Password OPVault";

/// How the profile file starts, which nothing else does.
const PROFILE_MARKER: &[u8] = b"var profile=";

/// Reads a 1Password OPVault, as the bytes [`read_vault_folder`] builds.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpVaultImporter;

/// The bytes an OPVault import reads, from `path`: the `.opvault` folder,
/// its `default` profile folder, or that folder's `profile.js`. They are
/// `profile.js`, then `folders.js` when there is one, then the
/// `band_*.js` files in name order, each followed by a line break.
///
/// Only those files are read, and only if each is a regular file (a
/// symbolic link or a device is refused), up to [`MAX_IMPORT_LEN`] bytes
/// in all.
pub fn read_vault_folder(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    use std::io::{Error, ErrorKind};
    let profile_dir = if path.is_file() {
        if path.file_name().is_none_or(|n| n != "profile.js") {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "an OPVault is opened from its folder or its profile.js",
            ));
        }
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else if is_plain_file(&path.join("profile.js")) {
        path.to_path_buf()
    } else {
        let default = path.join("default");
        let is_folder = std::fs::symlink_metadata(&default).is_ok_and(|m| m.is_dir());
        if !is_folder || !is_plain_file(&default.join("profile.js")) {
            return Err(Error::new(
                ErrorKind::NotFound,
                "this folder is not a 1Password OPVault: neither it nor its default folder \
                 holds a profile.js (links are not followed)",
            ));
        }
        default
    };
    let mut files = vec![profile_dir.join("profile.js")];
    let folders = profile_dir.join("folders.js");
    if std::fs::symlink_metadata(&folders).is_ok() {
        files.push(folders);
    }
    let mut bands: Vec<PathBuf> = Vec::new();
    for item in std::fs::read_dir(&profile_dir)? {
        let name = item?.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("band_") && name.ends_with(".js") {
            bands.push(profile_dir.join(&*name));
        }
        if bands.len() > 64 {
            return Err(Error::new(
                ErrorKind::InvalidData,
                "the OPVault folder has more band files than a vault can",
            ));
        }
    }
    bands.sort();
    files.extend(bands);
    let mut bytes = Zeroizing::new(Vec::new());
    for file in files {
        if !is_plain_file(&file) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} is not a regular file (links and devices are not read)",
                    file.display()
                ),
            ));
        }
        let handle = std::fs::File::open(&file)?;
        if !handle.metadata()?.is_file() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a regular file", file.display()),
            ));
        }
        let room = MAX_IMPORT_LEN.saturating_sub(bytes.len() as u64);
        handle.take(room + 1).read_to_end(&mut bytes)?;
        bytes.push(b'\n');
        if bytes.len() as u64 > MAX_IMPORT_LEN {
            return Err(Error::new(
                ErrorKind::InvalidData,
                format!("the OPVault is larger than {MAX_IMPORT_LEN} bytes"),
            ));
        }
    }
    Ok(bytes)
}

/// Whether `path` is a regular file, not a link to one.
fn is_plain_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// The vault's parts as the files declare them.
struct Parts {
    profile: Value,
    folders: Vec<Value>,
    bands: Vec<Value>,
}

/// Splits the concatenated files into their JSON objects.
fn split(bytes: &[u8]) -> Result<Parts, ImportError> {
    let corrupt = |reason: String| ImportError::Corrupt {
        format: FORMAT,
        reason,
    };
    let mut parts = Parts {
        profile: Value::Null,
        folders: Vec::new(),
        bands: Vec::new(),
    };
    let mut at = 0;
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b';') {
            at += 1;
        }
        if at == bytes.len() {
            break;
        }
        let rest = &bytes[at..];
        let (call, prefix): (u8, &[u8]) = if rest.starts_with(PROFILE_MARKER) {
            (b'p', PROFILE_MARKER)
        } else if rest.starts_with(b"loadFolders(") {
            (b'f', b"loadFolders(")
        } else if rest.starts_with(b"ld(") {
            (b'b', b"ld(")
        } else {
            return Err(corrupt(format!("unexpected text at byte {at}")));
        };
        at += prefix.len();
        let mut stream = serde_json::Deserializer::from_slice(&bytes[at..]).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(error)) if error.is_eof() => {
                return Err(ImportError::Truncated {
                    format: FORMAT,
                    what: format!("the JSON after byte {at} ends early"),
                })
            }
            _ => return Err(corrupt(format!("unreadable JSON after byte {at}"))),
        };
        at += stream.byte_offset();
        if !value.is_object() {
            return Err(corrupt(format!(
                "the JSON before byte {at} is not an object"
            )));
        }
        match call {
            b'p' if parts.profile.is_null() => parts.profile = value,
            b'p' => return Err(corrupt("two profiles".into())),
            b'f' => parts.folders.push(value),
            _ => parts.bands.push(value),
        }
        if call != b'p' {
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if bytes.get(at) != Some(&b')') {
                return Err(corrupt(format!("a call is not closed at byte {at}")));
            }
            at += 1;
        }
    }
    if parts.profile.is_null() {
        return Err(ImportError::NotThisFormat {
            format: "a 1Password OPVault",
            reason: "it has no profile".into(),
        });
    }
    Ok(parts)
}

/// An AES-256 key and its HMAC-SHA256 key.
struct KeyPair {
    encryption: Key32,
    mac: Key32,
}

impl KeyPair {
    /// The two halves of 64 bytes.
    fn from_halves(bytes: &[u8; 64]) -> KeyPair {
        let mut keys = KeyPair {
            encryption: Zeroizing::new([0; 32]),
            mac: Zeroizing::new([0; 32]),
        };
        keys.encryption.copy_from_slice(&bytes[..32]);
        keys.mac.copy_from_slice(&bytes[32..]);
        keys
    }

    /// The pair a master or overview key's material stands for: its SHA-512.
    fn from_material(material: &[u8]) -> KeyPair {
        let mut hash = Zeroizing::new([0u8; 64]);
        hash.copy_from_slice(&Sha512::digest(material));
        KeyPair::from_halves(&hash)
    }
}

/// Why a blob did not open.
#[derive(Debug, PartialEq, Eq)]
enum BlobError {
    /// The HMAC does not match: wrong key, or changed bytes.
    Unauthentic,
    /// Not shaped as the format says.
    Malformed(&'static str),
}

/// Checks `HMAC-SHA256(mac key, data) == tag` and decrypts the whole-block
/// `ciphertext` with AES-256-CBC, without padding.
fn authenticate_and_decrypt(
    keys: &KeyPair,
    authenticated: &[u8],
    tag: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, BlobError> {
    let mut check = <Hmac<Sha256>>::new_from_slice(&keys.mac[..]).expect("any key length works");
    check.update(authenticated);
    check
        .verify_slice(tag)
        .map_err(|_| BlobError::Unauthentic)?;
    if ciphertext.is_empty() || ciphertext.len() % 16 != 0 || iv.len() != 16 {
        return Err(BlobError::Malformed(
            "the ciphertext is not whole AES blocks",
        ));
    }
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cbc::Decryptor::<aes::Aes256>::new((&*keys.encryption).into(), iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut buffer)
        .map_err(|_| BlobError::Malformed("the ciphertext is not whole AES blocks"))?;
    Ok(buffer)
}

/// Opens an opdata01 blob (base64 text).
fn open_opdata(text: &str, keys: &KeyPair) -> Result<Zeroizing<Vec<u8>>, BlobError> {
    let blob = base64_decode(text).ok_or(BlobError::Malformed("a blob is not base64"))?;
    if blob.len() < 8 + 8 + 16 + 16 + 32 || !blob.starts_with(b"opdata01") {
        return Err(BlobError::Malformed("a blob is not opdata01"));
    }
    let (body, tag) = blob.split_at(blob.len() - 32);
    let length = u64::from_le_bytes(body[8..16].try_into().expect("8 bytes"));
    let plaintext = authenticate_and_decrypt(keys, body, tag, &body[16..32], &body[32..])?;
    let length = usize::try_from(length)
        .ok()
        .filter(|&l| l <= plaintext.len())
        .ok_or(BlobError::Malformed(
            "an opdata01 length is longer than its data",
        ))?;
    // The random padding comes first; the plaintext is the tail.
    Ok(Zeroizing::new(
        plaintext[plaintext.len() - length..].to_vec(),
    ))
}

/// Opens an item's `k`: IV ‖ the item's two keys encrypted ‖ HMAC.
fn open_item_key(text: &str, master: &KeyPair) -> Result<KeyPair, BlobError> {
    let blob = base64_decode(text).ok_or(BlobError::Malformed("an item key is not base64"))?;
    if blob.len() != 16 + 64 + 32 {
        return Err(BlobError::Malformed("an item key is not 112 bytes"));
    }
    let (body, tag) = blob.split_at(blob.len() - 32);
    let keys = authenticate_and_decrypt(master, body, tag, &body[..16], &body[16..])?;
    let mut halves = Zeroizing::new([0u8; 64]);
    halves.copy_from_slice(&keys);
    Ok(KeyPair::from_halves(&halves))
}

/// The master and overview key pairs, from the password.
fn unlock(profile: &Value, password: &Password) -> Result<(KeyPair, KeyPair), ImportError> {
    let corrupt = |reason: &str| ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    };
    let salt = str_field(profile, "salt")
        .and_then(base64_decode)
        .ok_or_else(|| corrupt("the profile's salt is missing or not base64"))?;
    let iterations = u64_field(profile, "iterations")
        .map_err(|message| corrupt(&message))?
        .ok_or_else(|| corrupt("the profile has no iteration count"))?;
    let iterations = check_pbkdf2(FORMAT, iterations)?;
    let master = str_field(profile, "masterKey").ok_or_else(|| corrupt("no master key"))?;
    let overview = str_field(profile, "overviewKey").ok_or_else(|| corrupt("no overview key"))?;
    let mut derived = Zeroizing::new([0u8; 64]);
    pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), &salt, iterations, &mut *derived);
    let derived = KeyPair::from_halves(&derived);
    let blob_error = |what: &str, error: BlobError| match error {
        BlobError::Unauthentic if what == "master" => ImportError::WrongPassword { format: FORMAT },
        BlobError::Unauthentic => corrupt("the overview key fails authentication"),
        BlobError::Malformed(reason) => corrupt(reason),
    };
    let master = open_opdata(master, &derived).map_err(|e| blob_error("master", e))?;
    let overview = open_opdata(overview, &derived).map_err(|e| blob_error("overview", e))?;
    Ok((
        KeyPair::from_material(&master),
        KeyPair::from_material(&overview),
    ))
}

impl Importer for OpVaultImporter {
    fn id(&self) -> &'static str {
        "1password-opvault"
    }

    fn name(&self) -> &'static str {
        "1Password OPVault (folder)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        if bytes[start..].starts_with(PROFILE_MARKER) {
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
        let parts = split(bytes)?;
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        let (master, overview) = unlock(&parts.profile, password)?;
        let folders = folder_names(&parts.folders, &overview);
        let mut items: Vec<&Value> = parts
            .bands
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|band| band.values())
            .filter(|item| item.get("trashed").and_then(Value::as_bool) != Some(true))
            .collect();
        // Bands are keyed by UUID, which says nothing of order; creation
        // time keeps the vault's own order, the UUID breaks ties.
        items.sort_by_key(|item| {
            (
                item.get("created").and_then(Value::as_u64).unwrap_or(0),
                str_field(item, "uuid").unwrap_or_default(),
            )
        });
        let mut report = ImportReport::default();
        let mut index = 0;
        for item in items {
            read_item(item, &master, &overview, &folders, &mut index, &mut report);
        }
        Ok(report)
    }
}

/// Folder names by UUID; a folder whose overview does not open has none.
fn folder_names(lists: &[Value], overview: &KeyPair) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for (uuid, folder) in lists.iter().filter_map(Value::as_object).flatten() {
        if folder.get("trashed").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let Some(plaintext) =
            str_field(folder, "overview").and_then(|o| open_opdata(o, overview).ok())
        else {
            continue;
        };
        if let Ok(doc) = json::parse(FORMAT, &plaintext) {
            if let Some(title) = str_field(&doc, "title")
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                names.insert(uuid.clone(), title.to_owned());
            }
        }
    }
    names
}

/// A details field's value if it is a one-time password: kind `totp`, or
/// a name starting `TOTP_` (sections write `k`/`n`/`v`, the top-level
/// list `type`/`name`/`value`).
fn totp_value(field: &Value) -> Option<&str> {
    let kind = str_field(field, "k").or_else(|| str_field(field, "type"));
    let name = str_field(field, "n").or_else(|| str_field(field, "name"));
    let is_totp = kind.is_some_and(|k| k.eq_ignore_ascii_case("totp"))
        || name.is_some_and(|n| n.starts_with("TOTP_"));
    is_totp
        .then(|| str_field(field, "v").or_else(|| str_field(field, "value")))
        .flatten()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Adds an item's one-time passwords to the report. An item whose keys or
/// details do not open is one entry error, since it may hold some.
fn read_item(
    item: &Value,
    master: &KeyPair,
    overview_keys: &KeyPair,
    folders: &HashMap<String, String>,
    index: &mut usize,
    report: &mut ImportReport,
) {
    let overview = str_field(item, "o")
        .and_then(|o| open_opdata(o, overview_keys).ok())
        .and_then(|plaintext| json::parse(FORMAT, &plaintext).ok());
    let title = overview
        .as_ref()
        .and_then(|o| str_field(o, "title").or_else(|| str_field(o, "url")))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let details = str_field(item, "k")
        .ok_or(BlobError::Malformed("the item has no key"))
        .and_then(|k| open_item_key(k, master))
        .and_then(|keys| {
            let d = str_field(item, "d").ok_or(BlobError::Malformed("the item has no details"))?;
            open_opdata(d, &keys)
        })
        .map_err(|error| match error {
            BlobError::Unauthentic => "the item fails authentication (damaged)".to_owned(),
            BlobError::Malformed(reason) => format!("the item is damaged: {reason}"),
        })
        .and_then(|plaintext| {
            json::parse(FORMAT, &plaintext).map_err(|_| "the item's details are not JSON".into())
        });
    let details = match details {
        Ok(details) => details,
        Err(message) => {
            report.push(Err(EntryError {
                index: *index,
                label: title,
                message,
            }));
            *index += 1;
            return;
        }
    };
    let username = list(&details, "fields")
        .find(|field| str_field(field, "designation") == Some("username"))
        .and_then(|field| str_field(field, "value"))
        .unwrap_or_default()
        .trim();
    let totps = list(&details, "fields")
        .chain(list(&details, "sections").flat_map(|section| list(section, "fields")))
        .filter_map(totp_value);
    for totp in totps {
        let result = totp_field_account(totp, &title, username).map(|enrollment| {
            let mut tags: Vec<String> = Vec::new();
            if let Some(folder) = str_field(item, "folder").and_then(|f| folders.get(f)) {
                tags.push(folder.clone());
            }
            for tag in overview
                .iter()
                .flat_map(|o| list(o, "tags"))
                .filter_map(Value::as_str)
                .map(str::trim)
            {
                if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
                    tags.push(tag.to_owned());
                }
            }
            Entry {
                enrollment,
                notes: str_field(&details, "notesPlain")
                    .unwrap_or_default()
                    .to_owned(),
                favourite: item.get("fave").is_some_and(|f| !f.is_null()),
                tags,
                recovery: None,
            }
        });
        report.push(result.map_err(|message| EntryError {
            index: *index,
            label: account_label(&title, username),
            message,
        }));
        *index += 1;
    }
}

/// An array field's elements; none when it is missing or not an array.
fn list<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use aes::cipher::BlockEncryptMut;
    use serde_json::json;
    use tessera_otp::{Algorithm, OtpKind};

    const ITERATIONS: u32 = 1000;

    fn hmac(keys: &KeyPair, data: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&keys.mac[..]).unwrap();
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }

    fn cbc_encrypt(keys: &KeyPair, iv: [u8; 16], plaintext: &[u8]) -> Vec<u8> {
        cbc::Encryptor::<aes::Aes256>::new((&*keys.encryption).into(), &iv.into())
            .encrypt_padded_vec_mut::<NoPadding>(plaintext)
    }

    /// An opdata01 blob as 1Password writes one: random padding (here a
    /// fixed byte) before the plaintext up to whole blocks, at least one
    /// byte of it.
    fn seal(keys: &KeyPair, plaintext: &[u8], iv: [u8; 16]) -> String {
        let padding = 16 - plaintext.len() % 16;
        let mut padded = vec![0xA5; padding];
        padded.extend_from_slice(plaintext);
        let mut blob = b"opdata01".to_vec();
        blob.extend_from_slice(&(plaintext.len() as u64).to_le_bytes());
        blob.extend_from_slice(&iv);
        blob.extend_from_slice(&cbc_encrypt(keys, iv, &padded));
        let tag = hmac(keys, &blob);
        blob.extend_from_slice(&tag);
        base64_encode(&blob)
    }

    fn seal_item_key(master: &KeyPair, item_keys: &[u8; 64], iv: [u8; 16]) -> String {
        let mut blob = iv.to_vec();
        blob.extend_from_slice(&cbc_encrypt(master, iv, item_keys));
        let tag = hmac(master, &blob);
        blob.extend_from_slice(&tag);
        base64_encode(&blob)
    }

    /// The key pairs of the test vault and its profile.
    struct Vault {
        master: KeyPair,
        overview: KeyPair,
        profile: Value,
    }

    fn vault(password: &str) -> Vault {
        let salt = [3u8; 16];
        let mut derived = [0u8; 64];
        pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), &salt, ITERATIONS, &mut derived);
        let derived = KeyPair::from_halves(&derived);
        let master_material = [0x11u8; 256];
        let overview_material = [0x22u8; 64];
        Vault {
            master: KeyPair::from_material(&master_material),
            overview: KeyPair::from_material(&overview_material),
            profile: json!({
                "uuid": "P", "profileName": "default", "passwordHint": "",
                "salt": base64_encode(&salt), "iterations": ITERATIONS,
                "masterKey": seal(&derived, &master_material, [1; 16]),
                "overviewKey": seal(&derived, &overview_material, [2; 16]),
            }),
        }
    }

    fn item(vault: &Vault, n: u8, overview: &Value, details: &Value) -> Value {
        let item_keys = [n; 64];
        let keys = KeyPair::from_halves(&item_keys);
        json!({
            "uuid": format!("{n:032X}"), "category": "001", "created": u64::from(n),
            "k": seal_item_key(&vault.master, &item_keys, [n; 16]),
            "o": seal(&vault.overview, overview.to_string().as_bytes(), [n; 16]),
            "d": seal(&keys, details.to_string().as_bytes(), [n.wrapping_add(1); 16]),
        })
    }

    fn login(username: &str, totp_fields: Value) -> Value {
        json!({
            "fields": [
                {"designation": "username", "name": "username", "type": "T", "value": username},
                {"designation": "password", "name": "password", "type": "P", "value": "hunter2"}
            ],
            "notesPlain": "note",
            "sections": [{"name": "s", "title": "Advanced", "fields": totp_fields}]
        })
    }

    /// A vault's text as `read_vault_folder` builds it, with its items in
    /// two bands.
    fn text(vault: &Vault, folders: &Value, bands: &[Value]) -> String {
        let mut text = format!("var profile={};\n", vault.profile);
        text.push_str(&format!("loadFolders({folders});\n"));
        for band in bands {
            text.push_str(&format!("ld({band});\n"));
        }
        text
    }

    fn sample(vault: &Vault) -> String {
        let folder_overview = seal(
            &vault.overview,
            json!({"title": "Work"}).to_string().as_bytes(),
            [9; 16],
        );
        let folders = json!({"F1": {"uuid": "F1", "overview": folder_overview}});
        let uri = "otpauth://totp/KeePassXC:team@keepassxc.org?secret=JBSWY3DPEHPK3PXP\
                   &period=45&digits=8&algorithm=SHA256&issuer=KeePassXC";
        let mut complex = item(
            vault,
            2,
            &json!({"title": "Complex Password", "url": "https://keepassxc.org"}),
            &login(
                "someone",
                json!([{"k": "concealed", "n": "TOTP_abc", "t": "one-time password", "v": uri}]),
            ),
        );
        complex["folder"] = "F1".into();
        complex["fave"] = 100.into();
        let bare = item(
            vault,
            3,
            &json!({"title": "KeePassXC", "tags": ["dev"]}),
            &login(
                "keepassxc",
                json!([{"k": "totp", "n": "otp", "v": "JBSWY3DPEHPK3PXP"},
                       {"k": "string", "n": "TOTP_2", "v": "GEZDGNBVGY3TQOJQ"},
                       {"k": "string", "n": "other", "v": "GEZDGNBVGY3TQOJQ"}]),
            ),
        );
        let mut trashed = item(
            vault,
            4,
            &json!({"title": "Old"}),
            &login(
                "x",
                json!([{"k": "totp", "n": "TOTP_x", "v": "JBSWY3DPEHPK3PXP"}]),
            ),
        );
        trashed["trashed"] = true.into();
        let plain = item(
            vault,
            5,
            &json!({"title": "Password only"}),
            &login("y", json!([])),
        );
        let mut damaged = item(
            vault,
            6,
            &json!({"title": "Damaged"}),
            &login(
                "z",
                json!([{"k": "totp", "n": "TOTP_x", "v": "JBSWY3DPEHPK3PXP"}]),
            ),
        );
        let d = damaged["d"].as_str().unwrap().to_owned();
        damaged["d"] = seal(&KeyPair::from_halves(&[7; 64]), d.as_bytes(), [0; 16]).into();
        let band_0 = json!({"02": complex, "05": plain});
        let band_a = json!({"03": bare, "04": trashed, "06": damaged});
        text(vault, &folders, &[band_0, band_a])
    }

    #[test]
    fn vault_with_one_time_passwords() {
        let vault = vault("a");
        let file = sample(&vault);
        assert_eq!(OpVaultImporter.detect(file.as_bytes()), Confidence::Certain);
        let (importer, report) =
            crate::registry::import(file.as_bytes(), Some(&Password::from("a"))).unwrap();
        assert_eq!(importer.id(), "1password-opvault");
        let labels: Vec<(&str, &str)> = report
            .entries
            .iter()
            .map(|e| (e.enrollment.issuer.as_str(), e.enrollment.name.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("KeePassXC", "team@keepassxc.org"),
                ("KeePassXC", "keepassxc"),
                ("KeePassXC", "keepassxc"),
            ]
        );
        let complex = &report.entries[0];
        let params = &complex.enrollment.params;
        assert_eq!(
            (params.kind, params.algorithm, params.digits, params.period),
            (OtpKind::Totp, Algorithm::Sha256, 8, 45)
        );
        assert!(complex.favourite);
        assert_eq!(complex.tags, vec!["Work"]);
        assert_eq!(complex.notes, "note");
        let bare = &report.entries[1];
        assert_eq!(
            bare.enrollment.secret.to_base32().as_str(),
            "JBSWY3DPEHPK3PXP"
        );
        assert_eq!(bare.enrollment.params, tessera_otp::OtpParams::totp());
        assert_eq!(
            (bare.favourite, bare.tags.clone()),
            (false, vec!["dev".to_owned()])
        );
        assert_eq!(
            report.entries[2].enrollment.secret.to_base32().as_str(),
            "GEZDGNBVGY3TQOJQ"
        );
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].label, "Damaged");
        assert!(report.errors[0].message.contains("authentication"));
    }

    #[test]
    fn passwords_and_tampering() {
        let vault = vault("a");
        let file = sample(&vault);
        assert_eq!(
            OpVaultImporter.import(file.as_bytes(), None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        assert_eq!(
            OpVaultImporter.import(file.as_bytes(), Some(&Password::from("b"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        // A changed byte in the master key's ciphertext fails its HMAC,
        // which the format cannot tell from a wrong password.
        let mut tampered = vault.profile.clone();
        let mut blob = base64_decode(tampered["masterKey"].as_str().unwrap()).unwrap();
        blob[40] ^= 1;
        tampered["masterKey"] = base64_encode(&blob).into();
        let file = text(
            &Vault {
                profile: tampered,
                ..vault
            },
            &json!({}),
            &[],
        );
        assert_eq!(
            OpVaultImporter.import(file.as_bytes(), Some(&Password::from("a"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        let vault = self::vault("a");
        let mut tampered = vault.profile.clone();
        let mut blob = base64_decode(tampered["overviewKey"].as_str().unwrap()).unwrap();
        let last = blob.len() - 1;
        blob[last] ^= 1;
        tampered["overviewKey"] = base64_encode(&blob).into();
        let file = text(
            &Vault {
                profile: tampered,
                ..vault
            },
            &json!({}),
            &[],
        );
        assert!(matches!(
            OpVaultImporter.import(file.as_bytes(), Some(&Password::from("a"))),
            Err(ImportError::Corrupt { .. })
        ));
        let vault = self::vault("a");
        let mut absurd = vault.profile.clone();
        absurd["iterations"] = 2_000_000_000u64.into();
        let file = text(
            &Vault {
                profile: absurd,
                ..vault
            },
            &json!({}),
            &[],
        );
        assert!(matches!(
            OpVaultImporter.import(file.as_bytes(), Some(&Password::from("a"))),
            Err(ImportError::KdfParamsTooExpensive { kdf: "PBKDF2", .. })
        ));
    }

    #[test]
    fn opdata_blobs() {
        let keys = KeyPair::from_halves(&[5; 64]);
        for len in [0, 1, 15, 16, 17, 256] {
            let plaintext = vec![0x42; len];
            let blob = seal(&keys, &plaintext, [1; 16]);
            assert_eq!(&open_opdata(&blob, &keys).unwrap()[..], &plaintext[..]);
        }
        let mut blob = base64_decode(&seal(&keys, b"data", [1; 16])).unwrap();
        blob[8] = 200; // a length beyond the data, under a valid HMAC
        let body = blob.len() - 32;
        let tag = hmac(&keys, &blob[..body]);
        blob[body..].copy_from_slice(&tag);
        assert!(matches!(
            open_opdata(&base64_encode(&blob), &keys),
            Err(BlobError::Malformed(_))
        ));
        assert_eq!(
            open_opdata(
                &seal(&keys, b"data", [1; 16]),
                &KeyPair::from_halves(&[6; 64])
            ),
            Err(BlobError::Unauthentic)
        );
        assert!(matches!(
            open_opdata(&base64_encode(b"opdata02"), &keys),
            Err(BlobError::Malformed(_))
        ));
    }

    #[test]
    fn text_that_is_not_a_vault() {
        assert_eq!(OpVaultImporter.detect(b"{\"profile\": {}}"), Confidence::No);
        assert_eq!(OpVaultImporter.detect(b"ld({});"), Confidence::No);
        let vault = vault("a");
        let file = text(&vault, &json!({}), &[]);
        for (bytes, expect_truncated) in [
            (format!("{file}alert(1);"), false),
            (format!("{file}ld({{\"a\": "), true),
            (format!("{file}ld({{}}"), false),
            (format!("{file}ld([1]);"), false),
            (format!("{file}var profile={{}};"), false),
        ] {
            let error = OpVaultImporter
                .import(bytes.as_bytes(), Some(&Password::from("a")))
                .unwrap_err();
            assert!(
                matches!(
                    (&error, expect_truncated),
                    (ImportError::Truncated { .. }, true) | (ImportError::Corrupt { .. }, false)
                ),
                "{bytes}: {error:?}"
            );
        }
    }

    /// A scratch folder removed when dropped.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn reading_the_folder() {
        let scratch = Scratch(
            std::env::temp_dir().join(format!("tessera-opvault-test-{}", std::process::id())),
        );
        let default = scratch.0.join("Test.opvault").join("default");
        std::fs::create_dir_all(&default).unwrap();
        for (name, text) in [
            ("profile.js", "var profile={};"),
            ("folders.js", "loadFolders({});"),
            ("band_A.js", "ld({\"a\": 1});"),
            ("band_0.js", "ld({\"z\": 0});"),
            ("1C.attachment", "not read"),
            ("notes.txt", "not read"),
        ] {
            std::fs::write(default.join(name), text).unwrap();
        }
        let expected = "var profile={};\nloadFolders({});\nld({\"z\": 0});\nld({\"a\": 1});\n";
        for path in [
            scratch.0.join("Test.opvault"),
            default.clone(),
            default.join("profile.js"),
        ] {
            let bytes = read_vault_folder(&path).unwrap();
            assert_eq!(std::str::from_utf8(&bytes).unwrap(), expected, "{path:?}");
        }
        assert!(read_vault_folder(&default.join("band_0.js")).is_err());
        let error = read_vault_folder(&scratch.0).unwrap_err();
        assert!(error.to_string().contains("profile.js"), "{error}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", default.join("band_1.js")).unwrap();
            let error = read_vault_folder(&default).unwrap_err();
            assert!(error.to_string().contains("not a regular file"), "{error}");
        }
    }
}
