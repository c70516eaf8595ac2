-- Idempotency keys of API requests: the key's deployment and a hash of the request body,
-- written in the same transaction as the deployment's first event.
CREATE TABLE idempotency_keys (
  key           TEXT PRIMARY KEY,
  request_hash  TEXT NOT NULL,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  created_at    TEXT NOT NULL
);
