//! Fuzz target: query-string handling. Arbitrary bytes as the raw query string of `/api/search`,
//! `/api/speakers` and `/api/analyze` → `params::search_request`, `params::speakers_query`,
//! `params::analyze_text`: each must give a request within bounds or a 400, and a valid search
//! request must search without error on an index of tests/data. Checks: `checks::query_string`.
//!
//! Run (from the repository root; stable toolchain, nightly flags unlocked by RUSTC_BOOTSTRAP):
//!   fuzz/seed.sh    # seed corpora from tests/data and benches/queries/default.txt
//!   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none query_string corpus/query_string -- -max_total_time=240 -max_len=4096 -timeout=10
//! A crash is saved in fuzz/artifacts/query_string/; minimize it with
//! `cargo fuzz tmin -s none query_string <file>` and copy it to tests/data/fuzz/query_string/, where
//! `cargo test fuzz_regressions` replays it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A URI's query is a &str by the time a handler sees it; invalid UTF-8 in the raw bytes still
    // reaches the decoder as U+FFFD here, and as %-escapes (which it must reject) in real requests.
    let raw = String::from_utf8_lossy(data);
    talksearch_fuzz::checks::query_string(&raw, Some(talksearch_fuzz::engine()));
});
