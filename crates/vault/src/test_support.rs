//! Helpers shared by the unit tests of several modules (a vault in a fresh
//! temporary folder, accounts, tiny KDF parameters), so each test module
//! does not repeat them.

use std::fs;
use std::path::PathBuf;

use tessera_otp::{Enrollment, OtpParams, Secret};

use crate::crypto;
use crate::error::VaultError;
use crate::format::hex;
use crate::kdf::{KdfParams, Password};
use crate::keyring_slot::KeyStore;
use crate::model::Account;
use crate::slots::CreateOptions;
use crate::unlocked::UnlockedVault;

pub(crate) const NOW: u64 = 1_700_000_000;

pub(crate) fn tmpdir() -> PathBuf {
    let r: [u8; 8] = crypto::random_array().unwrap();
    let d = std::env::temp_dir().join(format!("tessera-lib-{}", hex(&r)));
    fs::create_dir_all(&d).unwrap();
    d
}

pub(crate) fn pw(s: &str) -> Password {
    Password::from(s)
}

pub(crate) fn account(name: &str) -> Account {
    Account::new(
        Enrollment {
            issuer: "Example".into(),
            name: name.into(),
            secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            params: OtpParams::totp(),
        },
        NOW,
    )
    .unwrap()
}

pub(crate) fn opts<'a>(
    password: Option<&'a Password>,
    keyring: Option<&'a dyn KeyStore>,
) -> CreateOptions<'a> {
    CreateOptions {
        password,
        kdf: KdfParams::insecure_for_tests(),
        keyring,
    }
}

pub(crate) fn add(v: &mut UnlockedVault, name: &str) {
    v.update(NOW + 1, |c| {
        c.accounts.push(account(name));
        Ok::<_, VaultError>(())
    })
    .unwrap();
}

pub(crate) fn names(v: &UnlockedVault) -> Vec<String> {
    v.contents()
        .accounts
        .iter()
        .map(|a| a.enrollment.name.clone())
        .collect()
}
