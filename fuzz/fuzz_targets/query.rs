//! Fuzz target: the query parser and builder. Arbitrary UTF-8 → `tokenizer::tokens`,
//! `query::parse`, `query::positive_terms`, `query::build` in every mode with and without filters,
//! then (up to the API's 500 characters) `Engine::search` on an index of tests/data. Checks:
//! `checks::query`.
//!
//! Run (from the repository root; stable toolchain, nightly flags unlocked by RUSTC_BOOTSTRAP):
//!   fuzz/seed.sh    # seed corpora from tests/data and benches/queries/default.txt
//!   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none query corpus/query -- -max_total_time=240 -max_len=2048 -timeout=10
//! A crash is saved in fuzz/artifacts/query/; minimize it with `cargo fuzz tmin -s none query <file>`
//! and copy it to tests/data/fuzz/query/, where `cargo test fuzz_regressions` replays it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The query is text: the HTTP layer has already rejected invalid UTF-8.
    if let Ok(q) = std::str::from_utf8(data) {
        talksearch_fuzz::checks::query(q, talksearch_fuzz::fields(), Some(talksearch_fuzz::engine()));
    }
});
