//! Stratum's (Authenticator Pro's) HTML export: a page with one table row
//! per account, holding the issuer, the user name, the account's
//! `otpauth://` URI as text and the same URI as a QR image.
//!
//! Format: Stratum's `HtmlBackup`,
//! <https://github.com/stratumauth/app/blob/main/Stratum.Core/src/Backup/HtmlBackup.cs>,
//! fills its `backup_template.html` (`<title>Stratum Backup</title>`) with
//! rows of `<td>` cells, the URI unescaped inside `<code>`. Detection is
//! certain on that title; another HTML page listing `otpauth://` URIs (an
//! Authenticator Pro export from before the rename, say) is a low guess
//! read the same way. The URIs are read from the page's text, not from
//! the images; each is an ordinary Key URI (see [`super::uri_list`]).
//! Entries Stratum writes under other schemes, `motp://…` and
//! `otpauth://yaotp/…` (mOTP and Yandex, which need a PIN), are per-entry
//! errors.
//!
//! What it cannot carry: categories, icons and the order, which the page
//! does not hold; it is never encrypted.

use tessera_otp::PlusSign;

use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const ARTICLE: &str = "a Stratum HTML export";

/// The export's page title.
const TITLE: &str = "<title>Stratum Backup</title>";

/// Reads Stratum's HTML export.
#[derive(Debug, Clone, Copy, Default)]
pub struct StratumHtmlImporter;

/// Whether the bytes start like an HTML document.
fn is_html(text: &str) -> bool {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let head = start.get(..start.len().min(15)).unwrap_or_default();
    head.eq_ignore_ascii_case("<!doctype html>")
        || head
            .get(..5)
            .is_some_and(|h| h.eq_ignore_ascii_case("<html"))
}

/// Whether the page's `<title>` is one of the export's.
fn has_export_title(text: &str) -> bool {
    let head = text.get(..text.len().min(4096)).unwrap_or(text);
    head.contains(TITLE)
}

impl Importer for StratumHtmlImporter {
    fn id(&self) -> &'static str {
        "stratum-html"
    }

    fn name(&self) -> &'static str {
        "Stratum / Authenticator Pro HTML export"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Confidence::No;
        };
        if !is_html(text) {
            return Confidence::No;
        }
        if has_export_title(text) {
            Confidence::Certain
        } else if !uris(text).is_empty() {
            // Some other page listing otpauth URIs: readable the same way.
            Confidence::Low
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
            format: ARTICLE,
            reason: "it is not UTF-8 text".into(),
        })?;
        if !is_html(text) {
            return Err(ImportError::NotThisFormat {
                format: ARTICLE,
                reason: "it is not an HTML page".into(),
            });
        }
        let found = uris(text);
        if found.is_empty() {
            return Err(ImportError::NotThisFormat {
                format: ARTICLE,
                reason: "the page holds no otpauth:// URI".into(),
            });
        }
        let mut report = ImportReport::default();
        for (index, uri) in found.iter().enumerate() {
            report.push(read_uri(uri).map_err(|message| EntryError {
                index,
                label: uri_label(uri),
                message,
            }));
        }
        Ok(report)
    }
}

/// Every text node of the page that is an account URI (`otpauth:` or
/// `motp:`), entities decoded, in page order.
fn uris(page: &str) -> Vec<String> {
    page.split('<')
        .filter_map(|piece| piece.split_once('>').map(|(_, text)| text))
        .map(|text| decode_entities(text.trim()))
        .filter(|text| has_scheme(text, "otpauth") || has_scheme(text, "motp"))
        .collect()
}

/// Whether `text` starts with `scheme:`, in any case.
fn has_scheme(text: &str, scheme: &str) -> bool {
    text.len() > scheme.len()
        && text.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
        && text.as_bytes()[scheme.len()] == b':'
}

/// Reads one URI; mOTP and Yandex get their own messages.
fn read_uri(uri: &str) -> Result<Entry, String> {
    if has_scheme(uri, "motp") || otp_type(uri).eq_ignore_ascii_case("motp") {
        return Err("mOTP entries are not supported".into());
    }
    if otp_type(uri).eq_ignore_ascii_case("yaotp") {
        return Err("Yandex entries are not supported".into());
    }
    crate::entry::otpauth_uri(uri).map(Entry::new)
}

/// The type after `otpauth://` (`totp`, `yaotp`…), or `""`.
fn otp_type(uri: &str) -> &str {
    let Some((_, rest)) = uri.split_once(':') else {
        return "";
    };
    let rest = rest.trim_start_matches('/');
    rest.split(['/', '?']).next().unwrap_or_default()
}

/// The URI's label part, percent-decoded, for error messages: it names the
/// account, never the secret.
fn uri_label(uri: &str) -> String {
    let Some((_, rest)) = uri.split_once(':') else {
        return String::new();
    };
    let rest = rest.trim_start_matches('/');
    let before_query = rest.split(['?', '#']).next().unwrap_or_default();
    // `otpauth://totp/Label` has a type segment; `motp://Label` has not.
    let label = match before_query.split_once('/') {
        Some((_, label)) if has_scheme(uri, "otpauth") => label,
        _ if has_scheme(uri, "otpauth") => "",
        _ => before_query,
    };
    tessera_otp::percent_decode(label, PlusSign::Literal)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Decodes the HTML entities a URI can hold (`&amp;` and friends, numeric
/// references); unknown ones stay as they are.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((ch, end + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{Algorithm, OtpKind};

    fn page(rows: &[(&str, &str, &str)]) -> String {
        let mut html = String::from(
            "<!doctype html>\n<html>\n<head><meta charset=\"utf-8\">\
             <title>Stratum Backup</title><style>td { padding: 8px; }</style></head>\
             <body><table><tr><th>Issuer</th><th>Username</th><th>OTP Auth URI</th>\
             <th>QR Code</th></tr>\n",
        );
        for (issuer, name, uri) in rows {
            html.push_str(&format!(
                "<tr>\n<td>{issuer}</td>\n<td>{name}</td>\n<td><code>{uri}</code></td>\n\
                 <td><img src=\"data:image/png;base64,iVBORw0KGgo=\"></td>\n</tr>"
            ));
        }
        html.push_str("</table></body></html>\n");
        html
    }

    #[test]
    fn reads_the_uris_and_reports_motp_and_yandex() {
        let html = page(&[
            (
                "Long",
                "Period",
                "otpauth://totp/Long%3APeriod?secret=JBSWY3DPEHPK3PXP&amp;issuer=Long&amp;period=60",
            ),
            (
                "Bank",
                "me",
                "otpauth://hotp/Bank%3Ame?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Bank&counter=10&algorithm=SHA256",
            ),
            ("MOTP", "Username", "motp://MOTP:Username?secret=7ac61d4736f51a2b"),
            (
                "Yandex",
                "Username",
                "otpauth://yaotp/Yandex%3AUsername?secret=JBSWY3DPEHPK3PXP&issuer=Yandex&pin_length=8",
            ),
            ("Bad", "x", "otpauth://totp/Bad%3Ax?secret=JBSW!!"),
        ]);
        assert_eq!(
            StratumHtmlImporter.detect(html.as_bytes()),
            Confidence::Certain
        );
        assert_eq!(
            crate::registry::detect(html.as_bytes()).unwrap().id(),
            "stratum-html"
        );
        let report = StratumHtmlImporter.import(html.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 2);
        let long = &report.entries[0].enrollment;
        assert_eq!(
            (long.issuer.as_str(), long.name.as_str()),
            ("Long", "Period")
        );
        assert_eq!(long.params.period, 60);
        let bank = &report.entries[1].enrollment;
        assert_eq!(bank.params.kind, OtpKind::Hotp);
        assert_eq!(bank.params.counter, 10);
        assert_eq!(bank.params.algorithm, Algorithm::Sha256);
        let errors: Vec<(usize, &str, &str)> = report
            .errors
            .iter()
            .map(|e| (e.index, e.label.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            errors[0],
            (2, "MOTP:Username", "mOTP entries are not supported")
        );
        assert_eq!(
            errors[1],
            (3, "Yandex:Username", "Yandex entries are not supported")
        );
        assert_eq!((errors[2].0, errors[2].1), (4, "Bad:x"));
        for error in &report.errors {
            assert!(!error.to_string().contains("JBSW"), "{error}");
            assert!(!error.to_string().contains("7ac6"), "{error}");
        }
    }

    #[test]
    fn other_pages_and_files() {
        let plain = "<!DOCTYPE html><html><body><p>otpauth://totp/A?secret=JBSWY3DPEHPK3PXP</p></body></html>";
        assert_eq!(
            StratumHtmlImporter.detect(plain.as_bytes()),
            Confidence::Low
        );
        assert_eq!(
            StratumHtmlImporter
                .import(plain.as_bytes(), None)
                .unwrap()
                .entries
                .len(),
            1
        );
        let empty = "<html><body>nothing</body></html>";
        assert_eq!(StratumHtmlImporter.detect(empty.as_bytes()), Confidence::No);
        assert!(matches!(
            StratumHtmlImporter.import(empty.as_bytes(), None),
            Err(ImportError::NotThisFormat { .. })
        ));
        let list = "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\n";
        assert_eq!(StratumHtmlImporter.detect(list.as_bytes()), Confidence::No);
        assert_eq!(StratumHtmlImporter.detect(b"<xml/>"), Confidence::No);
        assert_eq!(StratumHtmlImporter.detect(&[0xff, 0x3c]), Confidence::No);
        // A page cut in half keeps the rows before the cut.
        let html = page(&[
            (
                "A",
                "a",
                "otpauth://totp/A%3Aa?secret=JBSWY3DPEHPK3PXP&issuer=A",
            ),
            (
                "B",
                "b",
                "otpauth://totp/B%3Ab?secret=JBSWY3DPEHPK3PXP&issuer=B",
            ),
        ]);
        let cut = &html[..html.find("B%3Ab").unwrap()];
        let report = StratumHtmlImporter.import(cut.as_bytes(), None).unwrap();
        assert_eq!(report.entries.len(), 1);
        assert_eq!(report.errors.len(), 1, "the cut URI is an error");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&lt;&#38;&#x26;&bogus;&"),
            "a&b<&&&bogus;&"
        );
        assert_eq!(uri_label("otpauth://totp/A%20B%3Ac?secret=x"), "A B:c");
        assert_eq!(uri_label("otpauth://totp?secret=x"), "");
        assert_eq!(otp_type("otpauth://YAOTP/x?secret=y"), "YAOTP");
    }
}
