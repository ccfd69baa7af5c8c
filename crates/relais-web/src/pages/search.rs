//! `/` (the search form) and `/services?…` (results). The results page takes the parameters of
//! the JSON search, so that `/services?postcode=75018` is a search anyone can share.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::response::Response;

use relais_domain::geo::{GeoPoint, geography};
use relais_domain::referentials::{PARENT_THEMES, reception_modes, theme_label, theme_parent};
use relais_search::Hit;

use super::format::{distance, status_class, status_phrase};
use super::i18n::{Arg, Locale, Tr};
use super::{Chrome, render};
use crate::api::services::{MAX_RADIUS_KM, Surface, parse_search};
use crate::error::ApiError;
use crate::state::AppState;

/// Results per page: enough to choose from, light enough for an old phone.
const PAGE_SIZE: usize = 20;

/// The themes offered as choices, legal help and access to rights first (slug, message key).
pub const THEME_CHOICES: &[(&str, &str)] = &[
    (
        "difficultes-administratives-ou-juridiques",
        "theme-choice-legal",
    ),
    (
        "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
        "theme-choice-rights",
    ),
    (
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        "theme-choice-paperwork",
    ),
    (
        "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire",
        "theme-choice-justice",
    ),
    (
        "difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination",
        "theme-choice-discrimination",
    ),
    (
        "famille--surmonter-conflits-separation-violence",
        "theme-choice-violence",
    ),
    ("logement-hebergement", "theme-choice-housing"),
    ("difficultes-financieres", "theme-choice-money"),
    (
        "equipement-et-alimentation--alimentation",
        "theme-choice-food",
    ),
    ("sante--acces-aux-soins", "theme-choice-health"),
];

/// The most common searches, one tap away (message key, query string).
const SHORTCUTS: &[(&str, &str)] = &[
    (
        "shortcut-legal-now",
        "theme=difficultes-administratives-ou-juridiques&when=now",
    ),
    (
        "shortcut-rights",
        "theme=difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
    ),
    ("shortcut-domiciliation", "q=domiciliation"),
    (
        "shortcut-shelter",
        "theme=logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
    ),
    (
        "shortcut-food",
        "theme=equipement-et-alimentation--alimentation",
    ),
    ("shortcut-hygiene", "q=douche"),
];

/// Spoken languages offered in the filter (codes; names come from the messages).
pub const SPOKEN: &[&str] = &[
    "fr", "en", "ar", "es", "pt", "ro", "ru", "uk", "tr", "zh", "ber", "ff", "wo",
];

/// Radius steps offered, in km.
const RADII: &[&str] = &["1", "3", "5", "10", "25"];

/// A choice in a form: value, label, selected.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A link with its label.
#[derive(Debug)]
pub struct Link {
    pub href: String,
    pub label: String,
}

/// What the person typed or chose, to fill the form again (read leniently: a wrong value is
/// shown back so that it can be corrected).
#[derive(Debug, Default)]
pub struct FormState {
    pub pairs: Vec<(String, String)>,
    /// The query string decoded (when it does not, the search reports it).
    readable: bool,
}

impl FormState {
    fn parse(raw: Option<&str>) -> Self {
        match raw.map(serde_urlencoded::from_str::<Vec<(String, String)>>) {
            Some(Ok(pairs)) => Self {
                pairs,
                readable: true,
            },
            Some(Err(_)) => Self::default(),
            None => Self {
                pairs: Vec::new(),
                readable: true,
            },
        }
    }

    /// A place was typed: it replaces a position kept from an earlier "near me" search.
    fn typed_place(&self) -> bool {
        !self.get("commune").trim().is_empty() || !self.get("postcode").trim().is_empty()
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn has(&self, name: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == name && v == value)
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "oui" | "yes")
    }

    /// `/services?…` with these parameters, minus `remove`, plus `set`.
    fn url(&self, remove: &[&str], set: &[(&str, &str)]) -> String {
        let mut p: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(k, v)| !remove.contains(&k.as_str()) && !v.is_empty() && k != "offset")
            .filter(|(k, _)| !set.iter().any(|(s, _)| s == k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        p.extend(set.iter().copied());
        if p.is_empty() {
            return "/services".to_owned();
        }
        format!(
            "/services?{}",
            serde_urlencoded::to_string(&p).unwrap_or_default()
        )
    }

    fn themes(&self, tr: &Tr) -> Vec<Choice> {
        let mut out = vec![Choice {
            value: String::new(),
            label: tr.t("theme-choice-any"),
            selected: self.get("theme").is_empty(),
        }];
        out.extend(THEME_CHOICES.iter().map(|(slug, key)| Choice {
            value: (*slug).to_owned(),
            label: tr.t(key),
            selected: self.has("theme", slug),
        }));
        // A theme from a shortcut or a shared link stays chosen (a select cannot keep a value
        // it has no option for).
        if let Some((_, t)) = self.pairs.iter().find(|(k, v)| {
            k == "theme" && !v.is_empty() && !THEME_CHOICES.iter().any(|(s, _)| s == v)
        }) {
            let label = tr.t_or(&format!("theme-{t}"), theme_label(t).unwrap_or(t));
            out.push(Choice {
                value: t.clone(),
                label,
                selected: true,
            });
        }
        out
    }

    fn whens(&self, tr: &Tr) -> Vec<Choice> {
        let current = match self.get("when") {
            "" if self.checked("open_now") => "now",
            "" => "any",
            w => w,
        };
        ["any", "now", "today", "week"]
            .into_iter()
            .map(|w| Choice {
                value: w.to_owned(),
                label: tr.t(&format!("when-{w}")),
                selected: current == w,
            })
            .collect()
    }

    fn spoken(&self, tr: &Tr) -> Vec<Choice> {
        let mut out = vec![Choice {
            value: String::new(),
            label: tr.t("spoken-any"),
            selected: self.get("langue").is_empty(),
        }];
        out.extend(SPOKEN.iter().map(|code| Choice {
            value: (*code).to_owned(),
            label: language_name(tr, code),
            selected: self.get("langue") == *code,
        }));
        let current = self.get("langue");
        if !current.is_empty() && !SPOKEN.contains(&current) {
            out.push(Choice {
                value: current.to_owned(),
                label: language_name(tr, current),
                selected: true,
            });
        }
        out
    }

    fn radii(&self, tr: &Tr) -> Vec<Choice> {
        let current = match self.get("radius_km") {
            "" => "3",
            r => r,
        };
        let mut out: Vec<Choice> = RADII
            .iter()
            .map(|r| Choice {
                value: (*r).to_owned(),
                label: tr.t1("radius-km", "km", r),
                selected: current == *r,
            })
            .collect();
        if !RADII.contains(&current) {
            out.push(Choice {
                value: current.to_owned(),
                label: tr.t1("radius-km", "km", current),
                selected: true,
            });
        }
        out
    }
}

/// The name of a spoken language in the page's language, or its code.
pub fn language_name(tr: &Tr, code: &str) -> String {
    tr.t_or(&format!("language-{code}"), code)
}

/// The search form, on the home page and above the results.
#[derive(Debug)]
pub struct SearchForm {
    pub q: String,
    pub commune: String,
    pub near: String,
    pub themes: Vec<Choice>,
    pub whens: Vec<Choice>,
    pub spoken: Vec<Choice>,
    pub radii: Vec<Choice>,
    pub free: bool,
    pub accessible: bool,
    pub remote: bool,
    /// Above results: no hints, filters folded unless one is set.
    pub compact: bool,
    /// A filter other than the text and the place is set: the filters are shown unfolded.
    pub filtered: bool,
    /// Errors tied to the two text fields, shown next to them.
    pub q_error: Option<String>,
    pub commune_error: Option<String>,
}

impl SearchForm {
    fn new(f: &FormState, tr: &Tr, compact: bool) -> Self {
        let filtered = [
            "theme",
            "free",
            "accessible",
            "mode",
            "langue",
            "radius_km",
            "open_now",
        ]
        .iter()
        .any(|k| !f.get(k).is_empty())
            || !matches!(f.get("when"), "" | "any");
        Self {
            compact,
            filtered,
            q_error: None,
            commune_error: None,
            q: f.get("q").to_owned(),
            commune: match f.get("commune") {
                "" => f.get("postcode").to_owned(),
                c => c.to_owned(),
            },
            near: if f.typed_place() {
                String::new()
            } else {
                f.get("near").to_owned()
            },
            themes: f.themes(tr),
            whens: f.whens(tr),
            spoken: f.spoken(tr),
            radii: f.radii(tr),
            free: f.checked("free"),
            accessible: f.checked("accessible"),
            remote: f.get("mode") == "a-distance",
        }
    }
}

#[derive(Debug, Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub c: Chrome,
    pub form: SearchForm,
    pub shortcuts: Vec<Link>,
}

/// `GET /`: one search form and the most common searches.
pub async fn home(locale: Locale, OriginalUri(uri): OriginalUri) -> Response {
    let mut c = Chrome::new(locale, &uri, "home");
    c.script = Some(super::assets::assets().near_me.url());
    let f = FormState::default();
    let page = HomePage {
        form: SearchForm::new(&f, &c.tr, false),
        shortcuts: SHORTCUTS
            .iter()
            .map(|(key, query)| Link {
                href: c.link(&format!("/services?{query}")),
                label: c.tr.t(key),
            })
            .collect(),
        c,
    };
    render(StatusCode::OK, locale, &page)
}

/// One result as the page shows it.
#[derive(Debug)]
pub struct ResultItem {
    pub href: String,
    pub name: String,
    pub structure: String,
    pub status_class: &'static str,
    pub status_text: String,
    pub distance: Option<String>,
    pub address: Option<String>,
    pub themes: Vec<String>,
    pub facts: Vec<String>,
    pub languages: Option<String>,
}

impl ResultItem {
    fn new(c: &Chrome, h: &Hit, now: chrono::DateTime<chrono::Utc>) -> Self {
        let tr = &c.tr;
        let s = &h.listing;
        let mut parents: Vec<&str> = s.themes.iter().map(|t| theme_parent(t)).collect();
        parents.dedup();
        let themes = parents
            .into_iter()
            .filter(|p| PARENT_THEMES.iter().any(|(x, _)| x == p))
            .map(|p| tr.t_or(&format!("theme-{p}"), theme_label(p).unwrap_or(p)))
            .collect();
        let mut facts = Vec::new();
        if s.free {
            facts.push(tr.t("fact-free"));
        }
        for m in &s.reception_modes {
            facts.push(tr.t_or(
                &format!("mode-{m}"),
                reception_modes().label(m).unwrap_or(m),
            ));
        }
        if s.wheelchair_accessible == Some(true) {
            facts.push(tr.t("fact-wheelchair"));
        }
        let address = match (&s.location.address, &s.location.commune) {
            (Some(a), Some(cm)) => Some(format!("{a}, {cm}")),
            (Some(a), None) => Some(a.clone()),
            (None, Some(cm)) => Some(cm.clone()),
            (None, None) => None,
        };
        Self {
            href: c.link(&format!("/services/{}", s.id)),
            name: s.name.clone(),
            structure: h.structure_name.to_string(),
            status_class: status_class(h.status),
            status_text: status_phrase(tr, h.status, h.next_change, h.next_status, now),
            distance: h.distance_m.map(|d| {
                tr.t_with(
                    "distance-walk",
                    &[
                        ("distance", Arg::Str(&distance(tr.lang, d))),
                        ("minutes", Arg::Num(i64::from(h.walk_minutes.unwrap_or(0)))),
                    ],
                )
            }),
            address,
            themes,
            facts,
            languages: (!s.languages.is_empty()).then(|| {
                s.languages
                    .iter()
                    .map(|l| language_name(tr, l))
                    .collect::<Vec<_>>()
                    .join(c.sep())
            }),
        }
    }
}

/// A problem with the search, tied to a form field when it has one.
#[derive(Debug)]
pub struct FormError {
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Template)]
#[template(path = "results.html")]
pub struct ResultsPage {
    pub c: Chrome,
    pub form: SearchForm,
    pub errors: Vec<FormError>,
    pub summary: String,
    pub results: Vec<ResultItem>,
    /// Ways out of an empty result: widen, drop a filter.
    pub ways_out: Vec<Link>,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// No place was given: results are not ordered by distance.
    pub no_place: bool,
}

/// `GET /services?…`: the results, with the filters as a plain form.
pub async fn results(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
) -> Response {
    render_results(&state, locale, &uri, uri.query(), None)
}

/// `POST /services` from « Autour de moi »: the position comes in the body, never in a URL
/// (it would stay in logs and shared links). It is turned into the arrondissement or commune
/// around it, and the search goes on there, by its name, in a URL that can be shared.
pub async fn near_me(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    body: String,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let place = pairs
        .iter()
        .find(|(k, _)| k == "near")
        .and_then(|(_, v)| GeoPoint::parse(v).ok())
        .and_then(|p| geography().nearest(&p, NEAR_ME_MAX_M));
    let mut kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "near" | "commune" | "postcode"))
        .collect();
    match place {
        Some(c) => {
            kept.push(("commune".to_owned(), c.name.clone()));
            let to = format!(
                "/services?{}",
                serde_urlencoded::to_string(&kept).unwrap_or_default()
            );
            axum::response::Redirect::to(&to).into_response()
        }
        None => {
            let raw = serde_urlencoded::to_string(&kept).unwrap_or_default();
            let error = FormError {
                field: Some("commune".to_owned()),
                message: Tr::new(locale.lang).t("error-near-outside"),
            };
            render_results(&state, locale, &uri, Some(&raw), Some(error))
        }
    }
}

/// How far from the centre of an arrondissement or commune a position may be to count as in
/// it (the MGP's largest communes are about 5 km across).
const NEAR_ME_MAX_M: f64 = 6_000.0;

fn render_results(
    state: &AppState,
    locale: Locale,
    uri: &Uri,
    raw: Option<&str>,
    extra_error: Option<FormError>,
) -> Response {
    let mut c = Chrome::new(locale, uri, "home");
    c.script = Some(super::assets::assets().near_me.url());
    let f = FormState::parse(raw);
    let mut form = SearchForm::new(&f, &c.tr, true);
    let now = state.now();
    // The search reads the decoded pairs again, without the API's `limit` (the page has its
    // own) and without a kept position when a place was typed; an unreadable query string goes
    // as it is, for the search to report.
    let q_raw = if f.readable {
        let typed_place = f.typed_place();
        let kept: Vec<&(String, String)> = f
            .pairs
            .iter()
            .filter(|(k, _)| k != "limit" && !(typed_place && k == "near"))
            .collect();
        Some(serde_urlencoded::to_string(&kept).unwrap_or_default())
    } else {
        raw.map(str::to_owned)
    };
    let parsed = parse_search(q_raw.as_deref(), now, Surface::Page);
    let (status, mut errors, hits, total, query) = match parsed {
        Ok(mut q) => {
            q.limit = PAGE_SIZE;
            let mut r = state.index().search(&q, now);
            // Past the last page (an old link, a hand-made offset): show the last page.
            if r.hits.is_empty() && r.total > 0 {
                q.offset = (r.total - 1) / PAGE_SIZE * PAGE_SIZE;
                r = state.index().search(&q, now);
            }
            (StatusCode::OK, Vec::new(), r.hits, r.total, Some(q))
        }
        Err(e) => {
            let status = match &e {
                ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, form_errors(&c.tr, &f, e), Vec::new(), 0, None)
        }
    };
    let status = match extra_error {
        Some(e) => {
            errors.push(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => status,
    };
    for e in &errors {
        match e.field.as_deref() {
            Some("q") => form.q_error = Some(e.message.clone()),
            Some("commune") => form.commune_error = Some(e.message.clone()),
            _ => {}
        }
    }
    let offset = query.as_ref().map_or(0, |q| q.offset);
    let no_place = query.as_ref().is_some_and(|q| q.geo.is_none());
    let place = if !form.commune.is_empty() {
        Some(form.commune.clone())
    } else if !form.near.is_empty() {
        Some(c.tr.t("place-near-you"))
    } else {
        None
    };
    let summary = match (&place, &query) {
        (_, None) => c.tr.t("summary-error"),
        (Some(p), Some(q)) => c.tr.t_with(
            "summary-near",
            &[
                ("count", Arg::Num(total as i64)),
                ("place", Arg::Str(p)),
                (
                    "km",
                    Arg::Str(&super::format::km(
                        c.tr.lang,
                        q.geo.map_or(0.0, |g| g.radius_m / 1000.0),
                    )),
                ),
            ],
        ),
        (None, Some(_)) => {
            c.tr.t_with("summary-all", &[("count", Arg::Num(total as i64))])
        }
    };
    let results: Vec<ResultItem> = hits.iter().map(|h| ResultItem::new(&c, h, now)).collect();
    let ways_out = if total == 0 && query.is_some() && errors.is_empty() {
        ways_out(&c, &f, query.as_ref())
    } else {
        Vec::new()
    };
    let previous = (offset > 0).then(|| {
        let o = offset.saturating_sub(PAGE_SIZE).to_string();
        f.url(&[], &[("offset", o.as_str())])
    });
    let next = (offset + PAGE_SIZE < total).then(|| {
        let o = (offset + PAGE_SIZE).to_string();
        f.url(&[], &[("offset", o.as_str())])
    });
    let page = ResultsPage {
        form,
        errors,
        summary,
        results,
        ways_out,
        previous,
        next,
        no_place,
        c,
    };
    render(status, locale, &page)
}

/// Ways out of an empty result: a wider circle, then each filter dropped, then everywhere.
fn ways_out(c: &Chrome, f: &FormState, q: Option<&relais_search::Query>) -> Vec<Link> {
    let tr = &c.tr;
    let mut out = Vec::new();
    if let Some(g) = q.and_then(|q| q.geo) {
        let km = g.radius_m / 1000.0;
        if let Some(wider) = [3.0, 10.0, 25.0, MAX_RADIUS_KM]
            .into_iter()
            .find(|r| *r > km)
        {
            let w = format!("{wider}");
            out.push(Link {
                href: f.url(&[], &[("radius_km", w.as_str())]),
                label: tr.t1("way-out-wider", "km", &w),
            });
        }
    }
    // Each condition once; "when" has two spellings and dropping it drops both.
    let conditions: [(&[&str], &str); 8] = [
        (&["q"], "way-out-drop-text"),
        (&["theme"], "way-out-drop-theme"),
        (&["when", "open_now"], "way-out-drop-when"),
        (&["free"], "way-out-drop-free"),
        (&["accessible"], "way-out-drop-accessible"),
        (&["mode"], "way-out-drop-mode"),
        (&["langue"], "way-out-drop-spoken"),
        (&["public"], "way-out-drop-public"),
    ];
    for (params, key) in conditions {
        if params.iter().any(|p| !matches!(f.get(p), "" | "any")) {
            out.push(Link {
                href: f.url(params, &[]),
                label: tr.t(key),
            });
        }
    }
    if q.is_some_and(|q| q.geo.is_some()) {
        out.push(Link {
            href: f.url(&["commune", "postcode", "near", "radius_km"], &[]),
            label: tr.t("way-out-everywhere"),
        });
    }
    out
}

/// The search's errors in the page's language, each tied to its field.
fn form_errors(tr: &Tr, f: &FormState, e: ApiError) -> Vec<FormError> {
    let list = match e {
        ApiError::Invalid(v) | ApiError::BadRequest(v) => v,
        other => vec![crate::error::FieldError {
            field: None,
            detail: other.to_string(),
        }],
    };
    list.into_iter()
        .map(|fe| {
            let field = fe.field.clone();
            let message = match field.as_deref() {
                Some(name @ ("commune" | "postcode")) => tr.t1("error-place", "place", f.get(name)),
                Some("near") => tr.t("error-near"),
                Some("q") => tr.t("error-text-too-long"),
                Some("radius_km") => tr.t("error-radius"),
                Some(other) => tr.t1("error-parameter", "name", other),
                None => tr.t("error-unreadable"),
            };
            // The form has one place box: a postcode error belongs to it too.
            let field = match field.as_deref() {
                Some("q") => Some("q".to_owned()),
                Some("commune" | "postcode") => Some("commune".to_owned()),
                _ => None,
            };
            FormError { field, message }
        })
        .collect()
}
