//! The bilingual glossary (`data/glossary.tsv`): `service mesh` ↔ `服务网格`, so a query in one
//! language also finds talks in the other.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::query::terms;

const GLOSSARY: &str = include_str!("../../data/glossary.tsv");

/// The longest glossary entry, in terms.
pub const MAX_TERMS: usize = 4;

/// Analyzed term sequence → the texts it translates to.
pub struct Glossary {
    entries: HashMap<Vec<String>, Vec<String>>,
}

impl Glossary {
    /// The shipped glossary, analyzed once per process.
    pub fn builtin() -> &'static Glossary {
        static CELL: OnceLock<Glossary> = OnceLock::new();
        CELL.get_or_init(|| Glossary::parse(GLOSSARY))
    }

    /// Parses `en<TAB>zh` lines; each side translates to the other. Blank and `#` lines are skipped.
    pub fn parse(text: &str) -> Glossary {
        let mut entries: HashMap<Vec<String>, Vec<String>> = HashMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let Some((a, b)) = line.split_once('\t') else { continue };
            for (from, to) in [(a, b), (b, a)] {
                let key: Vec<String> = terms(from).into_iter().map(|(_, t)| t).collect();
                if key.is_empty() || key.len() > MAX_TERMS {
                    continue;
                }
                let alternatives = entries.entry(key).or_default();
                if !alternatives.iter().any(|x| x == to.trim()) {
                    alternatives.push(to.trim().to_string());
                }
            }
        }
        Glossary { entries }
    }

    /// The translations of exactly this term sequence.
    pub fn translations(&self, key: &[String]) -> Option<&[String]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_after_analysis() {
        let g = Glossary::builtin();
        assert!(g.len() >= 120, "at least 60 pairs, both ways: {}", g.len());
        let key = |s: &str| terms(s).into_iter().map(|(_, t)| t).collect::<Vec<_>>();
        assert_eq!(g.translations(&key("Service Mesh")), Some(&["服务网格".to_string()][..]));
        assert_eq!(g.translations(&key("服务网格")), Some(&["service mesh".to_string()][..]));
        assert!(g.translations(&key("可觀測性")).is_some(), "traditional folds to the simplified entry");
        assert_eq!(g.translations(&key("nothing here")), None);
    }
}
