//! Base64 (RFC 4648) for the `data` of migration codes, written here
//! rather than taken from a crate because the reading has to be lenient in
//! ways no general decoder is, and both directions must keep the bytes
//! (secrets) in zeroizing buffers that never grow.
//!
//! Reading accepts what scanners and people hand over: the standard and
//! the URL-safe alphabet (mixed, even), `=` padding or none, unused low
//! bits that are not zero (as [`Secret::from_base32`](crate::Secret::from_base32)
//! ignores them), tabs and line breaks anywhere, and a space where a `+`
//! was: a `+` that reached a form decoder unescaped comes out as a space.
//! Writing is standard base64 with padding, as Google Authenticator writes
//! it.

use zeroize::Zeroizing;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Decodes `text`; on failure, the position of the first byte that cannot
/// be base64 here (counting from 1; the length when a character is missing
/// at the end).
pub(super) fn decode(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, usize> {
    // Four characters make three bytes, so this is never outgrown.
    let mut decoded = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
    let mut accumulator = 0u32;
    let mut bits = 0u32;
    let mut padding_seen = false;
    for (index, &character) in text.iter().enumerate() {
        let value = match character {
            b'A'..=b'Z' => character - b'A',
            b'a'..=b'z' => character - b'a' + 26,
            b'0'..=b'9' => character - b'0' + 52,
            b'+' | b'-' | b' ' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding_seen = true;
                continue;
            }
            b'\t' | b'\r' | b'\n' => continue,
            _ => return Err(index + 1),
        };
        if padding_seen {
            return Err(index + 1);
        }
        accumulator = (accumulator << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            decoded.push((accumulator >> bits) as u8);
            accumulator &= (1 << bits) - 1;
        }
    }
    // Six bits left over cannot come from whole bytes: a character is lost.
    if bits >= 6 {
        return Err(text.len());
    }
    Ok(decoded)
}

/// Standard base64 with `=` padding.
pub(super) fn encode(bytes: &[u8]) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(3) * 4));
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |word, (index, &byte)| {
            word | u32::from(byte) << (16 - 8 * index)
        });
        for index in 0..4 {
            if index <= chunk.len() {
                text.push(char::from(
                    ALPHABET[(word >> (18 - 6 * index) & 63) as usize],
                ));
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Result<Vec<u8>, usize> {
        decode(text.as_bytes()).map(|bytes| bytes.to_vec())
    }

    /// RFC 4648 section 10.
    #[test]
    fn the_rfc_vectors_both_ways() {
        for (bytes, text) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(bytes.as_bytes()).as_str(), text);
            assert_eq!(decoded(text).unwrap(), bytes.as_bytes(), "{text}");
            assert_eq!(
                decoded(text.trim_end_matches('=')).unwrap(),
                bytes.as_bytes(),
                "{text} unpadded"
            );
        }
    }

    #[test]
    fn every_byte_value_round_trips() {
        let bytes: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
        for length in 0..bytes.len() {
            let text = encode(&bytes[..length]);
            assert_eq!(text.len(), length.div_ceil(3) * 4);
            assert_eq!(decoded(&text).unwrap(), &bytes[..length]);
        }
    }

    #[test]
    fn lenient_forms_read_the_same() {
        let bytes = [0xfb, 0xff, 0xbf, 0x3e];
        let standard = encode(&bytes);
        assert_eq!(standard.as_str(), "+/+/Pg==");
        for text in [
            "-_-_Pg==",
            "+_-/Pg",
            " / /Pg=",
            "+/+/\r\nPg\t==",
            "+/+/Ph==",
        ] {
            assert_eq!(decoded(text).unwrap(), bytes, "{text}");
        }
    }

    #[test]
    fn bad_characters_and_lost_ones_are_placed() {
        assert_eq!(decoded("ab*d"), Err(3));
        assert_eq!(decoded("abcd=e"), Err(6));
        assert_eq!(decoded("abcde"), Err(5));
        assert_eq!(decoded("ab\u{e9}d"), Err(3));
        assert_eq!(decoded("a"), Err(1));
    }
}
