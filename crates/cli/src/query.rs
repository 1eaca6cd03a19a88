//! Picking accounts by what users type: part of the issuer or account name
//! in any case, or an account's id.

use anyhow::bail;
use tessera_vault::Account;

/// How an account is named in messages: "Issuer (name)".
pub fn label(account: &Account) -> String {
    let (issuer, name) = (&account.enrollment.issuer, &account.enrollment.name);
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer.clone(),
        (true, false) => name.clone(),
        (true, true) => format!("unnamed account {}", account.id.as_str()),
    }
}

/// The accounts `query` picks: the one whose id it is, or else every
/// account whose issuer or name contains it, ignoring case.
pub fn matching<'a>(accounts: &'a [Account], query: &str) -> Vec<&'a Account> {
    if let Some(by_id) = accounts.iter().find(|a| a.id.as_str() == query) {
        return vec![by_id];
    }
    let needle = query.to_lowercase();
    accounts
        .iter()
        .filter(|a| {
            a.enrollment.issuer.to_lowercase().contains(&needle)
                || a.enrollment.name.to_lowercase().contains(&needle)
        })
        .collect()
}

/// The one account `query` picks; none or several is an error that lists
/// what matched, so the user can narrow it down (or use an id).
pub fn exactly_one<'a>(accounts: &'a [Account], query: &str) -> anyhow::Result<&'a Account> {
    let found = matching(accounts, query);
    match found.as_slice() {
        [one] => Ok(one),
        [] => bail!("no account matches {query:?} (see `tessera list`)"),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|a| format!("{} [{}]", label(a), a.id.as_str()))
                .collect();
            bail!(
                "{query:?} matches {} accounts: {}; nothing was changed (give more of the name, or an id)",
                several.len(),
                names.join(", ")
            )
        }
    }
}
