//! Signing in: email + password (Argon2id, throttled per account and per IP), then the TOTP
//! second factor (enrolled on first sign-in, with 10 single-use recovery codes); one-time links
//! (first set-up, invitation, password reset) that set a password; sign-out, here or everywhere.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use relais_auth::password::{self, PasswordProblem};
use relais_auth::throttle::{self, Decision as Throttle};
use relais_auth::{recovery, secret, totp};
use relais_domain::accounts::{Email, MemberStatus};
use relais_domain::journal::NewEvent;
use relais_store::{LinkPurpose, LinkRefusal, Session, SessionStage, User};

use super::locks::{self, Reservation, within_rate};
use super::session::{
    AnonCsrf, ClientIp, MaybeSession, NewSession, SignedIn, clear_session_cookie,
};
use super::{ProChrome, csrf_refused, message, render_pro, see_other};
use crate::pages::i18n::Locale;
use crate::pages::internal_error;
use crate::state::AppState;

/// How long a set-up link lasts (issue: 24 h).
pub const SETUP_LINK: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// How long an invitation lasts (issue: 72 h).
pub const INVITE_LINK: chrono::TimeDelta = chrono::TimeDelta::hours(72);
/// How long a password-reset link lasts (issue: 1 h).
pub const RESET_LINK: chrono::TimeDelta = chrono::TimeDelta::hours(1);

fn event(at: chrono::DateTime<Utc>, actor: &str, action: &str, ip: &Option<String>) -> NewEvent {
    NewEvent {
        ip: ip.clone(),
        ..NewEvent::system(at, actor, action)
    }
}

fn store_error(locale: Locale, e: relais_store::StoreError) -> Response {
    internal_error(locale, &e.into())
}

/// The throttling key of an account: a salted hash ([`throttle::key`]), so that the failures
/// table holds no address. Failures under it only slow sign-in down (anyone may type a victim's
/// address).
fn account_key(email: &Email) -> String {
    throttle::key("account", email.as_str())
}

/// The key of an account tried from one address: refused from 10 failures in 15 minutes (an
/// attacker locks out only themselves).
fn account_ip_key(email: &Email, ip: &Option<String>) -> String {
    throttle::key(
        "account-ip",
        &format!("{}\n{}", email.as_str(), ip_group(ip)),
    )
}

/// The key of a user's second factor: only a full sign-in clears it, never the password step.
fn second_factor_key(user: &User) -> String {
    format!("2fa:{}", user.id)
}

/// Wrong codes allowed in one second-factor session before it ends (then the password again).
pub const CODES_PER_SESSION: usize = 5;

/// An address as throttling counts it: IPv4 as is, IPv6 by its /64 (one subscriber's block).
fn ip_group(ip: &Option<String>) -> String {
    match ip.as_deref().map(str::parse::<std::net::IpAddr>) {
        Some(Ok(std::net::IpAddr::V6(v6))) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(Ok(v4)) => v4.to_string(),
        _ => "unknown".to_owned(),
    }
}

/// The throttling key of an address (its group): salted and hashed, never the address itself.
fn ip_key(ip: &Option<String>) -> String {
    throttle::key("ip", &ip_group(ip))
}

/// One throttling key and how it is judged.
struct Key<'a> {
    key: &'a str,
    rule: throttle::Rule,
    /// Only slow down, never refuse (keys an attacker can fill for a victim).
    slow_only: bool,
}

/// What the throttling rules say about the next attempt under these keys; `under_way` (the
/// attempts of `address` not yet settled) count as failures under that key.
async fn throttle_for(
    state: &AppState,
    keys: &[Key<'_>],
    address: Option<&str>,
    under_way: &[chrono::DateTime<Utc>],
) -> Result<Throttle, relais_store::StoreError> {
    let now = state.now();
    let mut d = Throttle::Allow;
    for k in keys {
        let since = now
            - chrono::TimeDelta::from_std(k.rule.window).unwrap_or(chrono::TimeDelta::minutes(15));
        let mut failures = state.store.failures_since(k.key, since).await?;
        if address == Some(k.key) {
            failures.extend_from_slice(under_way);
        }
        let mut one = throttle::decide(&failures, now, k.rule);
        if k.slow_only {
            one = throttle::slow_only(one);
        }
        d = throttle::strictest(d, one);
    }
    Ok(d)
}

/// Applies the throttling rules to the next attempt: waits the delay they ask for, or gives the
/// answer to send when they refuse it (429). For keys already serialised by a lock.
async fn wait_or_refuse(
    state: &AppState,
    locale: Locale,
    uri: &Uri,
    keys: &[Key<'_>],
) -> Result<(), Response> {
    match throttle_for(state, keys, None, &[]).await {
        Ok(Throttle::Refuse { retry_after }) => Err(too_many(locale, uri, retry_after)),
        Ok(Throttle::Delay(d)) => {
            state.pro.pause.wait(d).await;
            Ok(())
        }
        Ok(Throttle::Allow) => Ok(()),
        Err(e) => Err(store_error(locale, e)),
    }
}

/// The same for an attempt from `address` (one of `keys`), whose attempts are not serialised:
/// the attempt is judged and its place reserved in one step, before any password or code is
/// checked, so that attempts at once are counted and delayed as if one after another. Settle
/// the reservation with [`locks::settle`] when recording a failure.
async fn reserve_or_refuse(
    state: &AppState,
    locale: Locale,
    uri: &Uri,
    keys: &[Key<'_>],
    address: &str,
) -> Result<Option<Reservation>, Response> {
    let judged = locks::judge_and_reserve(address, state.now(), async |under_way| {
        throttle_for(state, keys, Some(address), under_way).await
    })
    .await;
    match judged {
        Ok((Throttle::Refuse { retry_after }, _)) => Err(too_many(locale, uri, retry_after)),
        Ok((Throttle::Delay(d), reservation)) => {
            state.pro.pause.wait(d).await;
            Ok(reservation)
        }
        Ok((Throttle::Allow, reservation)) => Ok(reservation),
        Err(e) => Err(store_error(locale, e)),
    }
}

/// 429 with `Retry-After`, in the person's language.
fn too_many(locale: Locale, uri: &Uri, retry_after: std::time::Duration) -> Response {
    let c = ProChrome::anonymous(locale, uri);
    let minutes = retry_after.as_secs().div_ceil(60).max(1);
    let page = super::MessagePage {
        title: c.tr.t("pro-throttled-title"),
        message: c.tr.t_with(
            "pro-throttled-text",
            &[("minutes", (minutes as i64).into())],
        ),
        next: None,
        c,
    };
    let mut res = render_pro(StatusCode::TOO_MANY_REQUESTS, locale, &page);
    if let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(v) = cookie {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

// --- Home --------------------------------------------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "pro/home.html")]
pub struct HomePage {
    pub c: ProChrome,
    /// (href or none when not active, partner name, role label, status label)
    pub partners: Vec<(Option<String>, String, String, Option<String>)>,
    pub codes_left: u32,
}

/// `GET /pro`: the partners of the signed-in person (straight into the space when only one).
pub async fn home(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
) -> Response {
    let active: Vec<_> = me.active().collect();
    if active.len() == 1 && me.memberships.len() == 1 {
        return see_other(&format!("/pro/p/{}", active[0].partner_id));
    }
    account_page(&state, locale, &uri, &me).await
}

/// `GET /pro/compte`: the person's partners and security (recovery codes left, sign-out
/// everywhere), always reachable.
pub async fn account(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
) -> Response {
    account_page(&state, locale, &uri, &me).await
}

async fn account_page(state: &AppState, locale: Locale, uri: &Uri, me: &SignedIn) -> Response {
    let codes_left = match state.store.recovery_codes_left(me.user.id).await {
        Ok(n) => n,
        Err(e) => return store_error(locale, e),
    };
    let c = ProChrome::signed_in(locale, uri, me, None, "home");
    let partners = me
        .memberships
        .iter()
        .map(|m| {
            let href =
                (m.status == MemberStatus::Active).then(|| format!("/pro/p/{}", m.partner_id));
            let status = (m.status != MemberStatus::Active)
                .then(|| c.tr.t(&format!("pro-status-{}", m.status.as_str())));
            (
                href,
                m.partner_name.clone(),
                c.tr.t(&format!("pro-role-{}", m.role.as_str())),
                status,
            )
        })
        .collect();
    let page = HomePage {
        c,
        partners,
        codes_left,
    };
    render_pro(StatusCode::OK, locale, &page)
}

// --- Email and password ------------------------------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "pro/sign_in.html")]
pub struct SignInPage {
    pub c: ProChrome,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf: String,
}

/// `GET /pro/connexion`.
pub async fn sign_in_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    MaybeSession(session): MaybeSession,
) -> Response {
    if session.is_some_and(|s| s.stage == SessionStage::SignedIn) {
        return see_other("/pro");
    }
    let csrf = AnonCsrf::for_form(&headers, state.pro.tls);
    let page = SignInPage {
        c: ProChrome::anonymous(locale, &uri),
        csrf: csrf.token,
        email: String::new(),
        error: None,
    };
    with_cookie(render_pro(StatusCode::OK, locale, &page), csrf.set)
}

/// `POST /pro/connexion`: checks the password (the same work whether the account exists or
/// not), then opens a session waiting for the second factor.
pub async fn sign_in(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    MaybeSession(old): MaybeSession,
    Form(form): Form<SignInForm>,
) -> Response {
    let tls = state.pro.tls;
    if !AnonCsrf::check(&headers, tls, &form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let email = Email::parse(&form.email).ok();
    let akey = email.as_ref().map(account_key);
    let aikey = email.as_ref().map(|e| account_ip_key(e, &ip));
    let ikey = ip_key(&ip);
    // One attempt at a time per account (on this node), so that the count below is exact.
    let _attempt = match &akey {
        Some(k) => Some(locks::lock(k).await),
        None => None,
    };
    let mut keys = vec![Key {
        key: &ikey,
        rule: throttle::PER_IP,
        slow_only: false,
    }];
    if let (Some(a), Some(ai)) = (&akey, &aikey) {
        keys.push(Key {
            key: a,
            rule: throttle::PER_ACCOUNT,
            slow_only: true,
        });
        keys.push(Key {
            key: ai,
            rule: throttle::PER_ACCOUNT,
            slow_only: false,
        });
    }
    // Attempts from one address run at once: each reserves its place before the password.
    let reservation = match reserve_or_refuse(&state, locale, &uri, &keys, &ikey).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let user = match &email {
        Some(e) => match state.store.find_user_by_email(e).await {
            Ok(u) => u,
            Err(e) => return store_error(locale, e),
        },
        None => None,
    };
    let ok = password::verify_blocking(
        form.password.clone(),
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await;
    let now = state.now();
    let actor = user
        .as_ref()
        .map_or_else(|| "anonymous".to_owned(), |u| u.id.to_string());
    let Some(user) = user.filter(|_| ok) else {
        let mut failed = vec![ikey.clone()];
        failed.extend(akey);
        failed.extend(aikey);
        let mut e = event(now, &actor, "auth.sign_in_failed", &ip);
        e.details = serde_json::json!({ "reason": "credentials" });
        let recorded = locks::settle(
            &ikey,
            reservation,
            state.store.record_failure(&failed, now, e),
        )
        .await;
        if let Err(e) = recorded {
            return store_error(locale, e);
        }
        let c = ProChrome::anonymous(locale, &uri);
        let page = SignInPage {
            error: Some(c.tr.t("pro-sign-in-wrong")),
            csrf: form.csrf,
            email: form.email,
            c,
        };
        return render_pro(StatusCode::UNAUTHORIZED, locale, &page);
    };
    for k in akey.iter().chain(aikey.iter()) {
        if let Err(e) = state
            .store
            .clear_failures(k, now - chrono::TimeDelta::days(1))
            .await
        {
            return store_error(locale, e);
        }
    }
    let session = NewSession::new(user.id, SessionStage::SecondFactor, now);
    let replaces = old.as_ref().map(|s| s.id_hash.as_str());
    if let Err(e) = state
        .store
        .put_session(&session.record, replaces, None)
        .await
    {
        return store_error(locale, e);
    }
    let next = if user.totp_secret.is_some() {
        "/pro/connexion/code"
    } else {
        "/pro/2fa"
    };
    with_cookie(see_other(next), Some(session.cookie(tls)))
}

/// The session waiting for a second factor, and its user.
async fn second_factor_session(
    state: &AppState,
    session: Option<Session>,
) -> Result<Option<(Session, User)>, relais_store::StoreError> {
    let Some(s) = session.filter(|s| s.stage == SessionStage::SecondFactor) else {
        return Ok(None);
    };
    Ok(state.store.get_user(s.user_id).await?.map(|u| (s, u)))
}

// --- The second factor -------------------------------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "pro/code.html")]
pub struct CodePage {
    pub c: ProChrome,
    pub csrf: String,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    csrf: String,
}

/// `GET /pro/connexion/code`.
pub async fn code_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    MaybeSession(session): MaybeSession,
) -> Response {
    let (s, user) = match second_factor_session(&state, session).await {
        Ok(Some(found)) => found,
        Ok(None) => return see_other("/pro/connexion"),
        Err(e) => return store_error(locale, e),
    };
    if user.totp_secret.is_none() {
        return see_other("/pro/2fa");
    }
    let page = CodePage {
        c: ProChrome::anonymous(locale, &uri),
        csrf: s.csrf,
        error: None,
    };
    render_pro(StatusCode::OK, locale, &page)
}

/// `POST /pro/connexion/code`: a TOTP code (each accepted once) or a recovery code (each
/// usable once) completes the sign-in, with a new session id.
pub async fn code(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    ClientIp(ip): ClientIp,
    MaybeSession(session): MaybeSession,
    Form(form): Form<CodeForm>,
) -> Response {
    let (s, user) = match second_factor_session(&state, session).await {
        Ok(Some(found)) => found,
        Ok(None) => return see_other("/pro/connexion"),
        Err(e) => return store_error(locale, e),
    };
    if !secret::same(&form.csrf, &s.csrf) {
        return csrf_refused(locale, &uri);
    }
    let Some(totp_secret) = user.totp_secret.clone() else {
        return see_other("/pro/2fa");
    };
    let fkey = second_factor_key(&user);
    let ikey = ip_key(&ip);
    let skey = format!("2fa-session:{}", s.id_hash);
    // One code at a time per person (on this node), so that the count below is exact.
    let _attempt = locks::lock(&fkey).await;
    // A session that has had its share of wrong codes ends: the password again.
    match state.store.failures_since(&skey, s.created_at).await {
        Ok(f) if f.len() >= CODES_PER_SESSION => {
            if let Err(e) = state.store.delete_session(&s.id_hash, None).await {
                return store_error(locale, e);
            }
            return with_cookie(
                see_other("/pro/connexion"),
                Some(clear_session_cookie(state.pro.tls)),
            );
        }
        Ok(_) => {}
        Err(e) => return store_error(locale, e),
    }
    let keys = [
        Key {
            key: &ikey,
            rule: throttle::PER_IP,
            slow_only: false,
        },
        // Whoever is here has the password: refusing is right.
        Key {
            key: &fkey,
            rule: throttle::PER_ACCOUNT,
            slow_only: false,
        },
    ];
    let reservation = match reserve_or_refuse(&state, locale, &uri, &keys, &ikey).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let now = state.now();
    let typed: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let factor = if typed.len() == 6 && typed.chars().all(|c| c.is_ascii_digit()) {
        match totp::verify(&totp_secret, &typed, now) {
            Some(step) => match state.store.use_totp_step(user.id, step).await {
                Ok(true) => Some("totp"),
                Ok(false) => None,
                Err(e) => return store_error(locale, e),
            },
            None => None,
        }
    } else {
        match state
            .store
            .use_recovery_code(user.id, &recovery::hash_code(&typed), now)
            .await
        {
            Ok(true) => Some("recovery_code"),
            Ok(false) => None,
            Err(e) => return store_error(locale, e),
        }
    };
    let Some(factor) = factor else {
        let mut e = event(now, &user.id.to_string(), "auth.second_factor_failed", &ip);
        e.details = serde_json::json!({ "reason": "code" });
        let recorded = locks::settle(
            &ikey,
            reservation,
            state
                .store
                .record_failure(&[fkey, ikey.clone(), skey], now, e),
        )
        .await;
        if let Err(e) = recorded {
            return store_error(locale, e);
        }
        let c = ProChrome::anonymous(locale, &uri);
        let page = CodePage {
            error: Some(c.tr.t("pro-code-wrong")),
            csrf: s.csrf,
            c,
        };
        return render_pro(StatusCode::UNAUTHORIZED, locale, &page);
    };
    if let Err(e) = state
        .store
        .clear_failures(&fkey, now - chrono::TimeDelta::days(1))
        .await
    {
        return store_error(locale, e);
    }
    complete_sign_in(&state, locale, &s, &user, factor, &ip).await
}

/// Rotates the session to "signed in" and journals the sign-in.
async fn complete_sign_in(
    state: &AppState,
    locale: Locale,
    s: &Session,
    user: &User,
    factor: &str,
    ip: &Option<String>,
) -> Response {
    let now = state.now();
    let session = NewSession::rotate(s, SessionStage::SignedIn, now);
    let mut e = event(now, &user.id.to_string(), "auth.sign_in", ip);
    e.details = serde_json::json!({ "factor": factor });
    if let Err(e) = state
        .store
        .put_session(&session.record, Some(&s.id_hash), Some(e))
        .await
    {
        return store_error(locale, e);
    }
    with_cookie(see_other("/pro"), Some(session.cookie(state.pro.tls)))
}

#[derive(Debug, Template)]
#[template(path = "pro/enrol.html")]
pub struct EnrolPage {
    pub c: ProChrome,
    pub csrf: String,
    /// The secret, for the form and (grouped by 4) for typing by hand.
    pub secret: String,
    pub secret_grouped: String,
    /// The QR code of the `otpauth://` URI, an inline `<svg>` made here.
    pub qr: String,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnrolForm {
    secret: String,
    code: String,
    csrf: String,
}

fn enrol_view(c: ProChrome, csrf: String, user: &User, secret: String) -> EnrolPage {
    let uri = totp::otpauth_uri(&secret, user.email.as_str());
    let qr = totp::qr_svg(&uri, &c.tr.t("pro-enrol-qr-label"));
    let secret_grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    EnrolPage {
        c,
        csrf,
        secret,
        secret_grouped,
        qr,
        error: None,
    }
}

/// `GET /pro/2fa`: enrolment of the second factor (required before anything else).
pub async fn enrol_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    MaybeSession(session): MaybeSession,
) -> Response {
    let (s, user) = match second_factor_session(&state, session).await {
        Ok(Some(found)) => found,
        Ok(None) => return see_other("/pro/connexion"),
        Err(e) => return store_error(locale, e),
    };
    if user.totp_secret.is_some() {
        return see_other("/pro/connexion/code");
    }
    let page = enrol_view(
        ProChrome::anonymous(locale, &uri),
        s.csrf.clone(),
        &user,
        totp::new_secret(),
    );
    render_pro(StatusCode::OK, locale, &page)
}

#[derive(Debug, Template)]
#[template(path = "pro/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub c: ProChrome,
    pub codes: Vec<String>,
}

/// `POST /pro/2fa`: the first code from the app proves the enrolment; the recovery codes are
/// shown once, and the person is signed in.
pub async fn enrol(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    ClientIp(ip): ClientIp,
    MaybeSession(session): MaybeSession,
    Form(form): Form<EnrolForm>,
) -> Response {
    let (s, user) = match second_factor_session(&state, session).await {
        Ok(Some(found)) => found,
        Ok(None) => return see_other("/pro/connexion"),
        Err(e) => return store_error(locale, e),
    };
    if !secret::same(&form.csrf, &s.csrf) {
        return csrf_refused(locale, &uri);
    }
    if user.totp_secret.is_some() {
        return see_other("/pro/connexion/code");
    }
    let now = state.now();
    let typed: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let valid_secret = form.secret.len() == 32
        && form
            .secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
    let step = if valid_secret {
        totp::verify(&form.secret, &typed, now)
    } else {
        None
    };
    let Some(step) = step else {
        let secret = if valid_secret {
            form.secret
        } else {
            totp::new_secret()
        };
        let c = ProChrome::anonymous(locale, &uri);
        let error = Some(c.tr.t("pro-code-wrong"));
        let mut page = enrol_view(c, s.csrf.clone(), &user, secret);
        page.error = error;
        return render_pro(StatusCode::UNPROCESSABLE_ENTITY, locale, &page);
    };
    let codes = recovery::new_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery::hash_code(c)).collect();
    let e = event(
        now,
        &user.id.to_string(),
        "auth.second_factor_enrolled",
        &ip,
    );
    if let Err(e) = state
        .store
        .enrol_totp(user.id, &form.secret, step, &hashes, e)
        .await
    {
        return store_error(locale, e);
    }
    let session = NewSession::rotate(&s, SessionStage::SignedIn, now);
    let mut e = event(now, &user.id.to_string(), "auth.sign_in", &ip);
    e.details = serde_json::json!({ "factor": "totp" });
    if let Err(e) = state
        .store
        .put_session(&session.record, Some(&s.id_hash), Some(e))
        .await
    {
        return store_error(locale, e);
    }
    let page = RecoveryCodesPage {
        c: ProChrome::anonymous(locale, &uri),
        codes,
    };
    with_cookie(
        render_pro(StatusCode::OK, locale, &page),
        Some(session.cookie(state.pro.tls)),
    )
}

// --- One-time links ----------------------------------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "pro/link.html")]
pub struct LinkPage {
    pub c: ProChrome,
    pub csrf: String,
    pub email: String,
    /// `setup`, `invite` or `reset`: the page's wording.
    pub purpose: &'static str,
    pub errors: Vec<String>,
}

impl LinkPage {
    /// The message of the page's introduction, by purpose.
    pub fn intro_key(&self) -> String {
        format!("pro-link-intro-{}", self.purpose)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    password: String,
    confirm: String,
    csrf: String,
}

/// The link of this secret, or the page that says why it cannot be used.
async fn usable_link(
    state: &AppState,
    locale: Locale,
    uri: &Uri,
    token: &str,
) -> Result<(relais_store::Link, User), Response> {
    let hash = secret::hash_secret(token);
    let link = match state.store.get_link(&hash).await {
        Ok(l) => l,
        Err(e) => return Err(store_error(locale, e)),
    };
    let c = ProChrome::anonymous(locale, uri);
    let refuse = |key: &str| {
        message(
            StatusCode::GONE,
            locale,
            ProChrome::anonymous(locale, uri),
            "pro-link-title",
            key,
            Some(("/pro/connexion".into(), "pro-sign-in".into())),
        )
    };
    let Some(link) = link else {
        return Err(message(
            StatusCode::NOT_FOUND,
            locale,
            c,
            "pro-link-title",
            "pro-link-unknown",
            Some(("/pro/connexion".into(), "pro-sign-in".into())),
        ));
    };
    if link.used_at.is_some() {
        return Err(refuse("pro-link-used"));
    }
    if state.now() >= link.expires_at {
        return Err(refuse("pro-link-expired"));
    }
    match state.store.get_user(link.user_id).await {
        Ok(Some(u)) => Ok((link, u)),
        Ok(None) => Err(refuse("pro-link-unknown")),
        Err(e) => Err(store_error(locale, e)),
    }
}

/// `GET /pro/lien/{secret}`: choose a password (first set-up, invitation, reset).
pub async fn link_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let (link, user) = match usable_link(&state, locale, &uri, &token).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let csrf = AnonCsrf::for_form(&headers, state.pro.tls);
    let page = LinkPage {
        c: ProChrome::anonymous(locale, &uri),
        csrf: csrf.token,
        email: user.email.to_string(),
        purpose: link_purpose(&link, &user),
        errors: Vec::new(),
    };
    with_cookie(render_pro(StatusCode::OK, locale, &page), csrf.set)
}

/// `POST /pro/lien/{secret}`: sets the password (the link is then used up; a reset signs out
/// everywhere) and goes on to the second factor.
pub async fn use_link(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(form): Form<LinkForm>,
) -> Response {
    let tls = state.pro.tls;
    if !AnonCsrf::check(&headers, tls, &form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let (link, user) = match usable_link(&state, locale, &uri, &token).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let c = ProChrome::anonymous(locale, &uri);
    let joining = joins_with_own_password(&link, &user);
    let mut errors = Vec::new();
    let phc = if let Some(stored) = joining {
        // Someone who already has an account joins with it: their password proves it is them
        // and stays as it is (an invitation never replaces a password). Failures count like
        // sign-in failures from this address.
        let akey = account_ip_key(&user.email, &ip);
        let _attempt = locks::lock(&akey).await;
        let keys = [Key {
            key: &akey,
            rule: throttle::PER_ACCOUNT,
            slow_only: false,
        }];
        if let Err(res) = wait_or_refuse(&state, locale, &uri, &keys).await {
            return res;
        }
        if !password::verify_blocking(form.password.clone(), Some(stored.clone())).await {
            let now = state.now();
            let mut e = event(now, &user.id.to_string(), "auth.sign_in_failed", &ip);
            e.details = serde_json::json!({ "reason": "credentials", "via": "invitation" });
            if let Err(e) = state.store.record_failure(&[akey], now, e).await {
                return store_error(locale, e);
            }
            errors.push(c.tr.t("pro-sign-in-wrong"));
        }
        stored.clone()
    } else {
        if let Err(p) = password::check_new(&form.password, user.email.as_str()) {
            errors.push(c.tr.t(&format!("pro-password-{}", problem_key(p))));
        } else if form.password != form.confirm {
            errors.push(c.tr.t("pro-password-mismatch"));
        }
        String::new()
    };
    if !errors.is_empty() {
        let status = if joining.is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = LinkPage {
            c,
            csrf: form.csrf,
            email: user.email.to_string(),
            purpose: link_purpose(&link, &user),
            errors,
        };
        return render_pro(status, locale, &page);
    }
    let phc = if joining.is_some() {
        phc
    } else {
        password::hash_blocking(form.password).await
    };
    let now = state.now();
    let action = match link.purpose {
        LinkPurpose::Invite => "member.joined",
        LinkPurpose::Setup => "auth.password_set",
        LinkPurpose::Reset => "auth.password_reset",
    };
    let mut e = event(now, &user.id.to_string(), action, &ip);
    e.partner = link.partner_id.map(|p| p.to_string());
    match state
        .store
        .use_link(&link.token_hash, link.purpose, now, &phc, e)
        .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(refusal)) => {
            let key = match refusal {
                LinkRefusal::Unknown => "pro-link-unknown",
                LinkRefusal::Expired => "pro-link-expired",
                LinkRefusal::AlreadyUsed => "pro-link-used",
            };
            return message(StatusCode::GONE, locale, c, "pro-link-title", key, None);
        }
        Err(e) => return store_error(locale, e),
    }
    let session = NewSession::new(user.id, SessionStage::SecondFactor, now);
    if let Err(e) = state.store.put_session(&session.record, None, None).await {
        return store_error(locale, e);
    }
    let next = if user.totp_secret.is_some() {
        "/pro/connexion/code"
    } else {
        "/pro/2fa"
    };
    with_cookie(see_other(next), Some(session.cookie(tls)))
}

/// The stored password of a person invited who already has an account (they join with it).
fn joins_with_own_password<'u>(link: &relais_store::Link, user: &'u User) -> Option<&'u String> {
    (link.purpose == LinkPurpose::Invite)
        .then_some(user.password_hash.as_ref())
        .flatten()
}

/// The wording of the link page: `join` for someone invited who already has an account.
fn link_purpose(link: &relais_store::Link, user: &User) -> &'static str {
    if joins_with_own_password(link, user).is_some() {
        "join"
    } else {
        link.purpose.as_str()
    }
}

fn problem_key(p: PasswordProblem) -> &'static str {
    match p {
        PasswordProblem::TooShort => "too-short",
        PasswordProblem::TooLong => "too-long",
        PasswordProblem::Common => "common",
        PasswordProblem::ContainsEmail => "contains-email",
    }
}

// --- Forgotten password ------------------------------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "pro/forgot.html")]
pub struct ForgotPage {
    pub c: ProChrome,
    pub csrf: String,
    pub sent: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
    csrf: String,
}

/// `GET /pro/mot-de-passe-oublie`.
pub async fn forgot_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let csrf = AnonCsrf::for_form(&headers, state.pro.tls);
    let page = ForgotPage {
        c: ProChrome::anonymous(locale, &uri),
        csrf: csrf.token,
        sent: false,
    };
    with_cookie(render_pro(StatusCode::OK, locale, &page), csrf.set)
}

/// `POST /pro/mot-de-passe-oublie`: the same answer whether the address is known or not; the
/// link (1 h, single use) is made and mailed in the background so that timing tells nothing.
pub async fn forgot(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(form): Form<ForgotForm>,
) -> Response {
    if !AnonCsrf::check(&headers, state.pro.tls, &form.csrf) {
        return csrf_refused(locale, &uri);
    }
    // At most 3 reset mails an hour per address and 10 per client address (on this node): no
    // mail-bombing, no flood of links. The answer is the same either way.
    let hour = std::time::Duration::from_secs(3600);
    let email = Email::parse(&form.email).ok().filter(|e| {
        within_rate(&throttle::key("reset-ip", &ip_group(&ip)), 10, hour)
            && within_rate(&throttle::key("reset", e.as_str()), 3, hour)
    });
    if let Some(email) = email {
        let state = state.clone();
        let lang = super::pro_lang(locale);
        tokio::spawn(async move {
            if let Err(e) = send_reset(&state, &email, ip, lang).await {
                tracing::warn!(error = %e, "password reset mail not sent");
            }
        });
    }
    let page = ForgotPage {
        c: ProChrome::anonymous(locale, &uri),
        csrf: form.csrf,
        sent: true,
    };
    render_pro(StatusCode::OK, locale, &page)
}

async fn send_reset(
    state: &AppState,
    email: &Email,
    ip: Option<String>,
    lang: crate::pages::i18n::Lang,
) -> anyhow::Result<()> {
    let Some(user) = state.store.find_user_by_email(email).await? else {
        return Ok(());
    };
    let token = secret::new_secret();
    let now = state.now();
    let link = relais_store::NewLink {
        token_hash: secret::hash_secret(&token),
        purpose: LinkPurpose::Reset,
        expires_at: now + RESET_LINK,
    };
    let mut e = event(now, &user.id.to_string(), "auth.reset_requested", &ip);
    e.subject = Some(user.id.to_string());
    state.store.create_link(user.id, link, e).await?;
    let tr = crate::pages::i18n::Tr::new(lang);
    let url = state.pro.url(&format!("/pro/lien/{token}"));
    state
        .pro
        .mailer
        .send(crate::mail::Mail {
            to: user.email.clone(),
            subject: tr.t("mail-reset-subject"),
            body: tr.t_with("mail-reset-body", &[("link", url.as_str().into())]),
        })
        .await?;
    Ok(())
}

// --- Sign-out ----------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// `POST /pro/deconnexion`.
pub async fn sign_out(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    ClientIp(ip): ClientIp,
    MaybeSession(session): MaybeSession,
    Form(form): Form<CsrfForm>,
) -> Response {
    let tls = state.pro.tls;
    if let Some(s) = session {
        if !secret::same(&form.csrf, &s.csrf) {
            return csrf_refused(locale, &uri);
        }
        let e = event(state.now(), &s.user_id.to_string(), "auth.sign_out", &ip);
        if let Err(e) = state.store.delete_session(&s.id_hash, Some(e)).await {
            return store_error(locale, e);
        }
    }
    with_cookie(see_other("/pro/connexion"), Some(clear_session_cookie(tls)))
}

/// `POST /pro/deconnexion-partout`: every session of the person ends, on every device.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let mut e = me.event(state.now(), None, "auth.sign_out_everywhere");
    e.subject = Some(me.user.id.to_string());
    if let Err(e) = state.store.delete_sessions_of(me.user.id, e).await {
        return store_error(locale, e);
    }
    with_cookie(
        see_other("/pro/connexion"),
        Some(clear_session_cookie(state.pro.tls)),
    )
    .into_response()
}
