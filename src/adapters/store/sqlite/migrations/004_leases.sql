-- Worker leases: the worker that runs a deployment and until when (epoch ms). A worker renews
-- its leases while alive; once `lease_until` passes, another worker may claim the deployment.
ALTER TABLE deployments ADD COLUMN lease_owner TEXT;
ALTER TABLE deployments ADD COLUMN lease_until INTEGER;
CREATE INDEX deployments_by_lease_owner ON deployments (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX deployments_unfinished ON deployments (created_at, id)
  WHERE status NOT IN ('complete', 'failed', 'cancelled');
CREATE INDEX deployments_pending_verification ON deployments (created_at, id)
  WHERE status = 'complete' AND json_extract(state_json, '$.verification.status') = 'pending';
