//! Money: exact decimal amounts in a currency, stored as integer minor units.

use crate::error::{DomainError, Refusal};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// An ISO 4217 currency with the number of decimal places its amounts carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    scale: u32,
}

/// The currencies groupbuy accepts, with their ISO 4217 minor units.
const CURRENCIES: &[(&str, u32)] = &[
    ("TZS", 2),
    ("KES", 2),
    ("UGX", 0),
    ("RWF", 0),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("ZAR", 2),
    ("NGN", 2),
    ("INR", 2),
    ("CNY", 2),
    ("JPY", 0),
    ("KWD", 3),
    ("BHD", 3),
];

impl Currency {
    /// Tanzanian shilling, the default currency of the specs.
    pub const TZS: Currency = Currency {
        code: "TZS",
        scale: 2,
    };

    /// Parses an ISO 4217 code (case-insensitive) among the supported currencies.
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(code, scale)| Currency {
                code,
                scale: *scale,
            })
            .ok_or_else(|| {
                DomainError::invalid(
                    "currency",
                    format!("Unsupported currency: {code}. Use an ISO 4217 code such as TZS"),
                )
            })
    }

    /// The ISO 4217 code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Decimal places of this currency's amounts.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Every supported currency, in a stable order (documented as a closed set).
    pub fn supported() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(|(code, scale)| Currency {
            code,
            scale: *scale,
        })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// `Amount is too large`: an amount beyond what groupbuy stores.
/// The refusal of an amount past the bound or overflowing (`amount-too-large`).
pub(crate) fn too_large() -> DomainError {
    DomainError::Rule(Refusal::new("amount-too-large", "Amount is too large"))
}

/// An exact amount of money: integer minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// Money from minor units (as stored).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Parses a decimal amount for `field`, refusing more decimals than the currency has.
    pub fn from_decimal(
        amount: Decimal,
        currency: Currency,
        field: &str,
    ) -> Result<Self, DomainError> {
        let normalized = amount.normalize();
        if normalized.scale() > currency.scale() {
            return Err(DomainError::invalid(
                field,
                format!(
                    "{field} must have at most {} decimal places for {}",
                    currency.scale(),
                    currency.code()
                ),
            ));
        }
        let mut scaled = normalized;
        scaled.rescale(currency.scale());
        let minor = i64::try_from(scaled.mantissa())
            .ok()
            .filter(|m| m.unsigned_abs() <= Self::MAX_MINOR.unsigned_abs())
            .ok_or_else(|| {
                DomainError::invalid(
                    field,
                    format!(
                        "{field} must be at most {}",
                        Self::max(currency).to_decimal()
                    ),
                )
            })?;
        Ok(Self::from_minor(minor, currency))
    }

    /// The largest amount, and wallet balance, groupbuy holds: 10^15 minor units
    /// (10,000,000,000,000.00 in a two-decimal currency). Sums of a few such amounts stay
    /// far inside the 64-bit columns that store them, so no database arithmetic overflows.
    pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

    /// [`Money::MAX_MINOR`] in `currency`.
    pub fn max(currency: Currency) -> Self {
        Self::from_minor(Self::MAX_MINOR, currency)
    }

    /// Whether this amount is within [`Money::MAX_MINOR`] either side of zero.
    pub fn is_within_bounds(&self) -> bool {
        self.minor.unsigned_abs() <= Self::MAX_MINOR.unsigned_abs()
    }

    /// Parses a strictly positive amount for `field`.
    pub fn positive(amount: Decimal, currency: Currency, field: &str) -> Result<Self, DomainError> {
        let money = Self::from_decimal(amount, currency, field)?;
        if money.minor <= 0 {
            return Err(DomainError::invalid(
                field,
                format!("{field} must be greater than 0"),
            ));
        }
        Ok(money)
    }

    /// The amount in minor units.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as a decimal with exactly the currency's scale (80000.00).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.scale())
    }

    /// `self * quantity`, refusing overflow.
    pub fn times(&self, quantity: i64) -> Result<Self, DomainError> {
        self.minor
            .checked_mul(quantity)
            .map(|m| Self::from_minor(m, self.currency))
            .ok_or_else(too_large)
    }

    /// `self + other` in the same currency, refusing overflow or a currency mix.
    pub fn plus(&self, other: Money) -> Result<Self, DomainError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|m| Self::from_minor(m, self.currency))
            .ok_or_else(too_large)
    }

    /// `self - other` in the same currency (may be negative; callers check).
    pub fn minus(&self, other: Money) -> Result<Self, DomainError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|m| Self::from_minor(m, self.currency))
            .ok_or_else(too_large)
    }

    /// The same amount with the opposite sign (a debit of a credit); amounts stay within
    /// `MAX_MINOR`, so this never overflows.
    pub fn negated(&self) -> Self {
        Self::from_minor(self.minor.saturating_neg(), self.currency)
    }

    fn same_currency(&self, other: Money) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(currency_mismatch(self.currency, other.currency))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_decimal())
    }
}

impl Money {
    /// For people to read: the code, the units grouped by thousands with commas and the
    /// currency's decimals (`TZS 80,000.00`, `USD -1,234.50`).
    pub fn display_grouped(&self) -> String {
        let scale = self.currency.scale();
        let unit = 10u64.pow(scale);
        let abs = self.minor.unsigned_abs();
        let digits = (abs / unit).to_string();
        let mut units = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                units.push(',');
            }
            units.push(c);
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        let code = self.currency.code();
        if scale == 0 {
            format!("{code} {sign}{units}")
        } else {
            let frac = abs % unit;
            format!(
                "{code} {sign}{units}.{frac:0width$}",
                width = scale as usize
            )
        }
    }
}

/// The one refusal of money in another currency than the one held (a wallet, a price):
/// a state conflict, since the holder's currency is fixed once chosen.
pub fn currency_mismatch(held: Currency, offered: Currency) -> DomainError {
    DomainError::Conflict(Refusal::new(
        "currency-mismatch",
        format!("Currency {offered} does not match the {held} held"),
    ))
}

/// `part / whole * 100` rounded half away from zero to two decimals (40.00); 0 when `whole` is 0.
pub fn percentage(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::new(0, 2);
    }
    let mut pct = (part * Decimal::ONE_HUNDRED / whole)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    pct.rescale(2);
    pct
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn grouped_display_has_the_code_thousands_and_the_currency_decimals() {
        let tzs = |minor| Money::from_minor(minor, Currency::TZS).display_grouped();
        assert_eq!(tzs(8_000_000), "TZS 80,000.00");
        assert_eq!(tzs(5), "TZS 0.05");
        assert_eq!(tzs(99_900), "TZS 999.00");
        assert_eq!(tzs(100_000), "TZS 1,000.00");
        assert_eq!(tzs(-123_456_789), "TZS -1,234,567.89");
        assert_eq!(tzs(i64::MIN).len(), "TZS -92,233,720,368,547,758.08".len());
        for c in Currency::supported() {
            let shown = Money::from_minor(1_234_567, c).display_grouped();
            assert!(shown.starts_with(c.code()), "{shown}");
            let decimals = shown.split('.').nth(1).map_or(0, str::len);
            assert_eq!(decimals as u32, c.scale(), "{shown}");
        }
    }

    #[test]
    fn supported_currencies_are_the_ones_parse_accepts() {
        let all: Vec<Currency> = Currency::supported().collect();
        assert!(all.contains(&Currency::TZS));
        for c in &all {
            assert_eq!(Currency::parse(c.code()).expect("supported"), *c);
        }
        assert!(Currency::parse("XXX").is_err());
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    #[test]
    fn keeps_the_currency_scale() {
        let m = Money::from_decimal(dec("80000"), Currency::TZS, "groupPrice").expect("valid");
        assert_eq!(m.minor(), 8_000_000);
        assert_eq!(m.to_decimal().to_string(), "80000.00");
    }

    #[test]
    fn refuses_more_decimals_than_the_currency_has() {
        let err = Money::from_decimal(dec("1.005"), Currency::TZS, "amount")
            .expect_err("must be refused");
        assert!(matches!(err, DomainError::Validation { ref field, .. } if field == "amount"));
        let ugx = Currency::parse("ugx").expect("known");
        assert!(Money::from_decimal(dec("1.5"), ugx, "amount").is_err());
        assert!(Money::from_decimal(dec("1.50"), Currency::TZS, "amount").is_ok());
    }

    #[test]
    fn amounts_past_the_bound_are_refused_naming_the_field() {
        let err = Money::from_decimal(dec("92233720368547758.07"), Currency::TZS, "amount")
            .expect_err("past i64");
        assert_eq!(
            err,
            DomainError::invalid("amount", "amount must be at most 10000000000000.00")
        );
        assert!(Money::from_decimal(dec("10000000000000.01"), Currency::TZS, "amount").is_err());
        assert!(Money::from_decimal(dec("10000000000000.00"), Currency::TZS, "amount").is_ok());
        assert!(Money::from_decimal(dec("-10000000000000.01"), Currency::TZS, "amount").is_err());
    }

    #[test]
    fn positive_refuses_zero_and_negative() {
        assert!(Money::positive(dec("0"), Currency::TZS, "amount").is_err());
        assert!(Money::positive(dec("-1"), Currency::TZS, "amount").is_err());
    }

    #[test]
    fn unknown_currency_is_a_validation_error() {
        assert!(matches!(
            Currency::parse("XYZ"),
            Err(DomainError::Validation { .. })
        ));
    }

    #[test]
    fn percentages_round_to_two_places() {
        assert_eq!(percentage(dec("70000"), dec("150000")).to_string(), "46.67");
        assert_eq!(percentage(dec("4"), dec("10")).to_string(), "40.00");
        assert_eq!(percentage(dec("1"), dec("0")).to_string(), "0.00");
        assert_eq!(percentage(dec("3"), dec("7")).to_string(), "42.86");
    }

    #[test]
    fn mixing_currencies_is_refused() {
        let usd = Currency::parse("USD").expect("known");
        let a = Money::from_minor(1, Currency::TZS);
        assert!(a.plus(Money::from_minor(1, usd)).is_err());
    }

    proptest! {
        #[test]
        fn decimal_round_trip_is_exact(minor in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let m = Money::from_minor(minor, Currency::TZS);
            let back = Money::from_decimal(m.to_decimal(), Currency::TZS, "x").expect("round trip");
            prop_assert_eq!(back, m);
        }

        #[test]
        fn plus_then_minus_is_identity(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let x = Money::from_minor(a, Currency::TZS);
            let y = Money::from_minor(b, Currency::TZS);
            prop_assert_eq!(x.plus(y).and_then(|s| s.minus(y)).expect("no overflow"), x);
        }

        #[test]
        fn times_is_repeated_addition(unit in 1i64..10_000_000, qty in 1i64..50) {
            let u = Money::from_minor(unit, Currency::TZS);
            let mut sum = Money::zero(Currency::TZS);
            for _ in 0..qty { sum = sum.plus(u).expect("no overflow"); }
            prop_assert_eq!(u.times(qty).expect("no overflow"), sum);
        }

        #[test]
        fn percentage_stays_within_bounds(part in 0u32..10_000, extra in 0u32..10_000) {
            let whole = Decimal::from(part) + Decimal::from(extra);
            let pct = percentage(Decimal::from(part), whole);
            prop_assert!(pct >= Decimal::ZERO && pct <= Decimal::ONE_HUNDRED);
            prop_assert_eq!(pct.scale(), 2);
        }
    }
}
