//! `tessera import`, `tessera export` and `tessera qr`: moving accounts
//! between Tessera and other authenticators, and backups for the day a
//! laptop dies. Formats, their detection and the duplicate rule are
//! tessera-core's (the app's import and export use the same); here they
//! meet files, passwords and the terminal. Every export that holds secrets
//! in the clear needs `--plain`; encrypted ones need an export password.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tessera_core::accounts::{find_one, label};
use tessera_core::disclosure::Disclosure;
use tessera_core::files::{create_private_dir_all, write_private_file};
use tessera_core::formats::{export, google_series, read_import, ExportFormat, ExportKind};
use tessera_core::intake::{DuplicatePolicy, Intake};
use tessera_core::{CoreError, ErrorKind};
use tessera_transfer::{Password, PasswordUse};
use zeroize::Zeroizing;

use crate::args::{ExportArgs, ImportArgs, QrArgs};
use crate::output::print_intake;
use crate::vault_access::{read_password_line, VaultAccess};

fn read_password_file(path: &Path) -> anyhow::Result<Password> {
    Ok(Password::new(read_password_line(path)?.to_string()))
}

fn prompt(what: &str) -> anyhow::Result<Password> {
    let typed =
        Zeroizing::new(rpassword::prompt_password(what).context("could not read the password")?);
    if typed.is_empty() {
        bail!("the password is empty");
    }
    Ok(Password::new(typed.to_string()))
}

/// The file to import: a regular file (a pipe or a device is refused
/// before it is read), at most as large as any authenticator export.
fn read_file_to_import(path: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    use std::io::Read;
    let cannot = || format!("cannot read {}", path.display());
    // A 1Password OPVault is a folder of files, read as one.
    let opvault_profile = path.file_name().is_some_and(|n| n == "profile.js");
    if path.is_dir() || opvault_profile {
        return tessera_transfer::formats::opvault::read_vault_folder(path).with_context(cannot);
    }
    let (file, metadata) = tessera_vault::open_regular_file(path).with_context(cannot)?;
    let max = tessera_transfer::MAX_IMPORT_LEN;
    if metadata.len() > max {
        bail!(
            "{} is {} bytes, larger than any authenticator backup",
            path.display(),
            metadata.len()
        );
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .with_context(cannot)?;
    if bytes.len() as u64 > max {
        bail!("{} is larger than any authenticator backup", path.display());
    }
    Ok(bytes)
}

/// `tessera import`.
pub fn import(
    access: &VaultAccess,
    args: &ImportArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let bytes = read_file_to_import(&args.file)?;
    let key_file = args
        .import_key_file
        .as_deref()
        .map(read_file_to_import)
        .transpose()?;
    let mut password = args
        .import_password_file
        .as_deref()
        .map(read_password_file)
        .transpose()?;
    let file = loop {
        match read_import(
            &bytes,
            args.format.as_deref(),
            password.as_ref(),
            key_file.as_deref().map(|k| &k[..]),
        ) {
            Err(error) if error.kind() == ErrorKind::PasswordRequired && password.is_none() => {
                if !std::io::stdin().is_terminal() {
                    // The error names the format, so a file Tessera cannot
                    // read is never told to come back with a password.
                    bail!(
                        "cannot import {}: {error}; give --import-password-file",
                        args.file.display()
                    );
                }
                password = Some(prompt("Password of the file to import: ")?);
            }
            Err(CoreError::Import(tessera_transfer::ImportError::UnknownFormat { .. })) => {
                bail!(
                    "{} is not a backup format Tessera reads (known: {}); give --format if it is one of them",
                    args.file.display(),
                    tessera_core::formats::import_ids().join(", ")
                )
            }
            other => {
                break other.with_context(|| format!("cannot import {}", args.file.display()))?
            }
        }
    };
    let report = file.report;
    writeln!(
        out,
        "read {} account(s) from {} ({})",
        report.entries.len(),
        args.file.display(),
        file.format
    )?;
    for error in &report.errors {
        eprintln!("tessera: {error}");
    }
    let policy = if args.merge {
        DuplicatePolicy::Merge
    } else {
        DuplicatePolicy::Skip
    };
    let mut vault = access.open()?;
    let intake = Intake {
        entries: report.entries,
        codes_only: Vec::new(),
        services: report.services,
    };
    let taken = vault.take_in(intake, policy, args.dry_run, now)?;
    print_intake(&taken, args.dry_run, out)?;
    if !report.errors.is_empty() {
        bail!(
            "{} account(s) in the file could not be read (see above)",
            report.errors.len()
        );
    }
    Ok(())
}

/// Writes an export's bytes to `output` (a new file, readable by the user
/// only) or to standard output.
fn write_output(
    output: Option<&Path>,
    bytes: &[u8],
    binary: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            write_private_file(path, bytes).map_err(|error| match error {
                CoreError::Io { source, .. }
                    if source.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    anyhow::anyhow!("cannot create {} (it must not exist yet)", path.display())
                }
                other => other.into(),
            })?;
            eprintln!("tessera: wrote {}", path.display());
        }
        None => {
            if binary && std::io::stdout().is_terminal() {
                bail!("this export is binary: give -o FILE");
            }
            warn_if_stdout_is_a_file_others_read();
            out.write_all(bytes)?;
        }
    }
    Ok(())
}

/// A validated `tessera export`.
pub struct ExportRequest {
    format: ExportFormat,
    output: Option<PathBuf>,
    /// Encrypt (ask for the export password).
    encrypt: bool,
    password_file: Option<PathBuf>,
    qr: Option<PathBuf>,
}

impl ExportRequest {
    /// Checks `--plain` against the format: what holds secrets in the
    /// clear must be asked for.
    pub fn from_args(args: &ExportArgs) -> anyhow::Result<ExportRequest> {
        let format = args.format;
        let encrypt = match format.password_use() {
            PasswordUse::Required => {
                if args.plain {
                    bail!(
                        "a {} is always encrypted; --plain does not apply",
                        format.name()
                    );
                }
                true
            }
            PasswordUse::Optional => !args.plain,
            PasswordUse::Never => {
                if !args.plain {
                    bail!(
                        "this export holds your secrets in the clear: anyone who reads it can make your codes; add --plain to write it anyway"
                    );
                }
                false
            }
        };
        if args.qr.is_some() && !matches!(format.kind(), ExportKind::GoogleQrSeries) {
            bail!("--qr applies to --format google");
        }
        Ok(ExportRequest {
            format,
            output: args.output.clone(),
            encrypt,
            password_file: args.export_password_file.clone(),
            qr: args.qr.clone(),
        })
    }

    fn password(&self) -> anyhow::Result<Option<Password>> {
        if !self.encrypt {
            return Ok(None);
        }
        match &self.password_file {
            Some(path) => read_password_file(path).map(Some),
            None if std::io::stdin().is_terminal() => {
                let first = prompt("Export password: ")?;
                let second = prompt("Repeat the export password: ")?;
                if first.expose() != second.expose() {
                    bail!("the two passwords differ; nothing was written");
                }
                Ok(Some(first))
            }
            None => bail!("an encrypted export needs a password: give --export-password-file"),
        }
    }
}

/// `tessera export`.
pub fn export_vault(
    access: &VaultAccess,
    request: &ExportRequest,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (vault, opened_with) = access.open_noting_password()?;
    let contents = vault.contents();
    if !request.encrypt {
        let format = request.format.name().to_owned();
        access.confirm(
            &vault,
            &Disclosure::PlainExport { format },
            opened_with.as_ref(),
        )?;
    }
    if let ExportKind::GoogleQrSeries = request.format.kind() {
        let (series, notes) = google_series(contents)?;
        for note in &notes {
            eprintln!("tessera: {note}");
        }
        return match &request.qr {
            Some(dir) => {
                create_private_dir_all(dir)?;
                for batch in &series.batches {
                    let path = dir.join(format!(
                        "google-export-{}-of-{}.png",
                        batch.batch_index + 1,
                        batch.batch_size
                    ));
                    write_output(Some(&path), &batch.qr_png()?, true, out)?;
                }
                Ok(())
            }
            None => {
                let mut text = Zeroizing::new(String::new());
                for batch in &series.batches {
                    text.push_str(&batch.uri);
                    text.push('\n');
                }
                write_output(request.output.as_deref(), text.as_bytes(), false, out)
            }
        };
    }
    let password = request.password()?;
    let exported = export(request.format, contents, password.as_ref(), now)?;
    for note in &exported.notes {
        eprintln!("tessera: {note}");
    }
    write_output(
        request.output.as_deref(),
        &exported.bytes,
        request.format.is_binary(),
        out,
    )
}

/// `tessera qr`.
pub fn qr(access: &VaultAccess, args: &QrArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let (vault, opened_with) = access.open_noting_password()?;
    let account = find_one(&vault.contents().accounts, &args.query)?;
    let label = label(account);
    access.confirm(
        &vault,
        &Disclosure::AccountQr {
            label: label.clone(),
        },
        opened_with.as_ref(),
    )?;
    eprintln!(
        "tessera: this QR code holds the secret of {label}: anyone who scans it can make its codes"
    );
    match &args.output {
        Some(path) => {
            let png = tessera_transfer::qr::account_png(&account.enrollment)?;
            write_output(Some(path), &png, true, out)
        }
        None => {
            let text = tessera_transfer::qr::account_terminal(&account.enrollment)?;
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

/// Warns when standard output is a file other users can read (a shell's
/// `> file` makes it 0644): an export in the clear belongs in `-o FILE`,
/// which is created readable by the user only.
fn warn_if_stdout_is_a_file_others_read() {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let Ok(stat) = rustix::fs::fstat(std::io::stdout().as_fd()) else {
            return;
        };
        let mode = stat.st_mode & 0o777;
        let regular = rustix::fs::FileType::from_raw_mode(stat.st_mode).is_file();
        if regular && mode & 0o077 != 0 {
            eprintln!(
                "tessera: warning: standard output is a file other users can read (mode {mode:o}): \
                 use -o FILE, which only you can read"
            );
        }
    }
}
