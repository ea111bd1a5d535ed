//! Parties (issue 22): `GET/PUT /groupbuy/organisations/{org_id}` and
//! `GET/PUT /groupbuy/vendors/{vendor_id}`. The party itself and platform admins read and
//! change everything (with `ETag` / `If-Match`, as pools); a counterparty sharing a pool
//! reads the legal name and country; anyone else gets 404.

use super::party_dto::{PartyBody, PartyView};
use super::{context, etag_header, if_match};
use crate::envelope::{render, send, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::JsonBody;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use groupbuy_domain::procurement::party::{PartyProfile, PartyReading, PartyRef};
use groupbuy_domain::procurement::{require_read, require_scope, SCOPE_WRITE};
use groupbuy_domain::DomainError;
use utoipa_actix_web::service_config::ServiceConfig;

async fn read(
    state: web::Data<AppState>,
    auth: Auth,
    party: PartyRef,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let store = state.parties.clone();
    let reading = blocking(move || store.party(&caller, &party)).await?;
    let answer = match reading {
        PartyReading::Whole(record) => {
            let (name, value) = etag_header(record.version);
            render(
                StatusCode::OK,
                "Party retrieved successfully",
                PartyView::from(record),
            )
            .with_header(name, value)
        }
        PartyReading::Counterparty(view) => render(
            StatusCode::OK,
            "Party retrieved successfully",
            PartyView::from(view),
        ),
    };
    Ok(send(answer))
}

async fn write(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    party: PartyRef,
    body: PartyBody,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    // Vendors and admins act without an organisation: the scope, then the domain decides.
    require_scope(&caller, SCOPE_WRITE).map_err(DomainError::from)?;
    let profile = PartyProfile::parse(body.into())?;
    let ctx = context(&caller, state.clock.now());
    let expected = if_match(&req);
    let store = state.parties.clone();
    let record =
        blocking(move || store.put_party(&caller, &party, profile, expected, &ctx)).await?;
    let (name, value) = etag_header(record.version);
    Ok(send(
        render(
            StatusCode::OK,
            "Party updated successfully",
            PartyView::from(record),
        )
        .with_header(name, value),
    ))
}

/// An organisation's legal data: whole for itself and platform admins (ETag header), legal
/// name and country for a counterparty sharing a pool.
#[utoipa::path(operation_id = "parties.getOrganisation", tag = "procurement", security(("bearer" = [])),
    params(("org_id" = String, Path, description = "Organisation id")), responses(
    (status = 200, description = "The party; ETag header for the party itself and admins", body = Envelope<PartyView>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Party not found (or sharing no pool)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/organisations/{org_id}")]
async fn get_organisation(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    read(state, auth, PartyRef::organisation(path.into_inner())).await
}

/// Replaces an organisation's legal data (the organisation with `groupbuy:write`, or a
/// platform admin); audited, versioned.
#[utoipa::path(operation_id = "parties.putOrganisation", tag = "procurement", security(("bearer" = [])),
    params(("org_id" = String, Path, description = "Organisation id"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read; a stale one is 412")),
    request_body = PartyBody, responses(
    (status = 200, description = "Updated; ETag header", body = Envelope<PartyView>),
    crate::openapi::responses::MalformedBody,
    (status = 403, description = "Missing scope, or not this organisation", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Changed concurrently", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[put("/groupbuy/organisations/{org_id}")]
async fn put_organisation(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<PartyBody>,
) -> Result<HttpResponse, ApiError> {
    write(
        state,
        req,
        auth,
        PartyRef::organisation(path.into_inner()),
        body.0,
    )
    .await
}

/// A vendor's legal data: whole for itself and platform admins (ETag header), legal name
/// and country for an organisation sharing a pool; vendors never read each other.
#[utoipa::path(operation_id = "parties.getVendor", tag = "procurement", security(("bearer" = [])),
    params(("vendor_id" = String, Path, description = "Vendor id (the `sub` of its tokens)")), responses(
    (status = 200, description = "The party; ETag header for the vendor itself and admins", body = Envelope<PartyView>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Party not found (or sharing no pool)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/vendors/{vendor_id}")]
async fn get_vendor(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    read(state, auth, PartyRef::vendor(path.into_inner())).await
}

/// Replaces a vendor's legal data (the vendor with `groupbuy:write`, or a platform admin);
/// audited, versioned.
#[utoipa::path(operation_id = "parties.putVendor", tag = "procurement", security(("bearer" = [])),
    params(("vendor_id" = String, Path, description = "Vendor id"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read; a stale one is 412")),
    request_body = PartyBody, responses(
    (status = 200, description = "Updated; ETag header", body = Envelope<PartyView>),
    crate::openapi::responses::MalformedBody,
    (status = 403, description = "Missing scope, or not this vendor", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Changed concurrently", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[put("/groupbuy/vendors/{vendor_id}")]
async fn put_vendor(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<PartyBody>,
) -> Result<HttpResponse, ApiError> {
    write(
        state,
        req,
        auth,
        PartyRef::vendor(path.into_inner()),
        body.0,
    )
    .await
}

/// Registers the routes (before `/groupbuy/{id}/...`, whose patterns would otherwise take
/// an organisation named like one of their segments).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_organisation)
        .service(put_organisation)
        .service(get_vendor)
        .service(put_vendor);
}
