-- Live updates on SQLite need no schema: the writer connection of each process carries
-- TEMP triggers calling a function of that process (crates/groupbuy-store/src/live).
-- This migration keeps the two folders numbered alike.
SELECT 1;
