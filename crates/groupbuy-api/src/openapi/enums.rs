//! The document's enums: every closed set (statuses, kinds, actions, currencies, status
//! names) as a named string enum schema. The values come from the domain's derived lists
//! (`strum::EnumIter`), so the document cannot drift from what is served. These are
//! documentation types: the DTO fields stay strings on the wire and name these with
//! `#[schema(value_type = ...)]`.

use groupbuy_domain::campaign::{Action, GroupBuyStatus as DomainGroupBuyStatus};
use groupbuy_domain::group_purchase::{
    CheckoutStatus as DomainCheckoutStatus, GroupStatus as DomainGroupStatus,
    ParticipantStatus as DomainParticipantStatus,
};
use groupbuy_domain::money::Currency as DomainCurrency;
use groupbuy_domain::names::names;
use groupbuy_domain::order::{OrderSource as DomainOrderSource, OrderStatus as DomainOrderStatus};
use groupbuy_domain::procurement::AllocationMethod as DomainAllocationMethod;
use groupbuy_domain::wallet::{AccountKind, LedgerKind as DomainLedgerKind};
use groupbuy_domain::IntoEnumIterator;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Every wire name of the closed set `T`, in its declaration order.
fn wire_names<T: IntoEnumIterator + Into<&'static str>>() -> Vec<String> {
    names::<T>().into_iter().map(str::to_owned).collect()
}

/// The wire names of the ledger kinds written to accounts of `account`'s kind.
fn kinds_on(account: AccountKind) -> Vec<String> {
    DomainLedgerKind::on(account)
        .map(|k| k.as_str().to_owned())
        .collect()
}

/// A string enum schema of `values`.
fn closed_set(description: impl Into<String>, values: Vec<String>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// Declares a documentation type whose schema is a string enum.
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident, $description:expr, $values:expr) => {
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
    wire_names::<DomainGroupStatus>()
);

closed_set!(
    /// Lifecycle of one participation.
    ParticipantStatus,
    "Lifecycle of one participation: ACTIVE holds seats; TRANSFERRED_OUT moved them to another group; REFUNDED got its money back.",
    wire_names::<DomainParticipantStatus>()
);

closed_set!(
    /// Lifecycle of a checkout session.
    CheckoutStatus,
    "Lifecycle of a checkout session: PENDING_PAYMENT until paid, then COMPLETED.",
    wire_names::<DomainCheckoutStatus>()
);

closed_set!(
    /// Status of an order.
    OrderStatus,
    "Status of an order: CONFIRMED once its group completed; SHIPPED by its merchant with a carrier and tracking number; DELIVERED; or CANCELLED before shipment, its buyer refunded.",
    wire_names::<DomainOrderStatus>()
);

closed_set!(
    /// Where an order came from.
    OrderSource,
    "Where an order came from: GROUP, a completed group of a shop's product (the shop ships it); CAMPAIGN_PREORDER, a paid pre-order of a closed campaign (its handle ships it).",
    wire_names::<DomainOrderSource>()
);

closed_set!(
    /// The kind of a pre-order's payment session.
    PreorderSessionType,
    "The kind of a pre-order's payment session: CAMPAIGN_PREORDER, opened when its campaign closed; paid with the same process-payment as any session.",
    vec!["CAMPAIGN_PREORDER".to_owned()]
);

closed_set!(
    /// Where a pre-order's payment session stands.
    PreorderStatus,
    "Where a pre-order's payment session stands: PENDING_PAYMENT until paid or expired; PAID, an order of the campaign's handle; EXPIRED, its payment window passed unpaid and nothing was charged.",
    wire_names::<groupbuy_domain::campaign::PreorderStatus>()
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
    "Why money moved: CREDIT by a platform admin; PURCHASE of group seats; REFUND of a failed or deleted group, or of a cancelled order.",
    kinds_on(AccountKind::Wallet)
);

closed_set!(
    /// Why money moved in a shop's merchant balance.
    StatementLineKind,
    "Why a shop's balance moved: ORDER_SETTLED when an order's group completed (its total in); COMMISSION, the platform's commission on it (out); ORDER_CANCELLED, a cancelled order's total given back to its buyer (out); COMMISSION_REVERSED, that order's commission given back (in); PAYOUT, money a platform admin recorded as sent to the shop (out).",
    kinds_on(AccountKind::Merchant)
);

closed_set!(
    /// Lifecycle of a campaign group-buy.
    GroupBuyStatus,
    "Lifecycle of a group-buy: DRAFT (owner only) -> PUBLISHED <-> PAUSED -> CLOSED.",
    wire_names::<DomainGroupBuyStatus>()
);

closed_set!(
    /// An owner's lifecycle action on a group-buy.
    GroupBuyAction,
    "An owner's lifecycle action on a group-buy (the last segment of its route).",
    wire_names::<Action>()
);

closed_set!(
    /// What an audit entry records.
    AuditAction,
    "What an audit entry records: creation, a lifecycle action, or an interest change.",
    wire_names::<groupbuy_domain::campaign::AuditAction>()
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
    wire_names::<groupbuy_domain::webhook::DeliveryState>()
);

closed_set!(
    /// The event types webhooks deliver.
    EventType,
    "An event type (see GET /webhooks/event-types).",
    wire_names::<groupbuy_domain::platform::EventType>()
);

closed_set!(
    /// Lifecycle of a procurement group buy.
    ProcurementStatus,
    "Lifecycle of a procurement group buy: OPEN (taking commitments) -> SOURCING (RFQ out) -> ALLOCATED -> SETTLED; OPEN or SOURCING -> CANCELLED; OPEN past its deadline below target -> EXPIRED.",
    wire_names::<groupbuy_domain::procurement::GroupBuyStatus>()
);

closed_set!(
    /// What a procurement audit entry records.
    ProcurementAuditAction,
    "What a group buy's audit entry records: its creation, a commitment change, reaching the target, or a lifecycle action.",
    wire_names::<groupbuy_domain::procurement::AuditAction>()
);

closed_set!(
    /// What a durable job does.
    JobType,
    "rfq opens the RFQ (the group buy moves to SOURCING); allocate allocates supply (ALLOCATED).",
    wire_names::<groupbuy_domain::procurement::JobType>()
);

closed_set!(
    /// Where a durable job is.
    JobStatus,
    "queued, running, succeeded (result_url says where to read the result) or failed (error says why).",
    wire_names::<groupbuy_domain::procurement::JobStatus>()
);

closed_set!(
    /// Whether an RFQ takes responses.
    RfqStatus,
    "OPEN before its due date while the group buy is SOURCING; CLOSED otherwise.",
    wire_names::<groupbuy_domain::procurement::RfqStatus>()
);

closed_set!(
    /// Which side a settlement document is.
    DocumentType,
    "PAYABLE (owed to a vendor) or RECEIVABLE (owed by a member).",
    wire_names::<groupbuy_domain::procurement::settlement::DocumentKind>()
);

closed_set!(
    /// Whether a commitment counts.
    CommitmentStatus,
    "ACTIVE (counted in the pool) or WITHDRAWN (kept for history).",
    wire_names::<groupbuy_domain::procurement::CommitmentStatus>()
);

closed_set!(
    /// Who may see a procurement group buy.
    Visibility,
    "public: every organisation; private: the organiser, the eligible and the committed organisations.",
    wire_names::<groupbuy_domain::procurement::Visibility>()
);

closed_set!(
    /// Which kind of party: an organisation or a vendor.
    PartyKind,
    "organisation: organises pools and commits to them; vendor: quotes and supplies.",
    wire_names::<groupbuy_domain::procurement::party::PartyKind>()
);

/// The codes of one of the party code lists, as the document's enum values.
fn code_list(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| (*c).to_owned()).collect()
}

closed_set!(
    /// An ISO 3166-1 alpha-2 country code.
    CountryCode,
    "ISO 3166-1 alpha-2 country code (upper case; the list EN 16931 validates against).",
    code_list(groupbuy_domain::procurement::party::country_codes())
);

closed_set!(
    /// An Electronic Address Scheme code (Peppol).
    EasScheme,
    "Electronic Address Scheme (EAS) code: 0088 GLN, 0208 Belgian enterprise number, 9925 Belgian VAT, ...",
    code_list(groupbuy_domain::procurement::party::eas_schemes())
);

closed_set!(
    /// A UN/ECE Recommendation 20 unit code.
    UnitCode,
    "UN/ECE Recommendation 20 unit code (EN 16931 BR-CL-23): KGM, XBG, EA, C62, ...",
    code_list(groupbuy_domain::procurement::party::unit_codes())
);

/// A VAT identifier: an ISO 3166-1 prefix (EL for Greece) and 2 to 13 letters or digits.
#[derive(Debug)]
pub struct VatIdentifier;

impl PartialSchema for VatIdentifier {
    fn schema() -> RefOr<Schema> {
        let prefixes = groupbuy_domain::procurement::party::country_codes()
            .iter()
            .copied()
            .chain(["EL"])
            .collect::<Vec<_>>()
            .join("|");
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "VAT identifier: its country's ISO 3166-1 code (EL for Greece) then 2 to 13 letters or digits (BR-CO-09).",
            ))
            .pattern(Some(format!("^({prefixes})[A-Za-z0-9]{{2,13}}$")))
            .examples(["BE0403578495"])
            .into()
    }
}

impl ToSchema for VatIdentifier {}

closed_set!(
    /// A VAT category of UNCL5305.
    VatCategory,
    "S: standard rate; Z: zero rated; E: exempt; AE: reverse charge; K: intra-community supply; G: export; O: not subject to VAT.",
    wire_names::<groupbuy_domain::procurement::party::VatCategory>()
);

closed_set!(
    /// How short supply is shared among members.
    AllocationMethod,
    allocation_methods(),
    wire_names::<DomainAllocationMethod>()
);

/// `name: what it does; ...`, from each method's own description.
fn allocation_methods() -> String {
    let each: Vec<String> = DomainAllocationMethod::iter()
        .map(|m| format!("{}: {}", m.as_str(), m.description()))
        .collect();
    format!("{}.", each.join("; "))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

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
        assert_eq!(values::<AuditAction>().len(), 8);
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
        let mut statuses: Vec<&str> = DomainGroupBuyStatus::iter().map(|s| s.as_str()).collect();
        statuses.sort_unstable();
        assert_eq!(keys, statuses);
    }
}
