//! The one rule for handing secrets out of the vault: showing recovery
//! codes, an account's QR code, an export in the clear, or letting the OS
//! keyring open the vault from now on. Each needs a fresh confirmation
//! that whoever asked for it cannot give by itself: the vault's password,
//! typed for this, or a yes to a prompt only the user can answer (the
//! app's native dialog, outside the page; a question on the terminal).
//!
//! It exists because a script that gets into the app's page can call any
//! command the page calls: without this, one injected script could read
//! every recovery code. The command line follows the same rule, so a
//! keyring-opened vault does not print secrets to whatever runs it
//! unasked.

use tessera_vault::Password;

use crate::error::CoreError;
use crate::vault::Vault;

/// What would leave the vault, named for the question the user answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disclosure {
    /// The recovery codes of one account or service.
    RecoveryCodes {
        /// How the set is named.
        label: String,
    },
    /// One account's QR code (its secret).
    AccountQr {
        /// How the account is named.
        label: String,
    },
    /// Every account in a file or images in the clear.
    PlainExport {
        /// The format's name.
        format: String,
    },
    /// The OS keyring opens the vault without the password from now on.
    KeyringUnlock,
}

impl Disclosure {
    /// The question to ask, one sentence.
    pub fn question(&self) -> String {
        match self {
            Disclosure::RecoveryCodes { label } => format!(
                "Show the recovery codes of {label}? Anyone who sees them can sign in as you."
            ),
            Disclosure::AccountQr { label } => format!(
                "Show the QR code of {label}? It holds the secret: anyone who scans it can make its codes."
            ),
            Disclosure::PlainExport { format } => format!(
                "Export every account as {format}, in the clear? Anyone who reads it can make your codes."
            ),
            Disclosure::KeyringUnlock => "Let the OS keyring open the vault without the password? \
                 Anyone logged in as you can then open it."
                .to_owned(),
        }
    }

    /// The label of the button that says yes (with a `_` before its access
    /// key, as GTK writes mnemonics).
    pub fn yes_button(&self) -> &'static str {
        match self {
            Disclosure::RecoveryCodes { .. } | Disclosure::AccountQr { .. } => "_Show",
            Disclosure::PlainExport { .. } => "_Export",
            Disclosure::KeyringUnlock => "_Allow",
        }
    }
}

/// How the user confirmed a disclosure.
#[derive(Clone, Copy)]
pub enum Confirmation<'a> {
    /// The vault's password, typed for this.
    Password(&'a Password),
    /// The user said yes to a prompt the requester could not answer.
    UserSaidYes,
    /// Nothing: the prompt was declined or could not be shown.
    None,
}

impl Vault {
    /// Checks the confirmation of `disclosure`: a password must be the
    /// vault's; a missing confirmation is [`CoreError::Declined`].
    pub fn confirm(
        &self,
        disclosure: &Disclosure,
        confirmation: Confirmation<'_>,
    ) -> Result<(), CoreError> {
        match confirmation {
            Confirmation::UserSaidYes => Ok(()),
            Confirmation::Password(password) => {
                if self.password_is(password)? {
                    Ok(())
                } else {
                    Err(CoreError::invalid(
                        "the password is wrong; nothing was shown",
                    ))
                }
            }
            Confirmation::None => Err(CoreError::Declined(disclosure.question())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_name_what_leaves_and_what_it_risks() {
        let codes = Disclosure::RecoveryCodes {
            label: "GitHub (alice)".into(),
        };
        assert!(codes.question().contains("GitHub (alice)"));
        assert_eq!(codes.yes_button(), "_Show");
        let export = Disclosure::PlainExport {
            format: "otpauth:// URI list".into(),
        };
        assert!(export.question().contains("in the clear"));
        assert!(Disclosure::KeyringUnlock.question().contains("keyring"));
    }
}
