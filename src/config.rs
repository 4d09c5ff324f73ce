//! Resolved settings: paths, address and limits, validated once from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::index_dir::IndexDir;

/// The shipped default corpus, relative to the repository root.
pub const DEFAULT_DATA: &str = "data/corpus";
/// Where the index lives unless `--index` says otherwise.
pub const DEFAULT_INDEX: &str = "index";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Connections open at once unless `--max-connections` says otherwise: well below the usual
/// open-file limits, so accepting never fails for want of file descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Seconds a client has to send a request's head unless `--header-timeout` says otherwise.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// Seconds an idle keep-alive connection is kept unless `--keep-alive-timeout` says otherwise.
pub const DEFAULT_KEEP_ALIVE_SECS: u64 = 60;

/// Most hits one search returns (`limit`): the HTTP API and the command line refuse more, and the
/// engine clamps to it whoever calls it.
pub const MAX_LIMIT: usize = 100;
/// Most hits one search skips (`offset`), likewise.
pub const MAX_OFFSET: usize = 10_000;

/// The cores this process may use (1 when the system cannot tell): how many threads build an
/// index, how many segments a big generation ends as, how many threads read them.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Bounds on what one request may ask for and on the connections that carry requests. They are
/// part of the API and listed in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest `q` (and `company`, `event`, `lang`), in characters.
    pub max_query_chars: usize,
    /// Largest `limit`.
    pub max_limit: usize,
    /// Largest `offset`.
    pub max_offset: usize,
    /// Results per page when `limit` is not given.
    pub default_limit: usize,
    /// Largest `limit` of `/api/speakers`.
    pub max_speakers_limit: usize,
    /// Speakers per answer when `limit` is not given.
    pub default_speakers_limit: usize,
    /// Longest `text` of `/api/analyze`, in characters.
    pub max_analyze_chars: usize,
    /// Seconds before a request is answered with 503.
    pub request_timeout_secs: u64,
    /// Requests served at once; more are shed with 503 and `Retry-After`.
    pub max_in_flight: usize,
    /// Seconds a client has to send a whole request head, counted from the connection's start or
    /// from the first byte of a later request; then the connection is closed.
    pub header_timeout_secs: u64,
    /// Seconds a keep-alive connection may wait for its next request (head included); then it is closed.
    pub keep_alive_secs: u64,
    /// Connections open at once; more are closed as soon as they are accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_query_chars: 500,
            max_limit: MAX_LIMIT,
            max_offset: MAX_OFFSET,
            default_limit: 10,
            max_speakers_limit: 1000,
            default_speakers_limit: 50,
            max_analyze_chars: 5000,
            request_timeout_secs: 10,
            max_in_flight: 256,
            header_timeout_secs: DEFAULT_HEADER_TIMEOUT_SECS,
            keep_alive_secs: DEFAULT_KEEP_ALIVE_SECS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Everything a command needs to know, resolved from flags.
#[derive(Debug, Clone)]
pub struct Settings {
    pub index_dir: IndexDir,
    /// Files or folders to read talks from.
    pub data: Vec<PathBuf>,
    pub addr: SocketAddr,
    pub limits: Limits,
    /// Origins allowed to call the API from browsers on other sites (CORS); empty: CORS off.
    pub cors_origins: Vec<axum::http::HeaderValue>,
}

impl Settings {
    /// Settings from optional flag values, with defaults filled in.
    pub fn new(index_dir: Option<PathBuf>, data: Vec<PathBuf>, addr: Option<SocketAddr>) -> Settings {
        Settings {
            index_dir: IndexDir::new(index_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX))),
            data: if data.is_empty() { vec![PathBuf::from(DEFAULT_DATA)] } else { data },
            addr: addr.unwrap_or_else(|| DEFAULT_ADDR.parse().expect("the default address parses")),
            limits: Limits::default(),
            cors_origins: Vec::new(),
        }
    }
}
