//! The one rule for issuer and account names, wherever they come from: a
//! typed name, an `otpauth://` URI, a QR code or another app's backup.
//!
//! Names are shown in one-line lists and printed by the CLI to a terminal,
//! so a hostile file or QR code must not be able to plant line breaks or
//! terminal escape sequences in them, nor store a megabyte-long name.

/// Longest issuer or account name, in characters. Real ones are far
/// shorter; the app's fields use the same bound.
pub const MAX_LABEL_CHARS: usize = 200;

/// Why an issuer or account name is refused. The message names the field,
/// never repeats the text (which could be the very escape sequence or
/// megabyte that made it fail).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    /// Longer than [`MAX_LABEL_CHARS`].
    #[error("the {what} is longer than {max} characters", max = MAX_LABEL_CHARS)]
    TooLong {
        /// "issuer" or "account name".
        what: &'static str,
    },
    /// Holds a control character (a line break, a tab, an escape).
    #[error("the {what} must not contain line breaks or control characters")]
    ControlCharacter {
        /// "issuer" or "account name".
        what: &'static str,
    },
}

/// Checks an issuer or account name (already trimmed); `what` names it in
/// the error.
pub fn check_label(text: &str, what: &'static str) -> Result<(), LabelError> {
    // `nth` stops counting early, so a huge text costs no more than the
    // bound.
    if text.chars().nth(MAX_LABEL_CHARS).is_some() {
        return Err(LabelError::TooLong { what });
    }
    if text.chars().any(char::is_control) {
        return Err(LabelError::ControlCharacter { what });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_real_services_pass() {
        for name in [
            "GitHub",
            "alice@example.com",
            "Zürich Bank",
            "東京",
            "ACME: ops",
        ] {
            assert_eq!(check_label(name, "issuer"), Ok(()));
        }
        assert_eq!(check_label(&"a".repeat(MAX_LABEL_CHARS), "issuer"), Ok(()));
    }

    #[test]
    fn long_names_and_control_characters_are_refused_without_echo() {
        let long = "a".repeat(MAX_LABEL_CHARS + 1);
        let error = check_label(&long, "account name").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the account name is longer than 200 characters"
        );
        for hostile in ["two\nlines", "tab\there", "\u{1b}]0;pwned\u{7}", "nul\0"] {
            let error = check_label(hostile, "issuer").unwrap_err();
            assert_eq!(error, LabelError::ControlCharacter { what: "issuer" });
            assert!(!error.to_string().contains(hostile));
        }
    }
}
