//! KeePass databases (KDBX 3.1 and 4.x), read and written, for the
//! one-time passwords their entries hold.
//!
//! Format: <https://keepass.info/help/kb/kdbx_4.html> (and
//! <https://keepass.info/help/kb/kdbx.html>); the file is opened with the
//! `keepass` crate (AES-256, ChaCha20 and Twofish; AES-KDF, Argon2d and
//! Argon2id; a password, a key file or both). Key files are whatever
//! KeePass accepts: XML version 1.0 (base64) or 2.0 (hex), 32 raw bytes,
//! 64 hex characters, or any other file, whose SHA-256 is the key.
//! Before that crate sees the bytes, the `header` module reads the outer header
//! itself and checks the KDF's cost against Tessera's caps
//! ([`crate::MAX_AES_KDF_ROUNDS`], [`crate::MAX_ARGON2_MEMORY_KIB`] and
//! friends), so a hostile file is refused before any derivation.
//!
//! One-time passwords are read from an entry's:
//! - `otp` attribute: an `otpauth://` URI (KeePassXC, KeePassDX, Stratum;
//!   `encoder=steam` marks Steam), the KeeOtp plugin's
//!   `key=…&size=…&step=…&otpHashMode=…`, or a bare base32 secret;
//! - KeePassXC's older `TOTP Seed` + `TOTP Settings` (`step;digits`,
//!   `step;S` for Steam; a third `;SHA256`-style field, which some tools
//!   write, is honoured too), taken when there is no `otp` attribute;
//! - KeePass 2.47's own `TimeOtp-*` and `HmacOtp-*` fields
//!   (`-Secret`, `-Secret-Hex`, `-Secret-Base32`, `-Secret-Base64`,
//!   `TimeOtp-Length`/`-Period`/`-Algorithm`, `HmacOtp-Counter`).
//!
//! Entries with none of these are passwords, not accounts, and are skipped
//! without a word; entries in the recycle bin (the group the metadata's
//! `RecycleBinUUID` names, and its subgroups) are deleted ones and are left
//! out. Labels: the URI's issuer and name when it has either; otherwise
//! the entry's title is the issuer and its user name the name. The group
//! path below the root (`Work/Servers`) becomes a tag, `Notes` the note.
//! KeePass tags are read as tags too.
//!
//! Writing (the `export` module): KDBX 4.1, AES-256 with an Argon2id key (KeePassXC's
//! defaults: 64 MiB, 2 lanes, 10 passes, well inside the caps so Tessera
//! opens its own files), one entry per account in the root group.
//!
//! What it cannot carry: favourites (KeePass has none; they are dropped).
//! Reading, recovery codes written by Tessera stay in the entry's
//! `Recovery codes` attribute and are not read back as codes. Secrets are as
//! lenient as the crate's shared base32 reading.

mod export;
pub(crate) mod header;

use std::panic::{catch_unwind, AssertUnwindSafe};

use keepass::db::{EntryRef, GroupId};
use keepass::{Database, DatabaseKey};
use tessera_otp::{Algorithm, Enrollment, OtpKind, PlusSign, Secret};

use crate::crypto::{base64_decode, hex_decode};
use crate::entry::{account_label, base32_secret, Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

pub use export::KdbxExporter;
pub use header::Kdf;

/// The key derivation a KeePass database asks for, read from its outer
/// header as the importer reads it (duplicated or malformed fields are
/// errors), without deriving anything: for callers that must bound the
/// work before handing over a password (the fuzz targets).
pub fn key_derivation(bytes: &[u8]) -> Result<Kdf, ImportError> {
    header::parse(bytes).map(|outer| outer.kdf)
}

/// The format's name in messages ("this KeePass file is damaged").
pub(crate) const FORMAT: &str = "KeePass";

/// Reads KeePass KDBX 3.1 and 4.x databases.
#[derive(Debug, Clone, Copy, Default)]
pub struct KdbxImporter;

impl Importer for KdbxImporter {
    fn id(&self) -> &'static str {
        "kdbx"
    }

    fn name(&self) -> &'static str {
        "KeePass database (KDBX)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if header::has_signature(bytes) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        open(bytes, password, None)
    }

    fn takes_key_file(&self) -> bool {
        true
    }

    fn import_with_key_file(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
        key_file: &[u8],
    ) -> Result<ImportReport, ImportError> {
        open(bytes, password, Some(key_file))
    }
}

/// Checks the header, opens the database and reads its accounts.
fn open(
    bytes: &[u8],
    password: Option<&Password>,
    key_file: Option<&[u8]>,
) -> Result<ImportReport, ImportError> {
    check_len(bytes)?;
    let outer = header::parse(bytes)?;
    if password.is_none() && key_file.is_none() {
        return Err(ImportError::PasswordRequired { format: FORMAT });
    }
    header::check_kdf(outer.kdf)?;
    let mut key = DatabaseKey::new();
    if let Some(password) = password {
        key = key.with_password(password.expose());
    }
    if let Some(mut key_file) = key_file {
        key = key
            .with_keyfile(&mut key_file)
            .map_err(|_| corrupt("the key file cannot be read"))?;
    }
    // The crate indexes some header numbers without checking their size;
    // the header check above refuses those, and a panic left anywhere else
    // is still a damaged file, not a crash.
    let opened = catch_unwind(AssertUnwindSafe(|| Database::parse(bytes, key)))
        .map_err(|_| corrupt("its structure cannot be read"))?;
    let database = opened.map_err(|error| open_error(error, outer.major, key_file.is_some()))?;
    Ok(read_database(&database))
}

fn corrupt(reason: impl Into<String>) -> ImportError {
    ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    }
}

/// Maps the crate's error to one line that never quotes the file.
fn open_error(
    error: keepass::db::DatabaseOpenError,
    major: u16,
    had_key_file: bool,
) -> ImportError {
    use keepass::db::DatabaseOpenError as E;
    let wrong = ImportError::WrongPasswordOrKeyFile {
        format: FORMAT,
        key_file_given: had_key_file,
    };
    match error {
        E::Key(keepass::error::DatabaseKeyError::IncorrectKey) => wrong,
        // KDBX 3 has no check before decrypting: a wrong key shows as bad
        // CBC padding as often as a wrong first block.
        E::Cryptography(_) if major == 3 => wrong,
        E::Key(_) => corrupt("the key file cannot be used"),
        E::UnexpectedEof => ImportError::Truncated {
            format: FORMAT,
            what: "it ends before its contents do".into(),
        },
        E::UnsupportedVersion => ImportError::Unsupported {
            format: FORMAT,
            what: "this database version".into(),
        },
        E::Cryptography(_) => corrupt("its contents do not decrypt"),
        _ => corrupt("its contents cannot be read"),
    }
}

/// Walks the groups below the root, leaving out the recycle bin.
fn read_database(database: &Database) -> ImportReport {
    let recycle_bin = database.recycle_bin().map(|group| group.id());
    let mut report = ImportReport::default();
    let mut index = 0;
    let mut pending: Vec<(GroupId, String)> = vec![(database.root().id(), String::new())];
    while let Some((id, path)) = pending.pop() {
        let Some(group) = database.group(id) else {
            continue;
        };
        for entry in group.entries() {
            if let Some(result) = read_entry(&entry, &path, index) {
                report.push(result);
            }
            index += 1;
        }
        let children: Vec<(GroupId, String)> = group
            .groups()
            .filter(|child| Some(child.id()) != recycle_bin)
            .map(|child| {
                let child_path = if path.is_empty() {
                    child.name.clone()
                } else {
                    format!("{path}/{}", child.name)
                };
                (child.id(), child_path)
            })
            .collect();
        pending.extend(children.into_iter().rev());
    }
    report
}

/// A field's text, trimmed, when it is not empty.
fn field<'a>(entry: &'a EntryRef<'_>, key: &str) -> Option<&'a str> {
    entry
        .get(key)
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// One entry's account; `None` when the entry has no one-time password.
fn read_entry(
    entry: &EntryRef<'_>,
    group: &str,
    index: usize,
) -> Option<Result<Entry, EntryError>> {
    let title = field(entry, "Title").unwrap_or_default();
    let user = field(entry, "UserName").unwrap_or_default();
    let fail = |message: String| EntryError {
        index,
        label: account_label(title, user),
        message,
    };
    let result = otp_of(entry, title, user)?.map_err(fail);
    Some(result.map(|enrollment| {
        let mut tags = Vec::new();
        if !group.is_empty() {
            tags.push(group.to_owned());
        }
        for tag in entry
            .tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            if !tags.iter().any(|known| known == tag) {
                tags.push(tag.to_owned());
            }
        }
        Entry {
            notes: entry.get("Notes").unwrap_or_default().to_owned(),
            tags,
            ..Entry::new(enrollment)
        }
    }))
}

/// The entry's one-time password, from the first of the fields it has.
fn otp_of(entry: &EntryRef<'_>, title: &str, user: &str) -> Option<Result<Enrollment, String>> {
    if let Some(otp) = field(entry, "otp") {
        return Some(from_otp_field(otp, title, user));
    }
    if let Some(seed) = field(entry, "TOTP Seed") {
        let settings = field(entry, "TOTP Settings").unwrap_or("30;6");
        return Some(from_legacy(seed, settings, title, user));
    }
    if let Some(secret) = keepass_native_secret(entry, "TimeOtp") {
        return Some(secret.and_then(|secret| {
            let mut raw = RawAccount::new(title, user);
            if let Some(digits) = field(entry, "TimeOtp-Length") {
                raw.digits = number(digits, "TimeOtp-Length")?;
            }
            if let Some(period) = field(entry, "TimeOtp-Period") {
                raw.period = number(period, "TimeOtp-Period")?;
            }
            if let Some(algorithm) = field(entry, "TimeOtp-Algorithm") {
                raw.algorithm = algorithm_of(algorithm)?;
            }
            raw.into_enrollment(secret)
        }));
    }
    if let Some(secret) = keepass_native_secret(entry, "HmacOtp") {
        return Some(secret.and_then(|secret| {
            let mut raw = RawAccount::new(title, user);
            raw.kind = OtpKind::Hotp;
            raw.counter = match field(entry, "HmacOtp-Counter") {
                Some(counter) => number(counter, "HmacOtp-Counter")?,
                None => 0,
            };
            raw.into_enrollment(secret)
        }));
    }
    None
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{what} is not a number"))
}

/// `SHA256`, `sha-256` or KeePass's `HMAC-SHA-256`.
fn algorithm_of(text: &str) -> Result<Algorithm, String> {
    let text = text.trim();
    let bare = text
        .get(..5)
        .filter(|prefix| prefix.eq_ignore_ascii_case("hmac-"))
        .map_or(text, |_| &text[5..]);
    bare.parse::<Algorithm>().map_err(|error| error.to_string())
}

/// KeePass 2.47's `{prefix}-Secret`, `-Secret-Hex`, `-Secret-Base32` or
/// `-Secret-Base64`.
fn keepass_native_secret(entry: &EntryRef<'_>, prefix: &str) -> Option<Result<Secret, String>> {
    let get = |suffix: &str| field(entry, &format!("{prefix}-Secret{suffix}"));
    let bytes = |bytes: Option<Vec<u8>>, what: &str| {
        bytes
            .ok_or_else(|| format!("the secret is not valid {what}"))
            .and_then(|bytes| Secret::from_bytes(bytes).map_err(|error| error.to_string()))
    };
    if let Some(text) = get("-Base32") {
        return Some(base32_secret(text));
    }
    if let Some(text) = get("-Hex") {
        let compact: String = text.split_whitespace().collect();
        return Some(bytes(hex_decode(&compact), "hex"));
    }
    if let Some(text) = get("-Base64") {
        return Some(bytes(base64_decode(text).map(|b| b.to_vec()), "base64"));
    }
    // The plain form is the secret's UTF-8 bytes, untrimmed.
    let plain = entry
        .get(&format!("{prefix}-Secret"))
        .filter(|t| !t.is_empty())?;
    Some(bytes(Some(plain.as_bytes().to_vec()), "text"))
}

/// The `otp` attribute: a URI, KeeOtp's query form, or a bare secret.
fn from_otp_field(otp: &str, title: &str, user: &str) -> Result<Enrollment, String> {
    let is_uri = otp
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("otpauth:"));
    if is_uri {
        let mut enrollment = crate::entry::otpauth_uri(otp)?;
        if enrollment.issuer.is_empty() && enrollment.name.is_empty() {
            tessera_otp::check_label(title, "issuer").map_err(|e| e.to_string())?;
            tessera_otp::check_label(user, "account name").map_err(|e| e.to_string())?;
            enrollment.issuer = title.to_owned();
            enrollment.name = user.to_owned();
        }
        return Ok(enrollment);
    }
    if otp.contains("key=") {
        return from_keeotp(otp, title, user);
    }
    from_legacy(otp, "30;6", title, user)
}

/// KeeOtp's `key=SECRET&size=6&step=30&otpHashMode=SHA1` (form-encoded).
fn from_keeotp(otp: &str, title: &str, user: &str) -> Result<Enrollment, String> {
    let mut raw = RawAccount::new(title, user);
    let mut secret = None;
    for pair in otp.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = tessera_otp::percent_decode(value, PlusSign::Space)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
            .ok_or_else(|| format!("the {name} value is malformed"))?;
        let value = tessera_otp::Zeroizing::new(value);
        match name.trim().to_ascii_lowercase().as_str() {
            "key" if secret.is_none() => secret = Some(base32_secret(&value)?),
            "size" => raw.digits = number(&value, "size")?,
            "step" => raw.period = number(&value, "step")?,
            "otphashmode" => raw.algorithm = algorithm_of(&value)?,
            "type" if value.eq_ignore_ascii_case("hotp") => raw.kind = OtpKind::Hotp,
            "counter" => raw.counter = number(&value, "counter")?,
            _ => {}
        }
    }
    let secret = secret.ok_or_else(|| "the otp field has no key".to_owned())?;
    raw.into_enrollment(secret)
}

/// KeePassXC's `TOTP Seed` with its `TOTP Settings`: `step;digits`,
/// `step;S` (Steam) or `step;digits;ALGORITHM`.
fn from_legacy(seed: &str, settings: &str, title: &str, user: &str) -> Result<Enrollment, String> {
    let mut raw = RawAccount::new(title, user);
    let parts: Vec<&str> = settings.split(';').map(str::trim).collect();
    if parts.len() >= 2 {
        if parts[1] == "S" {
            raw.kind = OtpKind::Steam;
        } else {
            raw.period = number(parts[0], "the TOTP period")?;
            raw.digits = number(parts[1], "the TOTP digits")?;
        }
    }
    if let Some(algorithm) = parts.get(2).filter(|a| !a.is_empty()) {
        raw.algorithm = algorithm_of(algorithm)?;
    }
    let secret = base32_secret(seed)?;
    raw.into_enrollment(secret)
}

#[cfg(test)]
mod tests {
    use keepass::db::{fields, GroupMut};
    use tessera_otp::{OtpParams, RecoveryCodes};

    use super::export::{argon2id, export_with};
    use super::*;
    use crate::registry::Exporter;

    /// A KDF cheap enough for unit tests in a debug build.
    fn cheap() -> keepass::config::KdfConfig {
        argon2id(1024 * 1024, 1)
    }

    fn save(database: &mut Database, password: Option<&str>, key_file: Option<&[u8]>) -> Vec<u8> {
        database.config.kdf_config = cheap();
        let mut key = DatabaseKey::new();
        if let Some(password) = password {
            key = key.with_password(password);
        }
        if let Some(mut key_file) = key_file {
            key = key.with_keyfile(&mut key_file).unwrap();
        }
        let mut bytes = Vec::new();
        database.save(&mut bytes, key).unwrap();
        bytes
    }

    fn add(group: &mut GroupMut<'_>, title: &str, user: &str, attributes: &[(&str, &str)]) {
        let mut entry = group.add_entry();
        entry.set_unprotected(fields::TITLE, title);
        entry.set_unprotected(fields::USERNAME, user);
        for (key, value) in attributes {
            entry.set_protected(*key, *value);
        }
    }

    fn accounts() -> Vec<Entry> {
        let secret = |text| Secret::from_base32(text).unwrap();
        let mut github = Entry::new(Enrollment {
            issuer: "GitHub".into(),
            name: "alice@example.com".into(),
            secret: secret("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
            params: OtpParams::totp(),
        });
        github.notes = "work laptop\nsecond line".into();
        github.tags = vec!["work".into(), "code".into()];
        let mut recovery = RecoveryCodes::new(false, "printed");
        recovery
            .add(
                vec![
                    tessera_otp::Zeroizing::new("aaaa-1111".to_owned()),
                    tessera_otp::Zeroizing::new("bbbb-2222".to_owned()),
                ],
                10,
            )
            .unwrap();
        recovery.use_code("aaaa-1111", 20).unwrap();
        github.recovery = Some(recovery);
        let bank = Entry::new(Enrollment {
            issuer: "Zürich Bank: Private".into(),
            name: "alice".into(),
            secret: secret("7ELGJSGXNCCTV3O6LKJWYFV2RA"),
            params: OtpParams {
                algorithm: Algorithm::Sha512,
                digits: 8,
                period: 60,
                ..OtpParams::totp()
            },
        });
        let counter = Entry::new(Enrollment {
            issuer: "Issuu".into(),
            name: "james".into(),
            secret: secret("YOOMIXWS5GN6RTBPUFFWKTW5M4"),
            params: OtpParams::hotp(10300),
        });
        let no_issuer = Entry::new(Enrollment {
            issuer: String::new(),
            name: "plain".into(),
            secret: secret("JBSWY3DPEHPK3PXP"),
            params: OtpParams::totp(),
        });
        let steam = Entry::new(Enrollment {
            issuer: "Steam".into(),
            name: "sophia".into(),
            secret: secret("JRZCL47CMXVOQMNPZR2F7J4RGI"),
            params: OtpParams::steam(),
        });
        vec![github, bank, counter, no_issuer, steam]
    }

    /// Regression: once a set was replaced, the export marked the old codes
    /// "(used)" and counted them with the current set.
    #[test]
    fn regression_replaced_recovery_codes_are_marked_replaced_not_used() {
        let mut github = accounts().remove(0);
        let recovery = github.recovery.as_mut().unwrap();
        recovery
            .replace(
                vec![
                    tessera_otp::Zeroizing::new("cccc-3333".to_owned()),
                    tessera_otp::Zeroizing::new("dddd-4444".to_owned()),
                    tessera_otp::Zeroizing::new("eeee-5555".to_owned()),
                ],
                30,
            )
            .unwrap();
        let password = Password::from("correct horse");
        let output = export_with(&[github], &password, cheap()).unwrap();
        let key = DatabaseKey::new().with_password("correct horse");
        let database = Database::parse(&output.bytes, key).unwrap();
        let root = database.root();
        let entry = root.entries().next().unwrap();
        let field = entry.get("Recovery codes").unwrap();
        let mut lines: Vec<&str> = field.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            [
                "aaaa-1111 (replaced)",
                "bbbb-2222 (replaced)",
                "cccc-3333",
                "dddd-4444",
                "eeee-5555"
            ]
        );
        let notes = entry.get("Notes").unwrap_or_default();
        assert!(
            notes.contains("Recovery codes: 3 (0 used)")
                && notes.contains("2 older ones, replaced"),
            "{notes}"
        );
    }

    #[test]
    fn tessera_to_kdbx_to_tessera_keeps_every_account() {
        let accounts = accounts();
        let password = Password::from("correct horse");
        let output = export_with(&accounts, &password, cheap()).unwrap();
        assert!(output.encrypted && output.skipped.is_empty());
        assert_eq!(output.warnings.len(), 1, "{:?}", output.warnings);
        assert!(output.warnings[0].contains("HOTP"));
        assert_eq!(KdbxImporter.detect(&output.bytes), Confidence::Certain);
        let report = KdbxImporter.import(&output.bytes, Some(&password)).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.entries.len(), accounts.len());
        for (got, want) in report.entries.iter().zip(&accounts) {
            assert_eq!(got.enrollment, want.enrollment);
            assert_eq!(got.tags, want.tags);
            if want.recovery.is_none() {
                assert_eq!(got.notes, want.notes);
            }
        }
        let github = &report.entries[0];
        assert!(github.notes.starts_with("work laptop\nsecond line\n\n"));
        assert!(
            github
                .notes
                .contains("Recovery codes: 2 (1 used) in the \"Recovery codes\" field."),
            "{}",
            github.notes
        );
        assert!(!github.notes.contains("bbbb"), "{}", github.notes);

        // The fields other apps read.
        let key = DatabaseKey::new().with_password("correct horse");
        let database = Database::parse(&output.bytes, key).unwrap();
        let root = database.root();
        let entries: Vec<_> = root.entries().collect();
        let github = &entries[0];
        assert_eq!(github.get_title(), Some("GitHub"));
        assert_eq!(github.get_username(), Some("alice@example.com"));
        assert_eq!(github.get("TOTP Seed"), Some("4SJHB4GSD43FZBAI7C2HLRJGPQ"));
        assert_eq!(github.get("TOTP Settings"), Some("30;6"));
        assert!(github.fields["otp"].is_protected());
        assert_eq!(
            github.get("Recovery codes"),
            Some("aaaa-1111 (used)\nbbbb-2222")
        );
        assert!(github.fields["Recovery codes"].is_protected());
        assert_eq!(github.tags, vec!["work".to_owned(), "code".to_owned()]);
        // Not SHA1: no TOTP Settings, which KeePassXC would read as SHA1.
        assert_eq!(entries[1].get("TOTP Settings"), None);
        assert!(entries[1].get("otp").unwrap().contains("algorithm=SHA512"));
        assert_eq!(entries[2].get("HmacOtp-Counter"), Some("10300"));
        assert!(entries[2]
            .get("otp")
            .unwrap()
            .starts_with("otpauth://hotp/"));
        assert_eq!(entries[3].get_title(), Some("plain"));
        assert_eq!(entries[4].get("TOTP Settings"), Some("30;S"));
    }

    #[test]
    fn the_exporter_needs_a_password_and_its_kdf_fits_the_caps() {
        assert_eq!(
            KdbxExporter.export(&[], None).unwrap_err(),
            crate::ExportError::PasswordRequired { format: FORMAT }
        );
        assert_eq!(
            KdbxExporter
                .export(&[], Some(&Password::from("")))
                .unwrap_err(),
            crate::ExportError::EmptyPassword
        );
        header::check_kdf(header::Kdf::Argon2 {
            id: true,
            memory_bytes: export::ARGON2_MEMORY,
            passes: export::ARGON2_PASSES,
            lanes: u64::from(export::ARGON2_LANES),
        })
        .unwrap();
    }

    #[test]
    fn reads_every_otp_field_form_and_leaves_out_the_recycle_bin() {
        let mut database = Database::new();
        let mut root = database.root_mut();
        add(&mut root, "No OTP", "me", &[(fields::PASSWORD, "hunter2")]);
        add(
            &mut root,
            "Titled",
            "user",
            &[("otp", "otpauth://totp/?secret=JBSWY3DPEHPK3PXP&digits=8")],
        );
        add(
            &mut root,
            "Legacy",
            "bob",
            &[
                ("TOTP Seed", "jbsw y3dp ehpk 3pxp"),
                ("TOTP Settings", "45;7"),
            ],
        );
        add(
            &mut root,
            "LegacySteam",
            "gaben",
            &[("TOTP Seed", "JBSWY3DPEHPK3PXP"), ("TOTP Settings", "30;S")],
        );
        add(
            &mut root,
            "Legacy256",
            "x",
            &[
                ("TOTP Seed", "JBSWY3DPEHPK3PXP"),
                ("TOTP Settings", "30;8;SHA256"),
            ],
        );
        add(
            &mut root,
            "KeeOtp",
            "y",
            &[(
                "otp",
                "key=JBSWY3DPEHPK3PXP&size=8&step=60&otpHashMode=SHA512",
            )],
        );
        add(
            &mut root,
            "Native",
            "z",
            &[
                ("TimeOtp-Secret-Hex", "48656c6c6f21deadbeef"),
                ("TimeOtp-Length", "7"),
                ("TimeOtp-Algorithm", "HMAC-SHA-256"),
            ],
        );
        add(
            &mut root,
            "NativeHotp",
            "w",
            &[
                ("HmacOtp-Secret", "12345678901234567890"),
                ("HmacOtp-Counter", "5"),
            ],
        );
        add(
            &mut root,
            "Broken",
            "v",
            &[("otp", "otpauth://totp/x?secret=!!")],
        );
        let group_id = {
            let mut group = root.add_group();
            group.name = "Work".into();
            let mut sub = group.add_group();
            sub.name = "Servers".into();
            add(
                &mut sub,
                "Deep",
                "root",
                &[(
                    "otp",
                    "otpauth://totp/Host:admin?secret=JBSWY3DPEHPK3PXP&encoder=steam",
                )],
            );
            group.id()
        };
        let bin_id = {
            let mut bin = root.add_group();
            bin.name = "Recycle Bin".into();
            add(
                &mut bin,
                "Deleted",
                "gone",
                &[("otp", "otpauth://totp/D:d?secret=JBSWY3DP")],
            );
            let mut inside = bin.add_group();
            inside.name = "Old".into();
            add(
                &mut inside,
                "Deleted2",
                "gone",
                &[("TOTP Seed", "JBSWY3DP")],
            );
            bin.id()
        };
        database.meta.recyclebin_uuid = Some(bin_id.uuid());
        let _ = group_id;
        let bytes = save(&mut database, Some("pw"), None);
        let report = KdbxImporter
            .import(&bytes, Some(&Password::from("pw")))
            .unwrap();
        let labels: Vec<(String, String)> = report
            .entries
            .iter()
            .map(|e| (e.enrollment.issuer.clone(), e.enrollment.name.clone()))
            .collect();
        let label = |i: &str, n: &str| (i.to_owned(), n.to_owned());
        assert_eq!(
            labels,
            vec![
                label("Titled", "user"),
                label("Legacy", "bob"),
                label("LegacySteam", "gaben"),
                label("Legacy256", "x"),
                label("KeeOtp", "y"),
                label("Native", "z"),
                label("NativeHotp", "w"),
                label("Host", "admin"),
            ]
        );
        let params: Vec<OtpParams> = report
            .entries
            .iter()
            .map(|e| e.enrollment.params.clone())
            .collect();
        assert_eq!(params[0].digits, 8);
        assert_eq!((params[1].period, params[1].digits), (45, 7));
        assert_eq!(params[2], OtpParams::steam());
        assert_eq!(
            (params[3].algorithm, params[3].digits),
            (Algorithm::Sha256, 8)
        );
        assert_eq!(
            (params[4].algorithm, params[4].digits, params[4].period),
            (Algorithm::Sha512, 8, 60)
        );
        assert_eq!(
            (params[5].algorithm, params[5].digits),
            (Algorithm::Sha256, 7)
        );
        assert_eq!(
            report.entries[5].enrollment.secret.as_bytes(),
            b"Hello!\xde\xad\xbe\xef"
        );
        assert_eq!(params[6], OtpParams::hotp(5));
        assert_eq!(
            report.entries[6].enrollment.secret.as_bytes(),
            b"12345678901234567890"
        );
        assert_eq!(params[7].kind, OtpKind::Steam);
        assert_eq!(report.entries[7].tags, vec!["Work/Servers".to_owned()]);
        assert!(report.entries[0].tags.is_empty());
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].label, "Broken: v");
        assert!(!report.errors[0].message.contains("!!"));
    }

    #[test]
    fn key_files_passwords_and_their_errors() {
        let mut database = Database::new();
        add(
            &mut database.root_mut(),
            "Site",
            "me",
            &[("otp", "otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP")],
        );
        // Any file that is not an XML, 32-byte or 64-hex key file is
        // hashed: KeePass's rule, which the keepass crate follows.
        let key_file: Vec<u8> = (0..128u8).collect();
        let bytes = save(&mut database, Some("pw"), Some(&key_file));
        let password = Password::from("pw");
        assert!(KdbxImporter.takes_key_file());
        let report = KdbxImporter
            .import_with_key_file(&bytes, Some(&password), &key_file)
            .unwrap();
        assert_eq!(report.entries.len(), 1);

        let error = KdbxImporter.import(&bytes, Some(&password)).unwrap_err();
        assert!(matches!(error, ImportError::WrongPasswordOrKeyFile { .. }));
        let message = error.to_string();
        assert!(
            message.contains("key file") && !message.contains('\n'),
            "{message}"
        );
        let error = KdbxImporter
            .import_with_key_file(&bytes, Some(&password), b"another key file")
            .unwrap_err();
        assert!(error.to_string().contains("key file"), "{error}");
        assert_eq!(
            KdbxImporter.import(&bytes, None).unwrap_err(),
            ImportError::PasswordRequired { format: FORMAT }
        );

        // A key file alone, in KeePass's XML version 2.0 form.
        let xml = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<KeyFile><Meta><Version>2.0</Version></Meta>\
            <Key><Data Hash=\"00000000\">0123456789ABCDEF 0123456789ABCDEF 0123456789ABCDEF 0123456789ABCDEF</Data></Key></KeyFile>";
        let bytes = save(&mut database, None, Some(xml));
        let report = KdbxImporter
            .import_with_key_file(&bytes, None, xml)
            .unwrap();
        assert_eq!(report.entries.len(), 1);
    }

    #[test]
    fn detection_claims_only_keepass_signatures() {
        assert_eq!(KdbxImporter.detect(b""), Confidence::No);
        assert_eq!(KdbxImporter.detect(b"{\"db\": 1}"), Confidence::No);
        let mut kdbx = vec![0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 1, 0, 4, 0];
        assert_eq!(KdbxImporter.detect(&kdbx), Confidence::Certain);
        kdbx[4] = 0x65;
        assert_eq!(KdbxImporter.detect(&kdbx), Confidence::Certain);
        assert!(matches!(
            KdbxImporter.import(&kdbx, Some(&Password::from("x"))),
            Err(ImportError::Unsupported { .. })
        ));
    }
}
