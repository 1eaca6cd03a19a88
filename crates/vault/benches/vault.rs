//! Vault benchmark (`cargo bench -p tessera-vault`): with 10,000 accounts,
//! the time to open (after key derivation), to save (fsync included), to
//! generate every account's code, and the Argon2id unlock with the default
//! parameters. Prints a table with the goals beside the measurements.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tessera_otp::{Algorithm, Enrollment, OtpParams, Secret};
use tessera_vault::{
    Account, Contents, CreateOptions, KdfParams, KeyStore, MemoryKeyStore, Password, UnlockedVault,
    VaultError,
};

const ACCOUNTS: usize = 10_000;
const NOW: u64 = 1_700_000_000;

fn enrollment(i: usize) -> Enrollment {
    let mut secret = [0u8; 20];
    for (j, b) in secret.iter_mut().enumerate() {
        *b = (i * 31 + j * 7) as u8;
    }
    let params = match i % 10 {
        0 => OtpParams::hotp(i as u64),
        1 => OtpParams::steam(),
        2 => OtpParams {
            algorithm: Algorithm::Sha256,
            digits: 8,
            ..OtpParams::totp()
        },
        _ => OtpParams::totp(),
    };
    Enrollment {
        issuer: format!("Issuer {}", i % 97),
        name: format!("user{i}@example.com"),
        secret: Secret::from_bytes(secret.to_vec()).unwrap(),
        params,
    }
}

fn contents() -> Contents {
    let mut c = Contents::default();
    for i in 0..ACCOUNTS {
        let mut a = Account::new(enrollment(i), NOW).unwrap();
        if i % 5 == 0 {
            a.notes = "backup codes in the safe".into();
            a.tags = vec!["work".into(), "2fa".into()];
        }
        c.accounts.push(a);
    }
    c
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn row(what: &str, took: Duration, goal: Option<Duration>) {
    let (goal_text, verdict) = match goal {
        Some(g) => (
            format!("< {}", ms(g)),
            if took < g { "ok" } else { "MISSED" },
        ),
        None => ("~500 ms (chosen)".to_owned(), "-"),
    };
    println!(
        "| {what:<44} | {:>12} | {goal_text:>17} | {verdict:<6} |",
        ms(took)
    );
}

fn tmpdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("tessera-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then this only checks that the benchmark runs at all.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 1 } else { 15 };
    let dir = tmpdir();
    let path = dir.join("vault.tessera");

    // A keyring-only vault (in-memory store): opening it costs no KDF, so
    // "open" is read + parse + unwrap + decrypt + JSON.
    let store = MemoryKeyStore::new();
    let mut vault = UnlockedVault::create(
        &path,
        CreateOptions {
            password: None,
            kdf: KdfParams::DEFAULT,
            keyring: Some(&store as &dyn KeyStore),
        },
        contents(),
        NOW,
    )
    .unwrap();

    let open = time(runs, || {
        UnlockedVault::open_with_keyring(&path, &store).unwrap()
    });
    let mut i = 0u64;
    let save = time(runs, || {
        i += 1;
        vault
            .update(NOW + i, |c| {
                c.accounts[0].notes = format!("edit {i}");
                Ok::<_, VaultError>(())
            })
            .unwrap()
    });
    let accounts = &vault.contents().accounts;
    assert_eq!(accounts.len(), ACCOUNTS);
    let codes = time(runs * 2, || {
        accounts
            .iter()
            .map(|a| a.enrollment.code_at(NOW).unwrap())
            .collect::<Vec<_>>()
    });

    // Argon2id with the defaults, on a small vault.
    let small = dir.join("small.tessera");
    let password = Password::from("correct horse battery staple");
    UnlockedVault::create(
        &small,
        CreateOptions {
            password: Some(&password),
            kdf: KdfParams::DEFAULT,
            keyring: None,
        },
        Contents::default(),
        NOW,
    )
    .unwrap();
    let unlock = time(if quick { 1 } else { 5 }, || {
        UnlockedVault::open_with_password(&small, &password).unwrap()
    });

    // The table the defaults were chosen from (format doc, section 4).
    let candidates: Vec<(KdfParams, Duration)> = if quick {
        Vec::new()
    } else {
        [(64, 3), (64, 6), (128, 3), (128, 4), (256, 2), (1024, 4)]
            .iter()
            .map(|&(mib, t)| {
                let p = KdfParams::new(mib * 1024, t, 1).unwrap();
                let runs = if mib >= 1024 { 1 } else { 5 };
                (
                    p,
                    time(runs, || tessera_vault::derive_key_for_bench(&password, p)),
                )
            })
            .collect()
    };

    let d = KdfParams::DEFAULT;
    println!();
    println!(
        "tessera-vault benchmark: {ACCOUNTS} accounts, vault file {} KiB, median of {runs} runs{}",
        size(&path) / 1024,
        if quick {
            " (quick check, not `cargo bench`)"
        } else {
            ""
        }
    );
    println!();
    println!(
        "| {:<44} | {:>12} | {:>17} | {:<6} |",
        "operation", "measured", "goal", "result"
    );
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(46),
        "-".repeat(14),
        "-".repeat(19),
        "-".repeat(8)
    );
    row(
        "open 10,000 accounts (after key derivation)",
        open,
        Some(Duration::from_millis(50)),
    );
    row(
        "save 10,000 accounts (fsync, backup rotation)",
        save,
        Some(Duration::from_millis(100)),
    );
    row(
        "codes for all 10,000 accounts",
        codes,
        Some(Duration::from_millis(10)),
    );
    row(
        &format!(
            "Argon2id unlock, defaults m={} MiB t={} p={}",
            d.m_cost_kib() / 1024,
            d.t_cost(),
            d.p_cost()
        ),
        unlock,
        None,
    );
    if !candidates.is_empty() {
        println!();
        println!("Argon2id candidates (one derivation, median of 5; 1 GiB: one run):");
        println!();
        println!("| m (MiB) | t | p | time |");
        println!("|---|---|---|---|");
        for (p, took) in candidates {
            println!(
                "| {} | {} | {} | {} |",
                p.m_cost_kib() / 1024,
                p.t_cost(),
                p.p_cost(),
                ms(took)
            );
        }
    }
    println!();
    std::fs::remove_dir_all(&dir).unwrap();
}
