//! The bounds on what a user, a script or a page may store, and the small
//! text checks every operation shares.
//!
//! It exists so that the command line and the app accept exactly the same
//! names, notes and tags: a compromised page must not be able to store a
//! megabyte-long name, and a script must not be able to store what the app
//! would then refuse to show.

use tessera_otp::check_label;
use tessera_vault::AccountId;

use crate::error::CoreError;

/// Longest issuer, account or service name, in characters (the OTP crate's
/// one rule for names).
pub const MAX_LABEL_CHARS: usize = tessera_otp::MAX_LABEL_CHARS;
/// Longest secret as typed (spaces and dashes included).
pub const MAX_SECRET_CHARS: usize = 1024;
/// Longest `otpauth://` URI.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Longest notes of an account, or note of a set of recovery codes.
pub const MAX_NOTES_CHARS: usize = 10_000;
/// Most tags on one account.
pub const MAX_TAGS: usize = 20;
/// Longest tag.
pub const MAX_TAG_CHARS: usize = 40;
/// Longest account or entry id accepted from outside.
pub const MAX_ID_BYTES: usize = 64;
/// Most accounts a vault holds: the app lists them all, and a list past
/// this is a mistake (an import run in a loop), not a user's accounts.
pub const MAX_ACCOUNTS: usize = 10_000;
/// Most recovery codes kept for one account or service.
pub const MAX_CODES_PER_ENTRY: usize = 200;
/// Longest password accepted (vault, import and export passwords).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Fails when `text` has more than `max` characters. Counting stops early,
/// so a huge text costs no more than `max` steps.
pub fn check_chars(text: &str, max: usize, what: &str) -> Result<(), CoreError> {
    if text.chars().nth(max).is_some() {
        return Err(CoreError::Invalid(format!(
            "the {what} is longer than {max} characters"
        )));
    }
    Ok(())
}

/// An issuer or account name as stored: trimmed, one line, bounded.
pub fn clean_label(text: &str, what: &'static str) -> Result<String, CoreError> {
    let trimmed = text.trim();
    check_label(trimmed, what).map_err(CoreError::invalid)?;
    Ok(trimmed.to_owned())
}

/// Notes as stored: bounded, any text.
pub fn check_notes(text: &str) -> Result<(), CoreError> {
    check_chars(text, MAX_NOTES_CHARS, "notes")
}

/// Tags as stored: trimmed, one line each, without blanks or duplicates
/// (ignoring case), at most [`MAX_TAGS`].
pub fn clean_tags(tags: &[String]) -> Result<Vec<String>, CoreError> {
    if tags.len() > MAX_TAGS {
        return Err(CoreError::Invalid(format!(
            "an account can have at most {MAX_TAGS} tags"
        )));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim();
        check_chars(tag, MAX_TAG_CHARS, "tag")?;
        if tag.chars().any(char::is_control) {
            return Err(CoreError::invalid(
                "the tag must not contain line breaks or control characters",
            ));
        }
        if !tag.is_empty() && !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}

/// An account or entry id given from outside, bounded.
pub fn parse_id(text: &str) -> Result<AccountId, CoreError> {
    if text.len() > MAX_ID_BYTES {
        return Err(CoreError::invalid("that is not an account id"));
    }
    AccountId::parse(text).ok_or_else(|| CoreError::invalid("that is not an account id"))
}

/// A password given from outside: bounded and not empty.
pub fn check_password(text: &str) -> Result<(), CoreError> {
    if text.len() > MAX_PASSWORD_BYTES {
        return Err(CoreError::Invalid(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if text.is_empty() {
        return Err(CoreError::invalid("the password must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_bounded_and_single_line() {
        assert_eq!(clean_label("  GitHub ", "issuer").unwrap(), "GitHub");
        let long = "x".repeat(MAX_LABEL_CHARS + 1);
        assert_eq!(
            clean_label(&long, "issuer").unwrap_err().to_string(),
            format!("the issuer is longer than {MAX_LABEL_CHARS} characters")
        );
        assert!(clean_label(&"é".repeat(MAX_LABEL_CHARS), "issuer").is_ok());
        assert!(clean_label("a\nb", "account name")
            .unwrap_err()
            .to_string()
            .contains("line breaks"));
    }

    #[test]
    fn tags_are_deduplicated_and_bounded() {
        let tags = vec![" work ".into(), "Work".into(), "".into(), "home".into()];
        assert_eq!(clean_tags(&tags).unwrap(), ["work", "home"]);
        assert!(clean_tags(&vec!["t".to_owned(); MAX_TAGS + 1]).is_err());
        assert!(clean_tags(&["x".repeat(MAX_TAG_CHARS + 1)]).is_err());
        assert!(clean_tags(&["a\tb".to_owned()]).is_err());
    }

    #[test]
    fn ids_and_passwords_are_bounded() {
        assert!(parse_id("00ff").is_ok());
        assert!(parse_id("").is_err());
        assert!(parse_id(&"a".repeat(MAX_ID_BYTES + 1)).is_err());
        assert!(check_password("").is_err());
        assert!(check_password(&"p".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
        check_password("correct horse").unwrap();
    }
}
