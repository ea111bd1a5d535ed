//! The ledger's event, `payout.recorded`, to the shop's owner: snake_case, money as JSON
//! numbers with the currency's decimals, times RFC 3339 UTC.

use super::payout::Payout;
use crate::platform::{rfc3339, Audience, DomainEvent, EventType};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// The subject of events about a shop's ledger: `shop:<id>`.
pub fn shop_subject(shop_id: Uuid) -> String {
    format!("shop:{shop_id}")
}

/// `data` of `payout.recorded`.
#[derive(Debug, Serialize)]
struct Recorded<'a> {
    payout_id: Uuid,
    shop_id: Uuid,
    amount: Decimal,
    currency: &'a str,
    reference: &'a str,
    balance_after: Decimal,
    at: String,
}

/// `payout.recorded` for `payout`.
pub(super) fn payout_recorded(payout: &Payout, to: &Audience, now: OffsetDateTime) -> DomainEvent {
    let e = &payout.entry;
    let data = Recorded {
        payout_id: e.id,
        shop_id: payout.shop_id,
        amount: e.amount.negated().to_decimal(),
        currency: e.amount.currency().code(),
        reference: &e.reference,
        balance_after: e.balance_after.to_decimal(),
        at: rfc3339(now),
    };
    DomainEvent::new(
        EventType::PayoutRecorded,
        shop_subject(payout.shop_id),
        to.clone(),
        &data,
    )
}
