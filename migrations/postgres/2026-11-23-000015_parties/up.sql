-- Parties (issue 22): each organisation's and vendor's legal data, versioned like a pool;
-- a settlement copies it into its documents, so nothing here changes an issued invoice.
CREATE TABLE procurement_parties (
    kind TEXT NOT NULL,
    party_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    profile TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, party_id)
);

-- The VAT a vendor's response states for its price (both null: it states none).
ALTER TABLE procurement_vendor_responses ADD COLUMN vat_category TEXT;
ALTER TABLE procurement_vendor_responses ADD COLUMN vat_rate_hundredths BIGINT;

-- A member's purchase order reference: its invoice's buyer reference.
ALTER TABLE procurement_commitments ADD COLUMN purchase_order_ref TEXT;
