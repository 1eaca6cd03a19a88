//! Starting Tessera at login, for those who reach for a code many times a
//! day: an XDG autostart entry (`autostart/org.tessera.authenticator.desktop`
//! in the configuration folder), which every freedesktop session reads.
//! Off until the user turns it on in Settings; the switch shows whether the
//! file is there, not a remembered choice, so removing the file by hand
//! turns it off too.
//!
//! The entry starts the binary that wrote it with `--hidden`: at login the
//! window then stays in the tray when the user chose closing to the tray
//! (and opens as usual otherwise, see [`starts_hidden`]).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The argument the autostart entry passes.
pub const HIDDEN_ARG: &str = "--hidden";

/// The entry's file name: the app's identifier, as the spec asks.
const FILE_NAME: &str = "org.tessera.authenticator.desktop";

/// `autostart/org.tessera.authenticator.desktop` in the configuration
/// folder (`$XDG_CONFIG_HOME`, else `~/.config`).
pub fn entry_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("autostart").join(FILE_NAME))
}

/// Whether the entry is there and not switched off inside (`Hidden=true`,
/// which the spec reads as deleted).
pub fn is_enabled() -> bool {
    entry_path()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .is_some_and(|text| !text.lines().any(|l| l.trim() == "Hidden=true"))
}

/// Writes or removes the entry; returns whether it is now there, or why
/// it could not be changed, in one line.
pub fn set_enabled(enabled: bool) -> Result<bool, String> {
    let path =
        entry_path().ok_or("this system has no configuration folder for an autostart entry")?;
    let failed =
        |action: &str, e: std::io::Error| format!("cannot {action} {}: {e}", path.display());
    if enabled {
        let program = launcher();
        let text = entry(&program).ok_or_else(|| {
            format!(
                "the app's path {} cannot be written in an autostart entry",
                program.display()
            )
        })?;
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| failed("create the folder of", e))?;
        }
        tessera_core::local::replace_private(&path, text.as_bytes())
            .map_err(|e| failed("write", e))?;
    } else {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(failed("remove", e)),
            _ => {}
        }
    }
    Ok(is_enabled())
}

/// Whether this launch should keep the window hidden: it came from the
/// autostart entry and the user keeps Tessera in the tray on close.
pub fn starts_hidden() -> bool {
    std::env::args_os().skip(1).any(|a| a == HIDDEN_ARG)
        && crate::desktop_settings::load().close_to_tray
}

/// The program to start: the AppImage the app runs from, if it does (its
/// own binary sits in a mount that goes away), else the running binary.
fn launcher() -> PathBuf {
    std::env::var_os("APPIMAGE")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::current_exe().ok())
        .unwrap_or_else(|| PathBuf::from("tessera-app"))
}

/// The entry's text for `program`; none when no Exec line can hold it.
fn entry(program: &Path) -> Option<String> {
    let exec = exec_word(program)?;
    Some(format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Tessera\n\
         Comment=Desktop authenticator: one-time codes and recovery codes\n\
         Exec={exec} {HIDDEN_ARG}\n\
         Icon=tessera-app\n\
         Terminal=false\n\
         Categories=Utility;\n\
         X-GNOME-Autostart-enabled=true\n"
    ))
}

/// `program` as one word of an Exec line: as it is when it has no
/// character the spec reserves, else in double quotes with `"`, `` ` ``,
/// `$` and `\` escaped; then `\` doubled for the string value and `%`
/// doubled for field codes. None for a path no Exec line can hold (not
/// UTF-8, or a control character).
fn exec_word(program: &Path) -> Option<String> {
    let text = program.to_str()?;
    if text.is_empty() || text.chars().any(char::is_control) {
        return None;
    }
    const RESERVED: &str = " \t\"'\\><~|&;$*?#()`";
    let quoted = if text.chars().any(|c| RESERVED.contains(c)) {
        let mut word = String::from("\"");
        for c in text.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                word.push('\\');
            }
            word.push(c);
        }
        word.push('"');
        word
    } else {
        text.to_owned()
    };
    Some(quoted.replace('\\', "\\\\").replace('%', "%%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_is_written_as_it_is() {
        assert_eq!(
            exec_word(Path::new("/usr/bin/tessera-app")).as_deref(),
            Some("/usr/bin/tessera-app")
        );
    }

    #[test]
    fn a_path_with_reserved_characters_is_quoted_and_escaped() {
        assert_eq!(
            exec_word(Path::new("/home/a b/100%/$x")).as_deref(),
            Some("\"/home/a b/100%%/\\\\$x\"")
        );
        assert_eq!(exec_word(Path::new("/tmp/a\nb")), None);
    }

    #[test]
    fn the_entry_starts_the_program_hidden() {
        let text = entry(Path::new("/opt/tessera/tessera-app")).unwrap();
        assert!(text.starts_with("[Desktop Entry]\n"));
        assert!(text.contains("\nExec=/opt/tessera/tessera-app --hidden\n"));
        assert!(text.contains("\nType=Application\n"));
    }
}
