-- Idempotency keys of API requests: the key's deployment and a hash of the request body,
-- written in the same transaction as the deployment's first event. The key is inserted first
-- (INSERT … ON CONFLICT DO NOTHING decides the race for it), so its reference to the deployment
-- is checked at commit.
CREATE TABLE idempotency_keys (
  key           TEXT PRIMARY KEY,
  request_hash  TEXT NOT NULL,
  deployment_id TEXT COLLATE "C" NOT NULL REFERENCES deployments (id)
                DEFERRABLE INITIALLY DEFERRED,
  created_at    TEXT NOT NULL
);
