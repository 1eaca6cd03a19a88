//! The unauthenticated outer header of a KeePass database, read here before
//! the `keepass` crate sees the file, so that the key-derivation work it
//! asks for is checked against Tessera's caps before any derivation.
//!
//! Layout (<https://keepass.info/help/kb/kdbx_4.html>, and KeePassXC's
//! `src/format/Kdbx3Reader.cpp` / `Kdbx4Reader.cpp`): signature 1
//! `0x9AA2D903`, signature 2 `0xB54BFB67` (`0xB54BFB65` is KeePass 1's
//! `.kdb`, `0xB54BFB66` a pre-release KDBX 2), minor and major version
//! (u16 each, little-endian). KDBX 3.x fields are `id: u8, len: u16, data`
//! with the AES-KDF rounds in field 6 (`TransformRounds`, u64); KDBX 4.x
//! fields are `id: u8, len: u32, data` with the KDF in field 11
//! (`KdfParameters`, a VariantDictionary: `$UUID`, and `R` for AES-KDF or
//! `M` bytes, `I` passes, `P` lanes, `V` version for Argon2).
//!
//! The reading mirrors the `keepass` crate's exactly where it matters: a
//! field given twice, a dictionary key given twice or a value of the wrong
//! size is refused, so the parameters checked here are the ones that crate
//! would derive with (it keeps the last of duplicates, and panics on short
//! numbers).

use crate::crypto::{check_aes_kdf, check_argon2};
use crate::error::ImportError;

use super::FORMAT;

/// Signature 1, little-endian `0x9AA2D903`.
const SIGNATURE_1: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];
/// Signature 2 of KDBX 2.x-4.x.
const SIGNATURE_KDBX: u32 = 0xb54b_fb67;
/// Signature 2 of a pre-release KDBX 2.
const SIGNATURE_KDBX_PRE: u32 = 0xb54b_fb66;
/// Signature 2 of KeePass 1's `.kdb`.
const SIGNATURE_KDB: u32 = 0xb54b_fb65;

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

/// The key-derivation function a database asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// AES-KDF with this many rounds.
    Aes {
        /// Rounds of AES.
        rounds: u64,
    },
    /// Argon2d (`id: false`) or Argon2id.
    Argon2 {
        /// Argon2id rather than Argon2d.
        id: bool,
        /// Memory, in bytes.
        memory_bytes: u64,
        /// Passes (iterations).
        passes: u64,
        /// Lanes (parallelism).
        lanes: u64,
    },
}

/// What the outer header says, as far as Tessera needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OuterHeader {
    /// 3 or 4.
    pub major: u16,
    /// The minor version.
    pub minor: u16,
    /// The KDF and its cost.
    pub kdf: Kdf,
}

/// Whether the bytes start with a KeePass signature (any version).
pub(crate) fn has_signature(bytes: &[u8]) -> bool {
    bytes.len() >= 8
        && bytes[..4] == SIGNATURE_1
        && matches!(
            u32_at(bytes, 4),
            Some(SIGNATURE_KDBX | SIGNATURE_KDBX_PRE | SIGNATURE_KDB)
        )
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn corrupt(reason: impl Into<String>) -> ImportError {
    ImportError::Corrupt {
        format: FORMAT,
        reason: reason.into(),
    }
}

fn truncated(what: &str) -> ImportError {
    ImportError::Truncated {
        format: FORMAT,
        what: what.into(),
    }
}

/// Reads the outer header up to its end field.
pub(crate) fn parse(bytes: &[u8]) -> Result<OuterHeader, ImportError> {
    if !has_signature(bytes) {
        return Err(ImportError::NotThisFormat {
            format: "a KeePass database",
            reason: "it does not start with a KeePass signature".into(),
        });
    }
    let signature = u32_at(bytes, 4).unwrap_or_default();
    if signature == SIGNATURE_KDB {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what:
                "a KeePass 1 (.kdb) database; open it in KeePass or KeePassXC and save it as KDBX"
                    .into(),
        });
    }
    let (Some(minor), Some(major)) = (u16_at(bytes, 8), u16_at(bytes, 10)) else {
        return Err(truncated("the version ends early"));
    };
    if signature == SIGNATURE_KDBX_PRE || !matches!(major, 3 | 4) {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: format!("KDBX version {major}.{minor} (Tessera reads 3.x and 4.x)"),
        });
    }
    let kdf = if major == 3 {
        parse_kdbx3(bytes)?
    } else {
        parse_kdbx4(bytes)?
    };
    Ok(OuterHeader { major, minor, kdf })
}

/// Walks header fields: `id: u8, len: u16 or u32, data`, until field 0.
/// Refuses a field given twice (the `keepass` crate keeps the last one).
fn fields(
    bytes: &[u8],
    wide: bool,
    mut each: impl FnMut(u8, &[u8]) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut at = 12;
    let mut seen = [false; 256];
    loop {
        let id = *bytes
            .get(at)
            .ok_or_else(|| truncated("the header has no end"))?;
        let (len, start) = if wide {
            (u32_at(bytes, at + 1).map(|l| l as usize), at + 5)
        } else {
            (u16_at(bytes, at + 1).map(usize::from), at + 3)
        };
        let len = len.ok_or_else(|| truncated("a header field ends early"))?;
        let data = start
            .checked_add(len)
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(|| truncated("a header field is longer than the file"))?;
        if id == 0 {
            return Ok(());
        }
        if std::mem::replace(&mut seen[usize::from(id)], true) {
            return Err(corrupt(format!("header field {id} is given twice")));
        }
        each(id, data)?;
        at = start + len;
    }
}

/// Fields the `keepass` crate reads as little-endian numbers without
/// checking their length, so a short one is refused here.
fn check_number_field(id: u8, data: &[u8], numbers: &[(u8, usize)]) -> Result<(), ImportError> {
    match numbers.iter().find(|(field, _)| *field == id) {
        Some(&(_, size)) if data.len() < size => {
            Err(corrupt(format!("header field {id} is too short")))
        }
        _ => Ok(()),
    }
}

fn parse_kdbx3(bytes: &[u8]) -> Result<Kdf, ImportError> {
    let mut rounds = None;
    fields(bytes, false, |id, data| {
        // Compression flags (3) and the inner stream id (10) are u32,
        // TransformRounds (6) a u64.
        check_number_field(id, data, &[(3, 4), (6, 8), (10, 4)])?;
        if id == 6 {
            rounds = u64_at(data, 0);
        }
        Ok(())
    })?;
    let rounds = rounds.ok_or_else(|| corrupt("the KDBX 3 header has no TransformRounds"))?;
    Ok(Kdf::Aes { rounds })
}

fn parse_kdbx4(bytes: &[u8]) -> Result<Kdf, ImportError> {
    let mut kdf = None;
    fields(bytes, true, |id, data| {
        check_number_field(id, data, &[(3, 4)])?;
        if id == 11 {
            kdf = Some(parse_kdf_parameters(data)?);
        }
        Ok(())
    })?;
    kdf.ok_or_else(|| corrupt("the KDBX 4 header has no KDF parameters"))
}

/// One VariantDictionary value that matters here.
#[derive(Debug, Clone, PartialEq)]
enum Variant {
    U32(u32),
    U64(u64),
    Bytes(Vec<u8>),
    Other,
}

/// Reads a KDBX 4 VariantDictionary the way the `keepass` crate does
/// (entries while more than 9 bytes remain, then a 0 byte), refusing
/// duplicate keys and numbers of the wrong size.
fn variant_dictionary(data: &[u8]) -> Result<Vec<(String, Variant)>, ImportError> {
    let bad = |what: &str| corrupt(format!("the KDF parameters are malformed ({what})"));
    if u16_at(data, 0) != Some(0x0100) {
        return Err(bad("unknown dictionary version"));
    }
    let mut at = 2;
    let mut entries: Vec<(String, Variant)> = Vec::new();
    while at + 9 < data.len() {
        let kind = data[at];
        let key_len = u32_at(data, at + 1).ok_or_else(|| bad("short entry"))? as usize;
        let key_start = at + 5;
        let key = key_start
            .checked_add(key_len)
            .and_then(|end| data.get(key_start..end))
            .ok_or_else(|| bad("key longer than the dictionary"))?;
        let key = String::from_utf8_lossy(key).into_owned();
        let value_len_at = key_start + key_len;
        let value_len = u32_at(data, value_len_at).ok_or_else(|| bad("short entry"))? as usize;
        let value_start = value_len_at + 4;
        let value = value_start
            .checked_add(value_len)
            .and_then(|end| data.get(value_start..end))
            .ok_or_else(|| bad("value longer than the dictionary"))?;
        at = value_start + value_len;
        let value = match (kind, value.len()) {
            (0x04, 4) => Variant::U32(u32_at(value, 0).unwrap_or_default()),
            (0x05, 8) => Variant::U64(u64_at(value, 0).unwrap_or_default()),
            (0x42, _) => Variant::Bytes(value.to_vec()),
            (0x08 | 0x18, _) | (0x0c, 4) | (0x0d, 8) => Variant::Other,
            _ => return Err(bad("a value of unknown type or wrong size")),
        };
        if entries.iter().any(|(k, _)| *k == key) {
            return Err(bad("a key is given twice"));
        }
        entries.push((key, value));
    }
    if data.get(at) != Some(&0) {
        return Err(bad("not terminated"));
    }
    Ok(entries)
}

fn parse_kdf_parameters(data: &[u8]) -> Result<Kdf, ImportError> {
    let entries = variant_dictionary(data)?;
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let missing = |key: &str| corrupt(format!("the KDF parameters have no valid {key}"));
    let u64_of = |key: &str| match get(key) {
        Some(Variant::U64(value)) => Ok(*value),
        _ => Err(missing(key)),
    };
    let u32_of = |key: &str| match get(key) {
        Some(Variant::U32(value)) => Ok(*value),
        _ => Err(missing(key)),
    };
    let uuid = match get("$UUID") {
        Some(Variant::Bytes(uuid)) => uuid.as_slice(),
        _ => return Err(missing("$UUID")),
    };
    if uuid == KDF_AES_KDBX3 || uuid == KDF_AES_KDBX4 {
        return Ok(Kdf::Aes {
            rounds: u64_of("R")?,
        });
    }
    let id = if uuid == KDF_ARGON2ID {
        true
    } else if uuid == KDF_ARGON2D {
        false
    } else {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "a key-derivation function other than AES-KDF, Argon2d and Argon2id".into(),
        });
    };
    let version = u32_of("V")?;
    if !matches!(version, 0x10 | 0x13) {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: format!("Argon2 version {version:#x}"),
        });
    }
    Ok(Kdf::Argon2 {
        id,
        memory_bytes: u64_of("M")?,
        passes: u64_of("I")?,
        lanes: u64::from(u32_of("P")?),
    })
}

/// Checks the KDF's cost against Tessera's caps (the same as every other
/// format's): AES-KDF rounds, Argon2 memory, passes, lanes and work.
pub(crate) fn check_kdf(kdf: Kdf) -> Result<(), ImportError> {
    match kdf {
        Kdf::Aes { rounds } => check_aes_kdf(FORMAT, rounds).map(drop),
        Kdf::Argon2 {
            id,
            memory_bytes,
            passes,
            lanes,
        } => {
            let name = if id { "Argon2id" } else { "Argon2d" };
            // The `keepass` crate hands Argon2 `memory / 1024` KiB.
            check_argon2(FORMAT, memory_bytes / 1024, passes, lanes)
                .map(drop)
                .map_err(|error| match error {
                    ImportError::KdfParamsTooExpensive {
                        format,
                        detail,
                        limit,
                        ..
                    } => ImportError::KdfParamsTooExpensive {
                        format,
                        kdf: name,
                        detail,
                        limit,
                    },
                    ImportError::Corrupt { format, .. } => ImportError::Corrupt {
                        format,
                        reason: format!(
                            "invalid {name} parameters: {memory_bytes} bytes, {passes} passes, \
                             {lanes} lanes"
                        ),
                    },
                    other => other,
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::kdbx::KdbxImporter;
    use crate::password::Password;
    use crate::registry::Importer;

    fn start(major: u16, minor: u16) -> Vec<u8> {
        let mut bytes = SIGNATURE_1.to_vec();
        bytes.extend_from_slice(&SIGNATURE_KDBX.to_le_bytes());
        bytes.extend_from_slice(&minor.to_le_bytes());
        bytes.extend_from_slice(&major.to_le_bytes());
        bytes
    }

    fn field4(bytes: &mut Vec<u8>, id: u8, data: &[u8]) {
        bytes.push(id);
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend_from_slice(data);
    }

    fn field3(bytes: &mut Vec<u8>, id: u8, data: &[u8]) {
        bytes.push(id);
        bytes.extend_from_slice(&(data.len() as u16).to_le_bytes());
        bytes.extend_from_slice(data);
    }

    fn entry(dict: &mut Vec<u8>, kind: u8, key: &str, value: &[u8]) {
        dict.push(kind);
        dict.extend_from_slice(&(key.len() as u32).to_le_bytes());
        dict.extend_from_slice(key.as_bytes());
        dict.extend_from_slice(&(value.len() as u32).to_le_bytes());
        dict.extend_from_slice(value);
    }

    /// A KDBX 4 header asking for Argon2 with these parameters, followed
    /// by nothing: a file that would fail right after the derivation.
    fn kdbx4_argon2(uuid: [u8; 16], memory: u64, passes: u64, lanes: u32) -> Vec<u8> {
        let mut dict = vec![0x00, 0x01];
        entry(&mut dict, 0x42, "$UUID", &uuid);
        entry(&mut dict, 0x05, "M", &memory.to_le_bytes());
        entry(&mut dict, 0x05, "I", &passes.to_le_bytes());
        entry(&mut dict, 0x04, "P", &lanes.to_le_bytes());
        entry(&mut dict, 0x04, "V", &0x13u32.to_le_bytes());
        entry(&mut dict, 0x42, "S", &[7; 32]);
        dict.push(0);
        let mut bytes = start(4, 1);
        field4(&mut bytes, 2, &[0x31; 16]);
        field4(&mut bytes, 3, &1u32.to_le_bytes());
        field4(&mut bytes, 11, &dict);
        field4(&mut bytes, 0, b"\r\n\r\n");
        bytes
    }

    fn kdbx4_aes(rounds: u64) -> Vec<u8> {
        let mut dict = vec![0x00, 0x01];
        entry(&mut dict, 0x42, "$UUID", &KDF_AES_KDBX4);
        entry(&mut dict, 0x05, "R", &rounds.to_le_bytes());
        dict.push(0);
        let mut bytes = start(4, 0);
        field4(&mut bytes, 11, &dict);
        field4(&mut bytes, 0, b"");
        bytes
    }

    fn kdbx3(rounds: u64) -> Vec<u8> {
        let mut bytes = start(3, 1);
        field3(&mut bytes, 3, &0u32.to_le_bytes());
        field3(&mut bytes, 6, &rounds.to_le_bytes());
        field3(&mut bytes, 0, b"\r\n\r\n");
        bytes
    }

    fn import(bytes: &[u8]) -> ImportError {
        KdbxImporter
            .import(bytes, Some(&Password::from("pw")))
            .unwrap_err()
    }

    #[test]
    fn reads_the_kdf_of_each_version() {
        assert_eq!(
            parse(&kdbx4_argon2(KDF_ARGON2D, 64 << 20, 10, 8)).unwrap(),
            OuterHeader {
                major: 4,
                minor: 1,
                kdf: Kdf::Argon2 {
                    id: false,
                    memory_bytes: 64 << 20,
                    passes: 10,
                    lanes: 8
                }
            }
        );
        assert_eq!(
            parse(&kdbx4_argon2(KDF_ARGON2ID, 1 << 20, 2, 1))
                .unwrap()
                .kdf,
            Kdf::Argon2 {
                id: true,
                memory_bytes: 1 << 20,
                passes: 2,
                lanes: 1
            }
        );
        assert_eq!(
            parse(&kdbx4_aes(100_000)).unwrap().kdf,
            Kdf::Aes { rounds: 100_000 }
        );
        assert_eq!(parse(&kdbx3(6000)).unwrap().kdf, Kdf::Aes { rounds: 6000 });
    }

    #[test]
    fn hostile_kdf_parameters_are_refused_before_any_derivation() {
        let too_expensive = |error: ImportError, kdf: &str| {
            assert!(
                matches!(&error, ImportError::KdfParamsTooExpensive { kdf: k, .. } if *k == kdf),
                "{error:?}"
            );
            assert!(!error.to_string().contains('\n'));
        };
        // 4 GiB of memory, 1000 passes, 64 lanes, and the work product.
        too_expensive(import(&kdbx4_argon2(KDF_ARGON2D, 4 << 30, 2, 4)), "Argon2d");
        too_expensive(
            import(&kdbx4_argon2(KDF_ARGON2ID, 64 << 20, 1000, 4)),
            "Argon2id",
        );
        too_expensive(
            import(&kdbx4_argon2(KDF_ARGON2D, 64 << 20, 2, 64)),
            "Argon2d",
        );
        too_expensive(
            import(&kdbx4_argon2(KDF_ARGON2ID, 1 << 30, 5, 4)),
            "Argon2id",
        );
        too_expensive(import(&kdbx4_aes(u64::MAX)), "AES-KDF");
        too_expensive(import(&kdbx3(1 << 40)), "AES-KDF");
        // Argon2 that cannot run at all.
        assert!(matches!(
            import(&kdbx4_argon2(KDF_ARGON2D, 1024, 0, 4)),
            ImportError::Corrupt { .. }
        ));
        // Within the caps, the header passes and the missing body is
        // reported after the (cheap) derivation.
        check_kdf(
            parse(&kdbx4_argon2(KDF_ARGON2ID, 64 << 20, 10, 8))
                .unwrap()
                .kdf,
        )
        .unwrap();
        check_kdf(Kdf::Aes { rounds: 43_478_260 }).unwrap();
    }

    #[test]
    fn ambiguous_or_malformed_headers_are_refused() {
        // A second KdfParameters field: the keepass crate would keep the
        // expensive last one while a first-wins reader saw the cheap one.
        let mut twice = kdbx4_aes(1000);
        twice.truncate(twice.len() - 5);
        let mut dict = vec![0x00, 0x01];
        entry(&mut dict, 0x42, "$UUID", &KDF_AES_KDBX4);
        entry(&mut dict, 0x05, "R", &u64::MAX.to_le_bytes());
        dict.push(0);
        field4(&mut twice, 11, &dict);
        field4(&mut twice, 0, b"");
        assert!(
            matches!(import(&twice), ImportError::Corrupt { .. }),
            "{:?}",
            import(&twice)
        );

        // The same key twice inside the dictionary.
        let mut dict = vec![0x00, 0x01];
        entry(&mut dict, 0x42, "$UUID", &KDF_AES_KDBX4);
        entry(&mut dict, 0x05, "R", &1000u64.to_le_bytes());
        entry(&mut dict, 0x05, "R", &u64::MAX.to_le_bytes());
        dict.push(0);
        let mut bytes = start(4, 0);
        field4(&mut bytes, 11, &dict);
        field4(&mut bytes, 0, b"");
        assert!(matches!(import(&bytes), ImportError::Corrupt { .. }));

        // Numbers too short for the keepass crate's unchecked reads.
        let mut bytes = start(3, 1);
        field3(&mut bytes, 6, &[1, 2, 3]);
        field3(&mut bytes, 0, b"");
        assert!(matches!(import(&bytes), ImportError::Corrupt { .. }));
        let mut bytes = kdbx4_aes(1000);
        bytes.truncate(bytes.len() - 5);
        field4(&mut bytes, 3, &[1]);
        field4(&mut bytes, 0, b"");
        assert!(matches!(import(&bytes), ImportError::Corrupt { .. }));

        // Truncated anywhere in the header.
        let whole = kdbx4_argon2(KDF_ARGON2D, 64 << 20, 10, 8);
        for len in [8, 11, 12, 14, 40, whole.len() - 1] {
            let error = import(&whole[..len]);
            assert!(
                matches!(error, ImportError::Truncated { .. }),
                "{len}: {error:?}"
            );
        }
        // Unknown versions and KDFs.
        assert!(matches!(
            import(&start(5, 0)),
            ImportError::Unsupported { .. }
        ));
        assert!(matches!(
            import(&kdbx4_argon2([9; 16], 1 << 20, 1, 1)),
            ImportError::Unsupported { .. }
        ));
        // Without credentials nothing is derived either.
        assert_eq!(
            KdbxImporter.import(&kdbx3(1 << 40), None).unwrap_err(),
            ImportError::PasswordRequired { format: FORMAT }
        );
    }
}
