//! A settlement document as a UBL 2.1 Invoice that passes the EN 16931 rules (CEN) and the
//! Peppol BIS Billing 3.0 rules (OpenPEPPOL) with no fatal finding, from the parties and
//! VAT the document copied at settlement. `make ubl-validate` runs both rule sets over every
//! invoice the tests produce.
//!
//! Amounts carry at most two decimals (BR-DEC-*): settlement already made them multiples of
//! a cent in three-decimal currencies, so only their notation changes here; unit prices keep
//! the currency's decimals (BT-146 has no such limit).

use super::ubl::{Ubl, XmlResult, INVOICE_TYPE};
use groupbuy_domain::money::Money;
use groupbuy_domain::procurement::party::{Vat, VatCategory};
use groupbuy_domain::procurement::settlement::{Document, InvoiceTerms, PartySnapshot};
use rust_decimal::Decimal;

/// `C62` ("one"): the fee line's unit.
const ONE: &str = "C62";

impl Ubl {
    fn money(&mut self, name: &str, minor: i64, doc: &Document, max_decimals: u32) -> XmlResult {
        let mut value: Decimal = Money::from_minor(minor, doc.currency).to_decimal();
        if value.scale() > max_decimals {
            value = value.round_dp(max_decimals);
            value.rescale(max_decimals);
        }
        self.text_with(
            name,
            &value.to_string(),
            &[("currencyID", doc.currency.code())],
        )
    }

    /// An invoice amount: at most two decimals (BR-DEC-*).
    fn invoice_amount(&mut self, name: &str, minor: i64, doc: &Document) -> XmlResult {
        self.money(name, minor, doc, 2)
    }

    fn party_of(&mut self, role: &str, p: &PartySnapshot) -> XmlResult {
        self.open(role)?;
        self.open("cac:Party")?;
        let address = &p.electronic_address;
        self.text_with(
            "cbc:EndpointID",
            &address.identifier,
            &[("schemeID", address.scheme.as_str())],
        )?;
        // BT-29 / BT-46: groupbuy's id of the party, so a party without a VAT id (O) is
        // still identified (BR-CO-26).
        self.open("cac:PartyIdentification")?;
        self.text("cbc:ID", &p.id)?;
        self.close("cac:PartyIdentification")?;
        self.open("cac:PartyName")?;
        self.text("cbc:Name", &p.legal_name)?;
        self.close("cac:PartyName")?;
        self.open("cac:PostalAddress")?;
        let a = &p.postal_address;
        self.text("cbc:StreetName", &a.street)?;
        self.text("cbc:CityName", &a.city)?;
        if let Some(code) = &a.postal_code {
            self.text("cbc:PostalZone", code)?;
        }
        self.open("cac:Country")?;
        self.text("cbc:IdentificationCode", &a.country)?;
        self.close("cac:Country")?;
        self.close("cac:PostalAddress")?;
        if let Some(vat_id) = &p.vat_id {
            self.open("cac:PartyTaxScheme")?;
            self.text("cbc:CompanyID", vat_id)?;
            self.vat_scheme()?;
            self.close("cac:PartyTaxScheme")?;
        }
        self.open("cac:PartyLegalEntity")?;
        self.text("cbc:RegistrationName", &p.legal_name)?;
        self.close("cac:PartyLegalEntity")?;
        if let Some(email) = &p.contact_email {
            self.open("cac:Contact")?;
            self.text("cbc:ElectronicMail", email)?;
            self.close("cac:Contact")?;
        }
        self.close("cac:Party")?;
        self.close(role)
    }

    fn vat_scheme(&mut self) -> XmlResult {
        self.open("cac:TaxScheme")?;
        self.text("cbc:ID", "VAT")?;
        self.close("cac:TaxScheme")
    }

    /// A tax category: its code, its rate (none for O), its exemption reason (E, AE, K, G, O).
    fn category(&mut self, element: &str, vat: &Vat, with_reason: bool) -> XmlResult {
        self.open(element)?;
        self.text("cbc:ID", vat.category.as_str())?;
        if let Some(percent) = vat.percent() {
            self.text("cbc:Percent", &percent.to_string())?;
        }
        if let Some((code, reason)) = vat.category.exemption().filter(|_| with_reason) {
            if let Some(code) = code {
                self.text("cbc:TaxExemptionReasonCode", code)?;
            }
            self.text("cbc:TaxExemptionReason", reason)?;
        }
        self.vat_scheme()?;
        self.close(element)
    }
}

/// The document as an EN 16931 / Peppol BIS 3.0 invoice.
///
/// # Errors
/// Only if the writer fails, which an in-memory buffer does not.
pub(super) fn invoice(doc: &Document, terms: &InvoiceTerms) -> Result<String, quick_xml::Error> {
    let mut x = Ubl::start()?;
    x.text("cbc:ID", &doc.number)?;
    x.text("cbc:IssueDate", &doc.issue_date.to_string())?;
    x.text("cbc:DueDate", &doc.due_date.to_string())?;
    x.text("cbc:InvoiceTypeCode", INVOICE_TYPE)?;
    x.text("cbc:DocumentCurrencyCode", doc.currency.code())?;
    x.text("cbc:BuyerReference", &terms.buyer_reference)?;
    x.party_of("cac:AccountingSupplierParty", &terms.seller)?;
    x.party_of("cac:AccountingCustomerParty", &terms.buyer)?;
    if terms
        .line_vat
        .iter()
        .any(|v| v.category == VatCategory::IntraCommunity)
    {
        // BR-IC-11 and BR-IC-12: a delivery date and the deliver-to country. groupbuy does
        // not track delivery: the issue date stands for it, the buyer's country for the place.
        x.open("cac:Delivery")?;
        x.text("cbc:ActualDeliveryDate", &doc.issue_date.to_string())?;
        x.open("cac:DeliveryLocation")?;
        x.open("cac:Address")?;
        x.open("cac:Country")?;
        x.text(
            "cbc:IdentificationCode",
            &terms.buyer.postal_address.country,
        )?;
        x.close("cac:Country")?;
        x.close("cac:Address")?;
        x.close("cac:DeliveryLocation")?;
        x.close("cac:Delivery")?;
    }
    x.open("cac:TaxTotal")?;
    x.invoice_amount("cbc:TaxAmount", terms.tax_minor, doc)?;
    for b in &terms.breakdown {
        x.open("cac:TaxSubtotal")?;
        x.invoice_amount("cbc:TaxableAmount", b.taxable_minor, doc)?;
        x.invoice_amount("cbc:TaxAmount", b.tax_minor, doc)?;
        x.category("cac:TaxCategory", &b.vat, true)?;
        x.close("cac:TaxSubtotal")?;
    }
    x.close("cac:TaxTotal")?;
    let with_tax = doc.total_minor.saturating_add(terms.tax_minor);
    x.open("cac:LegalMonetaryTotal")?;
    x.invoice_amount("cbc:LineExtensionAmount", doc.total_minor, doc)?;
    x.invoice_amount("cbc:TaxExclusiveAmount", doc.total_minor, doc)?;
    x.invoice_amount("cbc:TaxInclusiveAmount", with_tax, doc)?;
    x.invoice_amount("cbc:PayableAmount", with_tax, doc)?;
    x.close("cac:LegalMonetaryTotal")?;
    for (i, (line, vat)) in doc.lines.iter().zip(&terms.line_vat).enumerate() {
        let unit = if line.vendor_id.is_some() {
            terms.unit_code.as_str()
        } else {
            ONE
        };
        x.open("cac:InvoiceLine")?;
        x.text("cbc:ID", &(i + 1).to_string())?;
        x.text_with(
            "cbc:InvoicedQuantity",
            &line.quantity.to_string(),
            &[("unitCode", unit)],
        )?;
        x.invoice_amount("cbc:LineExtensionAmount", line.amount_minor, doc)?;
        x.open("cac:Item")?;
        x.text("cbc:Name", &line.description)?;
        if let Some(sku) = &line.sku {
            x.open("cac:SellersItemIdentification")?;
            x.text("cbc:ID", sku)?;
            x.close("cac:SellersItemIdentification")?;
        }
        x.category("cac:ClassifiedTaxCategory", vat, false)?;
        x.close("cac:Item")?;
        x.open("cac:Price")?;
        x.money(
            "cbc:PriceAmount",
            line.unit_price_minor,
            doc,
            doc.currency.scale(),
        )?;
        x.close("cac:Price")?;
        x.close("cac:InvoiceLine")?;
    }
    x.finish()
}

#[cfg(test)]
#[path = "ubl_en16931_tests.rs"]
mod tests;
