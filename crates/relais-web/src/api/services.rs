//! `GET /api/v1/services` (search) and `GET /api/v1/services/{id}` (one service with its week).

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use relais_domain::ServiceId;
use relais_domain::geo::{GeoPoint, Postcode, centre_of, geography};
use relais_domain::referentials::{is_known_theme, publics, reception_modes};
use relais_search::{GeoFilter, HoursView, Query};

use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;
use crate::views::{DayView, ServiceDetail, ServiceSummary};

/// Default search radius around a place, in km: a generous quarter-hour walk and more.
pub const DEFAULT_RADIUS_KM: f64 = 3.0;
/// Largest search radius, in km (the MGP fits in 50 km).
pub const MAX_RADIUS_KM: f64 = 50.0;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Longest free-text query, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/services", get(search_services))
        .route("/api/v1/services/{id}", get(get_service))
}

#[derive(Serialize)]
struct SearchResponse {
    services: Vec<ServiceSummary>,
    meta: Meta,
}

#[derive(Serialize)]
struct Meta {
    total: usize,
    limit: usize,
    offset: usize,
    /// The instant statuses are given for (RFC 3339, Europe/Paris offset).
    at: String,
    /// The centre of a place search, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    centre: Option<GeoPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    radius_km: Option<f64>,
}

/// Where a search comes from. On the pages `lang` is the interface language (so that a shared
/// link keeps it) and the spoken-language filter is called `langue`; the API keeps `lang`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Api,
    Page,
}

/// Parses the search parameters shared by the JSON API and the HTML pages.
pub fn parse_search(
    raw: Option<&str>,
    now: DateTime<Utc>,
    surface: Surface,
) -> Result<Query, ApiError> {
    let mut p = Params::parse(raw)?;
    if surface == Surface::Page {
        // Read by the locale extractor.
        p.all("lang");
    }
    let text = p.one("q");
    if let Some(t) = &text
        && t.chars().count() > MAX_TEXT_CHARS
    {
        p.error("q", format!("{MAX_TEXT_CHARS} caractères au plus"));
    }
    let near = p.parse_one("near", GeoPoint::parse);
    let commune = p.one("commune");
    let postcode = p.one("postcode");
    let given = [
        p.has_error("near") || near.is_some(),
        commune.is_some(),
        postcode.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given > 1 {
        p.error("near", "donnez un seul lieu : near, commune ou postcode");
    }
    let mut centre = near;
    if let Some(c) = &commune {
        let mut found = geography().resolve(c);
        // One "where" box takes a postcode too (75018, 93200) when it is not an INSEE code.
        if found.is_empty()
            && let Ok(code) = Postcode::parse(c)
        {
            found = geography().by_postcode(&code);
        }
        match centre_of(&found) {
            Some(pt) => centre = Some(pt),
            None => p.error(
                "commune",
                format!("« {c} » n'est pas une commune ni un arrondissement de la Métropole du Grand Paris (nom ou code INSEE)"),
            ),
        }
    }
    if let Some(pc) = &postcode {
        match Postcode::parse(pc) {
            Ok(code) => match centre_of(&geography().by_postcode(&code)) {
                Some(pt) => centre = Some(pt),
                None => p.error(
                    "postcode",
                    format!("le code postal {pc} n'est pas dans la Métropole du Grand Paris"),
                ),
            },
            Err(e) => p.error("postcode", e.to_string()),
        }
    }
    let radius_km = p.parse_one("radius_km", |v| match v.parse::<f64>() {
        Ok(r) if r > 0.0 && r <= MAX_RADIUS_KM => Ok(r),
        _ => Err(format!(
            "rayon en km attendu, entre 0 et {MAX_RADIUS_KM} (ex. 1.5)"
        )),
    });
    // The results page always sends its radius select; without a place it means nothing.
    if radius_km.is_some() && given == 0 && surface == Surface::Api {
        p.error(
            "radius_km",
            "un rayon demande un lieu : near, commune ou postcode",
        );
    }
    let mut themes = Vec::new();
    for v in p.all("theme") {
        for t in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if is_known_theme(t) {
                themes.push(t.to_owned());
            } else {
                p.error(
                    "theme",
                    format!("thématique inconnue « {t} » (voir le référentiel data·inclusion)"),
                );
            }
        }
    }
    let public = p.one("public");
    if let Some(x) = &public
        && !publics().contains(x)
    {
        p.error("public", format!("public inconnu « {x} »"));
    }
    let language_param = match surface {
        Surface::Api => "lang",
        Surface::Page => "langue",
    };
    let language = p.parse_one(language_param, |v| {
        let v = v.to_ascii_lowercase();
        if (2..=3).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(v)
        } else {
            Err("code de langue attendu (ex. fr, en, ar)")
        }
    });
    let reception_mode = p.one("mode");
    if let Some(m) = &reception_mode
        && !reception_modes().contains(m)
    {
        p.error(
            "mode",
            format!("mode d'accueil inconnu « {m} » (en-presentiel, a-distance)"),
        );
    }
    let free_only = p.flag("free");
    let wheelchair_only = p.flag("accessible");
    let open_now = p.flag("open_now");
    let open_at = p.parse_one("open_at", crate::params::parse_instant);
    if open_now && open_at.is_some() {
        p.error("open_at", "open_now et open_at s'excluent");
    }
    let when = p.parse_one("when", |v| match v {
        "any" | "now" | "today" | "week" => Ok(v.to_owned()),
        _ => Err("valeur attendue : any, now, today ou week"),
    });
    let open_between = match when.as_deref() {
        _ if open_now || open_at.is_some() => {
            if when.as_deref().is_some_and(|w| w != "any") {
                p.error("when", "when s'exclut avec open_now et open_at");
            }
            None
        }
        // From now to the end of the day in Paris: what is still open or opens later today.
        Some("today") => Some((now, crate::views::end_of_paris_day(now))),
        Some("week") => Some((now, now + Duration::days(7))),
        _ => None,
    };
    let open_now = open_now || when.as_deref() == Some("now");
    let limit = p.int_in("limit", 1..=MAX_LIMIT, 20);
    let offset = p.int_in("offset", 0..=10_000, 0);
    match surface {
        Surface::Api => p.finish()?,
        Surface::Page => p.finish_lenient()?,
    }
    Ok(Query {
        text,
        geo: centre.map(|c| GeoFilter {
            centre: c,
            radius_m: radius_km.unwrap_or(DEFAULT_RADIUS_KM) * 1000.0,
        }),
        themes,
        public,
        language,
        free_only,
        reception_mode,
        wheelchair_only,
        open_at: if open_now { Some(now) } else { open_at },
        open_between,
        limit,
        offset,
    })
}

/// Searches the directory. Walking time: straight-line distance × 1.3, walked at 4.5 km/h.
async fn search_services(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let now = state.now();
    let q = parse_search(raw.as_deref(), now, Surface::Api)?;
    let result = state.index().search(&q, now);
    let at = q.open_at.unwrap_or(now);
    Ok(Json(SearchResponse {
        services: result.hits.iter().map(ServiceSummary::from_hit).collect(),
        meta: Meta {
            total: result.total,
            limit: q.limit,
            offset: q.offset,
            at: crate::views::paris_rfc3339(at),
            centre: q.geo.map(|g| g.centre),
            radius_km: q.geo.map(|g| g.radius_m / 1000.0),
        },
    }))
}

/// One service, with its hours for today and the next 6 days.
async fn get_service(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ServiceDetail>, ApiError> {
    Params::parse(raw.as_deref())?.finish()?;
    let not_found = || ApiError::NotFound(format!("aucun service n'a l'identifiant « {id} »"));
    let sid: ServiceId = id.parse().map_err(|_| not_found())?;
    let now = state.now();
    let (service, structure_name) = find_service(&state, sid).await?.ok_or_else(not_found)?;
    let hours = hours_of(&state, &service, now);
    let week: Vec<DayView> = hours.week.iter().cloned().map(DayView::from).collect();
    Ok(Json(ServiceDetail::new(
        &service,
        &structure_name,
        hours.status,
        hours.next_change,
        week,
    )))
}

/// A service's hours at `now` as the index precomputed them (DESIGN: pages never evaluate a
/// stored expression per request); evaluated, within the budget, only in the moment after
/// midnight before the window moves to the new day.
pub fn hours_of(
    state: &AppState,
    service: &relais_domain::Service,
    now: DateTime<Utc>,
) -> HoursView {
    let indexed = state.index().hours_view(service.id, now);
    indexed.unwrap_or_else(|| HoursView::evaluate(&service.timetable(), now))
}

/// A service's full record and its structure's name, or `None` if it is not in the directory.
/// The index answers "does it exist" without a query; the full record comes from the store.
pub async fn find_service(
    state: &AppState,
    sid: ServiceId,
) -> anyhow::Result<Option<(relais_domain::Service, String)>> {
    if state.index().get(sid).is_none() {
        return Ok(None);
    }
    let Some(service) = state.store.get_service(sid).await? else {
        return Ok(None);
    };
    let indexed_name = state.index().structure(service.structure_id).cloned();
    let structure_name = match indexed_name {
        Some(n) => n.to_string(),
        None => state
            .store
            .get_structure(service.structure_id)
            .await?
            .map(|s| s.name.to_string())
            .unwrap_or_default(),
    };
    Ok(Some((service, structure_name)))
}
