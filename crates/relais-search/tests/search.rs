//! The index answers what a person asks: text, place, filters, open now, in a stable order.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use proptest::prelude::*;

use relais_domain::geo::GeoPoint;
use relais_domain::hours::{OpeningHours, Status};
use relais_domain::text::Name;
use relais_domain::{
    Closure, InseeCode, Location, Service, ServiceHours, ServiceId, Structure, StructureId,
};
use relais_search::{GeoFilter, Index, Query};

fn structure() -> Structure {
    Structure {
        id: StructureId::derive("test", "s1"),
        source: "test".into(),
        source_id: "s1".into(),
        name: Name::parse("Barreau de Paris Solidarité").expect("name"),
        siret: None,
        description: None,
        location: Location::default(),
        phone: None,
        email: None,
        website: None,
        source_link: None,
        accessibility_link: None,
        hours_text: None,
        networks: vec![],
        updated_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
    }
}

fn service(
    id: &str,
    name: &str,
    themes: &[&str],
    point: (f64, f64),
    hours: Option<&str>,
) -> Service {
    Service {
        id: ServiceId::derive("test", id),
        structure_id: StructureId::derive("test", "s1"),
        source: "test".into(),
        source_id: id.into(),
        name: Name::parse(name).expect("name"),
        description: "Permanence d'information.".into(),
        kind: None,
        themes: themes.iter().map(|s| (*s).to_owned()).collect(),
        publics: vec!["tous-publics".into()],
        publics_details: None,
        fee: Some("gratuit".into()),
        fee_details: None,
        reception_modes: vec!["en-presentiel".into()],
        mobilisation_modes: vec![],
        mobilisable_by: vec![],
        mobilisation_details: None,
        mobilisation_link: None,
        access_conditions: None,
        location: Location {
            insee: Some(InseeCode::parse("75056").expect("insee")),
            point: Some(GeoPoint::new(point.0, point.1).expect("point")),
            ..Location::default()
        },
        phone: None,
        email: None,
        contact_name: None,
        hours: match hours {
            Some(h) => ServiceHours::Osm(OpeningHours::parse(h).expect("hours")),
            None => ServiceHours::None,
        },
        closures: vec![],
        languages: vec!["fr".into()],
        wheelchair_accessible: None,
        eligibility_zone: vec![],
        source_link: None,
        updated_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        verified_at: None,
    }
}

const JURIDIQUE: &str =
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
const LOGEMENT: &str = "logement-hebergement--se-maintenir-dans-le-logement";
const HOTEL_DE_VILLE: (f64, f64) = (48.8566, 2.3522);

fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Paris
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("local time")
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    // Thursday 26 November 2026, 10:30 in Paris.
    paris(2026, 11, 26, 10, 30)
}

fn sample() -> Index {
    let services = vec![
        service(
            "a",
            "Consultation juridique gratuite",
            &[JURIDIQUE],
            (48.8570, 2.3525),
            Some("Mo-Fr 09:00-12:00"),
        ),
        service(
            "b",
            "Droits des étrangers",
            &[JURIDIQUE],
            (48.8600, 2.3600),
            Some("Tu 14:00-17:00"),
        ),
        service(
            "c",
            "Maintien dans le logement",
            &[LOGEMENT],
            (48.8566, 2.3522),
            Some("24/7"),
        ),
        service(
            "d",
            "Permanence juridique à Saint-Denis",
            &[JURIDIQUE],
            (48.9356, 2.3539),
            Some("Mo-Fr 09:00-17:00"),
        ),
        service(
            "e",
            "Écrivain public",
            &[JURIDIQUE],
            (48.8580, 2.3530),
            None,
        ),
    ];
    Index::build(&[structure()], services, now())
}

fn names(r: &relais_search::SearchResult) -> Vec<&str> {
    r.hits.iter().map(|h| h.listing.name.as_str()).collect()
}

fn query() -> Query {
    Query {
        limit: 20,
        ..Query::default()
    }
}

#[test]
fn text_is_stemmed_and_accent_insensitive() {
    let idx = sample();
    let r = idx.search(
        &Query {
            text: Some("juridiques".into()),
            ..query()
        },
        now(),
    );
    assert!(names(&r).contains(&"Consultation juridique gratuite"));
    let r = idx.search(
        &Query {
            text: Some("etrangers".into()),
            ..query()
        },
        now(),
    );
    assert_eq!(names(&r), vec!["Droits des étrangers"]);
    let r = idx.search(
        &Query {
            text: Some("ÉTRANGER".into()),
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 1);
    // Every term must match.
    let r = idx.search(
        &Query {
            text: Some("étrangers logement".into()),
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 0);
    // Structure names and theme labels are searchable too.
    let r = idx.search(
        &Query {
            text: Some("barreau".into()),
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 5);
    let r = idx.search(
        &Query {
            text: Some("hébergement".into()),
            ..query()
        },
        now(),
    );
    assert_eq!(names(&r), vec!["Maintien dans le logement"]);
}

#[test]
fn geo_radius_distance_and_walking_time() {
    let idx = sample();
    let centre = GeoPoint::new(HOTEL_DE_VILLE.0, HOTEL_DE_VILLE.1).expect("point");
    let r = idx.search(
        &Query {
            geo: Some(GeoFilter {
                centre,
                radius_m: 2000.0,
            }),
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 4, "Saint-Denis is 8.8 km away");
    let first = &r.hits[0];
    assert_eq!(first.listing.name.as_str(), "Maintien dans le logement");
    assert_eq!(first.distance_m.map(|d| d.round()), Some(0.0));
    assert_eq!(first.walk_minutes, Some(0));
    let dists: Vec<f64> = r.hits.iter().map(|h| h.distance_m.expect("geo")).collect();
    assert!(dists.windows(2).all(|w| w[0] <= w[1]), "{dists:?}");
    let b = r
        .hits
        .iter()
        .find(|h| h.listing.id == ServiceId::derive("test", "b"))
        .expect("b");
    let d = b.distance_m.expect("geo");
    assert_eq!(b.walk_minutes, Some((d * 1.3 / 75.0).ceil() as u32));
}

#[test]
fn relevance_first_then_distance() {
    let idx = sample();
    let centre = GeoPoint::new(48.9356, 2.3539).expect("point");
    let r = idx.search(
        &Query {
            text: Some("juridique".into()),
            geo: Some(GeoFilter {
                centre,
                radius_m: 20_000.0,
            }),
            ..query()
        },
        now(),
    );
    // "juridique" is in the names of a and d (weight 3) and only in the theme of b and e: the two
    // name matches come first, and between them the nearer one (Saint-Denis) first.
    let n = names(&r);
    assert_eq!(
        &n[..2],
        &[
            "Permanence juridique à Saint-Denis",
            "Consultation juridique gratuite"
        ]
    );
    assert_eq!(r.total, 4);
}

#[test]
fn parent_theme_matches_children() {
    let idx = sample();
    let r = idx.search(
        &Query {
            themes: vec!["difficultes-administratives-ou-juridiques".into()],
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 4);
    let r = idx.search(
        &Query {
            themes: vec![LOGEMENT.into()],
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 1);
}

#[test]
fn open_now_uses_the_hours() {
    let idx = sample();
    // Thursday 10:30: a (Mo-Fr 9-12), c (24/7), d (Mo-Fr 9-17) are open; b (Tu) closed; e unknown.
    let r = idx.search(
        &Query {
            open_at: Some(now()),
            ..query()
        },
        now(),
    );
    let mut n = names(&r);
    n.sort();
    assert_eq!(
        n,
        vec![
            "Consultation juridique gratuite",
            "Maintien dans le logement",
            "Permanence juridique à Saint-Denis"
        ]
    );
    let all = idx.search(&query(), now());
    let e = all
        .hits
        .iter()
        .find(|h| h.listing.id == ServiceId::derive("test", "e"))
        .expect("e");
    assert_eq!(e.status, Status::Unknown);
    let a = all
        .hits
        .iter()
        .find(|h| h.listing.id == ServiceId::derive("test", "a"))
        .expect("a");
    assert_eq!(a.status, Status::Open);
    assert_eq!(a.next_change, Some(paris(2026, 11, 26, 12, 0)));
    // Open at a later instant, outside today: Tuesday 1 December 15:00 → b and c.
    let r = idx.search(
        &Query {
            open_at: Some(paris(2026, 12, 1, 15, 0)),
            ..query()
        },
        now(),
    );
    let mut n = names(&r);
    n.sort();
    assert_eq!(
        n,
        vec![
            "Droits des étrangers",
            "Maintien dans le logement",
            "Permanence juridique à Saint-Denis"
        ]
    );
    // Beyond the precomputed window the answer is evaluated live and agrees.
    let far = paris(2027, 3, 2, 15, 0);
    let r = idx.search(
        &Query {
            open_at: Some(far),
            ..query()
        },
        now(),
    );
    assert_eq!(r.total, 3);
}

#[test]
fn open_between_finds_later_openings() {
    let idx = sample();
    let names_between = |from, to| {
        let r = idx.search(
            &Query {
                open_between: Some((from, to)),
                ..query()
            },
            now(),
        );
        let mut n: Vec<String> = names(&r).into_iter().map(str::to_owned).collect();
        n.sort();
        n
    };
    // Thursday 13:00 to midnight: a (Mo-Fr 9-12) has closed, b (Tu) is not today, e unknown.
    assert_eq!(
        names_between(paris(2026, 11, 26, 13, 0), paris(2026, 11, 27, 0, 0)),
        vec![
            "Maintien dans le logement",
            "Permanence juridique à Saint-Denis"
        ]
    );
    // Thursday 07:00 to 08:00: only the 24/7 service; a opens at 9:00, after the end.
    assert_eq!(
        names_between(paris(2026, 11, 26, 7, 0), paris(2026, 11, 26, 8, 0)),
        vec!["Maintien dans le logement"]
    );
    // The week: b opens on Tuesday; e (comment only, unknown) never counts as open.
    assert_eq!(
        names_between(paris(2026, 11, 26, 13, 0), paris(2026, 12, 3, 13, 0)).len(),
        4
    );
    // Every hit says what its next status is.
    let all = idx.search(&query(), paris(2026, 11, 26, 13, 0));
    let a = all
        .hits
        .iter()
        .find(|h| h.listing.id == ServiceId::derive("test", "a"))
        .expect("a");
    assert_eq!(a.status, Status::Closed);
    assert_eq!(a.next_change, Some(paris(2026, 11, 27, 9, 0)));
    assert_eq!(a.next_status, Some(Status::Open));
}

#[test]
fn closures_close_the_service() {
    let mut s = service(
        "x",
        "Accueil de jour",
        &[LOGEMENT],
        HOTEL_DE_VILLE,
        Some("24/7"),
    );
    s.closures = vec![
        Closure::new(
            NaiveDate::from_ymd_opt(2026, 12, 24).expect("d"),
            NaiveDate::from_ymd_opt(2027, 1, 2).expect("d"),
            "Fermeture de fin d'année",
        )
        .expect("closure"),
    ];
    let idx = Index::build(&[structure()], vec![s], paris(2026, 12, 23, 10, 0));
    let q = |at| Query {
        open_at: Some(at),
        ..query()
    };
    assert_eq!(
        idx.search(&q(paris(2026, 12, 23, 23, 0)), paris(2026, 12, 23, 10, 0))
            .total,
        1
    );
    assert_eq!(
        idx.search(&q(paris(2026, 12, 25, 12, 0)), paris(2026, 12, 23, 10, 0))
            .total,
        0
    );
    assert_eq!(
        idx.search(&q(paris(2027, 1, 3, 0, 30)), paris(2026, 12, 23, 10, 0))
            .total,
        1
    );
}

#[test]
fn filters_language_free_accessible() {
    let mut a = service("a", "Accès aux droits", &[JURIDIQUE], HOTEL_DE_VILLE, None);
    a.languages = vec!["fr".into(), "ar".into()];
    a.wheelchair_accessible = Some(true);
    let mut b = service(
        "b",
        "Accès aux droits payant",
        &[JURIDIQUE],
        HOTEL_DE_VILLE,
        None,
    );
    b.fee = Some("payant".into());
    b.languages = vec![];
    b.reception_modes = vec!["a-distance".into()];
    b.publics = vec!["femmes".into()];
    let idx = Index::build(&[structure()], vec![a, b], now());
    let count = |q: Query| idx.search(&q, now()).total;
    assert_eq!(
        count(Query {
            language: Some("ar".into()),
            ..query()
        }),
        1
    );
    assert_eq!(
        count(Query {
            language: Some("fr".into()),
            ..query()
        }),
        2,
        "no language listed: French"
    );
    assert_eq!(
        count(Query {
            free_only: true,
            ..query()
        }),
        1
    );
    assert_eq!(
        count(Query {
            wheelchair_only: true,
            ..query()
        }),
        1
    );
    assert_eq!(
        count(Query {
            reception_mode: Some("a-distance".into()),
            ..query()
        }),
        1
    );
    assert_eq!(
        count(Query {
            public: Some("femmes".into()),
            ..query()
        }),
        2,
        "tous-publics serves everyone"
    );
    assert_eq!(
        count(Query {
            public: Some("jeunes".into()),
            ..query()
        }),
        1
    );
}

#[test]
fn upsert_and_remove_keep_the_index_current() {
    let mut idx = sample();
    let mut changed = service(
        "b",
        "Droits des migrants",
        &[JURIDIQUE],
        (48.86, 2.36),
        None,
    );
    changed.description = "Nouveau texte".into();
    idx.upsert(changed);
    assert_eq!(idx.len(), 5);
    assert_eq!(
        idx.search(
            &Query {
                text: Some("étrangers".into()),
                ..query()
            },
            now()
        )
        .total,
        0
    );
    assert_eq!(
        idx.search(
            &Query {
                text: Some("migrants".into()),
                ..query()
            },
            now()
        )
        .total,
        1
    );
    idx.remove(ServiceId::derive("test", "b"));
    assert_eq!(idx.len(), 4);
    assert_eq!(
        idx.search(
            &Query {
                text: Some("migrants".into()),
                ..query()
            },
            now()
        )
        .total,
        0
    );
    // Many rewrites trigger compaction without losing anything.
    for i in 0..3000 {
        idx.upsert(service(
            "c",
            &format!("Logement {i}"),
            &[LOGEMENT],
            HOTEL_DE_VILLE,
            None,
        ));
    }
    assert_eq!(idx.len(), 4);
    assert_eq!(
        idx.search(
            &Query {
                text: Some("logement".into()),
                ..query()
            },
            now()
        )
        .total,
        1
    );
}

fn many() -> Vec<Service> {
    (0..60)
        .map(|i| {
            let lat = 48.80 + f64::from(i % 10) * 0.01;
            let lon = 2.30 + f64::from(i / 10) * 0.01;
            let theme = if i % 3 == 0 { LOGEMENT } else { JURIDIQUE };
            service(
                &format!("s{i}"),
                &format!("Service juridique {i}"),
                &[theme],
                (lat, lon),
                Some("Mo-Fr 09:00-17:00"),
            )
        })
        .collect()
}

proptest! {
    /// Pages are stable: concatenating pages gives the full ordered list, without duplicates.
    #[test]
    fn pagination_is_stable(limit in 1usize..15, text in proptest::option::of(Just("juridique".to_owned())), radius in 500.0f64..8000.0) {
        let idx = Index::build(&[structure()], many(), now());
        let centre = GeoPoint::new(48.84, 2.32).expect("point");
        let base = Query { text, geo: Some(GeoFilter { centre, radius_m: radius }), limit: 100, ..Query::default() };
        let full = idx.search(&base, now());
        let mut paged = Vec::new();
        let mut offset = 0;
        while offset < full.total {
            let page = idx.search(&Query { limit, offset, ..base.clone() }, now());
            prop_assert_eq!(page.total, full.total);
            paged.extend(page.hits.iter().map(|h| h.listing.id));
            offset += limit;
        }
        let expected: Vec<ServiceId> = full.hits.iter().map(|h| h.listing.id).collect();
        prop_assert_eq!(paged, expected);
        for h in &full.hits {
            prop_assert!(h.distance_m.expect("geo") <= radius);
        }
    }

    /// The grid never loses a service inside the radius: same answer as a brute-force scan.
    #[test]
    fn geo_matches_brute_force(lat in 48.78f64..48.92, lon in 2.28f64..2.38, radius in 100.0f64..6000.0) {
        let services = many();
        let centre = GeoPoint::new(lat, lon).expect("point");
        let expected = services
            .iter()
            .filter(|s| s.location.point.expect("point").distance_m(&centre) <= radius)
            .count();
        let idx = Index::build(&[structure()], services, now());
        let r = idx.search(&Query { geo: Some(GeoFilter { centre, radius_m: radius }), limit: 100, ..Query::default() }, now());
        prop_assert_eq!(r.total, expected);
    }
}

#[test]
fn the_hours_window_moves_to_a_new_day_like_a_fresh_build() {
    let services = many();
    let day1 = now();
    let day3 = paris(2026, 11, 28, 9, 30);
    let mut idx = Index::build(&[structure()], services.clone(), day1);
    assert!(idx.window_is_stale(day3));
    let update = idx.compute_window(day3).expect("a new day");
    // A change lands between computing and installing the window.
    idx.upsert(service(
        "s1",
        "Service juridique 1 bis",
        &[JURIDIQUE],
        (48.81, 2.30),
        Some("Sa 09:00-12:00"),
    ));
    idx.apply_window(update);
    assert!(!idx.window_is_stale(day3));
    let mut expected = services;
    expected[1] = service(
        "s1",
        "Service juridique 1 bis",
        &[JURIDIQUE],
        (48.81, 2.30),
        Some("Sa 09:00-12:00"),
    );
    let fresh = Index::build(&[structure()], expected, day3);
    // Saturday 28 November, 10:00: only the updated service is open, in both.
    for at in [
        paris(2026, 11, 28, 10, 0),
        paris(2026, 12, 1, 10, 0),
        paris(2026, 12, 4, 16, 59),
    ] {
        let q = Query {
            open_at: Some(at),
            limit: 100,
            ..Query::default()
        };
        let a: Vec<ServiceId> = idx
            .search(&q, day3)
            .hits
            .iter()
            .map(|h| h.listing.id)
            .collect();
        let b: Vec<ServiceId> = fresh
            .search(&q, day3)
            .hits
            .iter()
            .map(|h| h.listing.id)
            .collect();
        assert_eq!(a, b, "{at}");
    }
    assert_eq!(
        idx.search(
            &Query {
                open_at: Some(paris(2026, 11, 28, 10, 0)),
                limit: 100,
                ..Query::default()
            },
            day3
        )
        .total,
        1
    );
    // A window computed before a compaction is still installed correctly.
    let update = idx
        .compute_window(paris(2026, 11, 30, 9, 0))
        .expect("a new day");
    for i in 0..3000 {
        idx.upsert(service(
            "s2",
            &format!("Service {i}"),
            &[JURIDIQUE],
            (48.82, 2.30),
            Some("Mo-Fr 09:00-17:00"),
        ));
    }
    idx.apply_window(update);
    let monday = Query {
        open_at: Some(paris(2026, 11, 30, 10, 0)),
        limit: 100,
        ..Query::default()
    };
    assert_eq!(idx.search(&monday, paris(2026, 11, 30, 9, 0)).total, 59);
}

/// Hours whose next change often lies beyond the 8-day window: the case that made every hit
/// evaluate its hours live (issue 9, « A regression of the search »).
const WINDOW_SAMPLES: &[&str] = &[
    "Mo-Fr 09:00-12:00",
    "Tu 14:00-17:00",
    "24/7",
    "off",
    "Dec 25 10:00-12:00",
    "Jan 10-Jan 20 Mo-Fr 09:00-17:00",
    "Mo-Su 09:00-17:00; PH off",
    "week 01-53/2 We 10:00-12:00",
    r#"Th 09:00-12:00 "sur rendez-vous""#,
    "Sa[1] 10:00-12:00",
];

fn window_sample() -> Index {
    let services = WINDOW_SAMPLES
        .iter()
        .enumerate()
        .map(|(i, h)| {
            service(
                &format!("w{i}"),
                &format!("Permanence {i}"),
                &[JURIDIQUE],
                (48.85 + i as f64 * 0.001, 2.35),
                Some(h),
            )
        })
        .collect();
    Index::build(&[structure()], services, now())
}

proptest! {
    /// Inside the window, a search evaluates nothing: with no work allowed for live
    /// evaluation, every hit's status, next change and status then are still those of the
    /// service's own timetable.
    #[test]
    fn searches_in_the_window_read_only_precomputed_hours(minutes in 0i64..(8 * 24 * 60 - 1)) {
        let idx = window_sample();
        let start = paris(2026, 11, 26, 0, 0);
        let at = start + chrono::Duration::minutes(minutes);
        let q = Query { open_at: Some(at), ..query() };
        let all = Query { limit: 100, ..query() };
        let open = idx.search_within(&q, at, relais_domain::hours::Work::new(0));
        let every = idx.search_within(&all, at, relais_domain::hours::Work::new(0));
        prop_assert_eq!(every.total, WINDOW_SAMPLES.len());
        for hit in &every.hits {
            let i: usize = hit.listing.name.as_str()["Permanence ".len()..].parse().unwrap();
            let t = service(&format!("w{i}"), "x", &[JURIDIQUE], (48.85, 2.35), Some(WINDOW_SAMPLES[i])).timetable();
            let (status, next) = t.status_and_next_change(at);
            prop_assert_eq!(hit.status, status, "{}", WINDOW_SAMPLES[i]);
            prop_assert_eq!(hit.next_change, next, "{}", WINDOW_SAMPLES[i]);
            prop_assert_eq!(hit.next_status, next.map(|n| t.status_at(n)), "{}", WINDOW_SAMPLES[i]);
            let listed = open.hits.iter().any(|h| h.listing.id == hit.listing.id);
            prop_assert_eq!(listed, status == Status::Open);
        }
    }
}

#[test]
fn a_service_page_reads_its_week_from_the_index() {
    let idx = window_sample();
    let id = ServiceId::derive("test", "w4");
    let at = now();
    let view = idx
        .hours_view(id, at)
        .expect("indexed, on the window's first day");
    let t = service(
        "w4",
        "x",
        &[JURIDIQUE],
        (48.85, 2.35),
        Some("Dec 25 10:00-12:00"),
    )
    .timetable();
    assert_eq!(view.status, Status::Closed);
    assert_eq!(view.next_change, Some(paris(2026, 12, 25, 10, 0)));
    assert_eq!(view.next_status, Some(Status::Open));
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    let week: Vec<_> = (0..7)
        .map(|i| t.day(today + chrono::Duration::days(i)))
        .collect();
    assert_eq!(&*view.week, &week[..]);
    // Another day than the window's: the caller evaluates itself.
    assert!(idx.hours_view(id, paris(2026, 11, 27, 10, 0)).is_none());
    assert!(
        idx.hours_view(ServiceId::derive("test", "nope"), at)
            .is_none()
    );
}
