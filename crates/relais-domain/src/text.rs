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
    /// A control character (NUL, a line break, a bidirectional override…): invisible, it would
    /// be written as is into pages, titles and exports.
    #[error("caractère de contrôle interdit (U+{code:04X}, position {position})")]
    Control { code: u32, position: usize },
    /// Not an email address (`nom@domaine.fr`).
    #[error("adresse e-mail invalide : nom@domaine.fr attendu")]
    Email,
    /// Not an `http://` or `https://` address.
    #[error(
        "lien invalide : une adresse http:// ou https:// attendue (ex. https://exemple.fr/page)"
    )]
    Link,
}

/// Whether `c` may not appear in a one-line text: Unicode controls (C0, DEL, C1, which include
/// NUL and line breaks) and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069) that reorder what is shown (CVE-2021-42574, « Trojan Source »).
pub fn is_forbidden_in_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first forbidden character of a one-line text, as an error (position counted from 1).
fn check_line(s: &str) -> Result<(), TextError> {
    match s.chars().position(is_forbidden_in_line) {
        Some(i) => Err(TextError::Control {
            code: s.chars().nth(i).map_or(0, u32::from),
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// A trimmed, non-empty text of bounded length (names of services and structures).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    /// Longest name accepted (data·inclusion has no limit; 300 covers every real name seen).
    pub const MAX_CHARS: usize = 300;

    /// Trims and checks a name: not empty, at most [`Self::MAX_CHARS`], one line without
    /// control characters ([`is_forbidden_in_line`]).
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(TextError::Empty);
        }
        check_line(t)?;
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

/// The contact address of a service or structure: an RFC 5322 `addr-spec` (no display name, no
/// `<…>`), with a dotted domain, as parsed by the `email_address` crate — and, stricter than the
/// RFC, neither a quoted local part (`"<b>"@exemple.fr` is valid RFC 5322 and can carry any
/// character) nor a domain literal (`nom@[192.0.2.1]`): no public contact uses them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContactEmail(String);

impl ContactEmail {
    /// Longest address (RFC 5321 §4.5.3.1.3: 254 octets in a path).
    pub const MAX_BYTES: usize = 254;

    /// Trims and checks an address; kept as written.
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let t = s.trim();
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        let ok = t.len() <= Self::MAX_BYTES
            && !t.starts_with('"')
            && !t
                .chars()
                .any(|c| c.is_whitespace() || is_forbidden_in_line(c))
            && email_address::EmailAddress::parse_with_options(t, options).is_ok();
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(TextError::Email)
        }
    }

    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ContactEmail {
    type Error = TextError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ContactEmail> for String {
    fn from(e: ContactEmail) -> String {
        e.0
    }
}

/// A link shown to people (a source, a website, a form, an accessibility sheet): an absolute
/// `http` or `https` URL with a host, as the `url` crate (WHATWG URL Standard) parses it.
/// `javascript:`, `data:`, `file:` and relative links are refused, and so are whitespace and
/// control characters (a browser would strip them and read another URL). Kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebLink(String);

impl WebLink {
    /// Longest link accepted (what common browsers and servers handle without trouble).
    pub const MAX_CHARS: usize = 2_000;

    /// Trims and checks a link.
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let t = s.trim();
        let ok = t.chars().count() <= Self::MAX_CHARS
            && !t
                .chars()
                .any(|c| c.is_whitespace() || is_forbidden_in_line(c))
            && url::Url::parse(t).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(TextError::Link)
        }
    }

    /// The link as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebLink {
    type Error = TextError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<WebLink> for String {
    fn from(l: WebLink) -> String {
        l.0
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

    #[test]
    fn names_refuse_control_characters() {
        assert_eq!(
            Name::parse("Point\0justice"),
            Err(TextError::Control {
                code: 0,
                position: 6
            })
        );
        assert!(Name::parse("Ligne\nautre").is_err());
        assert!(Name::parse("abc\u{202E}fed").is_err());
        assert!(Name::parse("Maison de la Justice et du Droit — Saint-Denis").is_ok());
        assert!(Name::parse("دار العدالة").is_ok());
    }

    #[test]
    fn contact_emails_are_addr_specs() {
        for ok in [
            "contact@exemple.fr",
            "prenom.nom+tag@sous.domaine.org",
            "accueil@mairie-saint-denis.fr",
        ] {
            assert_eq!(
                ContactEmail::parse(ok).map(|e| e.0),
                Ok(ok.to_owned()),
                "{ok}"
            );
        }
        for bad in [
            "a\"><script>alert(1)</script>@example.org",
            "\"<b>\"@example.org",
            "Nom <nom@example.org>",
            "nom@[192.0.2.1]",
            "nom@localhost",
            "nom@@example.org",
            "nom @example.org",
            "nom@exa\0mple.org",
            "",
            "@example.org",
        ] {
            assert_eq!(ContactEmail::parse(bad), Err(TextError::Email), "{bad}");
        }
    }

    #[test]
    fn links_are_http_or_https_only() {
        for ok in [
            "https://www.exemple.fr/page?x=1#a",
            "http://exemple.fr",
            "https://acceslibre.beta.gouv.fr/app/75-paris/a/b/erp/c/",
        ] {
            assert!(WebLink::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(5)",
            "JavaScript:alert(5)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "//exemple.fr/page",
            "/page",
            "www.exemple.fr",
            "java\tscript:alert(1)",
            "https://exemple.fr/a b",
            "https://",
            "mailto:a@exemple.fr",
        ] {
            assert_eq!(WebLink::parse(bad), Err(TextError::Link), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn accepted_names_hold_no_control_character(s in "\\PC{0,20}[\\x00-\\x1f\\x7f]?\\PC{0,20}") {
            if let Ok(n) = Name::parse(&s) {
                prop_assert!(!n.as_str().chars().any(is_forbidden_in_line));
            }
        }

        #[test]
        fn accepted_links_are_http_urls(s in "(https?|javascript|data|ftp):(//)?[a-z0-9./:@%?#&=-]{0,30}") {
            if let Ok(l) = WebLink::parse(&s) {
                let u = url::Url::parse(l.as_str()).expect("parses");
                prop_assert!(u.scheme() == "http" || u.scheme() == "https");
            }
        }

        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }
    }
}
