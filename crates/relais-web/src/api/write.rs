//! Partners' own systems keep their services true through the API, with a token made in the
//! professional space or by `relais token create`: `Authorization: Bearer relais_…`.
//!
//! - `GET /api/v1/partner/services` (`services:read` or `services:write`): the partner's services.
//! - `PUT /api/v1/services/{id}` (`services:write`): replaces one of the partner's services.
//! - `POST /api/v1/services` (`services:write`): creates one.
//!
//! The body of a write is one data·inclusion v1 service object, read by the same importer as
//! files (same validation, every error with its field). The structure is the token's partner's:
//! its only one, or the one named by `structure_id` (the producer's id) among its own. A service
//! of another partner is answered 404 (its existence is not revealed), a read-only token 403.
//! A body that is not declared `Content-Type: application/json` is refused (415) before it is
//! read. Every answer here concerns one partner's credential: `Cache-Control: no-store`, so
//! that no shared cache keeps it.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Router, body::Bytes};
use serde_json::{Value, json};

use relais_auth::secret;
use relais_domain::access::{Action, Decision, Denial, TokenScope, decide_token};
use relais_domain::accounts::PartnerId;
use relais_domain::hours::{HoursErrorKind, OpeningHours};
use relais_domain::journal::NewEvent;
use relais_domain::{Service, ServiceHours, ServiceId, Structure};
use relais_store::{ApiToken, Scope};

use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// The routes of partners' writes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partner/services", get(list).post(create))
        .route("/api/v1/services/{id}", put(replace))
        .layer(axum::middleware::map_response(no_store))
}

/// Answers to a bearer token are the partner's own: never stored by a cache (RFC 9111 §5.2.2.5).
async fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235
/// §2.1), so `bearer` and `BEARER` are the same.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whether `Content-Type` names JSON (`application/json`, any parameters such as `charset`).
fn is_json(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The body of a write: declared JSON (415 otherwise, before anything is read), at most
/// [`crate::MAX_BODY_BYTES`] (413).
#[derive(Debug)]
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::UnsupportedMediaType(
                "le corps doit être du JSON : Content-Type: application/json".into(),
            ));
        }
        Bytes::from_request(req, state)
            .await
            .map(Self)
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(format!(
                    "corps trop grand : {} Kio au plus",
                    crate::MAX_BODY_BYTES / 1024
                )),
                _ => ApiError::BadRequest(vec![FieldError {
                    field: None,
                    detail: "corps illisible".into(),
                }]),
            })
    }
}

/// A request made with a valid, unrevoked API token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token: ApiToken,
    pub ip: Option<String>,
}

impl ApiCaller {
    fn event(&self, at: chrono::DateTime<chrono::Utc>, action: &str) -> NewEvent {
        NewEvent {
            at,
            actor: format!("token:{}", self.token.id),
            partner: Some(self.token.partner_id.to_string()),
            action: action.to_owned(),
            subject: None,
            ip: self.ip.clone(),
            details: json!({}),
        }
    }

    /// The one access policy's answer for this token: `action` on the resources of
    /// `partner` (their keeper). Another partner's: 404; a read-only token writing: 403.
    fn may(&self, action: Action, partner: Option<PartnerId>) -> Result<(), ApiError> {
        let scope = match self.token.scope {
            Scope::ServicesRead => TokenScope::ServicesRead,
            Scope::ServicesWrite => TokenScope::ServicesWrite,
        };
        let Some(partner) = partner else {
            return Err(not_found());
        };
        match decide_token(scope, self.token.partner_id, action, partner) {
            Decision::Allow => Ok(()),
            Decision::Deny(Denial::NotMember) => Err(not_found()),
            Decision::Deny(_) => Err(ApiError::Forbidden(
                "ce jeton est en lecture seule (services:read) ; il faut services:write".into(),
            )),
        }
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("aucun service de ce partenaire n'a cet id".into())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    /// A missing, malformed, unknown or revoked token is refused (401), never treated as
    /// anonymous.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::Unauthorized("jeton d'API requis (Authorization: Bearer …)".into())
            })?;
        let token = bearer_token(value)
            .filter(|t| t.starts_with("relais_"))
            .ok_or_else(|| ApiError::Unauthorized("en-tête Authorization mal formé".into()))?;
        let found = state
            .store
            .find_api_token(&secret::hash_secret(token))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        let Some(found) = found.filter(|t| t.revoked_at.is_none()) else {
            return Err(ApiError::Unauthorized("jeton inconnu ou révoqué".into()));
        };
        state
            .store
            .touch_api_token(found.id, state.now())
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        Ok(Self {
            token: found,
            ip: crate::pro::session::client_ip(parts, state.pro.behind_proxy),
        })
    }
}

/// `GET /api/v1/partner/services`: id, name, structure and last verification of each service
/// of the token's partner.
async fn list(State(state): State<AppState>, caller: ApiCaller) -> Result<Response, ApiError> {
    caller.may(Action::ViewSpace, Some(caller.token.partner_id))?;
    let structures = state
        .store
        .structures_of(caller.token.partner_id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let services = state
        .store
        .services_of(&structures)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let items: Vec<Value> = services
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "source_id": s.source_id,
                "name": s.name.as_str(),
                "structure_id": s.structure_id,
                "verified_at": s.verified_at,
                "updated_on": s.updated_on,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

/// The structure the body's service belongs to: the partner's only one, or the one it names.
async fn structure_for(
    state: &AppState,
    partner: PartnerId,
    body: &serde_json::Map<String, Value>,
) -> Result<Structure, ApiError> {
    let ids = state
        .store
        .structures_of(partner)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut own = Vec::new();
    for id in ids {
        if let Some(s) = state
            .store
            .get_structure(id)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
        {
            own.push(s);
        }
    }
    let named = body.get("structure_id").and_then(Value::as_str);
    match (named, own.len()) {
        (_, 0) => Err(ApiError::invalid(
            "structure_id",
            "ce partenaire n'a encore aucune structure dans l'annuaire",
        )),
        (None, 1) => Ok(own.remove(0)),
        (None, _) => Err(ApiError::invalid(
            "structure_id",
            "ce partenaire a plusieurs structures : indiquez laquelle (structure_id)",
        )),
        (Some(n), _) => own
            .into_iter()
            .find(|s| s.source_id == n || s.id.to_string() == n)
            .ok_or_else(|| {
                ApiError::invalid("structure_id", "cette structure n'est pas à ce partenaire")
            }),
    }
}

/// Reads one data·inclusion v1 service object with the importer's rules for a partner's own
/// record (a position outside the metropolis refused), for `structure`, as of `today`.
fn read_service(
    mut body: serde_json::Map<String, Value>,
    structure: &Structure,
    source_id: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<Service, ApiError> {
    body.insert("source".into(), Value::String(structure.source.clone()));
    body.insert(
        "structure_id".into(),
        Value::String(structure.source_id.clone()),
    );
    if let Some(id) = source_id {
        body.insert("id".into(), Value::String(id.to_owned()));
    }
    let doc = serde_json::to_vec(&Value::Array(vec![Value::Object(body)]))
        .map_err(|e| ApiError::Internal(e.into()))?;
    match relais_exchange::parse_own_document("body", &doc, today) {
        Ok(mut parsed) if parsed.services.len() == 1 => {
            let service = parsed.services.remove(0);
            refuse_unbounded_hours(&service)?;
            Ok(service)
        }
        Ok(_) => Err(ApiError::invalid(
            "date_suspension",
            "ce service est suspendu (date_suspension passée) : rien n'a été écrit",
        )),
        Err(errors) => Err(ApiError::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: Some(e.field),
                    detail: e.message,
                })
                .collect(),
        )),
    }
}

/// A partner writing its own service is told when its hours are too long or too costly to
/// evaluate (issue 9: stored hours must not make pages slow), where a third-party import keeps
/// them as text; free text that is simply not OSM syntax stays accepted as text, as in imports.
fn refuse_unbounded_hours(service: &Service) -> Result<(), ApiError> {
    let ServiceHours::Text(text) = &service.hours else {
        return Ok(());
    };
    match OpeningHours::parse_for_directory(text) {
        Err(e) if e.kind != HoursErrorKind::Syntax => {
            Err(ApiError::invalid("horaires_accueil", e.message))
        }
        _ => Ok(()),
    }
}

/// Today in Paris, by the state's clock (what `date_maj` and `date_suspension` are compared with).
fn today(state: &AppState) -> chrono::NaiveDate {
    state
        .now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

fn body_object(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(ApiError::BadRequest(vec![FieldError {
            field: None,
            detail: "un objet JSON (un service data·inclusion v1) est attendu".into(),
        }])),
        Err(e) => Err(ApiError::BadRequest(vec![FieldError {
            field: None,
            detail: format!("JSON invalide : {e}"),
        }])),
    }
}

async fn write(
    state: &AppState,
    caller: &ApiCaller,
    service: Service,
    action: &str,
) -> Result<(), ApiError> {
    let mut e = caller.event(state.now(), action);
    e.subject = Some(service.id.to_string());
    crate::pro::write_services(state, &[service], e)
        .await
        .map_err(ApiError::Internal)
}

fn written(status: StatusCode, id: ServiceId) -> Response {
    let href = format!("/api/v1/services/{id}");
    let mut res = (status, Json(json!({ "id": id, "href": href }))).into_response();
    if let Ok(v) = HeaderValue::from_str(&href) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// `PUT /api/v1/services/{id}`.
async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id: ServiceId = id.parse().map_err(|_| not_found())?;
    let stored = state
        .store
        .get_service(id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(not_found)?;
    let keeper = state
        .store
        .keeper_of(stored.structure_id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    caller.may(Action::EditDirectory, keeper)?;
    let mut obj = body_object(&body)?;
    if !obj.contains_key("structure_id") {
        obj.insert(
            "structure_id".into(),
            Value::String(stored.structure_id.to_string()),
        );
    }
    let structure = structure_for(&state, caller.token.partner_id, &obj).await?;
    let mut service = read_service(obj, &structure, Some(&stored.source_id), today(&state))?;
    if service.id != stored.id {
        // Another structure's source would give another id: a move between producers is
        // not an update.
        return Err(ApiError::invalid(
            "structure_id",
            "un service ne change pas de producteur ; créez-le avec POST",
        ));
    }
    service.verified_at = service.verified_at.or(stored.verified_at);
    if service == stored {
        return Ok(written(StatusCode::OK, id));
    }
    write(&state, &caller, service, "service.update").await?;
    Ok(written(StatusCode::OK, id))
}

/// `POST /api/v1/partner/services`: a new service (`id` is the partner's own id for it).
async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    caller.may(Action::EditDirectory, Some(caller.token.partner_id))?;
    let obj = body_object(&body)?;
    if obj
        .get("id")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(ApiError::invalid(
            "id",
            "l'identifiant du service chez vous (id) est requis",
        ));
    }
    let structure = structure_for(&state, caller.token.partner_id, &obj).await?;
    let service = read_service(obj, &structure, None, today(&state))?;
    let exists = state
        .store
        .get_service(service.id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .is_some();
    if exists {
        return Err(ApiError::Conflict(format!(
            "ce service existe déjà : PUT /api/v1/services/{}",
            service.id
        )));
    }
    let id = service.id;
    write(&state, &caller, service, "service.create").await?;
    Ok(written(StatusCode::CREATED, id))
}
