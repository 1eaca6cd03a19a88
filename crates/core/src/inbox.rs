//! What scans and imports found and the user has not added yet: accounts
//! from `otpauth://` codes, Google Authenticator exports collected code by
//! code (several series at once, each saying which codes are missing), and
//! the accounts of an imported file. The app keeps one inbox per unlocked
//! session while the user picks; `tessera scan --add` fills one from every
//! image it was given and takes it all in.
//!
//! It holds secrets, so it lives in Rust and is dropped with the session;
//! front ends show [`FoundAccount`]s, which have none.

use std::collections::BTreeMap;

use serde::Serialize;
use tessera_otp::migration::SeriesCollector;
use tessera_otp::{OtpKind, RecoveryCodes, Zeroizing};
use tessera_scan::{classify, Payload};
use tessera_transfer::{Entry, ImportReport, ServiceRecovery};
use tessera_vault::Contents;

use crate::accounts::{names_label, same_account};
use crate::error::CoreError;
use crate::intake::Intake;

/// Accounts found and waiting to be picked.
#[derive(Default)]
pub struct Inbox {
    /// Accounts from `otpauth://` codes and imported files, in the order
    /// found, each once.
    singles: Vec<Entry>,
    /// Google Authenticator exports being collected, by batch id.
    series: BTreeMap<i32, SeriesCollector>,
    /// Entries of imported files that cannot be used, and why.
    errors: Vec<String>,
    /// Recovery codes of services without an account, from an imported
    /// Tessera backup.
    services: Vec<ServiceRecovery>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("accounts", &self.accounts().len())
            .field("series", &self.series.len())
            .finish_non_exhaustive()
    }
}

/// One account found, as a front end lists it: never the secret.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundAccount {
    /// Its place in the list, to pick it.
    pub index: usize,
    /// The service.
    pub issuer: String,
    /// The account at the service.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    #[cfg_attr(feature = "ts", ts(type = "OtpKind"))]
    pub kind: OtpKind,
    /// The vault already has it.
    pub duplicate: bool,
    /// Unused recovery codes that come with it (from a Tessera backup).
    pub recovery_codes: usize,
}

/// How far the collection of one multi-code export has come.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesProgress {
    /// Codes in the export.
    pub size: u32,
    /// The codes not scanned yet, counting from 1 ("code 2 of 3").
    pub missing: Vec<u32>,
}

impl Inbox {
    /// An empty inbox.
    pub fn new() -> Inbox {
        Inbox::default()
    }

    /// Takes what QR codes held (decoded texts, wiped as they are read).
    /// Returns one note for each text that is not an enrollment (a web
    /// link, a damaged export), and whether any enrollment was found.
    pub fn take_texts(&mut self, texts: Vec<Zeroizing<String>>) -> (Vec<String>, bool) {
        let mut notes = Vec::new();
        let mut any = false;
        for text in texts {
            match classify(&text) {
                Ok(Payload::Account(enrollment)) => {
                    any = true;
                    self.push_single(Entry::new(enrollment));
                }
                Ok(Payload::Migration(batch)) => {
                    any = true;
                    let collector = self.series.entry(batch.series.batch_id).or_default();
                    if let Err(e) = collector.add(batch) {
                        notes.push(e.to_string());
                    }
                }
                Ok(_) => notes.push("a kind of QR code Tessera cannot add".to_owned()),
                Err(e) => notes.push(e.to_string()),
            }
        }
        (notes, any)
    }

    /// Takes the accounts and services' codes of an imported file.
    pub fn take_import(&mut self, report: ImportReport) {
        self.errors
            .extend(report.errors.iter().map(ToString::to_string));
        self.services.extend(report.services);
        for entry in report.entries {
            self.push_single(entry);
        }
    }

    fn push_single(&mut self, entry: Entry) {
        if !self
            .singles
            .iter()
            .any(|e| e.enrollment == entry.enrollment)
        {
            self.singles.push(entry);
        }
    }

    /// Every account found: single codes and files first, then each
    /// export's in its order.
    pub fn accounts(&self) -> Vec<Entry> {
        let mut all = self.singles.clone();
        for collector in self.series.values() {
            all.extend(collector.accounts().into_iter().map(Entry::new));
        }
        all
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.singles.is_empty() && self.series.values().all(|s| s.accounts().is_empty())
    }

    /// The accounts found, as lists show them, each flagged when `contents`
    /// already has it.
    pub fn found(&self, contents: &Contents) -> Vec<FoundAccount> {
        self.accounts()
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let e = &entry.enrollment;
                FoundAccount {
                    index,
                    issuer: e.issuer.clone(),
                    name: e.name.clone(),
                    kind: e.params.kind,
                    duplicate: same_account(contents, e).is_some(),
                    recovery_codes: entry
                        .recovery
                        .as_ref()
                        .map_or(0, RecoveryCodes::unused_count),
                }
            })
            .collect()
    }

    /// The exports being collected, each with the codes still missing.
    pub fn series(&self) -> Vec<SeriesProgress> {
        self.series
            .values()
            .map(|collector| SeriesProgress {
                size: collector.size(),
                missing: collector.missing().iter().map(|i| i + 1).collect(),
            })
            .collect()
    }

    /// Accounts that were found but cannot be used, each with why.
    pub fn skipped(&self) -> Vec<String> {
        let mut skipped = self.errors.clone();
        for collector in self.series.values() {
            skipped.extend(
                collector
                    .skipped()
                    .iter()
                    .map(|k| format!("{}: {}", names_label(&k.issuer, &k.name), k.reason)),
            );
        }
        skipped
    }

    /// How many services without an account bring recovery codes.
    pub fn service_count(&self) -> usize {
        self.services.len()
    }

    /// What to take in when the user picks the accounts at `picked` (by
    /// [`FoundAccount::index`]): those accounts; the recovery codes of the
    /// others, for the vault's copy of the same account; and every
    /// service's codes. The inbox is emptied.
    pub fn pick(&mut self, picked: &[usize]) -> Result<Intake, CoreError> {
        let accounts = self.accounts();
        let mut entries = Vec::with_capacity(picked.len());
        for &index in picked {
            let entry = accounts
                .get(index)
                .ok_or_else(|| CoreError::invalid("the list changed meanwhile; scan again"))?;
            entries.push(entry.clone());
        }
        if entries.is_empty() {
            return Err(CoreError::invalid("pick at least one account to add"));
        }
        let codes_only = accounts
            .into_iter()
            .enumerate()
            .filter(|(index, entry)| !picked.contains(index) && entry.recovery.is_some())
            .map(|(_, entry)| entry)
            .collect();
        let services = std::mem::take(&mut self.services);
        *self = Inbox::default();
        Ok(Intake {
            entries,
            codes_only,
            services,
        })
    }

    /// Everything found, to take in as it is (`tessera scan --add`).
    pub fn take_all(&mut self) -> Intake {
        let intake = Intake {
            entries: self.accounts(),
            codes_only: Vec::new(),
            services: std::mem::take(&mut self.services),
        };
        *self = Inbox::default();
        intake
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<Zeroizing<String>> {
        list.iter().map(|t| Zeroizing::new(t.to_string())).collect()
    }

    #[test]
    fn codes_are_found_once_and_other_codes_are_noted() {
        let mut inbox = Inbox::new();
        let link = "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME";
        let (notes, any) = inbox.take_texts(texts(&[link, link, "https://example.com"]));
        assert!(any);
        assert_eq!(notes.len(), 1, "{notes:?}");
        let found = inbox.found(&Contents::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].issuer, "ACME");
        assert!(!found[0].duplicate);
        let intake = inbox.pick(&[0]).unwrap();
        assert_eq!(intake.entries.len(), 1);
        assert!(inbox.is_empty(), "picking empties the inbox");
        assert!(inbox.pick(&[0]).is_err());
    }
}
