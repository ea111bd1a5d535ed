//! Every text an allocation writes, each template here and nowhere else. Amounts are printed
//! with the currency's decimals (`9.50`), counts with their noun (`1 unit`, `37 units`).

use crate::money::Money;

/// The rule of every `lowest_price_pro_rata` line.
pub(super) const RULE_LOWEST_PRICE: &str = "lowest price within ceiling";

/// The rule of every `single_vendor` line.
pub(super) const RULE_SINGLE_VENDOR: &str = "single vendor";

/// `need met in full: 50 units available for 3 members needing 37`.
pub(super) fn need_met(supply: i64, members: usize, need: i64) -> String {
    format!(
        "need met in full: {} available for {} needing {need}",
        units(supply),
        count(members, "member")
    )
}

/// `pro rata share of 30 units among 3 members needing 37`.
pub(super) fn pro_rata_share(supply: i64, members: usize, need: i64) -> String {
    format!(
        "pro rata share of {} among {} needing {need}",
        units(supply),
        count(members, "member")
    )
}

/// `cheapest vendor able to supply all 120 units within every member's price ceiling`.
pub(super) fn single_vendor(total: i64) -> String {
    format!(
        "cheapest vendor able to supply all {} within every member's price ceiling",
        units(total)
    )
}

/// `no vendor within price ceiling 9.50`: every valid offer is above the ceiling.
pub(super) fn no_vendor_within(ceiling: Money) -> String {
    format!("no vendor within price ceiling {ceiling}")
}

/// `not enough supply within price ceiling 9.50`: vendors within it ran out.
pub(super) fn supply_ran_out(ceiling: Money) -> String {
    format!("not enough supply within price ceiling {ceiling}")
}

/// `1 unit`, `37 units`.
pub(super) fn units(n: i64) -> String {
    count(n, "unit")
}

/// `1 member`, `3 members`: the noun in the plural unless the count is exactly one.
fn count(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    let plural = if n == "1" { "" } else { "s" };
    format!("{n} {noun}{plural}")
}
