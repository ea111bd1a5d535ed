//! The RFQ's responses side by side: one row per invited vendor (its latest response as
//! the RFQ use case shows it: prices sealed until the due date when the rules say so),
//! with its price, quantity, lead time and validity, one column per committed member
//! saying whether the price is within that member's ceiling (the allocation's own rule,
//! [`within_ceiling`]), and the units the allocation took from it.

use super::when;
use crate::pages::text::console_org as t;
use groupbuy_domain::procurement::allocation::within_ceiling;
use groupbuy_domain::procurement::{AwardView, Commitment, ResponseView, RfqView};
use maud::{html, Markup};

/// One row: a vendor, its name, and its response if it answered.
struct Row<'a> {
    vendor_id: &'a str,
    name: Option<&'a str>,
    response: Option<&'a ResponseView>,
}

/// The rows: every invited vendor in the RFQ's order, then any responding vendor the
/// viewer sees without the invitation list.
fn rows(rfq: &RfqView) -> Vec<Row<'_>> {
    let response = |id: &str| rfq.responses.iter().find(|r| r.vendor_id == id);
    let mut rows: Vec<Row<'_>> = rfq
        .vendors
        .iter()
        .flatten()
        .map(|v| Row {
            vendor_id: &v.vendor_id,
            name: Some(&v.name),
            response: response(&v.vendor_id),
        })
        .collect();
    for r in &rfq.responses {
        if !rows.iter().any(|row| row.vendor_id == r.vendor_id) {
            rows.push(Row {
                vendor_id: &r.vendor_id,
                name: None,
                response: Some(r),
            });
        }
    }
    rows
}

/// The comparison matrix of `rfq` against the ACTIVE `commitments`, with the units
/// `allocation` (when there is one) takes from each vendor.
pub fn matrix(rfq: &RfqView, commitments: &[Commitment], allocation: Option<&AwardView>) -> Markup {
    let members: Vec<&Commitment> = commitments.iter().filter(|c| c.is_active()).collect();
    let rows = rows(rfq);
    let allocated = |vendor: &str| -> i64 {
        allocation
            .map(|a| {
                a.results
                    .iter()
                    .filter(|l| l.vendor_id == vendor)
                    .map(|l| l.quantity)
                    .sum()
            })
            .unwrap_or_default()
    };
    html! {
        p { (t::rfq_due(&when(rfq.due_date))) " · " (crate::pages::text::status_word(rfq.status.as_str())) }
        @if rows.is_empty() {
            p { (t::NO_RESPONSES) }
        } @else {
            div class="table-scroll" role="region" aria-label=(t::RESPONSES) tabindex="0" {
                table class="matrix" {
                    caption { (t::MATRIX_CAPTION) }
                    thead { tr {
                        th scope="col" { (t::VENDOR) }
                        th scope="col" { (t::UNIT_PRICE) }
                        th scope="col" { (t::AVAILABLE) }
                        th scope="col" { (t::LEAD_TIME) }
                        th scope="col" { (t::VALID_UNTIL) }
                        @for c in &members {
                            th scope="col" { (t::member_ceiling(&c.member_id, &c.price_ceiling.display_grouped())) }
                        }
                        @if allocation.is_some() { th scope="col" { (t::ALLOCATED) } }
                    } }
                    tbody {
                        @for row in &rows {
                            tr {
                                th scope="row" {
                                    @if let Some(name) = row.name { (name) " " }
                                    span class="muted" { "(" (row.vendor_id) ")" }
                                }
                                @match row.response {
                                    None => {
                                        td colspan=(4 + members.len()) { (t::NO_RESPONSE) }
                                    }
                                    Some(r) => {
                                        td { @match r.unit_price {
                                            Some(p) => (p.display_grouped()),
                                            None => (t::SEALED),
                                        } }
                                        td { (r.available_quantity) }
                                        td { (r.lead_time_days.map(|d| d.to_string()).unwrap_or_default()) }
                                        td {
                                            (when(r.valid_until))
                                            @if !r.valid { " (" (t::EXPIRED) ")" }
                                        }
                                        @for c in &members {
                                            td { @match r.unit_price {
                                                Some(p) if within_ceiling(p.minor(), c.price_ceiling.minor()) => (t::WITHIN),
                                                Some(_) => (t::ABOVE),
                                                None => "–",
                                            } }
                                        }
                                    }
                                }
                                @if allocation.is_some() { td { (allocated(row.vendor_id)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
