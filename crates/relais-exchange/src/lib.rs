//! data·inclusion exchange: import of structures and services (v1, v0, API search responses),
//! export as v1, and the fictitious demo dataset. Pure: bytes in, values out; the caller does
//! the I/O and writes only when [`parse_document`] returns `Ok` (imports are all-or-nothing).
//!
//! # Shapes accepted on import
//! - a JSON array of structures, of services, or of both (a record with `structure_id` is a
//!   service);
//! - an object `{"structures": […], "services": […]}`;
//! - a data·inclusion API search response `{"items": [{"service": {…, "structure": {…}},
//!   "distance": …}], "total": …}`; embedded structures are deduplicated by id.
//!
//! Each record is read as v0 or v1 by its own fields (v0 has `profils`, `presentation_resume`,
//! `zone_diffusion_type`, a list in `frais`…). v0 values are mapped onto v1 with the explicit
//! tables of [`mapping`]; v0 values with no v1 equivalent are dropped with a [`Note`].
//!
//! # What is an error, what is a note
//! Errors ([`ImportError`], all collected, none written): invalid JSON (with line and column),
//! a missing required field (`source`, `id`, `nom`, `date_maj`; for services also
//! `structure_id`, and `description` in v1 — a v0 service falls back to its summary, then its
//! name), a wrong type (a number for `nom`), a bad date or a `date_maj` outside 1990-01-01 ..
//! today + 2 years, a name with a control character, an email that is not an addr-spec, a link
//! that is not http(s), a bad INSEE code or postcode, coordinates out of range, an unknown v1
//! referential value, a bad `relais` extension, a duplicate id.
//!
//! Notes ([`Note`], the import goes on): v0 values dropped after mapping, services skipped because
//! their `date_suspension` is past, hours that are free text (kept as
//! [`ServiceHours::Text`](relais_domain::ServiceHours), never guessed), missing coordinates, and
//! coordinates outside the metropolis (dropped; [`parse_own_document`], for a partner's own
//! writes, refuses them instead).
//!
//! A service's `structure_id` is derived from `(service.source, service.structure_id)` and may
//! name a structure that is **not** in the document (its structures in another file, or already
//! known): such references are listed in [`Parsed::external_structures`] and the caller checks
//! each, in its other files or its store, before writing.
//!
//! # The `relais` extension
//! Fields Relais keeps that data·inclusion v1 does not have travel in an extension object on each
//! service, read on import and written on export:
//! ```json
//! "relais": {
//!   "langues": ["fr", "ar"],
//!   "fermetures": [{"du": "2026-12-24", "au": "2027-01-02", "motif": "Fermeture de fin d'année"}],
//!   "accessible_fauteuil": true,
//!   "verifie_le": "2026-03-01T09:30:00Z"
//! }
//! ```
//! `langues` are BCP 47 primary tags (2–3 lower-case letters), `fermetures` are civil dates
//! (inclusive), `verifie_le` is RFC 3339. The object is omitted when all four are empty.

mod demo;
mod export;
mod import;
pub mod mapping;

use std::fmt;

pub use demo::{
    DEMO_PREFIX, DEMO_SOURCE, demo_dataset, demo_dataset_on, demo_dataset_with_progress,
};
pub use export::{export_services, export_structures};
pub use import::{parse_document, parse_document_on, parse_own_document};
use relais_domain::{Service, Structure};

/// One thing wrong in an imported document, located precisely enough to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{item}: {field}: {message}")]
pub struct ImportError {
    /// The file name as the user gave it.
    pub file: String,
    /// Where in the document: `services[12]`, `items[3].service`, `items[3].service.structure`.
    pub item: String,
    /// The data·inclusion field name (`date_maj`, `relais.fermetures[0].au`…).
    pub field: String,
    /// What is wrong and what is expected, in French.
    pub message: String,
}

/// Something the import did without failing: a value dropped, a record skipped, text kept as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Where in the document (same form as [`ImportError::item`]).
    pub item: String,
    /// What was done and why, in French.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.message)
    }
}

/// A document that passed validation: the values to write, and what was noticed on the way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// Structures, in document order, deduplicated by id.
    pub structures: Vec<Structure>,
    /// Services, in document order (suspended ones left out).
    pub services: Vec<Service>,
    pub notes: Vec<Note>,
    /// Services whose structure is not in the document: the caller must find it in its store
    /// or refuse the import, naming the item and the structure as the producer wrote them.
    pub external_structures: Vec<ExternalStructure>,
}

/// A service's reference to a structure that the document does not contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalStructure {
    /// Where the service is in the document (`services[3]`).
    pub item: String,
    /// The structure's derived id.
    pub structure: relais_domain::StructureId,
    /// The structure's `source` and `id` as the producer wrote them.
    pub source: String,
    pub source_id: String,
}
