//! Building and updating the index: incremental updates by content hash, atomic generations,
//! several readers on one index directory.

use std::fs;
use std::path::Path;

use indicatif::ProgressBar;
use talksearch::index_dir::IndexDir;
use talksearch::{indexer, ingest, Engine, SearchRequest};

use crate::util::{seed_page, test_data};

/// Reads `data` relative to the current index of `index` (incrementally when it has a manifest),
/// applies it, and returns the ingest report and whether a new generation was made.
fn update(data: &Path, index: &Path) -> (ingest::Ingested, bool) {
    let previous = IndexDir::new(index).manifest();
    let ingested = ingest::read_paths_since(&[data.to_path_buf()], previous.as_ref(), |_, _| {}).unwrap();
    let made = indexer::apply(index, &ingested, &ProgressBar::hidden()).unwrap().is_some();
    (ingested, made)
}

fn count(engine: &Engine, q: &str) -> usize {
    engine.search(&SearchRequest { q: q.into(), limit: 50, ..Default::default() }).unwrap().total
}

#[test]
fn only_changed_files_are_read_and_deleted_files_lose_their_talks() {
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    fs::copy(test_data().join("pages/sofastack-sofa-meetup-5.md"), data.path().join("sofa.md")).unwrap();

    let (first, made) = update(data.path(), index.path());
    assert!(made && !first.incremental);
    let engine = Engine::open(index.path()).unwrap();
    let total = engine.num_talks() as usize;
    let tls_id =
        engine.search(&SearchRequest { q: "TLS".into(), limit: 1, ..Default::default() }).unwrap().hits[0].id.clone();

    // Nothing changed: nothing is parsed, no new generation.
    let (again, made) = update(data.path(), index.path());
    assert!(again.incremental && !made);
    assert_eq!((again.unchanged, again.talks.len(), again.removed.len()), (2, 0, 0));

    // One talk retitled in the seed page: only that file is parsed again; the other talks keep their ids.
    let seed = fs::read_to_string(data.path().join("seed.md")).unwrap();
    fs::write(
        data.path().join("seed.md"),
        seed.replace("### 字节跳动 Service Mesh 性能优化的实践与思考", "### 字节跳动 Service Mesh 性能调优实战"),
    )
    .unwrap();
    let (changed, made) = update(data.path(), index.path());
    assert!(made);
    assert_eq!((changed.unchanged, changed.talks.len(), changed.removed.len()), (1, 9, 9));
    assert!(engine.reload_if_changed().unwrap());
    assert_eq!(engine.num_talks() as usize, total);
    assert_eq!(count(&engine, "性能调优实战"), 1);
    assert_eq!(count(&engine, "\"性能优化的实践与思考\""), 0);
    assert_eq!(engine.get(&tls_id).unwrap().unwrap().title, "服务网格中 TLS 的加速和优化", "same id after the update");

    // A deleted file takes its talks with it.
    fs::remove_file(data.path().join("sofa.md")).unwrap();
    let (deleted, made) = update(data.path(), index.path());
    assert!(made);
    assert_eq!(deleted.talks.len(), 0);
    assert!(engine.reload_if_changed().unwrap());
    assert_eq!(engine.num_talks(), 9);
    assert_eq!(engine.speakers(None, None, 100).total, 11, "speakers are rebuilt from the remaining talks");
}

#[test]
fn a_killed_build_leaves_the_current_generation_servable() {
    let index = tempfile::tempdir().unwrap();
    let ingested = ingest::read_paths(&[seed_page()], |_, _| {}).unwrap();
    indexer::build(index.path(), &ingested.talks, &ProgressBar::hidden()).unwrap();
    // What a build killed half-way leaves behind: a staging folder with partial files, and a
    // generation folder that was never made current.
    fs::create_dir_all(index.path().join(".gen-000002.tmp-999999")).unwrap();
    fs::write(index.path().join(".gen-000002.tmp-999999/meta.json"), "{ partial").unwrap();
    let engine = Engine::open(index.path()).unwrap();
    assert_eq!(engine.num_talks(), 9);
    // The next build cleans the dead build's staging folder and carries on.
    indexer::build(index.path(), &ingested.talks, &ProgressBar::hidden()).unwrap();
    assert!(!index.path().join(".gen-000002.tmp-999999").exists());
    assert!(engine.reload_if_changed().unwrap());
}

#[test]
fn two_engines_share_one_index_directory() {
    let index = tempfile::tempdir().unwrap();
    let ingested = ingest::read_paths(&[seed_page()], |_, _| {}).unwrap();
    indexer::build(index.path(), &ingested.talks, &ProgressBar::hidden()).unwrap();
    let a = Engine::open(index.path()).unwrap();
    let b = Engine::open(index.path()).unwrap();
    assert_eq!(count(&a, "Istio"), 3);
    assert_eq!(count(&b, "Istio"), 3);
    indexer::build(index.path(), &ingested.talks[..4], &ProgressBar::hidden()).unwrap();
    assert!(a.reload_if_changed().unwrap() && b.reload_if_changed().unwrap());
    assert_eq!((a.num_talks(), b.num_talks()), (4, 4));
}

/// Runs the `talksearch` binary with `args` and returns its exit code, stdout and the `error:` line
/// of its stderr (empty when there is none).
fn talksearch(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    run(std::process::Command::new(env!("CARGO_BIN_EXE_talksearch")).args(args))
}

fn run(command: &mut std::process::Command) -> (Option<i32>, String, String) {
    let out = command.env("RUST_LOG", "warn").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_default().to_string();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), error)
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Every talk of the served generation, each read back from the store (a damaged store fails here).
fn read_every_talk(engine: &Engine) -> usize {
    let filters = talksearch::search::Filters { years: Some((1900, 2999)), ..Default::default() };
    let response = engine.search(&SearchRequest { limit: 100, filters, ..Default::default() }).unwrap();
    assert_eq!(response.hits.len(), response.total);
    response.total
}

/// Overwrites bytes in the first half of `path` in place, every 97 bytes, as a disk or a stray
/// script would: the file keeps its inode, so every hard link to it sees the damage too, and
/// tantivy's footer at the end stays whole, so it still opens.
fn spray(path: &Path) {
    use std::os::unix::fs::FileExt;
    let file = fs::OpenOptions::new().write(true).open(path).unwrap();
    let len = file.metadata().unwrap().len();
    for offset in (0..len / 2).step_by(97) {
        file.write_at(b"\xde\xad", offset).unwrap();
    }
}

/// The files of a generation with this extension (`store`, `fast` …), sorted.
fn segment_files(generation: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .{ext} file in {}", generation.display());
    files
}

/// A folder both this process and a user dropped to (see [`as_unprivileged`]) may use.
fn shared_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

/// The `talksearch` binary, run as user `nobody` when the tests run as root, for whom `chmod 000`
/// denies nothing. `nobody` may not reach the build's own copy (a clone in a `mktemp -d` folder is
/// its owner's alone), so it runs a copy in `bin`, a folder anyone may read.
fn talksearch_unprivileged(bin: &tempfile::TempDir) -> std::process::Command {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return std::process::Command::new(env!("CARGO_BIN_EXE_talksearch"));
    }
    let copy = bin.path().join("talksearch");
    fs::copy(env!("CARGO_BIN_EXE_talksearch"), &copy).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
    let mut command = std::process::Command::new(copy);
    command.uid(65534).gid(65534);
    command
}

#[test]
fn an_unreadable_folder_is_reported_and_everything_else_indexed() {
    use std::os::unix::fs::PermissionsExt;
    let data = shared_tempdir();
    let index = shared_tempdir();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    fs::create_dir(data.path().join("locked")).unwrap();
    fs::copy(test_data().join("pages/sofastack-sofa-meetup-5.md"), data.path().join("locked/sofa.md")).unwrap();
    std::os::unix::fs::symlink("seed.md", data.path().join("again.md")).unwrap();
    fs::set_permissions(data.path().join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    let bin = shared_tempdir();
    let (code, out, error) =
        run(talksearch_unprivileged(&bin).arg("index").arg("--data").arg(data.path()).arg("--index").arg(index.path()));
    fs::set_permissions(data.path().join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!((code, error.as_str()), (Some(0), ""), "{out}");
    assert!(out.contains("files found:         1\n"), "{out}");
    assert!(out.contains("talks in the index:  9\n"), "{out}");
    assert!(out.contains("symlinks skipped:    1 (not followed)\n"), "{out}");
    let locked = data.path().join("locked");
    let failed = format!(
        "files failed:        1\n  {}: cannot read folder: Permission denied (os error 13)\n",
        locked.display()
    );
    assert!(out.contains(&failed), "{out}");
}

#[test]
fn a_second_build_on_the_same_folder_stops_at_once_naming_the_holder() {
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    let args =
        ["index".as_ref(), "--data".as_ref(), data.path().as_os_str(), "--index".as_ref(), index.path().as_os_str()];
    assert_eq!(talksearch(&args).0, Some(0));
    let before = names(index.path());

    // This process stands for a build in progress: it holds the lock and has written its pid.
    let lock = fs::OpenOptions::new().write(true).create(true).truncate(false).open(index.path().join("LOCK")).unwrap();
    lock.try_lock().unwrap();
    fs::write(index.path().join("LOCK"), format!("{}\n", std::process::id())).unwrap();
    fs::write(data.path().join("sofa.md"), fs::read(test_data().join("pages/sofastack-sofa-meetup-5.md")).unwrap())
        .unwrap();
    let started = std::time::Instant::now();
    let (code, _, error) = talksearch(&args);
    assert_eq!(code, Some(1));
    assert_eq!(
        error,
        format!(
            "error: indexing {} into {} (the current index was left unchanged): another build (pid {}) is updating {}; wait for it to finish",
            data.path().display(),
            index.path().display(),
            std::process::id(),
            index.path().display()
        )
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "it stopped at once, not after a build");
    assert_eq!(names(index.path()), before, "no staging folder, no new generation");

    // The holder is gone (its lock released, as the system does when a process dies): the pid it
    // left in the file does not matter.
    drop(lock);
    let (code, out, error) = talksearch(&args);
    assert_eq!((code, error.as_str()), (Some(0), ""));
    assert!(out.contains("talks (re)indexed:   "), "{out}");
}

#[test]
fn a_build_with_nothing_to_change_still_cleans_what_dead_builds_left() {
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    let hidden = ProgressBar::hidden();
    let paths = [data.path().to_path_buf()];
    indexer::index_paths(index.path(), &paths, false, &hidden, &hidden).unwrap();
    // Left by dead builds: a staging folder, a temporary CURRENT, and a generation never made current.
    fs::create_dir(index.path().join(".gen-000003.tmp-999999")).unwrap();
    fs::write(index.path().join(".gen-000003.tmp-999999/meta.json"), "{ partial").unwrap();
    fs::write(index.path().join(".CURRENT.tmp-999999"), "gen-000002\n").unwrap();
    fs::create_dir(index.path().join("gen-000002")).unwrap();
    fs::write(index.path().join("gen-000002/meta.json"), "{}").unwrap();

    let (_, stats) = indexer::index_paths(index.path(), &paths, false, &hidden, &hidden).unwrap();
    assert!(stats.is_none(), "nothing changed");
    assert_eq!(names(index.path()), ["CURRENT", "LOCK", "gen-000001"]);
    assert_eq!(read_every_talk(&Engine::open(index.path()).unwrap()), 9);
}

#[test]
fn previous_is_the_generation_last_current_not_a_newer_orphan() {
    let index = tempfile::tempdir().unwrap();
    let seed = ingest::read_paths(&[seed_page()], |_, _| {}).unwrap();
    let hidden = ProgressBar::hidden();
    indexer::build(index.path(), &seed.talks, &hidden).unwrap();
    indexer::build(index.path(), &seed.talks[..4], &hidden).unwrap();
    // A build whose CURRENT write failed (disk full) left its generation and its temporary file.
    fs::create_dir(index.path().join("gen-000003")).unwrap();
    for entry in fs::read_dir(index.path().join("gen-000002")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), index.path().join("gen-000003").join(entry.file_name())).unwrap();
    }
    fs::write(index.path().join("gen-000003/never-served"), "").unwrap();
    fs::write(index.path().join(".CURRENT.tmp-999999"), "gen-").unwrap();
    let engine = Engine::open(index.path()).unwrap();

    let made = indexer::build(index.path(), &seed.talks[..5], &hidden).unwrap();
    assert!(index.path().join("gen-000002").exists(), "the generation that was serving is kept");
    assert_eq!(fs::read_to_string(index.path().join("PREVIOUS")).unwrap(), "gen-000002\n");
    assert!(!index.path().join("gen-000001").exists());
    assert!(!index.path().join(".CURRENT.tmp-999999").exists());
    let orphan_left = fs::read_dir(index.path()).unwrap().any(|e| e.unwrap().path().join("never-served").exists());
    assert!(!orphan_left, "the generation never made current is removed");
    assert!(engine.reload_if_changed().unwrap());
    assert_eq!(engine.status().generation, made.generation.file_name().unwrap().to_string_lossy());
    assert_eq!(read_every_talk(&engine), 5);
}

#[test]
fn a_failed_switch_leaves_no_orphan_generation() {
    let index = tempfile::tempdir().unwrap();
    let seed = ingest::read_paths(&[seed_page()], |_, _| {}).unwrap();
    let hidden = ProgressBar::hidden();
    indexer::build(index.path(), &seed.talks, &hidden).unwrap();
    // CURRENT cannot be replaced (here: a non-empty folder is in its place; on a full disk, the write fails).
    fs::remove_file(index.path().join("CURRENT")).unwrap();
    fs::create_dir_all(index.path().join("CURRENT/in-the-way")).unwrap();
    assert!(indexer::build(index.path(), &seed.talks, &hidden).is_err());
    assert_eq!(names(index.path()), ["CURRENT", "LOCK", "gen-000001"]);
}

#[test]
fn damage_to_an_old_generation_does_not_reach_the_current_one() {
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    fs::copy(test_data().join("pages/sofastack-sofa-meetup-5.md"), data.path().join("sofa.md")).unwrap();
    update(data.path(), index.path());
    let seed = fs::read_to_string(data.path().join("seed.md")).unwrap();
    fs::write(data.path().join("seed.md"), seed.replace("性能优化的实践与思考", "性能调优实战")).unwrap();
    let (changed, made) = update(data.path(), index.path());
    assert!(made && changed.incremental);
    // The incremental build took the old generation's segments; damage to those files (in place)
    // must not reach the new generation.
    for store in segment_files(&index.path().join("gen-000001"), "store") {
        spray(&store);
    }
    let engine = Engine::open(index.path()).unwrap();
    assert_eq!(engine.status().generation, "gen-000002");
    assert_eq!(read_every_talk(&engine), engine.num_talks() as usize);
}

#[test]
fn an_update_over_a_damaged_generation_reads_everything_again() {
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    fs::copy(test_data().join("pages/sofastack-sofa-meetup-5.md"), data.path().join("sofa.md")).unwrap();
    let hidden = ProgressBar::hidden();
    let paths = [data.path().to_path_buf()];
    indexer::index_paths(index.path(), &paths, false, &hidden, &hidden).unwrap();
    for store in segment_files(&index.path().join("gen-000001"), "store") {
        spray(&store);
    }
    fs::remove_file(data.path().join("sofa.md")).unwrap();
    let (ingested, stats) = indexer::index_paths(index.path(), &paths, false, &hidden, &hidden).unwrap();
    assert!(!ingested.incremental, "the damaged generation is not built upon");
    assert_eq!(stats.unwrap().talks, 9);
    assert_eq!(read_every_talk(&Engine::open(index.path()).unwrap()), 9);
}

/// A generation under `indexer::TALKS_PER_PART` talks is one segment, full build or update: a
/// query's terms are looked up once. (Past it, one segment per core: `indexer`'s unit tests.)
#[test]
fn every_generation_of_fewer_than_a_part_of_talks_is_one_segment() {
    let index = tempfile::tempdir().unwrap();
    let segments = |dir: &Path| {
        let generation = IndexDir::new(dir).current().unwrap().unwrap();
        tantivy::Index::open_in_dir(generation).unwrap().searchable_segment_ids().unwrap().len()
    };
    let talks = ingest::read_paths(&[test_data()], |_, _| {}).unwrap().talks;
    assert!(talks.len() > 50, "enough talks for every indexing thread to make a segment");
    indexer::build(index.path(), &talks, &ProgressBar::hidden()).unwrap();
    assert_eq!(segments(index.path()), 1);
    let data = tempfile::tempdir().unwrap();
    fs::copy(seed_page(), data.path().join("seed.md")).unwrap();
    let (_, changed) = update(data.path(), index.path());
    assert!(changed);
    assert_eq!(segments(index.path()), 1, "after an update too");
}

#[test]
fn a_talk_listed_on_two_pages_is_one_result_and_splits_again_when_a_page_goes() {
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let seed = fs::read_to_string(seed_page()).unwrap();
    fs::write(data.path().join("notice.md"), &seed).unwrap();
    let (_, made) = update(data.path(), index.path());
    assert!(made);
    let engine = Engine::open(index.path()).unwrap();
    assert_eq!((engine.num_talks(), count(&engine, "Istio")), (9, 3));
    let search = |q: &str| engine.search(&SearchRequest { q: q.into(), limit: 50, ..Default::default() }).unwrap();
    let notice_event = search("TLS 加速").hits[0].event.title.clone();

    // A recap of the same event on another page, added by an update: each of its talks is the same
    // talk as the notice's (same titles, same date), so nothing is counted twice.
    let recap = seed.replace("Service Mesh Summit 服务网格峰会 2022 正在报名中", "服务网格峰会 2022 回顾");
    fs::write(data.path().join("recap.md"), recap).unwrap();
    let (ingested, made) = update(data.path(), index.path());
    assert!(made && ingested.incremental);
    assert!(engine.reload_if_changed().unwrap());
    assert_eq!((engine.num_talks(), count(&engine, "Istio")), (9, 3));
    let tls = search("TLS 加速");
    assert_eq!(tls.total, 1);
    let hit = &tls.hits[0];
    assert_eq!(hit.also_listed.len(), 1, "{:#?}", hit.also_listed);
    // The JSON the server sends writes `also_listed` as serde does.
    assert_eq!(String::from_utf8(tls.to_json()).unwrap(), serde_json::to_string(&tls).unwrap());
    let events = [hit.event.title.as_str(), hit.also_listed[0].event.title.as_str()];
    assert!(events.contains(&"服务网格峰会 2022 回顾") && events.contains(&notice_event.as_str()), "{events:?}");
    assert_eq!(engine.speakers(None, None, 100).total, 11, "speakers keep one talk each");
    let other = engine.get(&hit.also_listed[0].id).unwrap().expect("the other listing keeps its id");
    assert_eq!(other.listed_as.as_deref(), Some(hit.id.as_str()));
    // Either event finds it.
    let by_event = |event: &str| {
        let filters = talksearch::search::Filters { event: Some(event.into()), ..Default::default() };
        engine.search(&SearchRequest { q: "TLS".into(), limit: 5, filters, ..Default::default() }).unwrap().total
    };
    assert_eq!((by_event("服务网格峰会 2022 回顾"), by_event(&notice_event)), (1, 1));

    // The recap goes: the notice's talks stand alone again.
    fs::remove_file(data.path().join("recap.md")).unwrap();
    let (_, made) = update(data.path(), index.path());
    assert!(made);
    assert!(engine.reload_if_changed().unwrap());
    let tls = search("TLS 加速");
    assert_eq!((tls.total, tls.hits[0].also_listed.len()), (1, 0));
    assert_eq!(tls.hits[0].event.title, notice_event);
    assert_eq!(engine.num_talks(), 9);
}

#[test]
fn a_mirror_of_a_page_is_another_listing_of_its_talks_not_dropped() {
    // Two copies of one event page (the same event name, as the community sites mirror each other's
    // notices): each talk is one result listing both sources, and the copy says what it adds.
    let data = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let seed = fs::read_to_string(seed_page()).unwrap();
    fs::write(data.path().join("a.md"), &seed).unwrap();
    fs::write(data.path().join("b.md"), &seed).unwrap();
    let (ingested, made) = update(data.path(), index.path());
    assert!(made);
    assert_eq!(ingested.duplicates, 0, "no talk of the copy is dropped");
    let engine = Engine::open(index.path()).unwrap();
    assert_eq!((engine.num_talks(), count(&engine, "Istio")), (9, 3), "each talk once");
    let tls = engine.search(&SearchRequest { q: "TLS 加速".into(), limit: 5, ..Default::default() }).unwrap();
    assert_eq!(tls.total, 1);
    let hit = &tls.hits[0];
    assert_eq!(hit.also_listed.len(), 1, "{:#?}", hit.also_listed);
    // The JSON the server sends writes `also_listed` as serde does.
    assert_eq!(String::from_utf8(tls.to_json()).unwrap(), serde_json::to_string(&tls).unwrap());
    let head = engine.get(&hit.id).unwrap().expect("the hit's own talk");
    let sources = [head.event.source.as_str(), hit.also_listed[0].event.source.as_str()];
    assert!(sources.iter().any(|s| s.ends_with("a.md")) && sources.iter().any(|s| s.ends_with("b.md")), "{sources:?}");
}
