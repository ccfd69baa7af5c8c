//! API tokens for partners' own systems: made by a partner admin (or `relais token create`),
//! scoped to that partner and to `services:read` or `services:write`, shown once, kept as a
//! hash, listed with their last use, revocable.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use relais_auth::secret;
use relais_domain::access::Action;
use relais_domain::accounts::{PartnerId, TokenId, UserId};
use relais_domain::journal::NewEvent;
use relais_store::{ApiToken, DynStore, Partner, Scope, StoreError};

use super::session::SignedIn;
use super::{ProChrome, csrf_refused, partner_for, render_pro, see_other};
use crate::pages::format::date_with_year;
use crate::pages::i18n::Locale;
use crate::pages::internal_error;
use crate::state::AppState;

/// Longest name of a token.
pub const MAX_NAME: usize = 100;

/// Makes a token for `partner` and returns its secret (the only time it exists in clear).
/// `event` is completed with the token's id as subject and its scope.
pub async fn issue_token(
    store: &DynStore,
    partner: PartnerId,
    scope: Scope,
    name: &str,
    created_by: Option<UserId>,
    mut event: NewEvent,
) -> Result<String, StoreError> {
    let plain = secret::new_api_token();
    let token = ApiToken {
        id: TokenId::random(),
        partner_id: partner,
        name: name.to_owned(),
        scope,
        token_hash: secret::hash_secret(&plain),
        created_at: event.at,
        created_by,
        revoked_at: None,
        last_used_at: None,
    };
    event.subject = Some(token.id.to_string());
    event.partner = Some(partner.to_string());
    event.details = serde_json::json!({ "scope": scope.as_str() });
    store.create_api_token(&token, event).await?;
    Ok(plain)
}

/// A token's name: trimmed, 1 to 100 characters, no control characters.
pub fn parse_name(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty() && t.chars().count() <= MAX_NAME && !t.chars().any(char::is_control))
        .then(|| t.to_owned())
}

/// One token in the list.
#[derive(Debug)]
pub struct TokenRow {
    pub revoke: Option<String>,
    pub name: String,
    pub scope: &'static str,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "pro/tokens.html")]
pub struct TokensPage {
    pub c: ProChrome,
    pub csrf: String,
    pub action: String,
    pub tokens: Vec<TokenRow>,
    /// The new token, shown once.
    pub created: Option<String>,
    pub error: Option<String>,
    pub name: String,
}

async fn view(
    state: &AppState,
    locale: Locale,
    uri: &axum::http::Uri,
    me: &SignedIn,
    partner: &Partner,
) -> anyhow::Result<TokensPage> {
    let tokens = state.store.api_tokens_of(partner.id).await?;
    let c = ProChrome::signed_in(locale, uri, me, Some(partner), "tokens");
    let base = c.base();
    let day = |t: chrono::DateTime<chrono::Utc>| {
        date_with_year(
            &c.tr,
            t.with_timezone(&chrono_tz::Europe::Paris).date_naive(),
        )
    };
    let rows = tokens
        .into_iter()
        .map(|t| TokenRow {
            revoke: t
                .revoked_at
                .is_none()
                .then(|| format!("{base}/jetons/{}/revoquer", t.id)),
            name: t.name.clone(),
            scope: t.scope.as_str(),
            created: day(t.created_at),
            last_used: t.last_used_at.map_or_else(|| c.tr.t("pro-never"), day),
            revoked: t.revoked_at.map(day),
        })
        .collect();
    Ok(TokensPage {
        csrf: me.session.csrf.clone(),
        action: format!("{base}/jetons"),
        tokens: rows,
        created: None,
        error: None,
        name: String::new(),
        c,
    })
}

/// `GET /pro/p/{pid}/jetons`.
pub async fn page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ManageTokens).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    match view(&state, locale, &uri, &me, &partner).await {
        Ok(page) => render_pro(StatusCode::OK, locale, &page),
        Err(e) => internal_error(locale, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    scope: String,
    csrf: String,
}

/// `POST /pro/p/{pid}/jetons`: the token is shown on the answer, once.
pub async fn create(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
    Form(form): Form<CreateForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ManageTokens).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let name = parse_name(&form.name);
    let scope = Scope::parse(&form.scope);
    let (Some(name), Some(scope)) = (name, scope) else {
        return match view(&state, locale, &uri, &me, &partner).await {
            Ok(mut page) => {
                page.error = Some(page.c.tr.t("pro-error-token"));
                page.name = form.name;
                render_pro(StatusCode::UNPROCESSABLE_ENTITY, locale, &page)
            }
            Err(e) => internal_error(locale, &e),
        };
    };
    let now = state.now();
    let e = me.event(now, Some(partner.id), "token.create");
    let plain = match issue_token(&state.store, partner.id, scope, &name, Some(me.user.id), e).await
    {
        Ok(p) => p,
        Err(e) => return internal_error(locale, &e.into()),
    };
    match view(&state, locale, &uri, &me, &partner).await {
        Ok(mut page) => {
            page.created = Some(plain);
            render_pro(StatusCode::CREATED, locale, &page)
        }
        Err(e) => internal_error(locale, &e),
    }
}

/// `POST /pro/p/{pid}/jetons/{tid}/revoquer`.
pub async fn revoke(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, tid)): Path<(String, String)>,
    Form(form): Form<super::signin::CsrfForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ManageTokens).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let Ok(id) = tid.parse::<TokenId>() else {
        return crate::pages::not_found(locale, &uri);
    };
    let now = state.now();
    let mut e = me.event(now, Some(partner.id), "token.revoke");
    e.subject = Some(id.to_string());
    match state.store.revoke_api_token(partner.id, id, now, e).await {
        Ok(true) => see_other(&format!("/pro/p/{}/jetons", partner.id)),
        Ok(false) => crate::pages::not_found(locale, &uri),
        Err(e) => internal_error(locale, &e.into()),
    }
}
