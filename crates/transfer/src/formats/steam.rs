//! Steam Guard secrets as Steam Desktop Authenticator (SDA) and similar
//! tools store them: "maFiles" with a `shared_secret`.
//!
//! Format: no published specification; SDA's `SteamGuardAccount` class
//! (<https://github.com/Jessecar96/SteamDesktopAuthenticator>, via
//! SteamAuth) is serialised as one JSON object per account with
//! `shared_secret` (base64), `account_name`, `revocation_code`,
//! `identity_secret` and more; some tools wrap several as `{"accounts":
//! {id: {...}}}`. The issuer is "Steam", the name the account name.
//!
//! What it cannot carry into Tessera: `identity_secret` (trade
//! confirmations) is dropped; the `revocation_code`, which the user needs
//! to remove the authenticator from the Steam account, is kept in the
//! note. The files are never encrypted (SDA's own encrypted maFiles are
//! not read). The secret is base64, read strictly: there is no hand-typed
//! form of it to be lenient about.

use serde_json::Value;
use tessera_otp::{Enrollment, OtpParams, Secret};

use crate::crypto::base64_decode;
use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::json::{self, str_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Steam Desktop Authenticator";

/// Reads Steam Guard maFiles, single or wrapped in `accounts`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SteamImporter;

/// The account objects in a document.
fn accounts(doc: &Value) -> Option<Vec<&Value>> {
    if doc.get("shared_secret").is_some() {
        return Some(vec![doc]);
    }
    let map = doc.get("accounts")?.as_object()?;
    let list: Vec<&Value> = map.values().collect();
    list.iter()
        .all(|a| a.get("shared_secret").is_some())
        .then_some(list)
}

impl Importer for SteamImporter {
    fn id(&self) -> &'static str {
        "steam"
    }

    fn name(&self) -> &'static str {
        "Steam Guard maFile (Steam Desktop Authenticator)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if accounts(&doc).is_some_and(|a| !a.is_empty()) => Confidence::Certain,
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
        let accounts = accounts(&doc).ok_or(ImportError::NotThisFormat {
            format: "a Steam Guard maFile",
            reason: "it has no shared_secret".into(),
        })?;
        let mut report = ImportReport::default();
        for (index, account) in accounts.into_iter().enumerate() {
            let name = str_field(account, "account_name")
                .unwrap_or_default()
                .trim();
            let result = str_field(account, "shared_secret")
                .and_then(base64_decode)
                .ok_or_else(|| "the shared secret is not base64".to_owned())
                .and_then(|secret| Secret::from_bytes(secret.to_vec()).map_err(|e| e.to_string()))
                .map(|secret| {
                    let notes = str_field(account, "revocation_code")
                        .filter(|code| !code.is_empty())
                        .map(|code| format!("Steam revocation code: {code}"))
                        .unwrap_or_default();
                    Entry {
                        notes,
                        ..Entry::new(Enrollment {
                            issuer: "Steam".into(),
                            name: name.to_owned(),
                            secret,
                            params: OtpParams::steam(),
                        })
                    }
                });
            report.push(result.map_err(|message| EntryError {
                index,
                label: format!("Steam: {name}"),
                message,
            }));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_wrapped_files() {
        let single = br#"{"shared_secret": "THIl8+Jl6ugxr8x0X6eRMg==", "account_name": "sophia",
                          "revocation_code": "R12345", "identity_secret": "aWQ="}"#;
        assert_eq!(SteamImporter.detect(single), Confidence::Certain);
        let report = SteamImporter.import(single, None).unwrap();
        let entry = &report.entries[0];
        assert_eq!(entry.enrollment.params, OtpParams::steam());
        assert_eq!(entry.enrollment.issuer, "Steam");
        assert_eq!(entry.enrollment.name, "sophia");
        assert_eq!(
            entry.enrollment.secret.to_base32().as_str(),
            "JRZCL47CMXVOQMNPZR2F7J4RGI"
        );
        assert_eq!(entry.notes, "Steam revocation code: R12345");

        let wrapped = br#"{"accounts": {"a": {"shared_secret": "THIl8+Jl6ugxr8x0X6eRMg==",
                                              "account_name": "one"},
                                        "b": {"shared_secret": "***", "account_name": "two"}}}"#;
        let report = SteamImporter.import(wrapped, None).unwrap();
        assert_eq!(report.entries.len(), 1);
        assert_eq!(report.errors[0].label, "Steam: two");
        assert_eq!(SteamImporter.detect(b"{\"accounts\": {}}"), Confidence::No);
        assert!(matches!(
            SteamImporter.import(b"{\"x\": 1}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }
}
