//! Storage of Relais: one [`Store`] trait, a SQLite and a PostgreSQL implementation side by side,
//! chosen at run time from the database URL ([`connect`]). Handlers hold a [`DynStore`] and never
//! know which backend runs; the same test suite (`tests/store.rs`) passes on both.
//!
//! Records are stored as their full domain value (JSON) plus indexed key columns. Every write of a
//! service takes a new seq from a database-wide change sequence, so that several app nodes on one
//! PostgreSQL keep their in-memory search indexes current with [`Store::changes_since`].

mod accounts;
mod accounts_postgres;
mod accounts_rows;
mod accounts_sql;
mod accounts_sqlite;
mod error;
mod import;
mod journal;
mod postgres;
mod rows;
mod sqlite;
mod url;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use relais_domain::directory::{Service, Structure};
use relais_domain::ids::{ServiceId, StructureId};
use relais_domain::journal::{Event, NewEvent};
use serde::Serialize;

pub use crate::accounts::{
    Accounts, ApiToken, JournalFilter, Link, LinkPurpose, LinkRefusal, Member, Membership,
    MembershipRefusal, NewLink, Partner, Scope, Session, SessionStage, User,
};
pub use crate::error::{ACCEPTED_SCHEMES, Entity, StoreError};
pub use crate::postgres::PostgresStore;
pub use crate::sqlite::SqliteStore;
pub use crate::url::{DatabaseUrl, parse_database_url};

/// The store as handlers hold it.
pub type DynStore = Arc<dyn Store>;

/// Which database runs behind a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgresql",
        })
    }
}

/// What an import did to one kind of record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    /// Identical to the stored record: not rewritten, no change seq.
    pub unchanged: u64,
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub structures: Counts,
    pub services: Counts,
}

impl ImportCounts {
    /// Whether the import wrote anything (only then is it a change to journal).
    pub fn wrote(&self) -> bool {
        let c = |k: &Counts| k.created + k.updated;
        c(&self.structures) + c(&self.services) > 0
    }
}

/// One entry of the change sequence: service `service_id` was created, updated or deleted.
/// Readers reload it with [`Store::get_service`] (`None` means deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub service_id: ServiceId,
}

/// The directory's storage. Every method is one transaction at most. The accounts' storage is a
/// supertrait, so that handlers holding a [`DynStore`] reach both through one value.
#[async_trait]
pub trait Store: Accounts + Send + Sync + fmt::Debug {
    /// Which database runs behind.
    fn backend(&self) -> Backend;

    /// Readiness: the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Writes a whole import in ONE transaction (all-or-nothing), upserting by id; a record whose
    /// content is identical to the stored one is "unchanged" and is not rewritten (no change-sequence
    /// bump). Refused without writing anything: an id twice in the import, a service whose structure
    /// is neither in the import nor stored, a record a database constraint refuses. When anything
    /// is written, `event` (its details completed with the counts) is appended to the journal in
    /// the same transaction.
    async fn apply_import_as(
        &self,
        structures: &[Structure],
        services: &[Service],
        event: NewEvent,
    ) -> Result<ImportCounts, StoreError>;

    /// [`Store::apply_import_as`] by the system (`actor` `system`, action `directory.import`).
    async fn apply_import(
        &self,
        structures: &[Structure],
        services: &[Service],
    ) -> Result<ImportCounts, StoreError> {
        let event = NewEvent::system(chrono::Utc::now(), "system", "directory.import");
        self.apply_import_as(structures, services, event).await
    }

    /// The journal's last event: its seq (the number of events) and hash; `None` when empty.
    async fn journal_head(&self) -> Result<Option<(i64, String)>, StoreError>;

    /// Journal events after `after_seq`, in order, at most `limit`.
    async fn journal_page(&self, after_seq: i64, limit: u32) -> Result<Vec<Event>, StoreError>;

    /// Every structure, ordered by `(source, source_id)` (bytewise).
    async fn list_structures(&self) -> Result<Vec<Structure>, StoreError>;

    /// Every service, ordered by `(source, source_id)` (bytewise): for the search index and exports.
    /// Large lists are decoded on every core (see `tests/store.rs`, `list_services_of_50_000`).
    async fn list_services(&self) -> Result<Vec<Service>, StoreError>;

    /// Up to `limit` services whose id is greater than `after` (all, when `None`), in id order:
    /// the page after `after`. Lets the index load a large directory without holding every
    /// record at once; the next page starts after the greatest id of this one.
    async fn list_services_page(
        &self,
        after: Option<ServiceId>,
        limit: u32,
    ) -> Result<Vec<Service>, StoreError>;

    async fn get_service(&self, id: ServiceId) -> Result<Option<Service>, StoreError>;

    async fn get_structure(&self, id: StructureId) -> Result<Option<Structure>, StoreError>;

    async fn count_services(&self) -> Result<u64, StoreError>;

    /// The last seq of the change sequence (0 when nothing was ever written). Every created,
    /// updated or deleted service — and every service of a structure whose record changed, since
    /// services are shown with their structure — gets a new, strictly increasing seq from the
    /// database, so nodes on one PostgreSQL agree.
    async fn current_seq(&self) -> Result<i64, StoreError>;

    /// Changes with a seq greater than `seq`, in increasing seq order, at most `limit`.
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>, StoreError>;
}

/// Parses `url`, connects, and brings the schema up to date (migrations are idempotent and, on
/// PostgreSQL, safe to run from several nodes at once). Only a `sqlite:` URL creates anything on
/// disk: its parent directory and file.
pub async fn connect(url: &str) -> Result<DynStore, StoreError> {
    let parsed = parse_database_url(url)?;
    tracing::info!(backend = %parsed.backend(), database = %parsed, "connecting to the database");
    let store: DynStore = match parsed {
        DatabaseUrl::Sqlite { path } => Arc::new(SqliteStore::open(&path).await?),
        DatabaseUrl::Postgres { url } => Arc::new(PostgresStore::connect(&url).await?),
    };
    Ok(store)
}
