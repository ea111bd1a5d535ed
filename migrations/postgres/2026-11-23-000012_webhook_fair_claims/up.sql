-- Fair claiming of webhook deliveries: per endpoint and subject, the unsettled deliveries
-- in sequence order (is an earlier one still unsettled? how many are leased? how many
-- tests are queued?), without walking an endpoint's settled history.
CREATE INDEX webhook_deliveries_unsettled_idx ON webhook_deliveries (endpoint_id, subject, sequence)
    WHERE state IN ('PENDING', 'FAILED');
