//! The accounts: how one is named, how a query finds them, and adding,
//! editing and removing one, with the one duplicate rule
//! ([`Enrollment::is_same_account`]) and the same checks for a name typed
//! in the app, given on the command line or read from a QR code.

use tessera_otp::{Code, Enrollment, OtpKind};
use tessera_vault::{Account, AccountId, Contents};

use crate::error::CoreError;
use crate::limits::{check_notes, clean_label, clean_tags, MAX_ACCOUNTS};
use crate::vault::Vault;

/// How an account is named in messages: `Issuer (name)`, the issuer or the
/// name alone when the other is empty, `unnamed account ID` when both are.
pub fn label(account: &Account) -> String {
    let named = names_label(&account.enrollment.issuer, &account.enrollment.name);
    if named.is_empty() {
        format!("unnamed account {}", account.id)
    } else {
        named
    }
}

/// The names part of [`label`]: `Issuer (name)`, one of them alone, or
/// empty; for accounts not in the vault yet (found by a scan, read from a
/// file), which have no id.
pub fn names_label(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer.to_owned(),
        _ => name.to_owned(),
    }
}

/// An account's label with its id, as lists of matches show it.
pub fn label_with_id(account: &Account) -> String {
    format!("{} [{}]", label(account), account.id)
}

/// The accounts `query` finds: the one whose id it is; else those it names
/// in full ([`label`], ignoring case); else every account whose issuer or
/// name contains it, ignoring case.
pub fn find<'a>(accounts: &'a [Account], query: &str) -> Vec<&'a Account> {
    if let Some(by_id) = accounts.iter().find(|a| a.id.as_str() == query) {
        return vec![by_id];
    }
    let needle = query.to_lowercase();
    let named: Vec<&Account> = accounts
        .iter()
        .filter(|a| label(a).to_lowercase() == needle.trim())
        .collect();
    if !named.is_empty() {
        return named;
    }
    accounts
        .iter()
        .filter(|a| {
            a.enrollment.issuer.to_lowercase().contains(&needle)
                || a.enrollment.name.to_lowercase().contains(&needle)
        })
        .collect()
}

/// The one account `query` finds; none or several is an error that names
/// every match, so the user can narrow the query down (or use an id).
pub fn find_one<'a>(accounts: &'a [Account], query: &str) -> Result<&'a Account, CoreError> {
    match find(accounts, query).as_slice() {
        [one] => Ok(one),
        [] => Err(CoreError::NoMatch {
            what: "account",
            query: query.to_owned(),
        }),
        several => Err(CoreError::Ambiguous {
            what: "account",
            query: query.to_owned(),
            matches: several.iter().map(|a| label_with_id(a)).collect(),
        }),
    }
}

/// Whether `query` names `account` exactly: its id, or its full name as
/// shown ([`label`]), ignoring case.
pub fn names_exactly(account: &Account, query: &str) -> bool {
    let query = query.trim();
    account.id.as_str() == query || label(account).to_lowercase() == query.to_lowercase()
}

/// Which counter-based (HOTP) accounts found by `query` may have a counter
/// value spent on them, and the labels of those that may not. Making an
/// HOTP code uses up a counter value for good, so only an account the user
/// clearly meant is spent: the one account the query finds, or one it
/// names exactly ([`names_exactly`]); `code a` must not advance every HOTP
/// account with an "a" in its name.
pub fn hotp_to_spend(accounts: &[Account], query: &str) -> (Vec<AccountId>, Vec<String>) {
    let found = find(accounts, query);
    let only_one = found.len() == 1;
    let mut spend = Vec::new();
    let mut skipped = Vec::new();
    for account in found {
        if account.enrollment.params.kind != OtpKind::Hotp {
            continue;
        }
        if only_one || names_exactly(account, query) {
            spend.push(account.id.clone());
        } else {
            skipped.push(label(account));
        }
    }
    (spend, skipped)
}

/// The account in `contents` that is the same as `enrollment`, if any.
pub fn same_account<'a>(contents: &'a Contents, enrollment: &Enrollment) -> Option<&'a Account> {
    contents
        .accounts
        .iter()
        .find(|a| a.enrollment.is_same_account(enrollment))
}

/// Checks a new account's names as stored (trimmed, one line, bounded, not
/// both empty) and fixes them in place.
pub fn check_new_names(enrollment: &mut Enrollment) -> Result<(), CoreError> {
    enrollment.issuer = clean_label(&enrollment.issuer, "issuer")?;
    enrollment.name = clean_label(&enrollment.name, "account name")?;
    if enrollment.issuer.is_empty() && enrollment.name.is_empty() {
        return Err(CoreError::invalid(
            "give the account an issuer, a name, or both",
        ));
    }
    Ok(())
}

/// Fails when `more` accounts would take the vault past [`MAX_ACCOUNTS`].
pub(crate) fn check_room(contents: &Contents, more: usize) -> Result<(), CoreError> {
    if contents.accounts.len() + more > MAX_ACCOUNTS {
        return Err(CoreError::Invalid(format!(
            "the vault would hold more than {MAX_ACCOUNTS} accounts, the most Tessera manages"
        )));
    }
    Ok(())
}

/// What an edit changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountEdit {
    /// New issuer.
    pub issuer: Option<String>,
    /// New account name.
    pub name: Option<String>,
    /// New notes.
    pub notes: Option<String>,
    /// Favourite or not.
    pub favourite: Option<bool>,
    /// New tags.
    pub tags: Option<Vec<String>>,
}

impl AccountEdit {
    /// Whether the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.issuer.is_none()
            && self.name.is_none()
            && self.notes.is_none()
            && self.favourite.is_none()
            && self.tags.is_none()
    }

    /// The edit with every field checked and cleaned, before the vault is
    /// touched.
    fn checked(self) -> Result<AccountEdit, CoreError> {
        if let Some(notes) = &self.notes {
            check_notes(notes)?;
        }
        Ok(AccountEdit {
            issuer: self.issuer.map(|t| clean_label(&t, "issuer")).transpose()?,
            name: self
                .name
                .map(|t| clean_label(&t, "account name"))
                .transpose()?,
            notes: self.notes,
            favourite: self.favourite,
            tags: self.tags.as_deref().map(clean_tags).transpose()?,
        })
    }
}

impl Vault {
    /// Adds an account. Its names are checked and trimmed; an account that
    /// is already in the vault (same secret, issuer and name) is refused
    /// unless `allow_duplicate`.
    pub fn add_account(
        &mut self,
        mut enrollment: Enrollment,
        allow_duplicate: bool,
        now: u64,
    ) -> Result<Account, CoreError> {
        check_new_names(&mut enrollment)?;
        enrollment.params.validate().map_err(CoreError::invalid)?;
        self.update(now, |contents| {
            check_room(contents, 1)?;
            if !allow_duplicate {
                if let Some(existing) = same_account(contents, &enrollment) {
                    return Err(CoreError::Duplicate {
                        label: label(existing),
                        id: existing.id.to_string(),
                    });
                }
            }
            let account = Account::new(enrollment, now)?;
            contents.accounts.push(account.clone());
            Ok(account)
        })
    }

    /// Edits an account's names, notes, favourite mark or tags; returns it
    /// as saved.
    pub fn edit_account(
        &mut self,
        id: &AccountId,
        edit: AccountEdit,
        now: u64,
    ) -> Result<Account, CoreError> {
        if edit.is_empty() {
            return Err(CoreError::invalid("nothing to change"));
        }
        let edit = edit.checked()?;
        self.update(now, |contents| {
            let account = contents
                .account_mut(id)
                .ok_or(CoreError::Gone("the account"))?;
            if let Some(issuer) = edit.issuer {
                account.enrollment.issuer = issuer;
            }
            if let Some(name) = edit.name {
                account.enrollment.name = name;
            }
            if account.enrollment.issuer.is_empty() && account.enrollment.name.is_empty() {
                return Err(CoreError::invalid(
                    "an account needs an issuer or a name; nothing was changed",
                ));
            }
            if let Some(notes) = edit.notes {
                account.notes = notes;
            }
            if let Some(favourite) = edit.favourite {
                account.favourite = favourite;
            }
            if let Some(tags) = edit.tags {
                account.tags = tags;
            }
            account.updated_at = now;
            Ok(account.clone())
        })
    }

    /// Removes an account; its recovery codes stay, kept under its name.
    /// Returns the account removed.
    pub fn remove_account(&mut self, id: &AccountId, now: u64) -> Result<Account, CoreError> {
        self.update(now, |contents| {
            contents
                .remove_account(id)
                .ok_or(CoreError::Gone("the account"))
        })
    }

    /// Makes the next code of a counter-based (HOTP) account: the stored
    /// counter's code, with the counter advanced and saved in the same
    /// change, as the service expects. Returns the code and the counter it
    /// was made with.
    pub fn next_hotp(&mut self, id: &AccountId, now: u64) -> Result<(Code, u64), CoreError> {
        self.update(now, |contents| {
            let account = contents
                .account_mut(id)
                .ok_or(CoreError::Gone("the account"))?;
            if account.enrollment.params.kind != OtpKind::Hotp {
                return Err(CoreError::invalid(
                    "only counter-based (HOTP) accounts have a next code",
                ));
            }
            let counter = account.enrollment.params.counter;
            let code = account.enrollment.code_at(0).map_err(CoreError::invalid)?;
            account.enrollment.params.counter = counter
                .checked_add(1)
                .ok_or_else(|| CoreError::invalid("the HOTP counter is at its maximum"))?;
            account.updated_at = now;
            Ok((code, counter))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::uri;

    fn account(uri_text: &str) -> Account {
        Account::new(uri::parse(uri_text).unwrap(), 1).unwrap()
    }

    #[test]
    fn labels_fall_back_to_what_there_is() {
        let mut a = account("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub");
        assert_eq!(label(&a), "GitHub (alice)");
        a.enrollment.name.clear();
        assert_eq!(label(&a), "GitHub");
        a.enrollment.issuer.clear();
        assert_eq!(label(&a), format!("unnamed account {}", a.id));
        a.enrollment.name = "bob".into();
        assert_eq!(label(&a), "bob");
    }

    #[test]
    fn queries_find_by_id_or_by_part_of_a_name() {
        let accounts = vec![
            account("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"),
            account("otpauth://totp/GitLab:bob?secret=JBSWY3DPEHPK3PXP&issuer=GitLab"),
            account("otpauth://totp/GitLab:bobby?secret=JBSWY3DPEHPK3PXP&issuer=GitLab"),
        ];
        assert_eq!(find(&accounts, "gitlab (BOB)").len(), 1, "a full name wins");
        assert_eq!(find(&accounts, "git").len(), 3);
        assert_eq!(find(&accounts, "HUB").len(), 1);
        assert_eq!(
            find(&accounts, accounts[1].id.as_str())[0].id,
            accounts[1].id
        );
        assert_eq!(find_one(&accounts, "alice").unwrap().id, accounts[0].id);
        let error = find_one(&accounts, "git").unwrap_err();
        assert!(
            matches!(&error, CoreError::Ambiguous { matches, .. } if matches.len() == 3),
            "{error}"
        );
        assert!(error.to_string().contains("GitHub (alice) ["), "{error}");
        assert!(matches!(
            find_one(&accounts, "nobody"),
            Err(CoreError::NoMatch { .. })
        ));
    }

    /// Regression (issue 21, HOTP counters): `tessera code a` advanced the
    /// counter of every HOTP account with an "a" in its name. Only the one
    /// account a query finds, or one it names exactly, is spent.
    #[test]
    fn regression_a_loose_query_spends_no_hotp_counter() {
        let accounts = vec![
            account("otpauth://hotp/Bank:alice?secret=JBSWY3DPEHPK3PXP&issuer=Bank&counter=1"),
            account("otpauth://hotp/Mail:anna?secret=JBSWY3DPEHPK3PXP&issuer=Mail&counter=1"),
            account("otpauth://totp/Shop:al?secret=JBSWY3DPEHPK3PXP&issuer=Shop"),
        ];
        let (spend, skipped) = hotp_to_spend(&accounts, "a");
        assert!(spend.is_empty());
        assert_eq!(skipped, ["Bank (alice)", "Mail (anna)"]);
        let (spend, _) = hotp_to_spend(&accounts, "anna");
        assert_eq!(spend, [accounts[1].id.clone()], "the only match");
        let (spend, skipped) = hotp_to_spend(&accounts, "bank (ALICE)");
        assert_eq!(spend, [accounts[0].id.clone()]);
        assert!(skipped.is_empty());
        let (spend, skipped) = hotp_to_spend(&accounts, "l");
        assert!(spend.is_empty(), "three matches, none named in full");
        assert_eq!(skipped.len(), 2);
        let (spend, _) = hotp_to_spend(&accounts, accounts[0].id.as_str());
        assert_eq!(spend, [accounts[0].id.clone()], "an id");
    }

    #[test]
    fn an_edit_is_checked_before_anything_changes() {
        let too_long = AccountEdit {
            issuer: Some("x".repeat(crate::limits::MAX_LABEL_CHARS + 1)),
            ..AccountEdit::default()
        };
        assert!(too_long.checked().is_err());
        let tags = AccountEdit {
            tags: Some(vec![" a ".into(), "A".into()]),
            ..AccountEdit::default()
        };
        assert_eq!(tags.checked().unwrap().tags.unwrap(), ["a"]);
        assert!(AccountEdit::default().is_empty());
    }
}
