//! The round trips the issue asks for, through the public API only: what
//! the target format can carry must come back unchanged.

use tessera_otp::{Algorithm, Enrollment, OtpParams, Secret};
use tessera_transfer::{exporter, google_migration, import, Entry, Password};

/// Accounts of every kind, with the extras Tessera keeps.
fn accounts() -> Vec<Entry> {
    let secret = |text| Secret::from_base32(text).unwrap();
    let mut github = Entry::new(Enrollment {
        issuer: "GitHub".into(),
        name: "alice@example.com".into(),
        secret: secret("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
        params: OtpParams::totp(),
    });
    github.notes = "recovery codes in the safe".into();
    github.favourite = true;
    github.tags = vec!["work".into(), "code".into()];
    let mut bank = Entry::new(Enrollment {
        issuer: "Zürich Bank: Private".into(),
        name: "alice".into(),
        secret: secret("7ELGJSGXNCCTV3O6LKJWYFV2RA"),
        params: OtpParams {
            algorithm: Algorithm::Sha512,
            digits: 8,
            ..OtpParams::totp()
        },
    });
    bank.tags = vec!["money".into()];
    let counter = Entry::new(Enrollment {
        issuer: "Issuu".into(),
        name: "james".into(),
        secret: secret("YOOMIXWS5GN6RTBPUFFWKTW5M4"),
        params: OtpParams::hotp(10300),
    });
    let no_issuer = Entry::new(Enrollment {
        issuer: String::new(),
        name: "plain".into(),
        secret: secret("JBSWY3DPEHPK3PXP"),
        params: OtpParams::totp(),
    });
    let spdx = Entry::new(Enrollment {
        issuer: "SPDX".into(),
        name: "James".into(),
        secret: secret("5OM4WOOGPLQEF6UGN3CPEOOLWU"),
        params: OtpParams {
            algorithm: Algorithm::Sha256,
            digits: 7,
            period: 20,
            ..OtpParams::totp()
        },
    });
    let steam = Entry::new(Enrollment {
        issuer: "Steam".into(),
        name: "sophia".into(),
        secret: secret("JRZCL47CMXVOQMNPZR2F7J4RGI"),
        params: OtpParams::steam(),
    });
    vec![github, bank, counter, no_issuer, spdx, steam]
}

#[test]
fn tessera_to_encrypted_aegis_and_back_loses_nothing() {
    let password = Password::from("aegis export");
    let output = exporter("aegis")
        .unwrap()
        .export(&accounts(), Some(&password))
        .unwrap();
    assert!(output.encrypted && output.skipped.is_empty());
    let (importer, report) = import(&output.bytes, Some(&password)).unwrap();
    assert_eq!(importer.id(), "aegis");
    assert!(report.errors.is_empty());
    assert_eq!(report.entries, accounts());
}

#[test]
fn tessera_to_google_qr_codes_and_back_keeps_what_google_can_hold() {
    let export = google_migration::export(&accounts()).unwrap();
    // The 7-digit, 20-second account and the Steam one do not fit the
    // format; they are listed, not dropped in silence.
    let skipped: Vec<&str> = export.skipped.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(skipped, vec!["SPDX: James", "Steam: sophia"]);
    let caveats: Vec<&str> = export.caveats.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(caveats, vec!["Zürich Bank: Private: alice"]);

    // Scan every QR image, then import what the scanner read.
    let mut scanned = String::new();
    for batch in &export.batches {
        let png = batch.qr_png().unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&png[..]));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let (width, height) = (info.width as usize, info.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            pixels[y * width + x]
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        scanned.push_str(&grids[0].decode().unwrap().1);
        scanned.push('\n');
    }
    let (importer, report) = import(scanned.as_bytes(), None).unwrap();
    assert_eq!(importer.id(), "google-migration");
    assert!(report.errors.is_empty());
    // Google's format has no notes, favourites or tags.
    let expected: Vec<Entry> = accounts()
        .into_iter()
        .enumerate()
        .filter(|(index, _)| {
            export
                .batches
                .iter()
                .any(|b| b.entry_indices.contains(index))
        })
        .map(|(_, entry)| Entry::new(entry.enrollment))
        .collect();
    assert_eq!(expected.len(), 4);
    assert_eq!(report.entries, expected);
}

#[test]
fn plain_uri_list_round_trip_keeps_every_account() {
    let output = exporter("otpauth-uris")
        .unwrap()
        .export(&accounts(), None)
        .unwrap();
    assert!(!output.encrypted);
    assert!(output.warnings[0].contains("not encrypted"));
    let (_, report) = import(&output.bytes, None).unwrap();
    let expected: Vec<Entry> = accounts()
        .into_iter()
        .map(|e| Entry::new(e.enrollment))
        .collect();
    assert_eq!(report.entries, expected);
}
