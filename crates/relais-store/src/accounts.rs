//! Storage of who is who and how they sign in: partners and the structures they keep, users,
//! memberships, one-time links (set-up, invitation, password reset), sessions, second factors,
//! sign-in failures (for throttling) and API tokens.
//!
//! Every method that changes something is ONE transaction that also appends its journal event(s)
//! (DESIGN.md rule 3): a refused command writes neither the change nor the event. Secrets are
//! never stored in clear: links, sessions, recovery codes and API tokens are kept as the SHA-256
//! hex of their value (computed by the caller, `relais-auth`), passwords as Argon2id PHC strings.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use relais_domain::accounts::{Email, MemberStatus, PartnerId, Role, TokenId, UserId};
use relais_domain::ids::StructureId;
use relais_domain::journal::{Event, NewEvent};
use serde::Serialize;

use crate::StoreError;

/// A partner of the network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A user account. `password_hash` is `None` until the set-up or invitation link is used;
/// `totp_secret` (base32) is `None` until the second factor is enrolled.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted: a code is accepted once (RFC 6238 §5.2).
    pub totp_last_step: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for User {
    // Secrets and the address never reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("has_password", &self.password_hash.is_some())
            .field("has_totp", &self.totp_secret.is_some())
            .finish_non_exhaustive()
    }
}

/// A user's membership of a partner, as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub role: Role,
    pub status: MemberStatus,
}

/// A member of a partner, as its admins see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub role: Role,
    pub status: MemberStatus,
    /// When the membership was created (the invitation, or the bootstrap).
    pub since: DateTime<Utc>,
    /// When the person joined (accepted the invitation; a first admin from the start): `None`
    /// while only invited. The partner sees their partner-less events from then on only.
    pub joined: Option<DateTime<Utc>>,
    /// Whether the user has set a password and enrolled a second factor.
    pub enrolled: bool,
}

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPurpose {
    /// The first administrator's set-up (24 h).
    Setup,
    /// An invitation to join a partner (72 h).
    Invite,
    /// A password reset (1 h).
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Invite => "invite",
            Self::Reset => "reset",
        }
    }
}

/// A one-time link to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLink {
    /// SHA-256 hex of the secret in the link.
    pub token_hash: String,
    pub purpose: LinkPurpose,
    pub expires_at: DateTime<Utc>,
}

/// A one-time link as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub token_hash: String,
    pub purpose: LinkPurpose,
    pub user_id: UserId,
    /// The partner an invitation is for.
    pub partner_id: Option<PartnerId>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// How far a session has gone through sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// The password was right; the second factor is still to give (or to enrol).
    SecondFactor,
    /// Fully signed in.
    SignedIn,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecondFactor => "second_factor",
            Self::SignedIn => "signed_in",
        }
    }
}

/// A session as stored: the cookie carries the secret, the database its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub stage: SessionStage,
    /// The CSRF token of the session's forms (a random secret, not a hash).
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Absolute end (created + 12 h).
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Session {
    // The CSRF token is a secret of the session's forms.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("stage", &self.stage)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

/// An API token's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Scope {
    #[serde(rename = "services:read")]
    ServicesRead,
    #[serde(rename = "services:write")]
    ServicesWrite,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServicesRead => "services:read",
            Self::ServicesWrite => "services:write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "services:read" => Some(Self::ServicesRead),
            "services:write" => Some(Self::ServicesWrite),
            _ => None,
        }
    }
}

/// An API token as stored (its secret only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: TokenId,
    pub partner_id: PartnerId,
    pub name: String,
    pub scope: Scope,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    /// `None` when created from the CLI.
    pub created_by: Option<UserId>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Which events of the journal a partner's admin is looking for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalFilter {
    /// Only events by this actor (a user id, `token:<id>`, `cli`…).
    pub actor: Option<String>,
    /// Only events whose action starts with this (`auth.`, `service.update`).
    pub action_prefix: Option<String>,
    /// Only events at or after.
    pub from: Option<DateTime<Utc>>,
    /// Only events strictly before.
    pub until: Option<DateTime<Utc>>,
    /// Only events with a seq strictly smaller (the next page, newest first).
    pub before_seq: Option<i64>,
}

/// Why a one-time link could not be used. Nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// No such link, or for another purpose.
    Unknown,
    Expired,
    AlreadyUsed,
}

/// Why a membership command was refused. Nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipRefusal {
    /// The user is already a member (active, invited or suspended) of the partner.
    AlreadyMember,
    NotMember,
    /// The last active admin of a partner cannot be suspended, removed or demoted.
    LastAdmin,
}

/// The accounts' storage. See the module comment: one transaction per command, with its events.
#[async_trait]
pub trait Accounts: Send + Sync {
    // --- Partners and the structures they keep ----------------------------------------------

    /// Creates the partner named `name` if none has that name (compared case-insensitively),
    /// creates the user `email` if unknown (no password yet), makes them an ACTIVE admin of it
    /// (or returns `MembershipRefusal::AlreadyMember` inside `Ok(Err(..))` if they already
    /// are a member), and stores `link` (purpose `Setup`) for them. Appends `event` with
    /// `partner` and `subject` (the user id) filled in.
    async fn bootstrap_admin(
        &self,
        email: &Email,
        partner_name: &str,
        link: NewLink,
        event: NewEvent,
    ) -> Result<Result<(Partner, UserId), MembershipRefusal>, StoreError>;

    /// The partner with this id (given as text) or this name (case-insensitive).
    async fn find_partner(&self, id_or_name: &str) -> Result<Option<Partner>, StoreError>;

    async fn get_partner(&self, id: PartnerId) -> Result<Option<Partner>, StoreError>;

    /// Makes `partner` the keeper of `structure` (a structure has one keeper at most; attaching
    /// it again moves it). Appends `event`. `Ok(false)` when the structure does not exist.
    async fn attach_structure(
        &self,
        partner: PartnerId,
        structure: StructureId,
        event: NewEvent,
    ) -> Result<bool, StoreError>;

    /// The structures `partner` keeps.
    async fn structures_of(&self, partner: PartnerId) -> Result<Vec<StructureId>, StoreError>;

    /// The services of these structures (those a partner keeps), in no particular order.
    async fn services_of(
        &self,
        structures: &[StructureId],
    ) -> Result<Vec<relais_domain::Service>, StoreError>;

    /// Who keeps `structure`.
    async fn keeper_of(&self, structure: StructureId) -> Result<Option<PartnerId>, StoreError>;

    // --- Users and memberships ---------------------------------------------------------------

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    /// Every membership of `user`, by partner name.
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, StoreError>;

    /// Every member of `partner`, by email.
    async fn members_of(&self, partner: PartnerId) -> Result<Vec<Member>, StoreError>;

    /// Invites `email` into `partner` with `role`: creates the user if unknown (no password),
    /// a membership `Invited`, and `link` (purpose `Invite`, for that partner). Refused with
    /// `AlreadyMember` when there is any membership of that user in that partner.
    async fn invite_member(
        &self,
        partner: PartnerId,
        email: &Email,
        role: Role,
        link: NewLink,
        event: NewEvent,
    ) -> Result<Result<UserId, MembershipRefusal>, StoreError>;

    /// Sets the status of `user` in `partner` (suspend / reactivate). Refused with `NotMember`,
    /// or `LastAdmin` when it would leave the partner without an active admin.
    async fn set_member_status(
        &self,
        partner: PartnerId,
        user: UserId,
        status: MemberStatus,
        event: NewEvent,
    ) -> Result<Result<(), MembershipRefusal>, StoreError>;

    /// Removes the membership (the user and the journal stay), and the user's pending links
    /// for that partner. Same refusals as [`Accounts::set_member_status`].
    async fn remove_member(
        &self,
        partner: PartnerId,
        user: UserId,
        event: NewEvent,
    ) -> Result<Result<(), MembershipRefusal>, StoreError>;

    // --- One-time links ----------------------------------------------------------------------

    /// Stores a link for an existing user (password reset), replacing their unused links of the
    /// same purpose. Appends `event`.
    async fn create_link(
        &self,
        user: UserId,
        link: NewLink,
        event: NewEvent,
    ) -> Result<(), StoreError>;

    /// The link with this hash, used or not (to show the right page before the form is sent).
    async fn get_link(&self, token_hash: &str) -> Result<Option<Link>, StoreError>;

    /// Uses the link once, atomically: refused unless it exists with `purpose`, is unused and
    /// `now < expires_at`. When accepted: marks it used, sets the user's password to
    /// `password_hash`, activates the membership of an invitation (`Invited` → `Active`),
    /// deletes every session of the user (a reset signs out everywhere), and appends `event`
    /// (subject: the user). Returns the user.
    async fn use_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: DateTime<Utc>,
        password_hash: &str,
        event: NewEvent,
    ) -> Result<Result<UserId, LinkRefusal>, StoreError>;

    // --- Second factor -----------------------------------------------------------------------

    /// Enrols (or replaces) the TOTP secret, stores the hashes of 10 new recovery codes
    /// (replacing any old ones), records `step` as the last step used, appends `event`.
    async fn enrol_totp(
        &self,
        user: UserId,
        secret: &str,
        step: i64,
        recovery_code_hashes: &[String],
        event: NewEvent,
    ) -> Result<(), StoreError>;

    /// An operator's remedy for a lost phone and lost recovery codes: removes the second factor
    /// and the recovery codes and ends every session, in one transaction with `event`; the next
    /// sign-in enrols a new factor. `false` (nothing written) when the user has none.
    async fn reset_second_factor(&self, user: UserId, event: NewEvent) -> Result<bool, StoreError>;

    /// Accepts TOTP time step `step` for `user` once: `true` and `totp_last_step = step` when
    /// `step` is greater than the last step used; `false` (replay) otherwise, writing nothing.
    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError>;

    /// Uses a recovery code once: `true` and marks it used if `code_hash` is an unused code of
    /// `user`; `false` otherwise, writing nothing.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// How many unused recovery codes `user` has left.
    async fn recovery_codes_left(&self, user: UserId) -> Result<u32, StoreError>;

    // --- Sessions ----------------------------------------------------------------------------

    /// Stores `session`, deleting `replaces` (the previous session's hash: the id rotates at
    /// each step of sign-in) in the same transaction, and appends `event` if given.
    async fn put_session(
        &self,
        session: &Session,
        replaces: Option<&str>,
        event: Option<NewEvent>,
    ) -> Result<(), StoreError>;

    async fn get_session(&self, id_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Sets `last_seen_at` (the idle timeout counts from it).
    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Deletes one session (sign-out); appends `event` if given.
    async fn delete_session(
        &self,
        id_hash: &str,
        event: Option<NewEvent>,
    ) -> Result<(), StoreError>;

    /// Deletes every session of `user` (sign-out everywhere); appends `event`. Returns how many.
    async fn delete_sessions_of(&self, user: UserId, event: NewEvent) -> Result<u64, StoreError>;

    // --- Sign-in failures --------------------------------------------------------------------

    /// Records one failed attempt under each key (`account:<user id>`, `ip:<address>`, …) and
    /// appends `event` (the failed sign-in), in one transaction.
    async fn record_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        event: NewEvent,
    ) -> Result<(), StoreError>;

    /// The instants of the failures under `key` since `since`, oldest first.
    async fn failures_since(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError>;

    /// Forgets the failures under `key` (after a successful sign-in) and those older than
    /// `older_than` under every key (housekeeping).
    async fn clear_failures(&self, key: &str, older_than: DateTime<Utc>) -> Result<(), StoreError>;

    /// Housekeeping: deletes sessions past their absolute end or idle for 30 minutes, and
    /// sign-in failures older than a day (longer than any throttling window). Returns how many
    /// rows went. Writes no event: nothing a person did.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    // --- API tokens --------------------------------------------------------------------------

    async fn create_api_token(&self, token: &ApiToken, event: NewEvent) -> Result<(), StoreError>;

    /// The partner's tokens, newest first, revoked ones included.
    async fn api_tokens_of(&self, partner: PartnerId) -> Result<Vec<ApiToken>, StoreError>;

    /// The token with this hash (revoked or not: the caller refuses a revoked one).
    async fn find_api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// Revokes the token `id` of `partner` (`false` if none or already revoked; nothing
    /// written then). Appends `event`.
    async fn revoke_api_token(
        &self,
        partner: PartnerId,
        id: TokenId,
        at: DateTime<Utc>,
        event: NewEvent,
    ) -> Result<bool, StoreError>;

    /// Sets the token's last use.
    async fn touch_api_token(&self, id: TokenId, at: DateTime<Utc>) -> Result<(), StoreError>;

    // --- Journal -----------------------------------------------------------------------------

    /// Appends one event on its own (an event that goes with no other write).
    async fn append_event(&self, event: NewEvent) -> Result<Event, StoreError>;

    /// The events of `partner` — those whose `partner` is it, and those without a partner whose
    /// actor is one of `members` (their sign-ins…) at or after the instant paired with them (when
    /// they joined it: [`Member::joined`]) — matching `filter`, newest first, at most `limit`.
    async fn journal_of(
        &self,
        partner: PartnerId,
        members: &[(UserId, DateTime<Utc>)],
        filter: &JournalFilter,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
}
