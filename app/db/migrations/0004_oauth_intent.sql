-- What an OAuth state was issued for: an install, or a sign-in to an existing install.
ALTER TABLE oauth_states ADD COLUMN intent TEXT NOT NULL DEFAULT 'install';
