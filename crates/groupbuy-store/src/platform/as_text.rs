//! Closed sets (statuses, kinds, event types) stored as their wire name in a TEXT column
//! through Diesel's `ToSql`/`FromSql`, so rows hold domain values and no call site writes
//! `.as_str()` or parses a stored name.
//!
//! The domain stays free of Diesel, and the orphan rule forbids implementing Diesel's
//! traits for its enums here: [`AsText`] is the one local wrapper that carries them, for
//! every backend whose `str`/`String` are TEXT (PostgreSQL, SQLite and the
//! `MultiConnection` backend over both).

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use std::fmt::Debug;
use std::str::FromStr;

/// A closed set's value as its wire name (`OPEN`, `group.created`) in a TEXT column. A
/// stored name the set does not know fails to load (a deserialization error: the row is
/// corrupt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub(crate) struct AsText<T>(pub T);

impl<T, DB> ToSql<Text, DB> for AsText<T>
where
    T: Into<&'static str> + Copy + Debug,
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        let name: &'static str = self.0.into();
        name.to_sql(out)
    }
}

impl<T, DB> FromSql<Text, DB> for AsText<T>
where
    T: FromStr,
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let name = String::from_sql(bytes)?;
        name.parse()
            .map(AsText)
            .map_err(|_| format!("unknown stored name {name}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use groupbuy_domain::platform::EventType;
    use groupbuy_domain::procurement::JobStatus;

    fn stores_the_wire_name_and_reads_it_back(db: &Database) {
        let (name, back): (String, AsText<EventType>) = db
            .read(|c| {
                Ok(diesel::select((
                    AsText(EventType::SeatsTransferred).into_sql::<Text>(),
                    sql::<Text>("'vendor.response.received'"),
                ))
                .get_result(c)?)
            })
            .expect("select");
        assert_eq!(name, "seats.transferred");
        assert_eq!(back, AsText(EventType::VendorResponseReceived));
    }

    fn an_unknown_stored_name_does_not_load(db: &Database) {
        let got = db.read(|c| {
            Ok(diesel::select(sql::<Text>("'done'")).get_result::<AsText<JobStatus>>(c)?)
        });
        assert!(got.is_err(), "{got:?}");
    }

    crate::on_both_backends!(
        stores_the_wire_name_and_reads_it_back,
        an_unknown_stored_name_does_not_load
    );
}
