//! Editing a DRAFT campaign from its console page: the form, pre-filled with the draft's
//! terms, and its handler, which runs the owner API's `PATCH` use case (`edit_draft`) with
//! every field as sent (an emptied optional field removes it). Once published, the form is
//! gone and a stale one is refused in the domain's words (`not-a-draft`).

use super::super::form::{done, number, optional, page as run, OrRefuse, Posted};
use super::CampaignForm;
use crate::envelope::rfc3339;
use crate::pages::text::console_merchant as t;
use crate::pages::viewer::Viewer;
use crate::platform::extract::instant;
use crate::platform::request::change;
use crate::routes::campaign::path_slug;
use crate::state::{blocking, AppState};
use actix_web::{web, HttpResponse};
use groupbuy_domain::campaign::{GroupBuy, GroupBuyEdit};
use groupbuy_domain::platform::Answer;
use maud::{html, Markup};

/// The edit form of a draft `g`, posting to `{here}/edit`.
pub fn form(viewer: &Viewer, g: &GroupBuy, here: &str) -> Markup {
    let some = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    html! {
        h2 { (t::EDIT_DRAFT) }
        form method="post" action={ (here) "/edit" } {
            (viewer.csrf_field())
            label for="edit_title" { (t::TITLE) }
            input id="edit_title" name="title" required maxlength="200" value=(g.title);
            label for="edit_description" { (t::DESCRIPTION) }
            textarea id="edit_description" name="description" { (g.description) }
            label for="edit_unit_price" { (t::UNIT_PRICE) }
            input id="edit_unit_price" name="unit_price" inputmode="decimal" required
                value=(g.unit_price.to_decimal());
            label for="edit_currency" { (t::CURRENCY) }
            input id="edit_currency" name="currency" maxlength="3" value=(g.unit_price.currency().code());
            label for="edit_min_participants" { (t::MIN_PARTICIPANTS) }
            input id="edit_min_participants" name="min_participants" type="number" min="1"
                value=(some(g.thresholds.min_participants()));
            label for="edit_min_quantity" { (t::MIN_QUANTITY) }
            input id="edit_min_quantity" name="min_quantity" type="number" min="1"
                value=(some(g.thresholds.min_quantity()));
            label for="edit_max_quantity" { (t::MAX_QUANTITY) }
            input id="edit_max_quantity" name="max_quantity" type="number" min="1"
                value=(some(g.max_quantity));
            label for="edit_closes_at" { (t::CLOSES_AT) }
            input id="edit_closes_at" name="closes_at" required value=(rfc3339(g.closes_at));
            button type="submit" { (t::SAVE) }
        }
    }
}

/// `POST /console/campaigns/{handle}/{slug}/edit`: the draft's terms as the form holds
/// them (the new-campaign form's fields; its slug, key and pre-order window are not sent
/// and would be ignored). Sending it twice sets the same terms twice: no key is needed.
pub async fn edit(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    sent: Posted<CampaignForm>,
) -> HttpResponse {
    run(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let who = auth.merchant_writer().cloned().or_refuse(&viewer)?;
        let (h, s) = path.into_inner();
        let (handle, slug) = path_slug(&h, &s).or_refuse(&viewer)?;
        let edit = (|| {
            Ok::<_, crate::error::ApiError>(GroupBuyEdit {
                title: Some(f.title.clone()),
                description: Some(f.description.trim().to_owned()),
                unit_price: Some(number(t::UNIT_PRICE, &f.unit_price)?),
                currency: Some(f.currency.trim().to_owned()).filter(|c| !c.is_empty()),
                min_participants: Some(optional(t::MIN_PARTICIPANTS, &f.min_participants)?),
                min_quantity: Some(optional(t::MIN_QUANTITY, &f.min_quantity)?),
                max_quantity: Some(optional(t::MAX_QUANTITY, &f.max_quantity)?),
                closes_at: Some(instant(f.closes_at.trim(), "closesAt")?),
            })
        })()
        .or_refuse(&viewer)?;
        let ctx = change(format!("user:{}", who.user_id), state.clock.now());
        let store = state.campaigns.clone();
        let g =
            blocking(move || store.edit_draft(&who, &handle, &slug, edit, &ctx, Answer::none()))
                .await
                .or_refuse(&viewer)?;
        let here = format!(
            "/console/campaigns/{}/{}",
            g.handle.as_str(),
            g.slug.as_str()
        );
        Ok(done(&here, "campaign-edited"))
    })
    .await
}
