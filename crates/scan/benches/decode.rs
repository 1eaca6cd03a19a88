//! `cargo bench -p tessera-scan`: how well and how fast the decoder reads
//! QR codes, next to zbarimg and zxing-cpp, in one printed report.
//!
//! 1. The qr-blackbox corpus (316 real photos with expected texts, from the
//!    ZXing and zxing-cpp test suites), read from `../shared/corpora` beside
//!    the workspace (or `$TESSERA_CORPORA`): decode rate per set, codes read
//!    wrongly, median and total time per decoder. A text matches the way the
//!    corpus baseline counts it: exactly for the ZXing sets, after naming
//!    control characters (`<CR>`, `<LF>`, ...) for the zxing-cpp sets.
//!    Peers run when present: `zbarimg` (one process per file, so its times
//!    include process start and image loading) and zxing-cpp's Python
//!    package (decode only, on the same grey pixels this decoder gets).
//! 2. Synthetic screenshots (1920×1080 and 3840×2160 busy desktops with a
//!    code of each version at two pixels per module in corners, the centre
//!    and random places): how many decode, and the median and slowest time,
//!    against the 50 ms and 150 ms targets.
//!
//! 3. The webcam pipeline: 1280×720 frames through `CameraScanner` (frames
//!    per second when no code is in view, the worst case, against the 15
//!    frames per second target), what shrinking a frame for the app's live
//!    preview costs, the synthetic focus sequence, and the two
//!    real phone-camera frames in `../shared/corpora/qr-camera-frames` read
//!    from their raw Y planes (one with padded rows).
//!
//! Timings are wall-clock on whatever else the machine is doing; each
//! in-process decode runs three times and counts its median.

#[path = "../tests/common/synthetic_camera.rs"]
mod synthetic_camera;
#[path = "../tests/common/synthetic_screen.rs"]
mod synthetic_screen;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image::GrayImage;
use tessera_scan::{
    decode_with, frame_to_grey, preview_frame, to_grey, CameraEvent, CameraScanner, DecodeOptions,
    PixelLayout, RawFrame, RecordedFrames,
};

/// How many times each in-process decode runs; the median counts.
const RUNS_PER_IMAGE: usize = 3;

fn main() {
    println!("tessera-scan decode benchmark (release build)\n");
    match corpus_dir() {
        Some(dir) => corpus_report(&dir),
        None => println!(
            "qr-blackbox corpus not found (../shared/corpora/qr-blackbox or $TESSERA_CORPORA), skipped\n"
        ),
    }
    screenshot_report();
    camera_report();
}

// ---------------------------------------------------------------- corpus --

/// The corpus folder, when it exists.
fn corpus_dir() -> Option<PathBuf> {
    let corpora = match std::env::var_os("TESSERA_CORPORA") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    let dir = corpora.join("qr-blackbox");
    dir.join("manifest.csv").is_file().then_some(dir)
}

/// One corpus image and what it should decode to.
struct Sample {
    file: String,
    set: String,
    expected: String,
    escaped_compare: bool,
}

/// What one decoder did on the corpus, per image in manifest order.
struct DecoderRun {
    name: String,
    /// Per image: matched, found anything, time.
    results: Vec<(bool, bool, Duration)>,
    /// A total measured separately (a batch run), when there is one.
    batch_total: Option<Duration>,
    note: String,
}

fn corpus_report(dir: &Path) {
    let samples = read_manifest(dir);
    println!(
        "== QR corpus: {} ({} images) ==",
        dir.display(),
        samples.len()
    );
    let mut greys = Vec::with_capacity(samples.len());
    let mut load_times = Vec::with_capacity(samples.len());
    for sample in &samples {
        let started = Instant::now();
        let grey = image::open(dir.join(&sample.file))
            .map(|image| to_grey(&image))
            .unwrap_or_else(|error| panic!("{}: {error}", sample.file));
        load_times.push(started.elapsed());
        greys.push(grey);
    }

    let mut runs = Vec::new();
    let mut tessera = DecoderRun {
        name: "tessera-scan (decode only)".into(),
        results: Vec::new(),
        batch_total: None,
        note: String::new(),
    };
    let mut panics = 0;
    let mut finishing_pass: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (sample, grey) in samples.iter().zip(&greys) {
        let mut times = Vec::with_capacity(RUNS_PER_IMAGE);
        let mut report = None;
        for _ in 0..RUNS_PER_IMAGE {
            let started = Instant::now();
            let this = decode_with(grey, &DecodeOptions::default());
            times.push(started.elapsed());
            report = Some(this);
        }
        let report = report.expect("at least one run");
        panics += report.panics_contained;
        if !report.codes.is_empty() {
            *finishing_pass
                .entry(report.passes_run.last().copied().unwrap_or("?"))
                .or_default() += 1;
        }
        let texts: Vec<&str> = report.codes.iter().map(|code| code.text.as_str()).collect();
        let matched = texts.iter().any(|text| matches(text, sample));
        if !matched && !texts.is_empty() {
            println!("  WRONG {}: found {:?}", sample.file, texts);
        }
        tessera
            .results
            .push((matched, !texts.is_empty(), median(&mut times)));
    }
    tessera.note = format!(
        "{panics} engine panics contained; codes found by pass: {}",
        finishing_pass
            .iter()
            .map(|(pass, count)| format!("{pass} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let with_load = DecoderRun {
        name: "tessera-scan (load + decode)".into(),
        results: tessera
            .results
            .iter()
            .zip(&load_times)
            .map(|(&(matched, found, decode), &load)| (matched, found, decode + load))
            .collect(),
        batch_total: None,
        note: "image file loading (image crate) plus decoding".into(),
    };
    runs.push(tessera);
    runs.push(with_load);
    match zbarimg_run(dir, &samples) {
        Ok(run) => runs.push(run),
        Err(why) => println!("zbarimg skipped: {why}"),
    }
    match zxing_cpp_run(&samples, &greys) {
        Ok(run) => runs.push(run),
        Err(why) => println!("zxing-cpp (python) skipped: {why}"),
    }
    print_corpus_table(&samples, &runs);
}

fn read_manifest(dir: &Path) -> Vec<Sample> {
    let manifest = std::fs::read_to_string(dir.join("manifest.csv")).expect("manifest.csv");
    manifest
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let columns: Vec<&str> = line.split(',').collect();
            let expected = std::fs::read(dir.join(columns[1])).expect("expected text");
            Sample {
                file: columns[0].to_owned(),
                set: columns[2].to_owned(),
                expected: String::from_utf8_lossy(&expected).into_owned(),
                escaped_compare: columns.get(4).is_some_and(|mode| mode.trim() == "escaped"),
            }
        })
        .collect()
}

/// zxing-cpp's comparison: ASCII control characters become `<NAME>` in
/// both texts before comparing (zxing-cpp sets), or exact (ZXing sets).
fn matches(found: &str, sample: &Sample) -> bool {
    if sample.escaped_compare {
        escape_controls(found) == escape_controls(&sample.expected)
    } else {
        found == sample.expected
    }
}

fn escape_controls(text: &str) -> String {
    const NAMES: [&str; 33] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
        "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB",
        "ESC", "FS", "GS", "RS", "US", "DEL",
    ];
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character as u32 {
            code @ 0..=31 => escaped.push_str(&format!("<{}>", NAMES[code as usize])),
            127 => escaped.push_str("<DEL>"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// zbarimg on each file in its own process (correctness and per-file
/// time), and once on all files in one process (the total).
fn zbarimg_run(dir: &Path, samples: &[Sample]) -> Result<DecoderRun, String> {
    let version = Command::new("zbarimg")
        .arg("--version")
        .output()
        .map_err(|error| format!("zbarimg not runnable ({error})"))?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let arguments = ["-q", "-Sdisable", "-Sqrcode.enable"];
    let mut results = Vec::with_capacity(samples.len());
    for sample in samples {
        let started = Instant::now();
        let output = Command::new("zbarimg")
            .args(arguments)
            .arg(&sample.file)
            .current_dir(dir)
            .stderr(Stdio::null())
            .output()
            .map_err(|error| error.to_string())?;
        let elapsed = started.elapsed();
        let mut stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if stdout.ends_with('\n') {
            stdout.pop();
        }
        let texts: Vec<&str> = match stdout.strip_prefix("QR-Code:") {
            Some(rest) => rest.split("\nQR-Code:").collect(),
            None => Vec::new(),
        };
        let matched = texts.iter().any(|text| matches(text, sample));
        results.push((matched, !texts.is_empty(), elapsed));
    }
    let started = Instant::now();
    Command::new("zbarimg")
        .args(arguments)
        .args(samples.iter().map(|sample| sample.file.as_str()))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|error| error.to_string())?;
    Ok(DecoderRun {
        name: format!("zbarimg {version} (process per file)"),
        results,
        batch_total: Some(started.elapsed()),
        note: "times include process start and image loading; total = one process over all files"
            .into(),
    })
}

/// The Python side of the zxing-cpp run: reads grey images from stdin
/// (`width height\n` then the pixels), decodes each `runs` times, prints
/// one JSON line per image with the median microseconds and the texts.
const ZXING_CPP_SCRIPT: &str = r#"
import json, sys, time, zxingcpp
runs = int(sys.argv[1])
data = sys.stdin.buffer
try:
    from importlib.metadata import version
    zxing_version = version("zxing-cpp")
except Exception:
    zxing_version = "?"
print(json.dumps({"version": zxing_version}), flush=True)
while True:
    header = data.readline()
    if not header:
        break
    width, height = map(int, header.split())
    pixels = memoryview(data.read(width * height)).cast("B", (height, width))
    times, texts = [], []
    for _ in range(runs):
        started = time.perf_counter()
        found = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode,
                                       text_mode=zxingcpp.TextMode.Plain)
        times.append(time.perf_counter() - started)
        texts = [barcode.text for barcode in found]
    times.sort()
    print(json.dumps({"us": int(times[len(times) // 2] * 1e6), "texts": texts}), flush=True)
"#;

fn zxing_cpp_run(samples: &[Sample], greys: &[GrayImage]) -> Result<DecoderRun, String> {
    let probe = Command::new("python3")
        .args(["-c", "import zxingcpp"])
        .stderr(Stdio::null())
        .status()
        .map_err(|error| format!("python3 not runnable ({error})"))?;
    if !probe.success() {
        return Err("the zxingcpp Python package is not importable (pip install zxing-cpp)".into());
    }
    let mut child = Command::new("python3")
        .args(["-c", ZXING_CPP_SCRIPT, &RUNS_PER_IMAGE.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| error.to_string())?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let greys_to_send: Vec<GrayImage> = greys.to_vec();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        for grey in &greys_to_send {
            writeln!(stdin, "{} {}", grey.width(), grey.height())?;
            stdin.write_all(grey.as_raw())?;
        }
        Ok(())
    });
    let output = child
        .wait_with_output()
        .map_err(|error| error.to_string())?;
    writer
        .join()
        .map_err(|_| "writer thread panicked".to_owned())?
        .map_err(|error| error.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().ok_or("no output")?)
        .map_err(|error| error.to_string())?;
    let mut results = Vec::with_capacity(samples.len());
    for (sample, line) in samples.iter().zip(lines) {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|error| error.to_string())?;
        let micros = value["us"].as_u64().unwrap_or(0);
        let texts: Vec<&str> = value["texts"]
            .as_array()
            .map(|texts| texts.iter().filter_map(|text| text.as_str()).collect())
            .unwrap_or_default();
        let matched = texts.iter().any(|text| matches(text, sample));
        results.push((matched, !texts.is_empty(), Duration::from_micros(micros)));
    }
    if results.len() != samples.len() {
        return Err(format!(
            "python answered for {} of {} images",
            results.len(),
            samples.len()
        ));
    }
    Ok(DecoderRun {
        name: format!(
            "zxing-cpp {} python (decode only)",
            header["version"].as_str().unwrap_or("?")
        ),
        results,
        batch_total: None,
        note: "defaults (try rotate/downscale/invert), QR only, same grey pixels".into(),
    })
}

fn print_corpus_table(samples: &[Sample], runs: &[DecoderRun]) {
    let mut sets: Vec<&str> = samples.iter().map(|sample| sample.set.as_str()).collect();
    sets.sort_by_key(|set| (set.starts_with("cpp"), set.to_owned()));
    sets.dedup();
    let mut header = vec!["decoder".to_owned()];
    header.extend(sets.iter().map(|set| set.to_string()));
    header.extend(["ALL", "rate", "wrong", "median ms", "total s"].map(str::to_owned));
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    for run in runs {
        let mut row = vec![run.name.clone()];
        for set in &sets {
            let (matched, total) = samples
                .iter()
                .zip(&run.results)
                .filter(|(sample, _)| sample.set == *set)
                .fold((0, 0), |(matched, total), (_, result)| {
                    (matched + usize::from(result.0), total + 1)
                });
            row.push(format!("{matched}/{total}"));
        }
        let matched = run.results.iter().filter(|result| result.0).count();
        let wrong = run
            .results
            .iter()
            .filter(|result| !result.0 && result.1)
            .count();
        let mut times: Vec<Duration> = run.results.iter().map(|result| result.2).collect();
        let total = run.batch_total.unwrap_or_else(|| times.iter().sum());
        row.push(format!("{matched}/{}", samples.len()));
        row.push(format!(
            "{:.1}%",
            100.0 * matched as f64 / samples.len() as f64
        ));
        row.push(wrong.to_string());
        row.push(format!("{:.2}", median(&mut times).as_secs_f64() * 1e3));
        row.push(format!("{:.2}", total.as_secs_f64()));
        println!("| {} |", row.join(" | "));
    }
    println!();
    for run in runs {
        if !run.note.is_empty() {
            println!("  {}: {}", run.name, run.note);
        }
    }
    println!();
}

fn median(times: &mut [Duration]) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort();
    times[times.len() / 2]
}

// ------------------------------------------------------------ screenshots --

fn screenshot_report() {
    println!("== Synthetic screenshots: one code at 2 px per module on a busy desktop ==");
    println!(
        "| screen | theme | cases | decoded | median ms | slowest ms | target ms | within target |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let versions = [1i16, 2, 3, 5, 7, 10, 15, 20, 25, 30, 35, 40];
    for (width, height, target_ms) in [(1920u32, 1080u32, 50.0f64), (3840, 2160, 150.0)] {
        for dark_theme in [false, true] {
            let mut decoded = 0;
            let mut cases = 0;
            let mut times = Vec::new();
            let mut failures = Vec::new();
            for &version in &versions {
                // Positions 0–4: corners and centre; 5–6: random places.
                // The dark theme is checked on fewer places.
                let positions: &[u32] = if dark_theme {
                    &[0, 4, 5]
                } else {
                    &[0, 1, 2, 3, 4, 5, 6]
                };
                for &position in positions {
                    let (screen, text) = synthetic_screen::screenshot_case(
                        width, height, version, position, dark_theme,
                    );
                    let mut case_times = Vec::with_capacity(RUNS_PER_IMAGE);
                    let mut found = false;
                    for _ in 0..RUNS_PER_IMAGE {
                        let started = Instant::now();
                        let report = decode_with(&screen, &DecodeOptions::default());
                        case_times.push(started.elapsed());
                        found = report.codes.iter().any(|code| code.text == text);
                    }
                    cases += 1;
                    if found {
                        decoded += 1;
                    } else {
                        failures.push(format!("v{version}@{position}"));
                    }
                    times.push(median(&mut case_times));
                }
            }
            let slowest = times.iter().max().copied().unwrap_or_default();
            let slowest_ms = slowest.as_secs_f64() * 1e3;
            println!(
                "| {width}x{height} | {} | {cases} | {decoded}/{cases} | {:.1} | {:.1} | {target_ms:.0} | {} |",
                if dark_theme { "dark" } else { "light" },
                median(&mut times).as_secs_f64() * 1e3,
                slowest_ms,
                if slowest_ms < target_ms && decoded == cases { "yes" } else { "NO" }
            );
            if !failures.is_empty() {
                println!("  not decoded: {}", failures.join(", "));
            }
        }
    }
    // No code at all: every pass runs until the work budget stops it.
    for (width, height) in [(1920u32, 1080u32), (3840, 2160)] {
        let screen = synthetic_screen::busy_desktop(width, height, false, 42);
        let mut times = Vec::with_capacity(RUNS_PER_IMAGE);
        let mut passes = Vec::new();
        for _ in 0..RUNS_PER_IMAGE {
            let started = Instant::now();
            let report = decode_with(&screen, &DecodeOptions::default());
            times.push(started.elapsed());
            passes = report.passes_run;
        }
        println!(
            "  {width}x{height} with no code: {:.1} ms for the whole ladder ({})",
            median(&mut times).as_secs_f64() * 1e3,
            passes.join(", ")
        );
    }
    println!();
}

// ----------------------------------------------------------------- camera --

fn camera_report() {
    println!("== Webcam pipeline (CameraScanner, quick passes per frame) ==");
    // Worst case: nothing to find, so every frame runs all quick passes.
    let frame_count = 45;
    let empty_frames: Vec<GrayImage> = (0..frame_count)
        .map(|number| {
            let mut frame = synthetic_camera::camera_frame(2, number + 100);
            // Cover the code: a view of the room, no code in it.
            for y in 150..500 {
                for x in 560..960 {
                    frame.put_pixel(x, y, image::Luma([90 + ((x ^ y) % 40) as u8]));
                }
            }
            frame
        })
        .collect();
    let started = Instant::now();
    let scanner = CameraScanner::start(move || Ok(RecordedFrames::new(empty_frames)));
    let ended = matches!(scanner.wait(), CameraEvent::Ended);
    let elapsed = started.elapsed();
    let fps = scanner.frames_decoded() as f64 / elapsed.as_secs_f64();
    println!(
        "  1280x720 frames without a code: {} frames in {:.2} s = {fps:.1} frames/s decoded (target >= 15: {}){}",
        scanner.frames_decoded(),
        elapsed.as_secs_f64(),
        if fps >= 15.0 { "yes" } else { "NO" },
        if ended { "" } else { " (did not end cleanly)" }
    );

    // The app's live preview: each shown frame is shrunk to 480 pixels wide.
    let frame = synthetic_camera::camera_frame(2, 7);
    let rounds = 100u32;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(preview_frame(std::hint::black_box(&frame), 480));
    }
    println!(
        "  preview of a 1280x720 frame (480x270): {:.2} ms per frame",
        started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
    );

    let radii = [14u32, 10, 7, 4, 2, 1, 0, 0];
    let focus: Vec<GrayImage> = radii
        .iter()
        .enumerate()
        .map(|(number, &radius)| synthetic_camera::camera_frame(radius, number as u64 + 1))
        .collect();
    let scanner = CameraScanner::start(move || Ok(RecordedFrames::new(focus)));
    match scanner.wait() {
        CameraEvent::Found { code, .. } if code.text == synthetic_camera::HELD_UP_ENROLLMENT => {
            println!(
                "  focus sequence (blur radius {radii:?}): enrollment found at frame {} of {}",
                scanner.frames_decoded(),
                radii.len()
            )
        }
        other => println!("  focus sequence: NOT found ({other:?})"),
    }

    let dir = corpus_dir().map(|dir| dir.with_file_name("qr-camera-frames"));
    let Some(dir) = dir.filter(|dir| dir.join("qr.y.gz").is_file()) else {
        println!("  qr-camera-frames corpus not found, skipped");
        println!();
        return;
    };
    for (file, width, height, stride) in [
        ("qr.y.gz", 1600u32, 1200u32, 1600usize),
        ("qr.strided.y.gz", 1840, 1380, 1856),
    ] {
        let expected =
            std::fs::read_to_string(dir.join(file.replace(".gz", ".txt"))).unwrap_or_default();
        let bytes = match Command::new("gzip").arg("-dc").arg(dir.join(file)).output() {
            Ok(output) if output.status.success() => output.stdout,
            _ => {
                println!("  {file}: gzip -dc failed, skipped");
                continue;
            }
        };
        let frame = RawFrame {
            layout: PixelLayout::Grey,
            width,
            height,
            stride,
            bytes: &bytes,
        };
        let started = Instant::now();
        let result = frame_to_grey(&frame).map(|grey| decode_with(&grey, &DecodeOptions::quick()));
        let elapsed = started.elapsed();
        let verdict = match result {
            Ok(report) if report.codes.iter().any(|code| code.text == expected) => {
                "decoded".to_owned()
            }
            Ok(report) => format!("NOT decoded ({} other codes)", report.codes.len()),
            Err(error) => format!("NOT decoded ({error})"),
        };
        println!(
            "  real phone frame {file} ({width}x{height}, row stride {stride}): {verdict} in {:.1} ms",
            elapsed.as_secs_f64() * 1e3
        );
    }
    println!();
}
