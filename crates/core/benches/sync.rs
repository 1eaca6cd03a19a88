//! Sync benchmark (`cargo bench -p tessera-core --bench sync`): five device
//! files of 10,000 accounts each in a sync folder, each device having made
//! its own changes, merged into a sixth computer's vault. Prints the merge
//! alone (the goal: under 100 ms after unlock), what opening the
//! five files costs, a whole `sync now` that merges them and saves, and a
//! `sync now` with nothing changed beside the time to read the files (goal:
//! under 10 ms more than reading them).
//!
//! The vaults unlock through an in-memory keyring, so no Argon2 run is in
//! any figure: "after unlock" is what is measured.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tessera_core::sync::merge::merge_all;
use tessera_core::vault::{NewVault, Vault};
use tessera_otp::uri;
use tessera_vault::{Account, Contents, KeyStore, MemoryKeyStore, Unlock};

const ACCOUNTS: usize = 10_000;
const DEVICES: usize = 5;
const NOW: u64 = 1_790_000_000;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
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
        None => ("-".to_owned(), "-"),
    };
    println!(
        "| {what:<58} | {:>11} | {goal_text:>10} | {verdict:<6} |",
        ms(took)
    );
}

fn account(i: usize) -> Account {
    let kind = if i % 10 == 0 { "hotp" } else { "totp" };
    let text = format!(
        "otpauth://{kind}/Issuer{}:user{i}@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Issuer{}&counter={i}",
        i % 97,
        i % 97
    );
    let mut account = Account::new(uri::parse(&text).unwrap(), NOW).unwrap();
    if i % 5 == 0 {
        account.notes = "backup codes in the safe".into();
        account.tags = vec!["work".into()];
    }
    account
}

/// One computer: its vault and its configuration folder.
struct Computer {
    path: PathBuf,
    machine: PathBuf,
}

impl Computer {
    fn new(root: &Path, name: &str) -> Computer {
        Computer {
            path: root.join(name).join("vault.tessera"),
            machine: root.join(name).join("config"),
        }
    }

    fn open(&self, store: &MemoryKeyStore) -> Vault {
        Vault::open_remembering(
            &self.path,
            Unlock::Keyring(store as &dyn KeyStore),
            Some(self.machine.clone()),
            true,
        )
        .unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then this only checks that the benchmark runs at all.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 1 } else { 9 };
    let root = tempfile::tempdir().unwrap();
    // Creating a vault records its generation in the user's configuration
    // folder: keep that inside the benchmark's folder.
    std::env::set_var("XDG_CONFIG_HOME", root.path().join("xdg"));
    let folder = root.path().join("Sync");
    std::fs::create_dir_all(&folder).unwrap();
    let store = MemoryKeyStore::new();

    // The first computer: 10,000 accounts, sync on.
    let first = Computer::new(root.path(), "first");
    let mut vault = Vault::create(
        &first.path,
        NewVault {
            password: None,
            keyring: Some(&store),
        },
        NOW,
    )
    .unwrap();
    vault
        .update(NOW, |contents| {
            contents.accounts = (0..ACCOUNTS).map(account).collect();
            Ok(())
        })
        .unwrap();
    drop(vault);
    let mut vault = first.open(&store);
    vault.enable_sync(&folder, "first", NOW + 1).unwrap();
    drop(vault);

    // Five more computers start from a copy of it (as `join` does), each
    // turn sync on, and each makes its own changes: 200 accounts edited,
    // 100 added, 20 removed, HOTP codes used.
    for device in 0..DEVICES {
        let computer = Computer::new(root.path(), &format!("device{device}"));
        std::fs::create_dir_all(computer.path.parent().unwrap()).unwrap();
        std::fs::copy(&first.path, &computer.path).unwrap();
        let mut vault = computer.open(&store);
        let now = NOW + 10 + device as u64;
        vault
            .enable_sync(&folder, &format!("device {device}"), now)
            .unwrap();
        vault
            .update(now + 1, |contents| {
                let start = device * 1000;
                for account in &mut contents.accounts[start..start + 200] {
                    account.notes = format!("edited on device {device}");
                    account.enrollment.params.counter += 3;
                }
                contents.accounts.drain(start + 200..start + 220);
                contents
                    .accounts
                    .extend((0..100).map(|i| account(ACCOUNTS + device * 100 + i)));
                Ok(())
            })
            .unwrap();
    }

    // The five device files, opened once for the in-memory merge.
    let sync_dir = std::fs::read_dir(folder.join("tessera-sync"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let first_vault = first.open(&store);
    let own = first_vault.sync_choice().unwrap().device;
    let device_files: Vec<PathBuf> = std::fs::read_dir(&sync_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with(format!("{own}.tessera")))
        .collect();
    assert_eq!(device_files.len(), DEVICES);
    let read_all = || -> Vec<Vec<u8>> {
        device_files
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    };
    let bytes = read_all();
    let copies: Vec<Contents> = bytes
        .iter()
        .map(|b| first_vault.open_own_image(b).unwrap())
        .collect();
    let base = first_vault.contents().clone();

    println!(
        "\nSync: {DEVICES} device files of {ACCOUNTS} accounts each, median of {runs} run(s)\n"
    );
    println!(
        "| {:<58} | {:>11} | {:>10} | {:<6} |",
        "what", "took", "goal", "verdict"
    );
    println!("|{:-<60}|{:-<13}|{:-<12}|{:-<8}|", "", "", "", "");

    let mut merged = base.clone();
    let merge_time = median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                let result = merge_all(&base, &copies);
                let took = start.elapsed();
                merged = result;
                took
            })
            .collect(),
    );
    assert_eq!(
        merged.accounts.len(),
        ACCOUNTS + DEVICES * 100 - DEVICES * 20
    );
    row(
        "merge 5 copies into the vault (in memory)",
        merge_time,
        Some(Duration::from_millis(100)),
    );
    let open_time = median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                for b in &bytes {
                    std::hint::black_box(first_vault.open_own_image(b).unwrap());
                }
                start.elapsed()
            })
            .collect(),
    );
    row("decrypt and parse the 5 files", open_time, None);
    drop(first_vault);

    // A whole `sync now` merging the five files and saving, each run from
    // the first computer as it was before (its vault and its records).
    let pristine = root.path().join("first-pristine");
    copy_dir(first.path.parent().unwrap(), &pristine);
    let whole = median(
        (0..runs)
            .map(|_| {
                copy_dir(&pristine, first.path.parent().unwrap());
                let mut vault = first.open(&store);
                let start = Instant::now();
                let report = vault.sync_now(NOW + 100).unwrap();
                let took = start.elapsed();
                assert_eq!(report.merged.files, DEVICES);
                took
            })
            .collect(),
    );
    row(
        "sync now: read, merge and save the 5 changed files",
        whole,
        None,
    );

    // Nothing changed since the last sync.
    let mut vault = first.open(&store);
    vault.sync_now(NOW + 200).unwrap();
    let idle_runs = runs * 3;
    let idle = median(
        (0..idle_runs)
            .map(|i| {
                let start = Instant::now();
                let report = vault.sync_now(NOW + 300 + i as u64).unwrap();
                let took = start.elapsed();
                assert_eq!(report.merged.files, 0, "nothing new");
                took
            })
            .collect(),
    );
    let reading = median(
        (0..idle_runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(read_all());
                std::hint::black_box(std::fs::read(&first.path).unwrap());
                start.elapsed()
            })
            .collect(),
    );
    row("sync now, nothing changed", idle, None);
    row("  of which reading the 6 files", reading, None);
    row(
        "  the rest",
        idle.saturating_sub(reading),
        Some(Duration::from_millis(10)),
    );
    println!();
}
