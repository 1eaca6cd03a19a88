//! Helpers shared by the end-to-end tests: finding the binaries under test,
//! running them, and a small deterministic random source.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The desktop app binary, built by cargo for this test target.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tessera-app"))
}

/// The `tessera` CLI, built from crates/cli the first time a test asks, so the
/// tests always run the current code rather than a stale binary.
pub fn cli_binary() -> &'static Path {
    static CLI: OnceLock<PathBuf> = OnceLock::new();
    CLI.get_or_init(|| {
        let test_exe = std::env::current_exe().expect("path of the test binary");
        // target/<profile>/deps/e2e-<hash> -> target/<profile>
        let profile_dir = test_exe
            .parent()
            .and_then(Path::parent)
            .expect("test binary lives in target/<profile>/deps");
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("debug");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "tessera-cli", "--bin", "tessera"]);
        if profile != "debug" {
            build.args(["--profile", profile]);
        }
        let status = build
            .status()
            .expect("could not run cargo to build the tessera CLI");
        assert!(status.success(), "building the tessera CLI failed");
        let binary = profile_dir.join(format!("tessera{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.exists(), "{} was not built", binary.display());
        binary
    })
}

/// Writes a password file as a user keeps one: readable by them alone
/// (the CLI warns about one others can read).
pub fn write_secret(path: &Path, text: impl AsRef<[u8]>) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Runs the CLI with these arguments and no standard input.
pub fn tessera(args: &[&str]) -> Output {
    Command::new(cli_binary())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("could not run tessera")
}

/// A vault in a fresh temporary folder, and how to run the CLI on it.
pub struct TestVault {
    /// Holds the folder until the test ends.
    pub dir: tempfile::TempDir,
    /// The vault file (not created yet).
    pub path: PathBuf,
    /// A file holding the password `correct horse`.
    pub password_file: PathBuf,
}

impl TestVault {
    /// A new folder with a password file and no vault yet.
    pub fn new() -> TestVault {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("vault.tessera");
        let password_file = dir.path().join("password");
        write_secret(&password_file, "correct horse\n");
        TestVault {
            dir,
            path,
            password_file,
        }
    }

    /// A command running the CLI on this vault, with the caller's
    /// environment cleaned of anything that would pick another vault.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cli_binary());
        command
            .args(args)
            .env("TESSERA_VAULT", &self.path)
            .env_remove("TESSERA_PASSWORD_FILE")
            .stdin(Stdio::null());
        command
    }

    /// Runs the CLI on this vault.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("could not run tessera")
    }

    /// Runs the CLI on this vault with `--password-file`.
    pub fn run_with_password(&self, args: &[&str]) -> Output {
        self.run_with_password_file(&self.password_file, args)
    }

    /// Runs the CLI on this vault with `--password-file file`.
    pub fn run_with_password_file(&self, file: &Path, args: &[&str]) -> Output {
        let mut all = vec!["--password-file", file.to_str().unwrap()];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Changes the vault's password to `new` with `passwd`, which must
    /// succeed: its output, and the file that now holds the password.
    pub fn change_password(&self, new: &str) -> (String, PathBuf) {
        let new_password = self.dir.path().join("new-password");
        write_secret(&new_password, format!("{new}\n"));
        let out = stdout_ok(
            &self.run_with_password(&[
                "passwd",
                "--new-password-file",
                new_password.to_str().unwrap(),
            ]),
            "passwd",
        );
        (out, new_password)
    }

    /// Runs the CLI on this vault with `--password-file` and `input` on
    /// standard input (where a `-` argument reads a secret or code).
    pub fn run_with_password_and_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut all = vec!["--password-file", self.password_file.to_str().unwrap()];
        all.extend_from_slice(args);
        let mut child = self
            .command(&all)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("could not run tessera");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

/// Standard error as text, after asserting failure.
pub fn stderr_failed(output: &Output, what: &str) -> String {
    assert!(
        !output.status.success(),
        "{what} should have failed but printed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

/// Fails clearly when there is no session bus, so keyring tests never pass
/// by not running.
pub fn require_keyring() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the keyring tests through `make test` (tests/with-desktop.sh starts gnome-keyring)"
    );
}

/// Runs a program the tests compare against, failing clearly when the test
/// set-up (`make test`) has not installed it.
pub fn peer(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("could not run {program} ({err}): run the tests through `make test`, which installs it"))
}

/// Standard output as a trimmed string, after asserting success.
pub fn stdout_ok(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .expect("UTF-8 output")
        .trim()
        .to_owned()
}

/// SplitMix64: a tiny deterministic generator, so a failing random case can
/// be reproduced from the seed printed with it.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 4648 base32, uppercase, unpadded: written here independently of the
/// crate under test so the comparison is not circular.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}
