//! `GET /g/{groupCode}/qr.svg`: the group's share link (its canonical URL) as a QR code,
//! an SVG image the group page shows with `<img>` (same origin, so the CSP allows it).

use super::{find, not_found};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use groupbuy_domain::group_purchase::GroupStatus;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `url` as an SVG document; `None` if the URL is too long for a QR code.
pub fn encode(url: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// The SVG of the group's canonical URL; the HTML 404 for an unknown or deleted group.
pub async fn svg(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let store = state.group_purchases.clone();
    let lookup = code.clone();
    let found = find(move || store.group_by_code(&lookup)).await?;
    if found.is_none_or(|d| d.group.status == GroupStatus::Deleted) {
        return Ok(not_found());
    }
    let url = format!("{}/g/{code}", state.public_url);
    let Some(image) = encode(&url) else {
        return Ok(not_found());
    };
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .body(image))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_svg_document() {
        let svg = super::encode("https://example.com/g/ABC123").unwrap_or_default();
        assert!(svg.starts_with("<?xml"), "{svg}");
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    }
}
