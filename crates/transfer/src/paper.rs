//! A printable paper backup: one PDF with every account's QR code, its
//! secret as text and its unused recovery codes, then the unused recovery
//! codes kept for services without an account here, under a warning that
//! the page is as sensitive as the accounts themselves. It is for a drawer
//! or a safe, for the day every device is lost.
//!
//! The PDF is written by hand with `pdf-writer`: A4 pages, the standard
//! Helvetica and Courier fonts (no embedded font files), QR codes drawn as
//! vector squares so they print sharp at any size. The standard fonts
//! cover Latin-1 (WinAnsi) only: other characters in an issuer or name are
//! printed as `?`, which is harmless because the QR code and the secret
//! carry the exact text. Recovery codes are taken as plain strings, as the
//! caller stores them. The date is an argument: nothing here reads the
//! clock. The returned bytes are wiped on drop; `pdf-writer`'s own working
//! buffers are not.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};
use tessera_otp::{Enrollment, OtpKind};
use zeroize::Zeroizing;

use crate::entry::account_label;
use crate::error::ExportError;
use crate::qr::{self, ModuleGrid};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
/// Side of each printed QR code, quiet zone included: 4.2 cm.
const QR_SIDE: f32 = 120.0;
const TEXT_LEFT: f32 = MARGIN + QR_SIDE + 18.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - MARGIN - TEXT_LEFT;
const GAP: f32 = 18.0;
/// Where accounts start below the header on every page.
const BODY_TOP: f32 = PAGE_HEIGHT - 190.0;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const MONO: Name<'static> = Name(b"F3");

/// The warning printed at the top of every page.
pub const WARNING_LINES: [&str; 3] = [
    "This page holds your two-factor secrets in the clear. Anyone who sees or",
    "photographs it can make your login codes and use your recovery codes.",
    "Keep it in a locked drawer or a safe. Shred it when you print a new one.",
];

/// One account on the paper backup.
#[derive(Debug, Clone, Copy)]
pub struct PaperAccount<'a> {
    /// The account.
    pub enrollment: &'a Enrollment,
    /// Its recovery codes that have not been used yet, as stored.
    pub recovery_codes: &'a [String],
}

/// Recovery codes kept for a service with no account in Tessera (its
/// second factor lives elsewhere, or its account was removed).
#[derive(Debug, Clone, Copy)]
pub struct PaperService<'a> {
    /// The service's name.
    pub issuer: &'a str,
    /// The account name at the service, `""` when not given.
    pub name: &'a str,
    /// Its recovery codes that have not been used yet, as stored.
    pub recovery_codes: &'a [String],
}

/// One account or service, laid out. Services have no QR code.
struct Block {
    grid: Option<ModuleGrid>,
    lines: Vec<(Name<'static>, f32, String)>,
    height: f32,
}

/// Writes the paper backup as PDF bytes: the accounts, then the services
/// known only by their recovery codes. `printed_on` is printed as given
/// (for instance `2026-11-03`).
pub fn paper_backup_pdf(
    accounts: &[PaperAccount<'_>],
    services: &[PaperService<'_>],
    printed_on: &str,
) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let mut blocks = Vec::with_capacity(accounts.len() + services.len());
    for account in accounts {
        blocks.push(layout(account)?);
    }
    for service in services {
        blocks.push(layout_service(service));
    }

    // Assign blocks to pages.
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut y = BODY_TOP;
    for (index, block) in blocks.iter().enumerate() {
        if y - block.height < MARGIN && !pages.last().expect("one page").is_empty() {
            pages.push(Vec::new());
            y = BODY_TOP;
        }
        pages.last_mut().expect("one page").push(index);
        y -= block.height + GAP;
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let fonts = [
        (REGULAR, Ref::new(3), "Helvetica"),
        (BOLD, Ref::new(4), "Helvetica-Bold"),
        (MONO, Ref::new(5), "Courier"),
    ];
    let info = Ref::new(6);
    let first_page = 7;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    for (_, id, base) in fonts {
        pdf.type1_font(id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(pdf_writer::TextStr("Tessera paper backup"))
        .creator(pdf_writer::TextStr("Tessera"));

    let total = pages.len();
    for (number, indices) in pages.iter().enumerate() {
        let page_id = page_ids[number];
        let content_id = Ref::new(page_id.get() + 1);
        let mut content = Content::new();
        draw_header(
            &mut content,
            printed_on,
            number + 1,
            total,
            blocks.is_empty(),
        );
        let mut y = BODY_TOP;
        for &index in indices {
            draw_block(&mut content, &blocks[index], y);
            y -= blocks[index].height + GAP;
        }
        let stream = Zeroizing::new(content.finish());
        {
            let mut page = pdf.page(page_id);
            page.parent(tree)
                .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .contents(content_id);
            let mut resources = page.resources();
            let mut font_dict = resources.fonts();
            for (name, id, _) in fonts {
                font_dict.pair(name, id);
            }
        }
        pdf.stream(content_id, &stream);
    }
    Ok(Zeroizing::new(pdf.finish()))
}

/// The title, the warning and the page line.
fn draw_header(content: &mut Content, printed_on: &str, page: usize, pages: usize, empty: bool) {
    let top = PAGE_HEIGHT - MARGIN;
    text(
        content,
        BOLD,
        18.0,
        MARGIN,
        top - 18.0,
        "Tessera paper backup",
    );
    // A heavy frame around the warning, so it is the first thing seen.
    content.set_line_width(2.0);
    content.rect(MARGIN, top - 104.0, PAGE_WIDTH - 2.0 * MARGIN, 72.0);
    content.stroke();
    text(
        content,
        BOLD,
        11.0,
        MARGIN + 10.0,
        top - 48.0,
        "WARNING: KEEP THIS PAGE SECRET",
    );
    for (i, line) in WARNING_LINES.iter().enumerate() {
        text(
            content,
            REGULAR,
            10.0,
            MARGIN + 10.0,
            top - 63.0 - 12.0 * i as f32,
            line,
        );
    }
    let footer = if empty {
        format!("Printed on {printed_on}. There are no accounts to back up.")
    } else {
        format!("Printed on {printed_on}. Page {page} of {pages}.")
    };
    text(content, REGULAR, 10.0, MARGIN, top - 122.0, &footer);
}

/// Lays out one account: its QR code and its lines of text.
fn layout(account: &PaperAccount<'_>) -> Result<Block, ExportError> {
    let enrollment = account.enrollment;
    let label = account_label(&enrollment.issuer, &enrollment.name);
    let uri = tessera_otp::uri::format(enrollment);
    let grid = qr::grid(&uri, || format!("the account {label}"))?;

    let mut lines: Vec<(Name<'static>, f32, String)> = Vec::new();
    let title = if enrollment.issuer.is_empty() {
        "(no issuer)"
    } else {
        &enrollment.issuer
    };
    lines.push((BOLD, 13.0, fit(title, 13.0)));
    if !enrollment.name.is_empty() {
        lines.push((REGULAR, 11.0, fit(&enrollment.name, 11.0)));
    }
    let params = &enrollment.params;
    let details = match params.kind {
        OtpKind::Totp => format!(
            "TOTP, {}, {} digits, every {} s",
            params.algorithm, params.digits, params.period
        ),
        OtpKind::Hotp => format!(
            "HOTP, {}, {} digits, next counter {}",
            params.algorithm, params.digits, params.counter
        ),
        OtpKind::Steam => "Steam Guard".to_owned(),
    };
    lines.push((REGULAR, 10.0, details));
    lines.push((REGULAR, 10.0, "Secret (base32):".to_owned()));
    let secret = enrollment.secret.to_base32();
    let groups: Vec<&str> = secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| std::str::from_utf8(chunk).expect("base32 is ASCII"))
        .collect();
    let per_line = (TEXT_WIDTH / (5.0 * 0.6 * 10.0)).floor().max(1.0) as usize;
    for row in groups.chunks(per_line) {
        lines.push((MONO, 10.0, row.join(" ")));
    }
    push_recovery_codes(&mut lines, account.recovery_codes);
    let text_height: f32 = lines.iter().map(|(_, size, _)| size * 1.35).sum();
    Ok(Block {
        grid: Some(grid),
        height: text_height.max(QR_SIDE),
        lines,
    })
}

/// Lays out a service known only by its recovery codes.
fn layout_service(service: &PaperService<'_>) -> Block {
    let mut lines: Vec<(Name<'static>, f32, String)> = Vec::new();
    let title = if service.issuer.is_empty() {
        "(no name)"
    } else {
        service.issuer
    };
    lines.push((BOLD, 13.0, fit(title, 13.0)));
    if !service.name.is_empty() {
        lines.push((REGULAR, 11.0, fit(service.name, 11.0)));
    }
    lines.push((
        REGULAR,
        10.0,
        "No one-time-code secret in Tessera: recovery codes only.".to_owned(),
    ));
    push_recovery_codes(&mut lines, service.recovery_codes);
    let height = lines.iter().map(|(_, size, _)| size * 1.35).sum();
    Block {
        grid: None,
        height,
        lines,
    }
}

/// The recovery codes as rows of the monospaced font, as many to a row as
/// the text column takes.
fn push_recovery_codes(lines: &mut Vec<(Name<'static>, f32, String)>, codes: &[String]) {
    if codes.is_empty() {
        return;
    }
    lines.push((REGULAR, 10.0, "Recovery codes (unused):".to_owned()));
    let widest = codes.iter().map(|c| c.chars().count()).max().unwrap_or(1);
    let per_line = (TEXT_WIDTH / ((widest + 3) as f32 * 0.6 * 10.0))
        .floor()
        .max(1.0) as usize;
    for row in codes.chunks(per_line) {
        let row: Vec<String> = row.iter().map(|code| format!("{code:<widest$}")).collect();
        lines.push((MONO, 10.0, fit_mono(&row.join("   "), 10.0)));
    }
}

/// A Unix time as a UTC calendar date, YYYY-MM-DD (civil-from-days, after
/// Howard Hinnant's algorithm), so no date library is needed for one field.
pub fn utc_date(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Draws a block whose top edge is at `top`.
fn draw_block(content: &mut Content, block: &Block, top: f32) {
    if let Some(grid) = &block.grid {
        draw_qr(content, grid, top);
    }
    let mut baseline = top;
    for (font, size, line) in &block.lines {
        baseline -= size * 1.35;
        text(
            content,
            *font,
            *size,
            TEXT_LEFT,
            baseline + size * 0.35,
            line,
        );
    }
}

/// Draws a QR code whose top edge is at `top`, at the left margin.
fn draw_qr(content: &mut Content, grid: &ModuleGrid, top: f32) {
    let modules = grid.width + 2 * qr::QUIET_ZONE_MODULES;
    let module = QR_SIDE / modules as f32;
    content.set_fill_gray(0.0);
    for y in 0..grid.width {
        // Runs of dark modules become one rectangle each.
        let mut x = 0;
        while x < grid.width {
            if !grid.dark[y * grid.width + x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < grid.width && grid.dark[y * grid.width + x] {
                x += 1;
            }
            let left = MARGIN + (start + qr::QUIET_ZONE_MODULES) as f32 * module;
            let bottom = top - (y + qr::QUIET_ZONE_MODULES + 1) as f32 * module;
            content.rect(left, bottom, (x - start) as f32 * module, module);
        }
    }
    content.fill_nonzero();
}

/// One line of text at a position.
fn text(content: &mut Content, font: Name<'static>, size: f32, x: f32, y: f32, line: &str) {
    let encoded = Zeroizing::new(win_ansi(line));
    content
        .begin_text()
        .set_font(font, size)
        .next_line(x, y)
        .show(Str(&encoded))
        .end_text();
}

/// Shortens Helvetica text to the text column (widths estimated at 0.55 em,
/// generous for Helvetica's average).
fn fit(line: &str, size: f32) -> String {
    let max = (TEXT_WIDTH / (0.55 * size)) as usize;
    shorten(line, max)
}

/// Shortens Courier text (0.6 em per character) to the text column.
fn fit_mono(line: &str, size: f32) -> String {
    let max = (TEXT_WIDTH / (0.6 * size)) as usize;
    shorten(line, max)
}

fn shorten(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_owned();
    }
    let kept: String = line.chars().take(max.saturating_sub(3)).collect();
    format!("{kept}...")
}

/// Text in the standard fonts' WinAnsi encoding; characters it lacks
/// become `?`.
fn win_ansi(line: &str) -> Vec<u8> {
    line.chars()
        .map(|ch| match ch {
            ' '..='~' => ch as u8,
            '\u{a0}'..='\u{ff}' => ch as u32 as u8,
            '\u{20ac}' => 0x80,
            '\u{2026}' => 0x85,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_otp::{OtpParams, Secret};

    fn enrollment(issuer: &str, name: &str) -> Enrollment {
        Enrollment {
            issuer: issuer.into(),
            name: name.into(),
            secret: Secret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").unwrap(),
            params: OtpParams::totp(),
        }
    }

    /// Every page object, content stream and font is there, and the text
    /// says what it should.
    #[test]
    fn writes_a_paginated_pdf_with_the_warning_and_the_codes() {
        let enrollments: Vec<Enrollment> = (0..9)
            .map(|i| enrollment("Example", &format!("user{i}@example.com")))
            .collect();
        let codes = vec!["1234-5678".to_owned(), "ABCD-EFGH".to_owned()];
        let accounts: Vec<PaperAccount> = enrollments
            .iter()
            .map(|e| PaperAccount {
                enrollment: e,
                recovery_codes: &codes,
            })
            .collect();
        let pdf = paper_backup_pdf(&accounts, &[], "2026-11-03").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        // Four accounts of this size fit on a page.
        let pages = text.matches("/Type /Page\n").count();
        assert_eq!(pages, 3);
        assert!(text.contains("/Count 3"));
        assert_eq!(
            text.matches("WARNING: KEEP THIS PAGE SECRET").count(),
            pages
        );
        assert!(text.contains("Printed on 2026-11-03. Page 1 of"));
        assert!(text.contains("JBSW Y3DP EHPK 3PXP"));
        assert_eq!(text.matches("1234-5678").count(), 9);
        assert!(text.contains("/BaseFont /Courier"));
    }

    #[test]
    fn an_empty_backup_still_has_its_page_and_warning() {
        let pdf = paper_backup_pdf(&[], &[], "today").unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("There are no accounts to back up."));
        assert!(text.contains("WARNING"));
    }

    /// The vector QR code covers exactly the dark modules: rasterising the
    /// rectangles gives back a grid that decodes to the account's URI.
    #[test]
    fn drawn_qr_codes_scan() {
        let enrollment = enrollment("Exämple €", "alice");
        let block = layout(&PaperAccount {
            enrollment: &enrollment,
            recovery_codes: &[],
        })
        .unwrap();
        let mut content = Content::new();
        draw_block(&mut content, &block, 500.0);
        let stream = String::from_utf8_lossy(&content.finish()).into_owned();
        let grid = block.grid.as_ref().unwrap();
        let modules = grid.width + 2 * qr::QUIET_ZONE_MODULES;
        let module = QR_SIDE / modules as f32;
        let scale = 4usize;
        let side = modules * scale;
        let mut pixels = vec![255u8; side * side];
        for line in stream.lines().filter(|l| l.ends_with(" re")) {
            let v: Vec<f32> = line
                .split(' ')
                .take(4)
                .map(|n| n.parse().unwrap())
                .collect();
            let x0 = ((v[0] - MARGIN) / module).round() as usize;
            let y0 = ((500.0 - v[1] - v[3]) / module).round() as usize;
            let w = (v[2] / module).round() as usize;
            for y in y0 * scale..(y0 + 1) * scale {
                for x in x0 * scale..(x0 + w) * scale {
                    pixels[y * side + x] = 0;
                }
            }
        }
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| pixels[y * side + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let decoded = grids[0].decode().unwrap().1;
        assert_eq!(tessera_otp::uri::parse(&decoded).unwrap(), enrollment);
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_111_111_109), "2005-03-18");
        assert_eq!(utc_date(1_795_392_000), "2026-11-23");
    }

    #[test]
    fn text_encoding_and_fitting() {
        assert_eq!(win_ansi("Aé€✓"), vec![b'A', 0xe9, 0x80, b'?']);
        assert_eq!(shorten("abcdefgh", 6), "abc...");
        assert_eq!(shorten("abc", 6), "abc");
        assert!(fit(&"W".repeat(500), 13.0).ends_with("..."));
    }
}
