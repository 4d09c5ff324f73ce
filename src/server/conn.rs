//! Connections: the accept loop with a cap on open connections, the threads that serve them (one
//! single-threaded runtime per core, connections handed out in turn), the deadlines of each
//! connection (its request heads, its idle keep-alive), JSON bodies for the errors hyper answers
//! on its own, and graceful shutdown.
//!
//! `axum::serve` has none of these knobs: it runs hyper without a timer (so no timeout ever
//! fires) and accepts until the process runs out of file descriptors. This loop is the same
//! hyper HTTP/1 server with them.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::{Instant, Sleep};

use super::{app, AppState};

/// The largest request head hyper reads (its read buffer), in bytes.
const MAX_HEAD_BYTES: usize = 96 * 1024;

/// Serves `state` on `listener` until `shutdown` completes, then stops accepting and lets the
/// open connections finish their requests in flight (at most a request timeout plus a header
/// timeout; what is still open then is dropped).
///
/// Bounds, all from `state.limits`:
/// - at most `max_connections` open: one more is accepted and closed at once, so the process
///   keeps file descriptors for the clients it serves and new ones get in as others leave;
/// - a request head (connection start or first byte of a later request, to the blank line) must
///   arrive within `header_timeout_secs`;
/// - a keep-alive connection waits at most `keep_alive_secs` for its next request;
/// - a request head is at most [`MAX_HEAD_BYTES`].
pub async fn serve_on(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let limits = state.limits;
    let header_timeout = Duration::from_secs(limits.header_timeout_secs);
    let mut http = http1::Builder::new();
    // hyper's own header timer runs from the moment a connection is idle to the end of the next
    // head: that is the keep-alive timeout. The tighter head deadline is `Guarded`'s.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.keep_alive_secs))
        .keep_alive(true)
        // A request head over this is refused (`431`). hyper checks the size only while a head is
        // incomplete: with its default (~400 KiB) a 500 KB header that arrived in one read was
        // sometimes served. A 64 KiB request target (`414` past it) still fits.
        .max_buf_size(MAX_HEAD_BYTES)
        // A response's head and body go out in one `writev`, the body not copied behind the head
        // (a search's is some 7 KiB). hyper's own error responses are a head alone: `Guarded`
        // still sees each whole, in one buffer.
        .writev(true);
    let router = app(state.clone());
    let mut workers = Workers::start(crate::config::cores())?;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut refused_log = Every::new(Duration::from_secs(10));
    let mut accept_error_log = Every::new(Duration::from_secs(10));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if accept_error_log.due() {
                        tracing::warn!(error = %e, "accept failed");
                    }
                    // Out of file descriptors (another process, or a limit below the cap): wait
                    // for some to be released instead of spinning on the error.
                    if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            drop(stream);
            state.metrics.connection_refused();
            if refused_log.due() {
                tracing::warn!(%peer, max_connections = limits.max_connections, "connection limit reached; closing new connections");
            }
            continue;
        };
        // Handed to a connection thread: its socket leaves this runtime's poller for that one's.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "cannot hand the connection over");
                continue;
            }
        };
        let (http, router) = (http.clone(), router.clone());
        let mut stopping = stopping.clone();
        let open_state = state.clone();
        workers.next().spawn(async move {
            let _permit = permit;
            let _open = open_state.metrics.connection_opened();
            let stream = match TcpStream::from_std(stream) {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::debug!(%peer, error = %e, "cannot register the connection");
                    return;
                }
            };
            // Responses are written whole (head and body in one `writev`): nothing to gain from Nagle's delay.
            let _ = stream.set_nodelay(true);
            let connection = http
                .serve_connection(TokioIo::new(Guarded::new(stream, header_timeout)), TowerToHyperService::new(router));
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Each connection holds a permit until it ends: all permits back means all connections done.
    let grace = Duration::from_secs(limits.request_timeout_secs + limits.header_timeout_secs);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(grace, permits.acquire_many(all)).await.is_err() {
        let open = limits.max_connections - permits.available_permits();
        tracing::warn!(open, "connections still open {} s after shutdown began; dropping them", grace.as_secs());
    }
    Ok(())
}

/// The connection threads: one single-threaded runtime per core, each running the connections
/// handed to it, in turn (as actix-web's workers do). On tokio's work-stealing runtime a request's
/// task often woke on one core and ran on the other: on this 2-core machine, with the load
/// generator beside, `/healthz` answered 10–25 % fewer requests per second (wrk, c=16), and fewer
/// than Meilisearch's `/health` (see the README). A search is bounded work (a few ms at worst), so
/// a connection waiting behind another's on its thread waits little.
struct Workers {
    handles: Vec<tokio::runtime::Handle>,
    /// Dropped with the workers: each thread's runtime then stops, dropping its connections.
    _stops: Vec<tokio::sync::oneshot::Sender<()>>,
    next: usize,
}

impl Workers {
    fn start(threads: usize) -> io::Result<Workers> {
        let mut handles = Vec::with_capacity(threads);
        let mut stops = Vec::with_capacity(threads);
        for i in 0..threads.max(1) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            handles.push(runtime.handle().clone());
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            stops.push(stop);
            std::thread::Builder::new().name(format!("talksearch-conn-{i}")).spawn(move || {
                runtime.block_on(async move {
                    let _ = stopped.await;
                });
            })?;
        }
        Ok(Workers { handles, _stops: stops, next: 0 })
    }

    /// The next thread's runtime, round robin: connections are spread evenly.
    fn next(&mut self) -> &tokio::runtime::Handle {
        self.next = (self.next + 1) % self.handles.len();
        &self.handles[self.next]
    }
}

/// A rate limit for a repeated warning: at most one per `period`.
struct Every {
    period: Duration,
    last: Option<Instant>,
}

impl Every {
    fn new(period: Duration) -> Every {
        Every { period, last: None }
    }

    fn due(&mut self) -> bool {
        let now = Instant::now();
        let due = self.last.is_none_or(|last| now.duration_since(last) >= self.period);
        if due {
            self.last = Some(now);
        }
        due
    }
}

/// Where a connection is in its request cycle, as far as its bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the first byte of a request (hyper's keep-alive timer runs).
    Idle,
    /// Reading a request head, which must be complete by the deadline. `content`: a byte other
    /// than CR or LF has come (blank lines before a request are allowed); `blank`: the current
    /// line has nothing in it yet.
    Head { content: bool, blank: bool },
    /// The head is complete; the request is being answered.
    Answering,
}

impl Phase {
    /// A connection's phase at its start: reading its first head.
    const START: Phase = Phase::Head { content: false, blank: true };

    /// The phase after `bytes` are read. A head ends at the first empty line (CRLF or bare LF).
    fn after(mut self, bytes: &[u8]) -> Phase {
        for &b in bytes {
            self = match (self, b) {
                (Phase::Answering, _) => return Phase::Answering,
                (Phase::Idle, b'\r' | b'\n') => Phase::Idle,
                (Phase::Idle, _) => Phase::Head { content: true, blank: false },
                (Phase::Head { content: true, blank: true }, b'\n') => Phase::Answering,
                (Phase::Head { content, .. }, b'\n') => Phase::Head { content, blank: true },
                (head @ Phase::Head { .. }, b'\r') => head,
                (Phase::Head { .. }, _) => Phase::Head { content: true, blank: false },
            };
        }
        self
    }
}

/// A client's TCP stream with the head deadline, and JSON bodies on hyper's own error responses.
///
/// hyper answers some bad requests itself, without calling the service: a malformed head (`400`),
/// a request target over 64 KiB (`414`), headers over its buffer or over 100 of them (`431`), an
/// unsupported version (`505`). It sends them with an empty body and offers no hook to change
/// that, so they are rewritten here, on their way out, into this API's `{"error": "…"}` form.
struct Guarded {
    inner: TcpStream,
    header_timeout: Duration,
    phase: Phase,
    /// When the head being read must be complete; polled only in [`Phase::Head`].
    deadline: Pin<Box<Sleep>>,
    /// A rewritten error response and how much of it is written.
    rewritten: Option<(Vec<u8>, usize)>,
}

impl Guarded {
    fn new(inner: TcpStream, header_timeout: Duration) -> Guarded {
        Guarded {
            inner,
            header_timeout,
            phase: Phase::START,
            deadline: Box::pin(tokio::time::sleep(header_timeout)),
            rewritten: None,
        }
    }

    /// Writes what is left of a rewritten response.
    fn poll_rewritten(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.rewritten {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
            if *written == bytes.len() {
                self.rewritten = None;
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Before a response's bytes: the rest of a rewritten one goes out first, and the next bytes
    /// read start a new request.
    fn poll_start_response(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_rewritten(cx))?;
        self.phase = Phase::Idle;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for Guarded {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if matches!(this.phase, Phase::Head { .. }) && this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request head did not arrive within the header timeout",
            )));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let was = this.phase;
        this.phase = was.after(&buf.filled()[before..]);
        if was == Phase::Idle && matches!(this.phase, Phase::Head { .. }) {
            // hyper reads again for the rest of the head, and that read polls the new deadline.
            this.deadline.as_mut().reset(Instant::now() + this.header_timeout);
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_start_response(cx))?;
        if let Some(json) = error_as_json(buf) {
            this.rewritten = Some((json, 0));
            if let Poll::Ready(Err(e)) = this.poll_rewritten(cx) {
                return Poll::Ready(Err(e));
            }
            // hyper's bytes are replaced; the rest of ours goes out on flush or shutdown.
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut full = bufs.iter().filter(|b| !b.is_empty());
        // A head alone may be one of hyper's error responses: written as `poll_write` writes it.
        if let (Some(only), None) = (full.next(), full.next()) {
            return self.poll_write(cx, only);
        }
        let this = self.get_mut();
        ready!(this.poll_start_response(cx))?;
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_rewritten(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_rewritten(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// hyper's own error response in `buf` (status 4xx or 5xx, `content-length: 0`, no content type,
/// nothing after the head) as the same response with a JSON body; `None` for anything else.
/// The service never sends such a response: every error it sends has a JSON body.
fn error_as_json(buf: &[u8]) -> Option<Vec<u8>> {
    if !buf.starts_with(b"HTTP/1.") || !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(&buf[..buf.len() - 4]).ok()?;
    if head.contains("\r\n\r\n") {
        return None;
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.get(9..12)?.parse().ok()?;
    if status < 400 {
        return None;
    }
    let headers: Vec<(&str, &str)> = lines.filter_map(|line| line.split_once(':')).collect();
    let is = |name: &str, wanted: &str| name.trim().eq_ignore_ascii_case(wanted);
    if headers.iter().any(|(name, _)| is(name, "content-type"))
        || !headers.iter().any(|(name, value)| is(name, "content-length") && value.trim() == "0")
    {
        return None;
    }
    let body = serde_json::json!({ "error": hyper_error_message(status) }).to_string();
    let mut out = format!("{status_line}\r\n");
    for (name, value) in headers {
        if !is(name, "content-length") && !is(name, "connection") {
            out.push_str(&format!("{name}:{value}\r\n"));
        }
    }
    out.push_str("content-type: application/json\r\n");
    out.push_str(&format!("content-length: {}\r\n", body.len()));
    out.push_str("connection: close\r\n");
    for (name, value) in super::SECURITY_HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

/// What each status hyper sends on its own means for the client.
fn hyper_error_message(status: u16) -> String {
    match status {
        400 => "the request is not valid HTTP/1.1".to_string(),
        414 => "the request target (path and query) is too long".to_string(),
        431 => "the request's headers are too large or too many".to_string(),
        505 => "only HTTP/1.0 and HTTP/1.1 are served".to_string(),
        _ => axum::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map_or_else(|| format!("error {status}"), str::to_lowercase),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_ends_at_the_first_empty_line() {
        let table: &[(&[u8], Phase)] = &[
            (b"", Phase::START),
            (b"GET / HTTP/1.1\r\nHost: x\r\n", Phase::Head { content: true, blank: true }),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Phase::Answering),
            (b"GET / HTTP/1.1\nHost: x\n\n", Phase::Answering),
            (b"GET / HTTP/1.1\r\n\r\nGET /next", Phase::Answering),
            // Blank lines before a request are not its end.
            (b"\r\n\r\n", Phase::START),
            (b"\r\n\r\nGET / HTTP/1.1\r\n", Phase::Head { content: true, blank: true }),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r", Phase::Head { content: true, blank: true }),
        ];
        for (bytes, phase) in table {
            assert_eq!(Phase::START.after(bytes), *phase, "{:?}", String::from_utf8_lossy(bytes));
        }
        // Split anywhere, the same.
        let whole = b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
        for cut in 0..whole.len() {
            assert_eq!(Phase::START.after(&whole[..cut]).after(&whole[cut..]), Phase::Answering, "cut at {cut}");
        }
        assert_eq!(Phase::Idle.after(b"\r\n"), Phase::Idle);
        assert_eq!(Phase::Idle.after(b"G"), Phase::Head { content: true, blank: false });
        assert_eq!(Phase::Answering.after(b"anything\r\n\r\n"), Phase::Answering);
    }

    #[test]
    fn hyper_errors_get_json_bodies_and_nothing_else_changes() {
        let hyper_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Sun, 30 Nov 2025 08:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(error_as_json(hyper_431).unwrap()).unwrap();
        let body = r#"{"error":"the request's headers are too large or too many"}"#;
        assert_eq!(
            out,
            format!(
                "HTTP/1.1 431 Request Header Fields Too Large\r\ndate: Sun, 30 Nov 2025 08:00:00 GMT\r\n\
                 content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\
                 x-content-type-options: nosniff\r\nreferrer-policy: no-referrer\r\n\r\n{body}",
                body.len()
            )
        );
        for untouched in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"{\"error\":\"x\"}",
        ] {
            assert_eq!(error_as_json(untouched), None, "{:?}", String::from_utf8_lossy(untouched));
        }
    }
}
