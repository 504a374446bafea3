-- Where an OAuth round trip goes (a Zendesk account's subdomain) and, for an admin connecting
-- another vendor, the tenant it joins.
ALTER TABLE oauth_states ADD COLUMN site TEXT;
ALTER TABLE oauth_states ADD COLUMN tenant_id TEXT;
