//! Fuzz target `import_freeotp2`: its body is `tessera_fuzz::import_freeotp2` (fuzz/src/lib.rs),
//! shared with the seed test. Built without cargo-fuzz (as `cargo test`
//! does), it replays the files and folders named on its command line.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::import_freeotp2(data));

#[cfg(not(fuzzing))]
fn main() {
    tessera_fuzz::replay(tessera_fuzz::import_freeotp2);
}
