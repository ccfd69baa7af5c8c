//! The public pages as a browser receives them: the journey of a person searching, in three
//! languages, the weight budget, the language choice, errors, and HTML snapshots on a fixed
//! dataset and a fixed clock (Tuesday 22 December 2026, 10:30 in Paris). Browser behaviour
//! (rendering, keyboard, accessibility scan) is tested by `e2e/` in Chromium.

mod common;

use axum::http::StatusCode;
use axum::http::header;

use common::{TestApp, paris};

/// HTML + CSS on a page's critical path, compressed, must fit in the first round trip of a
/// slow mobile link (about 14 KB: TCP's initial window of 10 segments).
const CRITICAL_PATH_BUDGET: usize = 14 * 1024;

/// Largest first-party script (the "near me" enhancement).
const SCRIPT_BUDGET: usize = 5 * 1024;

const LEGAL_18E: &str = "/services?commune=Paris%2018e";

/// The id of a fixture service, by name, from the JSON API.
async fn service_id(app: &TestApp, name: &str) -> String {
    let (_, v) = app.get("/api/v1/services?limit=100").await;
    v["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service {name}"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn page(app: &TestApp, uri: &str) -> String {
    let (status, body, headers) = app.get_raw(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8",
        "{uri}"
    );
    body
}

/// Stylesheet and script URLs carry a content hash; snapshots should not change with the CSS.
fn redact_assets(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("/static/") {
        out.push_str(&rest[..i + 8]);
        rest = &rest[i + 8..];
        let end = rest.find('"').unwrap_or(rest.len());
        let name = &rest[..end];
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() == 3 {
            out.push_str(&format!("{}.[hash].{}", parts[0], parts[2]));
        } else {
            out.push_str(name);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn a_person_searches_by_commune_and_opens_a_service() {
    let app = TestApp::new().await;
    let home = page(&app, "/").await;
    assert!(home.contains(r#"<html lang="fr" dir="ltr">"#));
    assert!(home.contains(r#"<form id="recherche" action="/services" method="get""#));
    assert!(home.contains(r##"<a class="skip-link" href="#contenu">"##));
    assert!(home.contains(r#"<main id="contenu""#));

    // The place box takes a commune, an arrondissement, an INSEE or a postcode.
    for place in ["Paris%2018e", "75018", "75118"] {
        let html = page(&app, &format!("/services?commune={place}")).await;
        assert!(html.contains("Consultation juridique gratuite"), "{place}");
    }
    let html = page(&app, LEGAL_18E).await;
    assert!(html.contains(r#"<ol id="resultats">"#));
    // Status in words with its change; the distance and the walk.
    assert!(html.contains("Ouvert jusqu’à 12\u{a0}h"), "{html}");
    assert!(html.contains("min à pied"));
    // Tuesday 10:30: the Thursday permanence opens at 14 h today.
    assert!(html.contains("Fermé — ouvre à 14\u{a0}h"), "{html}");
    assert!(html.contains("Horaires à confirmer"));
    // The same search by postcode parameter is the one a person can share.
    let shared = page(&app, "/services?postcode=75018").await;
    assert!(shared.contains("Consultation juridique gratuite"));

    let id = service_id(&app, "Consultation juridique gratuite").await;
    assert!(html.contains(&format!(r#"href="/services/{id}""#)));
    let detail = page(&app, &format!("/services/{id}")).await;
    assert!(detail.contains("Ouvert jusqu’à 12\u{a0}h"));
    let week = detail
        .split(r#"<table id="semaine">"#)
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("week table");
    assert_eq!(week.matches("<tr").count(), 8, "a header and 7 days");
    assert!(week.contains("mardi 22 décembre"));
    assert!(week.contains("lundi 28 décembre"));
    assert!(week.contains("Fermé — Noël — "), "{week}");
    assert!(week.contains("Fermeture de fin d&#39;année"), "{week}");
    assert!(
        detail.contains(r#"<a href="tel:0199000000" class="phone" dir="ltr">01 99 00 00 00</a>"#)
    );
    assert!(detail.contains("https://www.openstreetmap.org/?mlat="));
    assert!(detail.contains(&format!(r#"<a id="partager" href="/services/{id}">"#)));
}

#[tokio::test]
async fn when_now_today_or_this_week() {
    let app = TestApp::new().await;
    let count = |html: &str| html.matches(r#"<li class="result">"#).count();
    let any = count(&page(&app, "/services").await);
    let now = count(&page(&app, "/services?when=now").await);
    let today = count(&page(&app, "/services?when=today").await);
    let week = count(&page(&app, "/services?when=week").await);
    // Tuesday 10:30: the Tuesday-afternoon permanence is not open now but is today.
    assert!(now < today, "now {now}, today {today}");
    assert!(today <= week && week <= any, "{today} {week} {any}");
    // `open_now` of the JSON API means the same as `when=now`.
    assert_eq!(count(&page(&app, "/services?open_now=true").await), now);
    let checked = page(&app, "/services?when=today").await;
    assert!(checked.contains(r#"value="today" checked"#));
}

#[tokio::test]
async fn unknown_place_is_explained_and_kept_in_the_form() {
    let app = TestApp::new().await;
    let (status, html, _) = app.get_raw("/services?commune=Atlantide&q=avocat").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"<div class="errors" id="erreurs" role="alert">"#));
    assert!(
        html.contains("Nous ne trouvons pas «\u{a0}Atlantide\u{a0}»"),
        "{html}"
    );
    assert!(html.contains(r##"<a href="#commune">"##));
    assert!(html.contains(r#"value="Atlantide""#));
    assert!(html.contains(r#"value="avocat""#));
    // In English, the message is English.
    let (status, html, _) = app.get_raw("/services?commune=Atlantide&lang=en").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("We cannot find") || html.contains("“Atlantide”"),
        "{html}"
    );
    // An unknown parameter is named (a typo must not silently widen a search).
    let (status, html, _) = app.get_raw("/services?theme=licornes").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("«\u{a0}theme\u{a0}»"), "{html}");
}

#[tokio::test]
async fn an_empty_result_offers_ways_out() {
    let app = TestApp::new().await;
    let html = page(
        &app,
        "/services?commune=Saint-Denis&radius_km=1&theme=logement-hebergement&free=on",
    )
    .await;
    assert!(html.contains(r#"<div id="aucun-resultat">"#), "{html}");
    assert!(!html.contains(r#"<ol id="resultats">"#));
    for way in [
        "Chercher jusqu’à 3 km",
        "Tous les thèmes",
        "Gratuits et payants",
        "Dans toute la Métropole",
    ] {
        assert!(html.contains(way), "{way}");
    }
    // Each way out is a working search without that condition.
    assert!(html.contains(
        r#"href="/services?commune=Saint-Denis&#38;radius_km=1&#38;free=on">Tous les thèmes"#
    ));
    // "At any time" drops the time condition however it was written.
    let timed = page(
        &app,
        "/services?commune=Saint-Denis&radius_km=1&theme=logement-hebergement&open_now=true",
    )
    .await;
    let any_time = r#"href="/services?commune=Saint-Denis&#38;radius_km=1&#38;theme=logement-hebergement">À tout moment"#;
    assert!(timed.contains(any_time), "{timed}");
    assert_eq!(timed.matches("À tout moment").count(), 1);
}

#[tokio::test]
async fn language_by_link_cookie_or_browser() {
    let app = TestApp::new().await;
    // Explicit choice: the page, a cookie for the next visits, links that keep it.
    let (status, html, headers) = app.get_raw("/?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains("Find free legal advice"));
    let cookie = headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.starts_with("lang=en;") && cookie.contains("SameSite=Lax"));
    assert!(html.contains(r#"href="/a-propos?lang=en""#));
    assert_eq!(headers[header::VARY], "Accept-Language, Cookie");
    // Remembered by the cookie, without `lang` in the URL.
    let (_, html, headers) = app.get_with("/", &[("cookie", "lang=ar")]).await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(headers.get(header::SET_COOKIE).is_none());
    // Otherwise the browser's languages, by preference.
    let (_, html, _) = app
        .get_with("/", &[("accept-language", "de-DE,en-GB;q=0.8,fr;q=0.5")])
        .await;
    assert!(html.contains(r#"<html lang="en""#));
    // The switcher on every page, each link in its own language.
    for code in ["fr", "en", "ar"] {
        assert!(html.contains(&format!(r#"hreflang="{code}" lang="{code}""#)));
    }
    // On a search, `lang` is the interface; the spoken-language filter is `langue`.
    let html = page(&app, "/services?commune=Paris%2018e&lang=ar&langue=ar").await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains(r#"<option value="ar" selected>"#));
}

#[tokio::test]
async fn service_content_keeps_its_language() {
    let app = TestApp::new().await;
    let id = service_id(&app, "Consultation juridique gratuite").await;
    let en = page(&app, &format!("/services/{id}?lang=en")).await;
    assert!(en.contains(r#"<h1 lang="fr">Consultation juridique gratuite</h1>"#));
    assert!(en.contains("Closed — Christmas Day — "), "{en}");
    assert!(en.contains("Tuesday 22 December"));
    assert!(en.contains("Open until 12\u{a0}pm"));
    let ar = page(&app, &format!("/services/{id}?lang=ar")).await;
    // French text inside a right-to-left page keeps its own direction.
    assert!(ar.contains(r#"<h1 lang="fr" dir="ltr">Consultation juridique gratuite</h1>"#));
    assert!(ar.contains(r#"dir="ltr">"#));
    let fr = page(&app, &format!("/services/{id}")).await;
    // In French, only the page itself and the switcher's own link say `lang="fr"`.
    assert_eq!(fr.matches(r#" lang="fr""#).count(), 2, "{fr}");
}

#[tokio::test]
async fn errors_are_pages_in_the_same_design() {
    let app = TestApp::new().await;
    for uri in [
        "/nulle-part",
        "/services/pas-un-identifiant",
        "/services/00000000-0000-0000-0000-000000000000",
    ] {
        let (status, html, _) = app.get_raw(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(html.contains("<h1>Page introuvable</h1>"), "{uri}");
        assert!(html.contains(r#"<nav class="langues""#));
    }
    let (status, html, _) = app.get_raw("/nowhere?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    // Under /api an unknown route stays JSON.
    let (status, v) = app.get("/api/v1/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["errors"][0]["detail"].is_string());
}

#[tokio::test]
async fn information_pages_exist_in_every_language() {
    let app = TestApp::new().await;
    for path in ["/a-propos", "/accessibilite", "/confidentialite"] {
        for lang in ["fr", "en", "ar"] {
            let html = page(&app, &format!("{path}?lang={lang}")).await;
            assert!(html.contains(&format!(r#"<html lang="{lang}""#)));
            assert!(html.contains(r#"aria-current="page""#), "{path} {lang}");
        }
    }
    let a11y = page(&app, "/accessibilite").await;
    assert!(a11y.contains("partiellement conforme"));
    assert!(a11y.contains("Défenseur des droits"));
    let privacy = page(&app, "/confidentialite").await;
    assert!(privacy.contains("30 jours"));
    // Issue 9, item 9: the journal's addresses and the hashed throttling keys are said.
    assert!(privacy.contains("événements de sécurité"), "{privacy}");
    assert!(privacy.contains("SHA-256 salée"), "{privacy}");
}

#[tokio::test]
async fn nothing_is_loaded_from_elsewhere() {
    let app = TestApp::new().await;
    let id = service_id(&app, "Consultation juridique gratuite").await;
    let (_, _, headers) = app.get_raw("/").await;
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    for uri in [
        "/".to_owned(),
        LEGAL_18E.to_owned(),
        format!("/services/{id}"),
        "/a-propos".to_owned(),
    ] {
        let html = page(&app, &uri).await;
        // No inline script or style (the CSP would block them anyway), no external resource:
        // only `<a>` links may point elsewhere.
        assert!(
            !html.contains("<style") && !html.contains(" style="),
            "{uri}"
        );
        assert!(!html.contains("<script>"), "{uri}");
        for tag in ["<link ", "<script ", "<img ", "<iframe", "<source "] {
            for piece in html.split(tag).skip(1) {
                let attrs = piece.split('>').next().unwrap_or("");
                assert!(
                    !attrs.contains("://") && !attrs.contains("=\"//"),
                    "{uri}: {tag}{attrs}"
                );
            }
        }
    }
}

#[tokio::test]
async fn assets_are_immutable_and_small() {
    let app = TestApp::new().await;
    let html = page(&app, "/").await;
    let css = html
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet");
    let js = html
        .split(r#"<script src=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("script");
    let (status, body, headers) = app.get_raw(css).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(".skip-link"));
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let (status, body, _) = app.get_raw(js).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.len() <= SCRIPT_BUDGET,
        "script is {} bytes",
        body.len()
    );
    // An old name is not served (it would be cached forever with the wrong content).
    let (status, _, _) = app.get_raw("/static/app.0000000000.css").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The heaviest public pages, on the demo dataset, must fit the budget compressed.
#[tokio::test]
async fn every_public_page_fits_the_first_round_trip() {
    let now = paris(2026, 12, 22, 10, 30);
    let (structures, services) =
        relais_exchange::demo_dataset_on(2_000, 2026, now.date_naive(), &mut |_| {});
    let app = TestApp::with_data(&structures, &services, now).await;
    let gz = [("accept-encoding", "gzip")];
    // The longest service page of the dataset.
    let longest = services
        .iter()
        .max_by_key(|s| s.description.len() + s.access_conditions.as_ref().map_or(0, String::len))
        .expect("services");
    let mut pages = vec![
        "/".to_owned(),
        "/services?commune=Paris%2018e".to_owned(),
        "/services?commune=Saint-Denis&radius_km=25".to_owned(),
        "/services?q=juridique".to_owned(),
        format!("/services/{}", longest.id),
        "/a-propos".to_owned(),
        "/accessibilite".to_owned(),
        "/confidentialite".to_owned(),
        "/nulle-part".to_owned(),
    ];
    let with_lang: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            let sep = if p.contains('?') { '&' } else { '?' };
            ["en", "ar"].map(|l| format!("{p}{sep}lang={l}"))
        })
        .collect();
    pages.extend(with_lang);
    let (_, home, _) = app.get_raw("/").await;
    let css_url = home
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet")
        .to_owned();
    let (_, css, headers) = app.get_bytes(&css_url, &gz).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    for uri in pages {
        let (status, html, headers) = app.get_bytes(&uri, &gz).await;
        assert!(
            status.is_success() || status == StatusCode::NOT_FOUND,
            "{uri}"
        );
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "{uri}");
        let total = html.len() + css.len();
        assert!(
            total <= CRITICAL_PATH_BUDGET,
            "{uri}: {} + {} = {total} bytes compressed, budget {CRITICAL_PATH_BUDGET}",
            html.len(),
            css.len()
        );
    }
    // A page of 20 results really has 20 results (the budget is tested on a full page).
    let (_, full, _) = app
        .get_raw("/services?commune=Saint-Denis&radius_km=25")
        .await;
    assert_eq!(full.matches(r#"<li class="result">"#).count(), 20);
    // Brotli when the browser prefers it.
    let (_, _, headers) = app.get_bytes("/", &[("accept-encoding", "br")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
}

/// Every message exists in every language: English and Arabic are complete, not patched by
/// French fallbacks. The professional pages (`pro.ftl`) exist in French and English only.
#[test]
fn every_message_is_translated() {
    use relais_web::pages::i18n::{Lang, Tr};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let ids = |lang: &str, with_pro: bool| -> Vec<String> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(dir.join(lang)).expect("locale dir") {
            let path = entry.expect("entry").path();
            if !with_pro && path.file_name().is_some_and(|n| n == "pro.ftl") {
                continue;
            }
            let text = std::fs::read_to_string(path).expect("ftl");
            for line in text.lines() {
                if let Some((id, _)) = line.split_once(" =")
                    && !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    ids.push(id.to_owned());
                }
            }
        }
        ids.sort();
        ids
    };
    for lang in [Lang::En, Lang::Ar] {
        let with_pro = lang == Lang::En;
        let fr = ids("fr", with_pro);
        assert!(fr.len() > 200, "{} French messages", fr.len());
        assert_eq!(
            ids(lang.code(), with_pro),
            fr,
            "{} has other ids than fr",
            lang.code()
        );
        let tr = Tr::new(lang);
        for id in &fr {
            assert!(tr.has(id), "{}: {id} does not resolve", lang.code());
        }
    }
}

#[tokio::test]
async fn pages_match_their_snapshots() {
    let app = TestApp::new().await;
    let id = service_id(&app, "Consultation juridique gratuite").await;
    let cases = [
        ("home_fr", "/".to_owned()),
        ("results_fr", LEGAL_18E.to_owned()),
        ("results_empty_fr", "/services?q=licorne".to_owned()),
        ("service_fr", format!("/services/{id}")),
        ("service_en", format!("/services/{id}?lang=en")),
        ("service_ar", format!("/services/{id}?lang=ar")),
        ("not_found_en", "/nowhere?lang=en".to_owned()),
    ];
    for (name, uri) in cases {
        let (_, html, _) = app.get_raw(&uri).await;
        let html = redact_assets(&html).replace(&id, "[service-id]");
        insta::assert_snapshot!(name, html);
    }
}

#[tokio::test]
async fn the_results_form_works_as_a_browser_submits_it() {
    let app = TestApp::new().await;
    // Every control of the results form, empty ones included, the radius always set.
    let (status, html, _) = app
        .get_raw("/services?q=avocat&commune=&theme=&when=any&radius_km=3&langue=")
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Consultation juridique gratuite"));
    // Parameters added by the apps a link was shared through do not break it.
    let (status, _, _) = app
        .get_raw("/services?commune=Paris%2018e&utm_source=sms&fbclid=abc")
        .await;
    assert_eq!(status, StatusCode::OK);
    // A theme from a shortcut that the select does not list stays chosen.
    let html = page(
        &app,
        "/services?theme=logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
    )
    .await;
    assert!(html.contains(
        r#"<option value="logement-hebergement--rechercher-une-solution-dhebergement-temporaire" selected>"#
    ));
    // A field error is tied to its field for screen readers.
    let (_, html, _) = app.get_raw("/services?commune=Atlantide").await;
    assert!(html.contains(r#"aria-invalid="true" aria-describedby="commune-error""#));
    assert!(html.contains(r#"<span class="field-error" id="commune-error">"#));
}

#[tokio::test]
async fn near_me_never_puts_the_position_in_a_url() {
    let app = TestApp::new().await;
    let post = |body: &'static str| {
        let router = app.router.clone();
        async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/services")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(body))
                .expect("request");
            router.oneshot(req).await.expect("response")
        }
    };
    // Montmartre: the search goes on in the 18th arrondissement, by name.
    let res = post("q=avocat&commune=&near=48.887%2C2.343&when=now").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        to,
        "/services?q=avocat&when=now&commune=Paris+18e+Arrondissement"
    );
    assert!(!to.contains("48.8") && !to.contains("2.34"));
    let html = page(&app, &to).await;
    assert!(html.contains("Consultation juridique gratuite"));
    // Outside the metropolis: said so, nothing found, nothing redirected.
    let res = post("near=45.760%2C4.840").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .expect("body")
        .to_bytes();
    let html = String::from_utf8(body.to_vec()).expect("utf-8");
    assert!(html.contains("hors de la Métropole du Grand Paris"));
    assert!(!html.contains("45.76"));
}

#[tokio::test]
async fn results_come_in_pages() {
    let now = paris(2026, 12, 22, 10, 30);
    let (structures, services) =
        relais_exchange::demo_dataset_on(300, 7, now.date_naive(), &mut |_| {});
    let app = TestApp::with_data(&structures, &services, now).await;
    let first = page(&app, "/services").await;
    assert!(first.contains("300 services dans la Métropole du Grand Paris"));
    assert!(
        first.contains(r#"href="/services?offset=20" rel="next""#),
        "{first}"
    );
    assert!(!first.contains(r#"rel="prev""#));
    let second = page(&app, "/services?offset=20").await;
    assert!(second.contains(r#"href="/services?offset=0" rel="prev""#));
    let names = |html: &str| -> Vec<String> {
        html.split(r#"<li class="result">"#)
            .skip(1)
            .map(|r| r.split("</a>").next().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(names(&second).len(), 20);
    assert!(names(&second).iter().all(|n| !names(&first).contains(n)));
    // Past the end: the last page, never an empty list under a count.
    let past = page(&app, "/services?offset=9980").await;
    assert_eq!(names(&past).len(), 20);
    assert!(
        past.contains(r#"href="/services?offset=260" rel="prev""#),
        "{past}"
    );
    assert!(!past.contains("aucun-resultat"));
}

#[tokio::test]
async fn links_never_lead_elsewhere() {
    let app = TestApp::new().await;
    let (status, html, _) = app.get_raw("//evil.example/x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("evil.example"), "{html}");
    let html = page(&app, "/services?commune=Paris%2018e&lang=en").await;
    assert!(html.contains(r#"<a href="?commune=Paris+18e&#38;lang=ar" hreflang="ar""#));
}

/// Messages built from data (referential values, holidays, spoken languages) exist in every
/// language; a value no message covers shows its data, never a loader error.
#[test]
fn messages_built_from_data_resolve() {
    use relais_domain::calendar::{HolidayZone, public_holidays};
    use relais_domain::referentials::{
        PARENT_THEMES, fees, mobilisation_modes, publics, reception_modes,
    };
    use relais_web::pages::i18n::{Lang, Tr};
    let mut keys: Vec<String> = Vec::new();
    keys.extend(PARENT_THEMES.iter().map(|(p, _)| format!("theme-{p}")));
    for (prefix, r) in [
        ("mode", reception_modes()),
        ("mobilisation", mobilisation_modes()),
        ("public", publics()),
        ("fee", fees()),
    ] {
        keys.extend(r.entries().iter().map(|e| format!("{prefix}-{}", e.value)));
    }
    keys.extend(
        public_holidays(2027, HolidayZone::AlsaceMoselle)
            .iter()
            .map(|h| relais_web::pages::holiday_key(h.name)),
    );
    keys.extend(
        relais_web::pages::SPOKEN
            .iter()
            .map(|c| format!("language-{c}")),
    );
    for lang in Lang::ALL {
        let tr = Tr::new(lang);
        for k in &keys {
            assert!(tr.has(k), "{}: no message {k}", lang.code());
        }
        assert_eq!(tr.t_or("language-xx", "xx"), "xx");
        assert!(!tr.t("no-such-key").contains("Unknown"));
    }
}
