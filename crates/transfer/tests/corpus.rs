//! Acceptance against the shared corpus of real exports written by other
//! authenticators (Aegis's importer test files; see `EXPECTED.md` there).
//!
//! Each fixture must import, through format detection, to exactly the
//! entries `EXPECTED.md` lists: the canonical test vectors V1..V8 below,
//! with that file's documented adjustments, and nothing else, without a
//! single per-entry error. Unchanged vectors must also produce the
//! reference codes. The corpus is GPL test data kept outside this
//! repository; when it is absent the test says it was skipped and passes.

use std::path::PathBuf;

use tessera_otp::{Algorithm, Enrollment, OtpKind, OtpParams, Secret};
use tessera_transfer::{import, importers, Entry, ImportError, Password};

/// One of the corpus's canonical accounts (`EXPECTED.md`, "The 8 test
/// vectors") with its reference codes: (time or counter, code).
struct Vector {
    id: &'static str,
    kind: OtpKind,
    issuer: &'static str,
    name: &'static str,
    secret: &'static str,
    algorithm: Algorithm,
    digits: u8,
    /// Period for TOTP/Steam, counter for HOTP.
    period_or_counter: u64,
    codes: [(u64, &'static str); 2],
}

const VECTORS: &[Vector] = &[
    Vector {
        id: "V1",
        kind: OtpKind::Totp,
        issuer: "Deno",
        name: "Mason",
        secret: "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        algorithm: Algorithm::Sha1,
        digits: 6,
        period_or_counter: 30,
        codes: [(59, "526156"), (1111111109, "779027")],
    },
    Vector {
        id: "V2",
        kind: OtpKind::Totp,
        issuer: "SPDX",
        name: "James",
        secret: "5OM4WOOGPLQEF6UGN3CPEOOLWU",
        algorithm: Algorithm::Sha256,
        digits: 7,
        period_or_counter: 20,
        codes: [(59, "1119156"), (1111111109, "0114821")],
    },
    Vector {
        id: "V3",
        kind: OtpKind::Totp,
        issuer: "Airbnb",
        name: "Elijah",
        secret: "7ELGJSGXNCCTV3O6LKJWYFV2RA",
        algorithm: Algorithm::Sha512,
        digits: 8,
        period_or_counter: 50,
        codes: [(59, "11712489"), (1111111109, "28091456")],
    },
    Vector {
        id: "V4",
        kind: OtpKind::Hotp,
        issuer: "Issuu",
        name: "James",
        secret: "YOOMIXWS5GN6RTBPUFFWKTW5M4",
        algorithm: Algorithm::Sha1,
        digits: 6,
        period_or_counter: 1,
        codes: [(0, "807647"), (1, "253717")],
    },
    Vector {
        id: "V5",
        kind: OtpKind::Hotp,
        issuer: "Air Canada",
        name: "Benjamin",
        secret: "KUVJJOM753IHTNDSZVCNKL7GII",
        algorithm: Algorithm::Sha256,
        digits: 7,
        period_or_counter: 50,
        codes: [(0, "6286968"), (50, "4444976")],
    },
    Vector {
        id: "V6",
        kind: OtpKind::Hotp,
        issuer: "WWE",
        name: "Mason",
        secret: "5VAML3X35THCEBVRLV24CGBKOY",
        algorithm: Algorithm::Sha512,
        digits: 8,
        period_or_counter: 10300,
        codes: [(0, "49609439"), (10300, "24622277")],
    },
    Vector {
        id: "V7",
        kind: OtpKind::Steam,
        issuer: "Boeing",
        name: "Sophia",
        secret: "JRZCL47CMXVOQMNPZR2F7J4RGI",
        algorithm: Algorithm::Sha1,
        digits: 5,
        period_or_counter: 30,
        codes: [(59, "9WW3X"), (1111111109, "T73T6")],
    },
    Vector {
        id: "V8",
        kind: OtpKind::Totp,
        issuer: "Battle.net",
        name: "US-2211-2050-3346",
        secret: "BMGRXPGFARQQF4GMT25JATL2VYLAHDBI",
        algorithm: Algorithm::Sha1,
        digits: 8,
        period_or_counter: 30,
        codes: [(59, "60168128"), (1111111109, "25265542")],
    },
];

impl Vector {
    /// The vector as an imported entry: no note, not a favourite, no tags.
    fn entry(&self) -> Entry {
        let params = match self.kind {
            OtpKind::Hotp => OtpParams {
                algorithm: self.algorithm,
                digits: self.digits,
                ..OtpParams::hotp(self.period_or_counter)
            },
            OtpKind::Steam => OtpParams::steam(),
            OtpKind::Totp => OtpParams {
                algorithm: self.algorithm,
                digits: self.digits,
                period: self.period_or_counter,
                ..OtpParams::totp()
            },
        };
        Entry::new(Enrollment {
            issuer: self.issuer.into(),
            name: self.name.into(),
            secret: Secret::from_base32(self.secret).unwrap(),
            params,
        })
    }

    /// Checks the reference codes against an imported entry.
    fn check_codes(&self, entry: &Entry, file: &str) {
        for (moving_factor, expected) in self.codes {
            let code = match self.kind {
                OtpKind::Hotp => {
                    let mut enrollment = entry.enrollment.clone();
                    enrollment.params.counter = moving_factor;
                    enrollment.code_at(0).unwrap()
                }
                _ => entry.enrollment.code_at(moving_factor).unwrap(),
            };
            assert_eq!(
                code.as_str(),
                expected,
                "{file}: {} at {moving_factor}",
                self.id
            );
        }
    }
}

/// A per-file adjustment of a vector, as `EXPECTED.md` lists it.
type Adjust = fn(&Vector, &mut Entry);

/// Unchanged: the imported entry must equal the vector (codes checked too).
const UNCHANGED: Option<Adjust> = None;

/// One fixture and what it must import to.
struct Case {
    file: &'static str,
    password: Option<&'static str>,
    importer: &'static str,
    vectors: &'static [&'static str],
    adjust: Option<Adjust>,
}

const V1_V7: &[&str] = &["V1", "V2", "V3", "V4", "V5", "V6", "V7"];
const V1_V6: &[&str] = &["V1", "V2", "V3", "V4", "V5", "V6"];

fn as_default_totp(_: &Vector, entry: &mut Entry) {
    entry.enrollment.params = OtpParams::totp();
}

fn as_totp_keeping_algorithm_and_digits(vector: &Vector, entry: &mut Entry) {
    let params = &mut entry.enrollment.params;
    params.kind = OtpKind::Totp;
    params.counter = 0;
    params.period = if vector.kind == OtpKind::Hotp {
        30
    } else {
        vector.period_or_counter
    };
}

fn name_repeats_issuer(vector: &Vector, entry: &mut Entry) {
    entry.enrollment.name = format!("{}:{}", vector.issuer, vector.name);
}

fn hotp_counter_one_less(vector: &Vector, entry: &mut Entry) {
    if vector.kind == OtpKind::Hotp {
        entry.enrollment.params.counter -= 1;
    }
}

fn bitwarden_steam_item(vector: &Vector, entry: &mut Entry) {
    // Only the secret is given; the rest comes from the Bitwarden item
    // ("Test Steam", no username), as the module documents.
    if vector.kind == OtpKind::Steam {
        entry.enrollment.issuer = "Test Steam".into();
        entry.enrollment.name = String::new();
    }
}

fn old_aegis_groups(vector: &Vector, entry: &mut Entry) {
    match vector.id {
        "V1" | "V3" => entry.tags = vec!["group1".into()],
        "V4" => entry.tags = vec!["group2".into()],
        _ => {}
    }
}

fn steam_issuer_and_revocation_code(_: &Vector, entry: &mut Entry) {
    // The maFile names no issuer but Steam; Tessera keeps the revocation
    // code, which Aegis drops, as the note.
    entry.enrollment.issuer = "Steam".into();
    entry.notes = "Steam revocation code: R1234".into();
}

const CASES: &[Case] = &[
    Case {
        file: "plain.txt",
        password: None,
        importer: "otpauth-uris",
        vectors: V1_V7,
        adjust: UNCHANGED,
    },
    Case {
        file: "ente_auth.txt",
        password: None,
        importer: "otpauth-uris",
        vectors: V1_V7,
        adjust: UNCHANGED,
    },
    Case {
        file: "aegis_plain.json",
        password: None,
        importer: "aegis",
        vectors: V1_V7,
        adjust: UNCHANGED,
    },
    Case {
        file: "aegis_encrypted.json",
        password: Some("test"),
        importer: "aegis",
        vectors: V1_V7,
        adjust: UNCHANGED,
    },
    Case {
        file: "extra/vault/aegis_plain_grouped_v2.json",
        password: None,
        importer: "aegis",
        vectors: V1_V7,
        adjust: Some(old_aegis_groups),
    },
    Case {
        file: "andotp_plain.json",
        password: None,
        importer: "andotp",
        vectors: V1_V7,
        adjust: UNCHANGED,
    },
    Case {
        file: "andotp_encrypted.bin",
        password: Some("test"),
        importer: "andotp",
        vectors: V1_V7,
        adjust: UNCHANGED,
    },
    Case {
        file: "andotp_encrypted_old.bin",
        password: Some("test"),
        importer: "andotp",
        vectors: V1_V6,
        adjust: Some(name_repeats_issuer),
    },
    Case {
        file: "2fas_authenticator.json",
        password: None,
        importer: "2fas",
        vectors: V1_V6,
        adjust: Some(as_default_totp),
    },
    Case {
        file: "2fas_authenticator_plain.2fas",
        password: None,
        importer: "2fas",
        vectors: &["V1", "V3", "V4", "V6"],
        adjust: Some(as_totp_keeping_algorithm_and_digits),
    },
    Case {
        file: "2fas_authenticator_encrypted.2fas",
        password: Some("test"),
        importer: "2fas",
        vectors: &["V1", "V3", "V4", "V6"],
        adjust: Some(as_totp_keeping_algorithm_and_digits),
    },
    Case {
        file: "2fas_authenticator_plain_v3.2fas",
        password: None,
        importer: "2fas",
        vectors: V1_V6,
        adjust: UNCHANGED,
    },
    Case {
        file: "2fas_authenticator_encrypted_v3.2fas",
        password: Some("test"),
        importer: "2fas",
        vectors: V1_V6,
        adjust: UNCHANGED,
    },
    Case {
        file: "2fas_authenticator_plain_v4.2fas",
        password: None,
        importer: "2fas",
        vectors: &["V1", "V4", "V5", "V6", "V7"],
        adjust: UNCHANGED,
    },
    Case {
        file: "2fas_authenticator_encrypted_v4.2fas",
        password: Some("test"),
        importer: "2fas",
        vectors: &["V1", "V4", "V5", "V6", "V7"],
        adjust: UNCHANGED,
    },
    Case {
        file: "bitwarden.json",
        password: None,
        importer: "bitwarden",
        vectors: &["V1", "V2", "V3", "V7"],
        adjust: Some(bitwarden_steam_item),
    },
    Case {
        file: "proton_authenticator.json",
        password: None,
        importer: "proton",
        vectors: &["V1", "V2", "V3"],
        adjust: UNCHANGED,
    },
    Case {
        file: "steam.json",
        password: None,
        importer: "steam",
        vectors: &["V7"],
        adjust: Some(steam_issuer_and_revocation_code),
    },
    Case {
        file: "steam_old.json",
        password: None,
        importer: "steam",
        vectors: &["V7"],
        adjust: Some(steam_issuer_and_revocation_code),
    },
    Case {
        file: "freeotp_plus.json",
        password: None,
        importer: "freeotp-plus",
        vectors: V1_V6,
        adjust: Some(hotp_counter_one_less),
    },
];

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("TESSERA_IMPORT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpora/importers/aegis-tests"),
    };
    dir.join("EXPECTED.md").is_file().then_some(dir)
}

fn vector(id: &str) -> &'static Vector {
    VECTORS.iter().find(|v| v.id == id).unwrap()
}

#[test]
fn every_corpus_fixture_imports_to_exactly_the_expected_entries() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: the shared importer corpus is not present");
        return;
    };
    for case in CASES {
        let bytes = std::fs::read(dir.join(case.file)).unwrap();
        let password = case.password.map(Password::from);
        let (importer, report) = import(&bytes, password.as_ref())
            .unwrap_or_else(|error| panic!("{}: {error}", case.file));
        assert_eq!(importer.id(), case.importer, "{}: detected as", case.file);
        assert!(
            report.errors.is_empty(),
            "{}: {:?}",
            case.file,
            report.errors
        );
        assert_eq!(
            report.entries.len(),
            case.vectors.len(),
            "{}: entry count",
            case.file
        );
        for id in case.vectors {
            let vector = vector(id);
            let mut expected = vector.entry();
            if let Some(adjust) = case.adjust {
                adjust(vector, &mut expected);
            }
            let matches: Vec<&Entry> = report
                .entries
                .iter()
                .filter(|e| e.enrollment.secret == expected.enrollment.secret)
                .collect();
            assert_eq!(
                matches.len(),
                1,
                "{}: {id} found {} times",
                case.file,
                matches.len()
            );
            assert_eq!(*matches[0], expected, "{}: {id}", case.file);
            if case.adjust.is_none() {
                vector.check_codes(matches[0], case.file);
            }
        }
        println!("{}: {} entries as expected", case.file, case.vectors.len());
    }
}

#[test]
fn encrypted_corpus_fixtures_refuse_missing_and_wrong_passwords() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: the shared importer corpus is not present");
        return;
    };
    let wrong = Password::from("not the password");
    for case in CASES.iter().filter(|c| c.password.is_some()) {
        let bytes = std::fs::read(dir.join(case.file)).unwrap();
        let Err(error) = import(&bytes, None) else {
            panic!("{}: imported without a password", case.file);
        };
        assert!(
            matches!(error, ImportError::PasswordRequired { .. }),
            "{}: {error:?}",
            case.file
        );
        let Err(error) = import(&bytes, Some(&wrong)) else {
            panic!("{}: imported with a wrong password", case.file);
        };
        assert!(
            matches!(
                error,
                ImportError::WrongPassword { .. }
                    | ImportError::WrongPasswordOrDamaged { .. }
                    // andOTP's old form, whose nonce reads as an absurd
                    // iteration count: the message names both readings.
                    | ImportError::KdfParamsTooExpensive { .. }
            ),
            "{}: {error:?}",
            case.file
        );
    }
}

#[test]
fn truncated_corpus_fixtures_give_errors_not_entries() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: the shared importer corpus is not present");
        return;
    };
    for case in CASES {
        let bytes = std::fs::read(dir.join(case.file)).unwrap();
        let password = case.password.map(Password::from);
        let importer = importers()
            .iter()
            .find(|i| i.id() == case.importer)
            .unwrap();
        let half = &bytes[..bytes.len() / 2];
        match importer.import(half, password.as_ref()) {
            // A text list cut in half loses lines and may cut one URI in
            // two: that URI must be an error, not a changed account.
            Ok(report) if case.importer == "otpauth-uris" => {
                assert!(report.entries.len() < case.vectors.len(), "{}", case.file);
                assert!(report.errors.len() <= 1, "{}", case.file);
            }
            Ok(report) => panic!("{}: half a file gave {:?}", case.file, report.entries.len()),
            Err(error) => {
                let message = error.to_string();
                assert!(!message.is_empty());
                println!("{}: {message}", case.file);
            }
        }
    }
}
