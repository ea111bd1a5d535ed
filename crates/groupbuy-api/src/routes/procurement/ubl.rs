//! A settlement document as a UBL 2.1 Invoice with the fields Peppol BIS Billing 3.0 asks
//! for (number, issue and due date, currency, supplier and customer parties, lines with
//! quantity, unit code, price and net amount, totals), written with an XML writer so every
//! text is escaped.

use groupbuy_domain::money::Money;
use groupbuy_domain::procurement::settlement::{Document, DocumentKind};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::Cursor;

const INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CAC_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
const CUSTOMIZATION: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
const PROFILE: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
/// UN/ECE Rec 20 "one" (a committed unit).
const UNIT_CODE: &str = "C62";
/// UNCL1001 commercial invoice.
pub(super) const INVOICE_TYPE: &str = "380";

/// Who sells and who buys in a document: for a payable the vendor invoices the organising
/// organisation; for a receivable the organiser invoices its member.
pub struct Parties<'a> {
    /// The organising organisation's id.
    pub organiser: &'a str,
}

pub(super) type XmlResult = Result<(), quick_xml::Error>;

/// An indenting XML writer with the few shapes a UBL invoice needs.
pub(super) struct Ubl {
    w: Writer<Cursor<Vec<u8>>>,
}

impl Ubl {
    /// A document under way: the declaration and the `Invoice` root with its namespaces.
    pub(super) fn start() -> Result<Self, quick_xml::Error> {
        let mut x = Ubl {
            w: Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2),
        };
        x.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut root = BytesStart::new("Invoice");
        root.push_attribute(("xmlns", INVOICE_NS));
        root.push_attribute(("xmlns:cac", CAC_NS));
        root.push_attribute(("xmlns:cbc", CBC_NS));
        x.w.write_event(Event::Start(root))?;
        x.text("cbc:CustomizationID", CUSTOMIZATION)?;
        x.text("cbc:ProfileID", PROFILE)?;
        Ok(x)
    }

    /// Closes the root and returns the text.
    pub(super) fn finish(mut self) -> Result<String, quick_xml::Error> {
        self.close("Invoice")?;
        Ok(String::from_utf8_lossy(&self.w.into_inner().into_inner()).into_owned())
    }

    pub(super) fn open(&mut self, name: &str) -> XmlResult {
        self.w
            .write_event(Event::Start(BytesStart::new(name)))
            .map_err(Into::into)
    }

    pub(super) fn close(&mut self, name: &str) -> XmlResult {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(Into::into)
    }

    pub(super) fn text(&mut self, name: &str, value: &str) -> XmlResult {
        self.text_with(name, value, &[])
    }

    pub(super) fn text_with(
        &mut self,
        name: &str,
        value: &str,
        attrs: &[(&str, &str)],
    ) -> XmlResult {
        let mut start = BytesStart::new(name);
        for a in attrs {
            start.push_attribute(*a);
        }
        self.w.write_event(Event::Start(start))?;
        self.w.write_event(Event::Text(BytesText::new(value)))?;
        self.close(name)
    }

    fn amount(&mut self, name: &str, minor: i64, doc: &Document) -> XmlResult {
        let value = Money::from_minor(minor, doc.currency)
            .to_decimal()
            .to_string();
        self.text_with(name, &value, &[("currencyID", doc.currency.code())])
    }

    fn party(&mut self, role: &str, id: &str, name: &str) -> XmlResult {
        self.open(role)?;
        self.open("cac:Party")?;
        self.open("cac:PartyIdentification")?;
        self.text("cbc:ID", id)?;
        self.close("cac:PartyIdentification")?;
        self.open("cac:PartyName")?;
        self.text("cbc:Name", name)?;
        self.close("cac:PartyName")?;
        self.open("cac:PartyLegalEntity")?;
        self.text("cbc:RegistrationName", name)?;
        self.close("cac:PartyLegalEntity")?;
        self.close("cac:Party")?;
        self.close(role)
    }
}

/// The document as a UBL 2.1 Invoice: one that passes EN 16931 and Peppol BIS Billing 3.0
/// when the document carries its invoice terms (settled since parties exist, see
/// `ubl_en16931.rs`); otherwise the form documents settled before that were exported in.
///
/// # Errors
/// Only if the writer fails, which an in-memory buffer does not.
pub fn invoice(doc: &Document, parties: &Parties<'_>) -> Result<String, quick_xml::Error> {
    if let Some(terms) = &doc.invoice {
        return super::ubl_en16931::invoice(doc, terms);
    }
    let mut x = Ubl::start()?;
    x.text("cbc:ID", &doc.number)?;
    x.text("cbc:IssueDate", &doc.issue_date.to_string())?;
    x.text("cbc:DueDate", &doc.due_date.to_string())?;
    x.text("cbc:InvoiceTypeCode", INVOICE_TYPE)?;
    x.text("cbc:DocumentCurrencyCode", doc.currency.code())?;
    let counterparty = doc
        .counterparty_name
        .clone()
        .unwrap_or_else(|| doc.counterparty.clone());
    let (supplier, customer) = match doc.kind {
        DocumentKind::Payable => (
            (doc.counterparty.as_str(), counterparty.as_str()),
            (parties.organiser, parties.organiser),
        ),
        DocumentKind::Receivable => (
            (parties.organiser, parties.organiser),
            (doc.counterparty.as_str(), counterparty.as_str()),
        ),
    };
    x.party("cac:AccountingSupplierParty", supplier.0, supplier.1)?;
    x.party("cac:AccountingCustomerParty", customer.0, customer.1)?;
    // Group purchases between organisations carry no tax here: the total is stated as
    // such (category O, outside the scope of VAT), as BIS 3.0 requires a tax total.
    x.open("cac:TaxTotal")?;
    x.amount("cbc:TaxAmount", 0, doc)?;
    x.close("cac:TaxTotal")?;
    x.open("cac:LegalMonetaryTotal")?;
    x.amount("cbc:LineExtensionAmount", doc.total_minor, doc)?;
    x.amount("cbc:TaxExclusiveAmount", doc.total_minor, doc)?;
    x.amount("cbc:TaxInclusiveAmount", doc.total_minor, doc)?;
    x.amount("cbc:PayableAmount", doc.total_minor, doc)?;
    x.close("cac:LegalMonetaryTotal")?;
    for (i, line) in doc.lines.iter().enumerate() {
        x.open("cac:InvoiceLine")?;
        x.text("cbc:ID", &(i + 1).to_string())?;
        x.text_with(
            "cbc:InvoicedQuantity",
            &line.quantity.to_string(),
            &[("unitCode", UNIT_CODE)],
        )?;
        x.amount("cbc:LineExtensionAmount", line.amount_minor, doc)?;
        x.open("cac:Item")?;
        x.text("cbc:Name", &line.description)?;
        if let Some(sku) = &line.sku {
            x.open("cac:SellersItemIdentification")?;
            x.text("cbc:ID", sku)?;
            x.close("cac:SellersItemIdentification")?;
        }
        x.open("cac:ClassifiedTaxCategory")?;
        x.text("cbc:ID", "O")?;
        x.open("cac:TaxScheme")?;
        x.text("cbc:ID", "VAT")?;
        x.close("cac:TaxScheme")?;
        x.close("cac:ClassifiedTaxCategory")?;
        x.close("cac:Item")?;
        x.open("cac:Price")?;
        x.amount("cbc:PriceAmount", line.unit_price_minor, doc)?;
        x.close("cac:Price")?;
        x.close("cac:InvoiceLine")?;
    }
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use groupbuy_domain::money::Currency;
    use groupbuy_domain::procurement::settlement::DocumentLine;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    fn receivable() -> Document {
        let usd = Currency::parse("USD").expect("usd");
        Document {
            kind: DocumentKind::Receivable,
            number: "STL-0003".into(),
            counterparty: "org_beta".into(),
            counterparty_name: Some("Beta & Sons <Co-op>".into()),
            issue_date: time::macros::date!(2026 - 11 - 23),
            due_date: time::macros::date!(2026 - 12 - 23),
            currency: usd,
            lines: vec![
                DocumentLine {
                    description: "A4 paper from vendor_1".into(),
                    sku: Some("PAPER-A4".into()),
                    quantity: 37,
                    unit_price_minor: 950,
                    amount_minor: 35_150,
                    member_id: Some("org_beta".into()),
                    vendor_id: Some("vendor_1".into()),
                },
                DocumentLine {
                    description: "Organiser fee".into(),
                    sku: None,
                    quantity: 1,
                    unit_price_minor: 879,
                    amount_minor: 879,
                    member_id: Some("org_beta".into()),
                    vendor_id: None,
                },
            ],
            fee_minor: 879,
            total_minor: 36_029,
            invoice: None,
        }
    }

    /// Every text of the elements named `name`, in document order (entities resolved).
    fn texts(xml: &str, name: &[u8]) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let (mut out, mut current): (Vec<String>, Option<String>) = (Vec::new(), None);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    current = (e.name().as_ref() == name).then(String::new);
                }
                Event::Text(t) => {
                    if let Some(c) = current.as_mut() {
                        c.push_str(&t.decode().expect("utf-8"));
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(c) = current.as_mut() {
                        let entity = r.decode().expect("utf-8");
                        let resolved = quick_xml::escape::resolve_predefined_entity(&entity)
                            .expect("a predefined entity");
                        c.push_str(resolved);
                    }
                }
                Event::End(_) => out.extend(current.take()),
                Event::Eof => return out,
                _ => {}
            }
        }
    }

    #[test]
    fn a_receivable_is_a_well_formed_invoice_whose_totals_are_the_documents() {
        let doc = receivable();
        let xml = invoice(
            &doc,
            &Parties {
                organiser: "org_acme",
            },
        )
        .expect("xml");
        assert_eq!(texts(&xml, b"cbc:PayableAmount"), ["360.29"]);
        assert_eq!(texts(&xml, b"cbc:DueDate"), ["2026-12-23"]);
        assert_eq!(texts(&xml, b"cbc:InvoicedQuantity"), ["37", "1"]);
        assert_eq!(texts(&xml, b"cbc:PriceAmount"), ["9.50", "8.79"]);
        let lines: Vec<String> = texts(&xml, b"cbc:LineExtensionAmount");
        // The document total first, then each line; the lines sum to it.
        assert_eq!(lines, ["360.29", "351.50", "8.79"]);
        // The organiser invoices its member; names are escaped, never injected.
        assert_eq!(
            texts(&xml, b"cbc:RegistrationName"),
            ["org_acme", "Beta & Sons <Co-op>"]
        );
        assert!(xml.contains("Beta &amp; Sons &lt;Co-op&gt;"));
    }
}
