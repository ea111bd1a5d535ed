//! The parts of a release: parties with their roles, the tender, the awards (one per
//! vendor) and the contracts (one per payable).

use super::{OcdsSource, Stage};
use crate::procurement::group_buy::Item;
use crate::procurement::party::{PartyKind, PartyRef};
use crate::procurement::settlement::DocumentKind;
use serde_json::{json, Value};
use std::collections::BTreeMap;

impl OcdsSource {
    /// `<kind>:<id>`: unique among the parties even when an organisation and a vendor share
    /// an id.
    fn party_id(party: &PartyRef) -> String {
        party.subject()
    }

    /// The party's display name: its legal name when filled in, else the vendor's name on
    /// the RFQ, else its id.
    fn party_name(&self, party: &PartyRef) -> String {
        let legal = self.parties.get(party).and_then(|p| p.legal_name.clone());
        let invited = || match party.kind {
            PartyKind::Vendor => self
                .rfq
                .as_ref()
                .and_then(|r| r.invited(&party.id))
                .map(|v| v.name.clone()),
            PartyKind::Organisation => None,
        };
        legal.or_else(invited).unwrap_or_else(|| party.id.clone())
    }

    /// An OrganizationReference: `{id, name}`.
    pub(super) fn party_ref(&self, party: &PartyRef) -> Value {
        json!({"id": Self::party_id(party), "name": self.party_name(party)})
    }

    /// One entry of `parties`: name, the party data filled in, and `roles`.
    fn party(&self, party: &PartyRef, roles: &[&str]) -> Value {
        let mut out = self.party_ref(party);
        if let Some(p) = self.parties.get(party) {
            let mut identifier = json!({});
            if let Some(legal) = &p.legal_name {
                identifier["legalName"] = json!(legal);
            }
            if let Some(vat) = &p.vat_id {
                identifier["scheme"] = json!("VAT");
                identifier["id"] = json!(vat);
            }
            if identifier != json!({}) {
                out["identifier"] = identifier;
            }
            if let Some(e) = &p.electronic_address {
                out["additionalIdentifiers"] =
                    json!([{"scheme": format!("EAS:{}", e.scheme), "id": e.identifier}]);
            }
            if let Some(a) = &p.postal_address {
                let mut address = json!({
                    "streetAddress": a.street, "locality": a.city, "countryName": a.country,
                });
                if let Some(code) = &a.postal_code {
                    address["postalCode"] = json!(code);
                }
                out["address"] = address;
            }
        }
        out["roles"] = json!(roles);
        out
    }

    /// The vendors awarded something, in allocation order.
    fn suppliers(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for line in self.award.iter().flat_map(|a| &a.plan.results) {
            if !seen.contains(&line.vendor_id) {
                seen.push(line.vendor_id.clone());
            }
        }
        seen
    }

    /// The parties a release of `stage` names: the organiser (procuring entity and buyer)
    /// and the members (buyers) always; the vendors that responded (tenderers, suppliers
    /// when awarded) once the award unsealed them.
    pub(super) fn parties_at(&self, stage: Stage) -> Vec<Value> {
        let g = &self.group_buy;
        let mut roles: BTreeMap<PartyRef, Vec<&str>> = BTreeMap::new();
        let mut order = vec![PartyRef::organisation(&g.org_id)];
        roles.insert(order[0].clone(), vec!["procuringEntity", "buyer"]);
        let mut add = |party: PartyRef, role: &'static str| {
            let entry = roles.entry(party.clone()).or_default();
            if entry.is_empty() {
                order.push(party);
            }
            if !entry.contains(&role) {
                entry.push(role);
            }
        };
        for m in &self.members {
            add(PartyRef::organisation(m), "buyer");
        }
        if stage != Stage::Tender {
            for v in &self.respondents {
                add(PartyRef::vendor(v), "tenderer");
            }
            for v in self.suppliers() {
                add(PartyRef::vendor(v), "supplier");
            }
        }
        order
            .iter()
            .map(|p| self.party(p, roles.get(p).map_or(&[][..], Vec::as_slice)))
            .collect()
    }

    /// The items of `units` committed units: each item's quantity is `units` times what
    /// one unit holds of it.
    fn items(&self, units: i64) -> Vec<Value> {
        self.group_buy
            .items
            .iter()
            .map(|item: &Item| {
                let mut unit = json!({"name": item.unit});
                if let Some(code) = &item.unit_code {
                    unit["scheme"] = json!("UNCEFACT");
                    unit["id"] = json!(code);
                }
                json!({
                    "id": item.sku,
                    "description": item.name,
                    "quantity": units.saturating_mul(item.quantity_per_unit.unwrap_or(1)),
                    "unit": unit,
                })
            })
            .collect()
    }

    /// The tender as called: items for the committed total, the RFQ's period; no price.
    pub(super) fn tender(&self) -> Value {
        let g = &self.group_buy;
        let mut tender = json!({
            "id": g.id.to_string(),
            "title": g.title,
            "status": self.tender_status(),
            "procuringEntity": self.party_ref(&PartyRef::organisation(&g.org_id)),
            "items": self.items(g.committed_quantity),
            "procurementMethod": "selective",
            "procurementMethodDetails": "Request for quotation to invited vendors",
            "mainProcurementCategory": "goods",
        });
        if let Some(d) = &g.description {
            tender["description"] = json!(d);
        }
        if let Some(rfq) = &self.rfq {
            tender["tenderPeriod"] = json!({
                "startDate": crate::platform::rfc3339(rfq.opened_at),
                "endDate": crate::platform::rfc3339(rfq.due_date),
            });
        }
        tender
    }

    /// The tender's outcome at the award: its status, the tenderers and the value awarded.
    pub(super) fn tender_outcome(&self) -> Value {
        let tenderers: Vec<Value> = self
            .respondents
            .iter()
            .map(|v| self.party_ref(&PartyRef::vendor(v)))
            .collect();
        let amount = self
            .award
            .as_ref()
            .map_or(0, |a| a.plan.totals.amount_minor);
        json!({
            "id": self.group_buy.id.to_string(),
            "status": self.tender_status(),
            "value": self.value(amount),
            "tenderers": tenderers,
            "numberOfTenderers": self.respondents.len(),
        })
    }

    /// `<pool id>-award-<vendor id>`.
    fn award_id(&self, vendor: &str) -> String {
        format!("{}-award-{vendor}", self.group_buy.id)
    }

    /// One award per awarded vendor: its units as items and what they cost in all.
    pub(super) fn awards(&self) -> Vec<Value> {
        let Some(award) = &self.award else {
            return Vec::new();
        };
        self.suppliers()
            .iter()
            .map(|v| {
                let lines = award.plan.results.iter().filter(|l| &l.vendor_id == v);
                let units: i64 = lines.clone().map(|l| l.quantity).sum();
                let amount: i64 = lines.map(|l| l.amount_minor).sum();
                json!({
                    "id": self.award_id(v),
                    "title": format!("{} from {}", self.group_buy.title, self.party_name(&PartyRef::vendor(v))),
                    "status": "active",
                    "date": crate::platform::rfc3339(award.created_at),
                    "value": self.value(amount),
                    "suppliers": [self.party_ref(&PartyRef::vendor(v))],
                    "items": self.items(units),
                })
            })
            .collect()
    }

    /// One contract per payable (the organiser owes the vendor), for its award.
    pub(super) fn contracts(&self) -> Vec<Value> {
        let Some(s) = &self.settlement else {
            return Vec::new();
        };
        s.documents
            .iter()
            .map(|d| &d.document)
            .filter(|d| d.kind == DocumentKind::Payable)
            .map(|d| {
                let units: i64 = d
                    .lines
                    .iter()
                    .filter(|l| l.sku.is_some())
                    .map(|l| l.quantity)
                    .sum();
                json!({
                    "id": format!("{}-contract-{}", self.group_buy.id, d.counterparty),
                    "awardID": self.award_id(&d.counterparty),
                    "title": format!("Payable {}", d.number),
                    "status": "active",
                    "value": self.value(d.total_minor),
                    "dateSigned": crate::platform::rfc3339(s.created_at),
                    "items": self.items(units),
                })
            })
            .collect()
    }
}
