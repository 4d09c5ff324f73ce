//! Search behaviour on the seed page (and a few shipped talks): exact talks for real queries.

use talksearch::search::Filters;
use talksearch::SearchRequest;

use std::path::Path;

use crate::util::{build_state, seed, seed_page, titles};

#[test]
fn service_mesh_in_chinese_ranks_the_mesh_talks_first() {
    let state = seed();
    let got = titles(&state.engine, "服务网格", 20);
    // Every talk of the seed is at the 服务网格峰会, so all match through the event title; the four
    // whose titles say 服务网格 come first.
    let mut top4 = got[..4].to_vec();
    top4.sort();
    assert_eq!(
        top4,
        [
            "从开源 Istio 到企业级服务：如何在企业中落地服务网格",
            "如何实现 Istio 服务网格自定义扩展功能",
            "服务网格中 TLS 的加速和优化",
            "轻舟服务网格的无侵入增强 Istio 经验",
        ],
        "{got:#?}"
    );
}

#[test]
fn istio_returns_exactly_the_three_istio_talks() {
    let state = seed();
    let mut got = titles(&state.engine, "Istio", 20);
    got.sort();
    assert_eq!(
        got,
        [
            "从开源 Istio 到企业级服务：如何在企业中落地服务网格",
            "如何实现 Istio 服务网格自定义扩展功能",
            "轻舟服务网格的无侵入增强 Istio 经验"
        ]
    );
    assert_eq!(titles(&state.engine, "istio", 20).len(), 3, "Latin words match in any case");
}

#[test]
fn company_and_product_names() {
    let state = seed();
    assert_eq!(titles(&state.engine, "字节跳动", 20)[0], "字节跳动 Service Mesh 性能优化的实践与思考");
    assert_eq!(titles(&state.engine, "APISIX", 20)[0], "Apache APISIX 借助 Service Mesh 实现统一技术栈的全流量管理");
    assert_eq!(titles(&state.engine, "Crypto Acceleration", 5)[0], "服务网格中 TLS 的加速和优化");
    // How people type a company: 字节 for ByteDance, a query alias that is never looked for in bios.
    assert_eq!(titles(&state.engine, "字节", 5)[0], "字节跳动 Service Mesh 性能优化的实践与思考");
    assert_eq!(titles(&state.engine, "ByteDance", 5)[0], "字节跳动 Service Mesh 性能优化的实践与思考");
    let filters = talksearch::search::Filters { company: Some("字节".into()), ..Default::default() };
    let by_filter = state.engine.search(&SearchRequest { q: String::new(), limit: 5, filters, ..Default::default() });
    let by_filter: Vec<String> = by_filter.unwrap().hits.into_iter().map(|h| h.title).collect();
    assert_eq!(by_filter, ["字节跳动 Service Mesh 性能优化的实践与思考"]);
}

#[test]
fn mixed_query_requires_every_word() {
    let state = seed();
    let got = titles(&state.engine, "Service Mesh 性能优化", 20);
    assert_eq!(got[0], "字节跳动 Service Mesh 性能优化的实践与思考", "{got:#?}");
}

#[test]
fn speaker_names_are_searchable() {
    let state = seed();
    assert_eq!(titles(&state.engine, "赵化冰", 5), ["Aeraki Mesh 在冬奥会视频应用中的产品落地实践"]);
    assert_eq!(titles(&state.engine, "石建伟", 5), ["蚂蚁集团 Service Mesh 进展回顾与展望"]);
}

#[test]
fn phrases_and_exclusions() {
    let state = seed();
    let got = titles(&state.engine, "Istio -slime", 20);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(!got.contains(&"轻舟服务网格的无侵入增强 Istio 经验".to_string()));
    assert_eq!(titles(&state.engine, "\"Crypto Acceleration\"", 5), ["服务网格中 TLS 的加速和优化"]);
    assert!(titles(&state.engine, "\"Acceleration Crypto\"", 5).is_empty(), "a phrase keeps its order");
    // Excluding a phrase (what tantivy's debug assertion tripped on).
    assert_eq!(titles(&state.engine, "APISIX -\"Crypto Acceleration\"", 5).len(), 1);
    assert!(titles(&state.engine, "APISIX -\"全流量管理\"", 5).is_empty());
}

#[test]
fn when_no_talk_has_every_word_the_query_is_relaxed() {
    let state = seed();
    let req = SearchRequest { q: "Istio kubernetesxyz".into(), limit: 10, ..Default::default() };
    let res = state.engine.search(&req).unwrap();
    assert!(res.relaxed);
    assert_eq!(res.total, 3);
    // Words no talk has are not among those to have most of: Istio is all that can match.
    let req = SearchRequest { q: "Istio 刺绣 编织".into(), limit: 10, ..Default::default() };
    let res = state.engine.search(&req).unwrap();
    assert_eq!(res.total, 3, "{:?}", res.hits.iter().map(|h| &h.title).collect::<Vec<_>>());
    assert!(res.hits.iter().all(|h| h.title.contains("Istio")));
    let req = SearchRequest { q: "Istio slime".into(), limit: 10, ..Default::default() };
    let res = state.engine.search(&req).unwrap();
    assert!(!res.relaxed);
    assert_eq!(res.total, 1);
}

#[test]
fn stray_syntax_never_fails() {
    let state = seed();
    for q in [
        "\"Istio",
        "Istio)",
        "(服务网格",
        "[]{}",
        "AND OR NOT",
        "title:",
        ":::",
        "-",
        "\"\"",
        "Istio^2",
        "*",
        "a~2",
        "\u{0}",
    ] {
        let req = SearchRequest { q: q.into(), limit: 5, ..Default::default() };
        state.engine.search(&req).unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}

#[test]
fn highlights_are_marked_and_escaped() {
    let state = seed();
    let req = SearchRequest { q: "TLS".into(), limit: 1, ..Default::default() };
    let hit = &state.engine.search(&req).unwrap().hits[0];
    assert_eq!(hit.highlights["title"], "服务网格中 <mark>TLS</mark> 的加速和优化");
    assert!(hit.highlights["abstract"].contains("<mark>TLS</mark>"), "{:?}", hit.highlights);
    let req = SearchRequest { q: "服务网格".into(), limit: 20, ..Default::default() };
    let res = state.engine.search(&req).unwrap();
    let tls = res.hits.iter().find(|h| h.title == "服务网格中 TLS 的加速和优化").unwrap();
    assert_eq!(tls.highlights["title"], "<mark>服务网格</mark>中 TLS 的加速和优化");
}

#[test]
fn pagination_is_consistent() {
    let state = seed();
    let all = titles(&state.engine, "服务网格", 20);
    let req = SearchRequest { q: "服务网格".into(), limit: 2, offset: 1, ..Default::default() };
    let page: Vec<String> = state.engine.search(&req).unwrap().hits.into_iter().map(|h| h.title).collect();
    assert_eq!(page, all[1..3]);
}

#[test]
fn filters_without_a_query_list_matching_talks() {
    let state = seed();
    let req = SearchRequest {
        q: String::new(),
        limit: 20,
        filters: Filters { years: Some((2022, 2022)), ..Default::default() },
        ..Default::default()
    };
    assert_eq!(state.engine.search(&req).unwrap().total, 9);
    let req = SearchRequest {
        q: String::new(),
        limit: 20,
        filters: Filters { years: Some((2019, 2020)), ..Default::default() },
        ..Default::default()
    };
    assert_eq!(state.engine.search(&req).unwrap().total, 0);
}

#[test]
fn talks_are_found_by_id() {
    let state = seed();
    let req = SearchRequest { q: "TLS".into(), limit: 1, ..Default::default() };
    let id = state.engine.search(&req).unwrap().hits[0].id.clone();
    let talk = state.engine.get(&id).unwrap().expect("the talk exists");
    assert_eq!(talk.title, "服务网格中 TLS 的加速和优化");
    assert_eq!(talk.speakers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["胡伟", "赵复生"]);
    assert!(state.engine.get("nope").unwrap().is_none());
}

#[test]
fn traditional_chinese_finds_simplified_talks() {
    let state = seed();
    assert_eq!(titles(&state.engine, "服務網格", 20), titles(&state.engine, "服务网格", 20));
    assert_eq!(titles(&state.engine, "位元組跳動 字節跳動", 3)[0], "字节跳动 Service Mesh 性能优化的实践与思考");
}

#[test]
fn a_word_inside_a_longer_word_is_found() {
    let state = seed();
    // 网格 only occurs inside 服务网格 on the seed page.
    let got = titles(&state.engine, "网格", 20);
    assert!(got.contains(&"服务网格中 TLS 的加速和优化".to_string()), "{got:#?}");
    let res = state.engine.search(&SearchRequest { q: "网格".into(), limit: 20, ..Default::default() }).unwrap();
    let tls = res.hits.iter().find(|h| h.title == "服务网格中 TLS 的加速和优化").unwrap();
    assert_eq!(tls.highlights["title"], "服务<mark>网格</mark>中 TLS 的加速和优化");
}

#[test]
fn english_terms_find_chinese_talks_below_english_ones() {
    let state = seed();
    let got = titles(&state.engine, "observability", 20);
    assert!(got.is_empty(), "no talk of the seed is about 可观测性: {got:#?}");
    // 服务网格 talks are found by "service mesh"; talks saying Service Mesh come first.
    let got = titles(&state.engine, "service mesh", 20);
    assert_eq!(got.len(), 9, "{got:#?}");
    let first_chinese_only = got.iter().position(|t| t == "服务网格中 TLS 的加速和优化").unwrap();
    let last_english = got.iter().rposition(|t| t.contains("Service Mesh")).unwrap();
    assert!(last_english < first_chinese_only, "{got:#?}");
}

#[test]
fn common_english_title_words_find_their_chinese() {
    // experience → 经验 and application → 应用 (data/lexicon/common_to_zh.tsv): every word of these
    // English queries matches a Chinese talk, with no relaxing.
    let state = seed();
    for (q, expected) in [
        ("Istio experience", "轻舟服务网格的无侵入增强 Istio 经验"),
        ("video application", "Aeraki Mesh 在冬奥会视频应用中的产品落地实践"),
    ] {
        let res = state.engine.search(&SearchRequest { q: q.into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(serde_json::to_value(res.matched).unwrap(), "all", "{q}");
        assert_eq!(res.hits.first().map(|h| h.title.as_str()), Some(expected), "{q}");
    }
}

#[test]
fn a_term_no_talk_says_as_typed_counts_fully_through_its_translation() {
    // 上下文管理器 (glossary: context manager) is in no Chinese talk, so its translation is the only
    // way it matches and counts as much as the words would; 怎么 is a question word, and 写 alone
    // must not put a Chinese talk that says 寫 above the context manager talks.
    let pyvideo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus/en/pyvideo");
    let state = build_state(&["pycon-tw-2023", "pybay-2025", "pyohio-2021"].map(|event| pyvideo.join(event)));
    let res = state
        .engine
        .search(&SearchRequest { q: "上下文管理器怎么写".into(), limit: 10, ..Default::default() })
        .unwrap();
    assert_eq!(serde_json::to_value(res.matched).unwrap(), "most");
    let titles: Vec<&str> = res.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(
        titles[..3],
        ["Context Managers", "The Enters and Exits of Context Managers", "用 Pickle 寫程式是否搞錯了什麼？"]
    );
}

#[test]
fn a_long_query_with_too_few_talks_then_lists_those_with_any_of_its_words() {
    // layotto 到底该怎么用才不踩坑: three words to match (layotto, 踩, 坑). One talk has two of them (踩坑);
    // too few, so the talks with any one of them follow, and the four that name Layotto are found.
    let activities = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus/zh/sofastack.tech/content/zh/activities");
    let pages = ["service-mesh-meetup-9", "sofa-meetup-10", "sofa-anniversary-5", "sofa-6th-anniversary"];
    let mut paths: Vec<_> = pages.iter().map(|page| activities.join(page).join("index.md")).collect();
    paths.push(seed_page());
    let state = build_state(&paths);
    let search =
        |q: &str| state.engine.search(&SearchRequest { q: q.into(), limit: 10, ..Default::default() }).unwrap();
    let layotto: Vec<String> = search("layotto").hits.into_iter().map(|h| h.title).collect();
    assert_eq!(layotto.len(), 4, "{layotto:?}");
    let res = search("layotto 到底该怎么用才不踩坑");
    assert_eq!(serde_json::to_value(res.matched).unwrap(), "any");
    assert_eq!(res.total, 5);
    let titles: Vec<String> = res.hits.into_iter().map(|h| h.title).collect();
    assert_eq!(titles[0], "酷家乐的 Istio 与 Knative 踩坑实录", "two of the words before one");
    assert!(layotto.iter().all(|t| titles.contains(t)), "{titles:?}");
}

#[test]
fn a_name_written_apart_finds_the_talk_that_writes_it_as_one() {
    // `spring cloud`: one title writes SpringCloud; no talk has spring and cloud apart.
    let activities = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus/zh/sofastack.tech/content/zh/activities");
    let mut paths: Vec<_> = ["sofa-meetup-2", "sofa-meetup-16", "sofa-meetup-17"]
        .iter()
        .map(|page| activities.join(page).join("index.md"))
        .collect();
    paths.push(seed_page());
    let state = build_state(&paths);
    let res =
        state.engine.search(&SearchRequest { q: "spring cloud".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(serde_json::to_value(res.matched).unwrap(), "all");
    let titles: Vec<&str> = res.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["当 SpringCloud 遇上 SOFAStack"]);
}

#[test]
fn a_chinese_translation_is_found_inside_a_longer_word() {
    // cluster → 集群, which the title 多集群流量调度 says inside 多集群, as a typed 集群 is found there.
    let state = seed();
    let res = state.engine.search(&SearchRequest { q: "cluster".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(res.hits.first().map(|h| h.title.as_str()), Some("多集群流量调度 ——Flomesh"));
    assert_eq!(titles(&state.engine, "集群", 1), ["多集群流量调度 ——Flomesh"]);
}

#[test]
fn typos_in_latin_words_are_corrected_from_the_vocabulary() {
    let state = seed();
    let search =
        |q: &str| state.engine.search(&SearchRequest { q: q.into(), limit: 10, ..Default::default() }).unwrap();
    let res = search("Isito");
    assert_eq!(serde_json::to_value(res.matched).unwrap(), "fuzzy");
    assert_eq!(
        serde_json::to_value(&res.corrections).unwrap(),
        serde_json::json!([{"word": "isito", "to": ["istio"]}])
    );
    assert_eq!(res.total, 3);
    assert!(res.hits.iter().all(|h| h.highlights["title"].contains("<mark>Istio</mark>")), "{:#?}", res.hits);
    // Words the index knows are taken as typed.
    let res = search("APISIX");
    assert_eq!(serde_json::to_value(res.matched).unwrap(), "all");
    assert!(res.corrections.is_empty());
    // Chinese never matches fuzzily: 服务网络 is not 服务网格.
    let res = search("服务网络");
    assert_ne!(serde_json::to_value(res.matched).unwrap(), "fuzzy");
}

#[test]
fn a_query_with_nothing_searchable_finds_nothing_and_says_why() {
    let state = seed();
    for q in ["😀", "\"", "*", "-", &"x".repeat(101)] {
        let res = state.engine.search(&SearchRequest { q: q.into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!((res.total, res.hits.len()), (0, 0), "{q:?}");
        assert_eq!(
            res.notice.as_deref(),
            Some("nothing in the query can be searched: no words, only symbols"),
            "{q:?}"
        );
    }
    // Exclusions alone still start from every talk.
    let res = state.engine.search(&SearchRequest { q: "-istio".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(res.total, 6);
    assert_eq!(res.notice, None);
}

#[test]
fn field_syntax() {
    let state = seed();
    assert_eq!(titles(&state.engine, "speaker:赵化冰", 5), ["Aeraki Mesh 在冬奥会视频应用中的产品落地实践"]);
    assert_eq!(titles(&state.engine, "Istio speaker:方志恒", 5), ["轻舟服务网格的无侵入增强 Istio 经验"]);
    assert_eq!(titles(&state.engine, "Istio year:2022", 5).len(), 3);
    assert!(titles(&state.engine, "Istio year:2019..2020", 5).is_empty());
    assert_eq!(titles(&state.engine, "event:\"Service Mesh Summit\" TLS", 5), ["服务网格中 TLS 的加速和优化"]);
    // Unknown prefixes and unparsable values are plain text.
    assert_eq!(titles(&state.engine, "year:abc", 5), Vec::<String>::new());
    state.engine.search(&SearchRequest { q: "title: http://x".into(), limit: 5, ..Default::default() }).unwrap();
}

#[test]
fn chinese_speaker_names_by_pinyin() {
    let state = seed();
    assert_eq!(titles(&state.engine, "zhangxiaohui", 5), ["多集群流量调度 ——Flomesh"]);
    assert_eq!(titles(&state.engine, "zxh", 5), ["多集群流量调度 ——Flomesh"]);
    assert_eq!(talksearch::schema::pinyin_forms("赵化冰").as_deref(), Some("zhaohuabing zhb"));
    assert_eq!(talksearch::schema::pinyin_forms("胡伟").as_deref(), Some("huwei"), "no two-letter initials");
    assert_eq!(talksearch::schema::pinyin_forms("Jimmy Song"), None);
}

/// The JSON `/api/search` sends (each hit's fixed fields written once for its talk) is byte for
/// byte what serde writes for the response: asked twice (the second time from the kept JSON), with
/// filters, a notice, pages past the end and no hits.
#[test]
fn the_json_sent_is_the_response_serialized() {
    let state = seed();
    let cases = [
        ("服务网格", 20, 0, Filters::default()),
        ("Istio \"服务网格\" <b>&", 5, 2, Filters::default()),
        ("Service Mesh 性能优化", 10, 0, Filters { company: Some("字节跳动".into()), ..Default::default() }),
        ("istoi", 10, 0, Filters::default()),
        ("no-such-word-anywhere", 10, 0, Filters::default()),
        ("", 3, 0, Filters { lang: Some("zh".into()), ..Default::default() }),
        ("服务网格", 10, 40, Filters::default()),
    ];
    for _ in 0..2 {
        for (q, limit, offset, filters) in &cases {
            let req = SearchRequest { q: q.to_string(), limit: *limit, offset: *offset, filters: filters.clone() };
            let mut response = state.engine.search(&req).unwrap();
            response.notice.get_or_insert_with(|| "a \"notice\"\n".into());
            let sent = String::from_utf8(response.to_json()).unwrap();
            assert_eq!(sent, serde_json::to_string(&response).unwrap(), "{q}");
        }
    }
}
