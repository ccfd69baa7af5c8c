//! JSON views: what goes on the wire, separate from domain types so that the API can stay
//! stable while the domain evolves.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use serde::Serialize;

use relais_domain::hours::{Day, Status};
use relais_domain::referentials::{theme_label, theme_parent};
use relais_domain::{Closure, Service};
use relais_search::Hit;

/// RFC 3339 in Europe/Paris (`2026-11-26T12:00:00+01:00`): what a person means by "12:00".
pub fn paris_rfc3339(t: DateTime<Utc>) -> String {
    t.with_timezone(&Paris)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The first instant of the next civil day in Paris (a DST change never falls at midnight).
pub fn end_of_paris_day(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone;
    let next = t.with_timezone(&Paris).date_naive() + chrono::Duration::days(1);
    Paris
        .from_local_datetime(&next.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(t + chrono::Duration::days(1), |d| d.with_timezone(&Utc))
}

#[derive(Debug, Serialize)]
pub struct StructureRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct ThemeView {
    pub slug: String,
    pub label: Option<&'static str>,
    pub parent: String,
}

#[derive(Debug, Serialize)]
pub struct ClosureView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

impl From<&Closure> for ClosureView {
    fn from(c: &Closure) -> Self {
        Self {
            from: c.from,
            to: c.to,
            reason: c.reason.clone(),
        }
    }
}

fn themes<T: AsRef<str>>(slugs: &[T]) -> Vec<ThemeView> {
    slugs
        .iter()
        .map(|t| t.as_ref())
        .map(|t| ThemeView {
            slug: t.to_owned(),
            label: theme_label(t),
            parent: theme_parent(t).to_owned(),
        })
        .collect()
}

/// A search result.
#[derive(Debug, Serialize)]
pub struct ServiceSummary {
    pub id: String,
    pub name: String,
    pub structure: StructureRef,
    pub themes: Vec<ThemeView>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub insee_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Straight-line distance from the searched place, metres.
    pub distance_m: Option<u64>,
    /// `ceil(distance_m × 1.3 / 75)`: straight line + 30 % at 4.5 km/h.
    pub walk_minutes: Option<u32>,
    pub status: Status,
    pub next_change: Option<String>,
    pub opening_hours: Option<String>,
    pub closures: Vec<ClosureView>,
    pub languages: Vec<String>,
    pub free: bool,
    pub reception_modes: Vec<String>,
    pub wheelchair_accessible: Option<bool>,
}

impl ServiceSummary {
    /// The view of a search hit.
    pub fn from_hit(h: &Hit) -> Self {
        let s = &h.listing;
        Self {
            id: s.id.to_string(),
            name: s.name.to_string(),
            structure: StructureRef {
                id: s.structure_id.to_string(),
                name: h.structure_name.to_string(),
            },
            themes: themes(&s.themes),
            address: s.location.address.clone(),
            postcode: s.location.postcode.as_ref().map(ToString::to_string),
            commune: s.location.commune.clone(),
            insee_code: s.location.insee.as_ref().map(ToString::to_string),
            lat: s.location.point.map(|p| p.lat),
            lon: s.location.point.map(|p| p.lon),
            distance_m: h.distance_m.map(|d| d.round() as u64),
            walk_minutes: h.walk_minutes,
            status: h.status,
            next_change: h.next_change.map(paris_rfc3339),
            opening_hours: s.hours.as_text().map(str::to_owned),
            closures: s.closures.iter().map(ClosureView::from).collect(),
            languages: s.languages.clone(),
            free: s.free,
            reception_modes: s.reception_modes.iter().map(|m| (*m).to_owned()).collect(),
            wheelchair_accessible: s.wheelchair_accessible,
        }
    }
}

/// One day of a service's week, in local time.
#[derive(Debug, Serialize)]
pub struct DayView {
    pub date: NaiveDate,
    /// Name of the public holiday, if the day is one.
    pub holiday: Option<&'static str>,
    /// Reason of the closure covering the day, if any.
    pub closure: Option<String>,
    pub intervals: Vec<SpanView>,
}

#[derive(Debug, Serialize)]
pub struct SpanView {
    /// Local time `HH:MM`.
    pub start: String,
    /// Local time `HH:MM`; `24:00` for the end of the day.
    pub end: String,
    pub status: Status,
    pub comment: Option<String>,
}

impl From<Day> for DayView {
    fn from(d: Day) -> Self {
        Self {
            date: d.date,
            holiday: d.holiday,
            closure: d.closure,
            intervals: d
                .spans
                .into_iter()
                .map(|s| SpanView {
                    start: s.start.format("%H:%M").to_string(),
                    end: s
                        .end
                        .map_or_else(|| "24:00".to_owned(), |e| e.format("%H:%M").to_string()),
                    status: s.status,
                    comment: s.comment,
                })
                .collect(),
        }
    }
}

/// A service in full, with its week.
#[derive(Debug, Serialize)]
pub struct ServiceDetail {
    pub id: String,
    pub name: String,
    pub description: String,
    pub structure: StructureRef,
    pub source: String,
    pub themes: Vec<ThemeView>,
    pub publics: Vec<String>,
    pub publics_details: Option<String>,
    pub fee: Option<String>,
    pub fee_details: Option<String>,
    pub reception_modes: Vec<String>,
    pub mobilisation_modes: Vec<String>,
    pub access_conditions: Option<String>,
    pub address: Option<String>,
    pub address_complement: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub insee_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub languages: Vec<String>,
    pub wheelchair_accessible: Option<bool>,
    pub status: Status,
    pub next_change: Option<String>,
    pub opening_hours: Option<String>,
    /// The hours are free text that could not be read: shown as written, status `unknown`.
    pub opening_hours_is_text: bool,
    pub closures: Vec<ClosureView>,
    pub week: Vec<DayView>,
    pub updated_on: NaiveDate,
    pub verified_at: Option<String>,
    pub source_link: Option<String>,
}

impl ServiceDetail {
    /// The full view of a service.
    pub fn new(
        s: &Service,
        structure_name: &str,
        status: Status,
        next_change: Option<DateTime<Utc>>,
        week: Vec<DayView>,
    ) -> Self {
        Self {
            id: s.id.to_string(),
            name: s.name.to_string(),
            description: s.description.clone(),
            structure: StructureRef {
                id: s.structure_id.to_string(),
                name: structure_name.to_owned(),
            },
            source: s.source.clone(),
            themes: themes(&s.themes),
            publics: s.publics.clone(),
            publics_details: s.publics_details.clone(),
            fee: s.fee.clone(),
            fee_details: s.fee_details.clone(),
            reception_modes: s.reception_modes.clone(),
            mobilisation_modes: s.mobilisation_modes.clone(),
            access_conditions: s.access_conditions.clone(),
            address: s.location.address.clone(),
            address_complement: s.location.address_complement.clone(),
            postcode: s.location.postcode.as_ref().map(ToString::to_string),
            commune: s.location.commune.clone(),
            insee_code: s.location.insee.as_ref().map(ToString::to_string),
            lat: s.location.point.map(|p| p.lat),
            lon: s.location.point.map(|p| p.lon),
            phone: s.phone.clone(),
            email: s.email.clone(),
            languages: s.languages.clone(),
            wheelchair_accessible: s.wheelchair_accessible,
            status,
            next_change: next_change.map(paris_rfc3339),
            opening_hours: s.hours.as_text().map(str::to_owned),
            opening_hours_is_text: matches!(s.hours, relais_domain::ServiceHours::Text(_)),
            closures: s.closures.iter().map(ClosureView::from).collect(),
            week,
            updated_on: s.updated_on,
            verified_at: s.verified_at.map(paris_rfc3339),
            source_link: s.source_link.clone(),
        }
    }
}
