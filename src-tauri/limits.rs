//! Size limits on everything the webview sends, checked before any work is
//! done with it, and the small text checks the commands share. The webview
//! is trusted no more than any other input: a compromised page must not be
//! able to make Rust hash a gigabyte or store a megabyte-long name.

use tessera_vault::AccountId;

/// Longest password, in bytes. Argon2 takes any length; this only bounds
/// what one IPC call can make it hash.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest issuer or account name, in characters.
/// The same bound the CLI and imports apply (tessera-otp's label rule).
pub const MAX_LABEL_CHARS: usize = tessera_otp::MAX_LABEL_CHARS;
/// Longest secret as typed (base32 with spaces), in characters.
pub const MAX_SECRET_CHARS: usize = 1024;
/// Longest `otpauth://` URI, in bytes (real ones are under 300).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Longest notes of one account, in characters.
pub const MAX_NOTES_CHARS: usize = 10_000;
/// Most tags on one account.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// Longest account id accepted (ids are 32 hex digits).
pub const MAX_ID_BYTES: usize = 64;
/// Most accounts one vault may hold through the app.
pub const MAX_ACCOUNTS: usize = 10_000;

/// Refuses text longer than `max` characters, naming `what`.
pub fn check_chars(text: &str, max: usize, what: &str) -> Result<(), String> {
    // Counting stops early, so a huge string costs no more than `max` steps.
    if text.chars().nth(max).is_some() {
        return Err(format!("the {what} is longer than {max} characters"));
    }
    Ok(())
}

/// A one-line label (issuer, name, tag): trimmed, bounded, and without
/// control characters, which would break the one-line displays and the
/// CLI's tables.
pub fn clean_label(text: &str, max: usize, what: &str) -> Result<String, String> {
    let trimmed = text.trim();
    check_chars(trimmed, max, what)?;
    if trimmed.chars().any(char::is_control) {
        return Err(format!(
            "the {what} must not contain line breaks or control characters"
        ));
    }
    Ok(trimmed.to_owned())
}

/// Parses an account id sent by the webview.
pub fn account_id(text: &str) -> Result<AccountId, String> {
    if text.len() > MAX_ID_BYTES {
        return Err("that is not an account id".to_owned());
    }
    AccountId::parse(text).ok_or_else(|| "that is not an account id".to_owned())
}

/// Cleans a list of tags: each a trimmed label, no empties, no duplicates
/// (ignoring case), at most [`MAX_TAGS`].
pub fn clean_tags(tags: &[String]) -> Result<Vec<String>, String> {
    if tags.len() > MAX_TAGS {
        return Err(format!("an account can have at most {MAX_TAGS} tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = clean_label(tag, MAX_TAG_CHARS, "tag")?;
        if !tag.is_empty() && !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_bounded_and_single_line() {
        assert_eq!(clean_label("  GitHub ", 10, "issuer").unwrap(), "GitHub");
        assert_eq!(
            clean_label(&"x".repeat(11), 10, "issuer").unwrap_err(),
            "the issuer is longer than 10 characters"
        );
        assert!(clean_label(&"é".repeat(10), 10, "issuer").is_ok());
        assert!(clean_label("a\nb", 10, "name")
            .unwrap_err()
            .contains("line breaks"));
    }

    #[test]
    fn tags_are_deduplicated_and_bounded() {
        let tags = vec![" work ".into(), "Work".into(), "".into(), "home".into()];
        assert_eq!(clean_tags(&tags).unwrap(), ["work", "home"]);
        assert!(clean_tags(&vec!["t".to_owned(); 21]).is_err());
        assert!(clean_tags(&["x".repeat(41)]).is_err());
    }

    #[test]
    fn ids_are_bounded() {
        assert!(account_id("00ff").is_ok());
        assert!(account_id("").is_err());
        assert!(account_id(&"a".repeat(65)).is_err());
    }
}
