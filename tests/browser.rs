//! The search page in a real browser: headless Chromium, driven by playwright-core
//! (`tests/browser/drive.mjs`), against the real server on loopback.
//!
//! One browser runs every scenario once (a fresh context each) the first time a test asks; each
//! test below then checks its own scenario's result. Without Chromium, Node or `npm ci` in
//! tests/browser the tests print `skipped: …` and pass, except when `TALKSEARCH_BROWSER_REQUIRED`
//! is set (`.ci/run` installs them and sets it), where their absence is a failure.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use talksearch::server::app;

use crate::util::{build_state, seed_page};

/// The whole browser run may take this long before it is stopped.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Starts the real server on 127.0.0.1:0 over the seed page plus a page of markup-laden talks
/// (`tests/browser/fixtures/escaping`), on its own runtime for the life of the process.
fn server() -> String {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let fixtures = browser_dir().join("fixtures");
        let state = build_state(&[seed_page(), fixtures.join("escaping"), fixtures.join("recap")]);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
                tx.send(listener.local_addr().expect("an address")).expect("the test waits");
                axum::serve(listener, app(state)).await.expect("the server runs");
            });
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).expect("the server starts");
        format!("http://{addr}")
    })
    .clone()
}

/// What is missing to run the browser, if anything.
fn missing() -> Option<String> {
    let chromium = chromium();
    if !chromium.is_file() {
        return Some("chromium not found".into());
    }
    if Command::new("node").arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        return Some("node not found".into());
    }
    if !browser_dir().join("node_modules/playwright-core/package.json").is_file() {
        return Some("playwright-core not installed (run `npm ci` in tests/browser)".into());
    }
    None
}

fn chromium() -> PathBuf {
    std::env::var_os("TALKSEARCH_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// `TALKSEARCH_SCREENSHOT=docs/screenshot.png cargo test --test tests browser` refreshes the
/// README's screenshot; a relative path is taken from the crate root.
fn screenshot() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("TALKSEARCH_SCREENSHOT")?);
    Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
}

/// Scenario name → `Ok(())` or what failed; `None` when the browser cannot run here.
fn results() -> Option<&'static HashMap<String, Result<(), String>>> {
    static RESULTS: OnceLock<Option<HashMap<String, Result<(), String>>>> = OnceLock::new();
    RESULTS
        .get_or_init(|| {
            if let Some(what) = missing() {
                assert!(
                    std::env::var_os("TALKSEARCH_BROWSER_REQUIRED").is_none(),
                    "{what}, but TALKSEARCH_BROWSER_REQUIRED is set (.ci/run installs it)"
                );
                eprintln!("skipped: {what}");
                return None;
            }
            Some(run_browser(&server()))
        })
        .as_ref()
}

/// Runs every scenario in one Chromium and reads their `RESULT` lines.
fn run_browser(base: &str) -> HashMap<String, Result<(), String>> {
    let mut child = Command::new("node")
        .arg("drive.mjs")
        .arg(base)
        .current_dir(browser_dir())
        .env("CHROMIUM", chromium())
        .envs(screenshot().map(|path| ("TALKSEARCH_SCREENSHOT", path)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    // Read both pipes on threads so a chatty child never blocks on a full pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited on") {
            break Some(status);
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    eprintln!("browser run: {:.1} s", started.elapsed().as_secs_f64());
    let mut out = HashMap::new();
    for line in stdout.lines() {
        let mut parts = line.splitn(5, ' ');
        if parts.next() != Some("RESULT") {
            continue;
        }
        let (Some(name), Some(verdict), Some(_ms)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let result = match verdict {
            "ok" => Ok(()),
            _ => Err(parts
                .next()
                .and_then(|m| serde_json::from_str::<String>(m).ok())
                .unwrap_or_else(|| line.to_string())),
        };
        out.insert(name.to_string(), result);
    }
    if out.is_empty() {
        panic!(
            "the browser run reported nothing ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
            status.map_or("timed out".to_string(), |s| s.to_string())
        );
    }
    out
}

/// Passes when `scenario` passed in the browser (or the browser cannot run here).
fn check(scenario: &str) {
    let Some(results) = results() else { return };
    match results.get(scenario) {
        Some(Ok(())) => {}
        Some(Err(why)) => panic!("browser scenario {scenario} failed:\n{why}"),
        None => panic!("browser scenario {scenario} did not run (the run stopped early?)"),
    }
}

#[test]
fn typing_searches_and_highlights_then_keys_open_a_talk() {
    check("search_as_you_type");
}

#[test]
fn the_company_facet_filters_to_tencent_talks() {
    check("company_facet");
}

#[test]
fn the_speakers_view_lists_intel_speakers() {
    check("speakers_by_company");
}

#[test]
fn a_shared_url_shows_its_results() {
    check("shared_url");
}

#[test]
fn a_script_title_is_shown_as_text_and_never_runs() {
    check("script_title_is_inert");
}

#[test]
fn empty_results_and_server_errors_are_explained() {
    check("empty_and_errors");
}

#[test]
fn a_talk_two_pages_list_is_one_result_naming_the_other() {
    check("talk_listed_twice");
}

#[test]
fn a_hit_opens_its_speakers_page_with_the_company_within_its_parent() {
    check("speaker_page_from_a_hit");
}

#[test]
fn a_companys_page_by_its_former_name_shows_speakers_and_a_chart() {
    check("company_page_with_chart");
}

#[test]
fn talks_like_this_open_another_talk() {
    check("talks_like_this");
}

#[test]
fn the_page_fits_a_phone() {
    check("phone_layout");
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_their_types() {
    let base = server();
    for (path, kind) in [("/", "text/html"), ("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css")] {
        let response = reqwest::get(format!("{base}{path}")).await.expect("the server answers");
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
    }
}
