#!/usr/bin/env bash
# Fuzzes Tessera's targets one after another, each for a set time, and
# fails if any of them finds a crash, a hang (an input over 10 s) or a
# memory blow-up (over 2 GiB).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; with no TARGET every target runs
# (`cargo fuzz list`). Each target starts from its committed seeds
# (fuzz/corpus/<target>, copied into fuzz/corpus-run/<target>, which keeps
# growing from run to run and is git-ignored). Crash inputs land in
# fuzz/artifacts/<target>/, logs and a summary table in fuzz/logs/.
# One target runs at a time, in one process: the machine is shared.
#
# Environment: FUZZ_SANITIZER (address, the default, or none),
# FUZZ_ARGS (more libFuzzer flags for every target).
set -euo pipefail

seconds=${1:-60}
[ $# -gt 0 ] && shift
case $seconds in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
    ;;
esac

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
cd "$fuzz_dir/.."

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

# cargo-fuzz asks rustc for -Zsanitizer=address and other -Z flags, which
# only nightly accepts. RUSTC_BOOTSTRAP=1 lets the stable toolchain (the
# only one this project needs) accept them; the standard library itself
# stays uninstrumented, as with nightly without -Zbuild-std. Measured on
# rustc 1.95: ASan builds and runs this way.
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-address}
# Its own target dir (fuzz/target, cargo-fuzz's default), never the main
# build's CARGO_TARGET_DIR, which other builds may be using.
unset CARGO_TARGET_DIR

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# The vault targets write a scratch file per input: keep those in memory
# when /dev/shm exists, and in a folder removed afterwards.
scratch_root=/dev/shm
[ -d "$scratch_root" ] && [ -w "$scratch_root" ] || scratch_root=${TMPDIR:-/tmp}
TMPDIR=$(mktemp -d "$scratch_root/tessera-fuzz.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

echo "building ${#targets[@]} targets (sanitizer: $sanitizer)" >&2
for target in "${targets[@]}"; do
    cargo fuzz build --sanitizer "$sanitizer" "$target"
done

mkdir -p "$fuzz_dir/logs"
summary="$fuzz_dir/logs/summary.tsv"
printf 'target\tseconds\texecs\texec_per_s\tcorpus\tpeak_rss_mb\tresult\n' >"$summary"
failed=()
for target in "${targets[@]}"; do
    run_corpus="$fuzz_dir/corpus-run/$target"
    mkdir -p "$run_corpus"
    if [ -d "$fuzz_dir/corpus/$target" ]; then
        cp -n "$fuzz_dir/corpus/$target"/* "$run_corpus"/
    fi
    extra=()
    case $target in
    # The parser refuses blocks over 64 KiB: let inputs reach that size.
    recovery_block) extra+=(-max_len=66000) ;;
    esac
    log="$fuzz_dir/logs/$target.log"
    echo "== $target: ${seconds}s" >&2
    status=0
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    cargo fuzz run --sanitizer "$sanitizer" "$target" "$run_corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${extra[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    corpus_size=$(find "$run_corpus" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        result="FAILED (exit $status${artifact:+, artifact $artifact})"
        failed+=("$target")
        echo "$target failed; log: $log" >&2
        [ -n "$artifact" ] && echo "  reproduce: cargo fuzz run $target $artifact" >&2
        grep -m 5 -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|ALARM|out-of-memory' "$log" >&2 || true
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$seconds" "$(stat number_of_executed_units)" \
        "$(stat average_exec_per_sec)" "$corpus_size" "$(stat peak_rss_mb)" "$result" >>"$summary"
done

column -t -s $'\t' "$summary" 2>/dev/null || cat "$summary"
if [ ${#failed[@]} -gt 0 ]; then
    echo "findings in: ${failed[*]} (artifacts under fuzz/artifacts/)" >&2
    exit 1
fi
