-- Nonces are claimed per deployment (not a running counter), so a nonce whose deployment ended
-- without using it can be handed out again: no gaps, and the primary key forbids reuse.
DROP TABLE nonce_ledger;

CREATE TABLE nonce_claims (
  chain_id      INTEGER NOT NULL,
  address       TEXT NOT NULL,
  nonce         INTEGER NOT NULL,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  PRIMARY KEY (chain_id, address, nonce)
);
CREATE INDEX nonce_claims_by_deployment ON nonce_claims (deployment_id);
