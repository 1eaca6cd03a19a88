//! The bodies of Tessera's fuzz targets, one public function per target.
//!
//! They live in a library, not in `fuzz_targets/`, so that `cargo test`
//! (tests/seeds.rs) feeds the committed seed corpus through exactly the code
//! libFuzzer runs, on stable Rust and without cargo-fuzz.
//!
//! Every function takes arbitrary bytes and must not panic, hang or allocate
//! without bound. Where a format has a writer, the function also checks the
//! round trip, as rage's targets do: whatever reads must write back and read
//! again to the same thing. Any `assert!` or `expect` failing here is a
//! finding.
//!
//! Key derivations whose cost the file sets are bounded before the call
//! (the `*_is_cheap` gates): the products' caps allow seconds of legal work
//! per file (1 GiB Argon2id, 2^24 scrypt, ten million PBKDF2 rounds), which
//! would only stall the fuzzer, and the caps have their own unit tests. An
//! input over the small bound is still parsed, without a password, so
//! everything before the key derivation keeps its coverage.

mod costs;

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use image::GrayImage;
use serde_json::Value;
use tessera_core::backup::{make_backup, read_backup};
use tessera_otp::migration::{self, SeriesCollector};
use tessera_otp::{parse_recovery_block, uri, Enrollment, RecoveryCodes, Secret, Zeroizing};
use tessera_scan::{classify, decode, decode_luma, load_image_bytes, ImageLimits, Payload};
use tessera_transfer::formats::aegis::{AegisExporter, AegisImporter};
use tessera_transfer::formats::kdbx::{KdbxExporter, KdbxImporter};
use tessera_transfer::formats::uri_list::{UriListExporter, UriListImporter};
use tessera_transfer::{google_migration, Exporter, ImportReport, Importer, Password};
use tessera_vault::{
    inspect, Contents, KdfParams, MemoryKeyStore, SlotKind, UnlockedVault, VaultError, VaultInfo,
};

/// The password of every encrypted seed file (see examples/make_seeds.rs).
pub const FUZZ_PASSWORD: &str = "fuzz";

/// A fixed time for code generation, so runs are reproducible.
const NOW: u64 = 1_700_000_000;

/// Most Argon2id work (KiB × passes) a vault or backup may ask for here:
/// four times the 64 KiB, one pass of `KdfParams::insecure_for_tests`.
const MAX_ARGON2_KIB_PASSES: u64 = 256;
/// Most scrypt work (N·r·p) an Aegis slot may ask for here (Aegis's own is
/// 2^18).
const MAX_SCRYPT_WORK: u64 = 1 << 12;
/// Most PBKDF2 rounds a file may ask for here.
const MAX_PBKDF2_ROUNDS: u64 = 1_000;
/// Largest image file decoded here: 2 megapixels (a 1920×1080 screenshot).
const MAX_FUZZ_PIXELS: u64 = 2_000_000;

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target: its name (the `fuzz_targets/*.rs` file and the
/// `corpus/` folder) and its body.
pub const TARGETS: &[(&str, Target)] = &[
    ("otpauth_uri", otpauth_uri),
    ("base32_secret", base32_secret),
    ("migration_payload", migration_payload),
    ("vault_file", vault_file),
    ("vault_contents", vault_contents),
    ("import_tessera_backup", import_tessera_backup),
    ("import_aegis", import_aegis),
    ("import_2fas", import_2fas),
    ("import_bitwarden", import_bitwarden),
    ("import_freeotp_plus", import_freeotp_plus),
    ("import_steam", import_steam),
    ("import_proton", import_proton),
    ("import_google_migration", import_google_migration),
    ("import_otpauth_uris", import_otpauth_uris),
    ("import_andotp", import_andotp),
    ("import_detect", import_detect),
    ("import_kdbx", import_kdbx),
    ("import_freeotp2", import_freeotp2),
    ("import_zip_formats", import_zip_formats),
    ("import_sqlite_formats", import_sqlite_formats),
    ("import_android_prefs", import_android_prefs),
    ("recovery_block", recovery_block),
    ("qr_image", qr_image),
];

// ---- OTP ----

/// `otpauth://` parsing: what parses must format and parse back to the same
/// account, and the written form must be a fixed point.
pub fn otpauth_uri(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = classify(&text);
    let Ok(enrollment) = uri::parse(&text) else {
        return;
    };
    check_enrollment(&enrollment);
    let written = uri::format(&enrollment);
    let again = uri::parse(&written).expect("a written URI parses");
    assert_eq!(again, enrollment, "the URI round trip changed the account");
    assert_eq!(
        *uri::format(&again),
        *written,
        "the written URI is not a fixed point"
    );
}

/// Secrets as text (base32 and hex) and as bytes: decoding and encoding
/// must agree.
pub fn base32_secret(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(secret) = Secret::from_base32(&text) {
        round_trip_secret(&secret);
    }
    if let Ok(secret) = Secret::from_hex(&text) {
        round_trip_secret(&secret);
    }
    if let Ok(secret) = Secret::from_bytes(data.to_vec()) {
        assert_eq!(secret.as_bytes(), data);
        round_trip_secret(&secret);
    }
}

fn round_trip_secret(secret: &Secret) {
    assert!(!secret.is_empty());
    let text = secret.to_base32();
    assert_eq!(text.len(), (secret.len() * 8).div_ceil(5));
    let again = Secret::from_base32(&text).expect("written base32 decodes");
    assert_eq!(&again, secret, "the base32 round trip changed the secret");
    let json = serde_json::to_string(secret).expect("a secret serialises");
    let again: Secret = serde_json::from_str(&json).expect("a serialised secret reads back");
    assert_eq!(&again, secret, "the serde round trip changed the secret");
}

/// A block of recovery codes as pasted: the codes found must be found again
/// one per line, and must go into a code list (or be refused with an error).
pub fn recovery_block(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(codes) = parse_recovery_block(&text) else {
        return;
    };
    assert!(!codes.is_empty(), "Ok with no codes");
    let joined = codes
        .iter()
        .map(|code| code.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let again = parse_recovery_block(&joined).expect("the codes found, one per line, parse");
    assert_eq!(
        strs(&again),
        strs(&codes),
        "codes one per line read differently"
    );
    let mut list = RecoveryCodes::new(false, "fuzz");
    if list.add(codes.clone(), NOW).is_err() {
        return;
    }
    let _ = list.use_code(&codes[0], NOW + 1);
    let _ = list.warnings(2);
    let json = serde_json::to_string(&list).expect("recovery codes serialise");
    let again: RecoveryCodes = serde_json::from_str(&json).expect("serialised codes read back");
    assert_eq!(again, list, "the serde round trip changed the codes");
}

/// Formats an error, so its message code runs too.
fn seen(error: impl std::fmt::Display) {
    let _ = error.to_string();
}

fn strs(codes: &[Zeroizing<String>]) -> Vec<&str> {
    codes.iter().map(|code| code.as_str()).collect()
}

/// What every account that reads must satisfy: valid parameters, so it
/// makes codes.
fn check_enrollment(enrollment: &Enrollment) {
    enrollment
        .params
        .validate()
        .expect("an account that reads has valid parameters");
    enrollment
        .code_at(NOW)
        .expect("an account that reads makes codes");
    let _ = enrollment.code_at_offset(u64::MAX, 1);
}

// ---- Google migration ----

/// Google Authenticator export codes, through the one codec
/// (`tessera_otp::migration`) and the importer and exporter built on it.
/// Input that is not an `otpauth-migration:` text is taken as the protobuf
/// payload itself and wrapped in a URI, so the fuzzer reaches the protobuf
/// reader directly. What parses must encode and parse back to the same
/// accounts; the importer must read the same accounts as the parser (it
/// only maps them) and, through the exporter, read them back again.
pub fn migration_payload(data: &[u8]) {
    let uri: Cow<str> = match std::str::from_utf8(data) {
        Ok(text) if starts_with_ignore_case(text.trim_start(), "otpauth-migration:") => text.into(),
        _ => migration::payload_uri(data).to_string().into(),
    };
    let _ = classify(&uri);
    let parsed = migration::parse(&uri);
    // The importer is the parser plus a mapping: on one line (the parser
    // skips line breaks inside base64, the importer reads lines), it reads
    // a code exactly when the parser does, and to the same accounts.
    let imported = import_check("google-migration", uri.as_bytes(), None);
    if !uri.trim().contains('\n') {
        match (&parsed, &imported) {
            (Ok(batch), Some(report)) => {
                assert_eq!(
                    enrollments(report),
                    batch.accounts.iter().collect::<Vec<_>>(),
                    "the importer and the parser read different accounts"
                );
                assert_eq!(
                    report.errors.len(),
                    batch.skipped.len() + usize::from(!batch.series.is_single()),
                    "skipped accounts and the missing rest of a series are reported"
                );
            }
            (Err(_), None) => {}
            (Ok(_), None) => panic!("the importer refused a code the parser reads"),
            (Err(_), Some(_)) => panic!("the importer read a code the parser refuses"),
        }
    }
    let Ok(batch) = parsed else {
        return;
    };
    for account in &batch.accounts {
        check_enrollment(account);
    }
    let mut series = SeriesCollector::new();
    if series.add(batch.clone()).is_ok() {
        let _ = (series.missing(), series.is_complete(), series.accounts());
    }
    // parse → encode → parse.
    let encoded = migration::encode(&batch.accounts, 7);
    assert!(
        encoded.skipped.is_empty(),
        "an account read from a migration code cannot be written back"
    );
    let mut accounts = Vec::new();
    for code in &encoded.codes {
        let back = migration::parse(&code.uri).expect("an encoded code parses back");
        assert_eq!(back.series, code.position);
        assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        accounts.extend(back.accounts);
    }
    assert_eq!(
        accounts, batch.accounts,
        "the migration round trip changed the accounts"
    );
    // importer → exporter → importer.
    import_google_migration(uri.as_bytes());
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
}

// ---- Vault ----

/// A vault file opened with [`FUZZ_PASSWORD`] (and with an empty in-memory
/// keyring): whatever opens must save again and reopen to the same contents
/// and header.
pub fn vault_file(data: &[u8]) {
    let scratch = Scratch::new();
    let path = scratch.write("fuzz.tessera", data);
    let info = match inspect(&path) {
        Ok(info) => info,
        Err(error) => return seen(error),
    };
    let _ = (info.has_password(), info.has_keyring());
    // The keyring path, without the OS keyring: the store has no entry.
    let store = MemoryKeyStore::new();
    if let Err(error) = UnlockedVault::open_with_keyring(&path, &store) {
        seen(error);
    }
    if !vault_kdf_is_cheap(&info) {
        return;
    }
    let password = tessera_vault::Password::from(FUZZ_PASSWORD);
    let mut vault = match UnlockedVault::open_with_password(&path, &password) {
        Ok(vault) => vault,
        Err(error) => return seen(error),
    };
    let contents = vault.contents().clone();
    let header = vault.info();
    vault
        .update(contents.modified_at, |_| Ok::<(), VaultError>(()))
        .expect("a vault that opens saves again");
    drop(vault);
    let again =
        UnlockedVault::open_with_password(&path, &password).expect("a re-saved vault opens");
    // A save counts itself (the generation that tells a rolled-back file)
    // and changes nothing else.
    let mut expected = contents;
    expected.generation = expected.generation.saturating_add(1);
    assert_eq!(again.contents(), &expected, "a save changed the contents");
    assert_eq!(again.info(), header, "a save changed the header");
}

/// The decrypted body of a vault (which the AEAD keeps the fuzzer from
/// reaching through [`vault_file`]): what reads must write and read back
/// equal, unknown fields included.
pub fn vault_contents(data: &[u8]) {
    let Ok(contents) = serde_json::from_slice::<Contents>(data) else {
        return;
    };
    let json = serde_json::to_vec(&contents).expect("contents serialise");
    let again: Contents = serde_json::from_slice(&json).expect("written contents read back");
    assert_eq!(again, contents, "the contents round trip changed them");
    let threshold = contents.settings.recovery_few_left_threshold();
    for entry in &contents.recovery {
        let _ = entry.codes.warnings(threshold);
    }
    for account in &contents.accounts {
        let _ = account.enrollment.timed_code(NOW);
    }
}

/// Whether every password slot's Argon2id cost is within the small bound.
fn vault_kdf_is_cheap(info: &VaultInfo) -> bool {
    info.slots.iter().all(|slot| match slot.kind {
        SlotKind::Password {
            m_cost_kib,
            t_cost,
            p_cost,
        } => m_cost_kib.saturating_mul(t_cost) <= MAX_ARGON2_KIB_PASSES && p_cost <= 4,
        _ => true,
    })
}

/// A private scratch folder for the file-based vault API, removed when
/// dropped, so no input sees another's files (backups, locks).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tessera-fuzz-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("the scratch folder can be made");
        Scratch(dir)
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, data).expect("the scratch file can be written");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

// ---- Importers ----

/// Tessera's own backup (a vault file); what opens must export and import
/// back to the same contents.
pub fn import_tessera_backup(data: &[u8]) {
    let password = password_for("tessera", data);
    import_check("tessera", data, password.as_ref());
    let Some(password) = password else {
        return;
    };
    let Ok(contents) = read_backup(data, Some(&password)) else {
        return;
    };
    let written = make_backup(
        &contents,
        &password,
        KdfParams::insecure_for_tests(),
        contents.modified_at,
    )
    .expect("read contents export");
    let again = read_backup(&written, Some(&password)).expect("an exported backup imports");
    assert_eq!(
        again, contents,
        "the backup round trip changed the contents"
    );
}

/// Aegis vaults; what imports must export (plain) and import back equal.
pub fn import_aegis(data: &[u8]) {
    let password = password_for("aegis", data);
    let Some(report) = import_check("aegis", data, password.as_ref()) else {
        return;
    };
    let written = AegisExporter
        .export(&report.entries, None)
        .expect("imported entries export");
    assert!(written.skipped.is_empty(), "{:?}", written.skipped);
    let again = AegisImporter
        .import(&written.bytes, None)
        .expect("an exported vault imports");
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(
        again.entries, report.entries,
        "the Aegis round trip changed the entries"
    );
}

/// 2FAS backups (a fixed 10 000 PBKDF2 rounds per salt, not the file's
/// choice).
pub fn import_2fas(data: &[u8]) {
    import_check("2fas", data, password_for("2fas", data).as_ref());
}

/// Bitwarden exports, plain and password protected.
pub fn import_bitwarden(data: &[u8]) {
    import_check("bitwarden", data, password_for("bitwarden", data).as_ref());
}

/// FreeOTP+ exports.
pub fn import_freeotp_plus(data: &[u8]) {
    import_check("freeotp-plus", data, None);
}

/// Steam Desktop Authenticator maFiles.
pub fn import_steam(data: &[u8]) {
    import_check("steam", data, None);
}

/// Proton Authenticator exports.
pub fn import_proton(data: &[u8]) {
    import_check("proton", data, None);
}

/// Text of `otpauth-migration://` lines; what imports must export and
/// import back to the same accounts.
pub fn import_google_migration(data: &[u8]) {
    let Some(report) = import_check("google-migration", data, None) else {
        return;
    };
    let export = google_migration::export_with_batch_id(&report.entries, 7)
        .expect("imported entries export");
    assert!(export.skipped.is_empty(), "{:?}", export.skipped);
    let text: Vec<&str> = export.batches.iter().map(|b| b.uri.as_str()).collect();
    let again = if text.is_empty() {
        ImportReport::default()
    } else {
        import_check("google-migration", text.join("\n").as_bytes(), None)
            .expect("an exported series imports")
    };
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(
        enrollments(&again),
        enrollments(&report),
        "the migration round trip changed the accounts"
    );
}

/// Lists of `otpauth://` URIs; what imports must export and import back to
/// the same accounts (notes, favourites and tags are not in the format).
pub fn import_otpauth_uris(data: &[u8]) {
    let Some(report) = import_check("otpauth-uris", data, None) else {
        return;
    };
    let written = UriListExporter
        .export(&report.entries, None)
        .expect("imported entries export");
    if report.entries.is_empty() {
        return;
    }
    let again = UriListImporter
        .import(&written.bytes, None)
        .expect("an exported list imports");
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(
        enrollments(&again),
        enrollments(&report),
        "the URI list round trip changed the accounts"
    );
}

/// andOTP backups, plain and both encrypted forms.
pub fn import_andotp(data: &[u8]) {
    import_check("andotp", data, password_for("andotp", data).as_ref());
}

/// KeePass databases (KDBX 3.1 and 4.x). What imports must export and
/// import back to the same accounts (favourites aside: KeePass has none),
/// but only outside libFuzzer: the exporter's fixed Argon2id (64 MiB × 10
/// passes, no cost knob) and the import of its file take about a second
/// each, which would stall the fuzzer. The seed test and the replay
/// binary check the round trip on every input that imports.
pub fn import_kdbx(data: &[u8]) {
    let password = password_for("kdbx", data);
    let Some(report) = import_check("kdbx", data, password.as_ref()) else {
        return;
    };
    if cfg!(fuzzing) || report.entries.is_empty() {
        return;
    }
    let password = password.expect("a KeePass database opens only with a password");
    let written = KdbxExporter
        .export(&report.entries, Some(&password))
        .expect("imported entries export");
    assert!(written.skipped.is_empty(), "{:?}", written.skipped);
    let again = KdbxImporter
        .import(&written.bytes, Some(&password))
        .expect("an exported database imports");
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(
        kept_by_kdbx(&again),
        kept_by_kdbx(&report),
        "the KeePass round trip changed the accounts"
    );
}

/// What a KeePass database keeps of an entry: everything but the
/// favourite mark.
fn kept_by_kdbx(report: &ImportReport) -> Vec<(&Enrollment, &String, &Vec<String>)> {
    report
        .entries
        .iter()
        .map(|entry| (&entry.enrollment, &entry.notes, &entry.tags))
        .collect()
}

/// FreeOTP 2 backups (a Java-serialised map; PBKDF2 rounds set by the
/// file, bounded by [`costs::freeotp2_is_cheap`]).
pub fn import_freeotp2(data: &[u8]) {
    import_check("freeotp2", data, password_for("freeotp2", data).as_ref());
}

/// The ZIP exports, each importer in turn: 1Password's 1PUX, Proton
/// Pass, WinAuth (ZipCrypto) and Authenticator Plus's ZIP (ZipCrypto).
/// Authenticator Plus also reads any 1024-byte-page file as SQLCipher
/// (64 000 + 4 000 fixed PBKDF2 rounds): it gets the password only for
/// input that starts like a ZIP, so that path stays import_detect's.
pub fn import_zip_formats(data: &[u8]) {
    let password = Password::from(FUZZ_PASSWORD);
    import_check("1password-1pux", data, None);
    import_check("proton-pass", data, None);
    import_check("winauth", data, Some(&password));
    let zip = data.starts_with(b"PK\x03\x04");
    import_check("authenticator-plus", data, zip.then_some(&password));
}

/// The phone apps' SQLite databases, each importer in turn: Google
/// Authenticator, Microsoft Authenticator, Stratum, and Authenticator
/// Plus's `.db` already decrypted to plain SQLite (without a password,
/// so its SQLCipher path stops before the derivation).
pub fn import_sqlite_formats(data: &[u8]) {
    import_check("google-authenticator-db", data, None);
    import_check("microsoft-authenticator", data, None);
    import_check("stratum-db", data, None);
    import_check("authenticator-plus", data, None);
}

/// Android shared preferences XML, each importer in turn: Authy (its
/// encrypted tokens cost a fixed 1 000 PBKDF2 rounds each), FreeOTP 1,
/// Battle.net and TOTP Authenticator (whose backup key is one SHA-256).
pub fn import_android_prefs(data: &[u8]) {
    let password = Password::from(FUZZ_PASSWORD);
    import_check("authy", data, Some(&password));
    import_check("freeotp", data, None);
    import_check("battle-net", data, None);
    import_check("totp-authenticator", data, Some(&password));
}

/// Format detection over every importer, then the import it picks, as the
/// app and the command line do.
pub fn import_detect(data: &[u8]) {
    let Some(importer) = tessera_core::formats::detect(data) else {
        return;
    };
    let password = password_for(importer.id(), data);
    match tessera_core::formats::read_import(data, None, password.as_ref(), None) {
        Ok(file) => {
            assert_eq!(file.format, importer.name());
            check_report(&file.report);
        }
        Err(error) => seen(error),
    }
}

fn enrollments(report: &ImportReport) -> Vec<&Enrollment> {
    report
        .entries
        .iter()
        .map(|entry| &entry.enrollment)
        .collect()
}

/// Runs one importer's detection and import; `Some` with the report when
/// the file imports.
fn import_check(id: &str, data: &[u8], password: Option<&Password>) -> Option<ImportReport> {
    let importer = tessera_core::formats::importer(id).expect("the importer is registered");
    let _ = importer.detect(data);
    match importer.import(data, password) {
        Ok(report) => {
            check_report(&report);
            Some(report)
        }
        Err(error) => {
            seen(error);
            None
        }
    }
}

fn check_report(report: &ImportReport) {
    for entry in &report.entries {
        check_enrollment(&entry.enrollment);
        let _ = entry.label();
    }
    for error in &report.errors {
        let _ = error.to_string();
    }
}

/// [`FUZZ_PASSWORD`] for an importer, unless the file asks for more key
/// derivation work than the small bounds above (then `None`: the file is
/// still read up to the point where the password is needed).
fn password_for(id: &str, data: &[u8]) -> Option<Password> {
    let cheap = match id {
        "tessera" => tessera_backup_is_cheap(data),
        "aegis" => aegis_is_cheap(data),
        "bitwarden" => bitwarden_is_cheap(data),
        "andotp" => andotp_is_cheap(data),
        "kdbx" => costs::kdbx_is_cheap(data),
        "freeotp2" => costs::freeotp2_is_cheap(data),
        // 2FAS's cost is fixed by the format; most of the rest have no
        // password. Ente, OPVault, Proton and Stratum read theirs from the
        // file and are not bounded here (import_detect reaches them).
        _ => true,
    };
    cheap.then(|| Password::from(FUZZ_PASSWORD))
}

/// The vault crate's own reading of the header, through a scratch file.
fn tessera_backup_is_cheap(data: &[u8]) -> bool {
    let scratch = Scratch::new();
    match inspect(scratch.write("backup.tessera", data)) {
        Ok(info) => vault_kdf_is_cheap(&info),
        // The importer fails on the same header before any derivation.
        Err(_) => true,
    }
}

/// A number as the importers read it (`json::u64_field`): a JSON number or
/// digits in a string.
fn lenient_u64(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Every slot, whatever its type, within the scrypt bound (a value the
/// importer cannot read counts as 0 there, which it refuses at once).
fn aegis_is_cheap(data: &[u8]) -> bool {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return true;
    };
    let Some(slots) = doc
        .get("header")
        .and_then(|h| h.get("slots"))
        .and_then(Value::as_array)
    else {
        return true;
    };
    slots.len() <= 8
        && slots.iter().all(|slot| {
            let cost = |key| lenient_u64(slot.get(key)).unwrap_or(0);
            cost("n")
                .saturating_mul(cost("r"))
                .saturating_mul(cost("p"))
                <= MAX_SCRYPT_WORK
        })
}

/// PBKDF2 rounds, or Argon2id memory × passes with the importer's defaults
/// for missing values (64 MiB, 4 lanes), within the bounds.
fn bitwarden_is_cheap(data: &[u8]) -> bool {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return true;
    };
    let iterations = lenient_u64(doc.get("kdfIterations")).unwrap_or(0);
    match lenient_u64(doc.get("kdfType")) {
        Some(0) => iterations <= MAX_PBKDF2_ROUNDS,
        Some(1) => {
            let memory_kib = lenient_u64(doc.get("kdfMemory"))
                .unwrap_or(64)
                .saturating_mul(1024);
            let lanes = lenient_u64(doc.get("kdfParallelism")).unwrap_or(4);
            memory_kib.saturating_mul(iterations) <= 8 * MAX_ARGON2_KIB_PASSES && lanes <= 4
        }
        _ => true,
    }
}

/// The current encrypted form starts with its PBKDF2 round count.
fn andotp_is_cheap(data: &[u8]) -> bool {
    match data.get(..4) {
        Some(count) if data.len() >= 44 => {
            u64::from(u32::from_be_bytes(count.try_into().expect("4 bytes"))) <= MAX_PBKDF2_ROUNDS
        }
        _ => true,
    }
}

// ---- QR images ----

/// QR decoding. The first byte picks the mode:
/// 0. the rest is an image file, loaded with the limits the app and CLI
///    use, then decoded as they do;
/// 1. the rest is a grey image (first byte the width - 1, then pixels),
///    so the decoder itself, not the image parsers, gets the mutations;
/// 2. the rest is a QR module grid (a version byte, a scale byte, then one
///    bit a module), drawn with a quiet zone, so mutations flip modules of
///    codes the engines find and reach their bit-stream decoders.
///
/// Every text found is classified as a scanned code is.
pub fn qr_image(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let codes = match mode % 3 {
        0 => {
            let limits = ImageLimits::default();
            if is_big_but_allowed(rest, &limits) {
                return;
            }
            match load_image_bytes(rest, &limits) {
                Ok(image) => decode(&image),
                Err(error) => return seen(error),
            }
        }
        1 => {
            let Some(image) = grey_from_bytes(rest) else {
                return;
            };
            decode_luma(&image)
        }
        _ => {
            let Some(image) = grid_from_bits(rest) else {
                return;
            };
            decode_luma(&image)
        }
    };
    for code in codes {
        if let Ok(Payload::Account(account)) = classify(&code.text) {
            check_enrollment(&account);
        }
    }
}

/// Whether an image file declares more than [`MAX_FUZZ_PIXELS`] but no more
/// than `limits` allow. The products accept up to 64 megapixels (a phone
/// photo), which a few kilobytes of WebP or GIF can declare; loading and
/// decoding one is seconds of legal work (measured: an 8000×8000 lossless
/// WebP of 25 KB, 3.5 s optimised, 78 s under ASan), which would only
/// stall the fuzzer. Images over the limits are still handed over: their
/// refusal, before any pixel buffer exists, is what they test.
fn is_big_but_allowed(file: &[u8], limits: &ImageLimits) -> bool {
    let Some((width, height)) = image::ImageReader::new(std::io::Cursor::new(file))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_dimensions().ok())
    else {
        return false;
    };
    let pixels = u64::from(width) * u64::from(height);
    pixels > MAX_FUZZ_PIXELS
        && width <= limits.max_side
        && height <= limits.max_side
        && pixels <= limits.max_pixels
}

/// Mode 1 of [`qr_image`].
fn grey_from_bytes(bytes: &[u8]) -> Option<GrayImage> {
    let (&width_byte, pixels) = bytes.split_first()?;
    let width = usize::from(width_byte) + 1;
    let height = pixels.len() / width;
    GrayImage::from_raw(
        width as u32,
        height as u32,
        pixels[..width * height].to_vec(),
    )
}

/// Mode 2 of [`qr_image`]: sides of 21 to 177 modules (the QR versions),
/// 1 to 3 pixels a module, at most about 400 pixels a side.
fn grid_from_bits(bytes: &[u8]) -> Option<GrayImage> {
    let (&version_byte, rest) = bytes.split_first()?;
    let (&scale_byte, bits) = rest.split_first()?;
    let modules = 21 + 4 * u32::from(version_byte % 40);
    let quiet = 4;
    let side_modules = modules + 2 * quiet;
    let scale = (1 + u32::from(scale_byte % 3))
        .min(400 / side_modules)
        .max(1);
    let side = side_modules * scale;
    Some(GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let inside =
            (quiet..quiet + modules).contains(&mx) && (quiet..quiet + modules).contains(&my);
        let dark = inside && {
            let index = ((my - quiet) * modules + (mx - quiet)) as usize;
            bits.get(index / 8)
                .is_some_and(|byte| byte >> (7 - index % 8) & 1 == 1)
        };
        image::Luma([if dark { 0 } else { 255 }])
    }))
}

// ---- Running without libFuzzer ----

/// The files under `path` (itself, if it is a file), sorted, recursively.
pub fn files_under(path: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
            .map(|entry| entry.expect("a folder entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            files.extend(files_under(&entry));
        }
    } else {
        files.push(path.to_owned());
    }
    files
}

/// The `main` of a target built without cargo-fuzz: runs `target` on every
/// file named on the command line (or inside a folder named there), to
/// replay a crash artifact on stable Rust without sanitizers.
pub fn replay(target: Target) {
    let mut count = 0;
    for argument in std::env::args_os().skip(1) {
        for file in files_under(Path::new(&argument)) {
            let data =
                fs::read(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            eprintln!("running {}", file.display());
            target(&data);
            count += 1;
        }
    }
    eprintln!("ran {count} inputs without a crash");
}
