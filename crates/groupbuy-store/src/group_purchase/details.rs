//! Assembly of the read models: each list or detail one query for any number of
//! groups and participants (no query per group or per participant).

use super::json_rows;
use super::rows::{GroupRow, PurchaseRow, TransferRow};
use crate::catalog::product_not_found;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{
    group_instances as gi, group_participants_json, products, purchase_records as pr,
    seat_transfers as st, shops,
};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{
    GroupDetail, Participant, ParticipantDetail, PurchaseRecord, TransferRecord,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A group row with the product and shop columns its views show; `None` names mean the
/// product or shop row is missing (left joins, so the old error messages survive).
#[derive(Queryable, Selectable)]
#[diesel(table_name = gi)]
pub(crate) struct NamedGroupRow {
    #[diesel(embed)]
    group: GroupRow,
    #[diesel(select_expression = products::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<products::name>)]
    product_name: Option<String>,
    #[diesel(select_expression = products::image.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<products::image>)]
    product_image: Option<String>,
    #[diesel(select_expression = shops::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<shops::name>)]
    shop_name: Option<String>,
    #[diesel(select_expression = shops::logo.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<shops::logo>)]
    shop_logo: Option<String>,
    /// Its participants with their histories, as the database aggregated them.
    #[diesel(select_expression = group_participants_json::participants)]
    #[diesel(select_expression_type = group_participants_json::participants)]
    participants: String,
}

/// `group_instances` left-joined to its product and shop, joined to its participants'
/// JSON, ready for filters and `NamedGroupRow::as_select()`: a detail in one query.
macro_rules! named_groups {
    () => {
        $crate::schema::group_instances::table
            .inner_join(
                $crate::schema::group_participants_json::table
                    .on($crate::schema::group_participants_json::group_id
                        .eq($crate::schema::group_instances::id)),
            )
            .left_join(
                $crate::schema::products::table
                    .on($crate::schema::products::id
                        .eq($crate::schema::group_instances::product_id)),
            )
            .left_join(
                $crate::schema::shops::table
                    .on($crate::schema::shops::id.eq($crate::schema::group_instances::shop_id)),
            )
    };
}
pub(crate) use named_groups;

impl NamedGroupRow {
    /// The group's detail; a missing product is `Product not found`, a missing shop corrupt.
    fn into_detail(self) -> Result<GroupDetail, StoreError> {
        let product_name = self.product_name.ok_or_else(product_not_found)?;
        let shop_name = self
            .shop_name
            .ok_or_else(|| StoreError::Corrupt("group without shop".into()))?;
        let participants = json_rows::participants(&self.participants, &self.group.currency)?;
        Ok(GroupDetail {
            participants,
            group: self.group.into_domain()?,
            product_name,
            product_image: self.product_image,
            shop_name,
            shop_logo: self.shop_logo,
        })
    }
}

/// Details of the given groups, in their order: no further query.
pub(crate) fn assemble(rows: Vec<NamedGroupRow>) -> Result<Vec<GroupDetail>, StoreError> {
    rows.into_iter().map(NamedGroupRow::into_detail).collect()
}

/// Purchases and transfers of the given participants, in their order: two queries.
pub(crate) fn histories(
    conn: &mut DbConnection,
    participants: Vec<Participant>,
) -> Result<Vec<ParticipantDetail>, StoreError> {
    if participants.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = participants.iter().map(|p| p.id.to_string()).collect();
    let mut purchases: HashMap<Uuid, Vec<PurchaseRecord>> = HashMap::new();
    let rows: Vec<PurchaseRow> = pr::table
        .filter(pr::participant_id.eq_any(&ids))
        .order(pr::purchased_at.asc())
        .select(PurchaseRow::as_select())
        .load(conn)?;
    for row in rows {
        let record = row.into_domain()?;
        purchases
            .entry(record.participant_id)
            .or_default()
            .push(record);
    }
    let bought = participants
        .into_iter()
        .map(|p| {
            let records = purchases.remove(&p.id).unwrap_or_default();
            (p, records)
        })
        .collect();
    with_transfers(conn, bought)
}

/// The participants' details once their transfers are added: one query (the transfers
/// carry both groups' codes through joins), none when there is nobody.
pub(crate) fn with_transfers(
    conn: &mut DbConnection,
    bought: Vec<(Participant, Vec<PurchaseRecord>)>,
) -> Result<Vec<ParticipantDetail>, StoreError> {
    if bought.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = bought.iter().map(|(p, _)| p.id.to_string()).collect();
    let mut transfers: HashMap<Uuid, Vec<TransferRecord>> = HashMap::new();
    for record in transfers_of(conn, &ids)? {
        let (from, to) = (record.from_participant_id, record.to_participant_id);
        if from != to {
            transfers.entry(to).or_default().push(record.clone());
        }
        transfers.entry(from).or_default().push(record);
    }
    Ok(bought
        .into_iter()
        .map(|(p, purchases)| ParticipantDetail {
            transfers: transfers.remove(&p.id).unwrap_or_default(),
            purchases,
            participant: p,
        })
        .collect())
}

/// Transfers from or to the given participants, oldest first, with both groups' codes.
fn transfers_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<TransferRecord>, StoreError> {
    let (from_g, to_g) = diesel::alias!(gi as from_group, gi as to_group);
    let rows: Vec<(TransferRow, Option<String>, Option<String>)> = st::table
        .left_join(from_g.on(st::from_group_id.eq(from_g.field(gi::id))))
        .left_join(to_g.on(st::to_group_id.eq(to_g.field(gi::id))))
        .filter(
            st::from_participant_id
                .eq_any(ids)
                .or(st::to_participant_id.eq_any(ids)),
        )
        .order(st::transferred_at.asc())
        .select((
            TransferRow::as_select(),
            from_g.field(gi::code).nullable(),
            to_g.field(gi::code).nullable(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(t, from, to)| t.into_domain(from.unwrap_or_default(), to.unwrap_or_default()))
        .collect()
}
