//! A partner's admins manage its members: invite by email (a single-use link valid 72 h),
//! suspend, reactivate, remove. The last active admin cannot be suspended or removed; removal
//! keeps the journal whole.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use relais_auth::secret;
use relais_domain::access::Action;
use relais_domain::accounts::{Email, MemberStatus, Role, UserId};
use relais_store::{LinkPurpose, MembershipRefusal, NewLink, Partner};

use super::session::SignedIn;
use super::signin::INVITE_LINK;
use super::{ProChrome, csrf_refused, partner_for, render_pro, see_other};
use crate::mail::Mail;
use crate::pages::i18n::Locale;
use crate::pages::internal_error;
use crate::state::AppState;

/// One member in the list.
#[derive(Debug)]
pub struct MemberRow {
    pub action: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub status_code: &'static str,
    pub since: String,
    pub is_me: bool,
}

#[derive(Debug, Template)]
#[template(path = "pro/members.html")]
pub struct MembersPage {
    pub c: ProChrome,
    pub csrf: String,
    pub action: String,
    pub members: Vec<MemberRow>,
    pub roles: Vec<(&'static str, String)>,
    pub email: String,
    pub role: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    role: String,
    csrf: String,
}

async fn view(
    state: &AppState,
    locale: Locale,
    uri: &axum::http::Uri,
    me: &SignedIn,
    partner: &Partner,
) -> anyhow::Result<MembersPage> {
    let members = state.store.members_of(partner.id).await?;
    let c = ProChrome::signed_in(locale, uri, me, Some(partner), "members");
    let base = c.base();
    let rows = members
        .into_iter()
        .map(|m| MemberRow {
            action: format!("{base}/membres/{}", m.user_id),
            email: m.email.to_string(),
            role: c.tr.t(&format!("pro-role-{}", m.role.as_str())),
            status: c.tr.t(&format!("pro-status-{}", m.status.as_str())),
            status_code: m.status.as_str(),
            since: crate::pages::format::date_with_year(
                &c.tr,
                m.since
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .date_naive(),
            ),
            is_me: m.user_id == me.user.id,
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| (r.as_str(), c.tr.t(&format!("pro-role-{}", r.as_str()))))
        .collect();
    Ok(MembersPage {
        csrf: me.session.csrf.clone(),
        action: format!("{base}/membres"),
        members: rows,
        roles,
        email: String::new(),
        role: "professional".into(),
        error: None,
        notice: None,
        c,
    })
}

/// `GET /pro/p/{pid}/membres`.
pub async fn page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ManageMembers).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    match view(&state, locale, &uri, &me, &partner).await {
        Ok(mut page) => {
            if uri.query().is_some_and(|q| q.contains("invite=1")) {
                page.notice = Some(page.c.tr.t("pro-invite-sent"));
            }
            render_pro(StatusCode::OK, locale, &page)
        }
        Err(e) => internal_error(locale, &e),
    }
}

/// `POST /pro/p/{pid}/membres`: invites `email` with `role`; the link goes by email only.
pub async fn invite(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
    Form(form): Form<InviteForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ManageMembers).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let email = Email::parse(&form.email);
    let role = form.role.parse::<Role>();
    let (email, role) = match (email, role) {
        (Ok(e), Ok(r)) => (e, r),
        (e, _) => {
            let key = if e.is_err() {
                "pro-error-email"
            } else {
                "pro-error-choice"
            };
            return match view(&state, locale, &uri, &me, &partner).await {
                Ok(mut page) => {
                    page.error = Some(page.c.tr.t(key));
                    page.email = form.email;
                    page.role = form.role;
                    render_pro(StatusCode::UNPROCESSABLE_ENTITY, locale, &page)
                }
                Err(e) => internal_error(locale, &e),
            };
        }
    };
    let already = |page: Result<MembersPage, anyhow::Error>| match page {
        Ok(mut page) => {
            page.error = Some(page.c.tr.t("pro-invite-already"));
            page.email = form.email.clone();
            render_pro(StatusCode::CONFLICT, locale, &page)
        }
        Err(e) => internal_error(locale, &e),
    };
    match state.store.members_of(partner.id).await {
        Ok(members) if members.iter().any(|m| m.email == email) => {
            return already(view(&state, locale, &uri, &me, &partner).await);
        }
        Ok(_) => {}
        Err(e) => return internal_error(locale, &e.into()),
    }
    // The mail goes first: if it cannot be sent, nothing is written (no invitation stuck
    // without its link); if the write then fails, the link mailed leads nowhere — harmless.
    let token = secret::new_secret();
    let now = state.now();
    let tr = crate::pages::i18n::Tr::new(super::pro_lang(locale));
    let url = state.pro.url(&format!("/pro/lien/{token}"));
    let mail = Mail {
        to: email.clone(),
        subject: tr.t1("mail-invite-subject", "partner", &partner.name),
        body: tr.t_with(
            "mail-invite-body",
            &[
                ("partner", partner.name.as_str().into()),
                ("link", url.as_str().into()),
            ],
        ),
    };
    if let Err(e) = state.pro.mailer.send(mail).await {
        tracing::warn!(error = %e, "invitation mail not sent; nothing written");
        return match view(&state, locale, &uri, &me, &partner).await {
            Ok(mut page) => {
                page.error = Some(page.c.tr.t("pro-invite-mail-failed"));
                page.email = form.email;
                render_pro(StatusCode::BAD_GATEWAY, locale, &page)
            }
            Err(e) => internal_error(locale, &e),
        };
    }
    let link = NewLink {
        token_hash: secret::hash_secret(&token),
        purpose: LinkPurpose::Invite,
        expires_at: now + INVITE_LINK,
    };
    let mut e = me.event(now, Some(partner.id), "member.invite");
    e.details = serde_json::json!({ "role": role.as_str() });
    match state
        .store
        .invite_member(partner.id, &email, role, link, e)
        .await
    {
        Ok(Ok(_)) => see_other(&format!("/pro/p/{}/membres?invite=1", partner.id)),
        Ok(Err(_)) => already(view(&state, locale, &uri, &me, &partner).await),
        Err(e) => internal_error(locale, &e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    /// `suspend`, `reactivate` or `remove`.
    action: String,
    csrf: String,
}

/// `POST /pro/p/{pid}/membres/{uid}`: suspend, reactivate or remove a member.
pub async fn change(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, uid)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ManageMembers).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let Ok(user) = uid.parse::<UserId>() else {
        return crate::pages::not_found(locale, &uri);
    };
    // Suspend only an active member, reactivate only a suspended one: an invitation becomes a
    // membership only when its link is used.
    let current = match state.store.members_of(partner.id).await {
        Ok(members) => members
            .into_iter()
            .find(|m| m.user_id == user)
            .map(|m| m.status),
        Err(e) => return internal_error(locale, &e.into()),
    };
    let Some(current) = current else {
        return crate::pages::not_found(locale, &uri);
    };
    let fits = match form.action.as_str() {
        "suspend" => current == MemberStatus::Active,
        "reactivate" => current == MemberStatus::Suspended,
        _ => true,
    };
    if !fits {
        return match view(&state, locale, &uri, &me, &partner).await {
            Ok(mut page) => {
                page.error = Some(page.c.tr.t("pro-error-choice"));
                render_pro(StatusCode::CONFLICT, locale, &page)
            }
            Err(e) => internal_error(locale, &e),
        };
    }
    let now = state.now();
    let result = match form.action.as_str() {
        "suspend" | "reactivate" => {
            let (status, action) = if form.action == "suspend" {
                (MemberStatus::Suspended, "member.suspend")
            } else {
                (MemberStatus::Active, "member.reactivate")
            };
            let mut e = me.event(now, Some(partner.id), action);
            e.subject = Some(user.to_string());
            state
                .store
                .set_member_status(partner.id, user, status, e)
                .await
        }
        "remove" => {
            let mut e = me.event(now, Some(partner.id), "member.remove");
            e.subject = Some(user.to_string());
            state.store.remove_member(partner.id, user, e).await
        }
        _ => return crate::pages::not_found(locale, &uri),
    };
    match result {
        Ok(Ok(())) => see_other(&format!("/pro/p/{}/membres", partner.id)),
        Ok(Err(MembershipRefusal::NotMember)) => crate::pages::not_found(locale, &uri),
        Ok(Err(refusal)) => match view(&state, locale, &uri, &me, &partner).await {
            Ok(mut page) => {
                let key = if refusal == MembershipRefusal::LastAdmin {
                    "pro-last-admin"
                } else {
                    "pro-error-choice"
                };
                page.error = Some(page.c.tr.t(key));
                render_pro(StatusCode::CONFLICT, locale, &page)
            }
            Err(e) => internal_error(locale, &e),
        },
        Err(e) => internal_error(locale, &e.into()),
    }
}
