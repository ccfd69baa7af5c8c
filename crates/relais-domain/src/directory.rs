//! The directory: structures (partners, in data·inclusion words), the place where a service is
//! given, and services with their hours and closures.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::HolidayZone;
use crate::geo::{GeoPoint, InseeCode, Postcode};
use crate::hours::{OpeningHours, Timetable};
use crate::ids::{ServiceId, StructureId};
use crate::text::Name;

/// Where a service is given (lieu d'accueil): an address, its commune and coordinates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub address: Option<String>,
    pub address_complement: Option<String>,
    pub postcode: Option<Postcode>,
    /// Commune name as the producer wrote it.
    pub commune: Option<String>,
    pub insee: Option<InseeCode>,
    pub point: Option<GeoPoint>,
}

/// A structure (partenaire): the organisation that offers services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    pub id: StructureId,
    /// data·inclusion producer (`dora`, `relais-demo`, a partner's own name…).
    pub source: String,
    /// The producer's own id.
    pub source_id: String,
    pub name: Name,
    pub siret: Option<String>,
    pub description: Option<String>,
    pub location: Location,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub source_link: Option<String>,
    /// Link to the place's accessibility sheet (acceslibre), as data·inclusion carries it.
    pub accessibility_link: Option<String>,
    /// Opening hours of the structure as given (OSM syntax or free text).
    pub hours_text: Option<String>,
    /// data·inclusion `reseaux_porteurs` slugs.
    pub networks: Vec<String>,
    /// `date_maj`: last change at the producer.
    pub updated_on: NaiveDate,
}

/// How the hours of a service are known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ServiceHours {
    /// Nothing said: status `unknown`.
    None,
    /// A valid OpenStreetMap `opening_hours` expression.
    Osm(OpeningHours),
    /// Free text that is not a valid expression: kept as written, status `unknown`, never guessed.
    Text(String),
}

impl ServiceHours {
    /// Classifies what a producer sent: a valid expression a directory may keep (see
    /// [`OpeningHours::parse_for_directory`]: not too long, not too costly to evaluate), or text
    /// kept as is (status `unknown`).
    pub fn from_source(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            None | Some("") => Self::None,
            Some(s) => match OpeningHours::parse_for_directory(s) {
                Ok(oh) => Self::Osm(oh),
                Err(_) => Self::Text(s.to_owned()),
            },
        }
    }

    /// The text to export (`horaires_accueil`).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Osm(oh) => Some(oh.as_str()),
            Self::Text(t) => Some(t),
        }
    }

    /// The expression, if the hours are machine-readable.
    pub fn expression(&self) -> Option<&OpeningHours> {
        match self {
            Self::Osm(oh) => Some(oh),
            _ => None,
        }
    }
}

/// Why a `date_maj` (last change at the producer) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateDateError {
    #[error("date {0} trop ancienne : le {EARLIEST_UPDATE} au plus tôt")]
    TooEarly(NaiveDate),
    #[error("date {date} trop lointaine : le {latest} au plus tard (aujourd'hui + 2 ans)")]
    TooLate { date: NaiveDate, latest: NaiveDate },
}

/// The earliest `date_maj` accepted: no directory of social services kept dates before 1990,
/// so an earlier one is a typo (or `0001-01-01`, a default value).
pub const EARLIEST_UPDATE: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// Checks a `date_maj` against `today`: from [`EARLIEST_UPDATE`] to `today` + 2 years (a date
/// slightly ahead — a producer's clock, an announced change — is kept; `+99999-01-01` is not).
pub fn check_update_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, UpdateDateError> {
    let latest = today
        .checked_add_months(chrono::Months::new(24))
        .unwrap_or(NaiveDate::MAX);
    if date < EARLIEST_UPDATE {
        Err(UpdateDateError::TooEarly(date))
    } else if date > latest {
        Err(UpdateDateError::TooLate { date, latest })
    } else {
        Ok(date)
    }
}

/// A dated closure layered on top of the hours: closed every day from `from` to `to` inclusive
/// (civil dates, Europe/Paris), with a reason shown to people (« Fermeture de fin d'année »).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// Why a closure was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClosureError {
    #[error("la fin ({to}) précède le début ({from})")]
    EndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("le motif ne doit pas être vide")]
    EmptyReason,
    #[error("une fermeture dure au plus 366 jours")]
    TooLong,
}

impl Closure {
    /// Checks a closure: ordered dates, a reason, at most a year.
    pub fn new(from: NaiveDate, to: NaiveDate, reason: &str) -> Result<Self, ClosureError> {
        if to < from {
            return Err(ClosureError::EndsBeforeStart { from, to });
        }
        if (to - from).num_days() > 366 {
            return Err(ClosureError::TooLong);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ClosureError::EmptyReason);
        }
        Ok(Self {
            from,
            to,
            reason: reason.to_owned(),
        })
    }

    /// Whether the closure covers `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// A service (service, permanence) offered by a structure at a place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub structure_id: StructureId,
    pub source: String,
    pub source_id: String,
    pub name: Name,
    pub description: String,
    /// data·inclusion `type`.
    pub kind: Option<String>,
    /// v1 theme slugs.
    pub themes: Vec<String>,
    /// v1 `publics` slugs.
    pub publics: Vec<String>,
    pub publics_details: Option<String>,
    /// v1 `frais`: `gratuit` or `payant`.
    pub fee: Option<String>,
    pub fee_details: Option<String>,
    /// v1 `modes_accueil`.
    pub reception_modes: Vec<String>,
    /// v1 `modes_mobilisation`.
    pub mobilisation_modes: Vec<String>,
    /// v1 `mobilisable_par`.
    pub mobilisable_by: Vec<String>,
    pub mobilisation_details: Option<String>,
    pub mobilisation_link: Option<String>,
    pub access_conditions: Option<String>,
    pub location: Location,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub hours: ServiceHours,
    pub closures: Vec<Closure>,
    /// Languages spoken at the service (BCP 47 primary tags: `fr`, `en`, `ar`…). Relais field.
    pub languages: Vec<String>,
    /// Wheelchair-accessible, when known. Relais field.
    pub wheelchair_accessible: Option<bool>,
    /// data·inclusion `zone_eligibilite`: INSEE codes, département codes, EPCI SIREN, `france`.
    pub eligibility_zone: Vec<String>,
    pub source_link: Option<String>,
    /// `date_maj`: last change at the producer.
    pub updated_on: NaiveDate,
    /// When a partner last confirmed the information (Relais field).
    pub verified_at: Option<DateTime<Utc>>,
}

impl Service {
    /// The public holidays that apply where the service is (Alsace-Moselle by its INSEE code;
    /// elsewhere, and when the commune is unknown, the national days).
    pub fn holiday_zone(&self) -> HolidayZone {
        self.location
            .insee
            .as_ref()
            .map_or(HolidayZone::Metropole, HolidayZone::for_insee)
    }

    /// The service's hours with its closures and holiday zone, ready to evaluate. Free-text or
    /// missing hours evaluate to `unknown` (closed on closure days).
    pub fn timetable(&self) -> Timetable {
        Timetable::new(
            self.hours.expression().cloned(),
            self.holiday_zone(),
            self.closures.clone(),
        )
    }

    /// Free of charge, as far as the data says.
    pub fn is_free(&self) -> bool {
        self.fee.as_deref() == Some("gratuit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn update_dates_lie_between_1990_and_two_years_ahead() {
        let today = d(2026, 12, 7);
        assert_eq!(check_update_date(d(1990, 1, 1), today), Ok(d(1990, 1, 1)));
        assert_eq!(check_update_date(d(2028, 12, 7), today), Ok(d(2028, 12, 7)));
        assert_eq!(
            check_update_date(d(1989, 12, 31), today),
            Err(UpdateDateError::TooEarly(d(1989, 12, 31)))
        );
        assert!(check_update_date(d(2028, 12, 8), today).is_err());
        let far = NaiveDate::parse_from_str("+99999-01-01", "%Y-%m-%d").expect("chrono reads it");
        assert!(check_update_date(far, today).is_err());
    }

    #[test]
    fn closures_are_checked() {
        let c =
            Closure::new(d(2026, 12, 24), d(2027, 1, 2), " Fermeture de fin d'année ").expect("ok");
        assert_eq!(c.reason, "Fermeture de fin d'année");
        assert!(c.covers(d(2026, 12, 31)) && c.covers(d(2027, 1, 2)) && !c.covers(d(2027, 1, 3)));
        assert!(Closure::new(d(2027, 1, 2), d(2026, 12, 24), "x").is_err());
        assert_eq!(
            Closure::new(d(2026, 1, 1), d(2026, 1, 1), " "),
            Err(ClosureError::EmptyReason)
        );
    }
}
