//! `GET /api/v1/opening-hours/evaluate` (partners check hours before saving them) and
//! `GET /api/v1/holidays`.

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use serde::Serialize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

use relais_domain::calendar::{HolidayZone, public_holidays};
use relais_domain::geo::InseeCode;
use relais_domain::hours::{
    EVALUATION_BUDGET, HoursErrorKind, OpeningHours, Status, Timetable, Work,
};

use crate::error::{ApiError, FieldError};
use crate::params::Params;
use crate::state::AppState;
use crate::views::paris_rfc3339;

/// How long an evaluation may take before the answer says `unknown`: the budget keeps it far
/// below (milliseconds), this is the guard should a case escape it.
pub const EVALUATION_DEADLINE: Duration = Duration::from_secs(2);

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/opening-hours/evaluate", get(evaluate))
        .route("/api/v1/holidays", get(holidays))
}

#[derive(Debug, Serialize)]
struct Evaluation {
    status: Status,
    next_change: Option<String>,
    zone: HolidayZone,
    /// Why the answer is incomplete (budget or deadline reached); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
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
    // Not kept in the directory's cache: an anonymous caller's expression is compiled and
    // dropped (issue 9, « Memory held until restart »).
    let hours = OpeningHours::parse(&expr).map_err(|e| {
        let detail = match e.kind {
            HoursErrorKind::Syntax => format!("{} (position {})", e.message, e.position),
            HoursErrorKind::TooLong | HoursErrorKind::TooCostly => e.message,
        };
        ApiError::Invalid(vec![FieldError {
            field: Some("expr".into()),
            detail,
        }])
    })?;
    let at = at.unwrap_or_else(|| state.now());
    let answer = off_the_executor(EVALUATION_DEADLINE, move || {
        let t = Timetable::new(Some(hours), zone, Vec::new());
        let outlook = t.outlook(at, &mut Work::budget());
        Evaluation {
            status: outlook.status,
            next_change: outlook.next_change.map(paris_rfc3339),
            zone,
            note: outlook.searched_until.map(|stop| {
                format!(
                    "évaluation arrêtée au budget de calcul ({EVALUATION_BUDGET} unités) : \
                     aucun changement trouvé avant le {}, inconnu au-delà ; simplifiez \
                     l'expression",
                    paris_rfc3339(stop)
                )
            }),
        }
    })
    .await;
    Ok(Json(answer.unwrap_or_else(|| Evaluation {
        status: Status::Unknown,
        next_change: None,
        zone,
        note: Some(format!(
            "évaluation interrompue après {} s : statut inconnu ; simplifiez l'expression",
            EVALUATION_DEADLINE.as_secs()
        )),
    })))
}

/// Runs `work` on the blocking pool, never on the async workers, with at most one evaluation
/// per core at a time, and gives up waiting after `deadline` (`None`): the request is answered
/// then, whatever the evaluation still does (it stays bounded by its work budget).
async fn off_the_executor<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Arc::new(Semaphore::new(cores))
    });
    tokio::time::timeout(deadline, async {
        let permit = Arc::clone(slots).acquire_owned().await.ok()?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .ok()
    })
    .await
    .ok()
    .flatten()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_deadline_fires_while_the_work_still_runs() {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let answer = off_the_executor(Duration::from_millis(20), move || {
            // Blocks until the test ends: only the deadline can answer.
            let _ = wait.recv();
            1
        })
        .await;
        assert_eq!(answer, None);
        drop(release);
        let answer = off_the_executor(Duration::from_secs(60), || 2).await;
        assert_eq!(answer, Some(2));
    }
}
