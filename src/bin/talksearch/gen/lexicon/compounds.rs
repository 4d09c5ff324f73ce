//! The two tables that translate a Chinese compound no lexicon lists, part by part (see
//! `talksearch::search::compounds`): the English talks' phrases (`en_phrases.tsv`, [`phrases`])
//! and the short English senses of CC-CEDICT's words (`cedict_parts.tsv`, [`parts`]), both cut
//! down to what can meet: a phrase whose every word some Chinese word means, a sense whose every
//! word is in some phrase.

use std::collections::{BTreeMap, HashMap, HashSet};

use talksearch::search::compounds::stems;
use talksearch::tokenizer::terms;

use super::cedict::{cedict_line, FUNCTION_SENSES, GLOSS_STOP};
use super::{han_only, stop_en, Doc, Pair};

/// A phrase is kept when this many English talks use it (title, abstract, outline, takeaways).
const PHRASE_MIN_TALKS: u32 = 5;
/// Phrases of 2 to this many words.
const PHRASE_MAX_WORDS: usize = 4;
/// The longest Chinese word that is a part, in characters.
const PART_MAX_CHARS: usize = 4;
/// Senses kept per Chinese word, in CC-CEDICT's order; each of 1 or 2 words.
const PART_MAX_SENSES: usize = 8;

fn latin(term: &str) -> bool {
    term.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) && term.bytes().any(|b| b.is_ascii_lowercase())
}

/// The short senses of one CC-CEDICT entry: its glosses split at `;`, notes in brackets dropped,
/// `to ` dropped, of one or two words, none of them a stop word; none for a function word.
fn short_senses(glosses: &[&str]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for gloss in glosses {
        if gloss.starts_with("CL:") || gloss.contains("variant of") || gloss.starts_with("surname ") {
            continue;
        }
        for sense in gloss.split(';') {
            let mut s = String::new();
            let mut depth = 0usize;
            for c in sense.chars() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    _ if depth == 0 => s.push(c),
                    _ => {}
                }
            }
            let s = s.trim().to_lowercase();
            let s = s.strip_prefix("to ").unwrap_or(&s).trim();
            if FUNCTION_SENSES.contains(&s) {
                return None;
            }
            let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
            let plain = words.iter().all(|w| w.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            if (1..=2).contains(&words.len())
                && plain
                && words.iter().all(|w| w.len() >= 2 && !GLOSS_STOP.contains(w) && !stop_en(w))
                && !out.iter().any(|o| o == s)
            {
                out.push(s.to_string());
            }
        }
    }
    Some(out)
}

/// Each CC-CEDICT word of 1 to [`PART_MAX_CHARS`] Han characters with its short senses.
fn cedict_senses(text: &str) -> BTreeMap<&str, Vec<String>> {
    let mut out: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut function_words = HashSet::new();
    for (word, glosses) in text.lines().filter_map(cedict_line) {
        if !han_only(word) || word.chars().count() > PART_MAX_CHARS {
            continue;
        }
        match short_senses(&glosses) {
            None => {
                function_words.insert(word);
            }
            Some(senses) => {
                let all = out.entry(word).or_default();
                for s in senses {
                    if !all.contains(&s) {
                        all.push(s);
                    }
                }
            }
        }
    }
    out.retain(|w, s| !function_words.contains(w) && !s.is_empty());
    out
}

/// The phrases of 2 to [`PHRASE_MAX_WORDS`] words that [`PHRASE_MIN_TALKS`] English talks use,
/// neither first nor last a stop word, whose every word is (by its stem) a sense of some Chinese
/// word of CC-CEDICT, with how many talks use it, most used first.
pub(super) fn phrases(cedict: &str, talks: &[Doc]) -> Vec<(String, u32)> {
    let meant: HashSet<String> =
        cedict_senses(cedict).values().flatten().flat_map(|s| s.split(' ')).map(stems).collect();
    let mut counts: HashMap<String, u32> = HashMap::new();
    for doc in talks.iter().filter(|d| !d.chinese) {
        let mut seen = HashSet::new();
        for line in doc.text.lines() {
            let words = terms(line);
            // Runs of Latin words at consecutive positions.
            let mut run: Vec<&str> = Vec::new();
            let mut last = None;
            let mut flush = |run: &mut Vec<&str>| {
                for i in 0..run.len() {
                    for n in 2..=PHRASE_MAX_WORDS.min(run.len() - i) {
                        let phrase = &run[i..i + n];
                        if !stop_en(phrase[0]) && !stop_en(phrase[n - 1]) {
                            seen.insert(phrase.join(" "));
                        }
                    }
                }
                run.clear();
            };
            for (position, word) in &words {
                if !latin(word) || last.is_some_and(|p| p + 1 != *position) {
                    flush(&mut run);
                }
                if latin(word) {
                    run.push(word);
                }
                last = Some(*position);
            }
            flush(&mut run);
        }
        for phrase in seen {
            *counts.entry(phrase).or_default() += 1;
        }
    }
    let mut out: Vec<(String, u32)> = counts
        .into_iter()
        .filter(|(p, c)| *c >= PHRASE_MIN_TALKS && p.split(' ').all(|w| meant.contains(&stems(w))))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The Chinese words of CC-CEDICT with their short senses whose every word is (by its stem) a
/// word of `phrases`, as `word<TAB>sense; sense …<TAB>senses` pairs, in the dictionary's order.
pub(super) fn parts(cedict: &str, phrases: &[(String, u32)]) -> Vec<Pair> {
    let vocabulary: HashSet<String> = phrases.iter().flat_map(|p| p.0.split(' ')).map(stems).collect();
    let mut out = Vec::new();
    for (word, senses) in cedict_senses(cedict) {
        let kept: Vec<&str> = senses
            .iter()
            .filter(|s| s.split(' ').all(|w| vocabulary.contains(&stems(w))))
            .map(String::as_str)
            .take(PART_MAX_SENSES)
            .collect();
        if !kept.is_empty() {
            out.push(Pair { left: word.to_string(), right: kept.join("; "), count: kept.len() as u32 });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CEDICT: &str = "聯邦 联邦 [lian2 bang1] /federal/union/federation/\n\
                          學習 学习 [xue2 xi2] /to learn/to study/\n\
                          機 机 [ji1] /surname Ji/machine/engine/opportunity/\n\
                          狀態 状态 [zhuang4 tai4] /state of affairs/state/mode/situation/\n\
                          不是 不是 [bu4 shi4] /no; is not/\n";

    fn docs() -> Vec<Doc> {
        let doc = |text: &str| Doc { chinese: false, text: text.to_string() };
        (0..5)
            .map(|i| doc(&format!("Federated learning {i}\nA state machine, and the learning of it")))
            .chain([doc("Learning a state machine")])
            .collect()
    }

    #[test]
    fn phrases_are_what_english_talks_say_and_chinese_words_mean() {
        let phrases = phrases(CEDICT, &docs());
        let texts: Vec<&str> = phrases.iter().map(|p| p.0.as_str()).collect();
        assert!(texts.contains(&"federated learning") && texts.contains(&"state machine"), "{texts:?}");
        assert_eq!(phrases.iter().find(|p| p.0 == "state machine").unwrap().1, 6);
        assert!(
            !texts.iter().any(|t| t.starts_with("the ") || t.ends_with(" of")),
            "stop words at the ends: {texts:?}"
        );
        assert!(!texts.contains(&"machine and"), "{texts:?}");
        let parts = parts(CEDICT, &phrases);
        let of = |w: &str| parts.iter().find(|p| p.left == w).map(|p| p.right.clone());
        assert_eq!(of("联邦").as_deref(), Some("federal; federation"), "by the stem, `union` in no phrase");
        assert_eq!(of("机").as_deref(), Some("machine"));
        assert_eq!(of("状态").as_deref(), Some("state"), "`state of affairs` has a stop word");
        assert_eq!(of("不是"), None, "a function word");
    }
}
