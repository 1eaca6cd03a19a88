//! Splitting a pasted block or file of recovery codes into the codes, as
//! services hand them out: GitHub's `github-recovery-codes.txt` (one
//! `xxxxx-xxxxx` a line), Google's numbered pairs of 8-digit codes shown as
//! `1234 5678`, codes in space- or dash-separated groups, several codes to a
//! line, with headings, e-mail addresses, dates and advice around them.
//!
//! The rules, in order:
//! 1. Each line is cut into cells at tabs or runs of two or more spaces (how
//!    pages lay codes out in columns), and at numbering (`1.`, `2)`, `#3`)
//!    and bullets (`-`, `*`, `•`), which mark where a code starts.
//! 2. In a cell, a token of six or more characters is a code of its own;
//!    consecutive shorter tokens are the groups of one code, kept with their
//!    single spaces (`1234 5678` stays one code, as issued).
//! 3. A line is prose, not codes, when a token holds anything but letters,
//!    digits, dashes and underscores (sentences, addresses, dates with `:` or
//!    `/`), or when one of its would-be codes has no digit (headings such as
//!    `Backup codes 2026`). Only when no line at all has digits are
//!    letter-only codes accepted, and then only those of the most common
//!    length.
//!
//! Duplicates are refused by [`crate::RecoveryCodes::add`], which also sees
//! the codes already stored.

use zeroize::Zeroizing;

/// The largest block accepted: a page of codes is a few hundred bytes.
pub const MAX_BLOCK_LEN: usize = 64 * 1024;

/// Tokens shorter than this are groups of a longer code.
const MIN_SINGLE_TOKEN_CODE_LEN: usize = 6;

/// Why a block held no codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryBlockError {
    /// Nothing in the text looks like a recovery code.
    #[error(
        "no recovery codes found in the text (expected codes such as 'a1b2c-3d4e5' or '1234 5678')"
    )]
    NoCodes,
    /// The text is far larger than any list of recovery codes.
    #[error("the text is {len} bytes, more than the {MAX_BLOCK_LEN} a list of recovery codes could need")]
    TooLarge {
        /// Its size in bytes.
        len: usize,
    },
}

fn is_numbering(token: &str) -> bool {
    let digits_then = |rest: &str, ends: &[char]| {
        let (number, tail) = rest.split_at(
            rest.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len()),
        );
        !number.is_empty()
            && number.len() <= 3
            && tail.len() == 1
            && tail.chars().all(|c| ends.contains(&c))
    };
    if let Some(rest) = token.strip_prefix('#') {
        return !rest.is_empty() && rest.len() <= 3 && rest.chars().all(|c| c.is_ascii_digit());
    }
    if let Some(inner) = token.strip_prefix('(') {
        return digits_then(inner, &[')']);
    }
    digits_then(token, &['.', ')', ':'])
}

fn is_bullet(token: &str) -> bool {
    matches!(token, "-" | "*" | "•" | "·" | "–" | "—" | "+" | "o")
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Cuts a line into cells: at tabs or runs of two or more spaces, and at
/// numbering and bullets. Each cell is a list of tokens.
fn cells(line: &str) -> Vec<Vec<&str>> {
    let mut cells = Vec::new();
    for column in split_columns(line) {
        let mut current = Vec::new();
        for token in column.split_whitespace() {
            if is_numbering(token) || is_bullet(token) {
                if !current.is_empty() {
                    cells.push(std::mem::take(&mut current));
                }
            } else {
                current.push(token);
            }
        }
        if !current.is_empty() {
            cells.push(current);
        }
    }
    cells
}

/// Splits at tabs and at runs of two or more spaces.
fn split_columns(line: &str) -> Vec<&str> {
    let mut columns = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let gap_end = if bytes[i] == b'\t' {
            i + 1
        } else if bytes[i] == b' ' && bytes.get(i + 1) == Some(&b' ') {
            let mut j = i;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            j
        } else {
            i += 1;
            continue;
        };
        columns.push(&line[start..i]);
        start = gap_end;
        i = gap_end;
    }
    columns.push(&line[start..]);
    columns
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .collect()
}

/// The would-be codes of one cell: long tokens alone, runs of short tokens
/// joined with single spaces.
fn codes_of_cell(cell: &[&str], out: &mut Vec<Zeroizing<String>>) {
    let mut group = Zeroizing::new(String::new());
    for token in cell {
        if token.chars().count() >= MIN_SINGLE_TOKEN_CODE_LEN {
            if !group.is_empty() {
                out.push(std::mem::replace(&mut group, Zeroizing::new(String::new())));
            }
            out.push(Zeroizing::new((*token).to_owned()));
        } else {
            if !group.is_empty() {
                group.push(' ');
            }
            group.push_str(token);
        }
    }
    if !group.is_empty() {
        out.push(group);
    }
}

/// The would-be codes of a line, or `None` when the line is prose.
fn codes_of_line(line: &str) -> Option<Vec<Zeroizing<String>>> {
    let cells = cells(line);
    if cells
        .iter()
        .flatten()
        .any(|token| !token.chars().all(is_code_char))
    {
        return None;
    }
    let mut codes = Vec::new();
    for cell in &cells {
        codes_of_cell(cell, &mut codes);
    }
    Some(codes)
}

/// Finds the recovery codes in a pasted block or file, in order, each kept
/// exactly as written (case, dashes and inner spaces included).
pub fn parse_recovery_block(text: &str) -> Result<Vec<Zeroizing<String>>, RecoveryBlockError> {
    if text.len() > MAX_BLOCK_LEN {
        return Err(RecoveryBlockError::TooLarge { len: text.len() });
    }
    let has_digit = |code: &Zeroizing<String>| code.chars().any(|c| c.is_ascii_digit());
    let lines: Vec<Vec<Zeroizing<String>>> = text.lines().filter_map(codes_of_line).collect();
    let with_digits: Vec<Zeroizing<String>> = lines
        .iter()
        .filter(|codes| !codes.is_empty() && codes.iter().all(has_digit))
        .flatten()
        .cloned()
        .collect();
    if !with_digits.is_empty() {
        return Ok(with_digits);
    }
    // No line has digits: letter-only codes, told from headings by taking
    // only those of the most common length. Only letter-only ones: a code
    // with digits here comes from a line that is not all codes.
    let letters: Vec<Zeroizing<String>> = lines
        .into_iter()
        .flatten()
        .filter(|code| !has_digit(code))
        .collect();
    let mut lengths: Vec<usize> = letters.iter().map(|c| c.len()).collect();
    lengths.sort_unstable();
    let most_common = lengths
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map(|run| run[0])
        .ok_or(RecoveryBlockError::NoCodes)?;
    let codes: Vec<Zeroizing<String>> = letters
        .into_iter()
        .filter(|c| c.len() == most_common && c.len() >= MIN_SINGLE_TOKEN_CODE_LEN)
        .collect();
    if codes.len() < 2 {
        // A lone letter-only word is a heading far more often than a code.
        return Err(RecoveryBlockError::NoCodes);
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<String> {
        parse_recovery_block(text)
            .unwrap()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect()
    }

    #[test]
    fn github_recovery_codes_file() {
        let text = "a1b2c-3d4e5\nf6a7b-8c9d0\n0e1f2-a3b4c\n5d6e7-f8091\n\
                    2a3b4-c5d6e\n7f809-1a2b3\nc4d5e-6f7a8\nb9c0d-1e2f3\n\
                    4a5b6-c7d8e\n9f0a1-b2c3d\ne4f5a-6b7c8\nd9e0f-1a2b3\n\
                    c4d5e-6f7a9\n8b9c0-d1e2f\n3a4b5-c6d7e\n8f9a0-b1c2d\n";
        let codes = parse(text);
        assert_eq!(codes.len(), 16);
        assert_eq!(codes[0], "a1b2c-3d4e5");
        assert_eq!(codes[15], "8f9a0-b1c2d");
    }

    #[test]
    fn google_numbered_pairs_with_headings() {
        let text = "BACKUP VERIFICATION CODES\n\
                    alice@gmail.com\n\
                    \n\
                    1. 4821 0937      2. 1749 3306\n\
                    3. 5520 8461      4. 9034 2217\n\
                    5. 6618 7745      6. 3092 5580\n\
                    7. 7431 0062      8. 2209 6634\n\
                    9. 8850 1193     10. 4476 9028\n\
                    \n\
                    * You can only use each backup code once.\n\
                    * Need more backup codes? Visit g.co/2sv\n\
                    * Generated: Nov 23, 2026\n";
        let codes = parse(text);
        assert_eq!(codes.len(), 10, "{codes:?}");
        assert_eq!(codes[0], "4821 0937");
        assert_eq!(codes[1], "1749 3306");
        assert_eq!(codes[9], "4476 9028");
    }

    #[test]
    fn google_pairs_numbered_with_single_spaces() {
        let codes = parse("1. 4821 0937 2. 1749 3306\n3. 5520 8461 4. 9034 2217\n");
        assert_eq!(codes, ["4821 0937", "1749 3306", "5520 8461", "9034 2217"]);
    }

    #[test]
    fn gitlab_hex_codes_with_heading() {
        let text =
            "GitLab recovery codes\n\n3f2a9c1d8e7b6a50\n9a8b7c6d5e4f3a21\n0f1e2d3c4b5a6978\n";
        assert_eq!(
            parse(text),
            ["3f2a9c1d8e7b6a50", "9a8b7c6d5e4f3a21", "0f1e2d3c4b5a6978"]
        );
    }

    #[test]
    fn space_grouped_codes_one_a_line() {
        // Dropbox-style: four groups of four characters make one code.
        let text = "k4dq 9bq2 wv7r nm8a\nx3pt 7hc2 zz9e qq1m\n";
        assert_eq!(parse(text), ["k4dq 9bq2 wv7r nm8a", "x3pt 7hc2 zz9e qq1m"]);
    }

    #[test]
    fn several_long_codes_to_a_line_and_bullets() {
        let text = "Save these codes:\n* 1a2b3c4d  * 5e6f7g8h\n- 9i0j1k2l - 3m4n5o6p\nab12cd34 ef56gh78 ij90kl12\n";
        assert_eq!(
            parse(text),
            ["1a2b3c4d", "5e6f7g8h", "9i0j1k2l", "3m4n5o6p", "ab12cd34", "ef56gh78", "ij90kl12"]
        );
    }

    #[test]
    fn single_rotating_codes_as_services_show_them() {
        // Microsoft's 25-character code; X's 12-character backup code.
        assert_eq!(
            parse("Your new recovery code:\nAB3DE-FG5IJ-K7MNO-P9RST-UV1XY\n"),
            ["AB3DE-FG5IJ-K7MNO-P9RST-UV1XY"]
        );
        assert_eq!(parse("7xdk29amlqpf"), ["7xdk29amlqpf"]);
    }

    #[test]
    fn headings_with_numbers_are_not_codes() {
        let text = "Backup codes 2026\nRecovery codes for alice\n11111-22222\n";
        assert_eq!(parse(text), ["11111-22222"]);
    }

    #[test]
    fn letter_only_codes_are_taken_when_nothing_has_digits() {
        let text = "Codes\nabcdefgh\nijklmnop\nqrstuvwx\n";
        assert_eq!(parse(text), ["abcdefgh", "ijklmnop", "qrstuvwx"]);
    }

    #[test]
    fn prose_alone_holds_no_codes() {
        for text in [
            "",
            "\n\n",
            "Keep these codes somewhere safe.",
            "BACKUP VERIFICATION CODES",
            "https://github.com/settings/security",
        ] {
            assert_eq!(
                parse_recovery_block(text),
                Err(RecoveryBlockError::NoCodes),
                "{text:?}"
            );
        }
    }

    #[test]
    fn windows_line_endings_and_tabs() {
        assert_eq!(
            parse("1234 5678\r\n8765 4321\r\n"),
            ["1234 5678", "8765 4321"]
        );
        assert_eq!(parse("a1b2c3d4\te5f6g7h8\n"), ["a1b2c3d4", "e5f6g7h8"]);
    }

    #[test]
    fn huge_input_is_refused() {
        let text = "a1b2c3d4\n".repeat(MAX_BLOCK_LEN / 8);
        assert!(matches!(
            parse_recovery_block(&text),
            Err(RecoveryBlockError::TooLarge { .. })
        ));
    }

    #[test]
    fn numbering_forms() {
        for token in ["1.", "10)", "3:", "#4", "(5)"] {
            assert!(is_numbering(token), "{token}");
        }
        for token in ["1234", "a.", "1.5", "#", "1234."] {
            assert!(!is_numbering(token), "{token}");
        }
    }

    /// Found by fuzzing `recovery_block` (the codes found must read the same
    /// one per line): the letter-only fallback also took a code with digits
    /// from a line that was not all codes, so this block gave `ijk5617` and
    /// `veABAry`, and those two one per line gave only `ijk5617`.
    #[test]
    fn regression_fuzz_letter_only_fallback_takes_only_letter_only_codes() {
        let block = "acf$edbgh\nijk5617  veABAry\n";
        assert_eq!(
            parse_recovery_block(block),
            Err(RecoveryBlockError::NoCodes)
        );
        assert_eq!(parse("ijk5617\nveABAry\n"), ["ijk5617"]);
        // Letter-only codes under a heading with digits still read.
        assert_eq!(
            parse("Backup codes 2026\nabcdefgh\nijklmnop\n"),
            ["abcdefgh", "ijklmnop"]
        );
    }
}
