-- The projection: one row per deployment, replaced in the same transaction as each append.
-- Text that is ordered or paged on uses COLLATE "C" (byte order), as SQLite does: a locale
-- collation would order ids and timestamps differently and break cursors.
CREATE TABLE deployments (
  id               TEXT COLLATE "C" PRIMARY KEY,
  build_id         TEXT COLLATE "C" NOT NULL,
  chain_id         BIGINT NOT NULL,
  status           TEXT NOT NULL,
  signer           TEXT NOT NULL,
  tx_hash          TEXT,
  contract_address TEXT,
  retry_count      INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT COLLATE "C",
  error_code       TEXT,
  state            JSONB NOT NULL,
  last_seq         INTEGER NOT NULL,
  created_at       TEXT COLLATE "C" NOT NULL,
  updated_at       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX deployments_by_created ON deployments (created_at DESC, id DESC);
CREATE INDEX deployments_by_status ON deployments (status, created_at DESC, id DESC);
CREATE INDEX deployments_by_build ON deployments (build_id, created_at DESC, id DESC);
CREATE INDEX deployments_by_chain ON deployments (chain_id, created_at DESC, id DESC);
CREATE INDEX deployments_unfinished ON deployments (created_at, id)
  WHERE status NOT IN ('complete', 'failed', 'cancelled');
CREATE INDEX deployments_pending_verification ON deployments (created_at, id)
  WHERE status = 'complete' AND (state -> 'verification' ->> 'status') = 'pending';

-- The journal: append-only, seq contiguous from 1 per deployment. `data` is JSON (not JSONB):
-- the journal keeps the exact text, including characters JSONB refuses (\u0000).
CREATE TABLE events (
  deployment_id TEXT COLLATE "C" NOT NULL REFERENCES deployments (id),
  seq           INTEGER NOT NULL,
  type          TEXT NOT NULL,
  at            TEXT NOT NULL,
  data          JSON NOT NULL,
  PRIMARY KEY (deployment_id, seq)
);
