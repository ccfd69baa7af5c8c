//! Opening hours (OSM `opening_hours`), evaluated in Europe/Paris.
//!
//! The grammar and the per-day evaluation come from the `opening-hours` crate. Relais follows the
//! reference implementation, opening_hours.js, where the two disagree, and says so in a test:
//!
//! - a rule that carries a comment but no explicit state (`We 14:00-17:00 "sur rendez-vous"`)
//!   is `unknown`, not `open` (opening_hours.js README, « Comments »: "unknown can be omitted
//!   (just a comment (without state) will also result in unknown)");
//! - a rule after `||` (fallback) speaks for every minute the rules before it leave closed, and
//!   for none they open or leave unknown (opening_hours.js test "Additional blocks with comment":
//!   `Fr 08:00-12:00 || Fr 12:00-16:00 open "…"` means `Fr 08:00-12:00, Fr 12:00-16:00 open "…"`).
//!   The crate instead drops a fallback on every day an earlier rule matched.
//!
//! Time model: the expression describes local civil days. Each local day runs from its local
//! midnight to the next (Paris never changes clocks at midnight), and a local time of day is
//! placed on the time line by Europe/Paris rules: a time that does not exist (the skipped hour of
//! the last Sunday of March) moves to the end of the gap; a time that happens twice (the repeated
//! hour of the last Sunday of October) is its first occurrence. `status_at`, `next_change`,
//! `intervals` and `day` all read that one model, so they always agree.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock};

use chrono::{
    DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Europe::Paris;
use compact_calendar::CompactCalendar;
use opening_hours::{Context, ContextHolidays, RuleKind};
use opening_hours_syntax::rules::{OpeningHoursExpression, RuleOperator};
use serde::{Deserialize, Serialize};

use crate::calendar::{HolidayZone, holiday_name, public_holidays};
use crate::directory::Closure;

/// The crate's evaluator (naive local time; Relais places it in Europe/Paris itself).
type Engine = opening_hours::OpeningHours;

/// Years for which `PH` knows the French public holidays. Outside, `PH` never matches.
const PH_YEARS: std::ops::RangeInclusive<i32> = 1950..=2200;

/// How far `next_change` looks ahead: 366 local days after the day of the instant asked about.
pub const NEXT_CHANGE_HORIZON_DAYS: u64 = 366;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// Open, closed, or unknown (comment-only rule, `||` fallback, free-text hours, no hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
    Unknown,
}

impl From<RuleKind> for Status {
    fn from(kind: RuleKind) -> Self {
        match kind {
            RuleKind::Open => Self::Open,
            RuleKind::Closed => Self::Closed,
            RuleKind::Unknown => Self::Unknown,
        }
    }
}

/// A refused expression: the parser's message and where it stopped (0-based character offset).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("horaires invalides (caractère {position}) : {message}")]
pub struct HoursError {
    pub message: String,
    pub position: usize,
}

/// A valid OSM `opening_hours` expression, parsed once: compared and serialized by its text.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpeningHours {
    raw: Arc<str>,
    compiled: Arc<Compiled>,
}

/// Expressions already compiled, shared by every service that uses the same text: a directory
/// repeats a few hundred expressions over tens of thousands of services, and a compiled rule set
/// is far larger than its text. Parsing is pure, so sharing the result changes nothing but time
/// and memory. Bounded: past [`COMPILED_CACHE_MAX`] distinct expressions, new ones are compiled
/// without being kept.
static COMPILED_CACHE: std::sync::OnceLock<
    std::sync::Mutex<std::collections::HashMap<Arc<str>, Arc<Compiled>>>,
> = std::sync::OnceLock::new();

/// Most distinct expressions kept in the shared cache.
pub const COMPILED_CACHE_MAX: usize = 100_000;

/// The expression cut at its `||` separators, each part ready for the crate's evaluator, with
/// state-less comment rules already turned `unknown`.
struct Compiled {
    segments: Vec<Engine>,
}

impl fmt::Debug for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OpeningHours").field(&self.raw).finish()
    }
}

impl PartialEq for OpeningHours {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl Eq for OpeningHours {}

impl OpeningHours {
    /// Parses an expression (surrounding blanks ignored). On error, `position` counts characters
    /// of `s` as given; it is 0 when the parser names no place (e.g. a number out of range).
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        let leading = s.chars().take_while(|c| c.is_whitespace()).count();
        let raw = s.trim();
        let cache = COMPILED_CACHE.get_or_init(Default::default);
        if let Some((raw, compiled)) = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_key_value(raw)
        {
            return Ok(Self {
                raw: Arc::clone(raw),
                compiled: Arc::clone(compiled),
            });
        }
        let engine: Engine = raw.parse().map_err(|e| hours_error(raw, leading, &e))?;
        let compiled = Arc::new(compile(raw, engine));
        let raw: Arc<str> = Arc::from(raw);
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() < COMPILED_CACHE_MAX {
            map.insert(Arc::clone(&raw), Arc::clone(&compiled));
        }
        Ok(Self { raw, compiled })
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
        o.raw.to_string()
    }
}

fn hours_error(raw: &str, leading: usize, err: &opening_hours_syntax::Error) -> HoursError {
    match err {
        opening_hours_syntax::Error::Syntax(pest_err) => {
            // pest reports a byte offset (`InputLocation::Pos(n)` or `Span((n, _))`); the type
            // is not re-exported, so read the first number of its debug form.
            let debug = format!("{:?}", pest_err.location);
            let byte: usize = debug
                .split(|c: char| !c.is_ascii_digit())
                .find(|part| !part.is_empty())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
                .min(raw.len());
            let chars = raw.char_indices().take_while(|(i, _)| *i < byte).count();
            HoursError {
                message: pest_err.variant.message().into_owned(),
                position: leading + chars,
            }
        }
        other => HoursError {
            message: other.to_string(),
            position: 0,
        },
    }
}

/// The comments written as a rule modifier, in order, each with whether a state keyword
/// (`open`, `closed`, `off`, `unknown`) comes right before it. Comments followed by `:` belong
/// to a date selector and are skipped.
fn modifier_comments(raw: &str) -> Vec<(&str, bool)> {
    let mut found = Vec::new();
    let mut rest = raw;
    let mut offset = 0;
    while let Some(open) = rest.find('"') {
        let start = offset + open;
        let Some(len) = raw[start + 1..].find('"') else {
            break;
        };
        let end = start + 1 + len;
        let text = &raw[start + 1..end];
        let before = raw[..start].trim_end();
        let word_start = before
            .rfind(|c: char| !c.is_alphabetic())
            .map(|i| i + before[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        let word = before[word_start..].to_lowercase();
        let explicit = matches!(word.as_str(), "open" | "closed" | "off" | "unknown");
        let selector = raw[end + 1..].trim_start().starts_with(':');
        if !selector {
            found.push((text, explicit));
        }
        offset = end + 1;
        rest = &raw[offset..];
    }
    found
}

fn compile(raw: &str, engine: Engine) -> Compiled {
    let expr = engine.get_expression();
    let mut rules = expr.rules.clone();
    let mut written = modifier_comments(raw).into_iter().peekable();
    let mut changed = false;
    for rule in &mut rules {
        if rule.comment.is_empty() {
            continue;
        }
        let explicit = match written.peek() {
            Some((text, explicit)) if *text == &*rule.comment => {
                let explicit = *explicit;
                written.next();
                explicit
            }
            _ => false,
        };
        // opening_hours.js: a comment without a state means unknown.
        if rule.kind == RuleKind::Open && !explicit {
            rule.kind = RuleKind::Unknown;
            changed = true;
        }
    }
    let has_fallback = rules
        .iter()
        .skip(1)
        .any(|r| r.operator == RuleOperator::Fallback);
    if !changed && !has_fallback {
        return Compiled {
            segments: vec![engine],
        };
    }
    let mut parts: Vec<Vec<_>> = vec![Vec::new()];
    for mut rule in rules {
        if rule.operator == RuleOperator::Fallback {
            rule.operator = RuleOperator::Normal;
            if parts.last().is_some_and(|p| !p.is_empty()) {
                parts.push(Vec::new());
            }
        }
        if let Some(part) = parts.last_mut() {
            part.push(rule);
        }
    }
    let segments: Option<Vec<Engine>> = parts
        .into_iter()
        .map(|rules| OpeningHoursExpression { rules }.to_string().parse().ok())
        .collect();
    // The crate prints what it parses; should a rewrite ever not parse back, keep its own reading.
    Compiled {
        segments: segments.unwrap_or_else(|| vec![engine]),
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

/// A piece of a local day, in minutes from local midnight, `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Span {
    start: u16,
    end: u16,
    status: Status,
    comment: Arc<str>,
}

fn push_span(spans: &mut Vec<Span>, span: Span) {
    if span.start >= span.end {
        return;
    }
    if let Some(last) = spans.last_mut()
        && last.end == span.start
        && last.status == span.status
        && last.comment == span.comment
    {
        last.end = span.end;
        return;
    }
    spans.push(span);
}

/// The crate's schedule of one local day, as spans covering the whole day.
fn engine_spans(engine: &Engine, date: NaiveDate) -> Vec<Span> {
    let mut spans = Vec::with_capacity(4);
    for range in engine.schedule_at(date) {
        let start = range.range.start.mins_from_midnight().min(MINUTES_PER_DAY);
        let end = range.range.end.mins_from_midnight().min(MINUTES_PER_DAY);
        push_span(
            &mut spans,
            Span {
                start,
                end,
                status: range.kind.into(),
                comment: range.comment,
            },
        );
    }
    if spans.last().is_none_or(|s| s.end < MINUTES_PER_DAY) {
        let start = spans.last().map_or(0, |s| s.end);
        push_span(
            &mut spans,
            Span {
                start,
                end: MINUTES_PER_DAY,
                status: Status::Closed,
                comment: "".into(),
            },
        );
    }
    spans
}

/// `base` where it is open or unknown, `fallback` where `base` is closed (the `||` rule).
fn overlay_closed(base: Vec<Span>, fallback: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(base.len() + fallback.len());
    for span in base {
        if span.status != Status::Closed {
            push_span(&mut out, span);
            continue;
        }
        for fb in fallback {
            let start = fb.start.max(span.start);
            let end = fb.end.min(span.end);
            if start < end {
                push_span(
                    &mut out,
                    Span {
                        start,
                        end,
                        ..fb.clone()
                    },
                );
            }
        }
    }
    out
}

/// Europe/Paris local time → instant: a skipped local time moves to the end of the gap, a
/// repeated one is its first occurrence. Never panics.
fn local_to_utc(naive: NaiveDateTime) -> DateTime<Utc> {
    match Paris.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            let mut probe = naive;
            for _ in 0..(4 * 60) {
                let Some(next) = probe.checked_add_signed(TimeDelta::minutes(1)) else {
                    break;
                };
                probe = next;
                if let Some(t) = Paris.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&naive)
        }
    }
}

fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN))
}

fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Paris).date_naive()
}

fn minutes_to_time(minutes: u16) -> Option<NaiveTime> {
    (minutes < MINUTES_PER_DAY)
        .then(|| NaiveTime::from_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0))
        .flatten()
}

/// The public-holiday calendar of a zone, built once.
fn holidays(zone: HolidayZone) -> &'static ContextHolidays {
    static METROPOLE: OnceLock<ContextHolidays> = OnceLock::new();
    static ALSACE_MOSELLE: OnceLock<ContextHolidays> = OnceLock::new();
    let cell = match zone {
        HolidayZone::Metropole => &METROPOLE,
        HolidayZone::AlsaceMoselle => &ALSACE_MOSELLE,
    };
    cell.get_or_init(|| {
        let mut public = CompactCalendar::default();
        for year in PH_YEARS {
            for holiday in public_holidays(year, zone) {
                public.insert(holiday.date);
            }
        }
        ContextHolidays::new(Arc::new(public), Arc::new(CompactCalendar::default()))
    })
}

/// Evaluates a service's hours with its closures and holiday zone.
///
/// Closures apply even without hours: a closed day is known to be closed.
#[derive(Clone)]
pub struct Timetable {
    hours: Option<OpeningHours>,
    zone: HolidayZone,
    closures: Vec<Closure>,
    engines: Arc<[Engine]>,
}

impl fmt::Debug for Timetable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timetable")
            .field("hours", &self.hours)
            .field("zone", &self.zone)
            .field("closures", &self.closures)
            .finish()
    }
}

impl Timetable {
    /// A timetable for hours (None → always unknown), a zone (for `PH`) and closures (each
    /// local day from `from` to `to` inclusive is closed all day).
    pub fn new(hours: Option<OpeningHours>, zone: HolidayZone, closures: Vec<Closure>) -> Self {
        let ctx = Context::default().with_holidays(holidays(zone).clone());
        let engines: Arc<[Engine]> = match &hours {
            Some(h) => h
                .compiled
                .segments
                .iter()
                .map(|e| e.clone().with_context(ctx.clone()))
                .collect(),
            None => Arc::new([]),
        };
        Self {
            hours,
            zone,
            closures,
            engines,
        }
    }

    fn closure_on(&self, date: NaiveDate) -> Option<&Closure> {
        self.closures.iter().find(|c| c.covers(date))
    }

    /// The local day as spans of minutes covering `[00:00, 24:00)`, closures applied.
    fn local_spans(&self, date: NaiveDate) -> Vec<Span> {
        let whole = |status| {
            vec![Span {
                start: 0,
                end: MINUTES_PER_DAY,
                status,
                comment: "".into(),
            }]
        };
        if self.closure_on(date).is_some() {
            return whole(Status::Closed);
        }
        let Some((first, rest)) = self.engines.split_first() else {
            return whole(Status::Unknown);
        };
        let mut spans = engine_spans(first, date);
        for fallback in rest {
            if spans.iter().any(|s| s.status == Status::Closed) {
                spans = overlay_closed(spans, &engine_spans(fallback, date));
            }
        }
        spans
    }

    /// Calls `f` with the spans of each local day from `date` on, in time order, as instants,
    /// until `f` breaks or `days` days have been visited.
    fn walk(
        &self,
        date: NaiveDate,
        days: u64,
        mut f: impl FnMut(DateTime<Utc>, DateTime<Utc>, &Span) -> ControlFlow<()>,
    ) {
        let mut date = date;
        let mut midnight = local_midnight(date);
        for _ in 0..days {
            let Some(next_date) = date.checked_add_days(Days::new(1)) else {
                return;
            };
            let next_midnight = local_midnight(next_date);
            let regular = next_midnight - midnight == TimeDelta::days(1);
            let place = |minutes: u16| {
                if minutes >= MINUTES_PER_DAY {
                    next_midnight
                } else if regular {
                    midnight + TimeDelta::minutes(i64::from(minutes))
                } else {
                    let naive = date.and_time(minutes_to_time(minutes).unwrap_or(NaiveTime::MIN));
                    local_to_utc(naive).clamp(midnight, next_midnight)
                }
            };
            let mut last_end = midnight;
            for span in self.local_spans(date) {
                let start = place(span.start).max(last_end);
                let end = place(span.end).max(start);
                last_end = end;
                if start < end && f(start, end, &span).is_break() {
                    return;
                }
            }
            date = next_date;
            midnight = next_midnight;
        }
    }

    /// The status at an instant.
    pub fn status_at(&self, at: DateTime<Utc>) -> Status {
        let mut status = Status::Unknown;
        self.walk(local_date(at), 1, |start, end, span| {
            if start <= at && at < end {
                status = span.status;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        status
    }

    /// The next instant strictly after `at` when the status changes, if any within
    /// [`NEXT_CHANGE_HORIZON_DAYS`] local days.
    pub fn next_change(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.status_and_next_change(at).1
    }

    /// The status at `at` and the next instant it changes (see [`Timetable::next_change`]), in
    /// one pass.
    pub fn status_and_next_change(&self, at: DateTime<Utc>) -> (Status, Option<DateTime<Utc>>) {
        let today = local_date(at);
        // Shortcut for constant hours (`24/7`, `off`, a bare comment): the crate skips unchanging
        // days itself, where the walk below would evaluate a year of days one by one.
        if let [engine] = &*self.engines
            && !self.closures.iter().any(|c| c.to >= today)
        {
            let horizon = today.checked_add_days(Days::new(NEXT_CHANGE_HORIZON_DAYS + 1));
            let next = engine.next_change(at.with_timezone(&Paris).naive_local());
            if next.is_none() || horizon.is_some_and(|h| next.is_some_and(|n| n.date() > h)) {
                return (self.status_at(at), None);
            }
        }
        let mut current = None;
        let mut change = None;
        self.walk(today, NEXT_CHANGE_HORIZON_DAYS + 1, |start, end, span| {
            if end <= at {
                return ControlFlow::Continue(());
            }
            match current {
                None => current = Some(span.status),
                Some(status) if status != span.status => {
                    change = Some(start);
                    return ControlFlow::Break(());
                }
                Some(_) => {}
            }
            ControlFlow::Continue(())
        });
        (current.unwrap_or(Status::Unknown), change)
    }

    /// Contiguous spans covering `[from, to)`, adjacent spans of equal status merged (empty when
    /// `from >= to`).
    pub fn intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let mut out: Vec<Interval> = Vec::new();
        if from >= to {
            return out;
        }
        let first = local_date(from);
        let days = (local_date(to) - first).num_days().max(0) as u64 + 1;
        self.walk(first, days, |start, end, span| {
            if start >= to {
                return ControlFlow::Break(());
            }
            let start = start.max(from);
            let end = end.min(to);
            if start < end {
                match out.last_mut() {
                    Some(last) if last.status == span.status && last.end == start => {
                        last.end = end;
                    }
                    _ => out.push(Interval {
                        start,
                        end,
                        status: span.status,
                    }),
                }
            }
            ControlFlow::Continue(())
        });
        out
    }

    /// One civil day, for people: the holiday of the zone, the closure's reason, and the spans
    /// in local time with their status and comment.
    pub fn day(&self, date: NaiveDate) -> Day {
        let spans = self
            .local_spans(date)
            .into_iter()
            .map(|s| DaySpan {
                start: minutes_to_time(s.start).unwrap_or(NaiveTime::MIN),
                end: minutes_to_time(s.end),
                status: s.status,
                comment: (!s.comment.is_empty()).then(|| s.comment.to_string()),
            })
            .collect();
        Day {
            date,
            holiday: holiday_name(date, self.zone),
            closure: self.closure_on(date).map(|c| c.reason.clone()),
            spans,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn oh(s: &str) -> OpeningHours {
        OpeningHours::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn table(s: &str) -> Timetable {
        Timetable::new(Some(oh(s)), HolidayZone::Metropole, Vec::new())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A wall-clock time in Paris (earliest reading when repeated).
    fn paris(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Paris
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    /// What the `opening-hours` crate alone says, to pin where Relais departs from it.
    fn crate_says(expr: &str, at: NaiveDateTime) -> RuleKind {
        let engine: Engine = expr.parse().unwrap();
        engine.state(at).0
    }

    #[test]
    fn parse_errors_say_where() {
        let e = OpeningHours::parse("Mo-Fr 08:00-25:99").unwrap_err();
        assert_eq!(e.position, 15, "{e}");
        let e = OpeningHours::parse("Mo-Fr 08:00-").unwrap_err();
        assert_eq!(e.position, 12, "{e}");
        let e = OpeningHours::parse("Moo 10:00-12:00").unwrap_err();
        assert_eq!(e.position, 2, "{e}");
        assert!(!e.message.is_empty());
        // Counted in characters of the text as given, leading blanks included.
        let e = OpeningHours::parse("  Moo").unwrap_err();
        assert_eq!(e.position, 4, "{e}");
        let e = OpeningHours::parse("We 10:00-12:00 \"café\" Moo").unwrap_err();
        assert_eq!(e.position, 21, "{e}"); // after the comment, in characters (é is 2 bytes)
    }

    #[test]
    fn compared_and_serialized_by_text() {
        let a = oh(" Mo-Fr 09:00-12:00 ");
        assert_eq!(a.as_str(), "Mo-Fr 09:00-12:00");
        assert_eq!(a, oh("Mo-Fr 09:00-12:00"));
        assert_ne!(a, oh("Mo-Fr 09:00-12:00; PH off"));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, "\"Mo-Fr 09:00-12:00\"");
        assert_eq!(serde_json::from_str::<OpeningHours>(&json).unwrap(), a);
        assert!(serde_json::from_str::<OpeningHours>("\"Moo\"").is_err());
    }

    // 2026-06-03 is a Wednesday, 2026-06-01 a Monday, 2026-06-06 a Saturday.

    #[test]
    fn comment_without_state_is_unknown() {
        // opening_hours.js README, « Comments »: "unknown can be omitted (just a comment
        // (without state) will also result in unknown)". The crate reads it as open.
        let expr = r#"We 14:00-17:00 "sur rendez-vous uniquement""#;
        let naive = d(2026, 6, 3).and_hms_opt(15, 0, 0).unwrap();
        assert_eq!(crate_says(expr, naive), RuleKind::Open);
        let t = table(expr);
        assert_eq!(t.status_at(paris(2026, 6, 3, 15, 0)), Status::Unknown);
        assert_eq!(t.status_at(paris(2026, 6, 3, 13, 0)), Status::Closed);
        let day = t.day(d(2026, 6, 3));
        assert_eq!(
            day.spans[1],
            DaySpan {
                start: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(17, 0, 0),
                status: Status::Unknown,
                comment: Some("sur rendez-vous uniquement".into()),
            }
        );
    }

    #[test]
    fn explicit_states_keep_their_comment() {
        let t = table(r#"Mo-Fr 09:00-12:00 open "accueil"; Sa 10:00-12:00 unknown "à confirmer""#);
        assert_eq!(t.status_at(paris(2026, 6, 1, 10, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 6, 6, 11, 0)), Status::Unknown);
        assert_eq!(t.status_at(paris(2026, 6, 7, 11, 0)), Status::Closed);
        let spans = t.day(d(2026, 6, 1)).spans;
        assert_eq!(spans[1].comment.as_deref(), Some("accueil"));
        // Mixed: one explicit, one not.
        let t = table(r#"Mo 09:00-12:00 "x"; Tu 09:00-12:00 open "x""#);
        assert_eq!(t.status_at(paris(2026, 6, 1, 10, 0)), Status::Unknown);
        assert_eq!(t.status_at(paris(2026, 6, 2, 10, 0)), Status::Open);
    }

    #[test]
    fn bare_comment_is_always_unknown() {
        // opening_hours.js README: "value can also be just a double-quoted string
        // ("on appointment") which will result in unknown for any given time".
        let t = table(r#""sur rendez-vous""#);
        assert_eq!(t.status_at(paris(2026, 6, 3, 3, 0)), Status::Unknown);
        assert_eq!(t.next_change(paris(2026, 6, 3, 3, 0)), None);
    }

    #[test]
    fn fallback_speaks_where_earlier_rules_leave_closed() {
        // Reference: open Mo-Fr 08:00-12:00, unknown (by appointment) the rest of the time.
        // The crate keeps Monday afternoon closed (the first rule matched Monday) and opens
        // Saturday (state-less comment read as open).
        let expr = r#"Mo-Fr 08:00-12:00 || "sur rendez-vous""#;
        let monday_14 = d(2026, 6, 1).and_hms_opt(14, 0, 0).unwrap();
        assert_eq!(crate_says(expr, monday_14), RuleKind::Closed);
        let t = table(expr);
        assert_eq!(t.status_at(paris(2026, 6, 1, 10, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 6, 1, 14, 0)), Status::Unknown);
        assert_eq!(t.status_at(paris(2026, 6, 1, 7, 0)), Status::Unknown);
        assert_eq!(t.status_at(paris(2026, 6, 6, 10, 0)), Status::Unknown);
        assert_eq!(
            t.next_change(paris(2026, 6, 1, 10, 0)),
            Some(paris(2026, 6, 1, 12, 0))
        );
    }

    #[test]
    fn fallback_on_the_same_day_adds() {
        // opening_hours.js test "Additional blocks with comment": both values mean the same.
        let a = table(r#"Fr 08:00-12:00, Fr 12:00-16:00 open "Notfallsprechstunde""#);
        let b = table(r#"Fr 08:00-12:00 || Fr 12:00-16:00 open "Notfallsprechstunde""#);
        let (from, to) = (paris(2026, 6, 1, 0, 0), paris(2026, 6, 8, 0, 0));
        assert_eq!(a.intervals(from, to), b.intervals(from, to));
        assert_eq!(b.status_at(paris(2026, 6, 5, 13, 0)), Status::Open);
        assert_eq!(b.status_at(paris(2026, 6, 5, 17, 0)), Status::Closed);
        // And the fallback also covers what an explicit `off` closed.
        let t = table(r#"Mo-Fr 12:00-14:00; PH off || "sur rendez-vous""#);
        assert_eq!(t.status_at(paris(2026, 7, 14, 13, 0)), Status::Unknown);
        assert_eq!(t.status_at(paris(2026, 7, 13, 13, 0)), Status::Open);
    }

    #[test]
    fn spring_forward() {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        let t = table("Mo-Su 01:00-04:00");
        let day = d(2026, 3, 29);
        let open = t.intervals(paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0));
        assert_eq!(
            open[1],
            Interval {
                start: utc(2026, 3, 29, 0, 0),
                end: utc(2026, 3, 29, 2, 0),
                status: Status::Open
            }
        );
        assert_eq!(t.status_at(utc(2026, 3, 29, 0, 30)), Status::Open);
        assert_eq!(
            t.next_change(utc(2026, 3, 29, 0, 30)),
            Some(utc(2026, 3, 29, 2, 0))
        );
        assert_eq!(
            t.next_change(utc(2026, 3, 28, 23, 0)),
            Some(utc(2026, 3, 29, 0, 0))
        );
        assert_eq!(t.day(day).spans.len(), 3);
        // A boundary inside the skipped hour moves to its end.
        let t = table("02:30-03:30");
        assert_eq!(t.status_at(utc(2026, 3, 29, 0, 59)), Status::Closed);
        assert_eq!(t.status_at(utc(2026, 3, 29, 1, 0)), Status::Open);
        assert_eq!(
            t.next_change(utc(2026, 3, 29, 1, 0)),
            Some(utc(2026, 3, 29, 1, 30))
        );
    }

    #[test]
    fn fall_back() {
        // 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00 UTC); the night lasts an hour more.
        let t = table("Mo-Su 01:00-04:00");
        let intervals = t.intervals(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0));
        assert_eq!(
            intervals[1],
            Interval {
                start: utc(2026, 10, 24, 23, 0),
                end: utc(2026, 10, 25, 3, 0),
                status: Status::Open
            }
        );
        // 02:30 CET, the second time round: still open, closing at 04:00 CET.
        assert_eq!(t.status_at(utc(2026, 10, 25, 1, 30)), Status::Open);
        assert_eq!(
            t.next_change(utc(2026, 10, 25, 1, 30)),
            Some(utc(2026, 10, 25, 3, 0))
        );
        // A boundary inside the repeated hour is its first occurrence.
        let t = table("02:30-05:00");
        assert_eq!(t.status_at(utc(2026, 10, 25, 0, 30)), Status::Open);
        assert_eq!(t.status_at(utc(2026, 10, 25, 0, 29)), Status::Closed);
        assert_eq!(
            t.next_change(utc(2026, 10, 25, 0, 0)),
            Some(utc(2026, 10, 25, 0, 30))
        );
    }

    #[test]
    fn year_wrap_in_the_expression() {
        let t = table("Mo-Su 10:00-18:00; Dec 24-Jan 02 off");
        assert_eq!(t.status_at(paris(2026, 12, 23, 12, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 12, 31, 12, 0)), Status::Closed);
        assert_eq!(t.status_at(paris(2027, 1, 2, 12, 0)), Status::Closed);
        assert_eq!(t.status_at(paris(2027, 1, 3, 12, 0)), Status::Open);
        assert_eq!(
            t.next_change(paris(2026, 12, 23, 12, 0)),
            Some(paris(2026, 12, 23, 18, 0))
        );
        assert_eq!(
            t.next_change(paris(2026, 12, 23, 18, 0)),
            Some(paris(2027, 1, 3, 10, 0))
        );
    }

    #[test]
    fn closures_across_the_new_year() {
        let closure = Closure::new(d(2026, 12, 31), d(2027, 1, 2), "inventaire").unwrap();
        let t = Timetable::new(Some(oh("24/7")), HolidayZone::Metropole, vec![closure]);
        let got = t.intervals(paris(2026, 12, 30, 0, 0), paris(2027, 1, 5, 0, 0));
        assert_eq!(
            got,
            vec![
                Interval {
                    start: paris(2026, 12, 30, 0, 0),
                    end: paris(2026, 12, 31, 0, 0),
                    status: Status::Open
                },
                Interval {
                    start: paris(2026, 12, 31, 0, 0),
                    end: paris(2027, 1, 3, 0, 0),
                    status: Status::Closed
                },
                Interval {
                    start: paris(2027, 1, 3, 0, 0),
                    end: paris(2027, 1, 5, 0, 0),
                    status: Status::Open
                },
            ]
        );
        assert_eq!(
            t.next_change(paris(2026, 12, 30, 9, 0)),
            Some(paris(2026, 12, 31, 0, 0))
        );
        let day = t.day(d(2027, 1, 1));
        assert_eq!(day.holiday, Some("Jour de l'an"));
        assert_eq!(day.closure.as_deref(), Some("inventaire"));
        assert_eq!(day.spans.len(), 1);
        assert_eq!(day.spans[0].status, Status::Closed);
        assert_eq!(day.spans[0].end, None);
        // Without hours, the closure is still known.
        let closure = Closure::new(d(2026, 8, 1), d(2026, 8, 31), "congés").unwrap();
        let t = Timetable::new(None, HolidayZone::Metropole, vec![closure]);
        assert_eq!(t.status_at(paris(2026, 8, 10, 12, 0)), Status::Closed);
        assert_eq!(t.status_at(paris(2026, 9, 1, 12, 0)), Status::Unknown);
    }

    #[test]
    fn public_holidays_by_zone() {
        let hours = oh("Mo-Su 09:00-17:00; PH off");
        let paris_t = Timetable::new(Some(hours.clone()), HolidayZone::Metropole, Vec::new());
        let strasbourg = Timetable::new(Some(hours), HolidayZone::AlsaceMoselle, Vec::new());
        assert_eq!(
            paris_t.status_at(paris(2026, 12, 25, 12, 0)),
            Status::Closed
        );
        assert_eq!(paris_t.status_at(paris(2026, 7, 14, 12, 0)), Status::Closed);
        assert_eq!(paris_t.status_at(paris(2026, 7, 15, 12, 0)), Status::Open);
        // Good Friday 2026-04-03 and 26 December: holidays in 67, ordinary days in 75.
        assert_eq!(paris_t.status_at(paris(2026, 4, 3, 12, 0)), Status::Open);
        assert_eq!(
            strasbourg.status_at(paris(2026, 4, 3, 12, 0)),
            Status::Closed
        );
        assert_eq!(paris_t.status_at(paris(2026, 12, 26, 12, 0)), Status::Open);
        assert_eq!(
            strasbourg.status_at(paris(2026, 12, 26, 12, 0)),
            Status::Closed
        );
        assert_eq!(
            strasbourg.day(d(2026, 4, 3)).holiday,
            Some("Vendredi saint")
        );
        assert_eq!(paris_t.day(d(2026, 4, 3)).holiday, None);
    }

    #[test]
    fn alternate_weeks_and_nth_weekday() {
        // ISO week 1 of 2026 starts Monday 2025-12-29.
        let t = table("week 01-53/2 Mo 10:00-12:00");
        assert_eq!(t.status_at(paris(2025, 12, 29, 11, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 1, 5, 11, 0)), Status::Closed);
        assert_eq!(t.status_at(paris(2026, 1, 12, 11, 0)), Status::Open);
        // First Saturday of the month: 2026-08-01, not 2026-08-08.
        let t = table("Sa[1] 10:00-12:00");
        assert_eq!(t.status_at(paris(2026, 8, 1, 11, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 8, 8, 11, 0)), Status::Closed);
        assert_eq!(
            t.next_change(paris(2026, 8, 1, 12, 0)),
            Some(paris(2026, 9, 5, 10, 0))
        );
    }

    #[test]
    fn overnight_range() {
        // 2026-06-05 is a Friday.
        let t = table("Fr 22:00-02:00");
        assert_eq!(t.status_at(paris(2026, 6, 5, 23, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 6, 6, 1, 0)), Status::Open);
        assert_eq!(t.status_at(paris(2026, 6, 6, 3, 0)), Status::Closed);
        assert_eq!(
            t.next_change(paris(2026, 6, 5, 23, 0)),
            Some(paris(2026, 6, 6, 2, 0))
        );
        let got = t.intervals(paris(2026, 6, 5, 20, 0), paris(2026, 6, 6, 4, 0));
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].start, paris(2026, 6, 5, 22, 0));
        assert_eq!(got[1].end, paris(2026, 6, 6, 2, 0));
    }

    #[test]
    fn constant_expressions() {
        let t = table("24/7");
        let at = paris(2026, 6, 3, 15, 0);
        assert_eq!(t.status_at(at), Status::Open);
        assert_eq!(t.next_change(at), None);
        assert_eq!(t.intervals(at, at + TimeDelta::days(8)).len(), 1);
        let t = table("off");
        assert_eq!(t.status_at(at), Status::Closed);
        assert_eq!(t.next_change(at), None);
        let t = Timetable::new(None, HolidayZone::Metropole, Vec::new());
        assert_eq!(t.status_at(at), Status::Unknown);
        assert_eq!(t.status_and_next_change(at), (Status::Unknown, None));
        assert_eq!(t.intervals(at, at + TimeDelta::hours(1)).len(), 1);
        assert!(t.intervals(at, at).is_empty());
        let day = t.day(d(2026, 6, 3));
        assert_eq!(day.spans.len(), 1);
        assert_eq!(day.spans[0].status, Status::Unknown);
    }

    #[test]
    fn day_spans_in_local_time() {
        let t = table("Mo-Fr 08:00-12:00,14:00-18:00");
        let day = t.day(d(2026, 6, 1));
        let shape: Vec<_> = day
            .spans
            .iter()
            .map(|s| (s.start.to_string(), s.end.map(|e| e.to_string()), s.status))
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    "00:00:00".to_string(),
                    Some("08:00:00".to_string()),
                    Status::Closed
                ),
                (
                    "08:00:00".to_string(),
                    Some("12:00:00".to_string()),
                    Status::Open
                ),
                (
                    "12:00:00".to_string(),
                    Some("14:00:00".to_string()),
                    Status::Closed
                ),
                (
                    "14:00:00".to_string(),
                    Some("18:00:00".to_string()),
                    Status::Open
                ),
                ("18:00:00".to_string(), None, Status::Closed),
            ]
        );
    }

    #[test]
    fn timetables_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Timetable>();
        shareable::<OpeningHours>();
    }

    const SAMPLES: &[&str] = &[
        "24/7",
        "off",
        "Mo-Fr 09:00-12:00,14:00-17:30",
        "Mo-Su 01:00-04:00",
        "02:30-03:30",
        "Fr 22:00-02:00",
        r#"We 14:00-17:00 "sur rendez-vous uniquement""#,
        r#"Mo-Fr 08:00-12:00 || "sur rendez-vous""#,
        "Mo-Su 09:00-17:00; PH off",
        "Mo-Su 10:00-18:00; Dec 24-Jan 02 off",
        "week 01-53/2 Mo 10:00-12:00",
        "Sa[1] 10:00-12:00",
        r#"Mo-Fr 08:00-18:00; We 12:00-14:00 off; Sa 10:00-12:00 unknown "à confirmer""#,
    ];

    fn sample_table() -> impl Strategy<Value = Timetable> {
        (0..SAMPLES.len(), any::<bool>(), any::<bool>()).prop_map(|(i, alsace, closed)| {
            let zone = if alsace {
                HolidayZone::AlsaceMoselle
            } else {
                HolidayZone::Metropole
            };
            let closures = if closed {
                vec![Closure::new(d(2026, 12, 31), d(2027, 1, 2), "fermeture").unwrap()]
            } else {
                Vec::new()
            };
            Timetable::new(Some(oh(SAMPLES[i])), zone, closures)
        })
    }

    /// Instants from 2025 to 2028, to the second.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (1_735_689_600i64..1_830_297_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    /// Cost of what the search index does at start-up: 8 days of intervals per service.
    /// Run with `cargo test --release -p relais-domain -- --ignored --nocapture intervals_cost`.
    #[test]
    #[ignore = "measurement, not a check"]
    fn intervals_cost() {
        let tables: Vec<Timetable> = (0..50_000)
            .map(|i| {
                let hours = oh(SAMPLES[i % SAMPLES.len()]);
                Timetable::new(Some(hours), HolidayZone::Metropole, Vec::new())
            })
            .collect();
        let from = paris(2026, 3, 25, 0, 0);
        let to = from + TimeDelta::days(8);
        let started = std::time::Instant::now();
        let spans: usize = tables.iter().map(|t| t.intervals(from, to).len()).sum();
        let elapsed = started.elapsed();
        eprintln!(
            "{} services × 8 days: {elapsed:?}, {:.2} µs per service-week, {spans} spans",
            tables.len(),
            elapsed.as_secs_f64() * 1e6 / tables.len() as f64
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = OpeningHours::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_expressions(s in r#"[MoTuWeFrSaSuPH0-9:;,|+/ "a-z\[\]-]{0,40}"#) {
            if let Ok(hours) = OpeningHours::parse(&s) {
                let t = Timetable::new(Some(hours), HolidayZone::Metropole, Vec::new());
                let at = paris(2026, 3, 29, 1, 0);
                let _ = t.intervals(at, at + TimeDelta::days(2));
            }
        }

        #[test]
        fn next_change_is_the_first_change(t in sample_table(), at in instant()) {
            let status = t.status_at(at);
            let (s2, next) = t.status_and_next_change(at);
            prop_assert_eq!(status, s2);
            if let Some(next) = next {
                prop_assert!(next > at);
                let before = (next - TimeDelta::seconds(1)).max(at);
                prop_assert_eq!(t.status_at(before), status);
                prop_assert_ne!(t.status_at(next), status);
                let between = t.intervals(at, next);
                prop_assert_eq!(between.len(), 1);
            }
        }

        #[test]
        fn intervals_tile_the_range(t in sample_table(), from in instant(), secs in 1i64..(10 * 86_400), probes in proptest::collection::vec(0f64..1.0, 5)) {
            let to = from + TimeDelta::seconds(secs);
            let got = t.intervals(from, to);
            prop_assert!(!got.is_empty());
            prop_assert_eq!(got[0].start, from);
            prop_assert_eq!(got[got.len() - 1].end, to);
            for w in got.windows(2) {
                prop_assert_eq!(w[0].end, w[1].start);
                prop_assert_ne!(w[0].status, w[1].status);
            }
            for i in &got {
                prop_assert!(i.start < i.end);
                prop_assert_eq!(t.status_at(i.start), i.status);
            }
            for p in probes {
                let at = from + TimeDelta::seconds((p * secs as f64) as i64);
                let inside = got.iter().find(|i| i.start <= at && at < i.end).unwrap();
                prop_assert_eq!(inside.status, t.status_at(at));
            }
        }
    }
}
