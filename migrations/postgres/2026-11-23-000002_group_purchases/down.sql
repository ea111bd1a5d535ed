DROP TABLE orders;
DROP TABLE seat_transfers;
DROP TABLE purchase_records;
DROP TABLE checkout_sessions;
DROP TABLE group_participants;
DROP TABLE group_instances;
