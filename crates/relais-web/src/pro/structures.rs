//! A partner edits its structures (the organisation as the public sees it: name, description,
//! contact, address). Saved with its journal event in one transaction; the services of a
//! renamed structure are re-indexed with it.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use relais_domain::access::Action;
use relais_domain::geo::{Postcode, geography};
use relais_domain::text::{ContactEmail, Name, WebLink};
use relais_domain::{Structure, StructureId};
use relais_store::Partner;

use super::directory::FormError;
use super::session::SignedIn;
use super::{ProChrome, csrf_refused, partner_for, render_pro, see_other};
use crate::pages::i18n::{Locale, Tr};
use crate::pages::internal_error;
use crate::state::AppState;

/// What the structure form shows and receives.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct StructureForm {
    pub name: String,
    pub description: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub address: String,
    pub address_complement: String,
    pub postcode: String,
    pub csrf: String,
}

impl StructureForm {
    fn of(s: &Structure) -> Self {
        let l = &s.location;
        Self {
            name: s.name.to_string(),
            description: s.description.clone().unwrap_or_default(),
            phone: s.phone.clone().unwrap_or_default(),
            email: s.email.clone().unwrap_or_default(),
            website: s.website.clone().unwrap_or_default(),
            address: l.address.clone().unwrap_or_default(),
            address_complement: l.address_complement.clone().unwrap_or_default(),
            postcode: l
                .postcode
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            csrf: String::new(),
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The structure the form describes, or the errors of its fields.
fn apply(tr: &Tr, f: &StructureForm, base: &Structure) -> Result<Structure, Vec<FormError>> {
    let mut s = base.clone();
    let mut errors = Vec::new();
    let mut err = |field: &str, key: &str| {
        errors.push(FormError {
            field: field.to_owned(),
            message: tr.t(key),
        })
    };
    match Name::parse(&f.name) {
        Ok(n) => s.name = n,
        Err(e) => err("name", super::directory::name_error(&e)),
    }
    s.description = non_empty(&f.description);
    s.phone = non_empty(&f.phone);
    s.email = match non_empty(&f.email) {
        Some(e) if ContactEmail::parse(&e).is_err() => {
            err("email", "pro-error-email");
            None
        }
        other => other,
    };
    s.website = match non_empty(&f.website) {
        Some(w) if WebLink::parse(&w).is_err() => {
            err("website", "pro-error-website");
            None
        }
        other => other,
    };
    s.location.address = non_empty(&f.address);
    s.location.address_complement = non_empty(&f.address_complement);
    if set_postcode(&mut s.location, &f.postcode).is_err() {
        err("postcode", "pro-error-postcode");
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(errors)
    }
}

/// Sets the postcode of a place typed in a form. A new postcode moves the place to the
/// metropolis's commune of it (the first, for a postcode shared by several), and its point to
/// that commune's centre: the point of the old address would be wrong, the centre is where
/// "near me" and distances will count from until coordinates are given again. An empty field
/// clears the postcode; one of no commune of the Métropole is refused (`Err`, nothing changed).
pub fn set_postcode(l: &mut relais_domain::Location, raw: &str) -> Result<(), ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        l.postcode = None;
        return Ok(());
    }
    let pc = Postcode::parse(raw).map_err(|_| ())?;
    if l.postcode.as_ref() == Some(&pc) {
        return Ok(());
    }
    let c = *geography().by_postcode(&pc).first().ok_or(())?;
    l.commune = Some(c.name.clone());
    l.insee = Some(c.insee.clone());
    l.point = Some(c.centre);
    l.postcode = Some(pc);
    Ok(())
}

#[derive(Debug, Template)]
#[template(path = "pro/structure_edit.html")]
pub struct StructurePage {
    pub c: ProChrome,
    pub csrf: String,
    pub action: String,
    pub form: StructureForm,
    pub commune: String,
    pub errors: Vec<FormError>,
    pub saved: bool,
    pub may_edit: bool,
}

impl StructurePage {
    /// Whether field `id` has an error.
    pub fn has_error(&self, id: &str) -> bool {
        self.errors.iter().any(|e| e.field == id)
    }
}

/// The structure `stid` if `partner` keeps it.
async fn own_structure(
    state: &AppState,
    partner: &Partner,
    stid: &str,
) -> anyhow::Result<Option<Structure>> {
    let Ok(id) = stid.parse::<StructureId>() else {
        return Ok(None);
    };
    if state.store.keeper_of(id).await? != Some(partner.id) {
        return Ok(None);
    }
    Ok(state.store.get_structure(id).await?)
}

/// `GET /pro/p/{pid}/structures/{stid}`.
pub async fn edit_page(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, stid)): Path<(String, String)>,
) -> Response {
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::ViewSpace).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let structure = match own_structure(&state, &partner, &stid).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::pages::not_found(locale, &uri),
        Err(e) => return internal_error(locale, &e),
    };
    let page = StructurePage {
        csrf: me.session.csrf.clone(),
        action: format!("/pro/p/{}/structures/{}", partner.id, structure.id),
        form: StructureForm::of(&structure),
        commune: structure.location.commune.clone().unwrap_or_default(),
        errors: Vec::new(),
        saved: uri.query().is_some_and(|q| q.contains("enregistre=1")),
        may_edit: me.may(Action::EditDirectory, partner.id).is_allowed(),
        c: ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services"),
    };
    render_pro(StatusCode::OK, locale, &page)
}

/// `POST /pro/p/{pid}/structures/{stid}`: every error next to its field (422, nothing written),
/// or one event naming the structure.
pub async fn save(
    State(state): State<AppState>,
    locale: Locale,
    OriginalUri(uri): OriginalUri,
    me: SignedIn,
    Path((pid, stid)): Path<(String, String)>,
    axum::Form(form): axum::Form<StructureForm>,
) -> Response {
    if !me.csrf_ok(&form.csrf) {
        return csrf_refused(locale, &uri);
    }
    let partner = match partner_for(&state, locale, &uri, &me, &pid, Action::EditDirectory).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let stored = match own_structure(&state, &partner, &stid).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::pages::not_found(locale, &uri),
        Err(e) => return internal_error(locale, &e),
    };
    let c = ProChrome::signed_in(locale, &uri, &me, Some(&partner), "services");
    let href = format!("/pro/p/{}/structures/{}", partner.id, stored.id);
    match apply(&c.tr, &form, &stored) {
        Err(errors) => {
            let page = StructurePage {
                csrf: me.session.csrf.clone(),
                action: href,
                commune: stored.location.commune.clone().unwrap_or_default(),
                form,
                errors,
                saved: false,
                may_edit: true,
                c,
            };
            render_pro(StatusCode::UNPROCESSABLE_ENTITY, locale, &page)
        }
        Ok(structure) if structure == stored => see_other(&format!("{href}?enregistre=1")),
        Ok(mut structure) => {
            let now = state.now();
            structure.updated_on = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
            let mut e = me.event(now, Some(partner.id), "structure.update");
            e.subject = Some(structure.id.to_string());
            let written = async {
                state
                    .store
                    .apply_import_as(std::slice::from_ref(&structure), &[], e)
                    .await?;
                state.sync_index().await?;
                anyhow::Ok(())
            };
            match written.await {
                Ok(()) => see_other(&format!("{href}?enregistre=1")),
                Err(e) => internal_error(locale, &e),
            }
        }
    }
}
