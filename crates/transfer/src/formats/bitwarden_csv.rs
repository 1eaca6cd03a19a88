//! Bitwarden's CSV vault export. Only rows with a `login_totp` value
//! become accounts; the rest are passwords, cards or notes.
//!
//! Format: <https://bitwarden.com/help/condition-bitwarden-import/>
//! ("Condition a .csv"). A header row names the columns; personal vaults
//! write `folder,favorite,type,name,notes,fields,reprompt,login_uri,
//! login_username,login_password,login_totp`, organisation vaults
//! `collections` instead of `folder` and no `favorite`, and older or
//! hand-made files leave some out, so columns are found by name and only
//! `name` and `login_totp` are required. Rows may have more or fewer
//! fields than the header (other tools' files do); missing ones read as
//! empty. `login_totp` is read by the same rule as the JSON export's
//! `login.totp` (`bitwarden::totp_field_account`): an
//! `otpauth://` URI, `steam://SECRET`, or a bare base32 secret, whose
//! issuer is then the item's `name` and account name its
//! `login_username`.
//!
//! What it cannot carry: the encrypted exports (Bitwarden writes those as
//! JSON only), TOTP parameters beyond what a URI says (a bare secret is
//! TOTP, SHA-1, 6 digits, 30 s). The folder, or each of the
//! comma-separated collections, becomes a tag, `notes` the note,
//! `favorite` (`1`) the favourite flag. Secrets: base32 as
//! `base32_secret` reads it. The `csv` parser keeps its own
//! copies of a record's bytes, which are not wiped.

use tessera_otp::Enrollment;

use super::bitwarden::totp_field_account;
use crate::entry::{account_label, Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Bitwarden CSV export";

/// Reads Bitwarden's CSV export.
#[derive(Debug, Clone, Copy, Default)]
pub struct BitwardenCsvImporter;

/// Where each column this importer reads is, by header name.
#[derive(Debug, Default)]
struct Columns {
    name: usize,
    totp: usize,
    username: Option<usize>,
    notes: Option<usize>,
    folder: Option<usize>,
    collections: Option<usize>,
    favourite: Option<usize>,
}

impl Columns {
    /// Finds the columns in a header row; `None` unless it has `name` and
    /// `login_totp`.
    fn find<'a>(header: impl Iterator<Item = &'a str>) -> Option<Columns> {
        let names: Vec<&str> = header.map(str::trim).collect();
        let at = |wanted: &str| names.iter().position(|n| *n == wanted);
        Some(Columns {
            name: at("name")?,
            totp: at("login_totp")?,
            username: at("login_username"),
            notes: at("notes"),
            folder: at("folder"),
            collections: at("collections"),
            favourite: at("favorite"),
        })
    }
}

/// The text before a BOM-less first line break, for detection.
fn first_line(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let end = bytes
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(bytes.len());
    &bytes[..end]
}

impl Importer for BitwardenCsvImporter {
    fn id(&self) -> &'static str {
        "bitwarden-csv"
    }

    fn name(&self) -> &'static str {
        "Bitwarden export (CSV)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        // The header row alone: its column names are Bitwarden's own.
        let line = first_line(bytes);
        if line.len() > 4096 {
            return Confidence::No;
        }
        let Ok(line) = std::str::from_utf8(line) else {
            return Confidence::No;
        };
        let names = line.split(',').map(|n| n.trim().trim_matches('"'));
        match Columns::find(names) {
            Some(_) => Confidence::Certain,
            None => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::StringRecord::new();
        let unreadable = |error: &csv::Error| {
            let line = error.position().map_or(0, csv::Position::line);
            ImportError::Corrupt {
                format: FORMAT,
                reason: format!("line {line} is not readable CSV text"),
            }
        };
        let has_header = reader
            .read_record(&mut record)
            .map_err(|error| unreadable(&error))?;
        let columns = has_header
            .then(|| Columns::find(record.iter()))
            .flatten()
            .ok_or(ImportError::NotThisFormat {
                format: "a Bitwarden CSV export",
                reason: "its first line does not name the name and login_totp columns".into(),
            })?;
        let mut report = ImportReport::default();
        let mut index = 0;
        while reader
            .read_record(&mut record)
            .map_err(|error| unreadable(&error))?
        {
            let field = |column: Option<usize>| {
                column
                    .and_then(|c| record.get(c))
                    .unwrap_or_default()
                    .trim()
            };
            let row = index;
            index += 1;
            let totp = field(Some(columns.totp));
            if totp.is_empty() {
                continue;
            }
            let title = field(Some(columns.name));
            let username = field(columns.username);
            report.push(
                totp_field_account(totp, title, username)
                    .map(|enrollment| entry(enrollment, &columns, &field))
                    .map_err(|message| EntryError {
                        index: row,
                        label: account_label(title, username),
                        message,
                    }),
            );
        }
        Ok(report)
    }
}

/// The entry for a row's account, with its note, favourite flag and tags.
fn entry<'a>(
    enrollment: Enrollment,
    columns: &Columns,
    field: &impl Fn(Option<usize>) -> &'a str,
) -> Entry {
    let mut tags: Vec<String> = Vec::new();
    let folder = field(columns.folder);
    let collections = field(columns.collections);
    for tag in std::iter::once(folder).chain(collections.split(',')) {
        let tag = tag.trim();
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    let favourite = field(columns.favourite);
    Entry {
        enrollment,
        notes: field(columns.notes).to_owned(),
        favourite: favourite == "1" || favourite.eq_ignore_ascii_case("true"),
        tags,
        recovery: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Algorithm, OtpKind};

    const HEADER: &str = "folder,favorite,type,name,notes,fields,reprompt,login_uri,\
                          login_username,login_password,login_totp\n";

    fn file(rows: &[&str]) -> String {
        let mut text = HEADER.to_owned();
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text
    }

    #[test]
    fn personal_vault_export() {
        let text = file(&[
            "2FA,1,login,Test 1,\"first, note\",,0,,mason,pw,\
             otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno",
            ",,login,Game,,,0,,gaben,,steam://JRZCL47CMXVOQMNPZR2F7J4RGI",
            "",
            ",,login,example.com,,,0,https://example.com,bob,pw,JBSW Y3DP EHPK 3PXP",
            ",,login,no totp,,,0,,x,y,",
            ",,note,a note,text,,0,,,,",
            ",,login,broken,,,0,,z,,otpauth://totp/x?secret=AB!",
            ",,login,Label only,,,0,,carol,,otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256",
        ]);
        assert_eq!(
            BitwardenCsvImporter.detect(text.as_bytes()),
            Confidence::Certain
        );
        let report = BitwardenCsvImporter.import(text.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 4, "{:?}", report.errors);
        let first = &report.entries[0];
        assert_eq!(
            (
                first.enrollment.issuer.as_str(),
                first.enrollment.name.as_str()
            ),
            ("Deno", "Mason")
        );
        assert_eq!(
            (first.notes.as_str(), first.favourite, first.tags.clone()),
            ("first, note", true, vec!["2FA".to_owned()])
        );
        let steam = &report.entries[1].enrollment;
        assert_eq!(steam.params.kind, OtpKind::Steam);
        assert_eq!(
            (steam.issuer.as_str(), steam.name.as_str()),
            ("Game", "gaben")
        );
        let bare = &report.entries[2].enrollment;
        assert_eq!(
            (bare.issuer.as_str(), bare.name.as_str()),
            ("example.com", "bob")
        );
        assert_eq!(bare.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        let label_only = &report.entries[3].enrollment;
        assert_eq!(
            (label_only.issuer.as_str(), label_only.name.as_str()),
            ("Label only", "alice")
        );
        assert_eq!(label_only.params.algorithm, Algorithm::Sha256);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(
            (report.errors[0].index, report.errors[0].label.as_str()),
            (5, "broken: z")
        );
        assert!(!report.errors[0].message.contains("AB!"));
    }

    #[test]
    fn organisation_export_and_ragged_rows() {
        let text = "\u{feff}collections,type,name,notes,fields,reprompt,login_uri,login_username,\
                    login_password,login_totp\r\n\
                    \"Shared,Ops\",login,Org,,,0,,alice,,JBSWY3DPEHPK3PXP,extra,fields\r\n\
                    ,login,Short,,,0,,,,JBSWY3DPEHPK3PXP\r\n\
                    ,login,Shorter,,\r\n";
        assert_eq!(
            BitwardenCsvImporter.detect(text.as_bytes()),
            Confidence::Certain
        );
        let report = BitwardenCsvImporter.import(text.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 2, "{:?}", report.errors);
        assert!(report.errors.is_empty());
        assert_eq!(report.entries[0].tags, vec!["Shared", "Ops"]);
        assert_eq!(report.entries[0].enrollment.name, "alice");
        assert_eq!(report.entries[1].enrollment.issuer, "Short");
    }

    #[test]
    fn other_files_are_not_claimed() {
        for text in [
            "name,secret\nx,JBSWY3DPEHPK3PXP\n",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n",
            "{\"items\": []}",
            "",
        ] {
            assert_eq!(
                BitwardenCsvImporter.detect(text.as_bytes()),
                Confidence::No,
                "{text}"
            );
        }
        assert!(matches!(
            BitwardenCsvImporter.import(b"name,secret\nx,y\n", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            BitwardenCsvImporter.import(b"name,login_totp\n\"x,\xff\n", None),
            Err(ImportError::Corrupt { .. })
        ));
    }
}
