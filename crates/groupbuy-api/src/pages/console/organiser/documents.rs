//! `GET /console/pools/{id}/documents/{doc}/{json|ubl}`: a settlement document for the
//! signed-in person, as the API's document endpoint serves it to a bearer token with the
//! same claims (the same use case, [`document_of`]): the JSON document (the `data` of
//! the API's answer) or the UBL 2.1 invoice, byte for byte, as a download.

use super::{not_found, pool_id, principal, refused};
use crate::error::ApiError;
use crate::pages::console::signed_in;
use crate::routes::procurement::sourcing_dto::DocumentView;
use crate::routes::procurement::{document_of, ubl_of, UBL_CONTENT_TYPE};
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::procurement::{require_read, DocumentId};
use groupbuy_domain::DomainError;

/// `GET /console/pools/{id}/documents/{doc}/{format}`.
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let viewer = match signed_in(&req, caller) {
        Ok(v) => v,
        Err(redirect) => return *redirect,
    };
    let (raw_id, raw_doc, format) = path.into_inner();
    let (Some(id), Ok(doc_id)) = (pool_id(&raw_id), DocumentId::parse(&raw_doc)) else {
        return not_found(&viewer);
    };
    if format != "json" && format != "ubl" {
        return not_found(&viewer);
    }
    let p = principal(&viewer);
    let served = async {
        require_read(&p).map_err(DomainError::from)?;
        let (organiser, issued) = document_of(&state, p, id, doc_id).await?;
        // The file is named by the document's id: its number is data, never a path.
        let name = issued.id.to_string();
        if format == "ubl" {
            let xml = ubl_of(&issued, &organiser)?;
            return Ok((UBL_CONTENT_TYPE, format!("{name}.xml"), xml));
        }
        let json = serde_json::to_string_pretty(&DocumentView::from(issued))
            .map_err(ApiError::internal)?;
        Ok::<_, ApiError>(("application/json", format!("{name}.json"), json))
    };
    match served.await {
        Ok((content_type, file, body)) => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{file}\""),
            ))
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(body),
        Err(e) => refused(&viewer, &e),
    }
}
