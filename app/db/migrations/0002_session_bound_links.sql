-- A login link minted by a signed-in admin starts a session that ends when the minting session
-- would have ended: a session never outlives itself by minting links. NULL for an install's link.
ALTER TABLE login_links ADD COLUMN session_expires_at INTEGER;
