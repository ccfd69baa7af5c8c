//! French text analysis for the index: folding (case and accents), tokenising, stop words and
//! Snowball stemming, applied the same way to documents and queries.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use relais_domain::text::fold;

/// French function words that carry no meaning for a directory search.
const STOP_WORDS: &[&str] = &[
    "a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l", "la",
    "le", "les", "leur", "leurs", "ou", "par", "pour", "qu", "que", "qui", "sa", "se", "ses",
    "son", "sur", "un", "une", "vos", "votre", "y", "the", "of", "and", "for",
];

/// Turns text into search terms.
pub struct Analyzer {
    stemmer: Stemmer,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer(french)")
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self {
            stemmer: Stemmer::create(Algorithm::French),
        }
    }
}

impl Analyzer {
    /// The terms of `text`, in order, duplicates kept: folded, split on anything that is not a
    /// letter or digit, French stop words and single letters dropped, stemmed.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let folded = fold(text);
        words(&folded)
            .map(|w| self.stemmer.stem(singular(w)).into_owned())
            .collect()
    }

    /// Calls `f` with each term of `text`, like [`Self::terms`], remembering stems in `stems`
    /// (a directory repeats the same words many times: stemming each once saves most of the
    /// work of indexing).
    pub fn for_each_term(
        &self,
        text: &str,
        stems: &mut HashMap<String, String>,
        mut f: impl FnMut(&str),
    ) {
        let folded = fold(text);
        for w in words(&folded) {
            match stems.get(w) {
                Some(stem) => f(stem),
                None => {
                    let stem = self.stemmer.stem(singular(w)).into_owned();
                    f(&stem);
                    stems.insert(w.to_owned(), stem);
                }
            }
        }
    }
}

/// The words of folded text that can be terms.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && (w.len() > 1 || w.chars().all(|c| c.is_ascii_digit())))
        .filter(|w| !STOP_WORDS.contains(w))
}

/// Drops a plural `s` or `x` before stemming: Snowball French stems `étrangers` and `étranger`
/// differently (`etranger`, `etrang`), and a person types either. Applied to documents and queries
/// alike, so an over-eager cut (`frais` → `frai`) still matches itself.
fn singular(w: &str) -> &str {
    if w.len() > 3 && (w.ends_with('s') || w.ends_with('x')) && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_and_accents_meet() {
        let a = Analyzer::default();
        assert_eq!(a.terms("juridique"), a.terms("juridiques"));
        assert_eq!(a.terms("etrangers"), a.terms("Étrangers"));
        assert_eq!(a.terms("étranger"), a.terms("Étrangers"));
        assert_eq!(a.terms("droit"), a.terms("DROITS"));
        assert_eq!(a.terms("Droits des étrangers").len(), 2);
        assert!(a.terms("de la").is_empty());
        let mut stems = HashMap::new();
        let mut cached = Vec::new();
        a.for_each_term("Droits des étrangers, droits", &mut stems, |t| {
            cached.push(t.to_owned())
        });
        assert_eq!(cached, a.terms("Droits des étrangers, droits"));
    }
}
