//! The participants of a group as the `group_participants_json` view spells them (one
//! JSON array per group, built by the database), back into the rows the read models
//! are made of.

use super::rows::{ParticipantRow, PurchaseRow, TransferRow};
use crate::error::StoreError;
use groupbuy_domain::group_purchase::{
    Participant, ParticipantDetail, PurchaseRecord, TransferRecord,
};
use serde::{Deserialize, Deserializer};
use time::macros::format_description;
use time::PrimitiveDateTime;

/// One participant with its purchases and transfers.
#[derive(Deserialize)]
struct ParticipantJson {
    id: String,
    group_id: String,
    user_id: String,
    user_name: String,
    user_picture: Option<String>,
    quantity: i32,
    total_paid_minor: i64,
    status: String,
    #[serde(deserialize_with = "db_time")]
    joined_at: PrimitiveDateTime,
    purchase_count: i32,
    has_transferred: bool,
    checkout_session_id: Option<String>,
    #[serde(deserialize_with = "db_time")]
    updated_at: PrimitiveDateTime,
    purchases: Vec<PurchaseJson>,
    transfers: Vec<TransferJson>,
}

#[derive(Deserialize)]
struct PurchaseJson {
    id: String,
    participant_id: String,
    checkout_session_id: String,
    quantity: i32,
    amount_minor: i64,
    currency: String,
    transaction_id: String,
    #[serde(deserialize_with = "db_time")]
    purchased_at: PrimitiveDateTime,
}

#[derive(Deserialize)]
struct TransferJson {
    id: String,
    user_id: String,
    from_group_id: String,
    to_group_id: String,
    from_participant_id: String,
    to_participant_id: String,
    quantity: i32,
    amount_minor: i64,
    currency: String,
    reason: String,
    #[serde(deserialize_with = "db_time")]
    transferred_at: PrimitiveDateTime,
    from_code: Option<String>,
    to_code: Option<String>,
}

/// A timestamp as either database writes it into JSON: `2026-11-24T00:50:11.123456`
/// (PostgreSQL) or `2026-11-24 00:50:11.123456` (SQLite's stored text).
/// Read in place, without copying the text or rewriting its separator: a group's detail
/// reads about 30 of them.
pub(super) fn db_time<'de, D: Deserializer<'de>>(d: D) -> Result<PrimitiveDateTime, D::Error> {
    struct DbTime;
    impl serde::de::Visitor<'_> for DbTime {
        type Value = PrimitiveDateTime;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a database timestamp")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            let format = if text.as_bytes().get(10) == Some(&b'T') {
                format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
                )
            } else {
                format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
                )
            };
            PrimitiveDateTime::parse(text, format).map_err(E::custom)
        }
    }
    d.deserialize_str(DbTime)
}

/// [`db_time`] of a column that may be NULL.
pub(super) fn db_time_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<PrimitiveDateTime>, D::Error> {
    #[derive(Deserialize)]
    struct Time(#[serde(deserialize_with = "db_time")] PrimitiveDateTime);
    Ok(Option::<Time>::deserialize(d)?.map(|t| t.0))
}

/// The participants (in the view's order) of a group whose prices are in `currency`.
pub(crate) fn participants(
    json: &str,
    currency: &str,
) -> Result<Vec<ParticipantDetail>, StoreError> {
    let parsed: Vec<ParticipantJson> = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("group participants JSON: {e}")))?;
    parsed
        .into_iter()
        .map(|p| p.into_detail(currency))
        .collect()
}

/// A participation with its purchases and transfers as `participant_histories_json`
/// spells them.
pub(crate) fn with_histories(
    participant: Participant,
    purchases: &str,
    transfers: &str,
) -> Result<ParticipantDetail, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("histories JSON: {e}"));
    let purchases: Vec<PurchaseJson> = serde_json::from_str(purchases).map_err(corrupt)?;
    let transfers: Vec<TransferJson> = serde_json::from_str(transfers).map_err(corrupt)?;
    Ok(ParticipantDetail {
        participant,
        purchases: purchase_records(purchases)?,
        transfers: transfer_records(transfers)?,
    })
}

fn purchase_records(rows: Vec<PurchaseJson>) -> Result<Vec<PurchaseRecord>, StoreError> {
    rows.into_iter()
        .map(|r| {
            PurchaseRow {
                id: r.id,
                participant_id: r.participant_id,
                checkout_session_id: r.checkout_session_id,
                quantity: r.quantity,
                amount_minor: r.amount_minor,
                currency: r.currency,
                transaction_id: r.transaction_id,
                purchased_at: r.purchased_at,
            }
            .into_domain()
        })
        .collect()
}

fn transfer_records(rows: Vec<TransferJson>) -> Result<Vec<TransferRecord>, StoreError> {
    rows.into_iter()
        .map(|t| {
            let (from, to) = (
                t.from_code.unwrap_or_default(),
                t.to_code.unwrap_or_default(),
            );
            TransferRow {
                id: t.id,
                user_id: t.user_id,
                from_group_id: t.from_group_id,
                to_group_id: t.to_group_id,
                from_participant_id: t.from_participant_id,
                to_participant_id: t.to_participant_id,
                quantity: t.quantity,
                amount_minor: t.amount_minor,
                currency: t.currency,
                reason: t.reason,
                transferred_at: t.transferred_at,
            }
            .into_domain(from, to)
        })
        .collect()
}

impl ParticipantJson {
    fn into_detail(self, currency: &str) -> Result<ParticipantDetail, StoreError> {
        let participant = ParticipantRow {
            id: self.id,
            group_id: self.group_id,
            user_id: self.user_id,
            user_name: self.user_name,
            user_picture: self.user_picture,
            quantity: self.quantity,
            total_paid_minor: self.total_paid_minor,
            status: self.status,
            joined_at: self.joined_at,
            purchase_count: self.purchase_count,
            has_transferred: self.has_transferred,
            checkout_session_id: self.checkout_session_id,
            updated_at: self.updated_at,
        }
        .into_domain(currency)?;
        Ok(ParticipantDetail {
            participant,
            purchases: purchase_records(self.purchases)?,
            transfers: transfer_records(self.transfers)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::participants;

    #[test]
    fn both_databases_timestamps_and_an_empty_group_parse() {
        assert!(participants("[]", "TZS").expect("empty").is_empty());
        let one = |at: &str| {
            format!(
                r#"[{{"id":"7d3f7a52-8a9c-4a39-9a57-0f1d2f3a4b5c","group_id":"1d3f7a52-8a9c-4a39-9a57-0f1d2f3a4b5c",
                "user_id":"u","user_name":"U","user_picture":null,"quantity":2,"total_paid_minor":16000000,
                "status":"ACTIVE","joined_at":"{at}","purchase_count":1,"has_transferred":false,
                "checkout_session_id":null,"updated_at":"{at}","purchases":[],"transfers":[]}}]"#
            )
        };
        for at in [
            "2026-11-24T00:50:11.123456",
            "2026-11-24 00:50:11.123456",
            "2026-11-24 00:50:11",
        ] {
            let parsed = participants(&one(at), "TZS").expect("parses");
            assert_eq!(parsed[0].participant.quantity, 2);
            assert_eq!(parsed[0].participant.joined_at.date().day(), 24);
        }
        assert!(
            participants("[{}]", "TZS").is_err(),
            "a broken row is corrupt, not empty"
        );
    }
}
