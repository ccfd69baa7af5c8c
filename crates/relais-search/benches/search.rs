//! Search latency on 50,000 demo services, in process.
//!
//!   cargo bench -p relais-search --bench search
//!
//! Criterion gives the mean of each query kind; after it, every kind is run 20,000 times over
//! varied centres and texts, each call timed alone, and p50/p99 printed (the targets in
//! BENCHMARKS.md are percentiles, which criterion does not report). Nothing here asserts on time:
//! the machines that run it are shared.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use criterion::{BatchSize, Criterion};

use relais_domain::geo::GeoPoint;
use relais_domain::{Service, Structure};
use relais_search::{GeoFilter, Index, Query};

const SERVICES: usize = 50_000;
const SEED: u64 = 42;
/// Calls per query kind for the percentiles.
const TIMED_CALLS: usize = 20_000;
const RADIUS_M: f64 = 2_000.0;
/// The parent theme of legal help in data·inclusion's referential.
const LEGAL_THEME: &str = "difficultes-administratives-ou-juridiques";

/// A Thursday, 10:30 in Paris: most permanences with hours are open or about to open.
fn fixed_now() -> DateTime<Utc> {
    Paris
        .with_ymd_and_hms(2026, 11, 26, 10, 30, 0)
        .single()
        .expect("10:30 exists on that day")
        .with_timezone(&Utc)
}

/// The demo set dated on the day of [`fixed_now`], so that closures (and so open-now) are the
/// same from one run to the next whatever the day the bench runs.
fn dataset() -> (Vec<Structure>, Vec<Service>) {
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date");
    relais_exchange::demo_dataset_on(SERVICES, SEED, day, &mut |_| {})
}

fn point(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::new(lat, lon).expect("a point in the Métropole")
}

/// Paris 18e (porte de Clignancourt side), the centre of the criterion benches.
fn paris_18() -> GeoPoint {
    point(48.892, 2.348)
}

/// Centres spread over the Métropole (Paris arrondissements and the three inner départements),
/// so that the percentiles cover dense and sparse cells alike.
fn centres() -> Vec<GeoPoint> {
    [
        (48.892, 2.348),   // Paris 18e
        (48.8566, 2.3522), // Paris 4e
        (48.8414, 2.2530), // Paris 16e
        (48.8323, 2.3560), // Paris 13e
        (48.8640, 2.3984), // Paris 20e
        (48.9362, 2.3574), // Saint-Denis
        (48.8638, 2.4485), // Montreuil
        (48.7904, 2.4556), // Créteil
        (48.8924, 2.2069), // Nanterre
        (48.8353, 2.2412), // Boulogne-Billancourt
        (48.9566, 2.5463), // Aulnay-sous-Bois
        (48.7596, 2.3265), // Antony
        (48.8156, 2.3630), // Ivry-sur-Seine
        (48.9075, 2.4806), // Bondy
        (48.7417, 2.4006), // Orly
        (48.8817, 2.2708), // Neuilly-sur-Seine
    ]
    .into_iter()
    .map(|(lat, lon)| point(lat, lon))
    .collect()
}

/// Texts people type when looking for free legal advice.
const TEXTS: &[&str] = &[
    "aide juridique",
    "juridique",
    "avocat",
    "accès au droit",
    "droit du travail",
    "logement",
    "consultation gratuite",
    "point justice",
    "médiation",
    "droit des étrangers",
    "surendettement",
    "conciliateur",
];

fn text_only(text: &str) -> Query {
    Query {
        text: Some(text.to_owned()),
        limit: 20,
        ..Query::default()
    }
}

fn geo_theme(centre: GeoPoint) -> Query {
    Query {
        geo: Some(GeoFilter {
            centre,
            radius_m: RADIUS_M,
        }),
        themes: vec![LEGAL_THEME.to_owned()],
        limit: 20,
        ..Query::default()
    }
}

fn text_geo_open(text: &str, centre: GeoPoint, now: DateTime<Utc>) -> Query {
    Query {
        text: Some(text.to_owned()),
        geo: Some(GeoFilter {
            centre,
            radius_m: RADIUS_M,
        }),
        open_at: Some(now),
        limit: 20,
        ..Query::default()
    }
}

fn criterion_benches(c: &mut Criterion, index: &Index, now: DateTime<Utc>) {
    let mut g = c.benchmark_group("search_50k");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let q = text_only("aide juridique");
    g.bench_function("text_only", |b| {
        b.iter(|| black_box(index.search(black_box(&q), now)));
    });
    let q = geo_theme(paris_18());
    g.bench_function("geo_theme", |b| {
        b.iter(|| black_box(index.search(black_box(&q), now)));
    });
    let q = text_geo_open("juridique", paris_18(), now);
    g.bench_function("text_geo_open_now", |b| {
        b.iter(|| black_box(index.search(black_box(&q), now)));
    });
    g.finish();

    let mut g = c.benchmark_group("build_50k");
    // A build takes about a second: the fewest samples criterion accepts.
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(15));
    let (structures, services) = dataset();
    g.bench_function("index_build", |b| {
        b.iter_batched(
            || services.clone(),
            |s| black_box(Index::build(&structures, s, now)),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

/// p50 and p99 of `calls` searches, each timed alone; prints one line.
fn percentiles(name: &str, index: &Index, now: DateTime<Utc>, queries: &[Query]) {
    // Warm up caches and the branch predictor on every query once.
    let mut hits = 0usize;
    for q in queries {
        hits += index.search(q, now).total;
    }
    let mut times: Vec<Duration> = Vec::with_capacity(TIMED_CALLS);
    for i in 0..TIMED_CALLS {
        let q = &queries[i % queries.len()];
        let start = Instant::now();
        let r = black_box(index.search(black_box(q), now));
        times.push(start.elapsed());
        black_box(r.total);
    }
    times.sort_unstable();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{name:<22} calls={TIMED_CALLS} queries={} mean_total_hits={} p50={:.3}ms p99={:.3}ms \
         mean={:.3}ms max={:.3}ms",
        queries.len(),
        hits / queries.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    let now = fixed_now();
    let (structures, services) = dataset();
    let start = Instant::now();
    let index = Index::build(&structures, services, now);
    let build = start.elapsed();

    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &index, now);
    c.final_summary();

    // `cargo test --benches` runs this binary without `--bench`: criterion then runs each bench
    // once, and the 60,000 timed calls below are skipped.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!();
    println!(
        "relais-search percentiles: {} services, {} terms, now={now} (Europe/Paris {}), \
         single build {:.2}s",
        index.len(),
        index.stats().terms,
        now.with_timezone(&Paris).format("%A %H:%M"),
        build.as_secs_f64(),
    );
    let centres = centres();
    let texts: Vec<Query> = TEXTS.iter().map(|t| text_only(t)).collect();
    percentiles("text_only", &index, now, &texts);
    let geo: Vec<Query> = centres.iter().map(|&c| geo_theme(c)).collect();
    percentiles("geo_theme", &index, now, &geo);
    let open: Vec<Query> = centres
        .iter()
        .map(|&c| text_geo_open("juridique", c, now))
        .collect();
    percentiles("text_geo_open_now", &index, now, &open);
    // The same with varied texts too (one text per centre, cycling).
    let mixed: Vec<Query> = centres
        .iter()
        .enumerate()
        .map(|(i, &c)| text_geo_open(TEXTS[i % TEXTS.len()], c, now))
        .collect();
    percentiles("text_geo_open_mixed", &index, now, &mixed);
}
