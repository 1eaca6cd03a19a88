//! Finding and unlocking the vault the way every command does it: `--vault`
//! or `TESSERA_VAULT` or the app's default location; then the keyring slot
//! (unless `--no-keyring`), the password file, a prompt on a terminal, and
//! otherwise a clear error. A keyring that fails is reported in one line and
//! the password is tried next; nothing here ever writes to the keyring
//! except `init --keyring` and `keyring enable`. Also here: the
//! confirmation a command needs before it lets a secret out (the core's
//! rule, `tessera_core::disclosure`), and password files, read as secrets
//! are read.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tessera_core::disclosure::{Confirmation, Disclosure};
use tessera_core::{CoreError, Vault};
use tessera_vault::{OsKeyring, Password, SlotKind, Unlock};
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
    accept_older: bool,
    /// The moment of this command (main reads the clock once).
    now: u64,
}

impl VaultAccess {
    /// Resolves the vault's path and unlock options from the global flags.
    pub fn from_args(args: &VaultArgs, now: u64) -> anyhow::Result<VaultAccess> {
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
            accept_older: args.accept_older_vault,
            now,
        })
    }

    /// Whether the keyring may be used.
    pub fn keyring_allowed(&self) -> bool {
        self.use_keyring
    }

    /// Unlocks the vault: keyring slot first, then the password. With
    /// sync on, what the other machines changed is merged first.
    pub fn open(&self) -> anyhow::Result<Vault> {
        Ok(self.open_noting_password()?.0)
    }

    /// Unlocks the vault without merging the other machines' changes
    /// first (the sync commands do that themselves, or must not).
    pub fn open_without_syncing(&self) -> anyhow::Result<Vault> {
        Ok(self.open_unsynced()?.0)
    }

    /// Unlocks the vault as [`open`](Self::open) does, and gives back the
    /// password when it was the password that opened it.
    pub fn open_noting_password(&self) -> anyhow::Result<(Vault, Option<Password>)> {
        let (mut vault, password) = self.open_unsynced()?;
        if vault.sync_choice().is_some() {
            match vault.sync_now(self.now) {
                Ok(report) => {
                    for line in report.refused.iter().chain(&report.warnings) {
                        eprintln!("tessera: sync: {line}");
                    }
                }
                Err(error) => {
                    eprintln!("tessera: sync: {error}; going on with this machine's copy")
                }
            }
        }
        Ok((vault, password))
    }

    fn open_unsynced(&self) -> anyhow::Result<(Vault, Option<Password>)> {
        let info = tessera_vault::inspect(&self.path)?;
        if !info.has_password() && !info.has_keyring() {
            let kinds: Vec<String> = info
                .slots
                .iter()
                .map(|slot| match &slot.kind {
                    SlotKind::Unknown { type_name } => format!("{type_name:?}"),
                    other => format!("{other:?}"),
                })
                .collect();
            bail!(
                "{} has no key slot this version of Tessera can use (slot types: {}): update Tessera to open it",
                self.path.display(),
                kinds.join(", ")
            );
        }
        if self.use_keyring && info.has_keyring() {
            match self.open_with(Unlock::Keyring(&OsKeyring::new())) {
                Ok(vault) => return Ok((vault, None)),
                // The keyring failed: the password is tried next.
                Err(err @ CoreError::Vault(_)) if info.has_password() => {
                    eprintln!("tessera: {err}");
                }
                Err(err) => return Err(self.explained(err)),
            }
        }
        if !info.has_password() {
            bail!(
                "{} opens only through the OS keyring, and --no-keyring was given",
                self.path.display()
            );
        }
        let password = self.current_password()?;
        let vault = self
            .open_with(Unlock::Password(&password))
            .map_err(|err| self.explained(err))?;
        Ok((vault, Some(password)))
    }

    /// Opens with one slot, refusing a rolled-back file unless
    /// `--accept-older-vault` was given.
    fn open_with(&self, unlock: Unlock<'_>) -> Result<Vault, CoreError> {
        let mut vault = if self.accept_older {
            Vault::open_accepting_older(&self.path, unlock)?
        } else {
            Vault::open(&self.path, unlock)?
        };
        vault.on_backup_problem(Box::new(|problem| eprintln!("tessera: warning: {problem}")));
        Ok(vault)
    }

    /// An opening error, with what to do where the command line has a way.
    fn explained(&self, err: CoreError) -> anyhow::Error {
        match err {
            CoreError::RolledBack { .. } => anyhow::anyhow!(
                "{err}; to go back to this file on purpose, run the command again with --accept-older-vault"
            ),
            other => other.into(),
        }
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

    /// The fresh confirmation a disclosure needs (the core's rule): on a
    /// terminal, a yes to its question; elsewhere the vault's password,
    /// which `opened_with` holds when it opened the vault, or the password
    /// file gives. The keyring alone lets no secret out to a script.
    pub fn confirm(
        &self,
        vault: &Vault,
        disclosure: &Disclosure,
        opened_with: Option<&Password>,
    ) -> anyhow::Result<()> {
        if std::io::stdin().is_terminal() {
            let answer = confirm(&disclosure.question(), false)?;
            let confirmation = if answer {
                Confirmation::UserSaidYes
            } else {
                Confirmation::None
            };
            return Ok(vault.confirm(disclosure, confirmation)?);
        }
        let password = match opened_with {
            Some(password) => password.clone(),
            None if vault.info().has_password() => self.current_password().with_context(|| {
                "letting this secret out needs the vault's password (the keyring alone is not enough)"
            })?,
            None => bail!(
                "{}: answer on a terminal (this vault has no password to give instead)",
                disclosure.question()
            ),
        };
        Ok(vault.confirm(disclosure, Confirmation::Password(&password))?)
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

/// The first line of a password file, checked: a regular file (a named
/// pipe or a device is refused before it is read), a small bounded read,
/// UTF-8, not empty. A file others may read is used, with a warning. Vault,
/// import and export password files all go through it.
pub fn read_password_line(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let cannot = || format!("cannot read the password file {}", path.display());
    let (file, metadata) = tessera_vault::open_regular_file(path).with_context(cannot)?;
    warn_if_others_can_read(path, &metadata);
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_PASSWORD_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .with_context(cannot)?;
    if bytes.len() as u64 > MAX_PASSWORD_FILE_LEN {
        bail!(
            "the password file {} is longer than {MAX_PASSWORD_FILE_LEN} bytes; a password file holds one line",
            path.display()
        );
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("the password file {} is not UTF-8 text", path.display()))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!("the password file {} is empty", path.display());
    }
    Ok(Zeroizing::new(line.to_owned()))
}

/// Warns, once, when a file holding a secret can be read by other users.
pub fn warn_if_others_can_read(path: &Path, metadata: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "tessera: warning: {} can be read by other users (mode {mode:o}); `chmod 600` it",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, metadata);
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
