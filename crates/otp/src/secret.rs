//! The shared secret behind every code, and the text forms people paste it in.
//!
//! A [`Secret`] is the one value in this crate that must never leak: it lives
//! in a zeroizing buffer, its `Debug` prints only its length, and the errors
//! from decoding it name only facts that are not secret (an invalid
//! character, which by definition is not part of the key, and positions or
//! lengths).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// RFC 4648 base32 alphabet (upper case; decoding also accepts lower case).
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Why text or bytes could not become a [`Secret`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// There was nothing to use: no bytes, or only spaces, dashes and padding.
    #[error("secret is empty")]
    Empty,
    /// A character outside the base32 alphabet (or padding in the middle).
    #[error("secret is not valid base32: unexpected character {ch:?} at position {position}")]
    InvalidBase32Char {
        /// The offending character (never part of the key: it is not base32).
        ch: char,
        /// Where it is in the text as given, counting characters from 1.
        position: usize,
    },
    /// The number of base32 symbols leaves 1, 3 or 6 over a multiple of 8,
    /// which no whole number of bytes encodes to: usually a lost character.
    #[error(
        "secret is not valid base32: {symbols} symbols cannot encode whole bytes \
         (a character is probably missing or extra)"
    )]
    InvalidBase32Length {
        /// How many base32 symbols there were, ignoring separators and padding.
        symbols: usize,
    },
    /// A character that is not a hex digit.
    #[error("secret is not valid hex: unexpected character {ch:?} at position {position}")]
    InvalidHexChar {
        /// The offending character (never part of the key: it is not hex).
        ch: char,
        /// Where it is in the text as given, counting characters from 1.
        position: usize,
    },
    /// An odd number of hex digits: two digits make one byte.
    #[error("secret is not valid hex: {digits} digits is an odd number (two make one byte)")]
    InvalidHexLength {
        /// How many hex digits there were, ignoring spaces and the `0x` prefix.
        digits: usize,
    },
}

/// The key shared with the service, as raw bytes.
///
/// Held in a [`Zeroizing`] buffer, wiped on drop; `Debug` shows only the
/// length (`Secret(20 bytes)`). Serde writes it as an unpadded base32
/// string, the form every authenticator exports.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

// The inner `Zeroizing` wipes the bytes when a `Secret` is dropped.
impl ZeroizeOnDrop for Secret {}

impl Secret {
    /// Wraps raw key bytes. Refuses an empty key.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Secret, SecretError> {
        let bytes = Zeroizing::new(bytes);
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Secret(bytes))
    }

    /// Decodes base32 the way people paste it: any case, with or without `=`
    /// padding, with spaces, dashes, tabs and line breaks anywhere.
    ///
    /// Padding is only allowed at the end and its amount is not checked; the
    /// unused low bits of the last symbol are ignored rather than required
    /// to be zero, as most authenticators do.
    pub fn from_base32(text: &str) -> Result<Secret, SecretError> {
        decode_base32(text, Base32Length::Strict)
    }

    /// Decodes base32 like [`Secret::from_base32`], but reads an impossible
    /// length (1, 3 or 6 symbols over a multiple of 8) the way lenient
    /// decoders (pyotp, Guava, most authenticator apps) do: the leftover
    /// bits that do not fill a byte are dropped, so `ASECRET` and `ASECREQ`
    /// give the same 4 bytes and 11 symbols give 6.
    ///
    /// For imports only: exports from other apps carry secrets typed by hand
    /// that those apps accepted and display codes for, and refusing them
    /// would lose the account. Text a person types into Tessera goes through
    /// the strict [`Secret::from_base32`], whose length error catches a
    /// missing or extra character before it becomes a wrong key.
    ///
    /// Bad characters and padding in the middle are still refused, and so
    /// are empty text ([`SecretError::Empty`]) and text that leaves no whole
    /// byte, a single symbol ([`SecretError::InvalidBase32Length`]).
    pub fn from_base32_lenient(text: &str) -> Result<Secret, SecretError> {
        decode_base32(text, Base32Length::Lenient)
    }

    /// Decodes hexadecimal, in either case, with an optional `0x` prefix and
    /// spaces (or other whitespace) anywhere.
    pub fn from_hex(text: &str) -> Result<Secret, SecretError> {
        let trimmed = text.trim_start();
        let skipped = text.len() - trimmed.len();
        let (body, prefix_chars) = match trimmed.get(..2) {
            Some("0x" | "0X") => (&trimmed[2..], text[..skipped].chars().count() + 2),
            _ => (text, 0),
        };
        let mut digits = 0usize;
        for (index, ch) in body.chars().enumerate() {
            if ch.is_whitespace() {
                continue;
            }
            if !ch.is_ascii_hexdigit() {
                return Err(SecretError::InvalidHexChar {
                    ch,
                    position: prefix_chars + index + 1,
                });
            }
            digits += 1;
        }
        if digits == 0 {
            return Err(SecretError::Empty);
        }
        if digits % 2 != 0 {
            return Err(SecretError::InvalidHexLength { digits });
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(digits / 2));
        let mut high: Option<u8> = None;
        for ch in body.chars() {
            let Some(nibble) = ch.to_digit(16) else {
                continue;
            };
            let nibble = nibble as u8;
            match high.take() {
                None => high = Some(nibble),
                Some(high_nibble) => bytes.push((high_nibble << 4) | nibble),
            }
        }
        Ok(Secret(bytes))
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key as RFC 4648 base32, upper case, without padding.
    pub fn to_base32(&self) -> Zeroizing<String> {
        let bytes = self.as_bytes();
        let mut text = Zeroizing::new(String::with_capacity((bytes.len() * 8).div_ceil(5)));
        let mut buffer: u64 = 0;
        let mut bits = 0u32;
        for &byte in bytes {
            buffer = (buffer << 8) | u64::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                text.push(BASE32_ALPHABET[((buffer >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            text.push(BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
        }
        buffer.zeroize();
        text
    }

    /// The key length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `Secret` is never empty. Present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The key length in bits (80 for old services, 160 is typical).
    pub fn len_bits(&self) -> usize {
        self.0.len() * 8
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base32())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(Base32Visitor)
    }
}

/// Reads a base32 string into a [`Secret`] without echoing it in errors.
struct Base32Visitor;

impl Visitor<'_> for Base32Visitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base32 secret")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Secret, E> {
        // `custom` with our own message: serde's `invalid_value` would quote
        // the input, which is the secret.
        Secret::from_base32(text).map_err(E::custom)
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Secret, E> {
        let text = Zeroizing::new(text);
        self.visit_str(&text)
    }
}

/// Whether an impossible base32 length is an error or has its leftover
/// bits dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base32Length {
    Strict,
    Lenient,
}

/// The base32 decoder behind [`Secret::from_base32`] and
/// [`Secret::from_base32_lenient`].
fn decode_base32(text: &str, length: Base32Length) -> Result<Secret, SecretError> {
    // First pass: validate and count without copying anything.
    let mut symbols = 0usize;
    let mut first_padding: Option<usize> = None;
    for (index, ch) in text.chars().enumerate() {
        let position = index + 1;
        if is_separator(ch) {
            continue;
        }
        if ch == '=' {
            first_padding.get_or_insert(position);
            continue;
        }
        if let Some(padding_position) = first_padding {
            // Data after padding: blame the padding, which is not secret.
            return Err(SecretError::InvalidBase32Char {
                ch: '=',
                position: padding_position,
            });
        }
        if base32_value(ch).is_none() {
            return Err(SecretError::InvalidBase32Char { ch, position });
        }
        symbols += 1;
    }
    if symbols == 0 {
        return Err(SecretError::Empty);
    }
    if length == Base32Length::Strict && matches!(symbols % 8, 1 | 3 | 6) {
        return Err(SecretError::InvalidBase32Length { symbols });
    }

    // Second pass: decode straight into a buffer of the exact size, so no
    // reallocation leaves a stray copy of key bytes behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(symbols * 5 / 8));
    let mut buffer: u64 = 0;
    let mut bits = 0u32;
    for value in text.chars().filter_map(base32_value) {
        buffer = (buffer << 5) | u64::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    buffer.zeroize();
    if bytes.is_empty() {
        // Only the lenient reading gets here, from a lone symbol: its five
        // bits make no byte, so there is no key at all.
        return Err(SecretError::InvalidBase32Length { symbols });
    }
    Ok(Secret(bytes))
}

/// Characters people use to group a secret, which carry no data.
fn is_separator(ch: char) -> bool {
    matches!(ch, ' ' | '-' | '\t' | '\n' | '\r')
}

/// The 5-bit value of a base32 symbol in either case, or `None`.
fn base32_value(ch: char) -> Option<u8> {
    match ch {
        'A'..='Z' => Some(ch as u8 - b'A'),
        'a'..='z' => Some(ch as u8 - b'a'),
        '2'..='7' => Some(ch as u8 - b'2' + 26),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_KEY: &[u8] = b"12345678901234567890";
    const RFC_KEY_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc4648_test_vectors_round_trip() {
        // RFC 4648 section 10, without padding.
        for (plain, encoded) in [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            let secret = Secret::from_bytes(plain.as_bytes().to_vec()).unwrap();
            assert_eq!(secret.to_base32().as_str(), encoded);
            assert_eq!(Secret::from_base32(encoded).unwrap(), secret);
        }
    }

    #[test]
    fn base32_accepts_text_as_people_paste_it() {
        let expected = Secret::from_bytes(RFC_KEY.to_vec()).unwrap();
        for pasted in [
            RFC_KEY_BASE32,
            "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
            "gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq",
            "  GEZDGNBVGY3TQOJQ\n\tGEZDGNBVGY3TQOJQ\r\n",
        ] {
            assert_eq!(Secret::from_base32(pasted).unwrap(), expected, "{pasted:?}");
        }
        // Padding, in any amount, with lowercase.
        let foo = Secret::from_bytes(b"foo".to_vec()).unwrap();
        assert_eq!(Secret::from_base32("mzxw6===").unwrap(), foo);
        assert_eq!(Secret::from_base32("MZXW6").unwrap(), foo);
        assert_eq!(Secret::from_base32("MZXW6 = = =").unwrap(), foo);
    }

    #[test]
    fn base32_names_the_bad_character_and_its_position() {
        let err = Secret::from_base32("GEZDGN1VGY3TQOJQ").unwrap_err();
        assert_eq!(
            err,
            SecretError::InvalidBase32Char {
                ch: '1',
                position: 7
            }
        );
        assert_eq!(
            err.to_string(),
            "secret is not valid base32: unexpected character '1' at position 7"
        );
        // Positions count characters, including separators, from 1.
        assert_eq!(
            Secret::from_base32("ab cd 0").unwrap_err(),
            SecretError::InvalidBase32Char {
                ch: '0',
                position: 7
            }
        );
        assert_eq!(
            Secret::from_base32("MZXWé").unwrap_err(),
            SecretError::InvalidBase32Char {
                ch: 'é',
                position: 5
            }
        );
    }

    #[test]
    fn base32_padding_in_the_middle_blames_the_padding() {
        let err = Secret::from_base32("MZ==XW6Y").unwrap_err();
        assert_eq!(
            err,
            SecretError::InvalidBase32Char {
                ch: '=',
                position: 3
            }
        );
        assert!(!err.to_string().contains("XW6Y"));
    }

    #[test]
    fn base32_rejects_impossible_lengths_and_empty_text() {
        for (text, symbols) in [("A", 1), ("ABC", 3), ("ABCDEF", 6), ("ABCDEFGH J", 9)] {
            let err = Secret::from_base32(text).unwrap_err();
            assert_eq!(err, SecretError::InvalidBase32Length { symbols });
            assert!(!err.to_string().contains(text));
        }
        for text in ["", "   ", "----", "===="] {
            assert_eq!(Secret::from_base32(text), Err(SecretError::Empty));
        }
        assert_eq!(SecretError::Empty.to_string(), "secret is empty");
    }

    /// The lenient reading, checked on the secrets other apps' exports
    /// carry (the corpus flags them `bad_length` / `nonzero_tail_bits`):
    /// what is kept, re-encoded the way Tessera writes it.
    #[test]
    fn lenient_base32_drops_leftover_bits_of_impossible_lengths() {
        for (text, bytes, reencoded) in [
            ("ASECRET", 4, "ASECREQ"),
            ("SOMESECRET", 6, "SOMESECREQ"),
            ("fsfsfsfsefefef", 8, "FSFSFSFSEFEFE"),
            ("DFDFDEF=", 4, "DFDFDEA"),
            ("STEAMSECRET", 6, "STEAMSECRE"),
            ("AAAAAAAAA", 5, "AAAAAAAA"),
            ("jdjd bdbd dbdb bxbx b", 10, "JDJDBDBDDBDBBXBX"),
        ] {
            let secret = Secret::from_base32_lenient(text).expect(text);
            assert_eq!(secret.len(), bytes, "{text}");
            assert_eq!(secret.to_base32().as_str(), reencoded, "{text}");
        }
    }

    #[test]
    fn lenient_base32_agrees_with_strict_on_valid_text() {
        for text in [
            RFC_KEY_BASE32,
            "mzxw6===",
            "MZXW6YTBOI",
            "ASECREQ",
            "gezd-gnbv",
        ] {
            assert_eq!(
                Secret::from_base32_lenient(text).unwrap(),
                Secret::from_base32(text).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn lenient_base32_still_refuses_bad_characters_and_empty_results() {
        assert_eq!(
            Secret::from_base32_lenient("GEZDGN1VG").unwrap_err(),
            SecretError::InvalidBase32Char {
                ch: '1',
                position: 7
            }
        );
        assert_eq!(
            Secret::from_base32_lenient("MZ==XW6").unwrap_err(),
            SecretError::InvalidBase32Char {
                ch: '=',
                position: 3
            }
        );
        for text in ["", " - ", "==="] {
            assert_eq!(
                Secret::from_base32_lenient(text),
                Err(SecretError::Empty),
                "{text:?}"
            );
        }
        // One symbol is five bits: no whole byte is left.
        for text in ["A", "a="] {
            assert_eq!(
                Secret::from_base32_lenient(text),
                Err(SecretError::InvalidBase32Length { symbols: 1 }),
                "{text:?}"
            );
        }
    }

    /// Hand-typed secrets stay strict: the lenient reading is a separate
    /// function, not a change of `from_base32`.
    #[test]
    fn strict_base32_still_refuses_what_lenient_reads() {
        for text in ["ASECRETXX", "STEAMSECRET", "AAAAAAAAA", "fsfsfsfsefefef"] {
            assert!(matches!(
                Secret::from_base32(text),
                Err(SecretError::InvalidBase32Length { .. })
            ));
            assert!(Secret::from_base32_lenient(text).is_ok());
        }
    }

    #[test]
    fn hex_accepts_prefix_spaces_and_either_case() {
        let expected = Secret::from_bytes(RFC_KEY.to_vec()).unwrap();
        for text in [
            "3132333435363738393031323334353637383930",
            "0x3132333435363738393031323334353637383930",
            " 0X31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 ",
        ] {
            assert_eq!(Secret::from_hex(text).unwrap(), expected, "{text:?}");
        }
        assert_eq!(
            Secret::from_hex("DEADbeef").unwrap().as_bytes(),
            &[0xde, 0xad, 0xbe, 0xef]
        );
    }

    #[test]
    fn hex_errors_are_specific() {
        assert_eq!(
            Secret::from_hex("0x12 3g").unwrap_err(),
            SecretError::InvalidHexChar {
                ch: 'g',
                position: 7
            }
        );
        assert_eq!(
            Secret::from_hex("abc").unwrap_err(),
            SecretError::InvalidHexLength { digits: 3 }
        );
        assert_eq!(
            Secret::from_hex("abc").unwrap_err().to_string(),
            "secret is not valid hex: 3 digits is an odd number (two make one byte)"
        );
        assert_eq!(Secret::from_hex("0x"), Err(SecretError::Empty));
        assert_eq!(Secret::from_hex(" "), Err(SecretError::Empty));
    }

    #[test]
    fn from_bytes_refuses_empty() {
        assert_eq!(Secret::from_bytes(Vec::new()), Err(SecretError::Empty));
    }

    #[test]
    fn debug_shows_only_the_length() {
        let secret = Secret::from_base32(RFC_KEY_BASE32).unwrap();
        let debug = format!("{secret:?}");
        assert_eq!(debug, "Secret(20 bytes)");
        assert_eq!(secret.len_bits(), 160);
        assert_eq!(secret.len(), 20);
        assert!(!secret.is_empty());
    }

    #[test]
    fn eighty_bit_secrets_are_fine() {
        let secret = Secret::from_base32("AAAQEAYEAUDAOCAJ").unwrap();
        assert_eq!(secret.as_bytes(), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(secret.len_bits(), 80);
    }

    #[test]
    fn every_length_round_trips_through_base32() {
        for length in 1..=70usize {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 + 11) as u8).collect();
            let secret = Secret::from_bytes(bytes).unwrap();
            let text = secret.to_base32();
            assert!(!text.contains('='));
            assert_eq!(
                Secret::from_base32(&text).unwrap(),
                secret,
                "length {length}"
            );
        }
    }

    #[test]
    fn serde_writes_base32_and_errors_do_not_echo_the_input() {
        let secret = Secret::from_base32(RFC_KEY_BASE32).unwrap();
        let json = serde_json::to_string(&secret).unwrap();
        assert_eq!(json, format!("\"{RFC_KEY_BASE32}\""));
        assert_eq!(serde_json::from_str::<Secret>(&json).unwrap(), secret);

        let err = serde_json::from_str::<Secret>("\"GEZDGNBVGY3TQOJ1\"").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("unexpected character '1'"), "{message}");
        assert!(!message.contains("GEZDGNBV"), "{message}");
    }
}
