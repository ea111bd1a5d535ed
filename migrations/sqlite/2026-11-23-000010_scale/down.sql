CREATE INDEX group_instances_product_idx ON group_instances (product_id, status);
DROP INDEX group_instances_available_idx;
DROP TABLE group_refunds_owed;
