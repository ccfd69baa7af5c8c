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
