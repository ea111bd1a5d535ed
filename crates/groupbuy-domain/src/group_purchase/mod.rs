//! Group purchases (seed 001): group instances of N seats bought at a locked group price,
//! participants, purchase and transfer history, orders, checkout sessions.

mod checkout;
mod events;
mod instance;
mod lifecycle;
mod pay;
mod ports;
mod refusal;
mod rules;
mod transfer;
mod views;

/// Orders have their own context ([`crate::order`]); a completion creates them.
pub use crate::order::{order_not_found, Order};
pub use checkout::{CheckoutRequest, CheckoutSession, CheckoutStatus};
pub use events::{group_subject, Refund};
pub use instance::{
    GroupCode, GroupInstance, GroupStatus, Participant, ParticipantStatus, PurchaseRecord,
    TransferRecord,
};
pub use lifecycle::{Closure, Completion, OpenGroup, Seller, Transition};
pub use pay::{pay, Members, PayIds, PayInto, PayRequest, Payment};
pub use ports::GroupPurchaseStore;
#[cfg(feature = "mock")]
pub use ports::MockGroupPurchaseStore;
pub use refusal::{
    group_code_not_found, group_not_found, group_not_visible, session_not_found,
    GroupPurchaseRefusal, TransferSide,
};
pub use rules::{
    check_join, check_new_group, check_rename, check_transfer, parse_group_name, JoinCheck,
    TransferCheck,
};
pub use transfer::{transfer, TransferPlan};
pub use views::{GroupDetail, ParticipantDetail};
