//! Sessions of professionals: a random secret in a cookie (`HttpOnly; SameSite=Lax`, `Secure`
//! and the `__Host-` prefix over TLS), its SHA-256 in the database so that every app node
//! shares it, an id rotated at every step of sign-in, an idle timeout of 30 minutes and an
//! absolute one of 12 hours (`relais_auth::session`). Forms carry a CSRF token: the session's
//! own for signed-in forms, a double-submit cookie for the anonymous ones (sign-in, links).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use relais_auth::secret;
use relais_auth::session::{Liveness, liveness};
use relais_domain::access::{Action, Decision, Grant, decide};
use relais_domain::accounts::{MemberStatus, PartnerId, UserId};
use relais_domain::journal::NewEvent;
use relais_store::{Membership, Session, SessionStage, User};

use crate::state::AppState;

/// The session cookie's name: with the `__Host-` prefix over TLS (the browser then refuses it
/// unless `Secure`, host-only, `Path=/`).
pub fn session_cookie(tls: bool) -> &'static str {
    if tls {
        "__Host-relais_pro"
    } else {
        "relais_pro"
    }
}

/// The anonymous forms' CSRF cookie.
pub fn csrf_cookie(tls: bool) -> &'static str {
    if tls {
        "__Host-relais_csrf"
    } else {
        "relais_csrf"
    }
}

/// A `Set-Cookie` value for `name=value` with the attributes every Relais cookie has.
pub fn set_cookie(name: &str, value: &str, tls: bool, max_age: Option<i64>) -> HeaderValue {
    let mut v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if tls {
        v.push_str("; Secure");
    }
    if let Some(age) = max_age {
        v.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of cookie `name` in the request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address: the connection's peer, or behind a proxy (`behind_proxy`) the last
/// address of `X-Forwarded-For` (the one the proxy added; earlier ones are the client's word).
pub fn client_ip(parts: &Parts, behind_proxy: bool) -> Option<String> {
    if behind_proxy {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| !a.is_empty())
            .and_then(|a| a.parse::<std::net::IpAddr>().ok());
        if let Some(ip) = forwarded {
            return Some(ip.to_string());
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
}

/// A session just created: the secret for the cookie and the record for the database.
pub struct NewSession {
    pub secret: String,
    pub record: Session,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

impl NewSession {
    /// A new session of `user` at `stage`, created `now` (ends 12 h later at most).
    pub fn new(user: UserId, stage: SessionStage, now: DateTime<Utc>) -> Self {
        let secret = secret::new_secret();
        let record = Session {
            id_hash: secret::hash_secret(&secret),
            user_id: user,
            stage,
            csrf: secret::new_secret(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + relais_auth::session::ABSOLUTE,
        };
        Self { secret, record }
    }

    /// The same session one step further: a new id (session fixation: an id known before
    /// sign-in is worth nothing after it) and a new CSRF token; the absolute end is kept.
    pub fn rotate(old: &Session, stage: SessionStage, now: DateTime<Utc>) -> Self {
        let mut s = Self::new(old.user_id, stage, now);
        s.record.created_at = old.created_at;
        s.record.expires_at = old.expires_at;
        s
    }

    /// The `Set-Cookie` header that hands the session to the browser.
    pub fn cookie(&self, tls: bool) -> HeaderValue {
        set_cookie(session_cookie(tls), &self.secret, tls, None)
    }
}

/// The `Set-Cookie` header that removes the session cookie.
pub fn clear_session_cookie(tls: bool) -> HeaderValue {
    set_cookie(session_cookie(tls), "", tls, Some(0))
}

/// The request's session, if its cookie names a live one (any stage). An expired or idle
/// session is deleted and counts as none.
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let tls = state.pro.tls;
        let Some(value) = cookie(&parts.headers, session_cookie(tls)) else {
            return Ok(Self(None));
        };
        let hash = secret::hash_secret(value);
        let session = state.store.get_session(&hash).await.map_err(internal)?;
        let Some(session) = session else {
            return Ok(Self(None));
        };
        let now = state.now();
        match liveness(session.created_at, session.last_seen_at, now) {
            Liveness::Live => {
                // One write a minute at most per session: enough for a 30-minute idle timeout.
                if now - session.last_seen_at > chrono::TimeDelta::minutes(1) {
                    state
                        .store
                        .touch_session(&hash, now)
                        .await
                        .map_err(internal)?;
                }
                Ok(Self(Some(session)))
            }
            Liveness::Idle | Liveness::Expired => {
                state
                    .store
                    .delete_session(&hash, None)
                    .await
                    .map_err(internal)?;
                Ok(Self(None))
            }
        }
    }
}

/// A fully signed-in professional: their account, memberships and the session's CSRF token.
/// Anything else is sent to the sign-in page (a page) — never treated as anonymous.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
    pub memberships: Vec<Membership>,
    pub ip: Option<String>,
}

impl SignedIn {
    /// The memberships as the access policy reads them.
    pub fn grants(&self) -> Vec<Grant> {
        self.memberships
            .iter()
            .map(|m| Grant {
                partner: m.partner_id,
                role: m.role,
                status: m.status,
            })
            .collect()
    }

    /// The one access policy's answer for `action` on `partner`.
    pub fn may(&self, action: Action, partner: PartnerId) -> Decision {
        decide(&self.grants(), action, partner)
    }

    /// The membership of `partner`, active or not.
    pub fn membership(&self, partner: PartnerId) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.partner_id == partner)
    }

    /// The active memberships.
    pub fn active(&self) -> impl Iterator<Item = &Membership> {
        self.memberships
            .iter()
            .filter(|m| m.status == MemberStatus::Active)
    }

    /// An event done by this user for `partner`.
    pub fn event(&self, at: DateTime<Utc>, partner: Option<PartnerId>, action: &str) -> NewEvent {
        NewEvent {
            at,
            actor: self.user.id.to_string(),
            partner: partner.map(|p| p.to_string()),
            action: action.to_owned(),
            subject: None,
            ip: self.ip.clone(),
            details: serde_json::json!({}),
        }
    }

    /// Whether `token` (a form's hidden field) is this session's CSRF token.
    pub fn csrf_ok(&self, token: &str) -> bool {
        secret::same(token, &self.session.csrf)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let MaybeSession(session) = MaybeSession::from_request_parts(parts, state).await?;
        let Some(session) = session.filter(|s| s.stage == SessionStage::SignedIn) else {
            return Err(to_sign_in());
        };
        let user = state
            .store
            .get_user(session.user_id)
            .await
            .map_err(internal)?;
        let Some(user) = user else {
            return Err(to_sign_in());
        };
        let memberships = state
            .store
            .memberships_of(user.id)
            .await
            .map_err(internal)?;
        Ok(Self {
            user,
            session,
            memberships,
            ip: client_ip(parts, state.pro.behind_proxy),
        })
    }
}

/// Where a request without a signed-in session goes: the sign-in page (303 so that a POST
/// becomes a GET).
pub fn to_sign_in() -> Response {
    Redirect::to("/pro/connexion").into_response()
}

fn internal(e: relais_store::StoreError) -> Response {
    let reference = uuid::Uuid::new_v4();
    tracing::error!(request_error_id = %reference, error = %e, "store error in a session");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("Erreur interne ; référence {reference}\n"),
    )
        .into_response()
}

/// The anonymous forms' CSRF token: the cookie's value if the browser has one, or a new one
/// (then `set` holds the header to send).
#[derive(Debug)]
pub struct AnonCsrf {
    pub token: String,
    pub set: Option<HeaderValue>,
}

impl AnonCsrf {
    /// The token to embed in the form, from the request's cookie or new.
    pub fn for_form(headers: &HeaderMap, tls: bool) -> Self {
        match cookie(headers, csrf_cookie(tls)).filter(|v| v.len() >= 32) {
            Some(v) => Self {
                token: v.to_owned(),
                set: None,
            },
            None => {
                let token = secret::new_secret();
                let set = Some(set_cookie(csrf_cookie(tls), &token, tls, None));
                Self { token, set }
            }
        }
    }

    /// Whether a submitted anonymous form carries the cookie's token (double submit).
    pub fn check(headers: &HeaderMap, tls: bool, submitted: &str) -> bool {
        cookie(headers, csrf_cookie(tls))
            .is_some_and(|c| c.len() >= 32 && secret::same(c, submitted))
    }
}

/// The IP address of a request, from the connection (for throttling and the journal).
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts, state.pro.behind_proxy)))
    }
}
