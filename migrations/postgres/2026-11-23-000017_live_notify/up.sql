-- Live updates: a change to a group, its participants or a campaign's row notifies
-- 'groupbuy_live' with its topic ('g:<group id>', 'c:<campaign id>') INSIDE the changing
-- transaction, so the notice is delivered to every LISTENing instance when (and only if) it
-- commits; identical notices of one transaction are folded into one by PostgreSQL.
-- A bulk load may skip them: SET LOCAL groupbuy.live_off = 'on'.
CREATE FUNCTION groupbuy_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id text;
BEGIN
    IF current_setting('groupbuy.live_off', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- One assignment per column: PL/pgSQL plans a field reference only when it runs.
    IF TG_OP = 'DELETE' AND TG_ARGV[1] = 'group_id' THEN
        row_id := OLD.group_id;
    ELSIF TG_OP = 'DELETE' THEN
        row_id := OLD.id;
    ELSIF TG_ARGV[1] = 'group_id' THEN
        row_id := NEW.group_id;
    ELSE
        row_id := NEW.id;
    END IF;
    PERFORM pg_notify('groupbuy_live', TG_ARGV[0] || ':' || row_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER groupbuy_live AFTER INSERT OR UPDATE OR DELETE ON group_instances
    FOR EACH ROW EXECUTE FUNCTION groupbuy_live_notify('g', 'id');
CREATE TRIGGER groupbuy_live AFTER INSERT OR UPDATE OR DELETE ON group_participants
    FOR EACH ROW EXECUTE FUNCTION groupbuy_live_notify('g', 'group_id');
CREATE TRIGGER groupbuy_live AFTER INSERT OR UPDATE OR DELETE ON group_buys
    FOR EACH ROW EXECUTE FUNCTION groupbuy_live_notify('c', 'id');
