//! Reading the JSON formats without letting a parser quote a secret back.
//!
//! serde_json's messages can include the offending value ("invalid type:
//! string \"JBSW…\""), so whole-file errors keep only the kind and the
//! position, and entries are read field by field from a [`Value`] with
//! messages written here.

use std::ops::Deref;

use serde_json::Value;
use zeroize::Zeroize;

use crate::error::ImportError;

/// A parsed document whose strings (secrets among them) are wiped when it
/// is dropped.
pub(crate) struct Doc(Value);

impl Deref for Doc {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}

impl Drop for Doc {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Overwrites every string in a JSON value, keys included.
fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => {
            for (_, item) in map.iter_mut() {
                wipe(item);
            }
            // Keys cannot be borrowed mutably in place; they are field
            // names, not secrets.
        }
        _ => {}
    }
}

/// Parses a whole file (or a decrypted plaintext) as JSON; errors carry
/// only a position.
pub(crate) fn parse(format: &'static str, bytes: &[u8]) -> Result<Doc, ImportError> {
    serde_json::from_slice(bytes)
        .map(Doc)
        .map_err(|error| describe(format, &error))
}

/// The JSON value if `bytes` parse as JSON at all, for format detection.
pub(crate) fn sniff(bytes: &[u8]) -> Option<Doc> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    serde_json::from_slice(bytes).ok().map(Doc)
}

/// A JSON error as an [`ImportError`] without the parser's own words.
fn describe(format: &'static str, error: &serde_json::Error) -> ImportError {
    let position = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        serde_json::error::Category::Eof => ImportError::Truncated {
            format,
            what: format!("the JSON ends early, at {position}"),
        },
        serde_json::error::Category::Syntax => ImportError::NotThisFormat {
            format,
            reason: format!("it is not valid JSON (error at {position})"),
        },
        _ => ImportError::Corrupt {
            format,
            reason: format!("unreadable JSON at {position}"),
        },
    }
}

/// A string field; `None` when missing, null or not a string.
pub(crate) fn str_field<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// A whole non-negative number, written as a number or as digits in a
/// string (some apps do both); `Ok(None)` when missing or null.
pub(crate) fn u64_field(object: &Value, key: &str) -> Result<Option<u64>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{key} must be a whole number from 0 up, not {number}")),
        Some(Value::String(text)) => text
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("{key} must be a whole number from 0 up")),
        Some(_) => Err(format!("{key} must be a number")),
    }
}

/// A number field that must fit in a `u8` (digits).
pub(crate) fn u8_field(object: &Value, key: &str) -> Result<Option<u8>, String> {
    match u64_field(object, key)? {
        None => Ok(None),
        Some(value) => u8::try_from(value)
            .map(Some)
            .map_err(|_| format!("{key} {value} is out of range")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_never_quote_the_input() {
        let error = parse("Aegis", br#"{"secret": "JBSWY3DPEHPK3PXP""#)
            .err()
            .unwrap();
        assert!(matches!(error, ImportError::Truncated { .. }), "{error:?}");
        assert!(!error.to_string().contains("JBSW"));
        let error = parse("Aegis", br#"{"secret": JBSWY3DPEHPK3PXP}"#)
            .err()
            .unwrap();
        assert!(
            matches!(error, ImportError::NotThisFormat { .. }),
            "{error:?}"
        );
        assert!(!error.to_string().contains("JBSW"), "{error}");
    }

    #[test]
    fn wipe_clears_every_string() {
        let mut value = json!({"a": ["secret", {"b": "other"}], "n": 1});
        wipe(&mut value);
        assert_eq!(value, json!({"a": ["", {"b": ""}], "n": 1}));
    }

    #[test]
    fn fields() {
        let value = json!({"a": 5, "b": "7", "c": "x", "d": -1, "e": 300, "f": true, "g": null});
        assert_eq!(u64_field(&value, "a"), Ok(Some(5)));
        assert_eq!(u64_field(&value, "b"), Ok(Some(7)));
        assert!(u64_field(&value, "c").is_err());
        assert!(u64_field(&value, "d").is_err());
        assert_eq!(u64_field(&value, "g"), Ok(None));
        assert_eq!(u64_field(&value, "zz"), Ok(None));
        assert!(u8_field(&value, "e").is_err());
        assert!(sniff(b"  {\"a\":1}").is_some());
        assert!(sniff(b"otpauth://").is_none());
    }
}
