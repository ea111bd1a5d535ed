//! Rows of the procurement tables and their conversion to and from the domain.

use super::schema::{procurement_commitments, procurement_group_buys};
use crate::convert::{from_db_time, parse_currency, to_db_time};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::procurement::{
    Commitment, CommitmentId, CommitmentStatus, GroupBuy, GroupBuyId, GroupBuyStatus, Item, Rules,
    Visibility,
};
use groupbuy_domain::{Currency, Money};
use time::PrimitiveDateTime;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value}"))
}

/// A stored `gb_...` id.
pub(super) fn group_buy_id(s: &str) -> Result<GroupBuyId, StoreError> {
    GroupBuyId::parse(s).map_err(|_| corrupt("group buy id", s))
}

fn json_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("json: {e}")))
}

/// A `procurement_group_buys` row, in column order (also what `RETURNING` gives).
#[derive(Queryable, Selectable)]
#[diesel(table_name = procurement_group_buys)]
pub(super) struct GroupBuyRow {
    pub seq: i64,
    pub id: String,
    pub org_id: String,
    pub created_by: String,
    pub title: String,
    pub description: Option<String>,
    pub items: String,
    pub target_quantity: i64,
    pub min_commitment: i64,
    pub deadline: PrimitiveDateTime,
    pub currency: String,
    pub rules: String,
    pub max_quantity: Option<i64>,
    pub max_per_member: Option<i64>,
    pub allow_partial: bool,
    pub visibility: AsText<Visibility>,
    pub status: AsText<GroupBuyStatus>,
    pub version: i64,
    pub committed_quantity: i64,
    pub members: i64,
    pub target_reached_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl GroupBuyRow {
    pub fn into_domain(self) -> Result<GroupBuy, StoreError> {
        let items: Vec<Item> =
            serde_json::from_str(&self.items).map_err(|e| corrupt("items", &e.to_string()))?;
        let rules: Rules =
            serde_json::from_str(&self.rules).map_err(|e| corrupt("rules", &e.to_string()))?;
        // The rule columns the conditional statements test must say what the rules say.
        let columns_agree = rules.max_quantity == self.max_quantity
            && rules.max_per_member == self.max_per_member
            && rules.allow_partial == self.allow_partial
            && rules.visibility == self.visibility.0;
        if !columns_agree {
            return Err(corrupt("rule columns of group buy", &self.id));
        }
        Ok(GroupBuy {
            id: group_buy_id(&self.id)?,
            title: self.title,
            description: self.description,
            items,
            target_quantity: self.target_quantity,
            min_commitment: self.min_commitment,
            deadline: from_db_time(self.deadline),
            currency: parse_currency(&self.currency)?,
            rules,
            status: self.status.0,
            org_id: self.org_id,
            created_by: self.created_by,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
            version: self.version,
            committed_quantity: self.committed_quantity,
            members: self.members,
            target_reached_at: self.target_reached_at.map(from_db_time),
        })
    }
}

/// A new `procurement_group_buys` row.
#[derive(Insertable)]
#[diesel(table_name = procurement_group_buys)]
pub(super) struct NewGroupBuy {
    pub id: String,
    pub org_id: String,
    pub created_by: String,
    pub title: String,
    pub description: Option<String>,
    pub items: String,
    pub target_quantity: i64,
    pub min_commitment: i64,
    pub deadline: PrimitiveDateTime,
    pub currency: String,
    pub rules: String,
    pub max_quantity: Option<i64>,
    pub max_per_member: Option<i64>,
    pub allow_partial: bool,
    pub visibility: AsText<Visibility>,
    pub status: AsText<GroupBuyStatus>,
    pub version: i64,
    pub committed_quantity: i64,
    pub members: i64,
    pub target_reached_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl NewGroupBuy {
    pub fn from_domain(g: &GroupBuy) -> Result<Self, StoreError> {
        Ok(Self {
            id: g.id.to_string(),
            org_id: g.org_id.clone(),
            created_by: g.created_by.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            items: json_text(&g.items)?,
            target_quantity: g.target_quantity,
            min_commitment: g.min_commitment,
            deadline: to_db_time(g.deadline),
            currency: g.currency.code().to_owned(),
            rules: json_text(&g.rules)?,
            max_quantity: g.rules.max_quantity,
            max_per_member: g.rules.max_per_member,
            allow_partial: g.rules.allow_partial,
            visibility: AsText(g.rules.visibility),
            status: AsText(g.status),
            version: g.version,
            committed_quantity: g.committed_quantity,
            members: g.members,
            target_reached_at: g.target_reached_at.map(to_db_time),
            created_at: to_db_time(g.created_at),
            updated_at: to_db_time(g.updated_at),
        })
    }
}

/// A `procurement_commitments` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_commitments)]
pub(super) struct CommitmentRow {
    #[diesel(skip_insertion)]
    pub seq: i64,
    pub id: String,
    pub group_buy_id: String,
    pub member_id: String,
    pub quantity: i64,
    pub price_ceiling_minor: i64,
    pub status: AsText<CommitmentStatus>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub purchase_order_ref: Option<String>,
}

impl CommitmentRow {
    pub fn from_domain(c: &Commitment) -> Self {
        Self {
            seq: 0,
            id: c.id.to_string(),
            group_buy_id: c.group_buy_id.to_string(),
            member_id: c.member_id.clone(),
            quantity: c.quantity,
            price_ceiling_minor: c.price_ceiling.minor(),
            status: AsText(c.status),
            created_at: to_db_time(c.created_at),
            updated_at: to_db_time(c.updated_at),
            purchase_order_ref: c.purchase_order_ref.clone(),
        }
    }

    /// The commitment, its ceiling in the group buy's `currency`.
    pub fn into_domain(self, currency: Currency) -> Result<Commitment, StoreError> {
        Ok(Commitment {
            id: CommitmentId::parse(&self.id).map_err(|_| corrupt("commitment id", &self.id))?,
            group_buy_id: group_buy_id(&self.group_buy_id)?,
            member_id: self.member_id,
            quantity: self.quantity,
            price_ceiling: Money::from_minor(self.price_ceiling_minor, currency),
            purchase_order_ref: self.purchase_order_ref,
            status: self.status.0,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}
