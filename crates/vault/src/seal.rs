//! A vault image in memory: sealing contents under a header, opening an
//! image with a key slot, and the bytes API built on the two
//! ([`seal_new`], [`open_bytes`]).
//!
//! It exists so that files and bytes go through one parser, one unlocker
//! and one decrypter: [`UnlockedVault`](crate::UnlockedVault) reads a file,
//! hands its bytes to [`open_image`] and adds the path and the backups to a
//! failure; [`open_bytes`] hands over the bytes it was given. Nothing here
//! touches the file system; only a keyring slot touches the keyring.

use std::io;

use zeroize::Zeroizing;

use crate::crypto::{self, Key32};
use crate::error::ImageError;
use crate::format::{self, FormatError, Header, HexBytes, ParsedFile};
use crate::kdf::Password;
use crate::keyring_slot::KeyStore;
use crate::model::Contents;
use crate::slots::{
    new_keyring_slot, new_password_slot, CreateOptions, SlotFailure, Unlock, Unlocker, VaultInfo,
};

/// A vault image opened with [`open_bytes`]: its contents and what its
/// header says.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OpenedImage {
    /// The decrypted contents.
    pub contents: Contents,
    /// The vault's id and key slots.
    pub info: VaultInfo,
}

/// Makes a new vault image in memory: the bytes of a complete vault file,
/// as [`UnlockedVault::create`](crate::UnlockedVault::create) would write
/// it, holding `contents` with its `modified_at` set to `now`.
///
/// The image gets a fresh vault id, a fresh master key and the slots asked
/// for in `options`: a password slot (one Argon2id run with
/// `options.kdf`, about 0.5 s with the defaults) and/or a keyring slot,
/// whose key is stored in `options.keyring` under a fresh name. That entry
/// stays in the store: a caller that throws the image away should delete
/// it (its user name is in the image's [`VaultInfo`], see [`inspect_bytes`](crate::inspect_bytes)).
///
/// Fails with [`ImageError::NoSlot`] if neither a password nor a keyring is
/// given, [`ImageError::EmptyPassword`], [`ImageError::KeyringWrite`] (no
/// entry is left behind) or [`ImageError::Random`].
pub fn seal_new(
    contents: &Contents,
    options: CreateOptions<'_>,
    now: u64,
) -> Result<Vec<u8>, ImageError> {
    check_options(&options)?;
    build_new(options, contents.clone(), now).map(|new| new.file_bytes)
}

/// Opens a vault image from its bytes with the given slot kind: the bytes
/// counterpart of [`UnlockedVault::open`](crate::UnlockedVault::open),
/// with the same checks in the same order (size cap, magic line and
/// version, header, the KDF parameters against the caps before any
/// derivation, authentication of header and body, the contents).
///
/// A keyring is only read, never written. Errors name no file: the bytes
/// may come from anywhere.
pub fn open_bytes(bytes: &[u8], unlock: Unlock<'_>) -> Result<OpenedImage, ImageError> {
    let opened = open_image(bytes, &mut Unlocker::new(unlock))?;
    Ok(OpenedImage {
        info: VaultInfo::from_header(&opened.header),
        contents: opened.contents,
    })
}

/// An image opened in memory, with what a vault needs to save it again.
pub(crate) struct Opened {
    /// The master key.
    pub master: Key32,
    /// The parsed header.
    pub header: Header,
    /// The header bytes exactly as they were read or written.
    pub header_bytes: Vec<u8>,
    /// The decrypted contents.
    pub contents: Contents,
    /// Length of the contents JSON, a size hint for the next seal.
    pub body_len: usize,
}

/// Why an image did not open, by the step that failed: a file's error
/// tries its backups differently after each.
#[derive(Debug)]
pub(crate) enum OpenFailure {
    /// The bytes are not a vault this version reads.
    Format(FormatError),
    /// No slot gave the master key.
    Slot(SlotFailure),
    /// A slot gave the master key, but the body did not give contents.
    Body {
        /// The key that was unwrapped, to try the backups with.
        master: Key32,
        /// What went wrong.
        why: Undecryptable,
    },
}

impl From<OpenFailure> for ImageError {
    fn from(failure: OpenFailure) -> Self {
        match failure {
            OpenFailure::Format(e) => e.into(),
            OpenFailure::Slot(f) => f.into(),
            OpenFailure::Body { why, .. } => why.into(),
        }
    }
}

/// Parses `bytes`, unlocks a slot with `unlocker` and decrypts the body.
pub(crate) fn open_image(bytes: &[u8], unlocker: &mut Unlocker<'_>) -> Result<Opened, OpenFailure> {
    let parsed = format::parse(bytes).map_err(OpenFailure::Format)?;
    let master = unlocker.unlock(&parsed.header).map_err(OpenFailure::Slot)?;
    match decrypt(&master, &parsed) {
        Ok((contents, body_len)) => Ok(Opened {
            master,
            header_bytes: parsed.header_bytes.to_vec(),
            header: parsed.header,
            contents,
            body_len,
        }),
        Err(why) => Err(OpenFailure::Body { master, why }),
    }
}

/// A new image, and the keyring entry made for it.
pub(crate) struct NewImage<'a> {
    /// The image's key, header and contents.
    pub opened: Opened,
    /// The image.
    pub file_bytes: Vec<u8>,
    /// The store and user name of the keyring slot's entry, if it has one.
    pub keyring_entry: Option<(&'a dyn KeyStore, String)>,
}

/// Refuses options that cannot make a vault, before any work.
pub(crate) fn check_options(options: &CreateOptions<'_>) -> Result<(), ImageError> {
    if options.password.is_none() && options.keyring.is_none() {
        return Err(ImageError::NoSlot);
    }
    if options.password.is_some_and(Password::is_empty) {
        return Err(ImageError::EmptyPassword);
    }
    Ok(())
}

/// Makes a new image (see [`seal_new`]). If sealing fails after the
/// keyring entry was stored, the entry is deleted again.
pub(crate) fn build_new<'a>(
    options: CreateOptions<'a>,
    mut contents: Contents,
    now: u64,
) -> Result<NewImage<'a>, ImageError> {
    check_options(&options)?;
    let vault_id = HexBytes(crypto::random_array()?);
    let master = Key32::random()?;
    let mut slots = Vec::new();
    if let Some(password) = options.password {
        slots.push(new_password_slot(
            &vault_id,
            &master,
            password,
            options.kdf,
        )?);
    }
    let mut keyring_entry = None;
    if let Some(store) = options.keyring {
        let (slot, user) = new_keyring_slot(&vault_id, &master, store)?;
        slots.push(slot);
        keyring_entry = Some((store, user));
    }
    let header = Header::new(vault_id, slots);
    let header_bytes = header.to_bytes();
    contents.modified_at = now;
    let (file_bytes, body_len) = match seal(&master, &header_bytes, &contents, 0) {
        Ok(sealed) => sealed,
        Err(e) => {
            if let Some((store, user)) = keyring_entry {
                let _ = store.delete(&user);
            }
            return Err(e);
        }
    };
    Ok(NewImage {
        opened: Opened {
            master,
            header,
            header_bytes,
            contents,
            body_len,
        },
        file_bytes,
        keyring_entry,
    })
}

/// Why an unwrapped key did not give contents.
#[derive(Debug)]
pub(crate) enum Undecryptable {
    /// The body's tag does not verify.
    Authentication,
    /// The plaintext is not valid contents JSON.
    Contents(String),
}

impl From<Undecryptable> for ImageError {
    fn from(why: Undecryptable) -> Self {
        match why {
            Undecryptable::Authentication => ImageError::Damaged {
                reason: "body fails authentication".into(),
            },
            Undecryptable::Contents(reason) => ImageError::BadContents { reason },
        }
    }
}

/// Decrypts the body with `master` and parses the contents; also returns
/// the plaintext's length.
pub(crate) fn decrypt(
    master: &Key32,
    parsed: &ParsedFile<'_>,
) -> Result<(Contents, usize), Undecryptable> {
    let plain = crypto::open(master, parsed.header_bytes, parsed.body)
        .ok_or(Undecryptable::Authentication)?;
    let contents = serde_json::from_slice::<Contents>(&plain).map_err(|e| {
        // Position and category only: serde_json messages may quote values.
        Undecryptable::Contents(format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    Ok((contents, plain.len()))
}

/// Serialises `contents` into a buffer that is wiped when dropped (growing
/// it by copying into a fresh wiped buffer, so no stray copy of the
/// plaintext is left in freed memory), then seals it under `header_bytes`.
/// Returns the whole image and the plaintext's length.
pub(crate) fn seal(
    master: &Key32,
    header_bytes: &[u8],
    contents: &Contents,
    size_hint: usize,
) -> Result<(Vec<u8>, usize), ImageError> {
    let mut buf = WipingBuf(Zeroizing::new(Vec::with_capacity(
        size_hint + size_hint / 8 + 4096,
    )));
    serde_json::to_writer(&mut buf, contents).map_err(|e| ImageError::Encode {
        reason: e.to_string(),
    })?;
    let body = crypto::seal(master, header_bytes, &buf.0)?;
    let mut file = Vec::with_capacity(header_bytes.len() + body.len());
    file.extend_from_slice(header_bytes);
    file.extend_from_slice(&body);
    Ok((file, buf.0.len()))
}

/// A writer into a buffer that wipes every allocation it lets go of.
struct WipingBuf(Zeroizing<Vec<u8>>);

impl io::Write for WipingBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let needed = self.0.len() + data.len();
        if needed > self.0.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(self.0.capacity() * 2)));
            bigger.extend_from_slice(&self.0);
            // The old buffer is wiped as it drops.
            self.0 = bigger;
        }
        self.0.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;
    use std::time::Duration;

    use serde_json::Map;
    use tessera_otp::{Enrollment, OtpParams, Secret};

    use crate::backups::BackupReport;
    use crate::format::{hex, wrap_aad, KdfSpec, PasswordSlot, Salt, SlotEntry};
    use crate::kdf::{self, KdfLimitError, KdfParams};
    use crate::keyring_slot::{KeyStoreError, MemoryKeyStore};
    use crate::model::{Account, AccountId};
    use crate::slots::{inspect_bytes, SlotKind};
    use crate::test_support::{account, opts, pw, tmpdir, NOW};
    use crate::unlocked::UnlockedVault;

    // ----- The bytes API -----

    fn sealed(password: Option<&Password>, keyring: Option<&dyn KeyStore>) -> Vec<u8> {
        let mut contents = Contents::default();
        contents.accounts.push(account("a"));
        seal_new(&contents, opts(password, keyring), NOW + 5).unwrap()
    }

    /// The image with `from` replaced by `to` in its header line, the body
    /// kept byte for byte.
    fn with_header_edit(image: &[u8], from: &str, to: &str) -> Vec<u8> {
        let parsed = format::parse(image).unwrap();
        let header = String::from_utf8(parsed.header_bytes.to_vec()).unwrap();
        let edited = header.replace(from, to);
        assert_ne!(edited, header, "{from} not in the header");
        [edited.as_bytes(), parsed.body].concat()
    }

    #[test]
    fn seal_new_then_open_bytes_with_the_password() {
        let p = pw("correct horse");
        let mut contents = Contents::default();
        contents.accounts.push(account("a"));
        let image = seal_new(&contents, opts(Some(&p), None), NOW + 5).unwrap();
        assert!(image.starts_with(b"tessera-vault v1\n{\"vault_id\":\""));
        assert!(!String::from_utf8_lossy(&image).contains("JBSWY3DPEHPK3PXP"));
        // The caller's contents are untouched; the image's carry `now`.
        assert_eq!(contents.modified_at, 0);
        let opened = open_bytes(&image, Unlock::Password(&p)).unwrap();
        assert_eq!(opened.contents.modified_at, NOW + 5);
        assert_eq!(opened.contents.accounts, contents.accounts);
        assert!(opened.info.has_password() && !opened.info.has_keyring());
        assert_eq!(opened.info, inspect_bytes(&image).unwrap());
        // Each image is a new vault: fresh id, fresh keys, fresh nonces.
        let again = seal_new(&contents, opts(Some(&p), None), NOW + 5).unwrap();
        assert_ne!(
            inspect_bytes(&again).unwrap().vault_id,
            opened.info.vault_id
        );
        // It is a vault file like any other.
        let d = tmpdir();
        let path = d.join("from-bytes.tessera");
        fs::write(&path, &image).unwrap();
        let v = UnlockedVault::open_with_password(&path, &p).unwrap();
        assert_eq!(v.contents(), &opened.contents);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn open_bytes_with_a_wrong_password() {
        let image = sealed(Some(&pw("right")), None);
        let e = open_bytes(&image, Unlock::Password(&pw("wrong"))).unwrap_err();
        assert!(matches!(e, ImageError::WrongPassword), "{e}");
        assert_eq!(e.to_string(), "wrong password");
        let store = MemoryKeyStore::new();
        let e = open_bytes(&image, Unlock::Keyring(&store)).unwrap_err();
        assert!(matches!(e, ImageError::NoKeyringSlot), "{e}");
    }

    #[test]
    fn seal_new_with_a_keyring_slot() {
        let store = MemoryKeyStore::new();
        let image = sealed(None, Some(&store));
        let users = store.users();
        assert_eq!(users.len(), 1, "the key is stored, like create does");
        let info = inspect_bytes(&image).unwrap();
        assert!(!info.has_password() && info.has_keyring());
        let SlotKind::Keyring { user } = &info.slots[0].kind else {
            panic!("{info:?}")
        };
        assert_eq!(user, &users[0]);
        let opened = open_bytes(&image, Unlock::Keyring(&store)).unwrap();
        assert_eq!(opened.contents.accounts.len(), 1);
        let e = open_bytes(&image, Unlock::Password(&pw("x"))).unwrap_err();
        assert!(matches!(e, ImageError::NoPasswordSlot), "{e}");
        // An unavailable keyring, then an entry with another key.
        store.set_unavailable(true);
        let e = open_bytes(&image, Unlock::Keyring(&store)).unwrap_err();
        assert!(
            matches!(
                e,
                ImageError::Keyring {
                    source: KeyStoreError::Unavailable { .. },
                    ..
                }
            ),
            "{e}"
        );
        store.set_unavailable(false);
        store.delete(user).unwrap();
        store.create(user, hex(&[7u8; 32]).as_bytes()).unwrap();
        let e = open_bytes(&image, Unlock::Keyring(&store)).unwrap_err();
        assert!(matches!(e, ImageError::KeyringKeyRejected { .. }), "{e}");
        // Storing the key fails: no image, and no entry left behind.
        let empty = MemoryKeyStore::new();
        empty.set_unavailable(true);
        let e = seal_new(&Contents::default(), opts(None, Some(&empty)), NOW).unwrap_err();
        assert!(matches!(e, ImageError::KeyringWrite { .. }), "{e}");
        empty.set_unavailable(false);
        assert!(empty.users().is_empty());
    }

    #[test]
    fn seal_new_refuses_no_slot_and_an_empty_password() {
        let c = Contents::default();
        let e = seal_new(&c, opts(None, None), NOW).unwrap_err();
        assert!(matches!(e, ImageError::NoSlot), "{e}");
        let store = MemoryKeyStore::new();
        let e = seal_new(&c, opts(Some(&pw("")), Some(&store)), NOW).unwrap_err();
        assert!(matches!(e, ImageError::EmptyPassword), "{e}");
        assert!(store.users().is_empty(), "refused before storing a key");
    }

    #[test]
    fn damaged_images_give_typed_errors_without_a_path() {
        let p = pw("pw");
        let image = sealed(Some(&p), None);
        let open = |bytes: &[u8]| open_bytes(bytes, Unlock::Password(&p)).unwrap_err();
        let mut errors = Vec::new();
        // A flipped body byte.
        let mut b = image.clone();
        *b.last_mut().unwrap() ^= 1;
        let e = open(&b);
        assert!(
            matches!(&e, ImageError::Damaged { reason } if reason == "body fails authentication"),
            "{e}"
        );
        errors.push(e);
        // Cut short, inside the body's nonce and tag.
        let header_len = format::parse(&image).unwrap().header_bytes.len();
        let e = open(&image[..header_len + 20]);
        assert!(
            matches!(&e, ImageError::Damaged { reason } if reason.contains("truncated")),
            "{e}"
        );
        errors.push(e);
        // A changed header field outside the slots fails authentication too.
        let e = open(&with_header_edit(&image, "\"cipher\"", "\"cipher\" "));
        assert!(matches!(&e, ImageError::Damaged { .. }), "{e}");
        errors.push(e);
        // Not a vault; a newer version; nothing at all.
        let e = open(b"PK\x03\x04 a zip file");
        assert!(matches!(e, ImageError::NotAVault), "{e}");
        errors.push(e);
        let mut b = image.clone();
        b[15] = b'2';
        let e = open(&b);
        assert!(
            matches!(e, ImageError::UnsupportedVersion { found: 2 }),
            "{e}"
        );
        assert!(e.to_string().contains("update Tessera"), "{e}");
        errors.push(e);
        let e = open(b"");
        assert!(matches!(e, ImageError::Damaged { .. }), "{e}");
        errors.push(e);
        // Over the size cap, refused on its length alone.
        let big = vec![0u8; format::MAX_FILE_LEN as usize + 1];
        let e = open(&big);
        assert!(
            matches!(e, ImageError::TooLarge { size } if size == format::MAX_FILE_LEN + 1),
            "{e}"
        );
        errors.push(e);
        // Authentic, but contents this version cannot read.
        let new = build_new(opts(Some(&p), None), Contents::default(), NOW).unwrap();
        let header_bytes = &new.opened.header_bytes;
        let body = crypto::seal(&new.opened.master, header_bytes, b"[1, 2]").unwrap();
        let e = open(&[header_bytes.as_slice(), &body].concat());
        assert!(matches!(&e, ImageError::BadContents { .. }), "{e}");
        errors.push(e);
        for e in errors {
            let msg = e.to_string();
            assert!(!msg.contains('/') && !msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn open_bytes_refuses_kdf_parameters_over_the_caps_before_deriving() {
        let p = pw("pw");
        let image = sealed(Some(&p), None);
        for (from, to) in [
            ("\"m_cost_kib\":64", "\"m_cost_kib\":4294967296"),
            ("\"t_cost\":1", "\"t_cost\":1000000"),
            ("\"p_cost\":1", "\"p_cost\":255"),
            ("\"alg\":\"argon2id\"", "\"alg\":\"scrypt\""),
        ] {
            let hacked = with_header_edit(&image, from, to);
            let start = std::time::Instant::now();
            let e = open_bytes(&hacked, Unlock::Password(&p)).unwrap_err();
            assert!(start.elapsed() < Duration::from_millis(500), "{to}");
            assert!(matches!(e, ImageError::KdfLimit { .. }), "{to}: {e}");
        }
        let hacked = with_header_edit(&image, "\"m_cost_kib\":64", "\"m_cost_kib\":4294967296");
        let e = open_bytes(&hacked, Unlock::Password(&p)).unwrap_err();
        assert!(
            matches!(
                e,
                ImageError::KdfLimit {
                    source: KdfLimitError::Memory { .. }
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("4294967296 KiB"), "{e}");
    }

    #[test]
    fn open_bytes_and_files_fail_alike() {
        // One code path: the file error is the bytes error plus the path.
        let d = tmpdir();
        let path = d.join("v");
        let p = pw("pw");
        let image = sealed(Some(&p), None);
        let mut damaged = image.clone();
        *damaged.last_mut().unwrap() ^= 1;
        let cases: [(&[u8], &Password); 3] = [
            (&damaged, &p),
            (&image, &pw("wrong")),
            (b"tessera-vault v9\n", &p),
        ];
        for (bytes, password) in cases {
            fs::write(&path, bytes).unwrap();
            let file = UnlockedVault::open_with_password(&path, password).unwrap_err();
            let image = open_bytes(bytes, Unlock::Password(password)).unwrap_err();
            let at = image.at(&path, BackupReport::default());
            assert_eq!(file.to_string(), at.to_string());
        }
        fs::remove_dir_all(&d).unwrap();
    }

    // ----- The worked example of docs/vault-format.md, section 11 -----

    const DOC: &str = include_str!("../../../docs/vault-format.md");
    const EXAMPLE_BEGIN: &str = "<!-- worked-example:begin -->";
    const EXAMPLE_END: &str = "<!-- worked-example:end -->";

    struct Example {
        section: String,
        file: Vec<u8>,
    }

    fn worked_example() -> Example {
        let password = pw("correct horse battery staple");
        let params = KdfParams::new(1024, 1, 1).unwrap();
        let salt: Vec<u8> = (0x10..0x20).collect();
        let vault_id = HexBytes(std::array::from_fn(|i| (i as u8) * 0x11));
        let slot_id = HexBytes(std::array::from_fn(|i| 0xf0 | i as u8));
        let master = Key32::from_slice(&(0x40..0x60).collect::<Vec<u8>>()).unwrap();
        let wrap_nonce: [u8; 12] = std::array::from_fn(|i| 0xa0 + i as u8);
        let body_nonce: [u8; 12] = std::array::from_fn(|i| 0xb0 + i as u8);
        let kek = kdf::derive(&password, &salt, params);
        let aad = wrap_aad("password", &vault_id, &slot_id);
        let wrapped = crypto::wrap_with_nonce(&kek, &wrap_nonce, &aad, &master);
        let header = Header::new(
            vault_id,
            vec![SlotEntry::Password(PasswordSlot {
                id: slot_id,
                kdf: KdfSpec {
                    alg: "argon2id".into(),
                    version: 19,
                    m_cost_kib: 1024,
                    t_cost: 1,
                    p_cost: 1,
                    salt: Salt(salt.clone()),
                    extra: Map::new(),
                },
                nonce: HexBytes(wrap_nonce),
                wrapped_key: HexBytes(wrapped),
                extra: Map::new(),
            })],
        );
        let header_bytes = header.to_bytes();
        let mut contents = Contents {
            modified_at: 1_700_000_000,
            ..Contents::default()
        };
        contents.accounts.push(Account {
            id: AccountId::parse("000102030405060708090a0b0c0d0e0f").unwrap(),
            enrollment: Enrollment {
                issuer: "Example".into(),
                name: "alice@example.com".into(),
                // RFC 6238 Appendix B's SHA1 secret, "12345678901234567890".
                secret: Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap(),
                params: OtpParams::totp(),
            },
            notes: String::new(),
            favourite: false,
            tags: vec!["work".into()],
            created_at: 1_700_000_000,
            updated_at: 1_700_000_000,
            extra: Map::new(),
        });
        let plain = serde_json::to_string(&contents).unwrap();
        let body = crypto::seal_with_nonce(&master, &body_nonce, &header_bytes, plain.as_bytes());
        let file = [header_bytes.as_slice(), &body].concat();
        let tag = &body[body.len() - 16..];
        let dump = hex(&file)
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let header_text = String::from_utf8(header_bytes.clone()).unwrap();
        let section = format!(
            "{EXAMPLE_BEGIN}
Generated and checked by the test `worked_example_matches_the_doc` in
`crates/vault/src/seal.rs`, and checked independently with Python's
`cryptography` (AESGCM) and the reference Argon2 command-line tool
(`argon2 SALT -id -t 1 -k 1024 -p 1 -l 32 -r`). The KDF parameters are tiny so the example is quick
to check; real vaults use the defaults of section 4.

| input | value |
|---|---|
| password | `correct horse battery staple` (28 bytes of UTF-8) |
| KDF | Argon2id v19, m_cost_kib = 1024, t_cost = 1, p_cost = 1 |
| salt | `{salt}` |
| vault_id | `{vault_id}` |
| password slot id | `{slot_id}` |
| master key | `{master}` |
| wrap nonce | `{wrap_nonce}` |
| body nonce | `{body_nonce}` |

1. KEK = Argon2id(password, salt, m = 1024, t = 1, p = 1, 32 bytes) =
   `{kek}`
2. wrap AAD = `{aad}`;
   wrapped_key = AES-256-GCM(KEK, wrap nonce, master key, wrap AAD) =
   `{wrapped}`
3. Header bytes ({header_len} bytes; both lines end with LF):

   ```text
{header_indented}   ```

4. Contents JSON ({plain_len} bytes, the body plaintext):

   ```json
   {plain}
   ```

5. Body = body nonce || ciphertext || tag ({body_len} bytes), with the header
   bytes as AAD; the tag is `{tag}`.

6. The whole file ({file_len} bytes), hex, 32 bytes per line:

   ```text
{dump_indented}
   ```

Check: unlocking with the password and decrypting gives the contents above,
and the account's TOTP code at unix time 59 is `287082` (RFC 6238, Appendix B,
truncated to 6 digits).
{EXAMPLE_END}",
            salt = hex(&salt),
            vault_id = hex(&vault_id.0),
            slot_id = hex(&slot_id.0),
            master = hex(master.expose()),
            wrap_nonce = hex(&wrap_nonce),
            body_nonce = hex(&body_nonce),
            kek = hex(kek.expose()),
            aad = String::from_utf8(aad.clone()).unwrap(),
            wrapped = hex(&wrapped),
            header_len = header_bytes.len(),
            header_indented = header_text
                .lines()
                .map(|l| format!("   {l}\n"))
                .collect::<String>(),
            plain_len = plain.len(),
            body_len = body.len(),
            tag = hex(tag),
            file_len = file.len(),
            dump_indented = dump
                .lines()
                .map(|l| format!("   {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        Example { section, file }
    }

    /// Set `TESSERA_BLESS_DOC=1` to rewrite the section after a deliberate
    /// change of the example.
    #[test]
    fn worked_example_matches_the_doc() {
        let ex = worked_example();
        let (begin, end) = (DOC.find(EXAMPLE_BEGIN), DOC.find(EXAMPLE_END));
        let current = match (begin, end) {
            (Some(b), Some(e)) => &DOC[b..e + EXAMPLE_END.len()],
            _ => "",
        };
        if current != ex.section {
            if std::env::var_os("TESSERA_BLESS_DOC").is_some() {
                let doc_path =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/vault-format.md");
                let text = fs::read_to_string(&doc_path).unwrap();
                let text = match (text.find(EXAMPLE_BEGIN), text.find(EXAMPLE_END)) {
                    (Some(b), Some(e)) => format!(
                        "{}{}{}",
                        &text[..b],
                        ex.section,
                        &text[e + EXAMPLE_END.len()..]
                    ),
                    _ => text.replace("WORKED-EXAMPLE", &ex.section),
                };
                fs::write(doc_path, text).unwrap();
            } else {
                panic!("docs/vault-format.md section 11 is out of date; rerun with TESSERA_BLESS_DOC=1");
            }
        }
        // A reader opens the example file through the public API.
        let d = tmpdir();
        let path = d.join("example.tessera");
        fs::write(&path, &ex.file).unwrap();
        let v =
            UnlockedVault::open_with_password(&path, &pw("correct horse battery staple")).unwrap();
        let a = &v.contents().accounts[0];
        assert_eq!(a.enrollment.code_at(59).unwrap().as_str(), "287082");
        assert_eq!(a.tags, ["work"]);
        // And so does a reader of bytes.
        let opened = open_bytes(
            &ex.file,
            Unlock::Password(&pw("correct horse battery staple")),
        )
        .unwrap();
        assert_eq!(&opened.contents, v.contents());
        fs::remove_dir_all(&d).unwrap();
    }
}
