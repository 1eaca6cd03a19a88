//! Google Authenticator's internal database: the `databases` SQLite file
//! from the app's private storage on a rooted Android phone (the app's own
//! export is the `otpauth-migration://` QR code, read by
//! [`super::google_migration`]).
//!
//! Format: no specification; the schema the app creates, as other readers
//! take it (e.g.
//! <https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/GoogleAuthImporter.java>).
//! Table `accounts`: `email` (the label, `Issuer:Name` or just the name),
//! `secret` (base32), `counter`, `type` (0 TOTP, 1 HOTP), `issuer`. The
//! label's `Issuer:` prefix is dropped from the name when it repeats the
//! issuer, and becomes the issuer when the `issuer` column is empty.
//!
//! What it cannot carry: the app stores no algorithm, digits or period, so
//! every account is SHA1, 6 digits, 30 s (the only ones the app ever
//! supported); no notes, favourites or groups. Secrets are base32, read as
//! leniently as every base32 secret here. See the `sqlite` module for how the
//! file is opened.

use tessera_otp::OtpKind;

use crate::entry::{base32_secret, Entry, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::formats::sqlite::{Database, Row};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Google Authenticator database";
const TABLE: &str = "accounts";
const COLUMNS: &[&str] = &["email", "secret", "counter", "type", "issuer"];

/// Reads Google Authenticator's internal SQLite database.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoogleAuthenticatorDbImporter;

/// Whether an opened database has Google Authenticator's `accounts` table
/// (and not Authenticator Plus's, which adds a `category`).
fn is_google(db: &Database) -> bool {
    db.has_table_with(TABLE, &["email", "secret", "type"])
        && !db.has_table_with(TABLE, &["category"])
        && !db.has_table_with(TABLE, &["oath_secret_key"])
}

impl Importer for GoogleAuthenticatorDbImporter {
    fn id(&self) -> &'static str {
        "google-authenticator-db"
    }

    fn name(&self) -> &'static str {
        "Google Authenticator database (from a rooted phone)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        Database::confidence(bytes, is_google)
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
            "a Google Authenticator database",
            is_google,
            "it has no accounts table with email, secret and type",
        )?;
        db.rows_report(TABLE, COLUMNS, read_row)
    }
}

/// Splits a label `Issuer:Name` against the issuer column: the prefix is
/// dropped when it repeats the issuer and becomes the issuer when there is
/// none. Shared with the other apps that store labels this way.
pub(crate) fn split_label(issuer: &str, label: &str) -> (String, String) {
    match label.split_once(':') {
        Some((prefix, name)) if issuer.is_empty() || prefix.trim().eq_ignore_ascii_case(issuer) => {
            let issuer = if issuer.is_empty() {
                prefix.trim()
            } else {
                issuer
            };
            (issuer.to_owned(), name.trim().to_owned())
        }
        _ => (issuer.to_owned(), label.to_owned()),
    }
}

/// One row; errors carry its label.
fn read_row(row: &Row) -> Result<Entry, (String, String)> {
    let (issuer, name) = split_label(row.label("issuer"), row.label("email"));
    let mut raw = RawAccount::new(issuer, name);
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    raw.kind = match row.int("type").map_err(&fail)? {
        None | Some(0) => OtpKind::Totp,
        Some(1) => OtpKind::Hotp,
        Some(other) => return Err(fail(format!("unknown account type {other}"))),
    };
    if raw.kind == OtpKind::Hotp {
        let counter = row.int("counter").map_err(&fail)?.unwrap_or(0);
        raw.counter = u64::try_from(counter).map_err(|_| fail("the counter is negative".into()))?;
    }
    let secret = base32_secret(row.text("secret").unwrap_or_default()).map_err(&fail)?;
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    Ok(Entry::new(enrollment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::sqlite::tests::image;
    use tessera_otp::OtpParams;

    const SCHEMA: &str = "CREATE TABLE android_metadata (locale TEXT);
        CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL,
            counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0,
            issuer TEXT DEFAULT NULL, original_name TEXT DEFAULT NULL);";

    #[test]
    fn reads_totp_and_hotp_rows() {
        let bytes = image(&format!(
            "{SCHEMA}
            INSERT INTO accounts (email, secret, counter, type, issuer) VALUES
              ('Deno:Mason', '4SJHB4GSD43FZBAI7C2HLRJGPQ', 0, 0, 'Deno'),
              ('Issuu:James', 'yoom ixws 5gn6 rtbp uffw ktw5 m4', 7, 1, 'Issuu'),
              ('Plain:alice', 'JBSWY3DPEHPK3PXP', 0, 0, NULL),
              ('bob', 'JBSWY3DPEHPK3PXP', 0, 0, 'Other'),
              ('Broken', '!!!', 0, 0, NULL),
              ('Weird', 'JBSWY3DPEHPK3PXP', 0, 5, NULL);"
        ));
        assert_eq!(
            GoogleAuthenticatorDbImporter.detect(&bytes),
            Confidence::Certain
        );
        let report = GoogleAuthenticatorDbImporter.import(&bytes, None).unwrap();
        let labels: Vec<_> = report
            .entries
            .iter()
            .map(|e| (e.enrollment.issuer.as_str(), e.enrollment.name.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("Deno", "Mason"),
                ("Issuu", "James"),
                ("Plain", "alice"),
                ("Other", "bob")
            ]
        );
        assert_eq!(report.entries[0].enrollment.params, OtpParams::totp());
        assert_eq!(report.entries[1].enrollment.params, OtpParams::hotp(7));
        assert_eq!(
            report.entries[1].enrollment.secret.to_base32().as_str(),
            "YOOMIXWS5GN6RTBPUFFWKTW5M4"
        );
        assert_eq!(report.errors.len(), 2);
        assert_eq!((report.errors[0].index, report.errors[1].index), (4, 5));
        assert!(report.errors[1].message.contains("type 5"));
        assert!(!report.errors[0].message.contains("!!!"));
    }

    #[test]
    fn other_databases_and_files_are_not_claimed() {
        let other =
            image("CREATE TABLE accounts (email TEXT, secret TEXT, type INTEGER, category TEXT);");
        assert_eq!(GoogleAuthenticatorDbImporter.detect(&other), Confidence::No);
        assert!(matches!(
            GoogleAuthenticatorDbImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert_eq!(
            GoogleAuthenticatorDbImporter.detect(b"[{\"secret\": 1}]"),
            Confidence::No
        );
        assert!(matches!(
            GoogleAuthenticatorDbImporter.import(b"hello", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        let empty = image(SCHEMA);
        let report = GoogleAuthenticatorDbImporter.import(&empty, None).unwrap();
        assert!(report.entries.is_empty() && report.errors.is_empty());
    }
}
