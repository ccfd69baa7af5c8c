use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

use relais_domain::geo::{GeoPoint, walk_minutes};
use relais_domain::hours::{Day, Status, Timetable, Work};
use relais_domain::referentials::{PARENT_THEMES, theme_label, theme_parent, themes};
use relais_domain::{Service, ServiceId, Structure, StructureId};

use crate::listing::Listing;
use crate::text::Analyzer;

/// Days of precomputed status changes (today and the next 7 days).
pub const WINDOW_DAYS: i64 = 8;

/// Days a service page shows, from the first day of the window.
pub const WEEK_DAYS: i64 = 7;

/// Work (see [`Work`]) one search may spend evaluating hours live, for instants outside the
/// precomputed window (`open_at` next month): shared by every document of the request, so
/// that a search costs at most this much whatever the size of the directory; past it, the
/// remaining documents are `unknown` at that instant. Inside the window nothing is evaluated.
pub const LIVE_WORK_PER_SEARCH: u32 = 100_000;

/// Weights of the fields a term can match in; a document scores the best field per term.
const W_NAME: f32 = 3.0;
const W_THEME: f32 = 2.0;
const W_STRUCTURE: f32 = 1.5;
const W_DESCRIPTION: f32 = 1.0;

/// Side of a geographic grid cell, in degrees of latitude (≈ 1.1 km); longitude cells are
/// widened by 1/cos(latitude of Paris) so that cells are roughly square around the MGP.
const CELL_DEG: f64 = 0.01;
const LON_FACTOR: f64 = 1.0 / 0.6577; // 1 / cos(48.86°)

/// Where to search: a centre and a radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoFilter {
    pub centre: GeoPoint,
    pub radius_m: f64,
}

/// A search, already parsed and checked by the caller.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Free text (French analysis).
    pub text: Option<String>,
    pub geo: Option<GeoFilter>,
    /// Theme slugs; a parent matches its children; several themes are alternatives.
    pub themes: Vec<String>,
    /// A public slug; services for `tous-publics` match every public.
    pub public: Option<String>,
    /// A language tag (`ar`); a service with no language listed is taken to speak French.
    pub language: Option<String>,
    pub free_only: bool,
    /// A reception mode slug (`en-presentiel`, `a-distance`).
    pub reception_mode: Option<String>,
    pub wheelchair_only: bool,
    /// Only services whose status is `open` at this instant.
    pub open_at: Option<DateTime<Utc>>,
    /// Only services open at some moment of `[from, to)` ("open later today", "this week").
    pub open_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub limit: usize,
    pub offset: usize,
}

/// One result.
#[derive(Clone, Debug)]
pub struct Hit {
    pub listing: Arc<Listing>,
    pub structure_name: Arc<str>,
    pub distance_m: Option<f64>,
    pub walk_minutes: Option<u32>,
    pub status: Status,
    pub next_change: Option<DateTime<Utc>>,
    /// The status from `next_change` on (so that "closed" can say whether it opens then).
    pub next_status: Option<Status>,
    pub score: f32,
}

/// A page of results and how many matched in all.
#[derive(Clone, Debug)]
pub struct SearchResult {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// Figures for `/metrics` and `/readyz`.
#[derive(Clone, Copy, Debug)]
pub struct IndexStats {
    pub services: usize,
    pub terms: usize,
    pub built_at: DateTime<Utc>,
    pub window_start: DateTime<Utc>,
}

type DocId = u32;

#[derive(Debug)]
struct Doc {
    listing: Arc<Listing>,
    structure_name: Arc<str>,
    point: Option<GeoPoint>,
    /// Sorted distinct term ids with the best field weight for each.
    terms: Vec<(u32, f32)>,
    /// Theme slugs and their parents.
    themes: Vec<&'static str>,
    timetable: Timetable,
    hours: Precomputed,
    /// The days of the window's first week, for the service page: computed at the first view
    /// within a window, then read (bounded work: a week of the expression's schedule).
    week: OnceLock<Arc<[Day]>>,
}

/// A document's hours, computed when it is indexed and at each new window, so that answering a
/// query never evaluates an expression.
#[derive(Debug, Clone)]
struct Precomputed {
    /// Status changes in the window: (minutes since window start, status from then on); the
    /// first entry is at 0, and no two neighbours have the same status.
    changes: Vec<(u32, Status)>,
    /// The first change after the window (within the horizon of [`Timetable::next_change`])
    /// and the status from then on; `unknown` from the instant the budget ran out, if it did.
    beyond: Option<(DateTime<Utc>, Status)>,
}

impl Precomputed {
    fn of(t: &Timetable, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let changes = t
            .intervals(start, end)
            .into_iter()
            .map(|iv| (((iv.start - start).num_seconds() / 60) as u32, iv.status))
            .collect();
        let last = end - Duration::minutes(1);
        let outlook = t.outlook(last, &mut Work::budget());
        let beyond = match (outlook.next_change, outlook.searched_until) {
            (Some(next), _) => Some((next, t.status_at(next))),
            (None, Some(stop)) => Some((stop.max(end), Status::Unknown)),
            (None, None) => None,
        };
        Self { changes, beyond }
    }

    fn last_status(&self) -> Status {
        self.changes.last().map_or(Status::Unknown, |(_, s)| *s)
    }
}

/// What the index knows of a service's hours at an instant, for its page.
#[derive(Clone, Debug)]
pub struct HoursView {
    pub status: Status,
    pub next_change: Option<DateTime<Utc>>,
    pub next_status: Option<Status>,
    /// [`WEEK_DAYS`] days from the instant's day.
    pub week: Arc<[Day]>,
}

impl HoursView {
    /// The same, evaluated (bounded by the budget of each call) where the index cannot answer:
    /// a service not indexed yet, or a window not moved to a new day yet.
    pub fn evaluate(t: &Timetable, at: DateTime<Utc>) -> Self {
        let (status, next_change) = t.status_and_next_change(at);
        Self {
            status,
            next_change,
            next_status: next_change.map(|n| t.status_at(n)),
            week: week_from(t, at),
        }
    }
}

/// [`WEEK_DAYS`] days of a timetable from `at`'s local day.
fn week_from(t: &Timetable, at: DateTime<Utc>) -> Arc<[Day]> {
    let first = at.with_timezone(&Paris).date_naive();
    (0..WEEK_DAYS)
        .map(|i| t.day(first + Duration::days(i)))
        .collect()
}

/// The index. Not internally synchronised: the web layer holds it behind a lock.
#[derive(Debug)]
pub struct Index {
    analyzer: Analyzer,
    docs: Vec<Option<Doc>>,
    by_id: HashMap<ServiceId, DocId>,
    vocabulary: HashMap<String, u32>,
    postings: Vec<Vec<DocId>>,
    /// Documents by grid cell, with their point, so that the place is checked without reading
    /// the document.
    grid: HashMap<(i32, i32), Vec<(DocId, GeoPoint)>>,
    structures: HashMap<StructureId, Arc<str>>,
    live: usize,
    dead: usize,
    built_at: DateTime<Utc>,
    window_start: DateTime<Utc>,
    /// Bumped when documents are renumbered (compaction).
    generation: u64,
}

/// Status changes computed for a new window, to install with [`Index::apply_window`].
#[derive(Debug)]
pub struct WindowUpdate {
    start: DateTime<Utc>,
    generation: u64,
    changes: Vec<Option<Precomputed>>,
}

fn cell_of(p: &GeoPoint) -> (i32, i32) {
    (
        (p.lat / CELL_DEG).floor() as i32,
        (p.lon / (CELL_DEG * LON_FACTOR)).floor() as i32,
    )
}

/// Start of the civil day of `now` in Europe/Paris, in UTC.
fn start_of_local_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Paris).date_naive();
    Paris
        .from_local_datetime(&local.and_time(NaiveTime::MIN))
        .earliest()
        // Midnight always exists in Europe/Paris (changes happen at 02:00/03:00).
        .map_or(now, |d| d.with_timezone(&Utc))
}

impl Index {
    /// Builds the index of `services` (with their structures' names) at `now`.
    pub fn build(structures: &[Structure], services: Vec<Service>, now: DateTime<Utc>) -> Self {
        let mut index = Self::new(structures, now);
        index.extend(services);
        index
    }

    /// An empty index that knows the structures' names, to be filled with [`Self::extend`].
    pub fn new(structures: &[Structure], now: DateTime<Utc>) -> Self {
        Self {
            analyzer: Analyzer::default(),
            docs: Vec::new(),
            by_id: HashMap::new(),
            vocabulary: HashMap::new(),
            postings: Vec::new(),
            grid: HashMap::new(),
            structures: structures
                .iter()
                .map(|s| (s.id, Arc::from(s.name.as_str())))
                .collect(),
            live: 0,
            dead: 0,
            built_at: now,
            window_start: start_of_local_day(now),
            generation: 0,
        }
    }

    /// Adds services not yet in the index (a batch of a first load; use [`Self::upsert`] for
    /// changes). Text analysis and the hours window are the costly part and independent per
    /// service: they run on every core; numbering terms and documents stays sequential.
    pub fn extend(&mut self, services: Vec<Service>) {
        let window = (
            self.window_start,
            self.window_start + Duration::days(WINDOW_DAYS),
        );
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = services.len().div_ceil(threads).max(1);
        let mut services = services;
        let mut chunks: Vec<Vec<Service>> = Vec::with_capacity(threads);
        while services.len() > chunk {
            let rest = services.split_off(chunk);
            chunks.push(services);
            services = rest;
        }
        chunks.push(services);
        let index = &*self;
        let prepared: Vec<Vec<Prepared>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|part| {
                    scope.spawn(move || {
                        let analyzer = Analyzer::default();
                        let mut stems = HashMap::new();
                        part.into_iter()
                            .map(|s| {
                                let name = index.structure_name(&s);
                                prepare(&analyzer, &mut stems, s, name, window)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for p in prepared.into_iter().flatten() {
            if let Some(old) = self.by_id.get(&p.listing.id).copied() {
                // Already there (a page boundary moved under a concurrent write): replace.
                self.docs[old as usize] = None;
                self.live -= 1;
                self.dead += 1;
            }
            self.insert_prepared(p);
        }
    }

    /// Figures about the index.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            services: self.live,
            terms: self.vocabulary.len(),
            built_at: self.built_at,
            window_start: self.window_start,
        }
    }

    /// Number of services indexed.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no service is indexed.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Records a structure's name (before upserting its services).
    pub fn upsert_structure(&mut self, structure: &Structure) {
        self.structures
            .insert(structure.id, Arc::from(structure.name.as_str()));
    }

    /// Adds or replaces a service.
    pub fn upsert(&mut self, service: Service) {
        self.remove(service.id);
        self.insert(service);
        if self.dead > self.live.max(1024) {
            self.compact();
        }
    }

    /// Removes a service, if present.
    pub fn remove(&mut self, id: ServiceId) {
        if let Some(doc_id) = self.by_id.remove(&id) {
            self.docs[doc_id as usize] = None;
            self.live -= 1;
            self.dead += 1;
        }
    }

    /// A service's listing and structure name, by id.
    pub fn get(&self, id: ServiceId) -> Option<(&Arc<Listing>, &Arc<str>)> {
        let d = self.docs[*self.by_id.get(&id)? as usize].as_ref()?;
        Some((&d.listing, &d.structure_name))
    }

    /// The name of a structure, as indexed.
    pub fn structure(&self, id: StructureId) -> Option<&Arc<str>> {
        self.structures.get(&id)
    }

    /// Whether the day changed since the window of precomputed hours was computed.
    pub fn window_is_stale(&self, now: DateTime<Utc>) -> bool {
        start_of_local_day(now) != self.window_start
    }

    /// Recomputes every service's status changes for a window starting today, if the day
    /// changed since the last computation. Returns whether it did. Holds the index for the whole
    /// computation: a server uses [`Self::compute_window`] then [`Self::apply_window`] instead.
    pub fn refresh_window(&mut self, now: DateTime<Utc>) -> bool {
        match self.compute_window(now) {
            Some(update) => {
                self.apply_window(update);
                true
            }
            None => false,
        }
    }

    /// The status changes of every document for a window starting on `now`'s day, computed
    /// without changing the index (a read lock is enough), or `None` if the window is current.
    pub fn compute_window(&self, now: DateTime<Utc>) -> Option<WindowUpdate> {
        let start = start_of_local_day(now);
        if start == self.window_start {
            return None;
        }
        let end = start + Duration::days(WINDOW_DAYS);
        let changes = self
            .docs
            .iter()
            .map(|d| {
                d.as_ref()
                    .map(|d| Precomputed::of(&d.timetable, start, end))
            })
            .collect();
        Some(WindowUpdate {
            start,
            generation: self.generation,
            changes,
        })
    }

    /// Installs a window computed by [`Self::compute_window`]. Documents added or replaced in
    /// between (or all of them, if the index was compacted) are computed here.
    pub fn apply_window(&mut self, update: WindowUpdate) {
        let end = update.start + Duration::days(WINDOW_DAYS);
        let same_numbering = update.generation == self.generation;
        let mut computed = update.changes.into_iter();
        for slot in &mut self.docs {
            let precomputed = computed.next().flatten().filter(|_| same_numbering);
            if let Some(d) = slot {
                d.hours =
                    precomputed.unwrap_or_else(|| Precomputed::of(&d.timetable, update.start, end));
                d.week = OnceLock::new();
            }
        }
        self.window_start = update.start;
    }

    fn insert(&mut self, service: Service) {
        let structure_name = self.structure_name(&service);
        let window = (
            self.window_start,
            self.window_start + Duration::days(WINDOW_DAYS),
        );
        let prepared = prepare(
            &self.analyzer,
            &mut HashMap::new(),
            service,
            structure_name,
            window,
        );
        self.insert_prepared(prepared);
    }

    fn structure_name(&self, service: &Service) -> Arc<str> {
        self.structures
            .get(&service.structure_id)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }

    /// Adds a prepared document: term ids, postings and grid are the only sequential work.
    fn insert_prepared(&mut self, p: Prepared) {
        let doc_id = self.docs.len() as DocId;
        let mut terms: Vec<(u32, f32)> = p
            .weights
            .into_iter()
            .map(|(t, w)| {
                let next = self.vocabulary.len() as u32;
                let id = *self.vocabulary.entry(t).or_insert(next);
                if id == next {
                    self.postings.push(Vec::new());
                }
                self.postings[id as usize].push(doc_id);
                (id, w)
            })
            .collect();
        terms.sort_unstable_by_key(|(t, _)| *t);
        let point = p.listing.location.point;
        if let Some(p) = point {
            self.grid.entry(cell_of(&p)).or_default().push((doc_id, p));
        }
        self.by_id.insert(p.listing.id, doc_id);
        self.docs.push(Some(Doc {
            listing: Arc::new(p.listing),
            structure_name: p.structure_name,
            point,
            terms,
            themes: p.themes,
            timetable: p.timetable,
            hours: p.hours,
            week: OnceLock::new(),
        }));
        self.live += 1;
    }

    /// Drops removed documents and renumbers them (postings and grid refer to document
    /// numbers); each document keeps its analysed terms, so nothing is analysed again.
    fn compact(&mut self) {
        let docs: Vec<Doc> = std::mem::take(&mut self.docs)
            .into_iter()
            .flatten()
            .collect();
        self.by_id.clear();
        self.grid.clear();
        for p in &mut self.postings {
            p.clear();
        }
        for (i, d) in docs.iter().enumerate() {
            let doc_id = i as DocId;
            for (t, _) in &d.terms {
                self.postings[*t as usize].push(doc_id);
            }
            if let Some(p) = d.point {
                self.grid.entry(cell_of(&p)).or_default().push((doc_id, p));
            }
            self.by_id.insert(d.listing.id, doc_id);
        }
        self.live = docs.len();
        self.dead = 0;
        self.generation += 1;
        self.docs = docs.into_iter().map(Some).collect();
    }

    /// Status of a document at `at`: from the precomputed hours; outside them, evaluated
    /// within what is left of the request's `live` work.
    fn status_at(&self, d: &Doc, at: DateTime<Utc>, live: &Cell<Work>) -> Status {
        let h = &d.hours;
        if let Some(m) = self.window_minute(at) {
            let i = h.changes.partition_point(|(start, _)| *start <= m);
            return h
                .changes
                .get(i.wrapping_sub(1))
                .map_or(Status::Unknown, |(_, s)| *s);
        }
        if at >= self.window_end() {
            match h.beyond {
                None => return h.last_status(),
                Some((next, _)) if at < next => return h.last_status(),
                Some((next, status)) if at == next => return status,
                Some(_) => {}
            }
        }
        let mut work = live.get();
        let status = d.timetable.status_within(at, &mut work);
        live.set(work);
        status
    }

    /// The next change of a document strictly after `at`: from the precomputed hours; outside
    /// them, evaluated within what is left of the request's `live` work.
    fn next_change(&self, d: &Doc, at: DateTime<Utc>, live: &Cell<Work>) -> Option<DateTime<Utc>> {
        let h = &d.hours;
        if let Some(m) = self.window_minute(at) {
            let i = h.changes.partition_point(|(start, _)| *start <= m);
            return match h.changes.get(i) {
                Some((start, _)) => Some(self.window_start + Duration::minutes(i64::from(*start))),
                None => h.beyond.map(|(next, _)| next),
            };
        }
        if at >= self.window_end() {
            match h.beyond {
                None => return None,
                Some((next, _)) if at < next => return Some(next),
                Some(_) => {}
            }
        }
        let mut work = live.get();
        let outlook = d.timetable.outlook(at, &mut work);
        live.set(work);
        outlook.next_change
    }

    fn window_end(&self) -> DateTime<Utc> {
        self.window_start + Duration::days(WINDOW_DAYS)
    }

    /// A service's hours at `at` for its page, read from the index: `None` when the service is
    /// not indexed or `at` is not on the window's first day (the caller then evaluates).
    pub fn hours_view(&self, id: ServiceId, at: DateTime<Utc>) -> Option<HoursView> {
        let d = self.doc(*self.by_id.get(&id)?);
        if start_of_local_day(at) != self.window_start {
            return None;
        }
        let live = Cell::new(Work::new(0));
        let next_change = self.next_change(d, at, &live);
        let week = d
            .week
            .get_or_init(|| week_from(&d.timetable, self.window_start));
        Some(HoursView {
            status: self.status_at(d, at, &live),
            next_change,
            next_status: next_change.map(|t| self.status_at(d, t, &live)),
            week: Arc::clone(week),
        })
    }

    /// Minutes since the window start, if `at` is inside the window. Status changes happen on
    /// whole minutes (the OSM syntax has no seconds), so minute resolution is exact.
    fn window_minute(&self, at: DateTime<Utc>) -> Option<u32> {
        let secs = (at - self.window_start).num_seconds();
        (0..WINDOW_DAYS * 86_400)
            .contains(&secs)
            .then_some((secs / 60) as u32)
    }

    /// Answers a query at `now` (the instant of the statuses shown, unless `open_at` is set).
    pub fn search(&self, q: &Query, now: DateTime<Utc>) -> SearchResult {
        self.search_within(q, now, Work::new(LIVE_WORK_PER_SEARCH))
    }

    /// [`Self::search`], evaluating hours live (only for instants outside the precomputed
    /// window) within `live` work: with `Work::new(0)`, a search that needs any evaluation says
    /// `unknown` where it would have evaluated (for tests and benchmarks).
    pub fn search_within(&self, q: &Query, now: DateTime<Utc>, live: Work) -> SearchResult {
        let at = q.open_at.unwrap_or(now);
        let live = Cell::new(live);
        let query_terms: Vec<u32> = match &q.text {
            Some(t) => {
                let mut ids = Vec::new();
                for term in self.analyzer.terms(t) {
                    match self.vocabulary.get(&term) {
                        Some(&id) => ids.push(id),
                        // A term no document has: nothing can match every term.
                        None => {
                            return SearchResult {
                                total: 0,
                                hits: Vec::new(),
                            };
                        }
                    }
                }
                // Text with nothing searchable in it (only stop words, emoji…) matches nothing
                // rather than everything.
                if ids.is_empty() {
                    return SearchResult {
                        total: 0,
                        hits: Vec::new(),
                    };
                }
                ids.sort_unstable();
                ids.dedup();
                ids
            }
            None => Vec::new(),
        };
        let idf: Vec<f32> = query_terms
            .iter()
            .map(|&t| {
                let n = self.postings[t as usize].len().max(1) as f32;
                (1.0 + (self.live.max(1) as f32) / n).ln()
            })
            .collect();

        // Candidate generator: the rarest term's postings, or the grid cells around the centre,
        // whichever is smaller; every other condition is checked per candidate.
        let rarest = query_terms
            .iter()
            .map(|&t| &self.postings[t as usize])
            .min_by_key(|p| p.len());
        let cells = q.geo.map(|g| self.cells_around(&g));
        let geo_size: Option<usize> = cells.as_ref().map(|cs| {
            cs.iter()
                .map(|c| self.grid.get(c).map_or(0, Vec::len))
                .sum()
        });

        let mut matches: Vec<(DocId, f32, Option<f64>)> = Vec::new();
        // The place first, from the point alone: the box around the circle, then the exact
        // distance. `None`: outside, or no point while a place is asked.
        let bbox = q.geo.map_or((0.0, 0.0, 0.0, 0.0), |g| bounding_box(&g));
        let place = |p: Option<&GeoPoint>| -> Option<Option<f64>> {
            let Some(g) = &q.geo else { return Some(None) };
            let p = p?;
            let (lat_min, lat_max, lon_min, lon_max) = bbox;
            if p.lat < lat_min || p.lat > lat_max || p.lon < lon_min || p.lon > lon_max {
                return None;
            }
            let dist = g.centre.distance_m(p);
            (dist <= g.radius_m).then_some(Some(dist))
        };
        // Then the text and the filters (open now is a binary search).
        let rest = |doc_id: DocId,
                    d: &Doc,
                    distance: Option<f64>,
                    matches: &mut Vec<(DocId, f32, Option<f64>)>| {
            let mut score = 0.0;
            for (k, &t) in query_terms.iter().enumerate() {
                match d.terms.binary_search_by_key(&t, |(id, _)| *id) {
                    Ok(i) => score += idf[k] * d.terms[i].1,
                    Err(_) => return,
                }
            }
            if self.passes_filters(d, q, at, &live) {
                matches.push((doc_id, score, distance));
            }
        };
        let from_grid = |cs: &[(i32, i32)], matches: &mut Vec<(DocId, f32, Option<f64>)>| {
            for c in cs {
                for (id, p) in self.grid.get(c).into_iter().flatten() {
                    if let Some(distance) = place(Some(p))
                        && let Some(d) = self.docs[*id as usize].as_ref()
                    {
                        rest(*id, d, distance, matches);
                    }
                }
            }
        };
        let from_ids = |ids: &mut dyn Iterator<Item = DocId>,
                        matches: &mut Vec<(DocId, f32, Option<f64>)>| {
            for id in ids {
                if let Some(d) = self.docs[id as usize].as_ref()
                    && let Some(distance) = place(d.point.as_ref())
                {
                    rest(id, d, distance, matches);
                }
            }
        };
        match (rarest, geo_size, &cells) {
            (Some(p), Some(g), Some(cs)) if g < p.len() => from_grid(cs, &mut matches),
            (Some(p), _, _) => from_ids(&mut p.iter().copied(), &mut matches),
            (None, Some(_), Some(cs)) => from_grid(cs, &mut matches),
            _ => from_ids(&mut (0..self.docs.len() as DocId), &mut matches),
        }

        let total = matches.len();
        let key = |m: &(DocId, f32, Option<f64>)| m.2.unwrap_or(0.0);
        let order = |a: &(DocId, f32, Option<f64>), b: &(DocId, f32, Option<f64>)| {
            b.1.total_cmp(&a.1)
                .then(key(a).total_cmp(&key(b)))
                .then_with(|| self.doc(a.0).listing.id.cmp(&self.doc(b.0).listing.id))
        };
        let end = (q.offset + q.limit).min(total);
        if q.offset >= total {
            return SearchResult {
                total,
                hits: Vec::new(),
            };
        }
        // Only the requested page needs a full sort.
        if end < total {
            matches.select_nth_unstable_by(end - 1, order);
            matches.truncate(end);
        }
        matches.sort_unstable_by(order);
        let hits = matches[q.offset..end]
            .iter()
            .map(|&(doc_id, score, distance_m)| {
                let d = self.doc(doc_id);
                let next_change = self.next_change(d, at, &live);
                Hit {
                    listing: Arc::clone(&d.listing),
                    structure_name: Arc::clone(&d.structure_name),
                    distance_m,
                    walk_minutes: distance_m.map(walk_minutes),
                    status: self.status_at(d, at, &live),
                    next_change,
                    next_status: next_change.map(|t| self.status_at(d, t, &live)),
                    score,
                }
            })
            .collect();
        SearchResult { total, hits }
    }

    fn doc(&self, id: DocId) -> &Doc {
        self.docs[id as usize]
            .as_ref()
            .expect("matched documents are live")
    }

    fn passes_filters(&self, d: &Doc, q: &Query, at: DateTime<Utc>, live: &Cell<Work>) -> bool {
        let s = &d.listing;
        if !q.themes.is_empty()
            && !q
                .themes
                .iter()
                .any(|t| d.themes.binary_search(&t.as_str()).is_ok())
        {
            return false;
        }
        if let Some(p) = &q.public
            && !s.publics.iter().any(|x| *x == p || *x == "tous-publics")
        {
            return false;
        }
        if let Some(l) = &q.language {
            let speaks = if s.languages.is_empty() {
                l == "fr"
            } else {
                s.languages.iter().any(|x| x == l)
            };
            if !speaks {
                return false;
            }
        }
        if q.free_only && !s.free {
            return false;
        }
        if let Some(m) = &q.reception_mode
            && !s.reception_modes.iter().any(|x| *x == m)
        {
            return false;
        }
        if q.wheelchair_only && s.wheelchair_accessible != Some(true) {
            return false;
        }
        if q.open_at.is_some() && self.status_at(d, at, live) != Status::Open {
            return false;
        }
        if let Some((from, to)) = q.open_between
            && !self.open_between(d, from, to, live)
        {
            return false;
        }
        true
    }

    /// Whether a document is open at some moment of `[from, to)`: open at `from`, or one of its
    /// status changes before `to` opens it. Bounded: a week has a few dozen changes at most.
    fn open_between(
        &self,
        d: &Doc,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        live: &Cell<Work>,
    ) -> bool {
        let mut t = from;
        for _ in 0..256 {
            if t >= to {
                return false;
            }
            if self.status_at(d, t, live) == Status::Open {
                return true;
            }
            match self.next_change(d, t, live) {
                Some(next) if next > t => t = next,
                _ => return false,
            }
        }
        false
    }

    fn cells_around(&self, g: &GeoFilter) -> Vec<(i32, i32)> {
        let (lat_min, lat_max, lon_min, lon_max) = bounding_box(g);
        let lo = cell_of(&GeoPoint {
            lat: lat_min,
            lon: lon_min,
        });
        let hi = cell_of(&GeoPoint {
            lat: lat_max,
            lon: lon_max,
        });
        let span = (i64::from(hi.0 - lo.0) + 1) * (i64::from(hi.1 - lo.1) + 1);
        // A huge box (a centre near a pole, a wide radius) would visit more cells than exist:
        // then filter the occupied cells instead.
        if span > self.grid.len() as i64 {
            return self
                .grid
                .keys()
                .filter(|(a, b)| (lo.0..=hi.0).contains(a) && (lo.1..=hi.1).contains(b))
                .copied()
                .collect();
        }
        let mut out = Vec::new();
        for a in lo.0..=hi.0 {
            for b in lo.1..=hi.1 {
                if self.grid.contains_key(&(a, b)) {
                    out.push((a, b));
                }
            }
        }
        out
    }
}

/// What a service contributes to the index, computed without touching the index.
struct Prepared {
    listing: Listing,
    structure_name: Arc<str>,
    /// Each term with the best weight of the fields it appears in.
    weights: Vec<(String, f32)>,
    themes: Vec<&'static str>,
    timetable: Timetable,
    hours: Precomputed,
}

fn prepare(
    analyzer: &Analyzer,
    stems: &mut HashMap<String, String>,
    service: Service,
    structure_name: Arc<str>,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Prepared {
    let mut weights: HashMap<String, f32> = HashMap::new();
    let mut add = |text: &str, w: f32| {
        analyzer.for_each_term(text, stems, |t| match weights.get_mut(t) {
            Some(e) => *e = e.max(w),
            None => {
                weights.insert(t.to_owned(), w);
            }
        });
    };
    add(service.name.as_str(), W_NAME);
    add(&structure_name, W_STRUCTURE);
    add(&service.description, W_DESCRIPTION);
    let mut themes: Vec<&'static str> = Vec::with_capacity(service.themes.len() * 2);
    for slug in &service.themes {
        if let Some(label) = theme_label(slug) {
            add(label, W_THEME);
        }
        let parent = theme_parent(slug);
        if let Some(label) = theme_label(parent) {
            add(label, W_THEME);
        }
        themes.extend(static_theme(slug));
        if parent != slug {
            themes.extend(static_theme(parent));
        }
    }
    themes.sort_unstable();
    themes.dedup();
    let timetable = service.timetable();
    let hours = Precomputed::of(&timetable, start, end);
    Prepared {
        weights: weights.into_iter().collect(),
        listing: Listing::of(&service),
        structure_name,
        themes,
        timetable,
        hours,
    }
}

/// The referential's own copy of a theme slug (shared by every document, never freed).
pub(crate) fn static_theme(slug: &str) -> Option<&'static str> {
    themes().get(slug).map(|e| e.value.as_str()).or_else(|| {
        PARENT_THEMES
            .iter()
            .find(|(p, _)| *p == slug)
            .map(|(p, _)| *p)
    })
}

/// A box that contains the circle: (lat min, lat max, lon min, lon max), in degrees. Margins
/// are generous on purpose — fewer metres per degree (110.574 km) than the sphere of
/// `distance_m` (111.195 km), and the longitude span taken at the circle's highest latitude — so
/// that no point of the circle falls outside; the exact distance decides at the edge.
fn bounding_box(g: &GeoFilter) -> (f64, f64, f64, f64) {
    let dlat = g.radius_m / 110_574.0 + 1e-9;
    let widest = (g.centre.lat.abs() + dlat).min(89.9).to_radians().cos();
    let dlon = (g.radius_m / (110_574.0 * widest)).min(360.0) + 1e-9;
    (
        g.centre.lat - dlat,
        g.centre.lat + dlat,
        g.centre.lon - dlon,
        g.centre.lon + dlon,
    )
}
