ALTER TABLE group_buys DROP COLUMN threshold_reached_at;
