//! What both backends share about accounts: the rows as selected (the same SQL on both, see
//! `accounts_sql.rs`) and their reading back into domain values. A code or an address that no
//! longer parses is reported by column ([`StoreError::Invalid`]), never by content.

use chrono::{DateTime, Utc};
use relais_domain::accounts::{Email, MemberStatus, PartnerId, Role, TokenId, UserId};
use uuid::Uuid;

use crate::accounts::{
    ApiToken, Link, LinkPurpose, Member, Membership, Partner, Scope, Session, SessionStage, User,
};
use crate::{Entity, StoreError};

/// The columns of [`PartnerRow`].
pub(crate) const PARTNER_COLUMNS: &str = "id, name, created_at";
/// The columns of [`UserRow`].
pub(crate) const USER_COLUMNS: &str =
    "id, email, password_hash, totp_secret, totp_last_step, created_at";
/// The columns of [`LinkRow`].
pub(crate) const LINK_COLUMNS: &str =
    "token_hash, purpose, user_id, partner_id, expires_at, used_at";
/// The columns of [`SessionRow`].
pub(crate) const SESSION_COLUMNS: &str =
    "id_hash, user_id, stage, csrf, created_at, last_seen_at, expires_at";
/// The columns of [`ApiTokenRow`].
pub(crate) const API_TOKEN_COLUMNS: &str =
    "id, partner_id, name, scope, token_hash, created_at, created_by, revoked_at, last_used_at";

fn invalid(entity: Entity, id: Uuid, column: &'static str) -> StoreError {
    StoreError::Invalid { entity, id, column }
}

fn role(s: &str, entity: Entity, id: Uuid) -> Result<Role, StoreError> {
    s.parse().map_err(|_| invalid(entity, id, "role"))
}

fn status(s: &str, entity: Entity, id: Uuid) -> Result<MemberStatus, StoreError> {
    s.parse().map_err(|_| invalid(entity, id, "status"))
}

fn email(s: String, entity: Entity, id: Uuid) -> Result<Email, StoreError> {
    Email::parse(&s).map_err(|_| invalid(entity, id, "email"))
}

/// Reads a link purpose code.
pub(crate) fn purpose(s: &str) -> Option<LinkPurpose> {
    match s {
        "setup" => Some(LinkPurpose::Setup),
        "invite" => Some(LinkPurpose::Invite),
        "reset" => Some(LinkPurpose::Reset),
        _ => None,
    }
}

fn stage(s: &str) -> Option<SessionStage> {
    match s {
        "second_factor" => Some(SessionStage::SecondFactor),
        "signed_in" => Some(SessionStage::SignedIn),
        _ => None,
    }
}

/// A row of `partners`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PartnerRow {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl PartnerRow {
    pub fn into_domain(self) -> Partner {
        Partner {
            id: PartnerId(self.id),
            name: self.name,
            created_at: self.created_at,
        }
    }
}

/// A row of `users`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn into_domain(self) -> Result<User, StoreError> {
        Ok(User {
            id: UserId(self.id),
            email: email(self.email, Entity::User, self.id)?,
            password_hash: self.password_hash,
            totp_secret: self.totp_secret,
            totp_last_step: self.totp_last_step,
            created_at: self.created_at,
        })
    }
}

/// A membership joined with its partner's name.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MembershipRow {
    pub partner_id: Uuid,
    pub partner_name: String,
    pub role: String,
    pub status: String,
}

impl MembershipRow {
    pub fn into_domain(self) -> Result<Membership, StoreError> {
        Ok(Membership {
            partner_id: PartnerId(self.partner_id),
            role: role(&self.role, Entity::Membership, self.partner_id)?,
            status: status(&self.status, Entity::Membership, self.partner_id)?,
            partner_name: self.partner_name,
        })
    }
}

/// A membership joined with its user. `enrolled` is 1 when the user has a password and a
/// second factor (an integer: booleans are not the same type on both backends).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub role: String,
    pub status: String,
    pub since: DateTime<Utc>,
    pub joined_at: Option<DateTime<Utc>>,
    pub enrolled: i64,
}

impl MemberRow {
    pub fn into_domain(self) -> Result<Member, StoreError> {
        Ok(Member {
            user_id: UserId(self.user_id),
            email: email(self.email, Entity::Membership, self.user_id)?,
            role: role(&self.role, Entity::Membership, self.user_id)?,
            status: status(&self.status, Entity::Membership, self.user_id)?,
            since: self.since,
            joined: self.joined_at,
            enrolled: self.enrolled != 0,
        })
    }
}

/// A row of `links`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LinkRow {
    pub token_hash: String,
    pub purpose: String,
    pub user_id: Uuid,
    pub partner_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl LinkRow {
    pub fn into_domain(self) -> Result<Link, StoreError> {
        Ok(Link {
            purpose: purpose(&self.purpose)
                .ok_or_else(|| invalid(Entity::Link, self.user_id, "purpose"))?,
            token_hash: self.token_hash,
            user_id: UserId(self.user_id),
            partner_id: self.partner_id.map(PartnerId),
            expires_at: self.expires_at,
            used_at: self.used_at,
        })
    }
}

/// A row of `sessions`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub id_hash: String,
    pub user_id: Uuid,
    pub stage: String,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl SessionRow {
    pub fn into_domain(self) -> Result<Session, StoreError> {
        Ok(Session {
            stage: stage(&self.stage)
                .ok_or_else(|| invalid(Entity::Session, self.user_id, "stage"))?,
            id_hash: self.id_hash,
            user_id: UserId(self.user_id),
            csrf: self.csrf,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            expires_at: self.expires_at,
        })
    }
}

/// A row of `api_tokens`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub name: String,
    pub scope: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiTokenRow {
    pub fn into_domain(self) -> Result<ApiToken, StoreError> {
        Ok(ApiToken {
            id: TokenId(self.id),
            partner_id: PartnerId(self.partner_id),
            name: self.name,
            scope: Scope::parse(&self.scope)
                .ok_or_else(|| invalid(Entity::ApiToken, self.id, "scope"))?,
            token_hash: self.token_hash,
            created_at: self.created_at,
            created_by: self.created_by.map(UserId),
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
        })
    }
}

/// The lower-cased name that partner names are compared by (Unicode-aware, computed here so
/// that both backends agree whatever their collation).
pub(crate) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Fills in the partner and subject of a command's event when the caller left them empty (the
/// caller cannot know the id of a record the command creates).
pub(crate) fn fill_event(
    mut event: relais_domain::journal::NewEvent,
    partner: Option<PartnerId>,
    subject: Option<String>,
) -> relais_domain::journal::NewEvent {
    if event.partner.is_none() {
        event.partner = partner.map(|p| p.to_string());
    }
    if event.subject.is_none() {
        event.subject = subject;
    }
    event
}
