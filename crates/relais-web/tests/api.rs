//! The JSON API as a client sees it, driven in-process on a fresh database (SQLite, or
//! PostgreSQL when `TEST_DATABASE_URL` is set), with a fixed clock: Tuesday 22 December 2026,
//! 10:30 in Paris.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use common::{FIXTURE, TestApp};

fn names(v: &Value) -> Vec<String> {
    v["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The fields (and only the field names) of a 4xx answer's error envelope.
fn error_fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .expect("errors envelope")
        .iter()
        .map(|e| {
            assert!(!e["detail"].as_str().expect("detail").is_empty());
            e["field"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

#[tokio::test]
async fn search_by_commune_gives_distance_walk_time_and_status() {
    let app = TestApp::new().await;
    let v = app.search("commune=Paris%2018e&radius_km=1.5").await;
    assert_eq!(v["meta"]["total"], 3, "{v}");
    let services = v["services"].as_array().expect("services");
    let mut last = 0;
    for s in services {
        let d = s["distance_m"].as_u64().expect("distance");
        assert!(d <= 1500 && d >= last, "ordered by distance: {v}");
        last = d;
        let walk = s["walk_minutes"].as_u64().expect("walk");
        assert_eq!(walk, ((d as f64) * 1.3 / 75.0).ceil() as u64);
        for field in [
            "id",
            "name",
            "structure",
            "themes",
            "address",
            "postcode",
            "commune",
            "insee_code",
            "lat",
            "lon",
            "status",
            "next_change",
            "opening_hours",
            "closures",
        ] {
            assert!(s.get(field).is_some(), "{field} missing in {s}");
        }
    }
    let consult = services
        .iter()
        .find(|s| s["name"] == "Consultation juridique gratuite")
        .expect("consult");
    assert_eq!(consult["status"], "open");
    assert_eq!(consult["next_change"], "2026-12-22T12:00:00+01:00");
    assert_eq!(consult["structure"]["name"], "Barreau de Paris Solidarité");
    assert_eq!(consult["closures"][0]["reason"], "Fermeture de fin d'année");
    let etrangers = services
        .iter()
        .find(|s| s["name"] == "Permanence droit des étrangers")
        .expect("etrangers");
    assert_eq!(etrangers["status"], "closed");
    assert_eq!(etrangers["next_change"], "2026-12-22T14:00:00+01:00");
}

#[tokio::test]
async fn the_same_place_by_postcode_insee_code_or_point() {
    let app = TestApp::new().await;
    let by_name = names(&app.search("commune=Paris%2018e&radius_km=1.5").await);
    assert_eq!(
        names(&app.search("commune=75118&radius_km=1.5").await),
        by_name
    );
    assert_eq!(
        names(&app.search("postcode=75018&radius_km=1.5").await),
        by_name
    );
    let centre = app.search("commune=75118").await["meta"]["centre"].clone();
    let near = format!("near={},{}&radius_km=1.5", centre["lat"], centre["lon"]);
    assert_eq!(names(&app.search(&near).await), by_name);
    // A former commune (merged into Saint-Denis in 2025) is still a place, by code, name or
    // postcode, centred on itself.
    let by_code = app.search("commune=93059&radius_km=5").await;
    assert!(
        names(&by_code).contains(&"Point-justice de Saint-Denis".to_owned()),
        "{by_code}"
    );
    let by_name = app
        .search("commune=Pierrefitte-sur-Seine&radius_km=5")
        .await;
    assert_eq!(by_name["meta"]["centre"], by_code["meta"]["centre"]);
    assert_eq!(
        app.search("postcode=93380&radius_km=5").await["meta"]["centre"],
        by_code["meta"]["centre"]
    );
    assert_ne!(
        app.search("commune=93066").await["meta"]["centre"],
        by_code["meta"]["centre"]
    );
}

#[tokio::test]
async fn text_filters_and_open_now() {
    let app = TestApp::new().await;
    assert_eq!(
        names(&app.search("q=etranger").await),
        vec!["Permanence droit des étrangers"]
    );
    assert_eq!(
        names(&app.search("q=EXPULSIONS").await),
        vec!["Maintien dans le logement"]
    );
    assert_eq!(
        app.search("theme=difficultes-administratives-ou-juridiques")
            .await["meta"]["total"],
        5
    );
    assert_eq!(app.search("theme=logement-hebergement&theme=difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete").await["meta"]["total"], 2);
    assert_eq!(
        names(&app.search("lang=ar").await),
        vec!["Consultation juridique gratuite"]
    );
    assert_eq!(app.search("accessible=true").await["meta"]["total"], 1);
    // Tuesday 10:30: consult-18, Saint-Denis and Strasbourg are open; the free-text hours of the
    // écrivain public are unknown, never guessed.
    let open = app.search("open_now=true").await;
    let mut n = names(&open);
    n.sort();
    assert_eq!(
        n,
        vec![
            "Consultation juridique gratuite",
            "Point-justice de Saint-Denis",
            "Point-justice de Strasbourg"
        ]
    );
    let all = app.search("q=ecrivain").await;
    assert_eq!(all["services"][0]["status"], "unknown");
    // Wednesday 15:00: the comment-only rule means unknown, so not "open".
    let wed = app
        .search("open_at=2026-12-23T15:00:00%2B01:00&commune=75118&radius_km=1")
        .await;
    assert!(
        !names(&wed).contains(&"Maintien dans le logement".to_owned()),
        "{wed}"
    );
    // 25 December: PH off everywhere; the end-of-year closure too.
    assert_eq!(
        app.search("open_at=2026-12-25T10:00:00%2B01:00").await["meta"]["total"],
        0
    );
    // Good Friday 2027 (26 March) is a holiday in Strasbourg only.
    let gf = app.search("open_at=2027-03-26T10:00:00%2B01:00").await;
    let mut n = names(&gf);
    n.sort();
    assert_eq!(
        n,
        vec![
            "Consultation juridique gratuite",
            "Point-justice de Saint-Denis"
        ]
    );
}

#[tokio::test]
async fn pages_are_stable() {
    let app = TestApp::new().await;
    let full = names(
        &app.search("theme=difficultes-administratives-ou-juridiques&limit=100")
            .await,
    );
    let mut paged = Vec::new();
    for offset in 0..full.len() {
        let v = app
            .search(&format!(
                "theme=difficultes-administratives-ou-juridiques&limit=1&offset={offset}"
            ))
            .await;
        assert_eq!(v["meta"]["total"], full.len());
        paged.extend(names(&v));
    }
    assert_eq!(paged, full);
    assert!(names(&app.search("offset=50").await).is_empty());
}

#[tokio::test]
async fn bad_search_input_gets_422_naming_each_field() {
    let app = TestApp::new().await;
    let cases: &[(&str, &[&str])] = &[
        ("near=abc", &["near"]),
        ("near=95,2", &["near"]),
        ("commune=Lyon", &["commune"]),
        ("postcode=7501", &["postcode"]),
        ("postcode=69001", &["postcode"]),
        ("radius_km=2", &["radius_km"]),
        ("commune=Paris&radius_km=0", &["radius_km"]),
        ("commune=Paris&radius_km=500", &["radius_km"]),
        ("commune=Paris&postcode=75018", &["near"]),
        ("theme=droit", &["theme"]),
        ("public=martiens", &["public"]),
        ("lang=français", &["lang"]),
        ("mode=pigeon", &["mode"]),
        ("free=peut-etre", &["free"]),
        ("open_at=demain", &["open_at"]),
        ("open_now=true&open_at=2026-12-23T15:00:00Z", &["open_at"]),
        ("limit=0", &["limit"]),
        ("limit=1000", &["limit"]),
        ("offset=-1", &["offset"]),
        ("radius=2", &["radius"]),
        ("q=a&q=b", &["q"]),
        ("limit=0&theme=x&colour=red", &["theme", "limit", "colour"]),
    ];
    for (query, fields) in cases {
        let (status, body) = app.get(&format!("/api/v1/services?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        let got = error_fields(&body);
        for f in *fields {
            assert!(
                got.contains(&(*f).to_owned()),
                "{query}: expected an error on {f}, got {body}"
            );
        }
    }
    let long_q = "a".repeat(201);
    let (status, body) = app.get(&format!("/api/v1/services?q={long_q}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let huge = "x".repeat(5000);
    let (status, _, _) = app.get_raw(&format!("/api/v1/services?q={huge}")).await;
    assert!(
        status == StatusCode::URI_TOO_LONG || status == StatusCode::PAYLOAD_TOO_LARGE,
        "{status}"
    );
    // A broken percent-escape is read literally (as browsers do), not refused.
    assert_eq!(app.search("q=%ZZ").await["meta"]["total"], 0);
}

#[tokio::test]
async fn one_service_with_its_week_of_holidays_and_closures() {
    let app = TestApp::new().await;
    let v = app.search("q=consultation").await;
    let id = v["services"][0]["id"].as_str().expect("id").to_owned();
    let (status, s) = app.get(&format!("/api/v1/services/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["name"], "Consultation juridique gratuite");
    let week = s["week"].as_array().expect("week");
    assert_eq!(week.len(), 7);
    assert_eq!(week[0]["date"], "2026-12-22");
    assert_eq!(
        week[0]["intervals"]
            .as_array()
            .expect("spans")
            .iter()
            .filter(|i| i["status"] == "open")
            .count(),
        1
    );
    let open = week[0]["intervals"]
        .as_array()
        .expect("spans")
        .iter()
        .find(|i| i["status"] == "open")
        .expect("open")
        .clone();
    assert_eq!(
        (open["start"].as_str(), open["end"].as_str()),
        (Some("09:00"), Some("12:00"))
    );
    assert_eq!(week[2]["date"], "2026-12-24");
    assert_eq!(week[2]["closure"], "Fermeture de fin d'année");
    assert!(
        week[2]["intervals"]
            .as_array()
            .expect("spans")
            .iter()
            .all(|i| i["status"] == "closed")
    );
    assert_eq!(week[3]["holiday"], "Noël");
    assert_eq!(
        week[4]["holiday"],
        Value::Null,
        "26 December is not a holiday in Paris"
    );

    let (status, body) = app
        .get("/api/v1/services/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_fields(&body).len(), 1);
    let (status, _) = app.get("/api/v1/services/not-a-uuid").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Free-text hours are given as written, flagged as text.
    let e = app.search("q=ecrivain").await["services"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, s) = app.get(&format!("/api/v1/services/{e}")).await;
    assert_eq!(s["opening_hours"], "Hebdomadaire, se renseigner");
    assert_eq!(s["opening_hours_is_text"], true);
    assert_eq!(s["status"], "unknown");
}

#[tokio::test]
async fn evaluate_opening_hours() {
    let app = TestApp::new().await;
    let eval = |expr: &str, at: &str, extra: &str| {
        let expr = expr
            .replace(' ', "%20")
            .replace('"', "%22")
            .replace(';', "%3B")
            .replace('+', "%2B")
            .replace('|', "%7C");
        format!(
            "/api/v1/opening-hours/evaluate?expr={expr}&at={}{extra}",
            at.replace('+', "%2B")
        )
    };
    let (s, v) = app
        .get(&eval(
            "Mo-Fr 09:00-17:00; PH off",
            "2026-12-22T10:00:00+01:00",
            "",
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "open");
    assert_eq!(v["next_change"], "2026-12-22T17:00:00+01:00");
    let (_, v) = app
        .get(&eval(
            "We 14:00-17:00 \"sur rendez-vous uniquement\"",
            "2026-12-23T15:00:00+01:00",
            "",
        ))
        .await;
    assert_eq!(
        v["status"], "unknown",
        "a comment-only rule is unknown (opening_hours.js)"
    );
    let (_, v) = app
        .get(&eval(
            "Mo-Fr 08:00-12:00 || \"sur rendez-vous\"",
            "2026-12-22T14:00:00+01:00",
            "",
        ))
        .await;
    assert_eq!(v["status"], "unknown", "the || fallback is unknown");
    // Good Friday: a holiday in the Bas-Rhin (67), not in Paris.
    let gf = eval("Mo-Fr 09:00-17:00; PH off", "2027-03-26T10:00:00+01:00", "");
    assert_eq!(
        app.get(&format!("{gf}&insee=67482")).await.1["status"],
        "closed"
    );
    assert_eq!(
        app.get(&format!("{gf}&insee=75056")).await.1["status"],
        "open"
    );
    // Daylight saving: 28 March 2027, 02:00 → 03:00.
    let (_, v) = app
        .get(&eval("Mo-Su 01:00-04:00", "2027-03-28T01:30:00+01:00", ""))
        .await;
    assert_eq!(v["next_change"], "2027-03-28T04:00:00+02:00");
    // A bad expression: 422 on expr with the position.
    let (s, v) = app
        .get(&eval("Mo-Fr 08:00-", "2026-12-22T10:00:00+01:00", ""))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_fields(&v), vec!["expr"]);
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("position"),
        "{v}"
    );
    let (s, v) = app
        .get("/api/v1/opening-hours/evaluate?at=2026-12-22T10:00:00Z")
        .await;
    assert_eq!(
        (s, error_fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["expr".to_owned()])
    );
    let (s, v) = app
        .get("/api/v1/opening-hours/evaluate?expr=24/7&at=noon&insee=x")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&v), vec!["at", "insee"]);
}

/// The probe of issue 9: a year without any change once took a second per rule (56 s for
/// this one, answered 200). It is now answered from a few thousand units of work, closed with
/// no change ahead and no note; the directory's cache does not keep it.
#[tokio::test]
async fn evaluate_answers_the_probe_expressions() {
    let app = TestApp::new().await;
    let rule = "Mo-Su 10:00-11:00 off";
    for expr in [
        "10:00-11:00 off".to_string(),
        vec![rule; 42].join("; "),
        vec![rule; 42].join(", "),
        vec!["Mo-Su 10:00-34:00 off"; 42].join("; "),
    ] {
        let encoded = expr
            .replace(' ', "%20")
            .replace(';', "%3B")
            .replace(',', "%2C");
        let (s, v) = app
            .get(&format!(
                "/api/v1/opening-hours/evaluate?expr={encoded}&at=2026-12-07T10:30:00%2B01:00"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "closed", "{expr}");
        assert_eq!(v["next_change"], serde_json::Value::Null, "{expr}");
        assert!(v.get("note").is_none(), "{v}");
    }
    let too_long = "x".repeat(1001);
    let (s, v) = app
        .get(&format!("/api/v1/opening-hours/evaluate?expr={too_long}"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_fields(&v), vec!["expr"]);
}

/// Hours stored before the limits (or by an older import) are still read, and evaluated within
/// the budget: the answer says where it stopped.
#[tokio::test]
async fn evaluate_says_when_the_budget_stopped_it() {
    let app = TestApp::new().await;
    // 111 month rules computed on every day: readable, beyond the budget.
    let expr = vec!["Jan off"; 111]
        .join(";")
        .replace(' ', "%20")
        .replace(';', "%3B");
    let (s, v) = app
        .get(&format!(
            "/api/v1/opening-hours/evaluate?expr={expr}&at=2026-12-07T10:30:00%2B01:00"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "closed");
    assert_eq!(v["next_change"], serde_json::Value::Null);
    assert!(
        v["note"].as_str().is_some_and(|n| n.contains("budget")),
        "{v}"
    );
}

#[tokio::test]
async fn holidays_by_zone() {
    let app = TestApp::new().await;
    let (s, v) = app.get("/api/v1/holidays?year=2026").await;
    assert_eq!(s, StatusCode::OK);
    let days = v.as_array().expect("list");
    assert_eq!(days.len(), 11);
    assert_eq!(days[0]["date"], "2026-01-01");
    assert_eq!(days[0]["name"], "Jour de l'an");
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-04-06" && d["name"] == "Lundi de Pâques")
    );
    let (_, v) = app
        .get("/api/v1/holidays?year=2026&zone=alsace-moselle")
        .await;
    let days = v.as_array().expect("list");
    assert_eq!(days.len(), 13);
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-04-03" && d["name"] == "Vendredi saint")
    );
    assert!(days.iter().any(|d| d["date"] == "2026-12-26"));
    for bad in ["", "?year=deux", "?year=2026&zone=lyon", "?year=99999"] {
        let (s, v) = app.get(&format!("/api/v1/holidays{bad}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let (s, body, _) = app.get_raw("/healthz").await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, "ok\n"));
    let (s, body, _) = app.get_raw("/readyz").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("6 services"), "{body}");
    app.search("q=juridique").await;
    let (s, body, headers) = app.get_raw("/metrics").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    assert!(
        body.contains(
            r#"relais_http_requests_total{method="GET",route="/api/v1/services",status="200"} 1"#
        ),
        "{body}"
    );
    assert!(
        body.contains(
            r#"relais_http_request_duration_seconds_count{method="GET",route="/api/v1/services"} 1"#
        ),
        "{body}"
    );
    assert!(body.contains("relais_index_services 6"), "{body}");
    assert!(body.contains("relais_index_age_seconds 0"), "{body}");
    // The fixture's import is the journal's one event; its head hash is the one the store has.
    let (events, hash) = app
        .store
        .journal_head()
        .await
        .expect("head")
        .expect("one event");
    assert_eq!(events, 1);
    assert!(body.contains("relais_journal_events 1"), "{body}");
    assert!(
        body.contains(&format!(r#"relais_journal_head_info{{hash="{hash}"}} 1"#)),
        "{body}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn unknown_api_paths_answer_in_the_envelope() {
    let app = TestApp::new().await;
    let (s, v) = app.get("/api/v1/nothing-here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_fields(&v).len(), 1);
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let app = TestApp::new().await;
    let (s, v) = app.get("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["openapi"], "3.1.0");
    let paths: Vec<&String> = v["paths"].as_object().expect("paths").keys().collect();
    for route in [
        "/api/v1/services",
        "/api/v1/services/{id}",
        "/api/v1/opening-hours/evaluate",
        "/api/v1/holidays",
        "/api/v1/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(paths.iter().any(|p| *p == route), "{route} undocumented");
        let (status, _, _) = app
            .get_raw(&route.replace("{id}", "00000000-0000-0000-0000-000000000000"))
            .await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{route}");
    }
    // Every documented query parameter of the search is accepted by the server.
    let params = v["paths"]["/api/v1/services"]["get"]["parameters"]
        .as_array()
        .expect("params");
    for p in params {
        let name = p["name"].as_str().expect("name");
        let (status, body) = app.get(&format!("/api/v1/services?{name}=")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
}

#[tokio::test]
async fn changes_in_the_store_reach_the_index() {
    let app = TestApp::new().await;
    assert_eq!(app.search("q=mediation").await["meta"]["total"], 0);
    let doc = r#"[{"source":"fixture","id":"mediation","structure_id":"barreau","nom":"Médiation familiale","description":"Conflits familiaux.","date_maj":"2026-02-01","latitude":48.89,"longitude":2.35,"code_insee":"75118"}]"#.as_bytes();
    let parsed = relais_exchange::parse_document("new.json", doc).expect("parses");
    app.store
        .apply_import(&[], &parsed.services)
        .await
        .expect("import");
    let applied = app.state.sync_index().await.expect("sync");
    assert_eq!(applied, 1);
    assert_eq!(
        names(&app.search("q=mediation").await),
        vec!["Médiation familiale"]
    );
    // Nothing new: nothing applied.
    assert_eq!(app.state.sync_index().await.expect("sync"), 0);
}

#[tokio::test]
async fn a_renamed_structure_reaches_the_index() {
    let app = TestApp::new().await;
    let before = app.store.current_seq().await.expect("seq");
    let mut parsed =
        relais_exchange::parse_document("directory.json", FIXTURE).expect("fixture parses");
    let barreau = parsed
        .structures
        .iter_mut()
        .find(|s| s.source_id == "barreau")
        .expect("barreau");
    barreau.name =
        relais_domain::text::Name::parse("Ordre des avocats — accès au droit").expect("name");
    let counts = app
        .store
        .apply_import(&parsed.structures, &[])
        .await
        .expect("import");
    assert_eq!(
        (counts.structures.updated, counts.structures.unchanged),
        (1, 1)
    );
    // Its five services are in the change sequence, and nothing else.
    let changes = app.store.changes_since(before, 100).await.expect("changes");
    assert_eq!(changes.len(), 5);
    assert_eq!(app.state.sync_index().await.expect("sync"), 5);
    let v = app.search("q=ordre%20avocats").await;
    assert_eq!(v["meta"]["total"], 5, "{v}");
    assert_eq!(
        v["services"][0]["structure"]["name"],
        "Ordre des avocats — accès au droit"
    );
    // "barreau" now only matches the one description that says it.
    assert_eq!(
        names(&app.search("q=barreau").await),
        vec!["Consultation juridique gratuite"]
    );
    // The same import again changes nothing.
    app.store
        .apply_import(&parsed.structures, &[])
        .await
        .expect("import");
    assert_eq!(app.state.sync_index().await.expect("sync"), 0);
}

#[tokio::test]
async fn odd_but_valid_input_is_answered_sensibly() {
    let app = TestApp::new().await;
    // Nothing searchable in the text: nothing matches (not everything).
    assert_eq!(app.search("q=%F0%9F%98%80").await["meta"]["total"], 0);
    assert_eq!(app.search("q=de%20la").await["meta"]["total"], 0);
    // An offset typed with a literal + (decoded as a space) is still understood.
    let v = app.search("open_at=2026-12-22T10:30:00+01:00").await;
    assert_eq!(v["meta"]["at"], "2026-12-22T10:30:00+01:00");
    // A centre at the pole with the widest radius: an empty answer, not a scan of the planet.
    assert_eq!(
        app.search("near=90,0&radius_km=50").await["meta"]["total"],
        0
    );
    // Non-standard methods share one metrics label.
    let res = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .method("FOOBAR")
                .uri("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let (_, metrics, _) = app.get_raw("/metrics").await;
    assert!(!metrics.contains("FOOBAR"), "{metrics}");
    assert!(metrics.contains(r#"method="other""#), "{metrics}");
}

#[tokio::test]
async fn when_today_includes_later_openings() {
    let app = TestApp::new().await;
    // Tuesday 10:30: the Tuesday 14:00–17:00 permanence is closed now but opens today.
    let now = names(&app.search("when=now").await);
    let today = names(&app.search("when=today").await);
    assert!(!now.contains(&"Permanence droit des étrangers".to_owned()));
    assert!(today.contains(&"Permanence droit des étrangers".to_owned()));
    assert_eq!(names(&app.search("open_now=true").await), now);
    let week = names(&app.search("when=week").await);
    assert!(
        today.iter().all(|n| week.contains(n)),
        "{today:?} ⊄ {week:?}"
    );
    // "By appointment only" is unknown, never counted as open.
    assert!(!week.contains(&"Maintien dans le logement".to_owned()));
    let (status, v) = app
        .get("/api/v1/services?when=now&open_at=2026-12-23T15:00:00Z")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&v), vec!["when"]);
    let (status, v) = app.get("/api/v1/services?when=demain").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&v), vec!["when"]);
}
