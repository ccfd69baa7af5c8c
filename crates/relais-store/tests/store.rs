//! The store's one suite, run on both backends: SQLite in a temporary directory by default, and
//! PostgreSQL when `TEST_DATABASE_URL=postgres://…` is set (each test in a database of its own,
//! created through that URL and dropped at the end). See `scripts/pg-test-cluster.sh`.

use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDate, TimeZone, Utc};
use relais_domain::directory::{Closure, Location, Service, ServiceHours, Structure};
use relais_domain::geo::{GeoPoint, InseeCode, Postcode};
use relais_domain::hours::OpeningHours;
use relais_domain::ids::{ServiceId, StructureId};
use relais_domain::text::Name;
use relais_store::{Backend, Change, Counts, DynStore, StoreError, connect};
use sqlx::Connection;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// A fresh database per test.

/// A store on a database of its own. Call [`TestDb::finish`] at the end to drop a PostgreSQL
/// database (a test that panics leaves it behind in the throwaway cluster).
struct TestDb {
    store: DynStore,
    url: String,
    /// Keeps the SQLite directory alive.
    _dir: TempDir,
    pg: Option<PgTestDb>,
}

struct PgTestDb {
    admin_url: String,
    name: String,
}

impl TestDb {
    async fn new() -> Self {
        let dir = TempDir::new().expect("tempdir");
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => {
                assert!(
                    admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://"),
                    "TEST_DATABASE_URL must be a postgres:// URL"
                );
                let name = format!("relais_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("admin connection");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let store = connect(&url).await.expect("connect to the test database");
                assert_eq!(store.backend(), Backend::Postgres);
                Self {
                    store,
                    url,
                    _dir: dir,
                    pg: Some(PgTestDb { admin_url, name }),
                }
            }
            None => {
                let url = format!("sqlite:{}", dir.path().join("relais.db").display());
                let store = connect(&url).await.expect("connect to the test database");
                assert_eq!(store.backend(), Backend::Sqlite);
                Self {
                    store,
                    url,
                    _dir: dir,
                    pg: None,
                }
            }
        }
    }

    async fn finish(self) {
        let Self { store, pg, .. } = self;
        drop(store);
        if let Some(pg) = pg {
            let mut admin = sqlx::PgConnection::connect(&pg.admin_url)
                .await
                .expect("admin connection");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name))
                .execute(&mut admin)
                .await
                .expect("drop test database");
        }
    }
}

/// `postgres://u@h:p/db?x` with `db` replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

// ---------------------------------------------------------------------------------------------
// Values built by hand.

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn structure(source_id: &str) -> Structure {
    Structure {
        id: StructureId::derive("test", source_id),
        source: "test".into(),
        source_id: source_id.into(),
        name: Name::parse(&format!("Ordre des avocats {source_id}")).expect("name"),
        siret: Some("77567226700014".into()),
        description: Some("Consultations juridiques gratuites".into()),
        location: Location {
            address: Some("2 rue de Harlay".into()),
            address_complement: None,
            postcode: Some(Postcode::parse("75001").expect("postcode")),
            commune: Some("Paris".into()),
            insee: Some(InseeCode::parse("75101").expect("insee")),
            point: Some(GeoPoint::new(48.8559, 2.3422).expect("point")),
        },
        phone: Some("01 44 32 48 48".into()),
        email: None,
        website: Some("https://www.avocatparis.org".into()),
        source_link: None,
        accessibility_link: None,
        hours_text: Some("Mo-Fr 09:00-17:00".into()),
        networks: vec!["barreau".into()],
        updated_on: day(2026, 1, 15),
    }
}

/// A minimal service of structure `of`.
fn service(of: &Structure, source_id: &str) -> Service {
    Service {
        id: ServiceId::derive("test", source_id),
        structure_id: of.id,
        source: "test".into(),
        source_id: source_id.into(),
        name: Name::parse(&format!("Permanence {source_id}")).expect("name"),
        description: "Conseil juridique gratuit".into(),
        kind: None,
        themes: vec![],
        publics: vec![],
        publics_details: None,
        fee: None,
        fee_details: None,
        reception_modes: vec![],
        mobilisation_modes: vec![],
        mobilisable_by: vec![],
        mobilisation_details: None,
        mobilisation_link: None,
        access_conditions: None,
        location: Location::default(),
        phone: None,
        email: None,
        contact_name: None,
        hours: ServiceHours::None,
        closures: vec![],
        languages: vec![],
        wheelchair_accessible: None,
        eligibility_zone: vec![],
        source_link: None,
        updated_on: day(2026, 2, 1),
        verified_at: None,
    }
}

/// A service with every field set.
fn full_service(of: &Structure, source_id: &str, hours: ServiceHours) -> Service {
    Service {
        kind: Some("accompagnement".into()),
        themes: vec!["acces-aux-droits-et-citoyennete--accompagnement-juridique".into()],
        publics: vec!["tous-publics".into(), "personnes-exilees".into()],
        publics_details: Some("Sans condition de ressources".into()),
        fee: Some("gratuit".into()),
        fee_details: Some("Aucun frais".into()),
        reception_modes: vec!["en-presentiel".into(), "a-distance".into()],
        mobilisation_modes: vec!["se-presenter".into(), "telephoner".into()],
        mobilisable_by: vec!["usagers".into(), "professionnels".into()],
        mobilisation_details: Some("Se présenter 15 minutes avant".into()),
        mobilisation_link: Some("https://example.org/rdv".into()),
        access_conditions: Some("Pièce d'identité si possible".into()),
        location: Location {
            address: Some("4 boulevard du Palais".into()),
            address_complement: Some("Escalier B, 2ᵉ étage".into()),
            postcode: Some(Postcode::parse("93200").expect("postcode")),
            commune: Some("Saint-Denis".into()),
            insee: Some(InseeCode::parse("93066").expect("insee")),
            point: Some(GeoPoint::new(48.935_623_1, 2.358_071_9).expect("point")),
        },
        phone: Some("+33 1 23 45 67 89".into()),
        email: Some("permanence@example.org".into()),
        contact_name: Some("Accueil".into()),
        hours,
        closures: vec![
            Closure::new(
                day(2026, 12, 24),
                day(2027, 1, 2),
                "Fermeture de fin d'année",
            )
            .expect("closure"),
            Closure::new(day(2026, 8, 1), day(2026, 8, 31), "Congés d'été — « août »")
                .expect("closure"),
        ],
        languages: vec!["fr".into(), "en".into(), "ar".into()],
        wheelchair_accessible: Some(true),
        eligibility_zone: vec!["93066".into(), "75".into()],
        source_link: Some("https://example.org/service/1".into()),
        verified_at: Some(
            Utc.with_ymd_and_hms(2026, 3, 4, 10, 11, 12).unwrap()
                + chrono::Duration::microseconds(123_456),
        ),
        ..service(of, source_id)
    }
}

fn counts(created: u64, updated: u64, unchanged: u64) -> Counts {
    Counts {
        created,
        updated,
        unchanged,
    }
}

// ---------------------------------------------------------------------------------------------
// Stories.

#[tokio::test]
async fn migrations_are_idempotent_connecting_twice_keeps_the_data() {
    let db = TestDb::new().await;
    let s = structure("1");
    db.store
        .apply_import(std::slice::from_ref(&s), &[service(&s, "a")])
        .await
        .expect("import");
    db.store.ping().await.expect("ping");

    let again = connect(&db.url)
        .await
        .expect("second connect runs migrations again");
    again.ping().await.expect("ping");
    assert_eq!(again.count_services().await.expect("count"), 1);
    assert_eq!(again.backend(), db.store.backend());
    drop(again);
    db.finish().await;
}

#[tokio::test]
async fn empty_store() {
    let db = TestDb::new().await;
    let st = &db.store;
    assert_eq!(st.count_services().await.expect("count"), 0);
    assert_eq!(st.current_seq().await.expect("seq"), 0);
    assert!(st.list_services().await.expect("list").is_empty());
    assert!(st.list_structures().await.expect("list").is_empty());
    assert!(st.changes_since(0, 100).await.expect("changes").is_empty());
    assert_eq!(
        st.get_service(ServiceId::derive("test", "nope"))
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        st.get_structure(StructureId::derive("test", "nope"))
            .await
            .expect("get"),
        None
    );
    let counts = st.apply_import(&[], &[]).await.expect("empty import");
    assert_eq!(counts, Default::default());
    db.finish().await;
}

#[tokio::test]
async fn import_counts_created_updated_unchanged_and_is_idempotent() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s1 = structure("1");
    let s2 = structure("2");
    let services = vec![service(&s1, "a"), service(&s1, "b"), service(&s2, "c")];

    let first = st
        .apply_import(&[s1.clone(), s2.clone()], &services)
        .await
        .expect("first import");
    assert_eq!(first.structures, counts(2, 0, 0));
    assert_eq!(first.services, counts(3, 0, 0));
    assert_eq!(st.count_services().await.expect("count"), 3);
    let seq = st.current_seq().await.expect("seq");
    assert!(seq >= 3, "one seq per created service, got {seq}");

    // Same import again: nothing is rewritten, the change sequence does not move.
    let second = st
        .apply_import(&[s1.clone(), s2.clone()], &services)
        .await
        .expect("second import");
    assert_eq!(second.structures, counts(0, 0, 2));
    assert_eq!(second.services, counts(0, 0, 3));
    assert_eq!(st.current_seq().await.expect("seq"), seq);

    // One service and one structure change, one service is new.
    let mut s2b = s2.clone();
    s2b.phone = None;
    let mut b = services[1].clone();
    b.description = "Nouvelle description".into();
    b.updated_on = day(2026, 3, 1);
    let d = service(&s2b, "d");
    let third = st
        .apply_import(
            &[s1.clone(), s2b.clone()],
            &[
                services[0].clone(),
                b.clone(),
                services[2].clone(),
                d.clone(),
            ],
        )
        .await
        .expect("third import");
    assert_eq!(third.structures, counts(0, 1, 1));
    assert_eq!(third.services, counts(1, 1, 2));
    assert_eq!(st.get_service(b.id).await.expect("get"), Some(b.clone()));
    assert_eq!(st.get_structure(s2b.id).await.expect("get"), Some(s2b));
    assert_eq!(st.count_services().await.expect("count"), 4);

    let changes = st.changes_since(seq, 100).await.expect("changes");
    let changed: Vec<ServiceId> = changes.iter().map(|c| c.service_id).collect();
    // Written services first, in write order; then the other services of the structure whose
    // record changed (s2b), since they are shown with its name.
    assert_eq!(
        changed,
        vec![b.id, d.id, services[2].id],
        "written services, then the other services of a changed structure"
    );
    assert_eq!(
        st.current_seq().await.expect("seq"),
        changes.last().expect("changes").seq
    );
    db.finish().await;
}

#[tokio::test]
async fn a_service_of_an_unknown_structure_makes_the_whole_import_fail() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s1 = structure("1");
    st.apply_import(std::slice::from_ref(&s1), &[service(&s1, "a")])
        .await
        .expect("import");
    let seq = st.current_seq().await.expect("seq");

    let s2 = structure("2");
    let ghost = structure("ghost"); // never imported
    let mut a = service(&s1, "a");
    a.description = "changed".into();
    let orphan = service(&ghost, "orphan");
    let err = st
        .apply_import(
            std::slice::from_ref(&s2),
            &[a, service(&s2, "b"), orphan.clone()],
        )
        .await
        .expect_err("orphan service");
    match &err {
        StoreError::UnknownStructure { service, structure } => {
            assert_eq!((*service, *structure), (orphan.id, ghost.id));
        }
        other => panic!("unexpected error {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(&orphan.id.to_string()) && msg.contains(&ghost.id.to_string()),
        "{msg}"
    );

    // Nothing was written: not s2, not b, not the change of a.
    assert_eq!(st.get_structure(s2.id).await.expect("get"), None);
    assert_eq!(st.count_services().await.expect("count"), 1);
    assert_eq!(
        st.get_service(service(&s1, "a").id).await.expect("get"),
        Some(service(&s1, "a"))
    );
    assert_eq!(st.current_seq().await.expect("seq"), seq);
    assert_eq!(st.list_structures().await.expect("list"), vec![s1]);
    // Nor a journal event: only the first import's.
    assert_eq!(st.journal_page(0, 10).await.expect("journal").len(), 1);
    db.finish().await;
}

#[tokio::test]
async fn each_import_that_writes_is_one_journal_event_in_its_transaction() {
    use relais_domain::journal::{NewEvent, verify};
    let db = TestDb::new().await;
    let st = &db.store;
    let s1 = structure("1");
    let at = chrono::Utc::now();
    let mut event = NewEvent::system(at, "cli", "directory.import");
    event.details = serde_json::json!({ "files": 2 });
    st.apply_import_as(
        std::slice::from_ref(&s1),
        &[service(&s1, "a")],
        event.clone(),
    )
    .await
    .expect("import");
    // The same again changes nothing, so journals nothing.
    st.apply_import_as(std::slice::from_ref(&s1), &[service(&s1, "a")], event)
        .await
        .expect("import");
    let mut b = service(&s1, "a");
    b.description = "changed".into();
    st.apply_import(&[], &[b]).await.expect("import");
    let events = st.journal_page(0, 10).await.expect("journal");
    assert_eq!(events.len(), 2);
    let first = &events[0];
    assert_eq!((first.seq, first.event.actor.as_str()), (1, "cli"));
    assert_eq!(first.event.action, "directory.import");
    assert_eq!(first.event.details["files"], 2);
    assert_eq!(first.event.details["counts"]["services"]["created"], 1);
    // Stored and read back, the texts hash to what was written, on either database.
    assert_eq!(first.event.at.timestamp_micros(), at.timestamp_micros());
    let head = verify(events.clone(), None).expect("sound chain");
    assert_eq!(
        (head.count, head.hash.as_str()),
        (2, events[1].hash.as_str())
    );
    assert_eq!(st.journal_page(1, 10).await.expect("page").len(), 1);
    db.finish().await;
}

#[tokio::test]
async fn a_constraint_violation_makes_the_whole_import_fail() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s1 = structure("1");
    let a = service(&s1, "a");
    // Same (source, source_id) as `a` under another id: refused by the unique constraint, after
    // `s1` and `a` were already written in the transaction.
    let mut twin = service(&s1, "twin");
    twin.source_id = "a".into();
    let err = st
        .apply_import(std::slice::from_ref(&s1), &[a.clone(), twin.clone()])
        .await
        .expect_err("twin");
    match err {
        StoreError::Conflict { id, .. } => assert_eq!(id, twin.id.0),
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(st.count_services().await.expect("count"), 0);
    assert!(st.list_structures().await.expect("list").is_empty());
    assert_eq!(st.current_seq().await.expect("seq"), 0);

    // The same id twice in one import is refused before any write.
    let err = st
        .apply_import(std::slice::from_ref(&s1), &[a.clone(), a.clone()])
        .await
        .expect_err("dup");
    assert!(
        matches!(err, StoreError::DuplicateInImport { .. }),
        "{err:?}"
    );
    let err = st
        .apply_import(&[s1.clone(), s1.clone()], &[])
        .await
        .expect_err("dup");
    assert!(
        matches!(err, StoreError::DuplicateInImport { .. }),
        "{err:?}"
    );
    assert!(st.list_structures().await.expect("list").is_empty());

    // The store is still usable afterwards.
    let ok = st
        .apply_import(std::slice::from_ref(&s1), std::slice::from_ref(&a))
        .await
        .expect("import");
    assert_eq!(ok.services, counts(1, 0, 0));
    db.finish().await;
}

#[tokio::test]
async fn a_full_service_round_trips_unchanged() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s = structure("1");
    let text = full_service(
        &s,
        "text",
        ServiceHours::Text("Lundi matin, sauf vacances scolaires".into()),
    );
    let none = full_service(&s, "none", ServiceHours::None);
    let mut services = vec![text, none];
    // The hours parser is being rewritten: round-trip an expression only if it parses today.
    if let Ok(oh) = OpeningHours::parse("Mo-Fr 09:00-12:00; PH off") {
        services.push(full_service(&s, "osm", ServiceHours::Osm(oh)));
    }
    st.apply_import(std::slice::from_ref(&s), &services)
        .await
        .expect("import");

    for svc in &services {
        assert_eq!(
            st.get_service(svc.id).await.expect("get").as_ref(),
            Some(svc)
        );
    }
    let mut listed = st.list_services().await.expect("list");
    listed.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    let mut expected = services.clone();
    expected.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    assert_eq!(listed, expected);
    assert_eq!(st.get_structure(s.id).await.expect("get"), Some(s.clone()));
    assert_eq!(st.list_structures().await.expect("list"), vec![s.clone()]);

    // What was read back is "unchanged" on re-import (JSONB key order does not matter).
    let again = st
        .apply_import(std::slice::from_ref(&s), &listed)
        .await
        .expect("import");
    assert_eq!(again.services, counts(0, 0, services.len() as u64));
    assert_eq!(again.structures, counts(0, 0, 1));
    db.finish().await;
}

#[tokio::test]
async fn changes_since_pages_in_seq_order() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s = structure("1");
    let batch: Vec<Service> = (0..10)
        .map(|i| service(&s, &format!("svc-{i:02}")))
        .collect();
    st.apply_import(std::slice::from_ref(&s), &batch)
        .await
        .expect("import");

    let all = st.changes_since(0, 1000).await.expect("changes");
    assert_eq!(all.len(), 10);
    assert!(
        all.windows(2).all(|w| w[0].seq < w[1].seq),
        "strictly increasing: {all:?}"
    );
    let ids: Vec<ServiceId> = all.iter().map(|c| c.service_id).collect();
    assert_eq!(ids, batch.iter().map(|s| s.id).collect::<Vec<_>>());

    // Paging by the last seq seen gives the same sequence.
    let mut paged: Vec<Change> = Vec::new();
    let mut after = 0;
    loop {
        let page = st.changes_since(after, 3).await.expect("page");
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        after = page.last().expect("page").seq;
        paged.extend(page);
    }
    assert_eq!(paged, all);

    // An update appends a new, greater seq for the same service.
    let mut changed = batch[4].clone();
    changed.closures =
        vec![Closure::new(day(2026, 5, 1), day(2026, 5, 1), "Fête du travail").expect("closure")];
    st.apply_import(std::slice::from_ref(&s), &[changed.clone()])
        .await
        .expect("import");
    let last = all.last().expect("changes").seq;
    let tail = st.changes_since(last, 10).await.expect("changes");
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].service_id, changed.id);
    assert!(tail[0].seq > last);
    assert_eq!(st.current_seq().await.expect("seq"), tail[0].seq);
    assert!(
        st.changes_since(tail[0].seq, 10)
            .await
            .expect("changes")
            .is_empty()
    );
    db.finish().await;
}

#[tokio::test]
async fn get_by_id_and_lists() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s1 = structure("1");
    let s2 = structure("2");
    let a = service(&s1, "a");
    let b = service(&s2, "b");
    st.apply_import(&[s2.clone(), s1.clone()], &[b.clone(), a.clone()])
        .await
        .expect("import");
    assert_eq!(st.get_service(a.id).await.expect("get"), Some(a.clone()));
    assert_eq!(st.get_service(b.id).await.expect("get"), Some(b.clone()));
    assert_eq!(
        st.get_structure(s1.id).await.expect("get"),
        Some(s1.clone())
    );
    assert_eq!(
        st.get_service(ServiceId(s1.id.0)).await.expect("get"),
        None,
        "ids do not mix"
    );
    // Lists are ordered by (source, source_id).
    assert_eq!(
        st.list_structures().await.expect("list"),
        vec![s1.clone(), s2.clone()]
    );
    assert_eq!(
        st.list_services().await.expect("list"),
        vec![a.clone(), b.clone()]
    );

    // A later import may add services to a structure already stored without repeating it.
    let c = service(&s1, "c");
    let later = st
        .apply_import(&[], std::slice::from_ref(&c))
        .await
        .expect("import");
    assert_eq!(later.services, counts(1, 0, 0));
    assert_eq!(later.structures, counts(0, 0, 0));
    assert_eq!(st.count_services().await.expect("count"), 3);
    db.finish().await;
}

#[tokio::test]
async fn a_large_directory_is_listed_whole_and_in_order() {
    // Above the threshold where list_services decodes on several threads.
    let db = TestDb::new().await;
    let st = &db.store;
    let s = structure("1");
    let mut services: Vec<Service> = (0..5000)
        .map(|i| service(&s, &format!("svc-{i:05}")))
        .collect();
    services.reverse(); // written in the opposite order to the listing
    let imported = st
        .apply_import(std::slice::from_ref(&s), &services)
        .await
        .expect("import");
    assert_eq!(imported.services, counts(5000, 0, 0));
    services.reverse();
    assert_eq!(st.list_services().await.expect("list"), services);
    assert_eq!(st.count_services().await.expect("count"), 5000);
    db.finish().await;
}

// ---------------------------------------------------------------------------------------------
// URLs (backend-independent: these never touch PostgreSQL).

fn assert_empty(dir: &Path) {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        entries.is_empty(),
        "nothing may be created, found {entries:?}"
    );
}

#[tokio::test]
async fn unsupported_schemes_are_refused_without_creating_anything() {
    let dir = TempDir::new().expect("tempdir");
    let file = dir.path().join("relais.db");
    for url in [
        format!("mysql://{}", file.display()),
        format!("sqlite3:{}", file.display()),
        format!("file:{}", file.display()),
        file.display().to_string(),
        "relais.db".to_owned(),
    ] {
        let err = connect(&url).await.expect_err("refused");
        assert!(
            matches!(err, StoreError::UnsupportedScheme { .. }),
            "{url}: {err:?}"
        );
        let msg = err.to_string();
        assert!(
            !msg.contains('\n') && msg.contains("sqlite:PATH") && msg.contains("postgres://"),
            "{msg}"
        );
        assert!(relais_store::parse_database_url(&url).is_err());
    }
    assert_empty(dir.path());
    assert!(!Path::new("relais.db").exists());
}

#[tokio::test]
async fn sqlite_absolute_paths_create_the_directory_and_file() {
    let dir = TempDir::new().expect("tempdir");
    for (i, prefix) in ["sqlite:", "sqlite://"].iter().enumerate() {
        let path = dir.path().join(format!("nested-{i}/deeper/relais.db"));
        let url = format!("{prefix}{}", path.display());
        assert!(path.is_absolute());
        let store = connect(&url).await.expect("connect");
        assert_eq!(store.backend(), Backend::Sqlite);
        store.ping().await.expect("ping");
        assert!(path.is_file(), "{url} created {}", path.display());
    }
}

/// Run in a child process started in a temporary working directory (the working directory is
/// process-wide, so it cannot change under the other tests).
#[tokio::test]
async fn sqlite_relative_paths_are_relative_to_the_working_directory() {
    const CHILD: &str = "RELAIS_STORE_RELATIVE_CHILD";
    if std::env::var_os(CHILD).is_some() {
        for url in ["sqlite:data/relais.db", "sqlite://other/relais.db"] {
            let store = connect(url).await.expect("connect");
            store.ping().await.expect("ping");
        }
        return;
    }
    let dir = TempDir::new().expect("tempdir");
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "sqlite_relative_paths_are_relative_to_the_working_directory",
            "--quiet",
        ])
        .env(CHILD, "1")
        .env_remove("TEST_DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("data/relais.db").is_file());
    assert!(dir.path().join("other/relais.db").is_file());
}

#[test]
fn backend_names() {
    assert_eq!(Backend::Sqlite.to_string(), "sqlite");
    assert_eq!(Backend::Postgres.to_string(), "postgresql");
    assert_eq!(
        relais_store::DatabaseUrl::from_str("postgresql://u:pw@h/db")
            .expect("url")
            .backend(),
        Backend::Postgres
    );
}

// ---------------------------------------------------------------------------------------------
// Scale (ignored by default: a measurement, not an assertion).
//   cargo test --release -p relais-store --test store -- --ignored --nocapture

#[tokio::test]
#[ignore = "measurement; run with --ignored --nocapture, preferably --release"]
async fn list_services_of_50_000() {
    let db = TestDb::new().await;
    let st = &db.store;
    let structures: Vec<Structure> = (0..500).map(|i| structure(&format!("s{i}"))).collect();
    let services: Vec<Service> = (0..50_000)
        .map(|i| {
            let hours = ServiceHours::Text(format!("Lundi {i}"));
            full_service(&structures[i % 500], &format!("svc-{i:05}"), hours)
        })
        .collect();
    let t = std::time::Instant::now();
    st.apply_import(&structures, &services)
        .await
        .expect("import");
    eprintln!(
        "[{}] import of 50,000 services: {:?}",
        st.backend(),
        t.elapsed()
    );
    let t = std::time::Instant::now();
    let again = st
        .apply_import(&structures, &services)
        .await
        .expect("import");
    eprintln!(
        "[{}] unchanged re-import of 50,000 services: {:?}",
        st.backend(),
        t.elapsed()
    );
    assert_eq!(again.services.unchanged, 50_000);
    for _ in 0..3 {
        let (t, cpu) = (std::time::Instant::now(), cpu_seconds());
        let all = st.list_services().await.expect("list");
        eprintln!(
            "[{}] list_services of {}: {:?} wall, {:.2} s CPU in this process (machine may be busy)",
            st.backend(),
            all.len(),
            t.elapsed(),
            cpu_seconds() - cpu
        );
        assert_eq!(all.len(), 50_000);
    }
    db.finish().await;
}

/// User + system CPU time of this process (Linux; 0 elsewhere), to read timings on a busy machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of proc(5) (utime, stime), counted from after the command name.
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

#[tokio::test]
async fn services_page_by_id_covering_everything_once() {
    let db = TestDb::new().await;
    let st = &db.store;
    let s1 = structure("1");
    let services: Vec<Service> = (0..25).map(|i| service(&s1, &format!("p{i}"))).collect();
    st.apply_import(&[s1], &services).await.expect("import");
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = st.list_services_page(after, 7).await.expect("page");
        assert!(page.len() <= 7);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        seen.extend(page);
    }
    let mut expected = services.clone();
    expected.sort_by_key(|s| s.id);
    assert_eq!(seen, expected);
    db.finish().await;
}
