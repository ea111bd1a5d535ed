DROP TABLE procurement_commitments;
DROP TABLE procurement_eligible_orgs;
DROP TABLE procurement_group_buys;
DROP TABLE procurement_organisers;
