//! The platform's commission: a rate in basis points (1/100 of a percent), the default
//! from `GROUPBUY_COMMISSION_BPS` or a shop's own set by a platform admin, taken once per
//! order when its group completes and kept on the order (so a later change of rate never
//! changes what a cancellation gives back).
//!
//! Rounding: the commission of an order is `total x bps / 10000` in the currency's minor
//! unit, rounded half-up (half a minor unit or more rounds up, less rounds down): 5% of
//! 0.10 TZS is 0.005, charged 0.01; 5% of 0.09 TZS is 0.0045, charged 0.00. Computed on the
//! order's total, never per unit, so an order's commission is never off by more than half
//! a minor unit, and the merchant gets exactly `total - commission`.

use crate::error::DomainError;
use crate::money::Money;

/// Basis points in a whole: a rate of 10000 takes everything.
pub const WHOLE_BPS: u16 = 10_000;

/// A commission rate, 0..=10000 basis points; valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommissionRate(u16);

impl CommissionRate {
    /// No commission (the default when `GROUPBUY_COMMISSION_BPS` is unset).
    pub const ZERO: Self = Self(0);

    /// A rate of `bps` basis points; `Validation` on `field` outside 0..=10000.
    ///
    /// # Errors
    /// A rate below zero or above a whole.
    pub fn from_bps(bps: i64, field: &str) -> Result<Self, DomainError> {
        u16::try_from(bps)
            .ok()
            .filter(|b| *b <= WHOLE_BPS)
            .map(Self)
            .ok_or_else(|| {
                DomainError::invalid(
                    field,
                    format!("{field} must be between 0 and {WHOLE_BPS} basis points"),
                )
            })
    }

    /// The rate in basis points.
    pub fn bps(&self) -> u16 {
        self.0
    }

    /// The commission on `total`, rounded half-up to the currency's minor unit (module
    /// docs); never more than `total`, never negative for a non-negative total.
    pub fn on(&self, total: Money) -> Money {
        let product = i128::from(total.minor()) * i128::from(self.0);
        let whole = i128::from(WHOLE_BPS);
        // Half-up on the magnitude: the same rule for a credit and for its reversal.
        let magnitude = (product.abs() + whole / 2) / whole;
        let minor = if product < 0 { -magnitude } else { magnitude };
        // |minor| <= |total|, which fits in i64.
        Money::from_minor(
            i64::try_from(minor).unwrap_or(total.minor()),
            total.currency(),
        )
    }

    /// The rate that applies to a shop: its own when a platform admin set one, else the
    /// platform's default.
    pub fn effective(own: Option<Self>, default: Self) -> Self {
        own.unwrap_or(default)
    }
}

impl std::fmt::Display for CommissionRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bps", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn tzs(minor: i64) -> Money {
        Money::from_minor(minor, Currency::TZS)
    }

    fn rate(bps: i64) -> CommissionRate {
        CommissionRate::from_bps(bps, "commissionBps").expect("valid")
    }

    #[test]
    fn rounds_half_up_to_the_minor_unit() {
        // 5% of 0.10 = 0.005 -> 0.01; of 0.09 = 0.0045 -> 0.00; of 0.30 = 0.015 -> 0.02.
        assert_eq!(rate(500).on(tzs(10)), tzs(1));
        assert_eq!(rate(500).on(tzs(9)), tzs(0));
        assert_eq!(rate(500).on(tzs(30)), tzs(2));
        // 2.5% of 80,000.00 = 2,000.00 exactly.
        assert_eq!(rate(250).on(tzs(8_000_000)), tzs(200_000));
        // 0.01% of 0.49 = 0.000049 -> 0; everything of anything is itself.
        assert_eq!(rate(1).on(tzs(49)), tzs(0));
        assert_eq!(rate(10_000).on(tzs(12_345)), tzs(12_345));
        assert_eq!(CommissionRate::ZERO.on(tzs(12_345)), tzs(0));
        // A tie found by the property test: 4,982,468,870,016.40 TZS at 56.25% is
        // 280,263,873,938,422.5 minor units, charged ...423 (half up).
        assert_eq!(
            rate(5_625).on(tzs(498_246_887_001_640)),
            tzs(280_263_873_938_423)
        );
        // A reversal rounds like the credit it reverses.
        assert_eq!(rate(500).on(tzs(-10)), tzs(-1));
    }

    #[test]
    fn a_zero_decimal_currency_rounds_to_whole_units() {
        let ugx = Currency::parse("UGX").expect("supported");
        assert_eq!(ugx.scale(), 0);
        let m = |minor| Money::from_minor(minor, ugx);
        assert_eq!(rate(1_000).on(m(15)), m(2)); // 1.5 -> 2
        assert_eq!(rate(1_000).on(m(14)), m(1)); // 1.4 -> 1
    }

    #[test]
    fn rates_outside_a_whole_are_refused_naming_the_field() {
        for bad in [-1, 10_001, i64::MAX] {
            let err = CommissionRate::from_bps(bad, "commissionBps").expect_err("refused");
            assert!(
                matches!(err, DomainError::Validation { ref field, .. } if field == "commissionBps")
            );
        }
        assert_eq!(rate(0), CommissionRate::ZERO);
        assert_eq!(rate(10_000).bps(), 10_000);
        assert_eq!(CommissionRate::effective(None, rate(300)), rate(300));
        assert_eq!(CommissionRate::effective(Some(rate(0)), rate(300)), rate(0));
    }

    proptest! {
        #[test]
        fn commission_is_within_the_total_and_half_up(
            total in 0i64..=Money::MAX_MINOR,
            bps in 0i64..=10_000,
        ) {
            let c = rate(bps).on(tzs(total)).minor();
            prop_assert!(c >= 0 && c <= total);
            // Exact: c is the nearest integer to total*bps/10000, ties up, so
            // c - total*bps/10000 lies in (-1/2, 1/2] (twice it, in basis points).
            let exact = i128::from(total) * i128::from(bps);
            let twice_diff = 2 * (i128::from(c) * 10_000 - exact);
            prop_assert!(twice_diff > -10_000 && twice_diff <= 10_000, "{twice_diff}");
        }
    }
}
