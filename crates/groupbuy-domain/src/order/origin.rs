//! Where an order came from, and so who sells it: a completed group of a shop's product,
//! or a paid pre-order of a campaign under a handle. The origin decides the merchant
//! account its money settles into and whether a cancellation gives units back to stock.

use crate::campaign::Handle;
use crate::names::closed_set;
use crate::wallet::Account;
use uuid::Uuid;

closed_set! {
    /// What kind of origin an order has, as the API names it; list and names derived.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum OrderSource {
        /// A completed group of a shop's product.
        Group,
        /// A paid pre-order of a campaign under a handle.
        CampaignPreorder,
    }
}

/// The source of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOrigin {
    /// One participant's seats of a completed group: the product's shop ships them.
    Group {
        /// The group whose completion created the order.
        group_instance_id: Uuid,
        /// That group's code.
        group_code: String,
        /// The buyer's participation in the group.
        participant_id: Uuid,
        /// The product: the stock a cancellation gives the units back to.
        product_id: Uuid,
        /// The shop that sells the product and ships the order.
        shop_id: Uuid,
    },
    /// A pledger's paid pre-order of a closed campaign: the campaign's handle ships it.
    /// Campaign stock is the merchant's own, so a cancellation refunds and restocks nothing.
    Preorder {
        /// The campaign (group-buy) that closed into the pre-order.
        group_buy_id: Uuid,
        /// The handle selling it.
        handle: Handle,
        /// The pre-order's payment session.
        preorder_id: Uuid,
    },
}

impl OrderOrigin {
    /// Its kind.
    pub fn source(&self) -> OrderSource {
        match self {
            Self::Group { .. } => OrderSource::Group,
            Self::Preorder { .. } => OrderSource::CampaignPreorder,
        }
    }

    /// The merchant account the order's money settles into.
    pub fn merchant(&self) -> Account {
        match self {
            Self::Group { shop_id, .. } => Account::merchant(*shop_id),
            Self::Preorder { handle, .. } => Account::handle_merchant(handle),
        }
    }

    /// The shop that ships it (group orders).
    pub fn shop_id(&self) -> Option<Uuid> {
        match self {
            Self::Group { shop_id, .. } => Some(*shop_id),
            Self::Preorder { .. } => None,
        }
    }

    /// The product whose stock it came from (group orders).
    pub fn product_id(&self) -> Option<Uuid> {
        match self {
            Self::Group { product_id, .. } => Some(*product_id),
            Self::Preorder { .. } => None,
        }
    }

    /// The group that created it (group orders).
    pub fn group_instance_id(&self) -> Option<Uuid> {
        match self {
            Self::Group {
                group_instance_id, ..
            } => Some(*group_instance_id),
            Self::Preorder { .. } => None,
        }
    }

    /// That group's code (group orders).
    pub fn group_code(&self) -> Option<&str> {
        match self {
            Self::Group { group_code, .. } => Some(group_code),
            Self::Preorder { .. } => None,
        }
    }

    /// The campaign it was pledged in (pre-orders).
    pub fn group_buy_id(&self) -> Option<Uuid> {
        match self {
            Self::Preorder { group_buy_id, .. } => Some(*group_buy_id),
            Self::Group { .. } => None,
        }
    }

    /// The handle selling it (pre-orders).
    pub fn handle(&self) -> Option<&Handle> {
        match self {
            Self::Preorder { handle, .. } => Some(handle),
            Self::Group { .. } => None,
        }
    }
}
