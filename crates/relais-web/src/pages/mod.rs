//! The public pages: server-rendered (askama, checked at compile time), complete without
//! JavaScript, in French, English and Arabic (Fluent), with nothing loaded from anywhere but
//! this server. One page struct per page, next to its handler.

pub mod assets;
pub mod format;
pub mod i18n;
mod info;
mod search;
pub(crate) mod service;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;
use i18n::{LANG_COOKIE, Lang, Locale, Tr};

pub use search::SPOKEN;
pub use service::holiday_key;

/// The routes of the public pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(search::home))
        .route("/services", get(search::results).post(search::near_me))
        .route("/services/{id}", get(service::page))
        .route("/a-propos", get(info::about))
        .route("/accessibilite", get(info::accessibility))
        .route("/confidentialite", get(info::privacy))
        .route("/static/{name}", get(assets::serve))
}

/// A link of the language switcher.
#[derive(Debug)]
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// What every page's layout needs: the translator, the language, the assets, the switcher.
#[derive(Debug)]
pub struct Chrome {
    pub tr: Tr,
    pub lang: &'static str,
    pub dir: &'static str,
    pub css: String,
    /// The geolocation script, on pages with a place field.
    pub script: Option<String>,
    pub switch: Vec<LangLink>,
    /// The language was chosen in the URL: links keep `lang=` so that they stay shareable.
    pub lang_in_url: bool,
    /// Which navigation entry is the current page.
    pub nav: &'static str,
}

impl Chrome {
    /// The layout for a request to `uri` in `locale`.
    pub fn new(locale: Locale, uri: &Uri, nav: &'static str) -> Self {
        let pairs: Vec<(String, String)> = uri
            .query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let switch = Lang::ALL
            .into_iter()
            .map(|l| {
                let mut p: Vec<(String, String)> =
                    pairs.iter().filter(|(k, _)| k != "lang").cloned().collect();
                p.push(("lang".into(), l.code().into()));
                LangLink {
                    code: l.code(),
                    name: l.native_name(),
                    // Query only: the same page, whatever its path (a path is never echoed
                    // into a link, so `//other.host` cannot become one).
                    href: format!("?{}", serde_urlencoded::to_string(&p).unwrap_or_default()),
                    current: l == locale.lang,
                }
            })
            .collect();
        Self {
            tr: Tr::new(locale.lang),
            lang: locale.lang.code(),
            dir: locale.lang.dir(),
            css: assets::assets().css.url(),
            script: None,
            switch,
            lang_in_url: locale.explicit,
            nav,
        }
    }

    /// `href` with the page language when it was chosen in the URL (`/a-propos?lang=en`).
    pub fn link(&self, href: &str) -> String {
        if !self.lang_in_url {
            return href.to_owned();
        }
        let sep = if href.contains('?') { '&' } else { '?' };
        format!("{href}{sep}lang={}", self.lang)
    }

    /// Attributes for content written in French (services' own text) when the page is in
    /// another language: `lang` so that screen readers switch voice, and `dir="ltr"` on a
    /// right-to-left page so that addresses and numbers keep their order.
    pub fn fr_attrs(&self) -> &'static str {
        match self.lang {
            "fr" => "",
            _ if self.dir == "rtl" => r#" lang="fr" dir="ltr""#,
            _ => r#" lang="fr""#,
        }
    }

    /// The separator of a list of words (Arabic has its own comma).
    pub fn sep(&self) -> &'static str {
        if self.lang == "ar" { "، " } else { ", " }
    }
}

/// Renders a page: HTML with the language cookie when the choice was explicit, and `Vary` so
/// that caches keep one copy per language.
pub fn render<T: Template>(status: StatusCode, locale: Locale, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut res = (status, html).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(
                header::VARY,
                HeaderValue::from_static("Accept-Language, Cookie"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            if locale.explicit
                && let Ok(v) = HeaderValue::from_str(&format!(
                    "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    locale.lang.code()
                ))
            {
                h.insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => internal_error(locale, &anyhow::Error::from(e)),
    }
}

/// The error page (404, 500) in the same design.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub status: u16,
    pub title: String,
    pub message: String,
    pub reference: Option<String>,
}

/// 404 in the page's language.
pub fn not_found(locale: Locale, uri: &Uri) -> Response {
    let c = Chrome::new(locale, uri, "");
    let page = ErrorPage {
        title: c.tr.t("not-found-title"),
        message: c.tr.t("not-found-text"),
        status: 404,
        reference: None,
        c,
    };
    render(StatusCode::NOT_FOUND, locale, &page)
}

/// A request refused before any page could handle it (wrong method, body or URL too large,
/// timeout, unreadable form): the error page with `status` and what it means, in the page's
/// language. Never cached: the same URL may well work with another method or body.
pub fn refused(locale: Locale, status: StatusCode) -> Response {
    let c = Chrome::new(locale, &Uri::from_static("/"), "");
    let specific = format!("refused-text-{}", status.as_u16());
    let message = if matches!(status.as_u16(), 400 | 405 | 408 | 413 | 414 | 415 | 431) {
        c.tr.t(&specific)
    } else {
        c.tr.t("refused-text")
    };
    let page = ErrorPage {
        title: c.tr.t("refused-title"),
        message,
        status: status.as_u16(),
        reference: None,
        c,
    };
    // No language cookie: a refused request chose nothing.
    let locale = Locale {
        explicit: false,
        ..locale
    };
    render(status, locale, &page)
}

/// 500: the cause goes to the log with a reference that the page shows, never to the person.
pub fn internal_error(locale: Locale, e: &anyhow::Error) -> Response {
    let reference = uuid::Uuid::new_v4().to_string();
    tracing::error!(request_error_id = %reference, error = ?e, "internal error on a page");
    let c = Chrome::new(locale, &Uri::from_static("/"), "");
    let page = ErrorPage {
        title: c.tr.t("error-title"),
        message: c.tr.t("error-text"),
        status: 500,
        reference: Some(reference),
        c,
    };
    // Rendering the error page itself cannot fail on data: it has none.
    match page.render() {
        Ok(html) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne\n").into_response(),
    }
}

/// Unknown URLs: JSON under `/api`, the 404 page elsewhere.
pub async fn fallback(locale: Locale, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound(format!("aucune route « {} »", uri.path()))
            .into_response();
    }
    not_found(locale, &uri)
}
