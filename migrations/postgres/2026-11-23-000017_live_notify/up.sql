-- Live updates: a change to a group, its participants or a campaign's row notifies
-- 'groupbuy_live' with the topic pages subscribe to ('g:<group code>',
-- 'c:<handle>/<slug>') INSIDE the changing transaction, so the notice reaches every
-- LISTENing instance when (and only if) it commits; identical notices of one transaction
-- are folded into one by PostgreSQL. A bulk load may skip them:
-- SET LOCAL groupbuy.live_off = 'on'.
CREATE FUNCTION groupbuy_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    topic text;
BEGIN
    IF current_setting('groupbuy.live_off', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- One statement per table: PL/pgSQL plans a field reference only when it runs.
    IF TG_ARGV[0] = 'group' AND TG_OP = 'DELETE' THEN
        topic := 'g:' || OLD.code;
    ELSIF TG_ARGV[0] = 'group' THEN
        topic := 'g:' || NEW.code;
    ELSIF TG_ARGV[0] = 'participant' AND TG_OP = 'DELETE' THEN
        topic := (SELECT 'g:' || code FROM group_instances WHERE id = OLD.group_id);
    ELSIF TG_ARGV[0] = 'participant' THEN
        topic := (SELECT 'g:' || code FROM group_instances WHERE id = NEW.group_id);
    ELSIF TG_OP = 'DELETE' THEN
        topic := 'c:' || OLD.handle || '/' || OLD.slug;
    ELSE
        topic := 'c:' || NEW.handle || '/' || NEW.slug;
    END IF;
    IF topic IS NOT NULL THEN
        PERFORM pg_notify('groupbuy_live', topic);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER groupbuy_live AFTER INSERT OR UPDATE OR DELETE ON group_instances
    FOR EACH ROW EXECUTE FUNCTION groupbuy_live_notify('group');
CREATE TRIGGER groupbuy_live AFTER INSERT OR UPDATE OR DELETE ON group_participants
    FOR EACH ROW EXECUTE FUNCTION groupbuy_live_notify('participant');
CREATE TRIGGER groupbuy_live AFTER INSERT OR UPDATE OR DELETE ON group_buys
    FOR EACH ROW EXECUTE FUNCTION groupbuy_live_notify('campaign');
