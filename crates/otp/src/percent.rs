//! The one percent-decoder (RFC 3986 `%XX` escapes) for every URI Tessera
//! reads: `otpauth://` labels and parameters, the data of Google
//! Authenticator's `otpauth-migration://` codes, and the extras other apps
//! put into URI lists.
//!
//! What a `+` means depends on where it stands, so every caller says it:
//! in a form-encoded query value (`application/x-www-form-urlencoded`) it
//! is a space; in a URI path, and in base64 data, it is a plus. The output
//! is bytes in a zeroizing buffer, because what is decoded is often a
//! secret; callers that need text check UTF-8 themselves.

use zeroize::Zeroizing;

/// What a `+` in percent-encoded text stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlusSign {
    /// A plus: URI paths (the `otpauth://` label) and base64 data, where
    /// `+` is one of the alphabet's characters.
    Literal,
    /// A space: form-encoded query values, as HTML forms and most URI
    /// writers encode them.
    Space,
}

/// A `%` that is not followed by two hex digits. The message gives only
/// the position, never the text (which may be a secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed percent-encoding: the % at byte {position} is not followed by two hex digits")]
pub struct PercentError {
    /// Where the `%` is, counting bytes of the input from 1.
    pub position: usize,
}

/// Decodes `%XX` escapes (either case of hex digit) and, as `plus` says,
/// `+`. Every other byte is kept as it is.
pub fn percent_decode(text: &str, plus: PlusSign) -> Result<Zeroizing<Vec<u8>>, PercentError> {
    let input = text.as_bytes();
    // Decoding never lengthens the text, so the buffer never grows (which
    // would leave a copy of a secret behind).
    let mut bytes = Zeroizing::new(Vec::with_capacity(input.len()));
    let mut index = 0;
    while index < input.len() {
        match input[index] {
            b'%' => {
                let high = input.get(index + 1).and_then(|&digit| hex_value(digit));
                let low = input.get(index + 2).and_then(|&digit| hex_value(digit));
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(PercentError {
                        position: index + 1,
                    });
                };
                bytes.push((high << 4) | low);
                index += 3;
            }
            b'+' if plus == PlusSign::Space => {
                bytes.push(b' ');
                index += 1;
            }
            byte => {
                bytes.push(byte);
                index += 1;
            }
        }
    }
    Ok(bytes)
}

/// The value of one hex digit.
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str, plus: PlusSign) -> Result<Vec<u8>, PercentError> {
        percent_decode(text, plus).map(|bytes| bytes.to_vec())
    }

    #[test]
    fn escapes_decode_in_either_case_and_other_bytes_stay() {
        assert_eq!(
            decoded("a%3Ab%3a%2F%25%C3%A9", PlusSign::Literal).unwrap(),
            "a:b:/%é".as_bytes()
        );
        assert_eq!(decoded("", PlusSign::Space).unwrap(), b"");
        assert_eq!(
            decoded("東京 x", PlusSign::Space).unwrap(),
            "東京 x".as_bytes()
        );
        // Bytes that are not UTF-8 are the caller's to judge.
        assert_eq!(decoded("%ff%00", PlusSign::Literal).unwrap(), [0xff, 0]);
    }

    #[test]
    fn a_plus_is_what_the_caller_says() {
        assert_eq!(decoded("a+b%2B", PlusSign::Space).unwrap(), b"a b+");
        assert_eq!(decoded("a+b%2B", PlusSign::Literal).unwrap(), b"a+b+");
        assert_eq!(decoded("%20", PlusSign::Literal).unwrap(), b" ");
    }

    #[test]
    fn a_bad_escape_names_its_position_only() {
        for (text, position) in [
            ("%zz", 1),
            ("ab%4", 3),
            ("ab%", 3),
            ("%4g", 1),
            ("%41%", 4),
            ("%é0", 1),
        ] {
            assert_eq!(
                decoded(text, PlusSign::Literal),
                Err(PercentError { position }),
                "{text}"
            );
        }
        let message = PercentError { position: 7 }.to_string();
        assert_eq!(
            message,
            "malformed percent-encoding: the % at byte 7 is not followed by two hex digits"
        );
    }
}
