-- Every participant of a group with its purchases and transfers, as one JSON text per
-- group: a group's detail (and any list of groups) is then ONE query, a join with this
-- view. The planner inlines it, so only the groups asked for are aggregated.
CREATE VIEW group_participants_json AS
SELECT g.id AS group_id,
       COALESCE((
           -- Rows to JSON by column name (cheaper than json_build_object); transfers are
           -- looked up only for participations that took part in one (has_transferred is
           -- set on both sides of every transfer).
           SELECT json_agg(x ORDER BY x.joined_at, x.id)
           FROM (SELECT p.id, p.group_id, p.user_id, p.user_name, p.user_picture, p.quantity,
                        p.total_paid_minor, p.status, p.joined_at, p.purchase_count,
                        p.has_transferred, p.checkout_session_id, p.updated_at,
                        COALESCE((
                            SELECT json_agg(r ORDER BY r.purchased_at)
                            FROM (SELECT id, participant_id, checkout_session_id, quantity,
                                         amount_minor, currency, transaction_id, purchased_at
                                  FROM purchase_records
                                  WHERE participant_id = p.id) r), '[]'::json) AS purchases,
                        CASE WHEN p.has_transferred THEN COALESCE((
                            SELECT json_agg(t ORDER BY t.transferred_at)
                            FROM (SELECT st.id, st.user_id, st.from_group_id, st.to_group_id,
                                         st.from_participant_id, st.to_participant_id,
                                         st.quantity, st.amount_minor, st.currency, st.reason,
                                         st.transferred_at, fg.code AS from_code,
                                         tg.code AS to_code
                                  FROM seat_transfers st
                                  LEFT JOIN group_instances fg ON fg.id = st.from_group_id
                                  LEFT JOIN group_instances tg ON tg.id = st.to_group_id
                                  WHERE st.from_participant_id = p.id
                                     OR st.to_participant_id = p.id) t), '[]'::json)
                        ELSE '[]'::json END AS transfers
                 FROM group_participants p WHERE p.group_id = g.id) x), '[]'::json)::text
           AS participants
FROM group_instances g;

-- One participation's purchases and transfers as JSON (my-participations in one query).
CREATE VIEW participant_histories_json AS
SELECT p.id AS participant_id,
       COALESCE((
           SELECT json_agg(json_build_object(
                      'id', r.id, 'participant_id', r.participant_id,
                      'checkout_session_id', r.checkout_session_id,
                      'quantity', r.quantity, 'amount_minor', r.amount_minor,
                      'currency', r.currency, 'transaction_id', r.transaction_id,
                      'purchased_at', r.purchased_at)
                  ORDER BY r.purchased_at)
           FROM purchase_records r WHERE r.participant_id = p.id), '[]'::json)::text AS purchases,
       COALESCE((
           SELECT json_agg(json_build_object(
                      'id', t.id, 'user_id', t.user_id,
                      'from_group_id', t.from_group_id, 'to_group_id', t.to_group_id,
                      'from_participant_id', t.from_participant_id,
                      'to_participant_id', t.to_participant_id,
                      'quantity', t.quantity, 'amount_minor', t.amount_minor,
                      'currency', t.currency, 'reason', t.reason,
                      'transferred_at', t.transferred_at,
                      'from_code', fg.code, 'to_code', tg.code)
                  ORDER BY t.transferred_at)
           FROM seat_transfers t
           LEFT JOIN group_instances fg ON fg.id = t.from_group_id
           LEFT JOIN group_instances tg ON tg.id = t.to_group_id
           WHERE t.from_participant_id = p.id OR t.to_participant_id = p.id),
           '[]'::json)::text AS transfers
FROM group_participants p;
