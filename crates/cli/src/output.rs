//! How the command line prints what the core returns: aligned tables, and
//! the report of accounts taken in, as people and scripts read them.

use std::io::Write;

use tessera_core::accounts::label;
use tessera_core::intake::IntakeReport;

/// Prints rows under a header, each column as wide as its widest cell.
pub fn write_table<const N: usize>(
    out: &mut impl Write,
    header: &[&str; N],
    rows: &[[String; N]],
) -> anyhow::Result<()> {
    let mut widths: [usize; N] = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// `1 code`, `2 codes`.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Prints what taking in did: the accounts added, each duplicate, the
/// recovery codes kept.
pub fn print_intake(
    report: &IntakeReport,
    dry_run: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let verb = if dry_run { "would add" } else { "added" };
    if report.added.is_empty() {
        writeln!(out, "{verb} no accounts")?;
    } else {
        let names: Vec<String> = report.added.iter().map(label).collect();
        writeln!(
            out,
            "{verb} {} account(s): {}",
            report.added.len(),
            names.join(", ")
        )?;
    }
    for duplicate in &report.duplicates {
        writeln!(out, "duplicate {}", duplicate.describe())?;
    }
    if report.recovery_codes > 0 {
        let verb = if dry_run { "would keep" } else { "kept" };
        writeln!(out, "{verb} {} new recovery code(s)", report.recovery_codes)?;
    }
    Ok(())
}
