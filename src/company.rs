//! Company names and aliases: one canonical company for 腾讯 / 腾讯云 / Tencent.
//!
//! The curated table lives in `data/companies.toml` (compiled in). Each entry has an id, a display
//! name, English and Chinese names, abbreviations, former names, and the parent company when it is
//! part of another (腾讯云 within 腾讯). Matching folds case, full-width forms, spaces and
//! punctuation, so `ＡＰＩ７`, `api7` and `API7.ai` meet. A company not in the table still works by
//! its own name: its id is its folded name.
//!
//! Two kinds of alias: `aliases` are safe to look for inside a speaker's bio; `query_aliases` are how
//! people type the company in a search (`字节` for ByteDance, `鹅厂` for Tencent) but would name it
//! wrongly inside text (`字节码联盟` is not ByteDance), so they are used for queries and filters only.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::Error;

const TABLE: &str = include_str!("../data/companies.toml");

/// One company of the alias table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Stable id (`tencent`, `tencent-cloud`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Every other way of writing it: English and Chinese names, abbreviations, former names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The id of the company this one is part of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Names people search by that are unsafe inside text (see the module docs): queries only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_aliases: Vec<String>,
}

impl Company {
    /// The display name followed by the aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

#[derive(Deserialize)]
struct File {
    company: Vec<Company>,
}

/// The alias table, indexed for lookups.
#[derive(Debug)]
pub struct Companies {
    companies: Vec<Company>,
    /// Folded name → index into `companies`.
    by_key: FxHashMap<String, usize>,
    /// Folded query alias → index into `companies`.
    by_query_key: FxHashMap<String, usize>,
    by_id: FxHashMap<String, usize>,
}

/// Legal-form and generic suffixes dropped when a name is not found as written.
const SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "公司",
    "集团",
    "科技",
    "inc",
    "ltd",
    "llc",
    "corp",
    "corporation",
    "co",
    "gmbh",
];

impl Companies {
    /// The table shipped in `data/companies.toml`, parsed once per process.
    pub fn builtin() -> &'static Companies {
        static TABLE_CELL: OnceLock<Companies> = OnceLock::new();
        TABLE_CELL.get_or_init(|| Companies::parse(TABLE).expect("data/companies.toml is valid"))
    }

    /// Parses a table in the `data/companies.toml` format, checking ids, parents and alias clashes.
    pub fn parse(text: &str) -> crate::Result<Companies> {
        let file: File = toml::from_str(text).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
        let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
        for (i, c) in file.company.iter().enumerate() {
            if by_id.insert(c.id.clone(), i).is_some() {
                return Err(Error::Invalid(format!("company id {:?} appears twice", c.id)));
            }
            for name in c.names() {
                let k = fold_name(name);
                if k.is_empty() {
                    continue;
                }
                if let Some(&j) = by_key.get(&k) {
                    if j != i {
                        return Err(Error::Invalid(format!(
                            "{name:?} names both {:?} and {:?}",
                            file.company[j].id, c.id
                        )));
                    }
                }
                by_key.insert(k, i);
            }
        }
        let mut by_query_key: FxHashMap<String, usize> = FxHashMap::default();
        for (i, c) in file.company.iter().enumerate() {
            for alias in &c.query_aliases {
                let k = fold_name(alias);
                let clash = by_key.get(&k).or(by_query_key.get(&k)).filter(|&&j| j != i);
                if let Some(&j) = clash {
                    return Err(Error::Invalid(format!(
                        "query alias {alias:?} names both {:?} and {:?}",
                        file.company[j].id, c.id
                    )));
                }
                if !k.is_empty() {
                    by_query_key.insert(k, i);
                }
            }
        }
        for c in &file.company {
            if let Some(p) = &c.parent {
                if !by_id.contains_key(p) {
                    return Err(Error::Invalid(format!("{:?} has unknown parent {p:?}", c.id)));
                }
            }
        }
        Ok(Companies { companies: file.company, by_key, by_query_key, by_id })
    }

    pub fn all(&self) -> &[Company] {
        &self.companies
    }

    pub fn get(&self, id: &str) -> Option<&Company> {
        self.by_id.get(id).map(|&i| &self.companies[i])
    }

    /// The company `text` names, if the table knows it: as written, then without a legal-form
    /// suffix (`腾讯科技有限公司`), then by the longest known name it starts with (`腾讯云 TKE 团队`).
    pub fn resolve(&self, text: &str) -> Option<&Company> {
        let k = fold_name(text);
        if k.is_empty() {
            return None;
        }
        if let Some(&i) = self.by_key.get(&k) {
            return Some(&self.companies[i]);
        }
        let mut stripped = k.as_str();
        while let Some(s) = SUFFIXES.iter().find_map(|suffix| stripped.strip_suffix(suffix).filter(|s| !s.is_empty())) {
            stripped = s;
            if let Some(&i) = self.by_key.get(stripped) {
                return Some(&self.companies[i]);
            }
        }
        // Longest known name that starts the text, at least two characters long and not cut out of
        // a longer Latin word (`Intel` does not start `Intelligence`).
        let mut ends: Vec<usize> = k.char_indices().map(|(i, _)| i).skip(2).collect();
        ends.reverse();
        ends.into_iter()
            .filter(|&end| {
                let before = k[..end].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
                let after = k[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
                !(before && after)
            })
            .find_map(|end| self.by_key.get(&k[..end]).map(|&i| &self.companies[i]))
    }

    /// The company's id and those of the companies it is part of, nearest first.
    pub fn lineage(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_string()];
        let mut current = self.get(id);
        while let Some(parent) = current.and_then(|c| c.parent.as_deref()) {
            if out.iter().any(|o| o == parent) {
                break; // a cycle in the table; parse() does not forbid it, so stop here
            }
            out.push(parent.to_string());
            current = self.get(parent);
        }
        out
    }

    /// The company a search names with exactly `text`: one of its names, or one of its query
    /// aliases (`字节`, `鹅厂`). No partial matches: a query word either names a company or not.
    pub fn named(&self, text: &str) -> Option<&Company> {
        let k = fold_name(text);
        let i = self.by_key.get(&k).or_else(|| self.by_query_key.get(&k))?;
        Some(&self.companies[*i])
    }

    /// The id to filter by when a user names `text`: the top of its family, so `腾讯云`, `腾讯`,
    /// `Tencent` and `鹅厂` all mean Tencent with its subsidiaries. Unknown companies: their folded name.
    pub fn family_id(&self, text: &str) -> Option<String> {
        let id = match self.resolve(text) {
            Some(c) => c.id.clone(),
            None => self.named(text).map_or_else(|| fold_name(text), |c| c.id.clone()),
        };
        Some(id).filter(|id| !id.is_empty()).and_then(|id| self.lineage(&id).pop())
    }

    /// The id for `text`: the table's id when it knows the company, else the folded text itself.
    pub fn id_for(&self, text: &str) -> Option<String> {
        match self.resolve(text) {
            Some(c) => Some(c.id.clone()),
            None => Some(fold_name(text)).filter(|k| !k.is_empty()),
        }
    }
}

/// The folded form used for matching: full-width to ASCII, lowercase, without spaces and punctuation.
pub fn fold_name(text: &str) -> String {
    text.chars()
        .map(crate::tokenizer::fold_width)
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[company]]
id = "tencent"
name = "腾讯"
aliases = ["Tencent", "腾讯公司"]
query_aliases = ["鹅厂"]

[[company]]
id = "tencent-cloud"
name = "腾讯云"
aliases = ["Tencent Cloud"]
parent = "tencent"

[[company]]
id = "api7"
name = "API7.ai"
aliases = ["支流科技", "API7"]
"#;

    #[test]
    fn query_aliases_name_a_company_in_searches_only() {
        let t = Companies::parse(SAMPLE).unwrap();
        assert_eq!(t.named("鹅厂").map(|c| c.id.as_str()), Some("tencent"));
        assert_eq!(t.named("Tencent Cloud").map(|c| c.id.as_str()), Some("tencent-cloud"));
        assert!(t.named("腾讯云 TKE 团队").is_none(), "a search word names a company whole or not at all");
        assert_eq!(t.family_id("鹅厂").as_deref(), Some("tencent"), "the company filter takes them");
        assert!(t.resolve("鹅厂").is_none(), "never found in a bio");
        assert!(!t.get("tencent").unwrap().names().any(|n| n == "鹅厂"));
        let clash = format!("{SAMPLE}\n[[company]]\nid = \"x\"\nname = \"X\"\nquery_aliases = [\"Tencent\"]\n");
        assert!(Companies::parse(&clash).unwrap_err().to_string().contains("query alias \"Tencent\""));
    }

    #[test]
    fn resolves_aliases_whatever_the_writing() {
        let t = Companies::parse(SAMPLE).unwrap();
        let id = |s: &str| t.resolve(s).map(|c| c.id.as_str());
        assert_eq!(id("腾讯"), Some("tencent"));
        assert_eq!(id("TENCENT"), Some("tencent"));
        assert_eq!(id("Tencent Cloud"), Some("tencent-cloud"));
        assert_eq!(id("腾讯云"), Some("tencent-cloud"));
        assert_eq!(id("ＡＰＩ７"), Some("api7"));
        assert_eq!(id("api7"), Some("api7"));
        assert_eq!(id("API7.ai"), Some("api7"));
        assert_eq!(id("支流科技"), Some("api7"));
        assert_eq!(id("腾讯科技有限公司"), Some("tencent"));
        assert_eq!(id("腾讯云 TKE 团队"), Some("tencent-cloud"));
        assert_eq!(id("Flomesh"), None);
        assert_eq!(id("Tencentville"), None, "a prefix must not cut a Latin word");
        assert_eq!(id(""), None);
    }

    #[test]
    fn lineage_and_unknown_ids() {
        let t = Companies::parse(SAMPLE).unwrap();
        assert_eq!(t.lineage("tencent-cloud"), ["tencent-cloud", "tencent"]);
        assert_eq!(t.id_for("Flomesh").as_deref(), Some("flomesh"));
        assert_eq!(t.id_for("Tencent").as_deref(), Some("tencent"));
        assert_eq!(t.family_id("腾讯云").as_deref(), Some("tencent"));
        assert_eq!(t.family_id("Flomesh").as_deref(), Some("flomesh"));
    }

    #[test]
    fn a_clashing_alias_is_rejected() {
        let bad = "[[company]]\nid = \"a\"\nname = \"X\"\n[[company]]\nid = \"b\"\nname = \"x\"\n";
        assert!(Companies::parse(bad).unwrap_err().to_string().contains("names both"));
    }

    #[test]
    fn the_shipped_table_is_valid() {
        let t = Companies::builtin();
        assert!(t.all().len() >= 10);
        assert_eq!(t.resolve("Tencent").map(|c| c.id.as_str()), Some("tencent"));
        assert_eq!(t.lineage(&t.resolve("腾讯云").unwrap().id).last().map(String::as_str), Some("tencent"));
    }
}
