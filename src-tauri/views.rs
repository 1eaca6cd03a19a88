//! What the commands send to the page: plain, serialisable views of the
//! core's results, never a secret unless the user asked to reveal one.
//! Their TypeScript declarations are generated from these types
//! (`ui/src/bindings.ts`, see `crate::ipc`), so the page and Rust cannot
//! drift apart.

use serde::Serialize;
use tessera_core::codes::AccountCode;
use tessera_core::inbox::{FoundAccount, Inbox, SeriesProgress};
use tessera_core::recovery::{mask, summary};
use tessera_otp::OtpKind;
use tessera_vault::{Account, Contents, RecoveryEntry};
use ts_rs::TS;

/// The app's name and version.
#[derive(Debug, Serialize, TS)]
pub struct AppInfo {
    /// "Tessera".
    pub name: String,
    /// The version from Cargo.toml.
    pub version: String,
}

/// Where the vault is and how it opens (nothing secret).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    /// The vault file, when it can be known.
    pub path: Option<String>,
    /// Whether anything is at the path.
    pub exists: bool,
    /// It has a password slot.
    pub has_password: bool,
    /// It has an OS keyring slot.
    pub has_keyring: bool,
    /// It is unlocked in this app.
    pub unlocked: bool,
    /// Why the vault cannot be used, one line.
    pub error: Option<String>,
}

/// One account as the page lists it: names and parameters, never the
/// secret.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// The account's id.
    pub id: String,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    #[ts(type = "OtpKind")]
    pub kind: OtpKind,
    /// `SHA1`, `SHA256` or `SHA512`.
    #[ts(type = "Algorithm")]
    pub algorithm: String,
    /// Code length.
    pub digits: u8,
    /// Seconds per code (time-based kinds).
    #[ts(type = "number")]
    pub period: u64,
    /// The HOTP counter of the next code, as text (it may exceed what a
    /// JavaScript number holds exactly).
    pub counter: String,
    /// Shown first.
    pub favourite: bool,
    /// Labels.
    pub tags: Vec<String>,
    /// Free text.
    pub notes: String,
    /// Unix seconds when added.
    #[ts(type = "number")]
    pub created_at: u64,
    /// Its recovery codes still good, if it has any stored.
    pub recovery_unused: Option<usize>,
    /// The first warning about its recovery codes, if any.
    pub recovery_warning: Option<String>,
}

impl AccountView {
    /// The view of `account`, with what `contents` keeps about its
    /// recovery codes.
    pub fn of(account: &Account, contents: &Contents) -> AccountView {
        let e = &account.enrollment;
        let recovery = contents.recovery_for_account(&account.id);
        let threshold = contents.settings.recovery_few_left_threshold();
        AccountView {
            id: account.id.to_string(),
            issuer: e.issuer.clone(),
            name: e.name.clone(),
            kind: e.params.kind,
            algorithm: e.params.algorithm.as_uri_str().to_owned(),
            digits: e.params.digits,
            period: e.params.period,
            counter: e.params.counter.to_string(),
            favourite: account.favourite,
            tags: account.tags.clone(),
            notes: account.notes.clone(),
            created_at: account.created_at,
            recovery_unused: recovery.map(|r| r.codes.unused_count()),
            recovery_warning: recovery
                .and_then(|r| r.codes.warnings(threshold).first().map(ToString::to_string)),
        }
    }
}

/// The account list and the revision it belongs to.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountList {
    /// Changes whenever the contents may have changed.
    #[ts(type = "number")]
    pub revision: u64,
    /// The accounts in the vault's order.
    pub accounts: Vec<AccountView>,
}

/// Why Rust locked the vault by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LockReason {
    /// No input for the auto-lock time.
    Idle,
    /// The desktop session locked or the machine went to sleep.
    System,
}

/// The codes of every account at one moment.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Codes {
    /// False when the vault is locked (then nothing else is filled in).
    pub unlocked: bool,
    /// When locked: why, if Rust locked it by itself.
    pub lock_reason: Option<LockReason>,
    /// The moment the codes are for, unix milliseconds, with the user's
    /// time offset applied; the page counts down from it.
    #[ts(type = "number")]
    pub now_ms: u64,
    /// The contents' revision; when it changes the page lists the
    /// accounts again.
    #[ts(type = "number")]
    pub revision: u64,
    /// One entry per account, in the vault's order.
    pub codes: Vec<AccountCode>,
}

/// An account just added, with its code at once: the enrolling site asks
/// for it next.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Added {
    /// The account.
    pub account: AccountView,
    /// Its current code (time-based kinds).
    pub code: AccountCode,
}

/// Everything scans and imports found so far.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// Accounts ready to add.
    pub found: Vec<FoundAccount>,
    /// The export being collected (the first still missing codes), if any.
    pub series: Option<SeriesProgress>,
    /// Accounts found that cannot be used, and why.
    pub skipped: Vec<String>,
    /// What this scan saw that is not an enrollment (a web link, …).
    pub notes: Vec<String>,
    /// Services without an account whose recovery codes come along.
    pub recovery_services: usize,
}

impl ScanResult {
    /// What `inbox` holds, flagged against `contents`, with this scan's
    /// `notes`.
    pub fn of(inbox: &Inbox, contents: &Contents, notes: Vec<String>) -> ScanResult {
        let all = inbox.series();
        let series = all
            .iter()
            .find(|s| !s.missing.is_empty())
            .or(all.last())
            .cloned();
        ScanResult {
            found: inbox.found(contents),
            series,
            skipped: inbox.skipped(),
            notes,
            recovery_services: inbox.service_count(),
        }
    }
}

/// A camera the user can pick.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CameraChoice {
    /// The number to start it with.
    pub index: u32,
    /// Its name, as the system reports it.
    pub name: String,
}

/// What the page hears about a running webcam scan, besides the previews.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CameraUpdate {
    /// A code is in view that is not an enrollment; the scan goes on.
    Note {
        /// What it is.
        message: String,
    },
    /// An enrollment was found and the camera released; the result lists
    /// every account found so far.
    Found {
        /// Everything found so far.
        result: ScanResult,
    },
    /// The camera could not be used (none, busy, denied, failed) or the
    /// find could not be kept; the camera is released.
    Failed {
        /// Why.
        message: String,
    },
    /// The scan ended without a find; the camera is released.
    Ended {
        /// Why.
        message: String,
    },
}

/// What opening a file to import gave.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// The file is encrypted: ask for its password, then call
    /// `import_password`.
    pub needs_password: bool,
    /// The format can also be opened with a key file (KeePass): offer to
    /// choose one beside the password.
    pub takes_key_file: bool,
    /// The format's name, when known.
    pub format: Option<String>,
    /// What was found, when read.
    pub result: Option<ScanResult>,
}

/// One export format, as the export screen offers it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportFormatView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it holds and what reads it.
    pub description: String,
    /// `required`, `optional` or `never`.
    #[ts(type = "\"required\" | \"optional\" | \"never\"")]
    pub password: String,
    /// `file`: written by `export_file`; `qr-series`: made by
    /// `export_google`.
    #[ts(type = "\"file\" | \"qr-series\"")]
    pub kind: String,
}

/// An export written.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// Where.
    pub path: String,
    /// How many accounts it holds.
    pub accounts: usize,
    /// Whether it is encrypted.
    pub encrypted: bool,
    /// What the user must be told.
    pub notes: Vec<String>,
}

/// Google Authenticator's series of QR codes, shown or saved.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GoogleExport {
    /// PNG data URLs of the QR codes, in order, when shown.
    pub images: Vec<String>,
    /// Where the PNG files went, when saved.
    pub folder: Option<String>,
    /// Accounts in the series.
    pub accounts: usize,
    /// QR codes in the series.
    pub codes: usize,
    /// What the user must be told.
    pub notes: Vec<String>,
}

/// What was copied, for the brief confirmation.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Copied {
    /// The code now on the clipboard.
    pub code: String,
    /// Seconds until it is cleared (`None`: never).
    pub clears_in_seconds: Option<u32>,
}

/// One stored recovery code, masked: its shape, never its characters.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodeSlot {
    /// Its place in the set.
    pub index: usize,
    /// The code masked ([`tessera_core::recovery::mask`]).
    pub shape: String,
    /// Unix seconds when saved.
    #[ts(type = "number")]
    pub added_at: u64,
    /// Unix seconds when used.
    #[ts(type = "number | null")]
    pub used_at: Option<u64>,
    /// Unix seconds when a newer set replaced it (it is history).
    #[ts(type = "number | null")]
    pub replaced_at: Option<u64>,
}

/// One account's or service's recovery codes.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryView {
    /// The set's entry id.
    pub id: String,
    /// Its account's id, when it belongs to one.
    pub account_id: Option<String>,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// How the set is named.
    pub label: String,
    /// The service issues a new code for each one used.
    pub rotating: bool,
    /// Where the codes came from.
    pub note: String,
    /// Codes still good.
    pub unused: usize,
    /// Codes of the current set (unused and used; not replaced ones).
    pub total: usize,
    /// Codes of older sets a newer one replaced, kept as history.
    pub replaced: usize,
    /// Warnings (few left, a replacement missing).
    pub warnings: Vec<String>,
    /// Every code, masked: unused first, then used, then replaced.
    pub codes: Vec<CodeSlot>,
}

impl RecoveryView {
    /// The view of `entry`.
    pub fn of(contents: &Contents, entry: &RecoveryEntry) -> RecoveryView {
        let summary = summary(contents, entry);
        RecoveryView {
            id: summary.entry_id.to_string(),
            account_id: summary.account_id.map(|id| id.to_string()),
            label: summary.label,
            issuer: summary.issuer,
            name: summary.name,
            rotating: summary.rotating,
            note: summary.note,
            unused: summary.unused,
            total: entry.codes.current_count(),
            replaced: summary.replaced,
            warnings: summary.warnings,
            codes: entry
                .codes
                .display_order()
                .into_iter()
                .map(|index| {
                    let c = &entry.codes.codes()[index];
                    CodeSlot {
                        index,
                        shape: mask(c.code()),
                        added_at: c.added_at,
                        used_at: c.used_at,
                        replaced_at: c.replaced_at,
                    }
                })
                .collect(),
        }
    }
}

/// A code marked used.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Used {
    /// The set, as saved.
    pub entry: RecoveryView,
    /// The service issues a new code for each one used: ask for it.
    pub replacement_expected: bool,
}

/// The codes a pasted block holds, and how they compare with the set they
/// would join.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ParsedCodes {
    /// Each code's shape.
    pub shapes: Vec<String>,
    /// The codes themselves, for the preview: the user just pasted them
    /// into the page, so they tell the page nothing new. Masked once saved.
    pub codes: Vec<String>,
    /// Codes of the set they would join (not replaced ones).
    pub current: usize,
    /// Pasted codes already among those.
    pub shared: usize,
    /// Ask whether they replace that set or are more codes for it (they
    /// share none with it).
    pub ask_replace: bool,
    /// That set's service gives a new code for each one used (new codes
    /// are replacements, added).
    pub rotating: bool,
}

/// Automatic backups on this computer, as Settings shows them.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// Whether a backup follows every change.
    pub enabled: bool,
    /// The folder they go to, when on.
    pub folder: Option<String>,
    /// How many automatic backups are kept (the default when off).
    pub keep: usize,
    /// The most that can be kept.
    pub max_keep: usize,
    /// Unix seconds the newest backup there was written, if any.
    #[ts(type = "number | null")]
    pub last_backup: Option<u64>,
    /// Why the last automatic backup could not be written, if it could not.
    pub problem: Option<String>,
}

/// One backup in the backup folder, as the restore list shows it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupView {
    /// The file (what a restore names).
    pub path: String,
    /// Its name, for people.
    pub name: String,
    /// Unix seconds it was written.
    #[ts(type = "number")]
    pub written_at: u64,
    /// Written by Tessera after a change (else put there by hand).
    pub automatic: bool,
    /// Bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Accounts it holds, when it opens with the vault's key.
    pub accounts: Option<usize>,
    /// Recovery codes not used yet it holds, likewise.
    pub recovery_codes: Option<usize>,
    /// Why it does not open with the vault's key (written before a
    /// password change: restoring it needs the password it had).
    pub unreadable: Option<String>,
}

impl BackupView {
    /// The page's view of a backup the core listed.
    pub fn of(backup: &tessera_core::backups::BackupFile) -> BackupView {
        let (accounts, recovery_codes, unreadable) = match &backup.holds {
            Ok(holds) => (Some(holds.accounts), Some(holds.recovery_codes), None),
            Err(why) => (None, None, Some(why.clone())),
        };
        BackupView {
            path: backup.path.display().to_string(),
            name: backup
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            written_at: backup.written_at,
            automatic: backup.automatic,
            size: backup.size,
            accounts,
            recovery_codes,
            unreadable,
        }
    }
}

/// A restore done.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// Where the vault as it was before went.
    pub saved_before: String,
}

/// Sync on this computer, as Settings shows it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    /// Whether this vault syncs here.
    pub enabled: bool,
    /// The folder the user's sync tool carries, when on.
    pub folder: Option<String>,
    /// This computer's name for the other devices, when on.
    pub name: Option<String>,
    /// The name offered when turning sync on: the host's.
    pub suggested_name: String,
    /// Unix seconds of the last sync, if any.
    #[ts(type = "number | null")]
    pub last_sync: Option<u64>,
    /// The devices whose files the last sync saw, this computer among them.
    pub devices: Vec<DeviceView>,
    /// What the last sync brought in.
    pub merged: MergeView,
    /// Files the last sync refused, one line each.
    pub refused: Vec<String>,
    /// Warnings of the last sync.
    pub warnings: Vec<String>,
    /// Why the last sync in the background failed, if it did.
    pub problem: Option<String>,
}

/// One device of the vault.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    /// Its id (its file's name).
    pub id: String,
    /// Its name for people (empty when its file has not told it yet).
    pub name: String,
    /// Unix seconds its file last changed.
    #[ts(type = "number | null")]
    pub file_changed: Option<u64>,
    /// Whether it is this computer.
    pub this_computer: bool,
}

/// What a sync brought in (the core's `MergeSummary`).
#[derive(Debug, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeView {
    /// Device files read and merged.
    pub files: usize,
    /// Conflict copies merged and removed.
    pub conflict_copies: usize,
    /// Accounts that came in.
    pub accounts_added: usize,
    /// Accounts removed elsewhere.
    pub accounts_removed: usize,
    /// Accounts changed.
    pub accounts_changed: usize,
    /// Recovery codes marked used elsewhere.
    pub codes_used: usize,
}

impl From<&tessera_core::sync::MergeSummary> for MergeView {
    fn from(m: &tessera_core::sync::MergeSummary) -> MergeView {
        MergeView {
            files: m.files,
            conflict_copies: m.conflict_copies,
            accounts_added: m.accounts_added,
            accounts_removed: m.accounts_removed,
            accounts_changed: m.accounts_changed,
            codes_used: m.codes_used,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_shape_of_an_account_has_no_secret() {
        let enrollment = tessera_otp::uri::parse(
            "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
        )
        .unwrap();
        let account = Account::new(enrollment, 5).unwrap();
        let json = serde_json::to_string(&AccountView::of(&account, &Contents::default())).unwrap();
        assert!(!json.contains("JBSWY3DPEHPK3PXP"), "{json}");
        assert!(!json.to_lowercase().contains("secret"), "{json}");
        assert!(json.contains(r#""kind":"totp""#), "{json}");
        assert!(json.contains(r#""algorithm":"SHA1""#), "{json}");
    }
}
