-- Worker leases: the worker that runs a deployment and until when (epoch ms of the database's
-- clock, so workers on machines with skewed clocks agree). A worker renews its leases while
-- alive; once `lease_until` passes, another worker may claim the deployment.
ALTER TABLE deployments ADD COLUMN lease_owner TEXT;
ALTER TABLE deployments ADD COLUMN lease_until BIGINT;
CREATE INDEX deployments_by_lease_owner ON deployments (lease_owner) WHERE lease_owner IS NOT NULL;
