DROP TABLE rate_limit_windows;
DROP TABLE support_reports;
DROP TABLE campaign_audit;
DROP TABLE group_buy_interests;
DROP TABLE group_buys;
DROP TABLE campaign_handles;
