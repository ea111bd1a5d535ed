//! Shops and products.

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::schema::{products, shops};
use diesel::prelude::*;
use groupbuy_domain::catalog::{
    manages_shop, CatalogStore, GroupTimeLimit, Product, ProductDraft, ProductPatch, Shop,
    ShopDraft, LISTED_MAX,
};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::{DomainError, Principal};
use rust_decimal::Decimal;
use std::str::FromStr;
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

/// A `shops` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = shops)]
struct ShopRow {
    id: String,
    owner_id: String,
    name: String,
    logo: Option<String>,
    created_at: PrimitiveDateTime,
}

impl ShopRow {
    fn from_domain(s: &Shop) -> Self {
        Self {
            id: s.id.to_string(),
            owner_id: s.owner_id.clone(),
            name: s.name.clone(),
            logo: s.logo.clone(),
            created_at: to_db_time(s.created_at),
        }
    }

    fn into_domain(self) -> Result<Shop, StoreError> {
        Ok(Shop {
            id: parse_uuid(&self.id)?,
            owner_id: self.owner_id,
            name: self.name,
            logo: self.logo,
            created_at: from_db_time(self.created_at),
        })
    }
}

/// A `products` row.
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = products)]
pub(crate) struct ProductRow {
    id: String,
    shop_id: String,
    name: String,
    image: Option<String>,
    currency: String,
    regular_price_minor: i64,
    group_price_minor: i64,
    stock_quantity: i64,
    reserved_quantity: i64,
    group_buying_enabled: bool,
    group_max_size: i32,
    group_time_limit_hours: String,
    max_per_customer: Option<i32>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

impl ProductRow {
    fn from_domain(p: &Product) -> Self {
        Self {
            id: p.id.to_string(),
            shop_id: p.shop_id.to_string(),
            name: p.name.clone(),
            image: p.image.clone(),
            currency: p.currency().code().to_owned(),
            regular_price_minor: p.regular_price.minor(),
            group_price_minor: p.group_price.minor(),
            stock_quantity: p.stock_quantity,
            reserved_quantity: p.reserved_quantity,
            group_buying_enabled: p.group_buying_enabled,
            group_max_size: p.group_max_size,
            group_time_limit_hours: p.group_time_limit.hours().to_string(),
            max_per_customer: p.max_per_customer,
            created_at: to_db_time(p.created_at),
            updated_at: to_db_time(p.updated_at),
        }
    }

    pub(crate) fn into_domain(self) -> Result<Product, StoreError> {
        let hours = Decimal::from_str(&self.group_time_limit_hours)
            .map_err(|e| StoreError::Corrupt(format!("hours: {e}")))?;
        Ok(Product {
            id: parse_uuid(&self.id)?,
            shop_id: parse_uuid(&self.shop_id)?,
            name: self.name,
            image: self.image,
            regular_price: money(self.regular_price_minor, &self.currency)?,
            group_price: money(self.group_price_minor, &self.currency)?,
            stock_quantity: self.stock_quantity,
            reserved_quantity: self.reserved_quantity,
            group_buying_enabled: self.group_buying_enabled,
            group_max_size: self.group_max_size,
            group_time_limit: GroupTimeLimit::parse(hours)?,
            max_per_customer: self.max_per_customer,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

/// Loads a shop row.
pub(crate) fn load_shop(
    conn: &mut DbConnection,
    shop_id: Uuid,
) -> Result<Option<Shop>, StoreError> {
    shops::table
        .find(shop_id.to_string())
        .select(ShopRow::as_select())
        .first(conn)
        .optional()?
        .map(ShopRow::into_domain)
        .transpose()
}

/// Loads a product row.
pub(crate) fn load_product(
    conn: &mut DbConnection,
    product_id: Uuid,
) -> Result<Option<Product>, StoreError> {
    products::table
        .find(product_id.to_string())
        .select(ProductRow::as_select())
        .first(conn)
        .optional()?
        .map(ProductRow::into_domain)
        .transpose()
}

fn shop_not_found(id: Uuid) -> DomainError {
    groupbuy_domain::catalog::shop_not_found(id)
}

/// The message seed 001 gives for a missing product.
pub(crate) fn product_not_found() -> DomainError {
    groupbuy_domain::catalog::product_not_found()
}

/// The caller's shop, or NotFound (another merchant's shop is indistinguishable from none).
pub(crate) fn owned_shop(
    conn: &mut DbConnection,
    owner: &Principal,
    shop_id: Uuid,
) -> Result<Shop, StoreError> {
    match load_shop(conn, shop_id)? {
        Some(shop) if manages_shop(owner, &shop.owner_id) => Ok(shop),
        _ => Err(shop_not_found(shop_id).into()),
    }
}

impl CatalogStore for Database {
    fn create_shop(
        &self,
        owner: &Principal,
        draft: ShopDraft,
        now: OffsetDateTime,
        answer: Answer<Shop>,
    ) -> Result<Shop, DomainError> {
        let shop = draft.into_shop(Uuid::new_v4(), &owner.user_id, now);
        self.write_answered(answer, |conn| {
            diesel::insert_into(shops::table)
                .values(ShopRow::from_domain(&shop))
                .execute(conn)?;
            Ok(shop)
        })
    }

    fn shop(&self, shop_id: Uuid) -> Result<Shop, DomainError> {
        self.read(|conn| load_shop(conn, shop_id)?.ok_or_else(|| shop_not_found(shop_id).into()))
    }

    fn create_product(
        &self,
        owner: &Principal,
        shop_id: Uuid,
        draft: ProductDraft,
        now: OffsetDateTime,
        answer: Answer<Product>,
    ) -> Result<Product, DomainError> {
        self.write_answered(answer, |conn| {
            owned_shop(conn, owner, shop_id)?;
            let product = draft.into_product(Uuid::new_v4(), shop_id, now);
            diesel::insert_into(products::table)
                .values(ProductRow::from_domain(&product))
                .execute(conn)?;
            Ok(product)
        })
    }

    fn owned_shops(&self, owner: &Principal) -> Result<Vec<Shop>, DomainError> {
        self.read(|conn| {
            shops::table
                .filter(shops::owner_id.eq(&owner.user_id))
                .order((shops::created_at.desc(), shops::id.desc()))
                .limit(LISTED_MAX)
                .select(ShopRow::as_select())
                .load(conn)?
                .into_iter()
                .map(ShopRow::into_domain)
                .collect::<Result<_, _>>()
        })
    }

    fn shop_products(&self, owner: &Principal, shop_id: Uuid) -> Result<Vec<Product>, DomainError> {
        self.read(|conn| {
            owned_shop(conn, owner, shop_id)?;
            products::table
                .filter(products::shop_id.eq(shop_id.to_string()))
                .order((products::created_at.desc(), products::id.desc()))
                .limit(LISTED_MAX)
                .select(ProductRow::as_select())
                .load(conn)?
                .into_iter()
                .map(ProductRow::into_domain)
                .collect::<Result<_, _>>()
        })
    }

    fn product(&self, product_id: Uuid) -> Result<Product, DomainError> {
        self.read(|conn| load_product(conn, product_id)?.ok_or_else(|| product_not_found().into()))
    }

    fn update_product(
        &self,
        owner: &Principal,
        product_id: Uuid,
        patch: ProductPatch,
        now: OffsetDateTime,
    ) -> Result<Product, DomainError> {
        self.write(|conn| {
            let current = lock_product(conn, product_id)?.ok_or_else(product_not_found)?;
            owned_shop(conn, owner, current.shop_id)
                .map_err(|_| StoreError::from(product_not_found()))?;
            let updated = patch.apply(&current, now)?;
            let (old, new) = (
                ProductRow::from_domain(&current),
                ProductRow::from_domain(&updated),
            );
            // Only the fields the patch changed are written; stock moves by a relative
            // delta and reserved_quantity is never written from here, so a group completing
            // (which takes stock) is never overwritten, and the floor is re-checked against
            // the newest value in the same statement.
            let stock_delta = new.stock_quantity - old.stock_quantity;
            let changes = ProductChanges {
                name: changed(&old.name, &new.name),
                image: changed(&old.image, &new.image),
                regular_price_minor: changed(&old.regular_price_minor, &new.regular_price_minor),
                group_price_minor: changed(&old.group_price_minor, &new.group_price_minor),
                group_buying_enabled: changed(&old.group_buying_enabled, &new.group_buying_enabled),
                group_max_size: changed(&old.group_max_size, &new.group_max_size),
                group_time_limit_hours: changed(
                    &old.group_time_limit_hours,
                    &new.group_time_limit_hours,
                ),
                max_per_customer: changed(&old.max_per_customer, &new.max_per_customer),
                updated_at: new.updated_at,
            };
            let stock = (stock_delta != 0)
                .then(|| products::stock_quantity.eq(products::stock_quantity + stock_delta));
            let changed_rows =
                diesel::update(products::table.find(product_id.to_string()).filter(
                    products::reserved_quantity.le(products::stock_quantity + stock_delta),
                ))
                .set((changes, stock))
                .execute(conn)?;
            if changed_rows == 0 {
                return Err(groupbuy_domain::catalog::stock_below_reserved(None).into());
            }
            load_product(conn, product_id)?.ok_or_else(|| product_not_found().into())
        })
    }
}

/// The columns a product patch may write; `None` leaves a column as it is.
#[derive(AsChangeset)]
#[diesel(table_name = products)]
struct ProductChanges {
    name: Option<String>,
    image: Option<Option<String>>,
    regular_price_minor: Option<i64>,
    group_price_minor: Option<i64>,
    group_buying_enabled: Option<bool>,
    group_max_size: Option<i32>,
    group_time_limit_hours: Option<String>,
    max_per_customer: Option<Option<i32>>,
    updated_at: PrimitiveDateTime,
}

/// `Some(new)` when it differs from `old`.
fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
    (old != new).then(|| new.clone())
}

/// Loads a product, locking its row until the transaction ends (PostgreSQL; SQLite's
/// IMMEDIATE transaction already holds the only write lock), so a patch decides on the
/// newest stock.
fn lock_product(conn: &mut DbConnection, product_id: Uuid) -> Result<Option<Product>, StoreError> {
    let query = products::table.find(product_id.to_string());
    let row = match conn {
        DbConnection::Pg(c) => query
            .select(ProductRow::as_select())
            .for_no_key_update()
            .first(c)
            .optional()?,
        DbConnection::Sqlite(c) => query.select(ProductRow::as_select()).first(c).optional()?,
    };
    row.map(ProductRow::into_domain).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use groupbuy_domain::catalog::ProductFields;

    fn merchant(id: &str) -> Principal {
        Principal {
            user_id: id.into(),
            roles: vec!["merchant".into()],
            ..Default::default()
        }
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
    }

    fn draft() -> ProductDraft {
        ProductDraft::parse(ProductFields {
            name: "Headphones".into(),
            image: None,
            regular_price: Decimal::from(150_000),
            group_price: Decimal::from(80_000),
            currency: None,
            stock_quantity: 100,
            group_buying_enabled: true,
            group_max_size: 10,
            group_time_limit_hours: Decimal::from_str("0.5").expect("dec"),
            max_per_customer: Some(5),
        })
        .expect("valid draft")
    }

    fn products_round_trip_exactly(db: &Database) {
        let owner = merchant("m1");
        let shop = db
            .create_shop(
                &owner,
                ShopDraft::parse("TechWorld", None).expect("valid"),
                now(),
                Answer::none(),
            )
            .expect("shop");
        let created = db
            .create_product(&owner, shop.id, draft(), now(), Answer::none())
            .expect("product");
        let loaded = db.product(created.id).expect("load");
        assert_eq!(loaded, created);
        assert_eq!(loaded.group_time_limit.seconds(), 1800);
        assert_eq!(db.shop(shop.id).expect("shop"), shop);
    }

    fn another_merchants_shop_is_not_found(db: &Database) {
        let shop = db
            .create_shop(
                &merchant("m1"),
                ShopDraft::parse("Mine", None).expect("valid"),
                now(),
                Answer::none(),
            )
            .expect("shop");
        let err = db
            .create_product(&merchant("m2"), shop.id, draft(), now(), Answer::none())
            .expect_err("must be refused");
        assert!(matches!(err, DomainError::NotFound(_)));
        let p = db
            .create_product(&merchant("m1"), shop.id, draft(), now(), Answer::none())
            .expect("product");
        let err = db
            .update_product(&merchant("m2"), p.id, ProductPatch::default(), now())
            .expect_err("must be refused");
        assert!(matches!(err, DomainError::NotFound(_)));
    }

    fn patch_updates_fields(db: &Database) {
        let owner = merchant("m1");
        let shop = db
            .create_shop(
                &owner,
                ShopDraft::parse("Mine", None).expect("valid"),
                now(),
                Answer::none(),
            )
            .expect("shop");
        let p = db
            .create_product(&owner, shop.id, draft(), now(), Answer::none())
            .expect("product");
        let patch = ProductPatch {
            stock_quantity: Some(7),
            name: Some("New".into()),
            ..Default::default()
        };
        let updated = db
            .update_product(&owner, p.id, patch, now())
            .expect("patched");
        assert_eq!(updated.stock_quantity, 7);
        assert_eq!(updated.name, "New");
        assert_eq!(db.product(p.id).expect("load").name, "New");
    }

    fn listings_show_only_the_callers_shops_and_products(db: &Database) {
        let shop = db
            .create_shop(
                &merchant("m1"),
                ShopDraft::parse("Mine", None).expect("valid"),
                now(),
                Answer::none(),
            )
            .expect("shop");
        let p = db
            .create_product(&merchant("m1"), shop.id, draft(), now(), Answer::none())
            .expect("product");
        assert_eq!(
            db.owned_shops(&merchant("m1")).expect("list"),
            vec![shop.clone()]
        );
        assert!(db.owned_shops(&merchant("m2")).expect("list").is_empty());
        assert_eq!(
            db.shop_products(&merchant("m1"), shop.id).expect("list"),
            vec![p]
        );
        let err = db
            .shop_products(&merchant("m2"), shop.id)
            .expect_err("must be refused");
        assert!(matches!(err, DomainError::NotFound(_)));
    }

    fn missing_product_is_not_found(db: &Database) {
        assert_eq!(
            db.product(Uuid::new_v4()).expect_err("must be refused"),
            product_not_found()
        );
    }

    crate::on_both_backends!(
        products_round_trip_exactly,
        another_merchants_shop_is_not_found,
        patch_updates_fields,
        missing_product_is_not_found,
        listings_show_only_the_callers_shops_and_products
    );
}
