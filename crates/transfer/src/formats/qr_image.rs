//! A picture of QR codes: a screenshot or photo of an enrollment code, or
//! of the codes of a Google Authenticator export, saved as an image file.
//!
//! Format: any image `tessera-scan` loads (PNG, JPEG, WebP, GIF, BMP),
//! recognised by its magic bytes. Every QR code in it is decoded; the
//! `otpauth-migration://` ones are read as a Google Authenticator export
//! ([`super::google_migration`]; a picture holds one code of a series, so
//! the series' other codes are not reported missing), the `otpauth://` ones
//! as links ([`super::uri_list`], secrets read leniently). A picture whose
//! codes are neither is refused in one line: it holds no account.
//!
//! What it cannot carry: whatever the codes inside cannot (see those two
//! formats); a code the decoder cannot read in the picture is not there.

use tessera_scan::ImageLimits;

use crate::entry::ImportReport;
use crate::error::ImportError;
use crate::formats::google_migration::{self, MissingCodes};
use crate::formats::uri_list::UriListImporter;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

/// Reads the QR codes in an image file.
#[derive(Debug, Clone, Copy, Default)]
pub struct QrImageImporter;

/// Whether `bytes` start like an image file.
fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(b"\xFF\xD8\xFF")
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || (bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
}

impl Importer for QrImageImporter {
    fn id(&self) -> &'static str {
        "qr-image"
    }

    fn name(&self) -> &'static str {
        "QR code image"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if is_image(bytes) {
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
        if !is_image(bytes) {
            return Err(ImportError::NotThisFormat {
                format: "an image",
                reason: "it is not a PNG, JPEG, WebP, GIF or BMP file".into(),
            });
        }
        let limits = ImageLimits {
            max_file_bytes: crate::MAX_IMPORT_LEN,
            ..ImageLimits::default()
        };
        let image = tessera_scan::load_image_bytes(bytes, &limits)
            .map_err(|error| ImportError::BadImage(error.to_string()))?;
        // The decoded texts hold secrets: wiped when dropped.
        let texts: Vec<zeroize::Zeroizing<String>> = tessera_scan::decode(&image)
            .into_iter()
            .map(|code| zeroize::Zeroizing::new(code.text))
            .collect();
        if texts.is_empty() {
            return Err(ImportError::NoQrCode);
        }
        let has_scheme = |text: &str, scheme: &str| {
            text.trim()
                .get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        };
        let (exports, links): (Vec<_>, Vec<_>) = texts
            .iter()
            .partition(|text| has_scheme(text, "otpauth-migration:"));
        if exports.is_empty() && !links.iter().any(|text| has_scheme(text, "otpauth:")) {
            return Err(ImportError::Unsupported {
                format: "QR code image",
                what: "its QR code holds no account or export (no otpauth:// or \
                       otpauth-migration:// link)"
                    .into(),
            });
        }
        let mut report = ImportReport::default();
        for (exports, lines) in [(true, exports), (false, links)] {
            if lines.is_empty() {
                continue;
            }
            let text = zeroize::Zeroizing::new(
                lines
                    .iter()
                    .map(|line| line.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            let part = if exports {
                google_migration::read_codes(text.as_bytes(), MissingCodes::Ignore)?
            } else {
                UriListImporter.import(text.as_bytes(), None)?
            };
            let offset = report.entries.len() + report.errors.len();
            report.entries.extend(part.entries);
            report
                .errors
                .extend(part.errors.into_iter().map(|mut error| {
                    error.index += offset;
                    error
                }));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(text: &str) -> Vec<u8> {
        let enrollment = tessera_otp::uri::parse(text).unwrap();
        crate::qr::account_png(&enrollment).unwrap().to_vec()
    }

    #[test]
    fn an_enrollment_code_in_a_picture_is_its_account() {
        let png = png_of("otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME");
        assert_eq!(QrImageImporter.detect(&png), Confidence::Certain);
        let report = QrImageImporter.import(&png, None).unwrap();
        assert_eq!(report.entries.len(), 1);
        assert_eq!(report.entries[0].enrollment.issuer, "ACME");
        assert_eq!(crate::detect(&png).unwrap().id(), "qr-image");
    }

    #[test]
    fn pictures_without_codes_and_broken_images_say_so() {
        let blank = {
            let mut png = Vec::new();
            let mut encoder = png::Encoder::new(&mut png, 8, 8);
            encoder.set_color(png::ColorType::Grayscale);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&[255u8; 64]).unwrap();
            drop(writer);
            png
        };
        assert_eq!(
            QrImageImporter.import(&blank, None),
            Err(ImportError::NoQrCode)
        );
        let broken = b"\x89PNG\r\n\x1a\nnot really";
        assert!(matches!(
            QrImageImporter.import(broken, None),
            Err(ImportError::BadImage(_))
        ));
        assert_eq!(QrImageImporter.detect(b"otpauth://"), Confidence::No);
    }

    /// A QR code of plain text used to be read as a URI list and refused
    /// as "not a text file of otpauth:// URIs".
    #[test]
    fn regression_a_qr_code_of_other_text_says_it_holds_no_account() {
        let png = crate::qr::png("This is an example").unwrap();
        let error = QrImageImporter.import(&png, None).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("holds no account or export"), "{message}");
        assert!(
            !message.contains("URI list") && !message.contains('\n'),
            "{message}"
        );
        assert!(!message.contains("text file"), "{message}");
    }

    /// One code of a Google Authenticator series in a picture is the whole
    /// of what that picture holds, not a partial import.
    #[test]
    fn regression_one_code_of_a_google_series_in_a_picture_is_not_an_error() {
        let entries: Vec<_> = (0..25)
            .map(|i| {
                crate::Entry::new(
                    tessera_otp::uri::parse(&format!(
                        "otpauth://totp/S:u{i}?secret=JBSWY3DPEHPK3PXP"
                    ))
                    .unwrap(),
                )
            })
            .collect();
        let export = google_migration::export_with_batch_id(&entries, 9).unwrap();
        let png = export.batches[1].qr_png().unwrap();
        let report = QrImageImporter.import(&png, None).unwrap();
        assert_eq!(report.entries.len(), 10);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
    }
}
