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
//! `batch_index` 4, `batch_id` 5. Reading and writing are
//! [`tessera_otp::migration`]'s, the same codec the QR scanner uses; this
//! module maps its codes to [`Entry`]s and [`EntryError`]s, and its series
//! to QR images.
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
//! Newer apps write payload version 2: no `batch_id` (the series is told
//! apart by its size alone) and a field 8 in each account that no public
//! definition names; unknown fields are skipped. A text of these URIs
//! reports the codes of a series it lacks as an entry error; a picture
//! ([`super::qr_image`]) does not, since Google shows the codes one at a
//! time and each picture holds one.
//!
//! Batches hold at most [`MAX_ACCOUNTS_PER_BATCH`] accounts and about
//! [`MAX_BATCH_PAYLOAD`] bytes of payload, like Google's own, so that each
//! QR code stays easy to scan from a screen; a series has at most
//! [`MAX_SERIES_SIZE`] codes, and accounts past that are listed as skipped.

use std::collections::HashMap;

use tessera_otp::migration::{self, MigrationBatch, SeriesCollector};
pub use tessera_otp::migration::{MAX_ACCOUNTS_PER_BATCH, MAX_BATCH_PAYLOAD, MAX_SERIES_SIZE};
use zeroize::Zeroizing;

use crate::crypto::random_array;
use crate::entry::{account_label, Entry, EntryError, ImportReport};
use crate::error::{ExportError, ImportError};
use crate::password::Password;
use crate::qr;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Google Authenticator migration";

/// Most missing codes of a series named in its error; the rest are counted.
const MAX_MISSING_NAMED: usize = 10;

/// Reads text holding `otpauth-migration://` URIs, one per line (what a
/// scanner gives for each QR code of a series).
#[derive(Debug, Clone, Copy, Default)]
pub struct GoogleMigrationImporter;

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
        read_codes(bytes, MissingCodes::Report)
    }
}

/// Whether codes of a series that are not in the input are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MissingCodes {
    /// As an entry error: a text file of the URIs should hold them all.
    Report,
    /// Not at all: a picture shows one code of the series at a time (Google
    /// Authenticator displays them one by one), so the others are other
    /// pictures, not something lost from this one.
    Ignore,
}

/// Reads a text of `otpauth-migration://` URIs, one per line, reporting
/// the missing codes of a series as `missing` says.
pub(crate) fn read_codes(bytes: &[u8], missing: MissingCodes) -> Result<ImportReport, ImportError> {
    check_len(bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotThisFormat {
        format: "a Google Authenticator migration",
        reason: "it is not text".into(),
    })?;
    let mut report = ImportReport::default();
    let mut any = false;
    let mut offset = 0;
    // One collector per series, found by batch id and size in a map,
    // not a scan per line: a file may hold a million one-line series.
    // Two exports that happen to share an id are two series.
    let mut series: Vec<SeriesCollector> = Vec::new();
    let mut series_of: HashMap<(i32, u32), usize> = HashMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !is_migration_uri(line) {
            return Err(ImportError::NotThisFormat {
                format: "a Google Authenticator migration",
                reason: "a line does not start with otpauth-migration://".into(),
            });
        }
        any = true;
        let mut batch = migration::parse(line).map_err(|error| ImportError::Corrupt {
            format: FORMAT,
            reason: error.to_string(),
        })?;
        let entries = take_entries(&mut batch);
        let count = entries.len();
        for result in entries {
            report.push(result.map_err(|mut error| {
                error.index += offset;
                error
            }));
        }
        offset += count;
        let key = (batch.series.batch_id, batch.series.size);
        let at = *series_of.entry(key).or_insert_with(|| {
            series.push(SeriesCollector::new());
            series.len() - 1
        });
        // Only the codes' places are collected (their accounts are in
        // the report already, in file order); a code read twice is
        // simply had already, and the key keeps series apart.
        let _ = series[at].add(batch);
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
    let series = match missing {
        MissingCodes::Report => series.as_slice(),
        MissingCodes::Ignore => &[],
    };
    for collector in series {
        let mut missing: Vec<String> = collector
            .missing_iter()
            .take(MAX_MISSING_NAMED)
            .map(|index| (index + 1).to_string())
            .collect();
        let unnamed = collector.missing_count() as usize - missing.len();
        if unnamed > 0 {
            missing.push(format!("{unnamed} more"));
        }
        if !missing.is_empty() {
            report.errors.push(EntryError {
                index: offset,
                label: String::new(),
                message: format!(
                    "the transfer has {} QR codes, but code {} of them was not \
                     scanned; its accounts are missing",
                    collector.size(),
                    missing.join(", ")
                ),
            });
        }
    }
    Ok(report)
}

/// Whether a line is an `otpauth-migration:` URI.
fn is_migration_uri(line: &str) -> bool {
    line.len() > 18 && line.as_bytes()[..18].eq_ignore_ascii_case(b"otpauth-migration:")
}

/// Reads one `otpauth-migration://offline?data=…` URI into its entries, in
/// the order the code lists them. A malformed URI or payload is an error
/// for the whole URI; an unusable account inside it is an error for that
/// account.
pub(crate) fn decode_uri(uri: &str) -> Result<Vec<Result<Entry, EntryError>>, String> {
    let mut batch = migration::parse(uri).map_err(|error| error.to_string())?;
    Ok(take_entries(&mut batch))
}

/// Moves a code's accounts out as entries, usable and skipped back in the
/// order the code lists them, each error indexed by its place in the code.
fn take_entries(batch: &mut MigrationBatch) -> Vec<Result<Entry, EntryError>> {
    let mut accounts = std::mem::take(&mut batch.accounts).into_iter();
    let mut skipped = std::mem::take(&mut batch.skipped).into_iter().peekable();
    let total = accounts.len() + skipped.len();
    (0..total)
        .filter_map(|index| {
            // Each skipped account fills its own place in the code.
            let next = match skipped.next_if(|skip| skip.index == index) {
                Some(skip) => Err(skip),
                None => accounts
                    .next()
                    .map(Ok)
                    .or_else(|| skipped.next().map(Err))?,
            };
            Some(next.map(Entry::new).map_err(|skip| EntryError {
                index,
                label: account_label(&skip.issuer, &skip.name),
                message: skip.reason.to_string(),
            }))
        })
        .collect()
}

/// One QR code of an export series. `Debug` never shows the URI.
pub struct MigrationQrCode {
    /// Which code of the series this is, from 0.
    pub batch_index: usize,
    /// How many codes the series has.
    pub batch_size: usize,
    /// Positions (in the exported list) of the accounts it holds.
    pub entry_indices: Vec<usize>,
    /// The `otpauth-migration://` URI the QR code shows.
    pub uri: Zeroizing<String>,
}

impl std::fmt::Debug for MigrationQrCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationQrCode")
            .field("batch_index", &self.batch_index)
            .field("batch_size", &self.batch_size)
            .field("entry_indices", &self.entry_indices)
            .field("uri", &format_args!("<{} characters>", self.uri.len()))
            .finish()
    }
}

impl MigrationQrCode {
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
    pub batches: Vec<MigrationQrCode>,
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
/// number that tells a scanner which codes belong together). The field is
/// an int32: an id past `i32::MAX` reads back negative.
pub fn export_with_batch_id(
    entries: &[Entry],
    batch_id: u32,
) -> Result<MigrationExport, ExportError> {
    let series = migration::encode(
        entries.iter().map(|entry| &entry.enrollment),
        i32::from_ne_bytes(batch_id.to_ne_bytes()),
    );
    let problem = |index: usize, message: String| EntryError {
        index,
        label: entries[index].label(),
        message,
    };
    Ok(MigrationExport {
        batches: series
            .codes
            .into_iter()
            .map(|code| MigrationQrCode {
                batch_index: code.position.index as usize,
                batch_size: code.position.size as usize,
                entry_indices: code.accounts,
                uri: code.uri,
            })
            .collect(),
        skipped: series
            .skipped
            .into_iter()
            .map(|(index, reason)| problem(index, reason.to_string()))
            .collect(),
        caveats: series
            .caveats
            .into_iter()
            .map(|(index, caveat)| problem(index, caveat.to_string()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Algorithm, Enrollment, OtpParams, Secret};

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

    /// The URI of a payload assembled by hand (for what the writer never
    /// writes), base64 by the `base64` crate rather than the codec's own.
    fn uri_of(payload: &[u8]) -> String {
        let data = crate::crypto::base64_encode(payload)
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        format!("otpauth-migration://offline?data={data}")
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
            let position = migration::parse(&text).unwrap().series;
            assert_eq!(position.size, 3);
            assert_eq!(position.index as usize, batch.batch_index);
            let decoded = decode_uri(&text).unwrap();
            scanned.extend(decoded.into_iter().map(Result::unwrap));
        }
        assert_eq!(scanned, entries);
    }

    /// A protobuf length-delimited field.
    fn field(number: u8, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    /// What newer Google Authenticator apps write (payload version 2): no
    /// `batch_id`, and a field 8 in each account that no public .proto
    /// defines. Both must be read past, and one code of a series in a
    /// picture is not a partial import.
    #[test]
    fn regression_payload_version_2_without_batch_id_and_with_field_8() {
        let mut account = field(1, b"ThisShouldBreak12345");
        account.extend(field(2, b"Google4 code"));
        account.extend(field(3, b"TestApp"));
        account.extend([4 << 3, 2, 5 << 3, 1, 6 << 3, 2]); // SHA256, 6 digits, TOTP
        account.extend(field(8, b"a1b2c3d4-unknown-id"));
        let mut payload = field(1, &account);
        // version 2, batch_size 3, batch_index 1, and no batch_id (5).
        payload.extend([2 << 3, 2, 3 << 3, 3, 4 << 3, 1]);
        let uri = uri_of(&payload);

        let report = GoogleMigrationImporter
            .import(uri.as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries.len(), 1);
        let enrollment = &report.entries[0].enrollment;
        assert_eq!(report.entries[0].label(), "TestApp: Google4 code");
        assert_eq!(enrollment.secret.as_bytes(), b"ThisShouldBreak12345");
        assert_eq!(enrollment.params.algorithm, Algorithm::Sha256);
        // A text file should hold the whole series: codes 1 and 3 are missing.
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert!(
            report.errors[0].message.contains("code 1, 3"),
            "{}",
            report.errors[0]
        );

        let report = read_codes(uri.as_bytes(), MissingCodes::Ignore).unwrap();
        assert_eq!(report.entries.len(), 1);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
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

    /// Two exports that happen to share a batch id are two series, each
    /// checked for its missing codes; a code read twice counts once.
    #[test]
    fn series_are_told_apart_by_id_and_size() {
        let entries: Vec<_> = (0..25)
            .map(|i| entry("S", &format!("u{i}"), OtpParams::totp()))
            .collect();
        let three = export_with_batch_id(&entries, 5).unwrap();
        let two = export_with_batch_id(&entries[..15], 5).unwrap();
        let text = [&three.batches[0], &three.batches[0], &two.batches[1]]
            .map(|batch| batch.uri.as_str())
            .join("\n");
        let report = GoogleMigrationImporter
            .import(text.as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries.len(), 25);
        let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the transfer has 3 QR codes, but code 2, 3 of them was not scanned; \
                 its accounts are missing",
                "the transfer has 2 QR codes, but code 1 of them was not scanned; \
                 its accounts are missing",
            ]
        );
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
        assert_eq!(export.skipped[1].label, "SPDX: James");
        assert!(export.skipped[1].message.contains("20 seconds"));
        assert_eq!(export.batches[0].entry_indices, vec![3]);
    }

    #[test]
    fn malformed_input() {
        assert!(decode_uri("otpauth-migration://offline?nodata=1").is_err());
        assert!(decode_uri("otpauth-migration://online?data=AA").is_err());
        assert!(decode_uri("otpauth-migration://offline?data=!!!").is_err());
        // A length running past the end.
        let uri = uri_of(&[0x0a, 0x50, 0x01]);
        assert!(decode_uri(&uri).unwrap_err().contains("cut short"));
        // A bad account is an entry error, not a batch error, in its place:
        // name "Example:alice", MD5 (algorithm 4), secret "secret"; then a
        // good account.
        let md5 = [
            &[0x12, 13][..],
            b"Example:alice",
            &[0x20, 4, 0x0a, 6],
            b"secret",
        ]
        .concat();
        let good = [&[0x0a, 6][..], b"secret", &[0x12, 1], b"b"].concat();
        let payload = [
            &[0x0a, md5.len() as u8][..],
            &md5,
            &[0x0a, good.len() as u8],
            &good,
        ]
        .concat();
        let entries = decode_uri(&uri_of(&payload)).unwrap();
        let error = entries[0].as_ref().unwrap_err();
        assert_eq!(error.index, 0);
        assert_eq!(error.label, "Example: alice");
        assert!(error.message.contains("MD5"));
        assert_eq!(entries[1].as_ref().unwrap().enrollment.name, "b");
        let error = GoogleMigrationImporter
            .import(b"otpauth-migration://offline?data=%%%", None)
            .unwrap_err();
        assert!(matches!(error, ImportError::Corrupt { .. }), "{error:?}");
        assert_eq!(
            GoogleMigrationImporter.detect(b"otpauth://totp/x?secret=A"),
            Confidence::No
        );
    }

    /// Skipped accounts keep their place among the file's entries, counted
    /// across codes.
    #[test]
    fn entry_errors_are_numbered_across_codes() {
        let good = [&[0x0a, 6][..], b"secret", &[0x12, 1], b"a"].concat();
        let md5 = [&good[..], &[0x20, 4]].concat();
        let code = |accounts: &[&[u8]]| {
            let payload: Vec<u8> = accounts
                .iter()
                .flat_map(|account| [&[0x0a, account.len() as u8][..], account].concat())
                .collect();
            uri_of(&payload)
        };
        let text = format!("{}\n{}", code(&[&good, &md5]), code(&[&md5, &good, &md5]));
        let report = GoogleMigrationImporter
            .import(text.as_bytes(), None)
            .unwrap();
        assert_eq!(report.entries.len(), 2);
        let indexes: Vec<usize> = report.errors.iter().map(|e| e.index).collect();
        assert_eq!(indexes, [1, 2, 4]);
    }

    /// Found while writing the `import_google_migration` fuzz target, looking
    /// at what a file up to the 64 MiB import cap can ask for: each line was matched to its
    /// series by a scan of all series so far, and a series read in part was
    /// reported with every missing code. 40 000 one-line series claiming
    /// 1 000 codes each (1.7 MB) took 80 s and 364 MB of memory; 64 MiB
    /// would take hours and gigabytes. Now linear, and briefly reported.
    #[test]
    fn regression_fuzz_many_partial_series_are_linear_and_reported_briefly() {
        let lines: Vec<String> = (0..20_000u32)
            .map(|id| {
                let id = id + 1;
                // One account (secret "A"), code 1 of 1000, the id as a
                // three-byte varint (padded, as readers allow).
                let payload = [
                    0x0a,
                    0x03,
                    0x0a,
                    0x01,
                    b'A',
                    0x18,
                    0xe8,
                    0x07,
                    0x28,
                    (id & 0x7f) as u8 | 0x80,
                    (id >> 7 & 0x7f) as u8 | 0x80,
                    (id >> 14) as u8,
                ];
                uri_of(&payload)
            })
            .collect();
        let start = std::time::Instant::now();
        let report = GoogleMigrationImporter
            .import(lines.join("\n").as_bytes(), None)
            .unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(report.entries.len(), 20_000);
        assert_eq!(report.errors.len(), 20_000);
        let message = &report.errors[0].message;
        assert!(
            message.contains("1000 QR codes, but code 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 989 more"),
            "{message}"
        );
        assert!(report.errors.iter().all(|e| e.message.len() < 200));
    }
}
