//! A group buy's rules: capacity, eligibility, visibility, and the terms Procurement II
//! uses (allocation method, partial sourcing, organiser fee, payment terms, sealed bids).
//! Parsed from the request's `rules` object, each bad field named (`rules.<name>`, 422);
//! rules that contradict the pool's quantities are refused with 409.

use super::party::Vat;
use super::refusal::ProcurementRefusal;
use crate::error::DomainError;
use crate::names::closed_set;
use crate::names::names;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The largest quantity any count of a group buy takes (target, caps, commitments), so
/// sums of many commitments stay far inside 64 bits.
pub const MAX_UNITS: i64 = 1_000_000_000;
/// The most organisations `rules.eligible_orgs` may list.
pub const MAX_ELIGIBLE_ORGS: usize = 1_000;
/// The highest organiser fee, in basis points (10%).
pub const MAX_ORGANISER_FEE_BPS: u32 = 1_000;
/// The longest payment terms, in days.
pub const MAX_PAYMENT_TERMS_DAYS: u32 = 365;
/// Payment terms when the rules do not say.
pub const DEFAULT_PAYMENT_TERMS_DAYS: u32 = 30;

closed_set! {
    /// Who may see a group buy; its list and names are derived (`strum`, serde with the same
    /// case).
    #[derive(Default, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum Visibility {
        /// Every organisation sees it and may commit if eligible.
        #[default]
        Public,
        /// Only the organiser, the listed eligible and the committed organisations see it.
        Private,
    }
}

closed_set! {
    /// How Procurement II shares vendors' supply among members. Its list and names are
    /// derived (`strum`, serde with the same case); each method's published description is
    /// its doc comment ([`AllocationMethod::description`]).
    #[derive(Default, Serialize, Deserialize, strum::EnumMessage)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum AllocationMethod {
        /// cheapest responses first, short supply split in proportion to need
        #[default]
        LowestPriceProRata,
        /// the cheapest vendor able to supply everything takes it all
        SingleVendor,
    }
}

impl AllocationMethod {
    /// The method of a wire name, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// What the method does, as the API documents it: the variant's doc comment (the one
    /// place it is written).
    pub fn description(&self) -> &'static str {
        strum::EnumMessage::get_documentation(self).unwrap_or_default()
    }
}

/// `{"method": "..."}`, the wire shape of `rules.allocation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Allocation {
    /// The method.
    #[serde(default)]
    pub method: AllocationMethod,
}

/// A group buy's validated rules; its serde form is the wire (and stored) form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Capacity in units; `None` = no cap.
    pub max_quantity: Option<i64>,
    /// The most one organisation may commit; `None` = no cap.
    pub max_per_member: Option<i64>,
    /// Organisations allowed to commit; `None` = any.
    pub eligible_orgs: Option<Vec<String>>,
    /// Who may see the group buy.
    pub visibility: Visibility,
    /// How supply is allocated (Procurement II).
    pub allocation: Allocation,
    /// Whether sourcing may start below target (Procurement II).
    pub allow_partial: bool,
    /// The organiser's fee on members' goods, 0-1000 basis points.
    pub organiser_fee_bps: u32,
    /// Days from a settlement document's issue to its due date, 1-365.
    pub payment_terms_days: u32,
    /// Whether vendors' prices stay hidden from the organiser until the RFQ's due date.
    pub sealed_bids: bool,
    /// The VAT of the organiser's fee; the organiser's `default_vat` when none.
    pub organiser_fee_vat: Option<Vat>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            max_quantity: None,
            max_per_member: None,
            eligible_orgs: None,
            visibility: Visibility::Public,
            allocation: Allocation::default(),
            allow_partial: false,
            organiser_fee_bps: 0,
            payment_terms_days: DEFAULT_PAYMENT_TERMS_DAYS,
            sealed_bids: false,
            organiser_fee_vat: None,
        }
    }
}

closed_set! {
    /// A rule a request's `rules` object may name; parsing one is an exhaustive match, so
    /// a rule added here without its reader does not compile.
    #[strum(serialize_all = "snake_case")]
    pub enum RuleName {
        /// `max_quantity`: the most the pool takes in all.
        MaxQuantity,
        /// `max_per_member`: the most one organisation may commit.
        MaxPerMember,
        /// `eligible_orgs`: who may commit (absent: anyone).
        EligibleOrgs,
        /// `visibility`: public or private.
        Visibility,
        /// `allocation`: how short supply is shared.
        Allocation,
        /// `allow_partial`: whether sourcing may fall short of the target.
        AllowPartial,
        /// `organiser_fee_bps`: the organiser's fee.
        OrganiserFeeBps,
        /// `payment_terms_days`: days until payment is due.
        PaymentTermsDays,
        /// `sealed_bids`: whether vendors see each other's prices.
        SealedBids,
        /// `organiser_fee_vat`: the VAT category and rate of the organiser's fee.
        OrganiserFeeVat,
    }
}

fn invalid(name: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(format!("rules.{name}"), message)
}

/// An integer in `min..=max`, or a 422 naming `rules.<name>`.
fn integer(name: &str, value: &Value, min: i64, max: i64) -> Result<i64, DomainError> {
    value
        .as_i64()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            invalid(
                name,
                format!("rules.{name} must be an integer from {min} to {max}"),
            )
        })
}

fn boolean(name: &str, value: &Value) -> Result<bool, DomainError> {
    value
        .as_bool()
        .ok_or_else(|| invalid(name, format!("rules.{name} must be true or false")))
}

fn eligible_orgs(value: &Value) -> Result<Vec<String>, DomainError> {
    let name = "eligible_orgs";
    let items = value.as_array().ok_or_else(|| {
        invalid(
            name,
            "rules.eligible_orgs must be an array of organisation ids",
        )
    })?;
    if items.len() > MAX_ELIGIBLE_ORGS {
        return Err(invalid(
            name,
            format!("rules.eligible_orgs must list at most {MAX_ELIGIBLE_ORGS} organisations"),
        ));
    }
    let mut orgs: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let org = item
            .as_str()
            .filter(|s| !s.trim().is_empty() && s.len() <= 200)
            .ok_or_else(|| {
                DomainError::invalid(
                    format!("rules.eligible_orgs[{i}]"),
                    "each organisation id must be a non-empty string of at most 200 characters",
                )
            })?;
        // A repeated id changes nothing: keep the first.
        if !orgs.iter().any(|o| o == org) {
            orgs.push(org.to_owned());
        }
    }
    Ok(orgs)
}

fn allocation(value: &Value) -> Result<Allocation, DomainError> {
    let methods = names::<AllocationMethod>().join(" or ");
    let object = value.as_object().ok_or_else(|| {
        invalid(
            "allocation",
            format!("rules.allocation must be an object {{\"method\": {methods}}}"),
        )
    })?;
    let mut parsed = Allocation::default();
    for (key, value) in object {
        if key != "method" {
            return Err(invalid(
                &format!("allocation.{key}"),
                format!("Unknown allocation rule: {key}"),
            ));
        }
        if value.is_null() {
            continue;
        }
        parsed.method = value
            .as_str()
            .and_then(AllocationMethod::parse)
            .ok_or_else(|| {
                invalid(
                    "allocation.method",
                    format!("rules.allocation.method must be {methods}"),
                )
            })?;
    }
    Ok(parsed)
}

/// `{"category": "S", "rate": 21}`, the wire shape of a VAT.
fn vat(value: &Value) -> Result<Vat, DomainError> {
    let field = "rules.organiser_fee_vat";
    let shape = || {
        DomainError::invalid(
            field,
            format!("{field} must be an object {{\"category\": ..., \"rate\": ...}}"),
        )
    };
    let object = value.as_object().ok_or_else(shape)?;
    if object.keys().any(|k| k != "category" && k != "rate") {
        return Err(shape());
    }
    let category = object
        .get("category")
        .and_then(Value::as_str)
        .ok_or_else(shape)?;
    let rate = match object.get("rate") {
        None | Some(Value::Null) => None,
        Some(r) => Some(
            r.to_string()
                .parse::<rust_decimal::Decimal>()
                .map_err(|_| {
                    DomainError::invalid(
                        format!("{field}.rate"),
                        format!("{field}.rate must be a number"),
                    )
                })?,
        ),
    };
    Vat::parse(field, category, rate)
}

impl Rules {
    /// Parses the request's `rules` (absent or `null` = every default): unknown names,
    /// wrong types and out-of-range values are 422 naming `rules.<name>`; a `null` rule
    /// takes its default.
    ///
    /// # Errors
    /// `Validation` naming the first bad rule.
    pub fn from_json(value: &Value) -> Result<Self, DomainError> {
        let empty = Map::new();
        let object = match value {
            Value::Null => &empty,
            Value::Object(o) => o,
            _ => return Err(DomainError::invalid("rules", "rules must be an object")),
        };
        let mut rules = Rules::default();
        for (name, value) in object {
            let Ok(rule) = name.parse::<RuleName>() else {
                return Err(invalid(name, format!("Unknown rule: {name}")));
            };
            if value.is_null() {
                continue;
            }
            match rule {
                RuleName::MaxQuantity => {
                    rules.max_quantity = Some(integer(name, value, 1, MAX_UNITS)?);
                }
                RuleName::MaxPerMember => {
                    rules.max_per_member = Some(integer(name, value, 1, MAX_UNITS)?);
                }
                RuleName::EligibleOrgs => rules.eligible_orgs = Some(eligible_orgs(value)?),
                RuleName::Visibility => {
                    rules.visibility = match value.as_str() {
                        Some("public") => Visibility::Public,
                        Some("private") => Visibility::Private,
                        _ => {
                            return Err(invalid(name, "rules.visibility must be public or private"))
                        }
                    }
                }
                RuleName::Allocation => rules.allocation = allocation(value)?,
                RuleName::AllowPartial => rules.allow_partial = boolean(name, value)?,
                RuleName::OrganiserFeeBps => {
                    let bps = integer(name, value, 0, i64::from(MAX_ORGANISER_FEE_BPS))?;
                    rules.organiser_fee_bps = u32::try_from(bps).unwrap_or(0);
                }
                RuleName::PaymentTermsDays => {
                    let days = integer(name, value, 1, i64::from(MAX_PAYMENT_TERMS_DAYS))?;
                    rules.payment_terms_days = u32::try_from(days).unwrap_or(1);
                }
                RuleName::SealedBids => rules.sealed_bids = boolean(name, value)?,
                RuleName::OrganiserFeeVat => rules.organiser_fee_vat = Some(vat(value)?),
            }
        }
        Ok(rules)
    }

    /// Refuses rules that contradict each other or the pool's quantities, naming which.
    ///
    /// # Errors
    /// One of the `contradictory-rules` refusals (409).
    pub fn check_consistency(
        &self,
        target_quantity: i64,
        min_commitment: i64,
    ) -> Result<(), ProcurementRefusal> {
        if let Some(max_quantity) = self.max_quantity {
            if max_quantity < target_quantity {
                return Err(ProcurementRefusal::MaxQuantityBelowTarget {
                    max_quantity,
                    target_quantity,
                });
            }
        }
        if let Some(max_per_member) = self.max_per_member {
            if max_per_member < min_commitment {
                return Err(ProcurementRefusal::MaxPerMemberBelowMinCommitment {
                    max_per_member,
                    min_commitment,
                });
            }
        }
        if let Some(max_quantity) = self.max_quantity {
            if min_commitment > max_quantity {
                return Err(ProcurementRefusal::MinCommitmentAboveMaxQuantity {
                    min_commitment,
                    max_quantity,
                });
            }
        }
        if self.eligible_orgs.as_ref().is_some_and(Vec::is_empty) {
            return Err(ProcurementRefusal::NoEligibleOrgs);
        }
        Ok(())
    }

    /// Whether `org` may commit: listed, or any organisation when there is no list.
    pub fn is_eligible(&self, org: &str) -> bool {
        self.eligible_orgs
            .as_ref()
            .is_none_or(|orgs| orgs.iter().any(|o| o == org))
    }

    /// Whether `org` is named in `eligible_orgs` (what lets it see a private pool).
    pub fn lists(&self, org: &str) -> bool {
        self.eligible_orgs
            .as_ref()
            .is_some_and(|orgs| orgs.iter().any(|o| o == org))
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
