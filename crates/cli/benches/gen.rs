//! `cargo bench -p tessera-cli` (or `make bench`): prints, in one run, codes
//! per second in process for each algorithm, and the whole-process latency
//! of `tessera gen` beside oathtool's for the same inputs. The machines this
//! runs on are noisy, so runs of the commands are interleaved and the ratio
//! is what to read.
//!
//! Two builds of `tessera` are measured when `make bench` provides the
//! second: cargo's own (dynamically linked, position-independent) and the
//! CLI as shipped by `make cli` (static, position-dependent), named by
//! `TESSERA_STATIC_CLI`. The goal is judged on the shipped one.

use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tessera_otp::{Algorithm, Secret};

const SECRET_HEX: &str = "3132333435363738393031323334353637383930";
const SECRET_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn codes_per_second(label: &str, mut generate: impl FnMut(u64)) -> (String, f64) {
    // Warm up, then count for a fixed wall-clock budget.
    for t in 0..10_000 {
        generate(t);
    }
    let budget = Duration::from_millis(700);
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < budget {
        for _ in 0..1_000 {
            generate(count * 30);
            count += 1;
        }
    }
    (
        label.to_owned(),
        count as f64 / start.elapsed().as_secs_f64(),
    )
}

fn run_once(program: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("could not run {program}: {e}"));
    let elapsed = start.elapsed();
    assert!(status.success(), "{program} {args:?} failed");
    elapsed
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    // `cargo bench` passes `--bench`; anything else is a filter we ignore.
    let secret = Secret::from_base32(SECRET_BASE32).expect("valid secret");
    let mut rows = Vec::new();
    for (label, algorithm) in [
        ("TOTP SHA1, 6 digits", Algorithm::Sha1),
        ("TOTP SHA256, 6 digits", Algorithm::Sha256),
        ("TOTP SHA512, 6 digits", Algorithm::Sha512),
    ] {
        rows.push(codes_per_second(label, |t| {
            black_box(
                tessera_otp::totp(&secret, algorithm, 6, 30, black_box(t)).expect("valid params"),
            );
        }));
    }
    rows.push(codes_per_second("HOTP SHA1, 8 digits", |c| {
        black_box(
            tessera_otp::hotp(&secret, Algorithm::Sha1, 8, black_box(c)).expect("valid params"),
        );
    }));
    rows.push(codes_per_second("Steam Guard", |t| {
        black_box(tessera_otp::steam(&secret, black_box(t)));
    }));

    println!("In-process code generation (tessera-otp)");
    println!("{:<24} {:>14}", "code", "codes/s");
    for (label, rate) in &rows {
        println!("{label:<24} {rate:>14.0}");
    }

    let mut builds = vec![("cargo build", env!("CARGO_BIN_EXE_tessera").to_owned())];
    match std::env::var("TESSERA_STATIC_CLI") {
        Ok(path) if std::path::Path::new(&path).is_file() => builds.push(("make cli", path)),
        _ => println!(
            "\n(TESSERA_STATIC_CLI not set or missing: `make bench` builds the shipped static CLI)"
        ),
    }
    let cases: [(&str, Vec<&str>, Vec<&str>); 3] = [
        (
            "TOTP SHA1 6 digits",
            vec!["gen", "--secret", SECRET_BASE32, "--time", "1111111109"],
            vec!["--totp", "-b", "-N", "@1111111109", SECRET_BASE32],
        ),
        (
            "TOTP SHA512 8 digits",
            vec![
                "gen",
                "--secret",
                SECRET_HEX,
                "--hex",
                "--algorithm",
                "sha512",
                "--digits",
                "8",
                "--time",
                "59",
            ],
            vec!["--totp=sha512", "-d", "8", "-N", "@59", SECRET_HEX],
        ),
        (
            "HOTP SHA1 counter 7",
            vec!["gen", "--secret", SECRET_HEX, "--hex", "--counter", "7"],
            vec!["--hotp", "-c", "7", SECRET_HEX],
        ),
    ];
    const RUNS: usize = 300;
    println!();
    println!("Whole-process latency, {RUNS} interleaved runs each (same inputs)");
    println!(
        "{:<22} {:<11} {:>11} {:>11} {:>12} {:>12} {:>9}",
        "case", "build", "tessera p50", "tessera p90", "oathtool p50", "oathtool p90", "ratio p50"
    );
    // build -> worst ratio over the cases
    let mut worst: Vec<f64> = vec![0.0; builds.len()];
    for (label, ours, theirs) in &cases {
        let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(RUNS); builds.len()];
        let mut peer = Vec::with_capacity(RUNS);
        for _ in 0..10 {
            for (_, program) in &builds {
                run_once(program, ours);
            }
            run_once("oathtool", theirs);
        }
        for _ in 0..RUNS {
            for (i, (_, program)) in builds.iter().enumerate() {
                times[i].push(run_once(program, ours));
            }
            peer.push(run_once("oathtool", theirs));
        }
        peer.sort();
        for (i, (build, _)) in builds.iter().enumerate() {
            times[i].sort();
            let ratio =
                percentile(&times[i], 0.5).as_secs_f64() / percentile(&peer, 0.5).as_secs_f64();
            worst[i] = worst[i].max(ratio);
            println!(
                "{label:<22} {build:<11} {:>11} {:>11} {:>12} {:>12} {:>9.2}",
                ms(percentile(&times[i], 0.5)),
                ms(percentile(&times[i], 0.9)),
                ms(percentile(&peer, 0.5)),
                ms(percentile(&peer, 0.9)),
                ratio
            );
        }
    }
    println!();
    for (i, (build, _)) in builds.iter().enumerate() {
        let shipped = i == builds.len() - 1 && builds.len() > 1;
        println!(
            "{build}: worst ratio {:.2}{}",
            worst[i],
            if shipped { " (the shipped CLI)" } else { "" }
        );
    }
    let judged = worst[builds.len() - 1];
    println!(
        "goal: tessera gen no slower than oathtool per process (ratio <= 1.00), judged on {}: {}",
        builds[builds.len() - 1].0,
        if judged <= 1.0 { "met" } else { "NOT met" }
    );
}
