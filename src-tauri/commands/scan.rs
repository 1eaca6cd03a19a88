//! Adding accounts from QR codes: the screen, an image (opened, dropped or
//! pasted), or the clipboard. Decoding happens in tessera-scan; what a scan
//! finds stays here in Rust (the QR codes hold the secrets) and the webview
//! gets names to choose from. A Google Authenticator export of several QR
//! codes is collected across scans, and the UI is told which codes of the
//! series are still missing.

use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::AppHandle;
use tessera_otp::{OtpKind, RecoveryCodes};
use tessera_scan::{classify, ImageLimits, Payload, SeriesCollector};
use tessera_transfer::{Entry, ServiceRecovery};

use crate::commands::accounts::{add_entries, same_account, Added};
use crate::state::{blocking, Session};

/// The largest image accepted from the webview: a photo or screenshot of a
/// QR code is a few megabytes; anything larger is refused before decoding.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// What scans (or an imported file) found since the add screen opened,
/// kept in Rust: it holds the secrets.
#[derive(Default)]
pub struct Pending {
    /// Accounts from `otpauth://` codes, or from an imported file (with
    /// their notes, tags and favourite mark).
    pub singles: Vec<Entry>,
    /// A Google Authenticator export being collected.
    series: Option<SeriesCollector>,
    /// Entries of an imported file that cannot be used, and why.
    pub errors: Vec<String>,
    /// An imported file waiting for its password.
    pub file: Option<tessera_otp::Zeroizing<Vec<u8>>>,
    /// Recovery codes of services without an account, from an imported
    /// Tessera backup: kept when the picked accounts are added.
    pub services: Vec<ServiceRecovery>,
}

impl Pending {
    /// Every account found, singles first, then the export's in its order.
    fn accounts(&self) -> Vec<Entry> {
        let mut all = self.singles.clone();
        if let Some(series) = &self.series {
            all.extend(series.accounts().into_iter().map(Entry::new));
        }
        all
    }
}

/// One account a scan found, as the UI lists it: never the secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundAccount {
    /// Its place in the list, to pick it.
    pub index: usize,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: OtpKind,
    /// The vault already has it.
    pub duplicate: bool,
    /// Unused recovery codes that come with it (from a Tessera backup).
    pub recovery_codes: usize,
}

/// Progress through a multi-code export.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesView {
    /// Codes in the export.
    pub size: u32,
    /// The codes not scanned yet, counting from 1 ("code 2 of 3").
    pub missing: Vec<u32>,
}

/// Everything found so far.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// Accounts ready to add.
    pub found: Vec<FoundAccount>,
    /// The export series, if one is being scanned.
    pub series: Option<SeriesView>,
    /// Accounts an export lists that cannot be used, and why.
    pub skipped: Vec<String>,
    /// What this scan saw that is not an enrollment (a web link, …).
    pub notes: Vec<String>,
    /// Services without an account whose recovery codes come along.
    pub recovery_services: usize,
}

/// Everything found so far, as the UI lists it.
pub fn result(session: &Session, notes: Vec<String>) -> ScanResult {
    let pending = session.pending.as_ref();
    let accounts = pending.map(Pending::accounts).unwrap_or_default();
    let existing = &session.vault.contents().accounts;
    ScanResult {
        found: accounts
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let e = &entry.enrollment;
                FoundAccount {
                    index,
                    issuer: e.issuer.clone(),
                    name: e.name.clone(),
                    kind: e.params.kind,
                    duplicate: existing.iter().any(|a| same_account(&a.enrollment, e)),
                    recovery_codes: entry
                        .recovery
                        .as_ref()
                        .map_or(0, RecoveryCodes::unused_count),
                }
            })
            .collect(),
        series: pending.and_then(|p| p.series.as_ref()).map(|s| SeriesView {
            size: s.size(),
            missing: s.missing().iter().map(|i| i + 1).collect(),
        }),
        skipped: pending
            .map(|p| {
                let mut skipped = p.errors.clone();
                if let Some(series) = &p.series {
                    skipped.extend(series.skipped().iter().map(|k| {
                        let who = match (k.issuer.is_empty(), k.name.is_empty()) {
                            (false, false) => format!("{} ({})", k.issuer, k.name),
                            (false, true) => k.issuer.clone(),
                            _ => k.name.clone(),
                        };
                        format!("{who}: {}", k.reason)
                    }));
                }
                skipped
            })
            .unwrap_or_default(),
        notes,
        recovery_services: pending.map_or(0, |p| p.services.len()),
    }
}

/// Adds the codes' texts to the pending scan; returns notes about codes
/// that are not enrollments, and whether any enrollment was found.
fn take_codes(session: &mut Session, texts: Vec<String>) -> (Vec<String>, bool) {
    let pending = session.pending.get_or_insert_with(Pending::default);
    let mut notes = Vec::new();
    let mut any = false;
    for text in texts {
        // The decoded text holds the secret: wiped once classified.
        let text = tessera_otp::Zeroizing::new(text);
        match classify(&text) {
            Ok(Payload::Account(enrollment)) => {
                any = true;
                let known = pending.singles.iter().any(|e| e.enrollment == enrollment);
                if !known {
                    pending.singles.push(Entry::new(enrollment));
                }
            }
            Ok(Payload::Migration(batch)) => {
                any = true;
                let series = pending.series.get_or_insert_with(SeriesCollector::new);
                if let Err(e) = series.add(batch) {
                    notes.push(e.to_string());
                }
            }
            Ok(_) => {}
            Err(e) => notes.push(e.to_string()),
        }
    }
    (notes, any)
}

/// Turns what a source decoded into the scan's answer, or a one-line error
/// when it held nothing usable.
pub(crate) fn finish(
    session: &mut Session,
    texts: Vec<String>,
    where_: &str,
) -> Result<ScanResult, String> {
    if texts.is_empty() {
        return Err(format!("no QR code found {where_}"));
    }
    let (notes, any) = take_codes(session, texts);
    if !any {
        return Err(notes
            .first()
            .cloned()
            .unwrap_or_else(|| format!("no enrollment QR code found {where_}")));
    }
    Ok(result(session, notes))
}

/// Captures every screen and reads the QR codes on it.
#[tauri::command]
pub async fn scan_screen(app: AppHandle) -> Result<ScanResult, String> {
    blocking(app, |state| {
        // Captured and decoded outside the session lock: the codes tick
        // goes on meanwhile.
        state.with_session(|_| Ok(()))?;
        let codes =
            tessera_scan::scan_screens(&ImageLimits::default()).map_err(|e| e.to_string())?;
        let texts = codes.into_iter().map(|c| c.code.text).collect();
        state.with_session(|s| finish(s, texts, "on the screen"))
    })
    .await
}

/// Reads the QR codes in the image on the clipboard.
#[tauri::command]
pub async fn scan_clipboard(app: AppHandle) -> Result<ScanResult, String> {
    blocking(app, |state| {
        state.with_session(|_| Ok(()))?;
        let image =
            tessera_scan::clipboard_image(&ImageLimits::default()).map_err(|e| e.to_string())?;
        let texts = tessera_scan::decode(&image)
            .into_iter()
            .map(|c| c.text)
            .collect();
        state.with_session(|s| finish(s, texts, "in the clipboard's image"))
    })
    .await
}

/// Reads the QR codes in an image file's bytes (opened, dropped or pasted
/// in the webview), sent as the raw request body.
#[tauri::command]
pub async fn scan_image(app: AppHandle, request: Request<'_>) -> Result<ScanResult, String> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err("send the image's bytes".to_owned());
    };
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "the image is {} MB; a picture of a QR code is at most {} MB",
            bytes.len() / (1024 * 1024),
            MAX_IMAGE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = bytes.clone();
    blocking(app, move |state| {
        state.with_session(|_| Ok(()))?;
        let limits = ImageLimits {
            max_file_bytes: MAX_IMAGE_BYTES as u64,
            ..ImageLimits::default()
        };
        let image = tessera_scan::load_image_bytes(&bytes, &limits).map_err(|e| e.to_string())?;
        let texts = tessera_scan::decode(&image)
            .into_iter()
            .map(|c| c.text)
            .collect();
        state.with_session(|s| finish(s, texts, "in the image"))
    })
    .await
}

/// Adds the found accounts picked by index (all when `indexes` is empty is
/// not assumed: the UI sends what the user ticked), then forgets the scan.
#[tauri::command]
pub async fn add_scanned(app: AppHandle, indexes: Vec<usize>) -> Result<Vec<Added>, String> {
    if indexes.len() > crate::limits::MAX_ACCOUNTS {
        return Err("too many accounts picked".to_owned());
    }
    blocking(app, move |state| {
        state.with_session(|s| {
            let accounts = s
                .pending
                .as_ref()
                .map(Pending::accounts)
                .unwrap_or_default();
            let mut picked = Vec::with_capacity(indexes.len());
            for &index in &indexes {
                let enrollment = accounts
                    .get(index)
                    .ok_or("the scan changed meanwhile; scan again")?;
                picked.push(enrollment.clone());
            }
            if picked.is_empty() {
                return Err("pick at least one account to add".to_owned());
            }
            // Accounts left unticked still bring their recovery codes to
            // the vault's copy of the same account: codes are never lost.
            let unpicked: Vec<Entry> = accounts
                .into_iter()
                .enumerate()
                .filter(|(index, entry)| !indexes.contains(index) && entry.recovery.is_some())
                .map(|(_, entry)| entry)
                .collect();
            let services = s
                .pending
                .as_mut()
                .map(|p| std::mem::take(&mut p.services))
                .unwrap_or_default();
            let added = add_entries(s, picked, &unpicked, &services)?;
            s.pending = None;
            Ok(added)
        })
    })
    .await
}

/// Forgets what scans found (leaving the add screen).
#[tauri::command]
pub async fn scan_reset(app: AppHandle) -> Result<(), String> {
    blocking(app, |state| {
        if let Some(s) = state.session().as_mut() {
            s.pending = None;
        }
        Ok(())
    })
    .await
}
