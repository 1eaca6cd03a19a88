//! Google Authenticator's export QR codes: `otpauth-migration://offline?data=…`.
//!
//! "Transfer accounts" in Google Authenticator shows one or more QR codes,
//! each holding a base64 protocol-buffers `MigrationPayload` with up to a
//! handful of accounts; a long list becomes a numbered series sharing one
//! batch id. People without a phone-to-phone path scan these from a second
//! phone's screen, so Tessera reads them: every account in a code, and which
//! codes of a series are still missing ([`SeriesCollector`]).
//!
//! The message has six small fields, so it is read here with a minimal
//! protobuf reader (varints and length-delimited fields) instead of a code
//! generator: every length is checked against what is left, so a damaged
//! or hostile code gives a [`MigrationError`], never a panic or a huge
//! allocation. Error messages never contain secrets.
//!
//! The schema, as Google Authenticator writes it:
//!
//! ```text
//! MigrationPayload { repeated OtpParameters otp_parameters = 1; int32 version = 2;
//!                    int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5; }
//! OtpParameters    { bytes secret = 1; string name = 2; string issuer = 3;
//!                    Algorithm algorithm = 4;  // 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//!                    DigitCount digits = 5;    // 0 unspecified, 1 six, 2 eight
//!                    OtpType type = 6;         // 0 unspecified, 1 HOTP, 2 TOTP
//!                    int64 counter = 7; }
//! ```

use std::collections::BTreeMap;

use tessera_otp::{Algorithm, Enrollment, OtpKind, OtpParams, Secret};
use zeroize::Zeroizing;

/// The scheme and path every export starts with (compared without case).
pub(crate) const MIGRATION_PREFIX: &str = "otpauth-migration://offline";

/// The most codes a series may have: 10 000 accounts at Google's ten a
/// code. A code claiming more is damaged, and [`SeriesCollector::missing`]
/// would list every one of them (16 GiB of indexes for 2^32 - 1 codes).
pub(crate) const MAX_SERIES_SIZE: u32 = 1000;

/// One export QR code's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationBatch {
    /// The accounts it holds that Tessera can use, in the order listed.
    pub accounts: Vec<Enrollment>,
    /// Accounts it lists that cannot be used (MD5, an empty secret, …).
    pub skipped: Vec<SkippedAccount>,
    /// Where this code stands in its series (a lone code is 1 of 1).
    pub series: SeriesPosition,
    /// The payload format version Google Authenticator wrote (1 today).
    pub version: i32,
}

/// Where one export code stands in a series of codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeriesPosition {
    /// Shared by all codes of one export.
    pub batch_id: i32,
    /// This code's place, counting from 0.
    pub index: u32,
    /// How many codes the export has (at least 1).
    pub size: u32,
}

impl SeriesPosition {
    /// Whether the export is this one code.
    pub fn is_single(&self) -> bool {
        self.size <= 1
    }
}

/// An account listed in an export that cannot be used, and why. Holds the
/// names (which the user needs to recognise it), never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedAccount {
    /// The issuer as listed.
    pub issuer: String,
    /// The account name as listed.
    pub name: String,
    /// Why it was left out.
    pub reason: SkipReason,
}

/// Why an exported account cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// The account's secret is empty.
    #[error("it has no secret")]
    EmptySecret,
    /// MD5, which no TOTP/HOTP generator supports.
    #[error("it uses the MD5 algorithm, which one-time codes do not support")]
    Md5,
    /// An algorithm number this reader does not know.
    #[error("it uses an unknown algorithm (number {0})")]
    UnknownAlgorithm(u64),
    /// A digit-count number this reader does not know.
    #[error("it has an unknown code length (number {0})")]
    UnknownDigits(u64),
    /// An OTP type number this reader does not know.
    #[error("it has an unknown OTP type (number {0})")]
    UnknownType(u64),
    /// Its issuer or name breaks Tessera's label rule (too long, or with
    /// line breaks or control characters); the skipped account's names
    /// are then shown with `?` for those characters, shortened.
    #[error("{0}")]
    BadLabel(tessera_otp::LabelError),
}

/// Why an `otpauth-migration://` code cannot be read. Messages never quote
/// the data (it holds secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// It does not start with `otpauth-migration://offline`.
    #[error("not a Google Authenticator export (otpauth-migration://offline?data=…)")]
    NotMigration,
    /// There is no `data` parameter, or it is empty.
    #[error("the export code has no data parameter")]
    MissingData,
    /// A `%` in the data is not followed by two hex digits.
    #[error("the export data has malformed percent-encoding")]
    BadPercentEncoding,
    /// The data is not base64.
    #[error("the export data is not valid base64 (unexpected character at position {position})")]
    BadBase64 {
        /// Where, counting characters of the percent-decoded data from 1.
        position: usize,
    },
    /// The data ends in the middle of a number.
    #[error("the export data is cut short: it ends inside a number")]
    TruncatedVarint,
    /// A number is longer than the ten bytes a 64-bit value takes.
    #[error("the export data is damaged: a number is longer than 64 bits")]
    VarintTooLong,
    /// A field says it is longer than what is left of the data.
    #[error("the export data is cut short: a field of {length} bytes runs past the end")]
    LengthPastEnd {
        /// The length the field claims.
        length: u64,
    },
    /// A field uses a protobuf wire type that is not allowed here.
    #[error("the export data is damaged: unsupported field encoding (wire type {0})")]
    UnsupportedWireType(u8),
    /// A known field has the wrong encoding, e.g. a number where text is due.
    #[error("the export data is damaged: the {0} field has the wrong encoding")]
    WrongFieldEncoding(&'static str),
    /// A text field (name or issuer) is not UTF-8.
    #[error("the export data is damaged: the {0} is not UTF-8 text")]
    NotUtf8(&'static str),
    /// The series numbers are impossible (index past the size, negative).
    #[error("the export data is damaged: code {index} of a series of {size}")]
    BadSeriesPosition {
        /// The index written (from 0).
        index: i64,
        /// The series size written.
        size: i64,
    },
    /// The code lists no accounts at all.
    #[error("the export code holds no accounts")]
    NoAccounts,
}

/// Reads an `otpauth-migration://offline?data=…` text.
pub fn parse_migration(uri: &str) -> Result<MigrationBatch, MigrationError> {
    let uri = uri.trim();
    let prefix_matches = uri
        .get(..MIGRATION_PREFIX.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(MIGRATION_PREFIX));
    if !prefix_matches {
        return Err(MigrationError::NotMigration);
    }
    let query = uri[MIGRATION_PREFIX.len()..]
        .strip_prefix('/')
        .unwrap_or(&uri[MIGRATION_PREFIX.len()..]);
    let query = query.strip_prefix('?').ok_or(MigrationError::MissingData)?;
    let encoded = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("data="))
        .filter(|data| !data.is_empty())
        .ok_or(MigrationError::MissingData)?;
    let base64_text = percent_decode(encoded)?;
    let message = base64_decode(&base64_text)?;
    parse_payload(&message)
}

/// Decodes `%XX` escapes (a `+` stays a `+`: it is a base64 character
/// here, and Google Authenticator escapes it as `%2B` anyway).
fn percent_decode(text: &str) -> Result<Zeroizing<Vec<u8>>, MigrationError> {
    let bytes = text.as_bytes();
    let mut decoded = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let high = bytes.get(index + 1).and_then(|&digit| hex_value(digit));
            let low = bytes.get(index + 2).and_then(|&digit| hex_value(digit));
            let (Some(high), Some(low)) = (high, low) else {
                return Err(MigrationError::BadPercentEncoding);
            };
            decoded.push(high << 4 | low);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    Ok(decoded)
}

fn hex_value(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|value| value as u8)
}

/// Decodes base64 in the standard or URL-safe alphabet, with or without
/// `=` padding, ignoring whitespace.
fn base64_decode(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, MigrationError> {
    let mut decoded = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
    let mut accumulator = 0u32;
    let mut bits = 0u32;
    let mut padding_seen = false;
    for (index, &character) in text.iter().enumerate() {
        let value = match character {
            b'A'..=b'Z' => character - b'A',
            b'a'..=b'z' => character - b'a' + 26,
            b'0'..=b'9' => character - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding_seen = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => {
                return Err(MigrationError::BadBase64 {
                    position: index + 1,
                })
            }
        };
        if padding_seen {
            return Err(MigrationError::BadBase64 {
                position: index + 1,
            });
        }
        accumulator = (accumulator << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            decoded.push((accumulator >> bits) as u8);
            accumulator &= (1 << bits) - 1;
        }
    }
    // Six leftover bits cannot come from whole bytes: a character is lost.
    if bits >= 6 {
        return Err(MigrationError::BadBase64 {
            position: text.len(),
        });
    }
    Ok(decoded)
}

/// One protobuf field value, borrowed from the message.
enum FieldValue<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// 32- and 64-bit fixed-width values: no field here uses them, but a
    /// newer writer may add some, and they are skipped like any unknown
    /// field.
    Fixed,
}

/// Reads protobuf fields one at a time, checking every length.
struct ProtoReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> ProtoReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        ProtoReader { bytes, position: 0 }
    }

    fn varint(&mut self) -> Result<u64, MigrationError> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.bytes.get(self.position) else {
                return Err(MigrationError::TruncatedVarint);
            };
            self.position += 1;
            if shift == 63 && byte > 1 {
                return Err(MigrationError::VarintTooLong);
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(MigrationError::VarintTooLong)
    }

    fn take(&mut self, length: u64) -> Result<&'a [u8], MigrationError> {
        let left = (self.bytes.len() - self.position) as u64;
        if length > left {
            return Err(MigrationError::LengthPastEnd { length });
        }
        let start = self.position;
        self.position += length as usize;
        Ok(&self.bytes[start..self.position])
    }

    /// The next field number and value, or `None` at the end.
    fn next_field(&mut self) -> Result<Option<(u64, FieldValue<'a>)>, MigrationError> {
        if self.position >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = key >> 3;
        let value = match (key & 7) as u8 {
            0 => FieldValue::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                FieldValue::Fixed
            }
            2 => {
                let length = self.varint()?;
                FieldValue::Bytes(self.take(length)?)
            }
            5 => {
                self.take(4)?;
                FieldValue::Fixed
            }
            other => return Err(MigrationError::UnsupportedWireType(other)),
        };
        Ok(Some((field, value)))
    }
}

/// Reads a `MigrationPayload` message.
fn parse_payload(message: &[u8]) -> Result<MigrationBatch, MigrationError> {
    let mut reader = ProtoReader::new(message);
    let mut accounts = Vec::new();
    let mut skipped = Vec::new();
    let (mut version, mut size, mut index, mut batch_id) = (0i64, 0i64, 0i64, 0i64);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            (1, FieldValue::Bytes(parameters)) => match parse_account(parameters)? {
                Ok(account) => accounts.push(account),
                Err(skip) => skipped.push(skip),
            },
            (1, _) => return Err(MigrationError::WrongFieldEncoding("account list")),
            (2..=5, FieldValue::Varint(number)) => {
                // int32 fields: negative values arrive sign-extended to 64 bits.
                let number = number as i64;
                match field {
                    2 => version = number,
                    3 => size = number,
                    4 => index = number,
                    _ => batch_id = number,
                }
            }
            (2..=5, _) => return Err(MigrationError::WrongFieldEncoding("batch information")),
            _ => {}
        }
    }
    // A lone code may leave the series fields out (size 0 means 1).
    let size = size.max(1);
    if index < 0 || index >= size || size > i64::from(MAX_SERIES_SIZE) {
        return Err(MigrationError::BadSeriesPosition { index, size });
    }
    if accounts.is_empty() && skipped.is_empty() {
        return Err(MigrationError::NoAccounts);
    }
    Ok(MigrationBatch {
        accounts,
        skipped,
        series: SeriesPosition {
            batch_id: batch_id as i32,
            index: index as u32,
            size: size as u32,
        },
        version: version as i32,
    })
}

/// Reads one `OtpParameters` message: an account, or why it is unusable.
fn parse_account(message: &[u8]) -> Result<Result<Enrollment, SkippedAccount>, MigrationError> {
    let mut reader = ProtoReader::new(message);
    let mut secret = Zeroizing::new(Vec::new());
    let (mut name, mut issuer) = (String::new(), String::new());
    let (mut algorithm, mut digits, mut kind, mut counter) = (0u64, 0u64, 0u64, 0u64);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            (1, FieldValue::Bytes(bytes)) => {
                secret.clear();
                secret.extend_from_slice(bytes);
            }
            (2, FieldValue::Bytes(bytes)) => name = utf8(bytes, "account name")?,
            (3, FieldValue::Bytes(bytes)) => issuer = utf8(bytes, "issuer")?,
            (4, FieldValue::Varint(number)) => algorithm = number,
            (5, FieldValue::Varint(number)) => digits = number,
            (6, FieldValue::Varint(number)) => kind = number,
            (7, FieldValue::Varint(number)) => counter = number,
            (1, _) => return Err(MigrationError::WrongFieldEncoding("secret")),
            (2 | 3, _) => return Err(MigrationError::WrongFieldEncoding("name")),
            (4..=7, _) => return Err(MigrationError::WrongFieldEncoding("account settings")),
            _ => {}
        }
    }
    // Google writes "Issuer:name" into the name.
    let (issuer, name) = tessera_otp::split_issuer_prefix(&issuer, &name);
    if let Err(problem) = tessera_otp::check_label(&issuer, "issuer")
        .and_then(|()| tessera_otp::check_label(&name, "account name"))
    {
        return Ok(Err(SkippedAccount {
            issuer: printable(&issuer),
            name: printable(&name),
            reason: SkipReason::BadLabel(problem),
        }));
    }
    let skip = |reason| {
        Ok(Err(SkippedAccount {
            issuer: issuer.clone(),
            name: name.clone(),
            reason,
        }))
    };
    let algorithm = match algorithm {
        // Unspecified means what every authenticator defaults to.
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return skip(SkipReason::Md5),
        other => return skip(SkipReason::UnknownAlgorithm(other)),
    };
    let digits = match digits {
        0 | 1 => 6,
        2 => 8,
        other => return skip(SkipReason::UnknownDigits(other)),
    };
    let mut params = match kind {
        // Unspecified: Google Authenticator only ever writes it for TOTP.
        0 | 2 => OtpParams::totp(),
        1 => OtpParams::hotp(counter),
        other => return skip(SkipReason::UnknownType(other)),
    };
    params.algorithm = algorithm;
    params.digits = digits;
    debug_assert!(matches!(params.kind, OtpKind::Totp | OtpKind::Hotp));
    let Ok(secret) = Secret::from_bytes(secret.to_vec()) else {
        return skip(SkipReason::EmptySecret);
    };
    Ok(Ok(Enrollment {
        issuer,
        name,
        secret,
        params,
    }))
}

fn utf8(bytes: &[u8], what: &'static str) -> Result<String, MigrationError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| MigrationError::NotUtf8(what))
}

/// A name that broke the label rule, fit to show: control characters as
/// `?`, at most 60 characters.
fn printable(text: &str) -> String {
    let mut shown: String = text
        .chars()
        .take(60)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(60).is_some() {
        shown.push('…');
    }
    shown
}

/// Gathers the codes of one export series as they are scanned, in any
/// order, and says which are still missing.
#[derive(Debug, Clone, Default)]
pub struct SeriesCollector {
    /// The series being collected, fixed by the first code added.
    series: Option<(i32, u32)>,
    /// The codes received, by index.
    received: BTreeMap<u32, MigrationBatch>,
}

/// What adding a code to a [`SeriesCollector`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeriesProgress {
    /// A code not seen before was added.
    Added,
    /// This code was already added (scanning the same screen twice).
    AlreadyHad,
}

/// Why a code does not belong with the ones collected so far.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeriesError {
    /// The code comes from a different export (another batch id, or a
    /// series of another length).
    #[error(
        "this code belongs to a different export (a series of {other_size}) than the \
         codes scanned so far (a series of {size}); finish or restart the scan"
    )]
    DifferentSeries {
        /// Codes in the series being collected.
        size: u32,
        /// Codes in the series the new code belongs to.
        other_size: u32,
    },
}

impl SeriesCollector {
    /// An empty collector, ready for any series.
    pub fn new() -> Self {
        SeriesCollector::default()
    }

    /// Adds one scanned export code.
    pub fn add(&mut self, batch: MigrationBatch) -> Result<SeriesProgress, SeriesError> {
        let position = batch.series;
        match self.series {
            None => self.series = Some((position.batch_id, position.size)),
            Some((batch_id, size)) if batch_id != position.batch_id || size != position.size => {
                return Err(SeriesError::DifferentSeries {
                    size,
                    other_size: position.size,
                })
            }
            Some(_) => {}
        }
        if self.received.contains_key(&position.index) {
            return Ok(SeriesProgress::AlreadyHad);
        }
        self.received.insert(position.index, batch);
        Ok(SeriesProgress::Added)
    }

    /// How many codes the series has (0 before the first is added).
    pub fn size(&self) -> u32 {
        self.series.map_or(0, |(_, size)| size)
    }

    /// The indexes (from 0) of the codes not scanned yet. Shown to people,
    /// add one: "code 2 of 3".
    pub fn missing(&self) -> Vec<u32> {
        (0..self.size())
            .filter(|index| !self.received.contains_key(index))
            .collect()
    }

    /// Whether every code of the series is in (false before the first).
    pub fn is_complete(&self) -> bool {
        self.series.is_some() && self.missing().is_empty()
    }

    /// The accounts received so far, in series order.
    pub fn accounts(&self) -> Vec<Enrollment> {
        self.received
            .values()
            .flat_map(|batch| batch.accounts.iter().cloned())
            .collect()
    }

    /// The unusable accounts received so far, in series order.
    pub fn skipped(&self) -> Vec<SkippedAccount> {
        self.received
            .values()
            .flat_map(|batch| batch.skipped.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal protobuf writer for building test payloads by hand.
    #[derive(Default)]
    pub(crate) struct ProtoWriter(pub Vec<u8>);

    impl ProtoWriter {
        pub fn varint(&mut self, mut value: u64) -> &mut Self {
            loop {
                let byte = (value & 0x7f) as u8;
                value >>= 7;
                if value == 0 {
                    self.0.push(byte);
                    return self;
                }
                self.0.push(byte | 0x80);
            }
        }
        pub fn int_field(&mut self, field: u64, value: u64) -> &mut Self {
            self.varint(field << 3).varint(value)
        }
        pub fn bytes_field(&mut self, field: u64, bytes: &[u8]) -> &mut Self {
            self.varint(field << 3 | 2).varint(bytes.len() as u64);
            self.0.extend_from_slice(bytes);
            self
        }
    }

    pub(crate) fn account(
        secret: &[u8],
        name: &str,
        issuer: &str,
        algorithm: u64,
        digits: u64,
        kind: u64,
        counter: u64,
    ) -> Vec<u8> {
        let mut writer = ProtoWriter::default();
        writer
            .bytes_field(1, secret)
            .bytes_field(2, name.as_bytes())
            .bytes_field(3, issuer.as_bytes())
            .int_field(4, algorithm)
            .int_field(5, digits)
            .int_field(6, kind)
            .int_field(7, counter);
        writer.0
    }

    pub(crate) fn payload(accounts: &[Vec<u8>], size: i64, index: i64, batch_id: i64) -> Vec<u8> {
        let mut writer = ProtoWriter::default();
        for account in accounts {
            writer.bytes_field(1, account);
        }
        writer
            .int_field(2, 1)
            .int_field(3, size as u64)
            .int_field(4, index as u64)
            .int_field(5, batch_id as u64);
        writer.0
    }

    pub(crate) fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut text = String::new();
        for chunk in bytes.chunks(3) {
            let value = chunk
                .iter()
                .enumerate()
                .fold(0u32, |value, (index, &byte)| {
                    value | u32::from(byte) << (16 - 8 * index)
                });
            for index in 0..4 {
                if index <= chunk.len() {
                    text.push(ALPHABET[(value >> (18 - 6 * index) & 63) as usize] as char);
                } else {
                    text.push('=');
                }
            }
        }
        text
    }

    pub(crate) fn uri(message: &[u8]) -> String {
        let encoded = base64(message)
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        format!("otpauth-migration://offline?data={encoded}")
    }

    /// Regression (fuzzing, `migration_payload`): a name of blank prefix
    /// and colons, with no issuer, lost one leading colon on every read, so
    /// an export of it read back as another account. Names are trimmed, as
    /// every other reader trims them, and then read back the same.
    #[test]
    fn regression_fuzz_blank_label_prefix_is_kept_and_reads_back_the_same() {
        let read = |name: &str| {
            let message = payload(&[account(b"secret-bytes", name, "", 1, 1, 2, 0)], 1, 0, 1);
            let batch = parse_migration(&uri(&message)).unwrap();
            assert_eq!(batch.accounts[0].issuer, "");
            batch.accounts[0].name.clone()
        };
        let first = read("  ::::tail");
        assert_eq!(first, "::::tail");
        assert_eq!(read(&first), first);
    }

    /// Regression (fuzzing, `migration_payload`): names with control
    /// characters (NULs, line breaks, terminal escapes) came in from a
    /// migration code, which `otpauth://` links and every importer refuse.
    #[test]
    fn regression_fuzz_labels_with_control_characters_are_skipped() {
        let message = payload(
            &[
                account(b"secret-bytes", "Evil:a\u{1b}[31mb\0", "", 1, 1, 2, 0),
                account(b"secret-bytes", &"n".repeat(300), "Long", 1, 1, 2, 0),
                account(b"secret-bytes", "ok", "Fine", 1, 1, 2, 0),
            ],
            1,
            0,
            1,
        );
        let batch = parse_migration(&uri(&message)).unwrap();
        assert_eq!(batch.accounts.len(), 1);
        assert_eq!(batch.accounts[0].issuer, "Fine");
        assert_eq!(batch.skipped.len(), 2);
        assert_eq!(batch.skipped[0].issuer, "Evil");
        assert_eq!(batch.skipped[0].name, "a?[31mb?");
        assert!(batch.skipped[0]
            .reason
            .to_string()
            .contains("control characters"));
        assert_eq!(batch.skipped[1].name.chars().count(), 61);
        assert!(batch.skipped[1].reason.to_string().contains("longer than"));
    }

    #[test]
    fn the_published_example_reads() {
        // The example export used by several open-source extractors: one TOTP
        // account, secret "Hello!\xde\xad\xbe\xef" (JBSWY3DPEHPK3PXP).
        let batch = parse_migration(
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
        )
        .unwrap();
        assert_eq!(batch.accounts.len(), 1);
        let account = &batch.accounts[0];
        assert_eq!(account.issuer, "Example");
        assert_eq!(account.name, "alice@google.com");
        assert_eq!(account.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        assert_eq!(account.params, OtpParams::totp());
        assert!(batch.series.is_single());
    }

    #[test]
    fn every_setting_is_mapped() {
        let accounts = [
            account(b"0123456789", "alice", "Sha256Co", 2, 2, 2, 0),
            account(b"abcdefghij", "Counter:bob", "", 3, 1, 1, 42),
            account(b"ABCDEFGHIJ", "carol", "", 0, 0, 0, 0),
        ];
        let batch = parse_migration(&uri(&payload(&accounts, 3, 1, -7))).unwrap();
        assert_eq!(
            batch.series,
            SeriesPosition {
                batch_id: -7,
                index: 1,
                size: 3
            }
        );
        assert_eq!(batch.version, 1);
        let [first, second, third] = &batch.accounts[..] else {
            panic!("three accounts expected, got {}", batch.accounts.len());
        };
        assert_eq!(
            (first.issuer.as_str(), first.name.as_str()),
            ("Sha256Co", "alice")
        );
        assert_eq!(first.params.algorithm, Algorithm::Sha256);
        assert_eq!(first.params.digits, 8);
        assert_eq!(first.params.kind, OtpKind::Totp);
        assert_eq!(first.secret.as_bytes(), b"0123456789");
        assert_eq!(
            (second.issuer.as_str(), second.name.as_str()),
            ("Counter", "bob")
        );
        assert_eq!(
            second.params,
            OtpParams {
                algorithm: Algorithm::Sha512,
                ..OtpParams::hotp(42)
            }
        );
        assert_eq!(third.params, OtpParams::totp());
        assert_eq!(third.issuer, "");
    }

    #[test]
    fn unusable_accounts_are_listed_without_their_secret() {
        let accounts = [
            account(b"0123456789", "md5 user", "Old", 4, 1, 2, 0),
            account(b"", "empty", "Blank", 1, 1, 2, 0),
            account(b"0123456789", "odd", "Weird", 1, 9, 2, 0),
            account(b"0123456789", "fine", "Good", 1, 1, 2, 0),
        ];
        let batch = parse_migration(&uri(&payload(&accounts, 1, 0, 5))).unwrap();
        assert_eq!(batch.accounts.len(), 1);
        let reasons: Vec<_> = batch
            .skipped
            .iter()
            .map(|skip| skip.reason.clone())
            .collect();
        assert_eq!(
            reasons,
            [
                SkipReason::Md5,
                SkipReason::EmptySecret,
                SkipReason::UnknownDigits(9)
            ]
        );
        assert_eq!(batch.skipped[0].name, "md5 user");
        assert!(!format!("{:?}", batch.skipped).contains("0123456789"));
    }

    #[test]
    fn malformed_data_gives_clean_errors() {
        let good = payload(&[account(b"0123456789", "a", "b", 1, 1, 2, 0)], 1, 0, 1);
        let cases: Vec<(Vec<u8>, MigrationError)> = vec![
            // A varint whose continuation bit is set on the last byte.
            (vec![0x0a, 0x80], MigrationError::TruncatedVarint),
            (vec![0x18, 0xff], MigrationError::TruncatedVarint),
            // Eleven continuation bytes.
            (
                [vec![0x18], vec![0xff; 10], vec![0x01]].concat(),
                MigrationError::VarintTooLong,
            ),
            // An account that says it is 100 bytes long, with 3 left.
            (
                vec![0x0a, 100, 1, 2, 3],
                MigrationError::LengthPastEnd { length: 100 },
            ),
            // A length near u64::MAX must not allocate or overflow.
            (
                [vec![0x0a], vec![0xff; 9], vec![0x01]].concat(),
                MigrationError::LengthPastEnd { length: u64::MAX },
            ),
            // Inside an account: a secret running past the account's end.
            (
                vec![0x0a, 0x02, 0x0a, 0x05],
                MigrationError::LengthPastEnd { length: 5 },
            ),
            // A group (wire type 3), which the schema never uses.
            (vec![0x0b], MigrationError::UnsupportedWireType(3)),
            // The account list as a number.
            (
                vec![0x08, 0x01],
                MigrationError::WrongFieldEncoding("account list"),
            ),
            // An account name that is not UTF-8.
            (
                vec![0x0a, 0x04, 0x12, 0x02, 0xff, 0xfe],
                MigrationError::NotUtf8("account name"),
            ),
            // Index 3 of a series of 2.
            (
                payload(&[account(b"x", "a", "", 1, 1, 2, 0)], 2, 3, 9),
                MigrationError::BadSeriesPosition { index: 3, size: 2 },
            ),
            // No accounts at all.
            (payload(&[], 1, 0, 9), MigrationError::NoAccounts),
            // Cut short anywhere inside a good payload.
            (
                good[..good.len() - 1].to_vec(),
                MigrationError::TruncatedVarint,
            ),
            (
                good[..5].to_vec(),
                MigrationError::LengthPastEnd {
                    length: u64::from(good[1]),
                },
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(
                parse_migration(&uri(&message)),
                Err(expected),
                "{message:02x?}"
            );
        }
    }

    #[test]
    fn every_prefix_of_a_payload_fails_cleanly_or_reads() {
        let message = payload(
            &[
                account(b"0123456789", "a:b", "c", 2, 2, 1, 300),
                account(b"9876543210", "d", "e", 1, 1, 2, 0),
            ],
            2,
            1,
            -123_456,
        );
        for end in 0..message.len() {
            // Never a panic; the message itself never shows up in an error.
            if let Err(error) = parse_migration(&uri(&message[..end])) {
                assert!(!error.to_string().contains("0123456789"));
            }
        }
        assert!(parse_migration(&uri(&message)).is_ok());
    }

    #[test]
    fn uri_forms_are_checked() {
        assert_eq!(
            parse_migration("otpauth://totp/x?secret=AA"),
            Err(MigrationError::NotMigration)
        );
        assert_eq!(
            parse_migration("otpauth-migration://offline"),
            Err(MigrationError::MissingData)
        );
        assert_eq!(
            parse_migration("otpauth-migration://offline?data="),
            Err(MigrationError::MissingData)
        );
        assert_eq!(
            parse_migration("otpauth-migration://offline?data=%zz"),
            Err(MigrationError::BadPercentEncoding)
        );
        assert_eq!(
            parse_migration("otpauth-migration://offline?data=ab*d"),
            Err(MigrationError::BadBase64 { position: 3 })
        );
        assert_eq!(
            parse_migration("otpauth-migration://offline?data=abcde"),
            Err(MigrationError::BadBase64 { position: 5 })
        );
        // Scheme case, URL-safe base64 and missing padding are accepted.
        let message = payload(
            &[account(&[0xfb, 0xff, 0xbf], "a", "b", 1, 1, 2, 0)],
            1,
            0,
            1,
        );
        let url_safe = base64(&message)
            .replace('+', "-")
            .replace('/', "_")
            .replace('=', "");
        let batch =
            parse_migration(&format!("OTPAUTH-MIGRATION://offline?data={url_safe}&x=1")).unwrap();
        assert_eq!(batch.accounts[0].secret.as_bytes(), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn a_series_reports_what_is_missing() {
        let code = |index, batch_id| {
            parse_migration(&uri(&payload(
                &[account(
                    &[index as u8 + 1; 10],
                    &format!("user{index}"),
                    "S",
                    1,
                    1,
                    2,
                    0,
                )],
                3,
                index,
                batch_id,
            )))
            .unwrap()
        };
        let mut collector = SeriesCollector::new();
        assert!(!collector.is_complete());
        assert_eq!(collector.missing(), Vec::<u32>::new());
        assert_eq!(collector.add(code(2, 77)), Ok(SeriesProgress::Added));
        assert_eq!(collector.size(), 3);
        assert_eq!(collector.missing(), [0, 1]);
        assert_eq!(collector.add(code(2, 77)), Ok(SeriesProgress::AlreadyHad));
        assert_eq!(
            collector.add(code(0, 78)),
            Err(SeriesError::DifferentSeries {
                size: 3,
                other_size: 3
            })
        );
        assert_eq!(collector.add(code(0, 77)), Ok(SeriesProgress::Added));
        assert_eq!(collector.missing(), [1]);
        assert!(!collector.is_complete());
        assert_eq!(collector.add(code(1, 77)), Ok(SeriesProgress::Added));
        assert!(collector.is_complete());
        let names: Vec<String> = collector
            .accounts()
            .into_iter()
            .map(|account| account.name)
            .collect();
        assert_eq!(names, ["user0", "user1", "user2"]);
        assert!(collector.skipped().is_empty());
    }

    /// Found while writing the `migration_payload` fuzz target (confirmed
    /// with it: libFuzzer's out-of-memory at a 2 GiB allocation): one code
    /// claiming a series of 4 294 967 295 codes made
    /// [`SeriesCollector::missing`] list them all.
    #[test]
    fn regression_fuzz_huge_series_size_is_refused() {
        let accounts = [account(b"0123456789", "alice", "A", 1, 1, 2, 0)];
        let huge = payload(&accounts, i64::from(u32::MAX), 0, 5);
        assert_eq!(
            parse_migration(&uri(&huge)),
            Err(MigrationError::BadSeriesPosition {
                index: 0,
                size: i64::from(u32::MAX)
            })
        );
        let largest = payload(&accounts, i64::from(MAX_SERIES_SIZE), 0, 5);
        let mut collector = SeriesCollector::new();
        collector
            .add(parse_migration(&uri(&largest)).unwrap())
            .unwrap();
        assert_eq!(collector.missing().len(), MAX_SERIES_SIZE as usize - 1);
    }
}
