//! `tessera completions` and `tessera man`: shell completion scripts and
//! manual pages, generated from the same clap definitions the parser uses,
//! so they can never describe a command line other than the real one. They
//! exist for packaging (the .deb installs every page and script that
//! `make package` generates with them) and for users who install the CLI by
//! hand. Neither reads nor opens the vault.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;

use crate::args::{Cli, ManArgs};

/// The name the scripts complete and the pages are named after.
const BIN_NAME: &str = "tessera";

/// `tessera man`, validated.
#[derive(Debug, PartialEq, Eq)]
pub struct ManRequest {
    /// Which pages.
    pub pages: Pages,
    /// The date the pages carry, YYYY-MM-DD.
    pub date: String,
}

/// Which pages `tessera man` makes.
#[derive(Debug, PartialEq, Eq)]
pub enum Pages {
    /// Print one page: tessera's (an empty path) or a command's, by the
    /// names typed after `tessera` (`["backup", "enable"]`).
    Print(Vec<String>),
    /// Write every page into this folder.
    WriteAll(PathBuf),
}

impl ManRequest {
    /// Checks that the command named exists, so a typo fails with the
    /// commands that do rather than printing tessera's page. The pages are
    /// dated `source_date_epoch` (the variable reproducible builds set, so
    /// a package built twice holds the same pages), or else `now`.
    pub fn from_args(
        args: ManArgs,
        source_date_epoch: Option<&str>,
        now: u64,
    ) -> anyhow::Result<ManRequest> {
        let date = match source_date_epoch {
            Some(text) => text.trim().parse().map_err(|_| {
                anyhow::anyhow!("SOURCE_DATE_EPOCH is not a number of seconds: {text:?}")
            })?,
            None => now,
        };
        let date = tessera_transfer::paper::utc_date(date);
        let pages = match args.dir {
            Some(dir) => Pages::WriteAll(dir),
            None => {
                find(&command_tree(), &args.command)?;
                Pages::Print(args.command)
            }
        };
        Ok(ManRequest { pages, date })
    }
}

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut impl Write) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut script);
    // Written here rather than by clap_complete, which panics when the
    // reader has gone (`tessera completions bash | head`).
    out.write_all(&script)?;
    Ok(out.flush()?)
}

/// Prints one page, or writes them all and names each file written.
pub fn man(request: &ManRequest, out: &mut impl Write) -> anyhow::Result<()> {
    let tree = command_tree();
    match &request.pages {
        Pages::Print(path) => {
            let page = render(find(&tree, path)?.clone(), &request.date)?;
            out.write_all(&page)?;
        }
        Pages::WriteAll(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot make {}", dir.display()))?;
            for command in every_command(&tree) {
                let file = dir.join(file_name(command));
                let page = render(command.clone(), &request.date)?;
                std::fs::write(&file, page)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                writeln!(out, "wrote {}", file.display())?;
            }
        }
    }
    Ok(out.flush()?)
}

/// The command tree as the pages show it: built, so each command carries
/// its page's name (`tessera-backup-enable`), and without clap's `help`
/// command, which has no page of its own.
fn command_tree() -> clap::Command {
    let mut tree = Cli::command()
        .bin_name(BIN_NAME)
        .disable_help_subcommand(true);
    tree.build();
    tree
}

/// The command that `path` names below `tree`.
fn find<'a>(tree: &'a clap::Command, path: &[String]) -> anyhow::Result<&'a clap::Command> {
    let mut command = tree;
    for (depth, name) in path.iter().enumerate() {
        command = command.find_subcommand(name).ok_or_else(|| {
            let typed = std::iter::once(BIN_NAME)
                .chain(path[..=depth].iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            let known = pages_below(command)
                .map(clap::Command::get_name)
                .collect::<Vec<_>>();
            if known.is_empty() {
                anyhow::anyhow!(
                    "`{typed}` is not a command: `{}` has no commands of its own",
                    path[..depth].join(" ")
                )
            } else {
                anyhow::anyhow!(
                    "`{typed}` is not a command; there are: {}",
                    known.join(", ")
                )
            }
        })?;
    }
    Ok(command)
}

/// The commands directly below `command` that have a page.
fn pages_below(command: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
}

/// `tree` and every command below it, parents before their commands.
fn every_command(tree: &clap::Command) -> Vec<&clap::Command> {
    let mut all = vec![tree];
    for sub in pages_below(tree) {
        all.extend(every_command(sub));
    }
    all
}

/// `tessera.1`, `tessera-backup-enable.1`.
fn file_name(command: &clap::Command) -> String {
    Man::new(command.clone()).get_filename()
}

/// The page as roff. The title is upper case, as man pages' titles are;
/// the footer names the package and its version.
/// The date is needed: an empty one drops out of the title line and shifts
/// the fields after it.
fn render(command: clap::Command, date: &str) -> anyhow::Result<Vec<u8>> {
    let title = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
        .to_uppercase();
    let mut page = Vec::new();
    Man::new(command)
        .title(title)
        .date(date)
        // The package's name, not the command's (clap_mangen's default).
        .source(format!("{BIN_NAME} {}", env!("CARGO_PKG_VERSION")))
        .manual("Tessera Manual")
        .render(&mut page)?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(path: &[&str]) -> Vec<String> {
        path.iter().map(|word| (*word).to_owned()).collect()
    }

    #[test]
    fn every_command_has_a_page_named_after_its_path() {
        let tree = command_tree();
        let names: Vec<String> = every_command(&tree).into_iter().map(file_name).collect();
        for expected in [
            "tessera.1",
            "tessera-gen.1",
            "tessera-import.1",
            "tessera-recovery.1",
            "tessera-recovery-add.1",
            "tessera-backup-enable.1",
            "tessera-sync-join.1",
            "tessera-completions.1",
            "tessera-man.1",
        ] {
            assert!(
                names.iter().any(|name| name == expected),
                "no {expected} in {names:?}"
            );
        }
        assert!(
            !names.iter().any(|name| name.contains("help")),
            "clap's help command has no page: {names:?}"
        );
    }

    #[test]
    fn a_page_is_found_by_the_words_typed_after_tessera() {
        let tree = command_tree();
        assert_eq!(find(&tree, &[]).unwrap().get_name(), "tessera");
        let enable = find(&tree, &words(&["backup", "enable"])).unwrap();
        assert_eq!(enable.get_display_name(), Some("tessera-backup-enable"));
        let page = render(enable.clone(), "2026-12-04").unwrap();
        let page = String::from_utf8(page).unwrap();
        let title = page.lines().find(|line| line.starts_with(".TH")).unwrap();
        assert_eq!(
            title,
            ".TH TESSERA-BACKUP-ENABLE 1 2026-12-04 \"tessera 0.1.0\" \"Tessera Manual\""
                .replace("0.1.0", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn pages_are_dated_by_source_date_epoch_when_set() {
        let args = || ManArgs {
            command: Vec::new(),
            dir: None,
        };
        let now = 1_798_761_600; // 2027-01-01
        let dated = |epoch| ManRequest::from_args(args(), epoch, now).map(|request| request.date);
        assert_eq!(dated(None).unwrap(), "2027-01-01");
        assert_eq!(dated(Some("1764806400")).unwrap(), "2025-12-04");
        let err = dated(Some("yesterday")).unwrap_err().to_string();
        assert!(err.contains("SOURCE_DATE_EPOCH"), "{err}");
    }

    #[test]
    fn an_unknown_command_names_those_that_exist() {
        let tree = command_tree();
        let err = find(&tree, &words(&["backup", "enabel"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`tessera backup enabel` is not a command"),
            "{err}"
        );
        assert!(err.contains("enable, disable, list, restore"), "{err}");
        let err = find(&tree, &words(&["gen", "x"])).unwrap_err().to_string();
        assert!(err.contains("`gen` has no commands of its own"), "{err}");
    }

    #[test]
    fn completions_cover_the_commands() {
        let mut script = Vec::new();
        completions(Shell::Bash, &mut script).unwrap();
        let script = String::from_utf8(script).unwrap();
        assert!(script.contains("import"));
        assert!(script.contains("--import-key-file"));
    }
}
