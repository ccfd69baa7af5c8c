//! `/a-propos`, `/accessibilite` (RGAA statement), `/confidentialite` (what is kept about
//! visitors: nothing but the server log; for professionals, the security journal's addresses and
//! the hashed throttling keys). Their text lives in the message files.

use askama::Template;
use axum::extract::OriginalUri;
use axum::http::StatusCode;
use axum::response::Response;

use super::i18n::Locale;
use super::{Chrome, render};

/// How long the server log keeps a request line (the operator sets log rotation to match).
pub const LOG_RETENTION_DAYS: i64 = 30;

/// A page of text: a title and sections of paragraphs, all from messages.
#[derive(Debug, Template)]
#[template(path = "info.html")]
pub struct InfoPage {
    pub c: Chrome,
    pub title: String,
    pub sections: Vec<Section>,
}

/// A titled section of an information page.
#[derive(Debug)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

fn info(
    locale: Locale,
    uri: &axum::http::Uri,
    nav: &'static str,
    prefix: &str,
    sections: &[(&str, usize)],
) -> Response {
    let c = Chrome::new(locale, uri, nav);
    let tr = c.tr;
    let retention = LOG_RETENTION_DAYS.to_string();
    let page = InfoPage {
        title: tr.t(&format!("{prefix}-title")),
        sections: sections
            .iter()
            .map(|(name, n)| Section {
                heading: tr.t(&format!("{prefix}-{name}-heading")),
                paragraphs: (1..=*n)
                    .map(|i| tr.t1(&format!("{prefix}-{name}-{i}"), "days", &retention))
                    .collect(),
            })
            .collect(),
        c,
    };
    render(StatusCode::OK, locale, &page)
}

/// `GET /a-propos`.
pub async fn about(locale: Locale, OriginalUri(uri): OriginalUri) -> Response {
    info(
        locale,
        &uri,
        "about",
        "about",
        &[("what", 2), ("network", 2), ("data", 2)],
    )
}

/// `GET /accessibilite`: the accessibility statement in the RGAA form.
pub async fn accessibility(locale: Locale, OriginalUri(uri): OriginalUri) -> Response {
    info(
        locale,
        &uri,
        "accessibility",
        "a11y",
        &[
            ("status", 2),
            ("results", 2),
            ("exceptions", 2),
            ("tech", 2),
            ("report", 2),
            ("remedy", 1),
        ],
    )
}

/// `GET /confidentialite`.
pub async fn privacy(locale: Locale, OriginalUri(uri): OriginalUri) -> Response {
    info(
        locale,
        &uri,
        "privacy",
        "privacy",
        &[
            ("nothing", 2),
            ("log", 2),
            ("cookie", 1),
            ("pro", 2),
            ("rights", 1),
        ],
    )
}
