//! Hostile files through the real CLI: sizes meant to exhaust memory,
//! nesting meant to exhaust the stack, images whose header promises
//! gigapixels, key-derivation parameters meant to run for hours, bytes that
//! are not text, and labels a megabyte long.
//!
//! Each runs under a 1 GiB data limit and a 60 s deadline (`prlimit`,
//! `timeout`): an allocation or a hang beyond those kills the process and
//! fails the test, so "bounded time and memory" is checked, not assumed.
//! Each must end with one clear line on stderr and the vault untouched.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{cli_binary, stdout_ok, TestVault};

/// Address space a hostile input may make the CLI use, in bytes. The real
/// work (an Argon2id unlock at 128 MiB, a 64 MiB import) fits well within.
const DATA_LIMIT: u64 = 1 << 30;

/// Runs the CLI on `vault` with its password file, under the limits.
fn run_bounded(vault: &TestVault, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new("timeout");
    command
        .args(["--signal=KILL", "60", "prlimit"])
        .arg(format!("--data={DATA_LIMIT}"))
        .arg(cli_binary())
        .arg("--password-file")
        .arg(&vault.password_file)
        .args(args)
        .env("TESSERA_VAULT", &vault.path)
        .env_remove("TESSERA_PASSWORD_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = command.spawn().expect("could not run timeout/prlimit");
    if let Some(bytes) = stdin {
        use std::io::Write;
        // The CLI may refuse before reading it all; a broken pipe is fine.
        let _ = child.stdin.take().expect("stdin").write_all(bytes);
    }
    child.wait_with_output().expect("the CLI's output")
}

/// The CLI failed cleanly: not killed, not panicked, one line naming
/// `expected`.
fn refused(vault: &TestVault, what: &str, args: &[&str], stdin: Option<&[u8]>, expected: &str) {
    let output = run_bounded(vault, args, stdin);
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{what}: exit {:?} (killed by the time or memory bound?), stderr: {stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{what}: not one line: {stderr}");
    assert!(
        stderr.to_lowercase().contains(&expected.to_lowercase()),
        "{what}: expected {expected:?} in {stderr}"
    );
}

fn vault_with_one_account() -> TestVault {
    let vault = TestVault::new();
    stdout_ok(&vault.run_with_password(&["init"]), "init");
    stdout_ok(
        &vault.run_with_password(&[
            "add",
            "otpauth://totp/Keep:me?secret=JBSWY3DPEHPK3PXP&issuer=Keep",
        ]),
        "add",
    );
    vault
}

fn assert_untouched(vault: &TestVault) {
    let list = stdout_ok(&vault.run_with_password(&["list"]), "list");
    assert!(list.contains("Keep"), "{list}");
    assert_eq!(
        list.lines().filter(|l| !l.trim().is_empty()).count(),
        2,
        "{list}"
    );
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    crate::util::write_secret(&path, bytes);
    path.to_str().unwrap().to_owned()
}

/// A sparse file: `len` bytes long without writing them.
fn sparse(dir: &Path, name: &str, len: u64) -> String {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path.to_str().unwrap().to_owned()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header says `width`×`height` 8-bit grey pixels, followed by
/// a valid zlib stream that inflates to rows of zeros (as many as `rows`).
/// A decoder that trusts the header allocates width×height bytes first.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    // zlib header, then one stored block of 1024 zero bytes, then adler32.
    let mut idat = vec![0x78, 0x01, 0x01, 0x00, 0x04, 0xff, 0xfb];
    idat.extend_from_slice(&[0u8; 1024]);
    idat.extend_from_slice(&0x0400_0001u32.to_be_bytes());
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn hostile_sizes_nesting_and_images_are_refused_within_bounds() {
    let vault = vault_with_one_account();
    let dir = vault.dir.path().to_owned();

    let huge_backup = sparse(&dir, "huge.json", 3 << 30);
    refused(
        &vault,
        "a 3 GiB import",
        &["import", &huge_backup],
        None,
        "huge.json",
    );
    let huge_image = sparse(&dir, "huge.png", 3 << 30);
    refused(
        &vault,
        "a 3 GiB image",
        &["scan", &huge_image],
        None,
        "huge.png",
    );

    // 1 MB of '[' and of '{"a":': far past any parser's recursion.
    let nested_arrays = write(&dir, "nested.json", &vec![b'['; 1 << 20]);
    refused(
        &vault,
        "nested arrays",
        &["import", &nested_arrays],
        None,
        "nested.json",
    );
    let nested_objects = write(&dir, "aegis.json", &br#"{"a":"#.repeat(200_000));
    refused(
        &vault,
        "nested objects as aegis",
        &["import", &nested_objects, "--format", "aegis"],
        None,
        "aegis",
    );

    // Images whose header promises 4 and 16 gigapixels.
    let bomb = write(&dir, "bomb.png", &png_claiming(65_535, 65_535));
    refused(&vault, "a PNG bomb", &["scan", &bomb], None, "bomb.png");
    refused(
        &vault,
        "a PNG bomb as an import",
        &["import", &bomb],
        None,
        "bomb.png",
    );
    let wide = write(&dir, "wide.png", &png_claiming(1 << 31, 8));
    refused(
        &vault,
        "a PNG 2^31 pixels wide",
        &["scan", &wide],
        None,
        "wide.png",
    );

    // A recovery-code block of 8 MiB on stdin.
    let flood = "abcde-12345\n".repeat(700_000);
    refused(
        &vault,
        "an 8 MiB recovery block",
        &["recovery", "add", "keep", "--yes"],
        Some(flood.as_bytes()),
        "recovery",
    );
    assert_untouched(&vault);
}

#[test]
fn absurd_kdf_parameters_in_imports_are_refused_at_once() {
    let vault = vault_with_one_account();
    let dir = vault.dir.path().to_owned();
    let password = write(&dir, "import-password", b"anything\n");
    // An encrypted Aegis vault whose scrypt slot asks for N = 2^40 (a
    // terabyte of memory) and one asking for p = 2^31 passes.
    for (name, n, p) in [("n.json", 1u64 << 40, 1u64), ("p.json", 1 << 14, 1 << 31)] {
        let aegis = format!(
            r#"{{"version":1,"header":{{"slots":[{{"type":1,"uuid":"01234567-89ab-cdef-0123-456789abcdef",
            "key":"{key}","key_params":{{"nonce":"{nonce}","tag":"{tag}"}},
            "n":{n},"r":8,"p":{p},"salt":"{salt}","repaired":true,"is_backup":false}}],
            "params":{{"nonce":"{nonce}","tag":"{tag}"}}}},"db":"AAAA"}}"#,
            key = "00".repeat(32),
            nonce = "00".repeat(12),
            tag = "00".repeat(16),
            salt = "00".repeat(32),
        );
        let file = write(&dir, name, aegis.as_bytes());
        refused(
            &vault,
            &format!("aegis scrypt n={n} p={p}"),
            &["import", &file, "--import-password-file", &password],
            None,
            "scrypt",
        );
    }
    assert_untouched(&vault);
}

#[test]
fn bytes_that_are_not_text_and_megabyte_labels_get_clear_errors() {
    let vault = vault_with_one_account();
    let dir = vault.dir.path().to_owned();

    // Latin-1 bytes in a URI list.
    let mut latin1 = b"otpauth://totp/Caf\xe9:zo\xeb?secret=JBSWY3DPEHPK3PXP\n".to_vec();
    latin1.extend_from_slice(b"\xff\xfe\x00garbage\n");
    let file = write(&dir, "uris.txt", &latin1);
    // Each bad line is named on a line of its own (one bad entry never
    // sinks the file), then the count.
    let output = run_bounded(&vault, &["import", &file], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "tessera: entry 1 (line 1): the line is not UTF-8 text (save the file as UTF-8)",
            "tessera: entry 2 (line 2): the line is not UTF-8 text (save the file as UTF-8)",
            "tessera: 2 account(s) in the file could not be read (see above)",
        ]
    );

    // A 100 kB label as an argument (Linux caps one argument at 128 KiB)
    // and a megabyte one in an imported list.
    let label = |len: usize| {
        format!(
            "otpauth://totp/{}:x?secret=JBSWY3DPEHPK3PXP",
            "A".repeat(len)
        )
    };
    refused(
        &vault,
        "a 100 kB label",
        &["add", &label(100_000)],
        None,
        "long",
    );
    let long = label(1 << 20);
    let list = write(&dir, "long.txt", format!("{long}\n").as_bytes());
    let output = run_bounded(&vault, &["import", &list], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("long"),
        "the long label is named as the problem: {stderr}"
    );
    assert!(
        stderr.len() < 1000,
        "the error repeats the label: {} bytes",
        stderr.len()
    );
    assert_untouched(&vault);
}
