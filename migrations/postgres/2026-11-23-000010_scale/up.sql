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
