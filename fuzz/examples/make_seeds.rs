//! Writes the seed corpus in fuzz/corpus/: small valid inputs for every
//! target, made by Tessera's own writers where it has one and by hand (with
//! the formats' real ciphers) where it has none. Encrypted seeds use the
//! password `fuzz` and the smallest key-derivation costs the importers
//! accept, so the fuzzer reaches past the derivation quickly.
//!
//! Nothing here is copied from other projects' test files (the shared
//! corpora are GPL data that stay outside the repository).
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example make_seeds
//!
//! Files are overwritten by name; other files (regression inputs kept from
//! findings) are left alone. Vault files get fresh random keys each run.

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use hmac::Mac;
use serde_json::{json, Value};
use sha2::Digest;
use tessera_fuzz::FUZZ_PASSWORD;
use tessera_otp::{migration, uri, Enrollment, RecoveryCodes, Zeroizing};
use tessera_transfer::formats::aegis::AegisExporter;
use tessera_transfer::formats::uri_list::UriListExporter;
use tessera_transfer::{Entry, Exporter, Password};
use tessera_vault::{
    Account, AccountId, Contents, CreateOptions, KdfParams, MemoryKeyStore, RecoveryEntry,
    RecoveryOwner, UnlockedVault,
};

const NOW: u64 = 1_700_000_000;

/// Accounts of every kind the formats hold.
const URIS: &[&str] = &[
    "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
    "otpauth://totp/ACME%20Co:john.doe%40email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60",
    "otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&counter=10&algorithm=SHA512",
    "otpauth://steam/Steam:gaben?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Steam",
    "otpauth://totp/Valve:gaben?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&encoder=steam&digits=5",
    "otpauth://totp/noissuer?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=7&period=20",
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let seeds = Seeds { root };
    otp_seeds(&seeds);
    migration_seeds(&seeds);
    vault_seeds(&seeds);
    importer_seeds(&seeds);
    qr_seeds(&seeds);
    eprintln!("seeds written under {}", seeds.root.display());
}

struct Seeds {
    root: PathBuf,
}

impl Seeds {
    fn put(&self, target: &str, name: &str, bytes: impl AsRef<[u8]>) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), bytes).unwrap();
    }

    /// A seed for one importer, and the same for format detection.
    fn import(&self, target: &str, name: &str, bytes: impl AsRef<[u8]>) {
        self.put(target, name, &bytes);
        self.put("import_detect", &format!("{target}-{name}"), &bytes);
    }
}

fn enrollments() -> Vec<Enrollment> {
    URIS.iter().map(|text| uri::parse(text).unwrap()).collect()
}

fn entries() -> Vec<Entry> {
    enrollments()
        .into_iter()
        .enumerate()
        .map(|(i, enrollment)| Entry {
            enrollment,
            notes: if i == 0 {
                "work laptop".into()
            } else {
                String::new()
            },
            favourite: i == 1,
            tags: if i < 2 {
                vec!["work".into()]
            } else {
                Vec::new()
            },
            recovery: None,
        })
        .collect()
}

// ---- OTP ----

fn otp_seeds(seeds: &Seeds) {
    let mut uris: Vec<String> = URIS.iter().map(|s| s.to_string()).collect();
    uris.extend(
        [
            "OTPAUTH:totp/Issuer%3AWith%3AColons:name?SECRET=jbsw%20y3dp-ehpk3pxp====&Issuer=Issuer:With:Colons",
            "otpauth://totp/:name:with:colons?secret=JBSWY3DPEHPK3PXP",
            "  otpauth://totp/%C3%89cole+Test:%E2%9C%93?secret=JBSWY3DPEHPK3PXP&issuer=%C3%89cole+Test&counter=5  ",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&secret=AAAA&digits=&period=30#fragment",
            "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP",
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ21haWwuY29tGgdFeGFtcGxlMAI%3D",
        ]
        .map(String::from),
    );
    for (i, text) in uris.iter().enumerate() {
        seeds.put("otpauth_uri", &format!("uri-{i:02}.txt"), text);
    }
    for (i, text) in [
        "JBSWY3DPEHPK3PXP",
        "jbsw y3dp-ehpk\t3pxp",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====",
        "MFRGG===",
        "0x3132333435363738393031323334353637383930",
        "31 32 33 34 35 36 37 38 39 30",
    ]
    .iter()
    .enumerate()
    {
        seeds.put("base32_secret", &format!("text-{i:02}.txt"), text);
    }
    seeds.put(
        "base32_secret",
        "bytes.bin",
        [0u8, 1, 2, 0xfe, 0xff, 0x80, 0x7f],
    );

    let blocks = [
        "a1b2c-3d4e5\nf6a7b-8c9d0\n0e1f2-a3b4c\n5d6e7-f8091\n2a3b4-c5d6e\n7f809-1a2b3\n",
        "BACKUP VERIFICATION CODES\nalice@gmail.com\n\n1. 4821 0937      2. 1749 3306\n3. 5520 8461      4. 9034 2217\n\nKeep these backup codes somewhere safe.\nGenerated: 2026-11-23 10:00\n",
        "Your recovery codes:\n\t- 12345678\n\t- 87654321\n\t* 11223344\n#4 99887766\n(5) 55667788\n",
        "abcdefgh\nijklmnop\nqrstuvwx\nRecovery\n",
        "ABCD-EFGH-1234  WXYZ-5678-IJKL\r\n",
    ];
    for (i, text) in blocks.iter().enumerate() {
        seeds.put("recovery_block", &format!("block-{i:02}.txt"), text);
    }
}

// ---- Google migration ----

fn migration_seeds(seeds: &Seeds) {
    // Written by the one codec (tessera_otp::migration), which the
    // importer's exporter also uses. Google holds 6 or 8 digits, 30-second
    // TOTP and HOTP only; the others are left out of the codes.
    let accounts = enrollments();
    let series = migration::encode(&accounts, 42);
    let lines: Vec<&str> = series.codes.iter().map(|code| code.uri.as_str()).collect();
    seeds.import("import_google_migration", "series.txt", lines.join("\n"));
    for (i, line) in lines.iter().enumerate() {
        seeds.put("migration_payload", &format!("uri-{i:02}.txt"), line);
        seeds.put(
            "migration_payload",
            &format!("payload-{i:02}.bin"),
            payload_of(line),
        );
    }
    // A series of two codes (eleven accounts), read as raw payloads.
    let first = &accounts[series.codes[0].accounts[0]];
    let series = migration::encode(std::iter::repeat_n(first, 11), 43);
    for (i, code) in series.codes.iter().enumerate() {
        seeds.put(
            "migration_payload",
            &format!("series-{i:02}.bin"),
            payload_of(&code.uri),
        );
    }
}

/// The protobuf bytes of an exported `otpauth-migration://` URI.
fn payload_of(uri: &str) -> Vec<u8> {
    let data = uri.split_once("data=").unwrap().1;
    let data = data
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=");
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap()
}

// ---- Vault ----

fn contents() -> Contents {
    let mut contents = Contents::default();
    for (i, entry) in entries().into_iter().enumerate() {
        let mut account = Account::new(entry.enrollment, NOW).unwrap();
        account.id = AccountId::parse(&format!("{i:032x}")).unwrap();
        account.notes = entry.notes;
        account.favourite = entry.favourite;
        account.tags = entry.tags;
        contents.accounts.push(account);
    }
    contents.accounts[0]
        .extra
        .insert("future_field".into(), json!({"kept": [1, 2.5, null]}));
    let mut codes = RecoveryCodes::new(false, "from the settings page");
    codes
        .add(
            ["a1b2c-3d4e5", "f6a7b-8c9d0", "1234 5678"]
                .map(|c| Zeroizing::new(c.to_owned()))
                .to_vec(),
            NOW,
        )
        .unwrap();
    codes.use_code("a1b2c3d4e5", NOW + 60).unwrap();
    let mut entry = RecoveryEntry::new(
        RecoveryOwner::Account {
            account_id: contents.accounts[0].id.clone(),
        },
        codes,
        NOW,
    )
    .unwrap();
    entry.id = AccountId::parse(&format!("{:032x}", 100)).unwrap();
    contents.recovery.push(entry);
    let mut rotating = RecoveryCodes::new(true, "");
    rotating
        .add(vec![Zeroizing::new("ROTATE-0001".to_owned())], NOW)
        .unwrap();
    let mut entry = RecoveryEntry::new(
        RecoveryOwner::Service {
            issuer: "Elsewhere".into(),
            name: "bob".into(),
        },
        rotating,
        NOW,
    )
    .unwrap();
    entry.id = AccountId::parse(&format!("{:032x}", 101)).unwrap();
    contents.recovery.push(entry);
    contents
        .settings
        .extra
        .insert("recovery_few_left_threshold".into(), json!(3));
    contents
        .settings
        .extra
        .insert("theme".into(), json!("dark"));
    contents.extra.insert("newer_top_level".into(), json!(true));
    contents.modified_at = NOW;
    contents
}

fn vault_seeds(seeds: &Seeds) {
    let contents = contents();
    seeds.put(
        "vault_contents",
        "contents.json",
        serde_json::to_vec(&contents).unwrap(),
    );
    seeds.put("vault_contents", "empty.json", "{}");
    seeds.put(
        "vault_contents",
        "minimal-account.json",
        r#"{"accounts":[{"id":"x","enrollment":{"issuer":"","name":"","secret":"JBSWY3DPEHPK3PXP","params":{"kind":"totp","algorithm":"SHA1","digits":6,"period":30,"counter":0}}}]}"#,
    );

    let dir = std::env::temp_dir().join(format!("tessera-make-seeds-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let password = tessera_vault::Password::from(FUZZ_PASSWORD);
    let store = MemoryKeyStore::new();
    for (name, keyring, contents) in [
        ("password.tessera", false, contents.clone()),
        ("password-and-keyring.tessera", true, contents.clone()),
        ("empty.tessera", false, Contents::default()),
    ] {
        let path = dir.join(name);
        let options = CreateOptions {
            password: Some(&password),
            kdf: KdfParams::insecure_for_tests(),
            keyring: keyring.then_some(&store as &dyn tessera_vault::KeyStore),
        };
        UnlockedVault::create(&path, options, contents, NOW).unwrap();
        seeds.put("vault_file", name, fs::read(&path).unwrap());
    }
    fs::remove_dir_all(&dir).unwrap();

    let backup = tessera_core::backup::make_backup(
        &contents,
        &Password::from(FUZZ_PASSWORD),
        KdfParams::insecure_for_tests(),
        NOW,
    )
    .unwrap();
    seeds.import("import_tessera_backup", "backup.tessera", backup);
}

// ---- Importers ----

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// AES-256-GCM: ciphertext ‖ tag.
fn gcm(key: &[u8], nonce: &[u8], plaintext: &[u8]) -> Vec<u8> {
    Aes256Gcm::new_from_slice(key)
        .unwrap()
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .unwrap()
}

fn importer_seeds(seeds: &Seeds) {
    let password = Password::from(FUZZ_PASSWORD);
    let pw = FUZZ_PASSWORD.as_bytes();

    // Aegis: the exporter's plain vault, and an encrypted one with scrypt
    // N = 16 (the exporter always uses Aegis's own 2^15).
    let plain = AegisExporter.export(&entries(), None).unwrap().bytes;
    seeds.import("import_aegis", "plain.json", &plain);
    let mut doc: Value = serde_json::from_slice(&plain).unwrap();
    let db = serde_json::to_vec(&doc["db"]).unwrap();
    let master = [0x11u8; 32];
    let db_nonce = [0x22u8; 12];
    let sealed = gcm(&master, &db_nonce, &db);
    let (ciphertext, tag) = sealed.split_at(sealed.len() - 16);
    let salt = [0x33u8; 32];
    let mut derived = [0u8; 32];
    scrypt::scrypt(
        pw,
        &salt,
        &scrypt::Params::new(4, 8, 1, 32).unwrap(),
        &mut derived,
    )
    .unwrap();
    let key_nonce = [0x44u8; 12];
    let wrapped = gcm(&derived, &key_nonce, &master);
    doc["header"] = json!({
        "slots": [{
            "type": 1, "uuid": "01234567-89ab-4cde-8f01-23456789abcd",
            "key": hex(&wrapped[..32]),
            "key_params": {"nonce": hex(&key_nonce), "tag": hex(&wrapped[32..])},
            "n": 16, "r": 8, "p": 1, "salt": hex(&salt), "repaired": true, "is_backup": false
        }, {"type": 2, "uuid": "11234567-89ab-4cde-8f01-23456789abcd", "key": "00",
            "key_params": {"nonce": "00", "tag": "00"}}],
        "params": {"nonce": hex(&db_nonce), "tag": hex(tag)}
    });
    doc["db"] = json!(b64(ciphertext));
    seeds.import("import_aegis", "encrypted.json", doc.to_string());
    seeds.put(
        "import_aegis",
        "plain-v2-groups.json",
        json!({"version": 1, "header": {"slots": null, "params": null}, "db": {"version": 2,
            "entries": [{"type": "totp", "uuid": "u1", "name": "alice", "issuer": "Deno",
                "group": "Work", "note": "", "favorite": false, "icon": null,
                "info": {"secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ", "algo": "SHA1", "digits": 6, "period": 30}},
                {"type": "motp", "uuid": "u2", "name": "m", "issuer": "x", "info": {"secret": "AB"}}]}})
        .to_string(),
    );

    // 2FAS: plain, and encrypted with its fixed 10 000 PBKDF2 rounds.
    let services = json!([{
        "name": "Example", "secret": "JBSWY3DPEHPK3PXP", "groupId": "g1",
        "otp": {"account": "alice", "issuer": "Example", "digits": 6, "period": 30,
                "algorithm": "SHA1", "tokenType": "TOTP", "counter": 0}
    }, {
        "name": "Counter", "secret": "YOOMIXWS5GN6RTBPUFFWKTW5M4",
        "otp": {"label": "Issuu:James", "digits": 8, "algorithm": "SHA256", "tokenType": "HOTP", "counter": 3}
    }, {
        "name": "Steam", "secret": "JRZCL47CMXVOQMNPZR2F7J4RGI", "otp": {"tokenType": "STEAM"}
    }]);
    let groups = json!([{"id": "g1", "name": "Work"}]);
    seeds.import(
        "import_2fas",
        "plain.2fas",
        json!({"services": services, "groups": groups, "schemaVersion": 4, "appVersionCode": 5000000})
            .to_string(),
    );
    let salt = [0x55u8; 256];
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, &salt, 10_000, &mut key);
    let seal = |iv: &[u8; 12], text: &[u8]| {
        format!("{}:{}:{}", b64(&gcm(&key, iv, text)), b64(&salt), b64(iv))
    };
    seeds.import(
        "import_2fas",
        "encrypted.2fas",
        json!({"services": [], "groups": groups, "schemaVersion": 4,
               "servicesEncrypted": seal(&[1; 12], services.to_string().as_bytes()),
               "reference": seal(&[2; 12], b"tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv4R5DMDkD4iAF8TXU7KyoJujd"),
        })
        .to_string(),
    );

    // Bitwarden: plain, and password protected with PBKDF2 (10 rounds) and
    // with Argon2id (1 MiB, 1 pass, 1 lane).
    let bitwarden = json!({
        "encrypted": false,
        "folders": [{"id": "f1", "name": "Work"}],
        "collections": [{"id": "c1", "name": "Team"}],
        "items": [
            {"type": 1, "name": "Example", "notes": "n", "favorite": true, "folderId": "f1",
             "collectionIds": ["c1"], "login": {"username": "alice", "totp": URIS[0]}},
            {"type": 1, "name": "Steam", "login": {"username": "gaben", "totp": "steam://JRZCL47CMXVOQMNPZR2F7J4RGI"}},
            {"type": 1, "name": "Bare", "login": {"username": "bob", "totp": "JBSW Y3DP EHPK 3PXP"}},
            {"type": 1, "name": "No TOTP", "login": {"username": "carol", "password": "x"}},
            {"type": 2, "name": "A note", "notes": "text"}
        ]
    })
    .to_string();
    seeds.import("import_bitwarden", "plain.json", &bitwarden);
    for (name, kdf) in [
        ("pbkdf2.json", json!({"kdfType": 0, "kdfIterations": 10})),
        (
            "argon2id.json",
            json!({"kdfType": 1, "kdfIterations": 1, "kdfMemory": 1, "kdfParallelism": 1}),
        ),
    ] {
        let salt = "c2FsdHNhbHRzYWx0c2FsdA==";
        let mut master = [0u8; 32];
        if kdf["kdfType"] == 0 {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, salt.as_bytes(), 10, &mut master);
        } else {
            let params = argon2::Params::new(1024, 1, 1, Some(32)).unwrap();
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                .hash_password_into(pw, &sha2::Sha256::digest(salt.as_bytes()), &mut master)
                .unwrap();
        }
        let hkdf = hkdf::Hkdf::<sha2::Sha256>::from_prk(&master).unwrap();
        let (mut enc, mut mac) = ([0u8; 32], [0u8; 32]);
        hkdf.expand(b"enc", &mut enc).unwrap();
        hkdf.expand(b"mac", &mut mac).unwrap();
        let encrypt = |iv: [u8; 16], text: &[u8]| {
            use aes::cipher::{BlockEncryptMut, KeyIvInit};
            let ciphertext = cbc::Encryptor::<aes::Aes256>::new(&enc.into(), &iv.into())
                .encrypt_padded_vec_mut::<aes::cipher::block_padding::Pkcs7>(text);
            let mut check = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&mac).unwrap();
            check.update(&iv);
            check.update(&ciphertext);
            let tag = check.finalize().into_bytes();
            format!("2.{}|{}|{}", b64(&iv), b64(&ciphertext), b64(&tag))
        };
        let mut doc = json!({
            "encrypted": true, "passwordProtected": true, "salt": salt,
            "encKeyValidation_DO_NOT_EDIT": encrypt([7; 16], b"a validation string"),
            "data": encrypt([8; 16], bitwarden.as_bytes()),
        });
        for (key, value) in kdf.as_object().unwrap() {
            doc[key] = value.clone();
        }
        seeds.import("import_bitwarden", name, doc.to_string());
    }

    // FreeOTP+.
    seeds.import(
        "import_freeotp_plus",
        "tokens.json",
        json!({"tokenOrder": ["Example:alice", "Issuu:James"], "tokens": [
            {"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Example", "issuerInt": "Example",
             "label": "alice", "period": 30, "secret": [72, 101, 108, 108, 111, 33, -34, -83, -66, -17], "type": "TOTP"},
            {"algo": "SHA256", "counter": 7, "digits": 8, "issuerExt": "", "issuerInt": "Issuu",
             "label": "James", "period": 30, "secret": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "type": "HOTP"}
        ]})
        .to_string(),
    );

    // Steam maFiles, single and wrapped.
    let account = json!({"shared_secret": "zvIayp3JPvtvX/QGHqsqKBk/44s=", "account_name": "gaben",
        "revocation_code": "R12345", "serial_number": "1234", "identity_secret": "x"});
    seeds.import("import_steam", "single.maFile", account.to_string());
    seeds.import(
        "import_steam",
        "wrapped.json",
        json!({"accounts": {"76561197960287930": account}}).to_string(),
    );

    // Proton Authenticator, plain and encrypted (refused).
    seeds.import(
        "import_proton",
        "export.json",
        json!({"version": 1, "entries": [
            {"id": "1", "content": {"id": "1", "uri": URIS[0], "entry_type": "Totp", "name": "Example"}, "note": "n"},
            {"id": "2", "content": {"uri": "otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "entry_type": "Totp", "name": "Shown name"}}
        ]})
        .to_string(),
    );
    seeds.put(
        "import_proton",
        "refused-encrypted.json",
        r#"{"version": 1, "salt": "abc", "content": "xyz"}"#,
    );

    // otpauth:// lists: the exporter's, and Ente Auth's with its extras.
    let list = UriListExporter.export(&entries(), None).unwrap().bytes;
    seeds.import("import_otpauth_uris", "list.txt", &list);
    seeds.import(
        "import_otpauth_uris",
        "ente.txt",
        format!(
            "# Ente Auth export\n\u{feff}{}&codeDisplay=%7B%22pinned%22%3Atrue%2C%22trashed%22%3Afalse%2C%22tags%22%3A%5B%22work%22%5D%2C%22note%22%3A%22n%22%7D\n\n{}&codeDisplay=%7B%22trashed%22%3Atrue%7D\n{}\n",
            URIS[0], URIS[1], "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ21haWwuY29tGgdFeGFtcGxlMAI%3D"
        ),
    );

    // andOTP: plain, current encrypted form (PBKDF2-SHA1, 10 rounds) and
    // the old one (SHA-256 of the password).
    let andotp = json!([
        {"secret": "JBSWY3DPEHPK3PXP", "issuer": "Example", "label": "alice", "digits": 6,
         "type": "TOTP", "algorithm": "SHA1", "period": 30, "tags": ["work"], "thumbnail": "Default"},
        {"secret": "YOOMIXWS5GN6RTBPUFFWKTW5M4", "issuer": "", "label": "Issuu - James", "digits": 8,
         "type": "HOTP", "algorithm": "SHA512", "counter": 4, "tags": []},
        {"secret": "JRZCL47CMXVOQMNPZR2F7J4RGI", "issuer": "Steam", "label": "gaben", "digits": 5,
         "type": "STEAM", "algorithm": "SHA1", "period": 30}
    ])
    .to_string();
    seeds.import("import_andotp", "plain.json", &andotp);
    let (salt, nonce) = ([0x66u8; 12], [0x77u8; 12]);
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, &salt, 10, &mut key);
    let mut current = 10u32.to_be_bytes().to_vec();
    current.extend_from_slice(&salt);
    current.extend_from_slice(&nonce);
    current.extend_from_slice(&gcm(&key, &nonce, andotp.as_bytes()));
    seeds.import("import_andotp", "encrypted.bin", current);
    let mut old = nonce.to_vec();
    old.extend_from_slice(&gcm(&sha2::Sha256::digest(pw), &nonce, andotp.as_bytes()));
    seeds.import("import_andotp", "encrypted-old.bin", old);

    let _ = password;
}

// ---- QR images ----

fn qr_seeds(seeds: &Seeds) {
    let texts = [
        URIS[0].to_owned(),
        "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP".to_owned(),
        "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ21haWwuY29tGgdFeGFtcGxlMAI%3D".to_owned(),
    ];
    // Mode 0: image files, as tessera-transfer draws them (PNG, 8 pixels a
    // module) and re-encoded small in the other formats the scanner reads.
    let png = tessera_transfer::qr::png(&texts[0]).unwrap();
    seeds.put("qr_image", "file-transfer.png", [&[0u8][..], &png].concat());
    let small = render(&texts[1], 2);
    for (name, format) in [
        ("file.png", image::ImageFormat::Png),
        ("file.jpg", image::ImageFormat::Jpeg),
        ("file.gif", image::ImageFormat::Gif),
        ("file.bmp", image::ImageFormat::Bmp),
        ("file.webp", image::ImageFormat::WebP),
    ] {
        let mut bytes = vec![0u8];
        let mut cursor = Cursor::new(Vec::new());
        let picture = image::DynamicImage::ImageLuma8(small.clone());
        // GIF and WebP encoders take colour only.
        let picture = match format {
            image::ImageFormat::Gif => image::DynamicImage::ImageRgba8(picture.to_rgba8()),
            image::ImageFormat::WebP => image::DynamicImage::ImageRgb8(picture.to_rgb8()),
            _ => picture,
        };
        picture.write_to(&mut cursor, format).unwrap();
        bytes.extend(cursor.into_inner());
        seeds.put("qr_image", name, bytes);
    }
    // Mode 1: raw grey pixels.
    let mut grey = vec![1u8, (small.width() - 1) as u8];
    grey.extend_from_slice(small.as_raw());
    seeds.put("qr_image", "grey.bin", grey);
    // Mode 2: module grids.
    for (i, text) in texts.iter().enumerate() {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let width = code.width();
        let mut bits = vec![2u8, ((width - 21) / 4) as u8, 1];
        let colors = code.to_colors();
        for chunk in colors.chunks(8) {
            let mut byte = 0u8;
            for (j, color) in chunk.iter().enumerate() {
                if *color == qrcode::Color::Dark {
                    byte |= 0x80 >> j;
                }
            }
            bits.push(byte);
        }
        seeds.put("qr_image", &format!("modules-{i:02}.bin"), bits);
    }
}

/// A QR code as a grey image, `scale` pixels a module, 4-module quiet zone.
fn render(text: &str, scale: u32) -> image::GrayImage {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let width = code.width() as u32;
    let colors = code.to_colors();
    let side = (width + 8) * scale;
    image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / scale) as i64 - 4, (y / scale) as i64 - 4);
        let dark = (0..width as i64).contains(&mx)
            && (0..width as i64).contains(&my)
            && colors[(my * width as i64 + mx) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    })
}
