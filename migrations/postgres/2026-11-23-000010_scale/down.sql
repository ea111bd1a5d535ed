DROP TABLE group_refunds_owed;
