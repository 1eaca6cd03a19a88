//! Merging two copies of a vault changed on different machines: per
//! entity and per field, deterministic, losing nothing.
//!
//! The laws (checked on random histories by tests/sync_laws.rs): merging is
//! commutative (`merge(a, b) == merge(b, a)`), associative, and idempotent
//! (`merge(a, a) == a`), so machines that exchange their copies in any
//! order end with the same vault. The rules (docs/sync.md):
//!
//! - each field takes the value with the later stamp;
//! - an account or a set of recovery codes removed on any machine (a
//!   tombstone) stays removed, even if another machine changed it
//!   meanwhile: ids are never reused, and a removal that an older copy
//!   could undo would bring back what the user deleted (a per-field
//!   resurrection cannot be both associative and forget the removed data);
//! - settings merge per key, each one field: its value and its removal
//!   compare by stamp;
//! - an HOTP counter takes the larger value (a code is never issued twice);
//! - recovery codes are the union of both copies: a code used on either
//!   stays used, at the earlier date, unless a later undo on one copy
//!   says the mark was a mistake; a code removed by hand stays removed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;
use tessera_vault::{Account, Contents, RecoveryEntry};

use super::state::{
    account_field_eq, account_field_text, account_key, recovery_field_eq, recovery_field_text,
    recovery_key, setting_key, Stamp, SyncState, ACCOUNT_FIELDS, RECOVERY_FIELDS,
};

/// The merge of two copies of the vault (see the module's rules).
pub fn merge(a: &Contents, b: &Contents) -> Contents {
    merge_all(a, [b])
}

/// The merge of `base` with each of `copies` in turn: the same as merging
/// them two by two (tests/sync_laws.rs checks it), done as `sync now`
/// needs it on a large vault: each copy's record read once, the result's
/// written once, and the accounts merged in one pass over all copies
/// (each account is merged on its own, so folding one account through
/// the copies is folding the vaults).
pub fn merge_all<'c>(base: &Contents, copies: impl IntoIterator<Item = &'c Contents>) -> Contents {
    merge_all_from(base, copies, PARALLEL_FROM)
}

/// [`merge_all`], using a second thread for the accounts from
/// `parallel_from` accounts on.
fn merge_all_from<'c>(
    base: &Contents,
    copies: impl IntoIterator<Item = &'c Contents>,
    parallel_from: usize,
) -> Contents {
    let copies: Vec<(&Contents, SyncState)> = copies
        .into_iter()
        .map(|copy| (copy, SyncState::of(copy)))
        .collect();
    let base_state = SyncState::of(base);
    let mut merged = without_record(base);
    let base_accounts = std::mem::take(&mut merged.accounts);
    let mut state = base_state.clone();
    for (copy, theirs) in &copies {
        let (contents, next) = merge_pair(merged, &state, copy, theirs);
        merged = contents;
        state = next;
    }
    merged.accounts = merge_accounts(
        base_accounts,
        &base_state,
        &copies,
        &mut state,
        parallel_from,
    );
    state.store(&mut merged);
    merged
}

/// `contents` without its sync record, which the merge rebuilds.
fn without_record(contents: &Contents) -> Contents {
    Contents {
        accounts: contents.accounts.clone(),
        recovery: contents.recovery.clone(),
        settings: contents.settings.clone(),
        modified_at: contents.modified_at,
        generation: contents.generation,
        extra: contents
            .extra
            .iter()
            .filter(|(name, _)| name.as_str() != super::state::SYNC_KEY)
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    }
}

/// One merge of two copies with their records read, but for the accounts
/// (see [`merge_accounts`]): the merged contents come back without a
/// record or accounts, and the merged record (without account stamps)
/// beside them.
fn merge_pair(a: Contents, sa: &SyncState, b: &Contents, sb: &SyncState) -> (Contents, SyncState) {
    let mut state = SyncState {
        clock: sa.clock.clone().max(sb.clock.clone()),
        ..SyncState::default()
    };
    for (key, stamp) in sa.tombstones.iter().chain(&sb.tombstones) {
        let kept = state.tombstones.entry(key.clone()).or_default();
        if stamp > kept {
            *kept = stamp.clone();
        }
    }
    for (key, forms) in sa.removed_codes.iter().chain(&sb.removed_codes) {
        state
            .removed_codes
            .entry(key.clone())
            .or_default()
            .extend(forms.iter().cloned());
    }
    for (id, record) in sa.devices.iter().chain(&sb.devices) {
        match state.devices.get(id) {
            Some(kept) if (&kept.seen, &kept.name) >= (&record.seen, &record.name) => {}
            _ => {
                state.devices.insert(id.clone(), record.clone());
            }
        }
    }

    let recovery = merge_recovery(&a, b, sa, sb, &mut state);
    let settings = merge_settings(&a, b, sa, sb, &mut state);
    let extra = merge_extra(&a.extra, &b.extra);
    let (modified_at, generation) = (
        a.modified_at.max(b.modified_at),
        a.generation.max(b.generation),
    );
    let mut merged = Contents {
        recovery,
        modified_at,
        generation,
        ..Contents::default()
    };
    merged.settings.extra = settings;
    merged.extra = extra;
    (merged, state)
}

/// Whether x's value of a field wins: the later stamp; on a tie (two
/// copies that never recorded one), equal values need no choice, and
/// different ones compare as JSON text, so either order gives the same
/// answer.
fn x_wins(
    stamp_x: &Stamp,
    stamp_y: &Stamp,
    equal: impl FnOnce() -> bool,
    x_text_not_less: impl FnOnce() -> bool,
) -> bool {
    match stamp_x.cmp(stamp_y) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => equal() || x_text_not_less(),
    }
}

/// Which of two values of a field wins: the later stamp, or on a tie (two
/// copies that never recorded one) the larger value, so either order
/// gives the same answer.
fn later<'v>((va, sa): (&'v Value, &Stamp), (vb, sb): (&'v Value, &Stamp)) -> (bool, &'v Value) {
    match sa.cmp(sb) {
        std::cmp::Ordering::Greater => (true, va),
        std::cmp::Ordering::Less => (false, vb),
        std::cmp::Ordering::Equal => {
            if as_text(va) >= as_text(vb) {
                (true, va)
            } else {
                (false, vb)
            }
        }
    }
}

/// A value's JSON text: the total order that breaks ties between values
/// (JSON values have none of their own).
fn as_text(value: &Value) -> String {
    value.to_string()
}

/// Whether a setting stamped `stamp` survives its removal `tombstone`.
fn newer_than_removal(stamp: &Stamp, tombstone: Option<&Stamp>) -> bool {
    tombstone.is_none_or(|t| stamp > t)
}

/// The copy whose extras (fields a newer version wrote) are kept: the one
/// changed last, or on a tie the larger, so the order does not matter.
fn pick<'e>(
    (x, newest_x): (&'e serde_json::Map<String, Value>, Stamp),
    (y, newest_y): (&'e serde_json::Map<String, Value>, Stamp),
) -> &'e serde_json::Map<String, Value> {
    match newest_x.cmp(&newest_y) {
        std::cmp::Ordering::Greater => x,
        std::cmp::Ordering::Less => y,
        std::cmp::Ordering::Equal => {
            if serde_json::to_string(x).ok() >= serde_json::to_string(y).ok() {
                x
            } else {
                y
            }
        }
    }
}

/// The accounts of `base` and `copies` merged, their stamps put in `state`
/// (whose tombstones are already those of every copy). Each account is
/// folded through the copies in order, as merging the vaults in turn
/// would: the version so far with the copy's, by [`merge_account`]. A
/// repeated id in one copy counts once, its last (as a map built from the
/// list would keep).
fn merge_accounts(
    base: Vec<Account>,
    base_state: &SyncState,
    copies: &[(&Contents, SyncState)],
    state: &mut SyncState,
    parallel_from: usize,
) -> Vec<Account> {
    let in_copies: Vec<HashMap<&str, &Account>> = copies
        .iter()
        .map(|(copy, _)| copy.accounts.iter().map(|y| (y.id.as_str(), y)).collect())
        .collect();
    let base = last_of_each_id(base);
    // Accounts the base does not have, each from the first copy that has
    // it.
    let firsts: Vec<(usize, &Account)> = {
        let in_base: HashSet<&str> = base.iter().map(|x| x.id.as_str()).collect();
        in_copies
            .iter()
            .enumerate()
            .flat_map(|(i, map)| map.iter().map(move |(id, y)| (i, *id, *y)))
            .filter(|(i, id, _)| {
                !in_base.contains(id) && in_copies[..*i].iter().all(|map| !map.contains_key(id))
            })
            .map(|(i, _, y)| (i, y))
            .collect()
    };
    let tombstones = &state.tombstones;
    let fold_base = |x: Account| {
        let stamps = base_state.stamps.get(&account_key(&x));
        fold_account(x, stamps, 0, copies, &in_copies, tombstones)
    };
    // Accounts merge one by one, so a large vault is split between two
    // threads: the fold is most of the time a sync takes.
    let folded: Vec<Folded> = if base.len() >= parallel_from
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
    {
        let mut first_half = base;
        let second_half = first_half.split_off(first_half.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| second_half.into_iter().map(fold_base).collect::<Vec<_>>());
            let mut folded: Vec<Folded> = first_half.into_iter().map(fold_base).collect();
            folded.extend(
                other
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
            folded
        })
    } else {
        base.into_iter().map(fold_base).collect()
    };
    let from_copies: Vec<Folded> = firsts
        .into_iter()
        .map(|(i, y)| {
            let stamps = copies[i].1.stamps.get(&account_key(y));
            fold_account(y.clone(), stamps, i + 1, copies, &in_copies, tombstones)
        })
        .collect();
    let mut merged = Vec::with_capacity(folded.len() + from_copies.len());
    for (account, key, stamps) in folded.into_iter().chain(from_copies).flatten() {
        if let Some(stamps) = stamps.filter(|s| !s.is_empty()) {
            state.stamps.insert(key, stamps);
        }
        merged.push(account);
    }
    // Ids are unique here, so the order is total and an unstable sort
    // (fewer moves of these large values) gives one answer.
    merged.sort_unstable_by(|x, y| x.created_at.cmp(&y.created_at).then(x.id.cmp(&y.id)));
    merged
}

/// From how many accounts the merge uses a second thread (below, starting
/// it costs more than it saves).
const PARALLEL_FROM: usize = 2_000;

/// `accounts` with a repeated id kept once, its last.
fn last_of_each_id(accounts: Vec<Account>) -> Vec<Account> {
    let keep: Vec<bool> = {
        let last: HashMap<&str, usize> = accounts
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id.as_str(), i))
            .collect();
        accounts
            .iter()
            .enumerate()
            .map(|(i, x)| last[x.id.as_str()] == i)
            .collect()
    };
    accounts
        .into_iter()
        .zip(keep)
        .filter_map(|(x, keep)| keep.then_some(x))
        .collect()
}

/// The stamps of one entity: field → stamp.
type Fields = BTreeMap<String, Stamp>;

/// One account folded through the copies: it, its entity key and its
/// stamps; none when a copy removed it.
type Folded = Option<(Account, String, Option<Fields>)>;

/// Folds one account, `first` as found in copy `from - 1` (or the base,
/// `from` 0), through the copies from `from` on: each copy that has it
/// merges its version in. None when a copy removed it (`tombstones`).
fn fold_account(
    first: Account,
    first_stamps: Option<&Fields>,
    from: usize,
    copies: &[(&Contents, SyncState)],
    in_copies: &[HashMap<&str, &Account>],
    tombstones: &BTreeMap<String, Stamp>,
) -> Folded {
    let key = account_key(&first);
    if tombstones.contains_key(&key) {
        return None;
    }
    let mut account = first;
    let mut stamps = first_stamps.cloned();
    for (later, (_, theirs)) in in_copies.iter().zip(copies).skip(from) {
        if let Some(y) = later.get(account.id.as_str()) {
            let (next, next_stamps) =
                merge_account(account, stamps.as_ref(), y, theirs.stamps.get(&key));
            account = next;
            stamps = next_stamps;
        }
    }
    Some((account, key, stamps))
}

/// The stamp of `field` in an entity's stamps (the oldest when none).
fn field_stamp(fields: Option<&Fields>, field: &str) -> Stamp {
    fields
        .and_then(|f| f.get(field))
        .cloned()
        .unwrap_or_default()
}

/// The newest stamp of any field in an entity's stamps.
fn newest(fields: Option<&Fields>) -> Stamp {
    fields
        .and_then(|f| f.values().max())
        .cloned()
        .unwrap_or_default()
}

/// Two versions of one account with their stamps (`fx` and `fy`), merged
/// field by field; the merged stamps come back beside it (none when
/// neither version had any).
fn merge_account(
    x: Account,
    fx: Option<&Fields>,
    y: &Account,
    fy: Option<&Fields>,
) -> (Account, Option<Fields>) {
    let mut stamps = BTreeMap::new();
    // Most accounts are the same in both copies: each field keeps its
    // later stamp, and nothing else needs choosing.
    if x == *y {
        if fx.is_none() && fy.is_none() {
            // Never changed with sync on: nothing to record.
            return (x, None);
        }
        for field in ACCOUNT_FIELDS {
            keep_stamp(
                &mut stamps,
                field,
                field_stamp(fx, field).max(field_stamp(fy, field)),
            );
        }
        return (x, Some(stamps));
    }
    let x = &x;
    let mut result = x.clone();
    result.extra = pick((&x.extra, newest(fx)), (&y.extra, newest(fy))).clone();
    for field in ACCOUNT_FIELDS {
        let (stamp_x, stamp_y) = (field_stamp(fx, field), field_stamp(fy, field));
        let from_x = x_wins(
            &stamp_x,
            &stamp_y,
            || account_field_eq(x, y, field),
            || *account_field_text(x, field) >= *account_field_text(y, field),
        );
        let (source, stamp) = if from_x { (x, stamp_x) } else { (y, stamp_y) };
        match field {
            "issuer" => result
                .enrollment
                .issuer
                .clone_from(&source.enrollment.issuer),
            "name" => result.enrollment.name.clone_from(&source.enrollment.name),
            "otp" => {
                result.enrollment.secret = source.enrollment.secret.clone();
                let counter = result.enrollment.params.counter;
                result.enrollment.params = source.enrollment.params.clone();
                result.enrollment.params.counter = counter;
            }
            "notes" => result.notes.clone_from(&source.notes),
            "favourite" => result.favourite = source.favourite,
            "tags" => result.tags.clone_from(&source.tags),
            _ => {}
        }
        keep_stamp(&mut stamps, field, stamp);
    }
    // A counter value used on either machine is spent: the larger wins.
    result.enrollment.params.counter = x.enrollment.params.counter.max(y.enrollment.params.counter);
    result.created_at = x.created_at.min(y.created_at);
    result.updated_at = x.updated_at.max(y.updated_at);
    (result, Some(stamps))
}

/// Records `stamp` for `field`, unless it is the "never stamped" one: a
/// field changed before sync was turned on has none, and writing one for
/// it in every merge would fill the record with a stamp per field of
/// every account.
fn keep_stamp(stamps: &mut BTreeMap<String, Stamp>, field: &str, stamp: Stamp) {
    if stamp != Stamp::default() {
        stamps.insert(field.to_owned(), stamp);
    }
}

/// Records an entity's merged stamps, if it has any.
fn keep_stamps(state: &mut SyncState, key: &str, stamps: BTreeMap<String, Stamp>) {
    if !stamps.is_empty() {
        state.stamps.insert(key.to_owned(), stamps);
    }
}

fn merge_recovery(
    a: &Contents,
    b: &Contents,
    sa: &SyncState,
    sb: &SyncState,
    state: &mut SyncState,
) -> Vec<RecoveryEntry> {
    let in_a: BTreeMap<String, &RecoveryEntry> =
        a.recovery.iter().map(|x| (recovery_key(x), x)).collect();
    let in_b: BTreeMap<String, &RecoveryEntry> =
        b.recovery.iter().map(|x| (recovery_key(x), x)).collect();
    let keys: BTreeSet<&String> = in_a.keys().chain(in_b.keys()).collect();
    let mut merged = Vec::with_capacity(keys.len());
    for key in keys {
        if state.tombstones.contains_key(key.as_str()) {
            state.removed_codes.remove(key.as_str());
            continue;
        }
        let removed: std::collections::HashSet<String> = state
            .removed_codes
            .get(key.as_str())
            .map(|forms| forms.iter().cloned().collect())
            .unwrap_or_default();
        let entry = match (in_a.get(key), in_b.get(key)) {
            (Some(x), None) => one_set(x, key, sa, &removed, state),
            (None, Some(y)) => one_set(y, key, sb, &removed, state),
            (Some(x), Some(y)) => merge_set(x, y, key, sa, sb, &removed, state),
            (None, None) => continue,
        };
        merged.push(entry);
    }
    merged.sort_by(|x, y| x.created_at.cmp(&y.created_at).then(x.id.cmp(&y.id)));
    merged
}

fn one_set(
    entry: &RecoveryEntry,
    key: &str,
    from: &SyncState,
    removed: &std::collections::HashSet<String>,
    state: &mut SyncState,
) -> RecoveryEntry {
    if let Some(fields) = from.stamps.get(key) {
        state.stamps.insert(key.to_owned(), fields.clone());
    }
    let mut entry = entry.clone();
    entry.codes = entry.codes.union(&entry.codes, removed);
    entry
}

fn merge_set(
    x: &RecoveryEntry,
    y: &RecoveryEntry,
    key: &str,
    sa: &SyncState,
    sb: &SyncState,
    removed: &std::collections::HashSet<String>,
    state: &mut SyncState,
) -> RecoveryEntry {
    let mut result = x.clone();
    result.codes = x.codes.union(&y.codes, removed);
    let mut stamps = BTreeMap::new();
    for field in RECOVERY_FIELDS {
        let (stamp_x, stamp_y) = (sa.stamp(key, field), sb.stamp(key, field));
        let from_x = x_wins(
            &stamp_x,
            &stamp_y,
            || recovery_field_eq(x, y, field),
            || *recovery_field_text(x, field) >= *recovery_field_text(y, field),
        );
        let (source, stamp) = if from_x { (x, stamp_x) } else { (y, stamp_y) };
        match field {
            "owner" => result.owner = source.owner.clone(),
            "rotating" => result.codes.rotating = source.codes.rotating,
            "note" => result.codes.note.clone_from(&source.codes.note),
            _ => {}
        }
        keep_stamp(&mut stamps, field, stamp);
    }
    let codes_stamp = sa.stamp(key, "codes").max(sb.stamp(key, "codes"));
    keep_stamp(&mut stamps, "codes", codes_stamp);
    result.created_at = x.created_at.min(y.created_at);
    result.updated_at = x.updated_at.max(y.updated_at);
    result.extra = pick((&x.extra, sa.newest(key)), (&y.extra, sb.newest(key))).clone();
    keep_stamps(state, key, stamps);
    result
}

fn merge_settings(
    a: &Contents,
    b: &Contents,
    sa: &SyncState,
    sb: &SyncState,
    state: &mut SyncState,
) -> serde_json::Map<String, Value> {
    let names: BTreeSet<&String> = a
        .settings
        .extra
        .keys()
        .chain(b.settings.extra.keys())
        .collect();
    let mut merged = serde_json::Map::new();
    for name in names {
        let key = setting_key(name);
        let value = match (a.settings.extra.get(name), b.settings.extra.get(name)) {
            (Some(x), None) => (x, sa.stamp(&key, "value")),
            (None, Some(y)) => (y, sb.stamp(&key, "value")),
            (Some(x), Some(y)) => {
                let (stamp_x, stamp_y) = (sa.stamp(&key, "value"), sb.stamp(&key, "value"));
                let (from_x, value) = later((x, &stamp_x), (y, &stamp_y));
                (value, if from_x { stamp_x } else { stamp_y })
            }
            (None, None) => continue,
        };
        if newer_than_removal(&value.1, state.tombstones.get(&key)) {
            merged.insert(name.clone(), value.0.clone());
            if value.1 != Stamp::default() {
                state.set_stamp(&key, "value", &value.1);
            }
        }
    }
    merged
}

/// Top-level fields a newer version wrote: kept from either copy, the
/// larger value on a clash (the sync record is rebuilt, not merged here).
fn merge_extra(
    a: &serde_json::Map<String, Value>,
    b: &serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    let mut merged = serde_json::Map::new();
    for (name, value) in a.iter().chain(b.iter()) {
        if name == super::state::SYNC_KEY {
            continue;
        }
        match merged.get(name) {
            Some(kept) if as_text(kept) >= as_text(value) => {}
            _ => {
                merged.insert(name.clone(), value.clone());
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::state::stamp_changes;

    fn account(i: usize) -> Account {
        let text = format!(
            "otpauth://totp/Issuer{}:user{i}@example.com?secret=JBSWY3DPEHPK3PXP",
            i % 13
        );
        Account::new(tessera_otp::uri::parse(&text).unwrap(), 1_000).unwrap()
    }

    /// A copy of `base` changed on `device`: some accounts edited, some
    /// removed, some added.
    fn changed(base: &Contents, device: &str, offset: usize, now_ms: u64) -> Contents {
        let mut copy = base.clone();
        for account in copy.accounts.iter_mut().skip(offset).step_by(7) {
            account.notes = format!("edited on {device}");
            account.enrollment.params.counter += 1;
        }
        copy.accounts
            .retain(|a| !a.id.as_str().ends_with(&format!("{offset:x}")));
        copy.accounts
            .extend((0..50).map(|i| account(100_000 + offset * 100 + i)));
        stamp_changes(base, &mut copy, device, now_ms);
        copy
    }

    /// The accounts of a large vault are split between two threads: the
    /// result must be the one a single thread gives.
    #[test]
    fn a_large_merge_on_two_threads_is_the_merge_on_one() {
        let base = Contents {
            accounts: (0..PARALLEL_FROM + 500).map(account).collect(),
            ..Contents::default()
        };
        let copies = [
            changed(&base, "aa", 1, 2_000_000),
            changed(&base, "bb", 2, 3_000_000),
            changed(&base, "cc", 3, 2_500_000),
        ];
        let two = merge_all_from(&base, &copies, PARALLEL_FROM);
        let one = merge_all_from(&base, &copies, usize::MAX);
        assert_eq!(two, one);
        // Every copy's additions are there, and its removals are not.
        let removed = base
            .accounts
            .iter()
            .filter(|a| a.id.as_str().ends_with(['1', '2', '3']))
            .count();
        assert_eq!(two.accounts.len(), base.accounts.len() - removed + 3 * 50);
        for copy in &copies {
            for added in &copy.accounts[copy.accounts.len() - 50..] {
                assert!(two.accounts.iter().any(|a| a.id == added.id));
            }
        }
        let removed_on_aa = base
            .accounts
            .iter()
            .filter(|a| a.id.as_str().ends_with('1'));
        for gone in removed_on_aa {
            assert!(two.accounts.iter().all(|a| a.id != gone.id));
        }
    }
}
