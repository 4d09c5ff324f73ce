//! The `talksearch` binary: parse the command line, start logging, run the command, map errors to an exit code.
//!
//! The command line lives here, on top of the `talksearch` library: the clap definitions and their
//! dispatch ([`cli`]), the commands behind them ([`commands`]), and the tools for measuring and
//! feeding the search: the latency benchmark ([`mod@bench`]), generated corpora and query mixes
//! ([`gen`]) and relevance evaluation on judged query sets ([`eval`]).

mod bench;
mod cli;
mod commands;
mod eval;
mod gen;

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command};

/// mimalloc rather than glibc's allocator: a search makes many small, short-lived allocations
/// (query terms, stored documents, snippets), and glibc's malloc and free were ~12 % of a search's
/// time under load (perf, HTTP at concurrency 16).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve { .. }) {
        restore_sigpipe();
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn"));
    // Log lines are written by a background thread, so a request never waits on stderr; the guard
    // flushes what is left when `main` returns.
    let (writer, _flush) = tracing_appender::non_blocking(std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal());
    if cli.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
    match cli.run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes, `: `-separated, each said once: our errors already quote their source
/// (`index: No space left on device`), so a cause the message holds is not repeated.
fn chain(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// Lets `talksearch search … | head` end quietly: Rust ignores SIGPIPE, so printing to a closed pipe
/// would panic. Not for `serve`, where a client hanging up must never end the process.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called at start-up before any thread exists; resets one signal to its default action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("index: {0}")]
    struct Quoting(#[source] std::io::Error);

    #[test]
    fn causes_the_message_already_says_are_said_once() {
        let e = anyhow::Error::new(Quoting(std::io::Error::other("No space left on device")))
            .context("indexing data into idx");
        assert_eq!(super::chain(&e), "indexing data into idx: index: No space left on device");
        let e = anyhow::Error::new(std::io::Error::other("denied")).context("reading x");
        assert_eq!(super::chain(&e), "reading x: denied");
    }
}
