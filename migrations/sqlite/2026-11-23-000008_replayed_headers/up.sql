-- A replayed answer repeats the headers that name what it created or changed (Location,
-- ETag), as a JSON array of [name, value] pairs.
ALTER TABLE idempotency_keys ADD COLUMN response_headers TEXT;
