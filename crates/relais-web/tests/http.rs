//! The edges of HTTP, on SQLite or PostgreSQL (`TEST_DATABASE_URL`): what the write API
//! accepts as a body and how it answers a token; error answers that keep the envelope, the page
//! design and the security headers whoever produces them; access to `/metrics`; and, on a real
//! socket, connections that send their headers too slowly or too many at once.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::TimeDelta;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use relais_auth::secret;
use relais_domain::accounts::Email;
use relais_domain::journal::NewEvent;
use relais_store::{LinkPurpose, NewLink, Scope};

use common::TestApp;

/// One answer, its body as text.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(app: &TestApp, req: Request<Body>) -> Answer {
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A partner keeping the structure of the fixture's legal consultation, with a write token.
async fn partner_with_token(app: &TestApp) -> (String, relais_domain::Service) {
    let now = app.state.now();
    let (partner, _) = app
        .store
        .bootstrap_admin(
            &Email::parse("claire@example.org").expect("email"),
            "Point-justice Paris 18",
            NewLink {
                token_hash: secret::hash_secret(&secret::new_secret()),
                purpose: LinkPurpose::Setup,
                expires_at: now + TimeDelta::hours(24),
            },
            NewEvent::system(now, "cli", "member.bootstrap_admin"),
        )
        .await
        .expect("store")
        .expect("bootstrap");
    let service = app
        .store
        .list_services()
        .await
        .expect("services")
        .into_iter()
        .find(|s| s.name.as_str() == "Consultation juridique gratuite")
        .expect("fixture service");
    app.store
        .attach_structure(
            partner.id,
            service.structure_id,
            NewEvent::system(now, "cli", "partner.attach_structure"),
        )
        .await
        .expect("attach");
    let token = relais_web::pro::issue_token(
        &app.store,
        partner.id,
        Scope::ServicesWrite,
        "logiciel",
        None,
        NewEvent::system(now, "cli", "token.create"),
    )
    .await
    .expect("token");
    (token, service)
}

fn service_body(service: &relais_domain::Service) -> Value {
    json!({
        "id": service.source_id,
        "nom": "Consultation juridique gratuite",
        "description": "Avocats du barreau, sans rendez-vous.",
        "date_maj": "2026-12-22",
        "horaires_accueil": "Mo-Fr 09:00-12:00; PH off",
        "thematiques": ["difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"]
    })
}

fn put(uri: &str, authorization: &str, content_type: Option<&str>, body: String) -> Request<Body> {
    let mut req = Request::put(uri).header(header::AUTHORIZATION, authorization);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    req.body(Body::from(body)).expect("request")
}

async fn journal_len(app: &TestApp) -> i64 {
    app.store
        .journal_head()
        .await
        .expect("head")
        .map_or(0, |(n, _)| n)
}

#[tokio::test]
async fn the_write_api_reads_only_bodies_declared_json() {
    let app = TestApp::new().await;
    let (token, service) = partner_with_token(&app).await;
    let uri = format!("/api/v1/services/{}", service.id);
    let auth = format!("Bearer {token}");
    let body = service_body(&service).to_string();
    let before = journal_len(&app).await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonx"),
        None,
    ] {
        let a = send(&app, put(&uri, &auth, content_type, body.clone())).await;
        assert_eq!(
            a.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {}",
            a.body
        );
        let v = a.json();
        assert!(
            v["errors"][0]["detail"]
                .as_str()
                .expect("detail")
                .contains("application/json"),
            "{v}"
        );
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    }
    // POST is held to the same rule.
    let a = send(
        &app,
        Request::post("/api/v1/partner/services")
            .header(header::AUTHORIZATION, &auth)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(body.clone()))
            .expect("request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", a.body);
    assert_eq!(journal_len(&app).await, before, "refusals write nothing");

    let a = send(
        &app,
        put(&uri, &auth, Some("Application/JSON; charset=utf-8"), body),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(journal_len(&app).await, before + 1);
}

#[tokio::test]
async fn answers_to_a_token_are_never_cached_and_the_scheme_is_case_insensitive() {
    let app = TestApp::new().await;
    let (token, service) = partner_with_token(&app).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let a = send(
            &app,
            Request::get("/api/v1/partner/services")
                .header(header::AUTHORIZATION, format!("{scheme} {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{scheme}: {}", a.body);
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-store", "{scheme}");
        assert!(!a.json()["items"].as_array().expect("items").is_empty());
    }
    let uri = format!("/api/v1/services/{}", service.id);
    let a = send(
        &app,
        put(
            &uri,
            &format!("bearer {token}"),
            Some("application/json"),
            service_body(&service).to_string(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    // Refusals too: a wrong token's answer is no one's to keep.
    for auth in ["Bearer relais_nope", "Basic abc", "bearer"] {
        let a = send(&app, put(&uri, auth, Some("application/json"), "{}".into())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{auth}: {}", a.body);
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-store", "{auth}");
        assert!(a.json()["errors"].is_array());
    }
}

async fn get_from(router: &axum::Router, uri: &str, authorization: Option<&str>) -> Answer {
    let mut req = Request::get(uri);
    if let Some(a) = authorization {
        req = req.header(header::AUTHORIZATION, a);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

#[tokio::test]
async fn metrics_behind_a_token_are_read_only_with_it() {
    let app = TestApp::new().await;
    let token = "s3cret-metrics-token-0123456789";
    let state = app
        .state
        .clone()
        .with_metrics_access(relais_web::health::MetricsAccess {
            token: Some(token.into()),
            separate: false,
        });
    let router = relais_web::router(state);
    for refused in [
        None,
        Some("Bearer wrong"),
        Some("Bearer s3cret-metrics-token-012345678"),
        Some("Basic czNjcmV0"),
        Some(token),
    ] {
        let a = get_from(&router, "/metrics", refused).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{refused:?}");
        assert!(!a.body.contains("relais_journal_head_info"), "{refused:?}");
        assert!(a.headers.contains_key(header::WWW_AUTHENTICATE));
    }
    for scheme in ["Bearer", "bearer"] {
        let a = get_from(&router, "/metrics", Some(&format!("{scheme} {token}"))).await;
        assert_eq!(a.status, StatusCode::OK, "{scheme}");
        assert!(a.body.contains("relais_journal_head_info"), "{}", a.body);
    }
    // Health checks stay open.
    assert_eq!(
        get_from(&router, "/healthz", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn metrics_on_their_own_listener_leave_the_main_one() {
    let app = TestApp::new().await;
    let state = app
        .state
        .clone()
        .with_metrics_access(relais_web::health::MetricsAccess {
            token: None,
            separate: true,
        });
    let main = relais_web::router(state.clone());
    let a = get_from(&main, "/metrics", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(!a.body.contains("relais_journal_head_info"));
    assert_eq!(
        get_from(&main, "/healthz", None).await.status,
        StatusCode::OK
    );

    let metrics = relais_web::metrics_router(state);
    let a = get_from(&metrics, "/metrics", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("relais_journal_head_info"), "{}", a.body);
    // Only /metrics there: not the pages, not the API.
    for other in ["/", "/healthz", "/api/v1/services"] {
        assert_eq!(
            get_from(&metrics, other, None).await.status,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }
}

/// The headers every answer carries, whoever made it.
fn assert_secured(a: &Answer, what: &str) {
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "permissions-policy",
    ] {
        assert!(a.headers.contains_key(h), "{what}: no {h}: {:?}", a.headers);
    }
}

/// An error in the API's envelope, with `status` and the security headers.
fn assert_envelope(a: &Answer, status: StatusCode, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.body);
    assert!(
        a.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("application/json"),
        "{what}: {:?}",
        a.headers
    );
    let v = a.json();
    let detail = v["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(!detail.is_empty(), "{what}: {v}");
    assert_secured(a, what);
}

/// An error page in the pages' design, with `status` and the security headers.
fn assert_page(a: &Answer, status: StatusCode, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.body);
    assert!(
        a.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/html"),
        "{what}: {:?}",
        a.headers
    );
    assert!(a.body.contains("<h1>"), "{what}: {}", a.body);
    assert!(a.body.contains("/static/app."), "the layout: {what}");
    assert_secured(a, what);
}

fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri)
}

#[tokio::test]
async fn wrong_methods_keep_the_envelope_or_the_page() {
    let app = TestApp::new().await;
    let a = send(
        &app,
        request("POST", "/api/v1/services")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_envelope(&a, StatusCode::METHOD_NOT_ALLOWED, "POST /api/v1/services");
    assert!(a.headers.contains_key(header::ALLOW), "Allow is kept");
    for (method, uri) in [("DELETE", "/"), ("PUT", "/a-propos"), ("DELETE", "/pro")] {
        let a = send(&app, request(method, uri).body(Body::empty()).expect("req")).await;
        assert_page(
            &a,
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{method} {uri}"),
        );
        assert!(a.headers.contains_key(header::ALLOW), "{method} {uri}");
    }
    // In the page's language.
    let a = send(
        &app,
        request("DELETE", "/")
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(a.body.contains("Request refused"), "{}", a.body);
}

#[tokio::test]
async fn bodies_too_large_and_forms_of_the_wrong_type() {
    let app = TestApp::new().await;
    let big = "x=".to_owned() + &"a".repeat(70 * 1024);
    for uri in ["/services", "/pro/connexion"] {
        let a = send(
            &app,
            request("POST", uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(big.clone()))
                .expect("req"),
        )
        .await;
        assert_page(&a, StatusCode::PAYLOAD_TOO_LARGE, uri);
    }
    let (token, service) = partner_with_token(&app).await;
    let a = send(
        &app,
        put(
            &format!("/api/v1/services/{}", service.id),
            &format!("Bearer {token}"),
            Some("application/json"),
            format!("{{\"nom\":\"{}\"}}", "a".repeat(70 * 1024)),
        ),
    )
    .await;
    assert_envelope(&a, StatusCode::PAYLOAD_TOO_LARGE, "PUT 70 KB");
    let a = send(
        &app,
        request("POST", "/pro/connexion")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("email=a@b.c"))
            .expect("req"),
    )
    .await;
    assert_page(
        &a,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "pro form as text/plain",
    );
}

#[tokio::test]
async fn urls_too_long_and_headers_too_many() {
    let app = TestApp::new().await;
    let long = "a".repeat(5000);
    let a = send(
        &app,
        request("GET", &format!("/api/v1/services?q={long}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_envelope(&a, StatusCode::URI_TOO_LONG, "414 /api");
    let a = send(
        &app,
        request("GET", &format!("/services?q={long}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_page(&a, StatusCode::URI_TOO_LONG, "414 page");

    for uri in ["/api/v1/services", "/"] {
        let mut many = request("GET", uri);
        for i in 0..=relais_web::MAX_HEADERS {
            many = many.header(format!("x-h{i}"), "1");
        }
        let a = send(&app, many.body(Body::empty()).expect("req")).await;
        let large = send(
            &app,
            request("GET", uri)
                .header("x-big", "b".repeat(relais_web::MAX_HEADER_BYTES))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
        if uri == "/" {
            assert_page(&a, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "many");
            assert_page(&large, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "large");
        } else {
            assert_envelope(&a, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "many");
            assert_envelope(&large, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "large");
        }
    }
}

#[tokio::test]
async fn unknown_assets_get_the_page_and_every_answer_the_headers() {
    let app = TestApp::new().await;
    let a = send(
        &app,
        request("GET", "/static/x")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_page(&a, StatusCode::NOT_FOUND, "/static/x");
    for uri in [
        "/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/openapi.json",
        "/favicon.ico",
    ] {
        let a = send(&app, request("GET", uri).body(Body::empty()).expect("req")).await;
        assert!(a.status.is_success(), "{uri}: {}", a.status);
        assert_secured(&a, uri);
    }
}

/// The app on a real socket of the loopback with `limits`; dropping the sender stops it.
async fn listen(
    app: &TestApp,
    limits: relais_web::ConnLimits,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = app.router.clone();
    tokio::spawn(relais_web::serve_until(
        listener,
        router,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    (addr, stop)
}

/// Generous: only a server that never closes takes this long.
const CLOSED_WITHIN: std::time::Duration = std::time::Duration::from_secs(20);

/// Reads until the server closes the connection; what it sent before.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = tokio::time::timeout(CLOSED_WITHIN, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&got).into_owned()
}

/// Sends one complete request on `stream` and reads the status line of the answer.
async fn status_line(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: relais.test\r\n\r\n")
        .await
        .is_err()
    {
        return String::new();
    }
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(CLOSED_WITHIN, stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_closed() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::new().await;
    let (addr, _stop) = listen(
        &app,
        relais_web::ConnLimits {
            header_read_timeout: std::time::Duration::from_millis(200),
            max_connections_per_ip: None,
        },
    )
    .await;
    // A request line and one header, never the blank line.
    let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: relais.test\r\n")
        .await
        .expect("write");
    let sent = until_closed(&mut slow).await;
    assert!(!sent.contains("200 OK"), "{sent}");
    // Nothing at all, not even a request line.
    let mut silent = tokio::net::TcpStream::connect(addr).await.expect("connect");
    until_closed(&mut silent).await;
    // A client that does send its request in time is answered.
    let mut prompt = tokio::net::TcpStream::connect(addr).await.expect("connect");
    assert_eq!(status_line(&mut prompt).await, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn one_address_gets_only_so_many_connections_at_once() {
    let app = TestApp::new().await;
    let (addr, _stop) = listen(
        &app,
        relais_web::ConnLimits {
            // Long enough not to close the held connections during the test.
            header_read_timeout: std::time::Duration::from_secs(60),
            max_connections_per_ip: Some(2),
        },
    )
    .await;
    let mut first = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut second = tokio::net::TcpStream::connect(addr).await.expect("connect");
    // Both are counted once the server answered on them.
    assert_eq!(status_line(&mut first).await, "HTTP/1.1 200 OK");
    assert_eq!(status_line(&mut second).await, "HTTP/1.1 200 OK");
    let mut third = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let sent = until_closed(&mut third).await;
    assert!(sent.is_empty(), "closed without an answer: {sent}");
    // Another address of the loopback is not concerned.
    let other = tokio::net::TcpSocket::new_v4().expect("socket");
    other
        .bind("127.0.0.2:0".parse().expect("addr"))
        .expect("bind 127.0.0.2");
    let mut other = other.connect(addr).await.expect("connect");
    assert_eq!(status_line(&mut other).await, "HTTP/1.1 200 OK");
    // The first two still work, and once one is closed its place is free again.
    assert_eq!(status_line(&mut first).await, "HTTP/1.1 200 OK");
    drop(first);
    let mut answered = false;
    for _ in 0..200 {
        let mut again = tokio::net::TcpStream::connect(addr).await.expect("connect");
        if status_line(&mut again).await == "HTTP/1.1 200 OK" {
            answered = true;
            break;
        }
        // The server has not yet seen the close: try again shortly.
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(answered, "a freed place is given again");
    assert_eq!(status_line(&mut second).await, "HTTP/1.1 200 OK");
}
