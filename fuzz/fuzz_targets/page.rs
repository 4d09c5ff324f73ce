//! Fuzz target: the page parser. Arbitrary bytes → `ingest::parse_bytes` as a Markdown page and as
//! a pyvideo talk record; every talk accepted must make an index document. Checks: `checks::page`.
//!
//! Run (from the repository root; stable toolchain, nightly flags unlocked by RUSTC_BOOTSTRAP):
//!   fuzz/seed.sh    # seed corpora from tests/data and benches/queries/default.txt
//!   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none page corpus/page -- -max_total_time=240 -max_len=65536 -timeout=10
//! A crash is saved in fuzz/artifacts/page/; minimize it with `cargo fuzz tmin -s none page <file>`
//! and copy it to tests/data/fuzz/page/, where `cargo test fuzz_regressions` replays it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    talksearch_fuzz::checks::page(data, talksearch_fuzz::fields());
});
