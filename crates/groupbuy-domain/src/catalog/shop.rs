//! Shops: a merchant's storefront owning products.

use crate::error::DomainError;
use time::OffsetDateTime;
use uuid::Uuid;

/// A shop owned by one merchant user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    /// Shop id.
    pub id: Uuid,
    /// User id of the owning merchant.
    pub owner_id: String,
    /// Display name.
    pub name: String,
    /// Logo URL.
    pub logo: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// A validated request to open a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopDraft {
    /// Trimmed shop name, 1-120 characters.
    pub name: String,
    /// Logo URL.
    pub logo: Option<String>,
}

impl ShopDraft {
    /// Parses the fields of a new shop.
    pub fn parse(name: &str, logo: Option<String>) -> Result<Self, DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(DomainError::invalid(
                "shopName",
                "shopName must be between 1 and 120 characters",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            logo: clean_url(logo),
        })
    }

    /// The shop this draft opens for `owner_id`.
    pub fn into_shop(self, id: Uuid, owner_id: &str, now: OffsetDateTime) -> Shop {
        Shop {
            id,
            owner_id: owner_id.to_owned(),
            name: self.name,
            logo: self.logo,
            created_at: now,
        }
    }
}

/// Empty URL strings mean "none".
pub(crate) fn clean_url(url: Option<String>) -> Option<String> {
    url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty())
}
