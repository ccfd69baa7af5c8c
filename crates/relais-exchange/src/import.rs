//! Reading data·inclusion documents into domain values, validating everything first.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::directory;
use relais_domain::geo::GeoError;
use relais_domain::hours::{HoursErrorKind, OpeningHours};
use relais_domain::referentials::{self, Referential};
use relais_domain::text::{ContactEmail, Name, WebLink};
use relais_domain::{
    Closure, GeoPoint, InseeCode, Location, Postcode, Service, ServiceHours, ServiceId, Structure,
    StructureId,
};
use serde_json::{Map, Value};

use crate::mapping;
use crate::{ImportError, Note, Parsed};

/// Parses a document as of today (UTC date) — `date_suspension` is compared with it.
pub fn parse_document(file_name: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    parse_document_on(file_name, bytes, Utc::now().date_naive())
}

/// Parses a document; a service whose `date_suspension` is before `today` is skipped, a
/// `date_maj` beyond `today` + 2 years is refused. A position outside the metropolis is dropped
/// with a note: a producer's file (a data·inclusion search around Paris) lists structures of
/// Évry or Lyon whose services reach Paris; they stay, without coordinates.
pub fn parse_document_on(
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Parsed, Vec<ImportError>> {
    parse(file_name, bytes, today, Outside::Drop)
}

/// Parses a partner's own record (the write API): the same rules, except that a position
/// outside the metropolis is an error on `latitude`/`longitude`, as in the pro form — the
/// partner gives the place of its own service in the metropolis.
pub fn parse_own_document(
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Parsed, Vec<ImportError>> {
    parse(file_name, bytes, today, Outside::Refuse)
}

/// What to do with a valid position outside [`relais_domain::geo::METROPOLIS_BOUNDS`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outside {
    Drop,
    Refuse,
}

fn parse(
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
    outside: Outside,
) -> Result<Parsed, Vec<ImportError>> {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![ImportError {
                file: file_name.to_owned(),
                item: format!("ligne {}, colonne {}", e.line(), e.column()),
                field: "(document)".to_owned(),
                message: format!("JSON invalide : {e}"),
            }]);
        }
    };
    let mut cx = Cx {
        file: file_name,
        errors: Vec::new(),
        notes: Vec::new(),
        today,
        outside,
    };
    let records = cx.classify(&doc);
    let parsed = cx.read_all(records);
    if cx.errors.is_empty() {
        Ok(Parsed {
            notes: cx.notes,
            ..parsed
        })
    } else {
        Err(cx.errors)
    }
}

/// A record to read and where it is.
struct Rec<'a> {
    item: String,
    obj: &'a Map<String, Value>,
}

#[derive(Default)]
struct Records<'a> {
    structures: Vec<Rec<'a>>,
    services: Vec<Rec<'a>>,
    /// Embedded structures (API responses) may repeat: deduplicated silently.
    structures_embedded: bool,
}

struct Cx<'f> {
    file: &'f str,
    errors: Vec<ImportError>,
    notes: Vec<Note>,
    today: NaiveDate,
    outside: Outside,
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "un booléen",
        Value::Number(_) => "un nombre",
        Value::String(_) => "un texte",
        Value::Array(_) => "une liste",
        Value::Object(_) => "un objet",
    }
}

impl<'f> Cx<'f> {
    fn error(&mut self, item: &str, field: &str, message: impl Into<String>) {
        self.errors.push(ImportError {
            file: self.file.to_owned(),
            item: item.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn note(&mut self, item: &str, message: impl Into<String>) {
        self.notes.push(Note {
            item: item.to_owned(),
            message: message.into(),
        });
    }

    /// Finds the records in the document's shape.
    fn classify<'a>(&mut self, doc: &'a Value) -> Records<'a> {
        let mut out = Records::default();
        match doc {
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    match v {
                        Value::Object(o) if o.contains_key("structure_id") => {
                            out.services.push(Rec { item: format!("services[{i}]"), obj: o })
                        }
                        Value::Object(o) => out.structures.push(Rec { item: format!("structures[{i}]"), obj: o }),
                        other => self.error(
                            &format!("[{i}]"),
                            "(enregistrement)",
                            format!("objet attendu (structure ou service), trouvé {}", kind_of(other)),
                        ),
                    }
                }
            }
            Value::Object(o) if o.contains_key("items") => {
                out.structures_embedded = true;
                let Some(items) = o["items"].as_array() else {
                    self.error("items", "items", format!("liste attendue, trouvé {}", kind_of(&o["items"])));
                    return out;
                };
                for (i, v) in items.iter().enumerate() {
                    let item = format!("items[{i}]");
                    let Some(service) = v.get("service").and_then(Value::as_object) else {
                        self.error(&item, "service", "objet `service` attendu dans chaque élément de `items`");
                        continue;
                    };
                    if let Some(s) = service.get("structure").and_then(Value::as_object) {
                        out.structures.push(Rec { item: format!("{item}.service.structure"), obj: s });
                    }
                    out.services.push(Rec { item: format!("{item}.service"), obj: service });
                }
            }
            Value::Object(o) if o.contains_key("structures") || o.contains_key("services") => {
                for (key, is_service) in [("structures", false), ("services", true)] {
                    match o.get(key) {
                        None | Some(Value::Null) => {}
                        Some(Value::Array(items)) => {
                            for (i, v) in items.iter().enumerate() {
                                let item = format!("{key}[{i}]");
                                match v.as_object() {
                                    Some(obj) if is_service => out.services.push(Rec { item, obj }),
                                    Some(obj) => out.structures.push(Rec { item, obj }),
                                    None => self.error(&item, "(enregistrement)", format!("objet attendu, trouvé {}", kind_of(v))),
                                }
                            }
                        }
                        Some(other) => self.error(key, key, format!("liste attendue, trouvé {}", kind_of(other))),
                    }
                }
            }
            Value::Object(o) if o.contains_key("structure_id") => {
                out.services.push(Rec { item: "services[0]".to_owned(), obj: o })
            }
            Value::Object(o) if o.contains_key("nom") => {
                out.structures.push(Rec { item: "structures[0]".to_owned(), obj: o })
            }
            other => self.error(
                "(document)",
                "(document)",
                format!(
                    "forme non reconnue ({}) : attendu une liste de structures ou de services, un objet \
                     {{\"structures\": […], \"services\": […]}} ou une réponse de l'API data·inclusion {{\"items\": […]}}",
                    kind_of(other)
                ),
            ),
        }
        out
    }

    fn read_all(&mut self, records: Records<'_>) -> Parsed {
        let mut parsed = Parsed::default();
        let mut seen_structures: HashMap<StructureId, String> = HashMap::new();
        // Structure hours by id, for v0 services that have no `recurrence` of their own.
        let mut structure_hours: HashMap<StructureId, Option<String>> = HashMap::new();
        for rec in &records.structures {
            let Some(s) = self.read_structure(rec) else {
                continue;
            };
            if let Some(first) = seen_structures.get(&s.id) {
                if !records.structures_embedded {
                    let first = first.clone();
                    self.error(
                        &rec.item,
                        "id",
                        format!("identifiant « {} » déjà utilisé par {first}", s.source_id),
                    );
                }
                continue;
            }
            seen_structures.insert(s.id, rec.item.clone());
            structure_hours.insert(s.id, s.hours_text.clone());
            parsed.structures.push(s);
        }
        let mut seen_services: HashMap<ServiceId, String> = HashMap::new();
        for rec in &records.services {
            let Some(s) = self.read_service(rec, &structure_hours) else {
                continue;
            };
            if let Some(first) = seen_services.get(&s.id) {
                let first = first.clone();
                self.error(
                    &rec.item,
                    "id",
                    format!("identifiant « {} » déjà utilisé par {first}", s.source_id),
                );
                continue;
            }
            if !seen_structures.contains_key(&s.structure_id) {
                parsed.external_structures.push(crate::ExternalStructure {
                    item: rec.item.clone(),
                    structure: s.structure_id,
                    source: s.source.clone(),
                    source_id: rec
                        .obj
                        .get("structure_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                });
                // Not a note: the caller checks these against its other files and its store,
                // and refuses the import if one is nowhere.
            }
            seen_services.insert(s.id, rec.item.clone());
            parsed.services.push(s);
        }
        parsed
    }

    fn read_structure(&mut self, rec: &Rec<'_>) -> Option<Structure> {
        let before = self.errors.len();
        let v0 = is_v0(rec.obj);
        let mut r = Reader { cx: self, rec };
        let source = r.required_id("source");
        let source_id = r.required_id("id");
        let name = r.name();
        let updated_on = r.required_date("date_maj");
        let siret = r.opt_str("siret");
        if let Some(s) = &siret
            && (s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()))
        {
            r.error(
                "siret",
                format!("SIRET invalide « {s} » : 14 chiffres attendus"),
            );
        }
        let description = if v0 {
            r.opt_str("presentation_detail")
                .or_else(|| r.opt_str("presentation_resume"))
        } else {
            r.opt_str("description")
        };
        let location = r.location();
        let hours_text = r.opt_str(if v0 {
            "horaires_ouverture"
        } else {
            "horaires_accueil"
        });
        let accessibility_link = r.opt_link(if v0 {
            "accessibilite"
        } else {
            "accessibilite_lieu"
        });
        let networks = if v0 {
            let mut out = Vec::new();
            for label in r.str_list("labels_nationaux") {
                match mapping::map_v0_label(&label) {
                    Some(n) if !out.contains(&n) => out.push(n),
                    Some(_) => {}
                    None => r.note(format!("label national « {label} » sans équivalent dans les réseaux porteurs v1 : ignoré")),
                }
            }
            out
        } else {
            r.referential_list("reseaux_porteurs", referentials::networks())
        };
        let structure = Structure {
            id: StructureId::derive(
                source.as_deref().unwrap_or_default(),
                source_id.as_deref().unwrap_or_default(),
            ),
            source: source.unwrap_or_default(),
            source_id: source_id.unwrap_or_default(),
            name: name?,
            siret,
            description,
            location,
            phone: r.opt_str("telephone"),
            email: r.opt_email("courriel"),
            website: r.opt_link("site_web"),
            source_link: r.opt_link("lien_source"),
            accessibility_link,
            hours_text,
            networks,
            updated_on: updated_on?,
        };
        (self.errors.len() == before).then_some(structure)
    }

    fn read_service(
        &mut self,
        rec: &Rec<'_>,
        structure_hours: &HashMap<StructureId, Option<String>>,
    ) -> Option<Service> {
        let before = self.errors.len();
        let v0 = is_v0(rec.obj);
        let today = self.today;
        let mut r = Reader { cx: self, rec };
        // Suspension first: a suspended service is skipped whatever else it holds.
        if let Some(d) = r.opt_date("date_suspension") {
            if d < today {
                r.note(format!("service suspendu depuis le {d} : non importé"));
                return None;
            }
            r.note(format!(
                "suspension prévue le {d} : non reprise (data·inclusion v1 n'a pas ce champ)"
            ));
        }
        let source = r.required_id("source");
        let source_id = r.required_id("id");
        let structure_source_id = r.required_id("structure_id");
        let name = r.name();
        let updated_on = r.required_date("date_maj");
        let location = r.location();
        if location.point.is_none() {
            r.note("coordonnées absentes : le service ne sera pas trouvé par la recherche autour d'un lieu");
        }
        let extension = r.relais_extension();

        let service_fields = if v0 {
            r.v0_fields(structure_hours, &source, &structure_source_id)
        } else {
            r.v1_fields()
        };
        let description = match service_fields.description {
            Some(d) => d,
            None if v0 => {
                r.note("ni présentation ni description : le nom est repris comme description");
                name.as_ref()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default()
            }
            None => {
                r.error(
                    "description",
                    "champ obligatoire manquant : décrire le service en quelques phrases",
                );
                String::new()
            }
        };
        let hours = ServiceHours::from_source(service_fields.hours.as_deref());
        if let ServiceHours::Text(t) = &hours {
            // Readable hours beyond the directory's limits (issue 9) say why they stay text.
            let why = match OpeningHours::parse_for_directory(t) {
                Err(e) if e.kind != HoursErrorKind::Syntax => format!(" ({})", e.message),
                _ => String::new(),
            };
            r.note(format!(
                "horaires en texte libre, gardés tels quels (statut « inconnu »){why} : « {} »",
                shorten(t, 80)
            ));
        }
        let source = source.unwrap_or_default();
        let service = Service {
            id: ServiceId::derive(&source, source_id.as_deref().unwrap_or_default()),
            structure_id: StructureId::derive(
                &source,
                structure_source_id.as_deref().unwrap_or_default(),
            ),
            source,
            source_id: source_id.unwrap_or_default(),
            name: name?,
            description,
            kind: service_fields.kind,
            themes: service_fields.themes,
            publics: service_fields.publics,
            publics_details: service_fields.publics_details,
            fee: service_fields.fee,
            fee_details: service_fields.fee_details,
            reception_modes: service_fields.reception_modes,
            mobilisation_modes: service_fields.mobilisation_modes,
            mobilisable_by: service_fields.mobilisable_by,
            mobilisation_details: service_fields.mobilisation_details,
            mobilisation_link: service_fields.mobilisation_link,
            access_conditions: service_fields.access_conditions,
            location,
            phone: r.opt_str("telephone"),
            email: r.opt_email("courriel"),
            contact_name: r.opt_str("contact_nom_prenom"),
            hours,
            closures: extension.closures,
            languages: extension.languages,
            wheelchair_accessible: extension.wheelchair_accessible,
            eligibility_zone: service_fields.eligibility_zone,
            source_link: r.opt_link("lien_source"),
            updated_on: updated_on?,
            verified_at: extension.verified_at,
        };
        (self.errors.len() == before).then_some(service)
    }
}

/// Whether a record uses v0 field names.
fn is_v0(o: &Map<String, Value>) -> bool {
    const V0_ONLY: &[&str] = &[
        "profils",
        "profils_precisions",
        "presentation_resume",
        "presentation_detail",
        "types",
        "zone_diffusion_type",
        "zone_diffusion_code",
        "recurrence",
        "prise_rdv",
        "formulaire_en_ligne",
        "frais_autres",
        "modes_orientation_beneficiaire",
        "modes_orientation_accompagnateur",
        "horaires_ouverture",
        "accessibilite",
        "labels_nationaux",
        "typologie",
        "antenne",
    ];
    V0_ONLY.iter().any(|k| o.contains_key(*k)) || o.get("frais").is_some_and(Value::is_array)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Fields whose names differ between v0 and v1, read into their v1 meaning.
#[derive(Default)]
struct ServiceFields {
    description: Option<String>,
    kind: Option<String>,
    themes: Vec<String>,
    publics: Vec<String>,
    publics_details: Option<String>,
    fee: Option<String>,
    fee_details: Option<String>,
    reception_modes: Vec<String>,
    mobilisation_modes: Vec<String>,
    mobilisable_by: Vec<String>,
    mobilisation_details: Option<String>,
    mobilisation_link: Option<String>,
    access_conditions: Option<String>,
    eligibility_zone: Vec<String>,
    hours: Option<String>,
}

/// What the `relais` extension carries.
#[derive(Default)]
struct Extension {
    languages: Vec<String>,
    closures: Vec<Closure>,
    wheelchair_accessible: Option<bool>,
    verified_at: Option<DateTime<Utc>>,
}

/// Reads the fields of one record, reporting into the context.
struct Reader<'c, 'f, 'a> {
    cx: &'c mut Cx<'f>,
    rec: &'c Rec<'a>,
}

impl Reader<'_, '_, '_> {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        let item = self.rec.item.clone();
        self.cx.error(&item, field, message);
    }

    fn note(&mut self, message: impl Into<String>) {
        let item = self.rec.item.clone();
        self.cx.note(&item, message);
    }

    fn get(&self, field: &str) -> Option<&Value> {
        self.rec.obj.get(field).filter(|v| !v.is_null())
    }

    /// A required identifier: a non-empty text (a whole number is accepted and written in full).
    fn required_id(&mut self, field: &str) -> Option<String> {
        match self.get(field).cloned() {
            None => {
                self.error(field, "champ obligatoire manquant");
                None
            }
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::String(_)) => {
                self.error(field, "ne doit pas être vide");
                None
            }
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
            Some(other) => {
                self.error(field, format!("texte attendu, trouvé {}", kind_of(&other)));
                None
            }
        }
    }

    /// The name: a text (a number is refused, unlike ids), checked by [`Name::parse`].
    fn name(&mut self) -> Option<Name> {
        let raw = match self.get("nom").cloned() {
            None => {
                self.error("nom", "champ obligatoire manquant");
                return None;
            }
            Some(Value::String(s)) => s,
            Some(other) => {
                self.error("nom", format!("texte attendu, trouvé {}", kind_of(&other)));
                return None;
            }
        };
        match Name::parse(&raw) {
            Ok(n) => Some(n),
            Err(e) => {
                self.error("nom", e.to_string());
                None
            }
        }
    }

    /// An optional text: trimmed, empty means absent.
    fn opt_str(&mut self, field: &str) -> Option<String> {
        match self.get(field)? {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            other => {
                let k = kind_of(other);
                self.error(field, format!("texte attendu, trouvé {k}"));
                None
            }
        }
    }

    /// An optional contact address, checked by [`ContactEmail::parse`].
    fn opt_email(&mut self, field: &str) -> Option<String> {
        let raw = self.opt_str(field)?;
        match ContactEmail::parse(&raw) {
            Ok(e) => Some(e.into()),
            Err(e) => {
                self.error(field, format!("{e} (« {} »)", shorten(&raw, 60)));
                None
            }
        }
    }

    /// An optional link, checked by [`WebLink::parse`] (http and https only).
    fn opt_link(&mut self, field: &str) -> Option<String> {
        let raw = self.opt_str(field)?;
        match WebLink::parse(&raw) {
            Ok(l) => Some(l.into()),
            Err(e) => {
                self.error(field, format!("{e} (« {} »)", shorten(&raw, 60)));
                None
            }
        }
    }

    fn opt_f64(&mut self, field: &str) -> Option<f64> {
        match self.get(field)? {
            Value::Number(n) => n.as_f64(),
            other => {
                let k = kind_of(other);
                self.error(field, format!("nombre attendu, trouvé {k}"));
                None
            }
        }
    }

    /// A list of texts (absent or null: empty).
    fn str_list(&mut self, field: &str) -> Vec<String> {
        match self.get(field).cloned() {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    match v {
                        Value::String(s) if !s.trim().is_empty() => {
                            let s = s.trim().to_owned();
                            if !out.contains(&s) {
                                out.push(s);
                            }
                        }
                        Value::String(_) => {}
                        other => self.error(
                            &format!("{field}[{i}]"),
                            format!("texte attendu, trouvé {}", kind_of(other)),
                        ),
                    }
                }
                out
            }
            Some(other) => {
                self.error(field, format!("liste attendue, trouvé {}", kind_of(&other)));
                Vec::new()
            }
        }
    }

    /// A v1 list whose values must belong to a referential.
    fn referential_list(&mut self, field: &str, referential: &Referential) -> Vec<String> {
        let values = self.str_list(field);
        for (i, v) in values.iter().enumerate() {
            if !referential.contains(v) {
                self.error(&format!("{field}[{i}]"), unknown_value(v, referential));
            }
        }
        values
    }

    fn referential_value(&mut self, field: &str, referential: &Referential) -> Option<String> {
        let v = self.opt_str(field)?;
        if referential.contains(&v) {
            Some(v)
        } else {
            self.error(field, unknown_value(&v, referential));
            None
        }
    }

    fn parse_date(&mut self, field: &str, s: &str) -> Option<NaiveDate> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Some(d);
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(dt.date_naive());
        }
        self.error(
            field,
            format!("date invalide « {s} » : AAAA-MM-JJ attendu (ex. 2025-03-31)"),
        );
        None
    }

    /// `date_maj`: a date within [`directory::check_update_date`]'s range.
    fn required_date(&mut self, field: &str) -> Option<NaiveDate> {
        match self.get(field).cloned() {
            None => {
                self.error(
                    field,
                    "champ obligatoire manquant : date de dernière mise à jour, AAAA-MM-JJ",
                );
                None
            }
            Some(Value::String(s)) => {
                let d = self.parse_date(field, &s)?;
                match directory::check_update_date(d, self.cx.today) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        self.error(field, e.to_string());
                        None
                    }
                }
            }
            Some(other) => {
                self.error(
                    field,
                    format!("date AAAA-MM-JJ attendue, trouvé {}", kind_of(&other)),
                );
                None
            }
        }
    }

    fn opt_date(&mut self, field: &str) -> Option<NaiveDate> {
        let s = self.opt_str(field)?;
        self.parse_date(field, &s)
    }

    fn location(&mut self) -> Location {
        let postcode = self
            .opt_str("code_postal")
            .and_then(|s| match Postcode::parse(&s) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.error("code_postal", e.to_string());
                    None
                }
            });
        let insee = self
            .opt_str("code_insee")
            .and_then(|s| match InseeCode::parse(&s) {
                Ok(c) => Some(c),
                Err(e) => {
                    self.error("code_insee", e.to_string());
                    None
                }
            });
        let lat = self.opt_f64("latitude");
        let lon = self.opt_f64("longitude");
        let point = match (lat, lon) {
            (Some(lat), Some(lon)) => match GeoPoint::in_metropolis(lat, lon) {
                Ok(p) => Some(p),
                Err(e @ GeoError::OutsideMetropolis { .. }) if self.cx.outside == Outside::Drop => {
                    self.note(format!("latitude, longitude : {e} : coordonnées ignorées"));
                    None
                }
                Err(e @ GeoError::OutsideMetropolis { .. }) => {
                    self.error("latitude", e.to_string());
                    None
                }
                Err(e) => {
                    let field = if (-90.0..=90.0).contains(&lat) {
                        "longitude"
                    } else {
                        "latitude"
                    };
                    self.error(field, e.to_string());
                    None
                }
            },
            (Some(_), None) | (None, Some(_)) => {
                self.note("latitude sans longitude (ou l'inverse) : coordonnées ignorées");
                None
            }
            (None, None) => None,
        };
        Location {
            address: self.opt_str("adresse"),
            address_complement: self.opt_str("complement_adresse"),
            postcode,
            commune: self.opt_str("commune"),
            insee,
            point,
        }
    }

    fn relais_extension(&mut self) -> Extension {
        let mut ext = Extension::default();
        let Some(v) = self.get("relais").cloned() else {
            return ext;
        };
        let Value::Object(o) = v else {
            self.error("relais", format!("objet attendu, trouvé {}", kind_of(&v)));
            return ext;
        };
        match o.get("langues").filter(|v| !v.is_null()) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, l) in items.iter().enumerate() {
                    let field = format!("relais.langues[{i}]");
                    match l.as_str().map(str::trim) {
                        Some(s) if (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase()) => {
                            if !ext.languages.iter().any(|x| x == s) {
                                ext.languages.push(s.to_owned());
                            }
                        }
                        _ => self.error(&field, format!("code de langue invalide {l} : 2 ou 3 lettres minuscules attendues (ex. fr, ar)")),
                    }
                }
            }
            Some(other) => self.error(
                "relais.langues",
                format!("liste attendue, trouvé {}", kind_of(other)),
            ),
        }
        match o.get("fermetures").filter(|v| !v.is_null()) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, c) in items.iter().enumerate() {
                    let field = format!("relais.fermetures[{i}]");
                    let date = |key: &str| {
                        c.get(key)
                            .and_then(Value::as_str)
                            .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
                    };
                    let (from, to) = (date("du"), date("au"));
                    let reason = c.get("motif").and_then(Value::as_str).unwrap_or_default();
                    match (from, to) {
                        (Some(from), Some(to)) => match Closure::new(from, to, reason) {
                            Ok(cl) => ext.closures.push(cl),
                            Err(e) => self.error(&field, e.to_string()),
                        },
                        _ => self.error(&field, "objet {\"du\": \"AAAA-MM-JJ\", \"au\": \"AAAA-MM-JJ\", \"motif\": \"…\"} attendu"),
                    }
                }
            }
            Some(other) => self.error(
                "relais.fermetures",
                format!("liste attendue, trouvé {}", kind_of(other)),
            ),
        }
        match o.get("accessible_fauteuil").filter(|v| !v.is_null()) {
            None => {}
            Some(Value::Bool(b)) => ext.wheelchair_accessible = Some(*b),
            Some(other) => self.error(
                "relais.accessible_fauteuil",
                format!("booléen attendu, trouvé {}", kind_of(other)),
            ),
        }
        match o.get("verifie_le").filter(|v| !v.is_null()) {
            None => {}
            Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s.trim()) {
                Ok(dt) => ext.verified_at = Some(dt.with_timezone(&Utc)),
                Err(_) => self.error(
                    "relais.verifie_le",
                    format!(
                        "date-heure invalide « {s} » : RFC 3339 attendu (ex. 2026-03-01T09:30:00Z)"
                    ),
                ),
            },
            Some(other) => self.error(
                "relais.verifie_le",
                format!("date-heure attendue, trouvé {}", kind_of(other)),
            ),
        }
        ext
    }

    fn v1_fields(&mut self) -> ServiceFields {
        let mut themes = self.str_list("thematiques");
        for (i, t) in themes.iter().enumerate() {
            if !referentials::is_known_theme(t) {
                self.error(
                    &format!("thematiques[{i}]"),
                    unknown_value(t, referentials::themes()),
                );
            }
        }
        themes.retain(|t| referentials::is_known_theme(t));
        let eligibility_zone = self.str_list("zone_eligibilite");
        for (i, z) in eligibility_zone.iter().enumerate() {
            if !is_zone_code(z) {
                self.error(
                    &format!("zone_eligibilite[{i}]"),
                    format!("code « {z} » invalide : code commune (5), département (2 ou 3), EPCI (9 chiffres) ou « france » attendu"),
                );
            }
        }
        ServiceFields {
            description: self.opt_str("description"),
            kind: self.referential_value("type", referentials::service_types()),
            themes,
            publics: self.referential_list("publics", referentials::publics()),
            publics_details: self.opt_str("publics_precisions"),
            fee: self.referential_value("frais", referentials::fees()),
            fee_details: self.opt_str("frais_precisions"),
            reception_modes: self
                .referential_list("modes_accueil", referentials::reception_modes()),
            mobilisation_modes: self
                .referential_list("modes_mobilisation", referentials::mobilisation_modes()),
            mobilisable_by: self.referential_list("mobilisable_par", referentials::mobilisers()),
            mobilisation_details: self.opt_str("mobilisation_precisions"),
            mobilisation_link: self.opt_link("lien_mobilisation"),
            access_conditions: self.opt_str("conditions_acces"),
            eligibility_zone,
            hours: self.opt_str("horaires_accueil"),
        }
    }

    fn v0_fields(
        &mut self,
        structure_hours: &HashMap<StructureId, Option<String>>,
        source: &Option<String>,
        structure_source_id: &Option<String>,
    ) -> ServiceFields {
        let mut f = ServiceFields {
            description: self
                .opt_str("presentation_detail")
                .or_else(|| self.opt_str("presentation_resume")),
            publics_details: self.opt_str("profils_precisions"),
            fee_details: self.opt_str("frais_autres"),
            ..ServiceFields::default()
        };

        for t in self.str_list("thematiques") {
            match mapping::map_v0_theme(&t) {
                Some(to) if to.is_empty() => self.note(format!(
                    "thématique v0 « {t} » sans équivalent v1 : ignorée"
                )),
                Some(to) => {
                    for x in to {
                        if !f.themes.contains(&x) {
                            f.themes.push(x);
                        }
                    }
                }
                None => self.note(format!("thématique inconnue « {t} » : ignorée")),
            }
        }
        for p in self.str_list("profils") {
            match mapping::map_v0_profil(&p) {
                Some([]) => self.note(format!(
                    "profil v0 « {p} » sans public v1 équivalent : ignoré"
                )),
                Some(to) => {
                    for x in to {
                        if !f.publics.iter().any(|y| y == x) {
                            f.publics.push((*x).to_owned());
                        }
                    }
                }
                None if referentials::publics().contains(&p) => {
                    if !f.publics.contains(&p) {
                        f.publics.push(p);
                    }
                }
                None => self.note(format!("profil inconnu « {p} » : ignoré")),
            }
        }
        // `publics` (v1 name) if the producer already sent it.
        for p in self.str_list("publics") {
            if referentials::publics().contains(&p) && !f.publics.contains(&p) {
                f.publics.push(p);
            }
        }

        let types = self.str_list("types");
        f.kind = types
            .iter()
            .find_map(|t| mapping::map_v0_type(t))
            .map(str::to_owned);
        if f.kind.is_none() && !types.is_empty() {
            self.note(format!(
                "types v0 {types:?} sans type v1 équivalent : ignorés"
            ));
        }

        // v0 `frais` is a list; v1 keeps one value. Anything paid makes it `payant`.
        let fees = match self.get("frais").cloned() {
            Some(Value::String(s)) => vec![s],
            _ => self.str_list("frais"),
        };
        if fees
            .iter()
            .any(|x| matches!(x.as_str(), "payant" | "adhesion" | "pass-numerique"))
        {
            f.fee = Some("payant".to_owned());
        } else if fees
            .iter()
            .any(|x| matches!(x.as_str(), "gratuit" | "gratuit-sous-conditions"))
        {
            f.fee = Some("gratuit".to_owned());
            if fees.iter().any(|x| x == "gratuit-sous-conditions") && f.fee_details.is_none() {
                f.fee_details = Some("Gratuit sous conditions".to_owned());
            }
        }
        for x in &fees {
            if !matches!(
                x.as_str(),
                "payant" | "adhesion" | "pass-numerique" | "gratuit" | "gratuit-sous-conditions"
            ) {
                self.note(format!("frais inconnus « {x} » : ignorés"));
            }
        }

        for m in self.str_list("modes_accueil") {
            if referentials::reception_modes().contains(&m) {
                f.reception_modes.push(m);
            } else {
                self.note(format!("mode d'accueil inconnu « {m} » : ignoré"));
            }
        }

        f.mobilisation_link = self
            .opt_link("prise_rdv")
            .or_else(|| self.opt_link("formulaire_en_ligne"))
            .or_else(|| self.opt_link("lien_mobilisation"));
        let beneficiary = self.str_list("modes_orientation_beneficiaire");
        let companion = self.str_list("modes_orientation_accompagnateur");
        for m in beneficiary.iter().chain(&companion) {
            let v1 = match m.as_str() {
                "telephoner" => Some("telephoner"),
                "envoyer-un-mail" | "envoyer-un-mail-avec-une-fiche-de-prescription" => {
                    Some("envoyer-un-courriel")
                }
                "se-presenter" => Some("se-presenter"),
                // A form or an appointment is mobilised through the link, when there is one.
                "completer-le-formulaire-dadhesion" | "prendre-rdv"
                    if f.mobilisation_link.is_some() =>
                {
                    Some("utiliser-lien-mobilisation")
                }
                _ => None,
            };
            if let Some(v1) = v1
                && !f.mobilisation_modes.iter().any(|x| x == v1)
            {
                f.mobilisation_modes.push(v1.to_owned());
            }
        }
        if !beneficiary.is_empty() {
            f.mobilisable_by.push("usagers".to_owned());
        }
        if !companion.is_empty() {
            f.mobilisable_by.push("professionnels".to_owned());
        }
        let details: Vec<String> = [
            (
                "Usagers",
                self.opt_str("modes_orientation_beneficiaire_autres"),
            ),
            (
                "Professionnels",
                self.opt_str("modes_orientation_accompagnateur_autres"),
            ),
        ]
        .into_iter()
        .filter_map(|(who, t)| t.map(|t| format!("{who} : {t}")))
        .collect();
        f.mobilisation_details = (!details.is_empty()).then(|| details.join("\n"));

        let prerequisites = self.str_list("pre_requis");
        let documents = self.str_list("justificatifs");
        let mut conditions = Vec::new();
        if !prerequisites.is_empty() {
            conditions.push(format!("Prérequis : {}", prerequisites.join(", ")));
        }
        if !documents.is_empty() {
            conditions.push(format!("Justificatifs : {}", documents.join(", ")));
        }
        f.access_conditions = (!conditions.is_empty()).then(|| conditions.join("\n"));

        f.eligibility_zone = self.v0_zone();

        // Hours: the service's own `recurrence`, else its structure's `horaires_ouverture`
        // (embedded, or elsewhere in the document).
        f.hours = self.opt_str("recurrence").or_else(|| {
            let embedded = self
                .get("structure")
                .and_then(|s| s.get("horaires_ouverture"))
                .and_then(Value::as_str);
            embedded
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    let id =
                        StructureId::derive(source.as_deref()?, structure_source_id.as_deref()?);
                    structure_hours.get(&id).cloned().flatten()
                })
        });
        f
    }

    /// v0 `zone_diffusion_type/code` → v1 `zone_eligibilite`.
    fn v0_zone(&mut self) -> Vec<String> {
        let kind = self.opt_str("zone_diffusion_type");
        let code = self.opt_str("zone_diffusion_code");
        match (kind.as_deref(), code) {
            (None, _) => self.str_list("zone_eligibilite"),
            (Some("pays"), _) => vec!["france".to_owned()],
            (Some("region"), Some(code)) => match mapping::region_departements(&code) {
                Some(deps) => deps.iter().map(|d| (*d).to_owned()).collect(),
                None => {
                    self.note(format!(
                        "région « {code} » inconnue : zone de diffusion ignorée"
                    ));
                    Vec::new()
                }
            },
            (Some(_), Some(code)) if is_zone_code(&code) && code != "france" => vec![code],
            (Some(k), code) => {
                self.note(format!("zone de diffusion « {k} » / {code:?} non reprise"));
                Vec::new()
            }
        }
    }
}

/// A v1 `zone_eligibilite` code: commune (5), département (2–3), EPCI (9 digits), `france`.
fn is_zone_code(z: &str) -> bool {
    let word = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    z == "france"
        || ((z.len() == 5 || z.len() == 2 || z.len() == 3) && word(z))
        || (z.len() == 9 && z.bytes().all(|b| b.is_ascii_digit()))
}

fn unknown_value(v: &str, referential: &Referential) -> String {
    let allowed: Vec<&str> = referential
        .entries()
        .iter()
        .take(8)
        .map(|e| e.value.as_str())
        .collect();
    let more = if referential.entries().len() > 8 {
        ", …"
    } else {
        ""
    };
    format!(
        "valeur « {v} » inconnue du référentiel data·inclusion v1 « {} » (valeurs admises : {}{more})",
        referential.name,
        allowed.join(", ")
    )
}
