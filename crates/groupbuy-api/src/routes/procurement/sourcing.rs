//! Sourcing: opening the RFQ (a durable job), reading it, vendors' responses, and jobs.

use super::sourcing_dto::{JobView, OpenRfqBody, ResponseBody, RfqBody, VendorResponseView};
use super::{context, if_match, path_id, require_idempotency_key};
use crate::envelope::{ok, render, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::instant;
use crate::platform::extract::JsonBody;
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::procurement::{
    acting_org, require_read, require_scope, InvitedVendor, Job, JobId, ResponseFields,
    ResponseOutcome, RfqDraft, SCOPE_PROCUREMENT_WRITE,
};
use groupbuy_domain::DomainError;
use utoipa_actix_web::service_config::ServiceConfig;

/// 202 with the job, `Location: /groupbuy/jobs/{id}` and `Retry-After: 1`, when polling
/// it is worth it (a worker claims a job within a second).
pub(super) fn accepted(job: &Job, message: &str) -> StoredResponse {
    render(StatusCode::ACCEPTED, message, JobView::from(job.clone()))
        .with_header("location", job.location())
        .with_header("retry-after", "1")
}

/// Opens the RFQ to vendors as a durable job (organiser, `procurement:write`).
#[utoipa::path(operation_id = "rfq.open", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("Idempotency-Key" = String, Header, description = "Required: makes retries safe"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read; a stale one is 412")),
    request_body = OpenRfqBody, responses(
    (status = 202, description = "Job enqueued; Location: /groupbuy/jobs/{job_id}", body = Envelope<JobView>),
    (status = 400, description = "Malformed body or no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope procurement:write, no organisation, or not the organiser", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not OPEN, no commitments, target not reached, or a job pending", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid vendors or due_date", body = Problem, content_type = "application/problem+json"),
))]
#[post("/groupbuy/{id}/rfq")]
async fn open(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<OpenRfqBody>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_scope(&caller, SCOPE_PROCUREMENT_WRITE).map_err(DomainError::from)?;
    acting_org(&caller).map_err(DomainError::from)?;
    require_idempotency_key(&req)?;
    let id = path_id(&path.into_inner())?;
    let now = state.clock.now();
    let b = body.0;
    let vendors = b
        .vendors
        .into_iter()
        .map(|v| InvitedVendor {
            vendor_id: v.vendor_id,
            name: v.name,
            contact: v.contact,
        })
        .collect();
    let draft = RfqDraft::parse(vendors, instant(&b.due_date, "due_date")?, now)?;
    let ctx = context(&caller, now);
    let expected = if_match(&req);
    let store = state.sourcing.clone();
    answer_with_effect(
        move |answer| store.enqueue_rfq(&caller, &id, draft, expected, &ctx, answer),
        |job: &Job| accepted(job, "RFQ job accepted"),
    )
    .await
}

/// The RFQ as the caller may see it: the organiser every vendor and response (prices
/// hidden under sealed bids until the due date), an invited vendor only its own.
#[utoipa::path(operation_id = "rfq.get", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The RFQ", body = Envelope<RfqBody>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No RFQ, or not visible", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/rfq")]
async fn get_rfq(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let (store, now) = (state.sourcing.clone(), state.clock.now());
    let view = blocking(move || store.rfq(&caller, &id, now)).await?;
    Ok(ok("RFQ retrieved successfully", RfqBody::from(view)))
}

/// An invited vendor quotes (201) or revises its quote (200; earlier versions are kept).
#[utoipa::path(operation_id = "rfq.respond", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")),
    request_body = ResponseBody, responses(
    (status = 200, description = "Revised", body = Envelope<VendorResponseView>),
    (status = 201, description = "First response", body = Envelope<VendorResponseView>),
    crate::openapi::responses::MalformedBody,
    (status = 403, description = "Missing scope groupbuy:write or not a vendor", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not invited (or no RFQ)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Past the due date, or already allocated", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/groupbuy/{id}/rfq/responses")]
async fn respond(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<ResponseBody>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_scope(&caller, groupbuy_domain::procurement::SCOPE_WRITE).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let b = body.0;
    let fields = ResponseFields {
        unit_price: b.unit_price,
        available_quantity: b.available_quantity,
        valid_until: instant(&b.valid_until, "valid_until")?,
        lead_time_days: b.lead_time_days,
        notes: b.notes,
        vat: b.vat.map(super::party_dto::VatBody::fields),
    };
    let ctx = super::context(&caller, state.clock.now());
    let store = state.sourcing.clone();
    answer_with_effect(
        move |answer| store.submit_response(&caller, &id, fields, &ctx, answer),
        |outcome: &ResponseOutcome| {
            let (status, message) = if outcome.created {
                (StatusCode::CREATED, "Response submitted successfully")
            } else {
                (StatusCode::OK, "Response revised successfully")
            };
            render(
                status,
                message,
                VendorResponseView::from(outcome.response.clone()),
            )
        },
    )
    .await
}

/// A job of the caller's organisation.
#[utoipa::path(operation_id = "jobs.get", tag = "procurement", security(("bearer" = [])),
    params(("job_id" = String, Path, description = "Job id (job_...)", pattern = "^job_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The job", body = Envelope<JobView>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Job not found (or another organisation's)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/jobs/{job_id}")]
async fn get_job(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let job_id = JobId::parse(&path.into_inner()).map_err(DomainError::from)?;
    let store = state.sourcing.clone();
    let job = blocking(move || store.job(&caller, &job_id)).await?;
    Ok(ok("Job retrieved successfully", JobView::from(job)))
}

/// Registers the routes (the job route before `/groupbuy/{id}` ones cannot clash: it has
/// one more segment).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(open)
        .service(get_rfq)
        .service(respond)
        .service(get_job);
}
