//! LastPass Authenticator's JSON export (Android and iOS).
//!
//! Format: no published specification; the shape LastPass Authenticator
//! writes, as other readers take it (Proton Pass,
//! <https://github.com/protonpass/proton-pass-common/tree/main/proton-authenticator/src/parser/lastpass>,
//! and Stratum's `LastPassBackupConverter`): `{"version", "deviceName",
//! "localDeviceId", "accounts": [{accountID, issuerName, userName,
//! originalIssuerName, originalUserName, secret (base32), timeStep, digits,
//! algorithm, isFavorite, pushNotification, folderData: {folderId,
//! position}}], "folders": [{id, name}]}`.
//!
//! Names: `issuerName` and `userName` are what the app shows (the user may
//! have edited them); `originalIssuerName` / `originalUserName` are what
//! the account was added with, used only when both shown names are empty.
//! `isFavorite` becomes the favourite flag. The folder becomes a tag,
//! except LastPass's two built-in folders, "Other accounts" (id 0, where
//! every account starts) and "Favorites" (id 1, which the favourite flag
//! already says).
//!
//! What it cannot carry: LastPass's own push-login accounts work only in
//! its app; the folder order and positions are dropped. Secrets are base32
//! text as the app stores them.

use serde_json::Value;

use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::json::{self, str_field, u64_field, u8_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "LastPass Authenticator export";

/// Folder ids LastPass creates itself: "Other accounts" and "Favorites".
const BUILT_IN_FOLDERS: &[u64] = &[0, 1];

/// Reads LastPass Authenticator's JSON export.
#[derive(Debug, Clone, Copy, Default)]
pub struct LastPassImporter;

/// Whether a document has the export's shape: an `accounts` list whose
/// items use LastPass's field names, or an empty one beside LastPass's
/// device fields.
fn is_lastpass(doc: &Value) -> bool {
    let Some(accounts) = doc.get("accounts").and_then(Value::as_array) else {
        return false;
    };
    match accounts.first() {
        Some(first) => {
            first.get("secret").is_some()
                && (first.get("issuerName").is_some() || first.get("originalIssuerName").is_some())
                && (first.get("timeStep").is_some() || first.get("userName").is_some())
        }
        None => doc.get("localDeviceId").is_some() && doc.get("deviceName").is_some(),
    }
}

impl Importer for LastPassImporter {
    fn id(&self) -> &'static str {
        "lastpass"
    }

    fn name(&self) -> &'static str {
        "LastPass Authenticator export (JSON)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if is_lastpass(&doc) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let doc = json::parse(FORMAT, bytes)?;
        if !is_lastpass(&doc) {
            return Err(ImportError::NotThisFormat {
                format: "a LastPass Authenticator export",
                reason: "it has no accounts list with LastPass's fields".into(),
            });
        }
        let folders: Vec<(u64, &str)> = doc
            .get("folders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| Some((f.get("id")?.as_u64()?, str_field(f, "name")?)))
            .collect();
        let mut report = ImportReport::default();
        for (index, item) in doc["accounts"].as_array().into_iter().flatten().enumerate() {
            report.push(
                read_entry(item, &folders).map_err(|(label, message)| EntryError {
                    index,
                    label,
                    message,
                }),
            );
        }
        Ok(report)
    }
}

/// Reads one account; errors carry its label.
fn read_entry(item: &Value, folders: &[(u64, &str)]) -> Result<Entry, (String, String)> {
    let shown = (
        str_field(item, "issuerName").unwrap_or_default(),
        str_field(item, "userName").unwrap_or_default(),
    );
    let (issuer, name) = if shown.0.trim().is_empty() && shown.1.trim().is_empty() {
        (
            str_field(item, "originalIssuerName").unwrap_or_default(),
            str_field(item, "originalUserName").unwrap_or_default(),
        )
    } else {
        shown
    };
    let mut raw = RawAccount::new(issuer, name);
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    if let Some(algorithm) = str_field(item, "algorithm") {
        raw.algorithm = algorithm
            .parse()
            .map_err(|error: tessera_otp::UnknownAlgorithm| fail(error.to_string()))?;
    }
    if let Some(digits) = u8_field(item, "digits").map_err(&fail)? {
        raw.digits = digits;
    }
    if let Some(period) = u64_field(item, "timeStep").map_err(&fail)? {
        raw.period = period;
    }
    let secret = base32_secret(str_field(item, "secret").unwrap_or_default()).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    let folder = item
        .get("folderData")
        .and_then(|data| data.get("folderId"))
        .and_then(Value::as_u64);
    let tags = folder
        .filter(|id| !BUILT_IN_FOLDERS.contains(id))
        .and_then(|id| folders.iter().find(|(i, _)| *i == id))
        .map(|(_, name)| name.trim())
        .filter(|name| !name.is_empty())
        .map(|name| vec![name.to_owned()])
        .unwrap_or_default();
    Ok(Entry {
        favourite: item.get("isFavorite").and_then(Value::as_bool) == Some(true),
        tags,
        ..Entry::new(enrollment)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tessera_otp::Algorithm;

    fn export() -> String {
        json!({
            "deviceId": "", "deviceSecret": "", "localDeviceId": "d1",
            "deviceName": "Phone", "version": 3,
            "accounts": [
                {"accountID": "a", "issuerName": "GitHub", "originalIssuerName": "github.com",
                 "userName": "alice", "originalUserName": "alice@example.com",
                 "pushNotification": false, "secret": "JBSWY3DPEHPK3PXP", "timeStep": 60,
                 "digits": 8, "isFavorite": true, "algorithm": "SHA256",
                 "folderData": {"folderId": 1, "position": 0}},
                {"accountID": "b", "issuerName": "", "originalIssuerName": "Orig",
                 "userName": "", "originalUserName": "bob", "secret": "KUVJJOM753IHTNDSZVCNKL7GII",
                 "timeStep": 30, "digits": 6, "isFavorite": false, "algorithm": "SHA512",
                 "folderData": {"folderId": 7, "position": 0}},
                {"accountID": "c", "issuerName": "", "userName": "plain",
                 "originalUserName": "other", "secret": "JRZCL47CMXVOQMNPZR2F7J4RGI",
                 "timeStep": 30, "digits": 6, "algorithm": "SHA1",
                 "folderData": {"folderId": 0, "position": 1}},
                {"accountID": "d", "issuerName": "Bad", "userName": "x", "secret": "JBSW!!",
                 "timeStep": 30, "digits": 6, "algorithm": "SHA1"},
                {"accountID": "e", "issuerName": "Odd", "userName": "y",
                 "secret": "JBSWY3DPEHPK3PXP", "timeStep": 30, "digits": 6, "algorithm": "MD5"}
            ],
            "folders": [{"id": 1, "name": "Favorites", "isOpened": true},
                        {"id": 0, "name": "Other accounts", "isOpened": true},
                        {"id": 7, "name": "Work", "isOpened": false}]
        })
        .to_string()
    }

    #[test]
    fn reads_accounts_names_favourites_and_folders() {
        let file = export();
        assert_eq!(
            LastPassImporter.detect(file.as_bytes()),
            Confidence::Certain
        );
        assert_eq!(
            crate::registry::detect(file.as_bytes()).unwrap().id(),
            "lastpass"
        );
        let report = LastPassImporter.import(file.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 3, "{:?}", report.errors);
        let github = &report.entries[0];
        assert_eq!(github.label(), "GitHub: alice", "the shown names win");
        assert!(github.favourite);
        assert!(github.tags.is_empty(), "Favorites is LastPass's own folder");
        assert_eq!(github.enrollment.params.algorithm, Algorithm::Sha256);
        assert_eq!(github.enrollment.params.digits, 8);
        assert_eq!(github.enrollment.params.period, 60);
        let bob = &report.entries[1];
        assert_eq!(
            bob.label(),
            "Orig: bob",
            "original names when none is shown"
        );
        assert_eq!(bob.tags, vec!["Work"]);
        assert!(!bob.favourite);
        let plain = &report.entries[2];
        assert_eq!(plain.label(), "plain");
        assert!(plain.tags.is_empty());
        let indexes: Vec<usize> = report.errors.iter().map(|e| e.index).collect();
        assert_eq!(indexes, vec![3, 4]);
        for error in &report.errors {
            assert!(!error.to_string().contains("JBSW"), "{error}");
        }
    }

    #[test]
    fn other_json_is_not_claimed() {
        for text in [
            r#"{"accounts": [{"secret": "x", "issuer": "y"}]}"#,
            r#"{"accounts": []}"#,
            r#"{"Authenticators": []}"#,
            r#"[{"secret": "x"}]"#,
        ] {
            assert_eq!(
                LastPassImporter.detect(text.as_bytes()),
                Confidence::No,
                "{text}"
            );
        }
        assert!(matches!(
            LastPassImporter.import(br#"{"accounts": 1}"#, None),
            Err(ImportError::NotThisFormat { .. })
        ));
        let empty = r#"{"localDeviceId": null, "deviceName": "x", "accounts": [], "version": 1}"#;
        assert_eq!(
            LastPassImporter.detect(empty.as_bytes()),
            Confidence::Certain
        );
        assert!(LastPassImporter
            .import(empty.as_bytes(), None)
            .unwrap()
            .entries
            .is_empty());
        let half = export();
        assert!(matches!(
            LastPassImporter.import(&half.as_bytes()[..half.len() / 2], None),
            Err(ImportError::Truncated { .. })
        ));
    }
}
