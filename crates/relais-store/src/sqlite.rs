//! The embedded default: one SQLite file in WAL mode.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use relais_domain::directory::{Service, Structure};
use relais_domain::ids::{ServiceId, StructureId};
use relais_domain::journal::NewEvent;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use uuid::Uuid;

use crate::import::{Outcome, check_no_duplicates};
use crate::rows::{ServiceRow, StructureRow, decode_services, decode_structures};
use crate::{Backend, Change, Entity, ImportCounts, Store, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const SELECT_STRUCTURE: &str =
    "SELECT id, source, source_id, name, updated_on, data FROM structures";
const SELECT_SERVICE: &str =
    "SELECT id, structure_id, source, source_id, name, updated_on, data, seq FROM services";

const UPSERT_STRUCTURE: &str = "INSERT INTO structures (id, source, source_id, name, updated_on, data) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (id) DO UPDATE SET source = excluded.source, source_id = excluded.source_id, \
     name = excluded.name, updated_on = excluded.updated_on, data = excluded.data";

const UPSERT_SERVICE: &str = "INSERT INTO services (id, structure_id, source, source_id, name, updated_on, data, seq) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
     ON CONFLICT (id) DO UPDATE SET structure_id = excluded.structure_id, source = excluded.source, \
     source_id = excluded.source_id, name = excluded.name, updated_on = excluded.updated_on, \
     data = excluded.data, seq = excluded.seq";

/// A SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating the file and its directory if needed) and migrates.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(structures = structures.len(), services = services.len()))]
    async fn apply_import_as(
        &self,
        structures: &[Structure],
        services: &[Service],
        event: NewEvent,
    ) -> Result<ImportCounts, StoreError> {
        check_no_duplicates(structures, services)?;
        // IMMEDIATE takes the write lock now: a deferred transaction that reads first could not
        // upgrade to writing if another connection wrote meanwhile.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut counts = ImportCounts::default();

        // Structures whose record changed: their services show its name, so each of them gets a
        // change in the sequence (below) and every node re-indexes it.
        let mut renamed: Vec<Uuid> = Vec::new();
        for s in structures {
            let stored: Option<String> =
                sqlx::query_scalar("SELECT data FROM structures WHERE id = ?1")
                    .bind(s.id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let outcome = Outcome::of(stored.as_deref(), s);
            outcome.count(&mut counts.structures);
            if matches!(outcome, Outcome::Updated) {
                renamed.push(s.id.0);
            }
            if outcome.writes() {
                let row = StructureRow::from_domain(s)?;
                sqlx::query(UPSERT_STRUCTURE)
                    .bind(row.id)
                    .bind(&row.source)
                    .bind(&row.source_id)
                    .bind(&row.name)
                    .bind(row.updated_on)
                    .bind(&row.data)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::on_write(e, Entity::Structure, row.id))?;
            }
        }

        let mut known: HashSet<Uuid> = structures.iter().map(|s| s.id.0).collect();
        for svc in services {
            if known.contains(&svc.structure_id.0) {
                continue;
            }
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM structures WHERE id = ?1")
                .bind(svc.structure_id.0)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::UnknownStructure {
                    service: svc.id,
                    structure: svc.structure_id,
                });
            }
            known.insert(svc.structure_id.0);
        }

        let mut written: HashSet<Uuid> = HashSet::new();
        for svc in services {
            let stored: Option<String> =
                sqlx::query_scalar("SELECT data FROM services WHERE id = ?1")
                    .bind(svc.id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let outcome = Outcome::of(stored.as_deref(), svc);
            outcome.count(&mut counts.services);
            if outcome.writes() {
                written.insert(svc.id.0);
                let mut row = ServiceRow::from_domain(svc)?;
                row.seq = sqlx::query_scalar(
                    "INSERT INTO changes (service_id) VALUES (?1) RETURNING seq",
                )
                .bind(row.id)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(UPSERT_SERVICE)
                    .bind(row.id)
                    .bind(row.structure_id)
                    .bind(&row.source)
                    .bind(&row.source_id)
                    .bind(&row.name)
                    .bind(row.updated_on)
                    .bind(&row.data)
                    .bind(row.seq)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| service_write_error(e, svc))?;
            }
        }

        // Services written above already have their change; the others of a changed structure
        // get one now.
        for id in &renamed {
            let ids: Vec<Uuid> =
                sqlx::query_scalar("SELECT id FROM services WHERE structure_id = ?1 ORDER BY id")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
            for service_id in ids.into_iter().filter(|i| !written.contains(i)) {
                sqlx::query("INSERT INTO changes (service_id) VALUES (?1)")
                    .bind(service_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }

        if counts.wrote() {
            append_event(&mut tx, crate::journal::import_event(event, &counts)).await?;
        }
        tx.commit().await?;
        tracing::info!(?counts, "import applied");
        Ok(counts)
    }

    async fn list_structures(&self) -> Result<Vec<Structure>, StoreError> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, data FROM structures")
            .fetch_all(&self.pool)
            .await?;
        decode_structures(rows)
    }

    async fn list_services(&self) -> Result<Vec<Service>, StoreError> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, data FROM services")
            .fetch_all(&self.pool)
            .await?;
        decode_services(rows).await
    }

    async fn list_services_page(
        &self,
        after: Option<ServiceId>,
        limit: u32,
    ) -> Result<Vec<Service>, StoreError> {
        let rows: Vec<(Uuid, String)> = match after {
            Some(after) => {
                sqlx::query_as("SELECT id, data FROM services WHERE id > ?1 ORDER BY id LIMIT ?2")
                    .bind(after.0)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query_as("SELECT id, data FROM services ORDER BY id LIMIT ?1")
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut services = decode_services(rows).await?;
        services.sort_unstable_by_key(|s| s.id);
        Ok(services)
    }

    async fn get_service(&self, id: ServiceId) -> Result<Option<Service>, StoreError> {
        let row: Option<ServiceRow> = sqlx::query_as(&format!("{SELECT_SERVICE} WHERE id = ?1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(ServiceRow::into_domain).transpose()
    }

    async fn get_structure(&self, id: StructureId) -> Result<Option<Structure>, StoreError> {
        let row: Option<StructureRow> =
            sqlx::query_as(&format!("{SELECT_STRUCTURE} WHERE id = ?1"))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        row.map(StructureRow::into_domain).transpose()
    }

    async fn count_services(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM services")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn journal_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn journal_page(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<relais_domain::journal::Event>, StoreError> {
        let rows: Vec<crate::journal::JournalRow> = sqlx::query_as(&format!(
            "SELECT {} FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            crate::journal::COLUMNS
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(crate::journal::JournalRow::into_event)
            .collect())
    }

    async fn current_seq(&self) -> Result<i64, StoreError> {
        let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq)
    }

    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        let rows: Vec<(i64, Uuid)> = sqlx::query_as(
            "SELECT seq, service_id FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, id)| Change {
                seq,
                service_id: ServiceId(id),
            })
            .collect())
    }
}

/// A refused service write; a missing structure is named (checked before, this is the fallback).
pub(crate) fn service_write_error(err: sqlx::Error, svc: &Service) -> StoreError {
    if let sqlx::Error::Database(db) = &err
        && db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
    {
        return StoreError::UnknownStructure {
            service: svc.id,
            structure: svc.structure_id,
        };
    }
    StoreError::on_write(err, Entity::Service, svc.id.0)
}

/// Appends `e` after the journal's last event, in the caller's transaction (which holds the
/// write lock, so that two writers cannot link to the same head).
pub(crate) async fn append_event(
    conn: &mut sqlx::SqliteConnection,
    e: NewEvent,
) -> Result<relais_domain::journal::Event, StoreError> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let linked = relais_domain::journal::link(last.as_ref().map(|(s, h)| (h.as_str(), *s)), e);
    let row = crate::journal::JournalRow::of(&linked);
    sqlx::query(&format!(
        "INSERT INTO journal ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        crate::journal::COLUMNS
    ))
    .bind(row.seq)
    .bind(&row.at)
    .bind(&row.actor)
    .bind(&row.partner)
    .bind(&row.action)
    .bind(&row.subject)
    .bind(&row.ip)
    .bind(&row.details)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await?;
    Ok(linked)
}
