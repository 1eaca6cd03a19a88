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

/// Splits the `Issuer:` prefix off an account name, as Google Authenticator
/// exports write them, and trims both. The prefix becomes the issuer when
/// the issuer is blank (spaces only counts as blank), and is dropped when
/// it repeats the issuer; any other prefix is part of the name. A blank
/// prefix is neither: with no issuer it would match the empty one, and
/// every export and re-import would drop one more leading colon (found by
/// fuzzing). Both Google export readers (QR scan and file import) use it,
/// so an account reads the same either way.
pub fn split_issuer_prefix(issuer: &str, name: &str) -> (String, String) {
    let issuer = issuer.trim();
    let name = name.trim();
    if let Some((prefix, account)) = name.split_once(':') {
        let prefix = prefix.trim();
        if !prefix.is_empty() && (issuer.is_empty() || prefix == issuer) {
            return (prefix.to_owned(), account.trim().to_owned());
        }
    }
    (issuer.to_owned(), name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(issuer: &str, name: &str) -> (String, String) {
        split_issuer_prefix(issuer, name)
    }

    fn pair(issuer: &str, name: &str) -> (String, String) {
        (issuer.to_owned(), name.to_owned())
    }

    #[test]
    fn an_issuer_prefix_is_split_off_when_it_repeats_or_stands_in_for_the_issuer() {
        assert_eq!(split("Example", "Example: alice"), pair("Example", "alice"));
        assert_eq!(split("", "Example:alice"), pair("Example", "alice"));
        assert_eq!(
            split(" Example ", " Example :alice "),
            pair("Example", "alice")
        );
        // Only the first colon splits.
        assert_eq!(split("", "Example:ops:alice"), pair("Example", "ops:alice"));
    }

    #[test]
    fn other_prefixes_and_plain_names_are_kept_whole_and_trimmed() {
        assert_eq!(
            split("Example", "Other:alice"),
            pair("Example", "Other:alice")
        );
        assert_eq!(split("Example", " alice "), pair("Example", "alice"));
        assert_eq!(split("", "alice"), pair("", "alice"));
        // A blank prefix never becomes an issuer, nor is it dropped.
        assert_eq!(split("", ":alice"), pair("", ":alice"));
        assert_eq!(split("", "  ::::tail"), pair("", "::::tail"));
        assert_eq!(split("", "::::tail"), pair("", "::::tail"));
    }

    /// Regression: the QR-scan reader (tessera-scan) and the file importer
    /// (tessera-transfer) each had their own copy of this rule, and an
    /// issuer of spaces only split "X:y" in one of them and not the other.
    #[test]
    fn regression_the_two_google_readers_disagreed_on_an_issuer_of_spaces() {
        assert_eq!(split("   ", "X:y"), pair("X", "y"));
    }

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
