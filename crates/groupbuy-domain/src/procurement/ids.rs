//! Prefixed opaque ids (`gb_<32 hex>`, `cmt_<32 hex>`, `job_`, `rfq_`, `rsp_`, `alloc_`,
//! `stl_`, `doc_`): a UUID underneath, one spelling on the wire. The caller brings the
//! UUID, so nothing here is random.

use super::refusal::ProcurementRefusal;
use super::sourcing::refusal::SourcingRefusal;
use std::fmt;
use uuid::Uuid;

/// Reads `<prefix><32 lowercase hex>` and nothing else (no hyphens, no upper case), so
/// every id has exactly one spelling.
fn parse_prefixed(prefix: &str, text: &str) -> Option<Uuid> {
    let hex = text.strip_prefix(prefix)?;
    let canonical = hex.len() == 32
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    canonical.then(|| Uuid::try_parse(hex).ok()).flatten()
}

/// Declares a prefixed id newtype whose failed parse is `$missing` (of type `$refusal`).
macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $missing:expr) => {
        prefixed_id!($(#[$doc])* $name, $prefix, ProcurementRefusal, $missing);
    };
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $refusal:ty, $missing:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// The prefix of this id on the wire.
            pub const PREFIX: &'static str = $prefix;

            /// The id of `uuid`.
            pub fn new(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// Parses `<prefix><32 lowercase hex>`; anything else names nothing, so it
            /// is refused as not found.
            ///
            /// # Errors
            /// The not-found refusal of this kind of object.
            pub fn parse(text: &str) -> Result<Self, $refusal> {
                parse_prefixed(Self::PREFIX, text).map(Self).ok_or($missing)
            }

            /// The UUID underneath (how storage keys it).
            pub fn uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", Self::PREFIX, self.0.simple())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

prefixed_id!(
    /// A procurement group buy's id: `gb_<uuid simple hex>`.
    GroupBuyId,
    "gb_",
    ProcurementRefusal::GroupBuyNotFound
);

prefixed_id!(
    /// A commitment's id: `cmt_<uuid simple hex>`.
    CommitmentId,
    "cmt_",
    ProcurementRefusal::CommitmentNotFound
);

prefixed_id!(
    /// A durable job's id: `job_<uuid simple hex>`.
    JobId,
    "job_",
    SourcingRefusal,
    SourcingRefusal::JobNotFound
);

prefixed_id!(
    /// An RFQ's id: `rfq_<uuid simple hex>`.
    RfqId,
    "rfq_",
    SourcingRefusal,
    SourcingRefusal::RfqNotFound
);

prefixed_id!(
    /// A vendor response's id (kept across its revisions): `rsp_<uuid simple hex>`.
    ResponseId,
    "rsp_",
    SourcingRefusal,
    SourcingRefusal::RfqNotFound
);

prefixed_id!(
    /// An allocation's id: `alloc_<uuid simple hex>`.
    AllocationId,
    "alloc_",
    SourcingRefusal,
    SourcingRefusal::AllocationNotFound
);

prefixed_id!(
    /// A settlement's id: `stl_<uuid simple hex>`.
    SettlementId,
    "stl_",
    SourcingRefusal,
    SourcingRefusal::SettlementNotFound
);

prefixed_id!(
    /// A settlement document's id: `doc_<uuid simple hex>`.
    DocumentId,
    "doc_",
    SourcingRefusal,
    SourcingRefusal::DocumentNotFound
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_with_their_prefix_and_parse_back() {
        let id = GroupBuyId::new(Uuid::from_u128(0xabc));
        assert_eq!(id.to_string(), "gb_00000000000000000000000000000abc");
        assert_eq!(GroupBuyId::parse(&id.to_string()), Ok(id));
        let c = CommitmentId::new(Uuid::from_u128(7));
        assert_eq!(c.to_string(), "cmt_00000000000000000000000000000007");
        assert_eq!(CommitmentId::parse(&c.to_string()), Ok(c));
        assert_eq!(
            serde_json::to_value(id).expect("json"),
            serde_json::json!("gb_00000000000000000000000000000abc")
        );
        let back: GroupBuyId =
            serde_json::from_value(serde_json::json!("gb_00000000000000000000000000000abc"))
                .expect("json");
        assert_eq!(back, id);
    }

    #[test]
    fn any_other_spelling_is_not_found() {
        let uuid = Uuid::from_u128(0xabc);
        for bad in [
            String::new(),
            "gb_".into(),
            "gb_123".into(),
            format!("gb_{}", uuid.hyphenated()),
            format!("GB_{}", uuid.simple()),
            format!("gb_{}", uuid.simple()).to_uppercase(),
            format!("gb_{}", uuid.simple().to_string().to_uppercase()),
            format!("cmt_{}", uuid.simple()),
            format!("gb_{}x", uuid.simple()),
            format!(" gb_{}", uuid.simple()),
            "gb_0000000000000000000000000000000g".into(),
        ] {
            assert_eq!(
                GroupBuyId::parse(&bad),
                Err(ProcurementRefusal::GroupBuyNotFound),
                "{bad}"
            );
        }
        assert_eq!(
            CommitmentId::parse("gb_00000000000000000000000000000abc"),
            Err(ProcurementRefusal::CommitmentNotFound)
        );
        let job = JobId::new(Uuid::from_u128(9));
        assert_eq!(job.to_string(), "job_00000000000000000000000000000009");
        assert_eq!(JobId::parse(&job.to_string()), Ok(job));
        assert_eq!(JobId::parse("job_9"), Err(SourcingRefusal::JobNotFound));
        assert_eq!(
            DocumentId::parse("stl_00000000000000000000000000000009"),
            Err(SourcingRefusal::DocumentNotFound)
        );
        let err = crate::DomainError::from(GroupBuyId::parse("nope").expect_err("bad"));
        assert_eq!(
            err,
            crate::DomainError::NotFound("Group buy not found".into())
        );
    }
}
