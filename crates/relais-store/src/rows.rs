//! Row types: what a table holds. The full domain value is kept as JSON in `data`; the other
//! columns are the keys that constraints and queries need, copied from it on every write.

use chrono::NaiveDate;
use relais_domain::directory::{Service, Structure};
use relais_domain::ids::{ServiceId, StructureId};
use uuid::Uuid;

use crate::{Entity, StoreError};

/// A row of `structures`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StructureRow {
    pub id: Uuid,
    pub source: String,
    pub source_id: String,
    pub name: String,
    pub updated_on: NaiveDate,
    pub data: String,
}

impl StructureRow {
    pub fn from_domain(s: &Structure) -> Result<Self, StoreError> {
        let data = serde_json::to_string(s).map_err(|source| StoreError::Encode {
            entity: Entity::Structure,
            id: s.id.0,
            source,
        })?;
        Ok(Self {
            id: s.id.0,
            source: s.source.clone(),
            source_id: s.source_id.clone(),
            name: s.name.as_str().to_owned(),
            updated_on: s.updated_on,
            data,
        })
    }

    pub fn into_domain(self) -> Result<Structure, StoreError> {
        decode_structure(self.id, &self.data)
    }
}

/// A row of `services`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ServiceRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub source: String,
    pub source_id: String,
    pub name: String,
    pub updated_on: NaiveDate,
    pub data: String,
    /// The seq of the last change; set by the store when writing.
    pub seq: i64,
}

impl ServiceRow {
    pub fn from_domain(s: &Service) -> Result<Self, StoreError> {
        let data = serde_json::to_string(s).map_err(|source| StoreError::Encode {
            entity: Entity::Service,
            id: s.id.0,
            source,
        })?;
        Ok(Self {
            id: s.id.0,
            structure_id: s.structure_id.0,
            source: s.source.clone(),
            source_id: s.source_id.clone(),
            name: s.name.as_str().to_owned(),
            updated_on: s.updated_on,
            data,
            seq: 0,
        })
    }

    pub fn into_domain(self) -> Result<Service, StoreError> {
        decode_service(self.id, &self.data)
    }
}

pub(crate) fn decode_structure(id: Uuid, data: &str) -> Result<Structure, StoreError> {
    let s: Structure = serde_json::from_str(data).map_err(|source| StoreError::Corrupt {
        entity: Entity::Structure,
        id,
        source,
    })?;
    debug_assert_eq!(s.id, StructureId(id));
    Ok(s)
}

pub(crate) fn decode_service(id: Uuid, data: &str) -> Result<Service, StoreError> {
    let s: Service = serde_json::from_str(data).map_err(|source| StoreError::Corrupt {
        entity: Entity::Service,
        id,
        source,
    })?;
    debug_assert_eq!(s.id, ServiceId(id));
    Ok(s)
}

/// Below this many rows, decoding on the calling task is cheaper than starting threads.
const PARALLEL_DECODE_MIN: usize = 4096;

/// Decodes `(id, data)` rows into services, sorted by `(source, source_id)` (bytewise, the same
/// on both backends whatever the database collation). Decoding JSON is most of the cost of
/// listing the whole directory (50,000 services at start-up), so large lists are decoded on
/// every core, off the async runtime.
pub(crate) async fn decode_services(rows: Vec<(Uuid, String)>) -> Result<Vec<Service>, StoreError> {
    let mut services = if rows.len() < PARALLEL_DECODE_MIN {
        decode_chunk(&rows)?
    } else {
        match tokio::task::spawn_blocking(move || decode_in_parallel(&rows)).await {
            Ok(decoded) => decoded?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => {
                return Err(StoreError::Database(sqlx::Error::Io(
                    std::io::Error::other(e),
                )));
            }
        }
    };
    services.sort_unstable_by(|a, b| (&a.source, &a.source_id).cmp(&(&b.source, &b.source_id)));
    Ok(services)
}

fn decode_chunk(rows: &[(Uuid, String)]) -> Result<Vec<Service>, StoreError> {
    rows.iter()
        .map(|(id, data)| decode_service(*id, data))
        .collect()
}

fn decode_in_parallel(rows: &[(Uuid, String)]) -> Result<Vec<Service>, StoreError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = rows.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks(chunk)
            .map(|part| scope.spawn(move || decode_chunk(part)))
            .collect();
        let mut services = Vec::with_capacity(rows.len());
        for worker in workers {
            let part = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            services.extend(part);
        }
        Ok(services)
    })
}

/// Structures sorted like [`decode_services`].
pub(crate) fn decode_structures(rows: Vec<(Uuid, String)>) -> Result<Vec<Structure>, StoreError> {
    let mut structures = rows
        .iter()
        .map(|(id, data)| decode_structure(*id, data))
        .collect::<Result<Vec<_>, _>>()?;
    structures.sort_unstable_by(|a, b| (&a.source, &a.source_id).cmp(&(&b.source, &b.source_id)));
    Ok(structures)
}
