//! VAT as an EN 16931 invoice states it: a category of UNCL5305 and a rate, on a vendor's
//! price, on the organiser's fee, or as a party's default for what it sells.

use crate::error::DomainError;
use crate::names::{closed_set, listed};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

closed_set! {
    /// A VAT category of UNCL5305 (the subset EN 16931 uses for invoices between
    /// businesses). Its list and names are derived (`strum`, serde with the same names).
    #[derive(Serialize, Deserialize, PartialOrd, Ord)]
    pub enum VatCategory {
        /// standard rate (a rate above 0)
        #[strum(serialize = "S")]
        #[serde(rename = "S")]
        Standard,
        /// zero rated goods (rate 0)
        #[strum(serialize = "Z")]
        #[serde(rename = "Z")]
        ZeroRated,
        /// exempt from VAT (rate 0)
        #[strum(serialize = "E")]
        #[serde(rename = "E")]
        Exempt,
        /// VAT reverse charge (rate 0; the buyer accounts for the VAT)
        #[strum(serialize = "AE")]
        #[serde(rename = "AE")]
        ReverseCharge,
        /// intra-community supply in the EEA (rate 0)
        #[strum(serialize = "K")]
        #[serde(rename = "K")]
        IntraCommunity,
        /// free export item, VAT not charged (rate 0)
        #[strum(serialize = "G")]
        #[serde(rename = "G")]
        Export,
        /// services outside the scope of tax (no rate; never mixed with another category)
        #[strum(serialize = "O")]
        #[serde(rename = "O")]
        NotSubject,
    }
}

impl VatCategory {
    /// The exemption reason an invoice must state for this category (BR-E-10, BR-AE-10,
    /// BR-IC-10, BR-G-10, BR-O-10): a VATEX code where one fits the whole category, and a
    /// text. None for S and Z, which must state none.
    pub fn exemption(&self) -> Option<(Option<&'static str>, &'static str)> {
        match self {
            Self::Standard | Self::ZeroRated => None,
            Self::Exempt => Some((None, "Exempt from VAT")),
            Self::ReverseCharge => Some((Some("VATEX-EU-AE"), "Reverse charge")),
            Self::IntraCommunity => Some((Some("VATEX-EU-IC"), "Intra-Community supply")),
            Self::Export => Some((Some("VATEX-EU-G"), "Export outside the EU")),
            Self::NotSubject => Some((Some("VATEX-EU-O"), "Not subject to VAT")),
        }
    }

    /// Whether an invoice with this category must name the seller's VAT identifier
    /// (BR-S-02, BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02, BR-G-02); O forbids it (BR-O-02).
    pub fn needs_seller_vat_id(&self) -> bool {
        *self != Self::NotSubject
    }

    /// Whether it must name the buyer's VAT identifier too (BR-AE-02, BR-IC-02).
    pub fn needs_buyer_vat_id(&self) -> bool {
        matches!(self, Self::ReverseCharge | Self::IntraCommunity)
    }
}

/// The highest VAT rate, in hundredths of a percent (100%).
pub const MAX_VAT_RATE_HUNDREDTHS: u32 = 10_000;

/// A VAT category with its rate: S above 0, every other category 0 (O states none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Vat {
    /// The category.
    pub category: VatCategory,
    /// The rate in hundredths of a percent (`2100` = 21%, `550` = 5.5%).
    pub rate_hundredths: u32,
}

impl Vat {
    /// Parses `category` and `rate` (percent, at most two decimals) for `field`: S needs
    /// a rate above 0 and at most 100; the other categories take 0 or no rate.
    ///
    /// # Errors
    /// `Validation` on `{field}.category` or `{field}.rate`.
    pub fn parse(field: &str, category: &str, rate: Option<Decimal>) -> Result<Self, DomainError> {
        let category: VatCategory = category.trim().parse().map_err(|_| {
            DomainError::invalid(
                format!("{field}.category"),
                format!(
                    "{field}.category must be one of {} (UNCL5305)",
                    listed::<VatCategory>(" or ")
                ),
            )
        })?;
        let rate_field = format!("{field}.rate");
        let out_of_range = || {
            DomainError::invalid(
                rate_field.clone(),
                format!("{rate_field} must be a percentage from 0 to 100 with at most 2 decimals"),
            )
        };
        let hundredths = match rate {
            None => 0,
            Some(r) => {
                let scaled = (r * Decimal::ONE_HUNDRED).normalize();
                if scaled.scale() != 0 {
                    return Err(out_of_range());
                }
                scaled
                    .to_u32()
                    .filter(|h| *h <= MAX_VAT_RATE_HUNDREDTHS)
                    .ok_or_else(out_of_range)?
            }
        };
        match (category, hundredths) {
            (VatCategory::Standard, 0) => Err(DomainError::invalid(
                rate_field.clone(),
                format!("{rate_field} must be above 0 for category S"),
            )),
            (VatCategory::Standard, h) => Ok(Self {
                category,
                rate_hundredths: h,
            }),
            (_, 0) => Ok(Self {
                category,
                rate_hundredths: 0,
            }),
            (other, _) => Err(DomainError::invalid(
                rate_field.clone(),
                format!("{rate_field} must be 0 for category {other}"),
            )),
        }
    }

    /// The rate as a percentage (`21`, `5.5`); None for O, which states no rate.
    pub fn percent(&self) -> Option<Decimal> {
        (self.category != VatCategory::NotSubject)
            .then(|| Decimal::new(i64::from(self.rate_hundredths), 2).normalize())
    }

    /// The VAT on `taxable_minor`, rounded half up to a multiple of `step` minor units.
    pub fn tax_on(&self, taxable_minor: i64, step: i64) -> Option<i64> {
        let raw = i128::from(taxable_minor) * i128::from(self.rate_hundredths);
        let unit = 10_000 * i128::from(step);
        let rounded = (raw + unit / 2).div_euclid(unit) * i128::from(step);
        i64::try_from(rounded).ok()
    }
}
