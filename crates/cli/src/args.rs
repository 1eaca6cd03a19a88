//! The raw command line as clap parses it. Nothing here is trusted yet: each
//! command validates its raw arguments into typed values before any work.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use tessera_core::formats::{export_format, export_formats, ExportFormat};

/// Tessera: one-time codes and recovery codes, on the desktop.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about, propagate_version = true)]
pub struct Cli {
    /// Where the vault is and how to unlock it.
    #[command(flatten)]
    pub vault: VaultArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command that opens the vault.
#[derive(Debug, Args)]
pub struct VaultArgs {
    /// The vault file (default: tessera/vault.tessera in the OS's data folder, as the app uses).
    #[arg(long, global = true, value_name = "PATH", env = "TESSERA_VAULT")]
    pub vault: Option<PathBuf>,

    /// Read the vault password from the first line of this file.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "TESSERA_PASSWORD_FILE"
    )]
    pub password_file: Option<PathBuf>,

    /// Do not use the OS keyring to unlock the vault; use the password.
    #[arg(long, global = true)]
    pub no_keyring: bool,

    /// Use the vault even if it is older than one this computer already
    /// opened (a backup you chose to go back to); it is refused otherwise.
    #[arg(long, global = true)]
    pub accept_older_vault: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a code from a secret or an otpauth:// URI, without a vault.
    Gen(GenArgs),
    /// Create a new vault, protected by a password, the OS keyring, or both.
    Init(InitArgs),
    /// Add an account from an otpauth:// URI or from its secret and parameters.
    Add(AddArgs),
    /// List the accounts (no secrets, no codes).
    List(ListArgs),
    /// Show the current codes of the accounts matching QUERY (all when omitted).
    Code(CodeArgs),
    /// Change an account's issuer, name or notes.
    Edit(EditArgs),
    /// Remove an account.
    Remove(RemoveArgs),
    /// Set or change the vault password.
    Passwd(PasswdArgs),
    /// Turn unlocking through the OS keyring on or off.
    Keyring(KeyringArgs),
    /// Keep one-time recovery codes: add, list, mark used, remove.
    #[command(subcommand)]
    Recovery(RecoveryCommand),
    /// Find QR codes in image files, on the screen, in the clipboard or in front of the webcam.
    Scan(ScanArgs),
    /// Import accounts from another authenticator's backup, a URI list or a QR image.
    Import(ImportArgs),
    /// Export the accounts for another authenticator, or as a backup.
    Export(ExportArgs),
    /// Show one account as a QR code, to move it to a phone.
    Qr(QrArgs),
    /// Automatic encrypted backups to a folder you choose, after every change.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Sync the vault across your machines through a folder you already sync.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:\n  \
                            tessera completions bash > ~/.local/share/bash-completion/completions/tessera\n  \
                            tessera completions zsh > ~/.zfunc/_tessera\n  \
                            tessera completions fish > ~/.config/fish/completions/tessera.fish")]
    Completions(CompletionsArgs),
    /// Print the manual page of tessera or of one of its commands, or write them all to a folder.
    #[command(after_help = "Examples:\n  \
                            tessera man | man -l -\n  \
                            tessera man backup enable | man -l -\n  \
                            tessera man --dir /tmp/man1")]
    Man(ManArgs),
}

/// `tessera completions`'s raw arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// `tessera man`'s raw arguments.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, as typed after `tessera` (`import`, `backup enable`);
    /// without it, the page of tessera itself.
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Vec<String>,

    /// Write every page into DIR instead (made if missing): tessera.1, and one per command
    /// (tessera-import.1, tessera-backup-enable.1, ...).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `tessera sync`'s subcommands.
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Start syncing this vault through DIR (on the first machine).
    #[command(after_help = "Examples:\n  \
                            tessera sync enable ~/Sync --name laptop\n  \
                            then on the next machine: tessera sync join ~/Sync --name desktop")]
    Enable(SyncEnableArgs),
    /// Make this machine's vault from the one in DIR (its password unlocks it).
    Join(SyncEnableArgs),
    /// Merge what the other machines changed, now.
    Now,
    /// Devices seen, the last sync and what it merged.
    Status(SyncStatusArgs),
    /// Stop syncing on this machine (the vault stays; its file leaves the folder).
    Disable,
}

/// `tessera sync enable` and `join`'s raw arguments.
#[derive(Debug, Args)]
pub struct SyncEnableArgs {
    /// The folder your sync tool (Syncthing, Nextcloud, Dropbox, a share) carries.
    #[arg(value_name = "DIR")]
    pub folder: PathBuf,

    /// A name for this machine, shown to the others (default: the host name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// `tessera sync status`'s raw arguments.
#[derive(Debug, Args)]
pub struct SyncStatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tessera backup`'s subcommands.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Write an encrypted backup to DIR after every change (one at once), keeping the newest N.
    #[command(after_help = "Examples:\n  \
                            tessera backup enable ~/Nextcloud/tessera-backups\n  \
                            tessera backup enable /media/usb/backups --keep 30")]
    Enable(BackupEnableArgs),
    /// Stop writing backups (those written stay).
    Disable,
    /// The backups in the folder: time, accounts, recovery codes, size.
    List(BackupListArgs),
    /// Replace the vault with a backup (the vault as it is now is backed up first).
    Restore(BackupRestoreArgs),
}

/// `tessera backup enable`'s raw arguments.
#[derive(Debug, Args)]
pub struct BackupEnableArgs {
    /// The folder (made if missing, readable by you only).
    #[arg(value_name = "DIR")]
    pub folder: PathBuf,

    /// How many automatic backups to keep (the newest); backups you put there by hand are never deleted.
    #[arg(long, value_name = "N", default_value_t = tessera_core::backups::DEFAULT_KEEP)]
    pub keep: usize,
}

/// `tessera backup list`'s raw arguments.
#[derive(Debug, Args)]
pub struct BackupListArgs {
    /// Print JSON: path, written_at, automatic, size, accounts, recovery_codes (or error).
    #[arg(long)]
    pub json: bool,
}

/// `tessera backup restore`'s raw arguments.
#[derive(Debug, Args)]
pub struct BackupRestoreArgs {
    /// The backup file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Restore without asking (needed when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// For a backup written before a password change: a file holding the password it had.
    #[arg(long, value_name = "PATH")]
    pub backup_password_file: Option<PathBuf>,
}

/// `tessera scan`'s raw arguments.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
                        tessera scan screenshot.png\n  \
                        tessera scan --screen --add\n  \
                        tessera scan --camera --timeout 30 --add")]
pub struct ScanArgs {
    /// Image files (PNG, JPEG, WebP, GIF, BMP); several are decoded in parallel.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Capture every monitor and scan it.
    #[arg(long)]
    pub screen: bool,

    /// Scan the image on the clipboard.
    #[arg(long)]
    pub clipboard: bool,

    /// Scan with a webcam until an enrollment code comes into view.
    #[arg(long)]
    pub camera: bool,

    /// Which camera (see the numbers in the error when it is wrong).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "camera")]
    pub device: u32,

    /// Give up on the camera after this many seconds.
    #[arg(long, value_name = "S", default_value_t = 60, requires = "camera")]
    pub timeout: u64,

    /// Print a JSON array of {source, payload}.
    #[arg(long, conflicts_with = "add")]
    pub json: bool,

    /// Add the accounts found to the vault (duplicates are skipped and named).
    #[arg(long)]
    pub add: bool,
}

/// `tessera import`'s raw arguments.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The backup file, a text file of otpauth:// or otpauth-migration:// URIs, a QR image, or a 1Password .opvault folder.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The format, when detection from the content is not enough.
    #[arg(long, value_name = "FORMAT", value_parser = import_format_parser())]
    pub format: Option<String>,

    /// Read the backup's password from the first line of this file.
    #[arg(long, value_name = "PATH")]
    pub import_password_file: Option<PathBuf>,

    /// The key file that opens the KeePass database, with or without a password.
    #[arg(long, value_name = "PATH")]
    pub import_key_file: Option<PathBuf>,

    /// Only say what would be added and what is a duplicate.
    #[arg(long)]
    pub dry_run: bool,

    /// Merge duplicates' notes, tags and favourite flag into the existing accounts instead of skipping them.
    #[arg(long)]
    pub merge: bool,
}

/// `tessera export`'s raw arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_parser = export_format_parser())]
    pub format: ExportFormat,

    /// Write to this file (which must not exist yet) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Allow an export that holds secrets in the clear.
    #[arg(long)]
    pub plain: bool,

    /// Read the export password from the first line of this file.
    #[arg(long, value_name = "PATH")]
    pub export_password_file: Option<PathBuf>,

    /// With --format google: write one PNG per QR code of the series into this folder.
    #[arg(long, value_name = "DIR")]
    pub qr: Option<PathBuf>,
}

/// `tessera qr`'s raw arguments.
#[derive(Debug, Args)]
pub struct QrArgs {
    /// The account: part of its issuer or name, or its id; must match exactly one.
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// Write a PNG to this file (which must not exist yet) instead of drawing in the terminal.
    #[arg(long, short = 'o', value_name = "FILE.png")]
    pub output: Option<PathBuf>,
}

/// `tessera recovery`'s subcommands.
#[derive(Debug, Subcommand)]
pub enum RecoveryCommand {
    /// Store recovery codes for an account or service: as arguments, from a file, or pasted on stdin.
    #[command(after_help = "Examples:\n  \
                            tessera recovery add github --file github-recovery-codes.txt\n  \
                            tessera recovery add google < codes.txt\n  \
                            printf '%s\\n' \"$CODE\" | tessera recovery add microsoft --rotating -\n  \
                            tessera recovery add 'Acme Bank' --new-service 1234-5678 8765-4321")]
    Add(RecoveryAddArgs),
    /// List stored recovery codes, masked unless --reveal is given.
    List(RecoveryListArgs),
    /// Mark a recovery code used (after using it at the service), or undo a mistaken mark (--undo).
    Use(RecoveryUseArgs),
    /// Remove one recovery code, or every code kept for a service.
    Remove(RecoveryRemoveArgs),
}

/// `tessera recovery add`'s raw arguments.
#[derive(Debug, Args)]
pub struct RecoveryAddArgs {
    /// The account or service: part of its issuer or name, or its id.
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// The codes, one per argument, exactly as issued (quote codes with spaces); `-` (or no
    /// codes and no --file) reads them from standard input, out of sight of `ps` and the
    /// shell's history.
    #[arg(value_name = "CODE", conflicts_with = "file")]
    pub codes: Vec<String>,

    /// Read the codes from this file, as the service gave it (numbering and headings are dropped).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The service issues a single code and a new one each time it is used.
    #[arg(long)]
    pub rotating: bool,

    /// Where the codes came from and when.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// QUERY names a service with no OTP account in the vault: keep its codes under that name.
    #[arg(long)]
    pub new_service: bool,

    /// With --new-service: the account name at that service.
    #[arg(long, value_name = "NAME", requires = "new_service")]
    pub name: Option<String>,

    /// The codes are a newly issued set replacing the kept one: the old codes stay as history,
    /// marked replaced (neither unused nor offered). Asked on a terminal when the codes share
    /// none with the kept ones.
    #[arg(long, conflicts_with = "more")]
    pub replace: bool,

    /// The codes are more codes of the kept set: add them to it (the question a set sharing no
    /// code with the kept one otherwise asks).
    #[arg(long)]
    pub more: bool,

    /// Save without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `tessera recovery list`'s raw arguments.
#[derive(Debug, Args)]
pub struct RecoveryListArgs {
    /// Only this account or service.
    #[arg(value_name = "QUERY")]
    pub query: Option<String>,

    /// Show the codes themselves instead of masked ones.
    #[arg(long)]
    pub reveal: bool,

    /// Print JSON: per service id, issuer, name, unused, used, replaced, and codes in the order
    /// stored ({code (with --reveal), used, used_at, replaced_at}).
    #[arg(long)]
    pub json: bool,
}

/// `tessera recovery use`'s raw arguments.
#[derive(Debug, Args)]
pub struct RecoveryUseArgs {
    /// The account or service.
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// The code that was used (case, spaces and dashes are ignored); `-` reads it from a line
    /// of standard input.
    #[arg(value_name = "CODE")]
    pub code: String,

    /// The new code the service issued in its place; `-` reads it from a line of standard
    /// input (after CODE's, when both are `-`).
    #[arg(long, value_name = "NEW")]
    pub replacement: Option<String>,

    /// Undo a mistaken mark: CODE is unused again.
    #[arg(long, conflicts_with = "replacement")]
    pub undo: bool,
}

/// `tessera recovery remove`'s raw arguments.
#[derive(Debug, Args)]
pub struct RecoveryRemoveArgs {
    /// The account or service.
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// Only this code (`-` reads it from a line of standard input); without it, every code
    /// kept for the service.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,

    /// Remove without asking (needed when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Hash algorithms as typed on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    /// HMAC-SHA1, what almost every service uses.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// A secret and its code parameters, as flags (`gen` and `add` share them).
#[derive(Debug, Args)]
pub struct OtpFlags {
    /// The shared secret, base32 as services show it (case, spaces, dashes and padding are
    /// ignored); `-` reads it from the first line of standard input, out of sight of `ps`.
    #[arg(long, value_name = "SECRET")]
    pub secret: Option<String>,

    /// Read --secret as hexadecimal instead of base32.
    #[arg(long, requires = "secret")]
    pub hex: bool,

    /// HOTP counter value (makes the code counter-based).
    #[arg(long, value_name = "N")]
    pub counter: Option<u64>,

    /// Number of digits, 6 to 10 (default 6).
    #[arg(long, value_name = "N")]
    pub digits: Option<u8>,

    /// TOTP time step in seconds (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub period: Option<u64>,

    /// HMAC algorithm (default sha1).
    #[arg(long, value_enum, value_name = "ALGORITHM")]
    pub algorithm: Option<AlgorithmArg>,

    /// A 5-character Steam Guard code.
    #[arg(long, conflicts_with_all = ["digits", "algorithm", "counter"])]
    pub steam: bool,
}

/// `tessera gen`'s raw arguments.
#[derive(Debug, Args)]
#[command(
    about = "Generate a code from a secret or an otpauth:// URI, without a vault.",
    long_about = "Generate a one-time code from a secret or an otpauth:// URI, without a vault.\n\n\
                  With --secret it makes a TOTP code (HOTP when --counter is given, Steam with --steam); \
                  with a URI it takes every parameter from the URI, and --time or --counter still apply.",
    after_help = "Examples:\n  \
                  tessera gen --secret JBSWY3DPEHPK3PXP\n  \
                  tessera gen --secret JBSWY3DPEHPK3PXP --time 1111111109 --digits 8 --algorithm sha256\n  \
                  tessera gen --secret 3132333435363738393031323334353637383930 --hex --counter 7\n  \
                  tessera gen 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP' --window 1\n  \
                  printf '%s\\n' \"$SECRET\" | tessera gen --secret -    # the secret out of sight of ps"
)]
pub struct GenArgs {
    /// An otpauth:// URI to take every parameter from; `-` reads it from a line of standard
    /// input, out of sight of `ps` and the shell's history.
    #[arg(value_name = "URI", conflicts_with_all = ["secret", "hex", "digits", "period", "algorithm", "steam"])]
    pub uri: Option<String>,

    /// The secret and parameters.
    #[command(flatten)]
    pub otp: OtpFlags,

    /// The moment to generate a TOTP code for, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "counter")]
    pub time: Option<u64>,

    /// Also print the codes for N steps before and after, one a line, the current one marked.
    #[arg(long, value_name = "N")]
    pub window: Option<u32>,

    /// Print JSON: {"code", "valid_from", "valid_until"} for TOTP, {"code", "counter"} for HOTP.
    #[arg(long)]
    pub json: bool,
}

/// `tessera init`'s raw arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Also keep a key in the OS keyring, so the vault opens without a password here.
    #[arg(long)]
    pub keyring: bool,

    /// No password slot: the vault opens only through the keyring (needs --keyring).
    #[arg(long, requires = "keyring")]
    pub no_password: bool,
}

/// `tessera add`'s raw arguments.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
                        tessera scan --screen --add           # straight from the enrollment page\n  \
                        printf '%s\\n' \"$URI\" | tessera add -     # a URI out of sight of ps and the shell's history\n  \
                        tessera add --issuer GitHub --name alice --secret -   # the secret on standard input\n  \
                        tessera add --issuer Example --name bob --secret JBSWY3DPEHPK3PXP --hotp --counter 5")]
pub struct AddArgs {
    /// An otpauth:// URI, as the enrollment QR code holds it; `-` reads it from a line of
    /// standard input, out of sight of `ps` and the shell's history.
    #[arg(value_name = "URI", conflicts_with_all = ["secret", "hex", "digits", "period", "algorithm", "steam", "hotp", "counter", "issuer", "name"])]
    pub uri: Option<String>,

    /// The service, e.g. GitHub.
    #[arg(long, value_name = "ISSUER")]
    pub issuer: Option<String>,

    /// The account at the service, e.g. alice@example.com.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// The secret and parameters.
    #[command(flatten)]
    pub otp: OtpFlags,

    /// A counter-based (HOTP) account; --counter gives its start (default 0).
    #[arg(long, conflicts_with = "steam")]
    pub hotp: bool,

    /// Add even if an account with the same secret, issuer and name exists.
    #[arg(long)]
    pub force: bool,
}

/// `tessera list`'s raw arguments.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array of {id, issuer, name, type, algorithm, digits, period|counter}.
    #[arg(long)]
    pub json: bool,
}

/// `tessera code`'s raw arguments.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Part of the issuer or account name (any case), or an account id.
    #[arg(value_name = "QUERY")]
    pub query: Option<String>,

    /// The moment for time-based codes, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub time: Option<u64>,

    /// Print a JSON array of {id, issuer, name, code, seconds_left}.
    #[arg(long)]
    pub json: bool,
}

/// `tessera edit`'s raw arguments.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The account: part of its issuer or name, or its id; must match exactly one.
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// New issuer.
    #[arg(long, value_name = "ISSUER")]
    pub issuer: Option<String>,

    /// New account name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// New notes (replacing the old ones).
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

/// `tessera remove`'s raw arguments.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The account: part of its issuer or name, or its id; must match exactly one.
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// Remove without asking (needed when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `tessera passwd`'s raw arguments.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Read the new password from the first line of this file instead of asking.
    #[arg(long, value_name = "PATH")]
    pub new_password_file: Option<PathBuf>,
}

/// `tessera keyring`'s raw arguments.
#[derive(Debug, Args)]
pub struct KeyringArgs {
    /// Turn it on or off.
    #[arg(value_enum)]
    pub action: KeyringAction,
}

/// What `tessera keyring` does.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyringAction {
    /// Keep a key in the OS keyring so the vault opens without a password here.
    Enable,
    /// Remove the keyring key; the vault then needs its password.
    Disable,
}

/// `--format` of `export`: the ids of the one registry of formats, each
/// with its name in `--help`.
fn export_format_parser() -> impl TypedValueParser<Value = ExportFormat> {
    let values = export_formats().into_iter().map(|format| {
        PossibleValue::new(format.id())
            .help(format.name())
            .aliases(format.aliases().iter().copied())
    });
    PossibleValuesParser::new(values).map(|id| export_format(&id).expect("listed above"))
}

/// `--format` of `import`: the ids of the one registry of formats.
fn import_format_parser() -> PossibleValuesParser {
    let values = tessera_core::formats::importers()
        .into_iter()
        .map(|importer| PossibleValue::new(importer.id()).help(importer.name()));
    PossibleValuesParser::new(values)
}
