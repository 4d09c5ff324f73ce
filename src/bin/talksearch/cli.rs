//! The command line: clap definitions and the dispatch to each command.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use talksearch::config::{self, Settings};
use talksearch::index_dir::IndexDir;
use talksearch::ingest::schedule::when::Zone;
use talksearch::search::query::parse_years;
use talksearch::search::Filters;

use crate::commands;

/// Search conference talks in Chinese and English.
#[derive(Debug, Parser)]
#[command(name = "talksearch", version, about)]
pub struct Cli {
    /// Write logs as JSON lines instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build (or rebuild) the index from Markdown pages, pyvideo records and conference schedules
    /// (frab XML/JSON, pretalx, Sessionize, talks as JSON lines or CSV: recognised by content).
    Index {
        /// A file or folder to read (folders recursively); repeat for several. Default: data/corpus.
        #[arg(long = "data", value_name = "PATH")]
        data: Vec<PathBuf>,
        /// Re-read every file instead of only those that changed since the current index.
        #[arg(long)]
        full: bool,
        /// Read JSON/YAML/CSV exports no reader knows with this mapping (see the README).
        #[arg(long, value_name = "MAP.toml")]
        map: Option<PathBuf>,
        /// The time zone of schedules whose times carry none (Sessionize): Europe/Vienna, +08:00 ….
        #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
        timezone: Option<Zone>,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Write every talk of the index to standard output, in the documented talk format.
    Export {
        #[command(flatten)]
        index: IndexArg,
        /// The output format: jsonl (one talk's JSON a line, which `index` reads back).
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
    },
    /// Serve the HTTP API; builds the index from --data first when there is none.
    Serve {
        #[command(flatten)]
        index: IndexArg,
        /// Where to read talks from when the index has to be built. Default: data/corpus.
        #[arg(long = "data", value_name = "PATH")]
        data: Vec<PathBuf>,
        /// Address to listen on (loopback unless told otherwise).
        #[arg(long, value_name = "HOST:PORT", env = "TALKSEARCH_ADDR", default_value = config::DEFAULT_ADDR)]
        addr: Option<SocketAddr>,
        /// Allow browsers on this origin (e.g. https://example.org) to call the API; repeatable.
        /// CORS is off unless given.
        #[arg(long = "cors-origin", value_name = "ORIGIN")]
        cors_origins: Vec<axum::http::HeaderValue>,
        /// Connections open at once; more are closed as soon as they are accepted. Lowered to fit
        /// the open-file limit when that is smaller.
        #[arg(long, value_name = "N", default_value_t = config::DEFAULT_MAX_CONNECTIONS, value_parser = connection_cap)]
        max_connections: usize,
        /// Seconds a client has to send a request's head (method, path and headers).
        #[arg(long, value_name = "SECS", default_value_t = config::DEFAULT_HEADER_TIMEOUT_SECS,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        header_timeout: u64,
        /// Seconds an idle keep-alive connection is kept open for its next request.
        #[arg(long, value_name = "SECS", default_value_t = config::DEFAULT_KEEP_ALIVE_SECS,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        keep_alive_timeout: u64,
    },
    /// Search from the terminal.
    Search {
        /// The query: words, "exact phrases", -exclusions.
        query: String,
        /// How many hits to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// How many hits to skip first, to page through the results.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Only talks with a speaker from this company, in any alias (Tencent, 腾讯, 腾讯云 …).
        #[arg(long)]
        company: Option<String>,
        /// Only talks of this event (exact title).
        #[arg(long)]
        event: Option<String>,
        /// Only talks of this year, or a range like 2020..2022.
        #[arg(long, value_parser = parse_years)]
        year: Option<(u64, u64)>,
        /// Only talks in this language (zh, en …).
        #[arg(long)]
        lang: Option<String>,
        /// Print the JSON response instead of a listing.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// List speakers, by company (any alias) and/or name.
    Speakers {
        /// A company in any alias: Tencent, 腾讯, 腾讯云 … (subsidiaries included).
        #[arg(long)]
        company: Option<String>,
        /// Part of a speaker's name.
        #[arg(long)]
        name: Option<String>,
        /// How many speakers to list (most talks first).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON instead of a listing.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Measure query latency in-process or against a running server, with the floor beside it.
    Bench(crate::bench::BenchArgs),
    /// Write a larger synthetic corpus, or benchmark queries, drawn deterministically from a real one.
    Gen(crate::gen::GenArgs),
    /// Measure search quality on a judged query set: success@1/@10, MRR and nDCG@10 per query kind.
    Eval(crate::eval::EvalArgs),
}

/// `--index DIR`, shared by every command that reads or writes an index.
#[derive(Debug, clap::Args)]
pub struct IndexArg {
    /// The index directory.
    #[arg(long = "index", value_name = "DIR", env = "TALKSEARCH_INDEX", default_value = config::DEFAULT_INDEX)]
    pub dir: Option<PathBuf>,
}

impl IndexArg {
    /// The index folder, the default one when the flag is absent.
    pub fn index_dir(&self) -> IndexDir {
        IndexDir::new(self.dir.clone().unwrap_or_else(|| PathBuf::from(config::DEFAULT_INDEX)))
    }
}

/// Formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
}

/// `--timezone`: an IANA name or an offset.
fn parse_zone(s: &str) -> Result<Zone, String> {
    Zone::parse(s).ok_or_else(|| format!("{s:?} is not a time zone (Europe/Vienna, Asia/Shanghai, +08:00 …)"))
}

/// `--max-connections`: 1 to a million.
fn connection_cap(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of connections between 1 and 1000000")),
    }
}

impl Cli {
    /// Runs the chosen command.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Index { data, full, map, timezone, index } => {
                let settings = Settings::new(index.dir, data, None);
                if map.is_none() && timezone.is_none() {
                    return commands::index(&settings, full);
                }
                commands::index_with(&settings, full, map.as_deref(), timezone)
            }
            Command::Export { index, format: ExportFormat::Jsonl } => commands::export(&index.index_dir()),
            Command::Serve { index, data, addr, cors_origins, max_connections, header_timeout, keep_alive_timeout } => {
                let mut settings = Settings::new(index.dir, data, addr);
                settings.cors_origins = cors_origins;
                settings.limits.max_connections = max_connections;
                settings.limits.header_timeout_secs = header_timeout;
                settings.limits.keep_alive_secs = keep_alive_timeout;
                commands::serve(&settings)
            }
            Command::Speakers { company, name, limit, json, index } => {
                commands::speakers(&index.index_dir(), company.as_deref(), name.as_deref(), limit, json)
            }
            Command::Search { query, limit, offset, company, event, year, lang, json, index } => {
                let filters = Filters { company, event, years: year, lang };
                commands::search(&index.index_dir(), &query, limit, offset, filters, json)
            }
            Command::Bench(args) => crate::bench::run(args),
            Command::Gen(args) => crate::gen::run(args),
            Command::Eval(args) => crate::eval::run(args),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(parse_years("2022"), Ok((2022, 2022)));
        assert_eq!(parse_years("2020..2022"), Ok((2020, 2022)));
        assert!(parse_years("2022..2020").is_err());
        assert!(parse_years("twenty").is_err());
        assert!(parse_years("99999999999999999999").is_err());
    }

    #[test]
    fn the_cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
