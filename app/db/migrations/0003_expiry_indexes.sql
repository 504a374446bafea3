-- Expired OAuth states, sessions and login links are purged by the cron, by expiry, through these
-- indexes (not scanned on every install).
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX login_links_expiry ON login_links (expires_at);
