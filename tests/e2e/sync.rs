//! Sync through a folder (issue 22), as two machines use it: each machine
//! is a data folder of its own (its vault, its configuration folder and its
//! copy of the synced folder); [`carry`] copies the files between the two
//! copies, as a sync tool does, so changes made between two carries are
//! concurrent: neither machine has seen the other's. The end-to-end test
//! with real Syncthing is `syncthing.rs`.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::{cli_binary, stderr_failed, stdout_ok, write_secret};

/// One machine: its own vault and configuration folder.
pub(crate) struct Machine {
    pub dir: tempfile::TempDir,
    pub password_file: PathBuf,
    device: std::cell::OnceCell<String>,
}

impl Machine {
    pub fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let password_file = dir.path().join("password");
        write_secret(&password_file, "correct horse\n");
        Machine {
            dir,
            password_file,
            device: std::cell::OnceCell::new(),
        }
    }

    pub fn vault(&self) -> PathBuf {
        self.dir.path().join("data/vault.tessera")
    }

    /// This machine's copy of the synced folder.
    pub fn synced(&self) -> PathBuf {
        self.dir.path().join("Sync")
    }

    /// The vault's folder of device files in this machine's copy of the
    /// synced folder (`tessera-sync/<vault id>`, the only one there).
    pub fn vault_sync_folder(&self) -> PathBuf {
        std::fs::read_dir(self.synced().join("tessera-sync"))
            .unwrap()
            .next()
            .expect("a vault folder in tessera-sync")
            .unwrap()
            .path()
    }

    /// Runs the CLI as this machine, with its password.
    pub fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(cli_binary())
            .args(["--password-file", self.password_file.to_str().unwrap()])
            .args(args)
            .env("TESSERA_VAULT", self.vault())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env_remove("TESSERA_PASSWORD_FILE")
            .arg("--no-keyring")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        stdout_ok(&self.run(args), &args.join(" "))
    }

    /// The accounts as `list --json` gives them, without ids, sorted.
    pub fn accounts(&self) -> Vec<Value> {
        let listed: Value = serde_json::from_str(&self.ok(&["list", "--json"])).unwrap();
        let mut accounts: Vec<Value> = listed.as_array().unwrap().clone();
        accounts.sort_by_key(|a| a.to_string());
        accounts
    }

    /// Every recovery code, revealed, with whether it is used.
    pub fn codes(&self) -> Vec<(String, bool)> {
        let listed: Value =
            serde_json::from_str(&self.ok(&["recovery", "list", "--json", "--reveal"])).unwrap();
        let mut codes: Vec<(String, bool)> = listed
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|set| set["codes"].as_array().unwrap().clone())
            .map(|c| (c["code"].as_str().unwrap().to_owned(), c["used"] == true))
            .collect();
        codes.sort();
        codes
    }
}

fn add(machine: &Machine, issuer: &str, name: &str) {
    machine.ok(&[
        "add",
        &format!("otpauth://totp/{issuer}:{name}?secret=JBSWY3DPEHPK3PXP&issuer={issuer}"),
    ]);
}

/// This machine's device id, as `sync status` gives it.
pub(crate) fn device_of(machine: &Machine) -> String {
    machine
        .device
        .get_or_init(|| {
            let status: Value =
                serde_json::from_str(&machine.ok(&["sync", "status", "--json"])).unwrap();
            status["device"].as_str().unwrap().to_owned()
        })
        .clone()
}

/// Does what a sync tool does between two copies of the synced folder:
/// every file one side has and the other lacks or holds older is copied
/// over. A machine's own device file is only ever written by that machine,
/// so it is never copied onto it.
pub(crate) fn carry(first: &Machine, second: &Machine) {
    let first_device = device_of(first);
    let second_device = device_of(second);
    copy_newer(&first.synced(), &second.synced(), &second_device);
    copy_newer(&second.synced(), &first.synced(), &first_device);
}

fn copy_newer(from: &Path, to: &Path, own_device_of_target: &str) {
    for entry in walk(from) {
        let relative = entry.strip_prefix(from).unwrap();
        let own = relative
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n == format!("{own_device_of_target}.tessera"));
        if own {
            continue;
        }
        let target = to.join(relative);
        let newer = match (std::fs::read(&entry), std::fs::read(&target)) {
            (Ok(source), Ok(existing)) => {
                source != existing && modified(&entry) >= modified(&target)
            }
            (Ok(_), Err(_)) => true,
            _ => false,
        };
        if newer {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Two machines, each with its own copy of the synced folder, the second
/// joined from the first after a carry.
pub(crate) fn two_machines() -> (Machine, Machine) {
    let first = Machine::new();
    first.ok(&["init"]);
    add(&first, "Shared", "me");
    first.ok(&[
        "recovery", "add", "shared", "--yes", "s-1111", "s-2222", "s-3333",
    ]);
    first.ok(&[
        "add",
        "otpauth://hotp/Counter:me?secret=KRSXG5CTMVRXEZLU&issuer=Counter&counter=5",
    ]);
    first.ok(&[
        "sync",
        "enable",
        first.synced().to_str().unwrap(),
        "--name",
        "first",
    ]);
    let second = Machine::new();
    std::fs::create_dir_all(second.synced()).unwrap();
    copy_newer(&first.synced(), &second.synced(), "");
    let out = second.ok(&[
        "sync",
        "join",
        second.synced().to_str().unwrap(),
        "--name",
        "second",
    ]);
    assert!(out.contains("joined"), "{out}");
    assert_eq!(second.accounts(), first.accounts());
    carry(&first, &second);
    first.ok(&["sync", "now"]);
    (first, second)
}

#[test]
fn concurrent_changes_on_two_machines_converge_and_nothing_is_lost() {
    let (first, second) = two_machines();
    add(&first, "Doomed", "x");
    carry(&first, &second);
    second.ok(&["sync", "now"]);
    // Until the next carry neither sees the other: both add, both edit the
    // same account (different fields), each uses a recovery code and HOTP
    // codes, and the first removes an account the second edits.
    add(&first, "OnlyFirst", "a");
    add(&second, "OnlySecond", "b");
    first.ok(&["edit", "shared", "--notes", "edited on the first"]);
    second.ok(&["edit", "shared", "--name", "renamed"]);
    first.ok(&["recovery", "use", "shared", "s-1111"]);
    second.ok(&["recovery", "use", "shared", "s-2222"]);
    first.ok(&["code", "counter"]);
    second.ok(&["code", "counter"]);
    second.ok(&["code", "counter"]);
    first.ok(&["remove", "doomed", "--yes"]);
    second.ok(&[
        "edit",
        "doomed",
        "--notes",
        "edited after the removal elsewhere",
    ]);

    for machine in [&first, &second, &first, &second] {
        carry(&first, &second);
        machine.ok(&["sync", "now"]);
    }
    assert_eq!(
        first.accounts(),
        second.accounts(),
        "the two vaults converged"
    );
    // Converged: one more round writes nothing, so sync tools and file
    // watchers on the other machines have nothing to carry or react to.
    carry(&first, &second);
    let files = |machine: &Machine| -> Vec<(PathBuf, u64)> {
        walk(&machine.synced())
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(&path).unwrap();
                let digest = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                (path, digest)
            })
            .collect()
    };
    let (before_first, before_second) = (files(&first), files(&second));
    first.ok(&["sync", "now"]);
    second.ok(&["sync", "now"]);
    assert_eq!(files(&first), before_first, "nothing new, nothing written");
    assert_eq!(
        files(&second),
        before_second,
        "nothing new, nothing written"
    );

    assert_eq!(first.codes(), second.codes());
    let accounts = first.accounts();
    let names: Vec<String> = accounts
        .iter()
        .map(|a| {
            format!(
                "{}/{}",
                a["issuer"].as_str().unwrap(),
                a["name"].as_str().unwrap()
            )
        })
        .collect();
    assert!(names.contains(&"OnlyFirst/a".to_owned()), "{names:?}");
    assert!(names.contains(&"OnlySecond/b".to_owned()), "{names:?}");
    assert!(
        names.contains(&"Shared/renamed".to_owned()),
        "both edits kept: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("Doomed")),
        "the removal wins: {names:?}"
    );
    let counter = accounts.iter().find(|a| a["issuer"] == "Counter").unwrap();
    // The first showed the code at 5, the second those at 5 and 6: the
    // merged vault goes on from the larger counter, so no code either
    // machine has shown comes back.
    assert_eq!(counter["counter"], 7, "the larger counter");
    let shared_details = first.ok(&["recovery", "list", "shared"]);
    assert!(
        shared_details.contains("1 unused, 2 used"),
        "{shared_details}"
    );
    let notes = first.ok(&["edit", "shared", "--notes", "edited on the first"]);
    assert!(notes.contains("renamed"), "{notes}");

    let status: Value = serde_json::from_str(&second.ok(&["sync", "status", "--json"])).unwrap();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["devices"].as_object().unwrap().len(), 2, "{status}");
    assert!(status["last_sync"].as_u64().unwrap() > 0, "{status}");
}

#[test]
fn conflict_copies_are_merged_and_removed() {
    let (first, second) = two_machines();
    add(&first, "InTheConflictCopy", "c");
    // What a sync tool leaves when two versions of the first machine's file
    // met: a copy holding a change the main file lacks (the tool kept the
    // other version as the file).
    let folder = first.vault_sync_folder();
    let own = folder.join(format!("{}.tessera", device_of(&first)));
    let with_change = std::fs::read(&own).unwrap();
    first.ok(&["remove", "intheconflictcopy", "--yes"]);
    carry(&first, &second);
    let their_folder = second
        .synced()
        .join(folder.strip_prefix(first.synced()).unwrap());
    let stem = device_of(&first);
    let syncthing = their_folder.join(format!(
        "{stem}.sync-conflict-20261204-101010-ABCDEFG.tessera"
    ));
    let nextcloud = their_folder.join(format!(
        "{stem} (conflicted copy 2026-12-04 101010).tessera"
    ));
    std::fs::write(&syncthing, &with_change).unwrap();
    std::fs::write(&nextcloud, &with_change).unwrap();
    let output = second.run(&["sync", "now"]);
    stdout_ok(&output, "sync now");
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        err.contains("merged and removed the conflict copy"),
        "{err}"
    );
    assert!(
        !syncthing.exists() && !nextcloud.exists(),
        "both copies removed"
    );
    let names = second.ok(&["list"]);
    assert!(names.contains("Shared"), "{names}");
}

#[test]
fn another_vaults_file_is_refused_and_left_alone() {
    let (first, _second) = two_machines();
    let folder = first.vault_sync_folder();
    let stranger = Machine::new();
    stranger.ok(&["init"]);
    add(&stranger, "Stranger", "s");
    let planted = folder.join("0123456789abcdef.tessera");
    std::fs::copy(stranger.vault(), &planted).unwrap();
    let before = std::fs::read(&planted).unwrap();
    let output = first.run(&["sync", "now"]);
    stdout_ok(&output, "sync now");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("refused 0123456789abcdef.tessera"), "{err}");
    assert!(err.contains("not a copy of this vault"), "{err}");
    assert_eq!(
        std::fs::read(&planted).unwrap(),
        before,
        "never overwritten"
    );
    assert!(!first.ok(&["list"]).contains("Stranger"), "never merged");
    // Joining with a password that opens nothing there is one clear line.
    let newcomer = Machine::new();
    write_secret(&newcomer.password_file, "wrong password\n");
    let err = stderr_failed(
        &newcomer.run(&["sync", "join", first.synced().to_str().unwrap()]),
        "join with a wrong password",
    );
    assert!(err.contains("opens none of the vaults"), "{err}");
}

/// Regression: a restore put back the backup's own sync record, so every
/// account removed since came back only until the next sync, when the
/// other machines' removal took it away again.
#[test]
fn regression_a_restored_backup_brings_back_what_another_machine_removed() {
    let (first, second) = two_machines();
    first.ok(&[
        "backup",
        "enable",
        first.dir.path().join("Backups").to_str().unwrap(),
    ]);
    let listed: Value = serde_json::from_str(&first.ok(&["backup", "list", "--json"])).unwrap();
    let with_everything = listed[0]["path"].as_str().unwrap().to_owned();
    second.ok(&["remove", "shared", "--yes"]);
    carry(&first, &second);
    first.ok(&["sync", "now"]);
    assert!(!first.ok(&["list"]).contains("Shared"), "removed on both");

    first.ok(&["backup", "restore", &with_everything, "--yes"]);
    for machine in [&first, &second, &first] {
        carry(&first, &second);
        machine.ok(&["sync", "now"]);
    }
    for machine in [&first, &second] {
        let listed = machine.ok(&["list"]);
        assert!(listed.contains("Shared"), "back on both: {listed}");
    }
    assert_eq!(first.accounts().len(), second.accounts().len());
    assert_eq!(first.codes(), second.codes(), "its recovery codes too");
    assert!(first.codes().iter().any(|(code, _)| code == "s-1111"));
}
