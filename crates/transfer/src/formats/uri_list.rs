//! A plain text file of `otpauth://` URIs, one per line: what Ente Auth,
//! FreeOTP+, Aegis ("Google Authenticator URI" export), 2FAS and many
//! others write as their unencrypted export.
//!
//! Format: the Key URI Format,
//! <https://github.com/google/google-authenticator/wiki/Key-Uri-Format>,
//! one URI per line; blank lines and lines starting with `#` are ignored.
//! Lines holding Google Authenticator `otpauth-migration://` URIs are read
//! too (see [`super::google_migration`]). Ente Auth adds a `codeDisplay`
//! parameter with JSON (<https://github.com/ente-io/ente/tree/main/auth>):
//! its `pinned` becomes the favourite flag, `tags` the tags and `note` the
//! note. Entries in Ente's trash (`trashed`) are imported too, tagged
//! [`ENTE_TRASH_TAG`]: Ente still holds them (and exports them, with their
//! codes), so dropping them would lose an account the user may want back;
//! the tag lets them find and delete the ones they meant to delete.
//!
//! Secrets and URIs are read as leniently as the apps that write these
//! files ([`tessera_otp::uri::parse_lenient`]): lower case, `=` or `%3D`
//! padding, impossible lengths (leftover bits dropped), an HOTP line
//! without `counter` (counter 0, as Ente writes them), an empty issuer
//! before the label's colon (`:account`), an `issuer` key with no value.
//! A line for a PIN-based code (`motp://`, `otpauth://yaotp/`) or of
//! another scheme or type is an entry error; the other lines still import.
//!
//! What it cannot carry: notes, favourites and tags (except Ente's
//! `codeDisplay`), icons, groups. It is never encrypted, so the export
//! comes with a warning.

use serde_json::Value;
use tessera_otp::PlusSign;
use zeroize::Zeroizing;

use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::{ExportError, ImportError};
use crate::formats::google_migration;
use crate::password::Password;
use crate::registry::{check_len, Confidence, ExportOutput, Exporter, Importer, PasswordUse};

const FORMAT: &str = "otpauth:// URI list";

/// The tag given to accounts that were in Ente Auth's trash.
pub const ENTE_TRASH_TAG: &str = "Ente Auth trash";

/// The warning every plain URI export carries.
pub const UNENCRYPTED_WARNING: &str = "This file is not encrypted: anyone who reads it can \
     generate your login codes. Import it where it is needed, then delete it.";

/// Reads a text file of `otpauth://` (and `otpauth-migration://`) URIs.
#[derive(Debug, Clone, Copy, Default)]
pub struct UriListImporter;

/// Writes accounts as `otpauth://` URIs, one per line, unencrypted.
#[derive(Debug, Clone, Copy, Default)]
pub struct UriListExporter;

/// The lines that carry content (not blank, not `#` comments), with their
/// index in the file. A line that is not UTF-8 comes as `Err` with its
/// bytes, so one badly encoded line costs that line, not the file.
fn content_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, Result<&str, &[u8]>)> {
    bytes
        .split(|&byte| byte == b'\n')
        .enumerate()
        .filter_map(|(index, raw)| {
            let line = match std::str::from_utf8(raw) {
                Ok(text) => Ok(text.trim().trim_start_matches('\u{feff}')),
                Err(_) => {
                    let raw = raw.trim_ascii();
                    Err(raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw))
                }
            };
            let bytes = match line {
                Ok(text) => text.as_bytes(),
                Err(raw) => raw,
            };
            (!bytes.is_empty() && !bytes.starts_with(b"#")).then_some((index, line))
        })
}

/// Whether a line starts with `scheme:`, in any case.
fn has_scheme(line: &[u8], scheme: &str) -> bool {
    line.len() > scheme.len()
        && line[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
        && line[scheme.len()] == b':'
}

/// A line's bytes, whether or not they are UTF-8.
fn line_bytes<'a>(line: &Result<&'a str, &'a [u8]>) -> &'a [u8] {
    match line {
        Ok(text) => text.as_bytes(),
        Err(raw) => raw,
    }
}

impl Importer for UriListImporter {
    fn id(&self) -> &'static str {
        "otpauth-uris"
    }

    fn name(&self) -> &'static str {
        "otpauth:// URI list (Ente Auth, FreeOTP+ and others)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        // Lines that are not UTF-8 still count: a URI list saved as Latin-1
        // is a URI list with bad lines, not some binary format.
        let (mut total, mut uris) = (0usize, 0usize);
        for (_, line) in content_lines(bytes) {
            total += 1;
            let line = line_bytes(&line);
            if has_scheme(line, "otpauth") || has_scheme(line, "otpauth-migration") {
                uris += 1;
            }
        }
        match uris {
            0 => Confidence::No,
            n if n == total => Confidence::Likely,
            _ => Confidence::Low,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let mut report = ImportReport::default();
        let mut any_uri = false;
        for (line_index, line) in content_lines(bytes) {
            let line_error = |message: String| EntryError {
                index: line_index,
                label: format!("line {}", line_index + 1),
                message,
            };
            let line = match line {
                Ok(text) => text,
                Err(raw) => {
                    any_uri |= has_scheme(raw, "otpauth") || has_scheme(raw, "otpauth-migration");
                    report.errors.push(line_error(
                        "the line is not UTF-8 text (save the file as UTF-8)".into(),
                    ));
                    continue;
                }
            };
            if has_scheme(line.as_bytes(), "otpauth-migration") {
                any_uri = true;
                match google_migration::decode_uri(line) {
                    Ok(entries) => {
                        for result in entries {
                            report.push(result.map_err(|mut error| {
                                error.label = format!("line {}: {}", line_index + 1, error.label);
                                error
                            }));
                        }
                    }
                    Err(message) => report.errors.push(line_error(message)),
                }
                continue;
            }
            if has_scheme(line.as_bytes(), "otpauth") {
                any_uri = true;
            }
            report.push(read_uri(line).map_err(line_error));
        }
        if !any_uri {
            return Err(ImportError::NotThisFormat {
                format: "a text file of otpauth:// URIs",
                reason: "no line starts with otpauth://".into(),
            });
        }
        Ok(report)
    }
}

/// The kind of a line for a PIN-based code Tessera cannot make: Stratum
/// and others write mOTP as `motp://…` or `otpauth://motp/…` and Yandex as
/// `otpauth://yaotp/…`.
fn pin_based_kind(line: &str) -> Option<&'static str> {
    if has_scheme(line.as_bytes(), "motp") {
        return Some("mOTP");
    }
    let rest = line
        .get(..8)?
        .eq_ignore_ascii_case("otpauth:")
        .then(|| &line[8..])?;
    let kind = rest.trim_start_matches('/').split(['/', '?']).next()?;
    match kind.to_ascii_lowercase().as_str() {
        "motp" => Some("mOTP"),
        "yaotp" | "yandex" => Some("Yandex"),
        _ => None,
    }
}

/// One `otpauth://` URI, with Ente Auth's `codeDisplay` extras.
fn read_uri(line: &str) -> Result<Entry, String> {
    if let Some(kind) = pin_based_kind(line) {
        return Err(crate::entry::pin_type_unsupported(kind));
    }
    let enrollment = crate::entry::otpauth_uri(line)?;
    let mut entry = Entry::new(enrollment);
    if let Some(display) = query_parameter(line, "codeDisplay") {
        // Unreadable extras are not worth losing the account over.
        if let Ok(display) = serde_json::from_str::<Value>(&display) {
            entry.favourite = display.get("pinned").and_then(Value::as_bool) == Some(true);
            if let Some(tags) = display.get("tags").and_then(Value::as_array) {
                entry.tags = tags
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
            }
            if let Some(note) = display.get("note").and_then(Value::as_str) {
                entry.notes = note.to_owned();
            }
            if display.get("trashed").and_then(Value::as_bool) == Some(true) {
                entry.tags.push(ENTE_TRASH_TAG.to_owned());
            }
        }
    }
    Ok(entry)
}

/// The form-decoded value of a query parameter; `None` if absent or not
/// decodable. Only used for non-secret parameters.
fn query_parameter(uri: &str, key: &str) -> Option<String> {
    let (_, query) = uri.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.eq_ignore_ascii_case(key)
            .then(|| form_decode(value))
            .flatten()
    })
}

/// Form decoding (`+` is a space, `%XX` a byte) of a value that is not
/// secret; `None` unless it is UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let mut bytes = tessera_otp::percent_decode(text, PlusSign::Space).ok()?;
    String::from_utf8(std::mem::take(&mut *bytes)).ok()
}

impl Exporter for UriListExporter {
    fn id(&self) -> &'static str {
        "otpauth-uris"
    }

    fn name(&self) -> &'static str {
        "otpauth:// URI list (unencrypted)"
    }

    fn extension(&self) -> &'static str {
        "txt"
    }

    fn password_use(&self) -> PasswordUse {
        PasswordUse::Never
    }

    fn description(&self) -> &'static str {
        "One otpauth:// link a line, which Ente Auth and most authenticators import. Recovery codes are not included."
    }

    fn export(
        &self,
        entries: &[Entry],
        password: Option<&Password>,
    ) -> Result<ExportOutput, ExportError> {
        if password.is_some() {
            return Err(ExportError::CannotEncrypt { format: FORMAT });
        }
        let uris: Vec<Zeroizing<String>> = entries
            .iter()
            .map(|entry| tessera_otp::uri::format(&entry.enrollment))
            .collect();
        let mut bytes = Zeroizing::new(Vec::with_capacity(
            uris.iter().map(|uri| uri.len() + 1).sum(),
        ));
        for uri in &uris {
            bytes.extend_from_slice(uri.as_bytes());
            bytes.push(b'\n');
        }
        let mut warnings = vec![UNENCRYPTED_WARNING.to_owned()];
        if entries
            .iter()
            .any(|e| !e.notes.is_empty() || e.favourite || !e.tags.is_empty())
        {
            warnings.push(
                "Notes, favourites and tags are not part of otpauth:// URIs and are left out."
                    .into(),
            );
        }
        Ok(ExportOutput {
            bytes,
            encrypted: false,
            skipped: Vec::new(),
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Algorithm, OtpKind, OtpParams, Secret};

    fn sample() -> Vec<Entry> {
        let secret = |text| Secret::from_base32(text).unwrap();
        vec![
            Entry::new(tessera_otp::Enrollment {
                issuer: "Air Canada".into(),
                name: "ben:1".into(),
                secret: secret("KUVJJOM753IHTNDSZVCNKL7GII"),
                params: OtpParams {
                    algorithm: Algorithm::Sha256,
                    digits: 7,
                    ..OtpParams::hotp(50)
                },
            }),
            Entry::new(tessera_otp::Enrollment {
                issuer: "".into(),
                name: "Sophia".into(),
                secret: secret("JRZCL47CMXVOQMNPZR2F7J4RGI"),
                params: OtpParams::steam(),
            }),
        ]
    }

    #[test]
    fn export_then_import_keeps_every_account() {
        let output = UriListExporter.export(&sample(), None).unwrap();
        assert!(!output.encrypted);
        assert_eq!(output.warnings, vec![UNENCRYPTED_WARNING.to_owned()]);
        assert_eq!(UriListImporter.detect(&output.bytes), Confidence::Likely);
        let report = UriListImporter.import(&output.bytes, None).unwrap();
        assert!(report.errors.is_empty());
        assert_eq!(report.entries, sample());
    }

    #[test]
    fn export_refuses_a_password_and_warns_about_dropped_extras() {
        let password = Password::from("x");
        assert!(matches!(
            UriListExporter.export(&sample(), Some(&password)),
            Err(ExportError::CannotEncrypt { .. })
        ));
        let mut entries = sample();
        entries[0].tags.push("work".into());
        let output = UriListExporter.export(&entries, None).unwrap();
        assert_eq!(output.warnings.len(), 2);
    }

    #[test]
    fn bad_lines_are_per_entry_errors() {
        let text = "# my codes\n\
            otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\n\
            \n\
            otpauth://totp/B:b?secret=JBSWY3DP!!\n\
            not a uri\n\
            otpauth://yaotp/C:c?secret=JBSWY3DPEHPK3PXP&pin_length=8\n\
            motp://MOTP:c?secret=7ac61d4736f51a2b\n";
        assert_eq!(UriListImporter.detect(text.as_bytes()), Confidence::Low);
        let report = UriListImporter.import(text.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 1);
        let lines: Vec<_> = report.errors.iter().map(|e| e.index + 1).collect();
        assert_eq!(lines, vec![4, 5, 6, 7]);
        assert!(
            report.errors[0].message.contains("base32"),
            "{:?}",
            report.errors
        );
        assert!(
            report.errors[2]
                .message
                .starts_with("Yandex entries are not supported: they need a PIN"),
            "{:?}",
            report.errors
        );
        assert!(
            report.errors[3]
                .message
                .starts_with("mOTP entries are not supported: they need a PIN"),
            "{:?}",
            report.errors
        );
        assert_eq!(pin_based_kind("OTPAUTH://MOTP/x?secret=ab"), Some("mOTP"));
        assert_eq!(pin_based_kind("otpauth://totp/yaotp?secret=ab"), None);
        for error in &report.errors {
            assert!(!error.to_string().contains("JBSWY3DP"), "{error}");
        }
    }

    #[test]
    fn other_content_is_refused() {
        assert_eq!(UriListImporter.detect(b"hello\nworld"), Confidence::No);
        assert_eq!(UriListImporter.detect(&[0xff, 0xfe, 0x00]), Confidence::No);
        assert!(matches!(
            UriListImporter.import(b"hello", None),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(matches!(
            UriListImporter.import(&[0xff, 0xfe], None),
            Err(ImportError::NotThisFormat { .. })
        ));
    }

    #[test]
    fn ente_code_display_extras() {
        let display = r#"{"pinned":true,"trashed":false,"tags":["work","vpn"],"note":"old phone"}"#;
        let encoded: String = display
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        let line = format!(
            "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&codeDisplay={encoded}"
        );
        let report = UriListImporter.import(line.as_bytes(), None).unwrap();
        let entry = &report.entries[0];
        assert!(entry.favourite);
        assert_eq!(entry.tags, vec!["work", "vpn"]);
        assert_eq!(entry.notes, "old phone");
        assert_eq!(entry.enrollment.params.kind, OtpKind::Totp);
    }

    /// Ente exports the accounts in its trash with their codes; they come
    /// across, tagged so the user can find them.
    #[test]
    fn ente_trashed_accounts_are_imported_with_the_trash_tag() {
        let line = "otpauth://totp/code1%20ente:jdjd?issuer=code1+ente&secret=XHAJDBHDBXVBDNSNNSNB\
            &codeDisplay=%7B%22trashed%22%3Atrue%2C%22tags%22%3A%5B%22a%22%5D%2C%22note%22%3A%22ente+auth%22%7D";
        let report = UriListImporter.import(line.as_bytes(), None).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let entry = &report.entries[0];
        assert_eq!(entry.tags, vec!["a", ENTE_TRASH_TAG]);
        assert_eq!(entry.notes, "ente auth");
        assert_eq!(entry.label(), "code1 ente: jdjd");
    }

    /// What Ente Auth and Aegis write and the strict URI reader refused:
    /// `:account` labels, a bare `issuer` key, lower-case secrets of
    /// impossible length, `%3D` padding, HOTP without a counter,
    /// `otpauth://steam/`.
    #[test]
    fn regression_ente_lines_with_hand_typed_secrets_and_hotp_without_counter() {
        let text = "otpauth://totp/:account?algorithm=SHA1&digits=6&issuer&period=30&secret=xbjzbxbxbcbcbb\n\
            otpauth://hotp/hotpitem:account1?algorithm=SHA1&digits=6&issuer=hotpitem&period=30&secret=ndjdfbdnfjdjdjfjhfh\n\
            otpauth://totp/MyLabel?secret=JVMVGRKDKJCVI%3D%3D%3D&issuer=MyIssuer&algorithm=SHA256&digits=8&period=15\n\
            otpauth://steam/Steam:STEAMACCOUNT?algorithm=SHA1&digits=5&issuer=Steam&period=30&secret=STEAMSECRET\n";
        let report = UriListImporter.import(text.as_bytes(), None).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let got: Vec<(String, String, OtpParams)> = report
            .entries
            .iter()
            .map(|e| {
                let en = &e.enrollment;
                (
                    e.label(),
                    en.secret.to_base32().to_string(),
                    en.params.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("account".into(), "XBJZBXBXBCBCA".into(), OtpParams::totp()),
                (
                    "hotpitem: account1".into(),
                    "NDJDFBDNFJDJDJFJHE".into(),
                    OtpParams::hotp(0)
                ),
                (
                    "MyIssuer: MyLabel".into(),
                    "JVMVGRKDKJCVI".into(),
                    OtpParams {
                        algorithm: Algorithm::Sha256,
                        digits: 8,
                        period: 15,
                        ..OtpParams::totp()
                    }
                ),
                (
                    "Steam: STEAMACCOUNT".into(),
                    "STEAMSECRE".into(),
                    OtpParams::steam()
                ),
            ]
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(form_decode("a+b%3Ac").as_deref(), Some("a b:c"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%ff"), None);
    }

    #[test]
    fn regression_a_latin1_uri_list_was_taken_for_an_encrypted_andotp_backup() {
        // Found by tests/e2e/adversarial.rs: a URI list saved as Latin-1
        // was detected as an encrypted andOTP file (binary, not UTF-8) and
        // the user was asked for a password it never had.
        let bytes = b"otpauth://totp/Caf\xe9:zo\xeb?secret=JBSWY3DPEHPK3PXP\n\
                      otpauth://totp/Plain:ok?secret=JBSWY3DPEHPK3PXP\n\
                      \xff\xfe\n";
        let importer = crate::registry::detect(bytes).expect("a format");
        assert_eq!(importer.id(), "otpauth-uris");
        let report = UriListImporter.import(bytes, None).unwrap();
        assert_eq!(report.entries.len(), 1, "the UTF-8 line is kept");
        let errors: Vec<(&str, &str)> = report
            .errors
            .iter()
            .map(|e| (e.label.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (
                    "line 1",
                    "the line is not UTF-8 text (save the file as UTF-8)"
                ),
                (
                    "line 3",
                    "the line is not UTF-8 text (save the file as UTF-8)"
                ),
            ]
        );
    }
}
