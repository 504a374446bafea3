-- Write keys for the usage ingestion API (Segment's HTTP Tracking API): one tenant each, shown once
-- when created, stored only as a SHA-256 hash, revocable.
CREATE TABLE write_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  key_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  hint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX write_keys_tenant ON write_keys (tenant_id);
