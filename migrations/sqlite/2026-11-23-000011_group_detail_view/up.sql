-- Every participant of a group with its purchases and transfers, as one JSON text per
-- group: a group's detail (and any list of groups) is then ONE query, a join with this
-- view. (json() keeps a subquery's array an array, not a string, inside json_object.)
CREATE VIEW group_participants_json AS
SELECT g.id AS group_id,
       (SELECT json_group_array(json(one)) FROM (
            SELECT json_object(
                       'id', p.id, 'group_id', p.group_id, 'user_id', p.user_id,
                       'user_name', p.user_name, 'user_picture', p.user_picture,
                       'quantity', p.quantity, 'total_paid_minor', p.total_paid_minor,
                       'status', p.status, 'joined_at', p.joined_at,
                       'purchase_count', p.purchase_count,
                       'has_transferred', json(CASE WHEN p.has_transferred THEN 'true' ELSE 'false' END),
                       'checkout_session_id', p.checkout_session_id, 'updated_at', p.updated_at,
                       'purchases', json((
                           SELECT json_group_array(json(r1)) FROM (
                               SELECT json_object(
                                          'id', r.id, 'participant_id', r.participant_id,
                                          'checkout_session_id', r.checkout_session_id,
                                          'quantity', r.quantity, 'amount_minor', r.amount_minor,
                                          'currency', r.currency,
                                          'transaction_id', r.transaction_id,
                                          'purchased_at', r.purchased_at) AS r1
                               FROM purchase_records r WHERE r.participant_id = p.id
                               ORDER BY r.purchased_at))),
                       -- Only a participation that took part in a transfer has any
                       -- (has_transferred is set on both sides).
                       'transfers', CASE WHEN p.has_transferred THEN json((
                           SELECT json_group_array(json(t1)) FROM (
                               SELECT json_object(
                                          'id', t.id, 'user_id', t.user_id,
                                          'from_group_id', t.from_group_id,
                                          'to_group_id', t.to_group_id,
                                          'from_participant_id', t.from_participant_id,
                                          'to_participant_id', t.to_participant_id,
                                          'quantity', t.quantity, 'amount_minor', t.amount_minor,
                                          'currency', t.currency, 'reason', t.reason,
                                          'transferred_at', t.transferred_at,
                                          'from_code', fg.code, 'to_code', tg.code) AS t1
                               FROM seat_transfers t
                               LEFT JOIN group_instances fg ON fg.id = t.from_group_id
                               LEFT JOIN group_instances tg ON tg.id = t.to_group_id
                               WHERE t.from_participant_id = p.id OR t.to_participant_id = p.id
                               ORDER BY t.transferred_at))) ELSE json('[]') END) AS one
            FROM group_participants p WHERE p.group_id = g.id
            ORDER BY p.joined_at, p.id)) AS participants
FROM group_instances g;

-- One participation's purchases and transfers as JSON (my-participations in one query).
CREATE VIEW participant_histories_json AS
SELECT p.id AS participant_id,
       (SELECT json_group_array(json(r1)) FROM (
            SELECT json_object(
                       'id', r.id, 'participant_id', r.participant_id,
                       'checkout_session_id', r.checkout_session_id,
                       'quantity', r.quantity, 'amount_minor', r.amount_minor,
                       'currency', r.currency, 'transaction_id', r.transaction_id,
                       'purchased_at', r.purchased_at) AS r1
            FROM purchase_records r WHERE r.participant_id = p.id
            ORDER BY r.purchased_at)) AS purchases,
       (SELECT json_group_array(json(t1)) FROM (
            SELECT json_object(
                       'id', t.id, 'user_id', t.user_id,
                       'from_group_id', t.from_group_id, 'to_group_id', t.to_group_id,
                       'from_participant_id', t.from_participant_id,
                       'to_participant_id', t.to_participant_id,
                       'quantity', t.quantity, 'amount_minor', t.amount_minor,
                       'currency', t.currency, 'reason', t.reason,
                       'transferred_at', t.transferred_at,
                       'from_code', fg.code, 'to_code', tg.code) AS t1
            FROM seat_transfers t
            LEFT JOIN group_instances fg ON fg.id = t.from_group_id
            LEFT JOIN group_instances tg ON tg.id = t.to_group_id
            WHERE t.from_participant_id = p.id OR t.to_participant_id = p.id
            ORDER BY t.transferred_at)) AS transfers
FROM group_participants p;
