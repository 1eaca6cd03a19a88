//! Writing a KeePass KDBX 4 database from Tessera's accounts, in the shape
//! KeePassXC and KeePass 2.47+ show one-time passwords for.
//!
//! Each account is one entry in the root group: `Title` is the issuer (the
//! name when there is none), `UserName` the account name, `otp` the
//! `otpauth://` URI (protected), `Notes` the note, KeePass tags Tessera's
//! tags. SHA1 TOTP and Steam accounts also get KeePassXC's older
//! `TOTP Seed` (protected) and `TOTP Settings` (`30;6`, `30;S`), which
//! KeePassXC prefers over `otp` when both are there; other algorithms are
//! not written there, since that form has no algorithm and KeePassXC would
//! show SHA1 codes. HOTP accounts get KeePass 2.47's `HmacOtp-Secret-Base32`
//! and `HmacOtp-Counter` besides the URI; KeePassXC 2.7 reads any `otp`
//! URI as TOTP (checked with its CLI), so the export warns about them. Recovery codes go one per line
//! into the protected `Recovery codes` field, used ones marked `(used)` and replaced ones `(replaced)`,
//! and the note says so.

use keepass::config::KdfConfig;
use keepass::db::fields;
use keepass::{Database, DatabaseKey};
use tessera_otp::{Algorithm, OtpKind, Zeroizing};

use crate::entry::Entry;
use crate::error::ExportError;
use crate::password::Password;
use crate::registry::{ExportOutput, Exporter, PasswordUse};

/// Argon2id memory, in bytes: 64 MiB, KeePassXC's default.
pub(crate) const ARGON2_MEMORY: u64 = 64 * 1024 * 1024;
/// Argon2id passes. KeePassXC benchmarks one second; 10 is about that on
/// a laptop and a fraction of the cap (64 MiB × 10 against 4 GiB-passes).
pub(crate) const ARGON2_PASSES: u64 = 10;
/// Argon2id lanes, KeePassXC's default.
pub(crate) const ARGON2_LANES: u32 = 2;

/// The field recovery codes are written to.
pub(crate) const RECOVERY_FIELD: &str = "Recovery codes";

/// Writes KeePass KDBX 4 databases (always with a password).
#[derive(Debug, Clone, Copy, Default)]
pub struct KdbxExporter;

impl Exporter for KdbxExporter {
    fn id(&self) -> &'static str {
        "kdbx"
    }

    fn name(&self) -> &'static str {
        "KeePass database (KDBX 4)"
    }

    fn extension(&self) -> &'static str {
        "kdbx"
    }

    fn password_use(&self) -> PasswordUse {
        PasswordUse::Required
    }

    fn description(&self) -> &'static str {
        "A KeePass database (KDBX 4) with one entry per account and its one-time password, \
         for KeePassXC, KeePass 2.47+ and other apps that read the otp field. Encrypted with \
         a password."
    }

    fn export(
        &self,
        entries: &[Entry],
        password: Option<&Password>,
    ) -> Result<ExportOutput, ExportError> {
        let password = password.ok_or(ExportError::PasswordRequired {
            format: super::FORMAT,
        })?;
        if password.is_empty() {
            return Err(ExportError::EmptyPassword);
        }
        export_with(entries, password, argon2id(ARGON2_MEMORY, ARGON2_PASSES))
    }
}

/// Argon2id (version 1.3) with this cost and [`ARGON2_LANES`] lanes.
pub(crate) fn argon2id(memory: u64, passes: u64) -> KdfConfig {
    // The version type belongs to the crate's Argon2 dependency; its
    // default configuration carries version 1.3.
    let KdfConfig::Argon2 { version, .. } = Database::new().config.kdf_config else {
        unreachable!("the keepass crate's default KDF is Argon2 1.3")
    };
    KdfConfig::Argon2id {
        iterations: passes,
        memory,
        parallelism: ARGON2_LANES,
        version,
    }
}

/// Writes the database with this KDF (tests use a cheap one).
pub(crate) fn export_with(
    entries: &[Entry],
    password: &Password,
    kdf: KdfConfig,
) -> Result<ExportOutput, ExportError> {
    let mut database = Database::new();
    database.config.kdf_config = kdf;
    database.meta.generator = Some("Tessera".into());
    let mut warnings = Vec::new();
    let favourites = entries.iter().filter(|e| e.favourite).count();
    if favourites > 0 {
        warnings.push(format!(
            "KeePass has no favourites: {favourites} account(s) lose that mark"
        ));
    }
    let counters = entries
        .iter()
        .filter(|e| e.enrollment.params.kind == OtpKind::Hotp)
        .count();
    if counters > 0 {
        warnings.push(format!(
            "KeePassXC (2.7) shows time-based codes for the {counters} counter-based (HOTP) \
             account(s); KeePass 2.47+ and KeePassDX show the right ones"
        ));
    }
    {
        let mut root = database.root_mut();
        root.name = "Tessera".into();
        for account in entries {
            let mut entry = root.add_entry();
            write_entry(&mut entry, account);
        }
    }
    let mut bytes = Zeroizing::new(Vec::new());
    let key = DatabaseKey::new().with_password(password.expose());
    database
        .save(&mut *bytes, key)
        .map_err(|error| match error {
            keepass::db::DatabaseSaveError::Random(_) => ExportError::Randomness,
            // Writing to memory cannot fail on I/O, and every text is
            // cleaned of what XML cannot hold.
            other => ExportError::Write {
                format: "KeePass",
                reason: other.to_string(),
            },
        })?;
    Ok(ExportOutput {
        bytes,
        encrypted: true,
        skipped: Vec::new(),
        warnings,
    })
}

/// XML 1.0 cannot hold most control characters; tabs and line breaks stay.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .collect()
}

fn write_entry(entry: &mut keepass::db::EntryMut<'_>, account: &Entry) {
    let enrollment = &account.enrollment;
    let params = &enrollment.params;
    let title = if enrollment.issuer.is_empty() {
        &enrollment.name
    } else {
        &enrollment.issuer
    };
    entry.set_unprotected(fields::TITLE, title.as_str());
    entry.set_unprotected(fields::USERNAME, enrollment.name.as_str());
    entry.set_protected(fields::OTP, tessera_otp::uri::format(enrollment).as_str());
    let secret = enrollment.secret.to_base32();
    match params.kind {
        OtpKind::Steam => {
            entry.set_protected("TOTP Seed", secret.as_str());
            entry.set_unprotected("TOTP Settings", "30;S");
        }
        OtpKind::Totp if params.algorithm == Algorithm::Sha1 => {
            entry.set_protected("TOTP Seed", secret.as_str());
            entry.set_unprotected(
                "TOTP Settings",
                format!("{};{}", params.period, params.digits),
            );
        }
        OtpKind::Totp => {}
        OtpKind::Hotp => {
            entry.set_protected("HmacOtp-Secret-Base32", secret.as_str());
            entry.set_unprotected("HmacOtp-Counter", params.counter.to_string());
        }
    }
    let mut notes = xml_text(&account.notes);
    if let Some(recovery) = account.recovery.as_ref().filter(|r| !r.codes().is_empty()) {
        let mut lines = Zeroizing::new(String::new());
        for code in recovery.codes() {
            if !lines.is_empty() {
                lines.push('\n');
            }
            lines.push_str(&xml_text(code.code()));
            if code.is_replaced() {
                lines.push_str(" (replaced)");
            } else if code.is_used() {
                lines.push_str(" (used)");
            }
        }
        entry.set_protected(RECOVERY_FIELD, lines.as_str());
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        notes.push_str(&format!(
            "Recovery codes: {} ({} used) in the \"{RECOVERY_FIELD}\" field.",
            recovery.current_count(),
            recovery.used_count()
        ));
        if recovery.replaced_count() > 0 {
            notes.push_str(&format!(
                " {} older ones, replaced by a newer set, kept as history and marked (replaced).",
                recovery.replaced_count()
            ));
        }
        if !recovery.note.is_empty() {
            notes.push(' ');
            notes.push_str(&xml_text(&recovery.note));
        }
    }
    if !notes.is_empty() {
        entry.set_unprotected(fields::NOTES, notes);
    }
    entry.tags = account
        .tags
        .iter()
        .map(|tag| xml_text(tag).replace([';', ','], " ").trim().to_owned())
        .filter(|tag| !tag.is_empty())
        .collect();
}
