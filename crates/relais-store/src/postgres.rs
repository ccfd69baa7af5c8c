//! PostgreSQL, for several stateless app nodes on one database.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use relais_domain::directory::{Service, Structure};
use relais_domain::ids::{ServiceId, StructureId};
use relais_domain::journal::NewEvent;
use sqlx::postgres::{PgPool, PgPoolOptions};
use uuid::Uuid;

use crate::import::{Outcome, check_no_duplicates};
use crate::rows::{ServiceRow, StructureRow, decode_services, decode_structures};
use crate::sqlite::service_write_error;
use crate::{Backend, Change, Entity, ImportCounts, Store, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgresql");

/// Key of the transaction-level advisory lock that serialises imports. Holding it until commit
/// makes seqs become visible in increasing order: a node that has read up to seq N never sees a
/// smaller seq commit later (which a bare SEQUENCE would allow with concurrent writers).
pub(crate) const WRITE_LOCK: i64 = 0x5245_4c41_4953; // "RELAIS"

const SELECT_STRUCTURE: &str =
    "SELECT id, source, source_id, name, updated_on, data::text AS data FROM structures";
const SELECT_SERVICE: &str = "SELECT id, structure_id, source, source_id, name, updated_on, data::text AS data, seq FROM services";

const UPSERT_STRUCTURE: &str = "INSERT INTO structures (id, source, source_id, name, updated_on, data) \
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) \
     ON CONFLICT (id) DO UPDATE SET source = excluded.source, source_id = excluded.source_id, \
     name = excluded.name, updated_on = excluded.updated_on, data = excluded.data";

/// One round trip per written service: take a seq and upsert the row with it.
const UPSERT_SERVICE: &str = "WITH change AS (INSERT INTO changes (service_id) VALUES ($1) RETURNING seq) \
     INSERT INTO services (id, structure_id, source, source_id, name, updated_on, data, seq) \
     SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, change.seq FROM change \
     ON CONFLICT (id) DO UPDATE SET structure_id = excluded.structure_id, source = excluded.source, \
     source_id = excluded.source_id, name = excluded.name, updated_on = excluded.updated_on, \
     data = excluded.data, seq = excluded.seq";

/// A PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

impl PostgresStore {
    /// Connects and migrates (sqlx holds an advisory lock while migrating, so nodes starting
    /// together do not race).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
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
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
        let mut counts = ImportCounts::default();

        let ids: Vec<Uuid> = structures.iter().map(|s| s.id.0).collect();
        let stored = stored_data(&mut tx, "structures", &ids).await?;
        // Structures whose record changed: their services show its name, so each of them gets a
        // change in the sequence (below) and every node re-indexes it.
        let mut renamed: Vec<Uuid> = Vec::new();
        for s in structures {
            let outcome = Outcome::of(stored.get(&s.id.0).map(String::as_str), s);
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

        let in_import: HashSet<Uuid> = ids.into_iter().collect();
        let elsewhere: Vec<Uuid> = services
            .iter()
            .map(|s| s.structure_id.0)
            .filter(|id| !in_import.contains(id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let found: HashSet<Uuid> =
            sqlx::query_scalar("SELECT id FROM structures WHERE id = ANY($1)")
                .bind(&elsewhere)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        if let Some(svc) = services
            .iter()
            .find(|s| !in_import.contains(&s.structure_id.0) && !found.contains(&s.structure_id.0))
        {
            return Err(StoreError::UnknownStructure {
                service: svc.id,
                structure: svc.structure_id,
            });
        }

        let ids: Vec<Uuid> = services.iter().map(|s| s.id.0).collect();
        let stored = stored_data(&mut tx, "services", &ids).await?;
        let mut written: HashSet<Uuid> = HashSet::new();
        for svc in services {
            let outcome = Outcome::of(stored.get(&svc.id.0).map(String::as_str), svc);
            outcome.count(&mut counts.services);
            if outcome.writes() {
                written.insert(svc.id.0);
                let row = ServiceRow::from_domain(svc)?;
                sqlx::query(UPSERT_SERVICE)
                    .bind(row.id)
                    .bind(row.structure_id)
                    .bind(&row.source)
                    .bind(&row.source_id)
                    .bind(&row.name)
                    .bind(row.updated_on)
                    .bind(&row.data)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| service_write_error(e, svc))?;
            }
        }

        // Services written above already have their change; the others of a changed structure
        // get one now.
        for id in &renamed {
            let ids: Vec<Uuid> =
                sqlx::query_scalar("SELECT id FROM services WHERE structure_id = $1 ORDER BY id")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
            for service_id in ids.into_iter().filter(|i| !written.contains(i)) {
                sqlx::query("INSERT INTO changes (service_id) VALUES ($1)")
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
        let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, data::text FROM structures")
            .fetch_all(&self.pool)
            .await?;
        decode_structures(rows)
    }

    async fn list_services(&self) -> Result<Vec<Service>, StoreError> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, data::text FROM services")
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
                sqlx::query_as(
                    "SELECT id, data::text FROM services WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after.0)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as("SELECT id, data::text FROM services ORDER BY id LIMIT $1")
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
        let row: Option<ServiceRow> = sqlx::query_as(&format!("{SELECT_SERVICE} WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(ServiceRow::into_domain).transpose()
    }

    async fn get_structure(&self, id: StructureId) -> Result<Option<Structure>, StoreError> {
        let row: Option<StructureRow> =
            sqlx::query_as(&format!("{SELECT_STRUCTURE} WHERE id = $1"))
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
            "SELECT {} FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2",
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
        let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0)::bigint FROM changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq)
    }

    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        let rows: Vec<(i64, Uuid)> = sqlx::query_as(
            "SELECT seq, service_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
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

/// The stored JSON of the rows of `table` (`structures` or `services`) among `ids`, in one query.
async fn stored_data(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &'static str,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, StoreError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(&format!(
        "SELECT id, data::text FROM {table} WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Appends `e` after the journal's last event, in the caller's transaction (which holds the
/// write lock, so that two writers cannot link to the same head).
pub(crate) async fn append_event(
    conn: &mut sqlx::PgConnection,
    e: NewEvent,
) -> Result<relais_domain::journal::Event, StoreError> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let linked = relais_domain::journal::link(last.as_ref().map(|(s, h)| (h.as_str(), *s)), e);
    let row = crate::journal::JournalRow::of(&linked);
    sqlx::query(&format!(
        "INSERT INTO journal ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
