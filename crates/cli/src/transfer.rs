//! `tessera import`, `tessera export` and `tessera qr`: moving accounts
//! between Tessera and other authenticators, and backups for the day a
//! laptop dies. Every export that holds secrets in the clear needs `--plain`;
//! encrypted ones need an export password.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context};
use tessera_transfer::duplicates::DuplicatePolicy;
use tessera_transfer::formats::tessera_backup;
use tessera_transfer::paper::{utc_date, vault_paper_backup};
use tessera_transfer::{google_migration, Entry, ImportError, Importer, Password};
use tessera_vault::KdfParams;
use zeroize::Zeroizing;

use crate::args::{ExportArgs, ExportFormat, ImportArgs, QrArgs};
use crate::intake::{add_entries, print_report};
use crate::query::{exactly_one, label};
use crate::vault_access::{read_password_line, VaultAccess};

/// Image files are scanned for QR codes rather than parsed.
fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(b"\xFF\xD8\xFF")
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || (bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
}

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

/// `tessera import`.
pub fn import(
    access: &VaultAccess,
    args: &ImportArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let len = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    if len > tessera_transfer::MAX_IMPORT_LEN {
        bail!(
            "{} is {len} bytes, larger than any authenticator backup",
            args.file.display()
        );
    }
    let mut bytes = Zeroizing::new(
        std::fs::read(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?,
    );
    if is_image(&bytes) {
        // A QR image (an otpauth:// code or a Google Authenticator export
        // code): its payloads read as a text file of URIs.
        let image = tessera_scan::load_image_bytes(&bytes, &tessera_scan::ImageLimits::default())
            .with_context(|| format!("cannot read the image {}", args.file.display()))?;
        let texts: Vec<String> = tessera_scan::decode(&image)
            .into_iter()
            .map(|c| c.text)
            .collect();
        if texts.is_empty() {
            bail!("{} is an image with no QR code in it", args.file.display());
        }
        bytes = Zeroizing::new(texts.join("\n").into_bytes());
    }
    let importer: &dyn Importer = match &args.format {
        Some(id) => tessera_transfer::importer(id).with_context(|| {
            let ids: Vec<&str> = tessera_transfer::importers().iter().map(|i| i.id()).collect();
            format!("unknown --format {id:?}; known formats: {}", ids.join(", "))
        })?,
        None => tessera_transfer::detect(&bytes).with_context(|| {
            let ids: Vec<&str> = tessera_transfer::importers().iter().map(|i| i.id()).collect();
            format!(
                "{} is not a backup format Tessera reads (known: {}); give --format if it is one of them",
                args.file.display(),
                ids.join(", ")
            )
        })?,
    };
    let mut password = args
        .import_password_file
        .as_deref()
        .map(read_password_file)
        .transpose()?;
    let report = loop {
        match importer.import(&bytes, password.as_ref()) {
            Err(ImportError::PasswordRequired { .. })
                if password.is_none() && std::io::stdin().is_terminal() =>
            {
                password = Some(prompt(&format!(
                    "Password of the {} file: ",
                    importer.name()
                ))?);
            }
            Err(ImportError::PasswordRequired { .. }) if password.is_none() => {
                bail!(
                    "{} is an encrypted {}: give --import-password-file",
                    args.file.display(),
                    importer.name()
                );
            }
            other => {
                break other.with_context(|| format!("cannot import {}", args.file.display()))?
            }
        }
    };
    writeln!(
        out,
        "read {} account(s) from {} ({})",
        report.entries.len(),
        args.file.display(),
        importer.name()
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
    let intake = add_entries(
        &mut vault,
        report.entries,
        &report.services,
        policy,
        args.dry_run,
        now,
    )?;
    print_report(&intake, args.dry_run, out)?;
    if !report.errors.is_empty() {
        bail!(
            "{} account(s) in the file could not be read (see above)",
            report.errors.len()
        );
    }
    Ok(())
}

/// Writes export bytes to `-o FILE` (created for the owner only), or to
/// standard output when that is not a terminal.
fn write_output(
    output: Option<&Path>,
    bytes: &[u8],
    binary: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).with_context(|| {
                format!("cannot create {} (it must not exist yet)", path.display())
            })?;
            file.write_all(bytes)?;
            file.sync_all()?;
            eprintln!("tessera: wrote {}", path.display());
        }
        None => {
            if binary && std::io::stdout().is_terminal() {
                bail!("this export is binary: give -o FILE");
            }
            out.write_all(bytes)?;
        }
    }
    Ok(())
}

/// `tessera export`.
pub fn export(
    access: &VaultAccess,
    args: &ExportArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let in_clear = match args.format {
        ExportFormat::Tessera => false,
        ExportFormat::Aegis => args.plain,
        ExportFormat::Google | ExportFormat::Uris | ExportFormat::Paper => true,
    };
    if in_clear && !args.plain {
        bail!(
            "this export holds your secrets in the clear: anyone who reads it can make your codes; add --plain to write it anyway"
        );
    }
    if matches!(args.format, ExportFormat::Tessera) && args.plain {
        bail!("a Tessera backup is always encrypted; --plain does not apply");
    }
    let vault = access.open()?;
    let contents = vault.contents().clone();
    let entries = Entry::all_of(&contents);
    let export_password = || -> anyhow::Result<Password> {
        match &args.export_password_file {
            Some(path) => read_password_file(path),
            None if std::io::stdin().is_terminal() => {
                let first = prompt("Export password: ")?;
                let second = prompt("Repeat the export password: ")?;
                if first.expose() != second.expose() {
                    bail!("the two passwords differ; nothing was written");
                }
                Ok(first)
            }
            None => bail!("an encrypted export needs a password: give --export-password-file"),
        }
    };
    match args.format {
        ExportFormat::Tessera => {
            let password = export_password()?;
            let bytes = Zeroizing::new(tessera_backup::export_contents(
                contents,
                &password,
                KdfParams::DEFAULT,
                now,
            )?);
            write_output(args.output.as_deref(), &bytes, true, out)?;
        }
        ExportFormat::Aegis | ExportFormat::Uris => {
            let id = if matches!(args.format, ExportFormat::Aegis) {
                "aegis"
            } else {
                "otpauth-uris"
            };
            let exporter = tessera_transfer::exporter(id).context("exporter missing")?;
            let password = if in_clear {
                None
            } else {
                Some(export_password()?)
            };
            let output = exporter.export(&entries, password.as_ref())?;
            for skipped in &output.skipped {
                eprintln!("tessera: not exported: {skipped}");
            }
            for warning in &output.warnings {
                eprintln!("tessera: warning: {warning}");
            }
            write_output(args.output.as_deref(), &output.bytes, false, out)?;
        }
        ExportFormat::Google => {
            let series = google_migration::export(&entries)?;
            for skipped in &series.skipped {
                eprintln!("tessera: Google Authenticator cannot hold {skipped}");
            }
            for caveat in &series.caveats {
                eprintln!("tessera: warning: {caveat}");
            }
            match &args.qr {
                Some(dir) => {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    for batch in &series.batches {
                        let path = dir.join(format!(
                            "google-export-{}-of-{}.png",
                            batch.batch_index + 1,
                            batch.batch_size
                        ));
                        write_output(Some(&path), &batch.qr_png()?, true, out)?;
                    }
                }
                None => {
                    let mut text = Zeroizing::new(String::new());
                    for batch in &series.batches {
                        text.push_str(&batch.uri);
                        text.push('\n');
                    }
                    write_output(args.output.as_deref(), text.as_bytes(), false, out)?;
                }
            }
        }
        ExportFormat::Paper => {
            let pdf = vault_paper_backup(&contents, &utc_date(now))?;
            eprintln!("tessera: warning: the paper backup holds your secrets and recovery codes in the clear: keep it locked away");
            write_output(args.output.as_deref(), &pdf, true, out)?;
        }
    }
    Ok(())
}

/// `tessera qr`: one account as a QR code, to move it to another device.
pub fn qr(access: &VaultAccess, args: &QrArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let vault = access.open()?;
    let account = exactly_one(&vault.contents().accounts, &args.query)?;
    eprintln!(
        "tessera: this QR code holds the secret of {}: anyone who scans it can make its codes",
        label(account)
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
