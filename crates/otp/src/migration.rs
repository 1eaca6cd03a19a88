//! Google Authenticator's export QR codes, `otpauth-migration://offline?data=…`:
//! the one reader and writer of the format, under both the QR scanner
//! (tessera-scan) and the file import and export (tessera-transfer), so an
//! account reads the same whichever way it came in.
//!
//! "Transfer accounts" in Google Authenticator shows one or more QR codes,
//! each holding a base64 protocol-buffers `MigrationPayload` with up to a
//! handful of accounts; a long list becomes a numbered series sharing one
//! batch id. [`parse`] reads one code: every account in it, the ones it
//! cannot use ([`SkippedAccount`]) and its place in the series;
//! [`SeriesCollector`] says which codes of a series are still missing;
//! [`encode`] writes accounts as a series, listing those the format cannot
//! carry.
//!
//! The message has a dozen small fields, so it is read with a minimal
//! protobuf reader in which every length is checked against what is left:
//! a damaged or hostile code gives a [`MigrationError`], never a panic or a
//! huge allocation. Error messages never contain secrets. There is no
//! official description; the schema below is the one every reader
//! reproduces (e.g. Aegis's `google_auth.proto`):
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
//!
//! Reading is lenient where writers differ (the scheme's case, the
//! slashes after it or none, a `/` after `offline`, URL-safe or standard
//! base64, padding or none, see the base64 module) and strict where the
//! data is damaged: a known field with the wrong encoding, a name that is
//! not UTF-8 (as proto3 itself requires of `string` fields), impossible
//! series numbers and a code without accounts are errors.

mod base64;
mod protobuf;
mod series;

use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, OtpKind};
use crate::enrollment::Enrollment;
use crate::label::{check_label, split_issuer_prefix, LabelError};
use crate::params::{OtpParams, DEFAULT_PERIOD};
use crate::percent::{percent_decode, PlusSign};
use crate::secret::Secret;
use protobuf::{FieldValue, Reader, Writer, MAX_FIELD_OVERHEAD};

pub use series::{SeriesCollector, SeriesError, SeriesProgress};

/// The scheme of export codes (compared without case).
const SCHEME: &str = "otpauth-migration:";

/// The most codes a series may have: 10 000 accounts at Google's ten a
/// code. A code claiming more is damaged, and [`SeriesCollector::missing`]
/// would list every one of them (16 GiB of indexes for 2^32 - 1 codes).
/// [`encode`] never writes more.
pub const MAX_SERIES_SIZE: u32 = 1000;

/// Most accounts [`encode`] puts in one code, as Google does.
pub const MAX_ACCOUNTS_PER_BATCH: usize = 10;

/// Most protocol-buffer bytes [`encode`] puts in one code (before base64
/// and URL encoding; about 1 000 characters of URI, a version 22–25 QR
/// code, easy to scan from a screen). An account bigger than this on its
/// own still gets a code of its own.
pub const MAX_BATCH_PAYLOAD: usize = 600;

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
    /// Its place among all the accounts the code lists, usable or not,
    /// counting from 0.
    pub index: usize,
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
    BadLabel(LabelError),
}

/// Why an `otpauth-migration://` code cannot be read. Messages never quote
/// the data (it holds secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// It is not an `otpauth-migration:` URI of the `offline` kind.
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
    /// The series numbers are impossible (index past the size, negative,
    /// or more than [`MAX_SERIES_SIZE`] codes).
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

/// Reads an `otpauth-migration://offline?data=…` text (surrounding
/// whitespace is ignored).
pub fn parse(uri: &str) -> Result<MigrationBatch, MigrationError> {
    let uri = uri.trim();
    let rest = uri
        .get(..SCHEME.len())
        .filter(|scheme| scheme.eq_ignore_ascii_case(SCHEME))
        .map(|_| uri[SCHEME.len()..].trim_start_matches('/'))
        .ok_or(MigrationError::NotMigration)?;
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    let host = host.strip_suffix('/').unwrap_or(host);
    if !host.eq_ignore_ascii_case("offline") {
        return Err(MigrationError::NotMigration);
    }
    let encoded = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("data="))
        .filter(|data| !data.is_empty())
        .ok_or(MigrationError::MissingData)?;
    // A `+` is a base64 character here (Google escapes it as `%2B`).
    let base64_text = percent_decode(encoded, PlusSign::Literal)
        .map_err(|_| MigrationError::BadPercentEncoding)?;
    let message =
        base64::decode(&base64_text).map_err(|position| MigrationError::BadBase64 { position })?;
    parse_payload(&message)
}

/// Reads a `MigrationPayload` message.
fn parse_payload(message: &[u8]) -> Result<MigrationBatch, MigrationError> {
    let mut reader = Reader::new(message);
    let mut accounts = Vec::new();
    let mut skipped = Vec::new();
    let (mut version, mut size, mut index, mut batch_id) = (0i64, 0i64, 0i64, 0i64);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            (1, FieldValue::Bytes(parameters)) => {
                let position = accounts.len() + skipped.len();
                match parse_account(parameters, position)? {
                    Ok(account) => accounts.push(account),
                    Err(skip) => skipped.push(skip),
                }
            }
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

/// Reads one `OtpParameters` message, the `position`th of its code: an
/// account, or why it is unusable.
fn parse_account(
    message: &[u8],
    position: usize,
) -> Result<Result<Enrollment, SkippedAccount>, MigrationError> {
    let mut reader = Reader::new(message);
    let mut secret = Zeroizing::new(Vec::new());
    let (mut name, mut issuer) = (String::new(), String::new());
    let (mut algorithm, mut digits, mut kind, mut counter) = (0u64, 0u64, 0u64, 0u64);
    while let Some((field, value)) = reader.next_field()? {
        match (field, value) {
            // Repeated, the last one counts; copied at its exact size, so
            // no growing buffer leaves a copy of it behind.
            (1, FieldValue::Bytes(bytes)) => secret = Zeroizing::new(bytes.to_vec()),
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
    let (issuer, name) = split_issuer_prefix(&issuer, &name);
    if let Err(problem) =
        check_label(&issuer, "issuer").and_then(|()| check_label(&name, "account name"))
    {
        return Ok(Err(SkippedAccount {
            index: position,
            issuer: printable(&issuer),
            name: printable(&name),
            reason: SkipReason::BadLabel(problem),
        }));
    }
    let skip = |reason| {
        Ok(Err(SkippedAccount {
            index: position,
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
    let Ok(secret) = Secret::from_bytes(std::mem::take(&mut *secret)) else {
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

/// Accounts written as a series of export codes by [`encode`].
#[derive(Debug)]
pub struct EncodedSeries {
    /// The codes, in series order (none when no account could be written).
    pub codes: Vec<EncodedCode>,
    /// Accounts the format cannot carry, left out: their place in the
    /// input (from 0) and why, in input order.
    pub skipped: Vec<(usize, Unsupported)>,
    /// Accounts written that Google Authenticator itself may not honour:
    /// their place in the input and why, in input order.
    pub caveats: Vec<(usize, Caveat)>,
}

/// One code of an [`EncodedSeries`]. `Debug` never shows the URI.
pub struct EncodedCode {
    /// Where it stands in the series.
    pub position: SeriesPosition,
    /// The places in the input (from 0) of the accounts it holds.
    pub accounts: Vec<usize>,
    /// The `otpauth-migration://offline?data=…` text the QR code shows.
    pub uri: Zeroizing<String>,
}

impl std::fmt::Debug for EncodedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedCode")
            .field("position", &self.position)
            .field("accounts", &self.accounts)
            .field("uri", &format_args!("<{} characters>", self.uri.len()))
            .finish()
    }
}

/// Why an account cannot be written as an export code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsupported {
    /// A Steam Guard account.
    #[error("Google Authenticator has no Steam Guard codes")]
    Steam,
    /// A TOTP account whose codes change at another pace than every 30 s.
    #[error("changes every {0} seconds; the migration format only has 30-second codes")]
    Period(u64),
    /// Codes of another length than 6 or 8 digits.
    #[error("has {0} digits; the migration format only has 6 or 8")]
    Digits(u8),
    /// The series already has [`MAX_SERIES_SIZE`] codes, the most a reader
    /// takes.
    #[error(
        "the export already has {max} QR codes, the most a series can have; \
         export the rest separately",
        max = MAX_SERIES_SIZE
    )]
    SeriesFull,
}

/// Why an account written as an export code may not work as expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Caveat {
    /// SHA256 or SHA512: in the format, and read by the apps that honour
    /// it (Aegis, Tessera), but Google Authenticator itself has long made
    /// SHA1 codes whatever the field says.
    #[error(
        "uses {0}: the migration format carries it, but Google Authenticator \
         has long made SHA1 codes regardless; check its codes there"
    )]
    Algorithm(Algorithm),
}

/// Writes `accounts` as a series of export codes sharing `batch_id` (the
/// number that tells a scanner which codes belong together; Google's own
/// are positive, and a negative one takes ten bytes on the wire).
///
/// Codes are filled greedily in order: a code closes when one more account
/// would exceed [`MAX_ACCOUNTS_PER_BATCH`] accounts or [`MAX_BATCH_PAYLOAD`]
/// bytes. Accounts the format cannot carry are listed in
/// [`EncodedSeries::skipped`], never dropped in silence. What [`parse`]
/// reads back is the same accounts, except that an HOTP account's period
/// is not in the format (it reads back as 30 s).
pub fn encode<'a>(
    accounts: impl IntoIterator<Item = &'a Enrollment>,
    batch_id: i32,
) -> EncodedSeries {
    let mut skipped = Vec::new();
    let mut caveats = Vec::new();
    let mut encoded: Vec<(usize, Zeroizing<Vec<u8>>)> = Vec::new();
    for (index, account) in accounts.into_iter().enumerate() {
        if let Some(reason) = unsupported(account) {
            skipped.push((index, reason));
            continue;
        }
        if account.params.algorithm != Algorithm::Sha1 {
            caveats.push((index, Caveat::Algorithm(account.params.algorithm)));
        }
        encoded.push((index, encode_account(account)));
    }

    // Greedy batching: a code closes when one more account would exceed
    // either limit; past the last code a reader takes, accounts are left
    // out (in order) rather than written unreadable.
    let mut groups: Vec<Vec<(usize, Zeroizing<Vec<u8>>)>> = Vec::new();
    let mut current_len = 0;
    for item in encoded {
        let item_len = item.1.len() + 3;
        let full = groups.last().is_none_or(|group| {
            group.len() >= MAX_ACCOUNTS_PER_BATCH || current_len + item_len > MAX_BATCH_PAYLOAD
        });
        if full {
            if groups.len() >= MAX_SERIES_SIZE as usize {
                skipped.push((item.0, Unsupported::SeriesFull));
                continue;
            }
            groups.push(Vec::new());
            current_len = 0;
        }
        current_len += item_len;
        if let Some(group) = groups.last_mut() {
            group.push(item);
        }
    }
    skipped.sort_by_key(|&(index, _)| index);

    let size = groups.len() as u32;
    let codes = groups
        .into_iter()
        .zip(0..)
        .map(|(group, index)| {
            let position = SeriesPosition {
                batch_id,
                index,
                size,
            };
            EncodedCode {
                position,
                accounts: group.iter().map(|(index, _)| *index).collect(),
                uri: encode_code(&group, position),
            }
        })
        .collect();
    EncodedSeries {
        codes,
        skipped,
        caveats,
    }
}

/// Why the format cannot hold this account, if it cannot.
fn unsupported(account: &Enrollment) -> Option<Unsupported> {
    let params = &account.params;
    match params.kind {
        OtpKind::Steam => return Some(Unsupported::Steam),
        OtpKind::Totp if params.period != DEFAULT_PERIOD => {
            return Some(Unsupported::Period(params.period))
        }
        _ => {}
    }
    if params.digits != 6 && params.digits != 8 {
        return Some(Unsupported::Digits(params.digits));
    }
    None
}

/// The name field for an account. Readers (Google's, and this one) drop an
/// `Issuer:` prefix that repeats the issuer, so a name that itself starts
/// with it gets one more, which the reader takes off again; otherwise it
/// would read back shorter (found by fuzzing).
fn written_name(account: &Enrollment) -> std::borrow::Cow<'_, str> {
    let issuer = account.issuer.trim();
    let starts_with_issuer = account
        .name
        .split_once(':')
        .is_some_and(|(prefix, _)| !issuer.is_empty() && prefix.trim() == issuer);
    if starts_with_issuer {
        format!("{}:{}", account.issuer, account.name).into()
    } else {
        account.name.as_str().into()
    }
}

/// One `OtpParameters` message.
fn encode_account(account: &Enrollment) -> Zeroizing<Vec<u8>> {
    let params = &account.params;
    let secret = account.secret.as_bytes();
    let name = written_name(account);
    let mut writer = Writer::with_capacity(
        secret.len() + name.len() + account.issuer.len() + 7 * MAX_FIELD_OVERHEAD,
    );
    writer
        .bytes_field(1, secret)
        .bytes_field(2, name.as_bytes())
        .bytes_field(3, account.issuer.as_bytes());
    let algorithm = match params.algorithm {
        Algorithm::Sha1 => 1,
        Algorithm::Sha256 => 2,
        Algorithm::Sha512 => 3,
    };
    writer
        .varint_field(4, algorithm)
        .varint_field(5, if params.digits == 8 { 2 } else { 1 });
    match params.kind {
        OtpKind::Hotp => writer.varint_field(6, 1).varint_field(7, params.counter),
        OtpKind::Totp | OtpKind::Steam => writer.varint_field(6, 2),
    };
    writer.into_bytes()
}

/// One code's URI: its `MigrationPayload` message and [`payload_uri`].
fn encode_code(
    accounts: &[(usize, Zeroizing<Vec<u8>>)],
    position: SeriesPosition,
) -> Zeroizing<String> {
    let capacity = accounts
        .iter()
        .map(|(_, account)| account.len() + MAX_FIELD_OVERHEAD)
        .sum::<usize>()
        + 4 * MAX_FIELD_OVERHEAD;
    let mut writer = Writer::with_capacity(capacity);
    for (_, account) in accounts {
        writer.bytes_field(1, account);
    }
    writer
        .varint_field(2, 1)
        .varint_field(3, u64::from(position.size))
        .varint_field(4, u64::from(position.index))
        // int32: a negative id is sign-extended, as protobuf writes it.
        .varint_field(5, i64::from(position.batch_id) as u64);
    payload_uri(&writer.into_bytes())
}

/// The `otpauth-migration://offline?data=…` URI of a `MigrationPayload`
/// message, as Google Authenticator writes it: standard base64 with `+`,
/// `/` and `=` percent-encoded. [`encode`] writes the message; this is for
/// tools and tests that assemble one by hand.
pub fn payload_uri(message: &[u8]) -> Zeroizing<String> {
    let data = base64::encode(message);
    let mut uri = Zeroizing::new(String::with_capacity(40 + data.len() * 3));
    uri.push_str("otpauth-migration://offline?data=");
    for character in data.chars() {
        match character {
            '+' => uri.push_str("%2B"),
            '/' => uri.push_str("%2F"),
            '=' => uri.push_str("%3D"),
            other => uri.push(other),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One `OtpParameters` message, built field by field.
    fn account(
        secret: &[u8],
        name: &str,
        issuer: &str,
        algorithm: u64,
        digits: u64,
        kind: u64,
        counter: u64,
    ) -> Vec<u8> {
        let mut writer = Writer::with_capacity(256);
        writer
            .bytes_field(1, secret)
            .bytes_field(2, name.as_bytes())
            .bytes_field(3, issuer.as_bytes())
            .varint_field(4, algorithm)
            .varint_field(5, digits)
            .varint_field(6, kind)
            .varint_field(7, counter);
        writer.into_bytes().to_vec()
    }

    /// A `MigrationPayload` of version 1.
    fn payload(accounts: &[Vec<u8>], size: i64, index: i64, batch_id: i64) -> Vec<u8> {
        let mut writer = Writer::with_capacity(4096);
        for account in accounts {
            writer.bytes_field(1, account);
        }
        writer
            .varint_field(2, 1)
            .varint_field(3, size as u64)
            .varint_field(4, index as u64)
            .varint_field(5, batch_id as u64);
        writer.into_bytes().to_vec()
    }

    /// The URI of a message, as Google writes it.
    fn uri(message: &[u8]) -> String {
        payload_uri(message).to_string()
    }

    fn enrollment(issuer: &str, name: &str, params: OtpParams) -> Enrollment {
        let mut secret = [0u8; 20];
        for (i, byte) in secret.iter_mut().enumerate() {
            *byte = (i as u8).wrapping_mul(37) ^ name.len() as u8;
        }
        Enrollment {
            issuer: issuer.into(),
            name: name.into(),
            secret: Secret::from_bytes(secret.to_vec()).unwrap(),
            params,
        }
    }

    /// What a series of codes reads back as, checking each code's place.
    fn read_back(series: &EncodedSeries) -> Vec<Enrollment> {
        let mut accounts = Vec::new();
        for code in &series.codes {
            let batch = parse(&code.uri).unwrap();
            assert_eq!(batch.series, code.position);
            assert!(batch.skipped.is_empty(), "{:?}", batch.skipped);
            assert_eq!(batch.accounts.len(), code.accounts.len());
            accounts.extend(batch.accounts);
        }
        accounts
    }

    /// Regression (fuzzing, `migration_payload`): a name of blank prefix
    /// and colons, with no issuer, lost one leading colon on every read, so
    /// an export of it read back as another account. Names are trimmed, as
    /// every other reader trims them, and then read back the same.
    #[test]
    fn regression_fuzz_blank_label_prefix_is_kept_and_reads_back_the_same() {
        let read = |name: &str| {
            let message = payload(&[account(b"secret-bytes", name, "", 1, 1, 2, 0)], 1, 0, 1);
            let batch = parse(&uri(&message)).unwrap();
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
        let batch = parse(&uri(&message)).unwrap();
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

    /// Regression (fuzzing, `migration_payload`): a name that starts with
    /// its own issuer and a colon ("&:   z" of issuer "&") read back
    /// without that prefix after an export. The fuzzer's own input is
    /// fuzz/corpus/migration_payload/regression-issuer-prefix-in-name.
    #[test]
    fn regression_fuzz_a_name_starting_with_its_issuer_round_trips() {
        let accounts = [
            enrollment("&", "&:   z ,& tpata=hi", OtpParams::totp()),
            enrollment("GitHub", "GitHub: alice", OtpParams::totp()),
            enrollment("GitHub", "alice", OtpParams::totp()),
        ];
        let series = encode(&accounts, 3);
        let names: Vec<String> = read_back(&series)
            .into_iter()
            .map(|account| account.name)
            .collect();
        assert_eq!(names, ["&:   z ,& tpata=hi", "GitHub: alice", "alice"]);
    }

    #[test]
    fn the_published_example_reads() {
        // The example export used by several open-source extractors: one TOTP
        // account, secret "Hello!\xde\xad\xbe\xef" (JBSWY3DPEHPK3PXP).
        let batch = parse(
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

    /// A payload as Google Authenticator writes it, checked field by field:
    /// one TOTP account "Example:alice" with secret "Hello!" (bytes), SHA1,
    /// six digits, version 1, batch 0 of 1, batch id 1, and an unknown
    /// fixed64 field, which is skipped.
    #[test]
    fn decodes_a_hand_assembled_payload() {
        let mut account = Writer::with_capacity(64);
        account
            .bytes_field(1, b"Hello!\xde\xad\xbe\xef")
            .bytes_field(2, b"Example:alice")
            .bytes_field(3, b"Example")
            .varint_field(4, 1)
            .varint_field(5, 1)
            .varint_field(6, 2);
        let mut account = account.into_bytes().to_vec();
        account.extend_from_slice(&[(9 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        let mut message = Writer::with_capacity(128);
        message
            .bytes_field(1, &account)
            .varint_field(2, 1)
            .varint_field(3, 1)
            .varint_field(5, 1);
        let batch = parse(&uri(&message.into_bytes())).unwrap();
        let account = &batch.accounts[0];
        assert_eq!(account.issuer, "Example");
        assert_eq!(account.name, "alice");
        assert_eq!(account.secret.as_bytes(), b"Hello!\xde\xad\xbe\xef");
        assert_eq!(account.params, OtpParams::totp());
        assert_eq!(
            batch.series,
            SeriesPosition {
                batch_id: 1,
                index: 0,
                size: 1
            }
        );
    }

    #[test]
    fn every_setting_is_mapped() {
        let accounts = [
            account(b"0123456789", "alice", "Sha256Co", 2, 2, 2, 0),
            account(b"abcdefghij", "Counter:bob", "", 3, 1, 1, 42),
            account(b"ABCDEFGHIJ", "carol", "", 0, 0, 0, 0),
        ];
        let batch = parse(&uri(&payload(&accounts, 3, 1, -7))).unwrap();
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
    fn unusable_accounts_are_listed_in_place_without_their_secret() {
        let accounts = [
            account(b"0123456789", "md5 user", "Old", 4, 1, 2, 0),
            account(b"", "empty", "Blank", 1, 1, 2, 0),
            account(b"0123456789", "fine", "Good", 1, 1, 2, 0),
            account(b"0123456789", "odd", "Weird", 1, 9, 2, 0),
            account(b"0123456789", "strange", "Kind", 1, 1, 7, 0),
            account(b"0123456789", "new", "Hash", 9, 1, 2, 0),
        ];
        let batch = parse(&uri(&payload(&accounts, 1, 0, 5))).unwrap();
        assert_eq!(batch.accounts.len(), 1);
        let reasons: Vec<_> = batch
            .skipped
            .iter()
            .map(|skip| (skip.index, skip.reason.clone()))
            .collect();
        assert_eq!(
            reasons,
            [
                (0, SkipReason::Md5),
                (1, SkipReason::EmptySecret),
                (3, SkipReason::UnknownDigits(9)),
                (4, SkipReason::UnknownType(7)),
                (5, SkipReason::UnknownAlgorithm(9)),
            ]
        );
        assert_eq!(batch.skipped[0].name, "md5 user");
        assert!(!format!("{:?}", batch.skipped).contains("0123456789"));
        assert_eq!(
            SkipReason::Md5.to_string(),
            "it uses the MD5 algorithm, which one-time codes do not support"
        );
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
            // The series size as bytes.
            (
                vec![0x1a, 0x00],
                MigrationError::WrongFieldEncoding("batch information"),
            ),
            // Inside an account: the secret as a number, the name as one,
            // the algorithm as bytes.
            (
                vec![0x0a, 0x02, 0x08, 0x01],
                MigrationError::WrongFieldEncoding("secret"),
            ),
            (
                vec![0x0a, 0x02, 0x10, 0x01],
                MigrationError::WrongFieldEncoding("name"),
            ),
            (
                vec![0x0a, 0x02, 0x22, 0x00],
                MigrationError::WrongFieldEncoding("account settings"),
            ),
            // An account name that is not UTF-8.
            (
                vec![0x0a, 0x04, 0x12, 0x02, 0xff, 0xfe],
                MigrationError::NotUtf8("account name"),
            ),
            (
                vec![0x0a, 0x03, 0x1a, 0x01, 0xc3],
                MigrationError::NotUtf8("issuer"),
            ),
            // Index 3 of a series of 2, and a negative index.
            (
                payload(&[account(b"x", "a", "", 1, 1, 2, 0)], 2, 3, 9),
                MigrationError::BadSeriesPosition { index: 3, size: 2 },
            ),
            (
                payload(&[account(b"x", "a", "", 1, 1, 2, 0)], 2, -1, 9),
                MigrationError::BadSeriesPosition { index: -1, size: 2 },
            ),
            // No accounts at all.
            (payload(&[], 1, 0, 9), MigrationError::NoAccounts),
            (Vec::new(), MigrationError::NoAccounts),
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
            let text = uri(&message);
            let text = if message.is_empty() {
                // `data=` with nothing is a missing parameter; a space is
                // a plus, and "+" alone is a lost character: use padding.
                format!("{text}%3D")
            } else {
                text
            };
            assert_eq!(parse(&text), Err(expected), "{message:02x?}");
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
            if let Err(error) = parse(&uri(&message[..end])) {
                assert!(!error.to_string().contains("0123456789"));
            }
        }
        assert!(parse(&uri(&message)).is_ok());
    }

    #[test]
    fn uri_forms_are_checked() {
        assert_eq!(
            parse("otpauth://totp/x?secret=AA"),
            Err(MigrationError::NotMigration)
        );
        assert_eq!(
            parse("otpauth-migration://online?data=AA"),
            Err(MigrationError::NotMigration)
        );
        assert_eq!(
            parse("otpauth-migration://offlinex?data=AA"),
            Err(MigrationError::NotMigration)
        );
        assert_eq!(
            parse("otpauth-migration://offline"),
            Err(MigrationError::MissingData)
        );
        assert_eq!(
            parse("otpauth-migration://offline?nodata=1"),
            Err(MigrationError::MissingData)
        );
        assert_eq!(
            parse("otpauth-migration://offline?data="),
            Err(MigrationError::MissingData)
        );
        assert_eq!(
            parse("otpauth-migration://offline?data=%zz"),
            Err(MigrationError::BadPercentEncoding)
        );
        assert_eq!(
            parse("otpauth-migration://offline?data=ab*d"),
            Err(MigrationError::BadBase64 { position: 3 })
        );
        assert_eq!(
            parse("otpauth-migration://offline?data=!!!"),
            Err(MigrationError::BadBase64 { position: 1 })
        );
        assert_eq!(
            parse("otpauth-migration://offline?data=abcde"),
            Err(MigrationError::BadBase64 { position: 5 })
        );
        // Scheme case, the `//` or none, a `/` after the host, other
        // parameters, URL-safe base64 and missing padding are accepted.
        let message = payload(
            &[account(&[0xf8, 0x3e, 0xff], "a", "b", 1, 1, 2, 0)],
            1,
            0,
            1,
        );
        let standard = base64::encode(&message);
        let url_safe = standard
            .replace('+', "-")
            .replace('/', "_")
            .replace('=', "");
        for text in [
            format!("OTPAUTH-MIGRATION://Offline?data={url_safe}&x=1"),
            format!(" otpauth-migration:offline/?x=1&data={url_safe}\n"),
            format!("otpauth-migration:///offline?data={url_safe}"),
        ] {
            let batch = parse(&text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(batch.accounts[0].secret.as_bytes(), [0xf8, 0x3e, 0xff]);
        }
        // A `+` left unescaped reads as a plus, and one that a form
        // decoder turned into a space (or `%20`) still reads as a plus.
        assert!(standard.contains('+'), "{}", standard.as_str());
        for data in [
            standard.to_string(),
            standard.replace('+', " "),
            standard.replace('+', "%20"),
        ] {
            let batch = parse(&format!("otpauth-migration://offline?data={data}")).unwrap();
            assert_eq!(batch.accounts[0].secret.as_bytes(), [0xf8, 0x3e, 0xff]);
        }
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
            parse(&uri(&huge)),
            Err(MigrationError::BadSeriesPosition {
                index: 0,
                size: i64::from(u32::MAX)
            })
        );
        let largest = payload(&accounts, i64::from(MAX_SERIES_SIZE), 0, 5);
        let mut collector = SeriesCollector::new();
        collector.add(parse(&uri(&largest)).unwrap()).unwrap();
        assert_eq!(collector.missing().len(), MAX_SERIES_SIZE as usize - 1);
        assert_eq!(collector.missing_count(), MAX_SERIES_SIZE - 1);
        let first: Vec<u32> = collector.missing_iter().take(3).collect();
        assert_eq!(first, [1, 2, 3]);
    }

    fn representable() -> Vec<Enrollment> {
        vec![
            enrollment("Deno", "Mason", OtpParams::totp()),
            enrollment(
                "Airbnb",
                "Elijah",
                OtpParams {
                    algorithm: Algorithm::Sha512,
                    digits: 8,
                    ..OtpParams::totp()
                },
            ),
            enrollment("Issuu", "James", OtpParams::hotp(10300)),
            enrollment("", "no issuer", OtpParams::totp()),
        ]
    }

    #[test]
    fn encode_then_parse_round_trips_what_google_can_hold() {
        let accounts = representable();
        let series = encode(&accounts, 42);
        assert!(series.skipped.is_empty());
        let debug = format!("{series:?}");
        assert!(!debug.contains("otpauth-migration"), "{debug}");
        assert_eq!(series.caveats, [(1, Caveat::Algorithm(Algorithm::Sha512))]);
        assert_eq!(
            series.caveats[0].1.to_string(),
            "uses SHA512: the migration format carries it, but Google Authenticator \
             has long made SHA1 codes regardless; check its codes there"
        );
        assert_eq!(series.codes.len(), 1);
        assert_eq!(series.codes[0].accounts, [0, 1, 2, 3]);
        assert_eq!(
            series.codes[0].position,
            SeriesPosition {
                batch_id: 42,
                index: 0,
                size: 1
            }
        );
        assert_eq!(read_back(&series), accounts);
    }

    /// The bytes written are Google's: known field by field, and the same
    /// as Tessera wrote before the two codecs became one (the committed
    /// fuzz seeds were made with them).
    #[test]
    fn the_written_form_is_fixed() {
        let account = Enrollment {
            issuer: "Example".into(),
            name: "alice".into(),
            secret: Secret::from_bytes(b"Hello!\xde\xad\xbe\xef".to_vec()).unwrap(),
            params: OtpParams::totp(),
        };
        let series = encode([&account], 1);
        assert_eq!(
            series.codes[0].uri.as_str(),
            "otpauth-migration://offline?data=CiIKCkhlbGxvId6tvu8SBWFsaWNlGgdFeGFtcGxlIAEoATACEAEYASAAKAE%3D"
        );
        assert_eq!(
            payload_uri(&[0xfb, 0xff]).as_str(),
            "otpauth-migration://offline?data=%2B%2F8%3D"
        );
        // A negative id is an int32, sign-extended.
        let series = encode([&account], -1);
        assert_eq!(parse(&series.codes[0].uri).unwrap().series.batch_id, -1);
    }

    #[test]
    fn series_are_filled_greedily_and_numbered() {
        let accounts: Vec<Enrollment> = (0..23)
            .map(|i| {
                enrollment(
                    "Service",
                    &format!("user{i}@example.com"),
                    OtpParams::totp(),
                )
            })
            .collect();
        let series = encode(&accounts, 9);
        assert_eq!(series.codes.len(), 3);
        let sizes: Vec<usize> = series.codes.iter().map(|c| c.accounts.len()).collect();
        assert_eq!(sizes, [MAX_ACCOUNTS_PER_BATCH, MAX_ACCOUNTS_PER_BATCH, 3]);
        assert_eq!(read_back(&series), accounts);

        // Large accounts split by payload size instead.
        let long = "x".repeat(200);
        let accounts: Vec<Enrollment> = (0..5)
            .map(|i| enrollment(&long, &format!("{i}"), OtpParams::totp()))
            .collect();
        let series = encode(&accounts, 1);
        assert_eq!(series.codes.len(), 3);
        for code in &series.codes {
            assert!(code.uri.len() < 1100, "{}", code.uri.len());
        }
        assert_eq!(read_back(&series), accounts);
    }

    #[test]
    fn accounts_google_cannot_hold_are_listed() {
        let accounts = vec![
            enrollment("Steam", "gaben", OtpParams::steam()),
            enrollment(
                "SPDX",
                "James",
                OtpParams {
                    period: 20,
                    ..OtpParams::totp()
                },
            ),
            enrollment(
                "Ten",
                "digits",
                OtpParams {
                    digits: 10,
                    ..OtpParams::totp()
                },
            ),
            enrollment(
                "Fine",
                "hotp",
                OtpParams {
                    period: 60,
                    ..OtpParams::hotp(3)
                },
            ),
        ];
        let series = encode(&accounts, 7);
        assert_eq!(
            series.skipped,
            [
                (0, Unsupported::Steam),
                (1, Unsupported::Period(20)),
                (2, Unsupported::Digits(10))
            ]
        );
        let reasons: Vec<String> = series.skipped.iter().map(|s| s.1.to_string()).collect();
        assert_eq!(
            reasons,
            [
                "Google Authenticator has no Steam Guard codes",
                "changes every 20 seconds; the migration format only has 30-second codes",
                "has 10 digits; the migration format only has 6 or 8",
            ]
        );
        assert_eq!(series.codes.len(), 1);
        assert_eq!(series.codes[0].accounts, [3]);
        // An HOTP account's period is not in the format.
        let back = read_back(&series);
        assert_eq!(back[0].params, OtpParams::hotp(3));
    }

    #[test]
    fn nothing_to_write_is_no_codes() {
        let series = encode([], 1);
        assert!(series.codes.is_empty() && series.skipped.is_empty());
        let steam = enrollment("Steam", "gaben", OtpParams::steam());
        let series = encode([&steam], 1);
        assert!(series.codes.is_empty());
        assert_eq!(series.skipped.len(), 1);
    }

    /// A series past [`MAX_SERIES_SIZE`] codes would be refused by every
    /// reader here, so the accounts that do not fit are listed instead.
    #[test]
    fn a_series_never_has_more_codes_than_a_reader_takes() {
        let accounts: Vec<Enrollment> = (0..MAX_SERIES_SIZE as usize * MAX_ACCOUNTS_PER_BATCH + 3)
            .map(|i| enrollment("S", &format!("{i}"), OtpParams::totp()))
            .collect();
        let series = encode(&accounts, 1);
        assert_eq!(series.codes.len(), MAX_SERIES_SIZE as usize);
        let skipped: Vec<usize> = series.skipped.iter().map(|s| s.0).collect();
        let written = accounts.len() - 3;
        assert_eq!(skipped, [written, written + 1, written + 2]);
        assert!(series
            .skipped
            .iter()
            .all(|s| s.1 == Unsupported::SeriesFull));
        let last = series.codes.last().unwrap();
        assert_eq!(parse(&last.uri).unwrap().series, last.position);
    }
}
