-- Nonces are claimed per deployment (not a running counter), so a nonce whose deployment ended
-- without using it can be handed out again: no gaps, and the primary key forbids reuse.
CREATE TABLE nonce_claims (
  chain_id      BIGINT NOT NULL,
  address       TEXT NOT NULL,
  nonce         BIGINT NOT NULL,
  deployment_id TEXT COLLATE "C" NOT NULL REFERENCES deployments (id),
  PRIMARY KEY (chain_id, address, nonce)
);
CREATE INDEX nonce_claims_by_deployment ON nonce_claims (deployment_id);
