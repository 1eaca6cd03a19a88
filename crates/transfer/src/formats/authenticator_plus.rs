//! Authenticator Plus's two backups: the password-protected export ZIP
//! holding `Accounts.txt`, and the `.db` backup, an SQLCipher database.
//!
//! Format: no published specification. The ZIP is a traditional PKWARE
//! ZipCrypto archive (deflate) whose `Accounts.txt` is a list of
//! `otpauth://` URIs, read by [`super::uri_list`]. The `.db` backup is an
//! SQLCipher 3 database with SQLCipher's defaults
//! (<https://www.zetetic.net/sqlcipher/design/>, and its source
//! <https://github.com/sqlcipher/sqlcipher/blob/master/src/sqlcipher.c>): the
//! first 16 bytes of the file are a random salt; the key is
//! PBKDF2-HMAC-SHA1(password, salt, 64 000 iterations, 32 bytes); pages
//! are 1024 bytes, each ending in 48 reserved bytes that hold a 16-byte IV
//! and an HMAC-SHA1 of the page's ciphertext, the IV and the page number
//! (little-endian, from 1) under PBKDF2-HMAC-SHA1(key, salt XOR 0x3a, 2
//! iterations); the rest of the page is AES-256-CBC under the key (page 1
//! from byte 16 on, its first 16 bytes being the salt, which become
//! `SQLite format 3\0` again). SQLCipher 2's 4 000 iterations, otherwise the
//! same layout, are tried when 64 000 do not open page 1. Page 1's HMAC
//! tells a wrong password from a damaged later page. The decrypted image is
//! opened by the `sqlite` module; a `.db` already decrypted to plain SQLite is
//! read too. Its `accounts` table (layout as Stratum reads it,
//! <https://github.com/stratumauth/app/blob/master/AuthenticatorPro.Core/Converter/AuthenticatorPlusBackupConverter.cs>):
//! `email` (the name), `secret` (base32), `counter`, `type` (0 TOTP,
//! 1 HOTP, 2 Battle.net), `issuer`, `original_name` (the label as first
//! added: `Issuer:Name`, or for Battle.net the serial), `category`.
//!
//! What it cannot carry: the database stores no algorithm, digits or
//! period: SHA1, 6 digits, 30 s, except Battle.net authenticators, whose
//! secret is hex and whose codes have 8 digits; their serial becomes the
//! name. The category becomes a tag (`All Accounts` is no category). No
//! notes, favourites or icons. The `.db` backup has no marker, so it is
//! detected only as a guess of last resort (a length in whole 1024-byte
//! pages that is not plain SQLite), like andOTP's encrypted backups.

use std::io::{Cursor, Read};

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use tessera_otp::{OtpKind, Secret};
use zeroize::Zeroizing;

use crate::crypto::{check_pbkdf2, hex_decode, pbkdf2_key, Key32, Pbkdf2Hash};
use crate::entry::{base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::formats::google_authenticator_db::split_label;
use crate::formats::sqlite::{is_sqlite, Database, Row, SQLITE_MAGIC};
use crate::formats::uri_list::UriListImporter;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer, MAX_IMPORT_LEN};

const FORMAT: &str = "Authenticator Plus backup";
/// The ZIP member with the accounts.
const ACCOUNTS_TXT: &str = "Accounts.txt";
/// SQLCipher 3's default page size.
const PAGE_LEN: usize = 1024;
/// Bytes at the end of each page: IV, HMAC-SHA1, padding to the AES block.
const RESERVE_LEN: usize = 48;
const SALT_LEN: usize = 16;
const IV_LEN: usize = 16;
const HMAC_LEN: usize = 20;
/// SQLCipher 3's PBKDF2 iterations, then SQLCipher 2's.
const KDF_ITERATIONS: [u64; 2] = [64_000, 4_000];
/// Iterations deriving the HMAC key from the encryption key.
const HMAC_KDF_ITERATIONS: u64 = 2;
/// XORed into the salt for the HMAC key's derivation.
const HMAC_SALT_MASK: u8 = 0x3a;
const TABLE: &str = "accounts";
const COLUMNS: &[&str] = &[
    "email",
    "secret",
    "counter",
    "type",
    "issuer",
    "original_name",
    "category",
];
/// The category every account is in: no category at all.
const ALL_ACCOUNTS: &str = "All Accounts";
/// Battle.net authenticators' code length.
const BATTLE_NET_DIGITS: u8 = 8;

/// Reads Authenticator Plus's encrypted ZIP export and `.db` backup.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthenticatorPlusImporter;

/// The ZIP's `Accounts.txt`: its index and whether it is encrypted, or
/// `None` when `bytes` are not such a ZIP.
fn accounts_member(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<(usize, bool)> {
    let index = archive.index_for_name(ACCOUNTS_TXT)?;
    let encrypted = archive.by_index_raw(index).ok()?.encrypted();
    Some((index, encrypted))
}

/// Opens `bytes` as a ZIP archive when they start like one.
fn open_zip(bytes: &[u8]) -> Option<zip::ZipArchive<Cursor<&[u8]>>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    zip::ZipArchive::new(Cursor::new(bytes)).ok()
}

/// Whether a plain SQLite database has Authenticator Plus's `accounts`
/// table (Google Authenticator's has no `category`).
fn is_plain_database(db: &Database) -> bool {
    db.has_table_with(TABLE, &["email", "secret", "type", "category"])
}

impl Importer for AuthenticatorPlusImporter {
    fn id(&self) -> &'static str {
        "authenticator-plus"
    }

    fn name(&self) -> &'static str {
        "Authenticator Plus backup (encrypted .zip, or .db)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if let Some(mut archive) = open_zip(bytes) {
            return match accounts_member(&mut archive) {
                Some((_, true)) => Confidence::Certain,
                Some((_, false)) => Confidence::Likely,
                None => Confidence::No,
            };
        }
        if is_sqlite(bytes) {
            return match Database::sniff(bytes) {
                Some(db) if is_plain_database(&db) => Confidence::Certain,
                _ => Confidence::No,
            };
        }
        if could_be_sqlcipher(bytes) {
            Confidence::Low
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
        if let Some(archive) = open_zip(bytes) {
            return import_zip(archive, password);
        }
        if is_sqlite(bytes) {
            let db = Database::open(FORMAT, bytes)?;
            if !is_plain_database(&db) {
                return Err(ImportError::NotThisFormat {
                    format: "an Authenticator Plus backup",
                    reason: "the database has no accounts table with categories".into(),
                });
            }
            return read_database(&db);
        }
        if !could_be_sqlcipher(bytes) {
            return Err(ImportError::NotThisFormat {
                format: "an Authenticator Plus backup",
                reason: "it is neither a ZIP with Accounts.txt nor a database in 1024-byte pages"
                    .into(),
            });
        }
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        let image = decrypt_sqlcipher(bytes, password)?;
        let db = Database::open(FORMAT, &image)?;
        if db.columns(TABLE).is_none() {
            return Err(ImportError::Corrupt {
                format: FORMAT,
                reason: "the database has no accounts table".into(),
            });
        }
        read_database(&db)
    }
}

/// Starts of other binary files a random salt does not begin with in
/// practice, beyond andOTP's list (`andotp::FOREIGN_MAGICS`): any ZIP
/// record, and KeePass.
const MORE_FOREIGN_MAGICS: &[&[u8]] = &[b"PK", b"\x03\xd9\xa2\x9a"];

/// Whether `bytes` could be an SQLCipher database in 1024-byte pages: a
/// whole number of at least two pages, binary (a random salt and
/// ciphertext are never UTF-8 text), and not starting like another known
/// binary format.
fn could_be_sqlcipher(bytes: &[u8]) -> bool {
    bytes.len() >= 2 * PAGE_LEN
        && bytes.len() % PAGE_LEN == 0
        && !super::andotp::is_foreign(bytes)
        && !MORE_FOREIGN_MAGICS
            .iter()
            .any(|magic| bytes.starts_with(magic))
        && std::str::from_utf8(bytes).is_err()
}

/// Reads the export ZIP's `Accounts.txt`.
fn import_zip(
    mut archive: zip::ZipArchive<Cursor<&[u8]>>,
    password: Option<&Password>,
) -> Result<ImportReport, ImportError> {
    let (index, encrypted) = accounts_member(&mut archive).ok_or(ImportError::NotThisFormat {
        format: "an Authenticator Plus backup",
        reason: "the ZIP holds no Accounts.txt".into(),
    })?;
    let file = if encrypted {
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        archive.by_index_decrypt(index, password.as_bytes())
    } else {
        archive.by_index(index)
    };
    let file = file.map_err(|error| match error {
        zip::result::ZipError::InvalidPassword => ImportError::WrongPassword { format: FORMAT },
        zip::result::ZipError::UnsupportedArchive(what) => ImportError::Unsupported {
            format: FORMAT,
            what: what.to_owned(),
        },
        other => ImportError::Corrupt {
            format: FORMAT,
            reason: other.to_string(),
        },
    })?;
    if file.size() > MAX_IMPORT_LEN {
        return Err(ImportError::Corrupt {
            format: FORMAT,
            reason: format!("Accounts.txt claims {} bytes", file.size()),
        });
    }
    let mut text = Zeroizing::new(Vec::new());
    file.take(MAX_IMPORT_LEN + 1)
        .read_to_end(&mut text)
        .map_err(|_| {
            // ZipCrypto checks one byte of the password; the rest shows
            // only as garbage failing to inflate or its CRC.
            if encrypted {
                ImportError::WrongPasswordOrDamaged { format: FORMAT }
            } else {
                ImportError::Corrupt {
                    format: FORMAT,
                    reason: "Accounts.txt cannot be unpacked".into(),
                }
            }
        })?;
    if text.len() as u64 > MAX_IMPORT_LEN {
        return Err(ImportError::Corrupt {
            format: FORMAT,
            reason: "Accounts.txt unpacks to more than it claims".into(),
        });
    }
    UriListImporter
        .import(&text, None)
        .map_err(|error| match error {
            ImportError::NotThisFormat { .. } => ImportError::Corrupt {
                format: FORMAT,
                reason: "Accounts.txt holds no otpauth:// URI".into(),
            },
            other => other,
        })
}

/// The SQLCipher keys derived from a password and the file's salt.
struct Keys {
    cipher: Key32,
    hmac: Key32,
}

impl Keys {
    fn derive(password: &Password, salt: &[u8], iterations: u32) -> Keys {
        let cipher = pbkdf2_key(Pbkdf2Hash::Sha1, password.as_bytes(), salt, iterations);
        let mask: Vec<u8> = salt.iter().map(|b| b ^ HMAC_SALT_MASK).collect();
        let hmac = pbkdf2_key(
            Pbkdf2Hash::Sha1,
            &cipher[..],
            &mask,
            HMAC_KDF_ITERATIONS as u32,
        );
        Keys { cipher, hmac }
    }

    /// Whether page `number` (from 1) carries a valid HMAC. `page` is the
    /// whole page; page 1's salt is not covered.
    fn page_is_authentic(&self, page: &[u8], number: u32) -> bool {
        let start = if number == 1 { SALT_LEN } else { 0 };
        let data_end = PAGE_LEN - RESERVE_LEN;
        let mut mac =
            <Hmac<Sha1>>::new_from_slice(&self.hmac[..]).expect("HMAC takes any key length");
        mac.update(&page[start..data_end + IV_LEN]);
        mac.update(&number.to_le_bytes());
        mac.verify_slice(&page[data_end + IV_LEN..data_end + IV_LEN + HMAC_LEN])
            .is_ok()
    }
}

/// Decrypts an SQLCipher 3 (or 2) database with default settings into a
/// plain SQLite image.
fn decrypt_sqlcipher(bytes: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if bytes.len() < PAGE_LEN || bytes.len() % PAGE_LEN != 0 {
        return Err(ImportError::Truncated {
            format: FORMAT,
            what: format!(
                "{} bytes is not a whole number of 1024-byte pages",
                bytes.len()
            ),
        });
    }
    let salt = &bytes[..SALT_LEN];
    let first = &bytes[..PAGE_LEN];
    let mut keys = None;
    for iterations in KDF_ITERATIONS {
        let iterations = check_pbkdf2(FORMAT, iterations)?;
        let candidate = Keys::derive(password, salt, iterations);
        if candidate.page_is_authentic(first, 1) {
            keys = Some(candidate);
            break;
        }
    }
    let keys = keys.ok_or(ImportError::WrongPassword { format: FORMAT })?;
    let data_end = PAGE_LEN - RESERVE_LEN;
    let mut image = Zeroizing::new(vec![0u8; bytes.len()]);
    for (index, (page, out)) in bytes
        .chunks_exact(PAGE_LEN)
        .zip(image.chunks_exact_mut(PAGE_LEN))
        .enumerate()
    {
        let number = u32::try_from(index + 1).expect("64 MiB is far fewer than 2^32 pages");
        if !keys.page_is_authentic(page, number) {
            return Err(ImportError::Corrupt {
                format: FORMAT,
                reason: format!("page {number} fails its integrity check"),
            });
        }
        let start = if number == 1 { SALT_LEN } else { 0 };
        let iv = &page[data_end..data_end + IV_LEN];
        out[start..data_end].copy_from_slice(&page[start..data_end]);
        cbc::Decryptor::<aes::Aes256>::new((&*keys.cipher).into(), iv.into())
            .decrypt_padded_mut::<NoPadding>(&mut out[start..data_end])
            .expect("pages are whole AES blocks");
    }
    image[..SALT_LEN].copy_from_slice(SQLITE_MAGIC);
    // The plaintext header must describe the layout just undone.
    if image[16..18] != [(PAGE_LEN >> 8) as u8, 0] || usize::from(image[20]) != RESERVE_LEN {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "SQLCipher settings other than the defaults".into(),
        });
    }
    Ok(image)
}

/// Reads the accounts of a decrypted (or plain) database.
fn read_database(db: &Database) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    for (index, row) in db.rows(TABLE, COLUMNS)?.iter().enumerate() {
        report.push(read_row(row).map_err(|(label, message)| EntryError {
            index,
            label,
            message,
        }));
    }
    Ok(report)
}

/// One row; errors carry its label.
fn read_row(row: &Row) -> Result<Entry, (String, String)> {
    let kind = row.int("type");
    let original = row.label("original_name");
    let email = row.label("email");
    let mut issuer = row.label("issuer");
    let mut raw = if kind == Ok(Some(2)) {
        if issuer.is_empty() {
            issuer = "Battle.net";
        }
        let serial = if original.is_empty() { email } else { original };
        RawAccount::new(issuer, serial)
    } else {
        if issuer.is_empty() {
            if let Some((prefix, _)) = original.split_once(':') {
                issuer = prefix.trim();
            }
        }
        let name = if email.is_empty() {
            original.split_once(':').map_or(original, |(_, name)| name)
        } else {
            email
        };
        let (issuer, name) = split_label(issuer, name.trim());
        RawAccount::new(issuer, name)
    };
    let label = raw.label();
    let fail = |message: String| (label.clone(), message);
    let text = row.text("secret").unwrap_or_default();
    let secret = match kind.map_err(&fail)? {
        None | Some(0) => base32_secret(text).map_err(&fail)?,
        Some(1) => {
            raw.kind = OtpKind::Hotp;
            let counter = row.int("counter").map_err(&fail)?.unwrap_or(0);
            raw.counter =
                u64::try_from(counter).map_err(|_| fail("the counter is negative".into()))?;
            base32_secret(text).map_err(&fail)?
        }
        Some(2) => {
            raw.digits = BATTLE_NET_DIGITS;
            let bytes = hex_decode(text.trim())
                .ok_or_else(|| fail("the Battle.net secret is not hexadecimal".into()))?;
            Secret::from_bytes(bytes).map_err(|error| fail(error.to_string()))?
        }
        Some(other) => return Err(fail(format!("unknown account type {other}"))),
    };
    let enrollment = raw.into_enrollment(secret).map_err(&fail)?;
    let category = row.label("category");
    let tags = if category.is_empty() || category == ALL_ACCOUNTS {
        Vec::new()
    } else {
        vec![category.to_owned()]
    };
    Ok(Entry {
        tags,
        ..Entry::new(enrollment)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;
    use rusqlite::{Connection, MAIN_DB};
    use std::io::Write;
    use tessera_otp::{Algorithm, OtpParams};

    const SCHEMA: &str = "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, position INTEGER,
          email TEXT NOT NULL, secret TEXT NOT NULL, counter INTEGER DEFAULT 0, type INTEGER,
          provider INTEGER DEFAULT 0, timestamp TEXT NOT NULL DEFAULT '', uid TEXT NOT NULL DEFAULT '',
          issuer TEXT, original_name TEXT, category TEXT NOT NULL DEFAULT 'All Accounts');
        CREATE TABLE category (name TEXT NOT NULL, _id INTEGER PRIMARY KEY,
          position INTEGER DEFAULT 0, timestamp TEXT NOT NULL DEFAULT '');
        INSERT INTO accounts (email, secret, counter, type, issuer, original_name, category) VALUES
          ('Period', 'JGRMXBLPPYQIFMRBFQDHNP3MPPYQYNUN', 0, 0, 'Long', 'Long:Period', 'All Accounts'),
          ('NoIssuer', 'KY2QJPMNQLSGSZE2C5F7AYBLBVEEDHFX', 0, 0, NULL, 'NoIssuer', 'Category'),
          ('Hotp', 'JOR2VZXMNHACFNLRAOACFFRDRYAOFMLB', 10, 1, NULL, 'Standard:Hotp', 'All Accounts'),
          ('Username', '9777f82cf6956cd401d7fdf0f452bb8bf45c55b2', 0, 2, 'Battle.net',
           'EU-2303-0329-3905', 'All Accounts'),
          ('Broken', 'zz-secret', 0, 2, NULL, 'US-1', 'All Accounts'),
          ('Odd', 'JBSWY3DPEHPK3PXP', 0, 7, 'X', 'X:Odd', 'All Accounts');
        INSERT INTO category (name) VALUES ('Category');";

    /// A plain SQLite image laid out as SQLCipher stores it: 1024-byte
    /// pages with 48 bytes reserved at the end of each. SQLite keeps the
    /// reserve of the database it opens, so an empty one-page database is
    /// given the reserve (and its empty root page the matching content
    /// start) before the tables are added.
    fn reserved_image(sql: &str) -> Vec<u8> {
        let mut empty = Connection::open_in_memory().unwrap();
        empty
            .execute_batch("PRAGMA page_size = 1024; PRAGMA user_version = 1;")
            .unwrap();
        let mut bytes = empty.serialize(MAIN_DB).unwrap().to_vec();
        assert_eq!(bytes.len(), PAGE_LEN);
        bytes[20] = RESERVE_LEN as u8;
        let content_start = (PAGE_LEN - RESERVE_LEN) as u16;
        bytes[105..107].copy_from_slice(&content_start.to_be_bytes());
        let mut db = Connection::open_in_memory().unwrap();
        db.deserialize_read_exact(MAIN_DB, &bytes[..], bytes.len(), false)
            .unwrap();
        db.execute_batch(sql).unwrap();
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        db.serialize(MAIN_DB).unwrap().to_vec()
    }

    /// Encrypts a reserved image the way SQLCipher does, independently of
    /// the reader above but for the key derivation.
    fn encrypt(image: &[u8], password: &str, iterations: u32) -> Vec<u8> {
        let salt: [u8; SALT_LEN] = std::array::from_fn(|i| i as u8 * 7 + 1);
        let keys = Keys::derive(&Password::from(password), &salt, iterations);
        let data_end = PAGE_LEN - RESERVE_LEN;
        let mut file = vec![0u8; image.len()];
        for (index, (page, out)) in image
            .chunks_exact(PAGE_LEN)
            .zip(file.chunks_exact_mut(PAGE_LEN))
            .enumerate()
        {
            let number = index as u32 + 1;
            let start = if number == 1 { SALT_LEN } else { 0 };
            let iv = [index as u8 ^ 0x5c; IV_LEN];
            out[start..data_end].copy_from_slice(&page[start..data_end]);
            cbc::Encryptor::<aes::Aes256>::new((&*keys.cipher).into(), (&iv).into())
                .encrypt_padded_mut::<NoPadding>(&mut out[start..data_end], data_end - start)
                .unwrap();
            out[data_end..data_end + IV_LEN].copy_from_slice(&iv);
            if number == 1 {
                out[..SALT_LEN].copy_from_slice(&salt);
            }
            let mut mac = <Hmac<Sha1>>::new_from_slice(&keys.hmac[..]).unwrap();
            mac.update(&out[start..data_end + IV_LEN]);
            mac.update(&number.to_le_bytes());
            out[data_end + IV_LEN..data_end + IV_LEN + HMAC_LEN]
                .copy_from_slice(&mac.finalize().into_bytes());
        }
        file
    }

    fn check_entries(report: &ImportReport) {
        let labels: Vec<_> = report
            .entries
            .iter()
            .map(|e| (e.enrollment.issuer.as_str(), e.enrollment.name.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("Long", "Period"),
                ("", "NoIssuer"),
                ("Standard", "Hotp"),
                ("Battle.net", "EU-2303-0329-3905")
            ]
        );
        assert_eq!(report.entries[0].enrollment.params, OtpParams::totp());
        assert!(report.entries[0].tags.is_empty());
        assert_eq!(report.entries[1].tags, ["Category"]);
        assert_eq!(report.entries[2].enrollment.params, OtpParams::hotp(10));
        let battle_net = &report.entries[3].enrollment;
        assert_eq!(
            (battle_net.params.kind, battle_net.params.digits),
            (OtpKind::Totp, 8)
        );
        assert_eq!(battle_net.params.algorithm, Algorithm::Sha1);
        assert_eq!(
            battle_net.secret.to_base32().as_str(),
            "S537QLHWSVWNIAOX7XYPIUV3RP2FYVNS"
        );
        let errors: Vec<_> = report.errors.iter().map(|e| e.index).collect();
        assert_eq!(errors, [4, 5]);
        assert!(!report.errors[0].message.contains("zz-secret"));
    }

    #[test]
    fn sqlcipher_backup_round_trips() {
        let image = reserved_image(SCHEMA);
        let file = encrypt(&image, "testtesttest", 64_000);
        assert_eq!(AuthenticatorPlusImporter.detect(&file), Confidence::Low);
        let password = Password::from("testtesttest");
        let decrypted = decrypt_sqlcipher(&file, &password).unwrap();
        assert_eq!(
            &decrypted[..PAGE_LEN - RESERVE_LEN],
            &image[..PAGE_LEN - RESERVE_LEN]
        );
        check_entries(
            &AuthenticatorPlusImporter
                .import(&file, Some(&password))
                .unwrap(),
        );
        assert_eq!(
            AuthenticatorPlusImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
    }

    #[test]
    fn sqlcipher_wrong_password_and_damage_are_told_apart() {
        let file = encrypt(&reserved_image(SCHEMA), "right", 4_000);
        let right = Password::from("right");
        // SQLCipher 2's iteration count is the fallback.
        check_entries(
            &AuthenticatorPlusImporter
                .import(&file, Some(&right))
                .unwrap(),
        );
        assert_eq!(
            AuthenticatorPlusImporter.import(&file, Some(&Password::from("wrong"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
        let mut damaged = file.clone();
        damaged[PAGE_LEN + 100] ^= 1;
        let error = AuthenticatorPlusImporter
            .import(&damaged, Some(&right))
            .unwrap_err();
        assert_eq!(
            error,
            ImportError::Corrupt {
                format: FORMAT,
                reason: "page 2 fails its integrity check".into()
            }
        );
        // A flipped IV byte is caught by the HMAC as well.
        let mut damaged = file.clone();
        damaged[2 * PAGE_LEN - RESERVE_LEN] ^= 0x80;
        assert!(matches!(
            AuthenticatorPlusImporter.import(&damaged, Some(&right)),
            Err(ImportError::Corrupt { .. })
        ));
        assert!(matches!(
            AuthenticatorPlusImporter.import(&file[..file.len() - 1], Some(&right)),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert_eq!(
            AuthenticatorPlusImporter.detect(&file[..file.len() - 1]),
            Confidence::No
        );
    }

    #[test]
    fn plain_database_is_read_too() {
        let image = reserved_image(SCHEMA);
        assert_eq!(
            AuthenticatorPlusImporter.detect(&image),
            Confidence::Certain
        );
        check_entries(&AuthenticatorPlusImporter.import(&image, None).unwrap());
        let other = crate::formats::sqlite::tests::image("CREATE TABLE t (a);");
        assert_eq!(AuthenticatorPlusImporter.detect(&other), Confidence::No);
        assert!(matches!(
            AuthenticatorPlusImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    const ACCOUNTS: &str = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1&digits=6&period=30
otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&algorithm=SHA1&digits=6&counter=1
otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing&algorithm=SHA1&digits=5&period=30
";

    fn zip(password: Option<&str>, name: &str, content: &str) -> Vec<u8> {
        use zip::unstable::write::FileOptionsExt;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        if let Some(password) = password {
            options = options
                .with_deprecated_encryption(password.as_bytes())
                .unwrap();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn encrypted_zip_export() {
        let file = zip(Some("secret"), ACCOUNTS_TXT, ACCOUNTS);
        assert_eq!(AuthenticatorPlusImporter.detect(&file), Confidence::Certain);
        let report = AuthenticatorPlusImporter
            .import(&file, Some(&Password::from("secret")))
            .unwrap();
        assert_eq!(report.entries.len(), 3);
        assert!(report.errors.is_empty());
        assert_eq!(report.entries[1].enrollment.params, OtpParams::hotp(1));
        assert_eq!(report.entries[2].enrollment.params, OtpParams::steam());
        assert_eq!(
            AuthenticatorPlusImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        // ZipCrypto checks one byte of the password: either error is right.
        for wrong in ["wrong", "Secret", "secret2", "x"] {
            let error = AuthenticatorPlusImporter
                .import(&file, Some(&Password::from(wrong)))
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    ImportError::WrongPassword { .. } | ImportError::WrongPasswordOrDamaged { .. }
                ),
                "{wrong}: {error:?}"
            );
        }
    }

    #[test]
    fn other_zips_and_unencrypted_accounts() {
        let plain = zip(None, ACCOUNTS_TXT, ACCOUNTS);
        assert_eq!(AuthenticatorPlusImporter.detect(&plain), Confidence::Likely);
        assert_eq!(
            AuthenticatorPlusImporter
                .import(&plain, None)
                .unwrap()
                .entries
                .len(),
            3
        );
        let other = zip(Some("secret"), "notes.txt", ACCOUNTS);
        assert_eq!(AuthenticatorPlusImporter.detect(&other), Confidence::No);
        assert!(matches!(
            AuthenticatorPlusImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
        let empty = zip(None, ACCOUNTS_TXT, "hello\n");
        assert!(matches!(
            AuthenticatorPlusImporter.import(&empty, None),
            Err(ImportError::Corrupt { .. })
        ));
        assert_eq!(AuthenticatorPlusImporter.detect(b"hello"), Confidence::No);
        assert_eq!(
            AuthenticatorPlusImporter.detect(&[b'a'; 2 * PAGE_LEN]),
            Confidence::No,
            "text is never an SQLCipher database"
        );
    }

    /// The corpus's real Authenticator Plus `.db` backup, when the shared
    /// corpus is present: it is detected only as a guess (Low), so it is
    /// read here with this importer directly.
    #[test]
    fn corpus_sqlcipher_backup_when_present() {
        let root = match std::env::var_os("TESSERA_CORPORA") {
            Some(dir) => std::path::PathBuf::from(dir).join("importers"),
            None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/corpora/importers"),
        };
        let Ok(file) = std::fs::read(root.join("more/stratum/authplus.db")) else {
            println!("skipped: the shared importer corpus is not present");
            return;
        };
        assert_eq!(AuthenticatorPlusImporter.detect(&file), Confidence::Low);
        let report = AuthenticatorPlusImporter
            .import(&file, Some(&Password::from("testtesttest")))
            .unwrap();
        assert_eq!(report.entries.len(), 8);
        assert!(report.errors.is_empty());
        let battle_net = &report.entries[7];
        assert_eq!(battle_net.enrollment.issuer, "Battle.net®");
        assert_eq!(battle_net.enrollment.name, "EU-2303-0329-3905");
        assert_eq!(battle_net.enrollment.params.digits, 8);
        assert_eq!(
            battle_net.enrollment.secret.to_base32().as_str(),
            "S537QLHWSVWNIAOX7XYPIUV3RP2FYVNS"
        );
        assert_eq!(report.entries[2].enrollment.issuer, "");
        assert_eq!(report.entries[2].tags, ["Category"]);
        assert_eq!(
            AuthenticatorPlusImporter.import(&file, Some(&Password::from("test"))),
            Err(ImportError::WrongPassword { format: FORMAT })
        );
    }
}
