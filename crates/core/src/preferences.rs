//! The user's preferences, kept inside the vault (`contents.settings`) so
//! they are encrypted, travel with it, and are the same for the app and
//! the command line (the time offset set in the app moves the codes
//! `tessera code` prints too). Keys, all optional (a missing or
//! malformed value reads as its default, so another version's writes never
//! break the app):
//!
//! | key | type | default | meaning |
//! |---|---|---|---|
//! | `auto_lock_minutes` | integer 0..=1440 | 5 | lock after this long without input; 0 = never |
//! | `lock_on_system_lock` | bool | true | lock when the session locks or the machine suspends |
//! | `clipboard_clear_seconds` | integer 0 or 5..=3600 | 30 | clear a copied code after this long; 0 = never |
//! | `time_offset_seconds` | integer, at most 10 years either way | 0 | added to the system clock for codes |
//! | `sort_order` | `"issuer"`, `"name"`, `"recent"` or `"manual"` | `"issuer"` | list order after favourites |
//! | `backup_reminder_dismissed_at` | unix seconds, at most the end of year 9999 | 0 | when the user last dismissed the reminder to back up; 0 = never |
//!
//! Other keys in `contents.settings` are kept unchanged.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::CoreError;

/// Largest time offset: ten years of 365 days, enough for a clock that
/// reset to its epoch, small enough that arithmetic never overflows.
pub const MAX_TIME_OFFSET_SECONDS: i64 = 10 * 365 * 24 * 60 * 60;
/// Longest idle time before locking, in minutes (a day).
pub const MAX_AUTO_LOCK_MINUTES: u32 = 24 * 60;
/// Shortest clipboard delay other than "never": a code must survive
/// switching windows and pasting.
pub const MIN_CLIPBOARD_CLEAR_SECONDS: u32 = 5;
/// Longest clipboard delay, an hour.
pub const MAX_CLIPBOARD_CLEAR_SECONDS: u32 = 3600;
/// The latest moment a dismissal can carry: the last second of year 9999,
/// well inside what the page's numbers hold exactly.
pub const MAX_DISMISSED_AT: u64 = 253_402_300_799;

/// How the account list is ordered after favourites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// By issuer, then name (A to Z, ignoring case).
    Issuer,
    /// By account name, then issuer.
    Name,
    /// Newest first.
    Recent,
    /// The vault's own order (the order added).
    Manual,
}

/// Every setting, as the UI reads and writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preferences {
    /// Minutes without input before locking; 0 = never.
    pub auto_lock_minutes: u32,
    /// Lock when the desktop session locks or the machine suspends.
    pub lock_on_system_lock: bool,
    /// Seconds before a copied code is cleared; 0 = never.
    pub clipboard_clear_seconds: u32,
    /// Seconds added to the system clock when making codes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub time_offset_seconds: i64,
    /// List order after favourites.
    pub sort_order: SortOrder,
    /// Unix seconds when the reminder to back up was last dismissed; 0 =
    /// never. Missing from older pages' requests: then never.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub backup_reminder_dismissed_at: u64,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            auto_lock_minutes: 5,
            lock_on_system_lock: true,
            clipboard_clear_seconds: 30,
            time_offset_seconds: 0,
            sort_order: SortOrder::Issuer,
            backup_reminder_dismissed_at: 0,
        }
    }
}

const AUTO_LOCK: &str = "auto_lock_minutes";
const LOCK_ON_SYSTEM_LOCK: &str = "lock_on_system_lock";
const CLIPBOARD_CLEAR: &str = "clipboard_clear_seconds";
const TIME_OFFSET: &str = "time_offset_seconds";
const SORT_ORDER: &str = "sort_order";
const BACKUP_REMINDER_DISMISSED_AT: &str = "backup_reminder_dismissed_at";

impl Preferences {
    /// Reads the settings from the vault's settings map; anything missing or
    /// out of range takes its default.
    pub fn from_map(map: &Map<String, Value>) -> Preferences {
        let d = Preferences::default();
        let read = Preferences {
            auto_lock_minutes: map
                .get(AUTO_LOCK)
                .and_then(Value::as_u64)
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(d.auto_lock_minutes),
            lock_on_system_lock: map
                .get(LOCK_ON_SYSTEM_LOCK)
                .and_then(Value::as_bool)
                .unwrap_or(d.lock_on_system_lock),
            clipboard_clear_seconds: map
                .get(CLIPBOARD_CLEAR)
                .and_then(Value::as_u64)
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(d.clipboard_clear_seconds),
            time_offset_seconds: map
                .get(TIME_OFFSET)
                .and_then(Value::as_i64)
                .unwrap_or(d.time_offset_seconds),
            sort_order: map
                .get(SORT_ORDER)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or(d.sort_order),
            backup_reminder_dismissed_at: map
                .get(BACKUP_REMINDER_DISMISSED_AT)
                .and_then(Value::as_u64)
                .unwrap_or(d.backup_reminder_dismissed_at),
        };
        // Each field on its own: one bad value must not reset the others.
        Preferences {
            auto_lock_minutes: if read.auto_lock_ok() {
                read.auto_lock_minutes
            } else {
                d.auto_lock_minutes
            },
            clipboard_clear_seconds: if read.clipboard_ok() {
                read.clipboard_clear_seconds
            } else {
                d.clipboard_clear_seconds
            },
            time_offset_seconds: if read.offset_ok() {
                read.time_offset_seconds
            } else {
                d.time_offset_seconds
            },
            backup_reminder_dismissed_at: if read.dismissed_at_ok() {
                read.backup_reminder_dismissed_at
            } else {
                d.backup_reminder_dismissed_at
            },
            ..read
        }
    }

    fn auto_lock_ok(&self) -> bool {
        self.auto_lock_minutes <= MAX_AUTO_LOCK_MINUTES
    }

    fn clipboard_ok(&self) -> bool {
        self.clipboard_clear_seconds == 0
            || (MIN_CLIPBOARD_CLEAR_SECONDS..=MAX_CLIPBOARD_CLEAR_SECONDS)
                .contains(&self.clipboard_clear_seconds)
    }

    fn offset_ok(&self) -> bool {
        self.time_offset_seconds.unsigned_abs() <= MAX_TIME_OFFSET_SECONDS.unsigned_abs()
    }

    fn dismissed_at_ok(&self) -> bool {
        self.backup_reminder_dismissed_at <= MAX_DISMISSED_AT
    }

    /// Checks every value, naming the first one out of range.
    pub fn validate(&self) -> Result<(), CoreError> {
        if !self.auto_lock_ok() {
            return Err(CoreError::Invalid(format!(
                "auto-lock must be 0 (never) to {MAX_AUTO_LOCK_MINUTES} minutes"
            )));
        }
        if !self.clipboard_ok() {
            return Err(CoreError::Invalid(format!(
                "the clipboard delay must be 0 (never) or {MIN_CLIPBOARD_CLEAR_SECONDS} to {MAX_CLIPBOARD_CLEAR_SECONDS} seconds"
            )));
        }
        if !self.offset_ok() {
            return Err(CoreError::Invalid(format!(
                "the time offset must be within {MAX_TIME_OFFSET_SECONDS} seconds (10 years)"
            )));
        }
        if !self.dismissed_at_ok() {
            return Err(CoreError::Invalid(format!(
                "the backup reminder's dismissal must be a time up to {MAX_DISMISSED_AT} (year 9999)"
            )));
        }
        Ok(())
    }

    /// Writes every setting into the vault's settings map, keeping other keys.
    pub fn write_to(&self, map: &mut Map<String, Value>) {
        map.insert(AUTO_LOCK.into(), self.auto_lock_minutes.into());
        map.insert(LOCK_ON_SYSTEM_LOCK.into(), self.lock_on_system_lock.into());
        map.insert(CLIPBOARD_CLEAR.into(), self.clipboard_clear_seconds.into());
        map.insert(TIME_OFFSET.into(), self.time_offset_seconds.into());
        map.insert(
            SORT_ORDER.into(),
            serde_json::to_value(self.sort_order).expect("a plain enum serialises"),
        );
        map.insert(
            BACKUP_REMINDER_DISMISSED_AT.into(),
            self.backup_reminder_dismissed_at.into(),
        );
    }

    /// The moment codes are made for: the system clock in unix milliseconds
    /// plus the user's offset, never below 0.
    pub fn code_time_millis(&self, system_millis: u64) -> u64 {
        let shifted = i128::from(system_millis) + i128::from(self.time_offset_seconds) * 1000;
        u64::try_from(shifted.max(0)).unwrap_or(u64::MAX)
    }

    /// How long the vault may stay open without input.
    pub fn auto_lock_after(&self) -> Option<std::time::Duration> {
        (self.auto_lock_minutes > 0)
            .then(|| std::time::Duration::from_secs(u64::from(self.auto_lock_minutes) * 60))
    }

    /// How long a copied code stays on the clipboard.
    pub fn clipboard_clear_after(&self) -> Option<std::time::Duration> {
        (self.clipboard_clear_seconds > 0)
            .then(|| std::time::Duration::from_secs(self.clipboard_clear_seconds.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_and_malformed_values_take_their_defaults_one_by_one() {
        assert_eq!(Preferences::from_map(&Map::new()), Preferences::default());
        let map = json!({
            "auto_lock_minutes": "ten",
            "clipboard_clear_seconds": 2,
            "time_offset_seconds": -90,
            "sort_order": "recent",
            "lock_on_system_lock": false,
            "backup_reminder_dismissed_at": -5,
            "theme": "kept",
        });
        let read = Preferences::from_map(map.as_object().unwrap());
        assert_eq!(read.auto_lock_minutes, 5);
        assert_eq!(read.clipboard_clear_seconds, 30, "2 s is below the minimum");
        assert_eq!(read.time_offset_seconds, -90);
        assert_eq!(read.sort_order, SortOrder::Recent);
        assert!(!read.lock_on_system_lock);
        assert_eq!(read.backup_reminder_dismissed_at, 0, "not a time");
        let far = json!({ "backup_reminder_dismissed_at": MAX_DISMISSED_AT + 1 });
        assert_eq!(
            Preferences::from_map(far.as_object().unwrap()).backup_reminder_dismissed_at,
            0,
            "past year 9999"
        );
    }

    #[test]
    fn writing_keeps_other_keys_and_reads_back() {
        let mut map = json!({"theme": "dark"}).as_object().unwrap().clone();
        let settings = Preferences {
            auto_lock_minutes: 0,
            lock_on_system_lock: false,
            clipboard_clear_seconds: 5,
            time_offset_seconds: 3600,
            sort_order: SortOrder::Manual,
            backup_reminder_dismissed_at: 1_796_000_000,
        };
        settings.validate().unwrap();
        settings.write_to(&mut map);
        assert_eq!(map["theme"], "dark");
        assert_eq!(map["sort_order"], "manual");
        assert_eq!(map["backup_reminder_dismissed_at"], 1_796_000_000);
        assert_eq!(Preferences::from_map(&map), settings);
    }

    #[test]
    fn validation_names_the_bad_value() {
        let bad = |f: fn(&mut Preferences)| {
            let mut s = Preferences::default();
            f(&mut s);
            s.validate().unwrap_err().to_string()
        };
        assert!(bad(|s| s.auto_lock_minutes = 1441).contains("auto-lock"));
        assert!(bad(|s| s.clipboard_clear_seconds = 4).contains("clipboard"));
        assert!(bad(|s| s.clipboard_clear_seconds = 3601).contains("clipboard"));
        assert!(bad(|s| s.time_offset_seconds = i64::MIN).contains("offset"));
        assert!(bad(|s| s.backup_reminder_dismissed_at = u64::MAX).contains("reminder"));
        let ok = Preferences {
            clipboard_clear_seconds: 0,
            ..Preferences::default()
        };
        ok.validate().unwrap();
    }

    #[test]
    fn the_offset_shifts_code_time_and_stops_at_zero() {
        let s = Preferences {
            time_offset_seconds: -30,
            ..Preferences::default()
        };
        assert_eq!(s.code_time_millis(100_000), 70_000);
        assert_eq!(s.code_time_millis(10_000), 0);
        assert_eq!(Preferences::default().code_time_millis(1234), 1234);
    }

    #[test]
    fn the_ui_shape_is_camel_case_and_strict() {
        let json = serde_json::to_value(Preferences::default()).unwrap();
        assert_eq!(json["clipboardClearSeconds"], 30);
        assert_eq!(json["sortOrder"], "issuer");
        assert_eq!(json["backupReminderDismissedAt"], 0);
        // A page that does not know the field yet still saves the others.
        let mut older = json.as_object().unwrap().clone();
        older.remove("backupReminderDismissedAt");
        assert!(serde_json::from_value::<Preferences>(Value::Object(older)).is_ok());
        let mut extra = json.as_object().unwrap().clone();
        extra.insert("evil".into(), 1.into());
        assert!(serde_json::from_value::<Preferences>(Value::Object(extra)).is_err());
    }
}
