DROP VIEW participant_histories_json;
DROP VIEW group_participants_json;
