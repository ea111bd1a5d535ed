//! The two PostgreSQL statements of a batch of payments (`together.rs`): ONE that locks
//! and reads everything the domain decides on, and ONE that applies what it decided,
//! each table written by one multi-row, data-modifying CTE. The SQL decides nothing: it
//! writes the domain's values, under guards (`status = 'PENDING_PAYMENT'`, `state =
//! 'IN_FLIGHT'`, the group still OPEN) whose every miss fails the whole batch.

use super::super::checkout::Appended;
use super::super::rows::{GroupRow, ParticipantRow, SessionRow};
use super::super::seats::participant_row;
use crate::convert::to_db_time;
use crate::db::cached_sql::{CachedSql, Param};
use crate::error::StoreError;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use groupbuy_domain::group_purchase::{CheckoutSession, GroupInstance, Participant};
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::wallet::{AccountKind, LedgerEntry};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// The groups locked in id order, then (in user order) the buyers' wallets and their
/// participations in those groups, locked too: a row locked after waiting is read as last
/// committed, so what the domain decides on cannot be older than the lock. The sessions
/// are read unlocked: a payment of one elsewhere meanwhile is caught by the claim's
/// guard. Each CTE waits for every group's lock (the count reads all of `g`), so every
/// batch and every payment paying alone takes its groups' locks, in id order, before any
/// buyer's row: two batches sharing a group or a buyer queue, never deadlock.
const READ: &str = "\
WITH g AS MATERIALIZED (
    SELECT * FROM group_instances WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE
), w AS MATERIALIZED (
    SELECT user_id, currency, balance_minor FROM wallets
    WHERE account_kind = 'WALLET' AND user_id = ANY($3) AND (SELECT count(*) FROM g) > 0
    ORDER BY user_id FOR NO KEY UPDATE
), p AS MATERIALIZED (
    SELECT * FROM group_participants
    WHERE group_id = ANY($1) AND user_id = ANY($3) AND (SELECT count(*) FROM g) > 0
    ORDER BY group_id, user_id FOR NO KEY UPDATE
)
SELECT (SELECT coalesce(json_agg(g), '[]')::text FROM g) AS grp,
    (SELECT coalesce(json_agg(s), '[]')::text FROM checkout_sessions s WHERE s.id = ANY($2))
        AS sessions,
    (SELECT coalesce(json_agg(w), '[]')::text FROM w) AS wallets,
    (SELECT coalesce(json_agg(p), '[]')::text FROM p) AS participations";

#[derive(QueryableByName)]
struct ReadRow {
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = Text)]
    sessions: String,
    #[diesel(sql_type = Text)]
    wallets: String,
    #[diesel(sql_type = Text)]
    participations: String,
}

/// A wallet as the read spells it.
#[derive(serde::Deserialize)]
pub(super) struct WalletRow {
    pub(super) user_id: String,
    pub(super) currency: String,
    pub(super) balance_minor: i64,
}

/// What a batch decides on, locked until COMMIT.
pub(super) struct Locked {
    /// The batch's groups that exist.
    pub(super) groups: Vec<GroupRow>,
    pub(super) sessions: Vec<SessionRow>,
    pub(super) wallets: Vec<WalletRow>,
    pub(super) participations: Vec<ParticipantRow>,
}

fn parsed<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("batch {what}: {e}")))
}

/// Locks and reads the groups `group_ids` (sorted), the `buyers`' (sorted) wallets and
/// participations in them, and reads the `sessions`, in ONE round trip. A group that is
/// gone is simply not among [`Locked::groups`].
pub(super) fn read_locked(
    pg: &mut PgConnection,
    group_ids: &[String],
    sessions: &[String],
    buyers: &[String],
) -> Result<Locked, StoreError> {
    let row: ReadRow = CachedSql::new(
        READ,
        vec![
            Param::Texts(group_ids.to_vec()),
            Param::Texts(sessions.to_vec()),
            Param::Texts(buyers.to_vec()),
        ],
    )
    .get_result(pg)?;
    Ok(Locked {
        groups: parsed(&row.grp, "groups")?,
        sessions: parsed(&row.sessions, "sessions")?,
        wallets: parsed(&row.wallets, "wallets")?,
        participations: parsed(&row.participations, "participations")?,
    })
}

/// Everything the batch writes, in one statement. `$1`, `$3`, `$4`: the groups a payment
/// moved, their seats after the batch and the time of the batch's writes to each (its
/// `updated_at`, as each table had it before); `$43` and `$2`: each session's group and
/// its code.
const WRITE: &str = "\
WITH claimed AS (
    UPDATE checkout_sessions AS s SET status = 'COMPLETED', completed_at = v.at,
        group_instance_id = v.group_id, group_code = v.code, transaction_id = v.tx
    FROM unnest($5::text[], $6::text[], $7::timestamp[], $43::text[], $2::text[])
        AS v(id, tx, at, group_id, code)
    WHERE s.id = v.id AND s.id = ANY($5) AND s.status = 'PENDING_PAYMENT'
    RETURNING s.id
), moved AS (
    UPDATE wallets AS w SET balance_minor = v.balance, updated_at = v.at
    FROM unnest($8::text[], $9::bigint[], $44::timestamp[]) AS v(user_id, balance, at)
    WHERE w.account_kind = 'WALLET' AND w.user_id = v.user_id AND w.user_id = ANY($8)
    RETURNING w.user_id
), ledger AS (
    INSERT INTO wallet_ledger (id, account_kind, user_id, kind, amount_minor,
        balance_after_minor, currency, reference, created_at)
    SELECT v.id, 'WALLET', v.user_id, v.kind, v.amount, v.balance, v.currency, v.reference, v.at
    FROM unnest($10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[],
        $15::text[], $16::text[], $17::timestamp[])
        WITH ORDINALITY AS v(id, user_id, kind, amount, balance, currency, reference, at, n)
    ORDER BY v.n
    RETURNING 1
), members AS (
    INSERT INTO group_participants (id, group_id, user_id, user_name, user_picture, quantity,
        total_paid_minor, status, joined_at, purchase_count, has_transferred,
        checkout_session_id, updated_at)
    SELECT v.id, v.group_id, v.user_id, v.user_name, v.user_picture, v.quantity, v.paid,
        v.status, v.joined_at, v.purchases, v.transferred, v.session_id, v.updated_at
    FROM unnest($18::text[], $19::text[], $20::text[], $21::text[], $22::int[],
        $23::bigint[], $24::text[], $25::timestamp[], $26::int[], $27::bool[], $28::text[],
        $45::text[], $46::timestamp[])
        AS v(id, user_id, user_name, user_picture, quantity, paid, status, joined_at,
            purchases, transferred, session_id, group_id, updated_at)
    ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity,
        total_paid_minor = excluded.total_paid_minor, status = excluded.status,
        purchase_count = excluded.purchase_count, has_transferred = excluded.has_transferred,
        updated_at = excluded.updated_at
    RETURNING 1
), seated AS (
    UPDATE group_instances AS g SET seats_occupied = v.seats, updated_at = v.at
    FROM unnest($1::text[], $3::int[], $4::timestamp[]) AS v(id, seats, at)
    WHERE g.id = v.id AND g.id = ANY($1) AND g.status = 'OPEN' AND g.total_seats >= v.seats
    RETURNING 1
), purchases AS (
    INSERT INTO purchase_records (id, participant_id, checkout_session_id, quantity,
        amount_minor, currency, transaction_id, purchased_at)
    SELECT * FROM unnest($29::text[], $30::text[], $31::text[], $32::int[], $33::bigint[],
        $34::text[], $35::text[], $36::timestamp[])
    RETURNING 1
), answered AS (
    UPDATE idempotency_keys AS k SET state = 'DONE', response_status = v.status,
        response_body = v.body, content_type = v.content_type, response_headers = v.headers
    FROM unnest($37::text[], $38::text[], $39::int[], $40::text[], $41::text[], $42::text[])
        AS v(caller, key, status, body, content_type, headers)
    WHERE k.caller = v.caller AND k.idem_key = v.key AND k.state = 'IN_FLIGHT'
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed) AS claimed, (SELECT count(*) FROM moved) AS moved,
    (SELECT count(*) FROM ledger) AS ledger, (SELECT count(*) FROM members) AS members,
    (SELECT count(*) FROM seated) AS seated, (SELECT count(*) FROM purchases) AS purchases,
    (SELECT count(*) FROM answered) AS answered";

/// How many rows each part of [`WRITE`] wrote.
#[derive(QueryableByName, PartialEq, Eq, Debug)]
struct Written {
    #[diesel(sql_type = BigInt)]
    claimed: i64,
    #[diesel(sql_type = BigInt)]
    moved: i64,
    #[diesel(sql_type = BigInt)]
    ledger: i64,
    #[diesel(sql_type = BigInt)]
    members: i64,
    #[diesel(sql_type = BigInt)]
    seated: i64,
    #[diesel(sql_type = BigInt)]
    purchases: i64,
    #[diesel(sql_type = BigInt)]
    answered: i64,
}

/// What the domain decided for a batch, as it is to be written.
pub(super) struct Writes<'a> {
    /// The groups a payment moved, as the batch left them, in id order.
    pub(super) groups: &'a [&'a GroupInstance],
    /// The sessions paid, each with the group it joined (one of `groups`).
    pub(super) sessions: &'a [(CheckoutSession, Uuid)],
    /// The debits, in queue order (a buyer's last one carries the wallet's balance).
    pub(super) entries: &'a [LedgerEntry],
    /// The participations as they now stand.
    pub(super) participants: Vec<&'a Participant>,
    /// The purchase records.
    pub(super) appended: &'a Appended,
    /// The answers to store on their keys: (caller, key, answer).
    pub(super) answers: &'a [(String, String, StoredResponse)],
}

fn len(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Writes `w` in ONE statement. A claim or key that no longer matches what was read
/// (only a payment or retry outside any batch could have moved it) fails the batch as a
/// whole: `PaidElsewhere` or `answered_elsewhere`, and the caller's transaction rolls back.
pub(super) fn write(pg: &mut PgConnection, w: &Writes<'_>) -> Result<(), StoreError> {
    let g = w.groups;
    let by_id: HashMap<Uuid, &GroupInstance> = g.iter().map(|g| (g.id, *g)).collect();
    let group = |id: &Uuid| {
        by_id.get(id).copied().ok_or_else(|| {
            StoreError::Corrupt(format!("a batch wrote to group {id} it did not move"))
        })
    };
    // Each wallet's balance and time after its last debit of the batch.
    let mut finals: BTreeMap<&str, (i64, PrimitiveDateTime)> = BTreeMap::new();
    for e in w.entries {
        if e.account.kind() != AccountKind::Wallet {
            return Err(StoreError::Corrupt(format!(
                "{} posted as a locked wallet",
                e.account
            )));
        }
        finals.insert(
            e.account.owner(),
            (e.balance_after.minor(), to_db_time(e.created_at)),
        );
    }
    let s = w.sessions;
    let s_groups = s
        .iter()
        .map(|(_, id)| group(id))
        .collect::<Result<Vec<_>, _>>()?;
    let e = w.entries;
    let p = w
        .participants
        .iter()
        .map(|p| {
            Ok((
                participant_row(p, group(&p.group_id)?.updated_at),
                p.group_id,
            ))
        })
        .collect::<Result<Vec<(ParticipantRow, Uuid)>, StoreError>>()?;
    let r = &w.appended.purchases;
    let a = w.answers;
    let texts = |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<String>>();
    let params = vec![
        Param::Texts(texts(&|i| g[i].id.to_string(), g.len())),
        Param::Texts(texts(&|i| s_groups[i].code.as_str().to_owned(), s.len())),
        Param::Ints(g.iter().map(|g| g.seats_occupied).collect::<Vec<_>>()),
        Param::Times(
            g.iter()
                .map(|g| to_db_time(g.updated_at))
                .collect::<Vec<_>>(),
        ),
        Param::Texts(texts(&|i| s[i].0.id.to_string(), s.len())),
        Param::Texts(texts(
            &|i| {
                s[i].0
                    .transaction_id
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            },
            s.len(),
        )),
        Param::Times(
            s.iter()
                .zip(&s_groups)
                .map(|((s, _), g)| to_db_time(s.completed_at.unwrap_or(g.updated_at)))
                .collect::<Vec<PrimitiveDateTime>>(),
        ),
        Param::Texts(finals.keys().map(|u| (*u).to_owned()).collect::<Vec<_>>()),
        Param::BigInts(finals.values().map(|(b, _)| *b).collect::<Vec<i64>>()),
        Param::Texts(texts(&|i| e[i].id.to_string(), e.len())),
        Param::Texts(texts(&|i| e[i].account.owner().to_owned(), e.len())),
        Param::Texts(texts(&|i| e[i].kind.as_str().to_owned(), e.len())),
        Param::BigInts(e.iter().map(|e| e.amount.minor()).collect::<Vec<_>>()),
        Param::BigInts(
            e.iter()
                .map(|e| e.balance_after.minor())
                .collect::<Vec<_>>(),
        ),
        Param::Texts(texts(
            &|i| e[i].amount.currency().code().to_owned(),
            e.len(),
        )),
        Param::Texts(texts(&|i| e[i].reference.clone(), e.len())),
        Param::Times(
            e.iter()
                .map(|e| to_db_time(e.created_at))
                .collect::<Vec<_>>(),
        ),
        Param::Texts(texts(&|i| p[i].0.id.clone(), p.len())),
        Param::Texts(texts(&|i| p[i].0.user_id.clone(), p.len())),
        Param::Texts(texts(&|i| p[i].0.user_name.clone(), p.len())),
        Param::OptionalTexts(
            p.iter()
                .map(|p| p.0.user_picture.clone())
                .collect::<Vec<_>>(),
        ),
        Param::Ints(p.iter().map(|p| p.0.quantity).collect::<Vec<_>>()),
        Param::BigInts(p.iter().map(|p| p.0.total_paid_minor).collect::<Vec<_>>()),
        Param::Texts(texts(&|i| p[i].0.status.clone(), p.len())),
        Param::Times(p.iter().map(|p| p.0.joined_at).collect::<Vec<_>>()),
        Param::Ints(p.iter().map(|p| p.0.purchase_count).collect::<Vec<_>>()),
        Param::Bools(p.iter().map(|p| p.0.has_transferred).collect::<Vec<_>>()),
        Param::OptionalTexts(
            p.iter()
                .map(|p| p.0.checkout_session_id.clone())
                .collect::<Vec<_>>(),
        ),
        Param::Texts(texts(&|i| r[i].id.clone(), r.len())),
        Param::Texts(texts(&|i| r[i].participant_id.clone(), r.len())),
        Param::Texts(texts(&|i| r[i].checkout_session_id.clone(), r.len())),
        Param::Ints(r.iter().map(|r| r.quantity).collect::<Vec<_>>()),
        Param::BigInts(r.iter().map(|r| r.amount_minor).collect::<Vec<_>>()),
        Param::Texts(texts(&|i| r[i].currency.clone(), r.len())),
        Param::Texts(texts(&|i| r[i].transaction_id.clone(), r.len())),
        Param::Times(r.iter().map(|r| r.purchased_at).collect::<Vec<_>>()),
        Param::Texts(texts(&|i| a[i].0.clone(), a.len())),
        Param::Texts(texts(&|i| a[i].1.clone(), a.len())),
        Param::Ints(a.iter().map(|a| i32::from(a.2.status)).collect::<Vec<_>>()),
        Param::Texts(texts(&|i| a[i].2.body.clone(), a.len())),
        Param::Texts(texts(&|i| a[i].2.content_type.clone(), a.len())),
        Param::Texts(texts(&|i| a[i].2.headers_json(), a.len())),
        Param::Texts(texts(&|i| s[i].1.to_string(), s.len())),
        Param::Times(finals.values().map(|(_, at)| *at).collect::<Vec<_>>()),
        Param::Texts(texts(&|i| p[i].1.to_string(), p.len())),
        Param::Times(p.iter().map(|p| p.0.updated_at).collect::<Vec<_>>()),
    ];
    let written: Written = CachedSql::new(WRITE, params).get_result(pg)?;
    if written.answered != len(a.len()) {
        return Err(groupbuy_domain::platform::answered_elsewhere().into());
    }
    if written.claimed != len(s.len()) {
        return Err(groupbuy_domain::group_purchase::GroupPurchaseRefusal::PaidElsewhere.into());
    }
    let expected = Written {
        claimed: len(s.len()),
        moved: len(finals.len()),
        ledger: len(e.len()),
        members: len(p.len()),
        seated: len(g.len()),
        purchases: len(r.len()),
        answered: len(a.len()),
    };
    if written != expected {
        return Err(StoreError::Corrupt(format!(
            "a batch wrote {written:?}, where {expected:?} was decided"
        )));
    }
    Ok(())
}
