//! Running as a service: metrics, readiness, load shedding, CORS, live re-indexing under load.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use indicatif::ProgressBar;

use talksearch::config::Limits;
use talksearch::server::{app, AppState};
use talksearch::{indexer, ingest, Engine};

use crate::util::{seed, seed_page, send, test_data};

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let state = seed();
    send(state.clone(), get("/api/search?q=Istio")).await;
    send(state.clone(), get("/api/search?limit=0")).await;
    let (status, headers, body) = send(state.clone(), get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(body.contains("talksearch_http_requests_total{route=\"/api/search\",status=\"200\"}"), "{body}");
    assert!(body.contains("talksearch_http_requests_total{route=\"/api/search\",status=\"400\"}"), "{body}");
    assert!(body
        .contains("talksearch_http_request_duration_seconds_bucket{route=\"/api/search\",status=\"200\",le=\"0.01\"}"));
    assert!(body.contains("talksearch_talks_indexed 9"), "{body}");
    assert!(body.contains("talksearch_index_generation 1"), "{body}");
}

#[tokio::test]
async fn readiness_reports_the_generation() {
    let (status, _, body) = send(seed(), get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ready");
    assert_eq!(json["index"]["generation"], "gen-000001");
    assert_eq!(json["index"]["talks"], 9);
}

#[tokio::test]
async fn overload_is_shed_with_503_and_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let limits = Limits { max_in_flight: 0, ..Limits::default() };
    let state = Arc::new(AppState::new(Engine::open(dir.path()).unwrap(), limits));
    let (status, headers, body) = send(state.clone(), get("/api/search?q=Istio")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(body, r#"{"error":"the server is busy; retry shortly"}"#);
    let (status, _, _) = send(state, get("/healthz")).await;
    assert_eq!(status, StatusCode::OK, "operations routes are never shed");
}

#[tokio::test]
async fn cors_is_off_unless_configured() {
    let request = || Request::get("/healthz").header("origin", "https://example.org").body(Body::empty()).unwrap();
    let (_, headers, _) = send(seed(), request()).await;
    assert!(!headers.contains_key("access-control-allow-origin"));
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let mut state = AppState::new(Engine::open(dir.path()).unwrap(), Limits::default());
    state.cors_origins = vec!["https://example.org".parse().unwrap()];
    let (_, headers, _) = send(Arc::new(state), request()).await;
    assert_eq!(headers["access-control-allow-origin"], "https://example.org");
}

fn build(dir: &std::path::Path, paths: &[std::path::PathBuf]) -> usize {
    let ingested = ingest::read_paths(paths, |_, _| {}).unwrap();
    indexer::build(dir, &ingested.talks, &ProgressBar::hidden()).unwrap();
    ingested.talks.len()
}

#[test]
fn a_rebuilt_generation_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let engine = Engine::open(dir.path()).unwrap();
    assert!(!engine.reload_if_changed().unwrap(), "nothing changed yet");
    let more = build(dir.path(), &[seed_page(), test_data().join("pages/sofastack-sofa-meetup-5.md")]);
    assert!(engine.reload_if_changed().unwrap());
    assert_eq!(engine.num_talks() as usize, more);
    assert_eq!(engine.status().generation, "gen-000002");
}

/// Steady search load over loopback while the index is rebuilt three times: no request fails,
/// and the talks of the last build become findable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindexing_under_load_drops_no_request() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let state = Arc::new(AppState::new(Engine::open(dir.path()).unwrap(), Limits::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server_state = state.clone();
    let server = tokio::spawn(async move { axum::serve(listener, app(server_state)).await });
    let reloader_state = state.clone();
    let reloader = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let s = reloader_state.clone();
            tokio::task::spawn_blocking(move || s.engine.reload_if_changed().unwrap()).await.unwrap();
        }
    });

    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (done, ok, failed) = (done.clone(), ok.clone(), failed.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            // Bounded: at most 2000 requests per client, stopping when the rebuilds are over.
            for _ in 0..2000 {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                match client.get(format!("http://{addr}/api/search?q=Istio")).send().await {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    let index_dir = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(100));
            build(&index_dir, &[seed_page(), test_data().join("pages/sofastack-sofa-meetup-5.md")]);
        }
        std::thread::sleep(Duration::from_millis(200));
    })
    .await
    .unwrap();
    done.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    reloader.abort();
    server.abort();
    assert_eq!(failed.load(Ordering::Relaxed), 0, "{} requests succeeded", ok.load(Ordering::Relaxed));
    assert!(ok.load(Ordering::Relaxed) > 50);
    assert_eq!(state.engine.status().generation, "gen-000004");
    let res = state.engine.search(&talksearch::SearchRequest {
        q: "Confidential Computing".into(),
        limit: 5,
        ..Default::default()
    });
    assert!(res.unwrap().total > 0, "talks of the new generation are findable");
}

/// Starts `talksearch serve --index index --addr 127.0.0.1:port` with `extra` arguments, its log
/// discarded.
fn serve(index: &std::path::Path, port: u16, extra: &[&std::ffi::OsStr]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["serve", "--index"])
        .arg(index)
        .args(extra)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// A free loopback port (bound, then released for the child to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Two `talksearch serve` processes on one index directory both answer, and both pick up a rebuild.
#[tokio::test]
async fn two_server_processes_share_one_index() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let ports = [free_port(), free_port()];
    let mut children: Vec<std::process::Child> = ports.iter().map(|&port| serve(dir.path(), port, &[])).collect();
    let client = reqwest::Client::new();
    let talks = |port: u16| {
        let client = client.clone();
        async move {
            // Bounded wait for start-up: at most 100 tries, 100 ms apart.
            for _ in 0..100 {
                if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await {
                    return r.json::<serde_json::Value>().await.unwrap()["talks"].as_u64().unwrap();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("server on port {port} did not start");
        }
    };
    assert_eq!((talks(ports[0]).await, talks(ports[1]).await), (9, 9));
    build(dir.path(), &[seed_page(), test_data().join("pages/sofastack-sofa-meetup-5.md")]);
    let mut reloaded = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if talks(ports[0]).await > 9 && talks(ports[1]).await > 9 {
            reloaded = true;
            break;
        }
    }
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(reloaded, "both servers serve the new generation within 5 s");
}

/// SIGTERM stops `talksearch serve` cleanly: it finishes the requests in flight, then exits 0.
#[tokio::test]
async fn sigterm_shuts_the_server_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["serve", "--index"])
        .arg(dir.path())
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/search?q=Istio");
    let mut up = false;
    for _ in 0..100 {
        if client.get(&url).send().await.is_ok_and(|r| r.status() == 200) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server started");
    // Requests in flight when the signal comes are answered. Each uses a fresh connection: an idle
    // keep-alive connection is closed at shutdown, and a request racing onto one fails in any server.
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let requests: Vec<_> = (0..20).map(|_| tokio::spawn(fresh.get(&url).send())).collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    for r in requests {
        match r.await.unwrap() {
            Ok(response) => assert_eq!(response.status(), 200),
            // Not connected yet when the listener closed: refused, which a client can retry elsewhere.
            Err(e) if e.is_connect() => {}
            Err(e) => panic!("a request in flight was cut: {e}"),
        }
    }
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("the server did not stop within 5 s of SIGTERM")
    });
    assert!(status.success(), "{status}");
    let mut log = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(log.contains("shut down"), "{log}");
}

/// Starts `talksearch serve` on `index` from the folder `cwd` (where a relative `data/corpus` would
/// be found) and waits for it to stop, at most 60 s. Returns the exit code and the `error:` line of
/// its stderr, or `None` for the code when it was still serving (it is then killed).
fn serve_exit(index: &std::path::Path, cwd: &std::path::Path) -> (Option<i32>, String) {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(index)
        .current_dir(cwd)
        .env("RUST_LOG", "warn")
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut code = None;
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            code = Some(status.code());
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if code.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let stderr = std::fs::read_to_string(log.path()).unwrap();
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_default().to_string();
    (code.flatten(), error)
}

/// Every name under `dir` with the size and the first bytes of each file: what a server must not change.
fn snapshot(dir: &std::path::Path) -> Vec<(String, u64, Vec<u8>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let bytes = if e.file_type().is_file() { std::fs::read(e.path()).unwrap() } else { Vec::new() };
            let name = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (name, bytes.len() as u64, bytes.into_iter().take(64).collect())
        })
        .collect();
    out.sort();
    out
}

/// A working folder with `data/corpus` in it, as `serve` would find (and, before, rebuild from).
fn folder_with_default_data() -> tempfile::TempDir {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cwd.path().join("data/corpus")).unwrap();
    std::fs::copy(seed_page(), cwd.path().join("data/corpus/seed.md")).unwrap();
    cwd
}

fn rebuild_hint(index: &std::path::Path) -> String {
    format!("rebuild it with `talksearch index --full --data PATH --index {}`", index.display())
}

/// `serve` on `index`, run from `cwd`, exits 1 saying `the index in INDEX {problem}` with the
/// rebuild hint, and leaves the index folder exactly as it was.
fn assert_serve_refuses(index: &std::path::Path, cwd: &std::path::Path, problem: &str) {
    let before = snapshot(index);
    let (code, error) = serve_exit(index, cwd);
    let expected = format!("error: cannot serve: the index in {} {problem}; {}", index.display(), rebuild_hint(index));
    assert_eq!((code, error), (Some(1), expected), "{problem}");
    assert!(snapshot(index) == before, "{problem}: the server changed the index folder");
}

#[test]
fn serve_refuses_an_index_it_cannot_read_and_changes_nothing() {
    let cwd = folder_with_default_data();
    type Damage = fn(&std::path::Path);
    let cases: [(Damage, &str); 4] = [
        (
            |dir| std::fs::write(dir.join("gen-000002/meta.json"), "{ not json").unwrap(),
            "gen-000002/meta.json is not valid JSON",
        ),
        (
            |dir| std::fs::write(dir.join("CURRENT"), "gen-000007\n").unwrap(),
            "CURRENT names gen-000007, which does not exist",
        ),
        (|dir| std::fs::write(dir.join("CURRENT"), "").unwrap(), "CURRENT is empty"),
        (
            |dir| std::fs::rename(dir.join("CURRENT"), dir.join("CURRENT.old")).unwrap(),
            "there is no CURRENT file, but there are generations (gen-000001, gen-000002)",
        ),
    ];
    for (damage, what) in cases {
        let index = tempfile::tempdir().unwrap();
        build(index.path(), &[seed_page()]);
        build(index.path(), &[seed_page(), test_data().join("pages/sofastack-sofa-meetup-5.md")]);
        damage(index.path());
        assert_serve_refuses(index.path(), cwd.path(), &format!("is damaged: {what}"));
    }
}

#[test]
fn serve_refuses_an_intact_index_of_another_schema() {
    let cwd = folder_with_default_data();
    let index = tempfile::tempdir().unwrap();
    let generation = index.path().join("gen-000001");
    std::fs::create_dir(&generation).unwrap();
    let mut schema = tantivy::schema::Schema::builder();
    let title = schema.add_text_field("title", tantivy::schema::TEXT | tantivy::schema::STORED);
    let old = tantivy::Index::create_in_dir(&generation, schema.build()).unwrap();
    let mut writer: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
    writer.add_document(tantivy::doc!(title => "an old talk")).unwrap();
    writer.commit().unwrap();
    drop(writer);
    std::fs::write(generation.join("speakers.json"), "[]").unwrap();
    std::fs::write(index.path().join("CURRENT"), "gen-000001\n").unwrap();
    let problem = "(gen-000001) was built by an incompatible version of talksearch";
    assert_serve_refuses(index.path(), cwd.path(), problem);
}

#[test]
fn serve_without_an_index_and_without_data_says_the_data_folder_is_missing() {
    let cwd = tempfile::tempdir().unwrap();
    let index = cwd.path().join("index");
    let (code, error) = serve_exit(&index, cwd.path());
    let expected = format!(
        "error: there is no index in {} yet, and the data folder data/corpus to build it from does not exist (give --data PATH)",
        index.display()
    );
    assert_eq!((code, error), (Some(1), expected));
    assert!(!index.join("CURRENT").exists());
}

/// The first file of a generation with this extension (`store`, `fast` …).
fn segment_file(generation: &std::path::Path, ext: &str) -> std::path::PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files.into_iter().next().unwrap_or_else(|| panic!("no .{ext} file in {}", generation.display()))
}

/// Overwrites bytes in the first half of `path` in place, every 97 bytes, as a disk or a stray
/// script would: tantivy's footer at the end stays whole, so the file still opens.
fn spray(path: &std::path::Path) {
    use std::os::unix::fs::FileExt;
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    let len = file.metadata().unwrap().len();
    for offset in (0..len / 2).step_by(97) {
        file.write_at(b"\xde\xad", offset).unwrap();
    }
}

#[test]
fn serve_refuses_a_generation_with_damaged_files() {
    let cwd = folder_with_default_data();
    let cases: [(&str, &str); 4] = [
        ("fast", "fails its checksum"),
        ("store", "fails its checksum"),
        ("term", "fails its checksum"),
        ("pos", "is missing"),
    ];
    for (ext, what) in cases {
        let index = tempfile::tempdir().unwrap();
        build(index.path(), &[seed_page()]);
        let file = segment_file(&index.path().join("gen-000001"), ext);
        match ext {
            // Overwritten with zeros up to tantivy's footer (the last ~100 bytes), which stays whole.
            "fast" => {
                use std::os::unix::fs::FileExt;
                let len = std::fs::metadata(&file).unwrap().len();
                let zeros = vec![0u8; len.saturating_sub(120) as usize];
                std::fs::OpenOptions::new().write(true).open(&file).unwrap().write_at(&zeros, 0).unwrap();
            }
            "pos" => std::fs::remove_file(&file).unwrap(),
            _ => spray(&file),
        }
        let name = file.file_name().unwrap().to_string_lossy();
        assert_serve_refuses(index.path(), cwd.path(), &format!("is damaged: gen-000001/{name} {what}"));
    }
}

#[test]
fn a_running_server_refuses_a_damaged_generation_and_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[seed_page()]);
    let engine = Engine::open(dir.path()).unwrap();
    build(dir.path(), &[seed_page(), test_data().join("pages/sofastack-sofa-meetup-5.md")]);
    let store = segment_file(&dir.path().join("gen-000002"), "store");
    spray(&store);
    let error = engine.reload_if_changed().unwrap_err().to_string();
    let name = store.file_name().unwrap().to_string_lossy();
    assert_eq!(
        error,
        format!(
            "the index in {} is damaged: gen-000002/{name} fails its checksum; {}",
            dir.path().display(),
            rebuild_hint(dir.path())
        )
    );
    assert_eq!(engine.status().generation, "gen-000001");
    assert_eq!(engine.num_talks(), 9);
    let res = engine.search(&talksearch::SearchRequest { q: "Istio".into(), limit: 10, ..Default::default() });
    assert_eq!(res.unwrap().total, 3);
    assert!(!engine.reload_if_changed().unwrap(), "refused once, not again every half second");
    // The next good generation is taken.
    build(dir.path(), &[seed_page(), test_data().join("pages/sofastack-sofa-meetup-5.md")]);
    assert!(engine.reload_if_changed().unwrap());
    assert_eq!(engine.status().generation, "gen-000003");
}

/// Two servers started together on a fresh folder: one builds the index, the other waits for that
/// build and serves it; one generation is made.
#[tokio::test]
async fn servers_started_together_on_a_fresh_folder_build_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let ports = [free_port(), free_port()];
    let data = seed_page();
    let mut children: Vec<std::process::Child> =
        ports.iter().map(|&port| serve(&index, port, &["--data".as_ref(), data.as_os_str()])).collect();
    let client = reqwest::Client::new();
    let mut generations = Vec::new();
    for port in ports {
        // Bounded wait for start-up: at most 300 tries, 100 ms apart.
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await {
                generations.push(r.json::<serde_json::Value>().await.unwrap()["index"]["generation"].clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(generations, ["gen-000001", "gen-000001"]);
    let mut names: Vec<String> =
        std::fs::read_dir(&index).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["CURRENT", "LOCK", "gen-000001"]);
}
