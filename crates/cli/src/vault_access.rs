//! Finding and unlocking the vault the way every command does it: `--vault`
//! or `TESSERA_VAULT` or the app's default location; then the keyring slot
//! (unless `--no-keyring`), the password file, a prompt on a terminal, and
//! otherwise a clear error. A keyring that fails is reported in one line and
//! the password is tried next; nothing here ever writes to the keyring
//! except `init --keyring` and `keyring enable`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tessera_core::Vault;
use tessera_vault::{OsKeyring, Password, Unlock};
use zeroize::Zeroizing;

use crate::args::VaultArgs;

/// The most a password file may hold: a password, not a document.
const MAX_PASSWORD_FILE_LEN: u64 = 4096;

/// Where the vault is and how the user allows it to be unlocked.
pub struct VaultAccess {
    /// The vault file.
    pub path: PathBuf,
    password_file: Option<PathBuf>,
    use_keyring: bool,
}

impl VaultAccess {
    /// Resolves the vault's path and unlock options from the global flags.
    pub fn from_args(args: &VaultArgs) -> anyhow::Result<VaultAccess> {
        let path = match &args.vault {
            Some(path) if path.as_os_str().is_empty() => bail!("--vault (or TESSERA_VAULT) is empty"),
            Some(path) => path.clone(),
            None => tessera_vault::default_vault_path().context(
                "cannot tell where the vault lives (no home or data folder): give --vault PATH or set TESSERA_VAULT",
            )?,
        };
        Ok(VaultAccess {
            path,
            password_file: args.password_file.clone(),
            use_keyring: !args.no_keyring,
        })
    }

    /// Whether the keyring may be used.
    pub fn keyring_allowed(&self) -> bool {
        self.use_keyring
    }

    /// Unlocks the vault: keyring slot first, then the password.
    pub fn open(&self) -> anyhow::Result<Vault> {
        Ok(self.open_noting_password()?.0)
    }

    /// Unlocks the vault as [`open`](Self::open) does, and gives back the
    /// password when it was the password that opened it.
    pub fn open_noting_password(&self) -> anyhow::Result<(Vault, Option<Password>)> {
        let info = tessera_vault::inspect(&self.path)?;
        if self.use_keyring && info.has_keyring() {
            match Vault::open(&self.path, Unlock::Keyring(&OsKeyring::new())) {
                Ok(vault) => return Ok((vault, None)),
                Err(err) if info.has_password() => {
                    eprintln!("tessera: {err}");
                }
                Err(err) => return Err(err.into()),
            }
        }
        if !info.has_password() {
            bail!(
                "{} opens only through the OS keyring, and --no-keyring was given",
                self.path.display()
            );
        }
        let password = self.current_password()?;
        let vault = Vault::open(&self.path, Unlock::Password(&password))?;
        Ok((vault, Some(password)))
    }

    /// The vault's current password: from the password file, or asked for
    /// on a terminal.
    pub fn current_password(&self) -> anyhow::Result<Password> {
        if let Some(file) = &self.password_file {
            return read_password_file(file);
        }
        if std::io::stdin().is_terminal() {
            let prompt = format!("Password for {}: ", self.path.display());
            return Ok(Password::from(prompt_password(&prompt)?.as_str()));
        }
        bail!(
            "{} needs its password: give --password-file (or TESSERA_PASSWORD_FILE), or run on a terminal",
            self.path.display()
        )
    }

    /// The `--password-file` given, if any.
    pub fn password_file(&self) -> Option<&Path> {
        self.password_file.as_deref()
    }

    /// A new password: from `file`, or asked for twice on a terminal.
    pub fn new_password(&self, file: Option<&Path>) -> anyhow::Result<Password> {
        if let Some(file) = file {
            return read_password_file(file);
        }
        if !std::io::stdin().is_terminal() {
            bail!("a new password is needed: give a password file, or run on a terminal");
        }
        let first = prompt_password("New password: ")?;
        let second = prompt_password("Repeat the new password: ")?;
        if *first != *second {
            bail!("the two passwords differ; nothing was changed");
        }
        Ok(Password::from(first.as_str()))
    }
}

fn read_password_file(path: &Path) -> anyhow::Result<Password> {
    Ok(Password::from(read_password_line(path)?.as_str()))
}

/// Asks a yes-or-no question on the terminal (stderr and stdin); an empty
/// answer takes `default`. Callers check that stdin is a terminal first.
pub fn confirm(question: &str, default: bool) -> anyhow::Result<bool> {
    let hint = if default { "[Y/n]" } else { "[y/N]" };
    eprint!("{question} {hint} ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(match answer.trim() {
        "y" | "Y" | "yes" | "Yes" => true,
        "n" | "N" | "no" | "No" => false,
        _ => default,
    })
}

/// The first line of a password file, checked: a bounded size, UTF-8, not
/// empty. Vault, import and export password files all go through it.
pub fn read_password_line(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let metadata = std::fs::metadata(path)
        .with_context(|| format!("cannot read the password file {}", path.display()))?;
    if metadata.len() > MAX_PASSWORD_FILE_LEN {
        bail!(
            "the password file {} is {} bytes; a password file holds one line",
            path.display(),
            metadata.len()
        );
    }
    let bytes = Zeroizing::new(
        std::fs::read(path)
            .with_context(|| format!("cannot read the password file {}", path.display()))?,
    );
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("the password file {} is not UTF-8 text", path.display()))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!("the password file {} is empty", path.display());
    }
    Ok(Zeroizing::new(line.to_owned()))
}

fn prompt_password(prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    let _ = std::io::stderr().flush();
    let typed =
        Zeroizing::new(rpassword::prompt_password(prompt).context("could not read the password")?);
    if typed.is_empty() {
        bail!("the password is empty");
    }
    Ok(typed)
}
