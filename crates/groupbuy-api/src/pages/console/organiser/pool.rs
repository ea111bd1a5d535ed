//! `GET /console/pools` (the pools the person may see, and the form to start one) and
//! `GET /console/pools/{id}` (one pool: its facts, commitments, the vendors' responses
//! compared, the allocation explained and the settlement documents, each read through
//! the use case of its API route, and the forms of the next steps).

use super::{cell, in_a_week, matrix, not_found, pool_id, principal, refused, run, table, when};
use crate::pages::console::{next_page, respond, shell, signed_in, ListCursor};
use crate::pages::find;
use crate::pages::text::console_org as t;
use crate::pages::viewer::{idempotency_field, Viewer};
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::money::Money;
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::procurement::{
    require_read, AwardView, Commitment, GroupBuyFilter, GroupBuyView, RfqView, SettlementView,
    Viewer as PoolViewer,
};
use groupbuy_domain::DomainError;
use maud::{html, Markup};

/// `GET /console/pools`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    query: web::Query<ListCursor>,
) -> HttpResponse {
    let viewer = match signed_in(&req, caller) {
        Ok(v) => v,
        Err(redirect) => return *redirect,
    };
    let p = principal(&viewer);
    let store = state.procurement.clone();
    let page = run(move || {
        require_read(&p).map_err(DomainError::from)?;
        store.list(
            &p,
            GroupBuyFilter::default(),
            query.into_inner().cursor,
            MAX_LIMIT,
        )
    })
    .await;
    let (pools, next) = match page {
        Ok(page) => (page.items, page.next_cursor),
        Err(e) => return refused(&viewer, &e),
    };
    let body = html! {
        @if pools.is_empty() {
            p { (t::NO_POOLS) }
        } @else {
            (table(
                Some(t::POOLS_CAPTION),
                &[t::TITLE, t::STATUS, t::ORGANISER, t::COMMITTED, t::TARGET, t::DEADLINE],
                &pools.iter().map(|v| {
                    let g = &v.group_buy;
                    vec![
                        html! { a href=(format!("/console/pools/{}", g.id)) { (g.title) } },
                        cell(crate::pages::text::status_word(g.status.as_str())),
                        cell(&g.org_id),
                        cell(v.stats.committed_quantity),
                        cell(g.target_quantity),
                        cell(when(g.deadline)),
                    ]
                }).collect::<Vec<_>>(),
            ))
        }
        (next_page("/console/pools", "cursor", next.as_deref(), None))
        (create_form(&viewer, &in_a_week(state.clock.now())))
    };
    respond(StatusCode::OK, shell(t::POOLS, &viewer, body))
}

/// The form to start a pool (the organiser's `POST /groupbuy`).
fn create_form(viewer: &Viewer, deadline: &str) -> Markup {
    html! {
        section aria-labelledby="create-pool" {
            h2 id="create-pool" { (t::CREATE_POOL) }
            form method="post" action="/console/pools" {
                (viewer.csrf_field())
                (idempotency_field())
                p { label for="pool-title" { (t::TITLE) } input id="pool-title" name="title" required; }
                p { label for="pool-sku" { (t::ITEM_SKU) } input id="pool-sku" name="sku" required; }
                p { label for="pool-item" { (t::ITEM_NAME) } input id="pool-item" name="item_name" required; }
                p { label for="pool-unit" { (t::ITEM_UNIT) } input id="pool-unit" name="unit" required; }
                p { label for="pool-target" { (t::TARGET) } input id="pool-target" name="target_quantity" type="number" min="1" required; }
                p { label for="pool-min" { (t::MIN_COMMITMENT) } input id="pool-min" name="min_commitment" type="number" min="1" required; }
                p { label for="pool-deadline" { (t::DEADLINE_UTC) } input id="pool-deadline" name="deadline" type="datetime-local" value=(deadline) required; }
                p { label for="pool-currency" { (t::CURRENCY) } input id="pool-currency" name="currency" value="USD" required; }
                button type="submit" { (t::CREATE) }
            }
        }
    }
}

/// Everything the pool page shows, each part as its use case answers the viewer.
struct Pool {
    view: GroupBuyView,
    commitments: Vec<Commitment>,
    rfq: Option<RfqView>,
    allocation: Option<AwardView>,
    settlement: Option<SettlementView>,
}

/// `GET /console/pools/{id}`.
pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
) -> HttpResponse {
    let viewer = match signed_in(&req, caller) {
        Ok(v) => v,
        Err(redirect) => return *redirect,
    };
    let Some(id) = pool_id(&path) else {
        return not_found(&viewer);
    };
    let p = principal(&viewer);
    if let Err(e) = require_read(&p) {
        return refused(&viewer, &DomainError::from(e).into());
    }
    let (pools, sourcing, now) = (
        state.procurement.clone(),
        state.sourcing.clone(),
        state.clock.now(),
    );
    let found = find(move || {
        let view = pools.get(&p, &id)?;
        let commitments = pools.commitments(&p, &id, None, MAX_LIMIT)?.items;
        Ok(Pool {
            view,
            commitments,
            rfq: absent(sourcing.rfq(&p, &id, now))?,
            allocation: absent(sourcing.allocation(&p, &id))?,
            settlement: absent(sourcing.settlement(&p, &id))?,
        })
    })
    .await;
    let pool = match found {
        Ok(Some(pool)) => pool,
        Ok(None) => return not_found(&viewer),
        Err(e) => return refused(&viewer, &e),
    };
    let title = pool.view.group_buy.title.clone();
    let due = in_a_week(state.clock.now());
    let pending = req.query_string().contains("pending=");
    let body = html! {
        @if pending { p class="notice" role="status" { (t::JOB_RUNNING) } }
        (page(&viewer, &pool, &due))
    };
    respond(StatusCode::OK, shell(&title, &viewer, body))
}

/// The pool page's body.
fn page(viewer: &Viewer, pool: &Pool, due: &str) -> Markup {
    let g = &pool.view.group_buy;
    let base = format!("/console/pools/{}", g.id);
    // The organiser's next steps are offered to whom the use cases would allow them.
    let organiser = PoolViewer::of(&principal(viewer), g, false).is_organiser_or_admin();
    html! {
        (facts(&pool.view))
        @if organiser && !g.status.is_final() {
            (super::actions::button_form(viewer, &format!("{base}/cancel"), t::CANCEL))
        }
        section aria-labelledby="commitments" {
            h2 id="commitments" { (t::COMMITMENTS) }
            (commitments(&pool.commitments))
            (super::actions::commit_form(viewer, &base))
            @if pool.view.my_commitment.is_some() {
                (super::actions::button_form(viewer, &format!("{base}/withdraw"), t::WITHDRAW))
            }
        }
        section aria-labelledby="responses" {
            h2 id="responses" { (t::RESPONSES) }
            @match &pool.rfq {
                Some(rfq) => (matrix::matrix(rfq, &pool.commitments, pool.allocation.as_ref())),
                None => {
                    p { (t::NO_RFQ) }
                    @if organiser { (super::actions::rfq_form(viewer, &base, due)) }
                }
            }
        }
        section aria-labelledby="allocation" {
            h2 id="allocation" { (t::ALLOCATION) }
            @match &pool.allocation {
                Some(a) => (allocation(a)),
                None => {
                    p { (t::NO_ALLOCATION) }
                    @if organiser && pool.rfq.is_some() {
                        (super::actions::button_form(viewer, &format!("{base}/allocate"), t::ALLOCATE))
                    }
                }
            }
        }
        section aria-labelledby="settlement" {
            h2 id="settlement" { (t::SETTLEMENT) }
            @match &pool.settlement {
                Some(s) => (settlement(&base, s)),
                None => {
                    p { (t::NOT_SETTLED) }
                    @if organiser && pool.allocation.is_some() {
                        (super::actions::button_form(viewer, &format!("{base}/settle"), t::SETTLE))
                    }
                }
            }
        }
    }
}

/// The pool's facts and progress.
fn facts(v: &GroupBuyView) -> Markup {
    let g = &v.group_buy;
    let pct = v.stats.progress_percentage.round().to_string();
    html! {
        @if let Some(d) = &g.description { p { (d) } }
        dl class="facts" {
            dt { (t::STATUS) } dd { (crate::pages::text::status_word(g.status.as_str())) }
            dt { (t::ORGANISER) } dd { (g.org_id) }
            dt { (t::COMMITTED) } dd { (v.stats.committed_quantity) }
            dt { (t::TARGET) } dd { (g.target_quantity) }
            dt { (t::MIN_COMMITMENT) } dd { (g.min_commitment) }
            dt { (t::DEADLINE) } dd { (when(g.deadline)) }
            dt { (t::CURRENCY) } dd { (g.currency.code()) }
        }
        p {
            label for="pool-progress" { (t::PROGRESS) }
            " "
            progress id="pool-progress" max="100" value=(pct.clone()) { (pct) "%" }
        }
        (table(
            Some(t::ITEMS),
            &[t::SKU, t::NAME, t::UNIT],
            &g.items.iter().map(|i| vec![cell(&i.sku), cell(&i.name), cell(&i.unit)]).collect::<Vec<_>>(),
        ))
    }
}

/// The commitments the use case shows (all for the organiser, a member its own).
fn commitments(list: &[Commitment]) -> Markup {
    html! {
        @if list.is_empty() {
            p { (t::NO_COMMITMENTS) }
        } @else {
            (table(
                None,
                &[t::MEMBER, t::QUANTITY, t::CEILING, t::STATUS, t::PO_REF],
                &list.iter().map(|c| vec![
                    cell(&c.member_id),
                    cell(c.quantity),
                    cell(c.price_ceiling.display_grouped()),
                    cell(crate::pages::text::status_word(c.status.as_str())),
                    cell(c.purchase_order_ref.as_deref().unwrap_or("")),
                ]).collect::<Vec<_>>(),
            ))
        }
    }
}

/// The allocation, each line with its rule and explanation, and who was left short.
fn allocation(a: &AwardView) -> Markup {
    let money = |minor: i64| Money::from_minor(minor, a.currency).display_grouped();
    html! {
        p { (t::method(a.method.as_str())) }
        (table(
            None,
            &[t::MEMBER, t::VENDOR, t::QUANTITY, t::UNIT_PRICE, t::AMOUNT, t::RULE, t::EXPLANATION],
            &a.results.iter().map(|l| vec![
                cell(&l.member_id),
                cell(&l.vendor_id),
                cell(l.quantity),
                cell(money(l.unit_price_minor)),
                cell(money(l.amount_minor)),
                cell(&l.rule),
                cell(&l.explanation),
            ]).collect::<Vec<_>>(),
        ))
        @if !a.unfilled.is_empty() {
            (table(
                Some(t::UNFILLED),
                &[t::MEMBER, t::QUANTITY, t::REASON],
                &a.unfilled.iter().map(|u| vec![cell(&u.member_id), cell(u.quantity), cell(&u.reason)]).collect::<Vec<_>>(),
            ))
        }
    }
}

/// The settlement's documents, each with its JSON and UBL downloads.
fn settlement(base: &str, s: &SettlementView) -> Markup {
    let rows: Vec<Vec<Markup>> = s
        .documents
        .iter()
        .map(|d| {
            let doc = &d.document;
            let href = format!("{base}/documents/{}", d.id);
            vec![
                cell(&doc.number),
                cell(t::kind(doc.kind.as_str())),
                cell(
                    doc.counterparty_name
                        .as_deref()
                        .unwrap_or(&doc.counterparty),
                ),
                cell(doc.due_date.to_string()),
                cell(Money::from_minor(doc.total_minor, doc.currency).display_grouped()),
                html! {
                    a href=(format!("{href}/json")) download { (t::JSON) }
                    " · "
                    a href=(format!("{href}/ubl")) download { (t::UBL) }
                },
            ]
        })
        .collect();
    table(
        None,
        &[
            t::NUMBER,
            t::KIND,
            t::COUNTERPARTY,
            t::DUE,
            t::TOTAL,
            t::DOWNLOAD,
        ],
        &rows,
    )
}

/// What a read found, `None` when it found nothing (no RFQ, allocation or settlement yet,
/// or none this person may see: the API's 404).
fn absent<T>(read: Result<T, DomainError>) -> Result<Option<T>, DomainError> {
    match read {
        Err(DomainError::NotFound(_)) => Ok(None),
        r => r.map(Some),
    }
}
