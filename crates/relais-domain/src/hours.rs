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
//!
//! Bounded work: every evaluation counts its [`Work`] — one unit per local day visited, plus one
//! per rule each time a day's schedule is computed — and stops at a budget
//! ([`EVALUATION_BUDGET`]), answering `unknown` from there on rather than running on. Most
//! expressions only select days by weekday and `PH` (and their times never depend on the date,
//! since Relais gives the crate no coordinates): their day schedule is then a function of the
//! weekday and of whether that day and the day before are holidays, computed once per such
//! kind of day, so that a year without any change (`10:00-11:00 off`) costs a year of cheap day
//! steps, not a year of rule evaluations. Expressions that are too long ([`MAX_HOURS_CHARS`]) or
//! whose worst case exceeds the budget ([`OpeningHours::cost`]) are refused where a directory
//! stores hours ([`OpeningHours::parse_for_directory`]).

use std::fmt;
use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock};

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc,
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

/// Longest expression accepted, in characters (the longest in the real data·inclusion sample is
/// under 200; a week with two ranges a day and a few exceptions takes about 120).
pub const MAX_HOURS_CHARS: usize = 1000;

/// Work units one evaluation may spend (see [`Work`]): the worst case of a year's look-ahead for
/// an expression of a few dozen rules selecting days by month or week, and far above what a
/// weekday-and-`PH` expression ever needs. Past it, the answer is `unknown`.
pub const EVALUATION_BUDGET: u32 = 40_000;

/// Local days the longest walk visits (`next_change`: the day asked about and the horizon).
const WALK_DAYS_MAX: u32 = NEXT_CHANGE_HORIZON_DAYS as u32 + 2;

/// Kinds of day a weekday-and-`PH` expression can tell apart: the weekday, whether the day is a
/// public holiday and whether the day before was (times past midnight spill into the next day).
const DAY_KINDS: usize = 7 * 2 * 2;

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

/// A refused expression: why, the parser's message and where it stopped (0-based character
/// offset; 0 when no place is to blame).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("horaires invalides (caractère {position}) : {message}")]
pub struct HoursError {
    pub kind: HoursErrorKind,
    pub message: String,
    pub position: usize,
}

/// Why an expression was refused, as a code the edges translate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursErrorKind {
    /// Not OSM `opening_hours` syntax.
    Syntax,
    /// Longer than [`MAX_HOURS_CHARS`].
    TooLong,
    /// Readable, but its worst-case evaluation exceeds [`EVALUATION_BUDGET`].
    TooCostly,
}

/// Work done by one evaluation, against a limit: one unit per local day visited, plus one per
/// rule of the expression each time the schedule of a day is computed by the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    spent: u32,
    limit: u32,
}

impl Work {
    /// A meter allowing `limit` units.
    pub fn new(limit: u32) -> Self {
        Self { spent: 0, limit }
    }

    /// A meter allowing [`EVALUATION_BUDGET`] units.
    pub fn budget() -> Self {
        Self::new(EVALUATION_BUDGET)
    }

    /// Units spent so far (never more than the limit).
    pub fn spent(&self) -> u32 {
        self.spent
    }

    /// Whether an evaluation stopped for lack of budget.
    pub fn exhausted(&self) -> bool {
        self.spent >= self.limit
    }

    /// Takes `units` if they are left; otherwise spends everything and says no.
    fn charge(&mut self, units: u32) -> bool {
        match self.spent.checked_add(units) {
            Some(total) if total <= self.limit => {
                self.spent = total;
                true
            }
            _ => {
                self.spent = self.limit;
                false
            }
        }
    }
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
/// and memory. Only the directory's own expressions enter it (stored or written hours, see
/// [`OpeningHours::parse_for_directory`]); anyone may read it, but what an anonymous caller asks
/// `/evaluate` is compiled and dropped. Bounded by an estimate of the bytes it holds
/// ([`COMPILED_CACHE_MAX_BYTES`]): past it, new expressions are compiled without being kept.
static COMPILED_CACHE: OnceLock<std::sync::Mutex<CompiledCache>> = OnceLock::new();

#[derive(Default)]
struct CompiledCache {
    map: std::collections::HashMap<Arc<str>, Arc<Compiled>>,
    bytes: usize,
}

/// Most bytes (estimated, see [`compiled_bytes`]) the shared cache holds: 16 MiB, room for
/// about 40,000 typical expressions of 30 characters, or 670 of the longest.
pub const COMPILED_CACHE_MAX_BYTES: usize = 16 * 1024 * 1024;

/// An estimate of what a compiled expression holds in memory: measured at about 24 bytes per
/// character of text (1,500 distinct 986-character expressions took 36 MB), plus a fixed part.
fn compiled_bytes(raw: &str) -> usize {
    512 + 24 * raw.len()
}

/// The expression cut at its `||` separators, each part ready for the crate's evaluator, with
/// state-less comment rules already turned `unknown`.
struct Compiled {
    segments: Vec<Engine>,
    /// Rules of all segments: the work of computing one day's schedule.
    day_cost: u32,
    /// Whether every rule selects days by weekday and holiday alone (see the module doc).
    by_kind_of_day: bool,
}

impl Compiled {
    fn new(segments: Vec<Engine>) -> Self {
        let day_cost = segments
            .iter()
            .map(|e| e.get_expression().rules.len().max(1) as u32)
            .sum();
        let by_kind_of_day = segments
            .iter()
            .all(|e| e.get_expression().rules.iter().all(selects_by_kind_of_day));
        Self {
            segments,
            day_cost,
            by_kind_of_day,
        }
    }
}

/// Whether a rule's days depend only on the weekday and on `PH`/`SH` of that very day: no
/// year, month-day or week selector, no n-th weekday of the month, no offset.
fn selects_by_kind_of_day(rule: &opening_hours_syntax::rules::RuleSequence) -> bool {
    use opening_hours_syntax::rules::day::WeekDayRange;
    let days = &rule.day_selector;
    days.year.is_empty()
        && days.monthday.is_empty()
        && days.week.is_empty()
        && days.weekday.iter().all(|w| match w {
            WeekDayRange::Fixed {
                offset,
                nth_from_start,
                nth_from_end,
                ..
            } => {
                *offset == 0 && nth_from_start.iter().all(|b| *b) && nth_from_end.iter().all(|b| *b)
            }
            WeekDayRange::Holiday { offset, .. } => *offset == 0,
        })
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
    /// Parses an expression (surrounding blanks ignored) of at most [`MAX_HOURS_CHARS`]
    /// characters. On error, `position` counts characters of `s` as given; it is 0 when the parser
    /// names no place (e.g. a number out of range). The shared cache is read, never filled: use
    /// [`Self::parse_for_directory`] for hours a directory keeps.
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        if s.trim().chars().count() > MAX_HOURS_CHARS {
            return Err(HoursError {
                kind: HoursErrorKind::TooLong,
                message: format!("{MAX_HOURS_CHARS} caractères au plus"),
                position: 0,
            });
        }
        Self::compile_text(s)
    }

    /// Parses hours a directory will keep and show (a partner's form or API write, an import):
    /// as [`Self::parse`], and refused when the worst case of evaluating them exceeds the budget
    /// ([`HoursErrorKind::TooCostly`]), so that no stored expression can make pages slow.
    pub fn parse_for_directory(s: &str) -> Result<Self, HoursError> {
        let hours = Self::parse(s)?;
        if hours.cost() > EVALUATION_BUDGET {
            return Err(HoursError {
                kind: HoursErrorKind::TooCostly,
                message: "expression trop complexe à évaluer : simplifiez-la (moins de règles)"
                    .into(),
                position: 0,
            });
        }
        hours.remember();
        Ok(hours)
    }

    /// Reads hours stored earlier, whatever their length or cost (they were accepted then;
    /// evaluation stays bounded by the budget). Shared through the cache.
    fn read_stored(s: &str) -> Result<Self, HoursError> {
        let hours = Self::compile_text(s)?;
        hours.remember();
        Ok(hours)
    }

    fn compile_text(s: &str) -> Result<Self, HoursError> {
        let leading = s.chars().take_while(|c| c.is_whitespace()).count();
        let raw = s.trim();
        let cache = COMPILED_CACHE.get_or_init(Default::default);
        if let Some((raw, compiled)) = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .get_key_value(raw)
        {
            return Ok(Self {
                raw: Arc::clone(raw),
                compiled: Arc::clone(compiled),
            });
        }
        let engine: Engine = raw.parse().map_err(|e| hours_error(raw, leading, &e))?;
        Ok(Self {
            raw: Arc::from(raw),
            compiled: Arc::new(compile(raw, engine)),
        })
    }

    /// Keeps the compiled expression in the shared cache, while it has room.
    fn remember(&self) {
        let cache = COMPILED_CACHE.get_or_init(Default::default);
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.map.contains_key(&self.raw) {
            return;
        }
        let bytes = compiled_bytes(&self.raw);
        if cache.bytes + bytes <= COMPILED_CACHE_MAX_BYTES {
            cache.bytes += bytes;
            cache
                .map
                .insert(Arc::clone(&self.raw), Arc::clone(&self.compiled));
        }
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// An upper bound of the [`Work`] of the longest evaluation (`next_change` over the whole
    /// horizon, with no change found): a day step for each day, plus each day's schedule — once
    /// per kind of day for weekday-and-`PH` expressions, once per day otherwise.
    pub fn cost(&self) -> u32 {
        let c = &self.compiled;
        let schedules = if c.by_kind_of_day {
            DAY_KINDS as u32
        } else {
            WALK_DAYS_MAX
        };
        WALK_DAYS_MAX.saturating_add(schedules.saturating_mul(c.day_cost))
    }
}

/// Cached compiled expressions and the bytes they are estimated to hold (for tests and
/// `/metrics`).
pub fn compiled_cache_usage() -> (usize, usize) {
    let cache = COMPILED_CACHE.get_or_init(Default::default);
    let cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    (cache.map.len(), cache.bytes)
}

impl TryFrom<String> for OpeningHours {
    type Error = HoursError;
    fn try_from(s: String) -> Result<Self, HoursError> {
        Self::read_stored(&s)
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
                kind: HoursErrorKind::Syntax,
                message: pest_err.variant.message().into_owned(),
                position: leading + chars,
            }
        }
        other => HoursError {
            kind: HoursErrorKind::Syntax,
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
        return Compiled::new(vec![engine]);
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
    Compiled::new(segments.unwrap_or_else(|| vec![engine]))
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

/// Dates on which a day's schedule may be shared by its kind (see the module doc): the crate
/// answers nothing outside its own range, so its edges are computed day by day.
const KIND_CACHE_DATES: std::ops::Range<NaiveDate> = {
    match (
        NaiveDate::from_ymd_opt(1901, 1, 1),
        NaiveDate::from_ymd_opt(9998, 1, 1),
    ) {
        (Some(start), Some(end)) => start..end,
        _ => panic!("valid dates"),
    }
};

/// The schedule of each kind of day met during one walk, by weekday × holiday × holiday before.
type KindsOfDay = [Option<Vec<Span>>; DAY_KINDS];

/// How a walk over days ended.
enum Walked {
    /// Every day asked for was visited.
    Done,
    /// The visitor stopped it.
    Stopped,
    /// The budget ran out before the day starting at this instant.
    OutOfWork(DateTime<Utc>),
}

/// The status at an instant and what follows, as far as the budget allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outlook {
    /// The status at the instant (`unknown` if the budget did not reach it).
    pub status: Status,
    /// The next change, if one was found within the horizon.
    pub next_change: Option<DateTime<Utc>>,
    /// Set when the budget ran out: the search stopped there, so no change found says nothing
    /// of what comes after.
    pub searched_until: Option<DateTime<Utc>>,
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
        self.schedule(date)
            .unwrap_or_else(|| whole(Status::Unknown))
    }

    /// The day's schedule from the hours alone (no closure), `None` without hours.
    fn schedule(&self, date: NaiveDate) -> Option<Vec<Span>> {
        let (first, rest) = self.engines.split_first()?;
        let mut spans = engine_spans(first, date);
        for fallback in rest {
            if spans.iter().any(|s| s.status == Status::Closed) {
                spans = overlay_closed(spans, &engine_spans(fallback, date));
            }
        }
        Some(spans)
    }

    /// The schedule of one local day, closures applied, as spans covering `[00:00, 24:00)`,
    /// charged to `work` (see [`Work`]), and whether the day is a public holiday; `None` when the
    /// budget is spent. `kinds` keeps the schedule of each kind of day already computed in this
    /// walk (see the module doc); other days are computed into `owned`.
    fn day_spans<'a>(
        &self,
        date: NaiveDate,
        holiday_before: bool,
        kinds: &'a mut KindsOfDay,
        owned: &'a mut Vec<Span>,
        work: &mut Work,
    ) -> Option<(&'a [Span], bool)> {
        let holiday = holidays(self.zone).get_public().contains(date);
        if !work.charge(1) {
            return None;
        }
        let compiled = match &self.hours {
            Some(hours) if self.closure_on(date).is_none() => &hours.compiled,
            _ => {
                *owned = self.local_spans(date);
                return Some((owned, holiday));
            }
        };
        let key = (compiled.by_kind_of_day && KIND_CACHE_DATES.contains(&date)).then(|| {
            date.weekday().num_days_from_monday() as usize * 4
                + usize::from(holiday) * 2
                + usize::from(holiday_before)
        });
        let Some(key) = key else {
            if !work.charge(compiled.day_cost) {
                return None;
            }
            *owned = self.schedule(date).unwrap_or_default();
            return Some((owned, holiday));
        };
        let slot = &mut kinds[key];
        if slot.is_none() {
            if !work.charge(compiled.day_cost) {
                return None;
            }
            *slot = Some(self.schedule(date).unwrap_or_default());
        }
        slot.as_deref().map(|spans| (spans, holiday))
    }

    /// Calls `f` with the spans of each local day from `date` on, in time order, as instants,
    /// until `f` breaks or `days` days have been visited or `work` runs out.
    fn walk(
        &self,
        date: NaiveDate,
        days: u64,
        work: &mut Work,
        mut f: impl FnMut(DateTime<Utc>, DateTime<Utc>, &Span) -> ControlFlow<()>,
    ) -> Walked {
        let mut kinds: KindsOfDay = std::array::from_fn(|_| None);
        let mut owned = Vec::new();
        let mut date = date;
        let mut midnight = local_midnight(date);
        let mut holiday_before = date
            .pred_opt()
            .is_some_and(|d| holidays(self.zone).get_public().contains(d));
        for _ in 0..days {
            let Some(next_date) = date.checked_add_days(Days::new(1)) else {
                return Walked::Done;
            };
            let Some((spans, holiday)) =
                self.day_spans(date, holiday_before, &mut kinds, &mut owned, work)
            else {
                return Walked::OutOfWork(midnight);
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
            for span in spans {
                let start = place(span.start).max(last_end);
                let end = place(span.end).max(start);
                last_end = end;
                if start < end && f(start, end, span).is_break() {
                    return Walked::Stopped;
                }
            }
            holiday_before = holiday;
            date = next_date;
            midnight = next_midnight;
        }
        Walked::Done
    }

    /// The status at an instant (`unknown` if even that day exceeds the budget).
    pub fn status_at(&self, at: DateTime<Utc>) -> Status {
        self.status_within(at, &mut Work::budget())
    }

    /// The status at an instant, spending at most what `work` has left (`unknown` past it): one
    /// day's schedule.
    pub fn status_within(&self, at: DateTime<Utc>, work: &mut Work) -> Status {
        let mut status = Status::Unknown;
        self.walk(local_date(at), 1, work, |start, end, span| {
            if start <= at && at < end {
                status = span.status;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        status
    }

    /// The next instant strictly after `at` when the status changes, if any within
    /// [`NEXT_CHANGE_HORIZON_DAYS`] local days and the [`EVALUATION_BUDGET`].
    pub fn next_change(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.status_and_next_change(at).1
    }

    /// The status at `at` and the next instant it changes (see [`Timetable::next_change`]), in
    /// one pass, within the [`EVALUATION_BUDGET`].
    pub fn status_and_next_change(&self, at: DateTime<Utc>) -> (Status, Option<DateTime<Utc>>) {
        let outlook = self.outlook(at, &mut Work::budget());
        (outlook.status, outlook.next_change)
    }

    /// The status at `at` and the next change within the horizon, spending at most what `work`
    /// has left: see [`Outlook`].
    pub fn outlook(&self, at: DateTime<Utc>, work: &mut Work) -> Outlook {
        let mut current = None;
        let mut change = None;
        let walked = self.walk(
            local_date(at),
            NEXT_CHANGE_HORIZON_DAYS + 1,
            work,
            |start, end, span| {
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
            },
        );
        Outlook {
            status: current.unwrap_or(Status::Unknown),
            next_change: change,
            searched_until: match walked {
                Walked::OutOfWork(at) => Some(at),
                Walked::Done | Walked::Stopped => None,
            },
        }
    }

    /// Contiguous spans covering `[from, to)`, adjacent spans of equal status merged (empty when
    /// `from >= to`). Should the [`EVALUATION_BUDGET`] run out, the rest is `unknown`.
    pub fn intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let mut out: Vec<Interval> = Vec::new();
        if from >= to {
            return out;
        }
        let push = |out: &mut Vec<Interval>, start, end, status| match out.last_mut() {
            Some(last) if last.status == status && last.end == start => last.end = end,
            _ => out.push(Interval { start, end, status }),
        };
        let first = local_date(from);
        let days = (local_date(to) - first).num_days().max(0) as u64 + 1;
        let walked = self.walk(first, days, &mut Work::budget(), |start, end, span| {
            if start >= to {
                return ControlFlow::Break(());
            }
            let start = start.max(from);
            let end = end.min(to);
            if start < end {
                push(&mut out, start, end, span.status);
            }
            ControlFlow::Continue(())
        });
        if let Walked::OutOfWork(stop) = walked {
            let start = stop.clamp(from, to);
            if start < to {
                push(&mut out, start, to, Status::Unknown);
            }
        }
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

    /// The probe's expressions (issue 9): a year without any change, written in the ways that
    /// made the crate scan day by day to the year 10000.
    fn probe_expressions() -> Vec<String> {
        let rule = "Mo-Su 10:00-11:00 off";
        vec![
            "10:00-11:00 off".to_string(),
            vec!["10:00-11:00 off"; 16].join("; "),
            vec![rule; 42].join("; "),
            vec![rule; 42].join(", "),
            vec!["Mo-Su 10:00-34:00 off"; 42].join("; "),
        ]
    }

    #[test]
    fn probe_expressions_take_little_work() {
        let at = paris(2026, 12, 7, 10, 30);
        for expr in probe_expressions() {
            let hours = oh(&expr);
            assert!(expr.chars().count() <= MAX_HOURS_CHARS);
            let rules = hours.compiled.day_cost;
            let t = Timetable::new(Some(hours.clone()), HolidayZone::Metropole, Vec::new());
            let mut work = Work::budget();
            let outlook = t.outlook(at, &mut work);
            assert_eq!(outlook.status, Status::Closed, "{expr}");
            assert_eq!(outlook.next_change, None, "{expr}");
            assert_eq!(
                outlook.searched_until, None,
                "{expr}: the whole horizon was searched"
            );
            // A day step per day of the horizon, and each kind of day's schedule at most once.
            assert!(
                work.spent() <= WALK_DAYS_MAX + DAY_KINDS as u32 * rules,
                "{expr}: {} units",
                work.spent()
            );
            assert!(hours.cost() <= EVALUATION_BUDGET, "{expr}");
            assert!(OpeningHours::parse_for_directory(&expr).is_ok());
        }
    }

    #[test]
    fn a_spent_budget_answers_unknown_from_there_on() {
        // Alternate weeks are computed day by day: 25 rules cost 25 units a day, plus the step.
        let expr = vec!["week 01-53/2 Mo 10:00-11:00 off"; 25].join("; ");
        let t = table(&expr);
        let at = paris(2026, 6, 3, 15, 0);
        let mut work = Work::new(5 * 26);
        let outlook = t.outlook(at, &mut work);
        assert!(work.exhausted());
        assert_eq!(outlook.status, Status::Closed);
        assert_eq!(outlook.next_change, None);
        let stop = outlook.searched_until.expect("the search stopped");
        assert!(stop > at && stop <= at + TimeDelta::days(6), "{stop}");
        // Not even the first day: unknown.
        let mut work = Work::new(3);
        let outlook = t.outlook(at, &mut work);
        assert_eq!(outlook.status, Status::Unknown);
        assert_eq!(outlook.searched_until, Some(local_midnight(d(2026, 6, 3))));
    }

    #[test]
    fn length_and_cost_limits() {
        let long = format!("Mo 10:00-12:00;{}", "x".repeat(MAX_HOURS_CHARS));
        assert_eq!(
            OpeningHours::parse(&long).unwrap_err().kind,
            HoursErrorKind::TooLong
        );
        // Blanks around do not count.
        assert!(OpeningHours::parse(&format!("  {}  ", "Mo 10:00-12:00")).is_ok());
        // 111 month rules, each computed on each of the 368 days: beyond the budget.
        let costly = vec!["Jan off"; 111].join(";");
        assert!(costly.chars().count() <= MAX_HOURS_CHARS);
        let hours = oh(&costly);
        assert!(hours.cost() > EVALUATION_BUDGET);
        assert_eq!(
            OpeningHours::parse_for_directory(&costly).unwrap_err().kind,
            HoursErrorKind::TooCostly
        );
        // Read back from storage (accepted before the limit), it still evaluates within budget.
        let stored: OpeningHours = serde_json::from_value(serde_json::json!(costly)).unwrap();
        let t = Timetable::new(Some(stored), HolidayZone::Metropole, Vec::new());
        let mut work = Work::budget();
        let outlook = t.outlook(paris(2026, 6, 3, 15, 0), &mut work);
        assert!(work.spent() <= EVALUATION_BUDGET);
        assert!(outlook.searched_until.is_some());
    }

    #[test]
    fn anonymous_parses_do_not_fill_the_shared_cache() {
        let expr = "Mo 10:00-11:07; Tu 10:00-11:07 \"pas gardé\"";
        let _ = oh(expr);
        assert!(!is_cached(expr));
        let _ = OpeningHours::parse_for_directory(expr).unwrap();
        assert!(is_cached(expr));
        let (_, bytes) = compiled_cache_usage();
        assert!(bytes <= COMPILED_CACHE_MAX_BYTES);
    }

    fn is_cached(raw: &str) -> bool {
        COMPILED_CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap()
            .map
            .contains_key(raw)
    }

    /// The same hours evaluated day by day, without sharing schedules between kinds of day.
    fn day_by_day(t: &Timetable) -> Timetable {
        let hours = t.hours.as_ref().map(|h| OpeningHours {
            raw: Arc::clone(&h.raw),
            compiled: Arc::new(Compiled {
                segments: h.compiled.segments.clone(),
                day_cost: h.compiled.day_cost,
                by_kind_of_day: false,
            }),
        });
        Timetable::new(hours, t.zone, t.closures.clone())
    }

    /// Pieces of generated expressions: every selector the grammar offers a partner, so that
    /// both the shared (weekday and `PH`) and the day-by-day evaluations are exercised.
    fn rule() -> impl Strategy<Value = String> {
        let days = prop_oneof![
            Just(String::new()),
            Just("Mo-Fr ".to_string()),
            Just("Sa,Su ".to_string()),
            Just("We ".to_string()),
            Just("PH ".to_string()),
            Just("Mo-Sa,PH ".to_string()),
            Just("Su[1] ".to_string()),
            Just("week 01-53/2 Tu ".to_string()),
            Just("Jan-Mar ".to_string()),
            Just("Dec 24-Jan 02 ".to_string()),
            Just("2027 Jun ".to_string()),
            Just("PH -1 day ".to_string()),
        ];
        let times = prop_oneof![
            Just(String::new()),
            Just("10:00-11:00".to_string()),
            Just("09:00-12:00,14:00-17:30".to_string()),
            Just("22:00-02:00".to_string()),
            Just("10:00-34:00".to_string()),
            Just("00:00-24:00".to_string()),
        ];
        let state = prop_oneof![
            Just(""),
            Just(" off"),
            Just(" open"),
            Just(" unknown"),
            Just(" \"sur rendez-vous\""),
            Just(" closed \"travaux\""),
        ];
        (days, times, state).prop_map(|(d, t, s)| {
            let rule = format!("{d}{t}{s}");
            let rule = rule.trim();
            if rule.is_empty() {
                "off".to_string()
            } else {
                rule.to_string()
            }
        })
    }

    /// Expressions whose days are selected by weekday and `PH` alone (the shared evaluation),
    /// with times that spill past midnight into a holiday or out of one.
    fn weekday_expression() -> impl Strategy<Value = String> {
        let days = prop_oneof![
            Just(""),
            Just("Mo-Fr "),
            Just("Su "),
            Just("Th,Fr "),
            Just("PH "),
            Just("Mo-Sa,PH "),
            Just("Fr-Mo "),
        ];
        let times = prop_oneof![
            Just("09:00-12:00"),
            Just("22:00-02:00"),
            Just("20:00-30:00"),
            Just("00:00-24:00"),
        ];
        let state = prop_oneof![Just(""), Just(" off"), Just(" unknown"), Just(" \"rdv\"")];
        let rule = (days, times, state).prop_map(|(d, t, s)| format!("{d}{t}{s}"));
        proptest::collection::vec((rule, 0..3usize), 1..6).prop_map(|rules| {
            let mut out = String::new();
            for (i, (rule, sep)) in rules.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(["; ", ", ", " || "][sep]);
                }
                out.push_str(&rule);
            }
            out
        })
    }

    /// Expressions of up to [`MAX_HOURS_CHARS`] characters, rules joined by `;`, `,` or `||`.
    fn expression() -> impl Strategy<Value = String> {
        proptest::collection::vec((rule(), 0..3usize), 1..80).prop_map(|rules| {
            let mut out = String::new();
            for (i, (rule, sep)) in rules.into_iter().enumerate() {
                let sep = ["; ", ", ", " || "][sep];
                let next = if i == 0 { rule } else { format!("{sep}{rule}") };
                if out.chars().count() + next.chars().count() > MAX_HOURS_CHARS {
                    break;
                }
                out.push_str(&next);
            }
            out
        })
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
        #[test]
        fn every_expression_is_evaluated_within_the_budget(expr in expression(), at in instant()) {
            let Ok(hours) = OpeningHours::parse(&expr) else { return Ok(()) };
            let cost = hours.cost();
            let t = Timetable::new(Some(hours), HolidayZone::Metropole, Vec::new());
            let mut work = Work::budget();
            let outlook = t.outlook(at, &mut work);
            prop_assert!(work.spent() <= EVALUATION_BUDGET);
            if cost <= EVALUATION_BUDGET {
                // What a directory accepts is always evaluated to the end of the horizon.
                prop_assert!(work.spent() <= cost, "{} > {}", work.spent(), cost);
                prop_assert_eq!(outlook.searched_until, None);
            }
        }

        #[test]
        fn sharing_schedules_by_kind_of_day_changes_nothing(expr in weekday_expression(), from in instant(), alsace in any::<bool>()) {
            let hours = oh(&expr);
            prop_assert!(hours.compiled.by_kind_of_day, "{}", expr);
            let zone = if alsace { HolidayZone::AlsaceMoselle } else { HolidayZone::Metropole };
            let shared = Timetable::new(Some(hours), zone, Vec::new());
            let alone = day_by_day(&shared);
            // A whole year: every holiday, the days after them, both clock changes.
            let to = from + TimeDelta::days(370);
            prop_assert_eq!(shared.intervals(from, to), alone.intervals(from, to));
            prop_assert_eq!(shared.status_and_next_change(from), alone.status_and_next_change(from));
        }
    }
}
