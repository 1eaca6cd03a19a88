//! Stratum's (formerly Authenticator Pro) internal database: the SQLite
//! file from the app's private storage on a rooted Android phone. (Its
//! backups, `.authpro` files, are a different format.)
//!
//! Format: no specification; the tables the app creates, defined by its
//! entities at <https://github.com/stratumauth/app/tree/master/AuthenticatorPro.Core/Entity>.
//! Table `authenticator`: `type` (1 HOTP, 2 TOTP, 3 mOTP, 4 Steam,
//! 5 Yandex), `issuer`, `username`, `secret` (base32), `pin`, `algorithm`
//! (0 SHA1, 1 SHA256, 2 SHA512), `digits`, `period`, `counter`. Categories
//! are `category(id, name)` bound to accounts by secret in
//! `authenticatorcategory(categoryId, authenticatorSecret)`; they become
//! tags.
//!
//! What it cannot carry: mOTP and Yandex accounts (they need a PIN Tessera
//! does not keep) are per-entry errors; icons (names of Stratum's built-in
//! icons, or custom images) are dropped; no notes or favourites. A missing
//! algorithm, digits or period means SHA1, 6, 30 s. Secrets are base32,
//! read as leniently as every base32 secret here. A database Stratum
//! encrypted (with a key in the phone's keystore) is not plain SQLite and is
//! not recognised. See the `sqlite` module for how the file is opened.

use std::collections::HashMap;

use tessera_otp::{Algorithm, OtpKind};

use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::formats::sqlite::{Database, Row};
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Stratum database";
const TABLE: &str = "authenticator";
const COLUMNS: &[&str] = &[
    "type",
    "issuer",
    "username",
    "secret",
    "algorithm",
    "digits",
    "period",
    "counter",
];
const CATEGORY_COLUMNS: &[&str] = &["id", "name"];
const BINDING_COLUMNS: &[&str] = &["categoryid", "authenticatorsecret"];

/// Reads Stratum's (Authenticator Pro's) internal SQLite database.
#[derive(Debug, Clone, Copy, Default)]
pub struct StratumDbImporter;

/// Whether an opened database has Stratum's `authenticator` table.
fn is_stratum(db: &Database) -> bool {
    db.has_table_with(TABLE, &["type", "issuer", "secret", "algorithm"])
}

impl Importer for StratumDbImporter {
    fn id(&self) -> &'static str {
        "stratum-db"
    }

    fn name(&self) -> &'static str {
        "Stratum (Authenticator Pro) database (from a rooted phone)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        Database::confidence(bytes, is_stratum)
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
            "a Stratum database",
            is_stratum,
            "it has no authenticator table",
        )?;
        let rows = db.rows(TABLE, COLUMNS)?;
        let categories = if db.columns("category").is_some() {
            db.rows("category", CATEGORY_COLUMNS)?
        } else {
            Vec::new()
        };
        let bindings = if db.columns("authenticatorcategory").is_some() {
            db.rows("authenticatorcategory", BINDING_COLUMNS)?
        } else {
            Vec::new()
        };
        let names: HashMap<&str, &str> = categories
            .iter()
            .filter_map(|c| Some((c.text("id")?, c.label("name"))))
            .filter(|(_, name)| !name.is_empty())
            .collect();
        let mut tags: HashMap<&str, Vec<String>> = HashMap::new();
        for binding in &bindings {
            let (Some(category), Some(secret)) = (
                binding.text("categoryid"),
                binding.text("authenticatorsecret"),
            ) else {
                continue;
            };
            if let Some(name) = names.get(category) {
                let list = tags.entry(secret).or_default();
                if !list.iter().any(|t| t == name) {
                    list.push((*name).to_owned());
                }
            }
        }
        let mut report = ImportReport::default();
        for (index, row) in rows.iter().enumerate() {
            let result = read_row(row).map(|mut entry| {
                if let Some(list) = row.text("secret").and_then(|s| tags.get(s)) {
                    entry.tags = list.clone();
                }
                entry
            });
            report.push(result.map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }));
        }
        Ok(report)
    }
}

/// One row; errors carry its label.
fn read_row(row: &Row) -> Result<Entry, (String, String)> {
    let mut raw = RawAccount::new(row.label("issuer"), row.label("username"));
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    raw.kind = match row.int("type").map_err(&fail)? {
        Some(1) => OtpKind::Hotp,
        Some(2) | None => OtpKind::Totp,
        Some(3) => return Err(fail("mOTP entries are not supported".into())),
        Some(4) => OtpKind::Steam,
        Some(5) => return Err(fail("Yandex entries are not supported".into())),
        Some(other) => return Err(fail(format!("unknown entry type {other}"))),
    };
    raw.algorithm = match row.int("algorithm").map_err(&fail)? {
        None | Some(0) => Algorithm::Sha1,
        Some(1) => Algorithm::Sha256,
        Some(2) => Algorithm::Sha512,
        Some(other) => return Err(fail(format!("unknown algorithm {other}"))),
    };
    if let Some(digits) = row.int("digits").map_err(&fail)? {
        raw.digits =
            u8::try_from(digits).map_err(|_| fail(format!("codes cannot have {digits} digits")))?;
    }
    if raw.kind == OtpKind::Hotp {
        if let Some(counter) = row.int("counter").map_err(&fail)? {
            raw.counter =
                u64::try_from(counter).map_err(|_| fail("the counter is negative".into()))?;
        }
    } else if let Some(period) = row.int("period").map_err(&fail)? {
        raw.period = u64::try_from(period).map_err(|_| fail("the period is negative".into()))?;
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

    const SCHEMA: &str = r#"CREATE TABLE "authenticator" ("type" integer, "icon" varchar,
          "issuer" varchar(32), "username" varchar(40), "secret" varchar primary key not null,
          "pin" varchar, "algorithm" integer, "digits" integer, "period" integer,
          "counter" integer, "ranking" integer);
        CREATE TABLE "category" ("id" varchar(8) primary key not null, "name" varchar(32),
          "ranking" integer);
        CREATE TABLE "authenticatorcategory" ("categoryId" varchar, "authenticatorSecret" varchar,
          "ranking" integer);"#;

    #[test]
    fn reads_every_type_and_the_categories() {
        let bytes = image(&format!(
            "{SCHEMA}
            INSERT INTO authenticator VALUES
              (2, NULL, 'Deno', 'Mason', '4SJHB4GSD43FZBAI7C2HLRJGPQ', NULL, 0, 6, 30, 0, 0),
              (2, NULL, 'SPDX', 'James', '5OM4WOOGPLQEF6UGN3CPEOOLWU', NULL, 1, 7, 20, 0, 1),
              (1, NULL, 'WWE', 'Mason', '5VAML3X35THCEBVRLV24CGBKOY', NULL, 2, 8, 30, 10300, 2),
              (4, NULL, 'Boeing', 'Sophia', 'JRZCL47CMXVOQMNPZR2F7J4RGI', NULL, 0, 5, 30, 0, 3),
              (3, NULL, 'Motp', 'm', '7ac61d4736f51a2b', '1234', 0, 6, 10, 0, 4),
              (5, NULL, 'Yandex', 'y', 'LA2V6KMCGYMWWVEW64RNP3JA3I', '7586', 1, 8, 30, 0, 5),
              (2, NULL, 'Bad', 'algo', 'JBSWY3DPEHPK3PXP', NULL, 9, 6, 30, 0, 6);
            INSERT INTO category VALUES ('c1', 'Work', 0), ('c2', 'Home', 1);
            INSERT INTO authenticatorcategory VALUES
              ('c1', '4SJHB4GSD43FZBAI7C2HLRJGPQ', 0), ('c2', '4SJHB4GSD43FZBAI7C2HLRJGPQ', 1),
              ('c2', 'JRZCL47CMXVOQMNPZR2F7J4RGI', 0), ('gone', 'JRZCL47CMXVOQMNPZR2F7J4RGI', 0);"
        ));
        assert_eq!(StratumDbImporter.detect(&bytes), Confidence::Certain);
        let report = StratumDbImporter.import(&bytes, None).unwrap();
        assert_eq!(report.entries.len(), 4);
        assert_eq!(report.entries[0].tags, ["Work", "Home"]);
        assert_eq!(report.entries[0].enrollment.params, OtpParams::totp());
        let spdx = &report.entries[1].enrollment.params;
        assert_eq!(
            (spdx.algorithm, spdx.digits, spdx.period),
            (Algorithm::Sha256, 7, 20)
        );
        let wwe = &report.entries[2].enrollment.params;
        assert_eq!(
            (wwe.kind, wwe.algorithm, wwe.digits, wwe.counter),
            (OtpKind::Hotp, Algorithm::Sha512, 8, 10300)
        );
        assert_eq!(report.entries[3].enrollment.params, OtpParams::steam());
        assert_eq!(report.entries[3].tags, ["Home"]);
        let errors: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.index, e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (4, "mOTP entries are not supported"),
                (5, "Yandex entries are not supported"),
                (6, "unknown algorithm 9")
            ]
        );
    }

    #[test]
    fn without_category_tables_and_other_databases() {
        let bytes = image(
            "CREATE TABLE authenticator (type INTEGER, issuer TEXT, username TEXT, secret TEXT,
               algorithm INTEGER);
             INSERT INTO authenticator VALUES (2, 'X', 'y', 'JBSWY3DPEHPK3PXP', NULL);",
        );
        let report = StratumDbImporter.import(&bytes, None).unwrap();
        assert_eq!(report.entries[0].enrollment.params, OtpParams::totp());
        assert!(report.entries[0].tags.is_empty());
        let other = image("CREATE TABLE accounts (email TEXT, secret TEXT, type INTEGER);");
        assert_eq!(StratumDbImporter.detect(&other), Confidence::No);
        assert!(matches!(
            StratumDbImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }
}
