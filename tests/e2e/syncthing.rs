//! Sync through real Syncthing (issue 22): two Syncthing instances on
//! 127.0.0.1, with discovery, relays, NAT traversal and usage reports off,
//! share one folder between two machines; Tessera on each side only reads
//! and writes its copy of that folder, as it would on two computers.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sync::{device_of, Machine};
use crate::util::peer;

/// How long Syncthing gets to carry one change; generous, since these
/// machines are noisy and CI has two cores.
const CARRY_TIMEOUT: Duration = Duration::from_secs(120);

/// One running Syncthing instance; stopped when dropped.
struct Syncthing {
    home: PathBuf,
    process: Child,
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Syncthing {
    /// The last lines of its log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.home.join("syncthing.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// A free TCP port on 127.0.0.1 (free when asked; Syncthing binds it soon
/// after).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Makes Syncthing's keys in `home` and returns its device id.
fn generate(home: &Path) -> String {
    let output = peer(
        "syncthing",
        &[
            "generate",
            &format!("--home={}", home.display()),
            "--no-default-folder",
            "--skip-port-probing",
        ],
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    text.lines()
        .find_map(|line| line.split("Device ID: ").nth(1))
        .unwrap_or_else(|| panic!("no device id from syncthing generate: {text}"))
        .trim()
        .to_owned()
}

/// Two Syncthing instances sharing `first_folder` and `second_folder` as
/// one folder, connected to each other only.
fn two_syncthings(root: &Path, first_folder: &Path, second_folder: &Path) -> [Syncthing; 2] {
    let homes = [root.join("st-first"), root.join("st-second")];
    let ids = [generate(&homes[0]), generate(&homes[1])];
    let ports = [free_port(), free_port()];
    let folders = [first_folder, second_folder];
    let mut started = Vec::new();
    for side in 0..2 {
        std::fs::create_dir_all(folders[side].join(".stfolder")).unwrap();
        let devices: String = (0..2)
            .map(|d| {
                format!(
                    r#"<device id="{id}" name="side{d}" compression="metadata" introducer="false"><address>tcp://127.0.0.1:{port}</address></device>"#,
                    id = ids[d],
                    port = ports[d]
                )
            })
            .collect();
        let config = format!(
            r#"<configuration version="36">
  <folder id="tessera-test" label="tessera-test" path="{path}" type="sendreceive" rescanIntervalS="2" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">
    <device id="{first}"></device>
    <device id="{second}"></device>
  </folder>
  {devices}
  <gui enabled="true" tls="false"><address>127.0.0.1:{gui}</address><apikey>tessera-test</apikey></gui>
  <options>
    <listenAddress>tcp://127.0.0.1:{port}</listenAddress>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled>
    <natEnabled>false</natEnabled>
    <urAccepted>-1</urAccepted>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
    <crashReportingEnabled>false</crashReportingEnabled>
    <startBrowser>false</startBrowser>
    <reconnectionIntervalS>1</reconnectionIntervalS>
  </options>
</configuration>
"#,
            path = folders[side].display(),
            first = ids[0],
            second = ids[1],
            gui = free_port(),
            port = ports[side],
        );
        std::fs::write(homes[side].join("config.xml"), config).unwrap();
        let process = Command::new("syncthing")
            .args([
                "serve",
                &format!("--home={}", homes[side].display()),
                &format!("--logfile={}", homes[side].join("syncthing.log").display()),
                "--no-browser",
                "--no-restart",
                "--no-upgrade",
            ])
            .env("HOME", root)
            .env("STNODEFAULTFOLDER", "1")
            .env("STNOUPGRADE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("syncthing runs: `make test` installs it");
        started.push(Syncthing {
            home: homes[side].clone(),
            process,
        });
    }
    let second = started.pop().unwrap();
    let first = started.pop().unwrap();
    [first, second]
}

/// Waits until `path` exists with the same bytes as `original`: Syncthing
/// has carried the change.
fn wait_for_copy(original: &Path, path: &Path, syncthings: &[Syncthing; 2]) {
    let expected = std::fs::read(original).unwrap();
    let started = Instant::now();
    while std::fs::read(path).ok().as_deref() != Some(&expected[..]) {
        assert!(
            started.elapsed() < CARRY_TIMEOUT,
            "Syncthing did not carry {} in {CARRY_TIMEOUT:?}\nfirst:\n{}\nsecond:\n{}",
            path.display(),
            syncthings[0].log_tail(),
            syncthings[1].log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The device file of `machine` in its own copy of the synced folder, and
/// the same file in `other`'s copy.
fn device_file(machine: &Machine, other: &Machine) -> (PathBuf, PathBuf) {
    let vault_folder = machine.vault_sync_folder();
    let name = format!("{}.tessera", device_of(machine));
    let own = vault_folder.join(&name);
    let theirs = other
        .synced()
        .join(vault_folder.strip_prefix(machine.synced()).unwrap())
        .join(&name);
    (own, theirs)
}

#[test]
fn two_machines_sync_through_real_syncthing() {
    let root = tempfile::tempdir().unwrap();
    let first = Machine::new();
    let second = Machine::new();
    let syncthings = two_syncthings(root.path(), &first.synced(), &second.synced());

    first.ok(&["init"]);
    first.ok(&[
        "add",
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example",
    ]);
    first.ok(&["recovery", "add", "example", "--yes", "r-1111", "r-2222"]);
    first.ok(&[
        "sync",
        "enable",
        first.synced().to_str().unwrap(),
        "--name",
        "desk",
    ]);
    let (first_file, first_file_there) = device_file(&first, &second);
    wait_for_copy(&first_file, &first_file_there, &syncthings);

    // The second computer joins from what Syncthing brought it.
    let joined = second.ok(&[
        "sync",
        "join",
        second.synced().to_str().unwrap(),
        "--name",
        "laptop",
    ]);
    assert!(joined.contains("joined"), "{joined}");
    assert_eq!(second.accounts(), first.accounts());
    assert_eq!(second.codes(), first.codes());

    // Both change the vault while each other's change is on its way: the
    // laptop adds an account and uses a recovery code, the desk renames.
    second.ok(&[
        "add",
        "otpauth://totp/Laptop:bob?secret=KRSXG5CTMVRXEZLU&issuer=Laptop",
    ]);
    second.ok(&["recovery", "use", "example", "r-1111"]);
    first.ok(&["edit", "example", "--name", "alice-at-the-desk"]);

    let (second_file, second_file_there) = device_file(&second, &first);
    wait_for_copy(&second_file, &second_file_there, &syncthings);
    wait_for_copy(&first_file, &first_file_there, &syncthings);
    first.ok(&["sync", "now"]);
    second.ok(&["sync", "now"]);
    // Each merge rewrote its own file; one more round carries those.
    wait_for_copy(&first_file, &first_file_there, &syncthings);
    wait_for_copy(&second_file, &second_file_there, &syncthings);
    first.ok(&["sync", "now"]);
    second.ok(&["sync", "now"]);

    assert_eq!(first.accounts(), second.accounts(), "converged");
    assert_eq!(first.codes(), second.codes(), "converged");
    let listed = first.ok(&["list"]);
    assert!(listed.contains("Laptop"), "{listed}");
    assert!(
        first.codes().contains(&("r-1111".to_owned(), true)),
        "the use on the laptop reached the desk"
    );
    let on_the_laptop = second.ok(&["list"]);
    assert!(
        on_the_laptop.contains("alice-at-the-desk"),
        "the rename on the desk reached the laptop: {on_the_laptop}"
    );
    let status = second.ok(&["sync", "status"]);
    assert!(status.contains("desk"), "{status}");
    assert!(status.contains("laptop"), "{status}");
    // Syncthing leaves nothing of Tessera's in conflict: each machine only
    // writes its own file.
    for machine in [&first, &second] {
        for entry in walk_names(&machine.synced()) {
            assert!(!entry.contains("sync-conflict"), "{entry}");
        }
    }
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            names.extend(walk_names(&path));
        } else {
            names.push(path.display().to_string());
        }
    }
    names
}
