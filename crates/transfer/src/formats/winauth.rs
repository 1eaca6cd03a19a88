//! WinAuth's export: a text file of `otpauth://` URIs, written as it is or
//! inside a ZIP, which WinAuth can protect with a password (traditional
//! PKWARE "ZipCrypto" encryption).
//!
//! Format: WinAuth's `WinAuthAuthenticator.ToUrl`,
//! <https://github.com/winauth/winauth/blob/master/WinAuth/WinAuthAuthenticator.cs>:
//! one Key URI a line,
//! `otpauth://totp/[issuer:]name?secret=…&digits=…[&issuer=…][&icon=…]`,
//! with `&serial=` for Battle.net, `&deviceid=` and `&data=` for Steam and
//! `&counter=` for HOTP. The `icon` parameter (WinAuth's skin, `WinAuth` by
//! default) and the Battle.net and Steam parameters are WinAuth's own: a
//! text file is claimed only when it carries them, since without them it
//! is an ordinary URI list that [`super::uri_list`] reads the same way.
//! The labels are kept as WinAuth wrote them (Aegis moves the name into
//! the issuer and names every account "WinAuth"; Tessera does not). Steam
//! accounts become Steam Guard entries; the Steam session `data` is not
//! kept.
//!
//! The ZIP holds one `.txt` file (`winauth-YYYY-MM-DD.txt`), deflated,
//! with a data descriptor. ZipCrypto checks a password against one byte
//! only, so a wrong password that slips past that check fails later, as
//! "wrong password or damaged". ZipCrypto is weak encryption: the importer
//! reads it, nothing here writes it.
//!
//! What it cannot carry: WinAuth's groups, hotkeys and auto-refresh
//! settings are not in the export.

use std::io::{Cursor, Read};

use zeroize::Zeroizing;

use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer, MAX_IMPORT_LEN};

const FORMAT: &str = "WinAuth export";
const ARTICLE: &str = "a WinAuth export";

/// A ZIP's local file header and its end-of-directory record (where an
/// empty ZIP starts).
const ZIP_LOCAL: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";

/// Reads WinAuth's exports, as text or in a (password-protected) ZIP.
#[derive(Debug, Clone, Copy, Default)]
pub struct WinAuthImporter;

impl Importer for WinAuthImporter {
    fn id(&self) -> &'static str {
        "winauth"
    }

    fn name(&self) -> &'static str {
        "WinAuth export (text, or password-protected ZIP)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        if bytes.starts_with(ZIP_EMPTY) {
            // An empty ZIP is nobody's export; claimed only to say so.
            return Confidence::Low;
        }
        if bytes.starts_with(ZIP_LOCAL) {
            return zip_confidence(bytes);
        }
        text_confidence(bytes)
    }

    fn import(
        &self,
        bytes: &[u8],
        password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        if bytes.starts_with(ZIP_LOCAL) || bytes.starts_with(ZIP_EMPTY) {
            let text = unzip(bytes, password)?;
            let text = std::str::from_utf8(&text).map_err(|_| ImportError::Corrupt {
                format: FORMAT,
                reason: "the text file in the ZIP is not UTF-8".into(),
            })?;
            return read_text(text);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotThisFormat {
            format: ARTICLE,
            reason: "it is neither UTF-8 text nor a ZIP".into(),
        })?;
        read_text(text)
    }
}

/// How sure a ZIP is WinAuth's: one `.txt` file inside, certainly so when
/// named as WinAuth names it. Authenticator Plus's `Accounts.txt` is left
/// to its own importer.
fn zip_confidence(bytes: &[u8]) -> Confidence {
    let names: Vec<String> = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive
            .file_names_raw()
            .map(|name| String::from_utf8_lossy(name).to_ascii_lowercase())
            .collect(),
        // A ZIP cut short has no directory; its first file's local header
        // still names it, so the import can say it is truncated.
        Err(_) => match first_local_name(bytes) {
            Some(name) if name.starts_with("winauth") => vec![name],
            _ => return Confidence::No,
        },
    };
    match names.as_slice() {
        [name] if name.ends_with(".txt") && name.starts_with("winauth") => Confidence::Certain,
        [name] if name.ends_with(".txt") && name != "accounts.txt" => Confidence::Low,
        _ => Confidence::No,
    }
}

/// The name in a ZIP's first local file header, lower case.
fn first_local_name(bytes: &[u8]) -> Option<String> {
    let len = usize::from(u16::from_le_bytes(bytes.get(26..28)?.try_into().ok()?));
    let name = bytes.get(30..30 + len)?;
    Some(String::from_utf8_lossy(name).to_ascii_lowercase())
}

/// How sure a text is WinAuth's: every line a URI and WinAuth's own
/// parameters on some.
fn text_confidence(bytes: &[u8]) -> Confidence {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Confidence::No;
    };
    let (mut total, mut uris, mut marked) = (0usize, 0usize, false);
    for line in content_lines(text) {
        total += 1;
        if has_scheme(line, "otpauth") {
            uris += 1;
            marked |= has_winauth_marker(line);
        }
    }
    match (marked, uris == total) {
        (true, true) => Confidence::Certain,
        (true, false) => Confidence::Likely,
        _ => Confidence::No,
    }
}

/// Whether a URI carries a parameter only WinAuth writes: its skin as
/// `icon` (`WinAuth`, `…Authenticator` or an embedded `base64:` image),
/// Battle.net's `serial` or Steam's `deviceid`.
fn has_winauth_marker(uri: &str) -> bool {
    query_pairs(uri).any(|(key, value)| {
        let value = value.to_ascii_lowercase();
        (key.eq_ignore_ascii_case("icon")
            && (value.starts_with("winauth")
                || value.ends_with("authenticator")
                || value.starts_with("base64")))
            || key.eq_ignore_ascii_case("serial")
            || key.eq_ignore_ascii_case("deviceid")
    })
}

/// The raw (still encoded) `key=value` pairs of a URI's query.
fn query_pairs(uri: &str) -> impl Iterator<Item = (&str, &str)> {
    let query = uri
        .split_once('?')
        .map(|(_, q)| q.split('#').next().unwrap_or_default())
        .unwrap_or_default();
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(key, _)| !key.is_empty())
}

/// Lines with content (not blank), BOM and surrounding space removed.
fn content_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|line| line.trim().trim_start_matches('\u{feff}').trim())
        .filter(|line| !line.is_empty())
}

/// Whether `text` starts with `scheme:`, in any case.
fn has_scheme(text: &str, scheme: &str) -> bool {
    text.len() > scheme.len()
        && text.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
        && text.as_bytes()[scheme.len()] == b':'
}

/// Reads the export's lines; each bad line is an entry error.
fn read_text(text: &str) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let mut any_uri = false;
    for (index, line) in content_lines(text).enumerate() {
        let result = if has_scheme(line, "otpauth") {
            any_uri = true;
            read_uri(line)
        } else {
            Err("the line is not an otpauth:// URI".to_owned())
        };
        report.push(result.map_err(|message| EntryError {
            index,
            label: format!("line {}", index + 1),
            message,
        }));
    }
    if !any_uri {
        return Err(ImportError::NotThisFormat {
            format: ARTICLE,
            reason: "no line holds an otpauth:// URI".into(),
        });
    }
    Ok(report)
}

/// One URI. WinAuth writes Steam accounts as 5-digit TOTP with a
/// `deviceid`; they are read as Steam Guard (Tessera's URI reader knows
/// Steam by `encoder=steam`, so that is added).
fn read_uri(uri: &str) -> Result<Entry, String> {
    let steam = query_pairs(uri).any(|(key, _)| key.eq_ignore_ascii_case("deviceid"));
    let enrollment = if steam {
        let base = uri.split('#').next().unwrap_or_default();
        let marked = Zeroizing::new(format!("{base}&encoder=steam"));
        crate::entry::otpauth_uri(&marked)
    } else {
        crate::entry::otpauth_uri(uri)
    }?;
    Ok(Entry::new(enrollment))
}

/// The text file inside the ZIP, decrypted when it is encrypted.
fn unzip(bytes: &[u8], password: Option<&Password>) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
        // Without its end-of-directory record the ZIP was cut short.
        let has_end = bytes.windows(ZIP_EMPTY.len()).any(|w| w == ZIP_EMPTY);
        if matches!(error, zip::result::ZipError::Io(_)) || !has_end {
            ImportError::Truncated {
                format: FORMAT,
                what: "the ZIP ends before its directory".into(),
            }
        } else {
            ImportError::Corrupt {
                format: FORMAT,
                reason: "the ZIP's directory cannot be read".into(),
            }
        }
    })?;
    if archive.is_empty() {
        return Err(ImportError::NotThisFormat {
            format: ARTICLE,
            reason: "it is an empty ZIP, with no WinAuth export inside".into(),
        });
    }
    let index = archive
        .file_names_raw()
        .position(|name| name.to_ascii_lowercase().ends_with(b".txt"))
        .ok_or_else(|| ImportError::NotThisFormat {
            format: ARTICLE,
            reason: "the ZIP holds no .txt file".into(),
        })?;
    let encrypted = archive
        .by_index_data(index)
        .map_err(|error| zip_member_error(&error))?
        .encrypted();
    let file = if encrypted {
        let password = password.ok_or(ImportError::PasswordRequired { format: FORMAT })?;
        archive.by_index_decrypt(index, password.as_bytes())
    } else {
        archive.by_index(index)
    }
    .map_err(|error| zip_member_error(&error))?;
    if file.size() > MAX_IMPORT_LEN {
        return Err(ImportError::TooLarge {
            len: file.size(),
            max: MAX_IMPORT_LEN,
        });
    }
    let mut text = Zeroizing::new(Vec::with_capacity(file.size() as usize));
    let read = file.take(MAX_IMPORT_LEN + 1).read_to_end(&mut text);
    match read {
        Ok(len) if len as u64 > MAX_IMPORT_LEN => Err(ImportError::TooLarge {
            len: len as u64,
            max: MAX_IMPORT_LEN,
        }),
        Ok(_) => Ok(text),
        // ZipCrypto's one-byte check lets about one wrong password in 256
        // through; inflating or the CRC then fails.
        Err(_) if encrypted => Err(ImportError::WrongPasswordOrDamaged { format: FORMAT }),
        Err(_) => Err(ImportError::Corrupt {
            format: FORMAT,
            reason: "the text file in the ZIP cannot be unpacked".into(),
        }),
    }
}

/// An error opening the ZIP's member as an [`ImportError`].
fn zip_member_error(error: &zip::result::ZipError) -> ImportError {
    use zip::result::ZipError;
    match error {
        ZipError::InvalidPassword => ImportError::WrongPassword { format: FORMAT },
        ZipError::UnsupportedArchive(why) => ImportError::Unsupported {
            format: FORMAT,
            what: format!("a ZIP feature ({why})"),
        },
        ZipError::CompressionMethodNotSupported(method) => ImportError::Unsupported {
            format: FORMAT,
            what: format!("ZIP compression method {method}"),
        },
        ZipError::Io(_) => ImportError::Truncated {
            format: FORMAT,
            what: "the ZIP ends inside its text file".into(),
        },
        _ => ImportError::Corrupt {
            format: FORMAT,
            reason: "the ZIP's text file cannot be found".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use tessera_otp::{OtpKind, OtpParams};
    use zip::unstable::write::FileOptionsExt;
    use zip::write::SimpleFileOptions;

    const EXPORT: &str = "otpauth://totp/Authenticator?secret=JBSWY3DPEHPK3PXP&digits=6&icon=WinAuth\r\n\
        otpauth://totp/Google:alice%40example.com?secret=KUVJJOM753IHTNDSZVCNKL7GII&digits=6&issuer=Google&icon=GoogleAuthenticator\r\n\
        otpauth://totp/Steam:gamer?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&digits=5&issuer=Steam&deviceid=android%3Aabc&data=%7B%7D&icon=SteamAuthenticator\r\n\
        otpauth://hotp/Counter?secret=JBSWY3DPEHPK3PXP&digits=8&counter=42&icon=WinAuth\r\n\
        otpauth://totp/Broken?secret=JBSW!!&digits=6&icon=WinAuth\r\n";

    fn zipped(name: &str, text: &[u8], password: Option<&'static [u8]>) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        if let Some(password) = password {
            options = options.with_deprecated_encryption(password).unwrap();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(text).unwrap();
        writer.finish().unwrap().into_inner()
    }

    fn check_export(report: &ImportReport) {
        assert_eq!(report.entries.len(), 4, "{:?}", report.errors);
        let first = &report.entries[0].enrollment;
        assert_eq!(
            (first.issuer.as_str(), first.name.as_str()),
            ("", "Authenticator"),
            "labels are kept as written"
        );
        assert_eq!(report.entries[1].label(), "Google: alice@example.com");
        assert_eq!(report.entries[2].enrollment.params, OtpParams::steam());
        let counter = &report.entries[3].enrollment.params;
        assert_eq!(
            (counter.kind, counter.counter, counter.digits),
            (OtpKind::Hotp, 42, 8)
        );
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].label, "line 5");
        assert!(!report.errors[0].to_string().contains("JBSW"));
    }

    #[test]
    fn reads_the_text_export_and_leaves_plain_lists_to_uri_list() {
        assert_eq!(
            WinAuthImporter.detect(EXPORT.as_bytes()),
            Confidence::Certain
        );
        assert_eq!(
            crate::registry::detect(EXPORT.as_bytes()).unwrap().id(),
            "winauth"
        );
        check_export(&WinAuthImporter.import(EXPORT.as_bytes(), None).unwrap());
        let plain = "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=A\n";
        assert_eq!(WinAuthImporter.detect(plain.as_bytes()), Confidence::No);
        assert_eq!(
            crate::registry::detect(plain.as_bytes()).unwrap().id(),
            "otpauth-uris"
        );
        let other_icon = "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&icon=github\n";
        assert_eq!(
            WinAuthImporter.detect(other_icon.as_bytes()),
            Confidence::No
        );
    }

    #[test]
    fn reads_the_password_protected_zip() {
        let file = zipped(
            "winauth-2026-01-02.txt",
            EXPORT.as_bytes(),
            Some(b"hunter2"),
        );
        assert_eq!(WinAuthImporter.detect(&file), Confidence::Certain);
        assert_eq!(crate::registry::detect(&file).unwrap().id(), "winauth");
        assert_eq!(
            WinAuthImporter.import(&file, None),
            Err(ImportError::PasswordRequired { format: FORMAT })
        );
        check_export(
            &WinAuthImporter
                .import(&file, Some(&Password::from("hunter2")))
                .unwrap(),
        );
        // Most wrong passwords fail ZipCrypto's check byte; the few that
        // pass it fail when inflating. Either way nothing is imported.
        for wrong in ["hunter3", "a", "password", "test", "Hunter2"] {
            let error = WinAuthImporter
                .import(&file, Some(&Password::from(wrong)))
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    ImportError::WrongPassword { .. } | ImportError::WrongPasswordOrDamaged { .. }
                ),
                "{wrong}: {error:?}"
            );
        }
    }

    #[test]
    fn reads_an_unencrypted_zip_and_refuses_others() {
        let file = zipped("winauth-2026-01-02.txt", EXPORT.as_bytes(), None);
        check_export(&WinAuthImporter.import(&file, None).unwrap());
        let renamed = zipped("my codes.txt", EXPORT.as_bytes(), None);
        assert_eq!(WinAuthImporter.detect(&renamed), Confidence::Low);
        let authplus = zipped("Accounts.txt", EXPORT.as_bytes(), Some(b"x"));
        assert_eq!(WinAuthImporter.detect(&authplus), Confidence::No);
        let other = zipped("data.json", b"{}", None);
        assert_eq!(WinAuthImporter.detect(&other), Confidence::No);
        assert!(matches!(
            WinAuthImporter.import(&other, None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    #[test]
    fn an_empty_zip_is_refused_in_one_line() {
        let mut empty = b"PK\x05\x06".to_vec();
        empty.extend_from_slice(&[0; 18]);
        assert_eq!(WinAuthImporter.detect(&empty), Confidence::Low);
        let error = WinAuthImporter
            .import(&empty, Some(&Password::from("test")))
            .unwrap_err();
        assert!(
            matches!(error, ImportError::NotThisFormat { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("empty ZIP"), "{error}");
        assert!(!error.to_string().contains('\n'));
    }

    #[test]
    fn a_truncated_zip_gives_an_error() {
        let file = zipped(
            "winauth-2026-01-02.txt",
            EXPORT.as_bytes(),
            Some(b"hunter2"),
        );
        for cut in [file.len() / 2, file.len() - 10, 30] {
            let error = WinAuthImporter
                .import(&file[..cut], Some(&Password::from("hunter2")))
                .unwrap_err();
            assert!(!error.to_string().is_empty());
        }
        let half = &file[..file.len() / 2];
        assert_eq!(crate::registry::detect(half).unwrap().id(), "winauth");
        assert!(matches!(
            WinAuthImporter.import(half, Some(&Password::from("hunter2"))),
            Err(ImportError::Truncated { .. })
        ));
    }
}
