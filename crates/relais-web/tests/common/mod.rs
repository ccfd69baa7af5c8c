//! What every integration test of the web layer shares: an app on a fresh database (SQLite, or
//! PostgreSQL when `TEST_DATABASE_URL` is set) loaded with `data/directory.json`, a fixed clock,
//! and requests driven in-process.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use relais_store::DynStore;
use relais_testing::TestDatabase;
use relais_web::AppState;

pub const FIXTURE: &[u8] = include_bytes!("../data/directory.json");

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub store: DynStore,
    _db: TestDatabase,
}

pub fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Paris
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("local time")
        .with_timezone(&Utc)
}

impl TestApp {
    pub async fn new() -> Self {
        Self::at(paris(2026, 12, 22, 10, 30)).await
    }

    pub async fn at(now: DateTime<Utc>) -> Self {
        let parsed =
            relais_exchange::parse_document("directory.json", FIXTURE).expect("fixture parses");
        Self::with_data(&parsed.structures, &parsed.services, now).await
    }

    /// An app on other data (the demo dataset, for weight and load).
    pub async fn with_data(
        structures: &[relais_domain::Structure],
        services: &[relais_domain::Service],
        now: DateTime<Utc>,
    ) -> Self {
        let db = TestDatabase::new().await;
        let store = relais_store::connect(&db.url).await.expect("connect");
        store
            .apply_import(structures, services)
            .await
            .expect("import");
        let state = AppState::load(store.clone(), Arc::new(move || now))
            .await
            .expect("load");
        let router = relais_web::router(state.clone());
        Self {
            state,
            router,
            store,
            _db: db,
        }
    }

    pub async fn get_raw(&self, uri: &str) -> (StatusCode, String, axum::http::HeaderMap) {
        self.get_with(uri, &[]).await
    }

    /// `GET uri` with request headers; the body as text.
    pub async fn get_with(
        &self,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String, axum::http::HeaderMap) {
        let (status, body, headers) = self.get_bytes(uri, headers).await;
        (status, String::from_utf8(body).expect("utf-8"), headers)
    }

    /// `GET uri` with request headers; the body as bytes (compressed answers).
    pub async fn get_bytes(
        &self,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        (status, body.to_vec(), headers)
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let (status, body, _) = self.get_raw(uri).await;
        let json =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {body}"));
        (status, json)
    }

    pub async fn search(&self, query: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v1/services?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        body
    }
}
