DROP VIEW group_participants_json;
