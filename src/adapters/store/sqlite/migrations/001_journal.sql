-- The projection: one row per deployment, replaced in the same transaction as each append.
CREATE TABLE deployments (
  id               TEXT PRIMARY KEY,
  build_id         TEXT NOT NULL,
  chain_id         INTEGER NOT NULL,
  status           TEXT NOT NULL,
  signer           TEXT NOT NULL,
  tx_hash          TEXT,
  contract_address TEXT,
  retry_count      INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  error_code       TEXT,
  state_json       TEXT NOT NULL,
  last_seq         INTEGER NOT NULL,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX deployments_by_created ON deployments (created_at DESC, id DESC);
CREATE INDEX deployments_by_status ON deployments (status, created_at DESC, id DESC);
CREATE INDEX deployments_by_build ON deployments (build_id, created_at DESC, id DESC);
CREATE INDEX deployments_by_chain ON deployments (chain_id, created_at DESC, id DESC);

-- The journal: append-only, seq contiguous from 1 per deployment.
CREATE TABLE events (
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  seq           INTEGER NOT NULL,
  type          TEXT NOT NULL,
  at            TEXT NOT NULL,
  data_json     TEXT NOT NULL,
  PRIMARY KEY (deployment_id, seq)
) WITHOUT ROWID;

-- Next nonce per (chain, signer); advanced only together with the tx_signed event using it.
CREATE TABLE nonce_ledger (
  chain_id   INTEGER NOT NULL,
  address    TEXT NOT NULL,
  next_nonce INTEGER NOT NULL,
  PRIMARY KEY (chain_id, address)
);
