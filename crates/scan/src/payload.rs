//! What a scanned QR code means to an authenticator.
//!
//! A code on a sign-up page holds an `otpauth://` URI (one account); a code
//! from Google Authenticator's "Transfer accounts" holds an
//! `otpauth-migration://` export (several). Anything else (a link, Wi-Fi
//! settings, a contact card, plain text) is not an enrollment, and people
//! scanning the wrong code need to be told what they scanned instead, in
//! words, without the code's content being echoed where it might be a
//! password or a token.

use std::fmt;

use tessera_otp::migration::{self, MigrationBatch, MigrationError};
use tessera_otp::{uri, Enrollment, UriError};

/// An enrollment read from a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// An `otpauth://` URI: one account.
    Account(Enrollment),
    /// A Google Authenticator export code: its accounts and its place in a
    /// series (see [`SeriesCollector`](tessera_otp::migration::SeriesCollector)).
    Migration(MigrationBatch),
}

impl Payload {
    /// The accounts it holds that can be added.
    pub fn accounts(&self) -> Vec<&Enrollment> {
        match self {
            Payload::Account(account) => vec![account],
            Payload::Migration(batch) => batch.accounts.iter().collect(),
        }
    }
}

/// Why a QR code's text is not an enrollment Tessera can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The code holds something else entirely.
    #[error("this QR code holds {0}; it is not an authenticator enrollment")]
    NotAnEnrollment(QrContent),
    /// An `otpauth://` URI that cannot be used.
    #[error("this QR code holds an otpauth:// URI that cannot be used: {0}")]
    BadAccountUri(#[source] UriError),
    /// A Google Authenticator export that cannot be read.
    #[error("this QR code holds a Google Authenticator export that cannot be read: {0}")]
    BadMigration(#[source] MigrationError),
}

/// What a QR code that is not an enrollment holds, described without its
/// content (which might be a password or a private link).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrContent {
    /// An `http(s)://` link. Only the host is kept: paths and queries often
    /// carry tokens.
    WebLink {
        /// The host name, e.g. `example.com`.
        host: String,
    },
    /// Wi-Fi network settings (`WIFI:`), which include its password.
    WifiNetwork,
    /// A contact card (vCard or MECARD).
    Contact,
    /// An e-mail address or message (`mailto:`, `MATMSG:`).
    Email,
    /// A phone number (`tel:`).
    Phone,
    /// A text message (`sms:`, `smsto:`).
    TextMessage,
    /// A map location (`geo:`).
    Location,
    /// A calendar event (iCalendar).
    CalendarEvent,
    /// A payment request (`bitcoin:`, `ethereum:`, …).
    Payment {
        /// The scheme, lower-cased.
        scheme: String,
    },
    /// Some other URI.
    OtherUri {
        /// The scheme, lower-cased.
        scheme: String,
    },
    /// Text that is none of the above.
    Text {
        /// Its length in characters.
        characters: usize,
    },
    /// Nothing at all.
    Empty,
}

impl fmt::Display for QrContent {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrContent::WebLink { host } => write!(formatter, "a web link (to {host})"),
            QrContent::WifiNetwork => formatter.write_str("Wi-Fi network settings"),
            QrContent::Contact => formatter.write_str("a contact card"),
            QrContent::Email => formatter.write_str("an e-mail address"),
            QrContent::Phone => formatter.write_str("a phone number"),
            QrContent::TextMessage => formatter.write_str("a text message"),
            QrContent::Location => formatter.write_str("a map location"),
            QrContent::CalendarEvent => formatter.write_str("a calendar event"),
            QrContent::Payment { scheme } => write!(formatter, "a payment request ({scheme}:)"),
            QrContent::OtherUri { scheme } => write!(formatter, "a {scheme}: link"),
            QrContent::Text { characters: 1 } => formatter.write_str("plain text (1 character)"),
            QrContent::Text { characters } => {
                write!(formatter, "plain text ({characters} characters)")
            }
            QrContent::Empty => formatter.write_str("no content"),
        }
    }
}

/// Reads a QR code's text as an enrollment, or says what it is instead.
pub fn classify(text: &str) -> Result<Payload, PayloadError> {
    let trimmed = text.trim();
    let scheme = uri_scheme(trimmed);
    match scheme.as_deref() {
        Some("otpauth") => uri::parse(trimmed)
            .map(Payload::Account)
            .map_err(PayloadError::BadAccountUri),
        // Anything after the scheme is meant as an export, even when it is
        // not the offline form; the codec says what is wrong with it.
        Some("otpauth-migration") => migration::parse(trimmed)
            .map(Payload::Migration)
            .map_err(PayloadError::BadMigration),
        _ => Err(PayloadError::NotAnEnrollment(describe(trimmed, scheme))),
    }
}

/// The lower-cased URI scheme, when the text starts with one (RFC 3986:
/// a letter, then letters, digits, `+`, `-`, `.`, then a colon).
fn uri_scheme(text: &str) -> Option<String> {
    let (scheme, _) = text.split_once(':')?;
    let mut characters = scheme.chars();
    let first = characters.next()?;
    let valid = first.is_ascii_alphabetic()
        && characters.all(|character| {
            character.is_ascii_alphanumeric() || matches!(character, '+' | '-' | '.')
        });
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Names what a non-enrollment text holds.
fn describe(text: &str, scheme: Option<String>) -> QrContent {
    if text.is_empty() {
        return QrContent::Empty;
    }
    let upper_start: String = text
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_uppercase();
    if upper_start.starts_with("BEGIN:VCARD") || upper_start.starts_with("MECARD:") {
        return QrContent::Contact;
    }
    if upper_start.starts_with("BEGIN:VCALENDAR") || upper_start.starts_with("BEGIN:VEVENT") {
        return QrContent::CalendarEvent;
    }
    let Some(scheme) = scheme else {
        return QrContent::Text {
            characters: text.chars().count(),
        };
    };
    match scheme.as_str() {
        "http" | "https" => QrContent::WebLink {
            host: web_host(text),
        },
        "wifi" => QrContent::WifiNetwork,
        "mailto" | "matmsg" => QrContent::Email,
        "tel" => QrContent::Phone,
        "sms" | "smsto" | "mms" | "mmsto" => QrContent::TextMessage,
        "geo" => QrContent::Location,
        "bitcoin" | "ethereum" | "litecoin" | "monero" | "lightning" | "bitcoincash" => {
            QrContent::Payment { scheme }
        }
        _ => QrContent::OtherUri { scheme },
    }
}

/// The host of an `http(s)://` link, without user info or port.
fn web_host(text: &str) -> String {
    let after_scheme = text.split_once("://").map_or("", |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{OtpParams, Secret};

    #[test]
    fn an_otpauth_uri_is_one_account() {
        let payload =
            classify(" otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n")
                .unwrap();
        let Payload::Account(account) = &payload else {
            panic!("expected an account, got {payload:?}");
        };
        assert_eq!(account.issuer, "GitHub");
        assert_eq!(payload.accounts().len(), 1);
    }

    #[test]
    fn a_migration_export_is_its_accounts() {
        let account = |issuer: &str, name: &str, secret: &[u8]| Enrollment {
            issuer: issuer.into(),
            name: name.into(),
            secret: Secret::from_bytes(secret.to_vec()).unwrap(),
            params: OtpParams::totp(),
        };
        let accounts = [
            account("b", "a", b"0123456789"),
            account("d", "c", b"abcdefghij"),
        ];
        let series = migration::encode(&accounts, 3);
        let payload = classify(&series.codes[0].uri).unwrap();
        assert!(matches!(payload, Payload::Migration(_)));
        assert_eq!(payload.accounts(), accounts.iter().collect::<Vec<_>>());
    }

    #[test]
    fn broken_enrollments_say_what_is_wrong() {
        let error = classify("otpauth://totp/x?secret=not*base32").unwrap_err();
        assert!(matches!(
            error,
            PayloadError::BadAccountUri(UriError::InvalidSecret(_))
        ));
        assert!(error
            .to_string()
            .starts_with("this QR code holds an otpauth:// URI that cannot be used"));
        let error = classify("otpauth-migration://offline?data=CjEK").unwrap_err();
        assert!(matches!(
            error,
            PayloadError::BadMigration(MigrationError::LengthPastEnd { .. })
        ));
        let error = classify("otpauth-migration://online?data=abc").unwrap_err();
        assert_eq!(
            error,
            PayloadError::BadMigration(MigrationError::NotMigration)
        );
    }

    #[test]
    fn other_content_is_named_without_being_echoed() {
        let cases = [
            (
                "https://user:pw@Example.com:8443/reset?token=SECRET123",
                "a web link (to example.com)",
            ),
            ("http://[::1]:80/x", "a web link (to [::1])"),
            ("WIFI:S:home;T:WPA;P:SECRET123;;", "Wi-Fi network settings"),
            (
                "BEGIN:VCARD\nVERSION:3.0\nFN:SECRET123\nEND:VCARD",
                "a contact card",
            ),
            ("MECARD:N:SECRET123;;", "a contact card"),
            ("BEGIN:VEVENT\nSUMMARY:SECRET123", "a calendar event"),
            ("mailto:SECRET123@example.com", "an e-mail address"),
            ("MATMSG:TO:a@b.c;SUB:SECRET123;;", "an e-mail address"),
            ("tel:+15550100", "a phone number"),
            ("SMSTO:+15550100:SECRET123", "a text message"),
            ("geo:48.85,2.35", "a map location"),
            (
                "bitcoin:1SECRET123?amount=1",
                "a payment request (bitcoin:)",
            ),
            ("steam://run/SECRET123", "a steam: link"),
            ("SECRET123 is my password", "plain text (24 characters)"),
            ("12:30 meeting SECRET123", "plain text (23 characters)"),
            ("x", "plain text (1 character)"),
            ("   ", "no content"),
        ];
        for (text, description) in cases {
            let error = classify(text).unwrap_err();
            let message = error.to_string();
            assert_eq!(
                message,
                format!("this QR code holds {description}; it is not an authenticator enrollment"),
                "for {text:?}"
            );
            assert!(!message.contains("SECRET123"), "{message}");
        }
    }
}
