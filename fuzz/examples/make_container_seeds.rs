//! Writes the seeds of the container and database formats' targets
//! (`import_kdbx`, `import_freeotp2`, `import_zip_formats`,
//! `import_sqlite_formats`, `import_android_prefs`), each also under
//! `import_detect`: KeePass databases through the `keepass` crate with
//! tiny KDF costs (Tessera's exporter has a fixed 64 MiB × 10 Argon2id),
//! ZIPs through the `zip` crate's writer (ZipCrypto where the product
//! uses it), SQLite images through rusqlite's `serialize`, a FreeOTP 2
//! backup as the Java stream and ciphers its importer documents, and
//! shared preferences XML by hand. Encrypted seeds use the password
//! `fuzz`. Nothing is copied from other projects' test data.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example make_container_seeds
//!
//! Kept apart from make_seeds.rs so running it rewrites only these seeds.
//! KeePass and ZIP seeds get fresh random salts, UUIDs or times each run.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use keepass::config::KdfConfig;
use keepass::db::fields;
use keepass::{Database, DatabaseKey};
use rusqlite::{Connection, MAIN_DB};
use serde_json::json;
use tessera_fuzz::FUZZ_PASSWORD;
use zip::unstable::write::FileOptionsExt;
use zip::write::SimpleFileOptions;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let seeds = Seeds { root };
    kdbx_seeds(&seeds);
    freeotp2_seeds(&seeds);
    zip_seeds(&seeds);
    sqlite_seeds(&seeds);
    prefs_seeds(&seeds);
    eprintln!("seeds written under {}", seeds.root.display());
}

struct Seeds {
    root: PathBuf,
}

impl Seeds {
    fn put(&self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), bytes).unwrap();
    }

    /// A seed for one target, and the same for format detection.
    fn import(&self, target: &str, name: &str, bytes: impl AsRef<[u8]>) {
        let bytes = bytes.as_ref();
        assert!(bytes.len() < 50_000, "{target}/{name} is too big");
        self.put(target, name, bytes);
        self.put("import_detect", &format!("{target}-{name}"), bytes);
    }
}

// ---- KeePass ----

fn kdbx_seeds(seeds: &Seeds) {
    let KdfConfig::Argon2 { version, .. } = Database::new().config.kdf_config else {
        unreachable!("the keepass crate's default KDF is Argon2")
    };
    let argon2id = KdfConfig::Argon2id {
        iterations: 1,
        memory: 64 * 1024,
        parallelism: 2,
        version,
    };
    seeds.import("import_kdbx", "argon2id.kdbx", kdbx(argon2id));
    seeds.import(
        "import_kdbx",
        "aes-kdf.kdbx",
        kdbx(KdfConfig::Aes { rounds: 100 }),
    );
}

/// A KDBX 4 database holding each way KeePass apps write a one-time
/// password, a group, tags and a recycle bin.
fn kdbx(kdf: KdfConfig) -> Vec<u8> {
    let mut database = Database::new();
    database.config.kdf_config = kdf;
    {
        let mut root = database.root_mut();
        root.name = "Root".into();
        let mut entry = root.add_entry();
        entry.set_unprotected(fields::TITLE, "Example");
        entry.set_unprotected(fields::USERNAME, "alice@example.com");
        entry.set_protected(
            fields::OTP,
            "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        );
        entry.set_unprotected(fields::NOTES, "work laptop");
        entry.tags = vec!["work".into()];
        let mut entry = root.add_entry();
        entry.set_unprotected(fields::TITLE, "Old KeePassXC");
        entry.set_unprotected(fields::USERNAME, "bob");
        entry.set_protected("TOTP Seed", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        entry.set_unprotected("TOTP Settings", "30;8;SHA256");
        let mut entry = root.add_entry();
        entry.set_unprotected(fields::TITLE, "KeeOtp");
        entry.set_protected(
            fields::OTP,
            "key=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&size=8&step=60&otpHashMode=Sha512",
        );
        let mut entry = root.add_entry();
        entry.set_unprotected(fields::TITLE, "Password only");
        entry.set_protected(fields::PASSWORD, "hunter2");
        let mut group = root.add_group();
        group.name = "Servers".into();
        let mut entry = group.add_entry();
        entry.set_unprotected(fields::TITLE, "Issuu");
        entry.set_unprotected(fields::USERNAME, "James");
        entry.set_protected("HmacOtp-Secret-Base32", "YOOMIXWS5GN6RTBPUFFWKTW5M4");
        entry.set_unprotected("HmacOtp-Counter", "10");
        let mut entry = group.add_entry();
        entry.set_unprotected(fields::TITLE, "Time OTP");
        entry.set_protected(
            "TimeOtp-Secret-Hex",
            "3132333435363738393031323334353637383930",
        );
        entry.set_unprotected("TimeOtp-Length", "7");
        entry.set_unprotected("TimeOtp-Period", "20");
        entry.set_unprotected("TimeOtp-Algorithm", "HMAC-SHA-256");
    }
    let mut bytes = Vec::new();
    database
        .save(&mut bytes, DatabaseKey::new().with_password(FUZZ_PASSWORD))
        .unwrap();
    bytes
}

// ---- FreeOTP 2 ----

fn signed(bytes: &[u8]) -> Vec<i8> {
    bytes.iter().map(|b| *b as i8).collect()
}

/// One of FreeOTP's `EncryptedKey`s: AES-256-GCM, the nonce in DER
/// `GCMParameters`, the token text as associated data.
fn encrypted_key(key: &[u8; 32], nonce: [u8; 12], token: &str, plain: &[u8]) -> serde_json::Value {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: token.as_bytes(),
            },
        )
        .unwrap();
    let mut parameters = vec![0x30, 0x11, 0x04, 0x0c];
    parameters.extend_from_slice(&nonce);
    parameters.extend_from_slice(&[0x02, 0x01, 0x10]);
    json!({
        "mCipher": "AES/GCM/NoPadding",
        "mCipherText": signed(&sealed),
        "mParameters": signed(&parameters),
        "mToken": token,
    })
}

fn freeotp2_seeds(seeds: &Seeds) {
    let master = [7u8; 32];
    let salt = [3u8; 32];
    let mut password_key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(FUZZ_PASSWORD.as_bytes(), &salt, 100, &mut password_key);
    let master_key = json!({
        "mAlgorithm": "PBKDF2withHmacSHA512",
        "mIterations": 100,
        "mSalt": signed(&salt),
        "mEncryptedKey": encrypted_key(&password_key, [1; 12], "AES", &master),
    });
    let token = |nonce: u8, secret: &[u8]| {
        let key = encrypted_key(&master, [nonce; 12], "HmacSHA1", secret);
        json!({"key": key.to_string()}).to_string()
    };
    let entries = [
        ("masterKey".to_owned(), master_key.to_string()),
        (
            "0b7c6a2e-1f3d-4e5a-9b8c-7d6e5f4a3b2c".to_owned(),
            token(2, b"Hello!\xde\xad\xbe\xef"),
        ),
        (
            "0b7c6a2e-1f3d-4e5a-9b8c-7d6e5f4a3b2c-token".to_owned(),
            json!({"algo": "SHA256", "digits": 8, "issuerExt": "Example", "label": "alice",
                   "period": 60, "type": "TOTP"})
            .to_string(),
        ),
        (
            "5d1c9e8f-2a3b-4c5d-8e7f-6a5b4c3d2e1f".to_owned(),
            token(3, b"12345678901234567890"),
        ),
        (
            "5d1c9e8f-2a3b-4c5d-8e7f-6a5b4c3d2e1f-token".to_owned(),
            json!({"counter": 5, "issuerInt": "Issuu", "label": "James", "type": "HOTP"})
                .to_string(),
        ),
    ];
    seeds.import("import_freeotp2", "backup.xml", java_string_map(&entries));
}

/// A serialised `java.util.HashMap<String, String>`, as `ObjectOutputStream`
/// writes one; the last value refers back to an earlier string.
fn java_string_map(entries: &[(String, String)]) -> Vec<u8> {
    fn utf(out: &mut Vec<u8>, text: &str) {
        out.extend_from_slice(&(text.len() as u16).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    let mut out = b"\xac\xed\x00\x05\x73\x72".to_vec();
    utf(&mut out, "java.util.HashMap");
    out.extend_from_slice(&0x0507_dac1_c316_60d1u64.to_be_bytes());
    out.push(0x03);
    out.extend_from_slice(&2u16.to_be_bytes());
    out.push(b'F');
    utf(&mut out, "loadFactor");
    out.push(b'I');
    utf(&mut out, "threshold");
    out.extend_from_slice(&[0x78, 0x70]);
    out.extend_from_slice(&0.75f32.to_be_bytes());
    out.extend_from_slice(&12u32.to_be_bytes());
    out.extend_from_slice(&[0x77, 0x08]);
    out.extend_from_slice(&16u32.to_be_bytes());
    out.extend_from_slice(&(entries.len() as u32 + 1).to_be_bytes());
    for (key, value) in entries {
        for text in [key, value] {
            out.push(0x74);
            utf(&mut out, text);
        }
    }
    // One more pair: a new key whose value is a back-reference to the
    // first key string (handle 2), as Java writes a repeated string.
    out.push(0x74);
    utf(&mut out, "note");
    out.push(0x71);
    out.extend_from_slice(&0x7e_0002u32.to_be_bytes());
    out.push(0x78);
    out
}

// ---- ZIP exports ----

fn zip_file(members: &[(&str, &[u8])], password: Option<&[u8]>) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    if let Some(password) = password {
        options = options.with_deprecated_encryption(password).unwrap();
    }
    for (name, bytes) in members {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn zip_seeds(seeds: &Seeds) {
    let attributes =
        json!({"version": 3, "description": "1Password Unencrypted Export", "timestamp": 1});
    let item = |title: &str, totp: &str, fav: u32, state: &str| {
        json!({"state": state, "favIndex": fav,
          "overview": {"title": title, "url": "https://example.com", "tags": ["work"]},
          "details": {"loginFields": [
              {"value": "alice", "name": "username", "fieldType": "T", "designation": "username"},
              {"value": "hunter2", "name": "password", "fieldType": "P", "designation": "password"}],
            "notesPlain": "a note",
            "sections": [{"title": "", "fields": [
              {"title": "one-time password", "id": "TOTP_x", "value": {"totp": totp}}]}]}})
    };
    let data = json!({"accounts": [{"attrs": {"name": "Alice"}, "vaults": [
    {"attrs": {"name": "Personal"}, "items": [
        item("Example", "JBSWY3DPEHPK3PXP", 1, "active"),
        item("ACME", "otpauth://totp/ACME%20Co:john?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60", 0, "archived"),
        item("Gone", "JBSWY3DPEHPK3PXP", 0, "deleted"),
    ]}]}]});
    seeds.import(
        "import_zip_formats",
        "1password.1pux",
        zip_file(
            &[
                ("export.attributes", attributes.to_string().as_bytes()),
                ("export.data", data.to_string().as_bytes()),
            ],
            None,
        ),
    );

    let pass_item = |name: &str, totp: &str, state: u32| {
        json!({"itemId": "i", "shareId": "s", "state": state, "pinned": state == 1,
          "data": {"metadata": {"name": name, "note": "a note", "itemUuid": "u"},
            "type": "login", "content": {"itemEmail": "alice@example.com",
              "itemUsername": "", "password": "hunter2", "urls": [], "totpUri": totp},
            "extraFields": [{"fieldName": "2nd", "type": "totp",
              "data": {"totpUri": "otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&counter=10"}}]}})
    };
    let pass = json!({"version": "1.21.0", "userId": "u", "encrypted": false, "vaults": {
    "share1": {"name": "Work", "description": "", "items": [
        pass_item("Example", "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example", 1),
        pass_item("Bare", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1),
        pass_item("Trashed", "JBSWY3DPEHPK3PXP", 2),
    ]}}});
    seeds.import(
        "import_zip_formats",
        "proton-pass.zip",
        zip_file(
            &[("Proton Pass/data.json", pass.to_string().as_bytes())],
            None,
        ),
    );

    let winauth = "otpauth://totp/Authenticator?secret=JBSWY3DPEHPK3PXP&digits=6&icon=WinAuth\n\
        otpauth://totp/Google:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=6&issuer=Google&icon=Google\n\
        otpauth://totp/Steam:gaben?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&digits=5&issuer=Steam&deviceid=android%3A1234&data=%7B%7D&icon=Steam\n\
        otpauth://hotp/Counter?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&digits=8&counter=42&icon=WinAuth\n";
    seeds.import(
        "import_zip_formats",
        "winauth-zipcrypto.zip",
        zip_file(
            &[("winauth-2026-11-23.txt", winauth.as_bytes())],
            Some(FUZZ_PASSWORD.as_bytes()),
        ),
    );

    let accounts =
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example\n\
        otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&counter=10\n";
    seeds.import(
        "import_zip_formats",
        "authenticator-plus-zipcrypto.zip",
        zip_file(
            &[("Accounts.txt", accounts.as_bytes())],
            Some(FUZZ_PASSWORD.as_bytes()),
        ),
    );
}

// ---- SQLite databases ----

/// A database built with `sql` in 1024-byte pages, as its image.
fn sqlite(sql: &str) -> Vec<u8> {
    let mut connection = Connection::open_in_memory().unwrap();
    connection
        .execute_batch(&format!("PRAGMA page_size = 1024; {sql}"))
        .unwrap();
    connection.serialize(MAIN_DB).unwrap().to_vec()
}

fn sqlite_seeds(seeds: &Seeds) {
    seeds.import(
        "import_sqlite_formats",
        "google-authenticator.db",
        sqlite(
            "CREATE TABLE android_metadata (locale TEXT);
            CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL,
                secret TEXT NOT NULL, counter INTEGER DEFAULT 0, type INTEGER,
                provider INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL,
                original_name TEXT DEFAULT NULL);
            INSERT INTO accounts (email, secret, counter, type, issuer) VALUES
              ('Example:alice@example.com', 'JBSWY3DPEHPK3PXP', 0, 0, 'Example'),
              ('Issuu:James', 'yoom ixws 5gn6 rtbp uffw ktw5 m4', 7, 1, 'Issuu'),
              ('bob', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 0, 0, NULL);",
        ),
    );
    seeds.import(
        "import_sqlite_formats",
        "microsoft-authenticator.db",
        sqlite(
            "CREATE TABLE `accounts` (`_id` INTEGER PRIMARY KEY AUTOINCREMENT,
                `group_key` TEXT NOT NULL, `name` TEXT NOT NULL, `username` TEXT NOT NULL,
                `paws_url` TEXT NOT NULL, `oath_secret_key` TEXT NOT NULL,
                `oath_enabled` INTEGER NOT NULL, `account_type` INTEGER NOT NULL,
                `encrypted_oath_secret_key` TEXT NOT NULL);
            INSERT INTO accounts (group_key, name, username, paws_url, oath_secret_key,
                oath_enabled, account_type, encrypted_oath_secret_key) VALUES
              ('0', 'Example', 'alice', '', 'JBSWY3DPEHPK3PXP', 0, 0, ''),
              ('0', 'Microsoft', 'me@example.com', '', 'SGVsbG8hIEhlbGxvIQ==', 1, 1, ''),
              ('0', 'Contoso', 'me@contoso.com', 'https://x', '', 1, 2, ''),
              ('0', 'New', 'n', '', '', 0, 0, 'AAAA');",
        ),
    );
    seeds.import(
        "import_sqlite_formats",
        "stratum.db",
        sqlite(
            r#"CREATE TABLE "authenticator" ("type" integer, "icon" varchar,
              "issuer" varchar(32), "username" varchar(40), "secret" varchar primary key not null,
              "pin" varchar, "algorithm" integer, "digits" integer, "period" integer,
              "counter" integer, "ranking" integer);
            CREATE TABLE "category" ("id" varchar(8) primary key not null, "name" varchar(32),
              "ranking" integer);
            CREATE TABLE "authenticatorcategory" ("categoryId" varchar,
              "authenticatorSecret" varchar, "ranking" integer);
            INSERT INTO authenticator VALUES
              (2, NULL, 'Example', 'alice', 'JBSWY3DPEHPK3PXP', NULL, 0, 6, 30, 0, 0),
              (2, NULL, 'SPDX', 'James', '5OM4WOOGPLQEF6UGN3CPEOOLWU', NULL, 1, 7, 20, 0, 1),
              (1, NULL, 'Issuu', 'Mason', 'YOOMIXWS5GN6RTBPUFFWKTW5M4', NULL, 2, 8, 30, 10, 2),
              (4, NULL, 'Steam', 'gaben', 'JRZCL47CMXVOQMNPZR2F7J4RGI', NULL, 0, 5, 30, 0, 3),
              (3, NULL, 'Motp', 'm', '7ac61d4736f51a2b', '1234', 0, 6, 10, 0, 4);
            INSERT INTO category VALUES ('c1', 'Work', 0), ('c2', 'Home', 1);
            INSERT INTO authenticatorcategory VALUES
              ('c1', 'JBSWY3DPEHPK3PXP', 0), ('c2', 'JBSWY3DPEHPK3PXP', 1),
              ('c2', 'JRZCL47CMXVOQMNPZR2F7J4RGI', 0);"#,
        ),
    );
    seeds.import(
        "import_sqlite_formats",
        "authenticator-plus-plain.db",
        sqlite(
            "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL,
                secret TEXT NOT NULL, counter INTEGER DEFAULT 0, type INTEGER,
                provider INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL,
                original_name TEXT DEFAULT NULL, category TEXT DEFAULT NULL);
            CREATE TABLE category (_id INTEGER PRIMARY KEY, name TEXT, position INTEGER);
            INSERT INTO category (name, position) VALUES ('All Accounts', 0), ('Work', 1);
            INSERT INTO accounts (email, secret, counter, type, issuer, original_name, category)
              VALUES
              ('alice@example.com', 'JBSWY3DPEHPK3PXP', 0, 0, 'Example',
               'Example:alice@example.com', 'Work'),
              ('James', 'YOOMIXWS5GN6RTBPUFFWKTW5M4', 10, 1, 'Issuu', 'Issuu:James',
               'All Accounts'),
              ('', '0b0d1bbcc5046102f0cc9eba904d7aae16038c28', 0, 2, 'Battle.net',
               'EU-1234-5678-9012', NULL);",
        ),
    );
}

// ---- Android shared preferences ----

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A shared preferences file as `XmlUtils.writeMapXml` writes one.
fn prefs(strings: &[(&str, &str)]) -> String {
    let mut xml = String::from("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n");
    xml.push_str("    <int name=\"key_version\" value=\"121\" />\n");
    xml.push_str("    <boolean name=\"first_run\" value=\"false\" />\n");
    for (name, value) in strings {
        xml.push_str(&format!(
            "    <string name=\"{}\">{}</string>\n",
            escape(name),
            escape(value)
        ));
    }
    xml.push_str("    <set name=\"seen\">\n        <string>a</string>\n    </set>\n");
    xml.push_str("    <null name=\"nothing\" />\n</map>\n");
    xml
}

fn prefs_seeds(seeds: &Seeds) {
    let authy = json!([
        {"decryptedSecret": "JBSWY3DPEHPK3PXP", "digits": 7, "originalIssuer": "Example",
         "originalName": "Example:alice", "name": "Example: alice"},
        {"decryptedSecret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "digits": 6, "name": "Plain:Name"},
    ]);
    seeds.import(
        "import_android_prefs",
        "authy.xml",
        prefs(&[(
            "com.authy.storage.tokens.authenticator.key",
            &authy.to_string(),
        )]),
    );

    let totp = json!({"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Example",
        "label": "alice", "period": 30, "secret": signed(b"Hello!\xde\xad\xbe\xef"),
        "type": "TOTP"});
    let hotp = json!({"algo": "SHA256", "counter": 10, "digits": 8, "issuerExt": "Issuu",
        "label": "James", "period": 30, "secret": signed(b"12345678901234567890"),
        "type": "HOTP"});
    seeds.import(
        "import_android_prefs",
        "freeotp-tokens.xml",
        prefs(&[
            ("tokenOrder", r#"["Example:alice","Issuu:James"]"#),
            ("Example:alice", &totp.to_string()),
            ("Issuu:James", &hotp.to_string()),
        ]),
    );

    // Masked as the app masks them: hex of the text XORed with the mask
    // built into the app (published in the readers the importer cites).
    let mask = |plain: &[u8]| -> String {
        let mask = "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6\
                    c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a";
        let mask: Vec<u8> = (0..mask.len() / 2)
            .map(|i| u8::from_str_radix(&mask[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        plain
            .iter()
            .zip(&mask)
            .map(|(p, m)| format!("{:02x}", p ^ m))
            .collect()
    };
    seeds.import(
        "import_android_prefs",
        "battle-net.xml",
        prefs(&[
            (
                "com.blizzard.messenger.AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE",
                "MASK",
            ),
            (
                "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET",
                &mask(b"0b0d1bbcc5046102f0cc9eba904d7aae16038c28"),
            ),
            (
                "com.blizzard.messenger.AUTHENTICATOR_SERIAL",
                &mask(b"EU-1234-5678-9012"),
            ),
        ]),
    );

    let list = json!([
        {"base": 16, "digits": "7", "period": "20", "issuer": "SPDX", "name": "james",
         "key": "EB99CB39C67AE042FA866EC4F239CBB5", "accountHeaderLabel": "work"},
        {"base": 32, "digits": "", "period": "", "issuer": "Example", "name": "alice",
         "key": "JBSWY3DPEHPK3PXP"},
        {"base": 64, "digits": "8", "period": "", "issuer": "B64", "name": "x", "key": "AQID"},
    ]);
    seeds.import(
        "import_android_prefs",
        "totp-authenticator.xml",
        prefs(&[
            ("RATE_US_COUNTER", "1"),
            ("STATIC_TOTP_CODES_LIST", &list.to_string()),
        ]),
    );
}
