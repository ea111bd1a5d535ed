//! The document's vocabulary: every closed set (statuses, kinds, actions, currencies,
//! status names) as a named enum schema, and money as a named number schema. The values
//! come from the domain's own lists, so the document cannot drift from what is served.
//! These are documentation types: the DTO fields stay strings on the wire and name these
//! with `#[schema(value_type = ...)]`.

use groupbuy_domain::campaign::{Action, GroupBuyStatus as DomainGroupBuyStatus, AUDIT_ACTIONS};
use groupbuy_domain::group_purchase::{
    CheckoutStatus as DomainCheckoutStatus, GroupStatus as DomainGroupStatus,
    ParticipantStatus as DomainParticipantStatus,
};
use groupbuy_domain::money::Currency as DomainCurrency;
use groupbuy_domain::wallet::LedgerKind as DomainLedgerKind;
use serde_json::{json, Value};
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A string enum schema of `values`.
fn closed_set(description: &str, values: Vec<String>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// Declares a documentation type whose schema is a string enum.
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident, $description:literal, $values:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                closed_set($description, $values)
            }
        }

        impl ToSchema for $name {}
    };
}

closed_set!(
    /// Lifecycle of a group instance.
    GroupStatus,
    "Lifecycle of a group instance: OPEN accepts participants; COMPLETED filled and created orders; FAILED expired and refunded; DELETED soft deleted.",
    DomainGroupStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect()
);

closed_set!(
    /// Lifecycle of one participation.
    ParticipantStatus,
    "Lifecycle of one participation: ACTIVE holds seats; TRANSFERRED_OUT moved them to another group; REFUNDED got its money back.",
    DomainParticipantStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect()
);

closed_set!(
    /// Lifecycle of a checkout session.
    CheckoutStatus,
    "Lifecycle of a checkout session: PENDING_PAYMENT until paid, then COMPLETED.",
    DomainCheckoutStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect()
);

closed_set!(
    /// Status of an order.
    OrderStatus,
    "Status of an order: CONFIRMED once its group completed.",
    vec!["CONFIRMED".to_owned()]
);

closed_set!(
    /// The kinds of checkout session.
    SessionType,
    "The kind of checkout session: only GROUP_PURCHASE.",
    vec!["GROUP_PURCHASE".to_owned()]
);

closed_set!(
    /// How a session is paid.
    PaymentMethod,
    "How a session is paid: only WALLET.",
    vec!["WALLET".to_owned()]
);

closed_set!(
    /// Why money moved in a wallet.
    LedgerKind,
    "Why money moved: CREDIT by a platform admin; PURCHASE of group seats; REFUND of a failed or deleted group.",
    DomainLedgerKind::ALL.iter().map(|s| s.as_str().to_owned()).collect()
);

closed_set!(
    /// Lifecycle of a campaign group-buy.
    GroupBuyStatus,
    "Lifecycle of a group-buy: DRAFT (owner only) -> PUBLISHED <-> PAUSED -> CLOSED.",
    DomainGroupBuyStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect()
);

closed_set!(
    /// An owner's lifecycle action on a group-buy.
    GroupBuyAction,
    "An owner's lifecycle action on a group-buy (the last segment of its route).",
    Action::ALL.iter().map(|a| a.as_str().to_owned()).collect()
);

closed_set!(
    /// What an audit entry records.
    AuditAction,
    "What an audit entry records: creation, a lifecycle action, or an interest change.",
    AUDIT_ACTIONS.iter().map(|a| (*a).to_owned()).collect()
);

closed_set!(
    /// The supported ISO 4217 currencies.
    Currency,
    "A supported ISO 4217 currency (amounts carry its decimal places: see Money).",
    DomainCurrency::supported().map(|c| c.code().to_owned()).collect()
);

closed_set!(
    /// What the health routes answer.
    HealthStatus,
    "`up` from /healthz, `ready` from /readyz.",
    vec!["up".to_owned(), "ready".to_owned()]
);

closed_set!(
    /// Where a webhook delivery stands.
    DeliveryState,
    "PENDING (not attempted yet), SUCCEEDED (a 2xx answer), FAILED (the last attempt failed; another is scheduled) or EXHAUSTED (no attempt left, or the endpoint answered 410).",
    ["PENDING", "SUCCEEDED", "FAILED", "EXHAUSTED"].iter().map(|s| (*s).to_owned()).collect()
);

closed_set!(
    /// The event types webhooks deliver.
    EventType,
    "An event type (see GET /webhooks/event-types).",
    groupbuy_domain::platform::EventType::ALL.iter().map(|t| t.as_str().to_owned()).collect()
);

closed_set!(
    /// Lifecycle of a procurement group buy.
    ProcurementStatus,
    "Lifecycle of a procurement group buy: OPEN (taking commitments) -> SOURCING (RFQ out) -> ALLOCATED -> SETTLED; OPEN or SOURCING -> CANCELLED; OPEN past its deadline below target -> EXPIRED.",
    groupbuy_domain::procurement::GroupBuyStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect()
);

closed_set!(
    /// What a procurement audit entry records.
    ProcurementAuditAction,
    "What a group buy's audit entry records: its creation, a commitment change, reaching the target, or a lifecycle action.",
    groupbuy_domain::procurement::AUDIT_ACTIONS.iter().map(|a| (*a).to_owned()).collect()
);

closed_set!(
    /// What a durable job does.
    JobType,
    "rfq opens the RFQ (the group buy moves to SOURCING); allocate allocates supply (ALLOCATED).",
    groupbuy_domain::procurement::JobType::ALL.iter().map(|t| t.as_str().to_owned()).collect()
);

closed_set!(
    /// Where a durable job is.
    JobStatus,
    "queued, running, succeeded (result_url says where to read the result) or failed (error says why).",
    ["queued", "running", "succeeded", "failed"].iter().map(|s| (*s).to_owned()).collect()
);

closed_set!(
    /// Whether an RFQ takes responses.
    RfqStatus,
    "OPEN before its due date while the group buy is SOURCING; CLOSED otherwise.",
    vec!["OPEN".to_owned(), "CLOSED".to_owned()]
);

closed_set!(
    /// Which side a settlement document is.
    DocumentType,
    "PAYABLE (owed to a vendor) or RECEIVABLE (owed by a member).",
    vec!["PAYABLE".to_owned(), "RECEIVABLE".to_owned()]
);

closed_set!(
    /// Whether a commitment counts.
    CommitmentStatus,
    "ACTIVE (counted in the pool) or WITHDRAWN (kept for history).",
    [
        groupbuy_domain::procurement::CommitmentStatus::Active,
        groupbuy_domain::procurement::CommitmentStatus::Withdrawn,
    ]
    .iter()
    .map(|s| s.as_str().to_owned())
    .collect()
);

closed_set!(
    /// Who may see a procurement group buy.
    Visibility,
    "public: every organisation; private: the organiser, the eligible and the committed organisations.",
    [
        groupbuy_domain::procurement::Visibility::Public,
        groupbuy_domain::procurement::Visibility::Private,
    ]
    .iter()
    .map(|v| v.as_str().to_owned())
    .collect()
);

closed_set!(
    /// How short supply is shared among members.
    AllocationMethod,
    "lowest_price_pro_rata: cheapest responses first, short supply split in proportion to need; single_vendor: the cheapest vendor able to supply everything takes it all.",
    groupbuy_domain::procurement::AllocationMethod::ALL.iter().map(|m| m.as_str().to_owned()).collect()
);

/// Group-buys per status: every status is listed, with 0 when none.
#[derive(Debug, utoipa::ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct GroupBuyStatusCounts {
    /// Drafts.
    pub DRAFT: i64,
    /// Published.
    pub PUBLISHED: i64,
    /// Paused.
    pub PAUSED: i64,
    /// Closed.
    pub CLOSED: i64,
}

/// The HTTP status codes a success envelope can carry (204 has no body).
pub const SUCCESS_STATUSES: [u16; 3] = [200, 201, 202];

/// The HTTP status codes a problem can carry: the documented refusals plus what the
/// framework itself may answer.
pub const PROBLEM_STATUSES: [u16; 17] = [
    400, 401, 403, 404, 405, 406, 408, 409, 411, 412, 413, 414, 415, 422, 429, 500, 503,
];

/// The envelope's status names of `codes`.
fn status_names(codes: &[u16]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|c| actix_web::http::StatusCode::from_u16(*c).ok())
        .map(crate::envelope::status_name)
        .collect()
}

closed_set!(
    /// The status name of a success envelope.
    SuccessStatus,
    "The HTTP status name of a success (OK, CREATED, or ACCEPTED for work enqueued).",
    status_names(&SUCCESS_STATUSES)
);

closed_set!(
    /// The status name of a problem.
    ProblemStatus,
    "The HTTP status name of a failure (BAD_REQUEST, NOT_FOUND, ...).",
    status_names(&PROBLEM_STATUSES)
);

/// How money is written: the rule generators carry into documentation.
const MONEY_RULE: &str = "An exact amount of money in the currency named next to it, as a JSON \
number with at most that currency's decimal places (x-decimal-places; TZS has 2, so 80000.00). \
Amounts are stored exactly as integer minor units: an amount with more decimals than its \
currency allows (such as 0.1+0.2-0.1 = 0.20000000000000004) is refused with 422, never rounded. \
Clients should compute in minor units or decimals, not binary floating point.";

/// The currencies' decimal places, as the `x-decimal-places` extension shows them.
fn decimal_places() -> Value {
    Value::Object(
        DomainCurrency::supported()
            .map(|c| (c.code().to_owned(), json!(c.scale())))
            .collect(),
    )
}

/// A money schema: `positive` ones are what requests send as prices and credits.
fn money(positive: bool) -> RefOr<Schema> {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Number)
        .description(Some(if positive {
            format!("{MONEY_RULE} Must be greater than 0.")
        } else {
            format!("{MONEY_RULE} Signed where it is a ledger movement (debits negative).")
        }))
        .examples([json!(80000.00)])
        // One extension only: utoipa keeps extensions in a HashMap, and the committed
        // document must come out the same on every run.
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-decimal-places", decimal_places())
                .build(),
        ));
    if positive {
        // What every currency's parser refuses: less than one minor unit of the finest
        // currency, more than MAX_MINOR units of the coarsest (x-decimal-places says the
        // rest, per currency).
        let scales = || DomainCurrency::supported().map(|c| c.scale());
        let finest = scales().max().unwrap_or(0);
        let coarsest = scales().min().unwrap_or(0);
        let smallest = 10f64.powi(-i32::try_from(finest).unwrap_or(0));
        let largest = groupbuy_domain::money::Money::MAX_MINOR as f64
            / 10f64.powi(i32::try_from(coarsest).unwrap_or(0));
        // Every amount is a whole number of the finest currency's minor units
        // (openapi/money_rules.rs states each currency's own step next to its code).
        builder = builder
            .minimum(Some(smallest))
            .maximum(Some(largest))
            .multiple_of(Some(smallest));
    }
    builder.into()
}

/// An exact amount of money (responses).
#[derive(Debug)]
pub struct Money;

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        money(false)
    }
}

impl ToSchema for Money {}

/// An exact, positive amount of money (request prices and credits).
#[derive(Debug)]
pub struct PositiveMoney;

impl PartialSchema for PositiveMoney {
    fn schema() -> RefOr<Schema> {
        money(true)
    }
}

impl ToSchema for PositiveMoney {}

/// An organisation id a request names (`rules.eligible_orgs`): not blank, at most 200
/// bytes (so at most 200 characters).
#[derive(Debug)]
pub struct OrgIdText;

impl PartialSchema for OrgIdText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(200))
            .pattern(Some(r"\S"))
            .into()
    }
}

impl ToSchema for OrgIdText {}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<T: PartialSchema>() -> Vec<Value> {
        let schema = serde_json::to_value(T::schema()).expect("json");
        schema["enum"].as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn closed_sets_list_the_domain_values() {
        assert_eq!(
            values::<GroupStatus>(),
            vec![
                json!("OPEN"),
                json!("COMPLETED"),
                json!("FAILED"),
                json!("DELETED")
            ]
        );
        assert_eq!(values::<ParticipantStatus>().len(), 3);
        assert_eq!(values::<CheckoutStatus>().len(), 2);
        assert_eq!(values::<LedgerKind>().len(), 3);
        assert_eq!(values::<GroupBuyAction>().len(), 3);
        assert_eq!(values::<AuditAction>().len(), 7);
        assert!(values::<Currency>().contains(&json!("TZS")));
        assert_eq!(
            values::<SuccessStatus>(),
            vec![json!("OK"), json!("CREATED"), json!("ACCEPTED")]
        );
        let problems = values::<ProblemStatus>();
        for name in ["BAD_REQUEST", "UNPROCESSABLE_ENTITY", "PAYLOAD_TOO_LARGE"] {
            assert!(problems.contains(&json!(name)), "{name} missing");
        }
    }

    /// Every status constant the crate's code answers with (read from its sources, so a
    /// new status cannot be forgotten): its name must be in the enum its envelope shows.
    #[test]
    fn every_status_the_code_answers_is_in_its_envelope_enum() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).expect("source"));
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        let mut names: Vec<String> = texts
            .iter()
            .flat_map(|t| t.split("StatusCode::").skip(1))
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty())
            .collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() > 10, "too few statuses found: {names:?}");
        let (successes, problems) = (values::<SuccessStatus>(), values::<ProblemStatus>());
        for name in names {
            let status = (100..1000)
                .filter_map(|c| actix_web::http::StatusCode::from_u16(c).ok())
                .find(|s| crate::envelope::status_name(*s) == name)
                .unwrap_or_else(|| panic!("StatusCode::{name} has no status name"));
            let listed = match status.as_u16() {
                // 204 and redirects carry no envelope.
                204 | 300..=399 => continue,
                200..=299 => successes.contains(&json!(name)),
                _ => problems.contains(&json!(name)),
            };
            assert!(listed, "{name} is answered but not documented");
        }
    }

    #[test]
    fn status_counts_name_every_group_buy_status() {
        let schema = serde_json::to_value(GroupBuyStatusCounts::schema()).expect("json");
        let mut keys: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut statuses: Vec<&str> = DomainGroupBuyStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect();
        statuses.sort_unstable();
        assert_eq!(keys, statuses);
    }

    #[test]
    fn money_names_each_currencys_decimal_places() {
        let schema = serde_json::to_value(PositiveMoney::schema()).expect("json");
        assert_eq!(schema["x-decimal-places"]["TZS"], 2);
        assert_eq!(schema["x-decimal-places"]["UGX"], 0);
        assert_eq!(schema["x-decimal-places"]["KWD"], 3);
        assert_eq!(schema["minimum"], 0.001);
        assert_eq!(schema["maximum"], 1e15);
    }
}
