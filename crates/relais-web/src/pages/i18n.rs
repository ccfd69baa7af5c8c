//! Languages of the pages: every visible string comes from Project Fluent files
//! (`locales/<lang>/*.ftl`, embedded at compile time); the language is chosen explicitly
//! (`?lang=`, kept in a cookie), else from `Accept-Language`, else French.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        core_locales: "./locales/core.ftl",
        // Bidi isolation marks around arguments would end up inside attributes and URLs; the
        // pages mark the direction of foreign text themselves with `lang`/`dir`.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Name of the cookie that remembers an explicit language choice.
pub const LANG_COOKIE: &str = "lang";

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Fr,
    En,
    Ar,
}

impl Lang {
    /// Every interface language, in the order of the language switcher.
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::En, Lang::Ar];

    /// The BCP 47 tag (`fr`, `en`, `ar`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
            Self::Ar => "ar",
        }
    }

    /// Writing direction for `dir`.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::Fr => "Français",
            Self::En => "English",
            Self::Ar => "العربية",
        }
    }

    /// The language of a tag, if the interface has it (`en-GB` → English).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Self::Fr => langid!("fr"),
            Self::En => langid!("en"),
            Self::Ar => langid!("ar"),
        }
    }
}

/// The language of a request and whether it was chosen explicitly in the URL (then the answer
/// sets the cookie so that the choice is remembered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    pub lang: Lang,
    pub explicit: bool,
}

impl Locale {
    /// Explicit `?lang=` first, then the cookie, then `Accept-Language`, then French.
    pub fn negotiate(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> Self {
        let from_query = query.and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::from_tag(&v))
        });
        if let Some(lang) = from_query {
            return Self {
                lang,
                explicit: true,
            };
        }
        let from_cookie = cookie.and_then(|c| {
            c.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == LANG_COOKIE)
                .and_then(|(_, v)| Lang::from_tag(v))
        });
        // By quality, the first tag whose primary language the interface has (`en-GB` → en).
        let from_header = || {
            accept.and_then(|a| {
                accept_language::parse(a)
                    .iter()
                    .find_map(|t| Lang::from_tag(t))
            })
        };
        Self {
            lang: from_cookie.or_else(from_header).unwrap_or(Lang::Fr),
            explicit: false,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Locale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        Ok(Self::negotiate(
            parts.uri.query(),
            header(COOKIE),
            header(ACCEPT_LANGUAGE),
        ))
    }
}

/// Looks up the strings of one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// A translator for `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The message `key`, falling back to French. Keys are written in the code or built from
    /// referential values the message files cover (a test checks every one); a missing key
    /// shows the key itself, never the loader's "Unknown localization key" text.
    pub fn t(&self, key: &str) -> String {
        self.try_t(key).unwrap_or_else(|| key.to_owned())
    }

    /// The message `key` if a language has it (this one, then French).
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.lang.langid(), key)
    }

    /// The message `key`, or `fallback` (a value from data: a referential's French label, a
    /// language code) when no message covers it.
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        self.try_t(key).unwrap_or_else(|| fallback.to_owned())
    }

    /// The message `key` with named arguments.
    pub fn t_with(&self, key: &str, args: &[(&'static str, Arg<'_>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Arg::Str(s) => FluentValue::from(*s),
                    Arg::Num(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*k), value)
            })
            .collect();
        LOCALES.lookup_with_args(&self.lang.langid(), key, &map)
    }

    /// The message `key` with one string argument (the form templates use most).
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.t_with(key, &[(name, Arg::Str(value))])
    }

    /// Whether `key` exists in this language itself (no fallback): used by the completeness test.
    pub fn has(&self, key: &str) -> bool {
        // Every variable the messages use, so that formatting does not fail on a missing one.
        let names = [
            "time",
            "day",
            "date",
            "count",
            "km",
            "place",
            "distance",
            "minutes",
            "languages",
            "reference",
            "days",
            "name",
            "from",
            "to",
            "weekday",
            "month",
            "year",
            "dates",
            "partner",
            "link",
            "position",
            "message",
            "max",
        ];
        let args: HashMap<&str, FluentValue<'_>> =
            names.iter().map(|n| (*n, FluentValue::from(2))).collect();
        LOCALES
            .lookup_no_default_fallback(&self.lang.langid(), key, Some(&args))
            .is_some()
    }
}

/// An argument of a message.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Str(&'a str),
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Self::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Self::Num(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choice_wins_then_cookie_then_header() {
        let l = Locale::negotiate(Some("q=x&lang=en"), Some("lang=ar"), Some("fr"));
        assert_eq!((l.lang, l.explicit), (Lang::En, true));
        let l = Locale::negotiate(Some("q=x"), Some("a=b; lang=ar"), Some("en"));
        assert_eq!((l.lang, l.explicit), (Lang::Ar, false));
        let l = Locale::negotiate(None, None, Some("de-DE,en-GB;q=0.8,fr;q=0.5"));
        assert_eq!(l.lang, Lang::En);
        let l = Locale::negotiate(None, None, Some("de"));
        assert_eq!(l.lang, Lang::Fr);
        // An unknown language in the URL is ignored rather than refused.
        let l = Locale::negotiate(Some("lang=xx"), None, Some("ar"));
        assert_eq!((l.lang, l.explicit), (Lang::Ar, false));
    }

    #[test]
    fn messages_take_arguments() {
        let fr = Tr::new(Lang::Fr);
        assert_eq!(
            fr.t1("status-open-until", "time", "17\u{a0}h"),
            "Ouvert jusqu’à 17\u{a0}h"
        );
        let en = Tr::new(Lang::En);
        assert_eq!(
            en.t1("status-open-until", "time", "5\u{a0}pm"),
            "Open until 5\u{a0}pm"
        );
    }
}
