//! What the vault records so that copies changed on several machines merge
//! without losing anything: a version (a hybrid logical clock plus the
//! device's id) for every field of every account, set of recovery codes
//! and setting; tombstones for what was removed; recovery codes removed by
//! hand. It lives inside the encrypted contents (`"sync"`, see
//! docs/sync.md), so it travels with every copy.
//!
//! Stamps are given by [`stamp_changes`], which compares the contents
//! before and after a change: no operation needs to know about sync.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tessera_otp::RecoveryCodes;
use tessera_vault::{Account, Contents, RecoveryEntry};
use zeroize::Zeroizing;

/// The key of the sync record inside the contents.
pub const SYNC_KEY: &str = "sync";

/// A version: when (hybrid logical clock: wall-clock milliseconds, then a
/// counter for changes within one) and where. Later stamps win; the device
/// id breaks ties between machines.
///
/// Written as `[ms, n, "device"]`: a vault holds one per field of every
/// account, and an array is a third of the size and allocations of an
/// object.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "StampArray", into = "StampArray")]
pub struct Stamp {
    /// Milliseconds since 1970, never going back on one device.
    pub ms: u64,
    /// Changes within the same millisecond.
    pub n: u32,
    /// The device that made the change.
    pub device: String,
}

impl Stamp {
    /// The next stamp on `device` after `clock`, at wall-clock `now_ms`: a
    /// clock that went back (or a merge that saw a later one) never makes
    /// a stamp older than one already seen.
    pub fn next(clock: &Stamp, now_ms: u64, device: &str) -> Stamp {
        if now_ms > clock.ms {
            Stamp {
                ms: now_ms,
                n: 0,
                device: device.to_owned(),
            }
        } else {
            Stamp {
                ms: clock.ms,
                n: clock.n.saturating_add(1),
                device: device.to_owned(),
            }
        }
    }
}

/// A [`Stamp`] as written.
#[derive(Clone, Serialize, Deserialize)]
struct StampArray(u64, u32, String);

impl From<StampArray> for Stamp {
    fn from(StampArray(ms, n, device): StampArray) -> Stamp {
        Stamp { ms, n, device }
    }
}

impl From<Stamp> for StampArray {
    fn from(stamp: Stamp) -> StampArray {
        StampArray(stamp.ms, stamp.n, stamp.device)
    }
}

/// A device that takes part in sync, as the others learn of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// Its name for people.
    pub name: String,
    /// When it last changed or synced the vault.
    pub seen: Stamp,
}

/// The sync record of one copy of the vault.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The highest stamp made or seen in this copy.
    #[serde(default)]
    pub clock: Stamp,
    /// Entity (`a:ID`, `r:ID`, `s:NAME`) → field → the stamp of its value.
    #[serde(default)]
    pub stamps: BTreeMap<String, BTreeMap<String, Stamp>>,
    /// Entities removed, with when.
    #[serde(default)]
    pub tombstones: BTreeMap<String, Stamp>,
    /// Recovery codes removed by hand from a set (by comparable form), so
    /// another device's copy does not bring them back.
    #[serde(default)]
    pub removed_codes: BTreeMap<String, BTreeSet<String>>,
    /// The devices that sync this vault.
    #[serde(default)]
    pub devices: BTreeMap<String, DeviceRecord>,
}

impl SyncState {
    /// The record kept in `contents` (an empty one if there is none, or one
    /// that does not read).
    pub fn of(contents: &Contents) -> SyncState {
        read_record(contents)
    }

    /// The record's clock alone (an incoming file's, checked for going
    /// back), without reading its stamps.
    pub fn clock_of(contents: &Contents) -> Stamp {
        read_record::<ClockOnly>(contents).clock
    }

    /// The record's devices alone, without reading its stamps.
    pub fn devices_of(contents: &Contents) -> BTreeMap<String, DeviceRecord> {
        read_record::<DevicesOnly>(contents).devices
    }

    /// Stores the record in `contents`.
    pub fn store(&self, contents: &mut Contents) {
        let value = serde_json::to_value(self).expect("plain data serialises");
        contents.extra.insert(SYNC_KEY.to_owned(), value);
    }

    /// The stamp of `field` of `entity` (the oldest possible when none).
    pub fn stamp(&self, entity: &str, field: &str) -> Stamp {
        self.stamps
            .get(entity)
            .and_then(|fields| fields.get(field))
            .cloned()
            .unwrap_or_default()
    }

    /// Records that `field` of `entity` took a value at `stamp`.
    pub fn set_stamp(&mut self, entity: &str, field: &str, stamp: &Stamp) {
        self.stamps
            .entry(entity.to_owned())
            .or_default()
            .insert(field.to_owned(), stamp.clone());
    }

    /// The newest stamp of any field of `entity`.
    pub fn newest(&self, entity: &str) -> Stamp {
        self.stamps
            .get(entity)
            .and_then(|fields| fields.values().max())
            .cloned()
            .unwrap_or_default()
    }
}

/// Part of the record, read from the contents as it is (no copy of the
/// JSON): a default when there is none, or it does not read.
fn read_record<'c, T: Deserialize<'c> + Default>(contents: &'c Contents) -> T {
    contents
        .extra
        .get(SYNC_KEY)
        .and_then(|value| T::deserialize(value).ok())
        .unwrap_or_default()
}

#[derive(Default, Deserialize)]
struct ClockOnly {
    #[serde(default)]
    clock: Stamp,
}

#[derive(Default, Deserialize)]
struct DevicesOnly {
    #[serde(default)]
    devices: BTreeMap<String, DeviceRecord>,
}

/// Entity key of an account.
pub fn account_key(account: &Account) -> String {
    // Built by hand: a merge makes one per account per copy, and the
    // formatting machinery costs more than the copy.
    let id = account.id.as_str();
    let mut key = String::with_capacity(2 + id.len());
    key.push_str("a:");
    key.push_str(id);
    key
}

/// Entity key of a set of recovery codes.
pub fn recovery_key(entry: &RecoveryEntry) -> String {
    format!("r:{}", entry.id)
}

/// Entity key of a setting.
pub fn setting_key(name: &str) -> String {
    format!("s:{name}")
}

/// The fields of an account that merge one by one (the HOTP counter is not
/// one of them: it merges by taking the larger).
pub const ACCOUNT_FIELDS: [&str; 6] = ["issuer", "name", "otp", "notes", "favourite", "tags"];

/// The fields of a set of recovery codes that merge one by one (the codes
/// themselves merge as a union).
pub const RECOVERY_FIELDS: [&str; 3] = ["owner", "rotating", "note"];

/// The OTP parameters without the counter (merged apart).
fn params_sans_counter(account: &Account) -> tessera_otp::OtpParams {
    let mut params = account.enrollment.params.clone();
    params.counter = 0;
    params
}

/// Whether two accounts hold the same value in `field` (one of
/// [`ACCOUNT_FIELDS`]). Compared as typed values: a merge of 10,000
/// accounts compares 60,000 fields, and the secret stays out of any copy.
pub fn account_field_eq(x: &Account, y: &Account, field: &str) -> bool {
    match field {
        "issuer" => x.enrollment.issuer == y.enrollment.issuer,
        "name" => x.enrollment.name == y.enrollment.name,
        "otp" => {
            x.enrollment.secret == y.enrollment.secret
                && params_sans_counter(x) == params_sans_counter(y)
        }
        "notes" => x.notes == y.notes,
        "favourite" => x.favourite == y.favourite,
        "tags" => x.tags == y.tags,
        _ => true,
    }
}

/// `field` of an account as JSON text: the total order that breaks a tie
/// between two different values with the same stamp (copies that never
/// recorded one). Zeroized when dropped: the `otp` field holds the secret.
pub fn account_field_text(account: &Account, field: &str) -> Zeroizing<String> {
    let text = match field {
        "issuer" => serde_json::to_string(&account.enrollment.issuer),
        "name" => serde_json::to_string(&account.enrollment.name),
        "otp" => serde_json::to_string(&(&account.enrollment.secret, params_sans_counter(account))),
        "notes" => serde_json::to_string(&account.notes),
        "favourite" => serde_json::to_string(&account.favourite),
        "tags" => serde_json::to_string(&account.tags),
        _ => Ok(String::new()),
    };
    Zeroizing::new(text.expect("plain data serialises"))
}

/// Whether two sets of recovery codes hold the same value in `field` (one
/// of [`RECOVERY_FIELDS`]).
pub fn recovery_field_eq(x: &RecoveryEntry, y: &RecoveryEntry, field: &str) -> bool {
    match field {
        "owner" => x.owner == y.owner,
        "rotating" => x.codes.rotating == y.codes.rotating,
        "note" => x.codes.note == y.codes.note,
        _ => true,
    }
}

/// `field` of a set of recovery codes as JSON text, to break ties as
/// [`account_field_text`] does.
pub fn recovery_field_text(entry: &RecoveryEntry, field: &str) -> Zeroizing<String> {
    let text = match field {
        "owner" => serde_json::to_string(&entry.owner),
        "rotating" => serde_json::to_string(&entry.codes.rotating),
        "note" => serde_json::to_string(&entry.codes.note),
        _ => Ok(String::new()),
    };
    Zeroizing::new(text.expect("plain data serialises"))
}

/// Stamps what changed between `before` and `after` (a change made on
/// `device` at `now_ms`), records removals as tombstones and codes removed
/// by hand, and stores the record in `after`.
pub fn stamp_changes(before: &Contents, after: &mut Contents, device: &str, now_ms: u64) {
    // From `after`: the change may itself have edited the record (enabling
    // sync names this device).
    let mut state = SyncState::of(after);
    let stamp = Stamp::next(&state.clock, now_ms, device);
    let mut touched = false;

    let old_accounts: BTreeMap<String, &Account> = before
        .accounts
        .iter()
        .map(|a| (account_key(a), a))
        .collect();
    let new_accounts: BTreeMap<String, &Account> =
        after.accounts.iter().map(|a| (account_key(a), a)).collect();
    for (key, account) in &new_accounts {
        let old = old_accounts.get(key);
        if old.is_some_and(|old| old == account) {
            continue;
        }
        for field in ACCOUNT_FIELDS {
            if old.is_none_or(|old| !account_field_eq(old, account, field)) {
                state.set_stamp(key, field, &stamp);
                touched = true;
            }
        }
    }
    for key in old_accounts
        .keys()
        .filter(|k| !new_accounts.contains_key(*k))
    {
        state.stamps.remove(key);
        state.tombstones.insert(key.clone(), stamp.clone());
        touched = true;
    }

    let old_sets: BTreeMap<String, &RecoveryEntry> = before
        .recovery
        .iter()
        .map(|e| (recovery_key(e), e))
        .collect();
    let new_sets: BTreeMap<String, &RecoveryEntry> = after
        .recovery
        .iter()
        .map(|e| (recovery_key(e), e))
        .collect();
    for (key, entry) in &new_sets {
        let old = old_sets.get(key);
        if old.is_some_and(|old| old == entry) {
            continue;
        }
        for field in RECOVERY_FIELDS {
            if old.is_none_or(|old| !recovery_field_eq(old, entry, field)) {
                state.set_stamp(key, field, &stamp);
                touched = true;
            }
        }
        if let Some(old) = old {
            let kept: BTreeSet<String> = forms(&entry.codes);
            let gone: Vec<String> = forms(&old.codes)
                .into_iter()
                .filter(|form| !kept.contains(form))
                .collect();
            if !gone.is_empty() {
                state
                    .removed_codes
                    .entry(key.clone())
                    .or_default()
                    .extend(gone);
                touched = true;
            }
        }
        if old.is_none_or(|old| old.codes != entry.codes) {
            // Codes merge as a union, with no stamp; the set is touched.
            state.set_stamp(key, "codes", &stamp);
            touched = true;
        }
    }
    for key in old_sets.keys().filter(|k| !new_sets.contains_key(*k)) {
        state.stamps.remove(key);
        state.tombstones.insert(key.clone(), stamp.clone());
        touched = true;
    }

    let names: BTreeSet<&String> = before
        .settings
        .extra
        .keys()
        .chain(after.settings.extra.keys())
        .collect();
    for name in names {
        let key = setting_key(name);
        match (
            before.settings.extra.get(name),
            after.settings.extra.get(name),
        ) {
            (old, Some(new)) if old != Some(new) => {
                state.tombstones.remove(&key);
                state
                    .stamps
                    .entry(key)
                    .or_default()
                    .insert("value".to_owned(), stamp.clone());
                touched = true;
            }
            (Some(_), None) => {
                state.stamps.remove(&key);
                state.tombstones.insert(key, stamp.clone());
                touched = true;
            }
            _ => {}
        }
    }

    if touched {
        state.clock = state.clock.max(stamp.clone());
        if let Some(device_record) = state.devices.get_mut(device) {
            device_record.seen = stamp;
        }
    }
    state.store(after);
}

/// The comparable forms of a set's codes.
pub fn forms(codes: &RecoveryCodes) -> BTreeSet<String> {
    codes
        .codes()
        .iter()
        .map(|c| RecoveryCodes::comparable_form(c.code()).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: stamping started from the record before the change, so
    /// the device name that enabling sync had just written was dropped and
    /// `sync status` showed every device as "?".
    #[test]
    fn regression_stamping_keeps_what_the_change_wrote_in_the_record() {
        let before = Contents::default();
        let mut after = before.clone();
        let mut state = SyncState::of(&after);
        state.devices.insert(
            "d1".to_owned(),
            DeviceRecord {
                name: "desk".to_owned(),
                seen: state.clock.clone(),
            },
        );
        state.store(&mut after);
        stamp_changes(&before, &mut after, "d1", 1_000);
        assert_eq!(SyncState::of(&after).devices["d1"].name, "desk");
    }
}
