//! The group buy's transitions: create, cancel, expire, the first time the target is
//! reached, and the status moves of Procurement II (`advance`). Each returns the new state
//! (version + 1, `updated_at` = now), the events for the outbox and the audit entries for
//! the chain, or a typed refusal; the store writes them with conditional statements.

use super::access::Viewer;
use super::draft::GroupBuyDraft;
use super::events::{audit, group_buy_event, AuditAction};
use super::group_buy::{check_overlap, etag, Action, GroupBuy, GroupBuyStatus};
use super::ids::GroupBuyId;
use super::refusal::ProcurementRefusal;
use crate::error::DomainError;
use crate::platform::{rfc3339, AuditDraft, ChangeContext, DomainEvent, EventType};
use crate::principal::Principal;
use serde_json::{json, Value};

/// A group buy's new state with what the change says.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The group buy after the change.
    pub group_buy: GroupBuy,
    /// For the outbox, addressed to the organising organisation.
    pub events: Vec<DomainEvent>,
    /// For the group buy's audit chain, in order.
    pub audit: Vec<AuditDraft>,
}

/// Checks `If-Match` against the current version: absent (or blank) and `*` match; else
/// one of its comma-separated entity tags must be `"<version>"` (a bare `<version>` is
/// taken too, as curl users type it). Weak tags (`W/"3"`) never match: `If-Match`
/// compares strongly (RFC 9110, 13.1.1).
///
/// # Errors
/// `StaleEtag` (412) naming the current ETag.
pub fn check_if_match(
    current_version: i64,
    if_match: Option<&str>,
) -> Result<(), ProcurementRefusal> {
    let Some(header) = if_match.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let strong = etag(current_version);
    let bare = current_version.to_string();
    let matches = header == "*"
        || header
            .split(',')
            .map(str::trim)
            .any(|tag| tag == strong || tag == bare);
    if matches {
        Ok(())
    } else {
        Err(ProcurementRefusal::StaleEtag(current_version))
    }
}

/// The acting organisation of a write: the token's `org_id`.
///
/// # Errors
/// `OrganisationRequired` (403) when the token has none.
pub fn acting_org(caller: &Principal) -> Result<&str, ProcurementRefusal> {
    caller
        .org_id
        .as_deref()
        .filter(|o| !o.trim().is_empty())
        .ok_or(ProcurementRefusal::OrganisationRequired)
}

impl GroupBuyDraft {
    /// Creates the OPEN group buy `id`, organised by the caller's organisation:
    /// `groupbuy.created` and the chain's first entry (`create`). `others` are the
    /// organisation's OPEN group buys (any others are ignored).
    ///
    /// # Errors
    /// `OrganisationRequired` (403); `OverlapsOpenGroupBuy` (409) naming the other pool
    /// and the SKU both pool.
    pub fn create(
        self,
        id: GroupBuyId,
        caller: &Principal,
        others: &[GroupBuy],
        ctx: &ChangeContext,
    ) -> Result<Transition, DomainError> {
        let org_id = acting_org(caller)?.to_owned();
        check_overlap(&org_id, &self.items, others, ctx.now)?;
        let group_buy = GroupBuy {
            id,
            title: self.title,
            description: self.description,
            items: self.items,
            target_quantity: self.target_quantity,
            min_commitment: self.min_commitment,
            deadline: self.deadline,
            currency: self.currency,
            rules: self.rules,
            status: GroupBuyStatus::Open,
            org_id,
            created_by: caller.user_id.clone(),
            created_at: ctx.now,
            updated_at: ctx.now,
            version: 1,
            committed_quantity: 0,
            members: 0,
            target_reached_at: None,
        };
        let g = &group_buy;
        let details = json!({
            "title": g.title,
            "items": g.items.iter().map(|i| i.sku.as_str()).collect::<Vec<_>>(),
            "target_quantity": g.target_quantity,
            "min_commitment": g.min_commitment,
            "deadline": rfc3339(g.deadline),
            "currency": g.currency.code(),
            "rules": g.rules,
        });
        let events = vec![group_buy_event(EventType::GroupBuyCreated, g, None, ctx)];
        let audit = vec![audit(
            g,
            AuditAction::Create,
            None,
            Some(&g.org_id),
            details,
            ctx,
        )];
        Ok(Transition {
            group_buy,
            events,
            audit,
        })
    }
}

impl GroupBuy {
    /// The same group buy one version later, changed at `ctx.now`.
    pub(crate) fn touched(&self, ctx: &ChangeContext) -> GroupBuy {
        GroupBuy {
            version: self.version + 1,
            updated_at: ctx.now,
            ..self.clone()
        }
    }

    /// Moves to `action`'s target status (Procurement II's `rfq`, `allocate`, `settle`
    /// use this): the new state and its audit entry, with `details` and the acting
    /// `org_id`. The caller adds its own events.
    ///
    /// # Errors
    /// `InvalidTransition` (or `AlreadySettled`) when the status does not allow it, or
    /// when `action` leads to no status (commit, withdraw).
    pub fn advance(
        &self,
        action: Action,
        org_id: Option<&str>,
        details: Value,
        ctx: &ChangeContext,
    ) -> Result<(GroupBuy, AuditDraft), ProcurementRefusal> {
        self.check_action(action)?;
        let to = action
            .target()
            .ok_or(ProcurementRefusal::InvalidTransition {
                action,
                status: self.status,
                allowed: self.status.allowed_actions(),
            })?;
        let next = GroupBuy {
            status: to,
            ..self.touched(ctx)
        };
        let entry = audit(
            &next,
            AuditAction::from(action),
            Some(self.status),
            org_id,
            details,
            ctx,
        );
        Ok((next, entry))
    }

    /// Cancels it (the organiser or a platform admin): OPEN|SOURCING -> CANCELLED,
    /// `groupbuy.cancelled`. Checked in this order: visible (404), organiser (403),
    /// `If-Match` (412), status (409).
    ///
    /// # Errors
    /// `GroupBuyNotFound`, `OrganiserOnly`, `StaleEtag`, `InvalidTransition`.
    pub fn cancel(
        &self,
        viewer: &Viewer,
        if_match: Option<&str>,
        ctx: &ChangeContext,
    ) -> Result<Transition, DomainError> {
        viewer.require_organiser(self, "cancel this group buy")?;
        check_if_match(self.version, if_match)?;
        let details = json!({
            "committed_quantity": self.committed_quantity,
            "members": self.members,
        });
        let (next, entry) = self.advance(Action::Cancel, viewer.org_id(), details, ctx)?;
        let said = group_buy_event(EventType::GroupBuyCancelled, &next, Some(self.status), ctx);
        Ok(Transition {
            group_buy: next,
            events: vec![said],
            audit: vec![entry],
        })
    }

    /// Expires it when the sweep finds it due ([`GroupBuy::is_due_to_expire`]): EXPIRED,
    /// `groupbuy.expired`. `None` when not due, so a second sweeper does nothing.
    pub fn expire(&self, ctx: &ChangeContext) -> Option<Transition> {
        if !self.is_due_to_expire(ctx.now) {
            return None;
        }
        let details = json!({
            "committed_quantity": self.committed_quantity,
            "target_quantity": self.target_quantity,
            "members": self.members,
            "deadline": rfc3339(self.deadline),
        });
        let (next, entry) = self.advance(Action::Expire, None, details, ctx).ok()?;
        let said = group_buy_event(EventType::GroupBuyExpired, &next, Some(self.status), ctx);
        Some(Transition {
            group_buy: next,
            events: vec![said],
            audit: vec![entry],
        })
    }

    /// Marks the target reached when its counters (as they now stand: under contention,
    /// the row the store's conditional update returned) reach it for the first time:
    /// `target_reached_at` = now and `groupbuy.target_reached`, in the same version (it is
    /// part of the change that reached it). `None` otherwise, so it fires once.
    pub fn mark_target_reached(&self, ctx: &ChangeContext) -> Option<Transition> {
        if !self.reaches_target() {
            return None;
        }
        let reached = GroupBuy {
            target_reached_at: Some(ctx.now),
            ..self.clone()
        };
        let details = json!({
            "committed_quantity": reached.committed_quantity,
            "target_quantity": reached.target_quantity,
            "members": reached.members,
        });
        let entry = audit(
            &reached,
            AuditAction::TargetReached,
            Some(self.status),
            None,
            details,
            ctx,
        );
        let said = group_buy_event(EventType::GroupBuyTargetReached, &reached, None, ctx);
        Some(Transition {
            group_buy: reached,
            events: vec![said],
            audit: vec![entry],
        })
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
