//! Sentences that list a closed set's names (`DRAFT, PUBLISHED, PAUSED or CLOSED`),
//! built from the set's derived list so a new variant is named in its refusals too.

use strum::IntoEnumIterator;

/// Declares a closed set: an enum of unit variants that derives its list
/// (`strum::EnumIter`), its wire name (`strum::IntoStaticStr`, with the enum's
/// `#[strum(serialize_all = ...)]` or a variant's `#[strum(serialize = ...)]`) and its
/// parsing (`strum::EnumString`), `Display` as the wire name, and `as_str()`. Attributes written inside (docs,
/// further derives such as serde's, `#[strum]`, `#[serde]`) are kept, so a new variant
/// is listed, named and parsed with no other edit.
macro_rules! closed_set {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            strum::EnumIter,
            strum::IntoStaticStr,
            strum::EnumString,
            strum::Display,
        )]
        $(#[$meta])*
        $vis enum $name { $($body)* }

        impl $name {
            /// The wire and stored name, as the enum's `strum` attributes derive it.
            pub fn as_str(&self) -> &'static str {
                self.into()
            }
        }
    };
}
pub(crate) use closed_set;

/// The wire names of every variant of `T`, in declaration order.
pub fn names<T: IntoEnumIterator + Into<&'static str>>() -> Vec<&'static str> {
    T::iter().map(Into::into).collect()
}

/// `a, b, c or d`: every name of `T`, the last joined with `last` (` or `).
pub(crate) fn listed<T: IntoEnumIterator + Into<&'static str>>(last: &str) -> String {
    let all = names::<T>();
    match all.split_last() {
        Some((tail, rest)) if !rest.is_empty() => format!("{}{last}{tail}", rest.join(", ")),
        Some((tail, _)) => (*tail).to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::GroupBuyStatus;

    /// Sets that are also serde types declare their case twice (serde's `rename_all` and
    /// strum's `serialize_all`): both must give every variant the same name.
    #[test]
    fn serde_and_strum_name_every_variant_alike() {
        fn check<T>()
        where
            T: IntoEnumIterator + Into<&'static str> + serde::Serialize + Copy,
        {
            for v in T::iter() {
                let name: &'static str = v.into();
                assert_eq!(
                    serde_json::to_value(v).expect("json"),
                    serde_json::json!(name)
                );
            }
        }
        use crate::procurement as p;
        check::<crate::platform::EventType>();
        check::<crate::order::OrderStatus>();
        check::<p::GroupBuyStatus>();
        check::<p::CommitmentStatus>();
        check::<p::JobType>();
        check::<p::JobStatus>();
        check::<p::Visibility>();
        check::<p::AllocationMethod>();
        check::<p::RfqStatus>();
    }

    #[test]
    fn names_are_listed_in_declaration_order() {
        assert_eq!(
            listed::<GroupBuyStatus>(" or "),
            "DRAFT, PUBLISHED, PAUSED or CLOSED"
        );
    }
}
