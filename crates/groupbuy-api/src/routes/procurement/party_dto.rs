//! Bodies of parties (`/groupbuy/organisations/{org_id}`, `/groupbuy/vendors/{vendor_id}`),
//! of VAT, and of a document's invoice terms (issue 22).

use crate::envelope::rfc3339;
use groupbuy_domain::money::{Currency, Money};
use groupbuy_domain::procurement::party::{
    CounterpartyView, PartyFields, PartyRecord, PartyRef, PostalAddress, Vat,
};
use groupbuy_domain::procurement::settlement::{InvoiceTerms, PartySnapshot};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A VAT category and rate, as a request states it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VatBody {
    /// UNCL5305: S (standard, rate above 0), Z, E, AE, K, G (rate 0) or O (no rate).
    #[schema(value_type = crate::openapi::enums::VatCategory, example = "S")]
    pub category: String,
    /// Percent, at most two decimals (S: above 0, at most 100; others 0 or absent).
    #[schema(value_type = Option<f64>, example = 21, minimum = 0, maximum = 100, multiple_of = 0.01)]
    #[serde(
        default,
        deserialize_with = "crate::platform::extract::optional_json_number"
    )]
    pub rate: Option<Decimal>,
}

impl VatBody {
    /// As the domain parses it.
    pub fn fields(self) -> (String, Option<Decimal>) {
        (self.category, self.rate)
    }
}

/// A VAT category and rate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VatView {
    /// UNCL5305 category.
    #[schema(value_type = crate::openapi::enums::VatCategory, example = "S")]
    pub category: String,
    /// Percent; null for O, which states no rate.
    #[schema(value_type = Option<f64>, example = 21)]
    pub rate: Option<Decimal>,
}

impl From<Vat> for VatView {
    fn from(v: Vat) -> Self {
        Self {
            category: v.category.as_str().to_owned(),
            rate: v.percent(),
        }
    }
}

/// A postal address as a request states it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalAddressBody {
    /// Street and number (1-200 characters).
    #[schema(
        example = "Rue Haute 1",
        min_length = 1,
        max_length = 200,
        pattern = r"\S"
    )]
    pub street: String,
    /// City (1-200 characters).
    #[schema(
        example = "Brussels",
        min_length = 1,
        max_length = 200,
        pattern = r"\S"
    )]
    pub city: String,
    /// Postal code, where the country has them (at most 16 characters).
    #[schema(example = "1000", max_length = 16)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(value_type = crate::openapi::enums::CountryCode, example = "BE")]
    pub country: String,
}

impl From<PostalAddress> for PostalAddressBody {
    fn from(a: PostalAddress) -> Self {
        Self {
            street: a.street,
            city: a.city,
            postal_code: a.postal_code,
            country: a.country,
        }
    }
}

/// A Peppol electronic address.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElectronicAddressBody {
    /// EAS code (`0088` GLN, `0208` Belgian enterprise number, `9925` Belgian VAT, ...).
    #[schema(value_type = crate::openapi::enums::EasScheme, example = "0088")]
    pub scheme: String,
    /// The identifier in that scheme (check digit verified for 0088, 0192, 0184, 0208, 0007, 0151).
    #[schema(example = "5798000012349", max_length = 100)]
    pub identifier: String,
}

/// Body of `PUT /groupbuy/{organisations|vendors}/{id}`: the party's whole data (what is
/// left out is cleared). Every field is optional; what an invoice needs and is missing is
/// named when a pool is settled (409).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyBody {
    /// Legal (registration) name, 1-200 characters.
    #[schema(
        example = "Acme Co-operative SA",
        min_length = 1,
        max_length = 200,
        pattern = r"\S"
    )]
    pub legal_name: Option<String>,
    /// Postal address.
    pub postal_address: Option<PostalAddressBody>,
    /// VAT identifier with its ISO 3166-1 prefix (EL for Greece).
    #[schema(value_type = Option<crate::openapi::enums::VatIdentifier>)]
    pub vat_id: Option<String>,
    /// Peppol electronic address.
    pub electronic_address: Option<ElectronicAddressBody>,
    /// Contact email (at most 254 characters, one `@`, a dotted domain).
    #[schema(
        example = "ap@acme.example",
        max_length = 254,
        pattern = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
    )]
    pub contact_email: Option<String>,
    /// The VAT of what the party sells when its RFQ response (a vendor) or the pool's
    /// `rules.organiser_fee_vat` (an organiser's fee) states none.
    pub default_vat: Option<VatBody>,
}

impl From<PartyBody> for PartyFields {
    fn from(b: PartyBody) -> Self {
        Self {
            legal_name: b.legal_name,
            postal_address: b
                .postal_address
                .map(|a| (a.street, a.city, a.postal_code, a.country)),
            vat_id: b.vat_id,
            electronic_address: b.electronic_address.map(|e| (e.scheme, e.identifier)),
            contact_email: b.contact_email,
            default_vat: b.default_vat.map(VatBody::fields),
        }
    }
}

/// A party: whole for itself and platform admins; `legal_name` and `country` only for a
/// counterparty sharing a pool with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    /// `organisation` or `vendor`.
    #[schema(value_type = crate::openapi::enums::PartyKind, example = "organisation")]
    pub kind: String,
    /// The `org_id` or vendor id.
    pub id: String,
    /// Legal name.
    pub legal_name: Option<String>,
    /// ISO 3166-1 alpha-2 of its address.
    pub country: Option<String>,
    /// Postal address (the party itself and admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<PostalAddressBody>,
    /// VAT identifier (the party itself and admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    /// Peppol electronic address (the party itself and admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub electronic_address: Option<ElectronicAddressBody>,
    /// Contact email (the party itself and admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// Default VAT (the party itself and admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_vat: Option<VatView>,
    /// 0 before its first change (the party itself and admins; also the `ETag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// When it last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

fn kind_and_id(p: &PartyRef) -> (String, String) {
    (p.kind.as_str().to_owned(), p.id.clone())
}

impl From<PartyRecord> for PartyView {
    fn from(r: PartyRecord) -> Self {
        let (kind, id) = kind_and_id(&r.party);
        let p = r.profile;
        Self {
            kind,
            id,
            legal_name: p.legal_name,
            country: p.postal_address.as_ref().map(|a| a.country.clone()),
            postal_address: p.postal_address.map(PostalAddressBody::from),
            vat_id: p.vat_id,
            electronic_address: p.electronic_address.map(|e| ElectronicAddressBody {
                scheme: e.scheme,
                identifier: e.identifier,
            }),
            contact_email: p.contact_email,
            default_vat: p.default_vat.map(VatView::from),
            version: Some(r.version),
            updated_at: r.updated_at.map(rfc3339),
        }
    }
}

impl From<CounterpartyView> for PartyView {
    fn from(v: CounterpartyView) -> Self {
        let (kind, id) = kind_and_id(&v.party);
        Self {
            kind,
            id,
            legal_name: v.legal_name,
            country: v.country,
            postal_address: None,
            vat_id: None,
            electronic_address: None,
            contact_email: None,
            default_vat: None,
            version: None,
            updated_at: None,
        }
    }
}

/// A party as a document copied it at settlement.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartySnapshotView {
    /// The `org_id` or vendor id.
    pub id: String,
    /// Legal name.
    pub legal_name: String,
    /// Postal address.
    pub postal_address: PostalAddressBody,
    /// VAT identifier (absent when the document's lines are all O).
    pub vat_id: Option<String>,
    /// Peppol electronic address.
    pub electronic_address: ElectronicAddressBody,
    /// Contact email.
    pub contact_email: Option<String>,
}

impl From<PartySnapshot> for PartySnapshotView {
    fn from(s: PartySnapshot) -> Self {
        Self {
            id: s.id,
            legal_name: s.legal_name,
            postal_address: s.postal_address.into(),
            vat_id: s.vat_id,
            electronic_address: ElectronicAddressBody {
                scheme: s.electronic_address.scheme,
                identifier: s.electronic_address.identifier,
            },
            contact_email: s.contact_email,
        }
    }
}

/// One VAT breakdown of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct VatSubtotalView {
    /// Category and rate.
    pub vat: VatView,
    /// Net amount taxed at it.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub taxable_amount: Decimal,
    /// The VAT.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub tax_amount: Decimal,
}

/// Seller, buyer and VAT of a document as its invoice states them (documents settled
/// before parties existed have none).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    /// Who invoices.
    pub seller: PartySnapshotView,
    /// Who pays.
    pub buyer: PartySnapshotView,
    /// The buyer's reference: the member's purchase order reference, else the pool's id.
    pub buyer_reference: String,
    /// UN/ECE Rec 20 unit code of the goods lines.
    #[schema(example = "XBG")]
    pub unit_code: String,
    /// VAT of each line, in line order.
    pub line_vat: Vec<VatView>,
    /// One entry per distinct VAT.
    pub vat_breakdown: Vec<VatSubtotalView>,
    /// The document's VAT.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub tax_total: Decimal,
    /// `total` + `tax_total`: what is payable.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total_with_tax: Decimal,
}

impl InvoiceView {
    /// The terms of a document of `total_minor` in `currency`.
    pub fn new(t: InvoiceTerms, total_minor: i64, currency: Currency) -> Self {
        let money = |m: i64| Money::from_minor(m, currency).to_decimal();
        Self {
            seller: t.seller.into(),
            buyer: t.buyer.into(),
            buyer_reference: t.buyer_reference,
            unit_code: t.unit_code.as_str().to_owned(),
            line_vat: t.line_vat.into_iter().map(VatView::from).collect(),
            vat_breakdown: t
                .breakdown
                .iter()
                .map(|b| VatSubtotalView {
                    vat: b.vat.into(),
                    taxable_amount: money(b.taxable_minor),
                    tax_amount: money(b.tax_minor),
                })
                .collect(),
            tax_total: money(t.tax_minor),
            total_with_tax: money(total_minor.saturating_add(t.tax_minor)),
        }
    }
}
crate::payload!(PartyView);
