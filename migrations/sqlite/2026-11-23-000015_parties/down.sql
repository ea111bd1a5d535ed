ALTER TABLE procurement_commitments DROP COLUMN purchase_order_ref;
ALTER TABLE procurement_vendor_responses DROP COLUMN vat_rate_hundredths;
ALTER TABLE procurement_vendor_responses DROP COLUMN vat_category;
DROP TABLE procurement_parties;
