//! What the encrypted body holds: the accounts, their recovery codes, and
//! the app's settings.
//!
//! It exists to define the body's JSON (section 7 of
//! `docs/vault-format.md`) with the forward-compatibility rule built in:
//! every field but an account's `id` and `enrollment` may be missing (it
//! takes its default), and every field this version does not know is kept
//! and written back unchanged, so an older Tessera never drops what a newer
//! one stored. Unknown fields are read with hand-written visitors rather
//! than `#[serde(flatten)]`, which would buffer (and copy) the whole body.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use tessera_otp::{Enrollment, RecoveryCodes, DEFAULT_FEW_LEFT_THRESHOLD};

use crate::error::VaultError;
use crate::format::hex;

/// An account's id: 128 random bits as 32 hex digits.
///
/// Readers accept any non-empty string, so that a later version may choose
/// another form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// A fresh random id.
    pub fn random() -> Result<Self, VaultError> {
        let bytes: [u8; 16] = crate::crypto::random_array()?;
        Ok(AccountId(hex(&bytes)))
    }

    /// An id from its text form; `None` if empty.
    pub fn parse(text: &str) -> Option<Self> {
        (!text.is_empty()).then(|| AccountId(text.to_owned()))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AccountId::parse(&s).ok_or_else(|| de::Error::custom("empty account id"))
    }
}

/// One account in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Random id, unique within the vault.
    pub id: AccountId,
    /// Issuer, name, secret and OTP parameters.
    pub enrollment: Enrollment,
    /// Free text.
    pub notes: String,
    /// Shown first.
    pub favourite: bool,
    /// Labels for filtering.
    pub tags: Vec<String>,
    /// Unix seconds when added.
    pub created_at: u64,
    /// Unix seconds of the last change.
    pub updated_at: u64,
    /// Fields written by a newer version, kept unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Account {
    /// A new account with a fresh random id, created and updated at `now`
    /// (unix seconds).
    pub fn new(enrollment: Enrollment, now: u64) -> Result<Self, VaultError> {
        Ok(Account {
            id: AccountId::random()?,
            enrollment,
            notes: String::new(),
            favourite: false,
            tags: Vec::new(),
            created_at: now,
            updated_at: now,
            extra: Map::new(),
        })
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Account;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an account object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Account, A::Error> {
                let mut id = None;
                let mut enrollment = None;
                let mut notes = None;
                let mut favourite = None;
                let mut tags = None;
                let mut created_at = None;
                let mut updated_at = None;
                let mut extra = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => set(&mut id, &key, map.next_value()?)?,
                        "enrollment" => set(&mut enrollment, &key, map.next_value()?)?,
                        "notes" => set(&mut notes, &key, map.next_value()?)?,
                        "favourite" => set(&mut favourite, &key, map.next_value()?)?,
                        "tags" => set(&mut tags, &key, map.next_value()?)?,
                        "created_at" => set(&mut created_at, &key, map.next_value()?)?,
                        "updated_at" => set(&mut updated_at, &key, map.next_value()?)?,
                        _ => {
                            let v: Value = map.next_value()?;
                            if extra.insert(key.clone(), v).is_some() {
                                return Err(de::Error::custom(format!("duplicate field `{key}`")));
                            }
                        }
                    }
                }
                Ok(Account {
                    id: id.ok_or_else(|| de::Error::missing_field("id"))?,
                    enrollment: enrollment.ok_or_else(|| de::Error::missing_field("enrollment"))?,
                    notes: notes.unwrap_or_default(),
                    favourite: favourite.unwrap_or_default(),
                    tags: tags.unwrap_or_default(),
                    created_at: created_at.unwrap_or_default(),
                    updated_at: updated_at.unwrap_or_default(),
                    extra,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// App settings, by name. Every key is kept as it is, known or not; the
/// typed getters below read the keys this version defines and fall back to
/// the default when one is missing or of the wrong type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Settings {
    /// All settings, by name.
    pub extra: Map<String, Value>,
}

/// The setting that says how many unused recovery codes may remain before
/// a warning.
pub const SETTING_RECOVERY_FEW_LEFT: &str = "recovery_few_left_threshold";

impl Settings {
    /// A whole-number setting, or `None` when missing or not a number.
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.extra.get(key).and_then(Value::as_u64)
    }

    /// How many unused recovery codes may remain before a warning
    /// (default [`DEFAULT_FEW_LEFT_THRESHOLD`]).
    pub fn recovery_few_left_threshold(&self) -> usize {
        self.get_u64(SETTING_RECOVERY_FEW_LEFT)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(DEFAULT_FEW_LEFT_THRESHOLD)
    }
}

/// Whose recovery codes an entry holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecoveryOwner {
    /// An account in the vault (its OTP secret is kept there).
    Account {
        /// The account's id.
        account_id: AccountId,
    },
    /// A service with no OTP account here (its second factor is elsewhere),
    /// or one whose account was removed while its codes were kept.
    Service {
        /// The service's name.
        issuer: String,
        /// The account name at the service, if given.
        #[serde(default)]
        name: String,
    },
}

/// The recovery codes of one account or service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryEntry {
    /// Random id, unique within the vault.
    pub id: AccountId,
    /// Whose codes these are.
    pub owner: RecoveryOwner,
    /// The codes, their states, and whether the service rotates them.
    pub codes: RecoveryCodes,
    /// Unix seconds when added.
    pub created_at: u64,
    /// Unix seconds of the last change.
    pub updated_at: u64,
    /// Fields written by a newer version, kept unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RecoveryEntry {
    /// A new entry with a fresh random id, created and updated at `now`.
    pub fn new(owner: RecoveryOwner, codes: RecoveryCodes, now: u64) -> Result<Self, VaultError> {
        Ok(RecoveryEntry {
            id: AccountId::random()?,
            owner,
            codes,
            created_at: now,
            updated_at: now,
            extra: Map::new(),
        })
    }
}

impl<'de> Deserialize<'de> for RecoveryEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RecoveryEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a recovery entry object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RecoveryEntry, A::Error> {
                let mut id = None;
                let mut owner = None;
                let mut codes = None;
                let mut created_at = None;
                let mut updated_at = None;
                let mut extra = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => set(&mut id, &key, map.next_value()?)?,
                        "owner" => set(&mut owner, &key, map.next_value()?)?,
                        "codes" => set(&mut codes, &key, map.next_value()?)?,
                        "created_at" => set(&mut created_at, &key, map.next_value()?)?,
                        "updated_at" => set(&mut updated_at, &key, map.next_value()?)?,
                        _ => {
                            let v: Value = map.next_value()?;
                            if extra.insert(key.clone(), v).is_some() {
                                return Err(de::Error::custom(format!("duplicate field `{key}`")));
                            }
                        }
                    }
                }
                Ok(RecoveryEntry {
                    id: id.ok_or_else(|| de::Error::missing_field("id"))?,
                    owner: owner.ok_or_else(|| de::Error::missing_field("owner"))?,
                    codes: codes.unwrap_or_default(),
                    created_at: created_at.unwrap_or_default(),
                    updated_at: updated_at.unwrap_or_default(),
                    extra,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// Everything the encrypted body holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contents {
    /// The accounts, in display order.
    pub accounts: Vec<Account>,
    /// Recovery codes, per account or service.
    pub recovery: Vec<RecoveryEntry>,
    /// App settings.
    pub settings: Settings,
    /// Unix seconds of the last save, as passed to
    /// [`UnlockedVault::update`](crate::UnlockedVault::update).
    pub modified_at: u64,
    /// How many times the vault was saved: one more on every save, so a
    /// file older than one already seen can be told (a rollback). 0 in
    /// vaults written before it was kept.
    pub generation: u64,
    /// Top-level fields written by a newer version, kept unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Contents {
    fn default() -> Self {
        Contents {
            accounts: Vec::new(),
            recovery: Vec::new(),
            settings: Settings::default(),
            modified_at: 0,
            generation: 0,
            extra: Map::new(),
        }
    }
}

impl Contents {
    /// The account with this id.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.id == id)
    }

    /// The account with this id, to change it.
    pub fn account_mut(&mut self, id: &AccountId) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| &a.id == id)
    }

    /// Removes and returns the account with this id. Its recovery codes are
    /// kept, under the account's issuer and name: they may be the only way
    /// back into the service.
    pub fn remove_account(&mut self, id: &AccountId) -> Option<Account> {
        let i = self.accounts.iter().position(|a| &a.id == id)?;
        let account = self.accounts.remove(i);
        for entry in &mut self.recovery {
            if matches!(&entry.owner, RecoveryOwner::Account { account_id } if account_id == id) {
                entry.owner = RecoveryOwner::Service {
                    issuer: account.enrollment.issuer.clone(),
                    name: account.enrollment.name.clone(),
                };
            }
        }
        Some(account)
    }

    /// The recovery entry with this id.
    pub fn recovery_entry(&self, id: &AccountId) -> Option<&RecoveryEntry> {
        self.recovery.iter().find(|e| &e.id == id)
    }

    /// The recovery entry with this id, to change it.
    pub fn recovery_mut(&mut self, id: &AccountId) -> Option<&mut RecoveryEntry> {
        self.recovery.iter_mut().find(|e| &e.id == id)
    }

    /// The recovery entry of the account with this id, if it has one.
    pub fn recovery_for_account(&self, account_id: &AccountId) -> Option<&RecoveryEntry> {
        self.recovery.iter().find(
            |e| matches!(&e.owner, RecoveryOwner::Account { account_id: a } if a == account_id),
        )
    }
}

impl<'de> Deserialize<'de> for Contents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Contents;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the vault contents object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Contents, A::Error> {
                let mut accounts = None;
                let mut recovery = None;
                let mut settings = None;
                let mut modified_at = None;
                let mut generation = None;
                let mut extra = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "accounts" => set(&mut accounts, &key, map.next_value()?)?,
                        "recovery" => set(&mut recovery, &key, map.next_value()?)?,
                        "settings" => set(&mut settings, &key, map.next_value()?)?,
                        "modified_at" => set(&mut modified_at, &key, map.next_value()?)?,
                        "generation" => set(&mut generation, &key, map.next_value()?)?,
                        _ => {
                            let v: Value = map.next_value()?;
                            if extra.insert(key.clone(), v).is_some() {
                                return Err(de::Error::custom(format!("duplicate field `{key}`")));
                            }
                        }
                    }
                }
                let d = Contents::default();
                Ok(Contents {
                    accounts: accounts.unwrap_or(d.accounts),
                    recovery: recovery.unwrap_or(d.recovery),
                    settings: settings.unwrap_or(d.settings),
                    modified_at: modified_at.unwrap_or(d.modified_at),
                    generation: generation.unwrap_or(d.generation),
                    extra,
                })
            }
        }
        d.deserialize_map(V)
    }
}

fn set<T, E: de::Error>(slot: &mut Option<T>, key: &str, value: T) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::custom(format!("duplicate field `{key}`")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{OtpParams, Secret};

    fn enrollment() -> Enrollment {
        Enrollment {
            issuer: "Example".into(),
            name: "alice@example.com".into(),
            secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            params: OtpParams::totp(),
        }
    }

    #[test]
    fn round_trip() {
        let mut c = Contents::default();
        let mut a = Account::new(enrollment(), 1_700_000_000).unwrap();
        a.tags = vec!["work".into()];
        a.favourite = true;
        c.accounts.push(a);
        let json = serde_json::to_string(&c).unwrap();
        let back: Contents = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.accounts[0].id.as_str().len(), 32);
        assert!(json.contains("\"secret\":\"JBSWY3DPEHPK3PXP\""), "{json}");
    }

    #[test]
    fn missing_fields_take_defaults() {
        let c: Contents = serde_json::from_str("{}").unwrap();
        assert_eq!(c, Contents::default());
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"accounts":[],"recovery":[],"settings":{},"modified_at":0,"generation":0}"#
        );
        let e = serde_json::to_value(enrollment()).unwrap();
        let c: Contents = serde_json::from_value(serde_json::json!({
            "accounts": [{"id": "abc", "enrollment": e}]
        }))
        .unwrap();
        let a = &c.accounts[0];
        assert_eq!(
            (a.notes.as_str(), a.favourite, a.tags.len(), a.created_at),
            ("", false, 0, 0)
        );
    }

    #[test]
    fn unknown_fields_are_kept() {
        let e = serde_json::to_value(enrollment()).unwrap();
        let input = serde_json::json!({
            "accounts": [{"id": "abc", "enrollment": e, "icon": "gh.png"}],
            "settings": {"theme": "dark"},
            "sync": {"peer": 1},
            "recovery": [{
                "id": "r1",
                "owner": {"kind": "service", "issuer": "Bank"},
                "codes": {"rotating": true, "codes": [{"code": "1234-5678", "added_at": 5, "used_at": null}]},
                "colour": "red"
            }]
        });
        let c: Contents = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(c.recovery[0].codes.unused_count(), 1);
        assert!(c.recovery[0].codes.rotating);
        let out = serde_json::to_value(&c).unwrap();
        assert_eq!(out["accounts"][0]["icon"], "gh.png");
        assert_eq!(out["settings"]["theme"], "dark");
        assert_eq!(out["sync"]["peer"], 1);
        assert_eq!(out["recovery"][0]["colour"], "red");
        assert_eq!(out["recovery"][0]["codes"]["codes"][0]["code"], "1234-5678");
    }

    #[test]
    fn removing_an_account_keeps_its_recovery_codes_as_a_service() {
        let mut c = Contents::default();
        let account = Account::new(enrollment(), 1).unwrap();
        let id = account.id.clone();
        c.accounts.push(account);
        let mut codes = RecoveryCodes::default();
        codes
            .add(vec![tessera_otp::Zeroizing::new("a1b2c-3d4e5".into())], 1)
            .unwrap();
        c.recovery.push(
            RecoveryEntry::new(
                RecoveryOwner::Account {
                    account_id: id.clone(),
                },
                codes,
                1,
            )
            .unwrap(),
        );
        assert!(c.recovery_for_account(&id).is_some());
        let removed = c.remove_account(&id).unwrap();
        assert!(c.recovery_for_account(&id).is_none());
        assert_eq!(
            c.recovery[0].owner,
            RecoveryOwner::Service {
                issuer: removed.enrollment.issuer,
                name: removed.enrollment.name
            }
        );
        assert_eq!(c.recovery[0].codes.unused_count(), 1);
    }

    #[test]
    fn settings_fall_back_to_defaults() {
        let mut settings = Settings::default();
        assert_eq!(
            settings.recovery_few_left_threshold(),
            DEFAULT_FEW_LEFT_THRESHOLD
        );
        settings
            .extra
            .insert(SETTING_RECOVERY_FEW_LEFT.into(), "three".into());
        assert_eq!(
            settings.recovery_few_left_threshold(),
            DEFAULT_FEW_LEFT_THRESHOLD
        );
        settings
            .extra
            .insert(SETTING_RECOVERY_FEW_LEFT.into(), 5.into());
        assert_eq!(settings.recovery_few_left_threshold(), 5);
    }

    #[test]
    fn bad_bodies_are_errors() {
        for bad in [
            r#"{"accounts":[{"enrollment":{}}]}"#,
            r#"{"accounts":[{"id":""}]}"#,
            r#"{"accounts":[],"accounts":[]}"#,
            r#"{"x":1,"x":2}"#,
            r#"[]"#,
        ] {
            assert!(serde_json::from_str::<Contents>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn helpers() {
        let mut c = Contents::default();
        let a = Account::new(enrollment(), 5).unwrap();
        let id = a.id.clone();
        c.accounts.push(a);
        assert!(c.account(&id).is_some());
        c.account_mut(&id).unwrap().notes = "n".into();
        assert_eq!(c.remove_account(&id).unwrap().notes, "n");
        assert!(c.account(&id).is_none());
    }
}
