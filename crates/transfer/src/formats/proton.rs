//! Proton Authenticator's unencrypted JSON export.
//!
//! Format: no published specification; the shape of Proton
//! Authenticator's export, as its readers take it (e.g.
//! <https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/ProtonAuthenticatorImporter.java>),
//! is `{"version": 1, "entries": [{"id", "content":
//! {"uri", "entry_type", "name"}, "note"}]}`, where `uri` is an
//! `otpauth://` URI and `name` the name shown in the app (used when the
//! URI has no account name). `note` becomes the note.
//!
//! What it cannot carry: favourites and tags (Proton has neither). A file
//! that looks like its encrypted export (a `salt` and an opaque `content`)
//! is reported as unsupported rather than guessed at.

use serde_json::Value;

use crate::entry::{account_label, Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::json::{self, str_field};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Proton Authenticator export";

/// Reads Proton Authenticator's JSON export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProtonImporter;

/// Whether a document has Proton's shape.
fn is_proton(doc: &Value) -> bool {
    doc.get("version").is_some()
        && doc
            .get("entries")
            .and_then(Value::as_array)
            .is_some_and(|entries| {
                entries
                    .first()
                    .is_none_or(|entry| entry.get("content").and_then(|c| c.get("uri")).is_some())
            })
}

impl Importer for ProtonImporter {
    fn id(&self) -> &'static str {
        "proton"
    }

    fn name(&self) -> &'static str {
        "Proton Authenticator export (JSON)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match json::sniff(bytes) {
            Some(doc) if is_proton(&doc) => Confidence::Likely,
            Some(doc) if doc.get("salt").is_some() && doc.get("content").is_some() => {
                Confidence::Low
            }
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
        if !is_proton(&doc) {
            if doc.get("salt").is_some() && doc.get("content").is_some() {
                return Err(ImportError::Unsupported {
                    format: FORMAT,
                    what: "an encrypted export; export again without a password".into(),
                });
            }
            return Err(ImportError::NotThisFormat {
                format: "a Proton Authenticator export",
                reason: "it has no entries with otpauth URIs".into(),
            });
        }
        let mut report = ImportReport::default();
        for (index, item) in doc["entries"].as_array().into_iter().flatten().enumerate() {
            let content = item.get("content").unwrap_or(&Value::Null);
            let display_name = str_field(content, "name").unwrap_or_default();
            let result = str_field(content, "uri")
                .ok_or_else(|| "the entry has no URI".to_owned())
                .and_then(|uri| tessera_otp::uri::parse(uri).map_err(|e| e.to_string()))
                .map(|mut enrollment| {
                    if enrollment.name.is_empty() {
                        enrollment.name = display_name.trim().to_owned();
                    }
                    Entry {
                        notes: str_field(item, "note").unwrap_or_default().to_owned(),
                        ..Entry::new(enrollment)
                    }
                });
            report.push(result.map_err(|message| EntryError {
                index,
                label: account_label("", display_name),
                message,
            }));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_entries_and_notes() {
        let file = json!({"version": 1, "entries": [
            {"id": "1", "content": {"uri": "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno",
                                    "entry_type": "Totp", "name": "Mason"}, "note": "work laptop"},
            {"id": "2", "content": {"uri": "otpauth://totp/?secret=JBSWY3DPEHPK3PXP",
                                    "entry_type": "Totp", "name": "Shown name"}, "note": null},
            {"id": "3", "content": {"uri": "otpauth://totp/x?secret=!", "entry_type": "Totp",
                                    "name": "broken"}}
        ]})
        .to_string();
        assert_eq!(ProtonImporter.detect(file.as_bytes()), Confidence::Likely);
        let report = ProtonImporter.import(file.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 2);
        assert_eq!(report.entries[0].notes, "work laptop");
        assert_eq!(report.entries[1].enrollment.name, "Shown name");
        assert_eq!(report.errors[0].label, "broken");
    }

    #[test]
    fn encrypted_and_foreign_files() {
        let encrypted = br#"{"version": 1, "salt": "abc", "content": "xyz"}"#;
        assert!(matches!(
            ProtonImporter.import(encrypted, None),
            Err(ImportError::Unsupported { .. })
        ));
        assert_eq!(ProtonImporter.detect(b"{\"items\": []}"), Confidence::No);
        assert!(matches!(
            ProtonImporter.import(b"{\"items\": []}", None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }
}
