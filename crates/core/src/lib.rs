//! Tessera's operations, written once for both front ends: the `tessera`
//! command line and the desktop app call these and re-implement none of
//! them, so the two cannot disagree about what a duplicate is, how an
//! import merges, which code a moment gives, or how a recovery code is
//! masked. The front ends parse their input, call this crate, and print or
//! serialise what it returns.
//!
//! | module | what it owns |
//! |---|---|
//! | [`vault`] | the open vault; every change goes through [`Vault::update`] |
//! | [`accounts`] | naming, finding, adding, editing, removing accounts; HOTP counters |
//! | [`codes`] | the codes of a list of accounts at a moment, with the time offset |
//! | [`preferences`] | the user's preferences, kept in the vault |
//! | [`intake`] | taking in imported or scanned accounts: the duplicate plan, recovery codes |
//! | [`inbox`] | what scans and imports found and the user has not picked yet |
//! | [`recovery`] | recovery codes: names, masking, adding, using, removing |
//! | [`sync`] | sync through a folder: device files, the per-field merge, joining |
//! | [`disclosure`] | the one rule for letting secrets out: a fresh confirmation |
//! | [`backup`] | Tessera's own encrypted backup, and a vault's contents as entries |
//! | [`backups`] | automatic backups after every change: writing, listing, pruning, restoring |
//! | [`local`] | what this computer keeps about a vault outside it (backup and sync choices) |
//! | [`formats`] | the one registry of import and export formats; reading and writing them |
//! | [`files`] | private files and folders for exports |
//! | [`generations`] | the highest generation of each vault seen here, to notice a rollback |
//! | [`limits`] | the bounds on names, notes, tags, ids and passwords |
//!
//! Nothing here reads the clock (times are arguments) or knows about a
//! window or a terminal. Errors are [`CoreError`]s with a stable
//! [`ErrorKind`]; no message contains a secret.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod accounts;
pub mod backup;
pub mod backups;
pub mod codes;
pub mod disclosure;
mod error;
pub mod files;
pub mod formats;
pub mod generations;
pub mod inbox;
pub mod intake;
pub mod limits;
pub mod local;
pub mod preferences;
pub mod recovery;
pub mod sync;
pub mod vault;

pub use crate::error::{CoreError, ErrorKind};
pub use crate::vault::{machine_folder, NewVault, Vault};
