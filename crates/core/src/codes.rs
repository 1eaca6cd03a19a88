//! The codes of a list of accounts at one moment: what the app's tick
//! shows and what `tessera code` prints.
//!
//! The moment is an argument. The user's time offset (a preference, for a
//! machine whose clock is off) is applied once, by [`code_time`], so the
//! app and the command line make the same code at the same instant.
//! Counter-based (HOTP) accounts have no code at a moment: theirs is made
//! on request ([`crate::Vault::next_hotp`]), so listing never spends a
//! counter value.

use serde::Serialize;
use tessera_otp::Code;
use tessera_vault::Account;

use crate::preferences::Preferences;

/// In the last this many seconds of a period the next code is given too,
/// so it can be shown before the current one runs out.
pub const NEXT_CODE_SECONDS: u64 = 5;

/// The moment codes are made for, in unix milliseconds: the system clock
/// plus the user's time offset, never before 1970.
pub fn code_time(preferences: &Preferences, system_millis: u64) -> u64 {
    preferences.code_time_millis(system_millis)
}

/// One account's code at a moment. No secret; the code itself is what the
/// user asked to see.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountCode {
    /// The account's id.
    pub id: String,
    /// The code (time-based kinds); `None` for HOTP, whose code is made on
    /// request.
    pub code: Option<String>,
    /// The next code, in the last [`NEXT_CODE_SECONDS`] of a period.
    pub next: Option<String>,
    /// Unix seconds the code became valid (time-based kinds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub valid_from: Option<u64>,
    /// Unix seconds the code stops being valid (time-based kinds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub valid_until: Option<u64>,
    /// Why no code can be made (settings a newer version wrote, say).
    pub error: Option<String>,
}

impl AccountCode {
    /// Seconds left until the code changes, at `unix_seconds`.
    pub fn seconds_left(&self, unix_seconds: u64) -> Option<u64> {
        self.valid_until
            .map(|until| until.saturating_sub(unix_seconds))
    }
}

/// The code of one account at `unix_seconds`; for a counter-based account,
/// `hotp` (the code last made for it, if the caller keeps one).
pub fn code_of(account: &Account, unix_seconds: u64, hotp: Option<&Code>) -> AccountCode {
    let mut view = AccountCode {
        id: account.id.to_string(),
        code: None,
        next: None,
        valid_from: None,
        valid_until: None,
        error: None,
    };
    match account.enrollment.timed_code(unix_seconds) {
        Ok(Some(timed)) => {
            if timed.seconds_left(unix_seconds) <= NEXT_CODE_SECONDS {
                view.next = account
                    .enrollment
                    .code_at_offset(unix_seconds, 1)
                    .ok()
                    .flatten()
                    .map(|c| c.as_str().to_owned());
            }
            view.code = Some(timed.code.as_str().to_owned());
            view.valid_from = Some(timed.valid_from);
            view.valid_until = Some(timed.valid_until);
        }
        Ok(None) => view.code = hotp.map(|c| c.as_str().to_owned()),
        Err(e) => view.error = Some(e.to_string()),
    }
    view
}

/// The codes of `accounts` at `unix_seconds`, in their order.
pub fn codes_at<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    unix_seconds: u64,
    hotp: impl Fn(&Account) -> Option<&'a Code>,
) -> Vec<AccountCode> {
    accounts
        .into_iter()
        .map(|account| code_of(account, unix_seconds, hotp(account)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::uri;

    fn account(text: &str) -> Account {
        Account::new(uri::parse(text).unwrap(), 1).unwrap()
    }

    #[test]
    fn codes_at_a_moment_with_the_next_one_near_the_end() {
        let totp = account("otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME");
        let hotp = account("otpauth://hotp/ACME:bob?secret=JBSWY3DPEHPK3PXP&counter=0");
        let codes = codes_at([&totp, &hotp], 59, |_| None);
        assert_eq!(codes[0].code.as_deref(), Some("996554"));
        assert_eq!(codes[0].next.as_deref(), Some("602287"));
        assert_eq!(codes[0].seconds_left(59), Some(1));
        assert_eq!(codes[1].code, None, "HOTP codes are made on request");
        let early = code_of(&totp, 31, None);
        assert_eq!(early.next, None);
        assert_eq!(early.valid_from, Some(30));
    }

    #[test]
    fn the_time_offset_moves_the_moment() {
        let preferences = Preferences {
            time_offset_seconds: -30,
            ..Preferences::default()
        };
        assert_eq!(code_time(&preferences, 89_000), 59_000);
        assert_eq!(code_time(&Preferences::default(), 89_000), 89_000);
    }
}
