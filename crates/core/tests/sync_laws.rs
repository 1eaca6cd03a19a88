//! The merge laws of sync (docs/sync.md), checked on random histories:
//! three replicas of one vault each make random changes (adding, editing
//! and removing accounts, spending HOTP counters, adding, using and
//! removing recovery codes, changing settings), with clocks that drift
//! apart; their copies are then merged in every order. Merging must be
//! commutative, associative and idempotent, every order must converge to
//! the same vault, and nothing may be lost: an account added anywhere and
//! removed nowhere is there, a recovery code used anywhere is used, an
//! HOTP counter is at least the largest any replica reached.
//!
//! Each history comes from a seed (a small deterministic generator), so a
//! failure names the seed that reproduces it.

use tessera_core::sync::merge::{merge, merge_all};
use tessera_core::sync::state::stamp_changes;
use tessera_otp::{uri, RecoveryCodes, Zeroizing};
use tessera_vault::{Account, Contents, RecoveryEntry, RecoveryOwner};

/// SplitMix64: small, deterministic, good enough to draw histories.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One replica: its copy, its device id, its clock (which may run behind).
struct Replica {
    contents: Contents,
    device: String,
    now: u64,
}

impl Replica {
    /// Applies `change` as the core's update does with sync on: the
    /// change, then versions for what it did.
    fn change(&mut self, change: impl FnOnce(&mut Contents)) {
        let before = self.contents.clone();
        change(&mut self.contents);
        stamp_changes(&before, &mut self.contents, &self.device, self.now * 1000);
        self.contents.generation += 1;
    }
}

fn account(n: u64, now: u64) -> Account {
    let text = format!(
        "otpauth://hotp/Service{n}:user{n}?secret=JBSWY3DPEHPK3PXP&issuer=Service{n}&counter=0"
    );
    Account::new(uri::parse(&text).unwrap(), now).unwrap()
}

fn codes(list: &[String], now: u64) -> RecoveryCodes {
    let mut codes = RecoveryCodes::default();
    codes
        .add(
            list.iter().map(|c| Zeroizing::new(c.clone())).collect(),
            now,
        )
        .unwrap();
    codes
}

/// One random change on `replica`.
fn random_change(rng: &mut Rng, replica: &mut Replica, serial: &mut u64) {
    let now = replica.now;
    let pick = |rng: &mut Rng, len: usize| rng.below(len);
    match rng.below(10) {
        0 | 1 => {
            *serial += 1;
            let n = *serial;
            replica.change(|c| c.accounts.push(account(n, now)));
        }
        2 if !replica.contents.accounts.is_empty() => {
            let i = pick(rng, replica.contents.accounts.len());
            let v = rng.next() % 5;
            replica.change(|c| c.accounts[i].notes = format!("note {v}"));
        }
        3 if !replica.contents.accounts.is_empty() => {
            let i = pick(rng, replica.contents.accounts.len());
            let v = rng.next() % 5;
            replica.change(|c| c.accounts[i].enrollment.issuer = format!("Issuer {v}"));
        }
        4 if !replica.contents.accounts.is_empty() => {
            let i = pick(rng, replica.contents.accounts.len());
            replica.change(|c| c.accounts[i].enrollment.params.counter += 1);
        }
        5 if replica.contents.accounts.len() > 1 => {
            let i = pick(rng, replica.contents.accounts.len());
            replica.change(|c| {
                let id = c.accounts[i].id.clone();
                c.remove_account(&id);
            });
        }
        6 => {
            *serial += 1;
            let n = *serial;
            let list: Vec<String> = (0..3).map(|k| format!("code{n:04}-{k}")).collect();
            replica.change(|c| {
                c.recovery.push(
                    RecoveryEntry::new(
                        RecoveryOwner::Service {
                            issuer: format!("Bank{n}"),
                            name: String::new(),
                        },
                        codes(&list, now),
                        now,
                    )
                    .unwrap(),
                )
            });
        }
        7 if !replica.contents.recovery.is_empty() => {
            let i = pick(rng, replica.contents.recovery.len());
            let unused: Vec<String> = replica.contents.recovery[i]
                .codes
                .codes()
                .iter()
                .filter(|c| c.is_unused())
                .map(|c| c.code().to_owned())
                .collect();
            if let Some(code) = unused.first().cloned() {
                replica.change(|c| {
                    c.recovery[i].codes.use_code(&code, now).unwrap();
                });
            }
        }
        8 if !replica.contents.recovery.is_empty() => {
            let i = pick(rng, replica.contents.recovery.len());
            let all: Vec<String> = replica.contents.recovery[i]
                .codes
                .codes()
                .iter()
                .map(|c| c.code().to_owned())
                .collect();
            if all.len() > 1 {
                let code = all[pick(rng, all.len())].clone();
                replica.change(|c| c.recovery[i].codes.remove_code(&code).unwrap());
            }
        }
        _ => {
            let key = format!("key{}", rng.next() % 3);
            let value = rng.next() % 4;
            replica.change(|c| {
                c.settings.extra.insert(key, value.into());
            });
        }
    }
}

/// Three replicas of one vault after a random history from `seed`.
fn history(seed: u64) -> [Contents; 3] {
    let mut rng = Rng(seed);
    let mut serial = 0;
    let mut base = Replica {
        contents: Contents::default(),
        device: "base".into(),
        now: 1_700_000_000,
    };
    for _ in 0..4 {
        random_change(&mut rng, &mut base, &mut serial);
    }
    let mut replicas: Vec<Replica> = ["aaaa", "bbbb", "cccc"]
        .iter()
        .map(|device| Replica {
            contents: base.contents.clone(),
            device: (*device).into(),
            now: base.now,
        })
        .collect();
    for _ in 0..rng.below(40) + 5 {
        let r = rng.below(3);
        // Clocks drift: some steps are forward, some backward.
        let step = rng.below(30) as u64;
        replicas[r].now = if rng.below(5) == 0 {
            replicas[r].now.saturating_sub(step)
        } else {
            replicas[r].now + step
        };
        random_change(&mut rng, &mut replicas[r], &mut serial);
        // Now and then two replicas sync midway.
        if rng.below(8) == 0 {
            let (x, y) = (rng.below(3), rng.below(3));
            let merged = merge(&replicas[x].contents, &replicas[y].contents);
            replicas[x].contents = merged;
        }
    }
    [
        replicas[0].contents.clone(),
        replicas[1].contents.clone(),
        replicas[2].contents.clone(),
    ]
}

const SEEDS: u64 = 300;

#[test]
fn merging_is_commutative_associative_and_idempotent() {
    for seed in 0..SEEDS {
        let [a, b, c] = history(seed);
        assert_eq!(merge(&a, &b), merge(&b, &a), "commutative, seed {seed}");
        assert_eq!(
            merge(&merge(&a, &b), &c),
            merge(&a, &merge(&b, &c)),
            "associative, seed {seed}"
        );
        // What `sync now` does with several files: the same as in turn.
        assert_eq!(
            merge_all(&a, [&b, &c]),
            merge(&merge(&a, &b), &c),
            "several at once, seed {seed}"
        );
        let ab = merge(&a, &b);
        assert_eq!(merge(&ab, &ab), ab, "idempotent, seed {seed}");
        assert_eq!(merge(&ab, &a), ab, "absorbs what it merged, seed {seed}");
    }
}

#[test]
fn every_order_converges_and_nothing_is_lost() {
    for seed in 0..SEEDS {
        let replicas = history(seed);
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        let results: Vec<Contents> = orders
            .iter()
            .map(|o| merge(&merge(&replicas[o[0]], &replicas[o[1]]), &replicas[o[2]]))
            .collect();
        for result in &results[1..] {
            assert_eq!(result, &results[0], "converges, seed {seed}");
        }
        let merged = &results[0];
        for replica in &replicas {
            let state = tessera_core::sync::state::SyncState::of(replica);
            for removed in state.tombstones.keys().filter(|k| k.starts_with("a:")) {
                assert!(
                    merged
                        .accounts
                        .iter()
                        .all(|a| format!("a:{}", a.id) != *removed),
                    "a removed account came back, seed {seed}"
                );
            }
            for account in &replica.accounts {
                let removed_somewhere = replicas.iter().any(|r| {
                    tessera_core::sync::state::SyncState::of(r)
                        .tombstones
                        .contains_key(&format!("a:{}", account.id))
                });
                match merged.account(&account.id) {
                    Some(kept) => assert!(
                        kept.enrollment.params.counter >= account.enrollment.params.counter,
                        "an HOTP counter went back, seed {seed}"
                    ),
                    None => assert!(removed_somewhere, "an account was lost, seed {seed}"),
                }
            }
            for set in &replica.recovery {
                let Some(kept) = merged.recovery_entry(&set.id) else {
                    continue;
                };
                for code in set.codes.codes().iter().filter(|c| !c.is_unused()) {
                    let form = RecoveryCodes::comparable_form(code.code());
                    let still = kept
                        .codes
                        .codes()
                        .iter()
                        .find(|c| *RecoveryCodes::comparable_form(c.code()) == *form);
                    if let Some(still) = still {
                        assert!(!still.is_unused(), "a used code came back, seed {seed}");
                        assert!(
                            still.used_at <= code.used_at,
                            "the earliest use, seed {seed}"
                        );
                    }
                }
            }
        }
    }
}
