//! The pure domain of Relais: the directory of services (structures, places, services), the
//! data·inclusion referentials, the geography of the Métropole du Grand Paris, opening hours and
//! the French legal calendar. Nothing here does I/O; every value that crosses into this crate is
//! parsed into a type that can only hold valid data.

pub mod access;
pub mod accounts;
pub mod calendar;
pub mod directory;
pub mod geo;
pub mod hours;
pub mod ids;
pub mod journal;
pub mod referentials;
pub mod text;

pub use calendar::{Holiday, HolidayZone};
pub use directory::{Closure, Location, Service, ServiceHours, Structure};
pub use geo::{Commune, GeoPoint, InseeCode, Postcode};
pub use hours::{OpeningHours, Status};
pub use ids::{ServiceId, StructureId};
