//! Partners keep their own directory true: the list of their services with how fresh each is,
//! the edit form (hours in OSM syntax with a plain-language preview of the next 14 days and an
//! error that points at the wrong character, dated closures, who it is for, how to get in), and
//! "verified today" for one service or all. Every save is one transaction with its journal
//! event, and the search index takes it at once (other nodes within their sync interval).

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Europe::Paris;

use relais_domain::access::Action;
use relais_domain::hours::{HoursErrorKind, MAX_HOURS_CHARS, OpeningHours};
use relais_domain::journal::NewEvent;
use relais_domain::referentials::{fees, publics, reception_modes, themes};
use relais_domain::text::Name;
use relais_domain::{Closure, Service, ServiceHours, ServiceId};
use relais_store::Partner;

use super::session::SignedIn;
use super::{ProChrome, csrf_refused, partner_for, render_pro, see_other};
use crate::pages::format::date_with_year;
use crate::pages::i18n::{Locale, Tr};
use crate::pages::internal_error;
use crate::pages::service::DayRow;
use crate::state::AppState;

/// A service not verified for longer than this is listed as stale (issue: 6 months).
pub const STALE_AFTER: TimeDelta = TimeDelta::days(183);
/// Days shown in the preview of hours.
pub const PREVIEW_DAYS: i64 = 14;

/// The services of `partner` (those of the structures it keeps), by name.
pub async fn services_of(state: &AppState, partner: &Partner) -> anyhow::Result<Vec<Service>> {
    let structures = state.store.structures_of(partner.id).await?;
    let mut services = state.store.services_of(&structures).await?;
    services.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(services)
}

/// Writes `services` (already checked) with `event`, then brings this node's index up to
/// date so that public search shows the change at once.
pub async fn write_services(
    state: &AppState,
    services: &[Service],
    event: NewEvent,
) -> anyhow::Result<()> {
    state.store.apply_import_as(&[], services, event).await?;
    state.sync_index().await?;
    Ok(())
}

// --- Dashboard ---------------------------------------------------------------------------------

/// One service in the partner's list.
#[derive(Debug)]
pub struct ServiceRow {
    pub href: String,
    pub verify_action: String,
    pub name: String,
    pub verified: String,
    pub stale: bool,
}

#[derive(Debug, Template)]
#[template(path = "pro/dashboard.html")]
pub struct DashboardPage {
    pub c: ProChrome,
    pub csrf: String,
    pub may_edit: bool,
    pub services: Vec<ServiceRow>,
    /// The stale ones, most stale (never verified) first.
    pub stale: Vec<ServiceRow>,
    pub verified_count: Option<usize>,
    /// The partner's structures: (edit link, name).
    pub structures: Vec<(String, String)>,
}

fn verified_text(tr: &Tr, at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(t) => tr.t1(
            "pro-verified-on",
            "date",
            &date_with_year(tr, t.with_timezone(&Paris).date_naive()),
        ),
        None => tr.t("pro-never-verified"),
    }
}

/// `GET /pro/p/{pid}`: the partner's services, the stale ones first in their own list.
pub async fn dashboard(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ViewSpace).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let services = match services_of(&state, &partner).await {
        Ok(s) => s,
        Err(e) => return internal_error(locale, &e),
    };
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services");
    let now = state.now();
    let base = c.base();
    let row = |s: &Service| ServiceRow {
        href: format!("{base}/services/{}", s.id),
        verify_action: format!("{base}/services/{}/verifie", s.id),
        name: s.name.to_string(),
        verified: verified_text(&c.tr, s.verified_at),
        stale: s.verified_at.is_none_or(|t| now - t > STALE_AFTER),
    };
    let rows: Vec<ServiceRow> = services.iter().map(row).collect();
    let mut stale: Vec<&Service> = services
        .iter()
        .filter(|s| s.verified_at.is_none_or(|t| now - t > STALE_AFTER))
        .collect();
    // Never verified first, then the oldest verification.
    stale.sort_by_key(|s| s.verified_at.map_or(i64::MIN, |t| t.timestamp()));
    let stale = stale.into_iter().map(row).collect();
    let verified_count = uri
        .query()
        .and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "verifies")
        })
        .and_then(|(_, v)| v.parse().ok());
    // The same list (and order) as the new-service form's.
    let structures = match structures_of(&state, &partner).await {
        Ok(list) => list
            .iter()
            .map(|st| (format!("{base}/structures/{}", st.id), st.name.to_string()))
            .collect(),
        Err(e) => return internal_error(locale, &e),
    };
    let page = DashboardPage {
        structures,
        csrf: me.session.csrf.clone(),
        may_edit: me.may(Action::EditDirectory, partner.id).is_allowed(),
        services: rows,
        stale,
        verified_count,
        c,
    };
    render_pro(StatusCode::OK, locale, &page)
}

// --- Verified today ----------------------------------------------------------------------------

/// The service `sid` of `partner`, or `None` when it is not one of theirs (answered 404).
async fn own_service(
    state: &AppState,
    partner: &Partner,
    sid: &str,
) -> anyhow::Result<Option<Service>> {
    let Ok(id) = sid.parse::<ServiceId>() else {
        return Ok(None);
    };
    let Some(service) = state.store.get_service(id).await? else {
        return Ok(None);
    };
    let keeper = state.store.keeper_of(service.structure_id).await?;
    Ok((keeper == Some(partner.id)).then_some(service))
}

/// `POST /pro/p/{pid}/services/{sid}/verifie`: the partner checked it today.
pub async fn verify_one(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, sid)): Path<(String, String)>,
    axum::Form(form): axum::Form<super::signin::CsrfForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::EditDirectory).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let mut service = match own_service(&state, &partner, &sid).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::pages::not_found(locale, &uri),
        Err(e) => return internal_error(locale, &e),
    };
    let now = state.now();
    service.verified_at = Some(now);
    let mut e = me.event(now, Some(partner.id), "service.verify");
    e.subject = Some(service.id.to_string());
    if let Err(e) = write_services(&state, &[service], e).await {
        return internal_error(locale, &e);
    }
    see_other(&format!("/pro/p/{}?verifies=1", partner.id))
}

/// `POST /pro/p/{pid}/verifie-tout`: every service of the partner checked today (one event).
pub async fn verify_all(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
    axum::Form(form): axum::Form<super::signin::CsrfForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::EditDirectory).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let mut services = match services_of(&state, &partner).await {
        Ok(s) => s,
        Err(e) => return internal_error(locale, &e),
    };
    let now = state.now();
    for s in &mut services {
        s.verified_at = Some(now);
    }
    if !services.is_empty() {
        let mut e = me.event(now, Some(partner.id), "service.verify_all");
        e.details = serde_json::json!({ "services": services.len() });
        if let Err(e) = write_services(&state, &services, e).await {
            return internal_error(locale, &e);
        }
    }
    see_other(&format!(
        "/pro/p/{}?verifies={}",
        partner.id,
        services.len()
    ))
}

// --- The edit form -----------------------------------------------------------------------------

/// A checkbox of a referential.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A closure row of the form (`index` names its fields).
#[derive(Debug, Default, Clone)]
pub struct ClosureRow {
    pub index: usize,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// What the form shows (the stored service, or what was submitted).
#[derive(Debug, Default, Clone)]
pub struct ServiceForm {
    pub name: String,
    pub description: String,
    pub hours: String,
    pub closures: Vec<ClosureRow>,
    pub themes: Vec<String>,
    pub publics: Vec<String>,
    pub fee: String,
    pub fee_details: String,
    pub reception_modes: Vec<String>,
    pub languages: String,
    pub wheelchair: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub postcode: String,
    /// The commune now (shown next to the postcode).
    pub commune: String,
    pub access_conditions: String,
}

impl ServiceForm {
    fn of(s: &Service) -> Self {
        Self {
            name: s.name.to_string(),
            description: s.description.clone(),
            hours: s.hours.as_text().unwrap_or_default().to_owned(),
            closures: s
                .closures
                .iter()
                .enumerate()
                .map(|(index, c)| ClosureRow {
                    index,
                    from: c.from.to_string(),
                    to: c.to.to_string(),
                    reason: c.reason.clone(),
                })
                .collect(),
            themes: s.themes.clone(),
            publics: s.publics.clone(),
            fee: s.fee.clone().unwrap_or_default(),
            fee_details: s.fee_details.clone().unwrap_or_default(),
            reception_modes: s.reception_modes.clone(),
            languages: s.languages.join(", "),
            wheelchair: match s.wheelchair_accessible {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .to_owned(),
            phone: s.phone.clone().unwrap_or_default(),
            email: s.email.clone().unwrap_or_default(),
            address: s.location.address.clone().unwrap_or_default(),
            postcode: s
                .location
                .postcode
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            commune: s.location.commune.clone().unwrap_or_default(),
            access_conditions: s.access_conditions.clone().unwrap_or_default(),
        }
    }

    /// The submitted form (repeated keys for checkboxes; `closure-<i>-from|to|reason|delete`).
    fn parse(body: &[u8]) -> (Self, String, String) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut f = Self::default();
        let mut csrf = String::new();
        let mut action = String::new();
        let mut rows: std::collections::BTreeMap<usize, (ClosureRow, bool)> = Default::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => csrf = v,
                "action" => action = v,
                "name" => f.name = v,
                "description" => f.description = v,
                "hours" => f.hours = v,
                "themes" => f.themes.push(v),
                "publics" => f.publics.push(v),
                "fee" => f.fee = v,
                "fee_details" => f.fee_details = v,
                "reception_modes" => f.reception_modes.push(v),
                "languages" => f.languages = v,
                "wheelchair" => f.wheelchair = v,
                "phone" => f.phone = v,
                "email" => f.email = v,
                "address" => f.address = v,
                "postcode" => f.postcode = v,
                "access_conditions" => f.access_conditions = v,
                other => {
                    let mut parts = other.splitn(3, '-');
                    if let (Some("closure"), Some(i), Some(field)) =
                        (parts.next(), parts.next(), parts.next())
                        && let Ok(i) = i.parse::<usize>()
                        && i < 100
                    {
                        let (row, delete) = rows.entry(i).or_default();
                        row.index = i;
                        match field {
                            "from" => row.from = v,
                            "to" => row.to = v,
                            "reason" => row.reason = v,
                            "delete" => *delete = true,
                            _ => {}
                        }
                    }
                }
            }
        }
        f.closures = rows
            .into_values()
            .filter(|(r, delete)| {
                let blank = r.from.trim().is_empty()
                    && r.to.trim().is_empty()
                    && r.reason.trim().is_empty();
                !(*delete || blank)
            })
            .map(|(r, _)| r)
            .enumerate()
            .map(|(index, r)| ClosureRow { index, ..r })
            .collect();
        (f, csrf, action)
    }
}

/// A problem with one field of the form: the field's id (for the link and `aria-describedby`)
/// and the message.
#[derive(Debug, Clone)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

/// Where the hours expression went wrong: before, the character, after.
#[derive(Debug)]
pub struct HoursMark {
    pub before: String,
    pub at: String,
    pub after: String,
}

/// Checks the form against `base` (the stored service) and returns the service it describes.
fn apply(tr: &Tr, f: &ServiceForm, base: &Service) -> (Service, Vec<FormError>, Option<HoursMark>) {
    let mut s = base.clone();
    let mut errors = Vec::new();
    let mut mark = None;
    let mut err = |field: &str, message: String| {
        errors.push(FormError {
            field: field.to_owned(),
            message,
        })
    };
    match Name::parse(&f.name) {
        Ok(n) => s.name = n,
        Err(e) => err("name", tr.t(name_error(&e))),
    }
    s.description = f.description.trim().to_owned();
    let hours = f.hours.trim();
    if hours.is_empty() {
        s.hours = ServiceHours::None;
    } else {
        match OpeningHours::parse_for_directory(hours) {
            Ok(oh) => s.hours = ServiceHours::Osm(oh),
            Err(e) if e.kind == HoursErrorKind::TooLong => err(
                "hours",
                tr.t1(
                    "pro-error-hours-too-long",
                    "max",
                    &MAX_HOURS_CHARS.to_string(),
                ),
            ),
            Err(e) if e.kind == HoursErrorKind::TooCostly => {
                err("hours", tr.t("pro-error-hours-too-costly"))
            }
            Err(e) => {
                let chars: Vec<char> = hours.chars().collect();
                // The parser stops at the start of the part it could not read: mark that
                // part, up to the next separator (or a visible blank at the very end).
                let p = e.position.min(chars.len());
                let end = chars[p..]
                    .iter()
                    .position(|c| c.is_whitespace() || *c == ';' || *c == ',')
                    .map_or(chars.len(), |n| p + n.max(1));
                mark = Some(HoursMark {
                    before: chars[..p].iter().collect(),
                    at: if p == chars.len() {
                        "␣".to_owned()
                    } else {
                        chars[p..end].iter().collect()
                    },
                    after: chars[end..].iter().collect(),
                });
                err(
                    "hours",
                    tr.t_with(
                        "pro-error-hours",
                        &[
                            ("position", ((p + 1) as i64).into()),
                            ("message", e.message.as_str().into()),
                        ],
                    ),
                );
            }
        }
    }
    let mut closures = Vec::new();
    for r in &f.closures {
        let field = format!("closure-{}-from", r.index);
        let from = NaiveDate::parse_from_str(r.from.trim(), "%Y-%m-%d");
        let to = if r.to.trim().is_empty() {
            from
        } else {
            NaiveDate::parse_from_str(r.to.trim(), "%Y-%m-%d")
        };
        match (from, to) {
            (Ok(from), Ok(to)) => match Closure::new(from, to, &r.reason) {
                Ok(c) => closures.push(c),
                Err(relais_domain::directory::ClosureError::EmptyReason) => err(
                    &format!("closure-{}-reason", r.index),
                    tr.t("pro-error-closure-reason"),
                ),
                Err(relais_domain::directory::ClosureError::EndsBeforeStart { .. }) => err(
                    &format!("closure-{}-to", r.index),
                    tr.t("pro-error-closure-order"),
                ),
                Err(relais_domain::directory::ClosureError::TooLong) => {
                    err(&field, tr.t("pro-error-closure-long"))
                }
            },
            _ => err(&field, tr.t("pro-error-closure-date")),
        }
    }
    closures.sort_by_key(|c| c.from);
    s.closures = closures;
    // The stored order is kept for what stays selected (the form lists choices in the
    // referential's order), new choices come after: re-saving a form unchanged changes nothing.
    let known = |stored: &[String],
                 list: &[String],
                 ok: &dyn Fn(&str) -> bool,
                 field: &str,
                 errs: &mut dyn FnMut(&str, String)| {
        if list.iter().any(|v| !ok(v)) {
            errs(field, tr.t("pro-error-choice"));
        }
        let mut out: Vec<String> = stored
            .iter()
            .filter(|v| list.contains(v))
            .cloned()
            .collect();
        for v in list {
            if ok(v) && !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    };
    s.themes = known(
        &base.themes,
        &f.themes,
        &|v| themes().contains(v),
        "themes",
        &mut err,
    );
    s.publics = known(
        &base.publics,
        &f.publics,
        &|v| publics().contains(v),
        "publics",
        &mut err,
    );
    s.reception_modes = known(
        &base.reception_modes,
        &f.reception_modes,
        &|v| reception_modes().contains(v),
        "reception_modes",
        &mut err,
    );
    s.fee = match f.fee.as_str() {
        "" => None,
        v if fees().contains(v) => Some(v.to_owned()),
        _ => {
            err("fee", tr.t("pro-error-choice"));
            None
        }
    };
    s.fee_details = non_empty(&f.fee_details);
    let mut languages = Vec::new();
    for code in f
        .languages
        .split([',', ' ', ';'])
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
    {
        if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) {
            if !languages.contains(&code) {
                languages.push(code);
            }
        } else {
            err("languages", tr.t("pro-error-languages"));
            break;
        }
    }
    s.languages = languages;
    s.wheelchair_accessible = match f.wheelchair.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    s.phone = non_empty(&f.phone);
    s.email = match non_empty(&f.email) {
        Some(e) if relais_domain::text::ContactEmail::parse(&e).is_err() => {
            err("email", tr.t("pro-error-email"));
            None
        }
        other => other,
    };
    s.location.address = non_empty(&f.address);
    if super::structures::set_postcode(&mut s.location, &f.postcode).is_err() {
        err("postcode", tr.t("pro-error-postcode"));
    }
    s.access_conditions = non_empty(&f.access_conditions);
    (s, errors, mark)
}

/// The message key of a refused name: a control character is not "the name is required".
pub(super) fn name_error(e: &relais_domain::text::TextError) -> &'static str {
    match e {
        relais_domain::text::TextError::Control { .. } => "pro-error-name-control",
        _ => "pro-error-name",
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The names of the fields that differ (for the journal: names only, never values).
fn changed_fields(a: &Service, b: &Service) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    check("name", a.name == b.name);
    check("description", a.description == b.description);
    check("hours", a.hours == b.hours);
    check("closures", a.closures == b.closures);
    check("themes", a.themes == b.themes);
    check("publics", a.publics == b.publics);
    check("fee", a.fee == b.fee && a.fee_details == b.fee_details);
    check("reception_modes", a.reception_modes == b.reception_modes);
    check("languages", a.languages == b.languages);
    check(
        "wheelchair",
        a.wheelchair_accessible == b.wheelchair_accessible,
    );
    check("contact", a.phone == b.phone && a.email == b.email);
    check("place", a.location == b.location);
    check(
        "access_conditions",
        a.access_conditions == b.access_conditions,
    );
    out
}

#[derive(Debug, Template)]
#[template(path = "pro/service_edit.html")]
pub struct EditPage {
    pub c: ProChrome,
    pub csrf: String,
    pub action: String,
    pub verify_action: String,
    pub public_href: String,
    pub form: ServiceForm,
    /// The closure rows plus one empty row to add one.
    pub closure_rows: Vec<ClosureRow>,
    pub themes: Vec<Choice>,
    pub publics: Vec<Choice>,
    pub modes: Vec<Choice>,
    pub fees: Vec<Choice>,
    pub errors: Vec<FormError>,
    pub mark: Option<HoursMark>,
    pub preview: Vec<DayRow>,
    pub saved: bool,
    pub verified: String,
    pub may_edit: bool,
}

impl EditPage {
    /// The error of field `id`, if any.
    pub fn error_of(&self, id: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == id)
            .map(|e| e.message.as_str())
    }

    /// The closure field's id.
    pub fn cid(&self, index: &usize, field: &str) -> String {
        format!("closure-{index}-{field}")
    }
}

fn choices(entries: &[relais_domain::referentials::Entry], checked: &[String]) -> Vec<Choice> {
    entries
        .iter()
        .map(|e| Choice {
            value: e.value.clone(),
            label: e.label.clone(),
            checked: checked.contains(&e.value),
        })
        .collect()
}

/// The next 14 days of `s` in words, from today in Paris.
fn preview(tr: &Tr, s: &Service, now: DateTime<Utc>) -> Vec<DayRow> {
    let timetable = s.timetable();
    let today = now.with_timezone(&Paris).date_naive();
    (0..PREVIEW_DAYS)
        .map(|i| {
            let d = today + TimeDelta::days(i);
            DayRow::new(tr, timetable.day(d), i == 0)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn edit_view(
    c: ProChrome,
    me: &SignedIn,
    partner: &Partner,
    stored: &Service,
    form: ServiceForm,
    shown: &Service,
    errors: Vec<FormError>,
    mark: Option<HoursMark>,
    saved: bool,
    now: DateTime<Utc>,
) -> EditPage {
    let base = format!("/pro/p/{}/services/{}", partner.id, stored.id);
    let mut closure_rows = form.closures.clone();
    closure_rows.push(ClosureRow {
        index: closure_rows.len(),
        ..Default::default()
    });
    let preview = preview(&c.tr, shown, now);
    let verified = verified_text(&c.tr, stored.verified_at);
    EditPage {
        csrf: me.session.csrf.clone(),
        action: base.clone(),
        verify_action: format!("{base}/verifie"),
        public_href: format!("/services/{}", stored.id),
        closure_rows,
        themes: choices(themes().entries(), &form.themes),
        publics: choices(publics().entries(), &form.publics),
        modes: choices(reception_modes().entries(), &form.reception_modes),
        fees: choices(fees().entries(), std::slice::from_ref(&form.fee)),
        form,
        errors,
        mark,
        preview,
        saved,
        verified,
        may_edit: me.may(Action::EditDirectory, partner.id).is_allowed(),
        c,
    }
}

/// `GET /pro/p/{pid}/services/{sid}`: the form, with the preview of the stored hours.
pub async fn edit_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, sid)): Path<(String, String)>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ViewSpace).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let service = match own_service(&state, &partner, &sid).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::pages::not_found(locale, &uri),
        Err(e) => return internal_error(locale, &e),
    };
    let saved = uri.query().is_some_and(|q| q.contains("enregistre=1"));
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services");
    let form = ServiceForm::of(&service);
    let page = edit_view(
        c,
        &me,
        &partner,
        &service,
        form,
        &service,
        Vec::new(),
        None,
        saved,
        state.now(),
    );
    render_pro(StatusCode::OK, locale, &page)
}

/// `POST /pro/p/{pid}/services/{sid}`: `action=preview` shows the next 14 days of what was
/// typed without writing; `action=save` checks everything, writes it (one event naming the
/// fields changed) or shows every error next to its field (422, nothing written).
pub async fn save(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, sid)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let (form, csrf, action) = ServiceForm::parse(&body);
    if !me.csrf_ok(&csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::EditDirectory).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let stored = match own_service(&state, &partner, &sid).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::pages::not_found(locale, &uri),
        Err(e) => return internal_error(locale, &e),
    };
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services");
    let (candidate, errors, mark) = apply(&c.tr, &form, &stored);
    let now = state.now();
    if action != "save" || !errors.is_empty() {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let shown = if mark.is_some() { &stored } else { &candidate };
        let page = edit_view(
            c, &me, &partner, &stored, form, shown, errors, mark, false, now,
        );
        return render_pro(status, locale, &page);
    }
    let fields = changed_fields(&stored, &candidate);
    let href = format!("/pro/p/{}/services/{}?enregistre=1", partner.id, stored.id);
    if fields.is_empty() {
        return see_other(&href);
    }
    let mut service = candidate;
    service.updated_on = now.with_timezone(&Paris).date_naive();
    let mut e = me.event(now, Some(partner.id), "service.update");
    e.subject = Some(service.id.to_string());
    e.details = serde_json::json!({ "fields": fields });
    if let Err(e) = write_services(&state, &[service], e).await {
        return internal_error(locale, &e);
    }
    see_other(&href)
}

// --- A new service -----------------------------------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "pro/service_new.html")]
pub struct NewServicePage {
    pub c: ProChrome,
    pub csrf: String,
    pub action: String,
    /// The partner's structures: (id, name, selected).
    pub structures: Vec<(String, String, bool)>,
    pub name: String,
    pub errors: Vec<FormError>,
}

impl NewServicePage {
    /// Whether field `id` has an error.
    pub fn has_error(&self, id: &str) -> bool {
        self.errors.iter().any(|e| e.field == id)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewServiceForm {
    structure: String,
    name: String,
    csrf: String,
}

/// The structures `partner` keeps, by name.
async fn structures_of(
    state: &AppState,
    partner: &Partner,
) -> anyhow::Result<Vec<relais_domain::Structure>> {
    let mut out = Vec::new();
    for id in state.store.structures_of(partner.id).await? {
        if let Some(s) = state.store.get_structure(id).await? {
            out.push(s);
        }
    }
    out.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(out)
}

fn new_view(
    c: ProChrome,
    me: &SignedIn,
    partner: &Partner,
    structures: &[relais_domain::Structure],
    form: &NewServiceForm,
    errors: Vec<FormError>,
) -> NewServicePage {
    NewServicePage {
        csrf: me.session.csrf.clone(),
        action: format!("/pro/p/{}/services/nouveau", partner.id),
        structures: structures
            .iter()
            .map(|s| {
                let id = s.id.to_string();
                let selected = id == form.structure;
                (id, s.name.to_string(), selected)
            })
            .collect(),
        name: form.name.clone(),
        errors,
        c,
    }
}

/// `GET /pro/p/{pid}/services/nouveau`: a name and a structure; the rest on the service's page.
pub async fn new_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::EditDirectory).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let structures = match structures_of(&state, &partner).await {
        Ok(s) => s,
        Err(e) => return internal_error(locale, &e),
    };
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services");
    let page = new_view(
        c,
        &me,
        &partner,
        &structures,
        &NewServiceForm::default(),
        Vec::new(),
    );
    render_pro(StatusCode::OK, locale, &page)
}

/// `POST /pro/p/{pid}/services/nouveau`: creates the service (not verified, no hours yet: the
/// public sees « horaires à confirmer » until they are given) and opens its page.
pub async fn create(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path(pid): Path<String>,
    axum::Form(form): axum::Form<NewServiceForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::EditDirectory).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let structures = match structures_of(&state, &partner).await {
        Ok(s) => s,
        Err(e) => return internal_error(locale, &e),
    };
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services");
    let structure = structures
        .iter()
        .find(|s| s.id.to_string() == form.structure);
    let name = Name::parse(&form.name);
    let (Some(structure), Ok(name)) = (structure, name) else {
        let mut errors = Vec::new();
        if structure.is_none() {
            errors.push(FormError {
                field: "structure".into(),
                message: c.tr.t("pro-error-choice"),
            });
        }
        if let Err(e) = Name::parse(&form.name) {
            errors.push(FormError {
                field: "name".into(),
                message: c.tr.t(name_error(&e)),
            });
        }
        let page = new_view(c, &me, &partner, &structures, &form, errors);
        return render_pro(StatusCode::UNPROCESSABLE_ENTITY, locale, &page);
    };
    let now = state.now();
    let source_id = uuid::Uuid::new_v4().to_string();
    let service = Service {
        id: ServiceId::derive(&structure.source, &source_id),
        structure_id: structure.id,
        source: structure.source.clone(),
        source_id,
        name,
        description: String::new(),
        kind: None,
        themes: Vec::new(),
        publics: Vec::new(),
        publics_details: None,
        fee: None,
        fee_details: None,
        reception_modes: Vec::new(),
        mobilisation_modes: Vec::new(),
        mobilisable_by: Vec::new(),
        mobilisation_details: None,
        mobilisation_link: None,
        access_conditions: None,
        location: structure.location.clone(),
        phone: structure.phone.clone(),
        email: structure.email.clone(),
        contact_name: None,
        hours: ServiceHours::None,
        closures: Vec::new(),
        languages: vec!["fr".into()],
        wheelchair_accessible: None,
        eligibility_zone: Vec::new(),
        source_link: None,
        updated_on: now.with_timezone(&Paris).date_naive(),
        verified_at: None,
    };
    let id = service.id;
    let mut e = me.event(now, Some(partner.id), "service.create");
    e.subject = Some(id.to_string());
    if let Err(e) = write_services(&state, &[service], e).await {
        return internal_error(locale, &e);
    }
    see_other(&format!("/pro/p/{}/services/{id}?enregistre=1", partner.id))
}
