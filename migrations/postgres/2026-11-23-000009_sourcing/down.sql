DROP TABLE procurement_documents;
DROP TABLE procurement_settlements;
DROP TABLE procurement_allocations;
DROP TABLE procurement_vendor_responses;
DROP TABLE procurement_rfqs;
DROP TABLE procurement_jobs;
