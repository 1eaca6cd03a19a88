//! `tessera scan`: QR codes from image files, the screen, the clipboard or
//! a webcam. Prints what each code holds; with `--add`, adds the accounts
//! found to the vault. Files are decoded in parallel; one unreadable image
//! is reported and the others are still scanned.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde::Serialize;
use tessera_core::inbox::Inbox;
use tessera_core::intake::DuplicatePolicy;
use tessera_otp::Zeroizing;
use tessera_scan::{CameraEvent, CameraScanner, ImageLimits};

use crate::args::ScanArgs;
use crate::output::print_intake;
use crate::vault_access::VaultAccess;

/// One QR code found, and where.
#[derive(Serialize)]
struct Found {
    source: String,
    payload: String,
}

/// Decodes every file, spreading them over the machine's cores.
fn scan_files(
    files: &[PathBuf],
    limits: &ImageLimits,
) -> Vec<(String, Result<Vec<String>, String>)> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let chunk = files.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|path| {
                            let source = path.display().to_string();
                            let result = tessera_scan::load_image_file(path, limits)
                                .map(|image| {
                                    tessera_scan::decode(&image)
                                        .into_iter()
                                        .map(|c| c.text)
                                        .collect()
                                })
                                .map_err(|e| {
                                    // Name the file once, whether or not the error does.
                                    let message = e.to_string();
                                    if message.contains(&source) {
                                        message
                                    } else {
                                        format!("{source}: {message}")
                                    }
                                });
                            (source, result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn scan_camera(device: u32, timeout: Duration) -> anyhow::Result<Vec<String>> {
    let cameras = tessera_scan::list_cameras()?;
    if cameras.is_empty() {
        bail!(
            "no camera found: connect a webcam, or scan from the screen, a file or the clipboard"
        );
    }
    if !cameras.iter().any(|c| c.index == device) {
        let names: Vec<String> = cameras
            .iter()
            .map(|c| format!("{} ({})", c.index, c.name))
            .collect();
        bail!(
            "no camera number {device}; cameras here: {}",
            names.join(", ")
        );
    }
    eprintln!(
        "tessera: hold the QR code up to the camera ({} s at most)",
        timeout.as_secs()
    );
    let scanner = CameraScanner::start_webcam(device);
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            scanner.stop();
            bail!(
                "no enrollment QR code came into view within {} s",
                timeout.as_secs()
            );
        }
        match scanner.events().recv_timeout(left) {
            Ok(CameraEvent::Found { code, .. }) => return Ok(vec![code.text]),
            Ok(CameraEvent::NotEnrollment(err)) => eprintln!("tessera: {err}"),
            Ok(CameraEvent::Failed(err)) => return Err(err.into()),
            Ok(CameraEvent::Ended) => bail!("the camera stopped before a code was found"),
            Ok(_) | Err(_) => {}
        }
    }
}

/// `tessera scan`.
pub fn scan(
    access: &VaultAccess,
    args: &ScanArgs,
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if args.files.is_empty() && !args.screen && !args.clipboard && !args.camera {
        bail!("nothing to scan: give image files, --screen, --clipboard or --camera");
    }
    let limits = ImageLimits::default();
    let mut found: Vec<Found> = Vec::new();
    // What each source that gave nothing said, one line each.
    let mut failures: Vec<String> = Vec::new();
    for (source, result) in scan_files(&args.files, &limits) {
        match result {
            Ok(texts) if texts.is_empty() => {
                failures.push(format!("{source}: no QR code found"));
            }
            Ok(texts) => found.extend(texts.into_iter().map(|payload| Found {
                source: source.clone(),
                payload,
            })),
            Err(err) => {
                failures.push(err.to_string());
            }
        }
    }
    if args.screen {
        match tessera_scan::scan_screens(&limits) {
            Ok(codes) if codes.is_empty() => {
                failures.push("no QR code found on the screen".into());
            }
            Ok(codes) => found.extend(codes.into_iter().map(|c| Found {
                source: "screen".into(),
                payload: c.code.text,
            })),
            Err(err) => {
                failures.push(err.to_string());
            }
        }
    }
    if args.clipboard {
        match tessera_scan::clipboard_image(&limits).map(|image| tessera_scan::decode(&image)) {
            Ok(codes) if codes.is_empty() => {
                failures.push("no QR code found in the clipboard's image".into());
            }
            Ok(codes) => found.extend(codes.into_iter().map(|c| Found {
                source: "clipboard".into(),
                payload: c.text,
            })),
            Err(err) => {
                failures.push(err.to_string());
            }
        }
    }
    if args.camera {
        match scan_camera(args.device, Duration::from_secs(args.timeout)) {
            Ok(texts) => found.extend(texts.into_iter().map(|payload| Found {
                source: "camera".into(),
                payload,
            })),
            Err(err) => {
                failures.push(format!("{err:#}"));
            }
        }
    }

    if args.add {
        add_found(access, &found, now, out)?;
    } else if args.json {
        serde_json::to_writer_pretty(&mut *out, &found)?;
        writeln!(out)?;
    } else {
        for f in &found {
            writeln!(out, "{}", f.payload)?;
        }
    }
    // One source that failed says so in one line; with several, each
    // source's line comes first, then the count.
    if failures.len() == 1 && found.is_empty() {
        bail!("{}", failures[0]);
    }
    for failure in &failures {
        eprintln!("tessera: {failure}");
    }
    if found.is_empty() {
        bail!(
            "no QR code was found in any of the {} sources",
            failures.len()
        );
    }
    if !failures.is_empty() {
        bail!("{} source(s) gave no QR code (see above)", failures.len());
    }
    Ok(())
}

/// Adds the accounts the codes hold (duplicates skipped and named);
/// reports codes that hold something else, and Google Authenticator export
/// codes still missing from a series.
fn add_found(
    access: &VaultAccess,
    found: &[Found],
    now: u64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut inbox = Inbox::new();
    for f in found {
        let (notes, _) = inbox.take_texts(vec![Zeroizing::new(f.payload.clone())]);
        for note in notes {
            eprintln!("tessera: {}: {note}", f.source);
        }
    }
    for skipped in inbox.skipped() {
        eprintln!("tessera: left out: {skipped}");
    }
    for series in inbox.series() {
        if !series.missing.is_empty() {
            let numbers: Vec<String> = series.missing.iter().map(u32::to_string).collect();
            eprintln!(
                "tessera: Google Authenticator export: QR code(s) {} of {} still missing; scan them too",
                numbers.join(", "),
                series.size
            );
        }
    }
    if inbox.is_empty() {
        bail!("no authenticator enrollment among the codes found");
    }
    let mut vault = access.open()?;
    let report = vault.take_in(inbox.take_all(), DuplicatePolicy::Skip, false, now)?;
    print_intake(&report, false, out)
}
