//! The integration test binary: one binary, one shared jieba dictionary, topic files below.

mod util;

mod bench;
mod browser;
mod companies;
mod corpus;
mod explore;
mod fuzz_regressions;
mod http;
mod indexing;
mod openapi;
mod ops;
mod relevance;
mod schedules;
mod search;
