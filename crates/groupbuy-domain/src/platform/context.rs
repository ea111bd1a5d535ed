//! The change context every state-changing use case receives: who, in which request, when.

use time::OffsetDateTime;

/// Who did a change, in which request, when: passed to every use case that writes, so
/// audit entries and outbox events carry the request id that caused them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    /// `user:<sub>`, `visitor:<uuid>` or `system:<job>`.
    pub actor: String,
    /// The request id (X-Request-Id), or a background pass's own generated id.
    pub request_id: String,
    /// The instant of the change.
    pub now: OffsetDateTime,
}

impl ChangeContext {
    /// A context for `actor` in request `request_id` at `now`.
    pub fn new(
        actor: impl Into<String>,
        request_id: impl Into<String>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            actor: actor.into(),
            request_id: request_id.into(),
            now,
        }
    }
}
