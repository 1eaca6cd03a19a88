//! The committed seed corpus, run through each fuzz target's body on every
//! `cargo test --manifest-path fuzz/Cargo.toml`: a cheap check that the
//! targets still accept their seeds (and that the regression inputs kept
//! there from past findings still pass) without cargo-fuzz or nightly.

use std::path::{Path, PathBuf};

use tessera_fuzz::{files_under, FUZZ_PASSWORD, TARGETS};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn run_seeds(name: &str) {
    let (_, target) = TARGETS
        .iter()
        .find(|(target, _)| *target == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    let files = files_under(&corpus().join(name));
    assert!(!files.is_empty(), "corpus/{name} has no seeds");
    for file in files {
        let data = std::fs::read(&file).unwrap();
        eprintln!("{}", file.display());
        target(&data);
    }
}

/// One test per target, so they run in parallel and fail by name.
macro_rules! seeds {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_seeds(stringify!($name));
            }
        )*

        #[test]
        fn every_target_has_a_test_a_file_and_a_corpus() {
            let tested = [$(stringify!($name)),*];
            let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
            assert_eq!(names, tested, "TARGETS and the tests here differ");
            let manifest = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
            )
            .unwrap();
            for name in &names {
                let file = format!("fuzz_targets/{name}.rs");
                assert!(manifest.contains(&format!("path = \"{file}\"")), "{file} is not a [[bin]]");
                assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(&file).is_file(), "{file}");
            }
            for folder in files_under(&corpus()).iter().filter_map(|f| {
                f.strip_prefix(corpus()).ok()?.components().next().map(|c| {
                    c.as_os_str().to_string_lossy().into_owned()
                })
            }) {
                assert!(names.contains(&folder.as_str()), "corpus/{folder} has no target");
            }
        }
    };
}

seeds!(
    otpauth_uri,
    base32_secret,
    migration_payload,
    vault_file,
    vault_contents,
    import_tessera_backup,
    import_aegis,
    import_2fas,
    import_bitwarden,
    import_freeotp_plus,
    import_steam,
    import_proton,
    import_google_migration,
    import_otpauth_uris,
    import_andotp,
    import_detect,
    import_kdbx,
    import_freeotp2,
    import_zip_formats,
    import_sqlite_formats,
    import_android_prefs,
    recovery_block,
    qr_image,
);

/// The seeds are what their names say: every importer seed imports with
/// its importer and holds accounts (except `refused-*` ones, kept for the
/// paths that refuse), every vault seed opens, every QR seed decodes. A
/// seed that stopped reading would quietly cost the fuzzer its depth.
#[test]
fn seeds_are_valid_inputs() {
    let importers = [
        ("import_tessera_backup", "tessera"),
        ("import_aegis", "aegis"),
        ("import_2fas", "2fas"),
        ("import_bitwarden", "bitwarden"),
        ("import_freeotp_plus", "freeotp-plus"),
        ("import_steam", "steam"),
        ("import_proton", "proton"),
        ("import_google_migration", "google-migration"),
        ("import_otpauth_uris", "otpauth-uris"),
        ("import_andotp", "andotp"),
        ("import_kdbx", "kdbx"),
        ("import_freeotp2", "freeotp2"),
    ];
    let password = tessera_transfer::Password::from(FUZZ_PASSWORD);
    for (target, id) in importers {
        let importer = tessera_core::formats::importer(id).unwrap();
        for file in seed_files(target) {
            let data = std::fs::read(&file).unwrap();
            let report = importer
                .import(&data, Some(&password))
                .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            assert!(!report.entries.is_empty(), "{}", file.display());
        }
    }
    // The targets that hand each input to several importers: every seed
    // imports, with accounts, in one of them.
    let groups: [(&str, &[&str]); 3] = [
        (
            "import_zip_formats",
            &[
                "1password-1pux",
                "proton-pass",
                "winauth",
                "authenticator-plus",
            ],
        ),
        (
            "import_sqlite_formats",
            &[
                "google-authenticator-db",
                "microsoft-authenticator",
                "stratum-db",
                "authenticator-plus",
            ],
        ),
        (
            "import_android_prefs",
            &["authy", "freeotp", "battle-net", "totp-authenticator"],
        ),
    ];
    for (target, ids) in groups {
        for file in seed_files(target) {
            let data = std::fs::read(&file).unwrap();
            let imported = ids.iter().any(|id| {
                tessera_core::formats::importer(id)
                    .unwrap()
                    .import(&data, Some(&password))
                    .is_ok_and(|report| !report.entries.is_empty())
            });
            assert!(imported, "{} imports in none of {ids:?}", file.display());
        }
    }
    let password = tessera_vault::Password::from(FUZZ_PASSWORD);
    for file in seed_files("vault_file") {
        tessera_vault::UnlockedVault::open_with_password(&file, &password)
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
    }
    for file in seed_files("qr_image") {
        let data = std::fs::read(&file).unwrap();
        let codes = match data[0] {
            0 => tessera_scan::decode(
                &tessera_scan::load_image_bytes(&data[1..], &Default::default()).unwrap(),
            ),
            1 => {
                let width = u32::from(data[1]) + 1;
                let pixels = data[2..].to_vec();
                let height = pixels.len() as u32 / width;
                tessera_scan::decode_luma(
                    &image::GrayImage::from_raw(width, height, pixels).unwrap(),
                )
            }
            _ => continue,
        };
        assert_eq!(codes.len(), 1, "{}", file.display());
    }
}

/// A target's seeds, without the `refused-*` and `regression-*` inputs.
fn seed_files(target: &str) -> Vec<PathBuf> {
    files_under(&corpus().join(target))
        .into_iter()
        .filter(|file| {
            let name = file.file_name().unwrap().to_string_lossy();
            !name.starts_with("refused-") && !name.starts_with("regression-")
        })
        .collect()
}
