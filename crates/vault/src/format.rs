//! The vault file's byte layout: splitting a file into its exact header
//! bytes and its body, and turning a header to and from JSON.
//!
//! This module exists so that parsing stays apart from cryptography (as in
//! `rage`): it knows nothing about keys. Its one rule is that the header
//! bytes handed on for authentication are the bytes that were read, never a
//! re-serialisation of the parsed header. See `docs/vault-format.md`,
//! sections 2, 3 and 9.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Bytes every vault file starts with, before the version digits.
pub(crate) const MAGIC_PREFIX: &[u8] = b"tessera-vault v";
/// The format version this crate reads and writes.
pub(crate) const FORMAT_VERSION: u64 = 1;
/// The complete magic line of a version 1 file.
pub(crate) const MAGIC_LINE: &[u8] = b"tessera-vault v1\n";
/// The only body cipher of version 1.
pub(crate) const CIPHER: &str = "aes-256-gcm";
/// Largest file a reader accepts (256 MiB).
pub(crate) const MAX_FILE_LEN: u64 = 256 * 1024 * 1024;
/// Largest header line, its LF included.
pub(crate) const MAX_HEADER_LINE: usize = 65_536;
/// Most slots a header may hold.
pub(crate) const MAX_SLOTS: usize = 8;
/// Length of a nonce (AES-GCM, 96 bits).
pub(crate) const NONCE_LEN: usize = 12;
/// Length of an AES-GCM tag.
pub(crate) const TAG_LEN: usize = 16;
/// Length of a wrapped master key (32-byte key plus tag).
pub(crate) const WRAPPED_LEN: usize = 32 + TAG_LEN;
/// The magic line, LF included, must end within this many bytes.
const MAX_MAGIC_LINE: usize = 32;

/// Why a file could not be split into header and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FormatError {
    /// The file does not start with the magic prefix.
    NotAVault,
    /// The magic line names a version this crate does not implement.
    UnsupportedVersion(u64),
    /// The file is larger than [`MAX_FILE_LEN`].
    TooLarge(u64),
    /// Anything else: truncated, malformed header, bad field.
    Damaged(String),
}

impl FormatError {
    fn damaged(why: impl Into<String>) -> Self {
        FormatError::Damaged(why.into())
    }
}

/// A file split into its parts; borrows the bytes that were read.
#[derive(Debug)]
pub(crate) struct ParsedFile<'a> {
    /// Magic line plus header line, both LFs included, exactly as read.
    pub header_bytes: &'a [u8],
    /// The header, parsed.
    pub header: Header,
    /// Body nonce followed by ciphertext and tag.
    pub body: &'a [u8],
}

/// Splits `bytes` into header bytes and body and parses the header.
pub(crate) fn parse(bytes: &[u8]) -> Result<ParsedFile<'_>, FormatError> {
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(FormatError::TooLarge(bytes.len() as u64));
    }
    let magic_end = parse_magic(bytes)?;
    let rest = &bytes[magic_end..];
    let window = &rest[..rest.len().min(MAX_HEADER_LINE)];
    let lf = match window.iter().position(|&b| b == b'\n') {
        Some(i) => i,
        None if rest.len() < MAX_HEADER_LINE => {
            return Err(FormatError::damaged("truncated inside the header"))
        }
        None => return Err(FormatError::damaged("header line longer than 64 KiB")),
    };
    let header_end = magic_end + lf + 1;
    let header = Header::from_json(&bytes[magic_end..header_end - 1])?;
    let body = &bytes[header_end..];
    if body.len() < NONCE_LEN + TAG_LEN {
        return Err(FormatError::damaged(format!(
            "truncated: body is {} bytes, at least {} needed",
            body.len(),
            NONCE_LEN + TAG_LEN
        )));
    }
    Ok(ParsedFile {
        header_bytes: &bytes[..header_end],
        header,
        body,
    })
}

/// Checks the magic line and returns the offset just past its LF.
fn parse_magic(bytes: &[u8]) -> Result<usize, FormatError> {
    let prefix_len = MAGIC_PREFIX.len().min(bytes.len());
    if bytes[..prefix_len] != MAGIC_PREFIX[..prefix_len] {
        return Err(FormatError::NotAVault);
    }
    if bytes.len() < MAGIC_PREFIX.len() {
        // A prefix of the magic and nothing more: an emptied or cut file.
        return Err(FormatError::damaged("truncated inside the magic line"));
    }
    let after = &bytes[MAGIC_PREFIX.len()..bytes.len().min(MAX_MAGIC_LINE)];
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return Err(FormatError::damaged("malformed version in the magic line"));
    }
    match after.get(digits) {
        Some(b'\n') => {}
        Some(_) => return Err(FormatError::damaged("malformed magic line")),
        None => return Err(FormatError::damaged("truncated inside the magic line")),
    }
    let version: u64 = std::str::from_utf8(&after[..digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| FormatError::damaged("malformed version in the magic line"))?;
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion(version));
    }
    Ok(MAGIC_PREFIX.len() + digits + 1)
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Decodes lowercase hex; `None` on odd length or any other character.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if s.len() % 2 != 0 {
        return None;
    }
    s.chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

/// Fixed-size bytes carried as lowercase hex in JSON.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct HexBytes<const N: usize>(pub [u8; N]);

impl<const N: usize> std::fmt::Debug for HexBytes<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl<const N: usize> Serialize for HexBytes<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(&self.0))
    }
}

impl<'de, const N: usize> Deserialize<'de> for HexBytes<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let v = unhex(&s)
            .filter(|v| v.len() == N)
            .ok_or_else(|| D::Error::custom(format!("expected {} lowercase hex digits", 2 * N)))?;
        let mut out = [0u8; N];
        out.copy_from_slice(&v);
        Ok(HexBytes(out))
    }
}

/// A variable-length salt carried as lowercase hex (8 to 64 bytes).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Salt(pub Vec<u8>);

impl std::fmt::Debug for Salt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl Serialize for Salt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for Salt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        unhex(&s)
            .filter(|v| (8..=64).contains(&v.len()))
            .map(Salt)
            .ok_or_else(|| D::Error::custom("salt must be 16 to 128 lowercase hex digits"))
    }
}

/// A 128-bit random identifier (vault or slot).
pub(crate) type Id = HexBytes<16>;

/// The parsed header (section 3 of the format document).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Header {
    /// Random id of the vault, fixed for its life.
    pub vault_id: Id,
    /// Always [`CIPHER`].
    pub cipher: String,
    /// Key slots, in file order.
    pub slots: Vec<SlotEntry>,
    /// Unknown top-level fields, copied through on rewrite.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Header {
    /// A fresh header for a new vault.
    pub(crate) fn new(vault_id: Id, slots: Vec<SlotEntry>) -> Self {
        Header {
            vault_id,
            cipher: CIPHER.to_owned(),
            slots,
            extra: Map::new(),
        }
    }

    /// Parses and validates the JSON of a header line (without its LF).
    pub(crate) fn from_json(json: &[u8]) -> Result<Header, FormatError> {
        let header: Header = serde_json::from_slice(json)
            .map_err(|e| FormatError::damaged(format!("header is not valid: {e}")))?;
        if header.cipher != CIPHER {
            return Err(FormatError::damaged(format!(
                "header names cipher {:?}; only {CIPHER:?} is known",
                header.cipher
            )));
        }
        if header.slots.is_empty() {
            return Err(FormatError::damaged("header has no key slot"));
        }
        if header.slots.len() > MAX_SLOTS {
            return Err(FormatError::damaged(format!(
                "header has {} key slots, at most {MAX_SLOTS} allowed",
                header.slots.len()
            )));
        }
        if header.password_slots().count() > 1 || header.keyring_slots().count() > 1 {
            // One each keeps the work of trying them bounded.
            return Err(FormatError::damaged(
                "header has more than one password or keyring slot",
            ));
        }
        let mut ids: Vec<&Id> = header.slots.iter().filter_map(SlotEntry::id).collect();
        ids.sort_by_key(|id| id.0);
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(FormatError::damaged("two key slots share an id"));
        }
        Ok(header)
    }

    /// The header bytes for this header: magic line, compact JSON, LF.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC_LINE.to_vec();
        // Serialising plain data to a Vec cannot fail.
        serde_json::to_writer(&mut out, self).expect("header serialises");
        out.push(b'\n');
        out
    }

    /// Password slots, in file order.
    pub(crate) fn password_slots(&self) -> impl Iterator<Item = &PasswordSlot> {
        self.slots.iter().filter_map(|s| match s {
            SlotEntry::Password(p) => Some(p),
            _ => None,
        })
    }

    /// Keyring slots, in file order.
    pub(crate) fn keyring_slots(&self) -> impl Iterator<Item = &KeyringSlot> {
        self.slots.iter().filter_map(|s| match s {
            SlotEntry::Keyring(k) => Some(k),
            _ => None,
        })
    }
}

/// One key slot as stored.
#[derive(Debug, Clone)]
pub(crate) enum SlotEntry {
    /// `"type": "password"`.
    Password(PasswordSlot),
    /// `"type": "keyring"`.
    Keyring(KeyringSlot),
    /// Any other type: kept verbatim.
    Unknown(Value),
}

impl SlotEntry {
    /// The slot's id, for known types.
    pub(crate) fn id(&self) -> Option<&Id> {
        match self {
            SlotEntry::Password(p) => Some(&p.id),
            SlotEntry::Keyring(k) => Some(&k.id),
            SlotEntry::Unknown(_) => None,
        }
    }
}

#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(flatten)]
    slot: &'a T,
}

impl Serialize for SlotEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SlotEntry::Password(p) => Tagged {
                ty: "password",
                slot: p,
            }
            .serialize(s),
            SlotEntry::Keyring(k) => Tagged {
                ty: "keyring",
                slot: k,
            }
            .serialize(s),
            SlotEntry::Unknown(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for SlotEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let ty = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| D::Error::custom("key slot without a string \"type\""))?;
        match ty {
            "password" => {
                let mut slot: PasswordSlot =
                    serde_json::from_value(value).map_err(D::Error::custom)?;
                slot.extra.remove("type");
                Ok(SlotEntry::Password(slot))
            }
            "keyring" => {
                let mut slot: KeyringSlot =
                    serde_json::from_value(value).map_err(D::Error::custom)?;
                slot.extra.remove("type");
                Ok(SlotEntry::Keyring(slot))
            }
            _ => Ok(SlotEntry::Unknown(value)),
        }
    }
}

/// A password slot (section 3.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PasswordSlot {
    /// Random slot id.
    pub id: Id,
    /// Argon2id inputs other than the password.
    pub kdf: KdfSpec,
    /// Nonce of the key wrap.
    pub nonce: HexBytes<NONCE_LEN>,
    /// The wrapped master key.
    pub wrapped_key: HexBytes<WRAPPED_LEN>,
    /// Unknown fields, copied through.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `kdf` object of a password slot. Numbers are read as u64 so that an
/// absurd value reaches the caps check rather than failing as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KdfSpec {
    /// Must be `"argon2id"`.
    pub alg: String,
    /// Must be 19.
    pub version: u64,
    /// Memory in KiB.
    pub m_cost_kib: u64,
    /// Passes.
    pub t_cost: u64,
    /// Lanes.
    pub p_cost: u64,
    /// Salt.
    pub salt: Salt,
    /// Unknown fields, copied through.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A keyring slot (section 3.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyringSlot {
    /// Random slot id; names the keyring entry.
    pub id: Id,
    /// Nonce of the key wrap.
    pub nonce: HexBytes<NONCE_LEN>,
    /// The wrapped master key.
    pub wrapped_key: HexBytes<WRAPPED_LEN>,
    /// Unknown fields, copied through.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The AAD of a key wrap (section 5).
pub(crate) fn wrap_aad(slot_type: &str, vault_id: &Id, slot_id: &Id) -> Vec<u8> {
    format!(
        "tessera-vault v1/{slot_type}/{}/{}",
        hex(&vault_id.0),
        hex(&slot_id.0)
    )
    .into_bytes()
}

/// The keyring user name of a keyring slot (section 3.2).
pub(crate) fn keyring_user(vault_id: &Id, slot_id: &Id) -> String {
    format!("vault-{}-slot-{}", hex(&vault_id.0), hex(&slot_id.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_header() -> Header {
        Header::new(
            HexBytes([0x11; 16]),
            vec![
                SlotEntry::Password(PasswordSlot {
                    id: HexBytes([0x22; 16]),
                    kdf: KdfSpec {
                        alg: "argon2id".into(),
                        version: 19,
                        m_cost_kib: 64,
                        t_cost: 1,
                        p_cost: 1,
                        salt: Salt(vec![0x33; 16]),
                        extra: Map::new(),
                    },
                    nonce: HexBytes([0x44; 12]),
                    wrapped_key: HexBytes([0x55; 48]),
                    extra: Map::new(),
                }),
                SlotEntry::Keyring(KeyringSlot {
                    id: HexBytes([0x66; 16]),
                    nonce: HexBytes([0x77; 12]),
                    wrapped_key: HexBytes([0x88; 48]),
                    extra: Map::new(),
                }),
            ],
        )
    }

    fn file_with(header: &[u8], body_len: usize) -> Vec<u8> {
        let mut f = header.to_vec();
        f.extend(std::iter::repeat_n(0xab, body_len));
        f
    }

    #[test]
    fn header_round_trip_and_exact_bytes() {
        let h = sample_header();
        let bytes = h.to_bytes();
        assert!(bytes.starts_with(b"tessera-vault v1\n{\"vault_id\":\"1111"));
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 2);
        let file = file_with(&bytes, 40);
        let parsed = parse(&file).unwrap();
        assert_eq!(parsed.header_bytes, &bytes[..]);
        assert_eq!(parsed.body.len(), 40);
        assert_eq!(parsed.header.to_bytes(), bytes);
        assert_eq!(parsed.header.password_slots().count(), 1);
        assert_eq!(parsed.header.keyring_slots().count(), 1);
    }

    #[test]
    fn key_order_is_fixed() {
        let json = String::from_utf8(sample_header().to_bytes()).unwrap();
        let order = ["vault_id", "cipher", "slots", "type", "id", "kdf", "alg"];
        let pos: Vec<usize> = order
            .iter()
            .map(|k| json.find(&format!("\"{k}\"")).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{json}");
    }

    #[test]
    fn unknown_fields_and_slot_types_are_kept() {
        let json = br#"{"vault_id":"11111111111111111111111111111111","cipher":"aes-256-gcm","slots":[{"type":"fido2","id":"x","blob":[1,2]},{"type":"keyring","id":"22222222222222222222222222222222","nonce":"333333333333333333333333","wrapped_key":"444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444","note":"hi"}],"future":{"a":1}}"#;
        let h = Header::from_json(json).unwrap();
        assert!(matches!(h.slots[0], SlotEntry::Unknown(_)));
        let bytes = h.to_bytes();
        let h2 = Header::from_json(&bytes[MAGIC_LINE.len()..bytes.len() - 1]).unwrap();
        let v: Value = serde_json::from_slice(&bytes[MAGIC_LINE.len()..]).unwrap();
        assert_eq!(v["future"]["a"], 1);
        assert_eq!(v["slots"][0]["blob"][1], 2);
        assert_eq!(v["slots"][1]["note"], "hi");
        assert_eq!(v["slots"][1]["type"], "keyring");
        assert_eq!(h2.keyring_slots().count(), 1);
    }

    #[test]
    fn magic_errors() {
        assert_eq!(
            parse(b"").unwrap_err(),
            FormatError::damaged("truncated inside the magic line")
        );
        assert_eq!(parse(b"PK\x03\x04zip").unwrap_err(), FormatError::NotAVault);
        assert_eq!(
            parse(b"tessera-vault").unwrap_err(),
            FormatError::damaged("truncated inside the magic line")
        );
        assert_eq!(
            parse(b"tessera-vault v2\n{}\n").unwrap_err(),
            FormatError::UnsupportedVersion(2)
        );
        assert_eq!(
            parse(b"tessera-vault v12\n").unwrap_err(),
            FormatError::UnsupportedVersion(12)
        );
        assert!(matches!(
            parse(b"tessera-vault vx\n"),
            Err(FormatError::Damaged(_))
        ));
        assert!(matches!(
            parse(b"tessera-vault v1"),
            Err(FormatError::Damaged(_))
        ));
        assert!(matches!(
            parse(b"tessera-vault v1234567890\n"),
            Err(FormatError::Damaged(_))
        ));
    }

    #[test]
    fn header_errors() {
        let good = sample_header().to_bytes();
        // Truncated body.
        assert!(matches!(
            parse(&file_with(&good, 27)),
            Err(FormatError::Damaged(_))
        ));
        assert!(parse(&file_with(&good, 28)).is_ok());
        // No LF at all.
        let mut cut = good.clone();
        cut.pop();
        assert!(matches!(parse(&cut), Err(FormatError::Damaged(_))));
        // Wrong cipher, no slots, bad hex, uppercase hex.
        for bad in [
            good_json().replace("aes-256-gcm", "chacha20"),
            good_json().replace(&slots_json(), "[]"),
            good_json().replace("\"1111", "\"zz11"),
            good_json().replace("\"1111", "\"AA11"),
            good_json().replace("\"m_cost_kib\":64", "\"m_cost_kib\":-1"),
        ] {
            let mut f = MAGIC_LINE.to_vec();
            f.extend_from_slice(bad.as_bytes());
            f.push(b'\n');
            assert!(
                matches!(parse(&file_with(&f, 30)), Err(FormatError::Damaged(_))),
                "{bad}"
            );
        }
        // Two password slots.
        let mut two = sample_header();
        let first = two.slots[0].clone();
        if let SlotEntry::Password(mut p) = first {
            p.id = HexBytes([0x99; 16]);
            two.slots.push(SlotEntry::Password(p));
        }
        assert!(matches!(
            parse(&file_with(&two.to_bytes(), 30)),
            Err(FormatError::Damaged(_))
        ));
        // Oversized header line.
        let mut f = MAGIC_LINE.to_vec();
        f.extend(std::iter::repeat_n(b' ', MAX_HEADER_LINE + 10));
        assert!(matches!(parse(&f), Err(FormatError::Damaged(_))));
    }

    fn good_json() -> String {
        let b = sample_header().to_bytes();
        String::from_utf8(b[MAGIC_LINE.len()..b.len() - 1].to_vec()).unwrap()
    }

    fn slots_json() -> String {
        let j = good_json();
        let start = j.find("[").unwrap();
        let end = j.rfind("]").unwrap();
        j[start..=end].to_string()
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(hex(&[0, 0xff, 0x1a]), "00ff1a");
        assert_eq!(unhex("00ff1a"), Some(vec![0, 0xff, 0x1a]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("0G"), None);
        assert_eq!(unhex("FF"), None);
    }

    #[test]
    fn names() {
        let v = HexBytes([0x01; 16]);
        let s = HexBytes([0x02; 16]);
        assert_eq!(
            keyring_user(&v, &s),
            "vault-01010101010101010101010101010101-slot-02020202020202020202020202020202"
        );
        assert_eq!(
            wrap_aad("password", &v, &s),
            b"tessera-vault v1/password/01010101010101010101010101010101/02020202020202020202020202020202"
        );
    }
}
