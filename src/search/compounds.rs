//! Chinese compounds that no lexicon lists, translated part by part: `联邦学习` is `联邦` (federal,
//! federation) and `学习` (learn, study), and of the phrases those make only `federated learning`
//! is one the English talks use (words are matched by their stems, so `federated` meets
//! `federal`). New terms are made this way (`状态机`, `差分隐私`, `大语言模型`), and a Chinese query
//! for something only English talks cover needs them.
//!
//! Two tables, written by `talksearch gen --lexicon`: the English talks' phrases of 2 to 4 words
//! with how many talks use them (`data/lexicon/en_phrases.tsv`), and the short senses of
//! CC-CEDICT's words (`data/lexicon/cedict_parts.tsv`). The work is bounded: a compound of at most
//! [`MAX_CHARS`] characters, in at most [`MAX_PARTS`] parts, and at most [`MAX_LOOKUPS`] phrases
//! looked up.

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::tokenizer::stem;

const PHRASES: &str = include_str!("../../data/lexicon/en_phrases.tsv");
const PARTS: &str = include_str!("../../data/lexicon/cedict_parts.tsv");

/// The longest compound translated, in characters.
pub const MAX_CHARS: usize = 8;
/// The most parts a compound is cut into (`全局` `解释` `器` `锁`).
pub const MAX_PARTS: usize = 4;
/// The longest part, in characters.
const MAX_PART_CHARS: usize = 4;
/// The most phrases looked up for one compound.
pub const MAX_LOOKUPS: usize = 2048;
/// The longest phrase, in words.
const MAX_WORDS: usize = 4;
/// Forms of one phrase searched (`state machine`, `state machines`), the most used first.
pub const MAX_FORMS: usize = 2;

/// The two tables, read once per process.
pub struct Compounds {
    /// Stems of a phrase's words, joined by spaces → (its forms as written, most used first, and
    /// the talks using them).
    phrases: FxHashMap<String, (Vec<&'static str>, u32)>,
    /// A Chinese word → the stems of its senses' words, each sense's joined by spaces.
    parts: FxHashMap<&'static str, Vec<String>>,
    /// The first words of the phrases (`feder`, `larg languag`): a reading that starts otherwise
    /// is given up early.
    beginnings: FxHashSet<String>,
}

/// The key words are matched by: each word's English stem (`federated learning` → `feder learn`),
/// so that the phrases `gen --lexicon` keeps and the ones looked up here agree.
pub fn stems(words: &str) -> String {
    words.split(' ').map(|w| stem(w).unwrap_or_else(|| w.to_string())).collect::<Vec<_>>().join(" ")
}

fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

impl Compounds {
    /// The shipped tables.
    pub fn builtin() -> &'static Compounds {
        static CELL: OnceLock<Compounds> = OnceLock::new();
        CELL.get_or_init(|| Compounds::parse(PHRASES, PARTS))
    }

    /// Tables of `phrase<TAB>talks` and `word<TAB>sense; sense …` lines.
    pub fn parse(phrases: &'static str, parts: &'static str) -> Compounds {
        let mut by_stems: HashMap<String, Vec<(&'static str, u32)>> = HashMap::new();
        for row in rows(phrases) {
            let (Some(phrase), Some(count)) = (row.first(), row.get(1).and_then(|c| c.parse().ok())) else { continue };
            by_stems.entry(stems(phrase)).or_default().push((phrase, count));
        }
        let by_stems: FxHashMap<String, (Vec<&'static str>, u32)> = by_stems
            .into_iter()
            .map(|(key, mut forms)| {
                forms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let talks = forms.iter().map(|f| f.1).sum();
                (key, (forms.into_iter().map(|f| f.0).take(MAX_FORMS).collect(), talks))
            })
            .collect();
        let parts =
            rows(parts).filter_map(|row| Some((*row.first()?, row.get(1)?.split("; ").map(stems).collect()))).collect();
        let mut beginnings = FxHashSet::default();
        for key in by_stems.keys() {
            let words: Vec<&str> = key.split(' ').collect();
            for n in 1..words.len() {
                beginnings.insert(words[..n].join(" "));
            }
        }
        Compounds { phrases: by_stems, parts, beginnings }
    }

    /// The English phrase the Chinese `compound` (Han characters only) most likely is, in its
    /// forms as written (at most [`MAX_FORMS`]), with how many talks use it: of the ways to cut it
    /// into words of CC-CEDICT and to read each word by one of its senses, the phrase most talks
    /// use. A word CC-CEDICT lists whole is read whole (`东西` is not `east west`).
    pub fn translate(&self, compound: &str) -> Option<(&[&'static str], u32)> {
        let chars: Vec<(usize, char)> = compound.char_indices().collect();
        if chars.len() < 2 || chars.len() > MAX_CHARS {
            return None;
        }
        let mut search = Search { compounds: self, best: None, lookups: 0, parts: Vec::new() };
        if let Some(senses) = self.parts.get(compound) {
            search.parts.push(senses);
            search.senses(0, &mut Vec::new());
        } else {
            search.cuts(compound, 0);
        }
        search.best.map(|(count, _, forms)| (forms, count))
    }
}

/// One compound's search: the cut being tried, and the best phrase so far (talks, fewer parts,
/// phrase).
struct Search<'a> {
    compounds: &'a Compounds,
    best: Option<(u32, isize, &'a [&'static str])>,
    lookups: usize,
    parts: Vec<&'a [String]>,
}

impl<'a> Search<'a> {
    /// Every cut of `rest` into words of the table, after the parts already chosen.
    fn cuts(&mut self, rest: &str, depth: usize) {
        if rest.is_empty() {
            if self.parts.len() >= 2 {
                self.senses(0, &mut Vec::new());
            }
            return;
        }
        if depth == MAX_PARTS {
            return;
        }
        for (end, c) in rest.char_indices().take(MAX_PART_CHARS) {
            let head = &rest[..end + c.len_utf8()];
            if let Some(senses) = self.compounds.parts.get(head) {
                self.parts.push(senses);
                self.cuts(&rest[head.len()..], depth + 1);
                self.parts.pop();
            }
        }
    }

    /// Every reading of the chosen parts from part `i` on, after the stems in `words`.
    fn senses(&mut self, i: usize, words: &mut Vec<&'a str>) {
        if self.lookups >= MAX_LOOKUPS || words.len() > MAX_WORDS {
            return;
        }
        if i == self.parts.len() {
            if words.len() < 2 {
                return;
            }
            self.lookups += 1;
            if let Some((forms, count)) = self.compounds.phrases.get(&words.join(" ")) {
                let score = (*count, -(self.parts.len() as isize), forms.as_slice());
                if self.best.is_none_or(|b| (score.0, score.1) > (b.0, b.1)) {
                    self.best = Some(score);
                }
            }
            return;
        }
        let senses = self.parts[i];
        let last = i + 1 == self.parts.len();
        for sense in senses {
            let before = words.len();
            words.extend(sense.split(' '));
            if last || self.compounds.beginnings.contains(&words.join(" ")) {
                self.senses(i + 1, words);
            }
            words.truncate(before);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compounds() -> Compounds {
        Compounds::parse(
            "federated learning\t9\nfederal government\t3\nstate machine\t8\nstate machines\t2\nlarge language model\t11\neast west\t4\n",
            "联邦\tfederal; federation\n学习\tlearn; study\n状态\tcondition; state\n机\tmachine; opportunity\n\
             大\tbig; large\n语言\tlanguage\n模型\tmodel\n东西\tthing; stuff\n东\teast\n西\twest\n",
        )
    }

    #[test]
    fn compounds_read_part_by_part_as_the_english_talks_say() {
        let c = compounds();
        let federated: &[&str] = &["federated learning"];
        assert_eq!(c.translate("联邦学习"), Some((federated, 9)), "by the stem: federal → feder");
        let machine: &[&str] = &["state machine", "state machines"];
        assert_eq!(c.translate("状态机"), Some((machine, 10)), "a one-character part; both forms");
        let model: &[&str] = &["large language model"];
        assert_eq!(c.translate("大语言模型"), Some((model, 11)), "three parts");
        assert_eq!(c.translate("东西"), None, "a word listed whole is not cut");
        assert_eq!(c.translate("联邦"), None, "one part is the lexicons' job");
        assert_eq!(c.translate("学习联邦"), None, "no such phrase");
        assert_eq!(c.translate("联邦学习联邦学习联邦学习"), None, "too long");
    }

    #[test]
    #[ignore = "a measurement, meaningful in release"]
    fn load_time() {
        let started = std::time::Instant::now();
        let c = Compounds::builtin();
        println!("{} phrases, {} parts in {:?}", c.phrases.len(), c.parts.len(), started.elapsed());
    }

    #[test]
    fn the_shipped_tables_translate_new_terms() {
        let c = Compounds::builtin();
        assert!(c.translate("差分隐私").unwrap().0.contains(&"differential privacy"));
        assert!(c.translate("状态机").unwrap().0.contains(&"state machine"));
    }
}
