//! Microsoft Authenticator's internal database: the `PhoneFactor` SQLite
//! file from the app's private storage on a rooted Android phone (the app
//! has no export).
//!
//! Format: no specification; the schema the app creates, as other readers
//! take it (e.g.
//! <https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/MicrosoftAuthImporter.java>).
//! Table `accounts`: `name` (the issuer), `username` (the account name),
//! `oath_secret_key`, `account_type`. The types, from the schema and the
//! readers that agree on them:
//! - 0: a third-party account added from a QR code: TOTP with a base32
//!   secret;
//! - 1: a personal Microsoft account: TOTP, 8 digits, with a base64 secret;
//! - anything else (2 is a work or school account): Microsoft's own sign-in
//!   by notification, which has no secret another app could use; reported
//!   as a per-entry error, not dropped silently.
//!
//! Newer versions of the app may keep the secret only in
//! `encrypted_oath_secret_key`, encrypted with a key in the phone's
//! keystore; such rows are per-entry errors too. The database runs in WAL
//! mode: accounts added since the last checkpoint live in `PhoneFactor-wal`,
//! which is not read (see the `sqlite` module).
//!
//! What it cannot carry: the app stores no algorithm, digits or period:
//! SHA1, 30 s, 6 digits (8 for a Microsoft account). No notes, favourites or
//! groups.

use base64::Engine as _;
use tessera_otp::Secret;

use crate::entry::{base32_secret, Entry, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::formats::sqlite::{Database, Row};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Microsoft Authenticator database";
const TABLE: &str = "accounts";
const COLUMNS: &[&str] = &[
    "name",
    "username",
    "oath_secret_key",
    "account_type",
    "encrypted_oath_secret_key",
];
/// A third-party TOTP account.
const TYPE_TOTP: i64 = 0;
/// A personal Microsoft account.
const TYPE_MICROSOFT: i64 = 1;

/// Reads Microsoft Authenticator's internal SQLite database.
#[derive(Debug, Clone, Copy, Default)]
pub struct MicrosoftAuthenticatorImporter;

/// Whether an opened database has Microsoft Authenticator's table.
fn is_microsoft(db: &Database) -> bool {
    db.has_table_with(TABLE, &["oath_secret_key", "account_type", "username"])
}

impl Importer for MicrosoftAuthenticatorImporter {
    fn id(&self) -> &'static str {
        "microsoft-authenticator"
    }

    fn name(&self) -> &'static str {
        "Microsoft Authenticator database (from a rooted phone)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        Database::confidence(bytes, is_microsoft)
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let db = Database::open_as(
            bytes,
            FORMAT,
            "a Microsoft Authenticator database",
            is_microsoft,
            "it has no accounts table with oath_secret_key",
        )?;
        db.rows_report(TABLE, COLUMNS, read_row)
    }
}

/// One row; errors carry its label.
fn read_row(row: &Row) -> Result<Entry, (String, String)> {
    let mut raw = RawAccount::new(row.label("name"), row.label("username"));
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    let kind = row.int("account_type").map_err(&fail)?.unwrap_or(TYPE_TOTP);
    if kind != TYPE_TOTP && kind != TYPE_MICROSOFT {
        return Err(fail(format!(
            "a work or school account (type {kind}): it signs in through Microsoft's \
             notifications and has no code another app could generate"
        )));
    }
    let text = row.label("oath_secret_key");
    if text.is_empty() {
        return Err(fail(if row.label("encrypted_oath_secret_key").is_empty() {
            "the account has no secret".into()
        } else {
            "the secret is encrypted with a key kept in the phone's keystore".into()
        }));
    }
    let secret = if kind == TYPE_MICROSOFT {
        raw.digits = 8;
        base64_secret(text).map_err(&fail)?
    } else {
        base32_secret(text).map_err(&fail)?
    };
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    Ok(Entry::new(enrollment))
}

/// A personal Microsoft account's secret, base64 (padded or not).
fn base64_secret(text: &str) -> Result<Secret, String> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine
        .decode(text)
        .map_err(|_| "the secret is not valid base64".to_owned())?;
    Secret::from_bytes(bytes).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::sqlite::tests::image;
    use tessera_otp::OtpParams;

    const SCHEMA: &str = "CREATE TABLE `accounts` (`_id` INTEGER PRIMARY KEY AUTOINCREMENT,
        `group_key` TEXT NOT NULL, `name` TEXT NOT NULL, `username` TEXT NOT NULL,
        `paws_url` TEXT NOT NULL, `oath_secret_key` TEXT NOT NULL, `oath_enabled` INTEGER NOT NULL,
        `account_type` INTEGER NOT NULL, `encrypted_oath_secret_key` TEXT NOT NULL);";

    #[test]
    fn reads_third_party_and_microsoft_accounts() {
        let bytes = image(&format!(
            "{SCHEMA}
            INSERT INTO accounts (group_key, name, username, paws_url, oath_secret_key,
                oath_enabled, account_type, encrypted_oath_secret_key) VALUES
              ('0', 'Deno', 'Mason', '', '4SJHB4GSD43FZBAI7C2HLRJGPQ', 0, 0, ''),
              ('0', 'Microsoft', 'me@example.com', '', 'SGVsbG8hIEhlbGxvIQ==', 1, 1, ''),
              ('0', 'Contoso', 'me@contoso.com', 'https://x', '', 1, 2, ''),
              ('0', 'New', 'n', '', '', 0, 0, 'AAAA'),
              ('0', 'Broken', 'b', '', 'not base32!', 0, 0, '');"
        ));
        assert_eq!(
            MicrosoftAuthenticatorImporter.detect(&bytes),
            Confidence::Certain
        );
        let report = MicrosoftAuthenticatorImporter.import(&bytes, None).unwrap();
        assert_eq!(report.entries.len(), 2);
        let first = &report.entries[0].enrollment;
        assert_eq!(
            (first.issuer.as_str(), first.name.as_str()),
            ("Deno", "Mason")
        );
        assert_eq!(first.params, OtpParams::totp());
        let microsoft = &report.entries[1].enrollment;
        assert_eq!(microsoft.params.digits, 8);
        assert_eq!(
            microsoft.secret.to_base32().as_str(),
            "JBSWY3DPEEQEQZLMNRXSC"
        );
        let errors: Vec<_> = report.errors.iter().map(|e| e.index).collect();
        assert_eq!(errors, [2, 3, 4]);
        assert!(report.errors[0].message.contains("work or school"));
        assert!(report.errors[1].message.contains("keystore"));
    }

    #[test]
    fn other_databases_are_not_claimed() {
        let other = image("CREATE TABLE accounts (email TEXT, secret TEXT, type INTEGER);");
        assert_eq!(
            MicrosoftAuthenticatorImporter.detect(&other),
            Confidence::No
        );
        assert!(matches!(
            MicrosoftAuthenticatorImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }
}
