//! Proton Pass's export: a ZIP holding `Proton Pass/data.json` (or that
//! JSON on its own, once unzipped).
//!
//! Format: no published specification; the structure is that of Proton
//! Pass's own export code (<https://github.com/ProtonMail/WebClients>,
//! `packages/pass/lib/export`) and its authenticator's importer
//! (<https://github.com/protonpass/proton-pass-common>,
//! `proton-authenticator/src/parser/pass`): `{"version", "userId",
//! "vaults": {SHARE_ID: {"name", "items": [ITEM]}}}`, each item
//! `{"data": {"metadata": {"name", "note"}, "type", "content":
//! {"itemUsername", "itemEmail", "totpUri", …}, "extraFields": [{"fieldName",
//! "type", "data": {"totpUri"}}]}, "state", "pinned"}`.
//!
//! Every `content.totpUri` and every extra field of type `totp` that is not
//! empty becomes an account. A value is an `otpauth://` URI or a bare
//! base32 secret (TOTP, SHA1, 6 digits, 30 s). Labels come from the URI
//! when it names an issuer or an account; otherwise the item's title is the
//! issuer and its user name (or, without one, its e-mail) the account
//! name. The item's note becomes the note, its pin the favourite flag, and
//! its vault's name a tag (Pass's vaults are the folders users sort items
//! into, which Tessera keeps as tags as it does other apps' folders). Items
//! in Pass's trash (`state` 2) are reported, not imported, as Ente's
//! trashed entries are. Passwords, URLs, passkeys and other item types are
//! not Tessera's business and are ignored.
//!
//! Bounds: the ZIP's member count and `data.json`'s uncompressed size are
//! capped ([`MAX_MEMBERS`], [`MAX_DATA_LEN`]) whatever its headers claim;
//! only stored and deflated members are read. Pass's encrypted export is
//! OpenPGP (the whole ZIP as an armored message, or `data.pgp` inside
//! one), which Tessera does not read: it is refused with a line saying to
//! export again without encryption.
//!
//! What it cannot carry: HOTP counters are whatever the URI says (Pass
//! itself only makes TOTP).

use std::io::{Cursor, Read};

use serde_json::Value;
use zeroize::Zeroizing;

use crate::entry::{account_label, base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Proton Pass export";
/// Where Pass puts the data in its ZIP.
const DATA_JSON: &str = "Proton Pass/data.json";
/// Where an encrypted export would put it.
const DATA_PGP: &str = "Proton Pass/data.pgp";
/// The armor line of an OpenPGP message: Pass's encrypted export.
const PGP_ARMOR: &[u8] = b"-----BEGIN PGP MESSAGE-----";
/// Most members a Pass ZIP may have (it holds attachments as files).
pub const MAX_MEMBERS: usize = 100_000;
/// Largest `data.json` read, uncompressed: 64 MiB.
pub const MAX_DATA_LEN: u64 = 64 * 1024 * 1024;
/// Pass's `state` for an item in the trash.
const STATE_TRASHED: u64 = 2;

/// The message for Pass's encrypted export.
const ENCRYPTED_EXPORT: &str = "an encrypted (PGP) export; export again from Proton Pass \
     without encryption";

/// Reads Proton Pass's export ZIP (or its `data.json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProtonPassImporter;

/// Whether `bytes` start like a ZIP (a local file header or, for an empty
/// archive, the end record).
fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Whether a document has the shape of Pass's `data.json`.
fn is_pass_json(doc: &Value) -> bool {
    doc.get("vaults")
        .and_then(Value::as_object)
        .is_some_and(|vaults| {
            vaults
                .values()
                .all(|vault| vault.get("items").is_some_and(Value::is_array))
        })
        && doc.get("version").is_some_and(Value::is_string)
}

/// Whether `bytes` are an armored OpenPGP message.
fn is_pgp(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(PGP_ARMOR)
}

impl Importer for ProtonPassImporter {
    fn id(&self) -> &'static str {
        "proton-pass"
    }

    fn name(&self) -> &'static str {
        "Proton Pass export (ZIP, unencrypted)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if looks_like_zip(bytes) {
            return match zip::ZipArchive::new(Cursor::new(bytes)) {
                Ok(archive)
                    if archive.index_for_name(DATA_JSON).is_some()
                        || archive.index_for_name(DATA_PGP).is_some() =>
                {
                    Confidence::Certain
                }
                _ => Confidence::No,
            };
        }
        if is_pgp(bytes) {
            // No other format Tessera knows is OpenPGP; claimed only to
            // say what to do instead.
            return Confidence::Likely;
        }
        match json::sniff(bytes) {
            Some(doc) if is_pass_json(&doc) => Confidence::Likely,
            _ => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        if is_pgp(bytes) {
            return Err(ImportError::Unsupported {
                format: FORMAT,
                what: ENCRYPTED_EXPORT.into(),
            });
        }
        let data = if looks_like_zip(bytes) {
            read_data_json(bytes, MAX_DATA_LEN)?
        } else {
            Zeroizing::new(bytes.to_vec())
        };
        let doc = json::parse(FORMAT, &data)?;
        if !is_pass_json(&doc) {
            return Err(ImportError::NotThisFormat {
                format: "a Proton Pass export",
                reason: "it has no vaults with items".into(),
            });
        }
        Ok(read_vaults(&doc))
    }
}

/// `Proton Pass/data.json` from the ZIP, at most `cap` bytes of it.
fn read_data_json(bytes: &[u8], cap: u64) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let corrupt = |reason: &str| ImportError::Corrupt {
        format: FORMAT,
        reason: reason.to_owned(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| match error {
        zip::result::ZipError::Io(_) => ImportError::Truncated {
            format: FORMAT,
            what: "the ZIP ends before its directory does".into(),
        },
        _ => corrupt("it is not a readable ZIP archive"),
    })?;
    if archive.len() > MAX_MEMBERS {
        return Err(corrupt(&format!(
            "the ZIP has {} members, more than the {MAX_MEMBERS} an export can have",
            archive.len()
        )));
    }
    let Some(index) = archive.index_for_name(DATA_JSON) else {
        if archive.index_for_name(DATA_PGP).is_some() {
            return Err(ImportError::Unsupported {
                format: FORMAT,
                what: ENCRYPTED_EXPORT.into(),
            });
        }
        return Err(ImportError::NotThisFormat {
            format: "a Proton Pass export",
            reason: format!("the ZIP has no {DATA_JSON}"),
        });
    };
    let member = archive.by_index(index).map_err(|error| match error {
        zip::result::ZipError::UnsupportedArchive(_)
        | zip::result::ZipError::CompressionMethodNotSupported(_) => ImportError::Unsupported {
            format: FORMAT,
            what: format!("{DATA_JSON} is encrypted or compressed in a way other than deflate"),
        },
        _ => corrupt("the ZIP's entry for the data is damaged"),
    })?;
    if member.size() > cap {
        return Err(corrupt(&format!(
            "{DATA_JSON} says it is {} bytes, more than {cap}",
            member.size()
        )));
    }
    // The declared size is not trusted: the read stops one byte past the cap.
    let mut data = Zeroizing::new(Vec::with_capacity(member.size() as usize));
    member
        .take(cap + 1)
        .read_to_end(&mut data)
        .map_err(|_| corrupt("the data does not decompress (damaged or truncated ZIP)"))?;
    if data.len() as u64 > cap {
        return Err(corrupt(&format!(
            "{DATA_JSON} decompresses to more than {cap} bytes"
        )));
    }
    Ok(data)
}

/// The item's values shared by its accounts.
struct Item<'a> {
    title: &'a str,
    user: &'a str,
    notes: &'a str,
    favourite: bool,
    vault: &'a str,
}

/// Every account in every vault, in the file's order.
fn read_vaults(doc: &Value) -> ImportReport {
    let mut report = ImportReport::default();
    let mut index = 0;
    let vaults = doc["vaults"].as_object().into_iter().flatten();
    for (_, vault) in vaults {
        let vault_name = str_field(vault, "name").unwrap_or_default().trim();
        for item in vault["items"].as_array().into_iter().flatten() {
            let data = item.get("data").unwrap_or(&Value::Null);
            let metadata = data.get("metadata").unwrap_or(&Value::Null);
            let content = data.get("content").unwrap_or(&Value::Null);
            let user = ["itemUsername", "username", "itemEmail", "email"]
                .iter()
                .filter_map(|key| str_field(content, key))
                .map(str::trim)
                .find(|text| !text.is_empty())
                .unwrap_or_default();
            let shared = Item {
                title: str_field(metadata, "name").unwrap_or_default().trim(),
                user,
                notes: str_field(metadata, "note").unwrap_or_default(),
                favourite: item.get("pinned").and_then(Value::as_bool) == Some(true),
                vault: vault_name,
            };
            let trashed = item.get("state").and_then(Value::as_u64) == Some(STATE_TRASHED);
            for (field, value) in totp_values(data) {
                let label = match field {
                    "" => shared.title.to_owned(),
                    field => account_label(shared.title, field),
                };
                let result = if trashed {
                    Err("the item is in Proton Pass's trash; restore it there to export it".into())
                } else {
                    read_value(value, &shared)
                };
                report.push(result.map_err(|message| EntryError {
                    index,
                    label,
                    message,
                }));
                index += 1;
            }
        }
    }
    report
}

/// An item's non-empty TOTP values with the name of the field holding them
/// (`""` for the main one).
fn totp_values(data: &Value) -> Vec<(&str, &str)> {
    let main = data
        .get("content")
        .and_then(|content| str_field(content, "totpUri"))
        .map(|value| ("", value));
    let extra = data
        .get("extraFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|field| str_field(field, "type").is_some_and(|t| t.eq_ignore_ascii_case("totp")))
        .filter_map(|field| {
            let value = field.get("data").and_then(|d| str_field(d, "totpUri"))?;
            Some((str_field(field, "fieldName").unwrap_or_default(), value))
        });
    main.into_iter()
        .chain(extra)
        .filter(|(_, value)| !value.trim().is_empty())
        .collect()
}

/// One TOTP value: an `otpauth://` URI or a bare base32 secret.
fn read_value(value: &str, item: &Item<'_>) -> Result<Entry, String> {
    let value = value.trim();
    let is_uri = value
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("otpauth:"));
    let enrollment = if is_uri {
        let mut enrollment = crate::entry::otpauth_uri(value)?;
        if enrollment.issuer.is_empty() && enrollment.name.is_empty() {
            enrollment.issuer = item.title.to_owned();
            enrollment.name = item.user.to_owned();
        }
        enrollment
    } else {
        RawAccount::new(item.title, item.user).into_enrollment(base32_secret(value)?)?
    };
    Ok(Entry {
        notes: item.notes.to_owned(),
        favourite: item.favourite,
        tags: if item.vault.is_empty() {
            Vec::new()
        } else {
            vec![item.vault.to_owned()]
        },
        ..Entry::new(enrollment)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;
    use tessera_otp::Algorithm;

    fn item(name: &str, user: &str, totp: &str, extra: Value) -> Value {
        json!({
            "itemId": "x", "shareId": "y", "state": 1, "pinned": false,
            "data": {
                "metadata": {"name": name, "note": "", "itemUuid": "u"},
                "extraFields": extra,
                "type": "login",
                "content": {"itemEmail": "", "password": "hunter2", "urls": [], "totpUri": totp,
                            "passkeys": [], "itemUsername": user}
            }
        })
    }

    fn export() -> Value {
        let mut pinned = item(
            "GitHub",
            "alice",
            "JBSWY3DPEHPK3PXP",
            json!([{"fieldName": "Backup", "type": "totp",
                    "data": {"totpUri": "otpauth://totp/Work:bob?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&algorithm=SHA256"}},
                   {"fieldName": "Bad", "type": "totp", "data": {"totpUri": "otpauth://totp/NoSecret"}},
                   {"fieldName": "Pin", "type": "hidden", "data": {"content": "1234"}}]),
        );
        pinned["pinned"] = json!(true);
        pinned["data"]["metadata"]["note"] = json!("recovery in safe");
        let mut trashed = item("Old", "", "JBSWY3DPEHPK3PXP", json!([]));
        trashed["state"] = json!(2);
        json!({
            "version": "1.20.0", "userId": "id",
            "vaults": {
                "a": {"name": "Personal", "items": [
                    item("No TOTP", "carol", "", json!([])),
                    pinned,
                    trashed,
                ]},
                "b": {"name": "Empty", "items": []}
            }
        })
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in members {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn export_zip() -> Vec<u8> {
        zip_of(&[
            ("Proton Pass/", b""),
            (DATA_JSON, export().to_string().as_bytes()),
        ])
    }

    #[test]
    fn reads_main_and_extra_totp_fields() {
        let bytes = export_zip();
        assert_eq!(ProtonPassImporter.detect(&bytes), Confidence::Certain);
        assert_eq!(crate::registry::detect(&bytes).unwrap().id(), "proton-pass");
        let report = ProtonPassImporter.import(&bytes, None).unwrap();
        let labels: Vec<_> = report.entries.iter().map(Entry::label).collect();
        assert_eq!(labels, ["GitHub: alice", "Work: bob"]);
        let first = &report.entries[0];
        assert!(first.favourite);
        assert_eq!(first.notes, "recovery in safe");
        assert_eq!(first.tags, ["Personal"]);
        assert_eq!(
            report.entries[1].enrollment.params.algorithm,
            Algorithm::Sha256
        );
        let errors: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.index, e.label.as_str()))
            .collect();
        assert_eq!(errors, [(2, "GitHub: Bad"), (3, "Old")]);
        assert!(report.errors[1].message.contains("trash"));
        for error in &report.errors {
            assert!(!error.to_string().contains("JBSW"), "{error}");
        }
        // The same JSON, unzipped.
        let json = export().to_string();
        assert_eq!(
            ProtonPassImporter.detect(json.as_bytes()),
            Confidence::Likely
        );
        assert_eq!(
            ProtonPassImporter.import(json.as_bytes(), None).unwrap(),
            report
        );
    }

    #[test]
    fn a_user_name_falls_back_to_the_email() {
        let mut doc = export();
        let item = &mut doc["vaults"]["a"]["items"][1]["data"]["content"];
        item["itemUsername"] = json!("");
        item["itemEmail"] = json!("alice@example.com");
        let report = ProtonPassImporter
            .import(doc.to_string().as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries[0].label(), "GitHub: alice@example.com");
    }

    #[test]
    fn encrypted_exports_are_refused_in_one_line() {
        let armored = b"-----BEGIN PGP MESSAGE-----\n\nwy4ECQMI\n-----END PGP MESSAGE-----\n";
        let inner = zip_of(&[("Proton Pass/data.pgp", armored)]);
        for bytes in [&armored[..], &inner] {
            assert!(ProtonPassImporter.detect(bytes) > Confidence::No);
            let error = ProtonPassImporter.import(bytes, None).unwrap_err();
            assert!(
                matches!(error, ImportError::Unsupported { .. }),
                "{error:?}"
            );
            assert!(!error.to_string().contains('\n'));
            assert!(error.to_string().contains("without encryption"), "{error}");
        }
    }

    #[test]
    fn other_zips_and_json_are_not_claimed() {
        let other = zip_of(&[("export.data", b"{}"), ("export.attributes", b"{}")]);
        assert_eq!(ProtonPassImporter.detect(&other), Confidence::No);
        assert!(matches!(
            ProtonPassImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
        for json in [
            &b"{\"vaults\": []}"[..],
            b"{\"entries\": []}",
            b"{\"vaults\": {}}",
        ] {
            assert_eq!(ProtonPassImporter.detect(json), Confidence::No);
        }
        assert!(matches!(
            ProtonPassImporter.import(b"{\"vaults\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    #[test]
    fn truncated_and_damaged_zips() {
        let bytes = export_zip();
        for cut in [bytes.len() - 10, bytes.len() / 2, 30] {
            let error = ProtonPassImporter.import(&bytes[..cut], None).unwrap_err();
            assert!(
                matches!(
                    error,
                    ImportError::Truncated { .. } | ImportError::Corrupt { .. }
                ),
                "{cut}: {error:?}"
            );
        }
        // A flipped byte inside the deflated data.
        let mut damaged = bytes.clone();
        let at = damaged
            .windows(DATA_JSON.len())
            .position(|w| w == DATA_JSON.as_bytes())
            .unwrap()
            + DATA_JSON.len()
            + 20;
        damaged[at] ^= 0x55;
        assert!(ProtonPassImporter.import(&damaged, None).is_err());
    }

    #[test]
    fn the_data_is_read_up_to_the_cap_whatever_the_zip_says() {
        let data = vec![b' '; 4096];
        let bytes = zip_of(&[(DATA_JSON, &data)]);
        assert_eq!(read_data_json(&bytes, 4096).unwrap().len(), 4096);
        let error = read_data_json(&bytes, 4095).unwrap_err();
        assert!(matches!(error, ImportError::Corrupt { .. }), "{error:?}");
        assert!(error.to_string().contains("4096 bytes"), "{error}");
        // The sizes in both headers rewritten to 100: the member still
        // inflates to 4096 bytes, and the read stops at the cap.
        let mut lying = bytes.clone();
        for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let at = lying.windows(4).position(|w| w == signature).unwrap();
            lying[at + offset..at + offset + 4].copy_from_slice(&100u32.to_le_bytes());
        }
        assert!(read_data_json(&lying, 1000).is_err());
    }
}
