//! Aegis Authenticator's vault file, plain and encrypted, read and written.
//!
//! Format: <https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md>.
//! `{"version": 1, "header": {"slots", "params"}, "db"}`. Plain vaults have
//! null `slots` and `params` and `db` as an object; encrypted ones have
//! `db` as base64 AES-256-GCM ciphertext under a random master key
//! (`params` holds its hex nonce and tag), and each slot holds the master
//! key wrapped with AES-256-GCM (hex `key`, `key_params.nonce`,
//! `key_params.tag`). Password slots (type 1) derive the wrapping key with
//! scrypt from hex `salt`, `n`, `r`, `p`; every password slot is tried
//! (Aegis also makes "backup password" slots), and the scrypt parameters
//! are checked against [`crate::MAX_SCRYPT_LOG_N`] and friends before any
//! work, each slot's and their sum (at most [`crate::MAX_SCRYPT_WORK`]). Raw (0) and biometric (2) slots need keys that never leave the
//! phone. The content (`db`) is version 1 (no groups), 2 (a `group` name
//! per entry) or 3 (group UUIDs per entry and a `groups` list); group
//! names become tags.
//!
//! Writing follows the same document exactly: version 1, numeric slot
//! types, hex fields, one password slot with Aegis's own scrypt parameters
//! (N = 2^15, r = 8, p = 1, 32-byte salt, `repaired: true`), content
//! version 3 with `note`, `favorite`, `icon: null` and tags as groups.
//!
//! What it cannot carry: nothing Tessera stores is lost (tags become
//! groups). Reading, Tessera drops icons, usage counts, and MOTP and
//! Yandex entries (reported per entry, as are SHA-384 and zero digits or
//! period). Secrets are read leniently
//! ([`tessera_otp::Secret::from_base32_lenient`]): a hand-typed secret
//! of impossible length loses its leftover bits, as other apps read it.
//! Vaults whose slots predate Aegis's
//! fix for its issue #95 and whose password is longer than 64 bytes of
//! UTF-8 may not open (Aegis then retries with its old, buggy password
//! encoding; Tessera does not).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use tessera_otp::OtpKind;
use zeroize::Zeroizing;

use crate::crypto::{
    base64_decode, base64_encode, check_scrypt, gcm_open, gcm_seal, hex_decode, hex_encode,
    random_array, random_key, random_uuid, scrypt_key, ScryptCost, GCM_NONCE_LEN, GCM_TAG_LEN,
    MAX_SCRYPT_WORK,
};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::{ExportError, ImportError};
use crate::json::{self, str_field, u64_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, ExportOutput, Exporter, Importer, PasswordUse};

const FORMAT: &str = "Aegis vault";
/// The newest content version Aegis writes (and this module reads).
const DB_VERSION: u64 = 3;
/// Aegis's scrypt cost: N = 2^15, r = 8, p = 1.
const SCRYPT_LOG_N: u8 = 15;

/// Reads Aegis vault files, plain or encrypted.
#[derive(Debug, Clone, Copy, Default)]
pub struct AegisImporter;

/// Writes Aegis vault files: encrypted with a password, plain without.
#[derive(Debug, Clone, Copy, Default)]
pub struct AegisExporter;

impl Importer for AegisImporter {
    fn id(&self) -> &'static str {
        "aegis"
    }

    fn name(&self) -> &'static str {
        "Aegis vault (JSON, plain or encrypted)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        let Some(doc) = json::sniff(bytes) else {
            return Confidence::No;
        };
        let header = doc.get("header");
        let has_slots =
            header.is_some_and(|h| h.get("slots").is_some() && h.get("params").is_some());
        if has_slots && doc.get("db").is_some() && doc.get("version").is_some() {
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
        let doc = json::parse(FORMAT, bytes)?;
        let not_aegis = |reason: &str| ImportError::NotThisFormat {
            format: "an Aegis vault",
            reason: reason.into(),
        };
        let header = doc
            .get("header")
            .ok_or_else(|| not_aegis("it has no header"))?;
        let db = doc.get("db").ok_or_else(|| not_aegis("it has no db"))?;
        match u64_field(&doc, "version") {
            Ok(Some(1)) => {}
            Ok(Some(version)) => {
                return Err(ImportError::Unsupported {
                    format: FORMAT,
                    what: format!("vault file version {version} (Tessera reads version 1)"),
                })
            }
            _ => return Err(not_aegis("it has no version number")),
        }
        match db {
            Value::Object(_) => read_db(db),
            Value::String(ciphertext) => {
                let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
                let master = unlock(header, password)?;
                let plaintext = decrypt_db(header, ciphertext, &master)?;
                let db = json::parse(FORMAT, &plaintext)?;
                read_db(&db)
            }
            _ => Err(not_aegis("its db is neither an object nor a string")),
        }
    }
}

/// Bytes from a hex field of the header.
fn hex_field(object: &Value, key: &str, what: &str) -> Result<Vec<u8>, ImportError> {
    str_field(object, key)
        .and_then(hex_decode)
        .ok_or_else(|| ImportError::Corrupt {
            format: FORMAT,
            reason: format!("the {what} has no valid hex {key}"),
        })
}

/// Finds the master key with the first password slot the password opens.
fn unlock(header: &Value, password: &Password) -> Result<Zeroizing<[u8; 32]>, ImportError> {
    let slots = header
        .get("slots")
        .and_then(Value::as_array)
        .ok_or(ImportError::Corrupt {
            format: FORMAT,
            reason: "the vault is encrypted but has no key slots".into(),
        })?;
    let password_slots = || slots.iter().filter(|s| u64_field(s, "type") == Ok(Some(1)));
    let slot_cost = |slot: &Value| {
        let cost = |key: &str| u64_field(slot, key).ok().flatten().unwrap_or(0);
        (cost("n"), cost("r"), cost("p"))
    };
    // Each slot's cost is capped, and so is their sum: a file may hold any
    // number of slots, and one at the cap is seconds of work.
    let total_work = password_slots()
        .map(slot_cost)
        .filter(|&(n, r, p)| check_scrypt(FORMAT, n, r, p).is_ok())
        .map(|(n, r, p)| n * r * p)
        .fold(0u64, u64::saturating_add);
    if total_work > MAX_SCRYPT_WORK {
        return Err(ImportError::KdfParamsTooExpensive {
            format: FORMAT,
            kdf: "scrypt",
            detail: format!("(N·r·p = {total_work} over all password slots)"),
            limit: format!("N·r·p = {MAX_SCRYPT_WORK} in all"),
        });
    }
    let mut tried = false;
    let mut too_expensive = None;
    for slot in password_slots() {
        let (n, r, p) = slot_cost(slot);
        let cost = match check_scrypt(FORMAT, n, r, p) {
            Ok(cost) => cost,
            Err(error @ ImportError::KdfParamsTooExpensive { .. }) => {
                too_expensive.get_or_insert(error);
                continue;
            }
            Err(error) => return Err(error),
        };
        let salt = hex_field(slot, "salt", "key slot")?;
        let mut wrapped = hex_field(slot, "key", "key slot")?;
        let params = slot.get("key_params").ok_or(ImportError::Corrupt {
            format: FORMAT,
            reason: "a key slot has no key_params".into(),
        })?;
        let nonce = hex_field(params, "nonce", "key slot")?;
        wrapped.extend_from_slice(&hex_field(params, "tag", "key slot")?);
        tried = true;
        let derived = scrypt_key(password.as_bytes(), &salt, cost);
        if let Ok(master) = gcm_open(&derived, &nonce, &wrapped) {
            if let Ok(master) = <[u8; 32]>::try_from(&master[..]) {
                return Ok(Zeroizing::new(master));
            }
        }
    }
    if tried {
        return Err(ImportError::WrongPassword { format: FORMAT });
    }
    Err(too_expensive.unwrap_or(ImportError::Unsupported {
        format: FORMAT,
        what: "no password slot (biometric and raw slots need keys kept on the phone)".into(),
    }))
}

/// Decrypts the base64 `db` with the master key.
fn decrypt_db(
    header: &Value,
    ciphertext: &str,
    master: &[u8; 32],
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let params = header.get("params").ok_or(ImportError::Corrupt {
        format: FORMAT,
        reason: "the vault is encrypted but has no params".into(),
    })?;
    let nonce = hex_field(params, "nonce", "header params")?;
    let tag = hex_field(params, "tag", "header params")?;
    let mut sealed = base64_decode(ciphertext).ok_or(ImportError::Corrupt {
        format: FORMAT,
        reason: "the encrypted db is not valid base64".into(),
    })?;
    sealed.extend_from_slice(&tag);
    gcm_open(master, &nonce, &sealed).map_err(|_| ImportError::Corrupt {
        format: FORMAT,
        reason: "the vault contents fail authentication (the file was changed or damaged)".into(),
    })
}

/// Reads the vault content object.
fn read_db(db: &Value) -> Result<ImportReport, ImportError> {
    let version = u64_field(db, "version").ok().flatten().unwrap_or(1);
    if version > DB_VERSION {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: format!("content version {version} (Tessera reads up to {DB_VERSION})"),
        });
    }
    let entries = db
        .get("entries")
        .and_then(Value::as_array)
        .ok_or(ImportError::Corrupt {
            format: FORMAT,
            reason: "the vault has no entries list".into(),
        })?;
    let groups: HashMap<&str, &str> = db
        .get("groups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| Some((str_field(g, "uuid")?, str_field(g, "name")?)))
                .collect()
        })
        .unwrap_or_default();
    let mut report = ImportReport::default();
    for (index, entry) in entries.iter().enumerate() {
        report.push(
            read_entry(entry, &groups).map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }),
        );
    }
    Ok(report)
}

/// Reads one entry; errors carry its label.
fn read_entry(entry: &Value, groups: &HashMap<&str, &str>) -> Result<Entry, (String, String)> {
    let mut raw = RawAccount::new(
        str_field(entry, "issuer").unwrap_or_default(),
        str_field(entry, "name").unwrap_or_default(),
    );
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    let kind = str_field(entry, "type").unwrap_or_default();
    raw.kind = match kind.to_ascii_lowercase().as_str() {
        "totp" => OtpKind::Totp,
        "hotp" => OtpKind::Hotp,
        "steam" => OtpKind::Steam,
        "motp" => return Err(fail(crate::entry::pin_type_unsupported("mOTP"))),
        "yandex" => return Err(fail(crate::entry::pin_type_unsupported("Yandex"))),
        _ => return Err(fail("unknown entry type".into())),
    };
    let info = entry
        .get("info")
        .ok_or_else(|| fail("the entry has no info".into()))?;
    if let Some(algorithm) = str_field(info, "algo") {
        raw.algorithm = crate::entry::algorithm(algorithm).map_err(&fail)?;
    }
    if let Some(digits) = u8_field(info, "digits").map_err(&fail)? {
        raw.digits = digits;
    }
    match raw.kind {
        OtpKind::Hotp => {
            raw.counter = u64_field(info, "counter")
                .map_err(&fail)?
                .ok_or_else(|| fail("the HOTP entry has no counter".into()))?;
        }
        _ => {
            if let Some(period) = u64_field(info, "period").map_err(&fail)? {
                raw.period = period;
            }
        }
    }
    let secret = base32_secret(str_field(info, "secret").unwrap_or_default()).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    let mut tags: Vec<String> = Vec::new();
    if let Some(uuids) = entry.get("groups").and_then(Value::as_array) {
        for name in uuids
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|uuid| groups.get(uuid))
        {
            if !tags.iter().any(|t| t == name) {
                tags.push((*name).to_owned());
            }
        }
    } else if let Some(group) = str_field(entry, "group").filter(|g| !g.is_empty()) {
        tags.push(group.to_owned());
    }
    Ok(Entry {
        enrollment,
        notes: str_field(entry, "note").unwrap_or_default().to_owned(),
        favourite: entry
            .get("favorite")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        tags,
        recovery: None,
    })
}

// ---- Writing ----

#[derive(Serialize)]
struct VaultFile<Db: Serialize> {
    version: u32,
    header: Header,
    db: Db,
}

#[derive(Serialize)]
struct Header {
    slots: Option<Vec<PasswordSlot>>,
    params: Option<CryptParams>,
}

#[derive(Serialize)]
struct CryptParams {
    nonce: String,
    tag: String,
}

#[derive(Serialize)]
struct PasswordSlot {
    #[serde(rename = "type")]
    kind: u8,
    uuid: String,
    key: String,
    key_params: CryptParams,
    n: u64,
    r: u32,
    p: u32,
    salt: String,
    repaired: bool,
    is_backup: bool,
}

#[derive(Serialize)]
struct Db<'a> {
    version: u64,
    entries: Vec<DbEntry<'a>>,
    groups: Vec<DbGroup<'a>>,
    icons_optimized: bool,
}

#[derive(Serialize)]
struct DbGroup<'a> {
    uuid: String,
    name: &'a str,
}

#[derive(Serialize)]
struct DbEntry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'a str,
    favorite: bool,
    icon: Option<()>,
    icon_mime: Option<()>,
    icon_hash: Option<()>,
    info: Info<'a>,
    groups: Vec<String>,
}

#[derive(Serialize)]
struct Info<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

impl Exporter for AegisExporter {
    fn id(&self) -> &'static str {
        "aegis"
    }

    fn name(&self) -> &'static str {
        "Aegis vault (encrypted with a password, plain without)"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn password_use(&self) -> PasswordUse {
        PasswordUse::Optional
    }

    fn description(&self) -> &'static str {
        "An Aegis vault that Aegis (Android) imports. Recovery codes are not included."
    }

    fn export(
        &self,
        entries: &[Entry],
        password: Option<&Password>,
    ) -> Result<ExportOutput, ExportError> {
        write_vault(entries, password, SCRYPT_LOG_N)
    }
}

/// Writes a vault; `log_n` is the scrypt cost (tests use less than
/// Aegis's 15 to stay fast).
fn write_vault(
    entries: &[Entry],
    password: Option<&Password>,
    log_n: u8,
) -> Result<ExportOutput, ExportError> {
    if password.is_some_and(Password::is_empty) {
        return Err(ExportError::EmptyPassword);
    }
    // Base32 secrets live here, wiped on drop, and the JSON borrows them.
    let secrets: Vec<Zeroizing<String>> = entries
        .iter()
        .map(|e| e.enrollment.secret.to_base32())
        .collect();
    let mut group_ids: Vec<(&str, String)> = Vec::new();
    for tag in entries.iter().flat_map(|e| &e.tags) {
        if !group_ids.iter().any(|(name, _)| name == tag) {
            group_ids.push((tag, random_uuid()?));
        }
    }
    let group_id = |tag: &str| {
        group_ids
            .iter()
            .find(|(name, _)| *name == tag)
            .map(|(_, id)| id.clone())
            .expect("every tag got a group above")
    };
    let mut db_entries = Vec::with_capacity(entries.len());
    for (entry, secret) in entries.iter().zip(&secrets) {
        let params = &entry.enrollment.params;
        let timed = params.kind != OtpKind::Hotp;
        db_entries.push(DbEntry {
            kind: params.kind.as_str(),
            uuid: random_uuid()?,
            name: &entry.enrollment.name,
            issuer: &entry.enrollment.issuer,
            note: &entry.notes,
            favorite: entry.favourite,
            icon: None,
            icon_mime: None,
            icon_hash: None,
            info: Info {
                secret,
                algo: params.algorithm.as_uri_str(),
                digits: params.digits,
                period: timed.then_some(params.period),
                counter: (!timed).then_some(params.counter),
            },
            groups: entry.tags.iter().map(|t| group_id(t)).collect(),
        });
    }
    let db = Db {
        version: DB_VERSION,
        entries: db_entries,
        groups: group_ids
            .iter()
            .map(|(name, uuid)| DbGroup {
                uuid: uuid.clone(),
                name,
            })
            .collect(),
        icons_optimized: true,
    };
    let estimate = 1024 + entries.len() * 700;
    let Some(password) = password else {
        let file = VaultFile {
            version: 1,
            header: Header {
                slots: None,
                params: None,
            },
            db,
        };
        return Ok(ExportOutput {
            bytes: to_json(&file, estimate),
            encrypted: false,
            skipped: Vec::new(),
            warnings: vec![
                "This Aegis vault is not encrypted: anyone who reads it can generate your \
                 login codes. Give a password to encrypt it."
                    .into(),
            ],
        });
    };

    let plaintext = to_json(&db, estimate);
    let master = random_key()?;
    let db_nonce: [u8; GCM_NONCE_LEN] = random_array()?;
    let mut sealed_db = gcm_seal(&master, &db_nonce, &plaintext);
    let db_tag = sealed_db.split_off(sealed_db.len() - GCM_TAG_LEN);

    let salt: [u8; 32] = random_array()?;
    let cost: ScryptCost =
        check_scrypt(FORMAT, 1 << log_n, 8, 1).expect("the export's own cost is within the limits");
    let wrapping_key = scrypt_key(password.as_bytes(), &salt, cost);
    let key_nonce: [u8; GCM_NONCE_LEN] = random_array()?;
    let mut wrapped = gcm_seal(&wrapping_key, &key_nonce, &master[..]);
    let key_tag = wrapped.split_off(wrapped.len() - GCM_TAG_LEN);

    let file = VaultFile {
        version: 1,
        header: Header {
            slots: Some(vec![PasswordSlot {
                kind: 1,
                uuid: random_uuid()?,
                key: hex_encode(&wrapped),
                key_params: CryptParams {
                    nonce: hex_encode(&key_nonce),
                    tag: hex_encode(&key_tag),
                },
                n: 1 << log_n,
                r: 8,
                p: 1,
                salt: hex_encode(&salt),
                repaired: true,
                is_backup: false,
            }]),
            params: Some(CryptParams {
                nonce: hex_encode(&db_nonce),
                tag: hex_encode(&db_tag),
            }),
        },
        db: base64_encode(&sealed_db),
    };
    Ok(ExportOutput {
        bytes: to_json(&file, 1024 + sealed_db.len() * 2),
        encrypted: true,
        skipped: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Pretty JSON (as Aegis writes it) into a wiped buffer, sized up front so
/// that growing it leaves no copies behind.
fn to_json(value: &impl Serialize, estimate: usize) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(estimate * 2));
    serde_json::to_writer_pretty(&mut *bytes, value).expect("these structures always serialize");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Algorithm, Enrollment, OtpParams, Secret};

    pub(crate) fn sample() -> Vec<Entry> {
        let secret = |text| Secret::from_base32(text).unwrap();
        let mut first = Entry::new(Enrollment {
            issuer: "Deno".into(),
            name: "Mason".into(),
            secret: secret("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
            params: OtpParams::totp(),
        });
        first.notes = "recovery codes in the safe".into();
        first.favourite = true;
        first.tags = vec!["work".into(), "dev".into()];
        let mut second = Entry::new(Enrollment {
            issuer: "WWE".into(),
            name: "Mason".into(),
            secret: secret("5VAML3X35THCEBVRLV24CGBKOY"),
            params: OtpParams {
                algorithm: Algorithm::Sha512,
                digits: 8,
                ..OtpParams::hotp(10300)
            },
        });
        second.tags = vec!["work".into()];
        let third = Entry::new(Enrollment {
            issuer: "Boeing".into(),
            name: "Sophia".into(),
            secret: secret("JRZCL47CMXVOQMNPZR2F7J4RGI"),
            params: OtpParams::steam(),
        });
        let fourth = Entry::new(Enrollment {
            issuer: "SPDX".into(),
            name: "James".into(),
            secret: secret("5OM4WOOGPLQEF6UGN3CPEOOLWU"),
            params: OtpParams {
                algorithm: Algorithm::Sha256,
                digits: 7,
                period: 20,
                ..OtpParams::totp()
            },
        });
        vec![first, second, third, fourth]
    }

    #[test]
    fn plain_round_trip_keeps_everything() {
        let output = AegisExporter.export(&sample(), None).unwrap();
        assert!(!output.encrypted);
        assert_eq!(output.warnings.len(), 1);
        assert_eq!(AegisImporter.detect(&output.bytes), Confidence::Certain);
        let report = AegisImporter.import(&output.bytes, None).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.entries, sample());
    }

    #[test]
    fn encrypted_round_trip_keeps_everything() {
        let password = Password::from("correct horse");
        let output = write_vault(&sample(), Some(&password), 10).unwrap();
        assert!(output.encrypted);
        let report = AegisImporter
            .import(&output.bytes, Some(&password))
            .unwrap();
        assert_eq!(report.entries, sample());
        let text = std::str::from_utf8(&output.bytes).unwrap();
        assert!(!text.contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"));
        assert!(!text.contains("Deno"));
    }

    #[test]
    fn written_files_follow_the_aegis_document() {
        let password = Password::from("pw");
        let output = write_vault(&sample(), Some(&password), 10).unwrap();
        let file: Value = serde_json::from_slice(&output.bytes).unwrap();
        assert_eq!(file["version"], 1);
        let slot = &file["header"]["slots"][0];
        assert_eq!(slot["type"], 1);
        assert_eq!(slot["n"], 1024);
        assert_eq!((slot["r"].as_u64(), slot["p"].as_u64()), (Some(8), Some(1)));
        assert_eq!(slot["key"].as_str().unwrap().len(), 64);
        assert_eq!(slot["salt"].as_str().unwrap().len(), 64);
        assert_eq!(slot["key_params"]["nonce"].as_str().unwrap().len(), 24);
        assert_eq!(slot["key_params"]["tag"].as_str().unwrap().len(), 32);
        assert_eq!(slot["repaired"], true);
        assert_eq!(slot["uuid"].as_str().unwrap().len(), 36);
        assert_eq!(
            file["header"]["params"]["nonce"].as_str().unwrap().len(),
            24
        );
        assert!(file["db"].is_string());
        // The default exporter uses Aegis's own cost.
        let output = AegisExporter
            .export(&sample()[..1], Some(&password))
            .unwrap();
        let file: Value = serde_json::from_slice(&output.bytes).unwrap();
        assert_eq!(file["header"]["slots"][0]["n"], 32768);

        let plain = AegisExporter.export(&sample(), None).unwrap();
        let file: Value = serde_json::from_slice(&plain.bytes).unwrap();
        assert!(file["header"]["slots"].is_null() && file["header"]["params"].is_null());
        let db = &file["db"];
        assert_eq!(db["version"], 3);
        let entry = &db["entries"][0];
        assert_eq!(entry["type"], "totp");
        assert_eq!(entry["note"], "recovery codes in the safe");
        assert_eq!(entry["favorite"], true);
        assert!(entry["icon"].is_null());
        assert_eq!(entry["info"]["secret"], "4SJHB4GSD43FZBAI7C2HLRJGPQ");
        assert_eq!(entry["info"]["algo"], "SHA1");
        assert_eq!(entry["info"]["period"], 30);
        assert!(entry["info"].get("counter").is_none());
        assert_eq!(db["entries"][1]["info"]["counter"], 10300);
        assert!(db["entries"][1]["info"].get("period").is_none());
        assert_eq!(db["entries"][2]["type"], "steam");
        assert_eq!(db["entries"][2]["info"]["digits"], 5);
        assert_eq!(db["groups"].as_array().unwrap().len(), 2);
        assert_eq!(db["groups"][0]["name"], "work");
        assert_eq!(db["entries"][1]["groups"][0], db["groups"][0]["uuid"]);
    }

    #[test]
    fn password_errors() {
        let password = Password::from("right");
        let output = write_vault(&sample(), Some(&password), 10).unwrap();
        assert_eq!(
            AegisImporter.import(&output.bytes, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        assert_eq!(
            AegisImporter.import(&output.bytes, Some(&Password::from("wrong"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        assert_eq!(
            AegisExporter
                .export(&sample(), Some(&Password::from("")))
                .unwrap_err(),
            ExportError::EmptyPassword
        );
    }

    /// Rewrites a field of the first slot of an encrypted vault.
    fn with_slot(bytes: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut file: Value = serde_json::from_slice(bytes).unwrap();
        change(&mut file["header"]["slots"][0]);
        serde_json::to_vec(&file).unwrap()
    }

    #[test]
    fn every_password_slot_is_tried_and_absurd_costs_are_refused() {
        let password = Password::from("right");
        let output = write_vault(&sample(), Some(&password), 10).unwrap();
        let mut file: Value = serde_json::from_slice(&output.bytes).unwrap();
        // A biometric slot and a broken password slot before the real one.
        let real = file["header"]["slots"][0].clone();
        let mut biometric = real.clone();
        biometric["type"] = 2.into();
        let mut other = real.clone();
        other["salt"] = hex_encode(&[9u8; 32]).into();
        file["header"]["slots"] = Value::Array(vec![biometric, other, real]);
        let bytes = serde_json::to_vec(&file).unwrap();
        let report = AegisImporter.import(&bytes, Some(&password)).unwrap();
        assert_eq!(report.entries.len(), 4);

        let absurd = with_slot(&output.bytes, |slot| slot["n"] = (1u64 << 40).into());
        let error = AegisImporter.import(&absurd, Some(&password)).unwrap_err();
        assert!(
            matches!(
                error,
                ImportError::KdfParamsTooExpensive { kdf: "scrypt", .. }
            ),
            "{error:?}"
        );
        let absurd = with_slot(&output.bytes, |slot| slot["p"] = 1000.into());
        assert!(matches!(
            AegisImporter.import(&absurd, Some(&password)),
            Err(ImportError::KdfParamsTooExpensive { .. })
        ));
        let biometric_only = with_slot(&output.bytes, |slot| slot["type"] = 2.into());
        assert!(matches!(
            AegisImporter.import(&biometric_only, Some(&password)),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn truncated_tampered_and_foreign_files() {
        let password = Password::from("right");
        let output = write_vault(&sample(), Some(&password), 10).unwrap();
        let truncated = &output.bytes[..output.bytes.len() / 2];
        assert!(matches!(
            AegisImporter.import(truncated, Some(&password)),
            Err(ImportError::Truncated { .. })
        ));
        let mut file: Value = serde_json::from_slice(&output.bytes).unwrap();
        file["header"]["params"]["tag"] = hex_encode(&[0u8; 16]).into();
        let tampered = serde_json::to_vec(&file).unwrap();
        assert!(matches!(
            AegisImporter.import(&tampered, Some(&password)),
            Err(ImportError::Corrupt { .. })
        ));
        assert!(matches!(
            AegisImporter.import(b"[1, 2]", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            AegisImporter.import(b"otpauth://totp/a?secret=AAAA", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert_eq!(AegisImporter.detect(b"{\"items\": []}"), Confidence::No);
        let newer = br#"{"version": 2, "header": {"slots": null, "params": null}, "db": {}}"#;
        assert!(matches!(
            AegisImporter.import(newer, None),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn bad_entries_do_not_sink_the_file_and_old_groups_become_tags() {
        let db = serde_json::json!({
            "version": 2,
            "entries": [
                {"type": "totp", "name": "a", "issuer": "A", "group": "g1",
                 "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30}},
                {"type": "yandex", "name": "b", "issuer": "B",
                 "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA256", "digits": 8, "period": 30}},
                {"type": "totp", "name": "c", "issuer": "C",
                 "info": {"secret": "JBSWY3DP!", "algo": "SHA1", "digits": 6, "period": 30}},
                {"type": "hotp", "name": "d", "issuer": "D",
                 "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "MD5", "digits": 6, "counter": 1}},
                {"type": "totp", "name": "e", "issuer": "E",
                 "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 0}},
            ]
        });
        let file =
            serde_json::json!({"version": 1, "header": {"slots": null, "params": null}, "db": db});
        let report = AegisImporter
            .import(file.to_string().as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries.len(), 1);
        assert_eq!(report.entries[0].tags, vec!["g1"]);
        let failed: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.index, e.label.as_str()))
            .collect();
        assert_eq!(
            failed,
            vec![(1, "B: b"), (2, "C: c"), (3, "D: d"), (4, "E: e")]
        );
        for error in &report.errors {
            assert!(!error.message.contains("JBSWY3DP"), "{error}");
        }
    }

    /// Database version 3 as Proton's and Stratum's Aegis files have it:
    /// group UUIDs, an empty issuer, a hand-typed secret of impossible
    /// length, and entries Tessera cannot hold, each refused in words.
    #[test]
    fn db_version_3_entries_and_what_cannot_be_held() {
        let info = |digits: u8, period: u64| {
            serde_json::json!({"secret": "MYSECRET", "algo": "SHA256", "digits": digits,
                               "period": period})
        };
        let db = serde_json::json!({
            "version": 3,
            "entries": [
                {"type": "totp", "name": "Somename", "issuer": "", "note": "Somenote",
                 "groups": ["u1"],
                 "info": {"secret": "CHJDDHDHXE", "algo": "SHA256", "digits": 7, "period": 30}},
                {"type": "totp", "name": "short", "issuer": "X",
                 "info": {"secret": "ASECRET", "algo": "SHA1", "digits": 6, "period": 30}},
                {"type": "totp", "name": "bad-digits", "issuer": "myissuer", "info": info(0, 15)},
                {"type": "totp", "name": "bad-period", "issuer": "myissuer", "info": info(6, 0)},
                {"type": "motp", "name": "Motp", "issuer": "Motp",
                 "info": {"secret": "VKVKVKVKVKVKVKVKVKVKVKQ", "algo": "MD5", "digits": 6,
                          "period": 10, "pin": "1234"}},
                {"type": "yandex", "name": "Yandex", "issuer": "Yandex", "info": info(8, 30)},
                {"type": "totp", "name": "sha384", "issuer": "Y",
                 "info": {"secret": "MYSECRET", "algo": "SHA384", "digits": 6, "period": 30}},
            ],
            "groups": [{"uuid": "u1", "name": "Work"}]
        });
        let file =
            serde_json::json!({"version": 1, "header": {"slots": null, "params": null}, "db": db});
        let report = AegisImporter
            .import(file.to_string().as_bytes(), None)
            .unwrap();
        let labels: Vec<String> = report.entries.iter().map(Entry::label).collect();
        assert_eq!(labels, ["Somename", "X: short"]);
        assert_eq!(report.entries[0].enrollment.issuer, "");
        assert_eq!(report.entries[0].notes, "Somenote");
        assert_eq!(report.entries[0].tags, vec!["Work"]);
        assert_eq!(report.entries[0].enrollment.params.digits, 7);
        assert_eq!(
            report.entries[1].enrollment.secret.to_base32().as_str(),
            "ASECREQ"
        );
        let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "entry 3 (myissuer: bad-digits): codes must have 6 to 10 digits, not 0",
                "entry 4 (myissuer: bad-period): the period must be at least 1 second",
                "entry 5 (Motp: Motp): mOTP entries are not supported: they need a PIN, \
                 and Tessera makes TOTP, HOTP and Steam codes only",
                "entry 6 (Yandex: Yandex): Yandex entries are not supported: they need a PIN, \
                 and Tessera makes TOTP, HOTP and Steam codes only",
                "entry 7 (Y: sha384): SHA-384 codes are not supported: Tessera, like RFC 6238, \
                 computes SHA1, SHA256 and SHA512 only",
            ]
        );
    }

    /// Found while writing the `import_aegis` fuzz target (whose harness
    /// must bound the work a file asks for): each password slot's scrypt
    /// cost was capped, but not their number, so a vault of many slots at
    /// the cap asked for minutes, hours with enough of them (three slots
    /// took 63 s here). Their sum is capped now, before any derivation.
    #[test]
    fn regression_fuzz_aegis_many_expensive_slots_are_refused() {
        let password = Password::from("right");
        let output = write_vault(&sample(), Some(&password), 10).unwrap();
        let mut file: Value = serde_json::from_slice(&output.bytes).unwrap();
        let mut slot = file["header"]["slots"][0].clone();
        // Aegis's own cost, 2^18 each: 64 of them are the cap.
        slot["n"] = (1u64 << 15).into();
        file["header"]["slots"] = Value::Array(vec![slot; 65]);
        let bytes = serde_json::to_vec(&file).unwrap();
        let start = std::time::Instant::now();
        let error = AegisImporter.import(&bytes, Some(&password)).unwrap_err();
        assert!(
            matches!(
                error,
                ImportError::KdfParamsTooExpensive { kdf: "scrypt", .. }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("all password slots"), "{error}");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
