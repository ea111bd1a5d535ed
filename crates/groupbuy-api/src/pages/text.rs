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
        _ => "Not available",
    }
}

/// Heading of a handle's campaign list.
pub fn campaigns_of(handle: &str) -> String {
    format!("Campaigns by {handle}")
}

/// Shown when a handle has no public campaign.
pub const NO_CAMPAIGNS: &str = "No public campaigns yet.";

/// Every text of the console's merchant, campaign and webhook pages.
pub mod console_merchant {
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
        format!("{participants} participants, {units} units")
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
            "test-sent" => "Test event queued.",
            "replayed" => "Failed deliveries queued again.",
            "retried" => "Delivery queued again.",
            "endpoint-deleted" => "Endpoint deleted.",
            _ => return None,
        })
    }
}
