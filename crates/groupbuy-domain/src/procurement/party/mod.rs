//! Parties: the legal data an invoice names an organisation or a vendor by (legal name,
//! postal address, VAT identifier, Peppol electronic address, contact), kept per party,
//! versioned (ETag / If-Match), audited, and readable by a counterparty only as far as it
//! needs (legal name and country) and only where the two share a pool.

mod codes;
mod identifiers;
mod ports;
mod refusal;
mod tax;

#[cfg(test)]
mod tests;

pub use identifiers::{country, email, gln, vat_id, ElectronicAddress, UnitCode};
#[cfg(feature = "mock")]
pub use ports::MockPartyStore;
pub use ports::{PartyReading, PartyStore};
pub use refusal::PartyRefusal;
pub use tax::{Vat, VatCategory, MAX_VAT_RATE_HUNDREDTHS};

/// Every ISO 3166-1 alpha-2 code a postal address or VAT prefix may name (the validation
/// artefacts' list, sorted): what the API document publishes as the countries' enum.
pub fn country_codes() -> &'static [&'static str] {
    &codes::COUNTRIES
}

/// Every Electronic Address Scheme (EAS) code an electronic address may use, sorted.
pub fn eas_schemes() -> &'static [&'static str] {
    &codes::EAS
}

/// Every UN/ECE Recommendation 20 unit code an item may carry, sorted.
pub fn unit_codes() -> &'static [&'static str] {
    &codes::UNIT_CODES
}

use crate::error::DomainError;
use crate::names::closed_set;
use crate::platform::{AuditDraft, ChangeContext};
use crate::principal::{Principal, SCOPE_WRITE};
use crate::procurement::ROLE_VENDOR;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt;
use time::OffsetDateTime;

/// The longest legal name, street or city, in characters.
pub const MAX_PARTY_TEXT: usize = 200;

closed_set! {
    /// Which kind of party: an organisation (organiser or member) or a vendor. Its list
    /// and names are derived (`strum`, serde with the same case).
    #[derive(Serialize, Deserialize, PartialOrd, Ord)]
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum PartyKind {
        /// An organisation (`org_id` of tokens): organises pools, commits to them.
        Organisation,
        /// A vendor (`sub` of tokens with role `vendor`): quotes and supplies.
        Vendor,
    }
}

/// A party by kind and id (`organisation org_acme`, `vendor vendor_mills`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartyRef {
    /// Organisation or vendor.
    pub kind: PartyKind,
    /// The `org_id` or vendor id.
    pub id: String,
}

impl PartyRef {
    /// The organisation `id`.
    pub fn organisation(id: impl Into<String>) -> Self {
        Self {
            kind: PartyKind::Organisation,
            id: id.into(),
        }
    }

    /// The vendor `id`.
    pub fn vendor(id: impl Into<String>) -> Self {
        Self {
            kind: PartyKind::Vendor,
            id: id.into(),
        }
    }

    /// `organisation:<id>` or `vendor:<id>`: the subject of its audit chain.
    pub fn subject(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

impl fmt::Display for PartyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.id)
    }
}

/// A postal address (BG-5 / BG-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code, where the country has them.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// `PUT /groupbuy/{organisations|vendors}/{id}` as received: every field optional (what
/// an invoice needs and is missing is named when a pool is settled).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyFields {
    /// Legal (registration) name.
    pub legal_name: Option<String>,
    /// Street, city, postal code, country.
    pub postal_address: Option<(String, String, Option<String>, String)>,
    /// VAT identifier with its country prefix.
    pub vat_id: Option<String>,
    /// EAS scheme and identifier.
    pub electronic_address: Option<(String, String)>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// Default VAT category and rate of what the party sells.
    pub default_vat: Option<(String, Option<Decimal>)>,
}

/// A party's validated data; what it lacks stays `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyProfile {
    /// Legal name, 1-200 characters.
    pub legal_name: Option<String>,
    /// Postal address.
    pub postal_address: Option<PostalAddress>,
    /// VAT identifier (BR-CO-09).
    pub vat_id: Option<String>,
    /// Peppol electronic address.
    pub electronic_address: Option<ElectronicAddress>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// The VAT of what it sells when a response (vendor) or the rules (organiser's fee)
    /// state none.
    pub default_vat: Option<Vat>,
}

fn party_text(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be between 1 and {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

impl PartyProfile {
    /// Validates `f`, naming the first bad field (in the order the request lists them).
    ///
    /// # Errors
    /// `Validation` (422).
    pub fn parse(f: PartyFields) -> Result<Self, DomainError> {
        let legal_name = f
            .legal_name
            .map(|n| party_text("legal_name", &n, MAX_PARTY_TEXT))
            .transpose()?;
        let postal_address = f
            .postal_address
            .map(|(street, city, postal_code, c)| {
                Ok::<_, DomainError>(PostalAddress {
                    street: party_text("postal_address.street", &street, MAX_PARTY_TEXT)?,
                    city: party_text("postal_address.city", &city, MAX_PARTY_TEXT)?,
                    postal_code: postal_code
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| party_text("postal_address.postal_code", &p, 16))
                        .transpose()?,
                    country: country("postal_address.country", &c)?,
                })
            })
            .transpose()?;
        let vat_id = f.vat_id.map(|v| vat_id("vat_id", &v)).transpose()?;
        let electronic_address = f
            .electronic_address
            .map(|(s, i)| ElectronicAddress::parse("electronic_address", &s, &i))
            .transpose()?;
        let contact_email = f
            .contact_email
            .map(|e| email("contact_email", &e))
            .transpose()?;
        let default_vat = f
            .default_vat
            .map(|(c, r)| Vat::parse("default_vat", &c, r))
            .transpose()?;
        Ok(Self {
            legal_name,
            postal_address,
            vat_id,
            electronic_address,
            contact_email,
            default_vat,
        })
    }

    /// The names of the fields an invoice needs that this profile lacks, in the order an
    /// invoice uses them; `vat_id` only when `needs_vat_id`.
    pub fn missing_for_invoice(&self, needs_vat_id: bool) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.legal_name.is_none() {
            missing.push("legal_name");
        }
        if self.postal_address.is_none() {
            missing.push("postal_address");
        }
        if needs_vat_id && self.vat_id.is_none() {
            missing.push("vat_id");
        }
        if self.electronic_address.is_none() {
            missing.push("electronic_address");
        }
        missing
    }
}

/// A party's data at a version (0 before its first `PUT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    /// Who.
    pub party: PartyRef,
    /// Its data.
    pub profile: PartyProfile,
    /// 0 before the first change, + 1 per change; the `ETag` is `"<version>"`.
    pub version: i64,
    /// When it last changed (none before the first change).
    pub updated_at: Option<OffsetDateTime>,
}

/// How a caller stands toward a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyAccess {
    /// The party itself or a platform admin: everything.
    Whole,
    /// Another party that may share a pool with it: legal name and country, if they do.
    Counterparty,
    /// Nothing (answered as a missing party).
    None,
}

impl PartyAccess {
    /// How `caller` stands toward `party` before any pool is looked at.
    pub fn of(caller: &Principal, party: &PartyRef) -> Self {
        if caller.is_platform_admin() || is_self(caller, party) {
            return Self::Whole;
        }
        // Vendors never read each other: their quotes compete.
        let caller_is_vendor = caller.org_id.is_none() && caller.has_role(ROLE_VENDOR);
        if party.kind == PartyKind::Vendor && caller_is_vendor {
            return Self::None;
        }
        if caller.org_id.is_some() || caller_is_vendor {
            Self::Counterparty
        } else {
            Self::None
        }
    }
}

/// The party `caller` acts as, for sharing a pool: its organisation, else itself as a vendor.
pub fn acting_party(caller: &Principal) -> Option<PartyRef> {
    match &caller.org_id {
        Some(org) => Some(PartyRef::organisation(org.clone())),
        None if caller.has_role(ROLE_VENDOR) => Some(PartyRef::vendor(caller.user_id.clone())),
        None => None,
    }
}

fn is_self(caller: &Principal, party: &PartyRef) -> bool {
    match party.kind {
        PartyKind::Organisation => caller.org_id.as_deref() == Some(party.id.as_str()),
        PartyKind::Vendor => caller.has_role(ROLE_VENDOR) && caller.user_id == party.id,
    }
}

/// A party's data as a counterparty sees it: legal name and country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartyView {
    /// Who.
    pub party: PartyRef,
    /// Legal name, when set.
    pub legal_name: Option<String>,
    /// Country, when set.
    pub country: Option<String>,
}

impl From<&PartyRecord> for CounterpartyView {
    fn from(r: &PartyRecord) -> Self {
        Self {
            party: r.party.clone(),
            legal_name: r.profile.legal_name.clone(),
            country: r.profile.postal_address.as_ref().map(|a| a.country.clone()),
        }
    }
}

/// Decides `caller`'s replacement of `current` by `profile` (If-Match `if_match`):
/// the record at the next version and its audit entry `party.update`.
///
/// # Errors
/// `NotThisParty` (403) unless the party itself with `groupbuy:write`, or a platform
/// admin; `StaleEtag` (412).
pub fn update_party(
    caller: &Principal,
    current: &PartyRecord,
    profile: PartyProfile,
    if_match: Option<&str>,
    ctx: &ChangeContext,
) -> Result<(PartyRecord, AuditDraft), PartyRefusal> {
    let allowed = caller.is_platform_admin()
        || (is_self(caller, &current.party) && caller.has_scope(SCOPE_WRITE));
    if !allowed {
        return Err(PartyRefusal::NotThisParty(current.party.clone()));
    }
    crate::procurement::check_if_match(current.version, if_match)
        .map_err(|_| PartyRefusal::StaleEtag(current.version))?;
    let next = PartyRecord {
        party: current.party.clone(),
        profile,
        version: current.version + 1,
        updated_at: Some(ctx.now),
    };
    let entry = AuditDraft {
        subject: current.party.subject(),
        actor: ctx.actor.clone(),
        org_id: caller.org_id.clone(),
        action: "party.update".to_owned(),
        from_status: None,
        to_status: None,
        request_id: ctx.request_id.clone(),
        details: json!({ "version": next.version, "profile": next.profile }),
        at: ctx.now,
    };
    Ok((next, entry))
}
