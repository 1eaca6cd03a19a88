//! What an import yields and an export consumes: accounts with the extras
//! users would miss if they were dropped (notes, favourite, group names as
//! tags), and the per-entry problems that must never sink a whole file.

use std::fmt;

use tessera_otp::{Algorithm, Enrollment, OtpKind, OtpParams, RecoveryCodes, Secret};

/// One account as it moves between apps: the enrollment plus what the
/// other app knew about it that Tessera keeps too.
///
/// `Debug` is safe to log: the secret shows only as its length.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Issuer, name, secret and OTP parameters.
    pub enrollment: Enrollment,
    /// The account's free-text note, `""` when the format has none.
    pub notes: String,
    /// Whether the other app marked it as a favourite (pinned).
    pub favourite: bool,
    /// Labels: the other app's tags, or the names of its groups, folders or
    /// categories, which Tessera represents as tags.
    pub tags: Vec<String>,
    /// The account's recovery codes, used ones included, when the format
    /// keeps them (only Tessera's own backup does). `Debug` never shows a
    /// code.
    pub recovery: Option<RecoveryCodes>,
}

/// The name the importers' documentation uses for [`Entry`].
pub type ImportedEntry = Entry;

impl Entry {
    /// An entry with no note, not a favourite, without tags.
    pub fn new(enrollment: Enrollment) -> Self {
        Entry {
            enrollment,
            notes: String::new(),
            favourite: false,
            tags: Vec::new(),
            recovery: None,
        }
    }

    /// A label for messages: `issuer: name`, never the secret.
    pub fn label(&self) -> String {
        account_label(&self.enrollment.issuer, &self.enrollment.name)
    }
}

/// One entry that could not be carried across, with why. It names the
/// entry by its position and a non-secret label; the message never contains
/// the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// The entry's position among the file's (or the export's) entries,
    /// counting from 0.
    pub index: usize,
    /// Issuer and account name as far as they could be read, or `""`.
    pub label: String,
    /// What was wrong, for the user.
    pub message: String,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.label.is_empty() {
            write!(f, "entry {}: {}", self.index + 1, self.message)
        } else {
            write!(
                f,
                "entry {} ({}): {}",
                self.index + 1,
                self.label,
                self.message
            )
        }
    }
}

/// What an importer read from a file: the usable entries and, separately,
/// the entries it had to leave out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// The accounts, in the file's order.
    pub entries: Vec<Entry>,
    /// The entries that could not be imported, with why.
    pub errors: Vec<EntryError>,
    /// Recovery codes of services without an account in the file (only
    /// Tessera's own backup has them).
    pub services: Vec<ServiceRecovery>,
}

/// Recovery codes kept for a service that has no OTP account.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRecovery {
    /// The service's name.
    pub issuer: String,
    /// The account name at the service, `""` when not given.
    pub name: String,
    /// The codes, used ones included. `Debug` never shows a code.
    pub codes: RecoveryCodes,
}

impl ImportReport {
    /// Adds one entry's result.
    pub(crate) fn push(&mut self, result: Result<Entry, EntryError>) {
        match result {
            Ok(entry) => self.entries.push(entry),
            Err(error) => self.errors.push(error),
        }
    }
}

/// `issuer: name`, or whichever of the two is not empty.
pub(crate) fn account_label(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer}: {name}"),
        (false, true) => issuer.to_owned(),
        _ => name.to_owned(),
    }
}

/// The parts of an account as a format spells them, before checking: the
/// one place that turns them into an [`Enrollment`] with the same rules
/// (and the same error messages) for every format.
#[derive(Debug)]
pub(crate) struct RawAccount {
    pub issuer: String,
    pub name: String,
    pub kind: OtpKind,
    pub algorithm: Algorithm,
    pub digits: u8,
    pub period: u64,
    pub counter: u64,
}

impl RawAccount {
    /// TOTP, SHA1, 6 digits, 30 s: what most formats mean by a missing field.
    pub fn new(issuer: impl Into<String>, name: impl Into<String>) -> Self {
        let defaults = OtpParams::totp();
        RawAccount {
            issuer: issuer.into().trim().to_owned(),
            name: name.into().trim().to_owned(),
            kind: OtpKind::Totp,
            algorithm: defaults.algorithm,
            digits: defaults.digits,
            period: defaults.period,
            counter: 0,
        }
    }

    /// The label for error messages.
    pub fn label(&self) -> String {
        account_label(&self.issuer, &self.name)
    }

    /// Checks the parameters and builds the enrollment. Steam fixes its own
    /// algorithm, digits and period, so whatever the file said is replaced.
    pub fn into_enrollment(self, secret: Secret) -> Result<Enrollment, String> {
        let params = match self.kind {
            OtpKind::Steam => OtpParams {
                counter: self.counter,
                ..OtpParams::steam()
            },
            kind => OtpParams {
                kind,
                algorithm: self.algorithm,
                digits: self.digits,
                period: self.period,
                counter: self.counter,
            },
        };
        params.validate().map_err(|error| error.to_string())?;
        tessera_otp::check_label(&self.issuer, "issuer").map_err(|error| error.to_string())?;
        tessera_otp::check_label(&self.name, "account name").map_err(|error| error.to_string())?;
        Ok(Enrollment {
            issuer: self.issuer,
            name: self.name,
            secret,
            params,
        })
    }
}

/// A secret in base32 as exports write it (padding, spaces, any case), with
/// a message that never quotes the text.
///
/// Lenient about length ([`Secret::from_base32_lenient`]): other apps let
/// people type secrets of impossible length and show codes for them, so an
/// import drops the leftover bits as those apps do instead of losing the
/// account. Characters outside base32 are still refused.
pub(crate) fn base32_secret(text: &str) -> Result<Secret, String> {
    Secret::from_base32_lenient(text).map_err(|error| error.to_string())
}

/// An algorithm name as exports spell it (`SHA1`, `sha-256`, …), with a
/// message for the one other apps accept and Tessera cannot compute:
/// SHA-384, which RFC 6238 does not define either.
pub(crate) fn algorithm(text: &str) -> Result<Algorithm, String> {
    text.parse::<Algorithm>().map_err(|error| {
        let name: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        if name == "SHA384" {
            "SHA-384 codes are not supported: Tessera, like RFC 6238, computes SHA1, SHA256 and SHA512 only"
                .to_owned()
        } else {
            error.to_string()
        }
    })
}

/// Why an entry of a type that needs a PIN (mOTP, Yandex) cannot come
/// across: one message for every format that has them.
pub(crate) fn pin_type_unsupported(kind: &str) -> String {
    format!(
        "{kind} entries are not supported: they need a PIN, and Tessera makes \
         TOTP, HOTP and Steam codes only"
    )
}

/// An `otpauth://` URI found in an export, its secret read as leniently as
/// [`base32_secret`] ([`tessera_otp::uri::parse_lenient`]).
pub(crate) fn otpauth_uri(uri: &str) -> Result<Enrollment, String> {
    tessera_otp::uri::parse_lenient(uri).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_display() {
        assert_eq!(account_label("GitHub", "alice"), "GitHub: alice");
        assert_eq!(account_label("", "alice"), "alice");
        assert_eq!(account_label("GitHub", ""), "GitHub");
        let error = EntryError {
            index: 2,
            label: "GitHub: alice".into(),
            message: "secret is empty".into(),
        };
        assert_eq!(
            error.to_string(),
            "entry 3 (GitHub: alice): secret is empty"
        );
        let error = EntryError {
            label: String::new(),
            ..error
        };
        assert_eq!(error.to_string(), "entry 3: secret is empty");
    }

    #[test]
    fn raw_accounts_are_checked_and_steam_is_normalised() {
        let secret = base32_secret("JBSWY3DPEHPK3PXP").unwrap();
        let mut raw = RawAccount::new(" Steam ", "gaben");
        raw.kind = OtpKind::Steam;
        raw.digits = 6;
        raw.algorithm = Algorithm::Sha512;
        let enrollment = raw.into_enrollment(secret.clone()).unwrap();
        assert_eq!(enrollment.params, OtpParams::steam());
        assert_eq!(enrollment.issuer, "Steam");

        let mut raw = RawAccount::new("x", "y");
        raw.digits = 4;
        assert_eq!(
            raw.into_enrollment(secret).unwrap_err(),
            "codes must have 6 to 10 digits, not 4"
        );
        let error = base32_secret("JBSWY3DP!").unwrap_err();
        assert!(!error.contains("JBSWY3DP"), "{error}");
    }

    #[test]
    fn algorithm_names_sha384_as_unsupported() {
        assert_eq!(algorithm("sha-256"), Ok(Algorithm::Sha256));
        for text in ["SHA384", "sha-384", "Sha_384"] {
            let error = algorithm(text).unwrap_err();
            assert!(
                error.starts_with("SHA-384 codes are not supported"),
                "{error}"
            );
            assert!(error.contains("RFC 6238"), "{error}");
        }
        assert!(algorithm("MD5").unwrap_err().contains("MD5"));
    }

    /// Imports read secrets of impossible length as the exporting apps do.
    #[test]
    fn base32_secret_is_lenient_about_length() {
        let secret = base32_secret("fsfsfsfsefefef").unwrap();
        assert_eq!(secret.to_base32().as_str(), "FSFSFSFSEFEFE");
        let secret = base32_secret("STEAMSECRET").unwrap();
        assert_eq!(secret.len(), 6);
        let error = base32_secret("STEAMSECRE1").unwrap_err();
        assert!(error.contains("'1'") && !error.contains("STEAM"), "{error}");
    }

    #[test]
    fn otpauth_uri_is_lenient_about_the_secret_length() {
        let enrollment =
            otpauth_uri("otpauth://totp/Proton:Account%201?secret=SECRETO&issuer=Proton").unwrap();
        assert_eq!(enrollment.secret.to_base32().as_str(), "SECRETI");
        assert_eq!(enrollment.name, "Account 1");
        let error = otpauth_uri("otpauth://yaotp/Yandex:u?secret=JBSWY3DPEHPK3PXP").unwrap_err();
        assert!(error.contains("unknown OTP type"), "{error}");
    }
}
