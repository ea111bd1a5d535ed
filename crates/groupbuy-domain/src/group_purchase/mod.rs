//! Group purchases (seed 001): group instances of N seats bought at a locked group price,
//! participants, purchase and transfer history, orders, checkout sessions.

mod checkout;
mod instance;
mod ports;
mod rules;
mod views;

pub use checkout::{CheckoutRequest, CheckoutSession, CheckoutStatus, Order};
pub use instance::{
    GroupCode, GroupInstance, GroupStatus, Participant, ParticipantStatus, PurchaseRecord,
    TransferRecord,
};
pub use ports::GroupPurchaseStore;
#[cfg(feature = "mock")]
pub use ports::MockGroupPurchaseStore;
pub use rules::{
    check_join, check_new_group, check_rename, check_transfer, expired_message, parse_group_name,
    JoinCheck, TransferCheck,
};
pub use views::{GroupDetail, ParticipantDetail};
