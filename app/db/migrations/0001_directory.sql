-- The directory: tenants, installs (vendor account → tenant), connections' metadata, OAuth states,
-- admin sessions and one-time login links, and queue messages that could not be processed.
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  vendor TEXT NOT NULL,
  external_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  setup_done INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (vendor, external_id)
);

-- HubSpot portal / Salesforce org / Zendesk subdomain → tenant and connection.
CREATE TABLE installs (
  vendor TEXT NOT NULL,
  external_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  connection_id TEXT NOT NULL REFERENCES connections(id),
  installed_by TEXT,
  installed_at INTEGER NOT NULL,
  PRIMARY KEY (vendor, external_id)
);

CREATE TABLE oauth_states (
  state TEXT PRIMARY KEY,
  vendor TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Only hashes of session ids and login codes are stored.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  admin TEXT NOT NULL,
  csrf TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE login_links (
  code_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  admin TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE job_failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  tenant_id TEXT,
  connection_id TEXT,
  body TEXT NOT NULL,
  error TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX job_failures_tenant ON job_failures (tenant_id, at);
