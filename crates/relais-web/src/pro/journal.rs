//! The partner's journal for its admins: its events (and its members' sign-ins), filtered by
//! person, kind of action and dates, newest first; the same as CSV. Events hold ids and codes
//! only; people are shown by the address of their account, looked up here.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Paris;

use relais_domain::access::Action;
use relais_domain::journal::Event;
use relais_store::{JournalFilter, Member, Partner};

use super::session::SignedIn;
use super::{ProChrome, partner_for, render_pro};
use crate::pages::i18n::Locale;
use crate::pages::internal_error;
use crate::state::AppState;

/// Events on one page.
pub const PAGE: u32 = 200;
/// Most events in one CSV export.
pub const CSV_MAX: usize = 50_000;
/// The kinds of action one can filter on (prefixes of `action`).
pub const KINDS: [&str; 5] = ["auth.", "member.", "service.", "token.", "directory."];

/// The filter as typed in the page's form (query string: no personal data, ids only).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct Query {
    pub personne: String,
    pub action: String,
    pub du: String,
    pub au: String,
    pub avant: Option<i64>,
}

impl Query {
    fn filter(&self) -> JournalFilter {
        let day = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|t| Paris.from_local_datetime(&t).earliest())
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        JournalFilter {
            actor: (!self.personne.is_empty()).then(|| self.personne.clone()),
            action_prefix: KINDS
                .contains(&self.action.as_str())
                .then(|| self.action.clone()),
            from: day(&self.du),
            // "au" is inclusive: up to the start of the next day.
            until: day(&self.au).map(|t| t + chrono::TimeDelta::days(1)),
            before_seq: self.avant,
        }
    }
}

/// One event as shown.
#[derive(Debug)]
pub struct Row {
    pub seq: i64,
    pub at: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub details: String,
}

/// An event's details as a person reads them: `fields: hours, closures; factor: totp`.
pub fn words(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                Value::Object(_) => format!("{k} ({})", words(v)),
                _ => format!("{k}: {}", words(v)),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::Array(a) => a.iter().map(words).collect::<Vec<_>>().join(", "),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn rows(events: &[Event], people: &HashMap<String, String>) -> Vec<Row> {
    events
        .iter()
        .map(|e| Row {
            seq: e.seq,
            at: e
                .event
                .at
                .with_timezone(&Paris)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            who: people
                .get(&e.event.actor)
                .cloned()
                .unwrap_or_else(|| e.event.actor.clone()),
            action: e.event.action.clone(),
            subject: e
                .event
                .subject
                .as_ref()
                .map(|s| people.get(s).cloned().unwrap_or_else(|| s.clone()))
                .unwrap_or_default(),
            details: words(&e.event.details),
        })
        .collect()
}

#[derive(Debug, Template)]
#[template(path = "pro/journal.html")]
pub struct JournalPage {
    pub c: ProChrome,
    pub q: Query,
    pub people: Vec<(String, String)>,
    pub kinds: Vec<(&'static str, String)>,
    pub rows: Vec<Row>,
    pub csv: String,
    pub next: Option<String>,
}

async fn load(
    state: &AppState,
    partner: &Partner,
) -> anyhow::Result<(Vec<Member>, HashMap<String, String>)> {
    let members = state.store.members_of(partner.id).await?;
    let people = members
        .iter()
        .map(|m| (m.user_id.to_string(), m.email.to_string()))
        .collect();
    Ok((members, people))
}

/// The members whose own events (sign-ins…) the partner sees, each from the moment they joined:
/// the active ones only — not a person merely invited, who may belong to another partner — and
/// none of what they did before joining (their history is not this one's).
fn active_ids(
    members: &[Member],
) -> Vec<(
    relais_domain::accounts::UserId,
    chrono::DateTime<chrono::Utc>,
)> {
    members
        .iter()
        .filter(|m| m.status == relais_domain::accounts::MemberStatus::Active)
        .filter_map(|m| Some((m.user_id, m.joined?)))
        .collect()
}

/// A CSV cell a spreadsheet will not run as a formula (`=`, `+`, `-`, `@` first).
fn cell(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

fn query_of(uri: &Uri) -> Query {
    uri.query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

/// `GET /pro/p/{pid}/journal`.
pub async fn page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ReadJournal).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let q = query_of(&uri);
    let (members, people) = match load(&state, &partner).await {
        Ok(x) => x,
        Err(e) => return internal_error(locale, &e),
    };
    let ids = active_ids(&members);
    let events = match state
        .store
        .journal_of(partner.id, &ids, &q.filter(), PAGE)
        .await
    {
        Ok(e) => e,
        Err(e) => return internal_error(locale, &e.into()),
    };
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "journal");
    let base = c.base();
    let keep = |avant: Option<i64>| {
        let mut p = vec![
            ("personne", q.personne.clone()),
            ("action", q.action.clone()),
            ("du", q.du.clone()),
            ("au", q.au.clone()),
        ];
        if let Some(a) = avant {
            p.push(("avant", a.to_string()));
        }
        serde_urlencoded::to_string(&p).unwrap_or_default()
    };
    let next = (events.len() == PAGE as usize)
        .then(|| {
            events
                .last()
                .map(|e| format!("{base}/journal?{}", keep(Some(e.seq))))
        })
        .flatten();
    let page = JournalPage {
        csv: format!("{base}/journal.csv?{}", keep(None)),
        people: members
            .iter()
            .map(|m| (m.user_id.to_string(), m.email.to_string()))
            .collect(),
        kinds: KINDS
            .iter()
            .map(|k| (*k, c.tr.t(&format!("pro-kind-{}", k.trim_end_matches('.')))))
            .collect(),
        rows: rows(&events, &people),
        next,
        q,
        c,
    };
    render_pro(StatusCode::OK, locale, &page)
}

/// `GET /pro/p/{pid}/journal.csv`: the filtered events, newest first, as CSV (UTF-8, comma).
pub async fn csv(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ReadJournal).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let q = query_of(&uri);
    let (members, people) = match load(&state, &partner).await {
        Ok(x) => x,
        Err(e) => return internal_error(locale, &e),
    };
    let ids = active_ids(&members);
    let mut filter = q.filter();
    let mut all = Vec::new();
    loop {
        let batch = match state
            .store
            .journal_of(partner.id, &ids, &filter, 1_000)
            .await
        {
            Ok(b) => b,
            Err(e) => return internal_error(locale, &e.into()),
        };
        let Some(last) = batch.last().map(|e| e.seq) else {
            break;
        };
        let full = batch.len() == 1_000;
        all.extend(batch);
        if !full || all.len() >= CSV_MAX {
            break;
        }
        filter.before_seq = Some(last);
    }
    let mut w = csv_writer();
    let _ = w.write_record([
        "seq", "at", "who", "action", "subject", "ip", "details", "hash",
    ]);
    for (r, e) in rows(&all, &people).into_iter().zip(&all) {
        let _ = w.write_record([
            r.seq.to_string(),
            e.event.at.to_rfc3339(),
            cell(r.who),
            cell(r.action),
            cell(r.subject),
            cell(e.event.ip.clone().unwrap_or_default()),
            cell(e.event.details.to_string()),
            e.hash.clone(),
        ]);
    }
    let body = w.into_inner().unwrap_or_default();
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"journal.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

#[cfg(test)]
mod tests {
    #[test]
    fn details_read_as_words() {
        let d = serde_json::json!({"fields": ["hours", "closures"], "counts": {"services": {"created": 1}}});
        assert_eq!(
            super::words(&d),
            "counts (services (created: 1)); fields: hours, closures"
        );
        assert_eq!(super::words(&serde_json::json!({})), "");
    }
}
