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
