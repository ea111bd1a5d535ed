//! Every text a settlement writes on its documents, each template here and nowhere else.

use super::ItemInfo;

/// The description of the fee line on each receivable.
pub(super) const ORGANISER_FEE: &str = "Organiser fee";

/// What one committed unit is: its item's name, or its items' names joined
/// (`Maize flour + Cooking oil`); `Committed unit` when no item is known.
pub(super) fn unit_name(items: &[ItemInfo]) -> String {
    if items.is_empty() {
        return "Committed unit".to_owned();
    }
    join(items.iter().map(|i| i.name.as_str()), " + ")
}

/// The unit's SKU: its item's, or its items' joined (`MF-50+CO-5`); none when no item is known.
pub(super) fn unit_sku(items: &[ItemInfo]) -> Option<String> {
    (!items.is_empty()).then(|| join(items.iter().map(|i| i.sku.as_str()), "+"))
}

/// A payable's goods line: `Maize flour for Acme Co-op` (the member the vendor delivers to).
pub(super) fn delivered_to(unit: &str, member: &str) -> String {
    format!("{unit} for {member}")
}

/// A receivable's goods line: `Maize flour from Mills Ltd` (the vendor that supplies it).
pub(super) fn supplied_by(unit: &str, vendor: &str) -> String {
    format!("{unit} from {vendor}")
}

fn join<'a>(parts: impl Iterator<Item = &'a str>, separator: &str) -> String {
    parts.collect::<Vec<_>>().join(separator)
}
