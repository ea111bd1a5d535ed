//! The tamper-evident audit trail shared by every context: each entry of a subject (a
//! procurement group buy, a campaign) carries the SHA-256 of its predecessor, so editing,
//! removing or reordering a stored entry breaks the chain at that entry.
//!
//! # Canonical encoding
//! An entry's `hash` is the lowercase hex SHA-256 of the UTF-8 bytes of one JSON object
//! holding every field except `hash` itself:
//! `action, actor, at, details, from_status, id, org_id, prev_hash, request_id, seq,
//! subject, to_status`, written with
//! - keys in byte order at every depth (inside `details` too), whatever order a map
//!   iterates in (`serde_json`'s `preserve_order` may be switched on by another crate);
//! - no whitespace; strings escaped as `serde_json` escapes them; numbers as written;
//!   an absent `org_id`, `from_status` or `to_status` as `null`;
//! - `at` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (exactly six fractional digits).
//!
//! [`AuditDraft::seal`] truncates `at` to whole microseconds first: PostgreSQL keeps
//! microseconds, so an instant read back from the database hashes like the one sealed.
//! Stores keep `details` as text (not JSONB, which rewrites numbers such as `1e2`).
//!
//! A chain proves that stored entries were not changed after the fact; it does not stop
//! whoever can write the table from recomputing every hash after the last entry. Publish
//! or record the head hash elsewhere when that matters.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// The `prev_hash` of the first entry of every subject: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The prefix of audit entry ids (`aud_<uuid simple hex>`).
pub const AUDIT_ID_PREFIX: &str = "aud_";

const AT_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A change to record, as a transition decided it; the store seals it into the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditDraft {
    /// What changed: `groupbuy:<id>` or `campaign:<handle>/<slug>`; one chain per subject.
    pub subject: String,
    /// Who changed it (`user:<sub>`, `system:<job>`).
    pub actor: String,
    /// The acting organisation, when there is one.
    pub org_id: Option<String>,
    /// What was done (`create`, `commitment.create`, `cancel`, ...).
    pub action: String,
    /// The subject's status before.
    pub from_status: Option<String>,
    /// The subject's status after.
    pub to_status: Option<String>,
    /// The request (X-Request-Id) that caused it.
    pub request_id: String,
    /// Facts of the change worth keeping (quantities, ids).
    pub details: Value,
    /// When the change happened, in UTC; sealing truncates it to whole microseconds.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One sealed entry of a subject's chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// Position in the subject's chain, from 1.
    pub seq: i64,
    /// `aud_<uuid simple hex>`.
    pub id: String,
    /// What changed.
    pub subject: String,
    /// Who changed it.
    pub actor: String,
    /// The acting organisation.
    pub org_id: Option<String>,
    /// What was done.
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// The causing request.
    pub request_id: String,
    /// Facts of the change.
    pub details: Value,
    /// When, truncated to microseconds.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The previous entry's `hash` ([`GENESIS_HASH`] for seq 1).
    pub prev_hash: String,
    /// Lowercase hex SHA-256 of this entry's canonical encoding.
    pub hash: String,
}

/// What recomputing a chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainVerdict {
    /// Every entry hashes to its `hash`, links to its predecessor and follows it in `seq`.
    pub valid: bool,
    /// How many entries were checked.
    pub entries: u64,
    /// The last entry's stored `hash` (None for an empty chain).
    pub head_hash: Option<String>,
    /// The first position (seq) at which the chain does not hold.
    pub first_invalid_seq: Option<i64>,
}

/// `aud_<uuid simple hex>`: the id of an entry, from the randomness the caller brings.
pub fn audit_id(uuid: uuid::Uuid) -> String {
    format!("{AUDIT_ID_PREFIX}{}", uuid.simple())
}

/// `at` in UTC, cut to whole microseconds (what the databases keep).
pub fn to_micros(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

impl AuditDraft {
    /// Seals the draft as entry `seq` of its subject, linked to `prev_hash`
    /// ([`GENESIS_HASH`] for seq 1), with id `id` (see [`audit_id`]).
    pub fn seal(self, seq: i64, id: String, prev_hash: String) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            id,
            subject: self.subject,
            actor: self.actor,
            org_id: self.org_id,
            action: self.action,
            from_status: self.from_status,
            to_status: self.to_status,
            request_id: self.request_id,
            details: self.details,
            at: to_micros(self.at),
            prev_hash,
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        record
    }
}

impl AuditRecord {
    /// The canonical encoding of this entry (every field but `hash`; see the module).
    pub fn canonical(&self) -> String {
        let at = to_micros(self.at)
            .format(AT_FORMAT)
            .unwrap_or_else(|_| self.at.unix_timestamp_nanos().to_string());
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        let fields: [(&str, Value); 12] = [
            ("action", Value::String(self.action.clone())),
            ("actor", Value::String(self.actor.clone())),
            ("at", Value::String(at)),
            ("details", self.details.clone()),
            ("from_status", opt(&self.from_status)),
            ("id", Value::String(self.id.clone())),
            ("org_id", opt(&self.org_id)),
            ("prev_hash", Value::String(self.prev_hash.clone())),
            ("request_id", Value::String(self.request_id.clone())),
            ("seq", Value::from(self.seq)),
            ("subject", Value::String(self.subject.clone())),
            ("to_status", opt(&self.to_status)),
        ];
        let mut out = String::from("{");
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(&mut out, key);
            out.push(':');
            write_canonical(&mut out, value);
        }
        out.push('}');
        out
    }

    /// The lowercase hex SHA-256 of [`Self::canonical`].
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical().as_bytes()))
    }
}

fn write_string(out: &mut String, s: &str) {
    // Serializing a str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_canonical(out, value);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        Value::String(s) => write_string(out, s),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
    }
}

/// Recomputes a subject's chain, oldest first: entry `i` (from 1) must have `seq == i`,
/// link to the previous entry's `hash` ([`GENESIS_HASH`] first) and hash to its own
/// `hash`. `first_invalid_seq` is the first position where one of these fails, so an
/// edited entry, a removed one (a gap) or a broken link is named by its place.
pub fn verify_chain(records: &[AuditRecord]) -> ChainVerdict {
    let mut prev = GENESIS_HASH;
    let mut first_invalid_seq = None;
    for (expected_seq, record) in (1i64..).zip(records) {
        let holds = record.seq == expected_seq
            && record.prev_hash == prev
            && record.compute_hash() == record.hash;
        if !holds {
            first_invalid_seq = Some(expected_seq);
            break;
        }
        prev = &record.hash;
    }
    ChainVerdict {
        valid: first_invalid_seq.is_none(),
        entries: records.len() as u64,
        head_hash: records.last().map(|r| r.hash.clone()),
        first_invalid_seq,
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
