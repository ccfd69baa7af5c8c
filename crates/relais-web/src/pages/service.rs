//! `/services/{id}`: everything a person needs to go there — where, when (today and the next
//! 6 days, holidays and closures named), how to get in, who it is for, which languages.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;

use relais_domain::hours::Day;
use relais_domain::referentials::{
    fees, mobilisation_modes, publics, reception_modes, theme_label,
};
use relais_domain::{Service, ServiceHours, ServiceId, Status};

use super::format::{date_with_year, end_time, long_date, status_class, status_phrase, time};
use super::i18n::{Locale, Tr};
use super::search::language_name;
use super::{Chrome, internal_error, not_found, render};
use crate::api::services::find_service;
use crate::state::AppState;
use relais_search::HoursView;

/// One day of the week table.
#[derive(Debug)]
pub struct DayRow {
    pub label: String,
    pub today: bool,
    pub class: &'static str,
    /// The hours of the day in words (« 9 h – 12 h »), or « Fermé ».
    pub hours: Vec<String>,
    /// Comments of the producer on spans (« sur rendez-vous »), in French.
    pub comments: Vec<String>,
    /// The public holiday, translated.
    pub holiday: Option<String>,
    /// The closure's reason as the partner wrote it (French).
    pub closure: Option<String>,
}

impl DayRow {
    /// The row of `day` in words.
    pub fn new(tr: &Tr, day: Day, today: bool) -> Self {
        let mut hours = Vec::new();
        let mut comments = Vec::new();
        let mut any_open = false;
        let mut any_unknown = false;
        for s in &day.spans {
            let span = format!("{} – {}", time(tr.lang, s.start), end_time(tr.lang, s.end));
            let all_day = s.start == chrono::NaiveTime::MIN && s.end.is_none();
            match s.status {
                Status::Open => {
                    any_open = true;
                    hours.push(if all_day { tr.t("hours-all-day") } else { span });
                }
                Status::Unknown => {
                    any_unknown = true;
                    // A whole day of "unknown" without a word is hours nobody gave.
                    if s.start != chrono::NaiveTime::MIN || s.end.is_some() {
                        hours.push(format!("{span} ({})", tr.t("hours-to-confirm-short")));
                    }
                }
                Status::Closed => {}
            }
            if let Some(c) = &s.comment
                && !comments.contains(c)
            {
                comments.push(c.clone());
            }
        }
        if hours.is_empty() {
            hours.push(if any_unknown {
                tr.t("status-unknown")
            } else {
                tr.t("status-closed")
            });
        }
        let class = if any_open {
            "status-open"
        } else if any_unknown {
            "status-unknown"
        } else {
            "status-closed"
        };
        Self {
            label: long_date(tr, day.date),
            today,
            class,
            hours,
            comments,
            holiday: day.holiday.map(|h| tr.t_or(&holiday_key(h), h)),
            closure: day.closure,
        }
    }
}

/// The message key of a public holiday (the calendar names them in French).
pub fn holiday_key(name: &str) -> String {
    let slug: String = relais_domain::text::fold(name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("holiday-{slug}")
}

#[derive(Debug, Template)]
#[template(path = "service.html")]
pub struct ServicePage {
    pub c: Chrome,
    /// The page's own URL: sharing is just the link.
    pub share: String,
    pub name: String,
    pub structure: String,
    pub description: String,
    pub status_class: &'static str,
    pub status_text: String,
    pub week: Vec<DayRow>,
    /// Hours given as free text that could not be read: shown as written.
    pub hours_text: Option<String>,
    /// Coming closures: dates in words, and the reason as the partner wrote it (French).
    pub closures: Vec<(String, String)>,
    pub address: Vec<String>,
    pub map_link: Option<String>,
    pub phone: Option<(String, String)>,
    pub email: Option<String>,
    pub how: Vec<String>,
    pub mobilisation_details: Option<String>,
    pub access_conditions: Option<String>,
    pub publics: Vec<String>,
    pub publics_details: Option<String>,
    pub fee: Option<String>,
    pub fee_details: Option<String>,
    pub themes: Vec<String>,
    pub languages: Vec<String>,
    pub wheelchair: String,
    pub verified: String,
    pub source_link: Option<String>,
}

/// `GET /services/{id}`.
pub async fn page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Response {
    let Ok(sid) = id.parse::<ServiceId>() else {
        return not_found(locale, &uri);
    };
    let (service, structure) = match find_service(&state, sid).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(locale, &uri),
        Err(e) => return internal_error(locale, &e),
    };
    let c = Chrome::new(locale, &uri, "");
    let now = state.now();
    let hours = crate::api::services::hours_of(&state, &service, now);
    let page = build(c, &service, structure, hours, now);
    render(StatusCode::OK, locale, &page)
}

/// The page of a service, from its record and its hours as the index knows them (nothing is
/// evaluated here).
fn build(
    c: Chrome,
    s: &Service,
    structure: String,
    hours: HoursView,
    now: DateTime<Utc>,
) -> ServicePage {
    let tr = c.tr;
    let today = now.with_timezone(&Paris).date_naive();
    let week = hours
        .week
        .iter()
        .enumerate()
        .map(|(i, day)| DayRow::new(&tr, day.clone(), i == 0))
        .collect();
    let (status, next, next_status) = (hours.status, hours.next_change, hours.next_status);
    let loc = &s.location;
    let mut address = Vec::new();
    address.extend(loc.address.clone());
    address.extend(loc.address_complement.clone());
    let town = [
        loc.postcode.as_ref().map(|p| p.as_str().to_owned()),
        loc.commune.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    if !town.is_empty() {
        address.push(town);
    }
    let map_link = loc.point.map(|p| {
        format!(
            "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=18/{lat:.5}/{lon:.5}",
            lat = p.lat,
            lon = p.lon
        )
    });
    let phone = s.phone.as_ref().map(|p| {
        let dial: String = p
            .chars()
            .filter(|ch| ch.is_ascii_digit() || *ch == '+')
            .collect();
        (p.clone(), dial)
    });
    let mut how: Vec<String> = s
        .reception_modes
        .iter()
        .map(|m| {
            tr.t_or(
                &format!("mode-{m}"),
                reception_modes().label(m).unwrap_or(m),
            )
        })
        .collect();
    how.extend(s.mobilisation_modes.iter().map(|m| {
        tr.t_or(
            &format!("mobilisation-{m}"),
            mobilisation_modes().label(m).unwrap_or(m),
        )
    }));
    let wheelchair = tr.t(match s.wheelchair_accessible {
        Some(true) => "wheelchair-yes",
        Some(false) => "wheelchair-no",
        None => "wheelchair-unknown",
    });
    let verified = match s.verified_at {
        Some(v) => tr.t1(
            "verified-on",
            "date",
            &date_with_year(&tr, v.with_timezone(&Paris).date_naive()),
        ),
        None => tr.t1("updated-on", "date", &date_with_year(&tr, s.updated_on)),
    };
    let closures = s
        .closures
        .iter()
        .filter(|cl| cl.to >= today)
        .map(|cl| {
            let dates = if cl.from == cl.to {
                date_with_year(&tr, cl.from)
            } else {
                tr.t_with(
                    "closure-dates",
                    &[
                        ("from", super::i18n::Arg::Str(&date_with_year(&tr, cl.from))),
                        ("to", super::i18n::Arg::Str(&date_with_year(&tr, cl.to))),
                    ],
                )
            };
            (dates, cl.reason.clone())
        })
        .collect();
    ServicePage {
        share: c.link(&format!("/services/{}", s.id)),
        name: s.name.to_string(),
        structure,
        description: s.description.clone(),
        status_class: status_class(status),
        status_text: status_phrase(&tr, status, next, next_status, now),
        week,
        hours_text: match &s.hours {
            ServiceHours::Text(t) => Some(t.clone()),
            _ => None,
        },
        closures,
        address,
        map_link,
        phone,
        email: s.email.clone(),
        how,
        mobilisation_details: s.mobilisation_details.clone(),
        access_conditions: s.access_conditions.clone(),
        publics: s
            .publics
            .iter()
            .map(|p| tr.t_or(&format!("public-{p}"), publics().label(p).unwrap_or(p)))
            .collect(),
        publics_details: s.publics_details.clone(),
        fee: s
            .fee
            .as_ref()
            .map(|f| tr.t_or(&format!("fee-{f}"), fees().label(f).unwrap_or(f))),
        fee_details: s.fee_details.clone(),
        themes: s
            .themes
            .iter()
            .filter_map(|t| theme_label(t))
            .map(str::to_owned)
            .collect(),
        languages: if s.languages.is_empty() {
            vec![language_name(&tr, "fr")]
        } else {
            s.languages.iter().map(|l| language_name(&tr, l)).collect()
        },
        wheelchair,
        verified,
        // Only web links: imported data must not become a `javascript:` or `data:` link.
        source_link: s
            .source_link
            .clone()
            .filter(|l| l.starts_with("https://") || l.starts_with("http://")),
        c,
    }
}
