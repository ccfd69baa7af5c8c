//! Writing domain values as data·inclusion v1 records (plus the `relais` extension).

use std::collections::HashMap;

use chrono::SecondsFormat;
use relais_domain::{Location, Service, Structure, StructureId};
use serde_json::{Map, Value, json};

fn opt(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

/// A v1 list: `null` when empty (several v1 lists have `minItems: 1`).
fn list(v: &[String]) -> Value {
    if v.is_empty() { Value::Null } else { json!(v) }
}

fn put_location(o: &mut Map<String, Value>, l: &Location) {
    o.insert("adresse".into(), opt(&l.address));
    o.insert("complement_adresse".into(), opt(&l.address_complement));
    o.insert(
        "code_postal".into(),
        l.postcode
            .as_ref()
            .map_or(Value::Null, |p| json!(p.as_str())),
    );
    o.insert("commune".into(), opt(&l.commune));
    o.insert(
        "code_insee".into(),
        l.insee.as_ref().map_or(Value::Null, |c| json!(c.as_str())),
    );
    o.insert(
        "latitude".into(),
        l.point.map_or(Value::Null, |p| json!(p.lat)),
    );
    o.insert(
        "longitude".into(),
        l.point.map_or(Value::Null, |p| json!(p.lon)),
    );
}

/// Structures as a v1 array, ordered by id so that two exports of the same data are identical.
pub fn export_structures(structures: &[Structure]) -> Value {
    let mut sorted: Vec<&Structure> = structures.iter().collect();
    sorted.sort_by_key(|s| s.id);
    Value::Array(
        sorted
            .into_iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("source".into(), json!(s.source));
                o.insert("id".into(), json!(s.source_id));
                o.insert("nom".into(), json!(s.name.as_str()));
                o.insert("siret".into(), opt(&s.siret));
                o.insert("description".into(), opt(&s.description));
                put_location(&mut o, &s.location);
                o.insert("telephone".into(), opt(&s.phone));
                o.insert("courriel".into(), opt(&s.email));
                o.insert("site_web".into(), opt(&s.website));
                o.insert("lien_source".into(), opt(&s.source_link));
                o.insert("accessibilite_lieu".into(), opt(&s.accessibility_link));
                o.insert("horaires_accueil".into(), opt(&s.hours_text));
                o.insert("reseaux_porteurs".into(), list(&s.networks));
                o.insert(
                    "date_maj".into(),
                    json!(s.updated_on.format("%Y-%m-%d").to_string()),
                );
                Value::Object(o)
            })
            .collect(),
    )
}

/// Services as a v1 array, ordered by id, each with its `relais` extension.
///
/// `structures` gives back each service's `structure_id` as the producer's id (the domain keeps
/// only the derived UUID). A service whose structure is not in `structures` gets the UUID itself:
/// still unique, but a re-import would derive a different structure id — export services together
/// with their structures.
pub fn export_services(services: &[Service], structures: &[Structure]) -> Value {
    let source_ids: HashMap<StructureId, &str> = structures
        .iter()
        .map(|s| (s.id, s.source_id.as_str()))
        .collect();
    let mut sorted: Vec<&Service> = services.iter().collect();
    sorted.sort_by_key(|s| s.id);
    Value::Array(
        sorted
            .into_iter()
            .map(|s| {
                let structure_id = source_ids
                    .get(&s.structure_id)
                    .map_or_else(|| s.structure_id.to_string(), |id| (*id).to_owned());
                let mut o = Map::new();
                o.insert("source".into(), json!(s.source));
                o.insert("id".into(), json!(s.source_id));
                o.insert("structure_id".into(), json!(structure_id));
                o.insert("nom".into(), json!(s.name.as_str()));
                o.insert("description".into(), json!(s.description));
                o.insert("type".into(), opt(&s.kind));
                o.insert("thematiques".into(), list(&s.themes));
                o.insert("publics".into(), list(&s.publics));
                o.insert("publics_precisions".into(), opt(&s.publics_details));
                o.insert("frais".into(), opt(&s.fee));
                o.insert("frais_precisions".into(), opt(&s.fee_details));
                o.insert("modes_accueil".into(), list(&s.reception_modes));
                o.insert("modes_mobilisation".into(), list(&s.mobilisation_modes));
                o.insert("mobilisable_par".into(), list(&s.mobilisable_by));
                o.insert(
                    "mobilisation_precisions".into(),
                    opt(&s.mobilisation_details),
                );
                o.insert("lien_mobilisation".into(), opt(&s.mobilisation_link));
                o.insert("conditions_acces".into(), opt(&s.access_conditions));
                put_location(&mut o, &s.location);
                o.insert("telephone".into(), opt(&s.phone));
                o.insert("courriel".into(), opt(&s.email));
                o.insert("contact_nom_prenom".into(), opt(&s.contact_name));
                o.insert(
                    "horaires_accueil".into(),
                    s.hours.as_text().map_or(Value::Null, |t| json!(t)),
                );
                o.insert("zone_eligibilite".into(), list(&s.eligibility_zone));
                o.insert("lien_source".into(), opt(&s.source_link));
                o.insert(
                    "date_maj".into(),
                    json!(s.updated_on.format("%Y-%m-%d").to_string()),
                );
                if let Some(ext) = relais_extension(s) {
                    o.insert("relais".into(), ext);
                }
                Value::Object(o)
            })
            .collect(),
    )
}

/// The `relais` extension object, or `None` when it would be empty.
fn relais_extension(s: &Service) -> Option<Value> {
    let mut o = Map::new();
    if !s.languages.is_empty() {
        o.insert("langues".into(), json!(s.languages));
    }
    if !s.closures.is_empty() {
        let closures: Vec<Value> = s
            .closures
            .iter()
            .map(|c| {
                json!({
                    "du": c.from.format("%Y-%m-%d").to_string(),
                    "au": c.to.format("%Y-%m-%d").to_string(),
                    "motif": c.reason,
                })
            })
            .collect();
        o.insert("fermetures".into(), Value::Array(closures));
    }
    if let Some(b) = s.wheelchair_accessible {
        o.insert("accessible_fauteuil".into(), json!(b));
    }
    if let Some(at) = s.verified_at {
        o.insert(
            "verifie_le".into(),
            json!(at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        );
    }
    (!o.is_empty()).then_some(Value::Object(o))
}
