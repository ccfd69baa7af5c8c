//! `GET /api/v1/opening-hours/evaluate` (partners check hours before saving them) and
//! `GET /api/v1/holidays`.

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use serde::Serialize;

use relais_domain::calendar::{HolidayZone, public_holidays};
use relais_domain::geo::InseeCode;
use relais_domain::hours::{OpeningHours, Status, Timetable};

use crate::error::{ApiError, FieldError};
use crate::params::Params;
use crate::state::AppState;
use crate::views::paris_rfc3339;

/// Longest expression accepted, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 1000;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/opening-hours/evaluate", get(evaluate))
        .route("/api/v1/holidays", get(holidays))
}

#[derive(Serialize)]
struct Evaluation {
    status: Status,
    next_change: Option<String>,
    zone: HolidayZone,
}

async fn evaluate(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Evaluation>, ApiError> {
    let mut p = Params::parse(raw.as_deref())?;
    let expr = p.one("expr");
    let at = p.parse_one("at", crate::params::parse_instant);
    let zone = p
        .parse_one("insee", |v| {
            InseeCode::parse(v).map(|c| HolidayZone::for_insee(&c))
        })
        .unwrap_or(HolidayZone::Metropole);
    if expr.is_none() && !p.has_error("expr") {
        p.error(
            "expr",
            "l'expression des horaires est obligatoire (ex. Mo-Fr 09:00-17:00; PH off)",
        );
    }
    p.finish()?;
    let expr = expr.unwrap_or_default();
    if expr.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(ApiError::invalid(
            "expr",
            format!("{MAX_EXPRESSION_CHARS} caractères au plus"),
        ));
    }
    let hours = OpeningHours::parse(&expr).map_err(|e| {
        ApiError::Invalid(vec![FieldError {
            field: Some("expr".into()),
            detail: format!("{} (position {})", e.message, e.position),
        }])
    })?;
    let at = at.unwrap_or_else(|| state.now());
    let t = Timetable::new(Some(hours), zone, Vec::new());
    Ok(Json(Evaluation {
        status: t.status_at(at),
        next_change: t.next_change(at).map(paris_rfc3339),
        zone,
    }))
}

#[derive(Serialize)]
struct HolidayView {
    date: chrono::NaiveDate,
    name: &'static str,
}

async fn holidays(RawQuery(raw): RawQuery) -> Result<Json<Vec<HolidayView>>, ApiError> {
    let mut p = Params::parse(raw.as_deref())?;
    let year = p.parse_one("year", |v| match v.parse::<i32>() {
        Ok(y) if (1900..=2200).contains(&y) => Ok(y),
        _ => Err("année attendue entre 1900 et 2200"),
    });
    let zone = p
        .parse_one("zone", |v| match v {
            "metropole" => Ok(HolidayZone::Metropole),
            "alsace-moselle" => Ok(HolidayZone::AlsaceMoselle),
            _ => Err("zone attendue : metropole ou alsace-moselle"),
        })
        .unwrap_or(HolidayZone::Metropole);
    if year.is_none() && !p.has_error("year") {
        p.error("year", "l'année est obligatoire (ex. year=2026)");
    }
    p.finish()?;
    let year = year.unwrap_or_default();
    Ok(Json(
        public_holidays(year, zone)
            .into_iter()
            .map(|h| HolidayView {
                date: h.date,
                name: h.name,
            })
            .collect(),
    ))
}
