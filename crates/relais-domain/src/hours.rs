//! Opening hours (OSM `opening_hours`), evaluated in Europe/Paris. (Being written.)

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::HolidayZone;
use crate::directory::Closure;

/// Open, closed, or unknown (comment-only rule, `||` fallback, free-text hours, no hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
    Unknown,
}

/// A refused expression: the parser's message and where it stopped (0-based character offset).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("horaires invalides (caractère {position}) : {message}")]
pub struct HoursError {
    pub message: String,
    pub position: usize,
}

/// A valid OSM `opening_hours` expression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpeningHours {
    raw: String,
}

impl OpeningHours {
    /// Parses an expression.
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        Ok(Self { raw: s.trim().to_owned() })
    }
    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl TryFrom<String> for OpeningHours {
    type Error = HoursError;
    fn try_from(s: String) -> Result<Self, HoursError> {
        Self::parse(&s)
    }
}
impl From<OpeningHours> for String {
    fn from(o: OpeningHours) -> String {
        o.raw
    }
}

/// A span of time with one status, in UTC, half-open `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: Status,
}

/// One civil day in Europe/Paris, for people: its spans in local time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    pub holiday: Option<&'static str>,
    pub closure: Option<String>,
    pub spans: Vec<DaySpan>,
}

/// A span within a day, local time (`end` may be 24:00, written as `None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DaySpan {
    pub start: NaiveTime,
    pub end: Option<NaiveTime>,
    pub status: Status,
    pub comment: Option<String>,
}

/// Evaluates a service's hours with its closures and holiday zone.
#[derive(Clone, Debug)]
pub struct Timetable {
    _hours: Option<OpeningHours>,
    _zone: HolidayZone,
    _closures: Vec<Closure>,
}

impl Timetable {
    /// A timetable for hours (None → always unknown), a zone and closures.
    pub fn new(hours: Option<OpeningHours>, zone: HolidayZone, closures: Vec<Closure>) -> Self {
        Self { _hours: hours, _zone: zone, _closures: closures }
    }
    /// The status at an instant.
    pub fn status_at(&self, _at: DateTime<Utc>) -> Status {
        Status::Unknown
    }
    /// The next instant after `at` when the status changes, if any (within the evaluation horizon).
    pub fn next_change(&self, _at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }
    /// Contiguous spans covering `[from, to)`, adjacent spans of equal status merged.
    pub fn intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        vec![Interval { start: from, end: to, status: Status::Unknown }]
    }
    /// One civil day, for people.
    pub fn day(&self, date: NaiveDate) -> Day {
        Day { date, holiday: None, closure: None, spans: Vec::new() }
    }
}
