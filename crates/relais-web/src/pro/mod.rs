//! The professional space (`/pro`): partners' members sign in (password + TOTP), keep their
//! own services true, manage members and API tokens, and read their journal. Every page is
//! server-rendered like the public ones (French and English, same accessibility rules), every
//! form carries a CSRF token, every decision goes through `relais_domain::access::decide`, and
//! every change is written with its journal event in one transaction.

mod directory;
mod journal;
mod locks;
mod members;
pub mod session;
mod signin;
mod structures;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use relais_domain::access::{Action, Decision, Denial};
use relais_domain::accounts::PartnerId;
use relais_store::Partner;

use crate::mail::Mailer;
use crate::pages::assets;
use crate::pages::i18n::{Lang, Locale, Tr};
use crate::state::AppState;
pub use directory::write_services;
use session::SignedIn;
pub use signin::{CODES_PER_SESSION, INVITE_LINK, RESET_LINK, SETUP_LINK};
pub use tokens::{issue_token, parse_name as parse_token_name};

/// How the professional space is reached and how it sends mail.
#[derive(Debug, Clone)]
pub struct ProConfig {
    /// The address people use (`https://relais.example.org`), for links in emails.
    pub public_url: String,
    /// Served over TLS (directly or by a proxy): cookies get `Secure`, answers get HSTS.
    pub tls: bool,
    /// Behind a reverse proxy that appends the client's address to `X-Forwarded-For`: that
    /// address (the last one) is the client's, for throttling and the journal. Off, the
    /// connection's peer is (a proxy's address would otherwise throttle everyone at once).
    pub behind_proxy: bool,
    pub mailer: Mailer,
    /// How a throttled attempt waits before its answer (a sleep; tests record the delay).
    pub pause: Pause,
}

/// Waits a throttling delay. Held in the settings so that tests can check the delays asked
/// for without waiting for them.
#[derive(Clone)]
pub struct Pause(Arc<dyn Fn(Duration) -> BoxedWait + Send + Sync>);

type BoxedWait = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

impl Pause {
    /// Sleeps for the delay (what a server does).
    pub fn sleep() -> Self {
        Self(Arc::new(|d| Box::pin(tokio::time::sleep(d))))
    }

    /// Calls `f` with each delay instead of sleeping.
    pub fn with(f: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        Self(Arc::new(move |d| {
            f(d);
            Box::pin(std::future::ready(()))
        }))
    }

    /// Waits `d`.
    pub async fn wait(&self, d: Duration) {
        (self.0)(d).await;
    }
}

impl std::fmt::Debug for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pause")
    }
}

impl ProConfig {
    /// `public_url` decides TLS (`https://`); mails go to `mailer`.
    pub fn new(public_url: &str, mailer: Mailer) -> Self {
        let public_url = public_url.trim_end_matches('/').to_owned();
        Self {
            tls: public_url.starts_with("https://"),
            public_url,
            mailer,
            behind_proxy: false,
            pause: Pause::sleep(),
        }
    }

    /// The absolute URL of `path` (for emails).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// The routes of the professional space.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pro", get(signin::home))
        .route("/pro/compte", get(signin::account))
        .route(
            "/pro/connexion",
            get(signin::sign_in_page).post(signin::sign_in),
        )
        .route(
            "/pro/connexion/code",
            get(signin::code_page).post(signin::code),
        )
        .route("/pro/2fa", get(signin::enrol_page).post(signin::enrol))
        .route(
            "/pro/lien/{token}",
            get(signin::link_page).post(signin::use_link),
        )
        .route(
            "/pro/mot-de-passe-oublie",
            get(signin::forgot_page).post(signin::forgot),
        )
        .route("/pro/deconnexion", post(signin::sign_out))
        .route(
            "/pro/deconnexion-partout",
            post(signin::sign_out_everywhere),
        )
        .route("/pro/p/{pid}", get(directory::dashboard))
        .route(
            "/pro/p/{pid}/services/nouveau",
            get(directory::new_page).post(directory::create),
        )
        .route(
            "/pro/p/{pid}/services/{sid}",
            get(directory::edit_page).post(directory::save),
        )
        .route(
            "/pro/p/{pid}/services/{sid}/verifie",
            post(directory::verify_one),
        )
        .route("/pro/p/{pid}/verifie-tout", post(directory::verify_all))
        .route(
            "/pro/p/{pid}/structures/{stid}",
            get(structures::edit_page).post(structures::save),
        )
        .route(
            "/pro/p/{pid}/membres",
            get(members::page).post(members::invite),
        )
        .route("/pro/p/{pid}/membres/{uid}", post(members::change))
        .route(
            "/pro/p/{pid}/jetons",
            get(tokens::page).post(tokens::create),
        )
        .route("/pro/p/{pid}/jetons/{tid}/revoquer", post(tokens::revoke))
        .route("/pro/p/{pid}/journal", get(journal::page))
        .route("/pro/p/{pid}/journal.csv", get(journal::csv))
}

/// The professional pages exist in French and English; an Arabic choice reads them in French.
pub fn pro_lang(locale: Locale) -> Lang {
    match locale.lang {
        Lang::En => Lang::En,
        _ => Lang::Fr,
    }
}

/// A link of the language switcher of the pro pages.
#[derive(Debug)]
pub struct ProLangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// What every pro page's layout needs.
#[derive(Debug)]
pub struct ProChrome {
    pub tr: Tr,
    pub lang: &'static str,
    pub css: String,
    pub switch: Vec<ProLangLink>,
    /// The signed-in person's address (shown to themselves only), and the CSRF token of the
    /// sign-out forms.
    pub user: Option<(String, String)>,
    /// The partner whose space this is: (id, name), and what the person may open there.
    pub partner: Option<(String, String)>,
    pub may_members: bool,
    pub may_journal: bool,
    /// Which entry of the partner's navigation is the current page.
    pub nav: &'static str,
}

impl ProChrome {
    /// The layout of an anonymous pro page (sign-in, links).
    pub fn anonymous(locale: Locale, uri: &Uri) -> Self {
        let lang = pro_lang(locale);
        let pairs: Vec<(String, String)> = uri
            .query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let switch = [Lang::Fr, Lang::En]
            .into_iter()
            .map(|l| {
                let mut p: Vec<(String, String)> =
                    pairs.iter().filter(|(k, _)| k != "lang").cloned().collect();
                p.push(("lang".into(), l.code().into()));
                ProLangLink {
                    code: l.code(),
                    name: l.native_name(),
                    href: format!("?{}", serde_urlencoded::to_string(&p).unwrap_or_default()),
                    current: l == lang,
                }
            })
            .collect();
        Self {
            tr: Tr::new(lang),
            lang: lang.code(),
            css: assets::assets().css.url(),
            switch,
            user: None,
            partner: None,
            may_members: false,
            may_journal: false,
            nav: "",
        }
    }

    /// The layout of a signed-in page, in a partner's space when `partner` is given.
    pub fn signed_in(
        locale: Locale,
        uri: &Uri,
        me: &SignedIn,
        partner: Option<&Partner>,
        nav: &'static str,
    ) -> Self {
        let mut c = Self::anonymous(locale, uri);
        c.user = Some((me.user.email.to_string(), me.session.csrf.clone()));
        if let Some(p) = partner {
            c.may_members = me.may(Action::ManageMembers, p.id).is_allowed();
            c.may_journal = me.may(Action::ReadJournal, p.id).is_allowed();
            c.partner = Some((p.id.to_string(), p.name.clone()));
        }
        c.nav = nav;
        c
    }

    /// The base path of the partner's space.
    pub fn base(&self) -> String {
        self.partner
            .as_ref()
            .map_or_else(|| "/pro".to_owned(), |(id, _)| format!("/pro/p/{id}"))
    }
}

/// Renders a pro page: never cached, never indexed.
pub fn render_pro<T: Template>(status: StatusCode, locale: Locale, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut res = (status, html).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::HeaderName::from_static("x-robots-tag"),
                HeaderValue::from_static("noindex"),
            );
            if locale.explicit
                && let Ok(v) = HeaderValue::from_str(&format!(
                    "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    crate::pages::i18n::LANG_COOKIE,
                    locale.lang.code()
                ))
            {
                h.insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => crate::pages::internal_error(locale, &anyhow::Error::from(e)),
    }
}

/// A simple message page of the pro space (refusals, confirmations).
#[derive(Debug, Template)]
#[template(path = "pro/message.html")]
pub struct MessagePage {
    pub c: ProChrome,
    pub title: String,
    pub message: String,
    /// A link onwards: (href, label).
    pub next: Option<(String, String)>,
}

/// A message page with `status`; `next` is a link (href, message id of its label).
pub fn message(
    status: StatusCode,
    locale: Locale,
    c: ProChrome,
    title_key: &str,
    text_key: &str,
    next: Option<(String, String)>,
) -> Response {
    let page = MessagePage {
        title: c.tr.t(title_key),
        message: c.tr.t(text_key),
        next: next.map(|(href, key)| (href, c.tr.t(&key))),
        c,
    };
    render_pro(status, locale, &page)
}

/// The partner named in the path, when the signed-in person may do `action` there; otherwise
/// the answer to send: 404 when they are not a member (a partner's space is not revealed to
/// others, nor whether its id exists), 403 when a member may not.
pub async fn partner_for(
    state: &AppState,
    locale: Locale,
    uri: &Uri,
    me: &SignedIn,
    pid: &str,
    action: Action,
) -> Result<Partner, Response> {
    let Ok(id) = pid.parse::<PartnerId>() else {
        return Err(crate::pages::not_found(locale, uri));
    };
    match me.may(action, id) {
        Decision::Allow => {}
        Decision::Deny(Denial::NotMember) => return Err(crate::pages::not_found(locale, uri)),
        Decision::Deny(_) => {
            let c = ProChrome::signed_in(locale, uri, me, None, "");
            return Err(message(
                StatusCode::FORBIDDEN,
                locale,
                c,
                "pro-forbidden-title",
                "pro-forbidden-text",
                Some(("/pro".into(), "pro-home".into())),
            ));
        }
    }
    match state.store.get_partner(id).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(crate::pages::not_found(locale, uri)),
        Err(e) => Err(crate::pages::internal_error(locale, &e.into())),
    }
}

/// A 303 to `to` (after a successful form).
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}

/// A refused form: 403 without a word of why beyond "expired form" (CSRF).
pub fn csrf_refused(locale: Locale, uri: &Uri) -> Response {
    let c = ProChrome::anonymous(locale, uri);
    message(
        StatusCode::FORBIDDEN,
        locale,
        c,
        "pro-csrf-title",
        "pro-csrf-text",
        None,
    )
}
