//! Speakers by company, whichever way the company is written: the seed page's people.

use axum::http::StatusCode;
use serde_json::Value;

use talksearch::search::Filters;
use talksearch::SearchRequest;

use crate::util::seed;

fn names(company: &str) -> Vec<String> {
    let state = seed();
    let mut names: Vec<String> =
        state.engine.speakers(Some(company), None, 100).speakers.into_iter().map(|s| s.name).collect();
    names.sort();
    names
}

#[test]
fn the_seed_pages_speakers_by_company_in_any_alias() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["Tencent", "腾讯", "腾讯云", "tencent cloud"], &["覃士林", "赵化冰"]),
        (&["Intel", "英特尔", "INTEL"], &["胡伟", "赵复生"]),
        (&["阿里", "Alibaba", "阿里云", "Aliyun"], &["曾宇星"]),
        (&["ByteDance", "字节跳动"], &["徐佳玮"]),
        (&["Ant Group", "蚂蚁集团", "蚂蚁金服"], &["石建伟"]),
        (&["NetEase", "网易", "网易数帆"], &["方志恒"]),
        (&["API7", "api7.ai", "ＡＰＩ７", "支流科技"], &["张晋涛"]),
        (&["Flomesh", "flomesh"], &["张晓辉"]),
        (&["Tetrate"], &["胡渐飞"]),
        (&["Microsoft"], &[]),
    ];
    for (aliases, want) in cases {
        for alias in *aliases {
            assert_eq!(names(alias), *want, "company={alias}");
        }
    }
}

#[test]
fn a_former_employer_is_marked_as_former() {
    let state = seed();
    let hu = state.engine.speakers(None, Some("胡渐飞"), 10).speakers;
    assert_eq!(hu.len(), 1);
    assert_eq!(hu[0].company.as_ref().map(|c| c.id.as_str()), Some("tetrate"));
    assert_eq!(hu[0].former_companies.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["google"]);
    assert!(names("Google").is_empty(), "a former employer is not the current company");
}

#[test]
fn keyword_search_matches_companies_in_any_alias() {
    let state = seed();
    let titles = |q: &str| -> Vec<String> {
        let req = SearchRequest { q: q.into(), limit: 20, ..Default::default() };
        let mut t: Vec<String> = state.engine.search(&req).unwrap().hits.into_iter().map(|h| h.title).collect();
        t.sort();
        t
    };
    assert_eq!(titles("Tencent"), ["Aeraki Mesh 在冬奥会视频应用中的产品落地实践"]);
    assert_eq!(titles("Intel"), ["服务网格中 TLS 的加速和优化"]);
    let req = SearchRequest {
        q: String::new(),
        limit: 20,
        filters: Filters { company: Some("腾讯".into()), ..Default::default() },
        ..Default::default()
    };
    let res = state.engine.search(&req).unwrap();
    assert_eq!(res.total, 1);
    assert_eq!(res.hits[0].title, "Aeraki Mesh 在冬奥会视频应用中的产品落地实践");
}

async fn get(uri: &str) -> (StatusCode, Value) {
    crate::util::get_json(seed(), uri).await
}

#[tokio::test]
async fn speakers_and_companies_over_http() {
    let (status, body) = get("/api/speakers?company=%E8%85%BE%E8%AE%AF%E4%BA%91").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 2);
    let zhao = body["speakers"].as_array().unwrap().iter().find(|s| s["name"] == "赵化冰").unwrap();
    assert_eq!(zhao["company"]["id"], "tencent-cloud");
    assert_eq!(zhao["company_text"], "腾讯云");
    assert_eq!(zhao["talks"][0]["title"], "Aeraki Mesh 在冬奥会视频应用中的产品落地实践");

    let (status, body) = get("/api/companies").await;
    assert_eq!(status, StatusCode::OK);
    let companies = body["companies"].as_array().unwrap();
    let tencent = companies.iter().find(|c| c["id"] == "tencent").unwrap();
    assert_eq!((tencent["speakers"].as_u64(), tencent["talks"].as_u64()), (Some(2), Some(1)));
    assert!(tencent["aliases"].as_array().unwrap().iter().any(|a| a == "Tencent"));

    let (status, body) = get("/api/search?q=Istio&company=Tetrate").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 1);
    let (_, body) = get("/api/search?q=%E6%9C%8D%E5%8A%A1%E7%BD%91%E6%A0%BC").await;
    let facet = body["facets"]["company"].as_array().unwrap();
    assert!(facet.iter().any(|f| f["id"] == "intel" && f["value"] == "英特尔" && f["count"] == 1), "{facet:#?}");
    assert_eq!(body["facets"]["year"][0], serde_json::json!({"value": "2022", "id": "2022", "count": 9}));

    let (status, body) = get("/api/speakers?team=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unknown parameter \"team\"; known parameters: company, q, limit, talk");
}

/// A bio naming two current employers (kubesphere hangzhou0323: `大连易衡科技有限公司架构师，Flomesh
/// 云原生架构师`) finds the person under each, in search, the company filter and the speakers list;
/// a nickname (`讲师：蚂蚁集团技术专家 赵真灵（花名：有济）`) finds the talk as the name does.
#[test]
fn second_employers_and_nicknames_are_searchable() {
    let pages = crate::util::test_data().join("pages");
    let state = crate::util::build_state(&[
        pages.join("kubesphere-hangzhou0323-flomesh.md"),
        pages.join("sofastack-four-years-of-open-source.md"),
    ]);
    let filtered = |company: &str| -> Vec<String> {
        let req = SearchRequest {
            q: String::new(),
            limit: 20,
            filters: Filters { company: Some(company.into()), ..Default::default() },
            ..Default::default()
        };
        state.engine.search(&req).unwrap().hits.into_iter().map(|h| h.title).collect()
    };
    assert_eq!(filtered("Flomesh"), ["混合环境下服务治理新模式"]);
    assert_eq!(filtered("大连易衡科技有限公司"), ["混合环境下服务治理新模式"]);
    let speakers = |company: &str| -> Vec<String> {
        state.engine.speakers(Some(company), None, 10).speakers.into_iter().map(|s| s.name).collect()
    };
    assert_eq!(speakers("flomesh"), ["陆嘉琪"]);
    assert_eq!(speakers("大连易衡科技有限公司"), ["陆嘉琪"]);
    let search = |q: &str| -> Vec<String> {
        let req = SearchRequest { q: q.into(), limit: 20, ..Default::default() };
        state.engine.search(&req).unwrap().hits.into_iter().map(|h| h.title).collect()
    };
    assert_eq!(search("Flomesh 服务治理"), ["混合环境下服务治理新模式"]);
    assert_eq!(search("有济"), ["Ark Serverless 体系助力业务极速研发"]);
    assert_eq!(search("人德"), ["MOSN 1.0 发布，开启新一代架构演进"]);
    let zhao = state.engine.speakers(None, Some("赵真灵"), 10).speakers;
    assert_eq!(zhao.len(), 1);
    assert_eq!(zhao[0].other_names, ["有济"]);
    assert_eq!(zhao[0].company.as_ref().map(|c| c.id.as_str()), Some("ant-group"));
}
