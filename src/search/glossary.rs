//! The bilingual glossary and abbreviations: `service mesh` ↔ `服务网格`, `HPA` ↔ `horizontal pod
//! autoscaler`, so a query in one language (or one spelling) also finds talks in the other.
//!
//! Four sources, compiled into the binary, each line `left<TAB>right[<TAB>count]`, both directions
//! unless said otherwise:
//! the curated glossary (`data/glossary.tsv`), the abbreviation tables (`data/lexicon/abbreviations.tsv`,
//! curated, and `abbreviations_mined.tsv`), the pairs mined from the corpus (`mined.tsv`) and CC-CEDICT
//! cut down to the corpus (`cedict.tsv`, and one way each: `cedict_to_zh.tsv` English to Chinese,
//! `cedict_to_en.tsv` Chinese to English); all but the curated ones are written by `talksearch gen --lexicon`.
//! A higher source wins: for a term the curated glossary translates, the mined and CEDICT
//! translations are not used (abbreviations, in the same language, still are). A Chinese compound
//! none of them lists is translated part by part (see [`super::compounds`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::ranking;
use crate::tokenizer::terms;

const GLOSSARY: &str = include_str!("../../data/glossary.tsv");
const COMMON_TO_ZH: &str = include_str!("../../data/lexicon/common_to_zh.tsv");
const ABBREVIATIONS: &str = include_str!("../../data/lexicon/abbreviations.tsv");
const ABBREVIATIONS_MINED: &str = include_str!("../../data/lexicon/abbreviations_mined.tsv");
const MINED: &str = include_str!("../../data/lexicon/mined.tsv");
const CEDICT: &str = include_str!("../../data/lexicon/cedict.tsv");
const CEDICT_TO_ZH: &str = include_str!("../../data/lexicon/cedict_to_zh.tsv");
const CEDICT_TO_EN: &str = include_str!("../../data/lexicon/cedict_to_en.tsv");

/// The longest glossary entry, in terms.
pub const MAX_TERMS: usize = 4;
/// Translations searched for one term, best first: each costs a scorer per field.
pub const MAX_TRANSLATIONS: usize = 4;

/// Where a translation comes from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Curated,
    Abbreviation,
    Mined,
    Cedict,
}

impl Kind {
    /// Weight of a translation of this kind, relative to the words as typed (see
    /// [`ranking::translation`]).
    fn weight(self, same_language: bool, to_chinese: bool) -> f32 {
        use ranking::translation::*;
        let [curated, mined, cedict] = if to_chinese { TO_CHINESE } else { FROM_CHINESE };
        match self {
            _ if same_language => SAME_LANGUAGE,
            Kind::Curated | Kind::Abbreviation => curated,
            Kind::Mined => mined,
            Kind::Cedict => cedict,
        }
    }
}

/// Which way the pairs of a source translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ways {
    Both,
    /// Only the left side to the right (`cedict_to_zh.tsv`: English to Chinese; `cedict_to_en.tsv`:
    /// Chinese to English).
    LeftToRight,
}

/// One translation of a term.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// The text, as written in the source (analyzed again when searched).
    pub text: String,
    pub kind: Kind,
    /// Relative to the words as typed.
    pub weight: f32,
}

impl Translation {
    /// A Chinese compound's English phrase, made part by part (see [`super::compounds`]): weighted
    /// as CC-CEDICT's translations from Chinese.
    pub fn part_by_part(phrase: &str) -> Translation {
        Translation { text: phrase.to_string(), kind: Kind::Cedict, weight: Kind::Cedict.weight(false, false) }
    }
}

/// Analyzed term sequence → the texts it translates to.
pub struct Glossary {
    entries: FxHashMap<Vec<String>, Vec<Translation>>,
}

fn has_han(s: &str) -> bool {
    s.chars().any(crate::talk::is_han)
}

fn key(text: &str) -> Vec<String> {
    terms(text).into_iter().map(|(_, t)| t).collect()
}

impl Glossary {
    /// The shipped sources, merged and analyzed once per process.
    pub fn builtin() -> &'static Glossary {
        static CELL: OnceLock<Glossary> = OnceLock::new();
        CELL.get_or_init(|| {
            Glossary::merge(&[
                (GLOSSARY, Kind::Curated, Ways::Both),
                // Hand-curated, but weighted as CC-CEDICT's pairs and merged with them: common words.
                (COMMON_TO_ZH, Kind::Cedict, Ways::LeftToRight),
                (ABBREVIATIONS, Kind::Abbreviation, Ways::Both),
                (ABBREVIATIONS_MINED, Kind::Abbreviation, Ways::Both),
                (MINED, Kind::Mined, Ways::Both),
                (CEDICT, Kind::Cedict, Ways::Both),
                (CEDICT_TO_ZH, Kind::Cedict, Ways::LeftToRight),
                (CEDICT_TO_EN, Kind::Cedict, Ways::LeftToRight),
            ])
        })
    }

    /// One source of the curated kind: `en<TAB>zh` lines, each side translating to the other.
    pub fn parse(text: &str) -> Glossary {
        Glossary::merge(&[(text, Kind::Curated, Ways::Both)])
    }

    /// Merges sources, best first. Lines are `a<TAB>b[<TAB>…]`; blank and `#` lines are skipped.
    /// A cross-language translation of a lower kind is dropped when a higher kind already
    /// translates the term into the other language; each term keeps its [`MAX_TRANSLATIONS`] best.
    pub fn merge(sources: &[(&str, Kind, Ways)]) -> Glossary {
        let mut entries: HashMap<Vec<String>, Vec<(Vec<String>, Translation)>> = HashMap::new();
        for &(text, kind, ways) in sources {
            for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                let mut fields = line.split('\t');
                let (Some(a), Some(b)) = (fields.next(), fields.next()) else { continue };
                let (a, b) = (a.trim(), b.trim());
                let (ka, kb) = (key(a), key(b));
                if ka.is_empty() || kb.is_empty() || ka == kb {
                    continue;
                }
                let same_language = has_han(a) == has_han(b);
                let directions = [(&ka, b, &kb), (&kb, a, &ka)];
                let directions = match ways {
                    Ways::Both => &directions[..],
                    Ways::LeftToRight => &directions[..1],
                };
                for &(from, to, to_key) in directions {
                    if from.len() > MAX_TERMS {
                        continue;
                    }
                    let alternatives = entries.entry(from.clone()).or_default();
                    if alternatives.iter().any(|(k, _)| k == to_key) {
                        continue;
                    }
                    // A better source already says what this term is in the other language.
                    let outranked = !same_language
                        && alternatives.iter().any(|(_, t)| t.kind < kind && has_han(&t.text) == has_han(to));
                    if outranked {
                        continue;
                    }
                    let weight = kind.weight(same_language, has_han(to));
                    alternatives.push((to_key.clone(), Translation { text: to.to_string(), kind, weight }));
                }
            }
        }
        let entries = entries
            .into_iter()
            .map(|(k, mut alternatives)| {
                // Best first: the heavier, then the better source; the order of the sources after that.
                alternatives.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight).then(a.1.kind.cmp(&b.1.kind)));
                alternatives.truncate(MAX_TRANSLATIONS);
                (k, alternatives.into_iter().map(|(_, t)| t).collect())
            })
            .collect();
        Glossary { entries }
    }

    /// The translations of exactly this term sequence, best first.
    pub fn translations(&self, key: &[String]) -> Option<&[Translation]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// The translations of this term sequence, or of it with its last word in the singular when
    /// only that is known (`message queues` → `message queue`, `registries` → `registry`): the
    /// lexicons list terms in the singular.
    pub fn lookup(&self, key: &[String]) -> Option<&[Translation]> {
        self.translations(key).or_else(|| {
            let (last, head) = key.split_last()?;
            singulars(last).into_iter().find_map(|one| {
                let mut singular = head.to_vec();
                singular.push(one);
                self.translations(&singular)
            })
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The singular forms an English plural `word` may have (`queries` → `query`, `boxes` → `box`,
/// `apps` → `app`), most likely first; none for a word that is not a regular plural.
fn singulars(word: &str) -> Vec<String> {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) || !word.ends_with('s') || word.ends_with("ss") {
        return Vec::new();
    }
    let stem = &word[..word.len() - 1];
    let mut out = Vec::new();
    if let Some(y) = word.strip_suffix("ies") {
        out.push(format!("{y}y"));
    }
    if let Some(es) = word.strip_suffix("es") {
        if es.ends_with(['s', 'x', 'z']) || es.ends_with("ch") || es.ends_with("sh") {
            out.push(es.to_string());
        }
    }
    out.push(stem.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(g: &Glossary, term: &str) -> Vec<String> {
        g.translations(&key(term)).unwrap_or_default().iter().map(|t| t.text.clone()).collect()
    }

    fn kind_of(g: &Glossary, from: &str, to: &str) -> Option<Kind> {
        g.translations(&key(from))?.iter().find(|t| t.text == to).map(|t| t.kind)
    }

    #[test]
    fn both_directions_after_analysis() {
        let g = Glossary::builtin();
        assert!(g.len() >= 2000, "the lexicon is far larger than the curated glossary: {}", g.len());
        assert_eq!(texts(g, "Service Mesh"), ["服务网格"]);
        assert_eq!(texts(g, "服务网格"), ["service mesh"]);
        assert!(g.translations(&key("可觀測性")).is_some(), "traditional folds to the simplified entry");
        assert_eq!(g.translations(&key("nothing here at all")), None);
    }

    #[test]
    fn each_source_gives_its_pairs() {
        let g = Glossary::builtin();
        assert_eq!(kind_of(g, "observability", "可观测性"), Some(Kind::Curated));
        assert_eq!(kind_of(g, "HPA", "horizontal pod autoscaler"), Some(Kind::Abbreviation));
        assert_eq!(kind_of(g, "horizontal pod autoscaler", "HPA"), Some(Kind::Abbreviation), "both ways");
        assert_eq!(kind_of(g, "DRF", "django rest framework"), Some(Kind::Abbreviation));
        assert_eq!(kind_of(g, "global interpreter lock", "GIL"), Some(Kind::Abbreviation));
        assert_eq!(kind_of(g, "CNCF", "云原生计算基金会"), Some(Kind::Mined));
        assert_eq!(kind_of(g, "稳定性", "stability"), Some(Kind::Cedict));
        assert_eq!(kind_of(g, "stability", "稳定性"), Some(Kind::Cedict));
        assert_eq!(kind_of(g, "config", "configuration"), Some(Kind::Abbreviation), "a clipped form");
        assert_eq!(kind_of(g, "asynchronous", "async"), Some(Kind::Abbreviation));
        assert_eq!(kind_of(g, "dict", "dictionary"), Some(Kind::Abbreviation), "a clipped word of code");
        assert_eq!(kind_of(g, "standard library", "stdlib"), Some(Kind::Abbreviation));
        assert_eq!(kind_of(g, "无人机", "drone"), Some(Kind::Cedict), "Chinese to English only");
        assert_eq!(kind_of(g, "drone", "无人机"), None);
        assert_eq!(kind_of(g, "trend", "趋势"), Some(Kind::Cedict), "a common title word, English to Chinese");
        assert_eq!(kind_of(g, "趋势", "trend"), None, "and not back");
        assert_eq!(kind_of(g, "trend", "动向"), Some(Kind::Cedict), "beside CC-CEDICT's own");
    }

    #[test]
    fn weights_follow_the_kind() {
        let g = Glossary::builtin();
        let weight =
            |from: &str, to: &str| g.translations(&key(from)).unwrap().iter().find(|t| t.text == to).unwrap().weight;
        assert!(weight("service mesh", "服务网格") > weight("stability", "稳定性"));
        assert!(weight("服务网格", "service mesh") > weight("稳定性", "stability"));
        assert!(weight("HPA", "horizontal pod autoscaler") > weight("服务网格", "service mesh"), "the same language");
        assert!(
            weight("service mesh", "服务网格") > weight("服务网格", "service mesh"),
            "English into Chinese weighs more than Chinese into English"
        );
        assert!(weight("service mesh", "服务网格") < 1.0, "below the words as typed");
    }

    #[test]
    fn plurals_find_the_singular_entry() {
        let g = Glossary::parse("message queue\t消息队列\nregistry\t注册中心\nbox\t盒子\nnews\t新闻");
        let found = |q: &str| g.lookup(&key(q)).map(|t| t[0].text.clone());
        assert_eq!(found("message queues").as_deref(), Some("消息队列"));
        assert_eq!(found("registries").as_deref(), Some("注册中心"));
        assert_eq!(found("boxes").as_deref(), Some("盒子"));
        assert_eq!(found("news").as_deref(), Some("新闻"), "an entry as written wins");
        assert_eq!(found("glass"), None);
        assert_eq!(singulars("class"), Vec::<String>::new());
        assert_eq!(singulars("apps"), ["app"]);
    }

    #[test]
    fn curated_wins_over_cedict_and_mined() {
        let g = Glossary::merge(&[
            ("gateway\t网关", Kind::Curated, Ways::Both),
            ("gateway\t门户\nportal\t门户", Kind::Cedict, Ways::Both),
            ("GW\tgateway", Kind::Abbreviation, Ways::Both),
        ]);
        assert_eq!(texts(&g, "gateway"), ["网关", "GW"], "curated into Chinese weighs more than an abbreviation");
        assert_eq!(texts(&g, "门户"), ["gateway", "portal"], "curated says nothing about 门户");
        assert_eq!(texts(&g, "portal"), ["门户"]);
    }

    /// `cargo test --release --lib load_time -- --ignored --nocapture`: the merge, after the tokenizer.
    #[test]
    #[ignore = "a measurement, meaningful in release"]
    fn load_time() {
        let _ = key("预热 warm up");
        let started = std::time::Instant::now();
        let g = Glossary::builtin();
        println!("Glossary::builtin(): {} terms in {:.1} ms", g.len(), started.elapsed().as_secs_f64() * 1e3);
    }

    #[test]
    fn alternatives_are_bounded_and_best_first() {
        let many: String = (0..10).map(|i| format!("cache\t缓存{i}\n")).collect();
        let g =
            Glossary::merge(&[(many.as_str(), Kind::Cedict, Ways::Both), ("cache\t缓存", Kind::Curated, Ways::Both)]);
        let t = g.translations(&key("cache")).unwrap();
        assert_eq!(t.len(), MAX_TRANSLATIONS);
        assert_eq!(t[0].kind, Kind::Curated, "the heavier first, whatever the order of the sources");
        let g =
            Glossary::merge(&[("cache\t缓存", Kind::Curated, Ways::Both), (many.as_str(), Kind::Cedict, Ways::Both)]);
        assert_eq!(texts(&g, "cache"), ["缓存"], "curated first, CEDICT outranked");
        for t in Glossary::builtin().entries.values() {
            assert!(t.len() <= MAX_TRANSLATIONS);
        }
    }
}
