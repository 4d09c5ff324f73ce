//! Conference schedules: every format and quirk on small self-written fixtures, the mapping files, export and re-index, and the real exports in `../shared/schedules`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use indicatif::ProgressBar;
use talksearch::ingest::schedule::{when::Zone, Mapping, Options};
use talksearch::ingest::{self, IngestError};
use talksearch::{indexer, Talk};

use crate::util::test_data;

fn fixtures() -> PathBuf {
    test_data().join("schedules")
}

/// The talks of `path` read with `options`; fails the test when the file does not read.
fn read_with(path: &Path, options: &Options) -> Vec<Talk> {
    let ingested = ingest::read_paths_since_with(&[path.to_path_buf()], None, options, |_, _| {}).unwrap();
    assert!(ingested.failed.is_empty(), "{:?}", ingested.failed);
    assert_eq!(ingested.skipped, 0, "{} was not recognised", path.display());
    ingested.talks
}

fn read(path: &Path) -> Vec<Talk> {
    read_with(path, &Options::default())
}

fn talk<'a>(talks: &'a [Talk], title: &str) -> &'a Talk {
    talks.iter().find(|t| t.title == title).unwrap_or_else(|| panic!("no talk {title:?} in {:?}", titles(talks)))
}

fn titles(talks: &[Talk]) -> Vec<&str> {
    talks.iter().map(|t| t.title.as_str()).collect()
}

fn names(talk: &Talk) -> Vec<(&str, Option<&str>)> {
    talk.speakers.iter().map(|s| (s.name.as_str(), s.company.as_deref())).collect()
}

fn map(name: &str) -> Options {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/maps").join(name);
    Options { map: Some(Arc::new(Mapping::load(&path).unwrap())), ..Options::default() }
}

#[test]
fn frab_xml_current_flavour() {
    let talks = read(&fixtures().join("frab-current.xml"));
    // The lunch break and the TBA placeholder are not talks; the repeated title is a second talk.
    assert_eq!(
        titles(&talks),
        [
            "Memory safety without a garbage collector",
            "Night owls: debugging after midnight",
            "Memory safety without a garbage collector"
        ]
    );
    let t = &talks[0];
    assert_eq!(t.abstract_text, "Ownership & borrowing, explained.\n\n- lifetimes\n- unsafe");
    assert_eq!(names(t), [("Ada Lovelace", None), ("Grace Hopper", None)]);
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2025-02-01T10:00:00+01:00"), Some("2025-02-01T10:50:00+01:00"))
    );
    assert_eq!(t.time.as_deref(), Some("10:00 - 10:50"));
    assert_eq!((t.room.as_deref(), t.track.as_deref(), t.language.as_str()), (Some("Janson"), Some("Rust"), "en"));
    assert_eq!(t.url.as_deref(), Some("https://testconf.example/2025/event/101/"));
    let links: Vec<(&str, &str)> = t.links.iter().map(|l| (l.title.as_str(), l.url.as_str())).collect();
    assert_eq!(
        links,
        [
            ("Slides", "https://testconf.example/slides/101.pdf"),
            ("Video recording (MP4)", "https://video.testconf.example/101.mp4")
        ]
    );
    assert_eq!(t.event.title, "TestConf 2025");
    assert_eq!((t.event.date.as_deref(), t.event.timezone.as_deref()), (Some("2025-02-01"), Some("Europe/Brussels")));
    assert_eq!(t.event.location.as_deref(), Some("Brussels"));
    // No <date>: 01:30 is before the 09:00 day change, so on the next calendar day; CDATA HTML.
    let night = &talks[1];
    assert_eq!(night.start.as_deref(), Some("2025-02-02T01:30:00+01:00"));
    assert_eq!(night.abstract_text, "Late, later, latest.");
    assert_eq!(night.room.as_deref(), Some("K.1.105"));
    assert_ne!(talks[0].id, talks[2].id, "a repeated title is told apart");
}

#[test]
fn frab_xml_older_flavour() {
    let talks = read(&fixtures().join("frab-older.xml"));
    assert_eq!(titles(&talks), ["New perspectives for browsers", "服务网格的实践与思考"]);
    let t = &talks[0];
    // HTML escaped twice over becomes text; one person under two ids is one speaker.
    assert_eq!(t.abstract_text, "How is users' freedom \"protected\"?");
    assert_eq!(names(t), [("Tristan Example", None)]);
    // No zone in the file: local times without an offset; day change 00:00 changes nothing.
    assert_eq!(t.start.as_deref(), Some("2012-02-04T13:30:00"));
    assert_eq!(t.end.as_deref(), Some("2012-02-04T14:00:00"));
    assert_eq!(t.event.timezone, None);
    assert_eq!(t.room.as_deref(), Some("UD2.218A"));
    // Empty <language>: detected.
    assert_eq!((talks[0].language.as_str(), talks[1].language.as_str()), ("en", "zh"));
    // A zone the user gives applies to a file without one.
    let zoned = read_with(
        &fixtures().join("frab-older.xml"),
        &Options { timezone: Zone::parse("Europe/Brussels"), ..Options::default() },
    );
    assert_eq!(zoned[0].start.as_deref(), Some("2012-02-04T13:30:00+01:00"));
    assert_eq!(zoned[0].event.timezone.as_deref(), Some("Europe/Brussels"));
}

#[test]
fn frab_json_of_pretalx() {
    let talks = read(&fixtures().join("pretalx.json"));
    assert_eq!(
        titles(&talks),
        ["Der faule Admin automatisiert", "After midnight on day one"],
        "the Pause is not a talk"
    );
    let t = &talks[0];
    assert_eq!(t.language, "de");
    assert_eq!(
        t.abstract_text,
        "Firmware für viele Geräte.\nBasiert auf Gluon (https://gluon.readthedocs.io/).\n\nMit pytest und Labgrid."
    );
    assert_eq!(names(t), [("Chris Example", None), ("Kasa", None)]);
    assert_eq!(t.speakers[0].bio.as_deref(), Some("Embedded & testing at Pengutronix"));
    assert_eq!(t.speakers[1].bio, None);
    // Only offsets in the file: times keep theirs, and the event records it.
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2020-12-27T23:30:00+01:00"), Some("2020-12-28T00:30:00+01:00"))
    );
    assert_eq!(t.time.as_deref(), Some("23:30 - 00:30"));
    assert_eq!(t.event.timezone.as_deref(), Some("+01:00"));
    assert_eq!(t.room.as_deref(), Some("Studio Rhein"));
    assert_eq!(t.links[0].url, "https://example.org/slides.pdf");
    // No `date`: 01:00 is before the 04:00 day start, so it is on the next calendar day.
    assert_eq!(talks[1].start.as_deref(), Some("2020-12-28T01:00:00+01:00"));
}

#[test]
fn sessionize_with_items() {
    let talks = read(&fixtures().join("sessionize.json"));
    assert_eq!(
        titles(&talks),
        ["Serverless with Azure Functions", "Kubernetes für Einsteiger"],
        "the service session is not a talk"
    );
    let t = &talks[0];
    // Speakers by id; the tag line's company (Microsoft resolves in the alias table, Contoso by its shape).
    assert_eq!(names(t), [("Ann Example", Some("Contoso")), ("Bo Beispiel", Some("Microsoft"))]);
    assert_eq!(t.speakers[0].bio.as_deref(), Some("Builds things in the cloud."));
    assert_eq!(t.abstract_text, "Functions,\ntriggers & bindings.");
    assert_eq!((t.track.as_deref(), t.language.as_str(), t.room.as_deref()), (Some("Cloud Dev"), "en", Some("Dev")));
    assert_eq!(t.url.as_deref(), Some("https://www.youtube.com/watch?v=abc123"));
    assert_eq!(t.start.as_deref(), Some("2021-04-16T08:00:00"), "no zone in the file, none given");
    assert_eq!(t.event.title, "Sessionize", "the file name names the event");
    assert_eq!(talks[1].language, "de");
    let zoned = read_with(
        &fixtures().join("sessionize.json"),
        &Options { timezone: Zone::parse("Europe/Vienna"), ..Options::default() },
    );
    assert_eq!(zoned[0].start.as_deref(), Some("2021-04-16T08:00:00+02:00"));
    assert_eq!(zoned[0].end.as_deref(), Some("2021-04-16T08:50:00+02:00"));
}

#[test]
fn sessionize_with_category_items_and_a_person_twice() {
    let talks = read(&fixtures().join("sessionize-category-items.json"));
    assert_eq!(titles(&talks), ["Observability in practice"]);
    // Two speaker ids, one person.
    assert_eq!(names(&talks[0]), [("Chen Wei", Some("Dynatrace"))]);
    assert_eq!((talks[0].language.as_str(), talks[0].room.as_deref()), ("en", Some("Main Hall")));
    assert_eq!(talks[0].event.title, "Sessionize Category Items");
}

#[test]
fn talks_as_json_lines_and_csv() {
    let talks = read(&fixtures().join("talks.jsonl"));
    assert_eq!(titles(&talks), ["云原生可观测性实践", "Writing fast Python"]);
    assert_eq!(talks[0].id, Talk::make_id("Cloud Native Meetup Shanghai 2024", "云原生可观测性实践", ""));
    assert_eq!((talks[0].language.as_str(), talks[0].event.source.as_str()), ("zh", "schedules/talks.jsonl"));
    assert_eq!(names(&talks[0]), [("李雷", None)]);
    assert_eq!(talks[1].id, "jsonl-fixed-id");
    assert_eq!(talks[1].event.location.as_deref(), Some("Berlin"));
    assert_eq!((talks[1].room.as_deref(), talks[1].track.as_deref()), (Some("A"), Some("Performance")));

    let talks = read(&fixtures().join("talks.csv"));
    assert_eq!(titles(&talks), ["Service Mesh in production", "服务网格性能优化"], "a row without a title is no talk");
    let t = &talks[0];
    assert_eq!(names(t), [("Han Meimei", Some("Tencent")), ("Li Lei", Some("Alibaba"))]);
    assert_eq!(t.abstract_text, "Istio, Envoy and\nwhat we learned.");
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2023-09-09T14:00:00+08:00"), Some("2023-09-09T14:40:00+08:00"))
    );
    assert_eq!((t.event.title.as_str(), t.event.date.as_deref()), ("Mesh Day 2023", Some("2023-09-09")));
    assert_eq!(talks[1].language, "zh");
}

#[test]
fn the_g0v_map_reads_bilingual_keyed_proposals() {
    let talks = read_with(&fixtures().join("mapped/g0v-proposals.json"), &map("g0v-summit.toml"));
    assert_eq!(titles(&talks), ["牧貓人 —— 開放協作專案管理", "Open data in Taiwan"], "the pseudo entry is not a talk");
    let t = &talks[0];
    assert_eq!(t.other_title.as_deref(), Some("Herding cats – project management"));
    assert_eq!(
        t.abstract_text,
        "當每個貢獻者都是獨立的貓時，該如何促進社群協作呢？\n\nProject management in open source civic tech."
    );
    assert_eq!(names(t), [("ddio", Some("Miso Technology")), ("小班（ael）", Some("g0v"))]);
    // A blank English bio adds nothing; a real one is kept beside the Chinese.
    assert_eq!(t.speakers[0].bio.as_deref(), Some("斜槓主婦，g0v 參與者。"));
    assert_eq!(t.speakers[1].bio.as_deref(), Some("g0v 參與者。\n\nAel is an active g0v participant."));
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2020-12-04T15:30:00+08:00"), Some("2020-12-04T16:00:00+08:00"))
    );
    assert_eq!(
        (t.room.as_deref(), t.track.as_deref(), t.language.as_str()),
        (Some("G - 好想工作室"), Some("資訊人跳更多坑"), "zh")
    );
    let en = &talks[1];
    assert_eq!(
        (en.language.as_str(), en.other_title.as_deref()),
        ("en", None),
        "an English twin equal to the title adds nothing"
    );
    assert_eq!(en.abstract_text, "How open data changed the mask map.");
    assert_eq!(en.end.as_deref(), Some("2020-12-06T00:20:00+08:00"), "40 minutes past 23:40");
    assert_eq!(en.speakers[0].bio.as_deref(), Some("Hacker."), "a stray quote is no English bio");
    assert_eq!((en.event.title.as_str(), en.event.timezone.as_deref()), ("g0v Summit 2020", Some("Asia/Taipei")));
}

#[test]
fn the_pycon_china_map_reads_nested_slots_and_joined_names() {
    let talks = read_with(&fixtures().join("mapped/pycon-schedule.yaml"), &map("pycon-china.toml"));
    assert_eq!(
        titles(&talks),
        ["The PSF's role in Python's ecosystem", "在 \"Python\" 中实现高性能并行计算", "圆桌：云原生与 Python"],
        "the lunch break is not a talk"
    );
    let t = &talks[0];
    // A date without a year, an unquoted 09:30, the zone from the map.
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2021-10-16T09:30:00+08:00"), Some("2021-10-16T10:15:00+08:00"))
    );
    assert_eq!(t.time.as_deref(), Some("09:30 - 10:15"));
    // `company` holds role and company in one line: the company is read from it, and the line
    // opens the bio.
    assert_eq!(names(t), [("Ewa Example", Some("阿里云"))]);
    assert_eq!(t.speakers[0].bio.as_deref(), Some("阿里云 SLS 上海团队负责人\n\nEwa 是 Python 软件基金会的执行董事。"));
    assert_eq!(t.room, None, "an empty venue is no room");
    assert_eq!(names(&talks[1]), [("胡渊鸣", Some("太极图形科技")), ("张爱玲", Some("太极图形科技"))]);
    assert_eq!(talks[1].abstract_text, "在 Python 中实现高性能并行计算。");
    assert_eq!((talks[1].room.as_deref(), talks[1].language.as_str()), (Some("A"), "zh"));
    assert_eq!(talks[2].speakers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["李枫", "吕绍刚", "张晋涛"]);
}

#[test]
fn without_a_map_other_exports_are_not_read() {
    let ingested = ingest::read_paths(&[fixtures().join("mapped")], |_, _| {}).unwrap();
    assert_eq!((ingested.files_read, ingested.skipped, ingested.talks.len()), (0, 2, 0));
}

#[test]
fn malformed_files_of_each_format_are_reported_per_file() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixtures().join("malformed")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::copy(fixtures().join("sessionize.json"), dir.path().join("good.json")).unwrap();
    let ingested = ingest::read_paths(&[dir.path().to_path_buf()], |_, _| {}).unwrap();
    let mut failed: Vec<(String, String)> = ingested
        .failed
        .iter()
        .map(|f| (f.path.file_name().unwrap().to_string_lossy().into_owned(), f.error.to_string()))
        .collect();
    failed.sort();
    let reasons: Vec<(&str, &str)> = failed.iter().map(|(f, e)| (f.as_str(), e.as_str())).collect();
    assert_eq!(
        reasons,
        [
            (
                "frab-broken.xml",
                "malformed XML at byte 136: ill-formed document: expected `</title>`, but `</event>` was found"
            ),
            (
                "frab-wrong-types.json",
                "malformed JSON: invalid type: integer `42`, expected a string at line 1 column 108"
            ),
            (
                "sessionize-wrong-types.json",
                "malformed JSON: invalid type: map, expected a sequence at line 1 column 54"
            ),
            // The unclosed quote runs to the end of the file: one row, with no event.
            ("talks-broken.csv", "CSV row 2: no event"),
            ("talks-broken.jsonl", "line 2: malformed JSON: EOF while parsing a string at line 1 column 17"),
        ]
    );
    assert_eq!(ingested.talks.len(), 2, "the good file is read all the same");
}

#[test]
fn schedules_update_incrementally_like_pages() {
    let data = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("frab-current.xml"), data.path().join("a.xml")).unwrap();
    std::fs::copy(fixtures().join("talks.csv"), data.path().join("b.csv")).unwrap();
    let first = ingest::read_paths(&[data.path().to_path_buf()], |_, _| {}).unwrap();
    assert_eq!((first.files_read, first.talks.len()), (2, 5));
    let xml = std::fs::read_to_string(data.path().join("a.xml")).unwrap();
    std::fs::write(data.path().join("a.xml"), xml.replace("Night owls", "Early birds")).unwrap();
    let second = ingest::read_paths_since(&[data.path().to_path_buf()], Some(&first.manifest), |_, _| {}).unwrap();
    assert_eq!((second.unchanged, second.added, second.removed.len()), (1, 3, 3));
    assert!(titles(&second.talks).contains(&"Early birds: debugging after midnight"));
    // The same files read with a time zone are read again (their times change).
    let zoned = Options { timezone: Zone::parse("UTC"), ..Options::default() };
    let third =
        ingest::read_paths_since_with(&[data.path().to_path_buf()], Some(&second.manifest), &zoned, |_, _| {}).unwrap();
    assert_eq!((third.unchanged, third.added), (0, 5));
}

/// Runs the binary; fails the test when it fails.
fn talksearch(args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_talksearch")).args(args).output().unwrap();
    assert!(out.status.success(), "talksearch {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// `export` writes every talk of an index as JSON lines; indexing that file again and exporting
/// gives the same talks.
#[test]
fn export_then_index_again_gives_the_same_talks() {
    let work = tempfile::tempdir().unwrap();
    let (first, second) = (work.path().join("first"), work.path().join("second"));
    let sources = [
        test_data().join("pages"),
        test_data().join("pyvideo"),
        fixtures().join("frab-current.xml"),
        fixtures().join("sessionize.json"),
    ];
    let ingested = ingest::read_paths(&sources, |_, _| {}).unwrap();
    assert!(ingested.failed.is_empty(), "{:?}", ingested.failed);
    indexer::build(&first, &ingested.talks, &ProgressBar::hidden()).unwrap();
    let export = |index: &Path| {
        talksearch(&["export".as_ref(), "--format".as_ref(), "jsonl".as_ref(), "--index".as_ref(), index.as_os_str()])
    };
    let exported = export(&first);
    let file = work.path().join("talks.jsonl");
    std::fs::write(&file, &exported).unwrap();
    talksearch(&["index".as_ref(), "--data".as_ref(), file.as_os_str(), "--index".as_ref(), second.as_os_str()]);
    let parse = |bytes: &[u8]| -> Vec<Talk> {
        let mut talks: Vec<Talk> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        talks.sort_by(|a, b| a.id.cmp(&b.id));
        talks
    };
    let (before, after) = (parse(&exported), parse(&export(&second)));
    let ids = |talks: &[Talk]| talks.iter().map(|t| t.id.clone()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&before), ids(&ingested.talks), "every talk read is exported, by its id");
    assert_eq!(before.len(), ingested.talks.len());
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(a, b);
    }
    assert_eq!(after.len(), before.len());
}

/// `../shared/schedules`, when it is there.
fn shared_schedules() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schedules");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
}

/// Talks, and distinct speakers by name.
fn counts(talks: &[Talk]) -> (usize, usize) {
    let speakers: BTreeSet<String> = talks.iter().flat_map(|t| &t.speakers).map(|s| s.name.to_lowercase()).collect();
    (talks.len(), speakers.len())
}

#[test]
fn the_real_fosdem_schedules() {
    let Some(dir) = shared_schedules() else { return };
    let talks = read(&dir.join("frab-xml/fosdem-2025.xml"));
    assert_eq!(counts(&talks), (1105, 1193));
    let t = talk(&talks, "Welcome to FOSDEM 2025");
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2025-02-01T09:30:00+01:00"), Some("2025-02-01T09:50:00+01:00"))
    );
    assert_eq!(names(t), [("FOSDEM Staff", None), ("Richard \"RichiH\" Hartmann", None)]);
    assert_eq!(t.abstract_text, "FOSDEM welcome and opening talk.\n\nJoin us for the opening of our 25th event.");
    assert_eq!((t.room.as_deref(), t.track.as_deref()), (Some("Janson"), Some("Keynotes")));
    let t = talk(&talks, "Program to Learn: The Power of Creative Coding");
    assert_eq!(t.speakers.len(), 4);
    assert_eq!(t.time.as_deref(), Some("10:00 - 10:50"));
    assert!(talks.iter().all(|t| !t.abstract_text.contains("&lt;") && !t.abstract_text.contains("<p>")));
    assert_eq!(talks.iter().filter(|t| t.start.as_deref().is_some_and(|s| s.starts_with("2025-02-02"))).count(), 562);

    let talks = read(&dir.join("frab-xml/fosdem-2012.xml"));
    // 442 events; 70 names under several person ids count once.
    assert_eq!(counts(&talks), (442, 430));
    let t = talk(&talks, "2012: New perspectives for Mozilla");
    assert_eq!((t.start.as_deref(), t.room.as_deref()), (Some("2012-02-04T13:30:00"), Some("UD2.218A")));
    assert_eq!(names(t), [("Tristan Nitot", None)]);
    assert!(t.abstract_text.contains("How is users' freedom protected"), "{}", t.abstract_text);
    assert!(talks.iter().all(|t| !t.abstract_text.contains("&#39;") && !t.abstract_text.contains("&amp;")));
}

#[test]
fn the_real_pretalx_and_sessionize_schedules() {
    let Some(dir) = shared_schedules() else { return };
    let talks = read(&dir.join("frab-json/rc3-channels-2020.json"));
    assert_eq!(counts(&talks), (48, 56));
    assert_eq!(talks.iter().filter(|t| t.language == "de").count(), 19);
    let t = talk(&talks, "Der faule Admin automatisiert: Gluon auf echter Hardware testen");
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2020-12-27T11:30:00+01:00"), Some("2020-12-27T12:10:00+01:00"))
    );
    assert_eq!(names(t), [("Chris Fiege", None), ("Kasa", None)]);
    assert_eq!(t.room.as_deref(), Some("r3s - Monheim/Rhein"));
    assert!(t.abstract_text.contains("Gluon (https://gluon.readthedocs.io/)"), "{}", t.abstract_text);
    assert_eq!(t.event.timezone.as_deref(), Some("+01:00"));

    let talks = read(&dir.join("sessionize-json/global-azure-bootcamp-linz-2021.json"));
    assert_eq!(counts(&talks), (37, 40));
    assert_eq!(talks.iter().filter(|t| t.language == "de").count(), 19);
    let t = talk(&talks, "Rust, Kubernetes, and the Cloud");
    assert_eq!(names(t), [("Taylor Thomas", None), ("Ryan Levick", None)]);
    assert_eq!((t.start.as_deref(), t.track.as_deref()), (Some("2021-04-16T16:00:00"), Some("DevOps")));
    let t = talk(&talks, "Azure - Ask us Anything");
    assert_eq!(names(t)[0], ("Gerwald Oberleitner", Some("Microsoft")));
    assert_eq!(t.url.as_deref(), Some("https://www.youtube.com/watch?v=2HDTar0zoto"));
    let with_company = talks.iter().flat_map(|t| &t.speakers).filter(|s| s.company.is_some()).map(|s| s.name.as_str());
    assert!(with_company.collect::<BTreeSet<_>>().contains("Adrienne Tacke"));
}

#[test]
fn the_real_custom_exports_through_the_shipped_maps() {
    let Some(dir) = shared_schedules() else { return };
    let talks = read_with(&dir.join("g0v-summit-json/g0v-summit-2020.json"), &map("g0v-summit.toml"));
    // 136 entries, 40 of them pseudo; 175 speaker mentions of 163 names.
    assert_eq!(counts(&talks), (96, 163));
    let t = talk(&talks, "牧貓人 —— g0v 混亂有序開放協作專案管理");
    assert_eq!(t.other_title.as_deref(), Some("Herding cats – project management in g0v projects"));
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2020-12-04T15:30:00+08:00"), Some("2020-12-04T16:00:00+08:00"))
    );
    assert_eq!(names(t), [("ddio", Some("主婦 / Miso Technology / g0v")), ("小班（ael）", Some("g0v"))]);
    assert_eq!(talks.iter().filter(|t| t.language == "zh").count(), 75);

    let zh = read_with(&dir.join("pyconchina-yaml/pycon-china-2021.yaml"), &map("pycon-china.toml"));
    let en = read_with(&dir.join("pyconchina-yaml/pycon-china-2021.en.yaml"), &map("pycon-china.toml"));
    assert_eq!(counts(&zh), (33, 37));
    assert_eq!(counts(&en), (33, 38));
    let t = talk(&zh, "The First Step to AI-First: Forget About AI");
    assert_eq!(
        (t.start.as_deref(), t.end.as_deref()),
        (Some("2021-10-16T10:15:00+08:00"), Some("2021-10-16T11:00:00+08:00"))
    );
    assert_eq!(names(t), [("肖涵", None)], "Jina AI is not in the alias table and has no company shape");
    let t = talk(&zh, "可观测性平台下的低代码技术实践");
    assert_eq!(names(t), [("丁来强", Some("阿里云"))]);
    let t = talk(&en, "The First Step to AI-First: Forget About AI");
    assert_eq!(names(t), [("Han Xiao", Some("Jina AI"))], "The Founder & Chairman of Jina AI");
    let t = talk(&zh, "在 \"Python\" 中实现高性能并行计算");
    assert_eq!(t.speakers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["胡渊鸣", "张爱玲"]);
    assert!(zh.iter().all(|t| t.title != "午间休息"));
}

/// The FOSDEM 2025 file parses in well under a second in release builds; printed for the record
/// (timing is not asserted: the machine is shared).
#[test]
fn fosdem_2025_parse_time_for_the_record() {
    let Some(dir) = shared_schedules() else { return };
    let bytes = std::fs::read(dir.join("frab-xml/fosdem-2025.xml")).unwrap();
    let kind = ingest::Kind::Schedule(talksearch::ingest::schedule::Format::FrabXml);
    let started = std::time::Instant::now();
    let talks = ingest::parse_bytes(kind, &bytes, "fosdem-2025.xml", None).unwrap();
    eprintln!(
        "FOSDEM 2025: {} talks from {} bytes in {:.3} s",
        talks.len(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(talks.len(), 1105);
    assert!(matches!(
        ingest::parse_bytes(kind, b"<schedule><conference>", "x.xml", None),
        Err(IngestError::Invalid(_))
    ));
}

/// Every fixture cut at many points, and with bytes flipped, read as its format: an error or
/// talks, never a panic.
#[test]
fn cut_and_damaged_schedules_never_panic() {
    use talksearch::ingest::schedule::Format;
    let cases = [
        ("frab-current.xml", ingest::Kind::Schedule(Format::FrabXml)),
        ("frab-older.xml", ingest::Kind::Schedule(Format::FrabXml)),
        ("pretalx.json", ingest::Kind::Schedule(Format::FrabJson)),
        ("sessionize.json", ingest::Kind::Schedule(Format::Sessionize)),
        ("talks.jsonl", ingest::Kind::Schedule(Format::TalksJsonl)),
        ("talks.csv", ingest::Kind::Schedule(Format::TalksCsv)),
        ("mapped/g0v-proposals.json", ingest::Kind::Mapped),
        ("mapped/pycon-schedule.yaml", ingest::Kind::Mapped),
    ];
    let (g0v, pycon) = (map("g0v-summit.toml"), map("pycon-china.toml"));
    let mut errors = 0;
    for (file, kind) in cases {
        let bytes = std::fs::read(fixtures().join(file)).unwrap();
        let options = if file.ends_with(".yaml") { &pycon } else { &g0v };
        let mut variants: Vec<Vec<u8>> = (0..bytes.len()).step_by(17).map(|n| bytes[..n].to_vec()).collect();
        for at in (0..bytes.len()).step_by(29) {
            let mut damaged = bytes.clone();
            damaged[at] = [b'<', b'"', b'{', b':', b'&', b'\n'][at % 6];
            variants.push(damaged);
        }
        for variant in variants {
            // Recognition runs on damaged text too.
            std::str::from_utf8(&variant).ok().map(talksearch::ingest::schedule::detect);
            if ingest::parse_bytes_with(kind, &variant, file, None, options).is_err() {
                errors += 1;
            }
        }
    }
    assert!(errors > 100, "cut files are mostly errors: {errors}");
}

#[test]
fn index_with_a_map_and_a_bad_map_from_the_command_line() {
    let index = tempfile::tempdir().unwrap();
    let data = fixtures().join("mapped/g0v-proposals.json");
    let map = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/maps/g0v-summit.toml");
    let out = talksearch(&[
        "index".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--map".as_ref(),
        map.as_os_str(),
        "--index".as_ref(),
        index.path().as_os_str(),
    ]);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("talks in the index:  2\n"), "{out}");
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), "[source]\nevent = \"E\"\n[fields]\ntitle = \"t\"\nroom = 3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["index", "--data"])
        .arg(&data)
        .arg("--map")
        .arg(bad.path())
        .arg("--index")
        .arg(index.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid type: integer `3`, expected a string"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_talksearch"))
        .args(["index", "--timezone", "Mars/Olympus", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"Mars/Olympus\" is not a time zone"));
}
