//! `tessera gen` against oathtool, the reference testers know: the RFC
//! vectors, thousands of random secrets, times, digits, periods and
//! algorithms, and every kind of bad input.

use serde_json::Value;

use crate::util::{base32, hex, peer, stdout_ok, tessera, SplitMix64};

const ALGORITHMS: [&str; 3] = ["sha1", "sha256", "sha512"];

/// The arguments oathtool takes for one case.
fn oathtool_args(case: &Case) -> Vec<String> {
    let mut args = vec![format!("--digits={}", case.digits)];
    match case.moment {
        Moment::Counter(counter) => {
            // oathtool's HOTP is HMAC-SHA1 only; random HOTP cases use SHA1.
            assert_eq!(
                case.algorithm, "sha1",
                "oathtool cannot check HOTP with {}",
                case.algorithm
            );
            args.push("--hotp".to_owned());
            args.push(format!("--counter={counter}"));
        }
        Moment::Time(time) => {
            args.push(format!("--totp={}", case.algorithm));
            args.push(format!("--time-step-size={}s", case.period));
            args.push(format!("--now=@{time}"));
        }
    }
    args.push(hex(&case.secret));
    args
}

/// The arguments `tessera gen` takes for the same case: base32 by default, as
/// users paste it, hex when asked.
fn tessera_args(case: &Case, as_hex: bool) -> Vec<String> {
    let secret = if as_hex {
        hex(&case.secret)
    } else {
        base32(&case.secret)
    };
    let mut args = vec![
        "gen".to_owned(),
        "--secret".to_owned(),
        secret,
        "--digits".to_owned(),
        case.digits.to_string(),
        "--algorithm".to_owned(),
        case.algorithm.to_owned(),
    ];
    if as_hex {
        args.push("--hex".to_owned());
    }
    match case.moment {
        Moment::Counter(counter) => args.extend(["--counter".to_owned(), counter.to_string()]),
        Moment::Time(time) => args.extend([
            "--time".to_owned(),
            time.to_string(),
            "--period".to_owned(),
            case.period.to_string(),
        ]),
    }
    args
}

#[derive(Debug, Clone, Copy)]
enum Moment {
    Counter(u64),
    Time(u64),
}

#[derive(Debug, Clone)]
struct Case {
    secret: Vec<u8>,
    algorithm: &'static str,
    digits: u8,
    period: u64,
    moment: Moment,
}

fn run_tessera(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    stdout_ok(&tessera(&args), "tessera gen")
}

fn run_oathtool(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    stdout_ok(&peer("oathtool", &args), "oathtool")
}

/// The RFC 4226 Appendix D (HOTP) and RFC 6238 Appendix B (TOTP) vectors
/// with the code each gives, from tessera-otp's data files (the one copy).
fn rfc_vectors() -> Vec<(Case, String)> {
    let hotp: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/otp/tests/data/rfc4226.json"
    )))
    .unwrap();
    let totp: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/otp/tests/data/rfc6238.json"
    )))
    .unwrap();
    let algorithm = |name: &Value| {
        let name = name.as_str().unwrap().to_ascii_lowercase();
        ALGORITHMS.into_iter().find(|a| *a == name).unwrap()
    };
    let secret_hex = hotp["secret_hex"].as_str().unwrap();
    let secret: Vec<u8> = (0..secret_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&secret_hex[i..i + 2], 16).unwrap())
        .collect();
    let mut vectors = Vec::new();
    for vector in hotp["vectors"].as_array().unwrap() {
        let case = Case {
            secret: secret.clone(),
            algorithm: algorithm(&hotp["algorithm"]),
            digits: hotp["digits"].as_u64().unwrap() as u8,
            period: 30,
            moment: Moment::Counter(vector["counter"].as_u64().unwrap()),
        };
        vectors.push((case, vector["hotp"].as_str().unwrap().to_owned()));
    }
    for vector in totp["vectors"].as_array().unwrap() {
        let algorithm = algorithm(&vector["algorithm"]);
        let case = Case {
            secret: totp["seeds"][algorithm]["ascii"]
                .as_str()
                .unwrap()
                .as_bytes()
                .to_vec(),
            algorithm,
            digits: totp["digits"].as_u64().unwrap() as u8,
            period: totp["period"].as_u64().unwrap(),
            moment: Moment::Time(vector["time"].as_u64().unwrap()),
        };
        vectors.push((case, vector["totp"].as_str().unwrap().to_owned()));
    }
    vectors
}

#[test]
fn rfc_vectors_match_tessera_and_oathtool() {
    let vectors = rfc_vectors();
    assert_eq!(vectors.len(), 28, "10 HOTP and 18 TOTP vectors");
    for (case, expected) in vectors {
        let expected = expected.as_str();
        for as_hex in [true, false] {
            assert_eq!(
                run_tessera(&tessera_args(&case, as_hex)),
                expected,
                "tessera, {case:?}"
            );
        }
        assert_eq!(
            run_oathtool(&oathtool_args(&case)),
            expected,
            "oathtool, {case:?}"
        );
    }
}

#[test]
fn random_secrets_times_digits_and_algorithms_match_oathtool() {
    const CASES: usize = 2000;
    let seed = 0x7E55_E7A5_u64;
    let mut rng = SplitMix64(seed);
    let cases: Vec<Case> = (0..CASES)
        .map(|_| {
            let moment = if rng.range(0, 3) == 0 {
                Moment::Counter(rng.next_u64() >> rng.range(0, 63))
            } else {
                // Up to the year 2514 (oathtool's date parser stops near there).
                Moment::Time(rng.range(0, 17_179_869_184))
            };
            Case {
                // 80-bit secrets (older services) up to 512-bit ones.
                secret: {
                    let len = rng.range(10, 64) as usize;
                    rng.bytes(len)
                },
                algorithm: match moment {
                    Moment::Counter(_) => "sha1",
                    Moment::Time(_) => ALGORITHMS[rng.range(0, 2) as usize],
                },
                // oathtool supports 6 to 8 digits; 9 and 10 are checked in crates/otp.
                digits: rng.range(6, 8) as u8,
                period: [1, 15, 30, 30, 60, 90, rng.range(1, 86_400)][rng.range(0, 6) as usize],
                moment,
            }
        })
        .collect();
    // Two workers: the machine has two cores, and each case is two processes.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(CASES / 2)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for (i, case) in chunk.iter().enumerate() {
                        let ours = run_tessera(&tessera_args(case, i % 2 == 0));
                        let theirs = run_oathtool(&oathtool_args(case));
                        if ours != theirs {
                            failures.push(format!("{case:?}: tessera {ours}, oathtool {theirs}"));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "seed {seed:#x}: {} of {CASES} cases differ, first: {}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn uri_gives_the_same_code_as_the_flags() {
    let uri = "otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60";
    let from_uri = stdout_ok(&tessera(&["gen", uri, "--time", "1234567890"]), "gen URI");
    let from_flags = stdout_ok(
        &tessera(&[
            "gen",
            "--secret",
            "gezdgnbvgy3tqojq gezdgnbvgy3tqojq",
            "--algorithm",
            "sha256",
            "--digits",
            "8",
            "--period",
            "60",
            "--time",
            "1234567890",
        ]),
        "gen flags",
    );
    assert_eq!(from_uri, from_flags);
    let oath = stdout_ok(
        &peer(
            "oathtool",
            &[
                "--totp=sha256",
                "-d",
                "8",
                "-s",
                "60s",
                "-N",
                "@1234567890",
                "3132333435363738393031323334353637383930",
            ],
        ),
        "oathtool",
    );
    assert_eq!(from_uri, oath);
}

#[test]
fn hotp_uri_takes_its_counter_and_counter_overrides_it() {
    let uri = "otpauth://hotp/Example:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=3";
    assert_eq!(stdout_ok(&tessera(&["gen", uri]), "gen"), "969429");
    assert_eq!(
        stdout_ok(&tessera(&["gen", uri, "--counter", "9"]), "gen"),
        "520489"
    );
}

#[test]
fn json_gives_code_and_validity_window() {
    let out = stdout_ok(
        &tessera(&[
            "gen",
            "--secret",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "--time",
            "59",
            "--digits",
            "8",
            "--json",
        ]),
        "gen --json",
    );
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"code": "94287082", "valid_from": 30, "valid_until": 60})
    );

    let out = stdout_ok(
        &tessera(&[
            "gen",
            "--secret",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "--counter",
            "1",
            "--json",
        ]),
        "gen --json hotp",
    );
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value, serde_json::json!({"code": "287082", "counter": 1}));
}

#[test]
fn window_lists_neighbouring_steps_and_marks_the_current_one() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let out = stdout_ok(
        &tessera(&["gen", "--secret", secret, "--counter", "2", "--window", "2"]),
        "window",
    );
    // RFC 4226 counters 0..=4.
    assert_eq!(
        out,
        "-2 755224\n-1 287082\n+0 359152 *\n+1 969429\n+2 338314"
    );

    let out = stdout_ok(
        &tessera(&["gen", "--secret", secret, "--time", "95", "--window", "1"]),
        "window",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    for (line, time) in lines.iter().zip(["65", "95", "125"]) {
        let single = stdout_ok(
            &tessera(&["gen", "--secret", secret, "--time", time]),
            "single",
        );
        assert!(
            line.contains(&single),
            "{line} should hold the code for t={time}, {single}"
        );
    }
    assert!(lines[1].ends_with(" *"));

    // Steps before 1970 do not exist: the window is cut, not wrapped.
    let out = stdout_ok(
        &tessera(&["gen", "--secret", secret, "--time", "10", "--window", "2"]),
        "window at 0",
    );
    assert_eq!(out.lines().count(), 3);
}

#[test]
fn steam_codes_are_five_characters_of_steams_alphabet() {
    let out = stdout_ok(
        &tessera(&[
            "gen",
            "--secret",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "--steam",
            "--time",
            "59",
        ]),
        "steam",
    );
    assert_eq!(out.len(), 5);
    assert!(
        out.chars()
            .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c)),
        "{out}"
    );
    let via_uri = stdout_ok(
        &tessera(&[
            "gen",
            "otpauth://totp/Steam:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&encoder=steam",
            "--time",
            "59",
        ]),
        "steam uri",
    );
    assert_eq!(out, via_uri);
}

#[test]
fn bad_input_fails_with_one_clear_line_and_never_echoes_the_secret() {
    let secret = "JBSWY3DPEHPK3PXP";
    let cases: &[(&[&str], &str)] = &[
        (&["gen"], "--secret"),
        (&["gen", "--secret", "JBSWY3DPEHPK3PX1"], "base32"),
        (&["gen", "--secret", "zz", "--hex"], "hex"),
        (&["gen", "--secret", secret, "--digits", "11"], "digits"),
        (&["gen", "--secret", secret, "--digits", "5"], "digits"),
        (&["gen", "--secret", secret, "--period", "0"], "period"),
        (&["gen", "--secret", secret, "--window", "100000"], "window"),
        (
            &["gen", "https://example.com/?secret=JBSWY3DPEHPK3PXP"],
            "otpauth",
        ),
        (&["gen", "otpauth://yotp/x?secret=JBSWY3DPEHPK3PXP"], "yotp"),
        (&["gen", "otpauth://totp/x?issuer=y"], "secret"),
        (
            &["gen", "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP"],
            "counter",
        ),
        (
            &["gen", "otpauth://totp/a%zzb?secret=JBSWY3DPEHPK3PXP"],
            "percent",
        ),
        (
            &[
                "gen",
                "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1",
                "--time",
                "5",
            ],
            "--counter",
        ),
        (
            &[
                "gen",
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
                "--counter",
                "5",
            ],
            "--time",
        ),
    ];
    for (args, expected_word) in cases {
        let output = tessera(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert!(
            stderr
                .to_lowercase()
                .contains(&expected_word.to_lowercase()),
            "{args:?}: expected the error to mention {expected_word:?}, got {stderr}"
        );
        assert!(
            !stderr.contains(secret) && !stderr.contains("JBSWY3DPEHPK3PX1"),
            "{args:?} echoed the secret: {stderr}"
        );
        // clap's usage errors carry a usage hint; ours are exactly one line.
        if !stderr.starts_with("error:") {
            assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        }
    }
}
