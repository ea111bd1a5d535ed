-- When a published group-buy first met all its close thresholds: campaign.threshold_reached
-- fires once, guarded by this column being NULL.
ALTER TABLE group_buys ADD COLUMN threshold_reached_at TIMESTAMP;
