//! Every text a person reads on the public pages, in English: translating the pages is
//! translating this one file (the templates hold no words of their own).

/// The site's name, after every page title.
pub const SITE: &str = "groupbuy";
/// The HTML `lang` of the pages.
pub const LANG: &str = "en";

/// Label of the header's account navigation.
pub const ACCOUNT: &str = "Account";
/// Before the signed-in person's name.
pub const SIGNED_IN_AS: &str = "Signed in as";
/// Link to the console.
pub const CONSOLE: &str = "Console";
/// The sign-out button.
pub const SIGN_OUT: &str = "Sign out";
/// The sign-in link.
pub const SIGN_IN: &str = "Sign in";

/// Title of the home page.
pub const HOME_TITLE: &str = "Buy together, pay less";
/// What the site is, on the home page.
pub const HOME_INTRO: &str = "Join a group started by a friend, or open your own: when every \
     seat is taken, everyone pays the group price. If a group does not fill in time, everyone \
     is refunded.";
/// Label of the group-code field.
pub const GROUP_CODE: &str = "Group code";
/// The home page's button.
pub const OPEN_GROUP_BY_CODE: &str = "Open the group";

/// A status code of any surface (group, campaign, order, pool, commitment, RFQ) as the
/// console's tables show it; an unknown code is shown as it is.
pub fn status_word(code: &str) -> &str {
    match code {
        "OPEN" => "Open",
        "COMPLETED" => "Completed",
        "FAILED" => "Failed",
        "DELETED" => "Removed",
        "DRAFT" => "Draft",
        "PUBLISHED" => "Published",
        "PAUSED" => "Paused",
        "CLOSED" => "Closed",
        "CONFIRMED" => "To ship",
        "SHIPPED" => "Shipped",
        "DELIVERED" => "Delivered",
        "CANCELLED" => "Cancelled",
        "SOURCING" => "Collecting quotes",
        "ALLOCATED" => "Allocated",
        "SETTLED" => "Settled",
        "EXPIRED" => "Expired",
        "ACTIVE" => "Active",
        "WITHDRAWN" => "Withdrawn",
        other => other,
    }
}

/// Title of the page answering a rate-limited page request (429).
pub const TOO_MANY_TITLE: &str = "Too many requests";
/// Body of that page: how long to wait.
pub fn too_many_body(seconds: i64) -> String {
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!(
        "You sent many requests in a short time. Wait {seconds} {unit}, then try again: \
         nothing you sent just now was done."
    )
}

/// Title of the page answering an address with control characters (400).
pub const DAMAGED_LINK_TITLE: &str = "This link is damaged";
/// Body of that page.
pub const DAMAGED_LINK_BODY: &str =
    "The address holds characters no link can carry. Check where it came from, or start from the home page.";

/// Title and heading of the 404 page.
pub const NOT_FOUND_TITLE: &str = "Page not found";
/// Body of the 404 page.
pub const NOT_FOUND_BODY: &str =
    "There is nothing here: the link may be mistyped, or what it pointed to is gone.";

/// "Sold by" before the shop's name.
pub const SOLD_BY: &str = "Sold by";
/// Label of the group price.
pub const GROUP_PRICE: &str = "Group price";
/// Label of the regular price.
pub const REGULAR_PRICE: &str = "Regular price";
/// Label of the saving per seat.
pub const YOU_SAVE: &str = "You save";
/// Heading of the participants list.
pub const PARTICIPANTS: &str = "Participants";
/// Shown when a group has nobody in it.
pub const NO_PARTICIPANTS: &str = "Nobody has joined yet.";
/// Label of the status line.
pub const STATUS: &str = "Status";
/// Alternative text of a participant's picture.
pub const PICTURE_OF: &str = "Picture of";

/// A group's status as people read it (OPEN, COMPLETED, FAILED...).
pub fn group_status(status: &str) -> &'static str {
    match status {
        "OPEN" => "Open: seats are still available",
        "COMPLETED" => "Completed: every seat was taken",
        "FAILED" => "Failed: the group did not fill in time and was refunded",
        _ => "Closed",
    }
}

/// `4 of 10 seats taken`.
pub fn seats(taken: i32, total: i32) -> String {
    format!("{taken} of {total} seats taken")
}

/// The link preview's description: `4 of 10 seats, 6 h left`.
pub fn preview(taken: i32, total: i32, left: &str) -> String {
    format!("{taken} of {total} seats, {left}")
}

/// Time until `seconds` from now elapse, for people: `2 days left`, `6 h left`,
/// `25 min left`, or `ended` when none is left.
pub fn time_left(seconds: i64) -> String {
    match seconds {
        s if s <= 0 => "ended".to_owned(),
        s if s >= 2 * 86_400 => format!("{} days left", s / 86_400),
        s if s >= 3600 => format!("{} h left", s / 3600),
        s => format!("{} min left", (s + 59) / 60),
    }
}

/// Label of the campaign's unit price.
pub const UNIT_PRICE: &str = "Price per unit";
/// Label of the campaign's deadline.
pub const CLOSES: &str = "Closes";
/// Heading of the campaign's thresholds.
pub const PROGRESS: &str = "Progress";
/// Shown when a campaign has no threshold.
pub const NO_THRESHOLD: &str = "This campaign has no minimum to reach.";
/// Shown when every threshold is met.
pub const ALL_MET: &str = "Every minimum is reached.";

/// `3 of 5 participants`.
pub fn participants_progress(current: i64, target: i64) -> String {
    format!("{current} of {target} participants")
}

/// `12 of 20 units`.
pub fn quantity_progress(current: i64, target: i64) -> String {
    format!("{current} of {target} units")
}

/// A campaign's status as people read it.
pub fn campaign_status(status: &str) -> &'static str {
    match status {
        "PUBLISHED" => "Open: taking interest",
        "PAUSED" => "Paused: not taking interest for now",
        "CLOSED" => "Closed",
        "DRAFT" => "Draft: only its owners see it",
        _ => "Not available",
    }
}

/// Heading of a handle's campaign list.
pub fn campaigns_of(handle: &str) -> String {
    format!("Campaigns by {handle}")
}

/// Shown when a handle has no public campaign.
pub const NO_CAMPAIGNS: &str = "No public campaigns yet.";

/// The hosted join (`/g/{code}`, `/p/{productId}`) and the campaign interest forms.
pub mod join {
    /// Heading of the join section of a group page.
    pub const JOIN_HEADING: &str = "Join this group";
    /// Heading of the open-a-group section of a product page.
    pub const OPEN_HEADING: &str = "Open a new group";
    /// The join button.
    pub const JOIN_BUTTON: &str = "Join this group";
    /// The open-a-group button.
    pub const OPEN_BUTTON: &str = "Open a new group";
    /// The link to the platform's own app (`GROUPBUY_JOIN_URL`).
    pub const JOIN_IN_APP: &str = "Join in the app";
    /// Label of the seats input.
    pub const QUANTITY: &str = "Seats";
    /// Label of the wallet balance.
    pub const WALLET_BALANCE: &str = "Your wallet balance";
    /// Before the sign-in link, signed out.
    pub const SIGN_IN_TO_JOIN: &str = "To join, sign in first:";
    /// The sign-in link of the join section.
    pub const SIGN_IN_LINK: &str = "sign in";
    /// After a join (`?joined=1`).
    pub const YOU_JOINED: &str = "You joined this group: your seats are paid from your wallet.";
    /// After opening a group (`?opened=1`).
    pub const YOU_OPENED: &str =
        "You opened this group: share its link so others can join before it ends.";
    /// Heading of a product page's available groups.
    pub const AVAILABLE_GROUPS: &str = "Groups you can join";
    /// Shown when a product has no group to join.
    pub const NO_AVAILABLE_GROUPS: &str = "No group is open right now: open one below.";
    /// Label of a product's group size.
    pub const GROUP_SIZE: &str = "Group size";
    /// Label of a product's per-customer limit.
    pub const LIMIT_PER_CUSTOMER: &str = "Most seats per customer";
    /// Shown when group buying is off for a product.
    pub const GROUP_BUYING_OFF: &str = "Group buying is not available for this product.";
    /// Heading of a refusal.
    pub const REFUSED: &str = "That did not work";

    /// `3 seats`.
    pub fn seat_count(n: i64) -> String {
        if n == 1 {
            "1 seat".to_owned()
        } else {
            format!("{n} seats")
        }
    }

    /// An available group in a product page's list: `GP-ABC123 · 4 of 10 seats taken`.
    pub fn available_group(seats: &str, left: &str) -> String {
        format!("{seats} · {left}")
    }

    /// A refusal of the join, of a problem `kind`, in a shopper's words.
    pub fn refusal(kind: &str) -> &'static str {
        match kind {
            "insufficient-balance" => {
                "Your wallet balance does not cover these seats. Top up your wallet, or choose fewer seats."
            }
            "group-full" => "This group is full: every seat is taken. Open a new group instead.",
            "not-enough-seats" => "This group has fewer seats left than you asked for.",
            "group-expired" => "This group has ended: it can no longer be joined.",
            "group-deleted" => "This group was removed by the shop.",
            "customer-cap" => {
                "You already hold as many seats in this group as one customer may."
            }
            "exceeds-group-size" => "A group does not have that many seats.",
            "insufficient-stock" => "The shop does not have enough stock to open a new group.",
            "group-buying-disabled" => "Group buying is not available for this product.",
            "price-changed" => "The price changed meanwhile: check it and try again.",
            "changed-meanwhile" | "concurrent-change" => {
                "Someone else acted at the same moment: please try again."
            }
            "idempotency-key-in-use" => {
                "Your first press is still being processed: reload the page in a moment."
            }
            "idempotency-key-reused" => {
                "This form was already sent with other choices: reload the page and try again."
            }
            "validation" => "Choose a number of seats within the limits shown.",
            "sign-in-refused" => "This form has expired: reload the page and try again.",
            "unauthenticated" => "Please sign in first.",
            "rate-limited" => "Too many tries in a short time: wait a minute and try again.",
            "not-found" => "This is no longer available.",
            "unavailable" => {
                "We are very busy right now: nothing was taken from your wallet. Please try again in a moment."
            }
            _ => "Something went wrong on our side: please try again in a moment.",
        }
    }

    /// Heading of a campaign's interest form.
    pub const INTEREST_HEADING: &str = "I'm interested";
    /// Label of the interest's quantity.
    pub const INTEREST_QUANTITY: &str = "How many";
    /// Label of the interest's note.
    pub const INTEREST_NOTE: &str = "Note for the seller (optional)";
    /// The register button.
    pub const INTEREST_BUTTON: &str = "I'm interested";
    /// The update button, once registered.
    pub const INTEREST_UPDATE: &str = "Update my interest";
    /// The withdraw button.
    pub const WITHDRAW_BUTTON: &str = "Withdraw my interest";
    /// After registering.
    pub const INTEREST_SAVED: &str = "Thank you: your interest is registered.";
    /// After withdrawing.
    pub const INTEREST_WITHDRAWN: &str = "Your interest is withdrawn.";
    /// Shown when the campaign takes no interest now.
    pub const INTEREST_CLOSED: &str = "This campaign is not taking interest right now.";

    /// `You registered interest in 3`.
    pub fn registered(quantity: i64) -> String {
        format!("You registered interest in {quantity}.")
    }

    /// Heading of a pledger's pre-order.
    pub const PREORDER_HEADING: &str = "Your pre-order";
    /// Label of the pre-order's amount.
    pub const PREORDER_AMOUNT: &str = "Amount";
    /// Label of the pre-order's payment deadline.
    pub const PREORDER_PAY_BY: &str = "Pay by";
    /// Before the sign-in link of a closed pre-order campaign, signed out.
    pub const SIGN_IN_FOR_PREORDER: &str =
        "Pledged while signed in? To see and pay your pre-order,";
    /// The pay button.
    pub const PAY_BUTTON: &str = "Pay from wallet";
    /// After paying (or when already paid).
    pub const PREORDER_PAID: &str = "Paid: your order is with the seller.";
    /// When the window passed unpaid.
    pub const PREORDER_EXPIRED: &str = "The payment window has passed; nothing was charged.";

    /// A refusal of an interest or pre-order form, of a problem `kind`, in a visitor's words.
    pub fn interest_refusal(kind: &str) -> &'static str {
        match kind {
            "not-accepting-interest" => "This campaign is not taking interest right now.",
            "closes-at-passed" | "group-buy-closed" => "This campaign has closed.",
            "max-quantity-exceeded" => "Not that many are left: choose a smaller quantity.",
            "preorder-expired" => "The payment window has passed; nothing was charged.",
            "preorder-paid" => "This pre-order is already paid.",
            "validation" => {
                "Choose a quantity of at least 1 and a note of at most 1000 characters."
            }
            other => refusal(other),
        }
    }
}

/// The console's organiser (procurement pools) and platform-admin pages.
pub mod console_org {
    /// Index entry and heading of the pools.
    pub const POOLS: &str = "Procurement pools";
    /// Index entry and heading of the platform admin's overview.
    pub const ADMIN: &str = "Platform admin";
    /// Heading of the support reports.
    pub const SUPPORT: &str = "Support reports";
    /// Heading of the payouts page.
    pub const PAYOUTS: &str = "Payouts";
    /// Shown when the caller sees no pool.
    pub const NO_POOLS: &str = "No pools to show.";
    /// Table caption of the pools.
    pub const POOLS_CAPTION: &str = "Pools you may see, newest first";
    /// Column: a pool's title.
    pub const TITLE: &str = "Title";
    /// Column: status.
    pub const STATUS: &str = "Status";
    /// Column: organising organisation.
    pub const ORGANISER: &str = "Organiser";
    /// Column: the target.
    pub const TARGET: &str = "Target units";
    /// Column: units committed.
    pub const COMMITTED: &str = "Committed units";
    /// Column: deadline.
    pub const DEADLINE: &str = "Deadline";
    /// Label: the smallest commitment.
    pub const MIN_COMMITMENT: &str = "Smallest commitment";
    /// Label: currency.
    pub const CURRENCY: &str = "Currency";
    /// Label of the progress bar.
    pub const PROGRESS: &str = "Progress toward the target";
    /// Heading of the items of a pool.
    pub const ITEMS: &str = "What one unit contains";
    /// Column: SKU.
    pub const SKU: &str = "SKU";
    /// Column: an item's name.
    pub const NAME: &str = "Name";
    /// Column: unit.
    pub const UNIT: &str = "Unit";
    /// Heading of the commitments.
    pub const COMMITMENTS: &str = "Commitments";
    /// Shown when a pool has no commitment the caller may see.
    pub const NO_COMMITMENTS: &str = "No commitments to show.";
    /// Column: member organisation.
    pub const MEMBER: &str = "Member";
    /// Column: quantity.
    pub const QUANTITY: &str = "Quantity";
    /// Column: price ceiling.
    pub const CEILING: &str = "Price ceiling";
    /// Column: purchase order reference.
    pub const PO_REF: &str = "Purchase order";
    /// Heading of the vendors' responses.
    pub const RESPONSES: &str = "Vendors' responses compared";
    /// Caption of the comparison matrix.
    pub const MATRIX_CAPTION: &str =
        "Each vendor's latest response: price, quantity, and which members' price ceilings it is within";
    /// Shown when no RFQ was issued yet.
    pub const NO_RFQ: &str = "No request for quotation has been issued yet.";
    /// Shown when no vendor responded yet.
    pub const NO_RESPONSES: &str = "No vendor has responded yet.";
    /// Shown instead of a sealed price.
    pub const SEALED: &str = "Sealed until the due date";
    /// Column: vendor.
    pub const VENDOR: &str = "Vendor";
    /// Column: unit price.
    pub const UNIT_PRICE: &str = "Unit price";
    /// Column: units available.
    pub const AVAILABLE: &str = "Units available";
    /// Column: lead time.
    pub const LEAD_TIME: &str = "Lead time (days)";
    /// Column: whether the quote still holds.
    pub const VALID_UNTIL: &str = "Valid until";
    /// Column: units allocated from the vendor.
    pub const ALLOCATED: &str = "Allocated units";
    /// A vendor invited but silent.
    pub const NO_RESPONSE: &str = "No response";
    /// Cell: the price is within the member's ceiling.
    pub const WITHIN: &str = "Within";
    /// Cell: the price is above the member's ceiling.
    pub const ABOVE: &str = "Above";
    /// Cell: an expired quote.
    pub const EXPIRED: &str = "expired";
    /// Column heading of a member's ceiling: `org_a (ceiling USD 10.00)`.
    pub fn member_ceiling(member: &str, ceiling: &str) -> String {
        format!("{member} (ceiling {ceiling})")
    }
    /// RFQ status line: `Responses close 2026-12-06 10:00 UTC`.
    pub fn rfq_due(due: &str) -> String {
        format!("Responses close {due}")
    }
    /// Heading of the allocation.
    pub const ALLOCATION: &str = "Allocation";
    /// Shown when nothing is allocated yet.
    pub const NO_ALLOCATION: &str = "Nothing is allocated yet.";
    /// Column: amount.
    pub const AMOUNT: &str = "Amount";
    /// Column: the rule that chose the vendor.
    pub const RULE: &str = "Rule";
    /// Column: why the quantity is what it is.
    pub const EXPLANATION: &str = "Why";
    /// Heading of the members left short.
    pub const UNFILLED: &str = "Left short";
    /// Column: reason.
    pub const REASON: &str = "Reason";
    /// The allocation method line.
    pub fn method(method: &str) -> String {
        format!("Method: {method}")
    }
    /// Heading of the settlement.
    pub const SETTLEMENT: &str = "Settlement documents";
    /// Shown when not settled yet.
    pub const NOT_SETTLED: &str = "Not settled yet.";
    /// Column: document number.
    pub const NUMBER: &str = "Number";
    /// Column: payable or receivable.
    pub const KIND: &str = "Kind";
    /// Column: counterparty.
    pub const COUNTERPARTY: &str = "Counterparty";
    /// Column: due date.
    pub const DUE: &str = "Due";
    /// Column: total.
    pub const TOTAL: &str = "Total";
    /// Column: downloads.
    pub const DOWNLOAD: &str = "Download";
    /// Link: the JSON document.
    pub const JSON: &str = "JSON";
    /// Link: the UBL invoice.
    pub const UBL: &str = "UBL invoice (XML)";
    /// A document's kind in words.
    pub fn kind(kind: &str) -> &'static str {
        match kind {
            "PAYABLE" => "Payable (owed to the vendor)",
            "RECEIVABLE" => "Receivable (owed by the member)",
            _ => "Document",
        }
    }

    /// Heading of the create-pool form.
    pub const CREATE_POOL: &str = "Start a pool";
    /// Label: SKU of the item.
    pub const ITEM_SKU: &str = "Item SKU";
    /// Label: item name.
    pub const ITEM_NAME: &str = "Item name";
    /// Label: item unit.
    pub const ITEM_UNIT: &str = "Item unit (bag, box...)";
    /// Label: deadline (the form takes UTC).
    pub const DEADLINE_UTC: &str = "Deadline (UTC)";
    /// Button: create the pool.
    pub const CREATE: &str = "Create pool";
    /// Heading of the commit form.
    pub const COMMIT_TITLE: &str = "Commit your organisation";
    /// Label: purchase order reference (optional).
    pub const PO_OPTIONAL: &str = "Purchase order reference (optional)";
    /// Button: commit.
    pub const COMMIT: &str = "Commit";
    /// Heading of the issue-RFQ form.
    pub const RFQ_TITLE: &str = "Issue the request for quotation";
    /// Label: the invited vendors.
    pub const VENDORS_FIELD: &str = "Vendors, one a line: vendor id, then its name";
    /// Label: the RFQ's due date.
    pub const DUE_UTC: &str = "Responses due (UTC)";
    /// Button: issue the RFQ.
    pub const ISSUE_RFQ: &str = "Issue RFQ";
    /// Button: cancel the pool.
    pub const CANCEL: &str = "Cancel this pool";
    /// Button: withdraw the organisation's commitment.
    pub const WITHDRAW: &str = "Withdraw your commitment";
    /// Button: allocate.
    pub const ALLOCATE: &str = "Allocate supply";
    /// Button: settle.
    pub const SETTLE: &str = "Settle into documents";
    /// Shown while a job (RFQ, allocation) runs.
    pub const JOB_RUNNING: &str =
        "Your request is being processed; reload this page in a moment to see the result.";

    /// Heading of the rollup's counts.
    pub const COUNTS: &str = "Campaigns by status";
    /// Column: count.
    pub const COUNT: &str = "Count";
    /// Heading: drafts untouched for long.
    pub fn stuck_drafts(hours: i64) -> String {
        format!("Drafts untouched for {hours} hours or more")
    }
    /// Heading: campaigns still open after closing time.
    pub const PAST_CLOSE: &str = "Still open after their closing time";
    /// Heading: the campaigns.
    pub const CAMPAIGNS: &str = "Campaigns, newest first";
    /// Column: handle.
    pub const HANDLE: &str = "Handle";
    /// Column: participants.
    pub const PARTICIPANTS: &str = "Participants";
    /// Column: closing time.
    pub const CLOSES: &str = "Closes";
    /// Shown for an empty list.
    pub const NONE: &str = "None.";
    /// Column: summary.
    pub const SUMMARY: &str = "Summary";
    /// Column: details.
    pub const DETAILS: &str = "Details";
    /// Column: who reported.
    pub const REPORTER: &str = "Reporter";
    /// Column: when.
    pub const WHEN: &str = "When";
    /// Intro of the payouts page.
    pub const PAYOUTS_INTRO: &str =
        "Record money sent to a shop, out of its balance, and read the shop's statement.";
    /// Label: the shop.
    pub const SHOP_ID: &str = "Shop id";
    /// Reason of a shop id that is none.
    pub const SHOP_ID_INVALID: &str = "shop must be a shop id";
    /// Button: show the shop.
    pub const SHOW_SHOP: &str = "Show statement";
    /// Label: amount.
    pub const PAYOUT_AMOUNT: &str = "Amount";
    /// Label: currency (optional).
    pub const PAYOUT_CURRENCY: &str = "Currency (optional: the shop's)";
    /// Label: payout reference.
    pub const PAYOUT_REFERENCE: &str = "Bank transfer reference";
    /// Button: record the payout.
    pub const RECORD_PAYOUT: &str = "Record payout";
    /// Heading: the shop's balance.
    pub const BALANCE: &str = "Balance";
    /// Heading: the shop's statement.
    pub const STATEMENT: &str = "Statement, newest first";
    /// Column: balance after a line.
    pub const BALANCE_AFTER: &str = "Balance after";
    /// Column: reference.
    pub const REFERENCE: &str = "Reference";

    /// Heading and explanation of a refusal, by status.
    pub fn refusal(status: u16) -> (&'static str, &'static str) {
        match status {
            400 => ("This request is not understood", "Something in the form is missing or malformed."),
            403 => ("You may not do this", "Your account does not have the permission this needs. If you think it should, ask your organisation's administrator."),
            409 => ("This cannot be done now", "The pool is not in a state that allows it."),
            412 => ("Someone changed this meanwhile", "Reload the page and try again."),
            422 => ("Some values are not accepted", "Correct the form and try again."),
            429 => ("Too many requests", "Wait a moment and try again."),
            _ => ("Something went wrong", "Try again in a moment."),
        }
    }
    /// The refusal of a form whose key was used for a different request.
    pub const KEY_REUSED: &str =
        "This form was already submitted with other values. Reload the page to start again.";
    /// The refusal of a form without a well-formed idempotency key.
    pub const KEY_MALFORMED: &str = "This form is incomplete. Reload the page and try again.";
    /// The refusal of a form whose first submission is still running.
    pub const KEY_IN_FLIGHT: &str = "This form is still being processed. Wait a moment and reload.";
    /// Reason of a number field that is not a whole number.
    pub fn whole_number(field: &str) -> String {
        format!("{field} must be a whole number")
    }
    /// Reason of an amount field that is not a number.
    pub fn decimal(field: &str) -> String {
        format!("{field} must be a number")
    }
    /// Link back to the page the refusal came from.
    pub const BACK: &str = "Back";
}

/// Every text of the console's merchant, campaign and webhook pages.
pub mod console_merchant {
    /// A form's key that is no visible ASCII.
    pub const KEY_MALFORMED: &str = "This form is damaged: reload the page and try again.";
    /// A form's key sent again with other values.
    pub const KEY_REUSED: &str = "This form was already sent with other values; reload the page";
    /// A form's key whose first sending is still running after a wait.
    pub const KEY_IN_FLIGHT: &str = "This form is still being processed; wait a moment and reload";
    /// Section: shops.
    pub const SHOPS: &str = "Shops";
    /// Section: campaigns.
    pub const CAMPAIGNS: &str = "Campaigns";
    /// Section: webhooks.
    pub const WEBHOOKS: &str = "Webhooks";
    /// Shown when the merchant has no shop.
    pub const NO_SHOPS: &str = "You have no shop yet.";
    /// Heading of the new-shop form.
    pub const NEW_SHOP: &str = "Open a shop";
    /// Label of the shop name.
    pub const SHOP_NAME: &str = "Shop name";
    /// Label of a logo URL.
    pub const SHOP_LOGO: &str = "Logo URL (optional)";
    /// Button creating something.
    pub const CREATE: &str = "Create";
    /// Button saving changes.
    pub const SAVE: &str = "Save changes";
    /// Column: name.
    pub const NAME: &str = "Name";
    /// Column: created.
    pub const CREATED: &str = "Created";
    /// Heading of a shop's products.
    pub const PRODUCTS: &str = "Products";
    /// Shown when a shop has no product.
    pub const NO_PRODUCTS: &str = "No products yet.";
    /// Heading of the new-product form.
    pub const NEW_PRODUCT: &str = "Add a product";
    /// Label: product name.
    pub const PRODUCT_NAME: &str = "Product name";
    /// Label: image URL.
    pub const PRODUCT_IMAGE: &str = "Image URL (optional)";
    /// Label: regular price.
    pub const REGULAR_PRICE: &str = "Regular price";
    /// Label: group price.
    pub const GROUP_PRICE: &str = "Group price";
    /// Label: currency.
    pub const CURRENCY: &str = "Currency (ISO 4217, default TZS)";
    /// Label: stock.
    pub const STOCK: &str = "Units in stock";
    /// Column: available units.
    pub const AVAILABLE: &str = "Available";
    /// Column: units held by open groups.
    pub const RESERVED: &str = "Held by open groups";
    /// Label: group buying switch.
    pub const GROUP_BUYING: &str = "Groups may be opened";
    /// Label: seats per group.
    pub const GROUP_SIZE: &str = "Seats per group";
    /// Label: group lifetime.
    pub const GROUP_HOURS: &str = "Group lifetime (hours)";
    /// Label: most seats per customer.
    pub const MAX_PER_CUSTOMER: &str = "Most seats per customer (optional)";
    /// Heading of the product edit form.
    pub const EDIT_PRODUCT: &str = "Edit price, stock and group settings";
    /// Heading of a product's groups.
    pub const GROUPS: &str = "Groups";
    /// Filter label for the groups' status.
    pub const SHOW_GROUPS: &str = "Show groups of status";
    /// Shown when a product has no group (of the chosen status).
    pub const NO_GROUPS: &str = "No groups.";
    /// Column: group code.
    pub const CODE: &str = "Code";
    /// Column: seats.
    pub const SEATS: &str = "Seats";
    /// Column: status.
    pub const STATUS: &str = "Status";
    /// Heading of a shop's orders.
    pub const ORDERS: &str = "Orders";
    /// Shown when a shop has no order.
    pub const NO_ORDERS: &str = "No orders.";
    /// Column: order.
    pub const ORDER: &str = "Order";
    /// Column: quantity.
    pub const QUANTITY: &str = "Quantity";
    /// Column: total.
    pub const TOTAL: &str = "Total";
    /// Column: shipping.
    pub const SHIPPING: &str = "Shipping";
    /// Column: actions.
    pub const ACTIONS: &str = "Actions";
    /// Label: carrier.
    pub const CARRIER: &str = "Carrier";
    /// Label: tracking number.
    pub const TRACKING: &str = "Tracking number";
    /// Button: ship.
    pub const SHIP: &str = "Ship";
    /// Button: deliver.
    pub const DELIVER: &str = "Mark delivered";
    /// Label: cancel reason.
    pub const CANCEL_REASON: &str = "Reason for cancelling";
    /// Button: cancel an order.
    pub const CANCEL: &str = "Cancel and refund";
    /// Filter label for the orders' status.
    pub const SHOW_STATUS: &str = "Show orders of status";
    /// Button: filter.
    pub const SHOW: &str = "Show";
    /// Any status.
    pub const ANY: &str = "Any";
    /// Heading: balance.
    pub const BALANCE: &str = "Balance";
    /// Shown when nothing was earned yet.
    pub const NO_BALANCE: &str = "Nothing earned yet.";
    /// Heading: statement.
    pub const STATEMENT: &str = "Statement";
    /// Column: kind of a statement line.
    pub const KIND: &str = "Kind";
    /// Column: amount.
    pub const AMOUNT: &str = "Amount";
    /// Column: balance after.
    pub const BALANCE_AFTER: &str = "Balance after";
    /// Column: reference.
    pub const REFERENCE: &str = "Reference";
    /// Commission line.
    pub fn commission(bps: u16) -> String {
        format!("Commission: {}.{:02} %", bps / 100, bps % 100)
    }
    /// Link to the next page of a list.
    pub const NEXT_PAGE: &str = "Next page";
    /// Link back to the list.
    pub const BACK: &str = "Back";

    /// Heading: the viewer's handles.
    pub const YOUR_HANDLES: &str = "Your handles";
    /// Shown when the viewer owns no handle.
    pub const NO_HANDLES: &str = "You have no handle yet.";
    /// Heading: the handle form.
    pub const OPEN_HANDLE: &str = "Open a handle's campaigns";
    /// Label: handle.
    pub const HANDLE: &str = "Handle";
    /// Button: open.
    pub const OPEN: &str = "Open";
    /// Heading: new handle.
    pub const NEW_HANDLE: &str = "Claim a handle";
    /// Label: display name.
    pub const DISPLAY_NAME: &str = "Display name";
    /// Heading: new campaign.
    pub const NEW_CAMPAIGN: &str = "Create a campaign (as a draft)";
    /// Shown when a handle has no campaign.
    pub const NO_CAMPAIGNS: &str = "No campaigns yet.";
    /// Label: slug.
    pub const SLUG: &str = "Slug (a-z, 0-9, -)";
    /// Label: title.
    pub const TITLE: &str = "Title";
    /// Label: description.
    pub const DESCRIPTION: &str = "Description (optional)";
    /// Label: unit price.
    pub const UNIT_PRICE: &str = "Price per unit";
    /// Label: minimum participants.
    pub const MIN_PARTICIPANTS: &str = "Minimum participants (optional)";
    /// Label: minimum quantity.
    pub const MIN_QUANTITY: &str = "Minimum units (optional)";
    /// Label: maximum quantity.
    pub const MAX_QUANTITY: &str = "Most units (optional)";
    /// Label: deadline.
    pub const CLOSES_AT: &str = "Closes at (RFC 3339, e.g. 2030-01-31T18:00:00Z)";
    /// Label: pre-order window.
    pub const PREORDER_HOURS: &str = "Pre-order payment window in hours (optional)";
    /// Column: participants.
    pub const PARTICIPANTS: &str = "Participants";
    /// Column: units.
    pub const UNITS: &str = "Units";
    /// Column: the deadline.
    pub const CLOSES: &str = "Closes";
    /// Heading: a pre-order campaign's pledges.
    pub const PLEDGES: &str = "Pledges";
    /// How a pre-order campaign's pledges stand.
    pub fn pledges(pledged: i64, pending: i64, paid: i64, expired: i64) -> String {
        format!(
            "{pledged} pledged: {paid} paid (orders to ship), {pending} awaiting payment, {expired} expired unpaid."
        )
    }
    /// Heading: the draft's edit form.
    pub const EDIT_DRAFT: &str = "Edit the draft";
    /// Heading: actions on a campaign.
    pub const CHANGE_STATE: &str = "Change its state";
    /// Button: publish.
    pub const PUBLISH: &str = "Publish";
    /// Button: pause.
    pub const PAUSE: &str = "Pause";
    /// Button: close.
    pub const CLOSE: &str = "Close";
    /// Heading: thresholds.
    pub const THRESHOLDS: &str = "Thresholds";
    /// A threshold met.
    pub const MET: &str = "met";
    /// A threshold not met.
    pub const NOT_MET: &str = "not met";
    /// Heading: interests.
    pub const INTERESTS: &str = "Interests";
    /// Shown with no interest.
    pub const NO_INTERESTS: &str = "No interest yet.";
    /// Column: who.
    pub const WHO: &str = "Who";
    /// Column: note.
    pub const NOTE: &str = "Note";
    /// Heading: audit trail.
    pub const AUDIT: &str = "Audit trail";
    /// Column: when.
    pub const WHEN: &str = "When";
    /// Column: action.
    pub const ACTION: &str = "Action";
    /// Column: actor.
    pub const ACTOR: &str = "By";
    /// Pre-order terms.
    pub fn preorder(hours: i64) -> String {
        format!("Pre-order: pledgers pay within {hours} h after close.")
    }
    /// Counts of a campaign.
    pub fn counts(participants: i64, units: i64) -> String {
        let who = if participants == 1 {
            "participant"
        } else {
            "participants"
        };
        let what = if units == 1 { "unit" } else { "units" };
        format!("{participants} {who}, {units} {what}")
    }

    /// Heading: new endpoint.
    pub const NEW_ENDPOINT: &str = "Register an endpoint";
    /// Label: URL.
    pub const URL: &str = "URL (https)";
    /// Label: events.
    pub const EVENTS: &str = "Event types (comma-separated; empty for all)";
    /// Shown with no endpoint.
    pub const NO_ENDPOINTS: &str = "No endpoints yet.";
    /// Column: endpoint.
    pub const ENDPOINT: &str = "Endpoint";
    /// Enabled endpoint.
    pub const ENABLED: &str = "enabled";
    /// Disabled endpoint.
    pub const DISABLED: &str = "disabled";
    /// Heading of the one-time secret.
    pub const SECRET_ONCE: &str =
        "The endpoint's signing secret. Copy it now: it is shown only this once.";
    /// Shown when a create form is sent again after success.
    pub const ALREADY_DONE: &str =
        "This form was already sent and done; its secret is not shown again.";
    /// Button: send a test event.
    pub const SEND_TEST: &str = "Send a test event";
    /// Heading: deliveries.
    pub const DELIVERIES: &str = "Deliveries";
    /// Shown with no delivery.
    pub const NO_DELIVERIES: &str = "No deliveries yet.";
    /// Column: event.
    pub const EVENT: &str = "Event";
    /// Column: attempts.
    pub const ATTEMPTS: &str = "Attempts";
    /// Column: next attempt.
    pub const NEXT_ATTEMPT: &str = "Next attempt";
    /// Button: a new secret.
    pub const ROTATE: &str = "New secret";
    /// Button: delete an endpoint.
    pub const DELETE: &str = "Delete endpoint";
    /// Button: retry a delivery.
    pub const RETRY: &str = "Retry";
    /// Label: replay since.
    pub const REPLAY_SINCE: &str = "Re-send failed deliveries since (RFC 3339)";
    /// Button: replay.
    pub const REPLAY: &str = "Replay";
    /// One attempt, for people.
    pub fn attempt(n: i32, status: Option<i32>, error: Option<&str>, ms: i64) -> String {
        let outcome = match (status, error) {
            (Some(s), _) => format!("HTTP {s}"),
            (None, Some(e)) => e.to_owned(),
            (None, None) => "no answer".to_owned(),
        };
        format!("#{n}: {outcome} in {ms} ms")
    }

    /// Title of a refusal page.
    pub const REFUSED_TITLE: &str = "That was not done";
    /// Before the refusal's own words.
    pub const REFUSED_BECAUSE: &str = "The request was refused:";
    /// A missing or stale form token.
    pub const CSRF_REFUSED: &str =
        "This form has expired or did not come from this site. Reload the page and try again.";
    /// A form body that could not be read.
    pub fn malformed(why: &str) -> String {
        format!("The form could not be read ({why}). Reload the page and try again.")
    }
    /// A form field that is not a number.
    pub fn not_a_number(field: &str) -> String {
        format!("{field} must be a number")
    }

    /// The flash message after a successful form, by its code (unknown codes say nothing).
    pub fn flash(code: &str) -> Option<&'static str> {
        Some(match code {
            "shop-created" => "Shop created.",
            "product-created" => "Product created.",
            "product-updated" => "Product updated.",
            "order-shipped" => "Order shipped.",
            "order-delivered" => "Order marked delivered.",
            "order-cancelled" => "Order cancelled; the buyer was refunded.",
            "handle-created" => "Handle claimed.",
            "campaign-created" => "Campaign created as a draft.",
            "campaign-changed" => "Campaign state changed.",
            "campaign-edited" => "Draft saved.",
            "test-sent" => "Test event queued.",
            "replayed" => "Failed deliveries queued again.",
            "retried" => "Delivery queued again.",
            "endpoint-deleted" => "Endpoint deleted.",
            _ => return None,
        })
    }
}

/// Live updates, the QR code and the countdown (`pages/live.rs`, `pages/qr.rs`,
/// `live.js`).
pub mod live {
    /// The body of a refused event stream (503).
    pub const BUSY: &str = "Too many live viewers right now; try again in a few seconds.";
    /// The countdown's words, `{n}` replaced by the script: days, hours, minutes, none.
    pub const LEFT_DAYS: &str = "{n} days left";
    /// Hours left.
    pub const LEFT_HOURS: &str = "{n} h left";
    /// Minutes left.
    pub const LEFT_MINUTES: &str = "{n} min left";
    /// Nothing left.
    pub const LEFT_NONE: &str = "ended";
    /// The QR code's text alternative.
    pub const QR_ALT: &str = "QR code of this page's link";
    /// The heading above the QR code.
    pub const SHARE: &str = "Share this group";
}
