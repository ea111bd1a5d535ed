//! Allocation (a durable job) and settlement into payables and receivables.

use super::sourcing::accepted;
use super::sourcing_dto::{AllocationView, DocumentView, JobView, SettlementBody};
use super::ubl::{invoice, Parties};
use super::{context, path_id, require_idempotency_key};
use crate::envelope::{ok, render, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use groupbuy_domain::procurement::{
    require_read, require_write, DocumentId, IssuedDocument, Job, SettlementView,
};
use groupbuy_domain::DomainError;
use utoipa_actix_web::service_config::ServiceConfig;

/// Allocates supply to members as a durable job (organiser).
#[utoipa::path(operation_id = "allocation.create", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("Idempotency-Key" = String, Header, description = "Required: makes retries safe")), responses(
    (status = 202, description = "Job enqueued; Location: /groupbuy/jobs/{job_id}", body = Envelope<JobView>),
    (status = 400, description = "No Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope, no organisation, or not the organiser", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not SOURCING, no valid response, or the rules conflict with the facts", body = Problem, content_type = "application/problem+json"),
))]
#[post("/groupbuy/{id}/allocate")]
async fn allocate(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_write(&caller).map_err(DomainError::from)?;
    require_idempotency_key(&req)?;
    let id = path_id(&path.into_inner())?;
    let ctx = context(&caller, state.clock.now());
    let store = state.sourcing.clone();
    answer_with_effect(
        move |answer| store.enqueue_allocation(&caller, &id, &ctx, answer),
        |job: &Job| accepted(job, "Allocation job accepted"),
    )
    .await
}

/// The allocation, explained line by line: members see their lines, vendors theirs.
#[utoipa::path(operation_id = "allocation.get", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The allocation", body = Envelope<AllocationView>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No allocation, or not visible", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/allocation")]
async fn get_allocation(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let store = state.sourcing.clone();
    let view = blocking(move || store.allocation(&caller, &id)).await?;
    Ok(ok(
        "Allocation retrieved successfully",
        AllocationView::from(view),
    ))
}

/// Settles an ALLOCATED group buy into one payable per vendor and one receivable per
/// member, in one transaction (`groupbuy:write` and `finance:write`, organiser).
#[utoipa::path(operation_id = "settlement.create", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("Idempotency-Key" = String, Header, description = "Required: the same key replays the settlement")), responses(
    (status = 201, description = "Settled", body = Envelope<SettlementBody>),
    (status = 400, description = "No Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope groupbuy:write or finance:write, or not the organiser", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already settled, or not ALLOCATED", body = Problem, content_type = "application/problem+json"),
))]
#[post("/groupbuy/{id}/settle")]
async fn settle(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_write(&caller).map_err(DomainError::from)?;
    require_idempotency_key(&req)?;
    let id = path_id(&path.into_inner())?;
    let ctx = context(&caller, state.clock.now());
    let store = state.sourcing.clone();
    answer_with_effect(
        move |answer| store.settle(&caller, &id, &ctx, answer),
        |view: &SettlementView| {
            render(
                StatusCode::CREATED,
                "Group buy settled successfully",
                SettlementBody::from(view.clone()),
            )
        },
    )
    .await
}

/// The settlement: the organiser and platform admins see every document, a member its
/// receivable, a vendor its payable; a scope opens nothing more.
#[utoipa::path(operation_id = "settlement.get", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The settlement", body = Envelope<SettlementBody>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not settled, or not visible", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/settlement")]
async fn get_settlement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let store = state.sourcing.clone();
    let view = blocking(move || store.settlement(&caller, &id)).await?;
    Ok(ok(
        "Settlement retrieved successfully",
        SettlementBody::from(view),
    ))
}

/// One document; with `Accept: application/xml`, a UBL 2.1 Invoice (Peppol BIS 3.0).
#[utoipa::path(operation_id = "settlement.document", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("doc_id" = String, Path, description = "Document id (doc_...)", pattern = "^doc_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The document (JSON), or its UBL 2.1 invoice with Accept: application/xml", content(
        (Envelope<DocumentView> = "application/json"),
        (String = "application/xml"),
    )),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Document not found, or not visible", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/settlement/documents/{doc_id}")]
async fn get_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let (raw_id, raw_doc) = path.into_inner();
    let id = path_id(&raw_id)?;
    let doc_id = DocumentId::parse(&raw_doc).map_err(DomainError::from)?;
    let (organiser, issued) = document_of(&state, caller, id, doc_id).await?;
    let wants_xml = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/xml"));
    if wants_xml {
        return Ok(HttpResponse::Ok()
            .content_type(UBL_CONTENT_TYPE)
            .body(ubl_of(&issued, &organiser)?));
    }
    Ok(ok(
        "Document retrieved successfully",
        DocumentView::from(issued),
    ))
}

/// The content type of a document's UBL invoice.
pub const UBL_CONTENT_TYPE: &str = "application/xml; charset=utf-8";

/// One settlement document as `caller` may see it (the use case decides; anyone else
/// hears 404), with the organising organisation its invoice names: what the document
/// endpoint and the console's downloads both serve.
///
/// # Errors
/// The use case's refusal.
pub async fn document_of(
    state: &AppState,
    caller: groupbuy_domain::Principal,
    id: groupbuy_domain::procurement::GroupBuyId,
    doc_id: DocumentId,
) -> Result<(String, IssuedDocument), ApiError> {
    let (sourcing, pools) = (state.sourcing.clone(), state.procurement.clone());
    blocking(move || {
        let doc = sourcing.document(&caller, &id, &doc_id)?;
        Ok::<_, DomainError>((pools.organiser(&id)?, doc))
    })
    .await
}

/// The document's UBL 2.1 invoice, as the document endpoint sends it with
/// `Accept: application/xml`.
///
/// # Errors
/// 500 if the writer fails.
pub fn ubl_of(issued: &IssuedDocument, organiser: &str) -> Result<String, ApiError> {
    invoice(&issued.document, &Parties { organiser })
        .map_err(|e| ApiError::internal(format!("UBL rendering failed: {e}")))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(allocate)
        .service(get_allocation)
        .service(settle)
        .service(get_settlement)
        .service(get_document);
}
