//! The seed's SQL: the shape of the data and the statements that write it, per backend.

use super::SeedPlan;
use crate::error::StoreError;
use groupbuy_domain::DomainError;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// Money left in every buyer's wallet after all their purchases (1,000.00 TZS).
const LEFTOVER_MINOR: i64 = 100_000;
/// Odd multiplier scattering group indexes over the 2^30 codes (a bijection mod 2^30).
const CODE_MULTIPLIER: i64 = 668_265_263;
/// Group codes' alphabet, as `GroupCode` uses it.
const CODE_ALPHABET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Group `g`'s status: one in twenty COMPLETED, one in twenty FAILED, the rest OPEN.
fn status_of(g: u64) -> &'static str {
    match g % 20 {
        7 => "COMPLETED",
        13 => "FAILED",
        _ => "OPEN",
    }
}

/// The derived sizes of a plan.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    n: i64,
    m: i64,
    /// Participants per group: `base`, one more for the first `rem` groups.
    base: i64,
    rem: i64,
    users: i64,
    shops: i64,
    products: i64,
    /// Products `0..hot` also get every odd group: popular products have many groups.
    hot: i64,
    /// OPEN groups with an index below this are past expiry (exactly `expired` of them).
    expired_below: i64,
    /// Seconds between two joins of one group.
    step: i64,
    /// Seats of the biggest OPEN group: products offer more, so none is full.
    max_occupied: i64,
}

impl Shape {
    pub(super) fn of(plan: &SeedPlan) -> Result<Self, StoreError> {
        let invalid = |m: &str| StoreError::Domain(DomainError::invalid("seed", m));
        if plan.groups == 0 || plan.participants < plan.groups {
            return Err(invalid(
                "--groups must be at least 1 and --participants at least --groups (every group has its initiator)",
            ));
        }
        if plan.groups > 100_000_000 || plan.participants > 1_000_000_000 {
            return Err(invalid("at most 10^8 groups and 10^9 participants"));
        }
        let open = (0..plan.groups).filter(|g| status_of(*g) == "OPEN").count() as u64;
        if plan.expired > open {
            return Err(invalid(&format!(
                "--expired {} is more than the {open} OPEN groups",
                plan.expired
            )));
        }
        let expired_below = if plan.expired == 0 {
            0
        } else {
            let mut seen = 0;
            let mut g = 0;
            while seen < plan.expired {
                if status_of(g) == "OPEN" {
                    seen += 1;
                }
                g += 1;
            }
            g
        };
        let (n, m) = (plan.groups as i64, plan.participants as i64);
        let (base, rem) = (m / n, m % n);
        let per_group = base + i64::from(rem > 0);
        let products = (n / 100).max(1);
        Ok(Self {
            n,
            m,
            base,
            rem,
            // About four participations per buyer, never fewer buyers than a group's members.
            users: (m / 4).max(per_group),
            shops: (n / 1000).max(1),
            products,
            hot: (products / 10).max(1),
            expired_below: expired_below as i64,
            step: (900 / per_group).min(60),
            max_occupied: per_group + 1,
        })
    }
}

/// The few expressions that differ between PostgreSQL and SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Pg,
    Sqlite,
}

impl Dialect {
    /// A random UUID as text.
    fn uuid(self) -> &'static str {
        match self {
            Self::Pg => "gen_random_uuid()::text",
            Self::Sqlite => {
                "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
                 substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
                 substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
            }
        }
    }

    /// An outbox event id (`evt_` + 32 hex digits).
    fn event_id(self) -> &'static str {
        match self {
            Self::Pg => "'evt_' || replace(gen_random_uuid()::text, '-', '')",
            Self::Sqlite => "'evt_' || lower(hex(randomblob(16)))",
        }
    }

    /// The stored timestamp of `secs` (Unix seconds), as Diesel writes one.
    fn ts(self, secs: &str) -> String {
        match self {
            Self::Pg => {
                format!("(TIMESTAMP '1970-01-01 00:00:00' + ({secs}) * INTERVAL '1 second')")
            }
            Self::Sqlite => format!("strftime('%Y-%m-%d %H:%M:%S', {secs}, 'unixepoch')"),
        }
    }

    /// `secs` in RFC 3339 (UTC, whole seconds), as events carry times.
    fn rfc3339(self, secs: &str) -> String {
        match self {
            Self::Pg => format!(
                "to_char({}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                self.ts(secs)
            ),
            Self::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%SZ', {secs}, 'unixepoch')"),
        }
    }

    /// The smaller of two integers.
    fn least(self, a: &str, b: &str) -> String {
        match self {
            Self::Pg => format!("LEAST({a}, {b})"),
            Self::Sqlite => format!("MIN({a}, {b})"),
        }
    }

    /// A JSON object of `(key, SQL expression)` pairs, keys in this order.
    fn object(self, pairs: &[(&str, String)]) -> String {
        let args: Vec<String> = pairs.iter().map(|(k, v)| format!("'{k}', {v}")).collect();
        match self {
            Self::Pg => format!("json_build_object({})", args.join(", ")),
            Self::Sqlite => format!("json_object({})", args.join(", ")),
        }
    }

    /// The JSON array aggregate of `expr` (a JSON value).
    fn array_agg(self, expr: &str) -> String {
        match self {
            Self::Pg => format!("json_agg({expr})"),
            Self::Sqlite => format!("json_group_array({expr})"),
        }
    }

    /// A JSON value computed in a subquery, embedded as JSON (SQLite forgets across a
    /// subquery that a text is JSON).
    fn embedded(self, expr: &str) -> String {
        match self {
            Self::Pg => expr.to_owned(),
            Self::Sqlite => format!("json({expr})"),
        }
    }

    /// Refreshes a temporary table's statistics (PostgreSQL's autovacuum never does), so
    /// the joins over it get sensible plans.
    fn analyze(self, table: &str) -> String {
        match self {
            Self::Pg => format!("ANALYZE {table};"),
            Self::Sqlite => String::new(),
        }
    }

    /// A JSON value as stored text.
    fn json_text(self, expr: &str) -> String {
        match self {
            Self::Pg => format!("({expr})::text"),
            Self::Sqlite => expr.to_owned(),
        }
    }

    /// Minor units of a two-decimal currency as a JSON number (`80000.00`), as the
    /// domain's events write money.
    fn money(self, minor: &str) -> String {
        match self {
            Self::Pg => format!("round(({minor})::numeric / 100, 2)"),
            Self::Sqlite => format!("json(printf('%d.%02d', ({minor}) / 100, ({minor}) % 100))"),
        }
    }

    /// Fills the numbers table `seed_n` with `0..count`.
    fn numbers(self, count: i64) -> String {
        match self {
            Self::Pg => format!(
                "CREATE TEMP TABLE seed_n (i BIGINT PRIMARY KEY);
                 INSERT INTO seed_n SELECT generate_series(0, {last});",
                last = count - 1
            ),
            Self::Sqlite => format!(
                "CREATE TEMP TABLE seed_n (i INTEGER PRIMARY KEY);
                 INSERT INTO seed_n (i) SELECT i FROM (WITH RECURSIVE c(i) AS
                   (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < {last}) SELECT i FROM c);",
                last = count - 1
            ),
        }
    }
}

/// The statements of a seed, in order.
pub(super) fn statements(d: Dialect, s: &Shape, now: i64) -> Vec<String> {
    let uuid = d.uuid();
    let Shape {
        n,
        m,
        base,
        rem,
        users,
        shops,
        products,
        hot,
        expired_below,
        step,
        max_occupied,
    } = *s;
    let count = n.max(m).max(users).max(products).max(shops);
    let long_ago = now - 40 * DAY;
    let credited = now - 30 * DAY;
    let code_char = |k: i64| {
        format!(
            "substr('{CODE_ALPHABET}', CAST(((x >> {}) & 31) + 1 AS INTEGER), 1)",
            5 * k
        )
    };
    let code = format!(
        "'GP-' || {}",
        (0..6).map(code_char).collect::<Vec<_>>().join(" || ")
    );
    let mut out = vec![d.numbers(count)];
    out.push(format!(
        "CREATE TEMP TABLE seed_shops AS
           SELECT i AS s, {uuid} AS id, 'seed-merchant-' || i AS owner
           FROM seed_n WHERE i < {shops};
         INSERT INTO shops (id, owner_id, name, logo, created_at)
           SELECT id, owner, 'Seed Shop ' || s, NULL, {at} FROM seed_shops ORDER BY s;",
        at = d.ts(&long_ago.to_string()),
    ));
    out.push(format!(
        "CREATE TEMP TABLE seed_products AS
           SELECT n.i AS p, {uuid} AS id, sh.id AS shop_id, sh.owner AS owner,
                  (1000 + (n.i * 37) % 9000) * 100 AS price,
                  {max_occupied} + 4 + n.i % 10 AS max_size
           FROM seed_n n JOIN seed_shops sh ON sh.s = n.i % {shops}
           WHERE n.i < {products};
         CREATE INDEX seed_products_p ON seed_products (p);
         {analyze_products}
         INSERT INTO products (id, shop_id, name, image, currency, regular_price_minor,
             group_price_minor, stock_quantity, reserved_quantity, group_buying_enabled,
             group_max_size, group_time_limit_hours, max_per_customer, created_at, updated_at)
           SELECT id, shop_id, 'Seed Product ' || p, NULL, 'TZS', price * 3 / 2, price,
                  1000000000, 0, TRUE, max_size, '24', NULL, {at}, {at}
           FROM seed_products ORDER BY p;",
        at = d.ts(&long_ago.to_string()),
        analyze_products = d.analyze("seed_products"),
    ));
    // Times in Unix seconds: expired OPEN groups expired 1-25 h ago, live ones expire in
    // 4-23 h, completed groups are ten days old, failed ones twenty.
    let start = format!("g * {base} + {}", d.least("g", &rem.to_string()));
    out.push(format!(
        "CREATE TEMP TABLE seed_groups AS
           SELECT y.*,
                  CASE st WHEN 'COMPLETED' THEN created + {step} * c + 60
                          WHEN 'FAILED' THEN created + {DAY} + 60 END AS closed,
                  ({start}) % {users} AS initiator
           FROM (SELECT x.*,
                        CASE WHEN st = 'COMPLETED' THEN {now} - 10 * {DAY} + h
                             WHEN st = 'FAILED' THEN {now} - 20 * {DAY} + h
                             WHEN g < {expired_below} THEN {now} - {DAY} - 3600 - h
                             ELSE {now} - 1000 - h % 70000 END AS created
                 FROM (SELECT i AS g, {uuid} AS id, {code} AS code,
                              CASE WHEN i % 2 = 0 THEN i % {products} ELSE i % {hot} END AS p,
                              CASE i % 20 WHEN 7 THEN 'COMPLETED' WHEN 13 THEN 'FAILED'
                                          ELSE 'OPEN' END AS st,
                              {base} + CASE WHEN i < {rem} THEN 1 ELSE 0 END AS c,
                              CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END AS extra,
                              (i * 7919) % {DAY} AS h
                       FROM (SELECT i, (i * {CODE_MULTIPLIER}) % 1073741824 AS x
                             FROM seed_n WHERE i < {n}) q) x) y;
         CREATE INDEX seed_groups_g ON seed_groups (g);
         {analyze}",
        analyze = d.analyze("seed_groups"),
    ));
    out.push(format!(
        "INSERT INTO group_instances (id, code, name, product_id, shop_id, initiator_id,
             initiator_name, currency, unit_price_minor, regular_price_minor, total_seats,
             seats_occupied, status, duration_hours, max_per_customer, created_at, expires_at,
             completed_at, updated_at)
           SELECT g.id, g.code, g.code || '-Seed Product ' || p.p, p.id, p.shop_id,
                  'seed-user-' || g.initiator, 'Seed User ' || g.initiator, 'TZS', p.price,
                  p.price * 3 / 2,
                  CASE g.st WHEN 'COMPLETED' THEN g.c + g.extra ELSE p.max_size END,
                  g.c + g.extra, g.st, '24', NULL, {created}, {expires},
                  CASE g.st WHEN 'COMPLETED' THEN {closed} END,
                  {updated}
           FROM seed_groups g JOIN seed_products p ON p.p = g.p
           ORDER BY g.created, g.g;",
        created = d.ts("g.created"),
        expires = d.ts(&format!("g.created + {DAY}")),
        closed = d.ts("g.closed"),
        updated = d.ts(&format!(
            "COALESCE(g.closed, g.created + {step} * (g.c - 1))"
        )),
    ));
    // Participant `idx` (group-major: a group's members are consecutive, so they are
    // distinct buyers) belongs to group g at slot s; buyer idx % users.
    let split = rem * (base + 1);
    out.push(format!(
        "CREATE TEMP TABLE seed_parts AS
           SELECT q.idx, q.g, q.s, q.idx % {users} AS u,
                  {uuid} AS id, {uuid} AS session_id, {uuid} AS debit_id, {uuid} AS purchase_id,
                  g.id AS group_id, g.code, g.st, g.closed, p.id AS product_id, p.shop_id, p.price,
                  CASE WHEN q.s = 0 AND g.extra = 1 THEN 2 ELSE 1 END AS qty,
                  g.created + q.s * {step} AS joined
           FROM (SELECT i AS idx,
                        CASE WHEN i < {split} THEN i / ({base} + 1)
                             ELSE {rem} + (i - {split}) / {base} END AS g,
                        CASE WHEN i < {split} THEN i % ({base} + 1)
                             ELSE (i - {split}) % {base} END AS s
                 FROM seed_n WHERE i < {m}) q
           JOIN seed_groups g ON g.g = q.g
           JOIN seed_products p ON p.p = g.p;
         CREATE INDEX seed_parts_g ON seed_parts (g);
         {analyze}",
        analyze = d.analyze("seed_parts"),
    ));
    out.push(format!(
        "INSERT INTO checkout_sessions (id, user_id, product_id, quantity, currency,
             unit_price_minor, total_minor, status, group_instance_id, joins_existing,
             group_code, transaction_id, created_at, completed_at)
           SELECT session_id, 'seed-user-' || u, product_id, qty, 'TZS', price, qty * price,
                  'COMPLETED', group_id, s > 0, code, debit_id, {opened}, {joined}
           FROM seed_parts ORDER BY joined, idx;
         INSERT INTO group_participants (id, group_id, user_id, user_name, user_picture,
             quantity, total_paid_minor, status, joined_at, purchase_count, has_transferred,
             checkout_session_id, updated_at)
           SELECT id, group_id, 'seed-user-' || u, 'Seed User ' || u, NULL, qty, qty * price,
                  CASE st WHEN 'FAILED' THEN 'REFUNDED' ELSE 'ACTIVE' END, {joined}, 1, FALSE,
                  session_id, {touched}
           FROM seed_parts ORDER BY joined, idx;
         INSERT INTO purchase_records (id, participant_id, checkout_session_id, quantity,
             amount_minor, currency, transaction_id, purchased_at)
           SELECT purchase_id, id, session_id, qty, qty * price, 'TZS', debit_id, {joined}
           FROM seed_parts ORDER BY joined, idx;",
        opened = d.ts("joined - 30"),
        joined = d.ts("joined"),
        touched = d.ts("CASE st WHEN 'FAILED' THEN closed ELSE joined END"),
    ));
    // The ledger per buyer in time order: one credit covering every purchase plus a
    // leftover, the purchases, and the refunds of failed groups; balances as running sums.
    out.push(format!(
        "CREATE TEMP TABLE seed_ledger AS
           SELECT e.*, SUM(amount) OVER (PARTITION BY u ORDER BY at, ord
                                         ROWS UNBOUNDED PRECEDING) AS balance
           FROM (SELECT {uuid} AS id, u, 'CREDIT' AS kind, SUM(qty * price) + {LEFTOVER_MINOR} AS amount,
                        'seed' AS reference, {credited} AS at, -1 AS ord
                 FROM seed_parts GROUP BY u
                 UNION ALL
                 SELECT debit_id, u, 'PURCHASE', -(qty * price), 'checkout:' || session_id,
                        joined, idx
                 FROM seed_parts
                 UNION ALL
                 SELECT {uuid}, u, 'REFUND', qty * price, 'refund:' || code, closed, {m} + idx
                 FROM seed_parts WHERE st = 'FAILED') e;
         INSERT INTO wallet_ledger (id, user_id, kind, amount_minor, balance_after_minor,
             currency, reference, created_at)
           SELECT id, 'seed-user-' || u, kind, amount, balance, 'TZS', reference, {at}
           FROM seed_ledger ORDER BY at, ord, u;
         INSERT INTO wallets (user_id, currency, balance_minor, updated_at)
           SELECT 'seed-user-' || u, 'TZS', SUM(amount), {last}
           FROM seed_ledger GROUP BY u ORDER BY u;",
        at = d.ts("at"),
        last = d.ts("MAX(at)"),
    ));
    out.push(format!(
        "INSERT INTO orders (id, group_id, group_code, user_id, participant_id, product_id,
             shop_id, quantity, currency, unit_price_minor, total_minor, status, created_at)
           SELECT {uuid}, group_id, code, 'seed-user-' || u, id, product_id, shop_id, qty, 'TZS',
                  price, qty * price, 'CONFIRMED', {closed}
           FROM seed_parts WHERE st = 'COMPLETED' ORDER BY closed, idx;
         INSERT INTO wallet_ledger (id, account_kind, user_id, kind, amount_minor, balance_after_minor,
             currency, reference, created_at) SELECT {uuid}, 'MERCHANT', shop_id, 'ORDER_SETTLED', total_minor, SUM(total_minor) OVER
                  (PARTITION BY shop_id ORDER BY seq ROWS UNBOUNDED PRECEDING), 'TZS', 'order:' || id,
                  created_at FROM orders ORDER BY seq;
         INSERT INTO wallets (account_kind, user_id, currency, balance_minor, updated_at)
           SELECT 'MERCHANT', shop_id, 'TZS', SUM(total_minor), MAX(created_at) FROM orders GROUP BY shop_id;
         UPDATE products SET reserved_quantity = (
             SELECT COALESCE(SUM(total_seats), 0) FROM group_instances
             WHERE group_instances.product_id = products.id AND group_instances.status = 'OPEN')
           WHERE id IN (SELECT id FROM seed_products);",
        closed = d.ts("closed"),
    ));
    out.push(events(d));
    out.push(
        "DROP TABLE seed_ledger; DROP TABLE seed_parts; DROP TABLE seed_groups;
         DROP TABLE seed_products; DROP TABLE seed_shops; DROP TABLE seed_n;"
            .into(),
    );
    out
}

/// The outbox as the real transitions would have left it, every event dispatched:
/// `group.created` (sequence 1) for each group, then `group.completed` with its orders or
/// `group.failed` with its refunds (sequence 2).
fn events(d: Dialect) -> String {
    let id = d.event_id();
    let created = d.object(&[
        ("group_id", "g.id".into()),
        ("code", "g.code".into()),
        ("name", "g.code || '-Seed Product ' || p.p".into()),
        ("product_id", "p.id".into()),
        (
            "total_seats",
            "CASE g.st WHEN 'COMPLETED' THEN g.c + g.extra ELSE p.max_size END".into(),
        ),
        ("seats_occupied", "1 + g.extra".into()),
        ("unit_price", d.money("p.price")),
        ("currency", "'TZS'".into()),
        ("expires_at", d.rfc3339(&format!("g.created + {DAY}"))),
    ]);
    let order = d.object(&[
        ("order_id", "o.id".into()),
        ("user_id", "o.user_id".into()),
        ("quantity", "o.quantity".into()),
        ("total", d.money("o.total_minor")),
    ]);
    let completed = d.object(&[
        ("group_id", "g.id".into()),
        ("code", "g.code".into()),
        ("product_id", "p.id".into()),
        ("currency", "'TZS'".into()),
        ("completed_at", d.rfc3339("g.closed")),
        ("orders", d.embedded("l.lines")),
    ]);
    let refund = d.object(&[
        ("user_id", "'seed-user-' || r.u".into()),
        ("amount", d.money("r.qty * r.price")),
    ]);
    let failed = d.object(&[
        ("group_id", "g.id".into()),
        ("code", "g.code".into()),
        ("product_id", "p.id".into()),
        ("currency", "'TZS'".into()),
        ("status", "'FAILED'".into()),
        ("closed_at", d.rfc3339("g.closed")),
        ("refunds", d.embedded("l.lines")),
    ]);
    format!(
        "INSERT INTO event_subjects (subject, last_sequence)
           SELECT 'group:' || id, CASE st WHEN 'OPEN' THEN 1 ELSE 2 END FROM seed_groups;
         INSERT INTO events (id, event_type, subject, sequence, audience_kind, audience_id,
             request_id, data, created_at, dispatched)
           SELECT {id}, kind, 'group:' || gid, seq, 'USER', owner, 'seed', data, {at}, TRUE
           FROM (SELECT g.id AS gid, 'group.created' AS kind, 1 AS seq, p.owner,
                        {created_text} AS data, g.created AS at, g.g
                 FROM seed_groups g JOIN seed_products p ON p.p = g.p
                 UNION ALL
                 SELECT g.id, 'group.completed', 2, p.owner, {completed_text}, g.closed, g.g
                 FROM seed_groups g JOIN seed_products p ON p.p = g.p
                 JOIN (SELECT o.group_id, {orders} AS lines FROM orders o
                       GROUP BY o.group_id) l ON l.group_id = g.id
                 UNION ALL
                 SELECT g.id, 'group.failed', 2, p.owner, {failed_text}, g.closed, g.g
                 FROM seed_groups g JOIN seed_products p ON p.p = g.p
                 JOIN (SELECT r.g, {refunds} AS lines FROM seed_parts r
                       WHERE r.st = 'FAILED' GROUP BY r.g) l ON l.g = g.g) e
           ORDER BY at, g, seq;",
        created_text = d.json_text(&created),
        completed_text = d.json_text(&completed),
        failed_text = d.json_text(&failed),
        orders = d.array_agg(&order),
        refunds = d.array_agg(&refund),
        at = d.ts("at"),
    )
}
