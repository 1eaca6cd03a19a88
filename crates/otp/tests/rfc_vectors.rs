//! The published test vectors, kept as data files beside this test so that
//! they can be read and diffed against the RFCs on their own: RFC 4226
//! Appendix D (HOTP) and RFC 6238 Appendix B (TOTP, all three hashes).

use serde::Deserialize;
use tessera_otp::{hotp, totp, uri, Algorithm, Enrollment, OtpParams, Secret};

#[derive(Deserialize)]
struct Rfc4226 {
    digits: u8,
    secret_ascii: String,
    secret_hex: String,
    secret_base32: String,
    vectors: Vec<HotpVector>,
}

#[derive(Deserialize)]
struct HotpVector {
    counter: u64,
    truncated: u32,
    hotp: String,
}

#[derive(Deserialize)]
struct Rfc6238 {
    digits: u8,
    period: u64,
    seeds: Seeds,
    vectors: Vec<TotpVector>,
}

#[derive(Deserialize)]
struct Seeds {
    sha1: Seed,
    sha256: Seed,
    sha512: Seed,
}

#[derive(Deserialize)]
struct Seed {
    ascii: String,
    base32: String,
}

#[derive(Deserialize)]
struct TotpVector {
    time: u64,
    step_hex: String,
    algorithm: Algorithm,
    totp: String,
}

fn rfc4226() -> Rfc4226 {
    serde_json::from_str(include_str!("data/rfc4226.json")).expect("rfc4226.json")
}

fn rfc6238() -> Rfc6238 {
    serde_json::from_str(include_str!("data/rfc6238.json")).expect("rfc6238.json")
}

#[test]
fn rfc4226_hotp_vectors() {
    let data = rfc4226();
    let secret = Secret::from_bytes(data.secret_ascii.into_bytes()).unwrap();
    // The three spellings of the key in the file agree.
    assert_eq!(Secret::from_hex(&data.secret_hex).unwrap(), secret);
    assert_eq!(Secret::from_base32(&data.secret_base32).unwrap(), secret);
    assert_eq!(data.vectors.len(), 10);
    for vector in &data.vectors {
        let code = hotp(&secret, Algorithm::Sha1, data.digits, vector.counter).unwrap();
        assert_eq!(code.as_str(), vector.hotp, "counter {}", vector.counter);
        // Ten digits show the whole 31-bit truncated value, zero-padded.
        let ten = hotp(&secret, Algorithm::Sha1, 10, vector.counter).unwrap();
        assert_eq!(ten.as_str(), format!("{:010}", vector.truncated));
        for digits in 6..=9u32 {
            let code = hotp(&secret, Algorithm::Sha1, digits as u8, vector.counter).unwrap();
            let expected = u64::from(vector.truncated) % 10u64.pow(digits);
            assert_eq!(
                code.as_str(),
                format!("{expected:0width$}", width = digits as usize)
            );
        }
    }
}

#[test]
fn rfc4226_vectors_through_an_hotp_uri() {
    let data = rfc4226();
    for vector in &data.vectors {
        let enrollment = uri::parse(&format!(
            "otpauth://hotp/RFC%204226:test?secret={}&counter={}",
            data.secret_base32, vector.counter
        ))
        .unwrap();
        assert_eq!(enrollment.code_at(0).unwrap().as_str(), vector.hotp);
    }
}

#[test]
fn rfc6238_totp_vectors() {
    let data = rfc6238();
    assert_eq!(data.vectors.len(), 18);
    for vector in &data.vectors {
        let seed = match vector.algorithm {
            Algorithm::Sha1 => &data.seeds.sha1,
            Algorithm::Sha256 => &data.seeds.sha256,
            Algorithm::Sha512 => &data.seeds.sha512,
        };
        let secret = Secret::from_bytes(seed.ascii.clone().into_bytes()).unwrap();
        assert_eq!(Secret::from_base32(&seed.base32).unwrap(), secret);
        let code = totp(
            &secret,
            vector.algorithm,
            data.digits,
            data.period,
            vector.time,
        )
        .unwrap();
        assert_eq!(
            code.as_str(),
            vector.totp,
            "{} at {}",
            vector.algorithm,
            vector.time
        );

        // The same through an enrollment, which also reports the step T.
        let enrollment = Enrollment {
            issuer: "RFC 6238".into(),
            name: String::new(),
            secret,
            params: OtpParams {
                algorithm: vector.algorithm,
                digits: data.digits,
                period: data.period,
                ..OtpParams::totp()
            },
        };
        let timed = enrollment.timed_code(vector.time).unwrap().unwrap();
        assert_eq!(timed.code.as_str(), vector.totp);
        assert_eq!(format!("{:016X}", timed.step), vector.step_hex);
        assert!(timed.valid_from <= vector.time && vector.time < timed.valid_until);

        // And through a URI written and read back.
        let reparsed = uri::parse(&uri::format(&enrollment)).unwrap();
        assert_eq!(reparsed.code_at(vector.time).unwrap().as_str(), vector.totp);
    }
}
