//! Turns the bytes of a QR code's byte segments into text.
//!
//! QR codes rarely say which character set their bytes are in (an ECI
//! header is optional and seldom written), so readers guess. rqrr hands out
//! raw bytes; this module guesses the way ZXing does, in the same order of
//! preference, so that the two engines this crate uses never disagree on a
//! payload: valid UTF-8 first, then Shift-JIS (Japanese phones wrote most of
//! the world's non-ASCII QR codes), then ISO-8859-1, which accepts anything.
//! Enrollment payloads are ASCII, where all three agree.

/// Decodes QR byte-mode content into text, guessing the character set.
pub(crate) fn bytes_to_text(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        // A UTF-8 byte-order mark is a statement of encoding, not content.
        return text.strip_prefix('\u{feff}').unwrap_or(text).to_owned();
    }
    if looks_like_shift_jis(bytes) {
        let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
        if !had_errors {
            return text.into_owned();
        }
    }
    bytes.iter().map(|&byte| char::from(byte)).collect()
}

/// Whether every multi-byte sequence in `bytes` is a well-formed Shift-JIS
/// double-byte character, and there is at least one of them. Half-width
/// katakana alone (single bytes 0xA1..=0xDF) are not enough: that is also
/// what accented Latin-1 text looks like.
fn looks_like_shift_jis(bytes: &[u8]) -> bool {
    let mut double_byte_characters = 0usize;
    let mut index = 0;
    while index < bytes.len() {
        let lead = bytes[index];
        match lead {
            0x00..=0x7f | 0xa1..=0xdf => index += 1,
            0x81..=0x9f | 0xe0..=0xef => {
                let Some(&trail) = bytes.get(index + 1) else {
                    return false;
                };
                if !matches!(trail, 0x40..=0x7e | 0x80..=0xfc) {
                    return false;
                }
                double_byte_characters += 1;
                index += 2;
            }
            _ => return false,
        }
    }
    double_byte_characters > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_utf8_are_kept() {
        assert_eq!(bytes_to_text(b"otpauth://totp/x"), "otpauth://totp/x");
        assert_eq!(bytes_to_text("Grüße".as_bytes()), "Grüße");
        assert_eq!(bytes_to_text("\u{feff}hi".as_bytes()), "hi");
    }

    #[test]
    fn shift_jis_is_recognised() {
        // "日本" in Shift-JIS.
        assert_eq!(bytes_to_text(&[0x93, 0xfa, 0x96, 0x7b]), "日本");
    }

    #[test]
    fn latin1_is_the_fallback() {
        // "café" in ISO-8859-1: 0xE9 alone is not valid UTF-8 nor a
        // complete Shift-JIS pair.
        assert_eq!(bytes_to_text(b"caf\xe9"), "café");
        // Single half-width katakana bytes read as Latin-1 letters.
        assert_eq!(bytes_to_text(b"\xc0\xe0"), "Àà");
    }
}
