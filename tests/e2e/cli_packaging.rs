//! The CLI as packaged software (issue 23): the shell completions and man
//! pages that `tessera completions` and `tessera man` generate, checked the
//! way a package uses them: each shell parses its script (bash's completes a
//! real command line), `man` renders the pages, and `--dir` writes a page for
//! every command `--help` lists. None of it may need or touch a vault.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{peer, stderr_failed, stdout_ok, TestVault};

/// Runs the CLI with a vault path that does not exist and a password file
/// that does not exist either: these commands must work without both.
fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// `run`, with these environment variables set.
fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let vault = TestVault::new();
    let missing_password = vault.dir.path().join("no-such-password");
    let output = vault
        .command(args)
        .env("TESSERA_PASSWORD_FILE", &missing_password)
        .envs(env.iter().copied())
        .output()
        .expect("could not run tessera");
    assert!(
        !vault.path.exists(),
        "`tessera {}` made a vault",
        args.join(" ")
    );
    output
}

/// The script for `shell`, in a file named as the shell's packages name it.
fn script(shell: &str, dir: &Path) -> (String, std::path::PathBuf) {
    let text = stdout_ok(&run(&["completions", shell]), "completions");
    assert!(
        // (fish names long options without their dashes)
        text.contains("import") && text.contains("import-key-file"),
        "the {shell} script lacks import and its options"
    );
    let file = dir.join(format!("tessera.{shell}"));
    std::fs::write(&file, &text).unwrap();
    (text, file)
}

fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[test]
fn bash_parses_its_script_and_completes_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = script("bash", dir.path());
    stdout_ok(
        &peer("bash", &["-n", file.to_str().unwrap()]),
        "bash -n on the script",
    );
    // What bash's programmable completion does on Tab: call the function
    // that `complete -F` registered, with the words typed so far.
    let complete = |line: &[&str]| -> BTreeSet<String> {
        let words = line
            .iter()
            .map(|word| format!("'{word}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let program = format!(
            "source '{}'\n\
             function=$(complete -p tessera | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')\n\
             COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n\
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
             \"$function\" tessera \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        stdout_ok(&peer("bash", &["-c", &program]), "completing in bash")
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let commands = complete(&["tessera", "im"]);
    assert!(commands.contains("import"), "{commands:?}");
    let options = complete(&["tessera", "import", "--import-k"]);
    assert!(options.contains("--import-key-file"), "{options:?}");
    let nested = complete(&["tessera", "backup", "en"]);
    assert!(nested.contains("enable"), "{nested:?}");
}

#[test]
fn zsh_and_fish_parse_their_scripts_where_installed() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, check) in [("zsh", ["-n"]), ("fish", ["--no-execute"])] {
        let (_, file) = script(shell, dir.path());
        if !installed(shell) {
            eprintln!("{shell} is not installed: its script was generated but not parsed");
            continue;
        }
        stdout_ok(
            &peer(shell, &[check[0], file.to_str().unwrap()]),
            &format!("{shell} parsing its script"),
        );
    }
    let (zsh, _) = script("zsh", dir.path());
    assert!(
        zsh.starts_with("#compdef tessera"),
        "zsh finds completions by this line"
    );
}

#[test]
fn elvish_and_powershell_scripts_name_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["elvish", "powershell"] {
        let (text, _) = script(shell, dir.path());
        for command in ["gen", "recovery", "backup", "completions", "man"] {
            assert!(text.contains(command), "the {shell} script lacks {command}");
        }
    }
    let err = stderr_failed(&run(&["completions", "tcsh"]), "completions tcsh");
    assert!(err.contains("bash") && err.contains("powershell"), "{err}");
}

/// A page as `man` shows it: rendered to text, without a pager.
fn rendered(page: &[u8]) -> String {
    let mut child = Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("could not run man: install man-db");
    child.stdin.take().unwrap().write_all(page).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = stdout_ok(&output, "man -l -");
    // man-db may draw hyphens as Unicode ones; options are typed with
    // ASCII. Justified lines space words out: compare words, not spaces.
    text.replace(['\u{2010}', '\u{2212}'], "-")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn man_renders_the_main_page_and_each_commands() {
    let main = run(&["man"]);
    let text = rendered(&main.stdout);
    stdout_ok(&main, "man");
    assert!(text.contains("NAME"), "{text}");
    assert!(text.contains("tessera - "), "the NAME line: {text}");
    assert!(
        text.contains("SUBCOMMANDS") || text.contains("COMMANDS"),
        "{text}"
    );
    assert!(text.contains("--vault"), "the global options: {text}");

    let import = run(&["man", "import"]);
    let text = rendered(&import.stdout);
    stdout_ok(&import, "man import");
    assert!(text.contains("tessera-import - "), "{text}");
    assert!(text.contains("--import-key-file"), "{text}");
    assert!(text.contains("TESSERA_VAULT"), "the environment: {text}");

    let nested = run(&["man", "backup", "enable"]);
    let text = rendered(&nested.stdout);
    stdout_ok(&nested, "man backup enable");
    assert!(text.contains("tessera-backup-enable - "), "{text}");
    assert!(text.contains("--keep"), "{text}");

    let err = stderr_failed(&run(&["man", "imprt"]), "man imprt");
    assert!(err.contains("`tessera imprt` is not a command"), "{err}");
    assert!(err.contains("import"), "the commands that exist: {err}");
}

/// The commands `tessera [PATH...] --help` lists, without `help`.
fn listed_commands(path: &[&str]) -> Vec<String> {
    let mut args = path.to_vec();
    args.push("--help");
    let help = stdout_ok(&run(&args), "--help");
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    // Dated as a reproducible build dates them, so the pages compared
    // below cannot differ by a midnight between two runs.
    let dated = [("SOURCE_DATE_EPOCH", "1764806400")];
    let output = run_with_env(&["man", "--dir", pages.to_str().unwrap()], &dated);
    let said = stdout_ok(&output, "man --dir");

    let mut expected = BTreeSet::from(["tessera.1".to_owned()]);
    let top = listed_commands(&[]);
    assert!(top.len() > 10 && top.contains(&"man".to_owned()), "{top:?}");
    for command in &top {
        expected.insert(format!("tessera-{command}.1"));
        for sub in listed_commands(&[command]) {
            expected.insert(format!("tessera-{command}-{sub}.1"));
        }
    }
    assert!(expected.contains("tessera-backup-enable.1"), "{expected:?}");
    let written: BTreeSet<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(written, expected);
    assert_eq!(
        said.lines().count(),
        expected.len(),
        "one line per page: {said}"
    );

    let recovery_add = std::fs::read(pages.join("tessera-recovery-add.1")).unwrap();
    let text = rendered(&recovery_add);
    assert!(text.contains("tessera-recovery-add - "), "{text}");
    assert!(text.contains("--rotating"), "{text}");
    assert!(
        text.contains("2025-12-04"),
        "dated by SOURCE_DATE_EPOCH: {text}"
    );
    // The page that --dir writes is the one `tessera man` prints.
    let printed = run_with_env(&["man", "recovery", "add"], &dated).stdout;
    assert_eq!(recovery_add, printed);

    let err = stderr_failed(
        &run(&["man", "import", "--dir", pages.to_str().unwrap()]),
        "man import --dir",
    );
    assert!(err.contains("cannot be used with"), "{err}");
}
