use std::path::{Path, PathBuf};

use super::blocks::{blocks, clean, Block};
use super::front_matter::strip_notice;
use super::layouts::finish_speaker;
use super::sections::{by_speakers, strip_title_decoration};
use super::speakers::{at_speaker, is_name, name_led, speakers_from};
use super::*;

fn page(name: &str, text: &str) -> Vec<Talk> {
    parse(text, &format!("tests/data/pages/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn titles(talks: &[Talk]) -> Vec<&str> {
    talks.iter().map(|t| t.title.as_str()).collect()
}

fn speaker_names(talks: &[Talk]) -> Vec<&str> {
    talks.iter().flat_map(|t| &t.speakers).map(|s| s.name.as_str()).collect()
}

const SEED: &str = include_str!("../../../tests/data/pages/jimmysong-service-mesh-summit-2022.md");

#[test]
fn seed_page_field_by_field() {
    let talks = page("jimmysong-service-mesh-summit-2022.md", SEED);
    assert_eq!(
        titles(&talks),
        [
            "多集群流量调度 ——Flomesh",
            "Apache APISIX 借助 Service Mesh 实现统一技术栈的全流量管理",
            "从开源 Istio 到企业级服务：如何在企业中落地服务网格",
            "如何实现 Istio 服务网格自定义扩展功能",
            "Aeraki Mesh 在冬奥会视频应用中的产品落地实践",
            "轻舟服务网格的无侵入增强 Istio 经验",
            "服务网格中 TLS 的加速和优化",
            "字节跳动 Service Mesh 性能优化的实践与思考",
            "蚂蚁集团 Service Mesh 进展回顾与展望",
        ]
    );
    let times: Vec<_> = talks.iter().map(|t| t.time.as_deref().unwrap_or("")).collect();
    assert_eq!(
        times,
        [
            "9:00 - 9:45",
            "9:45 - 10:30",
            "10:30 - 11:15",
            "11:15 -12:00", // kept as written
            "13:30 - 14:15",
            "14:15 - 15:00",
            "15:15 - 16:00",
            "16:00 - 16:45",
            "16:45: 17:30", // kept as written
        ]
    );
    assert_eq!(
        speaker_names(&talks),
        ["张晓辉", "张晋涛", "胡渐飞", "曾宇星", "赵化冰", "覃士林", "方志恒", "胡伟", "赵复生", "徐佳玮", "石建伟"]
    );
    // Two paragraphs under **讲师介绍** are two speakers, each with their own bio.
    let tls = &talks[6];
    assert_eq!(tls.speakers.len(), 2);
    assert!(tls.speakers[1].bio.as_deref().unwrap_or("").starts_with("赵复生，英特尔先进技术与软件部门"));
    assert_eq!(
        talks[2].speakers[0].bio.as_deref(),
        Some("胡渐飞，Tetrate 工程师，之前在 Google 从事 Istio 相关开发。")
    );
    assert!(talks.iter().flat_map(|t| &t.speakers).all(|s| s.company.is_none() && s.bio.is_some()));
    let outline_counts: Vec<_> = talks.iter().map(|t| t.outline.len()).collect();
    assert_eq!(outline_counts, [3, 4, 3, 3, 2, 1, 4, 3, 4]);
    assert_eq!(talks[0].outline[0], "背景：集群数量增加带来的跨集群通信问题");
    let takeaway_counts: Vec<_> = talks.iter().map(|t| t.takeaways.len()).collect();
    assert_eq!(takeaway_counts, [3, 3, 1, 3, 1, 5, 1, 1, 2]);
    assert_eq!(talks[0].takeaways[0], "了解跨集群网络通信的整体架构及实现原理");
    assert!(talks[2].takeaways[0].starts_with("Tetrate 作为服务网格的顶级供应商之一"));
    for talk in &talks {
        assert_eq!(talk.language, "zh", "{}", talk.title);
        assert_eq!(talk.id, Talk::make_id(&talk.event.title, &talk.title, ""));
    }
}

#[test]
fn seed_page_event() {
    let talks = page("jimmysong-service-mesh-summit-2022.md", SEED);
    let event = &talks[0].event;
    assert_eq!(event.title, "Service Mesh Summit 服务网格峰会 2022", "the sign-up notice is not the name");
    assert_eq!(event.date.as_deref(), Some("2022-02-22"));
    assert_eq!(event.url.as_deref(), Some("https://www.huodongxing.com/event/8638606076200"));
    assert_eq!(event.location, None);
    assert_eq!(event.source, "tests/data/pages/jimmysong-service-mesh-summit-2022.md");
}

/// Each fixture with the talk titles and speaker names a reader of the page sees, in page order.
#[test]
fn fixtures_give_the_talks_a_reader_sees() {
    struct Case {
        name: &'static str,
        text: &'static str,
        titles: &'static [&'static str],
        speakers: &'static [&'static str],
    }
    macro_rules! case {
        ($name:literal, $titles:expr, $speakers:expr) => {
            Case {
                name: $name,
                text: include_str!(concat!("../../../tests/data/pages/", $name)),
                titles: &$titles,
                speakers: &$speakers,
            }
        };
    }
    let cases = [
        // `### 14:25 - 15:05 title` + `讲师：` + `个人介绍：`; check-in and tea breaks are not talks,
        // the opening address is (it names a speaker).
        case!(
            "jimmysong-cloud-native-meetup-guangzhou.md",
            [
                "开场致辞",
                "死生之地不可不察：论 API 标准化对 Dapr 的重要性",
                "有了 Nginx 和 Kong，为什么还需要 Apache APISIX？",
                "云原生时代的研发效能",
                "37 手游 Go 微服务架构演进和云原生实践",
            ],
            ["宋净", "敖小剑", "温铭", "黄国峰", "吴凌峰"]
        ),
        // `### **bold title**`
        case!(
            "jimmysong-chongqing-meetup.md",
            [
                "端到端 DevOps：从 GitLab Flow 到 GitOps",
                "云原生在 IoT 边缘计算场景应用与实践",
                "DevOps: 从降本增效到业务赋能",
            ],
            ["刘剑桥", "姜仁杰", "张鹄干"]
        ),
        // Bullet metadata `- 嘉宾：` `- 主题：`: the page is one talk.
        case!("jimmysong-istio-big-talk-ep2.md", ["从微服务架构到 Istio——架构升级实践分享"], ["潘天颖"]),
        // `| 时间 | 话题 | 时长 |` with `title，Speaker【中】` cells.
        case!(
            "jimmysong-apachecon-asia-2021.md",
            [
                "如何使用 Apache SkyWalking Log Analysis Language 来进行日志分析",
                "Satellite 如何强化 SkyWalking 生态",
                "使用 Skywalking 监控 Dolphinscheduler",
                "如何使用剖析来弥补分布式追踪的盲区",
                "SkyWalking UI 的低代码模式",
                "使用 SkyWalking 和 APISIX 来增强 Nginx 的可观测性",
            ],
            ["Zhenxu Ke", "Evan", "王海林", "Han Liu", "Qiuxia Fan", "Ming Wen"]
        ),
        // `## 话题` + `[title](video)，speaker，role`.
        case!(
            "jimmysong-event-cloud-native-meetup-chengdu-05.md",
            [
                "开场演讲：欢迎来到云原生社区成都站",
                "Amazon EKS Distro 开源项目解析 & 演示",
                "面向量化投资的 AI 平台 ——AI 赋能投资：打造以大数据 + AI 为核心的下一代投资平台",
                "基于 TiDB 的云原生数据库实践",
                "Layotto: 开启服务网格 + 应用运行时新篇章",
            ],
            ["宋净超", "粟伟", "梁举", "王天宜", "石建伟"]
        ),
        // `#### title` + "Name bio" paragraphs, a co-speaker as a second paragraph.
        case!(
            "jimmysong-event-service-mesh-meetup-04.md",
            [
                "Observability and Istio telemetry",
                "蚂蚁集团 Service Mesh 渐进式迁移方案",
                "探讨和实践基于Isito的微服务治理事件监控",
                "Envoy、Contour与Kubernetes实践",
            ],
            ["吴晟", "敖小剑", "张瑜标", "徐运元", "冯玮"]
        ),
        // English `- Topic:` `- Time:`; the author gives the talk but the page names no one.
        case!("jimmysong-en-istiocon-2021.md", ["Service Mesh in China"], []),
        // sofastack `**《title》**` + `**嘉宾介绍**` + `**议题简介**` + `**听众收获**`.
        case!(
            "sofastack-sofa-meetup-5.md",
            [
                "SOFA 三周年 ---- 一起做些有趣的事儿吧！",
                "机密计算如何为金融级基础设施保驾护航",
                "云原生网络代理 MOSN 新的助推器 —Envoy",
                "新版 SOFARegistry 的多个 10X 提升",
                "服务网格在企业落地的典型场景与实践",
            ],
            ["黄挺", "田洪亮", "王发康", "李旭东", "王磊"]
        ),
        // SOFAChannel: the talk is described under `## 介绍` and again in `## 议程`.
        case!("sofastack-sofa-channel-6.md", ["轻量级监控分析系统 SOFALookout 原理讲解和功能演示"], ["响风"]),
        // kubesphere live page: one talk, titled by the front matter.
        case!(
            "kubesphere-beijing0525-databend.md",
            ["使用 KubeSphere 部署 Databend，极速启动新一代云原生数据分析平台"],
            ["李亚舟"]
        ),
        // `- 赵化冰（中兴通讯网管软件资深专家）：title`
        case!(
            "servicemesher-meetup-2019-10-chengdu.md",
            [
                "服务网格技术在5G网络管理平台中的落地实践",
                "蚂蚁金服网络代理的演进之路",
                "进击的Traefik——云原生边缘路由探秘",
                "Service Mesh下微服务的架构设计",
            ],
            ["赵化冰", "肖涵", "杨川胡", "杨彪"]
        ),
        // `| 时间 | 分享主题 | 分享嘉宾 |`, then a section per talk: each talk once.
        case!(
            "servicemesher-meetup-2020-05-virtual.md",
            [
                "陌陌的 Service Mesh 实践",
                "Apache SkyWalking 在 Service Mesh 中的可观察性应用",
                "Service Mesh 高可用在企业级生产中的实践",
                "Service Mesh 中的可观察性实践",
            ],
            ["高飞航", "高洪涛", "罗广明", "叶志远"]
        ),
        // `### title` + `讲师：` + `个人介绍：` + `议题大纲：` + `听众收益：` numbered lists.
        case!(
            "cloudnativeto-cloud-native-meetup-guangzhou-09.md",
            [
                "云原生应用安全应该从哪几个方向切入？",
                "基于硬件卸载的云原生网关连接平衡实现",
                "Dapr助力开发云原生应用",
                "容器云调度优化及实践",
            ],
            ["马景贺", "戴翔", "张善友", "王琼"]
        ),
    ];
    for case in cases {
        let talks = page(case.name, case.text);
        assert_eq!(titles(&talks), case.titles, "{}", case.name);
        assert_eq!(speaker_names(&talks), case.speakers, "{}", case.name);
    }
}

#[test]
fn fields_of_other_layouts() {
    let text = include_str!("../../../tests/data/pages/kubesphere-beijing0525-databend.md");
    let talk = &page("kubesphere-beijing0525-databend.md", text)[0];
    assert_eq!(talk.time.as_deref(), Some("2024-05-25 14:00-18:00"));
    assert_eq!(talk.event.date.as_deref(), Some("2024-05-25"));
    assert_eq!(talk.event.location.as_deref(), Some("北京 + 线上"));
    assert_eq!(
        talk.outline,
        ["Databend 简介", "配置 QingStor 对象存储", "在 KubeSphere 上部署 Databend", "使用 Databend 分析用户行为数据"]
    );
    assert_eq!(talk.takeaways.len(), 2);
    assert!(talk.abstract_text.starts_with("Databend 是一个开源、完全面向云架构"));

    let text = include_str!("../../../tests/data/pages/jimmysong-event-cloud-native-meetup-chengdu-05.md");
    let talks = page("jimmysong-event-cloud-native-meetup-chengdu-05.md", text);
    assert_eq!(talks[1].url.as_deref(), Some("https://www.bilibili.com/video/BV1to4y1C7Sm"));
    assert_eq!(talks[4].speakers[0].bio.as_deref(), Some("卓与，蚂蚁集团高级技术专家"));
    assert_eq!(talks[0].event.location.as_deref(), Some("中国成都"));

    let text = include_str!("../../../tests/data/pages/jimmysong-apachecon-asia-2021.md");
    let talks = page("jimmysong-apachecon-asia-2021.md", text);
    assert_eq!(talks[0].time.as_deref(), Some("13:30 - 14:10"));
    // The schedule's 【中】/【英】 tag decides the language.
    let languages: Vec<_> = talks.iter().map(|t| t.language.as_str()).collect();
    assert_eq!(languages, ["zh", "en", "zh", "zh", "en", "zh"]);

    let text = include_str!("../../../tests/data/pages/jimmysong-en-istiocon-2021.md");
    let talk = &page("jimmysong-en-istiocon-2021.md", text)[0];
    assert_eq!(talk.language, "en");
    assert_eq!(talk.time.as_deref(), Some("February 23rd, 10:00 - 10:10 am Beijing time"));
}

/// A one-talk webinar page: the `#` title is the talk; `## 分享嘉宾` names the speaker and `## 详情`
/// holds its outline, neither a talk of its own.
#[test]
fn a_webinar_page_is_one_talk() {
    let text = "# Service Mesh Webinar #1 多点生活在 Service Mesh 上的实践\n\n线上直播活动。\n\n## 分享嘉宾\n\n\
                陈鹏，多点生活平台架构组研发工程师，开源项目与云原生爱好者。\n\n## 详情\n\n**大纲：**\n\n\
                - 传统微服务架构与 Service Mesh 架构\n- Istio 技术点介绍\n";
    let talks = page("webinar.md", text);
    assert_eq!(titles(&talks), ["Service Mesh Webinar #1 多点生活在 Service Mesh 上的实践"]);
    assert_eq!(speaker_names(&talks), ["陈鹏"]);
    assert_eq!(talks[0].outline, ["传统微服务架构与 Service Mesh 架构", "Istio 技术点介绍"]);
}

/// A servicemesher recap: `#### title` sections, each opening with its speaker's "Name job" line.
#[test]
fn sections_introduced_by_their_speakers() {
    let recap = "---\ntitle: 广州站回顾\n---\n\n#### 唯品会 Service Mesh 的实践分享\n\n\
                 郑德惠 唯品会Java资深开发工程师，内部Service Mesh框架负责人，10年电信与互联网后台开发经验。\n\n\
                 #### 在网格的边缘试探——企业 Istio 试水指南\n\n崔秀龙 HPE 软件分析师，Kubernetes 权威指南作者之一\n\n\
                 #### Roundtable：回顾2018，Service Mesh 蓄势待发\n\n陈逸凡、崔秀龙、敖小剑共同参加的圆周讨论环节，解答观众现场提问。\n\n\
                 #### 合作伙伴\n\n腾讯、阿里巴巴等公司提供支持。\n\n## 致谢\n\n感谢以下单位的大力支持。\n";
    let talks = page("recap.md", recap);
    assert_eq!(
        titles(&talks),
        [
            "唯品会 Service Mesh 的实践分享",
            "在网格的边缘试探——企业 Istio 试水指南",
            "Roundtable：回顾2018，Service Mesh 蓄势待发"
        ]
    );
    assert_eq!(speaker_names(&talks), ["郑德惠", "崔秀龙", "陈逸凡", "崔秀龙", "敖小剑"], "companies are nobody");
    let one = "---\ntitle: 招聘\n---\n\n#### 我们在招人\n\n张三 蚂蚁集团资深工程师，团队负责人，欢迎投递简历。\n";
    assert!(page("one.md", one).is_empty(), "one section introduced so is no programme");
}

/// A programme of video links, each `[title - name](video)` (cloudnative.to meetups).
#[test]
fn video_links_ending_in_names() {
    let text = "---\ntitle: 深圳站\n---\n\n## 活动议程\n\n\
                - [使用 IAST 构建高效的 DevSecOps 流程 - 董志勇](https://b.tv/1)\n\
                - [云原生场景下的开发和调试-汪晟杰，黄金浩](https://b.tv/2)\n\
                - [Istio 1.10 - What is new](https://b.tv/3)\n";
    let talks = page("shenzhen.md", text);
    assert_eq!(titles(&talks)[..2], ["使用 IAST 构建高效的 DevSecOps 流程", "云原生场景下的开发和调试"]);
    assert_eq!(speaker_names(&talks), ["董志勇", "汪晟杰", "黄金浩"], "`What is new` is nobody");
    assert_eq!(talks[0].url.as_deref(), Some("https://b.tv/1"));
}

/// A servicemesher recap: each talk a bold `Name（company）：title` line after an ordinal.
#[test]
fn recap_lines_after_an_ordinal() {
    let text = "---\ntitle: 杭州站\n---\n\n开场白。\n\n第一场**敖小剑（蚂蚁金服）：大规模微服务架构下的 Service Mesh 探索之路**\n\n\
                现场观众踊跃提问。\n\n第二场**刘超（网易）：网易云的 Service Mesh 产品架构和实现**\n\n第三名同学发言。\n";
    let talks = page("recap.md", text);
    assert_eq!(titles(&talks), ["大规模微服务架构下的 Service Mesh 探索之路", "网易云的 Service Mesh 产品架构和实现"]);
    assert_eq!(speaker_names(&talks), ["敖小剑", "刘超"]);
    assert_eq!(talks[1].speakers[0].bio.as_deref(), Some("网易"), "the bracket, for the affiliation reader");
}

#[test]
fn speaker_lines_and_companies() {
    let text = "---\ntitle: 杭州站\n---\n\n### 开场致辞\n\n讲师：宋净超（Tetrate 布道师、云原生社区创始人）\n\n\
                ### 使用 Chaos Mesh 来保障云原生系统的健壮性\n\n讲师：周强\n\n公司：PingCAP\n\n\
                讲师介绍：周强，PingCAP 工程效率负责人。\n\n演讲概要：\n\n混沌工程在提高系统稳定性方面起着至关重要的作用。\n\n\
                ### 圆桌环节：Service Mesh 落地的务实与创新\n\n主讲人：鲁直、涵畅、张超盟\n";
    let talks = page("hangzhou.md", text);
    assert_eq!(
        titles(&talks),
        ["开场致辞", "使用 Chaos Mesh 来保障云原生系统的健壮性", "圆桌环节：Service Mesh 落地的务实与创新"]
    );
    let jimmy = &talks[0].speakers[0];
    assert_eq!(jimmy.name, "宋净超");
    assert_eq!(jimmy.bio.as_deref(), Some("Tetrate 布道师、云原生社区创始人"));
    assert_eq!(jimmy.company, None, "bracketed text is not guessed to be a company");
    let zhou = &talks[1].speakers[0];
    assert_eq!(zhou.company.as_deref(), Some("PingCAP"));
    assert_eq!(zhou.bio.as_deref(), Some("周强，PingCAP 工程效率负责人。"));
    assert_eq!(talks[1].abstract_text, "混沌工程在提高系统稳定性方面起着至关重要的作用。");
    assert_eq!(speaker_names(&talks[2..]), ["鲁直", "涵畅", "张超盟"]);
}

#[test]
fn titles_lose_list_numbering_and_stray_marks() {
    let cases = [
        ("五、《Ark Serverless 体系助力业务极速研发》", "Ark Serverless 体系助力业务极速研发"),
        ("二、《蚂蚁服务发现的大规模实践和展望》", "蚂蚁服务发现的大规模实践和展望"),
        (
            "1.1.1字节跳动基于KubeAdmiral的分布式云原生多云多集群管理技术实践",
            "字节跳动基于KubeAdmiral的分布式云原生多云多集群管理技术实践",
        ),
        ("2.1.2 ChaosBlade助力提升系统高可用", "ChaosBlade助力提升系统高可用"),
        ("（三）服务网格落地实践", "服务网格落地实践"),
        ("3、Istio 流量管理", "Istio 流量管理"),
        ("《基于5G管理网络的服务网格实践》》", "基于5G管理网络的服务网格实践"),
        ("基于5G管理网络的服务网格实践》", "基于5G管理网络的服务网格实践"),
        ("《Occlum x EDMM=更安全好用的机密计算 LibOS》——Occlum 社区", "Occlum x EDMM=更安全好用的机密计算 LibOS"),
        (
            "SOFAChannel#33《Occlum x EDMM=更安全好用的机密计算 LibOS》——Occlum 社区",
            "Occlum x EDMM=更安全好用的机密计算 LibOS",
        ),
        ("议题 1：从零到一", "从零到一"),
        // Numbers that are part of the title stay.
        ("37 手游 Go 微服务架构演进和云原生实践", "37 手游 Go 微服务架构演进和云原生实践"),
        ("2022 年云原生趋势", "2022 年云原生趋势"),
        ("2.0 时代的服务网格", "2.0 时代的服务网格"),
        ("5G 网络管理平台", "5G 网络管理平台"),
        ("《云原生操作系统 Kubernetes》作者签售", "《云原生操作系统 Kubernetes》作者签售"),
        ("一、", "一、"),
    ];
    for (raw, want) in cases {
        assert_eq!(strip_title_decoration(raw), want, "{raw}");
    }
}

#[test]
fn event_names_lose_sign_up_notices() {
    let cases = [
        ("Service Mesh Summit 服务网格峰会 2022 正在报名中", "Service Mesh Summit 服务网格峰会 2022"),
        ("云原生社区 Meetup 第四期广州站报名", "云原生社区 Meetup 第四期广州站"),
        ("云原生社区 meetup 第三期杭州站开始报名", "云原生社区 meetup 第三期杭州站"),
        (
            "【活动报名】SOFAMeetup#6 北京站，从数据库到架构，聊透分布式，玩转 Layotto",
            "SOFAMeetup#6 北京站，从数据库到架构，聊透分布式，玩转 Layotto",
        ),
        ("【开源之夏 2023】欢迎报名 MOSN 社区项目！", "【开源之夏 2023】欢迎报名 MOSN 社区项目！"),
        ("报名", "报名"),
    ];
    for (raw, want) in cases {
        assert_eq!(strip_notice(raw), want, "{raw}");
    }
}

/// `讲师：蚂蚁集团技术专家 赵真灵（花名：有济）`: the name, the alias, and the job title as the bio.
#[test]
fn job_titles_and_nicknames_come_off_names() {
    let text = include_str!("../../../tests/data/pages/sofastack-four-years-of-open-source.md");
    let talks = page("sofastack-four-years-of-open-source.md", text);
    assert_eq!(
        titles(&talks),
        [
            "蚂蚁服务发现的大规模实践和展望",
            "蚂蚁集团 Service Mesh 进展回顾与展望",
            "MOSN 1.0 发布，开启新一代架构演进",
            "Ark Serverless 体系助力业务极速研发",
        ]
    );
    let people: Vec<(&str, Vec<&str>, Option<&str>)> = talks
        .iter()
        .flat_map(|t| &t.speakers)
        .map(|s| (s.name.as_str(), s.other_names.iter().map(String::as_str).collect(), s.bio.as_deref()))
        .collect();
    assert_eq!(
        people,
        [
            ("李旭东", vec!["向旭"], Some("蚂蚁集团技术专家，花名：向旭")),
            ("石建伟", vec!["卓与"], Some("蚂蚁集团高级技术专家，花名：卓与")),
            ("朱德江", vec!["人德"], Some("MOSN 核心成员，花名：人德")),
            ("赵真灵", vec!["有济"], Some("蚂蚁集团技术专家，花名：有济")),
            ("刘晶", vec!["飞廉"], Some("蚂蚁集团技术专家，花名：飞廉")),
        ]
    );

    let names = |value: &str| {
        let s = finish_speaker(speakers_from(value).remove(0));
        s.map(|s| (s.name, s.other_names))
    };
    // the speaker value, then the name and other names kept (None: nobody)
    type Case<'a> = (&'a str, Option<(&'a str, &'a [&'a str])>);
    let cases: &[Case] = &[
        ("蚂蚁金服技术总监 杨冰", Some(("杨冰", &[]))),
        ("SOFALab 杰出贡献者 米麒麟", Some(("米麒麟", &[]))),
        ("石建伟（卓与）", Some(("石建伟", &["卓与"]))),
        ("张超盟（华为）", Some(("张超盟", &[]))),
        ("刘超（网易）", Some(("刘超", &[]))),
        ("胡子杰（*花名：致节*）", Some(("胡子杰", &["致节"]))),
        ("赵亚雄博士", Some(("赵亚雄", &[]))),
        ("Various Speakers", None),
        ("TBD", None),
        ("待定", None),
    ];
    for (value, want) in cases {
        let got = names(value);
        let got = got.as_ref().map(|(n, o)| (n.as_str(), o.iter().map(String::as_str).collect::<Vec<_>>()));
        let want = want.map(|(n, o)| (n, o.to_vec()));
        assert_eq!(got, want, "{value}");
    }
    // A bio that goes on after the name, and a role line, are not names.
    assert_eq!(name_led("吕思泉是思科 Webex 产品线 MATS 团队的技术专家", 6).map(|(n, _)| n).as_deref(), Some("吕思泉"));
    // Four characters are a name only with a two-character surname.
    assert_eq!(name_led("介绍通过 Envoy SDS（Secret Discovery Service）实现 Sidecar 证书管理", 4), None);
    assert_eq!(name_led("解决思路:", 6), None);
    assert_eq!(name_led("欧阳娜娜，某公司工程师", 4).map(|(n, _)| n).as_deref(), Some("欧阳娜娜"));
    assert!(!is_name("Dragonfly Maintainer", 6));
    assert!(!is_name("SOFABoot Maintainer", 6));
    assert!(is_name("Zhenxu Ke", 6));
    assert!(is_name("Guido van Rossum", 6));
    assert!(!is_name("In this workshop", 6));
}

#[test]
fn placeholders_are_nobody() {
    for name in ["Various Speakers", "various speakers", "TBD", "TBA", "待定", "嘉宾待定", "To be announced", "(TBD)"]
    {
        assert!(is_placeholder(name), "{name}");
    }
    for name in ["Tad", "张三", "Various", "Todd Bradley"].iter().skip(1) {
        assert!(!is_placeholder(name) || *name == "Various", "{name}");
    }
    let text = "---\ntitle: Meetup\n---\n## 日程\n\n### 10:00 - 10:30 服务网格实践\n\n讲师：待定\n";
    let talks = page("tbd.md", text);
    assert_eq!(titles(&talks), ["服务网格实践"]);
    assert!(talks[0].speakers.is_empty(), "{:?}", talks[0].speakers);
}

/// jimmysong.io event pages: `**9:20 - 10:10 title by 玄北**` in the body, the speakers with a
/// `designation` in the front matter.
#[test]
fn by_lines_and_front_matter_designations() {
    let text = include_str!("../../../tests/data/pages/jimmysong-event-sofastack-cloud-native-workshop.md");
    let talks = page("jimmysong-event-sofastack-cloud-native-workshop.md", text);
    assert_eq!(
        titles(&talks),
        [
            "蚂蚁集团 SOFAStack Cloud Native Workshop（KubeCon China 2019 同场活动）",
            "开场演讲 SOFAStack 云原生开源体系介绍",
            "使用 SOFAStack 快速构建微服务",
            "SOFABoot 动态模块实践",
            "使用 Seata 保障支付一致性",
            "蚂蚁集团的云原生探索与实践",
            "通过 Serverless 快速上云",
            "使用 CloudMesh 轻松实践 Service Mesh",
        ]
    );
    assert_eq!(speaker_names(&talks), ["余淮", "玄北", "卫恒", "屹远", "首仁", "隐秀", "敖小剑"]);
    assert_eq!(talks[2].time.as_deref(), Some("9:20 - 10:10"));
    assert_eq!(talks[2].speakers[0].bio.as_deref(), Some("蚂蚁集团技术专家"));
    assert_eq!(talks[7].speakers[0].bio.as_deref(), Some("蚂蚁集团高级技术专家"));

    // A designation opens a bio the body gives; a listed alias is kept.
    let text = "---\ntitle: 北京站\nspeaker:\n  - name : \"赵新（于雨）\"\n    designation : \"蚂蚁集团，Dubbo Go 社区负责人\"\n  - name : \"高洪涛 \"\n    designation : \"Tetrate 创始工程师\"\n---\n\
                ### Apache/Dubbo-go 在云原生时代的实践与探索\n\n讲师：赵新（于雨）\n\n个人介绍：于雨（GitHub ID AlexStocks），dubbogo 社区负责人\n\n\
                ### 使用 Apache SkyWalking Adapter 实现 K8s HPA\n\n讲师：高洪涛\n";
    let talks = page("beijing.md", text);
    let zhao = &talks[0].speakers[0];
    assert_eq!(zhao.name, "赵新");
    assert_eq!(zhao.other_names, ["于雨"]);
    assert_eq!(
        zhao.bio.as_deref(),
        Some("蚂蚁集团，Dubbo Go 社区负责人\n于雨（GitHub ID AlexStocks），dubbogo 社区负责人")
    );
    assert_eq!(talks[1].speakers[0].bio.as_deref(), Some("Tetrate 创始工程师"));
    assert!(talks.iter().flat_map(|t| &t.speakers).all(|s| s.company.is_none()), "roles and lists are bios");

    // A designation that is only an organisation is the company (the shenzhen meetup's `Coding`).
    let text = concat!(
        "---\ntitle: 深圳站\nspeaker:\n",
        "  - name : \"汪晟杰\"\n    designation : \"Coding\"\n",
        "  - name : \"董志勇\"\n    designation : \"火线安全\"\n",
        "  - name : \"李四\"\n    designation : \"HPE 软件分析师\"\n---\n\n## 活动议程\n\n",
        "- [云原生场景下的开发和调试-汪晟杰](https://example.org/1)\n",
        "- [使用 IAST 构建高效的 DevSecOps 流程 - 董志勇](https://example.org/2)\n",
        "- [数据分析 - 李四](https://example.org/3)\n",
    );
    let talks = page("designations.md", text);
    let companies: Vec<Option<&str>> = talks.iter().flat_map(|t| &t.speakers).map(|s| s.company.as_deref()).collect();
    assert_eq!(companies, [Some("Coding"), Some("火线安全"), None]);

    // `by` after an English title names nobody unless it is a full name.
    assert_eq!(by_speakers("Python by Example", false), None);
    assert_eq!(by_speakers("Python by Example Code", false), None);
    let text = "**13:00 - 13:30 Cloud Native exlporation and practice in Ant Fnancial by Renjie Yu**\n\n\
                **14:50 - 16:00 Easily practice Service Mesh with CloudMesh by Xiaojian Ao**\n";
    let talks = page("sofastack-en-workshop.md", text);
    assert_eq!(
        titles(&talks),
        ["Cloud Native exlporation and practice in Ant Fnancial", "Easily practice Service Mesh with CloudMesh"]
    );
    assert_eq!(speaker_names(&talks), ["Renjie Yu", "Xiaojian Ao"]);
    assert_eq!(
        by_speakers("使用 Seata 保障支付一致性 by 屹远", false).map(|(t, s)| (t, s[0].name.clone())),
        Some(("使用 Seata 保障支付一致性".into(), "屹远".into()))
    );
}

/// sofastack's WebAssembly Open Day recap: a `Name\nRole` card, then the `《title》` it presents.
#[test]
fn a_speaker_card_before_a_title_is_that_talks_speaker() {
    let text = "## 活动回顾\n\n嘉宾简介：\n\n《字节码联盟与 WAMR 开源社区进展介绍》\n\n\
                杨斌（花名：凯撒）\n蚂蚁集团技术总监\n任职蚂蚁集团技术总监，关注操作系统，计算机语言与运行引擎等技术领域。\n\n\
                汤伟              \n蚂蚁集团资深技术专家     \n\n《蚂蚁集团 WASM 编译器虚拟机基础能力建设》   \n\n嘉宾简介：\n\n\
                汤伟，一直从事编译器和虚拟机相关工作，2020年11月加入蚂蚁金服，主导webassembly相关工具链的设计与开发。\n";
    let talks = page("sofa-meetup-13.md", text);
    assert_eq!(titles(&talks), ["字节码联盟与 WAMR 开源社区进展介绍", "蚂蚁集团 WASM 编译器虚拟机基础能力建设"]);
    assert_eq!(speaker_names(&talks), ["杨斌", "汤伟"]);
    assert_eq!(talks[0].speakers[0].other_names, ["凯撒"]);
    assert!(talks[1].speakers[0].bio.as_deref().unwrap_or("").starts_with("汤伟，一直从事编译器"));
}

/// Table cells: two people in one cell (`；`), a job title before the name, a `环节` column.
#[test]
fn table_cells_with_several_people_and_titles_before_names() {
    let text = "## 议程\n\n| 时间 | 环节 | 嘉宾介绍 |\n| --- | --- | --- |\n| 13:00 - 13:30  | 签到 |  |\n\
                | 13:40 - 14:20  | 《SOFAStack 开源这一年》 | 蚂蚁金服技术总监 杨冰 |\n| 15:00 - 15:20 | 庆祝一周年环节 |  |\n\
                | 16:00 - 16:40 | 《SOFAJRaft -- 蚂蚁金服基于 RAFT 一致性算法的生产级高性能 Java 实现》 | 蚂蚁金服 SOFAJRaft 核心成员 力鲲 |\n\
                | 16:40 - 17:00  | 互动交流 |  |\n\n上午：\n\n\
                | 时间 | 分享主题 | 分享嘉宾 |\n|---|---|---|\n\
                | 9:30-10:10  | 《释放云原生价值，双 11 洗礼下的阿里巴巴 K8s 超大规模实践》 | 曾凡松（逐灵），阿里巴巴高级技术专家；汪萌海（木苏），阿里巴巴技术专家 |\n";
    let talks = page("table.md", text);
    assert_eq!(
        titles(&talks),
        [
            "SOFAStack 开源这一年",
            "SOFAJRaft -- 蚂蚁金服基于 RAFT 一致性算法的生产级高性能 Java 实现",
            "释放云原生价值，双 11 洗礼下的阿里巴巴 K8s 超大规模实践",
        ]
    );
    assert_eq!(speaker_names(&talks), ["杨冰", "力鲲", "曾凡松", "汪萌海"]);
    assert_eq!(talks[0].speakers[0].bio.as_deref(), Some("蚂蚁金服技术总监"));
    let aliases: Vec<&Vec<String>> = talks[2].speakers.iter().map(|s| &s.other_names).collect();
    assert_eq!(aliases, [&vec!["逐灵".to_string()], &vec!["木苏".to_string()]]);
    assert_eq!(talks[2].speakers[1].bio.as_deref(), Some("（木苏），阿里巴巴技术专家"));

    // sofastack agendas: `花名@role`, one person a line.
    let text = "| 时间 | 环节 | 分享大纲 | 分享嘉宾 |\n| --- | --- | --- | --- |\n\
                | 13:30-14:15 | 《RPC 服务框架 SOFARPC 在蚂蚁金服的发展与进化》 | - SOFARPC 在蚂蚁金服的应用现状<br /> | 碧远@SOFARPC 开源负责人 |\n\
                | 15:55-16:40 | 《无线自动化测试框架 Soloπ 的跨平台实践》 | <br />- 移动端自动化测试转向轻量化<br /> | 茅舍@Soloπ 核心作者<br />不溯@Soloπ 核心作者 |\n";
    let talks = page("sofa-meetup.md", text);
    assert_eq!(
        titles(&talks),
        ["RPC 服务框架 SOFARPC 在蚂蚁金服的发展与进化", "无线自动化测试框架 Soloπ 的跨平台实践"]
    );
    assert_eq!(speaker_names(&talks), ["碧远", "茅舍", "不溯"]);
    assert_eq!(talks[0].speakers[0].bio.as_deref(), Some("SOFARPC 开源负责人"));
    assert!(at_speaker("someone@example.com").is_none());
}

#[test]
fn schedule_slots_that_are_not_talks() {
    let text = "## 日程\n\n#### 13:30 - 14:00 签到入场\n\n#### 14:00 - 14:05 主持人开场\n\n\
                #### 14:05 - 14:45 云原生应用容器化与编排\n\n讲师：关泽发\n\n#### 14:45 - 15:00 合影、茶歇\n\n\
                | 时间 | 话题 |\n|---|---|\n| 12:00 | Lunch |\n| 13:00 | Break |\n| 13:10 | Writing fast Python |\n";
    let talks = page("slots.md", text);
    assert_eq!(titles(&talks), ["云原生应用容器化与编排", "Writing fast Python"]);
    assert_eq!(talks[0].time.as_deref(), Some("14:05 - 14:45"));
}

#[test]
fn pages_without_talks_yield_nothing() {
    let recruit = include_str!("../../../tests/data/pages/jimmysong-tetrate-recruit.md");
    assert!(page("jimmysong-tetrate-recruit.md", recruit).is_empty());
    let book = include_str!("../../../tests/data/pages/jimmysong-cilium-handbook.md");
    assert!(page("jimmysong-cilium-handbook.md", book).is_empty());
    // A section index lists other pages, whatever its text says.
    assert!(parse(SEED, "content/zh/notice/_index.md").unwrap().is_empty());
    assert!(parse("", "empty.md").unwrap().is_empty());
}

#[test]
fn slide_lists_give_one_event_per_heading() {
    let text = "# Golang conference PPT\n\n### 2023 上海\n                    * [1.1.1字节跳动基于KubeAdmiral的多集群管理](./2023-shanghai/1.1.1.pdf)\n\n### 2019\n                    * [1.1 大型微服务框架设计实践 - 杜欢](/2019/1.1.pdf)\n                    * [1.5 Badger_ Fast Key-Value DB in Go.pdf](/2018/1.5.pdf)\n                    * [2-2 龚浩华（月牙寂）p2p缓存系统.pdf](/2015/2-2.pdf)\n";
    let talks = page("README.md", text);
    assert_eq!(
        titles(&talks),
        [
            "字节跳动基于KubeAdmiral的多集群管理",
            "大型微服务框架设计实践",
            "Badger_ Fast Key-Value DB in Go",
            "p2p缓存系统"
        ]
    );
    assert_eq!(speaker_names(&talks), ["杜欢", "龚浩华"]);
    assert_eq!(talks[0].event.title, "Golang conference PPT 2023 上海");
    assert_eq!(talks[1].event.title, "Golang conference PPT 2019");
}

#[test]
fn slide_file_titles_name_their_speaker_at_either_end() {
    // The gopherchina-conference README, as its files are named.
    let text = "# Golang conference PPT\n\n### 2016\n\
                * [2.6 用Go构建高性能数据库中间件- 徐成选.pdf](/2019/2.6.pdf)\n\
                * [1.4 Go在数据存储上面的应用—毛剑.pdf](/2016/1.4.pdf)\n\
                * [2.4 Go在分布式docker里面的应用_孙宏亮.pdf](/2016/2.4.pdf)\n\
                * [1.2 刘奇 Go在分布式数据库中的应用.pdf](/2016/1.2.pdf)\n\
                * [2.1.4王伟峰-业务架构-奇艺的极致网络](/2023/2.1.4.pdf)\n\
                * [2.1.6 谈谈 Go 泛型](/2023/2.1.6.pdf)\n\
                * [1.5 NSQ-重塑之路.pdf](/2017/1.5.pdf)\n\
                * [2.2 高性能 Go 服务](/2023/2.2.pdf)\n";
    let talks = page("README.md", text);
    assert_eq!(
        titles(&talks),
        [
            "用Go构建高性能数据库中间件",
            "Go在数据存储上面的应用",
            "Go在分布式docker里面的应用",
            "Go在分布式数据库中的应用",
            "业务架构-奇艺的极致网络",
            "谈谈 Go 泛型",
            "NSQ-重塑之路",
            "高性能 Go 服务",
        ]
    );
    // Words that open or close a title are not names: 谈谈, 重塑之路, 高性能 (a surname, then a word).
    assert_eq!(speaker_names(&talks), ["徐成选", "毛剑", "孙宏亮", "刘奇", "王伟峰"]);
}

#[test]
fn repeated_titles_get_numbered_ids() {
    let text = "---\ntitle: Meetup\n---\n## 日程\n\n### 10:00 - 10:10 Lightning Talk\n\n讲师：张三\n\n\
                ### 10:10 - 10:20 Lightning Talk\n\n讲师：李四\n";
    let talks = page("lightning.md", text);
    assert_eq!(talks.len(), 2);
    assert_eq!(talks[0].id, Talk::make_id("Meetup", "Lightning Talk", ""));
    assert_eq!(talks[1].id, Talk::make_id("Meetup", "Lightning Talk", "2"));
}

#[test]
fn front_matter_shapes() {
    let toml = "+++\ntitle = \"Cloud Native Days\"\ndate = 2021-07-03T18:00:00+08:00\n\
                url = \"https://example.com/cnd\"\n+++\n\n- 嘉宾：张三（某公司）\n- 主题：从零到一\n";
    let talk = &page("cnd.md", toml)[0];
    assert_eq!(talk.title, "从零到一");
    assert_eq!(talk.event.title, "Cloud Native Days");
    assert_eq!(talk.event.date.as_deref(), Some("2021-07-03"));
    assert_eq!(talk.event.url.as_deref(), Some("https://example.com/cnd"));

    let yaml = "---\nevent: 第二期\ntitle: 第一期\ndate: 2021/8/6\nevent_url: ''\nlink: /local/path\n\
                address:\n  city: 杭州\n---\n- 嘉宾：张三\n- 主题：从零到一\n";
    let event = &page("wowchemy.md", yaml)[0].event;
    assert_eq!(event.title, "第二期", "`event` wins over `title`");
    assert_eq!(event.date.as_deref(), Some("2021-08-06"));
    assert_eq!(event.location.as_deref(), Some("杭州"));
    assert_eq!(event.url, None, "only http(s) links are urls");

    let bare = "# Service Mesh Meetup\n\n- 赵化冰（中兴通讯）：服务网格落地实践\n";
    assert_eq!(page("bare.md", bare)[0].event.title, "Service Mesh Meetup");
    let nameless = "- 赵化冰（中兴通讯）：服务网格落地实践\n";
    let talks = parse(nameless, "servicemesher/2019/10/chengdu/README.md").unwrap();
    assert_eq!(talks[0].event.title, "chengdu");
    assert_eq!(talks[0].event.date, None);
}

#[test]
fn broken_front_matter_is_an_error() {
    for text in [
        "---\ntitle: never closed\n\n## 日程\n",
        "---\ntitle: [unbalanced\n---\nbody\n",
        "---\n- a\nb: c\n---\n",
        "+++\ntitle = \n+++\n",
        "+++\ntitle = \"x\"\n",
    ] {
        assert!(matches!(parse(text, "broken.md"), Err(IngestError::FrontMatter(_))), "{text:?}");
    }
}

#[test]
fn garbage_and_truncated_pages_do_not_panic() {
    // Every prefix of the seed page that ends on a char boundary (Chinese is 3 bytes a char).
    for end in (0..SEED.len()).step_by(7).filter(|&i| SEED.is_char_boundary(i)) {
        let _ = parse(&SEED[..end], "truncated.md");
    }
    let mut state = 0x2545_f491_u32;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let garbage = String::from_utf8_lossy(&bytes);
    let _ = parse(&garbage, "garbage.md");
    let _ = parse(&format!("---\n---\n{garbage}"), "garbage.md");
    for odd in [
        "|",
        "| 话题 |\n|",
        "**",
        "**《》**",
        "《",
        "### 12:00 - ",
        "- [](",
        "---\n---",
        "讲师：",
        "讲师介绍\n\n，",
        "- ，，，",
    ] {
        let _ = parse(odd, "odd.md");
    }
}

/// The blocks CommonMark gives, bent the way these pages need (see `blocks.rs`).
#[test]
fn blocks_follow_commonmark_with_the_pages_bends() {
    use Block::{Heading, Item, Paragraph, Row};
    let p = |s: &str| Paragraph(s.to_string());
    let i = |s: &str| Item(s.to_string());
    let h = |level: usize, s: &str| Heading { level, text: s.to_string() };
    let row = |cells: &[&str]| Row(cells.iter().map(|c| c.to_string()).collect());
    let cases: Vec<(&str, Vec<Block>)> = vec![
        // ATX and setext headings; a thematic break is no text.
        ("## 日程 ##\n\nTitle\n=====\n\n---\n\n正文", vec![h(2, "日程"), h(1, "Title"), p("正文")]),
        // Inline Markdown stays raw; a comment goes, inline or as a block.
        (
            "**《title》** [slides](x.pdf) <!-- note -->\n\n<!--\n讲师：nobody\n-->\n",
            vec![p("**《title》** [slides](x.pdf)")],
        ),
        // A key line stands alone; a blockquote is its text.
        ("介绍一下\n讲师：张三\n> 王庆 英特尔研发总监", vec![p("介绍一下"), p("讲师：张三"), p("王庆 英特尔研发总监")]),
        // Nested items (`- 1. x` is a list in a list) are items; a bullet's later lines are a paragraph; loose items too.
        (
            "- 议题\n  - 1. 扩展自定义协议\n- 第一行\n  第二行\n\n1) 甲\n\n   乙\n",
            vec![i("议题"), i("扩展自定义协议"), i("第一行"), p("第二行"), i("甲"), p("乙")],
        ),
        // GFM tables, with or without the outer pipes; cells keep their raw text.
        (
            "| 时间 | 话题 |\n|---|---|\n| 9:00 | **A** <br> B |\n\n时间 | 话题\n--- | ---\n10:00 | C\n",
            vec![row(&["时间", "话题"]), row(&["9:00", "**A** <br> B"]), row(&["时间", "话题"]), row(&["10:00", "C"])],
        ),
        // Fenced code goes; indented "code" is Markdown indented, read again.
        (
            "```\n## not a heading\n```\n\n### 2019\n                    * [1.1 title](/1.1.pdf)\n",
            vec![h(3, "2019"), i("[1.1 title](/1.1.pdf)")],
        ),
        // An HTML block is text, less its tags' lines left empty by `clean` later.
        ("<center>\n讲师：张三\n</center>\n", vec![p("<center>"), p("讲师：张三"), p("</center>")]),
    ];
    for (text, want) in cases {
        assert_eq!(blocks(text), want, "{text:?}");
    }
}

#[test]
fn markdown_decoration_is_stripped() {
    let raw = "**[Istio](https://istio.io)** ![logo](a.png) 入门<br>{{< callout note >}}指南{{< /callout >}} `code`";
    assert_eq!(clean(raw), "Istio  入门指南 code");
    assert_eq!(clean("<https://live.bilibili.com/1>"), "https://live.bilibili.com/1");
}

/// The shared corpus: `$TALKSEARCH_CORPUS`, else `../shared/corpus` beside the crate.
fn corpus_dir() -> PathBuf {
    std::env::var_os("TALKSEARCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

/// Every Markdown page of the corpus parses without panicking; prints per-source counts.
#[test]
fn whole_corpus_parses_without_panics() {
    let root = corpus_dir().join("zh");
    if !root.is_dir() {
        println!("skipped: ../shared/corpus not found");
        return;
    }
    // source → (files, files with talks, talks, errors, panics)
    let mut summary: std::collections::BTreeMap<String, [usize; 5]> = Default::default();
    let mut panics = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let rel = entry.path().strip_prefix(&root).unwrap_or(entry.path()).to_string_lossy().to_string();
        let source = rel.split('/').next().unwrap_or("").to_string();
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let row = summary.entry(source).or_default();
        row[0] += 1;
        match std::panic::catch_unwind(|| parse(&text, &rel)) {
            Ok(Ok(talks)) => {
                row[1] += usize::from(!talks.is_empty());
                row[2] += talks.len();
                if std::env::var_os("TALKSEARCH_CORPUS_VERBOSE").is_some() {
                    println!("{:3} {rel}", talks.len());
                }
            }
            Ok(Err(e)) => {
                row[3] += 1;
                println!("error: {rel}: {e}");
            }
            Err(_) => {
                row[4] += 1;
                panics.push(rel);
            }
        }
    }
    println!("{:<30} {:>5} {:>10} {:>6} {:>6} {:>6}", "source", "files", "with talks", "talks", "errors", "panics");
    for (source, [files, with, talks, errors, panicked]) in &summary {
        println!("{source:<30} {files:>5} {with:>10} {talks:>6} {errors:>6} {panicked:>6}");
    }
    assert!(panics.is_empty(), "parse panicked on: {panics:?}");
}

#[test]
fn a_page_without_a_dated_front_matter_is_dated_by_its_text() {
    // The servicemesher-meetup-slides and academy pages state the date in a line of their own.
    let talks = page(
        "meetup.md",
        "# 第8届Service Mesh Meetup北京站\n\n时间：2019年11月24日（星期六）\n\n地点：北京\n\n## 讲师与演讲话题\n\n\
         - 《服务网格在“路口”的产品思考与实践》主讲人: 宋顺（齐天）\n- 《蚂蚁金服云原生 PaaS 实践之路》，主讲人: 王成昌（晙曦）\n",
    );
    assert_eq!(titles(&talks), ["服务网格在“路口”的产品思考与实践", "蚂蚁金服云原生 PaaS 实践之路"]);
    assert!(talks.iter().all(|t| t.event.date.as_deref() == Some("2019-11-24")));
    // A virtual series dates each talk; the front matter's date, when there is one, stays the event's.
    let series = "# Service Mesh Virtual Meetup #1\n\n### 多点生活在 Service Mesh 上的实践\n\n- **时间：**2020/5/6（周三） 19:00-20:00\n- **讲师：**陈鹏\n\n\
                  ### Service Mesh 高可用在企业级生产中的实践\n\n- **时间：**2020/5/13（周三） 19:00-20:00\n- **讲师：**罗广明\n";
    let dates = |talks: Vec<Talk>| talks.into_iter().map(|t| t.event.date.unwrap_or_default()).collect::<Vec<_>>();
    assert_eq!(dates(page("virtual.md", series)), ["2020-05-06", "2020-05-13"]);
    let dated = format!("---\ntitle: Virtual\ndate: 2020-05-01\n---\n{series}");
    assert_eq!(dates(page("virtual.md", &dated)), ["2020-05-01", "2020-05-01"]);
}

#[test]
fn a_programme_that_states_only_years_gives_each_talk_its_year() {
    // The gopherchina-conference README: `### 2023 上海` and `### 2021` over lists of slide links.
    let talks = page(
        "README.md",
        "# Golang conference PPT\n\n### 2023 上海\n* [1.1.2滴滴弹性云基于K8S的调度实践](./2023-shanghai/1.1.2.pdf)\n\n\
         ### 2021\n* [2.5 Go 泛型设计](./2021/2.5.pdf)\n",
    );
    let years: Vec<(Option<&str>, Option<u16>, Option<u64>)> =
        talks.iter().map(|t| (t.event.date.as_deref(), t.event.year, t.event.year())).collect();
    assert_eq!(years, [(None, Some(2023), Some(2023)), (None, Some(2021), Some(2021))]);
    assert_eq!(super::front_matter::year_in("第 10 届 Service Mesh Meetup 2019 2020"), None, "two years: none");
    assert_eq!(super::front_matter::year_in("KubeCon 12345"), None);
    // A dated page keeps no separate year.
    let dated = page("dated.md", "---\ntitle: Meetup 2020\ndate: 2020-05-01\n---\n### 一个演讲\n\n讲师：张三\n");
    assert!(dated.iter().all(|t| t.event.year.is_none() && t.event.year() == Some(2020)));
}

#[test]
fn slide_links_in_a_download_list_are_talks_and_their_file_names_name_the_guests() {
    // sofastack.tech's SOFA 五周年 page: the programme is an image; the talks are the slides' links,
    // and the guests are listed apart.
    let talks = page(
        "sofa-anniversary-5.md",
        "## 概要\n\n- 资料下载：\n\n  [《京东搜索基于Service Mesh的微服务治理探索与实践》](https://x/afts/file/A/%E8%AE%AE%E9%A2%98%E4%BA%8C%20%E7%8E%8B%E5%BF%97%E9%BE%99%20latest.pdf)\n\n\
         \x20 [《SOFAStack 的下一个五年》](https://x/afts/file/B/talk-one.pdf)\n\n\
         - 书籍：[《深入浅出 Istio》](https://shop.example/istio)\n\n\
         ## 嘉宾\n\n- 王志龙，京东集团架构师、MOSN Contributor\n\n- 杨定朝，顺丰集团高级研发工程师\n",
    );
    assert_eq!(titles(&talks), ["京东搜索基于Service Mesh的微服务治理探索与实践", "SOFAStack 的下一个五年"]);
    assert_eq!(speaker_names(&talks), ["王志龙"], "the file of the second names no guest");
    assert_eq!(talks[0].speakers[0].bio.as_deref(), Some("王志龙，京东集团架构师、MOSN Contributor"));
}

#[test]
fn slide_links_one_to_a_line_under_a_label_are_each_a_talk() {
    // sofastack.tech's SOFA Meetup 合肥站 (shipped in data/corpus): the links follow the label in one
    // list item, joined by Markdown line breaks; the programme is an image.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/corpus/zh/sofastack.tech/content/zh/activities/sofa-meetup-17/index.md");
    let talks = page("sofa-meetup-17/index.md", &std::fs::read_to_string(path).unwrap());
    assert_eq!(titles(&talks), ["SOFA Serverless 体系助力业务极速研发", "KusionStack 在蚂蚁规模化运维的探索和总结"]);
    assert!(talks.iter().all(|t| t.event.title == "SOFA Meetup 合肥站-云原生技术沙龙"));
    // A line that is not such a link makes the block ordinary text.
    let mixed = "## 概要\n\n- 资料下载：  \n[《SOFA Serverless 体系助力业务极速研发》](https://x/a.pdf)  \n见 [《深入浅出 Istio》](https://shop.example/istio)\n";
    assert!(page("mixed.md", mixed).is_empty());
}

#[test]
fn a_page_introducing_its_speakers_without_their_talks_is_one_entry_for_the_event() {
    // The cloudnativeto-academy meetup READMEs: speakers and bios, the programme only linked.
    let text = "# 重庆站 meetup\n\n- 时间：2023 年 6 月 3 日（星期六）\n\n- 地点：重庆软件园 SW 众创空间\n\n\
                **讲师介绍**\n\n彭柳：\n\nFlomesh 技术专家，资深网关研发。\n\n谭建：\n\n参与企业级微服务治理平台与可观测性产品的设计与研发。\n\n\
                活动议程详见：[活动行报名页面](https://www.huodongxing.com/event/9704243975600)。\n";
    let talks = page("11-chongqing/README.md", text);
    assert_eq!(titles(&talks), ["重庆站 meetup"]);
    assert_eq!(speaker_names(&talks), ["彭柳", "谭建"], "the link to the programme is not a speaker");
    assert_eq!(talks[0].speakers[0].bio.as_deref(), Some("Flomesh 技术专家，资深网关研发。"));
    assert_eq!(talks[0].event.date.as_deref(), Some("2023-06-03"));
    // `**嘉宾及讲师介绍**` is the same label.
    let both = text.replace("**讲师介绍**", "**嘉宾及讲师介绍**");
    assert_eq!(speaker_names(&page("12-chengdu/README.md", &both)), ["彭柳", "谭建"]);
    // One guest with a bio is not yet a programme: a post about someone is not an event.
    let one = "# 访谈\n\n**讲师介绍**\n\n彭柳：\n\nFlomesh 技术专家，资深网关研发。\n";
    assert!(page("interview.md", one).is_empty());
}
