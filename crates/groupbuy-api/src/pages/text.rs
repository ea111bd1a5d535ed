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
