//! Google Authenticator's "Transfer accounts" format: `otpauth-migration://`
//! URIs, each shown as one QR code of a series.
//!
//! Format: `otpauth-migration://offline?data=` followed by the URL-encoded
//! base64 of a protocol buffer, Google's `MigrationPayload` (no official
//! page; the message definition is reproduced by every reader, e.g.
//! <https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/proto/google_auth.proto>):
//! `otp_parameters` (1, repeated: secret 1, name 2, issuer 3, algorithm 4
//! {1 SHA1, 2 SHA256, 3 SHA512, 4 MD5}, digits 5 {1 six, 2 eight}, type 6
//! {1 HOTP, 2 TOTP}, counter 7), `version` 2, `batch_size` 3,
//! `batch_index` 4, `batch_id` 5. The reader here is a hand-written varint
//! parser; unknown fields are skipped.
//!
//! What it cannot carry: a period (every TOTP account is 30 s), digit
//! counts other than 6 and 8, Steam Guard, notes, favourites, tags, icons.
//! Such accounts are listed in [`MigrationExport::skipped`], never silently
//! dropped. SHA256 and SHA512 are in the format and are written, but
//! Google Authenticator itself has long ignored the algorithm and made SHA1
//! codes, so those accounts are listed in [`MigrationExport::caveats`]:
//! they move correctly to apps that read the field (Aegis, Tessera), but
//! should be checked in Google Authenticator. MD5 accounts cannot be
//! imported (no other app makes MD5 codes either).
//!
//! Batches hold at most [`MAX_ACCOUNTS_PER_BATCH`] accounts and about
//! [`MAX_BATCH_PAYLOAD`] bytes of payload, like Google's own, so that each
//! QR code stays easy to scan from a screen.

use std::collections::{HashMap, HashSet};

use tessera_otp::{Algorithm, Enrollment, OtpKind, Secret};
use zeroize::Zeroizing;

use crate::crypto::{base64_decode, base64_encode, random_array};
use crate::entry::{account_label, Entry, EntryError, ImportReport, RawAccount};
use crate::error::{ExportError, ImportError};
use crate::password::Password;
use crate::qr;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Google Authenticator migration";

/// Most accounts in one QR code of the series.
pub const MAX_ACCOUNTS_PER_BATCH: usize = 10;
/// Most protocol-buffer bytes in one QR code (before base64 and URL
/// encoding; about 1 000 characters of URI, a version 22–25 QR code). An
/// account bigger than this on its own still gets a code of its own.
pub const MAX_BATCH_PAYLOAD: usize = 600;

/// Most missing codes of a series named in its error; the rest are counted.
const MAX_MISSING_NAMED: usize = 10;

/// Reads text holding `otpauth-migration://` URIs, one per line (what a
/// scanner gives for each QR code of a series).
#[derive(Debug, Clone, Copy, Default)]
pub struct GoogleMigrationImporter;

/// One decoded `otpauth-migration://` URI.
#[derive(Debug)]
pub(crate) struct DecodedBatch {
    /// The accounts or why each could not be read.
    pub entries: Vec<Result<Entry, EntryError>>,
    /// Which QR code of the series this is (from 0).
    pub batch_index: u64,
    /// How many QR codes the series has.
    pub batch_size: u64,
    /// The number shared by all QR codes of one series.
    pub batch_id: u64,
}

impl Importer for GoogleMigrationImporter {
    fn id(&self) -> &'static str {
        "google-migration"
    }

    fn name(&self) -> &'static str {
        "Google Authenticator migration (otpauth-migration://)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Confidence::No;
        };
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .peekable();
        if lines.peek().is_none() {
            return Confidence::No;
        }
        if lines.all(is_migration_uri) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotThisFormat {
            format: "a Google Authenticator migration",
            reason: "it is not text".into(),
        })?;
        let mut report = ImportReport::default();
        let mut any = false;
        let mut offset = 0;
        // Per series: how many codes it has and which were read, found by
        // id in a map, not a scan per line: a file may hold a million
        // one-line series.
        let mut series: Vec<(u64, HashSet<u64>)> = Vec::new();
        let mut series_of: HashMap<u64, usize> = HashMap::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !is_migration_uri(line) {
                return Err(ImportError::NotThisFormat {
                    format: "a Google Authenticator migration",
                    reason: "a line does not start with otpauth-migration://".into(),
                });
            }
            any = true;
            let batch = decode_uri(line).map_err(|reason| ImportError::Corrupt {
                format: FORMAT,
                reason,
            })?;
            match series_of.get(&batch.batch_id) {
                Some(&at) => {
                    series[at].1.insert(batch.batch_index);
                }
                None => {
                    series_of.insert(batch.batch_id, series.len());
                    series.push((batch.batch_size, HashSet::from([batch.batch_index])));
                }
            }
            let count = batch.entries.len();
            for result in batch.entries {
                report.push(result.map_err(|mut error| {
                    error.index += offset;
                    error
                }));
            }
            offset += count;
        }
        if !any {
            return Err(ImportError::NotThisFormat {
                format: "a Google Authenticator migration",
                reason: "it is empty".into(),
            });
        }
        // A series read in part is reported, so no account is lost unseen.
        // Each report names a few of the missing codes, not all: a file can
        // claim a thousand codes for each of a million series.
        for (size, seen) in series {
            let listed = size.min(1000);
            let read = seen.iter().filter(|&&index| index < listed).count() as u64;
            let mut missing: Vec<String> = (0..listed)
                .filter(|index| !seen.contains(index))
                .take(MAX_MISSING_NAMED)
                .map(|index| (index + 1).to_string())
                .collect();
            let unnamed = (listed - read).saturating_sub(missing.len() as u64);
            if unnamed > 0 {
                missing.push(format!("{unnamed} more"));
            }
            if !missing.is_empty() {
                report.errors.push(EntryError {
                    index: offset,
                    label: String::new(),
                    message: format!(
                        "the transfer has {size} QR codes, but code {} of them was not \
                         scanned; its accounts are missing",
                        missing.join(", ")
                    ),
                });
            }
        }
        Ok(report)
    }
}

/// Whether a line is an `otpauth-migration:` URI.
fn is_migration_uri(line: &str) -> bool {
    line.len() > 18 && line.as_bytes()[..18].eq_ignore_ascii_case(b"otpauth-migration:")
}

/// Decodes one `otpauth-migration://offline?data=…` URI. A malformed URI
/// or payload is an error for the whole URI; a bad account inside it is an
/// error for that account.
pub(crate) fn decode_uri(uri: &str) -> Result<DecodedBatch, String> {
    let uri = uri.trim();
    if !is_migration_uri(uri) {
        return Err("not an otpauth-migration:// URI".into());
    }
    let rest = uri[18..].trim_start_matches('/');
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !host.eq_ignore_ascii_case("offline") {
        return Err("the migration URI is not of the offline kind".into());
    }
    let data = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("data="))
        .ok_or("the migration URI has no data parameter")?;
    let payload = decode_data(data).ok_or("the migration data is not valid base64")?;
    decode_payload(&payload)
}

/// Percent-decodes and base64-decodes the `data` parameter. A `+` stays a
/// plus (it belongs to base64); URL-safe base64 is accepted too.
fn decode_data(data: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut text = Zeroizing::new(String::with_capacity(data.len()));
    let mut bytes = data.bytes();
    while let Some(byte) = bytes.next() {
        let byte = if byte == b'%' {
            let high = (bytes.next()? as char).to_digit(16)?;
            let low = (bytes.next()? as char).to_digit(16)?;
            (high * 16 + low) as u8
        } else {
            byte
        };
        text.push(match byte {
            b'-' => '+',
            b'_' => '/',
            b' ' => '+',
            other => other as char,
        });
    }
    base64_decode(&text)
}

/// A protocol-buffer reader over a byte slice.
struct ProtoReader<'a> {
    bytes: &'a [u8],
}

/// One field's value.
enum ProtoValue<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

impl<'a> ProtoReader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let (&byte, rest) = self
                .bytes
                .split_first()
                .ok_or("the migration data ends inside a number")?;
            self.bytes = rest;
            if shift == 63 && byte > 1 {
                return Err("a number in the migration data is too large".into());
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number in the migration data is too long".into())
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], String> {
        let len = usize::try_from(len).map_err(|_| "a field is too long")?;
        if len > self.bytes.len() {
            return Err("the migration data ends inside a field".into());
        }
        let (field, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(field)
    }

    /// The next field number and value; wire types other than varint and
    /// length-delimited are skipped.
    fn next_field(&mut self) -> Result<Option<(u64, ProtoValue<'a>)>, String> {
        loop {
            if self.bytes.is_empty() {
                return Ok(None);
            }
            let key = self.varint()?;
            let number = key >> 3;
            match key & 7 {
                0 => return Ok(Some((number, ProtoValue::Varint(self.varint()?)))),
                2 => {
                    let len = self.varint()?;
                    return Ok(Some((number, ProtoValue::Bytes(self.take(len)?))));
                }
                1 => {
                    self.take(8)?;
                }
                5 => {
                    self.take(4)?;
                }
                other => {
                    return Err(format!(
                        "the migration data has an unknown wire type {other}"
                    ))
                }
            }
        }
    }
}

/// Decodes a `MigrationPayload`.
fn decode_payload(payload: &[u8]) -> Result<DecodedBatch, String> {
    let mut reader = ProtoReader { bytes: payload };
    let mut entries = Vec::new();
    let (mut batch_index, mut batch_size, mut batch_id) = (0, 1, 0);
    while let Some((number, value)) = reader.next_field()? {
        match (number, value) {
            (1, ProtoValue::Bytes(account)) => {
                let index = entries.len();
                entries.push(
                    decode_account(account).map_err(|(label, message)| EntryError {
                        index,
                        label,
                        message,
                    }),
                );
            }
            (3, ProtoValue::Varint(value)) => batch_size = value,
            (4, ProtoValue::Varint(value)) => batch_index = value,
            (5, ProtoValue::Varint(value)) => batch_id = value,
            (1, _) => return Err("the migration data is malformed".into()),
            _ => {}
        }
    }
    Ok(DecodedBatch {
        entries,
        batch_index,
        batch_size,
        batch_id,
    })
}

/// Decodes one `OtpParameters`; errors carry the label read so far.
fn decode_account(bytes: &[u8]) -> Result<Entry, (String, String)> {
    let mut reader = ProtoReader { bytes };
    let mut secret: Option<Zeroizing<Vec<u8>>> = None;
    let (mut name, mut issuer) = (String::new(), String::new());
    let (mut algorithm, mut digits, mut kind, mut counter) = (0, 0, 0, 0);
    let text = |field: &[u8]| String::from_utf8_lossy(field).into_owned();
    while let Some((number, value)) = reader
        .next_field()
        .map_err(|message| (account_label(&issuer, &name), message))?
    {
        match (number, value) {
            (1, ProtoValue::Bytes(field)) => secret = Some(Zeroizing::new(field.to_vec())),
            (2, ProtoValue::Bytes(field)) => name = text(field),
            (3, ProtoValue::Bytes(field)) => issuer = text(field),
            (4, ProtoValue::Varint(value)) => algorithm = value,
            (5, ProtoValue::Varint(value)) => digits = value,
            (6, ProtoValue::Varint(value)) => kind = value,
            (7, ProtoValue::Varint(value)) => counter = value,
            _ => {}
        }
    }
    // Google writes "Issuer:name" into the name.
    let (issuer, name) = tessera_otp::split_issuer_prefix(&issuer, &name);
    let mut raw = RawAccount::new(issuer, name);
    let label = raw.label();
    let fail = |message: &str| (label.clone(), message.to_owned());
    raw.algorithm = match algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(fail("MD5 accounts are not supported")),
        _ => return Err(fail("unknown algorithm number")),
    };
    raw.digits = match digits {
        0 | 1 => 6,
        2 => 8,
        _ => return Err(fail("unknown digit count number")),
    };
    match kind {
        1 => {
            raw.kind = OtpKind::Hotp;
            raw.counter = counter;
        }
        0 | 2 => raw.kind = OtpKind::Totp,
        _ => return Err(fail("unknown OTP type number")),
    }
    let secret = secret.ok_or_else(|| fail("the account has no secret"))?;
    let secret = Secret::from_bytes(secret.to_vec()).map_err(|error| fail(&error.to_string()))?;
    let enrollment = raw
        .into_enrollment(secret)
        .map_err(|message| fail(&message))?;
    Ok(Entry::new(enrollment))
}

/// One QR code of an export series. `Debug` never shows the URI.
pub struct MigrationBatch {
    /// Which code of the series this is, from 0.
    pub batch_index: usize,
    /// How many codes the series has.
    pub batch_size: usize,
    /// Positions (in the exported list) of the accounts it holds.
    pub entry_indices: Vec<usize>,
    /// The `otpauth-migration://` URI the QR code shows.
    pub uri: Zeroizing<String>,
}

impl std::fmt::Debug for MigrationBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationBatch")
            .field("batch_index", &self.batch_index)
            .field("batch_size", &self.batch_size)
            .field("entry_indices", &self.entry_indices)
            .field("uri", &format_args!("<{} characters>", self.uri.len()))
            .finish()
    }
}

impl MigrationBatch {
    /// The QR code as a PNG image.
    pub fn qr_png(&self) -> Result<Zeroizing<Vec<u8>>, ExportError> {
        qr::png_of(&qr::grid(&self.uri, || {
            format!(
                "migration QR code {} of {}",
                self.batch_index + 1,
                self.batch_size
            )
        })?)
    }
}

/// A Google Authenticator migration series.
#[derive(Debug)]
pub struct MigrationExport {
    /// The QR codes, in order.
    pub batches: Vec<MigrationBatch>,
    /// Accounts the format cannot hold, left out, with why.
    pub skipped: Vec<EntryError>,
    /// Accounts written but that Google Authenticator itself may not
    /// honour (SHA256, SHA512), with why.
    pub caveats: Vec<EntryError>,
}

/// Writes `entries` as a migration series with a random batch id.
pub fn export(entries: &[Entry]) -> Result<MigrationExport, ExportError> {
    let id: [u8; 4] = random_array()?;
    // Positive, as Google's own ids are; a negative int32 would take ten
    // bytes on the wire.
    export_with_batch_id(entries, u32::from_le_bytes(id) & 0x7fff_ffff)
}

/// Writes `entries` as a migration series with the given batch id (the
/// number that tells a scanner which codes belong together).
pub fn export_with_batch_id(
    entries: &[Entry],
    batch_id: u32,
) -> Result<MigrationExport, ExportError> {
    let mut skipped = Vec::new();
    let mut caveats = Vec::new();
    let mut encoded: Vec<(usize, Zeroizing<Vec<u8>>)> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let enrollment = &entry.enrollment;
        let problem = |message: String| EntryError {
            index,
            label: entry.label(),
            message,
        };
        match unrepresentable(enrollment) {
            Some(reason) => skipped.push(problem(reason)),
            None => {
                if enrollment.params.algorithm != Algorithm::Sha1 {
                    caveats.push(problem(format!(
                        "uses {}: the migration format carries it, but Google Authenticator \
                         has long made SHA1 codes regardless; check its codes there",
                        enrollment.params.algorithm
                    )));
                }
                encoded.push((index, encode_account(enrollment)));
            }
        }
    }

    // Greedy batching: a batch closes when one more account would exceed
    // either limit.
    let mut groups: Vec<Vec<(usize, Zeroizing<Vec<u8>>)>> = Vec::new();
    let mut current_len = 0;
    for item in encoded {
        let item_len = item.1.len() + 3;
        let full = groups.last().is_none_or(|group| {
            group.len() >= MAX_ACCOUNTS_PER_BATCH || current_len + item_len > MAX_BATCH_PAYLOAD
        });
        if full {
            groups.push(Vec::new());
            current_len = 0;
        }
        current_len += item_len;
        groups.last_mut().expect("pushed above").push(item);
    }

    let batch_size = groups.len();
    let batches = groups
        .into_iter()
        .enumerate()
        .map(|(batch_index, group)| {
            let mut payload = Zeroizing::new(Vec::with_capacity(MAX_BATCH_PAYLOAD * 2));
            for (_, account) in &group {
                put_bytes(&mut payload, 1, account);
            }
            put_varint_field(&mut payload, 2, 1);
            put_varint_field(&mut payload, 3, batch_size as u64);
            put_varint_field(&mut payload, 4, batch_index as u64);
            put_varint_field(&mut payload, 5, u64::from(batch_id));
            MigrationBatch {
                batch_index,
                batch_size,
                entry_indices: group.iter().map(|(index, _)| *index).collect(),
                uri: migration_uri(&payload),
            }
        })
        .collect();
    Ok(MigrationExport {
        batches,
        skipped,
        caveats,
    })
}

/// Why the format cannot hold this account, if it cannot.
fn unrepresentable(enrollment: &Enrollment) -> Option<String> {
    let params = &enrollment.params;
    match params.kind {
        OtpKind::Steam => return Some("Google Authenticator has no Steam Guard codes".into()),
        OtpKind::Totp if params.period != 30 => {
            return Some(format!(
                "changes every {} seconds; the migration format only has 30-second codes",
                params.period
            ))
        }
        _ => {}
    }
    if params.digits != 6 && params.digits != 8 {
        return Some(format!(
            "has {} digits; the migration format only has 6 or 8",
            params.digits
        ));
    }
    None
}

/// The name field for an account. Readers (Google's, and both of
/// Tessera's) drop an `Issuer:` prefix that repeats the issuer, so a name
/// that itself starts with it gets one more, which the reader takes off
/// again; otherwise it would read back shorter (found by fuzzing).
fn written_name(enrollment: &Enrollment) -> std::borrow::Cow<'_, str> {
    let issuer = enrollment.issuer.trim();
    let starts_with_issuer = enrollment
        .name
        .split_once(':')
        .is_some_and(|(prefix, _)| !issuer.is_empty() && prefix.trim() == issuer);
    if starts_with_issuer {
        format!("{}:{}", enrollment.issuer, enrollment.name).into()
    } else {
        enrollment.name.as_str().into()
    }
}

/// One `OtpParameters` message.
fn encode_account(enrollment: &Enrollment) -> Zeroizing<Vec<u8>> {
    let params = &enrollment.params;
    let secret = enrollment.secret.as_bytes();
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        secret.len() + enrollment.name.len() + enrollment.issuer.len() + 40,
    ));
    put_bytes(&mut bytes, 1, secret);
    put_bytes(&mut bytes, 2, written_name(enrollment).as_bytes());
    put_bytes(&mut bytes, 3, enrollment.issuer.as_bytes());
    let algorithm = match params.algorithm {
        Algorithm::Sha1 => 1,
        Algorithm::Sha256 => 2,
        Algorithm::Sha512 => 3,
    };
    put_varint_field(&mut bytes, 4, algorithm);
    put_varint_field(&mut bytes, 5, if params.digits == 8 { 2 } else { 1 });
    match params.kind {
        OtpKind::Hotp => {
            put_varint_field(&mut bytes, 6, 1);
            put_varint_field(&mut bytes, 7, params.counter);
        }
        _ => put_varint_field(&mut bytes, 6, 2),
    }
    bytes
}

/// `otpauth-migration://offline?data=` and the URL-encoded base64.
fn migration_uri(payload: &[u8]) -> Zeroizing<String> {
    let data = Zeroizing::new(base64_encode(payload));
    let mut uri = Zeroizing::new(String::with_capacity(40 + data.len() * 3));
    uri.push_str("otpauth-migration://offline?data=");
    for ch in data.chars() {
        match ch {
            '+' => uri.push_str("%2B"),
            '/' => uri.push_str("%2F"),
            '=' => uri.push_str("%3D"),
            other => uri.push(other),
        }
    }
    uri
}

fn put_varint(bytes: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        bytes.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

fn put_varint_field(bytes: &mut Vec<u8>, number: u64, value: u64) {
    put_varint(bytes, number << 3);
    put_varint(bytes, value);
}

fn put_bytes(bytes: &mut Vec<u8>, number: u64, field: &[u8]) {
    put_varint(bytes, (number << 3) | 2);
    put_varint(bytes, field.len() as u64);
    bytes.extend_from_slice(field);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::OtpParams;

    fn entry(issuer: &str, name: &str, params: OtpParams) -> Entry {
        let mut secret = [0u8; 20];
        for (i, byte) in secret.iter_mut().enumerate() {
            *byte = (i as u8).wrapping_mul(37) ^ name.len() as u8;
        }
        Entry::new(Enrollment {
            issuer: issuer.into(),
            name: name.into(),
            secret: Secret::from_bytes(secret.to_vec()).unwrap(),
            params,
        })
    }

    fn representable() -> Vec<Entry> {
        vec![
            entry("Deno", "Mason", OtpParams::totp()),
            entry(
                "Airbnb",
                "Elijah",
                OtpParams {
                    algorithm: Algorithm::Sha512,
                    digits: 8,
                    ..OtpParams::totp()
                },
            ),
            entry("Issuu", "James", OtpParams::hotp(10300)),
            entry("", "no issuer", OtpParams::totp()),
        ]
    }

    /// A payload Google Authenticator wrote, checked field by field: one
    /// TOTP account "Example:alice" with secret "Hello!" (bytes), SHA1, six
    /// digits, version 1, batch 0 of 1, batch id 1.
    #[test]
    fn decodes_a_hand_assembled_payload() {
        let mut account = Vec::new();
        put_bytes(&mut account, 1, b"Hello!\xde\xad\xbe\xef");
        put_bytes(&mut account, 2, b"Example:alice");
        put_bytes(&mut account, 3, b"Example");
        put_varint_field(&mut account, 4, 1);
        put_varint_field(&mut account, 5, 1);
        put_varint_field(&mut account, 6, 2);
        // An unknown fixed64 field must be skipped.
        account.extend_from_slice(&[(9 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        let mut payload = Vec::new();
        put_bytes(&mut payload, 1, &account);
        put_varint_field(&mut payload, 2, 1);
        put_varint_field(&mut payload, 3, 1);
        put_varint_field(&mut payload, 5, 1);
        let uri = migration_uri(&payload);
        let batch = decode_uri(&uri).unwrap();
        let entry = batch.entries[0].as_ref().unwrap();
        assert_eq!(entry.enrollment.issuer, "Example");
        assert_eq!(entry.enrollment.name, "alice");
        assert_eq!(
            entry.enrollment.secret.as_bytes(),
            b"Hello!\xde\xad\xbe\xef"
        );
        assert_eq!(entry.enrollment.params, OtpParams::totp());
        assert_eq!((batch.batch_index, batch.batch_size), (0, 1));
    }

    /// Regression (fuzzing, `migration_payload`): a name that starts with
    /// its own issuer and a colon ("&:   z" of issuer "&") read back
    /// without that prefix after an export.
    #[test]
    fn regression_fuzz_a_name_starting_with_its_issuer_round_trips() {
        let entries = vec![
            entry("&", "&:   z ,& tpata=hi", OtpParams::totp()),
            entry("GitHub", "GitHub: alice", OtpParams::totp()),
            entry("GitHub", "alice", OtpParams::totp()),
        ];
        let export = export_with_batch_id(&entries, 3).unwrap();
        let batch = decode_uri(&export.batches[0].uri).unwrap();
        let names: Vec<String> = batch
            .entries
            .iter()
            .map(|e| e.as_ref().unwrap().enrollment.name.clone())
            .collect();
        assert_eq!(names, ["&:   z ,& tpata=hi", "GitHub: alice", "alice"]);
        // tessera-scan's reader is checked on the fuzzer's own input,
        // fuzz/corpus/migration_payload/regression-issuer-prefix-in-name.
    }

    #[test]
    fn export_then_import_round_trips_what_google_can_hold() {
        let entries = representable();
        let export = export_with_batch_id(&entries, 42).unwrap();
        assert!(export.skipped.is_empty());
        let debug = format!("{export:?}");
        assert!(!debug.contains("otpauth-migration"), "{debug}");
        assert_eq!(export.caveats.len(), 1);
        assert_eq!(export.caveats[0].label, "Airbnb: Elijah");
        assert_eq!(export.batches.len(), 1);
        let text: String = export
            .batches
            .iter()
            .map(|b| format!("{}\n", &*b.uri))
            .collect();
        assert_eq!(
            GoogleMigrationImporter.detect(text.as_bytes()),
            Confidence::Certain
        );
        let report = GoogleMigrationImporter
            .import(text.as_bytes(), None)
            .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.entries, entries);
    }

    #[test]
    fn qr_series_scans_back_to_the_same_accounts() {
        let mut entries = Vec::new();
        for i in 0..23 {
            entries.push(entry(
                "Service",
                &format!("user{i}@example.com"),
                OtpParams::totp(),
            ));
        }
        let export = export(&entries).unwrap();
        assert_eq!(export.batches.len(), 3);
        assert!(export
            .batches
            .iter()
            .all(|b| b.entry_indices.len() <= MAX_ACCOUNTS_PER_BATCH));
        let mut scanned = Vec::new();
        for batch in &export.batches {
            let text = qr::decode_png(&batch.qr_png().unwrap());
            let decoded = decode_uri(&text).unwrap();
            assert_eq!(decoded.batch_size, 3);
            assert_eq!(decoded.batch_index as usize, batch.batch_index);
            scanned.extend(decoded.entries.into_iter().map(Result::unwrap));
        }
        assert_eq!(scanned, entries);
    }

    #[test]
    fn a_series_read_in_part_is_reported() {
        let entries: Vec<_> = (0..25)
            .map(|i| entry("S", &format!("u{i}"), OtpParams::totp()))
            .collect();
        let export = export_with_batch_id(&entries, 9).unwrap();
        assert_eq!(export.batches.len(), 3);
        let text = format!("{}\n{}\n", &*export.batches[0].uri, &*export.batches[2].uri);
        let report = GoogleMigrationImporter
            .import(text.as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries.len(), 15);
        assert_eq!(report.errors.len(), 1);
        assert!(
            report.errors[0].message.contains("3 QR codes, but code 2"),
            "{}",
            report.errors[0]
        );
    }

    #[test]
    fn large_accounts_split_by_payload_size() {
        let long = "x".repeat(200);
        let entries: Vec<_> = (0..5)
            .map(|i| entry(&long, &format!("{i}"), OtpParams::totp()))
            .collect();
        let export = export_with_batch_id(&entries, 1).unwrap();
        assert_eq!(export.batches.len(), 3);
        for batch in &export.batches {
            assert!(batch.uri.len() < 1100, "{}", batch.uri.len());
        }
    }

    #[test]
    fn accounts_google_cannot_hold_are_listed() {
        let entries = vec![
            entry("Steam", "gaben", OtpParams::steam()),
            entry(
                "SPDX",
                "James",
                OtpParams {
                    period: 20,
                    ..OtpParams::totp()
                },
            ),
            entry(
                "Ten",
                "digits",
                OtpParams {
                    digits: 10,
                    ..OtpParams::totp()
                },
            ),
            entry(
                "Fine",
                "hotp",
                OtpParams {
                    period: 60,
                    ..OtpParams::hotp(3)
                },
            ),
        ];
        let export = export_with_batch_id(&entries, 7).unwrap();
        let skipped: Vec<_> = export.skipped.iter().map(|e| e.index).collect();
        assert_eq!(skipped, vec![0, 1, 2]);
        assert!(export.skipped[1].message.contains("20 seconds"));
        assert_eq!(export.batches[0].entry_indices, vec![3]);
    }

    #[test]
    fn malformed_input() {
        assert!(decode_uri("otpauth-migration://offline?nodata=1").is_err());
        assert!(decode_uri("otpauth-migration://online?data=AA").is_err());
        assert!(decode_uri("otpauth-migration://offline?data=!!!").is_err());
        // A length running past the end.
        let uri = migration_uri(&[0x0a, 0x50, 0x01]);
        assert!(decode_uri(&uri).unwrap_err().contains("ends"));
        // A bad account is an entry error, not a batch error.
        let mut account = Vec::new();
        put_bytes(&mut account, 2, b"Example:alice");
        put_varint_field(&mut account, 4, 4);
        put_bytes(&mut account, 1, b"secret");
        let mut payload = Vec::new();
        put_bytes(&mut payload, 1, &account);
        let batch = decode_uri(&migration_uri(&payload)).unwrap();
        let error = batch.entries[0].as_ref().unwrap_err();
        assert_eq!(error.label, "Example: alice");
        assert!(error.message.contains("MD5"));
        let error = GoogleMigrationImporter
            .import(b"otpauth-migration://offline?data=%%%", None)
            .unwrap_err();
        assert!(matches!(error, ImportError::Corrupt { .. }), "{error:?}");
        assert_eq!(
            GoogleMigrationImporter.detect(b"otpauth://totp/x?secret=A"),
            Confidence::No
        );
    }

    /// Found while writing the `import_google_migration` fuzz target, looking
    /// at what a file up to the 64 MiB import cap can ask for: each line was matched to its
    /// series by a scan of all series so far, and a series read in part was
    /// reported with every missing code. 40 000 one-line series claiming
    /// 1 000 codes each (1.7 MB) took 80 s and 364 MB of memory; 64 MiB
    /// would take hours and gigabytes. Now linear, and briefly reported.
    #[test]
    fn regression_fuzz_many_partial_series_are_linear_and_reported_briefly() {
        let lines: Vec<String> = (0..20_000u64)
            .map(|id| {
                let mut payload = Vec::new();
                put_varint_field(&mut payload, 3, 1000);
                put_varint_field(&mut payload, 5, id + 1);
                migration_uri(&payload).to_string()
            })
            .collect();
        let start = std::time::Instant::now();
        let report = GoogleMigrationImporter
            .import(lines.join("\n").as_bytes(), None)
            .unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(report.errors.len(), 20_000);
        let message = &report.errors[0].message;
        assert!(
            message.contains("1000 QR codes, but code 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 989 more"),
            "{message}"
        );
        assert!(report.errors.iter().all(|e| e.message.len() < 200));
    }
}
