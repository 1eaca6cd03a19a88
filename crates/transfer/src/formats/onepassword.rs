//! 1Password's 1PUX export ("1Password Unencrypted Export"), written by
//! 1Password 8. Only items with a one-time-password field become
//! accounts; each such field is one account, so an item with two gives
//! two.
//!
//! Format: <https://support.1password.com/1pux-format/>. A ZIP archive
//! holding `export.attributes` (`{"version", "description", and
//! "createdAt" or, in real files, "timestamp"}`), `export.data` and a
//! `files/` folder of attachments (not read). `export.data` is JSON:
//! `{"accounts": [{"attrs", "vaults": [{"attrs": {"name"}, "items":
//! [{"state", "favIndex", "overview": {"title", "url", "tags"},
//! "details": {"loginFields": [{"designation", "value"}], "notesPlain",
//! "sections": [{"fields": [{"title", "value": {"totp": ...}}]}]}}]}]}]}`.
//! A `totp` value is an `otpauth://` URI or a bare base32 secret, read by
//! the same rule as Bitwarden's TOTP field
//! (`bitwarden::totp_field_account`): a URI's own labels win, and
//! what it lacks comes from the item, its title as the issuer and the
//! login field designated `username` as the account name.
//!
//! What it cannot carry: parameters beyond what a URI says (a bare secret
//! is TOTP, SHA-1, 6 digits, 30 s). The item's tags become tags,
//! `notesPlain` the note, a non-zero `favIndex` the favourite flag.
//! Archived items are kept (the archive holds items put aside, not
//! deleted ones); items whose `state` is `deleted` are left out. Secrets:
//! base32 as `base32_secret` reads it. The archive is read
//! from memory, each member bounded to [`MAX_IMPORT_LEN`] however large its
//! header says it is.

use std::io::{Cursor, Read};

use serde_json::Value;
use zeroize::Zeroizing;

use super::bitwarden::totp_field_account;
use crate::entry::{account_label, Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::json::{self, str_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer, MAX_IMPORT_LEN};

const FORMAT: &str = "1Password export";

/// Largest `export.attributes` read: it is a few dozen bytes.
const MAX_ATTRIBUTES_LEN: u64 = 64 * 1024;

/// Reads 1Password's 1PUX export.
#[derive(Debug, Clone, Copy, Default)]
pub struct OnePasswordImporter;

/// The archive, if the bytes are a ZIP with 1PUX's two members.
fn open(bytes: &[u8]) -> Option<zip::ZipArchive<Cursor<&[u8]>>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    (archive.index_for_name("export.attributes").is_some()
        && archive.index_for_name("export.data").is_some())
    .then_some(archive)
}

/// One member's bytes, refusing more than `limit` whatever the header says
/// (a deflate stream can expand far beyond its size).
fn read_member(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let corrupt = |reason: String| ImportError::Corrupt {
        format: FORMAT,
        reason,
    };
    let member = archive.by_name(name).map_err(|error| match error {
        zip::result::ZipError::UnsupportedArchive(what) => ImportError::Unsupported {
            format: FORMAT,
            what: format!("{name} is stored in a way Tessera cannot read ({what})"),
        },
        _ => corrupt(format!("{name} cannot be read from the archive")),
    })?;
    if member.encrypted() {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: format!("{name} is encrypted, which 1Password never does"),
        });
    }
    let mut bytes = Zeroizing::new(Vec::new());
    member
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| corrupt(format!("{name} does not decompress")))?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge {
            len: bytes.len() as u64,
            max: limit,
        });
    }
    Ok(bytes)
}

impl Importer for OnePasswordImporter {
    fn id(&self) -> &'static str {
        "1password-1pux"
    }

    fn name(&self) -> &'static str {
        "1Password export (.1pux)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if open(bytes).is_some() {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let mut archive = open(bytes).ok_or(ImportError::NotThisFormat {
            format: "a 1Password 1PUX export",
            reason: "it is not a ZIP archive with export.attributes and export.data".into(),
        })?;
        let attributes = read_member(&mut archive, "export.attributes", MAX_ATTRIBUTES_LEN)?;
        // Only checked to be JSON: its fields (version, date) change
        // nothing in how the data is read.
        json::parse(FORMAT, &attributes)?;
        let data = read_member(&mut archive, "export.data", MAX_IMPORT_LEN)?;
        let data = json::parse(FORMAT, &data)?;
        let accounts =
            data.get("accounts")
                .and_then(Value::as_array)
                .ok_or(ImportError::Corrupt {
                    format: FORMAT,
                    reason: "export.data has no accounts list".into(),
                })?;
        let mut report = ImportReport::default();
        let mut index = 0;
        let items = accounts
            .iter()
            .flat_map(|account| list(account, "vaults"))
            .flat_map(|vault| list(vault, "items"));
        for item in items {
            if str_field(item, "state") == Some("deleted") {
                continue;
            }
            read_item(item, &mut index, &mut report);
        }
        Ok(report)
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

/// Adds an item's one-time-password fields to the report, counting each
/// in `index`.
fn read_item(item: &Value, index: &mut usize, report: &mut ImportReport) {
    let details = item.get("details").unwrap_or(&Value::Null);
    let overview = item.get("overview").unwrap_or(&Value::Null);
    let title = str_field(overview, "title").unwrap_or_default().trim();
    let username = list(details, "loginFields")
        .find(|field| str_field(field, "designation") == Some("username"))
        .and_then(|field| str_field(field, "value"))
        .unwrap_or_default()
        .trim();
    let totps = list(details, "sections")
        .flat_map(|section| list(section, "fields"))
        .filter_map(|field| field.get("value").and_then(|v| str_field(v, "totp")))
        .map(str::trim)
        .filter(|totp| !totp.is_empty());
    for totp in totps {
        let result = totp_field_account(totp, title, username).map(|enrollment| Entry {
            enrollment,
            notes: str_field(details, "notesPlain")
                .unwrap_or_default()
                .to_owned(),
            favourite: item
                .get("favIndex")
                .and_then(Value::as_u64)
                .is_some_and(|i| i > 0),
            tags: list(overview, "tags")
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            recovery: None,
        });
        report.push(result.map_err(|message| EntryError {
            index: *index,
            label: account_label(title, username),
            message,
        }));
        *index += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use serde_json::json;
    use tessera_otp::Algorithm;
    use zip::write::SimpleFileOptions;

    /// A 1PUX archive with these members, deflated as 1Password does.
    fn archive(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn export(data: &Value) -> Vec<u8> {
        let attributes =
            json!({"version": 3, "description": "1Password Unencrypted Export", "timestamp": 1});
        archive(&[
            ("export.attributes", attributes.to_string().as_bytes()),
            ("export.data", data.to_string().as_bytes()),
            ("files/readme.txt", b"an attachment"),
        ])
    }

    fn login(title: &str, username: &str, totps: &[&str]) -> Value {
        let fields: Vec<Value> = totps
            .iter()
            .map(|t| json!({"title": "one-time password", "id": "TOTP_x", "value": {"totp": t}}))
            .collect();
        json!({
            "uuid": "u", "state": "active", "favIndex": 0, "categoryUuid": "001",
            "overview": {"title": title, "url": "https://example.com", "tags": []},
            "details": {
                "loginFields": [
                    {"value": "hunter2", "name": "password", "fieldType": "P", "designation": "password"},
                    {"value": username, "name": "username", "fieldType": "T", "designation": "username"}
                ],
                "notesPlain": "",
                "sections": [{"title": "Extra", "name": "s", "fields": fields}]
            }
        })
    }

    #[test]
    fn items_with_one_time_passwords() {
        let mut favourite = login("Favourite", "", &["JBSWY3DPEHPK3PXP"]);
        favourite["favIndex"] = 1.into();
        favourite["overview"]["tags"] = json!(["work"]);
        favourite["details"]["notesPlain"] = "a note".into();
        let mut deleted = login("Gone", "x", &["JBSWY3DPEHPK3PXP"]);
        deleted["state"] = "deleted".into();
        let mut archived = login("Archived", "y", &["JBSWY3DPEHPK3PXP"]);
        archived["state"] = "archived".into();
        let data = json!({"accounts": [{"attrs": {"name": "Me"}, "vaults": [
            {"attrs": {"name": "Personal"}, "items": [
                login("Login", "team@example.org", &["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ"]),
                login("Example", "bob", &[
                    "otpauth://totp/Issuer:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8"]),
                login("Bad", "carol", &["not base32!"]),
                {"uuid": "n", "state": "active", "overview": {"title": "Note"},
                 "details": {"notesPlain": "text"}},
                deleted,
            ]},
            {"attrs": {"name": "Shared"}, "items": [favourite, archived]}
        ]}]});
        let file = export(&data);
        assert_eq!(OnePasswordImporter.detect(&file), Confidence::Certain);
        let (importer, report) = crate::registry::import(&file, None).unwrap();
        assert_eq!(importer.id(), "1password-1pux");
        let labels: Vec<(&str, &str)> = report
            .entries
            .iter()
            .map(|e| (e.enrollment.issuer.as_str(), e.enrollment.name.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("Login", "team@example.org"),
                ("Login", "team@example.org"),
                ("Issuer", "alice"),
                ("Favourite", ""),
                ("Archived", "y"),
            ]
        );
        assert_eq!(
            report.entries[1].enrollment.secret.to_base32().as_str(),
            "GEZDGNBVGY3TQOJQ"
        );
        assert_eq!(
            report.entries[2].enrollment.params.algorithm,
            Algorithm::Sha256
        );
        assert_eq!(report.entries[2].enrollment.params.digits, 8);
        let favourite = &report.entries[3];
        assert!(favourite.favourite);
        assert_eq!(
            (favourite.notes.as_str(), favourite.tags.clone()),
            ("a note", vec!["work".to_owned()])
        );
        assert_eq!(report.errors.len(), 1);
        assert_eq!(
            (report.errors[0].index, report.errors[0].label.as_str()),
            (3, "Bad: carol")
        );
        assert!(!report.errors[0].message.contains("base32!"));
    }

    #[test]
    fn other_archives_and_damage() {
        let other = archive(&[("export.data", b"{}")]);
        assert_eq!(OnePasswordImporter.detect(&other), Confidence::No);
        assert!(matches!(
            OnePasswordImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert_eq!(
            OnePasswordImporter.detect(b"PK\x03\x04junk"),
            Confidence::No
        );
        let no_accounts = export(&json!({"vaults": []}));
        assert!(matches!(
            OnePasswordImporter.import(&no_accounts, None),
            Err(ImportError::Corrupt { .. })
        ));
        let not_json = archive(&[("export.attributes", b"{}"), ("export.data", b"{\"a\":")]);
        assert!(matches!(
            OnePasswordImporter.import(&not_json, None),
            Err(ImportError::Truncated { .. })
        ));
    }

    /// A member that inflates beyond its limit is refused, not read whole.
    #[test]
    fn oversized_members_are_refused() {
        let big = vec![b' '; (MAX_ATTRIBUTES_LEN + 10) as usize];
        let file = archive(&[("export.attributes", &big), ("export.data", b"{}")]);
        assert!(file.len() < big.len() / 10, "deflate shrinks the padding");
        assert!(matches!(
            OnePasswordImporter.import(&file, None),
            Err(ImportError::TooLarge { .. })
        ));
    }
}
