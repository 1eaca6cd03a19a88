//! The Battle.net app's authenticator, from its shared preferences
//! (`com.blizzard.messenger` on a rooted phone or in an `adb backup`).
//!
//! Format: no published specification; the layout is the one Aegis reads
//! (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/BattleNetImporter.java>).
//! When `…AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE` is `MASK`,
//! `…AUTHENTICATOR_DEVICE_SECRET` and `…AUTHENTICATOR_SERIAL` are hex
//! whose bytes are XORed with a fixed mask built into the app; once unmasked,
//! the first is the secret written as hex text and the second the serial
//! ("US-2211-2050-3346"). This is obfuscation, not encryption: no password.
//!
//! What it cannot carry: the format holds one account and nothing about
//! it but the secret and serial. Battle.net codes are TOTP, SHA1, 8 digits,
//! 30 s; the issuer is "Battle.net" and the name the serial. Another
//! encryption type (the app may use the Android keystore) is refused as
//! unsupported: the key would be on the phone, not in the file.

use tessera_otp::Secret;
use zeroize::Zeroizing;

use super::android_prefs;
use crate::entry::{Entry, EntryError, ImportReport, RawAccount};
use crate::error::ImportError;
use crate::password::Password;
use crate::registry::{check_len, Confidence, Importer};

const FORMAT: &str = "Battle.net authenticator";

const ENCRYPTION_TYPE: &str = "AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE";
const DEVICE_SECRET: &str = "AUTHENTICATOR_DEVICE_SECRET";
const SERIAL: &str = "AUTHENTICATOR_SERIAL";

/// The app's fixed XOR mask, as hex.
const MASK_HEX: &str = "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6\
                        c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a";

/// Reads the Battle.net app's shared preferences.
#[derive(Debug, Clone, Copy, Default)]
pub struct BattleNetImporter;

impl Importer for BattleNetImporter {
    fn id(&self) -> &'static str {
        "battle-net"
    }

    fn name(&self) -> &'static str {
        "Battle.net authenticator (Android shared preferences)"
    }

    fn detect(&self, bytes: &[u8]) -> Confidence {
        match android_prefs::sniff(bytes) {
            Some(prefs)
                if prefs.string_ending(DEVICE_SECRET).is_some()
                    && prefs.string_ending(SERIAL).is_some() =>
            {
                Confidence::Certain
            }
            _ => Confidence::No,
        }
    }

    fn import(
        &self,
        bytes: &[u8],
        _password: Option<&Password>,
    ) -> Result<ImportReport, ImportError> {
        check_len(bytes)?;
        let prefs = android_prefs::parse(FORMAT, bytes)?;
        let (Some(secret), Some(serial)) = (
            prefs.string_ending(DEVICE_SECRET),
            prefs.string_ending(SERIAL),
        ) else {
            return Err(ImportError::NotThisFormat {
                format: "a Battle.net authenticator file",
                reason: "it has no device secret and serial".into(),
            });
        };
        match prefs.string_ending(ENCRYPTION_TYPE) {
            None | Some("MASK") => {}
            Some(_) => {
                return Err(ImportError::Unsupported {
                    format: FORMAT,
                    what: "credentials encrypted with a key kept on the phone".into(),
                })
            }
        }
        let serial = unmask(serial).ok_or_else(|| corrupt("the serial"))?;
        let serial = String::from_utf8(serial.to_vec()).map_err(|_| corrupt("the serial"))?;
        let secret_hex = unmask(secret).ok_or_else(|| corrupt("the device secret"))?;
        let mut report = ImportReport::default();
        let mut raw = RawAccount::new("Battle.net", serial);
        raw.digits = 8;
        let label = raw.label();
        let secret = std::str::from_utf8(&secret_hex)
            .ok()
            .and_then(|hex| Secret::from_hex(hex).ok())
            .ok_or_else(|| "the unmasked secret is not hex".to_owned())
            .and_then(|secret| raw.into_enrollment(secret));
        report.push(secret.map(Entry::new).map_err(|message| EntryError {
            index: 0,
            label,
            message,
        }));
        Ok(report)
    }
}

fn corrupt(what: &str) -> ImportError {
    ImportError::Corrupt {
        format: FORMAT,
        reason: format!("{what} is not masked hex of a possible length"),
    }
}

/// Hex-decodes `text` and XORs it with the mask; `None` when it is not
/// hex or longer than the mask.
fn unmask(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mask = crate::crypto::hex_decode(MASK_HEX)?;
    let bytes = Zeroizing::new(crate::crypto::hex_decode(text.trim())?);
    if bytes.is_empty() || bytes.len() > mask.len() {
        return None;
    }
    Some(Zeroizing::new(
        bytes.iter().zip(&mask).map(|(b, m)| b ^ m).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{hex_decode, hex_encode};
    use crate::formats::android_prefs::write_prefs;

    const PREFIX: &str = "com.blizzard.messenger.";

    fn mask(plain: &[u8]) -> String {
        let mask = hex_decode(MASK_HEX).unwrap();
        hex_encode(
            &plain
                .iter()
                .zip(&mask)
                .map(|(p, m)| p ^ m)
                .collect::<Vec<_>>(),
        )
    }

    fn file(kind: &str, secret: &str, serial: &str) -> String {
        write_prefs(&[
            (&format!("{PREFIX}{ENCRYPTION_TYPE}"), kind),
            (&format!("{PREFIX}{DEVICE_SECRET}"), secret),
            (&format!("{PREFIX}{SERIAL}"), serial),
        ])
    }

    #[test]
    fn unmasks_the_secret_and_serial() {
        let xml = file(
            "MASK",
            &mask(b"0b0d1bbcc5046102f0cc9eba904d7aae16038c28"),
            &mask(b"EU-1234-5678-9012"),
        );
        assert_eq!(hex_decode(MASK_HEX).unwrap().len(), 57);
        assert_eq!(
            BattleNetImporter.detect(xml.as_bytes()),
            Confidence::Certain
        );
        let report = BattleNetImporter.import(xml.as_bytes(), None).unwrap();
        let enrollment = &report.entries[0].enrollment;
        assert_eq!(
            enrollment.secret.to_base32().as_str(),
            "BMGRXPGFARQQF4GMT25JATL2VYLAHDBI"
        );
        assert_eq!(
            (enrollment.issuer.as_str(), enrollment.name.as_str()),
            ("Battle.net", "EU-1234-5678-9012")
        );
        assert_eq!(
            (enrollment.params.digits, enrollment.params.period),
            (8, 30)
        );
    }

    #[test]
    fn refuses_other_encryption_and_bad_hex() {
        let xml = file("KEYSTORE", "00", "00");
        assert!(matches!(
            BattleNetImporter.import(xml.as_bytes(), None),
            Err(ImportError::Unsupported { .. })
        ));
        let xml = file("MASK", &mask(b"0b0d"), "zz");
        assert!(matches!(
            BattleNetImporter.import(xml.as_bytes(), None),
            Err(ImportError::Corrupt { .. })
        ));
        let too_long = "00".repeat(58);
        let xml = file("MASK", &too_long, &mask(b"US-1"));
        assert!(matches!(
            BattleNetImporter.import(xml.as_bytes(), None),
            Err(ImportError::Corrupt { .. })
        ));
        let xml = file("MASK", &mask(b"not hex!"), &mask(b"US-1"));
        let report = BattleNetImporter.import(xml.as_bytes(), None).unwrap();
        assert_eq!(report.errors.len(), 1);
        assert!(!report.errors[0].message.contains("not hex!"));
        let other = write_prefs(&[("tokenOrder", "[]")]);
        assert_eq!(BattleNetImporter.detect(other.as_bytes()), Confidence::No);
    }
}
