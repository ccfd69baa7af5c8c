//! The backend-independent part of an import: checks done before the first write, and the
//! created / updated / unchanged decision.

use std::collections::HashSet;

use relais_domain::directory::{Service, Structure};
use serde::de::DeserializeOwned;

use crate::{Counts, Entity, StoreError};

/// What an import does to one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl Outcome {
    /// Compares with the stored JSON. Equality is on the domain value, not on bytes (PostgreSQL's
    /// JSONB reorders keys; a record written by an older version may lack a defaulted field), and
    /// a stored record that no longer reads is replaced.
    pub fn of<T: PartialEq + DeserializeOwned>(stored_json: Option<&str>, new: &T) -> Self {
        match stored_json {
            None => Self::Created,
            Some(json) => match serde_json::from_str::<T>(json) {
                Ok(old) if old == *new => Self::Unchanged,
                _ => Self::Updated,
            },
        }
    }

    pub fn count(self, counts: &mut Counts) {
        match self {
            Self::Created => counts.created += 1,
            Self::Updated => counts.updated += 1,
            Self::Unchanged => counts.unchanged += 1,
        }
    }

    pub fn writes(self) -> bool {
        self != Self::Unchanged
    }
}

/// Refuses an import that names the same record twice: which one should win is not ours to guess.
pub(crate) fn check_no_duplicates(
    structures: &[Structure],
    services: &[Service],
) -> Result<(), StoreError> {
    let mut seen = HashSet::with_capacity(structures.len());
    for s in structures {
        if !seen.insert(s.id) {
            return Err(StoreError::DuplicateInImport {
                entity: Entity::Structure,
                id: s.id.0,
            });
        }
    }
    let mut seen = HashSet::with_capacity(services.len());
    for s in services {
        if !seen.insert(s.id) {
            return Err(StoreError::DuplicateInImport {
                entity: Entity::Service,
                id: s.id.0,
            });
        }
    }
    Ok(())
}
