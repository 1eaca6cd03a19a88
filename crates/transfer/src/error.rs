//! Why a whole file could not be imported or an export could not be
//! written. Per-entry problems are not here: they are
//! [`EntryError`](crate::EntryError)s inside a report, so that one bad entry
//! never sinks a file. No message contains a secret or a password.

/// Why a file could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is larger than any authenticator export; it is refused
    /// before anything is parsed.
    #[error("the file is {len} bytes, more than the {max} bytes an authenticator export can be")]
    TooLarge {
        /// The file's length in bytes.
        len: u64,
        /// The largest accepted length.
        max: u64,
    },
    /// No importer recognises the file.
    #[error("the file is not in a format Tessera can import ({supported})")]
    UnknownFormat {
        /// The formats that are supported, for the message.
        supported: String,
    },
    /// The file was given to a specific importer but is not that format.
    #[error("this is not {format} file: {reason}")]
    NotThisFormat {
        /// The format that was expected, with its article ("an Aegis vault").
        format: &'static str,
        /// What was found instead.
        reason: String,
    },
    /// The file is encrypted and no password was given.
    #[error("this {format} file is encrypted: a password is needed")]
    PasswordRequired {
        /// The format's name.
        format: &'static str,
    },
    /// The file is encrypted with no marker saying which format it is, and
    /// no password was given; with one, each format is tried.
    #[error("this file looks like an encrypted backup ({formats}): a password is needed")]
    PasswordRequiredAmong {
        /// The formats it may be, for the message.
        formats: String,
    },
    /// A key file was given for a format that is never opened with one.
    #[error("a {format} file is not opened with a key file")]
    KeyFileNotUsed {
        /// The format's name.
        format: &'static str,
    },
    /// The file is encrypted and the password does not open it.
    #[error("wrong password for this {format} file")]
    WrongPassword {
        /// The format's name.
        format: &'static str,
    },
    /// A KeePass database the password and key file given do not open;
    /// one made with a key file needs it as well as the password.
    #[error(
        "wrong password or key file for this {format} file{}",
        if *key_file_given { "" } else { " (if it was made with a key file, that is needed too)" }
    )]
    WrongPasswordOrKeyFile {
        /// The format's name.
        format: &'static str,
        /// Whether a key file was given.
        key_file_given: bool,
    },
    /// The format has no way to tell a wrong password from damaged data.
    #[error(
        "the password is wrong or this {format} file is damaged \
         (the format cannot tell the two apart)"
    )]
    WrongPasswordOrDamaged {
        /// The format's name.
        format: &'static str,
    },
    /// The file ends before its structure does.
    #[error("this {format} file is truncated: {what}")]
    Truncated {
        /// The format's name.
        format: &'static str,
        /// Where it ends.
        what: String,
    },
    /// The file is in the right format but damaged or malformed.
    #[error("this {format} file is damaged: {reason}")]
    Corrupt {
        /// The format's name.
        format: &'static str,
        /// What is wrong, without quoting any secret.
        reason: String,
    },
    /// The file asks for key-derivation work beyond Tessera's limits. The
    /// parameters are read before anything is authenticated, so a hostile
    /// file could otherwise demand minutes of CPU or gigabytes of memory.
    #[error(
        "this {format} file asks for {kdf} parameters {detail}, beyond the limit of {limit}; \
         refusing to spend that much time and memory"
    )]
    KdfParamsTooExpensive {
        /// The format's name.
        format: &'static str,
        /// The key-derivation function (`scrypt`, `PBKDF2`, `Argon2id`).
        kdf: &'static str,
        /// The parameters the file asks for.
        detail: String,
        /// The limit they exceed.
        limit: String,
    },
    /// An image that holds no QR code Tessera can read.
    #[error("the image holds no QR code")]
    NoQrCode,
    /// An image file that cannot be decoded.
    #[error("the image cannot be read: {0}")]
    BadImage(String),
    /// The file uses a feature or version of its format that Tessera does
    /// not read.
    #[error("this {format} file uses something Tessera cannot read: {what}")]
    Unsupported {
        /// The format's name.
        format: &'static str,
        /// What it is.
        what: String,
    },
}

/// Why an export could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The format is always encrypted and no password was given.
    #[error("a {format} export is always encrypted: a password is needed")]
    PasswordRequired {
        /// The format's name.
        format: &'static str,
    },
    /// A password was given for a format that cannot be encrypted.
    #[error("a {format} export cannot be encrypted; it is written in the clear")]
    CannotEncrypt {
        /// The format's name.
        format: &'static str,
    },
    /// An empty password would encrypt in name only.
    #[error("the password is empty")]
    EmptyPassword,
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed")]
    Randomness,
    /// The data is too long for one QR code.
    #[error("{what} is too long to fit in one QR code")]
    TooLongForQr {
        /// What was to be encoded (an account label, a batch number).
        what: String,
    },
    /// Writing Tessera's own backup failed in the vault crate.
    #[error("writing the Tessera backup failed: {0}")]
    Backup(String),
    /// A format's writer failed on the accounts given.
    #[error("writing the {format} file failed: {reason}")]
    Write {
        /// The format's name.
        format: &'static str,
        /// Why, without any secret.
        reason: String,
    },
    /// Encoding an image failed.
    #[error("encoding the image failed: {0}")]
    Image(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_format_and_the_problem() {
        assert_eq!(
            ImportError::PasswordRequired { format: "Aegis" }.to_string(),
            "this Aegis file is encrypted: a password is needed"
        );
        assert_eq!(
            ImportError::KdfParamsTooExpensive {
                format: "Aegis",
                kdf: "scrypt",
                detail: "N=2^30, r=8, p=1".into(),
                limit: "N=2^20".into(),
            }
            .to_string(),
            "this Aegis file asks for scrypt parameters N=2^30, r=8, p=1, beyond the limit of \
             N=2^20; refusing to spend that much time and memory"
        );
        assert_eq!(
            ExportError::TooLongForQr {
                what: "batch 2".into()
            }
            .to_string(),
            "batch 2 is too long to fit in one QR code"
        );
    }
}
