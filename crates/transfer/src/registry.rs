//! The common importer and exporter traits, the one list of formats, and
//! detection of a file's format from its content (never its name).

use zeroize::Zeroizing;

use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::{ExportError, ImportError};
use crate::formats;
use crate::password::Password;

/// Largest file any importer reads: 64 MiB. Real exports are kilobytes
/// (megabytes with icons); the cap keeps a wrong file from exhausting
/// memory.
pub const MAX_IMPORT_LEN: u64 = 64 * 1024 * 1024;

/// How sure an importer is that some bytes are its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Certainly not this format.
    No,
    /// Could be: the format has no marker (andOTP's encrypted files are
    /// random-looking bytes), so it is a guess to try last.
    Low,
    /// The shape matches but nothing proves it.
    Likely,
    /// The format's own markers are there.
    Certain,
}

/// Reads one format. Importers never touch the vault: they return the
/// entries and the per-entry errors, and the caller decides what to keep.
pub trait Importer: Sync {
    /// A stable identifier, lower case (`aegis`, `google-migration`), for
    /// the command line.
    fn id(&self) -> &'static str;
    /// The format's name for people ("Aegis vault").
    fn name(&self) -> &'static str;
    /// How sure this importer is that `bytes` are its format. Cheap: reads
    /// no more than a parse, derives no keys.
    fn detect(&self, bytes: &[u8]) -> Confidence;
    /// Reads the file. Encrypted files need `password`; without one the
    /// error is [`ImportError::PasswordRequired`], so a caller can ask for
    /// it and try again.
    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError>;
    /// Whether the format can be opened with a key file, with or without a
    /// password (KeePass databases).
    fn takes_key_file(&self) -> bool {
        false
    }
    /// Reads the file with a key file's bytes and, when given, a password.
    /// Formats without key files refuse with [`ImportError::KeyFileNotUsed`].
    fn import_with_key_file(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
        key_file: &[u8],
    ) -> Result<ImportReport, ImportError> {
        let _ = (bytes, password, key_file);
        Err(ImportError::KeyFileNotUsed {
            format: self.name(),
        })
    }
}

/// Whether an exporter takes a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordUse {
    /// Always encrypted: a password is required.
    Required,
    /// Encrypted with a password, plain without one.
    Optional,
    /// Never encrypted.
    Never,
}

/// A file an exporter wrote. `Debug` shows the size, never the bytes.
pub struct ExportOutput {
    /// The file's bytes; they may hold secrets in the clear, so they are
    /// wiped when dropped.
    pub bytes: Zeroizing<Vec<u8>>,
    /// Whether the file is encrypted.
    pub encrypted: bool,
    /// Accounts the format cannot hold, left out, with why.
    pub skipped: Vec<EntryError>,
    /// Things the user should be told (an unencrypted file, details the
    /// format drops).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for ExportOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOutput")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("encrypted", &self.encrypted)
            .field("skipped", &self.skipped)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Writes one file format.
pub trait Exporter: Sync {
    /// A stable identifier, lower case.
    fn id(&self) -> &'static str;
    /// The format's name for people.
    fn name(&self) -> &'static str;
    /// The usual file name extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Whether a password is required, optional or not used.
    fn password_use(&self) -> PasswordUse;
    /// What the file holds and which apps read it, one or two sentences
    /// for people choosing a format.
    fn description(&self) -> &'static str;
    /// Writes `entries`. Accounts the format cannot hold are listed in
    /// [`ExportOutput::skipped`], never silently dropped.
    fn export(
        &self,
        entries: &[Entry],
        password: Option<&Password>,
    ) -> Result<ExportOutput, ExportError>;
}

/// Every importer, most specific first (the order breaks ties in
/// detection).
pub fn importers() -> &'static [&'static dyn Importer] {
    formats::IMPORTERS
}

/// Every file exporter. Google migration QR codes, single-account QR codes
/// and the paper backup produce images and PDFs rather than one file, so
/// they have their own functions ([`crate::google_migration`],
/// [`crate::qr`], [`crate::paper`]). Tessera's own backup is a vault image,
/// which this crate cannot seal: `tessera-core` writes and reads it.
pub fn exporters() -> &'static [&'static dyn Exporter] {
    formats::EXPORTERS
}

/// The importer with this [`Importer::id`].
pub fn importer(id: &str) -> Option<&'static dyn Importer> {
    importers().iter().copied().find(|i| i.id() == id)
}

/// The exporter with this [`Exporter::id`].
pub fn exporter(id: &str) -> Option<&'static dyn Exporter> {
    exporters().iter().copied().find(|e| e.id() == id)
}

/// The importer most sure that `bytes` are its format, if any is at all.
pub fn detect(bytes: &[u8]) -> Option<&'static dyn Importer> {
    let mut best: Option<(&'static dyn Importer, Confidence)> = None;
    for importer in importers() {
        let confidence = importer.detect(bytes);
        if confidence > Confidence::No && best.is_none_or(|(_, b)| confidence > b) {
            best = Some((*importer, confidence));
        }
    }
    best.map(|(importer, _)| importer)
}

/// Detects the format and imports with it; returns which importer read
/// the file.
pub fn import(
    bytes: &[u8],
    password: Option<&Password>,
) -> Result<(&'static dyn Importer, ImportReport), ImportError> {
    import_with(bytes, password, None)
}

/// As [`import`], with a key file's bytes for the formats that take one
/// (KeePass).
pub fn import_with(
    bytes: &[u8],
    password: Option<&Password>,
    key_file: Option<&[u8]>,
) -> Result<(&'static dyn Importer, ImportReport), ImportError> {
    check_len(bytes)?;
    let importer = detect(bytes).ok_or_else(|| ImportError::UnknownFormat {
        supported: importers()
            .iter()
            .map(|i| i.name())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    if importer.detect(bytes) != Confidence::Low {
        let report = import_one(importer, bytes, password, key_file)?;
        return Ok((importer, report));
    }
    // Formats without a marker (andOTP's and Authenticator Plus's encrypted
    // files are random-looking bytes) can only be told apart by opening
    // them: each is tried in turn, and the first that opens wins.
    let candidates: Vec<&'static dyn Importer> = importers()
        .iter()
        .copied()
        .filter(|i| i.detect(bytes) == Confidence::Low)
        .collect();
    let mut first_error = None;
    let mut asking_for_password = Vec::new();
    for candidate in &candidates {
        match import_one(*candidate, bytes, password, key_file) {
            Ok(report) => return Ok((*candidate, report)),
            Err(error) => {
                if matches!(error, ImportError::PasswordRequired { .. }) {
                    asking_for_password.push(candidate.name());
                }
                first_error.get_or_insert(error);
            }
        }
    }
    if asking_for_password.len() > 1 {
        return Err(ImportError::PasswordRequiredAmong {
            formats: asking_for_password.join(" or "),
        });
    }
    Err(first_error.expect("detect found at least one candidate"))
}

/// Imports with one importer, handing it the key file when there is one.
pub fn import_one(
    importer: &dyn Importer,
    bytes: &[u8],
    password: Option<&Password>,
    key_file: Option<&[u8]>,
) -> Result<ImportReport, ImportError> {
    check_len(bytes)?;
    match key_file {
        Some(key_file) => importer.import_with_key_file(bytes, password, key_file),
        None => importer.import(bytes, password),
    }
}

/// Refuses files over [`MAX_IMPORT_LEN`].
pub(crate) fn check_len(bytes: &[u8]) -> Result<(), ImportError> {
    let len = bytes.len() as u64;
    if len > MAX_IMPORT_LEN {
        return Err(ImportError::TooLarge {
            len,
            max: MAX_IMPORT_LEN,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_lookups_work() {
        let mut ids: Vec<_> = importers().iter().map(|i| i.id()).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        for each in importers() {
            assert_eq!(importer(each.id()).unwrap().id(), each.id());
        }
        for each in exporters() {
            assert_eq!(exporter(each.id()).unwrap().id(), each.id());
        }
        assert!(importer("nope").is_none());
    }

    #[test]
    fn unknown_content_is_an_unknown_format() {
        for bytes in [&b""[..], b"hello world", b"{\"some\": \"json\"}", b"<xml/>"] {
            let Err(error) = import(bytes, None) else {
                panic!("{bytes:?} was imported");
            };
            assert!(
                matches!(error, ImportError::UnknownFormat { .. }),
                "{bytes:?}: {error:?}"
            );
            assert!(error.to_string().contains("Aegis"), "{error}");
        }
    }

    #[test]
    fn export_output_debug_hides_the_bytes() {
        let output = ExportOutput {
            bytes: Zeroizing::new(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".to_vec()),
            encrypted: false,
            skipped: Vec::new(),
            warnings: Vec::new(),
        };
        let debug = format!("{output:?}");
        assert!(debug.contains("<40 bytes>"), "{debug}");
        assert!(!debug.contains("JBSW") && !debug.contains("111"), "{debug}");
    }

    #[test]
    fn confidence_orders() {
        assert!(Confidence::Certain > Confidence::Likely);
        assert!(Confidence::Likely > Confidence::Low);
        assert!(Confidence::Low > Confidence::No);
    }
}
