-- Lists filtered by status and chain together (the dashboard's two filters): one ordered index
-- scan that stops at the page size, instead of combining the two single-column indexes and sorting.
CREATE INDEX deployments_by_status_chain ON deployments (status, chain_id, created_at DESC, id DESC);
