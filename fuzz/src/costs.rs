//! The key-derivation cost a KeePass database or a FreeOTP 2 backup asks
//! for, read the way its importer reads it, so the targets hand them the
//! fuzz password only when the derivation is cheap. The importers' own
//! readers are private to `tessera-transfer`; these mirror them, and where
//! a mirror could disagree with the importer they answer "not cheap",
//! which only costs the fuzzer depth, never time.

use serde_json::Value;

use crate::{lenient_u64, MAX_ARGON2_KIB_PASSES, MAX_PBKDF2_ROUNDS};

/// Most AES-KDF rounds a KeePass database may ask for here (KeePassXC's
/// own default is millions).
const MAX_AES_KDF_ROUNDS: u64 = 10_000;

const KDBX_SIGNATURE: [u8; 8] = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5];
const KDF_AES_KDBX3: [u8; 16] = [
    0xc9, 0xd9, 0xf3, 0x9a, 0x62, 0x8a, 0x44, 0x60, 0xbf, 0x74, 0x0d, 0x08, 0xc1, 0x8a, 0x4f, 0xea,
];
const KDF_AES_KDBX4: [u8; 16] = [
    0x7c, 0x02, 0xbb, 0x82, 0x79, 0xa7, 0x4a, 0xc0, 0x92, 0x7d, 0x11, 0x4a, 0x00, 0x64, 0x82, 0x38,
];
const KDF_ARGON2D: [u8; 16] = [
    0xef, 0x63, 0x6d, 0xdf, 0x8c, 0x29, 0x44, 0x4b, 0x91, 0xf7, 0xa9, 0xa4, 0x03, 0xe3, 0x0a, 0x0c,
];
const KDF_ARGON2ID: [u8; 16] = [
    0x9e, 0x29, 0x8b, 0x19, 0x56, 0xdb, 0x47, 0x73, 0xb2, 0x3d, 0xfc, 0x3e, 0xc6, 0xf0, 0xa1, 0xe6,
];

fn le(bytes: &[u8], at: usize, len: usize) -> Option<u64> {
    let slice = bytes.get(at..at.checked_add(len)?)?;
    Some(
        slice
            .iter()
            .rev()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    )
}

/// A KeePass database's KDF within the small bounds (AES-KDF rounds, or
/// Argon2 KiB × passes and lanes). Not a KDBX 3 or 4 file at all: the
/// importer refuses it before any derivation. A header the walk here
/// cannot read, with a field or key given twice, or without a known KDF,
/// counts as expensive.
pub(crate) fn kdbx_is_cheap(data: &[u8]) -> bool {
    if data.get(..8) != Some(&KDBX_SIGNATURE[..]) {
        return true;
    }
    let Some(major) = le(data, 10, 2) else {
        return true;
    };
    let wide = match major {
        3 => false,
        4 => true,
        _ => return true,
    };
    // id → data of the fields, refusing duplicates.
    let mut fields: Vec<(u8, &[u8])> = Vec::new();
    let mut at = 12;
    loop {
        let Some(&id) = data.get(at) else {
            return false;
        };
        let (len, start) = if wide {
            (le(data, at + 1, 4), at + 5)
        } else {
            (le(data, at + 1, 2), at + 3)
        };
        let Some(body) = len.and_then(|len| data.get(start..start.checked_add(len as usize)?))
        else {
            return false;
        };
        if id == 0 {
            break;
        }
        if fields.iter().any(|(seen, _)| *seen == id) {
            return false;
        }
        fields.push((id, body));
        at = start + body.len();
    }
    let field = |id: u8| fields.iter().find(|(f, _)| *f == id).map(|(_, d)| *d);
    if !wide {
        return field(6)
            .and_then(|rounds| le(rounds, 0, 8))
            .is_some_and(|rounds| rounds <= MAX_AES_KDF_ROUNDS);
    }
    let Some(dict) = field(11).and_then(variant_dictionary) else {
        return false;
    };
    let get = |key: &str| dict.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
    let number = |key: &str, kind: u8, len: usize| match get(key) {
        Some((k, value)) if k == kind && value.len() == len => le(value, 0, len),
        _ => None,
    };
    let Some((0x42, uuid)) = get("$UUID") else {
        return false;
    };
    if uuid == KDF_AES_KDBX3 || uuid == KDF_AES_KDBX4 {
        return number("R", 0x05, 8).is_some_and(|rounds| rounds <= MAX_AES_KDF_ROUNDS);
    }
    if uuid != KDF_ARGON2D && uuid != KDF_ARGON2ID {
        return false;
    }
    let (Some(memory), Some(passes), Some(lanes)) = (
        number("M", 0x05, 8),
        number("I", 0x05, 8),
        number("P", 0x04, 4),
    ) else {
        return false;
    };
    (memory / 1024).saturating_mul(passes) <= MAX_ARGON2_KIB_PASSES && lanes <= 4
}

/// One VariantDictionary entry: key, value type, value bytes.
type Variant<'a> = (String, (u8, &'a [u8]));

/// A KDBX 4 VariantDictionary, walked as the importer walks it; `None`
/// when malformed or a key is given twice.
fn variant_dictionary(data: &[u8]) -> Option<Vec<Variant<'_>>> {
    if le(data, 0, 2) != Some(0x0100) {
        return None;
    }
    let mut at = 2;
    let mut entries: Vec<Variant<'_>> = Vec::new();
    while at + 9 < data.len() {
        let kind = data[at];
        let key_len = le(data, at + 1, 4)? as usize;
        let key_start = at + 5;
        let key = data.get(key_start..key_start.checked_add(key_len)?)?;
        let key = String::from_utf8_lossy(key).into_owned();
        let value_len_at = key_start + key_len;
        let value_len = le(data, value_len_at, 4)? as usize;
        let value_start = value_len_at + 4;
        let value = data.get(value_start..value_start.checked_add(value_len)?)?;
        at = value_start + value_len;
        if entries.iter().any(|(k, _)| *k == key) {
            return None;
        }
        entries.push((key, (kind, value)));
    }
    Some(entries)
}

/// A FreeOTP 2 backup's PBKDF2 rounds within the small bound. The Java
/// map is read as the importer reads it: a stream it refuses, or one
/// without a master key, counts as expensive (the importer stops before
/// asking for the password either way); a master key that is not JSON or
/// has no readable round count is refused before any derivation.
pub(crate) fn freeotp2_is_cheap(data: &[u8]) -> bool {
    let Some(map) = java_string_map(data) else {
        return false;
    };
    let Some((_, master)) = map.iter().find(|(key, _)| key == "masterKey") else {
        return false;
    };
    let Ok(doc) = serde_json::from_str::<Value>(master) else {
        return true;
    };
    lenient_u64(doc.get("mIterations")).is_none_or(|rounds| rounds <= MAX_PBKDF2_ROUNDS)
}

/// The importer's `read_string_map` (freeotp2.rs), returning `None` where
/// it returns an error.
fn java_string_map(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let mut stream = Stream {
        bytes,
        pos: 0,
        strings: Vec::new(),
    };
    if stream.take(4)? != b"\xac\xed\x00\x05" || stream.byte()? != 0x73 || stream.byte()? != 0x72 {
        return None;
    }
    if stream.utf()? != "java.util.HashMap" {
        return None;
    }
    stream.take(8)?;
    if stream.byte()? & 0x03 != 0x03 {
        return None;
    }
    let count = stream.u16()?;
    if count > 16 {
        return None;
    }
    let mut field_bytes = 0usize;
    for _ in 0..count {
        field_bytes += match stream.byte()? {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'I' | b'F' => 4,
            b'J' | b'D' => 8,
            _ => return None,
        };
        stream.utf()?;
    }
    stream.strings.push(None);
    if stream.byte()? != 0x78 || stream.byte()? != 0x70 {
        return None;
    }
    stream.strings.push(None);
    stream.take(field_bytes)?;
    if stream.byte()? != 0x77 {
        return None;
    }
    let block = usize::from(stream.byte()?);
    if block < 8 {
        return None;
    }
    stream.take(4)?;
    let size = stream.u32()?;
    stream.take(block - 8)?;
    if size > 20_000 || (size as usize) * 6 > bytes.len() - stream.pos {
        return None;
    }
    let mut pairs = Vec::new();
    for _ in 0..size {
        let key = stream.string()?;
        let value = stream.string()?;
        pairs.push((key, value));
    }
    Some(pairs)
}

struct Stream<'a> {
    bytes: &'a [u8],
    pos: usize,
    strings: Vec<Option<String>>,
}

impl<'a> Stream<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(slice)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn utf(&mut self) -> Option<String> {
        let len = usize::from(self.u16()?);
        modified_utf8(self.take(len)?)
    }

    fn string(&mut self) -> Option<String> {
        let text = match self.byte()? {
            0x74 => self.utf()?,
            0x7c => {
                let len = u64::from_be_bytes(self.take(8)?.try_into().ok()?);
                if len > 1024 * 1024 {
                    return None;
                }
                modified_utf8(self.take(len as usize)?)?
            }
            0x71 => {
                let handle = self.u32()?.wrapping_sub(0x7e_0000) as usize;
                return self.strings.get(handle).cloned().flatten();
            }
            _ => return None,
        };
        self.strings.push(Some(text.clone()));
        Some(text)
    }
}

/// Java's modified UTF-8, decoded as the importer decodes it (overlong
/// forms included), so a key spelled that way is found here too.
fn modified_utf8(bytes: &[u8]) -> Option<String> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let cont = |k: usize| {
            bytes
                .get(i + k)
                .filter(|c| *c & 0xc0 == 0x80)
                .map(|c| u16::from(c & 0x3f))
        };
        let (unit, len) = match b {
            0x00..=0x7f => (u16::from(b), 1),
            0xc0..=0xdf => ((u16::from(b & 0x1f) << 6) | cont(1)?, 2),
            0xe0..=0xef => ((u16::from(b & 0x0f) << 12) | (cont(1)? << 6) | cont(2)?, 3),
            _ => return None,
        };
        units.push(unit);
        i += len;
    }
    String::from_utf16(&units).ok()
}
