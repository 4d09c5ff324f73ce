//! How talks are ranked, in one place.
//!
//! A search scores a talk by BM25 in each searchable field, times the field's boost below, summed
//! over the fields and over the query's words. Each word also matches in other ways, each weighing
//! a fraction of the word as typed: inside a longer Chinese word, through its stem, a correction,
//! a compound or split, a completion of the last word, another name of the company it names, or a
//! translation (weights by the translation's source, in [`translation`]). Words that stand together
//! in the query add a bonus where they stand together in a talk's title. Question and function
//! words only add a little, where they are in a title (alone in a query, they match anywhere).
//!
//! Which talks are ranked at all comes first: every word (or one of its alternatives) must match;
//! when no talk has them all, or too few talks have all the words of a long query, talks with at
//! least half of them follow, ranked after those with all of them, and when those are still too
//! few, talks with any of them (see `Engine::search`).

use tantivy::schema::Field;

use crate::schema::Fields;

/// Field boosts: title above speakers and companies, above event, abstract and outline, above
/// takeaways, above bios; pinyin names low.
pub const TITLE: f32 = 4.0;
pub const SPEAKERS: f32 = 3.0;
pub const SPEAKER_PINYIN: f32 = 0.8;
pub const COMPANY: f32 = 2.5;
pub const EVENT: f32 = 1.5;
pub const ABSTRACT: f32 = 1.5;
pub const TAKEAWAYS: f32 = 1.0;
pub const BIO: f32 = 0.8;

/// The searchable text fields with their boosts.
pub fn text_fields(f: &Fields) -> [(Field, f32); 8] {
    [
        (f.title, TITLE),
        (f.speakers, SPEAKERS),
        (f.speaker_pinyin, SPEAKER_PINYIN),
        (f.company, COMPANY),
        (f.event, EVENT),
        (f.abstract_text, ABSTRACT),
        (f.takeaways, TAKEAWAYS),
        (f.bio, BIO),
    ]
}

/// The fields of running text, where a word occurs in many forms (`tests`, `testing`): where a
/// query word also matches through its stem, and compounds are looked for.
pub fn running_text_fields(f: &Fields) -> [(Field, f32); 3] {
    [(f.title, TITLE), (f.abstract_text, ABSTRACT), (f.takeaways, TAKEAWAYS)]
}

/// Where a question or function word (`how`, `the`, 如何, 的) adds to the score of a talk when the
/// query has other words: titles only.
pub fn function_word_fields(f: &Fields) -> [(Field, f32); 1] {
    [(f.title, TITLE)]
}

/// Titles and speaker names: what a person typing a query is completing.
pub fn title_fields(f: &Fields) -> [(Field, f32); 2] {
    [(f.title, TITLE), (f.speakers, SPEAKERS)]
}

/// Where words that stand together in the query add a bonus when they stand together (within two
/// positions) in a talk, and how much: the title only. The same bonus in the abstract (×1) cost 7 %
/// of a search's instructions (callgrind, the 3,000-query mix: 0.966 M → 0.894 M without it) and
/// 16–23 % of the searches per second under load (its positions are long and read from all over
/// the index), for rankings no better: without it success@1 and @10 hold or rise on all four
/// judged sets (as typed 0.819 → 0.830 @1, second blind set 0.66 → 0.67 @1).
pub fn phrase_bonus_fields(f: &Fields) -> [(Field, f32); 1] {
    [(f.title, 3.0)]
}

/// A match inside a longer Chinese word, relative to a whole-word match.
pub const PART: f32 = 0.5;
/// A correction of a misspelt word, relative to the word as typed (one edit; two edits weigh half
/// of this).
pub const CORRECTION: f32 = 0.5;
/// Another form of a word (`testing` for `tests`, through their stem).
pub const STEM: f32 = 0.5;
/// The same words written together or apart (`data classes` ↔ `dataclasses`).
pub const COMPOUND: f32 = 0.6;
/// A word that the query's last word may be the start of (`dict` → `dictionary`).
pub const COMPLETION: f32 = 0.3;
/// Another name of the company a query word names (`滴滴` for `DiDi`).
pub const COMPANY_NAME: f32 = 0.5;
/// A company's Latin name for the Chinese name typed (`Intel` for 英特尔): as low as a curated
/// translation from Chinese, so a Chinese query still prefers the Chinese talks.
pub const COMPANY_NAME_FROM_CHINESE: f32 = translation::FROM_CHINESE[0];
/// The score of a talk whose speaker works at the company a query word names (about that of the
/// word in the company field).
pub const COMPANY_SPEAKER_SCORE: f32 = 3.0;
/// An optional question or function word (`how`, `the`, 如何, 的), relative to the words that must
/// match.
pub const FUNCTION_WORD: f32 = 0.1;

/// A translation, relative to the words as typed: by where it comes from (curated glossary or
/// abbreviation table, pairs mined from the corpus, CC-CEDICT, in that order) and which way it goes.
/// An abbreviation and its long form say the same thing: higher. English words translated into
/// Chinese weigh more than Chinese words translated into English: the Chinese talks are few, and
/// their words are rare in the whole index, so a Chinese talk that has every word of an English
/// query in Chinese is rarely about something else; while a Chinese query's words translated into
/// English meet many English talks, which must not crowd out the Chinese ones that say it as typed.
pub mod translation {
    pub const SAME_LANGUAGE: f32 = 0.4;
    /// An English (or other Latin-script) word to its Chinese translations: curated, mined, CEDICT.
    pub const TO_CHINESE: [f32; 3] = [0.9, 0.75, 0.6];
    /// A Chinese word to its English translations: curated, mined, CEDICT.
    pub const FROM_CHINESE: [f32; 3] = [0.15, 0.12, 0.08];
}
