//! How recovery codes that arrive with an import join a vault. Only
//! Tessera's own backup carries them, and they are what users lose track
//! of, so they are merged into what the vault already keeps for the same
//! account or service, never replacing it: codes are only added, and a
//! code spent in either copy is spent in the result.

use tessera_otp::RecoveryCodes;
use tessera_vault::{Contents, RecoveryEntry, RecoveryOwner, VaultError};

use crate::entry::ServiceRecovery;

/// Merges `codes` into the recovery entry of `owner` in `contents`, or
/// adds one at `now` when there is none. A service is the same service
/// when issuer and name are equal. Returns how many codes were new.
pub fn keep_recovery_codes(
    contents: &mut Contents,
    owner: RecoveryOwner,
    codes: &RecoveryCodes,
    now: u64,
) -> Result<usize, VaultError> {
    if codes.codes().is_empty() {
        return Ok(0);
    }
    if let Some(entry) = contents.recovery.iter_mut().find(|e| e.owner == owner) {
        let added = entry.codes.merge(codes);
        if added > 0 || entry.codes != *codes {
            entry.updated_at = now;
        }
        return Ok(added);
    }
    let added = codes.codes().len();
    contents
        .recovery
        .push(RecoveryEntry::new(owner, codes.clone(), now)?);
    Ok(added)
}

/// [`keep_recovery_codes`] for each service of an import.
pub fn keep_service_codes(
    contents: &mut Contents,
    services: &[ServiceRecovery],
    now: u64,
) -> Result<usize, VaultError> {
    let mut added = 0;
    for service in services {
        let owner = RecoveryOwner::Service {
            issuer: service.issuer.clone(),
            name: service.name.clone(),
        };
        added += keep_recovery_codes(contents, owner, &service.codes, now)?;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::Zeroizing;

    fn codes(list: &[&str]) -> RecoveryCodes {
        let mut codes = RecoveryCodes::default();
        codes
            .add(
                list.iter().map(|c| Zeroizing::new(c.to_string())).collect(),
                1,
            )
            .unwrap();
        codes
    }

    fn service(issuer: &str, list: &[&str]) -> ServiceRecovery {
        ServiceRecovery {
            issuer: issuer.into(),
            name: String::new(),
            codes: codes(list),
        }
    }

    /// Importing the same services twice adds their codes once; a service
    /// already kept gains only the codes it lacked.
    #[test]
    fn services_merge_by_name_and_twice_adds_nothing() {
        let mut contents = Contents::default();
        let first = [service("Bank", &["b-1", "b-2"]), service("Mail", &["m-1"])];
        assert_eq!(keep_service_codes(&mut contents, &first, 5).unwrap(), 3);
        assert_eq!(keep_service_codes(&mut contents, &first, 6).unwrap(), 0);
        assert_eq!(contents.recovery.len(), 2);
        let more = [service("Bank", &["b-2", "b-3"])];
        assert_eq!(keep_service_codes(&mut contents, &more, 7).unwrap(), 1);
        assert_eq!(contents.recovery[0].codes.codes().len(), 3);
        assert_eq!(contents.recovery[0].updated_at, 7);
        assert_eq!(contents.recovery[1].updated_at, 5);
    }

    #[test]
    fn an_empty_set_adds_no_entry() {
        let mut contents = Contents::default();
        let empty = ServiceRecovery {
            issuer: "Nothing".into(),
            name: String::new(),
            codes: RecoveryCodes::default(),
        };
        assert_eq!(keep_service_codes(&mut contents, &[empty], 1).unwrap(), 0);
        assert!(contents.recovery.is_empty());
    }
}
