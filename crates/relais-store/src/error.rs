//! Errors of the store. Messages name records by id and constraints by column, never by content:
//! no personal data, no URL password.

use std::fmt;

use relais_domain::ids::{ServiceId, StructureId};
use uuid::Uuid;

/// Which kind of record an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Structure,
    Service,
    Partner,
    User,
    Membership,
    Link,
    Session,
    ApiToken,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Structure => "structure",
            Self::Service => "service",
            Self::Partner => "partner",
            Self::User => "user",
            Self::Membership => "membership",
            Self::Link => "link",
            Self::Session => "session",
            Self::ApiToken => "API token",
        })
    }
}

/// The accepted URL forms, as shown to operators.
pub const ACCEPTED_SCHEMES: &str = "use sqlite:PATH, sqlite://PATH or postgres://…";

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend Relais has. Nothing was created.
    #[error("{}", unsupported_scheme(scheme))]
    UnsupportedScheme { scheme: String },
    /// The URL has a known scheme but cannot be used (the reason never repeats the URL).
    #[error("invalid database URL: {reason}")]
    InvalidUrl { reason: String },
    /// The directory of a SQLite file could not be created.
    #[error("cannot create the directory of the SQLite database {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    /// A service of an import points to a structure that is neither in the import nor stored.
    #[error(
        "service {service} refers to structure {structure}, which is neither in the import nor in the directory"
    )]
    UnknownStructure {
        service: ServiceId,
        structure: StructureId,
    },
    /// The same id appears twice in one import.
    #[error("{entity} {id} appears more than once in the import")]
    DuplicateInImport { entity: Entity, id: Uuid },
    /// A uniqueness rule of the database (other than the id) refused the record.
    #[error("{entity} {id} conflicts with another {entity} on ({columns})")]
    Conflict {
        entity: Entity,
        id: Uuid,
        columns: &'static str,
    },
    /// Another constraint (a check, a NOT NULL) refused the record.
    #[error("{entity} {id} was refused by the database: {constraint}")]
    Constraint {
        entity: Entity,
        id: Uuid,
        constraint: String,
    },
    /// A record could not be turned into JSON (for instance a non-finite coordinate).
    #[error("{entity} {id} cannot be stored: {source}")]
    Encode {
        entity: Entity,
        id: Uuid,
        source: serde_json::Error,
    },
    /// A stored record no longer reads as a domain value.
    #[error("stored {entity} {id} cannot be read: {source}")]
    Corrupt {
        entity: Entity,
        id: Uuid,
        source: serde_json::Error,
    },
    /// A stored account record has a column that no longer reads as a domain value (a code
    /// or an address edited by hand). Names the column, never its content.
    #[error("stored {entity} {id} cannot be read: invalid {column}")]
    Invalid {
        entity: Entity,
        id: Uuid,
        column: &'static str,
    },
    /// A command names a record that does not exist (and has no refusal of its own for it).
    #[error("{entity} {id} does not exist")]
    NotFound { entity: Entity, id: Uuid },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn unsupported_scheme(scheme: &str) -> String {
    if scheme.is_empty() {
        format!("database URL has no scheme: {ACCEPTED_SCHEMES}")
    } else {
        format!("unsupported database URL scheme {scheme:?}: {ACCEPTED_SCHEMES}")
    }
}

impl StoreError {
    /// Maps a failed write of `entity` `id` to a typed error when a constraint refused it.
    pub(crate) fn on_write(err: sqlx::Error, entity: Entity, id: Uuid) -> Self {
        Self::on_write_of(err, entity, id, "source, source_id")
    }

    /// [`StoreError::on_write`] for a record whose unique columns (other than the id) are
    /// `columns`: a uniqueness race (two writers, one name) becomes a [`StoreError::Conflict`].
    pub(crate) fn on_write_of(
        err: sqlx::Error,
        entity: Entity,
        id: Uuid,
        columns: &'static str,
    ) -> Self {
        if let sqlx::Error::Database(db) = &err {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return Self::Conflict {
                        entity,
                        id,
                        columns,
                    };
                }
                sqlx::error::ErrorKind::CheckViolation
                | sqlx::error::ErrorKind::NotNullViolation => {
                    let constraint = db.constraint().unwrap_or("check").to_owned();
                    return Self::Constraint {
                        entity,
                        id,
                        constraint,
                    };
                }
                _ => {}
            }
        }
        Self::Database(err)
    }
}
