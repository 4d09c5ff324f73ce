//! Exploring: speaker and company pages, talks like a talk, and calendars and feeds of searches,
//! over the repository's test pages (赵化冰 at two events, 蚂蚁集团 across five years) and a frab schedule.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use talksearch::server::{app, AppState};

use crate::util::{build_state, test_data};

/// The test pages, a recap page that lists the seed summit's TLS talk again, and a frab schedule
/// with times in Europe/Brussels, indexed once.
fn state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let data = test_data();
            let recap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fixtures/recap");
            build_state(&[data.join("pages"), data.join("schedules/frab-current.xml"), recap])
        })
        .clone()
}

/// Status, content type and body of `GET uri`.
async fn fetch(uri: &str) -> (StatusCode, String, String) {
    let request = Request::get(uri).header("host", "talks.example").body(Body::empty()).unwrap();
    let response = app(state()).oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, kind, body) = fetch(uri).await;
    assert!(kind.starts_with("application/json"), "{uri}: {kind}");
    (status, serde_json::from_str(&body).unwrap())
}

/// `%`-encodes `s` for a path segment or a query value.
fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The id of the one speaker named `name` at the company with id `company`.
async fn speaker_id(name: &str, company: &str) -> String {
    let (status, list) = get(&format!("/api/speakers?q={}", enc(name))).await;
    assert_eq!(status, StatusCode::OK);
    let people = list["speakers"].as_array().unwrap();
    let found: Vec<&Value> = people.iter().filter(|p| p["company"]["id"] == company).collect();
    assert_eq!(found.len(), 1, "{list:#}");
    found[0]["id"].as_str().unwrap().to_string()
}

/// The id of the first hit of `q`.
async fn talk_id(q: &str) -> String {
    let (_, body) = get(&format!("/api/search?q={}", enc(q))).await;
    body["hits"][0]["id"].as_str().unwrap_or_else(|| panic!("no hit for {q}")).to_string()
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[field].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn every_listed_speaker_has_a_stable_id() {
    let (_, list) = get("/api/speakers?company=%E8%85%BE%E8%AE%AF").await;
    for person in list["speakers"].as_array().unwrap() {
        let id = person["id"].as_str().unwrap();
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{person}");
    }
    // The same person in an index of other data (the seed page alone) has the same id.
    let zhao = speaker_id("赵化冰", "tencent-cloud").await;
    let seed = crate::util::seed().engine.speakers(None, Some("赵化冰"), 10).speakers;
    assert_eq!(seed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [zhao.as_str()]);
    assert_eq!(zhao, talksearch::speakers::speaker_id("赵化冰", Some("tencent-cloud")));
    // The speakers of one talk, in its order.
    let aeraki = talk_id("Aeraki Mesh 冬奥会").await;
    let (_, of_talk) = get(&format!("/api/speakers?talk={aeraki}")).await;
    assert_eq!(strings(&of_talk["speakers"], "name"), ["赵化冰", "覃士林"]);
    assert_eq!(of_talk["speakers"][0]["id"], zhao);
    let (_, none) = get("/api/speakers?talk=nope").await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn zhao_huabings_page_shows_his_talks_and_tencent_cloud_within_tencent() {
    let id = speaker_id("赵化冰", "tencent-cloud").await;
    let (status, page) = get(&format!("/api/speakers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["id"], id);
    assert_eq!(page["name"], "赵化冰");
    assert_eq!(page["other_names"], serde_json::json!(["zhaohuabing"]));
    assert_eq!(page["company"], serde_json::json!({"id": "tencent-cloud", "name": "腾讯云"}));
    assert_eq!(
        page["companies"],
        serde_json::json!([{
            "id": "tencent-cloud", "name": "腾讯云", "status": "current", "dates": ["2022-02-22"], "talks": 1,
            "within": [{"id": "tencent", "name": "腾讯"}]
        }])
    );
    assert_eq!(strings(&page["talks"], "title"), ["Aeraki Mesh 在冬奥会视频应用中的产品落地实践"]);
    assert_eq!(page["talks"][0]["event"]["title"], "Service Mesh Summit 服务网格峰会 2022");
    assert_eq!(page["talks"][0]["event"]["date"], "2022-02-22");
    assert_eq!(strings(&page["co_speakers"], "name"), ["覃士林"]);
    assert_eq!(page["co_speakers"][0]["company"]["id"], "tencent");
    assert_eq!(strings(&page["events"], "title"), ["Service Mesh Summit 服务网格峰会 2022"]);
    let words = strings(&page["words"], "word");
    assert_eq!(words.first().map(String::as_str), Some("Aeraki"), "{words:?}");
    assert!(words.contains(&"冬奥会".to_string()), "{words:?}");
    assert!(!words.iter().any(|w| w == "赵化冰" || w == "腾讯云"), "never their own name or company: {words:?}");
    // His 2019 talk names him at 中兴通讯: the pages do not say that is the same person, so he is
    // a namesake, linked both ways.
    let zte = speaker_id("赵化冰", "zte").await;
    assert_eq!(strings(&page["namesakes"], "id"), [zte.as_str()]);
    let (_, other) = get(&format!("/api/speakers/{zte}")).await;
    assert_eq!(strings(&other["talks"], "title"), ["服务网格技术在5G网络管理平台中的落地实践"]);
    assert_eq!(strings(&other["namesakes"], "id"), [id.as_str()]);

    // 腾讯云 is within 腾讯: its page links the parent, the parent's page lists it and its people.
    let (_, cloud) = get("/api/companies/tencent-cloud").await;
    assert_eq!(cloud["name"], "腾讯云");
    assert_eq!(cloud["parent"], serde_json::json!({"id": "tencent", "name": "腾讯"}));
    assert_eq!(strings(&cloud["speakers"], "name"), ["赵化冰"]);
    let (_, tencent) = get(&format!("/api/companies/{}", enc("腾讯"))).await;
    assert_eq!(tencent["id"], "tencent");
    assert_eq!(tencent["parent"], Value::Null);
    assert_eq!(tencent["subsidiaries"], serde_json::json!([{"id": "tencent-cloud", "name": "腾讯云"}]));
    let people: Vec<(String, String)> = tencent["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["company"]["name"].as_str().unwrap().to_string()))
        .collect();
    assert!(people.contains(&("赵化冰".into(), "腾讯云".into())), "{people:?}");
    assert!(people.contains(&("覃士林".into(), "腾讯".into())), "{people:?}");
}

#[tokio::test]
async fn ant_groups_page_is_reached_by_its_former_name() {
    let (status, page) = get(&format!("/api/companies/{}", enc("蚂蚁金服"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["id"], "ant-group");
    assert_eq!(page["name"], "蚂蚁集团");
    assert!(page["aliases"].as_array().unwrap().contains(&Value::from("蚂蚁金服")));
    assert_eq!(page["parent"], Value::Null);
    assert_eq!(page["subsidiaries"], serde_json::json!([{"id": "alipay", "name": "支付宝"}]));
    // Talks as the company filter counts them, and per year (one page dates its talk only in its text).
    let (_, search) = get(&format!("/api/search?company={}", enc("蚂蚁集团"))).await;
    assert_eq!(page["talks"], search["total"]);
    assert_eq!(page["talks"], 18);
    assert_eq!(
        page["years"],
        serde_json::json!([
            {"year": 2018, "talks": 1}, {"year": 2019, "talks": 9}, {"year": 2021, "talks": 5}, {"year": 2022, "talks": 3}
        ])
    );
    let speakers = strings(&page["speakers"], "name");
    assert_eq!(speakers.len(), 16, "{speakers:?}");
    assert_eq!(speakers[..3], ["敖小剑", "李旭东", "石建伟"], "most talks first");
    assert_eq!(strings(&page["former_speakers"], "name"), ["宋净", "敖小剑"], "bios that say they were at Ant before");
    let years: Vec<u64> =
        page["topics_by_year"].as_array().unwrap().iter().map(|y| y["year"].as_u64().unwrap()).collect();
    assert_eq!(years, [2022, 2021, 2019, 2018]);
    let topics = strings(&page["topics"], "word");
    assert!(topics.contains(&"SOFAStack".to_string()) && topics.contains(&"Serverless".to_string()), "{topics:?}");
    assert!(!topics.iter().any(|w| w.contains("蚂蚁")), "not its own name: {topics:?}");
    assert_eq!(page["events"][0]["title"], "SOFA 四周年，开源正当时！");
    assert_eq!(page["recent"][0]["event"]["date"], "2022-04-16");
    // By id, by its English name: the same page.
    for name in ["ant-group", "Ant%20Group"] {
        let (_, same) = get(&format!("/api/companies/{name}")).await;
        assert_eq!(same, page, "{name}");
    }
}

#[tokio::test]
async fn unknown_ids_are_404_with_the_apis_error_body() {
    let cases = [
        ("/api/speakers/nope", "no speaker with id \"nope\""),
        ("/api/companies/no-such-company", "no company with id \"no-such-company\""),
        ("/api/talks/nope/similar", "no talk with id \"nope\""),
        ("/api/talks/nope.ics", "no talk with id \"nope\""),
    ];
    for (uri, message) in cases {
        let (status, body) = get(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(body, serde_json::json!({ "error": message }), "{uri}");
    }
    let aeraki = talk_id("Aeraki Mesh 冬奥会").await;
    let (status, body) = get(&format!("/api/talks/{aeraki}.ics")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], format!("the talk \"{aeraki}\" has no date and time to put in a calendar"));
    let (status, body) = get("/api/speakers/x?limit=1").await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (StatusCode::BAD_REQUEST, "unknown parameter \"limit\"; this route takes no parameters")
    );
}

#[tokio::test]
async fn talks_like_this_are_other_talks_never_another_listing() {
    let aeraki = talk_id("Aeraki Mesh 冬奥会").await;
    let (status, similar) = get(&format!("/api/talks/{aeraki}/similar")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(similar["id"], aeraki);
    let ids = strings(&similar["talks"], "id");
    assert_eq!(ids.len(), 5, "{similar:#}");
    assert!(!ids.contains(&aeraki));
    let titles = strings(&similar["talks"], "title");
    assert!(titles.iter().any(|t| t.contains("Istio")), "{titles:?}");
    assert!(similar["took_ms"].as_f64().unwrap() < 50.0, "{similar:#}");
    let (_, two) = get(&format!("/api/talks/{aeraki}/similar?limit=2")).await;
    assert_eq!(strings(&two["talks"], "id"), ids[..2]);

    // The TLS talk is listed on the summit's page and on a recap: neither listing is "like" it,
    // and asking by the recap's id answers for the talk.
    let (_, hits) = get("/api/search?q=TLS%20%E5%8A%A0%E9%80%9F").await;
    let tls = &hits["hits"][0];
    let listing = tls["also_listed"][0]["id"].as_str().unwrap().to_string();
    let head = tls["id"].as_str().unwrap().to_string();
    for asked in [&head, &listing] {
        let (_, similar) = get(&format!("/api/talks/{asked}/similar?limit=20")).await;
        assert_eq!(similar["id"], head.as_str());
        let ids = strings(&similar["talks"], "id");
        assert!(!ids.contains(&head) && !ids.contains(&listing), "{ids:?}");
        assert!(!ids.is_empty());
    }
}

#[tokio::test]
async fn talks_like_an_english_talk_include_chinese_ones() {
    let (_, hits) = get("/api/search?q=IstioCon%202021&lang=en").await;
    let english = hits["hits"][0]["id"].as_str().unwrap().to_string();
    let (_, similar) = get(&format!("/api/talks/{english}/similar?limit=10")).await;
    let languages = strings(&similar["talks"], "language");
    assert!(languages.iter().any(|l| l == "zh"), "{similar:#}");
}

/// The events of a calendar: (UID, DTSTART as written, its TZID, SUMMARY).
fn calendar_events(text: &str) -> Vec<(String, String, String, String)> {
    use icalendar::Component;
    let calendar = icalendar::Calendar::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    calendar
        .events()
        .map(|e| {
            let start = e.properties().get("DTSTART").expect("a start");
            let tzid = start.params().get("TZID").map(|p| p.value().to_string()).unwrap_or_default();
            (e.get_uid().unwrap().into(), start.value().into(), tzid, e.get_summary().unwrap().into())
        })
        .collect()
}

#[tokio::test]
async fn a_searchs_calendar_has_its_talks_at_their_local_times() {
    let (status, kind, text) = fetch("/api/search.ics?event=TestConf%202025").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "text/calendar; charset=utf-8");
    let mut events = calendar_events(&text);
    events.sort_by(|a, b| a.1.cmp(&b.1));
    let starts: Vec<(&str, &str, &str)> = events.iter().map(|e| (e.1.as_str(), e.2.as_str(), e.3.as_str())).collect();
    assert_eq!(
        starts,
        [
            ("20250201T100000", "Europe/Brussels", "Memory safety without a garbage collector"),
            ("20250202T013000", "Europe/Brussels", "Night owls: debugging after midnight"),
        ],
        "{text}"
    );
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\nBEGIN:STANDARD\r\n"), "{text}");
    assert!(text.contains("TZOFFSETTO:+0100\r\n"), "{text}");
    // One talk's calendar.
    let (_, kind, one) = fetch(&format!("/api/talks/{}.ics", events[1].0.trim_end_matches("@talksearch"))).await;
    assert!(kind.starts_with("text/calendar"));
    let one = calendar_events(&one);
    assert_eq!(one.len(), 1);
    assert_eq!((one[0].1.as_str(), one[0].3.as_str()), ("20250202T013000", "Night owls: debugging after midnight"));
    // Talks with no time (the pages' talks) are left out; the calendar is still one.
    let (status, _, text) = fetch(&format!("/api/search.ics?q={}", enc("服务网格"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(calendar_events(&text).is_empty());
    let (status, body) = get("/api/search.ics?limit=0").await;
    assert_eq!((status, body["error"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "limit must be between 1 and 100"));
}

#[tokio::test]
async fn a_searchs_atom_feed_is_valid_xml_with_the_newest_talks() {
    let (status, kind, xml) = fetch(&format!("/api/search.atom?company={}&limit=3", enc("蚂蚁集团"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/atom+xml; charset=utf-8");
    // Well-formed XML: every element read to the end.
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut elements = 0;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not XML: {e}\n{xml}")) {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(_) => elements += 1,
            _ => {}
        }
    }
    assert!(elements > 10);
    let feed = atom_syndication::Feed::from_str(&xml).unwrap();
    assert_eq!(feed.title().as_str(), "talksearch: company 蚂蚁集团");
    let self_link = &feed.links()[0];
    assert_eq!(
        (self_link.rel(), self_link.href()),
        ("self", "http://talks.example/api/search.atom?company=%E8%9A%82%E8%9A%81%E9%9B%86%E5%9B%A2&limit=3")
    );
    assert_eq!(feed.links()[1].href(), "http://talks.example/?company=%E8%9A%82%E8%9A%81%E9%9B%86%E5%9B%A2");
    let entries: Vec<(String, String)> = feed
        .entries()
        .iter()
        .map(|e| (e.title().as_str().to_string(), e.updated().format("%Y-%m-%d").to_string()))
        .collect();
    // The company page's newest talks, in its order.
    let (_, page) = get("/api/companies/ant-group").await;
    let newest: Vec<(String, String)> = page["recent"].as_array().unwrap()[..3]
        .iter()
        .map(|t| (t["title"].as_str().unwrap().to_string(), t["event"]["date"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(entries, newest);
    assert_eq!(entries[2], ("蚂蚁集团 Service Mesh 进展回顾与展望".to_string(), "2022-02-22".to_string()));
    let first = &feed.entries()[0];
    assert_eq!(first.id(), format!("urn:talksearch:talk:{}", page["recent"][0]["id"].as_str().unwrap()));
    assert_eq!(
        first.links()[0].href(),
        format!("http://talks.example/?talk={}", page["recent"][0]["id"].as_str().unwrap())
    );
}
