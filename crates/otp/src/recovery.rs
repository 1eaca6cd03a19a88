//! Recovery codes: the one-time codes services hand out for the day the
//! second factor is lost. Each is good once; some services give a list
//! (GitHub 16, Google 10), others a single code that they replace each time
//! it is used. People lose access when they lose track of which are spent,
//! so this module keeps every code with its state and says when to worry.
//!
//! Codes are secrets: they live in [`Zeroizing`] strings and never appear in
//! `Debug` output or error messages (errors name codes by position).

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// How many unused codes may remain before a warning, unless the user's
/// settings say otherwise.
pub const DEFAULT_FEW_LEFT_THRESHOLD: usize = 2;

/// One recovery code, kept exactly as the service issued it.
#[derive(Clone, Serialize, Deserialize)]
pub struct RecoveryCode {
    code: Zeroizing<String>,
    /// When it was stored, in Unix seconds.
    pub added_at: u64,
    /// When it was used, in Unix seconds; `None` while it is still good.
    pub used_at: Option<u64>,
    /// How many times a mistaken mark of use was undone. Two copies of the
    /// set merge by taking the state with more undos (an undo wins over the
    /// mark it undid, wherever that mark still is), then the earlier use.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub undone: u32,
    /// When a newer set from the service replaced the one this code belongs
    /// to, in Unix seconds; `None` while it is one of the current codes. A
    /// replaced code is kept as history, neither unused nor offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_at: Option<u64>,
}

/// Vaults written before undo existed have no `undone` field, and a code
/// never undone writes none, so older copies read the same.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl RecoveryCode {
    /// The code as issued.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Whether it is still good: one of the current codes, not used.
    pub fn is_unused(&self) -> bool {
        self.used_at.is_none() && self.replaced_at.is_none()
    }

    /// Whether it was marked used.
    pub fn is_used(&self) -> bool {
        self.used_at.is_some()
    }

    /// Whether a newer set replaced it (it is history).
    pub fn is_replaced(&self) -> bool {
        self.replaced_at.is_some()
    }

    /// Takes in another copy's state of the same code: the later undo,
    /// then the earlier use; the earlier replacement; the earlier adding.
    /// Commutative, associative and idempotent, as sync needs.
    fn join(&mut self, other: &RecoveryCode) {
        self.added_at = self.added_at.min(other.added_at);
        match self.undone.cmp(&other.undone) {
            std::cmp::Ordering::Less => {
                self.undone = other.undone;
                self.used_at = other.used_at;
            }
            std::cmp::Ordering::Equal => self.used_at = earlier(self.used_at, other.used_at),
            std::cmp::Ordering::Greater => {}
        }
        self.replaced_at = earlier(self.replaced_at, other.replaced_at);
    }
}

/// The earlier of two moments, either being enough.
fn earlier(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCode")
            .field("code", &"<redacted>")
            .field("added_at", &self.added_at)
            .field("used_at", &self.used_at)
            .field("undone", &self.undone)
            .field("replaced_at", &self.replaced_at)
            .finish()
    }
}

impl PartialEq for RecoveryCode {
    fn eq(&self, other: &Self) -> bool {
        *self.code == *other.code
            && self.added_at == other.added_at
            && self.used_at == other.used_at
            && self.undone == other.undone
            && self.replaced_at == other.replaced_at
    }
}

/// The recovery codes of one service, in the order they were given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    /// Whether the service issues a single code and replaces it after each use
    /// ("save this new recovery code"), so the newest code is the current one
    /// and the older ones are history.
    #[serde(default)]
    pub rotating: bool,
    /// Where the codes came from and when, in the user's words.
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    codes: Vec<RecoveryCode>,
}

/// What [`RecoveryCodes::use_code`] found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UseOutcome {
    /// Unused codes left after this one.
    pub unused_left: usize,
    /// The service replaces used codes: ask the user for the new one.
    pub replacement_expected: bool,
}

/// What [`RecoveryCodes::replace`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplaceOutcome {
    /// Codes of the new set that were not stored before.
    pub added: usize,
    /// Codes of the new set already among the current ones (kept, with
    /// their state).
    pub kept: usize,
    /// Current codes the new set does not hold, now history.
    pub replaced: usize,
}

/// Something about a set of recovery codes the user should act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoveryWarning {
    /// Only this many unused codes remain (at or under the threshold):
    /// time to generate a new set at the service.
    FewLeft {
        /// Unused codes remaining.
        unused: usize,
    },
    /// A rotating code was used and no replacement was saved: the user may
    /// have no recovery code at all for this service.
    ReplacementMissing,
}

impl fmt::Display for RecoveryWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecoveryWarning::FewLeft { unused: 0 } => {
                f.write_str("no unused recovery codes left: generate new ones at the service")
            }
            RecoveryWarning::FewLeft { unused: 1 } => {
                f.write_str("only 1 unused recovery code left: generate new ones at the service")
            }
            RecoveryWarning::FewLeft { unused } => {
                write!(f, "only {unused} unused recovery codes left: generate new ones at the service")
            }
            RecoveryWarning::ReplacementMissing => f.write_str(
                "the recovery code was used and its replacement was not saved: save the new code the service showed",
            ),
        }
    }
}

/// Why a change to a set of recovery codes was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryError {
    /// No stored code matches what was given.
    #[error("no stored recovery code matches")]
    NotFound,
    /// The code matches one that was already used.
    #[error("that recovery code was already used")]
    AlreadyUsed {
        /// When it was used, in Unix seconds.
        used_at: u64,
    },
    /// A code being added is already stored (codes are good once; a second
    /// copy would hide which one was spent).
    #[error("recovery code {position} of those given is already stored")]
    AlreadyStored {
        /// 1-based position among the codes given.
        position: usize,
    },
    /// The same code appears twice among those given.
    #[error("recovery codes {first} and {second} of those given are the same")]
    DuplicateGiven {
        /// 1-based position of the first copy.
        first: usize,
        /// 1-based position of the second copy.
        second: usize,
    },
    /// A code is empty or has characters no service uses.
    #[error("recovery code {position} of those given is not a code: {reason}")]
    Malformed {
        /// 1-based position among the codes given.
        position: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Nothing was given to add.
    #[error("no recovery codes were given")]
    NoneGiven,
    /// The code belongs to a set that a newer one replaced.
    #[error("that recovery code belongs to a set that was replaced by a newer one")]
    Replaced {
        /// When its set was replaced, in Unix seconds.
        replaced_at: u64,
    },
    /// Undoing a mark of use on a code that is not marked used.
    #[error("that recovery code is not marked used")]
    NotUsed,
}

/// The longest code accepted: well above any service's (npm's 64 hex digits).
pub const MAX_CODE_LEN: usize = 128;

/// Codes compare loosely when a user types one back: case, spaces and
/// dashes are ignored, as services do when checking them.
fn comparable(code: &str) -> Zeroizing<String> {
    Zeroizing::new(
        code.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect(),
    )
}

fn check_code(code: &str, position: usize) -> Result<(), RecoveryError> {
    let malformed = |reason| RecoveryError::Malformed { position, reason };
    if comparable(code).is_empty() {
        return Err(malformed("it is empty"));
    }
    if code.chars().count() > MAX_CODE_LEN {
        return Err(malformed("it is longer than any service's codes"));
    }
    if code.chars().any(|c| c.is_control()) {
        return Err(malformed("it holds control characters"));
    }
    Ok(())
}

impl RecoveryCodes {
    /// An empty set; `rotating` when the service replaces each used code.
    pub fn new(rotating: bool, note: impl Into<String>) -> RecoveryCodes {
        RecoveryCodes {
            rotating,
            note: note.into(),
            codes: Vec::new(),
        }
    }

    /// Every code, oldest first.
    pub fn codes(&self) -> &[RecoveryCode] {
        &self.codes
    }

    /// How many codes are still good.
    pub fn unused_count(&self) -> usize {
        self.codes.iter().filter(|c| c.is_unused()).count()
    }

    /// How many of the current codes (those no newer set replaced) were used.
    pub fn used_count(&self) -> usize {
        self.codes
            .iter()
            .filter(|c| c.is_used() && !c.is_replaced())
            .count()
    }

    /// How many codes belong to the current set: unused and used, not the
    /// history of replaced sets.
    pub fn current_count(&self) -> usize {
        self.codes.iter().filter(|c| !c.is_replaced()).count()
    }

    /// How many codes are history, replaced by a newer set.
    pub fn replaced_count(&self) -> usize {
        self.codes.len() - self.current_count()
    }

    /// The places of the codes in the order lists show them: unused codes
    /// first, then used ones, then replaced ones, each group oldest first.
    pub fn display_order(&self) -> Vec<usize> {
        let rank = |c: &RecoveryCode| match (c.is_replaced(), c.is_used()) {
            (false, false) => 0,
            (false, true) => 1,
            (true, _) => 2,
        };
        let mut order: Vec<usize> = (0..self.codes.len()).collect();
        order.sort_by_key(|&index| rank(&self.codes[index]));
        order
    }

    /// How many of `given` are among the current codes. A pasted set that
    /// shares none with a non-empty current set is likely a new set that
    /// replaces it, rather than more codes of the same one.
    pub fn shared_with_current(&self, given: &[Zeroizing<String>]) -> usize {
        let current_forms: Vec<Zeroizing<String>> = self
            .codes
            .iter()
            .filter(|c| !c.is_replaced())
            .map(|c| comparable(&c.code))
            .collect();
        let current: HashSet<&str> = current_forms.iter().map(|f| f.as_str()).collect();
        let given_forms: Vec<Zeroizing<String>> = given.iter().map(|c| comparable(c)).collect();
        let shared: HashSet<&str> = given_forms
            .iter()
            .map(|f| f.as_str())
            .filter(|f| current.contains(f))
            .collect();
        shared.len()
    }

    fn position_of(&self, code: &str) -> Option<usize> {
        let wanted = comparable(code);
        self.codes
            .iter()
            .position(|c| comparable(&c.code) == wanted)
    }

    /// Adds codes as issued, all or none: refuses empty or absurd codes,
    /// codes given twice, and codes already stored. Returns how many were
    /// added.
    pub fn add(&mut self, codes: Vec<Zeroizing<String>>, now: u64) -> Result<usize, RecoveryError> {
        if let Some(position) = self.check_given(&codes)?.iter().position(Option::is_some) {
            return Err(RecoveryError::AlreadyStored {
                position: position + 1,
            });
        }
        let added = codes.len();
        self.codes
            .extend(codes.into_iter().map(|code| RecoveryCode {
                code,
                added_at: now,
                used_at: None,
                undone: 0,
                replaced_at: None,
            }));
        Ok(added)
    }

    /// Checks codes being given (none empty or absurd, none twice) and
    /// finds, for each, the place of the stored code it matches.
    fn check_given(
        &self,
        codes: &[Zeroizing<String>],
    ) -> Result<Vec<Option<usize>>, RecoveryError> {
        if codes.is_empty() {
            return Err(RecoveryError::NoneGiven);
        }
        // Hash maps of the comparable forms, not a scan per code: a 64 KiB
        // block holds some 20 000 codes, and comparing each with all before
        // it took minutes.
        let stored_forms: Vec<Zeroizing<String>> =
            self.codes.iter().map(|c| comparable(&c.code)).collect();
        let stored: HashMap<&str, usize> = stored_forms
            .iter()
            .enumerate()
            .map(|(index, form)| (form.as_str(), index))
            .collect();
        let given_forms: Vec<Zeroizing<String>> = codes.iter().map(|c| comparable(c)).collect();
        let mut given: HashMap<&str, usize> = HashMap::with_capacity(codes.len());
        let mut matches = Vec::with_capacity(codes.len());
        for (index, (code, this)) in codes.iter().zip(&given_forms).enumerate() {
            check_code(code, index + 1)?;
            if let Some(first) = given.insert(this.as_str(), index) {
                return Err(RecoveryError::DuplicateGiven {
                    first: first + 1,
                    second: index + 1,
                });
            }
            matches.push(stored.get(this.as_str()).copied());
        }
        Ok(matches)
    }

    /// Makes `codes` (a newly issued set) the current set, all or none:
    /// current codes the new set does not hold become history (replaced at
    /// `now`, neither unused nor offered), codes it holds that are already
    /// current stay as they are, and the rest are added. A code matching
    /// one of an older, replaced set is refused: the service does not
    /// issue a spent set again.
    pub fn replace(
        &mut self,
        codes: Vec<Zeroizing<String>>,
        now: u64,
    ) -> Result<ReplaceOutcome, RecoveryError> {
        let matches = self.check_given(&codes)?;
        for (position, found) in matches.iter().enumerate() {
            if found.is_some_and(|index| self.codes[index].is_replaced()) {
                return Err(RecoveryError::AlreadyStored {
                    position: position + 1,
                });
            }
        }
        let kept_places: HashSet<usize> = matches.iter().flatten().copied().collect();
        let mut replaced = 0;
        for (index, code) in self.codes.iter_mut().enumerate() {
            if code.replaced_at.is_none() && !kept_places.contains(&index) {
                code.replaced_at = Some(now);
                replaced += 1;
            }
        }
        let kept = kept_places.len();
        let fresh: Vec<Zeroizing<String>> = codes
            .into_iter()
            .zip(&matches)
            .filter(|(_, found)| found.is_none())
            .map(|(code, _)| code)
            .collect();
        let added = fresh.len();
        self.codes
            .extend(fresh.into_iter().map(|code| RecoveryCode {
                code,
                added_at: now,
                used_at: None,
                undone: 0,
                replaced_at: None,
            }));
        Ok(ReplaceOutcome {
            added,
            kept,
            replaced,
        })
    }

    /// Marks a code used at `now`. The code stays, with its date, so the user
    /// can see what was spent. Case, spaces and dashes in `code` are ignored.
    pub fn use_code(&mut self, code: &str, now: u64) -> Result<UseOutcome, RecoveryError> {
        let index = self.position_of(code).ok_or(RecoveryError::NotFound)?;
        let entry = &mut self.codes[index];
        if let Some(used_at) = entry.used_at {
            return Err(RecoveryError::AlreadyUsed { used_at });
        }
        if let Some(replaced_at) = entry.replaced_at {
            return Err(RecoveryError::Replaced { replaced_at });
        }
        entry.used_at = Some(now);
        let unused_left = self.unused_count();
        Ok(UseOutcome {
            unused_left,
            replacement_expected: self.rotating && unused_left == 0,
        })
    }

    /// Undoes a mistaken mark of use: the code is good again. Returns how
    /// many codes are unused after it. Case, spaces and dashes in `code`
    /// are ignored.
    pub fn undo_use(&mut self, code: &str) -> Result<usize, RecoveryError> {
        let index = self.position_of(code).ok_or(RecoveryError::NotFound)?;
        let entry = &mut self.codes[index];
        if entry.used_at.is_none() {
            return Err(RecoveryError::NotUsed);
        }
        entry.used_at = None;
        entry.undone = entry.undone.saturating_add(1);
        Ok(self.unused_count())
    }

    /// Stores the code a rotating service issued in place of a used one: it
    /// becomes the current code, and the used ones stay as history.
    pub fn add_replacement(
        &mut self,
        code: Zeroizing<String>,
        now: u64,
    ) -> Result<(), RecoveryError> {
        self.add(vec![code], now).map(|_| ())
    }

    /// Takes in the codes of `other` (the same service's codes from a
    /// backup, say) that are not stored here, with their dates and states;
    /// a code spent there is marked spent here too, since a service takes
    /// each code once (unless a later undo here says the mark was a
    /// mistake), and a code replaced there is history here too. Returns
    /// how many codes were added. Other's note and
    /// rotating mark are kept only when this set is empty.
    pub fn merge(&mut self, other: &RecoveryCodes) -> usize {
        if self.codes.is_empty() {
            self.rotating = other.rotating;
            if self.note.is_empty() {
                self.note.clone_from(&other.note);
            }
        }
        let stored_forms: Vec<Zeroizing<String>> =
            self.codes.iter().map(|c| comparable(&c.code)).collect();
        let stored: HashMap<&str, usize> = stored_forms
            .iter()
            .enumerate()
            .map(|(index, form)| (form.as_str(), index))
            .collect();
        let other_forms: Vec<Zeroizing<String>> =
            other.codes.iter().map(|c| comparable(&c.code)).collect();
        let mut taken: HashSet<&str> = HashSet::new();
        let mut added = 0;
        for (code, form) in other.codes.iter().zip(&other_forms) {
            if let Some(&index) = stored.get(form.as_str()) {
                let here = &mut self.codes[index];
                let added_at = here.added_at;
                here.join(code);
                here.added_at = added_at;
            } else if taken.insert(form.as_str()) {
                self.codes.push(code.clone());
                added += 1;
            }
        }
        added
    }

    /// The union of two copies of the same set, as two devices kept it:
    /// every code either has (matched ignoring case, spaces and dashes),
    /// each added at the earlier time and used at the earlier use (a code
    /// used on either device stays used, unless an undo newer than that
    /// use was made on one of them), replaced at the earlier replacement,
    /// in a fixed order, so
    /// `a.union(b) == b.union(a)` and merging again changes nothing. Codes
    /// whose form is in `removed` (removed on some device) are left out.
    /// `rotating` and `note` are the caller's to choose; they are taken
    /// from `self`.
    pub fn union(&self, other: &RecoveryCodes, removed: &HashSet<String>) -> RecoveryCodes {
        let all: Vec<&RecoveryCode> = self.codes.iter().chain(&other.codes).collect();
        let forms: Vec<Zeroizing<String>> = all.iter().map(|c| comparable(&c.code)).collect();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut kept: Vec<(usize, RecoveryCode)> = Vec::new();
        for (at, (code, form)) in all.iter().zip(&forms).enumerate() {
            if removed.contains(form.as_str()) {
                continue;
            }
            match index.get(form.as_str()) {
                None => {
                    index.insert(form.as_str(), kept.len());
                    kept.push((at, (*code).clone()));
                }
                Some(&slot) => {
                    let here = &mut kept[slot].1;
                    here.join(code);
                    if *code.code < *here.code {
                        here.code = code.code.clone();
                    }
                }
            }
        }
        kept.sort_by(|(a_at, a), (b_at, b)| {
            a.added_at
                .cmp(&b.added_at)
                .then_with(|| forms[*a_at].cmp(&forms[*b_at]))
        });
        RecoveryCodes {
            rotating: self.rotating,
            note: self.note.clone(),
            codes: kept.into_iter().map(|(_, code)| code).collect(),
        }
    }

    /// The form a code is compared by (no case, spaces or dashes), which
    /// [`union`](Self::union)'s `removed` holds.
    pub fn comparable_form(code: &str) -> Zeroizing<String> {
        comparable(code)
    }

    /// Forgets one code entirely (a mistyped entry, say).
    pub fn remove_code(&mut self, code: &str) -> Result<(), RecoveryError> {
        let index = self.position_of(code).ok_or(RecoveryError::NotFound)?;
        self.codes.remove(index);
        Ok(())
    }

    /// What the user should act on, given the few-left `threshold` from
    /// settings. A rotating service holds one code at a time, so only a
    /// missing replacement matters there.
    pub fn warnings(&self, threshold: usize) -> Vec<RecoveryWarning> {
        let unused = self.unused_count();
        let current = self.current_count();
        let mut warnings = Vec::new();
        if self.rotating {
            if unused == 0 && current > 0 {
                warnings.push(RecoveryWarning::ReplacementMissing);
            }
        } else if current > 0 && unused <= threshold {
            warnings.push(RecoveryWarning::FewLeft { unused });
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<Zeroizing<String>> {
        list.iter()
            .map(|c| Zeroizing::new((*c).to_owned()))
            .collect()
    }

    #[test]
    fn merging_adds_missing_codes_and_spends_codes_spent_elsewhere() {
        let mut here = RecoveryCodes::new(false, "");
        here.add(codes(&["aaaa-1111", "bbbb-2222"]), 100).unwrap();
        let mut backup = RecoveryCodes::new(true, "from the backup");
        backup
            .add(codes(&["AAAA 1111", "cccc-3333", "dddd-4444"]), 50)
            .unwrap();
        backup.use_code("aaaa1111", 60).unwrap();
        backup.use_code("dddd-4444", 70).unwrap();
        assert_eq!(here.merge(&backup), 2);
        let states: Vec<(&str, Option<u64>)> =
            here.codes().iter().map(|c| (c.code(), c.used_at)).collect();
        assert_eq!(
            states,
            [
                ("aaaa-1111", Some(60)),
                ("bbbb-2222", None),
                ("cccc-3333", None),
                ("dddd-4444", Some(70)),
            ]
        );
        assert!(!here.rotating, "a set with codes keeps its own kind");
        assert_eq!(here.merge(&backup), 0, "merging twice adds nothing");

        let mut empty = RecoveryCodes::default();
        assert_eq!(empty.merge(&backup), 3);
        assert!(empty.rotating);
        assert_eq!(empty.note, "from the backup");
        assert_eq!(empty, backup);
    }

    #[test]
    fn using_a_code_keeps_it_with_its_date() {
        let mut set = RecoveryCodes::new(false, "GitHub, 2026-11");
        assert_eq!(
            set.add(codes(&["a1b2c-3d4e5", "f6a7b-8c9d0", "11111-22222"]), 100)
                .unwrap(),
            3
        );
        let outcome = set.use_code("A1B2C3D4E5", 200).unwrap();
        assert_eq!(
            outcome,
            UseOutcome {
                unused_left: 2,
                replacement_expected: false
            }
        );
        assert_eq!(set.codes()[0].used_at, Some(200));
        assert_eq!(set.codes()[0].code(), "a1b2c-3d4e5");
        assert_eq!(set.used_count(), 1);
        assert_eq!(
            set.use_code("a1b2c-3d4e5", 300),
            Err(RecoveryError::AlreadyUsed { used_at: 200 })
        );
        assert_eq!(set.use_code("nope", 300), Err(RecoveryError::NotFound));
    }

    #[test]
    fn adding_refuses_duplicates_all_or_nothing() {
        let mut set = RecoveryCodes::default();
        set.add(codes(&["1234 5678"]), 1).unwrap();
        assert_eq!(
            set.add(codes(&["9999 0000", "12345678"]), 2),
            Err(RecoveryError::AlreadyStored { position: 2 })
        );
        assert_eq!(
            set.add(codes(&["aaaa1", "bbbb2", "AAAA-1"]), 2),
            Err(RecoveryError::DuplicateGiven {
                first: 1,
                second: 3
            })
        );
        assert_eq!(set.codes().len(), 1, "nothing added by a refused call");
        assert_eq!(set.add(vec![], 2), Err(RecoveryError::NoneGiven));
        assert!(matches!(
            set.add(codes(&[" - "]), 2),
            Err(RecoveryError::Malformed { position: 1, .. })
        ));
        assert!(matches!(
            set.add(codes(&[&"x".repeat(MAX_CODE_LEN + 1)]), 2),
            Err(RecoveryError::Malformed { .. })
        ));
    }

    #[test]
    fn rotating_service_asks_for_the_replacement_and_keeps_history() {
        let mut set = RecoveryCodes::new(true, "Microsoft");
        set.add(codes(&["ABCDE-FGHIJ-KLMNO-PQRST-UVWX1"]), 10)
            .unwrap();
        assert!(
            set.warnings(2).is_empty(),
            "one current code is normal for a rotating service"
        );
        let outcome = set.use_code("abcde fghij klmno pqrst uvwx1", 20).unwrap();
        assert!(outcome.replacement_expected);
        assert_eq!(set.warnings(2), vec![RecoveryWarning::ReplacementMissing]);
        set.add_replacement(Zeroizing::new("ZYXWV-UTSRQ-PONML-KJIHG-FEDC2".into()), 21)
            .unwrap();
        assert!(set.warnings(2).is_empty());
        assert_eq!(set.codes().len(), 2);
        assert!(!set.codes()[0].is_unused());
        assert!(set.codes()[1].is_unused());
    }

    #[test]
    fn few_left_warning_follows_the_threshold() {
        let mut set = RecoveryCodes::default();
        set.add(
            codes(&["code-0001", "code-0002", "code-0003", "code-0004"]),
            0,
        )
        .unwrap();
        assert!(set.warnings(2).is_empty());
        set.use_code("code-0001", 1).unwrap();
        assert!(set.warnings(2).is_empty());
        set.use_code("code-0002", 1).unwrap();
        assert_eq!(
            set.warnings(2),
            vec![RecoveryWarning::FewLeft { unused: 2 }]
        );
        assert!(set.warnings(1).is_empty());
        set.use_code("code-0003", 1).unwrap();
        set.use_code("code-0004", 1).unwrap();
        assert_eq!(
            set.warnings(2),
            vec![RecoveryWarning::FewLeft { unused: 0 }]
        );
        assert!(set.warnings(2)[0]
            .to_string()
            .contains("no unused recovery codes"));
    }

    #[test]
    fn debug_and_errors_never_show_a_code() {
        let mut set = RecoveryCodes::default();
        set.add(codes(&["s3cr3t-c0de"]), 0).unwrap();
        assert!(!format!("{set:?}").contains("s3cr3t"));
        let err = set.add(codes(&["s3cr3t-c0de"]), 0).unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"));
    }

    #[test]
    fn serde_round_trip_keeps_codes_and_states() {
        let mut set = RecoveryCodes::new(false, "note");
        set.add(codes(&["1234 5678", "8765 4321"]), 5).unwrap();
        set.use_code("12345678", 6).unwrap();
        let json = serde_json::to_string(&set).unwrap();
        let back: RecoveryCodes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
    }

    /// Found while writing the `recovery_block` fuzz target: a 64 KiB block (the parser's
    /// limit) holds some 20 000 codes, and adding them compared each with
    /// every code before it, minutes of work. Duplicates must still be found.
    #[test]
    fn regression_fuzz_adding_a_full_block_of_codes_is_not_quadratic() {
        let many: Vec<Zeroizing<String>> = (0..20_000)
            .map(|i| Zeroizing::new(format!("{i:x}z")))
            .collect();
        let start = std::time::Instant::now();
        let mut set = RecoveryCodes::default();
        assert_eq!(set.add(many.clone(), 0), Ok(20_000));
        let mut again = many.clone();
        again.push(Zeroizing::new("0-Z".into()));
        assert_eq!(
            RecoveryCodes::default().add(again, 0),
            Err(RecoveryError::DuplicateGiven {
                first: 1,
                second: 20_001
            })
        );
        assert_eq!(
            set.add(codes(&["new-1", "4E1F Z"]), 0),
            Err(RecoveryError::AlreadyStored { position: 2 })
        );
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "took {:?}",
            start.elapsed()
        );
    }

    /// Issue 23: pasting a newly issued set added it to the old one ("18 of
    /// 32 unused"), the dead codes still counted. Replacing keeps the old
    /// codes as history, neither unused nor offered.
    #[test]
    fn regression_a_new_set_replaces_the_old_instead_of_adding_to_it() {
        let mut set = RecoveryCodes::default();
        set.add(codes(&["old-1", "old-2", "old-3"]), 10).unwrap();
        set.use_code("old-1", 11).unwrap();
        assert_eq!(set.shared_with_current(&codes(&["new-1", "new-2"])), 0);
        assert_eq!(set.shared_with_current(&codes(&["OLD 2", "new-2"])), 1);
        let outcome = set.replace(codes(&["new-1", "new-2"]), 20).unwrap();
        assert_eq!(
            outcome,
            ReplaceOutcome {
                added: 2,
                kept: 0,
                replaced: 3
            }
        );
        assert_eq!(set.unused_count(), 2, "only the new set counts");
        assert_eq!(set.used_count(), 0);
        assert_eq!(set.current_count(), 2);
        assert_eq!(set.replaced_count(), 3, "the old codes stay as history");
        assert_eq!(set.codes()[0].used_at, Some(11), "with their state");
        assert_eq!(
            set.use_code("old-2", 30),
            Err(RecoveryError::Replaced { replaced_at: 20 })
        );
        assert_eq!(
            set.replace(codes(&["old-3"]), 40),
            Err(RecoveryError::AlreadyStored { position: 1 }),
            "a replaced set does not come back"
        );
        // Codes the new set shares with the current one keep their state.
        set.use_code("new-1", 50).unwrap();
        let outcome = set.replace(codes(&["new-1", "newer-1"]), 60).unwrap();
        assert_eq!((outcome.added, outcome.kept, outcome.replaced), (1, 1, 1));
        assert_eq!((set.unused_count(), set.used_count()), (1, 1));
        assert!(
            set.warnings(2).len() == 1,
            "few left among the current codes"
        );
        let json = serde_json::to_string(&set).unwrap();
        let back: RecoveryCodes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
    }

    #[test]
    fn older_vaults_without_the_new_fields_read_and_write_the_same() {
        let old =
            r#"{"rotating":false,"note":"","codes":[{"code":"a-1","added_at":1,"used_at":2}]}"#;
        let set: RecoveryCodes = serde_json::from_str(old).unwrap();
        assert_eq!(set.used_count(), 1);
        assert!(!set.codes()[0].is_replaced());
        assert_eq!(serde_json::to_string(&set).unwrap(), old);
    }

    #[test]
    fn unused_codes_come_first_then_used_then_replaced() {
        let mut set = RecoveryCodes::default();
        set.add(codes(&["a-1", "a-2"]), 1).unwrap();
        set.use_code("a-1", 2).unwrap();
        set.replace(codes(&["b-1", "b-2", "b-3"]), 3).unwrap();
        set.use_code("b-1", 4).unwrap();
        let order: Vec<&str> = set
            .display_order()
            .into_iter()
            .map(|i| set.codes()[i].code())
            .collect();
        assert_eq!(order, ["b-2", "b-3", "b-1", "a-1", "a-2"]);
    }

    /// Issue 23: a mistaken "Mark used" could not be undone.
    #[test]
    fn regression_a_mistaken_mark_used_can_be_undone() {
        let mut set = RecoveryCodes::default();
        set.add(codes(&["c-1", "c-2"]), 1).unwrap();
        assert_eq!(set.undo_use("c-1"), Err(RecoveryError::NotUsed));
        set.use_code("c-1", 2).unwrap();
        assert_eq!(set.undo_use("C 1"), Ok(2));
        assert!(set.codes()[0].is_unused());
        assert_eq!(set.undo_use("zz"), Err(RecoveryError::NotFound));
        set.use_code("c-1", 3).unwrap();
        assert_eq!(set.codes()[0].used_at, Some(3), "and used again later");
    }

    /// Sync merges copies of a set as a union: an undo made on one machine
    /// must beat the mark it undid that another still holds, a mark made
    /// after the undo must beat the undo, and the merge must stay
    /// commutative, associative and idempotent.
    #[test]
    fn undo_and_replacement_survive_merging_copies() {
        let none = HashSet::new();
        let mut base = RecoveryCodes::default();
        base.add(codes(&["d-1", "d-2"]), 1).unwrap();
        base.use_code("d-1", 2).unwrap();
        let mut undone = base.clone();
        undone.undo_use("d-1").unwrap();
        let mut replaced = base.clone();
        replaced.replace(codes(&["e-1"]), 5).unwrap();
        let mut used_again = undone.clone();
        used_again.use_code("d-1", 7).unwrap();

        let merged = base.union(&undone, &none);
        assert!(merged.codes()[0].is_unused(), "the undo wins");
        assert_eq!(merged, undone.union(&base, &none));
        let merged = undone.union(&used_again, &none);
        assert_eq!(merged.codes()[0].used_at, Some(7), "a later mark wins");
        let merged = base.union(&replaced, &none);
        assert_eq!((merged.unused_count(), merged.replaced_count()), (1, 2));

        let copies = [&base, &undone, &replaced, &used_again];
        for a in copies {
            assert_eq!(a.union(a, &none), a.union(&RecoveryCodes::default(), &none));
            for b in copies {
                assert_eq!(a.union(b, &none), b.union(a, &none));
                for c in copies {
                    assert_eq!(
                        a.union(b, &none).union(c, &none),
                        a.union(&b.union(c, &none), &none)
                    );
                }
            }
        }
        let mut here = base.clone();
        here.merge(&undone);
        assert!(here.codes()[0].is_unused(), "a backup's undo counts too");
    }
}
