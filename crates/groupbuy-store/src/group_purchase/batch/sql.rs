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
use diesel::sql_types::{BigInt, Nullable, Text};
use groupbuy_domain::group_purchase::{CheckoutSession, GroupInstance, Participant};
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::wallet::{AccountKind, LedgerEntry};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use time::PrimitiveDateTime;

/// The group locked, then (in user order) the buyers' wallets and their participations in
/// it, locked too: a row locked after waiting is read as last committed, so what the
/// domain decides on cannot be older than the lock. The sessions are read unlocked: a
/// payment of one elsewhere meanwhile is caught by the claim's guard. Each CTE waits for
/// the group's (the `EXISTS`), so every batch and every payment paying alone takes the
/// group's lock before any buyer's row.
const READ: &str = "\
WITH g AS MATERIALIZED (
    SELECT * FROM group_instances WHERE id = $1 FOR NO KEY UPDATE
), w AS MATERIALIZED (
    SELECT user_id, currency, balance_minor FROM wallets
    WHERE account_kind = 'WALLET' AND user_id = ANY($3) AND EXISTS (SELECT FROM g)
    ORDER BY user_id FOR NO KEY UPDATE
), p AS MATERIALIZED (
    SELECT * FROM group_participants
    WHERE group_id = $1 AND user_id = ANY($3) AND EXISTS (SELECT FROM g)
    ORDER BY user_id FOR NO KEY UPDATE
)
SELECT (SELECT row_to_json(g)::text FROM g) AS grp,
    (SELECT coalesce(json_agg(s), '[]')::text FROM checkout_sessions s WHERE s.id = ANY($2))
        AS sessions,
    (SELECT coalesce(json_agg(w), '[]')::text FROM w) AS wallets,
    (SELECT coalesce(json_agg(p), '[]')::text FROM p) AS participations";

#[derive(QueryableByName)]
struct ReadRow {
    #[diesel(sql_type = Nullable<Text>)]
    grp: Option<String>,
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
    pub(super) group: GroupRow,
    pub(super) sessions: Vec<SessionRow>,
    pub(super) wallets: Vec<WalletRow>,
    pub(super) participations: Vec<ParticipantRow>,
}

fn parsed<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("batch {what}: {e}")))
}

/// Locks and reads group `group_id`, the `buyers`' (sorted) wallets and participations
/// in it, and reads the `sessions`, in ONE round trip; `None` when the group is gone.
pub(super) fn read_locked(
    pg: &mut PgConnection,
    group_id: &str,
    sessions: &[String],
    buyers: &[String],
) -> Result<Option<Locked>, StoreError> {
    let row: ReadRow = CachedSql::new(
        READ,
        vec![
            Param::Text(group_id.to_owned()),
            Param::Texts(sessions.to_vec()),
            Param::Texts(buyers.to_vec()),
        ],
    )
    .get_result(pg)?;
    let Some(group) = row.grp else {
        return Ok(None);
    };
    Ok(Some(Locked {
        group: parsed(&group, "group")?,
        sessions: parsed(&row.sessions, "sessions")?,
        wallets: parsed(&row.wallets, "wallets")?,
        participations: parsed(&row.participations, "participations")?,
    }))
}

/// Everything the batch writes, in one statement. `$1`..`$6`: the group, its code, its
/// seats after the batch and the time of the batch's writes (the group's `updated_at`,
/// as each table had it before).
const WRITE: &str = "\
WITH claimed AS (
    UPDATE checkout_sessions AS s SET status = 'COMPLETED', completed_at = v.at,
        group_instance_id = $1, group_code = $2, transaction_id = v.tx
    FROM unnest($5::text[], $6::text[], $7::timestamp[]) AS v(id, tx, at)
    WHERE s.id = v.id AND s.id = ANY($5) AND s.status = 'PENDING_PAYMENT'
    RETURNING s.id
), moved AS (
    UPDATE wallets AS w SET balance_minor = v.balance, updated_at = $4
    FROM unnest($8::text[], $9::bigint[]) AS v(user_id, balance)
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
    SELECT v.id, $1, v.user_id, v.user_name, v.user_picture, v.quantity, v.paid, v.status,
        v.joined_at, v.purchases, v.transferred, v.session_id, $4
    FROM unnest($18::text[], $19::text[], $20::text[], $21::text[], $22::int[],
        $23::bigint[], $24::text[], $25::timestamp[], $26::int[], $27::bool[], $28::text[])
        AS v(id, user_id, user_name, user_picture, quantity, paid, status, joined_at,
            purchases, transferred, session_id)
    ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity,
        total_paid_minor = excluded.total_paid_minor, status = excluded.status,
        purchase_count = excluded.purchase_count, has_transferred = excluded.has_transferred,
        updated_at = excluded.updated_at
    RETURNING 1
), seated AS (
    UPDATE group_instances SET seats_occupied = $3, updated_at = $4
    WHERE id = $1 AND status = 'OPEN' AND total_seats >= $3 AND cardinality($5::text[]) > 0
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
    /// The group as the batch left it.
    pub(super) group: &'a GroupInstance,
    /// The sessions paid.
    pub(super) sessions: &'a [CheckoutSession],
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
    let g = w.group;
    let at = to_db_time(g.updated_at);
    let mut finals: BTreeMap<&str, i64> = BTreeMap::new();
    for e in w.entries {
        if e.account.kind() != AccountKind::Wallet {
            return Err(StoreError::Corrupt(format!(
                "{} posted as a locked wallet",
                e.account
            )));
        }
        finals.insert(e.account.owner(), e.balance_after.minor());
    }
    let s = w.sessions;
    let e = w.entries;
    let p: Vec<ParticipantRow> = w
        .participants
        .iter()
        .map(|p| participant_row(p, g.updated_at))
        .collect();
    let r = &w.appended.purchases;
    let a = w.answers;
    let texts = |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<String>>();
    let params = vec![
        Param::Text(g.id.to_string()),
        Param::Text(g.code.as_str().to_owned()),
        Param::Int(g.seats_occupied),
        Param::Time(at),
        Param::Texts(texts(&|i| s[i].id.to_string(), s.len())),
        Param::Texts(texts(
            &|i| {
                s[i].transaction_id
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            },
            s.len(),
        )),
        Param::Times(
            s.iter()
                .map(|s| to_db_time(s.completed_at.unwrap_or(g.updated_at)))
                .collect::<Vec<PrimitiveDateTime>>(),
        ),
        Param::Texts(finals.keys().map(|u| (*u).to_owned()).collect::<Vec<_>>()),
        Param::BigInts(finals.values().copied().collect::<Vec<i64>>()),
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
        Param::Texts(texts(&|i| p[i].id.clone(), p.len())),
        Param::Texts(texts(&|i| p[i].user_id.clone(), p.len())),
        Param::Texts(texts(&|i| p[i].user_name.clone(), p.len())),
        Param::OptionalTexts(p.iter().map(|p| p.user_picture.clone()).collect::<Vec<_>>()),
        Param::Ints(p.iter().map(|p| p.quantity).collect::<Vec<_>>()),
        Param::BigInts(p.iter().map(|p| p.total_paid_minor).collect::<Vec<_>>()),
        Param::Texts(texts(&|i| p[i].status.clone(), p.len())),
        Param::Times(p.iter().map(|p| p.joined_at).collect::<Vec<_>>()),
        Param::Ints(p.iter().map(|p| p.purchase_count).collect::<Vec<_>>()),
        Param::Bools(p.iter().map(|p| p.has_transferred).collect::<Vec<_>>()),
        Param::OptionalTexts(
            p.iter()
                .map(|p| p.checkout_session_id.clone())
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
        seated: i64::from(!s.is_empty()),
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
