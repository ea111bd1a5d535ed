DROP TRIGGER groupbuy_live ON group_buys;
DROP TRIGGER groupbuy_live ON group_participants;
DROP TRIGGER groupbuy_live ON group_instances;
DROP FUNCTION groupbuy_live_notify();
