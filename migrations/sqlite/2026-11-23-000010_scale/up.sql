-- Scale: the refund queue of the batched expiry sweep.

-- Groups that closed while OPEN (failed at expiry, or deleted) and whose ACTIVE
-- participants are still owed their refunds. The closing transaction queues the group; the
-- refund batch that pays its participants dequeues it in the same transaction. A sweep
-- pass then costs what is owed, not how many groups ever failed.
CREATE TABLE group_refunds_owed (
    group_id TEXT PRIMARY KEY REFERENCES group_instances (id),
    queued_at TIMESTAMP NOT NULL
);

-- Refunds left owed before the queue existed (a crash between closing and paying).
INSERT INTO group_refunds_owed (group_id, queued_at)
SELECT g.id, MAX(g.updated_at)
FROM group_instances g
JOIN group_participants p ON p.group_id = g.id
WHERE g.status IN ('FAILED', 'DELETED') AND p.status = 'ACTIVE'
GROUP BY g.id;

-- `available` (OPEN groups of a product, oldest first, LIMIT n): the index hands the rows
-- over in order, so the query stops after n instead of reading and sorting every OPEN
-- group of a popular product (on 100,000 groups, a product with 1,000 OPEN groups: 4.3 ms
-- -> 0.7 ms). Its first two columns are the old index's, which it replaces. Not partial:
-- the status arrives as a bind parameter, and a generic plan could not use a partial index.
CREATE INDEX group_instances_available_idx
    ON group_instances (product_id, status, created_at, id);
DROP INDEX group_instances_product_idx;
