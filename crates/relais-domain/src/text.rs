//! Text values and the folding used to compare what people type with what the data says.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Lower-cases and strips diacritics, so that `Étrangers`, `etrangers` and `ÉTRANGERS` compare
/// equal; ligatures œ/æ are spelled out. Punctuation is kept (callers split on it).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            // Combining marks left by NFD decomposition.
            '\u{0300}'..='\u{036f}' => {}
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            '’' | 'ʼ' | '‘' => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Why a text field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty or only spaces.
    #[error("ne doit pas être vide")]
    Empty,
    /// Longer than the field allows.
    #[error("trop long ({len} caractères, {max} au plus)")]
    TooLong { len: usize, max: usize },
}

/// A trimmed, non-empty text of bounded length (names of services and structures).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    /// Longest name accepted (data·inclusion has no limit; 300 covers every real name seen).
    pub const MAX_CHARS: usize = 300;

    /// Trims and checks a name.
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(TextError::Empty);
        }
        let len = t.chars().count();
        if len > Self::MAX_CHARS {
            return Err(TextError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(t.to_owned()))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Name {
    type Error = TextError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fold_strips_accents_and_case() {
        assert_eq!(fold("Étrangers"), "etrangers");
        assert_eq!(fold("ŒUVRE à Saint-Ouen"), "oeuvre a saint-ouen");
        assert_eq!(fold("L’Haÿ-les-Roses"), "l'hay-les-roses");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("  Point-justice  ").map(|n| n.0),
            Ok("Point-justice".into())
        );
        assert_eq!(Name::parse("   "), Err(TextError::Empty));
        assert!(matches!(
            Name::parse(&"a".repeat(301)),
            Err(TextError::TooLong { .. })
        ));
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }
    }
}
